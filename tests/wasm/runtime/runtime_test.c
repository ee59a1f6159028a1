/*
 * tests/wasm/runtime_test.c -- the engine's runtime objects through the public API: memories,
 * tables and globals at their limits (the last element in bounds and the first out), import
 * sets, type interning, traps as values, store fuel / interrupt / deadline bookkeeping, and
 * instantiation: linking errors, segments at the boundary and one past it, start functions,
 * store limits, and allocation failure at every step without leaks.
 */
#include "testlib.h"

#include "airssys/wasm.h"
#include "wasm/runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static asw_engine_t *engine;

static int dummy_host(asw_caller_t *c, void *ud, const asw_val_t *a, size_t na, asw_val_t *r,
                      size_t nr)
{
    (void)c, (void)ud, (void)a, (void)na;
    for (size_t i = 0; i < nr; i++)
        r[i] = asw_val_i32(0);
    return ASW_OK;
}

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

static asw_module_t *load(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/wasm/runtime/%s.wasm", name);
    size_t len;
    uint8_t *bytes = asw_test_read_file(asw_test_bin_path(rel), &len);
    assert_non_null(bytes);
    asw_module_t *m = NULL;
    asw_error_t err;
    int rc = asw_module_compile(engine, bytes, len, &m, &err);
    if (rc) fail_msg("compile %s: %s", name, asw_error_message(&err));
    free(bytes);
    return m;
}

static void memory_limits(void **state)
{
    (void)state;
    asw_store_limits_t lim = {0};
    lim.max_memory_pages = 3;
    asw_store_t *s;
    assert_int_equal(asw_store_new(engine, &lim, &s, NULL), ASW_OK);
    asw_memory_t *m;
    asw_limits_type_t lt = {1, 2, true};
    assert_int_equal(asw_memory_new(s, &lt, &m, NULL), ASW_OK);
    assert_int_equal(asw_memory_pages(m), 1);
    assert_int_equal(asw_memory_size(m), 65536);
    uint8_t *d = asw_memory_data(m);
    assert_int_equal(d[0] | d[65535], 0);
    d[65535] = 7; /* the last byte in bounds */
    uint32_t old;
    assert_int_equal(asw_memory_grow(m, 1, &old), ASW_OK); /* to the declared max */
    assert_int_equal(old, 1);
    d = asw_memory_data(m);
    assert_int_equal(d[65535], 7);
    assert_int_equal(d[65536], 0);                              /* new pages read zero */
    assert_int_equal(asw_memory_grow(m, 1, &old), ASW_E_LIMIT); /* one over the max */
    assert_int_equal(asw_memory_pages(m), 2);

    /* No declared max: the store limit applies. */
    asw_memory_t *m2;
    asw_limits_type_t lt2 = {0, 0, false};
    assert_int_equal(asw_memory_new(s, &lt2, &m2, NULL), ASW_OK);
    assert_non_null(asw_memory_data(m2));
    assert_int_equal(asw_memory_grow(m2, 3, &old), ASW_OK);
    assert_int_equal(asw_memory_grow(m2, 1, &old), ASW_E_LIMIT);
    assert_int_equal(asw_memory_grow(m2, 0, &old), ASW_OK);
    assert_int_equal(old, 3);

    /* A minimum beyond the limit is refused with a clear error. */
    asw_limits_type_t big = {4, 0, false};
    asw_error_t err;
    assert_int_equal(asw_memory_new(s, &big, &m2, &err), ASW_E_LIMIT);
    assert_non_null(strstr(err.msg, "exceeds the limit"));
    asw_limits_type_t bad = {3, 2, true};
    assert_int_equal(asw_memory_new(s, &bad, &m2, NULL), ASW_E_INVALID);
    asw_store_free(s);
}

static void table_limits_and_types(void **state)
{
    (void)state;
    asw_store_t *s, *other;
    assert_int_equal(asw_store_new(engine, NULL, &s, NULL), ASW_OK);
    assert_int_equal(asw_store_new(engine, NULL, &other, NULL), ASW_OK);
    asw_table_t *t;
    asw_limits_type_t lt = {2, 3, true};
    assert_int_equal(asw_table_new(s, ASW_EXTERNREF, &lt, NULL, &t, NULL), ASW_OK);
    asw_val_t v = {.kind = ASW_EXTERNREF, .of.externref = &v};
    assert_int_equal(asw_table_set(t, 1, &v), ASW_OK);        /* last in bounds */
    assert_int_equal(asw_table_set(t, 2, &v), ASW_E_INVALID); /* first out */
    asw_val_t got;
    assert_int_equal(asw_table_get(t, 1, &got), ASW_OK);
    assert_ptr_equal(got.of.externref, &v);
    assert_int_equal(asw_table_get(t, 0, &got), ASW_OK);
    assert_null(got.of.externref);
    assert_int_equal(asw_table_get(t, 2, &got), ASW_E_INVALID);
    asw_val_t wrong = asw_val_i32(1);
    assert_int_equal(asw_table_set(t, 0, &wrong), ASW_E_INVALID);
    uint32_t old;
    assert_int_equal(asw_table_grow(t, 1, &v, &old), ASW_OK);
    assert_int_equal(old, 2);
    assert_int_equal(asw_table_size(t), 3);
    assert_int_equal(asw_table_get(t, 2, &got), ASW_OK);
    assert_ptr_equal(got.of.externref, &v);
    assert_int_equal(asw_table_grow(t, 1, NULL, &old), ASW_E_LIMIT);

    /* A funcref from another store is refused. */
    asw_table_t *ft;
    assert_int_equal(asw_table_new(s, ASW_FUNCREF, &lt, NULL, &ft, NULL), ASW_OK);
    asw_functype_t ty = {0, 0, NULL, NULL};
    asw_func_t *f;
    assert_int_equal(asw_func_new_host(other, &ty, dummy_host, NULL, NULL, &f, NULL), ASW_OK);
    asw_val_t fv = {.kind = ASW_FUNCREF, .of.funcref = f};
    assert_int_equal(asw_table_set(ft, 0, &fv), ASW_E_INVALID);
    asw_store_free(s);
    asw_store_free(other);
}

static void globals(void **state)
{
    (void)state;
    asw_store_t *s;
    assert_int_equal(asw_store_new(engine, NULL, &s, NULL), ASW_OK);
    asw_global_t *g, *c;
    asw_val_t v = asw_val_i64(-5);
    assert_int_equal(asw_global_new(s, ASW_I64, true, &v, &g, NULL), ASW_OK);
    assert_int_equal(asw_global_new(s, ASW_I32, false, &v, &c, NULL), ASW_E_INVALID);
    asw_val_t f = asw_val_f32(1.5f);
    assert_int_equal(asw_global_new(s, ASW_F32, false, &f, &c, NULL), ASW_OK);
    asw_val_t got;
    asw_global_get(g, &got);
    assert_int_equal(got.kind, ASW_I64);
    assert_int_equal(got.of.i64, -5);
    asw_val_t nv = asw_val_i64(INT64_MIN);
    assert_int_equal(asw_global_set(g, &nv), ASW_OK);
    asw_global_get(g, &got);
    assert_true(got.of.i64 == INT64_MIN);
    assert_int_equal(asw_global_set(c, &f), ASW_E_INVALID); /* immutable */
    assert_int_equal(asw_global_set(g, &f), ASW_E_INVALID); /* wrong type */
    /* f32 bits survive, including a signalling NaN payload. */
    asw_val_t nan = {.kind = ASW_F32};
    nan.of.i32 = 0x7fa00001;
    asw_global_t *gn;
    assert_int_equal(asw_global_new(s, ASW_F32, false, &nan, &gn, NULL), ASW_OK);
    asw_global_get(gn, &got);
    assert_int_equal((uint32_t)got.of.i32, 0x7fa00001u);
    asw_store_free(s);
}

static void type_interning(void **state)
{
    (void)state;
    uint8_t a[] = {ASW_I32, ASW_I32, ASW_I64}, b[] = {ASW_I32, ASW_I32, ASW_I32};
    uint32_t ia, ia2, ib, ic, ie;
    assert_int_equal(asw__engine_intern_type(engine, a, 2, 1, &ia), ASW_OK);
    assert_int_equal(asw__engine_intern_type(engine, a, 2, 1, &ia2), ASW_OK);
    assert_int_equal(asw__engine_intern_type(engine, b, 2, 1, &ib), ASW_OK);
    assert_int_equal(asw__engine_intern_type(engine, a, 3, 0, &ic), ASW_OK); /* same bytes, split */
    assert_int_equal(asw__engine_intern_type(engine, NULL, 0, 0, &ie), ASW_OK);
    assert_int_equal(ia, ia2);
    assert_int_not_equal(ia, ib);
    assert_int_not_equal(ia, ic);
    assert_int_not_equal(ie, ia);
    /* Many distinct types force the table to grow and keep ids stable. */
    uint8_t many[8];
    uint32_t ids[300];
    for (int i = 0; i < 300; i++) {
        for (int k = 0; k < 8; k++)
            many[k] = (i >> k) & 1 ? ASW_I64 : ASW_F64;
        assert_int_equal(asw__engine_intern_type(engine, many, 4, 4, &ids[i]), ASW_OK);
    }
    for (int i = 0; i < 300; i++) {
        for (int k = 0; k < 8; k++)
            many[k] = (i >> k) & 1 ? ASW_I64 : ASW_F64;
        uint32_t again;
        assert_int_equal(asw__engine_intern_type(engine, many, 4, 4, &again), ASW_OK);
        assert_int_equal(again, ids[i]);
    }
}

static void import_sets(void **state)
{
    (void)state;
    asw_imports_t *im;
    assert_int_equal(asw_imports_new(&im, NULL), ASW_OK);
    uint8_t p[] = {ASW_I32}, bad[] = {0x40};
    asw_functype_t ty = {1, 1, p, p}, badty = {1, 0, bad, NULL};
    asw_error_t err;
    assert_int_equal(asw_imports_define_func(im, "env", "f", &ty, dummy_host, NULL, NULL), ASW_OK);
    assert_int_equal(asw_imports_define_func(im, "env", "g", &badty, dummy_host, NULL, &err),
                     ASW_E_INVALID);
    assert_int_equal(asw_imports_define_func(im, "env", "h", &ty, NULL, NULL, NULL), ASW_E_INVALID);
    for (int i = 0; i < 200; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        assert_int_equal(asw_imports_define_func(im, "m", name, &ty, dummy_host, NULL, NULL),
                         ASW_OK);
    }
    /* Redefinition replaces. */
    assert_int_equal(asw_imports_define_func(im, "env", "f", &ty, dummy_host, &err, NULL), ASW_OK);
    asw_imports_free(im);
}

static void traps_format(void **state)
{
    (void)state;
    asw_trap_t *t = asw__trap_new(ASW_TRAP_DIV_ZERO, NULL);
    assert_non_null(t);
    assert_string_equal(asw_trap_message(t), "integer divide by zero");
    assert_int_equal(asw_trap_kind(t), ASW_TRAP_DIV_ZERO);
    for (uint32_t i = 0; i < 20; i++)
        asw__trap_add_frame(t, NULL, i, 0x100 + i);
    assert_int_equal(asw_trap_frame_count(t), 20);
    asw_frame_info_t fi;
    assert_int_equal(asw_trap_frame(t, 19, &fi), ASW_OK);
    assert_int_equal(fi.func_index, 19);
    assert_int_equal(asw_trap_frame(t, 20, &fi), ASW_E_INVALID);
    char small[16];
    size_t need = asw_trap_format(t, small, sizeof small);
    assert_true(need > sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    char *big = malloc(need + 1);
    assert_int_equal(asw_trap_format(t, big, need + 1), need);
    assert_non_null(strstr(big, "trap: integer divide by zero\n  at #0 func 0 (offset 0x100)"));
    assert_int_equal(strlen(big), need);
    free(big);
    asw_trap_free(t);
}

static void fuel_and_interrupts(void **state)
{
    (void)state;
    asw_store_t *s;
    assert_int_equal(asw_store_new(engine, NULL, &s, NULL), ASW_OK);
    assert_true(asw_store_fuel(s) == UINT64_MAX);
    asw_store_set_fuel(s, 10);
    assert_int_equal(asw_store_fuel(s), 10);
    asw_store_add_fuel(s, UINT64_MAX); /* saturates */
    assert_true(asw_store_fuel(s) == UINT64_MAX);
    asw_store_interrupt(s, ASW_INTERRUPT_SUSPEND);
    assert_int_equal(atomic_load(&s->interrupt), ASW_INTERRUPT_SUSPEND);
    asw_store_clear_interrupt(s);
    assert_int_equal(atomic_load(&s->interrupt), 0);
    assert_int_equal(asw_store_suspended(s), ASW_SUSPEND_NONE);
    asw_error_t err;
    assert_int_equal(asw_store_resume(s, NULL, 0, NULL, 0, NULL, &err), ASW_E_STATE);
    /* A deadline raises the interrupt from the watchdog thread. */
    assert_int_equal(asw_store_set_deadline(s, 5 * 1000000u, ASW_INTERRUPT_KILL), ASW_OK);
    for (int i = 0; i < 400 && atomic_load(&s->interrupt) == 0; i++) {
        struct timespec ts = {0, 5 * 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(atomic_load(&s->interrupt), ASW_INTERRUPT_KILL);
    /* A cancelled deadline never fires; freeing a store with a pending deadline is safe. */
    asw_store_clear_interrupt(s);
    assert_int_equal(asw_store_set_deadline(s, 20 * 1000000u, ASW_INTERRUPT_KILL), ASW_OK);
    assert_int_equal(asw_store_set_deadline(s, 0, ASW_INTERRUPT_KILL), ASW_OK);
    struct timespec ts = {0, 40 * 1000000};
    nanosleep(&ts, NULL);
    assert_int_equal(atomic_load(&s->interrupt), 0);
    assert_int_equal(asw_store_set_deadline(s, 1000000000u, ASW_INTERRUPT_KILL), ASW_OK);
    asw_store_free(s);
}

static void instantiate_links_and_segments(void **state)
{
    (void)state;
    asw_module_t *link = load("link"), *seg = load("segments");
    asw_store_t *s;
    assert_int_equal(asw_store_new(engine, NULL, &s, NULL), ASW_OK);
    asw_instance_t *inst;
    asw_error_t err;
    /* No imports at all. */
    assert_int_equal(asw_instance_new(s, link, NULL, &inst, NULL, &err), ASW_E_LINK);
    assert_non_null(strstr(err.msg, "unknown import: env.f"));

    asw_imports_t *im;
    assert_int_equal(asw_imports_new(&im, NULL), ASW_OK);
    uint8_t i32[] = {ASW_I32};
    asw_functype_t wrong = {0, 1, NULL, i32}, right = {1, 1, i32, i32};
    assert_int_equal(asw_imports_define_func(im, "env", "f", &wrong, dummy_host, NULL, NULL),
                     ASW_OK);
    assert_int_equal(asw_instance_new(s, link, im, &inst, NULL, &err), ASW_E_LINK);
    assert_non_null(strstr(err.msg, "incompatible import type: env.f"));
    assert_int_equal(asw_imports_define_func(im, "env", "f", &right, dummy_host, NULL, NULL),
                     ASW_OK);

    /* Memory: 1 page with max 3 does not match an import of {1, max 2}; max 2 does. */
    asw_memory_t *mem3, *mem2;
    asw_limits_type_t l13 = {1, 3, true}, l12 = {1, 2, true};
    assert_int_equal(asw_memory_new(s, &l13, &mem3, NULL), ASW_OK);
    assert_int_equal(asw_memory_new(s, &l12, &mem2, NULL), ASW_OK);
    asw_extern_t e = {.kind = ASW_EXTERN_MEMORY, .of.memory = mem3};
    assert_int_equal(asw_imports_add_extern(im, "env", "mem", &e, NULL), ASW_OK);
    asw_table_t *tab;
    asw_limits_type_t l2 = {2, 0, false};
    assert_int_equal(asw_table_new(s, ASW_FUNCREF, &l2, NULL, &tab, NULL), ASW_OK);
    e = (asw_extern_t){.kind = ASW_EXTERN_TABLE, .of.table = tab};
    assert_int_equal(asw_imports_add_extern(im, "env", "tab", &e, NULL), ASW_OK);
    asw_global_t *gconst, *gmut;
    asw_val_t v = asw_val_i32(77);
    assert_int_equal(asw_global_new(s, ASW_I32, false, &v, &gconst, NULL), ASW_OK);
    assert_int_equal(asw_global_new(s, ASW_I32, true, &v, &gmut, NULL), ASW_OK);
    e = (asw_extern_t){.kind = ASW_EXTERN_GLOBAL, .of.global = gconst};
    assert_int_equal(asw_imports_add_extern(im, "env", "g", &e, NULL), ASW_OK);
    assert_int_equal(asw_instance_new(s, link, im, &inst, NULL, &err), ASW_E_LINK);
    assert_non_null(strstr(err.msg, "env.mem"));
    e = (asw_extern_t){.kind = ASW_EXTERN_MEMORY, .of.memory = mem2};
    assert_int_equal(asw_imports_add_extern(im, "env", "mem", &e, NULL), ASW_OK);
    assert_int_equal(asw_instance_new(s, link, im, &inst, NULL, &err), ASW_E_LINK);
    assert_non_null(strstr(err.msg, "env.g")); /* mutability differs */
    e = (asw_extern_t){.kind = ASW_EXTERN_GLOBAL, .of.global = gmut};
    assert_int_equal(asw_imports_add_extern(im, "env", "g", &e, NULL), ASW_OK);
    assert_int_equal(asw_instance_new(s, link, im, &inst, NULL, &err), ASW_OK);
    asw_val_t r;
    assert_int_equal(asw_func_call(asw_instance_func(inst, "get_g"), NULL, 0, &r, 1, NULL, &err),
                     ASW_OK);
    assert_int_equal(r.of.i32, 77);

    /* An object of another store is refused. */
    asw_store_t *s2;
    assert_int_equal(asw_store_new(engine, NULL, &s2, NULL), ASW_OK);
    assert_int_equal(asw_instance_new(s2, link, im, &inst, NULL, &err), ASW_E_LINK);
    assert_non_null(strstr(err.msg, "another store"));
    asw_store_free(s2);

    /* Segments: the data segment ending exactly at the memory's end fits; start ran. */
    asw_instance_t *si;
    assert_int_equal(asw_instance_new(s, seg, NULL, &si, NULL, &err), ASW_OK);
    asw_memory_t *m = asw_instance_memory(si, "memory");
    assert_memory_equal(asw_memory_data(m) + 65530, "abcdef", 6);
    assert_memory_equal(asw_memory_data(m) + 8, "xyz", 3);
    asw_extern_t x;
    assert_int_equal(asw_instance_export(si, "counter", &x), ASW_OK);
    asw_global_get(x.of.global, &r);
    assert_int_equal(r.of.i32, 41);
    assert_int_equal(asw_instance_export(si, "table", &x), ASW_OK);
    assert_int_equal(asw_table_get(x.of.table, 0, &r), ASW_OK);
    assert_null(r.of.funcref);
    assert_int_equal(asw_table_get(x.of.table, 2, &r), ASW_OK);
    assert_non_null(r.of.funcref);
    asw_val_t two;
    assert_int_equal(asw_func_call(r.of.funcref, NULL, 0, &two, 1, NULL, NULL), ASW_OK);
    assert_int_equal(two.of.i32, 2);
    assert_int_equal(asw_instance_export(si, "nope", &x), ASW_E_NOT_FOUND);
    asw_imports_free(im);
    asw_store_free(s);
    asw_module_free(link);
    asw_module_free(seg);
}

static void segment_traps(void **state)
{
    (void)state;
    asw_module_t *doob = load("data_oob"), *eoob = load("elem_oob");
    asw_store_t *s;
    assert_int_equal(asw_store_new(engine, NULL, &s, NULL), ASW_OK);
    asw_memory_t *mem;
    asw_limits_type_t l1 = {1, 0, false};
    assert_int_equal(asw_memory_new(s, &l1, &mem, NULL), ASW_OK);
    asw_imports_t *im;
    assert_int_equal(asw_imports_new(&im, NULL), ASW_OK);
    asw_extern_t e = {.kind = ASW_EXTERN_MEMORY, .of.memory = mem};
    assert_int_equal(asw_imports_add_extern(im, "env", "mem", &e, NULL), ASW_OK);
    asw_instance_t *inst;
    asw_trap_t *trap;
    asw_error_t err;
    assert_int_equal(asw_instance_new(s, doob, im, &inst, &trap, &err), ASW_E_TRAP);
    assert_null(inst);
    assert_non_null(trap);
    assert_int_equal(asw_trap_kind(trap), ASW_TRAP_MEMORY_OOB);
    assert_string_equal(asw_trap_message(trap), "out of bounds memory access");
    asw_trap_free(trap);
    /* The earlier segment's write into the imported memory persists (spec 2.0). */
    assert_memory_equal(asw_memory_data(mem), "ok", 2);
    assert_int_equal(asw_instance_new(s, eoob, NULL, &inst, NULL, &err), ASW_E_TRAP);
    assert_non_null(strstr(err.msg, "out of bounds table access"));
    asw_imports_free(im);
    asw_store_free(s);
    asw_module_free(doob);
    asw_module_free(eoob);
}

static void store_limits(void **state)
{
    (void)state;
    asw_module_t *min = load("minimal"), *big = load("big_memory");
    asw_store_limits_t lim = {0};
    lim.max_instances = 3;
    lim.max_memory_pages = 150;
    asw_store_t *s;
    assert_int_equal(asw_store_new(engine, &lim, &s, NULL), ASW_OK);
    asw_instance_t *inst;
    asw_error_t err;
    for (int i = 0; i < 3; i++)
        assert_int_equal(asw_instance_new(s, min, NULL, &inst, NULL, NULL), ASW_OK);
    assert_int_equal(asw_instance_new(s, min, NULL, &inst, NULL, &err), ASW_E_LIMIT);
    assert_non_null(strstr(err.msg, "instances"));
    asw_store_free(s);
    assert_int_equal(asw_store_new(engine, &lim, &s, NULL), ASW_OK);
    assert_int_equal(asw_instance_new(s, big, NULL, &inst, NULL, &err), ASW_OK);
    asw_memory_t *m = asw_instance_memory(inst, "memory");
    uint32_t old;
    assert_int_equal(asw_memory_grow(m, 50, &old), ASW_OK); /* exactly the store limit */
    assert_int_equal(asw_memory_grow(m, 1, &old), ASW_E_LIMIT);
    asw_store_free(s);
    lim.max_memory_pages = 99; /* below the module's minimum of 100 */
    assert_int_equal(asw_store_new(engine, &lim, &s, NULL), ASW_OK);
    assert_int_equal(asw_instance_new(s, big, NULL, &inst, NULL, &err), ASW_E_LIMIT);
    asw_store_stats_t st;
    asw_store_stats(s, &st);
    assert_int_equal(st.instances, 0);
    asw_store_free(s);
    asw_module_free(min);
    asw_module_free(big);
}

static void call_argument_checks(void **state)
{
    (void)state;
    asw_module_t *min = load("minimal");
    asw_store_t *s;
    assert_int_equal(asw_store_new(engine, NULL, &s, NULL), ASW_OK);
    asw_instance_t *inst;
    assert_int_equal(asw_instance_new(s, min, NULL, &inst, NULL, NULL), ASW_OK);
    asw_func_t *add = asw_instance_func(inst, "add");
    assert_non_null(add);
    asw_functype_t ft;
    asw_func_type(add, &ft);
    assert_int_equal(ft.nparams, 2);
    assert_int_equal(ft.nresults, 1);
    asw_val_t args[2] = {asw_val_i32(40), asw_val_i32(2)}, r;
    asw_error_t err;
    assert_int_equal(asw_func_call(add, args, 2, &r, 1, NULL, &err), ASW_OK);
    assert_int_equal(r.of.i32, 42);
    assert_int_equal(asw_func_call(add, args, 1, &r, 1, NULL, &err), ASW_E_INVALID);
    assert_int_equal(asw_func_call(add, args, 2, &r, 0, NULL, &err), ASW_E_INVALID);
    args[1] = asw_val_i64(2);
    assert_int_equal(asw_func_call(add, args, 2, &r, 1, NULL, &err), ASW_E_INVALID);
    assert_non_null(strstr(err.msg, "argument 1: expected i32, got i64"));
    asw_store_stats_t st;
    asw_store_stats(s, &st);
    assert_int_equal(st.bytes_linear, 65536);
    assert_true(st.bytes_runtime < 8192);
    asw_store_free(s);
    asw_module_free(min);
}

/* Every allocation along engine/store/instantiate/call may fail: errors, never leaks. */
static void allocation_failures(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes =
        asw_test_read_file(asw_test_bin_path("tests/wasm/runtime/segments.wasm"), &len);
    assert_non_null(bytes);
    for (unsigned long n = 1;; n++) {
        asw_test_alloc_install(n, 0);
        asw_engine_t *e = NULL;
        asw_module_t *m = NULL;
        asw_store_t *s = NULL;
        asw_instance_t *inst = NULL;
        int rc = asw_engine_new(NULL, &e, NULL);
        if (!rc) rc = asw_module_compile(e, bytes, len, &m, NULL);
        if (!rc) rc = asw_store_new(e, NULL, &s, NULL);
        if (!rc) rc = asw_instance_new(s, m, NULL, &inst, NULL, NULL);
        asw_store_free(s);
        asw_module_free(m);
        asw_engine_free(e);
        unsigned long used = asw_test_alloc_count();
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (rc == ASW_OK) break;
        assert_true(rc == ASW_E_NOMEM || rc == ASW_E_TRAP);
        assert_true(n <= used);
    }
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory_limits),
        cmocka_unit_test(table_limits_and_types),
        cmocka_unit_test(globals),
        cmocka_unit_test(type_interning),
        cmocka_unit_test(import_sets),
        cmocka_unit_test(traps_format),
        cmocka_unit_test(fuel_and_interrupts),
        cmocka_unit_test(instantiate_links_and_segments),
        cmocka_unit_test(segment_traps),
        cmocka_unit_test(store_limits),
        cmocka_unit_test(call_argument_checks),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
