/*
 * src/base/base.h -- internal helpers every layer may use: assertions, branch hints, the
 * allocation wrappers over the public allocator hook, error-record formatting, and reading a
 * whole file.
 *
 * Invariants: every allocation inside the library goes through asw__malloc / asw__calloc /
 * asw__realloc / asw__free, so tests can inject failures through asw_set_allocator(). Size
 * arithmetic for arrays uses asw__calloc / asw__reallocarray, which check for overflow.
 * This header includes no OS header beyond the C library (and POSIX clock_gettime from
 * <time.h>).
 */
#ifndef ASW_BASE_BASE_H
#define ASW_BASE_BASE_H

#include "airssys/base.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Internal invariants (never caller input): checked in builds with ASW_CHECKS, free otherwise. */
#if defined(ASW_CHECKS) && ASW_CHECKS
void asw__assert_fail(const char *expr, const char *file, int line);
#define ASW_ASSERT(x) ((x) ? (void)0 : asw__assert_fail(#x, __FILE__, __LINE__))
#else
#define ASW_ASSERT(x) ((void)0)
#endif

#define ASW_UNUSED(x)       ((void)(x))
#define ASW_LIKELY(x)       __builtin_expect(!!(x), 1)
#define ASW_UNLIKELY(x)     __builtin_expect(!!(x), 0)
#define ASW_ARRAY_LEN(a)    (sizeof(a) / sizeof((a)[0]))
#define ASW_PRINTF(fmt, va) __attribute__((format(printf, fmt, va)))
/* Initial-exec TLS: one load from the thread pointer, no __tls_get_addr call in the
 * position-independent library. */
#define ASW_TLS_IE __attribute__((tls_model("initial-exec")))

/* FNV-1a (32-bit), the hash of the library's small tables: start from ASW__FNV_BASIS; each call
 * continues from h over n more bytes. */
#define ASW__FNV_BASIS 2166136261u
static inline uint32_t asw__fnv1a(uint32_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

/* CLOCK_MONOTONIC now, in nanoseconds: the clock of every deadline, timeout and budget. */
static inline uint64_t asw__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Allocation through the installed allocator. All return NULL on failure (or on overflow). */
void *asw__malloc(size_t size);
void *asw__calloc(size_t count, size_t size); /* zeroed; checks count*size for overflow */
void *asw__realloc(void *ptr, size_t size);
void *asw__reallocarray(void *ptr, size_t count, size_t size); /* checks for overflow */
void asw__free(void *ptr);                                     /* NULL is fine */
/* Changes whenever asw_set_allocator installs an allocator (alloc.c). */
extern unsigned asw__alloc_gen;
#define asw__alloc_generation() __atomic_load_n(&asw__alloc_gen, __ATOMIC_ACQUIRE)
char *asw__strdup(const char *s); /* NULL when s is NULL or OOM */
char *asw__strndup(const char *s, size_t n);

/*
 * Records `code` and a printf-style message in `err` (which may be NULL) and returns `code`, so a
 * failing path reads `return asw__errorf(err, ASW_E_INVALID, "bad %s", what);`. A message that
 * does not fit is truncated with "...".
 */
int asw__errorf(asw_error_t *err, int code, const char *fmt, ...) ASW_PRINTF(3, 4);
int asw__verrorf(asw_error_t *err, int code, const char *fmt, va_list ap) ASW_PRINTF(3, 0);
#ifdef __clang_analyzer__
/* For clang-tidy's analyzer, which does not look into error.c: asw__errorf returns its code, so
 * `return asw__errorf(err, ASW_E_X, ...)` is never read as a possible success. (The code is
 * evaluated twice only in analysis.) */
#define asw__errorf(err, code, ...) (asw__errorf(err, code, __VA_ARGS__), (code))
#endif

/* Prefixes the message already in `err` (which may be NULL) with a printf-style context
 * ("manifest.toml: "). Returns nothing on purpose: `return asw__error_prefix(...)` used to
 * return 0, success, when the caller passed no error record. */
void asw__error_prefix(asw_error_t *err, const char *fmt, ...) ASW_PRINTF(2, 3);

/* Reads the whole file at path (file.c): ASW_OK with *out (owned: asw__free; a NUL follows the
 * last byte) and *out_len, or ASW_E_IO / ASW_E_NOMEM / ASW_E_LIMIT (more than max bytes; max 0:
 * no limit) with a message naming the path. */
int asw__read_file(const char *path, size_t max, uint8_t **out, size_t *out_len, asw_error_t *err);

#endif /* ASW_BASE_BASE_H */
