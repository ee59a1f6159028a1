/*
 * tests/wasm/front_util.h -- helpers shared by the front-end tests (decoder, validator, fuzz
 * replay): a growable byte buffer with LEB128 writers, a module assembler that takes the content
 * of each section as raw bytes and emits them in the required order, and one-call checks of
 * "decode + validate gives this code and this message fragment".
 */
#ifndef ASW_TESTS_FRONT_UTIL_H
#define ASW_TESTS_FRONT_UTIL_H

#include "testlib.h"

#include "wasm/module.h"

#include <stdbool.h>

typedef struct buf {
    uint8_t *b;
    size_t n, cap;
} buf_t;

void buf_put(buf_t *b, const void *p, size_t n);
void buf_u8(buf_t *b, uint8_t v);
void buf_uleb(buf_t *b, uint64_t v);
void buf_sleb(buf_t *b, int64_t v);
void buf_free(buf_t *b);

/* Raw bytes given as a string literal (which may contain \0). */
typedef struct raw {
    const char *p;
    size_t n;
} raw_t;
#define R(lit) ((raw_t){(lit), sizeof(lit) - 1})

/* sec[id]: the content of section `id` (after its size), absent when .p is NULL. `body`: when
 * set and sec[10] is absent, a code section with this one body (locals + instructions + end);
 * the function section defaults to one function of type 0 and the type section to [] -> []. */
typedef struct modspec {
    raw_t sec[13];
    raw_t body;
    raw_t custom; /* a custom section's content appended at the end (name included) */
} modspec_t;

/* Assembles the module into *out (free with buf_free). */
void mod_build(const modspec_t *s, buf_t *out);

/* Decodes and validates bytes; returns the code; *err gets the message. */
int front_check(const uint8_t *bytes, size_t len, asw_error_t *err);

/* Builds, checks, and asserts the code and (when frag is non-NULL) a message fragment. */
void expect_spec(const modspec_t *s, int code, const char *frag, int line);
void expect_bytes(const uint8_t *bytes, size_t len, int code, const char *frag, int line);
#define EXPECT(spec, code, frag) expect_spec(&(spec), (code), (frag), __LINE__)
#define EXPECT_BODY(body_lit, code, frag)                                                          \
    do {                                                                                           \
        modspec_t s_ = {.body = R(body_lit)};                                                      \
        expect_spec(&s_, (code), (frag), __LINE__);                                                \
    } while (0)

/* Reads a generated test module ($ASW_BINARY_DIR/tests/wasm/data/<name>.wasm); NULL if absent.
 * Free with free(). */
uint8_t *front_load(const char *name, size_t *out_len);

#endif /* ASW_TESTS_FRONT_UTIL_H */
