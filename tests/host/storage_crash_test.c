/*
 * tests/host/storage_crash_test.c -- an acknowledged write survives kill -9 of the host.
 *
 * The driver starts storage_crash_helper (path in ASW_STORAGE_CRASH_HELPER), which writes keys
 * and prints "ack <i>" after each write returned ASW_OK. After a number of acknowledgements the
 * driver sends SIGKILL -- the helper is then usually inside a write transaction -- reads every
 * acknowledgement still in the pipe, and reopens the store: every acknowledged key must be
 * present with its value, and the usage record must equal the keys actually present (at most
 * one unacknowledged write may have committed just before the kill). Several rounds continue in
 * the same store, with both the "full" and the "none" sync policy (both must survive a process
 * kill; only "full" also survives a power loss, which a test cannot simulate).
 */
#include "testlib.h"

#include "airssys/storage.h"
#include "store_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ASW_STORAGE_CRASH_HELPER
#error "ASW_STORAGE_CRASH_HELPER must name the helper program"
#endif

static char g_dir[64];

static int count_fn(void *ud, const void *key, size_t klen)
{
    (void)key, (void)klen;
    (*(uint64_t *)ud)++;
    return 0;
}

static void verify(long upto, long *out_present)
{
    asw_storage_t *st = NULL;
    asw_storage_ns_t *ns = NULL;
    asw_error_t e = {0};
    int rc = asw_storage_open(g_dir, NULL, &st, &e);
    if (rc) fprintf(stderr, "reopen: %s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(asw_storage_ns_open(st, "victim", 0, &ns, NULL), 0);
    uint64_t bytes = 0;
    for (long i = 0; i <= upto; i++) {
        char k[32], v[48], buf[48];
        int kl = snprintf(k, sizeof k, "k%ld", i);
        int vl = snprintf(v, sizeof v, "value-%ld", i);
        size_t len = 0;
        rc = asw_storage_get(ns, k, (size_t)kl, buf, sizeof buf, &len, &e);
        if (rc) fprintf(stderr, "acknowledged key %s lost: %s\n", k, e.msg);
        assert_int_equal(rc, 0);
        assert_int_equal(len, (size_t)vl);
        assert_memory_equal(buf, v, len);
        bytes += (uint64_t)kl + (uint64_t)vl;
    }
    /* One write past the last ack may have committed before the kill; none beyond it. */
    char k[32];
    int kl = snprintf(k, sizeof k, "k%ld", upto + 1);
    bool extra = false;
    assert_int_equal(asw_storage_exists(ns, k, (size_t)kl, &extra, NULL), 0);
    if (extra) {
        char v[48];
        bytes += (uint64_t)kl + (uint64_t)snprintf(v, sizeof v, "value-%ld", upto + 1);
    }
    kl = snprintf(k, sizeof k, "k%ld", upto + 2);
    bool beyond = true;
    assert_int_equal(asw_storage_exists(ns, k, (size_t)kl, &beyond, NULL), 0);
    assert_false(beyond);
    uint64_t n = 0;
    assert_int_equal(asw_storage_list(ns, NULL, 0, NULL, 0, 0, count_fn, &n, NULL, NULL, NULL), 0);
    asw_storage_usage_t u;
    assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
    assert_int_equal(u.keys, n);
    assert_int_equal(u.keys, (uint64_t)(upto + 1 + (extra ? 1 : 0)));
    assert_int_equal(u.bytes, bytes);
    /* Remove the unacknowledged extra so the next round starts right after the last ack. */
    if (extra) {
        kl = snprintf(k, sizeof k, "k%ld", upto + 1);
        assert_int_equal(asw_storage_delete(ns, k, (size_t)kl, NULL), 0);
    }
    asw_storage_ns_close(ns);
    asw_storage_close(st);
    *out_present = upto;
}

static void kill9_rounds(void **state)
{
    (void)state;
    assert_int_equal(asw_test_tmpdir_new(g_dir, sizeof g_dir, "storekill"), 0);
    const char *policies[] = {"full", "none", "full", "none"};
    const long acks[] = {40, 3000, 75, 5000};
    long next = 0;
    for (int r = 0; r < 4; r++) {
        long last =
            asw_test_store_writer_kill(ASW_STORAGE_CRASH_HELPER, g_dir, policies[r], next, acks[r]);
        assert_true(last >= next + acks[r] - 1);
        long present;
        verify(last, &present);
        next = present + 1;
    }
    (void)asw_test_tmpdir_remove(g_dir); /* the store files and the directory */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kill9_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
