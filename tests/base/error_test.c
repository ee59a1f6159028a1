/*
 * tests/base/error_test.c -- the error table and error records: every code has a distinct
 * value, a name and a message; formatting truncates safely; prefixes compose.
 */
#include "testlib.h"

#include "base/base.h"

#include <string.h>

static void codes_are_distinct_and_named(void **state)
{
    (void)state;
    static const int codes[] = {
#define X(name, value, msg) value,
        ASW_ERR_TABLE(X)
#undef X
    };
    for (size_t i = 0; i < ASW_ARRAY_LEN(codes); i++) {
        assert_true(codes[i] <= 0);
        assert_string_not_equal(asw_strerror(codes[i]), "unknown error");
        assert_string_not_equal(asw_err_name(codes[i]), "ASW_E_UNKNOWN");
        for (size_t j = i + 1; j < ASW_ARRAY_LEN(codes); j++)
            assert_int_not_equal(codes[i], codes[j]);
    }
    assert_string_equal(asw_err_name(ASW_E_NOMEM), "ASW_E_NOMEM");
    assert_string_equal(asw_strerror(ASW_OK), "success");
    assert_string_equal(asw_strerror(12345), "unknown error");
    assert_string_equal(asw_err_name(-9999), "ASW_E_UNKNOWN");
}

static void errorf_records_code_and_message(void **state)
{
    (void)state;
    asw_error_t e;
    asw_error_init(&e);
    assert_int_equal(e.code, 0);
    assert_string_equal(asw_error_message(&e), "success");
    int rc = asw__errorf(&e, ASW_E_MALFORMED, "code section, byte 0x%x: %s", 0x1f3, "bad opcode");
    assert_int_equal(rc, ASW_E_MALFORMED);
    assert_int_equal(e.code, ASW_E_MALFORMED);
    assert_string_equal(e.msg, "code section, byte 0x1f3: bad opcode");
    asw__error_prefix(&e, "%s: ", "mod.wasm");
    assert_string_equal(asw_error_message(&e), "mod.wasm: code section, byte 0x1f3: bad opcode");
    /* A NULL record is allowed and the code still comes back. */
    assert_int_equal(asw__errorf(NULL, ASW_E_IO, "x"), ASW_E_IO);
}

static void long_messages_are_truncated(void **state)
{
    (void)state;
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    asw_error_t e;
    asw__errorf(&e, ASW_E_INVALID, "%s", big);
    assert_int_equal(strlen(e.msg), ASW_ERROR_MSG_MAX - 1);
    assert_memory_equal(e.msg + ASW_ERROR_MSG_MAX - 4, "...", 4);
    asw__error_prefix(&e, "%s", "prefix: ");
    assert_int_equal(strlen(e.msg), ASW_ERROR_MSG_MAX - 1);
    assert_memory_equal(e.msg, "prefix: ", 8);
}

static void version_matches_header(void **state)
{
    (void)state;
    assert_string_equal(asw_version(), ASW_VERSION_STRING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_are_distinct_and_named),
        cmocka_unit_test(errorf_records_code_and_message),
        cmocka_unit_test(long_messages_are_truncated),
        cmocka_unit_test(version_matches_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
