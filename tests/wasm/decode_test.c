/*
 * tests/wasm/decode_test.c -- the binary decoder (src/wasm/decode.c): the modules of
 * tests/wasm/data decode with every section in place; one malformed case (at least) per rule of
 * the binary format, checking the error code and the spec-suite wording; hostile inputs
 * (truncation at every byte, huge counts with no bytes behind them, 100k functions) and
 * allocation failure at every step.
 */
#include "front_util.h"

#include "wasm/decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HDR "\0asm\x01\0\0\0"
#define MAL ASW_E_MALFORMED
#define INV ASW_E_INVALID_MODULE
#define UNS ASW_E_UNSUPPORTED
#define LIM ASW_E_LIMIT

#define EXPECT_RAW(lit, code, frag)                                                                \
    expect_bytes((const uint8_t *)(lit), sizeof(lit) - 1, code, frag, __LINE__)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static asw_module_t *decode_ok(const uint8_t *b, size_t n)
{
    asw_module_t *m = NULL;
    asw_error_t e;
    asw_error_init(&e);
    int rc = asw__decode(NULL, b, n, &m, &e);
    if (rc != 0) fprintf(stderr, "decode: %s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_non_null(m);
    return m;
}

/* ------------------------------------------------------------------ valid modules */

static void all_sections_decode(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = front_load("all", &n);
    if (!b) skip();
    asw_module_t *m = decode_ok(b, n);
    assert_int_equal(m->ntypes, 4);
    assert_int_equal(m->nimports, 5);
    assert_int_equal(m->nimported_funcs, 1);
    assert_int_equal(m->nfuncs, 7);
    assert_int_equal(m->nimported_tables, 1);
    assert_int_equal(m->ntables, 3);
    assert_int_equal(m->nmemories, 1);
    assert_int_equal(m->nimported_globals, 2);
    assert_int_equal(m->nglobals, 9);
    assert_int_equal(m->nexports, 4);
    assert_int_equal(m->start, 1);
    assert_int_equal(m->nelems, 8);
    assert_int_equal(m->ndatas, 3);
    assert_true(m->has_data_count);
    assert_int_equal(m->data_count, 3);
    assert_int_equal(m->ncustoms, 1);
    assert_string_equal(m->customs[0].name, "name");
    /* the 8 element encodings */
    assert_int_equal(m->elems[0].mode, ASW__SEG_ACTIVE);
    assert_int_equal(m->elems[0].count, 2);
    assert_int_equal(m->elems[1].mode, ASW__SEG_PASSIVE);
    assert_int_equal(m->elems[2].table, 2);
    assert_int_equal(m->elems[3].mode, ASW__SEG_DECLARATIVE);
    assert_int_equal(m->elems[4].items[1].op, 0xD0);
    assert_int_equal(m->elems[6].elem_type, ASW_EXTERNREF);
    assert_int_equal(m->elems[7].mode, ASW__SEG_DECLARATIVE);
    /* the 3 data encodings */
    assert_int_equal(m->datas[0].mode, ASW__SEG_ACTIVE);
    assert_int_equal(m->datas[0].len, 5);
    assert_memory_equal(m->bytes + m->datas[0].bytes_offset, "hello", 5);
    assert_int_equal(m->datas[1].mode, ASW__SEG_PASSIVE);
    assert_int_equal(m->datas[2].offset.op, 0x23);
    /* globals and their constant expressions */
    assert_int_equal(m->globals[2].init.bits, 7);
    assert_int_equal(m->globals[3].init.bits, UINT64_MAX);
    assert_int_equal(m->globals[4].init.bits, 0x3FC00000);
    assert_true(m->globals[2].mutable_);
    /* locals of $arith: i64 f32 f64 */
    asw__func_def_t *f = &m->funcs[2];
    assert_int_equal(f->nlocals, 3);
    assert_memory_equal(f->local_types, "\x7e\x7d\x7c", 3);
    assert_true(f->code_offset > f->body_offset);
    /* names */
    assert_non_null(m->module_name);
    assert_string_equal(m->module_name, "all");
    assert_non_null(m->func_names);
    assert_string_equal(m->func_names[2], "arith");
    asw__module_free_decoded(m);
    free(b);
}

static void other_modules_decode(void **state)
{
    (void)state;
    const char *names[] = {"small", "empty"};
    for (size_t i = 0; i < 2; i++) {
        size_t n;
        uint8_t *b = front_load(names[i], &n);
        if (!b) skip();
        asw__module_free_decoded(decode_ok(b, n));
        free(b);
    }
    EXPECT_RAW(HDR, 0, NULL);
}

/* ------------------------------------------------------------------ header, sections */

static void header(void **state)
{
    (void)state;
    EXPECT_RAW("", MAL, "unexpected end");
    EXPECT_RAW("\x01", MAL, "unexpected end");
    EXPECT_RAW("\0as", MAL, "unexpected end");
    EXPECT_RAW("asm\0", MAL, "magic header not detected");
    EXPECT_RAW("\0ASM\x01\0\0\0", MAL, "magic header not detected");
    EXPECT_RAW("\0asm\x01\0\0", MAL, "unexpected end");
    EXPECT_RAW("\0asm\x02\0\0\0", MAL, "unknown binary version");
    EXPECT_RAW("\0asm\0\0\0\x01", MAL, "unknown binary version");
}

static void sections(void **state)
{
    (void)state;
    EXPECT_RAW(HDR "\x0e\x01\0", MAL, "malformed section id");
    EXPECT_RAW(HDR "\x7f\x01\0", MAL, "malformed section id");
    EXPECT_RAW(HDR "\x0d\x01\0", UNS, "exception handling");
    /* the size runs past the end of the module */
    EXPECT_RAW(HDR "\x01\x07\x02\x60\0\0", MAL, "length out of bounds");
    /* 1 type declared, 2 given */
    EXPECT_RAW(HDR "\x01\x07\x01\x60\0\0\x60\0\0", MAL, "section size mismatch");
    /* 2 declared, 1 given inside the section */
    EXPECT_RAW(HDR "\x01\x04\x02\x60\0\0", MAL, "unexpected end of section or function");
    /* the message names the section and the byte offset */
    EXPECT_RAW(HDR "\x01\x07\x01\x60\0\0\x60\0\0", MAL, "type section, byte 0xe");
    /* duplicates and order */
    EXPECT_RAW(HDR "\x01\x01\0\x01\x01\0", MAL, "unexpected content after last section");
    EXPECT_RAW(HDR "\x0b\x01\0\x0a\x01\0", MAL, "unexpected content after last section");
    EXPECT_RAW(HDR "\x0a\x01\0\x0c\x01\0", MAL, "unexpected content after last section");
    EXPECT_RAW(HDR "\x0c\x01\0\x09\x01\0", MAL, "unexpected content after last section");
    EXPECT_RAW(HDR "\x08\x01\0\x08\x01\0", MAL, "unexpected content after last section");
    /* data count goes between element and code sections */
    EXPECT_RAW(HDR "\x09\x01\0\x0c\x01\0\x0a\x01\0\x0b\x01\0", 0, NULL);
    /* custom sections anywhere, kept */
    static const uint8_t cust[] = HDR "\0\x03\x01x\x07"
                                      "\x01\x04\x01\x60\0\0"
                                      "\0\x02\x01y";
    asw_module_t *m = decode_ok(cust, sizeof cust - 1);
    assert_int_equal(m->ncustoms, 2);
    assert_string_equal(m->customs[0].name, "x");
    assert_int_equal(m->customs[0].len, 1);
    assert_int_equal(m->bytes[m->customs[0].offset], 0x07);
    assert_string_equal(m->customs[1].name, "y");
    assert_int_equal(m->customs[1].len, 0);
    asw__module_free_decoded(m);
    EXPECT_RAW(HDR "\0\0", MAL, "unexpected end of section or function");
    EXPECT_RAW(HDR "\0\x02\x05x", MAL, "length out of bounds");
}

static void utf8(void **state)
{
    (void)state;
    EXPECT_RAW(HDR "\0\x03\x02\xc2\xa9", 0, NULL);                             /* U+00A9 */
    EXPECT_RAW(HDR "\0\x05\x04\xf0\x9f\x98\x80", 0, NULL);                     /* U+1F600 */
    EXPECT_RAW(HDR "\0\x03\x02\xc0\x80", MAL, "malformed UTF-8 encoding");     /* overlong */
    EXPECT_RAW(HDR "\0\x04\x03\xed\xa0\x80", MAL, "malformed UTF-8 encoding"); /* surrogate */
    EXPECT_RAW(HDR "\0\x02\x01\xc2", MAL, "malformed UTF-8 encoding");         /* truncated */
    EXPECT_RAW(HDR "\0\x02\x01\x80", MAL, "malformed UTF-8 encoding");         /* continuation */
    EXPECT_RAW(HDR "\0\x05\x04\xf4\x90\x80\x80", MAL, "malformed UTF-8 encoding"); /* >10FFFF */
    EXPECT_RAW(HDR "\0\x04\x03\xe0\x80\x80", MAL, "malformed UTF-8 encoding");
    EXPECT_RAW(HDR "\0\x02\x01\xff", MAL, "malformed UTF-8 encoding");
    /* names of imports and exports too */
    EXPECT_RAW(HDR "\x02\x08\x01\x01\xff\x01m\x02\0\0", MAL, "malformed UTF-8 encoding");
}

/* ------------------------------------------------------------------ LEB128 */

static void leb128(void **state)
{
    (void)state;
    EXPECT_RAW(HDR "\x01\x06\x80\x80\x80\x80\x80\0", MAL, "integer representation too long");
    EXPECT_RAW(HDR "\x01\x05\x80\x80\x80\x80\x10", MAL, "integer too large");
    EXPECT_RAW(HDR "\x01\x05\x80\x80\x80\x80\x0f", MAL, "unexpected end"); /* huge count */
    /* non-minimal encodings are fine */
    EXPECT_RAW(HDR "\x05\x07\x01\0\x82\x80\x80\x80\0", 0, NULL);
    EXPECT_RAW(HDR "\x05\x04\x01\0\x82\0", 0, NULL);
    /* section size itself */
    EXPECT_RAW(HDR "\x01\x80\x80\x80\x80\x80\x01", MAL, "integer representation too long");
    /* local count is a u32 */
    modspec_t s = {.sec[10] = R("\x01\x0a\x02\x80\x80\x80\x80\x10\x7f\x02\x7e\x0b")};
    s.sec[1] = R("\x01\x60\0\0");
    s.sec[3] = R("\x01\0");
    EXPECT(s, MAL, "integer too large");
    /* signed: i32.const / i64.const / block type (s33) */
    EXPECT_BODY("\0\x41\xff\xff\xff\xff\x07\x1a\x0b", 0, NULL);
    EXPECT_BODY("\0\x41\x80\x80\x80\x80\x78\x1a\x0b", 0, NULL);
    EXPECT_BODY("\0\x41\x80\x80\x80\x80\x70\x1a\x0b", MAL, "integer too large");
    EXPECT_BODY("\0\x41\xff\xff\xff\xff\x0f\x1a\x0b", MAL, "integer too large");
    EXPECT_BODY("\0\x41\x80\x80\x80\x80\x80\0\x1a\x0b", MAL, "integer representation too long");
    EXPECT_BODY("\0\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f\x1a\x0b", 0, NULL);
    EXPECT_BODY("\0\x42\xff\xff\xff\xff\xff\xff\xff\xff\xff\0\x1a\x0b", 0, NULL);
    EXPECT_BODY("\0\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02\x1a\x0b", MAL, "integer too large");
    EXPECT_BODY("\0\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\0\x1a\x0b", MAL,
                "integer representation too long");
    EXPECT_BODY("\0\x02\x80\x80\x80\x80\x10\x0b\x0b", MAL, "integer too large");
    EXPECT_BODY("\0\x02\x80\x80\x80\x80\x80\0\x0b\x0b", MAL, "integer representation too long");
    EXPECT_BODY("\0\x02\x80\x80\x80\x80\0\x0b\x0b", 0, NULL); /* type 0 in 5 bytes */
    /* truncated LEB at the end of the body */
    EXPECT_BODY("\0\x41\x80", MAL, "unexpected end");
}

/* ------------------------------------------------------------------ per section */

static void types(void **state)
{
    (void)state;
    EXPECT_RAW(HDR "\x01\x04\x01\x61\0\0", MAL, "malformed functype");
    EXPECT_RAW(HDR "\x01\x05\x01\x60\x01\x7b\0", UNS, "v128");
    EXPECT_RAW(HDR "\x01\x05\x01\x60\x01\x7a\0", MAL, "malformed value type");
    EXPECT_RAW(HDR "\x01\x07\x01\x60\x02\x7f\x7e\x01\x6f", 0, NULL);
    EXPECT_RAW(HDR "\x01\x05\x01\x60\x05\x7f\0", MAL, "unexpected end"); /* count > bytes */
    EXPECT_RAW(HDR "\x01\x01\0", 0, NULL);
}

static void imports(void **state)
{
    (void)state;
    EXPECT_RAW(HDR "\x02\x04\x01\0\0\x05", MAL, "malformed import kind");
    EXPECT_RAW(HDR "\x02\x05\x01\0\0\x80\0", MAL, "malformed import kind");
    EXPECT_RAW(HDR "\x02\x06\x01\0\0\x03\x7f\x02", MAL, "malformed mutability");
    EXPECT_RAW(HDR "\x02\x07\x01\0\0\x01\x7f\0\0", MAL, "malformed reference type");
    EXPECT_RAW(HDR "\x02\x06\x01\0\0\x02\x08\0", MAL, "malformed limits flags");
    EXPECT_RAW(HDR "\x02\x06\x01\0\0\x02\x81\0", MAL, "malformed limits flags");
    EXPECT_RAW(HDR "\x02\x07\x01\0\0\x02\x03\0\x01", UNS, "shared or 64-bit");
    EXPECT_RAW(HDR "\x02\x06\x01\0\0\x02\x04\0", UNS, "limits flags");
    EXPECT_RAW(HDR "\x02\x06\x01\0\0\x03\x7b\0", UNS, "v128");
    /* one import of each kind */
    static const uint8_t ok[] = HDR "\x01\x04\x01\x60\0\0"
                                    "\x02\x1e\x04"
                                    "\x01m\x01x\0\0"
                                    "\x01m\x01x\x01\x70\x01\x01\x02"
                                    "\x01m\x01x\x02\0\x01"
                                    "\x01m\x01x\x03\x7e\x01";
    asw_module_t *m = decode_ok(ok, sizeof ok - 1);
    assert_int_equal(m->nimports, 4);
    assert_int_equal(m->nimported_funcs, 1);
    assert_int_equal(m->nimported_tables, 1);
    assert_int_equal(m->tables[0].limits.max, 2);
    assert_true(m->tables[0].limits.has_max);
    assert_int_equal(m->nimported_memories, 1);
    assert_int_equal(m->memories[0].limits.min, 1);
    assert_false(m->memories[0].limits.has_max);
    assert_int_equal(m->nimported_globals, 1);
    assert_true(m->globals[0].mutable_);
    assert_string_equal(m->imports[3].module, "m");
    assert_int_equal(m->imports[3].kind, ASW_EXTERN_GLOBAL);
    asw__module_free_decoded(m);
    /* names with U+0000 keep their length */
    static const uint8_t nul[] = HDR "\x02\x09\x01\x02x\0\x01m\x02\0\x01";
    m = decode_ok(nul, sizeof nul - 1);
    assert_int_equal(m->imports[0].module_len, 2);
    asw__module_free_decoded(m);
}

static void exports_globals_start(void **state)
{
    (void)state;
    EXPECT_RAW(HDR "\x07\x04\x01\0\x04\0", MAL, "malformed export kind");
    EXPECT_RAW(HDR "\x06\x06\x01\x7f\x02\x41\0\x0b", MAL, "malformed mutability");
    EXPECT_RAW(HDR "\x06\x06\x02\x7f\0\x41\0\x0b", MAL, "unexpected end");
    EXPECT_RAW(HDR "\x06\x05\x01\x7f\0\x41\0\x0a\x01\0", MAL,
               "unexpected end of section or function"); /* missing end */
    EXPECT_RAW(HDR "\x06\x08\x01\x7f\0\x41\0\x41\0\x0b", INV, "type mismatch");
    EXPECT_RAW(HDR "\x06\x04\x01\x7f\0\x0b", INV, "type mismatch");
    EXPECT_RAW(HDR "\x06\x05\x01\x7f\0\x01\x0b", INV, "constant expression required");
    EXPECT_RAW(HDR "\x06\x09\x01\x7f\0\x41\0\x41\0\x6a\x0b", INV, "type mismatch");
    EXPECT_RAW(HDR "\x06\x07\x01\x7f\0\x41\0\x6a\x0b", INV, "constant expression required");
    EXPECT_RAW(HDR "\x06\x05\x01\x7f\0\xff\x0b", MAL, "illegal opcode ff");
    EXPECT_RAW(HDR "\x06\x05\x01\x7f\0\xfd\x0b", UNS, "SIMD");
    EXPECT_RAW(HDR "\x06\x06\x01\x6f\0\xd0\x7f\x0b", MAL, "malformed reference type");
    EXPECT_RAW(HDR "\x06\x09\x01\x7d\0\x43\0\0\xc0\x3f\x0b", 0, NULL);
    EXPECT_RAW(HDR "\x06\x07\x01\x7d\0\x43\0\0\xc0", MAL, "unexpected end");
    /* start */
    EXPECT_RAW(HDR "\x01\x04\x01\x60\0\0\x03\x02\x01\0\x08\x01\0\x0a\x04\x01\x02\0\x0b", 0, NULL);
    EXPECT_RAW(HDR "\x08\x00", MAL, "unexpected end");
}

static void functions_and_code(void **state)
{
    (void)state;
    EXPECT_RAW(HDR "\x01\x04\x01\x60\0\0\x03\x03\x02\0\0", MAL,
               "function and code section have inconsistent lengths");
    EXPECT_RAW(HDR "\x0a\x04\x01\x02\0\x0b", MAL,
               "function and code section have inconsistent lengths");
    EXPECT_RAW(HDR "\x01\x04\x01\x60\0\0\x03\x03\x02\0\0\x0a\x04\x01\x02\0\x0b", MAL,
               "function and code section have inconsistent lengths");
    EXPECT_RAW(HDR "\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x07\x02\x02\0\x0b\x02\0\x0b", MAL,
               "function and code section have inconsistent lengths");
    EXPECT_RAW(HDR "\x03\x01\0", 0, NULL);
    EXPECT_RAW(HDR "\x0a\x01\0", 0, NULL);
    /* locals */
    modspec_t s = {.sec[1] = R("\x01\x60\0\0"), .sec[3] = R("\x01\0")};
    s.sec[10] = R("\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b");
    EXPECT(s, MAL, "too many locals");
    s.sec[10] = R("\x01\x1a\x04\x80\x80\x80\x80\x04\x7f\x80\x80\x80\x80\x04\x7e\x80\x80\x80\x80"
                  "\x04\x7d\x80\x80\x80\x80\x04\x7c\x0b");
    EXPECT(s, MAL, "too many locals");
    EXPECT_BODY("\x01\xd0\x86\x03\x7f\x0b", 0, NULL);                /* 50000 locals: the limit */
    EXPECT_BODY("\x01\xd1\x86\x03\x7f\x0b", LIM, "too many locals"); /* 50001 */
    /* with 2 parameters, 49998 locals is the limit */
    modspec_t p = {.sec[1] = R("\x01\x60\x02\x7f\x7f\0"), .body = R("\x01\xce\x86\x03\x7f\x0b")};
    EXPECT(p, 0, NULL);
    p.body = R("\x01\xcf\x86\x03\x7f\x0b");
    EXPECT(p, LIM, "too many locals");
    EXPECT_BODY("\x03\0\x7f\0\x7e\x02\x7d\x0b", 0, NULL);
    EXPECT_BODY("\x01\x01\x7b\x0b", UNS, "v128");
    EXPECT_BODY("\x01\x01\x40\x0b", MAL, "malformed value type");
    /* body size past the section */
    s.sec[10] = R("\x01\x05\0\x0b");
    EXPECT(s, MAL, "unexpected end");
    /* function type index is checked by the validator, not here */
    modspec_t t = {.sec[3] = R("\x01\x05"), .body = R("\0\x0b")};
    EXPECT(t, INV, "unknown type");
}

static void elements(void **state)
{
    (void)state;
    modspec_t s = {.sec[4] = R("\x01\x70\0\x01"), .body = R("\0\x0b")};
    s.sec[9] = R("\x01\x08\x70\x01\xd2\0\x0b");
    EXPECT(s, MAL, "malformed elements segment kind");
    s.sec[9] = R("\x01\x01\x01\x01\0");
    EXPECT(s, MAL, "malformed element kind");
    s.sec[9] = R("\x01\x05\x7f\x01\xd2\0\x0b");
    EXPECT(s, MAL, "malformed reference type");
    s.sec[9] = R("\x01\x05\x70\x01\xf3\0\x0b");
    EXPECT(s, MAL, "illegal opcode");
    s.sec[9] = R("\x01\x05\x70\x01\xd2\0\x0b");
    EXPECT(s, 0, NULL);
    s.sec[9] = R("\x01\x05\x70\x01\xd0\x70\x0b");
    EXPECT(s, 0, NULL);
    s.sec[9] = R("\x02\0\x41\0\x0b\x01\0");
    EXPECT(s, MAL, "unexpected end");
    s.sec[9] = R("\x01\x80\0\x41\0\x0b\x01\0"); /* flags 0 in 2 bytes */
    EXPECT(s, 0, NULL);
    s.sec[9] = R("\x01\x02\0\x41\0\x0b\x01\0");
    EXPECT(s, MAL, "malformed element kind"); /* elemkind must be 0x00 */
    s.sec[9] = R("\x01\x06\0\x41\0\x0b\x70\x01\xd2\0\x0b");
    EXPECT(s, 0, NULL);
    s.sec[9] = R("\x01\x03\0\x01\0");
    EXPECT(s, 0, NULL);
    s.sec[9] = R("\x01\x07\x70\x01\xd2\0\x0b");
    EXPECT(s, 0, NULL);
}

static void data(void **state)
{
    (void)state;
    EXPECT_RAW(HDR "\x05\x03\x01\0\x01\x0b\x06\x01\0\x41\0\x0b\0", 0, NULL);
    EXPECT_RAW(HDR "\x05\x03\x01\0\x01\x0b\x03\x01\x03\0", MAL, "malformed data segment kind");
    EXPECT_RAW(HDR "\x05\x03\x01\0\x01\x0b\x07\x01\x02\0\x41\0\x0b\0", 0, NULL);
    EXPECT_RAW(HDR "\x05\x03\x01\0\x01\x0b\x07\x01\x02\x01\x41\0\x0b\0", INV, "unknown memory 1");
    EXPECT_RAW(HDR "\x0c\x01\x03\x0b\x05\x02\x01\0\x01\0", MAL,
               "data count and data section have inconsistent lengths");
    EXPECT_RAW(HDR "\x0c\x01\x01\x0b\x05\x02\x01\0\x01\0", MAL,
               "data count and data section have inconsistent lengths");
    EXPECT_RAW(HDR "\x05\x03\x01\0\x01\x0c\x01\x01", MAL,
               "data count and data section have inconsistent lengths");
    EXPECT_RAW(HDR "\x0c\x01\0", 0, NULL);
    EXPECT_RAW(HDR "\x05\x03\x01\0\x01\x0b\x0c\x01\0\x41\x03\x0b\x07"
                   "abcdef",
               MAL, "unexpected end of section or function");
    EXPECT_RAW(HDR "\x05\x03\x01\0\x01\x0b\x0c\x01\0\x41\0\x0b\x05"
                   "abcdef",
               MAL, "section size mismatch");
}

static void name_section(void **state)
{
    (void)state;
    /* module name "m", function 0 named "x" */
    modspec_t s = {.body = R("\0\x0b"), .custom = R("\x04name\0\x02\x01m\x01\x04\x01\0\x01x")};
    buf_t b;
    mod_build(&s, &b);
    asw_module_t *m = decode_ok(b.b, b.n);
    assert_string_equal(m->module_name, "m");
    assert_string_equal(m->func_names[0], "x");
    asw__module_free_decoded(m);
    buf_free(&b);
    /* malformed name sections keep the module and drop the names */
    static const raw_t bad[] = {
        R("\x04name\x01\x04\x01\x05\x01x"),         /* index out of range */
        R("\x04name\x01\x07\x02\0\x01x\0\x01y"),    /* indices not increasing */
        R("\x04name\x01\x09\x01\0\x01x"),           /* subsection size past the end */
        R("\x04name\x01\x04\x01\0\x01\xff"),        /* bad UTF-8 */
        R("\x04name\x01\x04\x01\0\x01x\x01\x01\0"), /* subsection repeated */
        R("\x04name\0\x03\x01m\x01"),               /* size mismatch */
        R("\x04name\x01\x05\x05\0\x01x\0"),         /* count past the end */
    };
    for (size_t i = 0; i < ASW_ARRAY_LEN(bad); i++) {
        s.custom = bad[i];
        mod_build(&s, &b);
        m = decode_ok(b.b, b.n);
        assert_null(m->func_names);
        assert_null(m->module_name);
        asw__module_free_decoded(m);
        buf_free(&b);
    }
    /* local names (subsection 2) are skipped */
    s.custom = R("\x04name\x01\x04\x01\0\x01x\x02\x01\0");
    mod_build(&s, &b);
    m = decode_ok(b.b, b.n);
    assert_string_equal(m->func_names[0], "x");
    asw__module_free_decoded(m);
    buf_free(&b);
}

/* ------------------------------------------------------------------ hostile input */

/* Offsets where a prefix of the module is itself a complete module. */
static bool at_section_boundary(const uint8_t *b, size_t n, size_t cut)
{
    size_t pos = 8;
    if (cut == 8) return true;
    while (pos < n) {
        pos++;
        uint32_t size = 0;
        for (unsigned sh = 0;; sh += 7) {
            uint8_t c = b[pos++];
            size |= (uint32_t)(c & 0x7F) << sh;
            if (!(c & 0x80)) break;
        }
        pos += size;
        if (pos == cut) return true;
    }
    return false;
}

static void truncated_everywhere(void **state)
{
    (void)state;
    const char *names[] = {"all", "small"};
    for (size_t k = 0; k < 2; k++) {
        size_t n;
        uint8_t *b = front_load(names[k], &n);
        if (!b) skip();
        for (size_t cut = 0; cut < n; cut++) {
            uint8_t *c = malloc(cut ? cut : 1);
            memcpy(c, b, cut);
            asw_error_t e;
            int rc = front_check(c, cut, &e);
            if (rc == 0) {
                /* only a cut at a section boundary may leave a valid module, and only when it
                 * leaves no function without its code */
                assert_true(at_section_boundary(b, n, cut));
            } else {
                assert_true(rc == MAL || rc == INV);
                assert_true(e.msg[0] != 0);
            }
            free(c);
        }
        free(b);
    }
}

static void huge_counts_without_bytes(void **state)
{
    (void)state;
    /* A ceiling of 64 KiB proves nothing is sized by the declared count. */
    static const raw_t cases[] = {
        R(HDR "\x01\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x02\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x03\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x04\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x05\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x06\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x07\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x09\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x0a\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x0b\x05\xff\xff\xff\xff\x0f"),
        R(HDR "\x0c\x05\xff\xff\xff\xff\x0f\x0b\x01\0"),
        R(HDR "\x01\x08\x01\x60\xff\xff\xff\xff\x0f\0"),   /* params */
        R(HDR "\x09\x08\x01\x01\0\xff\xff\xff\xff\x0f"),   /* elements */
        R(HDR "\x0b\x09\x01\x01\xff\xff\xff\xff\x0f\x61"), /* data bytes */
        R(HDR "\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x09\x01\x07\xff\xff\xff\xff\x0f\x7f\x0b"),
        R(HDR "\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x0a\x01\x08\0\xff\xff\xff\xff\x0f\x7f\x0b"),
        R(HDR "\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x0b\x01\x09\0\x41\0\x0e\xff\xff\xff\xff\x0f"),
        R(HDR "\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x0b\x01\xff\xff\xff\xff\x0f\0\x0b"),
    };
    for (size_t i = 0; i < ASW_ARRAY_LEN(cases); i++) {
        asw_test_alloc_install(0, 64 * 1024);
        asw_error_t e;
        int rc = front_check((const uint8_t *)cases[i].p, cases[i].n, &e);
        if (rc != MAL && rc != LIM) fprintf(stderr, "case %zu: %d %s\n", i, rc, e.msg);
        assert_true(rc == MAL || rc == LIM);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
    }
    /* a name map that claims four billion names */
    modspec_t s = {.body = R("\0\x0b"), .custom = R("\x04name\x01\x05\xff\xff\xff\xff\x0f")};
    buf_t b;
    mod_build(&s, &b);
    asw_test_alloc_install(0, 64 * 1024);
    asw_module_t *m = decode_ok(b.b, b.n);
    assert_null(m->func_names);
    asw__module_free_decoded(m);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
    buf_free(&b);
}

static void many_functions(void **state)
{
    (void)state;
    const uint32_t n = 100000;
    buf_t f = {0}, c = {0}, mod = {0};
    buf_uleb(&f, n);
    buf_uleb(&c, n);
    for (uint32_t i = 0; i < n; i++) {
        buf_u8(&f, 0);
        buf_put(&c, "\x02\0\x0b", 3);
    }
    buf_put(&mod, HDR "\x01\x04\x01\x60\0\0", 14);
    buf_u8(&mod, 3);
    buf_uleb(&mod, f.n);
    buf_put(&mod, f.b, f.n);
    buf_u8(&mod, 10);
    buf_uleb(&mod, c.n);
    buf_put(&mod, c.b, c.n);
    double t0 = now_s();
    asw_error_t e;
    assert_int_equal(front_check(mod.b, mod.n, &e), 0);
    double dt = now_s() - t0;
    printf("100k functions: %.1f ms\n", dt * 1e3);
    assert_true(dt < 5.0);
    buf_free(&f);
    buf_free(&c);
    buf_free(&mod);
}

/* Locals are bounded per module byte: 7-byte bodies declaring 50000 locals each. */
static void locals_budget(void **state)
{
    (void)state;
    const uint32_t n = 2000;
    buf_t f = {0}, c = {0}, mod = {0};
    buf_uleb(&f, n);
    buf_uleb(&c, n);
    for (uint32_t i = 0; i < n; i++) {
        buf_u8(&f, 0);
        buf_put(&c, "\x06\x01\xd0\x86\x03\x7f\x0b", 7);
    }
    buf_put(&mod, HDR "\x01\x04\x01\x60\0\0", 14);
    buf_u8(&mod, 3);
    buf_uleb(&mod, f.n);
    buf_put(&mod, f.b, f.n);
    buf_u8(&mod, 10);
    buf_uleb(&mod, c.n);
    buf_put(&mod, c.b, c.n);
    asw_error_t e;
    assert_int_equal(front_check(mod.b, mod.n, &e), LIM);
    assert_non_null(strstr(e.msg, "too many locals in the module"));
    buf_free(&f);
    buf_free(&c);
    buf_free(&mod);
}

static void alloc_failure_everywhere(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = front_load("all", &n);
    if (!b) skip();
    bool done = false;
    for (unsigned long k = 1; !done && k < 100000; k++) {
        asw_test_alloc_install(k, 0);
        asw_error_t e;
        int rc = front_check(b, n, &e);
        long leaks = asw_test_alloc_uninstall();
        assert_int_equal(leaks, 0);
        if (rc == 0) {
            done = true;
        } else {
            if (rc != ASW_E_NOMEM) fprintf(stderr, "fail at %lu: %s\n", k, e.msg);
            assert_int_equal(rc, ASW_E_NOMEM);
        }
    }
    assert_true(done);
    free(b);
}

static void bad_arguments(void **state)
{
    (void)state;
    asw_module_t *m = (asw_module_t *)1;
    assert_int_equal(asw__decode(NULL, NULL, 3, &m, NULL), ASW_E_INVALID);
    assert_int_equal(asw__decode(NULL, (const uint8_t *)"", 0, NULL, NULL), ASW_E_INVALID);
    assert_int_equal(asw__decode(NULL, NULL, 0, &m, NULL), MAL);
    assert_null(m);
    assert_int_equal(asw__validate(NULL, NULL), ASW_E_INVALID);
    asw__module_free_decoded(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_sections_decode),
        cmocka_unit_test(other_modules_decode),
        cmocka_unit_test(header),
        cmocka_unit_test(sections),
        cmocka_unit_test(utf8),
        cmocka_unit_test(leb128),
        cmocka_unit_test(types),
        cmocka_unit_test(imports),
        cmocka_unit_test(exports_globals_start),
        cmocka_unit_test(functions_and_code),
        cmocka_unit_test(elements),
        cmocka_unit_test(data),
        cmocka_unit_test(name_section),
        cmocka_unit_test(truncated_everywhere),
        cmocka_unit_test(huge_counts_without_bytes),
        cmocka_unit_test(many_functions),
        cmocka_unit_test(locals_budget),
        cmocka_unit_test(alloc_failure_everywhere),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
