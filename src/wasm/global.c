/*
 * src/wasm/global.c -- globals created through the API (those defined by a module live inside
 * their instance's allocation) and the public get/set/type calls for both.
 */
#include "wasm/runtime.h"

static bool valtype_ok(uint8_t t)
{
    return t == ASW_I32 || t == ASW_I64 || t == ASW_F32 || t == ASW_F64 || t == ASW_FUNCREF ||
           t == ASW_EXTERNREF;
}

int asw_global_new(asw_store_t *store, uint8_t type, bool mutable_, const asw_val_t *init,
                   asw_global_t **out_global, asw_error_t *out_err)
{
    if (!store || !init || !out_global)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_global_new: missing argument");
    *out_global = NULL;
    if (!valtype_ok(type) || init->kind != type)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_global_new: value does not match the type");
    asw_global_t *g = asw__calloc(1, sizeof *g);
    if (!g) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory");
    g->type = type;
    g->mutable_ = mutable_;
    g->val = asw__val_to_cell(init);
    g->store = store;
    g->next = store->globals;
    store->globals = g;
    store->bytes_runtime += sizeof *g;
    *out_global = g;
    return ASW_OK;
}

void asw_global_get(const asw_global_t *g, asw_val_t *out_val)
{
    if (!g || !out_val) return;
    *out_val = asw__cell_to_val(g->val, g->type);
}

int asw_global_set(asw_global_t *g, const asw_val_t *val)
{
    if (!g || !val || !g->mutable_ || val->kind != g->type) return ASW_E_INVALID;
    if (g->type == ASW_FUNCREF && val->of.funcref && val->of.funcref->store != g->store)
        return ASW_E_INVALID;
    g->val = asw__val_to_cell(val);
    return ASW_OK;
}

void asw_global_type(const asw_global_t *g, uint8_t *out_type, bool *out_mutable)
{
    if (!g) return;
    if (out_type) *out_type = g->type;
    if (out_mutable) *out_mutable = g->mutable_;
}
