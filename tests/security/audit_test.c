/*
 * tests/security/audit_test.c -- the audit log: JSON lines that a JSON parser reads back
 * (escaping, invalid UTF-8, truncation), filters of the reader, size-based rotation, fsync
 * policies, drop mode, and a flood from several threads into a small queue where no record may
 * be lost and the waits are counted.
 */
#include "testlib.h"

#include "airssys/security.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return asw_test_tmpdir_new(dir, sizeof dir, "audit");
}

static int teardown(void **state)
{
    (void)state;
    return asw_test_tmpdir_remove(dir);
}

static const char *file(const char *name)
{
    return asw_test_path_in(dir, name);
}

typedef struct {
    int n;
    char last_resource[512], last_reason[512], last_result[32], last_kind[32];
} collect;

static int on_entry(void *ud, const asw_audit_entry_t *e)
{
    collect *c = ud;
    c->n++;
    snprintf(c->last_resource, sizeof c->last_resource, "%s", e->resource);
    snprintf(c->last_reason, sizeof c->last_reason, "%s", e->reason);
    snprintf(c->last_result, sizeof c->last_result, "%s", e->result);
    snprintf(c->last_kind, sizeof c->last_kind, "%s", e->kind);
    assert_int_equal(strlen(e->time), 27); /* 2024-05-01T12:00:00.123456Z */
    return 0;
}

static void lines_round_trip(void **state)
{
    (void)state;
    asw_audit_config_t cfg = {.path = file("a.log"), .fsync = ASW_AUDIT_FSYNC_BATCH};
    asw_audit_t *a = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_audit_open(&cfg, &a, &e), 0);
    asw_audit_record_t r = {ASW_AUDIT_CAPABILITY,       "alpha", "/data/x", "read", "granted",
                            "granted by an allow entry"};
    assert_int_equal(asw_audit_log(a, &r), 0);
    r = (asw_audit_record_t){ASW_AUDIT_QUOTA, "beta",   "q\"uo\\te\n\x01",
                             "storage",       "denied", "bad \xff\xfe utf8 \xc3\xa9"};
    assert_int_equal(asw_audit_log(a, &r), 0);
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    r = (asw_audit_record_t){ASW_AUDIT_TRUST, "alpha", big, NULL, "trusted", NULL};
    assert_int_equal(asw_audit_log(a, &r), 0);
    assert_int_equal(asw_audit_flush(a), 0);
    asw_audit_stats_t st;
    asw_audit_stats(a, &st);
    assert_int_equal(st.logged, 3);
    assert_int_equal(st.written, 3);
    asw_audit_close(a);

    collect c = {0};
    size_t bad = 99;
    assert_int_equal(asw_audit_scan(file("a.log"), NULL, NULL, on_entry, &c, &bad, &e), 0);
    assert_int_equal(c.n, 3);
    assert_int_equal(bad, 0);
    assert_int_equal(strlen(c.last_resource), 255); /* truncated to the slot */
    assert_string_equal(c.last_kind, "trust");
    memset(&c, 0, sizeof c);
    assert_int_equal(asw_audit_scan(file("a.log"), "beta", NULL, on_entry, &c, &bad, &e), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.last_resource, "q\"uo\\te\n\x01");
    assert_string_equal(c.last_reason, "bad \xef\xbf\xbd\xef\xbf\xbd utf8 \xc3\xa9");
    memset(&c, 0, sizeof c);
    assert_int_equal(asw_audit_scan(file("a.log"), NULL, "denied", on_entry, &c, &bad, &e), 0);
    assert_int_equal(c.n, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(asw_audit_scan(file("a.log"), "nobody", NULL, on_entry, &c, &bad, &e), 0);
    assert_int_equal(c.n, 0);

    /* Appending to an existing file; a garbage line is skipped and counted. */
    FILE *f = fopen(file("a.log"), "a");
    fputs("not json\n", f);
    fclose(f);
    assert_int_equal(asw_audit_open(&cfg, &a, &e), 0);
    assert_int_equal(asw_audit_log(a, &r), 0);
    asw_audit_close(a);
    memset(&c, 0, sizeof c);
    assert_int_equal(asw_audit_scan(file("a.log"), NULL, NULL, on_entry, &c, &bad, &e), 0);
    assert_int_equal(c.n, 4);
    assert_int_equal(bad, 1);
    assert_int_equal(asw_audit_scan(file("missing.log"), NULL, NULL, on_entry, &c, &bad, &e),
                     ASW_E_IO);
}

static void rotation(void **state)
{
    (void)state;
    asw_audit_config_t cfg = {.path = file("r.log"),
                              .rotate_bytes = 4096,
                              .rotate_keep = 2,
                              .fsync = ASW_AUDIT_FSYNC_INTERVAL,
                              .fsync_interval_ms = 1};
    asw_audit_t *a = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_audit_open(&cfg, &a, &e), 0);
    asw_audit_record_t r = {ASW_AUDIT_CAPABILITY,
                            "c",
                            "/some/resource/path",
                            "write",
                            "denied",
                            "no capability grants this access"};
    for (int i = 0; i < 500; i++)
        assert_int_equal(asw_audit_log(a, &r), 0);
    assert_int_equal(asw_audit_flush(a), 0);
    asw_audit_stats_t st;
    asw_audit_stats(a, &st);
    assert_true(st.rotations >= 2);
    asw_audit_close(a);
    struct stat sb;
    assert_int_equal(stat(file("r.log"), &sb), 0);
    assert_true(sb.st_size <= 4096);
    assert_int_equal(stat(file("r.log.1"), &sb), 0);
    assert_true(sb.st_size <= 4096 && sb.st_size > 3500);
    assert_int_equal(stat(file("r.log.2"), &sb), 0);
    assert_int_not_equal(stat(file("r.log.3"), &sb), 0); /* only rotate_keep files kept */
}

typedef struct {
    asw_audit_t *a;
    int id, n, errors;
} flood_arg;

static void *flood(void *p)
{
    flood_arg *f = p;
    char comp[16];
    snprintf(comp, sizeof comp, "t%d", f->id);
    asw_audit_record_t r = {ASW_AUDIT_CAPABILITY, comp, "/x", "read", "granted", "flood"};
    for (int i = 0; i < f->n; i++)
        if (asw_audit_log(f->a, &r)) f->errors++;
    return NULL;
}

static int count_cb(void *ud, const asw_audit_entry_t *e)
{
    (void)e;
    (*(int *)ud)++;
    return 0;
}

static void flood_from_threads(void **state)
{
    (void)state;
    asw_audit_config_t cfg = {.path = file("f.log"), .queue_capacity = 64};
    asw_audit_t *a = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_audit_open(&cfg, &a, &e), 0);
    pthread_t t[4];
    flood_arg fa[4];
    for (int i = 0; i < 4; i++) {
        fa[i] = (flood_arg){a, i, 20000, 0};
        assert_int_equal(pthread_create(&t[i], NULL, flood, &fa[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(fa[i].errors, 0);
    }
    asw_audit_stats_t st;
    assert_int_equal(asw_audit_flush(a), 0);
    asw_audit_stats(a, &st);
    assert_int_equal(st.logged, 80000);
    assert_int_equal(st.written, 80000);
    assert_int_equal(st.dropped, 0);
    assert_true(st.waits > 0); /* a queue of 64 under four producers must fill */
    asw_audit_close(a);
    int n = 0;
    size_t bad = 0;
    assert_int_equal(asw_audit_scan(file("f.log"), NULL, NULL, count_cb, &n, &bad, &e), 0);
    assert_int_equal(n, 80000);
    assert_int_equal(bad, 0);
    n = 0;
    assert_int_equal(asw_audit_scan(file("f.log"), "t2", NULL, count_cb, &n, &bad, &e), 0);
    assert_int_equal(n, 20000);
}

static void drop_mode_and_misuse(void **state)
{
    (void)state;
    asw_audit_config_t cfg = {.path = file("d.log"), .queue_capacity = 2, .drop_when_full = true};
    asw_audit_t *a = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_audit_open(&cfg, &a, &e), 0);
    asw_audit_record_t r = {ASW_AUDIT_APPROVAL, "c", "id", "approve", "approved", "ok"};
    int full = 0;
    for (int i = 0; i < 20000; i++) {
        int rc = asw_audit_log(a, &r);
        assert_true(rc == 0 || rc == ASW_E_FULL);
        full += rc == ASW_E_FULL;
    }
    asw_audit_flush(a);
    asw_audit_stats_t st;
    asw_audit_stats(a, &st);
    assert_int_equal(st.dropped, (uint64_t)full);
    assert_int_equal(st.logged + st.dropped, 20000);
    assert_int_equal(st.written, st.logged);
    r.kind = (asw_audit_kind_t)9;
    assert_int_equal(asw_audit_log(a, &r), ASW_E_INVALID);
    asw_audit_close(a);
    asw_audit_close(NULL);
    asw_audit_config_t bad = {.path = NULL};
    assert_int_equal(asw_audit_open(&bad, &a, &e), ASW_E_INVALID);
    bad.path = "/nonexistent-dir/x/audit.log";
    assert_int_equal(asw_audit_open(&bad, &a, &e), ASW_E_IO);
    assert_non_null(strstr(e.msg, "cannot open"));
    a = NULL; /* the same code without an error record (it used to be ASW_E_NOMEM) */
    assert_int_equal(asw_audit_open(&bad, &a, NULL), ASW_E_IO);
    assert_null(a);
    /* Allocation failures at open leave nothing behind. */
    for (unsigned long n = 1; n < 10; n++) {
        asw_test_alloc_install(n, 0);
        int rc = asw_audit_open(&cfg, &a, &e);
        if (rc == 0) asw_audit_close(a);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (rc == 0) break;
        assert_int_equal(rc, ASW_E_NOMEM);
    }
}

enum { ESC_MAX = 2048 };

typedef struct {
    size_t n;
    char (*want)[48];
    int mismatches;
} expect_res;

static int check_resource(void *ud, const asw_audit_entry_t *e)
{
    expect_res *x = ud;
    if (x->n % 2 == 1) /* every other line is a filler */
        x->mismatches += x->n / 2 >= ESC_MAX || strcmp(e->resource, x->want[x->n / 2]) != 0;
    x->n++;
    return 0;
}

/* The writer escapes a field word by word and reads the last partial word whole (masked): a
 * special byte at every offset of every field length up to 40, in slots reused after records
 * of other lengths (stale bytes behind the NUL), must come back exactly. An odd capacity (3)
 * exercises the ring's modulo indexing and slot reuse. */
static void escaping_at_every_offset(void **state)
{
    (void)state;
    static const char specials[] = {'"', '\\', '\n', '\x01', '\x7f', 'a'};
    static char want[ESC_MAX][48];
    asw_audit_config_t cfg = {.path = file("esc.log"), .queue_capacity = 3};
    asw_audit_t *a = NULL;
    assert_int_equal(asw_audit_open(&cfg, &a, NULL), 0);
    char longer[200];
    memset(longer, 'z', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    asw_audit_record_t filler = {ASW_AUDIT_TRUST, "c", longer, "p", "r", "x"};
    size_t count = 0;
    for (size_t len = 1; len <= 40; len++)
        for (size_t at = 0; at < len; at += (len > 12 ? 5 : 1))
            for (size_t k = 0; k < sizeof specials; k++) {
                assert_true(count < ESC_MAX);
                char *res = want[count++];
                memset(res, 'r', len);
                res[at] = specials[k];
                res[len] = '\0';
                asw_audit_record_t r = {ASW_AUDIT_TRUST, "c", res, "p", "r", "x"};
                assert_int_equal(asw_audit_log(a, &filler), 0);
                assert_int_equal(asw_audit_log(a, &r), 0);
            }
    asw_audit_close(a);
    expect_res x = {0, want, 0};
    size_t bad = 0;
    assert_int_equal(asw_audit_scan(file("esc.log"), NULL, NULL, check_resource, &x, &bad, NULL),
                     0);
    assert_int_equal(bad, 0);
    assert_int_equal(x.n, 2 * count);
    assert_int_equal(x.mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_round_trip),
        cmocka_unit_test(escaping_at_every_offset),
        cmocka_unit_test(rotation),
        cmocka_unit_test(flood_from_threads),
        cmocka_unit_test(drop_mode_and_misuse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
