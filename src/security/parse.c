/*
 * src/security/parse.c -- the parsers and validators of the security layer: sizes with units,
 * rates, ports and port ranges, IPv4/IPv6 addresses and CIDR ranges, and the syntax checks of
 * every pattern kind (filesystem globs, host patterns, network targets, storage namespaces,
 * messaging topics). The manifest parser and the trust registry reuse these, so each syntax has
 * one implementation.
 *
 * Design: small hand-written scanners over NUL-terminated (or length-bounded) strings; every
 * numeric conversion checks for overflow before it multiplies or adds. IPv4 is strict
 * dotted-quad (four decimal parts, no leading zeros: "010.0.0.1" would mean octal to some
 * resolvers); IPv6 follows RFC 4291 text forms (with "::" and a dotted IPv4 tail), without zone
 * ids. An IPv4-mapped IPv6 address is stored as IPv4 so a rule cannot be dodged by rewriting
 * the address.
 *
 * Invariants: pure (no OS headers, no allocation); every error names what was wrong.
 * Not here: matching (glob.c), compiled capability entries (capability.c).
 */
#include "security/sec_int.h"

#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive compare of s[0..n) with the lower-case literal lit. */
static bool word_eq(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n != m) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lit[i]) return false;
    return true;
}

/* Parses decimal digits at *p into *out; advances *p. ASW_E_PARSE without digits,
 * ASW_E_OVERFLOW past UINT64_MAX. */
static int parse_u64(const char **p, uint64_t *out, asw_error_t *err, const char *what)
{
    const char *s = *p;
    uint64_t v = 0;
    if (!is_digit(*s)) return asw__errorf(err, ASW_E_PARSE, "%s: expected a number", what);
    while (is_digit(*s)) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return asw__errorf(err, ASW_E_OVERFLOW, "%s: number too large", what);
        v = v * 10 + d;
        s++;
    }
    *p = s;
    *out = v;
    return ASW_OK;
}

/* Multiplier of a size unit (s[0..n)), or 0 when it is not one. The empty unit means bytes. */
static uint64_t size_unit(const char *s, size_t n)
{
    static const struct {
        const char *name;
        uint64_t mult;
    } units[] = {
        {"", 1},
        {"b", 1},
        {"kb", UINT64_C(1) << 10},
        {"kib", UINT64_C(1) << 10},
        {"mb", UINT64_C(1) << 20},
        {"mib", UINT64_C(1) << 20},
        {"gb", UINT64_C(1) << 30},
        {"gib", UINT64_C(1) << 30},
        {"tb", UINT64_C(1) << 40},
        {"tib", UINT64_C(1) << 40},
    };
    for (size_t i = 0; i < ASW_ARRAY_LEN(units); i++)
        if (word_eq(s, n, units[i].name)) return units[i].mult;
    return 0;
}

static int mul_checked(uint64_t a, uint64_t b, uint64_t *out, asw_error_t *err, const char *what)
{
    if (b && a > UINT64_MAX / b)
        return asw__errorf(err, ASW_E_OVERFLOW, "%s: value does not fit in 64 bits", what);
    *out = a * b;
    return ASW_OK;
}

ASW_API int asw_quota_parse_size(const char *s, uint64_t *out_bytes, asw_error_t *out_err)
{
    if (!s || !out_bytes) return asw__errorf(out_err, ASW_E_INVALID, "size: NULL argument");
    const char *p = s;
    uint64_t n = 0;
    while (is_space(*p))
        p++;
    int rc = parse_u64(&p, &n, out_err, "size");
    if (rc) return rc;
    while (is_space(*p))
        p++;
    const char *u = p;
    while (*p && !is_space(*p))
        p++;
    size_t ulen = (size_t)(p - u);
    while (is_space(*p))
        p++;
    if (*p)
        return asw__errorf(out_err, ASW_E_PARSE, "size '%s': unexpected text after the unit", s);
    uint64_t mult = size_unit(u, ulen);
    if (!mult)
        return asw__errorf(out_err, ASW_E_PARSE,
                           "size '%s': unknown unit '%.*s' (use B, KB, MB, GB or TB)", s, (int)ulen,
                           u);
    return mul_checked(n, mult, out_bytes, out_err, "size");
}

ASW_API int asw_quota_parse_rate(const char *s, asw_rate_unit_t *out_unit, uint64_t *out_per_second,
                                 asw_error_t *out_err)
{
    if (!s || !out_unit || !out_per_second)
        return asw__errorf(out_err, ASW_E_INVALID, "rate: NULL argument");
    const char *slash = strrchr(s, '/');
    if (!slash) return asw__errorf(out_err, ASW_E_PARSE, "rate '%s': expected '<amount>/s'", s);
    const char *per = slash + 1;
    size_t perlen = strlen(per);
    while (perlen && is_space(per[perlen - 1]))
        perlen--;
    if (!word_eq(per, perlen, "s") && !word_eq(per, perlen, "sec") &&
        !word_eq(per, perlen, "second"))
        return asw__errorf(out_err, ASW_E_PARSE, "rate '%s': only per-second rates ('/s')", s);
    const char *p = s;
    uint64_t n = 0;
    while (is_space(*p))
        p++;
    int rc = parse_u64(&p, &n, out_err, "rate");
    if (rc) return rc;
    while (is_space(*p))
        p++;
    const char *u = p;
    while (p < slash && !is_space(*p))
        p++;
    size_t ulen = (size_t)(p - u);
    while (p < slash && is_space(*p))
        p++;
    if (p != slash) return asw__errorf(out_err, ASW_E_PARSE, "rate '%s': unexpected text", s);
    if (word_eq(u, ulen, "ms")) {
        if (n > 1000)
            return asw__errorf(out_err, ASW_E_PARSE,
                               "rate '%s': CPU time cannot exceed 1000ms per second", s);
        *out_unit = ASW_RATE_MILLIS;
        *out_per_second = n;
        return ASW_OK;
    }
    if (ulen == 0 || word_eq(u, ulen, "msg") || word_eq(u, ulen, "msgs") ||
        word_eq(u, ulen, "message") || word_eq(u, ulen, "messages")) {
        *out_unit = ASW_RATE_COUNT;
        *out_per_second = n;
        return ASW_OK;
    }
    uint64_t mult = size_unit(u, ulen);
    if (!mult)
        return asw__errorf(out_err, ASW_E_PARSE,
                           "rate '%s': unknown unit '%.*s' (use B/KB/MB/GB, ms or messages)", s,
                           (int)ulen, u);
    rc = mul_checked(n, mult, out_per_second, out_err, "rate");
    if (rc) return rc;
    *out_unit = ASW_RATE_BYTES;
    return ASW_OK;
}

/* Parses one port number s[0..n). */
static int parse_port(const char *s, size_t n, uint16_t *out)
{
    if (n == 0 || n > 5) return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (v == 0 || v > 65535) return -1;
    *out = (uint16_t)v;
    return 0;
}

int asw__sec_parse_ports_n(const char *s, size_t n, uint16_t *out_lo, uint16_t *out_hi,
                           asw_error_t *err)
{
    if (n == 1 && s[0] == '*') {
        *out_lo = 1;
        *out_hi = 65535;
        return ASW_OK;
    }
    const char *dash = memchr(s, '-', n);
    uint16_t lo, hi;
    if (!dash) {
        if (parse_port(s, n, &lo))
            return asw__errorf(err, ASW_E_PARSE, "port '%.*s': expected 1-65535, a range or '*'",
                               (int)n, s);
        *out_lo = *out_hi = lo;
        return ASW_OK;
    }
    if (parse_port(s, (size_t)(dash - s), &lo) ||
        parse_port(dash + 1, n - (size_t)(dash - s) - 1, &hi))
        return asw__errorf(err, ASW_E_PARSE, "port range '%.*s': expected <lo>-<hi> in 1-65535",
                           (int)n, s);
    if (lo > hi)
        return asw__errorf(err, ASW_E_PARSE, "port range '%.*s': low end above high end", (int)n,
                           s);
    *out_lo = lo;
    *out_hi = hi;
    return ASW_OK;
}

ASW_API int asw_net_parse_ports(const char *s, uint16_t *out_lo, uint16_t *out_hi,
                                asw_error_t *out_err)
{
    if (!s || !out_lo || !out_hi)
        return asw__errorf(out_err, ASW_E_INVALID, "ports: NULL argument");
    return asw__sec_parse_ports_n(s, strlen(s), out_lo, out_hi, out_err);
}

/* ---------------------------------------- addresses ---------------------------------------- */

static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || s[i] != '.') return -1;
            i++;
        }
        size_t start = i;
        uint32_t v = 0;
        while (i < n && is_digit(s[i]) && i - start < 3)
            v = v * 10 + (uint32_t)(s[i++] - '0');
        if (i == start || v > 255) return -1;
        if (i - start > 1 && s[start] == '0') return -1; /* no leading zeros (octal ambiguity) */
        out[part] = (uint8_t)v;
    }
    return i == n ? 0 : -1;
}

static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t w[8] = {0}; /* every word is set below; zeroed for cppcheck */
    int nw = 0, gap = -1;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n && s[0] == ':') {
        return -1;
    }
    while (i < n) {
        if (nw >= 8) return -1;
        size_t j = i;
        while (j < n && s[j] != ':')
            j++;
        if (memchr(s + i, '.', j - i)) {
            uint8_t v4[4];
            if (j != n || nw > 6 || parse_v4(s + i, j - i, v4)) return -1;
            w[nw++] = (uint16_t)(v4[0] << 8 | v4[1]);
            w[nw++] = (uint16_t)(v4[2] << 8 | v4[3]);
            break; /* the dotted quad ends the address (j == n) */
        }
        if (j == i || j - i > 4) return -1;
        uint32_t v = 0;
        for (size_t k = i; k < j; k++) {
            int h = hex_val(s[k]);
            if (h < 0) return -1;
            v = v << 4 | (uint32_t)h;
        }
        w[nw++] = (uint16_t)v;
        i = j;
        if (i == n) break;
        i++; /* the ':' */
        if (i < n && s[i] == ':') {
            if (gap >= 0) return -1;
            gap = nw;
            i++;
        } else if (i == n) {
            return -1; /* a trailing single ':' */
        }
    }
    if (gap < 0) {
        if (nw != 8) return -1;
    } else {
        if (nw > 7) return -1;
        int tail = nw - gap;
        for (int k = 0; k < tail; k++)
            w[7 - k] = w[nw - 1 - k];
        for (int k = gap; k < 8 - tail; k++)
            w[k] = 0;
    }
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(w[k] >> 8);
        out[2 * k + 1] = (uint8_t)w[k];
    }
    return 0;
}

ASW_API int asw_net_parse_ip(const char *s, size_t len, asw_cidr_t *out, asw_error_t *out_err)
{
    if (!s || !out) return asw__errorf(out_err, ASW_E_INVALID, "address: NULL argument");
    memset(out, 0, sizeof *out);
    if (memchr(s, ':', len)) {
        if (parse_v6(s, len, out->addr))
            return asw__errorf(out_err, ASW_E_PARSE, "'%.*s' is not an IPv6 address", (int)len, s);
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (!memcmp(out->addr, mapped, 12)) {
            memmove(out->addr, out->addr + 12, 4);
            memset(out->addr + 4, 0, 12);
            out->prefix = 32;
            return ASW_OK;
        }
        out->v6 = true;
        out->prefix = 128;
        return ASW_OK;
    }
    if (parse_v4(s, len, out->addr))
        return asw__errorf(out_err, ASW_E_PARSE,
                           "'%.*s' is not an IPv4 address (four decimal parts, no leading zeros)",
                           (int)len, s);
    out->prefix = 32;
    return ASW_OK;
}

int asw__sec_parse_cidr_n(const char *s, size_t n, asw_cidr_t *out, asw_error_t *err)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    int rc = asw_net_parse_ip(s, alen, out, err);
    if (rc) return rc;
    if (!slash) return ASW_OK;
    unsigned max = out->v6 ? 128u : 32u;
    const char *p = slash + 1;
    size_t plen = n - alen - 1;
    if (plen == 0 || plen > 3)
        return asw__errorf(err, ASW_E_PARSE, "CIDR '%.*s': bad prefix length", (int)n, s);
    unsigned pre = 0;
    for (size_t i = 0; i < plen; i++) {
        if (!is_digit(p[i]))
            return asw__errorf(err, ASW_E_PARSE, "CIDR '%.*s': bad prefix length", (int)n, s);
        pre = pre * 10 + (unsigned)(p[i] - '0');
    }
    /* A mapped address written as IPv6 keeps its IPv6 prefix length: convert to IPv4 bits. */
    if (!out->v6 && memchr(s, ':', alen)) {
        if (pre < 96)
            return asw__errorf(err, ASW_E_PARSE, "CIDR '%.*s': prefix too short", (int)n, s);
        pre -= 96;
    }
    if (pre > max)
        return asw__errorf(err, ASW_E_PARSE, "CIDR '%.*s': prefix longer than %u", (int)n, s, max);
    out->prefix = (uint8_t)pre;
    for (unsigned bit = pre; bit < max; bit++)
        if (out->addr[bit / 8] & (0x80u >> (bit % 8)))
            return asw__errorf(err, ASW_E_PARSE,
                               "CIDR '%.*s': address has bits set below the prefix", (int)n, s);
    return ASW_OK;
}

ASW_API int asw_net_parse_cidr(const char *s, asw_cidr_t *out, asw_error_t *out_err)
{
    if (!s || !out) return asw__errorf(out_err, ASW_E_INVALID, "CIDR: NULL argument");
    return asw__sec_parse_cidr_n(s, strlen(s), out, out_err);
}

ASW_API bool asw_net_cidr_contains(const asw_cidr_t *range, const asw_cidr_t *addr)
{
    if (!range || !addr || range->v6 != addr->v6) return false;
    unsigned full = range->prefix / 8u, rest = range->prefix % 8u;
    if (memcmp(range->addr, addr->addr, full)) return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xffu << (8 - rest));
        if ((range->addr[full] & mask) != (addr->addr[full] & mask)) return false;
    }
    return true;
}

static bool v4_private(const uint8_t *a)
{
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 100 && (a[1] & 0xc0) == 64) ||
           (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
           (a[0] == 192 && a[1] == 168);
}

ASW_API bool asw_net_is_private(const asw_cidr_t *addr)
{
    if (!addr) return false;
    if (!addr->v6) return v4_private(addr->addr);
    const uint8_t *a = addr->addr;
    static const uint8_t zero12[12] = {0};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (!memcmp(a, zero12, 12)) return true;                /* ::, ::1, IPv4-compatible */
    if (!memcmp(a, nat64, 12)) return v4_private(a + 12);   /* 64:ff9b::/96 embeds IPv4 */
    if ((a[0] & 0xfe) == 0xfc) return true;                 /* fc00::/7 unique local */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true; /* fe80::/10 link-local */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return true; /* fec0::/10 site-local */
    return false;
}

/* ---------------------------------------- validators ---------------------------------------- */

ASW_API int asw_cap_validate_fs_pattern(const char *pattern, asw_error_t *out_err)
{
    if (!pattern) return asw__errorf(out_err, ASW_E_INVALID, "filesystem pattern: NULL");
    const char *p = pattern;
    if (!*p) return asw__errorf(out_err, ASW_E_PARSE, "filesystem pattern is empty");
    if (*p != '/')
        return asw__errorf(out_err, ASW_E_PARSE,
                           "filesystem pattern '%s' is not absolute (must start with '/')",
                           pattern);
    if (strlen(p) >= ASW_PATH_MAX)
        return asw__errorf(out_err, ASW_E_PARSE, "filesystem pattern is too long");
    int doublestars = 0;
    if (p[1] == '\0') return ASW_OK; /* "/" itself */
    p++;
    for (;;) {
        const char *seg = p;
        if (*p == '/' || *p == '\0')
            return asw__errorf(out_err, ASW_E_PARSE,
                               "filesystem pattern '%s' has an empty segment ('//' or a trailing "
                               "'/')",
                               pattern);
        while (*p && *p != '/') {
            unsigned char c = (unsigned char)*p;
            if (c < 0x20 || c == 0x7f)
                return asw__errorf(out_err, ASW_E_PARSE,
                                   "filesystem pattern '%s' contains a control character", pattern);
            if (c == '\\') {
                if (!p[1] || p[1] == '/')
                    return asw__errorf(out_err, ASW_E_PARSE,
                                       "filesystem pattern '%s': '\\' must escape a character",
                                       pattern);
                p += 2;
                continue;
            }
            if (c == '[') {
                const char *q = p + 1;
                if (*q == '!' || *q == '^') q++;
                if (*q == ']') q++; /* a leading ']' is literal */
                while (*q && *q != ']' && *q != '/') {
                    if (*q == '\\' && q[1] && q[1] != '/') q++;
                    q++;
                }
                if (*q != ']')
                    return asw__errorf(out_err, ASW_E_PARSE,
                                       "filesystem pattern '%s': unterminated '[' class", pattern);
                p = q + 1;
                continue;
            }
            if (c == '*' && p[1] == '*') {
                if (p != seg || (p[2] != '/' && p[2] != '\0'))
                    return asw__errorf(out_err, ASW_E_PARSE,
                                       "filesystem pattern '%s': '**' must be a whole segment",
                                       pattern);
                if (++doublestars > 4)
                    return asw__errorf(out_err, ASW_E_PARSE,
                                       "filesystem pattern '%s': more than 4 '**' segments",
                                       pattern);
                p += 2;
                continue;
            }
            p++;
        }
        size_t n = (size_t)(p - seg);
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return asw__errorf(out_err, ASW_E_PARSE,
                               "filesystem pattern '%s' contains a '.' or '..' segment", pattern);
        if (*p == '\0') return ASW_OK;
        p++;
    }
}

static bool is_label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-';
}

/* Validates a DNS name s[0..n): labels of 1-63 letters, digits and '-' (not at either end of a
 * label), and a last label that is neither all digits nor hex ("0x7f"). Returns 1 when valid. */
int asw__sec_valid_hostname(const char *s, size_t n)
{
    if (n == 0 || n > 253) return 0;
    size_t i = 0;
    const char *last = s;
    size_t lastlen = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && s[i] != '.') {
            if (!is_label_char(s[i])) return 0;
            i++;
        }
        size_t len = i - start;
        if (len == 0 || len > 63 || s[start] == '-' || s[i - 1] == '-') return 0;
        last = s + start;
        lastlen = len;
        if (i < n) i++;
        if (i == n && s[n - 1] == '.') return 0;
    }
    /* An all-numeric or hex last label makes resolvers read the name as an address
     * ("127.1", "0x7f.1"): such names must be written as addresses. */
    bool digits = true;
    for (size_t k = 0; k < lastlen; k++)
        if (!is_digit(last[k])) digits = false;
    if (digits) return 0;
    if (lastlen > 1 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
        bool hex = true;
        for (size_t k = 2; k < lastlen; k++)
            if (hex_val(last[k]) < 0) hex = false;
        if (hex) return 0;
    }
    return 1;
}

int asw__sec_validate_host_n(const char *s, size_t n, asw_error_t *err)
{
    if (n == 0) return asw__errorf(err, ASW_E_PARSE, "host pattern is empty");
    if (n == 1 && s[0] == '*') return ASW_OK;
    asw_cidr_t c;
    if (memchr(s, '/', n) || memchr(s, ':', n) || parse_v4(s, n, c.addr) == 0)
        return asw__sec_parse_cidr_n(s, n, &c, err);
    if (n > 2 && s[0] == '*' && s[1] == '.') {
        s += 2;
        n -= 2;
    }
    if (!asw__sec_valid_hostname(s, n))
        return asw__errorf(err, ASW_E_PARSE,
                           "host pattern '%.*s': expected a DNS name, '*.name', '*', an address "
                           "or a CIDR range",
                           (int)n, s);
    return ASW_OK;
}

ASW_API int asw_cap_validate_host_pattern(const char *pattern, asw_error_t *out_err)
{
    if (!pattern) return asw__errorf(out_err, ASW_E_INVALID, "host pattern: NULL");
    return asw__sec_validate_host_n(pattern, strlen(pattern), out_err);
}

int asw__sec_split_target(const char *s, size_t n, const char **host, size_t *hlen,
                          const char **ports, size_t *plen, asw_error_t *err)
{
    if (n == 0) return asw__errorf(err, ASW_E_PARSE, "network target is empty");
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || close + 1 >= s + n || close[1] != ':')
            return asw__errorf(err, ASW_E_PARSE, "network target '%.*s': expected '[address]:port'",
                               (int)n, s);
        *host = s + 1;
        *hlen = (size_t)(close - s - 1);
        *ports = close + 2;
        *plen = n - (size_t)(close + 2 - s);
        return ASW_OK;
    }
    const char *colon = NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ':') {
            if (colon)
                return asw__errorf(err, ASW_E_PARSE,
                                   "network target '%.*s': write IPv6 addresses in brackets",
                                   (int)n, s);
            colon = s + i;
        }
    if (!colon)
        return asw__errorf(err, ASW_E_PARSE, "network target '%.*s': expected 'host:port'", (int)n,
                           s);
    *host = s;
    *hlen = (size_t)(colon - s);
    *ports = colon + 1;
    *plen = n - *hlen - 1;
    return ASW_OK;
}

ASW_API int asw_cap_validate_net_target(const char *s, asw_error_t *out_err)
{
    if (!s) return asw__errorf(out_err, ASW_E_INVALID, "network target: NULL");
    const char *h = NULL, *p = NULL;
    size_t hl = 0, pl = 0;
    uint16_t lo, hi;
    int rc = asw__sec_split_target(s, strlen(s), &h, &hl, &p, &pl, out_err);
    if (!rc) rc = asw__sec_validate_host_n(h, hl, out_err);
    if (!rc) rc = asw__sec_parse_ports_n(p, pl, &lo, &hi, out_err);
    return rc;
}

static bool printable_word(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f) return false;
    return true;
}

ASW_API int asw_cap_validate_storage_pattern(const char *pattern, asw_error_t *out_err)
{
    if (!pattern) return asw__errorf(out_err, ASW_E_INVALID, "storage pattern: NULL");
    size_t n = strlen(pattern);
    if (n == 0) return asw__errorf(out_err, ASW_E_PARSE, "storage pattern is empty");
    if (n > 255) return asw__errorf(out_err, ASW_E_PARSE, "storage pattern is too long");
    if (!printable_word(pattern))
        return asw__errorf(out_err, ASW_E_PARSE,
                           "storage pattern '%s' contains a space or control character", pattern);
    const char *star = strchr(pattern, '*');
    if (star && star != pattern + n - 1)
        return asw__errorf(out_err, ASW_E_PARSE,
                           "storage pattern '%s': '*' is allowed only at the end (a prefix)",
                           pattern);
    return ASW_OK;
}

ASW_API int asw_cap_validate_topic_pattern(const char *pattern, asw_error_t *out_err)
{
    if (!pattern) return asw__errorf(out_err, ASW_E_INVALID, "topic pattern: NULL");
    size_t n = strlen(pattern);
    if (n == 0) return asw__errorf(out_err, ASW_E_PARSE, "topic pattern is empty");
    if (n > 255) return asw__errorf(out_err, ASW_E_PARSE, "topic pattern is too long");
    if (!printable_word(pattern))
        return asw__errorf(out_err, ASW_E_PARSE,
                           "topic pattern '%s' contains a space or control character", pattern);
    const char *p = pattern;
    for (;;) {
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - seg);
        if (len == 0)
            return asw__errorf(out_err, ASW_E_PARSE, "topic pattern '%s' has an empty segment",
                               pattern);
        for (size_t i = 0; i < len; i++) {
            if (seg[i] == '+' && len != 1)
                return asw__errorf(out_err, ASW_E_PARSE,
                                   "topic pattern '%s': '+' must be a whole segment", pattern);
            if (seg[i] == '#' && (len != 1 || *p))
                return asw__errorf(out_err, ASW_E_PARSE,
                                   "topic pattern '%s': '#' must be the whole last segment",
                                   pattern);
        }
        if (!*p) return ASW_OK;
        p++;
    }
}
