/*
 * examples/counter/counter.c -- a counter whose value lives in the component's storage, so it
 * survives a crash of the component (its supervisor starts a fresh instance), a restart of the
 * host and a `kill -9` of the host process.
 *
 * Protocol (requests are answered; the same text as a one-way message does the same silently,
 * which is how the start messages of airssys.toml drive it):
 *   "incr"     adds 1; answers the new count ("incr N" adds N, 1 <= N <= 1000000);
 *   "get"      answers the count;
 *   "reset"    deletes the stored count; answers "0";
 *   "usage"    answers "bytes B quota Q keys K" (storage-usage of its namespace);
 *   "crash"    traps (the supervisor restarts it; the count is read back from storage).
 * Anything else is answered with "error: unknown request"; a storage failure with
 * "error: <op>: AS_E_..." (the count is then unchanged).
 *
 * Design. The count is stored under the one key "count" as decimal text. `init`, which runs in
 * every fresh instance (first load, each restart), reads it back and logs it; every change is
 * written with storage-set before it is answered, and storage-set returns only once the write is
 * durable, so an answered increment is never lost. The in-memory copy changes only after a
 * write succeeded. The manifest grants reading its namespace (component:{self}:*; storage-usage
 * checks the namespace itself), writing and deleting only that key (component:{self}:count),
 * and a small storage quota. Guest ABI: docs/host-abi.md, SDK: guest/include/airssys_guest.h.
 *
 * Not done: counting more than one thing (one key); overflow past 2^63 - 1 (answered as an
 * error, nothing written).
 */
#include "airssys_guest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_KEY "count"
#define MAX_STEP  1000000

static long long count; /* the stored value, as last read or written */

AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

/* Reads the stored count into *out: 0 when absent. Returns AS_OK or a negative AS_E_* code. */
static int32_t load_count(long long *out)
{
    char buf[32];
    uint32_t len = 0;
    int32_t rc = as_storage_get(COUNT_KEY, buf, sizeof buf - 1, &len);
    if (rc == AS_E_NOT_FOUND) {
        *out = 0;
        return AS_OK;
    }
    if (rc < 0) return rc;
    buf[rc] = 0;
    char *end = NULL;
    long long v = strtoll(buf, &end, 10);
    if (end == buf || *end != 0 || v < 0) return AS_E_INVALID; /* not ours: refuse to guess */
    *out = v;
    return AS_OK;
}

/* Writes v durably, then adopts it. Returns AS_OK or the error of storage-set. */
static int32_t store_count(long long v)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", v);
    int32_t rc = as_storage_set_str(COUNT_KEY, text);
    if (rc == AS_OK) count = v;
    return rc;
}

AS_EXPORT("init") int32_t init(void)
{
    char line[64];
    int32_t rc = load_count(&count);
    if (rc < 0) {
        snprintf(line, sizeof line, "cannot read the count: %s", as_strerror(rc));
        as_log(AS_LOG_ERROR, line);
        return rc; /* fails the start: better than counting from a wrong value */
    }
    snprintf(line, sizeof line, "count restored: %lld", count);
    as_log(AS_LOG_INFO, line);
    return 0;
}

static int is(const char *data, int32_t len, const char *word)
{
    return (size_t)len == strlen(word) && memcmp(data, word, (size_t)len) == 0;
}

/* Parses the step of "incr N" (text after "incr "): 1..MAX_STEP, else 0. */
static long long parse_step(const char *p, int32_t n)
{
    long long v = 0;
    if (n <= 0 || n > 7) return 0;
    for (int32_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        v = v * 10 + (p[i] - '0');
    }
    return v >= 1 && v <= MAX_STEP ? v : 0;
}

/* Runs one command; writes the answer into out. */
static void run(const char *data, int32_t len, char *out, size_t cap)
{
    int32_t rc;
    if (is(data, len, "get")) {
        snprintf(out, cap, "%lld", count);
    } else if (is(data, len, "incr") || (len > 5 && memcmp(data, "incr ", 5) == 0)) {
        long long step = len == 4 ? 1 : parse_step(data + 5, len - 5);
        if (step == 0) {
            snprintf(out, cap, "error: incr takes 1..%d", MAX_STEP);
        } else if (count > INT64_MAX - step) {
            snprintf(out, cap, "error: overflow");
        } else if ((rc = store_count(count + step)) < 0) {
            snprintf(out, cap, "error: storage-set: %s", as_strerror(rc));
        } else {
            snprintf(out, cap, "%lld", count);
        }
    } else if (is(data, len, "reset")) {
        rc = as_storage_delete(COUNT_KEY);
        if (rc < 0 && rc != AS_E_NOT_FOUND) {
            snprintf(out, cap, "error: storage-delete: %s", as_strerror(rc));
        } else {
            count = 0;
            snprintf(out, cap, "0");
        }
    } else if (is(data, len, "usage")) {
        as_storage_usage_t u;
        if ((rc = as_storage_usage(&u)) < 0)
            snprintf(out, cap, "error: storage-usage: %s", as_strerror(rc));
        else
            snprintf(out, cap, "bytes %llu quota %llu keys %llu", (unsigned long long)u.bytes,
                     (unsigned long long)u.quota, (unsigned long long)u.keys);
    } else {
        snprintf(out, cap, "error: unknown request");
    }
}

AS_EXPORT("handle-message")
int32_t handle(int32_t kind, const char *from, int32_t from_len, const char *data, int32_t len)
{
    char out[96];
    int32_t rc = 0;
    (void)from_len;
    if (is(data, len, "crash")) __builtin_trap(); /* the block is lost with the instance */
    run(data, len, out, sizeof out);
    if (kind == AS_KIND_REQUEST)
        rc = as_respond_str(out);
    else if (memcmp(out, "error", 5) == 0)
        as_log(AS_LOG_WARN, out); /* a one-way message has nobody to answer */
    free((void *)from);           /* from and data share the one block the host allocated */
    return rc;
}
