/*
 * tests/wasm/fuzz_regress.c -- every input the fuzzers ever failed on, kept in
 * tests/wasm/fuzz-regressions/ and run through the full fuzz entry point (fuzz/fuzz_module.c
 * built with ASW_FUZZ_RUN: decode, validate, compile, instantiate, call every export under
 * fuel). The entry point traps on a broken invariant; the sanitizer build (make test-sanitize)
 * catches the memory errors these inputs once caused. Name each file after what it broke.
 *
 *   compile-br-after-add-loop.wasm  jump_field read the unit after a plain `br` closing a loop
 *                                   right after an i32.add (the add+branch fusion test looked
 *                                   for a condition operand a plain br does not have): a heap
 *                                   read past the code buffer when it ended there.
 */
#include "testlib.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replay_all(void **state)
{
    (void)state;
    const char *dir = asw_test_src_path("tests/wasm/fuzz-regressions");
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    unsigned n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".wasm") != 0) continue;
        size_t size;
        uint8_t *bytes = asw_test_read_file(asw_test_path_in(path, e->d_name), &size);
        assert_non_null(bytes);
        uint8_t *exact = malloc(size ? size : 1); /* exact size: ASan sees reads past the end */
        assert_non_null(exact);
        memcpy(exact, bytes, size);
        printf("%s (%zu bytes)\n", e->d_name, size);
        LLVMFuzzerTestOneInput(exact, size);
        free(exact);
        free(bytes);
        n++;
    }
    closedir(d);
    assert_true(n >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(replay_all)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
