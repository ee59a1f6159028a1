/*
 * tests/base/file_test.c -- asw__read_file, the library's one whole-file reader: exact bytes and
 * a NUL behind them, files that need the buffer to grow, the size limit at its boundary, and the
 * errors (missing file, directory, out of memory) with the path in the message and nothing
 * leaked.
 */
#include "testlib.h"

#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return asw_test_tmpdir_new(dir, sizeof dir, "file");
}

static int teardown(void **state)
{
    (void)state;
    return asw_test_tmpdir_remove(dir);
}

/* Writes n bytes of a position-dependent pattern to dir/name; returns the path (static, see
 * asw_test_path_in). */
static const char *make_file(const char *name, size_t n)
{
    const char *path = asw_test_path_in(dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)(i * 7 % 251), f);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void check_pattern(const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (buf[i] != (uint8_t)(i * 7 % 251)) fail_msg("byte %zu differs", i);
    assert_int_equal(buf[n], 0);
}

static void reads_exact_bytes_with_nul(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 300000};
    for (size_t k = 0; k < ASW_ARRAY_LEN(sizes); k++) {
        const char *p = make_file("f", sizes[k]);
        asw_test_alloc_install(0, 0);
        uint8_t *buf = NULL;
        size_t len = 1;
        asw_error_t e = {0};
        assert_int_equal(asw__read_file(p, 0, &buf, &len, &e), ASW_OK);
        assert_non_null(buf);
        assert_int_equal(len, sizes[k]);
        check_pattern(buf, len);
        asw__free(buf);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
    }
}

static void limit_is_exact(void **state)
{
    (void)state;
    static const size_t maxes[] = {1, 100, 65535, 65536, 65537, 200000};
    for (size_t k = 0; k < ASW_ARRAY_LEN(maxes); k++) {
        size_t max = maxes[k];
        uint8_t *buf = NULL;
        size_t len = 0;
        asw_error_t e = {0};
        const char *p = make_file("at", max); /* exactly max bytes: fine */
        assert_int_equal(asw__read_file(p, max, &buf, &len, &e), ASW_OK);
        assert_int_equal(len, max);
        check_pattern(buf, len);
        asw__free(buf);
        p = make_file("over", max + 1); /* one byte more: refused */
        buf = (uint8_t *)"untouched";
        asw_test_alloc_install(0, 0);
        assert_int_equal(asw__read_file(p, max, &buf, &len, &e), ASW_E_LIMIT);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        assert_null(buf);
        assert_non_null(strstr(asw_error_message(&e), "over"));
        assert_non_null(strstr(asw_error_message(&e), "larger than"));
    }
}

static void errors_name_the_path(void **state)
{
    (void)state;
    uint8_t *buf = NULL;
    size_t len = 0;
    asw_error_t e = {0};
    const char *missing = asw_test_path_in(dir, "no-such-file");
    assert_int_equal(asw__read_file(missing, 0, &buf, &len, &e), ASW_E_IO);
    assert_null(buf);
    assert_non_null(strstr(asw_error_message(&e), missing));
    assert_non_null(strstr(asw_error_message(&e), "No such file"));
    asw_test_alloc_install(0, 0);
    assert_int_equal(asw__read_file(dir, 0, &buf, &len, &e), ASW_E_IO); /* a directory */
    assert_int_equal(asw_test_alloc_uninstall(), 0);
    assert_null(buf);
    assert_non_null(strstr(asw_error_message(&e), "Is a directory"));
}

static void out_of_memory_leaks_nothing(void **state)
{
    (void)state;
    const char *p = make_file("big", 300000); /* the buffer grows three times */
    for (unsigned long n = 1; n <= 4; n++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        asw_error_t e = {0};
        asw_test_alloc_install(n, 0);
        assert_int_equal(asw__read_file(p, 0, &buf, &len, &e), ASW_E_NOMEM);
        assert_null(buf);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        assert_non_null(strstr(asw_error_message(&e), "out of memory"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_exact_bytes_with_nul),
        cmocka_unit_test(limit_is_exact),
        cmocka_unit_test(errors_name_the_path),
        cmocka_unit_test(out_of_memory_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
