/*
 * src/wasm/exec.h -- the executor's private interface, shared by compile.c (which produces the
 * internal code), interp.c (the dispatch loop) and exec.c (calls, suspension, traps and every
 * slow path the loop reaches through its PROTECT macro).
 *
 * Design (docs/architecture.md has the longer story):
 *  - each defined function is compiled once, at load time, into an asw__cfunc_t: 32-bit code
 *    units (see the layout diagram at the top of interp.c) over a frame of 8-byte cells laid out
 *    as [params | declared locals | operand-stack slots]; the compiler knows every slot index;
 *  - all frames of a store live on one value stack (exec->stack, cells) and one frame stack
 *    (exec->frames), both grown with realloc; frames record offsets, never pointers into the
 *    value stack, so growing only requires reloading the current frame pointer;
 *  - a call places its arguments in consecutive caller slots; the callee's frame starts there,
 *    so arguments are not copied and results come back in the same slots;
 *  - every C-level activation of the loop (an API call, or a host function re-entering wasm)
 *    pushes a sentinel frame (fn == NULL): returning into it ends the activation.
 *
 * Invariants: 0 <= nframes <= frames_cap <= max_frames; stack_cap * 8 <= max stack bytes
 * (except the initial allocation); while the loop does not run (host call, trap, suspension),
 * pc/fp_off/fn/inst hold the innermost frame's state.
 */
#ifndef ASW_WASM_EXEC_H
#define ASW_WASM_EXEC_H

#include "wasm/runtime.h"

#include <stdio.h>

typedef uint32_t asw__code_t;

/* Maps an internal code position to the wasm byte offset of the instruction it came from. */
typedef struct asw__pcmap {
    uint32_t pc;  /* code unit index */
    uint32_t off; /* byte offset in the module binary */
} asw__pcmap_t;

/* One compiled function (module->funcs[i].compiled). Owned by the module. */
typedef struct asw__cfunc {
    asw__code_t *code;
    uint32_t ncode;
    uint32_t frame_size; /* cells: params + locals + operand slots (>= nresults) */
    uint32_t nparams, nlocals, nresults;
    bool zero4; /* nlocals <= 4 and the frame has 4 cells after the params: a call zeroes 4 */
    uint32_t func_index;
    const asw_module_t *module;
    asw__pcmap_t *pcmap; /* sorted by pc */
    uint32_t npcmap;
} asw__cfunc_t;

/* A suspended caller: what RET restores. fn == NULL marks an activation's sentinel. */
typedef struct asw__frame {
    const asw__cfunc_t *fn;
    const asw__code_t *ret_pc;
    asw_instance_t *inst;
    size_t fp_off; /* cells from exec->stack */
} asw__frame_t;

typedef struct asw__exec {
    asw_store_t *store;
    asw__cell_t *stack;
    size_t stack_cap; /* cells */
    size_t stack_max; /* cells allowed (limits.max_stack_bytes / 8) */
    asw__frame_t *frames;
    uint32_t nframes, frames_cap, max_frames;
    uint32_t active; /* C-level activations of the loop now running */

    /* The innermost frame while the loop is not running. */
    const asw__code_t *pc;
    size_t fp_off;
    const asw__cfunc_t *fn;
    asw_instance_t *inst;
    size_t top; /* first free cell above the frame that called the host */

    /* The pending trap (set by the loop before it returns ASW_E_TRAP). */
    asw_trap_kind_t trap_kind;
    const char *trap_msg; /* static text, or NULL for the kind's spec wording */
    asw_trap_t *trap;     /* a trap already built (host traps), owned */

    /* The suspended call. */
    asw_func_t *entry;        /* the function asw__exec_call was asked to run */
    size_t entry_off;         /* its frame: results land at stack[entry_off ..] */
    asw_func_t *host_pending; /* ASW_SUSPEND_HOST: the host function that suspended */
    size_t host_res_off;      /* where its results go */
    bool host_toplevel;       /* the host function was called directly by the API */

    /* The allocator that made the buffers, for freeing a spare after asw_set_allocator. */
    asw_allocator_t alloc;
    unsigned alloc_gen;
} asw__exec_t;

/* [interp.c] Runs the innermost activation from exec->pc until it returns into its sentinel
 * (ASW_OK), traps (ASW_E_TRAP: trap_kind/trap_msg/trap set, state saved), exits (ASW_E_EXIT) or
 * suspends (ASW_E_SUSPENDED, state saved so that running again continues). */
int asw__interp_run(asw__exec_t *exec);

/* [interp.c] The handler of every operation (computed-goto build: label addresses, stored in two
 * code units), or NULL in the switch build, where the units are the operation number and 0. */
const void *const *asw__interp_handlers(void);

/* [compile.c] Length in units of the operation starting at code[0] in the compiler's form
 * (one-unit operation numbers, before linking; see interp.c's layout). */
uint32_t asw__iop_units(const asw__code_t *code);

/* [compile.c] Writes a listing of a compiled function, one operation a line with its operand
 * units, to out: a debugging aid for tests and tools (borrows both). */
void asw__cfunc_dump(const asw__cfunc_t *fn, FILE *out);

/* ---- slow paths of the loop [exec.c]; each returns ASW_OK or an ASW_E_* code with the trap or
 * suspension recorded in exec. The loop saves its state before calling them (PROTECT). */

/* Makes room for a frame of `cells` cells at stack offset `off` and one more frame record.
 * Traps "call stack exhausted" at the limits. */
int asw__exec_reserve(asw__exec_t *exec, size_t off, size_t cells);
/* Calls host function f with arguments at stack[arg_off ..]; results are written there.
 * `len` is the length of the call operation (the pc to resume at after a suspension). */
int asw__exec_host(asw__exec_t *exec, asw_func_t *f, size_t arg_off, uint32_t len);
/* A checkpoint found fuel exhausted or an interrupt pending: traps, suspends, or returns ASW_OK
 * to continue (unlimited fuel topped up, or the interrupt already gone). */
int asw__exec_checkpoint(asw__exec_t *exec, uint32_t cost);
/* Bulk memory and table operations; they return 0 or the asw_trap_kind_t to raise. */
int asw__exec_memory_init(asw_instance_t *inst, uint32_t seg, uint32_t d, uint32_t s, uint32_t n);
int asw__exec_table_init(asw_instance_t *inst, uint32_t t, uint32_t seg, uint32_t d, uint32_t s,
                         uint32_t n);
int asw__exec_table_copy(asw_instance_t *inst, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                         uint32_t n);
int asw__exec_table_fill(asw_instance_t *inst, uint32_t t, uint32_t i, void *v, uint32_t n);

#endif /* ASW_WASM_EXEC_H */
