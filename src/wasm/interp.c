/*
 * src/wasm/interp.c -- the interpreter: the dispatch loop and the operation bodies, nothing
 * else (Lua's lvm.c). Everything that allocates, calls the host or takes a slow path lives in
 * exec.c and is reached through PROTECT / SAVE_STATE, which first store the cached state.
 *
 * Internal code format (produced by compile.c; operations listed with their meaning in iops.h):
 *
 *     code units (uint32_t)                      frame (8-byte cells, fp = frame start)
 *   +---------+------+------+------+            +--------+--------+----------------------+
 *   | handler |  d   |  a   |  b   |  I32_ADD   | params | locals | operand-stack slots  |
 *   +---------+------+------+------+            +--------+--------+----------------------+
 *   | handler |  d   |  a   |  K   |  I32_ADD_I   0 ..np   np..np+nl  np+nl .. frame_size
 *   +---------+------+------+------+
 *   | handler |  a   |  b   | rel  |  BR_LT_S    (fused compare-and-branch; pc += rel)
 *   +---------+------+------+------+
 *   | handler |  d   |  a   | off  |  I32_LOAD   (ea = a.u32 + off, 64-bit, checked)
 *   +---------+------+------+------+------+
 *   | handler |  d   |  a   |  K   | off  |  I32_LOAD_AK (ea = u32(a + K) + off: a folded add)
 *   +---------+------+------+------+------+
 *   | handler |  f   | base |         CALL       (callee frame starts at fp + base)
 *   +---------+------+------+------+
 *   | handler | P lo | P hi | base |  CALL_LOCAL (P: the callee's asw__cfunc_t, same module)
 *   +---------+------+------+------+
 *   handler: two units. Computed-goto build: the address of the operation's label, so that
 *            dispatch is one indirect jump through memory (direct threading); switch build
 *            (ASW_SWITCH_DISPATCH=1): the operation number, then 0.
 *   d/a/b: frame cell indices; K: immediate; rel: signed distance from the handler unit.
 *   The compiler works on one-unit handlers (the layout iops.h describes: operand k at unit k)
 *   and widens them when it links a function (compile.c), moving branch distances and the pc
 *   map; here operand k is at unit k + 1 (OPND), and NEXT/JUMP count as iops.h does.
 *
 * Every function starts with a FUEL operation, and so does every loop header: CALL_LOCAL and
 * the backward branches (the _B operations) run that check inline (FUEL_HERE) and continue after
 * it, falling back to the FUEL operation itself when fuel runs out or an interrupt is pending.
 *
 * i32/f32 results are stored zero-extended into the whole cell, so cells are canonical and a
 * MOV copies any value. Traps leave pc on the trapping operation (exec.c turns pc into a wasm
 * byte offset through the function's pc map); calls leave their return pc in the frame record.
 *
 * Invariants: while the loop runs, pc/fp/fn/inst/mem/msize/fuel live in locals; exec->pc and
 * friends are valid only after SAVE_STATE. `stack` is reloaded after every slow path (the value
 * stack may have moved). Memory base and size are reloaded after every call, return, host call
 * and memory.grow (a callee may have grown the memory). This file assumes a little-endian host
 * with 64-bit pointers (cells keep i32 in their low half).
 */
#include "wasm/exec.h"
#include "wasm/iops.h"

#include <math.h>
#include <string.h>

#ifndef ASW_SWITCH_DISPATCH
#define ASW_SWITCH_DISPATCH 0
#endif

_Static_assert(sizeof(void *) == 8, "the interpreter assumes 64-bit pointers in cells");

/* ---- value helpers ---- */

static inline uint32_t fbits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}
static inline float ffrom(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline double dfrom(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* min/max: NaN if either operand is NaN (a + b yields it, quieted); -0 is below +0. */
static inline float f32_min(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return ffrom(fbits(a) | fbits(b));
    return a < b ? a : b;
}
static inline float f32_max(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return ffrom(fbits(a) & fbits(b));
    return a > b ? a : b;
}
static inline double f64_min(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return dfrom(dbits(a) | dbits(b));
    return a < b ? a : b;
}
static inline double f64_max(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return dfrom(dbits(a) & dbits(b));
    return a > b ? a : b;
}

static inline uint32_t rotl32(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a << b) | (a >> ((32 - b) & 31));
}
static inline uint32_t rotr32(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a >> b) | (a << ((32 - b) & 31));
}
static inline uint64_t rotl64(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a << b) | (a >> ((64 - b) & 63));
}
static inline uint64_t rotr64(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a >> b) | (a << ((64 - b) & 63));
}

/* Saturating truncations (trunc_sat): NaN -> 0, clamped to the target range. */
static inline uint32_t sat_s32(double x)
{
    if (x != x) return 0;
    if (x <= -2147483648.0) return 0x80000000u;
    if (x >= 2147483647.0) return 0x7FFFFFFFu;
    return (uint32_t)(int32_t)x;
}
static inline uint32_t sat_u32(double x)
{
    if (x != x || x <= -1.0) return 0;
    if (x >= 4294967295.0) return 0xFFFFFFFFu;
    return (uint32_t)x;
}
static inline uint64_t sat_s64(double x)
{
    if (x != x) return 0;
    if (x < -9223372036854775808.0) return (uint64_t)INT64_MIN;
    if (x >= 9223372036854775808.0) return (uint64_t)INT64_MAX;
    return (uint64_t)(int64_t)x;
}
static inline uint64_t sat_u64(double x)
{
    if (x != x || x <= -1.0) return 0;
    if (x >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)x;
}

/* The checked memory access helpers, one per width: true when [ea, ea + W) is in bounds. The
 * effective address is a 64-bit sum, so it cannot wrap. */
static inline bool mem_ok1(uint64_t ea, uint64_t size)
{
    return ea + 1 <= size;
}
static inline bool mem_ok2(uint64_t ea, uint64_t size)
{
    return ea + 2 <= size;
}
static inline bool mem_ok4(uint64_t ea, uint64_t size)
{
    return ea + 4 <= size;
}
static inline bool mem_ok8(uint64_t ea, uint64_t size)
{
    return ea + 8 <= size;
}

/* ---- dispatch ---- */

#if ASW_SWITCH_DISPATCH
#define DISPATCH() goto dispatch
#define CASE(id)   case ASW_IOP_##id:
#else
#define DISPATCH()                                                                                 \
    do {                                                                                           \
        const void *h_;                                                                            \
        memcpy(&h_, pc, sizeof(h_));                                                               \
        goto *h_;                                                                                  \
    } while (0)
#define CASE(id)   L_##id:
#endif

/* NEXT(n): to the next operation, n being the operation's handler and operand count (its
 * length is n + 1: the handler takes two units). JUMP(k): by the distance in operand k. */
#define NEXT(n)                                                                                    \
    do {                                                                                           \
        pc += (n) + 1;                                                                             \
        DISPATCH();                                                                                \
    } while (0)
#define JUMP(k)                                                                                    \
    do {                                                                                           \
        pc += (int32_t)pc[(k) + 1];                                                                \
        DISPATCH();                                                                                \
    } while (0)
/* At a FUEL operation (a loop header or a function entry): run its check inline and go past
 * it; when the check fails, run the FUEL operation itself (its slow path). */
#define FUEL_HERE()                                                                                \
    do {                                                                                           \
        fuel -= OPND(1);                                                                           \
        if (ASW_UNLIKELY(                                                                          \
                (fuel | -(int64_t)atomic_load_explicit(intr, memory_order_relaxed)) < 0)) {        \
            fuel += OPND(1);                                                                       \
            goto op_fuel;                                                                          \
        }                                                                                          \
        NEXT(2);                                                                                   \
    } while (0)
/* A jump to a loop header, which is always a FUEL operation. */
#define LOOP_JUMP(k)                                                                               \
    do {                                                                                           \
        pc += (int32_t)pc[(k) + 1];                                                                \
        FUEL_HERE();                                                                               \
    } while (0)

/* A call: zeroes the callee's declared locals. Up to four are zeroed with four stores (the
 * cells after them are the callee's operand slots, which nothing reads before writing). The
 * empty asm keeps compilers from turning the loop into a memset call (frames have a handful of
 * locals; the call costs more than the loop). */
#define ZERO_LOCALS(callee)                                                                        \
    do {                                                                                           \
        asw__cell_t *z_ = fp + (callee)->nparams;                                                  \
        if (ASW_LIKELY((callee)->zero4)) {                                                         \
            z_[0].u64 = z_[1].u64 = z_[2].u64 = z_[3].u64 = 0;                                     \
            break;                                                                                 \
        }                                                                                          \
        for (asw__cell_t *ze_ = z_ + (callee)->nlocals; z_ < ze_; z_++) {                          \
            z_->u64 = 0;                                                                           \
            __asm__("" : "+r"(z_));                                                                \
        }                                                                                          \
    } while (0)
/* Pushes the caller's frame record (the return pc is after the call operation, which has len
 * units in NEXT's count). */
#define PUSH_FRAME(len)                                                                            \
    do {                                                                                           \
        fsp->fn = fn;                                                                              \
        fsp->ret_pc = pc + (len) + 1;                                                              \
        fsp->inst = inst;                                                                          \
        fsp->fp_off = (size_t)(fp - stack);                                                        \
        fsp++;                                                                                     \
    } while (0)

/* Operand access: slot operand k of the current operation. */
#define OPND(k)      (pc[(k) + 1])
#define R(k)         (fp[OPND(k)])
#define SET32(k, v)  (fp[OPND(k)].u64 = (uint32_t)(v))
#define SET64(k, v)  (fp[OPND(k)].u64 = (uint64_t)(v))
#define SETF32(k, v) (fp[OPND(k)].u64 = fbits(v))
#define SETF64(k, v) (fp[OPND(k)].u64 = dbits(v))

#define RELOAD_MEM()                                                                               \
    do {                                                                                           \
        asw_memory_t *m0_ = inst->mem0;                                                            \
        mem = m0_ ? m0_->data : NULL;                                                              \
        msize = m0_ ? m0_->size : 0;                                                               \
    } while (0)

/* Saves the cached state into exec (before any slow path) / reloads it after. */
#define SAVE_STATE()                                                                               \
    do {                                                                                           \
        exec->pc = pc;                                                                             \
        exec->nframes = (uint32_t)(fsp - exec->frames);                                            \
        exec->fp_off = (size_t)(fp - stack);                                                       \
        exec->fn = fn;                                                                             \
        exec->inst = inst;                                                                         \
        exec->top = exec->fp_off + fn->frame_size;                                                 \
        if (store->fuel_limited) store->fuel = (uint64_t)fuel;                                     \
    } while (0)
#define LOAD_STATE()                                                                               \
    do {                                                                                           \
        stack = exec->stack;                                                                       \
        pc = exec->pc;                                                                             \
        fp = stack + exec->fp_off;                                                                 \
        fn = exec->fn;                                                                             \
        inst = exec->inst;                                                                         \
        fsp = exec->frames + exec->nframes;                                                        \
        fend = exec->frames + exec->frames_cap;                                                    \
        send = stack + exec->stack_cap;                                                            \
        fuel = !store->fuel_limited          ? INT64_MAX                                           \
               : store->fuel > INT64_MAX ? INT64_MAX                                               \
                                             : (int64_t)store->fuel;                               \
        RELOAD_MEM();                                                                              \
    } while (0)

/* The one way to a slow path: save state, run `call` (an int expression), stop the loop with its
 * code if it is not ASW_OK, else reload state. */
#define PROTECT(rc, call)                                                                          \
    do {                                                                                           \
        SAVE_STATE();                                                                              \
        (rc) = (call);                                                                             \
        if ((rc) != ASW_OK) return (rc);                                                           \
        LOAD_STATE();                                                                              \
    } while (0)

#define TRAP(kind, msg)                                                                            \
    do {                                                                                           \
        exec->trap_kind = (kind);                                                                  \
        exec->trap_msg = (msg);                                                                    \
        SAVE_STATE();                                                                              \
        return ASW_E_TRAP;                                                                         \
    } while (0)

/* ---- operation body families ---- */

#define BIN_I32(ID, expr)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint32_t a = R(2).u32, b = R(3).u32;                                                       \
        SET32(1, expr);                                                                            \
        NEXT(4);                                                                                   \
    }
#define BINI_I32(ID, expr)                                                                         \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint32_t a = R(2).u32, b = OPND(3);                                                        \
        SET32(1, expr);                                                                            \
        NEXT(4);                                                                                   \
    }
#define BIN_I64(ID, expr)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t a = R(2).u64, b = R(3).u64;                                                       \
        SET64(1, expr);                                                                            \
        NEXT(4);                                                                                   \
    }
#define BINI_I64(ID, expr)                                                                         \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t a = R(2).u64, b = (uint64_t)(int64_t)(int32_t)OPND(3);                            \
        SET64(1, expr);                                                                            \
        NEXT(4);                                                                                   \
    }
#define CMP_I64(ID, expr)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t a = R(2).u64, b = R(3).u64;                                                       \
        SET32(1, expr);                                                                            \
        NEXT(4);                                                                                   \
    }
#define BIN_F32(ID, expr)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        float a = R(2).f32, b = R(3).f32;                                                          \
        SETF32(1, expr);                                                                           \
        NEXT(4);                                                                                   \
    }
#define CMP_F32(ID, expr)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        float a = R(2).f32, b = R(3).f32;                                                          \
        SET32(1, expr);                                                                            \
        NEXT(4);                                                                                   \
    }
#define BIN_F64(ID, expr)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        double a = R(2).f64, b = R(3).f64;                                                         \
        SETF64(1, expr);                                                                           \
        NEXT(4);                                                                                   \
    }
#define CMP_F64(ID, expr)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        double a = R(2).f64, b = R(3).f64;                                                         \
        SET32(1, expr);                                                                            \
        NEXT(4);                                                                                   \
    }
/* Unary: T a = operand; SET(result). */
#define UN(ID, T, field, SET, expr)                                                                \
    CASE(ID)                                                                                       \
    {                                                                                              \
        T a = R(2).field;                                                                          \
        SET(1, expr);                                                                              \
        NEXT(3);                                                                                   \
    }
/* Fused compare-and-branch on i32: register and immediate forms, forward and to a loop. */
#define BR_CMP(ID, T, op)                                                                          \
    CASE(BR_##ID)                                                                                  \
    {                                                                                              \
        if ((T)R(1).u32 op(T) R(2).u32) JUMP(3);                                                   \
        NEXT(4);                                                                                   \
    }                                                                                              \
    CASE(BR_##ID##_I)                                                                              \
    {                                                                                              \
        if ((T)R(1).u32 op(T) OPND(2)) JUMP(3);                                                    \
        NEXT(4);                                                                                   \
    }                                                                                              \
    CASE(BR_##ID##_B)                                                                              \
    {                                                                                              \
        if ((T)R(1).u32 op(T) R(2).u32) LOOP_JUMP(3);                                              \
        NEXT(4);                                                                                   \
    }                                                                                              \
    CASE(BR_##ID##_I_B)                                                                            \
    {                                                                                              \
        if ((T)R(1).u32 op(T) OPND(2)) LOOP_JUMP(3);                                               \
        NEXT(4);                                                                                   \
    }
/* i32.add (of an immediate K or a register b2) fused with the loop back-edge testing its result
 * d against a register b or an immediate K2. d is written first: b may be d itself. */
#define INC_BR(CMP, T, op)                                                                         \
    CASE(INC_BR_##CMP##_K)                                                                         \
    {                                                                                              \
        uint32_t d_ = R(2).u32 + OPND(3);                                                          \
        SET32(1, d_);                                                                              \
        if ((T)d_ op(T) R(4).u32) LOOP_JUMP(5);                                                    \
        NEXT(6);                                                                                   \
    }                                                                                              \
    CASE(INC_BR_##CMP##_K_I)                                                                       \
    {                                                                                              \
        uint32_t d_ = R(2).u32 + OPND(3);                                                          \
        SET32(1, d_);                                                                              \
        if ((T)d_ op(T) OPND(4)) LOOP_JUMP(5);                                                     \
        NEXT(6);                                                                                   \
    }                                                                                              \
    CASE(INC_BR_##CMP##_R)                                                                         \
    {                                                                                              \
        uint32_t d_ = R(2).u32 + R(3).u32;                                                         \
        SET32(1, d_);                                                                              \
        if ((T)d_ op(T) R(4).u32) LOOP_JUMP(5);                                                    \
        NEXT(6);                                                                                   \
    }                                                                                              \
    CASE(INC_BR_##CMP##_R_I)                                                                       \
    {                                                                                              \
        uint32_t d_ = R(2).u32 + R(3).u32;                                                         \
        SET32(1, d_);                                                                              \
        if ((T)d_ op(T) OPND(4)) LOOP_JUMP(5);                                                     \
        NEXT(6);                                                                                   \
    }
/* Load: width W through a value of type T, converted by CONV(v) into the cell's 64 bits. */
#define LOAD(ID, W, T, CONV)                                                                       \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)R(2).u32 + OPND(3);                                                \
        if (ASW_UNLIKELY(!mem_ok##W(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                  \
        T v;                                                                                       \
        memcpy(&v, mem + ea, W);                                                                   \
        fp[OPND(1)].u64 = (uint64_t)(CONV);                                                        \
        NEXT(4);                                                                                   \
    }
#define STORE(ID, W, T)                                                                            \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)R(1).u32 + OPND(3);                                                \
        if (ASW_UNLIKELY(!mem_ok##W(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                  \
        T v = (T)R(2).u64;                                                                         \
        memcpy(mem + ea, &v, W);                                                                   \
        NEXT(4);                                                                                   \
    }
/* Store of an immediate K (sign-extended to 64 bits, then truncated to W bytes). */
#define STORE_K(ID, W, T)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)R(1).u32 + OPND(3);                                                \
        if (ASW_UNLIKELY(!mem_ok##W(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                  \
        T v = (T)(uint64_t)(int64_t)(int32_t)OPND(2);                                              \
        memcpy(mem + ea, &v, W);                                                                   \
        NEXT(4);                                                                                   \
    }
/* Load/store whose address is a + K computed in 32 bits (a folded i32.add), then + off. */
#define LOAD_AK(ID, W, T)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)(uint32_t)(R(2).u32 + OPND(3)) + OPND(4);                          \
        if (ASW_UNLIKELY(!mem_ok##W(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                  \
        T v;                                                                                       \
        memcpy(&v, mem + ea, W);                                                                   \
        fp[OPND(1)].u64 = (uint64_t)v;                                                             \
        NEXT(5);                                                                                   \
    }
#define LOAD_AB(ID, W, T)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)(uint32_t)(R(2).u32 + R(3).u32) + OPND(4);                         \
        if (ASW_UNLIKELY(!mem_ok##W(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                  \
        T v;                                                                                       \
        memcpy(&v, mem + ea, W);                                                                   \
        fp[OPND(1)].u64 = (uint64_t)v;                                                             \
        NEXT(5);                                                                                   \
    }
#define LOAD_ASH(ID, W, T)                                                                         \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)(uint32_t)(R(2).u32 + (R(3).u32 << (OPND(4) & 31))) + OPND(5);     \
        if (ASW_UNLIKELY(!mem_ok##W(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                  \
        T v;                                                                                       \
        memcpy(&v, mem + ea, W);                                                                   \
        fp[OPND(1)].u64 = (uint64_t)v;                                                             \
        NEXT(6);                                                                                   \
    }
#define LOAD_SK(ID, W, T)                                                                          \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)(uint32_t)((R(2).u32 << (OPND(3) & 31)) + OPND(4)) + OPND(5);      \
        if (ASW_UNLIKELY(!mem_ok##W(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                  \
        T v;                                                                                       \
        memcpy(&v, mem + ea, W);                                                                   \
        fp[OPND(1)].u64 = (uint64_t)v;                                                             \
        NEXT(6);                                                                                   \
    }
#define STORE_AK(ID, W, T)                                                                         \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)(uint32_t)(R(1).u32 + OPND(2)) + OPND(4);                          \
        if (ASW_UNLIKELY(!mem_ok##W(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                  \
        T v = (T)R(3).u64;                                                                         \
        memcpy(mem + ea, &v, W);                                                                   \
        NEXT(5);                                                                                   \
    }

/*
 * The loop. With exec == NULL it only stores the handler table in *out_table (the
 * computed-goto build needs the label addresses, which exist only inside this function).
 */
static int run(asw__exec_t *exec, const void *const **out_table)
{
#if !ASW_SWITCH_DISPATCH
    static const void *const handlers[ASW_IOP_COUNT] = {
#define ASW__LABEL(id, units, wasm, kind, twin, meaning) &&L_##id,
        ASW_IOPS(ASW__LABEL)
#undef ASW__LABEL
    };
    if (!exec) {
        *out_table = handlers;
        return ASW_OK;
    }
#else
    if (!exec) {
        *out_table = NULL;
        return ASW_OK;
    }
#endif
    asw_store_t *store = exec->store;
    _Atomic uint32_t *intr = &store->interrupt;
    asw__cell_t *stack, *fp;
    asw__cell_t *send;        /* stack + exec->stack_cap: the value stack's end */
    asw__frame_t *fsp, *fend; /* exec->frames + nframes / + frames_cap */
    const asw__code_t *pc;
    const asw__cfunc_t *fn;
    asw_instance_t *inst;
    uint8_t *mem;
    uint64_t msize;
    int64_t fuel;
    asw_func_t *f;      /* call target */
    uint32_t base, len; /* call: frame offset of args/results, length of the call operation */
    int rc;

    LOAD_STATE();

#if ASW_SWITCH_DISPATCH
dispatch:
    switch (pc[0]) {
#else
    DISPATCH();
#endif

    /* ---- control ---- */
    CASE(NOP) NEXT(1);
    CASE(UNREACHABLE) TRAP(ASW_TRAP_UNREACHABLE, NULL);
    CASE(FUEL)
    op_fuel: /* the slow path of LOOP_JUMP */
    {
        /* One test covers both: fuel went negative, or an interrupt is pending (-intr < 0). */
        fuel -= OPND(1);
        if (ASW_UNLIKELY(
                (fuel | -(int64_t)atomic_load_explicit(intr, memory_order_relaxed)) < 0)) {
            fuel += OPND(1);
            PROTECT(rc, asw__exec_checkpoint(exec, OPND(1)));
            DISPATCH(); /* charge again */
        }
        NEXT(2);
    }
    CASE(BR) JUMP(1);
    CASE(BR_IF)
    {
        if (R(1).u32) JUMP(2);
        NEXT(3);
    }
    CASE(BR_UNLESS)
    {
        if (!R(1).u32) JUMP(2);
        NEXT(3);
    }
    CASE(BR_B) LOOP_JUMP(1);
    CASE(BR_IF_B)
    {
        if (R(1).u32) LOOP_JUMP(2);
        NEXT(3);
    }
    CASE(BR_UNLESS_B)
    {
        if (!R(1).u32) LOOP_JUMP(2);
        NEXT(3);
    }
    CASE(BR_TABLE)
    {
        uint32_t i = R(1).u32, n = OPND(2);
        if (i > n) i = n;
        JUMP(3 + i);
    }
    CASE(BR_TABLE_K)
    {
        uint32_t i = R(1).u32 + OPND(2), n = OPND(3);
        if (i > n) i = n;
        JUMP(4 + i);
    }
    CASE(BR_TABLE_LSK)
    {
        uint64_t ea = (uint64_t)(uint32_t)((R(2).u32 << (OPND(3) & 31)) + OPND(4)) + OPND(5);
        if (ASW_UNLIKELY(!mem_ok4(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);
        uint32_t v;
        memcpy(&v, mem + ea, 4);
        fp[OPND(1)].u64 = v;
        uint32_t i = v + OPND(6), n = OPND(7);
        if (i > n) i = n;
        JUMP(8 + i);
    }
    CASE(BR_TABLE_ALSK)
    {
        SET32(1, R(2).u32 + OPND(3));
        uint64_t ea = (uint64_t)(uint32_t)((R(5).u32 << (OPND(6) & 31)) + OPND(7)) + OPND(8);
        if (ASW_UNLIKELY(!mem_ok4(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);
        uint32_t v;
        memcpy(&v, mem + ea, 4);
        fp[OPND(4)].u64 = v;
        uint32_t i = v + OPND(9), n = OPND(10);
        if (i > n) i = n;
        JUMP(11 + i);
    }
    CASE(I32_ADD_I_BR)
    {
        SET32(1, R(2).u32 + OPND(3));
        JUMP(4);
    }
    CASE(I32_ADD_I_BR_B)
    {
        SET32(1, R(2).u32 + OPND(3));
        LOOP_JUMP(4);
    }
    CASE(I32_AND_I_BR_B)
    {
        SET32(1, R(2).u32 & OPND(3));
        LOOP_JUMP(4);
    }
    BR_CMP(EQ, uint32_t, ==)
    BR_CMP(NE, uint32_t, !=)
    BR_CMP(LT_S, int32_t, <)
    BR_CMP(LT_U, uint32_t, <)
    BR_CMP(GT_S, int32_t, >)
    BR_CMP(GT_U, uint32_t, >)
    BR_CMP(LE_S, int32_t, <=)
    BR_CMP(LE_U, uint32_t, <=)
    BR_CMP(GE_S, int32_t, >=)
    BR_CMP(GE_U, uint32_t, >=)
    INC_BR(EQ, uint32_t, ==)
    INC_BR(NE, uint32_t, !=)
    INC_BR(LT_S, int32_t, <)
    INC_BR(LT_U, uint32_t, <)
    INC_BR(GT_S, int32_t, >)
    INC_BR(GT_U, uint32_t, >)
    INC_BR(LE_S, int32_t, <=)
    INC_BR(LE_U, uint32_t, <=)
    INC_BR(GE_S, int32_t, >=)
    INC_BR(GE_U, uint32_t, >=)
    CASE(RET1)
    {
        fp[0] = R(1);
        goto do_ret;
    }
    CASE(RET)
    do_ret:
    {
        asw__frame_t *fr = --fsp;
        if (ASW_UNLIKELY(fr->fn == NULL)) { /* the activation's sentinel: done */
            exec->nframes = (uint32_t)(fsp - exec->frames);
            if (store->fuel_limited) store->fuel = (uint64_t)fuel;
            return ASW_OK;
        }
        pc = fr->ret_pc;
        fp = stack + fr->fp_off;
        fn = fr->fn;
        /* mem/msize are current for inst: every way a callee can grow memory (memory.grow, a
         * host call) reloads them; only a return into another instance must. */
        if (ASW_UNLIKELY(fr->inst != inst)) {
            inst = fr->inst;
            RELOAD_MEM();
        }
        DISPATCH();
    }
    CASE(CALL)
    {
        f = inst->funcs[OPND(1)];
        base = OPND(2);
        len = 3;
        goto do_call;
    }
    CASE(CALL_INDIRECT)
    {
        asw_table_t *tb = inst->tables[OPND(2)];
        uint32_t i = R(4).u32;
        if (ASW_UNLIKELY(i >= tb->size)) TRAP(ASW_TRAP_TABLE_OOB, "undefined element");
        f = tb->elems[i];
        if (ASW_UNLIKELY(!f)) TRAP(ASW_TRAP_NULL_REFERENCE, "uninitialized element");
        if (ASW_UNLIKELY(f->type_id != inst->module->types[OPND(1)].type_id))
            TRAP(ASW_TRAP_INDIRECT_TYPE, "indirect call type mismatch");
        base = OPND(3);
        len = 5;
        goto do_call;
    }
    CASE(CALL_LOCAL)
    {
        /* A function defined in this module: same instance, no kind or instance checks, the
         * compiled code comes from the operation itself. */
        const asw__cfunc_t *callee;
        memcpy(&callee, &OPND(1), sizeof(callee));
        if (ASW_UNLIKELY((size_t)(send - fp) < (size_t)OPND(3) + callee->frame_size ||
                         fsp >= fend)) {
            PROTECT(rc,
                    asw__exec_reserve(exec, (size_t)(fp - stack) + OPND(3), callee->frame_size));
        }
        PUSH_FRAME(4);
        fp += OPND(3);
        ZERO_LOCALS(callee);
        fn = callee;
        pc = callee->code; /* every function starts with FUEL */
        FUEL_HERE();
    }
do_call:
    if (ASW_LIKELY(f->kind == ASW__FUNC_WASM)) {
        const asw__cfunc_t *callee = f->code;
        if (ASW_UNLIKELY((size_t)(send - fp) < (size_t)base + callee->frame_size || fsp >= fend)) {
            PROTECT(rc, asw__exec_reserve(exec, (size_t)(fp - stack) + base, callee->frame_size));
        }
        PUSH_FRAME(len);
        fp += base;
        ZERO_LOCALS(callee);
        fn = callee;
        pc = callee->code;
        if (f->instance != inst) {
            inst = f->instance;
            RELOAD_MEM();
        }
        DISPATCH();
    }
    /* A host function: the only way out to embedder code. */
    PROTECT(rc, asw__exec_host(exec, f, (size_t)(fp - stack) + base, len + 1));
    NEXT(len);

    /* ---- moves, constants, variables ---- */
    CASE(MOV)
    {
        fp[OPND(1)] = R(2);
        NEXT(3);
    }
    CASE(MOV2)
    {
        fp[OPND(3)] = R(4);
        fp[OPND(1)] = R(2);
        NEXT(5);
    }
    CASE(CONST32)
    {
        SET32(1, OPND(2));
        NEXT(3);
    }
    CASE(CONST64)
    {
        SET64(1, (uint64_t)OPND(2) | (uint64_t)OPND(3) << 32);
        NEXT(4);
    }
    CASE(SELECT)
    {
        fp[OPND(1)] = R(4).u32 ? R(2) : R(3);
        NEXT(5);
    }
    CASE(SELECT_AK)
    {
        uint64_t k = (uint64_t)OPND(2) | (uint64_t)OPND(3) << 32;
        fp[OPND(1)].u64 = R(5).u32 ? k : R(4).u64;
        NEXT(6);
    }
    CASE(SELECT_BK)
    {
        uint64_t k = (uint64_t)OPND(3) | (uint64_t)OPND(4) << 32;
        fp[OPND(1)].u64 = R(5).u32 ? R(2).u64 : k;
        NEXT(6);
    }
    CASE(GLOBAL_GET)
    {
        fp[OPND(1)] = inst->globals[OPND(2)]->val;
        NEXT(3);
    }
    CASE(GLOBAL_SET)
    {
        inst->globals[OPND(1)]->val = R(2);
        NEXT(3);
    }

    /* ---- memory ---- */
    LOAD(I32_LOAD, 4, uint32_t, v)
    LOAD(I64_LOAD, 8, uint64_t, v)
    LOAD(I32_LOAD8_S, 1, int8_t, (uint32_t)(int32_t)v)
    LOAD(I32_LOAD8_U, 1, uint8_t, v)
    LOAD(I32_LOAD16_S, 2, int16_t, (uint32_t)(int32_t)v)
    LOAD(I32_LOAD16_U, 2, uint16_t, v)
    LOAD(I64_LOAD8_S, 1, int8_t, (int64_t)v)
    LOAD(I64_LOAD8_U, 1, uint8_t, v)
    LOAD(I64_LOAD16_S, 2, int16_t, (int64_t)v)
    LOAD(I64_LOAD16_U, 2, uint16_t, v)
    LOAD(I64_LOAD32_S, 4, int32_t, (int64_t)v)
    LOAD(I64_LOAD32_U, 4, uint32_t, v)
    STORE(STORE8, 1, uint8_t)
    STORE(STORE16, 2, uint16_t)
    STORE(STORE32, 4, uint32_t)
    STORE(STORE64, 8, uint64_t)
#define I32_ST(ID, op)                                                                             \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)R(1).u32 + OPND(4);                                                \
        if (ASW_UNLIKELY(!mem_ok4(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                    \
        uint32_t v = R(2).u32 op R(3).u32;                                                         \
        memcpy(mem + ea, &v, 4);                                                                   \
        NEXT(5);                                                                                   \
    }
    I32_ST(I32_ADD_ST, +)
    I32_ST(I32_SUB_ST, -)
    I32_ST(I32_MUL_ST, *)
    I32_ST(I32_AND_ST, &)
    I32_ST(I32_OR_ST, |)
    I32_ST(I32_XOR_ST, ^)
#undef I32_ST
    STORE_K(STORE8_K, 1, uint8_t)
    STORE_K(STORE16_K, 2, uint16_t)
    STORE_K(STORE32_K, 4, uint32_t)
    STORE_K(STORE64_K, 8, uint64_t)
    LOAD_AK(I32_LOAD_AK, 4, uint32_t)
    LOAD_AK(I64_LOAD_AK, 8, uint64_t)
    LOAD_AK(I32_LOAD8_U_AK, 1, uint8_t)
    STORE_AK(STORE32_AK, 4, uint32_t)
    STORE_AK(STORE64_AK, 8, uint64_t)
    LOAD_AB(I32_LOAD_AB, 4, uint32_t)
    LOAD_AB(I64_LOAD_AB, 8, uint64_t)
    LOAD_AB(I32_LOAD8_U_AB, 1, uint8_t)
    LOAD_ASH(I32_LOAD_ASH, 4, uint32_t)
    LOAD_ASH(I64_LOAD_ASH, 8, uint64_t)
    LOAD_SK(I32_LOAD_SK, 4, uint32_t)
    LOAD_SK(I64_LOAD_SK, 8, uint64_t)
    CASE(STORE8_K_AB)
    {
        uint64_t ea = (uint64_t)(uint32_t)(R(1).u32 + R(2).u32) + OPND(4);
        if (ASW_UNLIKELY(!mem_ok1(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);
        mem[ea] = (uint8_t)OPND(3);
        NEXT(5);
    }
    CASE(MEMORY_SIZE)
    {
        SET32(1, msize / ASW__PAGE_SIZE);
        NEXT(2);
    }
    CASE(MEMORY_GROW)
    {
        int64_t old;
        uint32_t delta = R(2).u32;
        SAVE_STATE();
        old = inst->mem0 ? asw__memory_grow(inst->mem0, delta) : -1;
        LOAD_STATE();
        SET32(1, (uint32_t)(int32_t)old);
        NEXT(3);
    }
    CASE(MEMORY_FILL)
    {
        uint64_t d = R(1).u32, n = R(3).u32;
        if (ASW_UNLIKELY(d + n > msize)) TRAP(ASW_TRAP_MEMORY_OOB, NULL);
        if (n) memset(mem + d, (int)(uint8_t)R(2).u32, (size_t)n);
        NEXT(4);
    }
    CASE(MEMORY_COPY)
    {
        uint64_t d = R(1).u32, s = R(2).u32, n = R(3).u32;
        if (ASW_UNLIKELY(d + n > msize || s + n > msize)) TRAP(ASW_TRAP_MEMORY_OOB, NULL);
        if (n) memmove(mem + d, mem + s, (size_t)n);
        NEXT(4);
    }
    CASE(MEMORY_INIT)
    {
        int k = asw__exec_memory_init(inst, OPND(1), R(2).u32, R(3).u32, R(4).u32);
        if (ASW_UNLIKELY(k)) TRAP((asw_trap_kind_t)k, NULL);
        NEXT(5);
    }
    CASE(DATA_DROP)
    {
        inst->data_dropped[OPND(1)] = 1;
        NEXT(2);
    }

    /* ---- tables and references ---- */
    CASE(TABLE_GET)
    {
        asw_table_t *tb = inst->tables[OPND(2)];
        uint32_t i = R(3).u32;
        if (ASW_UNLIKELY(i >= tb->size))
            TRAP(ASW_TRAP_TABLE_OOB, "out of bounds table access");
        fp[OPND(1)].ref = tb->elems[i];
        NEXT(4);
    }
    CASE(TABLE_SET)
    {
        asw_table_t *tb = inst->tables[OPND(1)];
        uint32_t i = R(2).u32;
        if (ASW_UNLIKELY(i >= tb->size))
            TRAP(ASW_TRAP_TABLE_OOB, "out of bounds table access");
        tb->elems[i] = R(3).ref;
        NEXT(4);
    }
    CASE(TABLE_SIZE)
    {
        SET32(1, inst->tables[OPND(2)]->size);
        NEXT(3);
    }
    CASE(TABLE_GROW)
    {
        int64_t old;
        void *init = R(3).ref;
        uint32_t n = R(4).u32;
        SAVE_STATE();
        old = asw__table_grow(inst->tables[OPND(2)], n, init);
        LOAD_STATE();
        SET32(1, (uint32_t)(int32_t)old);
        NEXT(5);
    }
    CASE(TABLE_FILL)
    {
        int k = asw__exec_table_fill(inst, OPND(1), R(2).u32, R(3).ref, R(4).u32);
        if (ASW_UNLIKELY(k)) TRAP((asw_trap_kind_t)k, "out of bounds table access");
        NEXT(5);
    }
    CASE(TABLE_COPY)
    {
        int k = asw__exec_table_copy(inst, OPND(1), OPND(2), R(3).u32, R(4).u32, R(5).u32);
        if (ASW_UNLIKELY(k)) TRAP((asw_trap_kind_t)k, "out of bounds table access");
        NEXT(6);
    }
    CASE(TABLE_INIT)
    {
        int k = asw__exec_table_init(inst, OPND(1), OPND(2), R(3).u32, R(4).u32, R(5).u32);
        if (ASW_UNLIKELY(k)) TRAP((asw_trap_kind_t)k, "out of bounds table access");
        NEXT(6);
    }
    CASE(ELEM_DROP)
    {
        inst->elem_dropped[OPND(1)] = 1;
        NEXT(2);
    }
    CASE(REF_FUNC)
    {
        fp[OPND(1)].ref = inst->funcs[OPND(2)];
        NEXT(3);
    }
    UN(REF_IS_NULL, void *, ref, SET32, a == NULL)

    /* ---- i32 ---- */
    UN(I32_EQZ, uint32_t, u32, SET32, a == 0)
    BIN_I32(I32_EQ, a == b)
    BIN_I32(I32_NE, a != b)
    BIN_I32(I32_LT_S, (int32_t)a < (int32_t)b)
    BIN_I32(I32_LT_U, a < b)
    BIN_I32(I32_GT_S, (int32_t)a > (int32_t)b)
    BIN_I32(I32_GT_U, a > b)
    BIN_I32(I32_LE_S, (int32_t)a <= (int32_t)b)
    BIN_I32(I32_LE_U, a <= b)
    BIN_I32(I32_GE_S, (int32_t)a >= (int32_t)b)
    BIN_I32(I32_GE_U, a >= b)
    UN(I32_CLZ, uint32_t, u32, SET32, a ? (uint32_t)__builtin_clz(a) : 32u)
    UN(I32_CTZ, uint32_t, u32, SET32, a ? (uint32_t)__builtin_ctz(a) : 32u)
    UN(I32_POPCNT, uint32_t, u32, SET32, (uint32_t)__builtin_popcount(a))
    BIN_I32(I32_ADD, a + b)
    BIN_I32(I32_SUB, a - b)
    BIN_I32(I32_MUL, a * b)
    CASE(I32_DIV_S)
    {
        uint32_t a = R(2).u32, b = R(3).u32;
        if (ASW_UNLIKELY(b == 0)) TRAP(ASW_TRAP_DIV_ZERO, NULL);
        if (ASW_UNLIKELY(a == 0x80000000u && b == 0xFFFFFFFFu)) TRAP(ASW_TRAP_INT_OVERFLOW, NULL);
        SET32(1, (int32_t)a / (int32_t)b);
        NEXT(4);
    }
    CASE(I32_DIV_U)
    {
        uint32_t a = R(2).u32, b = R(3).u32;
        if (ASW_UNLIKELY(b == 0)) TRAP(ASW_TRAP_DIV_ZERO, NULL);
        SET32(1, a / b);
        NEXT(4);
    }
    CASE(I32_REM_S)
    {
        uint32_t a = R(2).u32, b = R(3).u32;
        if (ASW_UNLIKELY(b == 0)) TRAP(ASW_TRAP_DIV_ZERO, NULL);
        SET32(1, b == 0xFFFFFFFFu ? 0 : (int32_t)a % (int32_t)b);
        NEXT(4);
    }
    CASE(I32_REM_U)
    {
        uint32_t a = R(2).u32, b = R(3).u32;
        if (ASW_UNLIKELY(b == 0)) TRAP(ASW_TRAP_DIV_ZERO, NULL);
        SET32(1, a % b);
        NEXT(4);
    }
    BIN_I32(I32_AND, a & b)
    BIN_I32(I32_OR, a | b)
    BIN_I32(I32_XOR, a ^ b)
    BIN_I32(I32_SHL, a << (b & 31))
    BIN_I32(I32_SHR_S, (int32_t)a >> (b & 31))
    BIN_I32(I32_SHR_U, a >> (b & 31))
    BIN_I32(I32_ROTL, rotl32(a, b))
    BIN_I32(I32_ROTR, rotr32(a, b))
    BINI_I32(I32_EQ_I, a == b)
    BINI_I32(I32_NE_I, a != b)
    BINI_I32(I32_LT_S_I, (int32_t)a < (int32_t)b)
    BINI_I32(I32_LT_U_I, a < b)
    BINI_I32(I32_GT_S_I, (int32_t)a > (int32_t)b)
    BINI_I32(I32_GT_U_I, a > b)
    BINI_I32(I32_LE_S_I, (int32_t)a <= (int32_t)b)
    BINI_I32(I32_LE_U_I, a <= b)
    BINI_I32(I32_GE_S_I, (int32_t)a >= (int32_t)b)
    BINI_I32(I32_GE_U_I, a >= b)
    BINI_I32(I32_ADD_I, a + b)
    BINI_I32(I32_MUL_I, a * b)
    BINI_I32(I32_AND_I, a & b)
    BINI_I32(I32_OR_I, a | b)
    BINI_I32(I32_XOR_I, a ^ b)
    BINI_I32(I32_SHL_I, a << (b & 31))
    BINI_I32(I32_SHR_S_I, (int32_t)a >> (b & 31))
    BINI_I32(I32_SHR_U_I, a >> (b & 31))
    BINI_I32(I32_ROTL_I, rotl32(a, b))
    BINI_I32(I32_ROTR_I, rotr32(a, b))
    CASE(I32_ADD_SHL)
    {
        SET32(1, R(2).u32 + (R(3).u32 << (OPND(4) & 31)));
        NEXT(5);
    }
    CASE(I32_SHL_ADD_I)
    {
        SET32(1, (R(2).u32 << (OPND(3) & 31)) + OPND(4));
        NEXT(5);
    }
    CASE(I32_ADD_I2)
    {
        SET32(4, R(5).u32 + OPND(6));
        SET32(1, R(2).u32 + OPND(3));
        NEXT(7);
    }
    CASE(I32_XOR_SHRU)
    {
        SET32(1, R(2).u32 ^ (R(3).u32 >> (OPND(4) & 31)));
        NEXT(5);
    }
    CASE(I32_MUL_ADD_I)
    {
        SET32(1, R(2).u32 * OPND(3) + OPND(4));
        NEXT(5);
    }
    CASE(I32_ROTX2_SHR)
    {
        uint32_t x = R(2).u32;
        SET32(1, rotl32(x, OPND(3)) ^ rotl32(x, OPND(4)) ^ (x >> (OPND(5) & 31)));
        NEXT(6);
    }
    CASE(I32_ADD_SHL_K)
    {
        SET32(1, R(2).u32 + (R(3).u32 << (OPND(4) & 31)) + OPND(5));
        NEXT(6);
    }
    CASE(I32_ROTX2)
    {
        uint32_t x = R(2).u32;
        SET32(1, rotl32(x, OPND(3)) ^ rotl32(x, OPND(4)));
        NEXT(5);
    }
    CASE(I32_ROTX3)
    {
        uint32_t x = R(2).u32;
        SET32(1, rotl32(x, OPND(3)) ^ rotl32(x, OPND(4)) ^ rotl32(x, OPND(5)));
        NEXT(6);
    }
#define I32P2(O2, expr)                                                                            \
    {                                                                                              \
        SET32(3, t);                                                                               \
        uint32_t c_ = R(2).u32;                                                                    \
        SET32(1, expr);                                                                            \
        NEXT(6);                                                                                   \
    }
#define I32P(O1, op1)                                                                              \
    CASE(I32P_##O1##_ADD)                                                                          \
    {                                                                                              \
        uint32_t t = R(4).u32 op1 R(5).u32;                                                        \
        I32P2(ADD, t + c_)                                                                         \
    }                                                                                              \
    CASE(I32P_##O1##_SUB)                                                                          \
    {                                                                                              \
        uint32_t t = R(4).u32 op1 R(5).u32;                                                        \
        I32P2(SUB, t - c_)                                                                         \
    }                                                                                              \
    CASE(I32P_##O1##_SUBR)                                                                         \
    {                                                                                              \
        uint32_t t = R(4).u32 op1 R(5).u32;                                                        \
        I32P2(SUBR, c_ - t)                                                                        \
    }                                                                                              \
    CASE(I32P_##O1##_AND)                                                                          \
    {                                                                                              \
        uint32_t t = R(4).u32 op1 R(5).u32;                                                        \
        I32P2(AND, t & c_)                                                                         \
    }                                                                                              \
    CASE(I32P_##O1##_OR)                                                                           \
    {                                                                                              \
        uint32_t t = R(4).u32 op1 R(5).u32;                                                        \
        I32P2(OR, t | c_)                                                                          \
    }                                                                                              \
    CASE(I32P_##O1##_XOR)                                                                          \
    {                                                                                              \
        uint32_t t = R(4).u32 op1 R(5).u32;                                                        \
        I32P2(XOR, t ^ c_)                                                                         \
    }
    I32P(ADD, +)
    I32P(SUB, -)
    I32P(AND, &)
    I32P(OR, |)
    I32P(XOR, ^)
#undef I32P
#undef I32P2
    CASE(I32_XOR_ROTL)
    {
        SET32(1, R(2).u32 ^ rotl32(R(3).u32, OPND(4)));
        NEXT(5);
    }

    /* ---- i64 ---- */
    UN(I64_EQZ, uint64_t, u64, SET32, a == 0)
    CMP_I64(I64_EQ, a == b)
    CMP_I64(I64_NE, a != b)
    CMP_I64(I64_LT_S, (int64_t)a < (int64_t)b)
    CMP_I64(I64_LT_U, a < b)
    CMP_I64(I64_GT_S, (int64_t)a > (int64_t)b)
    CMP_I64(I64_GT_U, a > b)
    CMP_I64(I64_LE_S, (int64_t)a <= (int64_t)b)
    CMP_I64(I64_LE_U, a <= b)
    CMP_I64(I64_GE_S, (int64_t)a >= (int64_t)b)
    CMP_I64(I64_GE_U, a >= b)
    UN(I64_CLZ, uint64_t, u64, SET64, a ? (uint64_t)__builtin_clzll(a) : 64u)
    UN(I64_CTZ, uint64_t, u64, SET64, a ? (uint64_t)__builtin_ctzll(a) : 64u)
    UN(I64_POPCNT, uint64_t, u64, SET64, (uint64_t)__builtin_popcountll(a))
    BIN_I64(I64_ADD, a + b)
    BIN_I64(I64_SUB, a - b)
    BIN_I64(I64_MUL, a * b)
    CASE(I64_DIV_S)
    {
        uint64_t a = R(2).u64, b = R(3).u64;
        if (ASW_UNLIKELY(b == 0)) TRAP(ASW_TRAP_DIV_ZERO, NULL);
        if (ASW_UNLIKELY(a == (uint64_t)INT64_MIN && b == UINT64_MAX))
            TRAP(ASW_TRAP_INT_OVERFLOW, NULL);
        SET64(1, (int64_t)a / (int64_t)b);
        NEXT(4);
    }
    CASE(I64_DIV_U)
    {
        uint64_t a = R(2).u64, b = R(3).u64;
        if (ASW_UNLIKELY(b == 0)) TRAP(ASW_TRAP_DIV_ZERO, NULL);
        SET64(1, a / b);
        NEXT(4);
    }
    CASE(I64_REM_S)
    {
        uint64_t a = R(2).u64, b = R(3).u64;
        if (ASW_UNLIKELY(b == 0)) TRAP(ASW_TRAP_DIV_ZERO, NULL);
        SET64(1, b == UINT64_MAX ? 0 : (int64_t)a % (int64_t)b);
        NEXT(4);
    }
    CASE(I64_REM_U)
    {
        uint64_t a = R(2).u64, b = R(3).u64;
        if (ASW_UNLIKELY(b == 0)) TRAP(ASW_TRAP_DIV_ZERO, NULL);
        SET64(1, a % b);
        NEXT(4);
    }
    BIN_I64(I64_AND, a & b)
    BIN_I64(I64_OR, a | b)
    BIN_I64(I64_XOR, a ^ b)
    BIN_I64(I64_SHL, a << (b & 63))
    BIN_I64(I64_SHR_S, (int64_t)a >> (b & 63))
    BIN_I64(I64_SHR_U, a >> (b & 63))
    BIN_I64(I64_ROTL, rotl64(a, b))
    BIN_I64(I64_ROTR, rotr64(a, b))
    BINI_I64(I64_ADD_I, a + b)
    BINI_I64(I64_AND_I, a & b)
    BINI_I64(I64_OR_I, a | b)
    BINI_I64(I64_XOR_I, a ^ b)
    BINI_I64(I64_SHL_I, a << (b & 63))
    BINI_I64(I64_SHR_S_I, (int64_t)a >> (b & 63))
    BINI_I64(I64_SHR_U_I, a >> (b & 63))

    /* ---- floats ---- */
    CMP_F32(F32_EQ, a == b)
    CMP_F32(F32_NE, a != b)
    CMP_F32(F32_LT, a < b)
    CMP_F32(F32_GT, a > b)
    CMP_F32(F32_LE, a <= b)
    CMP_F32(F32_GE, a >= b)
    CMP_F64(F64_EQ, a == b)
    CMP_F64(F64_NE, a != b)
    CMP_F64(F64_LT, a < b)
    CMP_F64(F64_GT, a > b)
    CMP_F64(F64_LE, a <= b)
    CMP_F64(F64_GE, a >= b)
    UN(F32_ABS, uint32_t, u32, SET32, a & 0x7FFFFFFFu)
    UN(F32_NEG, uint32_t, u32, SET32, a ^ 0x80000000u)
    /* Rounding passes NaN payloads through in libm; a + a makes the result an arithmetic NaN. */
    UN(F32_CEIL, float, f32, SETF32, a != a ? a + a : ceilf(a))
    UN(F32_FLOOR, float, f32, SETF32, a != a ? a + a : floorf(a))
    UN(F32_TRUNC, float, f32, SETF32, a != a ? a + a : truncf(a))
    UN(F32_NEAREST, float, f32, SETF32, a != a ? a + a : nearbyintf(a))
    UN(F32_SQRT, float, f32, SETF32, sqrtf(a))
    BIN_F32(F32_ADD, a + b)
    BIN_F32(F32_SUB, a - b)
    BIN_F32(F32_MUL, a * b)
    BIN_F32(F32_DIV, a / b)
    BIN_F32(F32_MIN, f32_min(a, b))
    BIN_F32(F32_MAX, f32_max(a, b))
    CASE(F32_COPYSIGN)
    {
        SET32(1, (R(2).u32 & 0x7FFFFFFFu) | (R(3).u32 & 0x80000000u));
        NEXT(4);
    }
    UN(F64_ABS, uint64_t, u64, SET64, a & 0x7FFFFFFFFFFFFFFFull)
    UN(F64_NEG, uint64_t, u64, SET64, a ^ 0x8000000000000000ull)
    UN(F64_CEIL, double, f64, SETF64, a != a ? a + a : ceil(a))
    UN(F64_FLOOR, double, f64, SETF64, a != a ? a + a : floor(a))
    UN(F64_TRUNC, double, f64, SETF64, a != a ? a + a : trunc(a))
    UN(F64_NEAREST, double, f64, SETF64, a != a ? a + a : nearbyint(a))
    UN(F64_SQRT, double, f64, SETF64, sqrt(a))
    BIN_F64(F64_ADD, a + b)
    BIN_F64(F64_SUB, a - b)
    BIN_F64(F64_MUL, a * b)
    BIN_F64(F64_DIV, a / b)
    BIN_F64(F64_MIN, f64_min(a, b))
    BIN_F64(F64_MAX, f64_max(a, b))
    CASE(F64_COPYSIGN)
    {
        SET64(1, (R(2).u64 & 0x7FFFFFFFFFFFFFFFull) | (R(3).u64 & 0x8000000000000000ull));
        NEXT(4);
    }

#define F64_K(ID, op)                                                                              \
    CASE(ID)                                                                                       \
    {                                                                                              \
        double a = R(2).f64, b = dfrom((uint64_t)OPND(3) | (uint64_t)OPND(4) << 32);               \
        SETF64(1, a op b);                                                                         \
        NEXT(5);                                                                                   \
    }
#define F64_M(ID, op)                                                                              \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)R(3).u32 + OPND(4);                                                \
        if (ASW_UNLIKELY(!mem_ok8(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                    \
        double a = R(2).f64, b;                                                                    \
        memcpy(&b, mem + ea, 8);                                                                   \
        SETF64(1, a op b);                                                                         \
        NEXT(5);                                                                                   \
    }
#define F64_MK(ID, op)                                                                             \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)(uint32_t)(R(3).u32 + OPND(4)) + OPND(5);                          \
        if (ASW_UNLIKELY(!mem_ok8(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                    \
        double a = R(2).f64, b;                                                                    \
        memcpy(&b, mem + ea, 8);                                                                   \
        SETF64(1, a op b);                                                                         \
        NEXT(6);                                                                                   \
    }
    F64_MK(F64_ADD_MK, +)
    F64_MK(F64_SUB_MK, -)
    F64_MK(F64_MUL_MK, *)
#undef F64_MK
#define F64P2(O1, op1, O2, op2)                                                                    \
    CASE(F64P_##O1##_##O2##_L)                                                                     \
    {                                                                                              \
        double t = R(4).f64 op1 R(5).f64;                                                          \
        SETF64(3, t);                                                                              \
        SETF64(1, t op2 R(2).f64);                                                                 \
        NEXT(6);                                                                                   \
    }                                                                                              \
    CASE(F64P_##O1##_##O2##_R)                                                                     \
    {                                                                                              \
        double t = R(4).f64 op1 R(5).f64;                                                          \
        SETF64(3, t);                                                                              \
        SETF64(1, R(2).f64 op2 t);                                                                 \
        NEXT(6);                                                                                   \
    }
#define F64P(O1, op1)                                                                              \
    F64P2(O1, op1, ADD, +)                                                                         \
    F64P2(O1, op1, SUB, -)                                                                         \
    F64P2(O1, op1, MUL, *)                                                                         \
    F64P2(O1, op1, DIV, /)
    F64P(ADD, +)
    F64P(SUB, -)
    F64P(MUL, *)
    F64P(DIV, /)
#undef F64P
#undef F64P2
#define F64_ST(ID, op)                                                                             \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t ea = (uint64_t)R(1).u32 + OPND(4);                                                \
        if (ASW_UNLIKELY(!mem_ok8(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);                    \
        double v = R(2).f64 op R(3).f64;                                                           \
        memcpy(mem + ea, &v, 8);                                                                   \
        NEXT(5);                                                                                   \
    }
    F64_ST(F64_ADD_ST, +)
    F64_ST(F64_SUB_ST, -)
    F64_ST(F64_MUL_ST, *)
#undef F64_ST
    CASE(F64_MULADD_TO)
    {
        uint64_t e1 = (uint64_t)R(3).u32 + OPND(4);
        if (ASW_UNLIKELY(!mem_ok8(e1, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);
        double b, m;
        memcpy(&b, mem + e1, 8);
        double t = R(2).f64 * b;
        SETF64(5, t);
        uint64_t e2 = (uint64_t)R(1).u32 + OPND(6);
        if (ASW_UNLIKELY(!mem_ok8(e2, msize))) {
            pc += 2; /* operand 1's unit: the pc map entry of the second load */
            TRAP(ASW_TRAP_MEMORY_OOB, NULL);
        }
        memcpy(&m, mem + e2, 8);
        m = t + m;
        memcpy(mem + e2, &m, 8);
        NEXT(7);
    }
    CASE(F64_ADD_TO)
    {
        uint64_t ea = (uint64_t)R(1).u32 + OPND(3);
        if (ASW_UNLIKELY(!mem_ok8(ea, msize))) TRAP(ASW_TRAP_MEMORY_OOB, NULL);
        double m;
        memcpy(&m, mem + ea, 8);
        m = R(2).f64 + m;
        memcpy(mem + ea, &m, 8);
        NEXT(4);
    }
    F64_K(F64_ADD_K, +)
    F64_K(F64_SUB_K, -)
    F64_K(F64_MUL_K, *)
    F64_K(F64_DIV_K, /)
    F64_M(F64_ADD_M, +)
    F64_M(F64_SUB_M, -)
    F64_M(F64_MUL_M, *)
#undef F64_K
#undef F64_M

    /* ---- conversions: trapping truncations check NaN first, then the exact open range ---- */
    UN(I32_WRAP_I64, uint64_t, u64, SET32, (uint32_t)a)
#define TRUNC(ID, T, field, lo_ok, hi_ok, SET, CAST)                                               \
    CASE(ID)                                                                                       \
    {                                                                                              \
        T a = R(2).field;                                                                          \
        if (ASW_UNLIKELY(a != a)) TRAP(ASW_TRAP_INVALID_CONVERSION, NULL);                         \
        if (ASW_UNLIKELY(!((lo_ok) && (hi_ok)))) TRAP(ASW_TRAP_INT_OVERFLOW, NULL);                \
        SET(1, CAST a);                                                                            \
        NEXT(3);                                                                                   \
    }
    TRUNC(I32_TRUNC_F32_S, float, f32, a >= -2147483648.0f, a < 2147483648.0f, SET32, (int32_t))
    TRUNC(I32_TRUNC_F32_U, float, f32, a > -1.0f, a < 4294967296.0f, SET32, (uint32_t))
    TRUNC(I32_TRUNC_F64_S, double, f64, a > -2147483649.0, a < 2147483648.0, SET32, (int32_t))
    TRUNC(I32_TRUNC_F64_U, double, f64, a > -1.0, a < 4294967296.0, SET32, (uint32_t))
    TRUNC(I64_TRUNC_F32_S, float, f32, a >= -9223372036854775808.0f, a < 9223372036854775808.0f,
          SET64, (int64_t))
    TRUNC(I64_TRUNC_F32_U, float, f32, a > -1.0f, a < 18446744073709551616.0f, SET64, (uint64_t))
    TRUNC(I64_TRUNC_F64_S, double, f64, a >= -9223372036854775808.0, a < 9223372036854775808.0,
          SET64, (int64_t))
    TRUNC(I64_TRUNC_F64_U, double, f64, a > -1.0, a < 18446744073709551616.0, SET64, (uint64_t))
#undef TRUNC
    UN(I64_EXTEND_I32_S, uint32_t, u32, SET64, (int64_t)(int32_t)a)
    UN(I64_EXTEND_I32_U, uint32_t, u32, SET64, a)
    UN(F32_CONVERT_I32_S, uint32_t, u32, SETF32, (float)(int32_t)a)
    UN(F32_CONVERT_I32_U, uint32_t, u32, SETF32, (float)a)
    UN(F32_CONVERT_I64_S, uint64_t, u64, SETF32, (float)(int64_t)a)
    UN(F32_CONVERT_I64_U, uint64_t, u64, SETF32, (float)a)
    UN(F32_DEMOTE_F64, double, f64, SETF32, (float)a)
    UN(F64_CONVERT_I32_S, uint32_t, u32, SETF64, (double)(int32_t)a)
    UN(F64_CONVERT_I32_U, uint32_t, u32, SETF64, (double)a)
    UN(F64_CONVERT_I64_S, uint64_t, u64, SETF64, (double)(int64_t)a)
    UN(F64_CONVERT_I64_U, uint64_t, u64, SETF64, (double)a)
    UN(F64_PROMOTE_F32, float, f32, SETF64, (double)a)
    UN(I32_EXTEND8_S, uint32_t, u32, SET32, (int32_t)(int8_t)a)
    UN(I32_EXTEND16_S, uint32_t, u32, SET32, (int32_t)(int16_t)a)
    UN(I64_EXTEND8_S, uint64_t, u64, SET64, (int64_t)(int8_t)a)
    UN(I64_EXTEND16_S, uint64_t, u64, SET64, (int64_t)(int16_t)a)
    UN(I64_EXTEND32_S, uint64_t, u64, SET64, (int64_t)(int32_t)a)
    UN(I32_TRUNC_SAT_F32_S, float, f32, SET32, sat_s32(a))
    UN(I32_TRUNC_SAT_F32_U, float, f32, SET32, sat_u32(a))
    UN(I32_TRUNC_SAT_F64_S, double, f64, SET32, sat_s32(a))
    UN(I32_TRUNC_SAT_F64_U, double, f64, SET32, sat_u32(a))
    UN(I64_TRUNC_SAT_F32_S, float, f32, SET64, sat_s64(a))
    UN(I64_TRUNC_SAT_F32_U, float, f32, SET64, sat_u64(a))
    UN(I64_TRUNC_SAT_F64_S, double, f64, SET64, sat_s64(a))
    UN(I64_TRUNC_SAT_F64_U, double, f64, SET64, sat_u64(a))

#if ASW_SWITCH_DISPATCH
    default: TRAP(ASW_TRAP_UNREACHABLE, "internal error: bad operation");
    }
#endif
}

int asw__interp_run(asw__exec_t *exec)
{
    ASW_ASSERT(exec != NULL && exec->fn != NULL);
    return run(exec, NULL);
}

const void *const *asw__interp_handlers(void)
{
    const void *const *t = NULL;
    run(NULL, &t);
    return t;
}
