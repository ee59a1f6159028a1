/*
 * airssys/base.h -- what every layer of airssys-wasm shares: the version, the one error table,
 * the error record that carries a message a user can read, and the allocator hook.
 *
 * Design. Every fallible public function returns an `int` that is 0 (ASW_OK) on success or a
 * negative code from the table below; the detail (byte offset, path, line:column, component id)
 * goes into an optional `asw_error_t` the caller passes as the last argument (`out_err`, may be
 * NULL). The enum, asw_strerror() and asw_err_name() are all generated from ASW_ERR_TABLE, so a
 * code, its name and its text never drift apart (libuv's errno map). New codes go at the end of
 * the table, never in the middle: the numbers are part of the ABI.
 *
 * Ownership words used on every prototype in include/airssys/: "borrows" (the callee keeps no
 * reference after it returns), "takes ownership" (on success only: on failure nothing changes
 * hands), "returns an owned object; free with asw_x_free".
 */
#ifndef AIRSSYS_BASE_H
#define AIRSSYS_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ASW_BUILDING_LIBRARY)
#define ASW_API __attribute__((visibility("default")))
#else
#define ASW_API
#endif

#define ASW_VERSION_MAJOR  0
#define ASW_VERSION_MINOR  1
#define ASW_VERSION_PATCH  0
#define ASW_VERSION_STRING "0.1.0"

/* The one error table: X(NAME, value, "message"). Values are negative and stable. */
#define ASW_ERR_TABLE(X)                                                                           \
    X(OK, 0, "success")                                                                            \
    X(E_INVALID, -1, "invalid argument")                                                           \
    X(E_NOMEM, -2, "out of memory")                                                                \
    X(E_MALFORMED, -3, "malformed module")                                                         \
    X(E_INVALID_MODULE, -4, "invalid module")                                                      \
    X(E_UNSUPPORTED, -5, "unsupported feature")                                                    \
    X(E_LINK, -6, "link error")                                                                    \
    X(E_TRAP, -7, "trap")                                                                          \
    X(E_LIMIT, -8, "resource limit exceeded")                                                      \
    X(E_FUEL, -9, "out of fuel")                                                                   \
    X(E_INTERRUPTED, -10, "interrupted")                                                           \
    X(E_SUSPENDED, -11, "call suspended")                                                          \
    X(E_EXIT, -12, "program exited")                                                               \
    X(E_NOT_FOUND, -13, "not found")                                                               \
    X(E_EXISTS, -14, "already exists")                                                             \
    X(E_IO, -15, "input/output error")                                                             \
    X(E_TIMEOUT, -16, "timed out")                                                                 \
    X(E_FULL, -17, "queue full")                                                                   \
    X(E_DEAD, -18, "target is dead or stopped")                                                    \
    X(E_DENIED, -19, "permission denied")                                                          \
    X(E_QUOTA, -20, "quota exceeded")                                                              \
    X(E_PARSE, -21, "parse error")                                                                 \
    X(E_MANIFEST, -22, "invalid manifest")                                                         \
    X(E_SIGNATURE, -23, "signature verification failed")                                           \
    X(E_UNTRUSTED, -24, "untrusted source")                                                        \
    X(E_PENDING, -25, "approval pending")                                                          \
    X(E_STATE, -26, "operation not valid in the current state")                                    \
    X(E_OVERFLOW, -27, "value too large")                                                          \
    X(E_BUSY, -28, "resource busy")                                                                \
    X(E_CLOSED, -29, "closed")                                                                     \
    X(E_CRYPTO, -30, "cryptographic library failure")

typedef enum asw_err {
#define ASW__ERR_ENUM(name, value, msg) ASW_##name = (value),
    ASW_ERR_TABLE(ASW__ERR_ENUM)
#undef ASW__ERR_ENUM
} asw_err_t;

/* Size of the message buffer inside asw_error_t, including the terminating NUL. */
#define ASW_ERROR_MSG_MAX 512

/*
 * An error record: the code plus a message in words a user understands, e.g.
 * "code section, byte 0x1f3: type mismatch in i32.add (expected i32, got f64)".
 * Caller-allocated (usually on the stack); never needs freeing. Initialise with
 * asw_error_init() or `asw_error_t e = {0};`.
 */
typedef struct asw_error {
    int code;                    /* 0 or an ASW_E_* code */
    char msg[ASW_ERROR_MSG_MAX]; /* NUL-terminated; "" when code is 0 */
} asw_error_t;

/* Returns the library version string, e.g. "0.1.0". Static storage; never NULL. */
ASW_API const char *asw_version(void);

/* Returns a short English description of `code` ("out of memory"); "unknown error" for codes not
 * in the table. Static storage; never NULL. */
ASW_API const char *asw_strerror(int code);

/* Returns the symbolic name of `code` ("ASW_E_NOMEM"); "ASW_E_UNKNOWN" for codes not in the
 * table. Static storage; never NULL. */
ASW_API const char *asw_err_name(int code);

/* Resets `err` to success with an empty message. Borrows err; NULL is allowed and ignored. */
ASW_API void asw_error_init(asw_error_t *err);

/* Returns err->msg when a message was recorded, otherwise asw_strerror(err->code). Borrows err
 * (must not be NULL); the returned pointer lives as long as *err. */
ASW_API const char *asw_error_message(const asw_error_t *err);

/*
 * The allocator hook. Every heap allocation the library makes for its own objects goes through
 * these functions (large wasm linear memories may be mapped directly with mmap; see
 * docs/architecture.md). `malloc_fn` and `realloc_fn` return NULL on failure; the library turns
 * that into ASW_E_NOMEM and never aborts. `ud` is passed back unchanged.
 */
typedef struct asw_allocator {
    void *(*malloc_fn)(void *ud, size_t size);
    void *(*realloc_fn)(void *ud, void *ptr, size_t size);
    void (*free_fn)(void *ud, void *ptr);
    void *ud;
} asw_allocator_t;

/*
 * Installs `alloc` as the process-wide allocator (copied; borrows `alloc`). NULL restores the
 * default (malloc/realloc/free). Must be called while no library object is alive, since objects
 * are freed with the allocator that is current at the time. Returns ASW_OK, or ASW_E_INVALID when
 * a function pointer is missing.
 */
ASW_API int asw_set_allocator(const asw_allocator_t *alloc);

/* Copies the allocator currently installed into *out_alloc (must not be NULL). */
ASW_API void asw_get_allocator(asw_allocator_t *out_alloc);

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_BASE_H */
