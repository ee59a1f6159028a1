/*
 * examples/calculator/calculator.c -- a request-response pair from one module. Loaded as
 * "calculator" it is the server: a request "add 2 3" (ops add, sub, mul, div; "slow" sleeps
 * 200 ms first) is answered with the decimal result or "error: ...". Loaded under any other
 * name it is the client, which asks the calculator in two ways:
 *   - synchronously: a request "<op> a b" is forwarded with as_request -- the client's actor
 *     is suspended, not its worker thread -- and the answer returned to whoever asked;
 *     "repeat N" asks "add 2 3" N times and answers with the number of correct answers
 *     (bench/host_bench.c);
 *   - asynchronously: "async N" sends N requests "add i 1" (i = 0..N-1) with
 *     as_request_async and answers "sent N" at once; each reply later runs handle-reply,
 *     which adds it up. "async-slow MS" sends "slow 1 2" with a timeout of MS milliseconds,
 *     "async-crash" sends "crash" (the calculator dies with the request). "result" answers
 *     "replies R errors E sum S last L" (L: the status of the last failed reply).
 * A request "crash" traps whoever receives it (its supervisor restarts it). Guest ABI:
 * docs/host-abi.md, SDK: guest/include/airssys_guest.h.
 */
#include "airssys_guest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_server;
static long long async_sum;
static int async_replies, async_errors, async_last;

AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

AS_EXPORT("init") int32_t init(void)
{
    char me[64];
    int32_t n = as_self_id(me, sizeof me);
    is_server = n == 10 && memcmp(me, "calculator", 10) == 0;
    return 0;
}

static int32_t serve(const char *req, int32_t len)
{
    char text[128], op[16], out[64];
    long long a, b, r;
    if (len <= 0 || len >= (int32_t)sizeof text) return as_respond_str("error: bad request");
    memcpy(text, req, (size_t)len);
    text[len] = 0;
    if (sscanf(text, "%15s %lld %lld", op, &a, &b) != 3)
        return as_respond_str("error: bad request");
    if (strcmp(op, "slow") == 0) {
        as_sleep_ms(200); /* suspends this actor; the worker runs others */
        r = a + b;
    } else if (strcmp(op, "add") == 0)
        r = a + b;
    else if (strcmp(op, "sub") == 0)
        r = a - b;
    else if (strcmp(op, "mul") == 0)
        r = a * b;
    else if (strcmp(op, "div") == 0) {
        if (b == 0) return as_respond_str("error: division by zero");
        r = a / b;
    } else
        return as_respond_str("error: unknown operation");
    snprintf(out, sizeof out, "%lld", r);
    return as_respond_str(out);
}

static int starts(const char *data, int32_t len, const char *word)
{
    size_t n = strlen(word);
    return (size_t)len >= n && memcmp(data, word, n) == 0;
}

/* The number after a command word ("async 10" -> 10). */
static long arg_of(const char *data, int32_t len, size_t skip)
{
    char num[16];
    int32_t n = len - (int32_t)skip;
    if (n <= 0) return 0;
    if (n > 15) n = 15;
    memcpy(num, data + skip, (size_t)n);
    num[n] = 0;
    return atol(num);
}

/* The asynchronous commands of the client. Returns what to answer. */
static int32_t client_async(const char *data, int32_t len, char *out, size_t cap)
{
    int64_t id = 0;
    if (starts(data, len, "async ")) {
        long n = arg_of(data, len, 6), i;
        for (i = 0; i < n; i++) {
            char req[48];
            snprintf(req, sizeof req, "add %ld 1", i);
            if ((id = as_request_async("calculator", req, (uint32_t)strlen(req), 5000)) < 0) break;
        }
        if (id < 0) return snprintf(out, cap, "error: request-async failed (%d)", (int)id);
        return snprintf(out, cap, "sent %ld", n);
    }
    if (starts(data, len, "async-slow ")) {
        id = as_request_async("calculator", "slow 1 2", 8, (uint32_t)arg_of(data, len, 11));
    } else if (starts(data, len, "async-crash")) {
        id = as_request_async("calculator", "crash", 5, 5000);
    } else {
        return snprintf(out, cap, "replies %d errors %d sum %lld last %d", async_replies,
                        async_errors, async_sum, async_last);
    }
    if (id < 0) return snprintf(out, cap, "error: request-async failed (%d)", (int)id);
    return snprintf(out, cap, "sent 1");
}

/* A reply to as_request_async: status 0 with the calculator's answer, or AS_E_TIMEOUT /
 * AS_E_DEAD. The payload lies in a block from alloc, which is ours to free. */
AS_EXPORT("handle-reply")
int32_t handle_reply(int64_t corr, int32_t status, char *data, int32_t len)
{
    (void)corr;
    if (status == AS_OK) {
        char text[32];
        int32_t n = len < (int32_t)sizeof text - 1 ? len : (int32_t)sizeof text - 1;
        memcpy(text, data, (size_t)n);
        text[n] = 0;
        async_sum += atoll(text);
        async_replies++;
    } else {
        async_errors++;
        async_last = status;
    }
    free(data);
    return 0;
}

AS_EXPORT("handle-message")
int32_t handle(int32_t kind, const char *from, int32_t from_len, const char *data, int32_t len)
{
    int32_t rc = 0;
    (void)from_len;
    if (len == 5 && memcmp(data, "crash", 5) == 0) __builtin_trap();
    if (is_server) {
        if (kind == AS_KIND_REQUEST) rc = serve(data, len);
    } else if (starts(data, len, "async") || starts(data, len, "result")) {
        char out[96];
        int n = client_async(data, len, out, sizeof out);
        if (kind == AS_KIND_REQUEST) rc = as_respond(out, (uint32_t)n);
    } else if (kind == AS_KIND_REQUEST && starts(data, len, "repeat ")) {
        char reply[64], out[24];
        uint32_t rlen = 0;
        int ok = 0;
        for (long i = 0, count = arg_of(data, len, 7); i < count; i++)
            ok += as_request("calculator", "add 2 3", 7, reply, sizeof reply, &rlen, 5000) == 1 &&
                  reply[0] == '5';
        snprintf(out, sizeof out, "%d", ok);
        rc = as_respond_str(out);
    } else if (kind == AS_KIND_REQUEST) {
        char reply[64];
        uint32_t rlen = 0;
        rc = as_request("calculator", data, (uint32_t)len, reply, sizeof reply, &rlen, 5000);
        if (rc >= 0) {
            rc = as_respond(reply, (uint32_t)rc);
        } else {
            char err[48];
            snprintf(err, sizeof err, "error: request failed (%d)", (int)rc);
            rc = as_respond_str(err);
        }
    }
    free((void *)from);
    return rc;
}
