/*
 * examples/misbehave/misbehave.c -- a component that misbehaves on command, to show that the
 * host contains it: a request or message "loop" spins forever (stopped by its fuel or its
 * deadline), "bomb" grows its memory until the limit and then traps, "trap" executes
 * unreachable, "flood" sends 1000 messages to "echo" (most refused by its message-rate quota)
 * and answers "sent S refused R", "secret" tries to message "calculator" without the
 * capability and answers with the error code, "ok" answers "ok". Guest ABI: docs/host-abi.md,
 * SDK: guest/include/airssys_guest.h.
 */
#include "airssys_guest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile uint32_t sink;

AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

static int is(const char *data, int32_t len, const char *word)
{
    return (size_t)len == strlen(word) && memcmp(data, word, (size_t)len) == 0;
}

AS_EXPORT("handle-message")
int32_t handle(int32_t kind, const char *from, int32_t from_len, const char *data, int32_t len)
{
    (void)kind;
    (void)from_len;
    int32_t rc = 0;
    char out[64];
    if (is(data, len, "loop")) {
        for (;;)
            sink++;
    } else if (is(data, len, "bomb")) {
        as_log(AS_LOG_WARN, "allocating without end");
        while (__builtin_wasm_memory_grow(0, 16) != (size_t)-1)
            sink++;
        as_log(AS_LOG_ERROR, "memory limit reached");
        __builtin_trap();
    } else if (is(data, len, "trap")) {
        __builtin_trap();
    } else if (is(data, len, "flood")) {
        int sent = 0, refused = 0;
        for (int i = 0; i < 1000; i++) {
            if (as_send_str("echo", "x") == AS_OK)
                sent++;
            else
                refused++;
        }
        snprintf(out, sizeof out, "sent %d refused %d", sent, refused);
        rc = as_respond_str(out);
    } else if (is(data, len, "secret")) {
        snprintf(out, sizeof out, "%d", (int)as_send_str("calculator", "hi"));
        rc = as_respond_str(out);
    } else {
        rc = as_respond_str("ok");
    }
    free((void *)from);
    return rc;
}
