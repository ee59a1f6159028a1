/*
 * tests/host/example_pipeline_test.c -- examples/pipeline on the component host: the three
 * stages (source, transform, sink: one module, three manifests) subscribed as airssys.toml
 * subscribes them (the host's subscription check, then the broker), N numbers driven through
 * pipeline/raw and pipeline/clean, the sink's total checked, malformed values dropped by the
 * transform; a stage publishing to a topic its manifest does not grant is refused (the error
 * reaches the guest, the denial is counted and audited, nothing reaches the sink); subscriptions
 * outside each manifest are refused; the stage follows the instance name. The CLI path
 * (`airssys run examples/pipeline/airssys.toml`) is in example_run_test.sh. Threaded.
 */
#include "airssys/airssys.h"
#include "testlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef ASW_GUEST_PIPELINE
#error "ASW_GUEST_PIPELINE must name examples/pipeline's module"
#endif

static struct {
    char dir[64], audit_path[96];
    uint8_t *mod;
    size_t modlen;
    asw_audit_t *audit;
    asw_trust_registry_t *trust;
    asw_host_t *host;
    pthread_mutex_t log_mu;
    char last_sink_log[160]; /* the last line the sink logged */
} F;

static void nap_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Keeps the sink's last log line (called on worker threads). */
static void keep_log(void *ud, int level, const char *comp, const char *msg, size_t len)
{
    (void)ud, (void)level;
    if (strcmp(comp, "sink")) return;
    pthread_mutex_lock(&F.log_mu);
    if (len >= sizeof F.last_sink_log) len = sizeof F.last_sink_log - 1;
    memcpy(F.last_sink_log, msg, len);
    F.last_sink_log[len] = 0;
    pthread_mutex_unlock(&F.log_mu);
}

/* Loads the module under `name` with examples/pipeline/<manifest>; returns asw_host_load's
 * code. */
static int load_stage(const char *name, const char *manifest)
{
    char rel[96];
    snprintf(rel, sizeof rel, "examples/pipeline/%s", manifest);
    char *m = asw_test_read_text(asw_test_src_path(rel));
    asw_component_source_t s = {.module = F.mod,
                                .module_len = F.modlen,
                                .manifest = m,
                                .manifest_len = strlen(m),
                                .name = name};
    asw_error_t e = {0};
    int rc = asw_host_load(F.host, &s, NULL, &e);
    if (rc) fprintf(stderr, "load %s: %s\n", name, asw_error_message(&e));
    free(m);
    return rc;
}

/* Subscribes component `name` to pattern as `airssys run` does: the host decides, then the
 * broker subscribes the component's current actor. */
static void subscribe(const char *name, const char *pattern)
{
    asw_cap_decision_t d;
    assert_int_equal(asw_host_check_subscription(F.host, name, pattern, &d), ASW_OK);
    asw_component_info_t i;
    asw_component_info(asw_host_find(F.host, name), &i);
    assert_true(i.actor != ASW_ACTOR_NONE);
    uint64_t id = 0;
    asw_error_t e = {0};
    int rc = asw_broker_subscribe(asw_host_broker(F.host), pattern, i.actor, &id, &e);
    if (rc) fail_msg("subscribe %s %s: %s", name, pattern, asw_error_message(&e));
    assert_true(id > 0);
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    pthread_mutex_init(&F.log_mu, NULL);
    assert_int_equal(asw_test_tmpdir_new(F.dir, sizeof F.dir, "expipe"), 0);
    snprintf(F.audit_path, sizeof F.audit_path, "%s/audit.log", F.dir);
    asw_audit_config_t ac = {.path = F.audit_path};
    assert_int_equal(asw_audit_open(&ac, &F.audit, NULL), ASW_OK);
    assert_int_equal(asw_trust_registry_new(&F.trust, NULL), ASW_OK);
    F.mod = asw_test_read_file(ASW_GUEST_PIPELINE, &F.modlen);
    assert_non_null(F.mod);
    uint8_t sha[32];
    char hex[65];
    assert_int_equal(asw_sha256(F.mod, F.modlen, sha), ASW_OK);
    asw_hex_encode(sha, 32, hex);
    assert_int_equal(asw_trust_add_hash(F.trust, hex, NULL), ASW_OK);
    asw_system_opts_t so = {.workers = 2};
    asw_host_opts_t ho = {.system_opts = &so, .audit = F.audit, .trust = F.trust, .log = keep_log};
    asw_error_t e = {0};
    int rc = asw_host_new(&ho, &F.host, &e);
    if (rc) fail_msg("host: %s", asw_error_message(&e));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    asw_host_free(F.host);
    asw_audit_close(F.audit);
    asw_trust_registry_free(F.trust);
    free(F.mod);
    pthread_mutex_destroy(&F.log_mu);
    assert_int_equal(asw_test_tmpdir_remove(F.dir), 0);
    return 0;
}

/* The three stages, loaded and subscribed (consumers first, as airssys.toml lists them). */
static void start_pipeline(void)
{
    assert_int_equal(load_stage("sink", "sink.toml"), ASW_OK);
    assert_int_equal(load_stage("transform", "transform.toml"), ASW_OK);
    assert_int_equal(load_stage("source", "source.toml"), ASW_OK);
    subscribe("transform", "pipeline/raw");
    subscribe("sink", "pipeline/clean");
}

static const char *ask(const char *to, const char *req, char *buf, size_t cap)
{
    void *r = NULL;
    size_t n = 0;
    asw_error_t e = {0};
    int rc = asw_host_request(F.host, to, req, strlen(req), UINT64_C(5000000000), &r, &n, &e);
    if (rc) fail_msg("request %s '%s': %s", to, req, asw_error_message(&e));
    assert_true(n < cap);
    memcpy(buf, r, n);
    buf[n] = 0;
    asw_host_buffer_free(r);
    return buf;
}

static void expect(const char *to, const char *req, const char *want)
{
    char got[160];
    ask(to, req, got, sizeof got);
    if (strcmp(got, want)) fail_msg("%s '%s': got '%s', want '%s'", to, req, got, want);
}

/* Asks the sink for its total until it equals want (the stages run asynchronously; 15 s, for
 * the sanitizer builds). */
static void wait_total(const char *want)
{
    char got[160];
    for (int t = 0; t < 1500; t++) {
        if (!strcmp(ask("sink", "total", got, sizeof got), want)) return;
        nap_ms(10);
    }
    fail_msg("sink total: got '%s', want '%s'", got, want);
}

static uint64_t denied(const char *name)
{
    asw_component_info_t i;
    asw_component_info(asw_host_find(F.host, name), &i);
    return i.denied;
}

/* ---------------------------------------------------------------- tests */

/* N numbers through the three stages; then two more batches add up. */
static void drives_n_messages(void **state)
{
    (void)state;
    start_pipeline();
    expect("sink", "total", "count 0 sum 0");
    expect("source", "emit 200", "published 200");
    wait_total("count 200 sum 2686700"); /* sum of i*i, i = 1..200: 200*201*401/6 */
    expect("transform", "stats", "passed 200 dropped 0");
    for (int t = 0; t < 500; t++) { /* "end" follows the last value: the sink logs the total */
        pthread_mutex_lock(&F.log_mu);
        int done = !strcmp(F.last_sink_log, "total: 200 values, sum 2686700");
        pthread_mutex_unlock(&F.log_mu);
        if (done) break;
        assert_true(t < 499);
        nap_ms(10);
    }
    /* A one-way start message, as airssys.toml sends it. */
    asw_error_t e = {0};
    assert_int_equal(asw_host_send(F.host, "source", "emit 10", 7, &e), ASW_OK);
    wait_total("count 210 sum 2687085"); /* + 385 */
    /* The largest batch. */
    expect("source", "emit 1000", "published 1000");
    /* 2687085 + 1000*1001*2001/6 = 2687085 + 333833500 */
    wait_total("count 1210 sum 336520585");
    expect("source", "emit 1001", "error: emit takes 1..1000 [topic]");
    expect("source", "emit 0", "error: emit takes 1..1000 [topic]");
    expect("source", "emit 5x", "error: emit takes 1..1000 [topic]");
    expect("source", "emit 5 a b", "error: emit takes 1..1000 [topic]");
    expect("source", "emit 5 ", "error: emit takes 1..1000 [topic]");
    expect("source", "emit", "error: unknown request");
    expect("sink", "reset", "0");
    expect("sink", "total", "count 0 sum 0");
    asw_component_info_t i;
    asw_component_info(asw_host_find(F.host, "transform"), &i);
    assert_int_equal(i.crashes, 0);
    assert_int_equal(i.denied, 0);
    assert_int_equal(denied("source"), 0);
}

/* The transform cleans: what is not a number within range is dropped, not passed on. */
static void transform_drops_malformed(void **state)
{
    (void)state;
    start_pipeline();
    static const char *const bad[] = {"abc", "12x", "", "-", "1000001", "99999999", " 5", "5 "};
    size_t reached = 0;
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        assert_int_equal(
            asw_host_publish(F.host, "pipeline/raw", bad[k], strlen(bad[k]), &reached, NULL),
            ASW_OK);
        assert_int_equal(reached, 1); /* the transform */
    }
    assert_int_equal(asw_host_publish(F.host, "pipeline/raw", "-4", 2, NULL, NULL), ASW_OK);
    assert_int_equal(asw_host_publish(F.host, "pipeline/raw", "1000000", 7, NULL, NULL), ASW_OK);
    wait_total("count 2 sum 1000000000016");
    expect("transform", "stats", "passed 2 dropped 8");
}

typedef struct audit_hit {
    const char *resource;
    int n;
} audit_hit;

static int count_audit(void *ud, const asw_audit_entry_t *e)
{
    audit_hit *h = ud;
    if (e->resource && !strcmp(e->resource, h->resource)) h->n++;
    return 0;
}

static int audited_denials(const char *component, const char *resource)
{
    audit_hit h = {resource, 0};
    assert_int_equal(asw_audit_flush(F.audit), ASW_OK);
    assert_int_equal(asw_audit_scan(F.audit_path, component, "denied", count_audit, &h, NULL, NULL),
                     ASW_OK);
    return h.n;
}

/* The source may publish on pipeline/raw only: pipeline/clean (skipping the transform) and any
 * other topic are refused; the guest sees AS_E_DENIED; nothing reaches the sink. */
static void publish_without_capability_denied(void **state)
{
    (void)state;
    start_pipeline();
    expect("source", "emit 3 pipeline/clean", "error: publish pipeline/clean: AS_E_DENIED");
    expect("source", "emit 3 pipeline/raw/x", "error: publish pipeline/raw/x: AS_E_DENIED");
    assert_int_equal(denied("source"), 2);
    assert_int_equal(audited_denials("source", "pipeline/clean"), 1);
    assert_int_equal(audited_denials("source", "pipeline/raw/x"), 1);
    /* The pipeline still works, and nothing of the refused batches got through. */
    expect("source", "emit 3", "published 3");
    wait_total("count 3 sum 14");
    assert_int_equal(asw_host_quiesce(F.host, UINT64_C(2000000000)), ASW_OK);
    expect("sink", "total", "count 3 sum 14");
    asw_component_info_t i;
    asw_component_info(asw_host_find(F.host, "source"), &i);
    assert_int_equal(i.crashes, 0);
}

/* Subscriptions outside a stage's "receive" grants are refused (and audited). */
static void subscriptions_limited(void **state)
{
    (void)state;
    start_pipeline();
    asw_cap_decision_t d;
    assert_int_equal(asw_host_check_subscription(F.host, "sink", "pipeline/raw", &d), ASW_E_DENIED);
    assert_int_equal(asw_host_check_subscription(F.host, "sink", "pipeline/#", &d), ASW_E_DENIED);
    assert_int_equal(asw_host_check_subscription(F.host, "transform", "pipeline/clean", &d),
                     ASW_E_DENIED);
    assert_int_equal(asw_host_check_subscription(F.host, "source", "pipeline/raw", &d),
                     ASW_E_DENIED);
    assert_int_equal(audited_denials("sink", "pipeline/#"), 1);
    assert_int_equal(audited_denials("source", "pipeline/raw"), 1);
}

/* The stage is the instance name ("sink-2" is a second sink); any other name fails init. */
static void stage_follows_instance_name(void **state)
{
    (void)state;
    start_pipeline();
    assert_int_equal(load_stage("sink-2", "sink.toml"), ASW_OK);
    subscribe("sink-2", "pipeline/clean");
    expect("source", "emit 4", "published 4");
    wait_total("count 4 sum 30");
    char got[64];
    for (int t = 0; t < 500 && strcmp(ask("sink-2", "total", got, sizeof got), "count 4 sum 30");
         t++)
        nap_ms(10);
    assert_string_equal(got, "count 4 sum 30");
    assert_int_not_equal(load_stage("relay", "sink.toml"), ASW_OK);
    assert_int_not_equal(load_stage("sinker", "sink.toml"), ASW_OK);
    assert_null(asw_host_find(F.host, "relay"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(drives_n_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(transform_drops_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(publish_without_capability_denied, setup, teardown),
        cmocka_unit_test_setup_teardown(subscriptions_limited, setup, teardown),
        cmocka_unit_test_setup_teardown(stage_follows_instance_name, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
