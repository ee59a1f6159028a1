/*
 * tests/host/storage_cache_test.c -- the read cache of storage.c: a re-read is served from it,
 * and it never returns a value older than the last commit that changed the key, whoever made
 * that commit: this handle (set, delete, clear), another handle of the same namespace, or
 * another process writing to the same store (storage_crash_helper). Writes to other namespaces
 * of this process keep the entries valid; values and keys too big are not cached; readers racing
 * a writer never read a value older than the last write that returned.
 */
#include "testlib.h"

#include "airssys/storage.h"
#include "store_util.h"
#include "host/host_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ASW_STORAGE_CRASH_HELPER
#error "ASW_STORAGE_CRASH_HELPER must name the helper program"
#endif

static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    return asw_test_tmpdir_new(g_dir, sizeof g_dir, "rcache");
}

static int teardown(void **state)
{
    (void)state;
    (void)asw_test_tmpdir_remove(g_dir); /* the store files and the directory */
    return 0;
}

static void set_str(asw_storage_ns_t *ns, const char *k, const char *v)
{
    asw_error_t e = {0};
    int rc = asw_storage_set(ns, k, strlen(k), v, strlen(v), NULL, &e);
    if (rc) fail_msg("set %s: %s", k, e.msg);
}

static void expect_str(asw_storage_ns_t *ns, const char *k, const char *v)
{
    char buf[1024];
    size_t len = 0;
    asw_error_t e = {0};
    int rc = asw_storage_get(ns, k, strlen(k), buf, sizeof buf, &len, &e);
    if (rc) fail_msg("get %s: %s", k, e.msg);
    if (len != strlen(v) || memcmp(buf, v, len) != 0)
        fail_msg("get %s: \"%.*s\", expected \"%s\"", k, (int)len, buf, v);
}

static void expect_missing(asw_storage_ns_t *ns, const char *k)
{
    char buf[16];
    size_t len = 0;
    assert_int_equal(asw_storage_get(ns, k, strlen(k), buf, sizeof buf, &len, NULL),
                     ASW_E_NOT_FOUND);
}

static void own_writes(void **state)
{
    (void)state;
    asw_storage_t *st = NULL;
    asw_storage_ns_t *a = NULL, *a2 = NULL, *b = NULL;
    assert_int_equal(asw_storage_open(g_dir, NULL, &st, NULL), ASW_OK);
    assert_int_equal(asw_storage_ns_open(st, "alpha", 0, &a, NULL), ASW_OK);
    assert_int_equal(asw_storage_ns_open(st, "alpha", 0, &a2, NULL), ASW_OK);
    assert_int_equal(asw_storage_ns_open(st, "beta", 0, &b, NULL), ASW_OK);

    set_str(a, "k", "one");
    expect_str(a, "k", "one"); /* fills */
    uint64_t h = asw__storage_cache_hits(a);
    expect_str(a, "k", "one");
    assert_int_equal(asw__storage_cache_hits(a), h + 1);

    /* Another namespace's write leaves the entry valid. */
    set_str(b, "k", "other");
    expect_str(a, "k", "one");
    assert_int_equal(asw__storage_cache_hits(a), h + 2);

    /* This handle's write, another handle's write, a delete, a clear: never the old value. */
    set_str(a, "k", "two");
    expect_str(a, "k", "two");
    set_str(a2, "k", "three");
    expect_str(a, "k", "three");
    expect_str(a, "k", "three");
    assert_int_equal(asw_storage_delete(a2, "k", 1, NULL), ASW_OK);
    expect_missing(a, "k");
    set_str(a, "k", "four");
    expect_str(a, "k", "four");
    assert_int_equal(asw_storage_ns_clear(a2, NULL, NULL), ASW_OK);
    expect_missing(a, "k");

    /* A value too large for its buffer: ASW_E_OVERFLOW with the length, cached or not. */
    set_str(a, "k", "0123456789");
    for (int i = 0; i < 2; i++) {
        char small[4];
        size_t len = 0;
        assert_int_equal(asw_storage_get(a, "k", 1, small, sizeof small, &len, NULL),
                         ASW_E_OVERFLOW);
        assert_int_equal(len, 10);
    }

    /* Values over 256 bytes are read from LMDB every time. */
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    set_str(a, "big", big);
    h = asw__storage_cache_hits(a);
    expect_str(a, "big", big);
    expect_str(a, "big", big);
    assert_int_equal(asw__storage_cache_hits(a), h);

    asw_storage_ns_close(a);
    asw_storage_ns_close(a2);
    asw_storage_ns_close(b);
    asw_storage_close(st);
}

static void other_process_writes(void **state)
{
    (void)state;
    asw_storage_t *st = NULL;
    asw_storage_ns_t *v = NULL;
    assert_int_equal(asw_storage_open(g_dir, NULL, &st, NULL), ASW_OK);
    assert_int_equal(asw_storage_ns_open(st, "victim", 0, &v, NULL), ASW_OK);
    set_str(v, "k5", "mine");
    expect_str(v, "k5", "mine");
    expect_str(v, "k5", "mine"); /* cached */
    /* Another process writes k5 = value-5. */
    asw_test_store_writer_kill(ASW_STORAGE_CRASH_HELPER, g_dir, "full", 5, 1);
    expect_str(v, "k5", "value-5");
    uint64_t h = asw__storage_cache_hits(v);
    expect_str(v, "k5", "value-5");
    assert_int_equal(asw__storage_cache_hits(v), h + 1);
    asw_storage_ns_close(v);
    asw_storage_close(st);
}

/* A writer counts k up through one handle while readers read it through other handles of the
 * same namespace, and the writer reads each value back through its own: no read returns a value
 * older than the last write that had returned before the read began, and once the writer is
 * done every reader sees its last value. (Consecutive reads may still see a count go back by
 * one: LMDB itself can hand a reader that stalls inside mdb_txn_renew the meta page of a commit
 * still being written, then the current one. Seen without the cache too, under ASan.) */
enum { COUNT_TO = 2000, READERS = 2 };

typedef struct race {
    asw_storage_ns_t *w, *r[READERS];
    atomic_long committed; /* the last value whose set returned */
    atomic_bool done;
    atomic_int bad;
} race_t;

static long read_count(asw_storage_ns_t *ns)
{
    char buf[32];
    size_t len = 0;
    if (asw_storage_get(ns, "k", 1, buf, sizeof buf - 1, &len, NULL)) return -1;
    buf[len] = 0;
    return atol(buf);
}

static void *race_writer(void *p)
{
    race_t *r = p;
    for (long i = 1; i <= COUNT_TO; i++) {
        char v[32];
        int n = snprintf(v, sizeof v, "%ld", i);
        if (asw_storage_set(r->w, "k", 1, v, (size_t)n, NULL, NULL)) atomic_fetch_add(&r->bad, 1);
        atomic_store(&r->committed, i);
        if (read_count(r->w) < i) atomic_fetch_add(&r->bad, 1); /* its own write, at once */
    }
    atomic_store(&r->done, true);
    return NULL;
}

typedef struct reader_arg {
    race_t *r;
    asw_storage_ns_t *ns;
} reader_arg_t;

static void *race_reader(void *p)
{
    reader_arg_t *a = p;
    while (!atomic_load(&a->r->done)) {
        long floor = atomic_load(&a->r->committed);
        if (read_count(a->ns) < floor) atomic_fetch_add(&a->r->bad, 1);
    }
    if (read_count(a->ns) != COUNT_TO) atomic_fetch_add(&a->r->bad, 1);
    return NULL;
}

static void concurrent_readers_never_stale(void **state)
{
    (void)state;
    asw_storage_t *st = NULL;
    race_t r = {0};
    assert_int_equal(asw_storage_open(g_dir, NULL, &st, NULL), ASW_OK);
    assert_int_equal(asw_storage_ns_open(st, "raced", 0, &r.w, NULL), ASW_OK);
    for (int i = 0; i < READERS; i++)
        assert_int_equal(asw_storage_ns_open(st, "raced", 0, &r.r[i], NULL), ASW_OK);
    set_str(r.w, "k", "0");
    pthread_t tw, tr[READERS];
    reader_arg_t ra[READERS];
    for (int i = 0; i < READERS; i++) {
        ra[i] = (reader_arg_t){&r, r.r[i]};
        assert_int_equal(pthread_create(&tr[i], NULL, race_reader, &ra[i]), 0);
    }
    assert_int_equal(pthread_create(&tw, NULL, race_writer, &r), 0);
    pthread_join(tw, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(tr[i], NULL);
    int bad = atomic_load(&r.bad);
    uint64_t hits = asw__storage_cache_hits(r.r[0]) + asw__storage_cache_hits(r.r[1]);
    asw_storage_ns_close(r.w);
    for (int i = 0; i < READERS; i++)
        asw_storage_ns_close(r.r[i]);
    asw_storage_close(st);
    assert_int_equal(bad, 0);
    assert_true(hits > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(own_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(other_process_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_readers_never_stale, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
