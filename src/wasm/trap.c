/*
 * src/wasm/trap.c -- traps as values: kind, message in the specification's wording, and a wasm
 * backtrace (innermost frame first) with function names from the name section.
 *
 * A trap owns copies of everything it shows (message, names), so it outlives the store and the
 * module that raised it. Adding a frame never fails the trap: on allocation failure the frame is
 * dropped and the trap is still reported.
 */
#include "wasm/runtime.h"

#include <stdio.h>
#include <string.h>

const char *asw__trap_kind_message(asw_trap_kind_t kind)
{
    switch (kind) {
    case ASW_TRAP_UNREACHABLE: return "unreachable";
    case ASW_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case ASW_TRAP_TABLE_OOB: return "out of bounds table access";
    case ASW_TRAP_NULL_REFERENCE: return "uninitialized element";
    case ASW_TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
    case ASW_TRAP_INT_OVERFLOW: return "integer overflow";
    case ASW_TRAP_DIV_ZERO: return "integer divide by zero";
    case ASW_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case ASW_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case ASW_TRAP_OUT_OF_FUEL: return "out of fuel";
    case ASW_TRAP_INTERRUPTED: return "interrupted";
    case ASW_TRAP_HOST: return "host function trapped";
    case ASW_TRAP_DATA_SEGMENT_DROPPED: return "out of bounds memory access";
    case ASW_TRAP_MEMORY_LIMIT: return "memory limit exceeded";
    }
    return "trap";
}

asw_trap_t *asw__trap_new(asw_trap_kind_t kind, const char *msg)
{
    asw_trap_t *t = asw__calloc(1, sizeof *t);
    if (!t) return NULL;
    t->kind = kind;
    t->message = asw__strdup(msg ? msg : asw__trap_kind_message(kind));
    if (!t->message) {
        asw__free(t);
        return NULL;
    }
    return t;
}

void asw__trap_add_frame(asw_trap_t *t, const asw_module_t *module, uint32_t func_index,
                         uint32_t code_offset)
{
    if (!t) return;
    if (t->nframes == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        asw_frame_info_t *nf = asw__reallocarray(t->frames, cap, sizeof *nf);
        if (!nf) return;
        t->frames = nf;
        char **nn = asw__reallocarray(t->frame_names, cap, sizeof *nn);
        if (!nn) return;
        t->frame_names = nn;
        t->cap = cap;
    }
    const char *name = module ? asw_module_func_name(module, func_index) : NULL;
    char *copy = name ? asw__strdup(name) : NULL;
    t->frame_names[t->nframes] = copy;
    t->frames[t->nframes] = (asw_frame_info_t){func_index, copy, code_offset};
    t->nframes++;
}

asw_trap_kind_t asw_trap_kind(const asw_trap_t *t)
{
    return t ? t->kind : ASW_TRAP_HOST;
}

const char *asw_trap_message(const asw_trap_t *t)
{
    return t ? t->message : "";
}

size_t asw_trap_frame_count(const asw_trap_t *t)
{
    return t ? t->nframes : 0;
}

int asw_trap_frame(const asw_trap_t *t, size_t i, asw_frame_info_t *out)
{
    if (!t || !out || i >= t->nframes) return ASW_E_INVALID;
    *out = t->frames[i];
    return ASW_OK;
}

size_t asw_trap_format(const asw_trap_t *t, char *buf, size_t len)
{
    if (!t) return 0;
    size_t need = 0;
    int n = snprintf(buf, len, "trap: %s\n", t->message);
    if (n > 0) need += (size_t)n;
    for (size_t i = 0; i < t->nframes; i++) {
        const asw_frame_info_t *f = &t->frames[i];
        char line[512];
        if (f->func_name)
            n = snprintf(line, sizeof line, "  at #%zu %s (func %u, offset 0x%x)\n", i,
                         f->func_name, f->func_index, f->code_offset);
        else
            n = snprintf(line, sizeof line, "  at #%zu func %u (offset 0x%x)\n", i, f->func_index,
                         f->code_offset);
        if (n < 0) continue;
        size_t ln = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        if (buf && need < len) {
            size_t room = len - need - 1;
            size_t k = ln < room ? ln : room;
            memcpy(buf + need, line, k);
            buf[need + k] = '\0';
        }
        need += ln;
    }
    return need;
}

void asw_trap_free(asw_trap_t *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->nframes; i++)
        asw__free(t->frame_names[i]);
    asw__free(t->frame_names);
    asw__free(t->frames);
    asw__free(t->message);
    asw__free(t);
}
