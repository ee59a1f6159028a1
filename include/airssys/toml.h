/*
 * airssys/toml.h -- a complete TOML 1.0.0 parser (https://toml.io/en/v1.0.0): parse a document
 * into a read-only tree of values, walk it, read typed scalars and the source position of every
 * value and key.
 *
 * Design. asw_toml_parse() validates the whole document (UTF-8, control characters, every rule of
 * TOML 1.0 including the table-redefinition rules) and returns the root table, which owns every
 * value below it: one asw_toml_free(root) releases the document. Values are never modified after
 * parsing, so every accessor takes and returns `const` pointers that borrow from the document and
 * stay valid until asw_toml_free(root). Tables keep their keys in document order and are hashed
 * (lookups are O(1) on average; parsing is linear in the document size).
 *
 * Limits: containers (tables and arrays) nest at most ASW_TOML_MAX_DEPTH levels below the root;
 * deeper documents are rejected with ASW_E_PARSE (no recursion is unbounded).
 *
 * Errors: ASW_E_PARSE with a message "line L, column C: <what>" (1-based; the column counts
 * characters, not bytes), ASW_E_NOMEM, ASW_E_INVALID for caller misuse. Scalars follow TOML 1.0:
 * integers are int64 (out-of-range literals are errors), floats are IEEE 754 binary64, strings are
 * UTF-8 and may contain NUL (written as \u0000), date-times keep nanosecond precision (more digits
 * are truncated). Newlines inside multi-line strings are returned as "\n" (CRLF is normalised).
 *
 * Floats are converted with strtod(), which expects the "C" LC_NUMERIC locale (the default of any
 * program that does not call setlocale).
 *
 * Not provided: writing TOML, mutating a parsed tree.
 */
#ifndef AIRSSYS_TOML_H
#define AIRSSYS_TOML_H

#include "airssys/base.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Tables and arrays nest at most this many levels below the root table. */
#define ASW_TOML_MAX_DEPTH 128

/* One value of a parsed document (the root is a table). Opaque; owned by the document. */
typedef struct asw_toml_value asw_toml_value_t;

/* The type of a value; the names in comments are those asw_toml_type_name() returns. */
typedef enum asw_toml_type {
    ASW_TOML_STRING,         /* "string" */
    ASW_TOML_INTEGER,        /* "integer" */
    ASW_TOML_FLOAT,          /* "float" */
    ASW_TOML_BOOL,           /* "bool" */
    ASW_TOML_DATETIME,       /* "datetime": offset date-time 1979-05-27T07:32:00-08:00 */
    ASW_TOML_DATETIME_LOCAL, /* "datetime-local": 1979-05-27T07:32:00 */
    ASW_TOML_DATE_LOCAL,     /* "date-local": 1979-05-27 */
    ASW_TOML_TIME_LOCAL,     /* "time-local": 07:32:00.999 */
    ASW_TOML_ARRAY,          /* "array" (also arrays of tables) */
    ASW_TOML_TABLE           /* "table" (also inline tables) */
} asw_toml_type_t;

/*
 * A date, a time, or both. Which fields are meaningful depends on the value's type: the date
 * fields for DATETIME, DATETIME_LOCAL and DATE_LOCAL; the time fields for DATETIME,
 * DATETIME_LOCAL and TIME_LOCAL; offset_minutes for DATETIME only. Unused fields are 0.
 */
typedef struct asw_toml_datetime {
    int year;            /* 0..9999 */
    int month;           /* 1..12 */
    int day;             /* 1..28/29/30/31, checked against the month and leap years */
    int hour;            /* 0..23 */
    int minute;          /* 0..59 */
    int second;          /* 0..60 (60: a leap second, as RFC 3339 allows) */
    uint32_t nanosecond; /* 0..999999999: the fraction of a second, truncated to 9 digits */
    int frac_digits;     /* how many fraction digits the document wrote (0..9 after truncation) */
    int offset_minutes;  /* minutes east of UTC: "Z" is 0, "-08:00" is -480 */
} asw_toml_datetime_t;

/*
 * Parses the TOML document text[0..len) (need not be NUL-terminated; a leading UTF-8 byte order
 * mark is skipped). On success stores the root table in *out_root and returns ASW_OK: returns an
 * owned object; free with asw_toml_free. Borrows text (nothing refers to it afterwards). On
 * failure *out_root is set to NULL and nothing is allocated: ASW_E_PARSE with "line L, column C:
 * <what>" in out_err, ASW_E_NOMEM, or ASW_E_INVALID when text (with len > 0) or out_root is NULL.
 */
ASW_API int asw_toml_parse(const char *text, size_t len, asw_toml_value_t **out_root,
                           asw_error_t *out_err);

/*
 * An arena keeps the memory of freed documents for the next parse, so parsing many (or large)
 * documents one after another does not fault fresh pages in every time. Documents parsed with
 * asw_toml_parse_in(arena, ...) are freed with asw_toml_free as usual; their memory goes back
 * to the arena (up to keep_bytes; 0: ASW_TOML_ARENA_KEEP_DEFAULT) instead of the allocator. An
 * arena is not thread-safe: parse into it and free its documents from one thread at a time, and
 * free every document parsed in it before asw_toml_arena_free.
 */
typedef struct asw_toml_arena asw_toml_arena_t;
#define ASW_TOML_ARENA_KEEP_DEFAULT ((size_t)16 << 20)

/* Creates an empty arena. Returns ASW_OK with an owned arena (free with asw_toml_arena_free),
 * ASW_E_INVALID (out_arena NULL) or ASW_E_NOMEM. */
ASW_API int asw_toml_arena_new(size_t keep_bytes, asw_toml_arena_t **out_arena,
                               asw_error_t *out_err);

/* Frees an arena and the memory it keeps. NULL is ok. */
ASW_API void asw_toml_arena_free(asw_toml_arena_t *arena);

/* As asw_toml_parse, taking memory from arena (borrowed; must outlive the document). Returns an
 * owned document; free with asw_toml_free. ASW_E_INVALID when arena is NULL. */
ASW_API int asw_toml_parse_in(asw_toml_arena_t *arena, const char *text, size_t len,
                              asw_toml_value_t **out_root, asw_error_t *out_err);

/* Frees a document: takes ownership of root, which must be a root returned by asw_toml_parse (any
 * other value is ignored, as is NULL). Every value of the document becomes invalid. */
ASW_API void asw_toml_free(asw_toml_value_t *root);

/* Returns the type of v (borrows v, which must not be NULL). */
ASW_API asw_toml_type_t asw_toml_type(const asw_toml_value_t *v);

/* Returns the toml-test name of a type ("string", "datetime-local", "table", ...); static
 * storage; "unknown" for a value outside the enum. */
ASW_API const char *asw_toml_type_name(asw_toml_type_t type);

/* The type with its article, for messages: "a string", "an integer", "a float", "a boolean",
 * "an array", "a table", "a date or time"; static storage. */
ASW_API const char *asw_toml_type_phrase(asw_toml_type_t type);

/* Looks up `key` (NUL-terminated) in `table`. Returns the value (borrowed from the document) or
 * NULL when table is NULL, not a table, or has no such key. */
ASW_API const asw_toml_value_t *asw_toml_get(const asw_toml_value_t *table, const char *key);

/* As asw_toml_get, for a key of `key_len` bytes that may contain NUL. */
ASW_API const asw_toml_value_t *asw_toml_getn(const asw_toml_value_t *table, const char *key,
                                              size_t key_len);

/* Returns the number of elements of an array or of keys of a table; 0 for NULL or a scalar. */
ASW_API size_t asw_toml_count(const asw_toml_value_t *v);

/* Returns element i of an array (borrowed), or NULL when array is not an array or i is out of
 * range. */
ASW_API const asw_toml_value_t *asw_toml_at(const asw_toml_value_t *array, size_t i);

/* Returns key i of a table in document order (borrowed, NUL-terminated; the length, which counts
 * any embedded NUL, goes to *out_len when out_len is not NULL), or NULL when table is not a table
 * or i is out of range. */
ASW_API const char *asw_toml_key_at(const asw_toml_value_t *table, size_t i, size_t *out_len);

/* Returns the value of key i of a table (borrowed), or NULL as asw_toml_key_at. */
ASW_API const asw_toml_value_t *asw_toml_value_at(const asw_toml_value_t *table, size_t i);

/* Returns the string of a STRING value (borrowed, NUL-terminated; its length in bytes, counting
 * any embedded NUL, goes to *out_len when out_len is not NULL), or NULL when v is NULL or not a
 * string. */
ASW_API const char *asw_toml_string(const asw_toml_value_t *v, size_t *out_len);

/* Typed getters: store the value in *out and return ASW_OK, or return ASW_E_INVALID (and leave
 * *out unchanged) when v is NULL or of another type. asw_toml_datetime accepts the four
 * date/time types (check asw_toml_type to know which fields are set). */
ASW_API int asw_toml_integer(const asw_toml_value_t *v, int64_t *out);
ASW_API int asw_toml_float(const asw_toml_value_t *v, double *out);
ASW_API int asw_toml_bool(const asw_toml_value_t *v, bool *out);
ASW_API int asw_toml_datetime(const asw_toml_value_t *v, asw_toml_datetime_t *out);

/* Source position (1-based line and character column) where value v starts: the first character
 * of a scalar, '[' of an array or array of tables, '{' of an inline table, the '[' of a table
 * header, or, for a table created implicitly by a dotted key or a header, the key part that
 * created it. 0 for NULL. */
ASW_API uint32_t asw_toml_line(const asw_toml_value_t *v);
ASW_API uint32_t asw_toml_column(const asw_toml_value_t *v);

/* Source position of key i of a table (where that key part is written the first time; for a
 * root-table key, its first character). 0 when table is not a table or i is out of range. */
ASW_API uint32_t asw_toml_key_line(const asw_toml_value_t *table, size_t i);
ASW_API uint32_t asw_toml_key_column(const asw_toml_value_t *table, size_t i);

/*
 * Records an error in a document's terms, "line L, column C: <message>" (the form of every TOML
 * parse error), with `code` in err (which may be NULL), and returns code: for programs that
 * check a parsed document against a schema of their own, as the manifest readers do. Take the
 * position from asw_toml_line/asw_toml_column or asw_toml_key_line/asw_toml_key_column.
 */
ASW_API int asw_toml_errorf(asw_error_t *err, int code, uint32_t line, uint32_t column,
                            const char *fmt, ...) __attribute__((format(printf, 5, 6)));
ASW_API int asw_toml_verrorf(asw_error_t *err, int code, uint32_t line, uint32_t column,
                             const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
#ifdef __clang_analyzer__
/* For the clang static analyzer only, which does not follow variadic functions: the call
 * returns its code, never success. */
#define asw_toml_errorf(err, code, line, column, ...)                                              \
    (asw_toml_errorf(err, code, line, column, __VA_ARGS__), (code))
#endif

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_TOML_H */
