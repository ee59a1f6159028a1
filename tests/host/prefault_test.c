/*
 * tests/host/prefault_test.c -- src/host/prefault.c: populating the heap ahead of spawns
 * reduces the page faults a thread takes while its heap grows (with glibc's malloc), stays
 * idle while the allocator reuses freed memory, and switches itself off for an allocator whose
 * blocks never land in the populated range.
 *
 * Each case runs on a thread of its own: the prefault state and glibc's arenas are per thread.
 */
#define _DEFAULT_SOURCE /* mincore */
#include "testlib.h"

#include "host/host_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { SPAWNS = 2000, BLOCKS = 7, BLOCK = 512 }; /* ~3.5 KiB a "spawn", like a component */

typedef struct {
    bool prefault;
    long ahead_missing; /* spawns after which the next heap page was not resident */
    void **keep;        /* SPAWNS * BLOCKS blocks, freed by the main thread */
} grow_t;

/* Whether the page holding p is resident (an unmapped page is not). */
static bool resident(uintptr_t p)
{
    long ps = sysconf(_SC_PAGESIZE);
    unsigned char v = 0;
    uintptr_t page = p & ~(uintptr_t)(ps - 1);
    return mincore((void *)page, (size_t)ps, &v) == 0 && (v & 1);
}

/* Grows this thread's heap a "spawn" at a time and looks at the page just past the last
 * block: the page the next spawn will touch first. Page faults cannot be counted portably
 * (getrusage counts populated pages as faults too), residency can. */
static void *grow(void *p)
{
    grow_t *g = p;
    for (int s = 0; s < SPAWNS; s++) {
        void **b = &g->keep[s * BLOCKS];
        for (int i = 0; i < BLOCKS; i++) {
            b[i] = asw__malloc(BLOCK);
            if (b[i]) memset(b[i], 0x5a, BLOCK); /* used, as a spawn uses its records */
        }
        if (g->prefault) asw__host_prefault(b[0]);
        if (b[BLOCKS - 1] && !resident((uintptr_t)b[BLOCKS - 1] + BLOCK + 4096)) g->ahead_missing++;
    }
    return NULL;
}

static long run_grow(bool prefault)
{
    grow_t g = {prefault, 0, calloc(SPAWNS * BLOCKS, sizeof(void *))};
    assert_non_null(g.keep);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, grow, &g), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    for (int i = 0; i < SPAWNS * BLOCKS; i++) {
        assert_non_null(g.keep[i]);
        asw__free(g.keep[i]);
    }
    free(g.keep);
    return g.ahead_missing;
}

static void next_pages_resident_while_the_heap_grows(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* ASan's allocator places blocks by size class: prefault switches itself off */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    skip();
#endif
#endif
    long plain = run_grow(false), pre = run_grow(true);
    print_message("of %d spawns growing the heap, the next page was not resident after %ld "
                  "(plain) and %ld (prefault)\n",
                  SPAWNS, plain, pre);
    assert_true(plain > SPAWNS / 2); /* the heap really grows into fresh pages */
    assert_true(pre < SPAWNS / 20);
}

enum { FAR, BELOW };
typedef struct {
    int mode;
    size_t n;
} fake_t;

/* Calls asw__host_prefault n times with made-up addresses (only compared,
 * never read). FAR: each far above every heap, never in the populated range. BELOW: the first
 * far above (it populates), the rest below anything populated (reused memory). */
static void *feed(void *p)
{
    fake_t *f = p;
    uintptr_t base = (uintptr_t)1 << 47; /* above every user-space mapping on x86-64/arm64 */
    for (size_t i = 0; i < f->n; i++) {
        uintptr_t a = base + i * ((uintptr_t)1 << 20);
        if (f->mode == BELOW && i > 0) a = 4096 * i;
        asw__host_prefault((const void *)a);
    }
    return NULL;
}

static unsigned long allocs_for(int mode, size_t n)
{
    asw_test_alloc_install(0, 0);
    fake_t f = {mode, n};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, feed, &f), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    unsigned long used = asw_test_alloc_count();
    assert_int_equal(asw_test_alloc_uninstall(), 0); /* every populated block was freed */
    return used;
}

static void switches_off_for_other_allocators(void **state)
{
    (void)state;
    /* The first call populates; two misses populate again; the third miss switches off. */
    assert_int_equal(allocs_for(FAR, 16), 3);
    /* Below the populated range the allocator reuses freed memory: no populate after the
     * first. */
    assert_int_equal(allocs_for(BELOW, 8), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(next_pages_resident_while_the_heap_grows),
        cmocka_unit_test(switches_off_for_other_allocators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
