/*
 * src/security/manager.c -- the security manager: registered components, each with its compiled
 * capabilities and quota counters, and the checks that decide and audit in one call.
 *
 * Design. Contexts live in a hash table of chained buckets (FNV-1a of the id, kept in the
 * context) that doubles when it holds more contexts than buckets, so lookups stay O(1) at any
 * number of components; it is guarded by a read-write lock: registration takes the write
 * lock, lookups the read lock. A context is
 * immutable after registration apart from its atomic quota counters, so asw_sec_check on a
 * context needs no lock; the caller keeps the context alive (it is freed only by
 * asw_sec_unregister). Every capability decision and every quota violation is sent to the
 * audit log when one is attached.
 *
 * Invariants: ids are unique; a context's capset is never modified after registration.
 * Not done: live updates of a registered component's capabilities (unregister and register).
 */
#include "security/sec_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MIN_BUCKETS 64

struct asw_sec_ctx {
    struct asw_sec_ctx *next;
    uint32_t hash; /* FNV-1a of id */
    asw_sec_t *sec;
    asw_capset_t *caps;
    asw_quota_t quota;
    char *id;
};

struct asw_sec {
    pthread_rwlock_t lock;
    asw_audit_t *audit;
    asw_sec_ctx_t **bucket; /* nbuckets heads, a power of two */
    size_t nbuckets, count;
};

static uint32_t hash(const char *s)
{
    return asw__fnv1a(ASW__FNV_BASIS, s, strlen(s));
}

/* Doubles the bucket array (caller holds the write lock); on no memory the table stays as it
 * is (longer chains, still correct). */
static void grow(asw_sec_t *sec)
{
    size_t n = sec->nbuckets * 2;
    asw_sec_ctx_t **nb = asw__calloc(n, sizeof *nb);
    if (!nb) return;
    for (size_t b = 0; b < sec->nbuckets; b++)
        for (asw_sec_ctx_t *c = sec->bucket[b], *next; c; c = next) {
            next = c->next;
            c->next = nb[c->hash & (n - 1)];
            nb[c->hash & (n - 1)] = c;
        }
    asw__free(sec->bucket);
    sec->bucket = nb;
    sec->nbuckets = n;
}

ASW_API int asw_sec_new(asw_audit_t *audit, asw_sec_t **out_sec, asw_error_t *out_err)
{
    if (!out_sec) return asw__errorf(out_err, ASW_E_INVALID, "sec: NULL out_sec");
    asw_sec_t *s = asw__calloc(1, sizeof *s);
    if (!s) return asw__errorf(out_err, ASW_E_NOMEM, "sec: out of memory");
    s->nbuckets = MIN_BUCKETS;
    if (!(s->bucket = asw__calloc(MIN_BUCKETS, sizeof *s->bucket))) {
        asw__free(s);
        return asw__errorf(out_err, ASW_E_NOMEM, "sec: out of memory");
    }
    if (pthread_rwlock_init(&s->lock, NULL)) {
        asw__free(s->bucket);
        asw__free(s);
        return asw__errorf(out_err, ASW_E_NOMEM, "sec: cannot create a lock");
    }
    s->audit = audit;
    *out_sec = s;
    return ASW_OK;
}

static void ctx_free(asw_sec_ctx_t *c)
{
    asw_capset_free(c->caps);
    asw__free(c->id);
    asw__free(c);
}

ASW_API void asw_sec_free(asw_sec_t *sec)
{
    if (!sec) return;
    for (size_t b = 0; b < sec->nbuckets; b++)
        for (asw_sec_ctx_t *c = sec->bucket[b], *n; c; c = n) {
            n = c->next;
            ctx_free(c);
        }
    asw__free(sec->bucket);
    pthread_rwlock_destroy(&sec->lock);
    asw__free(sec);
}

static asw_sec_ctx_t *find(asw_sec_t *sec, const char *id, uint32_t h)
{
    for (asw_sec_ctx_t *c = sec->bucket[h & (sec->nbuckets - 1)]; c; c = c->next)
        if (c->hash == h && !strcmp(c->id, id)) return c;
    return NULL;
}

ASW_API int asw_sec_register(asw_sec_t *sec, const char *id, asw_capset_t *caps,
                             const asw_quota_limits_t *limits, asw_sec_ctx_t **out_ctx,
                             asw_error_t *out_err)
{
    if (out_ctx) *out_ctx = NULL;
    if (!sec || !id || !*id || !caps)
        return asw__errorf(out_err, ASW_E_INVALID, "sec register: bad argument");
    asw_sec_ctx_t *c = asw__calloc(1, sizeof *c);
    if (!c || !(c->id = asw__strdup(id))) {
        asw__free(c);
        return asw__errorf(out_err, ASW_E_NOMEM, "sec register: out of memory");
    }
    int rc = asw__quota_init(&c->quota, limits, out_err);
    if (rc) {
        asw__free(c->id);
        asw__free(c);
        return rc;
    }
    c->sec = sec;
    c->hash = hash(id);
    pthread_rwlock_wrlock(&sec->lock);
    if (find(sec, id, c->hash)) {
        pthread_rwlock_unlock(&sec->lock);
        asw__free(c->id);
        asw__free(c);
        return asw__errorf(out_err, ASW_E_EXISTS, "component '%s' is already registered", id);
    }
    c->caps = caps; /* ownership moves only on success */
    if (sec->count >= sec->nbuckets) grow(sec);
    size_t b = c->hash & (sec->nbuckets - 1);
    c->next = sec->bucket[b];
    sec->bucket[b] = c;
    sec->count++;
    pthread_rwlock_unlock(&sec->lock);
    if (out_ctx) *out_ctx = c;
    return ASW_OK;
}

ASW_API int asw_sec_unregister(asw_sec_t *sec, const char *id)
{
    if (!sec || !id) return ASW_E_INVALID;
    uint32_t h = hash(id);
    pthread_rwlock_wrlock(&sec->lock);
    for (asw_sec_ctx_t **pp = &sec->bucket[h & (sec->nbuckets - 1)]; *pp; pp = &(*pp)->next)
        if ((*pp)->hash == h && !strcmp((*pp)->id, id)) {
            asw_sec_ctx_t *c = *pp;
            *pp = c->next;
            sec->count--;
            pthread_rwlock_unlock(&sec->lock);
            ctx_free(c);
            return ASW_OK;
        }
    pthread_rwlock_unlock(&sec->lock);
    return ASW_E_NOT_FOUND;
}

ASW_API asw_sec_ctx_t *asw_sec_lookup(asw_sec_t *sec, const char *id)
{
    if (!sec || !id) return NULL;
    pthread_rwlock_rdlock(&sec->lock);
    asw_sec_ctx_t *c = find(sec, id, hash(id));
    pthread_rwlock_unlock(&sec->lock);
    return c;
}

static void audit_decision(asw_audit_t *a, const char *component, const char *resource,
                           uint32_t perm, int rc, const asw_cap_decision_t *d)
{
    asw_audit_record_t r = {ASW_AUDIT_CAPABILITY,
                            component,
                            resource,
                            asw_cap_perm_name(perm),
                            rc == ASW_OK ? "granted" : "denied",
                            d->reason};
    asw_audit_log(a, &r);
}

ASW_API int asw_sec_check(asw_sec_ctx_t *ctx, asw_cap_kind_t kind, const char *resource,
                          uint32_t perm, asw_cap_decision_t *out)
{
    asw_cap_decision_t d;
    if (!ctx) return ASW_E_INVALID;
    int rc = asw_capset_check(ctx->caps, kind, resource, perm, &d);
    if (ctx->sec->audit) audit_decision(ctx->sec->audit, ctx->id, resource, perm, rc, &d);
    if (out) *out = d;
    return rc;
}

ASW_API int asw_sec_check_id(asw_sec_t *sec, const char *id, asw_cap_kind_t kind,
                             const char *resource, uint32_t perm, asw_cap_decision_t *out)
{
    if (!sec || !id) return ASW_E_INVALID;
    pthread_rwlock_rdlock(&sec->lock);
    asw_sec_ctx_t *c = find(sec, id, hash(id));
    int rc;
    if (c) {
        rc = asw_sec_check(c, kind, resource, perm, out);
    } else {
        asw_cap_decision_t d = {false, "component is not registered", NULL};
        rc = ASW_E_DENIED;
        if (sec->audit) audit_decision(sec->audit, id, resource, perm, rc, &d);
        if (out) *out = d;
    }
    pthread_rwlock_unlock(&sec->lock);
    return rc;
}

ASW_API int asw_sec_consume(asw_sec_ctx_t *ctx, asw_quota_kind_t kind, uint64_t amount,
                            uint64_t now_ns, asw_quota_violation_t *out)
{
    if (!ctx) return ASW_E_INVALID;
    asw_quota_violation_t v;
    int rc = asw_quota_consume(&ctx->quota, kind, amount, now_ns, &v);
    if (rc == ASW_E_QUOTA) {
        if (ctx->sec->audit) {
            char reason[160];
            snprintf(reason, sizeof reason, "current %llu + requested %llu > limit %llu",
                     (unsigned long long)v.current, (unsigned long long)v.requested,
                     (unsigned long long)v.limit);
            asw_audit_record_t r = {ASW_AUDIT_QUOTA, ctx->id,    asw_quota_kind_name(kind),
                                    "consume",       "exceeded", reason};
            asw_audit_log(ctx->sec->audit, &r);
        }
        if (out) *out = v;
    }
    return rc;
}

ASW_API const asw_capset_t *asw_sec_caps(const asw_sec_ctx_t *ctx)
{
    return ctx ? ctx->caps : NULL;
}

ASW_API asw_quota_t *asw_sec_quota(asw_sec_ctx_t *ctx)
{
    return ctx ? &ctx->quota : NULL;
}

ASW_API const char *asw_sec_id(const asw_sec_ctx_t *ctx)
{
    return ctx ? ctx->id : NULL;
}

ASW_API size_t asw_sec_context_bytes(const asw_sec_ctx_t *ctx)
{
    if (!ctx) return 0;
    return sizeof *ctx + strlen(ctx->id) + 1 + ctx->caps->bytes;
}
