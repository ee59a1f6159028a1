/*
 * bench/wasm_workloads.c -- the workload table and the native measurement (wasm_workloads.h).
 *
 * The n values are picked so one native call (gcc -O2, x86-64) takes about 5-15 ms: long enough
 * that call overhead and timer resolution do not matter, short enough that an interpreter 20-50x
 * slower still finishes a sample in well under a second. Changing an n changes the checksum and
 * invalidates saved baselines for that metric. Quick mode (smoke runs) uses about a tenth of the
 * work, so that a slow engine still finishes the smoke test in seconds.
 */
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */

#include "wasm_workloads.h"
#include "workload.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ASW_BENCH_GUEST_DIR
#define ASW_BENCH_GUEST_DIR "guests/bench"
#endif

const bench_workload_t bench_workloads[] = {
    {"fib", 35, 30, wl_fib_run},
    {"sieve", 4000000, 400000, wl_sieve_run},
    {"matmul", 256, 120, wl_matmul_run},
    {"sha256", 2000000, 200000, wl_sha256_run},
    {"crc32", 4000000, 400000, wl_crc32_run},
    {"interp", 500000, 50000, wl_interp_run},
    {"nbody", 100000, 10000, wl_nbody_run},
};
const size_t bench_workload_count = sizeof bench_workloads / sizeof bench_workloads[0];

typedef struct native_ctx {
    const bench_workload_t *w;
    int32_t n;
    uint64_t last;
} native_ctx_t;

int32_t bench_workload_n(const bench_workload_t *w)
{
    const char *q = getenv("ASW_BENCH_QUICK");
    return (q != NULL && *q != '\0' && strcmp(q, "0") != 0) ? w->quick_n : w->n;
}

static void run_native(void *ctx, uint64_t iters)
{
    native_ctx_t *c = ctx;
    uint64_t i;

    for (i = 0; i < iters; i++) {
        c->last = c->w->native(c->n);
        BENCH_KEEP(c->last);
    }
}

bench_result_t bench_workload_native(const bench_workload_t *w, uint64_t *out_checksum)
{
    native_ctx_t c;
    char name[96];

    c.w = w;
    c.n = bench_workload_n(w);
    c.last = w->native(c.n);
    *out_checksum = c.last;
    snprintf(name, sizeof name, "wasm.native.%s", w->name);
    return bench_run(name, run_native, &c);
}

const char *bench_guest_dir(void)
{
    const char *d = getenv("ASW_BENCH_GUEST_DIR");
    return d != NULL && *d != '\0' ? d : ASW_BENCH_GUEST_DIR;
}

void bench_pin_current_cpu(void)
{
    const char *env = getenv("ASW_BENCH_CPU");
    cpu_set_t set;
    int cpu;

    if (env != NULL && *env != '\0') {
        bench_enabled(""); /* loads the harness configuration, which pins to ASW_BENCH_CPU */
        return;
    }
    cpu = sched_getcpu();
    if (cpu < 0) return;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == 0)
        fprintf(stderr, "  (pinned to CPU %d; set ASW_BENCH_CPU to choose)\n", cpu);
}
