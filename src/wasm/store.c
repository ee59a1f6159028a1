/*
 * src/wasm/store.c -- stores: limits, the objects a store owns, fuel and interrupt settings,
 * and the suspended-call entry points (resume / abandon) that forward to the executor.
 *
 * A store is used by one thread at a time; only `interrupt` is written by other threads
 * (atomically). Freeing a store frees, in order: the executor state, instances (each dropping
 * its module reference), then memories, tables, globals and host functions created through the
 * API, running host finalizers.
 */
#include "wasm/runtime.h"

#include <string.h>

int asw_store_new(asw_engine_t *engine, const asw_store_limits_t *limits, asw_store_t **out_store,
                  asw_error_t *out_err)
{
    if (!engine || !out_store)
        return asw__errorf(out_err, ASW_E_INVALID,
                           "asw_store_new: engine and out_store are required");
    *out_store = NULL;
    asw_store_t *s = asw__calloc(1, sizeof *s);
    if (!s) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory creating a store");
    s->engine = engine;
    s->limits = engine->config.default_limits;
    if (limits) asw__limits_merge(&s->limits, limits);
    s->fuel = UINT64_MAX;
    s->fuel_mode = ASW_FUEL_TRAP;
    atomic_init(&s->interrupt, 0);
    s->bytes_runtime = sizeof *s;
    *out_store = s;
    return ASW_OK;
}

void asw_store_free(asw_store_t *s)
{
    if (!s) return;
    asw__engine_forget_store(s->engine, s);
    asw__exec_free(s);
    for (asw_instance_t *i = s->instances, *n; i; i = n) {
        n = i->next;
        asw__instance_destroy(i);
    }
    for (asw_memory_t *m = s->memories, *n; m; m = n) {
        n = m->next;
        asw__memory_deinit(m);
        asw__free(m);
    }
    for (asw_table_t *t = s->tables, *n; t; t = n) {
        n = t->next;
        asw__table_deinit(t);
        asw__free(t);
    }
    for (asw_global_t *g = s->globals, *n; g; g = n) {
        n = g->next;
        asw__free(g);
    }
    for (asw_func_t *f = s->host_funcs, *n; f; f = n) {
        n = f->next_host;
        if (f->finalizer) f->finalizer(f->user_data);
        asw__free((void *)f->types);
        asw__free(f);
    }
    asw__free(s);
}

void asw_store_set_data(asw_store_t *s, void *data)
{
    if (s) s->data = data;
}

void *asw_store_data(const asw_store_t *s)
{
    return s ? s->data : NULL;
}

void asw_store_set_fuel(asw_store_t *s, uint64_t fuel)
{
    if (!s) return;
    s->fuel = fuel;
    s->fuel_limited = true;
}

void asw_store_add_fuel(asw_store_t *s, uint64_t fuel)
{
    if (!s) return;
    if (!s->fuel_limited) {
        s->fuel = 0;
        s->fuel_limited = true;
    }
    s->fuel = fuel > UINT64_MAX - s->fuel ? UINT64_MAX : s->fuel + fuel;
}

uint64_t asw_store_fuel(const asw_store_t *s)
{
    if (!s || !s->fuel_limited) return UINT64_MAX;
    return s->fuel;
}

void asw_store_set_fuel_mode(asw_store_t *s, asw_fuel_mode_t mode)
{
    if (s && (mode == ASW_FUEL_TRAP || mode == ASW_FUEL_SUSPEND)) s->fuel_mode = (uint8_t)mode;
}

void asw_store_interrupt(asw_store_t *s, asw_interrupt_t kind)
{
    if (!s || (kind != ASW_INTERRUPT_KILL && kind != ASW_INTERRUPT_SUSPEND)) return;
    atomic_store(&s->interrupt, (uint32_t)kind);
}

void asw_store_clear_interrupt(asw_store_t *s)
{
    if (s) atomic_store(&s->interrupt, 0);
}

asw_suspend_reason_t asw_store_suspended(const asw_store_t *s)
{
    return s ? (asw_suspend_reason_t)s->suspended : ASW_SUSPEND_NONE;
}

int asw_store_resume(asw_store_t *s, const asw_val_t *host_results, size_t nhost,
                     asw_val_t *out_results, size_t nresults, asw_trap_t **out_trap,
                     asw_error_t *out_err)
{
    if (out_trap) *out_trap = NULL;
    if (!s) return asw__errorf(out_err, ASW_E_INVALID, "asw_store_resume: store is NULL");
    if (s->suspended == ASW_SUSPEND_NONE)
        return asw__errorf(out_err, ASW_E_STATE, "asw_store_resume: no call is suspended");
    if (nhost && !host_results)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_store_resume: host_results is NULL");
    if (nresults && !out_results)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_store_resume: out_results is NULL");
    return asw__exec_resume(s, host_results, nhost, out_results, nresults, out_trap, out_err);
}

void asw_store_abandon(asw_store_t *s)
{
    if (s && s->suspended != ASW_SUSPEND_NONE) asw__exec_abandon(s);
}

int asw_store_exit_code(const asw_store_t *s)
{
    return s ? s->exit_code : 0;
}

void asw_store_stats(const asw_store_t *s, asw_store_stats_t *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!s) return;
    out->instances = s->ninstances;
    out->memories = s->nmemories;
    out->tables = s->ntables;
    out->bytes_runtime = s->bytes_runtime;
    for (asw_instance_t *i = s->instances; i; i = i->next)
        for (uint32_t k = i->module->nimported_memories; k < i->module->nmemories; k++)
            out->bytes_linear += i->memories[k]->size;
    for (asw_memory_t *m = s->memories; m; m = m->next)
        out->bytes_linear += m->size;
}
