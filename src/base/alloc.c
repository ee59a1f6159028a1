/*
 * src/base/alloc.c -- the process-wide allocator hook and the checked allocation wrappers.
 *
 * The hook is three function pointers plus user data, read with relaxed atomics on every call so
 * that installing an allocator from a test is race-free. Overflow in count*size is reported as a
 * failed allocation, never wrapped. This file deliberately knows nothing of mmap: the engine maps
 * guest linear memory itself.
 */
#include "base/base.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static void *default_malloc(void *ud, size_t size)
{
    ASW_UNUSED(ud);
    return malloc(size ? size : 1);
}

static void *default_realloc(void *ud, void *ptr, size_t size)
{
    ASW_UNUSED(ud);
    return realloc(ptr, size ? size : 1);
}

static void default_free(void *ud, void *ptr)
{
    ASW_UNUSED(ud);
    free(ptr);
}

static const asw_allocator_t default_allocator = {default_malloc, default_realloc, default_free,
                                                  NULL};

/* The current allocator. A pointer swap keeps readers consistent: they see one whole allocator. */
static asw_allocator_t installed;
static _Atomic(const asw_allocator_t *) current = &default_allocator;
/* Bumped by every asw_set_allocator: a block kept across calls (exec.c's per-thread spare)
 * is reused only while the allocator that made it is still the current one. */
unsigned asw__alloc_gen; /* read and written with __atomic builtins */

int asw_set_allocator(const asw_allocator_t *alloc)
{
    if (alloc && (!alloc->malloc_fn || !alloc->realloc_fn || !alloc->free_fn)) return ASW_E_INVALID;
    __atomic_fetch_add(&asw__alloc_gen, 1, __ATOMIC_ACQ_REL);
    if (!alloc) {
        atomic_store(&current, &default_allocator);
        return ASW_OK;
    }
    /* Callers promise no library object is alive, so no allocation races with this copy. */
    atomic_store(&current, &default_allocator);
    installed = *alloc;
    atomic_store(&current, &installed);
    return ASW_OK;
}

void asw_get_allocator(asw_allocator_t *out_alloc)
{
    if (!out_alloc) return;
    *out_alloc = *atomic_load_explicit(&current, memory_order_acquire);
}

void *asw__malloc(size_t size)
{
    const asw_allocator_t *a = atomic_load_explicit(&current, memory_order_acquire);
    return a->malloc_fn(a->ud, size);
}

void *asw__calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) return NULL;
    void *p = asw__malloc(total);
    if (p) memset(p, 0, total);
    return p;
}

void *asw__realloc(void *ptr, size_t size)
{
    const asw_allocator_t *a = atomic_load_explicit(&current, memory_order_acquire);
    return a->realloc_fn(a->ud, ptr, size);
}

void *asw__reallocarray(void *ptr, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) return NULL;
    return asw__realloc(ptr, total);
}

void asw__free(void *ptr)
{
    if (!ptr) return;
    const asw_allocator_t *a = atomic_load_explicit(&current, memory_order_acquire);
    a->free_fn(a->ud, ptr);
}

char *asw__strndup(const char *s, size_t n)
{
    if (!s) return NULL;
    size_t len = strnlen(s, n);
    char *d = asw__malloc(len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *asw__strdup(const char *s)
{
    if (!s) return NULL;
    return asw__strndup(s, strlen(s));
}
