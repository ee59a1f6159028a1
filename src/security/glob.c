/*
 * src/security/glob.c -- the matchers: filesystem globs on normalised absolute paths, request
 * path normalisation, messaging topic patterns, and a plain '*' wildcard for URLs.
 *
 * Filesystem globs work segment by segment ('/' separates segments): within a segment `*`
 * matches any run of characters and `?` one character (neither ever matches '/'), `[abc]`,
 * `[a-z]` and `[!a]` match one character of a class, `\` escapes; a whole segment `**` matches
 * zero or more segments. A segment is matched with the classic single-backtrack loop (linear
 * per attempt); `**` recurses over the segment starts that follow, and validation allows at
 * most four `**` per pattern, which bounds the work to O(n^4) on a path of at most
 * ASW_PATH_MAX bytes (in practice one `**` and a linear scan).
 *
 * Normalisation decodes percent escapes once and rejects what a path must never contain (a
 * relative path, ".." above the root, NUL and control bytes, double encoding) before it
 * collapses "//", "." and "..". It works in the caller's buffer and never allocates.
 *
 * Invariants: pure (no OS headers, no allocation). Patterns passed here were validated by
 * parse.c; the matchers still stop safely at the end of a malformed pattern.
 */
#include "security/sec_int.h"

#include <string.h>

static int hexv(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int asw__sec_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t n)
{
    if (hexlen != 2 * n) return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hexv(hex[2 * i]), lo = hexv(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool asw__sec_ieq(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn) return false;
    for (size_t i = 0; i < an; i++)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

/* ------------------------------------- normalisation ------------------------------------- */

ASW_API int asw_path_normalize(const char *path, char *out, size_t cap, asw_error_t *out_err)
{
    if (!path || !out || cap == 0)
        return asw__errorf(out_err, ASW_E_INVALID, "path normalisation: bad argument");
    /* An encoded leading '/' ("%2fetc") is not an absolute path as written. */
    if (path[0] != '/')
        return asw__errorf(out_err, ASW_E_DENIED, "path '%s' is not absolute", path);
    /* Fast path: a path with no '%', no control byte, no empty segment, no segment starting
     * with '.' and no trailing '/' is already normal; copy it in one pass. Anything else (also
     * merely suspicious, like "/.hidden") takes the two passes below. */
    {
        size_t n = 0;
        char prev = '\0';
        for (;; n++) {
            unsigned char c = (unsigned char)path[n];
            if (!c) break;
            if (c == '%' || c < 0x20 || c == 0x7f || (prev == '/' && (c == '/' || c == '.')))
                goto slow;
            prev = (char)c;
        }
        if ((n > 1 && prev == '/') || n + 1 > cap) goto slow;
        memcpy(out, path, n + 1);
        return ASW_OK;
    }
slow:;
    /* Pass 1: percent-decode into out. */
    size_t w = 0;
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%') {
            int hi = hexv(p[1]), lo = hi < 0 ? -1 : hexv(p[2]);
            if (hi < 0 || lo < 0)
                return asw__errorf(out_err, ASW_E_DENIED, "path '%s': malformed percent-encoding",
                                   path);
            c = (unsigned char)(hi << 4 | lo);
            p += 2;
            if (c == '%' && hexv(p[1]) >= 0 && hexv(p[2]) >= 0)
                return asw__errorf(out_err, ASW_E_DENIED,
                                   "path '%s': double percent-encoding is not accepted", path);
        }
        if (c < 0x20 || c == 0x7f)
            return asw__errorf(out_err, ASW_E_DENIED,
                               "path '%s': contains a NUL or control character", path);
        if (w + 1 >= cap) return asw__errorf(out_err, ASW_E_OVERFLOW, "path is too long");
        out[w++] = (char)c;
    }
    out[w] = '\0';
    /* Pass 2: in place; the output never grows, so writing behind the read position is safe. */
    size_t r = 0;
    w = 0;
    for (;;) {
        while (out[r] == '/')
            r++;
        if (!out[r]) break;
        size_t start = r;
        while (out[r] && out[r] != '/')
            r++;
        size_t len = r - start;
        if (len == 1 && out[start] == '.') continue;
        if (len == 2 && out[start] == '.' && out[start + 1] == '.') {
            if (w == 0) {
                out[0] = '\0';
                return asw__errorf(out_err, ASW_E_DENIED, "path '%s' escapes the root with '..'",
                                   path);
            }
            while (out[w - 1] != '/')
                w--;
            w--;
            continue;
        }
        out[w++] = '/';
        memmove(out + w, out + start, len);
        w += len;
    }
    if (w == 0) out[w++] = '/';
    out[w] = '\0';
    return ASW_OK;
}

/* ----------------------------------------- globs ----------------------------------------- */

/* Matches character c against the class starting at p ('['); *next receives the position
 * after ']'. Returns false on no match or an unterminated class (then *next is pe). */
static bool class_match(const char *p, const char *pe, char c, const char **next)
{
    const char *q = p + 1;
    bool neg = false, hit = false;
    if (q < pe && (*q == '!' || *q == '^')) {
        neg = true;
        q++;
    }
    bool first = true;
    while (q < pe && (*q != ']' || first)) {
        first = false;
        char lo = *q;
        if (lo == '\\' && q + 1 < pe) lo = *++q;
        q++;
        char hi = lo;
        if (q + 1 < pe && *q == '-' && q[1] != ']') {
            hi = q[1];
            if (hi == '\\' && q + 2 < pe) {
                hi = q[2];
                q++;
            }
            q += 2;
        }
        if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi)
            hit = true;
    }
    if (q >= pe) {
        *next = pe;
        return false;
    }
    *next = q + 1;
    return hit != neg;
}

/* Matches one segment s[0..se) against pattern segment p[0..pe). */
static bool seg_match(const char *p, const char *pe, const char *s, const char *se)
{
    const char *star_p = NULL, *star_s = NULL;
    while (s < se) {
        if (p < pe) {
            if (*p == '*') {
                star_p = ++p;
                star_s = s;
                continue;
            }
            if (*p == '?') {
                p++;
                s++;
                continue;
            }
            if (*p == '[') {
                const char *np;
                if (class_match(p, pe, *s, &np)) {
                    p = np;
                    s++;
                    continue;
                }
            } else {
                const char *np = p + 1;
                char c = *p;
                if (c == '\\' && np < pe) c = *np++;
                if (c == *s) {
                    p = np;
                    s++;
                    continue;
                }
            }
        }
        if (!star_p) return false;
        p = star_p;
        s = ++star_s;
    }
    while (p < pe && *p == '*')
        p++;
    return p == pe;
}

static const char *seg_end(const char *s)
{
    while (*s && *s != '/')
        s++;
    return s;
}

/* p and s point at the start of a segment (just after a '/'), or at the end. */
static bool path_match(const char *p, const char *s)
{
    for (;;) {
        if (p[0] == '*' && p[1] == '*' && (p[2] == '/' || p[2] == '\0')) {
            if (p[2] == '\0') return true; /* a trailing ** matches the rest, even nothing */
            const char *rest = p + 3;
            for (const char *t = s;;) {
                if (path_match(rest, t)) return true;
                t = seg_end(t);
                if (!*t) return false;
                t++;
            }
        }
        const char *pe = seg_end(p), *se = seg_end(s);
        if (!seg_match(p, pe, s, se)) return false;
        if (!*pe) return !*se;
        if (!*se) return !strcmp(pe + 1, "**"); /* a trailing double star also matches nothing */
        p = pe + 1;
        s = se + 1;
    }
}

bool asw__sec_glob_match_from(const char *pattern, const char *path, size_t lit)
{
    if (lit == 0 || path[lit] != '/' || pattern[lit] != '/')
        return asw_path_glob_match(pattern, path);
    return path_match(pattern + lit + 1, path + lit + 1);
}

ASW_API bool asw_path_glob_match(const char *pattern, const char *path)
{
    if (!pattern || !path || pattern[0] != '/' || path[0] != '/') return false;
    if (!pattern[1]) return !path[1];
    return path_match(pattern + 1, path + 1);
}

/* ------------------------------------ topics and URLs ------------------------------------ */

bool asw__sec_topic_match(const char *p, const char *t)
{
    for (;;) {
        const char *pe = seg_end(p), *te = seg_end(t);
        size_t pl = (size_t)(pe - p);
        if (pl == 1 && *p == '#') return true;
        if (!(pl == 1 && *p == '+') && (pl != (size_t)(te - t) || memcmp(p, t, pl))) return false;
        if (!*pe && !*te) return true;
        if (!*te) return !strcmp(pe, "/#"); /* "a/#" also matches "a" */
        if (!*pe) return false;
        p = pe + 1;
        t = te + 1;
    }
}

bool asw__sec_wild_match(const char *p, const char *s)
{
    const char *star_p = NULL, *star_s = NULL;
    while (*s) {
        if (*p == '*') {
            star_p = ++p;
            star_s = s;
            continue;
        }
        if (*p && *p == *s) {
            p++;
            s++;
            continue;
        }
        if (!star_p || *star_s == '/') return false; /* '*' never spans a '/' */
        p = star_p;
        s = ++star_s;
    }
    while (*p == '*')
        p++;
    return !*p;
}
