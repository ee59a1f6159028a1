/*
 * src/wasm/imports_int.h -- the layout of import sets, shared by imports.c (which builds them)
 * and instance.c (which resolves a module's imports against them).
 */
#ifndef ASW_WASM_IMPORTS_INT_H
#define ASW_WASM_IMPORTS_INT_H

#include "wasm/runtime.h"

typedef struct asw__import_entry {
    char *module, *name;
    size_t module_len, name_len;
    uint32_t hash;
    bool is_def; /* a host function definition (instantiated per store) */
    /* definition */
    uint8_t *types;
    uint32_t nparams, nresults;
    asw_host_fn fn;
    void *user_data;
    /* existing object */
    asw_extern_t ext;
} asw__import_entry_t;

struct asw_imports {
    asw__import_entry_t *entries;
    uint32_t count, cap;
    uint32_t *slots; /* entry index + 1; 0 empty */
    uint32_t nslots;
};

const asw__import_entry_t *asw__imports_find(const asw_imports_t *im, const char *module,
                                             size_t module_len, const char *name, size_t name_len);

#endif /* ASW_WASM_IMPORTS_INT_H */
