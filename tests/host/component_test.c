/*
 * tests/host/component_test.c -- integration tests of the component host (airssys/host.h)
 * with the example components of examples/: echo, the calculator pair, the misbehaving
 * component. Threaded: the host runs actor workers.
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

/* ---- fixture: a host trusting the three example modules by hash, auditing into a file ---- */

typedef struct fx {
    char dir[64], audit_path[96];
    asw_audit_t *audit;
    asw_trust_registry_t *trust;
    asw_host_t *host;
    uint8_t *mod[3];
    size_t modlen[3];
} fx_t;

enum { ECHO = 0, CALC = 1, MIS = 2 };
static const char *const guests[] = {ASW_GUEST_ECHO, ASW_GUEST_CALC, ASW_GUEST_MIS};

static void fx_open(fx_t *f, uint32_t workers, bool trust_them)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(asw_test_tmpdir_new(f->dir, sizeof f->dir, "comp"), 0);
    snprintf(f->audit_path, sizeof f->audit_path, "%s/audit.log", f->dir);
    asw_audit_config_t ac = {.path = f->audit_path};
    assert_int_equal(asw_audit_open(&ac, &f->audit, NULL), ASW_OK);
    assert_int_equal(asw_trust_registry_new(&f->trust, NULL), ASW_OK);
    for (int i = 0; i < 3; i++) {
        f->mod[i] = asw_test_read_file(guests[i], &f->modlen[i]);
        assert_non_null(f->mod[i]);
        if (!trust_them) continue;
        uint8_t sha[32];
        char hex[65];
        assert_int_equal(asw_sha256(f->mod[i], f->modlen[i], sha), ASW_OK);
        asw_hex_encode(sha, 32, hex);
        assert_int_equal(asw_trust_add_hash(f->trust, hex, NULL), ASW_OK);
    }
    asw_system_opts_t so = {.workers = workers};
    asw_host_opts_t ho = {
        .system_opts = &so, .audit = f->audit, .trust = f->trust, .log = asw_test_quiet_log};
    asw_error_t err = {0};
    int rc = asw_host_new(&ho, &f->host, &err);
    if (rc) fprintf(stderr, "host: %s\n", asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
}

static void fx_close(fx_t *f)
{
    asw_host_free(f->host);
    asw_audit_close(f->audit);
    asw_trust_registry_free(f->trust);
    for (int i = 0; i < 3; i++)
        free(f->mod[i]);
    assert_int_equal(asw_test_tmpdir_remove(f->dir), 0);
}

static int load_text(fx_t *f, int which, const char *manifest, const char *name,
                     asw_component_t **out, asw_error_t *err)
{
    asw_component_source_t s = {.module = f->mod[which],
                                .module_len = f->modlen[which],
                                .manifest = manifest,
                                .manifest_len = strlen(manifest),
                                .name = name};
    return asw_host_load(f->host, &s, out, err);
}

static asw_component_t *load(fx_t *f, int which, const char *manifest_rel, const char *name)
{
    char *m = asw_test_read_text(asw_test_src_path(manifest_rel));
    asw_component_t *c = NULL;
    asw_error_t err = {0};
    int rc = load_text(f, which, m, name, &c, &err);
    if (rc) fprintf(stderr, "load %s: %s\n", manifest_rel, asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
    free(m);
    return c;
}

/* Sends a request from the host and compares the reply text. */
static void expect_reply(fx_t *f, const char *to, const char *req, const char *want)
{
    void *r = NULL;
    size_t n = 0;
    asw_error_t err = {0};
    int rc = asw_host_request(f->host, to, req, strlen(req), 3000000000u, &r, &n, &err);
    if (rc) fprintf(stderr, "request %s '%s': %s\n", to, req, asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
    if (n != strlen(want) || memcmp(r, want, n) != 0)
        fprintf(stderr, "got '%.*s', want '%s'\n", (int)n, (const char *)r, want);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(r, want, n);
    asw_host_buffer_free(r);
}

static uint64_t handled(asw_component_t *c)
{
    asw_component_info_t i;
    asw_component_info(c, &i);
    return i.handled;
}

/* Sends n messages to echo from the host; returns messages per second handled. */
static double echo_rate(fx_t *f, asw_component_t *echo, unsigned n)
{
    uint64_t base = handled(echo), t0 = now_ns();
    for (unsigned i = 0; i < n; i++) {
        int rc;
        while ((rc = asw_host_send(f->host, "echo", "ping", 4, NULL)) == ASW_E_FULL)
            nap_ms(1);
        assert_int_equal(rc, ASW_OK);
    }
    while (handled(echo) < base + n) {
        assert_true(now_ns() - t0 < 20000000000u);
        nap_ms(1);
    }
    return n / ((now_ns() - t0) / 1e9);
}

/* ---------------------------------------------------------------- tests */

static void load_errors(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 2, false);
    char *m = asw_test_read_text(asw_test_src_path("examples/echo/Component.toml"));
    asw_error_t err = {0};
    /* Not trusted, no approval store, no dev mode: pending, with a clear message. */
    assert_int_equal(load_text(&f, ECHO, m, NULL, NULL, &err), ASW_E_PENDING);
    assert_non_null(strstr(err.msg, "not trusted"));
    assert_null(asw_host_find(f.host, "echo"));
    /* A broken manifest names the line. */
    asw_error_init(&err);
    assert_int_equal(load_text(&f, ECHO, "[component]\nname = 3\n", NULL, NULL, &err),
                     ASW_E_MANIFEST);
    assert_non_null(strstr(err.msg, "line 2"));
    /* A bad instance name. */
    assert_int_equal(load_text(&f, ECHO, m, "a/b", NULL, &err), ASW_E_INVALID);
    fx_close(&f);

    /* Dev mode runs it (loudly); a module without the ABI exports is refused. */
    fx_open(&f, 2, false);
    asw_host_free(f.host);
    asw_host_opts_t ho = {.dev_mode = true, .log = asw_test_quiet_log, .audit = f.audit};
    assert_int_equal(asw_host_new(&ho, &f.host, NULL), ASW_OK);
    asw_component_t *c = NULL;
    assert_int_equal(load_text(&f, ECHO, m, NULL, &c, &err), ASW_OK);
    asw_component_info_t info;
    asw_component_info(c, &info);
    assert_int_equal(info.trust, ASW_TRUST_DEV);
    assert_int_equal(load_text(&f, ECHO, m, NULL, NULL, &err), ASW_E_EXISTS);
    size_t n;
    uint8_t *add = asw_test_read_file(ASW_GUEST_ADD, &n);
    assert_non_null(add);
    asw_component_source_t s = {
        .module = add, .module_len = n, .manifest = m, .manifest_len = strlen(m), .name = "adder"};
    assert_int_equal(asw_host_load(f.host, &s, NULL, &err), ASW_E_NOT_FOUND);
    assert_non_null(strstr(err.msg, "handle-message"));
    assert_null(asw_host_find(f.host, "adder"));
    free(add);
    free(m);
    fx_close(&f);
}

static void echo_round_trip(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 2, true);
    asw_component_t *echo = load(&f, ECHO, "examples/echo/Component.toml", NULL);
    assert_ptr_equal(asw_host_find(f.host, "echo"), echo);
    expect_reply(&f, "echo", "hello, component", "hello, component");
    expect_reply(&f, "echo", "", "");
    /* A second instance of the same module under another name (shared compiled module). */
    load(&f, ECHO, "examples/echo/Component.toml", "echo2");
    expect_reply(&f, "echo2", "second", "second");
    double rate = echo_rate(&f, echo, 2000);
    assert_true(rate > 0);
    asw_component_info_t i;
    asw_component_info(echo, &i);
    assert_int_equal(i.state, ASW_COMPONENT_RUNNING);
    assert_int_equal(i.trust, ASW_TRUST_TRUSTED);
    assert_int_equal(i.crashes, 0);
    assert_true(i.handled >= 2002);
    assert_int_equal(asw_host_send(f.host, "nobody", "x", 1, NULL), ASW_E_NOT_FOUND);
    assert_int_equal(asw_host_count(f.host), 2);
    assert_true(asw_component_overhead_bytes(echo) > 0);
    fx_close(&f);
}

typedef struct req_thread {
    fx_t *f;
    const char *to, *req;
    int rc;
    char reply[64];
    size_t n;
    volatile int done;
} req_thread_t;

static void *do_request(void *arg)
{
    req_thread_t *t = arg;
    void *r = NULL;
    t->rc =
        asw_host_request(t->f->host, t->to, t->req, strlen(t->req), 5000000000u, &r, &t->n, NULL);
    if (t->rc == ASW_OK) {
        memcpy(t->reply, r, t->n < 63 ? t->n : 63);
        asw_host_buffer_free(r);
    }
    __atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void calculator_request_response(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 1, true); /* ONE worker: a blocked worker would stall everything */
    load(&f, CALC, "examples/calculator/Component.toml", NULL);
    load(&f, CALC, "examples/calculator/client.toml", NULL);
    asw_component_t *echo = load(&f, ECHO, "examples/echo/Component.toml", NULL);
    expect_reply(&f, "calculator", "mul 6 7", "42");
    expect_reply(&f, "calc-client", "add 2 3", "5");
    expect_reply(&f, "calc-client", "div 1 0", "error: division by zero");
    expect_reply(&f, "calc-client", "sub 10 20", "-10");
    /* A slow request: the client suspends on request, the calculator on sleep (200 ms);
     * meanwhile the single worker keeps serving echo. */
    req_thread_t t = {.f = &f, .to = "calc-client", .req = "slow 1 2"};
    pthread_t th;
    uint64_t before = handled(echo);
    assert_int_equal(pthread_create(&th, NULL, do_request, &t), 0);
    nap_ms(20);
    double rate = echo_rate(&f, echo, 500);
    assert_true(rate > 0);
    assert_true(handled(echo) >= before + 500);
    assert_int_equal(__atomic_load_n(&t.done, __ATOMIC_ACQUIRE), 0); /* still waiting */
    pthread_join(th, NULL);
    assert_int_equal(t.rc, ASW_OK);
    assert_int_equal(t.n, 1);
    assert_memory_equal(t.reply, "3", 1);
    fx_close(&f);
}

static int count_audit(void *ud, const asw_audit_entry_t *e)
{
    (void)e;
    (*(int *)ud)++;
    return 0;
}

static void denied_send_is_audited(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 2, true);
    load(&f, CALC, "examples/calculator/Component.toml", NULL);
    asw_component_t *mis = load(&f, MIS, "examples/misbehave/Component.toml", NULL);
    char want[8];
    snprintf(want, sizeof want, "%d", ASW_E_DENIED);
    expect_reply(&f, "misbehave", "secret", want);
    asw_component_info_t i;
    asw_component_info(mis, &i);
    assert_true(i.denied >= 1);
    assert_int_equal(asw_audit_flush(f.audit), ASW_OK);
    int n = 0;
    assert_int_equal(
        asw_audit_scan(f.audit_path, "misbehave", "denied", count_audit, &n, NULL, NULL), ASW_OK);
    assert_true(n >= 1);
    fx_close(&f);
}

typedef struct chaos {
    fx_t *f;
    volatile int stop;
    int rounds;
} chaos_t;

static void *chaos_main(void *arg)
{
    chaos_t *c = arg;
    static const char *const cmds[] = {"loop", "bomb", "trap", "flood"};
    for (int i = 0; !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE) && i < 8; i++) {
        void *r = NULL;
        size_t n;
        (void)asw_host_request(c->f->host, "misbehave", cmds[i % 4], strlen(cmds[i % 4]),
                               2000000000u, &r, &n, NULL);
        asw_host_buffer_free(r);
        __atomic_add_fetch(&c->rounds, 1, __ATOMIC_RELEASE);
        nap_ms(30); /* let the supervisor restart it */
    }
    return NULL;
}

static void misbehaving_is_contained(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 2, true);
    asw_component_t *echo = load(&f, ECHO, "examples/echo/Component.toml", NULL);
    asw_component_t *mis = load(&f, MIS, "examples/misbehave/Component.toml", NULL);
    double solo = echo_rate(&f, echo, 20000);
    chaos_t c = {.f = &f};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, chaos_main, &c), 0);
    nap_ms(5);
    /* Echo's rate over the whole chaos (batches until the chaos thread is done). */
    uint64_t t0 = now_ns(), sent = 0;
    do {
        (void)echo_rate(&f, echo, 5000);
        sent += 5000;
    } while (__atomic_load_n(&c.rounds, __ATOMIC_ACQUIRE) < 8);
    double during = sent / ((now_ns() - t0) / 1e9);
    pthread_join(th, NULL);
    fprintf(stderr, "echo: %.0f msg/s alone, %.0f msg/s during chaos (%d rounds)\n", solo, during,
            c.rounds);
    assert_true(during >= solo * 0.25);
    asw_component_info_t i;
    /* Every crash (loop x2, bomb x2, trap x2) was followed by a restart. */
    for (int k = 0; k < 200; k++) {
        asw_component_info(mis, &i);
        if (i.restarts >= 6 && i.actor) break;
        nap_ms(10);
    }
    asw_component_info(mis, &i);
    assert_true(i.crashes >= 6);
    assert_true(i.restarts >= 6);
    assert_int_equal(i.state, ASW_COMPONENT_RUNNING);
    assert_true(i.denied > 0); /* the flood hit the message-rate quota */
    expect_reply(&f, "misbehave", "ok", "ok");
    /* Echo never crashed. */
    asw_component_info(echo, &i);
    assert_int_equal(i.crashes, 0);
    assert_int_equal(i.restarts, 0);
    fx_close(&f);
}

static void deadline_and_memory_limit(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 2, true);
    /* No fuel: only the 100 ms deadline stops the loop. */
    const char *man = "[component]\nname = \"spinner\"\nversion = \"1.0.0\"\n"
                      "[resources]\nmemory = \"1MB\"\ntimeout = \"100ms\"\n";
    asw_component_t *c = NULL;
    assert_int_equal(load_text(&f, MIS, man, NULL, &c, NULL), ASW_OK);
    uint64_t t0 = now_ns();
    void *r = NULL;
    size_t n;
    assert_int_equal(asw_host_request(f.host, "spinner", "loop", 4, 3000000000u, &r, &n, NULL),
                     ASW_E_DEAD);
    assert_true(now_ns() - t0 < 2000000000u);
    asw_component_info_t i;
    asw_component_info(c, &i);
    assert_non_null(strstr(i.last_error, "deadline"));
    /* The memory bomb stops at 1 MB. */
    for (int k = 0; k < 100 && !asw_whereis(asw_host_system(f.host), "spinner"); k++)
        nap_ms(5);
    assert_int_equal(asw_host_request(f.host, "spinner", "bomb", 4, 3000000000u, &r, &n, NULL),
                     ASW_E_DEAD);
    asw_component_info(c, &i);
    assert_true(i.linear_bytes <= 1024 * 1024);
    assert_non_null(strstr(i.last_error, "unreachable"));
    for (int k = 0; k < 100 && !asw_whereis(asw_host_system(f.host), "spinner"); k++)
        nap_ms(5);
    expect_reply(&f, "spinner", "ok", "ok");
    fx_close(&f);
}

static void restart_intensity_escalates(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 2, true);
    const char *man = "[component]\nname = \"fragile\"\nversion = \"1.0.0\"\n"
                      "[supervision]\nmax_restarts = 2\nwithin = \"10s\"\n";
    asw_component_t *c = NULL;
    assert_int_equal(load_text(&f, MIS, man, NULL, &c, NULL), ASW_OK);
    asw_component_info_t i;
    for (int round = 0; round < 10; round++) {
        for (int k = 0; k < 100 && !asw_whereis(asw_host_system(f.host), "fragile"); k++) {
            asw_component_info(c, &i);
            if (i.state == ASW_COMPONENT_FAILED) break;
            nap_ms(5);
        }
        asw_component_info(c, &i);
        if (i.state == ASW_COMPONENT_FAILED) break;
        (void)asw_host_send(f.host, "fragile", "trap", 4, NULL);
        nap_ms(20);
    }
    for (int k = 0; k < 200; k++) {
        asw_component_info(c, &i);
        if (i.state == ASW_COMPONENT_FAILED) break;
        nap_ms(5);
    }
    assert_int_equal(i.state, ASW_COMPONENT_FAILED);
    assert_int_equal(i.crashes, 3); /* two restarts allowed, the third crash escalates */
    assert_int_equal(i.restarts, 2);
    assert_int_equal(asw_host_send(f.host, "fragile", "ok", 2, NULL), ASW_E_NOT_FOUND);
    nap_ms(50);
    asw_component_info(c, &i);
    assert_int_equal(i.restarts, 2); /* not spinning */
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_errors),
        cmocka_unit_test(echo_round_trip),
        cmocka_unit_test(calculator_request_response),
        cmocka_unit_test(denied_send_is_audited),
        cmocka_unit_test(misbehaving_is_contained),
        cmocka_unit_test(deadline_and_memory_limit),
        cmocka_unit_test(restart_intensity_escalates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
