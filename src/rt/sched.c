/*
 * src/rt/sched.c -- the scheduler: worker threads, per-worker run queues with work stealing,
 * parking, quiescence, and the system's life (create, shutdown, free, counters).
 *
 * Run queues. Each worker owns a bounded SPMC ring: the owner pushes at `tail`; the owner and
 * thieves take at `head` with a CAS, so a stolen actor is taken exactly once. Slots are atomics
 * (relaxed): a thief may read a slot the owner is rewriting, but then its CAS on `head` fails.
 * An actor made runnable by a worker goes first to that worker's LIFO slot, which is not
 * stealable: a ping-pong pair stays on one core (cache-hot, no wake-up). The displaced LIFO
 * occupant goes to the ring, and after ASW__LIFO_MAX LIFO runs in a row the ring is served
 * first, so LIFO cannot starve the others. Actors made runnable by other threads, or that
 * overflow a ring, go to one global inject queue (mutex, intrusive list).
 *
 * Parking. A worker with nothing to run spins briefly, then parks on a condition variable after
 * announcing itself in `sleepers` and re-checking every queue under the park mutex. A producer
 * publishes its push, fences, and wakes one sleeper when `sleepers` > 0 and no woken worker is
 * still searching (`searching`), so a burst of pushes costs one wake-up, not one per push.
 *
 * Fairness is per turn: actor.c runs at most max_per_turn messages, then the actor goes to the
 * back of the ring. The scheduler never preempts a running behaviour.
 *
 * Not here: what a turn does (actor.c), the actor table (registry.c), timers (timer.c).
 */
#define _GNU_SOURCE 1 /* sched_yield, sysconf(_SC_NPROCESSORS_ONLN) */
#include "rt/rt_int.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Thread_local asw__worker_t *asw__rt_tls_worker ASW__TLS_IE;

uint64_t asw__rt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* ---- wake-ups ---- */

static void wake_one(asw_system_t *sys)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&sys->sleepers, memory_order_relaxed) == 0) return;
    uint32_t expect = 0;
    if (!atomic_compare_exchange_strong(&sys->searching, &expect, 1)) return;
    pthread_mutex_lock(&sys->park_mu);
    pthread_cond_signal(&sys->park_cv);
    pthread_mutex_unlock(&sys->park_mu);
}

void asw__rt_quiet_signal(asw_system_t *sys)
{
    if (atomic_load(&sys->quiet_waiters) == 0) return;
    pthread_mutex_lock(&sys->park_mu);
    pthread_cond_broadcast(&sys->quiet_cv);
    pthread_mutex_unlock(&sys->park_mu);
}

/* ---- queues ---- */

static void inject_push(asw_system_t *sys, asw_actor_t *a)
{
    a->rq_next = NULL;
    pthread_mutex_lock(&sys->inj_mu);
    if (sys->inj_tail)
        sys->inj_tail->rq_next = a;
    else
        sys->inj_head = a;
    sys->inj_tail = a;
    atomic_fetch_add_explicit(&sys->inj_len, 1, memory_order_relaxed);
    pthread_mutex_unlock(&sys->inj_mu);
    wake_one(sys);
}

static asw_actor_t *inject_pop(asw_system_t *sys)
{
    if (atomic_load_explicit(&sys->inj_len, memory_order_relaxed) == 0) return NULL;
    pthread_mutex_lock(&sys->inj_mu);
    asw_actor_t *a = sys->inj_head;
    if (a) {
        sys->inj_head = a->rq_next;
        if (!sys->inj_head) sys->inj_tail = NULL;
        atomic_fetch_sub_explicit(&sys->inj_len, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&sys->inj_mu);
    return a;
}

static void ring_push(asw__worker_t *w, asw_actor_t *a)
{
    uint64_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
    uint64_t h = atomic_load_explicit(&w->head, memory_order_acquire);
    if (t - h >= ASW__RING) {
        inject_push(w->sys, a);
        return;
    }
    atomic_store_explicit(&w->ring[t & (ASW__RING - 1)], a, memory_order_relaxed);
    atomic_store_explicit(&w->tail, t + 1, memory_order_release);
    wake_one(w->sys);
}

static asw_actor_t *ring_take(asw__worker_t *w)
{
    for (;;) {
        uint64_t h = atomic_load_explicit(&w->head, memory_order_acquire);
        uint64_t t = atomic_load_explicit(&w->tail, memory_order_acquire);
        if (h >= t) return NULL;
        asw_actor_t *a = atomic_load_explicit(&w->ring[h & (ASW__RING - 1)], memory_order_relaxed);
        if (atomic_compare_exchange_weak_explicit(&w->head, &h, h + 1, memory_order_acq_rel,
                                                  memory_order_relaxed))
            return a;
    }
}

static bool ring_nonempty(asw__worker_t *w)
{
    return atomic_load_explicit(&w->head, memory_order_acquire) <
           atomic_load_explicit(&w->tail, memory_order_acquire);
}

void asw__rt_schedule(asw_system_t *sys, asw_actor_t *a)
{
    asw__worker_t *w = asw__rt_worker(sys);
    if (!w) {
        inject_push(sys, a);
        return;
    }
    asw_actor_t *old = w->lifo;
    w->lifo = a;
    if (old) ring_push(w, old);
}

/* Requeue at the back (end of a turn with messages left): fairness, never the LIFO slot. */
static void requeue(asw__worker_t *w, asw_actor_t *a)
{
    ring_push(w, a);
}

void asw__rt_notify(asw_system_t *sys, asw_actor_t *a, bool wake_susp)
{
    uint32_t s = atomic_load_explicit(&a->state, memory_order_acquire);
    for (;;) {
        if (s == ASW__S_IDLE || (wake_susp && s == ASW__S_SUSP)) {
            if (atomic_compare_exchange_weak_explicit(&a->state, &s, ASW__S_SCHED,
                                                      memory_order_acq_rel, memory_order_acquire)) {
                atomic_fetch_add_explicit(&sys->active, 1, memory_order_relaxed);
                asw__rt_schedule(sys, a);
                return;
            }
            continue;
        }
        return;
    }
}

/* ---- workers ---- */

static asw_actor_t *find_work(asw__worker_t *w)
{
    asw_system_t *sys = w->sys;
    asw_actor_t *a;
    if (w->lifo) {
        a = w->lifo;
        w->lifo = NULL;
        /* After ASW__LIFO_MAX runs in a row the ring and the inject queue get a turn, else a
         * ping-pong pair in the LIFO slot would starve actors spawned by other threads. */
        if (w->lifo_runs < ASW__LIFO_MAX ||
            (!ring_nonempty(w) && !atomic_load_explicit(&sys->inj_len, memory_order_relaxed))) {
            w->lifo_runs++;
            return a;
        }
        ring_push(w, a); /* fairness: serve the ring first */
    }
    w->lifo_runs = 0;
    /* Serve the inject queue every other pick while it has work, so actors made runnable by
     * other threads are not starved by a busy ring. */
    if (atomic_load_explicit(&sys->inj_len, memory_order_relaxed) && (++w->rng & 1) &&
        (a = inject_pop(sys)))
        return a;
    if ((a = ring_take(w))) return a;
    if ((a = inject_pop(sys))) return a;
    uint32_t n = sys->nworkers;
    if (n > 1) {
        uint32_t start = w->rng % n;
        for (uint32_t i = 0; i < n; i++) {
            asw__worker_t *v = &sys->workers[(start + i) % n];
            if (v == w) continue;
            if ((a = ring_take(v))) {
                atomic_store_explicit(&w->steals,
                                      atomic_load_explicit(&w->steals, memory_order_relaxed) + 1,
                                      memory_order_relaxed);
                return a;
            }
        }
    }
    return NULL;
}

static bool any_work(asw_system_t *sys)
{
    if (atomic_load(&sys->inj_len)) return true;
    for (uint32_t i = 0; i < sys->nworkers; i++)
        if (ring_nonempty(&sys->workers[i])) return true;
    return false;
}

static void park(asw__worker_t *w)
{
    asw_system_t *sys = w->sys;
    for (int i = 0; i < 200; i++) {
        if (any_work(sys) || atomic_load(&sys->closing) >= 2) return;
        cpu_relax();
    }
    sched_yield();
    if (any_work(sys)) return;
    pthread_mutex_lock(&sys->park_mu);
    atomic_fetch_add(&sys->sleepers, 1);
    atomic_store(&sys->searching, 0);
    atomic_thread_fence(memory_order_seq_cst);
    if (!any_work(sys) && atomic_load(&sys->closing) < 2)
        pthread_cond_wait(&sys->park_cv, &sys->park_mu);
    atomic_fetch_sub(&sys->sleepers, 1);
    pthread_mutex_unlock(&sys->park_mu);
}

static void *worker_main(void *arg)
{
    asw__worker_t *w = arg;
    asw_system_t *sys = w->sys;
    asw__rt_tls_worker = w;
    while (atomic_load_explicit(&sys->closing, memory_order_acquire) < 2) {
        asw_actor_t *a = find_work(w);
        if (a) {
            if (atomic_load_explicit(&sys->searching, memory_order_relaxed)) {
                atomic_store(&sys->searching, 0);
                if (any_work(sys)) wake_one(sys);
            }
            asw__rt_run(w, a);
            uint32_t st = atomic_load_explicit(&a->state, memory_order_acquire);
            ASW_UNUSED(st);
            continue;
        }
        park(w);
    }
    asw__rt_tls_worker = NULL;
    return NULL;
}

void asw__rt_requeue(asw__worker_t *w, asw_actor_t *a)
{
    requeue(w, a);
}

/* ---- the system ---- */

static int cond_init_mono(pthread_cond_t *cv)
{
    pthread_condattr_t at;
    if (pthread_condattr_init(&at)) return -1;
    pthread_condattr_setclock(&at, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(cv, &at);
    pthread_condattr_destroy(&at);
    return rc;
}

int asw_system_new(const asw_system_opts_t *opts, asw_system_t **out_sys, asw_error_t *out_err)
{
    asw_system_opts_t o = {0};
    if (opts) o = *opts;
    if (!out_sys) return asw__errorf(out_err, ASW_E_INVALID, "system_new: NULL out_sys");
    *out_sys = NULL;
    if (o.workers > 1024)
        return asw__errorf(out_err, ASW_E_INVALID, "system_new: %u workers is too many", o.workers);
    if (o.max_actors > (1u << 30))
        return asw__errorf(out_err, ASW_E_INVALID, "system_new: max_actors over 2^30");
    if (o.workers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o.workers = n > 0 ? (uint32_t)(n > 1024 ? 1024 : n) : 1;
    }
    asw_system_t *sys = asw__calloc(1, sizeof(*sys));
    if (!sys) return asw__errorf(out_err, ASW_E_NOMEM, "system_new: out of memory");
    sys->nworkers = o.workers;
    sys->max_per_turn = o.max_per_turn ? o.max_per_turn : 64;
    sys->busy_time = !o.no_busy_time;
    pthread_mutex_init(&sys->slot_mu, NULL);
    pthread_mutex_init(&sys->inj_mu, NULL);
    pthread_mutex_init(&sys->park_mu, NULL);
    pthread_mutex_init(&sys->space_mu, NULL);
    pthread_mutex_init(&sys->pool_mu, NULL);
    pthread_mutex_init(&sys->name_mu, NULL);
    pthread_cond_init(&sys->park_cv, NULL);
    cond_init_mono(&sys->quiet_cv);
    cond_init_mono(&sys->space_cv);
    int rc = asw__rt_table_init(sys, o.max_actors ? o.max_actors : (1u << 24));
    if (rc) {
        asw__errorf(out_err, rc, "system_new: out of memory for the actor table");
        goto fail;
    }
    sys->workers_raw = asw__calloc(1, (size_t)o.workers * sizeof(asw__worker_t) + 63);
    sys->workers = sys->workers_raw
                       ? (asw__worker_t *)(((uintptr_t)sys->workers_raw + 63) & ~(uintptr_t)63)
                       : NULL;
    if (!sys->workers) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "system_new: out of memory for workers");
        goto fail;
    }
    rc = asw__rt_timers_start(sys);
    if (rc) {
        asw__errorf(out_err, rc, "system_new: cannot start the timer thread");
        goto fail;
    }
    for (uint32_t i = 0; i < o.workers; i++) {
        asw__worker_t *w = &sys->workers[i];
        w->sys = sys;
        w->index = i;
        w->rng = i * 2654435761u + 1;
    }
    for (uint32_t i = 0; i < o.workers; i++) {
        if (pthread_create(&sys->workers[i].thread, NULL, worker_main, &sys->workers[i])) {
            atomic_store(&sys->closing, 2);
            pthread_mutex_lock(&sys->park_mu);
            pthread_cond_broadcast(&sys->park_cv);
            pthread_mutex_unlock(&sys->park_mu);
            for (uint32_t j = 0; j < i; j++)
                pthread_join(sys->workers[j].thread, NULL);
            asw__rt_timers_stop(sys);
            rc = asw__errorf(out_err, ASW_E_IO, "system_new: cannot create worker thread %u", i);
            goto fail;
        }
    }
    *out_sys = sys;
    return ASW_OK;
fail:
    asw__free(sys->workers_raw);
    asw__rt_table_destroy(sys);
    asw__free(sys);
    return rc;
}

uint32_t asw_system_workers(const asw_system_t *sys)
{
    return sys ? sys->nworkers : 0;
}

/* Waits (park_mu + quiet_cv) until pred(sys) holds or the deadline passes. */
static int wait_until(asw_system_t *sys, bool (*pred)(asw_system_t *), uint64_t deadline)
{
    int rc = ASW_OK;
    pthread_mutex_lock(&sys->park_mu);
    atomic_fetch_add(&sys->quiet_waiters, 1);
    while (!pred(sys)) {
        if (asw__rt_now() >= deadline) {
            rc = ASW_E_TIMEOUT;
            break;
        }
        /* Wake at least every 10 ms: some transitions (a suspended actor) do not signal. */
        uint64_t until = deadline;
        uint64_t soon = asw__rt_now() + 10000000u;
        if (soon < until) until = soon;
        struct timespec ts = {(time_t)(until / 1000000000u), (long)(until % 1000000000u)};
        pthread_cond_timedwait(&sys->quiet_cv, &sys->park_mu, &ts);
    }
    atomic_fetch_sub(&sys->quiet_waiters, 1);
    pthread_mutex_unlock(&sys->park_mu);
    return rc;
}

static bool pred_quiet(asw_system_t *sys)
{
    return atomic_load(&sys->active) == 0;
}

static bool pred_no_live(asw_system_t *sys)
{
    return atomic_load(&sys->live) == 0;
}

static uint64_t deadline_after(uint64_t ns)
{
    uint64_t now = asw__rt_now();
    return ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
}

int asw_system_quiesce(asw_system_t *sys, uint64_t timeout_ns)
{
    if (!sys || asw__rt_worker(sys)) return ASW_E_INVALID;
    return wait_until(sys, pred_quiet, deadline_after(timeout_ns));
}

/* Stops every live actor: gracefully when graceful (roots only: supervisors stop their own
 * children), else a kill for every live actor. */
static void stop_all(asw_system_t *sys, bool graceful)
{
    pthread_mutex_lock(&sys->slot_mu);
    uint32_t n = sys->next_index;
    pthread_mutex_unlock(&sys->slot_mu);
    for (uint32_t i = n; i-- > 1;) {
        asw_actor_t *a = atomic_load(&sys->chunks[i >> ASW__CHUNK_BITS]) + (i & (ASW__CHUNK - 1));
        uint32_t st = atomic_load(&a->state);
        if (st == ASW__S_FREE || st == ASW__S_DEAD) continue;
        if (graceful && a->sup) continue;
        asw_actor_stop(sys, atomic_load(&a->id), 0, !graceful);
    }
}

int asw_system_shutdown(asw_system_t *sys, uint64_t drain_timeout_ns)
{
    if (!sys) return ASW_E_INVALID;
    if (asw__rt_worker(sys)) return ASW_E_INVALID;
    int expect = 0;
    if (!atomic_compare_exchange_strong(&sys->shut, &expect, 1)) return ASW_OK;
    int rc = wait_until(sys, pred_quiet, deadline_after(drain_timeout_ns));
    atomic_store(&sys->closing, 1);
    /* Graceful stop of the roots; supervisors stop their children in reverse order. */
    stop_all(sys, rc == ASW_OK);
    /* The graceful phase gets the same budget as the drain; then whatever is left is killed
     * (suspended actors never handle a graceful stop). */
    if (wait_until(sys, pred_no_live, deadline_after(drain_timeout_ns)) != ASW_OK) {
        stop_all(sys, false);
        wait_until(sys, pred_no_live, UINT64_MAX);
    }
    asw__rt_timers_stop(sys);
    atomic_store(&sys->closing, 2);
    pthread_mutex_lock(&sys->park_mu);
    pthread_cond_broadcast(&sys->park_cv);
    pthread_mutex_unlock(&sys->park_mu);
    for (uint32_t i = 0; i < sys->nworkers; i++)
        pthread_join(sys->workers[i].thread, NULL);
    asw__rt_reap_all(sys);
    return rc;
}

void asw_system_free(asw_system_t *sys)
{
    if (!sys) return;
    asw_system_shutdown(sys, 1000000000u);
    asw__rt_names_destroy(sys);
    asw__rt_table_destroy(sys);
    asw__rt_pool_destroy(sys);
    asw__free(sys->workers_raw);
    pthread_mutex_destroy(&sys->slot_mu);
    pthread_mutex_destroy(&sys->inj_mu);
    pthread_mutex_destroy(&sys->park_mu);
    pthread_mutex_destroy(&sys->space_mu);
    pthread_mutex_destroy(&sys->pool_mu);
    pthread_mutex_destroy(&sys->name_mu);
    pthread_cond_destroy(&sys->park_cv);
    pthread_cond_destroy(&sys->quiet_cv);
    pthread_cond_destroy(&sys->space_cv);
    asw__free(sys);
}

void asw_system_stats(asw_system_t *sys, asw_system_stats_t *out)
{
    if (!out) return;
    memset(out, 0, sizeof(*out));
    if (!sys) return;
    out->actors_live = atomic_load(&sys->live);
    out->spawned = atomic_load(&sys->c_spawned);
    out->stopped = atomic_load(&sys->c_stopped);
    out->sent = atomic_load(&sys->c_sent);
    out->dead_letters = atomic_load(&sys->c_dead);
    out->dropped = atomic_load(&sys->c_dropped);
    out->expired = atomic_load(&sys->c_expired);
    out->late_replies = atomic_load(&sys->c_late);
    out->restarts = atomic_load(&sys->c_restarts);
    out->escalations = atomic_load(&sys->c_escalations);
    for (uint32_t i = 0; i < sys->nworkers; i++) {
        asw__worker_t *w = &sys->workers[i];
        out->sent += atomic_load_explicit(&w->sent, memory_order_relaxed);
        out->handled += atomic_load_explicit(&w->handled, memory_order_relaxed);
        out->turns += atomic_load_explicit(&w->turns, memory_order_relaxed);
        out->steals += atomic_load_explicit(&w->steals, memory_order_relaxed);
    }
}
