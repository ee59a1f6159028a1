/*
 * src/host/hostfn_files.c -- the file host functions of a component (read, write, delete,
 * list) and the WASI preview1 path policy, both behind one capability check.
 *
 * Design. asw__hostfs_check is the single decision: the requested path is checked as written
 * (asw_sec_check normalises it and denies traversal above the root, encodings and relative
 * paths), then resolved through symlinks with the security layer's resolver
 * (asw_path_resolve), and the resolved path is checked too when it differs. Both decisions
 * are audited by the security manager; a path that cannot be resolved safely (a loop, a
 * dangling component that is not a directory) is audited here. The operation then opens the
 * resolved path from "/" one component at a time with openat(O_NOFOLLOW | O_DIRECTORY), and
 * the last component with O_NOFOLLOW: the resolved path contains no symlink, so one met now was
 * swapped in after the check, and the open fails (ELOOP) instead of following it. That closes
 * the check-then-open race without trusting the path a second time.
 *
 * Files are opened with O_NONBLOCK and must be regular files (a FIFO or a device would block a
 * worker thread or do something a file API should not). The WASI policy receives a path the
 * WASI layer already resolved beneath its pre-open; it runs the same check, so a component's
 * files are governed by the same [capabilities] whichever API it uses.
 *
 * Invariants: nothing is touched before both checks passed; every descriptor opened here is
 * closed before returning. Not done: creating directories, renaming, following symlinks that
 * stay inside the grant at open time (they are resolved at check time instead).
 */
#include "host/hostfn.h"
#include "host/host_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void (*asw__hostfs_after_check)(const char *resolved) = NULL;

/* Writes an audit record for a decision the security manager did not make itself. */
static void audit_deny(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, uint32_t perm,
                       const char *reason)
{
    if (!audit) return;
    asw_audit_record_t r = {ASW_AUDIT_CAPABILITY,    asw_sec_id(sec), path,
                            asw_cap_perm_name(perm), "denied",        reason};
    asw_audit_log(audit, &r);
}

/* Resolves path into out; with follow_last false the last component is kept as it is (a
 * symlink there is the object itself: delete removes the link, not its target). */
static int resolve(const char *path, bool follow_last, char *out, size_t cap, asw_error_t *err)
{
    if (follow_last) return asw_path_resolve(path, out, cap, err);
    char norm[ASW_PATH_MAX];
    int rc = asw_path_normalize(path, norm, sizeof norm, err);
    if (rc) return rc;
    char *slash = strrchr(norm, '/');
    if (!slash || slash[1] == '\0') return asw_path_resolve(norm, out, cap, err); /* "/" */
    *slash = '\0';
    rc = asw_path_resolve(norm[0] ? norm : "/", out, cap, err);
    if (rc) return rc;
    size_t ol = strlen(out), bl = strlen(slash + 1);
    bool root = ol == 1;
    if (ol + !root + bl + 1 > cap) return asw__errorf(err, ASW_E_OVERFLOW, "path too long");
    if (!root) out[ol++] = '/';
    memcpy(out + ol, slash + 1, bl + 1);
    return ASW_OK;
}

static int check_impl(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, uint32_t perm,
                      bool follow_last, char *out_resolved, size_t cap, asw_error_t *out_err)
{
    asw_cap_decision_t d;
    if (!sec || !path || !out_resolved || cap < 2)
        return asw__errorf(out_err, ASW_E_INVALID, "file access: bad argument");
    /* The path as requested: normalised and checked by the capability checker. */
    int rc = asw_sec_check(sec, ASW_CAP_FS, path, perm, &d);
    if (rc == ASW_E_DENIED)
        return asw__errorf(out_err, rc, "%s '%s' denied: %s", asw_cap_perm_name(perm), path,
                           d.reason);
    if (rc) return asw__errorf(out_err, rc, "file access '%s': bad request", path);
    /* Where it really leads. */
    asw_error_t e = {0};
    rc = resolve(path, follow_last, out_resolved, cap, &e);
    if (rc) {
        audit_deny(sec, audit, path, perm, "path could not be resolved safely");
        return asw__errorf(out_err, rc == ASW_E_IO ? ASW_E_IO : ASW_E_DENIED, "%s '%s' denied: %s",
                           asw_cap_perm_name(perm), path, asw_error_message(&e));
    }
    char norm[ASW_PATH_MAX];
    if (asw_path_normalize(path, norm, sizeof norm, NULL) == ASW_OK && !strcmp(norm, out_resolved))
        return ASW_OK; /* no symlink on the way: already checked */
    rc = asw_sec_check(sec, ASW_CAP_FS, out_resolved, perm, &d);
    if (rc)
        return asw__errorf(out_err, ASW_E_DENIED, "%s '%s' denied: it leads to '%s': %s",
                           asw_cap_perm_name(perm), path, out_resolved, d.reason);
    return ASW_OK;
}

int asw__hostfs_check(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, uint32_t perm,
                      char *out_resolved, size_t cap, asw_error_t *out_err)
{
    return check_impl(sec, audit, path, perm, true, out_resolved, cap, out_err);
}

/* The check of an operation (delete does not follow a symlink in the last component: it
 * removes the link), then the test seam. */
static int check_op(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, uint32_t perm,
                    char *out_resolved, size_t cap, asw_error_t *out_err)
{
    int rc =
        check_impl(sec, audit, path, perm, perm != ASW_PERM_DELETE, out_resolved, cap, out_err);
    if (rc == ASW_OK && asw__hostfs_after_check) asw__hostfs_after_check(out_resolved);
    return rc;
}

/* Maps errno of an open or unlink to a code with a message. */
static int os_err(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, uint32_t perm,
                  int errnum, const char *op, asw_error_t *out_err)
{
    switch (errnum) {
    case ELOOP:
        audit_deny(sec, audit, path, perm, "a symbolic link appeared after the check");
        return asw__errorf(out_err, ASW_E_DENIED,
                           "%s '%s' denied: a symbolic link appeared after the check", op, path);
    case ENOENT:
    case ENOTDIR: return asw__errorf(out_err, ASW_E_NOT_FOUND, "%s '%s': no such file", op, path);
    case EACCES:
    case EPERM:
    case EROFS:
        return asw__errorf(out_err, ASW_E_DENIED, "%s '%s': %s", op, path, strerror(errnum));
    case EISDIR: return asw__errorf(out_err, ASW_E_INVALID, "%s '%s': is a directory", op, path);
    default: return asw__errorf(out_err, ASW_E_IO, "%s '%s': %s", op, path, strerror(errnum));
    }
}

/*
 * Opens the directory holding the last component of `resolved` (absolute, normalised, without
 * symlinks) without following any symlink, and points *out_last at that component ("" for "/").
 * Returns the directory descriptor or -1 with errno set.
 */
static int open_parent(const char *resolved, const char **out_last)
{
    int dfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return -1;
    const char *p = resolved;
    char comp[ASW_PATH_MAX];
    for (;;) {
        while (*p == '/')
            p++;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - s);
        const char *q = p;
        while (*q == '/')
            q++;
        if (!*q) { /* s..p is the last component */
            *out_last = s;
            return dfd;
        }
        memcpy(comp, s, n);
        comp[n] = '\0';
        int nfd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        close(dfd);
        if (nfd < 0) {
            errno = saved;
            return -1;
        }
        dfd = nfd;
    }
}

/* Opens the last component of resolved with flags | O_NOFOLLOW. "/" itself is reopened. */
static int open_nofollow(const char *resolved, int flags, mode_t mode)
{
    const char *last;
    int dfd = open_parent(resolved, &last);
    if (dfd < 0) return -1;
    int fd;
    if (!*last)
        fd = openat(dfd, ".", flags | O_CLOEXEC, mode);
    else
        fd = openat(dfd, last, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    int saved = errno;
    close(dfd);
    errno = saved;
    return fd;
}

int asw__host_file_read(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, uint64_t offset,
                        uint8_t *buf, size_t cap, size_t *out_len, uint64_t *out_size,
                        asw_error_t *out_err)
{
    char res[ASW_PATH_MAX];
    int fd = -1, rc;
    if (!out_len || (!buf && cap))
        return asw__errorf(out_err, ASW_E_INVALID, "file read: bad argument");
    *out_len = 0;
    if (out_size) *out_size = 0;
    if (offset > (uint64_t)INT64_MAX)
        return asw__errorf(out_err, ASW_E_INVALID, "file read: offset too large");
    rc = check_op(sec, audit, path, ASW_PERM_READ, res, sizeof res, out_err);
    if (rc) return rc;
    fd = open_nofollow(res, O_RDONLY | O_NONBLOCK, 0);
    if (fd < 0) return os_err(sec, audit, res, ASW_PERM_READ, errno, "read", out_err);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = os_err(sec, audit, res, ASW_PERM_READ, errno, "read", out_err);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = asw__errorf(out_err, ASW_E_INVALID, "read '%s': not a regular file", res);
        goto done;
    }
    if (out_size) *out_size = (uint64_t)st.st_size;
    size_t got = 0;
    while (got < cap) {
        ssize_t n = pread(fd, buf + got, cap - got, (off_t)(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = os_err(sec, audit, res, ASW_PERM_READ, errno, "read", out_err);
            goto done;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    *out_len = got;
    rc = ASW_OK;
done:
    close(fd);
    return rc;
}

int asw__host_file_write(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path,
                         const uint8_t *data, size_t len, int mode, asw_error_t *out_err)
{
    char res[ASW_PATH_MAX];
    int fd = -1, rc;
    if ((!data && len) || (mode != ASW__FILE_TRUNCATE && mode != ASW__FILE_APPEND))
        return asw__errorf(out_err, ASW_E_INVALID, "file write: bad argument");
    rc = check_op(sec, audit, path, ASW_PERM_WRITE, res, sizeof res, out_err);
    if (rc) return rc;
    /* Truncation waits until the file is known to be a regular file. */
    int flags = O_WRONLY | O_CREAT | O_NONBLOCK | (mode == ASW__FILE_APPEND ? O_APPEND : 0);
    fd = open_nofollow(res, flags, 0644);
    if (fd < 0) return os_err(sec, audit, res, ASW_PERM_WRITE, errno, "write", out_err);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = os_err(sec, audit, res, ASW_PERM_WRITE, errno, "write", out_err);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = asw__errorf(out_err, ASW_E_INVALID, "write '%s': not a regular file", res);
        goto done;
    }
    if (mode == ASW__FILE_TRUNCATE && ftruncate(fd, 0) != 0) {
        rc = os_err(sec, audit, res, ASW_PERM_WRITE, errno, "write", out_err);
        goto done;
    }
    size_t put = 0;
    while (put < len) {
        ssize_t n = write(fd, data + put, len - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            rc = os_err(sec, audit, res, ASW_PERM_WRITE, n < 0 ? errno : EIO, "write", out_err);
            goto done;
        }
        put += (size_t)n;
    }
    rc = ASW_OK;
done:
    close(fd);
    return rc;
}

int asw__host_file_delete(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path,
                          asw_error_t *out_err)
{
    char res[ASW_PATH_MAX];
    int rc = check_op(sec, audit, path, ASW_PERM_DELETE, res, sizeof res, out_err);
    if (rc) return rc;
    const char *last;
    int dfd = open_parent(res, &last);
    if (dfd < 0) return os_err(sec, audit, res, ASW_PERM_DELETE, errno, "delete", out_err);
    if (!*last) {
        close(dfd);
        return asw__errorf(out_err, ASW_E_INVALID, "delete '/': is a directory");
    }
    /* unlinkat never follows a symlink: one swapped in is removed itself, not its target. */
    rc = unlinkat(dfd, last, 0) == 0
             ? ASW_OK
             : os_err(sec, audit, res, ASW_PERM_DELETE, errno, "delete", out_err);
    close(dfd);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool showable(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return false;
    return true;
}

int asw__host_file_list(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *path, char *buf,
                        size_t cap, size_t *out_needed, asw_error_t *out_err)
{
    char res[ASW_PATH_MAX];
    char **names = NULL;
    size_t n = 0, ncap = 0;
    DIR *dir = NULL;
    int rc;
    if (!out_needed || (!buf && cap))
        return asw__errorf(out_err, ASW_E_INVALID, "file list: bad argument");
    *out_needed = 0;
    rc = check_op(sec, audit, path, ASW_PERM_LIST, res, sizeof res, out_err);
    if (rc) return rc;
    int fd = open_nofollow(res, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
    if (fd < 0) return os_err(sec, audit, res, ASW_PERM_LIST, errno, "list", out_err);
    dir = fdopendir(fd);
    if (!dir) {
        rc = os_err(sec, audit, res, ASW_PERM_LIST, errno, "list", out_err);
        close(fd);
        return rc;
    }
    struct dirent *de;
    errno = 0;
    while ((de = readdir(dir)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !showable(de->d_name))
            continue;
        if (n == ncap) {
            size_t nc = ncap ? ncap * 2 : 32;
            char **nn = asw__reallocarray(names, nc, sizeof *nn);
            if (!nn) goto nomem;
            names = nn;
            ncap = nc;
        }
        if (!(names[n] = asw__strdup(de->d_name))) goto nomem;
        n++;
    }
    if (errno) {
        rc = os_err(sec, audit, res, ASW_PERM_LIST, errno, "list", out_err);
        goto fail;
    }
    if (n) qsort(names, n, sizeof *names, cmp_names);
    size_t need = 0, put = 0;
    bool fits = true;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        need += l + 1;
        if (fits && put + l + 1 <= cap) {
            memcpy(buf + put, names[i], l);
            buf[put + l] = '\n';
            put += l + 1;
        } else {
            fits = false;
        }
    }
    *out_needed = need;
    rc = fits ? ASW_OK
              : asw__errorf(out_err, ASW_E_OVERFLOW, "list '%s': %zu bytes needed, %zu given", res,
                            need, cap);
    goto fail; /* shared cleanup */
nomem:
    rc = asw__errorf(out_err, ASW_E_NOMEM, "list '%s': out of memory", res);
fail:
    for (size_t i = 0; i < n; i++)
        asw__free(names[i]);
    asw__free(names);
    closedir(dir);
    return rc;
}

int asw__hostfs_wasi_policy(void *ud, const char *resolved_host_path, asw_wasi_access_t access)
{
    asw__hostfs_policy_t *p = ud;
    char res[ASW_PATH_MAX];
    uint32_t perm;
    if (!p || !p->sec || !resolved_host_path) return -1;
    switch (access) {
    case ASW_WASI_ACCESS_READ: perm = ASW_PERM_READ; break;
    case ASW_WASI_ACCESS_WRITE:
    case ASW_WASI_ACCESS_CREATE: perm = ASW_PERM_WRITE; break;
    case ASW_WASI_ACCESS_DELETE: perm = ASW_PERM_DELETE; break;
    case ASW_WASI_ACCESS_LIST: perm = ASW_PERM_LIST; break;
    case ASW_WASI_ACCESS_STAT:
        /* Metadata: readable files, or the directories the component may list. Probe without
         * auditing so exactly one decision is recorded. */
        perm = asw_capset_check(asw_sec_caps(p->sec), ASW_CAP_FS, resolved_host_path, ASW_PERM_READ,
                                NULL) == ASW_OK
                   ? ASW_PERM_READ
                   : ASW_PERM_LIST;
        break;
    default: return -1;
    }
    return asw__hostfs_check(p->sec, p->audit, resolved_host_path, perm, res, sizeof res, NULL) ? -1
                                                                                                : 0;
}

/* ============================ the component's WASI context ============================ */

int asw__hostfs_component_policy(void *ud, const char *resolved_host_path, asw_wasi_access_t access)
{
    asw_component_t *c = ud;
    if (!c || c->magic != ASW__COMP_MAGIC) return -1;
    asw__hostfs_policy_t p = {c->sec, c->host->audit};
    int rc = asw__hostfs_wasi_policy(&p, resolved_host_path, access);
    if (rc) asw__host_count_denied(c);
    return rc;
}

/* The directory a filesystem pattern lives under: its literal prefix up to the last '/'
 * before the first wildcard (or the whole path's parent for an exact path). */
static size_t pattern_dir(const char *pat, char *out, size_t cap)
{
    size_t lit = 0, last_slash = 0;
    for (; pat[lit] && !strchr("*?[\\", pat[lit]); lit++)
        if (pat[lit] == '/') last_slash = lit;
    size_t n = pat[lit] ? last_slash : lit;
    if (n == 0) n = 1; /* "/" */
    if (n >= cap) return 0;
    memcpy(out, pat, n);
    out[n] = '\0';
    return n;
}

int asw__hostfs_wasi_new(asw_component_t *c, const asw_wasi_config_t *base, asw_wasi_t **out_wasi,
                         asw_error_t *out_err)
{
    enum { MAXPRE = 32 };
    asw_wasi_preopen_t pre[MAXPRE];
    char(*dirs)[ASW_PATH_MAX] = NULL;
    size_t npre = 0;
    int rc;
    if (!c || !base || !out_wasi) return asw__errorf(out_err, ASW_E_INVALID, "wasi: bad argument");
    dirs = asw__calloc(MAXPRE, sizeof *dirs);
    if (!dirs) return asw__errorf(out_err, ASW_E_NOMEM, "wasi: out of memory");
    const asw_capset_t *caps = asw_sec_caps(c->sec);
    for (size_t i = 0; i < asw_capset_count(caps) && npre < MAXPRE; i++) {
        asw_cap_spec_t s;
        if (asw_capset_get(caps, i, &s) || s.kind != ASW_CAP_FS || s.deny) continue;
        char d[ASW_PATH_MAX];
        struct stat st;
        if (!pattern_dir(s.pattern, d, sizeof d)) continue;
        if (stat(d, &st) == 0 && !S_ISDIR(st.st_mode)) { /* an exact file: its directory */
            char *slash = strrchr(d, '/');
            if (slash == d) slash++;
            *slash = '\0';
        }
        if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
            continue; /* nothing to pre-open (yet): the policy still governs */
        bool dup = false;
        for (size_t j = 0; j < npre && !dup; j++)
            dup = !strcmp(dirs[j], d);
        if (dup) continue;
        memcpy(dirs[npre], d, strlen(d) + 1);
        pre[npre].host_path = dirs[npre];
        pre[npre].guest_path = dirs[npre];
        pre[npre].read_only = false;
        npre++;
    }
    asw_wasi_config_t wc = *base;
    wc.preopens = pre;
    wc.npreopens = npre;
    wc.policy = asw__hostfs_component_policy;
    wc.policy_ud = c;
    rc = asw_wasi_new(&wc, out_wasi, out_err);
    asw__free(dirs);
    return rc;
}

/* ================================ the wasm host functions ================================ */

typedef asw_val_t val;

static uint32_t U32(const val *a, size_t i)
{
    return (uint32_t)a[i].of.i32;
}

/* Copies the guest path (ptr, len) into buf; ASW_E_INVALID when out of bounds, empty, too
 * long or holding a NUL. */
static int guest_path(asw_caller_t *caller, const val *args, char *buf)
{
    uint32_t len = U32(args, 1);
    if (len == 0) return ASW_E_INVALID;
    return asw__host_guest_str(caller, U32(args, 0), len, buf, ASW_PATH_MAX);
}

static int32_t finish(asw_component_t *c, int rc)
{
    if (rc == ASW_E_DENIED || rc == ASW_E_QUOTA) asw__host_count_denied(c);
    return rc;
}

/* file-read(path, plen, buf, cap, size_ptr) -> bytes read | error. *size_ptr (u32, saturated)
 * receives the file's size, so a guest whose buffer was short knows how much there is. */
static int hf_read(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                   size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char path[ASW_PATH_MAX];
    uint8_t *buf, *sp;
    uint32_t cap = U32(args, 3);
    int rc = guest_path(caller, args, path);
    if (!rc && (asw__host_guest_span(caller, U32(args, 2), cap, &buf) ||
                asw__host_guest_span(caller, U32(args, 4), 4, &sp)))
        rc = ASW_E_INVALID;
    size_t n = 0;
    uint64_t size = 0;
    if (!rc) {
        /* The result is an i32: read at most INT32_MAX bytes. */
        size_t want = cap > INT32_MAX ? INT32_MAX : cap;
        rc = asw__host_file_read(in->comp->sec, in->comp->host->audit, path, 0, buf, want, &n,
                                 &size, NULL);
    }
    if (!rc) {
        uint32_t s32 = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
        memcpy(sp, &s32, 4);
    }
    res[0] = asw_val_i32(rc ? finish(in->comp, rc) : (int32_t)n);
    return ASW_OK;
}

/* file-write(path, plen, data, dlen, append) -> 0 | error. append 0 replaces the content. */
static int hf_write(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                    size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char path[ASW_PATH_MAX];
    uint8_t *data;
    uint32_t len = U32(args, 3), append = U32(args, 4);
    int rc = guest_path(caller, args, path);
    if (!rc && (append > 1 || asw__host_guest_span(caller, U32(args, 2), len, &data)))
        rc = ASW_E_INVALID;
    if (!rc)
        rc = asw__host_file_write(in->comp->sec, in->comp->host->audit, path, data, len,
                                  append ? ASW__FILE_APPEND : ASW__FILE_TRUNCATE, NULL);
    res[0] = asw_val_i32(finish(in->comp, rc));
    return ASW_OK;
}

/* file-delete(path, plen) -> 0 | error */
static int hf_delete(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                     size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char path[ASW_PATH_MAX];
    int rc = guest_path(caller, args, path);
    if (!rc) rc = asw__host_file_delete(in->comp->sec, in->comp->host->audit, path, NULL);
    res[0] = asw_val_i32(finish(in->comp, rc));
    return ASW_OK;
}

/* file-list(path, plen, buf, cap, len_ptr) -> 0 | error. Writes the names, each followed by
 * '\n', sorted; *len_ptr receives the bytes the whole list needs (also with ASW_E_OVERFLOW,
 * when only the names that fitted were written). */
static int hf_list(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                   size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char path[ASW_PATH_MAX];
    uint8_t *buf, *lp = NULL; /* lp: set only once the spans are checked */
    uint32_t cap = U32(args, 3);
    int rc = guest_path(caller, args, path);
    if (!rc && (asw__host_guest_span(caller, U32(args, 2), cap, &buf) ||
                asw__host_guest_span(caller, U32(args, 4), 4, &lp)))
        rc = ASW_E_INVALID;
    size_t need = 0;
    if (!rc)
        rc = asw__host_file_list(in->comp->sec, in->comp->host->audit, path, (char *)buf, cap,
                                 &need, NULL);
    if (lp && (!rc || rc == ASW_E_OVERFLOW)) {
        uint32_t n32 = need > UINT32_MAX ? UINT32_MAX : (uint32_t)need;
        memcpy(lp, &n32, 4);
    }
    res[0] = asw_val_i32(finish(in->comp, rc));
    return ASW_OK;
}

int asw__hostfn_files_define(asw_imports_t *imp, asw_host_t *host, asw_error_t *out_err)
{
    static const uint8_t I[5] = {ASW_I32, ASW_I32, ASW_I32, ASW_I32, ASW_I32};
    static const struct {
        const char *name;
        asw_host_fn fn;
        uint32_t np;
    } defs[] = {
        {"file-read", hf_read, 5},
        {"file-write", hf_write, 5},
        {"file-delete", hf_delete, 2},
        {"file-list", hf_list, 5},
    };
    for (size_t i = 0; i < ASW_ARRAY_LEN(defs); i++) {
        asw_functype_t ft = {defs[i].np, 1, I, I};
        int rc = asw_imports_define_func(imp, ASW__HOST_MODULE, defs[i].name, &ft, defs[i].fn, host,
                                         out_err);
        if (rc) return rc;
    }
    return ASW_OK;
}
