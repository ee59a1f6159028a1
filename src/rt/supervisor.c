/*
 * src/rt/supervisor.c -- supervisors: an ordinary actor whose behaviour is the state machine
 * below, linked to its children (it traps their exits) and told by the runtime when a child
 * finished its start hooks (ASW__MSG_STARTED).
 *
 * Phases. START: children are spawned one at a time in order; the next one only after the
 * previous one reported STARTED (ordered start). RUN: waiting for exits. STOP: children of a
 * range are stopped one at a time in reverse order, each gracefully (its queued messages are
 * handled first) and killed when its shutdown timeout passes; then the supervisor restarts the
 * range (after the backoff delay), escalates, or stops, depending on why it was stopping.
 *
 * Restart intensity: a ring of the last max_restarts+1 restart times; one more restart while
 * the oldest of them is still inside the window means a storm: the supervisor stops all its
 * children and dies with ASW_E_LIMIT, which its own supervisor sees as an abnormal exit.
 *
 * Invariants: ids[i] != 0 exactly while child i is alive (as far as the supervisor knows); the
 * ids array is read by other threads only under the actor's lock (asw_supervisor_child), and
 * the state is freed under that lock in post_stop.
 *
 * Not here: dynamic children (add/remove at run time) -- the child list is fixed at start.
 */
#include "rt/rt_int.h"

#include <string.h>

enum { C_NONE = 0, C_STARTING, C_RUNNING, C_STOPPING, C_DONE };
enum { P_START = 0, P_RUN, P_STOP };
enum { A_RESTART = 0, A_ESCALATE, A_SHUTDOWN };

typedef struct sup {
    const asw_supervisor_opts_t *o;
    size_t n;
    _Atomic uint64_t *ids;
    uint8_t *st;
    uint32_t *nrestarts;
    int *reasons;
    uint64_t *times; /* ring of restart times, capacity max_restarts + 1 */
    uint32_t ntimes, tpos;
    int phase;
    size_t start_idx;
    size_t stop_idx, stop_lo, restart_lo;
    int after;
    int exit_reason;
    asw_timer_id_t kill_timer;
    uint64_t rng;
} sup_t;

static int sup_behavior(asw_actor_t *self, asw_msg_t *msg);
static int sup_pre_start(asw_actor_t *self);
static void sup_post_stop(asw_actor_t *self, int reason);

static const asw_actor_hooks_t sup_hooks = {
    .pre_start = sup_pre_start,
    .post_stop = sup_post_stop,
};

static void sup_free(sup_t *s)
{
    if (!s) return;
    asw__free((void *)s->ids);
    asw__free(s->st);
    asw__free(s->nrestarts);
    asw__free(s->reasons);
    asw__free(s->times);
    asw__free(s);
}

static int check_opts(const asw_supervisor_opts_t *o, int depth, asw_error_t *out_err)
{
    if (!o) return asw__errorf(out_err, ASW_E_INVALID, "supervisor: NULL options");
    if (depth > 64) return asw__errorf(out_err, ASW_E_INVALID, "supervisor: tree deeper than 64");
    if ((unsigned)o->strategy > ASW_REST_FOR_ONE || (unsigned)o->backoff > ASW_BACKOFF_EXPONENTIAL)
        return asw__errorf(out_err, ASW_E_INVALID, "supervisor: unknown strategy or backoff");
    if (o->nchildren && !o->children)
        return asw__errorf(out_err, ASW_E_INVALID, "supervisor: children missing");
    if (o->max_restarts > 1000000)
        return asw__errorf(out_err, ASW_E_INVALID, "supervisor: max_restarts too large");
    for (size_t i = 0; i < o->nchildren; i++) {
        const asw_child_spec_t *c = &o->children[i];
        if ((unsigned)c->restart > ASW_TEMPORARY)
            return asw__errorf(out_err, ASW_E_INVALID, "supervisor: child %zu: bad restart", i);
        if (c->supervisor) {
            int rc = check_opts(c->supervisor, depth + 1, out_err);
            if (rc) return rc;
        } else if (!c->actor.behavior) {
            return asw__errorf(out_err, ASW_E_INVALID, "supervisor: child %zu has no behavior", i);
        }
    }
    return ASW_OK;
}

static void set_id(sup_t *s, size_t i, asw_actor_id_t id);

static int sup_spawn(asw_system_t *sys, const asw_supervisor_opts_t *o, asw_actor_id_t parent,
                     uint32_t restarts, int reason, bool first_inline, asw_actor_id_t *out_id,
                     asw_error_t *out_err)
{
    sup_t *s = asw__calloc(1, sizeof(*s));
    if (!s) return asw__errorf(out_err, ASW_E_NOMEM, "supervisor: out of memory");
    s->o = o;
    s->n = o->nchildren;
    size_t n = s->n ? s->n : 1;
    s->ids = asw__calloc(n, sizeof(*s->ids));
    s->st = asw__calloc(n, 1);
    s->nrestarts = asw__calloc(n, sizeof(uint32_t));
    s->reasons = asw__calloc(n, sizeof(int));
    s->times = asw__calloc((size_t)o->max_restarts + 1, sizeof(uint64_t));
    s->rng = asw__now_ns() | 1;
    if (!s->ids || !s->st || !s->nrestarts || !s->reasons || !s->times) {
        sup_free(s);
        return asw__errorf(out_err, ASW_E_NOMEM, "supervisor: out of memory");
    }
    asw_actor_opts_t ao = {.behavior = sup_behavior,
                           .state = s,
                           .hooks = &sup_hooks,
                           .name = o->name,
                           .trap_exit = true};
    uint32_t hold = first_inline ? ASW__F_HOLD : 0;
    int rc =
        asw__rt_spawn(sys, &ao, parent, restarts, reason, ASW__F_TRAP_STOP | hold, out_id, out_err);
    if (rc) {
        sup_free(s);
        return rc;
    }
    if (first_inline) {
        /* Spawn the first child now, on the caller's thread, before the supervisor runs (nothing
         * else touches s yet): its name resolves when asw_supervisor_start returns, without
         * waiting for a worker. Its pre_start still runs on a worker and reports STARTED; the
         * supervisor's first turn (sup_pre_start) waits for that. A failure here is retried
         * (and counted) by sup_pre_start. */
        const asw_child_spec_t *c = s->n ? &o->children[0] : NULL;
        asw_actor_id_t cid = 0;
        if (c && !c->supervisor &&
            asw__rt_spawn(sys, &c->actor, *out_id, 0, 0, 0, &cid, NULL) == ASW_OK) {
            set_id(s, 0, cid);
            s->st[0] = C_STARTING;
        }
        asw__rt_schedule(sys, asw__rt_lookup(sys, *out_id));
    }
    return ASW_OK;
}

int asw_supervisor_start(asw_system_t *sys, const asw_supervisor_opts_t *opts,
                         asw_actor_id_t *out_id, asw_error_t *out_err)
{
    if (!sys || !out_id) return asw__errorf(out_err, ASW_E_INVALID, "supervisor: NULL argument");
    int rc = check_opts(opts, 0, out_err);
    if (rc) return rc;
    return sup_spawn(sys, opts, 0, 0, 0, true, out_id, out_err);
}

asw_actor_id_t asw_supervisor_child(asw_system_t *sys, asw_actor_id_t sup, size_t index)
{
    if (!sys) return ASW_ACTOR_NONE;
    asw_actor_t *a = asw__rt_lookup(sys, sup);
    if (!a) return ASW_ACTOR_NONE;
    asw_actor_id_t id = ASW_ACTOR_NONE;
    asw__rt_lock(a);
    if (atomic_load(&a->id) == sup && !(atomic_load(&a->flags) & ASW__F_CLOSED) &&
        a->behavior == sup_behavior && a->state_ptr) {
        sup_t *s = a->state_ptr;
        if (index < s->n) id = atomic_load(&s->ids[index]);
    }
    asw__rt_unlock(a);
    return id;
}

/* ---- the state machine ---- */

static int child_exit(asw_actor_t *self, sup_t *s, size_t i, int reason);

static void set_id(sup_t *s, size_t i, asw_actor_id_t id)
{
    atomic_store(&s->ids[i], id);
}

/* Spawns the next child that must start; returns an ASW_ACT_* verdict. */
static int start_next(asw_actor_t *self, sup_t *s)
{
    asw_system_t *sys = asw_actor_system(self);
    while (s->start_idx < s->n) {
        size_t i = s->start_idx;
        if (s->st[i] == C_STARTING) return ASW_ACT_OK; /* spawned inline: wait for STARTED */
        if (s->st[i] != C_NONE) {
            s->start_idx++;
            continue;
        }
        const asw_child_spec_t *c = &s->o->children[i];
        asw_actor_id_t id = 0;
        int rc;
        if (c->supervisor)
            rc = sup_spawn(sys, c->supervisor, asw_self(self), s->nrestarts[i], s->reasons[i],
                           false, &id, NULL);
        else
            rc = asw__rt_spawn(sys, &c->actor, asw_self(self), s->nrestarts[i], s->reasons[i], 0,
                               &id, NULL);
        if (rc != ASW_OK) return child_exit(self, s, i, rc); /* counts toward the intensity */
        set_id(s, i, id);
        s->st[i] = C_STARTING;
        return ASW_ACT_OK; /* wait for STARTED */
    }
    s->phase = P_RUN;
    return ASW_ACT_OK;
}

static void arm_kill_timer(asw_actor_t *self, sup_t *s, size_t i)
{
    asw_system_t *sys = asw_actor_system(self);
    uint64_t t = s->o->children[i].shutdown_timeout_ns;
    if (!t) t = 5000000000u;
    asw__mnode_t *n = asw__rt_node_alloc(sys);
    s->kill_timer = 0;
    if (!n) return;
    memset(&n->msg, 0, sizeof(n->msg));
    n->kind = ASW__K_USER;
    n->deadline = 0;
    n->msg.type = ASW__MSG_SUP_KILL;
    n->msg.word = i;
    n->msg.corr = atomic_load(&s->ids[i]);
    if (asw__rt_timer_add(sys, asw_self(self), n, ASW__T_SYS, t, &s->kill_timer) != ASW_OK) {
        asw__rt_node_free(sys, n);
        s->kill_timer = 0;
    }
}

static uint64_t backoff_delay(sup_t *s, uint32_t nth)
{
    const asw_supervisor_opts_t *o = s->o;
    uint64_t d = 0, base = o->backoff_base_ns;
    if (nth == 0) nth = 1;
    switch (o->backoff) {
    case ASW_BACKOFF_LINEAR: d = base * nth; break;
    case ASW_BACKOFF_EXPONENTIAL:
        d = nth > 40 ? UINT64_MAX / 4 : base << (nth - 1);
        if (o->backoff_max_ns && d > o->backoff_max_ns) d = o->backoff_max_ns;
        s->rng ^= s->rng << 13;
        s->rng ^= s->rng >> 7;
        s->rng ^= s->rng << 17;
        d += s->rng % (d / 4 + 1);
        break;
    default: break;
    }
    if (o->backoff_max_ns && d > o->backoff_max_ns) d = o->backoff_max_ns;
    return d;
}

/* Logical entry k (0 = oldest) of the restart-time ring. */
static uint64_t ring_at(sup_t *s, uint32_t k)
{
    uint32_t cap = s->o->max_restarts + 1;
    return s->times[(s->tpos + cap - s->ntimes + k) % cap];
}

/* Restarts inside the window ending now: binary search over the time-ordered ring, O(log n). */
static uint32_t in_window(sup_t *s, uint64_t now)
{
    uint64_t win = s->o->within_ns ? s->o->within_ns : 5000000000u;
    uint32_t lo = 0, hi = s->ntimes;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (now - ring_at(s, mid) <= win)
            hi = mid;
        else
            lo = mid + 1;
    }
    return s->ntimes - lo;
}

/* Records a restart now; *exceeded when that makes more than max_restarts in the window. */
static void record_restart(sup_t *s, bool *exceeded)
{
    uint64_t now = asw__now_ns();
    uint32_t cap = s->o->max_restarts + 1;
    s->times[s->tpos] = now;
    s->tpos = (s->tpos + 1) % cap;
    if (s->ntimes < cap) s->ntimes++;
    *exceeded = in_window(s, now) > s->o->max_restarts;
}

static int finish_stop(asw_actor_t *self, sup_t *s)
{
    asw_system_t *sys = asw_actor_system(self);
    switch (s->after) {
    case A_ESCALATE: atomic_fetch_add(&sys->c_escalations, 1); return ASW_E_LIMIT;
    case A_SHUTDOWN: return ASW_ACT_STOP;
    default: break;
    }
    /* The intensity was checked when the failure came; this only reads the count. */
    uint32_t nth = in_window(s, asw__now_ns());
    uint64_t d = backoff_delay(s, nth);
    s->phase = P_START;
    s->start_idx = s->restart_lo;
    if (d == 0) return start_next(self, s);
    asw__mnode_t *n = asw__rt_node_alloc(sys);
    if (n) {
        memset(&n->msg, 0, sizeof(n->msg));
        n->kind = ASW__K_USER;
        n->deadline = 0;
        n->msg.type = ASW__MSG_SUP_RESTART;
        if (asw__rt_timer_add(sys, asw_self(self), n, ASW__T_SYS, d, NULL) == ASW_OK)
            return ASW_ACT_OK;
        asw__rt_node_free(sys, n);
    }
    return start_next(self, s); /* no timer: restart now rather than never */
}

/* Stops the next running child of the stop range (reverse order). */
static int stop_next(asw_actor_t *self, sup_t *s)
{
    asw_system_t *sys = asw_actor_system(self);
    while (s->stop_idx > s->stop_lo) {
        size_t i = --s->stop_idx;
        asw_actor_id_t id = atomic_load(&s->ids[i]);
        if (!id || (s->st[i] != C_RUNNING && s->st[i] != C_STARTING)) continue;
        s->st[i] = C_STOPPING;
        if (asw_actor_stop(sys, id, 0, false) != ASW_OK) {
            set_id(s, i, 0);
            s->st[i] = C_NONE;
            continue;
        }
        arm_kill_timer(self, s, i);
        return ASW_ACT_OK;
    }
    return finish_stop(self, s);
}

static int begin_stop(asw_actor_t *self, sup_t *s, size_t lo, size_t hi_excl, int after)
{
    s->phase = P_STOP;
    s->stop_lo = lo;
    s->stop_idx = hi_excl;
    s->after = after;
    return stop_next(self, s);
}

/* Child i died on its own (or could not be spawned) with `reason`. */
static int child_exit(asw_actor_t *self, sup_t *s, size_t i, int reason)
{
    asw_system_t *sys = asw_actor_system(self);
    const asw_child_spec_t *c = &s->o->children[i];
    set_id(s, i, 0);
    s->reasons[i] = reason;
    bool restart = c->restart == ASW_PERMANENT || (c->restart == ASW_TRANSIENT && reason != 0);
    if (s->phase == P_STOP) {
        /* Already stopping a range: the dead child is simply not running any more. */
        s->st[i] = restart && s->after == A_RESTART ? C_NONE : C_DONE;
        return ASW_ACT_OK;
    }
    if (!restart) {
        s->st[i] = C_DONE;
        if (s->phase == P_START && s->start_idx == i) return start_next(self, s);
        return ASW_ACT_OK;
    }
    bool exceeded;
    record_restart(s, &exceeded);
    s->st[i] = C_NONE;
    if (exceeded) {
        s->exit_reason = ASW_E_LIMIT;
        return begin_stop(self, s, 0, s->n, A_ESCALATE);
    }
    s->nrestarts[i]++;
    atomic_fetch_add(&sys->c_restarts, 1);
    size_t lo = i, hi = i + 1;
    if (s->o->strategy == ASW_ONE_FOR_ALL) lo = 0, hi = s->n;
    if (s->o->strategy == ASW_REST_FOR_ONE) hi = s->n;
    for (size_t k = lo; k < hi; k++) {
        if (k == i) continue;
        if (s->o->children[k].restart == ASW_TEMPORARY && s->st[k] == C_RUNNING) continue;
        if (s->st[k] == C_RUNNING || s->st[k] == C_STARTING) {
            s->nrestarts[k]++;
            s->reasons[k] = reason;
        }
    }
    s->restart_lo = lo;
    return begin_stop(self, s, lo, hi, A_RESTART);
}

static size_t find_child(sup_t *s, asw_actor_id_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (id && atomic_load(&s->ids[i]) == id) return i;
    return SIZE_MAX;
}

static int sup_behavior(asw_actor_t *self, asw_msg_t *msg)
{
    sup_t *s = asw_actor_state(self);
    asw_system_t *sys = asw_actor_system(self);
    switch (msg->type) {
    case ASW__MSG_STARTED: {
        size_t i = find_child(s, msg->from);
        if (i == SIZE_MAX || s->st[i] != C_STARTING) return ASW_ACT_OK;
        s->st[i] = C_RUNNING;
        if (s->phase == P_START && s->start_idx == i) {
            s->start_idx++;
            return start_next(self, s);
        }
        return ASW_ACT_OK;
    }
    case ASW_MSG_EXIT: {
        size_t i = find_child(s, msg->from);
        if (i == SIZE_MAX) return ASW_ACT_OK;
        if (s->st[i] == C_STOPPING) {
            asw__mnode_t *n = NULL;
            if (s->kill_timer && asw__rt_timer_cancel(sys, s->kill_timer, &n) == ASW_OK)
                asw__rt_node_free(sys, n);
            s->kill_timer = 0;
            set_id(s, i, 0);
            bool again = s->after == A_RESTART && s->o->children[i].restart != ASW_TEMPORARY;
            s->st[i] = again ? C_NONE : C_DONE;
            return stop_next(self, s);
        }
        return child_exit(self, s, i, msg->status);
    }
    case ASW__MSG_SUP_RESTART:
        if (s->phase == P_START) return start_next(self, s);
        return ASW_ACT_OK;
    case ASW__MSG_SUP_KILL: {
        size_t i = (size_t)msg->word;
        if (i < s->n && s->st[i] == C_STOPPING && atomic_load(&s->ids[i]) == msg->corr) {
            s->kill_timer = 0;
            asw_actor_stop(sys, msg->corr, ASW_E_TIMEOUT, true);
        }
        return ASW_ACT_OK;
    }
    case ASW__MSG_SHUTDOWN:
        if (s->phase == P_STOP && s->after != A_RESTART) return ASW_ACT_OK;
        s->exit_reason = msg->status;
        if (s->phase == P_STOP) { /* a restart in progress becomes a shutdown */
            s->after = A_SHUTDOWN;
            s->stop_lo = 0;
            return ASW_ACT_OK;
        }
        return begin_stop(self, s, 0, s->n, A_SHUTDOWN);
    default: return ASW_ACT_OK;
    }
}

static int sup_pre_start(asw_actor_t *self)
{
    sup_t *s = asw_actor_state(self);
    s->phase = P_START;
    s->start_idx = 0;
    int v = start_next(self, s);
    /* A storm during the first start: die through a kill so post_stop still cleans up. */
    if (v < 0) asw_actor_stop(asw_actor_system(self), asw_self(self), v, true);
    return 0;
}

static void sup_post_stop(asw_actor_t *self, int reason)
{
    ASW_UNUSED(reason);
    sup_t *s = asw_actor_state(self);
    asw_system_t *sys = asw_actor_system(self);
    if (!s) return;
    for (size_t i = s->n; i-- > 0;) {
        asw_actor_id_t id = atomic_load(&s->ids[i]);
        if (id) asw_actor_stop(sys, id, reason ? reason : ASW_E_CLOSED, true);
    }
    if (s->kill_timer) {
        asw__mnode_t *n = NULL;
        if (asw__rt_timer_cancel(sys, s->kill_timer, &n) == ASW_OK) asw__rt_node_free(sys, n);
    }
    asw__rt_lock(self);
    self->state_ptr = NULL;
    asw__rt_unlock(self);
    sup_free(s);
}
