/*
 * src/host/storage.c -- the component store (include/airssys/storage.h): one LMDB environment
 * per store directory, one namespace per component, byte quotas that survive restarts.
 *
 * Layout. One unnamed LMDB database holds three kinds of records, told apart by the first byte
 * of the key:
 *   [0x00]                      the format record, value "airssys-storage 1";
 *   [0x00][id]                  the usage record of namespace id: bytes (u64), keys (u64),
 *                               native byte order (an LMDB file is not portable anyway);
 *   [len(id)][id][user key]     an entry of namespace id (1 <= len(id) <= 128).
 * The length prefix makes the encoding injective: "a:" + "b" is 02 'a' ':' 'b' and "a" + ":b"
 * is 01 'a' ':' 'b', so no namespace can read, list or overwrite another's keys. We chose this
 * over one LMDB sub-database per namespace because LMDB's named databases are meant to be few:
 * their number is fixed when the environment opens (mdb_env_set_maxdbs), every mdb_dbi_open
 * searches the open slots linearly and costs per-transaction memory for each slot, and handles
 * opened in a transaction that aborts disappear -- with 10,000 components that is the wrong
 * tool. One database with prefixed keys costs one extra byte per key.
 *
 * Crash safety. Every write is one LMDB write transaction that changes the entry AND the usage
 * record, so after any crash the usage equals the sum of the entries (LMDB commits are atomic:
 * copy-on-write pages, then the meta page). A call returns ASW_OK only after mdb_txn_commit
 * succeeded; the pages are then in the file (or the kernel's page cache under SYNC_NONE), which
 * is what survives kill -9.
 *
 * Threads. The environment is opened with MDB_NOTLS, so a read transaction is not tied to the
 * thread that began it and one thread may hold several. Reads reuse reset transactions from a
 * small lock-free pool (mdb_txn_renew is cheaper than begin: it keeps the reader slot). Every
 * write transaction is begun and committed inside one call on one thread, as LMDB requires;
 * LMDB serialises writers with its own (robust) mutex. LMDB must not open one environment twice
 * in a process (closing one would drop the other's file locks), so open stores are recorded by
 * (device, inode) of their directory and a second open of the same directory is refused with
 * ASW_E_BUSY.
 *
 * Growth. The map starts at map_size. A write transaction that fails with MDB_MAP_FULL is
 * aborted, the map is doubled (up to map_max_size) and the whole operation runs again; at the
 * ceiling the write fails with ASW_E_FULL. LMDB allows mdb_env_set_mapsize on an open
 * environment only while no transaction of this process is active, and does not check it
 * itself: every operation therefore runs its transactions under the read side of map_lock, and
 * a resize takes the write side, so it waits for the live transactions to end and keeps new
 * ones out; the pooled read transactions (reset, but holding a reader slot and the old map's
 * meta pointers) are aborted before the remap. When another process grew the map, LMDB fails a
 * begin with MDB_MAP_RESIZED; the operation then adopts the new size (mdb_env_set_mapsize with
 * 0, under the write side) and runs again. Raw MDB_MAP_FULL / MDB_MAP_RESIZED codes travel
 * from the transaction code up to run(), which is the one place that handles them.
 *
 * Read cache. A get of a small value (key <= RC_KEY_MAX, value <= RC_VAL_MAX bytes) keeps it in
 * a per-handle cache of RC_WAYS entries (allocated on the first get, direct-mapped by key
 * hash, under the handle's mutex), so a component re-reading its keys skips the read
 * transaction and the B-tree search. An entry records, before its read transaction began, the
 * write epoch of its namespace's bucket (every commit of this process bumps the bucket of its
 * namespace, hashed by id, so two handles of one namespace share it) and the count of this
 * process's commits, and then the id of the snapshot it read. It is used only while its bucket's
 * epoch is unchanged and every commit since its snapshot (LMDB's last committed id, read from
 * the meta page, which other processes' commits also advance) is one of this process's own:
 * then nothing committed since could have changed the key. Reading the counters before the
 * snapshot, and bumping them after each commit, errs on the side of a miss; a commit bumps the
 * epoch before the count and a check reads the count before the epoch, so a check that sees a
 * commit's count sees its epoch too. The check runs under the read side of map_lock, like every
 * transaction (the meta pages move on a remap).
 *
 * Not here: capability checks (the host function checks the storage capability before it calls
 * in), transactions spanning several calls, shrinking the map, and LMDB's own allocations (it
 * uses malloc, outside the allocator hook).
 */
#include "airssys/storage.h"

#include "base/base.h"
#include "host/host_int.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define FORMAT_VALUE     "airssys-storage 1"
#define DEFAULT_MAP_SIZE (UINT64_C(256) << 20)
/* Default ceiling of the map: 16 GiB where the address space allows it. */
#define DEFAULT_MAP_MAX (SIZE_MAX > UINT32_MAX ? UINT64_C(16) << 30 : UINT64_C(1) << 30)
/* Most MDB_MAP_RESIZED adoptions one operation retries before giving up. */
#define MAX_ADOPT         8
#define MIN_MAP_SIZE      (UINT64_C(64) << 10)
#define DEFAULT_VALUE_MAX (UINT32_C(1) << 20)
#define VALUE_LIMIT       UINT32_C(0x7fffffff)
#define DEFAULT_READERS   256u
#define POOL_SLOTS        16
/* An encoded key: length byte, namespace, user key. */
#define EKEY_MAX (1 + ASW_STORAGE_NS_MAX + ASW_STORAGE_KEY_MAX)
/* The read cache (see the top of the file). */
#define EPOCHS     64
#define RC_WAYS    8
#define RC_KEY_MAX 64
#define RC_VAL_MAX 256

struct asw_storage {
    MDB_env *env;
    MDB_dbi dbi;
    asw_storage_opts_t opts;
    dev_t dev;
    ino_t ino;
    struct asw_storage *next_open; /* in the process-wide list of open stores */
    size_t pool_slots;
    _Atomic(MDB_txn *) pool[POOL_SLOTS]; /* reset read transactions */
    atomic_size_t live_ns;               /* open namespace handles (checked at close) */
    atomic_uint readers;                 /* read transactions alive (in use or pooled) */
    pthread_rwlock_t map_lock;      /* read side: a transaction may be live; write side: resizing */
    _Atomic uint64_t map_now;       /* the map's size now (written under the write side) */
    bool map_lock_ok;               /* map_lock was initialised */
    _Atomic uint64_t own_commits;   /* write transactions this process committed (or tried) */
    _Atomic uint64_t epoch[EPOCHS]; /* per namespace bucket: bumped after each such commit */
};

typedef struct rc_ent {
    uint64_t txnid, own, epoch; /* the snapshot read, and the counters before it */
    uint32_t vlen;
    uint16_t klen;
    bool used;
    uint8_t key[RC_KEY_MAX];
    uint8_t val[RC_VAL_MAX];
} rc_ent;

struct asw_storage_ns {
    asw_storage_t *st;
    _Atomic uint64_t quota;
    size_t plen;                            /* 1 + id length */
    uint8_t prefix[1 + ASW_STORAGE_NS_MAX]; /* [len][id] */
    uint8_t ukey[1 + ASW_STORAGE_NS_MAX];   /* [0x00][id]: the usage record's key */
    char id[ASW_STORAGE_NS_MAX + 1];
    uint32_t bucket; /* of st->epoch */
    pthread_mutex_t rc_mu;
    bool rc_ok;       /* rc_mu was initialised */
    rc_ent *rc;       /* RC_WAYS entries, allocated on the first get; under rc_mu */
    uint64_t rc_hits; /* under rc_mu; for tests (asw__storage_cache_hits) */
};

typedef struct usage_rec {
    uint64_t bytes, keys;
} usage_rec;

static pthread_mutex_t g_open_lock = PTHREAD_MUTEX_INITIALIZER;
static asw_storage_t *g_open;

/* After a write transaction's commit, done or failed (a failed one only costs misses): what the
 * read caches check (see the top of the file). ns NULL: no namespace's entries changed. */
static void committed(asw_storage_t *st, const asw_storage_ns_t *ns)
{
    if (ns) atomic_fetch_add_explicit(&st->epoch[ns->bucket], 1, memory_order_release);
    atomic_fetch_add_explicit(&st->own_commits, 1, memory_order_release);
}

/* ------------------------------------------------------------------------------------------ */

/* Turns an LMDB (or errno) code into an ASW_E_* code with a message naming the operation. */
static int lmdb_error(asw_error_t *err, int rc, const char *what)
{
    int code;
    switch (rc) {
    case MDB_NOTFOUND: code = ASW_E_NOT_FOUND; break;
    case MDB_MAP_FULL:
        return asw__errorf(err, ASW_E_FULL, "storage: %s: the database is full (map size reached)",
                           what);
    case MDB_TXN_FULL:
        return asw__errorf(err, ASW_E_FULL, "storage: %s: transaction too large", what);
    case MDB_READERS_FULL:
        return asw__errorf(err, ASW_E_BUSY, "storage: %s: too many concurrent readers", what);
    case MDB_BAD_VALSIZE: code = ASW_E_LIMIT; break;
    case ENOMEM: code = ASW_E_NOMEM; break;
    default: code = ASW_E_IO; break;
    }
    return asw__errorf(err, code, "storage: %s: %s", what, mdb_strerror(rc));
}

/* As lmdb_error, but passes MDB_MAP_FULL and MDB_MAP_RESIZED up unconverted: run() grows the
 * map or adopts its new size and runs the operation again. */
static int lmdb_fail(asw_error_t *err, int rc, const char *what)
{
    if (rc == MDB_MAP_FULL || rc == MDB_MAP_RESIZED) return rc;
    return lmdb_error(err, rc, what);
}

static int get_rtxn(asw_storage_t *st, MDB_txn **out, asw_error_t *err)
{
    for (size_t i = 0; i < st->pool_slots; i++) {
        MDB_txn *t = atomic_exchange_explicit(&st->pool[i], NULL, memory_order_acquire);
        if (!t) continue;
        if (mdb_txn_renew(t) == 0) {
            *out = t;
            return ASW_OK;
        }
        mdb_txn_abort(t);
        atomic_fetch_sub(&st->readers, 1);
    }
    /* LMDB rounds its reader table up to whole pages; counting here makes max_readers exact. */
    if (atomic_fetch_add(&st->readers, 1) >= st->opts.max_readers) {
        atomic_fetch_sub(&st->readers, 1);
        return asw__errorf(err, ASW_E_BUSY, "storage: too many concurrent readers (max %u)",
                           (unsigned)st->opts.max_readers);
    }
    int rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, out);
    if (rc) {
        atomic_fetch_sub(&st->readers, 1);
        return lmdb_fail(err, rc, "begin read");
    }
    return ASW_OK;
}

static void put_rtxn(asw_storage_t *st, MDB_txn *t)
{
    mdb_txn_reset(t);
    for (size_t i = 0; i < st->pool_slots; i++) {
        MDB_txn *expected = NULL;
        if (atomic_compare_exchange_strong_explicit(&st->pool[i], &expected, t,
                                                    memory_order_release, memory_order_relaxed))
            return;
    }
    mdb_txn_abort(t);
    atomic_fetch_sub(&st->readers, 1);
}

/* Aborts the pooled read transactions. Caller holds the write side of map_lock. */
static void drain_pool(asw_storage_t *st)
{
    for (size_t i = 0; i < POOL_SLOTS; i++) {
        MDB_txn *t = atomic_exchange(&st->pool[i], NULL);
        if (!t) continue;
        mdb_txn_abort(t);
        atomic_fetch_sub(&st->readers, 1);
    }
}

/* Sets the map size (0: adopt the size another process set) and records the size in effect.
 * Caller holds the write side of map_lock. */
static int set_map(asw_storage_t *st, uint64_t size, asw_error_t *err)
{
    drain_pool(st);
    int mrc = mdb_env_set_mapsize(st->env, (size_t)size);
    if (mrc) return lmdb_error(err, mrc, "resize the map");
    MDB_envinfo info;
    if (mdb_env_info(st->env, &info) == 0) size = info.me_mapsize;
    atomic_store(&st->map_now, size);
    return ASW_OK;
}

/* A write found the map of `seen` bytes full: doubles it up to the ceiling (unless another
 * thread grew it meanwhile). ASW_E_FULL at the ceiling. */
static int grow(asw_storage_t *st, uint64_t seen, asw_error_t *err)
{
    int rc = ASW_OK;
    pthread_rwlock_wrlock(&st->map_lock);
    uint64_t cur = atomic_load(&st->map_now), max = st->opts.map_max_size;
    if (cur == seen) {
        if (cur >= max)
            rc = asw__errorf(err, ASW_E_FULL,
                             "storage: the database is full (the map reached its ceiling of "
                             "%llu bytes)",
                             (unsigned long long)max);
        else
            rc = set_map(st, cur > max / 2 ? max : cur * 2, err);
    }
    pthread_rwlock_unlock(&st->map_lock);
    return rc;
}

/* Another process grew the map: adopt its size. */
static int adopt(asw_storage_t *st, asw_error_t *err)
{
    pthread_rwlock_wrlock(&st->map_lock);
    int rc = set_map(st, 0, err);
    pthread_rwlock_unlock(&st->map_lock);
    return rc;
}

/* One operation: runs its transactions and returns ASW_OK, an ASW_E_* code, or a raw
 * MDB_MAP_FULL / MDB_MAP_RESIZED (after aborting everything it began). */
typedef int (*op_fn)(void *ctx, asw_error_t *err);

/* Runs op under the read side of map_lock; grows the map or adopts a new size and runs it again
 * when it reports so. The only caller of grow() and adopt(). */
static int run(asw_storage_t *st, op_fn op, void *ctx, asw_error_t *err)
{
    for (int adopted = 0;;) {
        pthread_rwlock_rdlock(&st->map_lock);
        uint64_t seen = atomic_load(&st->map_now);
        int rc = op(ctx, err);
        pthread_rwlock_unlock(&st->map_lock);
        if (rc == MDB_MAP_FULL) {
            if ((rc = grow(st, seen, err))) return rc;
        } else if (rc == MDB_MAP_RESIZED) {
            if (++adopted > MAX_ADOPT) return lmdb_error(err, rc, "map resized by another process");
            if ((rc = adopt(st, err))) return rc;
        } else {
            return rc;
        }
    }
}

/* Checks a user key (or prefix when allow_empty) and builds [len][id][key] into buf. */
static int encode_key(const asw_storage_ns_t *ns, const void *key, size_t klen, bool allow_empty,
                      uint8_t buf[EKEY_MAX], MDB_val *out, asw_error_t *err)
{
    if (klen == 0 && !allow_empty) return asw__errorf(err, ASW_E_INVALID, "storage: empty key");
    if (klen > 0 && !key) return asw__errorf(err, ASW_E_INVALID, "storage: NULL key");
    if (klen > ns->st->opts.max_key_bytes)
        return asw__errorf(err, ASW_E_LIMIT, "storage: key of %zu bytes exceeds the limit of %u",
                           klen, (unsigned)ns->st->opts.max_key_bytes);
    memcpy(buf, ns->prefix, ns->plen);
    if (klen) memcpy(buf + ns->plen, key, klen);
    out->mv_data = buf;
    out->mv_size = ns->plen + klen;
    return ASW_OK;
}

static int read_usage(const asw_storage_ns_t *ns, MDB_txn *txn, usage_rec *out, asw_error_t *err)
{
    MDB_val k = {ns->plen, (void *)ns->ukey}, v;
    int rc = mdb_get(txn, ns->st->dbi, &k, &v);
    if (rc == MDB_NOTFOUND) {
        out->bytes = out->keys = 0;
        return ASW_OK;
    }
    if (rc) return lmdb_error(err, rc, "read usage");
    if (v.mv_size != sizeof *out)
        return asw__errorf(err, ASW_E_IO, "storage: namespace '%s': corrupt usage record", ns->id);
    memcpy(out, v.mv_data, sizeof *out);
    return ASW_OK;
}

static int write_usage(const asw_storage_ns_t *ns, MDB_txn *txn, const usage_rec *u,
                       asw_error_t *err)
{
    MDB_val k = {ns->plen, (void *)ns->ukey};
    int rc;
    if (u->keys == 0) {
        rc = mdb_del(txn, ns->st->dbi, &k, NULL);
        if (rc == MDB_NOTFOUND) rc = 0;
    } else {
        MDB_val v = {sizeof *u, (void *)u};
        rc = mdb_put(txn, ns->st->dbi, &k, &v, 0);
    }
    return rc ? lmdb_fail(err, rc, "write usage") : ASW_OK;
}

/* ------------------------------------------------------------------------------------------ */

static int check_opts(const asw_storage_opts_t *in, asw_storage_opts_t *o, asw_error_t *err)
{
    memset(o, 0, sizeof *o);
    if (in) *o = *in;
    if (!o->map_size) o->map_size = DEFAULT_MAP_SIZE;
    if (!o->max_key_bytes) o->max_key_bytes = ASW_STORAGE_KEY_MAX;
    if (!o->max_value_bytes) o->max_value_bytes = DEFAULT_VALUE_MAX;
    if (!o->max_readers) o->max_readers = DEFAULT_READERS;
    if (o->map_size < MIN_MAP_SIZE || o->map_size > SIZE_MAX / 2)
        return asw__errorf(err, ASW_E_INVALID, "storage: map size %llu out of range (min %llu)",
                           (unsigned long long)o->map_size, (unsigned long long)MIN_MAP_SIZE);
    if (!o->map_max_size)
        o->map_max_size = o->map_size > DEFAULT_MAP_MAX ? o->map_size : DEFAULT_MAP_MAX;
    if (o->map_max_size < o->map_size || o->map_max_size > SIZE_MAX / 2)
        return asw__errorf(err, ASW_E_INVALID,
                           "storage: map ceiling %llu must be at least the map size %llu and at "
                           "most %llu",
                           (unsigned long long)o->map_max_size, (unsigned long long)o->map_size,
                           (unsigned long long)(SIZE_MAX / 2));
    if (o->max_key_bytes > ASW_STORAGE_KEY_MAX)
        return asw__errorf(err, ASW_E_INVALID, "storage: max_key_bytes %u exceeds %d",
                           (unsigned)o->max_key_bytes, ASW_STORAGE_KEY_MAX);
    if (o->max_value_bytes > VALUE_LIMIT || o->max_value_bytes >= o->map_size)
        return asw__errorf(err, ASW_E_INVALID,
                           "storage: max_value_bytes %u must be below the map size and 2 GiB",
                           (unsigned)o->max_value_bytes);
    if (o->max_readers > 65536)
        return asw__errorf(err, ASW_E_INVALID, "storage: max_readers %u exceeds 65536",
                           (unsigned)o->max_readers);
    if (o->sync != ASW_STORAGE_SYNC_FULL && o->sync != ASW_STORAGE_SYNC_META &&
        o->sync != ASW_STORAGE_SYNC_NONE)
        return asw__errorf(err, ASW_E_INVALID, "storage: unknown sync policy %d", (int)o->sync);
    return ASW_OK;
}

/* Opens the database and checks (or, in a new store, writes) the format record. */
static int open_db(asw_storage_t *st, asw_error_t *err)
{
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(st->env, NULL, 0, &txn);
    if (rc) return lmdb_error(err, rc, "begin");
    rc = mdb_dbi_open(txn, NULL, 0, &st->dbi);
    if (rc) {
        rc = lmdb_error(err, rc, "open database");
        goto fail;
    }
    uint8_t fk = 0;
    MDB_val k = {1, &fk}, v;
    rc = mdb_get(txn, st->dbi, &k, &v);
    if (rc == MDB_NOTFOUND) {
        v.mv_data = (void *)FORMAT_VALUE;
        v.mv_size = sizeof FORMAT_VALUE - 1;
        rc = mdb_put(txn, st->dbi, &k, &v, 0);
        if (rc) {
            rc = lmdb_error(err, rc, "write format record");
            goto fail;
        }
    } else if (rc) {
        rc = lmdb_error(err, rc, "read format record");
        goto fail;
    } else if (v.mv_size != sizeof FORMAT_VALUE - 1 ||
               memcmp(v.mv_data, FORMAT_VALUE, v.mv_size) != 0) {
        rc = asw__errorf(err, ASW_E_UNSUPPORTED,
                         "storage: the directory holds a store of another format (expected '%s')",
                         FORMAT_VALUE);
        goto fail;
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    committed(st, NULL);
    if (rc) return lmdb_error(err, rc, "commit");
    return ASW_OK;
fail:
    if (txn) mdb_txn_abort(txn);
    return rc;
}

ASW_API int asw_storage_open(const char *dir, const asw_storage_opts_t *opts,
                             asw_storage_t **out_st, asw_error_t *out_err)
{
    if (!out_st) return asw__errorf(out_err, ASW_E_INVALID, "storage: NULL out_st");
    *out_st = NULL;
    if (!dir || !*dir) return asw__errorf(out_err, ASW_E_INVALID, "storage: no directory given");
    asw_storage_opts_t o;
    int rc = check_opts(opts, &o, out_err);
    if (rc) return rc;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return asw__errorf(out_err, ASW_E_IO, "storage: cannot create '%s': %s", dir,
                           strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return asw__errorf(out_err, ASW_E_IO, "storage: '%s': %s", dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return asw__errorf(out_err, ASW_E_IO, "storage: '%s' is not a directory", dir);

    asw_storage_t *st = asw__calloc(1, sizeof *st);
    if (!st) return asw__errorf(out_err, ASW_E_NOMEM, "storage: out of memory");
    st->opts = o;
    st->dev = sb.st_dev;
    st->ino = sb.st_ino;
    st->pool_slots = o.max_readers / 2 < POOL_SLOTS ? o.max_readers / 2 : POOL_SLOTS;
    for (size_t i = 0; i < POOL_SLOTS; i++)
        atomic_init(&st->pool[i], NULL);
    atomic_init(&st->live_ns, 0);
    atomic_init(&st->readers, 0);
    atomic_init(&st->map_now, o.map_size);
    if (pthread_rwlock_init(&st->map_lock, NULL)) {
        asw__free(st);
        return asw__errorf(out_err, ASW_E_NOMEM, "storage: cannot create a lock");
    }
    st->map_lock_ok = true;

    bool registered = false;
    pthread_mutex_lock(&g_open_lock);
    for (asw_storage_t *p = g_open; p; p = p->next_open) {
        if (p->dev == st->dev && p->ino == st->ino) {
            pthread_mutex_unlock(&g_open_lock);
            rc = asw__errorf(out_err, ASW_E_BUSY, "storage: '%s' is already open in this process",
                             dir);
            goto fail;
        }
    }
    st->next_open = g_open;
    g_open = st;
    registered = true;
    pthread_mutex_unlock(&g_open_lock);

    int mrc = mdb_env_create(&st->env);
    if (mrc) {
        st->env = NULL;
        rc = lmdb_error(out_err, mrc, "create environment");
        goto fail;
    }
    unsigned flags = MDB_NOTLS | MDB_NORDAHEAD;
    if (o.sync == ASW_STORAGE_SYNC_META) flags |= MDB_NOMETASYNC;
    if (o.sync == ASW_STORAGE_SYNC_NONE) flags |= MDB_NOSYNC;
    if ((mrc = mdb_env_set_mapsize(st->env, (size_t)o.map_size)) != 0 ||
        (mrc = mdb_env_set_maxreaders(st->env, o.max_readers)) != 0) {
        rc = lmdb_error(out_err, mrc, "configure");
        goto fail;
    }
    mrc = mdb_env_open(st->env, dir, flags, 0600);
    if (mrc) {
        rc = asw__errorf(out_err, mrc == ENOMEM ? ASW_E_NOMEM : ASW_E_IO,
                         "storage: cannot open '%s': %s", dir, mdb_strerror(mrc));
        goto fail;
    }
    ASW_ASSERT((size_t)mdb_env_get_maxkeysize(st->env) >= EKEY_MAX);
    MDB_envinfo info;
    if (mdb_env_info(st->env, &info) == 0) atomic_store(&st->map_now, info.me_mapsize);
    int dead = 0;
    mdb_reader_check(st->env, &dead); /* slots of killed processes; failure is harmless */
    rc = open_db(st, out_err);
    if (rc) {
        asw__error_prefix(out_err, "'%s': ", dir);
        goto fail;
    }
    *out_st = st;
    return ASW_OK;
fail:
    if (st->env) mdb_env_close(st->env);
    if (registered) {
        pthread_mutex_lock(&g_open_lock);
        for (asw_storage_t **pp = &g_open; *pp; pp = &(*pp)->next_open) {
            if (*pp == st) {
                *pp = st->next_open;
                break;
            }
        }
        pthread_mutex_unlock(&g_open_lock);
    }
    if (st->map_lock_ok) pthread_rwlock_destroy(&st->map_lock);
    asw__free(st);
    return rc;
}

ASW_API void asw_storage_close(asw_storage_t *st)
{
    if (!st) return;
    ASW_ASSERT(atomic_load(&st->live_ns) == 0);
    for (size_t i = 0; i < POOL_SLOTS; i++) {
        MDB_txn *t = atomic_exchange(&st->pool[i], NULL);
        if (t) mdb_txn_abort(t);
    }
    mdb_env_close(st->env);
    pthread_mutex_lock(&g_open_lock);
    for (asw_storage_t **pp = &g_open; *pp; pp = &(*pp)->next_open) {
        if (*pp == st) {
            *pp = st->next_open;
            break;
        }
    }
    pthread_mutex_unlock(&g_open_lock);
    pthread_rwlock_destroy(&st->map_lock);
    asw__free(st);
}

ASW_API void asw_storage_get_opts(const asw_storage_t *st, asw_storage_opts_t *out_opts)
{
    if (st && out_opts) *out_opts = st->opts;
}

ASW_API uint64_t asw_storage_map_size(asw_storage_t *st)
{
    return st ? atomic_load(&st->map_now) : 0;
}

/* ------------------------------------------------------------------------------------------ */

uint64_t asw__storage_cache_hits(asw_storage_ns_t *ns)
{
    if (!ns || !ns->rc_ok) return 0;
    pthread_mutex_lock(&ns->rc_mu);
    uint64_t n = ns->rc_hits;
    pthread_mutex_unlock(&ns->rc_mu);
    return n;
}

ASW_API int asw_storage_ns_open(asw_storage_t *st, const char *id, uint64_t quota_bytes,
                                asw_storage_ns_t **out_ns, asw_error_t *out_err)
{
    if (!out_ns) return asw__errorf(out_err, ASW_E_INVALID, "storage: NULL out_ns");
    *out_ns = NULL;
    if (!st || !id) return asw__errorf(out_err, ASW_E_INVALID, "storage: NULL store or id");
    size_t n = strnlen(id, ASW_STORAGE_NS_MAX + 1);
    if (n == 0) return asw__errorf(out_err, ASW_E_INVALID, "storage: empty namespace id");
    if (n > ASW_STORAGE_NS_MAX)
        return asw__errorf(out_err, ASW_E_LIMIT, "storage: namespace id longer than %d bytes",
                           ASW_STORAGE_NS_MAX);
    asw_storage_ns_t *ns = asw__calloc(1, sizeof *ns);
    if (!ns) return asw__errorf(out_err, ASW_E_NOMEM, "storage: out of memory");
    ns->st = st;
    atomic_init(&ns->quota, quota_bytes);
    ns->plen = 1 + n;
    ns->prefix[0] = (uint8_t)n;
    memcpy(ns->prefix + 1, id, n);
    ns->ukey[0] = 0;
    memcpy(ns->ukey + 1, id, n);
    memcpy(ns->id, id, n);
    ns->id[n] = '\0';
    ns->bucket = asw__fnv1a(ASW__FNV_BASIS, id, n) % EPOCHS;
    ns->rc_ok = pthread_mutex_init(&ns->rc_mu, NULL) == 0; /* else: no read cache */
    atomic_fetch_add(&st->live_ns, 1);
    *out_ns = ns;
    return ASW_OK;
}

ASW_API void asw_storage_ns_close(asw_storage_ns_t *ns)
{
    if (!ns) return;
    atomic_fetch_sub(&ns->st->live_ns, 1);
    if (ns->rc_ok) pthread_mutex_destroy(&ns->rc_mu);
    asw__free(ns->rc);
    asw__free(ns);
}

ASW_API void asw_storage_ns_set_quota(asw_storage_ns_t *ns, uint64_t quota_bytes)
{
    if (ns) atomic_store(&ns->quota, quota_bytes);
}

ASW_API const char *asw_storage_ns_id(const asw_storage_ns_t *ns)
{
    return ns ? ns->id : "";
}

/* ------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------ */
/* Operations. Each public function checks its arguments, then run()s a static *_op with its
 * arguments in a context struct; an op begins and ends every transaction it uses. */

typedef struct get_ctx {
    asw_storage_ns_t *ns;
    MDB_val k;
    void *buf;
    size_t cap, *out_len;
    const void *key; /* the user key, for the read cache */
    size_t klen;
} get_ctx;

/* Copies a found value of vlen bytes out (or fails with ASW_E_OVERFLOW). */
static int deliver(get_ctx *c, const void *v, size_t vlen, asw_error_t *err)
{
    *c->out_len = vlen;
    if (vlen > c->cap)
        return asw__errorf(err, ASW_E_OVERFLOW,
                           "storage: value of %zu bytes does not fit a buffer of %zu", vlen,
                           c->cap);
    if (vlen) memcpy(c->buf, v, vlen);
    return ASW_OK;
}

/* Serves c from the read cache if its entry is still valid; true with *out_rc set on a hit. */
static bool cache_get(get_ctx *c, uint32_t way, int *out_rc, asw_error_t *err)
{
    asw_storage_ns_t *ns = c->ns;
    asw_storage_t *st = ns->st;
    bool hit = false;
    pthread_mutex_lock(&ns->rc_mu);
    rc_ent *e = ns->rc ? &ns->rc[way] : NULL;
    if (e && e->used && e->klen == c->klen && memcmp(e->key, c->key, c->klen) == 0) {
        /* In the reverse order of committed()'s bumps (epoch, then own), then the last
         * committed id; acquire keeps the order. So a check that sees a commit's count sees its
         * epoch too, and never answers with a value older than a commit it has seen. */
        uint64_t own = atomic_load_explicit(&st->own_commits, memory_order_acquire);
        uint64_t ep = atomic_load_explicit(&st->epoch[ns->bucket], memory_order_acquire);
        MDB_envinfo info;
        if (ep == e->epoch && mdb_env_info(st->env, &info) == 0 &&
            (uint64_t)info.me_last_txnid - e->txnid == own - e->own) {
            hit = true;
            ns->rc_hits++;
            *out_rc = deliver(c, e->val, e->vlen, err);
        }
    }
    pthread_mutex_unlock(&ns->rc_mu);
    return hit;
}

static void cache_put(get_ctx *c, uint32_t way, uint64_t txnid, uint64_t own, uint64_t ep,
                      const MDB_val *v)
{
    asw_storage_ns_t *ns = c->ns;
    pthread_mutex_lock(&ns->rc_mu);
    if (!ns->rc) ns->rc = asw__calloc(RC_WAYS, sizeof *ns->rc); /* none: no caching */
    if (ns->rc) {
        rc_ent *e = &ns->rc[way];
        e->txnid = txnid;
        e->own = own;
        e->epoch = ep;
        e->klen = (uint16_t)c->klen;
        e->vlen = (uint32_t)v->mv_size;
        memcpy(e->key, c->key, c->klen);
        if (v->mv_size) memcpy(e->val, v->mv_data, v->mv_size);
        e->used = true;
    }
    pthread_mutex_unlock(&ns->rc_mu);
}

static int get_op(void *ctx, asw_error_t *err)
{
    get_ctx *c = ctx;
    asw_storage_ns_t *ns = c->ns;
    bool cacheable = ns->rc_ok && c->klen <= RC_KEY_MAX;
    uint32_t way = cacheable ? asw__fnv1a(ASW__FNV_BASIS, c->key, c->klen) % RC_WAYS : 0;
    int rc;
    if (cacheable && cache_get(c, way, &rc, err)) return rc;
    /* Read before the snapshot: a commit between the two makes the entry miss, never lie. */
    uint64_t own = atomic_load_explicit(&ns->st->own_commits, memory_order_acquire);
    uint64_t ep = atomic_load_explicit(&ns->st->epoch[ns->bucket], memory_order_acquire);
    MDB_txn *txn;
    MDB_val v;
    rc = get_rtxn(ns->st, &txn, err);
    if (rc) return rc;
    int mrc = mdb_get(txn, ns->st->dbi, &c->k, &v);
    if (mrc == MDB_NOTFOUND) {
        rc = asw__errorf(err, ASW_E_NOT_FOUND, "storage: key not found in namespace '%s'", ns->id);
    } else if (mrc) {
        rc = lmdb_error(err, mrc, "get");
    } else {
        rc = deliver(c, v.mv_data, v.mv_size, err);
        if (cacheable && v.mv_size <= RC_VAL_MAX) cache_put(c, way, mdb_txn_id(txn), own, ep, &v);
    }
    put_rtxn(ns->st, txn);
    return rc;
}

ASW_API int asw_storage_get(asw_storage_ns_t *ns, const void *key, size_t klen, void *buf,
                            size_t cap, size_t *out_len, asw_error_t *out_err)
{
    if (!ns || !out_len || (cap && !buf))
        return asw__errorf(out_err, ASW_E_INVALID, "storage: get: NULL argument");
    *out_len = 0;
    uint8_t kb[EKEY_MAX];
    get_ctx c = {ns, {0, NULL}, buf, cap, out_len, key, klen};
    int rc = encode_key(ns, key, klen, false, kb, &c.k, out_err);
    if (rc) return rc;
    return run(ns->st, get_op, &c, out_err);
}

typedef struct exists_ctx {
    asw_storage_ns_t *ns;
    MDB_val k;
    bool *out;
} exists_ctx;

static int exists_op(void *ctx, asw_error_t *err)
{
    exists_ctx *c = ctx;
    MDB_txn *txn;
    MDB_val v;
    int rc = get_rtxn(c->ns->st, &txn, err);
    if (rc) return rc;
    int mrc = mdb_get(txn, c->ns->st->dbi, &c->k, &v);
    if (mrc == 0)
        *c->out = true;
    else if (mrc != MDB_NOTFOUND)
        rc = lmdb_error(err, mrc, "exists");
    put_rtxn(c->ns->st, txn);
    return rc;
}

ASW_API int asw_storage_exists(asw_storage_ns_t *ns, const void *key, size_t klen, bool *out_exists,
                               asw_error_t *out_err)
{
    if (!ns || !out_exists)
        return asw__errorf(out_err, ASW_E_INVALID, "storage: exists: NULL argument");
    *out_exists = false;
    uint8_t kb[EKEY_MAX];
    exists_ctx c = {ns, {0, NULL}, out_exists};
    int rc = encode_key(ns, key, klen, false, kb, &c.k, out_err);
    if (rc) return rc;
    return run(ns->st, exists_op, &c, out_err);
}

typedef struct set_ctx {
    asw_storage_ns_t *ns;
    MDB_val k;
    size_t klen;
    const void *value;
    size_t vlen;
    asw_quota_violation_t *out_violation;
} set_ctx;

static int set_op(void *ctx, asw_error_t *err)
{
    set_ctx *c = ctx;
    asw_storage_ns_t *ns = c->ns;
    MDB_txn *txn = NULL;
    MDB_val v, old;
    int mrc = mdb_txn_begin(ns->st->env, NULL, 0, &txn);
    if (mrc) return lmdb_fail(err, mrc, "begin write");
    usage_rec u = {0};
    int rc = read_usage(ns, txn, &u, err);
    if (rc) goto fail;
    uint64_t old_size = 0;
    bool existed = false;
    mrc = mdb_get(txn, ns->st->dbi, &c->k, &old);
    if (mrc == 0) {
        existed = true;
        old_size = (uint64_t)c->klen + old.mv_size;
    } else if (mrc != MDB_NOTFOUND) {
        rc = lmdb_error(err, mrc, "set");
        goto fail;
    }
    uint64_t new_size = (uint64_t)c->klen + c->vlen;
    uint64_t quota = atomic_load_explicit(&ns->quota, memory_order_relaxed);
    if (new_size > old_size && quota) {
        uint64_t grow_by = new_size - old_size;
        if (u.bytes > quota || grow_by > quota - u.bytes) {
            if (c->out_violation) {
                c->out_violation->kind = ASW_QUOTA_STORAGE;
                c->out_violation->current = u.bytes;
                c->out_violation->requested = grow_by;
                c->out_violation->limit = quota;
            }
            rc = asw__errorf(err, ASW_E_QUOTA,
                             "storage quota exceeded: namespace '%s' uses %llu bytes, the write "
                             "needs %llu more, the limit is %llu",
                             ns->id, (unsigned long long)u.bytes, (unsigned long long)grow_by,
                             (unsigned long long)quota);
            goto fail;
        }
    }
    v.mv_size = c->vlen;
    v.mv_data = (void *)(c->vlen ? c->value : "");
    mrc = mdb_put(txn, ns->st->dbi, &c->k, &v, 0);
    if (mrc) {
        rc = lmdb_fail(err, mrc, "set");
        goto fail;
    }
    u.bytes = u.bytes - old_size + new_size;
    if (!existed) u.keys++;
    rc = write_usage(ns, txn, &u, err);
    if (rc) goto fail;
    mrc = mdb_txn_commit(txn); /* frees txn, also on failure */
    committed(ns->st, ns);
    return mrc ? lmdb_fail(err, mrc, "commit") : ASW_OK;
fail:
    mdb_txn_abort(txn);
    return rc;
}

ASW_API int asw_storage_set(asw_storage_ns_t *ns, const void *key, size_t klen, const void *value,
                            size_t vlen, asw_quota_violation_t *out_violation, asw_error_t *out_err)
{
    if (!ns || (vlen && !value))
        return asw__errorf(out_err, ASW_E_INVALID, "storage: set: NULL argument");
    uint8_t kb[EKEY_MAX];
    set_ctx c = {ns, {0, NULL}, klen, value, vlen, out_violation};
    int rc = encode_key(ns, key, klen, false, kb, &c.k, out_err);
    if (rc) return rc;
    if (vlen > ns->st->opts.max_value_bytes)
        return asw__errorf(out_err, ASW_E_LIMIT,
                           "storage: value of %zu bytes exceeds the limit of %u", vlen,
                           (unsigned)ns->st->opts.max_value_bytes);
    return run(ns->st, set_op, &c, out_err);
}

typedef struct del_ctx {
    asw_storage_ns_t *ns;
    MDB_val k;
    size_t klen;
} del_ctx;

static int delete_op(void *ctx, asw_error_t *err)
{
    del_ctx *c = ctx;
    asw_storage_ns_t *ns = c->ns;
    MDB_txn *txn = NULL;
    MDB_val old;
    int rc;
    int mrc = mdb_txn_begin(ns->st->env, NULL, 0, &txn);
    if (mrc) return lmdb_fail(err, mrc, "begin write");
    mrc = mdb_get(txn, ns->st->dbi, &c->k, &old);
    if (mrc == MDB_NOTFOUND) {
        rc = asw__errorf(err, ASW_E_NOT_FOUND, "storage: key not found in namespace '%s'", ns->id);
        goto fail;
    }
    if (mrc) {
        rc = lmdb_error(err, mrc, "delete");
        goto fail;
    }
    uint64_t old_size = (uint64_t)c->klen + old.mv_size;
    usage_rec u = {0};
    rc = read_usage(ns, txn, &u, err);
    if (rc) goto fail;
    mrc = mdb_del(txn, ns->st->dbi, &c->k, NULL);
    if (mrc) {
        rc = lmdb_fail(err, mrc, "delete");
        goto fail;
    }
    /* The usage record is the sum of the entries; a mismatch means a corrupt file. */
    if (u.bytes < old_size || u.keys == 0) {
        rc = asw__errorf(err, ASW_E_IO, "storage: namespace '%s': usage record is corrupt", ns->id);
        goto fail;
    }
    u.bytes -= old_size;
    u.keys--;
    rc = write_usage(ns, txn, &u, err);
    if (rc) goto fail;
    mrc = mdb_txn_commit(txn);
    committed(ns->st, ns);
    return mrc ? lmdb_fail(err, mrc, "commit") : ASW_OK;
fail:
    mdb_txn_abort(txn);
    return rc;
}

ASW_API int asw_storage_delete(asw_storage_ns_t *ns, const void *key, size_t klen,
                               asw_error_t *out_err)
{
    if (!ns) return asw__errorf(out_err, ASW_E_INVALID, "storage: delete: NULL namespace");
    uint8_t kb[EKEY_MAX];
    del_ctx c = {ns, {0, NULL}, klen};
    int rc = encode_key(ns, key, klen, false, kb, &c.k, out_err);
    if (rc) return rc;
    return run(ns->st, delete_op, &c, out_err);
}

/* Byte-wise order of two strings, shorter first on a common prefix (LMDB's default order). */
static int key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

typedef struct list_ctx {
    asw_storage_ns_t *ns;
    MDB_val pk, k;
    bool skip_equal;
    size_t limit;
    asw_storage_key_fn fn;
    void *ud;
    size_t *out_count;
    bool *out_more;
} list_ctx;

static int list_op(void *ctx, asw_error_t *err)
{
    list_ctx *c = ctx;
    asw_storage_ns_t *ns = c->ns;
    MDB_txn *txn;
    MDB_val k = c->k, v;
    int rc = get_rtxn(ns->st, &txn, err);
    if (rc) return rc;
    MDB_cursor *cur = NULL;
    int mrc = mdb_cursor_open(txn, ns->st->dbi, &cur);
    if (mrc) {
        rc = lmdb_error(err, mrc, "list");
        goto done;
    }
    size_t count = 0;
    bool stopped = false;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (mrc == 0 && c->skip_equal && key_cmp(k.mv_data, k.mv_size, c->k.mv_data, c->k.mv_size) == 0)
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    for (; mrc == 0; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < c->pk.mv_size || memcmp(k.mv_data, c->pk.mv_data, c->pk.mv_size) != 0)
            break;
        if (stopped || (c->limit && count == c->limit)) {
            if (c->out_more) *c->out_more = true;
            break;
        }
        count++;
        if (c->fn(c->ud, (const uint8_t *)k.mv_data + ns->plen, k.mv_size - ns->plen))
            stopped = true;
    }
    if (mrc && mrc != MDB_NOTFOUND) rc = lmdb_error(err, mrc, "list");
    if (c->out_count) *c->out_count = count;
done:
    if (cur) mdb_cursor_close(cur);
    put_rtxn(ns->st, txn);
    return rc;
}

ASW_API int asw_storage_list(asw_storage_ns_t *ns, const void *prefix, size_t plen,
                             const void *after, size_t alen, size_t limit, asw_storage_key_fn fn,
                             void *ud, size_t *out_count, bool *out_more, asw_error_t *out_err)
{
    if (out_count) *out_count = 0;
    if (out_more) *out_more = false;
    if (!ns || !fn || (alen && !after))
        return asw__errorf(out_err, ASW_E_INVALID, "storage: list: NULL argument");
    uint8_t pb[EKEY_MAX], sb[EKEY_MAX];
    list_ctx c = {ns, {0, NULL}, {0, NULL}, false, limit, fn, ud, out_count, out_more};
    int rc = encode_key(ns, prefix, plen, true, pb, &c.pk, out_err);
    if (rc) return rc;
    if (alen && key_cmp(after, alen, plen ? prefix : "", plen) >= 0) {
        rc = encode_key(ns, after, alen, false, sb, &c.k, out_err);
        if (rc) return rc;
        c.skip_equal = true;
    } else {
        c.k = c.pk;
    }
    return run(ns->st, list_op, &c, out_err);
}

typedef struct usage_ctx {
    asw_storage_ns_t *ns;
    usage_rec u;
} usage_ctx;

static int usage_op(void *ctx, asw_error_t *err)
{
    usage_ctx *c = ctx;
    MDB_txn *txn;
    int rc = get_rtxn(c->ns->st, &txn, err);
    if (rc) return rc;
    rc = read_usage(c->ns, txn, &c->u, err);
    put_rtxn(c->ns->st, txn);
    return rc;
}

ASW_API int asw_storage_usage(asw_storage_ns_t *ns, asw_storage_usage_t *out_usage,
                              asw_error_t *out_err)
{
    if (!ns || !out_usage)
        return asw__errorf(out_err, ASW_E_INVALID, "storage: usage: NULL argument");
    memset(out_usage, 0, sizeof *out_usage);
    out_usage->quota = atomic_load_explicit(&ns->quota, memory_order_relaxed);
    usage_ctx c = {ns, {0, 0}};
    int rc = run(ns->st, usage_op, &c, out_err);
    if (rc) return rc;
    out_usage->bytes = c.u.bytes;
    out_usage->keys = c.u.keys;
    return ASW_OK;
}

typedef struct clear_ctx {
    asw_storage_ns_t *ns;
    uint64_t deleted;
} clear_ctx;

static int clear_op(void *ctx, asw_error_t *err)
{
    clear_ctx *c = ctx;
    asw_storage_ns_t *ns = c->ns;
    MDB_txn *txn = NULL;
    MDB_cursor *cur = NULL;
    uint64_t n = 0;
    int rc = ASW_OK;
    int mrc = mdb_txn_begin(ns->st->env, NULL, 0, &txn);
    if (mrc) return lmdb_fail(err, mrc, "begin write");
    mrc = mdb_cursor_open(txn, ns->st->dbi, &cur);
    if (mrc) {
        rc = lmdb_error(err, mrc, "clear");
        goto fail;
    }
    MDB_val k = {ns->plen, ns->prefix}, v;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < ns->plen || memcmp(k.mv_data, ns->prefix, ns->plen) != 0) break;
        mrc = mdb_cursor_del(cur, 0);
        if (mrc) break;
        n++;
    }
    if (mrc && mrc != MDB_NOTFOUND) {
        rc = lmdb_fail(err, mrc, "clear");
        goto fail;
    }
    mdb_cursor_close(cur);
    cur = NULL;
    usage_rec zero = {0, 0};
    rc = write_usage(ns, txn, &zero, err);
    if (rc) goto fail;
    mrc = mdb_txn_commit(txn);
    committed(ns->st, ns);
    if (mrc) return lmdb_fail(err, mrc, "commit");
    c->deleted = n;
    return ASW_OK;
fail:
    if (cur) mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}

ASW_API int asw_storage_ns_clear(asw_storage_ns_t *ns, uint64_t *out_deleted, asw_error_t *out_err)
{
    if (out_deleted) *out_deleted = 0;
    if (!ns) return asw__errorf(out_err, ASW_E_INVALID, "storage: clear: NULL namespace");
    clear_ctx c = {ns, 0};
    int rc = run(ns->st, clear_op, &c, out_err);
    if (!rc && out_deleted) *out_deleted = c.deleted;
    return rc;
}
