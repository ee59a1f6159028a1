/*
 * tests/wasm/exec_test.c -- the executor (compile.c, interp.c, exec.c) through the public API:
 * every numeric instruction at its edge values (INT_MIN/-1, shifts by the width and more, NaN
 * payloads, -0.0, float->int boundaries on both sides), the immediate and fused forms the
 * compiler generates, control flow with block results and multi-value, calls (direct, indirect,
 * host, re-entrant), memory and bulk memory bounds (the last byte in bounds and the first out),
 * tables and references, traps with backtraces, the call depth limit, fuel (trap and suspend),
 * interrupts from another thread, and suspension in a host function with its results supplied
 * on resume.
 *
 * Built twice: wasm_exec_test (computed-goto dispatch) and wasm_exec_switch_test (interp.c
 * compiled into the test with ASW_SWITCH_DISPATCH=1; EXPECT_SWITCH checks it really is).
 */
#include "testlib.h"

#include "airssys/wasm.h"
#include "wasm/exec.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static asw_engine_t *engine;

typedef struct env {
    asw_store_t *store;
    asw_module_t *mod;
    asw_instance_t *inst;
    asw_imports_t *imp;
} env_t;

/* ---- host functions of control.wat ---- */

enum { REENTER_FIB = 0, REENTER_SUSPEND = 1 };
static int reenter_mode;

static int h_add(asw_caller_t *c, void *ud, const asw_val_t *a, size_t na, asw_val_t *r, size_t nr)
{
    (void)ud, (void)na, (void)nr;
    if (a[0].of.i32 == -1) return asw_caller_exit(c, 7);
    if (a[0].of.i32 == -2) return asw_caller_trap(c, "host says no (%d)", a[1].of.i32);
    r[0] = asw_val_i32(a[0].of.i32 + a[1].of.i32);
    return ASW_OK;
}

static int h_suspend(asw_caller_t *c, void *ud, const asw_val_t *a, size_t na, asw_val_t *r,
                     size_t nr)
{
    (void)c, (void)ud, (void)a, (void)na, (void)r, (void)nr;
    return ASW_E_SUSPENDED;
}

static int h_reenter(asw_caller_t *c, void *ud, const asw_val_t *a, size_t na, asw_val_t *r,
                     size_t nr)
{
    (void)ud, (void)na, (void)nr;
    asw_instance_t *inst = asw_caller_instance(c);
    asw_val_t res;
    asw_trap_t *trap = NULL;
    int rc;
    if (reenter_mode == REENTER_FIB) {
        rc = asw_func_call(asw_instance_func(inst, "fib"), a, 1, &res, 1, &trap, NULL);
    } else {
        rc = asw_func_call(asw_instance_func(inst, "call_susp"), a, 1, &res, 1, &trap, NULL);
    }
    if (rc == ASW_E_TRAP) {
        int out = asw_caller_trap(c, "nested: %s", asw_trap_message(trap));
        asw_trap_free(trap);
        return out;
    }
    if (rc) return rc;
    r[0] = asw_val_i32(res.of.i32 + 1);
    return ASW_OK;
}

static int h_many(asw_caller_t *c, void *ud, const asw_val_t *a, size_t na, asw_val_t *r, size_t nr)
{
    (void)c, (void)ud, (void)na, (void)nr;
    r[0] = asw_val_f64(a[0].of.i32 + (double)a[1].of.i64 + a[2].of.f32 + a[3].of.f64);
    r[1] = asw_val_i32(42);
    return ASW_OK;
}

static void define(asw_imports_t *imp, const char *name, const uint8_t *p, uint32_t np,
                   const uint8_t *rs, uint32_t nr, asw_host_fn fn)
{
    asw_functype_t t = {np, nr, p, rs};
    assert_int_equal(asw_imports_define_func(imp, "host", name, &t, fn, NULL, NULL), ASW_OK);
}

static void env_open(env_t *e, const char *name, const asw_store_limits_t *lim)
{
    memset(e, 0, sizeof(*e));
    char rel[256];
    snprintf(rel, sizeof rel, "tests/wasm/exec/%s.wasm", name);
    size_t len;
    uint8_t *bytes = asw_test_read_file(asw_test_bin_path(rel), &len);
    assert_non_null(bytes);
    asw_error_t err;
    int rc = asw_module_compile(engine, bytes, len, &e->mod, &err);
    free(bytes);
    if (rc) fail_msg("compile %s: %s", name, asw_error_message(&err));
    assert_int_equal(asw_store_new(engine, lim, &e->store, NULL), ASW_OK);
    assert_int_equal(asw_imports_new(&e->imp, NULL), ASW_OK);
    static const uint8_t ii[] = {ASW_I32, ASW_I32}, i1[] = {ASW_I32};
    static const uint8_t many_p[] = {ASW_I32, ASW_I64, ASW_F32, ASW_F64};
    static const uint8_t many_r[] = {ASW_F64, ASW_I32};
    define(e->imp, "add", ii, 2, i1, 1, h_add);
    define(e->imp, "suspend", i1, 1, i1, 1, h_suspend);
    define(e->imp, "reenter", i1, 1, i1, 1, h_reenter);
    define(e->imp, "many", many_p, 4, many_r, 2, h_many);
    asw_trap_t *trap = NULL;
    rc = asw_instance_new(e->store, e->mod, e->imp, &e->inst, &trap, &err);
    if (rc) fail_msg("instantiate %s: %s", name, asw_error_message(&err));
}

static void env_close(env_t *e)
{
    asw_store_free(e->store);
    asw_imports_free(e->imp);
    asw_module_free(e->mod);
}

/* Calls export `fn` with raw-bit arguments typed by the function's signature. */
static int callv(env_t *e, const char *fn, const uint64_t *args, size_t nargs, asw_val_t *res,
                 size_t nres, asw_trap_t **trap)
{
    asw_func_t *f = asw_instance_func(e->inst, fn);
    if (!f) fail_msg("no export %s", fn);
    asw_functype_t ft;
    asw_func_type(f, &ft);
    assert_int_equal(ft.nparams, nargs);
    asw_val_t a[8];
    for (size_t i = 0; i < nargs; i++) {
        a[i].kind = ft.params[i];
        a[i].of.i64 = 0;
        if (ft.params[i] == ASW_I32 || ft.params[i] == ASW_F32)
            a[i].of.i32 = (int32_t)args[i];
        else if (ft.params[i] == ASW_I64 || ft.params[i] == ASW_F64)
            a[i].of.i64 = (int64_t)args[i];
        else
            a[i].of.externref = (void *)(uintptr_t)args[i];
    }
    if (trap) *trap = NULL;
    return asw_func_call(f, a, nargs, res, nres, trap, NULL);
}

static uint64_t bits_of(const asw_val_t *v)
{
    if (v->kind == ASW_I32 || v->kind == ASW_F32) return (uint32_t)v->of.i32;
    if (v->kind == ASW_I64 || v->kind == ASW_F64) return (uint64_t)v->of.i64;
    return (uint64_t)(uintptr_t)v->of.externref;
}

/* One result, or a trap with the given message. */
static uint64_t call1(env_t *e, const char *fn, int n, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t args[3] = {a, b, c};
    asw_val_t r;
    asw_trap_t *trap;
    int rc = callv(e, fn, args, (size_t)n, &r, 1, &trap);
    if (rc) fail_msg("%s: rc %d (%s)", fn, rc, trap ? asw_trap_message(trap) : "");
    return bits_of(&r);
}

static void call0(env_t *e, const char *fn, int n, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t args[3] = {a, b, c};
    asw_trap_t *trap;
    int rc = callv(e, fn, args, (size_t)n, NULL, 0, &trap);
    if (rc) fail_msg("%s: rc %d (%s)", fn, rc, trap ? asw_trap_message(trap) : "");
}

static void traps(env_t *e, const char *fn, int n, uint64_t a, uint64_t b, uint64_t c, size_t nres,
                  const char *msg)
{
    uint64_t args[3] = {a, b, c};
    asw_val_t r[4];
    asw_trap_t *trap;
    int rc = callv(e, fn, args, (size_t)n, r, nres, &trap);
    if (rc != ASW_E_TRAP)
        fail_msg("%s(%llx, %llx): expected trap \"%s\", got rc %d", fn, (unsigned long long)a,
                 (unsigned long long)b, msg, rc);
    assert_non_null(trap);
    if (strcmp(asw_trap_message(trap), msg) != 0)
        fail_msg("%s: trap \"%s\", expected \"%s\"", fn, asw_trap_message(trap), msg);
    asw_trap_free(trap);
}

static uint32_t fb(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static uint64_t db(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

#define I32(x) ((uint64_t)(uint32_t)(int32_t)(x))
#define I64(x) ((uint64_t)(int64_t)(x))

static int setup(void **state)
{
    (void)state;
    return asw_engine_new(NULL, &engine, NULL);
}
static int teardown(void **state)
{
    (void)state;
    asw_engine_free(engine);
    return 0;
}

static void dispatch_mode(void **state)
{
    (void)state;
#if defined(EXPECT_SWITCH) && EXPECT_SWITCH
    assert_null(asw__interp_handlers());
#else
    assert_non_null(asw__interp_handlers());
#endif
}

/* ---- numeric instructions ---- */

#define EQ(fn, n, a, b, want)         assert_int_equal(call1(&e, fn, n, a, b, 0), (want))
#define EQ_ON(env, fn, n, a, b, want) assert_int_equal(call1((env), fn, n, a, b, 0), (want))
#define TRAP2(fn, a, b, msg)          traps(&e, fn, 2, a, b, 0, 1, msg)
#define TRAP1(fn, a, msg)             traps(&e, fn, 1, a, 0, 0, 1, msg)

static void int_ops(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "numeric", NULL);
    EQ("i32.add", 2, I32(0x7FFFFFFF), 1, 0x80000000u);
    EQ("i32.sub", 2, 0, 1, 0xFFFFFFFFu);
    EQ("i32.mul", 2, 0x10000, 0x10000, 0);
    EQ("i32.div_s", 2, I32(-7), 2, I32(-3));
    EQ("i32.div_s", 2, I32(INT32_MIN), 2, I32(-1073741824));
    TRAP2("i32.div_s", I32(INT32_MIN), I32(-1), "integer overflow");
    TRAP2("i32.div_s", 1, 0, "integer divide by zero");
    EQ("i32.div_u", 2, I32(-1), 2, 0x7FFFFFFFu);
    TRAP2("i32.div_u", 1, 0, "integer divide by zero");
    EQ("i32.rem_s", 2, I32(INT32_MIN), I32(-1), 0);
    EQ("i32.rem_s", 2, I32(-7), 2, I32(-1));
    TRAP2("i32.rem_s", 1, 0, "integer divide by zero");
    EQ("i32.rem_u", 2, I32(-1), 10, 5);
    TRAP2("i32.rem_u", 1, 0, "integer divide by zero");
    EQ("i32.shl", 2, 1, 32, 1);
    EQ("i32.shl", 2, 1, 33, 2);
    EQ("i32.shr_s", 2, I32(INT32_MIN), 31, 0xFFFFFFFFu);
    EQ("i32.shr_s", 2, I32(INT32_MIN), 32, 0x80000000u);
    EQ("i32.shr_u", 2, I32(INT32_MIN), 63, 1);
    EQ("i32.rotl", 2, 0x80000001u, 1, 3);
    EQ("i32.rotl", 2, 0x80000001u, 32, 0x80000001u);
    EQ("i32.rotr", 2, 3, 1, 0x80000001u);
    EQ("i32.rotr", 2, 0x12345678, 0, 0x12345678);
    EQ("i32.clz", 1, 0, 0, 32);
    EQ("i32.clz", 1, 1, 0, 31);
    EQ("i32.ctz", 1, 0, 0, 32);
    EQ("i32.ctz", 1, 0x80000000u, 0, 31);
    EQ("i32.popcnt", 1, I32(-1), 0, 32);
    EQ("i32.eqz", 1, 0, 0, 1);
    EQ("i32.lt_s", 2, I32(-1), 0, 1);
    EQ("i32.lt_u", 2, I32(-1), 0, 0);
    EQ("i32.ge_u", 2, I32(-1), 0, 1);
    EQ("i32.le_s", 2, I32(INT32_MIN), I32(INT32_MIN), 1);
    EQ("i32.extend8_s", 1, 0x80, 0, 0xFFFFFF80u);
    EQ("i32.extend8_s", 1, 0x17F, 0, 0x7F);
    EQ("i32.extend16_s", 1, 0x8000, 0, 0xFFFF8000u);
    EQ("i32.wrap_i64", 1, 0x123456789ull, 0, 0x23456789);

    EQ("i64.add", 2, I64(INT64_MAX), 1, (uint64_t)INT64_MIN);
    EQ("i64.mul", 2, 0x100000000ull, 0x100000000ull, 0);
    TRAP2("i64.div_s", I64(INT64_MIN), I64(-1), "integer overflow");
    TRAP2("i64.div_s", 1, 0, "integer divide by zero");
    EQ("i64.div_s", 2, I64(-7), 2, I64(-3));
    EQ("i64.rem_s", 2, I64(INT64_MIN), I64(-1), 0);
    TRAP2("i64.rem_u", 1, 0, "integer divide by zero");
    EQ("i64.div_u", 2, I64(-1), 2, 0x7FFFFFFFFFFFFFFFull);
    EQ("i64.shl", 2, 1, 64, 1);
    EQ("i64.shl", 2, 1, 65, 2);
    EQ("i64.shr_s", 2, I64(INT64_MIN), 63, I64(-1));
    EQ("i64.shr_u", 2, I64(INT64_MIN), 127, 1);
    EQ("i64.rotl", 2, 0x8000000000000001ull, 1, 3);
    EQ("i64.rotr", 2, 1, 65, 0x8000000000000000ull);
    EQ("i64.clz", 1, 0, 0, 64);
    EQ("i64.ctz", 1, 0, 0, 64);
    EQ("i64.popcnt", 1, I64(-1), 0, 64);
    EQ("i64.eqz", 1, 0x100000000ull, 0, 0);
    EQ("i64.lt_s", 2, I64(-1), 0, 1);
    EQ("i64.gt_u", 2, I64(-1), 0, 1);
    EQ("i64.extend_i32_s", 1, 0x80000000u, 0, 0xFFFFFFFF80000000ull);
    EQ("i64.extend_i32_u", 1, 0x80000000u, 0, 0x80000000ull);
    EQ("i64.extend8_s", 1, 0xFF, 0, I64(-1));
    EQ("i64.extend16_s", 1, 0x7FFF, 0, 0x7FFF);
    EQ("i64.extend32_s", 1, 0x80000000ull, 0, 0xFFFFFFFF80000000ull);

    /* immediate forms (constant right operand) and constant-left forms */
    EQ("i32.add_k", 1, I32(-5), 0, 0);
    EQ("i32.sub_k", 1, 0, 0, I32(-7));
    EQ("i32.sub_kl", 1, 10, 0, I32(-3));
    EQ("i32.mul_k", 1, 7, 0, 21);
    EQ("i32.and_k", 1, 0x1234, 0, 0x34);
    EQ("i32.xor_kl", 1, 0, 0, 0xFFFFFFFFu);
    EQ("i32.shl_k", 1, 1, 0, 2);
    EQ("i32.shl_kl", 1, 1, 0, 66);
    EQ("i32.shr_s_k", 1, I32(INT32_MIN), 0, 0xFFFFFFFFu);
    EQ("i32.shr_u_k", 1, 0x80, 0, 8);
    EQ("i32.eq_k", 1, I32(-5), 0, 1);
    EQ("i32.lt_s_k", 1, I32(-2), 0, 1);
    EQ("i32.lt_u_k", 1, I32(-2), 0, 1);
    EQ("i32.lt_u_k", 1, I32(-1), 0, 0);
    EQ("i32.lt_s_kl", 1, 0, 0, 1);  /* -1 < 0 */
    EQ("i32.gt_s_kl", 1, 11, 0, 0); /* 10 > 11 */
    EQ("i32.gt_u_kl", 1, 9, 0, 1);
    EQ("i32.le_s_k", 1, 0, 0, 1);
    EQ("i32.le_u_kl", 1, 0, 0, 1);
    EQ("i32.ge_s_k", 1, I32(-3), 0, 1);
    EQ("i32.ge_u_kl", 1, 5, 0, 1); /* 0xFFFFFFFD >= 5 */
    EQ("i32.ne_kl", 1, 9, 0, 0);
    EQ("i64.add_kfffffffffffffff9", 1, 7, 0, 0);
    EQ("i64.sub_kffffffff80000000", 1, 0, 0, 0x80000000ull);
    EQ("i64.and_kffffffffffffff00", 1, 0x1234, 0, 0x1200);
    EQ("i64.or_k7fffffff", 1, 0x8000000000000000ull, 0, 0x800000007FFFFFFFull);
    EQ("i64.shl_k41", 1, 1, 0, 2);
    EQ("i64.shr_s_k3f", 1, I64(INT64_MIN), 0, I64(-1));
    EQ("i64.shr_u_k40", 1, 5, 0, 5);
    EQ("i64.add_k100000000", 1, 1, 0, 0x100000001ull);
    env_close(&e);
}

static bool is_nan32(uint64_t b)
{
    return (b & 0x7F800000u) == 0x7F800000u && (b & 0x7FFFFFu);
}
static bool is_canon32(uint64_t b)
{
    return (b & 0x7FFFFFFFu) == 0x7FC00000u;
}
static bool is_nan64(uint64_t b)
{
    return (b & 0x7FF0000000000000ull) == 0x7FF0000000000000ull && (b & 0xFFFFFFFFFFFFFull);
}
static bool is_canon64(uint64_t b)
{
    return (b & 0x7FFFFFFFFFFFFFFFull) == 0x7FF8000000000000ull;
}

static void float_ops(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "numeric", NULL);
    const uint64_t nan = 0x7FC00000u, snan = 0x7FA00001u, nnan = 0xFFC00000u;
    const uint64_t dnan = 0x7FF8000000000000ull, dsnan = 0x7FF4000000000001ull;
    EQ("f32.add", 2, fb(1.5f), fb(2.25f), fb(3.75f));
    assert_true(is_canon32(call1(&e, "f32.add", 2, nan, fb(1.0f), 0)));
    assert_true(is_nan32(call1(&e, "f32.mul", 2, snan, fb(1.0f), 0)));
    assert_true(is_canon32(call1(&e, "f32.div", 2, fb(0.0f), fb(0.0f), 0)));
    assert_true(is_canon32(call1(&e, "f32.sqrt", 1, fb(-1.0f), 0, 0)));
    /* min/max: -0 < +0, NaN wins */
    EQ("f32.min", 2, fb(0.0f), fb(-0.0f), 0x80000000u);
    EQ("f32.min", 2, fb(-0.0f), fb(0.0f), 0x80000000u);
    EQ("f32.max", 2, fb(-0.0f), fb(0.0f), 0);
    EQ("f32.max", 2, fb(0.0f), fb(-0.0f), 0);
    assert_true(is_nan32(call1(&e, "f32.min", 2, fb(1.0f), nan, 0)));
    assert_true(is_nan32(call1(&e, "f32.max", 2, nnan, fb(1.0f), 0)));
    assert_true(is_nan64(call1(&e, "f64.min", 2, dnan, db(-1.0), 0)));
    EQ("f64.min", 2, db(0.0), db(-0.0), 0x8000000000000000ull);
    EQ("f64.max", 2, db(-0.0), db(0.0), 0);
    EQ("f64.max", 2, db(-3.0), db(2.0), db(2.0));
    /* bit operations keep NaN payloads */
    EQ("f32.neg", 1, snan, 0, 0xFFA00001u);
    EQ("f32.abs", 1, 0xFFA00001u, 0, snan);
    EQ("f32.copysign", 2, snan, fb(-1.0f), 0xFFA00001u);
    EQ("f64.neg", 1, dsnan, 0, 0xFFF4000000000001ull);
    EQ("f64.abs", 1, 0x8000000000000000ull, 0, 0);
    EQ("f64.copysign", 2, db(2.0), db(-0.0), db(-2.0));
    /* rounding */
    EQ("f32.nearest", 1, fb(2.5f), 0, fb(2.0f));
    EQ("f32.nearest", 1, fb(3.5f), 0, fb(4.0f));
    EQ("f32.nearest", 1, fb(-0.5f), 0, 0x80000000u);
    EQ("f64.nearest", 1, db(-2.5), 0, db(-2.0));
    EQ("f64.nearest", 1, db(0.5), 0, db(0.0));
    EQ("f32.ceil", 1, fb(-0.5f), 0, 0x80000000u);
    EQ("f32.floor", 1, fb(-0.5f), 0, fb(-1.0f));
    EQ("f64.trunc", 1, db(-1.7), 0, db(-1.0));
    EQ("f64.sqrt", 1, db(4.0), 0, db(2.0));
    /* comparisons with NaN */
    EQ("f32.eq", 2, nan, nan, 0);
    EQ("f32.ne", 2, nan, nan, 1);
    EQ("f64.lt", 2, dnan, db(1.0), 0);
    EQ("f64.ge", 2, db(1.0), db(1.0), 1);
    EQ("f32.eq", 2, fb(0.0f), fb(-0.0f), 1);
    /* promote / demote */
    EQ("f64.promote_f32", 1, fb(1.5f), 0, db(1.5));
    assert_true(is_nan64(call1(&e, "f64.promote_f32", 1, snan, 0, 0)));
    assert_true(is_canon64(call1(&e, "f64.promote_f32", 1, nan, 0, 0)));
    EQ("f32.demote_f64", 1, db(1e300), 0, 0x7F800000u);
    assert_true(is_canon32(call1(&e, "f32.demote_f64", 1, dnan, 0, 0)));
    /* int -> float */
    EQ("f32.convert_i32_u", 1, 0xFFFFFFFFu, 0, fb(4294967296.0f));
    EQ("f32.convert_i64_u", 1, 0xFFFFFFFFFFFFFFFFull, 0, fb(18446744073709551616.0f));
    EQ("f32.convert_i64_s", 1, 0x7FFFFF4000000001ull, 0, 0x5EFFFFFFu); /* rounds once */
    EQ("f64.convert_i64_u", 1, 0x8000000000000001ull, 0, db(9223372036854775808.0));
    EQ("f64.convert_i32_s", 1, I32(-1), 0, db(-1.0));
    /* reinterpret is the identity on bits */
    EQ("i32.reinterpret_f32", 1, snan, 0, snan);
    EQ("f64.reinterpret_i64", 1, dsnan, 0, dsnan);
    env_close(&e);
}

static void conversions(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "numeric", NULL);
    const char *ov = "integer overflow", *inv = "invalid conversion to integer";
    /* i32.trunc_f32_s: [-2^31, 2^31) */
    EQ("i32.trunc_f32_s", 1, fb(-2147483648.0f), 0, 0x80000000u);
    TRAP1("i32.trunc_f32_s", fb(2147483648.0f), ov);
    EQ("i32.trunc_f32_s", 1, fb(2147483520.0f), 0, 2147483520u);
    TRAP1("i32.trunc_f32_s", fb(-2147483904.0f), ov);
    TRAP1("i32.trunc_f32_s", 0x7FC00000u, inv);
    EQ("i32.trunc_f32_s", 1, fb(-0.9f), 0, 0);
    /* i32.trunc_f32_u: (-1, 2^32) */
    EQ("i32.trunc_f32_u", 1, fb(-0.9f), 0, 0);
    TRAP1("i32.trunc_f32_u", fb(-1.0f), ov);
    EQ("i32.trunc_f32_u", 1, fb(4294967040.0f), 0, 4294967040u);
    TRAP1("i32.trunc_f32_u", fb(4294967296.0f), ov);
    /* f64 sources: exact boundaries */
    EQ("i32.trunc_f64_s", 1, db(-2147483648.9), 0, 0x80000000u);
    TRAP1("i32.trunc_f64_s", db(-2147483649.0), ov);
    EQ("i32.trunc_f64_s", 1, db(2147483647.9), 0, 0x7FFFFFFFu);
    TRAP1("i32.trunc_f64_s", db(2147483648.0), ov);
    EQ("i32.trunc_f64_u", 1, db(4294967295.9), 0, 0xFFFFFFFFu);
    TRAP1("i32.trunc_f64_u", db(4294967296.0), ov);
    EQ("i32.trunc_f64_u", 1, db(-0.99), 0, 0);
    TRAP1("i32.trunc_f64_u", db(-1.0), ov);
    TRAP1("i32.trunc_f64_u", 0x7FF8000000000000ull, inv);
    EQ("i64.trunc_f64_s", 1, db(-9223372036854775808.0), 0, (uint64_t)INT64_MIN);
    TRAP1("i64.trunc_f64_s", db(9223372036854775808.0), ov);
    EQ("i64.trunc_f64_s", 1, db(9223372036854774784.0), 0, 9223372036854774784ull);
    EQ("i64.trunc_f64_u", 1, db(18446744073709549568.0), 0, 18446744073709549568ull);
    TRAP1("i64.trunc_f64_u", db(18446744073709551616.0), ov);
    TRAP1("i64.trunc_f64_u", db(-1.0), ov);
    EQ("i64.trunc_f32_s", 1, fb(-9223372036854775808.0f), 0, (uint64_t)INT64_MIN);
    TRAP1("i64.trunc_f32_s", fb(9223372036854775808.0f), ov);
    TRAP1("i64.trunc_f32_u", fb(18446744073709551616.0f), ov);
    TRAP1("i64.trunc_f32_u", 0xFFC00000u, inv);
    /* saturating */
    EQ("i32.trunc_sat_f32_s", 1, 0x7FC00000u, 0, 0);
    EQ("i32.trunc_sat_f32_s", 1, fb(3e9f), 0, 0x7FFFFFFFu);
    EQ("i32.trunc_sat_f32_s", 1, fb(-3e9f), 0, 0x80000000u);
    EQ("i32.trunc_sat_f32_u", 1, fb(-5.0f), 0, 0);
    EQ("i32.trunc_sat_f32_u", 1, fb(5e9f), 0, 0xFFFFFFFFu);
    EQ("i32.trunc_sat_f64_s", 1, db(-2147483648.5), 0, 0x80000000u);
    EQ("i32.trunc_sat_f64_u", 1, db(4294967295.5), 0, 0xFFFFFFFFu);
    EQ("i64.trunc_sat_f64_s", 1, db(1e19), 0, (uint64_t)INT64_MAX);
    EQ("i64.trunc_sat_f64_s", 1, db(-1e19), 0, (uint64_t)INT64_MIN);
    EQ("i64.trunc_sat_f64_u", 1, db(1e20), 0, UINT64_MAX);
    EQ("i64.trunc_sat_f32_u", 1, fb(-0.5f), 0, 0);
    EQ("i64.trunc_sat_f32_s", 1, 0xFFC00000u, 0, 0);
    env_close(&e);
}

/* ---- control flow, calls, multi-value ---- */

static void control_flow(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    EQ("fib", 1, 20, 0, 6765);
    EQ("sum", 1, 100, 0, 4950);
    EQ("sum", 1, 0, 0, 0);
    EQ("sum64", 1, 10, 0, 55);
    for (int i = 0; i < 6; i++)
        EQ("br_table", 1, (uint64_t)i, 0, (uint64_t)(100 + (i < 3 ? i : 3)));
    EQ("br_table", 1, I32(-1), 0, 103);
    EQ("br_table_val", 1, 0, 0, 8);
    EQ("br_table_val", 1, 1, 0, 7);
    EQ("br_table_val", 1, 5, 0, 7);
    assert_int_equal(call1(&e, "select", 3, 1, 2, 1), 1);
    assert_int_equal(call1(&e, "select", 3, 1, 2, 0), 2);
    EQ("select_ref", 1, 1, 0, 1);
    EQ("select_ref", 1, 0, 0, 0);
    EQ("tee", 1, 2, 0, 25);
    EQ("pending", 1, 10, 0, 11);
    EQ("pending_block", 1, 10, 0, 15);
    EQ("pending_tee", 1, 10, 0, I32(-9));
    EQ("br_if_val", 2, 5, 1, 5);
    EQ("br_if_val", 2, 5, 0, 99);
    EQ("br_if_const", 1, 1, 0, 42);
    EQ("br_if_const", 1, 0, 0, 99);
    EQ("if_fused", 2, I32(-1), 0, 1);
    EQ("if_fused", 2, 0, 0, 0);
    EQ("if_fused_k", 1, 10, 0, 1);
    EQ("if_fused_k", 1, 9, 0, 0);
    EQ("eqz_if", 1, 0, 0, 10);
    EQ("eqz_if", 1, 3, 0, 20);
    EQ("eqz_brif", 1, 0, 0, 2);
    EQ("eqz_brif", 1, 3, 0, 1);
    EQ("if_noelse", 1, 0, 0, 3);
    EQ("if_noelse", 1, 1, 0, 4);
    EQ("dead_code", 1, 7, 0, 7);
    EQ("nested_loops", 1, 5, 0, 25);
    EQ("mv_call", 2, 10, 3, I32(-7));
    EQ("mv_loop", 1, 5, 0, 0);
    EQ("mv_if", 2, 3, 1, 13);
    EQ("mv_if", 2, 1, 0, I32(-19));
    EQ("gincr", 0, 0, 0, 11);
    EQ("gincr", 0, 0, 0, 12);
    EQ("g64", 0, 0, 0, UINT64_MAX);

    asw_val_t r[3];
    uint64_t a2[2] = {1, 2};
    assert_int_equal(callv(&e, "swap", a2, 2, r, 2, NULL), ASW_OK);
    assert_int_equal(r[0].of.i32, 2);
    assert_int_equal(r[1].of.i32, 1);
    assert_int_equal(callv(&e, "ret_swap", a2, 2, r, 2, NULL), ASW_OK);
    assert_int_equal(r[0].of.i32, 2);
    assert_int_equal(r[1].of.i32, 1);
    uint64_t a1 = 3;
    assert_int_equal(callv(&e, "mv_block", &a1, 1, r, 2, NULL), ASW_OK);
    assert_int_equal(r[0].of.i32, 3);
    assert_int_equal(r[1].of.i64, 5);
    a1 = 0;
    assert_int_equal(callv(&e, "mv_block", &a1, 1, r, 2, NULL), ASW_OK);
    assert_int_equal(r[0].of.i32, -1);
    assert_int_equal(r[1].of.i64, -1);
    a1 = 4;
    assert_int_equal(callv(&e, "ret_multi", &a1, 1, r, 3, NULL), ASW_OK);
    assert_int_equal(r[0].of.i32, 4);
    assert_int_equal(r[1].of.i32, 5);
    assert_int_equal(r[2].of.i32, 6);
    a1 = 0;
    assert_int_equal(callv(&e, "ret_multi", &a1, 1, r, 3, NULL), ASW_OK);
    assert_int_equal(r[0].of.i32, 7);
    assert_int_equal(r[2].of.i32, 9);
    a1 = 0;
    assert_int_equal(callv(&e, "br_table_ret", &a1, 1, r, 2, NULL), ASW_OK);
    assert_int_equal(r[0].of.i32, 1);
    assert_int_equal(r[1].of.i32, 12);
    a1 = 1;
    assert_int_equal(callv(&e, "br_table_ret", &a1, 1, r, 2, NULL), ASW_OK);
    assert_int_equal(r[0].of.i32, 1);
    assert_int_equal(r[1].of.i32, 2);
    env_close(&e);
}

static void host_calls(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    EQ("call_host", 2, 40, 2, 42);
    traps(&e, "call_host", 2, I32(-2), 9, 0, 1, "host says no (9)");
    uint64_t a2[2] = {I32(-1), 0};
    asw_val_t r[2];
    assert_int_equal(callv(&e, "call_host", a2, 2, r, 1, NULL), ASW_E_EXIT);
    assert_int_equal(asw_store_exit_code(e.store), 7);
    EQ("fib", 1, 10, 0, 55); /* the store is still usable */
    assert_int_equal(callv(&e, "call_many", NULL, 0, r, 2, NULL), ASW_OK);
    assert_true(r[0].of.f64 == 10.75);
    assert_int_equal(r[1].of.i32, 42);
    /* host -> wasm re-entry */
    reenter_mode = REENTER_FIB;
    EQ("reenter", 1, 10, 0, 1056);
    /* suspending in a nested activation traps; the outer call reports it */
    reenter_mode = REENTER_SUSPEND;
    traps(&e, "reenter", 1, 1, 0, 0, 1,
          "nested: cannot suspend: the call is nested inside a host function call");
    assert_int_equal(asw_store_suspended(e.store), ASW_SUSPEND_NONE);
    reenter_mode = REENTER_FIB;
    EQ("reenter", 1, 1, 0, 1002);
    env_close(&e);
}

/* ---- memory ---- */

static void memory_ops(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    const char *oob = "out of bounds memory access";
    call0(&e, "store32", 2, 65532, 0xDEADBEEF, 0);
    EQ("load32", 1, 65532, 0, 0xDEADBEEF);
    TRAP1("load32", 65533, oob);
    TRAP1("load32", I32(-1), oob);
    EQ("load_off", 1, 65528, 0, 0xDEADBEEF);
    TRAP1("load_off", 65529, oob);
    TRAP1("load_big_off", 0x10, oob); /* 0x10 + 0xFFFFFFF0 = 2^32: must not wrap */
    traps(&e, "store32", 2, 65533, 1, 0, 0, oob);
    EQ("load32", 1, 65532, 0, 0xDEADBEEF); /* the failed store wrote nothing */
    call0(&e, "store8", 2, 65535, 0x1FF, 0);
    EQ("load8_s", 1, 65535, 0, 0xFFFFFFFFu);
    EQ("load16_u", 1, 65534, 0, 0xFFAD);
    TRAP1("load16_u", 65535, oob);
    traps(&e, "store8", 2, 65536, 0, 0, 0, oob);
    EQ("load64", 1, 100, 0, 0x0807060504030201ull);
    EQ("load32_s64", 1, 65532, 0, 0xFFFFFFFFFFADBEEFull);
    call0(&e, "store64", 2, 65527, 0x1122334455667788ull, 0);
    EQ("load64", 1, 65528, 0, 0x1122334455667788ull);
    traps(&e, "store64", 2, 65528, 1, 0, 0, oob);
    call0(&e, "storef64", 2, 8, db(1.5), 0);
    EQ("loadf32", 1, 12, 0, 0x3FF80000u);
    /* memory.grow: -1 on failure, never a trap */
    EQ("size", 0, 0, 0, 1);
    EQ("grow", 1, 1, 0, 1);
    EQ("size", 0, 0, 0, 2);
    EQ("load32", 1, 65536 * 2 - 4, 0, 0);
    TRAP1("load32", 65536 * 2 - 3, oob);
    EQ("grow", 1, 3, 0, 0xFFFFFFFFu); /* max 4 pages */
    EQ("grow", 1, 2, 0, 2);
    EQ("size", 0, 0, 0, 4);
    EQ("grow", 1, 0, 0, 4);
    EQ("load32", 1, 65532, 0, 0x11223344); /* contents survive the move */
    env_close(&e);

    /* the store's page limit makes grow return -1 */
    asw_store_limits_t lim = {0};
    lim.max_memory_pages = 2;
    env_open(&e, "control", &lim);
    EQ("grow", 1, 1, 0, 1);
    EQ("grow", 1, 1, 0, 0xFFFFFFFFu);
    env_close(&e);
}

static void bulk_memory(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    const char *oob = "out of bounds memory access";
    uint8_t *mem = asw_memory_data(asw_instance_memory(e.inst, "memory"));
    call0(&e, "fill", 3, 0, 0xAB, 65536);
    assert_int_equal(mem[0], 0xAB);
    assert_int_equal(mem[65535], 0xAB);
    traps(&e, "fill", 3, 1, 0, 65536, 0, oob);
    assert_int_equal(mem[1], 0xAB);    /* checked before any write */
    call0(&e, "fill", 3, 65536, 0, 0); /* zero length at the end: fine */
    traps(&e, "fill", 3, 65537, 0, 0, 0, oob);
    call0(&e, "fill", 3, 10, 0x11, 4);
    call0(&e, "copy", 3, 12, 10, 4); /* overlapping */
    assert_int_equal(mem[15], 0x11);
    assert_int_equal(mem[16], 0xAB);
    traps(&e, "copy", 3, 65533, 0, 4, 0, oob);
    traps(&e, "copy", 3, 0, 65533, 4, 0, oob);
    assert_int_equal(mem[65533], 0xAB);
    call0(&e, "copy", 3, 65536, 65536, 0);
    call0(&e, "init", 3, 0, 0, 5);
    assert_memory_equal(mem, "hello", 5);
    call0(&e, "init", 3, 65531, 0, 5);
    traps(&e, "init", 3, 65532, 0, 5, 0, oob);
    traps(&e, "init", 3, 0, 1, 5, 0, oob);
    call0(&e, "init", 3, 0, 5, 0);
    traps(&e, "init", 3, 0, 6, 0, 0, oob);
    call0(&e, "ddrop", 0, 0, 0, 0);
    call0(&e, "init", 3, 0, 0, 0);
    traps(&e, "init", 3, 0, 0, 1, 0, oob);
    env_close(&e);
}

/* ---- tables and references ---- */

static void tables(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    const char *toob = "out of bounds table access";
    EQ("tnull", 1, 2, 0, 1);
    EQ("tnull", 1, 0, 0, 0);
    TRAP1("tnull", 4, toob);
    EQ("call_ind", 2, 0, 21, 42);
    EQ("call_ind", 2, 1, 10, 55);
    traps(&e, "call_ind", 2, 2, 1, 0, 1, "uninitialized element");
    traps(&e, "call_ind", 2, 4, 1, 0, 1, "undefined element");
    traps(&e, "call_ind_wrong", 1, 0, 0, 0, 1, "indirect call type mismatch");
    call0(&e, "tset_neg", 1, 2, 0, 0);
    EQ("call_ind", 2, 2, 5, I32(-5));
    EQ("tsize", 0, 0, 0, 4);
    EQ("tgrow", 1, 2, 0, 4);
    EQ("tsize", 0, 0, 0, 6);
    traps(&e, "call_ind", 2, 5, 1, 0, 1, "uninitialized element");
    call0(&e, "tfill", 2, 4, 2, 0);
    EQ("call_ind", 2, 5, 3, 6);
    traps(&e, "tfill", 2, 5, 2, 0, 0, toob);
    call0(&e, "tfill", 2, 6, 0, 0);
    call0(&e, "tcopy", 3, 0, 1, 1);
    EQ("call_ind", 2, 0, 6, 8); /* fib(6) */
    traps(&e, "tcopy", 3, 5, 0, 2, 0, toob);
    call0(&e, "tinit", 3, 0, 0, 2);
    EQ("call_ind", 2, 1, 7, I32(-7));
    traps(&e, "tinit", 3, 0, 1, 2, 0, toob);
    call0(&e, "edrop", 0, 0, 0, 0);
    call0(&e, "tinit", 3, 0, 0, 0);
    traps(&e, "tinit", 3, 0, 0, 1, 0, toob);
    static int host_obj;
    call0(&e, "ext_set", 2, 1, (uint64_t)(uintptr_t)&host_obj, 0);
    assert_true(call1(&e, "ext_get", 1, 1, 0, 0) == (uint64_t)(uintptr_t)&host_obj);
    assert_true(call1(&e, "ext_get", 1, 0, 0, 0) == 0);
    env_close(&e);
}

/* ---- traps, backtraces, depth ---- */

static void traps_and_backtraces(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    uint64_t a = 1;
    asw_val_t r;
    asw_trap_t *trap;
    assert_int_equal(callv(&e, "trap_chain", &a, 1, &r, 1, &trap), ASW_E_TRAP);
    assert_int_equal(asw_trap_kind(trap), ASW_TRAP_DIV_ZERO);
    assert_string_equal(asw_trap_message(trap), "integer divide by zero");
    assert_int_equal(asw_trap_frame_count(trap), 3);
    asw_frame_info_t f0, f1, f2;
    assert_int_equal(asw_trap_frame(trap, 0, &f0), ASW_OK);
    assert_int_equal(asw_trap_frame(trap, 1, &f1), ASW_OK);
    assert_int_equal(asw_trap_frame(trap, 2, &f2), ASW_OK);
    /* innermost first: $t3 is defined before $t2 before trap_chain */
    assert_true(f0.func_index + 1 == f1.func_index && f1.func_index + 1 == f2.func_index);
    assert_non_null(f0.func_name);
    assert_string_equal(f0.func_name, "t3");
    assert_true(f0.code_offset > f1.code_offset - 100);
    assert_true(f0.code_offset != 0 && f1.code_offset != 0);
    asw_trap_free(trap);
    traps(&e, "unreachable", 0, 0, 0, 0, 0, "unreachable");
    EQ("fib", 1, 5, 0, 5);
    env_close(&e);
}

static void call_depth(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    traps(&e, "recurse", 1, 0, 0, 0, 1, "call stack exhausted");
    EQ("fib", 1, 15, 0, 610); /* the host survives and the store stays usable */
    env_close(&e);
    asw_store_limits_t lim = {0};
    lim.max_call_depth = 50;
    env_open(&e, "control", &lim);
    EQ("fib", 1, 20, 0, 6765); /* depth ~21 */
    traps(&e, "recurse", 1, 0, 0, 0, 1, "call stack exhausted");
    env_close(&e);
    lim.max_call_depth = 0;
    lim.max_stack_bytes = 64 * 1024;
    env_open(&e, "control", &lim);
    traps(&e, "recurse", 1, 0, 0, 0, 1, "call stack exhausted");
    EQ("sum", 1, 10, 0, 45);
    env_close(&e);
}

/* ---- fuel, interrupts, suspension ---- */

static void fuel(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    assert_true(asw_store_fuel(e.store) == UINT64_MAX);
    asw_store_set_fuel(e.store, 10000);
    traps(&e, "loop_forever", 0, 0, 0, 0, 0, "out of fuel");
    assert_true(asw_store_fuel(e.store) < 10000);
    asw_store_set_fuel(e.store, 100000);
    EQ("sum", 1, 100, 0, 4950);
    uint64_t left = asw_store_fuel(e.store);
    assert_true(left < 100000 - 100 * 5 && left > 100000 - 100 * 20);
    /* suspend mode: the call stops, more fuel, resume until done */
    asw_store_set_fuel_mode(e.store, ASW_FUEL_SUSPEND);
    asw_store_set_fuel(e.store, 50);
    uint64_t arg = 20000;
    asw_val_t r;
    int rc = callv(&e, "sum", &arg, 1, &r, 1, NULL);
    int suspensions = 0;
    while (rc == ASW_E_SUSPENDED) {
        assert_int_equal(asw_store_suspended(e.store), ASW_SUSPEND_FUEL);
        /* while suspended, other calls are refused */
        asw_val_t r2;
        assert_int_equal(callv(&e, "fib", &arg, 1, &r2, 1, NULL), ASW_E_STATE);
        suspensions++;
        asw_store_add_fuel(e.store, 10000);
        rc = asw_store_resume(e.store, NULL, 0, &r, 1, NULL, NULL);
    }
    assert_int_equal(rc, ASW_OK);
    assert_true(suspensions > 5);
    assert_int_equal(r.of.i32, 199990000);
    /* abandon a suspended call */
    asw_store_set_fuel(e.store, 10);
    assert_int_equal(callv(&e, "loop_forever", NULL, 0, NULL, 0, NULL), ASW_E_SUSPENDED);
    asw_store_abandon(e.store);
    assert_int_equal(asw_store_suspended(e.store), ASW_SUSPEND_NONE);
    asw_store_set_fuel(e.store, 1000000);
    EQ("fib", 1, 10, 0, 55);
    env_close(&e);
}

static void host_suspend(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    uint64_t arg = 7;
    asw_val_t r;
    assert_int_equal(callv(&e, "call_susp", &arg, 1, &r, 1, NULL), ASW_E_SUSPENDED);
    assert_int_equal(asw_store_suspended(e.store), ASW_SUSPEND_HOST);
    asw_val_t bad = asw_val_i64(1), good = asw_val_i32(30);
    assert_int_equal(asw_store_resume(e.store, &bad, 1, &r, 1, NULL, NULL), ASW_E_INVALID);
    assert_int_equal(asw_store_resume(e.store, NULL, 0, &r, 1, NULL, NULL), ASW_E_INVALID);
    assert_int_equal(asw_store_suspended(e.store), ASW_SUSPEND_HOST);
    assert_int_equal(asw_store_resume(e.store, &good, 1, &r, 1, NULL, NULL), ASW_OK);
    assert_int_equal(r.of.i32, 35);
    assert_int_equal(asw_store_resume(e.store, NULL, 0, &r, 1, NULL, NULL), ASW_E_STATE);
    env_close(&e);
}

typedef struct interrupter {
    asw_store_t *store;
    asw_interrupt_t kind;
} interrupter_t;

static void *interrupt_later(void *p)
{
    interrupter_t *it = p;
    struct timespec ts = {0, 30 * 1000 * 1000};
    nanosleep(&ts, NULL);
    asw_store_interrupt(it->store, it->kind);
    return NULL;
}

static void interrupts(void **state)
{
    (void)state;
    env_t e;
    env_open(&e, "control", NULL);
    pthread_t th;
    interrupter_t it = {e.store, ASW_INTERRUPT_KILL};
    assert_int_equal(pthread_create(&th, NULL, interrupt_later, &it), 0);
    traps(&e, "loop_forever", 0, 0, 0, 0, 0, "interrupted");
    pthread_join(th, NULL);
    EQ("fib", 1, 10, 0, 55);
    it.kind = ASW_INTERRUPT_SUSPEND;
    assert_int_equal(pthread_create(&th, NULL, interrupt_later, &it), 0);
    assert_int_equal(callv(&e, "loop_forever", NULL, 0, NULL, 0, NULL), ASW_E_SUSPENDED);
    pthread_join(th, NULL);
    assert_int_equal(asw_store_suspended(e.store), ASW_SUSPEND_INTERRUPT);
    it.kind = ASW_INTERRUPT_KILL;
    assert_int_equal(pthread_create(&th, NULL, interrupt_later, &it), 0);
    asw_trap_t *trap = NULL;
    assert_int_equal(asw_store_resume(e.store, NULL, 0, NULL, 0, &trap, NULL), ASW_E_TRAP);
    assert_string_equal(asw_trap_message(trap), "interrupted");
    asw_trap_free(trap);
    pthread_join(th, NULL);
    /* an interrupt raised while nothing runs takes effect at the next call */
    asw_store_interrupt(e.store, ASW_INTERRUPT_KILL);
    traps(&e, "sum", 1, 10, 0, 0, 1, "interrupted");
    EQ("sum", 1, 10, 0, 45);
    env_close(&e);
}

/* Allocation failure at every step of a call through a fresh store: no crash, no leak. */
/* The exec stacks belong to a store only during a call: idle stores hold none, a reused spare
 * honours the next store's limits, a suspended call keeps its own, another thread's calls use
 * that thread's, and a thread's spare is freed when it exits. */
static void *call_on_thread(void *p)
{
    env_t *e = p;
    asw_val_t a = asw_val_i32(15), r = {0};
    int rc = asw_func_call(asw_instance_func(e->inst, "fib"), &a, 1, &r, 1, NULL, NULL);
    return (void *)(intptr_t)(rc == ASW_OK && r.of.i32 == 610);
}

static void exec_state_reuse(void **state)
{
    (void)state;
    asw_test_alloc_install(0, 0);
    enum { N = 32 };
    env_t es[N];
    for (int i = 0; i < N; i++)
        env_open(&es[i], "control", NULL);
    size_t before = asw_test_alloc_live_bytes();
    for (int i = 0; i < N; i++)
        EQ_ON(&es[i], "fib", 1, 10, 0, 55);
    /* One spare for this thread, not a value stack (4 KiB) per store. */
    size_t grown = asw_test_alloc_live_bytes() - before;
    if (grown > 8192) fail_msg("%d idle stores kept %zu bytes of exec state", N, grown);

    /* A spare grown deep by one store, then a store with a 64 KiB stack: its limit holds. */
    EQ_ON(&es[0], "sum", 1, 10, 0, 45);
    traps(&es[0], "recurse", 1, 0, 0, 0, 1, "call stack exhausted"); /* grows to 8 MiB: freed */
    asw_store_limits_t lim = {0};
    lim.max_stack_bytes = 64 * 1024;
    env_t small;
    env_open(&small, "control", &lim);
    traps(&small, "recurse", 1, 0, 0, 0, 1, "call stack exhausted");
    lim.max_stack_bytes = 0;
    lim.max_call_depth = 50;
    env_t shallow;
    env_open(&shallow, "control", &lim);
    EQ_ON(&es[1], "fib", 1, 18, 0, 2584); /* leaves a spare with frames_cap > 50 ... */
    EQ_ON(&shallow, "fib", 1, 20, 0, 6765);
    traps(&shallow, "recurse", 1, 0, 0, 0, 1, "call stack exhausted"); /* ... capped at 50 */

    /* A suspended call keeps its stacks while other stores run on this thread. */
    uint64_t arg = 7;
    asw_val_t r;
    assert_int_equal(callv(&es[2], "call_susp", &arg, 1, &r, 1, NULL), ASW_E_SUSPENDED);
    for (int i = 3; i < N; i++)
        EQ_ON(&es[i], "fib", 1, 12, 0, 144);
    asw_val_t good = asw_val_i32(30);
    assert_int_equal(asw_store_resume(es[2].store, &good, 1, &r, 1, NULL, NULL), ASW_OK);
    assert_int_equal(r.of.i32, 35);

    /* Another thread: its spare is freed when it exits (checked by the live count below). */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, call_on_thread, &es[3]), 0);
    void *ok = NULL;
    assert_int_equal(pthread_join(t, &ok), 0);
    assert_true(ok != NULL);

    for (int i = 0; i < N; i++)
        env_close(&es[i]);
    env_close(&small);
    env_close(&shallow);
    asw_thread_cache_free();
    assert_int_equal(asw_test_alloc_live_bytes(), 0);
    assert_int_equal(asw_test_alloc_uninstall(), 0);

    /* A spare made by an allocator that has since been replaced is freed with that allocator,
     * never reused. */
    env_t e;
    env_open(&e, "control", NULL);
    asw_test_alloc_install(0, 0);
    EQ_ON(&e, "fib", 1, 10, 0, 55); /* the spare now comes from the test allocator */
    assert_true(asw_test_alloc_live_bytes() > 0);
    asw_set_allocator(NULL);
    EQ_ON(&e, "fib", 1, 11, 0, 89); /* drops it (test allocator's free), makes a new one */
    assert_int_equal(asw_test_alloc_live_bytes(), 0);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
    env_close(&e);
}

static void alloc_failures(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = asw_test_read_file(asw_test_bin_path("tests/wasm/exec/control.wasm"), &len);
    assert_non_null(bytes);
    for (unsigned long n = 1; n < 400; n++) {
        asw_test_alloc_install(n, 0);
        asw_module_t *m = NULL;
        asw_store_t *s = NULL;
        asw_imports_t *imp = NULL;
        asw_instance_t *inst = NULL;
        asw_trap_t *trap = NULL;
        bool done = false;
        if (asw_module_compile(engine, bytes, len, &m, NULL)) goto next;
        if (asw_store_new(engine, NULL, &s, NULL)) goto next;
        if (asw_imports_new(&imp, NULL)) goto next;
        static const uint8_t ii[] = {ASW_I32, ASW_I32}, i1[] = {ASW_I32};
        static const uint8_t many_p[] = {ASW_I32, ASW_I64, ASW_F32, ASW_F64};
        static const uint8_t many_r[] = {ASW_F64, ASW_I32};
        asw_functype_t t2 = {2, 1, ii, i1}, t1 = {1, 1, i1, i1}, tm = {4, 2, many_p, many_r};
        if (asw_imports_define_func(imp, "host", "add", &t2, h_add, NULL, NULL) ||
            asw_imports_define_func(imp, "host", "suspend", &t1, h_suspend, NULL, NULL) ||
            asw_imports_define_func(imp, "host", "reenter", &t1, h_reenter, NULL, NULL) ||
            asw_imports_define_func(imp, "host", "many", &tm, h_many, NULL, NULL))
            goto next;
        if (asw_instance_new(s, m, imp, &inst, &trap, NULL)) goto next;
        asw_val_t a = asw_val_i32(12), r;
        int rc = asw_func_call(asw_instance_func(inst, "fib"), &a, 1, &r, 1, &trap, NULL);
        if (rc == ASW_OK) {
            assert_int_equal(r.of.i32, 144);
            done = true;
        }
    next:
        if (trap) asw_trap_free(trap);
        asw_store_free(s);
        asw_imports_free(imp);
        asw_module_free(m);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (done) break;
    }
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dispatch_mode),  cmocka_unit_test(int_ops),
        cmocka_unit_test(float_ops),      cmocka_unit_test(conversions),
        cmocka_unit_test(control_flow),   cmocka_unit_test(host_calls),
        cmocka_unit_test(memory_ops),     cmocka_unit_test(bulk_memory),
        cmocka_unit_test(tables),         cmocka_unit_test(traps_and_backtraces),
        cmocka_unit_test(call_depth),     cmocka_unit_test(fuel),
        cmocka_unit_test(host_suspend),   cmocka_unit_test(interrupts),
        cmocka_unit_test(alloc_failures), cmocka_unit_test(exec_state_reuse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
