/*
 * tests/host/hooks_guest.c -- a component for tests/host/abi_test.c: the lifecycle hooks and
 * subscriptions of the guest ABI.
 *   post-restart(n): stores "restarts" = n and "sleep-in-hook" = the result of as_sleep_ms
 *                    (AS_E_STATE expected);
 *   pre-stop():      stores "stopped" = "yes" and "async-in-stop" = the result of
 *                    as_request_async (AS_E_STATE expected); then traps when the instance
 *                    name starts with "trapper" (the host logs it and goes on).
 *   init():          stores "send-in-init" = the result of sending to itself (as "hooky"; the
 *                    actor does not exist yet: an error);
 *   start():         counts "starts" (every incarnation) and stores "send-in-start" = the
 *                    result of sending "from-start" to itself; receiving it stores
 *                    "got-from-start" = "yes".
 * Requests: "sub <pattern>" answers the result of as_subscribe; "topics" the number of
 * publications received; "get <key>" the stored value (or "none"); "trap" traps; anything
 * else "ok".
 */
#include "airssys_guest.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int topics;

AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

static void store_num(const char *key, long long v)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", v);
    as_storage_set_str(key, text);
}

/* init and start act only as "hooky": other tests count the denials of their instances. */
static bool is_hooky(void)
{
    char me[64];
    int32_t n = as_self_id(me, sizeof me - 1);
    return n == 5 && memcmp(me, "hooky", 5) == 0;
}

AS_EXPORT("init") int32_t init(void)
{
    if (is_hooky()) store_num("send-in-init", as_send_str("hooky", "from-init"));
    return 0;
}

AS_EXPORT("start") int32_t start(void)
{
    if (!is_hooky()) return 0;
    char buf[24];
    uint32_t n = 0;
    int32_t got = as_storage_get("starts", buf, sizeof buf - 1, &n);
    long long starts = 0;
    if (got >= 0) {
        buf[got] = 0;
        starts = atoll(buf);
    }
    store_num("starts", starts + 1);
    store_num("send-in-start", as_send_str("hooky", "from-start"));
    return 0;
}

AS_EXPORT("post-restart") int32_t post_restart(int32_t restarts)
{
    store_num("restarts", restarts);
    store_num("sleep-in-hook", as_sleep_ms(1));
    return 0;
}

AS_EXPORT("pre-stop") int32_t pre_stop(void)
{
    char me[64];
    int32_t n = as_self_id(me, sizeof me);
    as_storage_set_str("stopped", "yes");
    store_num("async-in-stop", as_request_async("nobody", "x", 1, 10));
    if (n >= 7 && memcmp(me, "trapper", 7) == 0) __builtin_trap();
    return 0;
}

AS_EXPORT("handle-reply")
int32_t handle_reply(int64_t corr, int32_t status, void *data, int32_t len)
{
    (void)corr, (void)status, (void)len;
    free(data);
    return 0;
}

AS_EXPORT("handle-message")
int32_t handle(int32_t kind, const char *from, int32_t from_len, const char *data, int32_t len)
{
    char out[64];
    (void)from_len;
    if (kind == AS_KIND_TOPIC) {
        topics++;
    } else if (kind == AS_KIND_REQUEST && len > 4 && !memcmp(data, "sub ", 4)) {
        snprintf(out, sizeof out, "%lld", (long long)as_subscribe_raw(data + 4, (uint32_t)len - 4));
        as_respond_str(out);
    } else if (kind == AS_KIND_REQUEST && len == 6 && !memcmp(data, "topics", 6)) {
        snprintf(out, sizeof out, "%d", topics);
        as_respond_str(out);
    } else if (kind == AS_KIND_REQUEST && len > 4 && !memcmp(data, "get ", 4)) {
        char key[64];
        uint32_t n = 0, kl = (uint32_t)len - 4 < 63 ? (uint32_t)len - 4 : 63;
        memcpy(key, data + 4, kl);
        key[kl] = 0;
        int32_t rc = as_storage_get(key, out, sizeof out, &n);
        as_respond(rc >= 0 ? out : "none", rc >= 0 ? (uint32_t)rc : 4);
    } else if (kind == AS_KIND_SEND && len == 10 && !memcmp(data, "from-start", 10)) {
        as_storage_set_str("got-from-start", "yes");
    } else if (len == 4 && !memcmp(data, "trap", 4)) {
        __builtin_trap();
    } else if (kind == AS_KIND_REQUEST) {
        as_respond_str("ok");
    }
    free((void *)from);
    return 0;
}
