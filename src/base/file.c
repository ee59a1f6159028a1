/*
 * src/base/file.c -- reading a whole file into an owned buffer: the one reader behind the
 * library's path-taking calls (asw_host_load_files, signatures, keys, trust and approval
 * stores).
 *
 * The buffer comes from the allocator hook and always has a NUL after the last byte, so text
 * files (manifests, key files) can be used as C strings while binary ones keep their length.
 * Errors name the path and the cause (a directory, a missing file, a read error, out of memory,
 * a file larger than the caller's limit).
 */
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int asw__read_file(const char *path, size_t max, uint8_t **out, size_t *out_len, asw_error_t *err)
{
    *out = NULL;
    *out_len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return asw__errorf(err, ASW_E_IO, "cannot open '%s': %s", path, strerror(errno));
    /* Reading max + 1 bytes proves the file is too large. */
    size_t cap = max && max < (1u << 16) ? max + 1 : 1u << 16, len = 0;
    uint8_t *buf = asw__malloc(cap + 1);
    int rc = ASW_OK;
    if (!buf) {
        rc = asw__errorf(err, ASW_E_NOMEM, "reading '%s': out of memory", path);
        goto done;
    }
    for (;;) {
        if (len == cap) {
            if (max && len > max) {
                rc =
                    asw__errorf(err, ASW_E_LIMIT, "reading '%s': larger than %zu bytes", path, max);
                goto done;
            }
            size_t ncap = cap > SIZE_MAX / 4 ? 0 : cap * 2;
            if (max && ncap > max + 1) ncap = max + 1;
            uint8_t *nb = ncap ? asw__realloc(buf, ncap + 1) : NULL;
            if (!nb) {
                rc = asw__errorf(err, ASW_E_NOMEM, "reading '%s': out of memory", path);
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            rc = asw__errorf(err, ASW_E_IO, "reading '%s': %s", path, strerror(errno));
            goto done;
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    buf[len] = 0;
    *out = buf;
    *out_len = len;
    buf = NULL;
done:
    asw__free(buf);
    close(fd);
    return rc;
}
