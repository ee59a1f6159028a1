/*
 * src/wasm/decode.c -- the binary decoder of WebAssembly 2.0 (core spec, chapter 5 "Binary
 * Format"), without SIMD: bytes in, an asw_module_t out (module.h).
 *
 * Design. One pass over the sections with a bounded reader (decode.h): every read stays inside
 * the current section's window, every section must consume exactly its declared size, and every
 * count read from the input is compared with the bytes left before anything is allocated for it
 * (an entry takes at least one byte), so a hostile "4 billion entries" header fails in O(1)
 * without allocating. The decoder checks everything that makes a binary malformed
 * (ASW_E_MALFORMED, with the spec test suite's wording), rejects post-2.0 encodings it
 * recognises (SIMD's 0xFD prefix and v128, shared/64-bit limits, the tag section) with
 * ASW_E_UNSUPPORTED, and enforces the ASW__MAX_* limits (ASW_E_LIMIT). Function bodies are only
 * located and their locals expanded; instructions are walked by the validator. Constant
 * expressions are decoded here (one instruction and `end`, the 2.0 form); a well-encoded
 * expression that is not constant is reported as invalid (ASW_E_INVALID_MODULE, "constant
 * expression required") since that is a validation rule found while decoding.
 *
 * The name section is decoded after all other sections; per the spec's appendix, errors in a
 * custom section never fail the module: a malformed name section only drops the names.
 *
 * Every entity the validator can reject (imports, function declarations, tables, memories,
 * globals, exports, the start function, element and data segments, the data count) gets its byte
 * offset recorded in its own struct (module.h): one store per entity, no allocation, so that
 * validate.c can report "<section>, byte 0x<offset>: <entity>: <rule>".
 *
 * Invariants: the module's `bytes` is a private copy and every offset stored refers to it; on
 * failure everything allocated is freed (asw__module_free_decoded) and *out_module stays NULL.
 * Time is linear in the module size.
 *
 * Not done here: validation of indices, types and bodies (validate.c); duplicate export names
 * (validate.c, hash set); the data-count requirement of memory.init/data.drop (validate.c, since
 * it needs the bodies).
 */
#include "wasm/decode.h"

#include "wasm/opcodes.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ the reader */

int(asw__rd_fail)(asw__rd_t *r, int code, size_t at, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->fname)
        return asw__errorf(r->err, code, "%s (%s), byte 0x%zx: %s", r->where, r->fname, at, msg);
    return asw__errorf(r->err, code, "%s, byte 0x%zx: %s", r->where, at, msg);
}

int asw__rd_eof(asw__rd_t *r)
{
    return asw__rd_fail(r, ASW_E_MALFORMED, r->pos,
                        r->top ? "unexpected end" : "unexpected end of section or function");
}

int asw__rd_u32_slow(asw__rd_t *r, uint32_t *out)
{
    size_t start = r->pos;
    uint32_t v = 0;
    for (unsigned i = 0;; i++) {
        if (r->pos >= r->end) return asw__rd_eof(r);
        uint8_t b = r->p[r->pos++];
        if (i == 4) {
            if (b & 0x80)
                return asw__rd_fail(r, ASW_E_MALFORMED, start, "integer representation too long");
            if (b & 0x70) return asw__rd_fail(r, ASW_E_MALFORMED, start, "integer too large");
            v |= (uint32_t)b << 28;
            break;
        }
        v |= (uint32_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) break;
    }
    *out = v;
    return 0;
}

/* Signed LEB128 of `bits` bits (32, 33 or 64). */
static int rd_sleb(asw__rd_t *r, unsigned bits, int64_t *out)
{
    size_t start = r->pos;
    unsigned maxbytes = (bits + 6) / 7;
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b = 0;
    *out = 0;
    for (unsigned i = 0;; i++) {
        if (r->pos >= r->end) return asw__rd_eof(r);
        b = r->p[r->pos++];
        if (i == maxbytes - 1) {
            if (b & 0x80)
                return asw__rd_fail(r, ASW_E_MALFORMED, start, "integer representation too long");
            /* Bits [used-1 .. 6] of the last byte: the sign bit and the unused bits above it
             * must all be equal. */
            unsigned used = bits - 7 * i;
            uint8_t m = (uint8_t)(0x7F & ~((1u << (used - 1)) - 1));
            if ((b & m) != 0 && (b & m) != m)
                return asw__rd_fail(r, ASW_E_MALFORMED, start, "integer too large");
        }
        v |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
    *out = (int64_t)v;
    return 0;
}

int asw__rd_s32(asw__rd_t *r, int32_t *out)
{
    int64_t v;
    *out = 0;
    int rc = rd_sleb(r, 32, &v);
    if (rc < 0) return rc;
    *out = (int32_t)v;
    return 0;
}

int asw__rd_s33(asw__rd_t *r, int64_t *out)
{
    return rd_sleb(r, 33, out);
}

int asw__rd_s64(asw__rd_t *r, int64_t *out)
{
    return rd_sleb(r, 64, out);
}

const char *asw__valtype_name(uint8_t t)
{
    switch (t) {
    case ASW_I32: return "i32";
    case ASW_I64: return "i64";
    case ASW_F32: return "f32";
    case ASW_F64: return "f64";
    case ASW_V128: return "v128";
    case ASW_FUNCREF: return "funcref";
    case ASW_EXTERNREF: return "externref";
    default: return "?";
    }
}

/* ------------------------------------------------------------------ decoder state */

typedef struct dec {
    asw_module_t *m;
    asw_error_t *err;
    uint32_t cap_funcs, cap_tables, cap_mems, cap_globals, cap_customs;
    bool has_func_section, has_code, has_data;
    uint32_t nfunc_decl; /* entries of the function section */
    bool has_names;
    size_t names_off, names_end;
    uint64_t total_locals, locals_budget;
} dec_t;

/* Grows *arr (element size esz) so it holds at least `need` elements. */
static int reserve(void **arr, uint32_t *cap, uint32_t need, size_t esz)
{
    if (need <= *cap) return 0;
    uint32_t ncap = *cap ? *cap : 4;
    while (ncap < need)
        ncap = ncap > UINT32_MAX / 2 ? need : ncap * 2;
    void *p = asw__reallocarray(*arr, ncap, esz);
    if (!p) return ASW_E_NOMEM;
    memset((char *)p + (size_t)*cap * esz, 0, (size_t)(ncap - *cap) * esz);
    *arr = p;
    *cap = ncap;
    return 0;
}

static int nomem(asw__rd_t *r)
{
    return asw__rd_fail(r, ASW_E_NOMEM, r->pos, "out of memory");
}

/* Reads a vector length and checks that at least `min_each` bytes per entry remain. */
static int rd_count(asw__rd_t *r, uint32_t min_each, uint32_t limit, const char *what,
                    uint32_t *out)
{
    size_t at = r->pos;
    int rc = asw__rd_u32(r, out);
    if (rc < 0) return rc;
    if ((uint64_t)*out * min_each > r->end - r->pos) {
        r->pos = r->end;
        return asw__rd_eof(r);
    }
    if (*out > limit)
        return asw__rd_fail(r, ASW_E_LIMIT, at, "too many %s (%u; the limit is %u)", what, *out,
                            limit);
    return 0;
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k;
        if ((c & 0xE0) == 0xC0) {
            k = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i - 1 < k) return false;
        for (size_t j = 1; j <= k; j++) {
            uint8_t b = s[i + j];
            if ((b & 0xC0) != 0x80) return false;
            cp = cp << 6 | (b & 0x3F);
        }
        if (k == 1 && cp < 0x80) return false;
        if (k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
        if (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
        i += k + 1;
    }
    return true;
}

/* Reads a name: checks UTF-8 and returns a NUL-terminated copy (out may be NULL: check only). */
static int rd_name(asw__rd_t *r, char **out, uint32_t *out_len)
{
    size_t at = r->pos;
    uint32_t n;
    int rc = asw__rd_u32(r, &n);
    if (rc < 0) return rc;
    if (n > r->end - r->pos) return asw__rd_fail(r, ASW_E_MALFORMED, at, "length out of bounds");
    const uint8_t *s = r->p + r->pos;
    if (!utf8_valid(s, n))
        return asw__rd_fail(r, ASW_E_MALFORMED, r->pos, "malformed UTF-8 encoding");
    r->pos += n;
    if (out_len) *out_len = n;
    if (out) {
        char *c = asw__malloc((size_t)n + 1);
        if (!c) return nomem(r);
        memcpy(c, s, n);
        c[n] = 0;
        *out = c;
    }
    return 0;
}

static int rd_valtype(asw__rd_t *r, uint8_t *out)
{
    size_t at = r->pos;
    uint8_t b;
    int rc = asw__rd_byte(r, &b);
    if (rc < 0) return rc;
    switch (b) {
    case ASW_I32:
    case ASW_I64:
    case ASW_F32:
    case ASW_F64:
    case ASW_FUNCREF:
    case ASW_EXTERNREF: *out = b; return 0;
    case ASW_V128:
        return asw__rd_fail(r, ASW_E_UNSUPPORTED, at,
                            "unsupported feature: value type v128 (SIMD is not supported)");
    default: return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed value type 0x%02x", b);
    }
}

static int rd_reftype(asw__rd_t *r, uint8_t *out)
{
    size_t at = r->pos;
    uint8_t b;
    int rc = asw__rd_byte(r, &b);
    if (rc < 0) return rc;
    if (b != ASW_FUNCREF && b != ASW_EXTERNREF)
        return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed reference type 0x%02x", b);
    *out = b;
    return 0;
}

static int rd_limits(asw__rd_t *r, asw_limits_type_t *out)
{
    size_t at = r->pos;
    uint8_t flags;
    uint32_t v;
    int rc = asw__rd_byte(r, &flags);
    if (rc < 0) return rc;
    if (flags > 1) {
        if (flags <= 7)
            return asw__rd_fail(r, ASW_E_UNSUPPORTED, at,
                                "unsupported feature: limits flags 0x%02x (shared or 64-bit "
                                "memories and tables are not supported)",
                                flags);
        return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed limits flags 0x%02x", flags);
    }
    if ((rc = asw__rd_u32(r, &v)) < 0) return rc;
    out->min = v;
    out->has_max = flags == 1;
    out->max = 0;
    if (flags == 1) {
        if ((rc = asw__rd_u32(r, &v)) < 0) return rc;
        out->max = v;
    }
    return 0;
}

static bool is_const_op(uint8_t op)
{
    return op == ASW_OP_I32_CONST || op == ASW_OP_I64_CONST || op == ASW_OP_F32_CONST ||
           op == ASW_OP_F64_CONST || op == ASW_OP_REF_NULL || op == ASW_OP_REF_FUNC ||
           op == ASW_OP_GLOBAL_GET;
}

static int bad_const_op(asw__rd_t *r, size_t at, uint8_t op)
{
    if (op == ASW_OP_PREFIX_SIMD)
        return asw__rd_fail(r, ASW_E_UNSUPPORTED, at,
                            "illegal opcode fd (unsupported feature: SIMD is not supported)");
    if (op == ASW_OP_PREFIX_FC || asw__opinfo_main[op].valid)
        return asw__rd_fail(r, ASW_E_INVALID_MODULE, at, "constant expression required");
    return asw__rd_fail(r, ASW_E_MALFORMED, at, "illegal opcode %02x", op);
}

/* A constant expression of 2.0: one constant instruction and `end`. */
static int rd_constexpr(asw__rd_t *r, asw__constexpr_t *ce)
{
    size_t at = r->pos;
    uint8_t op;
    int rc = asw__rd_byte(r, &op);
    if (rc < 0) return rc;
    memset(ce, 0, sizeof *ce);
    ce->op = op;
    switch (op) {
    case ASW_OP_I32_CONST: {
        int32_t v;
        if ((rc = asw__rd_s32(r, &v)) < 0) return rc;
        ce->type = ASW_I32;
        ce->bits = (uint32_t)v;
        break;
    }
    case ASW_OP_I64_CONST: {
        int64_t v;
        if ((rc = asw__rd_s64(r, &v)) < 0) return rc;
        ce->type = ASW_I64;
        ce->bits = (uint64_t)v;
        break;
    }
    case ASW_OP_F32_CONST:
        if ((rc = asw__rd_skip(r, 4)) < 0) return rc;
        ce->type = ASW_F32;
        ce->bits = asw__read_u32le(r->p + r->pos - 4);
        break;
    case ASW_OP_F64_CONST:
        if ((rc = asw__rd_skip(r, 8)) < 0) return rc;
        ce->type = ASW_F64;
        ce->bits = asw__read_u64le(r->p + r->pos - 8);
        break;
    case ASW_OP_REF_NULL:
        if ((rc = rd_reftype(r, &ce->type)) < 0) return rc;
        break;
    case ASW_OP_REF_FUNC:
        if ((rc = asw__rd_u32(r, &ce->index)) < 0) return rc;
        ce->type = ASW_FUNCREF;
        break;
    case ASW_OP_GLOBAL_GET:
        if ((rc = asw__rd_u32(r, &ce->index)) < 0) return rc;
        ce->type = 0; /* the global's type: filled in by the validator */
        break;
    case ASW_OP_END:
        return asw__rd_fail(r, ASW_E_INVALID_MODULE, at,
                            "type mismatch: empty constant expression");
    default: return bad_const_op(r, at, op);
    }
    at = r->pos;
    uint8_t b;
    if ((rc = asw__rd_byte(r, &b)) < 0) return rc;
    if (b != ASW_OP_END) {
        if (is_const_op(b))
            return asw__rd_fail(r, ASW_E_INVALID_MODULE, at,
                                "type mismatch: constant expression leaves more than one value");
        return bad_const_op(r, at, b);
    }
    return 0;
}

/* ------------------------------------------------------------------ sections */

static int sec_type(dec_t *d, asw__rd_t *r)
{
    asw_module_t *m = d->m;
    uint32_t n;
    int rc = rd_count(r, 3, ASW__MAX_TYPES, "types", &n);
    if (rc < 0) return rc;
    if (n && !(m->types = asw__calloc(n, sizeof *m->types))) return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        size_t at = r->pos;
        uint8_t form;
        uint32_t np, nr;
        uint8_t t;
        if ((rc = asw__rd_byte(r, &form)) < 0) return rc;
        if (form != 0x60)
            return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed functype 0x%02x", form);
        if ((rc = rd_count(r, 1, ASW__MAX_PARAMS, "parameters", &np)) < 0) return rc;
        size_t pstart = r->pos;
        for (uint32_t k = 0; k < np; k++)
            if ((rc = rd_valtype(r, &t)) < 0) return rc;
        if ((rc = rd_count(r, 1, ASW__MAX_RESULTS, "results", &nr)) < 0) return rc;
        size_t rstart = r->pos;
        for (uint32_t k = 0; k < nr; k++)
            if ((rc = rd_valtype(r, &t)) < 0) return rc;
        asw__functype_t *ft = &m->types[i];
        if (!(ft->types = asw__malloc((size_t)np + nr + 1))) return nomem(r);
        memcpy(ft->types, r->p + pstart, np);
        memcpy(ft->types + np, r->p + rstart, nr);
        ft->nparams = np;
        ft->nresults = nr;
        m->ntypes = i + 1;
    }
    return 0;
}

/* Appends a function of type `type_idx` whose type index was read at `at`. */
static int push_func(dec_t *d, asw__rd_t *r, uint32_t type_idx, size_t at)
{
    asw_module_t *m = d->m;
    if (m->nfuncs >= ASW__MAX_FUNCS)
        return asw__rd_fail(r, ASW_E_LIMIT, r->pos, "too many functions (the limit is %u)",
                            ASW__MAX_FUNCS);
    if (reserve((void **)&m->funcs, &d->cap_funcs, m->nfuncs + 1, sizeof *m->funcs) < 0)
        return nomem(r);
    asw__func_def_t *f = &m->funcs[m->nfuncs++];
    f->type_idx = type_idx;
    f->decl_offset = (uint32_t)at;
    return 0;
}

static int rd_tabletype(dec_t *d, asw__rd_t *r)
{
    asw_module_t *m = d->m;
    asw__table_def_t t;
    int rc;
    t.offset = (uint32_t)r->pos;
    if ((rc = rd_reftype(r, &t.elem_type)) < 0) return rc;
    if ((rc = rd_limits(r, &t.limits)) < 0) return rc;
    if (m->ntables >= ASW__MAX_TABLES)
        return asw__rd_fail(r, ASW_E_LIMIT, r->pos, "too many tables (the limit is %u)",
                            ASW__MAX_TABLES);
    if (reserve((void **)&m->tables, &d->cap_tables, m->ntables + 1, sizeof *m->tables) < 0)
        return nomem(r);
    m->tables[m->ntables++] = t;
    return 0;
}

static int rd_memtype(dec_t *d, asw__rd_t *r)
{
    asw_module_t *m = d->m;
    asw__memory_def_t mem;
    int rc;
    mem.offset = (uint32_t)r->pos;
    if ((rc = rd_limits(r, &mem.limits)) < 0) return rc;
    /* More than one memory is invalid, not malformed (validate.c); this only bounds storage. */
    if (m->nmemories >= ASW__MAX_TABLES)
        return asw__rd_fail(r, ASW_E_LIMIT, r->pos, "too many memories");
    if (reserve((void **)&m->memories, &d->cap_mems, m->nmemories + 1, sizeof *m->memories) < 0)
        return nomem(r);
    m->memories[m->nmemories++] = mem;
    return 0;
}

static int rd_globaltype(asw__rd_t *r, asw__global_def_t *g)
{
    int rc;
    uint8_t mut;
    g->offset = (uint32_t)r->pos;
    if ((rc = rd_valtype(r, &g->type)) < 0) return rc;
    size_t at = r->pos;
    if ((rc = asw__rd_byte(r, &mut)) < 0) return rc;
    if (mut > 1) return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed mutability");
    g->mutable_ = mut == 1;
    return 0;
}

static int push_global(dec_t *d, asw__rd_t *r, asw__global_def_t **out)
{
    asw_module_t *m = d->m;
    if (m->nglobals >= ASW__MAX_GLOBALS)
        return asw__rd_fail(r, ASW_E_LIMIT, r->pos, "too many globals (the limit is %u)",
                            ASW__MAX_GLOBALS);
    if (reserve((void **)&m->globals, &d->cap_globals, m->nglobals + 1, sizeof *m->globals) < 0)
        return nomem(r);
    *out = &m->globals[m->nglobals++];
    return 0;
}

static int sec_import(dec_t *d, asw__rd_t *r)
{
    asw_module_t *m = d->m;
    uint32_t n;
    int rc = rd_count(r, 3, ASW__MAX_IMPORTS, "imports", &n);
    if (rc < 0) return rc;
    if (n && !(m->imports = asw__calloc(n, sizeof *m->imports))) return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        asw__import_t *imp = &m->imports[i];
        m->nimports = i + 1;
        imp->offset = (uint32_t)r->pos;
        if ((rc = rd_name(r, &imp->module, &imp->module_len)) < 0) return rc;
        if ((rc = rd_name(r, &imp->name, &imp->name_len)) < 0) return rc;
        size_t at = r->pos;
        uint8_t kind;
        if ((rc = asw__rd_byte(r, &kind)) < 0) return rc;
        imp->kind = kind;
        switch (kind) {
        case ASW_EXTERN_FUNC: {
            uint32_t ti;
            at = r->pos;
            if ((rc = asw__rd_u32(r, &ti)) < 0) return rc;
            imp->index = m->nfuncs;
            if ((rc = push_func(d, r, ti, at)) < 0) return rc;
            m->nimported_funcs = m->nfuncs;
            break;
        }
        case ASW_EXTERN_TABLE:
            imp->index = m->ntables;
            if ((rc = rd_tabletype(d, r)) < 0) return rc;
            m->nimported_tables = m->ntables;
            break;
        case ASW_EXTERN_MEMORY:
            imp->index = m->nmemories;
            if ((rc = rd_memtype(d, r)) < 0) return rc;
            m->nimported_memories = m->nmemories;
            break;
        case ASW_EXTERN_GLOBAL: {
            asw__global_def_t g = {0};
            asw__global_def_t *slot = NULL;
            if ((rc = rd_globaltype(r, &g)) < 0) return rc;
            imp->index = m->nglobals;
            if ((rc = push_global(d, r, &slot)) < 0) return rc;
            *slot = g;
            m->nimported_globals = m->nglobals;
            break;
        }
        default: return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed import kind 0x%02x", kind);
        }
    }
    return 0;
}

static int sec_function(dec_t *d, asw__rd_t *r)
{
    uint32_t n;
    int rc = rd_count(r, 1, ASW__MAX_FUNCS, "functions", &n);
    if (rc < 0) return rc;
    d->has_func_section = true;
    d->nfunc_decl = n;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = r->pos;
        uint32_t ti;
        if ((rc = asw__rd_u32(r, &ti)) < 0) return rc;
        if ((rc = push_func(d, r, ti, at)) < 0) return rc;
    }
    return 0;
}

static int sec_table(dec_t *d, asw__rd_t *r)
{
    uint32_t n;
    int rc = rd_count(r, 2, ASW__MAX_TABLES, "tables", &n);
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = rd_tabletype(d, r);
    return rc;
}

static int sec_memory(dec_t *d, asw__rd_t *r)
{
    uint32_t n;
    int rc = rd_count(r, 2, ASW__MAX_TABLES, "memories", &n);
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = rd_memtype(d, r);
    return rc;
}

static int sec_global(dec_t *d, asw__rd_t *r)
{
    uint32_t n;
    int rc = rd_count(r, 3, ASW__MAX_GLOBALS, "globals", &n);
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        asw__global_def_t g = {0};
        asw__global_def_t *slot = NULL;
        if ((rc = rd_globaltype(r, &g)) < 0) break;
        if ((rc = rd_constexpr(r, &g.init)) < 0) break;
        if ((rc = push_global(d, r, &slot)) < 0) break;
        *slot = g;
    }
    return rc;
}

static int sec_export(dec_t *d, asw__rd_t *r)
{
    asw_module_t *m = d->m;
    uint32_t n;
    int rc = rd_count(r, 3, ASW__MAX_EXPORTS, "exports", &n);
    if (rc < 0) return rc;
    if (n && !(m->exports = asw__calloc(n, sizeof *m->exports))) return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        asw__export_t *e = &m->exports[i];
        m->nexports = i + 1;
        e->offset = (uint32_t)r->pos;
        if ((rc = rd_name(r, &e->name, &e->name_len)) < 0) return rc;
        size_t at = r->pos;
        uint8_t kind;
        if ((rc = asw__rd_byte(r, &kind)) < 0) return rc;
        if (kind > ASW_EXTERN_GLOBAL)
            return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed export kind 0x%02x", kind);
        e->kind = kind;
        if ((rc = asw__rd_u32(r, &e->index)) < 0) return rc;
    }
    return 0;
}

static int sec_start(dec_t *d, asw__rd_t *r)
{
    uint32_t idx;
    d->m->start_offset = (uint32_t)r->pos;
    int rc = asw__rd_u32(r, &idx);
    if (rc < 0) return rc;
    d->m->start = idx;
    return 0;
}

static int sec_elem(dec_t *d, asw__rd_t *r)
{
    asw_module_t *m = d->m;
    uint32_t n;
    int rc = rd_count(r, 2, ASW__MAX_ELEM_SEGMENTS, "element segments", &n);
    if (rc < 0) return rc;
    if (n && !(m->elems = asw__calloc(n, sizeof *m->elems))) return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        asw__elem_t *e = &m->elems[i];
        m->nelems = i + 1;
        size_t at = r->pos;
        e->seg_offset = (uint32_t)at;
        uint32_t flags;
        if ((rc = asw__rd_u32(r, &flags)) < 0) return rc;
        if (flags > 7)
            return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed elements segment kind %u",
                                flags);
        bool exprs = flags & 4;
        if (flags & 1)
            e->mode = (flags & 2) ? ASW__SEG_DECLARATIVE : ASW__SEG_PASSIVE;
        else
            e->mode = ASW__SEG_ACTIVE;
        if (e->mode == ASW__SEG_ACTIVE) {
            if (flags & 2) {
                if ((rc = asw__rd_u32(r, &e->table)) < 0) return rc;
            }
            if ((rc = rd_constexpr(r, &e->offset)) < 0) return rc;
        }
        e->elem_type = ASW_FUNCREF;
        if (flags & 3) {
            if (exprs) {
                if ((rc = rd_reftype(r, &e->elem_type)) < 0) return rc;
            } else {
                uint8_t kind;
                at = r->pos;
                if ((rc = asw__rd_byte(r, &kind)) < 0) return rc;
                if (kind != 0)
                    return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed element kind 0x%02x",
                                        kind);
            }
        }
        uint32_t count;
        if ((rc = rd_count(r, 1, UINT32_MAX, "elements", &count)) < 0) return rc;
        if (count && !(e->items = asw__calloc(count, sizeof *e->items))) return nomem(r);
        for (uint32_t k = 0; k < count; k++) {
            if (exprs) {
                if ((rc = rd_constexpr(r, &e->items[k])) < 0) return rc;
            } else {
                e->items[k].op = ASW_OP_REF_FUNC;
                e->items[k].type = ASW_FUNCREF;
                if ((rc = asw__rd_u32(r, &e->items[k].index)) < 0) return rc;
            }
            e->count = k + 1;
        }
    }
    return 0;
}

static int sec_datacount(dec_t *d, asw__rd_t *r)
{
    d->m->data_count_offset = (uint32_t)r->pos;
    int rc = asw__rd_u32(r, &d->m->data_count);
    if (rc < 0) return rc;
    d->m->has_data_count = true;
    return 0;
}

static int sec_code(dec_t *d, asw__rd_t *r)
{
    asw_module_t *m = d->m;
    size_t at = r->pos;
    uint32_t n;
    int rc = rd_count(r, 2, ASW__MAX_FUNCS, "functions", &n);
    if (rc < 0) return rc;
    d->has_code = true;
    if (n != d->nfunc_decl)
        return asw__rd_fail(r, ASW_E_MALFORMED, at,
                            "function and code section have inconsistent lengths (%u functions, "
                            "%u bodies)",
                            d->nfunc_decl, n);
    for (uint32_t i = 0; i < n; i++) {
        asw__func_def_t *f = &m->funcs[m->nimported_funcs + i];
        at = r->pos;
        uint32_t size;
        if ((rc = asw__rd_u32(r, &size)) < 0) return rc;
        if (size > r->end - r->pos) {
            r->pos = r->end;
            return asw__rd_eof(r);
        }
        if (size > ASW__MAX_FUNC_SIZE)
            return asw__rd_fail(r, ASW_E_LIMIT, at,
                                "function %u is too large (%u bytes; the limit is %u)",
                                m->nimported_funcs + i, size, ASW__MAX_FUNC_SIZE);
        size_t start = r->pos;
        asw__rd_t b = *r;
        b.end = start + size;
        uint32_t ngroups;
        if ((rc = rd_count(&b, 2, UINT32_MAX, "local groups", &ngroups)) < 0) return rc;
        size_t groups_at = b.pos;
        uint64_t total = 0;
        for (uint32_t g = 0; g < ngroups; g++) {
            uint32_t cnt;
            uint8_t t;
            if ((rc = asw__rd_u32(&b, &cnt)) < 0) return rc;
            if ((rc = rd_valtype(&b, &t)) < 0) return rc;
            total += cnt;
            if (total > UINT32_MAX)
                return asw__rd_fail(r, ASW_E_MALFORMED, start, "too many locals");
        }
        uint32_t nparams = f->type_idx < m->ntypes ? m->types[f->type_idx].nparams : 0;
        if (total + nparams > ASW__MAX_LOCALS)
            return asw__rd_fail(r, ASW_E_LIMIT, start,
                                "too many locals (%llu with the parameters; the limit is %u)",
                                (unsigned long long)(total + nparams), ASW__MAX_LOCALS);
        d->total_locals += total;
        if (d->total_locals > d->locals_budget)
            return asw__rd_fail(r, ASW_E_LIMIT, start,
                                "too many locals in the module (%llu for %zu bytes of code)",
                                (unsigned long long)d->total_locals, m->len);
        if (total) {
            if (!(f->local_types = asw__malloc((size_t)total))) return nomem(r);
            b.pos = groups_at;
            uint32_t k = 0;
            for (uint32_t g = 0; g < ngroups; g++) {
                uint32_t cnt;
                uint8_t t;
                (void)asw__rd_u32(&b, &cnt);
                (void)rd_valtype(&b, &t);
                memset(f->local_types + k, t, cnt);
                k += cnt;
            }
        }
        f->nlocals = (uint32_t)total;
        f->body_offset = (uint32_t)start;
        f->body_size = size;
        f->code_offset = (uint32_t)b.pos;
        r->pos = start + size;
    }
    return 0;
}

static int sec_data(dec_t *d, asw__rd_t *r)
{
    asw_module_t *m = d->m;
    size_t at = r->pos;
    uint32_t n;
    int rc = rd_count(r, 2, ASW__MAX_DATA_SEGMENTS, "data segments", &n);
    if (rc < 0) return rc;
    d->has_data = true;
    if (m->has_data_count && n != m->data_count)
        return asw__rd_fail(r, ASW_E_MALFORMED, at,
                            "data count and data section have inconsistent lengths (%u and %u)",
                            m->data_count, n);
    if (n && !(m->datas = asw__calloc(n, sizeof *m->datas))) return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        asw__data_t *ds = &m->datas[i];
        m->ndatas = i + 1;
        at = r->pos;
        ds->seg_offset = (uint32_t)at;
        uint32_t flags, len;
        if ((rc = asw__rd_u32(r, &flags)) < 0) return rc;
        if (flags > 2)
            return asw__rd_fail(r, ASW_E_MALFORMED, at, "malformed data segment kind %u", flags);
        ds->mode = flags == 1 ? ASW__SEG_PASSIVE : ASW__SEG_ACTIVE;
        if (flags == 2 && (rc = asw__rd_u32(r, &ds->memory)) < 0) return rc;
        if (flags != 1 && (rc = rd_constexpr(r, &ds->offset)) < 0) return rc;
        if ((rc = asw__rd_u32(r, &len)) < 0) return rc;
        if ((rc = asw__rd_skip(r, len)) < 0) return rc;
        ds->bytes_offset = (uint32_t)(r->pos - len);
        ds->len = len;
    }
    return 0;
}

static int sec_custom(dec_t *d, asw__rd_t *r)
{
    asw_module_t *m = d->m;
    char *name = NULL;
    uint32_t name_len;
    int rc = rd_name(r, &name, &name_len);
    if (rc < 0) return rc;
    if (reserve((void **)&m->customs, &d->cap_customs, m->ncustoms + 1, sizeof *m->customs) < 0) {
        asw__free(name);
        return nomem(r);
    }
    asw__custom_t *c = &m->customs[m->ncustoms++];
    c->name = name;
    c->offset = (uint32_t)r->pos;
    c->len = (uint32_t)(r->end - r->pos);
    if (!d->has_names && name_len == 4 && memcmp(name, "name", 4) == 0) {
        d->has_names = true;
        d->names_off = r->pos;
        d->names_end = r->end;
    }
    r->pos = r->end;
    return 0;
}

/* The name section (custom "name"): module name (0) and function names (1); other subsections
 * are skipped. Any error drops the names and keeps the module (spec appendix, custom
 * sections). */
static void parse_names(dec_t *d)
{
    asw_module_t *m = d->m;
    asw__rd_t r = {.p = m->bytes, .pos = d->names_off, .end = d->names_end, .where = "name"};
    int last_id = -1;
    while (r.pos < r.end) {
        uint8_t id;
        uint32_t size;
        if (asw__rd_byte(&r, &id) < 0 || asw__rd_u32(&r, &size) < 0) goto drop;
        if (size > r.end - r.pos || (int)id <= last_id) goto drop;
        last_id = id;
        asw__rd_t s = r;
        s.end = r.pos + size;
        if (id == 0) {
            if (rd_name(&s, &m->module_name, NULL) < 0) goto drop;
        } else if (id == 1) {
            uint32_t n;
            int64_t prev = -1;
            if (rd_count(&s, 2, UINT32_MAX, "names", &n) < 0) goto drop;
            if (n && m->nfuncs && !(m->func_names = asw__calloc(m->nfuncs, sizeof(char *))))
                goto drop;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t idx;
                if (asw__rd_u32(&s, &idx) < 0) goto drop;
                if (idx >= m->nfuncs || (int64_t)idx <= prev) goto drop;
                prev = idx;
                if (rd_name(&s, &m->func_names[idx], NULL) < 0) goto drop;
            }
        } else {
            s.pos = s.end;
        }
        if (s.pos != s.end) goto drop;
        r.pos = s.end;
    }
    return;
drop:
    asw__free(m->module_name);
    m->module_name = NULL;
    if (m->func_names) {
        for (uint32_t i = 0; i < m->nfuncs; i++)
            asw__free(m->func_names[i]);
        asw__free(m->func_names);
        m->func_names = NULL;
    }
}

static const char *section_name(uint8_t id)
{
    static const char *const names[] = {"custom section",    "type section",   "import section",
                                        "function section",  "table section",  "memory section",
                                        "global section",    "export section", "start section",
                                        "element section",   "code section",   "data section",
                                        "data count section"};
    return id < ASW_ARRAY_LEN(names) ? names[id] : "section";
}

/* Position of each non-custom section in the required order (index: section id). */
static const uint8_t section_rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};

/* ------------------------------------------------------------------ entry points */

int asw__decode(asw_engine_t *engine, const uint8_t *bytes, size_t len, asw_module_t **out_module,
                asw_error_t *out_err)
{
    if (!out_module || (!bytes && len))
        return asw__errorf(out_err, ASW_E_INVALID, "asw__decode: missing bytes or out_module");
    *out_module = NULL;
    if (len > ASW__MAX_MODULE_SIZE)
        return asw__errorf(out_err, ASW_E_LIMIT,
                           "module is too large (%zu bytes; the limit is %zu)", len,
                           ASW__MAX_MODULE_SIZE);
    dec_t d = {0};
    d.err = out_err;
    int rc = ASW_E_NOMEM;
    asw_module_t *m = asw__calloc(1, sizeof *m);
    if (!m) goto nomem;
    atomic_init(&m->refcount, 1);
    m->engine = engine;
    m->start = -1;
    d.m = m;
    if (!(m->bytes = asw__malloc(len ? len : 1))) goto nomem;
    if (len) memcpy(m->bytes, bytes, len);
    m->len = len;
    /* Expanded locals are bounded by the code that declares them (hostile modules declare 50000
     * locals in 7 bytes): 1 Mi plus 64 per module byte. */
    d.locals_budget = ((uint64_t)1 << 20) + (uint64_t)len * 64;

    asw__rd_t r = {
        .p = m->bytes, .pos = 0, .end = len, .where = "module header", .top = true, .err = out_err};
    if (len < 4) {
        r.pos = len;
        rc = asw__rd_eof(&r);
        goto fail;
    }
    if (memcmp(m->bytes, "\0asm", 4) != 0) {
        rc = asw__rd_fail(&r, ASW_E_MALFORMED, 0, "magic header not detected");
        goto fail;
    }
    if (len < 8) {
        r.pos = len;
        rc = asw__rd_eof(&r);
        goto fail;
    }
    if (asw__read_u32le(m->bytes + 4) != 1) {
        rc = asw__rd_fail(&r, ASW_E_MALFORMED, 4, "unknown binary version %u",
                          asw__read_u32le(m->bytes + 4));
        goto fail;
    }
    r.pos = 8;
    r.where = "module";
    uint8_t last_rank = 0, last_id = 0;
    while (r.pos < r.end) {
        size_t sec_at = r.pos;
        uint8_t id;
        uint32_t size;
        if ((rc = asw__rd_byte(&r, &id)) < 0) goto fail;
        if (id > 12) {
            if (id == 13)
                rc = asw__rd_fail(&r, ASW_E_UNSUPPORTED, sec_at,
                                  "unsupported feature: section id 13 (exception handling tags)");
            else
                rc = asw__rd_fail(&r, ASW_E_MALFORMED, sec_at, "malformed section id %u", id);
            goto fail;
        }
        if ((rc = asw__rd_u32(&r, &size)) < 0) goto fail;
        if (size > r.end - r.pos) {
            rc = asw__rd_fail(&r, ASW_E_MALFORMED, sec_at,
                              "length out of bounds (%s of %u bytes, %zu left)", section_name(id),
                              size, r.end - r.pos);
            goto fail;
        }
        if (id != 0) {
            if (section_rank[id] <= last_rank) {
                rc = asw__rd_fail(&r, ASW_E_MALFORMED, sec_at,
                                  "unexpected content after last section (%s after %s)",
                                  section_name(id), section_name(last_id));
                goto fail;
            }
            last_rank = section_rank[id];
            last_id = id;
        }
        asw__rd_t s = {.p = m->bytes,
                       .pos = r.pos,
                       .end = r.pos + size,
                       .where = section_name(id),
                       .err = out_err};
        switch (id) {
        case 0: rc = sec_custom(&d, &s); break;
        case 1: rc = sec_type(&d, &s); break;
        case 2: rc = sec_import(&d, &s); break;
        case 3: rc = sec_function(&d, &s); break;
        case 4: rc = sec_table(&d, &s); break;
        case 5: rc = sec_memory(&d, &s); break;
        case 6: rc = sec_global(&d, &s); break;
        case 7: rc = sec_export(&d, &s); break;
        case 8: rc = sec_start(&d, &s); break;
        case 9: rc = sec_elem(&d, &s); break;
        case 10: rc = sec_code(&d, &s); break;
        case 11: rc = sec_data(&d, &s); break;
        default: rc = sec_datacount(&d, &s); break;
        }
        if (rc < 0) goto fail;
        if (s.pos != s.end) {
            rc = asw__rd_fail(&s, ASW_E_MALFORMED, s.pos, "section size mismatch");
            goto fail;
        }
        r.pos = s.end;
    }
    if (!d.has_code && d.nfunc_decl > 0) {
        rc = asw__rd_fail(&r, ASW_E_MALFORMED, len,
                          "function and code section have inconsistent lengths (%u functions, no "
                          "code section)",
                          d.nfunc_decl);
        goto fail;
    }
    if (m->has_data_count && !d.has_data && m->data_count != 0) {
        r.where = section_name(12);
        rc = asw__rd_fail(&r, ASW_E_MALFORMED, m->data_count_offset,
                          "data count and data section have inconsistent lengths (%u and no data "
                          "section)",
                          m->data_count);
        goto fail;
    }
    if (d.has_names) parse_names(&d);
    *out_module = m;
    return ASW_OK;

nomem:
    rc = asw__errorf(out_err, ASW_E_NOMEM, "out of memory while decoding a module");
fail:
    asw__module_free_decoded(m);
    return rc;
}

void asw__module_free_decoded(asw_module_t *m)
{
    if (!m) return;
    for (uint32_t i = 0; i < m->ntypes; i++)
        asw__free(m->types[i].types);
    asw__free(m->types);
    for (uint32_t i = 0; i < m->nimports; i++) {
        asw__free(m->imports[i].module);
        asw__free(m->imports[i].name);
    }
    asw__free(m->imports);
    for (uint32_t i = 0; i < m->nfuncs; i++)
        asw__free(m->funcs[i].local_types);
    asw__free(m->funcs);
    asw__free(m->tables);
    asw__free(m->memories);
    asw__free(m->globals);
    for (uint32_t i = 0; i < m->nexports; i++)
        asw__free(m->exports[i].name);
    asw__free(m->exports);
    for (uint32_t i = 0; i < m->nelems; i++)
        asw__free(m->elems[i].items);
    asw__free(m->elems);
    asw__free(m->datas);
    for (uint32_t i = 0; i < m->ncustoms; i++)
        asw__free(m->customs[i].name);
    asw__free(m->customs);
    asw__free(m->module_name);
    if (m->func_names) {
        for (uint32_t i = 0; i < m->nfuncs; i++)
            asw__free(m->func_names[i]);
        asw__free(m->func_names);
    }
    asw__free(m->declared_refs);
    asw__free(m->bytes);
    asw__free(m);
}
