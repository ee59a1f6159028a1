/*
 * bench/wasm_bench.c -- our WebAssembly engine (include/airssys/wasm.h), measured against
 * native code in the same run.
 *
 * Metrics:
 *   wasm.exec.<name>              ns per run(n) call of wl_<name>.wasm in our engine
 *   wasm.exec.<name>.vs_native    engine over native, same n, measured in this process (ratio)
 *   wasm.exec.geomean_vs_native   geometric mean of those ratios (the engine's headline number)
 *   wasm.native.<name>            the native side of the ratios (as in wasm_native_bench)
 *   wasm.instantiate.minimal      new store + instantiate a one-function, one-page module + free
 *   wasm.compile.throughput       MB/s compiling a generated module of 2000 functions (~1 MB)
 *   wasm.compile.workloads        ns to compile the seven workload modules (small, real code)
 *   wasm.call.host_to_guest       ns per asw_func_call of an exported (i32, i32) -> i32 add
 *   wasm.call.guest_to_host       ns per call from wasm to an imported host function (i32)->i32
 *   wasm.instance_bytes           store heap bytes (asw_store_stats) of one minimal instance
 *
 * Design. The small modules are encoded here byte by byte (a few helpers write LEB128 and
 * sections), so the suite needs no tool beyond the engine. Every workload's checksum from the
 * engine is compared with native's before anything is timed; a mismatch drops the metric with an
 * error on stderr and the program exits 1, as does any engine error.
 *
 * Not measured: WASI, component-model calls, fuel and interrupt overhead (later suites).
 */
#include "harness.h"
#include "wasm_workloads.h"

#include "airssys/wasm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ a tiny module encoder */

typedef struct wbuf {
    uint8_t *p;
    size_t n, cap;
    int oom;
} wbuf_t;

static void put(wbuf_t *b, uint8_t byte)
{
    if (b->oom) return;
    if (b->n == b->cap) {
        size_t ncap = b->cap ? 2 * b->cap : 256;
        uint8_t *np = realloc(b->p, ncap);
        if (np == NULL) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    b->p[b->n++] = byte;
}

static void put_bytes(wbuf_t *b, const uint8_t *bytes, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        put(b, bytes[i]);
}

static void put_u32(wbuf_t *b, uint32_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        put(b, v != 0 ? (uint8_t)(byte | 0x80) : byte);
    } while (v != 0);
}

static void put_s32(wbuf_t *b, int32_t v)
{
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7f);
        v >>= 7; /* arithmetic shift on every compiler we build with */
        if ((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40))) {
            put(b, byte);
            return;
        }
        put(b, (uint8_t)(byte | 0x80));
    }
}

static void put_name(wbuf_t *b, const char *s)
{
    put_u32(b, (uint32_t)strlen(s));
    put_bytes(b, (const uint8_t *)s, strlen(s));
}

/* Appends section `id` with the contents of *c to *m, then empties *c. */
static void put_section(wbuf_t *m, uint8_t id, wbuf_t *c)
{
    put(m, id);
    put_u32(m, (uint32_t)c->n);
    put_bytes(m, c->p, c->n);
    m->oom |= c->oom;
    c->n = 0;
}

static void put_header(wbuf_t *m)
{
    static const uint8_t magic[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    put_bytes(m, magic, sizeof magic);
}

enum { SEC_TYPE = 1, SEC_IMPORT = 2, SEC_FUNC = 3, SEC_MEMORY = 5, SEC_EXPORT = 7, SEC_CODE = 10 };
enum {
    OP_BLOCK = 0x02,
    OP_LOOP = 0x03,
    OP_IF = 0x04,
    OP_ELSE = 0x05,
    OP_END = 0x0b,
    OP_BR = 0x0c,
    OP_BR_IF = 0x0d,
    OP_CALL = 0x10,
    OP_DROP = 0x1a,
    OP_LOCAL_GET = 0x20,
    OP_LOCAL_SET = 0x21,
    OP_LOCAL_TEE = 0x22,
    OP_I32_CONST = 0x41,
    OP_I32_EQZ = 0x45,
    OP_I32_ADD = 0x6a,
    OP_I32_SUB = 0x6b,
    OP_I32_MUL = 0x6c,
    OP_I32_XOR = 0x73,
    OP_I32_SHL = 0x74,
    BLOCKTYPE_EMPTY = 0x40,
    T_I32 = 0x7f,
    T_FUNC = 0x60
};

/* (module (memory 1) (func (export "f") (result i32) i32.const 1)) */
static void module_minimal(wbuf_t *m)
{
    wbuf_t c = {0};
    static const uint8_t body[] = {0x00, OP_I32_CONST, 0x01, OP_END};

    put_header(m);
    put_u32(&c, 1), put(&c, T_FUNC), put_u32(&c, 0), put_u32(&c, 1), put(&c, T_I32);
    put_section(m, SEC_TYPE, &c);
    put_u32(&c, 1), put_u32(&c, 0);
    put_section(m, SEC_FUNC, &c);
    put_u32(&c, 1), put(&c, 0x00), put_u32(&c, 1);
    put_section(m, SEC_MEMORY, &c);
    put_u32(&c, 1), put_name(&c, "f"), put(&c, 0x00), put_u32(&c, 0);
    put_section(m, SEC_EXPORT, &c);
    put_u32(&c, 1), put_u32(&c, sizeof body), put_bytes(&c, body, sizeof body);
    put_section(m, SEC_CODE, &c);
    free(c.p);
}

/* (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)) */
static void module_add(wbuf_t *m)
{
    wbuf_t c = {0};
    static const uint8_t body[] = {0x00, OP_LOCAL_GET, 0, OP_LOCAL_GET, 1, OP_I32_ADD, OP_END};

    put_header(m);
    put_u32(&c, 1), put(&c, T_FUNC), put_u32(&c, 2), put(&c, T_I32), put(&c, T_I32);
    put_u32(&c, 1), put(&c, T_I32);
    put_section(m, SEC_TYPE, &c);
    put_u32(&c, 1), put_u32(&c, 0);
    put_section(m, SEC_FUNC, &c);
    put_u32(&c, 1), put_name(&c, "add"), put(&c, 0x00), put_u32(&c, 0);
    put_section(m, SEC_EXPORT, &c);
    put_u32(&c, 1), put_u32(&c, sizeof body), put_bytes(&c, body, sizeof body);
    put_section(m, SEC_CODE, &c);
    free(c.p);
}

/* (module (import "env" "h" (func $h (param i32) (result i32)))
 *   (func (export "loop") (param $n i32)
 *     block loop  local.get $n i32.eqz br_if 1  local.get $n call $h drop
 *                 local.get $n i32.const 1 i32.sub local.set $n  br 0  end end)) */
static void module_host_loop(wbuf_t *m)
{
    wbuf_t c = {0};
    static const uint8_t body[] = {
        0x00,         OP_BLOCK, BLOCKTYPE_EMPTY, OP_LOOP,  BLOCKTYPE_EMPTY,
        OP_LOCAL_GET, 0,        OP_I32_EQZ,      OP_BR_IF, 1,
        OP_LOCAL_GET, 0,        OP_CALL,         0,        OP_DROP,
        OP_LOCAL_GET, 0,        OP_I32_CONST,    1,        OP_I32_SUB,
        OP_LOCAL_SET, 0,        OP_BR,           0,        OP_END,
        OP_END,       OP_END};

    put_header(m);
    put_u32(&c, 2);
    put(&c, T_FUNC), put_u32(&c, 1), put(&c, T_I32), put_u32(&c, 1), put(&c, T_I32);
    put(&c, T_FUNC), put_u32(&c, 1), put(&c, T_I32), put_u32(&c, 0);
    put_section(m, SEC_TYPE, &c);
    put_u32(&c, 1), put_name(&c, "env"), put_name(&c, "h"), put(&c, 0x00), put_u32(&c, 0);
    put_section(m, SEC_IMPORT, &c);
    put_u32(&c, 1), put_u32(&c, 1);
    put_section(m, SEC_FUNC, &c);
    put_u32(&c, 1), put_name(&c, "loop"), put(&c, 0x00), put_u32(&c, 1);
    put_section(m, SEC_EXPORT, &c);
    put_u32(&c, 1), put_u32(&c, sizeof body), put_bytes(&c, body, sizeof body);
    put_section(m, SEC_CODE, &c);
    free(c.p);
}

/* A module of `nfuncs` functions (param i32 i32) (result i32), each a straight run of
 * arithmetic with nested blocks and if/else, about 500 bytes of code per body (~1 MB in all):
 * the compile-throughput workload. */
static void module_synthetic(wbuf_t *m, uint32_t nfuncs)
{
    wbuf_t c = {0}, body = {0};
    uint32_t f;
    int k;

    put_header(m);
    put_u32(&c, 1), put(&c, T_FUNC), put_u32(&c, 2), put(&c, T_I32), put(&c, T_I32);
    put_u32(&c, 1), put(&c, T_I32);
    put_section(m, SEC_TYPE, &c);
    put_u32(&c, nfuncs);
    for (f = 0; f < nfuncs; f++)
        put_u32(&c, 0);
    put_section(m, SEC_FUNC, &c);
    put_u32(&c, 1), put_name(&c, "f0"), put(&c, 0x00), put_u32(&c, 0);
    put_section(m, SEC_EXPORT, &c);
    put_u32(&c, nfuncs);
    for (f = 0; f < nfuncs; f++) {
        body.n = 0;
        put_u32(&body, 1), put_u32(&body, 2), put(&body, T_I32); /* two i32 locals */
        for (k = 0; k < 12; k++) {
            put(&body, OP_LOCAL_GET), put_u32(&body, 0);
            put(&body, OP_I32_CONST), put_s32(&body, (int32_t)(f * 31u + (uint32_t)k * 7u));
            put(&body, OP_I32_ADD);
            put(&body, OP_LOCAL_TEE), put_u32(&body, 2);
            put(&body, OP_LOCAL_GET), put_u32(&body, 1);
            put(&body, OP_I32_XOR);
            put(&body, OP_LOCAL_SET), put_u32(&body, 0);
            put(&body, OP_BLOCK), put(&body, BLOCKTYPE_EMPTY);
            put(&body, OP_LOCAL_GET), put_u32(&body, 2);
            put(&body, OP_BR_IF), put_u32(&body, 0);
            put(&body, OP_LOCAL_GET), put_u32(&body, 1);
            put(&body, OP_IF), put(&body, BLOCKTYPE_EMPTY);
            put(&body, OP_LOCAL_GET), put_u32(&body, 0);
            put(&body, OP_I32_CONST), put_s32(&body, k + 1);
            put(&body, OP_I32_SHL);
            put(&body, OP_LOCAL_SET), put_u32(&body, 0);
            put(&body, OP_ELSE);
            put(&body, OP_LOCAL_GET), put_u32(&body, 1);
            put(&body, OP_I32_CONST), put_s32(&body, 3);
            put(&body, OP_I32_MUL);
            put(&body, OP_LOCAL_SET), put_u32(&body, 1);
            put(&body, OP_END);
            put(&body, OP_END);
        }
        put(&body, OP_LOCAL_GET), put_u32(&body, 0);
        put(&body, OP_END);
        put_u32(&c, (uint32_t)body.n);
        put_bytes(&c, body.p, body.n);
        c.oom |= body.oom;
    }
    put_section(m, SEC_CODE, &c);
    free(c.p);
    free(body.p);
}

/* ------------------------------------------------------------------ measurements */

#define MAX_COMPILE 16

static int failures;

static void fail(const char *what, int rc, const asw_error_t *err)
{
    fprintf(stderr, "wasm_bench: error: %s: %s (%s)\n", what,
            err != NULL && err->code != 0 ? asw_error_message(err) : asw_strerror(rc),
            asw_err_name(rc));
    failures++;
}

static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = NULL;
    long len;

    if (f == NULL) return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) goto fail;
    p = malloc(len > 0 ? (size_t)len : 1);
    if (p == NULL || fread(p, 1, (size_t)len, f) != (size_t)len) goto fail;
    fclose(f);
    *out = p;
    *out_len = (size_t)len;
    return 0;
fail:
    free(p);
    fclose(f);
    return -1;
}

/* One call of a () -> () or (i32) -> i64 export, with trap reporting. */
static int call(asw_func_t *f, const asw_val_t *args, size_t nargs, asw_val_t *res, size_t nres,
                const char *what)
{
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    int rc = asw_func_call(f, args, nargs, res, nres, &trap, &err);

    if (rc == ASW_E_TRAP && trap != NULL) {
        fprintf(stderr, "wasm_bench: error: %s trapped: %s\n", what, asw_trap_message(trap));
        failures++;
    } else if (rc != 0) {
        fail(what, rc, &err);
    }
    if (trap != NULL) asw_trap_free(trap);
    return rc;
}

typedef struct exec_ctx {
    asw_func_t *run;
    asw_val_t arg;
    int failed;
} exec_ctx_t;

static void bench_exec(void *ctx, uint64_t iters)
{
    exec_ctx_t *c = ctx;
    asw_val_t res;
    uint64_t i;

    for (i = 0; i < iters && !c->failed; i++) {
        if (asw_func_call(c->run, &c->arg, 1, &res, 1, NULL, NULL) != 0) c->failed = 1;
        BENCH_KEEP(res.of.i64);
    }
}

typedef struct ratio_acc {
    double log_sum, log_sum_p99;
    size_t n, min_samples;
} ratio_acc_t;

/* Measures one workload in the engine and natively; reports both and their ratio. */
static void run_workload(asw_engine_t *engine, const bench_workload_t *w, ratio_acc_t *acc)
{
    char path[1024], name[96], what[1200];
    uint8_t *bytes = NULL;
    size_t len = 0;
    asw_module_t *mod = NULL;
    asw_store_t *store = NULL;
    asw_instance_t *inst = NULL;
    asw_func_t *init;
    asw_error_t err = {0};
    exec_ctx_t c;
    asw_val_t res;
    uint64_t expect = 0;
    bench_result_t exec, native;
    int rc;

    snprintf(name, sizeof name, "wasm.exec.%s", w->name);
    if (!bench_enabled(name)) return;
    snprintf(path, sizeof path, "%s/wl_%s.wasm", bench_guest_dir(), w->name);
    snprintf(what, sizeof what, "%s (%s)", name, path);
    if (read_file(path, &bytes, &len) != 0) {
        fprintf(stderr, "wasm_bench: error: %s: cannot read the module (guests built?)\n", what);
        failures++;
        return;
    }
    if ((rc = asw_module_compile(engine, bytes, len, &mod, &err)) != 0 ||
        (rc = asw_store_new(engine, NULL, &store, &err)) != 0 ||
        (rc = asw_instance_new(store, mod, NULL, &inst, NULL, &err)) != 0) {
        fail(what, rc, &err);
        goto out;
    }
    init = asw_instance_func(inst, "_initialize");
    if (init != NULL && call(init, NULL, 0, NULL, 0, what) != 0) goto out;
    c.run = asw_instance_func(inst, "run");
    c.arg = asw_val_i32(bench_workload_n(w));
    c.failed = 0;
    if (c.run == NULL) {
        fprintf(stderr, "wasm_bench: error: %s exports no run function\n", what);
        failures++;
        goto out;
    }
    if (call(c.run, &c.arg, 1, &res, 1, what) != 0) goto out;
    expect = w->native(bench_workload_n(w));
    if ((uint64_t)res.of.i64 != expect) {
        fprintf(stderr,
                "wasm_bench: error: %s: checksum mismatch: engine returned %016llx, native %016llx "
                "for run(%d); metric dropped\n",
                name, (unsigned long long)res.of.i64, (unsigned long long)expect,
                (int)bench_workload_n(w));
        failures++;
        goto out;
    }
    exec = bench_run(name, bench_exec, &c);
    if (c.failed) {
        fprintf(stderr, "wasm_bench: error: %s: a timed call failed; numbers invalid\n", name);
        failures++;
        goto out;
    }
    native = bench_workload_native(w, &expect);
    if (exec.samples > 0 && native.samples > 0) {
        snprintf(name, sizeof name, "wasm.exec.%s.vs_native", w->name);
        bench_report_ratio(name, &exec, &native);
        acc->log_sum += log(exec.median / native.median);
        acc->log_sum_p99 += log(exec.p99 / native.p99);
        if (acc->n == 0 || exec.samples < acc->min_samples) acc->min_samples = exec.samples;
        if (native.samples < acc->min_samples) acc->min_samples = native.samples;
        acc->n++;
    }
out:
    if (store != NULL) asw_store_free(store);
    asw_module_free(mod);
    free(bytes);
}

typedef struct inst_ctx {
    asw_engine_t *engine;
    asw_module_t *mod;
    int failed;
} inst_ctx_t;

static void bench_instantiate(void *ctx, uint64_t iters)
{
    inst_ctx_t *c = ctx;
    uint64_t i;

    for (i = 0; i < iters && !c->failed; i++) {
        asw_store_t *store = NULL;
        asw_instance_t *inst = NULL;
        if (asw_store_new(c->engine, NULL, &store, NULL) != 0 ||
            asw_instance_new(store, c->mod, NULL, &inst, NULL, NULL) != 0)
            c->failed = 1;
        if (store != NULL) asw_store_free(store);
    }
}

static void measure_instantiate(asw_engine_t *engine)
{
    wbuf_t m = {0};
    asw_error_t err = {0};
    inst_ctx_t c = {engine, NULL, 0};
    asw_store_t *store = NULL, *empty = NULL;
    asw_instance_t *inst = NULL;
    asw_store_stats_t st, st_empty;
    int rc;

    module_minimal(&m);
    if (m.oom || (rc = asw_module_compile(engine, m.p, m.n, &c.mod, &err)) != 0) {
        fail("minimal module", m.oom ? ASW_E_NOMEM : rc, &err);
        goto out;
    }
    if (bench_enabled("wasm.instantiate.minimal")) {
        bench_run("wasm.instantiate.minimal", bench_instantiate, &c);
        if (c.failed) fail("wasm.instantiate.minimal", ASW_E_STATE, NULL);
    }
    if (bench_enabled("wasm.instance_bytes")) {
        if ((rc = asw_store_new(engine, NULL, &empty, &err)) != 0 ||
            (rc = asw_store_new(engine, NULL, &store, &err)) != 0 ||
            (rc = asw_instance_new(store, c.mod, NULL, &inst, NULL, &err)) != 0) {
            fail("wasm.instance_bytes", rc, &err);
            goto out;
        }
        asw_store_stats(empty, &st_empty);
        asw_store_stats(store, &st);
        /* The store's own heap plus the instance's, without the 64 KiB page of linear memory. */
        bench_report("wasm.instance_bytes", "bytes", (double)st.bytes_runtime,
                     (double)st.bytes_runtime, 1);
        fprintf(stderr, "  (empty store: %zu bytes; linear memory: %zu bytes)\n",
                st_empty.bytes_runtime, st.bytes_linear);
    }
out:
    if (store != NULL) asw_store_free(store);
    if (empty != NULL) asw_store_free(empty);
    asw_module_free(c.mod);
    free(m.p);
}

typedef struct compile_ctx {
    asw_engine_t *engine;
    const uint8_t *const *bytes;
    const size_t *lens;
    size_t n;
    int failed;
} compile_ctx_t;

static void bench_compile(void *ctx, uint64_t iters)
{
    compile_ctx_t *c = ctx;
    uint64_t i;
    size_t k;

    for (i = 0; i < iters && !c->failed; i++) {
        for (k = 0; k < c->n; k++) {
            asw_module_t *mod = NULL;
            if (asw_module_compile(c->engine, c->bytes[k], c->lens[k], &mod, NULL) != 0)
                c->failed = 1;
            asw_module_free(mod);
        }
    }
}

static void measure_compile(asw_engine_t *engine)
{
    wbuf_t m = {0};
    const uint8_t *bytes[MAX_COMPILE];
    size_t lens[MAX_COMPILE], i, nfiles = 0;
    uint8_t *files[MAX_COMPILE];
    compile_ctx_t c;
    bench_result_t r;
    asw_error_t err = {0};
    asw_module_t *mod = NULL;
    int rc;

    if (bench_enabled("wasm.compile.throughput")) {
        module_synthetic(&m, 2000);
        if (m.oom || (rc = asw_module_compile(engine, m.p, m.n, &mod, &err)) != 0) {
            fail("synthetic module", m.oom ? ASW_E_NOMEM : rc, &err);
        } else {
            asw_module_free(mod);
            bytes[0] = m.p;
            lens[0] = m.n;
            c = (compile_ctx_t){engine, bytes, lens, 1, 0};
            /* Timed with the ordinary harness; reported as MB/s (p99: the slowest 1%). */
            r = bench_run("wasm.compile.synthetic", bench_compile, &c);
            if (c.failed) fail("wasm.compile.synthetic", ASW_E_STATE, NULL);
            if (r.samples > 0 && r.median > 0 && r.p99 > 0)
                bench_report("wasm.compile.throughput", "MB/s", 1e3 * (double)m.n / r.median,
                             1e3 * (double)m.n / r.p99, r.samples);
            fprintf(stderr, "  (synthetic module: %zu bytes, 2000 functions)\n", m.n);
        }
    }
    if (bench_enabled("wasm.compile.workloads")) {
        for (i = 0; i < bench_workload_count && nfiles < MAX_COMPILE; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/wl_%s.wasm", bench_guest_dir(),
                     bench_workloads[i].name);
            if (read_file(path, &files[nfiles], &lens[nfiles]) != 0) {
                fprintf(stderr, "wasm_bench: error: cannot read %s\n", path);
                failures++;
                continue;
            }
            bytes[nfiles] = files[nfiles];
            nfiles++;
        }
        if (nfiles > 0) {
            c = (compile_ctx_t){engine, bytes, lens, nfiles, 0};
            bench_run("wasm.compile.workloads", bench_compile, &c);
            if (c.failed) fail("wasm.compile.workloads", ASW_E_STATE, NULL);
        }
        for (i = 0; i < nfiles; i++)
            free(files[i]);
    }
    free(m.p);
}

typedef struct call_ctx {
    asw_func_t *f;
    int failed;
} call_ctx_t;

static void bench_host_to_guest(void *ctx, uint64_t iters)
{
    call_ctx_t *c = ctx;
    asw_val_t args[2], res;
    uint64_t i;

    for (i = 0; i < iters && !c->failed; i++) {
        args[0] = asw_val_i32((int32_t)i);
        args[1] = asw_val_i32(1);
        if (asw_func_call(c->f, args, 2, &res, 1, NULL, NULL) != 0) c->failed = 1;
        BENCH_KEEP(res.of.i32);
    }
}

static void bench_guest_to_host(void *ctx, uint64_t iters)
{
    call_ctx_t *c = ctx;
    asw_val_t arg;

    /* One guest call that calls the host `iters` times (the loop's own cost is a few wasm
     * instructions per iteration, included in the figure). */
    while (iters > 0 && !c->failed) {
        uint64_t chunk = iters > INT32_MAX ? INT32_MAX : iters;
        arg = asw_val_i32((int32_t)chunk);
        if (asw_func_call(c->f, &arg, 1, NULL, 0, NULL, NULL) != 0) c->failed = 1;
        iters -= chunk;
    }
}

static int host_inc(asw_caller_t *caller, void *user_data, const asw_val_t *args, size_t nargs,
                    asw_val_t *results, size_t nresults)
{
    (void)caller, (void)user_data, (void)nargs, (void)nresults;
    results[0] = asw_val_i32(args[0].of.i32 + 1);
    return ASW_OK;
}

static void measure_calls(asw_engine_t *engine)
{
    static const uint8_t i32x1[1] = {ASW_I32};
    const asw_functype_t ht = {1, 1, i32x1, i32x1};
    wbuf_t m1 = {0}, m2 = {0};
    asw_error_t err = {0};
    asw_module_t *add = NULL, *loop = NULL;
    asw_store_t *store = NULL;
    asw_imports_t *imports = NULL;
    asw_instance_t *i1 = NULL, *i2 = NULL;
    call_ctx_t c;
    int rc;

    module_add(&m1);
    module_host_loop(&m2);
    if (m1.oom || m2.oom) {
        fail("call modules", ASW_E_NOMEM, NULL);
        goto out;
    }
    if ((rc = asw_module_compile(engine, m1.p, m1.n, &add, &err)) != 0 ||
        (rc = asw_module_compile(engine, m2.p, m2.n, &loop, &err)) != 0 ||
        (rc = asw_store_new(engine, NULL, &store, &err)) != 0 ||
        (rc = asw_imports_new(&imports, &err)) != 0 ||
        (rc = asw_imports_define_func(imports, "env", "h", &ht, host_inc, NULL, &err)) != 0 ||
        (rc = asw_instance_new(store, add, NULL, &i1, NULL, &err)) != 0 ||
        (rc = asw_instance_new(store, loop, imports, &i2, NULL, &err)) != 0) {
        fail("call modules", rc, &err);
        goto out;
    }
    c.f = asw_instance_func(i1, "add");
    c.failed = c.f == NULL;
    if (!c.failed) bench_run("wasm.call.host_to_guest", bench_host_to_guest, &c);
    if (c.failed) fail("wasm.call.host_to_guest", ASW_E_STATE, NULL);
    c.f = asw_instance_func(i2, "loop");
    c.failed = c.f == NULL;
    if (!c.failed) bench_run("wasm.call.guest_to_host", bench_guest_to_host, &c);
    if (c.failed) fail("wasm.call.guest_to_host", ASW_E_STATE, NULL);
out:
    if (store != NULL) asw_store_free(store);
    if (imports != NULL) asw_imports_free(imports);
    asw_module_free(add);
    asw_module_free(loop);
    free(m1.p);
    free(m2.p);
}

int main(void)
{
    asw_engine_t *engine = NULL;
    asw_error_t err = {0};
    ratio_acc_t acc = {0};
    size_t i;
    int rc;

    bench_pin_current_cpu();
    if ((rc = asw_engine_new(NULL, &engine, &err)) != 0) {
        fail("asw_engine_new", rc, &err);
        return 1;
    }
    for (i = 0; i < bench_workload_count; i++)
        run_workload(engine, &bench_workloads[i], &acc);
    if (acc.n > 0)
        bench_report("wasm.exec.geomean_vs_native", "ratio", exp(acc.log_sum / (double)acc.n),
                     exp(acc.log_sum_p99 / (double)acc.n), acc.min_samples);
    measure_instantiate(engine);
    measure_compile(engine);
    measure_calls(engine);
    asw_engine_free(engine);
    return failures > 0 ? 1 : 0;
}
