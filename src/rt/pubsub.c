/*
 * src/rt/pubsub.c -- the publish-subscribe broker: topics are '/'-separated segments; a
 * subscription pattern may use "+" (exactly one segment) and a final "#" (the rest, zero or more
 * segments).
 *
 * Design. Patterns form a trie of segments; each node holds the subscriptions whose pattern ends
 * there and those ending in "/#" there, plus an optional "+" child. Publishing walks the trie
 * under a read lock (recursing into the exact child and the "+" child at each level, and taking
 * every "#" list it passes), then sends one message node per matching subscriber. The payload is
 * not copied: a small shared header counts the receivers, and the original drop function runs
 * when the last one is done, so a fan-out costs one trie walk plus the sends themselves.
 * Subscribers found dead during a publish are removed afterwards under the write lock.
 *
 * Not here: retained messages, QoS, per-node hash maps (children are scanned linearly, which is
 * fine for the tens of children per level we expect; a wide level would want a hash).
 */
#include "rt/rt_int.h"

#include <string.h>

#define SEG_MAX   255
#define DEPTH_MAX 64

typedef struct sub {
    uint64_t id;
    asw_actor_id_t actor;
} sub_t;

typedef struct subv {
    sub_t *v;
    size_t n, cap;
} subv_t;

typedef struct pnode {
    char *seg;
    struct pnode *child, *sibling, *plus;
    subv_t exact, rest; /* pattern ends here / pattern ends here with "/#" */
} pnode_t;

struct asw_broker {
    asw_system_t *sys;
    pthread_rwlock_t lk;
    pnode_t root;
    uint64_t next_id;
};

typedef struct shared {
    _Atomic uint32_t refs;
    void *data;
    size_t len;
    asw_drop_fn drop;
    void *ctx;
} shared_t;

static void node_free(pnode_t *n)
{
    while (n) {
        pnode_t *next = n->sibling;
        node_free(n->child);
        node_free(n->plus);
        asw__free(n->seg);
        asw__free(n->exact.v);
        asw__free(n->rest.v);
        asw__free(n);
        n = next;
    }
}

int asw_broker_new(asw_system_t *sys, asw_broker_t **out_broker, asw_error_t *out_err)
{
    if (!sys || !out_broker) return asw__errorf(out_err, ASW_E_INVALID, "broker: NULL argument");
    asw_broker_t *b = asw__calloc(1, sizeof(*b));
    if (!b) return asw__errorf(out_err, ASW_E_NOMEM, "broker: out of memory");
    b->sys = sys;
    pthread_rwlock_init(&b->lk, NULL);
    *out_broker = b;
    return ASW_OK;
}

void asw_broker_free(asw_broker_t *b)
{
    if (!b) return;
    node_free(b->root.child);
    node_free(b->root.plus);
    asw__free(b->root.exact.v);
    asw__free(b->root.rest.v);
    pthread_rwlock_destroy(&b->lk);
    asw__free(b);
}

/* Splits s into segments (pointers into s, lengths). Returns the count or -1 when invalid. */
static int split(const char *s, const char **seg, size_t *len)
{
    int n = 0;
    if (!s || !*s) return -1;
    for (;;) {
        const char *e = strchr(s, '/');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (l > SEG_MAX || n == DEPTH_MAX) return -1;
        seg[n] = s;
        len[n] = l;
        n++;
        if (!e) return n;
        s = e + 1;
    }
}

static bool is(const char *s, size_t l, char c)
{
    return l == 1 && s[0] == c;
}

static int subv_add(subv_t *v, sub_t s)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 4;
        sub_t *p = asw__reallocarray(v->v, nc, sizeof(sub_t));
        if (!p) return ASW_E_NOMEM;
        v->v = p;
        v->cap = nc;
    }
    v->v[v->n++] = s;
    return ASW_OK;
}

static bool subv_remove(subv_t *v, uint64_t id)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->v[i].id == id) {
            v->v[i] = v->v[--v->n];
            return true;
        }
    }
    return false;
}

int asw_broker_subscribe(asw_broker_t *b, const char *pattern, asw_actor_id_t id, uint64_t *out_sub,
                         asw_error_t *out_err)
{
    const char *seg[DEPTH_MAX];
    size_t len[DEPTH_MAX];
    if (!b || !out_sub) return asw__errorf(out_err, ASW_E_INVALID, "subscribe: NULL argument");
    int n = split(pattern, seg, len);
    if (n <= 0) return asw__errorf(out_err, ASW_E_INVALID, "subscribe: bad pattern");
    for (int i = 0; i < n; i++) {
        if (is(seg[i], len[i], '#') && i != n - 1)
            return asw__errorf(out_err, ASW_E_INVALID, "subscribe: '#' must be the last segment");
        if (len[i] > 1 && (memchr(seg[i], '#', len[i]) || memchr(seg[i], '+', len[i])))
            return asw__errorf(out_err, ASW_E_INVALID,
                               "subscribe: wildcards must be whole segments");
    }
    bool rest = is(seg[n - 1], len[n - 1], '#');
    int depth = rest ? n - 1 : n;
    int rc = ASW_OK;
    pthread_rwlock_wrlock(&b->lk);
    pnode_t *cur = &b->root;
    for (int i = 0; i < depth; i++) {
        pnode_t **slot;
        if (is(seg[i], len[i], '+')) {
            slot = &cur->plus;
        } else {
            slot = &cur->child;
            while (*slot &&
                   !(strlen((*slot)->seg) == len[i] && !memcmp((*slot)->seg, seg[i], len[i])))
                slot = &(*slot)->sibling;
        }
        if (!*slot) {
            pnode_t *nn = asw__calloc(1, sizeof(*nn));
            if (nn) nn->seg = asw__strndup(seg[i], len[i]);
            if (!nn || !nn->seg) {
                asw__free(nn);
                rc = asw__errorf(out_err, ASW_E_NOMEM, "subscribe: out of memory");
                goto out;
            }
            *slot = nn;
        }
        cur = *slot;
    }
    sub_t s = {++b->next_id, id};
    if ((rc = subv_add(rest ? &cur->rest : &cur->exact, s)) != ASW_OK) {
        asw__errorf(out_err, rc, "subscribe: out of memory");
        goto out;
    }
    *out_sub = s.id;
out:
    pthread_rwlock_unlock(&b->lk);
    return rc;
}

static bool remove_rec(pnode_t *n, uint64_t id)
{
    for (; n; n = n->sibling) {
        if (subv_remove(&n->exact, id) || subv_remove(&n->rest, id)) return true;
        if (remove_rec(n->child, id) || remove_rec(n->plus, id)) return true;
    }
    return false;
}

static bool remove_sub(asw_broker_t *b, uint64_t id)
{
    pnode_t *r = &b->root;
    return subv_remove(&r->exact, id) || subv_remove(&r->rest, id) || remove_rec(r->child, id) ||
           remove_rec(r->plus, id);
}

int asw_broker_unsubscribe(asw_broker_t *b, uint64_t sub)
{
    if (!b) return ASW_E_INVALID;
    pthread_rwlock_wrlock(&b->lk);
    bool ok = remove_sub(b, sub);
    pthread_rwlock_unlock(&b->lk);
    return ok ? ASW_OK : ASW_E_NOT_FOUND;
}

static void shared_release(void *data, size_t len, void *ctx)
{
    ASW_UNUSED(data);
    ASW_UNUSED(len);
    shared_t *s = ctx;
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) {
        if (s->drop) s->drop(s->data, s->len, s->ctx);
        asw__free(s);
    }
}

typedef struct pubctx {
    asw_broker_t *b;
    asw__worker_t *w; /* the publisher's worker, or NULL */
    asw_msg_t msg;    /* the header every subscriber gets (shared payload's drop) */
    shared_t *sh;
    size_t delivered;
    uint64_t dead[16];
    size_t ndead;
} pubctx_t;

static void deliver_list(pubctx_t *p, const subv_t *v)
{
    asw_system_t *sys = p->b->sys;
    for (size_t i = 0; i < v->n; i++) {
        if (p->sh) atomic_fetch_add_explicit(&p->sh->refs, 1, memory_order_relaxed);
        int rc = asw__rt_send_copy(sys, p->w, v->v[i].actor, &p->msg, NULL);
        if (rc == ASW_OK) {
            p->delivered++;
        } else {
            if (p->sh) shared_release(NULL, 0, p->sh);
            if (rc == ASW_E_DEAD && p->ndead < ASW_ARRAY_LEN(p->dead))
                p->dead[p->ndead++] = v->v[i].id;
        }
    }
}

static void match(pubctx_t *p, const pnode_t *node, const char **seg, const size_t *len, int i,
                  int n)
{
    deliver_list(p, &node->rest);
    if (i == n) {
        deliver_list(p, &node->exact);
        return;
    }
    for (const pnode_t *c = node->child; c; c = c->sibling)
        if (strlen(c->seg) == len[i] && !memcmp(c->seg, seg[i], len[i])) {
            match(p, c, seg, len, i + 1, n);
            break;
        }
    if (node->plus) match(p, node->plus, seg, len, i + 1, n);
}

int asw_broker_publish(asw_broker_t *b, const char *topic, const asw_msg_t *msg,
                       size_t *out_delivered, asw_error_t *out_err)
{
    const char *seg[DEPTH_MAX];
    size_t len[DEPTH_MAX];
    if (!b || !msg) return asw__errorf(out_err, ASW_E_INVALID, "publish: NULL argument");
    if (msg->type >= ASW_MSG_SYSTEM)
        return asw__errorf(out_err, ASW_E_INVALID, "publish: type %#x is reserved", msg->type);
    int n = split(topic, seg, len);
    if (n < 0) return asw__errorf(out_err, ASW_E_INVALID, "publish: bad topic");
    for (int i = 0; i < n; i++)
        if (memchr(seg[i], '+', len[i]) || memchr(seg[i], '#', len[i]))
            return asw__errorf(out_err, ASW_E_INVALID, "publish: wildcards in a topic");
    pubctx_t p = {.b = b, .w = asw__rt_worker(b->sys), .msg = *msg};
    if (msg->data) {
        p.sh = asw__malloc(sizeof(shared_t));
        if (!p.sh) return asw__errorf(out_err, ASW_E_NOMEM, "publish: out of memory");
        atomic_init(&p.sh->refs, 1);
        p.sh->data = msg->data;
        p.sh->len = msg->len;
        p.sh->drop = msg->drop;
        p.sh->ctx = msg->drop_ctx;
        p.msg.drop = shared_release;
        p.msg.drop_ctx = p.sh;
    }
    pthread_rwlock_rdlock(&b->lk);
    match(&p, &b->root, seg, len, 0, n);
    pthread_rwlock_unlock(&b->lk);
    if (p.sh) shared_release(NULL, 0, p.sh); /* the publisher's reference */
    if (p.ndead) {
        pthread_rwlock_wrlock(&b->lk);
        for (size_t i = 0; i < p.ndead; i++)
            remove_sub(b, p.dead[i]);
        pthread_rwlock_unlock(&b->lk);
    }
    if (out_delivered) *out_delivered = p.delivered;
    return ASW_OK;
}
