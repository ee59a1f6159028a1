/*
 * airssys/security.h -- the security layer: capabilities and their checker, quotas, the audit
 * log, ed25519 signing, the trust registry and the approval workflow. See docs/security.md.
 *
 * Design. A component is granted a capability set (asw_capset_t): allow and deny entries of six
 * kinds (filesystem, outbound network, inbound network, storage, messaging, custom). Patterns
 * are validated and compiled when an entry is added; a check walks the compiled entries, never
 * allocates, and answers granted or denied with a static reason. Explicit deny entries win over
 * any allow. Quotas are per-component counters updated with atomics (lock-free). Every decision
 * can be written to the audit log (JSON lines, written by a background thread from a bounded
 * queue). Trust (trusted / unknown / dev mode) decides whether a component needs approval; an
 * approval may grant fewer capabilities than requested, never more.
 *
 * The parsers and validators in the first section (sizes, rates, ports, CIDR, patterns) are the
 * one implementation used by the manifest parser and the trust registry; they are pure (no I/O).
 *
 * Thread safety: a capset is immutable once registered and may be checked from any thread.
 * Quota functions are lock-free and thread-safe. asw_audit_log() may be called from any thread.
 * asw_sec_t registration and lookup are thread-safe (a read-write lock). Trust registries and
 * approval stores are not thread-safe: use one per thread or lock around them.
 */
#ifndef AIRSSYS_SECURITY_H
#define AIRSSYS_SECURITY_H

#include "airssys/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================== parsers and validators (pure) ============================== */

/* Longest normalised path the checker handles, including the terminating NUL. */
#define ASW_PATH_MAX 4096

/*
 * Parses a size with an optional unit: "512", "512B", "64KB", "10 MB", "2GB" (also KiB, MiB,
 * GiB; units are case-insensitive; K/M/G are binary: 1 KB = 1024 B). Whole numbers only.
 * Borrows s. Returns ASW_OK with *out_bytes set, ASW_E_PARSE on a malformed string (message
 * says why), ASW_E_OVERFLOW when the value does not fit in 64 bits.
 */
ASW_API int asw_quota_parse_size(const char *s, uint64_t *out_bytes, asw_error_t *out_err);

/* The unit of a rate: bytes per second, milliseconds (CPU time) per second, or a count
 * (messages) per second. */
typedef enum asw_rate_unit {
    ASW_RATE_BYTES = 1,
    ASW_RATE_MILLIS = 2,
    ASW_RATE_COUNT = 3,
} asw_rate_unit_t;

/*
 * Parses a rate "<amount>/s": "5MB/s" (bytes), "500ms/s" (CPU ms per second), "100/s",
 * "100msg/s" or "100 messages/s" (a count). "/sec" and "/second" are accepted for "/s".
 * Borrows s. Returns ASW_OK with *out_unit and *out_per_second set; ASW_E_PARSE or
 * ASW_E_OVERFLOW otherwise.
 */
ASW_API int asw_quota_parse_rate(const char *s, asw_rate_unit_t *out_unit, uint64_t *out_per_second,
                                 asw_error_t *out_err);

/*
 * Parses a port or port range: "443", "8000-8100", or "*" (1-65535). Port 0 is rejected, and so
 * is a range whose low end exceeds its high end. Borrows s. Returns ASW_OK or ASW_E_PARSE.
 */
ASW_API int asw_net_parse_ports(const char *s, uint16_t *out_lo, uint16_t *out_hi,
                                asw_error_t *out_err);

/* An IP address (IPv4 in the first 4 bytes when !v6) and prefix length: a CIDR range. */
typedef struct asw_cidr {
    uint8_t addr[16];
    uint8_t prefix; /* 0..32 for IPv4, 0..128 for IPv6 */
    bool v6;
} asw_cidr_t;

/*
 * Parses an IPv4 ("10.0.0.1") or IPv6 ("fe80::1", "::ffff:10.0.0.1") address into out (prefix
 * set to the full length). An IPv4-mapped IPv6 address is stored as IPv4, so it cannot dodge a
 * rule written for IPv4. Borrows s (exactly len bytes, no NUL needed). Returns ASW_OK or
 * ASW_E_PARSE.
 */
ASW_API int asw_net_parse_ip(const char *s, size_t len, asw_cidr_t *out, asw_error_t *out_err);

/* Parses "10.0.0.0/8", "fd00::/8" or a bare address (full prefix). Host bits below the prefix
 * must be zero. Borrows s. Returns ASW_OK or ASW_E_PARSE. */
ASW_API int asw_net_parse_cidr(const char *s, asw_cidr_t *out, asw_error_t *out_err);

/* True when addr (a full-length address from asw_net_parse_ip) lies inside range. */
ASW_API bool asw_net_cidr_contains(const asw_cidr_t *range, const asw_cidr_t *addr);

/* True when addr is loopback, private (RFC 1918, fc00::/7), link-local, unspecified or
 * carrier-grade NAT (100.64.0.0/10): the ranges denied unless granted explicitly. */
ASW_API bool asw_net_is_private(const asw_cidr_t *addr);

/*
 * Validates a filesystem glob pattern: absolute ("/..."), no "." or ".." segments, no empty
 * segment ("//"), `*` and `?` never match '/', `[abc]` / `[a-z]` / `[!a]` classes must be
 * terminated and must not contain '/', `**` only as a whole segment (at most 4 per pattern),
 * `\` escapes the next character. Borrows pattern. Returns ASW_OK or ASW_E_PARSE.
 */
ASW_API int asw_cap_validate_fs_pattern(const char *pattern, asw_error_t *out_err);

/* Validates a host pattern: a DNS name with an optional leading "*." label ("*.example.com"),
 * "*" alone, an IP address, or a CIDR range. Borrows pattern. Returns ASW_OK or ASW_E_PARSE. */
ASW_API int asw_cap_validate_host_pattern(const char *pattern, asw_error_t *out_err);

/* Validates an outbound network target "host:ports" (IPv6 in brackets: "[fd00::/8]:443").
 * Borrows s. Returns ASW_OK or ASW_E_PARSE. */
ASW_API int asw_cap_validate_net_target(const char *s, asw_error_t *out_err);

/* Validates a storage namespace pattern: a key, or a prefix ending in '*'
 * ("component:{self}:*"). Borrows pattern. Returns ASW_OK or ASW_E_PARSE. */
ASW_API int asw_cap_validate_storage_pattern(const char *pattern, asw_error_t *out_err);

/* Validates a messaging pattern: '/'-separated segments; `+` matches one whole segment, `#`
 * any number of trailing segments (only as the last segment). Borrows pattern. */
ASW_API int asw_cap_validate_topic_pattern(const char *pattern, asw_error_t *out_err);

/*
 * Normalises an absolute request path into out (cap bytes): percent-decodes once ("%2e%2e",
 * "%2f"), collapses "//", drops "." and resolves ".." lexically, and removes a trailing '/'.
 * Denied (ASW_E_DENIED, with the reason in out_err): a relative path, ".." above the root, a
 * NUL or control byte, a double-encoded sequence ("%252e"). ASW_E_OVERFLOW when out is too
 * small. Borrows path. Does not touch the filesystem (see asw_path_resolve for symlinks).
 */
ASW_API int asw_path_normalize(const char *path, char *out, size_t cap, asw_error_t *out_err);

/* Matches a normalised absolute path against a valid filesystem pattern (see
 * asw_cap_validate_fs_pattern). Borrows both. Never allocates. */
ASW_API bool asw_path_glob_match(const char *pattern, const char *path);

/*
 * Resolves path like realpath(3), but component by component with lstat/readlink: each symlink
 * met on the way is replaced by its target (at most 40), so the result names what the OS would
 * open. Components that do not exist yet are kept as written (a file about to be created). The
 * input is normalised first (asw_path_normalize). Borrows path; writes out (cap bytes).
 * Returns ASW_OK, ASW_E_DENIED (bad path, symlink loop), ASW_E_OVERFLOW or ASW_E_IO.
 * A check on the result is subject to the usual time-of-check/time-of-use race.
 */
ASW_API int asw_path_resolve(const char *path, char *out, size_t cap, asw_error_t *out_err);

/* ===================================== capabilities ===================================== */

typedef enum asw_cap_kind {
    ASW_CAP_FS = 1,          /* pattern: filesystem glob; perms read/write/delete/list/execute */
    ASW_CAP_NET_CONNECT = 2, /* pattern: "host:ports"; perm connect */
    ASW_CAP_NET_LISTEN = 3,  /* pattern: "ports"; perm listen */
    ASW_CAP_STORAGE = 4,     /* pattern: namespace; perms read/write/delete */
    ASW_CAP_MSG = 5,         /* pattern: component or topic; perms send/receive */
    ASW_CAP_CUSTOM = 6,      /* pattern: capability name; perm use; params "key=value" */
} asw_cap_kind_t;

enum {
    ASW_PERM_READ = 1u << 0,
    ASW_PERM_WRITE = 1u << 1,
    ASW_PERM_DELETE = 1u << 2,
    ASW_PERM_LIST = 1u << 3,
    ASW_PERM_EXECUTE = 1u << 4,
    ASW_PERM_CONNECT = 1u << 5,
    ASW_PERM_LISTEN = 1u << 6,
    ASW_PERM_SEND = 1u << 7,
    ASW_PERM_RECEIVE = 1u << 8,
    ASW_PERM_USE = 1u << 9,
};

/* Most parameters a custom capability may carry. */
#define ASW_CAP_MAX_PARAMS 16

/*
 * One capability entry as the caller describes it (borrowed strings). For ASW_CAP_CUSTOM,
 * params are "key=value" strings; in a grant a value "*" matches any value.
 */
typedef struct asw_cap_spec {
    asw_cap_kind_t kind;
    uint32_t perms; /* ASW_PERM_* bits valid for kind (at least one) */
    bool deny;      /* an explicit deny entry: wins over any allow */
    const char *pattern;
    const char *const *params;
    size_t nparams;
} asw_cap_spec_t;

/* Returns the permissions valid for kind (0 for an unknown kind). */
ASW_API uint32_t asw_cap_kind_perms(asw_cap_kind_t kind);
/* Returns "fs", "net-connect", "net-listen", "storage", "msg", "custom" or "?". */
ASW_API const char *asw_cap_kind_name(asw_cap_kind_t kind);
/* Parses a permission name ("read", "write", ..., "use"); returns its bit or 0. Borrows. */
ASW_API uint32_t asw_cap_perm_parse(const char *name, size_t len);
/* Returns the name of a single permission bit, or "?". */
ASW_API const char *asw_cap_perm_name(uint32_t perm);

/* Validates a whole spec: kind, permissions valid for the kind, pattern syntax, params.
 * Borrows spec. Returns ASW_OK or ASW_E_INVALID / ASW_E_PARSE with the reason. */
ASW_API int asw_cap_spec_validate(const asw_cap_spec_t *spec, asw_error_t *out_err);

/* A compiled, owned set of capability entries. */
typedef struct asw_capset asw_capset_t;

/*
 * Creates an empty set. self_id (borrowed, may be NULL) replaces "{self}" in storage and
 * messaging patterns as they are added, so "component:{self}:*" names the component's own
 * namespace. Returns ASW_OK with an owned set (free with asw_capset_free), or ASW_E_NOMEM.
 */
ASW_API int asw_capset_new(const char *self_id, asw_capset_t **out_set, asw_error_t *out_err);
ASW_API void asw_capset_free(asw_capset_t *set);

/* Validates, copies and compiles one entry. Borrows spec. On failure the set is unchanged.
 * Returns ASW_OK, ASW_E_INVALID, ASW_E_PARSE, ASW_E_LIMIT (more than 65535 entries), NOMEM. */
ASW_API int asw_capset_add(asw_capset_t *set, const asw_cap_spec_t *spec, asw_error_t *out_err);

/*
 * Adds one entry written as text (the form used by approvals and the CLI):
 *   [deny ]<kind> <perm>[,<perm>...] <pattern> [key=value ...]
 * kind is fs, net, storage, msg or custom; for net the permission (connect or listen) picks
 * the kind. Examples: "fs read,list /data/file?.txt", "net connect *.example.com:443",
 * "net listen 8080-8090", "storage read,write component:{self}:*", "msg send sensors/#",
 * "custom use gpio pin=4", "deny fs read /data/secret?.txt". Borrows text.
 */
ASW_API int asw_capset_add_text(asw_capset_t *set, const char *text, asw_error_t *out_err);

/* Number of entries. */
ASW_API size_t asw_capset_count(const asw_capset_t *set);

/* Describes entry i (borrowed strings that live as long as the set). ASW_E_NOT_FOUND when
 * i is out of range. */
ASW_API int asw_capset_get(const asw_capset_t *set, size_t i, asw_cap_spec_t *out_spec);

/* Writes entry i in the text form of asw_capset_add_text into buf (always NUL-terminated when
 * cap > 0). Returns the length it needs (excluding NUL), or a negative code. */
ASW_API int asw_capset_format(const asw_capset_t *set, size_t i, char *buf, size_t cap);

/* True when `grant` allows nothing that `request` does not: every allow entry of grant equals
 * an allow entry of request with a subset of its permissions (deny entries may be added
 * freely). This is the approval-time inflation check. Borrows both. */
ASW_API bool asw_capset_is_subset(const asw_capset_t *grant, const asw_capset_t *request);

/* The answer of a check. reason is static text; rule is the pattern of the entry that decided
 * (owned by the set) or NULL when no entry matched. */
typedef struct asw_cap_decision {
    bool granted;
    const char *reason;
    const char *rule;
} asw_cap_decision_t;

/*
 * Checks whether `perm` (a single ASW_PERM_* bit) on `resource` is granted by set:
 *   ASW_CAP_FS: an absolute path (normalised here; traversal and encodings denied),
 *   ASW_CAP_NET_CONNECT: "host:port" ("[v6addr]:port" for IPv6),
 *   ASW_CAP_NET_LISTEN: "port",
 *   ASW_CAP_STORAGE: a key, ASW_CAP_MSG: a component id or topic,
 *   ASW_CAP_CUSTOM: a name (use asw_capset_check_custom to pass params).
 * A private or loopback address is granted only by an entry naming it explicitly (the exact
 * address, "localhost", or a CIDR range inside the private ranges), never by "*" or 0.0.0.0/0.
 * Never allocates. Borrows everything; out may be NULL. Returns ASW_OK (granted) or
 * ASW_E_DENIED (denied; out->reason says why), ASW_E_INVALID for a bad argument.
 */
ASW_API int asw_capset_check(const asw_capset_t *set, asw_cap_kind_t kind, const char *resource,
                             uint32_t perm, asw_cap_decision_t *out);

/* Checks a custom capability by name and "key=value" params: granted when an allow entry has
 * the name and, for every requested param, a param with the same key whose value is equal or
 * "*". Never allocates. Returns ASW_OK or ASW_E_DENIED. */
ASW_API int asw_capset_check_custom(const asw_capset_t *set, const char *name,
                                    const char *const *params, size_t nparams,
                                    asw_cap_decision_t *out);

/*
 * Resolves path through symlinks (asw_path_resolve) and checks the result, so a symlink that
 * leads out of a granted tree is denied. out_resolved (may be NULL) receives the resolved path.
 * Returns ASW_OK, ASW_E_DENIED, or an error from resolution.
 */
ASW_API int asw_capset_check_path(const asw_capset_t *set, const char *path, uint32_t perm,
                                  char *out_resolved, size_t cap, asw_cap_decision_t *out,
                                  asw_error_t *out_err);

/* ======================================== quotas ======================================== */

typedef enum asw_quota_kind {
    ASW_QUOTA_STORAGE = 0,   /* bytes, cumulative */
    ASW_QUOTA_MESSAGES = 1,  /* messages per second */
    ASW_QUOTA_NET_BYTES = 2, /* network bytes per second */
    ASW_QUOTA_CPU_MS = 3,    /* CPU milliseconds per second */
    ASW_QUOTA_MEMORY = 4,    /* bytes, cumulative */
    ASW_QUOTA_KINDS = 5,
} asw_quota_kind_t;

/* Largest limit a per-second quota accepts (2^40 - 1). */
#define ASW_QUOTA_RATE_MAX ((UINT64_C(1) << 40) - 1)

/* Limits per kind; 0 means unlimited. */
typedef struct asw_quota_limits {
    uint64_t limit[ASW_QUOTA_KINDS];
} asw_quota_limits_t;

typedef enum asw_quota_level {
    ASW_QUOTA_OK = 0,
    ASW_QUOTA_WARNING = 1,  /* >= 80 % used */
    ASW_QUOTA_CRITICAL = 2, /* >= 95 % used */
    ASW_QUOTA_EXCEEDED = 3, /* at the limit: the next unit fails */
} asw_quota_level_t;

/* Why a request did not fit: the usage before it, the amount asked and the limit. */
typedef struct asw_quota_violation {
    asw_quota_kind_t kind;
    uint64_t current, requested, limit;
} asw_quota_violation_t;

typedef struct asw_quota_usage {
    uint64_t used, limit; /* limit 0: unlimited */
    asw_quota_level_t level;
} asw_quota_usage_t;

typedef struct asw_quota asw_quota_t;

/* Creates quota counters with the given limits (borrowed; NULL: all unlimited). Returns ASW_OK
 * with an owned object (free with asw_quota_free), ASW_E_INVALID for a rate limit above
 * ASW_QUOTA_RATE_MAX, or ASW_E_NOMEM. */
ASW_API int asw_quota_new(const asw_quota_limits_t *limits, asw_quota_t **out_q,
                          asw_error_t *out_err);
ASW_API void asw_quota_free(asw_quota_t *q);

/*
 * Consumes `amount` of kind at time now_ns (a monotonic clock, e.g. asw_quota_now_ns(); only
 * per-second kinds use it: usage resets when the second changes). Lock-free; never allocates;
 * never overflows (any amount up to UINT64_MAX is handled). Returns ASW_OK, or ASW_E_QUOTA with
 * *out (may be NULL) filled and nothing consumed; ASW_E_INVALID for a bad kind.
 */
ASW_API int asw_quota_consume(asw_quota_t *q, asw_quota_kind_t kind, uint64_t amount,
                              uint64_t now_ns, asw_quota_violation_t *out);
/* As asw_quota_consume but consumes nothing: would `amount` fit now? */
ASW_API int asw_quota_check(const asw_quota_t *q, asw_quota_kind_t kind, uint64_t amount,
                            uint64_t now_ns, asw_quota_violation_t *out);
/* Returns `amount` of a cumulative kind (storage freed, memory released); saturates at 0. */
ASW_API void asw_quota_release(asw_quota_t *q, asw_quota_kind_t kind, uint64_t amount);
/* Usage of kind at now_ns, with its level. */
ASW_API void asw_quota_usage(const asw_quota_t *q, asw_quota_kind_t kind, uint64_t now_ns,
                             asw_quota_usage_t *out);
/* Returns "storage", "messages", "network", "cpu" or "memory" ("?" otherwise). */
ASW_API const char *asw_quota_kind_name(asw_quota_kind_t kind);
/* Returns "ok", "warning", "critical" or "exceeded". */
ASW_API const char *asw_quota_level_name(asw_quota_level_t level);
/* A monotonic clock in nanoseconds (CLOCK_MONOTONIC). */
ASW_API uint64_t asw_quota_now_ns(void);

/* ======================================= audit log ======================================= */

typedef enum asw_audit_kind {
    ASW_AUDIT_CAPABILITY = 0,
    ASW_AUDIT_TRUST = 1,
    ASW_AUDIT_APPROVAL = 2,
    ASW_AUDIT_QUOTA = 3,
} asw_audit_kind_t;

/* One audit record (borrowed strings, copied when logged; NULL is written as ""). Fields
 * longer than their slot are truncated (component 63, resource 255, permission 31, result 15,
 * reason 191 bytes). */
typedef struct asw_audit_record {
    asw_audit_kind_t kind;
    const char *component;
    const char *resource;
    const char *permission;
    const char *result; /* "granted", "denied", "trusted", "approved", "exceeded", ... */
    const char *reason;
} asw_audit_record_t;

typedef enum asw_audit_fsync {
    ASW_AUDIT_FSYNC_NEVER = 0,    /* leave it to the OS */
    ASW_AUDIT_FSYNC_BATCH = 1,    /* fsync after every batch written */
    ASW_AUDIT_FSYNC_INTERVAL = 2, /* fsync at most every fsync_interval_ms */
} asw_audit_fsync_t;

typedef struct asw_audit_config {
    const char *path;           /* the log file (appended to); required */
    size_t queue_capacity;      /* records; 0: 8192 */
    asw_audit_fsync_t fsync;    /* default NEVER */
    uint32_t fsync_interval_ms; /* for ASW_AUDIT_FSYNC_INTERVAL; 0: 1000 */
    uint64_t rotate_bytes;      /* rotate when the file would exceed this; 0: never */
    uint32_t rotate_keep;       /* rotated files kept (path.1 .. path.N); 0: 5 */
    bool drop_when_full;        /* true: drop (and count) instead of waiting */
} asw_audit_config_t;

typedef struct asw_audit_stats {
    uint64_t logged;    /* records accepted */
    uint64_t written;   /* records written to the file */
    uint64_t waits;     /* times a caller waited for room */
    uint64_t dropped;   /* records dropped (drop_when_full only) */
    uint64_t rotations; /* files rotated */
    uint64_t write_errors;
} asw_audit_stats_t;

typedef struct asw_audit asw_audit_t;

/* Opens (creates, appends to) the log and starts its writer thread. Borrows cfg. Returns ASW_OK
 * with an owned log (close with asw_audit_close), ASW_E_IO, ASW_E_INVALID or ASW_E_NOMEM. */
ASW_API int asw_audit_open(const asw_audit_config_t *cfg, asw_audit_t **out_log,
                           asw_error_t *out_err);

/* Queues one record (copied; timestamped now, wall clock). When the queue is full the caller
 * waits for room (counted in stats.waits) unless drop_when_full. Never allocates. Returns
 * ASW_OK, ASW_E_FULL (dropped), ASW_E_CLOSED (log closing), ASW_E_INVALID. */
ASW_API int asw_audit_log(asw_audit_t *log, const asw_audit_record_t *rec);

/* Waits until every record queued before the call is written (and fsynced when the policy is
 * not NEVER). Returns ASW_OK or ASW_E_IO when a write failed. */
ASW_API int asw_audit_flush(asw_audit_t *log);

/* Copies the counters. */
ASW_API void asw_audit_stats(asw_audit_t *log, asw_audit_stats_t *out);

/* Writes everything queued, stops the thread, closes the file and frees the log. NULL is ok. */
ASW_API void asw_audit_close(asw_audit_t *log);

/* Returns "capability", "trust", "approval" or "quota". */
ASW_API const char *asw_audit_kind_name(asw_audit_kind_t kind);

/* A parsed line of an audit file (borrowed strings valid during the callback only). */
typedef struct asw_audit_entry {
    const char *time; /* RFC 3339 UTC with microseconds */
    const char *kind, *component, *resource, *permission, *result, *reason;
} asw_audit_entry_t;

/* Called for each matching line; return nonzero to stop. */
typedef int (*asw_audit_scan_fn)(void *ud, const asw_audit_entry_t *entry);

/* Reads an audit file and calls fn for every line whose component and result equal the
 * filters (NULL: any). Malformed lines are skipped and counted in *out_bad (may be NULL).
 * Borrows everything. Returns ASW_OK, ASW_E_IO or ASW_E_NOMEM. */
ASW_API int asw_audit_scan(const char *path, const char *component, const char *result,
                           asw_audit_scan_fn fn, void *ud, size_t *out_bad, asw_error_t *out_err);

/* ======================================== signing ======================================== */

#define ASW_SIG_PUBLIC_KEY_BYTES 32
#define ASW_SIG_SECRET_KEY_BYTES 64
#define ASW_SHA256_BYTES         32
/* Upper bound of a .sig file's length. */
#define ASW_SIG_TEXT_MAX 512

/* SHA-256 of data. Returns ASW_OK or ASW_E_CRYPTO (libsodium failed to initialise). */
ASW_API int asw_sha256(const void *data, size_t len, uint8_t out[ASW_SHA256_BYTES]);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
ASW_API void asw_hex_encode(const uint8_t *bytes, size_t n, char *out);

/* Parses an ed25519 public key written as 64 hex digits or standard base64 (44 chars).
 * Borrows text (surrounding whitespace ignored). Returns ASW_OK or ASW_E_PARSE. */
ASW_API int asw_sig_parse_public_key(const char *text, uint8_t out[ASW_SIG_PUBLIC_KEY_BYTES],
                                     asw_error_t *out_err);

/* Generates a key pair. Returns ASW_OK or ASW_E_CRYPTO. */
ASW_API int asw_sig_keygen(uint8_t out_pk[ASW_SIG_PUBLIC_KEY_BYTES],
                           uint8_t out_sk[ASW_SIG_SECRET_KEY_BYTES], asw_error_t *out_err);

/* Writes <prefix>.pub (hex public key) and <prefix>.key (secret key, mode 0600). Refuses to
 * overwrite (ASW_E_EXISTS). Returns ASW_OK or ASW_E_IO. */
ASW_API int asw_sig_write_keys(const char *prefix, const uint8_t pk[ASW_SIG_PUBLIC_KEY_BYTES],
                               const uint8_t sk[ASW_SIG_SECRET_KEY_BYTES], asw_error_t *out_err);
/* Reads a key file written by asw_sig_write_keys. */
ASW_API int asw_sig_read_secret_key(const char *path, uint8_t out_sk[ASW_SIG_SECRET_KEY_BYTES],
                                    asw_error_t *out_err);
ASW_API int asw_sig_read_public_key(const char *path, uint8_t out_pk[ASW_SIG_PUBLIC_KEY_BYTES],
                                    asw_error_t *out_err);

/*
 * Signs a module and its manifest (manifest may be NULL/0: signed as empty). Writes the text of
 * the detached .sig file (format in docs/security.md) into out (ASW_SIG_TEXT_MAX bytes).
 * Borrows everything. Returns ASW_OK or ASW_E_CRYPTO.
 */
ASW_API int asw_sig_sign(const uint8_t sk[ASW_SIG_SECRET_KEY_BYTES], const uint8_t *module,
                         size_t module_len, const uint8_t *manifest, size_t manifest_len,
                         char out[ASW_SIG_TEXT_MAX], asw_error_t *out_err);

/*
 * Verifies the .sig text against a module and manifest. expected_key (may be NULL) must equal
 * the signing key when given. On success *out_signer (may be NULL) receives the signer's key.
 * Returns ASW_OK; ASW_E_PARSE (malformed .sig); ASW_E_SIGNATURE with a message saying whether
 * the module or the manifest was modified or the signature is bad; ASW_E_UNTRUSTED when signed
 * by a key other than expected_key.
 */
ASW_API int asw_sig_verify(const char *sig_text, size_t sig_len, const uint8_t *module,
                           size_t module_len, const uint8_t *manifest, size_t manifest_len,
                           const uint8_t *expected_key,
                           uint8_t out_signer[ASW_SIG_PUBLIC_KEY_BYTES], asw_error_t *out_err);

/* File forms of the two above (manifest_path may be NULL). sign writes sig_path. */
ASW_API int asw_sig_sign_files(const char *key_path, const char *module_path,
                               const char *manifest_path, const char *sig_path,
                               asw_error_t *out_err);
ASW_API int asw_sig_verify_files(const char *sig_path, const char *module_path,
                                 const char *manifest_path, const uint8_t *expected_key,
                                 uint8_t out_signer[ASW_SIG_PUBLIC_KEY_BYTES],
                                 asw_error_t *out_err);

/* ========================================= trust ========================================= */

typedef enum asw_trust_level {
    ASW_TRUST_UNKNOWN = 0,
    ASW_TRUST_TRUSTED = 1,
    ASW_TRUST_DEV = 2, /* dev mode: approval bypassed, loudly */
} asw_trust_level_t;

typedef struct asw_trust_registry asw_trust_registry_t;

/* Creates an empty registry (trusts nothing). Free with asw_trust_registry_free. */
ASW_API int asw_trust_registry_new(asw_trust_registry_t **out_reg, asw_error_t *out_err);
/* Loads a registry from a TOML file (format in docs/security.md). Returns ASW_OK with an owned
 * registry, ASW_E_IO, ASW_E_PARSE (with file:line:column), ASW_E_NOMEM. */
ASW_API int asw_trust_registry_load(const char *path, asw_trust_registry_t **out_reg,
                                    asw_error_t *out_err);
/* As load, from text (len bytes). */
ASW_API int asw_trust_registry_parse(const char *text, size_t len, asw_trust_registry_t **out_reg,
                                     asw_error_t *out_err);
ASW_API void asw_trust_registry_free(asw_trust_registry_t *reg);

/* Adds trusted sources (strings copied). */
ASW_API int asw_trust_add_key(asw_trust_registry_t *reg, const char *key_text,
                              asw_error_t *out_err);
ASW_API int asw_trust_add_path(asw_trust_registry_t *reg, const char *fs_pattern,
                               asw_error_t *out_err);
/* url_pattern: a URL with `*` wildcards ("https://github.com/acme-*.git"); branch NULL: any. */
ASW_API int asw_trust_add_git(asw_trust_registry_t *reg, const char *url_pattern,
                              const char *branch, asw_error_t *out_err);
/* sha256_hex: 64 hex digits of the module's SHA-256. */
ASW_API int asw_trust_add_hash(asw_trust_registry_t *reg, const char *sha256_hex,
                               asw_error_t *out_err);
ASW_API void asw_trust_set_dev_mode(asw_trust_registry_t *reg, bool on);
ASW_API bool asw_trust_dev_mode(const asw_trust_registry_t *reg);

/* What is known about a component's origin (borrowed). */
typedef struct asw_trust_subject {
    const uint8_t *module_sha256; /* required: ASW_SHA256_BYTES */
    const char *path;             /* absolute local path of the module, or NULL */
    const char *git_url;          /* or NULL */
    const char *git_branch;       /* or NULL */
    const uint8_t *signer_key;    /* a key that asw_sig_verify accepted, or NULL */
} asw_trust_subject_t;

typedef struct asw_trust_result {
    asw_trust_level_t level;
    const char *reason;  /* static text */
    const char *matched; /* the registry entry that matched (owned by reg) or NULL */
} asw_trust_result_t;

/* Decides the trust level: dev mode if on; trusted when the signer key, pinned hash, path
 * pattern or git URL (and branch) matches; unknown otherwise. Never allocates. */
ASW_API int asw_trust_determine(const asw_trust_registry_t *reg, const asw_trust_subject_t *subj,
                                asw_trust_result_t *out);
/* Returns "unknown", "trusted" or "dev-mode". */
ASW_API const char *asw_trust_level_name(asw_trust_level_t level);

/* ======================================== approval ======================================== */

typedef enum asw_approval_state {
    ASW_APPROVAL_PENDING = 0,
    ASW_APPROVAL_REVIEWING = 1,
    ASW_APPROVAL_APPROVED = 2,
    ASW_APPROVAL_DENIED = 3,
} asw_approval_state_t;

#define ASW_APPROVAL_ID_LEN 64 /* hex digits of the id (SHA-256) */

typedef struct asw_approval_store asw_approval_store_t;

/* Opens (creating) an approval store directory. max_pending bounds the review queue (0: 256).
 * audit (borrowed, may be NULL) receives every transition. Returns ASW_OK with an owned store
 * (close with asw_approval_store_close), ASW_E_IO, ASW_E_NOMEM. */
ASW_API int asw_approval_store_open(const char *dir, size_t max_pending, asw_audit_t *audit,
                                    asw_approval_store_t **out_store, asw_error_t *out_err);
ASW_API void asw_approval_store_close(asw_approval_store_t *store);

/* A component asking to run with `requested` capabilities (borrowed). */
typedef struct asw_approval_request {
    const char *component;
    const uint8_t *module_sha256; /* ASW_SHA256_BYTES */
    const char *source;           /* where it came from: a path or git URL */
    asw_trust_level_t trust;
    const asw_capset_t *requested;
} asw_approval_request_t;

/*
 * Submits a request. The id is SHA-256(module hash, source, requested capabilities in text
 * form); a decision already stored under that id is reused. Trusted: approved automatically and
 * stored. Dev mode: bypassed (not stored; a warning on stderr and an audit record every time).
 * Unknown: stored as pending (ASW_E_FULL when the review queue is full).
 * On ASW_OK the component may run and *out_granted receives an owned capset (free with
 * asw_capset_free) holding the granted entries. ASW_E_PENDING: waiting for review;
 * ASW_E_DENIED: denied. out_id (may be NULL) receives the id (ASW_APPROVAL_ID_LEN + 1 bytes).
 */
ASW_API int asw_approval_submit(asw_approval_store_t *store, const asw_approval_request_t *req,
                                char *out_id, asw_capset_t **out_granted, asw_error_t *out_err);

/* A stored decision. */
typedef struct asw_approval_info {
    char id[ASW_APPROVAL_ID_LEN + 1];
    asw_approval_state_t state;
    char *component, *source, *approver, *reason;
    char **requested; /* capability texts */
    size_t nrequested;
    char **granted;
    size_t ngranted;
    int64_t created, updated; /* Unix seconds */
} asw_approval_info_t;

/* Reads one decision by id (or by a unique id prefix of at least 8 digits). Returns an owned
 * object (free with asw_approval_info_free), ASW_E_NOT_FOUND, ASW_E_PARSE (corrupt file). */
ASW_API int asw_approval_get(asw_approval_store_t *store, const char *id,
                             asw_approval_info_t **out_info, asw_error_t *out_err);
ASW_API void asw_approval_info_free(asw_approval_info_t *info);

/* Calls fn for each stored decision (sorted by id); return nonzero to stop. */
typedef int (*asw_approval_list_fn)(void *ud, const asw_approval_info_t *info);
ASW_API int asw_approval_list(asw_approval_store_t *store, asw_approval_list_fn fn, void *ud,
                              asw_error_t *out_err);

/* pending -> reviewing. ASW_E_STATE from any other state. */
ASW_API int asw_approval_review(asw_approval_store_t *store, const char *id, const char *reviewer,
                                asw_error_t *out_err);
/* pending|reviewing -> approved, granting `grant` (borrowed; NULL: everything requested).
 * ASW_E_DENIED when grant is not a subset of the request (capability inflation). */
ASW_API int asw_approval_approve(asw_approval_store_t *store, const char *id, const char *approver,
                                 const asw_capset_t *grant, asw_error_t *out_err);
/* pending|reviewing -> denied. */
ASW_API int asw_approval_deny(asw_approval_store_t *store, const char *id, const char *approver,
                              const char *reason, asw_error_t *out_err);
/* Returns "pending", "reviewing", "approved" or "denied". */
ASW_API const char *asw_approval_state_name(asw_approval_state_t state);

/* ================================= the security manager ================================= */

/* Ties capabilities, quotas and the audit log together per registered component. */
typedef struct asw_sec asw_sec_t;
typedef struct asw_sec_ctx asw_sec_ctx_t;

/* audit (borrowed, may be NULL: decisions are not logged). Returns an owned manager (free with
 * asw_sec_free after every context is unregistered or with them). */
ASW_API int asw_sec_new(asw_audit_t *audit, asw_sec_t **out_sec, asw_error_t *out_err);
ASW_API void asw_sec_free(asw_sec_t *sec);

/* Registers component id with caps (takes ownership on success) and quota limits (borrowed,
 * NULL: unlimited). ASW_E_EXISTS when id is registered. *out_ctx (may be NULL) is valid until
 * asw_sec_unregister. */
ASW_API int asw_sec_register(asw_sec_t *sec, const char *id, asw_capset_t *caps,
                             const asw_quota_limits_t *limits, asw_sec_ctx_t **out_ctx,
                             asw_error_t *out_err);
/* Removes and frees a context. ASW_E_NOT_FOUND when unknown. */
ASW_API int asw_sec_unregister(asw_sec_t *sec, const char *id);
/* Looks up a context by id (NULL when unknown). */
ASW_API asw_sec_ctx_t *asw_sec_lookup(asw_sec_t *sec, const char *id);

/* Checks and audits one access (asw_capset_check semantics). Never allocates. */
ASW_API int asw_sec_check(asw_sec_ctx_t *ctx, asw_cap_kind_t kind, const char *resource,
                          uint32_t perm, asw_cap_decision_t *out);
/* check(component, resource, permission) by id; unknown components are denied. */
ASW_API int asw_sec_check_id(asw_sec_t *sec, const char *id, asw_cap_kind_t kind,
                             const char *resource, uint32_t perm, asw_cap_decision_t *out);
/* Consumes quota and audits a violation. */
ASW_API int asw_sec_consume(asw_sec_ctx_t *ctx, asw_quota_kind_t kind, uint64_t amount,
                            uint64_t now_ns, asw_quota_violation_t *out);
/* The context's capabilities and quota counters (borrowed; live as long as ctx). */
ASW_API const asw_capset_t *asw_sec_caps(const asw_sec_ctx_t *ctx);
ASW_API asw_quota_t *asw_sec_quota(asw_sec_ctx_t *ctx);
ASW_API const char *asw_sec_id(const asw_sec_ctx_t *ctx);
/* Heap bytes held by the context (capabilities, quota counters, id). */
ASW_API size_t asw_sec_context_bytes(const asw_sec_ctx_t *ctx);

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_SECURITY_H */
