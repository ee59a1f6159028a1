/*
 * src/wasm/runtime.h -- the runtime objects of the engine (engine, store, instance, function,
 * memory, table, global, caller, trap) and the internal interface between the object/API side
 * (engine.c, store.c, instance.c, memory.c, table.c, global.c, imports.c, trap.c) and the
 * executor (compile.c + interp.c).
 *
 * Ownership: a store owns every object created in it (linked into its lists) and frees them all
 * in asw_store_free. Instances hold a reference on their module. Functions of an instance point
 * into the module's compiled code, which lives as long as the module.
 *
 * Invariants:
 *  - asw_memory.size == pages * 65536 and the bytes [0, size) are readable and writable; `data`
 *    may move on grow, so the executor reloads it after memory.grow and after every call that
 *    may grow memory (any call);
 *  - a table's elems[0 .. size) hold asw_func_t * (funcref) or host pointers (externref); NULL is
 *    the null reference;
 *  - asw_func.type_id is the engine-interned id of its type: two functions have equal types iff
 *    their type_ids are equal (call_indirect compares ids only);
 *  - store->interrupt is the only field another thread writes (atomically).
 */
#ifndef ASW_WASM_RUNTIME_H
#define ASW_WASM_RUNTIME_H

#include "wasm/module.h"

#include <pthread.h>
#include <stdatomic.h>

/* An 8-byte value cell: the executor's slots, globals. i32/f32 use the low 32 bits. */
typedef union asw__cell {
    uint64_t u64;
    int64_t i64;
    uint32_t u32;
    int32_t i32;
    float f32;
    double f64;
    void *ref;
} asw__cell_t;

struct asw_engine {
    asw_engine_config_t config;
    /* Function type interning (engine.c): equal types get equal ids. */
    pthread_mutex_t types_lock;
    void *types; /* engine.c's intern table */
    /* Deadline watchdog (engine.c): started on first asw_store_set_deadline. */
    pthread_mutex_t watch_lock;
    pthread_cond_t watch_cond;
    pthread_t watch_thread;
    bool watch_started, watch_stop;
    void *watch_list;               /* stores with a pending deadline (doubly linked) */
    _Atomic uint64_t watch_wake_ns; /* when the watchdog wakes next; UINT64_MAX: not before a
                                     * signal; 0: it is scanning (setters take the lock) */
};

/* [engine.c] Interns a function type (thread-safe): *out_type_id is equal for equal types.
 * Returns ASW_OK or ASW_E_NOMEM. */
int asw__engine_intern_type(asw_engine_t *engine, const uint8_t *types, uint32_t nparams,
                            uint32_t nresults, uint32_t *out_type_id);

/* [engine.c] Copies the non-zero fields of src into dst, capping pages at 4 GiB. */
void asw__limits_merge(asw_store_limits_t *dst, const asw_store_limits_t *src);

/* [engine.c] Removes a store from the deadline watchdog (asw_store_free calls it). */
void asw__engine_forget_store(asw_engine_t *engine, asw_store_t *store);

enum { ASW__FUNC_WASM = 0, ASW__FUNC_HOST = 1 };

struct asw_func {
    uint8_t kind;     /* ASW__FUNC_WASM / ASW__FUNC_HOST */
    uint32_t type_id; /* engine-interned */
    uint32_t nparams, nresults;
    const uint8_t *types; /* params then results; borrowed from the module or owned (host) */
    asw_store_t *store;
    /* WASM */
    asw_instance_t *instance;
    uint32_t func_index; /* in the module's index space */
    const void *code;    /* module->funcs[func_index].compiled */
    /* HOST */
    asw_host_fn host;
    void *user_data;
    void (*finalizer)(void *);
    asw_func_t *next_host; /* store's list of host functions (owned there) */
};

struct asw_memory {
    uint8_t *data;
    uint64_t size; /* bytes == pages * 65536 */
    uint32_t pages;
    uint32_t max_pages; /* effective maximum: min(declared max, store limit) */
    asw_limits_type_t declared;
    size_t reserved; /* bytes reserved for data (memory.c's business) */
    asw_store_t *store;
    asw_memory_t *next;
};

struct asw_table {
    void **elems;
    uint32_t size, capacity;
    uint32_t max; /* effective maximum */
    uint8_t elem_type;
    asw_limits_type_t declared;
    asw_store_t *store;
    asw_table_t *next;
};

struct asw_global {
    asw__cell_t val;
    uint8_t type;
    bool mutable_;
    asw_store_t *store;
    asw_global_t *next;
};

struct asw_instance {
    asw_module_t *module;
    asw_store_t *store;
    asw_func_t **funcs;      /* module->nfuncs: imported ones resolved, then own_funcs */
    asw_table_t **tables;    /* module->ntables */
    asw_memory_t **memories; /* module->nmemories */
    asw_global_t **globals;  /* module->nglobals */
    asw_memory_t *mem0;      /* memories[0] or NULL: the executor's fast path */
    uint8_t *elem_dropped;   /* module->nelems flags */
    uint8_t *data_dropped;   /* module->ndatas flags */
    asw_func_t *own_funcs;   /* the defined functions, contiguous */
    asw_instance_t *next;
};

struct asw_store {
    asw_engine_t *engine;
    asw_store_limits_t limits; /* defaults filled in */
    void *data;

    /* Fuel and interrupts: read by the executor at block entries, back-edges and calls. */
    uint64_t fuel; /* remaining; meaningful when fuel_limited */
    bool fuel_limited;
    uint8_t fuel_mode;             /* asw_fuel_mode_t */
    _Atomic uint32_t interrupt;    /* 0 or an asw_interrupt_t; written by any thread */
    _Atomic uint64_t deadline_ns;  /* 0: none; armed/disarmed without the lock (engine.c) */
    _Atomic uint8_t deadline_kind; /* written before deadline_ns */
    asw_store_t *watch_next;       /* engine's deadline list (guarded by engine->watch_lock) */
    asw_store_t **watch_pprev;     /* the link that points at this store, or NULL when unlisted;
                                    * a store stays listed from its first deadline until freed */
    _Atomic bool watch_listed;     /* watch_pprev != NULL, readable without the lock */

    /* Execution state (interp.c): value stack, frames, the suspended call. */
    struct asw__exec *exec;
    uint8_t suspended; /* asw_suspend_reason_t */
    int exit_code;
    uint32_t call_depth_host; /* nesting of host -> wasm re-entry */

    /* Objects owned by the store. */
    asw_instance_t *instances;
    asw_memory_t *memories;
    asw_table_t *tables;
    asw_global_t *globals;
    asw_func_t *host_funcs;
    size_t ninstances, nmemories, ntables;
    size_t bytes_runtime;
};

/* [func.c] Creates a host function in `store` (type copied, interned) and links it into the
 * store's list. */
int asw__func_new_host(asw_store_t *store, const uint8_t *types, uint32_t nparams,
                       uint32_t nresults, asw_host_fn fn, void *user_data,
                       void (*finalizer)(void *), asw_func_t **out_func, asw_error_t *out_err);

/* The context handed to a host function. */
struct asw_caller {
    asw_store_t *store;
    asw_instance_t *instance; /* the calling instance (NULL when called from the API) */
    asw_func_t *func;         /* the host function being called */
    int exit_code;            /* set by asw_caller_exit */
    asw_trap_t *trap;         /* set by asw_caller_trap */
};

/* ---- traps [trap.c] ---- */
struct asw_trap {
    asw_trap_kind_t kind;
    char *message;
    asw_frame_info_t *frames;
    char **frame_names; /* owned copies backing frames[i].func_name */
    size_t nframes, cap;
};
/* Returns an owned trap (free with asw_trap_free) or NULL on OOM. msg is copied. */
asw_trap_t *asw__trap_new(asw_trap_kind_t kind, const char *msg);
/* The specification's wording for a trap kind ("integer divide by zero"). */
const char *asw__trap_kind_message(asw_trap_kind_t kind);
/* Appends a frame (innermost first); name looked up in the module's name section. Ignores OOM
 * (a backtrace is best effort, the trap itself is never lost). */
void asw__trap_add_frame(asw_trap_t *trap, const asw_module_t *module, uint32_t func_index,
                         uint32_t code_offset);

/* ---- memories and tables [memory.c, table.c] ---- */
/* Initialises a caller-allocated memory with declared->min pages, capped by the store's limits
 * (ASW_E_LIMIT when min exceeds them). Linear memory is mapped with mmap, outside the allocator
 * hook. */
int asw__memory_init(asw_memory_t *memory, asw_store_t *store, const asw_limits_type_t *declared,
                     asw_error_t *out_err);
void asw__memory_deinit(asw_memory_t *memory);
/* memory.grow semantics: returns the old page count, or -1 when the grow fails. */
int64_t asw__memory_grow(asw_memory_t *memory, uint32_t delta);
/* Initialises a caller-allocated table of declared->min elements set to `init`. */
int asw__table_init(asw_table_t *table, asw_store_t *store, uint8_t elem_type,
                    const asw_limits_type_t *declared, void *init, asw_error_t *out_err);
void asw__table_deinit(asw_table_t *table);
/* table.grow semantics: returns the old size, or -1 when the grow fails. */
int64_t asw__table_grow(asw_table_t *table, uint32_t delta, void *init);

/* ---- instances [instance.c] ---- */
/* Evaluates a constant expression in an instance (globals and functions already set up). */
asw__cell_t asw__eval_const(const asw_instance_t *inst, const asw__constexpr_t *expr);
/* The store's per-instance bookkeeping: frees an instance (store.c calls it). */
void asw__instance_destroy(asw_instance_t *inst);

/* ---- the executor [interp.c] ---- */
/* Calls f (wasm or host) with arguments already checked against its type. Returns ASW_OK,
 * ASW_E_TRAP (*out_trap owned by the caller when out_trap is non-NULL, else freed),
 * ASW_E_EXIT, ASW_E_SUSPENDED, ASW_E_NOMEM. */
int asw__exec_call(asw_store_t *store, asw_func_t *f, const asw_val_t *args, size_t nargs,
                   asw_val_t *out_results, size_t nresults, asw_trap_t **out_trap,
                   asw_error_t *out_err);
/* Continues the store's suspended call (see asw_store_resume). */
int asw__exec_resume(asw_store_t *store, const asw_val_t *host_results, size_t nhost,
                     asw_val_t *out_results, size_t nresults, asw_trap_t **out_trap,
                     asw_error_t *out_err);
/* Discards the suspended call's frames. */
void asw__exec_abandon(asw_store_t *store);
/* Frees store->exec (called by asw_store_free). */
void asw__exec_free(asw_store_t *store);

/* Converts between API values and cells (type-directed). */
static inline asw__cell_t asw__val_to_cell(const asw_val_t *v)
{
    asw__cell_t c;
    c.u64 = 0;
    switch (v->kind) {
    case ASW_I32:
    case ASW_F32: c.u32 = (uint32_t)v->of.i32; break;
    case ASW_I64:
    case ASW_F64: c.u64 = (uint64_t)v->of.i64; break;
    default: c.ref = v->of.externref; break;
    }
    return c;
}
static inline asw_val_t asw__cell_to_val(asw__cell_t c, uint8_t type)
{
    asw_val_t v;
    v.kind = type;
    v.of.i64 = 0;
    switch (type) {
    case ASW_I32:
    case ASW_F32: v.of.i32 = (int32_t)c.u32; break;
    case ASW_I64:
    case ASW_F64: v.of.i64 = (int64_t)c.u64; break;
    default: v.of.externref = c.ref; break;
    }
    return v;
}

#endif /* ASW_WASM_RUNTIME_H */
