/*
 * tests/rt/rt_util.h -- helpers shared by the actor runtime tests: an event log that behaviours
 * append to from worker threads, and waits with a deadline (tests never sleep blindly).
 */
#ifndef ASW_TESTS_RT_UTIL_H
#define ASW_TESTS_RT_UTIL_H

#include "testlib.h"

#include "airssys/actor.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define LOG_MAX 4096

typedef struct rt_log {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    long ev[LOG_MAX];
} rt_log_t;

static inline void log_init(rt_log_t *l)
{
    memset(l, 0, sizeof(*l));
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
}

static inline void log_add(rt_log_t *l, long v)
{
    pthread_mutex_lock(&l->mu);
    if (l->n < LOG_MAX) l->ev[l->n++] = v;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

static inline int log_count(rt_log_t *l)
{
    pthread_mutex_lock(&l->mu);
    int n = l->n;
    pthread_mutex_unlock(&l->mu);
    return n;
}

/* Waits until the log holds at least n events (up to 5 s). Returns the count. */
static inline int log_wait(rt_log_t *l, int n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    pthread_mutex_lock(&l->mu);
    while (l->n < n)
        if (pthread_cond_timedwait(&l->cv, &l->mu, &ts)) break;
    int got = l->n;
    pthread_mutex_unlock(&l->mu);
    return got;
}

static inline long log_at(rt_log_t *l, int i)
{
    pthread_mutex_lock(&l->mu);
    long v = i < l->n ? l->ev[i] : -999999;
    pthread_mutex_unlock(&l->mu);
    return v;
}

static inline int log_find(rt_log_t *l, long v)
{
    pthread_mutex_lock(&l->mu);
    int at = -1;
    for (int i = 0; i < l->n; i++)
        if (l->ev[i] == v) {
            at = i;
            break;
        }
    pthread_mutex_unlock(&l->mu);
    return at;
}

static inline void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls pred until true (up to 5 s). */
#define WAIT_TRUE(expr)                                                                            \
    do {                                                                                           \
        for (int wt_i_ = 0; wt_i_ < 5000 && !(expr); wt_i_++)                                      \
            nap_ms(1);                                                                             \
    } while (0)

/* A payload drop function counting calls. */
static atomic_int drops;
static inline void count_drop(void *data, size_t len, void *ctx)
{
    (void)len;
    (void)ctx;
    atomic_fetch_add(&drops, 1);
    asw_allocator_t a;
    asw_get_allocator(&a);
    a.free_fn(a.ud, data);
}

static inline void *payload(size_t n)
{
    asw_allocator_t a;
    asw_get_allocator(&a);
    return a.malloc_fn(a.ud, n);
}

static inline asw_system_t *new_sys(unsigned workers)
{
    asw_system_opts_t o = {.workers = workers};
    asw_system_t *sys = NULL;
    asw_error_t e = {0};
    int rc = asw_system_new(&o, &sys, &e);
    assert_int_equal(rc, ASW_OK);
    return sys;
}

#endif
