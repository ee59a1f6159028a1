/*
 * bench/workloads/interp.c -- a small stack-bytecode interpreter (switch dispatch, an operand
 * stack in memory, three locals) running a loop of n iterations. Measures what interpreters
 * themselves do: indirect branches, small loads and stores, a data-dependent loop.
 *
 * The program, in words:  x = 1; acc = 0; i = n;
 *   loop: x = (x * 1103515245 + 12345) & 0x7fffffff; acc = acc + ((x >> 7) ^ i); i = i - 1;
 *         if (i != 0) goto loop;  halt
 * Result: acc in the low 32 bits, x in the high 32 bits.
 */
#include "workload.h"

enum {
    OP_HALT,
    OP_PUSH,
    OP_LOAD,
    OP_STORE,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_AND,
    OP_XOR,
    OP_SHR,
    OP_JNZ
};

enum { L_ACC, L_X, L_I };

static const uint32_t program[] = {
    /* 0: loop head */
    OP_LOAD, L_X, OP_PUSH, 1103515245u, OP_MUL, OP_PUSH, 12345u, OP_ADD, OP_PUSH, 0x7fffffffu,
    OP_AND, OP_STORE, L_X,
    /* acc = acc + ((x >> 7) ^ i) */
    OP_LOAD, L_ACC, OP_LOAD, L_X, OP_PUSH, 7u, OP_SHR, OP_LOAD, L_I, OP_XOR, OP_ADD, OP_STORE,
    L_ACC,
    /* i = i - 1; if (i != 0) goto 0 */
    OP_LOAD, L_I, OP_PUSH, 1u, OP_SUB, OP_STORE, L_I, OP_LOAD, L_I, OP_JNZ, 0u, OP_HALT};

static uint32_t run_program(const uint32_t *code, uint32_t *locals)
{
    uint32_t stack[16];
    uint32_t sp = 0, pc = 0, a, b;

    for (;;) {
        switch (code[pc++]) {
        case OP_HALT: return sp;
        case OP_PUSH: stack[sp++] = code[pc++]; break;
        case OP_LOAD: stack[sp++] = locals[code[pc++]]; break;
        case OP_STORE: locals[code[pc++]] = stack[--sp]; break;
        case OP_ADD: b = stack[--sp], a = stack[--sp], stack[sp++] = a + b; break;
        case OP_SUB: b = stack[--sp], a = stack[--sp], stack[sp++] = a - b; break;
        case OP_MUL: b = stack[--sp], a = stack[--sp], stack[sp++] = a * b; break;
        case OP_AND: b = stack[--sp], a = stack[--sp], stack[sp++] = a & b; break;
        case OP_XOR: b = stack[--sp], a = stack[--sp], stack[sp++] = a ^ b; break;
        case OP_SHR: b = stack[--sp], a = stack[--sp], stack[sp++] = a >> (b & 31); break;
        case OP_JNZ:
            a = stack[--sp];
            pc = a != 0 ? code[pc] : pc + 1;
            break;
        default: return 0xffffffffu; /* unreachable with the program above */
        }
        sp &= 15; /* keeps a corrupted program inside the stack array */
    }
}

WL_EXPORT uint64_t wl_interp_run(int32_t n)
{
    uint32_t locals[3];

    locals[L_ACC] = 0;
    locals[L_X] = 1;
    locals[L_I] = n > 0 ? (uint32_t)n : 1u;
    run_program(program, locals);
    return (uint64_t)locals[L_X] << 32 | locals[L_ACC];
}
