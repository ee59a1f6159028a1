/*
 * tests/host/supervise_test.c -- host supervision trees (airssys/host.h, src/host/supervise.c):
 * one-for-all, rest-for-one and one-for-one restart exactly the right components, each with a
 * fresh instance (the guest's in-memory counter starts again from 0); a nested supervisor that
 * exceeds its restart intensity escalates to its parent, which restarts the subtree; a root
 * that escalates marks its components FAILED; the API refuses misuse; usage and stop.
 * Threaded: the host runs actor workers. Guest: tests/host/sup_guest.c.
 */
#include "airssys/airssys.h"
#include "testlib.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static const char manifest[] = "[component]\n"
                               "name = \"cnt\"\n"
                               "version = \"1.0.0\"\n"
                               "[resources]\n"
                               "memory = \"1MB\"\n"
                               "fuel = 1_000_000\n"
                               "timeout = \"1s\"\n";

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void nap_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct fx {
    asw_host_t *host;
    uint8_t *mod;
    size_t modlen;
} fx_t;

static void fx_open(fx_t *f)
{
    memset(f, 0, sizeof *f);
    f->mod = asw_test_read_file(ASW_GUEST_SUP, &f->modlen);
    assert_non_null(f->mod);
    asw_system_opts_t so = {.workers = 2};
    asw_host_opts_t ho = {.system_opts = &so, .dev_mode = true, .log = asw_test_quiet_log};
    asw_error_t err = {0};
    int rc = asw_host_new(&ho, &f->host, &err);
    if (rc) fprintf(stderr, "host: %s\n", asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
}

static void fx_close(fx_t *f)
{
    asw_host_free(f->host);
    free(f->mod);
}

static asw_host_sup_t *sup_new(fx_t *f, const char *name, asw_strategy_t st, uint32_t max,
                               asw_host_sup_t *parent)
{
    asw_host_sup_opts_t o = {.name = name,
                             .strategy = st,
                             .max_restarts = max,
                             .within_ns = 10000000000u,
                             .parent = parent};
    asw_host_sup_t *s = NULL;
    asw_error_t err = {0};
    int rc = asw_host_supervisor_new(f->host, &o, &s, &err);
    if (rc) fprintf(stderr, "supervisor %s: %s\n", name, asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
    assert_non_null(s);
    return s;
}

static int load_into(fx_t *f, asw_host_sup_t *sup, const char *name, asw_component_t **out,
                     asw_error_t *err)
{
    asw_component_source_t s = {.module = f->mod,
                                .module_len = f->modlen,
                                .manifest = manifest,
                                .manifest_len = strlen(manifest),
                                .name = name,
                                .supervisor = sup};
    return asw_host_load(f->host, &s, out, err);
}

static asw_component_t *load(fx_t *f, asw_host_sup_t *sup, const char *name)
{
    asw_component_t *c = NULL;
    asw_error_t err = {0};
    int rc = load_into(f, sup, name, &c, &err);
    if (rc) fprintf(stderr, "load %s: %s\n", name, asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
    return c;
}

static void start(fx_t *f, asw_host_sup_t *root)
{
    asw_error_t err = {0};
    int rc = asw_host_supervisor_start(f->host, root, &err);
    if (rc) fprintf(stderr, "start: %s\n", asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
}

/* Sends a request and returns the reply as an int (the guest's counter); retries while the
 * component is being restarted. */
static int ask(fx_t *f, const char *to, const char *req)
{
    uint64_t until = now_ns() + 5000000000u;
    for (;;) {
        void *r = NULL;
        size_t n = 0;
        asw_error_t err = {0};
        int rc = asw_host_request(f->host, to, req, strlen(req), 2000000000u, &r, &n, &err);
        if (rc == ASW_OK) {
            char buf[32];
            assert_true(n < sizeof buf);
            memcpy(buf, r, n);
            buf[n] = 0;
            asw_host_buffer_free(r);
            return atoi(buf);
        }
        if (now_ns() > until) {
            fprintf(stderr, "request %s '%s': %s\n", to, req, asw_error_message(&err));
            fail();
        }
        nap_ms(5);
    }
}

static void crash(fx_t *f, const char *name)
{
    asw_error_t err = {0};
    int rc = asw_host_send(f->host, name, "trap", 4, &err);
    if (rc) fprintf(stderr, "send trap to %s: %s\n", name, asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
}

static asw_component_info_t info(asw_component_t *c)
{
    asw_component_info_t ci;
    asw_component_info(c, &ci);
    return ci;
}

/* Waits until comp has `restarts` restarts and runs again. */
static void wait_restarts(fx_t *f, asw_component_t *c, uint64_t restarts)
{
    uint64_t until = now_ns() + 5000000000u;
    while (info(c).restarts < restarts || !asw_whereis(asw_host_system(f->host), info(c).name)) {
        if (now_ns() > until) {
            fprintf(stderr, "%s: %llu restarts, want %llu\n", info(c).name,
                    (unsigned long long)info(c).restarts, (unsigned long long)restarts);
            fail();
        }
        nap_ms(2);
    }
}

static void wait_state(asw_component_t *c, asw_component_state_t st)
{
    uint64_t until = now_ns() + 5000000000u;
    while (info(c).state != st) {
        if (now_ns() > until) {
            fprintf(stderr, "%s: state %d, want %d\n", info(c).name, (int)info(c).state, (int)st);
            fail();
        }
        nap_ms(2);
    }
}

/* Three components a, b, c under one root with strategy st; each counter raised to 1, 2, 3;
 * then b crashes. */
static void three_and_crash_b(fx_t *f, asw_strategy_t st, asw_component_t *c[3])
{
    asw_host_sup_t *root = sup_new(f, "root", st, 5, NULL);
    c[0] = load(f, root, "a");
    c[1] = load(f, root, "b");
    c[2] = load(f, root, "c");
    assert_int_equal(info(c[0]).state, ASW_COMPONENT_STOPPED); /* not started yet */
    start(f, root);
    const char *names[3] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k <= i; k++)
            assert_int_equal(ask(f, names[i], "inc"), k + 1);
    crash(f, "b");
}

static void test_one_for_all(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    asw_component_t *c[3];
    three_and_crash_b(&f, ASW_ONE_FOR_ALL, c);
    for (int i = 0; i < 3; i++)
        wait_restarts(&f, c[i], 1);
    /* Every one is a fresh instance: the counters start again from 0. */
    assert_int_equal(ask(&f, "a", "get"), 0);
    assert_int_equal(ask(&f, "b", "get"), 0);
    assert_int_equal(ask(&f, "c", "get"), 0);
    assert_int_equal(info(c[1]).crashes, 1);
    assert_int_equal(info(c[0]).crashes, 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(info(c[i]).restarts, 1);
        assert_int_equal(info(c[i]).state, ASW_COMPONENT_RUNNING);
    }
    fx_close(&f);
}

static void test_rest_for_one(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    asw_component_t *c[3];
    three_and_crash_b(&f, ASW_REST_FOR_ONE, c);
    wait_restarts(&f, c[1], 1);
    wait_restarts(&f, c[2], 1);
    assert_int_equal(ask(&f, "a", "get"), 1); /* started before b: untouched */
    assert_int_equal(ask(&f, "b", "get"), 0);
    assert_int_equal(ask(&f, "c", "get"), 0);
    assert_int_equal(info(c[0]).restarts, 0);
    assert_int_equal(info(c[1]).restarts, 1);
    assert_int_equal(info(c[2]).restarts, 1);
    fx_close(&f);
}

static void test_one_for_one(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    asw_component_t *c[3];
    three_and_crash_b(&f, ASW_ONE_FOR_ONE, c);
    wait_restarts(&f, c[1], 1);
    assert_int_equal(ask(&f, "a", "get"), 1);
    assert_int_equal(ask(&f, "b", "get"), 0);
    assert_int_equal(ask(&f, "c", "get"), 3);
    assert_int_equal(info(c[0]).restarts, 0);
    assert_int_equal(info(c[2]).restarts, 0);
    fx_close(&f);
}

/* outer (one-for-one, 5) = [y, inner (one-for-one, 1) = [x]]: x crashing twice exceeds inner's
 * intensity (more than 1 restart in the window); inner escalates; outer restarts the subtree
 * (x fresh again) and leaves y alone. */
static void test_escalation_to_parent(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    asw_host_sup_t *outer = sup_new(&f, "outer", ASW_ONE_FOR_ONE, 5, NULL);
    asw_component_t *y = load(&f, outer, "y");
    asw_host_sup_t *inner = sup_new(&f, "inner", ASW_ONE_FOR_ONE, 1, outer);
    asw_component_t *x = load(&f, inner, "x");
    assert_ptr_equal(asw_component_supervisor(x), inner);
    assert_ptr_equal(asw_component_supervisor(y), outer);
    start(&f, outer);
    assert_int_equal(ask(&f, "y", "inc"), 1);
    assert_int_equal(ask(&f, "x", "inc"), 1);
    crash(&f, "x");
    wait_restarts(&f, x, 1); /* inner restarts x (1 restart: within its intensity) */
    assert_int_equal(ask(&f, "x", "inc"), 1);
    crash(&f, "x"); /* a second: inner escalates, outer restarts inner and x */
    wait_restarts(&f, x, 2);
    assert_int_equal(ask(&f, "x", "get"), 0);
    asw_system_stats_t ss;
    asw_system_stats(asw_host_system(f.host), &ss);
    assert_true(ss.escalations >= 1);
    assert_int_equal(info(x).state, ASW_COMPONENT_RUNNING);
    assert_int_equal(info(x).crashes, 2);
    assert_int_equal(ask(&f, "y", "get"), 1); /* untouched */
    assert_int_equal(info(y).restarts, 0);
    fx_close(&f);
}

/* A root over its intensity escalates to the host: every component under it is FAILED. The
 * limit reached (max_restarts restarts) still restarts; one more fails. */
static void test_escalation_of_root(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    asw_host_sup_t *root = sup_new(&f, "root", ASW_ONE_FOR_ALL, 2, NULL);
    asw_host_sup_t *sub = sup_new(&f, "sub", ASW_ONE_FOR_ONE, 10, root);
    asw_component_t *p = load(&f, root, "p");
    asw_component_t *q = load(&f, sub, "q");
    start(&f, root);
    crash(&f, "p");
    wait_restarts(&f, p, 1);
    crash(&f, "p");
    wait_restarts(&f, p, 2); /* 2 restarts in the window: at the limit, still running */
    assert_int_equal(info(p).state, ASW_COMPONENT_RUNNING);
    crash(&f, "p"); /* the third: over the limit */
    wait_state(p, ASW_COMPONENT_FAILED);
    wait_state(q, ASW_COMPONENT_FAILED);
    assert_int_equal(asw_host_send(f.host, "q", "x", 1, NULL), ASW_E_NOT_FOUND);
    fx_close(&f);
}

static void test_api_misuse(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    asw_error_t err = {0};
    asw_host_sup_opts_t o = {.name = "bad name!", .strategy = ASW_ONE_FOR_ONE, .max_restarts = 1};
    asw_host_sup_t *s = NULL;
    assert_int_equal(asw_host_supervisor_new(f.host, &o, &s, &err), ASW_E_INVALID);
    assert_null(s);
    o.name = "";
    assert_int_equal(asw_host_supervisor_new(f.host, &o, &s, &err), ASW_E_INVALID);
    o.name = "s";
    o.strategy = (asw_strategy_t)7;
    assert_int_equal(asw_host_supervisor_new(f.host, &o, &s, &err), ASW_E_INVALID);
    o.strategy = ASW_ONE_FOR_ONE;
    assert_int_equal(asw_host_supervisor_new(NULL, &o, &s, &err), ASW_E_INVALID);
    assert_int_equal(asw_host_supervisor_new(f.host, NULL, &s, &err), ASW_E_INVALID);
    asw_host_sup_t *root = sup_new(&f, "root", ASW_ONE_FOR_ONE, 3, NULL);
    o.name = "root";
    assert_int_equal(asw_host_supervisor_new(f.host, &o, &s, &err), ASW_E_EXISTS);
    asw_host_sup_t *child = sup_new(&f, "child", ASW_ONE_FOR_ONE, 3, root);
    assert_ptr_equal(asw_host_supervisor_find(f.host, "child"), child);
    assert_null(asw_host_supervisor_find(f.host, "nobody"));
    assert_string_equal(asw_host_supervisor_name(child), "child");
    asw_component_t *a = load(&f, child, "a");
    /* Not started yet: stopped, unreachable; a child cannot be started or stopped alone. */
    assert_int_equal(info(a).state, ASW_COMPONENT_STOPPED);
    assert_int_equal(asw_host_send(f.host, "a", "x", 1, NULL), ASW_E_NOT_FOUND);
    assert_int_equal(asw_host_supervisor_start(f.host, child, &err), ASW_E_INVALID);
    assert_non_null(strstr(err.msg, "root"));
    assert_int_equal(asw_host_supervisor_stop(f.host, root, 0, &err), ASW_E_STATE);
    assert_int_equal(asw_component_stop(a, 0, &err), ASW_E_STATE);
    /* A supervisor of another host is refused. */
    fx_t g;
    fx_open(&g);
    asw_host_sup_t *other = sup_new(&g, "other", ASW_ONE_FOR_ONE, 3, NULL);
    assert_int_equal(load_into(&f, other, "z", NULL, &err), ASW_E_INVALID);
    assert_null(asw_host_find(f.host, "z"));
    assert_int_equal(asw_host_supervisor_start(f.host, other, &err), ASW_E_INVALID);
    o.name = "x2";
    o.parent = other;
    assert_int_equal(asw_host_supervisor_new(f.host, &o, &s, &err), ASW_E_INVALID);
    fx_close(&g);
    start(&f, root);
    assert_int_equal(ask(&f, "a", "inc"), 1);
    /* Started: nothing more can join, and it starts once. */
    assert_int_equal(asw_host_supervisor_start(f.host, root, &err), ASW_E_STATE);
    assert_int_equal(load_into(&f, child, "late", NULL, &err), ASW_E_STATE);
    assert_null(asw_host_find(f.host, "late"));
    o.name = "late-sup";
    o.parent = child;
    assert_int_equal(asw_host_supervisor_new(f.host, &o, &s, &err), ASW_E_STATE);
    assert_null(asw_host_supervisor_find(f.host, "late-sup"));
    /* Stop: the tree ends, its components are STOPPED. */
    assert_int_equal(asw_host_supervisor_stop(f.host, root, 0, &err), ASW_OK);
    wait_state(a, ASW_COMPONENT_STOPPED);
    assert_int_equal(asw_host_send(f.host, "a", "x", 1, NULL), ASW_E_NOT_FOUND);
    assert_int_equal(asw_host_supervisor_stop(f.host, root, 0, &err), ASW_OK); /* again: ok */
    fx_close(&f);
}

/* A component without a supervisor keeps its own; asw_component_stop ends it. Usage. */
static void test_standalone_stop_and_usage(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    asw_component_t *c = load(&f, NULL, "solo");
    assert_null(asw_component_supervisor(c));
    assert_int_equal(ask(&f, "solo", "inc"), 1);
    asw_component_usage_t u;
    assert_int_equal(asw_component_usage(c, &u, NULL), ASW_OK);
    assert_int_equal(u.memory_limit_bytes, 16u * 65536u);
    assert_int_equal(u.fuel_per_message, 1000000u);
    assert_false(u.has_storage);
    assert_int_equal(u.mailbox_depth, 0);
    assert_int_equal(asw_component_usage(NULL, &u, NULL), ASW_E_INVALID);
    assert_int_equal(asw_component_usage(c, NULL, NULL), ASW_E_INVALID);
    assert_int_equal(asw_component_stop(c, 0, NULL), ASW_OK);
    assert_int_equal(info(c).state, ASW_COMPONENT_STOPPED);
    assert_int_equal(asw_host_send(f.host, "solo", "x", 1, NULL), ASW_E_NOT_FOUND);
    assert_int_equal(asw_component_stop(c, 0, NULL), ASW_OK);
    assert_int_equal(asw_component_stop(NULL, 0, NULL), ASW_E_INVALID);
    fx_close(&f);
}

/* Every allocation of host creation, supervisor creation and a start can fail: a clean error,
 * no leak. The allocator is installed before the host, so every block is counted. */
static void test_alloc_failures(void **state)
{
    (void)state;
    for (unsigned long n = 1;; n++) {
        asw_test_alloc_install(n, 0);
        asw_system_opts_t so = {.workers = 1};
        asw_host_opts_t ho = {.system_opts = &so, .dev_mode = true, .log = asw_test_quiet_log};
        asw_host_t *h = NULL;
        int rc = asw_host_new(&ho, &h, NULL);
        asw_host_sup_opts_t o = {.name = "r", .strategy = ASW_ONE_FOR_ALL, .max_restarts = 1};
        asw_host_sup_t *r = NULL, *k = NULL;
        if (rc == ASW_OK) rc = asw_host_supervisor_new(h, &o, &r, NULL);
        if (rc == ASW_OK) {
            o.name = "k";
            o.parent = r;
            rc = asw_host_supervisor_new(h, &o, &k, NULL);
        }
        if (rc == ASW_OK) rc = asw_host_supervisor_start(h, r, NULL);
        unsigned long used = asw_test_alloc_count();
        asw_host_free(h);
        long leaks = asw_test_alloc_uninstall();
        if (rc != ASW_OK && rc != ASW_E_NOMEM) fprintf(stderr, "n=%lu: %s\n", n, asw_strerror(rc));
        assert_true(rc == ASW_OK || rc == ASW_E_NOMEM);
        assert_int_equal(leaks, 0);
        if (rc == ASW_OK && used < n) {
            assert_true(n > 20); /* the loop did walk through the allocations */
            fprintf(stderr, "alloc failures: %lu allocations, each failed once\n", n - 1);
            break;
        }
        assert_true(n < 100000);
    }
}

/* airssys.toml [[supervisor]]: backoff keys and the max_restarts bound, both sides. */
static int parse_sup(const char *extra, asw_sysmanifest_t **out, asw_error_t *err)
{
    char text[1024];
    snprintf(text, sizeof text,
             "[[component]]\nname = \"a\"\nmodule = \"a.wasm\"\nmanifest = \"a.toml\"\n"
             "[[supervisor]]\nname = \"s\"\nstrategy = \"rest-for-one\"\n"
             "children = [\"a\"]\n%s",
             extra);
    return asw_sysmanifest_parse(text, strlen(text), NULL, out, err);
}

static void test_sysmanifest_supervisor_keys(void **state)
{
    (void)state;
    asw_sysmanifest_t *m = NULL;
    asw_error_t err = {0};
    assert_int_equal(parse_sup("", &m, &err), ASW_OK);
    assert_int_equal(m->supervisors[0].backoff, ASW_BACKOFF_IMMEDIATE);
    assert_int_equal(m->supervisors[0].backoff_base_ns, 0);
    asw_sysmanifest_free(m);
    assert_int_equal(parse_sup("backoff = \"exponential\"\n", &m, &err), ASW_OK);
    assert_int_equal(m->supervisors[0].backoff, ASW_BACKOFF_EXPONENTIAL);
    assert_int_equal(m->supervisors[0].backoff_base_ns, 100000000u);
    assert_int_equal(m->supervisors[0].backoff_max_ns, 30000000000u);
    asw_sysmanifest_free(m);
    assert_int_equal(parse_sup("backoff = \"linear\"\nbackoff_base = \"1m\"\n", &m, &err), ASW_OK);
    assert_int_equal(m->supervisors[0].backoff_max_ns, 60000000000u); /* the base, larger */
    asw_sysmanifest_free(m);
    assert_int_equal(parse_sup("backoff = \"linear\"\nbackoff_base = \"2s\"\n"
                               "backoff_max = \"2s\"\n",
                               &m, &err),
                     ASW_OK);
    asw_sysmanifest_free(m);
    assert_int_equal(parse_sup("backoff = \"linear\"\nbackoff_base = \"2s\"\n"
                               "backoff_max = \"1s\"\n",
                               &m, &err),
                     ASW_E_MANIFEST);
    assert_non_null(strstr(err.msg, "shorter than backoff_base"));
    assert_int_equal(parse_sup("backoff_base = \"2s\"\n", &m, &err), ASW_E_MANIFEST);
    assert_non_null(strstr(err.msg, "need backoff"));
    assert_int_equal(parse_sup("backoff = \"sometimes\"\n", &m, &err), ASW_E_MANIFEST);
    assert_non_null(strstr(err.msg, "line 9"));
    assert_int_equal(parse_sup("backoff = \"linear\"\nbackoff_base = \"0s\"\n", &m, &err),
                     ASW_E_MANIFEST);
    assert_int_equal(parse_sup("max_restarts = 1000000\n", &m, &err), ASW_OK);
    assert_int_equal(m->supervisors[0].max_restarts, 1000000u);
    asw_sysmanifest_free(m);
    assert_int_equal(parse_sup("max_restarts = 1000001\n", &m, &err), ASW_E_MANIFEST);
    assert_null(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_for_all),
        cmocka_unit_test(test_rest_for_one),
        cmocka_unit_test(test_one_for_one),
        cmocka_unit_test(test_escalation_to_parent),
        cmocka_unit_test(test_escalation_of_root),
        cmocka_unit_test(test_api_misuse),
        cmocka_unit_test(test_standalone_stop_and_usage),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_sysmanifest_supervisor_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
