/*
 * tests/security/fuzz_text_replay.c -- runs the text-format fuzz entry point (fuzz/fuzz_text.c)
 * in every build, without libFuzzer: seed documents for each target (the example manifests and
 * system manifests, a trust registry, a .sig, TOML of every kind, value strings) and a fixed
 * number of deterministic mutations of them (testlib's asw_test_mutate, with TOML's special
 * characters as the interesting bytes). The entry point traps on a broken invariant; the
 * sanitizer builds catch memory errors and leaks.
 */
#include "testlib.h"

#include "base/base.h"
#include "fuzz/fuzz_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MUTATIONS 400000
#define MAX_SEEDS 48

typedef struct {
    uint8_t *p[MAX_SEEDS];
    size_t n[MAX_SEEDS], count;
} seeds_t;

static void add(seeds_t *s, unsigned target, const void *text, size_t len)
{
    assert_true(s->count < MAX_SEEDS);
    uint8_t *b = malloc(len + 1);
    assert_non_null(b);
    b[0] = (uint8_t)target;
    memcpy(b + 1, text, len);
    s->p[s->count] = b;
    s->n[s->count++] = len + 1;
}

static void add_file(seeds_t *s, unsigned target, const char *rel)
{
    size_t len;
    uint8_t *t = asw_test_read_file(asw_test_src_path(rel), &len);
    if (!t) fail_msg("cannot read %s", rel);
    add(s, target, t, len);
    free(t);
}

static void add_str(seeds_t *s, unsigned target, const char *text)
{
    add(s, target, text, strlen(text));
}

static void replay(void **state)
{
    (void)state;
    seeds_t s = {0};
    static const char *const manifests[] = {
        "examples/echo/Component.toml",       "examples/counter/Component.toml",
        "examples/filereader/Component.toml", "examples/netclient/Component.toml",
        "examples/misbehave/Component.toml",  "examples/calculator/Component.toml",
        "examples/pipeline/transform.toml",   "examples/demo/ticker.toml"};
    static const char *const systems[] = {"examples/demo/airssys.toml",
                                          "examples/pipeline/airssys.toml",
                                          "examples/counter/airssys.toml"};
    for (size_t i = 0; i < ASW_ARRAY_LEN(manifests); i++) {
        add_file(&s, FUZZ_TEXT_MANIFEST, manifests[i]);
        add_file(&s, FUZZ_TEXT_TOML, manifests[i]);
    }
    for (size_t i = 0; i < ASW_ARRAY_LEN(systems); i++)
        add_file(&s, FUZZ_TEXT_SYSMANIFEST, systems[i]);
    add_str(&s, FUZZ_TEXT_TOML,
            "a = 1\nb = -0x1f\nc = 1e-3\nd = inf\ne = 1979-05-27T07:32:00.999-08:00\n"
            "f = 07:32:00\ng = [1, [\"x\", 'y'], {h = true}]\n\"quoted key\".x = \"\"\"multi\n"
            "line\\u00e9\"\"\"\n[t.u]\nv = '''raw'''\n[[aot]]\nw = 2\n[[aot]]\n");
    add_str(&s, FUZZ_TEXT_TRUST,
            "dev_mode = false\n[[trusted.keys]]\nkey = \""
            "5f1c6f0fd3a0c7c6b7f3fd5bb8d7e4c1e2a3b4c5d6e7f8091a2b3c4d5e6f7081\"\nname = \"k\"\n"
            "[[trusted.hashes]]\nsha256 = "
            "\"9a0b6f0fd3a0c7c6b7f3fd5bb8d7e4c1e2a3b4c5d6e7f8091a2b3c4d5e6f7081\"\n"
            "[[trusted.paths]]\npattern = \"/opt/components/**\"\n"
            "[[trusted.git]]\nurl = \"https://github.com/acme/*\"\nbranch = \"main\"\n");
    add_str(&s, FUZZ_TEXT_SIG,
            "airssys-signature-v1\nalgorithm: ed25519\n"
            "key: 5f1c6f0fd3a0c7c6b7f3fd5bb8d7e4c1e2a3b4c5d6e7f8091a2b3c4d5e6f7081\n"
            "module-sha256: 9a0b6f0fd3a0c7c6b7f3fd5bb8d7e4c1e2a3b4c5d6e7f8091a2b3c4d5e6f7081\n"
            "manifest-sha256: 9a0b6f0fd3a0c7c6b7f3fd5bb8d7e4c1e2a3b4c5d6e7f8091a2b3c4d5e6f7081\n"
            "signature: 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
    static const char *const vals[] = {
        "250ms",
        "1h",
        "16MiB",
        "10/s",
        "100KB/s",
        "8000-8080",
        "10.0.0.0/8",
        "::1",
        "fe80::1/64",
        "read",
        "5f1c6f0fd3a0c7c6b7f3fd5bb8d7e4c1e2a3b4c5d6e7f8091a2b3c4d5e6f7081"};
    for (size_t i = 0; i < ASW_ARRAY_LEN(vals); i++)
        add_str(&s, FUZZ_TEXT_VALUES, vals[i]);

    for (size_t i = 0; i < s.count; i++)
        LLVMFuzzerTestOneInput(s.p[i], s.n[i]);

    static const uint8_t interesting[] = {'"', '\'', '[',  ']',  '{',  '}',  '=', ',', '.',
                                          '#', '\n', '\\', ' ',  '0',  '9',  '-', ':', 'e',
                                          'u', 0,    0x7f, 0xc3, 0xe9, 0xed, 0xff};
    size_t cap = 16384;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    clock_t t0 = clock();
    for (unsigned i = 0; i < MUTATIONS; i++) {
        size_t k = asw_test_rand() % s.count;
        if (s.n[k] + 16 > cap) continue;
        size_t n = asw_test_mutate(s.p[k], s.n[k], buf, cap, interesting, sizeof interesting);
        if (n == 0) continue;
        buf[0] = s.p[k][0];      /* keep the seed's target */
        uint8_t *in = malloc(n); /* an exact-size copy so ASan sees every read past the end */
        assert_non_null(in);
        memcpy(in, buf, n);
        LLVMFuzzerTestOneInput(in, n);
        free(in);
    }
    printf("%u mutations of %zu seeds in %.2f s\n", MUTATIONS, s.count,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    free(buf);
    for (size_t i = 0; i < s.count; i++)
        free(s.p[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(replay)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
