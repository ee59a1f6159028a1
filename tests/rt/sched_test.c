/*
 * tests/rt/sched_test.c -- scheduler placement: a few actors exchanging messages stay on one
 * worker (no eager stealing), yet work still spreads when a turn runs long (stall stealing) or
 * when many actors are runnable (backlog stealing); an actor moving between workers keeps the
 * order of each sender's messages; actors spawned in a turn count toward its budget; the memory
 * of an idle actor stays within its budget.
 */
#include "rt_util.h"

/* ---- a long turn does not hold back an actor queued behind it ---- */

static atomic_int released;

/* Spins until `released` is set (by another actor): the worker running it is stuck. */
static int spinner(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    (void)msg;
    for (int i = 0; i < 5000 && !atomic_load(&released); i++)
        nap_ms(1);
    return ASW_ACT_OK;
}

static int releaser(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    (void)msg;
    atomic_store(&released, 1);
    return ASW_ACT_OK;
}

static void long_turn_lets_queued_actor_run_elsewhere(void **st)
{
    (void)st;
    atomic_store(&released, 0);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t so = {.behavior = spinner}, ro = {.behavior = releaser};
    asw_actor_id_t s = 0, r = 0;
    assert_int_equal(asw_spawn(sys, &so, &s, NULL), ASW_OK);
    assert_int_equal(asw_spawn(sys, &ro, &r, NULL), ASW_OK);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    asw_msg_t m = {.type = 1};
    assert_int_equal(asw_send(sys, s, &m, NULL), ASW_OK);
    nap_ms(5); /* the spinner's turn has started on the worker both were queued for */
    assert_int_equal(asw_send(sys, r, &m, NULL), ASW_OK);
    WAIT_TRUE(atomic_load(&released));
    assert_true(atomic_load(&released)); /* the other worker took the releaser */
    assert_int_equal(asw_system_quiesce(sys, 5000000000u), ASW_OK);
    asw_system_stats_t ss;
    asw_system_stats(sys, &ss);
    assert_true(ss.steals >= 1);
    asw_system_free(sys);
}

/* ---- many runnable actors spread over the workers ---- */

static atomic_int busy_workers_seen;
static _Thread_local int tl_marked;
static atomic_int cpu_left;
static atomic_uint cpu_sink;

static int cpu_actor(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    (void)msg;
    if (!tl_marked) {
        tl_marked = 1;
        atomic_fetch_add(&busy_workers_seen, 1);
    }
    /* Busy for 1 ms of wall time: a counted loop is what clang folds or vectorises away (the
     * 64 actors then took 4 ms in all and the second worker sometimes never got a turn). */
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned x = 1;
    do {
        for (unsigned i = 0; i < 1000; i++)
            x = x * 1103515245u + i;
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 1000000L);
    atomic_fetch_add(&cpu_sink, x);
    atomic_fetch_sub(&cpu_left, 1);
    return ASW_ACT_OK;
}

static void backlog_spreads_over_workers(void **st)
{
    (void)st;
    atomic_store(&busy_workers_seen, 0);
    asw_system_t *sys = new_sys(2);
    enum { N = 64 };
    atomic_store(&cpu_left, N);
    asw_actor_id_t ids[N];
    asw_actor_opts_t o = {.behavior = cpu_actor};
    for (int i = 0; i < N; i++)
        assert_int_equal(asw_spawn(sys, &o, &ids[i], NULL), ASW_OK);
    asw_msg_t m = {.type = 1};
    for (int i = 0; i < N; i++)
        assert_int_equal(asw_send(sys, ids[i], &m, NULL), ASW_OK);
    assert_int_equal(asw_system_quiesce(sys, 10000000000u), ASW_OK);
    assert_int_equal(atomic_load(&cpu_left), 0);
    assert_int_equal(atomic_load(&busy_workers_seen), 2); /* both workers ran some */
    asw_system_free(sys);
}

/* ---- per-sender order survives actors moving between workers ---- */

enum { SENDERS = 4, PER_SENDER = 3000 };

typedef struct ord {
    long next[SENDERS];
    atomic_int bad, got;
} ord_t;

static ord_t ord;
static asw_actor_id_t ord_sink;

static int ord_sender(asw_actor_t *self, asw_msg_t *msg)
{
    /* word: sender index; status: first sequence number of this batch */
    long idx = (long)msg->word, seq = msg->status;
    for (int i = 0; i < 100 && seq < PER_SENDER; i++, seq++) {
        asw_msg_t m = {.type = 2, .word = (uint64_t)(idx * 1000000 + seq)};
        while (asw_actor_send(self, ord_sink, &m, NULL) != ASW_OK)
            ;
    }
    if (seq < PER_SENDER) {
        asw_msg_t c = {.type = 1, .word = (uint64_t)idx, .status = (int32_t)seq};
        asw_actor_send(self, asw_self(self), &c, NULL);
    }
    return ASW_ACT_OK;
}

static int ord_receiver(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    long idx = (long)(msg->word / 1000000), seq = (long)(msg->word % 1000000);
    if (idx < 0 || idx >= SENDERS || ord.next[idx] != seq)
        atomic_fetch_add(&ord.bad, 1);
    else
        ord.next[idx]++;
    atomic_fetch_add(&ord.got, 1);
    return ASW_ACT_OK;
}

static void order_per_sender_kept(void **st)
{
    (void)st;
    memset(&ord, 0, sizeof(ord));
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t ro = {.behavior = ord_receiver, .max_per_turn = 7};
    assert_int_equal(asw_spawn(sys, &ro, &ord_sink, NULL), ASW_OK);
    asw_actor_opts_t so = {.behavior = ord_sender};
    asw_actor_id_t s[SENDERS];
    for (int i = 0; i < SENDERS; i++)
        assert_int_equal(asw_spawn(sys, &so, &s[i], NULL), ASW_OK);
    for (int i = 0; i < SENDERS; i++) {
        asw_msg_t m = {.type = 1, .word = (uint64_t)i, .status = 0};
        assert_int_equal(asw_send(sys, s[i], &m, NULL), ASW_OK);
    }
    WAIT_TRUE(atomic_load(&ord.got) == SENDERS * PER_SENDER);
    assert_int_equal(asw_system_quiesce(sys, 5000000000u), ASW_OK);
    assert_int_equal(atomic_load(&ord.got), SENDERS * PER_SENDER);
    assert_int_equal(atomic_load(&ord.bad), 0);
    for (int i = 0; i < SENDERS; i++)
        assert_int_equal(ord.next[i], PER_SENDER);
    asw_system_free(sys);
}

/* ---- spawns count toward the spawning turn's budget ---- */

/* The spawner handles SPAWN_MSGS messages it sends itself, spawning one child per message. A
 * turn may run max_per_turn units, one per message handled and one per actor spawned, so with
 * max_per_turn 8 a turn handles 4 messages and its 4 children start before the next turn. */
enum { SPAWN_MSGS = 40, SPAWN_TURN = 8 };

static atomic_int sp_started;
static int sp_spawned, sp_max_pending;

static void sp_child_started(asw_actor_t *self)
{
    (void)self;
    atomic_fetch_add(&sp_started, 1);
}

static const asw_actor_hooks_t sp_child_hooks = {.post_start = sp_child_started};

static int sp_child(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    (void)msg;
    return ASW_ACT_STOP;
}

static int sp_spawner(asw_actor_t *self, asw_msg_t *msg)
{
    (void)msg;
    asw_actor_opts_t o = {.behavior = sp_child, .hooks = &sp_child_hooks};
    asw_actor_id_t id;
    if (asw_spawn(asw_actor_system(self), &o, &id, NULL) != ASW_OK) return ASW_E_INVALID;
    sp_spawned++;
    int pending = sp_spawned - atomic_load(&sp_started);
    if (pending > sp_max_pending) sp_max_pending = pending;
    asw_msg_t m = {.type = 1};
    if (asw_actor_send(self, id, &m, NULL) != ASW_OK) return ASW_E_INVALID;
    if (sp_spawned < SPAWN_MSGS) return asw_actor_send(self, asw_self(self), &m, NULL);
    return ASW_ACT_OK;
}

static void spawns_count_toward_turn_budget(void **st)
{
    (void)st;
    atomic_store(&sp_started, 0);
    sp_spawned = sp_max_pending = 0;
    asw_system_t *sys = new_sys(1); /* one worker: the order of turns is deterministic */
    asw_actor_opts_t o = {.behavior = sp_spawner, .max_per_turn = SPAWN_TURN};
    asw_actor_id_t s;
    assert_int_equal(asw_spawn(sys, &o, &s, NULL), ASW_OK);
    asw_msg_t m = {.type = 1};
    assert_int_equal(asw_send(sys, s, &m, NULL), ASW_OK);
    assert_int_equal(asw_system_quiesce(sys, 5000000000u), ASW_OK);
    assert_int_equal(sp_spawned, SPAWN_MSGS);
    assert_int_equal(atomic_load(&sp_started), SPAWN_MSGS);
    /* Counting messages only, a turn would handle 8 messages and leave 8 children waiting. */
    assert_true(sp_max_pending >= 1);
    assert_true(sp_max_pending <= SPAWN_TURN / 2);
    asw_system_stats_t ss;
    asw_system_stats(sys, &ss);
    assert_int_equal(ss.actors_live, 1);
    asw_system_free(sys);
}

/* ---- memory of an idle actor ---- */

static int idle_actor(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    (void)msg;
    return ASW_ACT_OK;
}

static void idle_actor_fits_256_bytes(void **st)
{
    (void)st;
    asw_test_alloc_install(0, 0); /* counts live bytes; never fails */
    asw_system_t *sys = new_sys(1);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    size_t before = asw_test_alloc_live_bytes();
    enum { N = 4095 }; /* slots 1..4095: four whole chunks (slot 0 is never used) */
    asw_actor_opts_t o = {.behavior = idle_actor};
    for (int i = 0; i < N; i++) {
        asw_actor_id_t id;
        assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
    }
    assert_int_equal(asw_system_quiesce(sys, 5000000000u), ASW_OK);
    double per = (double)(asw_test_alloc_live_bytes() - before) / N;
    assert_true(per <= 256.0);
    asw_system_free(sys);
    assert_int_equal(asw_test_alloc_uninstall(), 0); /* nothing leaked */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_turn_lets_queued_actor_run_elsewhere),
        cmocka_unit_test(backlog_spreads_over_workers),
        cmocka_unit_test(order_per_sender_kept),
        cmocka_unit_test(spawns_count_toward_turn_budget),
        cmocka_unit_test(idle_actor_fits_256_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
