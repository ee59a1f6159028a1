/*
 * airssys/wasi.h -- WASI preview 1 (`wasi_snapshot_preview1`) as an optional host module.
 *
 * Design. A WASI context (asw_wasi_t) holds the program's arguments, environment, pre-opened
 * directories, standard streams and descriptor table. asw_wasi_add_to_imports() defines every
 * preview-1 function in an import set as a host function whose user_data is the context, so the
 * module is built only on the public embedding API of airssys/wasm.h -- any embedder could have
 * written it, and the engine core knows nothing of it. See docs/wasi.md.
 *
 * Sandboxing. The guest sees only its pre-opened directories. Every path it passes is resolved
 * beneath one of them: absolute paths are refused, `..` never climbs above the pre-open's root,
 * and symbolic links are followed by the host itself, one component at a time, with a bounded
 * loop count and a check that every target stays inside the pre-open. Before any access the
 * optional policy callback sees the normalised absolute host path and the kind of access; a
 * non-zero answer denies it (the guest gets EACCES). Every guest pointer and length is checked
 * against the linear memory before use; a bad one returns EFAULT (21) to the guest, never a
 * crash.
 *
 * Threads: one asw_wasi_t serves ONE instance at a time (its descriptor table and stream
 * positions are that program's state); it is used by whichever thread runs that instance.
 * Create one context per program run.
 */
#ifndef AIRSSYS_WASI_H
#define AIRSSYS_WASI_H

#include "airssys/base.h"
#include "airssys/wasm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct asw_wasi asw_wasi_t;

/* The WASI module name every function is defined under. */
#define ASW_WASI_MODULE "wasi_snapshot_preview1"

/* WASI errno values the host may return (the full list is the preview-1 `errno` enum). */
#define ASW_WASI_ESUCCESS    0
#define ASW_WASI_EACCES      2
#define ASW_WASI_EBADF       8
#define ASW_WASI_EEXIST      20
#define ASW_WASI_EFAULT      21
#define ASW_WASI_EINVAL      28
#define ASW_WASI_EISDIR      31
#define ASW_WASI_ELOOP       32
#define ASW_WASI_ENOENT      44
#define ASW_WASI_ENOSYS      52
#define ASW_WASI_ENOTDIR     54
#define ASW_WASI_ENOTEMPTY   55
#define ASW_WASI_ENOTSUP     58
#define ASW_WASI_EPERM       63
#define ASW_WASI_EROFS       69
#define ASW_WASI_ENOTCAPABLE 76

/* The kind of access a path operation needs, as shown to the policy callback. */
typedef enum asw_wasi_access {
    ASW_WASI_ACCESS_READ = 1,   /* open for reading, readlink */
    ASW_WASI_ACCESS_WRITE = 2,  /* open for writing, truncate, set size or times */
    ASW_WASI_ACCESS_CREATE = 3, /* create a file, directory or symlink; rename target */
    ASW_WASI_ACCESS_DELETE = 4, /* unlink, rmdir; rename source */
    ASW_WASI_ACCESS_LIST = 5,   /* open a directory (to list it) */
    ASW_WASI_ACCESS_STAT = 6,   /* read metadata */
} asw_wasi_access_t;

/* Returns a short name for `access` ("read", "write", ...); "?" for unknown values. */
ASW_API const char *asw_wasi_access_name(asw_wasi_access_t access);

/*
 * The path policy. Called on every path access, after the path was resolved beneath its
 * pre-open and before the host touches it, with the normalised absolute host path (no `.`,
 * `..` or symbolic links in it; borrowed for the call) and the access kind. Return 0 to allow,
 * non-zero to deny: the guest's call fails with EACCES and nothing is touched. Called on the
 * thread that runs the instance.
 */
typedef int (*asw_wasi_policy_fn)(void *ud, const char *resolved_host_path,
                                  asw_wasi_access_t access);

/* One pre-opened directory. */
typedef struct asw_wasi_preopen {
    const char *host_path;  /* an existing host directory (made absolute and canonical) */
    const char *guest_path; /* the name the guest sees, e.g. "/data" or "."; NULL: host_path */
    bool read_only;         /* refuse every write, create and delete (EROFS) */
} asw_wasi_preopen_t;

/* Where a standard stream goes. */
typedef enum asw_wasi_stdio_mode {
    ASW_WASI_STDIO_INHERIT = 0, /* the host's own fd 0/1/2 */
    ASW_WASI_STDIO_FD = 1,      /* a host file descriptor (borrowed: never closed) */
    ASW_WASI_STDIO_BUFFER = 2,  /* stdin: reads `input`; stdout/stderr: captured in memory */
    ASW_WASI_STDIO_NULL = 3,    /* reads see end of file; writes are discarded */
} asw_wasi_stdio_mode_t;

typedef struct asw_wasi_stdio {
    asw_wasi_stdio_mode_t mode;
    int fd;               /* ASW_WASI_STDIO_FD */
    const uint8_t *input; /* stdin with ASW_WASI_STDIO_BUFFER: copied at asw_wasi_new */
    size_t input_len;
    size_t capture_limit; /* stdout/stderr with BUFFER: bytes kept (0: 16 MiB); the rest is
                             discarded and the write still reports success */
} asw_wasi_stdio_t;

/* The configuration of a context. Every pointer is borrowed for the asw_wasi_new call only
 * (everything is copied). Zero-initialise or use asw_wasi_config_init. */
typedef struct asw_wasi_config {
    const char *const *args; /* argv, args[0] is the program name; may be NULL when nargs 0 */
    size_t nargs;
    const char *const *env; /* "KEY=VALUE" strings */
    size_t nenv;
    const asw_wasi_preopen_t *preopens;
    size_t npreopens;
    asw_wasi_stdio_t stdio[3]; /* stdin, stdout, stderr */
    asw_wasi_policy_fn policy; /* NULL: every access inside a pre-open is allowed */
    void *policy_ud;
    uint32_t max_fds; /* descriptor table size (0: 1024) */
} asw_wasi_config_t;

/* Fills *cfg with the defaults: no args, env or pre-opens, inherited stdio, no policy. */
ASW_API void asw_wasi_config_init(asw_wasi_config_t *cfg);

/* Creates a context. Borrows cfg (copied). Opens every pre-open now: ASW_E_NOT_FOUND / ASW_E_IO
 * when a host directory cannot be opened, ASW_E_INVALID for a bad configuration (a NUL-less or
 * '='-less env entry, a stdio fd < 0, a guest path that is empty). Returns an owned context;
 * free with asw_wasi_free. */
ASW_API int asw_wasi_new(const asw_wasi_config_t *cfg, asw_wasi_t **out_wasi, asw_error_t *out_err);

/* Closes every descriptor the context opened (never the inherited or borrowed stdio fds) and
 * frees it. Must not be called while an instance using it runs. NULL is ignored. */
ASW_API void asw_wasi_free(asw_wasi_t *wasi);

/* Defines every wasi_snapshot_preview1 function in `imports` with user_data = wasi. Borrows
 * both; the context must outlive every instance created with these imports. Functions that are
 * not supported (sockets, proc_raise, fd_fdstat_set_rights, ...) are defined too and return
 * ENOSYS/ENOTSUP, so a module importing them links. */
ASW_API int asw_wasi_add_to_imports(asw_wasi_t *wasi, asw_imports_t *imports, asw_error_t *out_err);

/* The bytes captured from stdout (fd 1) or stderr (fd 2) in ASW_WASI_STDIO_BUFFER mode. Borrowed
 * from the context (valid until the next guest write or asw_wasi_free). ASW_E_INVALID for
 * another fd or mode. */
ASW_API int asw_wasi_output(const asw_wasi_t *wasi, int fd, const uint8_t **out_data,
                            size_t *out_len);

/* Options of asw_wasi_run. Zero in a field means "no limit / default". */
typedef struct asw_wasi_run_options {
    uint64_t fuel;             /* instruction budget (0: unlimited) */
    uint32_t max_memory_pages; /* per memory (0: the engine's default) */
    uint64_t timeout_ns;       /* wall-clock deadline (0: none); kills with "interrupted";
                                  a poll_oneoff sleep never outlasts it */
} asw_wasi_run_options_t;

/*
 * Runs a WASI command module: a new store with the options' limits, the WASI imports of `wasi`,
 * instantiation (start function included), then the exported `_start`. Borrows engine, module,
 * wasi, opts (NULL: no limits).
 * Returns:
 *   ASW_OK        the program finished; *out_exit_code is its exit code (0 when _start
 *                 returned, the proc_exit value otherwise);
 *   ASW_E_TRAP    it trapped (out of fuel, timeout -> "interrupted", a wasm trap); *out_trap
 *                 (if non-NULL) receives an owned trap, free with asw_trap_free;
 *   ASW_E_LINK    an import could not be resolved; ASW_E_NOT_FOUND no `_start` export (or it is
 *                 not a function of type [] -> []); ASW_E_INVALID bad arguments; ASW_E_NOMEM.
 */
ASW_API int asw_wasi_run(asw_engine_t *engine, asw_module_t *module, asw_wasi_t *wasi,
                         const asw_wasi_run_options_t *opts, int *out_exit_code,
                         asw_trap_t **out_trap, asw_error_t *out_err);

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_WASI_H */
