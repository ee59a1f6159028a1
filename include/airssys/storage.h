/*
 * airssys/storage.h -- the component store: an embedded, crash-safe key-value store (LMDB) that
 * holds one namespace per component, with a byte quota per namespace that survives restarts.
 * See docs/host-abi.md (the storage host functions) and the comment at the top of
 * src/host/storage.c (on-disk layout).
 *
 * Design. One store is one directory holding one LMDB environment. A namespace is named by a
 * component id; every key of a namespace is stored as [id length][id bytes][key bytes] in one
 * LMDB database, so two namespaces can never share a key ("a:" + "b" and "a" + ":b" encode
 * differently) and a prefix scan never leaves its namespace. Next to the keys, each namespace
 * has a usage record (bytes, key count) that is updated in the same transaction as every write,
 * so usage is exact after a crash and quotas hold across restarts.
 *
 * Growth. The memory map starts at map_size. A write that finds it full grows it (doubling, up
 * to map_max_size) and is retried, so the store fails with ASW_E_FULL only at the ceiling.
 *
 * Durability. A write returns ASW_OK only after its transaction committed. Committed data
 * survives the death of the process (kill -9) under every sync policy; it survives a power loss
 * or OS crash only with ASW_STORAGE_SYNC_FULL (the default).
 *
 * Quota. A namespace handle carries a byte limit (0: unlimited). The bytes a namespace uses are
 * the sum of key length + value length of its entries. A write that would make the usage exceed
 * the limit fails with ASW_E_QUOTA (nothing written); writes that do not grow the usage
 * (overwrites with smaller values, deletes) always succeed.
 *
 * Thread safety: a store and its namespace handles may be used from any number of threads at
 * once (readers run in parallel and block only while the map grows; writers are serialised by
 * LMDB). asw_storage_close must not race with any other call on the store or its handles.
 */
#ifndef AIRSSYS_STORAGE_H
#define AIRSSYS_STORAGE_H

#include "airssys/base.h"
#include "airssys/security.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest namespace (component id) in bytes. */
#define ASW_STORAGE_NS_MAX 128
/* Largest max_key_bytes a store accepts (LMDB's key limit minus the namespace prefix). */
#define ASW_STORAGE_KEY_MAX 256

/* When a committed transaction reaches the disk. */
typedef enum asw_storage_sync {
    ASW_STORAGE_SYNC_FULL = 0, /* fsync every commit: survives power loss (default) */
    ASW_STORAGE_SYNC_META = 1, /* data synced, meta page not: a power loss may undo the last
                                  commit, never corrupts */
    ASW_STORAGE_SYNC_NONE = 2, /* leave it to the OS: survives kill -9, not a power loss */
} asw_storage_sync_t;

/* Options of asw_storage_open. Zero-initialise and set what you need; 0 means the default. */
typedef struct asw_storage_opts {
    uint64_t map_size;        /* initial size of the memory map (the database file's current
                                 limit); 0: 256 MiB */
    uint32_t max_key_bytes;   /* 0: 256 (also the maximum, ASW_STORAGE_KEY_MAX) */
    uint32_t max_value_bytes; /* 0: 1 MiB */
    uint32_t max_readers;     /* concurrent readers (threads reading at once); 0: 256 */
    asw_storage_sync_t sync;  /* default ASW_STORAGE_SYNC_FULL */
    uint64_t map_max_size;    /* ceiling the map grows to when a write finds it full (it
                                 doubles each time); 0: 16 GiB (on 64-bit hosts; 1 GiB
                                 otherwise) or map_size if larger; equal to map_size: the map
                                 never grows */
} asw_storage_opts_t;

typedef struct asw_storage asw_storage_t;
typedef struct asw_storage_ns asw_storage_ns_t;

/*
 * Opens (creating when missing, mode 0700/0600) the store in directory dir. opts (borrowed) may
 * be NULL for the defaults. Stale reader slots left by a killed process are cleared.
 * Returns ASW_OK with an owned store (close with asw_storage_close), ASW_E_INVALID (bad
 * option), ASW_E_IO (the directory or database cannot be opened; message says why),
 * ASW_E_UNSUPPORTED (the directory holds a store of another format version), ASW_E_NOMEM.
 */
ASW_API int asw_storage_open(const char *dir, const asw_storage_opts_t *opts,
                             asw_storage_t **out_st, asw_error_t *out_err);

/* Closes the store. Every namespace handle must be closed first. NULL is fine. */
ASW_API void asw_storage_close(asw_storage_t *st);

/* The options in effect (defaults filled in). */
ASW_API void asw_storage_get_opts(const asw_storage_t *st, asw_storage_opts_t *out_opts);

/* The current size of the memory map in bytes: map_size, or more once it grew. */
ASW_API uint64_t asw_storage_map_size(asw_storage_t *st);

/*
 * Opens a handle on the namespace of component `id` (borrowed, 1..ASW_STORAGE_NS_MAX bytes,
 * any bytes but NUL) with a byte quota (0: unlimited). Nothing is written to the store until the
 * first write. Several handles may name the same namespace. Returns ASW_OK with an owned handle
 * (close with asw_storage_ns_close before closing the store), ASW_E_INVALID, ASW_E_NOMEM.
 */
ASW_API int asw_storage_ns_open(asw_storage_t *st, const char *id, uint64_t quota_bytes,
                                asw_storage_ns_t **out_ns, asw_error_t *out_err);
ASW_API void asw_storage_ns_close(asw_storage_ns_t *ns);

/* Changes the byte quota of this handle (0: unlimited). Usage above a lowered limit is kept;
 * only writes that grow the usage fail until it falls below. Thread-safe. */
ASW_API void asw_storage_ns_set_quota(asw_storage_ns_t *ns, uint64_t quota_bytes);

/* The namespace id of the handle (borrowed; lives as long as ns). */
ASW_API const char *asw_storage_ns_id(const asw_storage_ns_t *ns);

/*
 * Reads the value of key (klen bytes, binary, 1..max_key_bytes) into buf (cap bytes).
 * *out_len (must not be NULL) receives the value's length. Returns ASW_OK (value copied),
 * ASW_E_NOT_FOUND, ASW_E_OVERFLOW (cap too small: nothing copied, *out_len says how much is
 * needed), ASW_E_INVALID (empty key, NULL argument), ASW_E_LIMIT (key too long), ASW_E_BUSY
 * (too many concurrent readers), ASW_E_IO. Borrows everything. Small values (key <= 64,
 * value <= 256 bytes) are kept in a cache of 8 entries per handle (about 2.8 KiB, allocated on
 * the first get) and served from it while no commit since could have changed them -- by this
 * process or any other writing to the store; a get never returns a value older than the last
 * commit that changed its key.
 */
ASW_API int asw_storage_get(asw_storage_ns_t *ns, const void *key, size_t klen, void *buf,
                            size_t cap, size_t *out_len, asw_error_t *out_err);

/*
 * Writes key = value (vlen bytes, 0..max_value_bytes; value may be NULL when vlen is 0),
 * replacing an existing value. Returns ASW_OK once committed (durable per the sync policy),
 * ASW_E_QUOTA (the namespace would exceed its quota; *out_violation, may be NULL, receives
 * kind ASW_QUOTA_STORAGE, current usage, the growth requested and the limit; nothing written),
 * ASW_E_FULL (the map is full at its ceiling map_max_size; nothing written), ASW_E_INVALID,
 * ASW_E_LIMIT (key or value too long), ASW_E_IO. Borrows everything.
 */
ASW_API int asw_storage_set(asw_storage_ns_t *ns, const void *key, size_t klen, const void *value,
                            size_t vlen, asw_quota_violation_t *out_violation,
                            asw_error_t *out_err);

/* Deletes key. Returns ASW_OK once committed, ASW_E_NOT_FOUND (nothing to delete),
 * ASW_E_INVALID, ASW_E_LIMIT, ASW_E_FULL, ASW_E_IO. */
ASW_API int asw_storage_delete(asw_storage_ns_t *ns, const void *key, size_t klen,
                               asw_error_t *out_err);

/* Sets *out_exists. Returns ASW_OK, ASW_E_INVALID, ASW_E_LIMIT, ASW_E_BUSY, ASW_E_IO. */
ASW_API int asw_storage_exists(asw_storage_ns_t *ns, const void *key, size_t klen, bool *out_exists,
                               asw_error_t *out_err);

/* Called once per key by asw_storage_list, in byte order. key is borrowed for the call only.
 * Return nonzero to stop early. The callback must not call into the same store. */
typedef int (*asw_storage_key_fn)(void *ud, const void *key, size_t klen);

/*
 * Lists the keys of the namespace that start with prefix (plen bytes; 0: all keys) and sort
 * strictly after `after` (alen bytes; NULL/0: from the first), at most `limit` keys (0: no
 * limit), calling fn for each. To page, pass the last key seen as `after`. *out_count (may be
 * NULL) receives the number of keys passed to fn; *out_more (may be NULL) is set when keys
 * remain after the last one passed (the limit or fn stopped the scan). The scan reads one
 * consistent snapshot. Returns ASW_OK, ASW_E_INVALID, ASW_E_LIMIT, ASW_E_BUSY, ASW_E_IO.
 */
ASW_API int asw_storage_list(asw_storage_ns_t *ns, const void *prefix, size_t plen,
                             const void *after, size_t alen, size_t limit, asw_storage_key_fn fn,
                             void *ud, size_t *out_count, bool *out_more, asw_error_t *out_err);

/* Usage of a namespace, as stored (exact, counted across restarts). */
typedef struct asw_storage_usage {
    uint64_t bytes; /* sum of key + value lengths */
    uint64_t keys;  /* number of keys */
    uint64_t quota; /* the handle's limit; 0: unlimited */
} asw_storage_usage_t;

/* Reads the usage record. Returns ASW_OK, ASW_E_BUSY, ASW_E_IO. */
ASW_API int asw_storage_usage(asw_storage_ns_t *ns, asw_storage_usage_t *out_usage,
                              asw_error_t *out_err);

/* Deletes every key of the namespace and its usage record (a component uninstalled), in one
 * transaction. *out_deleted (may be NULL) receives the number of keys removed. */
ASW_API int asw_storage_ns_clear(asw_storage_ns_t *ns, uint64_t *out_deleted, asw_error_t *out_err);

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_STORAGE_H */
