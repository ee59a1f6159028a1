/*
 * examples/pipeline/pipeline.c -- a three-stage pub-sub pipeline from one module; the stage is
 * chosen by the instance name (as examples/calculator does), and each stage has its own
 * manifest granting exactly the topics it uses:
 *
 *   source     --pipeline/raw-->   transform   --pipeline/clean-->   sink
 *
 *   source     (source.toml: send pipeline/raw). On "emit N" (a message or a request,
 *              1 <= N <= 1000) publishes the numbers 1..N as decimal text on pipeline/raw,
 *              then "end"; "emit N TOPIC" publishes on TOPIC instead, which its manifest does
 *              not allow for any other topic: the host refuses the publish (AS_E_DENIED, an
 *              audit record) and the source answers "error: publish TOPIC: AS_E_DENIED".
 *              Otherwise it answers "published N".
 *   transform  (transform.toml: receive pipeline/raw, send pipeline/clean). For each
 *              publication on pipeline/raw: a decimal integer x with |x| <= 1000000 is
 *              republished as x*x on pipeline/clean; "end" is passed on; anything else is
 *              dropped and logged (that is the cleaning). A request "stats" answers
 *              "passed P dropped D".
 *   sink       (sink.toml: receive pipeline/clean). Adds every value of pipeline/clean to a
 *              running total; on "end" logs "total: C values, sum S". A request "total"
 *              answers "count C sum S"; "reset" zeroes both and answers "0".
 *
 * The subscriptions (transform to pipeline/raw, sink to pipeline/clean) are made by the host --
 * airssys.toml [subscriptions], or asw_broker_subscribe in a test -- after the host checked
 * them against each manifest's messaging "receive" capability. A publication arrives as a
 * message of kind AS_KIND_TOPIC whose `from` is the topic. Guest ABI: docs/host-abi.md, SDK:
 * guest/include/airssys_guest.h.
 *
 * Not done: persistence (the totals live in memory and restart from 0 after a crash; see
 * examples/counter for state in storage); back-pressure beyond the host's mailbox limits.
 */
#include "airssys_guest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAW_TOPIC   "pipeline/raw"
#define CLEAN_TOPIC "pipeline/clean"
#define MAX_EMIT    1000 /* bounded work per message: well within the source's timeout */
#define MAX_ABS     1000000

enum { ROLE_SOURCE = 1, ROLE_TRANSFORM = 2, ROLE_SINK = 3 };

static int role;
static long long passed, dropped;        /* transform */
static long long total_count, total_sum; /* sink */
static int total_overflow;               /* sink: the sum left the range of long long */

AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

/* Does name (n bytes) equal word, or start with word followed by '-' ("sink-2")? */
static int named(const char *name, int32_t n, const char *word)
{
    int32_t w = (int32_t)strlen(word);
    return n >= w && memcmp(name, word, (size_t)w) == 0 && (n == w || name[w] == '-');
}

AS_EXPORT("init") int32_t init(void)
{
    char me[64];
    int32_t n = as_self_id(me, sizeof me);
    if (n > 0 && n <= (int32_t)sizeof me) {
        if (named(me, n, "source")) role = ROLE_SOURCE;
        if (named(me, n, "transform")) role = ROLE_TRANSFORM;
        if (named(me, n, "sink")) role = ROLE_SINK;
    }
    if (!role) {
        as_log(AS_LOG_ERROR, "the instance name must be source, transform or sink");
        return AS_E_INVALID;
    }
    return 0;
}

static int is(const char *data, int32_t len, const char *word)
{
    return (size_t)len == strlen(word) && memcmp(data, word, (size_t)len) == 0;
}

/*
 * Parses a decimal integer that is the whole of data (len bytes; an optional '-', 1..7
 * digits) with |x| <= MAX_ABS. Returns 1 and sets *out, or 0.
 */
static int parse_int(const char *data, int32_t len, long long *out)
{
    int32_t i = 0;
    int neg = 0;
    long long v = 0;
    if (len > 0 && data[0] == '-') neg = 1, i = 1;
    if (len - i < 1 || len - i > 7) return 0;
    for (; i < len; i++) {
        if (data[i] < '0' || data[i] > '9') return 0;
        v = v * 10 + (data[i] - '0');
    }
    if (v > MAX_ABS) return 0;
    *out = neg ? -v : v;
    return 1;
}

/* ---- source ---- */

/* "emit N [TOPIC]": publishes 1..N and "end" on the topic; the answer goes into out. */
static void source_emit(const char *data, int32_t len, char *out, size_t cap)
{
    char text[128], topic[80] = RAW_TOPIC;
    long n = 0;
    if (len <= 5 || len >= (int32_t)sizeof text || memcmp(data, "emit ", 5) != 0) {
        snprintf(out, cap, "error: unknown request");
        return;
    }
    memcpy(text, data, (size_t)len);
    text[len] = 0;
    int used = 0, ok = sscanf(text + 5, "%ld%n", &n, &used) == 1 && n >= 1 && n <= MAX_EMIT;
    const char *rest = text + 5 + used; /* "" or " TOPIC" (one word) */
    if (ok && *rest) {
        size_t tl = strlen(rest + 1);
        ok = rest[0] == ' ' && tl > 0 && tl < sizeof topic && !strchr(rest + 1, ' ');
        if (ok) memcpy(topic, rest + 1, tl + 1);
    }
    if (!ok) {
        snprintf(out, cap, "error: emit takes 1..%d [topic]", MAX_EMIT);
        return;
    }
    for (long i = 1; i <= n + 1; i++) {
        char num[24];
        int k = i <= n ? snprintf(num, sizeof num, "%ld", i) : snprintf(num, sizeof num, "end");
        int32_t rc = as_publish(topic, num, (uint32_t)k);
        if (rc < 0) {
            snprintf(out, cap, "error: publish %s: %s", topic, as_strerror(rc));
            return;
        }
    }
    snprintf(out, cap, "published %ld", n);
}

/* ---- transform ---- */

static void transform_topic(const char *data, int32_t len)
{
    long long x;
    char out[32];
    int32_t rc;
    int k;
    if (is(data, len, "end")) {
        k = snprintf(out, sizeof out, "end");
    } else if (!parse_int(data, len, &x)) {
        char line[80];
        dropped++;
        snprintf(line, sizeof line, "dropped a malformed value (%d bytes)", (int)len);
        as_log(AS_LOG_WARN, line);
        return;
    } else {
        k = snprintf(out, sizeof out, "%lld", x * x);
        passed++;
    }
    rc = as_publish(CLEAN_TOPIC, out, (uint32_t)k);
    if (rc < 0) { /* the host counted and audited the refusal; the stage keeps running */
        snprintf(out, sizeof out, "publish: %s", as_strerror(rc));
        as_log(AS_LOG_WARN, out);
    }
}

/* ---- sink ---- */

static void sink_topic(const char *data, int32_t len)
{
    char line[80];
    long long v;
    if (is(data, len, "end")) {
        snprintf(line, sizeof line, "total: %lld values, sum %lld%s", total_count, total_sum,
                 total_overflow ? " (overflowed)" : "");
        as_log(AS_LOG_INFO, line);
        return;
    }
    /* The transform sends squares up to MAX_ABS^2: parse those directly. */
    if (len < 1 || len > 13) return;
    v = 0;
    for (int32_t i = 0; i < len; i++) {
        if (data[i] < '0' || data[i] > '9') return;
        v = v * 10 + (data[i] - '0');
    }
    total_count++;
    if (__builtin_add_overflow(total_sum, v, &total_sum)) total_overflow = 1;
}

static void sink_request(const char *data, int32_t len, char *out, size_t cap)
{
    if (is(data, len, "total")) {
        snprintf(out, cap, "count %lld sum %lld%s", total_count, total_sum,
                 total_overflow ? " overflowed" : "");
    } else if (is(data, len, "reset")) {
        total_count = total_sum = 0;
        total_overflow = 0;
        snprintf(out, cap, "0");
    } else {
        snprintf(out, cap, "error: unknown request");
    }
}

AS_EXPORT("handle-message")
int32_t handle(int32_t kind, const char *from, int32_t from_len, const char *data, int32_t len)
{
    char out[128] = "";
    int32_t rc = 0;
    (void)from_len;
    if (kind == AS_KIND_TOPIC) {
        if (role == ROLE_TRANSFORM) transform_topic(data, len);
        if (role == ROLE_SINK) sink_topic(data, len);
    } else if (role == ROLE_SOURCE) {
        source_emit(data, len, out, sizeof out);
    } else if (role == ROLE_TRANSFORM) {
        if (is(data, len, "stats"))
            snprintf(out, sizeof out, "passed %lld dropped %lld", passed, dropped);
        else
            snprintf(out, sizeof out, "error: unknown request");
    } else {
        sink_request(data, len, out, sizeof out);
    }
    if (kind == AS_KIND_REQUEST)
        rc = as_respond_str(out);
    else if (memcmp(out, "error", 5) == 0)
        as_log(AS_LOG_WARN, out); /* a one-way message has nobody to answer */
    free((void *)from);           /* from and data share the one block the host allocated */
    return rc;
}
