/*
 * tests/wasm/fuzz_replay.c -- runs the fuzz entry point (fuzz/fuzz_module.c) in every build,
 * without libFuzzer: the seed corpus (the generated test modules plus a few built-in ones) and
 * a fixed number of deterministic mutations of it (bit flips, truncations, byte insertions and
 * deletions, interesting byte values, LEB128 stretching: testlib's asw_test_mutate). The entry
 * point traps on a broken invariant; the sanitizer builds catch memory errors. Deterministic: a
 * fixed xorshift seed.
 */
#include "front_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MUTATIONS 100000

static const uint8_t interesting[] = {0x00, 0x01, 0x0b, 0x40, 0x41, 0x60, 0x6f,
                                      0x70, 0x7b, 0x7f, 0x80, 0xfc, 0xfd, 0xff};

static void replay(void **state)
{
    (void)state;
    static const raw_t builtin[] = {
        R("\0asm\x01\0\0\0"),
        R("\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x09\x01\x07\0\x41\x01\x04\x40"
          "\x0b\x0b"),
        R("\0asm\x01\0\0\0\x01\x05\x01\x60\x01\x7f\0\x03\x02\x01\0\x05\x03\x01\0\x01\x0c\x01\x01"
          "\x0a\x11\x01\x0f\0\x20\0\x41\0\x41\x01\xfc\x08\0\0\xfc\x09\0\x0b\x0b\x04\x01\x01\x01x"),
    };
    const char *files[] = {"all", "small", "empty"};
    uint8_t *seeds[8];
    size_t lens[8], nseeds = 0;
    for (size_t i = 0; i < ASW_ARRAY_LEN(files); i++) {
        size_t n;
        uint8_t *b = front_load(files[i], &n);
        if (b) {
            seeds[nseeds] = b;
            lens[nseeds++] = n;
        }
    }
    for (size_t i = 0; i < ASW_ARRAY_LEN(builtin); i++) {
        seeds[nseeds] = malloc(builtin[i].n);
        memcpy(seeds[nseeds], builtin[i].p, builtin[i].n);
        lens[nseeds++] = builtin[i].n;
    }
    for (size_t i = 0; i < nseeds; i++)
        LLVMFuzzerTestOneInput(seeds[i], lens[i]);
    size_t cap = 8192;
    uint8_t *buf = malloc(cap);
    unsigned outcome[4] = {0};
    clock_t t0 = clock();
    for (unsigned i = 0; i < MUTATIONS; i++) {
        size_t s = asw_test_rand() % nseeds;
        if (lens[s] + 16 > cap) continue;
        size_t n = asw_test_mutate(seeds[s], lens[s], buf, cap, interesting, sizeof interesting);
        /* an exact-size heap copy so ASan sees every read past the end */
        uint8_t *in = malloc(n ? n : 1);
        memcpy(in, buf, n);
        LLVMFuzzerTestOneInput(in, n);
        asw_error_t e;
        int rc = front_check(in, n, &e);
        outcome[rc == 0 ? 0 : rc == ASW_E_MALFORMED ? 1 : rc == ASW_E_INVALID_MODULE ? 2 : 3]++;
        free(in);
    }
    printf("%u mutations in %.2f s: %u valid, %u malformed, %u invalid, %u other\n", MUTATIONS,
           (double)(clock() - t0) / CLOCKS_PER_SEC, outcome[0], outcome[1], outcome[2], outcome[3]);
    /* the mutations must reach past the decoder, and some must stay valid */
    assert_true(outcome[0] > 0 && outcome[2] > 0);
    free(buf);
    for (size_t i = 0; i < nseeds; i++)
        free(seeds[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(replay)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
