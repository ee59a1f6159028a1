/*
 * tests/wasm/validate_offsets_test.c -- the location of module-level validation errors
 * (src/wasm/validate.c, offsets recorded by src/wasm/decode.c in module.h): every rule that
 * rejects an import, function declaration, table, memory, global, export, the start function, an
 * element or data segment (or one of their constant expressions or items) gives the message
 * "<section>, byte 0x<offset>: <entity>: <rule>". Each case asserts the error code and the whole
 * message, with the offset computed independently from the built module (the content start of
 * the section, found by walking the section headers, plus the entity's position counted by hand
 * in the section content). Also: the offsets the decoder stores for a valid module, the data
 * count errors of the decoder, hostile modules (errors at the end of large modules, many
 * entities, long names), allocation failure, and the public API.
 */
#include "front_util.h"

#include "wasm/decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAL ASW_E_MALFORMED
#define INV ASW_E_INVALID_MODULE

#define MEM1 R("\x01\0\x01")

/* Offset in b of the content of the first section `id` (after its id and size). */
static size_t sec_at(const uint8_t *b, size_t n, uint8_t id)
{
    size_t p = 8;
    while (p < n) {
        uint8_t sid = b[p++];
        uint64_t size = 0;
        unsigned shift = 0;
        uint8_t c;
        do {
            c = b[p++];
            size |= (uint64_t)(c & 0x7F) << shift;
            shift += 7;
        } while (c & 0x80);
        if (sid == id) return p;
        p += size;
    }
    fail_msg("section %u not found", id);
    return 0;
}

/* Asserts that bytes fail with `code` and exactly "<section>, byte 0x<at>: <tail>". */
static void expect_at_bytes(const uint8_t *b, size_t n, int code, const char *section, size_t at,
                            const char *tail, int line)
{
    char want[ASW_ERROR_MSG_MAX];
    asw_error_t e;
    snprintf(want, sizeof want, "%s, byte 0x%zx: %s", section, at, tail);
    int rc = front_check(b, n, &e);
    if (rc != code || strcmp(e.msg, want) != 0) {
        fprintf(stderr, "line %d: expected %s \"%s\"\n         got %s \"%s\"\n", line,
                asw_err_name(code), want, asw_err_name(rc), e.msg);
        fail();
    }
}

/* Builds spec; the offending entity is `rel` bytes into the content of section `id`. */
static void expect_at(const modspec_t *s, int code, uint8_t id, size_t rel, const char *section,
                      const char *tail, int line)
{
    buf_t b;
    mod_build(s, &b);
    expect_at_bytes(b.b, b.n, code, section, sec_at(b.b, b.n, id) + rel, tail, line);
    buf_free(&b);
}
#define AT(spec, id, rel, section, tail)                                                           \
    expect_at(&(spec), INV, (id), (rel), (section), (tail), __LINE__)

static void put_section(buf_t *out, uint8_t id, const buf_t *c)
{
    buf_u8(out, id);
    buf_uleb(out, c->n);
    buf_put(out, c->b, c->n);
}

static size_t uleb_len(uint64_t v)
{
    size_t n = 1;
    while (v >>= 7)
        n++;
    return n;
}

/* ------------------------------------------------------------------ per rule */

static void function_types(void **state)
{
    (void)state;
    modspec_t f = {.sec[1] = R("\x01\x60\0\0"),
                   .sec[3] = R("\x02\0\x05"),
                   .sec[10] = R("\x02\x02\0\x0b\x02\0\x0b")};
    AT(f, 3, 2, "function section", "function 1: unknown type 5");
    f.sec[3] = R("\x02\0\x80\x01");
    AT(f, 3, 2, "function section", "function 1: unknown type 128");
    f.sec[3] = R("\x02\0\0");
    EXPECT(f, 0, NULL);
    /* imported functions: the import's index and the function's index differ */
    modspec_t i = {.sec[2] = R("\x01\x01m\x01x\0\x07")};
    AT(i, 2, 6, "import section", "import 0 (m.x), function 0: unknown type 7");
    i.sec[2] = R("\x02"
                 "\x01m\x01x\x02\0\x01"
                 "\x01m\x01y\0\x03");
    AT(i, 2, 13, "import section", "import 1 (m.y), function 0: unknown type 3");
    /* an imported function 0 is fine, the defined function 1 is not */
    modspec_t d = {.sec[1] = R("\x01\x60\0\0"),
                   .sec[2] = R("\x01\x01m\x01x\0\0"),
                   .sec[3] = R("\x01\x01"),
                   .sec[10] = R("\x01\x02\0\x0b")};
    AT(d, 3, 1, "function section", "function 1: unknown type 1");
}

static void limits(void **state)
{
    (void)state;
    modspec_t t = {.sec[4] = R("\x01\x70\x01\x02\x01")};
    AT(t, 4, 1, "table section", "table 0: size minimum must not be greater than maximum (2 > 1)");
    t.sec[4] = R("\x02\x70\0\x01\x6f\x01\x05\x04");
    AT(t, 4, 4, "table section", "table 1: size minimum must not be greater than maximum (5 > 4)");
    t.sec[4] = R("\x02\x70\0\x01\x6f\x01\x04\x04");
    EXPECT(t, 0, NULL);
    modspec_t it = {.sec[2] = R("\x01\x01m\x01t\x01\x70\x01\x03\x02")};
    AT(it, 2, 6, "import section",
       "import 0 (m.t), table 0: size minimum must not be greater than maximum (3 > 2)");

    modspec_t m = {.sec[5] = R("\x01\0\x81\x80\x04")};
    AT(m, 5, 1, "memory section", "memory 0: memory size must be at most 65536 pages (4GiB)");
    m.sec[5] = R("\x01\x01\0\x81\x80\x04");
    AT(m, 5, 1, "memory section", "memory 0: memory size must be at most 65536 pages (4GiB)");
    m.sec[5] = R("\x01\x01\x80\x80\x04\x80\x80\x04");
    EXPECT(m, 0, NULL); /* exactly 65536 pages */
    m.sec[5] = R("\x01\x01\x02\x01");
    AT(m, 5, 1, "memory section",
       "memory 0: size minimum must not be greater than maximum (2 > 1)");
    modspec_t im = {.sec[2] = R("\x01\x01m\x01n\x02\0\x81\x80\x04")};
    AT(im, 2, 6, "import section",
       "import 0 (m.n), memory 0: memory size must be at most 65536 pages (4GiB)");
}

static void multiple_memories(void **state)
{
    (void)state;
    modspec_t m = {.sec[5] = R("\x02\0\x01\0\x01")};
    AT(m, 5, 3, "memory section", "memory 1: multiple memories (2; at most 1 allowed)");
    m.sec[5] = R("\x03\0\x01\0\x01\0\x01");
    AT(m, 5, 3, "memory section", "memory 1: multiple memories (3; at most 1 allowed)");
    modspec_t i = {.sec[2] = R("\x02"
                               "\x01m\x01x\x02\0\x01"
                               "\x01m\x01y\x02\0\x01")};
    AT(i, 2, 13, "import section",
       "import 1 (m.y), memory 1: multiple memories (2; at most 1 allowed)");
    i = (modspec_t){.sec[2] = R("\x01\x01m\x01x\x02\0\x01"), .sec[5] = MEM1};
    AT(i, 5, 1, "memory section", "memory 1: multiple memories (2; at most 1 allowed)");
}

static void globals(void **state)
{
    (void)state;
    modspec_t g = {.sec[6] = R("\x01\x7e\0\x41\0\x0b")};
    AT(g, 6, 3, "global section",
       "global 0: type mismatch in constant expression: expected i64, found i32");
    g.sec[6] = R("\x02\x7f\0\x41\0\x0b\x7f\0\x23\0\x0b");
    AT(g, 6, 8, "global section",
       "global 1: unknown global 0 in constant expression (only imported globals may be used)");
    g.sec[6] = R("\x01\x70\0\xd2\x05\x0b");
    AT(g, 6, 3, "global section", "global 0: unknown function 5 in constant expression");
    /* a five-byte i32.const in global 0 moves global 1 */
    g.sec[6] = R("\x02\x7f\0\x41\xff\xff\xff\xff\x07\x0b\x7e\0\x41\0\x0b");
    AT(g, 6, 12, "global section",
       "global 1: type mismatch in constant expression: expected i64, found i32");
    /* imported globals come first in the index space */
    modspec_t i = {.sec[2] = R("\x01\x01m\x01g\x03\x7f\x01"), .sec[6] = R("\x01\x7f\0\x23\0\x0b")};
    AT(i, 6, 3, "global section", "global 1: constant expression required (global 0 is mutable)");
    i.sec[2] = R("\x01\x01m\x01g\x03\x7f\0");
    EXPECT(i, 0, NULL);
    /* non-constant instructions are found by the decoder, at the instruction */
    modspec_t d = {.sec[6] = R("\x01\x7f\0\x41\0\x41\0\x6a\x0b")};
    AT(d, 6, 5, "global section", "type mismatch: constant expression leaves more than one value");
}

static void element_segments(void **state)
{
    (void)state;
    modspec_t e = {.sec[4] = R("\x01\x70\0\x01"), .body = R("\0\x0b")};
    e.sec[9] = R("\x01\0\x41\0\x0b\x02\0\x05");
    AT(e, 9, 7, "element section", "segment 0, item 1: unknown function 5 in constant expression");
    /* function-index items of several LEB128 lengths */
    e.sec[9] = R("\x01\0\x41\0\x0b\x03\0\x80\0\x80\x01");
    AT(e, 9, 9, "element section",
       "segment 0, item 2: unknown function 128 in constant expression");
    /* expression items, passive */
    e.sec[9] = R("\x01\x05\x70\x02\xd2\0\x0b\xd0\x6f\x0b");
    AT(e, 9, 7, "element section",
       "segment 0, item 1: type mismatch in constant expression: expected funcref, found "
       "externref");
    /* expression items, active in table 0 */
    e.sec[9] = R("\x01\x04\x41\0\x0b\x02\xd2\0\x0b\xd2\x07\x0b");
    AT(e, 9, 9, "element section", "segment 0, item 1: unknown function 7 in constant expression");
    /* expression items, active with an explicit (two-byte) table index */
    e.sec[9] = R("\x01\x06\x80\0\x41\0\x0b\x70\x02\xd0\x70\x0b\x23\0\x0b");
    AT(e, 9, 12, "element section",
       "segment 0, item 1: unknown global 0 in constant expression (only imported globals may "
       "be used)");
    /* declarative */
    e.sec[9] = R("\x01\x03\0\x01\x09");
    AT(e, 9, 4, "element section", "segment 0, item 0: unknown function 9 in constant expression");
    /* the second segment */
    e.sec[9] = R("\x02\x01\0\x01\0\x01\0\x01\x04");
    AT(e, 9, 8, "element section", "segment 1, item 0: unknown function 4 in constant expression");
    e.sec[9] = R("\x02\x01\0\x01\0\x01\0\x01\0");
    EXPECT(e, 0, NULL);
    /* segment-level rules */
    e.sec[9] = R("\x01\x02\x01\x41\0\x0b\0\x01\0");
    AT(e, 9, 1, "element section", "segment 0: unknown table 1");
    e.sec[9] = R("\x02\x01\0\x01\0\x02\x01\x41\0\x0b\0\x01\0");
    AT(e, 9, 5, "element section", "segment 1: unknown table 1");
    modspec_t x = {
        .sec[4] = R("\x01\x6f\0\x01"), .sec[9] = R("\x01\0\x41\0\x0b\x01\0"), .body = R("\0\x0b")};
    AT(x, 9, 1, "element section",
       "segment 0: type mismatch: table 0 holds externref, the segment funcref");
    /* offset expressions */
    x.sec[9] = R("\x01\x06\0\x42\0\x0b\x6f\x01\xd0\x6f\x0b");
    AT(x, 9, 3, "element section",
       "segment 0, offset: type mismatch in constant expression: expected i32, found i64");
    modspec_t o = {.sec[2] = R("\x01\x01m\x01g\x03\x7f\x01"),
                   .sec[4] = R("\x01\x70\0\x01"),
                   .sec[9] = R("\x01\0\x23\0\x0b\0")};
    AT(o, 9, 2, "element section",
       "segment 0, offset: constant expression required (global 0 is mutable)");
}

static void data_segments(void **state)
{
    (void)state;
    modspec_t d = {.sec[11] = R("\x01\0\x41\0\x0b\0")};
    AT(d, 11, 1, "data section", "segment 0: unknown memory 0");
    d.sec[5] = MEM1;
    EXPECT(d, 0, NULL);
    d.sec[11] = R("\x01\x02\x01\x41\0\x0b\0");
    AT(d, 11, 1, "data section", "segment 0: unknown memory 1");
    d.sec[11] = R("\x01\0\x42\0\x0b\0");
    AT(d, 11, 2, "data section",
       "segment 0, offset: type mismatch in constant expression: expected i32, found i64");
    d.sec[11] = R("\x01\x02\x80\0\x43\0\0\0\0\x0b\0");
    AT(d, 11, 4, "data section",
       "segment 0, offset: type mismatch in constant expression: expected i32, found f32");
    d.sec[11] = R("\x02\x01\x03xyz\0\x23\0\x0b\0");
    AT(d, 11, 7, "data section",
       "segment 1, offset: unknown global 0 in constant expression (only imported globals may "
       "be used)");
    d.sec[11] = R("\x02\x01\x03xyz\x02\x03\x41\0\x0b\0");
    AT(d, 11, 6, "data section", "segment 1: unknown memory 3");
}

static void start_function(void **state)
{
    (void)state;
    modspec_t s = {.sec[8] = R("\x01"), .body = R("\0\x0b")};
    AT(s, 8, 0, "start section", "start function: unknown function 1");
    s.sec[8] = R("\x80\x01");
    AT(s, 8, 0, "start section", "start function: unknown function 128");
    s.sec[1] = R("\x01\x60\x01\x7f\0");
    s.sec[8] = R("\0");
    AT(s, 8, 0, "start section",
       "start function 0: type must be [] -> [] (it has 1 parameter(s), 0 result(s))");
    s = (modspec_t){
        .sec[1] = R("\x01\x60\0\x02\x7f\x7f"), .sec[8] = R("\0"), .body = R("\0\x41\0\x41\0\x0b")};
    AT(s, 8, 0, "start section",
       "start function 0: type must be [] -> [] (it has 0 parameter(s), 2 result(s))");
}

static void exports(void **state)
{
    (void)state;
    modspec_t e = {.sec[7] = R("\x02\x01x\0\0\x01y\x03\0"), .body = R("\0\x0b")};
    AT(e, 7, 5, "export section", "export 1 \"y\": unknown global 0");
    e.sec[7] = R("\x01\x01x\0\x01");
    AT(e, 7, 1, "export section", "export 0 \"x\": unknown function 1");
    e.sec[7] = R("\x01\x01x\x01\0");
    AT(e, 7, 1, "export section", "export 0 \"x\": unknown table 0");
    e.sec[7] = R("\x01\x01x\x02\0");
    AT(e, 7, 1, "export section", "export 0 \"x\": unknown memory 0");
    e.sec[7] = R("\x03\x01x\0\0\x01y\0\0\x01x\0\0");
    AT(e, 7, 9, "export section", "export 2 \"x\": duplicate export name (export 0 has it too)");
    e.sec[7] = R("\x03\x01x\0\0\x01y\0\0\x02xy\0\0");
    EXPECT(e, 0, NULL);
}

/* The decoder's data count checks point at the data count or data section. */
static void data_count(void **state)
{
    (void)state;
    modspec_t d = {.sec[5] = MEM1, .sec[12] = R("\x02")};
    expect_at(&d, MAL, 12, 0, "data count section",
              "data count and data section have inconsistent lengths (2 and no data section)",
              __LINE__);
    d.sec[11] = R("\x01\x01\0");
    expect_at(&d, MAL, 11, 0, "data section",
              "data count and data section have inconsistent lengths (2 and 1)", __LINE__);
    d.sec[12] = R("\x01");
    EXPECT(d, 0, NULL);
}

/* Every offset the decoder records, for a valid module with every kind of entity. */
static void recorded_offsets(void **state)
{
    (void)state;
    modspec_t s = {.sec[1] = R("\x01\x60\0\0"),
                   .sec[2] = R("\x04"
                               "\x01m\x01p\0\0"
                               "\x01m\x01t\x01\x70\0\x01"
                               "\x01m\x01n\x02\0\x01"
                               "\x01m\x01g\x03\x7f\0"),
                   .sec[3] = R("\x02\0\0"),
                   .sec[4] = R("\x01\x70\0\x02"),
                   .sec[6] = R("\x02\x7f\0\x41\x01\x0b\x7e\x01\x42\x02\x0b"),
                   .sec[7] = R("\x02\x01x\0\x01\x01y\x01\x01"),
                   .sec[8] = R("\x01"),
                   .sec[9] = R("\x02\0\x41\0\x0b\x01\x01\x01\0\x01\x02"),
                   .sec[10] = R("\x02\x02\0\x0b\x02\0\x0b"),
                   .sec[11] = R("\x02\0\x41\0\x0b\x01z\x01\x01w"),
                   .sec[12] = R("\x02")};
    buf_t b;
    mod_build(&s, &b);
    asw_module_t *m = NULL;
    asw_error_t e;
    asw_error_init(&e);
    assert_int_equal(asw__decode(NULL, b.b, b.n, &m, &e), 0);
    assert_int_equal(asw__validate(m, &e), 0);
    size_t imp = sec_at(b.b, b.n, 2);
    assert_int_equal(m->nimports, 4);
    assert_int_equal(m->imports[0].offset, imp + 1);
    assert_int_equal(m->imports[1].offset, imp + 7);
    assert_int_equal(m->imports[2].offset, imp + 15);
    assert_int_equal(m->imports[3].offset, imp + 22);
    assert_int_equal(m->nfuncs, 3);
    assert_int_equal(m->funcs[0].decl_offset, imp + 6);
    assert_int_equal(m->funcs[1].decl_offset, sec_at(b.b, b.n, 3) + 1);
    assert_int_equal(m->funcs[2].decl_offset, sec_at(b.b, b.n, 3) + 2);
    assert_int_equal(m->ntables, 2);
    assert_int_equal(m->tables[0].offset, imp + 12);
    assert_int_equal(m->tables[1].offset, sec_at(b.b, b.n, 4) + 1);
    assert_int_equal(m->nmemories, 1);
    assert_int_equal(m->memories[0].offset, imp + 20);
    assert_int_equal(m->nglobals, 3);
    assert_int_equal(m->globals[0].offset, imp + 27);
    assert_int_equal(m->globals[1].offset, sec_at(b.b, b.n, 6) + 1);
    assert_int_equal(m->globals[2].offset, sec_at(b.b, b.n, 6) + 6);
    assert_int_equal(m->nexports, 2);
    assert_int_equal(m->exports[0].offset, sec_at(b.b, b.n, 7) + 1);
    assert_int_equal(m->exports[1].offset, sec_at(b.b, b.n, 7) + 5);
    assert_int_equal(m->start, 1);
    assert_int_equal(m->start_offset, sec_at(b.b, b.n, 8));
    assert_int_equal(m->nelems, 2);
    assert_int_equal(m->elems[0].seg_offset, sec_at(b.b, b.n, 9) + 1);
    assert_int_equal(m->elems[1].seg_offset, sec_at(b.b, b.n, 9) + 7);
    assert_int_equal(m->ndatas, 2);
    assert_int_equal(m->datas[0].seg_offset, sec_at(b.b, b.n, 11) + 1);
    assert_int_equal(m->datas[1].seg_offset, sec_at(b.b, b.n, 11) + 7);
    assert_true(m->has_data_count);
    assert_int_equal(m->data_count_offset, sec_at(b.b, b.n, 12));
    asw__module_free_decoded(m);
    buf_free(&b);
}

/* ------------------------------------------------------------------ hostile */

/* 99999 distinct exports, then a duplicate of the first one: the offset is past 0x80000. */
static void many_exports_duplicate_last(void **state)
{
    (void)state;
    const uint32_t n = ASW__MAX_EXPORTS;
    buf_t c = {0}, mod = {0};
    buf_uleb(&c, n);
    size_t last = 0;
    char name[16];
    for (uint32_t i = 0; i < n; i++) {
        int len = snprintf(name, sizeof name, "e%u", i == n - 1 ? 0u : i);
        last = c.n;
        buf_uleb(&c, (uint64_t)len);
        buf_put(&c, name, (size_t)len);
        buf_put(&c, "\0\0", 2);
    }
    buf_put(&mod, "\0asm\1\0\0\0", 8);
    put_section(&mod, 1, &(buf_t){(uint8_t *)"\x01\x60\0\0", 4, 4});
    put_section(&mod, 3, &(buf_t){(uint8_t *)"\x01\0", 2, 2});
    put_section(&mod, 7, &c);
    put_section(&mod, 10, &(buf_t){(uint8_t *)"\x01\x02\0\x0b", 4, 4});
    size_t at = sec_at(mod.b, mod.n, 7) + last;
    assert_true(at > 0x80000);
    char tail[128];
    snprintf(tail, sizeof tail, "export %u \"e0\": duplicate export name (export 0 has it too)",
             n - 1);
    expect_at_bytes(mod.b, mod.n, INV, "export section", at, tail, __LINE__);
    buf_free(&c);
    buf_free(&mod);
}

/* 100000 declared functions, the last of an unknown type. */
static void many_functions_last_bad(void **state)
{
    (void)state;
    const uint32_t n = 100000;
    buf_t f = {0}, code = {0}, mod = {0};
    buf_uleb(&f, n);
    buf_uleb(&code, n);
    for (uint32_t i = 0; i < n; i++) {
        buf_u8(&f, i == n - 1 ? 1 : 0);
        buf_put(&code, "\x02\0\x0b", 3);
    }
    buf_put(&mod, "\0asm\1\0\0\0", 8);
    put_section(&mod, 1, &(buf_t){(uint8_t *)"\x01\x60\0\0", 4, 4});
    put_section(&mod, 3, &f);
    put_section(&mod, 10, &code);
    char tail[64];
    snprintf(tail, sizeof tail, "function %u: unknown type 1", n - 1);
    expect_at_bytes(mod.b, mod.n, INV, "function section",
                    sec_at(mod.b, mod.n, 3) + uleb_len(n) + n - 1, tail, __LINE__);
    buf_free(&f);
    buf_free(&code);
    buf_free(&mod);
}

/* A passive data segment of 4 MiB, then an active one with an i64 offset: the offset of its
 * expression is past 0x400000. Then the same with 100000 small segments before it. */
static void data_after_large_segment(void **state)
{
    (void)state;
    const size_t big = (size_t)4 << 20;
    for (int round = 0; round < 2; round++) {
        buf_t d = {0}, mod = {0};
        uint32_t nseg = round == 0 ? 2 : ASW__MAX_DATA_SEGMENTS;
        buf_uleb(&d, nseg);
        if (round == 0) {
            buf_u8(&d, 1);
            buf_uleb(&d, big);
            uint8_t *payload = calloc(1, big);
            assert_non_null(payload);
            buf_put(&d, payload, big);
            free(payload);
        } else {
            for (uint32_t i = 0; i + 1 < nseg; i++)
                buf_put(&d, "\x01\x01q", 3);
        }
        size_t expr = d.n + 1;
        buf_put(&d, "\0\x42\0\x0b\0", 5);
        buf_put(&mod, "\0asm\1\0\0\0", 8);
        put_section(&mod, 5, &(buf_t){(uint8_t *)"\x01\0\x01", 3, 3});
        put_section(&mod, 11, &d);
        size_t at = sec_at(mod.b, mod.n, 11) + expr;
        assert_true(at > (round == 0 ? big : 3 * (size_t)(nseg - 1)));
        char tail[128];
        snprintf(tail, sizeof tail,
                 "segment %u, offset: type mismatch in constant expression: expected i32, found "
                 "i64",
                 nseg - 1);
        expect_at_bytes(mod.b, mod.n, INV, "data section", at, tail, __LINE__);
        buf_free(&d);
        buf_free(&mod);
    }
}

/* One element segment of 300000 expression items, the last one bad: the item's offset is found
 * by walking the segment (linear) on the error path. */
static void elem_last_of_many_items(void **state)
{
    (void)state;
    const uint32_t n = 300000;
    buf_t e = {0}, mod = {0};
    buf_put(&e, "\x01\x05\x70", 3);
    buf_uleb(&e, n);
    size_t last = 0;
    for (uint32_t i = 0; i < n; i++) {
        last = e.n;
        if (i == n - 1)
            buf_put(&e, "\xd2\x05\x0b", 3);
        else if (i % 3 == 0)
            buf_put(&e, "\xd0\x70\x0b", 3);
        else
            buf_put(&e, "\xd2\0\x0b", 3);
    }
    buf_put(&mod, "\0asm\1\0\0\0", 8);
    put_section(&mod, 1, &(buf_t){(uint8_t *)"\x01\x60\0\0", 4, 4});
    put_section(&mod, 3, &(buf_t){(uint8_t *)"\x01\0", 2, 2});
    put_section(&mod, 9, &e);
    put_section(&mod, 10, &(buf_t){(uint8_t *)"\x01\x02\0\x0b", 4, 4});
    char tail[128];
    snprintf(tail, sizeof tail, "segment 0, item %u: unknown function 5 in constant expression",
             n - 1);
    expect_at_bytes(mod.b, mod.n, INV, "element section", sec_at(mod.b, mod.n, 9) + last, tail,
                    __LINE__);
    buf_free(&e);
    buf_free(&mod);
}

/* 100000 globals, the last with a bad init; and imports with 3000-byte names: the names are
 * shortened in the message, the offset and the rule are kept whole. */
static void many_globals_and_long_names(void **state)
{
    (void)state;
    const uint32_t n = 100000;
    buf_t g = {0}, mod = {0};
    buf_uleb(&g, n);
    for (uint32_t i = 0; i + 1 < n; i++)
        buf_put(&g, "\x7f\0\x41\0\x0b", 5);
    size_t last = g.n;
    buf_put(&g, "\x7d\0\x41\0\x0b", 5);
    buf_put(&mod, "\0asm\1\0\0\0", 8);
    put_section(&mod, 6, &g);
    char tail[128];
    snprintf(tail, sizeof tail,
             "global %u: type mismatch in constant expression: expected f32, found i32", n - 1);
    expect_at_bytes(mod.b, mod.n, INV, "global section", sec_at(mod.b, mod.n, 6) + last + 2, tail,
                    __LINE__);
    buf_free(&g);
    buf_free(&mod);

    const size_t len = 3000;
    char *name = malloc(len);
    assert_non_null(name);
    memset(name, 'n', len);
    buf_t imp = {0};
    buf_uleb(&imp, 1);
    buf_uleb(&imp, len);
    buf_put(&imp, name, len);
    buf_uleb(&imp, len);
    buf_put(&imp, name, len);
    size_t mem_at = imp.n + 1;
    buf_put(&imp, "\x02\0\x81\x80\x04", 5);
    buf_put(&mod, "\0asm\1\0\0\0", 8);
    put_section(&mod, 2, &imp);
    char want[ASW_ERROR_MSG_MAX];
    snprintf(want, sizeof want,
             "import section, byte 0x%zx: import 0 (%.48s.%.48s), memory 0: memory size must be "
             "at most 65536 pages (4GiB)",
             sec_at(mod.b, mod.n, 2) + mem_at, name, name);
    asw_error_t e;
    assert_int_equal(front_check(mod.b, mod.n, &e), INV);
    assert_string_equal(e.msg, want);
    free(name);
    buf_free(&imp);
    buf_free(&mod);
}

/* Under every allocation failure: either out of memory or the exact located error. */
static void alloc_failure(void **state)
{
    (void)state;
    modspec_t s = {.sec[7] = R("\x03\x01x\0\0\x01y\0\0\x01x\0\0"), .body = R("\0\x0b")};
    buf_t b;
    mod_build(&s, &b);
    char want[256];
    snprintf(want, sizeof want,
             "export section, byte 0x%zx: export 2 \"x\": duplicate export name (export 0 has it "
             "too)",
             sec_at(b.b, b.n, 7) + 9);
    bool done = false;
    for (unsigned long k = 1; !done && k < 1000; k++) {
        asw_error_t e;
        asw_test_alloc_install(k, 0);
        int rc = front_check(b.b, b.n, &e);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (rc == INV) {
            assert_string_equal(e.msg, want);
            done = true;
        } else {
            assert_int_equal(rc, ASW_E_NOMEM);
        }
    }
    assert_true(done);
    buf_free(&b);
}

/* The public API gives the same message. */
static void public_api(void **state)
{
    (void)state;
    modspec_t s = {.sec[5] = R("\x01\x01\x02\x01")};
    buf_t b;
    mod_build(&s, &b);
    asw_engine_t *engine = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_engine_new(NULL, &engine, &e), 0);
    char want[256];
    snprintf(want, sizeof want,
             "memory section, byte 0x%zx: memory 0: size minimum must not be greater than maximum "
             "(2 > 1)",
             sec_at(b.b, b.n, 5) + 1);
    assert_int_equal(asw_module_validate(engine, b.b, b.n, &e), INV);
    assert_string_equal(asw_error_message(&e), want);
    asw_module_t *m = NULL;
    assert_int_equal(asw_module_compile(engine, b.b, b.n, &m, &e), INV);
    assert_null(m);
    assert_string_equal(asw_error_message(&e), want);
    asw_engine_free(engine);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(function_types),
        cmocka_unit_test(limits),
        cmocka_unit_test(multiple_memories),
        cmocka_unit_test(globals),
        cmocka_unit_test(element_segments),
        cmocka_unit_test(data_segments),
        cmocka_unit_test(start_function),
        cmocka_unit_test(exports),
        cmocka_unit_test(data_count),
        cmocka_unit_test(recorded_offsets),
        cmocka_unit_test(many_exports_duplicate_last),
        cmocka_unit_test(many_functions_last_bad),
        cmocka_unit_test(data_after_large_segment),
        cmocka_unit_test(elem_last_of_many_items),
        cmocka_unit_test(many_globals_and_long_names),
        cmocka_unit_test(alloc_failure),
        cmocka_unit_test(public_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
