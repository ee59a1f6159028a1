/*
 * examples/filereader/filereader.c -- a component that reads files for whoever asks, limited by
 * its Component.toml to JSON files directly in /data (read) and /data itself (list). Requests:
 *   "read <path>"  -> "ok:<content>"  or "err:<code>"
 *   "list <dir>"   -> "ok:<names, one per line>" or "err:<code>"
 *   "fopen <path>" -> the same as read, through WASI (fopen/fread of wasi-libc): the host
 *                     pre-opens the granted directories and checks every WASI path access
 *                     with the same capability check; a refusal is "err:errno=<n>".
 * <code> is the negative host error (-19 permission denied, -13 not found, ...). Every path is
 * checked by the host against the capability -- /etc/passwd, "..", and symlinks that lead out
 * are denied whatever the guest does. Guest ABI: docs/host-abi.md, SDK: airssys_guest.h.
 */
#include "airssys_guest.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char out[65536];

AS_EXPORT("alloc") void *guest_alloc(int32_t n)
{
    return malloc((size_t)n);
}

static int32_t reply_err(int32_t code)
{
    int n = snprintf(out, sizeof out, "err:%d", (int)code);
    return as_respond(out, (uint32_t)n);
}

static int32_t serve(const char *req, int32_t len)
{
    uint32_t size = 0;
    int32_t rc;
    if (len > 5 && !memcmp(req, "read ", 5)) {
        rc = as_file_read_raw(req + 5, (uint32_t)len - 5, out + 3, sizeof out - 3, &size);
    } else if (len > 5 && !memcmp(req, "list ", 5)) {
        rc = as_file_list_raw(req + 5, (uint32_t)len - 5, out + 3, sizeof out - 3, &size);
        if (rc == 0) rc = (int32_t)size;
    } else if (len > 6 && !memcmp(req, "fopen ", 6)) {
        char path[1024];
        if (len - 6 >= (int32_t)sizeof path) return reply_err(-1);
        memcpy(path, req + 6, (size_t)(len - 6));
        path[len - 6] = 0;
        FILE *f = fopen(path, "rb");
        if (!f) {
            int n = snprintf(out, sizeof out, "err:errno=%d", errno);
            return as_respond(out, (uint32_t)n);
        }
        rc = (int32_t)fread(out + 3, 1, sizeof out - 3, f);
        fclose(f);
    } else {
        return reply_err(-1);
    }
    if (rc < 0) return reply_err(rc);
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
