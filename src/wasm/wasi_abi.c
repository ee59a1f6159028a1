/*
 * src/wasm/wasi_abi.c -- the guest side of WASI preview 1: one host function per
 * wasi_snapshot_preview1 import. Each decodes its arguments, checks every guest pointer and
 * length against the linear memory, consults the descriptor table (wasi.c) and the OS side
 * (wasi_fs.c), and encodes the results in the preview-1 layout (little-endian, offsets from the
 * witx definitions). See docs/wasi.md.
 *
 * Guest memory rule: a range (ptr, len) is used only when ptr + len <= memory size, computed in
 * 64 bits; every range of a call is checked before the call has any effect, and a bad one makes
 * the call return EFAULT (21). The memory base is fetched once per call: host functions never
 * run guest code, so it cannot move while they run.
 *
 * Does NOT: call the OS directly, implement sockets (sock_* return ENOSYS), signals (proc_raise:
 * ENOSYS), or per-descriptor rights enforcement beyond what the host file modes give (rights
 * are reported and may only shrink, read-only pre-opens refuse every change with EROFS).
 */
#include "wasm/wasi_int.h"

#include <string.h>

/* Rights bits used here. */
#define R_FD_DATASYNC      (UINT64_C(1) << 0)
#define R_FD_READ          (UINT64_C(1) << 1)
#define R_FD_WRITE         (UINT64_C(1) << 6)
#define R_FD_ALLOCATE      (UINT64_C(1) << 8)
#define R_FD_READDIR       (UINT64_C(1) << 14)
#define R_FD_FILESTAT_SIZE (UINT64_C(1) << 22)

/* ------------------------------------------------------------------ guest memory */

typedef struct gmem {
    uint8_t *base;
    uint64_t size;
} gmem_t;

/* Without a memory (or with an empty one) base points here, never NULL: in_mem then admits only
 * zero-length ranges at offset 0, and `m->base + ptr` is never arithmetic on a null pointer. */
static uint8_t no_memory[1];

static void gmem_get(asw_caller_t *caller, gmem_t *m)
{
    asw_memory_t *mem = asw_caller_memory(caller);
    uint8_t *data = mem ? asw_memory_data(mem) : NULL;
    m->base = data ? data : no_memory;
    m->size = data ? asw_memory_size(mem) : 0;
}

/* True when [ptr, ptr + len) lies inside the memory (64-bit arithmetic: no wrap). */
static bool in_mem(const gmem_t *m, uint64_t ptr, uint64_t len)
{
    return ptr <= m->size && len <= m->size - ptr;
}

static void st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void st32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void st64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint16_t ld16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t ld64(const uint8_t *p)
{
    return (uint64_t)ld32(p) | ((uint64_t)ld32(p + 4) << 32);
}

/* Checks an iovec array and every buffer it names. */
static bool iovs_ok(const gmem_t *m, uint32_t iovs, uint32_t n)
{
    if (!in_mem(m, iovs, (uint64_t)n * 8)) return false;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *v = m->base + iovs + (uint64_t)i * 8;
        if (!in_mem(m, ld32(v), ld32(v + 4))) return false;
    }
    return true;
}

/* Arguments: a[i] as unsigned 32 / 64 bits. */
#define A32(i) ((uint32_t)a[i].of.i32)
#define A64(i) ((uint64_t)a[i].of.i64)
#define UNUSED __attribute__((unused))

/* Defines the host function w_<name>, which returns <name>_impl's errno as its i32 result. */
#define WASI_FN(fname)                                                                             \
    static uint16_t fname##_impl(asw_wasi_t *w UNUSED, const gmem_t *m UNUSED,                     \
                                 const asw_val_t *a UNUSED);                                       \
    static int w_##fname(asw_caller_t *caller, void *ud, const asw_val_t *a, size_t na,            \
                         asw_val_t *r, size_t nr)                                                  \
    {                                                                                              \
        (void)na;                                                                                  \
        (void)nr;                                                                                  \
        gmem_t m;                                                                                  \
        gmem_get(caller, &m);                                                                      \
        r[0] = asw_val_i32(fname##_impl(ud, &m, a));                                               \
        return ASW_OK;                                                                             \
    }                                                                                              \
    static uint16_t fname##_impl(asw_wasi_t *w UNUSED, const gmem_t *m UNUSED,                     \
                                 const asw_val_t *a UNUSED)

/* ------------------------------------------------------------------ args, environ */

static uint16_t put_strings(const gmem_t *m, char *const *v, size_t n, size_t bytes, uint32_t ptrs,
                            uint32_t buf)
{
    if (!in_mem(m, ptrs, (uint64_t)n * 4) || !in_mem(m, buf, bytes)) return ASW_WASI_EFAULT;
    uint32_t at = buf;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(v[i]) + 1;
        st32(m->base + ptrs + (uint64_t)i * 4, at);
        memcpy(m->base + at, v[i], l);
        at += (uint32_t)l;
    }
    return 0;
}

static uint16_t put_sizes(const gmem_t *m, size_t n, size_t bytes, uint32_t pn, uint32_t pb)
{
    if (!in_mem(m, pn, 4) || !in_mem(m, pb, 4)) return ASW_WASI_EFAULT;
    if (n > UINT32_MAX || bytes > UINT32_MAX) return WASI_EOVERFLOW;
    st32(m->base + pn, (uint32_t)n);
    st32(m->base + pb, (uint32_t)bytes);
    return 0;
}

WASI_FN(args_get)
{
    return put_strings(m, w->args, w->nargs, w->args_bytes, A32(0), A32(1));
}
WASI_FN(args_sizes_get)
{
    return put_sizes(m, w->nargs, w->args_bytes, A32(0), A32(1));
}
WASI_FN(environ_get)
{
    return put_strings(m, w->env, w->nenv, w->env_bytes, A32(0), A32(1));
}
WASI_FN(environ_sizes_get)
{
    return put_sizes(m, w->nenv, w->env_bytes, A32(0), A32(1));
}

/* ------------------------------------------------------------------ clocks, random, sched */

WASI_FN(clock_res_get)
{
    if (!in_mem(m, A32(1), 8)) return ASW_WASI_EFAULT;
    uint64_t t;
    uint16_t e = asw__wasi_clock_res(A32(0), &t);
    if (!e) st64(m->base + A32(1), t);
    return e;
}

WASI_FN(clock_time_get)
{
    if (!in_mem(m, A32(2), 8)) return ASW_WASI_EFAULT;
    uint64_t t;
    uint16_t e = asw__wasi_clock_time(A32(0), &t);
    if (!e) st64(m->base + A32(2), t);
    return e;
}

WASI_FN(random_get)
{
    if (!in_mem(m, A32(0), A32(1))) return ASW_WASI_EFAULT;
    if (A32(1) == 0) return 0;
    return asw__wasi_random(m->base + A32(0), A32(1));
}

WASI_FN(sched_yield)
{
    return asw__wasi_yield();
}

WASI_FN(proc_raise)
{
    return ASW_WASI_ENOSYS;
}

static int w_proc_exit(asw_caller_t *caller, void *ud, const asw_val_t *a, size_t na, asw_val_t *r,
                       size_t nr)
{
    (void)ud;
    (void)na;
    (void)r;
    (void)nr;
    return asw_caller_exit(caller, a[0].of.i32);
}

/* ------------------------------------------------------------------ descriptors: data */

/* Writes the buffers of one iovec array to descriptor f; *out_n gets the bytes written. Stops
 * at the first short write. `pos` < 0: the current position; otherwise pwrite at pos. */
static uint16_t do_write(asw_wasi_t *w, asw__wasi_fd_t *f, const gmem_t *m, uint32_t iovs,
                         uint32_t n, int64_t pos, uint32_t *out_n)
{
    uint64_t total = 0;
    uint16_t e = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *v = m->base + iovs + (uint64_t)i * 8;
        uint32_t p = ld32(v), len = ld32(v + 4);
        if (len == 0) continue;
        if (total + len > UINT32_MAX) len = (uint32_t)(UINT32_MAX - total);
        if (len == 0) break;
        size_t done = 0;
        if (f->kind == WASI_FD_STDIO && f->host_fd < 0) {
            if (w->stdio_mode[f->stdio] == ASW_WASI_STDIO_BUFFER && f->stdio > 0)
                e = asw__wasi_buf_append(&w->out[f->stdio], m->base + p, len);
            else if (f->stdio == 0)
                e = ASW_WASI_EBADF;
            done = len;
        } else if (pos >= 0) {
            e = asw__wasi_pwrite(f->host_fd, m->base + p, len, (uint64_t)pos + total, &done);
        } else {
            e = asw__wasi_write(f->host_fd, m->base + p, len, &done);
        }
        if (e) break;
        total += done;
        if (done < len) break;
    }
    *out_n = (uint32_t)total;
    return total ? 0 : e; /* a partial transfer is a success */
}

static uint16_t do_read(asw_wasi_t *w, asw__wasi_fd_t *f, const gmem_t *m, uint32_t iovs,
                        uint32_t n, int64_t pos, uint32_t *out_n)
{
    uint64_t total = 0;
    uint16_t e = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *v = m->base + iovs + (uint64_t)i * 8;
        uint32_t p = ld32(v), len = ld32(v + 4);
        if (len == 0) continue;
        if (total + len > UINT32_MAX) len = (uint32_t)(UINT32_MAX - total);
        if (len == 0) break;
        size_t done = 0;
        if (f->kind == WASI_FD_STDIO && f->host_fd < 0) {
            if (f->stdio != 0) {
                e = ASW_WASI_EBADF;
            } else if (w->stdio_mode[0] == ASW_WASI_STDIO_BUFFER) {
                size_t left = w->input_len - w->input_pos;
                done = left < len ? left : len;
                if (done) memcpy(m->base + p, w->input + w->input_pos, done);
                w->input_pos += done;
            }
        } else if (pos >= 0) {
            e = asw__wasi_pread(f->host_fd, m->base + p, len, (uint64_t)pos + total, &done);
        } else {
            e = asw__wasi_read(f->host_fd, m->base + p, len, &done);
        }
        if (e) break;
        total += done;
        if (done < len) break;
    }
    *out_n = (uint32_t)total;
    return total ? 0 : e;
}

/* The descriptor for a data transfer, or the errno saying why not. */
static uint16_t data_fd(asw_wasi_t *w, uint32_t fd, bool positioned, asw__wasi_fd_t **out)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, fd);
    if (!f) return ASW_WASI_EBADF;
    if (f->kind == WASI_FD_DIR) return ASW_WASI_EISDIR;
    if (positioned && f->kind == WASI_FD_STDIO && f->host_fd < 0) return WASI_ESPIPE;
    *out = f;
    return 0;
}

WASI_FN(fd_write)
{
    asw__wasi_fd_t *f = NULL;
    uint16_t e = data_fd(w, A32(0), false, &f);
    if (e) return e;
    if (!iovs_ok(m, A32(1), A32(2)) || !in_mem(m, A32(3), 4)) return ASW_WASI_EFAULT;
    uint32_t n = 0;
    e = do_write(w, f, m, A32(1), A32(2), -1, &n);
    if (!e) st32(m->base + A32(3), n);
    return e;
}

WASI_FN(fd_pwrite)
{
    asw__wasi_fd_t *f = NULL;
    uint16_t e = data_fd(w, A32(0), true, &f);
    if (e) return e;
    if (!iovs_ok(m, A32(1), A32(2)) || !in_mem(m, A32(4), 4)) return ASW_WASI_EFAULT;
    if (A64(3) > (uint64_t)INT64_MAX) return ASW_WASI_EINVAL;
    uint32_t n = 0;
    e = do_write(w, f, m, A32(1), A32(2), (int64_t)A64(3), &n);
    if (!e) st32(m->base + A32(4), n);
    return e;
}

WASI_FN(fd_read)
{
    asw__wasi_fd_t *f = NULL;
    uint16_t e = data_fd(w, A32(0), false, &f);
    if (e) return e;
    if (!iovs_ok(m, A32(1), A32(2)) || !in_mem(m, A32(3), 4)) return ASW_WASI_EFAULT;
    uint32_t n = 0;
    e = do_read(w, f, m, A32(1), A32(2), -1, &n);
    if (!e) st32(m->base + A32(3), n);
    return e;
}

WASI_FN(fd_pread)
{
    asw__wasi_fd_t *f = NULL;
    uint16_t e = data_fd(w, A32(0), true, &f);
    if (e) return e;
    if (!iovs_ok(m, A32(1), A32(2)) || !in_mem(m, A32(4), 4)) return ASW_WASI_EFAULT;
    if (A64(3) > (uint64_t)INT64_MAX) return ASW_WASI_EINVAL;
    uint32_t n = 0;
    e = do_read(w, f, m, A32(1), A32(2), (int64_t)A64(3), &n);
    if (!e) st32(m->base + A32(4), n);
    return e;
}

WASI_FN(fd_seek)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (!in_mem(m, A32(3), 8)) return ASW_WASI_EFAULT;
    if (f->kind == WASI_FD_DIR || f->host_fd < 0) return WASI_ESPIPE;
    uint64_t pos;
    uint16_t e = asw__wasi_seek(f->host_fd, (int64_t)A64(1), (uint8_t)A32(2), &pos);
    if (!e) st64(m->base + A32(3), pos);
    return e;
}

WASI_FN(fd_tell)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (!in_mem(m, A32(1), 8)) return ASW_WASI_EFAULT;
    if (f->kind == WASI_FD_DIR || f->host_fd < 0) return WASI_ESPIPE;
    uint64_t pos;
    uint16_t e = asw__wasi_seek(f->host_fd, 0, 1, &pos);
    if (!e) st64(m->base + A32(1), pos);
    return e;
}

WASI_FN(fd_close)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    asw__wasi_fd_release(f);
    return 0;
}

WASI_FN(fd_sync)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (f->host_fd < 0) return 0;
    return asw__wasi_sync(f->host_fd, false);
}

WASI_FN(fd_datasync)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (f->host_fd < 0) return 0;
    return asw__wasi_sync(f->host_fd, true);
}

WASI_FN(fd_advise)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (f->kind == WASI_FD_DIR) return ASW_WASI_EISDIR;
    if (f->kind != WASI_FD_FILE) return WASI_ESPIPE;
    return asw__wasi_advise(f->host_fd, A64(1), A64(2), (uint8_t)A32(3));
}

WASI_FN(fd_allocate)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (f->kind == WASI_FD_DIR) return ASW_WASI_EISDIR;
    if (f->kind != WASI_FD_FILE) return WASI_ESPIPE;
    if (f->read_only) return ASW_WASI_EROFS;
    return asw__wasi_allocate(f->host_fd, A64(1), A64(2));
}

/* ------------------------------------------------------------------ descriptors: metadata */

static void put_filestat(uint8_t *p, const asw__wasi_stat_t *st)
{
    memset(p, 0, 64);
    st64(p + 0, st->dev);
    st64(p + 8, st->ino);
    p[16] = st->filetype;
    st64(p + 24, st->nlink);
    st64(p + 32, st->size);
    st64(p + 40, st->atim);
    st64(p + 48, st->mtim);
    st64(p + 56, st->ctim);
}

WASI_FN(fd_fdstat_get)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (!in_mem(m, A32(1), 24)) return ASW_WASI_EFAULT;
    uint16_t flags = f->fdflags;
    if (f->host_fd >= 0 && f->kind != WASI_FD_DIR) (void)asw__wasi_fd_flags(f->host_fd, &flags);
    uint8_t *p = m->base + A32(1);
    memset(p, 0, 24);
    p[0] = f->filetype;
    st16(p + 2, flags);
    st64(p + 8, f->rights_base);
    st64(p + 16, f->rights_inheriting);
    return 0;
}

WASI_FN(fd_fdstat_set_flags)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    uint16_t flags = (uint16_t)A32(1);
    if (A32(1) > 0x1F) return ASW_WASI_EINVAL;
    /* The standard streams may be the host's own: never change their modes. */
    if (f->kind != WASI_FD_FILE) return flags == 0 ? 0 : ASW_WASI_ENOTSUP;
    uint16_t e = asw__wasi_set_fd_flags(f->host_fd, flags);
    if (!e) f->fdflags = flags;
    return e;
}

WASI_FN(fd_fdstat_set_rights)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    /* Rights may only shrink. */
    if ((A64(1) & ~f->rights_base) || (A64(2) & ~f->rights_inheriting)) return ASW_WASI_ENOTCAPABLE;
    f->rights_base = A64(1);
    f->rights_inheriting = A64(2);
    return 0;
}

WASI_FN(fd_filestat_get)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (!in_mem(m, A32(1), 64)) return ASW_WASI_EFAULT;
    asw__wasi_stat_t st = {.filetype = WASI_FILETYPE_CHAR};
    if (f->host_fd >= 0) {
        uint16_t e = asw__wasi_fstat(f->host_fd, &st);
        if (e) return e;
    }
    put_filestat(m->base + A32(1), &st);
    return 0;
}

WASI_FN(fd_filestat_set_size)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (f->kind == WASI_FD_DIR) return ASW_WASI_EISDIR;
    if (f->kind != WASI_FD_FILE) return ASW_WASI_EINVAL;
    if (f->read_only) return ASW_WASI_EROFS;
    return asw__wasi_truncate(f->host_fd, A64(1));
}

WASI_FN(fd_filestat_set_times)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (f->kind != WASI_FD_FILE && f->kind != WASI_FD_DIR) return ASW_WASI_EINVAL;
    if (f->read_only) return ASW_WASI_EROFS;
    return asw__wasi_set_times(f->host_fd, NULL, false, A64(1), A64(2), (uint16_t)A32(3));
}

WASI_FN(fd_prestat_get)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f || f->preopen < 0) return ASW_WASI_EBADF;
    if (!in_mem(m, A32(1), 8)) return ASW_WASI_EFAULT;
    uint8_t *p = m->base + A32(1);
    memset(p, 0, 8);
    st32(p + 4, (uint32_t)strlen(w->preopens[f->preopen].guest));
    return 0;
}

WASI_FN(fd_prestat_dir_name)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f || f->preopen < 0) return ASW_WASI_EBADF;
    const char *name = w->preopens[f->preopen].guest;
    size_t n = strlen(name);
    if (!in_mem(m, A32(1), A32(2))) return ASW_WASI_EFAULT;
    if (A32(2) < n) return WASI_ENAMETOOLONG;
    memcpy(m->base + A32(1), name, n);
    return 0;
}

WASI_FN(fd_renumber)
{
    uint32_t from = A32(0), to = A32(1);
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, from);
    asw__wasi_fd_t *t = asw__wasi_fd_get(w, to);
    if (!f || !t) return ASW_WASI_EBADF;
    if (from == to) return 0;
    asw__wasi_fd_release(t);
    *t = *f;
    memset(f, 0, sizeof(*f));
    f->host_fd = -1;
    f->preopen = -1;
    return 0;
}

/* fd_readdir writes dirent headers and names until the buffer is full (the last entry may be
 * cut short: that tells the guest to retry with a larger buffer). */
typedef struct rd_ctx {
    uint8_t *dst;
    uint32_t len, used;
} rd_ctx_t;

static void rd_put(rd_ctx_t *c, const void *src, size_t n)
{
    size_t room = c->len - c->used;
    if (n > room) n = room;
    if (n) memcpy(c->dst + c->used, src, n);
    c->used += (uint32_t)n;
}

static bool rd_emit(void *ctx, uint64_t next, uint64_t ino, uint8_t type, const char *name,
                    size_t namlen)
{
    rd_ctx_t *c = ctx;
    uint8_t h[24] = {0};
    st64(h, next);
    st64(h + 8, ino);
    st32(h + 16, (uint32_t)namlen);
    h[20] = type;
    rd_put(c, h, sizeof(h));
    rd_put(c, name, namlen);
    return c->used < c->len;
}

WASI_FN(fd_readdir)
{
    asw__wasi_fd_t *f = asw__wasi_fd_get(w, A32(0));
    if (!f) return ASW_WASI_EBADF;
    if (f->kind != WASI_FD_DIR) return ASW_WASI_ENOTDIR;
    if (!in_mem(m, A32(1), A32(2)) || !in_mem(m, A32(4), 4)) return ASW_WASI_EFAULT;
    uint16_t e = asw__wasi_check(w, f->host_path, ASW_WASI_ACCESS_LIST);
    if (e) return e;
    rd_ctx_t c = {m->base + A32(1), A32(2), 0};
    if (c.len > 0) e = asw__wasi_readdir(&f->dir, f->host_fd, A64(3), rd_emit, &c);
    if (!e) st32(m->base + A32(4), c.used);
    return e;
}

/* ------------------------------------------------------------------ paths */

/* Resolves (dirfd, guest path) beneath that directory descriptor. */
static uint16_t resolve(asw_wasi_t *w, const gmem_t *m, uint32_t dirfd, uint32_t path, uint32_t len,
                        bool follow, asw__wasi_fd_t **out_dir, asw__wasi_path_t *out)
{
    out->parent_fd = -1;
    out->host_path = NULL;
    out->buf = NULL;
    asw__wasi_fd_t *d = asw__wasi_fd_get(w, dirfd);
    if (!d) return ASW_WASI_EBADF;
    if (d->kind != WASI_FD_DIR) return ASW_WASI_ENOTDIR;
    if (!in_mem(m, path, len)) return ASW_WASI_EFAULT;
    if (out_dir) *out_dir = d;
    return asw__wasi_resolve(d->host_fd, d->host_path, (const char *)m->base + path, len, follow,
                             out);
}

WASI_FN(path_open)
{
    uint32_t dirflags = A32(1), oflags = A32(4), fdflags = A32(7);
    uint64_t rights = A64(5), inheriting = A64(6);
    if (!in_mem(m, A32(8), 4)) return ASW_WASI_EFAULT;
    if (oflags > 0xF || fdflags > 0x1F) return ASW_WASI_EINVAL;
    asw__wasi_fd_t *d = NULL;
    asw__wasi_path_t p;
    uint16_t e = resolve(w, m, A32(0), A32(2), A32(3), dirflags & 1, &d, &p);
    if (e) return e;
    bool want_write = (rights & (R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SIZE)) != 0 ||
                      (fdflags & WASI_FDFLAG_APPEND);
    bool want_read = (rights & (R_FD_READ | R_FD_READDIR)) != 0;
    if (p.must_dir) oflags |= WASI_OFLAG_DIRECTORY;
    if (d->read_only && (want_write || (oflags & (WASI_OFLAG_CREAT | WASI_OFLAG_TRUNC)))) {
        e = ASW_WASI_EROFS;
        goto done;
    }
    asw__wasi_stat_t st;
    uint16_t se = asw__wasi_stat_at(p.parent_fd, p.name, false, &st);
    asw_wasi_access_t acc;
    if (se == ASW_WASI_ENOENT && (oflags & WASI_OFLAG_CREAT))
        acc = ASW_WASI_ACCESS_CREATE;
    else if (want_write || (oflags & WASI_OFLAG_TRUNC))
        acc = ASW_WASI_ACCESS_WRITE;
    else if (!se && st.filetype == WASI_FILETYPE_DIRECTORY)
        acc = ASW_WASI_ACCESS_LIST;
    else
        acc = ASW_WASI_ACCESS_READ;
    if ((e = asw__wasi_check(w, p.host_path, acc))) goto done;
    int64_t slot = asw__wasi_fd_alloc(w);
    if (slot < 0) {
        e = WASI_EMFILE;
        goto done;
    }
    d = NULL; /* the table may have moved */
    int hfd = -1;
    uint8_t type = 0;
    e = asw__wasi_open_at(p.parent_fd, p.name, (uint16_t)oflags, want_read, want_write,
                          (uint16_t)fdflags, &hfd, &type);
    if (e) goto done;
    asw__wasi_fd_t *parent = asw__wasi_fd_get(w, A32(0));
    asw__wasi_fd_t *f = &w->fds[slot];
    f->kind = type == WASI_FILETYPE_DIRECTORY ? WASI_FD_DIR : WASI_FD_FILE;
    f->filetype = type;
    f->fdflags = (uint16_t)fdflags;
    f->host_fd = hfd;
    f->preopen = -1;
    f->read_only = parent->read_only;
    f->host_path = p.host_path;
    p.host_path = NULL;
    f->rights_base = rights & parent->rights_inheriting;
    f->rights_inheriting = inheriting & parent->rights_inheriting;
    st32(m->base + A32(8), (uint32_t)slot);
done:
    asw__wasi_path_free(&p);
    return e;
}

WASI_FN(path_filestat_get)
{
    if (!in_mem(m, A32(4), 64)) return ASW_WASI_EFAULT;
    asw__wasi_path_t p;
    uint16_t e = resolve(w, m, A32(0), A32(2), A32(3), A32(1) & 1, NULL, &p);
    if (e) return e;
    asw__wasi_stat_t st;
    if (!(e = asw__wasi_check(w, p.host_path, ASW_WASI_ACCESS_STAT)) &&
        !(e = asw__wasi_stat_at(p.parent_fd, p.name, A32(1) & 1, &st)))
        put_filestat(m->base + A32(4), &st);
    asw__wasi_path_free(&p);
    return e;
}

WASI_FN(path_filestat_set_times)
{
    asw__wasi_fd_t *d = NULL;
    asw__wasi_path_t p;
    uint16_t e = resolve(w, m, A32(0), A32(2), A32(3), A32(1) & 1, &d, &p);
    if (e) return e;
    if (d->read_only) e = ASW_WASI_EROFS;
    if (!e) e = asw__wasi_check(w, p.host_path, ASW_WASI_ACCESS_WRITE);
    if (!e)
        e = asw__wasi_set_times(p.parent_fd, p.name, A32(1) & 1, A64(4), A64(5), (uint16_t)A32(6));
    asw__wasi_path_free(&p);
    return e;
}

/* One-path namespace change: mkdir, rmdir, unlink. */
static uint16_t path_change(asw_wasi_t *w, const gmem_t *m, const asw_val_t *a,
                            asw_wasi_access_t acc, uint16_t (*op)(int, const char *))
{
    asw__wasi_fd_t *d = NULL;
    asw__wasi_path_t p;
    uint16_t e = resolve(w, m, A32(0), A32(1), A32(2), false, &d, &p);
    if (e) return e;
    if (d->read_only) e = ASW_WASI_EROFS;
    if (!e) e = asw__wasi_check(w, p.host_path, acc);
    if (!e) e = op(p.parent_fd, p.name);
    asw__wasi_path_free(&p);
    return e;
}

WASI_FN(path_create_directory)
{
    return path_change(w, m, a, ASW_WASI_ACCESS_CREATE, asw__wasi_mkdir);
}
WASI_FN(path_remove_directory)
{
    return path_change(w, m, a, ASW_WASI_ACCESS_DELETE, asw__wasi_rmdir);
}
WASI_FN(path_unlink_file)
{
    return path_change(w, m, a, ASW_WASI_ACCESS_DELETE, asw__wasi_unlink);
}

WASI_FN(path_rename)
{
    asw__wasi_fd_t *d1 = NULL, *d2 = NULL;
    asw__wasi_path_t p1, p2;
    uint16_t e = resolve(w, m, A32(0), A32(1), A32(2), false, &d1, &p1);
    if (e) return e;
    e = resolve(w, m, A32(3), A32(4), A32(5), false, &d2, &p2);
    if (e) {
        asw__wasi_path_free(&p1);
        return e;
    }
    if (d1->read_only || d2->read_only) e = ASW_WASI_EROFS;
    if (!e) e = asw__wasi_check(w, p1.host_path, ASW_WASI_ACCESS_DELETE);
    if (!e) e = asw__wasi_check(w, p2.host_path, ASW_WASI_ACCESS_CREATE);
    if (!e) e = asw__wasi_rename(p1.parent_fd, p1.name, p2.parent_fd, p2.name);
    asw__wasi_path_free(&p1);
    asw__wasi_path_free(&p2);
    return e;
}

WASI_FN(path_link)
{
    asw__wasi_fd_t *d1 = NULL, *d2 = NULL;
    asw__wasi_path_t p1, p2;
    uint16_t e = resolve(w, m, A32(0), A32(2), A32(3), A32(1) & 1, &d1, &p1);
    if (e) return e;
    e = resolve(w, m, A32(4), A32(5), A32(6), false, &d2, &p2);
    if (e) {
        asw__wasi_path_free(&p1);
        return e;
    }
    if (d2->read_only) e = ASW_WASI_EROFS;
    if (!e) e = asw__wasi_check(w, p1.host_path, ASW_WASI_ACCESS_READ);
    if (!e) e = asw__wasi_check(w, p2.host_path, ASW_WASI_ACCESS_CREATE);
    if (!e) e = asw__wasi_link(p1.parent_fd, p1.name, p2.parent_fd, p2.name);
    asw__wasi_path_free(&p1);
    asw__wasi_path_free(&p2);
    return e;
}

WASI_FN(path_symlink)
{
    uint32_t tp = A32(0), tl = A32(1);
    if (!in_mem(m, tp, tl)) return ASW_WASI_EFAULT;
    if (tl == 0) return ASW_WASI_ENOENT;
    if (tl > WASI_PATH_MAX) return WASI_ENAMETOOLONG;
    const char *t = (const char *)m->base + tp;
    if (memchr(t, '\0', tl)) return ASW_WASI_EINVAL;
    /* A host-absolute target would mean something else outside the sandbox. Relative targets
     * are harmless: following them goes through the same beneath-the-root resolution. */
    if (t[0] == '/') return ASW_WASI_ENOTCAPABLE;
    asw__wasi_fd_t *d = NULL;
    asw__wasi_path_t p;
    uint16_t e = resolve(w, m, A32(2), A32(3), A32(4), false, &d, &p);
    if (e) return e;
    char *target = asw__strndup(t, tl);
    if (!target) e = WASI_ENOMEM;
    if (!e && d->read_only) e = ASW_WASI_EROFS;
    if (!e) e = asw__wasi_check(w, p.host_path, ASW_WASI_ACCESS_CREATE);
    if (!e) e = asw__wasi_symlink(target, p.parent_fd, p.name);
    asw__free(target);
    asw__wasi_path_free(&p);
    return e;
}

WASI_FN(path_readlink)
{
    if (!in_mem(m, A32(3), A32(4)) || !in_mem(m, A32(5), 4)) return ASW_WASI_EFAULT;
    asw__wasi_path_t p;
    uint16_t e = resolve(w, m, A32(0), A32(1), A32(2), false, NULL, &p);
    if (e) return e;
    size_t n = 0;
    e = asw__wasi_check(w, p.host_path, ASW_WASI_ACCESS_READ);
    if (!e && A32(4) > 0)
        e = asw__wasi_readlink(p.parent_fd, p.name, (char *)m->base + A32(3), A32(4), &n);
    if (!e) st32(m->base + A32(5), (uint32_t)n);
    asw__wasi_path_free(&p);
    return e;
}

/* ------------------------------------------------------------------ poll_oneoff */

#define POLL_MAX 64

WASI_FN(poll_oneoff)
{
    uint32_t in = A32(0), out = A32(1), n = A32(2);
    if (n == 0) return ASW_WASI_EINVAL;
    if (!in_mem(m, in, (uint64_t)n * 48) || !in_mem(m, out, (uint64_t)n * 32) ||
        !in_mem(m, A32(3), 4))
        return ASW_WASI_EFAULT;
    if (n > POLL_MAX) return ASW_WASI_ENOTSUP;

    uint64_t start = 0;
    (void)asw__wasi_clock_time(1, &start);
    uint64_t rel[POLL_MAX]; /* clock subscriptions: relative timeout */
    uint16_t err[POLL_MAX]; /* immediate error */
    uint8_t kind[POLL_MAX], rbits[POLL_MAX];
    uint64_t nbytes[POLL_MAX];
    int hfds[POLL_MAX];
    uint8_t hev[POLL_MAX], hready[POLL_MAX];
    size_t hidx[POLL_MAX], nh = 0;
    uint64_t timeout = UINT64_MAX;

    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *s = m->base + in + (uint64_t)i * 48;
        kind[i] = s[8];
        err[i] = 0;
        rbits[i] = 0;
        nbytes[i] = 0;
        rel[i] = UINT64_MAX;
        if (kind[i] == 0) { /* clock */
            uint32_t id = ld32(s + 16);
            uint64_t t = ld64(s + 24);
            uint16_t flags = ld16(s + 40);
            uint64_t now;
            if ((err[i] = asw__wasi_clock_time(id, &now))) continue;
            rel[i] = (flags & 1) ? (t > now ? t - now : 0) : t;
            if (rel[i] < timeout) timeout = rel[i];
        } else if (kind[i] == 1 || kind[i] == 2) {
            asw__wasi_fd_t *f = asw__wasi_fd_get(w, ld32(s + 16));
            if (!f) {
                err[i] = ASW_WASI_EBADF;
            } else if (f->kind == WASI_FD_DIR) {
                err[i] = ASW_WASI_EISDIR;
            } else if (f->host_fd < 0) { /* buffer or null stream: always ready */
                rbits[i] = 1;
                if (kind[i] == 1 && f->stdio == 0 && w->stdio_mode[0] == ASW_WASI_STDIO_BUFFER)
                    nbytes[i] = w->input_len - w->input_pos;
            } else if (f->filetype == WASI_FILETYPE_REGULAR) {
                rbits[i] = 1;
                if (kind[i] == 1) nbytes[i] = asw__wasi_readable(f->host_fd);
            } else {
                hfds[nh] = f->host_fd;
                hev[nh] = kind[i] == 1 ? 1 : 2;
                hidx[nh++] = i;
                continue;
            }
        } else {
            err[i] = ASW_WASI_EINVAL;
        }
    }
    /* A subscription already decided (an error, an always-ready stream) means: do not wait. */
    bool immediate = false;
    for (uint32_t i = 0; i < n; i++)
        if (err[i] || rbits[i]) immediate = true;
    if (immediate) timeout = 0;
    if (w->deadline_ns) { /* never sleep past the run's deadline */
        uint64_t left = w->deadline_ns > start ? w->deadline_ns - start : 0;
        if (left < timeout) timeout = left;
    }
    if (nh > 0 || timeout > 0) {
        uint16_t e = asw__wasi_wait(hfds, hev, hready, nh, timeout);
        if (e) return e;
    }
    for (size_t j = 0; j < nh; j++) {
        size_t i = hidx[j];
        if (hready[j] & 8)
            err[i] = ASW_WASI_EBADF;
        else if (hready[j])
            rbits[i] = (uint8_t)(1 | (hready[j] & 4 ? 2 : 0));
        if (rbits[i] && kind[i] == 1) nbytes[i] = asw__wasi_readable(hfds[j]);
    }
    uint64_t now = start;
    (void)asw__wasi_clock_time(1, &now);
    uint64_t elapsed = now - start;
    uint32_t nev = 0;
    for (uint32_t i = 0; i < n; i++) {
        bool fire = err[i] != 0 || rbits[i] != 0 || (kind[i] == 0 && elapsed >= rel[i]);
        if (!fire) continue;
        const uint8_t *s = m->base + in + (uint64_t)i * 48;
        uint8_t *ev = m->base + out + (uint64_t)nev * 32;
        memset(ev, 0, 32);
        memcpy(ev, s, 8); /* userdata */
        st16(ev + 8, err[i]);
        ev[10] = kind[i];
        if (kind[i] != 0) {
            st64(ev + 16, nbytes[i]);
            st16(ev + 24, (uint16_t)(rbits[i] & 2 ? 1 : 0));
        }
        nev++;
    }
    st32(m->base + A32(3), nev);
    return 0;
}

/* ------------------------------------------------------------------ sockets: not supported */

WASI_FN(sock_accept)
{
    return ASW_WASI_ENOSYS;
}
WASI_FN(sock_recv)
{
    return ASW_WASI_ENOSYS;
}
WASI_FN(sock_send)
{
    return ASW_WASI_ENOSYS;
}
WASI_FN(sock_shutdown)
{
    return ASW_WASI_ENOSYS;
}

/* ------------------------------------------------------------------ the table */

/* Parameter type strings: each byte is a value type (string literals: static storage). */
#define I "\x7f"
#define L "\x7e"
#define DEF(name, params)                                                                          \
    {                                                                                              \
#name, w_##name, (const uint8_t *)(params), sizeof(params) - 1, 1                          \
    }

static const asw__wasi_def_t defs[] = {
    DEF(args_get, I I),
    DEF(args_sizes_get, I I),
    DEF(environ_get, I I),
    DEF(environ_sizes_get, I I),
    DEF(clock_res_get, I I),
    DEF(clock_time_get, I L I),
    DEF(fd_advise, I L L I),
    DEF(fd_allocate, I L L),
    DEF(fd_close, I),
    DEF(fd_datasync, I),
    DEF(fd_fdstat_get, I I),
    DEF(fd_fdstat_set_flags, I I),
    DEF(fd_fdstat_set_rights, I L L),
    DEF(fd_filestat_get, I I),
    DEF(fd_filestat_set_size, I L),
    DEF(fd_filestat_set_times, I L L I),
    DEF(fd_pread, I I I L I),
    DEF(fd_prestat_get, I I),
    DEF(fd_prestat_dir_name, I I I),
    DEF(fd_pwrite, I I I L I),
    DEF(fd_read, I I I I),
    DEF(fd_readdir, I I I L I),
    DEF(fd_renumber, I I),
    DEF(fd_seek, I L I I),
    DEF(fd_sync, I),
    DEF(fd_tell, I I),
    DEF(fd_write, I I I I),
    DEF(path_create_directory, I I I),
    DEF(path_filestat_get, I I I I I),
    DEF(path_filestat_set_times, I I I I L L I),
    DEF(path_link, I I I I I I I),
    DEF(path_open, I I I I I L L I I),
    DEF(path_readlink, I I I I I I),
    DEF(path_remove_directory, I I I),
    DEF(path_rename, I I I I I I),
    DEF(path_symlink, I I I I I),
    DEF(path_unlink_file, I I I),
    DEF(poll_oneoff, I I I I),
    {"proc_exit", w_proc_exit, (const uint8_t *)(I), 1, 0},
    DEF(proc_raise, I),
    DEF(sched_yield, ""),
    DEF(random_get, I I),
    DEF(sock_accept, I I I),
    DEF(sock_recv, I I I I I I),
    DEF(sock_send, I I I I I),
    DEF(sock_shutdown, I I),
};

const asw__wasi_def_t *asw__wasi_defs(size_t *out_n)
{
    *out_n = ASW_ARRAY_LEN(defs);
    return defs;
}
