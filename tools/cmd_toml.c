/*
 * tools/cmd_toml.c -- `airssys toml decode`: reads a TOML document on stdin and prints it on
 * stdout as JSON in the tagged encoding of the toml-test project: every scalar becomes
 * {"type": "<type>", "value": "<text>"} (types string, integer, float, bool, datetime,
 * datetime-local, date-local, time-local), tables become objects and arrays arrays.
 *
 * Canonical texts: integers in decimal; floats in the shortest form that reads back to the same
 * double, with "inf", "-inf" and "nan"; date-times as YYYY-MM-DDTHH:MM:SS[.fraction] with the
 * fraction digits the document wrote (at most 9) and "Z" for a zero offset, else +HH:MM.
 *
 * Invalid input: exit status 1 and "<line>:<column>: <message>" on stderr. The JSON is written by
 * hand (strings escaped per RFC 8259, including NUL and other control characters); recursion
 * depth is bounded by the parser's nesting limit.
 */
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_string(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
    }
    fputc('"', f);
}

static void format_float(double d, char *buf, size_t n)
{
    if (isnan(d)) {
        snprintf(buf, n, "nan");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, n, d < 0 ? "-inf" : "inf");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return;
    }
}

static void format_datetime(asw_toml_type_t t, const asw_toml_datetime_t *dt, char *buf, size_t n)
{
    size_t o = 0;
    if (t != ASW_TOML_TIME_LOCAL)
        o += (size_t)snprintf(buf + o, n - o, "%04d-%02d-%02d", dt->year, dt->month, dt->day);
    if (t == ASW_TOML_DATE_LOCAL) return;
    if (t != ASW_TOML_TIME_LOCAL) buf[o++] = 'T';
    o += (size_t)snprintf(buf + o, n - o, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
    if (dt->frac_digits > 0) {
        char frac[16];
        snprintf(frac, sizeof frac, "%09" PRIu32, dt->nanosecond);
        o += (size_t)snprintf(buf + o, n - o, ".%.*s", dt->frac_digits, frac);
    }
    if (t != ASW_TOML_DATETIME) return;
    if (dt->offset_minutes == 0) {
        snprintf(buf + o, n - o, "Z");
    } else {
        int m = dt->offset_minutes < 0 ? -dt->offset_minutes : dt->offset_minutes;
        snprintf(buf + o, n - o, "%c%02d:%02d", dt->offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
    }
}

static void json_value(FILE *f, const asw_toml_value_t *v)
{
    asw_toml_type_t t = asw_toml_type(v);
    char buf[64];
    if (t == ASW_TOML_TABLE) {
        size_t n = asw_toml_count(v);
        fputc('{', f);
        for (size_t i = 0; i < n; i++) {
            size_t klen;
            const char *k = asw_toml_key_at(v, i, &klen);
            if (i) fputc(',', f);
            json_string(f, k, klen);
            fputc(':', f);
            json_value(f, asw_toml_value_at(v, i));
        }
        fputc('}', f);
        return;
    }
    if (t == ASW_TOML_ARRAY) {
        size_t n = asw_toml_count(v);
        fputc('[', f);
        for (size_t i = 0; i < n; i++) {
            if (i) fputc(',', f);
            json_value(f, asw_toml_at(v, i));
        }
        fputc(']', f);
        return;
    }
    fprintf(f, "{\"type\":\"%s\",\"value\":", asw_toml_type_name(t));
    if (t == ASW_TOML_STRING) {
        size_t len;
        const char *s = asw_toml_string(v, &len);
        json_string(f, s, len);
    } else {
        if (t == ASW_TOML_INTEGER) {
            int64_t i = 0;
            asw_toml_integer(v, &i);
            snprintf(buf, sizeof buf, "%" PRId64, i);
        } else if (t == ASW_TOML_FLOAT) {
            double d = 0;
            asw_toml_float(v, &d);
            format_float(d, buf, sizeof buf);
        } else if (t == ASW_TOML_BOOL) {
            bool b = false;
            asw_toml_bool(v, &b);
            snprintf(buf, sizeof buf, "%s", b ? "true" : "false");
        } else {
            asw_toml_datetime_t dt;
            asw_toml_datetime(v, &dt);
            format_datetime(t, &dt, buf, sizeof buf);
        }
        fprintf(f, "\"%s\"", buf);
    }
    fputc('}', f);
}

static int toml_decode(void)
{
    size_t len = 0;
    char *text = cli_read_stream(stdin, &len);
    if (!text) {
        fprintf(stderr, "airssys: toml decode: cannot read standard input\n");
        return 1;
    }
    asw_error_t err;
    asw_toml_value_t *root = NULL;
    int rc = asw_toml_parse(text, len, &root, &err);
    free(text);
    if (rc) {
        unsigned long line, col;
        int used = 0;
        if (rc == ASW_E_PARSE &&
            sscanf(err.msg, "line %lu, column %lu: %n", &line, &col, &used) == 2 && used > 0)
            fprintf(stderr, "%lu:%lu: %s\n", line, col, err.msg + used);
        else
            fprintf(stderr, "airssys: toml decode: %s\n", asw_error_message(&err));
        return 1;
    }
    json_value(stdout, root);
    fputc('\n', stdout);
    asw_toml_free(root);
    if (fflush(stdout) != 0) return 1;
    return 0;
}

int asw_cli_toml(int argc, char **argv);

int asw_cli_toml(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "decode")) return toml_decode();
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: airssys toml decode < file.toml\n\n"
               "Reads a TOML 1.0 document on standard input and prints it as JSON in the tagged\n"
               "encoding of toml-test ({\"type\": ..., \"value\": ...} for every scalar).\n"
               "Exit status 1 and \"line:column: message\" on standard error when the document\n"
               "is invalid.\n");
        return 0;
    }
    return cli_usage_error("usage: airssys toml decode < file.toml");
}
