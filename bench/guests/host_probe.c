/*
 * bench/guests/host_probe.c -- the guest of bench/host_bench.c: loops over one host function
 * from inside wasm, so the host measures the host path per call rather than guest work.
 *
 * Requests (AS_KIND_REQUEST, text): "rr <target> <n>" asks `target` n times with an 8-byte
 * payload (the request host function: the actor suspends until each reply) and answers with
 * the number of replies that came back intact; "set" (anything may follow) stores the 8-byte
 * value "12345678" under the key "probe", one durable write, answered "1"; "get <n>" runs n
 * storage-get calls of that key (capability check + quota + audit each time) and answers with
 * the number that read the value. The set is a request of its own so that its commit (two
 * fdatasyncs) stays out of the timed gets. Answers are decimal text; any other request is
 * answered "error".
 */
#include "airssys_guest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

AS_EXPORT("alloc") void *probe_alloc(int32_t n)
{
    return malloc((size_t)n);
}

static uint32_t parse_u32(const char *s, const char *end, const char **next)
{
    uint32_t v = 0;
    while (s < end && *s == ' ')
        s++;
    while (s < end && *s >= '0' && *s <= '9')
        v = v * 10u + (uint32_t)(*s++ - '0');
    *next = s;
    return v;
}

static int32_t answer(uint32_t v)
{
    char buf[12];
    int i = (int)sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    return as_respond(buf + i, (uint32_t)(sizeof buf - (size_t)i));
}

static uint32_t round_trips(const char *target, uint32_t tlen, uint32_t n)
{
    static const char ping[8] = "ping1234";
    char reply[16];
    uint32_t ok = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t rlen = 0;
        int32_t got =
            as_request_raw(target, tlen, ping, sizeof ping, reply, sizeof reply, &rlen, 5000);
        ok += got == (int32_t)sizeof ping && memcmp(reply, ping, sizeof ping) == 0;
    }
    return ok;
}

static const char probe_key[] = "probe";
static const char probe_value[8] = "12345678";

static uint32_t storage_set(void)
{
    return as_storage_set_raw(probe_key, sizeof probe_key - 1, probe_value, sizeof probe_value) ==
           AS_OK;
}

static uint32_t storage_gets(uint32_t n)
{
    char buf[16];
    uint32_t ok = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t vlen = 0;
        ok += as_storage_get_raw(probe_key, sizeof probe_key - 1, buf, sizeof buf, &vlen) ==
                  (int32_t)sizeof probe_value &&
              memcmp(buf, probe_value, sizeof probe_value) == 0;
    }
    return ok;
}

AS_EXPORT("handle-message")
int32_t probe_handle(int32_t kind, const char *from, int32_t from_len, const char *data,
                     int32_t len)
{
    int32_t rc = 0;
    const char *end = data + len;
    (void)from_len;
    if (kind == AS_KIND_REQUEST) {
        if (len > 3 && memcmp(data, "rr ", 3) == 0) {
            const char *t = data + 3, *sp = t;
            while (sp < end && *sp != ' ')
                sp++;
            const char *next;
            uint32_t n = parse_u32(sp, end, &next);
            rc = answer(round_trips(t, (uint32_t)(sp - t), n));
        } else if (len >= 3 && memcmp(data, "set", 3) == 0) {
            rc = answer(storage_set());
        } else if (len > 4 && memcmp(data, "get ", 4) == 0) {
            const char *next;
            rc = answer(storage_gets(parse_u32(data + 4, end, &next)));
        } else {
            rc = as_respond("error", 5);
        }
    }
    free((void *)from); /* from and data share the one block the host allocated */
    return rc;
}
