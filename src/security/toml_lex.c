/*
 * src/security/toml_lex.c -- the lexical half of the TOML 1.0 parser: validation of the whole text
 * (UTF-8 and control characters), the four kinds of strings with every escape, and the scalars
 * that are not strings: booleans, integers (decimal, hex, octal, binary), floats (with inf/nan)
 * and the four date/time types.
 *
 * Design. asw__toml_check_text() runs once over the document before parsing, so the rest of the
 * parser may assume valid UTF-8, no control character other than tab, and that every CR is
 * followed by LF: strings then only look for their delimiters, backslashes and line feeds.
 * Non-string scalars are lexed as one token (letters, digits, '_', '.', '+', '-', ':'; plus the
 * space of "1979-05-27 07:32:00") and the token is then checked against the exact TOML grammar,
 * so "1_000x", "0X1F", "1979-02-29" or "24:00:00" are errors at the offending character.
 *
 * Invariants: every string is copied into the document arena NUL-terminated, with its exact
 * length (TOML strings may contain U+0000 written as an escape); escapes never make a string
 * longer than its source text, so one allocation of the source length suffices. Integer overflow
 * is detected before it happens; floats that overflow binary64 are errors (the literal cannot be
 * represented); floats that underflow become the nearest representable value (possibly 0).
 *
 * Not done here: the structure of the document (keys, tables, arrays): see toml.c. Floats are
 * converted with strtod, which reads '.' as the decimal point only in the "C" LC_NUMERIC locale
 * (the default of every program that does not call setlocale).
 */
#include "security/toml_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- whole-text validation ---- */

int asw__toml_check_text(toml_parser *P)
{
    const unsigned char *s = (const unsigned char *)P->p;
    const unsigned char *e = (const unsigned char *)P->end;
    while (s < e) {
        /* Words of printable ASCII: for bytes below 0x80, v - 0x20 and v + 1 set a byte's high
         * bit exactly for bytes below 0x20 and for 0x7f; v's own high bits flag non-ASCII. */
        while (e - s >= 8) {
            uint64_t v = toml_load8((const char *)s);
            if ((v | (v - TOML_ONES * 0x20) | (v + TOML_ONES)) & TOML_HIGHS) break;
            s += 8;
        }
        if (s >= e) break;
        unsigned c = *s;
        if (ASW_LIKELY(c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t') {
            s++;
            continue;
        }
        if (c == '\r') {
            if (s + 1 < e && s[1] == '\n') {
                s += 2;
                continue;
            }
            return asw__toml_error(P, (const char *)s,
                                   "carriage return not followed by a line feed");
        }
        if (c < 0x80)
            return asw__toml_error(P, (const char *)s,
                                   "control character U+%04X is not allowed (only tab; inside "
                                   "strings write it as an escape)",
                                   c);
        /* A multi-byte sequence: lead byte, then the allowed range of the second byte (which
         * excludes overlong forms, surrogates and values above U+10FFFF), then continuations. */
        unsigned need, lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else {
            return asw__toml_error(P, (const char *)s, "invalid UTF-8 (byte 0x%02X)", c);
        }
        if ((size_t)(e - s) <= need || s[1] < lo || s[1] > hi)
            return asw__toml_error(P, (const char *)s, "invalid UTF-8 sequence");
        for (unsigned k = 2; k <= need; k++)
            if ((s[k] & 0xc0) != 0x80)
                return asw__toml_error(P, (const char *)s, "invalid UTF-8 sequence");
        s += need + 1;
    }
    return 0;
}

/* ---- strings ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* Decodes the escape at *qp (which points at the backslash, inside [.., e)) into *op and advances
 * both. Line-ending backslashes are handled by the caller. */
static int escape(toml_parser *P, const char **qp, const char *e, char **op)
{
    const char *q = *qp;
    char *o = *op;
    if (q + 1 >= e) return asw__toml_error(P, q, "incomplete escape sequence");
    char c = q[1];
    int ndig = 0;
    switch (c) {
    case 'b': *o++ = '\b'; break;
    case 't': *o++ = '\t'; break;
    case 'n': *o++ = '\n'; break;
    case 'f': *o++ = '\f'; break;
    case 'r': *o++ = '\r'; break;
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case 'u': ndig = 4; break;
    case 'U': ndig = 8; break;
    default:
        if (c > 0x20 && c < 0x7f) return asw__toml_error(P, q, "invalid escape sequence '\\%c'", c);
        return asw__toml_error(P, q,
                               "invalid escape sequence (a backslash must be followed by "
                               "b, t, n, f, r, \", \\, u or U)");
    }
    if (ndig == 0) {
        *qp = q + 2;
        *op = o;
        return 0;
    }
    uint32_t cp = 0;
    for (int k = 0; k < ndig; k++) {
        int d = (q + 2 + k < e) ? hexval(q[2 + k]) : -1;
        if (d < 0)
            return asw__toml_error(P, q, "escape '\\%c' needs exactly %d hexadecimal digits", c,
                                   ndig);
        cp = cp << 4 | (uint32_t)d;
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return asw__toml_error(P, q, "escape '\\%c%0*X' is not a Unicode scalar value", c, ndig,
                               (unsigned)cp);
    *qp = q + 2 + ndig;
    *op = put_utf8(o, cp);
    return 0;
}

/* Allocates len + 1 bytes in the arena for a string result. */
static char *str_buf(toml_parser *P, size_t len)
{
    if (len >= SIZE_MAX / 2) return NULL;
    return asw__toml_alloc(P, len + 1);
}

/* Bytes that end a run of plain string content (short strings dominate, so a table lookup per
 * byte beats word-at-a-time scanning here). */
static const bool basic_stop[256] = {['"'] = 1, ['\\'] = 1, ['\n'] = 1, ['\r'] = 1};
static const bool literal_stop[256] = {['\''] = 1, ['\n'] = 1, ['\r'] = 1};

static int basic_string(toml_parser *P, char **out_s, size_t *out_len)
{
    const char *open = P->p, *start = P->p + 1, *q = start, *e = P->end;
    bool esc = false;
    for (;;) {
        while (q < e && !basic_stop[(unsigned char)*q]) /* one table lookup per byte */
            q++;
        if (q >= e || *q == '\n' || *q == '\r')
            return asw__toml_error(P, open, "string is not closed on its line");
        char c = *q;
        if (c == '"') break;
        if (c == '\\') {
            esc = true;
            if (q + 1 < e && (q[1] == '"' || q[1] == '\\')) q++;
        }
        q++;
    }
    size_t n = (size_t)(q - start);
    char *buf = str_buf(P, n);
    if (!buf) return asw__toml_nomem(P);
    char *o = buf;
    if (!esc) {
        memcpy(buf, start, n);
        o += n;
    } else {
        const char *r = start;
        while (r < q) {
            if (*r == '\\') {
                int rc = escape(P, &r, q, &o);
                if (rc) return rc;
            } else {
                *o++ = *r++;
            }
        }
    }
    *o = '\0';
    *out_s = buf;
    *out_len = (size_t)(o - buf);
    P->p = q + 1;
    return 0;
}

static int literal_string(toml_parser *P, char **out_s, size_t *out_len)
{
    const char *open = P->p, *start = P->p + 1, *q = start, *e = P->end;
    while (q < e && !literal_stop[(unsigned char)*q])
        q++;
    if (q >= e || *q != '\'') return asw__toml_error(P, open, "string is not closed on its line");
    size_t n = (size_t)(q - start);
    char *buf = str_buf(P, n);
    if (!buf) return asw__toml_nomem(P);
    memcpy(buf, start, n);
    buf[n] = '\0';
    *out_s = buf;
    *out_len = n;
    P->p = q + 1;
    return 0;
}

/* Multi-line strings of both kinds. The content runs to the first run of 3 to 5 delimiter
 * quotes (1 or 2 extra quotes belong to the content; 6 or more is an error). */
static int ml_string(toml_parser *P, char quote, char **out_s, size_t *out_len)
{
    const char *open = P->p, *e = P->end;
    P->p += 3;
    /* A newline right after the opening delimiter is trimmed. */
    if (P->p < e && (*P->p == '\n' || *P->p == '\r')) asw__toml_newline(P);
    const char *start = P->p, *q = start, *stop;
    bool esc = false;
    for (;;) {
        if (q >= e)
            return asw__toml_error(P, open, "multi-line string is not closed (expected %c%c%c)",
                                   quote, quote, quote);
        char c = *q;
        if (c == quote) {
            const char *r = q;
            while (r < e && *r == quote)
                r++;
            size_t run = (size_t)(r - q);
            if (run >= 3) {
                if (run > 5)
                    return asw__toml_error(P, q + 5,
                                           "too many quotes at the end of a multi-line string");
                stop = r - 3;
                q = r;
                break;
            }
            q = r;
            continue;
        }
        if (c == '\\' && quote == '"') {
            esc = true;
            if (q + 1 < e && (q[1] == '"' || q[1] == '\\')) q++;
        } else if (c == '\n') {
            P->line = P->line < UINT32_MAX ? P->line + 1 : P->line;
            P->line_start = q + 1;
        }
        q++;
    }
    size_t n = (size_t)(stop - start);
    char *buf = str_buf(P, n);
    if (!buf) return asw__toml_nomem(P);
    char *o = buf;
    const char *r = start;
    while (r < stop) {
        char c = *r;
        if (c == '\r') { /* always followed by \n (checked): CRLF becomes LF */
            r++;
        } else if (c == '\\' && esc) {
            /* A line-ending backslash: optional whitespace, a newline, then every whitespace and
             * newline up to the next other character are trimmed. */
            const char *w = r + 1;
            while (w < stop && (*w == ' ' || *w == '\t'))
                w++;
            if (w < stop && (*w == '\n' || *w == '\r')) {
                while (w < stop && (*w == ' ' || *w == '\t' || *w == '\n' || *w == '\r'))
                    w++;
                r = w;
            } else if (w > r + 1) {
                return asw__toml_error(P, r,
                                       "a backslash followed by whitespace must end the "
                                       "line (line-ending backslash)");
            } else {
                int rc = escape(P, &r, stop, &o);
                if (rc) return rc;
            }
        } else {
            *o++ = c;
            r++;
        }
    }
    *o = '\0';
    *out_s = buf;
    *out_len = (size_t)(o - buf);
    P->p = q;
    return 0;
}

int asw__toml_string(toml_parser *P, bool allow_multi, char **out_s, size_t *out_len)
{
    const char *p = P->p;
    char quote = *p;
    ASW_ASSERT(quote == '"' || quote == '\'');
    if (allow_multi && P->end - p >= 3 && p[1] == quote && p[2] == quote)
        return ml_string(P, quote, out_s, out_len);
    return quote == '"' ? basic_string(P, out_s, out_len) : literal_string(P, out_s, out_len);
}

/* ---- numbers, booleans, date-times ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_token_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '.' || c == '+' || c == '-' || c == ':';
}

static bool digits_at(const char *s, const char *e, int n)
{
    if (e - s < n) return false;
    for (int k = 0; k < n; k++)
        if (!is_digit(s[k])) return false;
    return true;
}

static int digit_value(char c, int base)
{
    int d = hexval(c);
    return (d >= 0 && d < base) ? d : -1;
}

/* Scans digits of `base` with single underscores between digits, starting at t (at least one
 * digit). Returns the end of the run, or NULL after reporting an error. */
static const char *digit_run(toml_parser *P, const char *t, const char *e, int base)
{
    if (t >= e || digit_value(*t, base) < 0) {
        if (t < e && *t == '_')
            asw__toml_error(P, t, "'_' must be between digits");
        else
            asw__toml_error(P, t, "expected a digit");
        return NULL;
    }
    while (t < e) {
        if (digit_value(*t, base) >= 0) {
            t++;
        } else if (*t == '_') {
            if (t + 1 >= e || digit_value(t[1], base) < 0) {
                asw__toml_error(P, t, "'_' must be between digits");
                return NULL;
            }
            t++;
        } else {
            break;
        }
    }
    return t;
}

/* Converts the digits of [t, e) (underscores skipped) to an integer no larger than `limit`. */
static int to_int(toml_parser *P, const char *at, const char *t, const char *e, int base,
                  uint64_t limit, uint64_t *out)
{
    uint64_t v = 0;
    for (; t < e; t++) {
        if (*t == '_') continue;
        uint64_t d = (uint64_t)digit_value(*t, base);
        if (v > (limit - d) / (uint64_t)base)
            return asw__toml_error(P, at,
                                   "integer does not fit in 64 bits (range -2^63 .. "
                                   "2^63-1)");
        v = v * (uint64_t)base + d;
    }
    *out = v;
    return 0;
}

static int days_in_month(int year, int month)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) return 29;
    return dim[month - 1];
}

static int num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

static int parse_date(toml_parser *P, const char *t, const char *e, asw_toml_datetime_t *dt)
{
    if (!digits_at(t, e, 4) || e - t < 10 || t[4] != '-' || !digits_at(t + 5, e, 2) ||
        t[7] != '-' || !digits_at(t + 8, e, 2))
        return asw__toml_error(P, t, "invalid date (expected YYYY-MM-DD)");
    dt->year = num2(t) * 100 + num2(t + 2);
    dt->month = num2(t + 5);
    dt->day = num2(t + 8);
    if (dt->month < 1 || dt->month > 12)
        return asw__toml_error(P, t + 5, "month %02d is out of range (01-12)", dt->month);
    if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
        return asw__toml_error(P, t + 8, "day %02d does not exist in %04d-%02d", dt->day, dt->year,
                               dt->month);
    return 0;
}

/* Parses HH:MM:SS[.fraction] at t; stores the end in *out_end. */
static int parse_time(toml_parser *P, const char *t, const char *e, asw_toml_datetime_t *dt,
                      const char **out_end)
{
    if (!digits_at(t, e, 2) || e - t < 8 || t[2] != ':' || !digits_at(t + 3, e, 2) || t[5] != ':' ||
        !digits_at(t + 6, e, 2))
        return asw__toml_error(P, t, "invalid time (expected HH:MM:SS)");
    dt->hour = num2(t);
    dt->minute = num2(t + 3);
    dt->second = num2(t + 6);
    if (dt->hour > 23) return asw__toml_error(P, t, "hour %02d is out of range (00-23)", dt->hour);
    if (dt->minute > 59)
        return asw__toml_error(P, t + 3, "minute %02d is out of range (00-59)", dt->minute);
    if (dt->second > 60)
        return asw__toml_error(P, t + 6, "second %02d is out of range (00-60)", dt->second);
    t += 8;
    if (t < e && *t == '.') {
        t++;
        if (t >= e || !is_digit(*t)) return asw__toml_error(P, t, "expected a digit after '.'");
        uint32_t ns = 0;
        int nd = 0;
        while (t < e && is_digit(*t)) {
            if (nd < 9) {
                ns = ns * 10 + (uint32_t)(*t - '0');
                nd++;
            }
            t++;
        }
        dt->frac_digits = nd;
        for (int k = nd; k < 9; k++)
            ns *= 10;
        dt->nanosecond = ns;
    }
    *out_end = t;
    return 0;
}

static void store_dt(asw_toml_value_t *v, asw_toml_type_t type, const asw_toml_datetime_t *dt)
{
    v->type = (uint8_t)type;
    v->u.dt.year = (int16_t)dt->year;
    v->u.dt.month = (uint8_t)dt->month;
    v->u.dt.day = (uint8_t)dt->day;
    v->u.dt.hour = (uint8_t)dt->hour;
    v->u.dt.minute = (uint8_t)dt->minute;
    v->u.dt.second = (uint8_t)dt->second;
    v->u.dt.frac_digits = (uint8_t)dt->frac_digits;
    v->u.dt.offset_minutes = (int16_t)dt->offset_minutes;
    v->u.dt.nanosecond = dt->nanosecond;
}

/* A token that starts like a date (YYYY-) or a time (HH:). */
static int parse_datetime(toml_parser *P, const char *s, const char *e, asw_toml_value_t *v)
{
    asw_toml_datetime_t dt;
    memset(&dt, 0, sizeof dt);
    const char *t = s;
    int rc;
    if (e - s >= 3 && s[2] == ':') {
        if ((rc = parse_time(P, t, e, &dt, &t))) return rc;
        if (t != e) return asw__toml_error(P, t, "unexpected character after a local time");
        store_dt(v, ASW_TOML_TIME_LOCAL, &dt);
        return 0;
    }
    if ((rc = parse_date(P, t, e, &dt))) return rc;
    t += 10;
    if (t == e) {
        store_dt(v, ASW_TOML_DATE_LOCAL, &dt);
        return 0;
    }
    if (*t != 'T' && *t != 't' && *t != ' ')
        return asw__toml_error(P, t,
                               "unexpected character after a date (expected 'T' and a "
                               "time)");
    t++;
    if ((rc = parse_time(P, t, e, &dt, &t))) return rc;
    if (t == e) {
        store_dt(v, ASW_TOML_DATETIME_LOCAL, &dt);
        return 0;
    }
    if (*t == 'Z' || *t == 'z') {
        t++;
    } else if (*t == '+' || *t == '-') {
        int sign = *t == '-' ? -1 : 1;
        const char *o = t + 1;
        if (!digits_at(o, e, 2) || e - o < 5 || o[2] != ':' || !digits_at(o + 3, e, 2))
            return asw__toml_error(P, t, "invalid time offset (expected Z, +HH:MM or -HH:MM)");
        int oh = num2(o), om = num2(o + 3);
        if (oh > 23 || om > 59)
            return asw__toml_error(P, t, "time offset %c%02d:%02d is out of range", *t, oh, om);
        dt.offset_minutes = sign * (oh * 60 + om);
        t = o + 5;
    } else {
        return asw__toml_error(P, t,
                               "unexpected character after a time (expected Z or an "
                               "offset)");
    }
    if (t != e) return asw__toml_error(P, t, "unexpected character after a date-time");
    store_dt(v, ASW_TOML_DATETIME, &dt);
    return 0;
}

static int parse_float(toml_parser *P, const char *s, const char *e, asw_toml_value_t *v)
{
    /* Copy without underscores; strtod reads the plain form. */
    char small[64] = {0}, *buf = small, *o; /* zeroed for cppcheck: written before read */
    size_t n = (size_t)(e - s);
    int rc = 0;
    if (n >= sizeof small) {
        buf = asw__malloc(n + 1);
        if (!buf) return asw__toml_nomem(P);
    }
    o = buf;
    for (const char *t = s; t < e; t++)
        if (*t != '_') *o++ = *t;
    *o = '\0';
    char *endp;
    errno = 0;
    double d = strtod(buf, &endp);
    if (endp != o) {
        rc = asw__toml_error(P, s, "invalid float");
    } else if (isinf(d)) {
        rc = asw__toml_error(P, s, "float is too large for a 64-bit float");
    } else {
        v->type = ASW_TOML_FLOAT;
        v->u.f = d;
    }
    if (buf != small) asw__free(buf);
    return rc;
}

static int parse_number(toml_parser *P, const char *s, const char *e, asw_toml_value_t *v)
{
    const char *t = s;
    bool neg = false, sign = false;
    if (*t == '+' || *t == '-') {
        sign = true;
        neg = *t == '-';
        t++;
    }
    if (e - t == 3 && (!memcmp(t, "inf", 3) || !memcmp(t, "nan", 3))) {
        v->type = ASW_TOML_FLOAT;
        if (t[0] == 'i')
            v->u.f = neg ? -HUGE_VAL : HUGE_VAL;
        else
            v->u.f = neg ? -NAN : NAN;
        return 0;
    }
    if (!sign && e - t >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b')) {
        int base = t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2;
        const char *d = t + 2, *r = digit_run(P, d, e, base);
        if (!r) return ASW_E_PARSE;
        if (r != e) return asw__toml_error(P, r, "invalid character in a base-%d integer", base);
        uint64_t u = 0;
        int rc = to_int(P, s, d, e, base, (uint64_t)INT64_MAX, &u);
        if (rc) return rc;
        v->type = ASW_TOML_INTEGER;
        v->u.i = (int64_t)u;
        return 0;
    }
    if (t >= e || !is_digit(*t)) return asw__toml_error(P, t, "invalid number");
    const char *ip = t, *r = digit_run(P, t, e, 10);
    if (!r) return ASW_E_PARSE;
    if (ip[0] == '0' && r - ip > 1) return asw__toml_error(P, ip, "leading zeros are not allowed");
    if (r < e && (*r == '.' || *r == 'e' || *r == 'E')) {
        if (*r == '.') {
            if (!(r = digit_run(P, r + 1, e, 10))) return ASW_E_PARSE;
        }
        if (r < e && (*r == 'e' || *r == 'E')) {
            r++;
            if (r < e && (*r == '+' || *r == '-')) r++;
            if (!(r = digit_run(P, r, e, 10))) return ASW_E_PARSE;
        }
        if (r != e) return asw__toml_error(P, r, "invalid character in a float");
        return parse_float(P, s, e, v);
    }
    if (r != e) return asw__toml_error(P, r, "invalid character in a number");
    uint64_t u = 0;
    int rc = to_int(P, s, ip, e, 10, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &u);
    if (rc) return rc;
    v->type = ASW_TOML_INTEGER;
    /* -2^63 is representable but 2^63 is not. */
    v->u.i = !neg ? (int64_t)u : u > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)u;
    return 0;
}

int asw__toml_scalar(toml_parser *P, asw_toml_value_t *v)
{
    const char *s = P->p, *e = s, *end = P->end;
    while (e < end && is_token_char(*e))
        e++;
    /* "1979-05-27 07:32:00": a space may separate a date from a time. */
    if (e - s == 10 && digits_at(s, e, 4) && s[4] == '-' && end - e >= 4 && e[0] == ' ' &&
        digits_at(e + 1, end, 2) && e[3] == ':') {
        e++;
        while (e < end && is_token_char(*e))
            e++;
    }
    if (e == s) {
        if (s >= end || *s == '\n' || *s == '\r' || *s == '#')
            return asw__toml_error(P, s, "missing value");
        if (*s == ',' || *s == ']' || *s == '}' || *s == '=' || *s == '[' || *s == '{')
            return asw__toml_error(P, s, "expected a value, found '%c'", *s);
        return asw__toml_error(P, s, "expected a value");
    }
    int rc;
    size_t n = (size_t)(e - s);
    if (n == 4 && !memcmp(s, "true", 4)) {
        v->type = ASW_TOML_BOOL;
        v->u.b = true;
        rc = 0;
    } else if (n == 5 && !memcmp(s, "false", 5)) {
        v->type = ASW_TOML_BOOL;
        v->u.b = false;
        rc = 0;
    } else if (is_digit(*s) && ((n >= 5 && digits_at(s, e, 4) && s[4] == '-') ||
                                (n >= 3 && digits_at(s, e, 2) && s[2] == ':'))) {
        rc = parse_datetime(P, s, e, v);
    } else if (is_digit(*s) || *s == '+' || *s == '-' ||
               (n == 3 && (!memcmp(s, "inf", 3) || !memcmp(s, "nan", 3)))) {
        rc = parse_number(P, s, e, v);
    } else {
        rc = asw__toml_error(P, s, "invalid value '%.*s' (strings must be quoted)",
                             (int)(n > 40 ? 40 : n), s);
    }
    if (rc == 0) P->p = e;
    return rc;
}
