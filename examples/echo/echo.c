/*
 * examples/echo/echo.c -- the echo component: answers every request with its payload, and
 * sends every one-way message from another component back to its sender. Guest ABI:
 * docs/host-abi.md, SDK: guest/include/airssys_guest.h.
 */
#include "airssys_guest.h"

#include <stdint.h>
#include <stdlib.h>

/* The host copies each message into a buffer it gets from here; handle-message frees it. */
AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

AS_EXPORT("handle-message")
int32_t handle(int32_t kind, const char *from, int32_t from_len, const void *data, int32_t len)
{
    int32_t rc = 0;
    if (kind == AS_KIND_REQUEST)
        rc = as_respond(data, (uint32_t)len);
    else if (kind == AS_KIND_SEND && from_len > 0)
        rc = as_send_raw(from, (uint32_t)from_len, data, (uint32_t)len);
    free((void *)from); /* from and data share the one block the host allocated */
    return rc;
}
