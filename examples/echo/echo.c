/*
 * examples/echo/echo.c -- the echo component: answers every request with its payload, and
 * sends every one-way message from another component back to its sender. Guest ABI:
 * docs/host-abi.md.
 */
#include <stdint.h>
#include <stdlib.h>

#define AIRSSYS(name) __attribute__((import_module("airssys"), import_name(name)))
AIRSSYS("send") int32_t as_send(const char *to, int32_t to_len, const void *d, int32_t len);
AIRSSYS("respond") int32_t as_respond(const void *d, int32_t len);

enum { KIND_SEND = 0, KIND_REQUEST = 1, KIND_TOPIC = 2 };

/* The host copies each message into a buffer it gets from here; handle-message frees it. */
__attribute__((export_name("alloc"))) void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

__attribute__((export_name("handle-message"))) int32_t
handle(int32_t kind, const char *from, int32_t from_len, const void *data, int32_t len)
{
    int32_t rc = 0;
    if (kind == KIND_REQUEST)
        rc = as_respond(data, len);
    else if (kind == KIND_SEND && from_len > 0)
        rc = as_send(from, from_len, data, len);
    free((void *)from); /* from and data share the one block the host allocated */
    return rc;
}
