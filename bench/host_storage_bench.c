/*
 * bench/host_storage_bench.c -- the component store (airssys/storage.h) from the host side,
 * without wasm or capability checks (host.hostcall_checked, in the component suite, adds those).
 *
 * Metrics:
 *   host.storage_get          a 64-byte value by a 16-byte key from a namespace of 10,000 keys
 *                             (pooled read transaction, copy into the caller's buffer)
 *   host.storage_set          overwrite of a 64-byte value, default policy (SYNC_FULL: one
 *                             fsync per commit, so this measures the disk)
 *   host.storage_set_nosync   the same with ASW_STORAGE_SYNC_NONE (survives kill -9, not a
 *                             power loss): the cost of the store itself
 *   host.storage_exists       a lookup without a copy
 * The store lives in a temporary directory under $TMPDIR (default /tmp), removed at the end.
 */
#include "airssys/storage.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NKEYS 10000

typedef struct {
    asw_storage_ns_t *ns;
    uint64_t i;
} ctx_t;

static void key_of(uint64_t i, char k[17])
{
    snprintf(k, 17, "key-%012llu", (unsigned long long)(i % NKEYS));
}

static void bench_get(void *p, uint64_t iters)
{
    ctx_t *c = p;
    char k[17], buf[128];
    for (uint64_t n = 0; n < iters; n++) {
        key_of(c->i++ * 7919, k);
        size_t len;
        int rc = asw_storage_get(c->ns, k, 16, buf, sizeof buf, &len, NULL);
        BENCH_KEEP(rc);
    }
}

static void bench_exists(void *p, uint64_t iters)
{
    ctx_t *c = p;
    char k[17];
    for (uint64_t n = 0; n < iters; n++) {
        key_of(c->i++ * 7919, k);
        bool ex;
        int rc = asw_storage_exists(c->ns, k, 16, &ex, NULL);
        BENCH_KEEP(rc);
    }
}

static void bench_set(void *p, uint64_t iters)
{
    ctx_t *c = p;
    char k[17], v[64];
    memset(v, 'v', sizeof v);
    for (uint64_t n = 0; n < iters; n++) {
        key_of(c->i++ * 7919, k);
        int rc = asw_storage_set(c->ns, k, 16, v, sizeof v, NULL, NULL);
        BENCH_KEEP(rc);
    }
}

static void rm_store(const char *dir)
{
    char p[512];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", dir);
    unlink(p);
    rmdir(dir);
}

static int run(asw_storage_sync_t sync, int with_reads)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/asw_storebenchXXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    asw_storage_opts_t o = {0};
    o.sync = sync;
    asw_storage_t *st = NULL;
    asw_storage_ns_t *ns = NULL;
    asw_error_t e = {0};
    if (asw_storage_open(dir, &o, &st, &e) || asw_storage_ns_open(st, "bench", 0, &ns, &e)) {
        fprintf(stderr, "host_storage_bench: %s\n", e.msg);
        rm_store(dir);
        return 1;
    }
    /* Fill without fsync per key: one store reopened with the policy under test. */
    char k[17], v[64];
    memset(v, 'v', sizeof v);
    ctx_t c = {ns, 0};
    if (sync == ASW_STORAGE_SYNC_NONE || with_reads) {
        for (uint64_t i = 0; i < NKEYS; i++) {
            key_of(i, k);
            if (asw_storage_set(ns, k, 16, v, sizeof v, NULL, &e)) {
                fprintf(stderr, "host_storage_bench: fill: %s\n", e.msg);
                break;
            }
        }
    }
    if (with_reads) {
        bench_run("host.storage_get", bench_get, &c);
        bench_run("host.storage_exists", bench_exists, &c);
    }
    bench_run(sync == ASW_STORAGE_SYNC_NONE ? "host.storage_set_nosync" : "host.storage_set",
              bench_set, &c);
    asw_storage_ns_close(ns);
    asw_storage_close(st);
    rm_store(dir);
    return 0;
}

int main(void)
{
    int rc = 0;
    if (bench_enabled("host.storage_get") || bench_enabled("host.storage_exists") ||
        bench_enabled("host.storage_set_nosync"))
        rc |= run(ASW_STORAGE_SYNC_NONE, 1);
    if (bench_enabled("host.storage_set") && !rc) rc |= run(ASW_STORAGE_SYNC_FULL, 0);
    return rc;
}
