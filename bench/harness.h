/*
 * bench/harness.h -- the benchmark harness every suite in bench/ uses.
 *
 * A benchmark is a function that performs `iters` iterations of the operation being measured.
 * The harness calibrates `iters` so one sample lasts about ASW_BENCH_SAMPLE_MS, warms up, takes
 * repeated samples, and prints one JSON object per metric on stdout:
 *   {"bench":"<suite>.<name>","unit":"ns/op","median":N,"p99":N,"min":N,"samples":N}
 * plus a human-readable row on stderr. Metrics that are not timings (bytes, ratios, ops/s
 * computed by the caller) are printed with bench_report().
 *
 * Environment: ASW_BENCH_QUICK=1 takes few short samples (for smoke runs in tests);
 * ASW_BENCH_FILTER=substr runs only metrics whose name contains substr.
 */
#ifndef ASW_BENCH_HARNESS_H
#define ASW_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* Performs `iters` iterations of the measured operation. */
typedef void (*bench_fn)(void *ctx, uint64_t iters);

/* Summary of one measured metric (per-operation values in the metric's unit). */
typedef struct bench_result {
    double median, p99, min, mean, stddev;
    size_t samples;
} bench_result_t;

/* Measures fn and prints the metric `name` in ns/op. Returns the result (also for ratios). When
 * the metric is filtered out, returns a result with samples == 0 and prints nothing. */
bench_result_t bench_run(const char *name, bench_fn fn, void *ctx);

/* As bench_run, but the caller says how many operations one iteration performs (e.g. a batch of
 * 1000 messages per iteration): values are reported per operation. */
bench_result_t bench_run_ops(const char *name, bench_fn fn, void *ctx, uint64_t ops_per_iter);

/* Prints a metric computed by the caller: unit is one of "ns/op", "ops/s", "MB/s", "bytes",
 * "ratio". */
void bench_report(const char *name, const char *unit, double median, double p99, size_t samples);

/* Prints the ratio a/b of two measured results as a "ratio" metric (median over median; p99 is
 * the ratio of the p99s). */
void bench_report_ratio(const char *name, const bench_result_t *a, const bench_result_t *b);

/* True when the metric `name` passes ASW_BENCH_FILTER. */
int bench_enabled(const char *name);

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);

/* Keeps the compiler from optimising a value away. */
#define BENCH_KEEP(x) __asm__ volatile("" : : "r"(x) : "memory")

#endif /* ASW_BENCH_HARNESS_H */
