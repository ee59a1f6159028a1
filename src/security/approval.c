/*
 * src/security/approval.c -- the approval workflow: requests move pending -> reviewing ->
 * approved | denied; decisions persist in a directory and are reused.
 *
 * Design. A request's id is SHA-256 over the module hash, the source and the requested
 * capabilities in their text form (sorted, so the order in the manifest does not matter): the
 * same module from the same place asking for the same things gets the same id, and anything
 * different is a new request. Each decision is one JSON file <dir>/<id>.json, replaced
 * atomically (write to a temporary file, fsync, rename), so a crash never leaves half a
 * decision and the CLI can approve while a host waits. Trusted components are approved
 * automatically (approver "auto:trusted"); dev mode bypasses the store entirely, with a warning
 * on stderr and an audit record every time; unknown components wait as pending. The review queue
 * is bounded: at most max_pending requests may be pending or reviewing at once.
 * An approver may grant fewer capabilities than requested, never more: the grant must pass
 * asw_capset_is_subset against the stored request, else ASW_E_DENIED (capability inflation).
 *
 * File format (docs/security.md): {"id","state","component","source","module_sha256","trust",
 * "requested":[..],"granted":[..],"approver","reason","created","updated"}.
 *
 * Invariants: a decision file is only ever replaced whole; every transition is audited when an
 * audit log is attached. Not done: locking between two processes approving the same id at the
 * same moment (the last rename wins; both are audited).
 */
#include "security/sec_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct asw_approval_store {
    char *dir;
    size_t max_pending;
    asw_audit_t *audit;
};

ASW_API const char *asw_approval_state_name(asw_approval_state_t state)
{
    switch (state) {
    case ASW_APPROVAL_PENDING: return "pending";
    case ASW_APPROVAL_REVIEWING: return "reviewing";
    case ASW_APPROVAL_APPROVED: return "approved";
    case ASW_APPROVAL_DENIED: return "denied";
    }
    return "?";
}

static int state_parse(const char *s, asw_approval_state_t *out)
{
    for (int i = 0; i <= ASW_APPROVAL_DENIED; i++)
        if (s && !strcmp(s, asw_approval_state_name((asw_approval_state_t)i))) {
            *out = (asw_approval_state_t)i;
            return 0;
        }
    return -1;
}

ASW_API int asw_approval_store_open(const char *dir, size_t max_pending, asw_audit_t *audit,
                                    asw_approval_store_t **out_store, asw_error_t *out_err)
{
    if (!dir || !*dir || !out_store)
        return asw__errorf(out_err, ASW_E_INVALID, "approval store: a directory is required");
    *out_store = NULL;
    if (strlen(dir) > ASW_PATH_MAX - 80)
        return asw__errorf(out_err, ASW_E_INVALID, "approval store: path too long");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return asw__errorf(out_err, ASW_E_IO, "approval store '%s': %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return asw__errorf(out_err, ASW_E_IO, "approval store '%s' is not a directory", dir);
    asw_approval_store_t *s = asw__calloc(1, sizeof *s);
    if (!s || !(s->dir = asw__strdup(dir))) {
        asw__free(s);
        return asw__errorf(out_err, ASW_E_NOMEM, "approval store: out of memory");
    }
    s->max_pending = max_pending ? max_pending : 256;
    s->audit = audit;
    *out_store = s;
    return ASW_OK;
}

ASW_API void asw_approval_store_close(asw_approval_store_t *store)
{
    if (!store) return;
    asw__free(store->dir);
    asw__free(store);
}

ASW_API void asw_approval_info_free(asw_approval_info_t *info)
{
    if (!info) return;
    asw__free(info->component);
    asw__free(info->source);
    asw__free(info->approver);
    asw__free(info->reason);
    for (size_t i = 0; i < info->nrequested; i++)
        asw__free(info->requested[i]);
    for (size_t i = 0; i < info->ngranted; i++)
        asw__free(info->granted[i]);
    asw__free(info->requested);
    asw__free(info->granted);
    asw__free(info);
}

static void audit(asw_approval_store_t *s, const char *component, const char *id,
                  const char *action, const char *result, const char *reason)
{
    if (!s->audit) return;
    asw_audit_record_t r = {ASW_AUDIT_APPROVAL, component, id, action, result, reason};
    asw_audit_log(s->audit, &r);
}

static bool valid_id(const char *id, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))) return false;
    return true;
}

static void id_path(const asw_approval_store_t *s, const char *id, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s.json", s->dir, id);
}

/* ------------------------------------ JSON <-> info ------------------------------------ */

static char *dup_json_str(json_t *o, const char *key, bool *oom)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v) return NULL;
    char *d = asw__strdup(v);
    if (!d) *oom = true;
    return d;
}

static int str_array(json_t *a, char ***out, size_t *n, bool *oom)
{
    *out = NULL;
    *n = 0;
    if (!a) return 0;
    if (!json_is_array(a)) return -1;
    size_t cnt = json_array_size(a);
    if (!cnt) return 0;
    *out = asw__calloc(cnt, sizeof **out);
    if (!*out) {
        *oom = true;
        return -1;
    }
    for (size_t i = 0; i < cnt; i++) {
        const char *v = json_string_value(json_array_get(a, i));
        if (!v) return -1;
        if (!((*out)[i] = asw__strdup(v))) {
            *oom = true;
            return -1;
        }
        (*n)++;
    }
    return 0;
}

static int load_info(asw_approval_store_t *s, const char *id, asw_approval_info_t **out,
                     asw_error_t *err)
{
    char path[ASW_PATH_MAX];
    id_path(s, id, path, sizeof path);
    uint8_t *buf;
    size_t n;
    *out = NULL;
    if (access(path, F_OK) != 0)
        return asw__errorf(err, ASW_E_NOT_FOUND, "no approval request with id %s", id);
    int rc = asw__read_file(path, 0, &buf, &n, err);
    if (rc) return rc;
    json_error_t je;
    json_t *o = json_loadb((const char *)buf, n, 0, &je);
    asw__free(buf);
    asw_approval_info_t *info = NULL;
    bool oom = false;
    if (!o || !json_is_object(o)) goto corrupt;
    info = asw__calloc(1, sizeof *info);
    if (!info) {
        oom = true;
        goto corrupt;
    }
    snprintf(info->id, sizeof info->id, "%s", id);
    if (state_parse(json_string_value(json_object_get(o, "state")), &info->state)) goto corrupt;
    info->component = dup_json_str(o, "component", &oom);
    info->source = dup_json_str(o, "source", &oom);
    info->approver = dup_json_str(o, "approver", &oom);
    info->reason = dup_json_str(o, "reason", &oom);
    info->created = (int64_t)json_integer_value(json_object_get(o, "created"));
    info->updated = (int64_t)json_integer_value(json_object_get(o, "updated"));
    if (oom || !info->component) goto corrupt;
    if (str_array(json_object_get(o, "requested"), &info->requested, &info->nrequested, &oom) ||
        str_array(json_object_get(o, "granted"), &info->granted, &info->ngranted, &oom))
        goto corrupt;
    json_decref(o);
    *out = info;
    return ASW_OK;
corrupt:
    json_decref(o);
    asw_approval_info_free(info);
    if (oom) return asw__errorf(err, ASW_E_NOMEM, "approval store: out of memory");
    return asw__errorf(err, ASW_E_PARSE, "approval file '%s' is corrupt", path);
}

static json_t *texts_json(char *const *t, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(t[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static int dump_fd(const char *buf, size_t size, void *data)
{
    int fd = *(int *)data;
    while (size) {
        ssize_t w = write(fd, buf, size);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        buf += w;
        size -= (size_t)w;
    }
    return 0;
}

static int save_info(asw_approval_store_t *s, const asw_approval_info_t *info,
                     const char *module_hex, const char *trust, asw_error_t *err)
{
    json_t *o = json_object();
    int rc = ASW_OK;
    if (!o) goto nomem;
    json_t *req = texts_json(info->requested, info->nrequested);
    json_t *gr = texts_json(info->granted, info->ngranted);
    if (!req || !gr || json_object_set_new(o, "requested", req) ||
        json_object_set_new(o, "granted", gr))
        goto nomem;
#define SET(k, v)                                                                                  \
    if ((v) && json_object_set_new(o, k, json_string(v))) goto nomem
    SET("id", info->id);
    SET("state", asw_approval_state_name(info->state));
    SET("component", info->component);
    SET("source", info->source);
    SET("module_sha256", module_hex);
    SET("trust", trust);
    SET("approver", info->approver);
    SET("reason", info->reason);
#undef SET
    if (json_object_set_new(o, "created", json_integer(info->created)) ||
        json_object_set_new(o, "updated", json_integer(info->updated)))
        goto nomem;
    char path[ASW_PATH_MAX], tmp[ASW_PATH_MAX + 8];
    id_path(s, info->id, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = asw__errorf(err, ASW_E_IO, "cannot write '%s': %s", tmp, strerror(errno));
        goto done;
    }
    bool ok = json_dump_callback(o, dump_fd, &fd, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
              write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        rc = asw__errorf(err, ASW_E_IO, "cannot write '%s'", path);
    }
    goto done;
nomem:
    rc = asw__errorf(err, ASW_E_NOMEM, "approval store: out of memory");
done:
    json_decref(o);
    return rc;
}

/* Builds an owned capset from capability texts. */
static int capset_from_texts(char *const *t, size_t n, asw_capset_t **out, asw_error_t *err)
{
    int rc = asw_capset_new(NULL, out, err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = asw_capset_add_text(*out, t[i], err);
    if (rc) {
        asw_capset_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Formats every entry of set as text (owned array of owned strings). */
static int capset_texts(const asw_capset_t *set, char ***out, size_t *n, asw_error_t *err)
{
    size_t cnt = asw_capset_count(set);
    *n = 0;
    *out = cnt ? asw__calloc(cnt, sizeof **out) : NULL;
    if (cnt && !*out) return asw__errorf(err, ASW_E_NOMEM, "approval: out of memory");
    for (size_t i = 0; i < cnt; i++) {
        int len = asw_capset_format(set, i, NULL, 0);
        if (len < 0) return asw__errorf(err, len, "approval: cannot format capability %zu", i);
        char *t = asw__malloc((size_t)len + 1);
        if (!t) return asw__errorf(err, ASW_E_NOMEM, "approval: out of memory");
        asw_capset_format(set, i, t, (size_t)len + 1);
        (*out)[(*n)++] = t;
    }
    return ASW_OK;
}

static void free_texts(char **t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        asw__free(t[i]);
    asw__free(t);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Number of requests pending or under review. */
static int count_open(asw_approval_store_t *s, size_t *out, asw_error_t *err)
{
    *out = 0;
    DIR *d = opendir(s->dir);
    if (!d) return asw__errorf(err, ASW_E_IO, "approval store '%s': %s", s->dir, strerror(errno));
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l != ASW_APPROVAL_ID_LEN + 5 || strcmp(de->d_name + ASW_APPROVAL_ID_LEN, ".json"))
            continue;
        char id[ASW_APPROVAL_ID_LEN + 1];
        memcpy(id, de->d_name, ASW_APPROVAL_ID_LEN);
        id[ASW_APPROVAL_ID_LEN] = '\0';
        asw_approval_info_t *info;
        if (load_info(s, id, &info, NULL) == ASW_OK) {
            if (info->state == ASW_APPROVAL_PENDING || info->state == ASW_APPROVAL_REVIEWING)
                (*out)++;
            asw_approval_info_free(info);
        }
    }
    closedir(d);
    return ASW_OK;
}

ASW_API int asw_approval_submit(asw_approval_store_t *store, const asw_approval_request_t *req,
                                char *out_id, asw_capset_t **out_granted, asw_error_t *out_err)
{
    if (out_granted) *out_granted = NULL;
    if (!store || !req || !req->component || !req->module_sha256 || !req->requested || !out_granted)
        return asw__errorf(out_err, ASW_E_INVALID, "approval: bad request");
    asw_approval_info_t info = {0};
    asw_approval_info_t *stored = NULL;
    char **texts = NULL;
    size_t ntexts = 0;
    int rc = capset_texts(req->requested, &texts, &ntexts, out_err);
    if (rc) goto done;
    if (ntexts) qsort(texts, ntexts, sizeof *texts, cmp_str);

    /* The id: SHA-256 of hash, source and sorted capability texts, NUL-separated. */
    size_t total = 32 + (req->source ? strlen(req->source) : 0) + 1;
    for (size_t i = 0; i < ntexts; i++)
        total += strlen(texts[i]) + 1;
    uint8_t *msg = asw__malloc(total);
    if (!msg) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "approval: out of memory");
        goto done;
    }
    size_t w = 0;
    memcpy(msg, req->module_sha256, 32);
    w = 32;
    if (req->source) {
        memcpy(msg + w, req->source, strlen(req->source));
        w += strlen(req->source);
    }
    msg[w++] = 0;
    for (size_t i = 0; i < ntexts; i++) {
        size_t l = strlen(texts[i]);
        memcpy(msg + w, texts[i], l + 1);
        w += l + 1;
    }
    uint8_t h[32];
    rc = asw_sha256(msg, w, h);
    asw__free(msg);
    if (rc) {
        rc = asw__errorf(out_err, rc, "approval: hashing failed");
        goto done;
    }
    asw_hex_encode(h, 32, info.id);
    if (out_id) memcpy(out_id, info.id, ASW_APPROVAL_ID_LEN + 1);

    if (req->trust == ASW_TRUST_DEV) {
        fprintf(stderr,
                "airssys: WARNING: dev mode: component '%s' runs WITHOUT approval of its "
                "capabilities (never use dev mode in production)\n",
                req->component);
        audit(store, req->component, info.id, "submit", "bypassed", "dev mode: approval bypassed");
        rc = capset_from_texts(texts, ntexts, out_granted, out_err);
        goto done;
    }

    rc = load_info(store, info.id, &stored, out_err);
    if (rc == ASW_OK) {
        switch (stored->state) {
        case ASW_APPROVAL_APPROVED:
            rc = capset_from_texts(stored->granted, stored->ngranted, out_granted, out_err);
            if (!rc)
                audit(store, req->component, info.id, "submit", "approved",
                      "reused a stored approval");
            break;
        case ASW_APPROVAL_DENIED:
            audit(store, req->component, info.id, "submit", "denied", "reused a stored denial");
            rc = asw__errorf(out_err, ASW_E_DENIED, "component '%s' was denied by %s: %s",
                             req->component, stored->approver ? stored->approver : "an approver",
                             stored->reason ? stored->reason : "no reason given");
            break;
        default:
            rc = asw__errorf(out_err, ASW_E_PENDING,
                             "component '%s' is waiting for approval (id %.16s, %s)",
                             req->component, info.id, asw_approval_state_name(stored->state));
        }
        goto done;
    }
    if (rc != ASW_E_NOT_FOUND) goto done;
    asw_error_init(out_err);

    char hex[65];
    asw_hex_encode(req->module_sha256, 32, hex);
    info.component = (char *)req->component;
    info.source = (char *)req->source;
    info.requested = texts;
    info.nrequested = ntexts;
    info.created = info.updated = (int64_t)time(NULL);
    if (req->trust == ASW_TRUST_TRUSTED) {
        info.state = ASW_APPROVAL_APPROVED;
        info.approver = "auto:trusted";
        info.reason = "trusted source";
        info.granted = texts;
        info.ngranted = ntexts;
        rc = save_info(store, &info, hex, "trusted", out_err);
        if (!rc) rc = capset_from_texts(texts, ntexts, out_granted, out_err);
        if (!rc)
            audit(store, req->component, info.id, "submit", "approved",
                  "trusted source: approved automatically");
        goto done;
    }
    size_t open_count;
    rc = count_open(store, &open_count, out_err);
    if (rc) goto done;
    if (open_count >= store->max_pending) {
        audit(store, req->component, info.id, "submit", "rejected", "review queue is full");
        rc = asw__errorf(out_err, ASW_E_FULL,
                         "review queue is full (%zu requests waiting); review some first",
                         open_count);
        goto done;
    }
    info.state = ASW_APPROVAL_PENDING;
    rc = save_info(store, &info, hex, "unknown", out_err);
    if (rc) goto done;
    audit(store, req->component, info.id, "submit", "pending", "unknown source: needs review");
    rc = asw__errorf(out_err, ASW_E_PENDING,
                     "component '%s' is waiting for approval: run 'airssys approvals show %.16s'",
                     req->component, info.id);
done:
    asw_approval_info_free(stored);
    free_texts(texts, ntexts);
    return rc;
}

/* Resolves a full id or a unique prefix of at least 8 hex digits into out. */
static int resolve_id(asw_approval_store_t *s, const char *id, char out[ASW_APPROVAL_ID_LEN + 1],
                      asw_error_t *err)
{
    size_t n = id ? strlen(id) : 0;
    if (n < 8 || n > ASW_APPROVAL_ID_LEN || !valid_id(id, n))
        return asw__errorf(err, ASW_E_INVALID,
                           "approval id '%s': expected 8 to 64 lower-case hex digits",
                           id ? id : "");
    if (n == ASW_APPROVAL_ID_LEN) {
        memcpy(out, id, n + 1);
        return ASW_OK;
    }
    DIR *d = opendir(s->dir);
    if (!d) return asw__errorf(err, ASW_E_IO, "approval store '%s': %s", s->dir, strerror(errno));
    int found = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strlen(de->d_name) != ASW_APPROVAL_ID_LEN + 5 ||
            strcmp(de->d_name + ASW_APPROVAL_ID_LEN, ".json") || strncmp(de->d_name, id, n))
            continue;
        if (found++) break;
        memcpy(out, de->d_name, ASW_APPROVAL_ID_LEN);
        out[ASW_APPROVAL_ID_LEN] = '\0';
    }
    closedir(d);
    if (found == 0) return asw__errorf(err, ASW_E_NOT_FOUND, "no approval request with id %s", id);
    if (found > 1) return asw__errorf(err, ASW_E_INVALID, "approval id '%s' is ambiguous", id);
    return ASW_OK;
}

ASW_API int asw_approval_get(asw_approval_store_t *store, const char *id,
                             asw_approval_info_t **out_info, asw_error_t *out_err)
{
    if (!store || !out_info) return asw__errorf(out_err, ASW_E_INVALID, "approval: NULL");
    *out_info = NULL;
    char full[ASW_APPROVAL_ID_LEN + 1];
    int rc = resolve_id(store, id, full, out_err);
    return rc ? rc : load_info(store, full, out_info, out_err);
}

ASW_API int asw_approval_list(asw_approval_store_t *store, asw_approval_list_fn fn, void *ud,
                              asw_error_t *out_err)
{
    if (!store || !fn) return asw__errorf(out_err, ASW_E_INVALID, "approval list: NULL");
    DIR *d = opendir(store->dir);
    if (!d)
        return asw__errorf(out_err, ASW_E_IO, "approval store '%s': %s", store->dir,
                           strerror(errno));
    char **ids = NULL;
    size_t n = 0, cap = 0;
    int rc = ASW_OK;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strlen(de->d_name) != ASW_APPROVAL_ID_LEN + 5 ||
            strcmp(de->d_name + ASW_APPROVAL_ID_LEN, ".json") ||
            !valid_id(de->d_name, ASW_APPROVAL_ID_LEN))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **ni = asw__reallocarray(ids, nc, sizeof *ni);
            if (!ni) {
                rc = asw__errorf(out_err, ASW_E_NOMEM, "approval list: out of memory");
                break;
            }
            ids = ni;
            cap = nc;
        }
        if (!(ids[n] = asw__strndup(de->d_name, ASW_APPROVAL_ID_LEN))) {
            rc = asw__errorf(out_err, ASW_E_NOMEM, "approval list: out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (!rc && n) qsort(ids, n, sizeof *ids, cmp_str);
    for (size_t i = 0; !rc && i < n; i++) {
        asw_approval_info_t *info;
        int lrc = load_info(store, ids[i], &info, out_err);
        if (lrc == ASW_E_NOMEM) rc = lrc;
        if (lrc) continue; /* a corrupt or vanished file is skipped */
        int stop = fn(ud, info);
        asw_approval_info_free(info);
        if (stop) break;
    }
    free_texts(ids, n);
    return rc;
}

/* Loads id, checks the state allows the transition, applies it and saves. */
static int transition(asw_approval_store_t *s, const char *id, asw_approval_state_t to,
                      const char *who, const char *reason, const asw_capset_t *grant,
                      asw_error_t *err)
{
    if (!s || !who || !*who) return asw__errorf(err, ASW_E_INVALID, "approval: who is required");
    asw_approval_info_t *info = NULL;
    asw_capset_t *requested = NULL;
    char **gtexts = NULL;
    size_t ng = 0;
    int rc = asw_approval_get(s, id, &info, err);
    if (rc) return rc;
    bool open = info->state == ASW_APPROVAL_PENDING || info->state == ASW_APPROVAL_REVIEWING;
    if (!open || (to == ASW_APPROVAL_REVIEWING && info->state != ASW_APPROVAL_PENDING)) {
        rc = asw__errorf(err, ASW_E_STATE, "request %.16s is %s: cannot move it to %s", info->id,
                         asw_approval_state_name(info->state), asw_approval_state_name(to));
        goto done;
    }
    if (to == ASW_APPROVAL_APPROVED) {
        rc = capset_from_texts(info->requested, info->nrequested, &requested, err);
        if (rc) goto done;
        const asw_capset_t *g = grant ? grant : requested;
        if (!asw_capset_is_subset(g, requested)) {
            audit(s, info->component, info->id, "approve", "rejected",
                  "capability inflation: grant exceeds the request");
            rc = asw__errorf(err, ASW_E_DENIED,
                             "capability inflation: the grant includes capabilities that were "
                             "not requested (or drops a requested deny entry)");
            goto done;
        }
        rc = capset_texts(g, &gtexts, &ng, err);
        if (rc) goto done;
        for (size_t i = 0; i < info->ngranted; i++)
            asw__free(info->granted[i]);
        asw__free(info->granted);
        info->granted = gtexts;
        info->ngranted = ng;
        gtexts = NULL;
        ng = 0;
    }
    char *nw = asw__strdup(who), *nr = reason ? asw__strdup(reason) : NULL;
    if (!nw || (reason && !nr)) {
        asw__free(nw);
        asw__free(nr);
        rc = asw__errorf(err, ASW_E_NOMEM, "approval: out of memory");
        goto done;
    }
    asw__free(info->approver);
    asw__free(info->reason);
    info->approver = nw;
    info->reason = nr;
    info->state = to;
    info->updated = (int64_t)time(NULL);
    /* module_sha256 and trust are kept from the file: re-read them. */
    {
        char path[ASW_PATH_MAX];
        id_path(s, info->id, path, sizeof path);
        json_error_t je;
        json_t *o = json_load_file(path, 0, &je);
        const char *mh = o ? json_string_value(json_object_get(o, "module_sha256")) : NULL;
        const char *tr = o ? json_string_value(json_object_get(o, "trust")) : NULL;
        rc = save_info(s, info, mh, tr, err);
        json_decref(o);
    }
    if (!rc)
        audit(s, info->component, info->id,
              to == ASW_APPROVAL_REVIEWING  ? "review"
              : to == ASW_APPROVAL_APPROVED ? "approve"
                                            : "deny",
              asw_approval_state_name(to), reason ? reason : who);
done:
    free_texts(gtexts, ng);
    asw_capset_free(requested);
    asw_approval_info_free(info);
    return rc;
}

ASW_API int asw_approval_review(asw_approval_store_t *store, const char *id, const char *reviewer,
                                asw_error_t *out_err)
{
    return transition(store, id, ASW_APPROVAL_REVIEWING, reviewer, NULL, NULL, out_err);
}

ASW_API int asw_approval_approve(asw_approval_store_t *store, const char *id, const char *approver,
                                 const asw_capset_t *grant, asw_error_t *out_err)
{
    return transition(store, id, ASW_APPROVAL_APPROVED, approver, NULL, grant, out_err);
}

ASW_API int asw_approval_deny(asw_approval_store_t *store, const char *id, const char *approver,
                              const char *reason, asw_error_t *out_err)
{
    return transition(store, id, ASW_APPROVAL_DENIED, approver, reason, NULL, out_err);
}
