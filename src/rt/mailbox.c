/*
 * src/rt/mailbox.c -- mailboxes: the intrusive multi-producer single-consumer queue, the pool of
 * message nodes, and the send path (lookup, liveness, bounded-mailbox policies, TTL stamping).
 *
 * Queue. Vyukov's intrusive MPSC queue (rt_int.h): a producer does one atomic exchange on `head`
 * and one store to the previous node's `next`; the consumer walks `tail` and never blocks. The
 * normal queue's head sits on the producers' cache line of the slot and its tail on the
 * consumer's, so neither side writes a line the other reads per message. Between a producer's
 * two steps the queue looks empty to the consumer, but its head has moved: the end of a turn
 * (actor.c) compares heads, so the actor is requeued instead of the message being lost.
 *
 * Pool. Nodes (96 bytes: header copy + routing) come from per-worker free lists; a worker that
 * frees more than it allocates hands batches of ASW__BATCH nodes to a global mutex-protected
 * stack, from which allocating workers take whole batches. Threads that are not workers use the
 * global stack directly. Nodes are carved from chunks freed only with the system.
 *
 * Send path. A send to an unbounded mailbox without TTL (the common case, deliver_w) is: node
 * from the worker's cache, header copy, lookup, one fetch_add on `enq`, the queue push, and a
 * state check; the actor is scheduled only when idle. `enq` (producers) and `deq` (consumer
 * only, plain stores) count user-visible messages; the depth is their difference, so the
 * consumer never does an atomic read-modify-write per message.
 *
 * Bounded mailboxes. A producer reserves a place with one fetch_add on `enq` and gives it back
 * when over capacity (FAIL, DROP_NEWEST, BLOCK). DROP_OLDEST always enqueues; the consumer trims
 * the oldest messages while the depth exceeds the capacity.
 * Every discarded message is counted (dropped / expired / dead letters); none is lost silently.
 *
 * Not here: scheduling (sched.c) and what a turn does with a node (actor.c).
 */
#include "rt/rt_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define ASW__BATCH      256u
#define ASW__CACHE_HIGH ASW__NODE_CACHE_HIGH

/* ---- node pool ---- */

static asw__mnode_t *nnext(asw__mnode_t *n)
{
    return (asw__mnode_t *)atomic_load_explicit(&n->q.next, memory_order_relaxed);
}

static void set_nnext(asw__mnode_t *n, asw__mnode_t *next)
{
    atomic_store_explicit(&n->q.next, next ? &next->q : NULL, memory_order_relaxed);
}

/* Allocates a chunk of ASW__BATCH nodes and returns them as a chain. pool_mu held. */
static asw__mnode_t *new_chunk_locked(asw_system_t *sys)
{
    if (sys->nnode_chunks == sys->cap_node_chunks) {
        size_t nc = sys->cap_node_chunks ? sys->cap_node_chunks * 2 : 64;
        void **p = asw__reallocarray(sys->node_chunks, nc, sizeof(void *));
        if (!p) return NULL;
        sys->node_chunks = p;
        sys->cap_node_chunks = nc;
    }
    asw__mnode_t *c = asw__malloc(ASW__BATCH * sizeof(asw__mnode_t));
    if (!c) return NULL;
    sys->node_chunks[sys->nnode_chunks++] = c;
    for (uint32_t i = 0; i + 1 < ASW__BATCH; i++)
        set_nnext(&c[i], &c[i + 1]);
    atomic_store_explicit(&c[ASW__BATCH - 1].q.next, NULL, memory_order_relaxed);
    return c;
}

/* Takes one whole batch (or a fresh chunk) as a chain; *out_n = its length. pool_mu held. */
static asw__mnode_t *take_batch_locked(asw_system_t *sys, uint32_t *out_n)
{
    asw__mnode_t *b = sys->pool_batches;
    if (b) {
        sys->pool_batches = b->msg.data;
        *out_n = (uint32_t)b->msg.word;
        return b;
    }
    *out_n = ASW__BATCH;
    return new_chunk_locked(sys);
}

asw__mnode_t *asw__rt_node_alloc(asw_system_t *sys)
{
    asw__worker_t *w = asw__rt_worker(sys);
    asw__mnode_t *n;
    if (ASW_LIKELY(w != NULL)) {
        if (ASW_UNLIKELY(!w->cache)) {
            pthread_mutex_lock(&sys->pool_mu);
            w->cache = take_batch_locked(sys, &w->ncache);
            pthread_mutex_unlock(&sys->pool_mu);
            if (!w->cache) {
                w->ncache = 0;
                return NULL;
            }
        }
        n = w->cache;
        w->cache = nnext(n);
        w->ncache--;
        return n;
    }
    pthread_mutex_lock(&sys->pool_mu);
    n = sys->pool_batches;
    if (n) {
        asw__mnode_t *rest = nnext(n);
        if (rest) {
            rest->msg.word = n->msg.word - 1;
            rest->msg.data = n->msg.data;
            sys->pool_batches = rest;
        } else {
            sys->pool_batches = n->msg.data;
        }
    } else {
        uint32_t cnt;
        n = take_batch_locked(sys, &cnt);
        if (n && cnt > 1) {
            asw__mnode_t *rest = nnext(n);
            rest->msg.word = cnt - 1;
            rest->msg.data = NULL;
            sys->pool_batches = rest;
        }
    }
    pthread_mutex_unlock(&sys->pool_mu);
    return n;
}

void asw__rt_node_free(asw_system_t *sys, asw__mnode_t *n)
{
    asw__worker_t *w = asw__rt_worker(sys);
    if (ASW_LIKELY(w != NULL)) {
        set_nnext(n, w->cache);
        w->cache = n;
        if (ASW_UNLIKELY(++w->ncache >= ASW__CACHE_HIGH)) {
            /* Hand the first ASW__BATCH nodes to the global stack. */
            asw__mnode_t *b = w->cache, *last = b;
            for (uint32_t i = 1; i < ASW__BATCH; i++)
                last = nnext(last);
            w->cache = nnext(last);
            w->ncache -= ASW__BATCH;
            atomic_store_explicit(&last->q.next, NULL, memory_order_relaxed);
            b->msg.word = ASW__BATCH;
            pthread_mutex_lock(&sys->pool_mu);
            b->msg.data = sys->pool_batches;
            sys->pool_batches = b;
            pthread_mutex_unlock(&sys->pool_mu);
        }
        return;
    }
    pthread_mutex_lock(&sys->pool_mu);
    asw__mnode_t *first = sys->pool_batches;
    if (first && first->msg.word < ASW__BATCH) {
        set_nnext(n, first);
        n->msg.word = first->msg.word + 1;
        n->msg.data = first->msg.data;
    } else {
        atomic_store_explicit(&n->q.next, NULL, memory_order_relaxed);
        n->msg.word = 1;
        n->msg.data = first;
    }
    sys->pool_batches = n;
    pthread_mutex_unlock(&sys->pool_mu);
}

void asw__rt_node_discard(asw_system_t *sys, asw__mnode_t *n)
{
    if ((n->kind == ASW__K_USER || n->kind == ASW__K_REPLY) && n->msg.data && n->msg.drop)
        n->msg.drop(n->msg.data, n->msg.len, n->msg.drop_ctx);
    asw__rt_node_free(sys, n);
}

void asw__rt_pool_destroy(asw_system_t *sys)
{
    for (size_t i = 0; i < sys->nnode_chunks; i++)
        asw__free(sys->node_chunks[i]);
    asw__free(sys->node_chunks);
    sys->node_chunks = NULL;
    sys->nnode_chunks = sys->cap_node_chunks = 0;
    sys->pool_batches = NULL;
}

/* ---- enqueue ---- */

void asw__rt_push(asw_system_t *sys, asw_actor_t *a, asw__mnode_t *n, bool sysprio)
{
    /* Read the node before publishing it: once pushed, the receiver may handle it and its
     * node may be recycled and rewritten by another thread. */
    uint32_t kind = n->kind;
    if (kind == ASW__K_USER || kind == ASW__K_REPLY)
        atomic_fetch_add_explicit(&a->enq, 1, memory_order_relaxed);
    if (sysprio)
        asw__mpsc_push(&a->sysq, &n->q);
    else
        asw__rt_npush(a, n);
    asw__rt_notify(sys, a, kind == ASW__K_KILL);
}

void asw__rt_space_signal(asw_system_t *sys, asw_actor_t *a)
{
    if (atomic_load(&a->waiters) == 0) return;
    pthread_mutex_lock(&sys->space_mu);
    pthread_cond_broadcast(&sys->space_cv);
    pthread_mutex_unlock(&sys->space_mu);
}

/* Reserves a place in a's mailbox: returns the depth before the reservation. */
static uint64_t reserve(asw_actor_t *a)
{
    uint64_t e = atomic_fetch_add_explicit(&a->enq, 1, memory_order_relaxed);
    uint64_t d = atomic_load_explicit(&a->deq, memory_order_relaxed);
    return e > d ? e - d : 0;
}

static void unreserve(asw_actor_t *a)
{
    atomic_fetch_sub_explicit(&a->enq, 1, memory_order_relaxed);
}

/* Waits for a place in a's full mailbox (BLOCK policy). Returns 0 with the place reserved. */
static int block_for_space(asw_system_t *sys, asw_actor_t *a, asw_actor_id_t to,
                           asw_error_t *out_err)
{
    uint64_t timeout = asw__rt_cold(a)->xo->block_timeout_ns; /* xo is set under BLOCK */
    uint64_t deadline = asw__now_ns() + timeout;
    int rc = ASW_OK;
    pthread_mutex_lock(&sys->space_mu);
    atomic_fetch_add(&a->waiters, 1);
    for (;;) {
        if (reserve(a) < a->capacity) break;
        unreserve(a);
        if (atomic_load(&a->id) != to || atomic_load(&a->state) == ASW__S_DEAD) {
            rc = asw__errorf(out_err, ASW_E_DEAD, "actor %#llx died while the sender waited",
                             (unsigned long long)to);
            break;
        }
        uint64_t now = asw__now_ns();
        if (now >= deadline) {
            rc = asw__errorf(out_err, ASW_E_TIMEOUT,
                             "mailbox of actor %#llx stayed full for %llu ns",
                             (unsigned long long)to, (unsigned long long)timeout);
            break;
        }
        struct timespec ts = {(time_t)(deadline / 1000000000u), (long)(deadline % 1000000000u)};
        pthread_cond_timedwait(&sys->space_cv, &sys->space_mu, &ts);
    }
    atomic_fetch_sub(&a->waiters, 1);
    pthread_mutex_unlock(&sys->space_mu);
    return rc;
}

/* The send path of a mailbox with a TTL or a capacity. Returns ASW_OK with the node pushed, 1
 * when the node was dropped by the drop-newest policy (counted; nothing else to do), or an error
 * with the node freed (payload left to the caller). */
static int deliver_slow(asw_system_t *sys, asw_actor_t *a, asw_actor_id_t to, asw__mnode_t *n,
                        asw_error_t *out_err)
{
    if (a->has_ttl && !n->deadline) n->deadline = asw__now_ns() + asw__rt_cold(a)->xo->ttl_ns;
    if (!a->capacity) {
        atomic_fetch_add_explicit(&a->enq, 1, memory_order_relaxed);
        return ASW_OK;
    }
    if (reserve(a) < a->capacity) return ASW_OK;
    switch (a->overflow) {
    case ASW_OVERFLOW_DROP_OLDEST: return ASW_OK; /* the consumer trims */
    case ASW_OVERFLOW_DROP_NEWEST:
        unreserve(a);
        atomic_fetch_add_explicit(&a->dropped, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&sys->c_dropped, 1, memory_order_relaxed);
        asw__rt_node_discard(sys, n);
        return 1;
    case ASW_OVERFLOW_BLOCK: {
        unreserve(a);
        int rc = block_for_space(sys, a, to, out_err);
        if (rc != ASW_OK) {
            atomic_fetch_add_explicit(&a->rejected, 1, memory_order_relaxed);
            asw__rt_node_free(sys, n);
        }
        return rc;
    }
    default:
        unreserve(a);
        atomic_fetch_add_explicit(&a->rejected, 1, memory_order_relaxed);
        asw__rt_node_free(sys, n);
        return asw__errorf(out_err, ASW_E_FULL, "mailbox of actor %#llx is full (%u)",
                           (unsigned long long)to, a->capacity);
    }
}

/* deliver with the caller's worker (or NULL) already known. */
static inline int deliver_w(asw_system_t *sys, asw__worker_t *w, asw_actor_id_t to, asw__mnode_t *n,
                            asw_error_t *out_err)
{
    asw_actor_t *a = asw__rt_lookup(sys, to);
    uint32_t st = a ? atomic_load_explicit(&a->state, memory_order_acquire) : ASW__S_FREE;
    if (ASW_UNLIKELY(st == ASW__S_FREE || st == ASW__S_DEAD)) {
        atomic_fetch_add_explicit(&sys->c_dead, 1, memory_order_relaxed);
        asw__rt_node_put(sys, w, n);
        return asw__errorf(out_err, ASW_E_DEAD, "actor %#llx is dead or unknown",
                           (unsigned long long)to);
    }
    n->to = to;
    if (ASW_UNLIKELY(a->has_ttl || a->capacity)) {
        int rc = deliver_slow(sys, a, to, n, out_err);
        if (rc) return rc > 0 ? ASW_OK : rc;
    } else {
        atomic_fetch_add_explicit(&a->enq, 1, memory_order_relaxed);
    }
    asw__rt_npush(a, n);
    if (w) {
        atomic_store_explicit(&w->sent, atomic_load_explicit(&w->sent, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        atomic_store_explicit(&a->last_worker, (uint16_t)(w->index + 1), memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&sys->c_sent, 1, memory_order_relaxed);
    }
    /* Schedule only when idle: an actor already scheduled (or running) will see the node. */
    if (atomic_load_explicit(&a->state, memory_order_acquire) != ASW__S_SCHED)
        asw__rt_notify(sys, a, false);
    return ASW_OK;
}

int asw__rt_deliver(asw_system_t *sys, asw_actor_id_t to, asw__mnode_t *n, asw_error_t *out_err)
{
    return deliver_w(sys, asw__rt_worker(sys), to, n, out_err);
}

int asw__rt_send_copy(asw_system_t *sys, asw__worker_t *w, asw_actor_id_t to, const asw_msg_t *msg,
                      asw_error_t *out_err)
{
    asw__mnode_t *n = asw__rt_node_get(sys, w);
    if (ASW_UNLIKELY(!n))
        return asw__errorf(out_err, ASW_E_NOMEM, "send: no memory for a message node");
    n->kind = ASW__K_USER;
    n->deadline = 0;
    n->msg = *msg;
    n->msg.corr = 0;
    return deliver_w(sys, w, to, n, out_err);
}

/* ---- public send ---- */

static inline int send_common(asw_system_t *sys, asw_actor_id_t to, const asw_msg_t *msg,
                              asw_actor_id_t from, asw_error_t *out_err)
{
    if (ASW_UNLIKELY(msg->type >= ASW_MSG_SYSTEM))
        return asw__errorf(out_err, ASW_E_INVALID,
                           "send: type %#x is reserved for runtime messages", msg->type);
    asw__worker_t *w = asw__rt_worker(sys);
    asw__mnode_t *n = asw__rt_node_get(sys, w);
    if (ASW_UNLIKELY(!n))
        return asw__errorf(out_err, ASW_E_NOMEM, "send: no memory for a message node");
    n->kind = ASW__K_USER;
    n->deadline = 0;
    n->msg = *msg;
    n->msg.from = from;
    n->msg.corr = 0;
    return deliver_w(sys, w, to, n, out_err);
}

int asw_send(asw_system_t *sys, asw_actor_id_t to, const asw_msg_t *msg, asw_error_t *out_err)
{
    if (!sys || !msg) return asw__errorf(out_err, ASW_E_INVALID, "send: NULL system or message");
    return send_common(sys, to, msg, msg->from, out_err);
}

int asw_actor_send(asw_actor_t *self, asw_actor_id_t to, const asw_msg_t *msg, asw_error_t *out_err)
{
    if (!self || !msg) return asw__errorf(out_err, ASW_E_INVALID, "send: NULL actor or message");
    return send_common(self->sys, to, msg, atomic_load_explicit(&self->id, memory_order_relaxed),
                       out_err);
}
