/*
 * airssys/wasm.h -- the embedding API of the airssys WebAssembly engine (WebAssembly 2.0 core,
 * without SIMD). See docs/embedding.md for a complete example.
 *
 * Objects and threads:
 *   asw_engine_t   shared, thread-safe; holds configuration and the deadline watchdog.
 *   asw_module_t   compiled once from bytes; immutable and reference-counted; may be instantiated
 *                  from several threads at once (each into its own store).
 *   asw_store_t    owns every runtime object (instances, functions, memories, tables, globals)
 *                  created in it and frees them together. Used by one thread at a time (it may
 *                  move between threads between calls); asw_store_interrupt() is the one call
 *                  another thread may make while the store runs.
 *   asw_imports_t  a set of (module, name) -> definition, used to resolve a module's imports.
 *
 * Calls: asw_func_call() returns ASW_OK, ASW_E_TRAP (a trap, as a value: asw_trap_t), ASW_E_EXIT
 * (the guest asked to exit: asw_store_exit_code()), or ASW_E_SUSPENDED: the call stopped at a
 * fuel checkpoint, at an interrupt of kind ASW_INTERRUPT_SUSPEND, or in a host function that
 * returned ASW_E_SUSPENDED; asw_store_resume() continues it exactly where it stopped. A store
 * holds at most one suspended call; while it is suspended, only resume or abandon may run code.
 * Wasm-to-wasm calls never recurse on the C stack; the call depth is limited and exceeding it
 * traps with "call stack exhausted".
 *
 * Values: asw_val_t carries f32/f64 as their IEEE bits in the same storage as i32/i64, so NaN
 * payloads survive; read .of.i32/.of.i64 for the bits. References: funcref is an asw_func_t *,
 * externref a host pointer (void *); NULL is the null reference.
 */
#ifndef AIRSSYS_WASM_H
#define AIRSSYS_WASM_H

#include "airssys/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct asw_engine asw_engine_t;
typedef struct asw_module asw_module_t;
typedef struct asw_store asw_store_t;
typedef struct asw_instance asw_instance_t;
typedef struct asw_func asw_func_t;
typedef struct asw_memory asw_memory_t;
typedef struct asw_table asw_table_t;
typedef struct asw_global asw_global_t;
typedef struct asw_imports asw_imports_t;
typedef struct asw_trap asw_trap_t;
typedef struct asw_caller asw_caller_t;

/* ------------------------------------------------------------------ types and values */

/* Value types use their binary encoding. */
typedef enum asw_valtype {
    ASW_I32 = 0x7F,
    ASW_I64 = 0x7E,
    ASW_F32 = 0x7D,
    ASW_F64 = 0x7C,
    ASW_V128 = 0x7B, /* recognised only to be rejected: SIMD is not supported */
    ASW_FUNCREF = 0x70,
    ASW_EXTERNREF = 0x6F,
} asw_valtype_t;

typedef struct asw_val {
    uint8_t kind; /* an asw_valtype_t */
    union {
        int32_t i32;
        int64_t i64;
        float f32;  /* same storage as i32: bits preserved */
        double f64; /* same storage as i64: bits preserved */
        asw_func_t *funcref;
        void *externref;
    } of;
} asw_val_t;

/* Convenience constructors. */
static inline asw_val_t asw_val_i32(int32_t v)
{
    asw_val_t x;
    x.kind = ASW_I32;
    x.of.i64 = 0;
    x.of.i32 = v;
    return x;
}
static inline asw_val_t asw_val_i64(int64_t v)
{
    asw_val_t x;
    x.kind = ASW_I64;
    x.of.i64 = v;
    return x;
}
static inline asw_val_t asw_val_f32(float v)
{
    asw_val_t x;
    x.kind = ASW_F32;
    x.of.i64 = 0;
    x.of.f32 = v;
    return x;
}
static inline asw_val_t asw_val_f64(double v)
{
    asw_val_t x;
    x.kind = ASW_F64;
    x.of.f64 = v;
    return x;
}

/* A function type. The arrays are borrowed from whoever filled the struct (a module, a function)
 * and live as long as it does. */
typedef struct asw_functype {
    uint32_t nparams, nresults;
    const uint8_t *params;  /* asw_valtype_t values */
    const uint8_t *results; /* asw_valtype_t values */
} asw_functype_t;

typedef enum asw_extern_kind {
    ASW_EXTERN_FUNC = 0,
    ASW_EXTERN_TABLE = 1,
    ASW_EXTERN_MEMORY = 2,
    ASW_EXTERN_GLOBAL = 3,
} asw_extern_kind_t;

typedef struct asw_limits_type {
    uint64_t min, max; /* pages for memories, elements for tables */
    bool has_max;
} asw_limits_type_t;

typedef struct asw_externtype {
    asw_extern_kind_t kind;
    union {
        asw_functype_t func;
        struct {
            uint8_t elem; /* ASW_FUNCREF or ASW_EXTERNREF */
            asw_limits_type_t limits;
        } table;
        asw_limits_type_t memory;
        struct {
            uint8_t type;
            bool mutable_;
        } global;
    } of;
} asw_externtype_t;

/* A runtime object of any kind (borrowed from its store). */
typedef struct asw_extern {
    asw_extern_kind_t kind;
    union {
        asw_func_t *func;
        asw_table_t *table;
        asw_memory_t *memory;
        asw_global_t *global;
    } of;
} asw_extern_t;

/* ------------------------------------------------------------------ engine */

/* What fuel exhaustion does. */
typedef enum asw_fuel_mode {
    ASW_FUEL_TRAP = 0,    /* the call traps with "out of fuel" */
    ASW_FUEL_SUSPEND = 1, /* the call returns ASW_E_SUSPENDED; add fuel and resume */
} asw_fuel_mode_t;

/* Per-store limits. Zero in a field means "use the default" shown. */
typedef struct asw_store_limits {
    uint32_t max_memory_pages;   /* per memory; default 65536 (4 GiB) */
    uint32_t max_table_elements; /* per table; default 10,000,000 */
    uint32_t max_instances;      /* default 10,000 */
    uint32_t max_memories;       /* default 10,000 */
    uint32_t max_tables;         /* default 10,000 */
    uint32_t max_call_depth;     /* wasm frames; default 10,000 */
    uint32_t max_stack_bytes;    /* operand stack of one call; default 8 MiB */
} asw_store_limits_t;

typedef struct asw_engine_config {
    asw_store_limits_t default_limits; /* used by stores created with NULL limits */
} asw_engine_config_t;

/* Fills *cfg with the defaults. */
ASW_API void asw_engine_config_init(asw_engine_config_t *cfg);

/* Creates an engine. Borrows cfg (NULL: defaults). Returns an owned object; free with
 * asw_engine_free (after every module and store made from it). */
ASW_API int asw_engine_new(const asw_engine_config_t *cfg, asw_engine_t **out_engine,
                           asw_error_t *out_err);
ASW_API void asw_engine_free(asw_engine_t *engine);

/* ------------------------------------------------------------------ modules */

/* Decodes, validates and compiles a binary module. Borrows bytes (copied as needed). Returns an
 * owned, immutable module (reference count 1); release with asw_module_free. Errors:
 * ASW_E_MALFORMED (bad binary), ASW_E_INVALID_MODULE (fails validation), ASW_E_UNSUPPORTED
 * (e.g. SIMD), ASW_E_NOMEM, ASW_E_LIMIT; the message names the section, byte offset and rule. */
ASW_API int asw_module_compile(asw_engine_t *engine, const uint8_t *bytes, size_t len,
                               asw_module_t **out_module, asw_error_t *out_err);

/* Decodes and validates only (no compiled code kept). */
ASW_API int asw_module_validate(asw_engine_t *engine, const uint8_t *bytes, size_t len,
                                asw_error_t *out_err);

/* Adds a reference (thread-safe); returns module. */
ASW_API asw_module_t *asw_module_ref(asw_module_t *module);
/* Drops a reference (thread-safe); frees the module at zero. NULL is ignored. */
ASW_API void asw_module_free(asw_module_t *module);

/* Import/export introspection. Strings and types are borrowed from the module. */
typedef struct asw_import_desc {
    const char *module, *name;
    asw_externtype_t type;
} asw_import_desc_t;
typedef struct asw_export_desc {
    const char *name;
    asw_externtype_t type;
} asw_export_desc_t;

ASW_API size_t asw_module_import_count(const asw_module_t *module);
ASW_API int asw_module_import(const asw_module_t *module, size_t i, asw_import_desc_t *out_desc);
ASW_API size_t asw_module_export_count(const asw_module_t *module);
ASW_API int asw_module_export(const asw_module_t *module, size_t i, asw_export_desc_t *out_desc);

/* Finds a custom section by name; *out_data is borrowed from the module. ASW_E_NOT_FOUND if
 * absent. */
ASW_API int asw_module_custom_section(const asw_module_t *module, const char *name,
                                      const uint8_t **out_data, size_t *out_len);

/* Returns the function's name from the name section, or NULL. Index in the function index
 * space (imports first). Borrowed from the module. */
ASW_API const char *asw_module_func_name(const asw_module_t *module, uint32_t func_index);

/* Summary counts for `airssys wasm inspect`. */
typedef struct asw_module_info {
    uint32_t types, imports, funcs, tables, memories, globals, exports, elems, datas, customs;
    uint32_t imported_funcs;
    int64_t start_func; /* -1 when there is no start function */
    size_t code_bytes;  /* size of all function bodies */
} asw_module_info_t;
ASW_API void asw_module_info(const asw_module_t *module, asw_module_info_t *out_info);

/* ------------------------------------------------------------------ stores */

/* Creates a store. Borrows limits (NULL: the engine's defaults). Returns an owned object; free
 * with asw_store_free, which frees every object created in the store. */
ASW_API int asw_store_new(asw_engine_t *engine, const asw_store_limits_t *limits,
                          asw_store_t **out_store, asw_error_t *out_err);
ASW_API void asw_store_free(asw_store_t *store);

/* A store holds value and frame stacks only while one of its calls runs or is suspended; when
 * the call ends they are kept by the calling thread for its next call into any store, so an
 * idle store costs no stack memory and a call allocates nothing. A thread's kept stacks are
 * freed when it exits; this frees the calling thread's now (for a thread that stays but no
 * longer runs wasm, or before asw_set_allocator). Safe to call at any time. */
ASW_API void asw_thread_cache_free(void);

/* Host data attached to the store (borrowed; the store never frees it). */
ASW_API void asw_store_set_data(asw_store_t *store, void *data);
ASW_API void *asw_store_data(const asw_store_t *store);

/* Fuel: when set, executing code consumes fuel (about one unit per wasm instruction, charged per
 * basic block); at zero the call traps or suspends per the mode. Fuel is unlimited until set. */
ASW_API void asw_store_set_fuel(asw_store_t *store, uint64_t fuel);
ASW_API void asw_store_add_fuel(asw_store_t *store, uint64_t fuel); /* saturating */
ASW_API uint64_t asw_store_fuel(const asw_store_t *store);          /* UINT64_MAX: unlimited */
ASW_API void asw_store_set_fuel_mode(asw_store_t *store, asw_fuel_mode_t mode);

/* Interrupts: another thread may call asw_store_interrupt while the store runs; running code
 * stops promptly (checked at every loop back-edge and call), even in a tight loop. A KILL traps
 * with "interrupted"; a SUSPEND makes the call return ASW_E_SUSPENDED (resumable). An interrupt
 * raised while no code runs takes effect at the next call. asw_store_clear_interrupt resets it. */
typedef enum asw_interrupt {
    ASW_INTERRUPT_KILL = 1,
    ASW_INTERRUPT_SUSPEND = 2,
} asw_interrupt_t;
ASW_API void asw_store_interrupt(asw_store_t *store, asw_interrupt_t kind);
ASW_API void asw_store_clear_interrupt(asw_store_t *store);

/* Deadline: raise `kind` automatically when `timeout_ns` (from now, monotonic) elapses; 0
 * cancels. Served by the engine's watchdog thread. */
ASW_API int asw_store_set_deadline(asw_store_t *store, uint64_t timeout_ns, asw_interrupt_t kind);

/* Why the store's current call is suspended. */
typedef enum asw_suspend_reason {
    ASW_SUSPEND_NONE = 0,
    ASW_SUSPEND_FUEL = 1,
    ASW_SUSPEND_INTERRUPT = 2,
    ASW_SUSPEND_HOST = 3, /* a host function returned ASW_E_SUSPENDED */
} asw_suspend_reason_t;
ASW_API asw_suspend_reason_t asw_store_suspended(const asw_store_t *store);

/* Continues the suspended call. When it stopped in a host function (ASW_SUSPEND_HOST),
 * host_results/nhost are that host function's results (checked against its type); otherwise
 * pass NULL, 0. Results and return codes as asw_func_call. ASW_E_STATE when nothing is
 * suspended. */
ASW_API int asw_store_resume(asw_store_t *store, const asw_val_t *host_results, size_t nhost,
                             asw_val_t *out_results, size_t nresults, asw_trap_t **out_trap,
                             asw_error_t *out_err);

/* Drops the suspended call (its frames are discarded; instances stay usable). */
ASW_API void asw_store_abandon(asw_store_t *store);

/* The exit code of the last call that returned ASW_E_EXIT. */
ASW_API int asw_store_exit_code(const asw_store_t *store);

/* Store statistics (for limits and benchmarks). */
typedef struct asw_store_stats {
    size_t instances, memories, tables;
    size_t bytes_runtime; /* heap bytes held by the store beyond linear memories */
    size_t bytes_linear;  /* linear memory bytes currently accessible */
} asw_store_stats_t;
ASW_API void asw_store_stats(const asw_store_t *store, asw_store_stats_t *out_stats);

/* ------------------------------------------------------------------ host functions and imports */

/* A host function. args has nargs values, results has room for nresults, both per the type it
 * was defined with. Returns ASW_OK; or asw_caller_trap(...)'s value to trap; or ASW_E_SUSPENDED
 * to suspend the call (asw_store_resume supplies the results later); or asw_caller_exit(...)'s
 * value to end the program. */
typedef int (*asw_host_fn)(asw_caller_t *caller, void *user_data, const asw_val_t *args,
                           size_t nargs, asw_val_t *results, size_t nresults);

/* Inside a host function: the calling instance's store, its exported "memory" (or memory 0;
 * NULL if none), its instance, and trap / exit helpers (return their value from the host
 * function). The caller pointer is valid only during the host call. */
ASW_API asw_store_t *asw_caller_store(asw_caller_t *caller);
ASW_API asw_memory_t *asw_caller_memory(asw_caller_t *caller);
ASW_API asw_instance_t *asw_caller_instance(asw_caller_t *caller);
ASW_API int asw_caller_trap(asw_caller_t *caller, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
ASW_API int asw_caller_exit(asw_caller_t *caller, int exit_code);

/* Creates a host function in a store. Borrows the type arrays (copied). `finalizer` (may be
 * NULL) is called with user_data when the store is freed. Returns a function owned by the
 * store. */
ASW_API int asw_func_new_host(asw_store_t *store, const asw_functype_t *type, asw_host_fn fn,
                              void *user_data, void (*finalizer)(void *), asw_func_t **out_func,
                              asw_error_t *out_err);

/* Import sets. asw_imports_define_func records a host function definition that is created in
 * each store it is instantiated into (so one import set serves many stores). add_extern adds
 * an existing object of one store; add_instance adds every export of an instance under
 * `module` (spec tests' "register"). Strings are copied. Returns owned; free with
 * asw_imports_free. A later definition of the same (module, name) replaces the earlier. */
ASW_API int asw_imports_new(asw_imports_t **out_imports, asw_error_t *out_err);
ASW_API void asw_imports_free(asw_imports_t *imports);
ASW_API int asw_imports_define_func(asw_imports_t *imports, const char *module, const char *name,
                                    const asw_functype_t *type, asw_host_fn fn, void *user_data,
                                    asw_error_t *out_err);
ASW_API int asw_imports_add_extern(asw_imports_t *imports, const char *module, const char *name,
                                   const asw_extern_t *ext, asw_error_t *out_err);
ASW_API int asw_imports_add_instance(asw_imports_t *imports, const char *module,
                                     asw_instance_t *instance, asw_error_t *out_err);

/* ------------------------------------------------------------------ instances */

/* Instantiates `module` into `store`, resolving imports from `imports` (may be NULL when the
 * module has none). Runs the start function. Borrows module (takes a reference), imports.
 * Errors: ASW_E_LINK (unknown import or incompatible type: "unknown import env.f" /
 * "incompatible import type"), ASW_E_TRAP (start function or segment initialisation trapped;
 * out_trap), ASW_E_LIMIT (store limits), ASW_E_NOMEM. The instance is owned by the store. */
ASW_API int asw_instance_new(asw_store_t *store, asw_module_t *module, const asw_imports_t *imports,
                             asw_instance_t **out_instance, asw_trap_t **out_trap,
                             asw_error_t *out_err);

/* Looks up an export by name. ASW_E_NOT_FOUND when absent. */
ASW_API int asw_instance_export(asw_instance_t *instance, const char *name,
                                asw_extern_t *out_extern);
/* Convenience: the exported function `name`, or NULL. */
ASW_API asw_func_t *asw_instance_func(asw_instance_t *instance, const char *name);
ASW_API asw_memory_t *asw_instance_memory(asw_instance_t *instance, const char *name);
ASW_API asw_module_t *asw_instance_module(asw_instance_t *instance); /* borrowed */

/* ------------------------------------------------------------------ calls and traps */

/* Calls f with nargs arguments (checked against its type) and receives nresults results.
 * Returns ASW_OK, ASW_E_TRAP (*out_trap, if non-NULL, receives an owned trap; free with
 * asw_trap_free), ASW_E_EXIT, ASW_E_SUSPENDED, ASW_E_INVALID (argument count/type mismatch),
 * ASW_E_STATE (the store has a suspended call). */
ASW_API int asw_func_call(asw_func_t *f, const asw_val_t *args, size_t nargs,
                          asw_val_t *out_results, size_t nresults, asw_trap_t **out_trap,
                          asw_error_t *out_err);

/* The function's type (arrays borrowed from the function). */
ASW_API void asw_func_type(const asw_func_t *f, asw_functype_t *out_type);
ASW_API asw_store_t *asw_func_store(const asw_func_t *f);

typedef enum asw_trap_kind {
    ASW_TRAP_UNREACHABLE = 1,      /* "unreachable" */
    ASW_TRAP_MEMORY_OOB,           /* "out of bounds memory access" */
    ASW_TRAP_TABLE_OOB,            /* "out of bounds table access" / "undefined element" */
    ASW_TRAP_NULL_REFERENCE,       /* "uninitialized element" (call_indirect of null) */
    ASW_TRAP_INDIRECT_TYPE,        /* "indirect call type mismatch" */
    ASW_TRAP_INT_OVERFLOW,         /* "integer overflow" */
    ASW_TRAP_DIV_ZERO,             /* "integer divide by zero" */
    ASW_TRAP_INVALID_CONVERSION,   /* "invalid conversion to integer" */
    ASW_TRAP_STACK_EXHAUSTED,      /* "call stack exhausted" */
    ASW_TRAP_OUT_OF_FUEL,          /* "out of fuel" */
    ASW_TRAP_INTERRUPTED,          /* "interrupted" */
    ASW_TRAP_HOST,                 /* a host function trapped; message from the host */
    ASW_TRAP_DATA_SEGMENT_DROPPED, /* reserved: spec reports such accesses as out of bounds */
    ASW_TRAP_MEMORY_LIMIT,         /* instantiation needed more memory than the limits allow */
} asw_trap_kind_t;

typedef struct asw_frame_info {
    uint32_t func_index;   /* in the module's function index space */
    const char *func_name; /* from the name section, or NULL; borrowed from the trap */
    uint32_t code_offset;  /* byte offset of the instruction in the module binary */
} asw_frame_info_t;

ASW_API asw_trap_kind_t asw_trap_kind(const asw_trap_t *trap);
ASW_API const char *asw_trap_message(const asw_trap_t *trap); /* spec wording; borrowed */
ASW_API size_t asw_trap_frame_count(const asw_trap_t *trap);  /* innermost first */
ASW_API int asw_trap_frame(const asw_trap_t *trap, size_t i, asw_frame_info_t *out_frame);
/* Writes "trap: <message>\n  at #0 name (func 12, offset 0x1a3)\n ..." into buf (truncated to
 * len, NUL-terminated); returns the length the full text needs. */
ASW_API size_t asw_trap_format(const asw_trap_t *trap, char *buf, size_t len);
ASW_API void asw_trap_free(asw_trap_t *trap);

/* ------------------------------------------------------------------ memories, globals, tables */

ASW_API int asw_memory_new(asw_store_t *store, const asw_limits_type_t *limits,
                           asw_memory_t **out_memory, asw_error_t *out_err);
ASW_API uint8_t *asw_memory_data(asw_memory_t *memory);       /* valid until the next grow */
ASW_API uint64_t asw_memory_size(const asw_memory_t *memory); /* bytes */
ASW_API uint32_t asw_memory_pages(const asw_memory_t *memory);
/* Grows by delta pages; *out_old_pages gets the previous size. ASW_E_LIMIT beyond max/limits. */
ASW_API int asw_memory_grow(asw_memory_t *memory, uint32_t delta, uint32_t *out_old_pages);
ASW_API void asw_memory_type(const asw_memory_t *memory, asw_limits_type_t *out_limits);

ASW_API int asw_global_new(asw_store_t *store, uint8_t type, bool mutable_, const asw_val_t *init,
                           asw_global_t **out_global, asw_error_t *out_err);
ASW_API void asw_global_get(const asw_global_t *global, asw_val_t *out_val);
/* ASW_E_INVALID if the global is immutable or the value's kind differs. */
ASW_API int asw_global_set(asw_global_t *global, const asw_val_t *val);
ASW_API void asw_global_type(const asw_global_t *global, uint8_t *out_type, bool *out_mutable);

ASW_API int asw_table_new(asw_store_t *store, uint8_t elem_type, const asw_limits_type_t *limits,
                          const asw_val_t *init, asw_table_t **out_table, asw_error_t *out_err);
ASW_API uint32_t asw_table_size(const asw_table_t *table);
ASW_API int asw_table_get(const asw_table_t *table, uint32_t index, asw_val_t *out_val);
ASW_API int asw_table_set(asw_table_t *table, uint32_t index, const asw_val_t *val);
ASW_API int asw_table_grow(asw_table_t *table, uint32_t delta, const asw_val_t *init,
                           uint32_t *out_old_size);
ASW_API void asw_table_type(const asw_table_t *table, uint8_t *out_elem,
                            asw_limits_type_t *out_limits);

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_WASM_H */
