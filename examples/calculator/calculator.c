/*
 * examples/calculator/calculator.c -- a request-response pair from one module. Loaded as
 * "calculator" it is the server: a request "add 2 3" (ops add, sub, mul, div; "slow" sleeps
 * 200 ms first) is answered with the decimal result or "error: ...". Loaded under any other
 * name it is the client: a request "<op> a b" is forwarded to the calculator with the request
 * host function -- the client's actor is suspended, not its worker thread -- and the answer is
 * returned to whoever asked; "repeat N" makes the client ask "add 2 3" N times and answer
 * with the number of correct answers (bench/host_bench.c). Guest ABI: docs/host-abi.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AIRSSYS(name) __attribute__((import_module("airssys"), import_name(name)))
AIRSSYS("respond") int32_t as_respond(const void *d, int32_t len);
AIRSSYS("request")
int32_t as_request(const char *to, int32_t to_len, const void *d, int32_t len, void *reply,
                   int32_t cap, int32_t *reply_len, int32_t timeout_ms);
AIRSSYS("self-id") int32_t as_self_id(char *buf, int32_t cap);
AIRSSYS("sleep") int32_t as_sleep(int64_t ns);

enum { KIND_REQUEST = 1 };

static int is_server;

__attribute__((export_name("alloc"))) void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

__attribute__((export_name("init"))) int32_t init(void)
{
    char me[64];
    int32_t n = as_self_id(me, sizeof me);
    is_server = n == 10 && memcmp(me, "calculator", 10) == 0;
    return 0;
}

static int32_t answer(const char *s)
{
    return as_respond(s, (int32_t)strlen(s));
}

static int32_t serve(const char *req, int32_t len)
{
    char text[128], op[16], out[64];
    long long a, b, r;
    if (len <= 0 || len >= (int32_t)sizeof text) return answer("error: bad request");
    memcpy(text, req, (size_t)len);
    text[len] = 0;
    if (sscanf(text, "%15s %lld %lld", op, &a, &b) != 3) return answer("error: bad request");
    if (strcmp(op, "slow") == 0) {
        as_sleep(200000000); /* suspends this actor; the worker runs others */
        r = a + b;
    } else if (strcmp(op, "add") == 0)
        r = a + b;
    else if (strcmp(op, "sub") == 0)
        r = a - b;
    else if (strcmp(op, "mul") == 0)
        r = a * b;
    else if (strcmp(op, "div") == 0) {
        if (b == 0) return answer("error: division by zero");
        r = a / b;
    } else
        return answer("error: unknown operation");
    snprintf(out, sizeof out, "%lld", r);
    return answer(out);
}

__attribute__((export_name("handle-message"))) int32_t
handle(int32_t kind, const char *from, int32_t from_len, const char *data, int32_t len)
{
    int32_t rc = 0;
    if (kind == KIND_REQUEST) {
        if (is_server) {
            rc = serve(data, len);
        } else if (len > 7 && memcmp(data, "repeat ", 7) == 0) {
            char num[16], reply[64], out[24];
            int32_t rlen = 0, n = len - 7 < 15 ? len - 7 : 15, ok = 0;
            memcpy(num, data + 7, (size_t)n);
            num[n] = 0;
            for (long i = 0, count = atol(num); i < count; i++)
                ok += as_request("calculator", 10, "add 2 3", 7, reply, sizeof reply, &rlen,
                                 5000) == 1 &&
                      reply[0] == '5';
            snprintf(out, sizeof out, "%d", (int)ok);
            rc = answer(out);
        } else {
            char reply[64];
            int32_t rlen = 0;
            rc = as_request("calculator", 10, data, len, reply, sizeof reply, &rlen, 5000);
            if (rc >= 0)
                rc = as_respond(reply, rc);
            else {
                char err[48];
                snprintf(err, sizeof err, "error: request failed (%d)", (int)rc);
                rc = answer(err);
            }
        }
    }
    (void)from_len;
    free((void *)from);
    return rc;
}
