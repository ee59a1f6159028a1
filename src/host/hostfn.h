/*
 * src/host/hostfn.h -- the file and network host functions of a component, as plain functions
 * (testable without wasm) plus the thin wasm wrappers that marshal guest (ptr, len) arguments.
 *
 * Design. Every core function takes the component's security context (asw_sec_ctx_t: its
 * capabilities, quota counters and id) and the audit log for the decisions the security manager
 * does not record itself (a path that cannot be resolved safely, a symlink swapped in after the
 * check, an address a hostname resolved to). Capability decisions go through asw_sec_check, so
 * every one of them -- granted or denied -- is an audit record.
 *
 * Files (hostfn_files.c): the path is normalised, resolved through symlinks with the security
 * layer's resolver, and both the requested and the resolved path must be granted; the resolved
 * path is then opened one component at a time with openat(O_NOFOLLOW), so a symlink that
 * appears between check and open makes the open fail instead of escaping. WASI preview1 path
 * accesses use the same check through asw__hostfs_wasi_policy.
 *
 * Network (hostfn_net.c): outbound TCP to granted endpoints. The capability is checked on the
 * "host:port" the guest asked for and again on every address the host name resolves to, so a
 * name that resolves to a private or loopback address is denied unless that address is granted
 * (DNS rebinding). Sockets are non-blocking; connect, send and receive wait at most the
 * per-call timeout and then return ASW_E_TIMEOUT. Bytes sent and received are charged to the
 * component's network quota (ASW_QUOTA_NET_BYTES).
 *
 * Only files of src/host include this header.
 */
#ifndef ASW_HOST_HOSTFN_H
#define ASW_HOST_HOSTFN_H

#include "airssys/host.h"
#include "airssys/security.h"
#include "airssys/wasi.h"
#include "airssys/wasm.h"
#include "base/base.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ========================================= files ========================================= */

/* Write modes of asw__host_file_write. */
enum {
    ASW__FILE_TRUNCATE = 0, /* create or replace the content */
    ASW__FILE_APPEND = 1,   /* create or append */
};

/*
 * The one filesystem check both the file host functions and the WASI policy use. Checks `perm`
 * (one ASW_PERM_* bit) on `path` (absolute; normalised here) and on the path it resolves to
 * through symlinks; both decisions are audited. On ASW_OK out_resolved (cap bytes) holds the
 * resolved path, the one to open. Returns ASW_OK, ASW_E_DENIED (reason in out_err),
 * ASW_E_OVERFLOW, ASW_E_IO or ASW_E_INVALID. Borrows everything; audit may be NULL.
 */
int asw__hostfs_check(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, uint32_t perm,
                      char *out_resolved, size_t cap, asw_error_t *out_err);

/* Reads up to cap bytes of a regular file from `offset` into buf. *out_len receives the bytes
 * read, *out_size (may be NULL) the file's size. Needs the read permission. Returns ASW_OK,
 * ASW_E_DENIED, ASW_E_NOT_FOUND, ASW_E_INVALID (not a regular file), ASW_E_IO. */
int asw__host_file_read(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, uint64_t offset,
                        uint8_t *buf, size_t cap, size_t *out_len, uint64_t *out_size,
                        asw_error_t *out_err);

/* Writes len bytes to a regular file, creating it (mode 0644) when missing; mode is
 * ASW__FILE_TRUNCATE or ASW__FILE_APPEND. Needs the write permission. Returns as read. */
int asw__host_file_write(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path,
                         const uint8_t *data, size_t len, int mode, asw_error_t *out_err);

/* Deletes a file (not a directory). A symlink named by the path is removed itself (the
 * directories above it are resolved and checked as usual). Needs the delete permission. */
int asw__host_file_delete(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path,
                          asw_error_t *out_err);

/*
 * Lists a directory: the names of its entries ("." and ".." excluded) sorted bytewise, each
 * followed by '\n' (a name holding a control byte cannot be shown and is left out). Needs the
 * list permission on the directory. Writes min(cap, needed) bytes to buf (only whole names) and
 * the bytes the whole list needs to *out_needed. Returns ASW_OK when everything fitted,
 * ASW_E_OVERFLOW when cap was too small (call again with *out_needed), or as read.
 */
int asw__host_file_list(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, char *buf,
                        size_t cap, size_t *out_needed, asw_error_t *out_err);

/* Test seam: when set, called with the resolved path after the check passed and before the
 * open (to swap a symlink in and prove the race is closed). NULL in production. */
extern void (*asw__hostfs_after_check)(const char *resolved);

/* The WASI policy state: the component's context and the audit log (both borrowed). */
typedef struct asw__hostfs_policy {
    asw_sec_ctx_t *sec;
    asw_audit_t *audit;
} asw__hostfs_policy_t;

/* An asw_wasi_policy_fn (ud: asw__hostfs_policy_t *) that maps the WASI access to a filesystem
 * permission (read, write/create -> write, delete, list; stat -> read, or list when only that is
 * granted) and answers with asw__hostfs_check. */
int asw__hostfs_wasi_policy(void *ud, const char *resolved_host_path, asw_wasi_access_t access);

/* The host side: the files area's wasm functions (module "airssys": file-read, file-write,
 * file-delete, file-list; signatures in docs/host-abi.md), and a component's WASI context:
 * asw__hostfs_wasi_new copies `base`, pre-opens the directories the component's filesystem
 * grants live in (guest path = host path) and installs asw__hostfs_component_policy (ud: the
 * component), so WASI path calls pass the same check as the file functions. */
int asw__hostfn_files_define(asw_imports_t *imports, asw_host_t *host, asw_error_t *out_err);
int asw__hostfs_component_policy(void *ud, const char *resolved_host_path,
                                 asw_wasi_access_t access);
int asw__hostfs_wasi_new(asw_component_t *c, const asw_wasi_config_t *base, asw_wasi_t **out_wasi,
                         asw_error_t *out_err);

/* ======================================== network ======================================== */

/* Most sockets one component may hold at once (the default of a net table). */
#define ASW__NET_MAX_HANDLES 16

typedef struct asw__net_table asw__net_table_t;

/* Options of a per-component network table; zero fields take the defaults. */
typedef struct asw__net_opts {
    uint32_t max_handles;        /* 0: ASW__NET_MAX_HANDLES (at most 1024) */
    uint64_t connect_timeout_ns; /* 0: 5 s */
    uint64_t io_timeout_ns;      /* longest wait of one send or receive; 0: 5 s */
} asw__net_opts_t;

/* Creates a table for one component (sec and audit borrowed; they must outlive it). Returns
 * ASW_OK with an owned table (free with asw__net_table_free, which closes every socket). */
int asw__net_table_new(asw_sec_ctx_t *sec, asw_audit_t *audit, const asw__net_opts_t *opts,
                       asw__net_table_t **out_table, asw_error_t *out_err);
void asw__net_table_free(asw__net_table_t *t);
/* Sockets open now. */
size_t asw__net_open_count(asw__net_table_t *t);

/*
 * Connects to host:port over TCP. host is a DNS name or an IP address (IPv6 without brackets).
 * The capability (net-connect) is checked on "host:port" and on each resolved address; only
 * granted addresses are tried. timeout_ns 0: the table's connect timeout. On ASW_OK *out_handle
 * is a handle > 0. Returns ASW_E_DENIED, ASW_E_LIMIT (handle table full), ASW_E_NOT_FOUND (name
 * does not resolve), ASW_E_TIMEOUT, ASW_E_IO (refused, unreachable), ASW_E_INVALID.
 */
int asw__net_connect(asw__net_table_t *t, const char *host, uint16_t port, uint64_t timeout_ns,
                     int32_t *out_handle, asw_error_t *out_err);

/* Sends up to len bytes; *out_sent receives how many were sent (at least 1 on ASW_OK). The
 * network quota is charged before sending (ASW_E_QUOTA when it does not fit). Waits at most
 * timeout_ns (0: the table's io timeout) for room: ASW_E_TIMEOUT. ASW_E_CLOSED when the peer
 * closed, ASW_E_NOT_FOUND for an unknown handle. */
int asw__net_send(asw__net_table_t *t, int32_t handle, const uint8_t *data, size_t len,
                  uint64_t timeout_ns, size_t *out_sent, asw_error_t *out_err);

/* Receives up to cap bytes; *out_len receives how many (0 with ASW_OK means the peer closed
 * its side: end of stream). Waits at most timeout_ns (0: the io timeout; use 1 for "do not
 * wait"): ASW_E_TIMEOUT when nothing arrived. Received bytes are charged to the quota; when it
 * is exhausted the call fails with ASW_E_QUOTA and reads nothing. */
int asw__net_recv(asw__net_table_t *t, int32_t handle, uint8_t *buf, size_t cap,
                  uint64_t timeout_ns, size_t *out_len, asw_error_t *out_err);

/* Closes a handle. ASW_E_NOT_FOUND when unknown. */
int asw__net_close(asw__net_table_t *t, int32_t handle);

/* The network area's wasm functions (module "airssys": net-connect, net-send, net-recv,
 * net-close; signatures in docs/host-abi.md). The socket table of an incarnation lives in
 * inst->ext[ASW__EXT_NET] and is closed with it. */
int asw__hostfn_net_define(asw_imports_t *imports, asw_host_t *host, asw_error_t *out_err);

/* The resolver (getaddrinfo/freeaddrinfo). A test seam: tests point them at a fake resolver to
 * play a DNS rebinding; nothing else changes them. */
struct addrinfo;
extern int (*asw__net_getaddrinfo)(const char *node, const char *service,
                                   const struct addrinfo *hints, struct addrinfo **res);
extern void (*asw__net_freeaddrinfo)(struct addrinfo *res);

#endif /* ASW_HOST_HOSTFN_H */
