/*
 * airssys_guest.h -- the C SDK of an airssys component: the host functions of import module
 * "airssys", the exports a component provides, and small wrappers that take C strings.
 * Build a component with clang --target=wasm32-wasi -mexec-model=reactor (see docs/host.md);
 * the contract itself is docs/host-abi.md, and guest/wit/airssys.wit says the same in WIT.
 *
 * Conventions. Every host function returns 0 or a non-negative count on success, or a negative
 * ASW_E_* code (the numbers of the host's include/airssys/base.h, repeated below as
 * AS_E_*; as_strerror() names them). Data is passed as (pointer, length) in the component's
 * linear memory; a function that fills a buffer takes (buf, cap) and, where the full size may
 * not fit, a pointer to a uint32_t that receives the size needed (AS_E_OVERFLOW when cap was
 * too small). Names are kebab-case in the import module ("storage-get") and snake_case here
 * (as_storage_get).
 *
 * Exports a component must define (use the AS_EXPORT macro):
 *   void   *alloc(int32_t size)      the host copies each message into memory it gets here;
 *   int32_t handle-message(kind, from, from_len, data, len)
 *                                     one call per message; `from` and `data` lie in one block
 *                                     from alloc (from first), which the component frees
 *                                     (free(from)) when it is done with both;
 *   int32_t init(void)               optional: once per fresh instance (also after a
 *                                     restart), before the first message; negative fails the
 *                                     start. It runs before the actor exists: messaging calls
 *                                     fail there (storage, log, time work): use start;
 *   int32_t start(void)              optional: in every incarnation, on its actor, after init
 *                                     and post-restart, before the first message; messaging
 *                                     works, as_request and as_sleep fail (AS_E_STATE);
 *                                     negative fails that start;
 *   int32_t handle-reply(int64_t corr, int32_t status, data, len)
 *                                     required when the component calls as_request_async:
 *                                     one call per reply (status 0), timeout (AS_E_TIMEOUT)
 *                                     or dead target (AS_E_DEAD); data lies in a block from
 *                                     alloc which the component frees (0 when len is 0);
 *   int32_t post-restart(int32_t restarts)
 *                                     optional: after init in an instance started by a
 *                                     restart (restarts = how many so far); messaging works,
 *                                     as_request and as_sleep fail (AS_E_STATE); negative
 *                                     fails the restart;
 *   int32_t pre-stop(void)           optional: on a graceful stop (host shutdown, supervisor
 *                                     stop), not after a crash; at most 500 ms; as_request,
 *                                     as_request_async and as_sleep fail (AS_E_STATE); a trap
 *                                     is only logged. Save state with as_storage_set here.
 *
 * This header is C11 and needs only <stdint.h>, <stddef.h> and <string.h>; it defines no data
 * and allocates nothing.
 */
#ifndef AIRSSYS_GUEST_H
#define AIRSSYS_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AS_IMPORT(name) __attribute__((import_module("airssys"), import_name(name)))
/* Marks a function as an export of the component: AS_EXPORT("handle-message") int32_t f(...) */
#define AS_EXPORT(name) __attribute__((export_name(name)))

/* ---- error codes (the values of the host's ASW_E_* table; stable) ---- */
enum {
    AS_OK = 0,
    AS_E_INVALID = -1, /* bad argument: a pointer outside memory, an empty key, ... */
    AS_E_NOMEM = -2,
    AS_E_UNSUPPORTED = -5, /* the host runs without this service (e.g. no storage directory) */
    AS_E_TRAP = -7,
    AS_E_LIMIT = -8,      /* over a size limit (message, key, handle table) */
    AS_E_NOT_FOUND = -13, /* no such key, file, component or handle */
    AS_E_EXISTS = -14,
    AS_E_IO = -15,
    AS_E_TIMEOUT = -16,
    AS_E_FULL = -17, /* a mailbox or the store is full */
    AS_E_DEAD = -18,
    AS_E_DENIED = -19,   /* no capability for this */
    AS_E_QUOTA = -20,    /* a quota is exhausted */
    AS_E_STATE = -26,    /* e.g. respond outside a request */
    AS_E_OVERFLOW = -27, /* the output buffer is too small: see the length out-parameter */
    AS_E_BUSY = -28,
    AS_E_CLOSED = -29, /* the peer closed the connection */
};

/* Kinds of handle-message. */
enum {
    AS_KIND_SEND = 0,    /* a one-way message; from = the sender's name ("" from the host) */
    AS_KIND_REQUEST = 1, /* a request: answer with as_respond; from = the requester's name */
    AS_KIND_TOPIC = 2,   /* a publication; from = the topic */
};

/* Log levels of as_log. */
enum { AS_LOG_TRACE = 0, AS_LOG_DEBUG = 1, AS_LOG_INFO = 2, AS_LOG_WARN = 3, AS_LOG_ERROR = 4 };

/* ================================ messaging (as the host names them) ======================= */

/* send(target, target_len, data, len) -> 0: a one-way message to the component named target.
 * Needs a messaging "send" capability for target; AS_E_NOT_FOUND when no such component,
 * AS_E_LIMIT over the message size limit, AS_E_QUOTA over the message rate, AS_E_FULL. */
AS_IMPORT("send")
int32_t as_send_raw(const char *target, uint32_t target_len, const void *data, uint32_t len);

/* request(target, target_len, data, len, reply, reply_cap, reply_len_ptr, timeout_ms)
 * -> reply bytes copied. Suspends this component (not the worker thread) until the reply or
 * the timeout (0: the host's default). *reply_len_ptr receives the reply's full length;
 * AS_E_OVERFLOW when it exceeded reply_cap (the first reply_cap bytes were copied).
 * AS_E_TIMEOUT, AS_E_NOT_FOUND, or the errors of send. */
AS_IMPORT("request")
int32_t as_request_raw(const char *target, uint32_t target_len, const void *data, uint32_t len,
                       void *reply, uint32_t reply_cap, uint32_t *reply_len_ptr,
                       uint32_t timeout_ms);

/* request-async(target, target_len, data, len, timeout_ms) -> correlation id (> 0). Returns at
 * once; the reply, the timeout (0: the host's default) or the target's death later runs the
 * component's handle-reply export with this id (a component importing this must export
 * handle-reply: the host refuses to load it otherwise). At most 1024 outstanding (AS_E_LIMIT);
 * the errors of send. Replies still outstanding when the component crashes are dropped. */
AS_IMPORT("request-async")
int64_t as_request_async_raw(const char *target, uint32_t target_len, const void *data,
                             uint32_t len, uint32_t timeout_ms);

/* respond(data, len) -> 0: answers the request being handled (AS_KIND_REQUEST); at most once.
 * AS_E_STATE when the current message is not a request or was answered. */
AS_IMPORT("respond")
int32_t as_respond(const void *data, uint32_t len);

/* publish(topic, topic_len, data, len) -> subscribers reached. Needs "send" on the topic. */
AS_IMPORT("publish")
int32_t as_publish_raw(const char *topic, uint32_t topic_len, const void *data, uint32_t len);

/* subscribe(pattern, pattern_len) -> subscription id (> 0). Patterns: '/'-separated segments,
 * '+' one segment, '#' the rest ("sensors/+/temp", "logs/#"). Needs "receive" on the pattern.
 * Publications arrive as AS_KIND_TOPIC messages. */
AS_IMPORT("subscribe")
int64_t as_subscribe_raw(const char *pattern, uint32_t pattern_len);

/* unsubscribe(id) -> 0, or AS_E_NOT_FOUND. */
AS_IMPORT("unsubscribe")
int32_t as_unsubscribe(int64_t id);

/* self-id(buf, cap) -> length of this component's name (copied only when it fits cap). */
AS_IMPORT("self-id")
int32_t as_self_id(char *buf, uint32_t cap);

/* ============================================ storage ===================================== */
/* The component's own namespace; keys are 1..256 bytes without NUL. Each call needs the storage
 * capability on "component:<name>:<key>" (read for get/exists/list/usage, write for set, delete
 * for delete). Data and usage survive restarts of the component and of the host. */

/* storage-get(key, klen, buf, cap, len_ptr) -> bytes copied. *len_ptr receives the value's
 * length (also with AS_E_OVERFLOW, when cap was too small: nothing copied). AS_E_NOT_FOUND. */
AS_IMPORT("storage-get")
int32_t as_storage_get_raw(const void *key, uint32_t klen, void *buf, uint32_t cap,
                           uint32_t *len_ptr);

/* storage-set(key, klen, value, vlen) -> 0 once durable. AS_E_QUOTA when the namespace would
 * exceed its storage quota (nothing written), AS_E_LIMIT (value too large), AS_E_FULL. */
AS_IMPORT("storage-set")
int32_t as_storage_set_raw(const void *key, uint32_t klen, const void *value, uint32_t vlen);

/* storage-delete(key, klen) -> 0, or AS_E_NOT_FOUND. */
AS_IMPORT("storage-delete")
int32_t as_storage_delete_raw(const void *key, uint32_t klen);

/* storage-exists(key, klen) -> 1 (present) or 0. */
AS_IMPORT("storage-exists")
int32_t as_storage_exists_raw(const void *key, uint32_t klen);

/* storage-list(prefix, plen, after, alen, buf, cap, len_ptr) -> keys written. Writes whole
 * entries [u32 little-endian length][key bytes], in byte order, of the keys that start with
 * prefix (plen 0: all) and sort after `after` (alen 0: from the first); *len_ptr receives the
 * bytes used. To page, call again with the last key as `after` until it returns 0. */
AS_IMPORT("storage-list")
int32_t as_storage_list_raw(const void *prefix, uint32_t plen, const void *after, uint32_t alen,
                            void *buf, uint32_t cap, uint32_t *len_ptr);

/* What storage-usage writes. */
typedef struct as_storage_usage {
    uint64_t bytes; /* sum of key + value lengths */
    uint64_t quota; /* 0: unlimited */
    uint64_t keys;
} as_storage_usage_t;

/* storage-usage(out) -> 0: writes an as_storage_usage_t (24 bytes). */
AS_IMPORT("storage-usage")
int32_t as_storage_usage(as_storage_usage_t *out);

/* ============================================= files ====================================== */
/* Absolute host paths; each needs the matching filesystem capability (read, write -- also to
 * create --, delete, list on the directory), checked on the path as written AND on the path it
 * resolves to through symlinks. */

/* file-read(path, plen, buf, cap, size_ptr) -> bytes read (from the start). *size_ptr
 * receives the file's size, so a short buffer shows how much there is. */
AS_IMPORT("file-read")
int32_t as_file_read_raw(const char *path, uint32_t plen, void *buf, uint32_t cap,
                         uint32_t *size_ptr);

/* file-write(path, plen, data, dlen, append) -> 0. append 0 replaces the content, 1 appends. */
AS_IMPORT("file-write")
int32_t as_file_write_raw(const char *path, uint32_t plen, const void *data, uint32_t dlen,
                          int32_t append);

/* file-delete(path, plen) -> 0. */
AS_IMPORT("file-delete")
int32_t as_file_delete_raw(const char *path, uint32_t plen);

/* file-list(path, plen, buf, cap, len_ptr) -> 0. The names in the directory, sorted, each
 * followed by '\n'; *len_ptr receives the bytes needed (AS_E_OVERFLOW when cap was short: only
 * whole names were written). */
AS_IMPORT("file-list")
int32_t as_file_list_raw(const char *path, uint32_t plen, char *buf, uint32_t cap,
                         uint32_t *len_ptr);

/* ============================================ network ===================================== */
/* Outbound TCP to endpoints the network capability grants; bytes count against the network
 * quota (bytes per second). At most 16 sockets per instance; they close when it stops. */

/* net-connect(host, hlen, port) -> handle (> 0). host: a name or address (IPv6 without
 * brackets). AS_E_DENIED, AS_E_NOT_FOUND (does not resolve), AS_E_TIMEOUT, AS_E_IO. */
AS_IMPORT("net-connect")
int32_t as_net_connect_raw(const char *host, uint32_t hlen, int32_t port);

/* net-send(handle, data, len) -> bytes sent (at least 1 when len > 0). */
AS_IMPORT("net-send")
int32_t as_net_send(int32_t handle, const void *data, uint32_t len);

/* net-recv(handle, buf, cap, timeout_ms) -> bytes received; 0 when the peer closed;
 * AS_E_TIMEOUT when nothing arrived within timeout_ms (0: the host's default, 5 s). */
AS_IMPORT("net-recv")
int32_t as_net_recv(int32_t handle, void *buf, uint32_t cap, uint32_t timeout_ms);

/* net-close(handle) -> 0, or AS_E_NOT_FOUND. */
AS_IMPORT("net-close")
int32_t as_net_close(int32_t handle);

/* ======================================= time, log, random ================================ */

/* time-now() -> Unix time in nanoseconds. */
AS_IMPORT("time-now")
int64_t as_time_now(void);

/* time-monotonic() -> a monotonic clock in nanoseconds. */
AS_IMPORT("time-monotonic")
int64_t as_time_monotonic(void);

/* sleep(ns) -> 0. Suspends this component (the worker thread runs others meanwhile). */
AS_IMPORT("sleep")
int32_t as_sleep_ns(int64_t ns);

/* log(level, msg, len): one line into the host's log under the component's name (control
 * bytes shown as '?'; long lines cut). */
AS_IMPORT("log")
void as_log_raw(int32_t level, const char *msg, uint32_t len);

/* random(buf, len) -> 0: cryptographically secure random bytes. */
AS_IMPORT("random")
int32_t as_random(void *buf, uint32_t len);

/* ==================================== convenience wrappers ================================ */

static inline uint32_t as__len(const char *s)
{
    return s ? (uint32_t)strlen(s) : 0;
}

/* Sends a NUL-terminated target name and a buffer. */
static inline int32_t as_send(const char *target, const void *data, uint32_t len)
{
    return as_send_raw(target, as__len(target), data, len);
}

/* Sends a string. */
static inline int32_t as_send_str(const char *target, const char *text)
{
    return as_send_raw(target, as__len(target), text, as__len(text));
}

/* Request with a timeout; *out_len (may be NULL) receives the reply's full length. */
static inline int32_t as_request(const char *target, const void *data, uint32_t len, void *reply,
                                 uint32_t reply_cap, uint32_t *out_len, uint32_t timeout_ms)
{
    uint32_t n = 0;
    int32_t rc =
        as_request_raw(target, as__len(target), data, len, reply, reply_cap, &n, timeout_ms);
    if (out_len) *out_len = n;
    return rc;
}

/* Asynchronous request to a NUL-terminated target: the correlation id (> 0) or an error. */
static inline int64_t as_request_async(const char *target, const void *data, uint32_t len,
                                       uint32_t timeout_ms)
{
    return as_request_async_raw(target, as__len(target), data, len, timeout_ms);
}

static inline int32_t as_respond_str(const char *text)
{
    return as_respond(text, as__len(text));
}

static inline int32_t as_publish(const char *topic, const void *data, uint32_t len)
{
    return as_publish_raw(topic, as__len(topic), data, len);
}

static inline int64_t as_subscribe(const char *pattern)
{
    return as_subscribe_raw(pattern, as__len(pattern));
}

/* Storage with NUL-terminated keys. */
static inline int32_t as_storage_get(const char *key, void *buf, uint32_t cap, uint32_t *out_len)
{
    uint32_t n = 0;
    int32_t rc = as_storage_get_raw(key, as__len(key), buf, cap, &n);
    if (out_len) *out_len = n;
    return rc;
}

static inline int32_t as_storage_set(const char *key, const void *value, uint32_t vlen)
{
    return as_storage_set_raw(key, as__len(key), value, vlen);
}

static inline int32_t as_storage_set_str(const char *key, const char *value)
{
    return as_storage_set_raw(key, as__len(key), value, as__len(value));
}

static inline int32_t as_storage_delete(const char *key)
{
    return as_storage_delete_raw(key, as__len(key));
}

static inline int32_t as_storage_exists(const char *key)
{
    return as_storage_exists_raw(key, as__len(key));
}

/*
 * Walks the entries storage-list wrote into buf (used bytes): calls fn(key, klen, ud) for each;
 * stops when fn returns nonzero. Returns the number of entries visited, or AS_E_INVALID when
 * the buffer is malformed.
 */
static inline int32_t as_storage_list_each(const void *buf, uint32_t used,
                                           int (*fn)(const char *key, uint32_t klen, void *ud),
                                           void *ud)
{
    const unsigned char *p = (const unsigned char *)buf;
    uint32_t off = 0;
    int32_t n = 0;
    while (off < used) {
        if (used - off < 4) return AS_E_INVALID;
        uint32_t kl = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
                      (uint32_t)p[off + 3] << 24;
        off += 4;
        if (kl > used - off) return AS_E_INVALID;
        n++;
        if (fn((const char *)p + off, kl, ud)) break;
        off += kl;
    }
    return n;
}

/* Files with NUL-terminated paths. */
static inline int32_t as_file_read(const char *path, void *buf, uint32_t cap, uint32_t *out_size)
{
    uint32_t size = 0;
    int32_t rc = as_file_read_raw(path, as__len(path), buf, cap, &size);
    if (out_size) *out_size = size;
    return rc;
}

static inline int32_t as_file_write(const char *path, const void *data, uint32_t len, int append)
{
    return as_file_write_raw(path, as__len(path), data, len, append ? 1 : 0);
}

static inline int32_t as_file_delete(const char *path)
{
    return as_file_delete_raw(path, as__len(path));
}

static inline int32_t as_file_list(const char *path, char *buf, uint32_t cap, uint32_t *out_len)
{
    uint32_t n = 0;
    int32_t rc = as_file_list_raw(path, as__len(path), buf, cap, &n);
    if (out_len) *out_len = n;
    return rc;
}

static inline int32_t as_net_connect(const char *host, uint16_t port)
{
    return as_net_connect_raw(host, as__len(host), (int32_t)port);
}

/* Logs a NUL-terminated line. */
static inline void as_log(int32_t level, const char *msg)
{
    as_log_raw(level, msg, as__len(msg));
}

static inline int32_t as_sleep_ms(uint32_t ms)
{
    return as_sleep_ns((int64_t)ms * 1000000);
}

/* The name of an error code, for logs ("AS_E_DENIED"); "AS_E_?" for unknown codes. */
static inline const char *as_strerror(int32_t code)
{
    switch (code) {
    case AS_OK: return "AS_OK";
    case AS_E_INVALID: return "AS_E_INVALID";
    case AS_E_NOMEM: return "AS_E_NOMEM";
    case AS_E_UNSUPPORTED: return "AS_E_UNSUPPORTED";
    case AS_E_TRAP: return "AS_E_TRAP";
    case AS_E_LIMIT: return "AS_E_LIMIT";
    case AS_E_NOT_FOUND: return "AS_E_NOT_FOUND";
    case AS_E_EXISTS: return "AS_E_EXISTS";
    case AS_E_IO: return "AS_E_IO";
    case AS_E_TIMEOUT: return "AS_E_TIMEOUT";
    case AS_E_FULL: return "AS_E_FULL";
    case AS_E_DEAD: return "AS_E_DEAD";
    case AS_E_DENIED: return "AS_E_DENIED";
    case AS_E_QUOTA: return "AS_E_QUOTA";
    case AS_E_STATE: return "AS_E_STATE";
    case AS_E_OVERFLOW: return "AS_E_OVERFLOW";
    case AS_E_BUSY: return "AS_E_BUSY";
    case AS_E_CLOSED: return "AS_E_CLOSED";
    default: return code >= 0 ? "AS_OK" : "AS_E_?";
    }
}

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_GUEST_H */
