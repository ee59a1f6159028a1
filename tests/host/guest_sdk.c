/*
 * tests/host/guest_sdk.c -- a component that calls every function of guest/include/
 * airssys_guest.h, built with -Wall -Wextra -Werror for wasm32 (asw_add_guest, reactor), so
 * the SDK header keeps compiling and declares every host import. It is only built, not run.
 */
#include "airssys_guest.h"

#include <stdlib.h>

static int count_key(const char *key, uint32_t klen, void *ud)
{
    (void)key;
    *(uint32_t *)ud += klen;
    return 0;
}

AS_EXPORT("alloc") void *sdk_alloc(int32_t n)
{
    return malloc((size_t)n);
}

AS_EXPORT("init") int32_t sdk_init(void)
{
    return as_subscribe("sdk/#") > 0 ? 0 : -1;
}

AS_EXPORT("handle-message")
int32_t sdk_handle(int32_t kind, const char *from, int32_t from_len, const void *data, int32_t len)
{
    char buf[256], name[64];
    uint32_t n = 0, total = 0;
    int32_t rc = 0;
    (void)from_len;
    if (kind == AS_KIND_REQUEST) {
        rc = as_respond(data, (uint32_t)len);
    } else if (kind == AS_KIND_TOPIC) {
        rc = as_publish("sdk/out", data, (uint32_t)len);
    } else {
        rc |= as_send("peer", data, (uint32_t)len);
        rc |= as_send_str("peer", "hi");
        rc |= as_request("calc", "1+1", 3, buf, sizeof buf, &n, 1000);
        rc |= (int32_t)(as_request_async("calc", "1+1", 3, 1000) < 0);
        rc |= (int32_t)(as_request_async_raw("calc", 4, "2", 1, 0) < 0);
        rc |= as_respond_str("x");
        rc |= as_self_id(name, sizeof name);
        rc |= as_storage_set("k", "v", 1);
        rc |= as_storage_set_str("k2", "v2");
        rc |= as_storage_get("k", buf, sizeof buf, &n);
        rc |= as_storage_exists("k");
        rc |= as_storage_delete("k2");
        rc |= as_storage_list_raw("", 0, NULL, 0, buf, sizeof buf, &n);
        rc |= as_storage_list_each(buf, n, count_key, &total);
        as_storage_usage_t u;
        rc |= as_storage_usage(&u);
        rc |= as_file_read("/data/a.json", buf, sizeof buf, &n);
        rc |= as_file_write("/data/b.json", "{}", 2, 0);
        rc |= as_file_delete("/data/b.json");
        rc |= as_file_list("/data", buf, sizeof buf, &n);
        int32_t h = as_net_connect("example.com", 443);
        if (h > 0) {
            rc |= as_net_send(h, "GET /\r\n", 7);
            rc |= as_net_recv(h, buf, sizeof buf, 100);
            rc |= as_net_close(h);
        }
        int64_t t = as_time_now() + as_time_monotonic();
        rc |= as_sleep_ms(1) | as_sleep_ns(t & 1);
        rc |= as_random(buf, 16);
        rc |= as_unsubscribe(1);
        as_log(AS_LOG_INFO, as_strerror(rc));
        as_log_raw(AS_LOG_DEBUG, buf, 4);
    }
    free((void *)from);
    return rc < 0 ? rc : 0;
}

/* The optional exports: handle-reply (needed by as_request_async), post-restart, pre-stop. */
AS_EXPORT("handle-reply")
int32_t sdk_reply(int64_t corr, int32_t status, const void *data, int32_t len)
{
    as_log(AS_LOG_DEBUG, corr > 0 && status == AS_OK && len >= 0 ? "reply" : "no reply");
    free((void *)data);
    return 0;
}

AS_EXPORT("post-restart") int32_t sdk_post_restart(int32_t restarts)
{
    return restarts > 0 ? 0 : -1;
}

AS_EXPORT("pre-stop") int32_t sdk_pre_stop(void)
{
    return as_storage_set_str("stopped", "yes");
}
