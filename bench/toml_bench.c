/*
 * bench/toml_bench.c -- the TOML parser: throughput on a large, varied document and the cost of
 * parsing a manifest-sized one.
 *
 * Metrics:
 *   toml.parse_large        ns per parse (and free) of a ~1 MiB generated document, parsed
 *                           into one reused arena (asw_toml_parse_in)
 *   toml.parse_throughput   MB/s (10^6 bytes per second) of that parse; target >= 50
 *   toml.parse_large_noarena, toml.parse_throughput_noarena: the same with asw_toml_parse
 *   toml.parse_manifest     ns per parse of a ~1 KiB Component.toml-like document
 *
 * The large document mixes what configuration files contain: [tables] and [[arrays of tables]],
 * bare, dotted and quoted keys, basic and literal strings (some with escapes), integers with
 * underscores, floats, booleans, date-times, arrays, inline tables and comments.
 * Not measured: error paths (rare by nature), allocation through a custom allocator.
 */
#include "airssys/toml.h"
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct doc_ctx {
    const char *text;
    size_t len;
    asw_toml_arena_t *arena; /* NULL: asw_toml_parse; else asw_toml_parse_in */
} doc_ctx_t;

static void bench_parse(void *ctx, uint64_t iters)
{
    const doc_ctx_t *d = ctx;
    for (uint64_t i = 0; i < iters; i++) {
        asw_toml_value_t *root = NULL;
        int rc = d->arena ? asw_toml_parse_in(d->arena, d->text, d->len, &root, NULL)
                          : asw_toml_parse(d->text, d->len, &root, NULL);
        if (rc != 0) {
            fprintf(stderr, "toml_bench: document does not parse\n");
            exit(1);
        }
        BENCH_KEEP(root);
        asw_toml_free(root);
    }
}

/* Appends printf output to the growing buffer *buf. */
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        *cap *= 2;
        *buf = realloc(*buf, *cap);
        if (!*buf) exit(1);
    }
}

static char *make_large(size_t target, size_t *out_len)
{
    size_t cap = target + 4096, len = 0;
    char *b = malloc(cap);
    if (!b) exit(1);
    append(&b, &len, &cap, "# generated benchmark document\ntitle = \"benchmark\"\n\n");
    for (unsigned i = 0; len < target; i++) {
        append(&b, &len, &cap,
               "[server_%u]\n"
               "name = \"server number %u\"  # a comment\n"
               "host = 'host-%u.example.com'\n"
               "port = %u\n"
               "weight = %u.%02u\n"
               "enabled = %s\n"
               "max_bytes = 1_048_%03u\n"
               "started = 2024-01-%02uT12:%02u:00Z\n"
               "tags = [ \"alpha\", \"beta\", \"gamma-%u\" ]\n"
               "limits = { cpu = %u, memory = \"%uMB\", io.read = 100, io.write = 50 }\n"
               "path = \"C:\\\\data\\\\dir %u\\tend\"\n"
               "\"quoted key %u\" = 0x%X\n"
               "meta.owner = \"team-%u\"\nmeta.region = \"eu-west-%u\"\n"
               "description = \"\"\"\nA longer description of server %u that spans\n"
               "two lines of text.\"\"\"\n\n"
               "[[server_%u.endpoints]]\npath = \"/api/v1/items\"\nmethods = [\"GET\", "
               "\"POST\"]\n"
               "[[server_%u.endpoints]]\npath = \"/health\"\nmethods = [\"GET\"]\n\n",
               i, i, i, 1024 + i % 60000, i % 100, i % 97, (i & 1) ? "true" : "false", i % 1000,
               1 + i % 28, i % 60, i, i % 16, 64 + i % 512, i, i, i, i % 40, i % 3, i, i, i);
    }
    *out_len = len;
    return b;
}

static const char manifest_doc[] =
    "[component]\nname = \"counter\"\nversion = \"1.2.0\"\n"
    "description = \"A counter actor\"\nauthors = [\"Ada <ada@example.com>\"]\n"
    "license = \"MIT\"\n\n"
    "[capabilities]\n"
    "filesystem = [ { path = \"/data/**/*.json\", permissions = [\"read\", \"list\"] } ]\n"
    "network = [ { host = \"api.example.com\", port = 443 }, { listen = 8080 } ]\n"
    "storage = [ { namespace = \"component:counter:*\", permissions = [\"read\", \"write\"] } "
    "]\n"
    "messaging = [ { send = [\"calculator\"], receive = [\"commands/+\"] } ]\n\n"
    "[quota]\nstorage = \"10MB\"\nmessages = \"100/s\"\nnetwork = \"5MB/s\"\ncpu = "
    "\"500ms/s\"\nmemory = \"64MB\"\n\n"
    "[resources]\nmemory = \"64MB\"\nfuel = 10_000_000\ntimeout = 5000\n\n"
    "[supervision]\nrestart = \"permanent\"\nmax_restarts = 5\nwithin_seconds = 60\n"
    "backoff = { kind = \"exponential\", base_ms = 100, max_ms = 10000 }\n";

int main(void)
{
    size_t len;
    char *large = make_large(1u << 20, &len);
    asw_toml_arena_t *arena = NULL;
    if (asw_toml_arena_new(0, &arena, NULL)) exit(1);
    /* toml.parse_large / toml.parse_throughput: one caller-provided arena reused across parses
     * (asw_toml_parse_in), the way a host parsing many manifests would; the _noarena metrics
     * are plain asw_toml_parse, which faults a fresh tree's memory in on every parse. */
    doc_ctx_t big = {large, len, arena}, big_plain = {large, len, NULL};
    bench_result_t r = bench_run("toml.parse_large", bench_parse, &big);
    if (r.samples > 0) {
        /* bytes per ns × 1000 = 10^6 bytes per second; the p99 time gives the low throughput. */
        double mbs = (double)len * 1e3 / r.median;
        double mbs_p99 = (double)len * 1e3 / r.p99;
        bench_report("toml.parse_throughput", "MB/s", mbs, mbs_p99, r.samples);
    }
    r = bench_run("toml.parse_large_noarena", bench_parse, &big_plain);
    if (r.samples > 0)
        bench_report("toml.parse_throughput_noarena", "MB/s", (double)len * 1e3 / r.median,
                     (double)len * 1e3 / r.p99, r.samples);
    doc_ctx_t small = {manifest_doc, sizeof manifest_doc - 1, NULL};
    bench_run("toml.parse_manifest", bench_parse, &small);
    asw_toml_arena_free(arena);
    free(large);
    return 0;
}
