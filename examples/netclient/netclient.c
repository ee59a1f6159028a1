/*
 * examples/netclient/netclient.c -- a component that talks to one TCP endpoint, the only one
 * its Component.toml grants. Request payload: "<host> <port> <line>"; it connects, sends the
 * line, waits up to 2 s for the answer and replies "ok:<answer>", or "err:<code>@<step>" where
 * step is connect, send or recv and code the negative host error (-19 permission denied, -16
 * timed out, -20 quota exceeded). Guest ABI: docs/host-abi.md, SDK: airssys_guest.h.
 */
#include "airssys_guest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char out[4096];

AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

static int32_t reply_err(int32_t code, const char *step)
{
    int n = snprintf(out, sizeof out, "err:%d@%s", (int)code, step);
    return as_respond(out, (uint32_t)n);
}

static int32_t serve(const char *req, int32_t len)
{
    char host[256];
    const char *sp1 = memchr(req, ' ', (size_t)len);
    if (!sp1 || sp1 - req >= (int32_t)sizeof host) return reply_err(-1, "request");
    memcpy(host, req, (size_t)(sp1 - req));
    host[sp1 - req] = 0;
    int32_t port = 0;
    const char *p = sp1 + 1, *end = req + len;
    while (p < end && *p >= '0' && *p <= '9' && port <= 65535)
        port = port * 10 + (*p++ - '0');
    if (p >= end || *p != ' ' || port < 1 || port > 65535) return reply_err(-1, "request");
    p++;
    int32_t h = as_net_connect(host, (uint16_t)port);
    if (h < 0) return reply_err(h, "connect");
    int32_t rc = 0, put = 0, n = (int32_t)(end - p);
    while (put < n && (rc = as_net_send(h, p + put, (uint32_t)(n - put))) > 0)
        put += rc;
    if (rc < 0) {
        as_net_close(h);
        return reply_err(rc, "send");
    }
    rc = as_net_recv(h, out + 3, sizeof out - 3, 2000);
    as_net_close(h);
    if (rc < 0) return reply_err(rc, "recv");
    memcpy(out, "ok:", 3);
    return as_respond(out, (uint32_t)rc + 3);
}

AS_EXPORT("handle-message")
int32_t handle(int32_t kind, const char *from, int32_t from_len, const char *data, int32_t len)
{
    if (kind == AS_KIND_REQUEST) serve(data, len);
    (void)from_len;
    free((void *)from); /* from and data share the one block the host allocated */
    return 0;
}
