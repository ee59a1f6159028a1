/*
 * tests/rt/supervisor_test.c -- supervision: the three strategies, the three restart policies,
 * restart intensity at the limit and one over (escalation to the parent), backoff, ordered start
 * and reverse-ordered shutdown, trees of supervisors, lifecycle hooks and on_error decisions.
 */
#include "rt_util.h"

static rt_log_t lg;
static int idx[4] = {0, 1, 2, 3};

static int child(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    if (msg->word == 99) return ASW_E_TRAP;
    if (msg->word == 98) return ASW_ACT_STOP;
    if (msg->word == 97) log_add(&lg, 400 + *(int *)asw_actor_state(self));
    return ASW_ACT_OK;
}

static int h_pre(asw_actor_t *self)
{
    log_add(&lg, 100 + *(int *)asw_actor_state(self));
    return 0;
}

static void h_post_stop(asw_actor_t *self, int reason)
{
    (void)reason;
    log_add(&lg, 200 + *(int *)asw_actor_state(self));
}

static void h_restart(asw_actor_t *self, int reason)
{
    log_add(&lg, reason == ASW_E_TRAP ? 300 + *(int *)asw_actor_state(self) : -300);
}

static int h_fail(asw_actor_t *self)
{
    (void)self;
    log_add(&lg, 900);
    return ASW_E_TRAP;
}

static const asw_actor_hooks_t hooks = {
    .pre_start = h_pre, .post_stop = h_post_stop, .on_restart = h_restart};
static const asw_actor_hooks_t failing = {.pre_start = h_fail};

static asw_child_spec_t spec(int i, asw_restart_t r)
{
    asw_child_spec_t c = {.restart = r, .shutdown_timeout_ns = 1000000000u};
    c.actor.behavior = child;
    c.actor.state = &idx[i];
    c.actor.hooks = &hooks;
    return c;
}

static void crash(asw_system_t *sys, asw_actor_id_t id, uint64_t word)
{
    asw_msg_t m = {.type = 1, .word = word};
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
}

static void wait_child_changed(asw_system_t *sys, asw_actor_id_t sup, size_t i, asw_actor_id_t old)
{
    WAIT_TRUE(asw_supervisor_child(sys, sup, i) != 0 && asw_supervisor_child(sys, sup, i) != old);
    assert_true(asw_supervisor_child(sys, sup, i) != old);
}

static void strategies(void **st)
{
    (void)st;
    asw_system_t *sys = new_sys(2);
    for (int strat = ASW_ONE_FOR_ONE; strat <= ASW_REST_FOR_ONE; strat++) {
        log_init(&lg);
        asw_child_spec_t cs[3] = {spec(0, ASW_PERMANENT), spec(1, ASW_PERMANENT),
                                  spec(2, ASW_PERMANENT)};
        asw_supervisor_opts_t so = {.strategy = (asw_strategy_t)strat,
                                    .max_restarts = 5,
                                    .within_ns = 1000000000u,
                                    .children = cs,
                                    .nchildren = 3};
        asw_actor_id_t sup;
        assert_int_equal(asw_supervisor_start(sys, &so, &sup, NULL), ASW_OK);
        assert_int_equal(log_wait(&lg, 3), 3);
        /* Ordered start: child i+1 starts after child i. */
        assert_int_equal(log_at(&lg, 0), 100);
        assert_int_equal(log_at(&lg, 1), 101);
        assert_int_equal(log_at(&lg, 2), 102);
        WAIT_TRUE(asw_supervisor_child(sys, sup, 2) != 0);
        asw_actor_id_t before[3];
        for (size_t i = 0; i < 3; i++)
            before[i] = asw_supervisor_child(sys, sup, i);
        crash(sys, before[1], 99);
        wait_child_changed(sys, sup, 1, before[1]);
        if (strat != ASW_ONE_FOR_ONE) wait_child_changed(sys, sup, 2, before[2]);
        if (strat == ASW_ONE_FOR_ALL) wait_child_changed(sys, sup, 0, before[0]);
        assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
        asw_actor_id_t after[3];
        for (size_t i = 0; i < 3; i++)
            after[i] = asw_supervisor_child(sys, sup, i);
        assert_true(after[1] != before[1]);
        assert_int_equal(after[0] == before[0], strat != ASW_ONE_FOR_ALL);
        assert_int_equal(after[2] == before[2], strat == ASW_ONE_FOR_ONE);
        assert_true(log_find(&lg, 301) >= 0); /* on_restart(reason) of the new child 1 */
        asw_actor_stats_t s;
        assert_int_equal(asw_actor_stats(sys, after[1], &s), ASW_OK);
        assert_int_equal(s.restarts, 1);
        if (strat == ASW_ONE_FOR_ALL) /* the others stopped in reverse order: 2 before 0 */
            assert_true(log_find(&lg, 202) < log_find(&lg, 200));
        /* Graceful shutdown of the supervisor: children stop in reverse order. */
        int n0 = log_count(&lg);
        assert_int_equal(asw_actor_stop(sys, sup, 0, false), ASW_OK);
        WAIT_TRUE(!asw_actor_alive(sys, sup));
        assert_false(asw_actor_alive(sys, sup));
        assert_int_equal(log_at(&lg, n0), 202);
        assert_int_equal(log_at(&lg, n0 + 1), 201);
        assert_int_equal(log_at(&lg, n0 + 2), 200);
        for (size_t i = 0; i < 3; i++)
            assert_false(asw_actor_alive(sys, after[i]));
    }
    asw_system_free(sys);
}

static void restart_policies(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_child_spec_t cs[3] = {spec(0, ASW_TRANSIENT), spec(1, ASW_TEMPORARY),
                              spec(2, ASW_TRANSIENT)};
    asw_supervisor_opts_t so = {
        .max_restarts = 5, .within_ns = 1000000000u, .children = cs, .nchildren = 3};
    asw_actor_id_t sup;
    assert_int_equal(asw_supervisor_start(sys, &so, &sup, NULL), ASW_OK);
    WAIT_TRUE(asw_supervisor_child(sys, sup, 2) != 0);
    asw_actor_id_t c0 = asw_supervisor_child(sys, sup, 0);
    asw_actor_id_t c1 = asw_supervisor_child(sys, sup, 1);
    asw_actor_id_t c2 = asw_supervisor_child(sys, sup, 2);
    crash(sys, c0, 98); /* transient, normal exit: not restarted */
    crash(sys, c1, 99); /* temporary, crash: not restarted */
    crash(sys, c2, 99); /* transient, crash: restarted */
    wait_child_changed(sys, sup, 2, c2);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    assert_int_equal(asw_supervisor_child(sys, sup, 0), 0);
    assert_int_equal(asw_supervisor_child(sys, sup, 1), 0);
    assert_true(asw_actor_alive(sys, sup));
    asw_system_free(sys);
}

static void intensity_limit_and_escalation(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t wo = {.behavior = child, .state = &idx[3]};
    asw_actor_id_t watcher;
    assert_int_equal(asw_spawn(sys, &wo, &watcher, NULL), ASW_OK);
    asw_child_spec_t cs[1] = {spec(0, ASW_PERMANENT)};
    asw_supervisor_opts_t so = {
        .max_restarts = 2, .within_ns = 10000000000ull, .children = cs, .nchildren = 1};
    asw_actor_id_t sup;
    assert_int_equal(asw_supervisor_start(sys, &so, &sup, NULL), ASW_OK);
    uint64_t ref;
    assert_int_equal(asw_monitor(sys, watcher, sup, &ref), ASW_OK);
    for (int k = 0; k < 2; k++) { /* two restarts: exactly at the limit, still fine */
        WAIT_TRUE(asw_supervisor_child(sys, sup, 0) != 0);
        asw_actor_id_t c = asw_supervisor_child(sys, sup, 0);
        crash(sys, c, 99);
        wait_child_changed(sys, sup, 0, c);
    }
    assert_true(asw_actor_alive(sys, sup));
    asw_actor_id_t c = asw_supervisor_child(sys, sup, 0);
    crash(sys, c, 99); /* the third within the window: one over, escalate */
    WAIT_TRUE(!asw_actor_alive(sys, sup));
    assert_false(asw_actor_alive(sys, sup));
    asw_system_stats_t ss;
    asw_system_stats(sys, &ss);
    assert_int_equal(ss.escalations, 1);

    /* A child that cannot start: a restart storm hits the limit instead of spinning. */
    log_init(&lg);
    asw_child_spec_t bad = spec(0, ASW_PERMANENT);
    bad.actor.hooks = &failing;
    asw_supervisor_opts_t inner = {
        .max_restarts = 3, .within_ns = 10000000000ull, .children = &bad, .nchildren = 1};
    asw_child_spec_t tree[2] = {spec(1, ASW_PERMANENT), {.supervisor = &inner}};
    tree[1].restart = ASW_TRANSIENT;
    asw_supervisor_opts_t outer = {
        .max_restarts = 1, .within_ns = 10000000000ull, .children = tree, .nchildren = 2};
    assert_int_equal(asw_supervisor_start(sys, &outer, &sup, NULL), ASW_OK);
    assert_int_equal(asw_monitor(sys, watcher, sup, &ref), ASW_OK);
    /* inner escalates (4 failed starts), outer restarts inner once, inner escalates again,
     * outer is over its own limit and escalates too. */
    WAIT_TRUE(!asw_actor_alive(sys, sup));
    assert_false(asw_actor_alive(sys, sup));
    asw_system_stats(sys, &ss);
    assert_int_equal(ss.escalations, 4);
    assert_int_equal(log_find(&lg, 900) >= 0, 1);
    asw_system_free(sys);
}

static void backoff_delays_restart(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_child_spec_t cs[1] = {spec(0, ASW_PERMANENT)};
    asw_supervisor_opts_t so = {.max_restarts = 5,
                                .within_ns = 1000000000u,
                                .backoff = ASW_BACKOFF_EXPONENTIAL,
                                .backoff_base_ns = 30000000u,
                                .backoff_max_ns = 100000000u,
                                .children = cs,
                                .nchildren = 1};
    asw_actor_id_t sup;
    assert_int_equal(asw_supervisor_start(sys, &so, &sup, NULL), ASW_OK);
    WAIT_TRUE(asw_supervisor_child(sys, sup, 0) != 0);
    asw_actor_id_t c = asw_supervisor_child(sys, sup, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    crash(sys, c, 99);
    wait_child_changed(sys, sup, 0, c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 29);
    assert_true(ms < 2000);
    asw_system_free(sys);
}

static asw_error_action_t decide(asw_actor_t *self, int err, const asw_msg_t *msg)
{
    (void)self;
    (void)err;
    return msg->len == 1 ? ASW_ERR_RESUME : msg->len == 2 ? ASW_ERR_RESTART : ASW_ERR_STOP;
}

static const asw_actor_hooks_t err_hooks = {
    .pre_start = h_pre, .post_stop = h_post_stop, .on_error = decide, .on_restart = h_restart};

static void on_error_decisions(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t o = {.behavior = child, .state = &idx[0], .hooks = &err_hooks};
    asw_actor_id_t a;
    assert_int_equal(asw_spawn(sys, &o, &a, NULL), ASW_OK);
    asw_msg_t m = {.type = 1, .word = 99, .len = 1}; /* resume */
    assert_int_equal(asw_send(sys, a, &m, NULL), ASW_OK);
    m.word = 97;
    assert_int_equal(asw_send(sys, a, &m, NULL), ASW_OK);
    m.word = 99;
    m.len = 2; /* restart in place: post_stop, on_restart, pre_start; same id */
    assert_int_equal(asw_send(sys, a, &m, NULL), ASW_OK);
    m.word = 97;
    assert_int_equal(asw_send(sys, a, &m, NULL), ASW_OK);
    assert_int_equal(log_wait(&lg, 6), 6);
    assert_int_equal(log_at(&lg, 0), 100);
    assert_int_equal(log_at(&lg, 1), 400);
    assert_int_equal(log_at(&lg, 2), 200);
    assert_int_equal(log_at(&lg, 3), 300);
    assert_int_equal(log_at(&lg, 4), 100);
    assert_int_equal(log_at(&lg, 5), 400);
    asw_actor_stats_t s;
    assert_int_equal(asw_actor_stats(sys, a, &s), ASW_OK);
    assert_int_equal(s.restarts, 1);
    m.word = 99;
    m.len = 3; /* stop */
    assert_int_equal(asw_send(sys, a, &m, NULL), ASW_OK);
    WAIT_TRUE(!asw_actor_alive(sys, a));
    assert_false(asw_actor_alive(sys, a));
    asw_system_free(sys);
}

static void system_shutdown_stops_tree_in_reverse(void **st)
{
    (void)st;
    log_init(&lg);
    asw_test_alloc_install(0, 0);
    asw_system_t *sys = new_sys(2);
    asw_child_spec_t cs[3] = {spec(0, ASW_PERMANENT), spec(1, ASW_PERMANENT),
                              spec(2, ASW_PERMANENT)};
    asw_supervisor_opts_t so = {.strategy = ASW_ONE_FOR_ALL,
                                .max_restarts = 3,
                                .within_ns = 1000000000u,
                                .children = cs,
                                .nchildren = 3,
                                .name = "root"};
    asw_actor_id_t sup;
    assert_int_equal(asw_supervisor_start(sys, &so, &sup, NULL), ASW_OK);
    assert_int_equal(asw_whereis(sys, "root"), sup);
    assert_int_equal(log_wait(&lg, 3), 3);
    assert_int_equal(asw_system_shutdown(sys, 1000000000u), ASW_OK);
    assert_int_equal(log_count(&lg), 6);
    assert_int_equal(log_at(&lg, 3), 202);
    assert_int_equal(log_at(&lg, 4), 201);
    assert_int_equal(log_at(&lg, 5), 200);
    asw_system_free(sys);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
}

static void bad_supervisor_options(void **st)
{
    (void)st;
    asw_system_t *sys = new_sys(1);
    asw_actor_id_t sup;
    asw_supervisor_opts_t so = {.nchildren = 2};
    assert_int_equal(asw_supervisor_start(sys, &so, &sup, NULL), ASW_E_INVALID);
    asw_child_spec_t c = {0};
    so.children = &c;
    so.nchildren = 1;
    assert_int_equal(asw_supervisor_start(sys, &so, &sup, NULL), ASW_E_INVALID);
    so.strategy = (asw_strategy_t)7;
    assert_int_equal(asw_supervisor_start(sys, &so, &sup, NULL), ASW_E_INVALID);
    assert_int_equal(asw_supervisor_start(sys, NULL, &sup, NULL), ASW_E_INVALID);
    assert_int_equal(asw_supervisor_child(sys, 12345, 0), 0);
    asw_system_free(sys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strategies),
        cmocka_unit_test(restart_policies),
        cmocka_unit_test(intensity_limit_and_escalation),
        cmocka_unit_test(backoff_delays_restart),
        cmocka_unit_test(on_error_decisions),
        cmocka_unit_test(system_shutdown_stops_tree_in_reverse),
        cmocka_unit_test(bad_supervisor_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
