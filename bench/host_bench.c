/*
 * bench/host_bench.c -- benchmarks of the component host (suite "host"), with the example
 * components of examples/ (echo, calculator).
 *
 * Metrics:
 *   host.component_spawn         asw_host_spawn of an echo instance from a prepared prototype
 *                                (asw_host_prepare: manifest, trust, approval, compiled module):
 *                                capabilities, instance, registration, the name resolving (ns/op)
 *   host.spawn_10k               loading 10,000 such components, total (ns)
 *   host.component_overhead_bytes heap bytes per live idle component (allocator hook; linear
 *                                memories are mapped, not counted), over those 10,000 (bytes)
 *   host.message_throughput      component -> host -> mailbox -> component, 4 echo pairs
 *                                bouncing messages, all workers (ops/s)
 *   host.request_response        component to component round trip: the probe guest
 *                                (bench/guests/host_probe.c) calls the request host function
 *                                1000 times per host request, echo answers each (ns/op)
 *   host.hostcall_checked        one storage-get from wasm (capability check + quota + audit +
 *                                the read: of one key, so from storage.c's read cache after the
 *                                first), 1000 per host request, in the probe guest (ns/op); the
 *                                key is stored once before timing (a set is a durable commit)
 */
#include "harness.h"

#include "airssys/airssys.h"
#include "host/host_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef ASW_HOST_BENCH_BIN
#define ASW_HOST_BENCH_BIN "."
#endif
#define ASW_GUEST_ECHO  ASW_HOST_BENCH_BIN "/guests/example_echo.wasm"
#define ASW_GUEST_PROBE ASW_HOST_BENCH_BIN "/guests/bench_host_probe.wasm"
#ifndef ASW_EXAMPLES_DIR
#define ASW_EXAMPLES_DIR "examples"
#endif

static int quick(void)
{
    const char *q = getenv("ASW_BENCH_QUICK");
    return q && *q == '1';
}

/* A counting allocator: live heap bytes of the library. */
static atomic_size_t live_bytes;
static void *c_malloc(void *ud, size_t n)
{
    (void)ud;
    size_t *p = malloc(n + 16);
    if (!p) return NULL;
    *p = n;
    atomic_fetch_add(&live_bytes, n);
    return (char *)p + 16;
}
static void c_free(void *ud, void *ptr)
{
    (void)ud;
    if (!ptr) return;
    size_t *p = (size_t *)((char *)ptr - 16);
    atomic_fetch_sub(&live_bytes, *p);
    free(p);
}
static void *c_realloc(void *ud, void *ptr, size_t n)
{
    if (!ptr) return c_malloc(ud, n);
    size_t *p = (size_t *)((char *)ptr - 16);
    size_t old = *p;
    size_t *q = realloc(p, n + 16);
    if (!q) return NULL;
    *q = n;
    atomic_fetch_add(&live_bytes, n);
    atomic_fetch_sub(&live_bytes, old);
    return (char *)q + 16;
}

static char *slurp(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "host_bench: cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) exit(1);
    b[n] = 0;
    fclose(f);
    *out_len = (size_t)n;
    return b;
}

typedef struct env {
    asw_host_t *host;
    asw_trust_registry_t *trust;
    asw_audit_t *audit; /* every capability decision is logged, as in production */
    char *echo, *probe, *echo_toml;
    size_t echo_len, probe_len;
    char dir[64]; /* storage directory */
} env_t;

/* The probe's manifest: asks echo, reads and writes its own storage namespace. */
static const char probe_toml[] = "[component]\n"
                                 "name = \"probe\"\n"
                                 "version = \"1.0.0\"\n"
                                 "[capabilities]\n"
                                 "messaging = [ { send = [\"echo\"] } ]\n"
                                 "storage = [ { namespace = \"component:{self}:*\", "
                                 "permissions = [\"read\", \"write\"] } ]\n"
                                 "[quota]\n"
                                 "messages = \"10000000/s\"\n"
                                 "storage = \"1MB\"\n"
                                 "[resources]\n"
                                 "memory = \"1MB\"\n"
                                 "fuel = 100_000_000\n"
                                 "timeout = \"30s\"\n";

static void trust_hash(asw_trust_registry_t *t, const char *mod, size_t len)
{
    uint8_t sha[32];
    char hex[65];
    asw_sha256(mod, len, sha);
    asw_hex_encode(sha, 32, hex);
    asw_trust_add_hash(t, hex, NULL);
}

static void quiet(void *ud, int level, const char *comp, const char *msg, size_t len)
{
    (void)ud, (void)level, (void)comp, (void)msg, (void)len;
}

static void env_open(env_t *e, uint32_t max_actors)
{
    size_t n;
    memset(e, 0, sizeof *e);
    e->echo = slurp(ASW_GUEST_ECHO, &e->echo_len);
    e->probe = slurp(ASW_GUEST_PROBE, &e->probe_len);
    e->echo_toml = slurp(ASW_EXAMPLES_DIR "/echo/Component.toml", &n);
    asw_trust_registry_new(&e->trust, NULL);
    trust_hash(e->trust, e->echo, e->echo_len);
    trust_hash(e->trust, e->probe, e->probe_len);
    snprintf(e->dir, sizeof e->dir, "/tmp/asw-host-bench-XXXXXX");
    if (!mkdtemp(e->dir)) {
        fprintf(stderr, "host_bench: mkdtemp failed\n");
        exit(1);
    }
    char audit_path[96];
    snprintf(audit_path, sizeof audit_path, "%s/audit.log", e->dir);
    asw_audit_config_t ac = {.path = audit_path};
    if (asw_audit_open(&ac, &e->audit, NULL)) {
        fprintf(stderr, "host_bench: cannot open %s\n", audit_path);
        exit(1);
    }
    asw_system_opts_t so = {.max_actors = max_actors};
    asw_host_opts_t ho = {.system_opts = &so,
                          .trust = e->trust,
                          .audit = e->audit,
                          .log = quiet,
                          .storage_dir = e->dir};
    asw_error_t err = {0};
    if (asw_host_new(&ho, &e->host, &err)) {
        fprintf(stderr, "host_bench: %s\n", asw_error_message(&err));
        exit(1);
    }
}

static void env_close(env_t *e)
{
    asw_host_free(e->host);
    asw_trust_registry_free(e->trust);
    asw_audit_close(e->audit);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0) fprintf(stderr, "host_bench: could not remove %s\n", e->dir);
    free(e->echo), free(e->probe), free(e->echo_toml);
}

static int load(env_t *e, const char *mod, size_t len, const char *toml, const char *name)
{
    asw_component_source_t s = {.module = (const uint8_t *)mod,
                                .module_len = len,
                                .manifest = toml,
                                .manifest_len = strlen(toml),
                                .name = name};
    asw_error_t err = {0};
    int rc = asw_host_load(e->host, &s, NULL, &err);
    if (rc) fprintf(stderr, "host_bench: load %s: %s\n", name, asw_error_message(&err));
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* component_spawn, spawn_10k, component_overhead_bytes */
static void bench_spawn(void)
{
    size_t n = quick() ? 500 : 10000;
    env_t e;
    env_open(&e, 0);
    uint64_t *t = malloc(n * sizeof *t);
    char name[32];
    /* Compile once (the module is cached), then spawn instances of the prepared component. */
    asw_component_source_t src = {.module = (const uint8_t *)e.echo,
                                  .module_len = e.echo_len,
                                  .manifest = e.echo_toml,
                                  .manifest_len = strlen(e.echo_toml)};
    asw_component_proto_t *proto = NULL;
    asw_error_t err = {0};
    if (asw_host_prepare(e.host, &src, &proto, &err) ||
        asw_host_spawn(e.host, proto, "warm", NULL, NULL, &err)) {
        fprintf(stderr, "host_bench: prepare echo: %s\n", asw_error_message(&err));
        exit(1);
    }
    asw_host_quiesce(e.host, 1000000000u);
    size_t before = atomic_load(&live_bytes);
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "e%zu", i);
        uint64_t a = bench_now_ns();
        if (asw_host_spawn(e.host, proto, name, NULL, NULL, &err)) {
            fprintf(stderr, "host_bench: spawn %s: %s\n", name, asw_error_message(&err));
            exit(1);
        }
        t[i] = bench_now_ns() - a;
    }
    uint64_t total = bench_now_ns() - t0;
    asw_host_quiesce(e.host, 5000000000u);
    size_t after = atomic_load(&live_bytes);
    qsort(t, n, sizeof *t, cmp_u64);
    bench_report("host.component_spawn", "ns/op", (double)t[n / 2], (double)t[n * 99 / 100], n);
    bench_report("host.spawn_10k", "ns", (double)total * (10000.0 / (double)n),
                 (double)total * (10000.0 / (double)n), 1);
    bench_report("host.component_overhead_bytes", "bytes", (double)(after - before) / (double)n,
                 (double)(after - before) / (double)n, 1);
    free(t);
    asw_component_proto_free(proto);
    env_close(&e);
}

/* message_throughput: 4 pairs of echo components bouncing messages. */
static void bench_throughput(void)
{
    env_t e;
    env_open(&e, 0);
    enum { PAIRS = 4, INFLIGHT = 16 };
    asw_component_t *comps[2 * PAIRS];
    char a[16], b[16];
    for (int p = 0; p < PAIRS; p++) {
        snprintf(a, sizeof a, "pa%d", p);
        snprintf(b, sizeof b, "pb%d", p);
        if (load(&e, e.echo, e.echo_len, e.echo_toml, a) ||
            load(&e, e.echo, e.echo_len, e.echo_toml, b))
            exit(1);
        comps[2 * p] = asw_host_find(e.host, a);
        comps[2 * p + 1] = asw_host_find(e.host, b);
        /* Inject messages to a that claim to come from b: a sends back to b, b to a, ... */
        for (int k = 0; k < INFLIGHT; k++) {
            asw__hmsg_t *m = asw__hmsg_new(ASW__KIND_SEND, b, strlen(b), "ping", 4);
            asw_msg_t msg = {.type = ASW__HOST_MSG, .data = m, .len = 4, .drop = asw__hmsg_drop};
            asw_send(asw_host_system(e.host), asw_whereis(asw_host_system(e.host), a), &msg, NULL);
        }
    }
    uint64_t dur = quick() ? 100000000u : 1000000000u;
    size_t samples = quick() ? 2 : 5;
    double rates[8];
    for (size_t s = 0; s < samples; s++) {
        uint64_t h0 = 0, h1 = 0;
        asw_component_info_t i;
        for (int c = 0; c < 2 * PAIRS; c++)
            asw_component_info(comps[c], &i), h0 += i.handled;
        uint64_t t0 = bench_now_ns();
        struct timespec ts = {(time_t)(dur / 1000000000u), (long)(dur % 1000000000u)};
        nanosleep(&ts, NULL);
        for (int c = 0; c < 2 * PAIRS; c++)
            asw_component_info(comps[c], &i), h1 += i.handled;
        rates[s] = (double)(h1 - h0) / ((double)(bench_now_ns() - t0) / 1e9);
    }
    double sorted[8];
    memcpy(sorted, rates, sizeof rates);
    for (size_t i = 0; i < samples; i++)
        for (size_t j = i + 1; j < samples; j++)
            if (sorted[j] < sorted[i]) {
                double x = sorted[i];
                sorted[i] = sorted[j];
                sorted[j] = x;
            }
    bench_report("host.message_throughput", "ops/s", sorted[samples / 2], sorted[0], samples);
    env_close(&e);
}

/* Asks the probe to run `iters` calls of one kind from inside wasm ("rr echo N", "get N"). */
static void probe_batch(asw_host_t *h, const char *what, uint64_t iters)
{
    char req[48];
    int n = snprintf(req, sizeof req, "%s %llu", what, (unsigned long long)iters);
    void *rep = NULL;
    size_t len;
    asw_error_t err = {0};
    if (asw_host_request(h, "probe", req, (size_t)n, 60000000000u, &rep, &len, &err)) {
        fprintf(stderr, "host_bench: probe %s: %s\n", what, asw_error_message(&err));
        exit(1);
    }
    if ((size_t)atoll(rep) != iters) {
        fprintf(stderr, "host_bench: probe %s: only %lld of %llu calls succeeded\n", what,
                atoll(rep), (unsigned long long)iters);
        exit(1);
    }
    asw_host_buffer_free(rep);
}

static void rr_1000(void *ctx, uint64_t iters)
{
    for (uint64_t i = 0; i < iters; i++)
        probe_batch(ctx, "rr echo", 1000);
}

static void get_1000(void *ctx, uint64_t iters)
{
    for (uint64_t i = 0; i < iters; i++)
        probe_batch(ctx, "get", 1000);
}

/* request_response and hostcall_checked: one batch of 1000 calls per iteration, so the host's
 * own request into the probe (~0.1 ms) is 1 % noise on the per-call figure. */
static void bench_probe(void)
{
    env_t e;
    env_open(&e, 0);
    if (load(&e, e.echo, e.echo_len, e.echo_toml, NULL) ||
        load(&e, e.probe, e.probe_len, probe_toml, NULL))
        exit(1);
    if (bench_enabled("host.request_response"))
        bench_run_ops("host.request_response", rr_1000, e.host, 1000);
    if (bench_enabled("host.hostcall_checked")) {
        probe_batch(e.host, "set", 1); /* the key the gets read; its commit is not timed */
        bench_run_ops("host.hostcall_checked", get_1000, e.host, 1000);
    }
    env_close(&e);
}

int main(void)
{
    asw_allocator_t a = {c_malloc, c_realloc, c_free, NULL};
    asw_set_allocator(&a);
    if (bench_enabled("host.component_spawn") || bench_enabled("host.spawn_10k") ||
        bench_enabled("host.component_overhead_bytes"))
        bench_spawn();
    if (bench_enabled("host.message_throughput")) bench_throughput();
    if (bench_enabled("host.request_response") || bench_enabled("host.hostcall_checked"))
        bench_probe();
    asw_set_allocator(NULL);
    return 0;
}
