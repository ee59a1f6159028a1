/*
 * src/security/audit.c -- the audit log: every security decision as one JSON line, written by a
 * background thread from a bounded lock-free queue; and the reader behind `airssys audit tail`.
 *
 * Design. The queue is a bounded multi-producer, single-consumer ring of fixed-size slots
 * (strings are copied and truncated to the slot fields, so logging never allocates). Each slot
 * carries a sequence number (Vyukov's bounded queue): slot i % cap is free for the record with
 * sequence i when seq == i, holds it when seq == i + 1, and is handed back for i + cap by the
 * writer. A producer claims a sequence with one compare-and-swap on `head`, copies the record
 * into the slot and publishes it by storing seq; no lock is taken on this path. The writer thread
 * formats published slots in order straight into a 1 MiB batch buffer (no snprintf: literal
 * pieces, a cached time-of-second text and an eight-bytes-at-a-time JSON escaper), hands each
 * slot back as soon as it is formatted, and writes the batch with one write(2) when the buffer
 * is full or the ring is drained, then applies the fsync policy.
 *
 * Sleeping. When the ring is empty the writer first naps (a 1 ms timed wait) and producers wake
 * it only when the ring is half full; after an empty nap it sleeps and the next record wakes it.
 * So a steady stream of records costs producers no system calls, while an idle log costs no
 * wake-ups. The sleep hand-off is a Dekker pair of sequentially consistent operations (writer:
 * store state, load slot seq; producer: store slot seq, load state), so a wake-up is never lost.
 * When the ring is full a producer waits on a condition variable (counted in stats.waits): no
 * record is lost unless the log was opened with drop_when_full. Rotation happens at record
 * boundaries, before a record would push the file past rotate_bytes: path.N-1 -> path.N, ...,
 * path -> path.1.
 *
 * Line format (docs/security.md): {"time":"2024-05-01T12:00:00.123456Z","kind":"capability",
 * "component":"..","resource":"..","permission":"..","result":"..","reason":".."}. Strings are
 * JSON-escaped; bytes that are not valid UTF-8 become U+FFFD.
 *
 * Invariants: tail <= head <= tail + cap (head counts claimed records, tail records the writer
 * has formatted); only the writer thread touches the file and the batch buffer (except fsync in
 * asw_audit_flush). Calling asw_audit_log concurrently with asw_audit_close is a caller error
 * (close frees the log). Not done: signing or hash-chaining lines.
 */
#include "security/sec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
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
#define NAP_NS      1000000L /* the writer's timed wait before it sleeps */

enum { W_RUN, W_NAP, W_SLEEP };                                          /* writer states */
enum { F_COMPONENT_, F_RESOURCE_, F_PERMISSION_, F_RESULT_, F_REASON_ }; /* slot.len */

typedef struct slot {
    _Atomic uint64_t seq;
    uint64_t ts_us;
    uint8_t kind;
    uint16_t len[5]; /* field lengths, indexed by F_* below */
    /* The fields back to back (each cut to its F_* size - 1): a typical record fills the first
     * two cache lines of the slot, not one line per field, for the producer and the writer. */
    char data[F_COMPONENT + F_RESOURCE + F_PERM + F_RESULT + F_REASON];
} slot;

struct asw_audit {
    /* Read-mostly configuration. */
    char *path;
    asw_audit_fsync_t fsync_policy;
    uint32_t fsync_interval_ms;
    uint64_t rotate_bytes;
    uint32_t rotate_keep;
    bool drop_when_full;
    slot *ring;
    uint64_t cap, mask;  /* mask != 0: cap is a power of two */
    uint64_t room_every; /* slots handed back between wake-ups of producers waiting for room */
    pthread_t thread;

    /* Producers' line: the claim counter alone, so claiming does not bounce writer state.
     * (Padding rather than _Alignas: the object comes from the allocator hook, which promises
     * only malloc's alignment.) */
    char pad0[64];
    _Atomic uint64_t head;
    char pad1[64 - sizeof(uint64_t)];

    /* Shared flags and counters (the slow paths). */
    _Atomic uint64_t tail; /* published by the writer after each hand-back */
    _Atomic uint64_t written, waits, dropped, rotations, write_errors;
    _Atomic int wstate, closing, io_error;
    _Atomic uint32_t room_waiters, flush_waiters;
    pthread_mutex_t mu;
    pthread_cond_t wake, room, progress;

    /* Writer-thread state. */
    char pad2[64];
    int fd;
    uint64_t pos;    /* next sequence to format */
    uint64_t bcount; /* records in the batch buffer */
    uint64_t file_bytes;
    char *buf;
    size_t blen;
    uint64_t last_sync_us;
    uint64_t cached_sec; /* the second whose text is in cached_time */
    char cached_time[32];
};

static inline slot *slot_at(const asw_audit_t *a, uint64_t seq)
{
    return &a->ring[a->mask ? (seq & a->mask) : (seq % a->cap)];
}

uint64_t asw__sec_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

ASW_API uint64_t asw_quota_now_ns(void)
{
    return asw__now_ns();
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

static void io_failed(asw_audit_t *a)
{
    atomic_fetch_add_explicit(&a->write_errors, 1, memory_order_relaxed);
    atomic_store(&a->io_error, 1);
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
    if (open_log(a)) io_failed(a);
    atomic_fetch_add_explicit(&a->rotations, 1, memory_order_relaxed);
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

/* Writes the first n bytes of the batch buffer (one write(2) unless interrupted or short). */
static void write_bytes(asw_audit_t *a, size_t n)
{
    if (!n) return;
    if (a->fd < 0 || write_all(a->fd, a->buf, n))
        io_failed(a);
    else
        a->file_bytes += n;
}

/* Writes the batch, applies the fsync policy, counts the records as written and wakes callers
 * of asw_audit_flush waiting for them. */
static void flush_buf(asw_audit_t *a)
{
    if (!a->bcount) return;
    write_bytes(a, a->blen);
    a->blen = 0;
    maybe_sync(a, a->fsync_policy == ASW_AUDIT_FSYNC_BATCH);
    atomic_fetch_add(&a->written, a->bcount);
    a->bcount = 0;
    if (atomic_load(&a->flush_waiters)) {
        pthread_mutex_lock(&a->mu);
        pthread_cond_broadcast(&a->progress);
        pthread_mutex_unlock(&a->mu);
    }
}

/* Publishes the hand-back position and wakes producers waiting for room. */
static void room_made(asw_audit_t *a)
{
    atomic_store(&a->tail, a->pos);
    if (atomic_load(&a->room_waiters)) {
        pthread_mutex_lock(&a->mu);
        pthread_cond_broadcast(&a->room);
        pthread_mutex_unlock(&a->mu);
    }
}

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LITTLE_ENDIAN_ 1
#else
#define LITTLE_ENDIAN_ 0
#endif

/* True when any byte of v needs the slow path: < 0x20 (NUL included), '"', '\\', >= 0x7f. For
 * bytes below 0x80 each term sets a byte's high bit exactly when that byte is special (a borrow
 * or carry crosses into the next byte only from a byte already flagged), and any byte >= 0x80
 * is flagged by v itself; false positives only send a word to the exact slow path. */
static bool word_special(uint64_t v)
{
    uint64_t q = v ^ (ONES * '"'), bs = v ^ (ONES * '\\');
    return ((v | (v - ONES * 0x20) | (v + ONES) | (q - ONES) | (bs - ONES)) & HIGHS) != 0;
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

/* Appends the field s (n bytes, NUL at s[n], stored in an array of cap bytes, cap a multiple of
 * 8) as a JSON string body: escaped, invalid UTF-8 replaced by U+FFFD. Plain ASCII is checked
 * and copied eight bytes at a time; the last partial word is read whole (it lies inside the
 * array), its bytes past n masked to 'a', and stored whole: out has room behind the line, and
 * the overshoot is overwritten by what follows. */
static size_t json_escape(char *out, const char *s, size_t n, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, w = 0;
    while (i < n) {
        while (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            if (word_special(v)) break;
            memcpy(out + w, &v, 8);
            w += 8;
            i += 8;
        }
        if (i + 8 > n && i < n && i + 8 <= cap) {
            uint64_t v, keep = (UINT64_C(1) << (8 * (n - i))) - 1; /* little-endian byte order */
            memcpy(&v, p + i, 8);
            if (LITTLE_ENDIAN_ && !word_special((v & keep) | (ONES * 'a' & ~keep))) {
                memcpy(out + w, &v, 8);
                return w + (n - i);
            }
        }
        if (i < n) i += escape_one(out, &w, p + i);
    }
    return w;
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
    static const char *const names[] = {"\",\"component\":\"", "\",\"resource\":\"",
                                        "\",\"permission\":\"", "\",\"result\":\"",
                                        "\",\"reason\":\""};
    size_t at = 0;
    for (int f = F_COMPONENT_; f <= F_REASON_; f++) {
        w += put(out + w, names[f]);
        /* json_escape may read (not use) up to 8 bytes past a field, within data. */
        w += json_escape(out + w, s->data + at, s->len[f], sizeof s->data - at);
        at += s->len[f];
    }
    w += put(out + w, "\"}\n");
    return w;
}

/* True when the next record for the writer is published. */
static bool ready(asw_audit_t *a)
{
    return atomic_load(&slot_at(a, a->pos)->seq) == a->pos + 1;
}

/* Formats every published record, in order, into the batch buffer, handing each slot back
 * once formatted; writes the batch when it is full and at the end. Returns the records taken. */
static uint64_t drain(asw_audit_t *a)
{
    uint64_t taken = 0;
    for (;;) {
        slot *s = slot_at(a, a->pos);
        if (atomic_load_explicit(&s->seq, memory_order_acquire) != a->pos + 1) break;
        if (a->blen >= BUF_FLUSH) flush_buf(a);
        char *line = a->buf + a->blen; /* the buffer has LINE_MAX_ bytes of room behind BUF_FLUSH */
        size_t n = format_slot(a, s, line);
        atomic_store_explicit(&s->seq, a->pos + a->cap, memory_order_release);
        a->pos++;
        if (a->rotate_bytes && a->file_bytes + a->blen + n > a->rotate_bytes &&
            a->file_bytes + a->blen > 0) {
            /* Rotate at this record boundary: the lines before it go to the old file. */
            write_bytes(a, a->blen);
            memmove(a->buf, line, n);
            a->blen = 0;
            rotate(a);
        }
        a->blen += n;
        a->bcount++;
        if (++taken % a->room_every == 0) room_made(a);
    }
    if (taken) {
        room_made(a);
        flush_buf(a);
    }
    return taken;
}

static void nap(asw_audit_t *a)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += NAP_NS;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&a->wake, &a->mu, &ts);
}

static void *writer_main(void *arg)
{
    asw_audit_t *a = arg;
    bool napped = false;
    for (;;) {
        if (drain(a)) {
            napped = false;
            continue;
        }
        if (atomic_load(&a->closing)) {
            if (atomic_load(&a->head) == a->pos) break;
            sched_yield(); /* a producer claimed a slot and is still copying into it */
            continue;
        }
        pthread_mutex_lock(&a->mu);
        atomic_store(&a->wstate, napped ? W_SLEEP : W_NAP);
        if (!ready(a) && !atomic_load(&a->closing)) {
            if (napped)
                pthread_cond_wait(&a->wake, &a->mu);
            else
                nap(a);
        }
        atomic_store(&a->wstate, W_RUN);
        pthread_mutex_unlock(&a->mu);
        napped = true;
    }
    flush_buf(a);
    return NULL;
}

static void wake_writer(asw_audit_t *a)
{
    pthread_mutex_lock(&a->mu);
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->mu);
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
    int rc;
    asw_audit_t *a = asw__calloc(1, sizeof *a);
    if (!a) goto nomem;
    a->fd = -1;
    a->path = asw__strdup(cfg->path);
    a->ring = asw__calloc(cap, sizeof *a->ring);
    a->buf = asw__malloc(BUF_FLUSH + LINE_MAX_);
    if (!a->path || !a->ring || !a->buf) goto nomem;
    a->cap = cap;
    a->mask = (cap & (cap - 1)) ? 0 : cap - 1;
    /* Waking waiting producers in quarters of the ring lets them run in batches instead of
     * bouncing between the writer and each producer per slot. */
    a->room_every = cap >= 4 ? cap / 4 : 1;
    for (size_t i = 0; i < cap; i++)
        atomic_init(&a->ring[i].seq, i);
    a->fsync_policy = cfg->fsync;
    a->fsync_interval_ms = cfg->fsync_interval_ms ? cfg->fsync_interval_ms : 1000;
    a->rotate_bytes = cfg->rotate_bytes;
    a->rotate_keep = cfg->rotate_keep ? cfg->rotate_keep : 5;
    a->drop_when_full = cfg->drop_when_full;
    if (open_log(a)) {
        int e = errno;
        rc = asw__errorf(out_err, ASW_E_IO, "audit: cannot open '%s': %s", cfg->path, strerror(e));
        goto fail;
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->wake, NULL);
    pthread_cond_init(&a->room, NULL);
    pthread_cond_init(&a->progress, NULL);
    if (pthread_create(&a->thread, NULL, writer_main, a)) {
        pthread_mutex_destroy(&a->mu);
        pthread_cond_destroy(&a->wake);
        pthread_cond_destroy(&a->room);
        pthread_cond_destroy(&a->progress);
        rc = asw__errorf(out_err, ASW_E_NOMEM, "audit: cannot start the writer thread");
        goto fail;
    }
    *out_log = a;
    return ASW_OK;
nomem:
    rc = asw__errorf(out_err, ASW_E_NOMEM, "audit: out of memory");
fail:
    if (a) {
        if (a->fd >= 0) close(a->fd);
        asw__free(a->path);
        asw__free(a->ring);
        asw__free(a->buf);
        asw__free(a);
    }
    return rc;
}

/* Appends src (cut to cap - 1 bytes) at *at in the slot's data; returns its length. */
static uint16_t copy_field(slot *s, size_t *at, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;
    if (n) memcpy(s->data + *at, src, n);
    *at += n;
    return (uint16_t)n;
}

/* The slow path of asw_audit_log: the slot for `pos` still holds an unwritten record. Drops
 * (ASW_E_FULL) or waits for the writer to hand a slot back (ASW_OK, the caller claims again);
 * ASW_E_CLOSED when the log closes meanwhile. */
static int wait_room(asw_audit_t *a, uint64_t pos)
{
    if (a->drop_when_full) {
        atomic_fetch_add_explicit(&a->dropped, 1, memory_order_relaxed);
        return ASW_E_FULL;
    }
    atomic_fetch_add_explicit(&a->waits, 1, memory_order_relaxed);
    pthread_mutex_lock(&a->mu);
    atomic_fetch_add(&a->room_waiters, 1);
    /* The slot for pos is free once the writer has handed back pos - cap (tail > pos - cap). */
    while (atomic_load(&a->tail) + a->cap <= pos && !atomic_load(&a->closing)) {
        pthread_cond_signal(&a->wake); /* the writer may be napping */
        pthread_cond_wait(&a->room, &a->mu);
    }
    atomic_fetch_sub(&a->room_waiters, 1);
    pthread_mutex_unlock(&a->mu);
    return atomic_load(&a->closing) ? ASW_E_CLOSED : ASW_OK;
}

ASW_API int asw_audit_log(asw_audit_t *a, const asw_audit_record_t *rec)
{
    if (!a || !rec || (unsigned)rec->kind > ASW_AUDIT_QUOTA) return ASW_E_INVALID;
    if (atomic_load_explicit(&a->closing, memory_order_relaxed)) return ASW_E_CLOSED;
    uint64_t ts = asw__sec_wall_us();
    uint64_t pos = atomic_load_explicit(&a->head, memory_order_relaxed);
    slot *s;
    for (;;) {
        s = slot_at(a, pos);
        uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        int64_t d = (int64_t)(seq - pos);
        if (d == 0) {
            if (atomic_compare_exchange_weak_explicit(&a->head, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed))
                break;
        } else {
            if (d < 0) {
                int rc = wait_room(a, pos);
                if (rc) return rc;
            }
            pos = atomic_load_explicit(&a->head, memory_order_relaxed);
        }
    }
    s->ts_us = ts;
    s->kind = (uint8_t)rec->kind;
    size_t at = 0;
    s->len[F_COMPONENT_] = copy_field(s, &at, F_COMPONENT, rec->component);
    s->len[F_RESOURCE_] = copy_field(s, &at, F_RESOURCE, rec->resource);
    s->len[F_PERMISSION_] = copy_field(s, &at, F_PERM, rec->permission);
    s->len[F_RESULT_] = copy_field(s, &at, F_RESULT, rec->result);
    s->len[F_REASON_] = copy_field(s, &at, F_REASON, rec->reason);
    /* Sequentially consistent store, then load: pairs with the writer's state store and ready()
     * so that either the writer sees this record or this producer sees the writer asleep. */
    atomic_store(&s->seq, pos + 1);
    int w = atomic_load(&a->wstate);
    if (ASW_UNLIKELY(w != W_RUN) &&
        (w == W_SLEEP ||
         pos + 1 - atomic_load_explicit(&a->tail, memory_order_relaxed) >= a->cap / 2))
        wake_writer(a);
    return ASW_OK;
}

ASW_API int asw_audit_flush(asw_audit_t *a)
{
    if (!a) return ASW_E_INVALID;
    uint64_t target = atomic_load(&a->head);
    pthread_mutex_lock(&a->mu);
    atomic_fetch_add(&a->flush_waiters, 1);
    while (atomic_load(&a->written) < target) {
        pthread_cond_signal(&a->wake);
        pthread_cond_wait(&a->progress, &a->mu);
    }
    atomic_fetch_sub(&a->flush_waiters, 1);
    pthread_mutex_unlock(&a->mu);
    int rc = atomic_load(&a->io_error) ? ASW_E_IO : ASW_OK;
    int fd = a->fd;
    if (a->fsync_policy != ASW_AUDIT_FSYNC_NEVER && fd >= 0 && fsync(fd) != 0 && errno != EBADF)
        rc = ASW_E_IO;
    return rc;
}

ASW_API void asw_audit_stats(asw_audit_t *a, asw_audit_stats_t *out)
{
    if (!a || !out) return;
    out->logged = atomic_load(&a->head);
    out->written = atomic_load(&a->written);
    out->waits = atomic_load(&a->waits);
    out->dropped = atomic_load(&a->dropped);
    out->rotations = atomic_load(&a->rotations);
    out->write_errors = atomic_load(&a->write_errors);
}

ASW_API void asw_audit_close(asw_audit_t *a)
{
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    atomic_store(&a->closing, 1);
    pthread_cond_signal(&a->wake);
    pthread_cond_broadcast(&a->room);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    if (a->fd >= 0) {
        if (a->fsync_policy != ASW_AUDIT_FSYNC_NEVER) fsync(a->fd);
        close(a->fd);
    }
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->wake);
    pthread_cond_destroy(&a->room);
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
