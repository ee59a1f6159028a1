/*
 * src/security/audit.c -- the audit log: every security decision as one JSON line, written by a
 * background thread from a bounded queue; and the reader behind `airssys audit tail`.
 *
 * Design. The queue is a ring of fixed-size slots (strings are copied and truncated to the slot
 * fields, so logging never allocates). Producers copy a record into the slot at `head` under one
 * mutex; the writer thread takes every slot between `tail` and the `head` it saw, formats them
 * into one buffer without holding the lock (producers cannot reuse those slots: the ring is full
 * when head - tail == capacity), writes the batch with as few write(2) calls as possible, then
 * advances `tail` and wakes producers waiting for room and callers of asw_audit_flush. A
 * producer signals the writer only when the writer sleeps, so a busy log costs no wake-ups.
 * When the ring is full a producer waits (counted in stats.waits): no record is lost unless the
 * log was opened with drop_when_full. Rotation happens at record boundaries, before a record
 * would push the file past rotate_bytes: path.N-1 -> path.N, ..., path -> path.1.
 *
 * Line format (docs/security.md): {"time":"2024-05-01T12:00:00.123456Z","kind":"capability",
 * "component":"..","resource":"..","permission":"..","result":"..","reason":".."}. Strings are
 * JSON-escaped; bytes that are not valid UTF-8 become U+FFFD.
 *
 * Invariants: tail <= head <= tail + capacity; only the writer thread touches the file and the
 * format buffer (except fsync in asw_audit_flush). Not done: signing or hash-chaining lines.
 */
#include "security/sec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define F_COMPONENT 64
#define F_RESOURCE  256
#define F_PERM      32
#define F_RESULT    16
#define F_REASON    192
#define BUF_FLUSH   (1u << 20) /* write when the batch buffer holds this much */
#define LINE_MAX_   (8 * (F_COMPONENT + F_RESOURCE + F_PERM + F_RESULT + F_REASON) + 256)

typedef struct slot {
    uint64_t ts_us;
    uint8_t kind;
    char component[F_COMPONENT];
    char resource[F_RESOURCE];
    char permission[F_PERM];
    char result[F_RESULT];
    char reason[F_REASON];
} slot;

struct asw_audit {
    char *path;
    asw_audit_fsync_t fsync_policy;
    uint32_t fsync_interval_ms;
    uint64_t rotate_bytes;
    uint32_t rotate_keep;
    bool drop_when_full;

    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full, progress;
    slot *ring;
    size_t cap;
    uint64_t head, tail; /* monotonically increasing sequence numbers */
    bool closing, writer_sleeping;
    int io_error;
    asw_audit_stats_t st;
    pthread_t thread;

    /* Writer-thread state. */
    int fd;
    uint64_t file_bytes;
    char *buf;
    size_t blen;
    uint64_t last_sync_us;
    uint64_t cached_sec; /* the second whose text is in cached_time */
    char cached_time[32];
};

uint64_t asw__sec_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

ASW_API uint64_t asw_quota_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

ASW_API const char *asw_audit_kind_name(asw_audit_kind_t kind)
{
    switch (kind) {
    case ASW_AUDIT_CAPABILITY: return "capability";
    case ASW_AUDIT_TRUST: return "trust";
    case ASW_AUDIT_APPROVAL: return "approval";
    case ASW_AUDIT_QUOTA: return "quota";
    }
    return "?";
}

/* ------------------------------------- the writer side ------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int open_log(asw_audit_t *a)
{
    a->fd = open(a->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (a->fd < 0) return -1;
    struct stat st;
    a->file_bytes = fstat(a->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

/* path -> path.1, path.1 -> path.2, ..., dropping path.<keep>; then opens a fresh file. The
 * path length was checked at open, so the names fit. */
static void rotate(asw_audit_t *a)
{
    char from[ASW_PATH_MAX + 16], to[ASW_PATH_MAX + 16];
    if (a->fd >= 0) close(a->fd);
    a->fd = -1;
    for (uint32_t k = a->rotate_keep; k > 1; k--) {
        snprintf(from, sizeof from, "%s.%u", a->path, k - 1);
        snprintf(to, sizeof to, "%s.%u", a->path, k);
        rename(from, to); /* a missing older file is fine */
    }
    snprintf(to, sizeof to, "%s.1", a->path);
    rename(a->path, to);
    if (open_log(a)) {
        pthread_mutex_lock(&a->mu);
        a->st.write_errors++;
        a->io_error = 1;
        pthread_mutex_unlock(&a->mu);
    }
    pthread_mutex_lock(&a->mu);
    a->st.rotations++;
    pthread_mutex_unlock(&a->mu);
}

static int flush_buf(asw_audit_t *a)
{
    if (!a->blen) return 0;
    int rc = 0;
    if (a->fd < 0 || write_all(a->fd, a->buf, a->blen)) {
        rc = -1;
        pthread_mutex_lock(&a->mu);
        a->st.write_errors++;
        a->io_error = 1;
        pthread_mutex_unlock(&a->mu);
    } else {
        a->file_bytes += a->blen;
    }
    a->blen = 0;
    return rc;
}

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* True when any byte of v needs the slow path: < 0x20 (NUL included), '"', '\\', >= 0x7f. */
static bool word_special(uint64_t v)
{
    uint64_t lt20 = (v - ONES * 0x20) & ~v & HIGHS;
    uint64_t q = v ^ (ONES * '"'), bs = v ^ (ONES * '\\'), del = v ^ (ONES * 0x7f);
    uint64_t eq = ((q - ONES) & ~q) | ((bs - ONES) & ~bs) | ((del - ONES) & ~del);
    return ((lt20 | eq) & HIGHS) || (v & HIGHS);
}

/* Escapes one character (or one UTF-8 sequence) at p into out; returns bytes consumed and adds
 * the bytes written to *w. */
static size_t escape_one(char *out, size_t *w, const unsigned char *p)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char c = *p;
    if (c == '"' || c == '\\') {
        out[(*w)++] = '\\';
        out[(*w)++] = (char)c;
        return 1;
    }
    if (c < 0x20 || c == 0x7f) {
        if (c == '\n' || c == '\t') {
            out[(*w)++] = '\\';
            out[(*w)++] = c == '\n' ? 'n' : 't';
        } else {
            memcpy(out + *w, "\\u00", 4);
            out[*w + 4] = hex[c >> 4];
            out[*w + 5] = hex[c & 15];
            *w += 6;
        }
        return 1;
    }
    if (c < 0x80) {
        out[(*w)++] = (char)c;
        return 1;
    }
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    bool ok = len && c <= 0xf4;
    for (size_t k = 1; ok && k < len; k++)
        ok = (p[k] & 0xc0) == 0x80;
    if (ok && len == 3 && c == 0xe0 && p[1] < 0xa0) ok = false;  /* overlong */
    if (ok && len == 3 && c == 0xed && p[1] >= 0xa0) ok = false; /* surrogate */
    if (ok && len == 4 && c == 0xf0 && p[1] < 0x90) ok = false;
    if (ok && len == 4 && c == 0xf4 && p[1] >= 0x90) ok = false;
    if (!ok) {
        memcpy(out + *w, "\\ufffd", 6);
        *w += 6;
        return 1;
    }
    memcpy(out + *w, p, len);
    *w += len;
    return len;
}

/* Appends the NUL-terminated field s (stored in an array of cap bytes, cap a multiple of 8) as a
 * JSON string body: escaped, invalid UTF-8 replaced by U+FFFD. Runs of plain ASCII are copied
 * eight bytes at a time; a word is read only while no NUL was seen, so reads stay inside the
 * field. */
static size_t json_escape(char *out, const char *s, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, w = 0;
    for (;;) {
        while (i + 8 <= cap) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            if (word_special(v)) break;
            memcpy(out + w, p + i, 8);
            w += 8;
            i += 8;
        }
        size_t stop = i + 8;
        while (i < stop && p[i])
            i += escape_one(out, &w, p + i);
        if (i < stop) return w; /* reached the NUL */
    }
}

static size_t put(char *out, const char *s)
{
    size_t n = strlen(s);
    memcpy(out, s, n);
    return n;
}

static size_t format_slot(asw_audit_t *a, const slot *s, char *out)
{
    uint64_t sec = s->ts_us / 1000000u;
    if (sec != a->cached_sec || !a->cached_time[0]) {
        time_t t = (time_t)sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(a->cached_time, sizeof a->cached_time, "%Y-%m-%dT%H:%M:%S", &tm);
        a->cached_sec = sec;
    }
    size_t w = put(out, "{\"time\":\"");
    w += put(out + w, a->cached_time);
    uint32_t us = (uint32_t)(s->ts_us % 1000000u);
    out[w++] = '.';
    for (int d = 5; d >= 0; d--) {
        out[w + (size_t)d] = (char)('0' + us % 10);
        us /= 10;
    }
    w += 6;
    w += put(out + w, "Z\",\"kind\":\"");
    w += put(out + w, asw_audit_kind_name((asw_audit_kind_t)s->kind));
    w += put(out + w, "\",\"component\":\"");
    w += json_escape(out + w, s->component, sizeof s->component);
    w += put(out + w, "\",\"resource\":\"");
    w += json_escape(out + w, s->resource, sizeof s->resource);
    w += put(out + w, "\",\"permission\":\"");
    w += json_escape(out + w, s->permission, sizeof s->permission);
    w += put(out + w, "\",\"result\":\"");
    w += json_escape(out + w, s->result, sizeof s->result);
    w += put(out + w, "\",\"reason\":\"");
    w += json_escape(out + w, s->reason, sizeof s->reason);
    w += put(out + w, "\"}\n");
    return w;
}

static void maybe_sync(asw_audit_t *a, bool force)
{
    if (a->fd < 0 || a->fsync_policy == ASW_AUDIT_FSYNC_NEVER) return;
    uint64_t now = asw__sec_wall_us();
    if (a->fsync_policy == ASW_AUDIT_FSYNC_INTERVAL && !force &&
        now - a->last_sync_us < (uint64_t)a->fsync_interval_ms * 1000u)
        return;
    fsync(a->fd);
    a->last_sync_us = now;
}

static void *writer_main(void *arg)
{
    asw_audit_t *a = arg;
    char *line = a->buf + BUF_FLUSH; /* scratch space behind the batch buffer */
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (a->head == a->tail && !a->closing) {
            a->writer_sleeping = true;
            pthread_cond_wait(&a->not_empty, &a->mu);
            a->writer_sleeping = false;
        }
        if (a->head == a->tail && a->closing) break;
        uint64_t start = a->tail, end = a->head;
        pthread_mutex_unlock(&a->mu);

        for (uint64_t i = start; i < end; i++) {
            size_t n = format_slot(a, &a->ring[i % a->cap], line);
            if (a->rotate_bytes && a->file_bytes + a->blen + n > a->rotate_bytes &&
                a->file_bytes + a->blen > 0) {
                flush_buf(a);
                rotate(a);
            }
            if (a->blen + n > BUF_FLUSH) flush_buf(a);
            memcpy(a->buf + a->blen, line, n);
            a->blen += n;
        }
        flush_buf(a);
        if (a->fsync_policy == ASW_AUDIT_FSYNC_BATCH)
            maybe_sync(a, true);
        else
            maybe_sync(a, false);

        pthread_mutex_lock(&a->mu);
        a->tail = end;
        a->st.written += end - start;
        pthread_cond_broadcast(&a->not_full);
        pthread_cond_broadcast(&a->progress);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* ------------------------------------ the producer side ------------------------------------ */

ASW_API int asw_audit_open(const asw_audit_config_t *cfg, asw_audit_t **out_log,
                           asw_error_t *out_err)
{
    if (!cfg || !cfg->path || !*cfg->path || !out_log)
        return asw__errorf(out_err, ASW_E_INVALID, "audit: a path is required");
    *out_log = NULL;
    if (strlen(cfg->path) >= ASW_PATH_MAX)
        return asw__errorf(out_err, ASW_E_INVALID, "audit: path too long");
    if (cfg->fsync > ASW_AUDIT_FSYNC_INTERVAL)
        return asw__errorf(out_err, ASW_E_INVALID, "audit: unknown fsync policy");
    size_t cap = cfg->queue_capacity ? cfg->queue_capacity : 8192;
    if (cap > (1u << 24))
        return asw__errorf(out_err, ASW_E_INVALID, "audit: queue capacity above 16M records");
    asw_audit_t *a = asw__calloc(1, sizeof *a);
    if (!a) goto nomem;
    a->fd = -1;
    a->path = asw__strdup(cfg->path);
    a->ring = asw__calloc(cap, sizeof *a->ring);
    a->buf = asw__malloc(BUF_FLUSH + LINE_MAX_);
    if (!a->path || !a->ring || !a->buf) goto nomem;
    a->cap = cap;
    a->fsync_policy = cfg->fsync;
    a->fsync_interval_ms = cfg->fsync_interval_ms ? cfg->fsync_interval_ms : 1000;
    a->rotate_bytes = cfg->rotate_bytes;
    a->rotate_keep = cfg->rotate_keep ? cfg->rotate_keep : 5;
    a->drop_when_full = cfg->drop_when_full;
    if (open_log(a)) {
        int e = errno;
        asw__errorf(out_err, ASW_E_IO, "audit: cannot open '%s': %s", cfg->path, strerror(e));
        goto fail;
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->not_empty, NULL);
    pthread_cond_init(&a->not_full, NULL);
    pthread_cond_init(&a->progress, NULL);
    if (pthread_create(&a->thread, NULL, writer_main, a)) {
        pthread_mutex_destroy(&a->mu);
        pthread_cond_destroy(&a->not_empty);
        pthread_cond_destroy(&a->not_full);
        pthread_cond_destroy(&a->progress);
        asw__errorf(out_err, ASW_E_NOMEM, "audit: cannot start the writer thread");
        goto fail;
    }
    *out_log = a;
    return ASW_OK;
nomem:
    asw__errorf(out_err, ASW_E_NOMEM, "audit: out of memory");
fail:
    if (a) {
        if (a->fd >= 0) close(a->fd);
        asw__free(a->path);
        asw__free(a->ring);
        asw__free(a->buf);
        asw__free(a);
    }
    return out_err ? out_err->code : ASW_E_NOMEM;
}

static void copy_field(char *dst, size_t cap, const char *src)
{
    if (!src) {
        dst[0] = '\0';
        return;
    }
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

ASW_API int asw_audit_log(asw_audit_t *a, const asw_audit_record_t *rec)
{
    if (!a || !rec || (unsigned)rec->kind > ASW_AUDIT_QUOTA) return ASW_E_INVALID;
    uint64_t ts = asw__sec_wall_us();
    pthread_mutex_lock(&a->mu);
    if (a->closing) {
        pthread_mutex_unlock(&a->mu);
        return ASW_E_CLOSED;
    }
    while (a->head - a->tail >= a->cap) {
        if (a->drop_when_full) {
            a->st.dropped++;
            pthread_mutex_unlock(&a->mu);
            return ASW_E_FULL;
        }
        a->st.waits++;
        if (a->writer_sleeping) pthread_cond_signal(&a->not_empty);
        pthread_cond_wait(&a->not_full, &a->mu);
        if (a->closing) {
            pthread_mutex_unlock(&a->mu);
            return ASW_E_CLOSED;
        }
    }
    slot *s = &a->ring[a->head % a->cap];
    s->ts_us = ts;
    s->kind = (uint8_t)rec->kind;
    copy_field(s->component, sizeof s->component, rec->component);
    copy_field(s->resource, sizeof s->resource, rec->resource);
    copy_field(s->permission, sizeof s->permission, rec->permission);
    copy_field(s->result, sizeof s->result, rec->result);
    copy_field(s->reason, sizeof s->reason, rec->reason);
    a->head++;
    a->st.logged++;
    if (a->writer_sleeping) pthread_cond_signal(&a->not_empty);
    pthread_mutex_unlock(&a->mu);
    return ASW_OK;
}

ASW_API int asw_audit_flush(asw_audit_t *a)
{
    if (!a) return ASW_E_INVALID;
    pthread_mutex_lock(&a->mu);
    uint64_t target = a->head;
    if (a->writer_sleeping) pthread_cond_signal(&a->not_empty);
    while (a->tail < target)
        pthread_cond_wait(&a->progress, &a->mu);
    int rc = a->io_error ? ASW_E_IO : ASW_OK;
    int fd = a->fd;
    pthread_mutex_unlock(&a->mu);
    if (a->fsync_policy != ASW_AUDIT_FSYNC_NEVER && fd >= 0 && fsync(fd) != 0 && errno != EBADF)
        rc = ASW_E_IO;
    return rc;
}

ASW_API void asw_audit_stats(asw_audit_t *a, asw_audit_stats_t *out)
{
    if (!a || !out) return;
    pthread_mutex_lock(&a->mu);
    *out = a->st;
    pthread_mutex_unlock(&a->mu);
}

ASW_API void asw_audit_close(asw_audit_t *a)
{
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    a->closing = true;
    pthread_cond_signal(&a->not_empty);
    pthread_cond_broadcast(&a->not_full);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    if (a->fd >= 0) {
        if (a->fsync_policy != ASW_AUDIT_FSYNC_NEVER) fsync(a->fd);
        close(a->fd);
    }
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->not_empty);
    pthread_cond_destroy(&a->not_full);
    pthread_cond_destroy(&a->progress);
    asw__free(a->path);
    asw__free(a->ring);
    asw__free(a->buf);
    asw__free(a);
}

/* ----------------------------------------- reading ----------------------------------------- */

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Parses one line and calls fn when it passes the filters; returns fn's answer. */
static int scan_line(const char *line, size_t n, const char *component, const char *result,
                     asw_audit_scan_fn fn, void *ud, size_t *bad)
{
    if (n == 0) return 0;
    json_error_t je;
    json_t *o = json_loadb(line, n, 0, &je);
    if (!o || !json_is_object(o)) {
        if (bad) (*bad)++;
        json_decref(o);
        return 0;
    }
    asw_audit_entry_t e = {jstr(o, "time"),     jstr(o, "kind"),       jstr(o, "component"),
                           jstr(o, "resource"), jstr(o, "permission"), jstr(o, "result"),
                           jstr(o, "reason")};
    int stop = 0;
    if ((!component || !strcmp(component, e.component)) && (!result || !strcmp(result, e.result)))
        stop = fn(ud, &e);
    json_decref(o);
    return stop;
}

ASW_API int asw_audit_scan(const char *path, const char *component, const char *result,
                           asw_audit_scan_fn fn, void *ud, size_t *out_bad, asw_error_t *out_err)
{
    if (!path || !fn) return asw__errorf(out_err, ASW_E_INVALID, "audit scan: NULL argument");
    if (out_bad) *out_bad = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return asw__errorf(out_err, ASW_E_IO, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 1u << 16, len = 0;
    char *buf = asw__malloc(cap);
    int rc = ASW_OK;
    if (!buf) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "audit scan: out of memory");
        goto done;
    }
    for (;;) {
        if (len == cap) { /* a line longer than the buffer: grow it */
            char *nb = asw__realloc(buf, cap * 2);
            if (!nb) {
                rc = asw__errorf(out_err, ASW_E_NOMEM, "audit scan: out of memory");
                goto done;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = asw__errorf(out_err, ASW_E_IO, "reading '%s': %s", path, strerror(errno));
            goto done;
        }
        len += (size_t)r;
        size_t start = 0;
        for (size_t i = 0; i < len; i++) {
            if (buf[i] != '\n' && !(r == 0 && i + 1 == len)) continue;
            size_t end = buf[i] == '\n' ? i : i + 1;
            if (scan_line(buf + start, end - start, component, result, fn, ud, out_bad)) goto done;
            start = i + 1;
        }
        if (r == 0) break;
        memmove(buf, buf + start, len - start);
        len -= start;
    }
done:
    asw__free(buf);
    close(fd);
    return rc;
}
