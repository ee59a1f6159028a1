/*
 * tests/host/storage_grow_test.c -- growth of the component store's memory map
 * (src/host/storage.c): writes past the initial map size succeed and survive a reopen, the map
 * stops at its ceiling with ASW_E_FULL (and the store stays usable), the option checks of the
 * ceiling, and several threads reading and writing while the map grows under them (run under
 * ThreadSanitizer: label threaded).
 */
#include "testlib.h"

#include "airssys/storage.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    return asw_test_tmpdir_new(g_dir, sizeof g_dir, "grow");
}

static int teardown(void **state)
{
    (void)state;
    (void)asw_test_tmpdir_remove(g_dir); /* the store files and the directory */
    return 0;
}

static asw_storage_t *open_store(const asw_storage_opts_t *o)
{
    asw_storage_t *st = NULL;
    asw_error_t e = {0};
    int rc = asw_storage_open(g_dir, o, &st, &e);
    if (rc) fprintf(stderr, "open: %s\n", e.msg);
    assert_int_equal(rc, 0);
    return st;
}

static void fill(char *v, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (char)('a' + (seed + i) % 26);
}

/* 200 values of 8 KiB (1.6 MB) into a 64 KiB map: every write succeeds, the map grows, and
 * everything reads back, also after closing and reopening the store (which maps at least the
 * used size, then grows again from there). */
static void grows_past_initial_size(void **state)
{
    (void)state;
    asw_storage_opts_t o = {0};
    o.map_size = 64 << 10;
    o.max_value_bytes = 16 << 10;
    o.sync = ASW_STORAGE_SYNC_NONE;
    asw_storage_t *st = open_store(&o);
    assert_int_equal(asw_storage_map_size(st), 64 << 10);
    asw_storage_ns_t *ns = NULL;
    assert_int_equal(asw_storage_ns_open(st, "big", 0, &ns, NULL), 0);
    char v[8192], got[8192];
    asw_error_t e = {0};
    for (unsigned i = 0; i < 200; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%04u", i);
        fill(v, sizeof v, i);
        int rc = asw_storage_set(ns, k, strlen(k), v, sizeof v, NULL, &e);
        if (rc) fprintf(stderr, "set %u: %s\n", i, e.msg);
        assert_int_equal(rc, 0);
    }
    uint64_t grown = asw_storage_map_size(st);
    assert_true(grown >= 200u * 8192u);
    asw_storage_opts_t eff;
    asw_storage_get_opts(st, &eff);
    assert_true(grown <= eff.map_max_size);
    /* Deletes and a clear work on the grown map too. */
    assert_int_equal(asw_storage_delete(ns, "k0000", 5, NULL), 0);
    asw_storage_ns_close(ns);
    asw_storage_close(st);

    st = open_store(&o);
    /* LMDB maps at least the used size on open, whatever map_size asks for. */
    assert_true(asw_storage_map_size(st) >= 199u * 8192u);
    assert_int_equal(asw_storage_ns_open(st, "big", 0, &ns, NULL), 0);
    size_t len = 0;
    assert_int_equal(asw_storage_get(ns, "k0000", 5, got, sizeof got, &len, NULL), ASW_E_NOT_FOUND);
    for (unsigned i = 1; i < 200; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%04u", i);
        fill(v, sizeof v, i);
        assert_int_equal(asw_storage_get(ns, k, strlen(k), got, sizeof got, &len, NULL), 0);
        assert_int_equal(len, sizeof v);
        assert_memory_equal(got, v, len);
    }
    asw_storage_usage_t u;
    assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
    assert_int_equal(u.keys, 199);
    uint64_t deleted = 0;
    assert_int_equal(asw_storage_ns_clear(ns, &deleted, NULL), 0);
    assert_int_equal(deleted, 199);
    asw_storage_ns_close(ns);
    asw_storage_close(st);
}

/* One value larger than the whole initial map: the map grows several times in one write. */
static void one_value_larger_than_the_map(void **state)
{
    (void)state;
    asw_storage_opts_t o = {0};
    o.map_size = 64 << 10;
    o.map_max_size = 8 << 20;
    o.max_value_bytes = (64 << 10) - 1;
    o.sync = ASW_STORAGE_SYNC_NONE;
    asw_storage_t *st = open_store(&o);
    asw_storage_ns_t *ns = NULL;
    assert_int_equal(asw_storage_ns_open(st, "one", 0, &ns, NULL), 0);
    static char v[(64 << 10) - 1], got[(64 << 10) - 1];
    fill(v, sizeof v, 7);
    asw_error_t e = {0};
    assert_int_equal(asw_storage_set(ns, "v", 1, v, sizeof v, NULL, &e), 0);
    assert_true(asw_storage_map_size(st) > (64u << 10));
    size_t len = 0;
    assert_int_equal(asw_storage_get(ns, "v", 1, got, sizeof got, &len, NULL), 0);
    assert_int_equal(len, sizeof v);
    assert_memory_equal(got, v, len);
    asw_storage_ns_close(ns);
    asw_storage_close(st);
}

/* The map doubles up to its ceiling (256 KiB) and no further: the write that does not fit
 * fails with ASW_E_FULL naming the ceiling, nothing of it is written, the store stays usable. */
static void stops_at_the_ceiling(void **state)
{
    (void)state;
    asw_storage_opts_t o = {0};
    o.map_size = 64 << 10;
    o.map_max_size = 256 << 10;
    o.max_value_bytes = 4096;
    o.sync = ASW_STORAGE_SYNC_NONE;
    asw_storage_t *st = open_store(&o);
    asw_storage_ns_t *ns = NULL;
    assert_int_equal(asw_storage_ns_open(st, "full", 0, &ns, NULL), 0);
    char v[4096];
    memset(v, 'x', sizeof v);
    asw_error_t e = {0};
    int rc = 0;
    unsigned i;
    for (i = 0; i < 1000; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%04u", i);
        rc = asw_storage_set(ns, k, strlen(k), v, sizeof v, NULL, &e);
        if (rc) break;
    }
    assert_int_equal(rc, ASW_E_FULL);
    assert_non_null(strstr(e.msg, "ceiling"));
    assert_true(i > 16); /* more than the initial 64 KiB held */
    assert_int_equal(asw_storage_map_size(st), 256 << 10);
    asw_storage_usage_t u;
    assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
    assert_int_equal(u.keys, i); /* exactly the acknowledged writes */
    size_t len;
    char got[4096];
    assert_int_equal(asw_storage_get(ns, "k0000", 5, got, sizeof got, &len, NULL), 0);
    assert_int_equal(asw_storage_delete(ns, "k0001", 5, NULL), 0);
    assert_int_equal(asw_storage_set(ns, "small", 5, "1", 1, NULL, NULL), 0);
    asw_storage_ns_close(ns);
    asw_storage_close(st);
}

static void ceiling_options(void **state)
{
    (void)state;
    asw_storage_t *st = NULL;
    asw_error_t e = {0};
    asw_storage_opts_t o = {0};
    o.map_size = 1 << 20;
    o.max_value_bytes = 4096;
    o.map_max_size = (1 << 20) - 4096; /* below the initial size */
    assert_int_equal(asw_storage_open(g_dir, &o, &st, &e), ASW_E_INVALID);
    assert_non_null(strstr(e.msg, "ceiling"));
    assert_null(st);
    o.map_max_size = 1 << 20; /* equal: no growth, accepted */
    st = open_store(&o);
    asw_storage_opts_t eff;
    asw_storage_get_opts(st, &eff);
    assert_int_equal(eff.map_max_size, 1 << 20);
    asw_storage_close(st);
    st = open_store(NULL); /* defaults: a ceiling far above the 256 MiB start */
    asw_storage_get_opts(st, &eff);
    assert_true(eff.map_max_size >= eff.map_size);
    if (sizeof(size_t) == 8) assert_int_equal(eff.map_max_size, UINT64_C(16) << 30);
    asw_storage_close(st);
}

/* ---- threads writing and reading while the map grows under them ---- */

enum { THREADS = 4, PER_THREAD = 150 };

typedef struct worker {
    asw_storage_t *st;
    int id, failures;
} worker_t;

static void *work(void *arg)
{
    worker_t *w = arg;
    char name[16], v[3000], got[3000];
    snprintf(name, sizeof name, "w%d", w->id);
    asw_storage_ns_t *ns = NULL;
    if (asw_storage_ns_open(w->st, name, 0, &ns, NULL)) {
        w->failures++;
        return NULL;
    }
    for (int i = 0; i < PER_THREAD; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%04d", i);
        fill(v, sizeof v, (unsigned)(i + w->id));
        if (asw_storage_set(ns, k, strlen(k), v, sizeof v, NULL, NULL)) w->failures++;
        /* Read back an earlier key: readers run while other threads grow the map. */
        snprintf(k, sizeof k, "k%04d", i / 2);
        fill(v, sizeof v, (unsigned)(i / 2 + w->id));
        size_t len = 0;
        if (asw_storage_get(ns, k, strlen(k), got, sizeof got, &len, NULL) || len != sizeof v ||
            memcmp(got, v, len))
            w->failures++;
    }
    asw_storage_usage_t u;
    if (asw_storage_usage(ns, &u, NULL) || u.keys != PER_THREAD) w->failures++;
    asw_storage_ns_close(ns);
    return NULL;
}

static void threads_while_growing(void **state)
{
    (void)state;
    asw_storage_opts_t o = {0};
    o.map_size = 64 << 10;
    o.max_value_bytes = 4096;
    o.sync = ASW_STORAGE_SYNC_NONE;
    asw_storage_t *st = open_store(&o);
    pthread_t th[THREADS];
    worker_t w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker_t){st, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    assert_true(asw_storage_map_size(st) >= (uint64_t)THREADS * PER_THREAD * 3000);
    asw_storage_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(grows_past_initial_size, setup, teardown),
        cmocka_unit_test_setup_teardown(one_value_larger_than_the_map, setup, teardown),
        cmocka_unit_test_setup_teardown(stops_at_the_ceiling, setup, teardown),
        cmocka_unit_test_setup_teardown(ceiling_options, setup, teardown),
        cmocka_unit_test_setup_teardown(threads_while_growing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
