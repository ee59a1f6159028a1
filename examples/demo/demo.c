/*
 * examples/demo/demo.c -- the two components of the README demo (examples/demo/airssys.toml),
 * one module whose role is chosen by the instance name:
 *
 *   ticker  (ticker.toml: send to itself, to misbehave and on demo/tick). Any one-way message
 *           ("start" from the host, then "tick" from itself) sleeps 400 ms -- the actor is
 *           suspended, the worker runs others -- then publishes "tick N" on demo/tick and sends
 *           "tick" to itself, so it ticks until the system stops. Every 5th tick it also sends
 *           "trap" to misbehave, which crashes on it (examples/misbehave).
 *   tally   (tally.toml: receive demo/tick). Counts the ticks it saw *in this instance* and
 *           logs "tick N: S seen since my start". It shares a one-for-all supervisor with
 *           misbehave, so every crash of misbehave restarts it too, with a fresh instance: S
 *           starts again from 1. A request "seen" answers S.
 *
 * Guest ABI: docs/host-abi.md, SDK: guest/include/airssys_guest.h.
 * Not done: anything persistent (see examples/counter).
 */
#include "airssys_guest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS    400
#define TRAP_EVERY 5

static int role; /* 1 ticker, 2 tally */
static long ticks, seen;

AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

static void find_role(void)
{
    char me[65];
    int32_t n = as_self_id(me, sizeof me - 1);
    if (n < 0 || n >= (int32_t)sizeof me) return;
    me[n] = 0;
    role = strcmp(me, "ticker") == 0 ? 1 : 2;
}

static void tick(void)
{
    char text[64];
    as_sleep_ms(TICK_MS);
    ticks++;
    int n = snprintf(text, sizeof text, "tick %ld", ticks);
    as_publish("demo/tick", text, (uint32_t)n);
    if (ticks % TRAP_EVERY == 0) {
        snprintf(text, sizeof text, "tick %ld: sending 'trap' to misbehave", ticks);
        as_log(AS_LOG_WARN, text);
        as_send_str("misbehave", "trap");
    }
    as_send_str("ticker", "tick");
}

AS_EXPORT("handle-message")
int32_t handle(int32_t kind, const char *from, int32_t from_len, const char *data, int32_t len)
{
    (void)from_len;
    if (!role) find_role();
    if (role == 1 && kind == AS_KIND_SEND) {
        tick();
    } else if (role == 2 && kind == AS_KIND_TOPIC) {
        char text[96];
        seen++;
        snprintf(text, sizeof text, "%.*s: %ld seen since my start", len > 32 ? 32 : (int)len, data,
                 seen);
        as_log(AS_LOG_INFO, text);
    } else if (role == 2 && kind == AS_KIND_REQUEST) {
        char text[32];
        int n = snprintf(text, sizeof text, "%ld", seen);
        as_respond(text, (uint32_t)n);
    }
    free((void *)from);
    return 0;
}
