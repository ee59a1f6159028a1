/*
 * src/wasm/func.c -- functions as API objects: calling with typed, checked values; host
 * functions created directly in a store; and the caller context a host function receives.
 *
 * asw_func_call checks every argument against the function's type before anything runs, so the
 * executor can trust its inputs; a funcref argument must belong to the same store.
 */
#include "wasm/runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *type_name(uint8_t t)
{
    switch (t) {
    case ASW_I32: return "i32";
    case ASW_I64: return "i64";
    case ASW_F32: return "f32";
    case ASW_F64: return "f64";
    case ASW_FUNCREF: return "funcref";
    case ASW_EXTERNREF: return "externref";
    default: return "unknown";
    }
}

int asw_func_call(asw_func_t *f, const asw_val_t *args, size_t nargs, asw_val_t *out_results,
                  size_t nresults, asw_trap_t **out_trap, asw_error_t *out_err)
{
    if (out_trap) *out_trap = NULL;
    if (!f) return asw__errorf(out_err, ASW_E_INVALID, "asw_func_call: function is NULL");
    asw_store_t *s = f->store;
    if (s->suspended != ASW_SUSPEND_NONE)
        return asw__errorf(out_err, ASW_E_STATE,
                           "the store has a suspended call: resume or abandon it first");
    if (nargs != f->nparams)
        return asw__errorf(out_err, ASW_E_INVALID, "expected %u arguments, got %zu", f->nparams,
                           nargs);
    if (nresults != f->nresults)
        return asw__errorf(out_err, ASW_E_INVALID, "the function returns %u results, room for %zu",
                           f->nresults, nresults);
    if ((nargs && !args) || (nresults && !out_results))
        return asw__errorf(out_err, ASW_E_INVALID, "asw_func_call: NULL argument or result array");
    for (size_t i = 0; i < nargs; i++) {
        if (args[i].kind != f->types[i])
            return asw__errorf(out_err, ASW_E_INVALID, "argument %zu: expected %s, got %s", i,
                               type_name(f->types[i]), type_name(args[i].kind));
        if (args[i].kind == ASW_FUNCREF && args[i].of.funcref && args[i].of.funcref->store != s)
            return asw__errorf(out_err, ASW_E_INVALID,
                               "argument %zu: funcref belongs to another store", i);
    }
    return asw__exec_call(s, f, args, nargs, out_results, nresults, out_trap, out_err);
}

void asw_func_type(const asw_func_t *f, asw_functype_t *out)
{
    if (!f || !out) return;
    out->nparams = f->nparams;
    out->nresults = f->nresults;
    out->params = f->types;
    out->results = f->types + f->nparams;
}

asw_store_t *asw_func_store(const asw_func_t *f)
{
    return f ? f->store : NULL;
}

/* Creates a host function in `store` with a copy of the type; linked into the store's list. */
int asw__func_new_host(asw_store_t *store, const uint8_t *types, uint32_t nparams,
                       uint32_t nresults, asw_host_fn fn, void *user_data,
                       void (*finalizer)(void *), asw_func_t **out_func, asw_error_t *out_err)
{
    size_t n = (size_t)nparams + nresults;
    asw_func_t *f = asw__calloc(1, sizeof *f);
    uint8_t *copy = asw__malloc(n ? n : 1);
    uint32_t id;
    if (!f || !copy || asw__engine_intern_type(store->engine, types, nparams, nresults, &id)) {
        asw__free(f);
        asw__free(copy);
        return asw__errorf(out_err, ASW_E_NOMEM, "out of memory creating a host function");
    }
    if (n) memcpy(copy, types, n);
    f->kind = ASW__FUNC_HOST;
    f->type_id = id;
    f->nparams = nparams;
    f->nresults = nresults;
    f->types = copy;
    f->store = store;
    f->host = fn;
    f->user_data = user_data;
    f->finalizer = finalizer;
    f->next_host = store->host_funcs;
    store->host_funcs = f;
    store->bytes_runtime += sizeof *f + n;
    *out_func = f;
    return ASW_OK;
}

int asw_func_new_host(asw_store_t *store, const asw_functype_t *type, asw_host_fn fn,
                      void *user_data, void (*finalizer)(void *), asw_func_t **out_func,
                      asw_error_t *out_err)
{
    if (!store || !type || !fn || !out_func)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_func_new_host: missing argument");
    *out_func = NULL;
    if (type->nparams > ASW__MAX_PARAMS || type->nresults > ASW__MAX_RESULTS ||
        (type->nparams && !type->params) || (type->nresults && !type->results))
        return asw__errorf(out_err, ASW_E_INVALID, "asw_func_new_host: invalid type");
    uint8_t buf[ASW__MAX_PARAMS + ASW__MAX_RESULTS];
    if (type->nparams) memcpy(buf, type->params, type->nparams);
    if (type->nresults) memcpy(buf + type->nparams, type->results, type->nresults);
    for (uint32_t i = 0; i < type->nparams + type->nresults; i++)
        if (buf[i] != ASW_I32 && buf[i] != ASW_I64 && buf[i] != ASW_F32 && buf[i] != ASW_F64 &&
            buf[i] != ASW_FUNCREF && buf[i] != ASW_EXTERNREF)
            return asw__errorf(out_err, ASW_E_INVALID, "asw_func_new_host: invalid value type");
    return asw__func_new_host(store, buf, type->nparams, type->nresults, fn, user_data, finalizer,
                              out_func, out_err);
}

/* ------------------------------------------------------------------ caller */

asw_store_t *asw_caller_store(asw_caller_t *c)
{
    return c ? c->store : NULL;
}

asw_instance_t *asw_caller_instance(asw_caller_t *c)
{
    return c ? c->instance : NULL;
}

asw_memory_t *asw_caller_memory(asw_caller_t *c)
{
    if (!c || !c->instance) return NULL;
    asw_memory_t *m = asw_instance_memory(c->instance, "memory");
    return m ? m : c->instance->mem0;
}

int asw_caller_trap(asw_caller_t *c, const char *fmt, ...)
{
    if (!c) return ASW_E_TRAP;
    char msg[ASW_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt ? fmt : "host trap", ap);
    va_end(ap);
    asw_trap_free(c->trap);
    c->trap = asw__trap_new(ASW_TRAP_HOST, msg);
    return ASW_E_TRAP;
}

int asw_caller_exit(asw_caller_t *c, int exit_code)
{
    if (c) c->exit_code = exit_code;
    return ASW_E_EXIT;
}
