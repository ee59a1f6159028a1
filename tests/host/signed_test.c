/*
 * tests/host/signed_test.c -- loading signed components through the host: a module and manifest
 * signed by a trusted key load as trusted; a modified manifest or module, a signature by an
 * unknown key, and a malformed .sig are refused with a clear error and leave nothing
 * registered -- and are refused just the same when the caller passes no error record (the
 * host once returned success there). Threaded: the host runs actor workers.
 */
#include "airssys/airssys.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx {
    asw_trust_registry_t *trust;
    asw_host_t *host;
    uint8_t pk[ASW_SIG_PUBLIC_KEY_BYTES], sk[ASW_SIG_SECRET_KEY_BYTES];
    uint8_t *mod;
    size_t modlen;
    char *manifest;
} fx_t;

/* A host whose trust registry trusts one freshly generated signing key (and nothing else). */
static void fx_open(fx_t *f)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(asw_sig_keygen(f->pk, f->sk, NULL), ASW_OK);
    char hex[2 * ASW_SIG_PUBLIC_KEY_BYTES + 1];
    asw_hex_encode(f->pk, sizeof f->pk, hex);
    assert_int_equal(asw_trust_registry_new(&f->trust, NULL), ASW_OK);
    assert_int_equal(asw_trust_add_key(f->trust, hex, NULL), ASW_OK);
    asw_system_opts_t so = {.workers = 1};
    asw_host_opts_t ho = {.system_opts = &so, .trust = f->trust, .log = asw_test_quiet_log};
    assert_int_equal(asw_host_new(&ho, &f->host, NULL), ASW_OK);
    f->mod = asw_test_read_file(ASW_GUEST_ECHO, &f->modlen);
    assert_non_null(f->mod);
    size_t n;
    uint8_t *m = asw_test_read_file(asw_test_src_path("examples/echo/Component.toml"), &n);
    assert_non_null(m);
    f->manifest = calloc(1, n + 1);
    assert_non_null(f->manifest);
    memcpy(f->manifest, m, n);
    free(m);
}

static void fx_close(fx_t *f)
{
    asw_host_free(f->host);
    asw_trust_registry_free(f->trust);
    free(f->mod);
    free(f->manifest);
}

static void sign(const fx_t *f, const uint8_t *sk, char sig[ASW_SIG_TEXT_MAX])
{
    assert_int_equal(asw_sig_sign(sk, f->mod, f->modlen, (const uint8_t *)f->manifest,
                                  strlen(f->manifest), sig, NULL),
                     ASW_OK);
}

static int load(fx_t *f, const uint8_t *mod, size_t modlen, const char *manifest, const char *sig,
                const char *name, asw_component_t **out, asw_error_t *err)
{
    asw_component_source_t s = {.module = mod,
                                .module_len = modlen,
                                .manifest = manifest,
                                .manifest_len = strlen(manifest),
                                .sig = sig,
                                .sig_len = sig ? strlen(sig) : 0,
                                .name = name};
    return asw_host_load(f->host, &s, out, err);
}

/* Loads with and without an error record; both must fail with `code`; the message (first load)
 * must contain `why`; nothing may be registered under `name`. */
static void refused(fx_t *f, const uint8_t *mod, size_t modlen, const char *manifest,
                    const char *sig, const char *name, int code, const char *why)
{
    asw_error_t err = {0};
    asw_component_t *c = NULL;
    assert_int_equal(load(f, mod, modlen, manifest, sig, name, &c, &err), code);
    if (!strstr(asw_error_message(&err), why))
        fail_msg("'%s' does not say '%s'", asw_error_message(&err), why);
    assert_null(c);
    assert_int_equal(load(f, mod, modlen, manifest, sig, name, &c, NULL), code);
    assert_null(c);
    assert_null(asw_host_find(f->host, name));
}

static void signed_by_trusted_key_loads_as_trusted(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    char sig[ASW_SIG_TEXT_MAX];
    sign(&f, f.sk, sig);
    asw_component_t *c = NULL;
    asw_error_t err = {0};
    int rc = load(&f, f.mod, f.modlen, f.manifest, sig, "echo1", &c, &err);
    if (rc) fail_msg("load: %s", asw_error_message(&err));
    asw_component_info_t info;
    asw_component_info(c, &info);
    assert_int_equal(info.trust, ASW_TRUST_TRUSTED);
    assert_ptr_equal(asw_host_find(f.host, "echo1"), c);
    /* Without the signature the same module is unknown: no approval store, so refused. */
    refused(&f, f.mod, f.modlen, f.manifest, NULL, "echo2", ASW_E_PENDING, "not trusted");
    fx_close(&f);
}

static void modified_or_foreign_signatures_are_refused(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    char sig[ASW_SIG_TEXT_MAX];
    sign(&f, f.sk, sig);

    /* The manifest changed after signing (one more capability would be the attack). */
    size_t n = strlen(f.manifest);
    char *m2 = malloc(n + 32);
    assert_non_null(m2);
    memcpy(m2, f.manifest, n);
    memcpy(m2 + n, "\n# changed after signing\n", 26);
    refused(&f, f.mod, f.modlen, m2, sig, "m", ASW_E_SIGNATURE, "manifest");

    /* The module changed after signing: one byte of its last section. */
    uint8_t *mod2 = malloc(f.modlen);
    assert_non_null(mod2);
    memcpy(mod2, f.mod, f.modlen);
    mod2[f.modlen - 1] ^= 0x01;
    refused(&f, mod2, f.modlen, f.manifest, sig, "w", ASW_E_SIGNATURE, "module");

    /* A valid signature by a key the registry does not trust: the module is not trusted. */
    uint8_t pk2[ASW_SIG_PUBLIC_KEY_BYTES], sk2[ASW_SIG_SECRET_KEY_BYTES];
    assert_int_equal(asw_sig_keygen(pk2, sk2, NULL), ASW_OK);
    char sig2[ASW_SIG_TEXT_MAX];
    sign(&f, sk2, sig2);
    refused(&f, f.mod, f.modlen, f.manifest, sig2, "k", ASW_E_PENDING, "not trusted");

    /* A .sig that is not one. */
    refused(&f, f.mod, f.modlen, f.manifest, "not a signature\n", "s", ASW_E_PARSE,
            "component 's'");

    free(m2);
    free(mod2);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signed_by_trusted_key_loads_as_trusted),
        cmocka_unit_test(modified_or_foreign_signatures_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
