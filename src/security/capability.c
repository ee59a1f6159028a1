/*
 * src/security/capability.c -- capability sets: validation, compilation, the checker, the text
 * form used by approvals and the CLI, and the subset test that rejects capability inflation.
 *
 * Design. An entry is validated and compiled once, when it is added: its strings are copied into
 * one block, a network host is lower-cased and classified (any, "*.suffix", address/CIDR, name),
 * a filesystem pattern gets the length of its literal prefix so most non-matching entries are
 * rejected with one memcmp. A check parses the request once (normalising a path into a stack
 * buffer), then walks the entries of the requested kind: a matching deny entry answers at once,
 * a matching allow entry is remembered. So deny always wins, and the order of entries does not
 * matter. A set with more than ASW__CAP_FS_INDEX_MIN filesystem entries also keeps a hash index
 * of their literal prefixes (built when entries are added): a filesystem check then looks up
 * the prefixes of the request path that end at a '/' (plus "" and the whole path) and tests
 * only those entries, reporting the same decision and rule as the scan. A private or loopback
 * network address is granted only by an entry flagged CAPF_PRIVATE (one that names that space
 * explicitly), never by "*".
 *
 * Invariants: checks never allocate and never modify the set; every entry in a set passed
 * asw_cap_spec_validate; "{self}" in storage and messaging patterns is replaced by a component
 * id that itself contains no wildcard or separator, so an id cannot widen its own namespace.
 * Not here: path resolution through symlinks (resolve.c), matching primitives (glob.c).
 */
#include "security/sec_int.h"

#include <string.h>

static const uint32_t kind_perms[] = {
    [ASW_CAP_FS] =
        ASW_PERM_READ | ASW_PERM_WRITE | ASW_PERM_DELETE | ASW_PERM_LIST | ASW_PERM_EXECUTE,
    [ASW_CAP_NET_CONNECT] = ASW_PERM_CONNECT,
    [ASW_CAP_NET_LISTEN] = ASW_PERM_LISTEN,
    [ASW_CAP_STORAGE] = ASW_PERM_READ | ASW_PERM_WRITE | ASW_PERM_DELETE,
    [ASW_CAP_MSG] = ASW_PERM_SEND | ASW_PERM_RECEIVE,
    [ASW_CAP_CUSTOM] = ASW_PERM_USE,
};

static const char *const perm_names[] = {"read",    "write",  "delete", "list",    "execute",
                                         "connect", "listen", "send",   "receive", "use"};

static const char R_GRANTED[] = "granted by an allow entry";
static const char R_DENY[] = "denied by an explicit deny entry";
static const char R_NONE[] = "no capability grants this access";
static const char R_PRIVATE[] = "private or loopback address needs an explicit grant";
static const char R_BADPATH[] = "path is relative, malformed, too long or escapes the root";
static const char R_BADHOST[] = "malformed network target (host:port)";
static const char R_BADPORT[] = "malformed port";
static const char R_BADNAME[] = "malformed name (empty, control characters or wildcards)";
static const char R_BADPERM[] = "permission not valid for this kind of capability";

ASW_API uint32_t asw_cap_kind_perms(asw_cap_kind_t kind)
{
    return (kind >= ASW_CAP_FS && kind <= ASW_CAP_CUSTOM) ? kind_perms[kind] : 0;
}

ASW_API const char *asw_cap_kind_name(asw_cap_kind_t kind)
{
    switch (kind) {
    case ASW_CAP_FS: return "fs";
    case ASW_CAP_NET_CONNECT: return "net-connect";
    case ASW_CAP_NET_LISTEN: return "net-listen";
    case ASW_CAP_STORAGE: return "storage";
    case ASW_CAP_MSG: return "msg";
    case ASW_CAP_CUSTOM: return "custom";
    }
    return "?";
}

ASW_API uint32_t asw_cap_perm_parse(const char *name, size_t len)
{
    if (!name) return 0;
    for (size_t i = 0; i < ASW_ARRAY_LEN(perm_names); i++)
        if (strlen(perm_names[i]) == len && !memcmp(perm_names[i], name, len)) return 1u << i;
    return 0;
}

ASW_API const char *asw_cap_perm_name(uint32_t perm)
{
    for (size_t i = 0; i < ASW_ARRAY_LEN(perm_names); i++)
        if (perm == 1u << i) return perm_names[i];
    return "?";
}

static bool valid_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
}

static int validate_custom(const asw_cap_spec_t *spec, asw_error_t *err)
{
    const char *n = spec->pattern;
    if (!*n) return asw__errorf(err, ASW_E_PARSE, "custom capability name is empty");
    for (; *n; n++)
        if (!valid_name_char(*n))
            return asw__errorf(err, ASW_E_PARSE,
                               "custom capability name '%s': use letters, digits, '_-.:'",
                               spec->pattern);
    if (spec->nparams > ASW_CAP_MAX_PARAMS)
        return asw__errorf(err, ASW_E_PARSE, "custom capability '%s': more than %d parameters",
                           spec->pattern, ASW_CAP_MAX_PARAMS);
    if (spec->nparams && !spec->params)
        return asw__errorf(err, ASW_E_INVALID, "custom capability: params is NULL");
    for (size_t i = 0; i < spec->nparams; i++) {
        const char *p = spec->params[i];
        if (!p) return asw__errorf(err, ASW_E_INVALID, "custom capability: a NULL parameter");
        const char *eq = strchr(p, '=');
        if (!eq || eq == p || !eq[1])
            return asw__errorf(err, ASW_E_PARSE,
                               "custom capability '%s': parameter '%s' is not key=value",
                               spec->pattern, p);
        for (const char *q = p; q < eq; q++)
            if (!valid_name_char(*q) || *q == ':')
                return asw__errorf(err, ASW_E_PARSE, "custom capability '%s': bad key in '%s'",
                                   spec->pattern, p);
        for (const char *q = eq + 1; *q; q++)
            if ((unsigned char)*q <= 0x20 || (unsigned char)*q == 0x7f)
                return asw__errorf(err, ASW_E_PARSE,
                                   "custom capability '%s': space or control in '%s'",
                                   spec->pattern, p);
        if (strlen(p) > 255)
            return asw__errorf(err, ASW_E_PARSE, "custom capability: parameter too long");
    }
    return ASW_OK;
}

ASW_API int asw_cap_spec_validate(const asw_cap_spec_t *spec, asw_error_t *out_err)
{
    if (!spec) return asw__errorf(out_err, ASW_E_INVALID, "capability: NULL spec");
    uint32_t allowed = asw_cap_kind_perms(spec->kind);
    if (!allowed)
        return asw__errorf(out_err, ASW_E_INVALID, "capability: unknown kind %d", (int)spec->kind);
    if (!spec->perms || (spec->perms & ~allowed))
        return asw__errorf(out_err, ASW_E_INVALID,
                           "capability %s: permissions 0x%x are not valid for this kind",
                           asw_cap_kind_name(spec->kind), (unsigned)spec->perms);
    if (!spec->pattern) return asw__errorf(out_err, ASW_E_INVALID, "capability: NULL pattern");
    if (spec->kind != ASW_CAP_CUSTOM && spec->nparams)
        return asw__errorf(out_err, ASW_E_INVALID, "capability %s: only custom takes parameters",
                           asw_cap_kind_name(spec->kind));
    uint16_t lo, hi;
    switch (spec->kind) {
    case ASW_CAP_FS: return asw_cap_validate_fs_pattern(spec->pattern, out_err);
    case ASW_CAP_NET_CONNECT: return asw_cap_validate_net_target(spec->pattern, out_err);
    case ASW_CAP_NET_LISTEN: return asw_net_parse_ports(spec->pattern, &lo, &hi, out_err);
    case ASW_CAP_STORAGE: return asw_cap_validate_storage_pattern(spec->pattern, out_err);
    case ASW_CAP_MSG: return asw_cap_validate_topic_pattern(spec->pattern, out_err);
    case ASW_CAP_CUSTOM: return validate_custom(spec, out_err);
    }
    return asw__errorf(out_err, ASW_E_INVALID, "capability: unknown kind");
}

/* ------------------------------------------ sets ------------------------------------------ */

static bool valid_self_id(const char *id)
{
    if (!*id || strlen(id) > 128) return false;
    for (; *id; id++)
        if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') ||
              (*id >= '0' && *id <= '9') || *id == '_' || *id == '-' || *id == '.'))
            return false;
    return true;
}

ASW_API int asw_capset_new(const char *self_id, asw_capset_t **out_set, asw_error_t *out_err)
{
    if (!out_set) return asw__errorf(out_err, ASW_E_INVALID, "capset: NULL out_set");
    *out_set = NULL;
    if (self_id && !valid_self_id(self_id))
        return asw__errorf(out_err, ASW_E_INVALID,
                           "component id '%s': use 1-128 letters, digits, '_', '-' or '.'",
                           self_id);
    asw_capset_t *set = asw__calloc(1, sizeof *set);
    if (!set) goto nomem;
    set->bytes = sizeof *set;
    if (self_id) {
        set->self_id = asw__strdup(self_id);
        if (!set->self_id) goto nomem;
        set->bytes += strlen(self_id) + 1;
    }
    *out_set = set;
    return ASW_OK;
nomem:
    asw__free(set);
    return asw__errorf(out_err, ASW_E_NOMEM, "capset: out of memory");
}

ASW_API void asw_capset_free(asw_capset_t *set)
{
    if (!set) return;
    for (size_t i = 0; i < set->count; i++)
        asw__free(set->entries[i].mem);
    asw__free(set->entries);
    asw__free(set->fs_buckets);
    asw__free(set->fs_next);
    asw__free(set->self_id);
    asw__free(set);
}

ASW_API size_t asw_capset_count(const asw_capset_t *set)
{
    return set ? set->count : 0;
}

static void fs_index_link(asw_capset_t *set, size_t i)
{
    const asw__cap_entry_t *e = &set->entries[i];
    size_t b = asw__fnv1a(ASW__FNV_BASIS, e->pattern, e->prefix_len) & (set->fs_nbuckets - 1);
    set->fs_next[i] = (uint16_t)set->fs_buckets[b];
    set->fs_buckets[b] = (uint32_t)(i + 1);
}

/* Adds filesystem entry i (already in place, not yet counted) to the index, building or
 * rebuilding the index when the set crosses ASW__CAP_FS_INDEX_MIN entries or outgrows it.
 * ASW_E_NOMEM leaves the set as it was (minus nothing: entry i is not counted yet). */
static int fs_index_add(asw_capset_t *set, size_t i)
{
    size_t n = set->fs_count + 1;
    if (n <= ASW__CAP_FS_INDEX_MIN) return ASW_OK;
    if (set->fs_buckets && set->fs_nbuckets >= 2 * n && set->fs_next_cap > i) {
        fs_index_link(set, i);
        return ASW_OK;
    }
    size_t nb = 16;
    while (nb < 4 * n)
        nb *= 2;
    uint32_t *buckets = asw__calloc(nb, sizeof *buckets);
    uint16_t *next = asw__calloc(set->cap, sizeof *next);
    if (!buckets || !next) {
        asw__free(buckets);
        asw__free(next);
        return ASW_E_NOMEM;
    }
    set->bytes += nb * sizeof *buckets + set->cap * sizeof *next;
    set->bytes -= set->fs_nbuckets * sizeof *set->fs_buckets + set->fs_next_cap * sizeof *next;
    asw__free(set->fs_buckets);
    asw__free(set->fs_next);
    set->fs_buckets = buckets;
    set->fs_next = next;
    set->fs_nbuckets = nb;
    set->fs_next_cap = set->cap;
    for (size_t k = 0; k <= i; k++)
        if (set->entries[k].kind == ASW_CAP_FS) fs_index_link(set, k);
    return ASW_OK;
}

/* Replaces every "{self}" in src by id into dst (cap bytes). Returns the length or -1. */
static int subst_self(const char *src, const char *id, char *dst, size_t cap)
{
    size_t w = 0, idlen = id ? strlen(id) : 0;
    while (*src) {
        if (id && !strncmp(src, "{self}", 6)) {
            if (w + idlen >= cap) return -1;
            memcpy(dst + w, id, idlen);
            w += idlen;
            src += 6;
            continue;
        }
        if (w + 1 >= cap) return -1;
        dst[w++] = *src++;
    }
    dst[w] = '\0';
    return (int)w;
}

static void compile_net(asw__cap_entry_t *e, char *hostbuf, const char *h, size_t hl,
                        const char *ports, size_t pl)
{
    for (size_t i = 0; i < hl; i++)
        hostbuf[i] = (h[i] >= 'A' && h[i] <= 'Z') ? (char)(h[i] - 'A' + 'a') : h[i];
    hostbuf[hl] = '\0';
    e->host = hostbuf;
    e->host_len = (uint16_t)hl;
    (void)asw__sec_parse_ports_n(ports, pl, &e->port_lo, &e->port_hi, NULL);
    if (hl == 1 && hostbuf[0] == '*') {
        e->flags |= CAPF_HOST_ANY;
        return;
    }
    if (hostbuf[0] == '*') {
        e->flags |= CAPF_HOST_SUF;
        e->host = hostbuf + 1; /* ".suffix" */
        e->host_len = (uint16_t)(hl - 1);
        if (!strcmp(e->host, ".localhost")) e->flags |= CAPF_PRIVATE;
        return;
    }
    if (asw__sec_parse_cidr_n(hostbuf, hl, &e->cidr, NULL) == ASW_OK) {
        e->flags |= CAPF_HOST_ADDR;
        /* Explicit for private space when the whole range lies inside it: check both ends. */
        asw_cidr_t last = e->cidr;
        unsigned max = last.v6 ? 128u : 32u;
        for (unsigned bit = last.prefix; bit < max; bit++)
            last.addr[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
        if (asw_net_is_private(&e->cidr) && asw_net_is_private(&last)) e->flags |= CAPF_PRIVATE;
        return;
    }
    if (!strcmp(hostbuf, "localhost")) e->flags |= CAPF_PRIVATE;
}

ASW_API int asw_capset_add(asw_capset_t *set, const asw_cap_spec_t *spec, asw_error_t *out_err)
{
    if (!set || !spec) return asw__errorf(out_err, ASW_E_INVALID, "capset_add: NULL argument");
    if (!spec->pattern) return asw__errorf(out_err, ASW_E_INVALID, "capability: NULL pattern");
    if (set->count >= 65535)
        return asw__errorf(out_err, ASW_E_LIMIT, "capability set: more than 65535 entries");
    char pat[ASW_PATH_MAX];
    const char *self =
        (spec->kind == ASW_CAP_STORAGE || spec->kind == ASW_CAP_MSG) ? set->self_id : NULL;
    if (subst_self(spec->pattern, self, pat, sizeof pat) < 0)
        return asw__errorf(out_err, ASW_E_PARSE, "capability pattern is too long");
    asw_cap_spec_t s = *spec;
    s.pattern = pat;
    int rc = asw_cap_spec_validate(&s, out_err);
    if (rc) return rc;
    if (strstr(pat, "{self}"))
        return asw__errorf(out_err, ASW_E_INVALID,
                           "capability '%s' uses {self} but the set has no component id", pat);

    size_t plen = strlen(pat);
    size_t size = s.nparams * sizeof(char *) + plen + 1;
    if (s.kind == ASW_CAP_NET_CONNECT) size += plen + 1;
    for (size_t i = 0; i < s.nparams; i++)
        size += strlen(s.params[i]) + 1;

    if (set->count == set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 4;
        asw__cap_entry_t *ne = asw__reallocarray(set->entries, ncap, sizeof *ne);
        if (!ne) return asw__errorf(out_err, ASW_E_NOMEM, "capability set: out of memory");
        set->bytes += (ncap - set->cap) * sizeof *ne;
        set->entries = ne;
        set->cap = ncap;
    }
    char *mem = asw__malloc(size);
    if (!mem) return asw__errorf(out_err, ASW_E_NOMEM, "capability set: out of memory");

    asw__cap_entry_t *e = &set->entries[set->count];
    memset(e, 0, sizeof *e);
    e->kind = (uint8_t)s.kind;
    e->deny = s.deny ? 1 : 0;
    e->perms = (uint16_t)s.perms;
    e->mem = mem;
    e->mem_size = size;
    e->nparams = (uint8_t)s.nparams;
    char *w = mem;
    if (s.nparams) {
        e->params = (const char **)(void *)mem;
        w += s.nparams * sizeof(char *);
    }
    e->pattern = w;
    memcpy(w, pat, plen + 1);
    w += plen + 1;
    for (size_t i = 0; i < s.nparams; i++) {
        size_t l = strlen(s.params[i]);
        memcpy(w, s.params[i], l + 1);
        e->params[i] = w;
        w += l + 1;
    }
    switch (s.kind) {
    case ASW_CAP_FS: {
        size_t lit = strcspn(pat, "*?[\\");
        if (pat[lit]) {
            e->flags |= CAPF_META;
            while (lit > 0 && pat[lit] != '/')
                lit--; /* cut at the segment boundary */
        }
        e->prefix_len = (uint16_t)lit;
        break;
    }
    case ASW_CAP_NET_CONNECT: {
        const char *h, *p;
        size_t hl, pl;
        (void)asw__sec_split_target(pat, plen, &h, &hl, &p, &pl, NULL);
        compile_net(e, w, h, hl, p, pl);
        break;
    }
    case ASW_CAP_NET_LISTEN: (void)asw_net_parse_ports(pat, &e->port_lo, &e->port_hi, NULL); break;
    case ASW_CAP_STORAGE:
        if (pat[plen - 1] == '*') {
            e->flags |= CAPF_PREFIX;
            e->prefix_len = (uint16_t)(plen - 1);
        }
        break;
    case ASW_CAP_MSG:
    case ASW_CAP_CUSTOM: break;
    }
    if (s.kind == ASW_CAP_FS) {
        if (fs_index_add(set, set->count)) {
            asw__free(mem);
            return asw__errorf(out_err, ASW_E_NOMEM, "capability set: out of memory");
        }
        set->fs_count++;
    }
    set->count++;
    set->bytes += size;
    return ASW_OK;
}

ASW_API int asw_capset_get(const asw_capset_t *set, size_t i, asw_cap_spec_t *out_spec)
{
    if (!set || !out_spec) return ASW_E_INVALID;
    if (i >= set->count) return ASW_E_NOT_FOUND;
    const asw__cap_entry_t *e = &set->entries[i];
    out_spec->kind = (asw_cap_kind_t)e->kind;
    out_spec->perms = e->perms;
    out_spec->deny = e->deny;
    out_spec->pattern = e->pattern;
    out_spec->params = (const char *const *)e->params;
    out_spec->nparams = e->nparams;
    return ASW_OK;
}

/* ------------------------------------------ text ------------------------------------------ */

static const char *kind_word(uint8_t kind)
{
    switch (kind) {
    case ASW_CAP_FS: return "fs";
    case ASW_CAP_NET_CONNECT:
    case ASW_CAP_NET_LISTEN: return "net";
    case ASW_CAP_STORAGE: return "storage";
    case ASW_CAP_MSG: return "msg";
    default: return "custom";
    }
}

ASW_API int asw_capset_add_text(asw_capset_t *set, const char *text, asw_error_t *out_err)
{
    if (!set || !text) return asw__errorf(out_err, ASW_E_INVALID, "capability text: NULL");
    char buf[ASW_PATH_MAX + 512];
    size_t n = strlen(text);
    if (n >= sizeof buf) return asw__errorf(out_err, ASW_E_PARSE, "capability text too long");
    memcpy(buf, text, n + 1);
    char *tok[4 + ASW_CAP_MAX_PARAMS];
    size_t ntok = 0;
    char *p = buf;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p) break;
        if (ntok == ASW_ARRAY_LEN(tok))
            return asw__errorf(out_err, ASW_E_PARSE, "capability '%s': too many words", text);
        tok[ntok++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p += (p[0] == '\\' && p[1] == ' ') ? 2 : 1;
        if (*p) *p++ = '\0';
    }
    size_t t = 0;
    asw_cap_spec_t spec = {0};
    if (ntok && !strcmp(tok[0], "deny")) {
        spec.deny = true;
        t++;
    }
    if (ntok - t < 3)
        return asw__errorf(out_err, ASW_E_PARSE,
                           "capability '%s': expected '[deny] <kind> <perms> <pattern>'", text);
    const char *kw = tok[t++];
    char *perms = tok[t++];
    spec.pattern = tok[t++];
    for (char *q = perms;;) {
        size_t l = strcspn(q, ",");
        uint32_t bit = asw_cap_perm_parse(q, l);
        if (!bit)
            return asw__errorf(out_err, ASW_E_PARSE, "capability '%s': unknown permission '%.*s'",
                               text, (int)l, q);
        spec.perms |= bit;
        if (!q[l]) break;
        q += l + 1;
    }
    if (!strcmp(kw, "fs"))
        spec.kind = ASW_CAP_FS;
    else if (!strcmp(kw, "net")) {
        if (spec.perms == ASW_PERM_CONNECT)
            spec.kind = ASW_CAP_NET_CONNECT;
        else if (spec.perms == ASW_PERM_LISTEN)
            spec.kind = ASW_CAP_NET_LISTEN;
        else
            return asw__errorf(out_err, ASW_E_PARSE,
                               "capability '%s': net takes exactly one of connect or listen", text);
    } else if (!strcmp(kw, "net-connect"))
        spec.kind = ASW_CAP_NET_CONNECT;
    else if (!strcmp(kw, "net-listen"))
        spec.kind = ASW_CAP_NET_LISTEN;
    else if (!strcmp(kw, "storage"))
        spec.kind = ASW_CAP_STORAGE;
    else if (!strcmp(kw, "msg"))
        spec.kind = ASW_CAP_MSG;
    else if (!strcmp(kw, "custom"))
        spec.kind = ASW_CAP_CUSTOM;
    else
        return asw__errorf(out_err, ASW_E_PARSE,
                           "capability '%s': unknown kind '%s' (fs, net, storage, msg, custom)",
                           text, kw);
    spec.params = (const char *const *)&tok[t];
    spec.nparams = ntok - t;
    return asw_capset_add(set, &spec, out_err);
}

ASW_API int asw_capset_format(const asw_capset_t *set, size_t i, char *buf, size_t cap)
{
    if (!set || (!buf && cap)) return ASW_E_INVALID;
    if (i >= set->count) return ASW_E_NOT_FOUND;
    const asw__cap_entry_t *e = &set->entries[i];
    char tmp[ASW_PATH_MAX + 4096];
    size_t w = 0;
#define PUT(s)                                                                                     \
    do {                                                                                           \
        size_t l_ = strlen(s);                                                                     \
        if (w + l_ >= sizeof tmp) return ASW_E_OVERFLOW;                                           \
        memcpy(tmp + w, s, l_);                                                                    \
        w += l_;                                                                                   \
    } while (0)
    if (e->deny) PUT("deny ");
    PUT(kind_word(e->kind));
    PUT(" ");
    bool first = true;
    for (size_t b = 0; b < ASW_ARRAY_LEN(perm_names); b++)
        if (e->perms & (1u << b)) {
            if (!first) PUT(",");
            PUT(perm_names[b]);
            first = false;
        }
    PUT(" ");
    for (const char *c = e->pattern; *c; c++) { /* a space in a glob is written "\\ " */
        if (*c == ' ' && (c == e->pattern || c[-1] != '\\')) PUT("\\");
        char one[2] = {*c, 0};
        PUT(one);
    }
    for (size_t k = 0; k < e->nparams; k++) {
        PUT(" ");
        PUT(e->params[k]);
    }
#undef PUT
    tmp[w] = '\0';
    if (cap) {
        size_t c = w < cap ? w : cap - 1;
        memcpy(buf, tmp, c);
        buf[c] = '\0';
    }
    return (int)w;
}

static bool same_target(const asw__cap_entry_t *a, const asw__cap_entry_t *b)
{
    if (a->kind != b->kind || a->nparams != b->nparams || strcmp(a->pattern, b->pattern))
        return false;
    for (size_t i = 0; i < a->nparams; i++) {
        bool found = false;
        for (size_t j = 0; j < b->nparams && !found; j++)
            found = !strcmp(a->params[i], b->params[j]);
        if (!found) return false;
    }
    return true;
}

ASW_API bool asw_capset_is_subset(const asw_capset_t *grant, const asw_capset_t *request)
{
    if (!grant || !request) return false;
    for (size_t i = 0; i < grant->count; i++) {
        const asw__cap_entry_t *g = &grant->entries[i];
        if (g->deny) continue; /* a deny entry only narrows */
        bool covered = false;
        for (size_t j = 0; j < request->count && !covered; j++) {
            const asw__cap_entry_t *r = &request->entries[j];
            covered = !r->deny && same_target(g, r) && !(g->perms & ~r->perms);
        }
        if (!covered) return false;
    }
    /* Dropping a deny entry the component asked for would widen what it may do. */
    for (size_t j = 0; j < request->count; j++) {
        const asw__cap_entry_t *r = &request->entries[j];
        if (!r->deny) continue;
        bool kept = false;
        for (size_t i = 0; i < grant->count && !kept; i++) {
            const asw__cap_entry_t *g = &grant->entries[i];
            kept = g->deny && same_target(g, r) && !(r->perms & ~g->perms);
        }
        if (!kept) return false;
    }
    return true;
}

/* ----------------------------------------- checks ----------------------------------------- */

static int decide(asw_cap_decision_t *out, bool granted, const char *reason, const char *rule)
{
    if (out) {
        out->granted = granted;
        out->reason = reason;
        out->rule = rule;
    }
    return granted ? ASW_OK : ASW_E_DENIED;
}

/* A parsed network request. */
typedef struct {
    char host[256];
    size_t hlen;
    bool is_addr, is_private;
    asw_cidr_t addr;
    uint16_t port;
} net_req;

static const char *parse_net_req(const char *res, net_req *r)
{
    const char *h, *p;
    size_t hl, pl;
    size_t n = strlen(res);
    if (n > 300 || asw__sec_split_target(res, n, &h, &hl, &p, &pl, NULL)) return R_BADHOST;
    if (pl == 0 || pl > 5) return R_BADPORT;
    uint32_t port = 0;
    for (size_t i = 0; i < pl; i++) {
        if (p[i] < '0' || p[i] > '9') return R_BADPORT;
        port = port * 10 + (uint32_t)(p[i] - '0');
    }
    if (port == 0 || port > 65535) return R_BADPORT;
    r->port = (uint16_t)port;
    if (hl && h[hl - 1] == '.') hl--; /* "example.com." names example.com */
    if (hl == 0 || hl >= sizeof r->host) return R_BADHOST;
    for (size_t i = 0; i < hl; i++)
        r->host[i] = (h[i] >= 'A' && h[i] <= 'Z') ? (char)(h[i] - 'A' + 'a') : h[i];
    r->host[hl] = '\0';
    r->hlen = hl;
    r->is_addr = false;
    if (asw_net_parse_ip(r->host, hl, &r->addr, NULL) == ASW_OK) {
        r->is_addr = true;
        r->is_private = asw_net_is_private(&r->addr);
        return NULL;
    }
    if (memchr(r->host, ':', hl) || !asw__sec_valid_hostname(r->host, hl)) return R_BADHOST;
    r->is_private =
        !strcmp(r->host, "localhost") || (hl > 10 && !memcmp(r->host + hl - 10, ".localhost", 10));
    return NULL;
}

static bool net_host_match(const asw__cap_entry_t *e, const net_req *r)
{
    if (e->flags & CAPF_HOST_ANY) return true;
    if (e->flags & CAPF_HOST_ADDR) return r->is_addr && asw_net_cidr_contains(&e->cidr, &r->addr);
    if (r->is_addr) return false;
    if (e->flags & CAPF_HOST_SUF)
        return r->hlen > e->host_len &&
               !memcmp(r->host + r->hlen - e->host_len, e->host, e->host_len);
    return r->hlen == e->host_len && !memcmp(r->host, e->host, r->hlen);
}

/* Byte classes of request names: NC_BAD anywhere (controls, DEL, '*'), NC_WILD in topics. */
enum { NC_BAD = 1, NC_WILD = 2 };
static const uint8_t name_class[256] = {
    [0x01] = NC_BAD, [0x02] = NC_BAD, [0x03] = NC_BAD, [0x04] = NC_BAD, [0x05] = NC_BAD,
    [0x06] = NC_BAD, [0x07] = NC_BAD, [0x08] = NC_BAD, [0x09] = NC_BAD, [0x0a] = NC_BAD,
    [0x0b] = NC_BAD, [0x0c] = NC_BAD, [0x0d] = NC_BAD, [0x0e] = NC_BAD, [0x0f] = NC_BAD,
    [0x10] = NC_BAD, [0x11] = NC_BAD, [0x12] = NC_BAD, [0x13] = NC_BAD, [0x14] = NC_BAD,
    [0x15] = NC_BAD, [0x16] = NC_BAD, [0x17] = NC_BAD, [0x18] = NC_BAD, [0x19] = NC_BAD,
    [0x1a] = NC_BAD, [0x1b] = NC_BAD, [0x1c] = NC_BAD, [0x1d] = NC_BAD, [0x1e] = NC_BAD,
    [0x1f] = NC_BAD, [0x7f] = NC_BAD, ['*'] = NC_BAD,  ['+'] = NC_WILD, ['#'] = NC_WILD,
};

static bool valid_request_name(const char *s, bool topic)
{
    if (!*s) return false;
    if (!topic) { /* one table lookup a byte: this runs on every storage call */
        const unsigned char *q = (const unsigned char *)s;
        while (*q && !(name_class[*q] & NC_BAD))
            q++;
        return *q == 0;
    }
    const char *prev = s;
    for (const char *q = s; *q; q++) {
        unsigned char c = (unsigned char)*q;
        if (name_class[c]) return false;
        if (c == '/') {
            if (q == prev) return false; /* empty segment */
            prev = q + 1;
        }
    }
    return *prev;
}

static bool fs_match(const asw__cap_entry_t *e, const char *path, size_t plen)
{
    if (!(e->flags & CAPF_META)) return plen == e->prefix_len && !memcmp(path, e->pattern, plen);
    if (plen < e->prefix_len || memcmp(path, e->pattern, e->prefix_len)) return false;
    return asw__sec_glob_match_from(e->pattern, path, e->prefix_len);
}

/* Looks up the entries whose literal prefix is path[0..k) and keeps the lowest matching deny
 * and the highest matching allow (the entries a linear scan would report). */
static void fs_probe(const asw_capset_t *set, const char *path, size_t plen, size_t k, uint32_t h,
                     uint32_t perm, size_t *deny, size_t *allow)
{
    for (uint32_t j = set->fs_buckets[h & (set->fs_nbuckets - 1)]; j; j = set->fs_next[j - 1]) {
        const asw__cap_entry_t *e = &set->entries[j - 1];
        if (e->prefix_len != k || !(e->perms & perm) || !fs_match(e, path, plen)) continue;
        if (e->deny) {
            if (j - 1 < *deny) *deny = j - 1;
        } else if (*allow == SIZE_MAX || j - 1 > *allow)
            *allow = j - 1;
    }
}

/* The filesystem check through the index: the same answer as the linear scan (deny wins; the
 * rule reported is the first matching deny or else the last matching allow, in set order). */
static int fs_check_indexed(const asw_capset_t *set, const char *path, size_t plen, uint32_t perm,
                            asw_cap_decision_t *out)
{
    size_t deny = SIZE_MAX, allow = SIZE_MAX;
    uint32_t h = ASW__FNV_BASIS;
    fs_probe(set, path, plen, 0, h, perm, &deny, &allow);
    for (size_t k = 0; k < plen; k++) {
        if (k > 0 && path[k] == '/') fs_probe(set, path, plen, k, h, perm, &deny, &allow);
        h = asw__fnv1a(h, path + k, 1); /* the hash of path[0..k] as the index stores it */
    }
    fs_probe(set, path, plen, plen, h, perm, &deny, &allow);
    if (deny != SIZE_MAX) return decide(out, false, R_DENY, set->entries[deny].pattern);
    if (allow != SIZE_MAX) return decide(out, true, R_GRANTED, set->entries[allow].pattern);
    return decide(out, false, R_NONE, NULL);
}

ASW_API int asw_capset_check(const asw_capset_t *set, asw_cap_kind_t kind, const char *resource,
                             uint32_t perm, asw_cap_decision_t *out)
{
    if (!set || !resource) {
        decide(out, false, R_NONE, NULL);
        return ASW_E_INVALID;
    }
    if (kind == ASW_CAP_CUSTOM && perm == ASW_PERM_USE)
        return asw_capset_check_custom(set, resource, NULL, 0, out);
    if ((perm & (perm - 1)) || !(perm & asw_cap_kind_perms(kind)) || kind == ASW_CAP_CUSTOM) {
        decide(out, false, R_BADPERM, NULL);
        return ASW_E_INVALID;
    }
    char path[ASW_PATH_MAX];
    size_t plen = 0;
    net_req nr;
    uint16_t port = 0;
    switch (kind) {
    case ASW_CAP_FS:
        if (asw_path_normalize(resource, path, sizeof path, NULL))
            return decide(out, false, R_BADPATH, NULL);
        plen = strlen(path);
        break;
    case ASW_CAP_NET_CONNECT: {
        const char *bad = parse_net_req(resource, &nr);
        if (bad) return decide(out, false, bad, NULL);
        break;
    }
    case ASW_CAP_NET_LISTEN: {
        uint16_t hi;
        if (strchr(resource, '-') || strchr(resource, '*') ||
            asw_net_parse_ports(resource, &port, &hi, NULL))
            return decide(out, false, R_BADPORT, NULL);
        break;
    }
    case ASW_CAP_STORAGE:
    case ASW_CAP_MSG:
        if (!valid_request_name(resource, kind == ASW_CAP_MSG))
            return decide(out, false, R_BADNAME, NULL);
        break;
    default: break;
    }

    if (kind == ASW_CAP_FS && set->fs_buckets) return fs_check_indexed(set, path, plen, perm, out);
    const char *allow = NULL, *blocked = NULL;
    const asw__cap_entry_t *e = set->entries, *end = e ? e + set->count : e; /* empty: NULL */
    for (; e < end; e++) {
        if (e->kind != kind || !(e->perms & perm)) continue;
        bool m = false;
        switch (kind) {
        case ASW_CAP_FS: m = fs_match(e, path, plen); break;
        case ASW_CAP_NET_CONNECT:
            m = nr.port >= e->port_lo && nr.port <= e->port_hi && net_host_match(e, &nr);
            if (m && !e->deny && nr.is_private && !(e->flags & CAPF_PRIVATE)) {
                blocked = e->pattern;
                m = false;
            }
            break;
        case ASW_CAP_NET_LISTEN: m = port >= e->port_lo && port <= e->port_hi; break;
        case ASW_CAP_STORAGE:
            m = (e->flags & CAPF_PREFIX) ? !strncmp(resource, e->pattern, e->prefix_len)
                                         : !strcmp(resource, e->pattern);
            break;
        case ASW_CAP_MSG: m = asw__sec_topic_match(e->pattern, resource); break;
        default: break;
        }
        if (!m) continue;
        if (e->deny) return decide(out, false, R_DENY, e->pattern);
        allow = e->pattern;
    }
    if (allow) return decide(out, true, R_GRANTED, allow);
    if (blocked) return decide(out, false, R_PRIVATE, blocked);
    return decide(out, false, R_NONE, NULL);
}

static bool custom_params_match(const asw__cap_entry_t *e, const char *const *params, size_t n,
                                bool any_value_ok)
{
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(params[i], '=');
        if (!eq) return false;
        size_t kl = (size_t)(eq - params[i]);
        bool ok = false;
        for (size_t j = 0; j < e->nparams && !ok; j++) {
            const char *g = e->params[j];
            if (strncmp(g, params[i], kl) || g[kl] != '=') continue;
            ok = !strcmp(g + kl + 1, eq + 1) || (any_value_ok && !strcmp(g + kl + 1, "*"));
        }
        if (!ok) return false;
    }
    return true;
}

ASW_API int asw_capset_check_custom(const asw_capset_t *set, const char *name,
                                    const char *const *params, size_t nparams,
                                    asw_cap_decision_t *out)
{
    if (!set || !name || (nparams && !params)) {
        decide(out, false, R_NONE, NULL);
        return ASW_E_INVALID;
    }
    for (size_t i = 0; i < nparams; i++)
        if (!params[i] || !strchr(params[i], '=')) return decide(out, false, R_BADNAME, NULL);
    const char *allow = NULL;
    for (size_t i = 0; i < set->count; i++) {
        const asw__cap_entry_t *e = &set->entries[i];
        if (e->kind != ASW_CAP_CUSTOM || strcmp(e->pattern, name)) continue;
        if (e->deny) {
            /* A deny entry without params denies the name; with params, requests carrying any
             * of them (same value, or "*" for any value). */
            bool hit = e->nparams == 0;
            for (size_t j = 0; j < nparams && !hit; j++)
                hit = custom_params_match(e, &params[j], 1, true);
            if (hit) return decide(out, false, R_DENY, e->pattern);
            continue;
        }
        if (custom_params_match(e, params, nparams, true)) allow = e->pattern;
    }
    if (allow) return decide(out, true, R_GRANTED, allow);
    return decide(out, false, R_NONE, NULL);
}
