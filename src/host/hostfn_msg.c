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
    if (asw__host_guest_span(caller, rptr, rcap, &p) || asw__host_guest_span(caller, lptr, 4, &p))
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
    else if (asw_sec_check(in->comp->sec, ASW_CAP_MSG, pat, ASW_PERM_RECEIVE, &d) != ASW_OK) {
        asw__host_count_denied(in->comp);
        rc = ASW_E_DENIED;
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
    if (ns < 0) {
        res[0] = asw_val_i32(ASW_E_INVALID);
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
