/*
 * tests/security/quota_test.c -- quotas: exactly at the limit and one over, hostile amounts
 * (UINT64_MAX), per-second windows, release, usage levels (80 % / 95 %), violation details,
 * unlimited counters that saturate, and concurrent consumers never exceeding the limit.
 */
#include "testlib.h"

#include "airssys/security.h"

#include <pthread.h>
#include <string.h>

#define SEC UINT64_C(1000000000)

static asw_quota_t *mk(uint64_t storage, uint64_t msgs, uint64_t net, uint64_t cpu, uint64_t mem)
{
    asw_quota_limits_t l = {{storage, msgs, net, cpu, mem}};
    asw_quota_t *q = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_quota_new(&l, &q, &e), 0);
    return q;
}

static void cumulative_boundaries(void **state)
{
    (void)state;
    asw_quota_t *q = mk(1000, 0, 0, 0, 0);
    asw_quota_violation_t v;
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_STORAGE, 999, 0, &v), 0);
    assert_int_equal(asw_quota_check(q, ASW_QUOTA_STORAGE, 1, 0, &v), 0);
    assert_int_equal(asw_quota_check(q, ASW_QUOTA_STORAGE, 2, 0, &v), ASW_E_QUOTA);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_STORAGE, 1, 0, &v), 0); /* exactly at */
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_STORAGE, 1, 0, &v), ASW_E_QUOTA); /* one over */
    assert_int_equal(v.kind, ASW_QUOTA_STORAGE);
    assert_int_equal(v.current, 1000);
    assert_int_equal(v.requested, 1);
    assert_int_equal(v.limit, 1000);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_STORAGE, 0, 0, &v), 0);
    asw_quota_release(q, ASW_QUOTA_STORAGE, 400);
    asw_quota_usage_t u;
    asw_quota_usage(q, ASW_QUOTA_STORAGE, 0, &u);
    assert_int_equal(u.used, 600);
    asw_quota_release(q, ASW_QUOTA_STORAGE, UINT64_MAX); /* saturates at 0 */
    asw_quota_usage(q, ASW_QUOTA_STORAGE, 0, &u);
    assert_int_equal(u.used, 0);
    asw_quota_free(q);
}

static void hostile_amounts(void **state)
{
    (void)state;
    asw_quota_t *q = mk(1000, 100, 1000, 1000, UINT64_MAX);
    asw_quota_violation_t v;
    /* UINT64_MAX must not wrap past the check. */
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_STORAGE, UINT64_MAX, 0, &v), ASW_E_QUOTA);
    assert_true(v.requested == UINT64_MAX);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_STORAGE, 10, 0, &v), 0);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_STORAGE, UINT64_MAX - 5, 0, &v), ASW_E_QUOTA);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_MESSAGES, UINT64_MAX, 5 * SEC, &v),
                     ASW_E_QUOTA);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_NET_BYTES, UINT64_MAX, 5 * SEC, &v),
                     ASW_E_QUOTA);
    /* A limit of UINT64_MAX: exactly at it fits, one more does not. */
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_MEMORY, UINT64_MAX - 1, 0, &v), 0);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_MEMORY, 1, 0, &v), 0);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_MEMORY, 1, 0, &v), ASW_E_QUOTA);
    assert_true(v.current == UINT64_MAX);
    /* Bad kinds and rate limits too large for the counter. */
    assert_int_equal(asw_quota_consume(q, (asw_quota_kind_t)7, 1, 0, &v), ASW_E_INVALID);
    assert_int_equal(asw_quota_check(NULL, ASW_QUOTA_STORAGE, 1, 0, &v), ASW_E_INVALID);
    asw_quota_free(q);
    asw_quota_limits_t l = {{0, ASW_QUOTA_RATE_MAX + 1, 0, 0, 0}};
    asw_error_t e = {0};
    assert_int_equal(asw_quota_new(&l, &q, &e), ASW_E_INVALID);
    assert_null(q);
}

static void unlimited_saturates(void **state)
{
    (void)state;
    asw_quota_t *q = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_quota_new(NULL, &q, &e), 0);
    asw_quota_usage_t u;
    for (asw_quota_kind_t k = 0; k < ASW_QUOTA_KINDS; k++) {
        assert_int_equal(asw_quota_consume(q, k, UINT64_MAX, SEC, NULL), 0);
        assert_int_equal(asw_quota_consume(q, k, UINT64_MAX, SEC, NULL), 0);
        asw_quota_usage(q, k, SEC, &u);
        assert_int_equal(u.limit, 0);
        assert_int_equal(u.level, ASW_QUOTA_OK);
        assert_true(u.used > 0);
    }
    asw_quota_free(q);
}

static void per_second_windows(void **state)
{
    (void)state;
    asw_quota_t *q = mk(0, 10, 5u << 20, 500, 0);
    asw_quota_violation_t v;
    uint64_t t = 100 * SEC + 5;
    for (int i = 0; i < 10; i++)
        assert_int_equal(asw_quota_consume(q, ASW_QUOTA_MESSAGES, 1, t, &v), 0);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_MESSAGES, 1, t + SEC / 2, &v), ASW_E_QUOTA);
    assert_int_equal(v.current, 10);
    assert_int_equal(v.limit, 10);
    /* The next second starts from zero. */
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_MESSAGES, 10, t + SEC, &v), 0);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_MESSAGES, 1, t + SEC, &v), ASW_E_QUOTA);
    asw_quota_usage_t u;
    asw_quota_usage(q, ASW_QUOTA_MESSAGES, t + 3 * SEC, &u);
    assert_int_equal(u.used, 0);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_CPU_MS, 500, t, &v), 0);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_CPU_MS, 1, t, &v), ASW_E_QUOTA);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_NET_BYTES, 5u << 20, t, &v), 0);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_NET_BYTES, 1, t, &v), ASW_E_QUOTA);
    /* Release has no meaning for rates: ignored. */
    asw_quota_release(q, ASW_QUOTA_NET_BYTES, 100);
    assert_int_equal(asw_quota_check(q, ASW_QUOTA_NET_BYTES, 1, t, &v), ASW_E_QUOTA);
    asw_quota_free(q);
}

static void usage_levels(void **state)
{
    (void)state;
    asw_quota_t *q = mk(0, 0, 0, 0, 100);
    asw_quota_usage_t u;
    static const struct {
        uint64_t used;
        asw_quota_level_t level;
    } steps[] = {{79, ASW_QUOTA_OK},       {80, ASW_QUOTA_WARNING},  {94, ASW_QUOTA_WARNING},
                 {95, ASW_QUOTA_CRITICAL}, {99, ASW_QUOTA_CRITICAL}, {100, ASW_QUOTA_EXCEEDED}};
    uint64_t cur = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        assert_int_equal(asw_quota_consume(q, ASW_QUOTA_MEMORY, steps[i].used - cur, 0, NULL), 0);
        cur = steps[i].used;
        asw_quota_usage(q, ASW_QUOTA_MEMORY, 0, &u);
        assert_int_equal(u.level, steps[i].level);
    }
    assert_string_equal(asw_quota_level_name(ASW_QUOTA_CRITICAL), "critical");
    assert_string_equal(asw_quota_kind_name(ASW_QUOTA_NET_BYTES), "network");
    asw_quota_free(q);
    /* Levels on a huge limit do not overflow. */
    q = mk(UINT64_MAX, 0, 0, 0, 0);
    assert_int_equal(asw_quota_consume(q, ASW_QUOTA_STORAGE, UINT64_MAX - UINT64_MAX / 20, 0, NULL),
                     0);
    asw_quota_usage(q, ASW_QUOTA_STORAGE, 0, &u);
    assert_int_equal(u.level, ASW_QUOTA_CRITICAL);
    asw_quota_free(q);
}

typedef struct {
    asw_quota_t *q;
    int granted;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *a = p;
    for (int i = 0; i < 20000; i++)
        if (asw_quota_consume(a->q, ASW_QUOTA_STORAGE, 3, 0, NULL) == 0) a->granted++;
    return NULL;
}

static void concurrent_consumers(void **state)
{
    (void)state;
    asw_quota_t *q = mk(30000, 0, 0, 0, 0);
    pthread_t t[4];
    worker_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (worker_arg){q, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &a[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        total += a[i].granted;
    }
    assert_int_equal(total, 10000); /* exactly limit / 3, never more */
    asw_quota_usage_t u;
    asw_quota_usage(q, ASW_QUOTA_STORAGE, 0, &u);
    assert_int_equal(u.used, 30000);
    asw_quota_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cumulative_boundaries), cmocka_unit_test(hostile_amounts),
        cmocka_unit_test(unlimited_saturates),   cmocka_unit_test(per_second_windows),
        cmocka_unit_test(usage_levels),          cmocka_unit_test(concurrent_consumers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
