/*
 * src/wasm/opcodes.c -- the instruction table of opcodes.h as two arrays indexed by opcode, so
 * the decoder, validator, compiler and inspector look instructions up in O(1).
 */
#include "wasm/opcodes.h"

#define ASW__VT_0   0
#define ASW__VT_I32 0x7F
#define ASW__VT_I64 0x7E
#define ASW__VT_F32 0x7D
#define ASW__VT_F64 0x7C

#define ASW__OP_ROW(id, code, nm, imm, p1, p2, r, al)                                              \
    [code] = {nm, ASW_IMM_##imm, ASW__VT_##p1, ASW__VT_##p2, ASW__VT_##r, al, 1},

const asw__opinfo_t asw__opinfo_main[256] = {ASW_OPS_MAIN(ASW__OP_ROW)};
const asw__opinfo_t asw__opinfo_fc[ASW__OPINFO_FC_COUNT] = {ASW_OPS_FC(ASW__OP_ROW)};

#undef ASW__OP_ROW
