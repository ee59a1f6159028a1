/*
 * bench/rt_bench.c -- benchmarks of the actor runtime (suite "rt").
 *
 * Metrics (see docs/actors.md for the scenarios):
 *   rt.spawn                  spawn + kill of one actor, until it is gone (ns/op)
 *   rt.send_recv_latency      one hop of a ping-pong between two actors (ns per hop)
 *   rt.throughput             4 sender actors -> 4 receiver actors, all workers (ops/s)
 *   rt.request_response       request + reply (with a 1 s timeout armed and cancelled) (ns/op)
 *   rt.pubsub_fanout_100      one publish reaching 100 subscribers' mailboxes (ns/op)
 *   rt.registry_lookup.<n>    asw_whereis() among n registered names: 4096 of them, random,
 *                             from one compact array (ns/op)
 *   rt.memory_per_actor       heap bytes per idle actor with 1 M actors (bytes)
 *   rt.supervisor_restart     crash of a child -> supervisor restarts it -> it starts (ns/op)
 *   rt.<metric>.vs_erlang     our speed over Erlang/OTP's on the same scenario (ratio; > 1 means
 *                             faster), from bench/peers/rt_peer.erl. The peer's numbers are read
 *                             from the file $ASW_RT_ERLANG_JSON when set; otherwise, unless in
 *                             quick mode or ASW_RT_ERLANG=0, this program runs
 *                             bench/peers/run_erlang.sh itself.
 */
#include "harness.h"

#include "airssys/actor.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef ASW_RT_ERLANG_SCRIPT
#define ASW_RT_ERLANG_SCRIPT "bench/peers/run_erlang.sh"
#endif

static int quick(void)
{
    const char *q = getenv("ASW_BENCH_QUICK");
    return q && *q == '1';
}

/* ---- a completion flag the benchmark thread waits on ---- */
typedef struct done {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int flag;
} done_t;

static done_t done = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

static void done_signal(void)
{
    pthread_mutex_lock(&done.mu);
    done.flag = 1;
    pthread_cond_signal(&done.cv);
    pthread_mutex_unlock(&done.mu);
}

static void done_wait(void)
{
    pthread_mutex_lock(&done.mu);
    while (!done.flag)
        pthread_cond_wait(&done.cv, &done.mu);
    done.flag = 0;
    pthread_mutex_unlock(&done.mu);
}

static asw_system_t *sys;

static void die(const char *what, int rc)
{
    fprintf(stderr, "rt_bench: %s: %s\n", what, asw_strerror(rc));
    exit(1);
}

static asw_actor_id_t spawn(asw_behavior_fn fn, void *state)
{
    asw_actor_opts_t o = {.behavior = fn, .state = state};
    asw_actor_id_t id;
    int rc = asw_spawn(sys, &o, &id, NULL);
    if (rc) die("spawn", rc);
    return id;
}

static void send_word(asw_actor_id_t to, uint32_t type, uint64_t word)
{
    asw_msg_t m = {.type = type, .word = word};
    int rc = asw_send(sys, to, &m, NULL);
    if (rc) die("send", rc);
}

/* ---- spawn ---- */
static int idle(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    (void)msg;
    return ASW_ACT_OK;
}

/* The spawner actor spawns and kills `word` actors, 64 per turn (then continues in a later
 * turn), so spawns happen on a worker as they would in a real actor program. */
static int spawner(asw_actor_t *self, asw_msg_t *msg)
{
    uint64_t *left = asw_actor_state(self);
    if (msg->type == 1) *left = msg->word;
    asw_actor_opts_t o = {.behavior = idle};
    for (int i = 0; i < 64 && *left; i++, (*left)--) {
        asw_actor_id_t id;
        if (asw_spawn(sys, &o, &id, NULL)) die("spawn", -1);
        asw_actor_stop(sys, id, 0, true);
    }
    asw_msg_t c = {.type = 2};
    if (*left)
        asw_actor_send(self, asw_self(self), &c, NULL);
    else
        done_signal();
    return ASW_ACT_OK;
}

static asw_actor_id_t spawner_id;

/* One iteration spawns and kills SPAWN_OPS actors, so the wake-ups of the benchmark thread (the
 * completion signal and the quiesce) are amortised and the metric is the spawn + stop itself. */
#define SPAWN_OPS 1000

static void bench_spawn(void *ctx, uint64_t iters)
{
    (void)ctx;
    send_word(spawner_id, 1, iters * SPAWN_OPS);
    done_wait();
    asw_system_quiesce(sys, UINT64_MAX); /* every spawned actor has run and is gone */
}

/* ---- ping-pong ---- */
typedef struct pp {
    asw_actor_id_t peer;
    uint64_t left;
} pp_t;

static int ping(asw_actor_t *self, asw_msg_t *msg)
{
    pp_t *p = asw_actor_state(self);
    if (msg->type == 1) p->left = msg->word; /* start */
    if (p->left == 0) {
        done_signal();
        return ASW_ACT_OK;
    }
    p->left--;
    asw_msg_t m = {.type = 2};
    asw_actor_send(self, p->peer, &m, NULL);
    return ASW_ACT_OK;
}

static int pong(asw_actor_t *self, asw_msg_t *msg)
{
    asw_msg_t m = {.type = 3};
    asw_actor_send(self, msg->from, &m, NULL);
    return ASW_ACT_OK;
}

static asw_actor_id_t ping_id;

static void bench_pingpong(void *ctx, uint64_t iters)
{
    (void)ctx;
    send_word(ping_id, 1, iters);
    done_wait();
}

/* ---- throughput ---- */
#define TP_SENDERS   4
#define TP_RECEIVERS 4
#define TP_BATCH     256

static asw_actor_id_t tp_recv[TP_RECEIVERS];
static atomic_int tp_done;
typedef struct tps {
    uint64_t left;
    unsigned rr;
} tps_t;
typedef struct tpr {
    uint64_t expect, got;
} tpr_t;
static tps_t tp_s[TP_SENDERS];
static tpr_t tp_r[TP_RECEIVERS];

static int tp_sender(asw_actor_t *self, asw_msg_t *msg)
{
    tps_t *s = asw_actor_state(self);
    if (msg->type == 1) s->left = msg->word;
    asw_msg_t m = {.type = 2};
    for (int i = 0; i < TP_BATCH && s->left; i++, s->left--) {
        while (asw_actor_send(self, tp_recv[s->rr % TP_RECEIVERS], &m, NULL) != ASW_OK)
            ;
        s->rr++;
    }
    /* Yield after each batch: the receivers run before the next batch, so the messages in
     * flight (and the nodes they use) stay few and cache-hot. */
    return s->left ? ASW_ACT_YIELD : ASW_ACT_OK;
}

static int tp_receiver(asw_actor_t *self, asw_msg_t *msg)
{
    tpr_t *r = asw_actor_state(self);
    (void)msg;
    if (++r->got == r->expect && atomic_fetch_add(&tp_done, 1) + 1 == TP_RECEIVERS) done_signal();
    return ASW_ACT_OK;
}

static asw_actor_id_t tp_send_ids[TP_SENDERS];

static double run_throughput(uint64_t total)
{
    uint64_t per = total / (TP_SENDERS * TP_RECEIVERS);
    atomic_store(&tp_done, 0);
    for (int i = 0; i < TP_RECEIVERS; i++) {
        tp_r[i].got = 0;
        tp_r[i].expect = per * TP_SENDERS;
    }
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < TP_SENDERS; i++)
        send_word(tp_send_ids[i], 1, per * TP_RECEIVERS);
    done_wait();
    uint64_t t1 = bench_now_ns();
    return (double)(per * TP_SENDERS * TP_RECEIVERS) * 1e9 / (double)(t1 - t0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- request-response ---- */
typedef struct rr {
    asw_actor_id_t server;
    uint64_t left;
} rr_t;

static int rr_server(asw_actor_t *self, asw_msg_t *msg)
{
    asw_msg_t r = {.word = msg->word};
    asw_reply(self, msg, &r, NULL);
    return ASW_ACT_OK;
}

static int rr_client(asw_actor_t *self, asw_msg_t *msg)
{
    rr_t *c = asw_actor_state(self);
    if (msg->type == 1) c->left = msg->word;
    if (msg->type == ASW_MSG_TIMEOUT) die("request timed out", ASW_E_TIMEOUT);
    if (c->left == 0) {
        done_signal();
        return ASW_ACT_OK;
    }
    c->left--;
    asw_msg_t q = {.type = 5};
    int rc = asw_request(self, c->server, &q, 1000000000u, 0, NULL, NULL);
    if (rc) die("request", rc);
    return ASW_ACT_OK;
}

static asw_actor_id_t rr_id;

static void bench_rr(void *ctx, uint64_t iters)
{
    (void)ctx;
    send_word(rr_id, 1, iters);
    done_wait();
}

/* ---- pub-sub fan-out ---- */
#define FANOUT 100
static asw_broker_t *broker;
static atomic_long fan_left;

/* Each subscriber counts in its own cache line and touches the shared counter once per sample
 * (not once per message: 100 contended atomics per publish would be the harness's cost, not the
 * fan-out's). */
typedef struct fan_state {
    _Alignas(64) uint64_t got, expect;
} fan_state_t;
static fan_state_t fan_st[FANOUT];

static int fan_sub(asw_actor_t *self, asw_msg_t *msg)
{
    fan_state_t *f = asw_actor_state(self);
    (void)msg;
    if (++f->got == f->expect && atomic_fetch_sub_explicit(&fan_left, 1, memory_order_acq_rel) == 1)
        done_signal();
    return ASW_ACT_OK;
}

static int fan_pub(asw_actor_t *self, asw_msg_t *msg)
{
    uint64_t *left = asw_actor_state(self);
    if (msg->type == 1) *left = msg->word;
    asw_msg_t m = {.type = 9};
    for (int i = 0; i < 16 && *left; i++, (*left)--)
        asw_broker_publish(broker, "bench/topic", &m, NULL, NULL);
    if (*left) {
        asw_msg_t c = {.type = 2};
        asw_actor_send(self, asw_self(self), &c, NULL);
    }
    return ASW_ACT_OK;
}

static asw_actor_id_t fan_id;

static void bench_fanout(void *ctx, uint64_t iters)
{
    (void)ctx;
    for (int i = 0; i < FANOUT; i++) {
        fan_st[i].got = 0;
        fan_st[i].expect = iters;
    }
    atomic_store(&fan_left, (long)FANOUT);
    send_word(fan_id, 1, iters);
    done_wait();
}

/* Our medians, matched by name with the Erlang peer's at the end. */
typedef struct ours {
    const char *name;
    double median;
    int higher_is_better;
} ours_t;
static ours_t res[16];
static size_t nres;

/* ---- registry lookup ---- */
/* The 4096 names looked up (random among the n registered) are copied into one compact array,
 * in random order: the loop then measures the registry's lookup (hash, probe, compare), not the
 * caller's own cache and TLB misses on a 16 MB array of names, nor an RNG or a modulo. */
#define LK_KEYS 4096

typedef struct lk {
    char (*keys)[16]; /* LK_KEYS names, in lookup order */
} lk_t;

static void bench_lookup(void *ctx, uint64_t iters)
{
    lk_t *l = ctx;
    uint64_t acc = 0;
    for (uint64_t i = 0; i < iters; i++)
        acc += asw_whereis(sys, l->keys[i & (LK_KEYS - 1)]);
    BENCH_KEEP(acc);
}

static void registry_metrics(void)
{
    static const uint32_t sizes[] = {1000, 100000, 1000000};
    static const char *labels[] = {"1k", "100k", "1m"};
    char(*names)[16] = malloc(sizeof(*names) * 1000000);
    char(*keys)[16] = malloc(sizeof(*keys) * LK_KEYS);
    if (!names || !keys) die("registry", ASW_E_NOMEM);
    for (size_t k = 0; k < 3; k++) {
        char metric[64];
        snprintf(metric, sizeof(metric), "rt.registry_lookup.%s", labels[k]);
        if (!bench_enabled(metric)) continue;
        uint32_t n = quick() && sizes[k] > 100000 ? 100000 : sizes[k];
        asw_system_opts_t so = {.workers = 1};
        asw_system_t *s2;
        if (asw_system_new(&so, &s2, NULL)) die("system", -1);
        asw_system_t *saved = sys;
        sys = s2;
        for (uint32_t i = 0; i < n; i++) {
            snprintf(names[i], 16, "a%u", i);
            asw_actor_opts_t o = {.behavior = idle, .name = names[i]};
            asw_actor_id_t id;
            if (asw_spawn(sys, &o, &id, NULL)) die("spawn named", -1);
        }
        uint32_t x = 12345;
        for (int i = 0; i < LK_KEYS; i++) {
            x = x * 1103515245u + 12345u;
            memcpy(keys[i], names[(x >> 8) % n], 16);
        }
        lk_t l = {keys};
        bench_result_t r = bench_run(metric, bench_lookup, &l);
        static const char *short_names[] = {"registry_lookup.1k", "registry_lookup.100k",
                                            "registry_lookup.1m"};
        if (r.samples && n == sizes[k]) res[nres++] = (ours_t){short_names[k], r.median, 0};
        asw_system_free(sys);
        sys = saved;
    }
    free(names);
    free(keys);
}

/* ---- memory per actor: a counting allocator around a fresh system ---- */
static atomic_long live_bytes;

static void *cnt_malloc(void *ud, size_t n)
{
    (void)ud;
    size_t *p = malloc(n + 16);
    if (!p) return NULL;
    p[0] = n;
    atomic_fetch_add(&live_bytes, (long)n);
    return (char *)p + 16;
}

static void cnt_free(void *ud, void *ptr)
{
    (void)ud;
    if (!ptr) return;
    size_t *p = (size_t *)((char *)ptr - 16);
    atomic_fetch_sub(&live_bytes, (long)p[0]);
    free(p);
}

static void *cnt_realloc(void *ud, void *ptr, size_t n)
{
    if (!ptr) return cnt_malloc(ud, n);
    size_t *p = (size_t *)((char *)ptr - 16);
    size_t old = p[0];
    size_t *q = realloc(p, n + 16);
    if (!q) return NULL;
    q[0] = n;
    atomic_fetch_add(&live_bytes, (long)n - (long)old);
    return (char *)q + 16;
}

static void memory_metric(void)
{
    if (!bench_enabled("rt.memory_per_actor")) return;
    asw_allocator_t a = {cnt_malloc, cnt_realloc, cnt_free, NULL};
    asw_set_allocator(&a);
    uint32_t n = quick() ? 20000 : 1000000;
    asw_system_opts_t so = {.workers = 2};
    asw_system_t *s2;
    if (asw_system_new(&so, &s2, NULL)) die("system", -1);
    asw_system_quiesce(s2, UINT64_MAX);
    long before = atomic_load(&live_bytes);
    asw_actor_opts_t o = {.behavior = idle};
    for (uint32_t i = 0; i < n; i++) {
        asw_actor_id_t id;
        if (asw_spawn(s2, &o, &id, NULL)) die("spawn", -1);
    }
    asw_system_quiesce(s2, UINT64_MAX);
    double per = (double)(atomic_load(&live_bytes) - before) / n;
    fprintf(stderr, "rt_bench: %u idle actors use %.1f MiB\n", n,
            (double)(atomic_load(&live_bytes) - before) / 1048576.0);
    bench_report("rt.memory_per_actor", "bytes", per, per, 1);
    res[nres++] = (ours_t){"memory_per_actor", per, 0};
    asw_system_free(s2);
    asw_set_allocator(NULL);
}

/* ---- supervisor restart ---- */
static atomic_long restarts_left;

static int crashy(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    (void)msg;
    return ASW_E_TRAP;
}

static int crashy_start(asw_actor_t *self)
{
    if (atomic_fetch_sub(&restarts_left, 1) > 0) {
        asw_msg_t m = {.type = 1};
        asw_actor_send(self, asw_self(self), &m, NULL); /* crash right away */
    } else {
        done_signal();
    }
    return 0;
}

static const asw_actor_hooks_t crashy_hooks = {.pre_start = crashy_start};
static asw_child_spec_t crashy_child = {.actor = {.behavior = crashy, .hooks = &crashy_hooks},
                                        .restart = ASW_PERMANENT};

static void bench_restart(void *ctx, uint64_t iters)
{
    (void)ctx;
    atomic_store(&restarts_left, (long)iters);
    static const asw_supervisor_opts_t so = {.strategy = ASW_ONE_FOR_ONE,
                                             .max_restarts =
                                                 1000u, /* window of 1 ns: never reached */
                                             .within_ns = 1,
                                             .children = &crashy_child,
                                             .nchildren = 1};
    asw_actor_id_t sup;
    /* The first start consumes one unit of `left`; the restarts consume the rest. */
    atomic_fetch_add(&restarts_left, 1);
    if (asw_supervisor_start(sys, &so, &sup, NULL)) die("supervisor", -1);
    done_wait();
    asw_actor_stop(sys, sup, 0, true);
    asw_system_quiesce(sys, UINT64_MAX);
}

/* ---- Erlang comparison ---- */
typedef struct erl {
    char name[64];
    double median;
} erl_t;

static size_t load_erlang(erl_t *out, size_t max)
{
    const char *file = getenv("ASW_RT_ERLANG_JSON");
    const char *env = getenv("ASW_RT_ERLANG");
    FILE *f = NULL;
    int is_pipe = 0;
    if (file && *file) {
        f = fopen(file, "r");
    } else if (!quick() && !(env && *env == '0')) {
        f = popen("sh " ASW_RT_ERLANG_SCRIPT " 2>/dev/null", "r");
        is_pipe = 1;
    }
    if (!f) return 0;
    char line[512];
    size_t n = 0;
    while (n < max && fgets(line, sizeof(line), f)) {
        const char *b = strstr(line, "\"bench\":\"erlang.rt.");
        const char *m = strstr(line, "\"median\":");
        if (!b || !m) continue;
        b += strlen("\"bench\":\"erlang.rt.");
        const char *e = strchr(b, '"');
        if (!e || (size_t)(e - b) >= sizeof(out[n].name)) continue;
        memcpy(out[n].name, b, (size_t)(e - b));
        out[n].name[e - b] = 0;
        out[n].median = strtod(m + 9, NULL);
        n++;
    }
    if (is_pipe)
        pclose(f);
    else
        fclose(f);
    return n;
}

int main(void)
{
    asw_system_opts_t so = {0};
    int rc = asw_system_new(&so, &sys, NULL);
    if (rc) die("system", rc);
    bench_result_t r;

    static uint64_t spawner_state;
    spawner_id = spawn(spawner, &spawner_state);
    r = bench_run_ops("rt.spawn", bench_spawn, NULL, SPAWN_OPS);
    if (r.samples) res[nres++] = (ours_t){"spawn", r.median, 0};

    static pp_t pst;
    asw_actor_id_t pong_id = spawn(pong, NULL);
    pst.peer = pong_id;
    ping_id = spawn(ping, &pst);
    r = bench_run_ops("rt.send_recv_latency", bench_pingpong, NULL, 2);
    if (r.samples) res[nres++] = (ours_t){"send_recv_latency", r.median, 0};

    if (bench_enabled("rt.throughput")) {
        for (int i = 0; i < TP_RECEIVERS; i++) {
            /* Receivers drain more per turn than a sender's batch brings them, so mailboxes
             * stay short (the scenario measures transfer, not queue growth). */
            asw_actor_opts_t o = {.behavior = tp_receiver, .state = &tp_r[i], .max_per_turn = 1024};
            if (asw_spawn(sys, &o, &tp_recv[i], NULL)) die("spawn", -1);
        }
        for (int i = 0; i < TP_SENDERS; i++)
            tp_send_ids[i] = spawn(tp_sender, &tp_s[i]);
        uint64_t total = quick() ? 200000 : 8000000;
        run_throughput(total / 8); /* warm-up: node pools, caches */
        int ns = quick() ? 2 : 7;
        double v[7];
        for (int i = 0; i < ns; i++)
            v[i] = run_throughput(total);
        qsort(v, (size_t)ns, sizeof(double), cmp_double);
        bench_report("rt.throughput", "ops/s", v[ns / 2], v[0], (size_t)ns);
        res[nres++] = (ours_t){"throughput", v[ns / 2], 1};
    }

    static rr_t rst;
    rst.server = spawn(rr_server, NULL);
    rr_id = spawn(rr_client, &rst);
    r = bench_run("rt.request_response", bench_rr, NULL);
    if (r.samples) res[nres++] = (ours_t){"request_response", r.median, 0};

    if (asw_broker_new(sys, &broker, NULL)) die("broker", -1);
    for (int i = 0; i < FANOUT; i++) {
        uint64_t sub;
        if (asw_broker_subscribe(broker, i % 2 ? "bench/+" : "bench/topic",
                                 spawn(fan_sub, &fan_st[i]), &sub, NULL))
            die("subscribe", -1);
    }
    static uint64_t fan_left_state;
    fan_id = spawn(fan_pub, &fan_left_state);
    r = bench_run("rt.pubsub_fanout_100", bench_fanout, NULL);
    if (r.samples) res[nres++] = (ours_t){"pubsub_fanout_100", r.median, 0};

    r = bench_run("rt.supervisor_restart", bench_restart, NULL);
    if (r.samples) res[nres++] = (ours_t){"supervisor_restart", r.median, 0};

    asw_system_stats_t st;
    asw_system_stats(sys, &st);
    fprintf(stderr, "rt_bench: steals %llu, turns %llu, dead letters %llu\n",
            (unsigned long long)st.steals, (unsigned long long)st.turns,
            (unsigned long long)st.dead_letters);
    asw_broker_free(broker);
    asw_system_free(sys);
    sys = NULL;

    registry_metrics();
    memory_metric();

    erl_t erl[32];
    size_t nerl = load_erlang(erl, 32);
    for (size_t i = 0; i < nres; i++) {
        for (size_t j = 0; j < nerl; j++) {
            if (strcmp(res[i].name, erl[j].name) || erl[j].median <= 0 || res[i].median <= 0)
                continue;
            double ratio = res[i].higher_is_better ? res[i].median / erl[j].median
                                                   : erl[j].median / res[i].median;
            char name[96];
            snprintf(name, sizeof(name), "rt.%s.vs_erlang", res[i].name);
            bench_report(name, "ratio", ratio, ratio, 1);
        }
    }
    return 0;
}
