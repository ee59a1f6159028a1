/*
 * src/wasm/exec.c -- the executor around the dispatch loop: entering wasm from the API
 * (asw__exec_call), resuming and abandoning suspended calls, and every slow path the loop
 * reaches through PROTECT: growing the value and frame stacks, calling host functions, fuel and
 * interrupt checkpoints, building traps with backtraces, and the bulk table/memory operations.
 *
 * Design. The exec state (value stack, frame stack) is attached to a store only while a call
 * runs or is suspended: when the outermost activation ends, it goes back to its thread's spare
 * slot, and the next call on that thread (any store) takes it. So a call allocates nothing in
 * the common case, and an idle store (an idle component: thousands of them) holds no stacks.
 * The stacks are not cleared between stores: validation guarantees that wasm writes every
 * operand cell before reading it, and locals are zeroed on entry. Each C-level activation of
 * the loop pushes a sentinel frame; a host function that calls back into wasm starts a nested
 * activation above the caller's frame (exec->top), after saving the outer activation's saved
 * state, which it restores on the way out. The call depth limit counts every frame (sentinels
 * included); nested activations are also capped (ASW__MAX_ACTIVATIONS) to bound C stack use.
 *
 * Invariants: a suspended call is always the outermost activation (its sentinel is frames[0]);
 * while suspended, exec->active == 0 and the frames stay as they were. After any completed,
 * trapped or exited activation, nframes is back to its value before the activation.
 *
 * It does NOT: check argument types (asw_func_call does), or implement memory/table growth
 * policy (memory.c / table.c).
 */
#include "wasm/exec.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define INIT_STACK_CELLS     512 /* 4 KiB */
#define INIT_FRAMES          32
#define ASW__MAX_ACTIVATIONS 1000
#define DEFAULT_CALL_DEPTH   10000
#define DEFAULT_STACK_BYTES  (8u << 20)
#define HOST_INLINE_VALS     16

#define SPARE_MAX_CELLS  (64u * 1024u) /* a bigger stack (512 KiB) is freed, not kept */
#define SPARE_MAX_FRAMES 4096u

/* One spare exec state per thread. The key only frees a worker thread's spare when it exits;
 * the main thread's stays reachable from its TLS until the process ends. */
static _Thread_local struct {
    asw__exec_t *exec;
    bool keyed; /* spare_key is set for this thread: its spare is freed when it exits */
} tl_spare ASW_TLS_IE;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static bool spare_key_ok;

/* Frees e with the allocator that made it (it may no longer be the current one). */
static void exec_destroy(asw__exec_t *e)
{
    asw_allocator_t a = e->alloc;
    if (e->trap) asw_trap_free(e->trap);
    a.free_fn(a.ud, e->stack);
    a.free_fn(a.ud, e->frames);
    a.free_fn(a.ud, e);
}

static void spare_thread_exit(void *unused)
{
    (void)unused;
    asw_thread_cache_free();
}

static void spare_key_init(void)
{
    spare_key_ok = pthread_key_create(&spare_key, spare_thread_exit) == 0;
}

static int exec_get(asw_store_t *store, asw__exec_t **out_exec, asw_error_t *out_err)
{
    asw__exec_t *e = store->exec;
    if (ASW_LIKELY(e != NULL)) {
        *out_exec = e;
        return ASW_OK;
    }
    e = tl_spare.exec;
    tl_spare.exec = NULL;
    if (e && e->alloc_gen != asw__alloc_generation()) { /* made by an allocator since replaced */
        exec_destroy(e);
        e = NULL;
    }
    if (!e) {
        e = asw__calloc(1, sizeof(*e));
        if (!e) goto nomem;
        e->alloc_gen = asw__alloc_generation();
        asw_get_allocator(&e->alloc);
        e->stack = asw__calloc(INIT_STACK_CELLS, sizeof(asw__cell_t));
        e->frames = asw__calloc(INIT_FRAMES, sizeof(asw__frame_t));
        if (!e->stack || !e->frames) goto nomem;
        e->stack_cap = INIT_STACK_CELLS;
        e->frames_cap = INIT_FRAMES;
    }
    e->store = store;
    uint32_t depth =
        store->limits.max_call_depth ? store->limits.max_call_depth : DEFAULT_CALL_DEPTH;
    e->max_frames = depth < 2 ? 2 : depth;
    if (e->frames_cap > e->max_frames) e->frames_cap = e->max_frames;
    size_t bytes =
        store->limits.max_stack_bytes ? store->limits.max_stack_bytes : DEFAULT_STACK_BYTES;
    e->stack_max = bytes / sizeof(asw__cell_t);
    if (e->stack_max < INIT_STACK_CELLS) e->stack_max = INIT_STACK_CELLS;
    if (e->stack_cap > e->stack_max) e->stack_cap = e->stack_max;
    store->exec = e;
    *out_exec = e;
    return ASW_OK;
nomem:
    if (e) {
        asw__free(e->stack);
        asw__free(e->frames);
        asw__free(e);
    }
    return asw__errorf(out_err, ASW_E_NOMEM, "out of memory creating the execution state");
}

/* The store's call is over (not running, not suspended): its exec state becomes this thread's
 * spare, or is freed when there already is one or it grew big. */
static void exec_release(asw_store_t *store)
{
    asw__exec_t *e = store->exec;
    if (!e || e->active != 0 || store->suspended != ASW_SUSPEND_NONE) return;
    store->exec = NULL;
    if (e->trap) {
        asw_trap_free(e->trap);
        e->trap = NULL;
    }
    if (ASW_UNLIKELY(!tl_spare.keyed)) {
        pthread_once(&spare_once, spare_key_init);
        tl_spare.keyed = spare_key_ok && pthread_setspecific(spare_key, &tl_spare) == 0;
    }
    if (tl_spare.exec || !tl_spare.keyed || e->stack_cap > SPARE_MAX_CELLS ||
        e->frames_cap > SPARE_MAX_FRAMES) {
        exec_destroy(e);
        return;
    }
    /* What a call reads before writing: the rest is set when the next call starts. */
    e->store = NULL;
    e->nframes = 0;
    e->top = 0;
    e->host_pending = NULL;
    e->host_toplevel = false;
    tl_spare.exec = e;
}

void asw_thread_cache_free(void)
{
    asw__exec_t *e = tl_spare.exec;
    tl_spare.exec = NULL;
    if (e) exec_destroy(e);
}

void asw__exec_free(asw_store_t *store)
{
    asw__exec_t *e = store ? store->exec : NULL;
    if (!e) return;
    exec_destroy(e);
    store->exec = NULL;
}

static int trap_exhausted(asw__exec_t *e)
{
    e->trap_kind = ASW_TRAP_STACK_EXHAUSTED;
    e->trap_msg = NULL;
    return ASW_E_TRAP;
}

int asw__exec_reserve(asw__exec_t *e, size_t off, size_t cells)
{
    if (e->nframes >= e->frames_cap) {
        if (e->frames_cap >= e->max_frames) return trap_exhausted(e);
        uint32_t ncap = e->frames_cap * 2;
        if (ncap > e->max_frames || ncap < e->frames_cap) ncap = e->max_frames;
        asw__frame_t *nf = asw__reallocarray(e->frames, ncap, sizeof(asw__frame_t));
        if (!nf) return trap_exhausted(e);
        e->frames = nf;
        e->frames_cap = ncap;
    }
    size_t need = off + cells;
    if (need > e->stack_cap) {
        if (need > e->stack_max) return trap_exhausted(e);
        size_t ncap = e->stack_cap * 2;
        if (ncap < need) ncap = need;
        if (ncap > e->stack_max) ncap = e->stack_max;
        asw__cell_t *ns = asw__reallocarray(e->stack, ncap, sizeof(asw__cell_t));
        if (!ns) return trap_exhausted(e);
        e->stack = ns;
        e->stack_cap = ncap;
    }
    return ASW_OK;
}

/* ---- traps ---- */

static uint32_t wasm_offset(const asw__cfunc_t *fn, const asw__code_t *pc)
{
    uint32_t at = (uint32_t)(pc - fn->code);
    uint32_t lo = 0, hi = fn->npcmap, best = 0;
    while (lo < hi) { /* last entry with map.pc <= at */
        uint32_t mid = lo + (hi - lo) / 2;
        if (fn->pcmap[mid].pc <= at) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return fn->npcmap ? fn->pcmap[best].off : 0;
}

/* Builds the pending trap with one frame per wasm frame of the activation above `sentinel`. */
static asw_trap_t *build_trap(asw__exec_t *e, uint32_t sentinel, bool with_frames)
{
    asw_trap_t *t = e->trap;
    e->trap = NULL;
    if (!t) {
        const char *msg = e->trap_msg ? e->trap_msg : asw__trap_kind_message(e->trap_kind);
        t = asw__trap_new(e->trap_kind, msg);
    }
    if (!t || !with_frames) return t;
    asw__trap_add_frame(t, e->fn->module, e->fn->func_index, wasm_offset(e->fn, e->pc));
    for (uint32_t i = e->nframes; i-- > sentinel + 1;) {
        const asw__frame_t *fr = &e->frames[i];
        if (!fr->fn) break;
        asw__trap_add_frame(t, fr->fn->module, fr->fn->func_index,
                            wasm_offset(fr->fn, fr->ret_pc - 1));
    }
    return t;
}

static int deliver_trap(asw_trap_t *t, asw_trap_t **out_trap, asw_error_t *out_err)
{
    if (!t) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory building a trap");
    asw__errorf(out_err, ASW_E_TRAP, "trap: %s", asw_trap_message(t));
    if (out_trap)
        *out_trap = t;
    else
        asw_trap_free(t);
    return ASW_E_TRAP;
}

/* ---- host calls ---- */

static asw__cell_t cell_of(uint8_t type, const asw_val_t *v)
{
    asw_val_t x = *v;
    x.kind = type;
    return asw__val_to_cell(&x);
}

static int suspend_here(asw__exec_t *e, asw_suspend_reason_t why)
{
    if (e->active > 1) {
        e->trap_kind = ASW_TRAP_HOST;
        e->trap_msg = "cannot suspend: the call is nested inside a host function call";
        return ASW_E_TRAP;
    }
    e->store->suspended = (uint8_t)why;
    return ASW_E_SUSPENDED;
}

/* Calls f with args/results in cells at stack[off ..] (when arg_cells) or in vals. */
static int call_host(asw__exec_t *e, asw_func_t *f, asw_instance_t *inst, asw_val_t *args,
                     asw_val_t *res)
{
    asw_caller_t caller;
    caller.store = e->store;
    caller.instance = inst;
    caller.func = f;
    caller.exit_code = 0;
    caller.trap = NULL;
    for (uint32_t i = 0; i < f->nresults; i++) {
        res[i].kind = f->types[f->nparams + i];
        res[i].of.i64 = 0;
    }
    int rc = f->host(&caller, f->user_data, args, f->nparams, res, f->nresults);
    if (rc == ASW_OK || rc == ASW_E_SUSPENDED) {
        if (caller.trap) asw_trap_free(caller.trap);
        return rc;
    }
    if (rc == ASW_E_EXIT) {
        if (caller.trap) asw_trap_free(caller.trap);
        e->store->exit_code = caller.exit_code;
        return rc;
    }
    if (rc == ASW_E_TRAP && caller.trap) {
        e->trap = caller.trap;
    } else {
        if (caller.trap) asw_trap_free(caller.trap);
        char buf[160];
        if (rc == ASW_E_TRAP)
            snprintf(buf, sizeof(buf), "host function trapped");
        else
            snprintf(buf, sizeof(buf), "host function failed: %s", asw_strerror(rc));
        e->trap = asw__trap_new(ASW_TRAP_HOST, buf);
        e->trap_kind = ASW_TRAP_HOST;
        e->trap_msg = "host function failed";
    }
    return ASW_E_TRAP;
}

int asw__exec_host(asw__exec_t *e, asw_func_t *f, size_t arg_off, uint32_t len)
{
    asw_val_t argbuf[HOST_INLINE_VALS], resbuf[HOST_INLINE_VALS];
    asw_val_t *args = argbuf, *res = resbuf;
    int rc;
    if (f->nparams > HOST_INLINE_VALS) args = asw__calloc(f->nparams, sizeof(asw_val_t));
    if (f->nresults > HOST_INLINE_VALS) res = asw__calloc(f->nresults, sizeof(asw_val_t));
    if (!args || !res) {
        e->trap_kind = ASW_TRAP_HOST;
        e->trap_msg = "out of memory calling a host function";
        rc = ASW_E_TRAP;
        goto done;
    }
    for (uint32_t i = 0; i < f->nparams; i++)
        args[i] = asw__cell_to_val(e->stack[arg_off + i], f->types[i]);
    rc = call_host(e, f, e->inst, args, res);
    if (rc == ASW_OK) {
        /* The host may have re-entered wasm: the stack may have moved. */
        for (uint32_t i = 0; i < f->nresults; i++)
            e->stack[arg_off + i] = cell_of(f->types[f->nparams + i], &res[i]);
    } else if (rc == ASW_E_SUSPENDED) {
        rc = suspend_here(e, ASW_SUSPEND_HOST);
        if (rc == ASW_E_SUSPENDED) {
            e->host_pending = f;
            e->host_res_off = arg_off;
            e->host_toplevel = false;
            e->pc += len; /* resume after the call, once the results are in */
        }
    }
done:
    if (args != argbuf) asw__free(args);
    if (res != resbuf) asw__free(res);
    return rc;
}

/* ---- checkpoints ---- */

int asw__exec_checkpoint(asw__exec_t *e, uint32_t cost)
{
    asw_store_t *store = e->store;
    uint32_t intr = atomic_load_explicit(&store->interrupt, memory_order_acquire);
    if (intr != 0 && atomic_compare_exchange_strong(&store->interrupt, &intr, 0)) {
        if (intr == ASW_INTERRUPT_SUSPEND) return suspend_here(e, ASW_SUSPEND_INTERRUPT);
        e->trap_kind = ASW_TRAP_INTERRUPTED;
        e->trap_msg = NULL;
        return ASW_E_TRAP;
    }
    if (!store->fuel_limited || store->fuel >= cost) return ASW_OK;
    if (store->fuel_mode == ASW_FUEL_SUSPEND) return suspend_here(e, ASW_SUSPEND_FUEL);
    e->trap_kind = ASW_TRAP_OUT_OF_FUEL;
    e->trap_msg = NULL;
    return ASW_E_TRAP;
}

/* ---- activations ---- */

/* The state of an outer activation that a nested one must give back. */
typedef struct saved {
    const asw__code_t *pc;
    size_t fp_off, top, entry_off;
    const asw__cfunc_t *fn;
    asw_instance_t *inst;
    asw_func_t *entry;
} saved_t;

static void save_outer(const asw__exec_t *e, saved_t *s)
{
    s->pc = e->pc;
    s->fp_off = e->fp_off;
    s->top = e->top;
    s->entry_off = e->entry_off;
    s->fn = e->fn;
    s->inst = e->inst;
    s->entry = e->entry;
}

static void restore_outer(asw__exec_t *e, const saved_t *s)
{
    e->pc = s->pc;
    e->fp_off = s->fp_off;
    e->top = s->top;
    e->entry_off = s->entry_off;
    e->fn = s->fn;
    e->inst = s->inst;
    e->entry = s->entry;
}

/* Runs the activation whose sentinel is frames[sentinel] and finishes it. */
static int run_activation(asw__exec_t *e, uint32_t sentinel, asw_val_t *out_results,
                          size_t nresults, asw_trap_t **out_trap, asw_error_t *out_err)
{
    asw_store_t *store = e->store;
    asw_func_t *f = e->entry;
    e->active++;
    store->call_depth_host = e->active;
    int rc = asw__interp_run(e);
    e->active--;
    store->call_depth_host = e->active;
    switch (rc) {
    case ASW_OK: {
        size_t n = nresults < f->nresults ? nresults : f->nresults;
        for (size_t i = 0; i < n; i++)
            out_results[i] = asw__cell_to_val(e->stack[e->entry_off + i], f->types[f->nparams + i]);
        return ASW_OK;
    }
    case ASW_E_SUSPENDED: return rc;
    case ASW_E_TRAP: {
        asw_trap_t *t = build_trap(e, sentinel, true);
        e->nframes = sentinel;
        return deliver_trap(t, out_trap, out_err);
    }
    case ASW_E_EXIT:
        e->nframes = sentinel;
        return asw__errorf(out_err, ASW_E_EXIT, "program exited with code %d", store->exit_code);
    default: e->nframes = sentinel; return rc;
    }
}

static int call_host_direct(asw__exec_t *e, asw_func_t *f, const asw_val_t *args, size_t nargs,
                            asw_val_t *out_results, size_t nresults, asw_trap_t **out_trap,
                            asw_error_t *out_err)
{
    asw_val_t argbuf[HOST_INLINE_VALS], resbuf[HOST_INLINE_VALS];
    asw_val_t *a = argbuf, *res = resbuf;
    int rc;
    if (f->nparams > HOST_INLINE_VALS) a = asw__calloc(f->nparams, sizeof(asw_val_t));
    if (f->nresults > HOST_INLINE_VALS) res = asw__calloc(f->nresults, sizeof(asw_val_t));
    if (!a || !res) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "out of memory calling a host function");
        goto done;
    }
    for (uint32_t i = 0; i < f->nparams; i++) {
        a[i] = i < nargs ? args[i] : asw_val_i64(0);
        a[i].kind = f->types[i];
    }
    rc = call_host(e, f, NULL, a, res);
    if (rc == ASW_OK) {
        size_t n = nresults < f->nresults ? nresults : f->nresults;
        for (size_t i = 0; i < n; i++)
            out_results[i] = asw__cell_to_val(cell_of(f->types[f->nparams + i], &res[i]),
                                              f->types[f->nparams + i]);
    } else if (rc == ASW_E_SUSPENDED) {
        if (e->active > 0) {
            e->trap_kind = ASW_TRAP_HOST;
            e->trap_msg = "cannot suspend: the call is nested inside a host function call";
            rc = deliver_trap(build_trap(e, 0, false), out_trap, out_err);
        } else {
            e->store->suspended = ASW_SUSPEND_HOST;
            e->host_pending = f;
            e->host_toplevel = true;
        }
    } else if (rc == ASW_E_TRAP) {
        rc = deliver_trap(build_trap(e, 0, false), out_trap, out_err);
    }
done:
    if (a != argbuf) asw__free(a);
    if (res != resbuf) asw__free(res);
    return rc;
}

int asw__exec_call(asw_store_t *store, asw_func_t *f, const asw_val_t *args, size_t nargs,
                   asw_val_t *out_results, size_t nresults, asw_trap_t **out_trap,
                   asw_error_t *out_err)
{
    ASW_ASSERT(store != NULL && f != NULL);
    asw__exec_t *e = NULL;
    if (out_trap) *out_trap = NULL;
    int rc = exec_get(store, &e, out_err);
    if (rc != ASW_OK) return rc;
    if (e->active == 0 && store->suspended != ASW_SUSPEND_NONE)
        return asw__errorf(out_err, ASW_E_STATE,
                           "the store has a suspended call: resume or abandon it first");
    if (e->active >= ASW__MAX_ACTIVATIONS) {
        trap_exhausted(e);
        return deliver_trap(build_trap(e, 0, false), out_trap, out_err);
    }
    if (f->kind != ASW__FUNC_WASM) {
        rc = call_host_direct(e, f, args, nargs, out_results, nresults, out_trap, out_err);
        exec_release(store);
        return rc;
    }

    const asw__cfunc_t *callee = f->code;
    saved_t outer;
    save_outer(e, &outer);
    size_t base = e->active ? e->top : 0;
    uint32_t sentinel = e->nframes;
    rc = asw__exec_reserve(e, base, callee->frame_size);
    if (rc != ASW_OK) {
        rc = deliver_trap(build_trap(e, 0, false), out_trap, out_err);
        goto out;
    }
    asw__frame_t *fr = &e->frames[e->nframes++];
    fr->fn = NULL;
    fr->ret_pc = NULL;
    fr->inst = NULL;
    fr->fp_off = base;
    asw__cell_t *fp = e->stack + base;
    for (uint32_t i = 0; i < callee->nparams; i++) {
        if (i < nargs) {
            fp[i] = cell_of(f->types[i], &args[i]);
        } else {
            fp[i].u64 = 0;
        }
    }
    if (callee->nlocals)
        memset(fp + callee->nparams, 0, (size_t)callee->nlocals * sizeof(asw__cell_t));
    e->pc = callee->code;
    e->fp_off = base;
    e->fn = callee;
    e->inst = f->instance;
    e->entry = f;
    e->entry_off = base;
    rc = run_activation(e, sentinel, out_results, nresults, out_trap, out_err);
    if (rc == ASW_E_SUSPENDED) return rc; /* outermost only: nothing to restore */
out:
    restore_outer(e, &outer);
    exec_release(store); /* the outermost call is over */
    return rc;
}

int asw__exec_resume(asw_store_t *store, const asw_val_t *host_results, size_t nhost,
                     asw_val_t *out_results, size_t nresults, asw_trap_t **out_trap,
                     asw_error_t *out_err)
{
    asw__exec_t *e = store->exec;
    if (out_trap) *out_trap = NULL;
    if (!e || store->suspended == ASW_SUSPEND_NONE)
        return asw__errorf(out_err, ASW_E_STATE, "no suspended call to resume");
    if (e->active != 0)
        return asw__errorf(out_err, ASW_E_STATE, "cannot resume while the store is running");
    if (store->suspended == ASW_SUSPEND_HOST) {
        asw_func_t *h = e->host_pending;
        if (nhost != h->nresults || (nhost && !host_results))
            return asw__errorf(out_err, ASW_E_INVALID,
                               "resume: the host function has %u results, got %zu", h->nresults,
                               nhost);
        for (size_t i = 0; i < nhost; i++) {
            if (host_results[i].kind != h->types[h->nparams + i])
                return asw__errorf(out_err, ASW_E_INVALID,
                                   "resume: host result %zu has the wrong type", i);
        }
        store->suspended = ASW_SUSPEND_NONE;
        e->host_pending = NULL;
        if (e->host_toplevel) {
            e->host_toplevel = false;
            size_t n = nresults < nhost ? nresults : nhost;
            for (size_t i = 0; i < n; i++)
                out_results[i] = host_results[i];
            exec_release(store);
            return ASW_OK;
        }
        for (size_t i = 0; i < nhost; i++)
            e->stack[e->host_res_off + i] = asw__val_to_cell(&host_results[i]);
    } else {
        if (nhost != 0)
            return asw__errorf(out_err, ASW_E_INVALID,
                               "resume: host results given but the call did not stop in a host "
                               "function");
        store->suspended = ASW_SUSPEND_NONE;
    }
    int rc = run_activation(e, 0, out_results, nresults, out_trap, out_err);
    exec_release(store);
    return rc;
}

void asw__exec_abandon(asw_store_t *store)
{
    asw__exec_t *e = store->exec;
    store->suspended = ASW_SUSPEND_NONE;
    if (!e || e->active != 0) return;
    e->nframes = 0;
    e->host_pending = NULL;
    e->host_toplevel = false;
    exec_release(store);
}

/* ---- bulk memory and table operations (bounds checked before any write) ---- */

int asw__exec_memory_init(asw_instance_t *inst, uint32_t seg, uint32_t d, uint32_t s, uint32_t n)
{
    const asw__data_t *ds = &inst->module->datas[seg];
    uint64_t len = (inst->data_dropped[seg] || ds->mode != ASW__SEG_PASSIVE) ? 0 : ds->len;
    asw_memory_t *m = inst->mem0;
    uint64_t msize = m ? m->size : 0;
    if ((uint64_t)s + n > len || (uint64_t)d + n > msize) return ASW_TRAP_MEMORY_OOB;
    if (n && m) /* m is NULL only when msize, hence n, is 0 */
        memcpy(m->data + d, inst->module->bytes + ds->bytes_offset + s, n);
    return 0;
}

static void *elem_value(asw_instance_t *inst, const asw__constexpr_t *item)
{
    switch (item->op) {
    case 0xD2: /* ref.func */ return inst->funcs[item->index];
    case 0x23: /* global.get */ return inst->globals[item->index]->val.ref;
    default: return NULL; /* ref.null */
    }
}

int asw__exec_table_init(asw_instance_t *inst, uint32_t ti, uint32_t seg, uint32_t d, uint32_t s,
                         uint32_t n)
{
    const asw__elem_t *es = &inst->module->elems[seg];
    asw_table_t *t = inst->tables[ti];
    uint64_t len = (inst->elem_dropped[seg] || es->mode != ASW__SEG_PASSIVE) ? 0 : es->count;
    if ((uint64_t)s + n > len || (uint64_t)d + n > t->size) return ASW_TRAP_TABLE_OOB;
    for (uint32_t i = 0; i < n; i++)
        t->elems[d + i] = elem_value(inst, &es->items[s + i]);
    return 0;
}

int asw__exec_table_copy(asw_instance_t *inst, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                         uint32_t n)
{
    asw_table_t *td = inst->tables[dt], *ts = inst->tables[st];
    if ((uint64_t)s + n > ts->size || (uint64_t)d + n > td->size) return ASW_TRAP_TABLE_OOB;
    if (n) memmove(td->elems + d, ts->elems + s, (size_t)n * sizeof(void *));
    return 0;
}

int asw__exec_table_fill(asw_instance_t *inst, uint32_t ti, uint32_t i, void *v, uint32_t n)
{
    asw_table_t *t = inst->tables[ti];
    if ((uint64_t)i + n > t->size) return ASW_TRAP_TABLE_OOB;
    for (uint32_t k = 0; k < n; k++)
        t->elems[i + k] = v;
    return 0;
}
