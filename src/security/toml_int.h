/*
 * src/security/toml_int.h -- what the two files of the TOML parser share (toml.c: the document,
 * tables, arrays and the structure of a document; toml_lex.c: UTF-8 and control-character
 * validation, strings, numbers, booleans and date-times). Nothing outside these two files uses
 * this header; the public surface is include/airssys/toml.h.
 *
 * Memory: every node, string, key, array of items and table index of one document lives in an
 * arena owned by the document (struct toml_doc), so freeing a document is freeing a list of
 * chunks, error paths cannot leak, and no recursion is needed to free.
 */
#ifndef ASW_SECURITY_TOML_INT_H
#define ASW_SECURITY_TOML_INT_H

#include "airssys/toml.h"
#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Node flags. A table is exactly one of IMPLICIT (created as an intermediate of a [header],
 * still undefined), DEFINED (by a [header] or a [[header]] element, or the root), DOTTED (created
 * by a dotted key) or INLINE (an inline table, immutable once closed). An array is static unless
 * AOT (an array of tables made by [[header]]). */
enum {
    TF_IMPLICIT = 1u << 0,
    TF_DEFINED = 1u << 1,
    TF_DOTTED = 1u << 2,
    TF_INLINE = 1u << 3,
    TF_AOT = 1u << 4,
    TF_ROOT = 1u << 5,
};

/* One key of a table. `key` is NUL-terminated in the arena; klen counts embedded NULs. */
typedef struct toml_entry {
    const char *key;
    asw_toml_value_t *val;
    uint32_t klen;
    uint32_t hash;      /* seeded hash of the key (the seed is the document's) */
    uint32_t line, col; /* where the key part was first written */
} toml_entry;

/* The hash index of a table with INDEX_MIN_KEYS keys or more: open addressing over entry
 * numbers (entry index + 1; 0 = empty), load factor at most 1/2. It also keeps the document's
 * seed so lookups after parsing hash like the parser did (small tables are scanned). */
typedef struct toml_index {
    uint32_t cap; /* a power of two */
    uint32_t seed;
    uint32_t slot[];
} toml_index;

/* A date/time packed into 16 bytes (asw_toml_datetime_t is the public, unpacked form). */
typedef struct toml_dt {
    int16_t year;
    uint8_t month, day, hour, minute, second, frac_digits;
    int16_t offset_minutes;
    uint32_t nanosecond;
} toml_dt;

/* A value: 40 bytes on LP64. Memory use, not CPU, bounds the parser's throughput (every byte
 * of a large document's tree is touched fresh), so the layout is kept compact. */
struct asw_toml_value {
    uint8_t type;  /* asw_toml_type_t */
    uint8_t flags; /* TF_* */
    uint8_t depth; /* containers: nesting level below the root (root is 0) */
    uint32_t line, col;
    union {
        struct {
            char *s; /* NUL-terminated */
            size_t len;
        } str;
        int64_t i;
        double f;
        bool b;
        toml_dt dt;
        struct {
            asw_toml_value_t **items;
            uint32_t n, cap;
        } arr;
        struct {
            toml_entry *ents;
            toml_index *index; /* NULL while the table is small */
            uint32_t n, cap;
        } tab;
    } u;
};

/* A chunk of the arena; allocations are 8-byte aligned. */
typedef struct toml_chunk {
    struct toml_chunk *next;
    size_t size, used;
    /* data follows, aligned to 16 */
} toml_chunk;

/* The parser state. `p` is the cursor; line/line_start track the current line for positions. */
typedef struct toml_parser {
    const char *src, *p, *end;
    uint32_t line;
    const char *line_start;
    const char *col_ptr; /* column cache: col_val is the column of col_ptr */
    uint32_t col_val;
    toml_chunk *chunks; /* head is the chunk being filled */
    size_t next_chunk;
    asw_toml_arena_t *arena; /* asw_toml_parse_in: chunks come from and go back to it; or NULL */
    /* Blocks left behind when a vector (table entries, array items) grew elsewhere, by size
     * class (log2 of the size; the vectors always have power-of-two sizes): reused by the next
     * vector of that size, so growth does not waste memory. */
    void *spare[48];
    uint32_t seed;
    asw_error_t *err;
} toml_parser;

/* Arena allocation (NULL on OOM; the caller reports ASW_E_NOMEM). */
void *asw__toml_alloc(toml_parser *P, size_t size);
/* Grows a vector allocated by asw__toml_grow (or NULL with old_size 0) from old_size to new_size
 * (> old_size); both sizes are 0 or powers of two of at least 16 bytes. */
void *asw__toml_grow(toml_parser *P, void *ptr, size_t old_size, size_t new_size);
/* Allocates a node of `type` positioned at `at` (which must be on the current line). */
asw_toml_value_t *asw__toml_node(toml_parser *P, asw_toml_type_t type, const char *at);
/* Reports ASW_E_PARSE "line L, column C: <fmt>" for the position `at`; returns ASW_E_PARSE. */
int asw__toml_error(toml_parser *P, const char *at, const char *fmt, ...) ASW_PRINTF(3, 4);
#ifdef __clang_analyzer__
/* For clang-tidy's analyzer, which does not inline variadic functions: asw__toml_error returns
 * ASW_E_PARSE, never success (as asw__errorf in base.h). toml.c defines the function with its name
 * in parentheses so this macro does not rewrite the definition. */
#define asw__toml_error(P, at, ...) (asw__toml_error(P, at, __VA_ARGS__), ASW_E_PARSE)
#endif
/* Reports ASW_E_NOMEM; returns ASW_E_NOMEM. */
int asw__toml_nomem(toml_parser *P);
/* Character column of `at` on the current line (1-based). */
uint32_t asw__toml_column(toml_parser *P, const char *at);
/* Consumes the newline at P->p ("\n" or "\r\n") and starts a new line. */
void asw__toml_newline(toml_parser *P);

/* Validates the whole text: UTF-8 (no overlongs, surrogates or values above U+10FFFF), no
 * control characters other than tab, LF and CR-LF. Returns 0 or ASW_E_PARSE. */
int asw__toml_check_text(toml_parser *P);

/* Parses a string of any of the four kinds at P->p (which is at ' or "). allow_multi = false for
 * keys: then ''' and """ are not special. Stores an arena copy in *out_s / *out_len. */
int asw__toml_string(toml_parser *P, bool allow_multi, char **out_s, size_t *out_len);

/* Largest number of keys in one table and of elements in one array. */
#define TOML_MAX_ITEMS (UINT32_MAX / 4)

/* Eight-bytes-at-a-time scanning (SWAR): toml_load8 reads an unaligned word. */
#define TOML_ONES  UINT64_C(0x0101010101010101)
#define TOML_HIGHS UINT64_C(0x8080808080808080)
static inline uint64_t toml_load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Parses a scalar that is not a string (boolean, number, date/time) at P->p into *v (whose type
 * is set by this function). */
int asw__toml_scalar(toml_parser *P, asw_toml_value_t *v);

#endif /* ASW_SECURITY_TOML_INT_H */
