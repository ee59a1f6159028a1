/*
 * src/rt/timer.c -- timers: send_after, request timeouts and the supervisor's backoff and
 * shutdown timeouts, all served by one timer thread per system.
 *
 * Design. Entries live in a growable array (indexes are stable; a free list recycles them) and
 * a binary min-heap of indexes orders them by deadline; each entry remembers its heap position
 * so a cancel is O(log n). A timer id is (generation << 32 | index + 1), so cancelling a timer
 * that already fired never hits the entry's next user. The thread sleeps on a condition
 * variable (CLOCK_MONOTONIC) until the earliest deadline; an insert signals it only when it
 * becomes the new earliest and is earlier than the time the thread already sleeps until
 * (`wake_at`), so request timeouts armed and cancelled at a high rate cost no wake-ups. Firing
 * happens outside the lock: the prepared message node is delivered like any send (dead target: dead
 * letter, payload dropped).
 *
 * Not here: a timer wheel. With heaps, insert and cancel cost O(log n) under one mutex, which
 * is enough for request timeouts at a few million per second.
 */
#include "rt/rt_int.h"

#include <time.h>

typedef struct tent {
    uint64_t deadline;
    uint32_t gen;
    int32_t pos; /* heap position, -1 when not armed */
    int kind;
    uint32_t next_free; /* index + 1 of the next free entry */
    asw_actor_id_t to;
    asw__mnode_t *node;
} tent_t;

struct asw__timers {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool stop, started;
    tent_t *ents;
    uint32_t nents, cap;
    uint32_t free_head;
    uint32_t *heap;
    uint32_t nheap;
    uint64_t wake_at; /* when the thread wakes on its own (UINT64_MAX: only when signalled) */
};

static bool earlier(struct asw__timers *t, uint32_t a, uint32_t b)
{
    return t->ents[t->heap[a]].deadline < t->ents[t->heap[b]].deadline;
}

static void swap_pos(struct asw__timers *t, uint32_t a, uint32_t b)
{
    uint32_t x = t->heap[a];
    t->heap[a] = t->heap[b];
    t->heap[b] = x;
    t->ents[t->heap[a]].pos = (int32_t)a;
    t->ents[t->heap[b]].pos = (int32_t)b;
}

static void sift_up(struct asw__timers *t, uint32_t i)
{
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!earlier(t, i, p)) break;
        swap_pos(t, i, p);
        i = p;
    }
}

static void sift_down(struct asw__timers *t, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < t->nheap && earlier(t, l, m)) m = l;
        if (r < t->nheap && earlier(t, r, m)) m = r;
        if (m == i) break;
        swap_pos(t, i, m);
        i = m;
    }
}

/* Removes entry e from the heap and the table; returns its node. mu held. */
static asw__mnode_t *remove_locked(struct asw__timers *t, uint32_t idx)
{
    tent_t *e = &t->ents[idx];
    uint32_t pos = (uint32_t)e->pos;
    t->nheap--;
    if (pos != t->nheap) {
        t->heap[pos] = t->heap[t->nheap];
        t->ents[t->heap[pos]].pos = (int32_t)pos;
        sift_down(t, pos);
        sift_up(t, pos);
    }
    asw__mnode_t *n = e->node;
    e->node = NULL;
    e->pos = -1;
    e->gen++;
    e->next_free = t->free_head;
    t->free_head = idx + 1;
    return n;
}

/* Delivers a fired (or, at shutdown, an abandoned) timer's node. */
static void fire(asw_system_t *sys, asw_actor_id_t to, asw__mnode_t *n, int kind)
{
    if (kind == ASW__T_SEND) {
        void *data = n->msg.data;
        size_t len = n->msg.len;
        asw_drop_fn drop = n->msg.drop;
        void *ctx = n->msg.drop_ctx;
        if (asw__rt_deliver(sys, to, n, NULL) != ASW_OK && data && drop) drop(data, len, ctx);
        return;
    }
    asw_actor_t *a = asw__rt_lookup(sys, to);
    uint32_t st = a ? atomic_load(&a->state) : ASW__S_FREE;
    if (st == ASW__S_FREE || st == ASW__S_DEAD) {
        asw__rt_node_discard(sys, n);
        return;
    }
    n->to = to;
    if (kind == ASW__T_REQ)
        asw__rt_push_response(sys, a, n);
    else
        asw__rt_push(sys, a, n, true);
}

static void *timer_main(void *arg)
{
    asw_system_t *sys = arg;
    struct asw__timers *t = sys->timers;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        if (t->nheap == 0) {
            /* An empty heap keeps the previous wake_at: the thread may still wake then
             * (harmless), and an insert later than that needs no signal. */
            if (t->wake_at == 0) t->wake_at = UINT64_MAX;
            if (t->wake_at == UINT64_MAX) {
                pthread_cond_wait(&t->cv, &t->mu);
            } else {
                uint64_t w = t->wake_at;
                struct timespec ts = {(time_t)(w / 1000000000u), (long)(w % 1000000000u)};
                if (pthread_cond_timedwait(&t->cv, &t->mu, &ts) != 0 && t->nheap == 0)
                    t->wake_at = UINT64_MAX;
            }
            continue;
        }
        uint32_t idx = t->heap[0];
        uint64_t dl = t->ents[idx].deadline;
        if (asw__now_ns() < dl) {
            t->wake_at = dl;
            struct timespec ts = {(time_t)(dl / 1000000000u), (long)(dl % 1000000000u)};
            pthread_cond_timedwait(&t->cv, &t->mu, &ts);
            continue;
        }
        asw_actor_id_t to = t->ents[idx].to;
        int kind = t->ents[idx].kind;
        asw__mnode_t *n = remove_locked(t, idx);
        pthread_mutex_unlock(&t->mu);
        fire(sys, to, n, kind);
        pthread_mutex_lock(&t->mu);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

int asw__rt_timers_start(asw_system_t *sys)
{
    struct asw__timers *t = asw__calloc(1, sizeof(*t));
    if (!t) return ASW_E_NOMEM;
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_t at;
    pthread_condattr_init(&at);
    pthread_condattr_setclock(&at, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &at);
    pthread_condattr_destroy(&at);
    sys->timers = t;
    if (pthread_create(&t->thread, NULL, timer_main, sys)) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
        asw__free(t);
        sys->timers = NULL;
        return ASW_E_IO;
    }
    t->started = true;
    return ASW_OK;
}

void asw__rt_timers_stop(asw_system_t *sys)
{
    struct asw__timers *t = sys->timers;
    if (!t) return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    if (t->started) pthread_join(t->thread, NULL);
    /* Cancel what is left: payloads are dropped, user messages count as dead letters. */
    for (uint32_t i = 0; i < t->nheap; i++) {
        tent_t *e = &t->ents[t->heap[i]];
        if (e->kind == ASW__T_SEND) atomic_fetch_add(&sys->c_dead, 1);
        asw__rt_node_discard(sys, e->node);
    }
    asw__free(t->ents);
    asw__free(t->heap);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    asw__free(t);
    sys->timers = NULL;
}

int asw__rt_timer_add(asw_system_t *sys, asw_actor_id_t to, asw__mnode_t *n, int kind,
                      uint64_t delay_ns, asw_timer_id_t *out_id)
{
    struct asw__timers *t = sys->timers;
    if (!t) return ASW_E_CLOSED;
    uint64_t now = asw__now_ns();
    uint64_t dl = delay_ns > UINT64_MAX - now ? UINT64_MAX : now + delay_ns;
    int rc = ASW_OK;
    pthread_mutex_lock(&t->mu);
    if (t->stop) {
        rc = ASW_E_CLOSED;
        goto out;
    }
    uint32_t idx;
    if (t->free_head) {
        idx = t->free_head - 1;
        t->free_head = t->ents[idx].next_free;
    } else {
        if (t->nents == t->cap) {
            uint32_t nc = t->cap ? t->cap * 2 : 64;
            tent_t *e = asw__reallocarray(t->ents, nc, sizeof(tent_t));
            if (!e) {
                rc = ASW_E_NOMEM;
                goto out;
            }
            t->ents = e;
            uint32_t *h = asw__reallocarray(t->heap, nc, sizeof(uint32_t));
            if (!h) {
                rc = ASW_E_NOMEM;
                goto out;
            }
            t->heap = h;
            t->cap = nc;
        }
        idx = t->nents++;
        t->ents[idx].gen = 1;
    }
    tent_t *e = &t->ents[idx];
    e->deadline = dl;
    e->kind = kind;
    e->to = to;
    e->node = n;
    e->pos = (int32_t)t->nheap;
    t->heap[t->nheap++] = idx;
    sift_up(t, (uint32_t)e->pos);
    /* Signal only a thread that would otherwise sleep past this deadline: with request
     * timeouts armed and cancelled at a high rate, almost no insert needs a wake-up. */
    if (t->heap[0] == idx && dl < t->wake_at) {
        t->wake_at = dl;
        pthread_cond_signal(&t->cv);
    }
    if (out_id) *out_id = ((uint64_t)e->gen << 32) | (idx + 1);
out:
    pthread_mutex_unlock(&t->mu);
    return rc;
}

int asw__rt_timer_cancel(asw_system_t *sys, asw_timer_id_t id, asw__mnode_t **out_node)
{
    struct asw__timers *t = sys->timers;
    if (!t || !id) return ASW_E_NOT_FOUND;
    uint32_t idx = (uint32_t)(id & 0xffffffffu) - 1;
    int rc = ASW_E_NOT_FOUND;
    pthread_mutex_lock(&t->mu);
    if (idx < t->nents && t->ents[idx].gen == (uint32_t)(id >> 32) && t->ents[idx].pos >= 0) {
        *out_node = remove_locked(t, idx);
        rc = ASW_OK;
    }
    pthread_mutex_unlock(&t->mu);
    return rc;
}

int asw_send_after(asw_system_t *sys, asw_actor_id_t to, const asw_msg_t *msg, uint64_t delay_ns,
                   asw_timer_id_t *out_timer, asw_error_t *out_err)
{
    if (!sys || !msg) return asw__errorf(out_err, ASW_E_INVALID, "send_after: NULL argument");
    if (msg->type >= ASW_MSG_SYSTEM)
        return asw__errorf(out_err, ASW_E_INVALID, "send_after: type %#x is reserved", msg->type);
    asw__mnode_t *n = asw__rt_node_alloc(sys);
    if (!n) return asw__errorf(out_err, ASW_E_NOMEM, "send_after: out of memory");
    n->kind = ASW__K_USER;
    n->deadline = 0;
    n->msg = *msg;
    n->msg.corr = 0;
    asw__worker_t *w = asw__rt_worker(sys);
    ASW_UNUSED(w);
    int rc = asw__rt_timer_add(sys, to, n, ASW__T_SEND, delay_ns, out_timer);
    if (rc != ASW_OK) {
        asw__rt_node_free(sys, n);
        return asw__errorf(out_err, rc, "send_after: cannot arm the timer");
    }
    return ASW_OK;
}

int asw_timer_cancel(asw_system_t *sys, asw_timer_id_t timer)
{
    if (!sys) return ASW_E_INVALID;
    asw__mnode_t *n = NULL;
    int rc = asw__rt_timer_cancel(sys, timer, &n);
    if (rc == ASW_OK) asw__rt_node_discard(sys, n);
    return rc;
}
