/*
 * src/host/supervise.c -- host supervisors (airssys/host.h, "supervision trees"): named
 * supervisors of components and of other host supervisors, built by the caller and started as
 * one tree of actor-runtime supervisors (airssys/actor.h); plus the per-component queries and
 * the stop used by `airssys run` and `airssys ps` (asw_component_stop, asw_component_usage).
 *
 * Design. A host supervisor is a record of the host: its name, its runtime options and its
 * members (components and child supervisors) in the order they were added. Nothing runs until
 * the root is started: asw_host_supervisor_start then builds, for every supervisor of the tree,
 * the array of child specs the runtime wants -- a component contributes the child spec
 * asw_host_load prepared for it (its behaviour, hooks and registered name; a fresh instance
 * per incarnation via its pre_start), a child supervisor contributes a subtree spec pointing at
 * its own options -- and starts the root with asw_supervisor_start. From then on the runtime
 * applies the strategies, restart intensity, backoff, escalation and ordered start/stop. The
 * host only watches the root: every component of the tree records the root's actor id as its
 * supervisor (comp->sup_id), so the host's service actor, which monitors the root, marks them
 * all FAILED when the root dies abnormally (escalated from below), STOPPED when it stops.
 *
 * Invariants: the records (names, members, options, child-spec arrays) change only under
 * host->mu and only before their tree starts ("started" is set for the whole tree at start);
 * after that the runtime borrows the options and spec arrays, which live until asw_host_free
 * (asw__host_sups_free runs after every tree has ended). A component is a member of at most one
 * supervisor (c->hsup).
 *
 * Not done here: adding or removing children of a running tree (the runtime's child lists are
 * fixed at start); restarting a tree after asw_host_supervisor_stop (load a new host instead).
 */
#include "host/host_int.h"

#include "airssys/sysmanifest.h" /* asw_strategy_name */

#include <string.h>

#define START_WAIT_NS     UINT64_C(10000000000)
#define DEFAULT_STOP_NS   UINT64_C(5000000000)
#define DEFAULT_WITHIN_NS UINT64_C(5000000000)

typedef struct member {
    asw_host_sup_t *sup;   /* a child supervisor, or NULL */
    asw_component_t *comp; /* a component, or NULL */
} member_t;

struct asw_host_sup {
    asw_host_t *host;
    char *name;
    asw_host_sup_t *parent;
    member_t *members;
    size_t nmembers, capmembers;
    asw_supervisor_opts_t opts; /* children set at start; borrowed by the runtime */
    asw_child_spec_t *specs;
    bool started;              /* the tree was started (set on every node of the tree) */
    _Atomic asw_actor_id_t id; /* the runtime supervisor of a started root */
};

/* Is sup one of h's supervisors? Caller holds h->mu. */
static bool owned(asw_host_t *h, const asw_host_sup_t *sup)
{
    for (size_t i = 0; i < h->nsups; i++)
        if (h->sups[i] == sup) return true;
    return false;
}

static asw_host_sup_t *root_of(asw_host_sup_t *s)
{
    while (s->parent)
        s = s->parent;
    return s;
}

static int add_member(asw_host_sup_t *s, member_t m)
{
    if (s->nmembers == s->capmembers) {
        size_t cap = s->capmembers ? s->capmembers * 2 : 4;
        member_t *nm = asw__reallocarray(s->members, cap, sizeof *nm);
        if (!nm) return ASW_E_NOMEM;
        s->members = nm;
        s->capmembers = cap;
    }
    s->members[s->nmembers++] = m;
    return ASW_OK;
}

static void sup_free(asw_host_sup_t *s)
{
    if (!s) return;
    asw__free(s->members);
    asw__free(s->specs);
    asw__free(s->name);
    asw__free(s);
}

int asw_host_supervisor_new(asw_host_t *h, const asw_host_sup_opts_t *o, asw_host_sup_t **out_sup,
                            asw_error_t *out_err)
{
    if (out_sup) *out_sup = NULL;
    if (!h || !o || !o->name)
        return asw__errorf(out_err, ASW_E_INVALID, "supervisor: NULL argument");
    int name_rc = asw__host_check_name("supervisor", o->name, out_err);
    if (name_rc) return name_rc;
    if ((unsigned)o->strategy > ASW_REST_FOR_ONE || (unsigned)o->backoff > ASW_BACKOFF_EXPONENTIAL)
        return asw__errorf(out_err, ASW_E_INVALID, "supervisor '%s': unknown strategy or backoff",
                           o->name);
    if (o->max_restarts > 1000000)
        return asw__errorf(out_err, ASW_E_INVALID, "supervisor '%s': max_restarts over 1000000",
                           o->name);
    asw_host_sup_t *s = asw__calloc(1, sizeof *s);
    if (!s || !(s->name = asw__strdup(o->name))) {
        sup_free(s);
        return asw__errorf(out_err, ASW_E_NOMEM, "supervisor: out of memory");
    }
    s->host = h;
    s->parent = o->parent;
    s->opts.strategy = o->strategy;
    s->opts.max_restarts = o->max_restarts;
    s->opts.within_ns = o->within_ns ? o->within_ns : DEFAULT_WITHIN_NS;
    s->opts.backoff = o->backoff;
    s->opts.backoff_base_ns = o->backoff_base_ns;
    s->opts.backoff_max_ns = o->backoff_max_ns;
    int rc = ASW_OK;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->nsups; i++) {
        if (!strcmp(h->sups[i]->name, s->name)) {
            rc = asw__errorf(out_err, ASW_E_EXISTS, "a supervisor named '%s' already exists",
                             s->name);
            goto unlock;
        }
    }
    if (o->parent && !owned(h, o->parent)) {
        rc =
            asw__errorf(out_err, ASW_E_INVALID, "supervisor '%s': parent of another host", s->name);
        goto unlock;
    }
    if (o->parent && o->parent->started) {
        rc = asw__errorf(out_err, ASW_E_STATE,
                         "supervisor '%s': the tree of '%s' has started; children cannot be "
                         "added",
                         s->name, o->parent->name);
        goto unlock;
    }
    if (h->nsups == h->capsups) {
        size_t cap = h->capsups ? h->capsups * 2 : 8;
        asw_host_sup_t **ns = asw__reallocarray(h->sups, cap, sizeof *ns);
        if (!ns) {
            rc = asw__errorf(out_err, ASW_E_NOMEM, "supervisor: out of memory");
            goto unlock;
        }
        h->sups = ns;
        h->capsups = cap;
    }
    if (o->parent && add_member(o->parent, (member_t){.sup = s})) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "supervisor: out of memory");
        goto unlock;
    }
    h->sups[h->nsups++] = s;
unlock:
    pthread_mutex_unlock(&h->mu);
    if (rc) {
        sup_free(s);
        return rc;
    }
    if (out_sup) *out_sup = s;
    return ASW_OK;
}

int asw__host_sup_check(asw_host_t *h, asw_host_sup_t *sup, asw_error_t *out_err)
{
    int rc = ASW_OK;
    pthread_mutex_lock(&h->mu);
    if (!owned(h, sup))
        rc = asw__errorf(out_err, ASW_E_INVALID, "component: supervisor of another host");
    else if (sup->started)
        rc =
            asw__errorf(out_err, ASW_E_STATE,
                        "supervisor '%s' has started; components cannot be added to it", sup->name);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

int asw__host_sup_adopt(asw_host_t *h, asw_host_sup_t *sup, asw_component_t *c,
                        asw_error_t *out_err)
{
    int rc;
    pthread_mutex_lock(&h->mu);
    if (!owned(h, sup) || sup->started) {
        pthread_mutex_unlock(&h->mu);
        return asw__host_sup_check(h, sup, out_err);
    }
    rc = add_member(sup, (member_t){.comp = c});
    if (rc == ASW_OK) {
        c->hsup = sup;
        atomic_store(&c->state, ASW_COMPONENT_STOPPED);
    }
    pthread_mutex_unlock(&h->mu);
    if (rc) return asw__errorf(out_err, rc, "component '%s': out of memory", c->name);
    return ASW_OK;
}

/* Builds the runtime options of s's tree (children specs) and marks it started. Caller holds
 * host->mu. On failure nothing is marked; spec arrays already built stay (freed with the
 * records, rebuilt on the next attempt). */
static int build_tree(asw_host_sup_t *s, const asw_host_sup_t *root, int depth)
{
    if (depth > 64) return ASW_E_LIMIT;
    asw__free(s->specs);
    s->specs = NULL;
    if (s->nmembers && !(s->specs = asw__calloc(s->nmembers, sizeof *s->specs))) return ASW_E_NOMEM;
    for (size_t i = 0; i < s->nmembers; i++) {
        member_t *m = &s->members[i];
        if (m->comp) {
            s->specs[i] = m->comp->child;
        } else {
            int rc = build_tree(m->sup, root, depth + 1);
            if (rc) return rc;
            s->specs[i].supervisor = &m->sup->opts;
            s->specs[i].restart = ASW_PERMANENT;
            s->specs[i].shutdown_timeout_ns = DEFAULT_STOP_NS;
        }
    }
    s->opts.children = s->specs;
    s->opts.nchildren = s->nmembers;
    return ASW_OK;
}

/* Calls fn on every component of s's tree, in start order. Caller holds host->mu or the tree
 * is started (members no longer change). */
static void each_comp(asw_host_sup_t *s, void (*fn)(asw_component_t *, void *), void *ud)
{
    for (size_t i = 0; i < s->nmembers; i++) {
        if (s->members[i].comp)
            fn(s->members[i].comp, ud);
        else
            each_comp(s->members[i].sup, fn, ud);
    }
}

static void mark_started(asw_host_sup_t *s)
{
    s->started = true;
    for (size_t i = 0; i < s->nmembers; i++)
        if (s->members[i].sup) mark_started(s->members[i].sup);
}

static void comp_prepare(asw_component_t *c, void *ud)
{
    const asw_host_sup_t *root = ud;
    /* For the service actor's escalation message: the intensity that was exceeded last. */
    c->sup.max_restarts = root->opts.max_restarts;
    c->sup.within_ns = root->opts.within_ns;
    atomic_store(&c->state, ASW_COMPONENT_RUNNING);
}

static void comp_set_sup(asw_component_t *c, void *ud)
{
    atomic_store(&c->sup_id, *(const asw_actor_id_t *)ud);
}

static void comp_fail(asw_component_t *c, void *ud)
{
    ASW_UNUSED(ud);
    atomic_store(&c->state, ASW_COMPONENT_FAILED);
}

typedef struct wait_ctx {
    asw_system_t *sys;
    size_t missing;
} wait_ctx;

static void comp_count_missing(asw_component_t *c, void *ud)
{
    wait_ctx *w = ud;
    if (asw_whereis(w->sys, c->name) == ASW_ACTOR_NONE) w->missing++;
}

int asw_host_supervisor_start(asw_host_t *h, asw_host_sup_t *sup, asw_error_t *out_err)
{
    if (!h || !sup) return asw__errorf(out_err, ASW_E_INVALID, "supervisor: NULL argument");
    pthread_mutex_lock(&h->mu);
    int rc = ASW_OK;
    if (!owned(h, sup)) {
        rc = asw__errorf(out_err, ASW_E_INVALID, "supervisor of another host");
    } else if (sup->parent) {
        rc = asw__errorf(out_err, ASW_E_INVALID,
                         "supervisor '%s' is a child of '%s': start its root '%s'", sup->name,
                         sup->parent->name, root_of(sup)->name);
    } else if (sup->started) {
        rc = asw__errorf(out_err, ASW_E_STATE, "supervisor '%s' was already started", sup->name);
    } else if ((rc = build_tree(sup, sup, 0))) {
        rc = asw__errorf(out_err, rc, "supervisor '%s': %s", sup->name,
                         rc == ASW_E_NOMEM ? "out of memory" : "tree deeper than 64");
    } else {
        mark_started(sup);
        each_comp(sup, comp_prepare, sup);
    }
    pthread_mutex_unlock(&h->mu);
    if (rc) return rc;

    asw_actor_id_t id = ASW_ACTOR_NONE;
    if ((rc = asw_supervisor_start(h->sys, &sup->opts, &id, out_err))) {
        each_comp(sup, comp_fail, NULL);
        asw__error_prefix(out_err, "supervisor '%s': ", sup->name);
        return rc;
    }
    atomic_store(&sup->id, id);
    each_comp(sup, comp_set_sup, &id);
    uint64_t ref;
    (void)asw_monitor(h->sys, h->service, id, &ref);
    asw__host_log(h, ASW_LOG_DEBUG, NULL, "supervisor '%s' started (%s, %u restarts in %llu ms)",
                  sup->name, asw_strategy_name(sup->opts.strategy), sup->opts.max_restarts,
                  (unsigned long long)(sup->opts.within_ns / 1000000u));
    /* Ordered start is the runtime's; wait until every component of the tree is registered. */
    uint64_t until = asw__now_ns() + START_WAIT_NS;
    for (unsigned spins = 0;; spins++) {
        wait_ctx w = {h->sys, 0};
        each_comp(sup, comp_count_missing, &w);
        if (w.missing == 0) return ASW_OK;
        if (!asw_actor_alive(h->sys, id)) {
            each_comp(sup, comp_fail, NULL);
            return asw__errorf(out_err, ASW_E_LIMIT,
                               "supervisor '%s': its tree escalated while starting (see the "
                               "components' last errors)",
                               sup->name);
        }
        if (asw__now_ns() > until)
            return asw__errorf(out_err, ASW_E_TIMEOUT,
                               "supervisor '%s': %zu components not running after 10 s", sup->name,
                               w.missing);
        asw__host_nap_ns(spins < 100 ? 20000u : 1000000u);
    }
}

/* Stops actor `id` gracefully and waits until it is gone; a kill after timeout_ns. */
static void stop_wait(asw_system_t *sys, asw_actor_id_t id, uint64_t timeout_ns)
{
    if (!id) return;
    (void)asw_actor_stop(sys, id, 0, false);
    uint64_t until = asw__now_ns() + (timeout_ns ? timeout_ns : DEFAULT_STOP_NS);
    bool killed = false;
    while (asw_actor_alive(sys, id)) {
        if (!killed && asw__now_ns() > until) {
            (void)asw_actor_stop(sys, id, 0, true);
            killed = true;
        }
        asw__host_nap_ns(100000u);
    }
}

int asw_host_supervisor_stop(asw_host_t *h, asw_host_sup_t *sup, uint64_t timeout_ns,
                             asw_error_t *out_err)
{
    if (!h || !sup) return asw__errorf(out_err, ASW_E_INVALID, "supervisor: NULL argument");
    pthread_mutex_lock(&h->mu);
    int rc = ASW_OK;
    if (!owned(h, sup))
        rc = asw__errorf(out_err, ASW_E_INVALID, "supervisor of another host");
    else if (sup->parent)
        rc = asw__errorf(out_err, ASW_E_INVALID, "supervisor '%s' is not a root: stop '%s'",
                         sup->name, root_of(sup)->name);
    else if (!sup->started)
        rc = asw__errorf(out_err, ASW_E_STATE, "supervisor '%s' was never started", sup->name);
    pthread_mutex_unlock(&h->mu);
    if (rc) return rc;
    /* The runtime stops the children in reverse order, each with its shutdown timeout; the
     * kill below is for a tree that does not end in time as a whole. */
    uint64_t whole = timeout_ns ? timeout_ns : DEFAULT_STOP_NS;
    stop_wait(h->sys, atomic_load(&sup->id), whole * 2);
    return ASW_OK;
}

asw_host_sup_t *asw_host_supervisor_find(asw_host_t *h, const char *name)
{
    if (!h || !name) return NULL;
    asw_host_sup_t *r = NULL;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->nsups && !r; i++)
        if (!strcmp(h->sups[i]->name, name)) r = h->sups[i];
    pthread_mutex_unlock(&h->mu);
    return r;
}

const char *asw_host_supervisor_name(const asw_host_sup_t *sup)
{
    return sup ? sup->name : NULL;
}

asw_host_sup_t *asw_component_supervisor(const asw_component_t *c)
{
    if (!c) return NULL;
    pthread_mutex_lock(&c->host->mu);
    asw_host_sup_t *s = c->hsup;
    pthread_mutex_unlock(&c->host->mu);
    return s;
}

int asw_component_stop(asw_component_t *c, uint64_t timeout_ns, asw_error_t *out_err)
{
    if (!c) return asw__errorf(out_err, ASW_E_INVALID, "component: NULL argument");
    asw_host_sup_t *s = asw_component_supervisor(c);
    if (s)
        return asw__errorf(out_err, ASW_E_STATE,
                           "component '%s' belongs to supervisor '%s': stop its root '%s'", c->name,
                           s->name, root_of(s)->name);
    stop_wait(c->host->sys, atomic_load(&c->sup_id), timeout_ns);
    /* The service actor sees the supervisor's normal exit too; say it now for the caller. */
    if (atomic_load(&c->state) == ASW_COMPONENT_RUNNING)
        atomic_store(&c->state, ASW_COMPONENT_STOPPED);
    return ASW_OK;
}

int asw_component_usage(asw_component_t *c, asw_component_usage_t *out, asw_error_t *out_err)
{
    if (!out) return asw__errorf(out_err, ASW_E_INVALID, "component: NULL argument");
    memset(out, 0, sizeof *out);
    if (!c) return asw__errorf(out_err, ASW_E_INVALID, "component: NULL argument");
    asw_host_t *h = c->host;
    asw_actor_id_t a = asw_whereis(h->sys, c->name);
    asw_actor_stats_t st;
    if (a && asw_actor_stats(h->sys, a, &st) == ASW_OK) {
        out->mailbox_depth = st.mailbox_depth;
        out->busy_ns = st.busy_ns;
    }
    out->fuel_per_message = c->fuel;
    out->memory_limit_bytes = (uint64_t)c->limits.max_memory_pages * 65536u;
    if (!h->storage) return ASW_OK;
    out->has_storage = true;
    /* The namespace handle, opened on first use as the storage host functions do. */
    int rc = ASW_OK;
    asw_storage_ns_t *ns = atomic_load_explicit(&c->ns, memory_order_acquire);
    if (!ns) {
        pthread_mutex_lock(&c->mu);
        ns = atomic_load_explicit(&c->ns, memory_order_acquire);
        if (!ns) {
            rc = asw_storage_ns_open(h->storage, c->name,
                                     c->manifest->quota.limit[ASW_QUOTA_STORAGE], &ns, out_err);
            if (!rc) atomic_store_explicit(&c->ns, ns, memory_order_release);
        }
        pthread_mutex_unlock(&c->mu);
        if (rc) return rc;
    }
    asw_storage_usage_t u;
    if ((rc = asw_storage_usage(ns, &u, out_err))) return rc;
    out->storage_bytes = u.bytes;
    out->storage_keys = u.keys;
    out->storage_quota = u.quota;
    return ASW_OK;
}

void asw__host_sups_free(asw_host_t *h)
{
    for (size_t i = 0; i < h->nsups; i++) {
        asw_host_sup_t *s = h->sups[i];
        /* A root still running (a borrowed system): end it before its options go. */
        if (!s->parent && s->started && h->sys) stop_wait(h->sys, atomic_load(&s->id), 0);
    }
    for (size_t i = 0; i < h->nsups; i++)
        sup_free(h->sups[i]);
    asw__free(h->sups);
    h->sups = NULL;
    h->nsups = h->capsups = 0;
}
