/*
 * bench/wasm_workloads.h -- the table of WebAssembly workloads (bench/workloads/) shared by the
 * suites that run them: wasm_native_bench (native code and node) and, once the engine runs
 * them, wasm_bench (our engine). One table, so every runner uses the same n and can check the
 * same checksum.
 */
#ifndef ASW_BENCH_WASM_WORKLOADS_H
#define ASW_BENCH_WASM_WORKLOADS_H

#include "harness.h"

#include <stddef.h>
#include <stdint.h>

typedef struct bench_workload {
    const char *name;              /* "fib": guest wl_fib.wasm, metrics wasm.<runner>.fib */
    int32_t n;                     /* the argument of run(n); one native call takes 5-15 ms */
    int32_t quick_n;               /* the argument in quick mode (ASW_BENCH_QUICK=1) */
    uint64_t (*native)(int32_t n); /* the natively compiled entry point */
} bench_workload_t;

extern const bench_workload_t bench_workloads[];
extern const size_t bench_workload_count;

/* The argument of run() for this run: w->quick_n in quick mode, otherwise w->n. */
int32_t bench_workload_n(const bench_workload_t *w);

/* Measures w->native(bench_workload_n(w)) as the metric wasm.native.<name> (ns per run call) and
 * stores the checksum of one call in *out_checksum. Returns samples == 0 when the metric is
 * filtered out (the checksum is computed anyway). */
bench_result_t bench_workload_native(const bench_workload_t *w, uint64_t *out_checksum);

/* Unless ASW_BENCH_CPU chose a CPU, pins the process (and the node or engine threads it starts)
 * to the CPU it runs on now, so that both sides of a ratio run on the same CPU. */
void bench_pin_current_cpu(void);

/* The directory holding the wl_<name>.wasm guests: $ASW_BENCH_GUEST_DIR, or the build's. */
const char *bench_guest_dir(void);

#endif /* ASW_BENCH_WASM_WORKLOADS_H */
