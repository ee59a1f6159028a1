/*
 * tests/host/sup_guest.c -- a test component for supervision trees (supervise_test.c): it keeps
 * a counter in its linear memory, so a fresh instance is visible from outside. A request "inc"
 * increments it and answers the new value in decimal; "get" answers it; "trap" (request or
 * message) executes unreachable; anything else answers "ok".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AIRSSYS(name) __attribute__((import_module("airssys"), import_name(name)))
AIRSSYS("respond") int32_t as_respond(const void *d, int32_t len);

static int counter;

__attribute__((export_name("alloc"))) void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
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
    char out[32];
    int32_t rc;
    if (is(data, len, "trap")) __builtin_trap();
    if (is(data, len, "inc")) counter++;
    if (is(data, len, "inc") || is(data, len, "get")) {
        int n = snprintf(out, sizeof out, "%d", counter);
        rc = as_respond(out, n);
    } else {
        rc = as_respond("ok", 2);
    }
    free((void *)from);
    return rc;
}
