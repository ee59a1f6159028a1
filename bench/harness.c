/*
 * bench/harness.c -- timing, statistics and reporting for every benchmark suite (harness.h).
 *
 * Design. bench_run_ops() first calibrates: it runs the operation with 1, then more iterations
 * until one batch lasts at least half the sample target, and scales the count so one sample lasts
 * about ASW_BENCH_SAMPLE_MS (the calibration doubles as the first part of the warm-up). It then
 * warms up for a few more samples' worth of time (caches, branch predictors, CPU frequency), and
 * takes up to ASW_BENCH_SAMPLES samples of `iters` iterations each. Each sample gives one
 * per-operation time; the metric is the median, with p99 (nearest rank), min, mean and sample
 * standard deviation beside it. A time budget per metric (ASW_BENCH_MAX_MS) stops sampling early
 * for slow operations once a minimum number of samples is taken.
 *
 * Output. One JSON object per metric on stdout, flushed at once so a later crash loses nothing:
 *   {"bench":"base.alloc_free","unit":"ns/op","median":..,"p99":..,"min":..,"mean":..,
 *    "stddev":..,"samples":30,"iters":..}
 * and a table row on stderr. A metric whose spread is too wide to trust (coefficient of
 * variation above NOISY_CV, or p99 more than NOISY_TAIL above the median) carries "noisy":true
 * in the JSON and a warning on stderr: the machine was busy, or the operation is bimodal.
 * Ratio lines carry "cv", the relative spread of the ratio (sum of both inputs' stddev/mean),
 * which bench/benchcmp.c uses as the ratio's noise when comparing runs.
 *
 * Environment:
 *   ASW_BENCH_QUICK=1      smoke mode: 1 ms samples, 5 samples, short warm-up and budget
 *   ASW_BENCH_SAMPLE_MS=n  target duration of one sample (default 10)
 *   ASW_BENCH_SAMPLES=n    samples per metric (default 30; 5 in quick mode)
 *   ASW_BENCH_MAX_MS=n     time budget for one metric's samples (default 3000; 300 quick)
 *   ASW_BENCH_FILTER=a,b   run only metrics whose name contains one of the substrings
 *   ASW_BENCH_CPU=n        pin the process (every thread and child it starts) to CPU n before
 *                          main runs; unset: no pinning (multi-threaded suites need
 *                          every CPU). On machines whose CPUs differ in speed (a VM's vCPUs
 *                          sharing host cores), pinning makes runs comparable.
 *
 * Not done here: no frequency control, and no pinning unless asked (docs/performance.md), no
 * outlier removal (the median and the spread already say what outliers would).
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET: Linux-specific CPU pinning */

#include "harness.h"

#include <errno.h>
#include <sched.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A metric is flagged noisy when stddev/mean exceeds this... */
#define NOISY_CV 0.10
/* ...or when (p99 - median) / median exceeds this. */
#define NOISY_TAIL 0.50

#define MAX_SAMPLES 1000

typedef struct config {
    int loaded;
    int quick;
    double sample_ns;
    size_t samples;
    size_t min_samples;
    double budget_ns;
    double warmup_ns;
    const char *filter;
} config_t;

static config_t cfg;
static int header_printed;

static long env_long(const char *name, long dflt, long lo, long hi)
{
    const char *s = getenv(name);
    char *end;
    long v;

    if (s == NULL || *s == '\0') return dflt;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "bench: ignoring %s=%s (expected an integer in [%ld, %ld])\n", name, s, lo,
                hi);
        return dflt;
    }
    return v;
}

/* Pins the process to the CPU named by ASW_BENCH_CPU, if set. */
static void pin_from_env(void)
{
    long cpu = env_long("ASW_BENCH_CPU", -1, 0, CPU_SETSIZE - 1);
    cpu_set_t set;

    if (cpu < 0) return;
    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        fprintf(stderr, "bench: cannot pin to CPU %ld: %s\n", cpu, strerror(errno));
    else
        fprintf(stderr, "bench: pinned to CPU %ld (ASW_BENCH_CPU)\n", cpu);
}

static void load_config(void)
{
    const char *q;

    if (cfg.loaded) return;
    q = getenv("ASW_BENCH_QUICK");
    cfg.quick = q != NULL && *q != '\0' && strcmp(q, "0") != 0;
    cfg.sample_ns = 1e6 * (double)env_long("ASW_BENCH_SAMPLE_MS", cfg.quick ? 1 : 10, 1, 10000);
    cfg.samples = (size_t)env_long("ASW_BENCH_SAMPLES", cfg.quick ? 5 : 30, 1, MAX_SAMPLES);
    cfg.min_samples = cfg.samples < 5 ? cfg.samples : 5;
    if (cfg.quick && cfg.min_samples > 3) cfg.min_samples = 3;
    cfg.budget_ns = 1e6 * (double)env_long("ASW_BENCH_MAX_MS", cfg.quick ? 300 : 3000, 1, 3600000);
    cfg.warmup_ns = cfg.quick ? cfg.sample_ns : 5 * cfg.sample_ns;
    cfg.filter = getenv("ASW_BENCH_FILTER");
    if (cfg.filter != NULL && *cfg.filter == '\0') cfg.filter = NULL;
    pin_from_env();
    cfg.loaded = 1;
}

/* Runs before main, so that ASW_BENCH_CPU pins every thread a suite starts (rt_bench creates its
 * workers before its first measurement; threads inherit the affinity of their creator). */
__attribute__((constructor)) static void load_config_early(void)
{
    load_config();
}

uint64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int bench_enabled(const char *name)
{
    const char *p;

    load_config();
    if (cfg.filter == NULL) return 1;
    /* The filter is a comma-separated list of substrings; any match enables the metric. */
    p = cfg.filter;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (len > 0) {
            const char *h;
            for (h = name; *h != '\0'; h++)
                if (strncmp(h, p, len) == 0) return 1;
        }
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}

/* Writes `v` as a JSON number: integers for large values, a few decimals for small ones, null
 * for values JSON cannot carry. */
static void put_num(FILE *f, double v)
{
    double a = fabs(v);

    if (!isfinite(v))
        fputs("null", f);
    else if (a >= 1000.0)
        fprintf(f, "%.0f", v);
    else if (a >= 10.0)
        fprintf(f, "%.2f", v);
    else
        fprintf(f, "%.4f", v);
}

static void put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void print_header(void)
{
    if (header_printed) return;
    header_printed = 1;
    fprintf(stderr, "%-44s %12s %12s %12s %7s  %s\n", "metric", "median", "p99", "min", "samples",
            "unit");
}

static int is_noisy(const bench_result_t *r)
{
    if (r->samples < 2) return 0;
    if (r->mean > 0 && r->stddev / r->mean > NOISY_CV) return 1;
    if (r->median > 0 && (r->p99 - r->median) / r->median > NOISY_TAIL) return 1;
    return 0;
}

/* Prints one metric: the JSON line on stdout, the table row (and a noise warning) on stderr. */
static void emit(const char *name, const char *unit, const bench_result_t *r, int have_spread,
                 uint64_t iters, int noisy, double cv)
{
    print_header();
    fputs("{\"bench\":", stdout);
    put_str(stdout, name);
    fputs(",\"unit\":", stdout);
    put_str(stdout, unit);
    fputs(",\"median\":", stdout);
    put_num(stdout, r->median);
    fputs(",\"p99\":", stdout);
    put_num(stdout, r->p99);
    if (have_spread) {
        fputs(",\"min\":", stdout);
        put_num(stdout, r->min);
        fputs(",\"mean\":", stdout);
        put_num(stdout, r->mean);
        fputs(",\"stddev\":", stdout);
        put_num(stdout, r->stddev);
    }
    if (cv >= 0) {
        fputs(",\"cv\":", stdout);
        put_num(stdout, cv);
    }
    fprintf(stdout, ",\"samples\":%zu", r->samples);
    if (iters > 0) fprintf(stdout, ",\"iters\":%llu", (unsigned long long)iters);
    if (noisy) fputs(",\"noisy\":true", stdout);
    fputs("}\n", stdout);
    fflush(stdout);

    fprintf(stderr, "%-44s %12.2f %12.2f %12.2f %7zu  %s%s\n", name, r->median, r->p99,
            have_spread ? r->min : r->median, r->samples, unit, noisy ? "  (noisy)" : "");
    if (noisy && have_spread)
        fprintf(stderr,
                "bench: warning: %s is noisy (cv %.1f%%, p99 %.0f%% above median): do not trust "
                "small differences\n",
                name, r->mean > 0 ? 100.0 * r->stddev / r->mean : 0.0,
                r->median > 0 ? 100.0 * (r->p99 - r->median) / r->median : 0.0);
    else if (noisy)
        fprintf(stderr, "bench: warning: %s is computed from a noisy measurement\n", name);
}

static double rel_spread(const bench_result_t *r)
{
    return r->mean > 0 ? r->stddev / r->mean : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fills r from n per-operation samples (sorted in place). */
static void summarize(double *v, size_t n, bench_result_t *r)
{
    double sum = 0, sq = 0;
    size_t i, rank;

    qsort(v, n, sizeof v[0], cmp_double);
    r->samples = n;
    r->min = v[0];
    r->median = (n % 2 == 1) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    /* Nearest-rank p99: the smallest sample with at least 99% of the samples at or below it. */
    rank = (size_t)ceil(0.99 * (double)n);
    if (rank < 1) rank = 1;
    r->p99 = v[rank - 1];
    for (i = 0; i < n; i++)
        sum += v[i];
    r->mean = sum / (double)n;
    for (i = 0; i < n; i++)
        sq += (v[i] - r->mean) * (v[i] - r->mean);
    r->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0.0;
}

static double time_batch(bench_fn fn, void *ctx, uint64_t iters)
{
    uint64_t t0 = bench_now_ns();
    fn(ctx, iters);
    return (double)(bench_now_ns() - t0);
}

/* Returns the iteration count for one sample of about cfg.sample_ns. */
static uint64_t calibrate(bench_fn fn, void *ctx)
{
    uint64_t iters = 1;
    double t;

    for (;;) {
        t = time_batch(fn, ctx, iters);
        if (t >= 0.5 * cfg.sample_ns || iters >= (UINT64_C(1) << 40)) break;
        if (t < 1000.0)
            iters *= 10; /* below timer resolution's comfort: grow fast */
        else {
            double scale = cfg.sample_ns / t;
            if (scale > 10.0) scale = 10.0;
            if (scale < 2.0) scale = 2.0;
            iters = (uint64_t)((double)iters * scale);
        }
    }
    if (t > 0) {
        double want = (double)iters * cfg.sample_ns / t;
        iters = want < 1.0 ? 1 : (uint64_t)want;
    }
    return iters;
}

bench_result_t bench_run_ops(const char *name, bench_fn fn, void *ctx, uint64_t ops_per_iter)
{
    bench_result_t r;
    double v[MAX_SAMPLES];
    double spent = 0, warm = 0;
    uint64_t iters;
    size_t n = 0;

    memset(&r, 0, sizeof r);
    load_config();
    if (!bench_enabled(name) || fn == NULL) return r;
    if (ops_per_iter == 0) ops_per_iter = 1;

    iters = calibrate(fn, ctx);
    while (warm < cfg.warmup_ns)
        warm += time_batch(fn, ctx, iters);

    while (n < cfg.samples) {
        double t = time_batch(fn, ctx, iters);
        spent += t;
        v[n++] = t / ((double)iters * (double)ops_per_iter);
        if (spent > cfg.budget_ns && n >= cfg.min_samples) break;
    }
    summarize(v, n, &r);
    emit(name, "ns/op", &r, 1, iters, is_noisy(&r), -1.0);
    return r;
}

bench_result_t bench_run(const char *name, bench_fn fn, void *ctx)
{
    return bench_run_ops(name, fn, ctx, 1);
}

void bench_report(const char *name, const char *unit, double median, double p99, size_t samples)
{
    bench_result_t r;

    if (!bench_enabled(name)) return;
    memset(&r, 0, sizeof r);
    r.median = median;
    r.p99 = p99;
    r.min = median;
    r.samples = samples;
    emit(name, unit, &r, 0, 0, 0, -1.0);
}

void bench_report_ratio(const char *name, const bench_result_t *a, const bench_result_t *b)
{
    bench_result_t r;
    size_t samples;

    if (a == NULL || b == NULL || a->samples == 0 || b->samples == 0) return;
    if (!bench_enabled(name) || b->median <= 0 || b->p99 <= 0) return;
    samples = a->samples < b->samples ? a->samples : b->samples;
    memset(&r, 0, sizeof r);
    r.median = a->median / b->median;
    r.p99 = a->p99 / b->p99;
    r.min = r.median;
    r.samples = samples;
    /* The ratio's relative spread is about the sum of its inputs' (first-order error
     * propagation, taken without the square root to stay on the safe side). */
    emit(name, "ratio", &r, 0, 0, is_noisy(a) || is_noisy(b), rel_spread(a) + rel_spread(b));
}
