/*
 * src/host/sysmanifest.c -- airssys.toml: parse with the TOML parser, validate every table and
 * key strictly, and produce an asw_sysmanifest_t (plain data). Format: docs/host.md.
 *
 * Design. The walk mirrors the Component.toml parser (src/security/manifest.c): one function
 * per table, keys dispatched by name in document order, an unknown key reported at the key's
 * line:column, a type error at the value's position. The rules shared with Component.toml come
 * from the one implementation: instance names use asw_manifest_valid_name, durations
 * asw_manifest_parse_duration, topic patterns asw_cap_validate_topic_pattern. Cross-references
 * are checked after the walk: names are unique across components and supervisors, every child
 * names something, nothing is the child of two supervisors, the tree has no cycle, and every
 * subscription and message names a component.
 *
 * Memory: every allocation of a manifest is a block on one list (an arena) released by
 * asw_sysmanifest_free, so a half-built manifest is freed the same way and every error path is
 * one `goto fail`. The TOML tree is freed before returning.
 *
 * Not done: reading the modules or Component.toml files named here (the CLI's --check does).
 */
#include "airssys/sysmanifest.h"
#include "airssys/manifest.h"
#include "airssys/security.h"
#include "airssys/toml.h"
#include "base/base.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_RESTARTS     3
#define DEFAULT_WITHIN       (UINT64_C(5) * 1000000000u)
#define MAX_RESTARTS         1000000u /* the actor runtime's bound */
#define DEFAULT_BACKOFF_BASE (UINT64_C(100) * 1000000u)
#define DEFAULT_BACKOFF_MAX  (UINT64_C(30) * 1000000000u)
#define FILE_MAX             (UINT64_C(16) << 20)

typedef struct blk {
    struct blk *next;
    max_align_t data[];
} blk;

/* The manifest and its arena, allocated together. */
typedef struct smf {
    asw_sysmanifest_t pub;
    blk *arena;
} smf;

typedef struct pctx {
    smf *m;
    const char *base; /* may be NULL */
    asw_error_t *err;
} pctx;

static void *a_alloc(pctx *C, size_t size)
{
    blk *b = asw__calloc(1, sizeof(blk) + (size ? size : 1));
    if (!b) return NULL;
    b->next = C->m->arena;
    C->m->arena = b;
    return b->data;
}

/* Errors at a position of the document: ASW_E_MANIFEST "line L, column C: <what>". */
#define merr(C, line, col, ...) asw_toml_errorf((C)->err, ASW_E_MANIFEST, line, col, __VA_ARGS__)
/* As merr, at the position of value v. */
#define verr(C, v, ...) merr(C, asw_toml_line(v), asw_toml_column(v), __VA_ARGS__)

static int nomem(pctx *C)
{
    return asw__errorf(C->err, ASW_E_NOMEM, "out of memory while reading airssys.toml");
}

static int unknown_key(pctx *C, const asw_toml_value_t *t, size_t i, const char *where)
{
    return merr(C, asw_toml_key_line(t, i), asw_toml_key_column(t, i), "unknown key '%s' in %s",
                asw_toml_key_at(t, i, NULL), where);
}

/* A string value copied into the arena (length in *out_len when not NULL). NUL bytes are
 * refused unless allow_nul; empty strings unless allow_empty. */
static int get_str(pctx *C, const asw_toml_value_t *v, const char *what, bool allow_empty,
                   bool allow_nul, const char **out, size_t *out_len)
{
    size_t len;
    const char *s = asw_toml_string(v, &len);
    if (!s)
        return verr(C, v, "%s must be a string, not %s", what,
                    asw_toml_type_phrase(asw_toml_type(v)));
    if (!allow_nul && strlen(s) != len)
        return verr(C, v, "%s must not contain NUL characters", what);
    if (!allow_empty && len == 0) return verr(C, v, "%s must not be empty", what);
    char *d = a_alloc(C, len + 1);
    if (!d) return nomem(C);
    memcpy(d, s, len + 1);
    *out = d;
    if (out_len) *out_len = len;
    return 0;
}

/* A path: non-empty; made absolute against the base directory when relative. */
static int get_path(pctx *C, const asw_toml_value_t *v, const char *what, const char **out)
{
    const char *s = NULL;
    size_t len = 0;
    int rc = get_str(C, v, what, false, false, &s, &len);
    if (rc) return rc;
    if (s[0] == '/' || !C->base) {
        *out = s;
        return 0;
    }
    size_t bl = strlen(C->base);
    char *d = a_alloc(C, bl + 1 + len + 1);
    if (!d) return nomem(C);
    memcpy(d, C->base, bl);
    d[bl] = '/';
    memcpy(d + bl + 1, s, len + 1);
    *out = d;
    return 0;
}

static int get_name(pctx *C, const asw_toml_value_t *v, const char *what, const char **out)
{
    int rc = get_str(C, v, what, false, false, out, NULL);
    if (rc) return rc;
    if (!asw_manifest_valid_name(*out))
        return verr(C, v,
                    "%s '%s' is not a valid name ([a-z0-9][a-z0-9_-]*, at most 64 characters)",
                    what, *out);
    return 0;
}

static int get_table(pctx *C, const asw_toml_value_t *v, const char *what)
{
    if (asw_toml_type(v) != ASW_TOML_TABLE)
        return verr(C, v, "%s must be a table, not %s", what,
                    asw_toml_type_phrase(asw_toml_type(v)));
    return 0;
}

/* An array of tables ([[x]]) of at most max elements. */
static int get_table_array(pctx *C, const asw_toml_value_t *v, const char *what, size_t max)
{
    if (asw_toml_type(v) != ASW_TOML_ARRAY)
        return verr(C, v, "%s must be an array of tables ([[%s]]), not %s", what, what,
                    asw_toml_type_phrase(asw_toml_type(v)));
    if (asw_toml_count(v) > max) return verr(C, v, "too many %s entries (at most %zu)", what, max);
    for (size_t i = 0; i < asw_toml_count(v); i++)
        if (asw_toml_type(asw_toml_at(v, i)) != ASW_TOML_TABLE)
            return verr(C, asw_toml_at(v, i), "each %s must be a table, not %s", what,
                        asw_toml_type_phrase(asw_toml_type(asw_toml_at(v, i))));
    return 0;
}

/* A non-empty array of unique strings checked by `valid` (may be NULL). */
static int get_str_list(pctx *C, const asw_toml_value_t *v, const char *what,
                        int (*valid)(pctx *, const asw_toml_value_t *, const char *),
                        const char *const **out, size_t *out_n)
{
    if (asw_toml_type(v) != ASW_TOML_ARRAY)
        return verr(C, v, "%s must be an array of strings, not %s", what,
                    asw_toml_type_phrase(asw_toml_type(v)));
    size_t n = asw_toml_count(v);
    if (n == 0) return verr(C, v, "%s must not be empty", what);
    const char **list = a_alloc(C, n * sizeof *list);
    if (!list) return nomem(C);
    for (size_t i = 0; i < n; i++) {
        const asw_toml_value_t *e = asw_toml_at(v, i);
        int rc = get_str(C, e, what, false, false, &list[i], NULL);
        if (!rc && valid) rc = valid(C, e, list[i]);
        if (rc) return rc;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(list[j], list[i])) return verr(C, e, "%s lists '%s' twice", what, list[i]);
    }
    *out = list;
    *out_n = n;
    return 0;
}

static int valid_topic(pctx *C, const asw_toml_value_t *v, const char *s)
{
    asw_error_t e = {0};
    if (asw_cap_validate_topic_pattern(s, &e) != ASW_OK)
        return verr(C, v, "topic pattern '%s': %s", s, asw_error_message(&e));
    return 0;
}

static int valid_child(pctx *C, const asw_toml_value_t *v, const char *s)
{
    if (!asw_manifest_valid_name(s)) return verr(C, v, "child '%s' is not a valid name", s);
    return 0;
}

/* ---- [system] ---- */

static int parse_system(pctx *C, const asw_toml_value_t *t)
{
    asw_sysmanifest_t *m = &C->m->pub;
    int rc = get_table(C, t, "[system]");
    for (size_t i = 0; i < asw_toml_count(t) && !rc; i++) {
        const char *k = asw_toml_key_at(t, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(t, i);
        if (!strcmp(k, "name"))
            rc = get_str(C, v, "system.name", false, false, &m->name, NULL);
        else if (!strcmp(k, "storage"))
            rc = get_path(C, v, "system.storage", &m->storage);
        else if (!strcmp(k, "audit"))
            rc = get_path(C, v, "system.audit", &m->audit);
        else if (!strcmp(k, "trust"))
            rc = get_path(C, v, "system.trust", &m->trust);
        else if (!strcmp(k, "approvals"))
            rc = get_path(C, v, "system.approvals", &m->approvals);
        else if (!strcmp(k, "dev_mode")) {
            if (asw_toml_bool(v, &m->dev_mode))
                rc = verr(C, v, "system.dev_mode must be a boolean, not %s",
                          asw_toml_type_phrase(asw_toml_type(v)));
        } else
            rc = unknown_key(C, t, i,
                             "[system] (use name, storage, audit, trust, approvals, dev_mode)");
    }
    return rc;
}

/* ---- [[component]] ---- */

static int parse_components(pctx *C, const asw_toml_value_t *arr)
{
    int rc = get_table_array(C, arr, "component", ASW_SYS_MAX_COMPONENTS);
    if (rc) return rc;
    size_t n = asw_toml_count(arr);
    asw_sys_component_t *cs = a_alloc(C, n * sizeof *cs);
    if (!cs) return nomem(C);
    C->m->pub.components = cs;
    for (size_t c = 0; c < n; c++) {
        const asw_toml_value_t *t = asw_toml_at(arr, c);
        asw_sys_component_t *x = &cs[c];
        x->line = asw_toml_line(t);
        x->column = asw_toml_column(t);
        for (size_t i = 0; i < asw_toml_count(t) && !rc; i++) {
            const char *k = asw_toml_key_at(t, i, NULL);
            const asw_toml_value_t *v = asw_toml_value_at(t, i);
            if (!strcmp(k, "name"))
                rc = get_name(C, v, "component.name", &x->name);
            else if (!strcmp(k, "module"))
                rc = get_path(C, v, "component.module", &x->module);
            else if (!strcmp(k, "manifest"))
                rc = get_path(C, v, "component.manifest", &x->manifest);
            else if (!strcmp(k, "signature"))
                rc = get_path(C, v, "component.signature", &x->signature);
            else
                rc = unknown_key(C, t, i, "[[component]] (use name, module, manifest, signature)");
        }
        if (rc) return rc;
        const char *missing = !x->name       ? "name"
                              : !x->module   ? "module"
                              : !x->manifest ? "manifest"
                                             : NULL;
        if (missing) return merr(C, x->line, x->column, "[[component]] needs '%s'", missing);
        C->m->pub.ncomponents = c + 1;
    }
    return 0;
}

/* ---- [[supervisor]] ---- */

static int parse_strategy(pctx *C, const asw_toml_value_t *v, asw_strategy_t *out)
{
    const char *s;
    int rc = get_str(C, v, "supervisor.strategy", false, false, &s, NULL);
    if (rc) return rc;
    if (!strcmp(s, "one-for-one"))
        *out = ASW_ONE_FOR_ONE;
    else if (!strcmp(s, "one-for-all"))
        *out = ASW_ONE_FOR_ALL;
    else if (!strcmp(s, "rest-for-one"))
        *out = ASW_REST_FOR_ONE;
    else
        return verr(C, v,
                    "supervisor.strategy '%s' must be one-for-one, one-for-all or rest-for-one", s);
    return 0;
}

static int parse_backoff(pctx *C, const asw_toml_value_t *v, asw_backoff_t *out)
{
    const char *s;
    int rc = get_str(C, v, "supervisor.backoff", false, false, &s, NULL);
    if (rc) return rc;
    if (!strcmp(s, "immediate"))
        *out = ASW_BACKOFF_IMMEDIATE;
    else if (!strcmp(s, "linear"))
        *out = ASW_BACKOFF_LINEAR;
    else if (!strcmp(s, "exponential"))
        *out = ASW_BACKOFF_EXPONENTIAL;
    else
        return verr(C, v, "supervisor.backoff '%s' must be immediate, linear or exponential", s);
    return 0;
}

static int parse_positive_duration(pctx *C, const asw_toml_value_t *v, const char *what,
                                   uint64_t *out)
{
    const char *d;
    asw_error_t e = {0};
    int rc = get_str(C, v, what, false, false, &d, NULL);
    if (rc) return rc;
    if (asw_manifest_parse_duration(d, out, &e) != ASW_OK)
        return verr(C, v, "%s: %s", what, asw_error_message(&e));
    if (*out == 0) return verr(C, v, "%s must be longer than 0", what);
    return 0;
}

static int parse_supervisors(pctx *C, const asw_toml_value_t *arr)
{
    int rc = get_table_array(C, arr, "supervisor", ASW_SYS_MAX_SUPERVISORS);
    if (rc) return rc;
    size_t n = asw_toml_count(arr);
    asw_sys_supervisor_t *ss = a_alloc(C, n * sizeof *ss);
    if (!ss) return nomem(C);
    C->m->pub.supervisors = ss;
    for (size_t s = 0; s < n; s++) {
        const asw_toml_value_t *t = asw_toml_at(arr, s);
        asw_sys_supervisor_t *x = &ss[s];
        bool has_strategy = false;
        const asw_toml_value_t *bk_at = NULL; /* first backoff_base/backoff_max */
        x->line = asw_toml_line(t);
        x->column = asw_toml_column(t);
        x->max_restarts = DEFAULT_RESTARTS;
        x->within_ns = DEFAULT_WITHIN;
        for (size_t i = 0; i < asw_toml_count(t) && !rc; i++) {
            const char *k = asw_toml_key_at(t, i, NULL);
            const asw_toml_value_t *v = asw_toml_value_at(t, i);
            if (!strcmp(k, "name")) {
                rc = get_name(C, v, "supervisor.name", &x->name);
            } else if (!strcmp(k, "strategy")) {
                rc = parse_strategy(C, v, &x->strategy);
                has_strategy = true;
            } else if (!strcmp(k, "max_restarts")) {
                int64_t r = 0;
                if (asw_toml_integer(v, &r))
                    rc = verr(C, v, "supervisor.max_restarts must be an integer, not %s",
                              asw_toml_type_phrase(asw_toml_type(v)));
                else if (r < 0 || r > MAX_RESTARTS)
                    rc = verr(C, v, "supervisor.max_restarts %" PRId64 " is out of range (0-%u)", r,
                              MAX_RESTARTS);
                else
                    x->max_restarts = (uint32_t)r;
            } else if (!strcmp(k, "within")) {
                const char *d;
                asw_error_t e = {0};
                if (!(rc = get_str(C, v, "supervisor.within", false, false, &d, NULL))) {
                    if (asw_manifest_parse_duration(d, &x->within_ns, &e) != ASW_OK)
                        rc = verr(C, v, "supervisor.within: %s", asw_error_message(&e));
                    else if (x->within_ns == 0)
                        rc = verr(C, v, "supervisor.within must be longer than 0");
                }
            } else if (!strcmp(k, "children")) {
                rc = get_str_list(C, v, "supervisor.children", valid_child, &x->children,
                                  &x->nchildren);
            } else if (!strcmp(k, "backoff")) {
                rc = parse_backoff(C, v, &x->backoff);
            } else if (!strcmp(k, "backoff_base") || !strcmp(k, "backoff_max")) {
                bool is_base = k[8] == 'b';
                rc = parse_positive_duration(
                    C, v, is_base ? "supervisor.backoff_base" : "supervisor.backoff_max",
                    is_base ? &x->backoff_base_ns : &x->backoff_max_ns);
                if (!rc && !bk_at) bk_at = v;
            } else {
                rc = unknown_key(C, t, i,
                                 "[[supervisor]] (use name, strategy, max_restarts, within, "
                                 "backoff, backoff_base, backoff_max, children)");
            }
        }
        if (rc) return rc;
        if (bk_at && x->backoff == ASW_BACKOFF_IMMEDIATE)
            return verr(C, bk_at,
                        "supervisor.backoff_base and backoff_max need backoff = \"linear\" or "
                        "\"exponential\"");
        if (x->backoff != ASW_BACKOFF_IMMEDIATE) {
            if (!x->backoff_base_ns) x->backoff_base_ns = DEFAULT_BACKOFF_BASE;
            if (!x->backoff_max_ns)
                x->backoff_max_ns = x->backoff_base_ns > DEFAULT_BACKOFF_MAX ? x->backoff_base_ns
                                                                             : DEFAULT_BACKOFF_MAX;
            if (x->backoff_max_ns < x->backoff_base_ns)
                return merr(C, x->line, x->column,
                            "supervisor '%s': backoff_max is shorter than backoff_base",
                            x->name ? x->name : "?");
        }
        const char *missing = !x->name        ? "name"
                              : !has_strategy ? "strategy"
                              : !x->children  ? "children"
                                              : NULL;
        if (missing) return merr(C, x->line, x->column, "[[supervisor]] needs '%s'", missing);
        C->m->pub.nsupervisors = s + 1;
    }
    return 0;
}

/* ---- [subscriptions] and [[message]] ---- */

static int parse_subscriptions(pctx *C, const asw_toml_value_t *t)
{
    int rc = get_table(C, t, "[subscriptions]");
    if (rc) return rc;
    size_t n = asw_toml_count(t);
    asw_sys_subscription_t *ss = a_alloc(C, n * sizeof *ss);
    if (!ss) return nomem(C);
    C->m->pub.subscriptions = ss;
    for (size_t i = 0; i < n; i++) {
        const asw_toml_value_t *v = asw_toml_value_at(t, i);
        const char *k = asw_toml_key_at(t, i, NULL);
        if (!asw_manifest_valid_name(k))
            return merr(C, asw_toml_key_line(t, i), asw_toml_key_column(t, i),
                        "[subscriptions] key '%s' is not a component name", k);
        char *kc = a_alloc(C, strlen(k) + 1);
        if (!kc) return nomem(C);
        memcpy(kc, k, strlen(k) + 1);
        ss[i].component = kc;
        if ((rc = get_str_list(C, v, "subscription topics", valid_topic, &ss[i].topics,
                               &ss[i].ntopics)))
            return rc;
        C->m->pub.nsubscriptions = i + 1;
    }
    return 0;
}

static int parse_messages(pctx *C, const asw_toml_value_t *arr)
{
    int rc = get_table_array(C, arr, "message", ASW_SYS_MAX_MESSAGES);
    if (rc) return rc;
    size_t n = asw_toml_count(arr);
    asw_sys_message_t *ms = a_alloc(C, n * sizeof *ms);
    if (!ms) return nomem(C);
    C->m->pub.messages = ms;
    for (size_t j = 0; j < n; j++) {
        const asw_toml_value_t *t = asw_toml_at(arr, j);
        for (size_t i = 0; i < asw_toml_count(t) && !rc; i++) {
            const char *k = asw_toml_key_at(t, i, NULL);
            const asw_toml_value_t *v = asw_toml_value_at(t, i);
            if (!strcmp(k, "target"))
                rc = get_name(C, v, "message.target", &ms[j].target);
            else if (!strcmp(k, "payload"))
                rc = get_str(C, v, "message.payload", true, true, &ms[j].payload,
                             &ms[j].payload_len);
            else
                rc = unknown_key(C, t, i, "[[message]] (use target, payload)");
        }
        if (rc) return rc;
        if (!ms[j].target || !ms[j].payload)
            return merr(C, asw_toml_line(t), asw_toml_column(t), "[[message]] needs '%s'",
                        !ms[j].target ? "target" : "payload");
        C->m->pub.nmessages = j + 1;
    }
    return 0;
}

/* ---- cross-references ---- */

ASW_API const asw_sys_component_t *asw_sysmanifest_component(const asw_sysmanifest_t *m,
                                                             const char *name)
{
    if (!m || !name) return NULL;
    for (size_t i = 0; i < m->ncomponents; i++)
        if (!strcmp(m->components[i].name, name)) return &m->components[i];
    return NULL;
}

ASW_API const asw_sys_supervisor_t *asw_sysmanifest_supervisor(const asw_sysmanifest_t *m,
                                                               const char *name)
{
    if (!m || !name) return NULL;
    for (size_t i = 0; i < m->nsupervisors; i++)
        if (!strcmp(m->supervisors[i].name, name)) return &m->supervisors[i];
    return NULL;
}

static int link_tree(pctx *C, const asw_toml_value_t *root)
{
    asw_sysmanifest_t *m = &C->m->pub;
    asw_sys_component_t *cs = (asw_sys_component_t *)m->components;
    asw_sys_supervisor_t *ss = (asw_sys_supervisor_t *)m->supervisors;
    /* Unique names across components and supervisors (quadratic: bounded by the limits and
     * run once). */
    for (size_t i = 0; i < m->ncomponents; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(cs[i].name, cs[j].name))
                return merr(C, cs[i].line, cs[i].column,
                            "component '%s' is defined twice (first at line %" PRIu32 ")",
                            cs[i].name, cs[j].line);
    for (size_t i = 0; i < m->nsupervisors; i++) {
        for (size_t j = 0; j < i; j++)
            if (!strcmp(ss[i].name, ss[j].name))
                return merr(C, ss[i].line, ss[i].column,
                            "supervisor '%s' is defined twice (first at line %" PRIu32 ")",
                            ss[i].name, ss[j].line);
        if (asw_sysmanifest_component(m, ss[i].name))
            return merr(C, ss[i].line, ss[i].column, "supervisor '%s' has the name of a component",
                        ss[i].name);
    }
    /* Children: each names something, and has one parent. */
    for (size_t i = 0; i < m->nsupervisors; i++) {
        for (size_t k = 0; k < ss[i].nchildren; k++) {
            const char *ch = ss[i].children[k];
            asw_sys_component_t *c = (asw_sys_component_t *)asw_sysmanifest_component(m, ch);
            asw_sys_supervisor_t *s = (asw_sys_supervisor_t *)asw_sysmanifest_supervisor(m, ch);
            const char **parent = c ? &c->supervisor : s ? &s->parent : NULL;
            if (!parent)
                return merr(C, ss[i].line, ss[i].column,
                            "supervisor '%s': child '%s' is neither a component nor a "
                            "supervisor",
                            ss[i].name, ch);
            if (s == &ss[i])
                return merr(C, ss[i].line, ss[i].column, "supervisor '%s' lists itself",
                            ss[i].name);
            if (*parent)
                return merr(C, ss[i].line, ss[i].column,
                            "supervisor '%s': child '%s' is already supervised by '%s'", ss[i].name,
                            ch, *parent);
            *parent = ss[i].name;
        }
    }
    /* No cycle: from every supervisor, the chain of parents ends within nsupervisors steps. */
    for (size_t i = 0; i < m->nsupervisors; i++) {
        const asw_sys_supervisor_t *s = &ss[i];
        size_t steps = 0;
        while (s->parent && steps++ <= m->nsupervisors)
            s = asw_sysmanifest_supervisor(m, s->parent);
        if (s->parent)
            return merr(C, ss[i].line, ss[i].column,
                        "supervisor '%s' is part of a cycle in the supervision tree", ss[i].name);
    }
    /* Subscriptions and messages name components. */
    const asw_toml_value_t *subs = asw_toml_get(root, "subscriptions");
    for (size_t i = 0; i < m->nsubscriptions; i++)
        if (!asw_sysmanifest_component(m, m->subscriptions[i].component))
            return merr(C, asw_toml_key_line(subs, i), asw_toml_key_column(subs, i),
                        "[subscriptions]: no component named '%s'", m->subscriptions[i].component);
    const asw_toml_value_t *msgs = asw_toml_get(root, "message");
    for (size_t i = 0; i < m->nmessages; i++)
        if (!asw_sysmanifest_component(m, m->messages[i].target)) {
            const asw_toml_value_t *tv = asw_toml_get(asw_toml_at(msgs, i), "target");
            return verr(C, tv, "message.target: no component named '%s'", m->messages[i].target);
        }
    return 0;
}

static int parse_root(pctx *C, const asw_toml_value_t *root)
{
    int rc = 0;
    const asw_toml_value_t *comps = NULL;
    for (size_t i = 0; i < asw_toml_count(root) && !rc; i++) {
        const char *k = asw_toml_key_at(root, i, NULL);
        const asw_toml_value_t *v = asw_toml_value_at(root, i);
        if (!strcmp(k, "system"))
            rc = parse_system(C, v);
        else if (!strcmp(k, "component"))
            rc = parse_components(C, comps = v);
        else if (!strcmp(k, "supervisor"))
            rc = parse_supervisors(C, v);
        else if (!strcmp(k, "subscriptions"))
            rc = parse_subscriptions(C, v);
        else if (!strcmp(k, "message"))
            rc = parse_messages(C, v);
        else
            rc = unknown_key(C, root, i,
                             "airssys.toml (use [system], [[component]], [[supervisor]], "
                             "[subscriptions], [[message]])");
    }
    if (rc) return rc;
    if (!comps || C->m->pub.ncomponents == 0)
        return merr(C, 1, 1, "airssys.toml lists no [[component]]");
    return link_tree(C, root);
}

ASW_API int asw_sysmanifest_parse(const char *text, size_t len, const char *base_dir,
                                  asw_sysmanifest_t **out, asw_error_t *out_err)
{
    asw_toml_value_t *root = NULL;
    if (!out || (!text && len))
        return asw__errorf(out_err, ASW_E_INVALID, "airssys.toml: bad argument");
    *out = NULL;
    int rc = asw_toml_parse(text ? text : "", len, &root, out_err);
    if (rc) return rc;
    smf *m = asw__calloc(1, sizeof *m);
    if (!m) {
        asw_toml_free(root);
        return asw__errorf(out_err, ASW_E_NOMEM, "out of memory while reading airssys.toml");
    }
    pctx C = {m, base_dir && *base_dir ? base_dir : NULL, out_err};
    rc = parse_root(&C, root);
    if (!rc && !m->pub.name) m->pub.name = "airssys";
    asw_toml_free(root);
    if (rc) {
        asw_sysmanifest_free(&m->pub);
        return rc;
    }
    *out = &m->pub;
    return ASW_OK;
}

ASW_API int asw_sysmanifest_load(const char *path, asw_sysmanifest_t **out, asw_error_t *out_err)
{
    if (!path || !out) return asw__errorf(out_err, ASW_E_INVALID, "airssys.toml: bad argument");
    *out = NULL;
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = asw__read_file(path, FILE_MAX, &text, &len, out_err);
    if (rc) return rc;
    /* The directory of the file, for relative paths. */
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? asw__strndup(path, slash == path ? 1 : (size_t)(slash - path)) : asw__strdup(".");
    if (!dir)
        rc = asw__errorf(out_err, ASW_E_NOMEM, "%s: out of memory", path);
    else if ((rc = asw_sysmanifest_parse((const char *)text, len, dir, out, out_err)))
        asw__error_prefix(out_err, "%s: ", path);
    asw__free(text);
    asw__free(dir);
    return rc;
}

ASW_API void asw_sysmanifest_free(asw_sysmanifest_t *pub)
{
    if (!pub) return;
    smf *m = (smf *)pub; /* pub is the first member */
    blk *b = m->arena;
    while (b) {
        blk *n = b->next;
        asw__free(b);
        b = n;
    }
    asw__free(m);
}

ASW_API const char *asw_strategy_name(asw_strategy_t s)
{
    switch (s) {
    case ASW_ONE_FOR_ONE: return "one-for-one";
    case ASW_ONE_FOR_ALL: return "one-for-all";
    case ASW_REST_FOR_ONE: return "rest-for-one";
    default: return "?";
    }
}
