/*
 * src/security/trust.c -- the trust registry: which sources are trusted (signing keys, pinned
 * module hashes, local path patterns, git URL patterns with an optional branch), dev mode, and
 * the decision trusted / unknown / dev-mode for one component.
 *
 * Design. The registry is a few small arrays, filled from a TOML file (asw_toml_parse) or by the
 * add functions; every entry is validated when added. asw_trust_determine walks them in a fixed
 * order -- pinned hash, signer key, path, git -- and answers with a static reason and the
 * matching entry's text. Trust is by content or by a verified key, never by file name: a
 * renamed module keeps its hash, and a key counts only when the caller passes one that
 * asw_sig_verify accepted. Dev mode makes every component that is not otherwise trusted run as
 * dev-mode (approval bypassed); a trusted component stays trusted.
 *
 * File format (docs/security.md):
 *   dev_mode = false
 *   [[trusted.keys]]   key = "<hex or base64>"   name = "..." (optional)
 *   [[trusted.hashes]] sha256 = "<64 hex>"        name = "..." (optional)
 *   [[trusted.paths]]  pattern = "<filesystem glob>"
 *   [[trusted.git]]    url = "<URL, * within one path segment>"   branch = "main" (optional)
 * Unknown keys are errors (a typo must not silently trust nothing, or everything).
 *
 * Invariants: asw_trust_determine never allocates. Not here: signature checks (sign.c).
 */
#include "security/sec_int.h"

#include "airssys/toml.h"

#include <string.h>

typedef struct {
    uint8_t key[32];
    char text[65]; /* hex, for reports */
} key_entry;

typedef struct {
    char *url, *branch; /* branch may be NULL: any */
} git_entry;

struct asw_trust_registry {
    key_entry *keys, *hashes;
    size_t nkeys, nhashes;
    char **paths;
    size_t npaths;
    git_entry *git;
    size_t ngit;
    bool dev_mode;
};

ASW_API int asw_trust_registry_new(asw_trust_registry_t **out_reg, asw_error_t *out_err)
{
    if (!out_reg) return asw__errorf(out_err, ASW_E_INVALID, "trust registry: NULL out_reg");
    *out_reg = asw__calloc(1, sizeof **out_reg);
    return *out_reg ? ASW_OK : asw__errorf(out_err, ASW_E_NOMEM, "trust registry: out of memory");
}

ASW_API void asw_trust_registry_free(asw_trust_registry_t *reg)
{
    if (!reg) return;
    for (size_t i = 0; i < reg->npaths; i++)
        asw__free(reg->paths[i]);
    for (size_t i = 0; i < reg->ngit; i++) {
        asw__free(reg->git[i].url);
        asw__free(reg->git[i].branch);
    }
    asw__free(reg->keys);
    asw__free(reg->hashes);
    asw__free(reg->paths);
    asw__free(reg->git);
    asw__free(reg);
}

/* Grows *arr (of elem-sized items, count n) by one; returns the new slot or NULL. */
static void *grow(void **arr, size_t n, size_t elem)
{
    void *na = asw__reallocarray(*arr, n + 1, elem);
    if (!na) return NULL;
    *arr = na;
    return (char *)na + n * elem;
}

static int add_bytes(key_entry **arr, size_t *n, const uint8_t v[32], asw_error_t *err)
{
    key_entry *e = grow((void **)arr, *n, sizeof **arr);
    if (!e) return asw__errorf(err, ASW_E_NOMEM, "trust registry: out of memory");
    memcpy(e->key, v, 32);
    asw_hex_encode(v, 32, e->text);
    (*n)++;
    return ASW_OK;
}

ASW_API int asw_trust_add_key(asw_trust_registry_t *reg, const char *key_text, asw_error_t *out_err)
{
    if (!reg || !key_text) return asw__errorf(out_err, ASW_E_INVALID, "trust: NULL argument");
    uint8_t k[32];
    int rc = asw_sig_parse_public_key(key_text, k, out_err);
    return rc ? rc : add_bytes(&reg->keys, &reg->nkeys, k, out_err);
}

ASW_API int asw_trust_add_hash(asw_trust_registry_t *reg, const char *sha256_hex,
                               asw_error_t *out_err)
{
    if (!reg || !sha256_hex) return asw__errorf(out_err, ASW_E_INVALID, "trust: NULL argument");
    uint8_t h[32];
    if (asw__sec_hex_decode(sha256_hex, strlen(sha256_hex), h, 32))
        return asw__errorf(out_err, ASW_E_PARSE, "trusted hash '%s': expected 64 hex digits",
                           sha256_hex);
    return add_bytes(&reg->hashes, &reg->nhashes, h, out_err);
}

ASW_API int asw_trust_add_path(asw_trust_registry_t *reg, const char *fs_pattern,
                               asw_error_t *out_err)
{
    if (!reg || !fs_pattern) return asw__errorf(out_err, ASW_E_INVALID, "trust: NULL argument");
    int rc = asw_cap_validate_fs_pattern(fs_pattern, out_err);
    if (rc) return rc;
    char **slot = grow((void **)&reg->paths, reg->npaths, sizeof *reg->paths);
    if (!slot || !(*slot = asw__strdup(fs_pattern)))
        return asw__errorf(out_err, ASW_E_NOMEM, "trust registry: out of memory");
    reg->npaths++;
    return ASW_OK;
}

ASW_API int asw_trust_add_git(asw_trust_registry_t *reg, const char *url_pattern,
                              const char *branch, asw_error_t *out_err)
{
    if (!reg || !url_pattern) return asw__errorf(out_err, ASW_E_INVALID, "trust: NULL argument");
    if (!*url_pattern || !strcmp(url_pattern, "*") || strchr(url_pattern, ' '))
        return asw__errorf(out_err, ASW_E_PARSE,
                           "trusted git url '%s': must name a host or path (not empty or '*')",
                           url_pattern);
    if (branch && !*branch)
        return asw__errorf(out_err, ASW_E_PARSE, "trusted git url '%s': empty branch", url_pattern);
    git_entry *g = grow((void **)&reg->git, reg->ngit, sizeof *reg->git);
    if (!g) return asw__errorf(out_err, ASW_E_NOMEM, "trust registry: out of memory");
    g->url = asw__strdup(url_pattern);
    g->branch = branch ? asw__strdup(branch) : NULL;
    if (!g->url || (branch && !g->branch)) {
        asw__free(g->url);
        asw__free(g->branch);
        return asw__errorf(out_err, ASW_E_NOMEM, "trust registry: out of memory");
    }
    reg->ngit++;
    return ASW_OK;
}

ASW_API void asw_trust_set_dev_mode(asw_trust_registry_t *reg, bool on)
{
    if (reg) reg->dev_mode = on;
}

ASW_API bool asw_trust_dev_mode(const asw_trust_registry_t *reg)
{
    return reg && reg->dev_mode;
}

/* ------------------------------------------ TOML ------------------------------------------ */

static int at(asw_error_t *err, const asw_toml_value_t *v, int code, const char *what)
{
    return asw_toml_errorf(err, code, asw_toml_line(v), asw_toml_column(v), "%s", what);
}

static const char *get_str(const asw_toml_value_t *t, const char *key)
{
    return asw_toml_string(asw_toml_get(t, key), NULL);
}

/* Checks that every key of table t is in allowed (NULL-terminated). */
static int only_keys(const asw_toml_value_t *t, const char *const *allowed, asw_error_t *err)
{
    for (size_t i = 0; i < asw_toml_count(t); i++) {
        const char *k = asw_toml_key_at(t, i, NULL);
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(*a, k);
        if (!ok)
            return asw_toml_errorf(err, ASW_E_PARSE, asw_toml_key_line(t, i),
                                   asw_toml_key_column(t, i), "unknown key '%s'", k);
    }
    return ASW_OK;
}

static int load_section(asw_trust_registry_t *reg, const asw_toml_value_t *trusted,
                        const char *name, asw_error_t *err)
{
    const asw_toml_value_t *arr = asw_toml_get(trusted, name);
    if (!arr) return ASW_OK;
    if (asw_toml_type(arr) != ASW_TOML_ARRAY)
        return at(err, arr, ASW_E_PARSE, "expected an array of tables ([[trusted.<kind>]])");
    for (size_t i = 0; i < asw_toml_count(arr); i++) {
        const asw_toml_value_t *t = asw_toml_at(arr, i);
        if (asw_toml_type(t) != ASW_TOML_TABLE) return at(err, t, ASW_E_PARSE, "expected a table");
        int rc;
        const asw_toml_value_t *pos; /* where an error is reported: set by every branch */
        if (!strcmp(name, "keys")) {
            static const char *const k[] = {"key", "name", NULL};
            const char *key = get_str(t, "key");
            rc = only_keys(t, k, err);
            if (!rc && !key) return at(err, t, ASW_E_PARSE, "trusted key: 'key' is required");
            pos = asw_toml_get(t, "key");
            if (!rc) rc = asw_trust_add_key(reg, key, err);
        } else if (!strcmp(name, "hashes")) {
            static const char *const k[] = {"sha256", "name", NULL};
            const char *h = get_str(t, "sha256");
            rc = only_keys(t, k, err);
            if (!rc && !h) return at(err, t, ASW_E_PARSE, "trusted hash: 'sha256' is required");
            pos = asw_toml_get(t, "sha256");
            if (!rc) rc = asw_trust_add_hash(reg, h, err);
        } else if (!strcmp(name, "paths")) {
            static const char *const k[] = {"pattern", NULL};
            const char *p = get_str(t, "pattern");
            rc = only_keys(t, k, err);
            if (!rc && !p) return at(err, t, ASW_E_PARSE, "trusted path: 'pattern' is required");
            pos = asw_toml_get(t, "pattern");
            if (!rc) rc = asw_trust_add_path(reg, p, err);
        } else {
            static const char *const k[] = {"url", "branch", NULL};
            const char *u = get_str(t, "url");
            const asw_toml_value_t *b = asw_toml_get(t, "branch");
            rc = only_keys(t, k, err);
            if (!rc && !u) return at(err, t, ASW_E_PARSE, "trusted git: 'url' is required");
            if (!rc && b && !asw_toml_string(b, NULL))
                return at(err, b, ASW_E_PARSE, "trusted git: 'branch' must be a string");
            pos = asw_toml_get(t, "url");
            if (!rc) rc = asw_trust_add_git(reg, u, asw_toml_string(b, NULL), err);
        }
        if (rc) {
            if (rc != ASW_E_NOMEM && err && strncmp(err->msg, "line ", 5))
                asw__error_prefix(err, "line %u, column %u: ", (unsigned)asw_toml_line(pos),
                                  (unsigned)asw_toml_column(pos));
            return rc;
        }
    }
    return ASW_OK;
}

ASW_API int asw_trust_registry_parse(const char *text, size_t len, asw_trust_registry_t **out_reg,
                                     asw_error_t *out_err)
{
    if (!out_reg || (!text && len))
        return asw__errorf(out_err, ASW_E_INVALID, "trust registry: bad argument");
    *out_reg = NULL;
    asw_toml_value_t *root = NULL;
    asw_trust_registry_t *reg = NULL;
    int rc = asw_toml_parse(text ? text : "", len, &root, out_err);
    if (rc) goto fail;
    rc = asw_trust_registry_new(&reg, out_err);
    if (rc) goto fail;
    static const char *const top[] = {"dev_mode", "trusted", NULL};
    rc = only_keys(root, top, out_err);
    if (rc) goto fail;
    const asw_toml_value_t *dev = asw_toml_get(root, "dev_mode");
    if (dev && asw_toml_bool(dev, &reg->dev_mode)) {
        rc = at(out_err, dev, ASW_E_PARSE, "'dev_mode' must be true or false");
        goto fail;
    }
    const asw_toml_value_t *trusted = asw_toml_get(root, "trusted");
    if (trusted) {
        static const char *const kinds[] = {"keys", "hashes", "paths", "git", NULL};
        if (asw_toml_type(trusted) != ASW_TOML_TABLE) {
            rc = at(out_err, trusted, ASW_E_PARSE, "'trusted' must be a table");
            goto fail;
        }
        rc = only_keys(trusted, kinds, out_err);
        for (const char *const *k = kinds; !rc && *k; k++)
            rc = load_section(reg, trusted, *k, out_err);
        if (rc) goto fail;
    }
    asw_toml_free(root);
    *out_reg = reg;
    return ASW_OK;
fail:
    asw_toml_free(root);
    asw_trust_registry_free(reg);
    return rc;
}

ASW_API int asw_trust_registry_load(const char *path, asw_trust_registry_t **out_reg,
                                    asw_error_t *out_err)
{
    if (!path || !out_reg) return asw__errorf(out_err, ASW_E_INVALID, "trust registry: NULL");
    *out_reg = NULL;
    uint8_t *buf;
    size_t n;
    int rc = asw__read_file(path, 0, &buf, &n, out_err);
    if (rc) return rc;
    rc = asw_trust_registry_parse((const char *)buf, n, out_reg, out_err);
    if (rc && rc != ASW_E_NOMEM) asw__error_prefix(out_err, "%s: ", path);
    asw__free(buf);
    return rc;
}

/* ----------------------------------------- decide ----------------------------------------- */

/* A subject URL must not play path games with a pattern: no "..", no percent-encoding, no
 * backslash, no spaces or control characters. */
static bool valid_url(const char *u)
{
    if (strstr(u, "..")) return false;
    for (; *u; u++)
        if ((unsigned char)*u <= 0x20 || *u == 0x7f || *u == '%' || *u == '\\') return false;
    return true;
}

static int result(asw_trust_result_t *out, asw_trust_level_t level, const char *reason,
                  const char *matched)
{
    if (out) {
        out->level = level;
        out->reason = reason;
        out->matched = matched;
    }
    return ASW_OK;
}

ASW_API int asw_trust_determine(const asw_trust_registry_t *reg, const asw_trust_subject_t *subj,
                                asw_trust_result_t *out)
{
    if (!reg || !subj || !subj->module_sha256) {
        result(out, ASW_TRUST_UNKNOWN, "bad argument", NULL);
        return ASW_E_INVALID;
    }
    for (size_t i = 0; i < reg->nhashes; i++)
        if (!memcmp(reg->hashes[i].key, subj->module_sha256, 32))
            return result(out, ASW_TRUST_TRUSTED, "module hash is pinned in the trust registry",
                          reg->hashes[i].text);
    if (subj->signer_key)
        for (size_t i = 0; i < reg->nkeys; i++)
            if (!memcmp(reg->keys[i].key, subj->signer_key, 32))
                return result(out, ASW_TRUST_TRUSTED, "signed by a trusted key", reg->keys[i].text);
    if (subj->path && reg->npaths) {
        char norm[ASW_PATH_MAX];
        if (asw_path_normalize(subj->path, norm, sizeof norm, NULL) == ASW_OK)
            for (size_t i = 0; i < reg->npaths; i++)
                if (asw_path_glob_match(reg->paths[i], norm))
                    return result(out, ASW_TRUST_TRUSTED,
                                  "local path matches a trusted path pattern", reg->paths[i]);
    }
    if (subj->git_url && valid_url(subj->git_url))
        for (size_t i = 0; i < reg->ngit; i++) {
            const git_entry *g = &reg->git[i];
            if (!asw__sec_wild_match(g->url, subj->git_url)) continue;
            if (g->branch && (!subj->git_branch || strcmp(g->branch, subj->git_branch))) continue;
            return result(out, ASW_TRUST_TRUSTED, "git source matches a trusted git entry", g->url);
        }
    if (reg->dev_mode)
        return result(out, ASW_TRUST_DEV, "dev mode: approval bypassed (do not use in production)",
                      NULL);
    return result(out, ASW_TRUST_UNKNOWN, "no trusted source matches", NULL);
}

ASW_API const char *asw_trust_level_name(asw_trust_level_t level)
{
    switch (level) {
    case ASW_TRUST_UNKNOWN: return "unknown";
    case ASW_TRUST_TRUSTED: return "trusted";
    case ASW_TRUST_DEV: return "dev-mode";
    }
    return "?";
}
