/*
 * tests/rt/starvation_test.c -- actors made runnable from outside the workers are not starved
 * by busy actors. Regression: a ping-pong pair kept in a worker's LIFO slot was run forever
 * while the inject queue (spawns and sends from non-worker threads) waited, so a component
 * loaded while others exchanged messages never started. Also: a supervisor started from
 * outside has its first child registered when asw_supervisor_start returns.
 */
#include "rt_util.h"

static rt_log_t lg;
static atomic_int stop_pingpong;

/* Bounces every message back to the actor named in msg->word, until told to stop. */
static int bouncer(asw_actor_t *self, asw_msg_t *msg)
{
    if (atomic_load(&stop_pingpong)) return ASW_ACT_OK;
    asw_msg_t m = {.type = 1, .word = asw_self(self)};
    (void)asw_send(asw_actor_system(self), (asw_actor_id_t)msg->word, &m, NULL);
    return ASW_ACT_OK;
}

static int logger(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    log_add(&lg, (long)msg->word);
    return ASW_ACT_OK;
}

/* Starts `pairs` ping-pong pairs that never stop on their own. */
static void start_pingpong(asw_system_t *sys, int pairs)
{
    for (int p = 0; p < pairs; p++) {
        asw_actor_opts_t o = {.behavior = bouncer};
        asw_actor_id_t a = 0, b = 0;
        assert_int_equal(asw_spawn(sys, &o, &a, NULL), ASW_OK);
        assert_int_equal(asw_spawn(sys, &o, &b, NULL), ASW_OK);
        asw_msg_t m = {.type = 1, .word = b};
        assert_int_equal(asw_send(sys, a, &m, NULL), ASW_OK);
    }
}

static void outside_spawn_runs_while_pairs_bounce(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&stop_pingpong, 0);
    asw_system_t *sys = new_sys(1); /* one worker: the pair and the newcomer share it */
    start_pingpong(sys, 1);
    nap_ms(20); /* let the pair settle into the worker's LIFO slot */
    for (int i = 0; i < 20; i++) {
        asw_actor_opts_t o = {.behavior = logger};
        asw_actor_id_t id = 0;
        assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
        asw_msg_t m = {.type = 1, .word = (uint64_t)i};
        assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
        assert_int_equal(log_wait(&lg, i + 1), i + 1); /* within 5 s, or the test fails */
    }
    atomic_store(&stop_pingpong, 1);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    asw_system_free(sys);
}

static void supervisor_child_registered_on_return(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&stop_pingpong, 0);
    asw_system_t *sys = new_sys(2);
    start_pingpong(sys, 2); /* both workers busy */
    asw_child_spec_t child = {.actor = {.behavior = logger, .name = "first-child"}};
    asw_child_spec_t second = {.actor = {.behavior = logger, .name = "second-child"}};
    asw_child_spec_t kids[2] = {child, second};
    asw_supervisor_opts_t so = {.strategy = ASW_ONE_FOR_ONE,
                                .max_restarts = 3,
                                .within_ns = 1000000000u,
                                .children = kids,
                                .nchildren = 2};
    for (int i = 0; i < 10; i++) {
        asw_actor_id_t sup = 0;
        assert_int_equal(asw_supervisor_start(sys, &so, &sup, NULL), ASW_OK);
        asw_actor_id_t c = asw_whereis(sys, "first-child");
        assert_true(c != ASW_ACTOR_NONE); /* no waiting for a worker */
        asw_msg_t m = {.type = 1, .word = (uint64_t)i};
        assert_int_equal(asw_send(sys, c, &m, NULL), ASW_OK);
        assert_int_equal(log_wait(&lg, i + 1), i + 1);
        WAIT_TRUE(asw_whereis(sys, "second-child") != ASW_ACTOR_NONE); /* ordered start goes on */
        assert_true(asw_whereis(sys, "second-child") != ASW_ACTOR_NONE);
        assert_int_equal(asw_actor_stop(sys, sup, 0, false), ASW_OK);
        WAIT_TRUE(!asw_actor_alive(sys, sup) && asw_whereis(sys, "first-child") == ASW_ACTOR_NONE &&
                  asw_whereis(sys, "second-child") == ASW_ACTOR_NONE);
        assert_false(asw_actor_alive(sys, sup));
    }
    atomic_store(&stop_pingpong, 1);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    asw_system_free(sys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outside_spawn_runs_while_pairs_bounce),
        cmocka_unit_test(supervisor_child_registered_on_return),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
