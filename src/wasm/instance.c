/*
 * src/wasm/instance.c -- instantiation: resolve imports, allocate the instance's functions,
 * tables, memories and globals, apply element and data segments, run the start function; and
 * export lookup.
 *
 * Design: one allocation holds the instance and everything it defines (function objects, table
 * and memory headers, globals, segment flags), so instantiating a small module costs a couple of
 * allocations plus the linear memory mapping. Only linear memory (mmap) and table element
 * arrays live elsewhere.
 *
 * Rules (WebAssembly 2.0, "instantiation"): imports match by kind and type (functions by
 * interned type id; tables and memories by limits subtyping on the import's *current* size;
 * globals by type and mutability); every imported object must belong to the same store.
 * Segments are applied in order; an out-of-bounds segment traps and the instantiation fails,
 * though earlier writes into imported tables or memories persist, as the spec requires.
 */
#include "wasm/imports_int.h"
#include "wasm/opcodes.h"

#include <string.h>

static size_t align16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

asw__cell_t asw__eval_const(const asw_instance_t *inst, const asw__constexpr_t *e)
{
    asw__cell_t c;
    c.u64 = 0;
    switch (e->op) {
    case ASW_OP_I32_CONST:
    case ASW_OP_F32_CONST: c.u32 = (uint32_t)e->bits; break;
    case ASW_OP_I64_CONST:
    case ASW_OP_F64_CONST: c.u64 = e->bits; break;
    case ASW_OP_REF_NULL: c.ref = NULL; break;
    case ASW_OP_REF_FUNC: c.ref = inst->funcs[e->index]; break;
    case ASW_OP_GLOBAL_GET: c = inst->globals[e->index]->val; break;
    default: ASW_ASSERT(!"validated constant expression"); break;
    }
    return c;
}

/* Limits subtyping: actual {min, max?} matches expected {min, max?}. */
static bool limits_match(uint64_t amin, bool ahas, uint64_t amax, const asw_limits_type_t *exp)
{
    if (amin < exp->min) return false;
    if (!exp->has_max) return true;
    return ahas && amax <= exp->max;
}

static const char *kind_name(uint8_t kind)
{
    static const char *names[] = {"function", "table", "memory", "global"};
    return kind <= ASW_EXTERN_GLOBAL ? names[kind] : "unknown";
}

/* Resolves import i into the instance's index spaces. */
static int link_import(asw_instance_t *inst, const asw__import_t *imp, const asw_imports_t *imports,
                       asw_error_t *out_err)
{
    const asw_module_t *m = inst->module;
    asw_store_t *s = inst->store;
    const asw__import_entry_t *e =
        asw__imports_find(imports, imp->module, imp->module_len, imp->name, imp->name_len);
    if (!e)
        return asw__errorf(out_err, ASW_E_LINK, "unknown import: %s.%s (%s)", imp->module,
                           imp->name, kind_name(imp->kind));
    if (e->is_def) {
        if (imp->kind != ASW_EXTERN_FUNC) goto incompatible;
        const asw__functype_t *ft = &m->types[m->funcs[imp->index].type_idx];
        uint32_t id;
        if (asw__engine_intern_type(s->engine, e->types, e->nparams, e->nresults, &id))
            return asw__errorf(out_err, ASW_E_NOMEM, "out of memory");
        if (id != ft->type_id) goto incompatible;
        asw_func_t *f;
        int rc = asw__func_new_host(s, e->types, e->nparams, e->nresults, e->fn, e->user_data, NULL,
                                    &f, out_err);
        if (rc) return rc;
        inst->funcs[imp->index] = f;
        return ASW_OK;
    }
    if (e->ext.kind != imp->kind) goto incompatible;
    switch (imp->kind) {
    case ASW_EXTERN_FUNC: {
        asw_func_t *f = e->ext.of.func;
        if (f->store != s) goto other_store;
        if (f->type_id != m->types[m->funcs[imp->index].type_idx].type_id) goto incompatible;
        inst->funcs[imp->index] = f;
        return ASW_OK;
    }
    case ASW_EXTERN_TABLE: {
        asw_table_t *t = e->ext.of.table;
        const asw__table_def_t *d = &m->tables[imp->index];
        if (t->store != s) goto other_store;
        if (t->elem_type != d->elem_type ||
            !limits_match(t->size, t->declared.has_max, t->declared.max, &d->limits))
            goto incompatible;
        inst->tables[imp->index] = t;
        return ASW_OK;
    }
    case ASW_EXTERN_MEMORY: {
        asw_memory_t *mem = e->ext.of.memory;
        const asw__memory_def_t *d = &m->memories[imp->index];
        if (mem->store != s) goto other_store;
        if (!limits_match(mem->pages, mem->declared.has_max, mem->declared.max, &d->limits))
            goto incompatible;
        inst->memories[imp->index] = mem;
        return ASW_OK;
    }
    case ASW_EXTERN_GLOBAL: {
        asw_global_t *g = e->ext.of.global;
        const asw__global_def_t *d = &m->globals[imp->index];
        if (g->store != s) goto other_store;
        if (g->type != d->type || g->mutable_ != d->mutable_) goto incompatible;
        inst->globals[imp->index] = g;
        return ASW_OK;
    }
    }
incompatible:
    return asw__errorf(out_err, ASW_E_LINK, "incompatible import type: %s.%s (%s)", imp->module,
                       imp->name, kind_name(imp->kind));
other_store:
    return asw__errorf(out_err, ASW_E_LINK, "import %s.%s belongs to another store", imp->module,
                       imp->name);
}

static int run_segments(asw_instance_t *inst, asw_trap_t **out_trap, asw_error_t *out_err)
{
    const asw_module_t *m = inst->module;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const asw__elem_t *seg = &m->elems[i];
        if (seg->mode == ASW__SEG_PASSIVE) continue;
        inst->elem_dropped[i] = 1;
        if (seg->mode == ASW__SEG_DECLARATIVE) continue;
        asw_table_t *t = inst->tables[seg->table];
        uint32_t off = asw__eval_const(inst, &seg->offset).u32;
        if ((uint64_t)off + seg->count > t->size) {
            asw_trap_t *trap = asw__trap_new(ASW_TRAP_TABLE_OOB, NULL);
            if (out_trap)
                *out_trap = trap;
            else
                asw_trap_free(trap);
            return asw__errorf(out_err, ASW_E_TRAP,
                               "out of bounds table access: element segment %u (offset %u, %u "
                               "elements) does not fit a table of %u",
                               i, off, seg->count, t->size);
        }
        for (uint32_t k = 0; k < seg->count; k++)
            t->elems[off + k] = asw__eval_const(inst, &seg->items[k]).ref;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const asw__data_t *seg = &m->datas[i];
        if (seg->mode != ASW__SEG_ACTIVE) continue;
        inst->data_dropped[i] = 1;
        asw_memory_t *mem = inst->memories[seg->memory];
        uint32_t off = asw__eval_const(inst, &seg->offset).u32;
        if ((uint64_t)off + seg->len > mem->size) {
            asw_trap_t *trap = asw__trap_new(ASW_TRAP_MEMORY_OOB, NULL);
            if (out_trap)
                *out_trap = trap;
            else
                asw_trap_free(trap);
            return asw__errorf(out_err, ASW_E_TRAP,
                               "out of bounds memory access: data segment %u (offset %u, %u "
                               "bytes) does not fit a memory of %llu bytes",
                               i, off, seg->len, (unsigned long long)mem->size);
        }
        if (seg->len) memcpy(mem->data + off, m->bytes + seg->bytes_offset, seg->len);
    }
    return ASW_OK;
}

int asw_instance_new(asw_store_t *s, asw_module_t *m, const asw_imports_t *imports,
                     asw_instance_t **out_instance, asw_trap_t **out_trap, asw_error_t *out_err)
{
    if (out_trap) *out_trap = NULL;
    if (!s || !m || !out_instance)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_instance_new: missing argument");
    *out_instance = NULL;
    if (m->engine != s->engine)
        return asw__errorf(out_err, ASW_E_INVALID, "module and store come from different engines");
    if (s->suspended != ASW_SUSPEND_NONE)
        return asw__errorf(out_err, ASW_E_STATE, "the store has a suspended call");
    if (s->ninstances >= s->limits.max_instances)
        return asw__errorf(out_err, ASW_E_LIMIT, "store limit of %u instances reached",
                           s->limits.max_instances);
    uint32_t nown_f = m->nfuncs - m->nimported_funcs, nown_t = m->ntables - m->nimported_tables;
    uint32_t nown_m = m->nmemories - m->nimported_memories;
    uint32_t nown_g = m->nglobals - m->nimported_globals;
    if (s->ntables + nown_t > s->limits.max_tables)
        return asw__errorf(out_err, ASW_E_LIMIT, "store limit of %u tables reached",
                           s->limits.max_tables);
    if (s->nmemories + nown_m > s->limits.max_memories)
        return asw__errorf(out_err, ASW_E_LIMIT, "store limit of %u memories reached",
                           s->limits.max_memories);

    /* One block: instance, index-space arrays, own objects, segment flags. */
    size_t o_funcs = align16(sizeof(asw_instance_t));
    size_t o_tables = align16(o_funcs + (size_t)m->nfuncs * sizeof(asw_func_t *));
    size_t o_mems = align16(o_tables + (size_t)m->ntables * sizeof(asw_table_t *));
    size_t o_globals = align16(o_mems + (size_t)m->nmemories * sizeof(asw_memory_t *));
    size_t o_ownf = align16(o_globals + (size_t)m->nglobals * sizeof(asw_global_t *));
    size_t o_ownt = align16(o_ownf + (size_t)nown_f * sizeof(asw_func_t));
    size_t o_ownm = align16(o_ownt + (size_t)nown_t * sizeof(asw_table_t));
    size_t o_owng = align16(o_ownm + (size_t)nown_m * sizeof(asw_memory_t));
    size_t o_elem = align16(o_owng + (size_t)nown_g * sizeof(asw_global_t));
    size_t o_data = o_elem + m->nelems;
    size_t total = o_data + m->ndatas;
    uint8_t *block = asw__calloc(1, total);
    if (!block) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory instantiating a module");
    asw_instance_t *inst = (asw_instance_t *)block;
    inst->module = asw_module_ref(m);
    inst->store = s;
    inst->funcs = (asw_func_t **)(block + o_funcs);
    inst->tables = (asw_table_t **)(block + o_tables);
    inst->memories = (asw_memory_t **)(block + o_mems);
    inst->globals = (asw_global_t **)(block + o_globals);
    inst->own_funcs = (asw_func_t *)(block + o_ownf);
    asw_table_t *own_t = (asw_table_t *)(block + o_ownt);
    asw_memory_t *own_m = (asw_memory_t *)(block + o_ownm);
    asw_global_t *own_g = (asw_global_t *)(block + o_owng);
    inst->elem_dropped = block + o_elem;
    inst->data_dropped = block + o_data;
    /* Tables and memories not yet initialised must deinit safely: mark them empty. */
    uint32_t ninit_t = 0, ninit_m = 0;
    int rc;

    for (uint32_t i = 0; i < m->nimports; i++) {
        if (!imports) {
            rc =
                asw__errorf(out_err, ASW_E_LINK, "unknown import: %s.%s (%s)", m->imports[i].module,
                            m->imports[i].name, kind_name(m->imports[i].kind));
            goto fail;
        }
        if ((rc = link_import(inst, &m->imports[i], imports, out_err))) goto fail;
    }
    for (uint32_t k = 0; k < nown_f; k++) {
        uint32_t idx = m->nimported_funcs + k;
        const asw__functype_t *ft = &m->types[m->funcs[idx].type_idx];
        asw_func_t *f = &inst->own_funcs[k];
        f->kind = ASW__FUNC_WASM;
        f->type_id = ft->type_id;
        f->nparams = ft->nparams;
        f->nresults = ft->nresults;
        f->types = ft->types;
        f->store = s;
        f->instance = inst;
        f->func_index = idx;
        f->code = m->funcs[idx].compiled;
        inst->funcs[idx] = f;
    }
    for (uint32_t k = 0; k < nown_t; k++, ninit_t++) {
        const asw__table_def_t *d = &m->tables[m->nimported_tables + k];
        if ((rc = asw__table_init(&own_t[k], s, d->elem_type, &d->limits, NULL, out_err)))
            goto fail;
        inst->tables[m->nimported_tables + k] = &own_t[k];
    }
    for (uint32_t k = 0; k < nown_m; k++, ninit_m++) {
        const asw__memory_def_t *d = &m->memories[m->nimported_memories + k];
        if ((rc = asw__memory_init(&own_m[k], s, &d->limits, out_err))) goto fail;
        inst->memories[m->nimported_memories + k] = &own_m[k];
    }
    inst->mem0 = m->nmemories ? inst->memories[0] : NULL;
    for (uint32_t k = 0; k < nown_g; k++) {
        const asw__global_def_t *d = &m->globals[m->nimported_globals + k];
        asw_global_t *g = &own_g[k];
        g->type = d->type;
        g->mutable_ = d->mutable_;
        g->store = s;
        g->val = asw__eval_const(inst, &d->init);
        inst->globals[m->nimported_globals + k] = g;
    }

    /* From here the instance is live in the store: segments and start may have effects. */
    inst->next = s->instances;
    s->instances = inst;
    s->ninstances++;
    s->ntables += nown_t;
    s->nmemories += nown_m;
    s->bytes_runtime += total;
    for (uint32_t k = 0; k < nown_t; k++)
        s->bytes_runtime += (size_t)own_t[k].capacity * sizeof(void *);

    if ((rc = run_segments(inst, out_trap, out_err))) return rc;
    if (m->start >= 0) {
        rc = asw__exec_call(s, inst->funcs[m->start], NULL, 0, NULL, 0, out_trap, out_err);
        if (rc == ASW_E_SUSPENDED) {
            /* A start function may not suspend: there is no call to resume into. */
            asw__exec_abandon(s);
            return asw__errorf(out_err, ASW_E_STATE,
                               "the start function tried to suspend; instantiation failed");
        }
        if (rc) return rc;
    }
    *out_instance = inst;
    return ASW_OK;

fail:
    for (uint32_t k = 0; k < ninit_t; k++)
        asw__table_deinit(&own_t[k]);
    for (uint32_t k = 0; k < ninit_m; k++)
        asw__memory_deinit(&own_m[k]);
    asw_module_free(inst->module);
    asw__free(block);
    return rc;
}

void asw__instance_destroy(asw_instance_t *inst)
{
    const asw_module_t *m = inst->module;
    for (uint32_t k = m->nimported_tables; k < m->ntables; k++)
        asw__table_deinit(inst->tables[k]);
    for (uint32_t k = m->nimported_memories; k < m->nmemories; k++)
        asw__memory_deinit(inst->memories[k]);
    asw_module_free(inst->module);
    asw__free(inst);
}

int asw_instance_export(asw_instance_t *inst, const char *name, asw_extern_t *out)
{
    if (!inst || !name || !out) return ASW_E_INVALID;
    const asw_module_t *m = inst->module;
    size_t len = strlen(name);
    for (uint32_t i = 0; i < m->nexports; i++) {
        const asw__export_t *x = &m->exports[i];
        if (x->name_len != len || memcmp(x->name, name, len) != 0) continue;
        out->kind = (asw_extern_kind_t)x->kind;
        switch (x->kind) {
        case ASW_EXTERN_FUNC: out->of.func = inst->funcs[x->index]; break;
        case ASW_EXTERN_TABLE: out->of.table = inst->tables[x->index]; break;
        case ASW_EXTERN_MEMORY: out->of.memory = inst->memories[x->index]; break;
        default: out->of.global = inst->globals[x->index]; break;
        }
        return ASW_OK;
    }
    return ASW_E_NOT_FOUND;
}

asw_func_t *asw_instance_func(asw_instance_t *inst, const char *name)
{
    asw_extern_t e;
    if (asw_instance_export(inst, name, &e) || e.kind != ASW_EXTERN_FUNC) return NULL;
    return e.of.func;
}

asw_memory_t *asw_instance_memory(asw_instance_t *inst, const char *name)
{
    asw_extern_t e;
    if (asw_instance_export(inst, name, &e) || e.kind != ASW_EXTERN_MEMORY) return NULL;
    return e.of.memory;
}

asw_module_t *asw_instance_module(asw_instance_t *inst)
{
    return inst ? inst->module : NULL;
}
