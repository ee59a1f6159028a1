/*
 * src/wasm/module.c -- the module object of the public API: compile (decode -> validate ->
 * intern types -> compile), validate-only, reference counting, and introspection (imports,
 * exports, custom sections, function names, summary counts).
 *
 * Design. A module is immutable once asw_module_compile returns; only its reference count
 * changes (atomically), so any number of threads may instantiate it and read it at once. The
 * module keeps its own copy of the bytes; everything returned by the introspection functions is
 * borrowed from it.
 *
 * Invariants: a module handed out has passed asw__decode and asw__validate, has every type
 * interned in its engine (types[i].type_id), and has been compiled by asw__compile. On any
 * failure the partial module is destroyed and nothing is handed out.
 *
 * Not here: the decoding (decode.c), the rules (validate.c), the compiled form (compile.c).
 */
#include "wasm/decode.h"
#include "wasm/runtime.h"

#include <string.h>

void asw__module_destroy(asw_module_t *module)
{
    if (!module) return;
    asw__compile_free(module);
    asw__module_free_decoded(module);
}

int asw_module_compile(asw_engine_t *engine, const uint8_t *bytes, size_t len,
                       asw_module_t **out_module, asw_error_t *out_err)
{
    asw_module_t *m = NULL;
    int rc;
    if (!out_module)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_module_compile: out_module is NULL");
    *out_module = NULL;
    if (!engine || (!bytes && len))
        return asw__errorf(out_err, ASW_E_INVALID, "asw_module_compile: %s is NULL",
                           engine ? "bytes" : "engine");
    if ((rc = asw__decode(engine, bytes, len, &m, out_err)) < 0) return rc;
    if ((rc = asw__validate(m, out_err)) < 0) goto fail;
    for (uint32_t i = 0; i < m->ntypes; i++) {
        asw__functype_t *ft = &m->types[i];
        rc = asw__engine_intern_type(engine, ft->types, ft->nparams, ft->nresults, &ft->type_id);
        if (rc < 0) {
            rc = asw__errorf(out_err, rc, "interning the module's function types: %s",
                             asw_strerror(rc));
            goto fail;
        }
    }
    if ((rc = asw__compile(m, out_err)) < 0) goto fail;
    *out_module = m;
    return ASW_OK;
fail:
    asw__module_destroy(m);
    return rc;
}

int asw_module_validate(asw_engine_t *engine, const uint8_t *bytes, size_t len,
                        asw_error_t *out_err)
{
    asw_module_t *m = NULL;
    if (!bytes && len)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_module_validate: bytes is NULL");
    int rc = asw__decode(engine, bytes, len, &m, out_err);
    if (rc < 0) return rc;
    rc = asw__validate(m, out_err);
    asw__module_free_decoded(m); /* never compiled */
    return rc;
}

asw_module_t *asw_module_ref(asw_module_t *module)
{
    if (module) atomic_fetch_add_explicit(&module->refcount, 1, memory_order_relaxed);
    return module;
}

void asw_module_free(asw_module_t *module)
{
    if (!module) return;
    if (atomic_fetch_sub_explicit(&module->refcount, 1, memory_order_acq_rel) == 1)
        asw__module_destroy(module);
}

/* ------------------------------------------------------------------ introspection */

static void fill_externtype(const asw_module_t *m, uint8_t kind, uint32_t index,
                            asw_externtype_t *out)
{
    memset(out, 0, sizeof *out);
    out->kind = (asw_extern_kind_t)kind;
    switch (kind) {
    case ASW_EXTERN_FUNC: {
        const asw__functype_t *ft = asw__module_func_type(m, index);
        out->of.func.nparams = ft->nparams;
        out->of.func.nresults = ft->nresults;
        out->of.func.params = ft->types;
        out->of.func.results = ft->types + ft->nparams;
        break;
    }
    case ASW_EXTERN_TABLE:
        out->of.table.elem = m->tables[index].elem_type;
        out->of.table.limits = m->tables[index].limits;
        break;
    case ASW_EXTERN_MEMORY: out->of.memory = m->memories[index].limits; break;
    default:
        out->of.global.type = m->globals[index].type;
        out->of.global.mutable_ = m->globals[index].mutable_;
        break;
    }
}

size_t asw_module_import_count(const asw_module_t *module)
{
    return module ? module->nimports : 0;
}

int asw_module_import(const asw_module_t *module, size_t i, asw_import_desc_t *out_desc)
{
    if (!module || !out_desc || i >= module->nimports) return ASW_E_INVALID;
    const asw__import_t *imp = &module->imports[i];
    out_desc->module = imp->module;
    out_desc->name = imp->name;
    fill_externtype(module, imp->kind, imp->index, &out_desc->type);
    return ASW_OK;
}

size_t asw_module_export_count(const asw_module_t *module)
{
    return module ? module->nexports : 0;
}

int asw_module_export(const asw_module_t *module, size_t i, asw_export_desc_t *out_desc)
{
    if (!module || !out_desc || i >= module->nexports) return ASW_E_INVALID;
    const asw__export_t *e = &module->exports[i];
    out_desc->name = e->name;
    fill_externtype(module, e->kind, e->index, &out_desc->type);
    return ASW_OK;
}

int asw_module_custom_section(const asw_module_t *module, const char *name,
                              const uint8_t **out_data, size_t *out_len)
{
    if (!module || !name || !out_data || !out_len) return ASW_E_INVALID;
    for (uint32_t i = 0; i < module->ncustoms; i++) {
        if (strcmp(module->customs[i].name, name) == 0) {
            *out_data = module->bytes + module->customs[i].offset;
            *out_len = module->customs[i].len;
            return ASW_OK;
        }
    }
    return ASW_E_NOT_FOUND;
}

const char *asw_module_func_name(const asw_module_t *module, uint32_t func_index)
{
    if (!module || !module->func_names || func_index >= module->nfuncs) return NULL;
    return module->func_names[func_index];
}

void asw_module_info(const asw_module_t *module, asw_module_info_t *out_info)
{
    if (!out_info) return;
    memset(out_info, 0, sizeof *out_info);
    out_info->start_func = -1;
    if (!module) return;
    out_info->types = module->ntypes;
    out_info->imports = module->nimports;
    out_info->funcs = module->nfuncs;
    out_info->tables = module->ntables;
    out_info->memories = module->nmemories;
    out_info->globals = module->nglobals;
    out_info->exports = module->nexports;
    out_info->elems = module->nelems;
    out_info->datas = module->ndatas;
    out_info->customs = module->ncustoms;
    out_info->imported_funcs = module->nimported_funcs;
    out_info->start_func = module->start;
    for (uint32_t i = module->nimported_funcs; i < module->nfuncs; i++)
        out_info->code_bytes += module->funcs[i].body_size;
}
