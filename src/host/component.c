/*
 * src/host/component.c -- the component host (include/airssys/host.h): loading a component
 * through trust, approval and the compile cache; running it as a supervised actor whose
 * behaviour calls the guest's handle-message; suspension of a guest call while it waits for a
 * reply or sleeps; containment and restart of a crashing component.
 *
 * Design. One component = one supervisor (settings of the manifest's [supervision]) with one
 * child, the component's actor, registered under the component's name -- unless it is loaded
 * into a host supervisor (src->supervisor): then its child spec joins that supervisor's tree
 * and starts with it (supervise.c). The actor's state is
 * the component at spawn; pre_start replaces it with a fresh asw__inst_t (store + instance)
 * and post_stop frees that instance, so every incarnation starts from a new instance while the
 * security context, counters and storage namespace stay with the component. asw_host_load
 * builds the first instance on the caller's thread (so link errors and a trapping `init` are
 * reported to the caller) and hands it to the first incarnation.
 *
 * A message runs handle-message with fresh fuel and a deadline (asw_store_set_deadline, armed
 * per call and re-armed with the remaining time after a suspension). A host function that must
 * wait (request, sleep) records what it waits for in the instance and returns ASW_E_SUSPENDED:
 * the wasm call stops, the behaviour returns ASW_ACT_SUSPEND and the worker moves on. The reply
 * (ASW_REQ_AWAIT) or the service actor's wake-up resumes the actor, whose behaviour then calls
 * asw_store_resume with the host function's result. Any other outcome than OK or a host
 * suspension (trap, out of fuel, interrupted by the deadline, exit) is a crash: the behaviour
 * returns the error, the actor dies, its supervisor restarts it.
 *
 * An asynchronous request (request-async) leaves the call running; its reply or timeout comes
 * back as an ASW_MSG_REPLY / ASW_MSG_TIMEOUT message, which deliver_reply hands to the guest's
 * handle-reply export like a message. Hooks (docs/host-abi.md, "Lifecycle"): post-restart runs
 * in pre_start after init for a restarted instance, pre-stop in post_stop on a graceful stop;
 * both run to completion (call_hook) and a failing pre-stop is only logged.
 *
 * The host's service actor wakes sleeping components (a timer message naming the actor to
 * resume) and watches every component's supervisor, marking the component FAILED when the
 * supervisor dies abnormally (restart intensity exceeded).
 *
 * Invariants: a component's fields other than the atomics and those under comp->mu are written
 * only before its supervisor starts; an instance is touched only by the worker running its
 * actor (or by load before the actor exists).
 *
 * Not done here: the host functions themselves (hostfn_msg.c, hostfn_storage.c, files and
 * network in their own files), the system manifest and `airssys run` (tools/).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "host/host_int.h"

#include "airssys/wasi.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Export names of the guest ABI (docs/host-abi.md). */
#define EXPORT_HANDLE "handle-message"
#define EXPORT_INIT   "init"
#define EXPORT_ALLOC  "alloc"
#define EXPORT_MEMORY "memory"
/* Optional exports: the replies of request-async and the lifecycle hooks. */
#define EXPORT_REPLY        "handle-reply"
#define EXPORT_PRE_STOP     "pre-stop"
#define EXPORT_POST_RESTART "post-restart"
#define EXPORT_START        "start"
/* The import that needs EXPORT_REPLY. */
#define IMPORT_ASYNC "request-async"
/* Longest run of pre-stop (also bounded by the component's own deadline), so a host shutdown
 * stays bounded: the supervisor's graceful-stop wait is 1 s. */
#define PRE_STOP_MAX_NS UINT64_C(500000000)

#define DEFAULT_MAX_MESSAGE (UINT64_C(1) << 20)
#define DEFAULT_PAGES       256u
#define DEFAULT_TIMEOUT_NS  UINT64_C(10000000000)
#define NAME_MAX_LEN        64

void asw__host_nap_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* ------------------------------------------------------------------ logging */

const char *asw_log_level_name(int level)
{
    static const char *const names[] = {"trace", "debug", "info", "warn", "error"};
    return level >= 0 && level <= ASW_LOG_ERROR ? names[level] : "?";
}

void asw__host_log(asw_host_t *host, int level, const char *component, const char *fmt, ...)
{
    if (level < host->log_level) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    const char *who = component ? component : "host";
    if (host->log)
        host->log(host->log_ud, level, who, buf, len);
    else
        fprintf(stderr, "[%s] %s: %.*s\n", asw_log_level_name(level), who, (int)len, buf);
}

void asw__host_count_denied(asw_component_t *comp)
{
    atomic_fetch_add_explicit(&comp->denied, 1, memory_order_relaxed);
}

/* ------------------------------------------------------------------ message bodies */

asw__hmsg_t *asw__hmsg_new(uint32_t kind, const char *from, size_t from_len, const void *data,
                           size_t len)
{
    if (from_len > UINT32_MAX || len > UINT32_MAX - from_len) return NULL;
    asw__hmsg_t *m = asw__malloc(sizeof *m + from_len + len);
    if (!m) return NULL;
    m->kind = kind;
    m->from_len = (uint32_t)from_len;
    m->len = (uint32_t)len;
    if (from_len) memcpy(m->bytes, from, from_len);
    if (len) memcpy(m->bytes + from_len, data, len);
    return m;
}

void asw__hmsg_drop(void *data, size_t len, void *ctx)
{
    ASW_UNUSED(len);
    ASW_UNUSED(ctx);
    asw__free(data);
}

/* ------------------------------------------------------------------ guest memory helpers */

asw__inst_t *asw__host_inst(asw_caller_t *caller)
{
    return asw_store_data(asw_caller_store(caller));
}

int asw__host_guest_span(asw_caller_t *caller, uint32_t ptr, uint32_t len, uint8_t **out)
{
    /* The instance's exported memory, looked up once at instantiation (not by name per call). */
    asw__inst_t *in = asw__host_inst(caller);
    asw_memory_t *mem = in && in->memory ? in->memory : asw_caller_memory(caller);
    if (!mem) return ASW_E_INVALID;
    uint64_t size = asw_memory_size(mem);
    if ((uint64_t)ptr + len > size) return ASW_E_INVALID;
    *out = asw_memory_data(mem) + ptr;
    return ASW_OK;
}

int asw__host_guest_str(asw_caller_t *caller, uint32_t ptr, uint32_t len, char *buf, size_t cap)
{
    uint8_t *p;
    if (len >= cap || asw__host_guest_span(caller, ptr, len, &p)) return ASW_E_INVALID;
    if (memchr(p, 0, len)) return ASW_E_INVALID;
    memcpy(buf, p, len);
    buf[len] = 0;
    return ASW_OK;
}

/* ------------------------------------------------------------------ instances */

static void record_crash(asw_component_t *c, const char *fmt, ...) ASW_PRINTF(2, 3);
static void record_crash(asw_component_t *c, const char *fmt, ...)
{
    char buf[sizeof c->last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&c->mu);
    memcpy(c->last_error, buf, sizeof buf);
    pthread_mutex_unlock(&c->mu);
    atomic_fetch_add_explicit(&c->crashes, 1, memory_order_relaxed);
    asw__host_log(c->host, ASW_LOG_ERROR, c->name, "crashed: %s", buf);
}

static void inst_free(asw__inst_t *in)
{
    if (!in) return;
    asw_broker_t *b = in->comp->host->broker;
    for (uint32_t i = 0; i < in->nsubs; i++)
        (void)asw_broker_unsubscribe(b, in->subs[i]);
    asw__free(in->subs);
    for (int k = 0; k < ASW__EXT_COUNT; k++)
        if (in->ext[k] && in->ext_free[k]) in->ext_free[k](in->ext[k]);
    if (in->store) {
        (void)asw_store_set_deadline(in->store, 0, ASW_INTERRUPT_KILL);
        asw_store_free(in->store);
    }
    asw_imports_free(in->own_imports);
    asw__free(in);
}

static void wasi_ext_free(void *p)
{
    asw_wasi_free(p);
}

/* Arms the per-call deadline with what remains of the message's time budget. */
static void arm(asw__inst_t *in)
{
    asw_component_t *c = in->comp;
    in->call_start_ns = asw__now_ns();
    if (c->timeout_ns) {
        uint64_t left = c->timeout_ns > in->time_used_ns ? c->timeout_ns - in->time_used_ns : 1;
        (void)asw_store_set_deadline(in->store, left, ASW_INTERRUPT_KILL);
    }
}

static void disarm(asw__inst_t *in)
{
    if (in->comp->timeout_ns) {
        (void)asw_store_set_deadline(in->store, 0, ASW_INTERRUPT_KILL);
        asw_store_clear_interrupt(in->store);
    }
    in->time_used_ns += asw__now_ns() - in->call_start_ns;
}

/* Starts a fresh budget (fuel and time) for one message or hook. */
static void fresh_budget(asw__inst_t *in)
{
    if (in->comp->fuel) asw_store_set_fuel(in->store, in->comp->fuel);
    in->time_used_ns = 0;
}

/* Turns an engine outcome into a crash record; returns the code. */
static int crash_from(asw__inst_t *in, int rc, asw_trap_t *trap, const asw_error_t *err,
                      const char *what)
{
    asw_component_t *c = in->comp;
    if (rc == ASW_E_TRAP && trap) {
        const char *m = asw_trap_message(trap);
        if (asw_trap_kind(trap) == ASW_TRAP_INTERRUPTED)
            record_crash(c, "%s: deadline of %llu ms exceeded (interrupted)", what,
                         (unsigned long long)(c->timeout_ns / 1000000u));
        else
            record_crash(c, "%s: trap: %s", what, m);
    } else if (rc == ASW_E_SUSPENDED) {
        record_crash(c, "%s: suspended outside a host call", what);
    } else {
        record_crash(c, "%s: %s", what, err && err->msg[0] ? err->msg : asw_strerror(rc));
    }
    asw_trap_free(trap);
    return rc == ASW_OK || rc == ASW_E_SUSPENDED ? ASW_E_STATE : rc;
}

/* Runs a hook (init, _initialize, post-restart, pre-stop) to completion with fresh fuel and a
 * deadline of the component's timeout, at most max_ns (0: no extra bound). in->hook tells the
 * host functions a hook runs: request and sleep, which would suspend, fail instead. */
static int call_hook(asw__inst_t *in, asw_func_t *f, const asw_val_t *args, size_t nargs,
                     const char *what, int hook, uint64_t max_ns, asw_error_t *out_err)
{
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    fresh_budget(in);
    if (max_ns && in->comp->timeout_ns > max_ns) in->time_used_ns = in->comp->timeout_ns - max_ns;
    in->hook = hook;
    arm(in);
    asw_functype_t ft;
    asw_func_type(f, &ft);
    asw_val_t res[1];
    int rc = asw_func_call(f, args, nargs, res, ft.nresults > 1 ? 1 : ft.nresults, &trap, &err);
    disarm(in);
    in->hook = ASW__HOOK_NONE;
    if (rc == ASW_E_SUSPENDED) asw_store_abandon(in->store);
    if (rc == ASW_OK) {
        if (ft.nresults == 1 && ft.results[0] == ASW_I32 && res[0].of.i32 < 0)
            return asw__errorf(out_err, ASW_E_STATE, "component '%s': %s returned %d",
                               in->comp->name, what, (int)res[0].of.i32);
        return ASW_OK;
    }
    char msg[256];
    if (rc == ASW_E_TRAP && trap)
        snprintf(msg, sizeof msg, "%.200s", asw_trap_message(trap));
    else
        snprintf(msg, sizeof msg, "%.200s", err.msg[0] ? err.msg : asw_strerror(rc));
    asw_trap_free(trap);
    return asw__errorf(out_err, rc == ASW_E_SUSPENDED ? ASW_E_STATE : rc,
                       "component '%s': %s failed: %s", in->comp->name, what, msg);
}

/* Runs a start hook without arguments (init, _initialize). */
static int call_plain(asw__inst_t *in, asw_func_t *f, const char *what, asw_error_t *out_err)
{
    return call_hook(in, f, NULL, 0, what, ASW__HOOK_START, 0, out_err);
}

static bool func_has_type(asw_func_t *f, size_t np, const uint8_t *p, size_t nr, const uint8_t *r)
{
    asw_functype_t ft;
    asw_func_type(f, &ft);
    return ft.nparams == np && ft.nresults == nr && (np == 0 || !memcmp(ft.params, p, np)) &&
           (nr == 0 || !memcmp(ft.results, r, nr));
}

/* True when the module imports `name` from the host module. */
static bool imports_host_fn(const asw_module_t *m, const char *name)
{
    for (size_t i = 0, n = asw_module_import_count(m); i < n; i++) {
        asw_import_desc_t d;
        if (asw_module_import(m, i, &d) == ASW_OK && strcmp(d.module, ASW__HOST_MODULE) == 0 &&
            strcmp(d.name, name) == 0)
            return true;
    }
    return false;
}

/* Looks up the optional exports and checks their types: handle-reply (i64 corr, i32 status,
 * i32 data, i32 len) -> i32, required when the module imports request-async; start, pre-stop
 * and post-restart (i32 restarts), each -> i32 or no result. */
static int optional_exports(asw__inst_t *in, asw_error_t *out_err)
{
    static const uint8_t reply_p[] = {ASW_I64, ASW_I32, ASW_I32, ASW_I32}, i32[] = {ASW_I32};
    asw_component_t *c = in->comp;
    in->f_reply = asw_instance_func(in->instance, EXPORT_REPLY);
    in->f_pre_stop = asw_instance_func(in->instance, EXPORT_PRE_STOP);
    in->f_post_restart = asw_instance_func(in->instance, EXPORT_POST_RESTART);
    in->f_start = asw_instance_func(in->instance, EXPORT_START);
    if (in->f_start && !func_has_type(in->f_start, 0, NULL, 0, NULL) &&
        !func_has_type(in->f_start, 0, NULL, 1, i32))
        return asw__errorf(
            out_err, ASW_E_INVALID,
            "component '%s': export '" EXPORT_START "' must have type () -> i32 or ()", c->name);
    if (in->f_reply && !func_has_type(in->f_reply, 4, reply_p, 1, i32))
        return asw__errorf(out_err, ASW_E_INVALID,
                           "component '%s': export '" EXPORT_REPLY
                           "' must have type (i64 corr, i32 status, i32 data, i32 len) -> i32",
                           c->name);
    if (!in->f_reply && imports_host_fn(c->module, IMPORT_ASYNC))
        return asw__errorf(out_err, ASW_E_NOT_FOUND,
                           "component '%s' imports '" IMPORT_ASYNC
                           "' but has no export '" EXPORT_REPLY
                           "' of type (i64 corr, i32 status, i32 data, i32 len) -> i32 to "
                           "receive the replies",
                           c->name);
    if (in->f_pre_stop && !func_has_type(in->f_pre_stop, 0, NULL, 0, NULL) &&
        !func_has_type(in->f_pre_stop, 0, NULL, 1, i32))
        return asw__errorf(
            out_err, ASW_E_INVALID,
            "component '%s': export '" EXPORT_PRE_STOP "' must have type () -> i32 or ()", c->name);
    if (in->f_post_restart && !func_has_type(in->f_post_restart, 1, i32, 0, NULL) &&
        !func_has_type(in->f_post_restart, 1, i32, 1, i32))
        return asw__errorf(out_err, ASW_E_INVALID,
                           "component '%s': export '" EXPORT_POST_RESTART
                           "' must have type (i32 restarts) -> i32 or (i32 restarts)",
                           c->name);
    return ASW_OK;
}

static int define_imports(asw_imports_t *imp, asw_host_t *host, asw_error_t *out_err)
{
    int rc = asw__hostfn_msg_define(imp, host, out_err);
    if (!rc) rc = asw__hostfn_storage_define(imp, host, out_err);
    if (!rc) rc = asw__hostfn_files_define(imp, host, out_err);
    if (!rc) rc = asw__hostfn_net_define(imp, host, out_err);
    return rc;
}

/* Creates a fresh instance of c: store with c's limits, imports, instantiation, reactor
 * initialisation and `init`. */
static int inst_new(asw_component_t *c, asw__inst_t **out, asw_error_t *out_err)
{
    asw_host_t *h = c->host;
    asw_trap_t *trap = NULL;
    asw__inst_t *in = asw__calloc(1, sizeof *in);
    if (!in) return asw__errorf(out_err, ASW_E_NOMEM, "component '%s': out of memory", c->name);
    in->magic = ASW__INST_MAGIC;
    in->comp = c;
    int rc = asw_store_new(h->engine, &c->limits, &in->store, out_err);
    if (rc) goto fail;
    asw_store_set_data(in->store, in);
    asw_store_set_fuel_mode(in->store, ASW_FUEL_TRAP);
    const asw_imports_t *imports = h->imports;
    if (c->needs_wasi) {
        asw_wasi_config_t wc;
        asw_wasi_config_init(&wc);
        wc.stdio[0].mode = ASW_WASI_STDIO_NULL;
        asw_wasi_t *w = NULL;
        if ((rc = asw__hostfs_wasi_new(c, &wc, &w, out_err))) goto fail;
        in->ext[ASW__EXT_WASI] = w;
        in->ext_free[ASW__EXT_WASI] = wasi_ext_free;
        if ((rc = asw_imports_new(&in->own_imports, out_err))) goto fail;
        if ((rc = define_imports(in->own_imports, h, out_err))) goto fail;
        if ((rc = asw_wasi_add_to_imports(w, in->own_imports, out_err))) goto fail;
        imports = in->own_imports;
    }
    if (c->fuel) asw_store_set_fuel(in->store, c->fuel);
    rc = asw_instance_new(in->store, c->module, imports, &in->instance, &trap, out_err);
    if (rc) {
        if (rc == ASW_E_TRAP && trap)
            asw__errorf(out_err, rc, "component '%s': instantiation trapped: %s", c->name,
                        asw_trap_message(trap));
        else
            asw__error_prefix(out_err, "component '%s': ", c->name);
        asw_trap_free(trap);
        goto fail;
    }
    static const uint8_t i32x5[] = {ASW_I32, ASW_I32, ASW_I32, ASW_I32, ASW_I32};
    in->f_handle = asw_instance_func(in->instance, EXPORT_HANDLE);
    in->f_alloc = asw_instance_func(in->instance, EXPORT_ALLOC);
    in->f_init = asw_instance_func(in->instance, EXPORT_INIT);
    in->memory = asw_instance_memory(in->instance, EXPORT_MEMORY);
    if (!in->f_handle || !func_has_type(in->f_handle, 5, i32x5, 1, i32x5)) {
        rc = asw__errorf(out_err, ASW_E_NOT_FOUND,
                         "component '%s': no export '" EXPORT_HANDLE
                         "' of type (i32 kind, i32 from, i32 from_len, i32 data, i32 "
                         "data_len) -> i32",
                         c->name);
        goto fail;
    }
    if (!in->f_alloc || !func_has_type(in->f_alloc, 1, i32x5, 1, i32x5) || !in->memory) {
        rc = asw__errorf(out_err, ASW_E_NOT_FOUND,
                         "component '%s': no export '" EXPORT_ALLOC
                         "' of type (i32) -> i32, or no exported memory",
                         c->name);
        goto fail;
    }
    if ((rc = optional_exports(in, out_err))) goto fail;
    asw_func_t *reactor = asw_instance_func(in->instance, "_initialize");
    if (reactor && (rc = call_plain(in, reactor, "_initialize", out_err))) goto fail;
    if (in->f_init && (rc = call_plain(in, in->f_init, EXPORT_INIT, out_err))) goto fail;
    atomic_store_explicit(&c->linear_bytes, asw_memory_size(in->memory), memory_order_relaxed);
    *out = in;
    return ASW_OK;
fail:
    inst_free(in);
    return rc;
}

/* ------------------------------------------------------------------ the component's actor */

/* The guest crashed while handling a request it had not answered: tell the requester now
 * (a reply with status ASW_E_DEAD and no payload) instead of letting it wait for its timeout. */
static void answer_dead(asw__inst_t *in)
{
    if (!in->has_cur || !in->self) return;
    asw_msg_t r = {.type = ASW__HOST_MSG, .status = ASW_E_DEAD};
    (void)asw_reply(in->self, &in->cur, &r, NULL);
    in->has_cur = false;
}

/* Finishes one call of the guest: maps the engine outcome to an actor verdict. */
static int finish(asw__inst_t *in, int rc, asw_val_t *res, asw_trap_t *trap, asw_error_t *err)
{
    disarm(in);
    if (rc == ASW_E_SUSPENDED && asw_store_suspended(in->store) == ASW_SUSPEND_HOST &&
        in->wait != ASW__WAIT_NONE)
        return ASW_ACT_SUSPEND;
    in->wait = ASW__WAIT_NONE;
    if (rc != ASW_OK) answer_dead(in);
    in->has_cur = false;
    atomic_store_explicit(&in->comp->linear_bytes, asw_memory_size(in->memory),
                          memory_order_relaxed);
    if (rc == ASW_OK) {
        if (res[0].of.i32 < 0)
            asw__host_log(in->comp->host, ASW_LOG_DEBUG, in->comp->name, "%s returned %d",
                          in->calling, (int)res[0].of.i32);
        return ASW_ACT_OK;
    }
    if (rc == ASW_E_SUSPENDED) asw_store_abandon(in->store);
    return crash_from(in, rc, trap, err, in->calling);
}

/* Copies total bytes (> 0) into a block the guest's alloc returns (the call is armed). Returns
 * true with *out_ptr set, or false with the actor verdict (a crash) in *out_v. */
static bool copy_in(asw__inst_t *in, const void *bytes, uint32_t total, uint32_t *out_ptr,
                    int *out_v)
{
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    asw_val_t res[1], a = asw_val_i32((int32_t)total);
    int rc = asw_func_call(in->f_alloc, &a, 1, res, 1, &trap, &err);
    if (rc) {
        *out_v = finish(in, rc, res, trap, &err);
        return false;
    }
    uint32_t ptr = (uint32_t)res[0].of.i32;
    if (ptr == 0 || (uint64_t)ptr + total > asw_memory_size(in->memory)) {
        disarm(in);
        answer_dead(in);
        record_crash(in->comp, EXPORT_ALLOC "(%u) returned %u, outside its memory", total, ptr);
        *out_v = ASW_E_LIMIT;
        return false;
    }
    memcpy(asw_memory_data(in->memory) + ptr, bytes, total);
    *out_ptr = ptr;
    return true;
}

/* Delivers one message to handle-message. */
static int deliver(asw__inst_t *in, asw_msg_t *msg)
{
    asw_component_t *c = in->comp;
    const asw__hmsg_t *m = msg->data;
    if (!m) return ASW_ACT_OK; /* not a component message: nothing to deliver */
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    asw_val_t res[1];
    uint32_t total = m->from_len + m->len, ptr = 0;
    fresh_budget(in);
    in->cur = *msg;
    in->cur.data = NULL;
    in->has_cur = msg->corr != 0;
    in->calling = EXPORT_HANDLE;
    arm(in);
    int rc = ASW_OK, v;
    if (total && !copy_in(in, m->bytes, total, &ptr, &v)) return v;
    uint32_t kind = m->kind == ASW__KIND_SEND && msg->corr ? ASW__KIND_REQUEST : m->kind;
    asw_val_t args[5] = {asw_val_i32((int32_t)kind), asw_val_i32((int32_t)ptr),
                         asw_val_i32((int32_t)m->from_len),
                         asw_val_i32((int32_t)(ptr + m->from_len)), asw_val_i32((int32_t)m->len)};
    atomic_fetch_add_explicit(&c->handled, 1, memory_order_relaxed);
    rc = asw_func_call(in->f_handle, args, 5, res, 1, &trap, &err);
    return finish(in, rc, res, trap, &err);
}

/* Continues a suspended call with the host function's result (an i32). */
static int resume_with(asw__inst_t *in, int32_t result)
{
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    asw_val_t hr = asw_val_i32(result), res[1];
    in->wait = ASW__WAIT_NONE;
    arm(in);
    int rc = asw_store_resume(in->store, &hr, 1, res, 1, &trap, &err);
    return finish(in, rc, res, trap, &err);
}

/* The reply, timeout or dead-target error of a request-async call: runs handle-reply(corr,
 * status, data, len) with the payload in a block from alloc (the guest frees it; data 0 and
 * len 0 when there is none). status: 0 replied, ASW_E_TIMEOUT, or ASW_E_DEAD (the target died
 * with the request). */
static int deliver_reply(asw__inst_t *in, asw_msg_t *msg)
{
    if (!in->f_reply || in->async_pending == 0) {
        /* Not an async request of this instance (the runtime already dropped replies to
         * requests it does not know); count it rather than lose it silently. */
        atomic_fetch_add_explicit(&in->comp->dropped_replies, 1, memory_order_relaxed);
        return ASW_ACT_OK;
    }
    in->async_pending--;
    int32_t status = ASW_OK;
    const asw__hmsg_t *m = NULL;
    if (msg->type == ASW_MSG_TIMEOUT)
        status = msg->status ? msg->status : ASW_E_TIMEOUT;
    else if (msg->status < 0)
        status = msg->status;
    else
        m = msg->data;
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    asw_val_t res[1];
    uint32_t len = m ? m->len : 0, ptr = 0;
    fresh_budget(in);
    in->has_cur = false;
    in->calling = EXPORT_REPLY;
    arm(in);
    int v;
    if (len && !copy_in(in, m->bytes + m->from_len, len, &ptr, &v)) return v;
    asw_val_t args[4] = {asw_val_i64((int64_t)(msg->corr & INT64_MAX)), asw_val_i32(status),
                         asw_val_i32((int32_t)ptr), asw_val_i32((int32_t)len)};
    int rc = asw_func_call(in->f_reply, args, 4, res, 1, &trap, &err);
    return finish(in, rc, res, trap, &err);
}

/* A reply (or its timeout) for a suspended request: copy it into the guest's buffer. */
static int on_reply(asw__inst_t *in, asw_msg_t *msg)
{
    if (msg->corr != in->wait_corr) return ASW_ACT_SUSPEND; /* not ours: keep waiting */
    if (msg->type == ASW_MSG_TIMEOUT)
        return resume_with(in, msg->status ? msg->status : ASW_E_TIMEOUT);
    if (msg->status < 0) return resume_with(in, msg->status); /* the target crashed */
    const asw__hmsg_t *m = msg->data;
    uint32_t len = m ? m->len : 0;
    uint64_t size = asw_memory_size(in->memory);
    uint8_t *base = asw_memory_data(in->memory);
    /* The buffer was checked when the request was made, but memory may only grow: still in. */
    uint32_t n = len < in->reply_cap ? len : in->reply_cap;
    if ((uint64_t)in->reply_ptr + n > size || (uint64_t)in->reply_len_ptr + 4 > size)
        return resume_with(in, ASW_E_INVALID);
    if (n) memcpy(base + in->reply_ptr, m->bytes + m->from_len, n);
    memcpy(base + in->reply_len_ptr, &len, 4); /* wasm is little-endian, as are our targets */
    return resume_with(in, len > in->reply_cap ? ASW_E_OVERFLOW : (int32_t)n);
}

static int comp_behavior(asw_actor_t *self, asw_msg_t *msg)
{
    asw__inst_t *in = asw_actor_state(self);
    ASW_ASSERT(in && in->magic == ASW__INST_MAGIC);
    in->self = self;
    int v = ASW_ACT_OK;
    if (in->wait == ASW__WAIT_REPLY) {
        if (msg->type == ASW_MSG_REPLY || msg->type == ASW_MSG_TIMEOUT)
            v = on_reply(in, msg);
        else
            v = ASW_ACT_SUSPEND;
    } else if (in->wait == ASW__WAIT_SLEEP) {
        v = msg->type == ASW_MSG_RESUME ? resume_with(in, 0) : ASW_ACT_SUSPEND;
    } else if (msg->type == ASW__HOST_MSG) {
        v = deliver(in, msg);
    } else if (msg->type == ASW_MSG_REPLY || msg->type == ASW_MSG_TIMEOUT) {
        v = deliver_reply(in, msg); /* the runtime passes only replies of pending requests */
    }
    /* Anything else (a spurious resume, a monitor message) is ignored. */
    in->self = NULL;
    return v;
}

/* Runs a start hook of a new incarnation on its actor (messaging works, waiting does not). On
 * failure the instance is freed and the failure recorded as a crash ("<failed> failed: ..."). */
static int start_hook_on_actor(asw_actor_t *self, asw__inst_t *in, asw_func_t *f,
                               const asw_val_t *args, size_t nargs, const char *what,
                               const char *failed)
{
    asw_error_t err = {0};
    in->self = self;
    int rc = call_hook(in, f, args, nargs, what, ASW__HOOK_START, 0, &err);
    in->self = NULL;
    if (rc) {
        record_crash(in->comp, "%s failed: %s", failed, asw_error_message(&err));
        inst_free(in);
    }
    return rc;
}

static int comp_pre_start(asw_actor_t *self)
{
    asw_component_t *c = asw_actor_state(self);
    ASW_ASSERT(c && c->magic == ASW__COMP_MAGIC);
    asw__inst_t *in = NULL;
    asw__inst_t *first = c->first;
    int rc;
    if (first && __atomic_compare_exchange_n(&c->first, &first, NULL, false, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE)) {
        in = first;
    } else {
        asw_error_t err = {0};
        if ((rc = inst_new(c, &in, &err))) {
            record_crash(c, "restart failed: %s", asw_error_message(&err));
            return rc;
        }
        uint64_t n = atomic_fetch_add_explicit(&c->restarts, 1, memory_order_relaxed) + 1;
        asw__host_log(c->host, ASW_LOG_INFO, c->name, "restarted with a fresh instance");
        asw_val_t a = asw_val_i32(n > INT32_MAX ? INT32_MAX : (int32_t)n);
        if (in->f_post_restart && (rc = start_hook_on_actor(self, in, in->f_post_restart, &a, 1,
                                                            EXPORT_POST_RESTART, "restart")))
            return rc;
    }
    /* Every incarnation, before its first message. */
    if (in->f_start &&
        (rc = start_hook_on_actor(self, in, in->f_start, NULL, 0, EXPORT_START, "start")))
        return rc;
    asw_actor_set_state(self, in);
    return 0;
}

/* The incarnation ends. A graceful stop (reason 0: asw_actor_stop, the supervisor or the host
 * shutting down; ASW_E_CLOSED: the supervisor went away) first runs the guest's pre-stop with
 * fresh fuel and a deadline of at most PRE_STOP_MAX_NS; a failure there is logged, nothing
 * more. A crash does not run it (the instance is in an unknown state). A call suspended in
 * request or sleep is abandoned first, and a request it was handling is answered with
 * ASW_E_DEAD. Requests still outstanding are counted in dropped_replies: their replies will
 * reach a dead actor (the next incarnation is a new actor) and be dropped by the runtime. */
static void comp_post_stop(asw_actor_t *self, int reason)
{
    asw__inst_t *in = asw_actor_state(self);
    if (!in || in->magic != ASW__INST_MAGIC) return;
    asw_component_t *c = in->comp;
    in->self = self;
    uint64_t lost = in->async_pending + (in->wait == ASW__WAIT_REPLY);
    if (in->wait != ASW__WAIT_NONE) {
        asw_store_abandon(in->store);
        in->wait = ASW__WAIT_NONE;
    }
    answer_dead(in);
    if (in->f_pre_stop && (reason == 0 || reason == ASW_E_CLOSED)) {
        asw_error_t err = {0};
        if (call_hook(in, in->f_pre_stop, NULL, 0, EXPORT_PRE_STOP, ASW__HOOK_STOP, PRE_STOP_MAX_NS,
                      &err))
            asw__host_log(c->host, ASW_LOG_WARN, c->name, "%s", asw_error_message(&err));
    }
    if (lost) {
        atomic_fetch_add_explicit(&c->dropped_replies, lost, memory_order_relaxed);
        asw__host_log(c->host, ASW_LOG_DEBUG, c->name,
                      "%llu outstanding request(s) dropped with the instance",
                      (unsigned long long)lost);
    }
    in->self = NULL;
    asw_actor_set_state(self, c);
    inst_free(in);
}

/* ------------------------------------------------------------------ the service actor */

static int service_behavior(asw_actor_t *self, asw_msg_t *msg)
{
    asw_host_t *h = asw_actor_state(self);
    if (msg->type == ASW__SVC_WAKE) {
        (void)asw_actor_resume(h->sys, (asw_actor_id_t)msg->word);
    } else if (msg->type == ASW_MSG_DOWN) {
        /* While the host is freed every supervisor goes down: nobody reads the states any
         * more, and scanning all components per DOWN would make the teardown quadratic. */
        if (atomic_load_explicit(&h->closing, memory_order_acquire)) return ASW_ACT_OK;
        pthread_mutex_lock(&h->mu);
        for (size_t i = 0; i < h->ncomps; i++) {
            asw_component_t *c = h->comps[i];
            if (atomic_load(&c->sup_id) != msg->from) continue;
            int st = msg->status == 0 ? ASW_COMPONENT_STOPPED : ASW_COMPONENT_FAILED;
            atomic_store(&c->state, st);
            if (st == ASW_COMPONENT_FAILED)
                asw__host_log(h, ASW_LOG_ERROR, c->name,
                              "restart intensity exceeded (%u within %llu ms): escalated, "
                              "component stopped",
                              c->sup.max_restarts,
                              (unsigned long long)(c->sup.within_ns / 1000000u));
        }
        pthread_mutex_unlock(&h->mu);
    }
    return ASW_ACT_OK;
}

/* ------------------------------------------------------------------ the host */

int asw_host_new(const asw_host_opts_t *opts, asw_host_t **out_host, asw_error_t *out_err)
{
    if (!opts || !out_host) return asw__errorf(out_err, ASW_E_INVALID, "host: NULL argument");
    *out_host = NULL;
    asw_host_t *h = asw__calloc(1, sizeof *h);
    if (!h) return asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
    int rc = ASW_OK;
    if (pthread_mutex_init(&h->mu, NULL)) {
        asw__free(h);
        return asw__errorf(out_err, ASW_E_NOMEM, "host: cannot create a lock");
    }
    h->trust = opts->trust;
    h->approvals = opts->approvals;
    h->dev_mode = opts->dev_mode;
    h->log = opts->log;
    h->log_ud = opts->log_ud;
    h->log_level = opts->log_level;
    h->max_message_bytes = opts->max_message_bytes ? opts->max_message_bytes : DEFAULT_MAX_MESSAGE;
    h->default_pages = opts->default_memory_pages ? opts->default_memory_pages : DEFAULT_PAGES;
    h->default_fuel = opts->default_fuel;
    h->default_timeout_ns =
        opts->default_timeout_ns ? opts->default_timeout_ns : DEFAULT_TIMEOUT_NS;
    h->mailbox_capacity = opts->mailbox_capacity;
    h->prefault = !opts->no_prefault;
    if (opts->engine) {
        h->engine = opts->engine;
    } else {
        if ((rc = asw_engine_new(NULL, &h->engine, out_err))) goto fail;
        h->own_engine = true;
    }
    if (opts->sec) {
        h->sec = opts->sec;
        h->audit = opts->audit;
    } else {
        if ((rc = asw_sec_new(opts->audit, &h->sec, out_err))) goto fail;
        h->own_sec = true;
        h->audit = opts->audit;
    }
    if (opts->storage_dir && (rc = asw_storage_open(opts->storage_dir, NULL, &h->storage, out_err)))
        goto fail;
    if ((rc = asw_imports_new(&h->imports, out_err))) goto fail;
    if ((rc = define_imports(h->imports, h, out_err))) goto fail;
    if (opts->system) {
        h->sys = opts->system;
    } else {
        if ((rc = asw_system_new(opts->system_opts, &h->sys, out_err))) goto fail;
        h->own_sys = true;
    }
    if ((rc = asw_broker_new(h->sys, &h->broker, out_err))) goto fail;
    asw_actor_opts_t so = {.behavior = service_behavior, .state = h};
    if ((rc = asw_spawn(h->sys, &so, &h->service, out_err))) goto fail;
    *out_host = h;
    return ASW_OK;
fail:
    asw_host_free(h);
    return rc;
}

/* Stops every component's supervisor and waits for it to end. */
static void stop_components(asw_host_t *h)
{
    pthread_mutex_lock(&h->mu);
    size_t n = h->ncomps;
    pthread_mutex_unlock(&h->mu);
    for (size_t i = 0; i < n; i++) {
        asw_actor_id_t sup = atomic_load(&h->comps[i]->sup_id);
        if (sup) (void)asw_actor_stop(h->sys, sup, 0, false);
    }
    uint64_t until = asw__now_ns() + 2000000000u;
    for (size_t i = 0; i < n; i++) {
        asw_actor_id_t sup = atomic_load(&h->comps[i]->sup_id);
        while (sup && asw_actor_alive(h->sys, sup)) {
            if (asw__now_ns() > until) {
                (void)asw_actor_stop(h->sys, sup, 0, true);
                until = asw__now_ns() + 1000000000u;
            }
            asw__host_nap_ns(100000);
        }
    }
}

static void proto_release(asw_component_proto_t *p);

static void comp_free(asw_component_t *c)
{
    inst_free(c->first);
    asw_storage_ns_close(atomic_load(&c->ns));
    proto_release(c->proto); /* owns the manifest and the module reference */
    pthread_mutex_destroy(&c->mu);
    asw__free(c->name);
    asw__free(c);
}

void asw_host_free(asw_host_t *h)
{
    if (!h) return;
    atomic_store_explicit(&h->closing, true, memory_order_release);
    if (h->sys) {
        if (h->own_sys) {
            asw_system_shutdown(h->sys, 1000000000u);
        } else {
            stop_components(h);
            if (h->service) (void)asw_actor_stop(h->sys, h->service, 0, false);
        }
    }
    asw__host_sups_free(h); /* supervise.c: after every tree ended, before the components */
    for (size_t i = 0; i < h->ncomps; i++) {
        if (h->sec) (void)asw_sec_unregister(h->sec, h->comps[i]->name);
        comp_free(h->comps[i]);
    }
    asw__free(h->comps);
    asw_broker_free(h->broker);
    if (h->own_sys) asw_system_free(h->sys);
    for (size_t i = 0; i < h->ncache; i++)
        asw_module_free(h->cache[i].module);
    asw__free(h->cache);
    asw_imports_free(h->imports);
    asw_storage_close(h->storage);
    if (h->own_sec) asw_sec_free(h->sec);
    if (h->own_engine) asw_engine_free(h->engine);
    pthread_mutex_destroy(&h->mu);
    asw__free(h);
}

asw_system_t *asw_host_system(asw_host_t *host)
{
    return host ? host->sys : NULL;
}
asw_engine_t *asw_host_engine(asw_host_t *host)
{
    return host ? host->engine : NULL;
}
asw_sec_t *asw_host_sec(asw_host_t *host)
{
    return host ? host->sec : NULL;
}
asw_broker_t *asw_host_broker(asw_host_t *host)
{
    return host ? host->broker : NULL;
}

/* ------------------------------------------------------------------ loading */

int asw__host_check_name(const char *what, const char *s, asw_error_t *out_err)
{
    size_t n = strlen(s);
    bool ok = n > 0 && n <= NAME_MAX_LEN;
    for (size_t i = 0; ok && i < n; i++) {
        char ch = s[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '_' || ch == '-' || ch == '.';
    }
    if (ok) return ASW_OK;
    return asw__errorf(out_err, ASW_E_INVALID,
                       "%s name '%.64s' must be 1-64 characters of A-Z a-z 0-9 _ - .", what, s);
}

/* Waits until the first incarnation of a component started by supervisor `sup` is registered
 * under `name` (the supervisor spawns it from a worker). Spins, then yields the CPU (a sleep
 * would cost a timer slack of ~50 us per load); gives up after 5 s or when `sup` died. */
static void wait_registered(asw_host_t *h, const char *name, asw_actor_id_t sup)
{
    uint64_t deadline = 0;
    for (unsigned spins = 0; asw_whereis(h->sys, name) == ASW_ACTOR_NONE; spins++) {
        if (spins < 64) continue;
        if (!asw_actor_alive(h->sys, sup)) return;
        uint64_t now = asw__now_ns();
        if (!deadline) deadline = now + UINT64_C(5000000000);
        if (now > deadline) return;
        if (spins > 4096)
            asw__host_nap_ns(50000);
        else
            sched_yield();
    }
}

/* Returns a referenced compiled module for bytes (cached by SHA-256). */
static int cached_module(asw_host_t *h, const uint8_t sha[32], const uint8_t *bytes, size_t len,
                         asw_module_t **out, asw_error_t *out_err)
{
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->ncache; i++) {
        if (memcmp(h->cache[i].sha, sha, 32) == 0) {
            *out = asw_module_ref(h->cache[i].module);
            pthread_mutex_unlock(&h->mu);
            return ASW_OK;
        }
    }
    pthread_mutex_unlock(&h->mu);
    asw_module_t *m = NULL;
    int rc = asw_module_compile(h->engine, bytes, len, &m, out_err);
    if (rc) return rc;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->ncache; i++) { /* compiled concurrently by another load */
        if (memcmp(h->cache[i].sha, sha, 32) == 0) {
            asw_module_free(m);
            *out = asw_module_ref(h->cache[i].module);
            pthread_mutex_unlock(&h->mu);
            return ASW_OK;
        }
    }
    if (h->ncache == h->capcache) {
        size_t cap = h->capcache ? h->capcache * 2 : 8;
        void *nc = asw__reallocarray(h->cache, cap, sizeof *h->cache);
        if (!nc) {
            pthread_mutex_unlock(&h->mu);
            asw_module_free(m);
            return asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
        }
        h->cache = nc;
        h->capcache = cap;
    }
    memcpy(h->cache[h->ncache].sha, sha, 32);
    h->cache[h->ncache++].module = m;
    *out = asw_module_ref(m);
    pthread_mutex_unlock(&h->mu);
    return ASW_OK;
}

static void audit_trust(asw_host_t *h, const char *name, const char *source, const char *result,
                        const char *reason)
{
    if (!h->audit) return;
    asw_audit_record_t r = {ASW_AUDIT_TRUST, name, source, "run", result, reason};
    (void)asw_audit_log(h->audit, &r);
}

/* Trust, approval: on ASW_OK *caps holds the granted set (owned). */
static int approve(asw_host_t *h, const asw_component_source_t *src, const asw_manifest_t *m,
                   const char *name, const uint8_t sha[32], asw_trust_level_t *out_trust,
                   asw_capset_t **caps, asw_error_t *out_err)
{
    uint8_t signer[ASW_SIG_PUBLIC_KEY_BYTES];
    bool signed_ok = false;
    int rc;
    if (src->sig) {
        rc = asw_sig_verify(src->sig, src->sig_len, src->module, src->module_len,
                            (const uint8_t *)src->manifest, src->manifest_len, NULL, signer,
                            out_err);
        if (rc) {
            asw__error_prefix(out_err, "component '%s': ", name);
            return rc;
        }
        signed_ok = true;
    }
    asw_trust_result_t tr = {ASW_TRUST_UNKNOWN, "no trust registry", NULL};
    asw_trust_subject_t subj = {sha, src->path, src->git_url, src->git_branch,
                                signed_ok ? signer : NULL};
    if (h->trust && (rc = asw_trust_determine(h->trust, &subj, &tr)))
        return asw__errorf(out_err, rc, "component '%s': trust decision failed", name);
    if (tr.level == ASW_TRUST_UNKNOWN && h->dev_mode) {
        tr.level = ASW_TRUST_DEV;
        tr.reason = "dev mode";
    }
    *out_trust = tr.level;
    const char *source = src->path      ? src->path
                         : src->git_url ? src->git_url
                         : m->source    ? m->source
                                        : name;
    audit_trust(h, name, source, asw_trust_level_name(tr.level), tr.reason);
    if (h->approvals) {
        asw_approval_request_t req = {name, sha, source, tr.level, *caps};
        char id[ASW_APPROVAL_ID_LEN + 1] = "";
        asw_capset_t *granted = NULL;
        rc = asw_approval_submit(h->approvals, &req, id, &granted, out_err);
        if (rc == ASW_E_PENDING)
            return asw__errorf(out_err, ASW_E_PENDING,
                               "component '%s' (%s) needs approval: request %s is pending; "
                               "approve it with `airssys approvals approve %s`",
                               name, asw_trust_level_name(tr.level), id, id);
        if (rc) {
            asw__error_prefix(out_err, "component '%s': ", name);
            return rc;
        }
        asw_capset_free(*caps);
        *caps = granted;
    } else if (tr.level == ASW_TRUST_UNKNOWN) {
        return asw__errorf(out_err, ASW_E_PENDING,
                           "component '%s' is not trusted (%s) and no approval store is "
                           "configured: trust its signing key or module hash, or run in dev mode",
                           name, tr.reason);
    }
    if (tr.level == ASW_TRUST_DEV)
        asw__host_log(h, ASW_LOG_WARN, name,
                      "DEV MODE: running without approval, with every capability it requests");
    return ASW_OK;
}

/* ---- prototypes: a component prepared once (signature, trust, approval, manifest, compiled
 * module) and spawned as many instances as wanted ---- */

struct asw_component_proto {
    asw_host_t *host;
    _Atomic uint32_t refs; /* the caller's + one per component spawned from it */
    char *name;            /* the name approval was asked under */
    char *source;          /* path, git url, manifest source or name: for audit records */
    asw_manifest_t *manifest;
    asw_module_t *module; /* a reference from the host's compile cache */
    asw_capset_t *caps;   /* the granted capabilities (self id = name); copied per spawn */
    asw_trust_level_t trust;
    bool needs_wasi;
};

static void proto_release(asw_component_proto_t *p)
{
    if (!p || atomic_fetch_sub(&p->refs, 1) != 1) return;
    asw_manifest_free(p->manifest);
    asw_module_free(p->module);
    asw_capset_free(p->caps);
    asw__free(p->source);
    asw__free(p->name);
    asw__free(p);
}

void asw_component_proto_free(asw_component_proto_t *proto)
{
    proto_release(proto);
}

const char *asw_component_proto_name(const asw_component_proto_t *proto)
{
    return proto ? proto->name : NULL;
}

int asw_host_prepare(asw_host_t *h, const asw_component_source_t *src,
                     asw_component_proto_t **out_proto, asw_error_t *out_err)
{
    if (out_proto) *out_proto = NULL;
    if (!h || !src || !src->module || !src->manifest || !out_proto)
        return asw__errorf(out_err, ASW_E_INVALID, "host: NULL argument");
    asw_manifest_t *m = NULL;
    asw_capset_t *caps = NULL;
    asw_module_t *mod = NULL;
    asw_component_proto_t *p = NULL;
    int rc = asw_manifest_parse(src->manifest, src->manifest_len, &m, out_err);
    if (rc) return rc;
    const char *name = src->name ? src->name : m->name;
    if ((rc = asw__host_check_name("component", name, out_err))) goto fail;
    uint8_t sha[32];
    if ((rc = asw_sha256(src->module, src->module_len, sha))) {
        asw__errorf(out_err, rc, "host: SHA-256 failed");
        goto fail;
    }
    if ((rc = asw_capset_new(name, &caps, out_err))) goto fail;
    for (size_t i = 0; i < m->ncaps; i++)
        if ((rc = asw_capset_add(caps, &m->caps[i].spec, out_err))) goto fail;
    asw_trust_level_t trust = ASW_TRUST_UNKNOWN;
    if ((rc = approve(h, src, m, name, sha, &trust, &caps, out_err))) goto fail;
    if ((rc = cached_module(h, sha, src->module, src->module_len, &mod, out_err))) goto fail;
    const char *source = src->path      ? src->path
                         : src->git_url ? src->git_url
                         : m->source    ? m->source
                                        : name;
    p = asw__calloc(1, sizeof *p);
    if (!p || !(p->name = asw__strdup(name)) || !(p->source = asw__strdup(source))) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
        goto fail;
    }
    p->host = h;
    atomic_init(&p->refs, 1);
    p->trust = trust;
    for (size_t i = 0, n = asw_module_import_count(mod); i < n; i++) {
        asw_import_desc_t d;
        if (asw_module_import(mod, i, &d) == ASW_OK && strcmp(d.module, ASW_WASI_MODULE) == 0)
            p->needs_wasi = true;
    }
    p->manifest = m;
    p->module = mod;
    p->caps = caps;
    *out_proto = p;
    return ASW_OK;
fail:
    if (p) {
        asw__free(p->source);
        asw__free(p->name);
        asw__free(p);
    }
    asw_module_free(mod);
    asw_capset_free(caps);
    asw_manifest_free(m);
    return rc;
}

/* A copy of the prototype's granted capabilities under the instance's name. */
static int caps_for(const asw_component_proto_t *p, const char *name, asw_capset_t **out,
                    asw_error_t *out_err)
{
    asw_capset_t *caps = NULL;
    int rc = asw_capset_new(name, &caps, out_err);
    for (size_t i = 0, n = asw_capset_count(p->caps); rc == ASW_OK && i < n; i++) {
        asw_cap_spec_t spec;
        if ((rc = asw_capset_get(p->caps, i, &spec)) == ASW_OK)
            rc = asw_capset_add(caps, &spec, out_err);
        else
            asw__errorf(out_err, rc, "host: cannot copy capability %zu", i);
    }
    if (rc) {
        asw_capset_free(caps);
        return rc;
    }
    *out = caps;
    return ASW_OK;
}

static int spawn_proto(asw_host_t *h, asw_component_proto_t *p, const char *name,
                       asw_host_sup_t *hsup, bool audit, asw_component_t **out_comp,
                       asw_error_t *out_err)
{
    if (out_comp) *out_comp = NULL;
    if (!h || !p) return asw__errorf(out_err, ASW_E_INVALID, "host: NULL argument");
    if (p->host != h)
        return asw__errorf(out_err, ASW_E_INVALID,
                           "host: component '%s' was prepared by another host", p->name);
    if (!name) name = p->name;
    int rc = asw__host_check_name("component", name, out_err);
    if (rc) return rc;
    if (hsup && (rc = asw__host_sup_check(h, hsup, out_err))) /* supervise.c: not started yet */
        return rc;
    asw_capset_t *caps = NULL;
    asw_component_t *c = NULL;
    bool registered = false;
    rc = caps_for(p, name, &caps, out_err);
    if (rc) return rc;
    c = asw__calloc(1, sizeof *c);
    if (!c || pthread_mutex_init(&c->mu, NULL)) {
        asw__free(c);
        c = NULL;
        rc = asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
        goto fail;
    }
    c->magic = ASW__COMP_MAGIC;
    c->host = h;
    c->proto = p;
    atomic_fetch_add(&p->refs, 1);
    c->trust = p->trust;
    c->module = p->module;
    c->manifest = p->manifest;
    c->needs_wasi = p->needs_wasi;
    if (!(c->name = asw__strdup(name))) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
        goto fail;
    }
    if (audit) {
        char why[128];
        snprintf(why, sizeof why, "instance of prepared component '%s'", p->name);
        audit_trust(h, name, p->source, asw_trust_level_name(p->trust), why);
    }
    asw_engine_config_t ec;
    asw_engine_config_init(&ec);
    c->limits = ec.default_limits;
    uint64_t pages =
        c->manifest->memory_bytes ? (c->manifest->memory_bytes + 65535) / 65536 : h->default_pages;
    c->limits.max_memory_pages = pages > 65536 ? 65536 : (uint32_t)pages;
    c->limits.max_instances = 1;
    c->fuel = c->manifest->fuel ? c->manifest->fuel : h->default_fuel;
    c->timeout_ns = c->manifest->timeout_ns ? c->manifest->timeout_ns : h->default_timeout_ns;
    asw_sec_ctx_t *ctx = NULL;
    if ((rc = asw_sec_register(h->sec, c->name, caps, &c->manifest->quota, &ctx, out_err))) {
        if (rc == ASW_E_EXISTS)
            asw__errorf(out_err, rc, "a component named '%s' is already loaded", c->name);
        goto fail;
    }
    caps = NULL;
    registered = true;
    c->sec = ctx;
    if ((rc = inst_new(c, &c->first, out_err))) goto fail;

    /* Supervision: the manifest's, else permanent, 3 restarts within 5 s, immediate. */
    const asw_manifest_t *mm = c->manifest;
    c->hooks.pre_start = comp_pre_start;
    c->hooks.post_stop = comp_post_stop;
    c->child.actor.behavior = comp_behavior;
    c->child.actor.state = c;
    c->child.actor.hooks = &c->hooks;
    c->child.actor.name = c->name;
    c->child.actor.mailbox_capacity = h->mailbox_capacity;
    c->child.restart = mm->has_supervision ? mm->restart : ASW_PERMANENT;
    c->child.shutdown_timeout_ns = 1000000000u;
    c->sup.strategy = ASW_ONE_FOR_ONE;
    c->sup.max_restarts = mm->has_supervision ? mm->max_restarts : 3;
    c->sup.within_ns = mm->has_supervision ? mm->within_ns : 5000000000u;
    c->sup.backoff = mm->has_supervision ? mm->backoff : ASW_BACKOFF_IMMEDIATE;
    c->sup.backoff_base_ns = mm->backoff_base_ns;
    c->sup.backoff_max_ns = mm->backoff_max_ns;
    c->sup.children = &c->child;
    c->sup.nchildren = 1;

    pthread_mutex_lock(&h->mu);
    if (h->ncomps == h->capcomps) {
        size_t cap = h->capcomps ? h->capcomps * 2 : 16;
        void *nc = asw__reallocarray(h->comps, cap, sizeof *h->comps);
        if (!nc) {
            pthread_mutex_unlock(&h->mu);
            rc = asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
            goto fail;
        }
        h->comps = nc;
        h->capcomps = cap;
    }
    h->comps[h->ncomps++] = c;
    pthread_mutex_unlock(&h->mu);

    if (hsup) { /* it starts with its supervisor's tree (supervise.c) */
        if ((rc = asw__host_sup_adopt(h, hsup, c, out_err))) {
            atomic_store(&c->state, ASW_COMPONENT_FAILED);
            return rc;
        }
        if (out_comp) *out_comp = c;
        return ASW_OK;
    }
    asw_actor_id_t sup = ASW_ACTOR_NONE;
    rc = asw_supervisor_start(h->sys, &c->sup, &sup, out_err);
    if (rc) {
        /* Keep the record (it is in the list) but mark it failed; nothing runs. */
        atomic_store(&c->state, ASW_COMPONENT_FAILED);
        asw__error_prefix(out_err, "component '%s': ", c->name);
        return rc;
    }
    atomic_store(&c->sup_id, sup);
    uint64_t ref;
    (void)asw_monitor(h->sys, h->service, sup, &ref);
    /* Wait until the first incarnation is registered, so the name resolves on return. */
    wait_registered(h, c->name, sup);
    if (h->prefault) asw__host_prefault(c);
    if (out_comp) *out_comp = c;
    return ASW_OK;
fail:
    if (c) {
        if (registered) (void)asw_sec_unregister(h->sec, c->name);
        comp_free(c);
    }
    asw_capset_free(caps);
    return rc;
}

int asw_host_spawn(asw_host_t *h, asw_component_proto_t *proto, const char *name,
                   asw_host_sup_t *supervisor, asw_component_t **out_comp, asw_error_t *out_err)
{
    return spawn_proto(h, proto, name, supervisor, true, out_comp, out_err);
}

int asw_host_load(asw_host_t *h, const asw_component_source_t *src, asw_component_t **out_comp,
                  asw_error_t *out_err)
{
    if (out_comp) *out_comp = NULL;
    if (!h || !src || !src->module || !src->manifest)
        return asw__errorf(out_err, ASW_E_INVALID, "host: NULL argument");
    if (src->supervisor) { /* fail before any work (and any approval request) */
        int src_rc = asw__host_sup_check(h, src->supervisor, out_err);
        if (src_rc) return src_rc;
    }
    asw_component_proto_t *p = NULL;
    int rc = asw_host_prepare(h, src, &p, out_err);
    if (rc) return rc;
    rc = spawn_proto(h, p, NULL, src->supervisor, false, out_comp, out_err);
    proto_release(p); /* the component keeps its own reference */
    return rc;
}

int asw_host_load_files(asw_host_t *h, const char *module_path, const char *manifest_path,
                        const char *name, asw_component_t **out_comp, asw_error_t *out_err)
{
    if (!h || !module_path || !manifest_path)
        return asw__errorf(out_err, ASW_E_INVALID, "host: NULL argument");
    uint8_t *mod = NULL, *man = NULL, *sig = NULL;
    char *sigpath = NULL;
    size_t modlen = 0, manlen = 0, siglen = 0;
    int rc = asw__read_file(module_path, 0, &mod, &modlen, out_err);
    if (!rc) rc = asw__read_file(manifest_path, 0, &man, &manlen, out_err);
    if (!rc) {
        size_t n = strlen(module_path);
        if (!(sigpath = asw__malloc(n + 5)))
            rc = asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
        else {
            memcpy(sigpath, module_path, n);
            memcpy(sigpath + n, ".sig", 5);
            asw_error_t ignore = {0};
            if (asw__read_file(sigpath, 0, &sig, &siglen, &ignore)) sig = NULL;
        }
    }
    if (!rc) {
        char abs[ASW_PATH_MAX];
        const char *path = module_path[0] == '/' ? module_path : NULL;
        if (!path && realpath(module_path, abs)) path = abs;
        asw_component_source_t s = {
            mod,  modlen, (const char *)man, manlen, (const char *)sig, siglen, path, NULL, NULL,
            name, NULL};
        rc = asw_host_load(h, &s, out_comp, out_err);
    }
    asw__free(mod);
    asw__free(man);
    asw__free(sig);
    asw__free(sigpath);
    return rc;
}

/* ------------------------------------------------------------------ queries */

asw_component_t *asw_host_find(asw_host_t *h, const char *name)
{
    if (!h || !name) return NULL;
    asw_component_t *r = NULL;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->ncomps && !r; i++)
        if (strcmp(h->comps[i]->name, name) == 0) r = h->comps[i];
    pthread_mutex_unlock(&h->mu);
    return r;
}

size_t asw_host_count(asw_host_t *h)
{
    if (!h) return 0;
    pthread_mutex_lock(&h->mu);
    size_t n = h->ncomps;
    pthread_mutex_unlock(&h->mu);
    return n;
}

asw_component_t *asw_host_component(asw_host_t *h, size_t i)
{
    if (!h) return NULL;
    pthread_mutex_lock(&h->mu);
    asw_component_t *c = i < h->ncomps ? h->comps[i] : NULL;
    pthread_mutex_unlock(&h->mu);
    return c;
}

const char *asw_component_name(const asw_component_t *comp)
{
    return comp ? comp->name : NULL;
}

void asw_component_info(asw_component_t *c, asw_component_info_t *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!c) return;
    out->name = c->name;
    out->state = atomic_load(&c->state);
    out->actor = asw_whereis(c->host->sys, c->name);
    out->trust = c->trust;
    out->handled = atomic_load(&c->handled);
    out->sent = atomic_load(&c->sent);
    out->denied = atomic_load(&c->denied);
    out->crashes = atomic_load(&c->crashes);
    out->restarts = atomic_load(&c->restarts);
    out->linear_bytes = atomic_load(&c->linear_bytes);
    out->dropped_replies = atomic_load(&c->dropped_replies);
    pthread_mutex_lock(&c->mu);
    memcpy(out->last_error, c->last_error, sizeof out->last_error);
    pthread_mutex_unlock(&c->mu);
}

size_t asw_component_overhead_bytes(asw_component_t *c)
{
    if (!c) return 0;
    size_t n = sizeof *c + strlen(c->name) + 1 + asw_sec_context_bytes(c->sec);
    return n;
}

/* ------------------------------------------------------------------ messages from the host */

int asw_host_send(asw_host_t *h, const char *target, const void *data, size_t len,
                  asw_error_t *out_err)
{
    if (!h || !target || (!data && len))
        return asw__errorf(out_err, ASW_E_INVALID, "host: NULL argument");
    if (len > h->max_message_bytes)
        return asw__errorf(out_err, ASW_E_LIMIT, "message of %zu bytes is over the limit of %llu",
                           len, (unsigned long long)h->max_message_bytes);
    asw_actor_id_t id = asw_whereis(h->sys, target);
    if (!id) return asw__errorf(out_err, ASW_E_NOT_FOUND, "no running component '%s'", target);
    asw__hmsg_t *m = asw__hmsg_new(ASW__KIND_SEND, "", 0, data, len);
    if (!m) return asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
    asw_msg_t msg = {.type = ASW__HOST_MSG, .data = m, .len = len, .drop = asw__hmsg_drop};
    int rc = asw_send(h->sys, id, &msg, out_err);
    if (rc) {
        asw__free(m);
        if (rc == ASW_E_DEAD)
            return asw__errorf(out_err, ASW_E_NOT_FOUND, "component '%s' is not running", target);
    }
    return rc;
}

/* asw_host_request: a short-lived actor sends the request and waits for the reply. */
typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    int rc;
    asw_actor_id_t target;
    asw__hmsg_t *req;
    uint64_t timeout_ns;
    void *reply;
    size_t reply_len;
} waiter_t;

static void waiter_finish(waiter_t *w, int rc)
{
    pthread_mutex_lock(&w->mu);
    w->rc = rc;
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static int waiter_behavior(asw_actor_t *self, asw_msg_t *msg)
{
    waiter_t *w = asw_actor_state(self);
    if (msg->type == ASW__HOST_MSG && w->req) {
        asw_msg_t q = {
            .type = ASW__HOST_MSG, .data = w->req, .len = w->req->len, .drop = asw__hmsg_drop};
        uint64_t corr;
        int rc = asw_request(self, w->target, &q, w->timeout_ns, 0, &corr, NULL);
        if (rc) { /* not sent: the payload is still ours */
            asw__free(w->req);
            w->req = NULL;
            waiter_finish(w, rc == ASW_E_DEAD ? ASW_E_NOT_FOUND : rc);
            return ASW_ACT_STOP;
        }
        w->req = NULL; /* the runtime owns it now */
        return ASW_ACT_OK;
    }
    if (msg->type == ASW_MSG_REPLY && msg->status < 0) {
        waiter_finish(w, msg->status);
        return ASW_ACT_STOP;
    }
    if (msg->type == ASW_MSG_REPLY) {
        const asw__hmsg_t *m = msg->data;
        size_t n = m ? m->len : 0;
        w->reply = asw__malloc(n ? n : 1);
        if (!w->reply) {
            waiter_finish(w, ASW_E_NOMEM);
            return ASW_ACT_STOP;
        }
        if (n) memcpy(w->reply, m->bytes + m->from_len, n);
        w->reply_len = n;
        waiter_finish(w, ASW_OK);
        return ASW_ACT_STOP;
    }
    if (msg->type == ASW_MSG_TIMEOUT) {
        waiter_finish(w, msg->status ? msg->status : ASW_E_TIMEOUT);
        return ASW_ACT_STOP;
    }
    return ASW_ACT_OK;
}

int asw_host_request(asw_host_t *h, const char *target, const void *data, size_t len,
                     uint64_t timeout_ns, void **out_reply, size_t *out_len, asw_error_t *out_err)
{
    if (!h || !target || (!data && len) || !out_reply || !out_len)
        return asw__errorf(out_err, ASW_E_INVALID, "host: NULL argument");
    *out_reply = NULL;
    *out_len = 0;
    if (len > h->max_message_bytes)
        return asw__errorf(out_err, ASW_E_LIMIT, "message of %zu bytes is over the limit of %llu",
                           len, (unsigned long long)h->max_message_bytes);
    asw_actor_id_t id = asw_whereis(h->sys, target);
    if (!id) return asw__errorf(out_err, ASW_E_NOT_FOUND, "no running component '%s'", target);
    waiter_t w = {.target = id, .timeout_ns = timeout_ns ? timeout_ns : DEFAULT_TIMEOUT_NS};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    int rc = ASW_OK;
    w.req = asw__hmsg_new(ASW__KIND_SEND, "", 0, data, len);
    if (!w.req) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
        goto out;
    }
    asw_actor_opts_t ao = {.behavior = waiter_behavior, .state = &w};
    asw_actor_id_t wid;
    if ((rc = asw_spawn(h->sys, &ao, &wid, out_err))) {
        asw__free(w.req);
        goto out;
    }
    asw_msg_t go = {.type = ASW__HOST_MSG};
    if ((rc = asw_send(h->sys, wid, &go, out_err))) {
        asw__free(w.req);
        goto out;
    }
    pthread_mutex_lock(&w.mu);
    while (!w.done)
        pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    /* The waiter stops right after signalling; wait until it is gone (it borrows w). */
    while (asw_actor_alive(h->sys, wid))
        asw__host_nap_ns(10000);
    rc = w.rc;
    if (rc == ASW_OK) {
        *out_reply = w.reply;
        *out_len = w.reply_len;
    } else if (rc == ASW_E_TIMEOUT) {
        asw__errorf(out_err, rc, "no reply from '%s' in time", target);
    } else if (rc == ASW_E_DEAD) {
        asw__errorf(out_err, rc, "component '%s' died with the request", target);
    } else {
        asw__errorf(out_err, rc, "request to '%s' failed: %s", target, asw_strerror(rc));
    }
out:
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return rc;
}

void asw_host_buffer_free(void *buf)
{
    asw__free(buf);
}

int asw_host_publish(asw_host_t *h, const char *topic, const void *data, size_t len,
                     size_t *out_delivered, asw_error_t *out_err)
{
    if (out_delivered) *out_delivered = 0;
    if (!h || !topic || (!data && len))
        return asw__errorf(out_err, ASW_E_INVALID, "host: NULL argument");
    if (len > h->max_message_bytes)
        return asw__errorf(out_err, ASW_E_LIMIT, "message of %zu bytes is over the limit", len);
    asw__hmsg_t *m = asw__hmsg_new(ASW__KIND_TOPIC, topic, strlen(topic), data, len);
    if (!m) return asw__errorf(out_err, ASW_E_NOMEM, "host: out of memory");
    asw_msg_t msg = {.type = ASW__HOST_MSG, .data = m, .len = len, .drop = asw__hmsg_drop};
    int rc = asw_broker_publish(h->broker, topic, &msg, out_delivered, out_err);
    if (rc) asw__free(m);
    return rc;
}

int asw_host_quiesce(asw_host_t *h, uint64_t timeout_ns)
{
    if (!h) return ASW_E_INVALID;
    return asw_system_quiesce(h->sys, timeout_ns);
}
