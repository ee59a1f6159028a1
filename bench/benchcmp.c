/*
 * bench/benchcmp.c -- checks benchmark result files and compares a run against a baseline.
 *
 *   benchcmp --check FILE...         every non-empty line must be one metric object:
 *                                    {"bench":"suite.name","unit":U,"median":N,"p99":N,
 *                                     "samples":N,...} with U one of ns/op ns ops/s MB/s bytes
 *                                    ratio; at least one metric in all. Exit 0 or 1.
 *   benchcmp [--fail] BASE CURRENT   prints, for every metric of CURRENT, its change in % from
 *                                    BASE and whether the change is beyond the noise.
 *
 * Noise. A run's relative spread for a metric is its "cv" when the line has one (ratios from
 * bench_report_ratio: the sum of both inputs' stddev/mean), else stddev/mean when the line has
 * them (timed metrics), else (p99 - median)/median (other caller-computed metrics). A change is
 * flagged only when |change| exceeds the sum of both runs' spreads, and never below MIN_PCT:
 * a difference smaller than the scatter of the samples themselves is not a result. Whether a
 * change is better or worse depends on the unit: ns/op, ns (a total), bytes and ratio (X over
 * native) are better lower, ops/s and MB/s better higher. With --fail, exit status 3 when a
 * regression is flagged (for CI); otherwise 0. Exit 1 on unreadable input.
 *
 * Not done: statistical tests across runs (a Mann-Whitney test would need the raw samples,
 * which the result lines do not carry).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_PCT 2.0

typedef struct metric {
    char *name;
    char unit[16];
    double median, p99, mean, stddev, cv;
    long samples;
    int noisy;
} metric_t;

typedef struct metrics {
    metric_t *v;
    size_t n, cap;
} metrics_t;

static const char *const units[] = {"ns/op", "ns", "ops/s", "MB/s", "bytes", "ratio"};

static int unit_known(const char *u)
{
    size_t i;
    for (i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(u, units[i]) == 0) return 1;
    return 0;
}

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Parses one line into *m. Returns 0, or -1 with the reason in *why. */
static int parse_line(const char *line, metric_t *m, const char **why)
{
    json_error_t jerr;
    json_t *o = json_loads(line, 0, &jerr);
    json_t *samples;
    const char *name, *unit;
    int rc = -1;

    memset(m, 0, sizeof *m);
    *why = "not a JSON object";
    if (o == NULL || !json_is_object(o)) goto out;
    name = json_string_value(json_object_get(o, "bench"));
    unit = json_string_value(json_object_get(o, "unit"));
    samples = json_object_get(o, "samples");
    *why = "\"bench\" missing or not of the form suite.name";
    if (name == NULL || strchr(name, '.') == NULL || name[0] == '.') goto out;
    *why = "\"unit\" missing or not one of ns/op ns ops/s MB/s bytes ratio";
    if (unit == NULL || !unit_known(unit)) goto out;
    m->median = num(o, "median");
    m->p99 = num(o, "p99");
    *why = "\"median\" or \"p99\" missing or not a finite number";
    if (!isfinite(m->median) || !isfinite(m->p99)) goto out;
    *why = "\"samples\" missing or not a positive integer";
    if (!json_is_integer(samples) || json_integer_value(samples) < 1) goto out;
    m->samples = (long)json_integer_value(samples);
    m->mean = num(o, "mean");
    m->stddev = num(o, "stddev");
    m->cv = num(o, "cv");
    m->noisy = json_is_true(json_object_get(o, "noisy"));
    snprintf(m->unit, sizeof m->unit, "%s", unit);
    m->name = strdup(name);
    *why = "out of memory";
    if (m->name == NULL) goto out;
    rc = 0;
out:
    json_decref(o);
    return rc;
}

static int is_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
    return 1;
}

/* Reads every metric of `path` into *out (a later line for the same metric replaces an earlier
 * one). Returns the number of bad lines (reported on stderr), or -1 if the file cannot be read. */
static int load(const char *path, metrics_t *out)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, i;
    long lineno = 0;
    int bad = 0;

    if (f == NULL) {
        fprintf(stderr, "benchcmp: cannot read %s\n", path);
        return -1;
    }
    while (getline(&line, &cap, f) != -1) {
        metric_t m;
        const char *why;
        lineno++;
        if (is_blank(line)) continue;
        if (parse_line(line, &m, &why) != 0) {
            fprintf(stderr, "benchcmp: %s:%ld: %s: %s", path, lineno, why, line);
            if (line[strlen(line) - 1] != '\n') fputc('\n', stderr);
            bad++;
            continue;
        }
        for (i = 0; i < out->n; i++)
            if (strcmp(out->v[i].name, m.name) == 0) break;
        if (i < out->n) {
            free(out->v[i].name);
            out->v[i] = m;
            continue;
        }
        if (out->n == out->cap) {
            size_t ncap = out->cap ? 2 * out->cap : 64;
            metric_t *nv = realloc(out->v, ncap * sizeof *nv);
            if (nv == NULL) {
                free(m.name);
                bad++;
                break;
            }
            out->v = nv;
            out->cap = ncap;
        }
        out->v[out->n++] = m;
    }
    free(line);
    fclose(f);
    return bad;
}

static void release(metrics_t *ms)
{
    size_t i;
    for (i = 0; i < ms->n; i++)
        free(ms->v[i].name);
    free(ms->v);
    ms->v = NULL;
    ms->n = ms->cap = 0;
}

static const metric_t *find(const metrics_t *ms, const char *name)
{
    size_t i;
    for (i = 0; i < ms->n; i++)
        if (strcmp(ms->v[i].name, name) == 0) return &ms->v[i];
    return NULL;
}

/* Relative spread of one run's samples, in percent. */
static double spread_pct(const metric_t *m)
{
    if (isfinite(m->cv) && m->cv >= 0) return 100.0 * m->cv;
    if (isfinite(m->stddev) && isfinite(m->mean) && m->mean > 0) return 100.0 * m->stddev / m->mean;
    if (m->median > 0) return 100.0 * fabs(m->p99 - m->median) / m->median;
    return 0.0;
}

static int higher_is_better(const char *unit)
{
    return strcmp(unit, "ops/s") == 0 || strcmp(unit, "MB/s") == 0;
}

static int check(int argc, char **argv)
{
    int i, bad = 0;
    size_t total = 0;

    for (i = 0; i < argc; i++) {
        metrics_t ms = {0};
        int b = load(argv[i], &ms);
        if (b < 0) {
            bad++;
            continue;
        }
        bad += b;
        total += ms.n;
        release(&ms);
    }
    if (total == 0) {
        fprintf(stderr, "benchcmp: no metric found\n");
        bad++;
    }
    if (bad == 0) printf("benchcmp: %zu metrics, all valid\n", total);
    return bad > 0 ? 1 : 0;
}

static int compare(const char *base_path, const char *cur_path, int fail_on_regression)
{
    metrics_t base = {0}, cur = {0};
    size_t i, worse = 0, better = 0, same = 0;
    int rc = 1;

    if (load(base_path, &base) < 0 || load(cur_path, &cur) < 0) goto out;
    printf("%-44s %14s %14s %9s %7s  %s\n", "metric", "baseline", "current", "change", "noise",
           "verdict");
    for (i = 0; i < cur.n; i++) {
        const metric_t *c = &cur.v[i];
        const metric_t *b = find(&base, c->name);
        double change, noise;
        const char *verdict;

        if (b == NULL) {
            printf("%-44s %14s %14.2f %9s %7s  new\n", c->name, "-", c->median, "-", "-");
            continue;
        }
        if (strcmp(b->unit, c->unit) != 0 || b->median == 0) {
            printf("%-44s %14.2f %14.2f %9s %7s  not comparable (%s vs %s)\n", c->name, b->median,
                   c->median, "-", "-", b->unit, c->unit);
            continue;
        }
        change = 100.0 * (c->median - b->median) / fabs(b->median);
        noise = spread_pct(b) + spread_pct(c);
        if (noise < MIN_PCT) noise = MIN_PCT;
        if (fabs(change) <= noise) {
            verdict = "~ within noise";
            same++;
        } else if ((change > 0) == higher_is_better(c->unit)) {
            verdict = "+ BETTER";
            better++;
        } else {
            verdict = "- WORSE";
            worse++;
        }
        printf("%-44s %14.2f %14.2f %+8.1f%% %6.1f%%  %s%s\n", c->name, b->median, c->median,
               change, noise, verdict, (b->noisy || c->noisy) ? " (noisy)" : "");
    }
    for (i = 0; i < base.n; i++)
        if (find(&cur, base.v[i].name) == NULL)
            printf("%-44s %14.2f %14s %9s %7s  gone\n", base.v[i].name, base.v[i].median, "-", "-",
                   "-");
    printf("benchcmp: %zu worse, %zu better, %zu within noise (%s -> %s)\n", worse, better, same,
           base_path, cur_path);
    rc = (fail_on_regression && worse > 0) ? 3 : 0;
out:
    release(&base);
    release(&cur);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: benchcmp --check FILE...\n"
                    "       benchcmp [--fail] BASELINE CURRENT\n");
}

int main(int argc, char **argv)
{
    int fail = 0;

    if (argc >= 3 && strcmp(argv[1], "--check") == 0) return check(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "--fail") == 0) {
        fail = 1;
        argc--;
        argv++;
    }
    if (argc != 3) {
        usage();
        return 2;
    }
    return compare(argv[1], argv[2], fail);
}
