/*
 * tests/host/proto_test.c -- compile once, spawn many (asw_host_prepare / asw_host_spawn): the
 * instances of one prepared echo component run independently under their own names, with the
 * prototype's granted capabilities; bad names, duplicates and foreign prototypes are refused;
 * the prototype may be freed while its instances run; every spawn is audited.
 */
#include "airssys/airssys.h"
#include "testlib.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct fx {
    char dir[64], audit_path[96];
    asw_audit_t *audit;
    asw_trust_registry_t *trust;
    asw_host_t *host;
    uint8_t *mod;
    size_t modlen;
    char *manifest;
} fx_t;

static asw_host_t *new_host(fx_t *f)
{
    asw_system_opts_t so = {.workers = 2};
    asw_host_opts_t ho = {
        .system_opts = &so, .audit = f->audit, .trust = f->trust, .log = asw_test_quiet_log};
    asw_host_t *h = NULL;
    asw_error_t err = {0};
    int rc = asw_host_new(&ho, &h, &err);
    if (rc) fprintf(stderr, "host: %s\n", asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
    return h;
}

static void fx_open(fx_t *f)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(asw_test_tmpdir_new(f->dir, sizeof f->dir, "proto"), 0);
    snprintf(f->audit_path, sizeof f->audit_path, "%s/audit.log", f->dir);
    asw_audit_config_t ac = {.path = f->audit_path};
    assert_int_equal(asw_audit_open(&ac, &f->audit, NULL), ASW_OK);
    assert_int_equal(asw_trust_registry_new(&f->trust, NULL), ASW_OK);
    f->mod = asw_test_read_file(ASW_GUEST_ECHO, &f->modlen);
    assert_non_null(f->mod);
    uint8_t sha[32];
    char hex[65];
    assert_int_equal(asw_sha256(f->mod, f->modlen, sha), ASW_OK);
    asw_hex_encode(sha, 32, hex);
    assert_int_equal(asw_trust_add_hash(f->trust, hex, NULL), ASW_OK);
    size_t n;
    uint8_t *m = asw_test_read_file(asw_test_src_path("examples/echo/Component.toml"), &n);
    assert_non_null(m);
    f->manifest = calloc(1, n + 1);
    assert_non_null(f->manifest);
    memcpy(f->manifest, m, n);
    free(m);
    f->host = new_host(f);
}

static void fx_close(fx_t *f)
{
    asw_host_free(f->host);
    asw_audit_close(f->audit);
    asw_trust_registry_free(f->trust);
    free(f->mod);
    free(f->manifest);
    assert_int_equal(asw_test_tmpdir_remove(f->dir), 0);
}

static asw_component_proto_t *prepare(fx_t *f, asw_host_t *h)
{
    asw_component_source_t s = {.module = f->mod,
                                .module_len = f->modlen,
                                .manifest = f->manifest,
                                .manifest_len = strlen(f->manifest)};
    asw_component_proto_t *p = NULL;
    asw_error_t err = {0};
    int rc = asw_host_prepare(h, &s, &p, &err);
    if (rc) fprintf(stderr, "prepare: %s\n", asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
    assert_non_null(p);
    assert_string_equal(asw_component_proto_name(p), "echo");
    return p;
}

static void ask(asw_host_t *h, const char *name, const char *text)
{
    void *rep = NULL;
    size_t len = 0;
    asw_error_t err = {0};
    int rc = asw_host_request(h, name, text, strlen(text), 5000000000u, &rep, &len, &err);
    if (rc) fprintf(stderr, "request %s: %s\n", name, asw_error_message(&err));
    assert_int_equal(rc, ASW_OK);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(rep, text, len);
    asw_host_buffer_free(rep);
}

static int count_audit(void *ud, const asw_audit_entry_t *e)
{
    if (e->reason && strstr(e->reason, "instance of prepared component 'echo'")) (*(int *)ud)++;
    return 0;
}

static void spawn_many_from_one_prototype(void **st)
{
    (void)st;
    fx_t f;
    fx_open(&f);
    asw_component_proto_t *p = prepare(&f, f.host);
    char name[32], text[32];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "echo-%d", i);
        asw_component_t *c = NULL;
        assert_int_equal(asw_host_spawn(f.host, p, name, NULL, &c, NULL), ASW_OK);
        assert_non_null(c);
        assert_string_equal(asw_component_name(c), name);
    }
    assert_int_equal(asw_host_count(f.host), 50);
    asw_component_proto_free(p); /* the instances keep what they need */
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "echo-%d", i);
        snprintf(text, sizeof text, "hello %d", i);
        ask(f.host, name, text);
        asw_component_info_t info;
        asw_component_info(asw_host_find(f.host, name), &info);
        assert_int_equal(info.handled, 1);
        assert_int_equal(info.state, ASW_COMPONENT_RUNNING);
    }
    assert_int_equal(asw_audit_flush(f.audit), ASW_OK);
    int n = 0;
    assert_int_equal(asw_audit_scan(f.audit_path, NULL, NULL, count_audit, &n, NULL, NULL), ASW_OK);
    assert_int_equal(n, 50);
    fx_close(&f);
}

static void spawn_refuses_bad_names_duplicates_and_foreign_prototypes(void **st)
{
    (void)st;
    fx_t f;
    fx_open(&f);
    asw_component_proto_t *p = prepare(&f, f.host);
    asw_error_t err = {0};
    assert_int_equal(asw_host_spawn(f.host, p, NULL, NULL, NULL, &err), ASW_OK); /* "echo" */
    assert_non_null(asw_host_find(f.host, "echo"));
    assert_int_equal(asw_host_spawn(f.host, p, "echo", NULL, NULL, &err), ASW_E_EXISTS);
    assert_non_null(strstr(asw_error_message(&err), "already loaded"));
    assert_int_equal(asw_host_spawn(f.host, p, "../etc", NULL, NULL, &err), ASW_E_INVALID);
    assert_int_equal(asw_host_spawn(f.host, p, "", NULL, NULL, &err), ASW_E_INVALID);
    char longname[80];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_int_equal(asw_host_spawn(f.host, p, longname, NULL, NULL, &err), ASW_E_INVALID);
    assert_int_equal(asw_host_spawn(f.host, NULL, "x", NULL, NULL, &err), ASW_E_INVALID);
    assert_int_equal(asw_host_spawn(NULL, p, "x", NULL, NULL, &err), ASW_E_INVALID);
    asw_host_t *other = new_host(&f);
    assert_int_equal(asw_host_spawn(other, p, "x", NULL, NULL, &err), ASW_E_INVALID);
    assert_non_null(strstr(asw_error_message(&err), "another host"));
    asw_host_free(other);
    /* A failed spawn leaves no trace: the name is free for the next one. */
    assert_int_equal(asw_host_spawn(f.host, p, "echo-2", NULL, NULL, &err), ASW_OK);
    ask(f.host, "echo-2", "ok");
    asw_component_proto_free(p);
    asw_component_proto_free(NULL);
    fx_close(&f);
}

static void prepare_reports_manifest_and_module_errors(void **st)
{
    (void)st;
    fx_t f;
    fx_open(&f);
    asw_component_proto_t *p = (asw_component_proto_t *)&f; /* must be reset to NULL */
    asw_error_t err = {0};
    asw_component_source_t bad = {.module = f.mod,
                                  .module_len = f.modlen,
                                  .manifest = "[component]\nname = 5\n",
                                  .manifest_len = 21};
    assert_true(asw_host_prepare(f.host, &bad, &p, &err) < 0);
    assert_null(p);
    static const uint8_t junk[] = {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00};
    asw_component_source_t badmod = {.module = junk,
                                     .module_len = sizeof junk,
                                     .manifest = f.manifest,
                                     .manifest_len = strlen(f.manifest)};
    /* Not trusted (hash unknown) and no approval store: refused before compiling. */
    assert_int_equal(asw_host_prepare(f.host, &badmod, &p, &err), ASW_E_PENDING);
    assert_null(p);
    assert_int_equal(asw_host_prepare(f.host, NULL, &p, &err), ASW_E_INVALID);
    assert_int_equal(asw_host_count(f.host), 0);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spawn_many_from_one_prototype),
        cmocka_unit_test(spawn_refuses_bad_names_duplicates_and_foreign_prototypes),
        cmocka_unit_test(prepare_reports_manifest_and_module_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
