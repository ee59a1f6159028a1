/*
 * tests/wasm/diff/diff_runner.c -- the airssys side of the differential test against V8.
 *
 * usage: wasm_diff_runner MODULE.wasm SEED [--fuel N]
 *
 * Loads a module (typically made by binaryen's `wasm-opt -ttf`), provides the
 * "fuzzing-support" imports as functions that print their arguments, then calls every exported
 * function in export order with arguments drawn from a splitmix64 generator seeded with SEED,
 * and prints one line per call. diff_node.mjs does exactly the same on V8, and diff_driver.mjs
 * compares the two outputs. The output format (shared with diff_node.mjs):
 *   log <import-name> <value>...       a fuzzing-support import was called
 *   <export> -> <value>...             the call returned (nothing after "->" for no results)
 *   <export> -> trap                   the call trapped (the message is not compared)
 *   <export> -> exhausted              the call stack was exhausted (depth differs by engine)
 *   <export> -> fuel                   our fuel ran out (a possibly endless loop)
 * Values: i32 and i64 in signed decimal, f32/f64 as their hex bits except that every NaN prints
 * as "nan" (NaN bits may legitimately differ), references as "null" or "ref".
 * Exit status: 0 after all calls, 1 when the module cannot be loaded or instantiated (the
 * message goes to stdout too, so that a difference in that shows up), 2 on usage errors.
 *
 * Uses only the public API (include/airssys/wasm.h).
 */
#include "airssys/wasm.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The argument generator; diff_node.mjs implements the same sequence. Two draws per value. */
static asw_val_t make_arg(uint8_t type)
{
    static const uint32_t sp32[8] = {0,           1, 0xffffffffu, 0x7fffffffu,
                                     0x80000000u, 2, 0xffu,       0x10000u};
    static const uint64_t sp64[8] = {0,
                                     1,
                                     0xffffffffffffffffull,
                                     0x7fffffffffffffffull,
                                     0x8000000000000000ull,
                                     0xffffffffull,
                                     0x100000000ull,
                                     0xffull};
    static const uint32_t spf32[8] = {0,           0x80000000u, 0x3f800000u, 0xbf800000u,
                                      0x7f800000u, 0xff800000u, 0x00000001u, 0x7f7fffffu};
    static const uint64_t spf64[8] = {0,
                                      0x8000000000000000ull,
                                      0x3ff0000000000000ull,
                                      0xbff0000000000000ull,
                                      0x7ff0000000000000ull,
                                      0xfff0000000000000ull,
                                      1,
                                      0x7fefffffffffffffull};
    uint64_t r = next_u64(), v = next_u64();
    bool special = (r & 3) == 0;
    asw_val_t a;
    memset(&a, 0, sizeof a);
    a.kind = type;
    switch (type) {
    case ASW_I32: a.of.i32 = (int32_t)(special ? sp32[v % 8] : (uint32_t)v); break;
    case ASW_I64: a.of.i64 = (int64_t)(special ? sp64[v % 8] : v); break;
    case ASW_F32: {
        uint32_t b = special ? spf32[v % 8] : (uint32_t)v;
        if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu)) b &= ~0x40000000u; /* no NaN */
        a.of.i32 = (int32_t)b;
        break;
    }
    case ASW_F64: {
        uint64_t b = special ? spf64[v % 8] : v;
        if ((b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull))
            b &= ~0x4000000000000000ull;
        a.of.i64 = (int64_t)b;
        break;
    }
    default: break; /* references: null */
    }
    return a;
}

static void print_val(const asw_val_t *v)
{
    uint32_t b32 = (uint32_t)v->of.i32;
    uint64_t b64 = (uint64_t)v->of.i64;
    switch (v->kind) {
    case ASW_I32: printf(" %" PRId32, v->of.i32); break;
    case ASW_I64: printf(" %" PRId64, v->of.i64); break;
    case ASW_F32:
        if ((b32 & 0x7f800000u) == 0x7f800000u && (b32 & 0x7fffffu))
            printf(" nan");
        else
            printf(" 0x%08" PRIx32, b32);
        break;
    case ASW_F64:
        if ((b64 & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b64 & 0xfffffffffffffull))
            printf(" nan");
        else
            printf(" 0x%016" PRIx64, b64);
        break;
    case ASW_FUNCREF: printf(" %s", v->of.funcref ? "ref" : "null"); break;
    case ASW_EXTERNREF: printf(" %s", v->of.externref ? "ref" : "null"); break;
    default: printf(" ?"); break;
    }
}

static int log_import(asw_caller_t *caller, void *user_data, const asw_val_t *args, size_t nargs,
                      asw_val_t *results, size_t nresults)
{
    printf("log %s", (const char *)user_data);
    for (size_t i = 0; i < nargs; i++)
        print_val(&args[i]);
    printf("\n");
    /* Results (none for binaryen's loggers) are zero of their type, as in diff_node.mjs. */
    for (size_t i = 0; i < nresults; i++)
        results[i].of.i64 = 0;
    return ASW_OK;
}

static uint8_t *read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) goto fail;
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) goto fail;
    fclose(f);
    *out_len = (size_t)n;
    return buf;
fail:
    free(buf);
    fclose(f);
    return NULL;
}

int main(int argc, char **argv)
{
    asw_engine_t *engine = NULL;
    asw_store_t *store = NULL;
    asw_module_t *module = NULL;
    asw_imports_t *imports = NULL;
    asw_instance_t *inst = NULL;
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    uint64_t fuel = 0;
    uint8_t *bytes = NULL;
    size_t len = 0;
    int status = 1, rc;

    if (argc < 3 || (argc != 3 && (argc != 5 || strcmp(argv[3], "--fuel")))) {
        fprintf(stderr, "usage: %s MODULE.wasm SEED [--fuel N]\n", argv[0]);
        return 2;
    }
    rng_state = strtoull(argv[2], NULL, 10);
    if (argc == 5) fuel = strtoull(argv[4], NULL, 10);
    bytes = read_file(argv[1], &len);
    if (!bytes) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    if ((rc = asw_engine_new(NULL, &engine, &err)) ||
        (rc = asw_store_new(engine, NULL, &store, &err))) {
        printf("setup failed: %s\n", asw_error_message(&err));
        goto out;
    }
    if ((rc = asw_module_compile(engine, bytes, len, &module, &err))) {
        printf("compile failed: %s\n", asw_err_name(rc));
        fprintf(stderr, "compile: %s\n", asw_error_message(&err));
        goto out;
    }
    if ((rc = asw_imports_new(&imports, &err))) goto out;
    size_t nimports = asw_module_import_count(module);
    for (size_t i = 0; i < nimports; i++) {
        asw_import_desc_t d;
        if (asw_module_import(module, i, &d) || d.type.kind != ASW_EXTERN_FUNC ||
            strcmp(d.module, "fuzzing-support"))
            continue; /* anything else stays unresolved: instantiation reports it */
        if ((rc = asw_imports_define_func(imports, d.module, d.name, &d.type.of.func, log_import,
                                          (void *)d.name, &err)))
            goto out;
    }
    if (fuel) asw_store_set_fuel(store, fuel);
    rc = asw_instance_new(store, module, imports, &inst, &trap, &err);
    if (rc) {
        printf("instantiate failed: %s\n", rc == ASW_E_TRAP ? "trap" : asw_err_name(rc));
        goto out;
    }

    size_t nexports = asw_module_export_count(module);
    for (size_t i = 0; i < nexports; i++) {
        asw_export_desc_t d;
        if (asw_module_export(module, i, &d) || d.type.kind != ASW_EXTERN_FUNC) continue;
        asw_func_t *f = asw_instance_func(inst, d.name);
        asw_functype_t ft;
        asw_func_type(f, &ft);
        asw_val_t args[64], results[64];
        if (ft.nparams > 64 || ft.nresults > 64) {
            printf("%s -> too many values\n", d.name);
            continue;
        }
        for (uint32_t k = 0; k < ft.nparams; k++)
            args[k] = make_arg(ft.params[k]);
        if (fuel) asw_store_set_fuel(store, fuel);
        asw_trap_t *t = NULL;
        rc = asw_func_call(f, args, ft.nparams, results, ft.nresults, &t, &err);
        fflush(stdout);
        printf("%s ->", d.name);
        if (rc == ASW_OK) {
            for (uint32_t k = 0; k < ft.nresults; k++)
                print_val(&results[k]);
        } else if (rc == ASW_E_TRAP && t && asw_trap_kind(t) == ASW_TRAP_STACK_EXHAUSTED) {
            printf(" exhausted");
        } else if (rc == ASW_E_TRAP && t && asw_trap_kind(t) == ASW_TRAP_OUT_OF_FUEL) {
            printf(" fuel");
        } else if (rc == ASW_E_TRAP) {
            printf(" trap");
        } else {
            printf(" error %s", asw_err_name(rc));
            if (rc == ASW_E_SUSPENDED) asw_store_abandon(store);
        }
        printf("\n");
        if (t) asw_trap_free(t);
    }
    status = 0;
out:
    fflush(stdout);
    if (trap) asw_trap_free(trap);
    if (imports) asw_imports_free(imports);
    if (module) asw_module_free(module);
    if (store) asw_store_free(store);
    if (engine) asw_engine_free(engine);
    free(bytes);
    return status;
}
