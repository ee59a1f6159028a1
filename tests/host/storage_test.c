/*
 * tests/host/storage_test.c -- the component store (airssys/storage.h): basic operations,
 * namespace isolation ("a:" + "b" never meets "a" + ":b"), key and value limits on both sides,
 * binary keys, listing with prefix / cursor / limit, quotas exactly at the limit and one over
 * (with the violation details) and counted across reopen, a full map, option checking, a second
 * open of the same directory, a foreign format record, and allocation failures.
 * Threads are in storage_thread_test.c, kill -9 in storage_crash_test.c.
 */
#include "testlib.h"

#include "airssys/storage.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    return asw_test_tmpdir_new(g_dir, sizeof g_dir, "store");
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

static asw_storage_ns_t *open_ns(asw_storage_t *st, const char *id, uint64_t quota)
{
    asw_storage_ns_t *ns = NULL;
    assert_int_equal(asw_storage_ns_open(st, id, quota, &ns, NULL), 0);
    return ns;
}

static void set_str(asw_storage_ns_t *ns, const char *k, const char *v)
{
    asw_error_t e = {0};
    int rc = asw_storage_set(ns, k, strlen(k), v, strlen(v), NULL, &e);
    if (rc) fprintf(stderr, "set: %s\n", e.msg);
    assert_int_equal(rc, 0);
}

static void expect_str(asw_storage_ns_t *ns, const char *k, const char *v)
{
    char buf[256];
    size_t len = 0;
    assert_int_equal(asw_storage_get(ns, k, strlen(k), buf, sizeof buf, &len, NULL), 0);
    assert_int_equal(len, strlen(v));
    assert_memory_equal(buf, v, len);
}

static void basics(void **state)
{
    (void)state;
    asw_storage_t *st = open_store(NULL);
    asw_storage_opts_t o;
    asw_storage_get_opts(st, &o);
    assert_int_equal(o.max_key_bytes, ASW_STORAGE_KEY_MAX);
    assert_int_equal(o.max_value_bytes, 1u << 20);
    assert_int_equal(o.sync, ASW_STORAGE_SYNC_FULL);
    asw_storage_ns_t *ns = open_ns(st, "counter", 0);
    assert_string_equal(asw_storage_ns_id(ns), "counter");

    char buf[8];
    size_t len = 99;
    asw_error_t e = {0};
    assert_int_equal(asw_storage_get(ns, "k", 1, buf, sizeof buf, &len, &e), ASW_E_NOT_FOUND);
    assert_int_equal(len, 0);
    assert_non_null(strstr(e.msg, "counter"));
    set_str(ns, "k", "hello");
    expect_str(ns, "k", "hello");
    set_str(ns, "k", "bye"); /* replace */
    expect_str(ns, "k", "bye");
    bool ex = false;
    assert_int_equal(asw_storage_exists(ns, "k", 1, &ex, NULL), 0);
    assert_true(ex);
    assert_int_equal(asw_storage_exists(ns, "x", 1, &ex, NULL), 0);
    assert_false(ex);

    /* A buffer one byte short: nothing copied, the needed length reported; exact fits. */
    set_str(ns, "big", "12345678");
    memset(buf, 'z', sizeof buf);
    assert_int_equal(asw_storage_get(ns, "big", 3, buf, 7, &len, NULL), ASW_E_OVERFLOW);
    assert_int_equal(len, 8);
    assert_int_equal(buf[0], 'z');
    assert_int_equal(asw_storage_get(ns, "big", 3, buf, 8, &len, NULL), 0);
    assert_memory_equal(buf, "12345678", 8);
    /* Length query with no buffer. */
    assert_int_equal(asw_storage_get(ns, "big", 3, NULL, 0, &len, NULL), ASW_E_OVERFLOW);
    assert_int_equal(len, 8);

    /* Empty value. */
    assert_int_equal(asw_storage_set(ns, "empty", 5, NULL, 0, NULL, NULL), 0);
    assert_int_equal(asw_storage_get(ns, "empty", 5, NULL, 0, &len, NULL), 0);
    assert_int_equal(len, 0);

    asw_storage_usage_t u;
    assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
    assert_int_equal(u.keys, 3);
    assert_int_equal(u.bytes, (1 + 3) + (3 + 8) + (5 + 0));
    assert_int_equal(u.quota, 0);

    assert_int_equal(asw_storage_delete(ns, "k", 1, NULL), 0);
    assert_int_equal(asw_storage_delete(ns, "k", 1, &e), ASW_E_NOT_FOUND);
    assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
    assert_int_equal(u.keys, 2);
    assert_int_equal(u.bytes, 11 + 5);

    uint64_t n = 0;
    assert_int_equal(asw_storage_ns_clear(ns, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
    assert_int_equal(u.keys, 0);
    assert_int_equal(u.bytes, 0);
    assert_int_equal(asw_storage_exists(ns, "big", 3, &ex, NULL), 0);
    assert_false(ex);
    asw_storage_ns_close(ns);
    asw_storage_close(st);
}

static void bad_arguments(void **state)
{
    (void)state;
    asw_storage_t *st = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_storage_open(NULL, NULL, &st, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_open("", NULL, &st, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_open(g_dir, NULL, NULL, &e), ASW_E_INVALID);
    asw_storage_opts_t o = {0};
    o.map_size = 1000;
    assert_int_equal(asw_storage_open(g_dir, &o, &st, &e), ASW_E_INVALID);
    o = (asw_storage_opts_t){0};
    o.max_key_bytes = ASW_STORAGE_KEY_MAX + 1;
    assert_int_equal(asw_storage_open(g_dir, &o, &st, &e), ASW_E_INVALID);
    o = (asw_storage_opts_t){0};
    o.max_key_bytes = ASW_STORAGE_KEY_MAX; /* the largest accepted */
    o.map_size = 1 << 20;
    o.max_value_bytes = 1 << 20; /* not below the map size */
    assert_int_equal(asw_storage_open(g_dir, &o, &st, &e), ASW_E_INVALID);
    o.max_value_bytes = (1 << 20) - 1;
    o.sync = (asw_storage_sync_t)7;
    assert_int_equal(asw_storage_open(g_dir, &o, &st, &e), ASW_E_INVALID);
    assert_non_null(strstr(e.msg, "sync"));
    assert_int_equal(asw_storage_open("/proc/self/nonexistent/x", NULL, &st, &e), ASW_E_IO);
    assert_null(st);

    st = open_store(NULL);
    /* The same directory twice in one process would break LMDB's locks. */
    asw_storage_t *st2 = NULL;
    assert_int_equal(asw_storage_open(g_dir, NULL, &st2, &e), ASW_E_BUSY);
    assert_null(st2);

    asw_storage_ns_t *ns = NULL;
    assert_int_equal(asw_storage_ns_open(st, "", 0, &ns, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_ns_open(st, NULL, 0, &ns, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_ns_open(NULL, "a", 0, &ns, &e), ASW_E_INVALID);
    char id[ASW_STORAGE_NS_MAX + 2];
    memset(id, 'i', sizeof id);
    id[ASW_STORAGE_NS_MAX + 1] = '\0';
    assert_int_equal(asw_storage_ns_open(st, id, 0, &ns, &e), ASW_E_LIMIT);
    id[ASW_STORAGE_NS_MAX] = '\0';
    ns = open_ns(st, id, 0); /* exactly the longest id */
    set_str(ns, "k", "v");
    expect_str(ns, "k", "v");

    size_t len;
    char buf[4];
    assert_int_equal(asw_storage_get(ns, "", 0, buf, 4, &len, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_get(ns, NULL, 3, buf, 4, &len, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_get(ns, "k", 1, NULL, 4, &len, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_get(ns, "k", 1, buf, 4, NULL, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_set(ns, "", 0, "v", 1, NULL, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_set(ns, "k", 1, NULL, 1, NULL, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_delete(ns, "", 0, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_exists(ns, "k", 1, NULL, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_usage(ns, NULL, &e), ASW_E_INVALID);
    assert_int_equal(asw_storage_list(ns, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, &e),
                     ASW_E_INVALID);
    assert_int_equal(asw_storage_set(NULL, "k", 1, "v", 1, NULL, &e), ASW_E_INVALID);
    asw_storage_ns_close(ns);
    asw_storage_ns_close(NULL);
    asw_storage_close(st);
    asw_storage_close(NULL);
    /* Closed: the directory may be opened again. */
    st = open_store(NULL);
    asw_storage_close(st);
}

static void isolation(void **state)
{
    (void)state;
    asw_storage_t *st = open_store(NULL);
    asw_storage_ns_t *a1 = open_ns(st, "a:", 0);
    asw_storage_ns_t *a2 = open_ns(st, "a", 0);
    set_str(a1, "b", "one");
    set_str(a2, ":b", "two");
    expect_str(a1, "b", "one");
    expect_str(a2, ":b", "two");
    bool ex = true;
    assert_int_equal(asw_storage_exists(a2, "b", 1, &ex, NULL), 0);
    assert_false(ex);
    assert_int_equal(asw_storage_exists(a1, ":b", 2, &ex, NULL), 0);
    assert_false(ex);
    asw_storage_usage_t u;
    assert_int_equal(asw_storage_usage(a1, &u, NULL), 0);
    assert_int_equal(u.keys, 1);
    assert_int_equal(u.bytes, 4);
    assert_int_equal(asw_storage_usage(a2, &u, NULL), 0);
    assert_int_equal(u.keys, 1);
    assert_int_equal(u.bytes, 5);
    /* Clearing one namespace leaves the other. */
    assert_int_equal(asw_storage_ns_clear(a2, NULL, NULL), 0);
    expect_str(a1, "b", "one");
    /* A second handle on the same namespace sees the same data. */
    asw_storage_ns_t *a1b = open_ns(st, "a:", 0);
    expect_str(a1b, "b", "one");
    asw_storage_ns_close(a1b);
    asw_storage_ns_close(a1);
    asw_storage_ns_close(a2);
    asw_storage_close(st);
}

static void limits(void **state)
{
    (void)state;
    asw_storage_opts_t o = {0};
    o.max_key_bytes = 16;
    o.max_value_bytes = 100;
    asw_storage_t *st = open_store(&o);
    asw_storage_ns_t *ns = open_ns(st, "lim", 0);
    char k[17], v[101];
    memset(k, 'k', sizeof k);
    memset(v, 'v', sizeof v);
    asw_error_t e = {0};
    assert_int_equal(asw_storage_set(ns, k, 16, v, 100, NULL, &e), 0); /* both at the limit */
    assert_int_equal(asw_storage_set(ns, k, 17, v, 1, NULL, &e), ASW_E_LIMIT);
    assert_non_null(strstr(e.msg, "key"));
    assert_int_equal(asw_storage_set(ns, k, 1, v, 101, NULL, &e), ASW_E_LIMIT);
    assert_non_null(strstr(e.msg, "value"));
    size_t len;
    assert_int_equal(asw_storage_get(ns, k, 17, v, sizeof v, &len, &e), ASW_E_LIMIT);
    assert_int_equal(asw_storage_delete(ns, k, 17, &e), ASW_E_LIMIT);
    bool ex;
    assert_int_equal(asw_storage_exists(ns, k, 17, &ex, &e), ASW_E_LIMIT);
    assert_int_equal(asw_storage_get(ns, k, 16, v, sizeof v, &len, &e), 0);
    assert_int_equal(len, 100);

    /* Binary keys: NUL bytes and 0xff are ordinary bytes; "x\0y" differs from "x". */
    const char bk1[] = {'x', '\0', 'y'};
    const char bk2[] = {'x'};
    const unsigned char bk3[] = {0xff, 0x00, 0xff};
    assert_int_equal(asw_storage_set(ns, bk1, 3, "1", 1, NULL, NULL), 0);
    assert_int_equal(asw_storage_set(ns, bk2, 1, "2", 1, NULL, NULL), 0);
    assert_int_equal(asw_storage_set(ns, bk3, 3, "3", 1, NULL, NULL), 0);
    char b[4];
    assert_int_equal(asw_storage_get(ns, bk1, 3, b, sizeof b, &len, NULL), 0);
    assert_int_equal(b[0], '1');
    assert_int_equal(asw_storage_get(ns, bk2, 1, b, sizeof b, &len, NULL), 0);
    assert_int_equal(b[0], '2');
    assert_int_equal(asw_storage_get(ns, bk3, 3, b, sizeof b, &len, NULL), 0);
    assert_int_equal(b[0], '3');
    asw_storage_ns_close(ns);
    asw_storage_close(st);
}

typedef struct {
    char keys[16][32];
    size_t n, stop_after;
} collect_t;

static int collect(void *ud, const void *key, size_t klen)
{
    collect_t *c = ud;
    assert_true(klen < 32);
    memcpy(c->keys[c->n], key, klen);
    c->keys[c->n][klen] = '\0';
    c->n++;
    return c->stop_after && c->n == c->stop_after;
}

static void listing(void **state)
{
    (void)state;
    asw_storage_t *st = open_store(NULL);
    asw_storage_ns_t *ns = open_ns(st, "l", 0);
    asw_storage_ns_t *other = open_ns(st, "l2", 0);
    asw_storage_ns_t *before = open_ns(st, "k", 0);
    const char *keys[] = {"user:1", "user:2", "user:3", "user:30", "userx", "zeta", "a"};
    for (size_t i = 0; i < 7; i++)
        set_str(ns, keys[i], "v");
    set_str(other, "user:9", "v"); /* another namespace, must never show up */
    set_str(before, "user:0", "v");

    collect_t c = {0};
    size_t count;
    bool more;
    assert_int_equal(asw_storage_list(ns, NULL, 0, NULL, 0, 0, collect, &c, &count, &more, NULL),
                     0);
    assert_int_equal(count, 7);
    assert_false(more);
    assert_string_equal(c.keys[0], "a");
    assert_string_equal(c.keys[6], "zeta");

    memset(&c, 0, sizeof c);
    assert_int_equal(asw_storage_list(ns, "user:", 5, NULL, 0, 0, collect, &c, &count, &more, NULL),
                     0);
    assert_int_equal(count, 4);
    assert_string_equal(c.keys[3], "user:30");

    /* Paging: limit 2, then continue after the last key seen. */
    memset(&c, 0, sizeof c);
    assert_int_equal(asw_storage_list(ns, "user:", 5, NULL, 0, 2, collect, &c, &count, &more, NULL),
                     0);
    assert_int_equal(count, 2);
    assert_true(more);
    assert_int_equal(
        asw_storage_list(ns, "user:", 5, "user:2", 6, 2, collect, &c, &count, &more, NULL), 0);
    assert_int_equal(count, 2);
    assert_false(more); /* exactly the rest */
    assert_string_equal(c.keys[2], "user:3");
    assert_string_equal(c.keys[3], "user:30");
    /* An `after` before the prefix starts at the prefix; after the last key, nothing. */
    memset(&c, 0, sizeof c);
    assert_int_equal(asw_storage_list(ns, "user:", 5, "a", 1, 0, collect, &c, &count, &more, NULL),
                     0);
    assert_int_equal(count, 4);
    memset(&c, 0, sizeof c);
    assert_int_equal(
        asw_storage_list(ns, "user:", 5, "user:30", 7, 0, collect, &c, &count, &more, NULL), 0);
    assert_int_equal(count, 0);
    /* The callback stops the scan: more is reported. */
    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    assert_int_equal(asw_storage_list(ns, NULL, 0, NULL, 0, 0, collect, &c, &count, &more, NULL),
                     0);
    assert_int_equal(count, 1);
    assert_true(more);
    /* A prefix longer than a key: no match; a prefix over the key limit: LIMIT. */
    memset(&c, 0, sizeof c);
    assert_int_equal(
        asw_storage_list(ns, "zeta-and-more", 13, NULL, 0, 0, collect, &c, &count, &more, NULL), 0);
    assert_int_equal(count, 0);
    char longp[ASW_STORAGE_KEY_MAX + 1];
    memset(longp, 'p', sizeof longp);
    assert_int_equal(
        asw_storage_list(ns, longp, sizeof longp, NULL, 0, 0, collect, &c, &count, &more, NULL),
        ASW_E_LIMIT);
    /* The last namespace in key order lists only its own keys. */
    memset(&c, 0, sizeof c);
    assert_int_equal(asw_storage_list(other, NULL, 0, NULL, 0, 0, collect, &c, &count, &more, NULL),
                     0);
    assert_int_equal(count, 1);
    assert_string_equal(c.keys[0], "user:9");
    asw_storage_ns_close(before);
    asw_storage_ns_close(other);
    asw_storage_ns_close(ns);
    asw_storage_close(st);
}

static void quota(void **state)
{
    (void)state;
    asw_storage_t *st = open_store(NULL);
    asw_storage_ns_t *ns = open_ns(st, "q", 20);
    asw_quota_violation_t v = {0};
    asw_error_t e = {0};
    /* 2 + 8 = 10 bytes, then 2 + 8 more: exactly at the limit. */
    assert_int_equal(asw_storage_set(ns, "k1", 2, "12345678", 8, &v, &e), 0);
    assert_int_equal(asw_storage_set(ns, "k2", 2, "12345678", 8, &v, &e), 0);
    /* One byte over. */
    assert_int_equal(asw_storage_set(ns, "k3", 2, NULL, 0, &v, &e), ASW_E_QUOTA);
    assert_int_equal(v.kind, ASW_QUOTA_STORAGE);
    assert_int_equal(v.current, 20);
    assert_int_equal(v.requested, 2);
    assert_int_equal(v.limit, 20);
    assert_non_null(strstr(e.msg, "20"));
    assert_non_null(strstr(e.msg, "'q'"));
    /* Growing an existing value by one byte fails; replacing it with a smaller one works. */
    assert_int_equal(asw_storage_set(ns, "k1", 2, "123456789", 9, &v, &e), ASW_E_QUOTA);
    assert_int_equal(v.requested, 1);
    assert_int_equal(asw_storage_set(ns, "k1", 2, "1234567", 7, &v, &e), 0);
    assert_int_equal(asw_storage_set(ns, "k1", 2, "12345678", 8, &v, &e), 0);
    bool ex = true;
    assert_int_equal(asw_storage_exists(ns, "k3", 2, &ex, NULL), 0);
    assert_false(ex); /* the refused write left nothing */
    asw_storage_ns_close(ns);
    asw_storage_close(st);

    /* Reopen: usage is read from the store, so the quota still holds. */
    st = open_store(NULL);
    ns = open_ns(st, "q", 20);
    asw_storage_usage_t u;
    assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
    assert_int_equal(u.bytes, 20);
    assert_int_equal(u.keys, 2);
    assert_int_equal(u.quota, 20);
    assert_int_equal(asw_storage_set(ns, "k3", 2, NULL, 0, &v, &e), ASW_E_QUOTA);
    assert_int_equal(asw_storage_delete(ns, "k2", 2, NULL), 0);
    assert_int_equal(asw_storage_set(ns, "k3", 2, "12345678", 8, &v, &e), 0);
    /* Lowering the quota below the usage: deletes and shrinking still work, growth does not. */
    asw_storage_ns_set_quota(ns, 5);
    assert_int_equal(asw_storage_set(ns, "k4", 2, NULL, 0, &v, &e), ASW_E_QUOTA);
    assert_int_equal(v.current, 20);
    assert_int_equal(v.limit, 5);
    assert_int_equal(asw_storage_set(ns, "k3", 2, "1", 1, &v, &e), 0);
    assert_int_equal(asw_storage_delete(ns, "k3", 2, NULL), 0);
    asw_storage_ns_set_quota(ns, 0); /* unlimited */
    assert_int_equal(asw_storage_set(ns, "k4", 2, "0123456789abcdef", 16, &v, &e), 0);
    assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
    assert_int_equal(u.bytes, 10 + 18);
    assert_int_equal(u.keys, 2);
    asw_storage_ns_close(ns);
    asw_storage_close(st);
}

static void map_full(void **state)
{
    (void)state;
    asw_storage_opts_t o = {0};
    o.map_size = 256 << 10;
    o.map_max_size = o.map_size; /* no growth: the map is full at 256 KiB */
    o.max_value_bytes = 4096;
    o.sync = ASW_STORAGE_SYNC_NONE;
    asw_storage_t *st = open_store(&o);
    asw_storage_ns_t *ns = open_ns(st, "full", 0);
    char v[4096];
    memset(v, 'f', sizeof v);
    int rc = 0;
    unsigned i;
    asw_error_t e = {0};
    for (i = 0; i < 10000; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%05u", i);
        rc = asw_storage_set(ns, k, strlen(k), v, sizeof v, NULL, &e);
        if (rc) break;
    }
    assert_int_equal(rc, ASW_E_FULL);
    assert_non_null(strstr(e.msg, "full"));
    assert_true(i > 10);
    /* Still usable: reads work, the usage matches the acknowledged writes, deletes free room. */
    asw_storage_usage_t u;
    assert_int_equal(asw_storage_usage(ns, &u, NULL), 0);
    assert_int_equal(u.keys, i);
    assert_int_equal(u.bytes, (uint64_t)i * (6 + sizeof v));
    size_t len;
    assert_int_equal(asw_storage_get(ns, "k00000", 6, v, sizeof v, &len, NULL), 0);
    assert_int_equal(asw_storage_ns_clear(ns, NULL, &e), 0);
    /* LMDB reuses the pages a transaction freed once a later transaction committed, so room
     * comes back after at most one more small commit. */
    rc = asw_storage_set(ns, "again", 5, v, sizeof v, NULL, &e);
    if (rc) {
        assert_int_equal(rc, ASW_E_FULL);
        assert_int_equal(asw_storage_set(ns, "t", 1, "1", 1, NULL, &e), 0);
        assert_int_equal(asw_storage_set(ns, "again", 5, v, sizeof v, NULL, &e), 0);
    }
    for (i = 0; i < 10; i++) {
        char k[16];
        snprintf(k, sizeof k, "n%05u", i);
        assert_int_equal(asw_storage_set(ns, k, strlen(k), v, sizeof v, NULL, &e), 0);
    }
    asw_storage_ns_close(ns);
    asw_storage_close(st);
}

static void foreign_format(void **state)
{
    (void)state;
    /* A directory holding some other LMDB database is refused, not misread. */
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_open(env, g_dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    uint8_t k0 = 0;
    MDB_val k = {1, &k0}, v = {5, "other"};
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    asw_storage_t *st = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_storage_open(g_dir, NULL, &st, &e), ASW_E_UNSUPPORTED);
    assert_non_null(strstr(e.msg, "format"));
    assert_null(st);
}

static void alloc_failures(void **state)
{
    (void)state;
    int ok = 0;
    for (unsigned long n = 1; n < 20 && !ok; n++) {
        asw_test_alloc_install(n, 0);
        asw_storage_t *st = NULL;
        asw_storage_ns_t *ns = NULL;
        int rc = asw_storage_open(g_dir, NULL, &st, NULL);
        if (rc == 0) rc = asw_storage_ns_open(st, "x", 0, &ns, NULL);
        if (rc == 0) rc = asw_storage_set(ns, "k", 1, "v", 1, NULL, NULL);
        if (rc == 0)
            ok = 1;
        else
            assert_int_equal(rc, ASW_E_NOMEM);
        asw_storage_ns_close(ns);
        asw_storage_close(st);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(basics, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(isolation, setup, teardown),
        cmocka_unit_test_setup_teardown(limits, setup, teardown),
        cmocka_unit_test_setup_teardown(listing, setup, teardown),
        cmocka_unit_test_setup_teardown(quota, setup, teardown),
        cmocka_unit_test_setup_teardown(map_full, setup, teardown),
        cmocka_unit_test_setup_teardown(foreign_format, setup, teardown),
        cmocka_unit_test_setup_teardown(alloc_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
