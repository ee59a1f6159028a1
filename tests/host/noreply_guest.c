/*
 * tests/host/noreply_guest.c -- a component for tests/host/abi_test.c that calls
 * request-async but does not export handle-reply: the host must refuse to load it.
 */
#include "airssys_guest.h"

#include <stdlib.h>

AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

AS_EXPORT("handle-message")
int32_t handle(int32_t kind, const char *from, int32_t from_len, const void *data, int32_t len)
{
    (void)kind, (void)from_len;
    int64_t id = as_request_async("echo", data, (uint32_t)len, 0);
    free((void *)from);
    return id < 0 ? (int32_t)id : 0;
}
