/*
 * src/host/hostfn_msg.c -- the messaging, time, log and random host functions of a component
 * (module "airssys"; signatures in docs/host-abi.md).
 *
 * Design. Every function finds its instance from the caller (asw__host_inst), checks every
 * guest pointer against linear memory, and answers with 0 / a length, or a negative ASW_E_*
 * code the guest sees. A message leaving a component passes three checks, in this order: the
 * payload size limit of the host, the sender's messaging capability for the target component
 * or topic (asw_sec_check: granted and denied decisions are audited), and the sender's
 * message-rate quota (asw_sec_consume: a violation is audited). A refused size is audited here.
 * request and sleep cannot finish inside the call: they record what the instance waits for and
 * return ASW_E_SUSPENDED, which suspends the wasm call; component.c suspends the actor and
 * later resumes the call with this function's result (the reply length or an error code).
 * request-async returns at once with the request's correlation id; the runtime keeps the
 * request pending, and component.c hands its reply, timeout or dead-target error to the guest's
 * handle-reply export (a component importing request-async must export it: checked at load).
 * The instance counts its outstanding async requests (at most MAX_ASYNC).
 *
 * Subscriptions. A pattern with wildcards cannot go through asw_sec_check (a resource is one
 * topic): the subscription rule below decides whether the allow entries cover every topic the
 * pattern can match and no deny entry touches one of them, segment by segment. It is the one
 * rule of the library (asw_host_check_subscription; `airssys run` uses it for the system
 * manifest's subscriptions).
 *
 * Not done here: delivery into the receiving guest (component.c), storage (hostfn_storage.c).
 */
#include "host/host_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NAME_CAP       256  /* target names and topics, NUL included */
#define LOG_MAX        2048 /* longest log line kept */
#define MAX_SUBS       64   /* subscriptions per incarnation */
#define DEFAULT_REQ_MS 30000u
#define MAX_ASYNC      1024 /* outstanding request-async calls per incarnation */
#define COVER_STACK    32   /* allow entries examined without allocating */

typedef asw_val_t val;

static int32_t A32(const val *a, size_t i)
{
    return a[i].of.i32;
}
static uint32_t U32(const val *a, size_t i)
{
    return (uint32_t)a[i].of.i32;
}

static void audit_refusal(asw__inst_t *in, const char *resource, const char *perm,
                          const char *reason)
{
    asw_host_t *h = in->comp->host;
    asw__host_count_denied(in->comp);
    if (!h->audit) return;
    asw_audit_record_t r = {ASW_AUDIT_QUOTA, in->comp->name, resource, perm, "denied", reason};
    (void)asw_audit_log(h->audit, &r);
}

/* The checks every outgoing message passes: size, capability, rate. */
static int check_out(asw__inst_t *in, const char *target, uint32_t len, uint32_t perm)
{
    asw_component_t *c = in->comp;
    if (len > c->host->max_message_bytes) {
        char why[96];
        snprintf(why, sizeof why, "payload of %u bytes is over the limit of %llu", len,
                 (unsigned long long)c->host->max_message_bytes);
        audit_refusal(in, target, asw_cap_perm_name(perm), why);
        return ASW_E_LIMIT;
    }
    asw_cap_decision_t d;
    if (asw_sec_check(c->sec, ASW_CAP_MSG, target, perm, &d) != ASW_OK) {
        asw__host_count_denied(c);
        return ASW_E_DENIED;
    }
    asw_quota_violation_t v;
    if (asw_sec_consume(c->sec, ASW_QUOTA_MESSAGES, 1, asw_quota_now_ns(), &v) != ASW_OK) {
        asw__host_count_denied(c);
        return ASW_E_QUOTA;
    }
    return ASW_OK;
}

/* Reads (target, data) from the guest, checks and builds the body. */
static int prepare(asw_caller_t *caller, asw__inst_t *in, const val *args, uint32_t perm,
                   uint32_t kind, char *target, asw__hmsg_t **out)
{
    uint8_t *data;
    uint32_t len = U32(args, 3);
    if (asw__host_guest_str(caller, U32(args, 0), U32(args, 1), target, NAME_CAP) ||
        asw__host_guest_span(caller, U32(args, 2), len, &data))
        return ASW_E_INVALID;
    int rc = check_out(in, target, len, perm);
    if (rc) return rc;
    const char *from = kind == ASW__KIND_TOPIC ? target : in->comp->name;
    *out = asw__hmsg_new(kind, from, strlen(from), data, len);
    return *out ? ASW_OK : ASW_E_NOMEM;
}

/* send(target, target_len, data, data_len) -> 0 | error */
static int hf_send(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                   size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char target[NAME_CAP];
    asw__hmsg_t *m = NULL;
    int rc = prepare(caller, in, args, ASW_PERM_SEND, ASW__KIND_SEND, target, &m);
    if (!rc) {
        asw_system_t *sys = in->comp->host->sys;
        asw_actor_id_t id = asw_whereis(sys, target);
        asw_msg_t msg = {.type = ASW__HOST_MSG, .data = m, .len = m->len, .drop = asw__hmsg_drop};
        rc = id ? asw_actor_send(in->self, id, &msg, NULL) : ASW_E_NOT_FOUND;
        if (rc) {
            asw__free(m);
            if (rc == ASW_E_DEAD) rc = ASW_E_NOT_FOUND;
        } else {
            atomic_fetch_add_explicit(&in->comp->sent, 1, memory_order_relaxed);
        }
    }
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

/* request(target, target_len, data, data_len, reply, reply_cap, reply_len_ptr, timeout_ms)
 * -> reply bytes copied | error; suspends until the reply or the timeout. */
static int hf_request(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                      size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char target[NAME_CAP];
    asw__hmsg_t *m = NULL;
    uint8_t *p;
    uint32_t rptr = U32(args, 4), rcap = U32(args, 5), lptr = U32(args, 6);
    int rc = ASW_OK;
    if (in->hook)
        rc = ASW_E_STATE; /* a hook runs to completion: it cannot wait */
    else if (asw__host_guest_span(caller, rptr, rcap, &p) ||
             asw__host_guest_span(caller, lptr, 4, &p))
        rc = ASW_E_INVALID;
    if (!rc) rc = prepare(caller, in, args, ASW_PERM_SEND, ASW__KIND_SEND, target, &m);
    if (!rc) {
        asw_system_t *sys = in->comp->host->sys;
        asw_actor_id_t id = asw_whereis(sys, target);
        uint32_t ms = U32(args, 7) ? U32(args, 7) : DEFAULT_REQ_MS;
        asw_msg_t msg = {.type = ASW__HOST_MSG, .data = m, .len = m->len, .drop = asw__hmsg_drop};
        uint64_t corr = 0;
        rc = id ? asw_request(in->self, id, &msg, (uint64_t)ms * 1000000u, ASW_REQ_AWAIT, &corr,
                              NULL)
                : ASW_E_NOT_FOUND;
        if (rc) {
            asw__free(m);
            if (rc == ASW_E_DEAD) rc = ASW_E_NOT_FOUND;
        } else {
            atomic_fetch_add_explicit(&in->comp->sent, 1, memory_order_relaxed);
            in->wait = ASW__WAIT_REPLY;
            in->wait_corr = corr;
            in->reply_ptr = rptr;
            in->reply_cap = rcap;
            in->reply_len_ptr = lptr;
            return ASW_E_SUSPENDED;
        }
    }
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

/* request-async(target, target_len, data, data_len, timeout_ms) -> correlation id (> 0) | error.
 * Returns at once; the reply, the timeout or the target's death later runs the guest's
 * handle-reply export with this id (component.c). */
static int hf_request_async(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                            size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char target[NAME_CAP];
    asw__hmsg_t *m = NULL;
    int64_t rc = ASW_OK;
    /* No handle-reply (refused at load, checked again), stopping, or before the actor exists. */
    if (!in->f_reply || in->hook == ASW__HOOK_STOP || !in->self)
        rc = ASW_E_STATE;
    else if (in->async_pending >= MAX_ASYNC)
        rc = ASW_E_LIMIT;
    if (!rc) rc = prepare(caller, in, args, ASW_PERM_SEND, ASW__KIND_SEND, target, &m);
    if (!rc) {
        asw_system_t *sys = in->comp->host->sys;
        asw_actor_id_t id = asw_whereis(sys, target);
        uint32_t ms = U32(args, 4) ? U32(args, 4) : DEFAULT_REQ_MS;
        asw_msg_t msg = {.type = ASW__HOST_MSG, .data = m, .len = m->len, .drop = asw__hmsg_drop};
        uint64_t corr = 0;
        int r = id ? asw_request(in->self, id, &msg, (uint64_t)ms * 1000000u, 0, &corr, NULL)
                   : ASW_E_NOT_FOUND;
        if (r) {
            asw__free(m);
            rc = r == ASW_E_DEAD ? ASW_E_NOT_FOUND : r;
        } else {
            atomic_fetch_add_explicit(&in->comp->sent, 1, memory_order_relaxed);
            in->async_pending++;
            rc = (int64_t)(corr & INT64_MAX);
        }
    }
    res[0] = asw_val_i64(rc);
    return ASW_OK;
}

/* respond(data, data_len) -> 0 | error: answers the request being handled. */
static int hf_respond(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                      size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    uint8_t *data;
    uint32_t len = U32(args, 1);
    int rc = ASW_OK;
    if (asw__host_guest_span(caller, U32(args, 0), len, &data))
        rc = ASW_E_INVALID;
    else if (!in->has_cur)
        rc = ASW_E_STATE; /* not handling a request, or already answered */
    else if (len > in->comp->host->max_message_bytes)
        rc = ASW_E_LIMIT;
    if (!rc) {
        asw__hmsg_t *m =
            asw__hmsg_new(ASW__KIND_SEND, in->comp->name, strlen(in->comp->name), data, len);
        if (!m) {
            rc = ASW_E_NOMEM;
        } else {
            asw_msg_t r = {.type = ASW__HOST_MSG, .data = m, .len = len, .drop = asw__hmsg_drop};
            rc = asw_reply(in->self, &in->cur, &r, NULL);
            if (rc) asw__free(m);
            in->has_cur = false;
            if (!rc) atomic_fetch_add_explicit(&in->comp->sent, 1, memory_order_relaxed);
        }
    }
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

/* publish(topic, topic_len, data, data_len) -> subscribers reached | error */
static int hf_publish(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                      size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char topic[NAME_CAP];
    asw__hmsg_t *m = NULL;
    int rc = prepare(caller, in, args, ASW_PERM_SEND, ASW__KIND_TOPIC, topic, &m);
    size_t n = 0;
    if (!rc) {
        asw_msg_t msg = {.type = ASW__HOST_MSG,
                         .from = asw_self(in->self),
                         .data = m,
                         .len = m->len,
                         .drop = asw__hmsg_drop};
        rc = asw_broker_publish(in->comp->host->broker, topic, &msg, &n, NULL);
        if (rc)
            asw__free(m);
        else
            atomic_fetch_add_explicit(&in->comp->sent, 1, memory_order_relaxed);
    }
    res[0] = asw_val_i32(rc ? rc : (int32_t)(n > INT32_MAX ? INT32_MAX : n));
    return ASW_OK;
}

/* ------------------------------------------------------------------ the subscription rule */

/* Segments of a validated topic pattern: p points at a segment, NULL past the last one. */
static size_t seg_len(const char *p)
{
    return strcspn(p, "/");
}

static const char *seg_next(const char *p)
{
    p += seg_len(p);
    return *p ? p + 1 : NULL;
}

static bool seg_is(const char *p, char wild)
{
    return p && p[0] == wild && (p[1] == 0 || p[1] == '/');
}

static bool seg_eq(const char *a, const char *b)
{
    size_t n = seg_len(a);
    return n == seg_len(b) && memcmp(a, b, n) == 0;
}

/*
 * Do the allow patterns a[0..n) (positions in them, NULL: the pattern ended) together match
 * every topic that the rest of the subscription pattern s (NULL: it ended) can match, after
 * `depth` segments? '#' matches zero or more trailing segments ("x/#" also matches "x"). A
 * literal allow segment can never help cover a '+' or '#' of s (s matches infinitely many
 * segment values there), so the walk keeps only the allow patterns that can still match, and
 * rewrites a[] in place.
 */
static bool covered(const char *s, const char **a, size_t n, unsigned depth)
{
    for (;;) {
        for (size_t i = 0; i < n; i++)
            if (seg_is(a[i], '#')) return true; /* matches whatever s still matches */
        if (!s) {                               /* s matches the topic that ends here */
            for (size_t i = 0; i < n; i++)
                if (!a[i]) return true;
            return false;
        }
        size_t m = 0;
        if (seg_is(s, '#')) {
            /* Zero more segments (not at the top: a topic is never empty) ... */
            bool ends = depth == 0;
            for (size_t i = 0; i < n && !ends; i++)
                ends = !a[i];
            if (!ends) return false;
            /* ... and any one segment followed again by zero or more: only '+' covers it. */
            for (size_t i = 0; i < n; i++)
                if (seg_is(a[i], '+')) a[m++] = seg_next(a[i]);
        } else {
            bool plus = seg_is(s, '+');
            for (size_t i = 0; i < n; i++)
                if (a[i] && (seg_is(a[i], '+') || (!plus && seg_eq(a[i], s))))
                    a[m++] = seg_next(a[i]);
            s = seg_next(s);
        }
        n = m;
        depth++;
        if (n == 0) return false;
    }
}

/* Can topic patterns s and d both match one topic? */
static bool overlaps(const char *s, const char *d)
{
    for (;;) {
        if (seg_is(s, '#') || seg_is(d, '#')) return true;
        if (!s || !d) return !s && !d;
        if (!seg_is(s, '+') && !seg_is(d, '+') && !seg_eq(s, d)) return false;
        s = seg_next(s);
        d = seg_next(d);
    }
}

static int sub_decide(asw_cap_decision_t *out, int rc, const char *reason, const char *rule)
{
    if (out) *out = (asw_cap_decision_t){rc == ASW_OK, reason, rule};
    return rc;
}

/* Decides a wildcard pattern (validated) against the capability set. */
static int sub_wild(const asw_capset_t *caps, const char *pattern, asw_cap_decision_t *out)
{
    const char *stack[COVER_STACK], **a = stack, *first = NULL;
    size_t n = 0, nallow = 0, count = asw_capset_count(caps);
    asw_cap_spec_t sp;
    for (size_t i = 0; i < count; i++) {
        if (asw_capset_get(caps, i, &sp) || sp.kind != ASW_CAP_MSG ||
            !(sp.perms & ASW_PERM_RECEIVE))
            continue;
        if (sp.deny && overlaps(pattern, sp.pattern))
            return sub_decide(out, ASW_E_DENIED,
                              "a deny entry matches topics this subscription pattern can receive",
                              sp.pattern);
        if (!sp.deny) nallow++;
    }
    if (nallow > COVER_STACK && !(a = asw__malloc(nallow * sizeof *a)))
        return sub_decide(out, ASW_E_DENIED, "out of memory while checking the pattern", NULL);
    for (size_t i = 0; i < count; i++) {
        if (asw_capset_get(caps, i, &sp) || sp.kind != ASW_CAP_MSG ||
            !(sp.perms & ASW_PERM_RECEIVE) || sp.deny)
            continue;
        const char *one = sp.pattern;
        if (!first && covered(pattern, &one, 1, 0)) first = sp.pattern; /* covers it alone */
        a[n++] = sp.pattern;
    }
    bool ok = first || (n && covered(pattern, a, n, 0));
    if (a != stack) asw__free(a);
    if (ok)
        return sub_decide(out, ASW_OK,
                          first ? "a receive capability covers every topic of the pattern"
                                : "receive capabilities together cover every topic of the pattern",
                          first);
    return sub_decide(out, ASW_E_DENIED,
                      "no messaging capability with receive covers every topic of this pattern",
                      NULL);
}

int asw__host_sub_check(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *pattern,
                        asw_cap_decision_t *out)
{
    if (!sec || !pattern) return sub_decide(out, ASW_E_INVALID, "NULL argument", NULL);
    if (!strpbrk(pattern, "+#"))
        return asw_sec_check(sec, ASW_CAP_MSG, pattern, ASW_PERM_RECEIVE, out);
    if (asw_cap_validate_topic_pattern(pattern, NULL))
        return sub_decide(out, ASW_E_INVALID,
                          "malformed pattern: '+' and '#' must be whole segments, '#' the last",
                          NULL);
    asw_cap_decision_t d;
    int rc = sub_wild(asw_sec_caps(sec), pattern, &d);
    if (audit) {
        asw_audit_record_t r = {ASW_AUDIT_CAPABILITY,
                                asw_sec_id(sec),
                                pattern,
                                "receive",
                                rc == ASW_OK ? "granted" : "denied",
                                d.reason};
        (void)asw_audit_log(audit, &r);
    }
    if (out) *out = d;
    return rc;
}

int asw_host_check_subscription(asw_host_t *host, const char *component, const char *pattern,
                                asw_cap_decision_t *out)
{
    if (!host || !component || !pattern)
        return sub_decide(out, ASW_E_INVALID, "NULL argument", NULL);
    asw_sec_ctx_t *sec = asw_sec_lookup(host->sec, component);
    if (!sec) return sub_decide(out, ASW_E_NOT_FOUND, "component is not registered", NULL);
    int rc = asw__host_sub_check(sec, host->audit, pattern, out);
    if (rc == ASW_E_DENIED) {
        asw_component_t *c = asw_host_find(host, component);
        if (c) asw__host_count_denied(c);
    }
    return rc;
}

/* ------------------------------------------------------------------ subscribe */

/* subscribe(pattern, pattern_len) -> subscription id (> 0) | error */
static int hf_subscribe(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                        size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char pat[NAME_CAP];
    int64_t rc = ASW_OK;
    asw_cap_decision_t d;
    if (asw__host_guest_str(caller, U32(args, 0), U32(args, 1), pat, sizeof pat))
        rc = ASW_E_INVALID;
    else if ((rc = asw__host_sub_check(in->comp->sec, in->comp->host->audit, pat, &d)) != ASW_OK) {
        if (rc == ASW_E_DENIED) asw__host_count_denied(in->comp);
    } else if (in->nsubs >= MAX_SUBS) {
        rc = ASW_E_LIMIT;
    }
    if (!rc && in->nsubs == in->capsubs) {
        uint32_t cap = in->capsubs ? in->capsubs * 2 : 4;
        uint64_t *ns = asw__reallocarray(in->subs, cap, sizeof *ns);
        if (!ns)
            rc = ASW_E_NOMEM;
        else {
            in->subs = ns;
            in->capsubs = cap;
        }
    }
    if (!rc) {
        uint64_t sub;
        int r = asw_broker_subscribe(in->comp->host->broker, pat, asw_self(in->self), &sub, NULL);
        if (r)
            rc = r;
        else {
            in->subs[in->nsubs++] = sub;
            rc = (int64_t)in->nsubs; /* the guest's handle: index + 1 */
        }
    }
    res[0] = asw_val_i64(rc);
    return ASW_OK;
}

/* unsubscribe(id) -> 0 | error */
static int hf_unsubscribe(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                          size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    int64_t id = args[0].of.i64;
    int rc = ASW_E_NOT_FOUND;
    if (id >= 1 && id <= (int64_t)in->nsubs && in->subs[id - 1]) {
        rc = asw_broker_unsubscribe(in->comp->host->broker, in->subs[id - 1]);
        in->subs[id - 1] = 0;
    }
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

/* self-id(buf, cap) -> name length (copied when it fits) | error */
static int hf_self_id(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                      size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    uint8_t *p;
    size_t n = strlen(in->comp->name);
    int32_t rc = (int32_t)n;
    if (asw__host_guest_span(caller, U32(args, 0), U32(args, 1), &p))
        rc = ASW_E_INVALID;
    else if (n <= U32(args, 1))
        memcpy(p, in->comp->name, n);
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

/* time-now() -> Unix time in ns; time-monotonic() -> monotonic ns */
static int hf_now(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                  size_t nres)
{
    ASW_UNUSED(caller), ASW_UNUSED(ud), ASW_UNUSED(args), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    res[0] = asw_val_i64((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
    return ASW_OK;
}

static int hf_monotonic(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                        size_t nres)
{
    ASW_UNUSED(caller), ASW_UNUSED(ud), ASW_UNUSED(args), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    res[0] = asw_val_i64((int64_t)asw_quota_now_ns());
    return ASW_OK;
}

/* sleep(ns) -> 0 | error: suspends the actor; the service actor resumes it. */
static int hf_sleep(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                    size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    int64_t ns = args[0].of.i64;
    if (ns < 0 || in->hook) {
        res[0] = asw_val_i32(ns < 0 ? ASW_E_INVALID : ASW_E_STATE);
        return ASW_OK;
    }
    asw_host_t *h = in->comp->host;
    asw_msg_t w = {.type = ASW__SVC_WAKE, .word = asw_self(in->self)};
    int rc = asw_send_after(h->sys, h->service, &w, (uint64_t)ns, NULL, NULL);
    if (rc) {
        res[0] = asw_val_i32(rc);
        return ASW_OK;
    }
    in->wait = ASW__WAIT_SLEEP;
    return ASW_E_SUSPENDED;
}

/* log(level, msg, len): into the host's log under the component's name. */
static int hf_log(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                  size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(res), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    asw_host_t *h = in->comp->host;
    int level = A32(args, 0);
    if (level < ASW_LOG_TRACE) level = ASW_LOG_TRACE;
    if (level > ASW_LOG_ERROR) level = ASW_LOG_ERROR;
    if (level < h->log_level) return ASW_OK;
    uint8_t *p;
    uint32_t len = U32(args, 2);
    if (len > LOG_MAX) len = LOG_MAX;
    if (asw__host_guest_span(caller, U32(args, 1), len, &p)) return ASW_OK;
    char line[LOG_MAX];
    for (uint32_t i = 0; i < len; i++) /* no control bytes into the host's terminal or file */
        line[i] = (p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f ? '?' : (char)p[i];
    if (h->log)
        h->log(h->log_ud, level, in->comp->name, line, len);
    else
        fprintf(stderr, "[%s] %s: %.*s\n", asw_log_level_name(level), in->comp->name, (int)len,
                line);
    return ASW_OK;
}

/* random(buf, len) -> 0 | error: cryptographically secure bytes. */
static int hf_random(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                     size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    uint8_t *p;
    int rc = asw__host_guest_span(caller, U32(args, 0), U32(args, 1), &p);
    if (!rc) {
        if (sodium_init() < 0)
            rc = ASW_E_CRYPTO;
        else
            randombytes_buf(p, U32(args, 1));
    }
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

typedef struct fn_def {
    const char *name;
    asw_host_fn fn;
    const char *params, *results; /* 'i' = i32, 'I' = i64 */
} fn_def_t;

static const fn_def_t defs[] = {
    {"send", hf_send, "iiii", "i"},
    {"request", hf_request, "iiiiiiii", "i"},
    {"request-async", hf_request_async, "iiiii", "I"},
    {"respond", hf_respond, "ii", "i"},
    {"publish", hf_publish, "iiii", "i"},
    {"subscribe", hf_subscribe, "ii", "I"},
    {"unsubscribe", hf_unsubscribe, "I", "i"},
    {"self-id", hf_self_id, "ii", "i"},
    {"time-now", hf_now, "", "I"},
    {"time-monotonic", hf_monotonic, "", "I"},
    {"sleep", hf_sleep, "I", "i"},
    {"log", hf_log, "iii", ""},
    {"random", hf_random, "ii", "i"},
};

/* Shared with hostfn_storage.c through this tiny helper (same signature encoding). */
static int define_one(asw_imports_t *imp, asw_host_t *host, const fn_def_t *d, asw_error_t *err)
{
    uint8_t p[16], r[2];
    size_t np = strlen(d->params), nr = strlen(d->results);
    for (size_t i = 0; i < np; i++)
        p[i] = d->params[i] == 'I' ? ASW_I64 : ASW_I32;
    for (size_t i = 0; i < nr; i++)
        r[i] = d->results[i] == 'I' ? ASW_I64 : ASW_I32;
    asw_functype_t ft = {(uint32_t)np, (uint32_t)nr, p, r};
    return asw_imports_define_func(imp, ASW__HOST_MODULE, d->name, &ft, d->fn, host, err);
}

int asw__hostfn_msg_define(asw_imports_t *imports, asw_host_t *host, asw_error_t *out_err)
{
    for (size_t i = 0; i < ASW_ARRAY_LEN(defs); i++) {
        int rc = define_one(imports, host, &defs[i], out_err);
        if (rc) return rc;
    }
    return ASW_OK;
}
