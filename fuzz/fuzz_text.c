/*
 * fuzz/fuzz_text.c -- the fuzz entry point of the text formats a component or its operator
 * hands the host: TOML documents, Component.toml manifests, airssys.toml system manifests,
 * trust registries, detached .sig files, and the small value parsers behind them (durations,
 * sizes, rates, ports, IP addresses and CIDRs, public keys). A third-party component's manifest
 * and signature are hostile input, so every one of these must fail cleanly on any bytes.
 *
 * The first input byte picks the target (fuzz_text.h), the rest is the text. Built two ways: as a
 * libFuzzer target (fuzz/CMakeLists.txt) and into the deterministic replay test
 * tests/security/fuzz_text_replay.c, which runs it on the seed documents and mutations of them
 * in every normal build.
 *
 * Invariants checked (a violation traps, which both harnesses report): a failure carries its
 * code and a message in the error record and leaves no object; a success leaves an object that
 * is walked (TOML) or freed; nothing else -- memory errors and leaks are the sanitizers' part.
 */
#include "fuzz_text.h"

#include "airssys/airssys.h"

#include <stdlib.h>
#include <string.h>

static void check(int rc, const asw_error_t *e, const void *obj)
{
    if (rc == ASW_OK) {
        if (!obj) __builtin_trap();
        return;
    }
    if (obj || e->code != rc || e->msg[0] == 0) __builtin_trap();
}

/* Visits every value of a document, as a consumer would (depth-limited by the parser). */
static void walk(const asw_toml_value_t *v)
{
    size_t n = asw_toml_count(v), len;
    switch (asw_toml_type(v)) {
    case ASW_TOML_TABLE:
        for (size_t i = 0; i < n; i++) {
            const char *k = asw_toml_key_at(v, i, &len);
            if (!k) __builtin_trap();
            const asw_toml_value_t *c = asw_toml_getn(v, k, len);
            if (!c) __builtin_trap();
            walk(c);
        }
        break;
    case ASW_TOML_ARRAY:
        for (size_t i = 0; i < n; i++)
            walk(asw_toml_at(v, i));
        break;
    case ASW_TOML_STRING:
        if (!asw_toml_string(v, &len)) __builtin_trap();
        break;
    default: break;
    }
}

/* A value parser's answer: a failure carries its code and a message. Resets e for the next. */
static void check_value(int rc, asw_error_t *e)
{
    if (rc && (e->code != rc || !e->msg[0])) __builtin_trap();
    asw_error_init(e);
}

/* The small parsers take NUL-terminated strings: the text is cut at its first NUL. */
static void values(const char *s, size_t n)
{
    asw_error_t e = {0};
    uint64_t u;
    uint16_t lo, hi;
    asw_rate_unit_t unit;
    asw_cidr_t cidr;
    uint8_t pk[ASW_SIG_PUBLIC_KEY_BYTES];
    check_value(asw_manifest_parse_duration(s, &u, &e), &e);
    check_value(asw_quota_parse_size(s, &u, &e), &e);
    check_value(asw_quota_parse_rate(s, &unit, &u, &e), &e);
    int rc = asw_net_parse_ports(s, &lo, &hi, &e);
    if (rc == ASW_OK && lo > hi) __builtin_trap();
    check_value(rc, &e);
    check_value(asw_net_parse_ip(s, n, &cidr, &e), &e);
    check_value(asw_net_parse_cidr(s, &cidr, &e), &e);
    check_value(asw_sig_parse_public_key(s, pk, &e), &e);
    (void)asw_cap_perm_parse(s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    unsigned target = data[0] % FUZZ_TEXT_COUNT;
    /* An exact-size copy with a NUL behind it: reads past the text are the sanitizer's to see,
     * and the NUL-terminated parsers get a string. */
    size_t n = size - 1;
    char *text = malloc(n + 1);
    if (!text) return 0;
    memcpy(text, data + 1, n);
    text[n] = 0;
    asw_error_t e = {0};
    int rc;
    switch (target) {
    case FUZZ_TEXT_TOML: {
        asw_toml_value_t *root = NULL;
        rc = asw_toml_parse(text, n, &root, &e);
        check(rc, &e, root);
        if (root) walk(root);
        asw_toml_free(root);
        break;
    }
    case FUZZ_TEXT_MANIFEST: {
        asw_manifest_t *m = NULL;
        rc = asw_manifest_parse(text, n, &m, &e);
        check(rc, &e, m);
        asw_manifest_free(m);
        break;
    }
    case FUZZ_TEXT_SYSMANIFEST: {
        asw_sysmanifest_t *m = NULL;
        rc = asw_sysmanifest_parse(text, n, "/srv/system", &m, &e);
        check(rc, &e, m);
        asw_sysmanifest_free(m);
        break;
    }
    case FUZZ_TEXT_TRUST: {
        asw_trust_registry_t *r = NULL;
        rc = asw_trust_registry_parse(text, n, &r, &e);
        check(rc, &e, r);
        asw_trust_registry_free(r);
        break;
    }
    case FUZZ_TEXT_SIG: {
        /* A .sig against a fixed module and manifest: any text must parse or fail cleanly;
         * none can verify (nobody holds a key that signed these bytes). */
        static const uint8_t module[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
        static const char manifest[] = "[component]\nname = \"x\"\nversion = \"1.0.0\"\n";
        uint8_t signer[ASW_SIG_PUBLIC_KEY_BYTES];
        rc = asw_sig_verify(text, n, module, sizeof module, (const uint8_t *)manifest,
                            sizeof manifest - 1, NULL, signer, &e);
        if (rc == ASW_OK || e.code != rc || !e.msg[0]) __builtin_trap();
        break;
    }
    default: values(text, strlen(text)); break;
    }
    free(text);
    return 0;
}
