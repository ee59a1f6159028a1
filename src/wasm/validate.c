/*
 * src/wasm/validate.c -- the validator of WebAssembly 2.0 (core spec, chapter 3 "Validation",
 * and the algorithm of the appendix "Validation Algorithm"), without SIMD.
 *
 * Design. Module-level rules first (types of imports, limits, at most one memory, constant
 * expressions, element and data segments, the start function, exports with unique names via a
 * hash set), then C.refs (module->declared_refs: functions named by ref.func in globals and
 * element segments, and exported functions), then every function body with the operand/control
 * stack algorithm of the appendix: an operand stack of value types where 0 stands for the
 * "unknown" type of unreachable code, and a control stack of frames (block, loop, if, else, and
 * the function itself). Both stacks are heap arrays reused across functions: nesting depth costs
 * no C stack, and is limited to ASW__MAX_NESTING frames. Instructions with a fixed signature take
 * it from the opcode table (opcodes.h); the others are typed by hand below.
 *
 * br_table: each target label is checked once per instruction (a per-frame stamp), so a table
 * of a million entries pointing at a few labels costs a million byte reads, not a million type
 * comparisons of the label's arity.
 *
 * Errors: ASW_E_INVALID_MODULE with the spec's wording, e.g.
 * "function 3 (name), byte 0x2a1: type mismatch in i32.add: expected i32, found f64";
 * ASW_E_MALFORMED for malformed instruction encodings found while walking bodies (illegal
 * opcodes, "zero byte expected", LEB128 errors, "data count section required" which the spec
 * classifies as malformed); ASW_E_UNSUPPORTED for SIMD; ASW_E_LIMIT for the ASW__MAX_* limits.
 * Module-level errors have the same shape: "<section>, byte 0x<offset>: <entity>: <rule>", e.g.
 * "global section, byte 0x1f: global 2: constant expression required (global 0 is mutable)",
 * where the offset is the one the decoder recorded for the entity (module.h) or, for a constant
 * expression or an element item, is found again by walking the entity's bytes on the error path.
 *
 * Not done: nothing of the 2.0 validation rules is left out; post-2.0 relaxations (extended
 * constant expressions, global.get of defined globals in constant expressions, multi-memory)
 * are rejected as 2.0 requires.
 */
#include "wasm/decode.h"
#include "wasm/opcodes.h"

#include <stdio.h>
#include <string.h>

#define UNK 0 /* the unknown operand type of unreachable code */

/* The operand stack is bounded: beyond this many values the function is refused (ASW_E_LIMIT);
 * a wasm function this deep has no use and would exhaust any executor. */
#define MAX_OPERANDS (1u << 22)

typedef struct ctrl {
    uint8_t op; /* ASW_OP_BLOCK, LOOP, IF, ELSE, or 0 for the function frame */
    bool unreachable;
    uint32_t height;
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint32_t stamp; /* br_table: last instruction that checked this label */
} ctrl_t;

typedef struct val {
    asw_module_t *m;
    asw__rd_t r;
    asw_error_t *err;
    uint8_t *vals;
    uint32_t nvals, cap_vals;
    ctrl_t *ctrls;
    uint32_t nctrls, cap_ctrls;
    const char *opname; /* the instruction being validated */
    size_t op_at;       /* its offset */
    uint32_t stamp;
    uint32_t func;
    const asw__functype_t *ftype;
    char where[32];
} val_t;

static const uint8_t single_types[] = {ASW_I32, ASW_I64,     ASW_F32,
                                       ASW_F64, ASW_FUNCREF, ASW_EXTERNREF};

static const uint8_t *single(uint8_t t)
{
    for (size_t i = 0; i < sizeof single_types; i++)
        if (single_types[i] == t) return &single_types[i];
    return NULL;
}

static const char *tname(uint8_t t)
{
    return t == UNK ? "nothing" : asw__valtype_name(t);
}

static bool is_num(uint8_t t)
{
    return t == ASW_I32 || t == ASW_I64 || t == ASW_F32 || t == ASW_F64 || t == UNK;
}

static bool is_ref(uint8_t t)
{
    return t == ASW_FUNCREF || t == ASW_EXTERNREF || t == UNK;
}

/* ------------------------------------------------------------------ errors */

static int vfail(val_t *v, int code, const char *fmt, ...) ASW_PRINTF(3, 4);
static int vfail(val_t *v, int code, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return asw__rd_fail(&v->r, code, v->op_at, "%s", msg);
}
#ifdef __clang_analyzer__
/* For clang-tidy's analyzer, which does not inline variadic functions: vfail returns its code. */
#define vfail(v, code, ...) (vfail(v, code, __VA_ARGS__), (code))
#endif

static int mismatch(val_t *v, uint8_t expect, uint8_t found)
{
    return vfail(v, ASW_E_INVALID_MODULE, "type mismatch in %s: expected %s, found %s", v->opname,
                 expect == UNK ? "a value" : asw__valtype_name(expect), tname(found));
}

static int unknown(val_t *v, const char *what, uint32_t idx)
{
    return vfail(v, ASW_E_INVALID_MODULE, "unknown %s %u in %s", what, idx, v->opname);
}

/* ------------------------------------------------------------------ the two stacks */

static int push(val_t *v, uint8_t t)
{
    if (ASW_UNLIKELY(v->nvals == v->cap_vals)) {
        if (v->cap_vals >= MAX_OPERANDS)
            return vfail(v, ASW_E_LIMIT, "too many operands on the stack (the limit is %u)",
                         MAX_OPERANDS);
        uint32_t ncap = v->cap_vals ? v->cap_vals * 2 : 256;
        uint8_t *p = asw__realloc(v->vals, ncap);
        if (!p) return vfail(v, ASW_E_NOMEM, "out of memory");
        v->vals = p;
        v->cap_vals = ncap;
    }
    v->vals[v->nvals++] = t;
    return 0;
}

/* Pops one operand; `expect` UNK accepts any type. *out (may be NULL) gets the actual type. */
static int pop(val_t *v, uint8_t expect, uint8_t *out)
{
    ctrl_t *c = &v->ctrls[v->nctrls - 1];
    uint8_t a;
    if (v->nvals == c->height) {
        if (!c->unreachable) return mismatch(v, expect, UNK);
        a = UNK;
    } else {
        a = v->vals[--v->nvals];
        if (expect != UNK && a != UNK && a != expect) return mismatch(v, expect, a);
    }
    if (out) *out = a;
    return 0;
}

static int pop_n(val_t *v, const uint8_t *types, uint32_t n)
{
    for (uint32_t i = n; i-- > 0;) {
        int rc = pop(v, types[i], NULL);
        if (rc < 0) return rc;
    }
    return 0;
}

static int push_n(val_t *v, const uint8_t *types, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int rc = push(v, types[i]);
        if (rc < 0) return rc;
    }
    return 0;
}

static int push_ctrl(val_t *v, uint8_t op, const uint8_t *params, uint32_t np,
                     const uint8_t *results, uint32_t nr)
{
    if (v->nctrls == v->cap_ctrls) {
        if (v->cap_ctrls >= ASW__MAX_NESTING + 1)
            return vfail(v, ASW_E_LIMIT, "blocks nested too deeply in %s (the limit is %u)",
                         v->opname, ASW__MAX_NESTING);
        uint32_t ncap = v->cap_ctrls ? v->cap_ctrls * 2 : 64;
        if (ncap > ASW__MAX_NESTING + 1) ncap = ASW__MAX_NESTING + 1;
        ctrl_t *p = asw__reallocarray(v->ctrls, ncap, sizeof *p);
        if (!p) return vfail(v, ASW_E_NOMEM, "out of memory");
        v->ctrls = p;
        v->cap_ctrls = ncap;
    }
    ctrl_t *c = &v->ctrls[v->nctrls++];
    c->op = op;
    c->unreachable = false;
    c->height = v->nvals;
    c->params = params;
    c->nparams = np;
    c->results = results;
    c->nresults = nr;
    c->stamp = 0;
    return push_n(v, params, np);
}

/* Pops the top frame after checking its results; *out receives a copy. */
static int pop_ctrl(val_t *v, ctrl_t *out)
{
    ctrl_t *c = &v->ctrls[v->nctrls - 1];
    int rc = pop_n(v, c->results, c->nresults);
    if (rc < 0) return rc;
    if (v->nvals != c->height)
        return vfail(v, ASW_E_INVALID_MODULE,
                     "type mismatch in %s: %u value(s) left on the stack at the end of the block",
                     v->opname, v->nvals - c->height);
    *out = *c;
    v->nctrls--;
    return 0;
}

static void set_unreachable(val_t *v)
{
    ctrl_t *c = &v->ctrls[v->nctrls - 1];
    v->nvals = c->height;
    c->unreachable = true;
}

static void label_types(const ctrl_t *c, const uint8_t **types, uint32_t *n)
{
    if (c->op == ASW_OP_LOOP) {
        *types = c->params;
        *n = c->nparams;
    } else {
        *types = c->results;
        *n = c->nresults;
    }
}

/* ------------------------------------------------------------------ immediates */

static int rd_label(val_t *v, uint32_t *out)
{
    int rc = asw__rd_u32(&v->r, out);
    if (rc < 0) return rc;
    if (*out >= v->nctrls) return unknown(v, "label", *out);
    return 0;
}

static int rd_zero(val_t *v)
{
    size_t at = v->r.pos;
    uint8_t b;
    int rc = asw__rd_byte(&v->r, &b);
    if (rc < 0) return rc;
    if (b != 0)
        return asw__rd_fail(&v->r, ASW_E_MALFORMED, at, "zero byte expected in %s", v->opname);
    return 0;
}

static int need_memory(val_t *v)
{
    if (v->m->nmemories == 0) return unknown(v, "memory", 0);
    return 0;
}

static int rd_table(val_t *v, uint32_t *out)
{
    int rc = asw__rd_u32(&v->r, out);
    if (rc < 0) return rc;
    if (*out >= v->m->ntables) return unknown(v, "table", *out);
    return 0;
}

static int rd_blocktype(val_t *v, const uint8_t **params, uint32_t *np, const uint8_t **results,
                        uint32_t *nr)
{
    size_t at = v->r.pos;
    int64_t bt;
    int rc = asw__rd_s33(&v->r, &bt);
    if (rc < 0) return rc;
    *params = NULL;
    *np = 0;
    *results = NULL;
    *nr = 0;
    if (bt >= 0) {
        if ((uint64_t)bt >= v->m->ntypes) return unknown(v, "type", (uint32_t)bt);
        const asw__functype_t *ft = &v->m->types[bt];
        *params = ft->types;
        *np = ft->nparams;
        *results = ft->types + ft->nparams;
        *nr = ft->nresults;
        return 0;
    }
    if (bt == -64) return 0; /* 0x40: empty */
    uint8_t t = (uint8_t)(bt & 0x7F);
    if (bt < -64 || !(*results = single(t))) {
        if (t == ASW_V128 && bt >= -64)
            return asw__rd_fail(&v->r, ASW_E_UNSUPPORTED, at,
                                "unsupported feature: block type v128 (SIMD is not supported)");
        return asw__rd_fail(&v->r, ASW_E_MALFORMED, at, "malformed block type");
    }
    *nr = 1;
    return 0;
}

static int memarg(val_t *v, uint8_t natural)
{
    size_t at = v->r.pos;
    uint32_t align, offset;
    int rc;
    if ((rc = asw__rd_u32(&v->r, &align)) < 0) return rc;
    if ((rc = asw__rd_u32(&v->r, &offset)) < 0) return rc;
    if ((rc = need_memory(v)) < 0) return rc;
    if (align > natural)
        return asw__rd_fail(&v->r, ASW_E_INVALID_MODULE, at,
                            "alignment must not be larger than natural in %s (2^%u > 2^%u)",
                            v->opname, align, natural);
    return 0;
}

static bool declared(const asw_module_t *m, uint32_t f)
{
    return m->declared_refs && (m->declared_refs[f >> 3] >> (f & 7) & 1);
}

/* ------------------------------------------------------------------ instructions */

static int op_generic(val_t *v, const asw__opinfo_t *oi)
{
    int rc;
    if (oi->p2 && (rc = pop(v, oi->p2, NULL)) < 0) return rc;
    if (oi->p1 && (rc = pop(v, oi->p1, NULL)) < 0) return rc;
    if (oi->res && (rc = push(v, oi->res)) < 0) return rc;
    return 0;
}

static int pop3_i32(val_t *v)
{
    int rc;
    for (int i = 0; i < 3; i++)
        if ((rc = pop(v, ASW_I32, NULL)) < 0) return rc;
    return 0;
}

static int op_fc(val_t *v)
{
    asw_module_t *m = v->m;
    size_t at = v->op_at;
    uint32_t sub, x, y;
    int rc = asw__rd_u32(&v->r, &sub);
    if (rc < 0) return rc;
    if (sub >= ASW__OPINFO_FC_COUNT || !asw__opinfo_fc[sub].valid)
        return asw__rd_fail(&v->r, ASW_E_MALFORMED, at, "illegal opcode fc %x", sub);
    const asw__opinfo_t *oi = &asw__opinfo_fc[sub];
    v->opname = oi->name;
    switch (sub) {
    case ASW_OP_MEMORY_INIT:
    case ASW_OP_DATA_DROP:
        if ((rc = asw__rd_u32(&v->r, &x)) < 0) return rc;
        if (!m->has_data_count)
            return vfail(v, ASW_E_MALFORMED, "data count section required for %s", v->opname);
        if (x >= m->data_count) return unknown(v, "data segment", x);
        if (sub == ASW_OP_DATA_DROP) return 0;
        if ((rc = rd_zero(v)) < 0) return rc;
        if ((rc = need_memory(v)) < 0) return rc;
        return pop3_i32(v);
    case ASW_OP_MEMORY_COPY:
        if ((rc = rd_zero(v)) < 0 || (rc = rd_zero(v)) < 0) return rc;
        if ((rc = need_memory(v)) < 0) return rc;
        return pop3_i32(v);
    case ASW_OP_MEMORY_FILL:
        if ((rc = rd_zero(v)) < 0) return rc;
        if ((rc = need_memory(v)) < 0) return rc;
        return pop3_i32(v);
    case ASW_OP_TABLE_INIT:
        if ((rc = asw__rd_u32(&v->r, &y)) < 0) return rc;
        if ((rc = rd_table(v, &x)) < 0) return rc;
        if (y >= m->nelems) return unknown(v, "elem segment", y);
        if (m->elems[y].elem_type != m->tables[x].elem_type)
            return mismatch(v, m->tables[x].elem_type, m->elems[y].elem_type);
        return pop3_i32(v);
    case ASW_OP_ELEM_DROP:
        if ((rc = asw__rd_u32(&v->r, &y)) < 0) return rc;
        if (y >= m->nelems) return unknown(v, "elem segment", y);
        return 0;
    case ASW_OP_TABLE_COPY:
        if ((rc = rd_table(v, &x)) < 0 || (rc = rd_table(v, &y)) < 0) return rc;
        if (m->tables[x].elem_type != m->tables[y].elem_type)
            return mismatch(v, m->tables[x].elem_type, m->tables[y].elem_type);
        return pop3_i32(v);
    case ASW_OP_TABLE_GROW:
        if ((rc = rd_table(v, &x)) < 0) return rc;
        if ((rc = pop(v, ASW_I32, NULL)) < 0) return rc;
        if ((rc = pop(v, m->tables[x].elem_type, NULL)) < 0) return rc;
        return push(v, ASW_I32);
    case ASW_OP_TABLE_SIZE:
        if ((rc = rd_table(v, &x)) < 0) return rc;
        return push(v, ASW_I32);
    case ASW_OP_TABLE_FILL:
        if ((rc = rd_table(v, &x)) < 0) return rc;
        if ((rc = pop(v, ASW_I32, NULL)) < 0) return rc;
        if ((rc = pop(v, m->tables[x].elem_type, NULL)) < 0) return rc;
        return pop(v, ASW_I32, NULL);
    default: return op_generic(v, oi); /* the saturating truncations */
    }
}

static int op_br_table(val_t *v)
{
    uint32_t n, l;
    size_t at = v->r.pos;
    int rc = asw__rd_u32(&v->r, &n);
    if (rc < 0) return rc;
    if (n > v->r.end - v->r.pos) {
        v->r.pos = v->r.end;
        return asw__rd_eof(&v->r);
    }
    if (n > ASW__MAX_BR_TABLE)
        return asw__rd_fail(&v->r, ASW_E_LIMIT, at,
                            "br_table has too many targets (%u; the "
                            "limit is %u)",
                            n, ASW__MAX_BR_TABLE);
    size_t targets = v->r.pos;
    for (uint32_t i = 0; i < n; i++)
        if ((rc = asw__rd_u32(&v->r, &l)) < 0) return rc;
    uint32_t dflt;
    if ((rc = rd_label(v, &dflt)) < 0) return rc;
    size_t after = v->r.pos;
    if ((rc = pop(v, ASW_I32, NULL)) < 0) return rc;
    const uint8_t *dt;
    uint32_t arity;
    label_types(&v->ctrls[v->nctrls - 1 - dflt], &dt, &arity);
    uint32_t stamp = ++v->stamp;
    v->r.pos = targets;
    for (uint32_t i = 0; i < n; i++) {
        if ((rc = rd_label(v, &l)) < 0) return rc;
        ctrl_t *c = &v->ctrls[v->nctrls - 1 - l];
        if (c->stamp == stamp) continue; /* this label was checked already */
        c->stamp = stamp;
        const uint8_t *lt;
        uint32_t ln;
        label_types(c, &lt, &ln);
        if (ln != arity)
            return vfail(v, ASW_E_INVALID_MODULE,
                         "type mismatch in br_table: label %u has %u value(s), the default "
                         "label %u has %u",
                         l, ln, dflt, arity);
        if ((rc = pop_n(v, lt, ln)) < 0 || (rc = push_n(v, lt, ln)) < 0) return rc;
    }
    v->r.pos = after;
    if ((rc = pop_n(v, dt, arity)) < 0) return rc;
    set_unreachable(v);
    return 0;
}

static int op_call(val_t *v, const asw__functype_t *ft)
{
    int rc = pop_n(v, ft->types, ft->nparams);
    if (rc < 0) return rc;
    return push_n(v, ft->types + ft->nparams, ft->nresults);
}

/* Validates one instruction whose opcode byte was just read. Returns 1 when the function's final
 * `end` was consumed, 0 to go on, or a negative error. */
static int instr(val_t *v, uint8_t op)
{
    asw_module_t *m = v->m;
    const asw__opinfo_t *oi = &asw__opinfo_main[op];
    uint32_t x, y;
    uint8_t t, t1, t2;
    int rc = 0;
    if (!oi->valid) {
        if (op == ASW_OP_PREFIX_FC) {
            v->opname = "0xfc";
            return op_fc(v);
        }
        v->opname = "?";
        if (op == ASW_OP_PREFIX_SIMD)
            return vfail(v, ASW_E_UNSUPPORTED,
                         "illegal opcode fd (unsupported feature: SIMD is not supported)");
        return vfail(v, ASW_E_MALFORMED, "illegal opcode %02x", op);
    }
    v->opname = oi->name;
    switch (op) {
    case ASW_OP_UNREACHABLE: set_unreachable(v); return 0;
    case ASW_OP_NOP: return 0;
    case ASW_OP_BLOCK:
    case ASW_OP_LOOP:
    case ASW_OP_IF: {
        const uint8_t *ps, *rs;
        uint32_t np, nr;
        if ((rc = rd_blocktype(v, &ps, &np, &rs, &nr)) < 0) return rc;
        if (op == ASW_OP_IF && (rc = pop(v, ASW_I32, NULL)) < 0) return rc;
        if ((rc = pop_n(v, ps, np)) < 0) return rc;
        return push_ctrl(v, op, ps, np, rs, nr);
    }
    case ASW_OP_ELSE: {
        ctrl_t c;
        if (v->ctrls[v->nctrls - 1].op != ASW_OP_IF)
            return vfail(v, ASW_E_MALFORMED, "else without a matching if");
        if ((rc = pop_ctrl(v, &c)) < 0) return rc;
        return push_ctrl(v, ASW_OP_ELSE, c.params, c.nparams, c.results, c.nresults);
    }
    case ASW_OP_END: {
        ctrl_t c;
        if ((rc = pop_ctrl(v, &c)) < 0) return rc;
        if (c.op == ASW_OP_IF) {
            /* An if without else: the missing branch passes its parameters through. */
            bool same = c.nparams == c.nresults;
            for (uint32_t i = 0; same && i < c.nparams; i++)
                same = c.params[i] == c.results[i];
            if (!same)
                return vfail(v, ASW_E_INVALID_MODULE,
                             "type mismatch in if: an if without else must have the same "
                             "parameter and result types");
        }
        if (v->nctrls == 0) return 1;
        return push_n(v, c.results, c.nresults);
    }
    case ASW_OP_BR:
    case ASW_OP_BR_IF: {
        const uint8_t *lt;
        uint32_t ln;
        if ((rc = rd_label(v, &x)) < 0) return rc;
        if (op == ASW_OP_BR_IF && (rc = pop(v, ASW_I32, NULL)) < 0) return rc;
        label_types(&v->ctrls[v->nctrls - 1 - x], &lt, &ln);
        if ((rc = pop_n(v, lt, ln)) < 0) return rc;
        if (op == ASW_OP_BR_IF) return push_n(v, lt, ln);
        set_unreachable(v);
        return 0;
    }
    case ASW_OP_BR_TABLE: return op_br_table(v);
    case ASW_OP_RETURN:
        if ((rc = pop_n(v, v->ctrls[0].results, v->ctrls[0].nresults)) < 0) return rc;
        set_unreachable(v);
        return 0;
    case ASW_OP_CALL:
        if ((rc = asw__rd_u32(&v->r, &x)) < 0) return rc;
        if (x >= m->nfuncs) return unknown(v, "function", x);
        return op_call(v, asw__module_func_type(m, x));
    case ASW_OP_CALL_INDIRECT:
        if ((rc = asw__rd_u32(&v->r, &y)) < 0) return rc;
        if ((rc = rd_table(v, &x)) < 0) return rc;
        if (y >= m->ntypes) return unknown(v, "type", y);
        if (m->tables[x].elem_type != ASW_FUNCREF)
            return mismatch(v, ASW_FUNCREF, m->tables[x].elem_type);
        if ((rc = pop(v, ASW_I32, NULL)) < 0) return rc;
        return op_call(v, &m->types[y]);
    case ASW_OP_DROP: return pop(v, UNK, NULL);
    case ASW_OP_SELECT:
        if ((rc = pop(v, ASW_I32, NULL)) < 0) return rc;
        if ((rc = pop(v, UNK, &t1)) < 0 || (rc = pop(v, UNK, &t2)) < 0) return rc;
        if (!is_num(t1) || !is_num(t2))
            return vfail(v, ASW_E_INVALID_MODULE,
                         "type mismatch in select: operands of the untyped select must be "
                         "numeric, found %s",
                         tname(is_num(t1) ? t2 : t1));
        if (t1 != t2 && t1 != UNK && t2 != UNK) return mismatch(v, t1, t2);
        return push(v, t1 == UNK ? t2 : t1);
    case ASW_OP_SELECT_T: {
        size_t at = v->r.pos;
        uint32_t n;
        if ((rc = asw__rd_u32(&v->r, &n)) < 0) return rc;
        if (n != 1)
            return asw__rd_fail(&v->r, ASW_E_INVALID_MODULE, at,
                                "invalid result arity in select (%u types)", n);
        at = v->r.pos;
        if ((rc = asw__rd_byte(&v->r, &t)) < 0) return rc;
        if (!single(t)) {
            if (t == ASW_V128)
                return asw__rd_fail(&v->r, ASW_E_UNSUPPORTED, at,
                                    "unsupported feature: value type v128 (SIMD is not "
                                    "supported)");
            return asw__rd_fail(&v->r, ASW_E_MALFORMED, at, "malformed value type 0x%02x", t);
        }
        if ((rc = pop(v, ASW_I32, NULL)) < 0) return rc;
        if ((rc = pop(v, t, NULL)) < 0 || (rc = pop(v, t, NULL)) < 0) return rc;
        return push(v, t);
    }
    case ASW_OP_LOCAL_GET:
    case ASW_OP_LOCAL_SET:
    case ASW_OP_LOCAL_TEE: {
        if ((rc = asw__rd_u32(&v->r, &x)) < 0) return rc;
        const asw__func_def_t *f = &m->funcs[v->func];
        uint32_t np = v->ftype->nparams;
        if (x >= np + f->nlocals) return unknown(v, "local", x);
        t = x < np ? v->ftype->types[x] : f->local_types[x - np];
        if (op != ASW_OP_LOCAL_GET && (rc = pop(v, t, NULL)) < 0) return rc;
        if (op != ASW_OP_LOCAL_SET) return push(v, t);
        return 0;
    }
    case ASW_OP_GLOBAL_GET:
    case ASW_OP_GLOBAL_SET:
        if ((rc = asw__rd_u32(&v->r, &x)) < 0) return rc;
        if (x >= m->nglobals) return unknown(v, "global", x);
        if (op == ASW_OP_GLOBAL_GET) return push(v, m->globals[x].type);
        if (!m->globals[x].mutable_)
            return vfail(v, ASW_E_INVALID_MODULE, "global is immutable: global.set of global %u",
                         x);
        return pop(v, m->globals[x].type, NULL);
    case ASW_OP_TABLE_GET:
        if ((rc = rd_table(v, &x)) < 0) return rc;
        if ((rc = pop(v, ASW_I32, NULL)) < 0) return rc;
        return push(v, m->tables[x].elem_type);
    case ASW_OP_TABLE_SET:
        if ((rc = rd_table(v, &x)) < 0) return rc;
        if ((rc = pop(v, m->tables[x].elem_type, NULL)) < 0) return rc;
        return pop(v, ASW_I32, NULL);
    case ASW_OP_MEMORY_SIZE:
    case ASW_OP_MEMORY_GROW:
        if ((rc = rd_zero(v)) < 0) return rc;
        if ((rc = need_memory(v)) < 0) return rc;
        return op_generic(v, oi);
    case ASW_OP_I32_CONST: {
        int32_t c;
        if ((rc = asw__rd_s32(&v->r, &c)) < 0) return rc;
        return push(v, ASW_I32);
    }
    case ASW_OP_I64_CONST: {
        int64_t c;
        if ((rc = asw__rd_s64(&v->r, &c)) < 0) return rc;
        return push(v, ASW_I64);
    }
    case ASW_OP_F32_CONST:
        if ((rc = asw__rd_skip(&v->r, 4)) < 0) return rc;
        return push(v, ASW_F32);
    case ASW_OP_F64_CONST:
        if ((rc = asw__rd_skip(&v->r, 8)) < 0) return rc;
        return push(v, ASW_F64);
    case ASW_OP_REF_NULL: {
        size_t at = v->r.pos;
        if ((rc = asw__rd_byte(&v->r, &t)) < 0) return rc;
        if (t != ASW_FUNCREF && t != ASW_EXTERNREF)
            return asw__rd_fail(&v->r, ASW_E_MALFORMED, at, "malformed reference type 0x%02x", t);
        return push(v, t);
    }
    case ASW_OP_REF_IS_NULL:
        if ((rc = pop(v, UNK, &t)) < 0) return rc;
        if (!is_ref(t))
            return vfail(v, ASW_E_INVALID_MODULE,
                         "type mismatch in ref.is_null: expected a reference, found %s", tname(t));
        return push(v, ASW_I32);
    case ASW_OP_REF_FUNC:
        if ((rc = asw__rd_u32(&v->r, &x)) < 0) return rc;
        if (x >= m->nfuncs) return unknown(v, "function", x);
        if (!declared(m, x))
            return vfail(v, ASW_E_INVALID_MODULE,
                         "undeclared function reference %u in ref.func (declare it in an "
                         "element segment or export it)",
                         x);
        return push(v, ASW_FUNCREF);
    default:
        if (oi->imm == ASW_IMM_MEMARG) {
            if ((rc = memarg(v, oi->align)) < 0) return rc;
        }
        return op_generic(v, oi);
    }
}

static int validate_body(val_t *v, uint32_t fi)
{
    asw_module_t *m = v->m;
    const asw__func_def_t *f = &m->funcs[fi];
    snprintf(v->where, sizeof v->where, "function %u", fi);
    v->r.p = m->bytes;
    v->r.pos = f->code_offset;
    v->r.end = (size_t)f->body_offset + f->body_size;
    v->r.where = v->where;
    v->r.fname = m->func_names ? m->func_names[fi] : NULL;
    v->r.top = false;
    v->r.err = v->err;
    v->func = fi;
    v->ftype = asw__module_func_type(m, fi);
    v->nvals = 0;
    v->nctrls = 0;
    v->opname = "function";
    v->op_at = f->body_offset;
    int rc = push_ctrl(v, 0, NULL, 0, v->ftype->types + v->ftype->nparams, v->ftype->nresults);
    if (rc < 0) return rc;
    for (;;) {
        if (v->r.pos >= v->r.end) {
            /* Ran out of body bytes at an instruction boundary with blocks open. */
            if (v->r.end == m->len) return asw__rd_eof(&v->r);
            return asw__rd_fail(&v->r, ASW_E_MALFORMED, v->r.pos, "END opcode expected");
        }
        v->op_at = v->r.pos;
        uint8_t op = v->r.p[v->r.pos++];
        rc = instr(v, op);
        if (rc < 0) return rc;
        if (rc == 1) break;
    }
    if (v->r.pos != v->r.end)
        return asw__rd_fail(&v->r, ASW_E_MALFORMED, v->r.pos,
                            "section size mismatch (bytes after the function's final end)");
    return 0;
}

/* ------------------------------------------------------------------ module-level rules */

/* Every module-level failure reads "<section>, byte 0x<at>: <entity>: <rule>", formatted by
 * asw__rd_fail exactly like the decoder's and the body validator's errors; `at` is the byte
 * offset of the offending entity (or of its constant expression) in the module's bytes. */
static int mfail(const asw_module_t *m, asw_error_t *err, int code, const char *section, size_t at,
                 const char *fmt, ...) ASW_PRINTF(6, 7);
static int mfail(const asw_module_t *m, asw_error_t *err, int code, const char *section, size_t at,
                 const char *fmt, ...)
{
    char msg[384]; /* asw__rd_fail keeps at most this much of the rule */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    asw__rd_t r = {.p = m->bytes, .pos = at, .end = m->len, .where = section, .err = err};
    return asw__rd_fail(&r, code, at, "%s", msg);
}

static const char *const kind_names[] = {"function", "table", "memory", "global"};

/* Names entity `idx` of index space `kind` ("memory 0", or for an imported one
 * "import 2 (env.mem), memory 0") into buf, and returns the section that declares it.
 * Error path only: finding the import is a linear scan. */
static const char *entity(const asw_module_t *m, uint8_t kind, uint32_t idx, bool imported,
                          const char *defined_section, char *buf, size_t n)
{
    if (!imported) {
        snprintf(buf, n, "%s %u", kind_names[kind], idx);
        return defined_section;
    }
    for (uint32_t i = 0; i < m->nimports; i++) {
        const asw__import_t *imp = &m->imports[i];
        if (imp->kind == kind && imp->index == idx) {
            snprintf(buf, n, "import %u (%.48s.%.48s), %s %u", i, imp->module, imp->name,
                     kind_names[kind], idx);
            return "import section";
        }
    }
    snprintf(buf, n, "%s %u", kind_names[kind], idx); /* not reached: imports cover the prefix */
    return "import section";
}

/* Skips a constant expression the decoder accepted (one instruction and `end`). */
static int skip_const(asw__rd_t *r)
{
    uint8_t op, b;
    uint32_t u;
    int64_t s;
    int rc = asw__rd_byte(r, &op);
    if (rc < 0) return rc;
    switch (op) {
    case ASW_OP_I32_CONST:
    case ASW_OP_I64_CONST: rc = asw__rd_s64(r, &s); break;
    case ASW_OP_F32_CONST: rc = asw__rd_skip(r, 4); break;
    case ASW_OP_F64_CONST: rc = asw__rd_skip(r, 8); break;
    case ASW_OP_REF_NULL: rc = asw__rd_byte(r, &b); break;
    default: rc = asw__rd_u32(r, &u); break; /* ref.func, global.get */
    }
    if (rc < 0) return rc;
    return asw__rd_byte(r, &b);
}

/* The offset of element segment e's offset expression (active segments), or with item >= 0 of
 * its item `item`, found again by walking the segment from its start (error path only: linear
 * in the segment). Falls back to the segment's offset if the walk fails, which it cannot for
 * bytes the decoder accepted. */
static size_t elem_pos(const asw_module_t *m, const asw__elem_t *e, int64_t item)
{
    asw__rd_t r = {.p = m->bytes, .pos = e->seg_offset, .end = m->len, .where = "element section"};
    uint32_t flags, u;
    uint8_t b;
    if (asw__rd_u32(&r, &flags) < 0) return e->seg_offset;
    if (!(flags & 1)) {
        if ((flags & 2) && asw__rd_u32(&r, &u) < 0) return e->seg_offset;
        if (item < 0) return r.pos;
        if (skip_const(&r) < 0) return e->seg_offset;
    }
    if ((flags & 3) && asw__rd_byte(&r, &b) < 0) return e->seg_offset;
    if (asw__rd_u32(&r, &u) < 0) return e->seg_offset;
    for (int64_t k = 0; k < item; k++)
        if (((flags & 4) ? skip_const(&r) : asw__rd_u32(&r, &u)) < 0) return e->seg_offset;
    return r.pos;
}

/* The offset of active data segment d's offset expression (error path only). */
static size_t data_expr_pos(const asw_module_t *m, const asw__data_t *d)
{
    asw__rd_t r = {.p = m->bytes, .pos = d->seg_offset, .end = m->len, .where = "data section"};
    uint32_t flags, u;
    if (asw__rd_u32(&r, &flags) < 0) return d->seg_offset;
    if (flags == 2 && asw__rd_u32(&r, &u) < 0) return d->seg_offset;
    return r.pos;
}

static int check_limits(const asw_module_t *m, const asw_limits_type_t *l, uint64_t bound,
                        uint8_t kind, uint32_t idx, bool imported, size_t at, asw_error_t *err)
{
    char ent[160];
    const char *rule = NULL;
    bool order = false;
    if (l->min > bound || (l->has_max && l->max > bound))
        rule = bound == ASW__MAX_PAGES ? "memory size must be at most 65536 pages (4GiB)"
                                       : "table size must be at most 2^32-1";
    else if (l->has_max && l->min > l->max)
        order = true;
    else
        return 0;
    const char *sec =
        entity(m, kind, idx, imported,
               kind == ASW_EXTERN_TABLE ? "table section" : "memory section", ent, sizeof ent);
    if (!order) return mfail(m, err, ASW_E_INVALID_MODULE, sec, at, "%s: %s", ent, rule);
    return mfail(m, err, ASW_E_INVALID_MODULE, sec, at,
                 "%s: size minimum must not be greater than maximum (%llu > %llu)", ent,
                 (unsigned long long)l->min, (unsigned long long)l->max);
}

/* Checks a constant expression of 2.0 and fills in its type for global.get. Returns NULL when
 * it is valid, else the rule it breaks, written into buf. */
static const char *const_rule(const asw_module_t *m, asw__constexpr_t *ce, uint8_t expect,
                              char *buf, size_t n)
{
    if (ce->op == ASW_OP_GLOBAL_GET) {
        /* 2.0: constant expressions see only the imported globals, and only immutable ones. */
        if (ce->index >= m->nimported_globals) {
            snprintf(buf, n,
                     "unknown global %u in constant expression (only imported globals may be "
                     "used)",
                     ce->index);
            return buf;
        }
        if (m->globals[ce->index].mutable_) {
            snprintf(buf, n, "constant expression required (global %u is mutable)", ce->index);
            return buf;
        }
        ce->type = m->globals[ce->index].type;
    } else if (ce->op == ASW_OP_REF_FUNC && ce->index >= m->nfuncs) {
        snprintf(buf, n, "unknown function %u in constant expression", ce->index);
        return buf;
    }
    if (ce->type != expect) {
        snprintf(buf, n, "type mismatch in constant expression: expected %s, found %s",
                 asw__valtype_name(expect), asw__valtype_name(ce->type));
        return buf;
    }
    return NULL;
}

static void declare(asw_module_t *m, const asw__constexpr_t *ce)
{
    if (ce->op == ASW_OP_REF_FUNC && ce->index < m->nfuncs)
        m->declared_refs[ce->index >> 3] |= (uint8_t)(1u << (ce->index & 7));
}

static int check_exports(asw_module_t *m, asw_error_t *err)
{
    int rc = 0;
    uint32_t *set = NULL;
    if (m->nexports == 0) return 0;
    uint32_t cap = 16;
    while (cap < m->nexports * 2u)
        cap *= 2;
    if (!(set = asw__calloc(cap, sizeof *set)))
        return asw__errorf(err, ASW_E_NOMEM, "out of memory while validating exports");
    for (uint32_t i = 0; i < m->nexports; i++) {
        const asw__export_t *e = &m->exports[i];
        uint32_t limit = e->kind == ASW_EXTERN_FUNC     ? m->nfuncs
                         : e->kind == ASW_EXTERN_TABLE  ? m->ntables
                         : e->kind == ASW_EXTERN_MEMORY ? m->nmemories
                                                        : m->nglobals;
        if (e->index >= limit) {
            rc = mfail(m, err, ASW_E_INVALID_MODULE, "export section", e->offset,
                       "export %u \"%.64s\": unknown %s %u", i, e->name, kind_names[e->kind],
                       e->index);
            goto out;
        }
        for (uint32_t h = asw__fnv1a(ASW__FNV_BASIS, e->name, e->name_len) & (cap - 1);;
             h = (h + 1) & (cap - 1)) {
            if (set[h] == 0) {
                set[h] = i + 1;
                break;
            }
            const asw__export_t *o = &m->exports[set[h] - 1];
            if (o->name_len == e->name_len && memcmp(o->name, e->name, e->name_len) == 0) {
                rc = mfail(m, err, ASW_E_INVALID_MODULE, "export section", e->offset,
                           "export %u \"%.64s\": duplicate export name (export %u has it too)", i,
                           e->name, set[h] - 1);
                goto out;
            }
        }
    }
out:
    asw__free(set);
    return rc;
}

static int validate_module(asw_module_t *m, asw_error_t *err)
{
    char ent[160], rule[160];
    const char *sec, *why;
    int rc;
    for (uint32_t i = 0; i < m->nfuncs; i++)
        if (m->funcs[i].type_idx >= m->ntypes) {
            sec = entity(m, ASW_EXTERN_FUNC, i, i < m->nimported_funcs, "function section", ent,
                         sizeof ent);
            return mfail(m, err, ASW_E_INVALID_MODULE, sec, m->funcs[i].decl_offset,
                         "%s: unknown type %u", ent, m->funcs[i].type_idx);
        }
    for (uint32_t i = 0; i < m->ntables; i++)
        if ((rc = check_limits(m, &m->tables[i].limits, ASW__MAX_TABLE_SIZE, ASW_EXTERN_TABLE, i,
                               i < m->nimported_tables, m->tables[i].offset, err)) < 0)
            return rc;
    if (m->nmemories > ASW__MAX_MEMORIES) {
        /* The first memory beyond the limit is the offending one. */
        uint32_t i = ASW__MAX_MEMORIES;
        sec = entity(m, ASW_EXTERN_MEMORY, i, i < m->nimported_memories, "memory section", ent,
                     sizeof ent);
        return mfail(m, err, ASW_E_INVALID_MODULE, sec, m->memories[i].offset,
                     "%s: multiple memories (%u; at most %u allowed)", ent, m->nmemories,
                     ASW__MAX_MEMORIES);
    }
    for (uint32_t i = 0; i < m->nmemories; i++)
        if ((rc = check_limits(m, &m->memories[i].limits, ASW__MAX_PAGES, ASW_EXTERN_MEMORY, i,
                               i < m->nimported_memories, m->memories[i].offset, err)) < 0)
            return rc;

    /* C.refs: every ref.func outside function bodies, and exported functions. */
    asw__free(m->declared_refs);
    if (!(m->declared_refs = asw__calloc(m->nfuncs / 8 + 1, 1)))
        return asw__errorf(err, ASW_E_NOMEM, "out of memory while validating");
    for (uint32_t i = m->nimported_globals; i < m->nglobals; i++)
        declare(m, &m->globals[i].init);
    for (uint32_t i = 0; i < m->nelems; i++)
        for (uint32_t k = 0; k < m->elems[i].count; k++)
            declare(m, &m->elems[i].items[k]);
    for (uint32_t i = 0; i < m->nexports; i++)
        if (m->exports[i].kind == ASW_EXTERN_FUNC && m->exports[i].index < m->nfuncs)
            m->declared_refs[m->exports[i].index >> 3] |=
                (uint8_t)(1u << (m->exports[i].index & 7));

    for (uint32_t i = m->nimported_globals; i < m->nglobals; i++) {
        asw__global_def_t *g = &m->globals[i];
        if ((why = const_rule(m, &g->init, g->type, rule, sizeof rule)))
            /* A global type is two bytes (value type, mutability): the init follows. */
            return mfail(m, err, ASW_E_INVALID_MODULE, "global section", (size_t)g->offset + 2,
                         "global %u: %s", i, why);
    }
    for (uint32_t i = 0; i < m->nelems; i++) {
        asw__elem_t *e = &m->elems[i];
        for (uint32_t k = 0; k < e->count; k++)
            if ((why = const_rule(m, &e->items[k], e->elem_type, rule, sizeof rule)))
                return mfail(m, err, ASW_E_INVALID_MODULE, "element section", elem_pos(m, e, k),
                             "segment %u, item %u: %s", i, k, why);
        if (e->mode != ASW__SEG_ACTIVE) continue;
        if (e->table >= m->ntables)
            return mfail(m, err, ASW_E_INVALID_MODULE, "element section", e->seg_offset,
                         "segment %u: unknown table %u", i, e->table);
        if (m->tables[e->table].elem_type != e->elem_type)
            return mfail(m, err, ASW_E_INVALID_MODULE, "element section", e->seg_offset,
                         "segment %u: type mismatch: table %u holds %s, the segment %s", i,
                         e->table, asw__valtype_name(m->tables[e->table].elem_type),
                         asw__valtype_name(e->elem_type));
        if ((why = const_rule(m, &e->offset, ASW_I32, rule, sizeof rule)))
            return mfail(m, err, ASW_E_INVALID_MODULE, "element section", elem_pos(m, e, -1),
                         "segment %u, offset: %s", i, why);
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        asw__data_t *d = &m->datas[i];
        if (d->mode != ASW__SEG_ACTIVE) continue;
        if (d->memory >= m->nmemories)
            return mfail(m, err, ASW_E_INVALID_MODULE, "data section", d->seg_offset,
                         "segment %u: unknown memory %u", i, d->memory);
        if ((why = const_rule(m, &d->offset, ASW_I32, rule, sizeof rule)))
            return mfail(m, err, ASW_E_INVALID_MODULE, "data section", data_expr_pos(m, d),
                         "segment %u, offset: %s", i, why);
    }
    if (m->start >= 0) {
        if ((uint64_t)m->start >= m->nfuncs)
            return mfail(m, err, ASW_E_INVALID_MODULE, "start section", m->start_offset,
                         "start function: unknown function %lld", (long long)m->start);
        const asw__functype_t *ft = asw__module_func_type(m, (uint32_t)m->start);
        if (ft->nparams || ft->nresults)
            return mfail(m, err, ASW_E_INVALID_MODULE, "start section", m->start_offset,
                         "start function %lld: type must be [] -> [] (it has %u parameter(s), "
                         "%u result(s))",
                         (long long)m->start, ft->nparams, ft->nresults);
    }
    return check_exports(m, err);
}

int asw__validate(asw_module_t *module, asw_error_t *out_err)
{
    if (!module) return asw__errorf(out_err, ASW_E_INVALID, "asw__validate: module is NULL");
    int rc = validate_module(module, out_err);
    if (rc < 0) return rc;
    val_t v;
    memset(&v, 0, sizeof v);
    v.m = module;
    v.err = out_err;
    for (uint32_t i = module->nimported_funcs; i < module->nfuncs; i++)
        if ((rc = validate_body(&v, i)) < 0) break;
    asw__free(v.vals);
    asw__free(v.ctrls);
    return rc < 0 ? rc : ASW_OK;
}
