/*
 * tests/rt/core_test.c -- the core of the actor runtime: spawn, send (ownership of the payload),
 * FIFO order per sender, errors on dead/unknown targets (dead letters counted), stop (graceful
 * and kill), suspension and resumption, yield, per-turn fairness, shutdown with queued messages
 * (payloads dropped, nothing leaks) and allocation failure at every step.
 */
#include "rt_util.h"

static rt_log_t lg;

static int logger(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    log_add(&lg, msg->type == ASW_MSG_RESUME ? -1 : (long)msg->word);
    return ASW_ACT_OK;
}

static void spawn_send_receive_in_order(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t o = {.behavior = logger};
    asw_actor_id_t id = 0;
    assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
    assert_true(id != ASW_ACTOR_NONE);
    assert_true(asw_actor_alive(sys, id));
    for (int i = 0; i < 1000; i++) {
        asw_msg_t m = {.type = 1, .word = (uint64_t)i};
        assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    }
    assert_int_equal(log_wait(&lg, 1000), 1000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(log_at(&lg, i), i);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    asw_actor_stats_t s;
    assert_int_equal(asw_actor_stats(sys, id, &s), ASW_OK);
    assert_int_equal(s.received, 1000);
    assert_int_equal(s.handled, 1000);
    assert_int_equal(s.mailbox_depth, 0);
    asw_system_stats_t ss;
    asw_system_stats(sys, &ss);
    assert_int_equal(ss.actors_live, 1);
    assert_true(ss.sent >= 1000);
    asw_system_free(sys);
}

static void send_to_dead_or_unknown_fails(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(1);
    asw_msg_t m = {.type = 1, .data = payload(8), .len = 8, .drop = count_drop};
    atomic_store(&drops, 0);
    asw_error_t e = {0};
    assert_int_equal(asw_send(sys, 0, &m, &e), ASW_E_DEAD);
    assert_int_equal(asw_send(sys, 0x500000007ull, &m, &e), ASW_E_DEAD);
    assert_int_equal(asw_send(sys, UINT64_MAX, &m, &e), ASW_E_DEAD);
    asw_actor_opts_t o = {.behavior = logger};
    asw_actor_id_t id;
    assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
    assert_int_equal(asw_actor_stop(sys, id, 0, false), ASW_OK);
    WAIT_TRUE(!asw_actor_alive(sys, id));
    assert_false(asw_actor_alive(sys, id));
    assert_int_equal(asw_send(sys, id, &m, &e), ASW_E_DEAD);
    assert_int_equal(e.code, ASW_E_DEAD);
    assert_int_equal(asw_actor_stop(sys, id, 0, true), ASW_E_DEAD);
    /* A new actor reusing the slot gets a different id; the stale id still fails. */
    asw_actor_id_t id2;
    assert_int_equal(asw_spawn(sys, &o, &id2, NULL), ASW_OK);
    assert_true(id2 != id);
    assert_int_equal(asw_send(sys, id, &m, &e), ASW_E_DEAD);
    assert_int_equal(atomic_load(&drops), 0); /* failed sends leave the payload to the caller */
    asw_system_stats_t ss;
    asw_system_stats(sys, &ss);
    assert_int_equal(ss.dead_letters, 5);
    count_drop(m.data, 8, NULL);
    asw_system_free(sys);
}

static void invalid_arguments(void **st)
{
    (void)st;
    asw_system_t *sys = new_sys(1);
    asw_actor_opts_t none = {0};
    asw_actor_id_t id;
    assert_int_equal(asw_spawn(sys, &none, &id, NULL), ASW_E_INVALID);
    assert_int_equal(asw_spawn(sys, NULL, &id, NULL), ASW_E_INVALID);
    asw_actor_opts_t bad = {.behavior = logger, .overflow = (asw_overflow_t)9};
    assert_int_equal(asw_spawn(sys, &bad, &id, NULL), ASW_E_INVALID);
    asw_actor_opts_t o = {.behavior = logger};
    assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
    assert_int_equal(asw_send(sys, id, NULL, NULL), ASW_E_INVALID);
    asw_msg_t m = {.type = ASW_MSG_DOWN};
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_E_INVALID);
    m.type = ASW_MSG_SYSTEM - 1; /* the last user type is fine */
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    assert_int_equal(asw_send(NULL, id, &m, NULL), ASW_E_INVALID);
    asw_system_opts_t so = {.workers = 5000};
    asw_system_t *s2 = NULL;
    assert_int_equal(asw_system_new(&so, &s2, NULL), ASW_E_INVALID);
    assert_null(s2);
    asw_system_free(sys);
    asw_system_free(NULL);
}

static int taker(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    if (msg->word == 1) { /* take the payload: the runtime must not drop it */
        count_drop(msg->data, msg->len, NULL);
        msg->data = NULL;
    }
    log_add(&lg, (long)msg->word);
    return ASW_ACT_OK;
}

static void payload_ownership_moves(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&drops, 0);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t o = {.behavior = taker};
    asw_actor_id_t id;
    assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
    asw_msg_t m = {.type = 1, .word = 0, .data = payload(32), .len = 32, .drop = count_drop};
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    m.word = 1;
    m.data = payload(32);
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    assert_int_equal(log_wait(&lg, 2), 2);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    assert_int_equal(atomic_load(&drops), 2); /* once by the runtime, once by the taker */
    asw_system_free(sys);
}

static int suspender(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    log_add(&lg, msg->type == ASW_MSG_RESUME ? -1 : (long)msg->word);
    if (msg->word == 100) return ASW_ACT_SUSPEND;
    if (msg->word == 200) return ASW_ACT_YIELD;
    return ASW_ACT_OK;
}

static void suspend_and_resume(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t o = {.behavior = suspender};
    asw_actor_id_t id;
    assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
    asw_msg_t m = {.type = 1, .word = 100};
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    for (int i = 1; i <= 3; i++) {
        m.word = (uint64_t)i;
        assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    }
    assert_int_equal(log_wait(&lg, 1), 1);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    nap_ms(20);
    assert_int_equal(log_count(&lg), 1); /* suspended: nothing else runs */
    asw_actor_stats_t s;
    assert_int_equal(asw_actor_stats(sys, id, &s), ASW_OK);
    assert_int_equal(s.mailbox_depth, 3);
    assert_int_equal(asw_actor_resume(sys, id), ASW_OK);
    assert_int_equal(log_wait(&lg, 5), 5);
    assert_int_equal(log_at(&lg, 1), -1); /* RESUME comes first */
    assert_int_equal(log_at(&lg, 2), 1);
    assert_int_equal(log_at(&lg, 4), 3);
    /* Yield: the next turn starts with RESUME. */
    m.word = 200;
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    m.word = 7;
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    assert_int_equal(log_wait(&lg, 8), 8);
    assert_int_equal(log_at(&lg, 5), 200);
    assert_int_equal(log_at(&lg, 6), -1);
    assert_int_equal(log_at(&lg, 7), 7);
    assert_int_equal(asw_actor_resume(sys, 0), ASW_E_DEAD);
    asw_system_free(sys);
}

static void hook_post_stop(asw_actor_t *self, int reason)
{
    (void)self;
    log_add(&lg, 1000 + reason);
}

static const asw_actor_hooks_t stop_hooks = {.post_stop = hook_post_stop};

static void stop_graceful_and_kill(void **st)
{
    (void)st;
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t o = {.behavior = suspender, .hooks = &stop_hooks};
    for (int kill = 0; kill <= 1; kill++) {
        log_init(&lg);
        atomic_store(&drops, 0);
        asw_actor_id_t id;
        assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
        asw_msg_t m = {.type = 1, .word = 100};
        assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
        assert_int_equal(log_wait(&lg, 1), 1);
        for (int i = 1; i <= 5; i++) {
            asw_msg_t p = {.type = 1, .word = (uint64_t)i, .data = payload(4), .drop = count_drop};
            assert_int_equal(asw_send(sys, id, &p, NULL), ASW_OK);
        }
        assert_int_equal(asw_actor_stop(sys, id, kill ? -77 : 0, kill), ASW_OK);
        if (!kill) {
            nap_ms(10);
            assert_int_equal(log_count(&lg), 1); /* graceful stop waits behind the suspension */
            assert_int_equal(asw_actor_resume(sys, id), ASW_OK);
            assert_int_equal(log_wait(&lg, 8), 8); /* RESUME, 1..5, post_stop */
            assert_int_equal(log_at(&lg, 6), 5);
            assert_int_equal(log_at(&lg, 7), 1000);
        } else {
            assert_int_equal(log_wait(&lg, 2), 2); /* the kill reaches a suspended actor */
            assert_int_equal(log_at(&lg, 1), 1000 - 77);
        }
        WAIT_TRUE(!asw_actor_alive(sys, id));
        assert_false(asw_actor_alive(sys, id));
        WAIT_TRUE(atomic_load(&drops) == 5); /* the queue is drained just after the death */
        assert_int_equal(atomic_load(&drops), 5);
    }
    asw_system_stats_t ss;
    asw_system_stats(sys, &ss);
    assert_int_equal(ss.dropped, 5); /* the kill discarded five queued messages, counted */
    asw_system_free(sys);
}

static atomic_int gate;

static int gatekeeper(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    (void)msg;
    while (!atomic_load(&gate))
        nap_ms(1);
    return ASW_ACT_OK;
}

static void fairness_bounded_turns(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&gate, 0);
    asw_system_t *sys = new_sys(1);
    asw_actor_opts_t g = {.behavior = gatekeeper};
    asw_actor_opts_t o = {.behavior = logger, .max_per_turn = 4};
    asw_actor_id_t gid, a, b;
    assert_int_equal(asw_spawn(sys, &g, &gid, NULL), ASW_OK);
    asw_msg_t m = {.type = 1};
    assert_int_equal(asw_send(sys, gid, &m, NULL), ASW_OK); /* blocks the only worker */
    assert_int_equal(asw_spawn(sys, &o, &a, NULL), ASW_OK);
    assert_int_equal(asw_spawn(sys, &o, &b, NULL), ASW_OK);
    for (int i = 0; i < 100; i++) {
        m.word = 1;
        assert_int_equal(asw_send(sys, a, &m, NULL), ASW_OK);
        m.word = 2;
        assert_int_equal(asw_send(sys, b, &m, NULL), ASW_OK);
    }
    atomic_store(&gate, 1);
    assert_int_equal(log_wait(&lg, 200), 200);
    /* With 4 messages per turn, no actor runs more than 4 in a row while the other waits. */
    int run = 1, maxrun = 1;
    for (int i = 1; i < 200; i++) {
        run = log_at(&lg, i) == log_at(&lg, i - 1) ? run + 1 : 1;
        if (run > maxrun) maxrun = run;
    }
    assert_true(maxrun <= 8);
    asw_system_stats_t ss;
    asw_system_stats(sys, &ss);
    assert_true(ss.turns >= 50);
    asw_system_free(sys);
}

static void shutdown_drops_queued_and_leaks_nothing(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&drops, 0);
    asw_test_alloc_install(0, 0);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t o = {.behavior = suspender};
    asw_actor_id_t id;
    assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
    asw_msg_t m = {.type = 1, .word = 100};
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    assert_int_equal(log_wait(&lg, 1), 1);
    for (int i = 0; i < 10; i++) {
        asw_msg_t p = {.type = 1, .word = 5, .data = payload(16), .len = 16, .drop = count_drop};
        assert_int_equal(asw_send(sys, id, &p, NULL), ASW_OK);
    }
    assert_int_equal(asw_system_shutdown(sys, 50000000u), ASW_OK);
    assert_int_equal(asw_system_shutdown(sys, 50000000u), ASW_OK); /* idempotent */
    assert_int_equal(atomic_load(&drops), 10);
    asw_system_free(sys);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
}

static void allocation_failure_everywhere(void **st)
{
    (void)st;
    int okruns = 0;
    for (unsigned long n = 1; n < 200; n++) {
        atomic_store(&drops, 0);
        asw_test_alloc_install(n, 0);
        asw_system_t *sys = NULL;
        asw_system_opts_t so = {.workers = 1};
        if (asw_system_new(&so, &sys, NULL) == ASW_OK) {
            asw_actor_opts_t o = {.behavior = logger, .name = "svc"};
            asw_actor_id_t id;
            int rc = asw_spawn(sys, &o, &id, NULL);
            assert_true(rc == ASW_OK || rc == ASW_E_NOMEM);
            if (rc == ASW_OK) {
                asw_msg_t m = {.type = 1, .data = payload(8), .drop = count_drop};
                if (m.data) {
                    rc = asw_send(sys, id, &m, NULL);
                    assert_true(rc == ASW_OK || rc == ASW_E_NOMEM);
                    if (rc != ASW_OK) count_drop(m.data, 8, NULL);
                }
                okruns++;
            }
            asw_system_free(sys);
        }
        assert_int_equal(asw_test_alloc_uninstall(), 0);
    }
    assert_true(okruns > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spawn_send_receive_in_order),
        cmocka_unit_test(send_to_dead_or_unknown_fails),
        cmocka_unit_test(invalid_arguments),
        cmocka_unit_test(payload_ownership_moves),
        cmocka_unit_test(suspend_and_resume),
        cmocka_unit_test(stop_graceful_and_kill),
        cmocka_unit_test(fairness_bounded_turns),
        cmocka_unit_test(shutdown_drops_queued_and_leaks_nothing),
        cmocka_unit_test(allocation_failure_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
