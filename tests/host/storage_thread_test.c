/*
 * tests/host/storage_thread_test.c -- the component store used from several threads at once:
 * writers on their own namespaces and on one shared namespace with a quota, readers and
 * listers running beside them. Checks that every acknowledged write is readable, that the usage
 * record equals the sum of the entries, and that the shared quota is never exceeded.
 * Also: more concurrent readers than max_readers yields ASW_E_BUSY, never a crash.
 */
#include "testlib.h"

#include "airssys/storage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define THREADS 4
#define PER     300
#define QUOTA   2000

static char g_dir[64];
static asw_storage_t *g_st;
static asw_storage_ns_t *g_shared;
static atomic_int g_quota_refusals;

typedef struct {
    int id;
    int failures;
} worker_t;

static int count_key(void *ud, const void *key, size_t klen)
{
    (void)key, (void)klen;
    (*(size_t *)ud)++;
    return 0;
}

static void *worker(void *arg)
{
    worker_t *w = arg;
    char id[16];
    snprintf(id, sizeof id, "w%d", w->id);
    asw_storage_ns_t *ns = NULL;
    if (asw_storage_ns_open(g_st, id, 0, &ns, NULL)) {
        w->failures++;
        return NULL;
    }
    for (int i = 0; i < PER; i++) {
        char k[32], v[32], buf[32];
        int kl = snprintf(k, sizeof k, "key%04d", i);
        int vl = snprintf(v, sizeof v, "value-%d-%d", w->id, i);
        if (asw_storage_set(ns, k, (size_t)kl, v, (size_t)vl, NULL, NULL)) w->failures++;
        size_t len = 0;
        if (asw_storage_get(ns, k, (size_t)kl, buf, sizeof buf, &len, NULL) || len != (size_t)vl ||
            memcmp(buf, v, len))
            w->failures++;
        /* The shared namespace: 10 bytes per key, quota 2000 -> at most 200 keys fit. */
        kl = snprintf(k, sizeof k, "s%d-%04d", w->id, i); /* 7 bytes */
        asw_quota_violation_t qv;
        int rc = asw_storage_set(g_shared, k, (size_t)kl, "abc", 3, &qv, NULL);
        if (rc == ASW_E_QUOTA)
            atomic_fetch_add(&g_quota_refusals, 1);
        else if (rc)
            w->failures++;
        if (i % 50 == 0) {
            size_t n = 0;
            if (asw_storage_list(ns, "key", 3, NULL, 0, 0, count_key, &n, NULL, NULL, NULL) ||
                n != (size_t)i + 1)
                w->failures++;
        }
        if (i % 3 == 0 && asw_storage_delete(ns, k, 0, NULL) != ASW_E_INVALID) w->failures++;
    }
    asw_storage_ns_close(ns);
    return NULL;
}

static void concurrent_writers(void **state)
{
    (void)state;
    assert_int_equal(asw_test_tmpdir_new(g_dir, sizeof g_dir, "storethr"), 0);
    asw_storage_opts_t o = {0};
    o.sync = ASW_STORAGE_SYNC_NONE;
    assert_int_equal(asw_storage_open(g_dir, &o, &g_st, NULL), 0);
    assert_int_equal(asw_storage_ns_open(g_st, "shared", QUOTA, &g_shared, NULL), 0);
    pthread_t t[THREADS];
    worker_t w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker_t){.id = i};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
    }
    asw_storage_usage_t u;
    assert_int_equal(asw_storage_usage(g_shared, &u, NULL), 0);
    assert_int_equal(u.bytes, QUOTA); /* filled exactly, never over */
    assert_int_equal(u.keys, QUOTA / 10);
    assert_int_equal(atomic_load(&g_quota_refusals), THREADS * PER - QUOTA / 10);
    size_t n = 0;
    assert_int_equal(
        asw_storage_list(g_shared, NULL, 0, NULL, 0, 0, count_key, &n, NULL, NULL, NULL), 0);
    assert_int_equal(n, QUOTA / 10);
    for (int i = 0; i < THREADS; i++) {
        char id[16];
        snprintf(id, sizeof id, "w%d", i);
        asw_storage_ns_t *ns;
        assert_int_equal(asw_storage_ns_open(g_st, id, 0, &ns, NULL), 0);
        assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
        assert_int_equal(u.keys, PER);
        asw_storage_ns_close(ns);
    }
    asw_storage_ns_close(g_shared);
    asw_storage_close(g_st);
}

/* Holds a reader slot: lists with a callback that waits until released. */
static void nap(void)
{
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

static atomic_int g_hold;
static atomic_int g_in_list;
static int hold_fn(void *ud, const void *key, size_t klen)
{
    (void)ud, (void)key, (void)klen;
    atomic_fetch_add(&g_in_list, 1);
    while (atomic_load(&g_hold))
        nap();
    return 1;
}

static void *holder(void *arg)
{
    asw_storage_ns_t *ns = arg;
    int rc = asw_storage_list(ns, NULL, 0, NULL, 0, 0, hold_fn, NULL, NULL, NULL, NULL);
    if (rc) atomic_fetch_add(&g_in_list, 100); /* a holder that could not read */
    return NULL;
}

static void readers_full(void **state)
{
    (void)state;
    asw_storage_opts_t o = {0};
    o.max_readers = 2;
    o.sync = ASW_STORAGE_SYNC_NONE;
    assert_int_equal(asw_storage_open(g_dir, &o, &g_st, NULL), 0);
    asw_storage_ns_t *ns;
    assert_int_equal(asw_storage_ns_open(g_st, "r", 0, &ns, NULL), 0);
    assert_int_equal(asw_storage_set(ns, "k", 1, "v", 1, NULL, NULL), 0);
    atomic_store(&g_hold, 1);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, holder, ns), 0);
    while (atomic_load(&g_in_list) < 2)
        nap();
    char buf[4];
    size_t len;
    asw_error_t e = {0};
    assert_int_equal(asw_storage_get(ns, "k", 1, buf, sizeof buf, &len, &e), ASW_E_BUSY);
    assert_non_null(strstr(e.msg, "readers"));
    /* Writers are not readers: a write still succeeds. */
    assert_int_equal(asw_storage_set(ns, "k2", 2, "v", 1, NULL, NULL), 0);
    atomic_store(&g_hold, 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(atomic_load(&g_in_list), 2);
    assert_int_equal(asw_storage_get(ns, "k2", 2, buf, sizeof buf, &len, NULL), 0);
    asw_storage_ns_close(ns);
    asw_storage_close(g_st);
    (void)asw_test_tmpdir_remove(g_dir); /* the store files and the directory */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_writers),
        cmocka_unit_test(readers_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
