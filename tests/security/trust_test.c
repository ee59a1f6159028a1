/*
 * tests/security/trust_test.c -- signing and trust: sign/verify round trip, a tampered module,
 * a tampered manifest, an altered .sig, a wrong key (spoofing), key files, public key forms;
 * the trust registry from TOML (errors with line numbers, unknown keys), pinned hashes versus a
 * renamed file, path and git patterns, dev mode versus trusted.
 */
#include "testlib.h"

#include "airssys/security.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return asw_test_tmpdir_new(dir, sizeof dir, "trust");
}

static int teardown(void **state)
{
    (void)state;
    return asw_test_tmpdir_remove(dir);
}

static const char *file(const char *name)
{
    return asw_test_path_in(dir, name); /* a ring of four: one call may take four paths */
}

static const uint8_t module[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
static const char manifest[] = "[component]\nname = \"x\"\n";

static void sign_and_verify(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], pk2[32], sk2[64], signer[32];
    asw_error_t e = {0};
    assert_int_equal(asw_sig_keygen(pk, sk, &e), 0);
    assert_int_equal(asw_sig_keygen(pk2, sk2, &e), 0);
    char sig[ASW_SIG_TEXT_MAX];
    assert_int_equal(asw_sig_sign(sk, module, sizeof module, (const uint8_t *)manifest,
                                  strlen(manifest), sig, &e),
                     0);
    assert_non_null(strstr(sig, "airssys-signature-v1\n"));
    size_t sl = strlen(sig);
    assert_int_equal(asw_sig_verify(sig, sl, module, sizeof module, (const uint8_t *)manifest,
                                    strlen(manifest), pk, signer, &e),
                     0);
    assert_memory_equal(signer, pk, 32);
    /* Tampered module. */
    uint8_t bad[sizeof module];
    memcpy(bad, module, sizeof bad);
    bad[7] ^= 1;
    assert_int_equal(asw_sig_verify(sig, sl, bad, sizeof bad, (const uint8_t *)manifest,
                                    strlen(manifest), pk, NULL, &e),
                     ASW_E_SIGNATURE);
    assert_non_null(strstr(e.msg, "module was modified"));
    /* Tampered manifest. */
    assert_int_equal(
        asw_sig_verify(sig, sl, module, sizeof module, (const uint8_t *)"x", 1, pk, NULL, &e),
        ASW_E_SIGNATURE);
    assert_non_null(strstr(e.msg, "manifest was modified"));
    /* Manifest dropped at verification. */
    assert_int_equal(asw_sig_verify(sig, sl, module, sizeof module, NULL, 0, pk, NULL, &e),
                     ASW_E_SIGNATURE);
    /* Trust spoofing: a valid signature by another key. */
    char sig2[ASW_SIG_TEXT_MAX];
    assert_int_equal(asw_sig_sign(sk2, module, sizeof module, (const uint8_t *)manifest,
                                  strlen(manifest), sig2, &e),
                     0);
    assert_int_equal(asw_sig_verify(sig2, strlen(sig2), module, sizeof module,
                                    (const uint8_t *)manifest, strlen(manifest), pk, NULL, &e),
                     ASW_E_UNTRUSTED);
    assert_non_null(strstr(e.msg, "expected key"));
    /* Spoofing the key line: name the trusted key but keep the other key's signature. */
    char forged[ASW_SIG_TEXT_MAX];
    strcpy(forged, sig2);
    char hex[65];
    asw_hex_encode(pk, 32, hex);
    memcpy(strstr(forged, "key: ") + 5, hex, 64);
    assert_int_equal(asw_sig_verify(forged, strlen(forged), module, sizeof module,
                                    (const uint8_t *)manifest, strlen(manifest), pk, NULL, &e),
                     ASW_E_SIGNATURE);
    assert_non_null(strstr(e.msg, "signature is invalid"));
    /* Updating the recorded hash to match a tampered module breaks the signature. */
    strcpy(forged, sig);
    uint8_t h[32];
    asw_sha256(bad, sizeof bad, h);
    asw_hex_encode(h, 32, hex);
    memcpy(strstr(forged, "module-sha256: ") + 15, hex, 64);
    assert_int_equal(asw_sig_verify(forged, strlen(forged), bad, sizeof bad,
                                    (const uint8_t *)manifest, strlen(manifest), pk, NULL, &e),
                     ASW_E_SIGNATURE);
    /* Malformed .sig files. */
    assert_int_equal(asw_sig_verify("hello", 5, module, sizeof module, NULL, 0, NULL, NULL, &e),
                     ASW_E_PARSE);
    strcpy(forged, sig);
    *strstr(forged, "signature: ") = 'X';
    assert_int_equal(asw_sig_verify(forged, strlen(forged), module, sizeof module,
                                    (const uint8_t *)manifest, strlen(manifest), NULL, NULL, &e),
                     ASW_E_PARSE);
}

static void key_files_and_forms(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], pk_r[32], sk_r[64];
    asw_error_t e = {0};
    assert_int_equal(asw_sig_keygen(pk, sk, &e), 0);
    assert_int_equal(asw_sig_write_keys(file("k"), pk, sk, &e), 0);
    assert_int_equal(asw_sig_write_keys(file("k"), pk, sk, &e), ASW_E_EXISTS);
    struct stat st;
    assert_int_equal(stat(file("k.key"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(asw_sig_read_secret_key(file("k.key"), sk_r, &e), 0);
    assert_memory_equal(sk, sk_r, 64);
    assert_int_equal(asw_sig_read_public_key(file("k.pub"), pk_r, &e), 0);
    assert_memory_equal(pk, pk_r, 32);
    assert_int_equal(asw_sig_read_secret_key(file("k.pub"), sk_r, &e), ASW_E_PARSE);
    assert_int_equal(asw_sig_read_secret_key(file("none.key"), sk_r, &e), ASW_E_IO);

    /* Files: sign, verify, then tamper with the module on disk. */
    FILE *f = fopen(file("m.wasm"), "wb");
    fwrite(module, 1, sizeof module, f);
    fclose(f);
    asw_test_write_text(file("Component.toml"), manifest);
    assert_int_equal(asw_sig_sign_files(file("k.key"), file("m.wasm"), file("Component.toml"),
                                        file("m.wasm.sig"), &e),
                     0);
    uint8_t signer[32];
    assert_int_equal(asw_sig_verify_files(file("m.wasm.sig"), file("m.wasm"),
                                          file("Component.toml"), pk, signer, &e),
                     0);
    asw_test_write_text(file("Component.toml"), "[component]\nname = \"evil\"\n");
    assert_int_equal(asw_sig_verify_files(file("m.wasm.sig"), file("m.wasm"),
                                          file("Component.toml"), pk, signer, &e),
                     ASW_E_SIGNATURE);

    /* Public key forms: hex and base64, whitespace around. */
    static const char b64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    uint8_t k[32];
    assert_int_equal(asw_sig_parse_public_key(b64, k, &e), 0);
    for (int i = 0; i < 32; i++)
        assert_int_equal(k[i], i);
    assert_int_equal(
        asw_sig_parse_public_key(
            " 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", k, &e),
        0);
    assert_int_equal(k[31], 31);
    assert_int_equal(asw_sig_parse_public_key("abcd", k, &e), ASW_E_PARSE);
    assert_int_equal(asw_sig_parse_public_key(
                         "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", k, &e),
                     ASW_E_PARSE);
}

static void registry_from_toml(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], other[32], osk[64];
    asw_error_t e = {0};
    assert_int_equal(asw_sig_keygen(pk, sk, &e), 0);
    assert_int_equal(asw_sig_keygen(other, osk, &e), 0);
    uint8_t mh[32], mh2[32];
    asw_sha256(module, sizeof module, mh);
    asw_sha256("other", 5, mh2);
    char pkhex[65], mhhex[65], text[2048];
    asw_hex_encode(pk, 32, pkhex);
    asw_hex_encode(mh, 32, mhhex);
    snprintf(text, sizeof text,
             "dev_mode = false\n"
             "[[trusted.keys]]\nkey = \"%s\"\nname = \"release\"\n"
             "[[trusted.hashes]]\nsha256 = \"%s\"\n"
             "[[trusted.paths]]\npattern = \"/opt/components/**\"\n"
             "[[trusted.git]]\nurl = \"https://github.com/acme/*\"\nbranch = \"main\"\n",
             pkhex, mhhex);
    asw_test_write_text(file("trust.toml"), text);
    asw_trust_registry_t *reg = NULL;
    assert_int_equal(asw_trust_registry_load(file("trust.toml"), &reg, &e), 0);
    asw_trust_result_t r;
    asw_trust_subject_t s = {.module_sha256 = mh};
    /* Pinned hash: trusted whatever the file is called. */
    s.path = "/tmp/renamed-anything.wasm";
    assert_int_equal(asw_trust_determine(reg, &s, &r), 0);
    assert_int_equal(r.level, ASW_TRUST_TRUSTED);
    assert_string_equal(r.matched, mhhex);
    /* A different module renamed to a trusted name is not trusted by name. */
    s.module_sha256 = mh2;
    s.path = "/srv/trusted-name.wasm";
    assert_int_equal(asw_trust_determine(reg, &s, &r), 0);
    assert_int_equal(r.level, ASW_TRUST_UNKNOWN);
    /* Keys: only a verified signer key counts; a wrong key does not. */
    s.signer_key = other;
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_UNKNOWN);
    s.signer_key = pk;
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_TRUSTED);
    assert_string_equal(r.reason, "signed by a trusted key");
    s.signer_key = NULL;
    /* Paths, with traversal attempts. */
    s.path = "/opt/components/a/b.wasm";
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_TRUSTED);
    s.path = "/opt/components/../evil/b.wasm";
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_UNKNOWN);
    s.path = "/opt/componentsX/b.wasm";
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_UNKNOWN);
    s.path = NULL;
    /* Git: url pattern and branch. */
    s.git_url = "https://github.com/acme/widget";
    s.git_branch = "main";
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_TRUSTED);
    s.git_branch = "dev";
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_UNKNOWN);
    s.git_branch = "main";
    static const char *const bad_urls[] = {
        "https://github.com/acme/../evil/x", "https://github.com/acme/x/y",
        "https://github.com/acme%2f..%2fevil", "https://github.com/acmex/widget"};
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        s.git_url = bad_urls[i];
        asw_trust_determine(reg, &s, &r);
        assert_int_equal(r.level, ASW_TRUST_UNKNOWN);
    }
    s.git_url = NULL;
    /* Dev mode versus trusted: trusted stays trusted, the rest becomes dev-mode. */
    asw_trust_set_dev_mode(reg, true);
    assert_true(asw_trust_dev_mode(reg));
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_DEV);
    s.module_sha256 = mh;
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_TRUSTED);
    asw_trust_registry_free(reg);

    /* Errors carry line and column. */
    static const struct {
        const char *text, *needle;
    } bad[] = {
        {"dev_mod = true\n", "unknown key 'dev_mod'"},
        {"dev_mode = 1\n", "line 1"},
        {"[[trusted.keys]]\nkey = \"abc\"\n", "line 2"},
        {"[[trusted.keys]]\nname = \"x\"\n", "'key' is required"},
        {"[[trusted.paths]]\npattern = \"relative/**\"\n", "not absolute"},
        {"[[trusted.git]]\nurl = \"*\"\n", "git url"},
        {"[[trusted.hashes]]\nsha256 = \"12\"\n", "64 hex"},
        {"[[trusted.magic]]\nx = 1\n", "unknown key 'magic'"},
        {"dev_mode = \n", "line 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_not_equal(asw_trust_registry_parse(bad[i].text, strlen(bad[i].text), &reg, &e),
                             0);
        assert_null(reg);
        if (!strstr(e.msg, bad[i].needle)) fail_msg("'%s': got '%s'", bad[i].text, e.msg);
    }
    assert_int_equal(asw_trust_registry_parse("", 0, &reg, &e), 0);
    s.module_sha256 = mh;
    asw_trust_determine(reg, &s, &r);
    assert_int_equal(r.level, ASW_TRUST_UNKNOWN);
    asw_trust_registry_free(reg);
    assert_int_equal(asw_trust_registry_load(file("missing.toml"), &reg, &e), ASW_E_IO);
}

static void registry_allocation_failures(void **state)
{
    (void)state;
    static const char text[] =
        "dev_mode = true\n[[trusted.paths]]\npattern = \"/a/**\"\n[[trusted.git]]\n"
        "url = \"https://x.org/*\"\nbranch = \"main\"\n[[trusted.hashes]]\nsha256 = "
        "\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"\n";
    for (unsigned long n = 1;; n++) {
        asw_test_alloc_install(n, 0);
        asw_trust_registry_t *reg = NULL;
        asw_error_t e = {0};
        int rc = asw_trust_registry_parse(text, strlen(text), &reg, &e);
        asw_trust_registry_free(reg);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (!rc) break;
        assert_int_equal(rc, ASW_E_NOMEM);
        assert_true(n < 500);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sign_and_verify),
        cmocka_unit_test(key_files_and_forms),
        cmocka_unit_test(registry_from_toml),
        cmocka_unit_test(registry_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
