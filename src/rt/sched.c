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
 * first, so LIFO cannot starve the others. Each worker also has an inject list (mutex, intrusive
 * list) for actors made runnable by threads that are not workers (all go to worker 0's, so an
 * outside driver does not scatter a group of partners), for actors overflowing its ring, and for
 * actors that move to it (below); the owner serves it every other pick.
 *
 * Locality. A message between two actors on one worker costs no cross-core transfer; across two
 * cores every node, queue head and counter line moves (measured: 10x the cost). So stealing is
 * not eager: a thief takes from a victim only when the victim's queue holds actors it did not
 * feed itself, or a lot of work, or when it has been in one turn for long (see stealable()).
 * And an actor that ends a turn with messages left, sent last from another worker, moves to that
 * worker (asw__rt_requeue_follow), so partners split by a steal come back together.
 *
 * Parking. A worker with nothing to run spins briefly, then parks on its own condition variable
 * after announcing itself (`parked`, `sleepers`) and re-checking every queue under the park
 * mutex. It sleeps without a timeout (a "deep" sleeper) only when no queue holds anything;
 * when others hold work it may not take yet, it polls every ASW__PARK_POLL_NS. A producer
 * publishes its push, fences and wakes: the owner of an inject list when it sleeps; one
 * sleeper when a queue grows by ASW__STEAL_MIN (to judge it); a deep sleeper (to poll) when a
 * queue becomes non-empty. A `searching` flag makes a burst of pushes cost one wake-up, not one
 * per push.
 *
 * Fairness is per turn: actor.c runs at most max_per_turn messages (an actor spawned during the
 * turn counts as one), then the actor goes to the back of the ring. The scheduler never preempts a
 * running behaviour.
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

_Thread_local asw__worker_t *asw__rt_tls_worker ASW_TLS_IE;

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* ---- stealing policy ---- */

/* A thief takes from a victim when
 *  - the victim has been in its current turn for ASW__STEAL_STALL_NS (a long behaviour, or a
 *    worker the OS descheduled), or
 *  - its queued actors amount to ASW__STEAL_WORK_NS of work (count times its average turn), or
 *  - at least ASW__STEAL_MIN actors are queued and the first was not fed by the victim itself
 *    (its last message came from another thread or worker).
 * Actors fed by their own worker (a publisher's subscribers, partners exchanging short messages)
 * thus stay with it: moving them would turn every message into a cross-core transfer, which
 * costs more than running them. Independent work, heavy queues and long turns still spread.
 * The stall limit is long because a worker the OS descheduled looks stalled too. */
#define ASW__STEAL_WORK_NS  2000000u
#define ASW__STEAL_MIN      16u
#define ASW__STEAL_STALL_NS 5000000u
#define ASW__PARK_POLL_NS   1000000u /* a sleeper with unstealable work in sight re-checks */

static uint64_t ring_len(asw__worker_t *w)
{
    uint64_t h = atomic_load_explicit(&w->head, memory_order_acquire);
    uint64_t t = atomic_load_explicit(&w->tail, memory_order_acquire);
    return t > h ? t - h : 0;
}

static uint64_t backlog(asw__worker_t *v)
{
    return ring_len(v) + atomic_load_explicit(&v->inj_len, memory_order_relaxed);
}

/* May a thief take v's queued actors now? now: 0 until the caller read the clock. */
/* The rules on v's queue alone (not its current turn): may a thief take from it? */
static bool queue_stealable(asw__worker_t *v, uint64_t len)
{
    uint64_t avg = atomic_load_explicit(&v->avg_turn_ns, memory_order_relaxed);
    if (len * avg >= ASW__STEAL_WORK_NS) return true;
    if (len < ASW__STEAL_MIN) return false;
    /* A hint only: the slot may be rewritten meanwhile; slots are type-stable. */
    uint64_t h = atomic_load_explicit(&v->head, memory_order_acquire);
    if (h >= atomic_load_explicit(&v->tail, memory_order_acquire)) return true; /* inject only */
    asw_actor_t *first = atomic_load_explicit(&v->ring[h & (ASW__RING - 1)], memory_order_relaxed);
    return !first ||
           atomic_load_explicit(&first->last_worker, memory_order_relaxed) != v->index + 1;
}

static bool stealable(asw__worker_t *v, uint64_t *now)
{
    uint64_t len = backlog(v);
    if (!len) return false;
    uint64_t t0 = atomic_load_explicit(&v->turn_t0, memory_order_relaxed);
    if (t0) {
        if (!*now) *now = asw__now_ns();
        if (*now > t0 && *now - t0 >= ASW__STEAL_STALL_NS) return true;
    }
    return queue_stealable(v, len);
}

/* ---- wake-ups ---- */

/* Wakes one sleeping worker (any) to look for work, unless one already searches. */
static void wake_one(asw_system_t *sys)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&sys->sleepers, memory_order_relaxed) == 0) return;
    uint32_t expect = 0;
    if (!atomic_compare_exchange_strong(&sys->searching, &expect, 1)) return;
    pthread_mutex_lock(&sys->park_mu);
    asw__worker_t *pick = NULL;
    for (uint32_t i = 0; i < sys->nworkers; i++) {
        uint32_t p = atomic_load_explicit(&sys->workers[i].parked, memory_order_relaxed);
        if (p && (!pick || p == 1)) pick = &sys->workers[i]; /* a deep sleeper first */
        if (p == 1) break;
    }
    if (pick) pthread_cond_signal(&pick->park_cv);
    pthread_mutex_unlock(&sys->park_mu);
}

/* Queued work became visible where there was none: a worker sleeping without a timeout would
 * never see it (it may not be stealable yet, but its owner may start a long turn), so wake one
 * to poll. Costs a load when nobody sleeps that deeply. */
static void nudge(asw_system_t *sys)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&sys->deep_sleepers, memory_order_relaxed)) wake_one(sys);
}

/* Wakes w itself if it sleeps (work queued for it by another thread). */
static void wake_worker(asw__worker_t *w)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (!atomic_load_explicit(&w->parked, memory_order_relaxed)) return;
    pthread_mutex_lock(&w->sys->park_mu);
    pthread_cond_signal(&w->park_cv);
    pthread_mutex_unlock(&w->sys->park_mu);
}

static void wake_all(asw_system_t *sys)
{
    pthread_mutex_lock(&sys->park_mu);
    for (uint32_t i = 0; i < sys->nworkers; i++)
        pthread_cond_broadcast(&sys->workers[i].park_cv);
    pthread_mutex_unlock(&sys->park_mu);
}

/* Sums the SCHED moves in and out; *out_in / *out_out. */
static void active_sums(asw_system_t *sys, uint64_t *out_in, uint64_t *out_out)
{
    uint64_t in = atomic_load(&sys->act_up), out = atomic_load(&sys->act_down);
    for (uint32_t i = 0; i < sys->nworkers; i++) {
        in += atomic_load(&sys->workers[i].act_up);
        out += atomic_load(&sys->workers[i].act_down);
    }
    *out_in = in;
    *out_out = out;
}

/* Every counter only grows, so two passes with equal sums saw every counter unchanged between
 * its two reads: the values held together at one instant, and equal totals then mean no actor
 * was scheduled at that instant. */
bool asw__rt_quiet(asw_system_t *sys)
{
    uint64_t in1, out1, in2, out2;
    active_sums(sys, &in1, &out1);
    if (in1 != out1) return false;
    active_sums(sys, &in2, &out2);
    return in1 == in2 && out1 == out2;
}

void asw__rt_quiet_signal(asw_system_t *sys)
{
    /* Pairs with wait_until's increment of quiet_waiters before it reads the counters, and
     * with the fence of another worker leaving SCHED at the same time (one of the two sees the
     * other's count). */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&sys->quiet_waiters, memory_order_relaxed) == 0) return;
    /* Wake the waiters only for a state they wait for: no actor scheduled, or none alive. */
    if (!asw__rt_quiet(sys) && atomic_load(&sys->live) != 0) return;
    pthread_mutex_lock(&sys->park_mu);
    pthread_cond_broadcast(&sys->quiet_cv);
    pthread_mutex_unlock(&sys->park_mu);
}

/* ---- queues ---- */

/* Queues a on w's inject list (any thread) and wakes w if it sleeps; a backlog that makes w
 * stealable also wakes another sleeper. */
static void inject_push(asw__worker_t *w, asw_actor_t *a)
{
    a->rq_next = NULL;
    pthread_mutex_lock(&w->inj_mu);
    if (w->inj_tail)
        w->inj_tail->rq_next = a;
    else
        w->inj_head = a;
    w->inj_tail = a;
    uint32_t len = atomic_fetch_add_explicit(&w->inj_len, 1, memory_order_relaxed) + 1;
    pthread_mutex_unlock(&w->inj_mu);
    wake_worker(w);
    if (len + ring_len(w) >= ASW__STEAL_MIN)
        wake_one(w->sys);
    else if (len == 1)
        nudge(w->sys);
}

static asw_actor_t *inject_pop(asw__worker_t *w)
{
    if (atomic_load_explicit(&w->inj_len, memory_order_relaxed) == 0) return NULL;
    pthread_mutex_lock(&w->inj_mu);
    asw_actor_t *a = w->inj_head;
    if (a) {
        w->inj_head = a->rq_next;
        if (!w->inj_head) w->inj_tail = NULL;
        atomic_fetch_sub_explicit(&w->inj_len, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&w->inj_mu);
    return a;
}

static void ring_push(asw__worker_t *w, asw_actor_t *a)
{
    uint64_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
    uint64_t h = atomic_load_explicit(&w->head, memory_order_acquire);
    if (t - h >= ASW__RING) {
        inject_push(w, a);
        return;
    }
    atomic_store_explicit(&w->ring[t & (ASW__RING - 1)], a, memory_order_relaxed);
    atomic_store_explicit(&w->tail, t + 1, memory_order_release);
    /* A backlog a thief may take is worth a wake-up (checked once per ASW__STEAL_MIN pushes: a
     * woken thief keeps stealing while the backlog lasts); the first queued actor only needs a
     * sleeper to poll (it becomes stealable if this worker's turn runs long). */
    uint64_t len = t + 1 - h;
    if (len >= ASW__STEAL_MIN && len % ASW__STEAL_MIN == 0 && queue_stealable(w, len))
        wake_one(w->sys);
    else if (len == 1)
        nudge(w->sys);
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
        inject_push(&sys->workers[0], a);
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
                asw__rt_active(sys, asw__rt_worker(sys), true);
                asw__rt_schedule(sys, a);
                return;
            }
            continue;
        }
        return;
    }
}

/* ---- workers ---- */

/* Takes an actor from another worker that is stealable (see above), or NULL. */
static asw_actor_t *steal(asw__worker_t *w)
{
    asw_system_t *sys = w->sys;
    uint32_t n = sys->nworkers;
    uint64_t now = 0;
    asw_actor_t *a;
    for (uint32_t i = 1; i < n; i++) {
        asw__worker_t *v = &sys->workers[(w->index + i) % n];
        if (!backlog(v) || !stealable(v, &now)) continue;
        if ((a = ring_take(v)) || (a = inject_pop(v))) {
            atomic_store_explicit(&w->steals,
                                  atomic_load_explicit(&w->steals, memory_order_relaxed) + 1,
                                  memory_order_relaxed);
            return a;
        }
    }
    return NULL;
}

static asw_actor_t *find_work(asw__worker_t *w)
{
    asw_actor_t *a;
    if (w->lifo) {
        a = w->lifo;
        w->lifo = NULL;
        /* After ASW__LIFO_MAX runs in a row the ring and the inject queue get a turn, else a
         * ping-pong pair in the LIFO slot would starve actors made runnable by other threads. */
        if (w->lifo_runs < ASW__LIFO_MAX ||
            (!ring_nonempty(w) && !atomic_load_explicit(&w->inj_len, memory_order_relaxed))) {
            w->lifo_runs++;
            return a;
        }
        ring_push(w, a); /* fairness: serve the ring first */
    }
    w->lifo_runs = 0;
    /* Serve the inject queue every other pick while it has work, so actors made runnable by
     * other threads are not starved by a busy ring. */
    if (atomic_load_explicit(&w->inj_len, memory_order_relaxed) && (++w->rng & 1) &&
        (a = inject_pop(w)))
        return a;
    if ((a = ring_take(w))) return a;
    if ((a = inject_pop(w))) return a;
    return steal(w);
}

/* True when w could take work now (its own, or stealable); *seen: some other worker has queued
 * actors w may not take yet. */
static bool any_work(asw__worker_t *w, bool *seen)
{
    asw_system_t *sys = w->sys;
    if (ring_nonempty(w) || atomic_load(&w->inj_len)) return true;
    uint64_t now = 0;
    for (uint32_t i = 0; i < sys->nworkers; i++) {
        asw__worker_t *v = &sys->workers[i];
        if (v == w || !backlog(v)) continue;
        if (stealable(v, &now)) return true;
        *seen = true;
    }
    return false;
}

static void park(asw__worker_t *w)
{
    asw_system_t *sys = w->sys;
    bool seen = false;
    for (int i = 0; i < 200; i++) {
        if (any_work(w, &seen) || atomic_load(&sys->closing) >= 2) return;
        cpu_relax();
    }
    sched_yield();
    if (any_work(w, &seen)) return;
    pthread_mutex_lock(&sys->park_mu);
    atomic_fetch_add(&sys->sleepers, 1);
    /* Announce a deep sleep before the last look (pairs with nudge()'s fence). */
    atomic_fetch_add(&sys->deep_sleepers, 1);
    atomic_store(&w->parked, 1);
    atomic_store(&sys->searching, 0);
    atomic_thread_fence(memory_order_seq_cst);
    seen = false;
    if (!any_work(w, &seen) && atomic_load(&sys->closing) < 2) {
        if (seen) { /* work another worker may finish soon: look again after a while */
            atomic_store(&w->parked, 2);
            atomic_fetch_sub(&sys->deep_sleepers, 1);
            uint64_t until = asw__now_ns() + ASW__PARK_POLL_NS;
            struct timespec ts = {(time_t)(until / 1000000000u), (long)(until % 1000000000u)};
            pthread_cond_timedwait(&w->park_cv, &sys->park_mu, &ts);
            atomic_fetch_add(&sys->deep_sleepers, 1);
        } else {
            pthread_cond_wait(&w->park_cv, &sys->park_mu);
        }
    }
    atomic_fetch_sub(&sys->deep_sleepers, 1);
    atomic_store(&w->parked, 0);
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
                bool seen = false;
                if (any_work(w, &seen)) wake_one(sys);
            }
            asw__rt_run(w, a);
            atomic_store_explicit(&w->turn_t0, 0, memory_order_relaxed);
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

/* An actor that ends a turn with messages left while its last sender runs on another worker
 * moves to that worker: two partners that ended up on two workers (a steal, a race at the end
 * of a turn) would otherwise keep exchanging messages across cores, each hop a cross-core
 * hand-off. An actor fed from several workers may move at most once per turn. */
void asw__rt_requeue_follow(asw__worker_t *w, asw_actor_t *a)
{
    uint32_t lw = atomic_load_explicit(&a->last_worker, memory_order_relaxed);
    asw_system_t *sys = w->sys;
    if (lw == 0 || lw - 1 == w->index || lw > sys->nworkers) {
        requeue(w, a);
        return;
    }
    inject_push(&sys->workers[lw - 1], a);
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
    pthread_mutex_init(&sys->park_mu, NULL);
    pthread_mutex_init(&sys->space_mu, NULL);
    pthread_mutex_init(&sys->pool_mu, NULL);
    pthread_mutex_init(&sys->name_mu, NULL);
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
        pthread_mutex_init(&w->inj_mu, NULL);
        cond_init_mono(&w->park_cv); /* a parked worker may wait with a timeout */
    }
    for (uint32_t i = 0; i < o.workers; i++) {
        if (pthread_create(&sys->workers[i].thread, NULL, worker_main, &sys->workers[i])) {
            atomic_store(&sys->closing, 2);
            wake_all(sys);
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
        if (asw__now_ns() >= deadline) {
            rc = ASW_E_TIMEOUT;
            break;
        }
        /* Wake at least every 10 ms: some transitions (a suspended actor) do not signal. */
        uint64_t until = deadline;
        uint64_t soon = asw__now_ns() + 10000000u;
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
    return asw__rt_quiet(sys);
}

static bool pred_no_live(asw_system_t *sys)
{
    return atomic_load(&sys->live) == 0;
}

static uint64_t deadline_after(uint64_t ns)
{
    uint64_t now = asw__now_ns();
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
        if (graceful && asw__rt_cold(a)->sup) continue;
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
    wake_all(sys);
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
    for (uint32_t i = 0; i < sys->nworkers; i++) {
        pthread_mutex_destroy(&sys->workers[i].inj_mu);
        pthread_cond_destroy(&sys->workers[i].park_cv);
    }
    asw__free(sys->workers_raw);
    pthread_mutex_destroy(&sys->slot_mu);
    pthread_mutex_destroy(&sys->park_mu);
    pthread_mutex_destroy(&sys->space_mu);
    pthread_mutex_destroy(&sys->pool_mu);
    pthread_mutex_destroy(&sys->name_mu);
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
