/*
 * tests/wasm/validate_test.c -- the validator (src/wasm/validate.c): valid bodies of every
 * instruction family (polymorphic stacks, multi-value blocks, references, bulk memory), one or
 * more invalid cases per rule with the spec's wording and the "function N, byte 0x..: ... in
 * <instruction>" location, and hostile bodies (100k nested blocks on both sides of the limit,
 * a br_table with a million targets).
 */
#include "front_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAL ASW_E_MALFORMED
#define INV ASW_E_INVALID_MODULE
#define UNS ASW_E_UNSUPPORTED
#define LIM ASW_E_LIMIT

#define MEM1 R("\x01\0\x01")

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void generated_modules_validate(void **state)
{
    (void)state;
    const char *names[] = {"all", "small", "empty"};
    for (size_t i = 0; i < 3; i++) {
        size_t n;
        uint8_t *b = front_load(names[i], &n);
        if (!b) skip();
        expect_bytes(b, n, 0, NULL, __LINE__);
        free(b);
    }
}

static void valid_bodies(void **state)
{
    (void)state;
    /* polymorphic stack after unreachable / br / return / br_table */
    EXPECT_BODY("\0\x00\x6a\x1a\x0b", 0, NULL);
    EXPECT_BODY("\0\x02\x40\x0c\0\x6a\x1a\x0b\x0b", 0, NULL);
    EXPECT_BODY("\0\x0f\x6a\x1a\x0b", 0, NULL);
    EXPECT_BODY("\0\x00\x1b\x1a\x0b", 0, NULL);
    EXPECT_BODY("\0\x02\x40\x41\0\x0e\0\0\x6a\x1a\x0b\x0b", 0, NULL);
    EXPECT_BODY("\0\x00\xd1\x1a\x0b", 0, NULL);
    /* typed select with references */
    EXPECT_BODY("\0\xd0\x70\xd0\x70\x41\0\x1c\x01\x70\x1a\x0b", 0, NULL);
    EXPECT_BODY("\0\xd0\x6f\xd1\x1a\x0b", 0, NULL);
    /* multi-value: block with a type index, params and results */
    modspec_t s = {.sec[1] = R("\x03\x60\0\0\x60\0\x02\x7f\x7e\x60\x01\x7f\x01\x7f")};
    s.body = R("\0\x02\x01\x41\0\x42\0\x0b\x1a\x1a\x0b");
    EXPECT(s, 0, NULL);
    s.body = R("\0\x41\x01\x02\x02\x0b\x1a\x0b");
    EXPECT(s, 0, NULL);
    s.body = R("\0\x41\x01\x03\x02\x0c\0\x0b\x1a\x0b"); /* br to a loop takes its params */
    EXPECT(s, 0, NULL);
    s.body = R("\0\x41\x01\x41\x01\x04\x02\x0b\x1a\x0b"); /* if [i32]->[i32] without else */
    EXPECT(s, 0, NULL);
    s.body = R("\0\x41\x01\x41\x01\x04\x02\x05\x0b\x1a\x0b");
    EXPECT(s, 0, NULL);
    /* the last body byte is the final end; locals count in index space after params */
    modspec_t p = {.sec[1] = R("\x01\x60\x01\x7f\x01\x7e"), .body = R("\x01\x01\x7e\x20\x01\x0b")};
    EXPECT(p, 0, NULL);
    p.body = R("\x01\x01\x7e\x20\x02\x0b");
    EXPECT(p, INV, "unknown local 2");
    /* memory family at natural alignment */
    modspec_t m = {.sec[5] = MEM1};
    m.body =
        R("\0\x41\0\x29\x03\0\x41\0\x31\0\0\x7c\x1a\x41\0\x41\0\x3b\x01\0\x3f\0\x40\0\x1a\x0b");
    EXPECT(m, 0, NULL);
    m.body = R("\0\x41\0\x41\0\x41\0\xfc\x0a\0\0\x41\0\x41\0\x41\0\xfc\x0b\0\x0b");
    EXPECT(m, 0, NULL);
    /* saturating truncations */
    EXPECT_BODY("\0\x43\0\0\0\0\xfc\0\x1a\x44\0\0\0\0\0\0\0\0\xfc\x07\x1a\x0b", 0, NULL);
}

static void type_mismatch(void **state)
{
    (void)state;
    EXPECT_BODY("\0\x41\0\x44\0\0\0\0\0\0\0\0\x6a\x1a\x0b", INV,
                "type mismatch in i32.add: expected i32, found f64");
    EXPECT_BODY("\0\x41\0\x44\0\0\0\0\0\0\0\0\x6a\x1a\x0b", INV, "function 0, byte 0x");
    EXPECT_BODY("\0\x6a\x1a\x0b", INV, "type mismatch in i32.add: expected i32, found nothing");
    EXPECT_BODY("\0\x41\0\x0b", INV, "type mismatch");
    EXPECT_BODY("\0\x1a\x0b", INV, "type mismatch in drop");
    modspec_t r = {.sec[1] = R("\x01\x60\0\x01\x7f"), .body = R("\0\x0b")};
    EXPECT(r, INV, "type mismatch");
    r.body = R("\0\x42\0\x0f\x0b");
    EXPECT(r, INV, "type mismatch in return");
    /* if without else must have equal params and results */
    EXPECT_BODY("\0\x41\0\x04\x7f\x41\0\x0b\x1a\x0b", INV, "type mismatch");
    EXPECT_BODY("\0\x04\x40\x0b\x0b", INV, "type mismatch in if");
    /* select */
    EXPECT_BODY("\0\xd0\x70\xd0\x70\x41\0\x1b\x1a\x0b", INV, "numeric");
    EXPECT_BODY("\0\x41\0\x42\0\x41\0\x1b\x1a\x0b", INV, "type mismatch in select");
    EXPECT_BODY("\0\x41\0\x41\0\x41\0\x1c\x02\x7f\x7f\x1a\x0b", INV, "invalid result arity");
    EXPECT_BODY("\0\x41\0\x41\0\x41\0\x1c\0\x1a\x0b", INV, "invalid result arity");
    EXPECT_BODY("\0\x41\0\x41\0\x41\0\x1c\x01\x7b\x1a\x0b", UNS, "SIMD");
    /* references */
    EXPECT_BODY("\0\x41\0\xd1\x1a\x0b", INV, "expected a reference, found i32");
    /* br_table: all targets need the default's arity */
    EXPECT_BODY("\0\x02\x7f\x02\x40\x41\0\x41\0\x0e\x01\0\x01\x0b\x41\0\x0b\x1a\x0b", INV,
                "type mismatch in br_table");
    /* ... and types (refined from unknown by an earlier target) */
    modspec_t s = {.sec[1] = R("\x01\x60\0\0")};
    s.body = R("\0\x02\x7d\x02\x7f\x00\x0e\x01\x01\0\x0b\x1a\x43\0\0\0\0\x0b\x1a\x0b");
    EXPECT(s, INV, "type mismatch in br_table");
    /* br_if keeps the label's values */
    EXPECT_BODY("\0\x02\x7f\x41\0\x41\0\x0d\0\x0b\x1a\x0b", 0, NULL);
    EXPECT_BODY("\0\x02\x7f\x42\0\x41\0\x0d\0\x0b\x1a\x0b", INV, "type mismatch in br_if");
}

static void unknown_indices(void **state)
{
    (void)state;
    EXPECT_BODY("\0\x20\x05\x1a\x0b", INV, "unknown local 5");
    EXPECT_BODY("\0\x10\x05\x0b", INV, "unknown function 5");
    EXPECT_BODY("\0\x23\0\x1a\x0b", INV, "unknown global 0");
    EXPECT_BODY("\0\x41\0\x24\0\x0b", INV, "unknown global 0");
    EXPECT_BODY("\0\x41\0\x25\0\x1a\x0b", INV, "unknown table 0");
    EXPECT_BODY("\0\xfc\x10\0\x1a\x0b", INV, "unknown table 0");
    EXPECT_BODY("\0\x41\0\x28\x02\0\x1a\x0b", INV, "unknown memory 0");
    EXPECT_BODY("\0\x3f\0\x1a\x0b", INV, "unknown memory 0");
    EXPECT_BODY("\0\x41\0\x41\0\x41\0\xfc\x0b\0\x0b", INV, "unknown memory 0");
    EXPECT_BODY("\0\x02\x05\x0b\x0b", INV, "unknown type 5");
    EXPECT_BODY("\0\x0c\x01\x0b", INV, "unknown label 1");
    EXPECT_BODY("\0\x02\x40\x0c\x02\x0b\x0b", INV, "unknown label 2");
    EXPECT_BODY("\0\x41\0\x0e\x01\x05\0\x0b", INV, "unknown label 5");
    EXPECT_BODY("\0\xfc\x0d\0\x0b", INV, "unknown elem segment 0");
    modspec_t t = {.sec[4] = R("\x01\x70\0\x01"), .body = R("\0\x41\0\x11\x05\0\x0b")};
    EXPECT(t, INV, "unknown type 5");
    t.body = R("\0\x41\0\x11\0\x01\x0b");
    EXPECT(t, INV, "unknown table 1");
    modspec_t d = {.sec[5] = MEM1, .sec[12] = R("\0")};
    d.body = R("\0\x41\0\x41\0\x41\0\xfc\x08\0\0\x0b");
    EXPECT(d, INV, "unknown data segment 0");
    d.body = R("\0\xfc\x09\0\x0b");
    EXPECT(d, INV, "unknown data segment 0");
    /* data count section required (malformed in the spec's classification) */
    modspec_t n = {.sec[5] = MEM1, .sec[11] = R("\x01\x01\0")};
    n.body = R("\0\x41\0\x41\0\x41\0\xfc\x08\0\0\x0b");
    EXPECT(n, MAL, "data count section required");
    n.body = R("\0\xfc\x09\0\x0b");
    EXPECT(n, MAL, "data count section required");
    n.sec[12] = R("\x01");
    EXPECT(n, 0, NULL);
    n.body = R("\0\x41\0\x41\0\x41\0\xfc\x08\0\0\x0b");
    EXPECT(n, 0, NULL);
}

static void memory_rules(void **state)
{
    (void)state;
    modspec_t m = {.sec[5] = MEM1};
    m.body = R("\0\x41\0\x28\x03\0\x1a\x0b");
    EXPECT(m, INV, "alignment must not be larger than natural");
    m.body = R("\0\x41\0\x28\x02\0\x1a\x0b");
    EXPECT(m, 0, NULL);
    m.body = R("\0\x41\0\x2c\x01\0\x1a\x0b");
    EXPECT(m, INV, "alignment must not be larger than natural in i32.load8_s");
    m.body = R("\0\x41\0\x42\0\x37\x04\0\x0b");
    EXPECT(m, INV, "alignment must not be larger than natural");
    m.body = R("\0\x41\0\x42\0\x37\x03\0\x0b");
    EXPECT(m, 0, NULL);
    m.body = R("\0\x3f\x01\x1a\x0b");
    EXPECT(m, MAL, "zero byte expected");
    m.body = R("\0\x41\0\x41\0\x41\0\xfc\x0a\0\x01\x0b");
    EXPECT(m, MAL, "zero byte expected");
    /* limits */
    modspec_t l = {.sec[5] = R("\x02\0\x01\0\x01")};
    EXPECT(l, INV, "multiple memories");
    l.sec[2] = R("\x01\x01m\x01x\x02\0\x01");
    l.sec[5] = R("\x01\0\x01");
    EXPECT(l, INV, "multiple memories");
    l = (modspec_t){.sec[5] = R("\x01\x01\x02\x01")};
    EXPECT(l, INV, "size minimum must not be greater than maximum");
    l.sec[5] = R("\x01\x01\x01\x01");
    EXPECT(l, 0, NULL);
    l.sec[5] = R("\x01\0\x80\x80\x04");
    EXPECT(l, 0, NULL);
    l.sec[5] = R("\x01\0\x81\x80\x04");
    EXPECT(l, INV, "memory size must be at most 65536 pages (4GiB)");
    l.sec[5] = R("\x01\x01\0\x81\x80\x04");
    EXPECT(l, INV, "memory size must be at most 65536 pages (4GiB)");
    l = (modspec_t){.sec[4] = R("\x01\x70\x01\x02\x01")};
    EXPECT(l, INV, "size minimum must not be greater than maximum");
    l.sec[4] = R("\x01\x70\x01\xff\xff\xff\xff\x0f\xff\xff\xff\xff\x0f");
    EXPECT(l, 0, NULL);
}

static void globals_and_constants(void **state)
{
    (void)state;
    modspec_t g = {.sec[6] = R("\x01\x7f\0\x41\0\x0b"), .body = R("\0\x41\0\x24\0\x0b")};
    EXPECT(g, INV, "global is immutable");
    g.sec[6] = R("\x01\x7f\x01\x41\0\x0b");
    EXPECT(g, 0, NULL);
    g.body = R("\0\x42\0\x24\0\x0b");
    EXPECT(g, INV, "type mismatch in global.set");
    /* constant expressions */
    modspec_t c = {.sec[2] = R("\x01\x01m\x01x\x03\x7f\x01"), .sec[6] = R("\x01\x7f\0\x23\0\x0b")};
    EXPECT(c, INV, "constant expression required");
    c.sec[2] = R("\x01\x01m\x01x\x03\x7f\0");
    EXPECT(c, 0, NULL);
    c.sec[6] = R("\x01\x7e\0\x23\0\x0b");
    EXPECT(c, INV, "type mismatch");
    c = (modspec_t){.sec[6] = R("\x02\x7f\0\x41\0\x0b\x7f\0\x23\0\x0b")};
    EXPECT(c, INV, "unknown global 0");
    c.sec[6] = R("\x01\x7e\0\x41\0\x0b");
    EXPECT(c, INV, "type mismatch in constant expression: expected i64, found i32");
    c.sec[6] = R("\x01\x70\0\xd2\0\x0b");
    EXPECT(c, INV, "unknown function 0");
    c.sec[6] = R("\x01\x70\0\xd0\x6f\x0b");
    EXPECT(c, INV, "type mismatch");
    c.sec[6] = R("\x01\x6f\0\xd0\x6f\x0b");
    EXPECT(c, 0, NULL);
}

static void exports_start_refs(void **state)
{
    (void)state;
    modspec_t e = {.sec[7] = R("\x02\x01x\0\0\x01x\0\0"), .body = R("\0\x0b")};
    EXPECT(e, INV, "duplicate export name");
    e.sec[7] = R("\x02\x01x\0\0\x01y\0\0");
    EXPECT(e, 0, NULL);
    e.sec[7] = R("\x02\x02xy\0\0\x01x\0\0");
    EXPECT(e, 0, NULL);
    e.sec[7] = R("\x01\x01x\0\x01");
    EXPECT(e, INV, "unknown function 1");
    e.sec[7] = R("\x01\x01x\x02\0");
    EXPECT(e, INV, "unknown memory 0");
    e.sec[7] = R("\x01\x01x\x03\0");
    EXPECT(e, INV, "unknown global 0");
    e.sec[7] = R("\x01\x01x\x01\0");
    EXPECT(e, INV, "unknown table 0");
    /* start */
    modspec_t s = {.sec[8] = R("\0"), .body = R("\0\x0b")};
    EXPECT(s, 0, NULL);
    s.sec[8] = R("\x01");
    EXPECT(s, INV, "unknown function 1");
    s.sec[1] = R("\x01\x60\x01\x7f\0");
    s.sec[8] = R("\0");
    EXPECT(s, INV, "start function");
    s.sec[1] = R("\x01\x60\0\x01\x7f");
    s.body = R("\0\x41\0\x0b");
    EXPECT(s, INV, "start function");
    /* C.refs */
    EXPECT_BODY("\0\xd2\0\x1a\x0b", INV, "undeclared function reference");
    modspec_t r = {.body = R("\0\xd2\0\x1a\x0b"), .sec[9] = R("\x01\x03\0\x01\0")};
    EXPECT(r, 0, NULL);
    r = (modspec_t){.body = R("\0\xd2\0\x1a\x0b"), .sec[7] = R("\x01\x01x\0\0")};
    EXPECT(r, 0, NULL);
    r = (modspec_t){.body = R("\0\xd2\0\x1a\x0b"), .sec[6] = R("\x01\x70\0\xd2\0\x0b")};
    EXPECT(r, 0, NULL);
    EXPECT_BODY("\0\xd2\x01\x1a\x0b", INV, "unknown function 1");
}

static void tables_and_elems(void **state)
{
    (void)state;
    modspec_t t = {.sec[4] = R("\x01\x6f\0\x01"), .body = R("\0\x41\0\x11\0\0\x0b")};
    EXPECT(t, INV, "type mismatch in call_indirect");
    t.sec[4] = R("\x01\x70\0\x01");
    EXPECT(t, 0, NULL);
    /* active segment into a table of another type */
    modspec_t e = {
        .sec[4] = R("\x01\x6f\0\x01"), .sec[9] = R("\x01\0\x41\0\x0b\x01\0"), .body = R("\0\x0b")};
    EXPECT(e, INV, "type mismatch");
    e.sec[9] = R("\x01\x02\x01\x41\0\x0b\0\x01\0");
    EXPECT(e, INV, "unknown table 1");
    e.sec[9] = R("\x01\x06\0\x41\0\x0b\x6f\x01\xd0\x6f\x0b");
    EXPECT(e, 0, NULL);
    e.sec[9] = R("\x01\x06\0\x42\0\x0b\x6f\x01\xd0\x6f\x0b");
    EXPECT(e, INV, "type mismatch in constant expression: expected i32, found i64");
    e.sec[9] = R("\x01\x05\x6f\x01\xd0\x70\x0b");
    EXPECT(e, INV, "type mismatch");
    e.sec[9] = R("\x01\x01\0\x01\x05");
    EXPECT(e, INV, "unknown function 5");
    /* table.init / table.copy element types */
    modspec_t b = {.sec[4] = R("\x02\x6f\0\x01\x70\0\x01"), .sec[9] = R("\x01\x01\0\0")};
    b.body = R("\0\x41\0\x41\0\x41\0\xfc\x0c\0\0\x0b");
    EXPECT(b, INV, "type mismatch in table.init");
    b.body = R("\0\x41\0\x41\0\x41\0\xfc\x0c\0\x01\x0b");
    EXPECT(b, 0, NULL);
    b.body = R("\0\x41\0\x41\0\x41\0\xfc\x0e\0\x01\x0b");
    EXPECT(b, INV, "type mismatch in table.copy");
    b.body = R("\0\x41\0\x41\0\x41\0\xfc\x0e\x01\x01\x0b");
    EXPECT(b, 0, NULL);
    b.body = R("\0\xd0\x70\x41\x01\xfc\x0f\0\x1a\x0b");
    EXPECT(b, INV, "type mismatch in table.grow");
    b.body = R("\0\xd0\x6f\x41\x01\xfc\x0f\0\x1a\x0b");
    EXPECT(b, 0, NULL);
    b.body = R("\0\x41\0\xd0\x70\x41\x01\xfc\x11\x01\x0b");
    EXPECT(b, 0, NULL);
    b.body = R("\0\x41\0\xd0\x70\x26\0\x0b");
    EXPECT(b, INV, "type mismatch in table.set");
    b.body = R("\0\xfc\x0d\0\x0b");
    EXPECT(b, 0, NULL);
    b.body = R("\0\xfc\x0d\x01\x0b");
    EXPECT(b, INV, "unknown elem segment 1");
}

static void malformed_bodies(void **state)
{
    (void)state;
    EXPECT_BODY("\0\x05\x0b", MAL, "else without a matching if");
    EXPECT_BODY("\0\x02\x40\x05\x0b\x0b", MAL, "else");
    EXPECT_BODY("\0\x00\xff\x00\x0b", MAL, "illegal opcode ff");
    EXPECT_BODY("\0\x06\x0b", MAL, "illegal opcode 06");
    EXPECT_BODY("\0\xfd\x0c\x0b", UNS, "illegal opcode fd");
    EXPECT_BODY("\0\xfd\x0c\x0b", UNS, "SIMD");
    EXPECT_BODY("\0\xfc\x12\x0b", MAL, "illegal opcode fc 12");
    EXPECT_BODY("\0\xfc\x80\x80\x80\x80\x80\0\x0b", MAL, "integer representation too long");
    EXPECT_BODY("\0\x02\x50\x0b\x0b", MAL, "malformed block type");
    EXPECT_BODY("\0\x02\x7b\x0b\x0b", UNS, "v128");
    EXPECT_BODY("\0\xd0\x7f\x1a\x0b", MAL, "malformed reference type");
    EXPECT_BODY("\0\x0b\x01", MAL, "section size mismatch");
    EXPECT_BODY("\0\x01", MAL, "unexpected end of section or function");
    EXPECT_BODY("\0\x43\0\0", MAL, "unexpected end");
    /* a function without its end, followed by another: "END opcode expected" */
    modspec_t s = {.sec[1] = R("\x01\x60\0\0"),
                   .sec[3] = R("\x02\0\0"),
                   .sec[10] = R("\x02\x04\0\x41\x01\x1a\x05\0\x41\x01\x1a\x0b")};
    EXPECT(s, MAL, "END opcode expected");
    /* the error names the function, its name and the offset */
    modspec_t n = {.body = R("\0\x6a\x0b"),
                   .custom = R("\x04name\x01\x06\x01\0\x03"
                               "abc")};
    EXPECT(n, INV, "function 0 (abc), byte 0x");
}

/* ------------------------------------------------------------------ hostile bodies */

static void build_one_func(buf_t *mod, const char *types, size_t tlen, const buf_t *body)
{
    memset(mod, 0, sizeof *mod);
    buf_put(mod, "\0asm\x01\0\0\0", 8);
    buf_u8(mod, 1);
    buf_uleb(mod, tlen);
    buf_put(mod, types, tlen);
    buf_put(mod, "\x03\x02\x01\0", 4);
    buf_t code = {0};
    buf_u8(&code, 1);
    buf_uleb(&code, body->n);
    buf_put(&code, body->b, body->n);
    buf_u8(mod, 10);
    buf_uleb(mod, code.n);
    buf_put(mod, code.b, code.n);
    buf_free(&code);
}

static int nested(uint32_t depth, asw_error_t *e)
{
    buf_t body = {0}, mod;
    buf_u8(&body, 0);
    for (uint32_t i = 0; i < depth; i++)
        buf_put(&body, "\x02\x40", 2);
    for (uint32_t i = 0; i < depth; i++)
        buf_u8(&body, 0x0b);
    buf_u8(&body, 0x0b);
    build_one_func(&mod, "\x01\x60\0\0", 4, &body);
    int rc = front_check(mod.b, mod.n, e);
    buf_free(&body);
    buf_free(&mod);
    return rc;
}

static void deep_nesting(void **state)
{
    (void)state;
    asw_error_t e;
    double t0 = now_s();
    assert_int_equal(nested(ASW__MAX_NESTING, &e), 0);
    printf("100k nested blocks: %.1f ms\n", (now_s() - t0) * 1e3);
    assert_int_equal(nested(ASW__MAX_NESTING + 1, &e), LIM);
    assert_non_null(strstr(e.msg, "nested too deeply"));
}

static void huge_br_table(void **state)
{
    (void)state;
    const uint32_t n = 1000000;
    asw_error_t e;
    /* one label, a million times */
    buf_t body = {0}, mod;
    buf_put(&body, "\0\x02\x40\x41\0\x0e", 6);
    buf_uleb(&body, n);
    for (uint32_t i = 0; i < n; i++)
        buf_u8(&body, 0);
    buf_put(&body, "\0\x0b\x0b", 3);
    build_one_func(&mod, "\x01\x60\0\0", 4, &body);
    double t0 = now_s();
    assert_int_equal(front_check(mod.b, mod.n, &e), 0);
    double dt1 = now_s() - t0;
    buf_free(&body);
    buf_free(&mod);
    /* 100 labels of 200 results each, cycled: checked once per label thanks to the stamps */
    buf_t types = {0};
    buf_put(&types, "\x01\x60\0", 3);
    buf_uleb(&types, 200);
    for (int i = 0; i < 200; i++)
        buf_u8(&types, 0x7f);
    body = (buf_t){0};
    buf_u8(&body, 0);
    for (int i = 0; i < 100; i++)
        buf_put(&body, "\x02\0", 2);
    buf_put(&body, "\x00\x0e", 2);
    buf_uleb(&body, n);
    for (uint32_t i = 0; i < n; i++)
        buf_u8(&body, (uint8_t)(i % 100));
    buf_u8(&body, 0);
    for (int i = 0; i < 101; i++)
        buf_u8(&body, 0x0b);
    memset(&mod, 0, sizeof mod);
    buf_put(&mod, "\0asm\x01\0\0\0", 8);
    buf_u8(&mod, 1);
    buf_uleb(&mod, types.n);
    buf_put(&mod, types.b, types.n);
    buf_put(&mod, "\x03\x02\x01\0", 4);
    buf_t code = {0};
    buf_u8(&code, 1);
    buf_uleb(&code, body.n);
    buf_put(&code, body.b, body.n);
    buf_u8(&mod, 10);
    buf_uleb(&mod, code.n);
    buf_put(&mod, code.b, code.n);
    t0 = now_s();
    int rc = front_check(mod.b, mod.n, &e);
    if (rc) fprintf(stderr, "%s\n", e.msg);
    assert_int_equal(rc, 0);
    double dt2 = now_s() - t0;
    printf("br_table 1M targets: %.1f ms (one label), %.1f ms (100 labels x 200 values)\n",
           dt1 * 1e3, dt2 * 1e3);
    assert_true(dt1 < 2.0 && dt2 < 2.0);
    buf_free(&types);
    buf_free(&body);
    buf_free(&code);
    buf_free(&mod);
    /* over the limit */
    body = (buf_t){0};
    buf_put(&body, "\0\x02\x40\x41\0\x0e", 6);
    buf_uleb(&body, ASW__MAX_BR_TABLE + 1);
    for (uint32_t i = 0; i <= ASW__MAX_BR_TABLE; i++)
        buf_u8(&body, 0);
    buf_put(&body, "\0\x0b\x0b", 3);
    build_one_func(&mod, "\x01\x60\0\0", 4, &body);
    assert_int_equal(front_check(mod.b, mod.n, &e), LIM);
    buf_free(&body);
    buf_free(&mod);
}

static void validate_alloc_failure(void **state)
{
    (void)state;
    /* a body deep enough to grow both stacks */
    buf_t body = {0}, mod;
    buf_u8(&body, 0);
    for (int i = 0; i < 300; i++)
        buf_put(&body, "\x02\x40\x41\0\x1a", 5);
    for (int i = 0; i < 300; i++)
        buf_u8(&body, 0x0b);
    for (int i = 0; i < 600; i++)
        buf_put(&body, "\x41\0", 2);
    for (int i = 0; i < 600; i++)
        buf_u8(&body, 0x1a);
    buf_u8(&body, 0x0b);
    build_one_func(&mod, "\x01\x60\0\0", 4, &body);
    bool done = false;
    for (unsigned long k = 1; !done && k < 1000; k++) {
        asw_error_t e;
        asw_test_alloc_install(k, 0);
        int rc = front_check(mod.b, mod.n, &e);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (rc == 0)
            done = true;
        else
            assert_int_equal(rc, ASW_E_NOMEM);
    }
    assert_true(done);
    buf_free(&body);
    buf_free(&mod);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generated_modules_validate),
        cmocka_unit_test(valid_bodies),
        cmocka_unit_test(type_mismatch),
        cmocka_unit_test(unknown_indices),
        cmocka_unit_test(memory_rules),
        cmocka_unit_test(globals_and_constants),
        cmocka_unit_test(exports_start_refs),
        cmocka_unit_test(tables_and_elems),
        cmocka_unit_test(malformed_bodies),
        cmocka_unit_test(deep_nesting),
        cmocka_unit_test(huge_br_table),
        cmocka_unit_test(validate_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
