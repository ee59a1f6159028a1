/*
 * tests/base/alloc_test.c -- the allocator hook: calls go through the installed allocator,
 * failures come back as NULL (never abort), overflow in count*size is refused, and the test
 * allocator's fail-at-N and ceiling work (other suites rely on them).
 */
#include "testlib.h"

#include "base/base.h"

#include <string.h>

static void wrappers_use_installed_allocator(void **state)
{
    (void)state;
    asw_test_alloc_install(0, 0);
    char *s = asw__strdup("hello");
    assert_non_null(s);
    assert_string_equal(s, "hello");
    assert_int_equal(asw_test_alloc_count(), 1);
    char *t = asw__strndup("abcdef", 3);
    assert_string_equal(t, "abc");
    int *v = asw__calloc(10, sizeof(int));
    for (int i = 0; i < 10; i++)
        assert_int_equal(v[i], 0);
    v = asw__reallocarray(v, 20, sizeof(int));
    assert_non_null(v);
    asw__free(s);
    asw__free(t);
    asw__free(v);
    asw__free(NULL);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
}

static void fail_nth_allocation(void **state)
{
    (void)state;
    asw_test_alloc_install(2, 0);
    void *a = asw__malloc(8);
    void *b = asw__malloc(8);
    void *c = asw__malloc(8);
    assert_non_null(a);
    assert_null(b);
    assert_non_null(c);
    asw__free(a);
    asw__free(c);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
}

static void ceiling_refuses_large_blocks(void **state)
{
    (void)state;
    asw_test_alloc_install(0, 1024);
    void *a = asw__malloc(1000);
    assert_non_null(a);
    assert_null(asw__malloc(100)); /* 1000 + 100 > 1024: the boundary, one over */
    void *b = asw__malloc(24);     /* exactly at the ceiling */
    assert_non_null(b);
    assert_int_equal(asw_test_alloc_live_bytes(), 1024);
    asw__free(a);
    asw__free(b);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
}

static void overflow_is_refused(void **state)
{
    (void)state;
    assert_null(asw__calloc(SIZE_MAX / 2, 4));
    assert_null(asw__reallocarray(NULL, SIZE_MAX / 8, 16));
}

static void set_allocator_rejects_incomplete_hooks(void **state)
{
    (void)state;
    asw_allocator_t a = {0};
    assert_int_equal(asw_set_allocator(&a), ASW_E_INVALID);
    asw_allocator_t cur;
    asw_get_allocator(&cur);
    assert_non_null(cur.malloc_fn);
    assert_int_equal(asw_set_allocator(NULL), ASW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wrappers_use_installed_allocator),
        cmocka_unit_test(fail_nth_allocation),
        cmocka_unit_test(ceiling_refuses_large_blocks),
        cmocka_unit_test(overflow_is_refused),
        cmocka_unit_test(set_allocator_rejects_incomplete_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
