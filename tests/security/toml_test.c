/*
 * tests/security/toml_test.c -- the TOML parser through its public API: accessors and typed
 * getters, source positions of values and keys, error messages with line:column, integer and
 * date boundaries on both sides, the nesting limit (128 levels accepted, 129 refused, 10^5 refused
 * without exhausting the C stack), every allocation failing in turn without leaks, linear time on
 * large documents, and random mutations of valid documents (no crash, no leak).
 * The conformance corpus (tests/security/toml/) is run through the CLI by sec_toml_corpus.
 */
#include "testlib.h"

#include "airssys/toml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static asw_toml_value_t *parse_ok(const char *text)
{
    asw_toml_value_t *root = NULL;
    asw_error_t err;
    int rc = asw_toml_parse(text, strlen(text), &root, &err);
    if (rc) fprintf(stderr, "unexpected error: %s\n", err.msg);
    assert_int_equal(rc, ASW_OK);
    assert_non_null(root);
    return root;
}

/* Parses text expecting ASW_E_PARSE whose message starts with `prefix`. */
static void parse_fails(const char *text, size_t len, const char *prefix)
{
    asw_toml_value_t *root = (asw_toml_value_t *)&root; /* must be reset to NULL */
    asw_error_t err;
    int rc = asw_toml_parse(text, len, &root, &err);
    if (rc != ASW_E_PARSE || strncmp(err.msg, prefix, strlen(prefix)) != 0)
        fprintf(stderr, "for %.60s: rc %d, message '%s', wanted '%s'\n", text, rc, err.msg, prefix);
    assert_int_equal(rc, ASW_E_PARSE);
    assert_int_equal(err.code, ASW_E_PARSE);
    assert_null(root);
    assert_int_equal(strncmp(err.msg, prefix, strlen(prefix)), 0);
}

static void fails(const char *text, const char *prefix)
{
    parse_fails(text, strlen(text), prefix);
}

static void accessors(void **state)
{
    (void)state;
    asw_toml_value_t *root = parse_ok("s = \"a\\u0000b\"\ni = -42\nf = 2.5\nb = true\n"
                                      "d = 1979-05-27T07:32:00.5+01:30\n"
                                      "arr = [1, \"x\", [2]]\n[t]\nk = 'v'\n");
    assert_int_equal(asw_toml_type(root), ASW_TOML_TABLE);
    assert_int_equal(asw_toml_count(root), 7);
    const char *names[] = {"s", "i", "f", "b", "d", "arr", "t"};
    for (size_t i = 0; i < 7; i++) {
        size_t len;
        assert_string_equal(asw_toml_key_at(root, i, &len), names[i]);
        assert_int_equal(len, strlen(names[i]));
        assert_ptr_equal(asw_toml_value_at(root, i), asw_toml_get(root, names[i]));
    }
    assert_null(asw_toml_key_at(root, 7, NULL));
    assert_null(asw_toml_value_at(root, 7));
    assert_null(asw_toml_get(root, "missing"));
    assert_null(asw_toml_get(NULL, "s"));
    assert_null(asw_toml_get(root, NULL));

    size_t len = 0;
    const char *s = asw_toml_string(asw_toml_get(root, "s"), &len);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "a\0b", 4); /* embedded NUL, then the terminator */
    assert_null(asw_toml_string(asw_toml_get(root, "i"), &len));

    int64_t i = 0;
    assert_int_equal(asw_toml_integer(asw_toml_get(root, "i"), &i), ASW_OK);
    assert_int_equal(i, -42);
    assert_int_equal(asw_toml_integer(asw_toml_get(root, "f"), &i), ASW_E_INVALID);
    assert_int_equal(i, -42); /* unchanged on failure */
    assert_int_equal(asw_toml_integer(NULL, &i), ASW_E_INVALID);
    double f = 0;
    assert_int_equal(asw_toml_float(asw_toml_get(root, "f"), &f), ASW_OK);
    assert_true(f == 2.5);
    assert_int_equal(asw_toml_float(asw_toml_get(root, "i"), &f), ASW_E_INVALID);
    bool b = false;
    assert_int_equal(asw_toml_bool(asw_toml_get(root, "b"), &b), ASW_OK);
    assert_true(b);
    assert_int_equal(asw_toml_bool(asw_toml_get(root, "s"), &b), ASW_E_INVALID);

    asw_toml_datetime_t dt;
    const asw_toml_value_t *d = asw_toml_get(root, "d");
    assert_int_equal(asw_toml_type(d), ASW_TOML_DATETIME);
    assert_int_equal(asw_toml_datetime(d, &dt), ASW_OK);
    assert_int_equal(dt.year, 1979);
    assert_int_equal(dt.month, 5);
    assert_int_equal(dt.day, 27);
    assert_int_equal(dt.hour, 7);
    assert_int_equal(dt.minute, 32);
    assert_int_equal(dt.second, 0);
    assert_int_equal(dt.nanosecond, 500000000);
    assert_int_equal(dt.frac_digits, 1);
    assert_int_equal(dt.offset_minutes, 90);
    assert_int_equal(asw_toml_datetime(asw_toml_get(root, "i"), &dt), ASW_E_INVALID);

    const asw_toml_value_t *arr = asw_toml_get(root, "arr");
    assert_int_equal(asw_toml_type(arr), ASW_TOML_ARRAY);
    assert_int_equal(asw_toml_count(arr), 3);
    assert_int_equal(asw_toml_type(asw_toml_at(arr, 1)), ASW_TOML_STRING);
    assert_int_equal(asw_toml_count(asw_toml_at(arr, 2)), 1);
    assert_null(asw_toml_at(arr, 3));
    assert_null(asw_toml_at(root, 0)); /* not an array */
    assert_int_equal(asw_toml_count(asw_toml_get(root, "i")), 0);
    assert_int_equal(asw_toml_count(NULL), 0);

    const asw_toml_value_t *t = asw_toml_get(root, "t");
    assert_string_equal(asw_toml_string(asw_toml_get(t, "k"), NULL), "v");

    assert_string_equal(asw_toml_type_name(ASW_TOML_DATETIME_LOCAL), "datetime-local");
    assert_string_equal(asw_toml_type_name(ASW_TOML_TIME_LOCAL), "time-local");
    assert_string_equal(asw_toml_type_name((asw_toml_type_t)99), "unknown");

    asw_toml_free((asw_toml_value_t *)t); /* not a root: ignored */
    asw_toml_free(root);
    asw_toml_free(NULL);
}

static void getn_and_nul_keys(void **state)
{
    (void)state;
    asw_toml_value_t *root = parse_ok("\"a\\u0000b\" = 1\na = 2\n");
    const asw_toml_value_t *v = asw_toml_getn(root, "a\0b", 3);
    int64_t i = 0;
    assert_int_equal(asw_toml_integer(v, &i), ASW_OK);
    assert_int_equal(i, 1);
    assert_int_equal(asw_toml_integer(asw_toml_get(root, "a"), &i), ASW_OK);
    assert_int_equal(i, 2);
    size_t len;
    assert_memory_equal(asw_toml_key_at(root, 0, &len), "a\0b", 3);
    assert_int_equal(len, 3);
    asw_toml_free(root);
}

static void bad_arguments(void **state)
{
    (void)state;
    asw_error_t err;
    assert_int_equal(asw_toml_parse("a = 1", 5, NULL, &err), ASW_E_INVALID);
    asw_toml_value_t *root = (asw_toml_value_t *)&err;
    assert_int_equal(asw_toml_parse(NULL, 5, &root, &err), ASW_E_INVALID);
    assert_null(root);
    assert_int_equal(asw_toml_parse(NULL, 0, &root, NULL), ASW_OK); /* empty document */
    assert_int_equal(asw_toml_count(root), 0);
    asw_toml_free(root);
    /* Not NUL-terminated: only len bytes are read. */
    char buf[8] = {'a', '=', '1', '2', 'x', 'y', 'z', '!'};
    assert_int_equal(asw_toml_parse(buf, 4, &root, NULL), ASW_OK);
    int64_t i;
    assert_int_equal(asw_toml_integer(asw_toml_get(root, "a"), &i), ASW_OK);
    assert_int_equal(i, 12);
    asw_toml_free(root);
}

static void positions(void **state)
{
    (void)state;
    asw_toml_value_t *root = parse_ok("a = 1\n"
                                      "  bb   =  \"x\"\n"
                                      "m = \"\"\"\nline\nline\"\"\"\n"
                                      "\"é\" = 0\n"
                                      "\"ü\" = [ 1,\n  2 ]\n"
                                      " [t.u]\n"
                                      "x.y = 3\n"
                                      "[[aot]]\n");
    assert_int_equal(asw_toml_line(root), 1);
    assert_int_equal(asw_toml_column(root), 1);
    assert_int_equal(asw_toml_key_line(root, 0), 1);
    assert_int_equal(asw_toml_key_column(root, 0), 1);
    assert_int_equal(asw_toml_line(asw_toml_get(root, "a")), 1);
    assert_int_equal(asw_toml_column(asw_toml_get(root, "a")), 5);
    assert_int_equal(asw_toml_key_line(root, 1), 2);
    assert_int_equal(asw_toml_key_column(root, 1), 3);
    assert_int_equal(asw_toml_column(asw_toml_get(root, "bb")), 11);
    assert_int_equal(asw_toml_line(asw_toml_get(root, "m")), 3);
    assert_int_equal(asw_toml_column(asw_toml_get(root, "m")), 5);
    /* The key after a three-line string, with columns counted in characters. */
    assert_int_equal(asw_toml_key_line(root, 3), 6);
    assert_int_equal(asw_toml_key_column(root, 3), 1);
    assert_int_equal(asw_toml_line(asw_toml_get(root, "é")), 6);
    assert_int_equal(asw_toml_column(asw_toml_get(root, "é")), 7);
    const asw_toml_value_t *arr = asw_toml_value_at(root, 4);
    assert_int_equal(asw_toml_key_line(root, 4), 7);
    assert_int_equal(asw_toml_key_column(root, 4), 1);
    assert_int_equal(asw_toml_line(arr), 7);
    assert_int_equal(asw_toml_column(arr), 7);
    assert_int_equal(asw_toml_line(asw_toml_at(arr, 1)), 8);
    assert_int_equal(asw_toml_column(asw_toml_at(arr, 1)), 3);
    const asw_toml_value_t *t = asw_toml_get(root, "t");
    const asw_toml_value_t *u = asw_toml_get(t, "u");
    assert_int_equal(asw_toml_line(t), 9);
    assert_int_equal(asw_toml_column(t), 3); /* implicit: where the key part is */
    assert_int_equal(asw_toml_line(u), 9);
    assert_int_equal(asw_toml_column(u), 2); /* defined: the header's '[' */
    assert_int_equal(asw_toml_key_line(t, 0), 9);
    assert_int_equal(asw_toml_key_column(t, 0), 5);
    const asw_toml_value_t *x = asw_toml_get(u, "x");
    assert_int_equal(asw_toml_line(x), 10);
    assert_int_equal(asw_toml_column(x), 1);
    assert_int_equal(asw_toml_column(asw_toml_get(x, "y")), 7);
    const asw_toml_value_t *aot = asw_toml_get(root, "aot");
    assert_int_equal(asw_toml_line(aot), 11);
    assert_int_equal(asw_toml_line(asw_toml_at(aot, 0)), 11);
    assert_int_equal(asw_toml_line(NULL), 0);
    assert_int_equal(asw_toml_key_line(arr, 0), 0);
    assert_int_equal(asw_toml_key_line(root, 99), 0);
    asw_toml_free(root);
}

static void positions_header_defines_implicit(void **state)
{
    (void)state;
    asw_toml_value_t *root = parse_ok("[a.b]\n\n[a]\n");
    const asw_toml_value_t *a = asw_toml_get(root, "a");
    assert_int_equal(asw_toml_line(a), 3); /* defined by [a] on line 3 */
    assert_int_equal(asw_toml_key_line(root, 0), 1);
    asw_toml_free(root);
}

static void error_messages(void **state)
{
    (void)state;
    fails("a = 1\na = 2\n", "line 2, column 1: duplicate key 'a'");
    fails("a = 1\nb = \"x\n", "line 2, column 5: string is not closed");
    fails("x = 1\n  y = [1,\n 2,,]\n", "line 3, column 4: expected a value");
    fails("\"é\" = 1 2\n", "line 1, column 9: expected a newline after a value");
    fails("é = 1\n", "line 1, column 1: expected a key, found U+00E9");
    fails("a = \"\"\"\n\n\"\"\"\nb = 0x\n", "line 4, column 7: expected a digit");
    fails("[a]\n[a]\n", "line 2, column 2: table 'a' is already defined");
    fails("a = 2023-02-29\n", "line 1, column 13: day 29 does not exist");
    fails("a = \"\\uD800\"\n", "line 1, column 6: escape '\\uD800' is not a Unicode scalar value");
    fails("a = 1\r\nb = 2\rc = 3\n", "line 2, column 6: carriage return");
    fails("\"k\\u0001\" = 1\n\"k\\u0001\" = 2\n", "line 2, column 1: duplicate key 'k\\x01'");
    parse_fails("a = \"\0\"\n", 8, "line 1, column 6: control character U+0000");
    fails("a = \"\xc3\"\n", "line 1, column 6: invalid UTF-8");
    /* A leading byte order mark is not a column. */
    fails("\xef\xbb\xbf"
          "a = ?\n",
          "line 1, column 5: ");
    asw_error_t err;
    asw_toml_value_t *root;
    assert_int_equal(asw_toml_parse("a=", 2, &root, NULL), ASW_E_PARSE); /* NULL out_err */
    assert_int_equal(asw_toml_parse("a=", 2, &root, &err), ASW_E_PARSE);
    assert_string_equal(asw_error_message(&err), "line 1, column 3: missing value");
}

static void integer_boundaries(void **state)
{
    (void)state;
    asw_toml_value_t *root = parse_ok("max = 9223372036854775807\nmin = -9223372036854775808\n"
                                      "h = 0x7fffffffffffffff\nb = 0b0\no = 0o17\n");
    int64_t v;
    assert_int_equal(asw_toml_integer(asw_toml_get(root, "max"), &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(asw_toml_integer(asw_toml_get(root, "min"), &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(asw_toml_integer(asw_toml_get(root, "h"), &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(asw_toml_integer(asw_toml_get(root, "o"), &v), 0);
    assert_int_equal(v, 15);
    asw_toml_free(root);
    fails("a = 9223372036854775808\n", "line 1, column 5: integer does not fit");
    fails("a = -9223372036854775809\n", "line 1, column 5: integer does not fit");
    fails("a = 0x8000000000000000\n", "line 1, column 5: integer does not fit");
    fails("a = 0xffffffffffffffffff\n", "line 1, column 5: integer does not fit");
}

static void floats(void **state)
{
    (void)state;
    asw_toml_value_t *root = parse_ok("a = inf\nb = -inf\nc = nan\nd = -0.0\ne = 1e-400\n"
                                      "f = 1.7976931348623157e308\ng = 0.1\n");
    double f;
    asw_toml_float(asw_toml_get(root, "a"), &f);
    assert_true(isinf(f) && f > 0);
    asw_toml_float(asw_toml_get(root, "b"), &f);
    assert_true(isinf(f) && f < 0);
    asw_toml_float(asw_toml_get(root, "c"), &f);
    assert_true(isnan(f));
    asw_toml_float(asw_toml_get(root, "d"), &f);
    assert_true(f == 0 && signbit(f));
    asw_toml_float(asw_toml_get(root, "e"), &f);
    assert_true(f == 0);
    asw_toml_float(asw_toml_get(root, "f"), &f);
    assert_true(f == 1.7976931348623157e308);
    asw_toml_float(asw_toml_get(root, "g"), &f);
    assert_true(f == 0.1);
    asw_toml_free(root);
    fails("a = 1.7976931348623159e308\n", "line 1, column 5: float is too large");
    /* A long literal takes the heap path of the converter. */
    char big[400];
    strcpy(big, "a = 1.");
    memset(big + 6, '5', 300);
    strcpy(big + 306, "e-2\n");
    root = parse_ok(big);
    asw_toml_float(asw_toml_get(root, "a"), &f);
    assert_true(fabs(f - 0.0155555) < 1e-6);
    asw_toml_free(root);
}

static void dates(void **state)
{
    (void)state;
    asw_toml_value_t *root = parse_ok("a = 2024-02-29\nb = 2000-02-29\nc = 23:59:60.1234567891\n"
                                      "d = 1979-05-27 07:32:00\ne = 2023-12-31T23:59:59-23:59\n");
    asw_toml_datetime_t dt;
    assert_int_equal(asw_toml_type(asw_toml_get(root, "a")), ASW_TOML_DATE_LOCAL);
    asw_toml_datetime(asw_toml_get(root, "a"), &dt);
    assert_int_equal(dt.day, 29);
    assert_int_equal(dt.hour, 0);
    assert_int_equal(asw_toml_type(asw_toml_get(root, "c")), ASW_TOML_TIME_LOCAL);
    asw_toml_datetime(asw_toml_get(root, "c"), &dt);
    assert_int_equal(dt.second, 60);
    assert_int_equal(dt.nanosecond, 123456789); /* truncated, not rounded */
    assert_int_equal(dt.frac_digits, 9);
    assert_int_equal(dt.year, 0);
    assert_int_equal(asw_toml_type(asw_toml_get(root, "d")), ASW_TOML_DATETIME_LOCAL);
    asw_toml_datetime(asw_toml_get(root, "e"), &dt);
    assert_int_equal(dt.offset_minutes, -(23 * 60 + 59));
    asw_toml_free(root);
    fails("a = 2023-02-29\n", "line 1, column 13: day 29 does not exist in 2023-02");
    fails("a = 2100-02-29\n", "line 1, column 13: day 29");
    fails("a = 2023-04-31\n", "line 1, column 13: day 31");
    fails("a = 2023-04-30T24:00:00\n", "line 1, column 16: hour 24");
    fails("a = 00:00:61\n", "line 1, column 11: second 61");
}

/* Builds "a = " + n × open + n × close + "\n" in a malloc'ed buffer. */
static char *nested(size_t n, const char *open, const char *close)
{
    size_t lo = strlen(open), lc = strlen(close);
    char *s = malloc(16 + n * (lo + lc));
    char *o = s + sprintf(s, "a = ");
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "%s", open);
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "%s", close);
    strcpy(o, "\n");
    return s;
}

static void nesting_limit(void **state)
{
    (void)state;
    char *s = nested(ASW_TOML_MAX_DEPTH, "[", "]");
    asw_toml_value_t *root = parse_ok(s);
    const asw_toml_value_t *v = asw_toml_get(root, "a");
    for (int d = 1; d < ASW_TOML_MAX_DEPTH; d++)
        v = asw_toml_at(v, 0);
    assert_int_equal(asw_toml_type(v), ASW_TOML_ARRAY);
    assert_int_equal(asw_toml_count(v), 0);
    asw_toml_free(root);
    free(s);
    s = nested(ASW_TOML_MAX_DEPTH + 1, "[", "]");
    fails(s, "line 1, column 133: tables and arrays nest deeper than 128 levels");
    free(s);
    /* Mixed inline tables and arrays: 64 × ({k=[ ) = 128 levels, then one more. */
    s = nested(64, "{k=[", "]}");
    root = parse_ok(s);
    asw_toml_free(root);
    free(s);
    s = nested(65, "{k=[", "]}");
    fails(s, "line 1, column ");
    free(s);
    /* Far deeper than any stack could take recursively: refused at level 129. */
    s = nested(1000000, "[", "]");
    fails(s, "line 1, column 133: tables and arrays nest deeper");
    free(s);
    /* Headers: [[a]] adds two levels (the array and its element table). */
    char key[2048];
    char *o = key;
    for (int i = 0; i < 127; i++)
        o += sprintf(o, "k.");
    sprintf(o, "k");
    char doc[2100];
    snprintf(doc, sizeof doc, "[%s]\n", key); /* 128 tables */
    root = parse_ok(doc);
    asw_toml_free(root);
    snprintf(doc, sizeof doc, "[[%s]]\n", key); /* 127 tables + array + element = 129 */
    fails(doc, "line 1, column 1: tables and arrays nest deeper");
}

static const char *sample_doc = "# sample\n"
                                "title = \"TOML \\u00e9 example\"\n"
                                "[owner]\nname = 'Tom'\ndob = 1979-05-27T07:32:00-08:00\n"
                                "[database]\nports = [ 8000, 8001, 0x1F ]\n"
                                "data = [ [\"delta\", \"phi\"], [3.14, inf] ]\n"
                                "temp = { cpu = 79.5, case.x = 72.0 }\n"
                                "[servers.alpha]\nip = \"10.0.0.1\"\n"
                                "k0 = 0\nk1 = 1\nk2 = 2\nk3 = 3\nk4 = 4\nk5 = 5\nk6 = 6\nk7 = 7\n"
                                "k8 = 8\nk9 = 9\n"
                                "[[products]]\nname = \"\"\"multi\nline\"\"\"\n[[products]]\n"
                                "a.b.c = 1979-05-27\n";

static void allocation_failures(void **state)
{
    (void)state;
    asw_test_alloc_install(0, 0);
    asw_toml_value_t *root = parse_ok(sample_doc);
    unsigned long total = asw_test_alloc_count();
    asw_toml_free(root);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
    assert_true(total >= 2);
    for (unsigned long n = 1; n <= total; n++) {
        asw_test_alloc_install(n, 0);
        asw_error_t err;
        root = NULL;
        int rc = asw_toml_parse(sample_doc, strlen(sample_doc), &root, &err);
        assert_int_equal(rc, ASW_E_NOMEM);
        assert_null(root);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
    }
    /* One past the last allocation: succeeds. */
    asw_test_alloc_install(total + 1, 0);
    root = parse_ok(sample_doc);
    asw_toml_free(root);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
    /* A memory ceiling: a big document fails cleanly. */
    size_t n = 20000;
    char *big = malloc(n * 16);
    char *o = big;
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "k%zu = %zu\n", i, i);
    asw_test_alloc_install(0, 64 * 1024);
    assert_int_equal(asw_toml_parse(big, (size_t)(o - big), &root, NULL), ASW_E_NOMEM);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
    free(big);
}

/* Documents parsed into an arena: reuse across parses, two documents alive at once, a keep
 * limit that sends memory back to the allocator, allocation failures, no leaks. */
static void arena_reuse(void **state)
{
    (void)state;
    asw_error_t err;
    asw_toml_value_t *root = NULL;
    assert_int_equal(asw_toml_parse_in(NULL, "a = 1", 5, &root, &err), ASW_E_INVALID);
    assert_null(root);
    assert_int_equal(asw_toml_arena_new(0, NULL, &err), ASW_E_INVALID);
    asw_toml_arena_free(NULL);

    size_t n = 3000;
    char *big = malloc(n * 24);
    char *o = big;
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "k%zu = \"v%zu\"\n", i, i);
    size_t big_len = (size_t)(o - big);

    static const size_t keeps[] = {0, 1, 64 * 1024};
    for (size_t t = 0; t < sizeof keeps / sizeof keeps[0]; t++) {
        asw_test_alloc_install(0, 0);
        asw_toml_arena_t *arena = NULL;
        assert_int_equal(asw_toml_arena_new(keeps[t], &arena, &err), 0);
        for (int round = 0; round < 3; round++) {
            asw_toml_value_t *a = NULL, *b = NULL;
            assert_int_equal(asw_toml_parse_in(arena, big, big_len, &a, &err), 0);
            assert_int_equal(asw_toml_parse_in(arena, sample_doc, strlen(sample_doc), &b, &err), 0);
            const asw_toml_value_t *v = asw_toml_get(a, "k2999");
            assert_non_null(v);
            assert_string_equal(asw_toml_string(v, NULL), "v2999");
            assert_non_null(asw_toml_get(b, "products"));
            asw_toml_free(a);
            /* A parse error in the arena gives its memory back too. */
            assert_int_equal(asw_toml_parse_in(arena, "x = = 1", 7, &root, &err), ASW_E_PARSE);
            assert_null(root);
            asw_toml_free(b);
        }
        asw_toml_arena_free(arena);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
    }
    /* Allocation failures: every one fails cleanly, with or without spare memory. */
    for (unsigned long k = 1;; k++) {
        asw_test_alloc_install(k, 0);
        asw_toml_arena_t *arena = NULL;
        int rc = asw_toml_arena_new(0, &arena, &err);
        if (!rc) {
            rc = asw_toml_parse_in(arena, sample_doc, strlen(sample_doc), &root, &err);
            if (!rc) asw_toml_free(root);
            if (!rc) rc = asw_toml_parse_in(arena, big, big_len, &root, &err);
            if (!rc) asw_toml_free(root);
        }
        asw_toml_arena_free(arena);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (!rc) break;
        assert_int_equal(rc, ASW_E_NOMEM);
        assert_true(k < 1000);
    }
    free(big);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void large_documents(void **state)
{
    (void)state;
    /* 200,000 keys in one table, a 200,000-element array and 50,000 tables: quadratic duplicate
     * checks would take minutes; a linear parser takes well under a second. */
    size_t n = 200000;
    char *big = malloc(n * 24 + 64);
    char *o = big;
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "key_%zu = %zu\n", i, i);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    asw_toml_value_t *root;
    assert_int_equal(asw_toml_parse(big, (size_t)(o - big), &root, NULL), 0);
    assert_int_equal(asw_toml_count(root), n);
    for (size_t i = 0; i < n; i += 997) {
        char k[32];
        int64_t v;
        snprintf(k, sizeof k, "key_%zu", i);
        assert_int_equal(asw_toml_integer(asw_toml_get(root, k), &v), 0);
        assert_int_equal(v, (int64_t)i);
    }
    assert_null(asw_toml_get(root, "key_200000"));
    asw_toml_free(root);
    /* The duplicate of the very last key is found through the index. */
    o += sprintf(o, "key_%zu = 0\n", n - 1);
    assert_int_equal(asw_toml_parse(big, (size_t)(o - big), &root, NULL), ASW_E_PARSE);

    o = big + sprintf(big, "a = [");
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "%zu,", i);
    o += sprintf(o, "]\n");
    assert_int_equal(asw_toml_parse(big, (size_t)(o - big), &root, NULL), 0);
    assert_int_equal(asw_toml_count(asw_toml_get(root, "a")), n);
    asw_toml_free(root);

    o = big;
    for (size_t i = 0; i < n / 4; i++)
        o += sprintf(o, "[t.s%zu]\nx = 1\n", i);
    assert_int_equal(asw_toml_parse(big, (size_t)(o - big), &root, NULL), 0);
    assert_int_equal(asw_toml_count(asw_toml_get(root, "t")), n / 4);
    asw_toml_free(root);
    double secs = seconds_since(&t0);
    free(big);
    /* Generous even for sanitizer builds on a loaded machine. */
    assert_true(secs < 20.0);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_mutations(void **state)
{
    (void)state;
    static const char alphabet[] = "[]{}=,.\"'\\#\n\r\t 0123456789_+-:eExobTZtfinu\xc3\xa9\x80";
    size_t len = strlen(sample_doc);
    char *buf = malloc(len + 8);
    int ok = 0, bad = 0;
    asw_test_alloc_install(0, 0);
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(buf, sample_doc, len);
        size_t blen = len;
        int edits = 1 + (int)(rng() % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)(rng() % blen);
            switch (rng() % 3) {
            case 0: buf[at] = alphabet[rng() % (sizeof alphabet - 1)]; break;
            case 1: memmove(buf + at, buf + at + 1, blen - at - 1), blen--; break;
            default: buf[at] = (char)(rng() & 0xff); break;
            }
        }
        asw_toml_value_t *root = NULL;
        asw_error_t err;
        int rc = asw_toml_parse(buf, blen, &root, &err);
        if (rc == 0) {
            ok++;
            asw_toml_free(root);
        } else {
            assert_int_equal(rc, ASW_E_PARSE);
            assert_int_equal(strncmp(err.msg, "line ", 5), 0);
            bad++;
        }
    }
    assert_int_equal(asw_test_alloc_uninstall(), 0);
    assert_true(ok > 0 && bad > 0);
    free(buf);
}

/* asw_toml_errorf: the document-position error form, with or without an error record; and the
 * type phrases schema checkers put in their messages. */
static void schema_errors(void **state)
{
    (void)state;
    asw_toml_value_t *root = NULL;
    const char doc[] = "a = 1\n  b = [true, 1979-05-27, 'x']\n";
    assert_int_equal(asw_toml_parse(doc, sizeof doc - 1, &root, NULL), ASW_OK);
    const asw_toml_value_t *b = asw_toml_get(root, "b");
    asw_error_t e = {0};
    assert_int_equal(asw_toml_errorf(&e, ASW_E_MANIFEST, asw_toml_line(b), asw_toml_column(b),
                                     "b must be %s, not %s", asw_toml_type_phrase(ASW_TOML_TABLE),
                                     asw_toml_type_phrase(asw_toml_type(b))),
                     ASW_E_MANIFEST);
    assert_int_equal(e.code, ASW_E_MANIFEST);
    assert_string_equal(e.msg, "line 2, column 7: b must be a table, not an array");
    assert_int_equal(asw_toml_errorf(NULL, ASW_E_PARSE, 1, 1, "x"), ASW_E_PARSE);
    assert_string_equal(asw_toml_type_phrase(asw_toml_type(asw_toml_at(b, 0))), "a boolean");
    assert_string_equal(asw_toml_type_phrase(asw_toml_type(asw_toml_at(b, 1))), "a date or time");
    assert_string_equal(asw_toml_type_phrase(asw_toml_type(asw_toml_at(b, 2))), "a string");
    assert_string_equal(asw_toml_type_phrase(asw_toml_type(asw_toml_get(root, "a"))), "an integer");
    assert_string_equal(asw_toml_type_phrase((asw_toml_type_t)99), "an unknown value");
    asw_toml_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accessors),
        cmocka_unit_test(getn_and_nul_keys),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(positions),
        cmocka_unit_test(positions_header_defines_implicit),
        cmocka_unit_test(error_messages),
        cmocka_unit_test(integer_boundaries),
        cmocka_unit_test(floats),
        cmocka_unit_test(dates),
        cmocka_unit_test(nesting_limit),
        cmocka_unit_test(allocation_failures),
        cmocka_unit_test(arena_reuse),
        cmocka_unit_test(large_documents),
        cmocka_unit_test(random_mutations),
        cmocka_unit_test(schema_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
