/*
 * tests/wasm/module_test.c -- the module API of src/wasm/module.c: asw_module_compile and
 * asw_module_validate (codes and messages for the three failure classes), reference counting,
 * import/export introspection, custom sections, function names, the summary counts, caller
 * misuse, and allocation failure at every step of a compile.
 */
#include "front_util.h"

#include "airssys/wasm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static asw_engine_t *engine;

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

static asw_module_t *compile_file(const char *name)
{
    size_t n;
    uint8_t *b = front_load(name, &n);
    if (!b) return NULL;
    asw_module_t *m = NULL;
    asw_error_t e = {0};
    int rc = asw_module_compile(engine, b, n, &m, &e);
    if (rc) fprintf(stderr, "%s: %s\n", name, e.msg);
    assert_int_equal(rc, 0);
    free(b);
    return m;
}

static void introspection(void **state)
{
    (void)state;
    asw_module_t *m = compile_file("all");
    if (!m) skip();
    asw_module_info_t info;
    asw_module_info(m, &info);
    assert_int_equal(info.types, 4);
    assert_int_equal(info.imports, 5);
    assert_int_equal(info.funcs, 7);
    assert_int_equal(info.imported_funcs, 1);
    assert_int_equal(info.tables, 3);
    assert_int_equal(info.memories, 1);
    assert_int_equal(info.globals, 9);
    assert_int_equal(info.exports, 4);
    assert_int_equal(info.elems, 8);
    assert_int_equal(info.datas, 3);
    assert_int_equal(info.customs, 1);
    assert_int_equal(info.start_func, 1);
    assert_true(info.code_bytes > 100);

    assert_int_equal(asw_module_import_count(m), 5);
    asw_import_desc_t imp;
    assert_int_equal(asw_module_import(m, 0, &imp), 0);
    assert_string_equal(imp.module, "env");
    assert_string_equal(imp.name, "f");
    assert_int_equal(imp.type.kind, ASW_EXTERN_FUNC);
    assert_int_equal(imp.type.of.func.nparams, 1);
    assert_int_equal(imp.type.of.func.params[0], ASW_I32);
    assert_int_equal(imp.type.of.func.nresults, 1);
    assert_int_equal(asw_module_import(m, 1, &imp), 0);
    assert_int_equal(imp.type.kind, ASW_EXTERN_TABLE);
    assert_int_equal(imp.type.of.table.elem, ASW_FUNCREF);
    assert_int_equal(imp.type.of.table.limits.min, 1);
    assert_int_equal(imp.type.of.table.limits.max, 10);
    assert_int_equal(asw_module_import(m, 2, &imp), 0);
    assert_int_equal(imp.type.kind, ASW_EXTERN_MEMORY);
    assert_int_equal(imp.type.of.memory.max, 2);
    assert_int_equal(asw_module_import(m, 4, &imp), 0);
    assert_int_equal(imp.type.kind, ASW_EXTERN_GLOBAL);
    assert_int_equal(imp.type.of.global.type, ASW_I64);
    assert_true(imp.type.of.global.mutable_);
    assert_int_equal(asw_module_import(m, 5, &imp), ASW_E_INVALID);

    assert_int_equal(asw_module_export_count(m), 4);
    asw_export_desc_t ex;
    assert_int_equal(asw_module_export(m, 0, &ex), 0);
    assert_string_equal(ex.name, "start");
    assert_int_equal(ex.type.kind, ASW_EXTERN_FUNC);
    assert_int_equal(ex.type.of.func.nparams, 0);
    assert_int_equal(asw_module_export(m, 2, &ex), 0);
    assert_string_equal(ex.name, "tab");
    assert_int_equal(ex.type.of.table.limits.min, 4);
    assert_int_equal(asw_module_export(m, 3, &ex), 0);
    assert_int_equal(ex.type.kind, ASW_EXTERN_GLOBAL);
    assert_true(ex.type.of.global.mutable_);
    assert_int_equal(asw_module_export(m, 4, &ex), ASW_E_INVALID);

    const uint8_t *data;
    size_t len;
    assert_int_equal(asw_module_custom_section(m, "name", &data, &len), 0);
    assert_true(len > 10);
    assert_int_equal(data[0], 0); /* subsection 0: the module name */
    assert_int_equal(asw_module_custom_section(m, "nope", &data, &len), ASW_E_NOT_FOUND);

    assert_string_equal(asw_module_func_name(m, 0), "imp");
    assert_string_equal(asw_module_func_name(m, 3), "mem_ops");
    assert_null(asw_module_func_name(m, 7));

    /* reference counting */
    assert_ptr_equal(asw_module_ref(m), m);
    asw_module_free(m);
    asw_module_info(m, &info); /* still alive */
    assert_int_equal(info.funcs, 7);
    asw_module_free(m);
    asw_module_free(NULL);
}

static void failures(void **state)
{
    (void)state;
    asw_error_t e = {0};
    asw_module_t *m = (asw_module_t *)1;
    assert_int_equal(asw_module_compile(engine, (const uint8_t *)"\0asm\x02\0\0\0", 8, &m, &e),
                     ASW_E_MALFORMED);
    assert_null(m);
    assert_non_null(strstr(e.msg, "unknown binary version"));
    /* i32.add on an empty stack */
    static const uint8_t inv[] = "\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0"
                                 "\x0a\x06\x01\x04\0\x6a\x1a\x0b";
    assert_int_equal(asw_module_compile(engine, inv, sizeof inv - 1, &m, &e), ASW_E_INVALID_MODULE);
    assert_non_null(strstr(e.msg, "type mismatch in i32.add"));
    assert_int_equal(asw_module_validate(engine, inv, sizeof inv - 1, &e), ASW_E_INVALID_MODULE);
    static const uint8_t simd[] = "\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0"
                                  "\x0a\x06\x01\x04\0\xfd\x0c\x0b";
    assert_int_equal(asw_module_validate(engine, simd, sizeof simd - 1, &e), ASW_E_UNSUPPORTED);
    assert_int_equal(asw_module_validate(engine, (const uint8_t *)"\0asm\x01\0\0\0", 8, &e), 0);
    /* misuse */
    assert_int_equal(asw_module_compile(NULL, inv, sizeof inv - 1, &m, &e), ASW_E_INVALID);
    assert_int_equal(asw_module_compile(engine, NULL, 5, &m, &e), ASW_E_INVALID);
    assert_int_equal(asw_module_compile(engine, inv, 5, NULL, &e), ASW_E_INVALID);
    assert_int_equal(asw_module_validate(engine, NULL, 5, &e), ASW_E_INVALID);
    assert_int_equal(asw_module_import_count(NULL), 0);
    assert_int_equal(asw_module_export_count(NULL), 0);
    assert_null(asw_module_func_name(NULL, 0));
    asw_module_info_t info;
    asw_module_info(NULL, &info);
    assert_int_equal(info.start_func, -1);
}

static void compile_alloc_failure(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = front_load("small", &n);
    if (!b) skip();
    /* Warm-up: the engine interns the module's types once and keeps them (engine-owned), so
     * later compiles allocate only what the module owns. */
    asw_module_t *warm = NULL;
    assert_int_equal(asw_module_compile(engine, b, n, &warm, NULL), 0);
    asw_module_free(warm);
    bool done = false;
    for (unsigned long k = 1; !done && k < 100000; k++) {
        asw_module_t *m = NULL;
        asw_error_t e = {0};
        asw_test_alloc_install(k, 0);
        int rc = asw_module_compile(engine, b, n, &m, &e);
        if (rc == 0) {
            done = true;
            asw_module_free(m);
        } else {
            assert_int_equal(rc, ASW_E_NOMEM);
            assert_null(m);
        }
        assert_int_equal(asw_test_alloc_uninstall(), 0);
    }
    assert_true(done);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(introspection),
        cmocka_unit_test(failures),
        cmocka_unit_test(compile_alloc_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
