/*
 * src/security/quota.c -- per-component quotas: cumulative storage and memory bytes, and
 * per-second message, network-byte and CPU-millisecond rates.
 *
 * Design. Each kind is one 64-bit atomic word updated with a compare-and-swap loop, so checks
 * and updates are lock-free and never allocate. A cumulative kind holds the bytes in use. A
 * per-second kind packs the second it counts (upper 24 bits of now_ns / 1e9) with the amount
 * used in that second (lower 40 bits): a request in a new second sees the old second in the
 * word and starts from zero, and one CAS moves both fields, so no reset races with a consume.
 * Limits of rate kinds are capped at ASW_QUOTA_RATE_MAX so the 40-bit field cannot overflow.
 *
 * Overflow: a request fits when `amount <= limit - used` (used <= limit is an invariant), which
 * cannot overflow for any amount up to UINT64_MAX; unlimited counters saturate instead of
 * wrapping. Usage levels compare against limit - limit/5 (80 %) and limit - limit/20 (95 %),
 * again without multiplying.
 *
 * Invariants: pure (no OS headers); for a limited kind the stored usage never exceeds the limit.
 * Not here: the clock (callers pass now_ns; asw_quota_now_ns lives in audit.c).
 */
#include "security/sec_int.h"

#include <string.h>

static bool is_rate(asw_quota_kind_t k)
{
    return k == ASW_QUOTA_MESSAGES || k == ASW_QUOTA_NET_BYTES || k == ASW_QUOTA_CPU_MS;
}

static uint64_t second_of(uint64_t now_ns)
{
    return (now_ns / UINT64_C(1000000000)) & ((UINT64_C(1) << (64 - ASW__QUOTA_USED_BITS)) - 1);
}

/* The amount in use that word stands for at now_ns. */
static uint64_t used_of(asw_quota_kind_t k, uint64_t word, uint64_t now_ns)
{
    if (!is_rate(k)) return word;
    if ((word >> ASW__QUOTA_USED_BITS) != second_of(now_ns)) return 0;
    return word & ASW__QUOTA_USED_MASK;
}

int asw__quota_init(asw_quota_t *q, const asw_quota_limits_t *limits, asw_error_t *err)
{
    for (int k = 0; k < ASW_QUOTA_KINDS; k++) {
        uint64_t l = limits ? limits->limit[k] : 0;
        if (is_rate((asw_quota_kind_t)k) && l > ASW_QUOTA_RATE_MAX)
            return asw__errorf(
                err, ASW_E_INVALID, "quota %s: a per-second limit must be at most %llu",
                asw_quota_kind_name((asw_quota_kind_t)k), (unsigned long long)ASW_QUOTA_RATE_MAX);
        q->limit[k] = l;
        atomic_init(&q->word[k], 0);
    }
    return ASW_OK;
}

ASW_API int asw_quota_new(const asw_quota_limits_t *limits, asw_quota_t **out_q,
                          asw_error_t *out_err)
{
    if (!out_q) return asw__errorf(out_err, ASW_E_INVALID, "quota: NULL out_q");
    *out_q = NULL;
    asw_quota_t *q = asw__malloc(sizeof *q);
    if (!q) return asw__errorf(out_err, ASW_E_NOMEM, "quota: out of memory");
    int rc = asw__quota_init(q, limits, out_err);
    if (rc) {
        asw__free(q);
        return rc;
    }
    *out_q = q;
    return ASW_OK;
}

ASW_API void asw_quota_free(asw_quota_t *q)
{
    asw__free(q);
}

static int violation(asw_quota_violation_t *out, asw_quota_kind_t k, uint64_t cur, uint64_t req,
                     uint64_t limit)
{
    if (out) {
        out->kind = k;
        out->current = cur;
        out->requested = req;
        out->limit = limit;
    }
    return ASW_E_QUOTA;
}

static bool fits(uint64_t used, uint64_t amount, uint64_t limit)
{
    return !limit || amount <= limit - used;
}

ASW_API int asw_quota_check(const asw_quota_t *q, asw_quota_kind_t kind, uint64_t amount,
                            uint64_t now_ns, asw_quota_violation_t *out)
{
    if (!q || (unsigned)kind >= ASW_QUOTA_KINDS) return ASW_E_INVALID;
    uint64_t limit = q->limit[kind];
    uint64_t used =
        used_of(kind, atomic_load_explicit(&q->word[kind], memory_order_relaxed), now_ns);
    if (fits(used, amount, limit)) return ASW_OK;
    return violation(out, kind, used, amount, limit);
}

ASW_API int asw_quota_consume(asw_quota_t *q, asw_quota_kind_t kind, uint64_t amount,
                              uint64_t now_ns, asw_quota_violation_t *out)
{
    if (!q || (unsigned)kind >= ASW_QUOTA_KINDS) return ASW_E_INVALID;
    uint64_t limit = q->limit[kind];
    _Atomic uint64_t *w = &q->word[kind];
    uint64_t cur = atomic_load_explicit(w, memory_order_relaxed);
    if (!is_rate(kind)) {
        for (;;) {
            if (!fits(cur, amount, limit)) return violation(out, kind, cur, amount, limit);
            uint64_t next = amount > UINT64_MAX - cur ? UINT64_MAX : cur + amount;
            if (atomic_compare_exchange_weak_explicit(w, &cur, next, memory_order_relaxed,
                                                      memory_order_relaxed))
                return ASW_OK;
        }
    }
    uint64_t sec = second_of(now_ns);
    for (;;) {
        uint64_t used = (cur >> ASW__QUOTA_USED_BITS) == sec ? cur & ASW__QUOTA_USED_MASK : 0;
        if (!fits(used, amount, limit)) return violation(out, kind, used, amount, limit);
        uint64_t room = ASW__QUOTA_USED_MASK - used; /* unlimited: saturate the 40-bit field */
        uint64_t next =
            sec << ASW__QUOTA_USED_BITS | (amount > room ? ASW__QUOTA_USED_MASK : used + amount);
        if (atomic_compare_exchange_weak_explicit(w, &cur, next, memory_order_relaxed,
                                                  memory_order_relaxed))
            return ASW_OK;
    }
}

ASW_API void asw_quota_release(asw_quota_t *q, asw_quota_kind_t kind, uint64_t amount)
{
    if (!q || (unsigned)kind >= ASW_QUOTA_KINDS || is_rate(kind)) return;
    _Atomic uint64_t *w = &q->word[kind];
    uint64_t cur = atomic_load_explicit(w, memory_order_relaxed);
    for (;;) {
        uint64_t next = amount > cur ? 0 : cur - amount;
        if (atomic_compare_exchange_weak_explicit(w, &cur, next, memory_order_relaxed,
                                                  memory_order_relaxed))
            return;
    }
}

ASW_API void asw_quota_usage(const asw_quota_t *q, asw_quota_kind_t kind, uint64_t now_ns,
                             asw_quota_usage_t *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!q || (unsigned)kind >= ASW_QUOTA_KINDS) return;
    uint64_t limit = q->limit[kind];
    uint64_t used =
        used_of(kind, atomic_load_explicit(&q->word[kind], memory_order_relaxed), now_ns);
    out->used = used;
    out->limit = limit;
    if (!limit)
        out->level = ASW_QUOTA_OK;
    else if (used >= limit)
        out->level = ASW_QUOTA_EXCEEDED;
    else if (used >= limit - limit / 20)
        out->level = ASW_QUOTA_CRITICAL;
    else if (used >= limit - limit / 5)
        out->level = ASW_QUOTA_WARNING;
    else
        out->level = ASW_QUOTA_OK;
}

ASW_API const char *asw_quota_kind_name(asw_quota_kind_t kind)
{
    switch (kind) {
    case ASW_QUOTA_STORAGE: return "storage";
    case ASW_QUOTA_MESSAGES: return "messages";
    case ASW_QUOTA_NET_BYTES: return "network";
    case ASW_QUOTA_CPU_MS: return "cpu";
    case ASW_QUOTA_MEMORY: return "memory";
    case ASW_QUOTA_KINDS: break;
    }
    return "?";
}

ASW_API const char *asw_quota_level_name(asw_quota_level_t level)
{
    switch (level) {
    case ASW_QUOTA_OK: return "ok";
    case ASW_QUOTA_WARNING: return "warning";
    case ASW_QUOTA_CRITICAL: return "critical";
    case ASW_QUOTA_EXCEEDED: return "exceeded";
    }
    return "?";
}
