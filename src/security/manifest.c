/*
 * src/security/manifest.c -- Component.toml: parse with the TOML parser, then walk the tree
 * table by table and validate every key strictly, producing an asw_manifest_t (plain data).
 *
 * Design. One function per table ([component], [capabilities], [quota], [resources],
 * [supervision]); each iterates its table's keys in document order, dispatches on the key name
 * and reports an unknown key at the key's line:column. Values are checked for type first (the
 * message names the expected and the actual type at the value's position), then for content with
 * the security layer's parsers (asw_quota_parse_size/rate, asw_net_parse_ports/cidr,
 * asw_cap_validate_*), whose message is wrapped with the position. Every capability entry
 * becomes an asw_cap_spec_t and is finally checked with asw_cap_spec_validate, so a manifest
 * never holds an entry the capability set would refuse.
 *
 * Memory: the manifest, its arrays and every string are separate allocations released by
 * asw_manifest_free(), which copes with a half-built manifest, so every error path is one
 * `goto fail`. The TOML tree is freed before returning.
 *
 * Not done: durations with fractions or combined units ("1m30s"); reading files.
 */
#include "airssys/manifest.h"
#include "airssys/toml.h"
#include "base/base.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN     64
#define DEFAULT_RESTARTS 3
#define DEFAULT_WITHIN   (UINT64_C(5) * 1000000000u)
#define DEFAULT_BASE     (UINT64_C(100) * 1000000u)
#define DEFAULT_MAX      (UINT64_C(30) * 1000000000u)
#define NS_PER_MS        UINT64_C(1000000)

typedef struct mctx {
    asw_manifest_t *m;
    asw_manifest_cap_t *caps; /* == m->caps, writable */
    size_t cap_cap;
    asw_error_t *err;
} mctx;

/* Errors at a position of the document: ASW_E_MANIFEST "line L, column C: <what>". */
#define merr(C, line, col, ...) asw_toml_errorf((C)->err, ASW_E_MANIFEST, line, col, __VA_ARGS__)
/* As merr, at the position of value v. */
#define verr(C, v, ...) merr(C, asw_toml_line(v), asw_toml_column(v), __VA_ARGS__)

static int nomem(mctx *C)
{
    return asw__errorf(C->err, ASW_E_NOMEM, "out of memory while reading the manifest");
}

/* The string of v, which must be a non-empty string without NUL (what = "component.name"). */
static int get_str(mctx *C, const asw_toml_value_t *v, const char *what, bool allow_empty,
                   const char **out)
{
    size_t len;
    const char *s = asw_toml_string(v, &len);
    if (!s)
        return verr(C, v, "%s must be a string, not %s", what,
                    asw_toml_type_phrase(asw_toml_type(v)));
    if (strlen(s) != len) return verr(C, v, "%s must not contain NUL characters", what);
    if (!allow_empty && len == 0) return verr(C, v, "%s must not be empty", what);
    *out = s;
    return 0;
}

static int dup_str(mctx *C, const char *s, const char **out)
{
    char *d = asw__strdup(s);
    if (!d) return nomem(C);
    *out = d;
    return 0;
}

static int get_table(mctx *C, const asw_toml_value_t *v, const char *what)
{
    if (asw_toml_type(v) != ASW_TOML_TABLE)
        return verr(C, v, "%s must be a table, not %s", what,
                    asw_toml_type_phrase(asw_toml_type(v)));
    return 0;
}

static int get_array(mctx *C, const asw_toml_value_t *v, const char *what)
{
    if (asw_toml_type(v) != ASW_TOML_ARRAY)
        return verr(C, v, "%s must be an array, not %s", what,
                    asw_toml_type_phrase(asw_toml_type(v)));
    return 0;
}

static int unknown_key(mctx *C, const asw_toml_value_t *t, size_t i, const char *where)
{
    return merr(C, asw_toml_key_line(t, i), asw_toml_key_column(t, i), "unknown key '%s' in %s",
                asw_toml_key_at(t, i, NULL), where);
}

/* ---- sizes, rates, durations ---- */

/* A size: an integer (bytes) or a string with a unit ("64MB"); must be positive. */
static int get_size(mctx *C, const asw_toml_value_t *v, const char *what, uint64_t *out)
{
    if (asw_toml_type(v) == ASW_TOML_INTEGER) {
        int64_t i = 0;
        asw_toml_integer(v, &i);
        if (i <= 0) return verr(C, v, "%s must be greater than zero", what);
        *out = (uint64_t)i;
        return 0;
    }
    const char *s = NULL;
    int rc = get_str(C, v, what, false, &s);
    if (rc) return rc;
    asw_error_t e;
    if (asw_quota_parse_size(s, out, &e)) return verr(C, v, "%s: %s", what, e.msg);
    if (*out == 0) return verr(C, v, "%s must be greater than zero", what);
    return 0;
}

/* A per-second rate string of the given unit ("5MB/s", "500ms/s", "100/s"). */
static int get_rate(mctx *C, const asw_toml_value_t *v, const char *what, asw_rate_unit_t unit,
                    const char *example, uint64_t *out)
{
    const char *s = NULL;
    int rc = get_str(C, v, what, false, &s);
    if (rc) return rc;
    asw_error_t e;
    asw_rate_unit_t got;
    if (asw_quota_parse_rate(s, &got, out, &e)) return verr(C, v, "%s: %s", what, e.msg);
    if (got != unit)
        return verr(C, v, "%s: '%s' has the wrong unit (write e.g. \"%s\")", what, s, example);
    if (*out == 0) return verr(C, v, "%s must be greater than zero", what);
    if (*out > ASW_QUOTA_RATE_MAX) return verr(C, v, "%s: '%s' is too large", what, s);
    return 0;
}

int asw_manifest_parse_duration(const char *s, uint64_t *out_ns, asw_error_t *out_err)
{
    if (!s || !out_ns) return asw__errorf(out_err, ASW_E_INVALID, "duration: NULL argument");
    const char *p = s;
    uint64_t n = 0;
    if (*p < '0' || *p > '9')
        return asw__errorf(out_err, ASW_E_PARSE,
                           "duration '%s': expected a whole number and a unit (ms, s, m, h)", s);
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10)
            return asw__errorf(out_err, ASW_E_OVERFLOW, "duration '%s' is too large", s);
        n = n * 10 + d;
    }
    uint64_t mult;
    if (!strcmp(p, "ms"))
        mult = NS_PER_MS;
    else if (!strcmp(p, "s"))
        mult = 1000 * NS_PER_MS;
    else if (!strcmp(p, "m"))
        mult = 60 * 1000 * NS_PER_MS;
    else if (!strcmp(p, "h"))
        mult = 3600 * 1000 * NS_PER_MS;
    else if (!*p)
        return asw__errorf(out_err, ASW_E_PARSE, "duration '%s' needs a unit (ms, s, m or h)", s);
    else
        return asw__errorf(out_err, ASW_E_PARSE,
                           "duration '%s': unknown unit '%s' (use ms, s, m or h)", s, p);
    if (n > UINT64_MAX / mult)
        return asw__errorf(out_err, ASW_E_OVERFLOW, "duration '%s' is too large", s);
    *out_ns = n * mult;
    return 0;
}

static int get_duration(mctx *C, const asw_toml_value_t *v, const char *what, uint64_t *out)
{
    const char *s = NULL;
    int rc = get_str(C, v, what, false, &s);
    if (rc) return rc;
    asw_error_t e;
    if (asw_manifest_parse_duration(s, out, &e)) return verr(C, v, "%s: %s", what, e.msg);
    if (*out == 0) return verr(C, v, "%s must be greater than zero", what);
    return 0;
}

/* ---- [component] ---- */

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NAME_MAX_LEN) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '-' && c != '_'))) return false;
    }
    return true;
}

ASW_API bool asw_manifest_valid_name(const char *s)
{
    return s && valid_name(s);
}

/* A numeric identifier of semver: digits without a leading zero. Advances *pp. */
static bool semver_num(const char **pp)
{
    const char *p = *pp;
    if (*p < '0' || *p > '9') return false;
    if (*p == '0' && p[1] >= '0' && p[1] <= '9') return false;
    while (*p >= '0' && *p <= '9')
        p++;
    *pp = p;
    return true;
}

/* Dot-separated identifiers of [0-9A-Za-z-] (pre-release or build metadata). */
static bool semver_idents(const char **pp)
{
    const char *p = *pp;
    for (;;) {
        const char *start = p;
        while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
               *p == '-')
            p++;
        if (p == start) return false;
        if (*p != '.') break;
        p++;
    }
    *pp = p;
    return true;
}

static bool valid_semver(const char *s)
{
    const char *p = s;
    if (!semver_num(&p) || *p++ != '.' || !semver_num(&p) || *p++ != '.' || !semver_num(&p))
        return false;
    if (*p == '-') {
        p++;
        if (!semver_idents(&p)) return false;
    }
    if (*p == '+') {
        p++;
        if (!semver_idents(&p)) return false;
    }
    return *p == '\0';
}

static int parse_component(mctx *C, const asw_toml_value_t *t)
{
    asw_manifest_t *m = C->m;
    int rc;
    const char *s = NULL;
    for (size_t i = 0; i < asw_toml_count(t); i++) {
        const char *k = asw_toml_key_at(t, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(t, i);
        if (!strcmp(k, "name")) {
            if ((rc = get_str(C, v, "component.name", false, &s))) return rc;
            if (!valid_name(s))
                return verr(C, v,
                            "component.name '%s' must be 1-%d characters of a-z, 0-9, '-' "
                            "and '_', starting with a letter or digit",
                            s, NAME_MAX_LEN);
            if ((rc = dup_str(C, s, &m->name))) return rc;
        } else if (!strcmp(k, "version")) {
            if ((rc = get_str(C, v, "component.version", false, &s))) return rc;
            if (!valid_semver(s))
                return verr(C, v,
                            "component.version '%s' is not a semantic version "
                            "(MAJOR.MINOR.PATCH, e.g. \"1.2.0\")",
                            s);
            if ((rc = dup_str(C, s, &m->version))) return rc;
        } else if (!strcmp(k, "description")) {
            if ((rc = get_str(C, v, "component.description", true, &s))) return rc;
            if ((rc = dup_str(C, s, &m->description))) return rc;
        } else if (!strcmp(k, "license")) {
            if ((rc = get_str(C, v, "component.license", false, &s))) return rc;
            if ((rc = dup_str(C, s, &m->license))) return rc;
        } else if (!strcmp(k, "source")) {
            if ((rc = get_str(C, v, "component.source", false, &s))) return rc;
            if ((rc = dup_str(C, s, &m->source))) return rc;
        } else if (!strcmp(k, "authors")) {
            if ((rc = get_array(C, v, "component.authors"))) return rc;
            size_t n = asw_toml_count(v);
            const char **a = asw__calloc(n ? n : 1, sizeof *a);
            if (!a) return nomem(C);
            m->authors = a;
            for (size_t j = 0; j < n; j++) {
                if ((rc = get_str(C, asw_toml_at(v, j), "each of component.authors", false, &s)))
                    return rc;
                if ((rc = dup_str(C, s, &a[j]))) return rc;
                m->nauthors = j + 1;
            }
        } else {
            return unknown_key(C, t, i, "[component]");
        }
    }
    if (!m->name) return merr(C, asw_toml_line(t), asw_toml_column(t), "[component] needs a name");
    if (!m->version)
        return merr(C, asw_toml_line(t), asw_toml_column(t), "[component] needs a version");
    return 0;
}

/* ---- [capabilities] ---- */

/* Appends a capability whose pattern (copied) and params (taken) are given. */
static int add_cap(mctx *C, const asw_toml_value_t *at, asw_cap_kind_t kind, uint32_t perms,
                   bool deny, const char *pattern, const char **params, size_t nparams)
{
    asw_manifest_t *m = C->m;
    if (m->ncaps >= ASW_MANIFEST_MAX_CAPS) {
        for (size_t j = 0; j < nparams; j++)
            asw__free((void *)params[j]);
        asw__free(params);
        return verr(C, at, "more than %d capability entries", ASW_MANIFEST_MAX_CAPS);
    }
    if (m->ncaps == C->cap_cap) {
        size_t nc = C->cap_cap ? C->cap_cap * 2 : 8;
        asw_manifest_cap_t *n = asw__reallocarray(C->caps, nc, sizeof *n);
        if (!n) {
            for (size_t j = 0; j < nparams; j++)
                asw__free((void *)params[j]);
            asw__free(params);
            return nomem(C);
        }
        C->caps = n;
        m->caps = n;
        C->cap_cap = nc;
    }
    asw_manifest_cap_t *c = &C->caps[m->ncaps];
    memset(c, 0, sizeof *c);
    c->spec.params = params;
    c->spec.nparams = nparams;
    c->line = asw_toml_line(at);
    c->column = asw_toml_column(at);
    m->ncaps++; /* owned from here on, even if the copy below fails */
    char *p = asw__strdup(pattern);
    if (!p) return nomem(C);
    c->spec.kind = kind;
    c->spec.perms = perms;
    c->spec.deny = deny;
    c->spec.pattern = p;
    asw_error_t e;
    if (asw_cap_spec_validate(&c->spec, &e)) return verr(C, at, "%s", e.msg);
    /* The same pattern twice for the same kind (and the same allow/deny side) is a mistake. */
    for (size_t j = 0; j + 1 < m->ncaps; j++) {
        const asw_manifest_cap_t *o = &C->caps[j];
        if (o->spec.kind == kind && o->spec.deny == deny && !strcmp(o->spec.pattern, p) &&
            (o->spec.perms & perms))
            return verr(C, at,
                        "duplicate %s pattern '%s' (already listed at line %" PRIu32
                        ", column %" PRIu32 ")",
                        asw_cap_kind_name(kind), p, o->line, o->column);
    }
    return 0;
}

/* permissions = ["read", ...]: non-empty, known, valid for kind, no duplicates. */
static int get_perms(mctx *C, const asw_toml_value_t *v, asw_cap_kind_t kind, uint32_t *out)
{
    int rc;
    if ((rc = get_array(C, v, "permissions"))) return rc;
    size_t n = asw_toml_count(v);
    if (n == 0) return verr(C, v, "permissions must list at least one permission");
    uint32_t perms = 0, valid = asw_cap_kind_perms(kind);
    for (size_t i = 0; i < n; i++) {
        const asw_toml_value_t *e = asw_toml_at(v, i);
        const char *s = NULL;
        if ((rc = get_str(C, e, "each permission", false, &s))) return rc;
        uint32_t bit = asw_cap_perm_parse(s, strlen(s));
        if (!bit) return verr(C, e, "unknown permission '%s'", s);
        if (!(bit & valid))
            return verr(C, e, "permission '%s' does not apply to %s capabilities", s,
                        asw_cap_kind_name(kind));
        if (perms & bit) return verr(C, e, "permission '%s' is listed twice", s);
        perms |= bit;
    }
    *out = perms;
    return 0;
}

/* The text of a port or port range: an integer 1..65535 or a string "443", "8000-8100", "*". */
static int get_ports(mctx *C, const asw_toml_value_t *v, const char *what, char *buf, size_t cap)
{
    if (asw_toml_type(v) == ASW_TOML_INTEGER) {
        int64_t i = 0;
        asw_toml_integer(v, &i);
        if (i < 1 || i > 65535)
            return verr(C, v, "%s %" PRId64 " is out of range (1-65535)", what, i);
        snprintf(buf, cap, "%" PRId64, i);
        return 0;
    }
    const char *s = NULL;
    int rc;
    if (asw_toml_type(v) != ASW_TOML_STRING)
        return verr(C, v, "%s must be an integer or a string such as \"8000-8100\", not %s", what,
                    asw_toml_type_phrase(asw_toml_type(v)));
    if ((rc = get_str(C, v, what, false, &s))) return rc;
    asw_error_t e;
    uint16_t lo, hi;
    if (asw_net_parse_ports(s, &lo, &hi, &e)) return verr(C, v, "%s: %s", what, e.msg);
    if (strlen(s) >= cap) return verr(C, v, "%s '%s' is too long", what, s);
    snprintf(buf, cap, "%s", s);
    return 0;
}

/* "host:ports", with IPv6 addresses and ranges in brackets. */
static int net_target(mctx *C, const asw_toml_value_t *at, const char *host, const char *ports,
                      char *buf, size_t cap)
{
    int n = strchr(host, ':') ? snprintf(buf, cap, "[%s]:%s", host, ports)
                              : snprintf(buf, cap, "%s:%s", host, ports);
    if (n < 0 || (size_t)n >= cap) return verr(C, at, "network target '%s' is too long", host);
    return 0;
}

static int cap_filesystem(mctx *C, const asw_toml_value_t *e)
{
    const char *path = NULL;
    uint32_t perms = 0;
    int rc;
    if ((rc = get_table(C, e, "each filesystem entry"))) return rc;
    for (size_t i = 0; i < asw_toml_count(e); i++) {
        const char *k = asw_toml_key_at(e, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(e, i);
        if (!strcmp(k, "path")) {
            if ((rc = get_str(C, v, "path", false, &path))) return rc;
            asw_error_t err;
            if (asw_cap_validate_fs_pattern(path, &err)) return verr(C, v, "%s", err.msg);
        } else if (!strcmp(k, "permissions")) {
            if ((rc = get_perms(C, v, ASW_CAP_FS, &perms))) return rc;
        } else {
            return unknown_key(C, e, i, "a filesystem capability (use path, permissions)");
        }
    }
    if (!path) return verr(C, e, "a filesystem capability needs a path");
    if (!perms) return verr(C, e, "a filesystem capability needs permissions");
    return add_cap(C, e, ASW_CAP_FS, perms, false, path, NULL, 0);
}

static int cap_network(mctx *C, const asw_toml_value_t *e)
{
    const asw_toml_value_t *host = NULL, *cidr = NULL, *listen = NULL, *port = NULL;
    int rc;
    if ((rc = get_table(C, e, "each network entry"))) return rc;
    for (size_t i = 0; i < asw_toml_count(e); i++) {
        const char *k = asw_toml_key_at(e, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(e, i);
        if (!strcmp(k, "host"))
            host = v;
        else if (!strcmp(k, "cidr"))
            cidr = v;
        else if (!strcmp(k, "listen"))
            listen = v;
        else if (!strcmp(k, "port") || !strcmp(k, "ports")) {
            if (port) return verr(C, v, "give either port or ports, not both");
            port = v;
        } else
            return unknown_key(C, e, i, "a network capability (use host, cidr, listen, port)");
    }
    if ((host != NULL) + (cidr != NULL) + (listen != NULL) != 1)
        return verr(C, e, "a network capability needs exactly one of host, cidr or listen");
    char ports[64], target[384];
    if (listen) {
        if (port) return verr(C, port, "a listen capability takes its ports in listen");
        if ((rc = get_ports(C, listen, "listen", ports, sizeof ports))) return rc;
        return add_cap(C, e, ASW_CAP_NET_LISTEN, ASW_PERM_LISTEN, false, ports, NULL, 0);
    }
    if (!port) return verr(C, e, "a network capability needs a port or ports (\"*\" for any)");
    if ((rc = get_ports(C, port, "port", ports, sizeof ports))) return rc;
    const char *s = NULL;
    asw_error_t err;
    if (host) {
        if ((rc = get_str(C, host, "host", false, &s))) return rc;
        if (asw_cap_validate_host_pattern(s, &err)) return verr(C, host, "%s", err.msg);
    } else {
        asw_cidr_t range;
        if ((rc = get_str(C, cidr, "cidr", false, &s))) return rc;
        if (asw_net_parse_cidr(s, &range, &err)) return verr(C, cidr, "%s", err.msg);
    }
    if ((rc = net_target(C, e, s, ports, target, sizeof target))) return rc;
    if (asw_cap_validate_net_target(target, &err)) return verr(C, e, "%s", err.msg);
    return add_cap(C, e, ASW_CAP_NET_CONNECT, ASW_PERM_CONNECT, false, target, NULL, 0);
}

static int cap_storage(mctx *C, const asw_toml_value_t *e)
{
    const char *ns = NULL;
    uint32_t perms = 0;
    int rc;
    if ((rc = get_table(C, e, "each storage entry"))) return rc;
    for (size_t i = 0; i < asw_toml_count(e); i++) {
        const char *k = asw_toml_key_at(e, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(e, i);
        if (!strcmp(k, "namespace")) {
            if ((rc = get_str(C, v, "namespace", false, &ns))) return rc;
            asw_error_t err;
            if (asw_cap_validate_storage_pattern(ns, &err)) return verr(C, v, "%s", err.msg);
        } else if (!strcmp(k, "permissions")) {
            if ((rc = get_perms(C, v, ASW_CAP_STORAGE, &perms))) return rc;
        } else {
            return unknown_key(C, e, i, "a storage capability (use namespace, permissions)");
        }
    }
    if (!ns) return verr(C, e, "a storage capability needs a namespace");
    if (!perms) return verr(C, e, "a storage capability needs permissions");
    return add_cap(C, e, ASW_CAP_STORAGE, perms, false, ns, NULL, 0);
}

static int cap_messaging(mctx *C, const asw_toml_value_t *e)
{
    int rc;
    size_t total = 0;
    if ((rc = get_table(C, e, "each messaging entry"))) return rc;
    for (size_t i = 0; i < asw_toml_count(e); i++) {
        const char *k = asw_toml_key_at(e, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(e, i);
        uint32_t perm;
        if (!strcmp(k, "send"))
            perm = ASW_PERM_SEND;
        else if (!strcmp(k, "receive"))
            perm = ASW_PERM_RECEIVE;
        else
            return unknown_key(C, e, i, "a messaging capability (use send, receive)");
        if ((rc = get_array(C, v, k))) return rc;
        if (asw_toml_count(v) == 0) return verr(C, v, "%s must list at least one pattern", k);
        for (size_t j = 0; j < asw_toml_count(v); j++) {
            const asw_toml_value_t *p = asw_toml_at(v, j);
            const char *s = NULL;
            if ((rc = get_str(C, p, "each messaging pattern", false, &s))) return rc;
            asw_error_t err;
            if (asw_cap_validate_topic_pattern(s, &err)) return verr(C, p, "%s", err.msg);
            if ((rc = add_cap(C, p, ASW_CAP_MSG, perm, false, s, NULL, 0))) return rc;
            total++;
        }
    }
    if (!total) return verr(C, e, "a messaging capability needs send or receive");
    return 0;
}

/* params = { key = "value", ... } into "key=value" strings (strings, integers, booleans). */
static int get_params(mctx *C, const asw_toml_value_t *v, const char ***out, size_t *out_n)
{
    int rc;
    if ((rc = get_table(C, v, "params"))) return rc;
    size_t n = asw_toml_count(v);
    if (n > ASW_CAP_MAX_PARAMS) return verr(C, v, "more than %d params", ASW_CAP_MAX_PARAMS);
    const char **a = asw__calloc(n ? n : 1, sizeof *a);
    if (!a) return nomem(C);
    size_t done = 0;
    rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t klen;
        const char *k = asw_toml_key_at(v, i, &klen);
        const asw_toml_value_t *pv = asw_toml_value_at(v, i);
        char val[32];
        const char *s = val;
        if (klen == 0 || strlen(k) != klen || strchr(k, '=')) {
            rc = merr(C, asw_toml_key_line(v, i), asw_toml_key_column(v, i),
                      "param names must be non-empty and contain no '=' or NUL");
            break;
        }
        switch (asw_toml_type(pv)) {
        case ASW_TOML_STRING: rc = get_str(C, pv, "each param value", true, &s); break;
        case ASW_TOML_INTEGER: {
            int64_t iv = 0;
            asw_toml_integer(pv, &iv);
            snprintf(val, sizeof val, "%" PRId64, iv);
            break;
        }
        case ASW_TOML_BOOL: {
            bool b = false;
            asw_toml_bool(pv, &b);
            snprintf(val, sizeof val, "%s", b ? "true" : "false");
            break;
        }
        default:
            rc = verr(C, pv, "param '%s' must be a string, an integer or a boolean, not %s", k,
                      asw_toml_type_phrase(asw_toml_type(pv)));
        }
        if (rc) break;
        size_t len = klen + 1 + strlen(s) + 1;
        char *kv = asw__malloc(len);
        if (!kv) {
            rc = nomem(C);
            break;
        }
        snprintf(kv, len, "%s=%s", k, s);
        a[done++] = kv;
    }
    if (rc) {
        for (size_t j = 0; j < done; j++)
            asw__free((void *)a[j]);
        asw__free(a);
        return rc;
    }
    *out = a;
    *out_n = done;
    return 0;
}

static int cap_custom(mctx *C, const asw_toml_value_t *e)
{
    const char *name = NULL;
    const asw_toml_value_t *params = NULL;
    int rc;
    if ((rc = get_table(C, e, "each custom entry"))) return rc;
    for (size_t i = 0; i < asw_toml_count(e); i++) {
        const char *k = asw_toml_key_at(e, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(e, i);
        if (!strcmp(k, "name")) {
            if ((rc = get_str(C, v, "name", false, &name))) return rc;
        } else if (!strcmp(k, "params")) {
            params = v;
        } else {
            return unknown_key(C, e, i, "a custom capability (use name, params)");
        }
    }
    if (!name) return verr(C, e, "a custom capability needs a name");
    const char **pa = NULL;
    size_t np = 0;
    if (params && (rc = get_params(C, params, &pa, &np))) return rc;
    return add_cap(C, e, ASW_CAP_CUSTOM, ASW_PERM_USE, false, name, pa, np);
}

/* deny = [ { filesystem = "/data/secret/<glob>" }, { network = "evil.example.com:443" } ]: one
 * kind key, optional permissions (default: every permission of the kind). */
static int cap_deny(mctx *C, const asw_toml_value_t *e)
{
    static const struct {
        const char *key;
        asw_cap_kind_t kind;
    } kinds[] = {{"filesystem", ASW_CAP_FS},     {"network", ASW_CAP_NET_CONNECT},
                 {"listen", ASW_CAP_NET_LISTEN}, {"storage", ASW_CAP_STORAGE},
                 {"messaging", ASW_CAP_MSG},     {"custom", ASW_CAP_CUSTOM}};
    const asw_toml_value_t *pattern = NULL, *perms_v = NULL;
    asw_cap_kind_t kind = ASW_CAP_FS;
    int rc;
    if ((rc = get_table(C, e, "each deny entry"))) return rc;
    for (size_t i = 0; i < asw_toml_count(e); i++) {
        const char *k = asw_toml_key_at(e, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(e, i);
        if (!strcmp(k, "permissions")) {
            perms_v = v;
            continue;
        }
        size_t j = 0;
        while (j < ASW_ARRAY_LEN(kinds) && strcmp(k, kinds[j].key))
            j++;
        if (j == ASW_ARRAY_LEN(kinds))
            return unknown_key(C, e, i,
                               "a deny entry (use filesystem, network, listen, storage, "
                               "messaging or custom, and permissions)");
        if (pattern)
            return merr(C, asw_toml_key_line(e, i), asw_toml_key_column(e, i),
                        "a deny entry names exactly one kind");
        pattern = v;
        kind = kinds[j].kind;
    }
    if (!pattern)
        return verr(C, e,
                    "a deny entry needs one of filesystem, network, listen, "
                    "storage, messaging or custom");
    char buf[64];
    const char *s = NULL;
    if (kind == ASW_CAP_NET_LISTEN) {
        if ((rc = get_ports(C, pattern, "listen", buf, sizeof buf))) return rc;
        s = buf;
    } else if ((rc = get_str(C, pattern, "the deny pattern", false, &s))) {
        return rc;
    }
    uint32_t perms = asw_cap_kind_perms(kind);
    if (perms_v && (rc = get_perms(C, perms_v, kind, &perms))) return rc;
    return add_cap(C, pattern, kind, perms, true, s, NULL, 0);
}

static int parse_capabilities(mctx *C, const asw_toml_value_t *t)
{
    static const struct {
        const char *key;
        int (*fn)(mctx *, const asw_toml_value_t *);
    } lists[] = {{"filesystem", cap_filesystem}, {"network", cap_network}, {"storage", cap_storage},
                 {"messaging", cap_messaging},   {"custom", cap_custom},   {"deny", cap_deny}};
    int rc;
    for (size_t i = 0; i < asw_toml_count(t); i++) {
        const char *k = asw_toml_key_at(t, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(t, i);
        size_t j = 0;
        while (j < ASW_ARRAY_LEN(lists) && strcmp(k, lists[j].key))
            j++;
        if (j == ASW_ARRAY_LEN(lists)) return unknown_key(C, t, i, "[capabilities]");
        char what[48];
        snprintf(what, sizeof what, "capabilities.%s", k);
        if ((rc = get_array(C, v, what))) return rc;
        for (size_t n = 0; n < asw_toml_count(v); n++)
            if ((rc = lists[j].fn(C, asw_toml_at(v, n)))) return rc;
    }
    return 0;
}

/* ---- [quota], [resources], [supervision] ---- */

static int parse_quota(mctx *C, const asw_toml_value_t *t)
{
    uint64_t *lim = C->m->quota.limit;
    int rc = 0;
    for (size_t i = 0; i < asw_toml_count(t) && !rc; i++) {
        const char *k = asw_toml_key_at(t, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(t, i);
        if (!strcmp(k, "storage"))
            rc = get_size(C, v, "quota.storage", &lim[ASW_QUOTA_STORAGE]);
        else if (!strcmp(k, "memory"))
            rc = get_size(C, v, "quota.memory", &lim[ASW_QUOTA_MEMORY]);
        else if (!strcmp(k, "messages"))
            rc =
                get_rate(C, v, "quota.messages", ASW_RATE_COUNT, "100/s", &lim[ASW_QUOTA_MESSAGES]);
        else if (!strcmp(k, "network"))
            rc =
                get_rate(C, v, "quota.network", ASW_RATE_BYTES, "5MB/s", &lim[ASW_QUOTA_NET_BYTES]);
        else if (!strcmp(k, "cpu"))
            rc = get_rate(C, v, "quota.cpu", ASW_RATE_MILLIS, "500ms/s", &lim[ASW_QUOTA_CPU_MS]);
        else
            rc = unknown_key(C, t, i, "[quota] (use storage, memory, messages, network, cpu)");
    }
    return rc;
}

static int parse_resources(mctx *C, const asw_toml_value_t *t)
{
    asw_manifest_t *m = C->m;
    int rc = 0;
    for (size_t i = 0; i < asw_toml_count(t) && !rc; i++) {
        const char *k = asw_toml_key_at(t, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(t, i);
        if (!strcmp(k, "memory")) {
            rc = get_size(C, v, "resources.memory", &m->memory_bytes);
        } else if (!strcmp(k, "fuel")) {
            int64_t f = 0;
            if (asw_toml_integer(v, &f))
                rc = verr(C, v, "resources.fuel must be an integer, not %s",
                          asw_toml_type_phrase(asw_toml_type(v)));
            else if (f <= 0)
                rc = verr(C, v, "resources.fuel must be greater than zero");
            else
                m->fuel = (uint64_t)f;
        } else if (!strcmp(k, "timeout")) {
            rc = get_duration(C, v, "resources.timeout", &m->timeout_ns);
        } else {
            rc = unknown_key(C, t, i, "[resources] (use memory, fuel, timeout)");
        }
    }
    return rc;
}

static int parse_supervision(mctx *C, const asw_toml_value_t *t)
{
    asw_manifest_t *m = C->m;
    const asw_toml_value_t *base_v = NULL, *max_v = NULL;
    int rc = 0;
    const char *s = NULL;
    m->has_supervision = true;
    for (size_t i = 0; i < asw_toml_count(t) && !rc; i++) {
        const char *k = asw_toml_key_at(t, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(t, i);
        if (!strcmp(k, "restart")) {
            if ((rc = get_str(C, v, "supervision.restart", false, &s))) break;
            if (!strcmp(s, "permanent"))
                m->restart = ASW_PERMANENT;
            else if (!strcmp(s, "transient"))
                m->restart = ASW_TRANSIENT;
            else if (!strcmp(s, "temporary"))
                m->restart = ASW_TEMPORARY;
            else
                rc = verr(C, v,
                          "supervision.restart '%s' must be permanent, transient or "
                          "temporary",
                          s);
        } else if (!strcmp(k, "max_restarts")) {
            int64_t n = 0;
            if (asw_toml_integer(v, &n))
                rc = verr(C, v, "supervision.max_restarts must be an integer, not %s",
                          asw_toml_type_phrase(asw_toml_type(v)));
            else if (n < 0 || n > UINT32_MAX)
                rc = verr(C, v, "supervision.max_restarts %" PRId64 " is out of range (0-%u)", n,
                          UINT32_MAX);
            else
                m->max_restarts = (uint32_t)n;
        } else if (!strcmp(k, "within")) {
            rc = get_duration(C, v, "supervision.within", &m->within_ns);
        } else if (!strcmp(k, "backoff")) {
            if ((rc = get_str(C, v, "supervision.backoff", false, &s))) break;
            if (!strcmp(s, "immediate"))
                m->backoff = ASW_BACKOFF_IMMEDIATE;
            else if (!strcmp(s, "linear"))
                m->backoff = ASW_BACKOFF_LINEAR;
            else if (!strcmp(s, "exponential"))
                m->backoff = ASW_BACKOFF_EXPONENTIAL;
            else
                rc = verr(C, v,
                          "supervision.backoff '%s' must be immediate, linear or "
                          "exponential",
                          s);
        } else if (!strcmp(k, "backoff_base")) {
            base_v = v;
            rc = get_duration(C, v, "supervision.backoff_base", &m->backoff_base_ns);
        } else if (!strcmp(k, "backoff_max")) {
            max_v = v;
            rc = get_duration(C, v, "supervision.backoff_max", &m->backoff_max_ns);
        } else {
            rc = unknown_key(C, t, i,
                             "[supervision] (use restart, max_restarts, within, "
                             "backoff, backoff_base, backoff_max)");
        }
    }
    if (rc) return rc;
    if (m->backoff == ASW_BACKOFF_IMMEDIATE) {
        if (base_v || max_v)
            return verr(C, base_v ? base_v : max_v,
                        "backoff_base and backoff_max need backoff = \"linear\" or "
                        "\"exponential\"");
        return 0;
    }
    if (!base_v) m->backoff_base_ns = DEFAULT_BASE;
    if (!max_v)
        m->backoff_max_ns = m->backoff_base_ns > DEFAULT_MAX ? m->backoff_base_ns : DEFAULT_MAX;
    if (m->backoff_max_ns < m->backoff_base_ns)
        return verr(C, max_v ? max_v : base_v,
                    "supervision.backoff_max must not be smaller than backoff_base");
    return 0;
}

/* ---- the document ---- */

static int parse_root(mctx *C, const asw_toml_value_t *root)
{
    static const struct {
        const char *key;
        int (*fn)(mctx *, const asw_toml_value_t *);
    } tables[] = {{"component", parse_component},
                  {"capabilities", parse_capabilities},
                  {"quota", parse_quota},
                  {"resources", parse_resources},
                  {"supervision", parse_supervision}};
    int rc;
    const asw_toml_value_t *component = NULL;
    for (size_t i = 0; i < asw_toml_count(root); i++) {
        const char *k = asw_toml_key_at(root, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(root, i);
        size_t j = 0;
        while (j < ASW_ARRAY_LEN(tables) && strcmp(k, tables[j].key))
            j++;
        if (j == ASW_ARRAY_LEN(tables))
            return merr(C, asw_toml_key_line(root, i), asw_toml_key_column(root, i),
                        "unknown key '%s' (a manifest has the tables [component], "
                        "[capabilities], [quota], [resources] and [supervision])",
                        k);
        char what[32];
        snprintf(what, sizeof what, "[%s]", k);
        if ((rc = get_table(C, v, what))) return rc;
        if (j == 0) component = v;
        if ((rc = tables[j].fn(C, v))) return rc;
    }
    if (!component) return merr(C, 1, 1, "the manifest needs a [component] table");
    return 0;
}

int asw_manifest_parse(const char *text, size_t len, asw_manifest_t **out_manifest,
                       asw_error_t *out_err)
{
    asw_error_init(out_err);
    if (!out_manifest)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_manifest_parse: out_manifest is NULL");
    *out_manifest = NULL;
    if (!text && len)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_manifest_parse: text is NULL");
    asw_toml_value_t *root = NULL;
    int rc = asw_toml_parse(text, len, &root, out_err);
    if (rc) return rc;
    mctx C = {0};
    C.err = out_err;
    C.m = asw__malloc(sizeof *C.m);
    if (!C.m) {
        rc = nomem(&C);
        goto fail;
    }
    /* Null pointers and zero counts by assignment (calloc's zero bytes say neither). */
    *C.m = (asw_manifest_t){.restart = ASW_PERMANENT,
                            .max_restarts = DEFAULT_RESTARTS,
                            .within_ns = DEFAULT_WITHIN,
                            .backoff = ASW_BACKOFF_IMMEDIATE};
    if ((rc = parse_root(&C, root))) goto fail;
    asw_toml_free(root);
    *out_manifest = C.m;
    return 0;
fail:
    asw_toml_free(root);
    asw_manifest_free(C.m);
    return rc;
}

void asw_manifest_free(asw_manifest_t *m)
{
    if (!m) return;
    asw__free((void *)m->name);
    asw__free((void *)m->version);
    asw__free((void *)m->description);
    asw__free((void *)m->license);
    asw__free((void *)m->source);
    for (size_t i = 0; i < m->nauthors; i++)
        asw__free((void *)m->authors[i]);
    asw__free((void *)m->authors);
    for (size_t i = 0; i < m->ncaps; i++) {
        const asw_cap_spec_t *s = &m->caps[i].spec;
        asw__free((void *)s->pattern);
        for (size_t j = 0; j < s->nparams; j++)
            asw__free((void *)s->params[j]);
        asw__free((void *)s->params);
    }
    asw__free((void *)m->caps);
    asw__free(m);
}
