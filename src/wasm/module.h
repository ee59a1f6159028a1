/*
 * src/wasm/module.h -- the decoded form of a WebAssembly module, shared by the decoder
 * (decode.c), the validator (validate.c), the compiler (compile.c), the runtime (instance.c)
 * and the introspection API (module.c).
 *
 * Invariants once asw__decode() and asw__validate() succeeded:
 *  - index spaces put imports first: funcs[0 .. nimported_funcs) are imported, and likewise for
 *    tables, memories and globals; every index stored anywhere is in range;
 *  - `bytes` is the module's own copy of the binary: function bodies, data segments and custom
 *    sections are (offset, length) ranges into it;
 *  - names (import/export strings) are NUL-terminated copies; their byte length is kept too, since
 *    a wasm name may contain U+0000;
 *  - the module is immutable after asw_module_compile() returns: several threads may instantiate
 *    it at once. Only the reference count changes;
 *  - every entity the module-level validator can reject records, in one `offset` field, where it
 *    starts in `bytes` (the positions are listed with each struct), so that validate.c reports
 *    "<section>, byte 0x<offset>: <entity>: <rule>" like the decoder does. Sub-positions (a
 *    segment's offset expression, an element item) are found again from that offset, on the
 *    error path only.
 */
#ifndef ASW_WASM_MODULE_H
#define ASW_WASM_MODULE_H

#include "airssys/wasm.h"
#include "base/base.h"

#include <stdatomic.h>

/* Hard limits on counts a hostile module controls (beyond them: ASW_E_LIMIT / "too many ..."). */
#define ASW__MAX_TYPES         1000000u
#define ASW__MAX_FUNCS         1000000u
#define ASW__MAX_IMPORTS       100000u
#define ASW__MAX_EXPORTS       100000u
#define ASW__MAX_GLOBALS       1000000u
#define ASW__MAX_TABLES        100000u
#define ASW__MAX_MEMORIES      1u /* WebAssembly 2.0 allows one memory */
#define ASW__MAX_ELEM_SEGMENTS 100000u
#define ASW__MAX_DATA_SEGMENTS 100000u
#define ASW__MAX_PARAMS        1000u
#define ASW__MAX_RESULTS       1000u
#define ASW__MAX_LOCALS        50000u /* params + locals of one function */
#define ASW__MAX_BR_TABLE      1000000u
#define ASW__MAX_NESTING       100000u /* control-frame depth of one function */
#define ASW__MAX_FUNC_SIZE     (8u << 20)
#define ASW__MAX_MODULE_SIZE   ((size_t)1 << 30)
#define ASW__PAGE_SIZE         65536u
#define ASW__MAX_PAGES         65536u /* 4 GiB */
#define ASW__MAX_TABLE_SIZE    0xFFFFFFFFu

/* A function type. types[] holds the params then the results (value type bytes). type_id is
 * the engine-wide interned id (equal ids <=> equal types), set by asw_module_compile. */
typedef struct asw__functype {
    uint32_t nparams, nresults;
    uint8_t *types;
    uint32_t type_id;
} asw__functype_t;

/* A constant expression of WebAssembly 2.0: one instruction followed by `end`. */
typedef struct asw__constexpr {
    uint8_t op;     /* ASW_OP_I32_CONST, I64_CONST, F32_CONST, F64_CONST, REF_NULL, REF_FUNC,
                       GLOBAL_GET */
    uint8_t type;   /* the value type it produces */
    uint32_t index; /* global index (global.get) or function index (ref.func) */
    uint64_t bits;  /* the constant's bits (i32/f32 zero-extended) */
} asw__constexpr_t;

typedef struct asw__import {
    char *module, *name;
    uint32_t module_len, name_len;
    uint8_t kind;    /* asw_extern_kind_t */
    uint32_t index;  /* index in that kind's index space */
    uint32_t offset; /* of the entry (its module name) in the import section */
} asw__import_t;

typedef struct asw__table_def {
    uint8_t elem_type; /* ASW_FUNCREF / ASW_EXTERNREF */
    uint32_t offset;   /* of the table type (its reference type byte), in the import or table
                          section */
    asw_limits_type_t limits;
} asw__table_def_t;

typedef struct asw__memory_def {
    asw_limits_type_t limits; /* pages */
    uint32_t offset;          /* of the memory type (its limits flags byte), in the import or memory
                                 section */
} asw__memory_def_t;

typedef struct asw__global_def {
    uint8_t type;
    bool mutable_;
    uint32_t offset;       /* of the global type (its value type byte), in the import or global
                              section; a defined global's init expression starts at offset + 2 */
    asw__constexpr_t init; /* defined globals only */
} asw__global_def_t;

typedef struct asw__func_def {
    uint32_t type_idx;
    /* Defined functions only: */
    uint32_t body_offset; /* offset in bytes of the body's first byte (the locals vector) */
    uint32_t body_size;
    uint32_t code_offset; /* offset of the first instruction after the locals */
    uint32_t nlocals;     /* declared locals, excluding params */
    uint32_t decl_offset; /* of the type index, in the import entry or the function section */
    uint8_t *local_types; /* nlocals value types (expanded) */
    void *compiled;       /* compile.c's form of this function; owned by the module */
} asw__func_def_t;

typedef struct asw__export {
    char *name;
    uint32_t name_len;
    uint8_t kind; /* asw_extern_kind_t */
    uint32_t index;
    uint32_t offset; /* of the entry (its name) in the export section */
} asw__export_t;

enum { ASW__SEG_ACTIVE = 0, ASW__SEG_PASSIVE = 1, ASW__SEG_DECLARATIVE = 2 };

typedef struct asw__elem {
    uint8_t mode;
    uint8_t elem_type;
    uint32_t table;          /* active */
    asw__constexpr_t offset; /* active */
    uint32_t count;
    uint32_t seg_offset;     /* of the segment (its flags) in the element section */
    asw__constexpr_t *items; /* count expressions (ref.func i / ref.null t / global.get g) */
} asw__elem_t;

typedef struct asw__data {
    uint8_t mode; /* ACTIVE or PASSIVE */
    uint32_t memory;
    asw__constexpr_t offset;
    uint32_t bytes_offset; /* into module->bytes */
    uint32_t len;
    uint32_t seg_offset; /* of the segment (its flags) in the data section */
} asw__data_t;

typedef struct asw__custom {
    char *name;
    uint32_t offset, len; /* payload range in module->bytes */
} asw__custom_t;

struct asw_module {
    _Atomic uint32_t refcount;
    asw_engine_t *engine;

    uint8_t *bytes; /* owned copy of the binary */
    size_t len;

    asw__functype_t *types;
    uint32_t ntypes;
    asw__import_t *imports;
    uint32_t nimports;
    asw__func_def_t *funcs;
    uint32_t nfuncs, nimported_funcs;
    asw__table_def_t *tables;
    uint32_t ntables, nimported_tables;
    asw__memory_def_t *memories;
    uint32_t nmemories, nimported_memories;
    asw__global_def_t *globals;
    uint32_t nglobals, nimported_globals;
    asw__export_t *exports;
    uint32_t nexports;
    int64_t start;         /* -1: none */
    uint32_t start_offset; /* of the function index in the start section */
    asw__elem_t *elems;
    uint32_t nelems;
    asw__data_t *datas;
    uint32_t ndatas;
    bool has_data_count;
    uint32_t data_count;
    uint32_t data_count_offset; /* of the count in the data count section */
    asw__custom_t *customs;
    uint32_t ncustoms;

    /* From the name section (may be absent): per function index, NULL when unnamed. */
    char *module_name;
    char **func_names; /* nfuncs entries, or NULL */

    /* C.refs of the validation rules: functions that may appear in ref.func inside bodies
     * (those referenced in globals, element segments and exports). nfuncs bits. */
    uint8_t *declared_refs;

    void *compiled; /* compile.c's module-wide data (may be NULL); owned by the module */
};

/* ---- the pipeline (each step's owner file in brackets) ---- */

/* [decode.c] Decodes `bytes` into a new module (refcount 1, bytes copied). Checks everything
 * that makes a binary malformed (ASW_E_MALFORMED), rejects SIMD and other post-2.0 features
 * (ASW_E_UNSUPPORTED), enforces the ASW__MAX_* limits (ASW_E_LIMIT). Function bodies are located
 * and their locals decoded; instructions are checked by the validator. */
int asw__decode(asw_engine_t *engine, const uint8_t *bytes, size_t len, asw_module_t **out_module,
                asw_error_t *out_err);

/* [validate.c] Validates the whole module per the WebAssembly 2.0 validation rules, including
 * every function body (operand and control stacks). ASW_E_INVALID_MODULE with section, byte
 * offset and rule; ASW_E_MALFORMED for malformed instruction encodings found while walking
 * bodies. */
int asw__validate(asw_module_t *module, asw_error_t *out_err);

/* [compile.c] Compiles every validated function into the interpreter's internal form. */
int asw__compile(asw_module_t *module, asw_error_t *out_err);
void asw__compile_free(asw_module_t *module);

/* [module.c] Frees everything a module owns (used by asw_module_free at refcount 0 and by the
 * decoder on failure). */
void asw__module_destroy(asw_module_t *module);

/* [module.c] The function type of function `func_index` (imports included). */
static inline const asw__functype_t *asw__module_func_type(const asw_module_t *m, uint32_t idx)
{
    return &m->types[m->funcs[idx].type_idx];
}

/* Little-endian unaligned reads used by every file that walks bytes. */
static inline uint32_t asw__read_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t asw__read_u64le(const uint8_t *p)
{
    return (uint64_t)asw__read_u32le(p) | (uint64_t)asw__read_u32le(p + 4) << 32;
}

#endif /* ASW_WASM_MODULE_H */
