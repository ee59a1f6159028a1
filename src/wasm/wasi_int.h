/*
 * src/wasm/wasi_int.h -- what the files of the WASI host module share (and nothing else uses):
 * the context and descriptor table (wasi.c), the guest-side ABI glue (wasi_abi.c) and the OS
 * side (wasi_fs.c).
 *
 * Split. wasi_abi.c decodes guest arguments, checks every guest pointer against the linear
 * memory and encodes results in the preview-1 layout; it never calls the OS directly.
 * wasi_fs.c is the only file that touches the host (file descriptors, paths, clocks, random,
 * sleeping); it knows nothing of guest memory and answers in WASI errno values. wasi.c owns
 * the context: configuration, pre-opens, the descriptor table, stdio capture, the run helper.
 *
 * Invariants: fds[i].kind == WASI_FD_FREE for a free slot; an open FILE/DIR slot owns host_fd
 * (closed on close) and host_path (canonical absolute host path, no `..`, no symlinks);
 * STDIO slots never own their host fd. Everything here is built on the public wasm.h only.
 */
#ifndef ASW_WASM_WASI_INT_H
#define ASW_WASM_WASI_INT_H

#include "airssys/wasi.h"
#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- preview-1 ABI constants used by more than one file */
#define WASI_FILETYPE_UNKNOWN     0
#define WASI_FILETYPE_BLOCK       1
#define WASI_FILETYPE_CHAR        2
#define WASI_FILETYPE_DIRECTORY   3
#define WASI_FILETYPE_REGULAR     4
#define WASI_FILETYPE_SOCK_DGRAM  5
#define WASI_FILETYPE_SOCK_STREAM 6
#define WASI_FILETYPE_SYMLINK     7

#define WASI_FDFLAG_APPEND   0x1
#define WASI_FDFLAG_DSYNC    0x2
#define WASI_FDFLAG_NONBLOCK 0x4
#define WASI_FDFLAG_RSYNC    0x8
#define WASI_FDFLAG_SYNC     0x10

#define WASI_OFLAG_CREAT     0x1
#define WASI_OFLAG_DIRECTORY 0x2
#define WASI_OFLAG_EXCL      0x4
#define WASI_OFLAG_TRUNC     0x8

#define WASI_FST_ATIM     0x1
#define WASI_FST_ATIM_NOW 0x2
#define WASI_FST_MTIM     0x4
#define WASI_FST_MTIM_NOW 0x8

/* Errno values beyond the public ones in airssys/wasi.h. */
#define WASI_E2BIG        1
#define WASI_EAGAIN       6
#define WASI_EBUSY        10
#define WASI_EFBIG        22
#define WASI_EINTR        27
#define WASI_EIO          29
#define WASI_EMFILE       33
#define WASI_ENAMETOOLONG 37
#define WASI_ENOMEM       48
#define WASI_ENOSPC       51
#define WASI_EOVERFLOW    61
#define WASI_ESPIPE       70

/* Longest guest path accepted, and the symbolic-link budget of one resolution. */
#define WASI_PATH_MAX    4096
#define WASI_SYMLINK_MAX 32

/* ---- the context (wasi.c) */
typedef enum { WASI_FD_FREE = 0, WASI_FD_STDIO, WASI_FD_FILE, WASI_FD_DIR } asw__wasi_fdkind_t;

typedef struct asw__wasi_fd {
    uint8_t kind;     /* asw__wasi_fdkind_t */
    uint8_t filetype; /* WASI_FILETYPE_* */
    uint16_t fdflags; /* WASI_FDFLAG_* as last set */
    bool read_only;   /* lives under a read-only pre-open */
    int host_fd;      /* -1 for BUFFER / NULL stdio */
    int stdio;        /* STDIO: which stream (0, 1, 2) */
    int preopen;      /* index of the pre-open this descriptor is, or -1 */
    char *host_path;  /* FILE/DIR: owned canonical host path */
    uint64_t rights_base, rights_inheriting;
    void *dir; /* wasi_fs.c's readdir state, or NULL */
} asw__wasi_fd_t;

typedef struct asw__wasi_preopen {
    char *host;  /* canonical absolute host path */
    char *guest; /* name shown by fd_prestat_dir_name */
    bool read_only;
} asw__wasi_preopen_t;

typedef struct asw__wasi_buf {
    uint8_t *data;
    size_t len, cap, limit;
} asw__wasi_buf_t;

struct asw_wasi {
    char **args, **env;
    size_t nargs, nenv;
    size_t args_bytes, env_bytes; /* sum of strlen + 1 */
    asw__wasi_preopen_t *preopens;
    size_t npreopens;
    asw__wasi_fd_t *fds;
    uint32_t nfds, max_fds;
    asw_wasi_stdio_mode_t stdio_mode[3];
    uint8_t *input; /* stdin BUFFER */
    size_t input_len, input_pos;
    asw__wasi_buf_t out[3]; /* [1], [2] used in BUFFER mode */
    asw_wasi_policy_fn policy;
    void *policy_ud;
    uint64_t deadline_ns; /* CLOCK_MONOTONIC time a sleep must not pass; 0: none */
    bool running;         /* inside asw_wasi_run */
};

/* Returns the open descriptor `fd` or NULL (EBADF). */
asw__wasi_fd_t *asw__wasi_fd_get(asw_wasi_t *w, uint32_t fd);
/* Allocates the lowest free slot >= 3; returns its number or -1 (EMFILE). */
int64_t asw__wasi_fd_alloc(asw_wasi_t *w);
/* Closes and frees a slot (never closes stdio host fds). */
void asw__wasi_fd_release(asw__wasi_fd_t *f);
/* Appends to a captured stream, keeping at most its limit. Returns 0 or WASI_ENOMEM. */
uint16_t asw__wasi_buf_append(asw__wasi_buf_t *b, const uint8_t *p, size_t n);
/* Consults the policy (if any) for host_path; returns 0 or EACCES. */
uint16_t asw__wasi_check(asw_wasi_t *w, const char *host_path, asw_wasi_access_t access);

/* ---- the guest ABI (wasi_abi.c) */
typedef struct asw__wasi_def {
    const char *name;
    asw_host_fn fn;
    const uint8_t *params;
    uint32_t nparams, nresults;
} asw__wasi_def_t;
/* The table of every preview-1 function; *out_n receives its length. */
const asw__wasi_def_t *asw__wasi_defs(size_t *out_n);

/* ---- the OS side (wasi_fs.c); every function answers a WASI errno (0: success) */
typedef struct asw__wasi_stat {
    uint64_t dev, ino, nlink, size, atim, mtim, ctim;
    uint8_t filetype;
} asw__wasi_stat_t;

/* A path resolved beneath a directory descriptor: operate with *at(parent_fd, name). */
typedef struct asw__wasi_path {
    int parent_fd;    /* owned: close with asw__wasi_path_free */
    const char *name; /* final component (never contains '/'; "." for the directory itself) */
    char *host_path;  /* owned canonical absolute host path of the target */
    bool must_dir;    /* the guest path ended in '/' */
    char *buf;        /* owned storage behind name */
} asw__wasi_path_t;

uint16_t asw__wasi_errno(int host_errno);
uint16_t asw__wasi_open_dir(const char *host_path, char **out_canonical, int *out_fd);
uint16_t asw__wasi_resolve(int dir_fd, const char *dir_host_path, const char *path, size_t len,
                           bool follow, asw__wasi_path_t *out);
void asw__wasi_path_free(asw__wasi_path_t *p);
void asw__wasi_close(int fd);

uint16_t asw__wasi_fstat(int fd, asw__wasi_stat_t *out);
uint16_t asw__wasi_stat_at(int parent_fd, const char *name, bool follow, asw__wasi_stat_t *out);
/* Opens name under parent_fd without following a final symlink. oflags/fdflags are WASI bits. */
uint16_t asw__wasi_open_at(int parent_fd, const char *name, uint16_t oflags, bool want_read,
                           bool want_write, uint16_t fdflags, int *out_fd, uint8_t *out_type);
uint16_t asw__wasi_fd_flags(int fd, uint16_t *out_fdflags);
uint16_t asw__wasi_set_fd_flags(int fd, uint16_t fdflags);

/* Data: each call moves one buffer; *out_n receives the bytes moved. */
uint16_t asw__wasi_read(int fd, void *buf, size_t len, size_t *out_n);
uint16_t asw__wasi_write(int fd, const void *buf, size_t len, size_t *out_n);
uint16_t asw__wasi_pread(int fd, void *buf, size_t len, uint64_t off, size_t *out_n);
uint16_t asw__wasi_pwrite(int fd, const void *buf, size_t len, uint64_t off, size_t *out_n);
uint16_t asw__wasi_seek(int fd, int64_t off, uint8_t whence, uint64_t *out_pos);
uint16_t asw__wasi_sync(int fd, bool data_only);
uint16_t asw__wasi_advise(int fd, uint64_t off, uint64_t len, uint8_t advice);
uint16_t asw__wasi_allocate(int fd, uint64_t off, uint64_t len);
uint16_t asw__wasi_truncate(int fd, uint64_t size);
uint16_t asw__wasi_set_times(int fd, const char *name, bool follow, uint64_t atim, uint64_t mtim,
                             uint16_t fst);

uint16_t asw__wasi_mkdir(int parent_fd, const char *name);
uint16_t asw__wasi_rmdir(int parent_fd, const char *name);
uint16_t asw__wasi_unlink(int parent_fd, const char *name);
uint16_t asw__wasi_rename(int old_fd, const char *old_name, int new_fd, const char *new_name);
uint16_t asw__wasi_link(int old_fd, const char *old_name, int new_fd, const char *new_name);
uint16_t asw__wasi_symlink(const char *target, int parent_fd, const char *name);
uint16_t asw__wasi_readlink(int parent_fd, const char *name, char *buf, size_t len, size_t *out_n);

/* Directory listing from `cookie` (0: the start). emit() gets each entry with the cookie of
 * the entry after it and returns false to stop. *state caches the open stream. */
typedef bool (*asw__wasi_emit_fn)(void *ctx, uint64_t next, uint64_t ino, uint8_t type,
                                  const char *name, size_t namlen);
uint16_t asw__wasi_readdir(void **state, int fd, uint64_t cookie, asw__wasi_emit_fn emit,
                           void *ctx);
void asw__wasi_readdir_free(void *state);

uint16_t asw__wasi_clock_time(uint32_t id, uint64_t *out_ns);
uint16_t asw__wasi_clock_res(uint32_t id, uint64_t *out_ns);
uint16_t asw__wasi_random(void *buf, size_t len);
uint16_t asw__wasi_yield(void);
/* Waits for up to timeout_ns (UINT64_MAX: forever) for the host fds to be ready (events:
 * 1 read, 2 write). ready[i] receives the ready bits (4: hang-up). nfds may be 0 (a sleep). */
uint16_t asw__wasi_wait(const int *fds, const uint8_t *events, uint8_t *ready, size_t nfds,
                        uint64_t timeout_ns);
/* Bytes available to read on fd (0 when unknown). */
uint64_t asw__wasi_readable(int fd);

#endif /* ASW_WASM_WASI_INT_H */
