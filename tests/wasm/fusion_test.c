/*
 * tests/wasm/fusion_test.c -- the compiler's superinstruction selection (src/wasm/compile.c):
 * tests/wasm/exec/fusion.wat holds code shaped like the benchmark workloads' hot loops, and each
 * function's listing (asw__cfunc_dump) must contain the operations the fold should produce. The
 * results of those operations are tested elsewhere (tests/wasm/spec/fused_ops.wast, run on our
 * engine and on V8); this test catches a change that silently stops a fold from happening, which
 * no result-based test can see. It also checks that every operation of the listing is known
 * (the dump decodes the linked, two-unit handlers).
 */
#include "testlib.h"

#include "airssys/wasm.h"
#include "wasm/exec.h"
#include "wasm/module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static asw_engine_t *engine;
static asw_module_t *mod;

static int setup(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = asw_test_read_file(asw_test_bin_path("tests/wasm/exec/fusion.wasm"), &len);
    if (!bytes || asw_engine_new(NULL, &engine, NULL) != ASW_OK) return -1;
    int rc = asw_module_compile(engine, bytes, len, &mod, NULL);
    free(bytes);
    return rc == ASW_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    asw_module_free(mod);
    asw_engine_free(engine);
    return 0;
}

/* The listing of defined function `index` (no imports in fusion.wat). Caller frees. */
static char *listing(uint32_t index)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    assert_true(index < mod->nfuncs);
    asw__cfunc_dump(mod->funcs[index].compiled, f);
    fclose(f);
    assert_null(strstr(buf, "???"));
    return buf;
}

static void has(uint32_t index, const char *const *ops, const char *const *absent)
{
    char *l = listing(index);
    for (; ops && *ops; ops++) {
        if (!strstr(l, *ops)) fail_msg("function %u lacks %s:\n%s", index, *ops, l);
    }
    for (; absent && *absent; absent++) {
        if (strstr(l, *absent)) fail_msg("function %u still has %s:\n%s", index, *absent, l);
    }
    free(l);
}

static void axpy(void **state)
{
    (void)state;
    static const char *const want[] = {"F64_MULADD_TO", "INC_BR_NE_", NULL};
    static const char *const gone[] = {"F64_MUL_M ", "STORE64 ", NULL};
    has(0, want, gone);
}

static void sigma(void **state)
{
    (void)state;
    static const char *const want[] = {"I32_ROTX3", NULL};
    static const char *const gone[] = {"I32_ROTL_I", "XOR_ROTL", NULL};
    has(1, want, gone);
}

static void switch_on_load(void **state)
{
    (void)state;
    static const char *const want[] = {"BR_TABLE_LSK", NULL};
    static const char *const gone[] = {"I32_LOAD_SK", NULL};
    has(2, want, gone);
}

static void f64_pairs(void **state)
{
    (void)state;
    static const char *const want[] = {"F64P_MUL_ADD_", NULL};
    has(3, want, NULL);
}

static void lcg(void **state)
{
    (void)state;
    static const char *const want[] = {"I32_MUL_ADD_I", NULL};
    has(4, want, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(axpy),      cmocka_unit_test(sigma), cmocka_unit_test(switch_on_load),
        cmocka_unit_test(f64_pairs), cmocka_unit_test(lcg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
