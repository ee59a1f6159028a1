/*
 * src/wasm/table.c -- tables of references: creation, growth within limits, and the public
 * table API.
 *
 * elems[0 .. size) are asw_func_t * (funcref) or host pointers (externref); NULL is null.
 * Capacity grows geometrically but never beyond the effective maximum (the smaller of the
 * declared maximum and the store's max_table_elements), so a hostile table.grow cannot make the
 * host allocate more than the limit allows.
 */
#include "wasm/runtime.h"

#include <string.h>

int asw__table_init(asw_table_t *t, asw_store_t *store, uint8_t elem_type,
                    const asw_limits_type_t *declared, void *init, asw_error_t *out_err)
{
    ASW_ASSERT(t && store && declared);
    memset(t, 0, sizeof *t);
    t->store = store;
    t->elem_type = elem_type;
    t->declared = *declared;
    uint64_t max = declared->has_max ? declared->max : ASW__MAX_TABLE_SIZE;
    if (max > store->limits.max_table_elements) max = store->limits.max_table_elements;
    t->max = (uint32_t)max;
    if (declared->min > t->max)
        return asw__errorf(out_err, ASW_E_LIMIT,
                           "table of %llu elements exceeds the limit of %u elements",
                           (unsigned long long)declared->min, t->max);
    t->size = (uint32_t)declared->min;
    t->capacity = t->size;
    if (t->size) {
        t->elems = asw__calloc(t->size, sizeof(void *));
        if (!t->elems) {
            t->size = t->capacity = 0;
            return asw__errorf(out_err, ASW_E_NOMEM, "out of memory for a table of %u elements",
                               (unsigned)declared->min);
        }
        if (init)
            for (uint32_t i = 0; i < t->size; i++)
                t->elems[i] = init;
    }
    return ASW_OK;
}

void asw__table_deinit(asw_table_t *t)
{
    if (!t) return;
    asw__free(t->elems);
    t->elems = NULL;
    t->size = t->capacity = 0;
}

int64_t asw__table_grow(asw_table_t *t, uint32_t delta, void *init)
{
    uint32_t old = t->size;
    if ((uint64_t)old + delta > t->max) return -1;
    uint32_t need = old + delta;
    if (need > t->capacity) {
        uint64_t cap = (uint64_t)t->capacity * 2;
        if (cap < need) cap = need;
        if (cap < 8) cap = 8;
        if (cap > t->max) cap = t->max;
        void **ne = asw__reallocarray(t->elems, (size_t)cap, sizeof(void *));
        if (!ne) return -1;
        t->elems = ne;
        t->capacity = (uint32_t)cap;
    }
    for (uint32_t i = old; i < need; i++)
        t->elems[i] = init;
    t->size = need;
    return old;
}

/* ------------------------------------------------------------------ public API */

static bool ref_kind_ok(uint8_t elem_type, const asw_val_t *v)
{
    return v && v->kind == elem_type;
}

int asw_table_new(asw_store_t *store, uint8_t elem_type, const asw_limits_type_t *limits,
                  const asw_val_t *init, asw_table_t **out_table, asw_error_t *out_err)
{
    if (!store || !limits || !out_table)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_table_new: missing argument");
    *out_table = NULL;
    if (elem_type != ASW_FUNCREF && elem_type != ASW_EXTERNREF)
        return asw__errorf(out_err, ASW_E_INVALID,
                           "asw_table_new: element type must be a reference");
    if (init && !ref_kind_ok(elem_type, init))
        return asw__errorf(out_err, ASW_E_INVALID, "asw_table_new: init value has the wrong type");
    if ((limits->has_max && limits->min > limits->max) || limits->min > ASW__MAX_TABLE_SIZE)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_table_new: invalid limits");
    if (store->ntables >= store->limits.max_tables)
        return asw__errorf(out_err, ASW_E_LIMIT, "store limit of %u tables reached",
                           store->limits.max_tables);
    asw_table_t *t = asw__malloc(sizeof *t);
    if (!t) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory");
    int rc =
        asw__table_init(t, store, elem_type, limits, init ? init->of.externref : NULL, out_err);
    if (rc) {
        asw__free(t);
        return rc;
    }
    t->next = store->tables;
    store->tables = t;
    store->ntables++;
    store->bytes_runtime += sizeof *t + (size_t)t->capacity * sizeof(void *);
    *out_table = t;
    return ASW_OK;
}

uint32_t asw_table_size(const asw_table_t *t)
{
    return t ? t->size : 0;
}

int asw_table_get(const asw_table_t *t, uint32_t index, asw_val_t *out_val)
{
    if (!t || !out_val) return ASW_E_INVALID;
    if (index >= t->size) return ASW_E_INVALID;
    out_val->kind = t->elem_type;
    out_val->of.externref = t->elems[index];
    return ASW_OK;
}

int asw_table_set(asw_table_t *t, uint32_t index, const asw_val_t *val)
{
    if (!t || !ref_kind_ok(t->elem_type, val) || index >= t->size) return ASW_E_INVALID;
    if (t->elem_type == ASW_FUNCREF && val->of.funcref && val->of.funcref->store != t->store)
        return ASW_E_INVALID;
    t->elems[index] = val->of.externref;
    return ASW_OK;
}

int asw_table_grow(asw_table_t *t, uint32_t delta, const asw_val_t *init, uint32_t *out_old_size)
{
    if (!t || (init && !ref_kind_ok(t->elem_type, init))) return ASW_E_INVALID;
    int64_t old = asw__table_grow(t, delta, init ? init->of.externref : NULL);
    if (old < 0) return ASW_E_LIMIT;
    if (out_old_size) *out_old_size = (uint32_t)old;
    return ASW_OK;
}

void asw_table_type(const asw_table_t *t, uint8_t *out_elem, asw_limits_type_t *out_limits)
{
    if (!t) return;
    if (out_elem) *out_elem = t->elem_type;
    if (out_limits) {
        out_limits->min = t->size;
        out_limits->max = t->declared.max;
        out_limits->has_max = t->declared.has_max;
    }
}
