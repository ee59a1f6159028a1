/*
 * src/wasm/iops.h -- the one table of the interpreter's internal operations: number, length in
 * code units, the wasm instruction it implements one-to-one (if any), how the compiler handles
 * it, its immediate-operand twin, and a one-line meaning (Lua's lopcodes.h, wasm3's operation
 * table).
 *
 * Internal code is an array of 32-bit units (asw__code_t). An operation is its handler unit
 * followed by operand units (see the layout diagram at the top of interp.c); the UNITS column
 * counts the compiler's one-unit handler, which linking widens to two (a label address).
 * Operand letters in the meanings below: d = destination slot, a/b/c/v/n/i = source slots (cell
 * indices relative to the frame pointer), K = a 32-bit immediate, K64 = two units (low, high),
 * off = memarg offset, rel = signed branch distance in units from the operation's first unit,
 * g/t/seg/f/ty = global, table, segment, function and type indices, P = a pointer in two units
 * (low, high).
 *
 * The _K stores take the stored value as an immediate; the _AK loads/stores fold an i32.add of
 * an immediate into the access (the add still wraps at 32 bits before off is added in 64 bits).
 *
 * Columns: X(ID, UNITS, WASM, KIND, IMM_TWIN, "meaning")
 *   UNITS: length in units (BR_TABLE: 0, its length is 3 + count + 1; BR_TABLE_K: 4 + count + 1;
 *          BR_TABLE_LSK: 8 + count + 1; BR_TABLE_ALSK: 11 + count + 1)
 *   WASM:  the wasm opcode compiled to this operation by the generic handler (0xFC sub-opcodes
 *          as 0x100 + sub), or -1 when compile.c emits it by hand
 *   KIND:  UN (d a), BIN (d a b), BINI (d a K), CTL (anything compiled by hand)
 *   IMM_TWIN: for BIN operations, the BINI operation used when b is a constant (NOP: none)
 */
#ifndef ASW_WASM_IOPS_H
#define ASW_WASM_IOPS_H

#include <stdint.h>

#define ASW_IOPS(X)                                                                                \
    /* ---- control ---- */                                                                        \
    X(NOP, 1, -1, CTL, NOP, "nothing (never emitted; marks 'no immediate twin' in this table)")    \
    X(UNREACHABLE, 1, 0x00, CTL, NOP, "trap \"unreachable\"")                                      \
    X(FUEL, 2, -1, CTL, NOP, "checkpoint: charge K fuel, stop on fuel exhaustion or interrupt")    \
    X(BR, 2, -1, CTL, NOP, "pc += rel")                                                            \
    X(BR_IF, 3, -1, CTL, NOP, "c rel: if c.i32 != 0, pc += rel")                                   \
    X(BR_UNLESS, 3, -1, CTL, NOP, "c rel: if c.i32 == 0, pc += rel")                               \
    X(BR_TABLE, 0, -1, CTL, NOP, "i n rel[0..n]: pc += rel[min(i.u32, n)]")                        \
    X(BR_TABLE_K, 0, -1, CTL, NOP, "i K n rel[0..n]: BR_TABLE on u32(i + K) (a folded i32.add)")   \
    X(BR_TABLE_LSK, 0, -1, CTL, NOP,                                                               \
      "d a S K off K2 n rel[0..n]: d = u32 at u32((a << S) + K) + off; BR_TABLE on u32(d + K2)")   \
    X(BR_TABLE_ALSK, 0, -1, CTL, NOP,                                                              \
      "d2 a2 K2 d a S K off K3 n rel[0..n]: d2 = a2 + K2, then BR_TABLE_LSK")                      \
    X(BR_EQ, 4, -1, CTL, NOP, "a b rel: if a.i32 == b.i32, pc += rel")                             \
    X(BR_NE, 4, -1, CTL, NOP, "a b rel: if a.i32 != b.i32, pc += rel")                             \
    X(BR_LT_S, 4, -1, CTL, NOP, "a b rel: if a.s32 < b.s32, pc += rel")                            \
    X(BR_LT_U, 4, -1, CTL, NOP, "a b rel: if a.u32 < b.u32, pc += rel")                            \
    X(BR_GT_S, 4, -1, CTL, NOP, "a b rel: if a.s32 > b.s32, pc += rel")                            \
    X(BR_GT_U, 4, -1, CTL, NOP, "a b rel: if a.u32 > b.u32, pc += rel")                            \
    X(BR_LE_S, 4, -1, CTL, NOP, "a b rel: if a.s32 <= b.s32, pc += rel")                           \
    X(BR_LE_U, 4, -1, CTL, NOP, "a b rel: if a.u32 <= b.u32, pc += rel")                           \
    X(BR_GE_S, 4, -1, CTL, NOP, "a b rel: if a.s32 >= b.s32, pc += rel")                           \
    X(BR_GE_U, 4, -1, CTL, NOP, "a b rel: if a.u32 >= b.u32, pc += rel")                           \
    X(BR_EQ_I, 4, -1, CTL, NOP, "a K rel: if a.i32 == K, pc += rel")                               \
    X(BR_NE_I, 4, -1, CTL, NOP, "a K rel: if a.i32 != K, pc += rel")                               \
    X(BR_LT_S_I, 4, -1, CTL, NOP, "a K rel: if a.s32 < K, pc += rel")                              \
    X(BR_LT_U_I, 4, -1, CTL, NOP, "a K rel: if a.u32 < K, pc += rel")                              \
    X(BR_GT_S_I, 4, -1, CTL, NOP, "a K rel: if a.s32 > K, pc += rel")                              \
    X(BR_GT_U_I, 4, -1, CTL, NOP, "a K rel: if a.u32 > K, pc += rel")                              \
    X(BR_LE_S_I, 4, -1, CTL, NOP, "a K rel: if a.s32 <= K, pc += rel")                             \
    X(BR_LE_U_I, 4, -1, CTL, NOP, "a K rel: if a.u32 <= K, pc += rel")                             \
    X(BR_GE_S_I, 4, -1, CTL, NOP, "a K rel: if a.s32 >= K, pc += rel")                             \
    X(BR_GE_U_I, 4, -1, CTL, NOP, "a K rel: if a.u32 >= K, pc += rel")                             \
    /* backward branches to a loop header: charge the header's FUEL and skip it */                 \
    X(BR_B, 2, -1, CTL, NOP, "BR to a loop header")                                                \
    X(BR_IF_B, 3, -1, CTL, NOP, "BR_IF to a loop header")                                          \
    X(BR_UNLESS_B, 3, -1, CTL, NOP, "BR_UNLESS to a loop header")                                  \
    X(BR_EQ_B, 4, -1, CTL, NOP, "BR_EQ to a loop header")                                          \
    X(BR_NE_B, 4, -1, CTL, NOP, "BR_NE to a loop header")                                          \
    X(BR_LT_S_B, 4, -1, CTL, NOP, "BR_LT_S to a loop header")                                      \
    X(BR_LT_U_B, 4, -1, CTL, NOP, "BR_LT_U to a loop header")                                      \
    X(BR_GT_S_B, 4, -1, CTL, NOP, "BR_GT_S to a loop header")                                      \
    X(BR_GT_U_B, 4, -1, CTL, NOP, "BR_GT_U to a loop header")                                      \
    X(BR_LE_S_B, 4, -1, CTL, NOP, "BR_LE_S to a loop header")                                      \
    X(BR_LE_U_B, 4, -1, CTL, NOP, "BR_LE_U to a loop header")                                      \
    X(BR_GE_S_B, 4, -1, CTL, NOP, "BR_GE_S to a loop header")                                      \
    X(BR_GE_U_B, 4, -1, CTL, NOP, "BR_GE_U to a loop header")                                      \
    X(BR_EQ_I_B, 4, -1, CTL, NOP, "BR_EQ_I to a loop header")                                      \
    X(BR_NE_I_B, 4, -1, CTL, NOP, "BR_NE_I to a loop header")                                      \
    X(BR_LT_S_I_B, 4, -1, CTL, NOP, "BR_LT_S_I to a loop header")                                  \
    X(BR_LT_U_I_B, 4, -1, CTL, NOP, "BR_LT_U_I to a loop header")                                  \
    X(BR_GT_S_I_B, 4, -1, CTL, NOP, "BR_GT_S_I to a loop header")                                  \
    X(BR_GT_U_I_B, 4, -1, CTL, NOP, "BR_GT_U_I to a loop header")                                  \
    X(BR_LE_S_I_B, 4, -1, CTL, NOP, "BR_LE_S_I to a loop header")                                  \
    X(BR_LE_U_I_B, 4, -1, CTL, NOP, "BR_LE_U_I to a loop header")                                  \
    X(BR_GE_S_I_B, 4, -1, CTL, NOP, "BR_GE_S_I to a loop header")                                  \
    X(BR_GE_U_I_B, 4, -1, CTL, NOP, "BR_GE_U_I to a loop header")                                  \
    /* an i32.add (immediate or register) fused with the loop back-edge that tests its result */   \
    ASW__IOPS_INC_BR(X, EQ)                                                                        \
    ASW__IOPS_INC_BR(X, NE)                                                                        \
    ASW__IOPS_INC_BR(X, LT_S)                                                                      \
    ASW__IOPS_INC_BR(X, LT_U)                                                                      \
    ASW__IOPS_INC_BR(X, GT_S)                                                                      \
    ASW__IOPS_INC_BR(X, GT_U)                                                                      \
    ASW__IOPS_INC_BR(X, LE_S)                                                                      \
    ASW__IOPS_INC_BR(X, LE_U)                                                                      \
    ASW__IOPS_INC_BR(X, GE_S)                                                                      \
    ASW__IOPS_INC_BR(X, GE_U)                                                                      \
    X(I32_ADD_I_BR, 5, -1, CTL, NOP, "d a K rel: d = a + K; pc += rel (a forward jump)")           \
    X(I32_ADD_I_BR_B, 5, -1, CTL, NOP, "d a K rel: d = a + K; BR_B (an increment ending a loop)")  \
    X(I32_AND_I_BR_B, 5, -1, CTL, NOP, "d a K rel: d = a & K; BR_B (a mask ending a loop)")        \
    X(RET, 1, -1, CTL, NOP, "return; results already in slots 0..nresults")                        \
    X(RET1, 2, -1, CTL, NOP, "a: slot 0 = a, return")                                              \
    X(CALL, 3, -1, CTL, NOP, "f base: call function f with args/results at slots base..")          \
    X(CALL_LOCAL, 4, -1, CTL, NOP, "P base: CALL of a function defined in this module (P: code)")  \
    X(CALL_INDIRECT, 5, -1, CTL, NOP, "ty t base i: call table t[i.u32], checked against type ty") \
    /* ---- moves, constants, variables ---- */                                                    \
    X(MOV, 3, -1, CTL, NOP, "d a: d = a (whole cell)")                                             \
    X(MOV2, 5, -1, CTL, NOP, "d a d2 a2: d2 = a2, then d = a (two moves)")                         \
    X(CONST32, 3, -1, CTL, NOP, "d K: d = zero-extended K")                                        \
    X(CONST64, 4, -1, CTL, NOP, "d K64: d = K64")                                                  \
    X(SELECT, 5, -1, CTL, NOP, "d a b c: d = c.i32 ? a : b")                                       \
    X(SELECT_AK, 6, -1, CTL, NOP, "d K64 b c: d = c.i32 ? K64 : b (a constant a)")                 \
    X(SELECT_BK, 6, -1, CTL, NOP, "d a K64 c: d = c.i32 ? a : K64 (a constant b)")                 \
    X(GLOBAL_GET, 3, -1, CTL, NOP, "d g: d = global g")                                            \
    X(GLOBAL_SET, 3, -1, CTL, NOP, "g a: global g = a")                                            \
    /* ---- memory: effective address = a.u32 + off in 64 bits, checked against size ---- */       \
    X(I32_LOAD, 4, -1, CTL, NOP, "d a off: d = u32 at ea (also f32.load)")                         \
    X(I64_LOAD, 4, -1, CTL, NOP, "d a off: d = u64 at ea (also f64.load)")                         \
    X(I32_LOAD8_S, 4, -1, CTL, NOP, "d a off: d = (i32)(int8) at ea")                              \
    X(I32_LOAD8_U, 4, -1, CTL, NOP, "d a off: d = (i32)(uint8) at ea")                             \
    X(I32_LOAD16_S, 4, -1, CTL, NOP, "d a off: d = (i32)(int16) at ea")                            \
    X(I32_LOAD16_U, 4, -1, CTL, NOP, "d a off: d = (i32)(uint16) at ea")                           \
    X(I64_LOAD8_S, 4, -1, CTL, NOP, "d a off: d = (i64)(int8) at ea")                              \
    X(I64_LOAD8_U, 4, -1, CTL, NOP, "d a off: d = (i64)(uint8) at ea")                             \
    X(I64_LOAD16_S, 4, -1, CTL, NOP, "d a off: d = (i64)(int16) at ea")                            \
    X(I64_LOAD16_U, 4, -1, CTL, NOP, "d a off: d = (i64)(uint16) at ea")                           \
    X(I64_LOAD32_S, 4, -1, CTL, NOP, "d a off: d = (i64)(int32) at ea")                            \
    X(I64_LOAD32_U, 4, -1, CTL, NOP, "d a off: d = (i64)(uint32) at ea")                           \
    X(STORE8, 4, -1, CTL, NOP, "a v off: byte at ea = low 8 bits of v")                            \
    X(STORE16, 4, -1, CTL, NOP, "a v off: 2 bytes at ea = low 16 bits of v")                       \
    X(STORE32, 4, -1, CTL, NOP, "a v off: 4 bytes at ea = low 32 bits of v")                       \
    X(STORE64, 4, -1, CTL, NOP, "a v off: 8 bytes at ea = v")                                      \
    X(I32_ADD_ST, 5, -1, CTL, NOP, "p a b off: 4 bytes at p.u32 + off = a + b (folded)")           \
    X(I32_SUB_ST, 5, -1, CTL, NOP, "p a b off: 4 bytes at p.u32 + off = a - b (folded)")           \
    X(I32_MUL_ST, 5, -1, CTL, NOP, "p a b off: 4 bytes at p.u32 + off = a * b (folded)")           \
    X(I32_AND_ST, 5, -1, CTL, NOP, "p a b off: 4 bytes at p.u32 + off = a & b (folded)")           \
    X(I32_OR_ST, 5, -1, CTL, NOP, "p a b off: 4 bytes at p.u32 + off = a | b (folded)")            \
    X(I32_XOR_ST, 5, -1, CTL, NOP, "p a b off: 4 bytes at p.u32 + off = a ^ b (folded)")           \
    X(STORE8_K, 4, -1, CTL, NOP, "a K off: byte at ea = low 8 bits of K")                          \
    X(STORE16_K, 4, -1, CTL, NOP, "a K off: 2 bytes at ea = low 16 bits of K")                     \
    X(STORE32_K, 4, -1, CTL, NOP, "a K off: 4 bytes at ea = K")                                    \
    X(STORE64_K, 4, -1, CTL, NOP, "a K off: 8 bytes at ea = sign-extended K")                      \
    X(I32_LOAD_AK, 5, -1, CTL, NOP, "d a K off: d = u32 at (a.u32 + K) mod 2^32 + off (also f32)") \
    X(I64_LOAD_AK, 5, -1, CTL, NOP, "d a K off: d = u64 at (a.u32 + K) mod 2^32 + off (also f64)") \
    X(I32_LOAD8_U_AK, 5, -1, CTL, NOP, "d a K off: d = u8 at u32(a + K) + off")                    \
    X(STORE32_AK, 5, -1, CTL, NOP, "a K v off: 4 bytes at (a.u32 + K) mod 2^32 + off = v")         \
    X(STORE64_AK, 5, -1, CTL, NOP, "a K v off: 8 bytes at (a.u32 + K) mod 2^32 + off = v")         \
    X(I32_LOAD_AB, 5, -1, CTL, NOP, "d a b off: d = u32 at u32(a + b) + off (also f32)")           \
    X(I64_LOAD_AB, 5, -1, CTL, NOP, "d a b off: d = u64 at u32(a + b) + off (also f64)")           \
    X(I32_LOAD8_U_AB, 5, -1, CTL, NOP, "d a b off: d = u8 at (a.u32 + b.u32) mod 2^32 + off")      \
    X(STORE8_K_AB, 5, -1, CTL, NOP, "a b K off: byte at (a.u32 + b.u32) mod 2^32 + off = K")       \
    X(I32_LOAD_ASH, 6, -1, CTL, NOP, "d a b S off: d = u32 at u32(a + (b << S)) + off (also f32)") \
    X(I64_LOAD_ASH, 6, -1, CTL, NOP, "d a b S off: d = u64 at u32(a + (b << S)) + off (also f64)") \
    X(I32_LOAD_SK, 6, -1, CTL, NOP, "d a S K off: d = u32 at u32((a << S) + K) + off (also f32)")  \
    X(I64_LOAD_SK, 6, -1, CTL, NOP, "d a S K off: d = u64 at u32((a << S) + K) + off (also f64)")  \
    X(MEMORY_SIZE, 2, -1, CTL, NOP, "d: d = memory size in pages")                                 \
    X(MEMORY_GROW, 3, -1, CTL, NOP, "d a: d = old pages, or -1 when the grow fails")               \
    X(MEMORY_FILL, 4, -1, CTL, NOP, "d v n: fill n bytes at d with v (checked first)")             \
    X(MEMORY_COPY, 4, -1, CTL, NOP, "d s n: move n bytes from s to d (checked first)")             \
    X(MEMORY_INIT, 5, -1, CTL, NOP, "seg d s n: copy data segment seg[s..s+n) to d")               \
    X(DATA_DROP, 2, -1, CTL, NOP, "seg: drop data segment seg")                                    \
    /* ---- tables and references ---- */                                                          \
    X(TABLE_GET, 4, -1, CTL, NOP, "d t i: d = table t[i]")                                         \
    X(TABLE_SET, 4, -1, CTL, NOP, "t i v: table t[i] = v")                                         \
    X(TABLE_SIZE, 3, -1, CTL, NOP, "d t: d = size of table t")                                     \
    X(TABLE_GROW, 5, -1, CTL, NOP, "d t v n: grow t by n filled with v; d = old size or -1")       \
    X(TABLE_FILL, 5, -1, CTL, NOP, "t i v n: t[i..i+n) = v (checked first)")                       \
    X(TABLE_COPY, 6, -1, CTL, NOP, "dt st d s n: dt[d..d+n) = st[s..s+n) (checked first)")         \
    X(TABLE_INIT, 6, -1, CTL, NOP, "t seg d s n: t[d..d+n) = elem segment seg[s..s+n)")            \
    X(ELEM_DROP, 2, -1, CTL, NOP, "seg: drop element segment seg")                                 \
    X(REF_FUNC, 3, -1, CTL, NOP, "d f: d = reference to function f")                               \
    X(REF_IS_NULL, 3, 0xD1, UN, NOP, "d a: d = a.ref == NULL")                                     \
    /* ---- i32 ---- */                                                                            \
    X(I32_EQZ, 3, 0x45, UN, NOP, "d a: d = a == 0")                                                \
    X(I32_EQ, 4, 0x46, BIN, I32_EQ_I, "d a b: d = a == b")                                         \
    X(I32_NE, 4, 0x47, BIN, I32_NE_I, "d a b: d = a != b")                                         \
    X(I32_LT_S, 4, 0x48, BIN, I32_LT_S_I, "d a b: d = a < b (signed)")                             \
    X(I32_LT_U, 4, 0x49, BIN, I32_LT_U_I, "d a b: d = a < b (unsigned)")                           \
    X(I32_GT_S, 4, 0x4A, BIN, I32_GT_S_I, "d a b: d = a > b (signed)")                             \
    X(I32_GT_U, 4, 0x4B, BIN, I32_GT_U_I, "d a b: d = a > b (unsigned)")                           \
    X(I32_LE_S, 4, 0x4C, BIN, I32_LE_S_I, "d a b: d = a <= b (signed)")                            \
    X(I32_LE_U, 4, 0x4D, BIN, I32_LE_U_I, "d a b: d = a <= b (unsigned)")                          \
    X(I32_GE_S, 4, 0x4E, BIN, I32_GE_S_I, "d a b: d = a >= b (signed)")                            \
    X(I32_GE_U, 4, 0x4F, BIN, I32_GE_U_I, "d a b: d = a >= b (unsigned)")                          \
    X(I32_CLZ, 3, 0x67, UN, NOP, "d a: d = leading zero bits of a")                                \
    X(I32_CTZ, 3, 0x68, UN, NOP, "d a: d = trailing zero bits of a")                               \
    X(I32_POPCNT, 3, 0x69, UN, NOP, "d a: d = one bits of a")                                      \
    X(I32_ADD, 4, 0x6A, BIN, I32_ADD_I, "d a b: d = a + b")                                        \
    X(I32_SUB, 4, 0x6B, BIN, NOP, "d a b: d = a - b (constant b: I32_ADD_I of -b)")                \
    X(I32_MUL, 4, 0x6C, BIN, I32_MUL_I, "d a b: d = a * b")                                        \
    X(I32_DIV_S, 4, 0x6D, BIN, NOP, "d a b: d = a / b (signed; traps on 0 and overflow)")          \
    X(I32_DIV_U, 4, 0x6E, BIN, NOP, "d a b: d = a / b (unsigned; traps on 0)")                     \
    X(I32_REM_S, 4, 0x6F, BIN, NOP, "d a b: d = a % b (signed; traps on 0)")                       \
    X(I32_REM_U, 4, 0x70, BIN, NOP, "d a b: d = a % b (unsigned; traps on 0)")                     \
    X(I32_AND, 4, 0x71, BIN, I32_AND_I, "d a b: d = a & b")                                        \
    X(I32_OR, 4, 0x72, BIN, I32_OR_I, "d a b: d = a | b")                                          \
    X(I32_XOR, 4, 0x73, BIN, I32_XOR_I, "d a b: d = a ^ b")                                        \
    X(I32_SHL, 4, 0x74, BIN, I32_SHL_I, "d a b: d = a << (b & 31)")                                \
    X(I32_SHR_S, 4, 0x75, BIN, I32_SHR_S_I, "d a b: d = a >> (b & 31) (arithmetic)")               \
    X(I32_SHR_U, 4, 0x76, BIN, I32_SHR_U_I, "d a b: d = a >> (b & 31) (logical)")                  \
    X(I32_ROTL, 4, 0x77, BIN, I32_ROTL_I, "d a b: d = a rotated left by b & 31")                   \
    X(I32_ROTR, 4, 0x78, BIN, I32_ROTR_I, "d a b: d = a rotated right by b & 31")                  \
    X(I32_EQ_I, 4, -1, BINI, NOP, "d a K: d = a == K")                                             \
    X(I32_NE_I, 4, -1, BINI, NOP, "d a K: d = a != K")                                             \
    X(I32_LT_S_I, 4, -1, BINI, NOP, "d a K: d = a < K (signed)")                                   \
    X(I32_LT_U_I, 4, -1, BINI, NOP, "d a K: d = a < K (unsigned)")                                 \
    X(I32_GT_S_I, 4, -1, BINI, NOP, "d a K: d = a > K (signed)")                                   \
    X(I32_GT_U_I, 4, -1, BINI, NOP, "d a K: d = a > K (unsigned)")                                 \
    X(I32_LE_S_I, 4, -1, BINI, NOP, "d a K: d = a <= K (signed)")                                  \
    X(I32_LE_U_I, 4, -1, BINI, NOP, "d a K: d = a <= K (unsigned)")                                \
    X(I32_GE_S_I, 4, -1, BINI, NOP, "d a K: d = a >= K (signed)")                                  \
    X(I32_GE_U_I, 4, -1, BINI, NOP, "d a K: d = a >= K (unsigned)")                                \
    X(I32_ADD_I, 4, -1, BINI, NOP, "d a K: d = a + K")                                             \
    X(I32_MUL_I, 4, -1, BINI, NOP, "d a K: d = a * K")                                             \
    X(I32_AND_I, 4, -1, BINI, NOP, "d a K: d = a & K")                                             \
    X(I32_OR_I, 4, -1, BINI, NOP, "d a K: d = a | K")                                              \
    X(I32_XOR_I, 4, -1, BINI, NOP, "d a K: d = a ^ K")                                             \
    X(I32_SHL_I, 4, -1, BINI, NOP, "d a K: d = a << (K & 31)")                                     \
    X(I32_SHR_S_I, 4, -1, BINI, NOP, "d a K: d = a >> (K & 31) (arithmetic)")                      \
    X(I32_SHR_U_I, 4, -1, BINI, NOP, "d a K: d = a >> (K & 31) (logical)")                         \
    X(I32_ROTL_I, 4, -1, BINI, NOP, "d a K: d = a rotated left by K & 31")                         \
    X(I32_ROTR_I, 4, -1, BINI, NOP, "d a K: d = a rotated right by K & 31")                        \
    X(I32_ADD_SHL, 5, -1, CTL, NOP, "d a b K: d = a + (b << (K & 31)) (a folded i32.shl)")         \
    X(I32_XOR_ROTL, 5, -1, CTL, NOP,                                                               \
      "d a b K: d = a ^ (b rotated left by K & 31) (a folded rotl)")                               \
    X(I32_SHL_ADD_I, 5, -1, CTL, NOP, "d a S K: d = (a << (S & 31)) + K (a folded i32.shl)")       \
    X(I32_ADD_I2, 7, -1, CTL, NOP, "d a K d2 a2 K2: d2 = a2 + K2, then d = a + K (two adds)")      \
    X(I32_XOR_SHRU, 5, -1, CTL, NOP, "d a b K: d = a ^ (b >> (K & 31)) (folded shr_u)")            \
    X(I32_MUL_ADD_I, 5, -1, CTL, NOP, "d a K1 K2: d = a * K1 + K2 (a folded i32.mul)")             \
    X(I32_ROTX2_SHR, 6, -1, CTL, NOP, "d x K1 K2 S: d = rotl(x,K1) ^ rotl(x,K2) ^ (x >> S)")       \
    X(I32_ADD_SHL_K, 6, -1, CTL, NOP, "d a b S K: d = a + (b << (S & 31)) + K (a folded add)")     \
    X(I32_ROTX2, 5, -1, CTL, NOP, "d x K1 K2: d = rotl(x, K1) ^ rotl(x, K2)")                      \
    X(I32_ROTX3, 6, -1, CTL, NOP, "d x K1 K2 K3: d = rotl(x, K1) ^ rotl(x, K2) ^ rotl(x, K3)")     \
    /* two i32 operations, the second using the first's result t (also written to d1) */           \
    ASW__IOPS_I32P(X, ADD)                                                                         \
    ASW__IOPS_I32P(X, SUB)                                                                         \
    ASW__IOPS_I32P(X, AND)                                                                         \
    ASW__IOPS_I32P(X, OR)                                                                          \
    ASW__IOPS_I32P(X, XOR)                                                                         \
    /* ---- i64 ---- */                                                                            \
    X(I64_EQZ, 3, 0x50, UN, NOP, "d a: d = a == 0")                                                \
    X(I64_EQ, 4, 0x51, BIN, NOP, "d a b: d = a == b")                                              \
    X(I64_NE, 4, 0x52, BIN, NOP, "d a b: d = a != b")                                              \
    X(I64_LT_S, 4, 0x53, BIN, NOP, "d a b: d = a < b (signed)")                                    \
    X(I64_LT_U, 4, 0x54, BIN, NOP, "d a b: d = a < b (unsigned)")                                  \
    X(I64_GT_S, 4, 0x55, BIN, NOP, "d a b: d = a > b (signed)")                                    \
    X(I64_GT_U, 4, 0x56, BIN, NOP, "d a b: d = a > b (unsigned)")                                  \
    X(I64_LE_S, 4, 0x57, BIN, NOP, "d a b: d = a <= b (signed)")                                   \
    X(I64_LE_U, 4, 0x58, BIN, NOP, "d a b: d = a <= b (unsigned)")                                 \
    X(I64_GE_S, 4, 0x59, BIN, NOP, "d a b: d = a >= b (signed)")                                   \
    X(I64_GE_U, 4, 0x5A, BIN, NOP, "d a b: d = a >= b (unsigned)")                                 \
    X(I64_CLZ, 3, 0x79, UN, NOP, "d a: d = leading zero bits of a")                                \
    X(I64_CTZ, 3, 0x7A, UN, NOP, "d a: d = trailing zero bits of a")                               \
    X(I64_POPCNT, 3, 0x7B, UN, NOP, "d a: d = one bits of a")                                      \
    X(I64_ADD, 4, 0x7C, BIN, I64_ADD_I, "d a b: d = a + b")                                        \
    X(I64_SUB, 4, 0x7D, BIN, NOP, "d a b: d = a - b")                                              \
    X(I64_MUL, 4, 0x7E, BIN, NOP, "d a b: d = a * b")                                              \
    X(I64_DIV_S, 4, 0x7F, BIN, NOP, "d a b: d = a / b (signed; traps on 0 and overflow)")          \
    X(I64_DIV_U, 4, 0x80, BIN, NOP, "d a b: d = a / b (unsigned; traps on 0)")                     \
    X(I64_REM_S, 4, 0x81, BIN, NOP, "d a b: d = a % b (signed; traps on 0)")                       \
    X(I64_REM_U, 4, 0x82, BIN, NOP, "d a b: d = a % b (unsigned; traps on 0)")                     \
    X(I64_AND, 4, 0x83, BIN, I64_AND_I, "d a b: d = a & b")                                        \
    X(I64_OR, 4, 0x84, BIN, I64_OR_I, "d a b: d = a | b")                                          \
    X(I64_XOR, 4, 0x85, BIN, I64_XOR_I, "d a b: d = a ^ b")                                        \
    X(I64_SHL, 4, 0x86, BIN, I64_SHL_I, "d a b: d = a << (b & 63)")                                \
    X(I64_SHR_S, 4, 0x87, BIN, I64_SHR_S_I, "d a b: d = a >> (b & 63) (arithmetic)")               \
    X(I64_SHR_U, 4, 0x88, BIN, I64_SHR_U_I, "d a b: d = a >> (b & 63) (logical)")                  \
    X(I64_ROTL, 4, 0x89, BIN, NOP, "d a b: d = a rotated left by b & 63")                          \
    X(I64_ROTR, 4, 0x8A, BIN, NOP, "d a b: d = a rotated right by b & 63")                         \
    X(I64_ADD_I, 4, -1, BINI, NOP, "d a K: d = a + sign-extended K")                               \
    X(I64_AND_I, 4, -1, BINI, NOP, "d a K: d = a & sign-extended K")                               \
    X(I64_OR_I, 4, -1, BINI, NOP, "d a K: d = a | sign-extended K")                                \
    X(I64_XOR_I, 4, -1, BINI, NOP, "d a K: d = a ^ sign-extended K")                               \
    X(I64_SHL_I, 4, -1, BINI, NOP, "d a K: d = a << (K & 63)")                                     \
    X(I64_SHR_S_I, 4, -1, BINI, NOP, "d a K: d = a >> (K & 63) (arithmetic)")                      \
    X(I64_SHR_U_I, 4, -1, BINI, NOP, "d a K: d = a >> (K & 63) (logical)")                         \
    /* ---- f32 / f64 comparisons ---- */                                                          \
    X(F32_EQ, 4, 0x5B, BIN, NOP, "d a b: d = a == b")                                              \
    X(F32_NE, 4, 0x5C, BIN, NOP, "d a b: d = a != b")                                              \
    X(F32_LT, 4, 0x5D, BIN, NOP, "d a b: d = a < b")                                               \
    X(F32_GT, 4, 0x5E, BIN, NOP, "d a b: d = a > b")                                               \
    X(F32_LE, 4, 0x5F, BIN, NOP, "d a b: d = a <= b")                                              \
    X(F32_GE, 4, 0x60, BIN, NOP, "d a b: d = a >= b")                                              \
    X(F64_EQ, 4, 0x61, BIN, NOP, "d a b: d = a == b")                                              \
    X(F64_NE, 4, 0x62, BIN, NOP, "d a b: d = a != b")                                              \
    X(F64_LT, 4, 0x63, BIN, NOP, "d a b: d = a < b")                                               \
    X(F64_GT, 4, 0x64, BIN, NOP, "d a b: d = a > b")                                               \
    X(F64_LE, 4, 0x65, BIN, NOP, "d a b: d = a <= b")                                              \
    X(F64_GE, 4, 0x66, BIN, NOP, "d a b: d = a >= b")                                              \
    /* ---- f32 arithmetic ---- */                                                                 \
    X(F32_ABS, 3, 0x8B, UN, NOP, "d a: d = a with the sign bit cleared")                           \
    X(F32_NEG, 3, 0x8C, UN, NOP, "d a: d = a with the sign bit flipped")                           \
    X(F32_CEIL, 3, 0x8D, UN, NOP, "d a: d = ceil(a)")                                              \
    X(F32_FLOOR, 3, 0x8E, UN, NOP, "d a: d = floor(a)")                                            \
    X(F32_TRUNC, 3, 0x8F, UN, NOP, "d a: d = trunc(a)")                                            \
    X(F32_NEAREST, 3, 0x90, UN, NOP, "d a: d = a rounded half to even")                            \
    X(F32_SQRT, 3, 0x91, UN, NOP, "d a: d = sqrt(a)")                                              \
    X(F32_ADD, 4, 0x92, BIN, NOP, "d a b: d = a + b")                                              \
    X(F32_SUB, 4, 0x93, BIN, NOP, "d a b: d = a - b")                                              \
    X(F32_MUL, 4, 0x94, BIN, NOP, "d a b: d = a * b")                                              \
    X(F32_DIV, 4, 0x95, BIN, NOP, "d a b: d = a / b")                                              \
    X(F32_MIN, 4, 0x96, BIN, NOP, "d a b: d = min(a, b) (NaN if either is; -0 < +0)")              \
    X(F32_MAX, 4, 0x97, BIN, NOP, "d a b: d = max(a, b) (NaN if either is; -0 < +0)")              \
    X(F32_COPYSIGN, 4, 0x98, BIN, NOP, "d a b: d = a with the sign bit of b")                      \
    /* ---- f64 arithmetic ---- */                                                                 \
    X(F64_ABS, 3, 0x99, UN, NOP, "d a: d = a with the sign bit cleared")                           \
    X(F64_NEG, 3, 0x9A, UN, NOP, "d a: d = a with the sign bit flipped")                           \
    X(F64_CEIL, 3, 0x9B, UN, NOP, "d a: d = ceil(a)")                                              \
    X(F64_FLOOR, 3, 0x9C, UN, NOP, "d a: d = floor(a)")                                            \
    X(F64_TRUNC, 3, 0x9D, UN, NOP, "d a: d = trunc(a)")                                            \
    X(F64_NEAREST, 3, 0x9E, UN, NOP, "d a: d = a rounded half to even")                            \
    X(F64_SQRT, 3, 0x9F, UN, NOP, "d a: d = sqrt(a)")                                              \
    X(F64_ADD, 4, 0xA0, BIN, NOP, "d a b: d = a + b")                                              \
    X(F64_SUB, 4, 0xA1, BIN, NOP, "d a b: d = a - b")                                              \
    X(F64_MUL, 4, 0xA2, BIN, NOP, "d a b: d = a * b")                                              \
    X(F64_DIV, 4, 0xA3, BIN, NOP, "d a b: d = a / b")                                              \
    X(F64_MIN, 4, 0xA4, BIN, NOP, "d a b: d = min(a, b) (NaN if either is; -0 < +0)")              \
    X(F64_MAX, 4, 0xA5, BIN, NOP, "d a b: d = max(a, b) (NaN if either is; -0 < +0)")              \
    X(F64_COPYSIGN, 4, 0xA6, BIN, NOP, "d a b: d = a with the sign bit of b")                      \
    X(F64_ADD_K, 5, -1, CTL, NOP, "d a K64: d = a + K64")                                          \
    X(F64_SUB_K, 5, -1, CTL, NOP, "d a K64: d = a - K64")                                          \
    X(F64_MUL_K, 5, -1, CTL, NOP, "d a K64: d = a * K64")                                          \
    X(F64_DIV_K, 5, -1, CTL, NOP, "d a K64: d = a / K64")                                          \
    X(F64_ADD_M, 5, -1, CTL, NOP, "d a p off: d = a + f64 at p.u32 + off (a folded load)")         \
    X(F64_SUB_M, 5, -1, CTL, NOP, "d a p off: d = a - f64 at p.u32 + off (a folded load)")         \
    X(F64_MUL_M, 5, -1, CTL, NOP, "d a p off: d = a * f64 at p.u32 + off (a folded load)")         \
    X(F64_ADD_MK, 6, -1, CTL, NOP, "d a p K off: d = a + f64 at u32(p + K) + off (folded load)")   \
    X(F64_SUB_MK, 6, -1, CTL, NOP, "d a p K off: d = a - f64 at u32(p + K) + off (folded load)")   \
    X(F64_MUL_MK, 6, -1, CTL, NOP, "d a p K off: d = a * f64 at u32(p + K) + off (folded load)")   \
    X(F64_ADD_TO, 4, -1, CTL, NOP, "p a off: f64 at ea = a + f64 at ea, ea = p.u32 + off")         \
    X(F64_MULADD_TO, 7, -1, CTL, NOP,                                                              \
      "q a p off d off2: d = a * f64 at p.u32 + off; f64 at q.u32 + off2 += d")                    \
    X(F64_ADD_ST, 5, -1, CTL, NOP, "p a b off: f64 at p.u32 + off = a + b (folded)")               \
    X(F64_SUB_ST, 5, -1, CTL, NOP, "p a b off: f64 at p.u32 + off = a - b (folded)")               \
    X(F64_MUL_ST, 5, -1, CTL, NOP, "p a b off: f64 at p.u32 + off = a * b (folded)")               \
    /* two f64 operations, the second using the first's result t (also written to d1) */           \
    ASW__IOPS_F64P(X, ADD)                                                                         \
    ASW__IOPS_F64P(X, SUB)                                                                         \
    ASW__IOPS_F64P(X, MUL)                                                                         \
    ASW__IOPS_F64P(X, DIV)                                                                         \
    /* ---- conversions ---- */                                                                    \
    X(I32_WRAP_I64, 3, 0xA7, UN, NOP, "d a: d = low 32 bits of a")                                 \
    X(I32_TRUNC_F32_S, 3, 0xA8, UN, NOP, "d a: d = (s32)a; traps on NaN / out of range")           \
    X(I32_TRUNC_F32_U, 3, 0xA9, UN, NOP, "d a: d = (u32)a; traps on NaN / out of range")           \
    X(I32_TRUNC_F64_S, 3, 0xAA, UN, NOP, "d a: d = (s32)a; traps on NaN / out of range")           \
    X(I32_TRUNC_F64_U, 3, 0xAB, UN, NOP, "d a: d = (u32)a; traps on NaN / out of range")           \
    X(I64_EXTEND_I32_S, 3, 0xAC, UN, NOP, "d a: d = sign-extended a")                              \
    X(I64_EXTEND_I32_U, 3, 0xAD, UN, NOP, "d a: d = zero-extended a")                              \
    X(I64_TRUNC_F32_S, 3, 0xAE, UN, NOP, "d a: d = (s64)a; traps on NaN / out of range")           \
    X(I64_TRUNC_F32_U, 3, 0xAF, UN, NOP, "d a: d = (u64)a; traps on NaN / out of range")           \
    X(I64_TRUNC_F64_S, 3, 0xB0, UN, NOP, "d a: d = (s64)a; traps on NaN / out of range")           \
    X(I64_TRUNC_F64_U, 3, 0xB1, UN, NOP, "d a: d = (u64)a; traps on NaN / out of range")           \
    X(F32_CONVERT_I32_S, 3, 0xB2, UN, NOP, "d a: d = (f32)(s32)a")                                 \
    X(F32_CONVERT_I32_U, 3, 0xB3, UN, NOP, "d a: d = (f32)(u32)a")                                 \
    X(F32_CONVERT_I64_S, 3, 0xB4, UN, NOP, "d a: d = (f32)(s64)a")                                 \
    X(F32_CONVERT_I64_U, 3, 0xB5, UN, NOP, "d a: d = (f32)(u64)a")                                 \
    X(F32_DEMOTE_F64, 3, 0xB6, UN, NOP, "d a: d = (f32)a")                                         \
    X(F64_CONVERT_I32_S, 3, 0xB7, UN, NOP, "d a: d = (f64)(s32)a")                                 \
    X(F64_CONVERT_I32_U, 3, 0xB8, UN, NOP, "d a: d = (f64)(u32)a")                                 \
    X(F64_CONVERT_I64_S, 3, 0xB9, UN, NOP, "d a: d = (f64)(s64)a")                                 \
    X(F64_CONVERT_I64_U, 3, 0xBA, UN, NOP, "d a: d = (f64)(u64)a")                                 \
    X(F64_PROMOTE_F32, 3, 0xBB, UN, NOP, "d a: d = (f64)a")                                        \
    X(I32_EXTEND8_S, 3, 0xC0, UN, NOP, "d a: d = (i32)(int8)a")                                    \
    X(I32_EXTEND16_S, 3, 0xC1, UN, NOP, "d a: d = (i32)(int16)a")                                  \
    X(I64_EXTEND8_S, 3, 0xC2, UN, NOP, "d a: d = (i64)(int8)a")                                    \
    X(I64_EXTEND16_S, 3, 0xC3, UN, NOP, "d a: d = (i64)(int16)a")                                  \
    X(I64_EXTEND32_S, 3, 0xC4, UN, NOP, "d a: d = (i64)(int32)a")                                  \
    X(I32_TRUNC_SAT_F32_S, 3, 0x100, UN, NOP, "d a: d = (s32)a saturated, NaN -> 0")               \
    X(I32_TRUNC_SAT_F32_U, 3, 0x101, UN, NOP, "d a: d = (u32)a saturated, NaN -> 0")               \
    X(I32_TRUNC_SAT_F64_S, 3, 0x102, UN, NOP, "d a: d = (s32)a saturated, NaN -> 0")               \
    X(I32_TRUNC_SAT_F64_U, 3, 0x103, UN, NOP, "d a: d = (u32)a saturated, NaN -> 0")               \
    X(I64_TRUNC_SAT_F32_S, 3, 0x104, UN, NOP, "d a: d = (s64)a saturated, NaN -> 0")               \
    X(I64_TRUNC_SAT_F32_U, 3, 0x105, UN, NOP, "d a: d = (u64)a saturated, NaN -> 0")               \
    X(I64_TRUNC_SAT_F64_S, 3, 0x106, UN, NOP, "d a: d = (s64)a saturated, NaN -> 0")               \
    X(I64_TRUNC_SAT_F64_U, 3, 0x107, UN, NOP, "d a: d = (u64)a saturated, NaN -> 0")

/* The four INC_BR operations of one comparison: i32.add of an immediate (_K) or a register (_R)
 * writing d, then a loop back-edge taken when d compares true with a register b or an immediate
 * (_I). Units: d a K|b2 b|K2 rel. */
#define ASW__IOPS_INC_BR(X, CMP)                                                                   \
    X(INC_BR_##CMP##_K, 6, -1, CTL, NOP, "d a K b rel: d = a + K; BR_" #CMP "_B d b")              \
    X(INC_BR_##CMP##_K_I, 6, -1, CTL, NOP, "d a K K2 rel: d = a + K; BR_" #CMP "_I_B d K2")        \
    X(INC_BR_##CMP##_R, 6, -1, CTL, NOP, "d a b2 b rel: d = a + b2; BR_" #CMP "_B d b")            \
    X(INC_BR_##CMP##_R_I, 6, -1, CTL, NOP, "d a b2 K2 rel: d = a + b2; BR_" #CMP "_I_B d K2")

/* F64P_<O1>_<O2>_L / _R: t = a O1 b; d1 = t; d = t O2 c (_L) or c O2 t (_R), operations among
 * ADD, SUB, MUL, DIV in that order. Units: d c d1 a b (the second operation's first, like any
 * operation whose result a following local.set may retarget). */
#define ASW__IOPS_F64P2(X, O1, O2)                                                                 \
    X(F64P_##O1##_##O2##_L, 6, -1, CTL, NOP,                                                       \
      "d c d1 a b: t = a " #O1 " b; d1 = t; d = t " #O2 " c")                                      \
    X(F64P_##O1##_##O2##_R, 6, -1, CTL, NOP, "d c d1 a b: t = a " #O1 " b; d1 = t; d = c " #O2 " t")
#define ASW__IOPS_F64P(X, O1)                                                                      \
    ASW__IOPS_F64P2(X, O1, ADD)                                                                    \
    ASW__IOPS_F64P2(X, O1, SUB)                                                                    \
    ASW__IOPS_F64P2(X, O1, MUL)                                                                    \
    ASW__IOPS_F64P2(X, O1, DIV)

/* I32P_<O1>_<O2>: t = a O1 b; d1 = t; d = t O2 c (SUBR: d = c - t), O1 among ADD, SUB, AND, OR,
 * XOR and O2 among ADD, SUB, SUBR, AND, OR, XOR in that order. Units: d c d1 a b. */
#define ASW__IOPS_I32P(X, O1)                                                                      \
    X(I32P_##O1##_ADD, 6, -1, CTL, NOP, "d c d1 a b: t = a " #O1 " b; d1 = t; d = t + c")          \
    X(I32P_##O1##_SUB, 6, -1, CTL, NOP, "d c d1 a b: t = a " #O1 " b; d1 = t; d = t - c")          \
    X(I32P_##O1##_SUBR, 6, -1, CTL, NOP, "d c d1 a b: t = a " #O1 " b; d1 = t; d = c - t")         \
    X(I32P_##O1##_AND, 6, -1, CTL, NOP, "d c d1 a b: t = a " #O1 " b; d1 = t; d = t & c")          \
    X(I32P_##O1##_OR, 6, -1, CTL, NOP, "d c d1 a b: t = a " #O1 " b; d1 = t; d = t | c")           \
    X(I32P_##O1##_XOR, 6, -1, CTL, NOP, "d c d1 a b: t = a " #O1 " b; d1 = t; d = t ^ c")

/* Operation numbers: ASW_IOP_I32_ADD ... */
enum asw__iop {
#define ASW__IOP_ENUM(id, units, wasm, kind, twin, meaning) ASW_IOP_##id,
    ASW_IOPS(ASW__IOP_ENUM)
#undef ASW__IOP_ENUM
        ASW_IOP_COUNT
};

/* Kinds of the KIND column. */
enum { ASW_IOPK_CTL, ASW_IOPK_UN, ASW_IOPK_BIN, ASW_IOPK_BINI };

#endif /* ASW_WASM_IOPS_H */
