/*
 * tests/rt/features_test.c -- mailboxes (bounded policies at the limit and one over, TTL,
 * system priority), the name registry, request-response (reply, timeout, late reply, dead
 * target, await/suspend), timers, links and monitors, and the publish-subscribe broker.
 */
#include "rt_util.h"

#include <stdio.h>

static rt_log_t lg;

static int logger(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    if (msg->type == ASW_MSG_DOWN || msg->type == ASW_MSG_EXIT)
        log_add(&lg, (msg->type == ASW_MSG_DOWN ? 10000 : 20000) + msg->status);
    else
        log_add(&lg, (long)msg->word);
    return ASW_ACT_OK;
}

static int suspender(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    log_add(&lg, (long)msg->word);
    return msg->word == 100 ? ASW_ACT_SUSPEND : ASW_ACT_OK;
}

/* Spawns a suspended actor with the given mailbox options (so messages stay queued). */
static asw_actor_id_t parked(asw_system_t *sys, asw_actor_opts_t o)
{
    o.behavior = suspender;
    asw_actor_id_t id;
    assert_int_equal(asw_spawn(sys, &o, &id, NULL), ASW_OK);
    asw_msg_t m = {.type = 1, .word = 100};
    int before = log_count(&lg);
    assert_int_equal(asw_send(sys, id, &m, NULL), ASW_OK);
    assert_int_equal(log_wait(&lg, before + 1), before + 1);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    return id;
}

static void bounded_fail_and_drop_newest(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&drops, 0);
    asw_system_t *sys = new_sys(2);
    asw_actor_id_t f = parked(sys, (asw_actor_opts_t){.mailbox_capacity = 3});
    asw_msg_t m = {.type = 1, .word = 1};
    for (int i = 0; i < 3; i++)
        assert_int_equal(asw_send(sys, f, &m, NULL), ASW_OK);
    asw_error_t e = {0};
    assert_int_equal(asw_send(sys, f, &m, &e), ASW_E_FULL); /* one over the limit */
    asw_actor_stats_t s;
    assert_int_equal(asw_actor_stats(sys, f, &s), ASW_OK);
    assert_int_equal(s.mailbox_depth, 3);
    assert_int_equal(s.rejected, 1);

    asw_actor_id_t d = parked(
        sys, (asw_actor_opts_t){.mailbox_capacity = 2, .overflow = ASW_OVERFLOW_DROP_NEWEST});
    for (int i = 0; i < 4; i++) {
        asw_msg_t p = {.type = 1, .word = (uint64_t)i, .data = payload(4), .drop = count_drop};
        assert_int_equal(asw_send(sys, d, &p, NULL), ASW_OK);
    }
    assert_int_equal(atomic_load(&drops), 2);
    assert_int_equal(asw_actor_stats(sys, d, &s), ASW_OK);
    assert_int_equal(s.dropped, 2);
    assert_int_equal(s.mailbox_depth, 2);
    int before = log_count(&lg);
    assert_int_equal(asw_actor_resume(sys, d), ASW_OK);
    assert_int_equal(log_wait(&lg, before + 3), before + 3); /* RESUME(word 0), 0, 1 */
    assert_int_equal(log_at(&lg, before + 1), 0);
    assert_int_equal(log_at(&lg, before + 2), 1);
    asw_system_free(sys);
}

static void bounded_drop_oldest_and_block(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&drops, 0);
    asw_system_t *sys = new_sys(2);
    asw_actor_id_t d = parked(
        sys, (asw_actor_opts_t){.mailbox_capacity = 2, .overflow = ASW_OVERFLOW_DROP_OLDEST});
    for (int i = 1; i <= 5; i++) {
        asw_msg_t p = {.type = 1, .word = (uint64_t)i, .data = payload(4), .drop = count_drop};
        assert_int_equal(asw_send(sys, d, &p, NULL), ASW_OK);
    }
    int before = log_count(&lg);
    assert_int_equal(asw_actor_resume(sys, d), ASW_OK);
    assert_int_equal(log_wait(&lg, before + 3), before + 3);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    assert_int_equal(log_count(&lg), before + 3);
    assert_int_equal(log_at(&lg, before + 1), 4); /* the two newest survive */
    assert_int_equal(log_at(&lg, before + 2), 5);
    asw_actor_stats_t s;
    assert_int_equal(asw_actor_stats(sys, d, &s), ASW_OK);
    assert_int_equal(s.dropped, 3);
    assert_int_equal(atomic_load(&drops), 5);

    asw_actor_id_t b = parked(sys, (asw_actor_opts_t){.mailbox_capacity = 1,
                                                      .overflow = ASW_OVERFLOW_BLOCK,
                                                      .block_timeout_ns = 20000000u});
    asw_msg_t m = {.type = 1, .word = 9};
    assert_int_equal(asw_send(sys, b, &m, NULL), ASW_OK); /* exactly at the limit */
    asw_error_t e = {0};
    assert_int_equal(asw_send(sys, b, &m, &e), ASW_E_TIMEOUT); /* blocks 20 ms, then fails */
    assert_int_equal(asw_actor_stats(sys, b, &s), ASW_OK);
    assert_int_equal(s.rejected, 1);
    asw_system_free(sys);
}

static void ttl_expires_and_system_overtakes(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&drops, 0);
    asw_system_t *sys = new_sys(2);
    asw_actor_id_t t = parked(sys, (asw_actor_opts_t){.ttl_ns = 60000000u});
    asw_msg_t p = {.type = 1, .word = 3, .data = payload(4), .drop = count_drop};
    assert_int_equal(asw_send(sys, t, &p, NULL), ASW_OK);
    nap_ms(120);
    asw_msg_t q = {.type = 1, .word = 4};
    int before = log_count(&lg);
    assert_int_equal(asw_actor_resume(sys, t), ASW_OK);
    assert_int_equal(asw_send(sys, t, &q, NULL), ASW_OK);
    assert_int_equal(log_wait(&lg, before + 2), before + 2);
    assert_int_equal(log_at(&lg, before + 1), 4);
    asw_actor_stats_t s;
    assert_int_equal(asw_actor_stats(sys, t, &s), ASW_OK);
    assert_int_equal(s.expired, 1);
    assert_int_equal(atomic_load(&drops), 1);

    /* A DOWN (system priority) overtakes queued normal messages. */
    asw_actor_id_t w = parked(sys, (asw_actor_opts_t){0});
    asw_msg_t n = {.type = 1, .word = 55};
    assert_int_equal(asw_send(sys, w, &n, NULL), ASW_OK);
    uint64_t ref;
    assert_int_equal(asw_monitor(sys, w, 0x77700000001ull, &ref), ASW_OK); /* unknown target */
    before = log_count(&lg);
    assert_int_equal(asw_actor_resume(sys, w), ASW_OK);
    assert_int_equal(log_wait(&lg, before + 3), before + 3);
    asw_system_free(sys);
    /* Log (words): RESUME (0), then the DOWN (its word is the monitor ref), then 55. */
    assert_int_equal(log_at(&lg, before + 1), (long)ref);
    assert_int_equal(log_at(&lg, before + 2), 55);
}

static void registry_names(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t o = {.behavior = logger, .name = "db"};
    asw_actor_id_t a, b;
    assert_int_equal(asw_spawn(sys, &o, &a, NULL), ASW_OK);
    assert_int_equal(asw_whereis(sys, "db"), a);
    assert_int_equal(asw_spawn(sys, &o, &b, NULL), ASW_E_EXISTS);
    assert_int_equal(asw_whereis(sys, "nope"), ASW_ACTOR_NONE);
    assert_int_equal(asw_register(sys, "", a), ASW_E_INVALID);
    char big[300];
    memset(big, 'x', sizeof(big));
    big[299] = 0;
    assert_int_equal(asw_register(sys, big, a), ASW_E_INVALID);
    big[255] = 0; /* 255 bytes: the longest allowed */
    asw_actor_opts_t p = {.behavior = logger};
    asw_actor_id_t c;
    assert_int_equal(asw_spawn(sys, &p, &c, NULL), ASW_OK);
    assert_int_equal(asw_register(sys, big, c), ASW_OK);
    assert_int_equal(asw_whereis(sys, big), c);
    assert_int_equal(asw_register(sys, "db", c), ASW_E_EXISTS);
    /* Many names: the table grows, lookups stay right. */
    char nm[32];
    for (int i = 0; i < 300; i++) {
        snprintf(nm, sizeof(nm), "n%d", i);
        asw_actor_id_t x;
        asw_actor_opts_t q = {.behavior = logger, .name = nm};
        assert_int_equal(asw_spawn(sys, &q, &x, NULL), ASW_OK);
        assert_int_equal(asw_whereis(sys, nm), x);
    }
    assert_int_equal(asw_whereis(sys, "n17") != 0, 1);
    /* Death removes the entry; the name can be taken again. */
    assert_int_equal(asw_actor_stop(sys, a, 0, true), ASW_OK);
    WAIT_TRUE(asw_whereis(sys, "db") == ASW_ACTOR_NONE);
    assert_int_equal(asw_whereis(sys, "db"), ASW_ACTOR_NONE);
    assert_int_equal(asw_spawn(sys, &o, &b, NULL), ASW_OK);
    assert_int_equal(asw_whereis(sys, "db"), b);
    assert_int_equal(asw_unregister(sys, "db"), ASW_OK);
    assert_int_equal(asw_unregister(sys, "db"), ASW_E_NOT_FOUND);
    assert_int_equal(asw_whereis(sys, "db"), ASW_ACTOR_NONE);
    assert_int_equal(asw_register(sys, "db", 0x123456789ull), ASW_E_DEAD);
    asw_system_free(sys);
}

/* ---- request-response ---- */

typedef struct client {
    asw_actor_id_t server;
    uint64_t timeout;
    unsigned flags;
} client_t;

static int server(asw_actor_t *self, asw_msg_t *msg)
{
    if (msg->word == 1) { /* reply at once */
        asw_msg_t r = {.word = 42};
        return asw_reply(self, msg, &r, NULL) == ASW_OK ? ASW_ACT_OK : -1;
    }
    if (msg->word == 2) return ASW_ACT_OK; /* never reply */
    if (msg->word == 3) {                  /* reply late */
        nap_ms(250);
        asw_msg_t r = {.word = 43};
        asw_reply(self, msg, &r, NULL);
        return ASW_ACT_OK;
    }
    return ASW_ACT_OK;
}

static int client(asw_actor_t *self, asw_msg_t *msg)
{
    client_t *c = asw_actor_state(self);
    switch (msg->type) {
    case 1: {
        asw_msg_t q = {.type = 7, .word = msg->word};
        uint64_t corr;
        int rc = asw_request(self, c->server, &q, c->timeout, c->flags, &corr, NULL);
        if (rc) {
            log_add(&lg, 30000 + rc);
            return ASW_ACT_OK;
        }
        return (c->flags & ASW_REQ_AWAIT) ? ASW_ACT_SUSPEND : ASW_ACT_OK;
    }
    case ASW_MSG_REPLY: log_add(&lg, 1000 + (long)msg->word); return ASW_ACT_OK;
    case ASW_MSG_TIMEOUT: log_add(&lg, 2000 - msg->status); return ASW_ACT_OK;
    default: log_add(&lg, 5); return ASW_ACT_OK;
    }
}

static void request_response(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t so = {.behavior = server};
    asw_actor_id_t srv;
    assert_int_equal(asw_spawn(sys, &so, &srv, NULL), ASW_OK);
    for (unsigned flags = 0; flags <= ASW_REQ_AWAIT; flags++) {
        log_init(&lg);
        client_t c = {srv, 150000000u, flags};
        asw_actor_opts_t co = {.behavior = client, .state = &c};
        asw_actor_id_t cl;
        assert_int_equal(asw_spawn(sys, &co, &cl, NULL), ASW_OK);
        asw_msg_t m = {.type = 1, .word = 1};
        assert_int_equal(asw_send(sys, cl, &m, NULL), ASW_OK);
        assert_int_equal(log_wait(&lg, 1), 1);
        assert_int_equal(log_at(&lg, 0), 1042);
        m.word = 2; /* timeout */
        assert_int_equal(asw_send(sys, cl, &m, NULL), ASW_OK);
        assert_int_equal(log_wait(&lg, 2), 2);
        assert_int_equal(log_at(&lg, 1), 2000 - ASW_E_TIMEOUT);
        m.word = 3; /* timeout, then a late reply: dropped and counted */
        asw_system_stats_t s0, s1;
        asw_system_stats(sys, &s0);
        assert_int_equal(asw_send(sys, cl, &m, NULL), ASW_OK);
        assert_int_equal(log_wait(&lg, 3), 3);
        assert_int_equal(log_at(&lg, 2), 2000 - ASW_E_TIMEOUT);
        WAIT_TRUE((asw_system_stats(sys, &s1), s1.late_replies > s0.late_replies));
        assert_int_equal(s1.late_replies, s0.late_replies + 1);
        assert_int_equal(log_count(&lg), 3);
        asw_actor_stop(sys, cl, 0, true);
    }
    /* Requests to a dead target fail at once. */
    log_init(&lg);
    client_t c = {0x4200000001ull, 0, 0};
    asw_actor_opts_t co = {.behavior = client, .state = &c};
    asw_actor_id_t cl;
    assert_int_equal(asw_spawn(sys, &co, &cl, NULL), ASW_OK);
    asw_msg_t m = {.type = 1, .word = 1};
    assert_int_equal(asw_send(sys, cl, &m, NULL), ASW_OK);
    assert_int_equal(log_wait(&lg, 1), 1);
    assert_int_equal(log_at(&lg, 0), 30000 + ASW_E_DEAD);
    asw_msg_t notreq = {.type = 1};
    asw_system_free(sys);
    (void)notreq;
}

static uint64_t depth_of(asw_system_t *sys, asw_actor_id_t id)
{
    asw_actor_stats_t s;
    return asw_actor_stats(sys, id, &s) == ASW_OK ? s.mailbox_depth : UINT64_MAX;
}

static void request_target_dies_with_request_queued(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_actor_id_t srv = parked(sys, (asw_actor_opts_t){0}); /* never handles the request */
    log_init(&lg);
    client_t c = {srv, 5000000000u, 0};
    asw_actor_opts_t co = {.behavior = client, .state = &c};
    asw_actor_id_t cl;
    assert_int_equal(asw_spawn(sys, &co, &cl, NULL), ASW_OK);
    asw_msg_t m = {.type = 1, .word = 1};
    assert_int_equal(asw_send(sys, cl, &m, NULL), ASW_OK);
    WAIT_TRUE(depth_of(sys, srv) == 1);
    assert_int_equal(asw_actor_stop(sys, srv, 0, true), ASW_OK);
    assert_int_equal(log_wait(&lg, 1), 1); /* long before the 5 s timeout */
    assert_int_equal(log_at(&lg, 0), 2000 - ASW_E_DEAD);
    asw_system_free(sys);
}

/* ---- timers, links, monitors ---- */

static void timers_send_after_and_cancel(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&drops, 0);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t o = {.behavior = logger};
    asw_actor_id_t a;
    assert_int_equal(asw_spawn(sys, &o, &a, NULL), ASW_OK);
    asw_msg_t m = {.type = 1, .word = 2};
    asw_timer_id_t t1, t2;
    assert_int_equal(asw_send_after(sys, a, &m, 20000000u, &t1, NULL), ASW_OK);
    m.word = 1;
    assert_int_equal(asw_send_after(sys, a, &m, 5000000u, NULL, NULL), ASW_OK);
    asw_msg_t p = {.type = 1, .word = 3, .data = payload(4), .drop = count_drop};
    assert_int_equal(asw_send_after(sys, a, &p, 10000000u, &t2, NULL), ASW_OK);
    assert_int_equal(asw_timer_cancel(sys, t2), ASW_OK);
    assert_int_equal(asw_timer_cancel(sys, t2), ASW_E_NOT_FOUND);
    assert_int_equal(atomic_load(&drops), 1);
    assert_int_equal(log_wait(&lg, 2), 2);
    assert_int_equal(log_at(&lg, 0), 1); /* deadline order, not arming order */
    assert_int_equal(log_at(&lg, 1), 2);
    assert_int_equal(asw_timer_cancel(sys, t1), ASW_E_NOT_FOUND); /* already fired */
    /* A pending timer at shutdown drops its payload. */
    p.data = payload(4);
    assert_int_equal(asw_send_after(sys, a, &p, 60000000000ull, NULL, NULL), ASW_OK);
    asw_system_free(sys);
    assert_int_equal(atomic_load(&drops), 2);
}

static int crasher(asw_actor_t *self, asw_msg_t *msg)
{
    (void)self;
    if (msg->word == 99) return ASW_E_TRAP;
    if (msg->type == ASW_MSG_EXIT) log_add(&lg, 20000 + msg->status);
    return ASW_ACT_OK;
}

static void links_and_monitors(void **st)
{
    (void)st;
    log_init(&lg);
    asw_system_t *sys = new_sys(2);
    asw_actor_opts_t c = {.behavior = crasher};
    asw_actor_opts_t t = {.behavior = crasher, .trap_exit = true};
    asw_actor_opts_t w = {.behavior = logger};
    asw_actor_id_t a, b, trap, watcher;
    assert_int_equal(asw_spawn(sys, &c, &a, NULL), ASW_OK);
    assert_int_equal(asw_spawn(sys, &c, &b, NULL), ASW_OK);
    assert_int_equal(asw_spawn(sys, &t, &trap, NULL), ASW_OK);
    assert_int_equal(asw_spawn(sys, &w, &watcher, NULL), ASW_OK);
    assert_int_equal(asw_link(sys, a, a), ASW_E_INVALID);
    assert_int_equal(asw_link(sys, a, b), ASW_OK);
    assert_int_equal(asw_link(sys, a, trap), ASW_OK);
    uint64_t ref1, ref2;
    assert_int_equal(asw_monitor(sys, watcher, b, &ref1), ASW_OK);
    assert_int_equal(asw_monitor(sys, watcher, a, &ref2), ASW_OK);
    assert_int_equal(asw_demonitor(sys, a, ref2), ASW_OK);
    assert_int_equal(asw_demonitor(sys, a, ref2), ASW_E_NOT_FOUND);
    asw_msg_t m = {.type = 1, .word = 99};
    assert_int_equal(asw_send(sys, a, &m, NULL), ASW_OK); /* a crashes: b dies, trap is told */
    assert_int_equal(log_wait(&lg, 2), 2);
    WAIT_TRUE(!asw_actor_alive(sys, b));
    assert_false(asw_actor_alive(sys, a));
    assert_false(asw_actor_alive(sys, b));
    assert_true(asw_actor_alive(sys, trap));
    assert_true(log_find(&lg, 20000 + ASW_E_TRAP) >= 0);  /* EXIT at the trapping actor */
    assert_true(log_find(&lg, 10000 + ASW_E_TRAP) >= 0);  /* DOWN for b, same reason */
    assert_int_equal(asw_link(sys, trap, a), ASW_E_DEAD); /* a is dead: trap gets EXIT */
    assert_int_equal(log_wait(&lg, 3), 3);
    assert_true(log_find(&lg, 20000 + ASW_E_NOT_FOUND) >= 0);
    assert_int_equal(asw_unlink(sys, trap, watcher), ASW_E_NOT_FOUND);
    asw_system_free(sys);
}

/* ---- pub-sub ---- */

static void pubsub_wildcards_and_shared_payload(void **st)
{
    (void)st;
    log_init(&lg);
    atomic_store(&drops, 0);
    asw_system_t *sys = new_sys(2);
    asw_broker_t *br;
    assert_int_equal(asw_broker_new(sys, &br, NULL), ASW_OK);
    asw_actor_opts_t o = {.behavior = logger};
    asw_actor_id_t s[5];
    for (int i = 0; i < 5; i++)
        assert_int_equal(asw_spawn(sys, &o, &s[i], NULL), ASW_OK);
    uint64_t sub[5], x;
    assert_int_equal(asw_broker_subscribe(br, "a/b/c", s[0], &sub[0], NULL), ASW_OK);
    assert_int_equal(asw_broker_subscribe(br, "a/+/c", s[1], &sub[1], NULL), ASW_OK);
    assert_int_equal(asw_broker_subscribe(br, "a/#", s[2], &sub[2], NULL), ASW_OK);
    assert_int_equal(asw_broker_subscribe(br, "#", s[3], &sub[3], NULL), ASW_OK);
    assert_int_equal(asw_broker_subscribe(br, "b/+", s[4], &sub[4], NULL), ASW_OK);
    assert_int_equal(asw_broker_subscribe(br, "a/#/c", s[0], &x, NULL), ASW_E_INVALID);
    assert_int_equal(asw_broker_subscribe(br, "a/b+", s[0], &x, NULL), ASW_E_INVALID);
    assert_int_equal(asw_broker_subscribe(br, "", s[0], &x, NULL), ASW_E_INVALID);
    size_t n;
    asw_msg_t m = {.type = 1, .word = 7, .data = payload(64), .len = 64, .drop = count_drop};
    assert_int_equal(asw_broker_publish(br, "a/b/c", &m, &n, NULL), ASW_OK);
    assert_int_equal(n, 4);
    m.data = NULL;
    assert_int_equal(asw_broker_publish(br, "a", &m, &n, NULL), ASW_OK);
    assert_int_equal(n, 2); /* "a/#" matches "a" itself, and "#" */
    assert_int_equal(asw_broker_publish(br, "b/x", &m, &n, NULL), ASW_OK);
    assert_int_equal(n, 2);
    assert_int_equal(asw_broker_publish(br, "b/x/y", &m, &n, NULL), ASW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(asw_broker_publish(br, "a/+", &m, &n, NULL), ASW_E_INVALID);
    assert_int_equal(asw_broker_unsubscribe(br, sub[3]), ASW_OK);
    assert_int_equal(asw_broker_unsubscribe(br, sub[3]), ASW_E_NOT_FOUND);
    assert_int_equal(asw_broker_publish(br, "c", &m, &n, NULL), ASW_OK);
    assert_int_equal(n, 0);
    /* Dead subscribers are skipped and removed. */
    assert_int_equal(asw_actor_stop(sys, s[0], 0, true), ASW_OK);
    WAIT_TRUE(!asw_actor_alive(sys, s[0]));
    assert_int_equal(asw_broker_publish(br, "a/b/c", &m, &n, NULL), ASW_OK);
    assert_int_equal(n, 2);
    assert_int_equal(asw_broker_unsubscribe(br, sub[0]), ASW_E_NOT_FOUND);
    assert_int_equal(asw_system_quiesce(sys, 2000000000u), ASW_OK);
    assert_int_equal(atomic_load(&drops), 1); /* the shared payload was freed exactly once */
    asw_broker_free(br);
    asw_system_free(sys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bounded_fail_and_drop_newest),
        cmocka_unit_test(bounded_drop_oldest_and_block),
        cmocka_unit_test(ttl_expires_and_system_overtakes),
        cmocka_unit_test(registry_names),
        cmocka_unit_test(request_response),
        cmocka_unit_test(request_target_dies_with_request_queued),
        cmocka_unit_test(timers_send_after_and_cancel),
        cmocka_unit_test(links_and_monitors),
        cmocka_unit_test(pubsub_wildcards_and_shared_payload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
