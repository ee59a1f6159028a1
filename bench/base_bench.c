/*
 * bench/base_bench.c -- the base suite: costs every layer pays on its hot paths.
 *
 * Metrics:
 *   base.alloc_free      one asw__malloc(64) + asw__free through the installed allocator hook
 *                        (the default hook: malloc/free behind an atomic pointer load)
 *   base.alloc_free_4k   the same with 4 KiB blocks
 *   base.error_format    one asw__errorf() with a typical message ("code section, byte 0x..")
 *   base.error_prefix    asw__error_prefix() on a recorded message (context added by callers)
 *
 * Not measured here: allocation failure paths (tests cover them), custom allocators.
 */
#include "base/base.h"
#include "harness.h"

#include <stdio.h>

typedef struct alloc_ctx {
    size_t size;
} alloc_ctx_t;

static void bench_alloc_free(void *ctx, uint64_t iters)
{
    const alloc_ctx_t *c = ctx;
    uint64_t i;

    for (i = 0; i < iters; i++) {
        void *p = asw__malloc(c->size);
        BENCH_KEEP(p);
        asw__free(p);
    }
}

static void bench_error_format(void *ctx, uint64_t iters)
{
    asw_error_t *err = ctx;
    uint64_t i;

    for (i = 0; i < iters; i++) {
        int rc = asw__errorf(err, ASW_E_INVALID_MODULE,
                             "code section, byte 0x%x: type mismatch in %s (expected %s, got %s)",
                             (unsigned)(i & 0xffff), "i32.add", "i32", "f64");
        BENCH_KEEP(rc);
    }
}

static void bench_error_prefix(void *ctx, uint64_t iters)
{
    asw_error_t *err = ctx;
    uint64_t i;

    for (i = 0; i < iters; i++) {
        asw__errorf(err, ASW_E_PARSE, "line %u:%u: expected '='", 3u, 7u);
        asw__error_prefix(err, "%s: ", "manifest.toml");
        BENCH_KEEP(err->msg[0]);
    }
}

int main(void)
{
    alloc_ctx_t small = {64}, page = {4096};
    asw_error_t err;

    asw_error_init(&err);
    bench_run("base.alloc_free", bench_alloc_free, &small);
    bench_run("base.alloc_free_4k", bench_alloc_free, &page);
    bench_run("base.error_format", bench_error_format, &err);
    bench_run("base.error_prefix", bench_error_prefix, &err);
    return 0;
}
