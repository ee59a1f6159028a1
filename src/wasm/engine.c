/*
 * src/wasm/engine.c -- the engine: configuration defaults, function-type interning and the
 * deadline watchdog thread.
 *
 * Type interning gives every distinct function type one small integer id, engine-wide, so that
 * call_indirect and import matching compare one integer instead of two type vectors. The table
 * is an open-addressing hash set under a mutex (only compilation and instantiation touch it).
 *
 * The watchdog serves asw_store_set_deadline: one thread per engine, started lazily, sleeping
 * on a condition variable (CLOCK_MONOTONIC) until the earliest deadline, then raising the
 * store's interrupt. The list is doubly linked so arming, cancelling and freeing a store are
 * O(1), and a setter signals the thread only when its deadline is earlier than the next
 * wake-up: arming and cancelling a deadline around every call (as the component host does per
 * message) costs a lock and a few stores, not a thread wake-up.
 */
#include "wasm/runtime.h"

#include <string.h>
#include <time.h>

typedef struct type_entry {
    uint8_t *types; /* nparams + nresults bytes */
    uint32_t nparams, nresults;
    uint32_t hash;
} type_entry_t;

typedef struct type_table {
    type_entry_t *entries; /* by id */
    uint32_t count, cap;
    uint32_t *slots; /* open addressing: id + 1, 0 = empty */
    uint32_t nslots; /* power of two */
} type_table_t;

void asw_engine_config_init(asw_engine_config_t *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->default_limits.max_memory_pages = ASW__MAX_PAGES;
    cfg->default_limits.max_table_elements = 10000000u;
    cfg->default_limits.max_instances = 10000u;
    cfg->default_limits.max_memories = 10000u;
    cfg->default_limits.max_tables = 10000u;
    cfg->default_limits.max_call_depth = 10000u;
    cfg->default_limits.max_stack_bytes = 8u << 20;
}

void asw__limits_merge(asw_store_limits_t *dst, const asw_store_limits_t *src)
{
    /* Zero fields in src keep the value already in dst. */
    if (src->max_memory_pages) dst->max_memory_pages = src->max_memory_pages;
    if (src->max_table_elements) dst->max_table_elements = src->max_table_elements;
    if (src->max_instances) dst->max_instances = src->max_instances;
    if (src->max_memories) dst->max_memories = src->max_memories;
    if (src->max_tables) dst->max_tables = src->max_tables;
    if (src->max_call_depth) dst->max_call_depth = src->max_call_depth;
    if (src->max_stack_bytes) dst->max_stack_bytes = src->max_stack_bytes;
    if (dst->max_memory_pages > ASW__MAX_PAGES) dst->max_memory_pages = ASW__MAX_PAGES;
}

int asw_engine_new(const asw_engine_config_t *cfg, asw_engine_t **out_engine, asw_error_t *out_err)
{
    if (!out_engine)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_engine_new: out_engine is NULL");
    *out_engine = NULL;
    asw_engine_t *e = asw__calloc(1, sizeof *e);
    type_table_t *tt = asw__calloc(1, sizeof *tt);
    if (!e || !tt) goto nomem;
    asw_engine_config_init(&e->config);
    if (cfg) asw__limits_merge(&e->config.default_limits, &cfg->default_limits);
    e->types = tt;
    pthread_mutex_init(&e->types_lock, NULL);
    pthread_mutex_init(&e->watch_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->watch_cond, &ca);
    pthread_condattr_destroy(&ca);
    *out_engine = e;
    return ASW_OK;
nomem:
    asw__free(tt);
    asw__free(e);
    return asw__errorf(out_err, ASW_E_NOMEM, "out of memory creating the engine");
}

void asw_engine_free(asw_engine_t *e)
{
    if (!e) return;
    pthread_mutex_lock(&e->watch_lock);
    bool started = e->watch_started;
    e->watch_stop = true;
    pthread_cond_broadcast(&e->watch_cond);
    pthread_mutex_unlock(&e->watch_lock);
    if (started) pthread_join(e->watch_thread, NULL);
    type_table_t *tt = e->types;
    for (uint32_t i = 0; i < tt->count; i++)
        asw__free(tt->entries[i].types);
    asw__free(tt->entries);
    asw__free(tt->slots);
    asw__free(tt);
    pthread_mutex_destroy(&e->types_lock);
    pthread_mutex_destroy(&e->watch_lock);
    pthread_cond_destroy(&e->watch_cond);
    asw__free(e);
}

/* ------------------------------------------------------------------ type interning */

static uint32_t hash_type(const uint8_t *types, uint32_t np, uint32_t nr)
{
    uint32_t h = 2166136261u ^ np;
    h = (h * 16777619u) ^ nr;
    for (uint32_t i = 0; i < np + nr; i++)
        h = (h ^ types[i]) * 16777619u;
    return h;
}

static int grow_slots(type_table_t *tt)
{
    uint32_t n = tt->nslots ? tt->nslots * 2 : 64;
    uint32_t *slots = asw__calloc(n, sizeof *slots);
    if (!slots) return ASW_E_NOMEM;
    for (uint32_t id = 0; id < tt->count; id++) {
        uint32_t j = tt->entries[id].hash & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = id + 1;
    }
    asw__free(tt->slots);
    tt->slots = slots;
    tt->nslots = n;
    return ASW_OK;
}

int asw__engine_intern_type(asw_engine_t *engine, const uint8_t *types, uint32_t nparams,
                            uint32_t nresults, uint32_t *out_type_id)
{
    ASW_ASSERT(engine && out_type_id);
    int rc = ASW_OK;
    uint32_t h = hash_type(types, nparams, nresults);
    size_t n = (size_t)nparams + nresults;
    pthread_mutex_lock(&engine->types_lock);
    type_table_t *tt = engine->types;
    if ((tt->count + 1) * 2 > tt->nslots && (rc = grow_slots(tt)) != ASW_OK) goto out;
    uint32_t j = h & (tt->nslots - 1);
    for (; tt->slots[j]; j = (j + 1) & (tt->nslots - 1)) {
        type_entry_t *te = &tt->entries[tt->slots[j] - 1];
        if (te->hash == h && te->nparams == nparams && te->nresults == nresults &&
            (n == 0 || memcmp(te->types, types, n) == 0)) {
            *out_type_id = tt->slots[j] - 1;
            goto out;
        }
    }
    if (tt->count == tt->cap) {
        uint32_t cap = tt->cap ? tt->cap * 2 : 32;
        type_entry_t *ne = asw__reallocarray(tt->entries, cap, sizeof *ne);
        if (!ne) {
            rc = ASW_E_NOMEM;
            goto out;
        }
        tt->entries = ne;
        tt->cap = cap;
    }
    uint8_t *copy = asw__malloc(n ? n : 1);
    if (!copy) {
        rc = ASW_E_NOMEM;
        goto out;
    }
    if (n) memcpy(copy, types, n);
    tt->entries[tt->count] = (type_entry_t){copy, nparams, nresults, h};
    tt->slots[j] = tt->count + 1;
    *out_type_id = tt->count++;
out:
    pthread_mutex_unlock(&engine->types_lock);
    return rc;
}

/* ------------------------------------------------------------------ deadline watchdog */

/* Removes s from the watchdog list in O(1) (caller holds watch_lock). */
static void watch_unlink(asw_store_t *s)
{
    if (!s->watch_pprev) return;
    *s->watch_pprev = s->watch_next;
    if (s->watch_next) s->watch_next->watch_pprev = s->watch_pprev;
    s->watch_next = NULL;
    s->watch_pprev = NULL;
    atomic_store_explicit(&s->watch_listed, false, memory_order_release);
}

/*
 * The watchdog. Arming and disarming a deadline are lock-free in the common case (a message
 * handler arms one before every call and disarms it after): a store joins the engine's list
 * under the lock on its first deadline and stays listed until it is freed; arming stores
 * deadline_ns, disarming stores 0. The lock is taken only to list a store or to wake the
 * watchdog for a deadline earlier than the one it sleeps until (watch_wake_ns).
 *
 * Lost wake-ups: the watchdog sets watch_wake_ns to 0 before scanning and to the earliest
 * deadline after. A setter stores its deadline, then reads watch_wake_ns (both seq_cst): if
 * the scan missed the new deadline, the setter reads either 0 (and takes the lock, which the
 * scan holds, then signals) or an earliest value computed without it but not later than it
 * (or it would have taken the lock), so the watchdog wakes in time and rescans. Firing uses a
 * CAS on deadline_ns, so a deadline re-armed or disarmed meanwhile is not fired.
 */
static void *watchdog_main(void *arg)
{
    asw_engine_t *e = arg;
    pthread_mutex_lock(&e->watch_lock);
    while (!e->watch_stop) {
        atomic_store(&e->watch_wake_ns, 0);
        uint64_t now = asw__now_ns(), earliest = UINT64_MAX;
        for (asw_store_t *s = e->watch_list; s; s = s->watch_next) {
            uint64_t d = atomic_load(&s->deadline_ns);
            if (!d) continue;
            if (d <= now) {
                uint8_t kind = atomic_load(&s->deadline_kind);
                if (atomic_compare_exchange_strong(&s->deadline_ns, &d, 0))
                    atomic_store(&s->interrupt, kind);
            } else if (d < earliest) {
                earliest = d;
            }
        }
        atomic_store(&e->watch_wake_ns, earliest);
        if (earliest == UINT64_MAX) {
            pthread_cond_wait(&e->watch_cond, &e->watch_lock);
        } else {
            struct timespec ts = {(time_t)(earliest / 1000000000u), (long)(earliest % 1000000000u)};
            pthread_cond_timedwait(&e->watch_cond, &e->watch_lock, &ts);
        }
    }
    pthread_mutex_unlock(&e->watch_lock);
    return NULL;
}

int asw_store_set_deadline(asw_store_t *s, uint64_t timeout_ns, asw_interrupt_t kind)
{
    if (!s || (timeout_ns && kind != ASW_INTERRUPT_KILL && kind != ASW_INTERRUPT_SUSPEND))
        return ASW_E_INVALID;
    if (!timeout_ns) { /* cancelling needs no signal: the watchdog skips a disarmed store */
        atomic_store(&s->deadline_ns, 0);
        return ASW_OK;
    }
    asw_engine_t *e = s->engine;
    uint64_t now = asw__now_ns();
    uint64_t d = timeout_ns > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + timeout_ns;
    atomic_store_explicit(&s->deadline_kind, (uint8_t)kind, memory_order_relaxed);
    atomic_store(&s->deadline_ns, d);
    uint64_t wake = atomic_load(&e->watch_wake_ns);
    if (atomic_load_explicit(&s->watch_listed, memory_order_acquire) && wake && d >= wake)
        return ASW_OK; /* listed, and the watchdog wakes before d: it will see it */
    int rc = ASW_OK;
    pthread_mutex_lock(&e->watch_lock);
    if (!e->watch_started) {
        atomic_store(&e->watch_wake_ns, UINT64_MAX);
        if (pthread_create(&e->watch_thread, NULL, watchdog_main, e) != 0) {
            atomic_store(&s->deadline_ns, 0);
            rc = ASW_E_NOMEM;
            goto out;
        }
        e->watch_started = true;
    }
    if (!s->watch_pprev) {
        s->watch_next = e->watch_list;
        if (s->watch_next) s->watch_next->watch_pprev = &s->watch_next;
        s->watch_pprev = (asw_store_t **)&e->watch_list;
        e->watch_list = s;
        atomic_store_explicit(&s->watch_listed, true, memory_order_release);
    }
    d = atomic_load(&s->deadline_ns); /* may have been disarmed or fired meanwhile */
    if (d && d < atomic_load(&e->watch_wake_ns)) {
        atomic_store(&e->watch_wake_ns, d);
        pthread_cond_signal(&e->watch_cond);
    }
out:
    pthread_mutex_unlock(&e->watch_lock);
    return rc;
}

/* Called by asw_store_free: the watchdog must not touch a freed store. */

void asw__engine_forget_store(asw_engine_t *e, asw_store_t *s)
{
    pthread_mutex_lock(&e->watch_lock);
    watch_unlink(s);
    pthread_mutex_unlock(&e->watch_lock);
}
