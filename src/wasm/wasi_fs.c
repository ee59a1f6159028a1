/*
 * src/wasm/wasi_fs.c -- the OS side of the WASI host module: resolving guest paths beneath a
 * directory descriptor, opening, stat, directory listing, file data, clocks, randomness and
 * sleeping. Every function answers a WASI errno (0: success). See docs/wasi.md.
 *
 * Path resolution (asw__wasi_resolve). A guest path is resolved one component at a time
 * starting from the directory descriptor it names, which is the root the path may not leave:
 *  - an absolute path is refused (ENOTCAPABLE);
 *  - every intermediate component is opened with openat(O_DIRECTORY | O_NOFOLLOW) relative to
 *    the descriptor of its parent, so a component swapped for a symlink behind our back makes
 *    the open fail (ELOOP) instead of escaping;
 *  - `..` pops one component (the parent is reopened from the root along the remembered names);
 *    popping the root is refused (ENOTCAPABLE);
 *  - a symbolic link is read with readlinkat and its target spliced into the remaining path,
 *    so it is resolved by these same rules: an absolute target is refused, a target that climbs
 *    above the root is refused; at most WASI_SYMLINK_MAX links per resolution (ELOOP).
 * The result is the descriptor of the final component's parent plus its name; callers then use
 * *at(parent, name) with AT_SYMLINK_NOFOLLOW / O_NOFOLLOW, so the final step is race-free too.
 * The canonical host path (root path + the names walked) is what the policy callback sees.
 *
 * Does NOT: touch guest memory, know about the descriptor table, or implement sockets.
 */
#define _GNU_SOURCE /* getrandom, d_type, UTIME_*, O_NOFOLLOW/O_DIRECTORY, FIONREAD */

#include "wasm/wasi_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ errno */

uint16_t asw__wasi_errno(int e)
{
    switch (e) {
    case 0: return 0;
    case E2BIG: return 1;
    case EACCES: return 2;
    case EADDRINUSE: return 3;
    case EADDRNOTAVAIL: return 4;
    case EAFNOSUPPORT: return 5;
    case EAGAIN: return 6;
    case EALREADY: return 7;
    case EBADF: return 8;
    case EBADMSG: return 9;
    case EBUSY: return 10;
    case ECANCELED: return 11;
    case ECHILD: return 12;
    case ECONNABORTED: return 13;
    case ECONNREFUSED: return 14;
    case ECONNRESET: return 15;
    case EDEADLK: return 16;
    case EDESTADDRREQ: return 17;
    case EDOM: return 18;
    case EDQUOT: return 19;
    case EEXIST: return 20;
    case EFAULT: return 21;
    case EFBIG: return 22;
    case EHOSTUNREACH: return 23;
    case EIDRM: return 24;
    case EILSEQ: return 25;
    case EINPROGRESS: return 26;
    case EINTR: return 27;
    case EINVAL: return 28;
    case EIO: return 29;
    case EISCONN: return 30;
    case EISDIR: return 31;
    case ELOOP: return 32;
    case EMFILE: return 33;
    case EMLINK: return 34;
    case EMSGSIZE: return 35;
    case EMULTIHOP: return 36;
    case ENAMETOOLONG: return 37;
    case ENETDOWN: return 38;
    case ENETRESET: return 39;
    case ENETUNREACH: return 40;
    case ENFILE: return 41;
    case ENOBUFS: return 42;
    case ENODEV: return 43;
    case ENOENT: return 44;
    case ENOEXEC: return 45;
    case ENOLCK: return 46;
    case ENOLINK: return 47;
    case ENOMEM: return 48;
    case ENOMSG: return 49;
    case ENOPROTOOPT: return 50;
    case ENOSPC: return 51;
    case ENOSYS: return 52;
    case ENOTCONN: return 53;
    case ENOTDIR: return 54;
    case ENOTEMPTY: return 55;
    case ENOTRECOVERABLE: return 56;
    case ENOTSOCK: return 57;
    case ENOTSUP: return 58;
    case ENOTTY: return 59;
    case ENXIO: return 60;
    case EOVERFLOW: return 61;
    case EOWNERDEAD: return 62;
    case EPERM: return 63;
    case EPIPE: return 64;
    case EPROTO: return 65;
    case EPROTONOSUPPORT: return 66;
    case EPROTOTYPE: return 67;
    case ERANGE: return 68;
    case EROFS: return 69;
    case ESPIPE: return 70;
    case ESRCH: return 71;
    case ESTALE: return 72;
    case ETIMEDOUT: return 73;
    case ETXTBSY: return 74;
    case EXDEV: return 75;
    default: return WASI_EIO;
    }
}

static uint16_t err_now(void)
{
    return asw__wasi_errno(errno);
}

void asw__wasi_close(int fd)
{
    if (fd >= 0) close(fd);
}

static uint8_t filetype_of(mode_t m)
{
    if (S_ISREG(m)) return WASI_FILETYPE_REGULAR;
    if (S_ISDIR(m)) return WASI_FILETYPE_DIRECTORY;
    if (S_ISCHR(m)) return WASI_FILETYPE_CHAR;
    if (S_ISBLK(m)) return WASI_FILETYPE_BLOCK;
    if (S_ISLNK(m)) return WASI_FILETYPE_SYMLINK;
    if (S_ISSOCK(m)) return WASI_FILETYPE_SOCK_STREAM;
    return WASI_FILETYPE_UNKNOWN;
}

static uint64_t ts_ns(struct timespec t)
{
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void stat_conv(const struct stat *st, asw__wasi_stat_t *out)
{
    out->dev = (uint64_t)st->st_dev;
    out->ino = (uint64_t)st->st_ino;
    out->nlink = (uint64_t)st->st_nlink;
    out->size = (uint64_t)st->st_size;
    out->atim = ts_ns(st->st_atim);
    out->mtim = ts_ns(st->st_mtim);
    out->ctim = ts_ns(st->st_ctim);
    out->filetype = filetype_of(st->st_mode);
}

/* ------------------------------------------------------------------ pre-opens */

uint16_t asw__wasi_open_dir(const char *host_path, char **out_canonical, int *out_fd)
{
    *out_canonical = NULL;
    *out_fd = -1;
    char *real = realpath(host_path, NULL); /* libc allocation: copied below, then freed */
    if (!real) return err_now();
    int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        uint16_t e = err_now();
        free(real);
        return e;
    }
    char *copy = asw__strdup(real);
    free(real);
    if (!copy) {
        close(fd);
        return WASI_ENOMEM;
    }
    *out_canonical = copy;
    *out_fd = fd;
    return 0;
}

/* ------------------------------------------------------------------ path resolution */

/* The walk state: the names below the root (stored back to back, NUL-separated) and the
 * descriptor of the directory they lead to. */
typedef struct walk {
    int root_fd, cur_fd;
    char *names; /* WASI_PATH_MAX bytes */
    size_t names_len;
    size_t depth;
} walk_t;

/* Reopens cur_fd by walking the remembered names from the root (after a `..`). */
static uint16_t walk_reopen(walk_t *w)
{
    int fd = dup(w->root_fd);
    if (fd < 0) return err_now();
    size_t off = 0;
    for (size_t i = 0; i < w->depth; i++) {
        const char *n = w->names + off;
        int next = openat(fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        uint16_t e = next < 0 ? err_now() : 0;
        close(fd);
        if (next < 0) return e;
        fd = next;
        off += strlen(n) + 1;
    }
    asw__wasi_close(w->cur_fd);
    w->cur_fd = fd;
    return 0;
}

static uint16_t walk_push(walk_t *w, const char *name, size_t n)
{
    if (w->names_len + n + 1 > WASI_PATH_MAX) return WASI_ENAMETOOLONG;
    int next = openat(w->cur_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return err_now();
    close(w->cur_fd);
    w->cur_fd = next;
    memcpy(w->names + w->names_len, name, n);
    w->names[w->names_len + n] = '\0';
    w->names_len += n + 1;
    w->depth++;
    return 0;
}

static uint16_t walk_pop(walk_t *w)
{
    if (w->depth == 0) return ASW_WASI_ENOTCAPABLE; /* `..` above the root */
    /* Drop the last NUL-terminated name. */
    size_t end = w->names_len - 1; /* index of its NUL */
    size_t start = end;
    while (start > 0 && w->names[start - 1] != '\0')
        start--;
    w->names_len = start;
    w->depth--;
    return walk_reopen(w);
}

/* Builds "<dir_host>/<names...>/<final>" into a new string. */
static char *walk_host_path(const walk_t *w, const char *dir_host, const char *final)
{
    size_t dl = strlen(dir_host), fl = final ? strlen(final) : 0;
    char *s = asw__malloc(dl + w->names_len + fl + 2);
    if (!s) return NULL;
    memcpy(s, dir_host, dl);
    size_t o = dl;
    size_t off = 0;
    for (size_t i = 0; i < w->depth; i++) {
        const char *n = w->names + off;
        size_t l = strlen(n);
        if (o == 0 || s[o - 1] != '/') s[o++] = '/';
        memcpy(s + o, n, l);
        o += l;
        off += l + 1;
    }
    if (fl) {
        if (o == 0 || s[o - 1] != '/') s[o++] = '/';
        memcpy(s + o, final, fl);
        o += fl;
    }
    s[o] = '\0';
    return s;
}

uint16_t asw__wasi_resolve(int dir_fd, const char *dir_host_path, const char *path, size_t len,
                           bool follow, asw__wasi_path_t *out)
{
    memset(out, 0, sizeof(*out));
    out->parent_fd = -1;
    if (len == 0) return ASW_WASI_ENOENT;
    if (len > WASI_PATH_MAX) return WASI_ENAMETOOLONG;
    if (memchr(path, '\0', len)) return ASW_WASI_EINVAL;
    if (path[0] == '/') return ASW_WASI_ENOTCAPABLE;

    uint16_t e = 0;
    walk_t w = {.root_fd = dir_fd, .cur_fd = -1};
    /* pending: the path still to resolve, kept at the END of a 2*PATH_MAX buffer so a symlink
     * target can be spliced in front of it. */
    const size_t cap = 2 * WASI_PATH_MAX + 2;
    char *pend = asw__malloc(cap);
    w.names = asw__malloc(WASI_PATH_MAX);
    char *link = asw__malloc(WASI_PATH_MAX + 1);
    char *final = NULL;
    if (!pend || !w.names || !link) {
        e = WASI_ENOMEM;
        goto fail;
    }
    w.cur_fd = dup(dir_fd);
    if (w.cur_fd < 0) {
        e = err_now();
        goto fail;
    }
    /* Strip trailing slashes: they only say "must be a directory". */
    while (len > 1 && path[len - 1] == '/') {
        len--;
        out->must_dir = true;
    }
    size_t pstart = cap - len - 1;
    memcpy(pend + pstart, path, len);
    pend[cap - 1] = '\0';

    unsigned links = 0;
    for (;;) {
        /* Next component. */
        char *p = pend + pstart;
        while (*p == '/')
            p++;
        if (*p == '\0') break; /* the path named the current directory */
        char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        char *rest = p + n;
        while (*rest == '/')
            rest++;
        bool last = (*rest == '\0');
        if (n > NAME_MAX) {
            e = WASI_ENAMETOOLONG;
            goto fail;
        }
        char comp[NAME_MAX + 1];
        memcpy(comp, p, n);
        comp[n] = '\0';
        pstart = (size_t)(rest - pend);

        if (!strcmp(comp, ".")) continue;
        if (!strcmp(comp, "..")) {
            if ((e = walk_pop(&w))) goto fail;
            continue;
        }
        bool follow_this = !last || follow || out->must_dir;
        struct stat st;
        if (fstatat(w.cur_fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT && last) { /* a name to create */
                final = asw__strdup(comp);
                if (!final) e = WASI_ENOMEM;
                if (e) goto fail;
                break;
            }
            e = err_now();
            goto fail;
        }
        if (S_ISLNK(st.st_mode) && follow_this) {
            if (++links > WASI_SYMLINK_MAX) {
                e = ASW_WASI_ELOOP;
                goto fail;
            }
            ssize_t ln = readlinkat(w.cur_fd, comp, link, WASI_PATH_MAX + 1);
            if (ln < 0) {
                e = err_now();
                goto fail;
            }
            if (ln > WASI_PATH_MAX) {
                e = WASI_ENAMETOOLONG;
                goto fail;
            }
            if (ln == 0) {
                e = ASW_WASI_ENOENT;
                goto fail;
            }
            if (link[0] == '/') { /* a host-absolute target: outside by definition */
                e = ASW_WASI_ENOTCAPABLE;
                goto fail;
            }
            /* Splice "target/" in front of the rest. */
            size_t restlen = strlen(pend + pstart);
            size_t need = (size_t)ln + 1 + restlen + 1;
            if (need > cap) {
                e = WASI_ENAMETOOLONG;
                goto fail;
            }
            size_t ns = cap - need;
            memmove(pend + ns + (size_t)ln + 1, pend + pstart, restlen + 1);
            memcpy(pend + ns, link, (size_t)ln);
            pend[ns + (size_t)ln] = '/';
            if (restlen == 0) pend[ns + (size_t)ln] = '\0';
            pstart = ns;
            continue;
        }
        if (last) {
            if (out->must_dir && !S_ISDIR(st.st_mode)) {
                e = ASW_WASI_ENOTDIR;
                goto fail;
            }
            final = asw__strdup(comp);
            if (!final) {
                e = WASI_ENOMEM;
                goto fail;
            }
            break;
        }
        if (!S_ISDIR(st.st_mode)) {
            e = ASW_WASI_ENOTDIR;
            goto fail;
        }
        if ((e = walk_push(&w, comp, n))) goto fail;
    }

    out->host_path = walk_host_path(&w, dir_host_path, final);
    if (!out->host_path) {
        e = WASI_ENOMEM;
        goto fail;
    }
    if (!final) {
        final = asw__strdup(".");
        if (!final) {
            e = WASI_ENOMEM;
            goto fail;
        }
    }
    out->buf = final;
    out->name = final;
    out->parent_fd = w.cur_fd;
    asw__free(pend);
    asw__free(w.names);
    asw__free(link);
    return 0;

fail:
    asw__wasi_close(w.cur_fd);
    asw__free(final);
    asw__free(pend);
    asw__free(w.names);
    asw__free(link);
    asw__free(out->host_path);
    memset(out, 0, sizeof(*out));
    out->parent_fd = -1;
    return e;
}

void asw__wasi_path_free(asw__wasi_path_t *p)
{
    if (!p) return;
    asw__wasi_close(p->parent_fd);
    asw__free(p->host_path);
    asw__free(p->buf);
    memset(p, 0, sizeof(*p));
    p->parent_fd = -1;
}

/* ------------------------------------------------------------------ metadata and open */

uint16_t asw__wasi_fstat(int fd, asw__wasi_stat_t *out)
{
    struct stat st;
    if (fstat(fd, &st) < 0) return err_now();
    stat_conv(&st, out);
    return 0;
}

uint16_t asw__wasi_stat_at(int parent_fd, const char *name, bool follow, asw__wasi_stat_t *out)
{
    /* follow is honoured only for the final name, which the resolver has already made
     * symlink-free when following was asked: NOFOLLOW keeps a racing swap from escaping. */
    (void)follow;
    struct stat st;
    if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return err_now();
    stat_conv(&st, out);
    return 0;
}

static int host_fdflags(uint16_t fdflags)
{
    int fl = 0;
    if (fdflags & WASI_FDFLAG_APPEND) fl |= O_APPEND;
    if (fdflags & WASI_FDFLAG_DSYNC) fl |= O_DSYNC;
    if (fdflags & WASI_FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
    if (fdflags & (WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC)) fl |= O_SYNC;
    return fl;
}

uint16_t asw__wasi_open_at(int parent_fd, const char *name, uint16_t oflags, bool want_read,
                           bool want_write, uint16_t fdflags, int *out_fd, uint8_t *out_type)
{
    *out_fd = -1;
    int fl = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | host_fdflags(fdflags);
    if (oflags & WASI_OFLAG_DIRECTORY) {
        fl |= O_DIRECTORY | O_RDONLY;
    } else if (want_write) {
        fl |= want_read ? O_RDWR : O_WRONLY;
    } else {
        fl |= O_RDONLY;
    }
    if (oflags & WASI_OFLAG_CREAT) fl |= O_CREAT;
    if (oflags & WASI_OFLAG_EXCL) fl |= O_EXCL;
    if (oflags & WASI_OFLAG_TRUNC) fl |= O_TRUNC;
    int fd = openat(parent_fd, name, fl, 0666);
    if (fd < 0) {
        /* A directory opened without O_DIRECTORY but for reading is fine; for writing the
         * kernel says EISDIR, which is the right answer. */
        return err_now();
    }
    /* O_NONBLOCK was only there so a FIFO cannot hang the open; restore what was asked. */
    if (!(fdflags & WASI_FDFLAG_NONBLOCK)) {
        int cur = fcntl(fd, F_GETFL);
        if (cur >= 0) (void)fcntl(fd, F_SETFL, cur & ~O_NONBLOCK);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        uint16_t e = err_now();
        close(fd);
        return e;
    }
    *out_type = filetype_of(st.st_mode);
    *out_fd = fd;
    return 0;
}

uint16_t asw__wasi_fd_flags(int fd, uint16_t *out_fdflags)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return err_now();
    uint16_t f = 0;
    if (fl & O_APPEND) f |= WASI_FDFLAG_APPEND;
    if (fl & O_NONBLOCK) f |= WASI_FDFLAG_NONBLOCK;
    if ((fl & O_SYNC) == O_SYNC)
        f |= WASI_FDFLAG_SYNC;
    else if (fl & O_DSYNC)
        f |= WASI_FDFLAG_DSYNC;
    *out_fdflags = f;
    return 0;
}

uint16_t asw__wasi_set_fd_flags(int fd, uint16_t fdflags)
{
    /* Linux lets F_SETFL change only O_APPEND and O_NONBLOCK (among these). */
    if (fdflags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC))
        return ASW_WASI_ENOTSUP;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return err_now();
    fl &= ~(O_APPEND | O_NONBLOCK);
    fl |= host_fdflags(fdflags);
    if (fcntl(fd, F_SETFL, fl) < 0) return err_now();
    return 0;
}

/* ------------------------------------------------------------------ data */

uint16_t asw__wasi_read(int fd, void *buf, size_t len, size_t *out_n)
{
    ssize_t n;
    do
        n = read(fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0) return err_now();
    *out_n = (size_t)n;
    return 0;
}

uint16_t asw__wasi_write(int fd, const void *buf, size_t len, size_t *out_n)
{
    ssize_t n;
    do
        n = write(fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0) return err_now();
    *out_n = (size_t)n;
    return 0;
}

uint16_t asw__wasi_pread(int fd, void *buf, size_t len, uint64_t off, size_t *out_n)
{
    if (off > (uint64_t)INT64_MAX) return ASW_WASI_EINVAL;
    ssize_t n;
    do
        n = pread(fd, buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    if (n < 0) return err_now();
    *out_n = (size_t)n;
    return 0;
}

uint16_t asw__wasi_pwrite(int fd, const void *buf, size_t len, uint64_t off, size_t *out_n)
{
    if (off > (uint64_t)INT64_MAX) return ASW_WASI_EINVAL;
    ssize_t n;
    do
        n = pwrite(fd, buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    if (n < 0) return err_now();
    *out_n = (size_t)n;
    return 0;
}

uint16_t asw__wasi_seek(int fd, int64_t off, uint8_t whence, uint64_t *out_pos)
{
    int wh;
    switch (whence) {
    case 0: wh = SEEK_SET; break;
    case 1: wh = SEEK_CUR; break;
    case 2: wh = SEEK_END; break;
    default: return ASW_WASI_EINVAL;
    }
    off_t r = lseek(fd, (off_t)off, wh);
    if (r < 0) return err_now();
    *out_pos = (uint64_t)r;
    return 0;
}

uint16_t asw__wasi_sync(int fd, bool data_only)
{
    int r = data_only ? fdatasync(fd) : fsync(fd);
    return r < 0 ? err_now() : 0;
}

uint16_t asw__wasi_advise(int fd, uint64_t off, uint64_t len, uint8_t advice)
{
    static const int map[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                              POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
    if (advice >= ASW_ARRAY_LEN(map)) return ASW_WASI_EINVAL;
    if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX) return ASW_WASI_EINVAL;
    int r = posix_fadvise(fd, (off_t)off, (off_t)len, map[advice]);
    return (uint16_t)(r ? asw__wasi_errno(r) : 0);
}

uint16_t asw__wasi_allocate(int fd, uint64_t off, uint64_t len)
{
    if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off) return WASI_EFBIG;
    int r = posix_fallocate(fd, (off_t)off, (off_t)len);
    return (uint16_t)(r ? asw__wasi_errno(r) : 0);
}

uint16_t asw__wasi_truncate(int fd, uint64_t size)
{
    if (size > (uint64_t)INT64_MAX) return ASW_WASI_EINVAL;
    return ftruncate(fd, (off_t)size) < 0 ? err_now() : 0;
}

static struct timespec fst_time(uint64_t t, uint16_t fst, uint16_t set, uint16_t now)
{
    struct timespec ts = {0, UTIME_OMIT};
    if (fst & now) {
        ts.tv_nsec = UTIME_NOW;
    } else if (fst & set) {
        ts.tv_sec = (time_t)(t / 1000000000u);
        ts.tv_nsec = (long)(t % 1000000000u);
    }
    return ts;
}

uint16_t asw__wasi_set_times(int fd, const char *name, bool follow, uint64_t atim, uint64_t mtim,
                             uint16_t fst)
{
    (void)follow; /* the resolver already followed; never follow again (race-free) */
    if ((fst & WASI_FST_ATIM && fst & WASI_FST_ATIM_NOW) ||
        (fst & WASI_FST_MTIM && fst & WASI_FST_MTIM_NOW) || (fst & ~0xFu))
        return ASW_WASI_EINVAL;
    struct timespec ts[2] = {fst_time(atim, fst, WASI_FST_ATIM, WASI_FST_ATIM_NOW),
                             fst_time(mtim, fst, WASI_FST_MTIM, WASI_FST_MTIM_NOW)};
    int r = name ? utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW) : futimens(fd, ts);
    return r < 0 ? err_now() : 0;
}

/* ------------------------------------------------------------------ namespace changes */

uint16_t asw__wasi_mkdir(int parent_fd, const char *name)
{
    return mkdirat(parent_fd, name, 0777) < 0 ? err_now() : 0;
}

uint16_t asw__wasi_rmdir(int parent_fd, const char *name)
{
    return unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 ? err_now() : 0;
}

uint16_t asw__wasi_unlink(int parent_fd, const char *name)
{
    if (unlinkat(parent_fd, name, 0) < 0) {
        /* Linux says EISDIR for a directory; POSIX and WASI programs expect EISDIR or EPERM. */
        return err_now();
    }
    return 0;
}

uint16_t asw__wasi_rename(int old_fd, const char *old_name, int new_fd, const char *new_name)
{
    return renameat(old_fd, old_name, new_fd, new_name) < 0 ? err_now() : 0;
}

uint16_t asw__wasi_link(int old_fd, const char *old_name, int new_fd, const char *new_name)
{
    return linkat(old_fd, old_name, new_fd, new_name, 0) < 0 ? err_now() : 0;
}

uint16_t asw__wasi_symlink(const char *target, int parent_fd, const char *name)
{
    return symlinkat(target, parent_fd, name) < 0 ? err_now() : 0;
}

uint16_t asw__wasi_readlink(int parent_fd, const char *name, char *buf, size_t len, size_t *out_n)
{
    ssize_t n = readlinkat(parent_fd, name, buf, len);
    if (n < 0) return err_now();
    *out_n = (size_t)n;
    return 0;
}

/* ------------------------------------------------------------------ directories */

/* The cached stream of one directory descriptor: entries are numbered from 0 and the cookie
 * of an entry is its number + 1, so a listing can restart anywhere by counting. */
typedef struct dirstate {
    DIR *d;
    uint64_t pos; /* entries consumed from d */
} dirstate_t;

void asw__wasi_readdir_free(void *state)
{
    dirstate_t *s = state;
    if (!s) return;
    if (s->d) closedir(s->d);
    asw__free(s);
}

static uint8_t dtype_of(unsigned char t)
{
    switch (t) {
    case DT_REG: return WASI_FILETYPE_REGULAR;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WASI_FILETYPE_SYMLINK;
    case DT_CHR: return WASI_FILETYPE_CHAR;
    case DT_BLK: return WASI_FILETYPE_BLOCK;
    case DT_SOCK: return WASI_FILETYPE_SOCK_STREAM;
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

uint16_t asw__wasi_readdir(void **state, int fd, uint64_t cookie, asw__wasi_emit_fn emit, void *ctx)
{
    dirstate_t *s = *state;
    if (!s) {
        s = asw__calloc(1, sizeof(*s));
        if (!s) return WASI_ENOMEM;
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
            uint16_t e = err_now();
            asw__free(s);
            return e;
        }
        s->d = fdopendir(dfd);
        if (!s->d) {
            uint16_t e = err_now();
            close(dfd);
            asw__free(s);
            return e;
        }
        *state = s;
    }
    if (cookie != s->pos) {
        rewinddir(s->d);
        s->pos = 0;
        while (s->pos < cookie) {
            errno = 0;
            if (!readdir(s->d)) return errno ? err_now() : 0; /* past the end: nothing */
            s->pos++;
        }
    }
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(s->d);
        if (!de) return errno ? err_now() : 0;
        s->pos++;
        uint8_t type = dtype_of(de->d_type);
        if (de->d_type == DT_UNKNOWN) {
            struct stat st;
            if (fstatat(dirfd(s->d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                type = filetype_of(st.st_mode);
        }
        if (!emit(ctx, s->pos, (uint64_t)de->d_ino, type, de->d_name, strlen(de->d_name))) return 0;
    }
}

/* ------------------------------------------------------------------ clocks, random, waiting */

static int host_clock(uint32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return 0;
    case 1: *out = CLOCK_MONOTONIC; return 0;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return 0;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return 0;
    default: return -1;
    }
}

uint16_t asw__wasi_clock_time(uint32_t id, uint64_t *out_ns)
{
    clockid_t c;
    struct timespec ts;
    if (host_clock(id, &c) < 0) return ASW_WASI_EINVAL;
    if (clock_gettime(c, &ts) < 0) return err_now();
    *out_ns = ts_ns(ts);
    return 0;
}

uint16_t asw__wasi_clock_res(uint32_t id, uint64_t *out_ns)
{
    clockid_t c;
    struct timespec ts;
    if (host_clock(id, &c) < 0) return ASW_WASI_EINVAL;
    if (clock_getres(c, &ts) < 0) return err_now();
    *out_ns = ts_ns(ts);
    if (*out_ns == 0) *out_ns = 1;
    return 0;
}

uint16_t asw__wasi_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return err_now();
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

uint16_t asw__wasi_yield(void)
{
    sched_yield();
    return 0;
}

uint16_t asw__wasi_wait(const int *fds, const uint8_t *events, uint8_t *ready, size_t nfds,
                        uint64_t timeout_ns)
{
    struct pollfd pfd[64];
    if (nfds > ASW_ARRAY_LEN(pfd)) return ASW_WASI_ENOTSUP;
    for (size_t i = 0; i < nfds; i++) {
        pfd[i].fd = fds[i];
        pfd[i].events = (short)(((events[i] & 1) ? POLLIN : 0) | ((events[i] & 2) ? POLLOUT : 0));
        pfd[i].revents = 0;
        ready[i] = 0;
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int ms;
        if (timeout_ns == UINT64_MAX) {
            ms = -1;
        } else {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            uint64_t el = ts_ns(now) - ts_ns(start);
            uint64_t left = el >= timeout_ns ? 0 : timeout_ns - el;
            /* Round up so a short sleep is not a busy loop; nanosleep-level precision is not
             * promised by WASI. */
            uint64_t lm = (left + 999999u) / 1000000u;
            ms = lm > INT_MAX ? INT_MAX : (int)lm;
            if (left == 0 && nfds == 0) return 0;
        }
        int r = poll(pfd, (nfds_t)nfds, ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            return err_now();
        }
        if (r > 0 || ms == 0) break;
        if (ms > 0 && timeout_ns != UINT64_MAX) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (ts_ns(now) - ts_ns(start) >= timeout_ns) break;
        }
    }
    for (size_t i = 0; i < nfds; i++) {
        uint8_t b = 0;
        if (pfd[i].revents & (POLLIN | POLLERR)) b |= events[i] & 1;
        if (pfd[i].revents & (POLLOUT | POLLERR)) b |= events[i] & 2;
        if (pfd[i].revents & POLLHUP) b |= 4 | (events[i] & 3);
        if (pfd[i].revents & POLLNVAL) b |= 8;
        ready[i] = b;
    }
    return 0;
}

uint64_t asw__wasi_readable(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t cur = lseek(fd, 0, SEEK_CUR);
        if (cur >= 0 && st.st_size > cur) return (uint64_t)(st.st_size - cur);
        return 0;
    }
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) == 0 && n > 0) return (uint64_t)n;
    return 0;
}
