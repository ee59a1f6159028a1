/*
 * src/security/resolve.c -- checked path resolution: follow symlinks component by component so
 * a check sees the path the OS would really open, and the filesystem check built on it.
 *
 * Design. The request path is first normalised lexically (asw_path_normalize: encodings,
 * traversal above the root and relative paths are rejected there). Then the components are
 * walked from the root with lstat(2); a symlink is replaced by its target (readlink(2)) and the
 * walk continues through the target, so "/granted/link/file" where link -> /etc becomes
 * "/etc/file" and is checked as such. A component that does not exist ends the lookups (the rest
 * cannot contain symlinks yet: a file about to be created). At most 40 links are followed
 * (Linux's MAXSYMLINKS); more is a loop and denied.
 *
 * Invariants: the resolved path is absolute and normalised; the caller must open the resolved
 * path (not the original) to get what was checked. Not done: protection against a race between
 * check and use (a symlink swapped in afterwards) -- that needs openat(O_NOFOLLOW) at open time
 * in the host layer. This is the only file of the checker that touches the filesystem.
 */
#include "security/sec_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40

ASW_API int asw_path_resolve(const char *path, char *out, size_t cap, asw_error_t *out_err)
{
    char rest[ASW_PATH_MAX], tmp[ASW_PATH_MAX], target[ASW_PATH_MAX];
    if (!path || !out || cap < 2)
        return asw__errorf(out_err, ASW_E_INVALID, "path resolution: bad argument");
    int rc = asw_path_normalize(path, rest, sizeof rest, out_err);
    if (rc) return rc;
    size_t olen = 0, links = 0;
    bool missing = false;
    out[0] = '\0';
    const char *p = rest;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p) break;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - s);
        if (len == 1 && s[0] == '.') continue;
        if (len == 2 && s[0] == '.' && s[1] == '.') { /* only from link targets: "/.." is "/" */
            while (olen > 0 && out[olen - 1] != '/')
                olen--;
            if (olen > 0) olen--;
            out[olen] = '\0';
            continue;
        }
        if (olen + 1 + len + 1 > cap) goto too_long;
        size_t before = olen;
        out[olen++] = '/';
        memcpy(out + olen, s, len);
        olen += len;
        out[olen] = '\0';
        if (missing) continue;
        struct stat st;
        if (lstat(out, &st) != 0) {
            if (errno == ENOENT) {
                missing = true;
                continue;
            }
            return asw__errorf(out_err, errno == ENOTDIR ? ASW_E_DENIED : ASW_E_IO,
                               "resolving '%s': %s: %s", path, out, strerror(errno));
        }
        if (!S_ISLNK(st.st_mode)) continue;
        if (++links > MAX_LINKS)
            return asw__errorf(out_err, ASW_E_DENIED,
                               "resolving '%s': too many symbolic links (a loop?)", path);
        ssize_t tl = readlink(out, target, sizeof target - 1);
        if (tl < 0)
            return asw__errorf(out_err, ASW_E_IO, "resolving '%s': readlink %s: %s", path, out,
                               strerror(errno));
        if (tl == 0)
            return asw__errorf(out_err, ASW_E_DENIED, "resolving '%s': empty symlink %s", path,
                               out);
        target[tl] = '\0';
        /* The remaining walk is the link target followed by what was left of the path. */
        int n = snprintf(tmp, sizeof tmp, "%s/%s", target, p);
        if (n < 0 || (size_t)n >= sizeof tmp) goto too_long;
        memcpy(rest, tmp, (size_t)n + 1);
        p = rest;
        if (target[0] == '/')
            olen = 0;
        else
            olen = before; /* relative: from the directory holding the link */
        out[olen] = '\0';
    }
    if (olen == 0) {
        out[0] = '/';
        out[1] = '\0';
    }
    return ASW_OK;
too_long:
    return asw__errorf(out_err, ASW_E_OVERFLOW, "resolving '%s': path too long", path);
}

ASW_API int asw_capset_check_path(const asw_capset_t *set, const char *path, uint32_t perm,
                                  char *out_resolved, size_t cap, asw_cap_decision_t *out,
                                  asw_error_t *out_err)
{
    char buf[ASW_PATH_MAX];
    if (!set || !path) return asw__errorf(out_err, ASW_E_INVALID, "check_path: NULL argument");
    int rc = asw_path_resolve(path, buf, sizeof buf, out_err);
    if (rc) {
        if (out) {
            out->granted = false;
            out->reason = "path could not be resolved safely";
            out->rule = NULL;
        }
        return rc == ASW_E_OVERFLOW || rc == ASW_E_IO ? rc : ASW_E_DENIED;
    }
    if (out_resolved && cap) {
        size_t l = strlen(buf);
        if (l >= cap) return asw__errorf(out_err, ASW_E_OVERFLOW, "resolved path too long");
        memcpy(out_resolved, buf, l + 1);
    }
    rc = asw_capset_check(set, ASW_CAP_FS, buf, perm, out);
    if (rc == ASW_E_DENIED)
        asw__errorf(out_err, rc, "'%s' (resolved to '%s'): %s", path, buf,
                    out ? out->reason : "denied");
    return rc;
}
