/*
 * src/rt/actor.c -- an actor's life: spawn, the turn (what the worker does with each message
 * node), suspension and resumption, errors and restarts in place, termination (links, monitors,
 * pending requests, dead letters), request-response and per-actor counters.
 *
 * A turn. The worker first delivers ASW_MSG_RESUME if a resume is pending, then an awaited reply
 * if one came, then (first turn only: the ASW__F_START flag set by spawn, no node) runs the
 * start hooks, then pops nodes, system queue first, while the turn's budget lasts: max_per_turn
 * units, one per node handled and one per actor spawned on this worker during the turn. Without
 * the spawn charge an actor that spawns in a loop of self-sent messages would spawn max_per_turn
 * times more actors than a turn handles messages: they overflow the run ring into the inject
 * list, drain the worker's slot cache (every spawn then takes the table lock) and look like a
 * backlog the other worker should steal, so their start and stop cross cores. Internal nodes (stop,
 * kill, request timeout) are handled by the runtime; user nodes are checked (addressed to this
 * incarnation? expired? trimmed by drop-oldest?) and given to the behaviour, whose return code
 * decides: continue, stop, suspend, yield or error (on_error hook, else exit with the error as
 * reason). The actor is then requeued (messages left), made idle, or parked as suspended.
 *
 * Invariants. Only the worker running an actor (state SCHED, won by CAS) touches its consumer
 * side: queues' tails, pending table, counters other than enq/dropped/rejected. Links, monitors
 * and the name pointer are guarded by the slot's spin lock, and the CLOSED flag (set under that
 * lock at termination) makes later link/monitor calls see the actor as dead. After terminate()
 * releases the slot, nothing here touches it again.
 *
 * Not here: queues and the send path (mailbox.c), scheduling (sched.c), supervisors
 * (supervisor.c), which are ordinary actors built on the hooks and messages defined here.
 */
#include "rt/rt_int.h"

#include <string.h>

struct asw__link {
    asw__link_t *next;
    asw_actor_id_t other;
    uint64_t ref; /* monitor reference; 0 for a link */
};

typedef struct pent {
    uint64_t corr; /* 0: free */
    asw_timer_id_t timer;
} pent_t;

struct asw__pending {
    uint32_t cap, count;
    pent_t e[];
};

enum { V_CONT = 0, V_EXIT, V_SUSP, V_YIELD };

void asw__rt_lock(asw_actor_t *a)
{
    while (atomic_flag_test_and_set_explicit(&a->lk, memory_order_acquire))
        ;
}

void asw__rt_unlock(asw_actor_t *a)
{
    atomic_flag_clear_explicit(&a->lk, memory_order_release);
}

static bool alive_state(uint32_t st)
{
    return st != ASW__S_FREE && st != ASW__S_DEAD;
}

static void bump(_Atomic uint64_t *c)
{
    /* Single-writer counter: a plain load and store, visible to readers as an atomic. */
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

static bool unlink_one(asw_actor_t *x, asw_actor_id_t xid, asw_actor_id_t other);

/* ---- spawn ---- */

int asw__rt_spawn(asw_system_t *sys, const asw_actor_opts_t *opts, asw_actor_id_t sup,
                  uint32_t restarts, int restart_reason, uint32_t extra_flags,
                  asw_actor_id_t *out_id, asw_error_t *out_err)
{
    int rc;
    if (!sys || !opts || !opts->behavior || !out_id)
        return asw__errorf(out_err, ASW_E_INVALID, "spawn: missing system, options or behavior");
    if ((unsigned)opts->overflow > ASW_OVERFLOW_BLOCK)
        return asw__errorf(out_err, ASW_E_INVALID, "spawn: unknown overflow policy %d",
                           (int)opts->overflow);
    if (opts->name && (rc = asw__rt_name_check(opts->name, out_err)) != ASW_OK) return rc;
    if (atomic_load(&sys->closing))
        return asw__errorf(out_err, ASW_E_CLOSED, "spawn: the system is shutting down");
    char *name = opts->name ? asw__strdup(opts->name) : NULL;
    if (opts->name && !name) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "spawn: out of memory");
        goto fail;
    }
    asw_actor_t *a;
    if ((rc = asw__rt_slot_alloc(sys, &a)) != ASW_OK) {
        asw__errorf(out_err, rc,
                    rc == ASW_E_LIMIT ? "spawn: actor table full" : "spawn: no memory");
        goto fail;
    }
    asw_actor_id_t id = atomic_load_explicit(&a->id, memory_order_relaxed);
    asw__cold_t *cold = asw__rt_cold(a);
    if ((opts->ttl_ns || opts->overflow == ASW_OVERFLOW_BLOCK) && !cold->xo &&
        !(cold->xo = asw__calloc(1, sizeof(asw__xopt_t)))) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "spawn: out of memory");
        asw__rt_slot_release(sys, a);
        goto fail;
    }
    cold->links = NULL;
    if (sup) { /* link child and supervisor before anyone can see the child */
        asw_actor_t *s = asw__rt_lookup(sys, sup);
        asw__link_t *ls = asw__malloc(sizeof(*ls)), *lc = asw__malloc(sizeof(*lc));
        bool ok = false;
        if (s && ls && lc) {
            asw__rt_lock(s);
            if (atomic_load(&s->id) == sup && !(atomic_load(&s->flags) & ASW__F_CLOSED) &&
                alive_state(atomic_load(&s->state))) {
                ls->other = id;
                ls->ref = 0;
                ls->next = asw__rt_cold(s)->links;
                asw__rt_cold(s)->links = ls;
                ok = true;
            }
            asw__rt_unlock(s);
        }
        if (!ok) {
            asw__free(ls);
            asw__free(lc);
            rc = asw__errorf(out_err, s ? ASW_E_NOMEM : ASW_E_DEAD, "spawn: supervisor gone");
            atomic_store(&a->state, ASW__S_FREE);
            asw__rt_slot_release(sys, a);
            goto fail;
        }
        lc->other = sup;
        lc->ref = 0;
        lc->next = NULL;
        cold->links = lc;
    }
    if (name && (rc = asw__rt_name_set(sys, name, id, true)) != ASW_OK) {
        asw__errorf(out_err, rc, "spawn: name \"%s\" %s", name,
                    rc == ASW_E_EXISTS ? "is taken" : "cannot be registered");
        if (sup) unlink_one(asw__rt_lookup(sys, sup), sup, id);
        asw__free(cold->links);
        cold->links = NULL;
        asw__rt_slot_release(sys, a);
        goto fail;
    }
    a->behavior = opts->behavior;
    a->state_ptr = cold->init_state = opts->state;
    cold->hooks = opts->hooks;
    cold->pending = NULL;
    cold->name = name;
    cold->sup = sup;
    if (cold->xo) {
        cold->xo->ttl_ns = opts->ttl_ns;
        cold->xo->block_timeout_ns = opts->block_timeout_ns;
    }
    a->has_ttl = opts->ttl_ns != 0;
    a->capacity = opts->mailbox_capacity;
    a->overflow = (uint8_t)opts->overflow;
    a->max_per_turn = opts->max_per_turn ? opts->max_per_turn : sys->max_per_turn;
    a->corr_seq = 0;
    atomic_store_explicit(&a->restarts, restarts, memory_order_relaxed);
    atomic_store_explicit(&a->dropped, 0, memory_order_relaxed);
    atomic_store_explicit(&a->rejected, 0, memory_order_relaxed);
    atomic_store_explicit(&a->enq, 0, memory_order_relaxed); /* the queues are empty */
    /* Spawned on a worker: as if fed by it, so it stays there unless that worker falls behind
     * (sched.c): its start and, often, its end run where its creator's data is. */
    asw__worker_t *sw = asw__rt_worker(sys);
    atomic_store_explicit(&a->last_worker, (uint16_t)(sw ? sw->index + 1 : 0),
                          memory_order_relaxed);
    if (sw) sw->turn_spawns++; /* charged to the running turn's budget (asw__rt_run) */
    atomic_store_explicit(&a->deq, 0, memory_order_relaxed);
    atomic_store_explicit(&a->handled, 0, memory_order_relaxed);
    atomic_store_explicit(&a->expired, 0, memory_order_relaxed);
    atomic_store_explicit(&a->busy_ns, 0, memory_order_relaxed);
    atomic_store_explicit(&a->await_corr, 0, memory_order_relaxed);
    atomic_store_explicit(&a->await_msg, NULL, memory_order_relaxed);
    a->start_reason = restart_reason;
    /* The start needs no message node: the first turn runs the start hooks before anything
     * else in the queues (as a first node in the system queue would). */
    bool hold = (extra_flags & ASW__F_HOLD) != 0;
    atomic_store_explicit(&a->flags,
                          (extra_flags & ~ASW__F_HOLD) | ASW__F_START |
                              (opts->trap_exit ? ASW__F_TRAP_EXIT : 0),
                          memory_order_relaxed);
    atomic_fetch_add(&sys->live, 1);
    atomic_fetch_add_explicit(&sys->c_spawned, 1, memory_order_relaxed);
    asw__rt_active(sys, asw__rt_worker(sys), true);
    atomic_store_explicit(&a->state, ASW__S_SCHED, memory_order_release);
    if (!hold) asw__rt_schedule(sys, a);
    *out_id = id;
    return ASW_OK;
fail:
    asw__free(name);
    return rc;
}

int asw_spawn(asw_system_t *sys, const asw_actor_opts_t *opts, asw_actor_id_t *out_id,
              asw_error_t *out_err)
{
    return asw__rt_spawn(sys, opts, 0, 0, 0, 0, out_id, out_err);
}

/* ---- small accessors ---- */

asw_actor_id_t asw_self(const asw_actor_t *self)
{
    return self ? atomic_load_explicit(&self->id, memory_order_relaxed) : ASW_ACTOR_NONE;
}

void *asw_actor_state(const asw_actor_t *self)
{
    return self ? self->state_ptr : NULL;
}

void asw_actor_set_state(asw_actor_t *self, void *state)
{
    if (self) self->state_ptr = state;
}

asw_system_t *asw_actor_system(const asw_actor_t *self)
{
    return self ? self->sys : NULL;
}

bool asw_actor_alive(asw_system_t *sys, asw_actor_id_t id)
{
    if (!sys) return false;
    asw_actor_t *a = asw__rt_lookup(sys, id);
    return a && alive_state(atomic_load(&a->state));
}

int asw__rt_sys_send(asw_system_t *sys, asw_actor_id_t to, uint32_t type, asw_actor_id_t from,
                     int32_t status, uint64_t word)
{
    asw_actor_t *a = asw__rt_lookup(sys, to);
    if (!a || !alive_state(atomic_load(&a->state))) {
        atomic_fetch_add_explicit(&sys->c_dead, 1, memory_order_relaxed);
        return ASW_E_DEAD;
    }
    asw__mnode_t *n = asw__rt_node_alloc(sys);
    if (!n) return ASW_E_NOMEM;
    memset(&n->msg, 0, sizeof(n->msg));
    n->kind = ASW__K_USER;
    n->to = to;
    n->deadline = 0;
    n->msg.type = type;
    n->msg.from = from;
    n->msg.status = status;
    n->msg.word = word;
    asw__rt_push(sys, a, n, true);
    return ASW_OK;
}

/* ---- pending requests (owner only) ---- */

static int pending_add(asw_actor_t *a, uint64_t corr, asw_timer_id_t timer)
{
    asw__pending_t *p = asw__rt_cold(a)->pending;
    for (;;) {
        if (p && p->count * 2 < p->cap && p->e[corr & (p->cap - 1)].corr == 0) break;
        uint32_t cap = p ? p->cap * 2 : 16;
        asw__pending_t *np;
        for (;; cap *= 2) { /* find a size where every live corr has its own place */
            if (cap > (1u << 24)) return ASW_E_LIMIT;
            np = asw__calloc(1, sizeof(*np) + (size_t)cap * sizeof(pent_t));
            if (!np) return ASW_E_NOMEM;
            np->cap = cap;
            bool ok = np->e[corr & (cap - 1)].corr == 0;
            for (uint32_t i = 0; ok && p && i < p->cap; i++) {
                if (!p->e[i].corr) continue;
                pent_t *d = &np->e[p->e[i].corr & (cap - 1)];
                if (d->corr || (p->e[i].corr & (cap - 1)) == (corr & (cap - 1)))
                    ok = false;
                else {
                    *d = p->e[i];
                    np->count++;
                }
            }
            if (ok) break;
            asw__free(np);
        }
        asw__free(p);
        asw__rt_cold(a)->pending = p = np;
    }
    pent_t *e = &p->e[corr & (p->cap - 1)];
    e->corr = corr;
    e->timer = timer;
    p->count++;
    return ASW_OK;
}

/* Removes corr; cancels its timer. Returns true when it was pending. */
static bool pending_remove(asw_actor_t *a, uint64_t corr)
{
    asw__pending_t *p = asw__rt_cold(a)->pending;
    if (!p || !corr) return false;
    pent_t *e = &p->e[corr & (p->cap - 1)];
    if (e->corr != corr) return false;
    asw__mnode_t *tn = NULL;
    if (e->timer && asw__rt_timer_cancel(a->sys, e->timer, &tn) == ASW_OK)
        asw__rt_node_free(a->sys, tn);
    e->corr = 0;
    e->timer = 0;
    p->count--;
    return true;
}

static void pending_clear(asw_actor_t *a)
{
    asw__pending_t *p = asw__rt_cold(a)->pending;
    if (!p) return;
    for (uint32_t i = 0; i < p->cap; i++)
        if (p->e[i].corr) pending_remove(a, p->e[i].corr);
    asw__free(p);
    asw__rt_cold(a)->pending = NULL;
}

void asw__rt_push_response(asw_system_t *sys, asw_actor_t *a, asw__mnode_t *n)
{
    uint64_t c = n->msg.corr;
    if (c && atomic_compare_exchange_strong(&a->await_corr, &c, 0)) {
        atomic_store_explicit(&a->await_msg, n, memory_order_release);
        asw__rt_notify(sys, a, true);
        return;
    }
    asw__rt_push(sys, a, n, true);
}

/* ---- the turn ---- */

static void run_start_hooks_done(asw_actor_t *a)
{
    atomic_fetch_or(&a->flags, ASW__F_STARTED);
    asw__cold_t *c = asw__rt_cold(a);
    if (c->hooks && c->hooks->post_start) c->hooks->post_start(a);
    if (c->sup) asw__rt_sys_send(a->sys, c->sup, ASW__MSG_STARTED, asw_self(a), 0, 0);
}

/* Restart in place (on_error returned RESTART). Returns V_CONT or V_EXIT with *reason. */
static int restart_in_place(asw_actor_t *a, int err, int *reason)
{
    const asw_actor_hooks_t *h = asw__rt_cold(a)->hooks;
    if (h && h->post_stop) h->post_stop(a, err);
    a->state_ptr = asw__rt_cold(a)->init_state;
    atomic_fetch_add(&a->restarts, 1);
    atomic_fetch_add(&a->sys->c_restarts, 1);
    if (h && h->on_restart) h->on_restart(a, err);
    if (h && h->pre_start) {
        int rc = h->pre_start(a);
        if (rc) {
            atomic_fetch_and(&a->flags, ~ASW__F_STARTED);
            *reason = rc > 0 ? ASW_E_INVALID : rc;
            return V_EXIT;
        }
    }
    if (h && h->post_start) h->post_start(a);
    return V_CONT;
}

/* Maps the behaviour's return code rc for msg to V_*, after dropping the payload it did not
 * take (the on_error hook sees the message first). */
static int verdict(asw_actor_t *a, asw_msg_t *msg, int rc, int *reason)
{
    asw_error_action_t act = ASW_ERR_ESCALATE;
    if (ASW_UNLIKELY(rc < 0 || rc > ASW_ACT_YIELD)) {
        if (rc > 0) rc = ASW_E_INVALID; /* an unknown verdict is a fault of the behaviour */
        const asw_actor_hooks_t *h = asw__rt_cold(a)->hooks;
        if (h && h->on_error) act = h->on_error(a, rc, msg);
    }
    if (msg->data && msg->drop) msg->drop(msg->data, msg->len, msg->drop_ctx);
    msg->data = NULL;
    switch (rc) {
    case ASW_ACT_OK: return V_CONT;
    case ASW_ACT_STOP: *reason = 0; return V_EXIT;
    case ASW_ACT_SUSPEND: return V_SUSP;
    case ASW_ACT_YIELD: return V_YIELD;
    default: break;
    }
    switch (act) {
    case ASW_ERR_RESUME: return V_CONT;
    case ASW_ERR_RESTART: return restart_in_place(a, rc, reason);
    case ASW_ERR_STOP: *reason = 0; return V_EXIT;
    default: *reason = rc; return V_EXIT;
    }
}

/* Gives msg to the behaviour, drops the payload it did not take, and maps the result. */
static int invoke(asw__worker_t *w, asw_actor_t *a, asw_msg_t *msg, int *reason)
{
    int rc = a->behavior(a, msg);
    bump(&a->handled);
    bump(&w->handled);
    return verdict(a, msg, rc, reason);
}

static void terminate(asw__worker_t *w, asw_actor_t *a, int reason);

/* Runs the start hooks of a new (or restarted) actor: its first step. */
static int start_actor(asw_actor_t *a, int *reason)
{
    atomic_fetch_and_explicit(&a->flags, ~ASW__F_START, memory_order_relaxed);
    uint32_t restarts = atomic_load_explicit(&a->restarts, memory_order_relaxed);
    const asw_actor_hooks_t *h = asw__rt_cold(a)->hooks;
    if (restarts && h && h->on_restart) h->on_restart(a, a->start_reason);
    if (h && h->pre_start) {
        int rc = h->pre_start(a);
        if (rc) {
            *reason = rc > 0 ? ASW_E_INVALID : rc;
            return V_EXIT;
        }
    }
    run_start_hooks_done(a);
    return V_CONT;
}

/* Handles one node. from_queue: it came from a queue (depth accounting applies). */
static int process(asw__worker_t *w, asw_actor_t *a, asw__mnode_t *n, bool from_queue, int *reason)
{
    asw_system_t *sys = w->sys;
    int v = V_CONT;
    switch (n->kind) {
    case ASW__K_KILL:
        *reason = n->msg.status;
        asw__rt_node_put(sys, w, n);
        return V_EXIT;
    case ASW__K_STOP:
        if (atomic_load_explicit(&a->flags, memory_order_relaxed) & ASW__F_TRAP_STOP) {
            asw_msg_t m = {.type = ASW__MSG_SHUTDOWN, .status = n->msg.status};
            asw__rt_node_put(sys, w, n);
            return invoke(w, a, &m, reason);
        }
        *reason = n->msg.status;
        asw__rt_node_put(sys, w, n);
        return V_EXIT;
    case ASW__K_REQ_TIMEOUT: {
        asw_msg_t m = {.type = ASW_MSG_TIMEOUT,
                       .status = n->msg.status,
                       .corr = n->msg.corr,
                       .from = n->msg.from};
        asw__rt_node_put(sys, w, n);
        if (!pending_remove(a, m.corr)) return V_CONT; /* the reply won the race */
        return invoke(w, a, &m, reason);
    }
    default: break;
    }
    /* K_USER and K_REPLY: user-visible messages. */
    if (from_queue) {
        bump(&a->deq);
        if (ASW_UNLIKELY(a->capacity) && a->overflow == ASW_OVERFLOW_BLOCK &&
            atomic_load_explicit(&a->waiters, memory_order_relaxed))
            asw__rt_space_signal(sys, a);
        /* The depth before this node was taken: more than the capacity means this node is one
         * of the oldest that drop-oldest trims. */
        if (ASW_UNLIKELY(a->capacity) && a->overflow == ASW_OVERFLOW_DROP_OLDEST &&
            asw__rt_depth(a) + 1 > a->capacity && n->kind == ASW__K_USER &&
            n->msg.type < ASW_MSG_SYSTEM) {
            atomic_fetch_add_explicit(&a->dropped, 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&sys->c_dropped, 1, memory_order_relaxed);
            asw__rt_node_discard(sys, n);
            return V_CONT;
        }
    }
    if (ASW_UNLIKELY(n->to != atomic_load_explicit(&a->id, memory_order_relaxed))) {
        atomic_fetch_add_explicit(&sys->c_dead, 1, memory_order_relaxed);
        asw__rt_node_discard(sys, n);
        return V_CONT;
    }
    if (n->kind == ASW__K_REPLY && !pending_remove(a, n->msg.corr)) {
        atomic_fetch_add_explicit(&sys->c_late, 1, memory_order_relaxed);
        asw__rt_node_discard(sys, n);
        return V_CONT;
    }
    if (ASW_UNLIKELY(n->deadline) && asw__now_ns() > n->deadline) {
        atomic_fetch_add_explicit(&a->expired, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&sys->c_expired, 1, memory_order_relaxed);
        asw__rt_node_discard(sys, n);
        return V_CONT;
    }
    v = invoke(w, a, &n->msg, reason);
    asw__rt_node_put(sys, w, n);
    return v;
}

/* Woken from suspension by a kill: skip everything up to the kill. */
static int find_kill(asw__worker_t *w, asw_actor_t *a, int *reason)
{
    asw__mnode_t *n;
    while ((n = (asw__mnode_t *)asw__mpsc_pop(&a->sysq))) {
        if (n->kind == ASW__K_KILL) {
            *reason = n->msg.status;
            asw__rt_node_free(w->sys, n);
            return V_EXIT;
        }
        if (n->kind == ASW__K_USER || n->kind == ASW__K_REPLY) {
            bump(&a->deq);
            atomic_fetch_add(&a->dropped, 1);
            atomic_fetch_add(&w->sys->c_dropped, 1);
        }
        asw__rt_node_discard(w->sys, n);
    }
    return V_CONT; /* the kill node is still being pushed: the next turn sees it */
}

void asw__rt_run(asw__worker_t *w, asw_actor_t *a)
{
    asw_system_t *sys = w->sys;
    uint64_t t0 = asw__now_ns(); /* thieves read it to tell a long turn (sched.c) */
    atomic_store_explicit(&w->turn_t0, t0, memory_order_relaxed);
    int reason = 0, v = V_CONT;
    uint32_t budget = a->max_per_turn, n = 0;
    w->turn_spawns = 0;
    bump(&w->turns);
    uint32_t fl = atomic_load_explicit(&a->flags, memory_order_acquire);
    if (ASW_UNLIKELY(fl & (ASW__F_KILLED | ASW__F_RESUME))) {
        if (fl & ASW__F_KILLED) {
            v = find_kill(w, a, &reason);
            if (v == V_CONT) {
                asw__rt_requeue(w, a);
                return;
            }
        } else {
            atomic_fetch_and(&a->flags, ~ASW__F_RESUME);
            asw_msg_t m = {.type = ASW_MSG_RESUME};
            v = invoke(w, a, &m, &reason);
        }
    }
    if (v == V_CONT && atomic_load_explicit(&a->await_msg, memory_order_relaxed)) {
        asw__mnode_t *am = atomic_exchange(&a->await_msg, NULL);
        if (am) v = process(w, a, am, false, &reason);
    }
    if (ASW_UNLIKELY(fl & ASW__F_START) && v == V_CONT) {
        n++;
        v = start_actor(a, &reason);
    }
    /* The common message (a user message to this incarnation, no TTL, unbounded mailbox) is
     * handled inline; anything else goes through process(). */
    asw_actor_id_t me = atomic_load_explicit(&a->id, memory_order_relaxed);
    bool plain = a->capacity == 0;
    while (v == V_CONT && n + w->turn_spawns < budget) {
        asw__mnode_t *node = asw__rt_pop(a);
        if (!node) break;
        n++;
        if (ASW_LIKELY(plain && node->kind == ASW__K_USER && node->to == me && !node->deadline)) {
            bump(&a->deq);
            int rc = a->behavior(a, &node->msg);
            bump(&a->handled);
            bump(&w->handled);
            if (ASW_LIKELY(rc == ASW_ACT_OK)) {
                asw_msg_t *m = &node->msg;
                if (ASW_UNLIKELY(m->data != NULL) && m->drop) m->drop(m->data, m->len, m->drop_ctx);
            } else {
                v = verdict(a, &node->msg, rc, &reason);
            }
            asw__rt_node_put(sys, w, node);
            continue;
        }
        v = process(w, a, node, true, &reason);
    }
    /* The turn's length feeds the actor's busy time and the worker's average turn, from which
     * thieves estimate how much work its queued actors represent (sched.c). */
    uint64_t dt = asw__now_ns() - t0;
    if (sys->busy_time)
        atomic_store_explicit(&a->busy_ns,
                              atomic_load_explicit(&a->busy_ns, memory_order_relaxed) + dt,
                              memory_order_relaxed);
    uint64_t avg = atomic_load_explicit(&w->avg_turn_ns, memory_order_relaxed);
    atomic_store_explicit(&w->avg_turn_ns, avg - avg / 8 + dt / 8, memory_order_relaxed);
    switch (v) {
    case V_EXIT: terminate(w, a, reason); return;
    case V_YIELD:
        atomic_fetch_or(&a->flags, ASW__F_RESUME);
        asw__rt_requeue(w, a);
        return;
    case V_SUSP:
        atomic_store(&a->state, ASW__S_SUSP);
        asw__rt_active(sys, w, false);
        asw__rt_quiet_signal(sys);
        /* A resume, kill or awaited reply that raced ahead of the suspension. */
        if ((atomic_load(&a->flags) & (ASW__F_RESUME | ASW__F_KILLED)) ||
            atomic_load(&a->await_msg))
            asw__rt_notify(sys, a, true);
        return;
    default: break;
    }
    /* The producers' ends are read once, before deciding: a push after this read changes a
     * head, which the re-check after going IDLE sees (its producer saw SCHED and did not
     * schedule); a push before it makes the queue non-empty here. (Reading the heads only after
     * an emptiness check would miss a push landing between the two.) */
    asw__qnode_t *hs = atomic_load(&a->sysq.head), *hn = atomic_load(&a->nhead);
    if (n == budget || a->sysq.tail != &a->sysq.stub || hs != &a->sysq.stub ||
        a->ntail != &a->nstub || hn != &a->nstub) {
        asw__rt_requeue_follow(w, a);
        return;
    }
    /* Both queues are empty now. Once the state is IDLE another worker may own the actor, so
     * the re-check below reads only the producers' ends. */
    atomic_store(&a->state, ASW__S_IDLE);
    asw__rt_active(sys, w, false);
    asw__rt_quiet_signal(sys);
    if (atomic_load(&a->sysq.head) != hs || atomic_load(&a->nhead) != hn ||
        (atomic_load(&a->flags) & ASW__F_RESUME) || atomic_load(&a->await_msg))
        asw__rt_notify(sys, a, false);
}

/* ---- termination ---- */

/* Discards every queued node of a dying (or reaped) actor; queued requests get an ASW_E_DEAD
 * answer so their requesters do not wait for the timeout. */
static void drain(asw_system_t *sys, asw_actor_t *a, bool count_dead)
{
    asw__mnode_t *n = atomic_exchange(&a->await_msg, NULL);
    if (n) asw__rt_node_discard(sys, n);
    while ((n = asw__rt_pop(a))) {
        if (n->kind == ASW__K_USER || n->kind == ASW__K_REPLY) {
            bump(&a->deq);
            if (count_dead || n->to != atomic_load(&a->id)) {
                atomic_fetch_add(&sys->c_dead, 1);
            } else {
                atomic_fetch_add(&a->dropped, 1);
                atomic_fetch_add(&sys->c_dropped, 1);
            }
            if (n->kind == ASW__K_USER && n->msg.corr && n->msg.from &&
                n->msg.type < ASW_MSG_SYSTEM) {
                asw_actor_t *r = asw__rt_lookup(sys, n->msg.from);
                asw__mnode_t *t = r ? asw__rt_node_alloc(sys) : NULL;
                if (t && alive_state(atomic_load(&r->state))) {
                    memset(&t->msg, 0, sizeof(t->msg));
                    t->kind = ASW__K_REQ_TIMEOUT;
                    t->to = n->msg.from;
                    t->deadline = 0;
                    t->msg.corr = n->msg.corr;
                    t->msg.from = n->to;
                    t->msg.status = ASW_E_DEAD;
                    asw__rt_push_response(sys, r, t);
                } else if (t) {
                    asw__rt_node_free(sys, t);
                }
            }
        }
        asw__rt_node_discard(sys, n);
    }
}

static void signal_links(asw_system_t *sys, asw_actor_id_t self, asw__link_t *l, int reason)
{
    while (l) {
        asw__link_t *next = l->next;
        if (l->ref) {
            asw__rt_sys_send(sys, l->other, ASW_MSG_DOWN, self, reason, l->ref);
        } else {
            asw_actor_t *o = asw__rt_lookup(sys, l->other);
            bool linked = false;
            if (o) {
                asw__rt_lock(o);
                for (asw__link_t **pp = &asw__rt_cold(o)->links; *pp; pp = &(*pp)->next) {
                    if ((*pp)->ref == 0 && (*pp)->other == self) {
                        asw__link_t *dead = *pp;
                        *pp = dead->next;
                        asw__free(dead);
                        linked = true;
                        break;
                    }
                }
                bool trap = atomic_load(&o->flags) & ASW__F_TRAP_EXIT;
                asw__rt_unlock(o);
                if (linked) {
                    if (trap)
                        asw__rt_sys_send(sys, l->other, ASW_MSG_EXIT, self, reason, 0);
                    else if (reason != 0)
                        asw_actor_stop(sys, l->other, reason, true);
                }
            }
        }
        asw__free(l);
        l = next;
    }
}

static void terminate(asw__worker_t *w, asw_actor_t *a, int reason)
{
    asw_system_t *sys = w ? w->sys : a->sys;
    asw_actor_id_t id = atomic_load(&a->id);
    const asw_actor_hooks_t *h = asw__rt_cold(a)->hooks;
    bool started = atomic_load(&a->flags) & ASW__F_STARTED;
    if (started && h && h->pre_stop) h->pre_stop(a, reason);
    if (started && h && h->post_stop) h->post_stop(a, reason);
    asw__rt_lock(a);
    atomic_fetch_or(&a->flags, ASW__F_CLOSED);
    asw__link_t *links = asw__rt_cold(a)->links;
    asw__rt_cold(a)->links = NULL;
    char *name = asw__rt_cold(a)->name;
    asw__rt_cold(a)->name = NULL;
    atomic_store(&a->state, ASW__S_DEAD);
    asw__rt_unlock(a);
    if (name) {
        asw__rt_name_clear(sys, name, id);
        asw__free(name);
    }
    pending_clear(a);
    drain(sys, a, false);
    signal_links(sys, id, links, reason);
    if (atomic_load(&a->waiters)) asw__rt_space_signal(sys, a);
    atomic_fetch_add(&sys->c_stopped, 1);
    atomic_store(&a->state, ASW__S_FREE);
    asw__rt_slot_release(sys, a);
    atomic_fetch_sub(&sys->live, 1);
    asw__rt_active(sys, w, false);
    asw__rt_quiet_signal(sys);
}

void asw__rt_reap_all(asw_system_t *sys)
{
    uint32_t n = sys->next_index;
    for (uint32_t i = 1; i < n; i++) {
        asw_actor_t *a = atomic_load(&sys->chunks[i >> ASW__CHUNK_BITS]) + (i & (ASW__CHUNK - 1));
        uint32_t st = atomic_load(&a->state);
        if (alive_state(st)) {
            if (st != ASW__S_SCHED) asw__rt_active(sys, NULL, true);
            terminate(NULL, a, 0);
        }
        drain(sys, a, true);
    }
}

/* ---- stop and resume ---- */

int asw_actor_stop(asw_system_t *sys, asw_actor_id_t id, int reason, bool kill)
{
    if (!sys) return ASW_E_INVALID;
    asw_actor_t *a = asw__rt_lookup(sys, id);
    if (!a || !alive_state(atomic_load(&a->state))) return ASW_E_DEAD;
    asw__mnode_t *n = asw__rt_node_alloc(sys);
    if (!n) return ASW_E_NOMEM;
    memset(&n->msg, 0, sizeof(n->msg));
    n->kind = kill ? ASW__K_KILL : ASW__K_STOP;
    n->to = id;
    n->deadline = 0;
    n->msg.status = reason;
    if (kill) {
        atomic_fetch_or(&a->flags, ASW__F_KILLED);
        asw__mpsc_push(&a->sysq, &n->q);
        asw__rt_notify(sys, a, true);
    } else {
        asw__rt_npush(a, n);
        asw__rt_notify(sys, a, false);
    }
    return ASW_OK;
}

int asw_actor_resume(asw_system_t *sys, asw_actor_id_t id)
{
    if (!sys) return ASW_E_INVALID;
    asw_actor_t *a = asw__rt_lookup(sys, id);
    if (!a || !alive_state(atomic_load(&a->state))) return ASW_E_DEAD;
    atomic_fetch_or(&a->flags, ASW__F_RESUME);
    asw__rt_notify(sys, a, true);
    return ASW_OK;
}

/* ---- links and monitors ---- */

int asw_monitor(asw_system_t *sys, asw_actor_id_t watcher, asw_actor_id_t target, uint64_t *out_ref)
{
    if (!sys) return ASW_E_INVALID;
    if (!asw_actor_alive(sys, watcher)) return ASW_E_DEAD;
    asw__link_t *l = asw__malloc(sizeof(*l));
    if (!l) return ASW_E_NOMEM;
    l->other = watcher;
    l->ref = atomic_fetch_add(&sys->monitor_seq, 1) + 1;
    if (out_ref) *out_ref = l->ref;
    asw_actor_t *t = asw__rt_lookup(sys, target);
    bool added = false;
    if (t) {
        asw__rt_lock(t);
        if (atomic_load(&t->id) == target && !(atomic_load(&t->flags) & ASW__F_CLOSED) &&
            alive_state(atomic_load(&t->state))) {
            l->next = asw__rt_cold(t)->links;
            asw__rt_cold(t)->links = l;
            added = true;
        }
        asw__rt_unlock(t);
    }
    if (!added) {
        asw__rt_sys_send(sys, watcher, ASW_MSG_DOWN, target, ASW_E_NOT_FOUND, l->ref);
        asw__free(l);
    }
    return ASW_OK;
}

int asw_demonitor(asw_system_t *sys, asw_actor_id_t target, uint64_t ref)
{
    if (!sys || !ref) return ASW_E_INVALID;
    asw_actor_t *t = asw__rt_lookup(sys, target);
    if (!t) return ASW_E_NOT_FOUND;
    asw__link_t *found = NULL;
    asw__rt_lock(t);
    if (atomic_load(&t->id) == target) {
        for (asw__link_t **pp = &asw__rt_cold(t)->links; *pp; pp = &(*pp)->next) {
            if ((*pp)->ref == ref) {
                found = *pp;
                *pp = found->next;
                break;
            }
        }
    }
    asw__rt_unlock(t);
    asw__free(found);
    return found ? ASW_OK : ASW_E_NOT_FOUND;
}

static void lock2(asw_actor_t *x, asw_actor_t *y)
{
    if (x < y) {
        asw__rt_lock(x);
        asw__rt_lock(y);
    } else {
        asw__rt_lock(y);
        asw__rt_lock(x);
    }
}

static bool open_for(asw_actor_t *x, asw_actor_id_t id)
{
    return x && atomic_load(&x->id) == id && !(atomic_load(&x->flags) & ASW__F_CLOSED) &&
           alive_state(atomic_load(&x->state));
}

/* The other end of a link to a dead actor: exit signal with reason ASW_E_NOT_FOUND. */
static void exit_noproc(asw_system_t *sys, asw_actor_t *x, asw_actor_id_t xid, asw_actor_id_t dead)
{
    if (!open_for(x, xid)) return;
    if (atomic_load(&x->flags) & ASW__F_TRAP_EXIT)
        asw__rt_sys_send(sys, xid, ASW_MSG_EXIT, dead, ASW_E_NOT_FOUND, 0);
    else
        asw_actor_stop(sys, xid, ASW_E_NOT_FOUND, true);
}

int asw_link(asw_system_t *sys, asw_actor_id_t a, asw_actor_id_t b)
{
    if (!sys || a == b) return ASW_E_INVALID;
    asw_actor_t *x = asw__rt_lookup(sys, a), *y = asw__rt_lookup(sys, b);
    asw__link_t *la = asw__malloc(sizeof(*la)), *lb = asw__malloc(sizeof(*lb));
    if (!la || !lb) {
        asw__free(la);
        asw__free(lb);
        return ASW_E_NOMEM;
    }
    bool ox = false, oy = false;
    if (x && y) {
        lock2(x, y);
        ox = open_for(x, a);
        oy = open_for(y, b);
        if (ox && oy) {
            la->other = b;
            la->ref = 0;
            la->next = asw__rt_cold(x)->links;
            asw__rt_cold(x)->links = la;
            lb->other = a;
            lb->ref = 0;
            lb->next = asw__rt_cold(y)->links;
            asw__rt_cold(y)->links = lb;
        }
        asw__rt_unlock(x);
        asw__rt_unlock(y);
        if (ox && oy) return ASW_OK;
    } else {
        ox = x && open_for(x, a);
        oy = y && open_for(y, b);
    }
    asw__free(la);
    asw__free(lb);
    if (ox) exit_noproc(sys, x, a, b);
    if (oy) exit_noproc(sys, y, b, a);
    return ASW_E_DEAD;
}

static bool unlink_one(asw_actor_t *x, asw_actor_id_t xid, asw_actor_id_t other)
{
    asw__link_t *found = NULL;
    if (!x) return false;
    asw__rt_lock(x);
    if (atomic_load(&x->id) == xid) {
        for (asw__link_t **pp = &asw__rt_cold(x)->links; *pp; pp = &(*pp)->next) {
            if ((*pp)->ref == 0 && (*pp)->other == other) {
                found = *pp;
                *pp = found->next;
                break;
            }
        }
    }
    asw__rt_unlock(x);
    asw__free(found);
    return found != NULL;
}

int asw_unlink(asw_system_t *sys, asw_actor_id_t a, asw_actor_id_t b)
{
    if (!sys || a == b) return ASW_E_INVALID;
    bool r1 = unlink_one(asw__rt_lookup(sys, a), a, b);
    bool r2 = unlink_one(asw__rt_lookup(sys, b), b, a);
    return (r1 || r2) ? ASW_OK : ASW_E_NOT_FOUND;
}

/* ---- request-response ---- */

int asw_request(asw_actor_t *self, asw_actor_id_t target, const asw_msg_t *msg, uint64_t timeout_ns,
                unsigned flags, uint64_t *out_corr, asw_error_t *out_err)
{
    if (!self || !msg) return asw__errorf(out_err, ASW_E_INVALID, "request: NULL argument");
    if (msg->type >= ASW_MSG_SYSTEM)
        return asw__errorf(out_err, ASW_E_INVALID, "request: type %#x is reserved", msg->type);
    asw_system_t *sys = self->sys;
    asw_actor_id_t me = asw_self(self);
    if (++self->corr_seq == 0) ++self->corr_seq;
    uint64_t corr = self->corr_seq;
    asw__mnode_t *n = asw__rt_node_alloc(sys), *tn = NULL;
    int rc;
    if (!n) return asw__errorf(out_err, ASW_E_NOMEM, "request: out of memory");
    n->kind = ASW__K_USER;
    n->deadline = 0;
    n->msg = *msg;
    n->msg.from = me;
    n->msg.corr = corr;
    asw_timer_id_t timer = 0;
    if (timeout_ns) {
        tn = asw__rt_node_alloc(sys);
        if (!tn) {
            rc = asw__errorf(out_err, ASW_E_NOMEM, "request: out of memory");
            goto fail;
        }
        memset(&tn->msg, 0, sizeof(tn->msg));
        tn->kind = ASW__K_REQ_TIMEOUT;
        tn->deadline = 0;
        tn->msg.corr = corr;
        tn->msg.from = target;
        tn->msg.status = ASW_E_TIMEOUT;
    }
    if ((rc = pending_add(self, corr, 0)) != ASW_OK) {
        asw__errorf(out_err, rc, "request: cannot record the pending request");
        goto fail;
    }
    if (tn) {
        if ((rc = asw__rt_timer_add(sys, me, tn, ASW__T_REQ, timeout_ns, &timer)) != ASW_OK) {
            pending_remove(self, corr);
            asw__errorf(out_err, rc, "request: cannot arm the timeout");
            goto fail;
        }
        tn = NULL;
        asw__rt_cold(self)->pending->e[corr & (asw__rt_cold(self)->pending->cap - 1)].timer = timer;
    }
    if (flags & ASW_REQ_AWAIT) atomic_store(&self->await_corr, corr);
    rc = asw__rt_deliver(sys, target, n, out_err); /* frees n on failure */
    if (rc != ASW_OK) {
        atomic_store(&self->await_corr, 0);
        pending_remove(self, corr);
        return rc;
    }
    if (out_corr) *out_corr = corr;
    return ASW_OK;
fail:
    if (tn) asw__rt_node_free(sys, tn);
    asw__rt_node_free(sys, n);
    return rc;
}

int asw_reply(asw_actor_t *self, const asw_msg_t *request, const asw_msg_t *reply,
              asw_error_t *out_err)
{
    if (!self || !request || !reply)
        return asw__errorf(out_err, ASW_E_INVALID, "reply: NULL argument");
    if (!request->corr || !request->from || request->type >= ASW_MSG_SYSTEM)
        return asw__errorf(out_err, ASW_E_INVALID, "reply: the message is not a request");
    asw_system_t *sys = self->sys;
    asw_actor_t *r = asw__rt_lookup(sys, request->from);
    if (!r || !alive_state(atomic_load(&r->state))) {
        atomic_fetch_add_explicit(&sys->c_dead, 1, memory_order_relaxed);
        return asw__errorf(out_err, ASW_E_DEAD, "reply: requester %#llx is gone",
                           (unsigned long long)request->from);
    }
    asw__mnode_t *n = asw__rt_node_alloc(sys);
    if (!n) return asw__errorf(out_err, ASW_E_NOMEM, "reply: out of memory");
    n->kind = ASW__K_REPLY;
    n->deadline = 0;
    n->to = request->from;
    n->msg = *reply;
    n->msg.type = ASW_MSG_REPLY;
    n->msg.corr = request->corr;
    n->msg.from = asw_self(self);
    asw__rt_push_response(sys, r, n);
    return ASW_OK;
}

/* ---- counters ---- */

int asw_actor_stats(asw_system_t *sys, asw_actor_id_t id, asw_actor_stats_t *out)
{
    if (!sys || !out) return ASW_E_INVALID;
    memset(out, 0, sizeof(*out));
    asw_actor_t *a = asw__rt_lookup(sys, id);
    if (!a || !alive_state(atomic_load(&a->state))) return ASW_E_DEAD;
    out->mailbox_depth = asw__rt_depth(a);
    out->received = atomic_load_explicit(&a->enq, memory_order_relaxed);
    out->handled = atomic_load_explicit(&a->handled, memory_order_relaxed);
    out->dropped = atomic_load_explicit(&a->dropped, memory_order_relaxed);
    out->expired = atomic_load_explicit(&a->expired, memory_order_relaxed);
    out->rejected = atomic_load_explicit(&a->rejected, memory_order_relaxed);
    out->restarts = atomic_load_explicit(&a->restarts, memory_order_relaxed);
    out->busy_ns = atomic_load_explicit(&a->busy_ns, memory_order_relaxed);
    if (atomic_load(&a->id) != id) {
        memset(out, 0, sizeof(*out));
        return ASW_E_DEAD;
    }
    return ASW_OK;
}
