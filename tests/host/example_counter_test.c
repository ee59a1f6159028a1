/*
 * tests/host/example_counter_test.c -- examples/counter on the component host: the count lives
 * in storage, so it survives freeing the host and loading the component again on the same
 * storage directory, and a crash of the component (a "crash" request traps; its supervisor
 * starts a fresh instance, whose init reads the count back). Also: reset, malformed requests,
 * the storage quota of the manifest exactly at the limit and one byte over, a manifest without
 * the write permission (denied, audited), separate namespaces of two instances, and a host
 * without storage (the counter refuses to start). The kill -9 of `airssys run` with the counter
 * is in example_run_test.sh. Threaded: the host runs actor workers.
 */
#include "airssys/airssys.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef ASW_GUEST_COUNTER
#error "ASW_GUEST_COUNTER must name examples/counter's module"
#endif

/* ---- fixture: a temporary directory (storage + audit log), the module trusted by hash ---- */

static struct {
    char dir[64], store[96], audit_path[96];
    uint8_t *mod;
    size_t modlen;
    char *manifest; /* examples/counter/Component.toml */
    asw_audit_t *audit;
    asw_trust_registry_t *trust;
    asw_host_t *host;
} F;

static void nap_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Returns text with the first `from` replaced by `to` (malloc'ed); from must occur. */
static char *replace(const char *text, const char *from, const char *to)
{
    const char *p = strstr(text, from);
    assert_non_null(p);
    size_t fl = strlen(from), tl = strlen(to), n = strlen(text);
    char *out = malloc(n - fl + tl + 1);
    assert_non_null(out);
    memcpy(out, text, (size_t)(p - text));
    memcpy(out + (p - text), to, tl);
    strcpy(out + (p - text) + tl, p + fl);
    return out;
}

/* Creates the host; with_storage false: no storage directory. */
static void host_open(bool with_storage)
{
    asw_system_opts_t so = {.workers = 2};
    asw_host_opts_t ho = {.system_opts = &so,
                          .audit = F.audit,
                          .trust = F.trust,
                          .storage_dir = with_storage ? F.store : NULL,
                          .log = asw_test_quiet_log};
    asw_error_t e = {0};
    int rc = asw_host_new(&ho, &F.host, &e);
    if (rc) fail_msg("host: %s", asw_error_message(&e));
}

static void host_close(void)
{
    asw_host_free(F.host);
    F.host = NULL;
}

static int load_text(const char *manifest, const char *name, asw_component_t **out, asw_error_t *e)
{
    asw_component_source_t s = {.module = F.mod,
                                .module_len = F.modlen,
                                .manifest = manifest,
                                .manifest_len = strlen(manifest),
                                .name = name};
    return asw_host_load(F.host, &s, out, e);
}

static asw_component_t *load(const char *manifest, const char *name)
{
    asw_component_t *c = NULL;
    asw_error_t e = {0};
    int rc = load_text(manifest, name, &c, &e);
    if (rc) fail_msg("load %s: %s", name ? name : "counter", asw_error_message(&e));
    return c;
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    assert_int_equal(asw_test_tmpdir_new(F.dir, sizeof F.dir, "excount"), 0);
    snprintf(F.store, sizeof F.store, "%s/state", F.dir);
    snprintf(F.audit_path, sizeof F.audit_path, "%s/audit.log", F.dir);
    asw_audit_config_t ac = {.path = F.audit_path};
    assert_int_equal(asw_audit_open(&ac, &F.audit, NULL), ASW_OK);
    assert_int_equal(asw_trust_registry_new(&F.trust, NULL), ASW_OK);
    F.mod = asw_test_read_file(ASW_GUEST_COUNTER, &F.modlen);
    assert_non_null(F.mod);
    uint8_t sha[32];
    char hex[65];
    assert_int_equal(asw_sha256(F.mod, F.modlen, sha), ASW_OK);
    asw_hex_encode(sha, 32, hex);
    assert_int_equal(asw_trust_add_hash(F.trust, hex, NULL), ASW_OK);
    F.manifest = asw_test_read_text(asw_test_src_path("examples/counter/Component.toml"));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    host_close();
    asw_audit_close(F.audit);
    asw_trust_registry_free(F.trust);
    free(F.mod);
    free(F.manifest);
    assert_int_equal(asw_test_tmpdir_remove(F.dir), 0);
    return 0;
}

/* Sends a request to `to`; returns the reply as a NUL-terminated string in buf. */
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
    char got[128];
    ask(to, req, got, sizeof got);
    if (strcmp(got, want)) fail_msg("%s '%s': got '%s', want '%s'", to, req, got, want);
}

/* Waits (up to 10 s) until comp runs a fresh actor after at least `restarts` restarts and its
 * name answers again. */
static void wait_restarted(asw_component_t *comp, uint64_t restarts)
{
    asw_component_info_t i;
    for (int t = 0; t < 1000; t++) {
        asw_component_info(comp, &i);
        if (i.restarts >= restarts && i.actor != ASW_ACTOR_NONE &&
            i.state == ASW_COMPONENT_RUNNING) {
            void *r = NULL;
            size_t n = 0;
            if (asw_host_request(F.host, asw_component_name(comp), "get", 3, UINT64_C(5000000000),
                                 &r, &n, NULL) == ASW_OK) {
                asw_host_buffer_free(r);
                return;
            }
        }
        nap_ms(10);
    }
    fail_msg("not restarted: restarts %llu state %d", (unsigned long long)i.restarts, (int)i.state);
}

static int count_audit(void *ud, const asw_audit_entry_t *e)
{
    if (e->resource && strstr(e->resource, ":count")) (*(int *)ud)++;
    return 0;
}

/* ---------------------------------------------------------------- tests */

/* N increments, the host freed, the component loaded again on the same directory. */
static void survives_host_restart(void **state)
{
    (void)state;
    char want[16];
    host_open(true);
    load(F.manifest, NULL);
    expect("counter", "get", "0");
    for (int i = 1; i <= 25; i++) {
        snprintf(want, sizeof want, "%d", i);
        expect("counter", "incr", want);
    }
    expect("counter", "incr 100", "125");
    host_close();

    host_open(true);
    load(F.manifest, NULL);
    expect("counter", "get", "125");
    expect("counter", "incr", "126");
    /* key "count" (5 bytes) + value "126" (3 bytes), under the 1KB quota of the manifest */
    expect("counter", "usage", "bytes 8 quota 1024 keys 1");
    /* One-way messages (as airssys.toml's start messages) count too. */
    asw_error_t e = {0};
    assert_int_equal(asw_host_send(F.host, "counter", "incr", 4, &e), ASW_OK);
    assert_int_equal(asw_host_send(F.host, "counter", "incr 3", 6, &e), ASW_OK);
    expect("counter", "get", "130"); /* one mailbox: handled in order */
    host_close();
}

/* A trap crashes only the instance; the supervisor's fresh one reads the count back. */
static void survives_crash_restart(void **state)
{
    (void)state;
    host_open(true);
    asw_component_t *c = load(F.manifest, NULL);
    expect("counter", "incr 7", "7");
    for (uint64_t round = 1; round <= 2; round++) {
        void *r = NULL;
        size_t n = 0;
        int rc =
            asw_host_request(F.host, "counter", "crash", 5, UINT64_C(5000000000), &r, &n, NULL);
        assert_int_equal(rc, ASW_E_DEAD); /* it died with the request */
        wait_restarted(c, round);
        expect("counter", "get", round == 1 ? "7" : "8");
        expect("counter", "incr", round == 1 ? "8" : "9");
    }
    asw_component_info_t i;
    asw_component_info(c, &i);
    assert_int_equal(i.crashes, 2);
    assert_int_equal(i.restarts, 2);
    host_close();
}

/* reset deletes the stored key: 0 after a host restart too; reset of nothing is fine. */
static void reset_and_bad_requests(void **state)
{
    (void)state;
    host_open(true);
    load(F.manifest, NULL);
    expect("counter", "incr 5", "5");
    expect("counter", "incr 0", "error: incr takes 1..1000000");
    expect("counter", "incr 1000001", "error: incr takes 1..1000000");
    expect("counter", "incr 1000000", "1000005");
    expect("counter", "incr -1", "error: incr takes 1..1000000");
    expect("counter", "incr x", "error: incr takes 1..1000000");
    expect("counter", "incr ", "error: unknown request");
    expect("counter", "incr5", "error: unknown request");
    expect("counter", "", "error: unknown request");
    expect("counter", "get", "1000005");
    expect("counter", "reset", "0");
    expect("counter", "usage", "bytes 0 quota 1024 keys 0");
    expect("counter", "reset", "0");
    host_close();
    host_open(true);
    load(F.manifest, NULL);
    expect("counter", "get", "0");
    host_close();
}

/* A quota of 6 bytes: "count" + "9" fits exactly, "count" + "10" is one byte over. */
static void storage_quota_boundary(void **state)
{
    (void)state;
    char *m = replace(F.manifest, "storage = \"1KB\"", "storage = 6");
    host_open(true);
    load(m, NULL);
    expect("counter", "incr 9", "9");
    expect("counter", "usage", "bytes 6 quota 6 keys 1");
    expect("counter", "incr", "error: storage-set: AS_E_QUOTA");
    expect("counter", "get", "9"); /* nothing written, nothing adopted */
    expect("counter", "reset", "0");
    expect("counter", "incr 9", "9"); /* room again */
    host_close();
    free(m);
}

/* Read-only storage: increments are denied (counted, audited); get still works. */
static void write_not_granted(void **state)
{
    (void)state;
    char *m =
        replace(F.manifest, "permissions = [\"write\", \"delete\"]", "permissions = [\"read\"]");
    host_open(true);
    asw_component_t *c = load(m, NULL);
    expect("counter", "get", "0");
    expect("counter", "incr", "error: storage-set: AS_E_DENIED");
    expect("counter", "reset", "error: storage-delete: AS_E_DENIED");
    expect("counter", "get", "0");
    asw_component_info_t i;
    asw_component_info(c, &i);
    assert_int_equal(i.denied, 2);
    assert_int_equal(i.crashes, 0);
    host_close(); /* flushes the audit log */
    assert_int_equal(asw_audit_flush(F.audit), ASW_OK);
    int n = 0;
    assert_int_equal(asw_audit_scan(F.audit_path, "counter", "denied", count_audit, &n, NULL, NULL),
                     ASW_OK);
    assert_true(n >= 2);
    free(m);
}

/* Two instances of the module: two namespaces, two counts. */
static void instances_have_own_counts(void **state)
{
    (void)state;
    host_open(true);
    load(F.manifest, NULL);
    load(F.manifest, "counter-b");
    expect("counter", "incr 3", "3");
    expect("counter-b", "incr", "1");
    expect("counter", "get", "3");
    expect("counter-b", "get", "1");
    host_close();
    host_open(true);
    load(F.manifest, "counter-b");
    expect("counter-b", "get", "1");
    host_close();
}

/* Without a storage directory the counter's init fails: it does not start counting from 0. */
static void no_storage_refuses_to_start(void **state)
{
    (void)state;
    host_open(false);
    asw_error_t e = {0};
    int rc = load_text(F.manifest, NULL, NULL, &e);
    assert_int_not_equal(rc, ASW_OK);
    assert_null(asw_host_find(F.host, "counter"));
    host_close();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(survives_host_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(survives_crash_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(reset_and_bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(storage_quota_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(write_not_granted, setup, teardown),
        cmocka_unit_test_setup_teardown(instances_have_own_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(no_storage_refuses_to_start, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
