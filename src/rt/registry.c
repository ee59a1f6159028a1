/*
 * src/rt/registry.c -- the actor table (lookup by id) and the name registry (lookup by name).
 *
 * Ids. An id is (generation << 32 | index). The index selects a slot in a two-level table:
 * `chunks[index >> ASW__CHUNK_BITS][index & (ASW__CHUNK - 1)]`; chunks are allocated on demand,
 * published with a release store and never freed before the system, so a lookup is two loads and
 * a compare, with no lock, and a stale pointer always points at a valid slot. The generation
 * grows every time a slot is reused, so an old id never finds the new occupant. Free indexes
 * go to the freeing worker's own small cache (ASW__SLOT_CACHE) and are reused by spawns on that
 * worker without slot_mu; overflow and other threads use the shared list under slot_mu.
 *
 * Names. An open-addressing table of 32-byte (hash, id, name) entries, linear probing, read
 * without a lock: a reader loads the table pointer, probes, and compares the name, which is
 * written once before the entry is published (names under 16 bytes are stored in the entry
 * itself, longer ones are interned on the heap). Entries are 64-byte aligned (two per cache
 * line, none straddling two); tables of 4 MiB and more are 2 MiB aligned and asked for huge pages
 * before they are first touched, so a random lookup among a million names costs one cache line
 * and no page walk. Writers take
 * name_mu. Unregistering (or the actor's death) sets the id to 0 and keeps the interned name, so a
 * restarted actor re-registers the same entry; the table grows (doubling) at half load and retired
 * tables stay allocated until the system is freed, because a reader may still be probing them.
 * Memory therefore grows with the number of distinct names ever used, not with registrations.
 *
 * Not here: what an actor does with its slot (actor.c).
 */
#define _DEFAULT_SOURCE 1 /* madvise(MADV_HUGEPAGE) */
#include "rt/rt_int.h"

#include <string.h>
#include <sys/mman.h>

#define ASW__NAME_MAX 255

/* ---- the actor table ---- */

int asw__rt_table_init(asw_system_t *sys, uint32_t max_actors)
{
    uint32_t nchunks = (uint32_t)(((uint64_t)max_actors + ASW__CHUNK) / ASW__CHUNK);
    sys->chunks = asw__calloc(nchunks, sizeof(*sys->chunks));
    sys->chunk_raw = asw__calloc(nchunks, sizeof(void *));
    if (!sys->chunks || !sys->chunk_raw) {
        asw__free((void *)sys->chunks);
        asw__free(sys->chunk_raw);
        sys->chunks = NULL;
        sys->chunk_raw = NULL;
        return ASW_E_NOMEM;
    }
    sys->max_chunks = nchunks;
    sys->next_index = 1; /* index 0 is never used: id 0 is ASW_ACTOR_NONE */
    return ASW_OK;
}

void asw__rt_table_destroy(asw_system_t *sys)
{
    if (sys->chunk_raw) {
        for (uint32_t i = 0; i < sys->max_chunks; i++) {
            asw_actor_t *c = sys->chunks ? atomic_load(&sys->chunks[i]) : NULL;
            if (c) {
                asw__cold_t *cold = (asw__cold_t *)(void *)(c + ASW__CHUNK);
                for (uint32_t j = 0; j < ASW__CHUNK; j++)
                    asw__free(cold[j].xo);
            }
            asw__free(sys->chunk_raw[i]);
        }
    }
    asw__free(sys->chunk_raw);
    asw__free((void *)sys->chunks);
    asw__free(sys->free_idx);
    sys->chunk_raw = NULL;
    sys->chunks = NULL;
    sys->free_idx = NULL;
}

static int new_chunk_locked(asw_system_t *sys, uint32_t ci)
{
    size_t bytes = ASW__CHUNK_BYTES + 63;
    void *raw = asw__malloc(bytes);
    if (!raw) return ASW_E_NOMEM;
    asw_actor_t *c = (asw_actor_t *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
    memset(c, 0, ASW__CHUNK_BYTES); /* the slots and their cold parts */
    for (uint32_t i = 0; i < ASW__CHUNK; i++) {
        asw_actor_t *a = &c[i];
        asw__mpsc_init(&a->sysq);
        asw__q_init(&a->nhead, &a->ntail, &a->nstub);
        atomic_flag_clear(&a->lk);
        atomic_store_explicit(&a->state, ASW__S_FREE, memory_order_relaxed);
        atomic_store_explicit(&a->id, (uint64_t)((ci << ASW__CHUNK_BITS) | i),
                              memory_order_relaxed);
        a->sys = sys;
    }
    sys->chunk_raw[ci] = raw;
    atomic_store_explicit(&sys->chunks[ci], c, memory_order_release);
    return ASW_OK;
}

/* Gives a fresh generation to slot idx and returns it. */
static asw_actor_t *claim_slot(asw_system_t *sys, uint32_t idx)
{
    asw_actor_t *a =
        atomic_load_explicit(&sys->chunks[idx >> ASW__CHUNK_BITS], memory_order_relaxed) +
        (idx & (ASW__CHUNK - 1));
    uint64_t gen = (atomic_load_explicit(&a->id, memory_order_relaxed) >> 32) + 1;
    if (gen > 0xffffffffu) gen = 1;
    atomic_store_explicit(&a->id, (gen << 32) | idx, memory_order_release);
    return a;
}

int asw__rt_slot_alloc(asw_system_t *sys, asw_actor_t **out)
{
    int rc = ASW_OK;
    uint32_t idx;
    asw__worker_t *w = asw__rt_worker(sys);
    if (w && w->nslots) { /* this worker's own free slots: no lock */
        *out = claim_slot(sys, w->slots[--w->nslots]);
        return ASW_OK;
    }
    pthread_mutex_lock(&sys->slot_mu);
    if (sys->nfree) {
        idx = sys->free_idx[--sys->nfree];
    } else {
        idx = sys->next_index;
        uint32_t ci = idx >> ASW__CHUNK_BITS;
        if (ci >= sys->max_chunks) {
            rc = ASW_E_LIMIT;
            goto out;
        }
        if (!sys->chunks[ci] && (rc = new_chunk_locked(sys, ci)) != ASW_OK) goto out;
        sys->next_index++;
    }
    *out = claim_slot(sys, idx);
out:
    pthread_mutex_unlock(&sys->slot_mu);
    return rc;
}

void asw__rt_slot_release(asw_system_t *sys, asw_actor_t *a)
{
    uint32_t idx = (uint32_t)atomic_load_explicit(&a->id, memory_order_relaxed);
    asw__worker_t *w = asw__rt_worker(sys);
    if (w && w->nslots < ASW__SLOT_CACHE) {
        w->slots[w->nslots++] = idx;
        return;
    }
    pthread_mutex_lock(&sys->slot_mu);
    if (w) { /* hand half of the worker's cache to the shared list */
        while (w->nslots > ASW__SLOT_CACHE / 2) {
            if (sys->nfree == sys->cap_free) break;
            sys->free_idx[sys->nfree++] = w->slots[--w->nslots];
        }
    }
    if (sys->nfree == sys->cap_free) {
        uint32_t nc = sys->cap_free ? sys->cap_free * 2 : 1024;
        uint32_t *p = asw__reallocarray(sys->free_idx, nc, sizeof(uint32_t));
        if (!p) { /* the index is lost for reuse; the slot stays FREE */
            pthread_mutex_unlock(&sys->slot_mu);
            return;
        }
        sys->free_idx = p;
        sys->cap_free = nc;
    }
    sys->free_idx[sys->nfree++] = idx;
    pthread_mutex_unlock(&sys->slot_mu);
}

/* ---- names ---- */

/* 32 bytes, two per cache line. `hash` is written last (release) and never 0 in a used entry;
 * its bit 1 says where the name is: clear, inline in `inl` (up to NAME_INL - 1 bytes); set, in
 * the heap copy `ptr`. The name of an entry never changes once published, so readers compare it
 * with plain loads after the acquire load of the hash. A lookup of a short name touches one
 * cache line. */
#define NAME_INL  16
#define HASH_LONG 2u

typedef struct asw__name_ent {
    _Atomic uint64_t hash;
    _Atomic uint64_t id;
    union {
        char inl[NAME_INL];
        char *ptr;
    } nm;
} asw__name_ent_t;

_Static_assert(sizeof(asw__name_ent_t) == 32, "a name entry is 32 bytes");

struct asw__names {
    uint32_t cap, used;
    struct asw__names *next_old;
    void *raw;          /* the allocation holding this header and the entries */
    asw__name_ent_t *e; /* cap entries, 64-byte aligned (2 MiB aligned in big tables) */
};

/* FNV-1a of the name, with bit 0 set (never 0) and bit 1 telling a long name. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    const char *p = s;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h | 1u) & ~(uint64_t)HASH_LONG;
    return (size_t)(p - s) >= NAME_INL ? h | HASH_LONG : h;
}

/* Lock-free probe of t for name (hash h); NULL when absent. */
static asw__name_ent_t *probe(struct asw__names *t, const char *name, uint64_t h)
{
    uint32_t mask = t->cap - 1;
    asw__name_ent_t *e = t->e;
    for (uint32_t i = (uint32_t)(h >> 2) & mask;; i = (i + 1) & mask) {
        uint64_t eh = atomic_load_explicit(&e[i].hash, memory_order_acquire);
        if (!eh) return NULL;
        if (eh == h && !strcmp((h & HASH_LONG) ? e[i].nm.ptr : e[i].nm.inl, name)) return &e[i];
    }
}

asw_actor_id_t asw_whereis(asw_system_t *sys, const char *name)
{
    if (!sys || !name) return ASW_ACTOR_NONE;
    struct asw__names *t = atomic_load_explicit(&sys->names, memory_order_acquire);
    if (!t) return ASW_ACTOR_NONE;
    asw__name_ent_t *e = probe(t, name, name_hash(name));
    return e ? atomic_load_explicit(&e->id, memory_order_acquire) : ASW_ACTOR_NONE;
}

/* Finds the entry of name in t, or NULL. name_mu held. */
static asw__name_ent_t *find_locked(struct asw__names *t, const char *name)
{
    return t ? probe(t, name, name_hash(name)) : NULL;
}

static asw__name_ent_t *claim_locked(struct asw__names *t, uint64_t h)
{
    uint32_t mask = t->cap - 1;
    uint32_t i = (uint32_t)(h >> 2) & mask;
    while (atomic_load_explicit(&t->e[i].hash, memory_order_relaxed))
        i = (i + 1) & mask;
    return &t->e[i];
}

/* Allocates an empty table of cap entries. Big tables are 2 MiB aligned and asked to live in
 * huge pages *before* they are first touched (the zeroing faults them in), so random lookups
 * among a million names do not miss the TLB on every probe; small ones are 64-byte aligned so no
 * 32-byte entry straddles two cache lines. The memory stays the allocator's. */
static struct asw__names *names_new(uint32_t cap)
{
    size_t ebytes = (size_t)cap * sizeof(asw__name_ent_t);
    size_t align = ebytes >= ((size_t)4 << 20) ? (size_t)2 << 20 : 64;
    size_t hdr = sizeof(struct asw__names);
    char *raw = asw__malloc(hdr + ebytes + align);
    if (!raw) return NULL;
    struct asw__names *t = (struct asw__names *)(void *)raw;
    uintptr_t e = ((uintptr_t)raw + hdr + align - 1) & ~(uintptr_t)(align - 1);
#ifdef MADV_HUGEPAGE
    if (align > 64) madvise((void *)e, ebytes & ~(align - 1), MADV_HUGEPAGE);
#endif
    memset((void *)e, 0, ebytes);
    t->cap = cap;
    t->used = 0;
    t->next_old = NULL;
    t->raw = raw;
    t->e = (asw__name_ent_t *)e;
    return t;
}

static int grow_locked(asw_system_t *sys)
{
    struct asw__names *t = atomic_load_explicit(&sys->names, memory_order_relaxed);
    if (t && (t->used + 1) * 2 <= t->cap) return ASW_OK;
    uint32_t cap = t ? t->cap * 2 : 64;
    struct asw__names *n = names_new(cap);
    if (!n) return ASW_E_NOMEM;
    if (t) {
        for (uint32_t i = 0; i < t->cap; i++) {
            uint64_t h = atomic_load_explicit(&t->e[i].hash, memory_order_relaxed);
            if (!h) continue;
            asw__name_ent_t *e = claim_locked(n, h);
            e->nm = t->e[i].nm;
            atomic_store_explicit(&e->id, atomic_load(&t->e[i].id), memory_order_relaxed);
            atomic_store_explicit(&e->hash, h, memory_order_relaxed);
            n->used++;
        }
        t->next_old = sys->old_names;
        sys->old_names = t;
    }
    atomic_store_explicit(&sys->names, n, memory_order_release);
    return ASW_OK;
}

static bool id_alive(asw_system_t *sys, asw_actor_id_t id)
{
    asw_actor_t *a = asw__rt_lookup(sys, id);
    if (!a) return false;
    uint32_t st = atomic_load(&a->state);
    return st != ASW__S_FREE && st != ASW__S_DEAD;
}

int asw__rt_name_set(asw_system_t *sys, const char *name, asw_actor_id_t id, bool check_alive)
{
    int rc = ASW_OK;
    uint64_t h = name_hash(name);
    pthread_mutex_lock(&sys->name_mu);
    struct asw__names *tab = atomic_load(&sys->names);
    asw__name_ent_t *e = tab ? probe(tab, name, h) : NULL;
    if (e) {
        asw_actor_id_t cur = atomic_load(&e->id);
        if (cur && cur != id && (!check_alive || id_alive(sys, cur)))
            rc = ASW_E_EXISTS;
        else
            atomic_store_explicit(&e->id, id, memory_order_release);
        goto out;
    }
    if ((rc = grow_locked(sys)) != ASW_OK) goto out;
    char *copy = NULL;
    if ((h & HASH_LONG) && !(copy = asw__strdup(name))) {
        rc = ASW_E_NOMEM;
        goto out;
    }
    struct asw__names *t = atomic_load(&sys->names);
    e = claim_locked(t, h);
    if (copy)
        e->nm.ptr = copy;
    else
        memcpy(e->nm.inl, name, strlen(name) + 1);
    atomic_store_explicit(&e->id, id, memory_order_relaxed);
    atomic_store_explicit(&e->hash, h, memory_order_release);
    t->used++;
out:
    pthread_mutex_unlock(&sys->name_mu);
    return rc;
}

void asw__rt_name_clear(asw_system_t *sys, const char *name, asw_actor_id_t id)
{
    pthread_mutex_lock(&sys->name_mu);
    asw__name_ent_t *e = find_locked(atomic_load(&sys->names), name);
    if (e && atomic_load(&e->id) == id) atomic_store(&e->id, 0);
    pthread_mutex_unlock(&sys->name_mu);
}

void asw__rt_names_destroy(asw_system_t *sys)
{
    struct asw__names *t = atomic_load(&sys->names);
    if (t)
        for (uint32_t i = 0; i < t->cap; i++)
            if (atomic_load(&t->e[i].hash) & HASH_LONG) asw__free(t->e[i].nm.ptr);
    if (t) asw__free(t->raw);
    while (sys->old_names) {
        struct asw__names *o = sys->old_names;
        sys->old_names = o->next_old;
        asw__free(o->raw);
    }
    atomic_store(&sys->names, NULL);
}

static int check_name(const char *name, asw_error_t *out_err)
{
    if (!name || !*name) return asw__errorf(out_err, ASW_E_INVALID, "empty actor name");
    if (strnlen(name, ASW__NAME_MAX + 1) > ASW__NAME_MAX)
        return asw__errorf(out_err, ASW_E_INVALID, "actor name longer than %d bytes",
                           ASW__NAME_MAX);
    return ASW_OK;
}

/* Used by asw_spawn for opts->name (the actor is not running yet). */
int asw__rt_name_check(const char *name, asw_error_t *out_err)
{
    return check_name(name, out_err);
}

int asw_register(asw_system_t *sys, const char *name, asw_actor_id_t id)
{
    if (!sys || check_name(name, NULL)) return ASW_E_INVALID;
    asw_actor_t *a = asw__rt_lookup(sys, id);
    if (!a || !id_alive(sys, id)) return ASW_E_DEAD;
    char *copy = asw__strdup(name);
    if (!copy) return ASW_E_NOMEM;
    asw__rt_lock(a);
    bool ok = atomic_load(&a->id) == id && !(atomic_load(&a->flags) & ASW__F_CLOSED);
    bool has = asw__rt_cold(a)->name != NULL;
    asw__rt_unlock(a);
    int rc = !ok ? ASW_E_DEAD : has ? ASW_E_EXISTS : ASW_OK;
    if (rc == ASW_OK) rc = asw__rt_name_set(sys, name, id, true);
    if (rc == ASW_OK) {
        asw__rt_lock(a);
        ok = atomic_load(&a->id) == id && !(atomic_load(&a->flags) & ASW__F_CLOSED) &&
             !asw__rt_cold(a)->name;
        if (ok) {
            asw__rt_cold(a)->name = copy;
            copy = NULL;
        }
        asw__rt_unlock(a);
        if (!ok) {
            asw__rt_name_clear(sys, name, id);
            rc = ASW_E_DEAD;
        }
    }
    asw__free(copy);
    return rc;
}

int asw_unregister(asw_system_t *sys, const char *name)
{
    if (!sys || check_name(name, NULL)) return ASW_E_INVALID;
    asw_actor_id_t id = 0;
    pthread_mutex_lock(&sys->name_mu);
    asw__name_ent_t *e = find_locked(atomic_load(&sys->names), name);
    if (e) id = atomic_exchange(&e->id, 0);
    pthread_mutex_unlock(&sys->name_mu);
    if (!id) return ASW_E_NOT_FOUND;
    asw_actor_t *a = asw__rt_lookup(sys, id);
    if (a) {
        asw__rt_lock(a);
        char *old = NULL;
        if (atomic_load(&a->id) == id && asw__rt_cold(a)->name &&
            !strcmp(asw__rt_cold(a)->name, name)) {
            old = asw__rt_cold(a)->name;
            asw__rt_cold(a)->name = NULL;
        }
        asw__rt_unlock(a);
        asw__free(old);
    }
    return ASW_OK;
}
