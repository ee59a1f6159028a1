/*
 * tests/testlib.c -- the failure-injecting allocator and small file helpers for tests.
 *
 * Each block carries a 16-byte header with its size so the allocator can enforce a ceiling and
 * count live bytes. The allocator is process-wide and guarded by a mutex: threaded tests may use
 * it too.
 */
#include "testlib.h"

#include "airssys/wasm.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t size;
    size_t pad;
} hdr_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long fail_at_n, count_n;
static size_t ceiling_bytes, live_bytes;
static long live_blocks;

static int should_fail(size_t add)
{
    count_n++;
    if (fail_at_n && count_n == fail_at_n) return 1;
    if (ceiling_bytes && live_bytes + add > ceiling_bytes) return 1;
    return 0;
}

static void *t_malloc(void *ud, size_t size)
{
    (void)ud;
    pthread_mutex_lock(&lock);
    int fail = should_fail(size);
    pthread_mutex_unlock(&lock);
    if (fail) return NULL;
    hdr_t *h = malloc(sizeof(hdr_t) + (size ? size : 1));
    if (!h) return NULL;
    h->size = size;
    pthread_mutex_lock(&lock);
    live_bytes += size;
    live_blocks++;
    pthread_mutex_unlock(&lock);
    return h + 1;
}

static void t_free(void *ud, void *ptr)
{
    (void)ud;
    if (!ptr) return;
    hdr_t *h = (hdr_t *)ptr - 1;
    pthread_mutex_lock(&lock);
    live_bytes -= h->size;
    live_blocks--;
    pthread_mutex_unlock(&lock);
    free(h);
}

static void *t_realloc(void *ud, void *ptr, size_t size)
{
    if (!ptr) return t_malloc(ud, size);
    hdr_t *old = (hdr_t *)ptr - 1;
    pthread_mutex_lock(&lock);
    int fail = should_fail(size > old->size ? size - old->size : 0);
    pthread_mutex_unlock(&lock);
    if (fail) return NULL;
    size_t old_size = old->size;
    hdr_t *h = realloc(old, sizeof(hdr_t) + (size ? size : 1));
    if (!h) return NULL;
    h->size = size;
    pthread_mutex_lock(&lock);
    live_bytes = live_bytes - old_size + size;
    pthread_mutex_unlock(&lock);
    return h + 1;
}

void asw_test_alloc_install(unsigned long fail_at, size_t ceiling)
{
    pthread_mutex_lock(&lock);
    fail_at_n = fail_at;
    ceiling_bytes = ceiling;
    count_n = 0;
    live_bytes = 0;
    live_blocks = 0;
    pthread_mutex_unlock(&lock);
    asw_allocator_t a = {t_malloc, t_realloc, t_free, NULL};
    asw_set_allocator(&a);
}

long asw_test_alloc_uninstall(void)
{
    asw_thread_cache_free(); /* this thread's kept exec stacks are a cache, not a leak */
    asw_set_allocator(NULL);
    pthread_mutex_lock(&lock);
    long n = live_blocks;
    pthread_mutex_unlock(&lock);
    return n;
}

unsigned long asw_test_alloc_count(void)
{
    pthread_mutex_lock(&lock);
    unsigned long n = count_n;
    pthread_mutex_unlock(&lock);
    return n;
}

size_t asw_test_alloc_live_bytes(void)
{
    pthread_mutex_lock(&lock);
    size_t n = live_bytes;
    pthread_mutex_unlock(&lock);
    return n;
}

uint8_t *asw_test_read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0) break;
        len += n;
    }
    fclose(f);
    if (out_len) *out_len = len;
    return buf;
}

static const char *join(const char *env, const char *fallback, const char *rel)
{
    static char buf[4096];
    const char *base = getenv(env);
    snprintf(buf, sizeof buf, "%s/%s", base ? base : fallback, rel);
    return buf;
}

const char *asw_test_src_path(const char *rel)
{
    return join("ASW_SOURCE_DIR", ".", rel);
}

const char *asw_test_bin_path(const char *rel)
{
    return join("ASW_BINARY_DIR", ".", rel);
}
