/*
 * src/host/hostfn_storage.c -- the storage host functions of a component (module "airssys";
 * signatures in docs/host-abi.md), over the component store of airssys/storage.h.
 *
 * Design. A component's namespace is its name, so its data survives restarts of its actor and
 * of the host. The handle is opened on the first storage call with the manifest's storage
 * quota ([quota] storage) and kept by the component. Every call first checks the storage
 * capability on the resource "component:<name>:<key>" (so a manifest grants
 * "component:{self}:*", or a narrower prefix) with asw_sec_check, which audits the decision;
 * reads (get, exists, list, usage) need read, set needs write, delete needs delete. The byte
 * quota is enforced by the store itself, persistently (it counts across restarts); a refused
 * write is audited here as a quota record. Keys are 1..256 bytes without NUL; the resource
 * buffer holds the longest component id the store accepts (ASW_STORAGE_NS_MAX) with the
 * longest key.
 *
 * Not done here: the store (storage.c), cross-component access (a capability naming another
 * component's prefix is still confined to this component's namespace: keys never leave it).
 */
#include "host/host_int.h"

#include <stdio.h>
#include <string.h>

typedef asw_val_t val;

static uint32_t U32(const val *a, size_t i)
{
    return (uint32_t)a[i].of.i32;
}

/* The component's namespace handle, opened on first use. */
static int get_ns(asw_component_t *c, asw_storage_ns_t **out)
{
    asw_storage_ns_t *ns = atomic_load_explicit(&c->ns, memory_order_acquire);
    if (ns) {
        *out = ns;
        return ASW_OK;
    }
    if (!c->host->storage) return ASW_E_UNSUPPORTED;
    int rc = ASW_OK;
    pthread_mutex_lock(&c->mu);
    ns = atomic_load_explicit(&c->ns, memory_order_acquire);
    if (!ns) {
        rc = asw_storage_ns_open(c->host->storage, c->name,
                                 c->manifest->quota.limit[ASW_QUOTA_STORAGE], &ns, NULL);
        if (!rc) atomic_store_explicit(&c->ns, ns, memory_order_release);
    }
    pthread_mutex_unlock(&c->mu);
    *out = ns;
    return rc;
}

int asw__storage_resource(const char *name, const uint8_t *key, uint32_t klen, char *out,
                          size_t cap)
{
    static const char pre[] = "component:";
    size_t nl = strnlen(name, ASW_STORAGE_NS_MAX + 1);
    if (nl > ASW_STORAGE_NS_MAX || klen > ASW_STORAGE_KEY_MAX ||
        cap < sizeof pre + nl + 1 + klen) /* sizeof pre counts the NUL */
        return ASW_E_INVALID;
    char *p = out;
    memcpy(p, pre, sizeof pre - 1);
    p += sizeof pre - 1;
    memcpy(p, name, nl);
    p += nl;
    *p++ = ':';
    if (klen) memcpy(p, key, klen);
    p[klen] = 0;
    return ASW_OK;
}

/* Reads a key from the guest, checks the capability, returns the namespace. */
static int prologue(asw_caller_t *caller, uint32_t kptr, uint32_t klen, uint32_t perm,
                    bool allow_empty, uint8_t **out_key, asw_storage_ns_t **out_ns)
{
    asw__inst_t *in = asw__host_inst(caller);
    asw_component_t *c = in->comp;
    uint8_t *key;
    if ((!allow_empty && klen == 0) || klen > ASW_STORAGE_KEY_MAX ||
        asw__host_guest_span(caller, kptr, klen, &key) || memchr(key, 0, klen))
        return ASW_E_INVALID;
    char res[ASW__STORAGE_RES_CAP];
    if (asw__storage_resource(c->name, key, klen, res, sizeof res)) return ASW_E_INVALID;
    asw_cap_decision_t d;
    if (asw_sec_check(c->sec, ASW_CAP_STORAGE, res, perm, &d) != ASW_OK) {
        asw__host_count_denied(c);
        return ASW_E_DENIED;
    }
    *out_key = key;
    return get_ns(c, out_ns);
}

/* storage-get(key, klen, buf, cap, len_ptr) -> bytes copied | error. *len_ptr receives the
 * value's full length (also with ASW_E_OVERFLOW when cap is too small). */
static int hf_get(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                  size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    uint8_t *key, *buf, *lp = NULL; /* lp: set only once the spans are checked */
    asw_storage_ns_t *ns;
    uint32_t klen = U32(args, 1), cap = U32(args, 3);
    int rc = prologue(caller, U32(args, 0), klen, ASW_PERM_READ, false, &key, &ns);
    if (!rc && (asw__host_guest_span(caller, U32(args, 2), cap, &buf) ||
                asw__host_guest_span(caller, U32(args, 4), 4, &lp)))
        rc = ASW_E_INVALID;
    size_t len = 0;
    if (!rc) rc = asw_storage_get(ns, key, klen, buf, cap, &len, NULL);
    if (lp && (!rc || rc == ASW_E_OVERFLOW)) {
        uint32_t l32 = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
        memcpy(lp, &l32, 4);
    }
    res[0] = asw_val_i32(rc ? rc : (int32_t)len);
    return ASW_OK;
}

/* storage-set(key, klen, value, vlen) -> 0 | error */
static int hf_set(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                  size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    uint8_t *key, *v;
    asw_storage_ns_t *ns;
    uint32_t klen = U32(args, 1), vlen = U32(args, 3);
    int rc = prologue(caller, U32(args, 0), klen, ASW_PERM_WRITE, false, &key, &ns);
    if (!rc && asw__host_guest_span(caller, U32(args, 2), vlen, &v)) rc = ASW_E_INVALID;
    asw_quota_violation_t qv = {0};
    if (!rc) rc = asw_storage_set(ns, key, klen, v, vlen, &qv, NULL);
    if (rc == ASW_E_QUOTA) {
        asw__inst_t *in = asw__host_inst(caller);
        asw__host_count_denied(in->comp);
        if (in->comp->host->audit) {
            char why[128];
            snprintf(why, sizeof why, "storage quota: %llu bytes used + %llu requested > %llu",
                     (unsigned long long)qv.current, (unsigned long long)qv.requested,
                     (unsigned long long)qv.limit);
            asw_audit_record_t r = {ASW_AUDIT_QUOTA, in->comp->name, "storage",
                                    "write",         "exceeded",     why};
            (void)asw_audit_log(in->comp->host->audit, &r);
        }
    }
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

/* storage-delete(key, klen) -> 0 | error */
static int hf_delete(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                     size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    uint8_t *key;
    asw_storage_ns_t *ns;
    uint32_t klen = U32(args, 1);
    int rc = prologue(caller, U32(args, 0), klen, ASW_PERM_DELETE, false, &key, &ns);
    if (!rc) rc = asw_storage_delete(ns, key, klen, NULL);
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

/* storage-exists(key, klen) -> 1 | 0 | error */
static int hf_exists(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                     size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    uint8_t *key;
    asw_storage_ns_t *ns;
    uint32_t klen = U32(args, 1);
    bool ex = false;
    int rc = prologue(caller, U32(args, 0), klen, ASW_PERM_READ, false, &key, &ns);
    if (!rc) rc = asw_storage_exists(ns, key, klen, &ex, NULL);
    res[0] = asw_val_i32(rc ? rc : ex);
    return ASW_OK;
}

typedef struct list_ctx {
    uint8_t *buf;
    uint32_t cap, used;
    int32_t count;
} list_ctx_t;

static int list_one(void *ud, const void *key, size_t klen)
{
    list_ctx_t *l = ud;
    if ((uint64_t)l->used + 4 + klen > l->cap) return 1; /* full: stop */
    uint32_t k32 = (uint32_t)klen;
    memcpy(l->buf + l->used, &k32, 4);
    memcpy(l->buf + l->used + 4, key, klen);
    l->used += 4 + (uint32_t)klen;
    l->count++;
    return 0;
}

/* storage-list(prefix, plen, after, alen, buf, cap, len_ptr) -> keys written | error.
 * Writes whole entries [u32 LE length][key bytes] in byte order of the keys that start with
 * prefix and sort after `after` (alen 0: from the first); *len_ptr receives the bytes used.
 * To page, call again with the last key as `after` until it returns 0. */
static int hf_list(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                   size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    uint8_t *prefix, *after, *lp;
    asw_storage_ns_t *ns;
    uint32_t plen = U32(args, 1), alen = U32(args, 3);
    list_ctx_t l = {0};
    l.cap = U32(args, 5);
    int rc = prologue(caller, U32(args, 0), plen, ASW_PERM_READ, true, &prefix, &ns);
    if (!rc &&
        (alen > ASW_STORAGE_KEY_MAX || asw__host_guest_span(caller, U32(args, 2), alen, &after) ||
         asw__host_guest_span(caller, U32(args, 4), l.cap, &l.buf) ||
         asw__host_guest_span(caller, U32(args, 6), 4, &lp)))
        rc = ASW_E_INVALID;
    if (!rc) {
        /* The callback writes into guest memory: copy prefix/after first (they may overlap). */
        uint8_t pcopy[ASW_STORAGE_KEY_MAX], acopy[ASW_STORAGE_KEY_MAX];
        memcpy(pcopy, prefix, plen);
        memcpy(acopy, after, alen);
        rc = asw_storage_list(ns, pcopy, plen, alen ? acopy : NULL, alen, 0, list_one, &l, NULL,
                              NULL, NULL);
        if (!rc) memcpy(lp, &l.used, 4);
    }
    res[0] = asw_val_i32(rc ? rc : l.count);
    return ASW_OK;
}

/* storage-usage(out) -> 0 | error: writes u64 bytes, u64 quota (0: none), u64 keys. */
static int hf_usage(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                    size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    uint8_t *out, *key;
    asw_storage_ns_t *ns;
    int rc = prologue(caller, 0, 0, ASW_PERM_READ, true, &key, &ns);
    if (!rc && asw__host_guest_span(caller, U32(args, 0), 24, &out)) rc = ASW_E_INVALID;
    asw_storage_usage_t u = {0};
    if (!rc) rc = asw_storage_usage(ns, &u, NULL);
    if (!rc) {
        uint64_t v[3] = {u.bytes, u.quota, u.keys};
        memcpy(out, v, sizeof v);
    }
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

int asw__hostfn_storage_define(asw_imports_t *imp, asw_host_t *host, asw_error_t *out_err)
{
    static const uint8_t I[8] = {ASW_I32, ASW_I32, ASW_I32, ASW_I32,
                                 ASW_I32, ASW_I32, ASW_I32, ASW_I32};
    static const struct {
        const char *name;
        asw_host_fn fn;
        uint32_t np;
    } defs[] = {
        {"storage-get", hf_get, 5},       {"storage-set", hf_set, 4},
        {"storage-delete", hf_delete, 2}, {"storage-exists", hf_exists, 2},
        {"storage-list", hf_list, 7},     {"storage-usage", hf_usage, 1},
    };
    for (size_t i = 0; i < ASW_ARRAY_LEN(defs); i++) {
        asw_functype_t ft = {defs[i].np, 1, I, I};
        int rc = asw_imports_define_func(imp, ASW__HOST_MODULE, defs[i].name, &ft, defs[i].fn, host,
                                         out_err);
        if (rc) return rc;
    }
    return ASW_OK;
}
