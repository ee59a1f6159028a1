/*
 * tests/host/abi_test.c -- the guest ABI additions of the component host: request-async with
 * the handle-reply export (examples/calculator: replies, a timeout, a dead target, a late
 * reply after a restart, a module refused at load), the lifecycle hooks post-restart and
 * pre-stop (tests/host/hooks_guest.c), the one subscription rule for wildcard patterns (from
 * a guest and through asw_host_check_subscription, with audit records), and the storage
 * capability resource of a 128-byte component id. Threaded: the host runs actor workers.
 */
#include "airssys/airssys.h"
#include "host/host_int.h"
#include "testlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- fixture: a dev-mode host with storage, an audit file and a captured log ---- */

typedef struct fx {
    char dir[64], audit_path[96], store_dir[96];
    asw_audit_t *audit;
    asw_host_t *host;
    pthread_mutex_t mu;
    char log[8192];
    size_t loglen;
} fx_t;

static void capture_log(void *ud, int level, const char *comp, const char *msg, size_t len)
{
    fx_t *f = ud;
    pthread_mutex_lock(&f->mu);
    int n = snprintf(f->log + f->loglen, sizeof f->log - f->loglen, "[%s] %s: %.*s\n",
                     asw_log_level_name(level), comp, (int)len, msg);
    if (n > 0 && f->loglen + (size_t)n < sizeof f->log) f->loglen += (size_t)n;
    pthread_mutex_unlock(&f->mu);
}

static bool log_has(fx_t *f, const char *what)
{
    pthread_mutex_lock(&f->mu);
    bool r = strstr(f->log, what) != NULL;
    pthread_mutex_unlock(&f->mu);
    return r;
}

static void fx_open(fx_t *f)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    assert_int_equal(asw_test_tmpdir_new(f->dir, sizeof f->dir, "abi"), 0);
    snprintf(f->audit_path, sizeof f->audit_path, "%s/audit.log", f->dir);
    snprintf(f->store_dir, sizeof f->store_dir, "%s/store", f->dir);
    asw_audit_config_t ac = {.path = f->audit_path};
    assert_int_equal(asw_audit_open(&ac, &f->audit, NULL), ASW_OK);
    asw_system_opts_t so = {.workers = 2};
    asw_host_opts_t ho = {.system_opts = &so,
                          .audit = f->audit,
                          .dev_mode = true,
                          .storage_dir = f->store_dir,
                          .log = capture_log,
                          .log_ud = f,
                          .log_level = ASW_LOG_INFO};
    asw_error_t err = {0};
    int rc = asw_host_new(&ho, &f->host, &err);
    if (rc) fprintf(stderr, "host: %s\n", asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
}

/* Frees the host (running pre-stop hooks), keeps the store directory for inspection. */
static void fx_stop(fx_t *f)
{
    asw_host_free(f->host);
    f->host = NULL;
}

static void fx_close(fx_t *f)
{
    if (f->host) fx_stop(f);
    asw_audit_close(f->audit);
    assert_int_equal(asw_test_tmpdir_remove(f->dir), 0);
    pthread_mutex_destroy(&f->mu);
}

static int load_mod(fx_t *f, const char *wasm, const char *manifest, const char *name,
                    asw_component_t **out, asw_error_t *err)
{
    size_t n;
    uint8_t *mod = asw_test_read_file(wasm, &n);
    assert_non_null(mod);
    asw_component_source_t s = {.module = mod,
                                .module_len = n,
                                .manifest = manifest,
                                .manifest_len = strlen(manifest),
                                .name = name};
    int rc = asw_host_load(f->host, &s, out, err);
    free(mod);
    return rc;
}

static asw_component_t *load(fx_t *f, const char *wasm, const char *manifest, const char *name)
{
    asw_component_t *c = NULL;
    asw_error_t err = {0};
    int rc = load_mod(f, wasm, manifest, name, &c, &err);
    if (rc) fprintf(stderr, "load %s: %s\n", name ? name : "?", asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
    return c;
}

static asw_component_t *load_file(fx_t *f, const char *wasm, const char *rel, const char *name)
{
    char *m = asw_test_read_text(asw_test_src_path(rel));
    asw_component_t *c = load(f, wasm, m, name);
    free(m);
    return c;
}

/* Sends a request from the host; returns the reply text (static buffer). */
static const char *ask(fx_t *f, const char *to, const char *req)
{
    static char out[256];
    void *r = NULL;
    size_t n = 0;
    asw_error_t err = {0};
    int rc = asw_host_request(f->host, to, req, strlen(req), 3000000000u, &r, &n, &err);
    if (rc) fprintf(stderr, "request %s '%s': %s\n", to, req, asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
    n = n < sizeof out - 1 ? n : sizeof out - 1;
    memcpy(out, r, n);
    out[n] = 0;
    asw_host_buffer_free(r);
    return out;
}

/* Asks `req` until the reply equals want (the component may be restarting), up to ~3 s. */
static void expect_soon(fx_t *f, const char *to, const char *req, const char *want)
{
    char got[256] = "";
    for (int i = 0; i < 300; i++) {
        if (asw_whereis(asw_host_system(f->host), to)) {
            void *r = NULL;
            size_t n = 0;
            if (asw_host_request(f->host, to, req, strlen(req), 1000000000u, &r, &n, NULL) ==
                ASW_OK) {
                n = n < sizeof got - 1 ? n : sizeof got - 1;
                memcpy(got, r, n);
                got[n] = 0;
                asw_host_buffer_free(r);
                if (!strcmp(got, want)) return;
            }
        }
        nap_ms(10);
    }
    fprintf(stderr, "%s '%s': got '%s', want '%s'\n", to, req, got, want);
    fail();
}

/* ---------------------------------------------------------------- request-async */

static void async_request_reply(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    load_file(&f, ASW_GUEST_CALC, "examples/calculator/Component.toml", NULL);
    asw_component_t *client =
        load_file(&f, ASW_GUEST_CALC, "examples/calculator/client.toml", NULL);
    /* The synchronous form still works next to the asynchronous one. */
    assert_string_equal(ask(&f, "calc-client", "mul 6 7"), "42");
    /* Ten requests leave at once; the replies arrive in handle-reply: 1 + 2 + ... + 10. */
    assert_string_equal(ask(&f, "calc-client", "async 10"), "sent 10");
    expect_soon(&f, "calc-client", "result", "replies 10 errors 0 sum 55 last 0");
    /* A timeout (50 ms; the calculator takes 200 ms) arrives as status AS_E_TIMEOUT. */
    asw_system_stats_t s0, s1;
    asw_system_stats(asw_host_system(f.host), &s0);
    assert_string_equal(ask(&f, "calc-client", "async-slow 50"), "sent 1");
    expect_soon(&f, "calc-client", "result", "replies 10 errors 1 sum 55 last -16");
    /* The calculator's late answer is dropped and counted by the runtime. */
    for (int i = 0; i < 100; i++) {
        asw_system_stats(asw_host_system(f.host), &s1);
        if (s1.late_replies > s0.late_replies) break;
        nap_ms(10);
    }
    assert_true(s1.late_replies > s0.late_replies);
    /* The target dies with the request: status AS_E_DEAD, and the calculator restarts. */
    assert_string_equal(ask(&f, "calc-client", "async-crash"), "sent 1");
    expect_soon(&f, "calc-client", "result", "replies 10 errors 2 sum 55 last -18");
    expect_soon(&f, "calculator", "add 1 1", "2");
    asw_component_info_t i;
    asw_component_info(client, &i);
    assert_int_equal(i.crashes, 0);
    assert_int_equal(i.dropped_replies, 0);
    assert_true(i.sent >= 13);
    /* A one-way message works as a trigger too (no one to answer). */
    assert_int_equal(asw_host_send(f.host, "calc-client", "async 2", 7, NULL), ASW_OK);
    expect_soon(&f, "calc-client", "result", "replies 12 errors 2 sum 58 last -18");
    fx_close(&f);
}

static void late_reply_after_restart(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    load_file(&f, ASW_GUEST_CALC, "examples/calculator/Component.toml", NULL);
    asw_component_t *client =
        load_file(&f, ASW_GUEST_CALC, "examples/calculator/client.toml", NULL);
    asw_system_stats_t s0, s1;
    asw_system_stats(asw_host_system(f.host), &s0);
    assert_string_equal(ask(&f, "calc-client", "async-slow 5000"), "sent 1");
    /* The client crashes while the calculator sleeps on the request; it is restarted. */
    assert_int_equal(asw_host_send(f.host, "calc-client", "crash", 5, NULL), ASW_OK);
    asw_component_info_t i;
    for (int k = 0; k < 300; k++) {
        asw_component_info(client, &i);
        if (i.restarts >= 1 && i.actor) break;
        nap_ms(10);
    }
    assert_int_equal(i.restarts, 1);
    assert_int_equal(i.dropped_replies, 1);
    /* The reply (after 200 ms) reaches the old incarnation's dead actor: dropped, counted. */
    for (int k = 0; k < 100; k++) {
        asw_system_stats(asw_host_system(f.host), &s1);
        if (s1.dead_letters > s0.dead_letters) break;
        nap_ms(10);
    }
    assert_true(s1.dead_letters > s0.dead_letters);
    /* The fresh instance never saw it. */
    assert_string_equal(ask(&f, "calc-client", "result"), "replies 0 errors 0 sum 0 last 0");
    fx_close(&f);
}

static void async_without_handle_reply_is_refused(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    const char *man = "[component]\nname = \"noreply\"\nversion = \"1.0.0\"\n";
    asw_error_t err = {0};
    assert_int_equal(load_mod(&f, ASW_GUEST_NOREPLY, man, NULL, NULL, &err), ASW_E_NOT_FOUND);
    assert_non_null(strstr(err.msg, "request-async"));
    assert_non_null(strstr(err.msg, "handle-reply"));
    assert_null(asw_host_find(f.host, "noreply"));
    fx_close(&f);
}

/* ---------------------------------------------------------------- lifecycle hooks */

static const char hooks_manifest[] =
    "[component]\nname = \"hooky\"\nversion = \"1.0.0\"\n"
    "[capabilities]\n"
    "storage = [ { namespace = \"component:{self}:*\", permissions = [\"read\", \"write\"] } ]\n"
    "messaging = [ { send = [\"nobody\", \"hooky\", \"trapper\"] } ]\n";

static void expect_stored(asw_storage_t *st, const char *ns_id, const char *key, const char *v)
{
    asw_storage_ns_t *ns = NULL;
    assert_int_equal(asw_storage_ns_open(st, ns_id, 0, &ns, NULL), ASW_OK);
    char buf[64];
    size_t len = 0;
    int rc = asw_storage_get(ns, key, strlen(key), buf, sizeof buf, &len, NULL);
    if (rc) fprintf(stderr, "%s/%s: %s\n", ns_id, key, asw_strerror(rc));
    assert_int_equal(rc, ASW_OK);
    assert_int_equal(len, strlen(v));
    assert_memory_equal(buf, v, len);
    asw_storage_ns_close(ns);
}

static void lifecycle_hooks(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    asw_component_t *c = load(&f, ASW_GUEST_HOOKS, hooks_manifest, NULL);
    load(&f, ASW_GUEST_HOOKS, hooks_manifest, "trapper");
    assert_string_equal(ask(&f, "hooky", "get restarts"), "none"); /* a first start */
    /* init runs before the actor exists: its send fails; start runs on the actor: its send to
     * itself arrives. */
    assert_true(ask(&f, "hooky", "get send-in-init")[0] == '-');
    assert_string_equal(ask(&f, "hooky", "get send-in-start"), "0");
    expect_soon(&f, "hooky", "get got-from-start", "yes");
    assert_string_equal(ask(&f, "hooky", "get starts"), "1");
    /* A crash: no pre-stop; the restarted instance runs post-restart(1) after init. */
    assert_int_equal(asw_host_send(f.host, "hooky", "trap", 4, NULL), ASW_OK);
    expect_soon(&f, "hooky", "get restarts", "1");
    assert_string_equal(ask(&f, "hooky", "get starts"), "2"); /* start runs in every incarnation */
    char want[16];
    snprintf(want, sizeof want, "%d", ASW_E_STATE);
    assert_string_equal(ask(&f, "hooky", "get sleep-in-hook"), want); /* cannot wait */
    assert_string_equal(ask(&f, "hooky", "get stopped"), "none");
    asw_component_info_t i;
    asw_component_info(c, &i);
    assert_int_equal(i.crashes, 1);
    assert_int_equal(i.restarts, 1);
    /* Host shutdown: both run pre-stop; the trap in trapper's is logged, nothing more. */
    fx_stop(&f);
    assert_true(log_has(&f, "pre-stop failed"));
    asw_storage_t *st = NULL;
    assert_int_equal(asw_storage_open(f.store_dir, NULL, &st, NULL), ASW_OK);
    expect_stored(st, "hooky", "stopped", "yes");
    expect_stored(st, "hooky", "async-in-stop", want); /* no reply could be delivered */
    expect_stored(st, "trapper", "stopped", "yes");
    asw_storage_close(st);
    fx_close(&f);
}

/* ---------------------------------------------------------------- subscriptions */

static const char sub_manifest[] =
    "[component]\nname = \"subber\"\nversion = \"1.0.0\"\n"
    "[capabilities]\n"
    "messaging = [ { receive = [\"sensors/#\", \"alerts/+/high\"] } ]\n"
    "deny = [ { messaging = \"sensors/secret\" } ]\n";

typedef struct res_count {
    const char *resource;
    int n;
} res_count_t;

static int count_res(void *ud, const asw_audit_entry_t *e)
{
    res_count_t *rc = ud;
    if (!strcmp(e->resource, rc->resource)) rc->n++;
    return 0;
}

/* Audit records of comp with this result and resource. */
static int audited(fx_t *f, const char *comp, const char *result, const char *resource)
{
    assert_int_equal(asw_audit_flush(f->audit), ASW_OK);
    res_count_t rc = {resource, 0};
    assert_int_equal(asw_audit_scan(f->audit_path, comp, result, count_res, &rc, NULL, NULL),
                     ASW_OK);
    return rc.n;
}

static void wildcard_subscribe(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    asw_component_t *c = load(&f, ASW_GUEST_HOOKS, sub_manifest, NULL);
    char denied[8], invalid[8];
    snprintf(denied, sizeof denied, "%d", ASW_E_DENIED);
    snprintf(invalid, sizeof invalid, "%d", ASW_E_INVALID);
    /* Covered by "sensors/#" and clear of the deny entry: granted (ids 1, 2, 3). */
    assert_string_equal(ask(&f, "subber", "sub sensors/+/temp"), "1");
    assert_string_equal(ask(&f, "subber", "sub alerts/+/high"), "2");
    assert_string_equal(ask(&f, "subber", "sub sensors/a/temp"), "3"); /* no wildcard */
    /* Touches the denied "sensors/secret", or reaches beyond the grants: denied. */
    assert_string_equal(ask(&f, "subber", "sub sensors/#"), denied);
    assert_string_equal(ask(&f, "subber", "sub sensors/+"), denied);
    assert_string_equal(ask(&f, "subber", "sub alerts/#"), denied);
    assert_string_equal(ask(&f, "subber", "sub #"), denied);
    assert_string_equal(ask(&f, "subber", "sub other/+"), denied);
    assert_string_equal(ask(&f, "subber", "sub bad/#/x"), invalid);
    asw_component_info_t i;
    asw_component_info(c, &i);
    assert_int_equal(i.denied, 5);
    assert_int_equal(audited(&f, "subber", "denied", "sensors/#"), 1);
    assert_int_equal(audited(&f, "subber", "denied", "alerts/#"), 1);
    assert_int_equal(audited(&f, "subber", "granted", "sensors/+/temp"), 1);
    /* The granted subscriptions deliver. */
    size_t n = 0;
    assert_int_equal(asw_host_publish(f.host, "sensors/kitchen/temp", "21", 2, &n, NULL), ASW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(asw_host_publish(f.host, "alerts/fire/high", "!", 1, &n, NULL), ASW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(asw_host_publish(f.host, "sensors/secret", "x", 1, &n, NULL), ASW_OK);
    assert_int_equal(n, 0);
    expect_soon(&f, "subber", "topics", "2");
    fx_close(&f);
}

static void subscription_rule(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    const char *m1 = "[component]\nname = \"u1\"\nversion = \"1.0.0\"\n[capabilities]\n"
                     "messaging = [ { receive = [\"a\", \"a/+/#\", \"b/+\", \"c/x\"] } ]\n";
    const char *m2 = "[component]\nname = \"u2\"\nversion = \"1.0.0\"\n[capabilities]\n"
                     "messaging = [ { receive = [\"#\"], send = [\"q/#\"] } ]\n"
                     "deny = [ { messaging = \"q/+/private\" } ]\n";
    load(&f, ASW_GUEST_HOOKS, m1, NULL);
    asw_component_t *u2 = load(&f, ASW_GUEST_HOOKS, m2, NULL);
    static const struct {
        const char *comp, *pattern;
        int rc;
    } cases[] = {
        {"u1", "a/#", ASW_OK},        /* "a" and "a/+/#" together */
        {"u1", "a/+", ASW_OK},        /* "a/+/#" alone ("x/#" also matches "x") */
        {"u1", "a/+/+/#", ASW_OK},    /* deeper under "a/+/#" */
        {"u1", "b/+", ASW_OK},        /* the same pattern */
        {"u1", "b/#", ASW_E_DENIED},  /* "b" and "b/x/y" are not granted */
        {"u1", "c/+", ASW_E_DENIED},  /* a literal cannot cover '+' */
        {"u1", "+", ASW_E_DENIED},    /* only "a" of the one-segment topics */
        {"u1", "#", ASW_E_DENIED},    /* */
        {"u1", "a/x", ASW_OK},        /* no wildcard: the ordinary check */
        {"u1", "z", ASW_E_DENIED},    /* */
        {"u2", "#", ASW_E_DENIED},    /* the deny entry lies inside */
        {"u2", "q/#", ASW_E_DENIED},  /* */
        {"u2", "q/+", ASW_OK},        /* "q/x" never matches "q/+/private" */
        {"u2", "q/+/public", ASW_OK}, /* */
        {"u2", "+/+/private", ASW_E_DENIED},
        {"u2", "r/#", ASW_OK},          /* */
        {"u2", "q/#/x", ASW_E_INVALID}, /* malformed */
        {"u2", "q/a+", ASW_E_INVALID},  /* */
        {"nobody", "q/+", ASW_E_NOT_FOUND},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        asw_cap_decision_t d;
        int rc = asw_host_check_subscription(f.host, cases[k].comp, cases[k].pattern, &d);
        if (rc != cases[k].rc)
            fprintf(stderr, "%s '%s': %s (%s), want %s\n", cases[k].comp, cases[k].pattern,
                    asw_strerror(rc), d.reason, asw_strerror(cases[k].rc));
        assert_int_equal(rc, cases[k].rc);
        assert_non_null(d.reason);
        assert_int_equal(d.granted, rc == ASW_OK);
    }
    asw_cap_decision_t d;
    assert_int_equal(asw_host_check_subscription(f.host, "u2", "q/#", &d), ASW_E_DENIED);
    assert_string_equal(d.rule, "q/+/private");
    assert_int_equal(asw_host_check_subscription(f.host, "u1", "b/+", &d), ASW_OK);
    assert_string_equal(d.rule, "b/+");
    assert_int_equal(asw_host_check_subscription(NULL, "u1", "b/+", &d), ASW_E_INVALID);
    assert_int_equal(asw_host_check_subscription(f.host, "u1", NULL, NULL), ASW_E_INVALID);
    asw_component_info_t i;
    asw_component_info(u2, &i);
    assert_int_equal(i.denied, 4);
    assert_int_equal(audited(&f, "u2", "denied", "q/#"), 2);
    fx_close(&f);
}

/* ---------------------------------------------------------------- storage resource */

static void storage_resource_long_id(void **state)
{
    (void)state;
    char name[ASW_STORAGE_NS_MAX + 2], out[ASW__STORAGE_RES_CAP], want[ASW__STORAGE_RES_CAP + 8];
    uint8_t key[ASW_STORAGE_KEY_MAX];
    memset(name, 'n', ASW_STORAGE_NS_MAX);
    name[ASW_STORAGE_NS_MAX] = 0;
    memset(key, 'k', sizeof key);
    key[0] = ':';
    /* The longest id with the longest key: fits exactly. */
    assert_int_equal(asw__storage_resource(name, key, sizeof key, out, sizeof out), ASW_OK);
    snprintf(want, sizeof want, "component:%s:%.*s", name, (int)sizeof key, (const char *)key);
    assert_string_equal(out, want);
    assert_int_equal(strlen(out) + 1, sizeof out);
    /* One byte short of room, one byte too long an id or key: refused, never truncated. */
    assert_int_equal(asw__storage_resource(name, key, sizeof key, out, sizeof out - 1),
                     ASW_E_INVALID);
    name[ASW_STORAGE_NS_MAX] = 'n';
    name[ASW_STORAGE_NS_MAX + 1] = 0;
    assert_int_equal(asw__storage_resource(name, key, 1, out, sizeof out), ASW_E_INVALID);
    assert_int_equal(asw__storage_resource("c", key, ASW_STORAGE_KEY_MAX + 1, out, sizeof out),
                     ASW_E_INVALID);
    assert_int_equal(asw__storage_resource("c", key, 0, out, sizeof out), ASW_OK);
    assert_string_equal(out, "component:c:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(async_request_reply),
        cmocka_unit_test(late_reply_after_restart),
        cmocka_unit_test(async_without_handle_reply_is_refused),
        cmocka_unit_test(lifecycle_hooks),
        cmocka_unit_test(wildcard_subscribe),
        cmocka_unit_test(subscription_rule),
        cmocka_unit_test(storage_resource_long_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
