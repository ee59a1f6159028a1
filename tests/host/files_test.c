/*
 * tests/host/files_test.c -- the file host functions and the WASI policy: a component granted
 * <tmp>/data/[any].json reads, writes, deletes and lists there, and is denied /etc/passwd, `..`,
 * encodings, a symlink escape and a symlink swapped in between check and open; every decision
 * is audited; buffers at their exact size and one byte short; allocation failure.
 */
#include "testlib.h"

#include "host/hostfn.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fx {
    char root[256]; /* canonical temp dir */
    char data[PATH_MAX];
    char audit_path[PATH_MAX];
    asw_audit_t *audit;
    asw_sec_t *sec;
    asw_sec_ctx_t *ctx;
} fx;

static fx F;

static const char *P(const char *rel)
{
    return asw_test_path_in(F.root, rel); /* a ring of four: one call may take four paths */
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(asw_test_tmpdir_new(F.root, sizeof F.root, "files"), 0);
    snprintf(F.data, sizeof F.data, "%s/data", F.root);
    assert_int_equal(mkdir(F.data, 0755), 0);
    asw_test_write_text(P("data/a.json"), "{\"a\":1}");
    asw_test_write_text(P("data/b.txt"), "plain");
    asw_test_write_text(P("secret.json"), "{\"secret\":true}");
    assert_int_equal(symlink("/etc/passwd", P("data/escape.json")), 0);
    assert_int_equal(symlink("a.json", P("data/alias.json")), 0);
    assert_int_equal(symlink("../secret.json", P("data/up.json")), 0);
    assert_int_equal(mkfifo(P("data/fifo.json"), 0644), 0);

    snprintf(F.audit_path, sizeof F.audit_path, "%s/audit.log", F.root);
    asw_audit_config_t ac = {0};
    ac.path = F.audit_path;
    asw_error_t e = {0};
    assert_int_equal(asw_audit_open(&ac, &F.audit, &e), ASW_OK);
    assert_int_equal(asw_sec_new(F.audit, &F.sec, &e), ASW_OK);
    asw_capset_t *caps = NULL;
    assert_int_equal(asw_capset_new("reader", &caps, &e), ASW_OK);
    char line[PATH_MAX + 64];
    snprintf(line, sizeof line, "fs read,write,delete %s/*.json", F.data);
    assert_int_equal(asw_capset_add_text(caps, line, &e), ASW_OK);
    snprintf(line, sizeof line, "fs list %s", F.data);
    assert_int_equal(asw_capset_add_text(caps, line, &e), ASW_OK);
    assert_int_equal(asw_sec_register(F.sec, "reader", caps, NULL, &F.ctx, &e), ASW_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    asw_sec_free(F.sec);
    asw_audit_close(F.audit);
    assert_int_equal(asw_test_tmpdir_remove(F.root), 0);
    return 0;
}

static int rd(const char *path, char *buf, size_t cap, size_t *n)
{
    asw_error_t e = {0};
    int rc = asw__host_file_read(F.ctx, F.audit, path, 0, (uint8_t *)buf, cap, n, NULL, &e);
    if (rc) assert_true(e.msg[0] != '\0'); /* every failure says why */
    return rc;
}

static void read_granted_and_denied(void **state)
{
    (void)state;
    char buf[64];
    size_t n = 99;
    uint64_t size = 0;
    asw_error_t e = {0};
    assert_int_equal(asw__host_file_read(F.ctx, F.audit, P("data/a.json"), 0, (uint8_t *)buf,
                                         sizeof buf, &n, &size, &e),
                     ASW_OK);
    assert_int_equal(n, 7);
    assert_int_equal(size, 7);
    assert_memory_equal(buf, "{\"a\":1}", 7);
    /* Offsets: the last byte, and exactly at the end. */
    assert_int_equal(asw__host_file_read(F.ctx, F.audit, P("data/a.json"), 6, (uint8_t *)buf,
                                         sizeof buf, &n, NULL, &e),
                     ASW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(buf[0], '}');
    assert_int_equal(asw__host_file_read(F.ctx, F.audit, P("data/a.json"), 7, (uint8_t *)buf,
                                         sizeof buf, &n, NULL, &e),
                     ASW_OK);
    assert_int_equal(n, 0);
    /* A buffer smaller than the file: a prefix, and the size tells the rest. */
    assert_int_equal(
        asw__host_file_read(F.ctx, F.audit, P("data/a.json"), 0, (uint8_t *)buf, 3, &n, &size, &e),
        ASW_OK);
    assert_int_equal(n, 3);
    assert_int_equal(size, 7);
    /* A symlink that stays inside the grant. */
    assert_int_equal(rd(P("data/alias.json"), buf, sizeof buf, &n), ASW_OK);
    assert_int_equal(n, 7);

    assert_int_equal(rd(P("data/b.txt"), buf, sizeof buf, &n), ASW_E_DENIED);
    assert_int_equal(rd("/etc/passwd", buf, sizeof buf, &n), ASW_E_DENIED);
    assert_int_equal(n, 0);
    assert_int_equal(rd(P("data/../secret.json"), buf, sizeof buf, &n), ASW_E_DENIED);
    assert_int_equal(rd(P("data/%2e%2e/secret.json"), buf, sizeof buf, &n), ASW_E_DENIED);
    assert_int_equal(rd("/../../etc/passwd", buf, sizeof buf, &n), ASW_E_DENIED);
    assert_int_equal(rd("data/a.json", buf, sizeof buf, &n), ASW_E_DENIED); /* relative */
    /* Symlink escapes: to /etc/passwd, and up to a .json file outside data/. */
    assert_int_equal(rd(P("data/escape.json"), buf, sizeof buf, &n), ASW_E_DENIED);
    assert_int_equal(rd(P("data/up.json"), buf, sizeof buf, &n), ASW_E_DENIED);
    /* Granted but missing; granted but a FIFO (must not block). */
    assert_int_equal(rd(P("data/none.json"), buf, sizeof buf, &n), ASW_E_NOT_FOUND);
    assert_int_equal(rd(P("data/fifo.json"), buf, sizeof buf, &n), ASW_E_INVALID);
    /* Bad arguments. */
    assert_int_equal(
        asw__host_file_read(F.ctx, F.audit, P("data/a.json"), 0, NULL, 4, &n, NULL, &e),
        ASW_E_INVALID);
    assert_int_equal(asw__host_file_read(F.ctx, F.audit, P("data/a.json"), UINT64_MAX,
                                         (uint8_t *)buf, 4, &n, NULL, &e),
                     ASW_E_INVALID);
    assert_int_equal(
        asw__host_file_read(NULL, F.audit, P("data/a.json"), 0, (uint8_t *)buf, 4, &n, NULL, &e),
        ASW_E_INVALID);
}

static void write_and_delete(void **state)
{
    (void)state;
    asw_error_t e = {0};
    char buf[64];
    size_t n;
    const uint8_t *hello = (const uint8_t *)"hello";
    assert_int_equal(
        asw__host_file_write(F.ctx, F.audit, P("data/new.json"), hello, 5, ASW__FILE_TRUNCATE, &e),
        ASW_OK);
    assert_int_equal(
        asw__host_file_write(F.ctx, F.audit, P("data/new.json"), hello, 2, ASW__FILE_APPEND, &e),
        ASW_OK);
    assert_int_equal(rd(P("data/new.json"), buf, sizeof buf, &n), ASW_OK);
    assert_int_equal(n, 7);
    assert_memory_equal(buf, "hellohe", 7);
    assert_int_equal(
        asw__host_file_write(F.ctx, F.audit, P("data/new.json"), hello, 1, ASW__FILE_TRUNCATE, &e),
        ASW_OK);
    assert_int_equal(rd(P("data/new.json"), buf, sizeof buf, &n), ASW_OK);
    assert_int_equal(n, 1);
    /* Empty write is fine; bad mode is not. */
    assert_int_equal(
        asw__host_file_write(F.ctx, F.audit, P("data/empty.json"), NULL, 0, ASW__FILE_TRUNCATE, &e),
        ASW_OK);
    assert_int_equal(asw__host_file_write(F.ctx, F.audit, P("data/x.json"), hello, 1, 7, &e),
                     ASW_E_INVALID);
    /* Denied: another extension, outside, through an escaping symlink (target untouched). */
    assert_int_equal(
        asw__host_file_write(F.ctx, F.audit, P("data/new.txt"), hello, 5, ASW__FILE_TRUNCATE, &e),
        ASW_E_DENIED);
    assert_int_equal(access(P("data/new.txt"), F_OK), -1);
    assert_int_equal(
        asw__host_file_write(F.ctx, F.audit, P("data/up.json"), hello, 5, ASW__FILE_TRUNCATE, &e),
        ASW_E_DENIED);
    FILE *f = fopen(P("secret.json"), "rb");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof buf, f), 15);
    fclose(f);
    /* A missing directory on the way. */
    assert_int_equal(asw__host_file_write(F.ctx, F.audit, P("data/sub/x.json"), hello, 5,
                                          ASW__FILE_TRUNCATE, &e),
                     ASW_E_DENIED); /* a subdirectory: not matched */

    assert_int_equal(asw__host_file_delete(F.ctx, F.audit, P("data/new.json"), &e), ASW_OK);
    assert_int_equal(access(P("data/new.json"), F_OK), -1);
    assert_int_equal(asw__host_file_delete(F.ctx, F.audit, P("data/new.json"), &e),
                     ASW_E_NOT_FOUND);
    assert_int_equal(asw__host_file_delete(F.ctx, F.audit, P("data/b.txt"), &e), ASW_E_DENIED);
    assert_int_equal(access(P("data/b.txt"), F_OK), 0);
    assert_int_equal(asw__host_file_delete(F.ctx, F.audit, P("data/empty.json"), &e), ASW_OK);
    assert_int_equal(asw__host_file_delete(F.ctx, F.audit, "/", &e), ASW_E_DENIED);
    /* Deleting a symlink removes the link, never its target (inside or outside the grant). */
    assert_int_equal(symlink("a.json", P("data/link2.json")), 0);
    assert_int_equal(asw__host_file_delete(F.ctx, F.audit, P("data/link2.json"), &e), ASW_OK);
    assert_int_equal(access(P("data/a.json"), F_OK), 0);
    assert_int_equal(symlink("/etc/passwd", P("data/link3.json")), 0);
    assert_int_equal(asw__host_file_delete(F.ctx, F.audit, P("data/link3.json"), &e), ASW_OK);
    assert_int_equal(access("/etc/passwd", F_OK), 0);
}

static void list_dir(void **state)
{
    (void)state;
    asw_error_t e = {0};
    char buf[256];
    size_t need = 0;
    const char *want = "a.json\nalias.json\nb.txt\nescape.json\nfifo.json\nup.json\n";
    assert_int_equal(asw__host_file_list(F.ctx, F.audit, F.data, buf, sizeof buf, &need, &e),
                     ASW_OK);
    assert_int_equal(need, strlen(want));
    assert_memory_equal(buf, want, need);
    /* Exactly the size needed, and one byte short (only whole names are written). */
    memset(buf, 0, sizeof buf);
    assert_int_equal(asw__host_file_list(F.ctx, F.audit, F.data, buf, need, &need, &e), ASW_OK);
    assert_memory_equal(buf, want, need);
    memset(buf, '#', sizeof buf);
    assert_int_equal(asw__host_file_list(F.ctx, F.audit, F.data, buf, need - 1, &need, &e),
                     ASW_E_OVERFLOW);
    assert_int_equal(need, strlen(want));
    const char *part = "a.json\nalias.json\nb.txt\nescape.json\nfifo.json\n";
    assert_memory_equal(buf, part, strlen(part));
    assert_int_equal(buf[strlen(part)], '#');
    assert_int_equal(asw__host_file_list(F.ctx, F.audit, F.data, NULL, 0, &need, &e),
                     ASW_E_OVERFLOW);
    /* Not granted: the parent, /etc, a file. */
    assert_int_equal(asw__host_file_list(F.ctx, F.audit, F.root, buf, sizeof buf, &need, &e),
                     ASW_E_DENIED);
    assert_int_equal(asw__host_file_list(F.ctx, F.audit, "/etc", buf, sizeof buf, &need, &e),
                     ASW_E_DENIED);
    /* Allocation failure at every step: a clean ASW_E_NOMEM, no leak. */
    for (unsigned long k = 1; k < 20; k++) {
        asw_test_alloc_install(k, 0);
        int rc = asw__host_file_list(F.ctx, NULL, F.data, buf, sizeof buf, &need, &e);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (rc == ASW_OK) break;
        assert_int_equal(rc, ASW_E_NOMEM);
    }
}

/* The test seam: replace the checked file by a symlink to /etc/passwd. */
static void swap_in_symlink(const char *resolved)
{
    unlink(resolved);
    if (symlink("/etc/passwd", resolved) != 0) fail_msg("symlink");
}

static void race_closed(void **state)
{
    (void)state;
    char buf[64];
    size_t n = 0;
    asw_error_t e = {0};
    asw_test_write_text(P("data/race.json"), "{}");
    asw__hostfs_after_check = swap_in_symlink;
    int rc = asw__host_file_read(F.ctx, F.audit, P("data/race.json"), 0, (uint8_t *)buf, sizeof buf,
                                 &n, NULL, &e);
    asw__hostfs_after_check = NULL;
    assert_int_equal(rc, ASW_E_DENIED);
    assert_non_null(strstr(e.msg, "appeared after the check"));
    assert_int_equal(n, 0);
    /* The target was never read or written through the swapped link. */
    struct stat st;
    assert_int_equal(lstat(P("data/race.json"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(unlink(P("data/race.json")), 0);
}

static void wasi_policy(void **state)
{
    (void)state;
    asw__hostfs_policy_t pol = {F.ctx, F.audit};
    assert_int_equal(asw__hostfs_wasi_policy(&pol, P("data/a.json"), ASW_WASI_ACCESS_READ), 0);
    assert_int_equal(asw__hostfs_wasi_policy(&pol, P("data/a.json"), ASW_WASI_ACCESS_WRITE), 0);
    assert_int_equal(asw__hostfs_wasi_policy(&pol, P("data/z.json"), ASW_WASI_ACCESS_CREATE), 0);
    assert_int_equal(asw__hostfs_wasi_policy(&pol, P("data/a.json"), ASW_WASI_ACCESS_DELETE), 0);
    assert_int_equal(asw__hostfs_wasi_policy(&pol, P("data/a.json"), ASW_WASI_ACCESS_STAT), 0);
    assert_int_equal(asw__hostfs_wasi_policy(&pol, F.data, ASW_WASI_ACCESS_LIST), 0);
    assert_int_equal(asw__hostfs_wasi_policy(&pol, F.data, ASW_WASI_ACCESS_STAT), 0);
    assert_int_not_equal(asw__hostfs_wasi_policy(&pol, P("data/b.txt"), ASW_WASI_ACCESS_READ), 0);
    assert_int_not_equal(asw__hostfs_wasi_policy(&pol, "/etc/passwd", ASW_WASI_ACCESS_READ), 0);
    assert_int_not_equal(asw__hostfs_wasi_policy(&pol, P("data/escape.json"), ASW_WASI_ACCESS_READ),
                         0);
    assert_int_not_equal(asw__hostfs_wasi_policy(&pol, F.root, ASW_WASI_ACCESS_LIST), 0);
    assert_int_not_equal(asw__hostfs_wasi_policy(&pol, P("data/a.json"), (asw_wasi_access_t)99), 0);
    assert_int_not_equal(asw__hostfs_wasi_policy(NULL, P("data/a.json"), ASW_WASI_ACCESS_READ), 0);
}

typedef struct counts {
    int granted, denied;
} counts;

static int count_fn(void *ud, const asw_audit_entry_t *en)
{
    counts *c = ud;
    if (!strcmp(en->result, "granted")) c->granted++;
    if (!strcmp(en->result, "denied")) c->denied++;
    return 0;
}

static void audited(void **state)
{
    (void)state;
    char buf[16];
    size_t n;
    assert_int_equal(asw_audit_flush(F.audit), ASW_OK);
    counts before = {0, 0}, after = {0, 0};
    assert_int_equal(asw_audit_scan(F.audit_path, "reader", NULL, count_fn, &before, NULL, NULL),
                     ASW_OK);
    assert_int_equal(rd(P("data/a.json"), buf, sizeof buf, &n), ASW_OK);
    assert_int_equal(rd("/etc/passwd", buf, sizeof buf, &n), ASW_E_DENIED);
    assert_int_equal(rd(P("data/escape.json"), buf, sizeof buf, &n), ASW_E_DENIED);
    assert_int_equal(asw_audit_flush(F.audit), ASW_OK);
    assert_int_equal(asw_audit_scan(F.audit_path, "reader", NULL, count_fn, &after, NULL, NULL),
                     ASW_OK);
    /* a.json: 1 granted; /etc/passwd: 1 denied; escape.json: granted as named, denied resolved. */
    assert_int_equal(after.granted - before.granted, 2);
    assert_int_equal(after.denied - before.denied, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_granted_and_denied),
        cmocka_unit_test(write_and_delete),
        cmocka_unit_test(list_dir),
        cmocka_unit_test(race_closed),
        cmocka_unit_test(wasi_policy),
        cmocka_unit_test(audited),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
