/*
 * src/rt/rt_int.h -- what the files of the actor runtime share: the actor slot, the message node,
 * the Vyukov MPSC queue, the worker, the system, and the internal functions between files.
 *
 * Layout. An actor lives in a slot of a two-level table owned by the system (chunks of
 * ASW__CHUNK slots, never freed before the system): its memory is type-stable, so a sender that
 * raced with the actor's death touches a valid slot and at worst leaves a message that is later
 * discarded as a dead letter (every node carries its target id; the consumer drops nodes whose
 * id is not its own). The hot slot is 192 bytes in three cache lines, split by who writes them:
 * producers (queue head, enqueue count, state), the consumer (queue tails, dequeue count), and
 * nobody on the message path (id, behaviour, limits). Fields off the message path (hooks, links,
 * name, pending requests, supervisor) are in a 56-byte cold part at the same index in an array
 * after the chunk's slots, so an idle actor costs 248 bytes of table.
 *
 * Scheduling state of an actor (`state`): IDLE -> SCHED by whoever enqueues first (CAS), SCHED ->
 * IDLE / SUSP by the worker running it, SUSP -> SCHED by a resume/kill/awaited reply (CAS), any
 * -> DEAD at termination, FREE when the slot is on the free list. Only the CAS winner pushes the
 * actor on a run queue, so an actor is on at most one queue and run by at most one worker.
 */
#ifndef ASW_RT_RT_INT_H
#define ASW_RT_RT_INT_H

#include "airssys/actor.h"
#include "base/base.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define ASW__CHUNK_BITS 10
#define ASW__CHUNK      (1u << ASW__CHUNK_BITS)
#define ASW__RING       256u /* per-worker run queue capacity (power of two) */
#define ASW__LIFO_MAX   32u  /* consecutive LIFO-slot runs before a fair requeue */
#define ASW__SLOT_CACHE 64u  /* free slot indexes a worker keeps for itself */

/* ---- the intrusive MPSC queue (Vyukov) ---- */
typedef struct asw__qnode {
    _Atomic(struct asw__qnode *) next;
} asw__qnode_t;

/* Internal kinds of message nodes. */
enum {
    ASW__K_USER = 0,    /* a message for the behaviour (user or ASW_MSG_* type) */
    ASW__K_START,       /* unused: the start is the ASW__F_START flag (kept for numbering) */
    ASW__K_STOP,        /* graceful stop (status = reason) */
    ASW__K_KILL,        /* immediate stop (status = reason) */
    ASW__K_REQ_TIMEOUT, /* a request's timer fired (corr) */
    ASW__K_REPLY,       /* a reply (routed through the pending table) */
};

/* Internal message types, delivered only to the runtime's own behaviours (the supervisor). */
#define ASW__MSG_STARTED     (ASW_MSG_SYSTEM + 0x100u) /* a child finished its start hooks */
#define ASW__MSG_SHUTDOWN    (ASW_MSG_SYSTEM + 0x101u) /* graceful stop for F_TRAP_STOP actors */
#define ASW__MSG_SUP_RESTART (ASW_MSG_SYSTEM + 0x102u) /* backoff elapsed */
#define ASW__MSG_SUP_KILL    (ASW_MSG_SYSTEM + 0x103u) /* a child's shutdown timeout elapsed */

typedef struct asw__mnode {
    asw__qnode_t q; /* first: the queue link (also the free-list link) */
    uint32_t kind;
    uint32_t pad;
    asw_actor_id_t to;
    uint64_t deadline; /* monotonic ns after which the message expired; 0: none */
    asw_msg_t msg;
} asw__mnode_t;

typedef struct asw__mpsc {
    _Atomic(asw__qnode_t *) head; /* producers exchange here */
    asw__qnode_t *tail;           /* consumer only */
    asw__qnode_t stub;
} asw__mpsc_t;

/* The queue operations take the three parts separately, so a mailbox can keep the producers'
 * end and the consumer's end on different cache lines. Producer side, any thread: */
static inline void asw__q_push(_Atomic(asw__qnode_t *) *head, asw__qnode_t *n)
{
    atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
    asw__qnode_t *prev = atomic_exchange_explicit(head, n, memory_order_acq_rel);
    atomic_store_explicit(&prev->next, n, memory_order_release);
}

/* Consumer side. Returns NULL when empty or when a producer is between its two steps. */
static inline asw__qnode_t *asw__q_pop(_Atomic(asw__qnode_t *) *head, asw__qnode_t **tailp,
                                       asw__qnode_t *stub)
{
    asw__qnode_t *tail = *tailp;
    asw__qnode_t *next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (tail == stub) {
        if (!next) return NULL;
        *tailp = next;
        tail = next;
        next = atomic_load_explicit(&next->next, memory_order_acquire);
    }
    if (ASW_LIKELY(next != NULL)) {
        *tailp = next;
        return tail;
    }
    if (tail != atomic_load_explicit(head, memory_order_acquire)) return NULL; /* mid-push */
    asw__q_push(head, stub);
    next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (next) {
        *tailp = next;
        return tail;
    }
    return NULL;
}

/* Consumer side, cheap: true when a node may be poppable, reading only the consumer's end (the
 * stub's link, written by a producer only when the queue was empty). False negatives are
 * possible only while a producer is between its two steps. */
static inline bool asw__q_ready(asw__qnode_t *tail, asw__qnode_t *stub)
{
    return tail != stub || atomic_load_explicit(&stub->next, memory_order_acquire) != NULL;
}

static inline void asw__q_init(_Atomic(asw__qnode_t *) *head, asw__qnode_t **tail,
                               asw__qnode_t *stub)
{
    atomic_store_explicit(&stub->next, NULL, memory_order_relaxed);
    atomic_store_explicit(head, stub, memory_order_relaxed);
    *tail = stub;
}

#define asw__mpsc_init(q)    asw__q_init(&(q)->head, &(q)->tail, &(q)->stub)
#define asw__mpsc_push(q, n) asw__q_push(&(q)->head, (n))
#define asw__mpsc_pop(q)     asw__q_pop(&(q)->head, &(q)->tail, &(q)->stub)

/* ---- actor slot ---- */
enum { ASW__S_FREE = 0, ASW__S_IDLE, ASW__S_SCHED, ASW__S_SUSP, ASW__S_DEAD };

/* Bits of asw_actor.flags (atomic). */
#define ASW__F_RESUME    1u  /* deliver ASW_MSG_RESUME at the start of the next turn */
#define ASW__F_CLOSED    2u  /* links/monitors closed: the actor is terminating */
#define ASW__F_TRAP_EXIT 4u  /* linked exits arrive as messages */
#define ASW__F_TRAP_STOP 8u  /* graceful stops arrive as ASW__MSG_SHUTDOWN (supervisors) */
#define ASW__F_KILLED    16u /* a kill is queued: wake even when suspended */
#define ASW__F_STARTED   32u /* pre_start succeeded: stop hooks will run */
#define ASW__F_START     64u /* start hooks pending: run first in the first turn (no node) */
/* Spawn only (never stored): not scheduled yet; the caller finishes setting it up, then calls
 * asw__rt_schedule. */
#define ASW__F_HOLD 128u

typedef struct asw__link asw__link_t;
typedef struct asw__pending asw__pending_t;

struct asw_actor {
    /* line 0: written by producers on every send (queue head, enqueue count), read by them for
     * the scheduling state; the consumer touches it once per turn (state) or when a queue runs
     * empty (head), never per message. */
    _Alignas(64) _Atomic(asw__qnode_t *) nhead; /* normq producers' end */
    _Atomic uint64_t enq;     /* user-visible messages accepted (producers +; refused sends -) */
    _Atomic uint32_t state;   /* ASW__S_* */
    _Atomic uint32_t flags;   /* ASW__F_* */
    _Atomic uint64_t dropped; /* overflow policy drops (producers) and discards (consumer) */
    _Atomic uint32_t rejected;
    _Atomic uint16_t waiters;     /* senders blocked on a full mailbox */
    _Atomic uint16_t last_worker; /* worker of the last sender + 1 (0: another thread) */
    struct asw_actor *rq_next;    /* link in a worker's inject list */
    _Atomic uint64_t await_corr;  /* request whose reply resumes the actor */
    _Atomic uint64_t expired;
    /* line 1: written by the consumer on every message; the system queue (rare pushes). */
    _Alignas(64) asw__qnode_t *ntail; /* normq consumer's end */
    asw__qnode_t nstub;
    asw__mpsc_t sysq;     /* system priority: overtakes normq */
    _Atomic uint64_t deq; /* user-visible messages taken from the queues (consumer only) */
    _Atomic uint64_t handled;
    _Atomic uint64_t busy_ns;
    /* line 2: read-mostly (written at spawn): read by producers and consumer alike. */
    _Alignas(64) _Atomic uint64_t id; /* current id (generation << 32 | index) */
    asw_system_t *sys;
    asw_behavior_fn behavior;
    void *state_ptr;
    uint32_t capacity;
    uint8_t overflow;
    atomic_flag lk;  /* guards links, the name and the supervisor state snapshot */
    uint8_t has_ttl; /* cold->xo->ttl_ns is set: senders stamp deadlines */
    uint8_t pad0;
    uint32_t max_per_turn;
    int32_t start_reason; /* on_restart reason for the pending start (F_START) */
    _Atomic uint32_t restarts;
    uint32_t corr_seq;
    _Atomic(asw__mnode_t *) await_msg; /* the awaited reply (or timeout), when it came */
};

/* Options few actors use, allocated for a slot the first time one of its actors needs them and
 * kept with the slot until the system is freed (a racing sender may still read them). */
typedef struct asw__xopt {
    uint64_t ttl_ns;
    uint64_t block_timeout_ns;
} asw__xopt_t;

/* The cold part of a slot: fields off the message path, in a packed array after the chunk's
 * slots (same index), so an idle actor costs 192 + 56 bytes. */
typedef struct asw__cold {
    const asw_actor_hooks_t *hooks;
    void *init_state;
    asw__link_t *links;      /* links and monitors on this actor (guarded by lk) */
    asw__pending_t *pending; /* outstanding requests (owner only) */
    char *name;              /* registered name (owned, guarded by lk) or NULL */
    asw_actor_id_t sup;      /* supervisor notified after start, or 0 */
    asw__xopt_t *xo;         /* TTL / block timeout, or NULL (never freed before the system) */
} asw__cold_t;

_Static_assert(sizeof(struct asw_actor) == 192, "an actor slot is three cache lines");
_Static_assert(sizeof(asw__cold_t) == 56, "the cold part of a slot is 56 bytes");

/* Bytes of one chunk of the actor table: ASW__CHUNK slots, then their cold parts. */
#define ASW__CHUNK_BYTES ((size_t)ASW__CHUNK * (sizeof(struct asw_actor) + sizeof(asw__cold_t)))

/* The cold part of slot a. */
static inline asw__cold_t *asw__rt_cold(asw_actor_t *a)
{
    uint32_t i = (uint32_t)atomic_load_explicit(&a->id, memory_order_relaxed) & (ASW__CHUNK - 1);
    return (asw__cold_t *)(void *)(a - i + ASW__CHUNK) + i;
}

/* Pushes to the normal queue (producer side). */
static inline void asw__rt_npush(asw_actor_t *a, asw__mnode_t *n)
{
    asw__q_push(&a->nhead, &n->q);
}

/* Pops the next node, system queue first, or NULL. Consumer only. The system queue is checked
 * through its consumer's end only, so a turn of many messages does not read a line the
 * producers of normal messages keep writing. */
static inline asw__mnode_t *asw__rt_pop(asw_actor_t *a)
{
    asw__qnode_t *q = NULL;
    if (ASW_UNLIKELY(asw__q_ready(a->sysq.tail, &a->sysq.stub))) q = asw__mpsc_pop(&a->sysq);
    if (!q) q = asw__q_pop(&a->nhead, &a->ntail, &a->nstub);
    return (asw__mnode_t *)q;
}

/* Messages queued now (user-visible ones). */
static inline uint64_t asw__rt_depth(asw_actor_t *a)
{
    uint64_t e = atomic_load_explicit(&a->enq, memory_order_relaxed);
    uint64_t d = atomic_load_explicit(&a->deq, memory_order_relaxed);
    return e > d ? e - d : 0;
}

/* ---- workers ---- */
typedef struct asw__worker {
    asw_system_t *sys;
    uint32_t index;
    pthread_t thread;
    /* SPMC ring: the owner pushes at tail; the owner and thieves take at head (CAS). On its own
     * cache lines, so thieves do not slow down the owner-only fields (nor the next worker). */
    _Alignas(64) _Atomic uint64_t head;
    _Atomic uint64_t tail;
    _Atomic(asw_actor_t *) ring[ASW__RING];
    _Alignas(64) asw_actor_t *lifo; /* not stealable: the actor just made runnable by this worker */
    uint32_t lifo_runs;
    uint32_t turn_spawns; /* actors spawned during the current turn: each counts as a message */
    /* node cache */
    asw__mnode_t *cache;
    uint32_t ncache;
    uint32_t rng;
    /* free actor-slot indexes (spawn and termination on this worker skip slot_mu) */
    uint32_t nslots;
    uint32_t slots[ASW__SLOT_CACHE];
    /* counters (written by the owner only) */
    _Atomic uint64_t sent, handled, turns, steals;
    /* Actors this worker moved into / out of state SCHED (summed by asw__rt_quiet()). */
    _Atomic uint64_t act_up, act_down;
    /* Read by thieves: when the current turn started (ns; 0 between turns) and whether the owner
     * sleeps. */
    _Alignas(64) _Atomic uint64_t turn_t0;
    _Atomic uint64_t avg_turn_ns; /* moving average of the owner's turn lengths (1/8 weight) */
    _Atomic uint32_t parked; /* 0 awake, 1 parked, 2 parked and polling (written under park_mu) */
    pthread_cond_t park_cv;  /* the owner sleeps here (with sys->park_mu) */
    /* Actors made runnable for this worker (their home) by threads that are not workers. */
    _Alignas(64) pthread_mutex_t inj_mu;
    asw_actor_t *inj_head, *inj_tail;
    _Atomic uint32_t inj_len;
} asw__worker_t;

/* Nodes a worker keeps before handing a batch back to the global pool (mailbox.c). */
#define ASW__NODE_CACHE_HIGH 512u

/* ---- the system ---- */
struct asw_system {
    uint32_t nworkers;
    uint32_t max_per_turn;
    bool busy_time;
    asw__worker_t *workers; /* 64-byte aligned inside workers_raw */
    void *workers_raw;
    _Atomic int closing; /* 1: no new spawns; 2: workers must exit */
    _Atomic int shut;    /* shutdown done */

    /* actor table */
    _Atomic(asw_actor_t *) *chunks;
    void **chunk_raw;
    uint32_t max_chunks;
    pthread_mutex_t slot_mu;
    uint32_t next_index; /* next never-used index (index 0 is never used) */
    uint32_t *free_idx;
    uint32_t nfree, cap_free;
    _Atomic uint64_t live; /* live actors */

    /* parking */
    pthread_mutex_t park_mu;
    _Atomic uint32_t sleepers;
    _Atomic uint32_t deep_sleepers; /* parked without a timeout (saw no queued work at all) */
    _Atomic uint32_t searching;     /* a woken worker has not found work yet */
    /* Actors in state SCHED: moves in and out counted by the worker that made them (act_up /
     * act_down) or, from other threads, here; asw__rt_quiet() sums them. */
    _Atomic uint64_t act_up, act_down;
    pthread_cond_t quiet_cv; /* signalled when active drops to 0 or live drops (park_mu) */
    _Atomic uint32_t quiet_waiters;

    /* full bounded mailboxes (block policy) */
    pthread_mutex_t space_mu;
    pthread_cond_t space_cv;

    /* message node pool: batches of free nodes */
    pthread_mutex_t pool_mu;
    asw__mnode_t *pool_batches; /* batch chain: msg.data links batches, msg.word = count */
    void **node_chunks;
    size_t nnode_chunks, cap_node_chunks;

    /* names: open addressing, lock-free reads; writers hold name_mu */
    pthread_mutex_t name_mu;
    _Atomic(struct asw__names *) names;
    struct asw__names *old_names; /* retired tables, freed with the system */

    /* timers */
    struct asw__timers *timers;

    _Atomic uint64_t monitor_seq;

    /* counters of events off the hot path, and of sends from non-worker threads */
    _Atomic uint64_t c_spawned, c_stopped, c_sent, c_dead, c_dropped, c_expired, c_late;
    _Atomic uint64_t c_restarts, c_escalations;
};

/* The worker of the current thread (set by worker_main), or NULL. */
extern _Thread_local asw__worker_t *asw__rt_tls_worker ASW_TLS_IE;

/* The worker of the current thread when it belongs to sys, else NULL. */
static inline asw__worker_t *asw__rt_worker(asw_system_t *sys)
{
    asw__worker_t *w = asw__rt_tls_worker;
    return (w && w->sys == sys) ? w : NULL;
}
/* Node from the worker's cache (w may be NULL: a thread that is not a worker), else from the
 * pool. NULL when out of memory. */
asw__mnode_t *asw__rt_node_alloc(asw_system_t *sys);
void asw__rt_node_free(asw_system_t *sys, asw__mnode_t *n);
static inline asw__mnode_t *asw__rt_node_get(asw_system_t *sys, asw__worker_t *w)
{
    if (ASW_LIKELY(w && w->cache)) {
        asw__mnode_t *n = w->cache;
        w->cache = (asw__mnode_t *)atomic_load_explicit(&n->q.next, memory_order_relaxed);
        w->ncache--;
        return n;
    }
    return asw__rt_node_alloc(sys);
}

static inline void asw__rt_node_put(asw_system_t *sys, asw__worker_t *w, asw__mnode_t *n)
{
    if (ASW_LIKELY(w && w->ncache + 1 < ASW__NODE_CACHE_HIGH)) {
        atomic_store_explicit(&n->q.next, (asw__qnode_t *)w->cache, memory_order_relaxed);
        w->cache = n;
        w->ncache++;
        return;
    }
    asw__rt_node_free(sys, n);
}

/* Counts an actor entering (up) or leaving (!up) state SCHED, on the calling thread's worker
 * counters when it is a worker of sys (no shared line per turn), else on the system's. */
static inline void asw__rt_active(asw_system_t *sys, asw__worker_t *w, bool up)
{
    if (w) {
        _Atomic uint64_t *c = up ? &w->act_up : &w->act_down;
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                              memory_order_release);
    } else {
        atomic_fetch_add(up ? &sys->act_up : &sys->act_down, 1);
    }
}

/* sched.c */
void asw__rt_schedule(asw_system_t *sys, asw_actor_t *a); /* caller won the CAS to SCHED */
/* Makes `a` runnable after a push (CAS IDLE->SCHED, or SUSP->SCHED when wake_susp). */
void asw__rt_notify(asw_system_t *sys, asw_actor_t *a, bool wake_susp);
void asw__rt_quiet_signal(asw_system_t *sys);
/* True when no actor is in state SCHED (a consistent snapshot of the counters). */
bool asw__rt_quiet(asw_system_t *sys);
/* Puts a at the back of w's ring (end of a turn with messages left). */
void asw__rt_requeue(asw__worker_t *w, asw_actor_t *a);
/* End of a turn with messages left: back on w's ring, or on the worker of its last sender when
 * that is another worker (partners gather on one worker; see sched.c). */
void asw__rt_requeue_follow(asw__worker_t *w, asw_actor_t *a);

/* mailbox.c: node pool and enqueue */
/* Drops the node's payload (if any) and frees it. */
void asw__rt_node_discard(asw_system_t *sys, asw__mnode_t *n);
void asw__rt_pool_destroy(asw_system_t *sys);
/* Pushes n to a (system queue when sysprio) and makes a runnable. Applies no capacity rule. */
void asw__rt_push(asw_system_t *sys, asw_actor_t *a, asw__mnode_t *n, bool sysprio);
/* Full send path of a user message node: lookup, liveness, capacity policy. On failure the node
 * is freed but its payload is left to the caller. */
int asw__rt_deliver(asw_system_t *sys, asw_actor_id_t to, asw__mnode_t *n, asw_error_t *out_err);
/* Sends a copy of the header msg (corr cleared, from kept) to `to` as a user message, with the
 * caller's worker w (or NULL) already looked up: the broker's per-subscriber send. Ownership of
 * msg->data moves on ASW_OK only. */
int asw__rt_send_copy(asw_system_t *sys, asw__worker_t *w, asw_actor_id_t to, const asw_msg_t *msg,
                      asw_error_t *out_err);
void asw__rt_space_signal(asw_system_t *sys, asw_actor_t *a);

/* registry.c */
int asw__rt_table_init(asw_system_t *sys, uint32_t max_actors);
void asw__rt_table_destroy(asw_system_t *sys);
/* Returns the slot of id when its generation matches (alive or not), else NULL. Lock-free:
 * two loads and a compare (inline: it is on every send). */
static inline asw_actor_t *asw__rt_lookup(asw_system_t *sys, asw_actor_id_t id)
{
    uint32_t idx = (uint32_t)id;
    uint32_t ci = idx >> ASW__CHUNK_BITS;
    if (ASW_UNLIKELY(idx == 0 || ci >= sys->max_chunks)) return NULL;
    asw_actor_t *c = atomic_load_explicit(&sys->chunks[ci], memory_order_acquire);
    if (ASW_UNLIKELY(!c)) return NULL;
    asw_actor_t *a = &c[idx & (ASW__CHUNK - 1)];
    if (atomic_load_explicit(&a->id, memory_order_acquire) != id) return NULL;
    return a;
}
int asw__rt_slot_alloc(asw_system_t *sys, asw_actor_t **out);
void asw__rt_slot_release(asw_system_t *sys, asw_actor_t *a);
int asw__rt_name_set(asw_system_t *sys, const char *name, asw_actor_id_t id, bool check_alive);
/* Clears name -> id only if it still maps to id. */
void asw__rt_name_clear(asw_system_t *sys, const char *name, asw_actor_id_t id);
void asw__rt_names_destroy(asw_system_t *sys);
int asw__rt_name_check(const char *name, asw_error_t *out_err);

/* timer.c */
enum { ASW__T_SEND = 0, ASW__T_REQ, ASW__T_SYS };
int asw__rt_timers_start(asw_system_t *sys);
void asw__rt_timers_stop(asw_system_t *sys); /* joins the thread; drops what is pending */
/* Arms a timer that, at now+delay, pushes node n to `to` (kind: T_SEND goes through the normal
 * send path, T_REQ / T_SYS push to the system queue). Takes ownership of n on success. */
int asw__rt_timer_add(asw_system_t *sys, asw_actor_id_t to, asw__mnode_t *n, int kind,
                      uint64_t delay_ns, asw_timer_id_t *out_id);
/* Cancels; on success returns the node (caller disposes of it) through out_node. */
int asw__rt_timer_cancel(asw_system_t *sys, asw_timer_id_t id, asw__mnode_t **out_node);

/* actor.c */
int asw__rt_spawn(asw_system_t *sys, const asw_actor_opts_t *opts, asw_actor_id_t sup,
                  uint32_t restarts, int restart_reason, uint32_t extra_flags,
                  asw_actor_id_t *out_id, asw_error_t *out_err);
/* Runs one turn of `a` on worker w. */
void asw__rt_run(asw__worker_t *w, asw_actor_t *a);
/* Terminates every actor still alive after the workers stopped (shutdown). */
void asw__rt_reap_all(asw_system_t *sys);
/* Routes a reply or request-timeout node to requester a: into the await slot (and resumes a)
 * when a awaits that corr, else into its system queue. */
void asw__rt_push_response(asw_system_t *sys, asw_actor_t *a, asw__mnode_t *n);
/* Sends a runtime message (system priority) from `from` to `to`; counts a dead letter when to
 * is dead. */
int asw__rt_sys_send(asw_system_t *sys, asw_actor_id_t to, uint32_t type, asw_actor_id_t from,
                     int32_t status, uint64_t word);
void asw__rt_lock(asw_actor_t *a);
void asw__rt_unlock(asw_actor_t *a);

#endif /* ASW_RT_RT_INT_H */
