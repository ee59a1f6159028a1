/*
 * src/wasm/decode.h -- the bounded byte reader of the front end (decode.c, validate.c; the
 * compiler may use it too) and the decoder's clean-up entry point.
 *
 * Design. A reader is a window [pos, end) into a module's bytes. Every read checks the window
 * and never moves past `end`; a failed read records an error of the form
 * "<where>, byte 0x1f3: <rule>" in the caller's asw_error_t and returns a negative ASW_E_* code,
 * so every caller reads `if ((rc = asw__rd_u32(r, &x)) < 0) goto fail;`. `where` is a section
 * name ("type section") or, inside a function body, "function 3 (name)".
 *
 * LEB128 rules (WebAssembly 2.0, binary format "Integers"): an encoding of an N-bit integer has at
 * most ceil(N/7) bytes ("integer representation too long" beyond), and the unused bits of the
 * last byte must be zero (unsigned) or copies of the sign bit (signed): "integer too large".
 *
 * Invariants: r->pos <= r->end <= length of r->p's buffer; nothing is read outside [0, end).
 */
#ifndef ASW_WASM_DECODE_H
#define ASW_WASM_DECODE_H

#include "wasm/module.h"

typedef struct asw__rd {
    const uint8_t *p;  /* the module's bytes (offsets in messages are relative to p) */
    size_t pos, end;   /* the window being read */
    const char *where; /* "type section", "function 3", ... (borrowed) */
    const char *fname; /* optional function name shown as "(name)" after `where`, or NULL */
    bool top;          /* reading the module's top level: running out is "unexpected end" */
    asw_error_t *err;  /* may be NULL */
} asw__rd_t;

/* Records "<where>, byte 0x<at>: <message>" with `code` in r->err; returns code. */
int asw__rd_fail(asw__rd_t *r, int code, size_t at, const char *fmt, ...) ASW_PRINTF(4, 5);
#ifdef __clang_analyzer__
/* For clang-tidy's analyzer, which does not inline variadic functions: asw__rd_fail returns its
 * code (as asw__errorf in base.h). decode.c defines the function with its name in parentheses so
 * this macro does not rewrite the definition. */
#define asw__rd_fail(r, code, at, ...) (asw__rd_fail(r, code, at, __VA_ARGS__), (code))
#endif
/* Records the "unexpected end" error at r->pos (MALFORMED); returns ASW_E_MALFORMED. */
int asw__rd_eof(asw__rd_t *r);

int asw__rd_u32_slow(asw__rd_t *r, uint32_t *out);
int asw__rd_s32(asw__rd_t *r, int32_t *out);
int asw__rd_s33(asw__rd_t *r, int64_t *out);
int asw__rd_s64(asw__rd_t *r, int64_t *out);

static inline int asw__rd_byte(asw__rd_t *r, uint8_t *out)
{
    if (ASW_UNLIKELY(r->pos >= r->end)) {
        *out = 0; /* defined even on failure */
        return asw__rd_eof(r);
    }
    *out = r->p[r->pos++];
    return 0;
}

/* Unsigned 32-bit LEB128; the one-byte case inline. */
static inline int asw__rd_u32(asw__rd_t *r, uint32_t *out)
{
    if (ASW_LIKELY(r->pos < r->end && r->p[r->pos] < 0x80)) {
        *out = r->p[r->pos++];
        return 0;
    }
    *out = 0; /* defined even on failure */
    return asw__rd_u32_slow(r, out);
}

/* Skips n bytes (fails with "unexpected end" when fewer remain). */
static inline int asw__rd_skip(asw__rd_t *r, size_t n)
{
    if (ASW_UNLIKELY(n > r->end - r->pos)) {
        r->pos = r->end;
        return asw__rd_eof(r);
    }
    r->pos += n;
    return 0;
}

/* The text name of a value type byte ("i32", "funcref", ...; "?" for others). */
const char *asw__valtype_name(uint8_t t);

/* Frees everything asw__decode allocated in a module, and the module itself (not compiled
 * code: asw__module_destroy calls asw__compile_free first). NULL is ignored. */
void asw__module_free_decoded(asw_module_t *module);

#endif /* ASW_WASM_DECODE_H */
