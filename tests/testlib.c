/*
 * tests/testlib.c -- the failure-injecting allocator, small file helpers and the temporary
 * directory fixture for tests.
 *
 * Each block carries a 16-byte header with its size so the allocator can enforce a ceiling and
 * count live bytes. The allocator is process-wide and guarded by a mutex: threaded tests may use
 * it too.
 *
 * A test's temporary directory is made by mkdtemp under /tmp and removed by nftw walking it
 * depth first without following links (FTW_PHYS): tests plant symbolic links to /etc and out of
 * their sandbox, and a removal must take the link, never what it points to. No shell is run.
 */
#define _XOPEN_SOURCE 700 /* nftw, realpath */
#include "testlib.h"

#include "airssys/wasm.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

char *asw_test_read_text(const char *path)
{
    size_t n;
    uint8_t *d = asw_test_read_file(path, &n);
    if (!d) fail_msg("cannot read %s", path);
    char *t = malloc(n + 1);
    if (!t) fail_msg("out of memory reading %s", path);
    memcpy(t, d, n);
    t[n] = 0;
    free(d);
    return t;
}

void asw_test_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("cannot create %s", path);
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    if (fclose(f) != 0 || !ok) fail_msg("cannot write %s", path);
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

int asw_test_tmpdir_new(char *dir, size_t cap, const char *tag)
{
    char tmpl[PATH_MAX], canon[PATH_MAX];
    int n = tag && !strchr(tag, '/') ? snprintf(tmpl, sizeof tmpl, "/tmp/asw_%s_XXXXXX", tag) : -1;
    if (!dir || n < 0 || (size_t)n >= sizeof tmpl) {
        errno = EINVAL;
        return -1;
    }
    if (!mkdtemp(tmpl)) return -1;
    const char *real = realpath(tmpl, canon);
    if (!real || strlen(canon) >= cap) {
        int saved = real ? ENAMETOOLONG : errno;
        rmdir(tmpl);
        errno = saved;
        return -1;
    }
    memcpy(dir, canon, strlen(canon) + 1);
    return 0;
}

static _Thread_local int remove_failed; /* errno of the first entry nftw could not remove */

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)ftw;
    /* Depth first: a directory comes after its entries (FTW_DP), or as FTW_DNR when it could
     * not be read, whose rmdir then fails unless it is empty. Everything else, links included
     * (FTW_SL, since FTW_PHYS never follows them), is unlinked. */
    int rc = (type == FTW_DP || type == FTW_DNR) ? rmdir(path) : unlink(path);
    if (rc && !remove_failed) remove_failed = errno;
    return 0; /* go on: remove all that can be removed */
}

int asw_test_tmpdir_remove(const char *dir)
{
    if (!dir || !dir[0]) return 0;
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    if (strncmp(base, "asw_", 4) != 0) {
        errno = EINVAL;
        return -1;
    }
    remove_failed = 0;
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) return -1;
    if (remove_failed) {
        errno = remove_failed;
        return -1;
    }
    return 0;
}

const char *asw_test_path_in(const char *dir, const char *name)
{
    static char ring[4][PATH_MAX];
    static unsigned next;
    char *buf = ring[next++ % 4];
    int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= PATH_MAX)
        fail_msg("path %.200s/%.200s does not fit in %d bytes", dir, name, PATH_MAX);
    return buf;
}

void asw_test_quiet_log(void *ud, int level, const char *comp, const char *msg, size_t len)
{
    (void)ud, (void)level, (void)comp, (void)msg, (void)len;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

uint32_t asw_test_rand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

size_t asw_test_mutate(const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       const uint8_t *interesting, size_t ninteresting)
{
    memcpy(out, in, n);
    unsigned rounds = 1 + asw_test_rand() % 4;
    for (unsigned r = 0; r < rounds && n > 0; r++) {
        size_t at = asw_test_rand() % n;
        switch (asw_test_rand() % 6) {
        case 0: out[at] ^= (uint8_t)(1u << (asw_test_rand() % 8)); break;
        case 1: n = at; break;
        case 2:
            if (n < cap) {
                memmove(out + at + 1, out + at, n - at);
                out[at] = (uint8_t)asw_test_rand();
                n++;
            }
            break;
        case 3:
            memmove(out + at, out + at + 1, n - at - 1);
            n--;
            break;
        case 4:
            if (ninteresting) out[at] = interesting[asw_test_rand() % ninteresting];
            break;
        default: /* stretch a LEB128 byte: x -> (x|0x80) 0x00 */
            if (n < cap && out[at] < 0x80) {
                memmove(out + at + 1, out + at, n - at);
                out[at] |= 0x80;
                out[at + 1] = 0;
                n++;
            }
            break;
        }
    }
    return n;
}
