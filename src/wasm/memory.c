/*
 * src/wasm/memory.c -- linear memories: mapping, growth within limits, and the public memory
 * API.
 *
 * Linear memory is mapped with mmap (anonymous, private), outside the allocator hook, so a
 * guest's 4 GiB is never charged to the host heap and untouched pages cost nothing. Growth
 * uses mremap where the system has it (the data pointer may move: the executor reloads it after
 * memory.grow and after calls), else map-copy-unmap. A zero-page memory points at a static
 * byte so `data` is never NULL. Limits: the effective maximum is the smaller of the declared
 * maximum and the store's max_memory_pages; growing past it fails (memory.grow returns -1).
 * Every new page reads as zero.
 *
 * Small mappings (up to 1 MiB) are recycled on Linux: a freed memory's pages are dropped with
 * madvise(MADV_DONTNEED), which makes them read as zero again, and the mapping waits in a small
 * process-wide cache for the next memory of the same size. One madvise instead of a munmap and
 * an mmap is most of what instantiating a small module costs on a VM. The cache holds at most
 * CACHE_SLOTS mappings (no resident pages, only address space) for the life of the process.
 */
#define _GNU_SOURCE /* mremap */
#include "wasm/runtime.h"

#include <string.h>
#include <sys/mman.h>

static uint8_t empty_memory[8];

#if defined(__linux__) && defined(MADV_DONTNEED)
#define CACHE_SLOTS     4
#define CACHE_MAX_BYTES ((size_t)1 << 20)

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uint8_t *p;
    size_t bytes;
} cache[CACHE_SLOTS];
static unsigned ncache;

/* A recycled mapping of exactly `bytes` (all zero), or NULL. */
static uint8_t *cache_take(size_t bytes)
{
    uint8_t *p = NULL;
    if (bytes > CACHE_MAX_BYTES) return NULL;
    pthread_mutex_lock(&cache_lock);
    for (unsigned i = 0; i < ncache; i++) {
        if (cache[i].bytes == bytes) {
            p = cache[i].p;
            cache[i] = cache[--ncache];
            break;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return p;
}

/* Keeps a mapping for reuse, its pages dropped (they read as zero again); false if it must be
 * unmapped instead. */
static bool cache_put(uint8_t *p, size_t bytes)
{
    bool kept = false;
    if (bytes > CACHE_MAX_BYTES || madvise(p, bytes, MADV_DONTNEED) != 0) return false;
    pthread_mutex_lock(&cache_lock);
    if (ncache < CACHE_SLOTS) {
        cache[ncache].p = p;
        cache[ncache].bytes = bytes;
        ncache++;
        kept = true;
    }
    pthread_mutex_unlock(&cache_lock);
    return kept;
}
#else
static uint8_t *cache_take(size_t bytes)
{
    (void)bytes;
    return NULL;
}
static bool cache_put(uint8_t *p, size_t bytes)
{
    (void)p;
    (void)bytes;
    return false;
}
#endif

static uint8_t *map_bytes(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int asw__memory_init(asw_memory_t *m, asw_store_t *store, const asw_limits_type_t *declared,
                     asw_error_t *out_err)
{
    ASW_ASSERT(m && store && declared);
    memset(m, 0, sizeof *m);
    m->store = store;
    m->declared = *declared;
    uint64_t max = declared->has_max ? declared->max : ASW__MAX_PAGES;
    if (max > store->limits.max_memory_pages) max = store->limits.max_memory_pages;
    m->max_pages = (uint32_t)max;
    if (declared->min > m->max_pages)
        return asw__errorf(out_err, ASW_E_LIMIT,
                           "memory of %llu pages exceeds the limit of %u pages",
                           (unsigned long long)declared->min, m->max_pages);
    m->pages = (uint32_t)declared->min;
    m->size = (uint64_t)m->pages * ASW__PAGE_SIZE;
    if (m->size == 0) {
        m->data = empty_memory;
        return ASW_OK;
    }
    m->data = cache_take(m->size);
    if (!m->data) m->data = map_bytes(m->size);
    if (!m->data) {
        m->data = empty_memory;
        m->pages = 0;
        m->size = 0;
        return asw__errorf(out_err, ASW_E_NOMEM, "cannot map %llu bytes of linear memory",
                           (unsigned long long)declared->min * ASW__PAGE_SIZE);
    }
    m->reserved = m->size;
    return ASW_OK;
}

void asw__memory_deinit(asw_memory_t *m)
{
    if (!m) return;
    if (m->reserved && !cache_put(m->data, m->reserved)) munmap(m->data, m->reserved);
    m->data = empty_memory;
    m->reserved = 0;
    m->size = 0;
    m->pages = 0;
}

int64_t asw__memory_grow(asw_memory_t *m, uint32_t delta)
{
    uint32_t old = m->pages;
    if (delta == 0) return old;
    if ((uint64_t)old + delta > m->max_pages) return -1;
    size_t new_size = (size_t)(old + delta) * ASW__PAGE_SIZE;
    uint8_t *nd;
    if (m->reserved == 0) {
        nd = map_bytes(new_size);
    } else {
#ifdef MREMAP_MAYMOVE
        void *p = mremap(m->data, m->reserved, new_size, MREMAP_MAYMOVE);
        nd = p == MAP_FAILED ? NULL : p;
#else
        nd = map_bytes(new_size);
        if (nd) {
            memcpy(nd, m->data, m->size);
            munmap(m->data, m->reserved);
        }
#endif
    }
    if (!nd) return -1;
    m->data = nd;
    m->reserved = new_size;
    m->pages = old + delta;
    m->size = new_size;
    return old;
}

/* ------------------------------------------------------------------ public API */

int asw_memory_new(asw_store_t *store, const asw_limits_type_t *limits, asw_memory_t **out_memory,
                   asw_error_t *out_err)
{
    if (!store || !limits || !out_memory)
        return asw__errorf(out_err, ASW_E_INVALID, "asw_memory_new: missing argument");
    *out_memory = NULL;
    if (limits->min > ASW__MAX_PAGES || (limits->has_max && limits->max > ASW__MAX_PAGES) ||
        (limits->has_max && limits->min > limits->max))
        return asw__errorf(out_err, ASW_E_INVALID, "asw_memory_new: invalid limits");
    if (store->nmemories >= store->limits.max_memories)
        return asw__errorf(out_err, ASW_E_LIMIT, "store limit of %u memories reached",
                           store->limits.max_memories);
    asw_memory_t *m = asw__malloc(sizeof *m);
    if (!m) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory");
    int rc = asw__memory_init(m, store, limits, out_err);
    if (rc) {
        asw__free(m);
        return rc;
    }
    m->next = store->memories;
    store->memories = m;
    store->nmemories++;
    store->bytes_runtime += sizeof *m;
    *out_memory = m;
    return ASW_OK;
}

uint8_t *asw_memory_data(asw_memory_t *m)
{
    return m ? m->data : NULL;
}

uint64_t asw_memory_size(const asw_memory_t *m)
{
    return m ? m->size : 0;
}

uint32_t asw_memory_pages(const asw_memory_t *m)
{
    return m ? m->pages : 0;
}

int asw_memory_grow(asw_memory_t *m, uint32_t delta, uint32_t *out_old_pages)
{
    if (!m) return ASW_E_INVALID;
    int64_t old = asw__memory_grow(m, delta);
    if (old < 0) return ASW_E_LIMIT;
    if (out_old_pages) *out_old_pages = (uint32_t)old;
    return ASW_OK;
}

void asw_memory_type(const asw_memory_t *m, asw_limits_type_t *out)
{
    if (!m || !out) return;
    out->min = m->pages;
    out->max = m->declared.max;
    out->has_max = m->declared.has_max;
}
