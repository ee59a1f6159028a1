/*
 * src/wasm/imports.c -- import sets: (module, name) -> a host function definition or an
 * existing object, used by asw_instance_new to resolve a module's imports.
 *
 * Lookup is a hash of the two names (open addressing), so resolving a module with many imports
 * against a large set (WASI has ~45 functions) stays linear. Names are compared with their
 * lengths: wasm names are UTF-8 and may contain U+0000. A later definition of the same pair
 * replaces the earlier one.
 */
#include "wasm/imports_int.h"

#include <string.h>

static uint32_t hash_names(const char *m, size_t ml, const char *n, size_t nl)
{
    uint32_t h = asw__fnv1a(ASW__FNV_BASIS, m, ml);
    h = asw__fnv1a(h, "\xff", 1); /* between the two names */
    return asw__fnv1a(h, n, nl);
}

int asw_imports_new(asw_imports_t **out, asw_error_t *out_err)
{
    if (!out) return asw__errorf(out_err, ASW_E_INVALID, "asw_imports_new: out is NULL");
    *out = asw__calloc(1, sizeof **out);
    if (!*out) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory");
    return ASW_OK;
}

void asw_imports_free(asw_imports_t *im)
{
    if (!im) return;
    for (uint32_t i = 0; i < im->count; i++) {
        asw__free(im->entries[i].module);
        asw__free(im->entries[i].name);
        asw__free(im->entries[i].types);
    }
    asw__free(im->entries);
    asw__free(im->slots);
    asw__free(im);
}

const asw__import_entry_t *asw__imports_find(const asw_imports_t *im, const char *module,
                                             size_t module_len, const char *name, size_t name_len)
{
    if (!im || !im->nslots) return NULL;
    uint32_t h = hash_names(module, module_len, name, name_len);
    for (uint32_t j = h & (im->nslots - 1); im->slots[j]; j = (j + 1) & (im->nslots - 1)) {
        const asw__import_entry_t *e = &im->entries[im->slots[j] - 1];
        if (e->hash == h && e->module_len == module_len && e->name_len == name_len &&
            memcmp(e->module, module, module_len) == 0 && memcmp(e->name, name, name_len) == 0)
            return e;
    }
    return NULL;
}

static int rehash(asw_imports_t *im, uint32_t nslots)
{
    uint32_t *slots = asw__calloc(nslots, sizeof *slots);
    if (!slots) return ASW_E_NOMEM;
    for (uint32_t i = 0; i < im->count; i++) {
        uint32_t j = im->entries[i].hash & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = i + 1;
    }
    asw__free(im->slots);
    im->slots = slots;
    im->nslots = nslots;
    return ASW_OK;
}

/* Returns the entry for (module, name), new (zeroed but for the names) or existing (cleared). */
static asw__import_entry_t *slot_for(asw_imports_t *im, const char *module, const char *name,
                                     asw_error_t *out_err)
{
    size_t ml = strlen(module), nl = strlen(name);
    asw__import_entry_t *e = (asw__import_entry_t *)asw__imports_find(im, module, ml, name, nl);
    if (e) {
        asw__free(e->types);
        e->types = NULL;
        return e;
    }
    if ((im->count + 1) * 2 > im->nslots && rehash(im, im->nslots ? im->nslots * 2 : 32))
        goto nomem;
    if (im->count == im->cap) {
        uint32_t cap = im->cap ? im->cap * 2 : 16;
        asw__import_entry_t *ne = asw__reallocarray(im->entries, cap, sizeof *ne);
        if (!ne) goto nomem;
        im->entries = ne;
        im->cap = cap;
    }
    e = &im->entries[im->count];
    memset(e, 0, sizeof *e);
    e->module = asw__strdup(module);
    e->name = asw__strdup(name);
    if (!e->module || !e->name) {
        asw__free(e->module);
        asw__free(e->name);
        goto nomem;
    }
    e->module_len = ml;
    e->name_len = nl;
    e->hash = hash_names(module, ml, name, nl);
    uint32_t j = e->hash & (im->nslots - 1);
    while (im->slots[j])
        j = (j + 1) & (im->nslots - 1);
    im->slots[j] = ++im->count;
    return e;
nomem:
    asw__errorf(out_err, ASW_E_NOMEM, "out of memory adding import %s.%s", module, name);
    return NULL;
}

static bool valtypes_ok(const uint8_t *t, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (t[i] != ASW_I32 && t[i] != ASW_I64 && t[i] != ASW_F32 && t[i] != ASW_F64 &&
            t[i] != ASW_FUNCREF && t[i] != ASW_EXTERNREF)
            return false;
    return true;
}

int asw_imports_define_func(asw_imports_t *im, const char *module, const char *name,
                            const asw_functype_t *type, asw_host_fn fn, void *user_data,
                            asw_error_t *out_err)
{
    if (!im || !module || !name || !type || !fn)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_imports_define_func: missing argument");
    if (type->nparams > ASW__MAX_PARAMS || type->nresults > ASW__MAX_RESULTS ||
        (type->nparams && !type->params) || (type->nresults && !type->results) ||
        !valtypes_ok(type->params, type->nparams) || !valtypes_ok(type->results, type->nresults))
        return asw__errorf(out_err, ASW_E_INVALID,
                           "asw_imports_define_func: invalid type for %s.%s", module, name);
    size_t n = (size_t)type->nparams + type->nresults;
    uint8_t *types = asw__malloc(n ? n : 1);
    if (!types) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory");
    if (type->nparams) memcpy(types, type->params, type->nparams);
    if (type->nresults) memcpy(types + type->nparams, type->results, type->nresults);
    asw__import_entry_t *e = slot_for(im, module, name, out_err);
    if (!e) {
        asw__free(types);
        return ASW_E_NOMEM;
    }
    e->is_def = true;
    e->types = types;
    e->nparams = type->nparams;
    e->nresults = type->nresults;
    e->fn = fn;
    e->user_data = user_data;
    return ASW_OK;
}

int asw_imports_add_extern(asw_imports_t *im, const char *module, const char *name,
                           const asw_extern_t *ext, asw_error_t *out_err)
{
    if (!im || !module || !name || !ext || !ext->of.func)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_imports_add_extern: missing argument");
    if (ext->kind > ASW_EXTERN_GLOBAL)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_imports_add_extern: bad extern kind");
    asw__import_entry_t *e = slot_for(im, module, name, out_err);
    if (!e) return ASW_E_NOMEM;
    e->is_def = false;
    e->ext = *ext;
    return ASW_OK;
}

int asw_imports_add_instance(asw_imports_t *im, const char *module, asw_instance_t *inst,
                             asw_error_t *out_err)
{
    if (!im || !module || !inst)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_imports_add_instance: missing argument");
    const asw_module_t *m = inst->module;
    for (uint32_t i = 0; i < m->nexports; i++) {
        asw_extern_t ext;
        int rc = asw_instance_export(inst, m->exports[i].name, &ext);
        if (rc) return asw__errorf(out_err, rc, "export %s not found", m->exports[i].name);
        rc = asw_imports_add_extern(im, module, m->exports[i].name, &ext, out_err);
        if (rc) return rc;
    }
    return ASW_OK;
}
