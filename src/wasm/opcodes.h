/*
 * src/wasm/opcodes.h -- the one table of WebAssembly 2.0 instructions: binary opcode, text name,
 * immediate kind, and the stack signature of every instruction whose typing is fixed.
 *
 * Used by the decoder/validator (immediates, typing), the compiler (which maps each wasm
 * instruction to internal operations) and `airssys wasm inspect`. Instructions whose typing
 * depends on context (control, locals, globals, select, calls, references, drop) have signature
 * columns 0 and are typed by hand in the validator.
 *
 * Columns: X(ID, opcode, "name", immediate, param1, param2, result, align)
 *   immediate: NONE, BLOCKTYPE, LABEL, BR_TABLE, FUNC, CALL_INDIRECT, LOCAL, GLOBAL, TABLE,
 *              MEMARG, MEMIDX (a zero byte), I32, I64, F32, F64, SELECT_T, REFTYPE, DATA,
 *              ELEM, TABLE_TABLE, ELEM_TABLE, DATA_MEM, MEM_MEM
 *   param1/param2/result: a value type letter code (I32, I64, F32, F64) or 0 (none)
 *   align: for memory instructions, log2 of the natural alignment (the maximum valid); else 0
 * Prefixed instructions (0xFC xx) are in ASW_OPS_FC; 0xFD (SIMD) is rejected as unsupported.
 */
#ifndef ASW_WASM_OPCODES_H
#define ASW_WASM_OPCODES_H

#include <stdint.h>

#define ASW_OPS_MAIN(X)                                                                            \
    X(UNREACHABLE, 0x00, "unreachable", NONE, 0, 0, 0, 0)                                          \
    X(NOP, 0x01, "nop", NONE, 0, 0, 0, 0)                                                          \
    X(BLOCK, 0x02, "block", BLOCKTYPE, 0, 0, 0, 0)                                                 \
    X(LOOP, 0x03, "loop", BLOCKTYPE, 0, 0, 0, 0)                                                   \
    X(IF, 0x04, "if", BLOCKTYPE, 0, 0, 0, 0)                                                       \
    X(ELSE, 0x05, "else", NONE, 0, 0, 0, 0)                                                        \
    X(END, 0x0B, "end", NONE, 0, 0, 0, 0)                                                          \
    X(BR, 0x0C, "br", LABEL, 0, 0, 0, 0)                                                           \
    X(BR_IF, 0x0D, "br_if", LABEL, 0, 0, 0, 0)                                                     \
    X(BR_TABLE, 0x0E, "br_table", BR_TABLE, 0, 0, 0, 0)                                            \
    X(RETURN, 0x0F, "return", NONE, 0, 0, 0, 0)                                                    \
    X(CALL, 0x10, "call", FUNC, 0, 0, 0, 0)                                                        \
    X(CALL_INDIRECT, 0x11, "call_indirect", CALL_INDIRECT, 0, 0, 0, 0)                             \
    X(DROP, 0x1A, "drop", NONE, 0, 0, 0, 0)                                                        \
    X(SELECT, 0x1B, "select", NONE, 0, 0, 0, 0)                                                    \
    X(SELECT_T, 0x1C, "select", SELECT_T, 0, 0, 0, 0)                                              \
    X(LOCAL_GET, 0x20, "local.get", LOCAL, 0, 0, 0, 0)                                             \
    X(LOCAL_SET, 0x21, "local.set", LOCAL, 0, 0, 0, 0)                                             \
    X(LOCAL_TEE, 0x22, "local.tee", LOCAL, 0, 0, 0, 0)                                             \
    X(GLOBAL_GET, 0x23, "global.get", GLOBAL, 0, 0, 0, 0)                                          \
    X(GLOBAL_SET, 0x24, "global.set", GLOBAL, 0, 0, 0, 0)                                          \
    X(TABLE_GET, 0x25, "table.get", TABLE, 0, 0, 0, 0)                                             \
    X(TABLE_SET, 0x26, "table.set", TABLE, 0, 0, 0, 0)                                             \
    X(I32_LOAD, 0x28, "i32.load", MEMARG, I32, 0, I32, 2)                                          \
    X(I64_LOAD, 0x29, "i64.load", MEMARG, I32, 0, I64, 3)                                          \
    X(F32_LOAD, 0x2A, "f32.load", MEMARG, I32, 0, F32, 2)                                          \
    X(F64_LOAD, 0x2B, "f64.load", MEMARG, I32, 0, F64, 3)                                          \
    X(I32_LOAD8_S, 0x2C, "i32.load8_s", MEMARG, I32, 0, I32, 0)                                    \
    X(I32_LOAD8_U, 0x2D, "i32.load8_u", MEMARG, I32, 0, I32, 0)                                    \
    X(I32_LOAD16_S, 0x2E, "i32.load16_s", MEMARG, I32, 0, I32, 1)                                  \
    X(I32_LOAD16_U, 0x2F, "i32.load16_u", MEMARG, I32, 0, I32, 1)                                  \
    X(I64_LOAD8_S, 0x30, "i64.load8_s", MEMARG, I32, 0, I64, 0)                                    \
    X(I64_LOAD8_U, 0x31, "i64.load8_u", MEMARG, I32, 0, I64, 0)                                    \
    X(I64_LOAD16_S, 0x32, "i64.load16_s", MEMARG, I32, 0, I64, 1)                                  \
    X(I64_LOAD16_U, 0x33, "i64.load16_u", MEMARG, I32, 0, I64, 1)                                  \
    X(I64_LOAD32_S, 0x34, "i64.load32_s", MEMARG, I32, 0, I64, 2)                                  \
    X(I64_LOAD32_U, 0x35, "i64.load32_u", MEMARG, I32, 0, I64, 2)                                  \
    X(I32_STORE, 0x36, "i32.store", MEMARG, I32, I32, 0, 2)                                        \
    X(I64_STORE, 0x37, "i64.store", MEMARG, I32, I64, 0, 3)                                        \
    X(F32_STORE, 0x38, "f32.store", MEMARG, I32, F32, 0, 2)                                        \
    X(F64_STORE, 0x39, "f64.store", MEMARG, I32, F64, 0, 3)                                        \
    X(I32_STORE8, 0x3A, "i32.store8", MEMARG, I32, I32, 0, 0)                                      \
    X(I32_STORE16, 0x3B, "i32.store16", MEMARG, I32, I32, 0, 1)                                    \
    X(I64_STORE8, 0x3C, "i64.store8", MEMARG, I32, I64, 0, 0)                                      \
    X(I64_STORE16, 0x3D, "i64.store16", MEMARG, I32, I64, 0, 1)                                    \
    X(I64_STORE32, 0x3E, "i64.store32", MEMARG, I32, I64, 0, 2)                                    \
    X(MEMORY_SIZE, 0x3F, "memory.size", MEMIDX, 0, 0, I32, 0)                                      \
    X(MEMORY_GROW, 0x40, "memory.grow", MEMIDX, I32, 0, I32, 0)                                    \
    X(I32_CONST, 0x41, "i32.const", I32, 0, 0, I32, 0)                                             \
    X(I64_CONST, 0x42, "i64.const", I64, 0, 0, I64, 0)                                             \
    X(F32_CONST, 0x43, "f32.const", F32, 0, 0, F32, 0)                                             \
    X(F64_CONST, 0x44, "f64.const", F64, 0, 0, F64, 0)                                             \
    X(I32_EQZ, 0x45, "i32.eqz", NONE, I32, 0, I32, 0)                                              \
    X(I32_EQ, 0x46, "i32.eq", NONE, I32, I32, I32, 0)                                              \
    X(I32_NE, 0x47, "i32.ne", NONE, I32, I32, I32, 0)                                              \
    X(I32_LT_S, 0x48, "i32.lt_s", NONE, I32, I32, I32, 0)                                          \
    X(I32_LT_U, 0x49, "i32.lt_u", NONE, I32, I32, I32, 0)                                          \
    X(I32_GT_S, 0x4A, "i32.gt_s", NONE, I32, I32, I32, 0)                                          \
    X(I32_GT_U, 0x4B, "i32.gt_u", NONE, I32, I32, I32, 0)                                          \
    X(I32_LE_S, 0x4C, "i32.le_s", NONE, I32, I32, I32, 0)                                          \
    X(I32_LE_U, 0x4D, "i32.le_u", NONE, I32, I32, I32, 0)                                          \
    X(I32_GE_S, 0x4E, "i32.ge_s", NONE, I32, I32, I32, 0)                                          \
    X(I32_GE_U, 0x4F, "i32.ge_u", NONE, I32, I32, I32, 0)                                          \
    X(I64_EQZ, 0x50, "i64.eqz", NONE, I64, 0, I32, 0)                                              \
    X(I64_EQ, 0x51, "i64.eq", NONE, I64, I64, I32, 0)                                              \
    X(I64_NE, 0x52, "i64.ne", NONE, I64, I64, I32, 0)                                              \
    X(I64_LT_S, 0x53, "i64.lt_s", NONE, I64, I64, I32, 0)                                          \
    X(I64_LT_U, 0x54, "i64.lt_u", NONE, I64, I64, I32, 0)                                          \
    X(I64_GT_S, 0x55, "i64.gt_s", NONE, I64, I64, I32, 0)                                          \
    X(I64_GT_U, 0x56, "i64.gt_u", NONE, I64, I64, I32, 0)                                          \
    X(I64_LE_S, 0x57, "i64.le_s", NONE, I64, I64, I32, 0)                                          \
    X(I64_LE_U, 0x58, "i64.le_u", NONE, I64, I64, I32, 0)                                          \
    X(I64_GE_S, 0x59, "i64.ge_s", NONE, I64, I64, I32, 0)                                          \
    X(I64_GE_U, 0x5A, "i64.ge_u", NONE, I64, I64, I32, 0)                                          \
    X(F32_EQ, 0x5B, "f32.eq", NONE, F32, F32, I32, 0)                                              \
    X(F32_NE, 0x5C, "f32.ne", NONE, F32, F32, I32, 0)                                              \
    X(F32_LT, 0x5D, "f32.lt", NONE, F32, F32, I32, 0)                                              \
    X(F32_GT, 0x5E, "f32.gt", NONE, F32, F32, I32, 0)                                              \
    X(F32_LE, 0x5F, "f32.le", NONE, F32, F32, I32, 0)                                              \
    X(F32_GE, 0x60, "f32.ge", NONE, F32, F32, I32, 0)                                              \
    X(F64_EQ, 0x61, "f64.eq", NONE, F64, F64, I32, 0)                                              \
    X(F64_NE, 0x62, "f64.ne", NONE, F64, F64, I32, 0)                                              \
    X(F64_LT, 0x63, "f64.lt", NONE, F64, F64, I32, 0)                                              \
    X(F64_GT, 0x64, "f64.gt", NONE, F64, F64, I32, 0)                                              \
    X(F64_LE, 0x65, "f64.le", NONE, F64, F64, I32, 0)                                              \
    X(F64_GE, 0x66, "f64.ge", NONE, F64, F64, I32, 0)                                              \
    X(I32_CLZ, 0x67, "i32.clz", NONE, I32, 0, I32, 0)                                              \
    X(I32_CTZ, 0x68, "i32.ctz", NONE, I32, 0, I32, 0)                                              \
    X(I32_POPCNT, 0x69, "i32.popcnt", NONE, I32, 0, I32, 0)                                        \
    X(I32_ADD, 0x6A, "i32.add", NONE, I32, I32, I32, 0)                                            \
    X(I32_SUB, 0x6B, "i32.sub", NONE, I32, I32, I32, 0)                                            \
    X(I32_MUL, 0x6C, "i32.mul", NONE, I32, I32, I32, 0)                                            \
    X(I32_DIV_S, 0x6D, "i32.div_s", NONE, I32, I32, I32, 0)                                        \
    X(I32_DIV_U, 0x6E, "i32.div_u", NONE, I32, I32, I32, 0)                                        \
    X(I32_REM_S, 0x6F, "i32.rem_s", NONE, I32, I32, I32, 0)                                        \
    X(I32_REM_U, 0x70, "i32.rem_u", NONE, I32, I32, I32, 0)                                        \
    X(I32_AND, 0x71, "i32.and", NONE, I32, I32, I32, 0)                                            \
    X(I32_OR, 0x72, "i32.or", NONE, I32, I32, I32, 0)                                              \
    X(I32_XOR, 0x73, "i32.xor", NONE, I32, I32, I32, 0)                                            \
    X(I32_SHL, 0x74, "i32.shl", NONE, I32, I32, I32, 0)                                            \
    X(I32_SHR_S, 0x75, "i32.shr_s", NONE, I32, I32, I32, 0)                                        \
    X(I32_SHR_U, 0x76, "i32.shr_u", NONE, I32, I32, I32, 0)                                        \
    X(I32_ROTL, 0x77, "i32.rotl", NONE, I32, I32, I32, 0)                                          \
    X(I32_ROTR, 0x78, "i32.rotr", NONE, I32, I32, I32, 0)                                          \
    X(I64_CLZ, 0x79, "i64.clz", NONE, I64, 0, I64, 0)                                              \
    X(I64_CTZ, 0x7A, "i64.ctz", NONE, I64, 0, I64, 0)                                              \
    X(I64_POPCNT, 0x7B, "i64.popcnt", NONE, I64, 0, I64, 0)                                        \
    X(I64_ADD, 0x7C, "i64.add", NONE, I64, I64, I64, 0)                                            \
    X(I64_SUB, 0x7D, "i64.sub", NONE, I64, I64, I64, 0)                                            \
    X(I64_MUL, 0x7E, "i64.mul", NONE, I64, I64, I64, 0)                                            \
    X(I64_DIV_S, 0x7F, "i64.div_s", NONE, I64, I64, I64, 0)                                        \
    X(I64_DIV_U, 0x80, "i64.div_u", NONE, I64, I64, I64, 0)                                        \
    X(I64_REM_S, 0x81, "i64.rem_s", NONE, I64, I64, I64, 0)                                        \
    X(I64_REM_U, 0x82, "i64.rem_u", NONE, I64, I64, I64, 0)                                        \
    X(I64_AND, 0x83, "i64.and", NONE, I64, I64, I64, 0)                                            \
    X(I64_OR, 0x84, "i64.or", NONE, I64, I64, I64, 0)                                              \
    X(I64_XOR, 0x85, "i64.xor", NONE, I64, I64, I64, 0)                                            \
    X(I64_SHL, 0x86, "i64.shl", NONE, I64, I64, I64, 0)                                            \
    X(I64_SHR_S, 0x87, "i64.shr_s", NONE, I64, I64, I64, 0)                                        \
    X(I64_SHR_U, 0x88, "i64.shr_u", NONE, I64, I64, I64, 0)                                        \
    X(I64_ROTL, 0x89, "i64.rotl", NONE, I64, I64, I64, 0)                                          \
    X(I64_ROTR, 0x8A, "i64.rotr", NONE, I64, I64, I64, 0)                                          \
    X(F32_ABS, 0x8B, "f32.abs", NONE, F32, 0, F32, 0)                                              \
    X(F32_NEG, 0x8C, "f32.neg", NONE, F32, 0, F32, 0)                                              \
    X(F32_CEIL, 0x8D, "f32.ceil", NONE, F32, 0, F32, 0)                                            \
    X(F32_FLOOR, 0x8E, "f32.floor", NONE, F32, 0, F32, 0)                                          \
    X(F32_TRUNC, 0x8F, "f32.trunc", NONE, F32, 0, F32, 0)                                          \
    X(F32_NEAREST, 0x90, "f32.nearest", NONE, F32, 0, F32, 0)                                      \
    X(F32_SQRT, 0x91, "f32.sqrt", NONE, F32, 0, F32, 0)                                            \
    X(F32_ADD, 0x92, "f32.add", NONE, F32, F32, F32, 0)                                            \
    X(F32_SUB, 0x93, "f32.sub", NONE, F32, F32, F32, 0)                                            \
    X(F32_MUL, 0x94, "f32.mul", NONE, F32, F32, F32, 0)                                            \
    X(F32_DIV, 0x95, "f32.div", NONE, F32, F32, F32, 0)                                            \
    X(F32_MIN, 0x96, "f32.min", NONE, F32, F32, F32, 0)                                            \
    X(F32_MAX, 0x97, "f32.max", NONE, F32, F32, F32, 0)                                            \
    X(F32_COPYSIGN, 0x98, "f32.copysign", NONE, F32, F32, F32, 0)                                  \
    X(F64_ABS, 0x99, "f64.abs", NONE, F64, 0, F64, 0)                                              \
    X(F64_NEG, 0x9A, "f64.neg", NONE, F64, 0, F64, 0)                                              \
    X(F64_CEIL, 0x9B, "f64.ceil", NONE, F64, 0, F64, 0)                                            \
    X(F64_FLOOR, 0x9C, "f64.floor", NONE, F64, 0, F64, 0)                                          \
    X(F64_TRUNC, 0x9D, "f64.trunc", NONE, F64, 0, F64, 0)                                          \
    X(F64_NEAREST, 0x9E, "f64.nearest", NONE, F64, 0, F64, 0)                                      \
    X(F64_SQRT, 0x9F, "f64.sqrt", NONE, F64, 0, F64, 0)                                            \
    X(F64_ADD, 0xA0, "f64.add", NONE, F64, F64, F64, 0)                                            \
    X(F64_SUB, 0xA1, "f64.sub", NONE, F64, F64, F64, 0)                                            \
    X(F64_MUL, 0xA2, "f64.mul", NONE, F64, F64, F64, 0)                                            \
    X(F64_DIV, 0xA3, "f64.div", NONE, F64, F64, F64, 0)                                            \
    X(F64_MIN, 0xA4, "f64.min", NONE, F64, F64, F64, 0)                                            \
    X(F64_MAX, 0xA5, "f64.max", NONE, F64, F64, F64, 0)                                            \
    X(F64_COPYSIGN, 0xA6, "f64.copysign", NONE, F64, F64, F64, 0)                                  \
    X(I32_WRAP_I64, 0xA7, "i32.wrap_i64", NONE, I64, 0, I32, 0)                                    \
    X(I32_TRUNC_F32_S, 0xA8, "i32.trunc_f32_s", NONE, F32, 0, I32, 0)                              \
    X(I32_TRUNC_F32_U, 0xA9, "i32.trunc_f32_u", NONE, F32, 0, I32, 0)                              \
    X(I32_TRUNC_F64_S, 0xAA, "i32.trunc_f64_s", NONE, F64, 0, I32, 0)                              \
    X(I32_TRUNC_F64_U, 0xAB, "i32.trunc_f64_u", NONE, F64, 0, I32, 0)                              \
    X(I64_EXTEND_I32_S, 0xAC, "i64.extend_i32_s", NONE, I32, 0, I64, 0)                            \
    X(I64_EXTEND_I32_U, 0xAD, "i64.extend_i32_u", NONE, I32, 0, I64, 0)                            \
    X(I64_TRUNC_F32_S, 0xAE, "i64.trunc_f32_s", NONE, F32, 0, I64, 0)                              \
    X(I64_TRUNC_F32_U, 0xAF, "i64.trunc_f32_u", NONE, F32, 0, I64, 0)                              \
    X(I64_TRUNC_F64_S, 0xB0, "i64.trunc_f64_s", NONE, F64, 0, I64, 0)                              \
    X(I64_TRUNC_F64_U, 0xB1, "i64.trunc_f64_u", NONE, F64, 0, I64, 0)                              \
    X(F32_CONVERT_I32_S, 0xB2, "f32.convert_i32_s", NONE, I32, 0, F32, 0)                          \
    X(F32_CONVERT_I32_U, 0xB3, "f32.convert_i32_u", NONE, I32, 0, F32, 0)                          \
    X(F32_CONVERT_I64_S, 0xB4, "f32.convert_i64_s", NONE, I64, 0, F32, 0)                          \
    X(F32_CONVERT_I64_U, 0xB5, "f32.convert_i64_u", NONE, I64, 0, F32, 0)                          \
    X(F32_DEMOTE_F64, 0xB6, "f32.demote_f64", NONE, F64, 0, F32, 0)                                \
    X(F64_CONVERT_I32_S, 0xB7, "f64.convert_i32_s", NONE, I32, 0, F64, 0)                          \
    X(F64_CONVERT_I32_U, 0xB8, "f64.convert_i32_u", NONE, I32, 0, F64, 0)                          \
    X(F64_CONVERT_I64_S, 0xB9, "f64.convert_i64_s", NONE, I64, 0, F64, 0)                          \
    X(F64_CONVERT_I64_U, 0xBA, "f64.convert_i64_u", NONE, I64, 0, F64, 0)                          \
    X(F64_PROMOTE_F32, 0xBB, "f64.promote_f32", NONE, F32, 0, F64, 0)                              \
    X(I32_REINTERPRET_F32, 0xBC, "i32.reinterpret_f32", NONE, F32, 0, I32, 0)                      \
    X(I64_REINTERPRET_F64, 0xBD, "i64.reinterpret_f64", NONE, F64, 0, I64, 0)                      \
    X(F32_REINTERPRET_I32, 0xBE, "f32.reinterpret_i32", NONE, I32, 0, F32, 0)                      \
    X(F64_REINTERPRET_I64, 0xBF, "f64.reinterpret_i64", NONE, I64, 0, F64, 0)                      \
    X(I32_EXTEND8_S, 0xC0, "i32.extend8_s", NONE, I32, 0, I32, 0)                                  \
    X(I32_EXTEND16_S, 0xC1, "i32.extend16_s", NONE, I32, 0, I32, 0)                                \
    X(I64_EXTEND8_S, 0xC2, "i64.extend8_s", NONE, I64, 0, I64, 0)                                  \
    X(I64_EXTEND16_S, 0xC3, "i64.extend16_s", NONE, I64, 0, I64, 0)                                \
    X(I64_EXTEND32_S, 0xC4, "i64.extend32_s", NONE, I64, 0, I64, 0)                                \
    X(REF_NULL, 0xD0, "ref.null", REFTYPE, 0, 0, 0, 0)                                             \
    X(REF_IS_NULL, 0xD1, "ref.is_null", NONE, 0, 0, 0, 0)                                          \
    X(REF_FUNC, 0xD2, "ref.func", FUNC, 0, 0, 0, 0)

/* 0xFC-prefixed instructions: X(ID, subopcode, "name", immediate, p1, p2, result, 0). */
#define ASW_OPS_FC(X)                                                                              \
    X(I32_TRUNC_SAT_F32_S, 0, "i32.trunc_sat_f32_s", NONE, F32, 0, I32, 0)                         \
    X(I32_TRUNC_SAT_F32_U, 1, "i32.trunc_sat_f32_u", NONE, F32, 0, I32, 0)                         \
    X(I32_TRUNC_SAT_F64_S, 2, "i32.trunc_sat_f64_s", NONE, F64, 0, I32, 0)                         \
    X(I32_TRUNC_SAT_F64_U, 3, "i32.trunc_sat_f64_u", NONE, F64, 0, I32, 0)                         \
    X(I64_TRUNC_SAT_F32_S, 4, "i64.trunc_sat_f32_s", NONE, F32, 0, I64, 0)                         \
    X(I64_TRUNC_SAT_F32_U, 5, "i64.trunc_sat_f32_u", NONE, F32, 0, I64, 0)                         \
    X(I64_TRUNC_SAT_F64_S, 6, "i64.trunc_sat_f64_s", NONE, F64, 0, I64, 0)                         \
    X(I64_TRUNC_SAT_F64_U, 7, "i64.trunc_sat_f64_u", NONE, F64, 0, I64, 0)                         \
    X(MEMORY_INIT, 8, "memory.init", DATA_MEM, 0, 0, 0, 0)                                         \
    X(DATA_DROP, 9, "data.drop", DATA, 0, 0, 0, 0)                                                 \
    X(MEMORY_COPY, 10, "memory.copy", MEM_MEM, 0, 0, 0, 0)                                         \
    X(MEMORY_FILL, 11, "memory.fill", MEMIDX, 0, 0, 0, 0)                                          \
    X(TABLE_INIT, 12, "table.init", ELEM_TABLE, 0, 0, 0, 0)                                        \
    X(ELEM_DROP, 13, "elem.drop", ELEM, 0, 0, 0, 0)                                                \
    X(TABLE_COPY, 14, "table.copy", TABLE_TABLE, 0, 0, 0, 0)                                       \
    X(TABLE_GROW, 15, "table.grow", TABLE, 0, 0, 0, 0)                                             \
    X(TABLE_SIZE, 16, "table.size", TABLE, 0, 0, 0, 0)                                             \
    X(TABLE_FILL, 17, "table.fill", TABLE, 0, 0, 0, 0)

#define ASW_OP_PREFIX_FC   0xFC
#define ASW_OP_PREFIX_SIMD 0xFD

/* Binary opcodes as constants: ASW_OP_I32_ADD = 0x6A; for 0xFC-prefixed ones the sub-opcode,
 * ASW_OP_MEMORY_COPY = 10 (the names do not overlap). */
enum asw__op_main {
#define ASW__OP_ENUM(id, code, name, imm, p1, p2, r, al) ASW_OP_##id = (code),
    ASW_OPS_MAIN(ASW__OP_ENUM)
};
enum asw__op_fc {
    ASW_OPS_FC(ASW__OP_ENUM)
#undef ASW__OP_ENUM
};

/* Immediate kinds (the `immediate` column). */
typedef enum asw__imm {
    ASW_IMM_NONE,
    ASW_IMM_BLOCKTYPE,
    ASW_IMM_LABEL,
    ASW_IMM_BR_TABLE,
    ASW_IMM_FUNC,
    ASW_IMM_CALL_INDIRECT,
    ASW_IMM_LOCAL,
    ASW_IMM_GLOBAL,
    ASW_IMM_TABLE,
    ASW_IMM_MEMARG,
    ASW_IMM_MEMIDX,
    ASW_IMM_I32,
    ASW_IMM_I64,
    ASW_IMM_F32,
    ASW_IMM_F64,
    ASW_IMM_SELECT_T,
    ASW_IMM_REFTYPE,
    ASW_IMM_DATA,
    ASW_IMM_ELEM,
    ASW_IMM_TABLE_TABLE,
    ASW_IMM_ELEM_TABLE,
    ASW_IMM_DATA_MEM,
    ASW_IMM_MEM_MEM,
} asw__imm_t;

/* One row of the table in a form code can index. `valid` is 0 for unassigned opcodes. */
typedef struct asw__opinfo {
    const char *name;
    uint8_t imm;         /* asw__imm_t */
    uint8_t p1, p2, res; /* value type bytes (0x7F i32 ...) or 0 */
    uint8_t align;       /* log2 natural alignment, memory instructions */
    uint8_t valid;
} asw__opinfo_t;

/* Indexed by opcode byte (main) and by sub-opcode (0xFC, 0..17). Defined in src/wasm/opcodes.c. */
extern const asw__opinfo_t asw__opinfo_main[256];
extern const asw__opinfo_t asw__opinfo_fc[18];
#define ASW__OPINFO_FC_COUNT 18

#endif /* ASW_WASM_OPCODES_H */
