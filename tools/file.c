/*
 * tools/file.c -- reading a whole file or stream for the command groups: modules, manifests,
 * signatures, spec-test modules and standard input all come through here.
 *
 * The buffer is malloc'ed (the CLI's own memory, not the library's allocator hook) and has a
 * NUL after the last byte, so text can be used as a C string and binary keeps its length. On
 * failure errno says why (from fopen, ENOMEM, or EIO for a read error; a directory gives
 * EISDIR), for the caller's message.
 */
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

char *cli_read_stream(FILE *f, size_t *out_len)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            char *nb = cap > SIZE_MAX / 4 ? NULL : realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        errno = e ? e : EIO;
        return NULL;
    }
    buf[len] = 0;
    *out_len = len;
    return buf;
}

char *cli_read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    errno = 0;
    char *buf = cli_read_stream(f, out_len);
    int e = errno;
    fclose(f);
    errno = e;
    return buf;
}
