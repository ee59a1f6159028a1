/*
 * src/wasm/compile.c -- compiles validated function bodies, once per module at load time, into
 * the interpreter's register-style internal code (layout diagram: top of interp.c; operations:
 * iops.h).
 *
 * Design. One pass per function. The compiler simulates the wasm operand stack: entry h of the
 * simulated stack always *belongs* to frame slot sbase + h (sbase = params + locals), but may be
 * pending -- still a reference to a local (local.get) or a constant (i32.const ...) that has not
 * been copied there. Operations take their operands straight from the local or, for constants,
 * use an immediate twin (i32.add x, 5 -> I32_ADD_I); a pending entry is materialized (MOV /
 * CONST into its slot) only when something needs it in its slot. Peepholes: an operation whose
 * result is immediately stored by local.set/tee writes the local directly; an i32 comparison or
 * eqz immediately consumed by br_if/if becomes one compare-and-branch operation; eqz of an
 * integer comparison becomes the opposite comparison. Superinstructions fold the operation that
 * just produced a temporary into its only reader (the temporary is an operand-stack slot that
 * nothing else reads): i32.add (of an immediate) into the address of a load/store (_AK, _AB),
 * i64/f64.load into f64 add/sub/mul (_M), i32.shl/rotl by an immediate into i32.add/xor
 * (I32_ADD_SHL, I32_XOR_ROTL), and i32.shl then i32.add of immediates (I32_SHL_ADD_I) into a
 * load (_SK);
 * constants become immediates of stores (_K) and f64 arithmetic (F64_*_K). A folded operation
 * keeps the pc map entry of the instruction that can trap in it. Calls to functions of the same
 * module carry the callee's compiled code (CALL_LOCAL), and branches back to a loop header use
 * the _B twins, which run the header's FUEL check themselves. Branches carry
 * precomputed relative targets; a branch that carries block results is preceded by the MOVs that
 * put them in the label's slots. Fuel checkpoints (FUEL n) sit at function entry, at every loop
 * header and after every loop, and charge the number of wasm instructions up to the next
 * checkpoint.
 *
 * Second pass of superinstructions (docs/performance.md, "second pass"), each a fold of the
 * last operation (last_pos) or of the last two (prev_pos, valid while no label lies between)
 * into the one being emitted: i32.add then the loop back-edge testing its result (INC_BR_*),
 * an increment or mask then a jump (I32_ADD_I_BR[_B], I32_AND_I_BR_B), two adds of immediates
 * (I32_ADD_I2) and two moves (MOV2) in a row, two f64 or two i32 operations where the second
 * uses the first's result (F64P_*, I32P_*; the first result is still written), a result stored
 * at once (F64_*_ST, I32_*_ST), x[i] += v and x[i] += a * y[j] (F64_ADD_TO, F64_MULADD_TO),
 * loads folded into their address arithmetic or their reader (_ASH, _MK, I32_LOAD8_U_AK,
 * BR_TABLE_K, BR_TABLE_LSK), rotations and shifts of one value xored (I32_ROTX2/3,
 * I32_ROTX2_SHR, I32_XOR_SHRU), a * K1 + K2, select with a constant, and i64.extend_i32_u
 * compiles to nothing (cells hold i32 values zero-extended). Every fold removes at least one
 * dispatch. A fused operation with two trap sites (F64_MULADD_TO) has a second pc map entry
 * inside itself and traps from there.
 *
 * Linking (link_code): the compiler works with one-unit operation numbers; at the end of each
 * function every handler becomes two units (the label's address: direct threading), operands
 * follow, and branch distances and the pc map move to the new positions.
 *
 * Invariants kept while compiling:
 *  - at every block/loop/if entry the whole simulated stack is materialized, so all paths that
 *    meet at a label agree on the state of the entries below the label's height;
 *  - an entry pending on local x never survives a write to x (local.set/tee materialize first);
 *  - conditional paths (br_if, br_table stubs) never change the compile-time state of entries;
 *  - after a branch, return or unreachable, nothing is emitted until the code is reachable again.
 *
 * It does NOT validate: the module has passed asw__validate, so malformed input reaching here is
 * an internal error (reported, never asserted on).
 */
#include "wasm/exec.h"
#include "wasm/iops.h"
#include "wasm/opcodes.h"

#include <stdio.h>
#include <string.h>

#define NONE 0xFFFFFFFFu

/* ---- the operation table as arrays ---- */

static const uint8_t iop_units[ASW_IOP_COUNT] = {
#define ROW(id, units, wasm, kind, twin, meaning) units,
    ASW_IOPS(ROW)
#undef ROW
};
static const int16_t iop_wasm[ASW_IOP_COUNT] = {
#define ROW(id, units, wasm, kind, twin, meaning) wasm,
    ASW_IOPS(ROW)
#undef ROW
};
static const uint8_t iop_kind[ASW_IOP_COUNT] = {
#define ROW(id, units, wasm, kind, twin, meaning) ASW_IOPK_##kind,
    ASW_IOPS(ROW)
#undef ROW
};
static const uint16_t iop_twin[ASW_IOP_COUNT] = {
#define ROW(id, units, wasm, kind, twin, meaning) ASW_IOP_##twin,
    ASW_IOPS(ROW)
#undef ROW
};

_Static_assert(ASW_IOP_STORE64 - ASW_IOP_STORE8 == 3 && ASW_IOP_STORE16 - ASW_IOP_STORE8 == 1 &&
                   ASW_IOP_STORE64_K - ASW_IOP_STORE8_K == 3 &&
                   ASW_IOP_STORE16_K - ASW_IOP_STORE8_K == 1,
               "the _K stores parallel the stores");
_Static_assert(ASW_IOP_F64_DIV - ASW_IOP_F64_ADD == 3 &&
                   ASW_IOP_F64_DIV_K - ASW_IOP_F64_ADD_K == 3 &&
                   ASW_IOP_F64_MUL - ASW_IOP_F64_ADD == 2 &&
                   ASW_IOP_F64_MUL_K - ASW_IOP_F64_ADD_K == 2,
               "the _K f64 operations parallel the f64 operations");
_Static_assert(ASW_IOP_BR_GE_U_I - ASW_IOP_BR_EQ == ASW_IOP_BR_GE_U_I_B - ASW_IOP_BR_EQ_B &&
                   ASW_IOP_BR_NE_I - ASW_IOP_BR_EQ == ASW_IOP_BR_NE_I_B - ASW_IOP_BR_EQ_B &&
                   ASW_IOP_BR_GE_U - ASW_IOP_BR_EQ == ASW_IOP_BR_GE_U_B - ASW_IOP_BR_EQ_B,
               "the loop branches parallel the compare-and-branch operations");

_Static_assert(ASW_IOP_INC_BR_NE_K - ASW_IOP_INC_BR_EQ_K == 4 &&
                   ASW_IOP_INC_BR_GE_U_R_I - ASW_IOP_INC_BR_EQ_K == 39 &&
                   ASW_IOP_INC_BR_EQ_R - ASW_IOP_INC_BR_EQ_K == 2 &&
                   ASW_IOP_BR_EQ_I - ASW_IOP_BR_EQ == 10 && ASW_IOP_BR_NE - ASW_IOP_BR_EQ == 1,
               "inc_br() computes INC_BR numbers from the comparison's position");
_Static_assert(ASW_IOP_BR_GT_S - ASW_IOP_BR_EQ == 4 && ASW_IOP_BR_LE_S - ASW_IOP_BR_EQ == 6 &&
                   ASW_IOP_BR_GE_U - ASW_IOP_BR_EQ == 9,
               "jump_field() mirrors comparisons by their position");
_Static_assert(ASW_IOP_F64P_DIV_DIV_R - ASW_IOP_F64P_ADD_ADD_L == 31 &&
                   ASW_IOP_F64P_SUB_ADD_L - ASW_IOP_F64P_ADD_ADD_L == 8 &&
                   ASW_IOP_F64P_ADD_SUB_L - ASW_IOP_F64P_ADD_ADD_L == 2,
               "do_binop() computes F64P numbers from the two operations");
_Static_assert(ASW_IOP_I32P_XOR_XOR - ASW_IOP_I32P_ADD_ADD == 29 &&
                   ASW_IOP_I32P_SUB_ADD - ASW_IOP_I32P_ADD_ADD == 6 &&
                   ASW_IOP_I32P_ADD_SUBR - ASW_IOP_I32P_ADD_ADD == 2 &&
                   ASW_IOP_I32P_ADD_AND - ASW_IOP_I32P_ADD_ADD == 3,
               "do_binop() computes I32P numbers from the two operations");
_Static_assert(ASW_IOP_F64_SUB_ST - ASW_IOP_F64_ADD_ST == 1 &&
                   ASW_IOP_F64_MUL_ST - ASW_IOP_F64_ADD_ST == 2,
               "the _ST f64 operations parallel the f64 operations");

static inline uint32_t units_of(const asw__code_t *code)
{
    /* clang-tidy 14 loses track of the code array across link_code's rewrite loop and calls
     * this read garbage; every unit it reads was written by the same pass. */
    uint32_t u0 = iop_units[code[0]]; // NOLINT(clang-analyzer-core.uninitialized.Assign)
    if (ASW_LIKELY(u0 != 0)) return u0;
    if (code[0] == ASW_IOP_BR_TABLE) return 3 + code[2] + 1;
    if (code[0] == ASW_IOP_BR_TABLE_K) return 4 + code[3] + 1;
    if (code[0] == ASW_IOP_BR_TABLE_LSK) return 8 + code[7] + 1;
    return 11 + code[10] + 1; /* BR_TABLE_ALSK */
}

uint32_t asw__iop_units(const asw__code_t *code)
{
    if (code[0] == ASW_IOP_BR_TABLE) return 3 + code[2] + 1;
    if (code[0] == ASW_IOP_BR_TABLE_K) return 4 + code[3] + 1;
    if (code[0] == ASW_IOP_BR_TABLE_LSK) return 8 + code[7] + 1;
    if (code[0] == ASW_IOP_BR_TABLE_ALSK) return 11 + code[10] + 1;
    return iop_units[code[0]];
}

/* ---- compiler state ---- */

enum { V_SLOT, V_LOCAL, V_CONST };
typedef struct vent {
    uint8_t kind;
    uint32_t idx;  /* V_LOCAL: the local */
    uint64_t bits; /* V_CONST: the value (32-bit values zero-extended) */
} vent_t;

enum { C_FUNC, C_BLOCK, C_LOOP, C_IF, C_ELSE };
typedef struct ctl {
    uint8_t kind;
    bool dead_entry; /* entered in unreachable code: emits nothing */
    bool label_used; /* some branch targets the end label */
    uint32_t height; /* simulated stack height below the block's params */
    uint32_t nparams, nresults;
    uint32_t loop_pc;    /* C_LOOP: the header (its FUEL checkpoint) */
    uint32_t patches;    /* forward references to the end label (list in comp.patches) */
    uint32_t else_patch; /* C_IF: the branch to the else arm, until `else` */
} ctl_t;

typedef struct patch {
    uint32_t field, op, next;
} patch_t;

typedef struct comp {
    const asw_module_t *m;
    const uint8_t *bytes, *p, *end;
    uint32_t sbase, nresults;
    asw__code_t *code;
    uint32_t ncode, capcode;
    vent_t *vs;
    uint32_t nvs, capvs, maxh;
    ctl_t *cs;
    uint32_t ncs, capcs;
    patch_t *patches;
    uint32_t npatches, cappatches;
    asw__pcmap_t *map;
    uint32_t nmap, capmap;
    uint32_t last_pos, last_h; /* the last operation and the height it produced, if any */
    uint32_t prev_pos;         /* the operation before last_pos, when no label is between */
    uint32_t prev2_pos;        /* and the one before that */
    uint32_t cur_off;          /* byte offset of the instruction being compiled */
    uint32_t fuel_field, fuel_count;
    bool dead;
    bool oom, bad;
} comp_t;

static bool grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap) return true;
    uint32_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > 0x7FFFFFFFu) return false;
        ncap *= 2;
    }
    void *n = asw__reallocarray(*arr, ncap, elem);
    if (!n) return false;
    *arr = n;
    *cap = ncap;
    return true;
}

/* ---- reading the (validated) body ---- */

static uint32_t rd_u32(comp_t *c)
{
    uint32_t v = 0;
    unsigned shift = 0;
    while (c->p < c->end) {
        uint8_t b = *c->p++;
        if (shift < 32) v |= (uint32_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) return v;
    }
    c->bad = true;
    return 0;
}

static int64_t rd_s64(comp_t *c)
{
    uint64_t v = 0;
    unsigned shift = 0;
    while (c->p < c->end) {
        uint8_t b = *c->p++;
        if (shift < 64) v |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
            return (int64_t)v;
        }
    }
    c->bad = true;
    return 0;
}

static uint8_t rd_byte(comp_t *c)
{
    if (c->p >= c->end) {
        c->bad = true;
        return 0;
    }
    return *c->p++;
}

static uint64_t rd_fixed(comp_t *c, unsigned n)
{
    if ((size_t)(c->end - c->p) < n) {
        c->bad = true;
        return 0;
    }
    uint64_t v = n == 4 ? asw__read_u32le(c->p) : asw__read_u64le(c->p);
    c->p += n;
    return v;
}

/* Block type: empty, one value type, or a type index (s33). */
static void rd_blocktype(comp_t *c, uint32_t *np, uint32_t *nr)
{
    if (c->p < c->end && (*c->p == 0x40)) {
        c->p++;
        *np = *nr = 0;
        return;
    }
    if (c->p < c->end && (*c->p >= 0x6F && *c->p <= 0x7F)) {
        c->p++;
        *np = 0;
        *nr = 1;
        return;
    }
    int64_t idx = rd_s64(c);
    if (idx < 0 || (uint64_t)idx >= c->m->ntypes) {
        c->bad = true;
        *np = *nr = 0;
        return;
    }
    *np = c->m->types[idx].nparams;
    *nr = c->m->types[idx].nresults;
}

/* Skips the immediates of an instruction in unreachable code. */
static void skip_imm(comp_t *c, uint8_t imm)
{
    switch (imm) {
    case ASW_IMM_NONE: break;
    case ASW_IMM_BLOCKTYPE: {
        uint32_t a, b;
        rd_blocktype(c, &a, &b);
        break;
    }
    case ASW_IMM_LABEL:
    case ASW_IMM_FUNC:
    case ASW_IMM_LOCAL:
    case ASW_IMM_GLOBAL:
    case ASW_IMM_TABLE:
    case ASW_IMM_MEMIDX:
    case ASW_IMM_DATA:
    case ASW_IMM_ELEM: rd_u32(c); break;
    case ASW_IMM_I32:
    case ASW_IMM_I64: rd_s64(c); break;
    case ASW_IMM_REFTYPE: rd_byte(c); break;
    case ASW_IMM_F32: rd_fixed(c, 4); break;
    case ASW_IMM_F64: rd_fixed(c, 8); break;
    case ASW_IMM_BR_TABLE: {
        uint32_t n = rd_u32(c);
        for (uint32_t i = 0; i <= n && !c->bad; i++)
            rd_u32(c);
        break;
    }
    case ASW_IMM_SELECT_T: {
        uint32_t n = rd_u32(c);
        for (uint32_t i = 0; i < n && !c->bad; i++)
            rd_byte(c);
        break;
    }
    default: /* CALL_INDIRECT, MEMARG, TABLE_TABLE, ELEM_TABLE, DATA_MEM, MEM_MEM */
        rd_u32(c);
        rd_u32(c);
        break;
    }
}

/* ---- emitting ---- */

static void u(comp_t *c, uint32_t v)
{
    if (c->ncode >= c->capcode && !grow((void **)&c->code, &c->capcode, c->ncode + 1, 4)) {
        c->oom = true;
        return;
    }
    c->code[c->ncode++] = v;
}

/* Starts an operation; returns its position. */
static uint32_t op(comp_t *c, int iop)
{
    uint32_t pos = c->ncode;
    c->prev2_pos = c->prev_pos;
    c->prev_pos = c->last_pos;
    c->last_pos = pos;
    c->last_h = NONE;
    u(c, (uint32_t)iop);
    return pos;
}

/* A branch target is placed here: peepholes must not look across it. */
static void label_here(comp_t *c)
{
    c->last_pos = NONE;
    c->prev_pos = NONE;
    c->prev2_pos = NONE;
    c->last_h = NONE;
}

/* Drops the last operation (a peephole replaces it); the one before becomes the last. */
static void drop_last(comp_t *c)
{
    c->ncode = c->last_pos;
    c->last_pos = c->prev_pos;
    c->prev_pos = c->prev2_pos;
    c->prev2_pos = NONE;
    c->last_h = NONE;
}

static uint32_t slot(comp_t *c, uint32_t h)
{
    return c->sbase + h;
}

static void push(comp_t *c, uint8_t kind, uint32_t idx, uint64_t bits)
{
    if (c->nvs >= c->capvs && !grow((void **)&c->vs, &c->capvs, c->nvs + 1, sizeof(vent_t))) {
        c->oom = true;
        return;
    }
    c->vs[c->nvs].kind = kind;
    c->vs[c->nvs].idx = idx;
    c->vs[c->nvs].bits = bits;
    c->nvs++;
    if (c->nvs > c->maxh) c->maxh = c->nvs;
}

/* Pushes the result of the operation just emitted (its destination is slot(h)). */
static void produce(comp_t *c)
{
    uint32_t h = c->nvs;
    push(c, V_SLOT, 0, 0);
    c->last_h = h;
}

static void emit_const(comp_t *c, uint32_t dst, uint64_t bits)
{
    if (bits >> 32) {
        op(c, ASW_IOP_CONST64);
        u(c, dst);
        u(c, (uint32_t)bits);
        u(c, (uint32_t)(bits >> 32));
    } else {
        op(c, ASW_IOP_CONST32);
        u(c, dst);
        u(c, (uint32_t)bits);
    }
}

/* MOV dst <- src; right after another MOV, both become one MOV2 (phi moves, block results).
 * The new move's operands come first, so a local.set retargeting the last operation's
 * destination retargets this move's. */
static void emit_mov(comp_t *c, uint32_t dst, uint32_t src)
{
    uint32_t lp = c->last_pos;
    if (lp != NONE && lp + 3 == c->ncode && c->code[lp] == ASW_IOP_MOV) {
        uint32_t d1 = c->code[lp + 1], a1 = c->code[lp + 2];
        c->code[lp] = ASW_IOP_MOV2;
        c->code[lp + 1] = dst;
        c->code[lp + 2] = src;
        u(c, d1);
        u(c, a1);
        return;
    }
    op(c, ASW_IOP_MOV);
    u(c, dst);
    u(c, src);
}

/* Copies entry h into slot dst without changing its compile-time state. */
static void emit_to(comp_t *c, uint32_t dst, uint32_t h)
{
    vent_t *e = &c->vs[h];
    if (e->kind == V_CONST) {
        emit_const(c, dst, e->bits);
        return;
    }
    uint32_t src = e->kind == V_LOCAL ? e->idx : slot(c, h);
    if (src == dst) return;
    emit_mov(c, dst, src);
}

static void materialize(comp_t *c, uint32_t h)
{
    if (c->vs[h].kind == V_SLOT) return;
    emit_to(c, slot(c, h), h);
    c->vs[h].kind = V_SLOT;
    c->last_h = h; /* the MOV/CONST produced h: local.set may retarget it */
}

static void materialize_range(comp_t *c, uint32_t from, uint32_t to)
{
    for (uint32_t h = from; h < to; h++)
        materialize(c, h);
}

static void materialize_top(comp_t *c, uint32_t n)
{
    materialize_range(c, c->nvs - n, c->nvs);
}

/* The slot an operation reads entry h from (constants are materialized into their slot). */
static uint32_t use(comp_t *c, uint32_t h)
{
    vent_t *e = &c->vs[h];
    if (e->kind == V_LOCAL) return e->idx;
    if (e->kind == V_CONST) materialize(c, h);
    return slot(c, h);
}

/* ---- pc map (trap backtraces) ---- */

static void map_here(comp_t *c, uint32_t off)
{
    while (c->nmap > 0 && c->map[c->nmap - 1].pc >= c->ncode)
        c->nmap--;
    if (!grow((void **)&c->map, &c->capmap, c->nmap + 1, sizeof(asw__pcmap_t))) {
        c->oom = true;
        return;
    }
    c->map[c->nmap].pc = c->ncode;
    c->map[c->nmap].off = off;
    c->nmap++;
}

/* Was entry h (a slot) produced by the last operation, an `iop` writing slot(h)? Then the next
 * operation may fold it: the temporary is read by nothing else. */
static bool last_made(comp_t *c, uint32_t h, int iop)
{
    return c->vs[h].kind == V_SLOT && c->last_h == h && c->last_pos != NONE &&
           c->code[c->last_pos] == (uint32_t)iop && c->code[c->last_pos + 1] == slot(c, h);
}

/* Drops the last operation (being folded into the next one), keeping its pc map entry: a trap
 * in the folded operation reports the instruction that could trap there. */
static void rewind_keep(comp_t *c, uint32_t pos)
{
    ASW_ASSERT(pos == c->last_pos);
    drop_last(c);
    while (c->nmap > 0 && c->map[c->nmap - 1].pc > pos)
        c->nmap--;
}

/* Drops the code from pos on (the last operation, being fused into the next) and maps pos to
 * the instruction now being compiled, so a trap in the fused operation reports it. */
static void rewind_to(comp_t *c, uint32_t pos)
{
    ASW_ASSERT(pos == c->last_pos);
    drop_last(c);
    map_here(c, c->cur_off);
}

/* The address computation that made value h (the last operation) fused into the load that
 * uses it: the load `iop` gets h's result slot, the first n operands of the dropped operation,
 * then the memory offset. A trap in it reports the load (rewind_to). */
static void fuse_address(comp_t *c, uint32_t h, int iop, uint32_t n, uint32_t offset)
{
    uint32_t lp = c->last_pos, a[3];
    ASW_ASSERT(n <= 3);
    for (uint32_t i = 0; i < n; i++)
        a[i] = c->code[lp + 2 + i];
    rewind_to(c, lp);
    c->nvs--;
    op(c, iop);
    u(c, slot(c, h));
    for (uint32_t i = 0; i < n; i++)
        u(c, a[i]);
    u(c, offset);
    produce(c);
}

/* ---- fuel checkpoints ---- */

static uint32_t checkpoint(comp_t *c)
{
    if (c->fuel_field != NONE && c->fuel_field < c->ncode) c->code[c->fuel_field] = c->fuel_count;
    label_here(c);
    uint32_t pos = op(c, ASW_IOP_FUEL);
    c->fuel_field = c->ncode;
    u(c, 0);
    c->fuel_count = 0;
    label_here(c);
    return pos;
}

/* ---- labels and branches ---- */

static ctl_t *label_at(comp_t *c, uint32_t depth)
{
    if (depth >= c->ncs) {
        c->bad = true;
        return &c->cs[0];
    }
    return &c->cs[c->ncs - 1 - depth];
}

static uint32_t arity(const ctl_t *l)
{
    return l->kind == C_LOOP ? l->nparams : l->nresults;
}

/* Are the label's values (the top entries, ignoring the `skip` topmost) already in its slots? */
static bool in_place(comp_t *c, const ctl_t *l, uint32_t skip)
{
    uint32_t n = arity(l);
    if (l->kind == C_FUNC) return false;
    if (c->nvs < n + skip) return false;
    uint32_t first = c->nvs - skip - n;
    for (uint32_t i = 0; i < n; i++) {
        if (c->vs[first + i].kind != V_SLOT || first + i != l->height + i) return false;
    }
    return true;
}

/* Emits the rel unit of the branch operation at op_pos towards label l. */
/* The backward twin of a branch operation (it also runs the loop header's FUEL check). */
static uint32_t loop_twin(uint32_t iop)
{
    switch (iop) {
    case ASW_IOP_BR: return ASW_IOP_BR_B;
    case ASW_IOP_BR_IF: return ASW_IOP_BR_IF_B;
    case ASW_IOP_BR_UNLESS: return ASW_IOP_BR_UNLESS_B;
    default:
        if (iop >= ASW_IOP_BR_EQ && iop <= ASW_IOP_BR_GE_U_I)
            return iop - ASW_IOP_BR_EQ + ASW_IOP_BR_EQ_B;
        return iop;
    }
}

/* The INC_BR operation for a loop back-edge `br` (a compare-and-branch, BR_IF or BR_UNLESS on
 * slot a) right after an i32.add writing a: the INC_BR number for an immediate (add_k) or
 * register add, with *k2 set for the immediate comparison forms; -1 if none applies. */
static int inc_br(uint32_t br, bool add_k, const asw__code_t *code, uint32_t *k2)
{
    int cmp, imm;
    if (br == ASW_IOP_BR_IF || br == ASW_IOP_BR_UNLESS) {
        cmp = br == ASW_IOP_BR_IF ? 1 : 0; /* NE 0 / EQ 0 */
        imm = 1;
        *k2 = 0;
    } else if (br >= ASW_IOP_BR_EQ && br <= ASW_IOP_BR_GE_U_I) {
        uint32_t i = br - ASW_IOP_BR_EQ;
        cmp = (int)(i % 10);
        imm = i >= 10;
        *k2 = code[2];
    } else {
        return -1;
    }
    return ASW_IOP_INC_BR_EQ_K + cmp * 4 + (add_k ? 0 : 2) + imm;
}

static void jump_field(comp_t *c, ctl_t *l, uint32_t op_pos)
{
    if (l->kind == C_LOOP) {
        uint32_t pp = c->prev_pos;
        uint32_t br = op_pos < c->ncode ? c->code[op_pos] : 0;
        if (op_pos == c->last_pos && pp != NONE && pp + 4 == op_pos &&
            (c->code[pp] == ASW_IOP_I32_ADD_I || c->code[pp] == ASW_IOP_I32_ADD) &&
            br >= ASW_IOP_BR_EQ && br <= ASW_IOP_BR_GE_U &&
            c->code[pp + 1] != c->code[op_pos + 1] && c->code[pp + 1] == c->code[op_pos + 2]) {
            /* The add wrote the right operand: swap the operands (a < b is b > a). */
            static const uint8_t mirrored[10] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};
            uint32_t t = c->code[op_pos + 1];
            c->code[op_pos] = ASW_IOP_BR_EQ + mirrored[br - ASW_IOP_BR_EQ];
            c->code[op_pos + 1] = c->code[op_pos + 2];
            c->code[op_pos + 2] = t;
        }
        /* op_pos + 1 < ncode: the branch has a condition operand (a plain br has none, and its
         * unit after the opcode is not written yet). */
        if (op_pos == c->last_pos && pp != NONE && op_pos + 1 < c->ncode &&
            (c->code[pp] == ASW_IOP_I32_ADD_I || c->code[pp] == ASW_IOP_I32_ADD) &&
            pp + 4 == op_pos && c->code[pp + 1] == c->code[op_pos + 1]) {
            /* i32.add then the back-edge testing its result: one operation. */
            uint32_t k2 = 0;
            int f =
                inc_br(c->code[op_pos], c->code[pp] == ASW_IOP_I32_ADD_I, c->code + op_pos, &k2);
            if (f >= 0) {
                bool imm = (f - ASW_IOP_INC_BR_EQ_K) % 2 != 0;
                uint32_t b = imm ? k2 : c->code[op_pos + 2];
                c->code[pp] = (uint32_t)f;
                c->ncode = pp + 4;
                c->last_pos = pp;
                c->prev_pos = NONE;
                c->prev2_pos = NONE;
                u(c, b);
                u(c, l->loop_pc - pp);
                return;
            }
        }
        if (op_pos == c->last_pos && pp != NONE && pp + 4 == op_pos && br == ASW_IOP_BR &&
            (c->code[pp] == ASW_IOP_I32_ADD_I || c->code[pp] == ASW_IOP_I32_AND_I)) {
            /* An increment or a mask, then the jump back: one operation. */
            c->code[pp] =
                c->code[pp] == ASW_IOP_I32_ADD_I ? ASW_IOP_I32_ADD_I_BR_B : ASW_IOP_I32_AND_I_BR_B;
            c->ncode = pp + 4;
            c->last_pos = pp;
            c->prev_pos = NONE;
            c->prev2_pos = NONE;
            u(c, l->loop_pc - pp);
            return;
        }
        if (op_pos < c->ncode) c->code[op_pos] = loop_twin(c->code[op_pos]);
        u(c, l->loop_pc - op_pos);
        return;
    }
    if (!grow((void **)&c->patches, &c->cappatches, c->npatches + 1, sizeof(patch_t))) {
        c->oom = true;
        return;
    }
    uint32_t pp = c->prev_pos;
    if (op_pos == c->last_pos && pp != NONE && pp + 4 == op_pos && op_pos < c->ncode &&
        c->code[op_pos] == ASW_IOP_BR && c->code[pp] == ASW_IOP_I32_ADD_I) {
        /* An increment, then a forward jump: one operation. */
        c->code[pp] = ASW_IOP_I32_ADD_I_BR;
        c->ncode = pp + 4;
        c->last_pos = pp;
        c->prev_pos = NONE;
        c->prev2_pos = NONE;
        op_pos = pp;
    }
    patch_t *pt = &c->patches[c->npatches];
    pt->field = c->ncode;
    pt->op = op_pos;
    pt->next = l->patches;
    l->patches = c->npatches++;
    l->label_used = true;
    u(c, 0);
}

static void patch_list(comp_t *c, uint32_t head, uint32_t target)
{
    for (uint32_t i = head; i != NONE; i = c->patches[i].next) {
        if (c->patches[i].field < c->ncode)
            c->code[c->patches[i].field] = target - c->patches[i].op;
    }
}

/* Moves the top arity values into label l's slots (values of arity > 1 already materialized).
 * Leaves the compile-time state unchanged. */
static void emit_moves(comp_t *c, const ctl_t *l)
{
    uint32_t n = arity(l);
    if (n == 1) {
        emit_to(c, slot(c, l->height), c->nvs - 1);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = c->nvs - n + i;
        if (h != l->height + i) emit_mov(c, slot(c, l->height + i), slot(c, h));
    }
}

/* Emits the return of the top nresults values (for > 1, already materialized). Leaves the
 * compile-time state unchanged. */
static void emit_return(comp_t *c)
{
    uint32_t n = c->nresults;
    if (n == 0) {
        op(c, ASW_IOP_RET);
    } else if (n == 1) {
        vent_t *e = &c->vs[c->nvs - 1];
        if (e->kind == V_CONST) {
            emit_const(c, 0, e->bits);
            op(c, ASW_IOP_RET);
        } else {
            op(c, ASW_IOP_RET1);
            u(c, e->kind == V_LOCAL ? e->idx : slot(c, c->nvs - 1));
        }
    } else {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t src = slot(c, c->nvs - n + i);
            if (src != i) emit_mov(c, i, src);
        }
        op(c, ASW_IOP_RET);
    }
}

/* Fused compare-and-branch for the comparison that produced the top entry; -1 if none. */
static int fused_branch(uint32_t cmp, bool if_true)
{
    static const struct {
        uint16_t cmp, br, neg;
    } map[] = {
        {ASW_IOP_I32_EQ, ASW_IOP_BR_EQ, ASW_IOP_BR_NE},
        {ASW_IOP_I32_NE, ASW_IOP_BR_NE, ASW_IOP_BR_EQ},
        {ASW_IOP_I32_LT_S, ASW_IOP_BR_LT_S, ASW_IOP_BR_GE_S},
        {ASW_IOP_I32_LT_U, ASW_IOP_BR_LT_U, ASW_IOP_BR_GE_U},
        {ASW_IOP_I32_GT_S, ASW_IOP_BR_GT_S, ASW_IOP_BR_LE_S},
        {ASW_IOP_I32_GT_U, ASW_IOP_BR_GT_U, ASW_IOP_BR_LE_U},
        {ASW_IOP_I32_LE_S, ASW_IOP_BR_LE_S, ASW_IOP_BR_GT_S},
        {ASW_IOP_I32_LE_U, ASW_IOP_BR_LE_U, ASW_IOP_BR_GT_U},
        {ASW_IOP_I32_GE_S, ASW_IOP_BR_GE_S, ASW_IOP_BR_LT_S},
        {ASW_IOP_I32_GE_U, ASW_IOP_BR_GE_U, ASW_IOP_BR_LT_U},
        {ASW_IOP_I32_EQ_I, ASW_IOP_BR_EQ_I, ASW_IOP_BR_NE_I},
        {ASW_IOP_I32_NE_I, ASW_IOP_BR_NE_I, ASW_IOP_BR_EQ_I},
        {ASW_IOP_I32_LT_S_I, ASW_IOP_BR_LT_S_I, ASW_IOP_BR_GE_S_I},
        {ASW_IOP_I32_LT_U_I, ASW_IOP_BR_LT_U_I, ASW_IOP_BR_GE_U_I},
        {ASW_IOP_I32_GT_S_I, ASW_IOP_BR_GT_S_I, ASW_IOP_BR_LE_S_I},
        {ASW_IOP_I32_GT_U_I, ASW_IOP_BR_GT_U_I, ASW_IOP_BR_LE_U_I},
        {ASW_IOP_I32_LE_S_I, ASW_IOP_BR_LE_S_I, ASW_IOP_BR_GT_S_I},
        {ASW_IOP_I32_LE_U_I, ASW_IOP_BR_LE_U_I, ASW_IOP_BR_GT_U_I},
        {ASW_IOP_I32_GE_S_I, ASW_IOP_BR_GE_S_I, ASW_IOP_BR_LT_S_I},
        {ASW_IOP_I32_GE_U_I, ASW_IOP_BR_GE_U_I, ASW_IOP_BR_LT_U_I},
    };
    for (size_t i = 0; i < ASW_ARRAY_LEN(map); i++) {
        if (map[i].cmp == cmp) return if_true ? map[i].br : map[i].neg;
    }
    return -1;
}

/* Pops the condition and emits a branch taken when it is true (if_true) or false, fused with
 * the comparison that produced it when possible. The rel unit is left to the caller. Returns
 * the branch's position. */
static uint32_t cond_jump(comp_t *c, bool if_true)
{
    uint32_t h = c->nvs - 1;
    if (c->vs[h].kind == V_SLOT && c->last_h == h && c->last_pos != NONE) {
        uint32_t lp = c->last_pos;
        uint32_t lop = c->code[lp];
        int br = fused_branch(lop, if_true);
        if (br >= 0) {
            uint32_t a = c->code[lp + 2], b = c->code[lp + 3];
            drop_last(c);
            c->nvs--;
            uint32_t pos = op(c, br);
            u(c, a);
            u(c, b);
            return pos;
        }
        if (lop == ASW_IOP_I32_EQZ) {
            uint32_t a = c->code[lp + 2];
            drop_last(c);
            c->nvs--;
            uint32_t pos = op(c, if_true ? ASW_IOP_BR_UNLESS : ASW_IOP_BR_IF);
            u(c, a);
            return pos;
        }
    }
    uint32_t s = use(c, h);
    c->nvs--;
    uint32_t pos = op(c, if_true ? ASW_IOP_BR_IF : ASW_IOP_BR_UNLESS);
    u(c, s);
    return pos;
}

static void do_br(comp_t *c, uint32_t depth)
{
    ctl_t *l = label_at(c, depth);
    if (l->kind == C_FUNC) {
        if (c->nresults > 1) materialize_top(c, c->nresults);
        emit_return(c);
    } else {
        if (arity(l) > 1) materialize_top(c, arity(l));
        emit_moves(c, l);
        uint32_t pos = op(c, ASW_IOP_BR);
        jump_field(c, l, pos);
    }
    c->dead = true;
}

static void do_br_if(comp_t *c, uint32_t depth)
{
    ctl_t *l = label_at(c, depth);
    if (in_place(c, l, 1)) {
        uint32_t pos = cond_jump(c, true);
        jump_field(c, l, pos);
        return;
    }
    /* Values must move: branch around the moves when the condition is false. */
    uint32_t s = use(c, c->nvs - 1);
    c->nvs--;
    uint32_t n = l->kind == C_FUNC ? c->nresults : arity(l);
    if (n > 1) materialize_top(c, n);
    uint32_t pos = op(c, ASW_IOP_BR_UNLESS);
    u(c, s);
    uint32_t skip = c->ncode;
    u(c, 0);
    if (l->kind == C_FUNC) {
        emit_return(c);
    } else {
        emit_moves(c, l);
        uint32_t p2 = op(c, ASW_IOP_BR);
        jump_field(c, l, p2);
    }
    if (skip < c->ncode) c->code[skip] = c->ncode - pos;
    label_here(c);
}

static void do_br_table(comp_t *c)
{
    uint32_t n = rd_u32(c);
    if (c->bad) return;
    uint32_t *depths = asw__calloc((size_t)n + 1, sizeof(uint32_t));
    uint32_t *stubs = asw__calloc((size_t)n + 1, sizeof(uint32_t));
    if (!depths || !stubs) {
        c->oom = true;
        goto done;
    }
    for (uint32_t i = 0; i <= n; i++)
        depths[i] = rd_u32(c);
    if (c->bad) goto done;
    uint32_t h = c->nvs - 1, s, k = 0, ld[5] = {0, 0, 0, 0, 0};
    bool add_k = last_made(c, h, ASW_IOP_I32_ADD_I), lsk = false;
    if (add_k) { /* the index is an i32.add of an immediate just made: fold it */
        s = c->code[c->last_pos + 2];
        k = c->code[c->last_pos + 3];
        rewind_to(c, c->last_pos);
        uint32_t q = c->last_pos;
        lsk = s == slot(c, h) && q != NONE && q + 6 == c->ncode &&
              c->code[q] == ASW_IOP_I32_LOAD_SK && c->code[q + 1] == s;
    } else if (last_made(c, h, ASW_IOP_I32_LOAD_SK)) {
        s = slot(c, h);
        lsk = true;
    } else {
        s = use(c, h);
    }
    if (lsk) { /* the index (before the add) was just loaded (a switch on a loaded value) */
        uint32_t q = c->last_pos;
        memcpy(ld, c->code + q + 1, sizeof(ld));
        rewind_keep(c, q); /* the load's pc map entry: the fused operation traps there */
    }
    c->nvs--;
    uint32_t ar = arity(label_at(c, depths[n]));
    if (label_at(c, depths[n])->kind == C_FUNC) ar = c->nresults;
    bool moves = false;
    for (uint32_t i = 0; i <= n; i++) {
        if (!in_place(c, label_at(c, depths[i]), 0)) moves = true;
    }
    if (moves && ar > 1) materialize_top(c, ar);
    uint32_t ad[3], p = c->last_pos;
    bool alsk = lsk && p != NONE && p + 4 == c->ncode && c->code[p] == ASW_IOP_I32_ADD_I &&
                c->nmap > 0 && c->map[c->nmap - 1].pc == p + 4;
    if (alsk) {
        /* An i32.add of an immediate just before (the interpreter's pc + 1) joins in; it runs
         * first. The load is the one trap site: its pc map entry moves to the operation. */
        uint32_t load_off = c->map[c->nmap - 1].off;
        memcpy(ad, c->code + p + 1, sizeof(ad));
        rewind_keep(c, p);
        if (c->nmap > 0 && c->map[c->nmap - 1].pc == p) {
            c->map[c->nmap - 1].off = load_off;
        } else if (grow((void **)&c->map, &c->capmap, c->nmap + 1, sizeof(asw__pcmap_t))) {
            c->map[c->nmap].pc = p;
            c->map[c->nmap].off = load_off;
            c->nmap++;
        } else {
            c->oom = true;
            goto done;
        }
    }
    uint32_t pos = op(c, alsk    ? ASW_IOP_BR_TABLE_ALSK
                         : lsk   ? ASW_IOP_BR_TABLE_LSK
                         : add_k ? ASW_IOP_BR_TABLE_K
                                 : ASW_IOP_BR_TABLE);
    if (lsk) {
        if (alsk)
            for (uint32_t i = 0; i < 3; i++)
                u(c, ad[i]);
        for (uint32_t i = 0; i < 5; i++)
            u(c, ld[i]);
        u(c, k);
    } else {
        u(c, s);
        if (add_k) u(c, k);
    }
    u(c, n);
    uint32_t field0 = c->ncode;
    for (uint32_t i = 0; i <= n; i++)
        u(c, 0);
    if (c->oom) goto done;
    for (uint32_t i = 0; i <= n; i++) {
        ctl_t *l = label_at(c, depths[i]);
        uint32_t field = field0 + i;
        if (in_place(c, l, 0)) {
            if (l->kind == C_LOOP) {
                c->code[field] = l->loop_pc - pos;
            } else {
                if (!grow((void **)&c->patches, &c->cappatches, c->npatches + 1, sizeof(patch_t))) {
                    c->oom = true;
                    goto done;
                }
                patch_t *pt = &c->patches[c->npatches];
                pt->field = field;
                pt->op = pos;
                pt->next = l->patches;
                l->patches = c->npatches++;
                l->label_used = true;
            }
            continue;
        }
        /* A stub with the moves; shared by entries with the same target. */
        uint32_t j;
        for (j = 0; j < i; j++) {
            if (depths[j] == depths[i] && stubs[j]) break;
        }
        if (j < i) {
            c->code[field] = stubs[j] - pos;
            stubs[i] = stubs[j];
            continue;
        }
        label_here(c);
        stubs[i] = c->ncode;
        c->code[field] = c->ncode - pos;
        if (l->kind == C_FUNC) {
            emit_return(c);
        } else {
            emit_moves(c, l);
            uint32_t p2 = op(c, ASW_IOP_BR);
            jump_field(c, l, p2);
        }
        if (c->oom) goto done;
    }
    c->dead = true;
done:
    asw__free(depths);
    asw__free(stubs);
}

static void push_ctl(comp_t *c, uint8_t kind, uint32_t np, uint32_t nr)
{
    if (!grow((void **)&c->cs, &c->capcs, c->ncs + 1, sizeof(ctl_t))) {
        c->oom = true;
        return;
    }
    ctl_t *l = &c->cs[c->ncs++];
    memset(l, 0, sizeof(*l));
    l->kind = kind;
    l->dead_entry = c->dead;
    l->nparams = np;
    l->nresults = nr;
    l->height = c->dead || c->nvs < np ? 0 : c->nvs - np;
    l->patches = NONE;
    l->else_patch = NONE;
    l->loop_pc = NONE;
}

/* `end` of a live construct (or of the function). */
static void do_end(comp_t *c)
{
    ctl_t *l = &c->cs[c->ncs - 1];
    if (l->kind == C_FUNC) {
        if (!c->dead) {
            if (c->nresults > 1) materialize_top(c, c->nresults);
            emit_return(c);
        }
        c->ncs--;
        return;
    }
    if (!c->dead) materialize_top(c, l->nresults);
    if (l->else_patch != NONE) { /* an if without else: the false path arrives here */
        patch_list(c, l->else_patch, c->ncode);
        l->label_used = true;
    }
    patch_list(c, l->patches, c->ncode);
    label_here(c);
    bool reachable = !c->dead || l->label_used;
    uint8_t kind = l->kind;
    uint32_t height = l->height, nr = l->nresults;
    c->ncs--;
    c->nvs = height;
    for (uint32_t i = 0; i < nr; i++)
        push(c, V_SLOT, 0, 0);
    c->last_h = NONE;
    c->dead = !reachable;
    if (kind == C_LOOP && reachable) checkpoint(c);
}

static void do_else(comp_t *c)
{
    ctl_t *l = &c->cs[c->ncs - 1];
    if (!c->dead) {
        materialize_top(c, l->nresults);
        uint32_t pos = op(c, ASW_IOP_BR);
        jump_field(c, l, pos);
    }
    patch_list(c, l->else_patch, c->ncode);
    l->else_patch = NONE;
    l->kind = C_ELSE;
    label_here(c);
    c->nvs = l->height;
    for (uint32_t i = 0; i < l->nparams; i++)
        push(c, V_SLOT, 0, 0);
    c->last_h = NONE;
    c->dead = false;
}

/* ---- the generic numeric handler ---- */

static bool fits_s32(uint64_t v)
{
    return (int64_t)(int32_t)(uint32_t)v == (int64_t)v;
}

/* The comparison with swapped operands (a < b == b > a), or -1. */
static int mirror(int iop)
{
    switch (iop) {
    case ASW_IOP_I32_EQ:
    case ASW_IOP_I32_NE:
    case ASW_IOP_I32_ADD:
    case ASW_IOP_I32_MUL:
    case ASW_IOP_I32_AND:
    case ASW_IOP_I32_OR:
    case ASW_IOP_I32_XOR:
    case ASW_IOP_I64_ADD:
    case ASW_IOP_I64_AND:
    case ASW_IOP_I64_OR:
    case ASW_IOP_I64_XOR: return iop;
    case ASW_IOP_I32_LT_S: return ASW_IOP_I32_GT_S;
    case ASW_IOP_I32_LT_U: return ASW_IOP_I32_GT_U;
    case ASW_IOP_I32_GT_S: return ASW_IOP_I32_LT_S;
    case ASW_IOP_I32_GT_U: return ASW_IOP_I32_LT_U;
    case ASW_IOP_I32_LE_S: return ASW_IOP_I32_GE_S;
    case ASW_IOP_I32_LE_U: return ASW_IOP_I32_GE_U;
    case ASW_IOP_I32_GE_S: return ASW_IOP_I32_LE_S;
    case ASW_IOP_I32_GE_U: return ASW_IOP_I32_LE_U;
    default: return -1;
    }
}

/* The integer comparison with the opposite result (a < b -> a >= b), or -1. */
static int negated(uint32_t iop)
{
    static const uint16_t pairs[][2] = {
        {ASW_IOP_I32_EQ, ASW_IOP_I32_NE},         {ASW_IOP_I32_LT_S, ASW_IOP_I32_GE_S},
        {ASW_IOP_I32_LT_U, ASW_IOP_I32_GE_U},     {ASW_IOP_I32_GT_S, ASW_IOP_I32_LE_S},
        {ASW_IOP_I32_GT_U, ASW_IOP_I32_LE_U},     {ASW_IOP_I32_EQ_I, ASW_IOP_I32_NE_I},
        {ASW_IOP_I32_LT_S_I, ASW_IOP_I32_GE_S_I}, {ASW_IOP_I32_LT_U_I, ASW_IOP_I32_GE_U_I},
        {ASW_IOP_I32_GT_S_I, ASW_IOP_I32_LE_S_I}, {ASW_IOP_I32_GT_U_I, ASW_IOP_I32_LE_U_I},
        {ASW_IOP_I64_EQ, ASW_IOP_I64_NE},         {ASW_IOP_I64_LT_S, ASW_IOP_I64_GE_S},
        {ASW_IOP_I64_LT_U, ASW_IOP_I64_GE_U},     {ASW_IOP_I64_GT_S, ASW_IOP_I64_LE_S},
        {ASW_IOP_I64_GT_U, ASW_IOP_I64_LE_U},
    };
    for (size_t i = 0; i < ASW_ARRAY_LEN(pairs); i++) {
        if (pairs[i][0] == iop) return pairs[i][1];
        if (pairs[i][1] == iop) return pairs[i][0];
    }
    return -1;
}

static void do_unop(comp_t *c, int iop)
{
    uint32_t h = c->nvs - 1;
    if (iop == ASW_IOP_I32_EQZ && c->vs[h].kind == V_SLOT && c->last_h == h &&
        c->last_pos != NONE && c->code[c->last_pos + 1] == slot(c, h)) {
        /* eqz of an integer comparison just made: the opposite comparison, same slot. */
        int neg = negated(c->code[c->last_pos]);
        if (neg >= 0) {
            c->code[c->last_pos] = (uint32_t)neg;
            return;
        }
    }
    uint32_t s = use(c, h);
    c->nvs--;
    op(c, iop);
    u(c, slot(c, h));
    u(c, s);
    produce(c);
}

/* Superinstructions for a binary operation whose operands are ready: f64 arithmetic with a
 * loaded or constant right operand, i32.add of a shifted value, i32.xor of a rotated value.
 * Returns false when none applies. Float operands are never swapped (that could change which
 * NaN comes out). */
static bool fused_binop(comp_t *c, int iop)
{
    uint32_t ha = c->nvs - 2, hb = c->nvs - 1;
    vent_t *ea = &c->vs[ha], *eb = &c->vs[hb];
    if (ea->kind == V_CONST) return false;
    if (iop == ASW_IOP_F64_ADD || iop == ASW_IOP_F64_SUB || iop == ASW_IOP_F64_MUL) {
        if (last_made(c, hb, ASW_IOP_I64_LOAD)) {
            uint32_t lp = c->last_pos, p = c->code[lp + 2], off = c->code[lp + 3];
            rewind_keep(c, lp);
            uint32_t sa = use(c, ha);
            c->nvs -= 2;
            op(c, iop == ASW_IOP_F64_ADD   ? ASW_IOP_F64_ADD_M
                  : iop == ASW_IOP_F64_SUB ? ASW_IOP_F64_SUB_M
                                           : ASW_IOP_F64_MUL_M);
            u(c, slot(c, ha));
            u(c, sa);
            u(c, p);
            u(c, off);
            produce(c);
            return true;
        }
        if (last_made(c, hb, ASW_IOP_I64_LOAD_AK)) {
            uint32_t lp = c->last_pos, p = c->code[lp + 2], k = c->code[lp + 3];
            uint32_t off = c->code[lp + 4];
            rewind_keep(c, lp);
            uint32_t sa = use(c, ha);
            c->nvs -= 2;
            op(c, iop == ASW_IOP_F64_ADD   ? ASW_IOP_F64_ADD_MK
                  : iop == ASW_IOP_F64_SUB ? ASW_IOP_F64_SUB_MK
                                           : ASW_IOP_F64_MUL_MK);
            u(c, slot(c, ha));
            u(c, sa);
            u(c, p);
            u(c, k);
            u(c, off);
            produce(c);
            return true;
        }
    }
    if (iop >= ASW_IOP_F64_ADD && iop <= ASW_IOP_F64_DIV && eb->kind == V_CONST) {
        uint64_t k = eb->bits;
        uint32_t sa = use(c, ha);
        c->nvs -= 2;
        op(c, iop - ASW_IOP_F64_ADD + ASW_IOP_F64_ADD_K);
        u(c, slot(c, ha));
        u(c, sa);
        u(c, (uint32_t)k);
        u(c, (uint32_t)(k >> 32));
        produce(c);
        return true;
    }
    if (iop == ASW_IOP_I32_XOR && eb->kind != V_CONST &&
        (last_made(c, hb, ASW_IOP_I32_SHR_U_I) ||
         (eb->kind != V_SLOT && last_made(c, ha, ASW_IOP_I32_SHR_U_I)))) {
        /* a ^ (x >> S), either side; rotl(x, K1) ^ rotl(x, K2) ^ (x >> S) when the other
         * operand is the ROTX2 of the same x made just before (sha-2's small sigmas). */
        uint32_t ho = last_made(c, hb, ASW_IOP_I32_SHR_U_I) ? ha : hb;
        uint32_t lp = c->last_pos, x = c->code[lp + 2], sh = c->code[lp + 3];
        rewind_keep(c, lp);
        uint32_t p2 = c->last_pos;
        if (ho == ha && ea->kind == V_SLOT && p2 != NONE && p2 + 5 == c->ncode &&
            c->code[p2] == ASW_IOP_I32_ROTX2 && c->code[p2 + 1] == slot(c, ha) &&
            c->code[p2 + 2] == x) {
            c->code[p2] = ASW_IOP_I32_ROTX2_SHR;
            u(c, sh);
            c->nvs -= 2;
            produce(c);
            return true;
        }
        uint32_t so = use(c, ho);
        c->nvs -= 2;
        op(c, ASW_IOP_I32_XOR_SHRU);
        u(c, slot(c, ha));
        u(c, so);
        u(c, x);
        u(c, sh);
        produce(c);
        return true;
    }
    if ((iop == ASW_IOP_I32_ADD || iop == ASW_IOP_I32_XOR) && eb->kind != V_CONST) {
        /* Both are commutative: the folded operand may be on either side. */
        int inner = iop == ASW_IOP_I32_ADD ? ASW_IOP_I32_SHL_I : ASW_IOP_I32_ROTL_I;
        uint32_t ho; /* the operand not made by the last operation */
        if (last_made(c, hb, inner))
            ho = ha;
        else if (eb->kind != V_SLOT && last_made(c, ha, inner))
            ho = hb;
        else
            return false;
        uint32_t lp = c->last_pos, x = c->code[lp + 2], sh = c->code[lp + 3];
        rewind_keep(c, lp);
        uint32_t p2 = c->last_pos;
        if (iop == ASW_IOP_I32_XOR && ho == ha && ea->kind == V_SLOT && p2 != NONE &&
            c->code[p2 + 1] == slot(c, ha) && c->code[p2 + 2] == x &&
            ((c->code[p2] == ASW_IOP_I32_ROTL_I && p2 + 4 == c->ncode) ||
             (c->code[p2] == ASW_IOP_I32_ROTX2 && p2 + 5 == c->ncode))) {
            /* rotl(x, K1) ^ rotl(x, K2) [^ rotl(x, K3)]: the temporary made just before holds
             * the rotations of the same x already xored. */
            c->code[p2] = c->code[p2] == ASW_IOP_I32_ROTL_I ? ASW_IOP_I32_ROTX2 : ASW_IOP_I32_ROTX3;
            u(c, sh);
            c->nvs -= 2;
            produce(c);
            return true;
        }
        if (iop == ASW_IOP_I32_ADD && ho == ha && ea->kind == V_SLOT && p2 != NONE &&
            p2 + 4 == c->ncode && c->code[p2] == ASW_IOP_I32_ADD_I &&
            c->code[p2 + 1] == slot(c, ha)) {
            /* (a + K) + (x << S): the add of an immediate made just before joins in. */
            uint32_t a = c->code[p2 + 2], k = c->code[p2 + 3];
            rewind_keep(c, p2);
            c->nvs -= 2;
            op(c, ASW_IOP_I32_ADD_SHL_K);
            u(c, slot(c, ha));
            u(c, a);
            u(c, x);
            u(c, sh);
            u(c, k);
            produce(c);
            return true;
        }
        uint32_t so = use(c, ho);
        c->nvs -= 2;
        op(c, iop == ASW_IOP_I32_ADD ? ASW_IOP_I32_ADD_SHL : ASW_IOP_I32_XOR_ROTL);
        u(c, slot(c, ha));
        u(c, so);
        u(c, x);
        u(c, sh);
        produce(c);
        return true;
    }
    return false;
}

/* The position of an i32 operation among the first operations of the I32P pairs (ADD, SUB,
 * AND, OR, XOR), or -1. */
static int i32p_index(uint32_t iop)
{
    switch (iop) {
    case ASW_IOP_I32_ADD: return 0;
    case ASW_IOP_I32_SUB: return 1;
    case ASW_IOP_I32_AND: return 2;
    case ASW_IOP_I32_OR: return 3;
    case ASW_IOP_I32_XOR: return 4;
    default: return -1;
    }
}

static void do_binop(comp_t *c, int iop)
{
    if (fused_binop(c, iop)) return;
    uint32_t ha = c->nvs - 2, hb = c->nvs - 1;
    vent_t *ea = &c->vs[ha], *eb = &c->vs[hb];
    bool is64 = iop >= ASW_IOP_I64_EQZ && iop <= ASW_IOP_I64_SHR_U_I;
    if (ea->kind == V_CONST && eb->kind != V_CONST && mirror(iop) >= 0 &&
        (!is64 || fits_s32(ea->bits))) {
        /* Constant on the left: swap so that the immediate form applies. */
        vent_t t = *ea;
        *ea = *eb;
        *eb = t;
        if (ea->kind == V_SLOT) { /* it lived in slot(hb): keep reading it from there */
            ea->kind = V_LOCAL;
            ea->idx = slot(c, hb);
        }
        iop = mirror(iop);
    }
    int twin = iop_twin[iop];
    uint64_t k = eb->bits;
    if (eb->kind == V_CONST && iop == ASW_IOP_I32_SUB) {
        twin = ASW_IOP_I32_ADD_I;
        k = (uint32_t)(0u - (uint32_t)k);
    } else if (eb->kind == V_CONST && iop == ASW_IOP_I64_SUB && fits_s32(k) &&
               (int64_t)k != INT32_MIN) {
        twin = ASW_IOP_I64_ADD_I;
        k = (uint64_t)(-(int64_t)k);
    }
    if (eb->kind == V_CONST && twin == ASW_IOP_I32_ADD_I && last_made(c, ha, ASW_IOP_I32_SHL_I)) {
        /* (x << S) + K: one operation (array indexing); a load may fold it in turn. */
        uint32_t lp = c->last_pos, x = c->code[lp + 2], sh = c->code[lp + 3];
        rewind_keep(c, lp);
        c->nvs -= 2;
        op(c, ASW_IOP_I32_SHL_ADD_I);
        u(c, slot(c, ha));
        u(c, x);
        u(c, sh);
        u(c, (uint32_t)k);
        produce(c);
        return;
    }
    if (eb->kind == V_CONST && twin == ASW_IOP_I32_ADD_I && last_made(c, ha, ASW_IOP_I32_MUL_I)) {
        /* a * K1 + K2 (linear congruential generators, index arithmetic): one operation. */
        uint32_t lp = c->last_pos, a = c->code[lp + 2], k1 = c->code[lp + 3];
        rewind_keep(c, lp);
        c->nvs -= 2;
        op(c, ASW_IOP_I32_MUL_ADD_I);
        u(c, slot(c, ha));
        u(c, a);
        u(c, k1);
        u(c, (uint32_t)k);
        produce(c);
        return;
    }
    if (eb->kind == V_CONST && twin == ASW_IOP_I32_ADD_I && last_made(c, ha, ASW_IOP_I32_ADD_SHL)) {
        /* a + (b << S), then + K: one operation (an address with a displacement). */
        uint32_t lp = c->last_pos, a = c->code[lp + 2], b = c->code[lp + 3];
        uint32_t sh = c->code[lp + 4];
        rewind_keep(c, lp);
        c->nvs -= 2;
        op(c, ASW_IOP_I32_ADD_SHL_K);
        u(c, slot(c, ha));
        u(c, a);
        u(c, b);
        u(c, sh);
        u(c, (uint32_t)k);
        produce(c);
        return;
    }
    if (eb->kind == V_CONST && twin != ASW_IOP_NOP &&
        (!is64 || fits_s32(k) || twin == ASW_IOP_I64_SHL_I || twin == ASW_IOP_I64_SHR_S_I ||
         twin == ASW_IOP_I64_SHR_U_I)) {
        uint32_t sa = use(c, ha);
        c->nvs -= 2;
        uint32_t lp = c->last_pos;
        if (twin == ASW_IOP_I32_ADD_I && lp != NONE && lp + 4 == c->ncode &&
            c->code[lp] == ASW_IOP_I32_ADD_I) {
            /* Right after another i32.add of an immediate (induction variables): one
             * operation. The new add's operands come first, so the peepholes that look at the
             * last operation's destination (local.set) see this add's. */
            uint32_t d1 = c->code[lp + 1], a1 = c->code[lp + 2], k1 = c->code[lp + 3];
            c->code[lp] = ASW_IOP_I32_ADD_I2;
            c->code[lp + 1] = slot(c, ha);
            c->code[lp + 2] = sa;
            c->code[lp + 3] = (uint32_t)k;
            u(c, d1);
            u(c, a1);
            u(c, k1);
            produce(c);
            return;
        }
        op(c, twin);
        u(c, slot(c, ha));
        u(c, sa);
        u(c, is64 && (twin == ASW_IOP_I64_SHL_I || twin == ASW_IOP_I64_SHR_S_I ||
                      twin == ASW_IOP_I64_SHR_U_I)
                 ? (uint32_t)(k & 63)
                 : (uint32_t)k);
        produce(c);
        return;
    }
    uint32_t sa = use(c, ha);
    uint32_t sb = use(c, hb);
    c->nvs -= 2;
    uint32_t lp = c->last_pos;
    int p1 = lp != NONE && lp + 4 == c->ncode ? i32p_index(c->code[lp]) : -1;
    int p2 = i32p_index((uint32_t)iop);
    if (p1 >= 0 && p2 >= 0 && (c->code[lp + 1] == sa || c->code[lp + 1] == sb)) {
        /* An i32 operation on the result t of the one just made: one operation. */
        bool left = c->code[lp + 1] == sa;
        int o2 = p2 == 0 ? 0 : p2 == 1 ? (left ? 1 : 2) : p2 + 1;
        uint32_t d1 = c->code[lp + 1], a = c->code[lp + 2], b = c->code[lp + 3];
        c->code[lp] = ASW_IOP_I32P_ADD_ADD + (uint32_t)(p1 * 6 + o2);
        c->code[lp + 1] = slot(c, ha);
        c->code[lp + 2] = left ? sb : sa;
        c->code[lp + 3] = d1;
        u(c, a);
        u(c, b);
        produce(c);
        return;
    }
    if (iop >= ASW_IOP_F64_ADD && iop <= ASW_IOP_F64_DIV && lp != NONE && lp + 4 == c->ncode &&
        c->code[lp] >= ASW_IOP_F64_ADD && c->code[lp] <= ASW_IOP_F64_DIV &&
        (c->code[lp + 1] == sa || c->code[lp + 1] == sb)) {
        /* An f64 operation on the result t of the one just made: one operation (t is still
         * written to its slot, which may be a local read later). */
        bool left = c->code[lp + 1] == sa;
        uint32_t o1 = c->code[lp] - ASW_IOP_F64_ADD, o2 = (uint32_t)iop - ASW_IOP_F64_ADD;
        uint32_t d1 = c->code[lp + 1], a = c->code[lp + 2], b = c->code[lp + 3];
        c->code[lp] = ASW_IOP_F64P_ADD_ADD_L + (o1 * 4 + o2) * 2 + (left ? 0 : 1);
        c->code[lp + 1] = slot(c, ha);
        c->code[lp + 2] = left ? sb : sa;
        c->code[lp + 3] = d1;
        u(c, a);
        u(c, b);
        produce(c);
        return;
    }
    op(c, iop);
    u(c, slot(c, ha));
    u(c, sa);
    u(c, sb);
    produce(c);
}

/* local.set / local.tee of local x. */
static void do_set_local(comp_t *c, uint32_t x, bool tee)
{
    uint32_t h = c->nvs - 1;
    /* Entries still pending on x must read the old value. */
    for (uint32_t i = 0; i < h; i++) {
        if (c->vs[i].kind == V_LOCAL && c->vs[i].idx == x) materialize(c, i);
    }
    vent_t *e = &c->vs[h];
    if (e->kind == V_SLOT && c->last_h == h && c->last_pos != NONE) {
        c->code[c->last_pos + 1] = x; /* the producer writes the local directly */
    } else if (!(e->kind == V_LOCAL && e->idx == x)) {
        emit_to(c, x, h);
    }
    c->nvs--;
    c->last_h = NONE;
    if (tee) push(c, V_LOCAL, x, 0);
}

static int load_iop(uint8_t wop)
{
    switch (wop) {
    case ASW_OP_I32_LOAD:
    case ASW_OP_F32_LOAD: return ASW_IOP_I32_LOAD;
    case ASW_OP_I64_LOAD:
    case ASW_OP_F64_LOAD: return ASW_IOP_I64_LOAD;
    case ASW_OP_I32_LOAD8_S: return ASW_IOP_I32_LOAD8_S;
    case ASW_OP_I32_LOAD8_U: return ASW_IOP_I32_LOAD8_U;
    case ASW_OP_I32_LOAD16_S: return ASW_IOP_I32_LOAD16_S;
    case ASW_OP_I32_LOAD16_U: return ASW_IOP_I32_LOAD16_U;
    case ASW_OP_I64_LOAD8_S: return ASW_IOP_I64_LOAD8_S;
    case ASW_OP_I64_LOAD8_U: return ASW_IOP_I64_LOAD8_U;
    case ASW_OP_I64_LOAD16_S: return ASW_IOP_I64_LOAD16_S;
    case ASW_OP_I64_LOAD16_U: return ASW_IOP_I64_LOAD16_U;
    case ASW_OP_I64_LOAD32_S: return ASW_IOP_I64_LOAD32_S;
    case ASW_OP_I64_LOAD32_U: return ASW_IOP_I64_LOAD32_U;
    case ASW_OP_I32_STORE8:
    case ASW_OP_I64_STORE8: return ASW_IOP_STORE8;
    case ASW_OP_I32_STORE16:
    case ASW_OP_I64_STORE16: return ASW_IOP_STORE16;
    case ASW_OP_I32_STORE:
    case ASW_OP_F32_STORE:
    case ASW_OP_I64_STORE32: return ASW_IOP_STORE32;
    default: return ASW_IOP_STORE64; /* i64.store, f64.store */
    }
}

/* Emits op followed by the slots of the top n entries (bottom first), then pops them. */
static void op_with_operands(comp_t *c, int iop, const uint32_t *pre, uint32_t npre, uint32_t n)
{
    uint32_t s[3];
    for (uint32_t i = 0; i < n; i++)
        s[i] = use(c, c->nvs - n + i);
    c->nvs -= n;
    op(c, iop);
    for (uint32_t i = 0; i < npre; i++)
        u(c, pre[i]);
    for (uint32_t i = 0; i < n; i++)
        u(c, s[i]);
}

/* The _ST operation computing an i32 binary operation's result into a store, or -1. */
static int i32_store_fold(uint32_t iop)
{
    switch (iop) {
    case ASW_IOP_I32_ADD: return ASW_IOP_I32_ADD_ST;
    case ASW_IOP_I32_SUB: return ASW_IOP_I32_SUB_ST;
    case ASW_IOP_I32_MUL: return ASW_IOP_I32_MUL_ST;
    case ASW_IOP_I32_AND: return ASW_IOP_I32_AND_ST;
    case ASW_IOP_I32_OR: return ASW_IOP_I32_OR_ST;
    case ASW_IOP_I32_XOR: return ASW_IOP_I32_XOR_ST;
    default: return -1;
    }
}

/* ---- linking ---- */

/* The branch distances of the (unlinked) operation at code[0]: units first .. first + count. */
static void rel_fields(const asw__code_t *code, uint32_t *first, uint32_t *count)
{
    uint32_t iop = code[0];
    *count = 1;
    if (iop == ASW_IOP_BR || iop == ASW_IOP_BR_B) {
        *first = 1;
    } else if (iop == ASW_IOP_BR_IF || iop == ASW_IOP_BR_UNLESS || iop == ASW_IOP_BR_IF_B ||
               iop == ASW_IOP_BR_UNLESS_B) {
        *first = 2;
    } else if ((iop >= ASW_IOP_BR_EQ && iop <= ASW_IOP_BR_GE_U_I) ||
               (iop >= ASW_IOP_BR_EQ_B && iop <= ASW_IOP_BR_GE_U_I_B)) {
        *first = 3;
    } else if (iop == ASW_IOP_BR_TABLE) {
        *first = 3;
        *count = code[2] + 1;
    } else if (iop == ASW_IOP_BR_TABLE_K) {
        *first = 4;
        *count = code[3] + 1;
    } else if (iop == ASW_IOP_BR_TABLE_LSK) {
        *first = 8;
        *count = code[7] + 1;
    } else if (iop == ASW_IOP_BR_TABLE_ALSK) {
        *first = 11;
        *count = code[10] + 1;
    } else if (iop >= ASW_IOP_INC_BR_EQ_K && iop <= ASW_IOP_INC_BR_GE_U_R_I) {
        *first = 5;
    } else if (iop == ASW_IOP_I32_ADD_I_BR_B || iop == ASW_IOP_I32_AND_I_BR_B ||
               iop == ASW_IOP_I32_ADD_I_BR) {
        *first = 4;
    } else {
        *count = 0;
        *first = 0;
    }
}

/* Writes the function's final code into cf->code: every operation's handler unit becomes two
 * (the computed-goto build: the 64-bit address of its label; the switch build: the operation
 * number, then 0), its operands follow unchanged, and the branch distances and the pc map move
 * to the new positions. False when out of memory. */
static bool link_code(comp_t *c, asw__cfunc_t *cf)
{
    const void *const *handlers = asw__interp_handlers();
    uint32_t n = c->ncode, nops = 0;
    for (uint32_t pc = 0; pc < n; pc += units_of(c->code + pc))
        nops++;
    uint32_t *np = asw__reallocarray(NULL, (size_t)n + 1, sizeof(uint32_t));
    asw__code_t *out = asw__reallocarray(NULL, (size_t)n + nops, sizeof(asw__code_t));
    if (!np || !out) {
        asw__free(np);
        asw__free(out);
        return false;
    }
    /* New positions: an operation's start moves by the number of operations before it; its
     * operand k lands at unit k + 1. */
    uint32_t j = 0;
    for (uint32_t pc = 0; pc < n; j++) {
        uint32_t len = units_of(c->code + pc);
        np[pc] = pc + j;
        for (uint32_t k = 1; k < len; k++)
            np[pc + k] = pc + j + 1 + k;
        uint64_t h = handlers ? (uint64_t)(uintptr_t)handlers[c->code[pc]] : c->code[pc];
        out[pc + j] = (uint32_t)h;
        out[pc + j + 1] = (uint32_t)(h >> 32);
        memcpy(out + pc + j + 2, c->code + pc + 1, (size_t)(len - 1) * sizeof(asw__code_t));
        pc += len;
    }
    np[n] = n + nops;
    for (uint32_t pc = 0; pc < n; pc += units_of(c->code + pc)) {
        uint32_t first, count;
        rel_fields(c->code + pc, &first, &count);
        for (uint32_t k = first; k < first + count; k++) {
            uint32_t target = pc + c->code[pc + k]; /* distances count from the operation */
            ASW_ASSERT(target <= n);
            out[np[pc + k]] = np[target] - np[pc];
        }
    }
    for (uint32_t i = 0; i < c->nmap; i++) {
        cf->pcmap[i].pc = np[c->map[i].pc];
        cf->pcmap[i].off = c->map[i].off;
    }
    asw__free(np);
    cf->code = out;
    cf->ncode = n + nops;
    return true;
}

/* ---- one function ---- */

static int compile_body(comp_t *c, uint32_t fidx, const asw__func_def_t *fd, asw__cfunc_t *cf,
                        const int16_t *wasm_map, asw_error_t *out_err)
{
    const asw_module_t *m = c->m;
    const asw__functype_t *ft = asw__module_func_type(m, fidx);
    c->p = m->bytes + fd->code_offset;
    c->end = m->bytes + fd->body_offset + fd->body_size;
    c->sbase = ft->nparams + fd->nlocals;
    c->nresults = ft->nresults;
    c->ncode = c->nvs = c->maxh = c->ncs = c->npatches = c->nmap = 0;
    c->last_pos = c->last_h = c->prev_pos = c->prev2_pos = NONE;
    c->fuel_field = NONE;
    c->fuel_count = 0;
    c->dead = false;
    c->oom = c->bad = false;

    push_ctl(c, C_FUNC, 0, ft->nresults);
    map_here(c, fd->code_offset);
    checkpoint(c);

    while (c->ncs > 0 && !c->oom && !c->bad) {
        if (c->p >= c->end) {
            c->bad = true;
            break;
        }
        uint32_t off = (uint32_t)(c->p - c->bytes);
        uint8_t wop = *c->p++;
        const asw__opinfo_t *info = &asw__opinfo_main[wop];
        uint32_t sub = 0;
        if (wop == ASW_OP_PREFIX_FC) {
            sub = rd_u32(c);
            if (sub >= ASW__OPINFO_FC_COUNT) {
                c->bad = true;
                break;
            }
            info = &asw__opinfo_fc[sub];
        }
        if (!info->valid) {
            c->bad = true;
            break;
        }
        if (c->dead) {
            /* Unreachable code: only the nesting matters. */
            if (wop == ASW_OP_BLOCK || wop == ASW_OP_LOOP || wop == ASW_OP_IF) {
                skip_imm(c, info->imm);
                push_ctl(c, C_BLOCK, 0, 0);
            } else if (wop == ASW_OP_ELSE) {
                if (!c->cs[c->ncs - 1].dead_entry) do_else(c);
            } else if (wop == ASW_OP_END) {
                if (c->cs[c->ncs - 1].dead_entry)
                    c->ncs--;
                else
                    do_end(c);
            } else {
                skip_imm(c, info->imm);
            }
            continue;
        }
        map_here(c, off);
        c->cur_off = off;
        c->fuel_count++;
        switch (wop) {
        case ASW_OP_UNREACHABLE:
            op(c, ASW_IOP_UNREACHABLE);
            c->dead = true;
            break;
        case ASW_OP_NOP: break;
        case ASW_OP_BLOCK:
        case ASW_OP_LOOP: {
            uint32_t np, nr;
            rd_blocktype(c, &np, &nr);
            materialize_range(c, 0, c->nvs);
            push_ctl(c, wop == ASW_OP_BLOCK ? C_BLOCK : C_LOOP, np, nr);
            /* A loop's start is a branch target (checkpoint() places a label); a block's is not
             * (its branches go to its end), so peepholes may look across it. */
            if (wop == ASW_OP_LOOP && !c->oom) c->cs[c->ncs - 1].loop_pc = checkpoint(c);
            break;
        }
        case ASW_OP_IF: {
            uint32_t np, nr;
            rd_blocktype(c, &np, &nr);
            materialize_range(c, 0, c->nvs - 1);
            uint32_t pos = cond_jump(c, false);
            push_ctl(c, C_IF, np, nr);
            if (c->oom) break;
            if (!grow((void **)&c->patches, &c->cappatches, c->npatches + 1, sizeof(patch_t))) {
                c->oom = true;
                break;
            }
            patch_t *pt = &c->patches[c->npatches];
            pt->field = c->ncode;
            pt->op = pos;
            pt->next = NONE;
            c->cs[c->ncs - 1].else_patch = c->npatches++;
            u(c, 0);
            label_here(c);
            break;
        }
        case ASW_OP_ELSE: do_else(c); break;
        case ASW_OP_END: do_end(c); break;
        case ASW_OP_BR: do_br(c, rd_u32(c)); break;
        case ASW_OP_BR_IF: do_br_if(c, rd_u32(c)); break;
        case ASW_OP_BR_TABLE: do_br_table(c); break;
        case ASW_OP_RETURN: do_br(c, c->ncs - 1); break;
        case ASW_OP_CALL:
        case ASW_OP_CALL_INDIRECT: {
            uint32_t idx = rd_u32(c), table = 0, s = 0;
            const asw__functype_t *ct;
            if (wop == ASW_OP_CALL) {
                if (idx >= m->nfuncs) {
                    c->bad = true;
                    break;
                }
                ct = asw__module_func_type(m, idx);
            } else {
                table = rd_u32(c);
                if (idx >= m->ntypes) {
                    c->bad = true;
                    break;
                }
                ct = &m->types[idx];
                s = use(c, c->nvs - 1);
                c->nvs--;
            }
            materialize_top(c, ct->nparams);
            uint32_t base = slot(c, c->nvs - ct->nparams);
            if (wop == ASW_OP_CALL && idx >= m->nimported_funcs) {
                /* Defined here: the callee's compiled code exists (allocated before any body
                 * is compiled), so the operation carries it. */
                const void *callee = m->funcs[idx].compiled;
                uint64_t bits = (uint64_t)(uintptr_t)callee;
                op(c, ASW_IOP_CALL_LOCAL);
                u(c, (uint32_t)bits);
                u(c, (uint32_t)(bits >> 32));
                u(c, base);
                c->nvs -= ct->nparams;
                for (uint32_t i = 0; i < ct->nresults; i++)
                    push(c, V_SLOT, 0, 0);
                c->last_h = NONE;
                break;
            }
            op(c, wop == ASW_OP_CALL ? ASW_IOP_CALL : ASW_IOP_CALL_INDIRECT);
            u(c, idx);
            if (wop == ASW_OP_CALL_INDIRECT) u(c, table);
            u(c, base);
            if (wop == ASW_OP_CALL_INDIRECT) u(c, s);
            c->nvs -= ct->nparams;
            for (uint32_t i = 0; i < ct->nresults; i++)
                push(c, V_SLOT, 0, 0);
            c->last_h = NONE;
            break;
        }
        case ASW_OP_DROP:
            c->nvs--;
            c->last_h = NONE;
            break;
        case ASW_OP_SELECT:
        case ASW_OP_SELECT_T: {
            if (wop == ASW_OP_SELECT_T) skip_imm(c, ASW_IMM_SELECT_T);
            uint32_t ha = c->nvs - 3;
            vent_t *ka = &c->vs[ha], *kb = &c->vs[ha + 1];
            if ((ka->kind == V_CONST) != (kb->kind == V_CONST)) {
                /* One constant value: it becomes an immediate. */
                bool is_a = ka->kind == V_CONST;
                uint64_t k = is_a ? ka->bits : kb->bits;
                uint32_t sv = use(c, is_a ? ha + 1 : ha), sc = use(c, ha + 2);
                c->nvs -= 3;
                op(c, is_a ? ASW_IOP_SELECT_AK : ASW_IOP_SELECT_BK);
                u(c, slot(c, ha));
                if (is_a) {
                    u(c, (uint32_t)k);
                    u(c, (uint32_t)(k >> 32));
                    u(c, sv);
                } else {
                    u(c, sv);
                    u(c, (uint32_t)k);
                    u(c, (uint32_t)(k >> 32));
                }
                u(c, sc);
                produce(c);
                break;
            }
            op_with_operands(c, ASW_IOP_SELECT, NULL, 0, 3);
            /* SELECT's operands follow d: shift them in by rewriting. */
            uint32_t p = c->last_pos;
            if (!c->oom) {
                uint32_t a = c->code[p + 1], b = c->code[p + 2], cc = c->code[p + 3];
                c->code[p + 1] = slot(c, ha);
                c->code[p + 2] = a;
                c->code[p + 3] = b;
                u(c, cc);
            }
            produce(c);
            break;
        }
        case ASW_OP_LOCAL_GET: push(c, V_LOCAL, rd_u32(c), 0); break;
        case ASW_OP_LOCAL_SET: do_set_local(c, rd_u32(c), false); break;
        case ASW_OP_LOCAL_TEE: do_set_local(c, rd_u32(c), true); break;
        case ASW_OP_GLOBAL_GET:
            op(c, ASW_IOP_GLOBAL_GET);
            u(c, slot(c, c->nvs));
            u(c, rd_u32(c));
            produce(c);
            break;
        case ASW_OP_GLOBAL_SET: {
            uint32_t g = rd_u32(c);
            op_with_operands(c, ASW_IOP_GLOBAL_SET, &g, 1, 1);
            break;
        }
        case ASW_OP_TABLE_GET: {
            uint32_t t = rd_u32(c);
            uint32_t h = c->nvs - 1;
            uint32_t s = use(c, h);
            c->nvs--;
            op(c, ASW_IOP_TABLE_GET);
            u(c, slot(c, h));
            u(c, t);
            u(c, s);
            produce(c);
            break;
        }
        case ASW_OP_TABLE_SET: {
            uint32_t t = rd_u32(c);
            op_with_operands(c, ASW_IOP_TABLE_SET, &t, 1, 2);
            break;
        }
        case ASW_OP_I32_LOAD:
        case ASW_OP_I64_LOAD:
        case ASW_OP_F32_LOAD:
        case ASW_OP_F64_LOAD:
        case ASW_OP_I32_LOAD8_S:
        case ASW_OP_I32_LOAD8_U:
        case ASW_OP_I32_LOAD16_S:
        case ASW_OP_I32_LOAD16_U:
        case ASW_OP_I64_LOAD8_S:
        case ASW_OP_I64_LOAD8_U:
        case ASW_OP_I64_LOAD16_S:
        case ASW_OP_I64_LOAD16_U:
        case ASW_OP_I64_LOAD32_S:
        case ASW_OP_I64_LOAD32_U: {
            rd_u32(c); /* alignment hint */
            uint32_t offset = rd_u32(c);
            uint32_t h = c->nvs - 1;
            int liop = load_iop(wop);
            bool wide = liop == ASW_IOP_I32_LOAD || liop == ASW_IOP_I64_LOAD;
            if ((wide || liop == ASW_IOP_I32_LOAD8_U) && last_made(c, h, ASW_IOP_I32_ADD)) {
                /* i32.add then the load: one operation (a, b). */
                fuse_address(c, h,
                             liop == ASW_IOP_I32_LOAD   ? ASW_IOP_I32_LOAD_AB
                             : liop == ASW_IOP_I64_LOAD ? ASW_IOP_I64_LOAD_AB
                                                        : ASW_IOP_I32_LOAD8_U_AB,
                             2, offset);
                break;
            }
            if (wide && last_made(c, h, ASW_IOP_I32_ADD_SHL)) {
                /* A base plus a scaled index, then the load (a, x, sh). */
                fuse_address(c, h,
                             liop == ASW_IOP_I32_LOAD ? ASW_IOP_I32_LOAD_ASH : ASW_IOP_I64_LOAD_ASH,
                             3, offset);
                break;
            }
            if (wide && last_made(c, h, ASW_IOP_I32_SHL_ADD_I)) {
                /* A scaled index plus a base, then the load (x, sh, k). */
                fuse_address(c, h,
                             liop == ASW_IOP_I32_LOAD ? ASW_IOP_I32_LOAD_SK : ASW_IOP_I64_LOAD_SK,
                             3, offset);
                break;
            }
            if ((wide || liop == ASW_IOP_I32_LOAD8_U) && last_made(c, h, ASW_IOP_I32_ADD_I)) {
                /* i32.add of an immediate then the load (a, k). */
                fuse_address(c, h,
                             liop == ASW_IOP_I32_LOAD   ? ASW_IOP_I32_LOAD_AK
                             : liop == ASW_IOP_I64_LOAD ? ASW_IOP_I64_LOAD_AK
                                                        : ASW_IOP_I32_LOAD8_U_AK,
                             2, offset);
                break;
            }
            uint32_t s = use(c, h);
            c->nvs--;
            op(c, load_iop(wop));
            u(c, slot(c, h));
            u(c, s);
            u(c, offset);
            produce(c);
            break;
        }
        case ASW_OP_I32_STORE:
        case ASW_OP_I64_STORE:
        case ASW_OP_F32_STORE:
        case ASW_OP_F64_STORE:
        case ASW_OP_I32_STORE8:
        case ASW_OP_I32_STORE16:
        case ASW_OP_I64_STORE8:
        case ASW_OP_I64_STORE16:
        case ASW_OP_I64_STORE32: {
            rd_u32(c);
            uint32_t offset = rd_u32(c);
            int siop = load_iop(wop);
            uint32_t ha = c->nvs - 2, hv = c->nvs - 1;
            vent_t *ev = &c->vs[hv], *ea = &c->vs[ha];
            if (ev->kind == V_CONST && (siop != ASW_IOP_STORE64 || fits_s32(ev->bits))) {
                /* A constant value: an immediate store. */
                uint32_t k = (uint32_t)ev->bits;
                if (siop == ASW_IOP_STORE8 && last_made(c, ha, ASW_IOP_I32_ADD)) {
                    uint32_t lp = c->last_pos, a = c->code[lp + 2], b = c->code[lp + 3];
                    rewind_to(c, lp);
                    c->nvs -= 2;
                    op(c, ASW_IOP_STORE8_K_AB);
                    u(c, a);
                    u(c, b);
                    u(c, k);
                    u(c, offset);
                    break;
                }
                uint32_t sa = use(c, ha);
                c->nvs -= 2;
                op(c, siop - ASW_IOP_STORE8 + ASW_IOP_STORE8_K);
                u(c, sa);
                u(c, k);
                u(c, offset);
                break;
            }
            if ((siop == ASW_IOP_STORE32 || siop == ASW_IOP_STORE64) && ev->kind == V_LOCAL &&
                last_made(c, ha, ASW_IOP_I32_ADD_I)) {
                uint32_t lp = c->last_pos, a = c->code[lp + 2], k = c->code[lp + 3];
                uint32_t v = ev->idx;
                rewind_to(c, lp);
                c->nvs -= 2;
                op(c, siop == ASW_IOP_STORE32 ? ASW_IOP_STORE32_AK : ASW_IOP_STORE64_AK);
                u(c, a);
                u(c, k);
                u(c, v);
                u(c, offset);
                break;
            }
            if (siop == ASW_IOP_STORE64 && ea->kind != V_CONST &&
                last_made(c, hv, ASW_IOP_F64_ADD_M) &&
                c->code[c->last_pos + 3] == (ea->kind == V_LOCAL ? ea->idx : slot(c, ha)) &&
                c->code[c->last_pos + 4] == offset) {
                /* x[i] += v: the sum of a loaded value goes back where it came from. The load
                 * traps first, so the fused operation keeps the load's pc map entry. */
                uint32_t lp = c->last_pos, a = c->code[lp + 2], pp = c->code[lp + 3];
                rewind_keep(c, lp);
                c->nvs -= 2;
                uint32_t q = c->last_pos;
                if (q != NONE && q + 5 == c->ncode && c->code[q] == ASW_IOP_F64_MUL_M &&
                    c->code[q + 1] == a && c->nmap > 0 && c->map[c->nmap - 1].pc == lp) {
                    /* x[i] += y * z[j] (the multiply's right operand loaded): one operation
                     * with two loads. The first keeps the multiply's pc map entry (at the
                     * operation); the second's entry goes at unit 1, where it traps from. */
                    uint32_t off2 = c->map[c->nmap - 1].off;
                    uint32_t ma = c->code[q + 2], mp = c->code[q + 3], moff = c->code[q + 4];
                    rewind_keep(c, q);
                    op(c, ASW_IOP_F64_MULADD_TO);
                    u(c, pp);
                    u(c, ma);
                    u(c, mp);
                    u(c, moff);
                    u(c, a);
                    u(c, offset);
                    if (!grow((void **)&c->map, &c->capmap, c->nmap + 1, sizeof(asw__pcmap_t))) {
                        c->oom = true;
                        break;
                    }
                    c->map[c->nmap].pc = q + 1;
                    c->map[c->nmap].off = off2;
                    c->nmap++;
                    break;
                }
                op(c, ASW_IOP_F64_ADD_TO);
                u(c, pp);
                u(c, a);
                u(c, offset);
                break;
            }
            int i32st = siop == ASW_IOP_STORE32 && ea->kind != V_CONST && c->last_pos != NONE &&
                                last_made(c, hv, (int)c->code[c->last_pos])
                            ? i32_store_fold(c->code[c->last_pos])
                            : -1;
            if (i32st >= 0) {
                /* An i32 result stored at once: the store computes it. */
                uint32_t lp = c->last_pos, a = c->code[lp + 2], b = c->code[lp + 3];
                rewind_to(c, lp);
                uint32_t sp = use(c, ha);
                c->nvs -= 2;
                op(c, i32st);
                u(c, sp);
                u(c, a);
                u(c, b);
                u(c, offset);
                break;
            }
            if (siop == ASW_IOP_STORE64 && ea->kind != V_CONST &&
                (last_made(c, hv, ASW_IOP_F64_ADD) || last_made(c, hv, ASW_IOP_F64_SUB) ||
                 last_made(c, hv, ASW_IOP_F64_MUL))) {
                /* An f64 result stored at once: the store computes it. A trap is the store's. */
                uint32_t lp = c->last_pos, bop = c->code[lp];
                uint32_t a = c->code[lp + 2], b = c->code[lp + 3];
                rewind_to(c, lp);
                uint32_t sp = use(c, ha);
                c->nvs -= 2;
                op(c, bop - ASW_IOP_F64_ADD + ASW_IOP_F64_ADD_ST);
                u(c, sp);
                u(c, a);
                u(c, b);
                u(c, offset);
                break;
            }
            op_with_operands(c, siop, NULL, 0, 2);
            u(c, offset);
            break;
        }
        case ASW_OP_MEMORY_SIZE:
            rd_u32(c);
            op(c, ASW_IOP_MEMORY_SIZE);
            u(c, slot(c, c->nvs));
            produce(c);
            break;
        case ASW_OP_MEMORY_GROW:
            rd_u32(c);
            do_unop(c, ASW_IOP_MEMORY_GROW);
            break;
        case ASW_OP_I32_CONST: push(c, V_CONST, 0, (uint32_t)rd_s64(c)); break;
        case ASW_OP_I64_CONST: push(c, V_CONST, 0, (uint64_t)rd_s64(c)); break;
        case ASW_OP_F32_CONST: push(c, V_CONST, 0, rd_fixed(c, 4)); break;
        case ASW_OP_F64_CONST: push(c, V_CONST, 0, rd_fixed(c, 8)); break;
        case ASW_OP_REF_NULL:
            rd_byte(c);
            push(c, V_CONST, 0, 0);
            break;
        case ASW_OP_REF_FUNC:
            op(c, ASW_IOP_REF_FUNC);
            u(c, slot(c, c->nvs));
            u(c, rd_u32(c));
            produce(c);
            break;
        case ASW_OP_I64_EXTEND_I32_U: /* cells hold i32 values zero-extended already */
        case ASW_OP_I32_REINTERPRET_F32:
        case ASW_OP_I64_REINTERPRET_F64:
        case ASW_OP_F32_REINTERPRET_I32:
        case ASW_OP_F64_REINTERPRET_I64: break; /* same bits, same cell */
        case ASW_OP_PREFIX_FC:
            switch (sub) {
            case ASW_OP_MEMORY_INIT: {
                uint32_t seg = rd_u32(c);
                rd_u32(c);
                op_with_operands(c, ASW_IOP_MEMORY_INIT, &seg, 1, 3);
                break;
            }
            case ASW_OP_DATA_DROP:
                op(c, ASW_IOP_DATA_DROP);
                u(c, rd_u32(c));
                break;
            case ASW_OP_MEMORY_COPY:
                rd_u32(c);
                rd_u32(c);
                op_with_operands(c, ASW_IOP_MEMORY_COPY, NULL, 0, 3);
                break;
            case ASW_OP_MEMORY_FILL:
                rd_u32(c);
                op_with_operands(c, ASW_IOP_MEMORY_FILL, NULL, 0, 3);
                break;
            case ASW_OP_TABLE_INIT: {
                uint32_t pre[2];
                pre[1] = rd_u32(c); /* elem index comes first in the encoding */
                pre[0] = rd_u32(c);
                op_with_operands(c, ASW_IOP_TABLE_INIT, pre, 2, 3);
                break;
            }
            case ASW_OP_ELEM_DROP:
                op(c, ASW_IOP_ELEM_DROP);
                u(c, rd_u32(c));
                break;
            case ASW_OP_TABLE_COPY: {
                uint32_t pre[2];
                pre[0] = rd_u32(c);
                pre[1] = rd_u32(c);
                op_with_operands(c, ASW_IOP_TABLE_COPY, pre, 2, 3);
                break;
            }
            case ASW_OP_TABLE_GROW: {
                uint32_t t = rd_u32(c);
                uint32_t h = c->nvs - 2;
                uint32_t sv = use(c, h), sn = use(c, h + 1);
                c->nvs -= 2;
                op(c, ASW_IOP_TABLE_GROW);
                u(c, slot(c, h));
                u(c, t);
                u(c, sv);
                u(c, sn);
                produce(c);
                break;
            }
            case ASW_OP_TABLE_SIZE:
                op(c, ASW_IOP_TABLE_SIZE);
                u(c, slot(c, c->nvs));
                u(c, rd_u32(c));
                produce(c);
                break;
            case ASW_OP_TABLE_FILL: {
                uint32_t t = rd_u32(c);
                op_with_operands(c, ASW_IOP_TABLE_FILL, &t, 1, 3);
                break;
            }
            default: {
                int iop = wasm_map[0x100 + sub];
                if (iop < 0)
                    c->bad = true;
                else
                    do_unop(c, iop);
                break;
            }
            }
            break;
        default: {
            int iop = wasm_map[wop];
            if (iop < 0) {
                c->bad = true;
                break;
            }
            if (iop_kind[iop] == ASW_IOPK_UN)
                do_unop(c, iop);
            else
                do_binop(c, iop);
            break;
        }
        }
    }
    if (c->fuel_field != NONE && c->fuel_field < c->ncode) c->code[c->fuel_field] = c->fuel_count;
    if (c->oom)
        return asw__errorf(out_err, ASW_E_NOMEM, "out of memory compiling function %u", fidx);
    if (c->bad || c->ncs != 0)
        return asw__errorf(out_err, ASW_E_MALFORMED,
                           "function %u: unexpected instruction stream at byte 0x%x (compiler)",
                           fidx, (unsigned)(c->p - c->bytes));

    cf->pcmap = asw__reallocarray(NULL, c->nmap ? c->nmap : 1, sizeof(asw__pcmap_t));
    if (!cf->pcmap || !link_code(c, cf))
        return asw__errorf(out_err, ASW_E_NOMEM, "out of memory compiling function %u", fidx);
    cf->npcmap = c->nmap;
    cf->nparams = ft->nparams;
    cf->nlocals = fd->nlocals;
    cf->nresults = ft->nresults;
    uint64_t fs = (uint64_t)c->sbase + c->maxh;
    if (fs < ft->nresults) fs = ft->nresults;
    if (fs > 0x0FFFFFFF)
        return asw__errorf(out_err, ASW_E_LIMIT, "function %u: frame too large", fidx);
    cf->frame_size = (uint32_t)fs;
    cf->zero4 = fd->nlocals <= 4 && (uint64_t)ft->nparams + 4 <= fs;
    cf->func_index = fidx;
    cf->module = m;
    return ASW_OK;
}

static void free_cfunc(asw__cfunc_t *cf)
{
    if (!cf) return;
    asw__free(cf->code);
    asw__free(cf->pcmap);
    asw__free(cf);
}

int asw__compile(asw_module_t *module, asw_error_t *out_err)
{
    ASW_ASSERT(module != NULL);
    int rc = ASW_OK;
    comp_t c;
    memset(&c, 0, sizeof(c));
    c.m = module;
    c.bytes = module->bytes;
    int16_t wasm_map[0x100 + ASW__OPINFO_FC_COUNT];
    for (size_t i = 0; i < ASW_ARRAY_LEN(wasm_map); i++)
        wasm_map[i] = -1;
    for (int i = 0; i < ASW_IOP_COUNT; i++) {
        if (iop_wasm[i] >= 0 && iop_kind[i] != ASW_IOPK_CTL) wasm_map[iop_wasm[i]] = (int16_t)i;
    }
    /* Every compiled function exists before any body is compiled: CALL_LOCAL carries its
     * callee's address. */
    for (uint32_t i = module->nimported_funcs; i < module->nfuncs; i++) {
        module->funcs[i].compiled = asw__calloc(1, sizeof(asw__cfunc_t));
        if (!module->funcs[i].compiled) {
            rc = asw__errorf(out_err, ASW_E_NOMEM, "out of memory compiling function %u", i);
            goto fail;
        }
    }
    for (uint32_t i = module->nimported_funcs; i < module->nfuncs; i++) {
        asw__func_def_t *fd = &module->funcs[i];
        rc = compile_body(&c, i, fd, fd->compiled, wasm_map, out_err);
        if (rc != ASW_OK) goto fail;
    }
    goto done;
fail:
    asw__compile_free(module);
done:
    asw__free(c.code);
    asw__free(c.vs);
    asw__free(c.cs);
    asw__free(c.patches);
    asw__free(c.map);
    return rc;
}

/* ---- listing (a debugging aid: tools and tests print what the compiler made) ---- */

static const char *const iop_names[ASW_IOP_COUNT] = {
#define ROW(id, units, wasm, kind, twin, meaning) #id,
    ASW_IOPS(ROW)
#undef ROW
};

void asw__cfunc_dump(const asw__cfunc_t *fn, FILE *out)
{
    const void *const *handlers = asw__interp_handlers();
    fprintf(out, "func %u: params %u, locals %u, results %u, frame %u cells, %u units\n",
            fn->func_index, fn->nparams, fn->nlocals, fn->nresults, fn->frame_size, fn->ncode);
    for (uint32_t pc = 0; pc + 1 < fn->ncode;) {
        uint64_t h = fn->code[pc] | (uint64_t)fn->code[pc + 1] << 32;
        uint32_t iop = (uint32_t)h;
        if (handlers) {
            for (iop = 0; iop < ASW_IOP_COUNT && (uint64_t)(uintptr_t)handlers[iop] != h; iop++)
                continue;
        }
        if (iop >= ASW_IOP_COUNT) {
            fprintf(out, "%6u  ??? %016llx\n", pc, (unsigned long long)h);
            return;
        }
        /* Operand k is at unit k + 1 (the handler takes two units). */
        const asw__code_t *o = fn->code + pc + 1;
        uint32_t len = iop == ASW_IOP_BR_TABLE        ? 3 + o[2] + 1
                       : iop == ASW_IOP_BR_TABLE_K    ? 4 + o[3] + 1
                       : iop == ASW_IOP_BR_TABLE_LSK  ? 8 + o[7] + 1
                       : iop == ASW_IOP_BR_TABLE_ALSK ? 11 + o[10] + 1
                                                      : iop_units[iop];
        fprintf(out, "%6u  %-16s", pc, iop_names[iop]);
        for (uint32_t k = 1; k < len && pc + 1 + k < fn->ncode; k++)
            fprintf(out, " %d", (int32_t)o[k]);
        fputc('\n', out);
        pc += len + 1;
    }
}

void asw__compile_free(asw_module_t *module)
{
    if (!module || !module->funcs) return;
    for (uint32_t i = module->nimported_funcs; i < module->nfuncs; i++) {
        free_cfunc(module->funcs[i].compiled);
        module->funcs[i].compiled = NULL;
    }
}
