/*
 * tests/wasm/front_util.c -- see front_util.h.
 */
#include "front_util.h"

#include "wasm/decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_put(buf_t *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n)
            cap *= 2;
        b->b = realloc(b->b, cap);
        assert_non_null(b->b);
        b->cap = cap;
    }
    if (n) memcpy(b->b + b->n, p, n);
    b->n += n;
}

void buf_u8(buf_t *b, uint8_t v)
{
    buf_put(b, &v, 1);
}

void buf_uleb(buf_t *b, uint64_t v)
{
    do {
        uint8_t c = v & 0x7F;
        v >>= 7;
        if (v) c |= 0x80;
        buf_u8(b, c);
    } while (v);
}

void buf_sleb(buf_t *b, int64_t v)
{
    for (;;) {
        uint8_t c = v & 0x7F;
        v >>= 7; /* arithmetic on every compiler we build with */
        bool done = (v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40));
        if (!done) c |= 0x80;
        buf_u8(b, c);
        if (done) break;
    }
}

void buf_free(buf_t *b)
{
    free(b->b);
    b->b = NULL;
    b->n = b->cap = 0;
}

static void put_section(buf_t *out, uint8_t id, const void *p, size_t n)
{
    buf_u8(out, id);
    buf_uleb(out, n);
    buf_put(out, p, n);
}

void mod_build(const modspec_t *s, buf_t *out)
{
    static const uint8_t order[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11};
    memset(out, 0, sizeof *out);
    buf_put(out, "\0asm\1\0\0\0", 8);
    for (size_t i = 0; i < sizeof order; i++) {
        uint8_t id = order[i];
        if (s->sec[id].p) {
            put_section(out, id, s->sec[id].p, s->sec[id].n);
        } else if (s->body.p && id == 1) {
            put_section(out, 1, "\x01\x60\x00\x00", 4);
        } else if (s->body.p && id == 3) {
            put_section(out, 3, "\x01\x00", 2);
        } else if (s->body.p && id == 10) {
            buf_t c = {0};
            buf_u8(&c, 1);
            buf_uleb(&c, s->body.n);
            buf_put(&c, s->body.p, s->body.n);
            put_section(out, 10, c.b, c.n);
            buf_free(&c);
        }
    }
    if (s->custom.p) put_section(out, 0, s->custom.p, s->custom.n);
}

int front_check(const uint8_t *bytes, size_t len, asw_error_t *err)
{
    asw_module_t *m = NULL;
    asw_error_init(err);
    int rc = asw__decode(NULL, bytes, len, &m, err);
    if (rc == 0) {
        rc = asw__validate(m, err);
        asw__module_free_decoded(m);
    } else {
        assert_null(m);
    }
    return rc;
}

void expect_bytes(const uint8_t *bytes, size_t len, int code, const char *frag, int line)
{
    asw_error_t e;
    int rc = front_check(bytes, len, &e);
    if (rc != code || (frag && !strstr(e.msg, frag))) {
        fprintf(stderr, "line %d: expected %s \"%s\", got %s \"%s\"\n", line, asw_err_name(code),
                frag ? frag : "", asw_err_name(rc), e.msg);
        fail();
    }
}

void expect_spec(const modspec_t *s, int code, const char *frag, int line)
{
    buf_t b;
    mod_build(s, &b);
    expect_bytes(b.b, b.n, code, frag, line);
    buf_free(&b);
}

uint8_t *front_load(const char *name, size_t *out_len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/wasm/data/%s.wasm", name);
    return asw_test_read_file(asw_test_bin_path(rel), out_len);
}
