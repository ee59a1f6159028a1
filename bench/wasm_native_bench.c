/*
 * bench/wasm_native_bench.c -- the WebAssembly workloads run natively and in node (V8), measured
 * in the same run so their ratio means something.
 *
 * Metrics (one per workload of wasm_workloads.c, n fixed there):
 *   wasm.native.<name>             ns per run(n) call, C compiled with -O2 into this program
 *   wasm.node.<name>               ns per run(n) call of wl_<name>.wasm in node (after warm-up)
 *   wasm.node.<name>.vs_native     node over native (ratio; 1.0 = as fast as native)
 *   wasm.node.geomean_vs_native    geometric mean of the ratios above
 *
 * Design. Native first: one call gives the expected checksum, then the harness measures. Then the
 * node peer (peers/wasm_node.mjs) is started once with every enabled workload and its n; it
 * prints one JSON line per workload in the harness format plus "checksum". Each line is checked:
 * a checksum that differs from native's drops the metric with an error on stderr and makes the
 * program exit 1 (a mismatch means one side computes something else, so no time is comparable).
 * Our own engine's numbers (wasm.exec.*) come from bench/wasm_bench.c once the engine runs them.
 *
 * Both sides of every ratio run on the same CPU: the program pins itself (and so node, its child)
 * to the CPU it starts on, or to ASW_BENCH_CPU when set, because the CPUs of a VM can differ in
 * speed by close to 2x (measured on the development VM; docs/performance.md).
 *
 * Environment: ASW_NODE (node binary; default "node" on PATH), ASW_BENCH_GUEST_DIR (where the
 * wl_*.wasm are), ASW_BENCH_NODE_SCRIPT, plus the harness variables, which node honours too.
 * When node or the guests are missing, the node metrics are skipped with a warning (exit 0).
 */
#include "harness.h"
#include "wasm_workloads.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef ASW_BENCH_NODE_SCRIPT
#define ASW_BENCH_NODE_SCRIPT "bench/peers/wasm_node.mjs"
#endif

#define MAX_WORKLOADS 32

typedef struct row {
    bench_result_t native;
    uint64_t checksum;
    bench_result_t node;
} row_t;

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? v : dflt;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Appends a single-quoted shell word to cmd; refuses words holding a quote. */
static int append_word(char *cmd, size_t cap, const char *word)
{
    size_t len = strlen(cmd);
    int n;

    if (strchr(word, '\'') != NULL) return -1;
    n = snprintf(cmd + len, cap - len, " '%s'", word);
    return n < 0 || (size_t)n >= cap - len ? -1 : 0;
}

static double num_field(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Parses one line of the node peer. Returns 0 and fills *row's node result when the line names a
 * known workload whose checksum matches; 1 for a line to ignore; -1 on a checksum mismatch or a
 * malformed line (reported on stderr). */
static int take_node_line(const char *line, row_t *rows, size_t *out_index)
{
    json_error_t jerr;
    json_t *obj = json_loads(line, 0, &jerr);
    const char *bench, *sum;
    char expect[17];
    size_t i;
    int rc = -1;

    if (obj == NULL || !json_is_object(obj)) {
        fprintf(stderr, "wasm_native_bench: node printed a line that is not a JSON object: %s",
                line);
        goto out;
    }
    bench = json_string_value(json_object_get(obj, "bench"));
    sum = json_string_value(json_object_get(obj, "checksum"));
    if (bench == NULL || strncmp(bench, "wasm.node.", 10) != 0) {
        rc = 1;
        goto out;
    }
    for (i = 0; i < bench_workload_count; i++)
        if (strcmp(bench + 10, bench_workloads[i].name) == 0) break;
    if (i == bench_workload_count) {
        fprintf(stderr, "wasm_native_bench: node reported an unknown workload %s\n", bench);
        goto out;
    }
    snprintf(expect, sizeof expect, "%016llx", (unsigned long long)rows[i].checksum);
    if (sum == NULL || strcmp(sum, expect) != 0) {
        fprintf(stderr,
                "wasm_native_bench: error: %s: checksum mismatch: node returned %s, native "
                "returned %s for run(%d); metric dropped\n",
                bench, sum != NULL ? sum : "(none)", expect,
                (int)bench_workload_n(&bench_workloads[i]));
        goto out;
    }
    rows[i].node.median = num_field(obj, "median");
    rows[i].node.p99 = num_field(obj, "p99");
    rows[i].node.min = num_field(obj, "min");
    rows[i].node.mean = num_field(obj, "mean");
    rows[i].node.stddev = num_field(obj, "stddev");
    rows[i].node.samples = (size_t)json_integer_value(json_object_get(obj, "samples"));
    if (!isfinite(rows[i].node.median) || rows[i].node.samples == 0) {
        fprintf(stderr, "wasm_native_bench: node line without median/samples: %s", line);
        rows[i].node.samples = 0;
        goto out;
    }
    *out_index = i;
    rc = 0;
out:
    json_decref(obj);
    return rc;
}

/* Runs the node peer over the enabled workloads. Returns the number of errors. */
static int run_node(row_t *rows)
{
    const char *node = env_or("ASW_NODE", "node");
    const char *script = env_or("ASW_BENCH_NODE_SCRIPT", ASW_BENCH_NODE_SCRIPT);
    const char *dir = bench_guest_dir();
    char cmd[4096], arg[128], line[4096], path[1024];
    size_t i, wanted = 0;
    int errors = 0, status;
    FILE *p;

    snprintf(cmd, sizeof cmd, "command -v '%s' >/dev/null 2>&1", node);
    if (strchr(node, '\'') != NULL || system(cmd) != 0) {
        fprintf(stderr, "wasm_native_bench: warning: node not found (%s): wasm.node.* skipped\n",
                node);
        return 0;
    }
    snprintf(cmd, sizeof cmd, "exec '%s' --no-warnings", node);
    if (append_word(cmd, sizeof cmd, script) != 0 || append_word(cmd, sizeof cmd, dir) != 0)
        goto toolong;
    for (i = 0; i < bench_workload_count; i++) {
        snprintf(arg, sizeof arg, "wasm.node.%s", bench_workloads[i].name);
        if (!bench_enabled(arg)) continue;
        snprintf(path, sizeof path, "%s/wl_%s.wasm", dir, bench_workloads[i].name);
        if (!file_exists(path)) {
            fprintf(stderr,
                    "wasm_native_bench: warning: %s missing (guests not built?): %s "
                    "skipped\n",
                    path, arg);
            continue;
        }
        snprintf(arg, sizeof arg, "%s:%d", bench_workloads[i].name,
                 (int)bench_workload_n(&bench_workloads[i]));
        if (append_word(cmd, sizeof cmd, arg) != 0) goto toolong;
        wanted++;
    }
    if (wanted == 0) return 0;

    fflush(stdout);
    p = popen(cmd, "r");
    if (p == NULL) {
        fprintf(stderr, "wasm_native_bench: error: cannot start node\n");
        return 1;
    }
    while (fgets(line, sizeof line, p) != NULL) {
        size_t idx;
        int rc = take_node_line(line, rows, &idx);
        if (rc < 0) errors++;
        if (rc == 0) {
            fputs(line, stdout);
            fflush(stdout);
        }
    }
    status = pclose(p);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "wasm_native_bench: error: node peer failed (status %d)\n", status);
        errors++;
    }
    return errors;
toolong:
    fprintf(stderr, "wasm_native_bench: error: node command line too long or path with a quote\n");
    return 1;
}

int main(void)
{
    row_t rows[MAX_WORKLOADS];
    double log_sum = 0, log_sum_p99 = 0;
    size_t i, n_ratio = 0, min_samples = 0;
    int errors;
    char name[96];

    if (bench_workload_count > MAX_WORKLOADS) return 2;
    bench_pin_current_cpu();
    memset(rows, 0, sizeof rows);
    for (i = 0; i < bench_workload_count; i++) {
        snprintf(name, sizeof name, "wasm.native.%s", bench_workloads[i].name);
        if (!bench_enabled(name)) {
            snprintf(name, sizeof name, "wasm.node.%s", bench_workloads[i].name);
            if (!bench_enabled(name)) continue;
        }
        /* Measured (or, when only node's metric is wanted, just called for the checksum). */
        rows[i].native = bench_workload_native(&bench_workloads[i], &rows[i].checksum);
        fprintf(stderr, "  %s: run(%d) = %016llx\n", bench_workloads[i].name,
                (int)bench_workload_n(&bench_workloads[i]), (unsigned long long)rows[i].checksum);
    }

    errors = run_node(rows);

    for (i = 0; i < bench_workload_count; i++) {
        const row_t *r = &rows[i];
        if (r->native.samples == 0 || r->node.samples == 0) continue;
        snprintf(name, sizeof name, "wasm.node.%s.vs_native", bench_workloads[i].name);
        bench_report_ratio(name, &r->node, &r->native);
        log_sum += log(r->node.median / r->native.median);
        log_sum_p99 += log(r->node.p99 / r->native.p99);
        if (n_ratio == 0 || r->node.samples < min_samples) min_samples = r->node.samples;
        if (r->native.samples < min_samples) min_samples = r->native.samples;
        n_ratio++;
    }
    if (n_ratio > 0)
        bench_report("wasm.node.geomean_vs_native", "ratio", exp(log_sum / (double)n_ratio),
                     exp(log_sum_p99 / (double)n_ratio), min_samples);
    return errors > 0 ? 1 : 0;
}
