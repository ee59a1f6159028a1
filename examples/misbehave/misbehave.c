/*
 * examples/misbehave/misbehave.c -- a component that misbehaves on command, to show that the
 * host contains it: a request or message "loop" spins forever (stopped by its fuel or its
 * deadline), "bomb" grows its memory until the limit and then traps, "trap" executes
 * unreachable, "flood" sends 1000 messages to "echo" (most refused by its message-rate quota)
 * and answers "sent S refused R", "secret" tries to message "calculator" without the
 * capability and answers with the error code, "ok" answers "ok". Guest ABI: docs/host-abi.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AIRSSYS(name) __attribute__((import_module("airssys"), import_name(name)))
AIRSSYS("send") int32_t as_send(const char *to, int32_t to_len, const void *d, int32_t len);
AIRSSYS("respond") int32_t as_respond(const void *d, int32_t len);
AIRSSYS("log") void as_log(int32_t level, const char *msg, int32_t len);

static volatile uint32_t sink;

__attribute__((export_name("alloc"))) void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

static int32_t answer(const char *s)
{
    return as_respond(s, (int32_t)strlen(s));
}

static int is(const char *data, int32_t len, const char *word)
{
    return (size_t)len == strlen(word) && memcmp(data, word, (size_t)len) == 0;
}

__attribute__((export_name("handle-message"))) int32_t
handle(int32_t kind, const char *from, int32_t from_len, const char *data, int32_t len)
{
    (void)kind;
    (void)from_len;
    int32_t rc = 0;
    char out[64];
    if (is(data, len, "loop")) {
        for (;;)
            sink++;
    } else if (is(data, len, "bomb")) {
        as_log(3, "allocating without end", 22);
        while (__builtin_wasm_memory_grow(0, 16) != (size_t)-1)
            sink++;
        as_log(4, "memory limit reached", 20);
        __builtin_trap();
    } else if (is(data, len, "trap")) {
        __builtin_trap();
    } else if (is(data, len, "flood")) {
        int sent = 0, refused = 0;
        for (int i = 0; i < 1000; i++) {
            if (as_send("echo", 4, "x", 1) == 0)
                sent++;
            else
                refused++;
        }
        snprintf(out, sizeof out, "sent %d refused %d", sent, refused);
        rc = answer(out);
    } else if (is(data, len, "secret")) {
        snprintf(out, sizeof out, "%d", (int)as_send("calculator", 10, "hi", 2));
        rc = answer(out);
    } else {
        rc = answer("ok");
    }
    free((void *)from);
    return rc;
}
