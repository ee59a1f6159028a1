/*
 * tests/wasm/wasi_api_test.c -- the WASI host module through its public API: configuration
 * errors, allocation failure in asw_wasi_new, the path policy callback (what it sees and that a
 * denial reaches the guest as EACCES with nothing touched), read-only pre-opens, captured
 * stdio and stdin buffers, exit codes, and fuel / timeout stopping a guest through asw_wasi_run.
 *
 * Arguments (from CMake): the probe, normal and loop guests (.wasm paths).
 */
#include "testlib.h"

#include "airssys/wasi.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *probe_path, *normal_path, *loop_path;
static char root[256];         /* a fresh temp dir (canonical) holding the two below */
static char tmpdir[PATH_MAX];  /* <root>/sandbox, a canonical path: the sandbox */
static char outside[PATH_MAX]; /* a sibling directory the guest must never reach */

static bool exists(const char *dir, const char *name)
{
    struct stat st;
    return lstat(asw_test_path_in(dir, name), &st) == 0;
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(asw_test_tmpdir_new(root, sizeof root, "wasi"), 0);
    snprintf(tmpdir, sizeof tmpdir, "%s/sandbox", root);
    snprintf(outside, sizeof outside, "%s/outside", root);
    assert_int_equal(mkdir(tmpdir, 0755), 0);
    assert_int_equal(mkdir(outside, 0755), 0);
    asw_test_write_text(asw_test_path_in(tmpdir, "allowed.txt"), "allowed\n");
    asw_test_write_text(asw_test_path_in(tmpdir, "secret.txt"), "secret\n");
    asw_test_write_text(asw_test_path_in(outside, "passwd"), "root\n");
    assert_int_equal(mkdir(asw_test_path_in(tmpdir, "sub"), 0755), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return asw_test_tmpdir_remove(root);
}

/* Runs a guest with the given args, stdout captured; returns asw_wasi_run's code. */
typedef struct run_result {
    int rc, exit_code;
    asw_trap_kind_t trap;
    char out[8192];
} run_result;

static void run_guest(const char *wasm, asw_wasi_config_t *cfg, const asw_wasi_run_options_t *ro,
                      run_result *r)
{
    memset(r, 0, sizeof(*r));
    size_t len = 0;
    uint8_t *bytes = asw_test_read_file(wasm, &len);
    assert_non_null(bytes);
    asw_engine_t *engine = NULL;
    asw_module_t *module = NULL;
    asw_wasi_t *wasi = NULL;
    asw_error_t err = {0};
    assert_int_equal(asw_engine_new(NULL, &engine, &err), ASW_OK);
    assert_int_equal(asw_module_compile(engine, bytes, len, &module, &err), ASW_OK);
    free(bytes);
    cfg->stdio[1].mode = ASW_WASI_STDIO_BUFFER;
    assert_int_equal(asw_wasi_new(cfg, &wasi, &err), ASW_OK);
    asw_trap_t *trap = NULL;
    r->rc = asw_wasi_run(engine, module, wasi, ro, &r->exit_code, &trap, &err);
    if (trap) {
        r->trap = asw_trap_kind(trap);
        asw_trap_free(trap);
    }
    const uint8_t *data;
    size_t n;
    assert_int_equal(asw_wasi_output(wasi, 1, &data, &n), ASW_OK);
    if (n >= sizeof r->out) n = sizeof r->out - 1;
    if (n) memcpy(r->out, data, n);
    r->out[n] = '\0';
    asw_wasi_free(wasi);
    asw_module_free(module);
    asw_engine_free(engine);
}

/* ------------------------------------------------------------------ configuration */

static void config_errors(void **state)
{
    (void)state;
    asw_wasi_t *w = NULL;
    asw_error_t err = {0};
    asw_wasi_config_t cfg;

    asw_wasi_config_init(&cfg);
    const char *env[] = {"NOEQUALS"};
    cfg.env = env;
    cfg.nenv = 1;
    assert_int_equal(asw_wasi_new(&cfg, &w, &err), ASW_E_INVALID);
    assert_null(w);
    assert_non_null(strstr(err.msg, "KEY=VALUE"));

    asw_wasi_config_init(&cfg);
    cfg.nargs = 2; /* but no array */
    assert_int_equal(asw_wasi_new(&cfg, &w, &err), ASW_E_INVALID);

    asw_wasi_config_init(&cfg);
    asw_wasi_preopen_t pre = {"/nonexistent/asw/dir", "/x", false};
    cfg.preopens = &pre;
    cfg.npreopens = 1;
    assert_int_equal(asw_wasi_new(&cfg, &w, &err), ASW_E_NOT_FOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/asw/dir"));

    asw_wasi_config_init(&cfg);
    cfg.stdio[1].mode = ASW_WASI_STDIO_FD;
    cfg.stdio[1].fd = -1;
    assert_int_equal(asw_wasi_new(&cfg, &w, &err), ASW_E_INVALID);

    asw_wasi_config_init(&cfg);
    cfg.stdio[2].mode = (asw_wasi_stdio_mode_t)77;
    assert_int_equal(asw_wasi_new(&cfg, &w, &err), ASW_E_INVALID);

    asw_wasi_config_init(&cfg);
    pre.host_path = tmpdir;
    cfg.preopens = &pre;
    cfg.npreopens = 1;
    cfg.max_fds = 3; /* no room for the pre-open */
    assert_int_equal(asw_wasi_new(&cfg, &w, &err), ASW_E_INVALID);
    cfg.max_fds = 4; /* exactly enough */
    assert_int_equal(asw_wasi_new(&cfg, &w, &err), ASW_OK);
    const uint8_t *d;
    size_t n;
    assert_int_equal(asw_wasi_output(w, 1, &d, &n), ASW_E_INVALID); /* stdout inherited */
    assert_int_equal(asw_wasi_output(w, 0, &d, &n), ASW_E_INVALID);
    asw_wasi_free(w);
    asw_wasi_free(NULL);
    assert_int_equal(asw_wasi_new(NULL, NULL, &err), ASW_E_INVALID);
    assert_string_equal(asw_wasi_access_name(ASW_WASI_ACCESS_LIST), "list");
    assert_string_equal(asw_wasi_access_name((asw_wasi_access_t)99), "?");
}

static void new_under_allocation_failure(void **state)
{
    (void)state;
    const char *args[] = {"prog", "a"}, *env[] = {"A=1", "B=2"};
    asw_wasi_preopen_t pre[2] = {{tmpdir, "/a", false}, {tmpdir, "/b", true}};
    asw_wasi_config_t cfg;
    asw_wasi_config_init(&cfg);
    cfg.args = args;
    cfg.nargs = 2;
    cfg.env = env;
    cfg.nenv = 2;
    cfg.preopens = pre;
    cfg.npreopens = 2;
    cfg.stdio[0].mode = ASW_WASI_STDIO_BUFFER;
    cfg.stdio[0].input = (const uint8_t *)"in";
    cfg.stdio[0].input_len = 2;
    bool succeeded = false;
    for (unsigned long n = 1; n < 200 && !succeeded; n++) {
        asw_test_alloc_install(n, 0);
        asw_wasi_t *w = NULL;
        int rc = asw_wasi_new(&cfg, &w, NULL);
        if (rc == ASW_OK) {
            succeeded = true;
            asw_wasi_free(w);
        } else {
            assert_int_equal(rc, ASW_E_NOMEM);
            assert_null(w);
        }
        assert_int_equal(asw_test_alloc_uninstall(), 0);
    }
    assert_true(succeeded);
}

/* ------------------------------------------------------------------ the policy */

typedef struct policy_log {
    char paths[64][PATH_MAX + 64];
    asw_wasi_access_t access[64];
    int n;
} policy_log;

static int deny_secret(void *ud, const char *path, asw_wasi_access_t access)
{
    policy_log *log = ud;
    if (log->n < 64) {
        snprintf(log->paths[log->n], sizeof log->paths[0], "%s", path);
        log->access[log->n] = access;
        log->n++;
    }
    return strstr(path, "secret") != NULL;
}

static bool logged(const policy_log *log, const char *rel, asw_wasi_access_t access)
{
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "%s%s%s", tmpdir, rel[0] ? "/" : "", rel);
    for (int i = 0; i < log->n; i++)
        if (!strcmp(log->paths[i], want) && log->access[i] == access) return true;
    return false;
}

static void policy_sees_resolved_paths_and_denies(void **state)
{
    (void)state;
    static policy_log log;
    memset(&log, 0, sizeof log);
    const char *args[] = {"probe",
                          "raw:allowed.txt",
                          "raw:sub/../secret.txt",
                          "read:/sandbox/secret.txt",
                          "create:/sandbox/secret-new.txt",
                          "unlink:/sandbox/secret.txt",
                          "create:/sandbox/made.txt",
                          "mkdir:/sandbox/newdir",
                          "unlink:/sandbox/made.txt",
                          "stat:/sandbox/allowed.txt",
                          "list:/sandbox/sub",
                          "rename:/sandbox/allowed.txt=/sandbox/secret2.txt"};
    asw_wasi_preopen_t pre = {tmpdir, "/sandbox", false};
    asw_wasi_config_t cfg;
    asw_wasi_config_init(&cfg);
    cfg.args = args;
    cfg.nargs = NELEMS(args);
    cfg.preopens = &pre;
    cfg.npreopens = 1;
    cfg.policy = deny_secret;
    cfg.policy_ud = &log;
    run_result r;
    run_guest(probe_path, &cfg, NULL, &r);
    assert_int_equal(r.rc, ASW_OK);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "raw:allowed.txt = 0\n"));
    assert_non_null(strstr(r.out, "raw:sub/../secret.txt = 2\n"));
    assert_non_null(strstr(r.out, "read:/sandbox/secret.txt = 2\n"));
    assert_non_null(strstr(r.out, "create:/sandbox/secret-new.txt = 2\n"));
    assert_non_null(strstr(r.out, "unlink:/sandbox/secret.txt = 2\n"));
    assert_non_null(strstr(r.out, "create:/sandbox/made.txt = 0\n"));
    assert_non_null(strstr(r.out, "mkdir:/sandbox/newdir = 0\n"));
    assert_non_null(strstr(r.out, "unlink:/sandbox/made.txt = 0\n"));
    assert_non_null(strstr(r.out, "stat:/sandbox/allowed.txt = 0\n"));
    assert_non_null(strstr(r.out, "list:/sandbox/sub = 0\n"));
    assert_non_null(strstr(r.out, "rename:/sandbox/allowed.txt=/sandbox/secret2.txt = 2\n"));
    /* Denied accesses touched nothing. */
    assert_true(exists(tmpdir, "secret.txt"));
    assert_false(exists(tmpdir, "secret-new.txt"));
    assert_false(exists(tmpdir, "secret2.txt"));
    assert_true(exists(tmpdir, "allowed.txt"));
    assert_true(exists(tmpdir, "newdir"));
    assert_false(exists(tmpdir, "made.txt"));
    /* The callback saw normalised absolute host paths with the right access kinds. */
    assert_true(logged(&log, "allowed.txt", ASW_WASI_ACCESS_READ));
    assert_true(logged(&log, "secret.txt", ASW_WASI_ACCESS_READ)); /* sub/.. removed */
    assert_true(logged(&log, "secret-new.txt", ASW_WASI_ACCESS_CREATE));
    assert_true(logged(&log, "secret.txt", ASW_WASI_ACCESS_DELETE));
    assert_true(logged(&log, "made.txt", ASW_WASI_ACCESS_CREATE));
    assert_true(logged(&log, "newdir", ASW_WASI_ACCESS_CREATE));
    assert_true(logged(&log, "made.txt", ASW_WASI_ACCESS_DELETE));
    assert_true(logged(&log, "allowed.txt", ASW_WASI_ACCESS_STAT));
    assert_true(logged(&log, "sub", ASW_WASI_ACCESS_LIST));
    assert_true(logged(&log, "secret2.txt", ASW_WASI_ACCESS_CREATE));
    for (int i = 0; i < log.n; i++) {
        assert_null(strstr(log.paths[i], "/../"));
        assert_null(strstr(log.paths[i], "/./"));
        assert_int_equal(strncmp(log.paths[i], tmpdir, strlen(tmpdir)), 0);
    }
    rmdir(asw_test_path_in(tmpdir, "newdir"));
}

static void read_only_preopen_refuses_changes(void **state)
{
    (void)state;
    const char *args[] = {"probe",
                          "read:/ro/allowed.txt",
                          "create:/ro/new.txt",
                          "create:/ro/allowed.txt",
                          "mkdir:/ro/d",
                          "unlink:/ro/allowed.txt",
                          "rename:/ro/allowed.txt=/ro/x.txt",
                          "symlink:allowed.txt=/ro/l"};
    asw_wasi_preopen_t pre = {tmpdir, "/ro", true};
    asw_wasi_config_t cfg;
    asw_wasi_config_init(&cfg);
    cfg.args = args;
    cfg.nargs = NELEMS(args);
    cfg.preopens = &pre;
    cfg.npreopens = 1;
    run_result r;
    run_guest(probe_path, &cfg, NULL, &r);
    assert_int_equal(r.rc, ASW_OK);
    assert_non_null(strstr(r.out, "  > allowed\nread:/ro/allowed.txt = 0\n"));
    assert_non_null(strstr(r.out, "create:/ro/new.txt = 69\n"));
    assert_non_null(strstr(r.out, "create:/ro/allowed.txt = 69\n"));
    assert_non_null(strstr(r.out, "mkdir:/ro/d = 69\n"));
    assert_non_null(strstr(r.out, "unlink:/ro/allowed.txt = 69\n"));
    assert_non_null(strstr(r.out, "rename:/ro/allowed.txt=/ro/x.txt = 69\n"));
    assert_non_null(strstr(r.out, "symlink:allowed.txt=/ro/l = 69\n"));
    assert_false(exists(tmpdir, "new.txt"));
    assert_false(exists(tmpdir, "d"));
    assert_false(exists(tmpdir, "l"));
    assert_true(exists(tmpdir, "allowed.txt"));
}

/* Symlinks planted by the host inside the sandbox must not lead out of it. */
static void symlinks_stay_inside(void **state)
{
    (void)state;
    assert_int_equal(symlink("../outside", asw_test_path_in(tmpdir, "out_dir")), 0);
    assert_int_equal(symlink(outside, asw_test_path_in(tmpdir, "out_abs")), 0);
    assert_int_equal(symlink("sub/../allowed.txt", asw_test_path_in(tmpdir, "in_link")), 0);
    const char *args[] = {"probe",
                          "raw:out_dir/passwd",
                          "raw:out_abs/passwd",
                          "raw:../outside/passwd",
                          "raw:/etc/passwd",
                          "raw:in_link",
                          "rawnf:in_link",
                          "raw:sub/../../sandbox/allowed.txt"};
    asw_wasi_preopen_t pre = {tmpdir, "/sandbox", false};
    asw_wasi_config_t cfg;
    asw_wasi_config_init(&cfg);
    cfg.args = args;
    cfg.nargs = NELEMS(args);
    cfg.preopens = &pre;
    cfg.npreopens = 1;
    run_result r;
    run_guest(probe_path, &cfg, NULL, &r);
    assert_int_equal(r.rc, ASW_OK);
    assert_non_null(strstr(r.out, "raw:out_dir/passwd = 76\n"));
    assert_non_null(strstr(r.out, "raw:out_abs/passwd = 76\n"));
    assert_non_null(strstr(r.out, "raw:../outside/passwd = 76\n"));
    assert_non_null(strstr(r.out, "raw:/etc/passwd = 76\n"));
    assert_non_null(strstr(r.out, "raw:in_link = 0\n"));
    assert_non_null(strstr(r.out, "rawnf:in_link = 32\n")); /* ELOOP: a final symlink */
    assert_non_null(strstr(r.out, "raw:sub/../../sandbox/allowed.txt = 76\n"));
    unlink(asw_test_path_in(tmpdir, "out_dir"));
    unlink(asw_test_path_in(tmpdir, "out_abs"));
    unlink(asw_test_path_in(tmpdir, "in_link"));
}

/* ------------------------------------------------------------------ stdio, exit, limits */

static void stdin_buffer_and_exit_code(void **state)
{
    (void)state;
    const char *args[] = {"probe", "stdin"};
    asw_wasi_config_t cfg;
    asw_wasi_config_init(&cfg);
    cfg.args = args;
    cfg.nargs = 2;
    cfg.stdio[0].mode = ASW_WASI_STDIO_BUFFER;
    cfg.stdio[0].input = (const uint8_t *)"fed by the host";
    cfg.stdio[0].input_len = 15;
    run_result r;
    run_guest(probe_path, &cfg, NULL, &r);
    assert_int_equal(r.rc, ASW_OK);
    assert_string_equal(r.out, "stdin = fed by the host\n");

    /* normal.c exits with 7 after using files under /sandbox (a fresh directory). */
    char nd[PATH_MAX + 8];
    snprintf(nd, sizeof nd, "%s/n", tmpdir);
    assert_int_equal(mkdir(nd, 0755), 0);
    asw_test_write_text(asw_test_path_in(nd, "gone.txt"), "");
    const char *nargs[] = {"normal", "x"}, *env[] = {"FOO=from-test"};
    asw_wasi_preopen_t pre = {nd, "/sandbox", false};
    asw_wasi_config_init(&cfg);
    cfg.args = nargs;
    cfg.nargs = 2;
    cfg.env = env;
    cfg.nenv = 1;
    cfg.preopens = &pre;
    cfg.npreopens = 1;
    cfg.stdio[2].mode = ASW_WASI_STDIO_NULL;
    run_guest(normal_path, &cfg, NULL, &r);
    assert_int_equal(r.rc, ASW_OK);
    assert_int_equal(r.exit_code, 7);
    assert_non_null(strstr(r.out, "FOO=from-test\n"));
    assert_non_null(strstr(r.out, "argv[1]=x\n"));
    assert_non_null(strstr(r.out, "entry: moved.txt\n"));
    assert_true(exists(nd, "sub/moved.txt"));
    assert_false(exists(nd, "gone.txt"));
}

static void capture_limit_keeps_prefix(void **state)
{
    (void)state;
    const char *args[] = {"probe", "raw:a-rather-long-name-that-does-not-exist"};
    asw_wasi_config_t cfg;
    asw_wasi_config_init(&cfg);
    cfg.args = args;
    cfg.nargs = 2;
    cfg.stdio[1].capture_limit = 10; /* run_guest keeps the limit, sets BUFFER mode */
    run_result r;
    run_guest(probe_path, &cfg, NULL, &r);
    assert_int_equal(r.rc, ASW_OK);
    assert_string_equal(r.out, "raw:a-rath");
}

static void fuel_and_timeout_stop_a_loop(void **state)
{
    (void)state;
    asw_wasi_config_t cfg;
    asw_wasi_config_init(&cfg);
    asw_wasi_run_options_t ro = {.fuel = 200000};
    run_result r;
    run_guest(loop_path, &cfg, &ro, &r);
    assert_int_equal(r.rc, ASW_E_TRAP);
    assert_int_equal(r.trap, ASW_TRAP_OUT_OF_FUEL);
    assert_string_equal(r.out, "looping\n");

    asw_wasi_config_init(&cfg);
    asw_wasi_run_options_t to = {.timeout_ns = 100u * 1000u * 1000u};
    run_guest(loop_path, &cfg, &to, &r);
    assert_int_equal(r.rc, ASW_E_TRAP);
    assert_int_equal(r.trap, ASW_TRAP_INTERRUPTED);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s probe.wasm normal.wasm loop.wasm\n", argv[0]);
        return 2;
    }
    probe_path = argv[1];
    normal_path = argv[2];
    loop_path = argv[3];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_errors),
        cmocka_unit_test(new_under_allocation_failure),
        cmocka_unit_test(policy_sees_resolved_paths_and_denies),
        cmocka_unit_test(read_only_preopen_refuses_changes),
        cmocka_unit_test(symlinks_stay_inside),
        cmocka_unit_test(stdin_buffer_and_exit_code),
        cmocka_unit_test(capture_limit_keeps_prefix),
        cmocka_unit_test(fuel_and_timeout_stop_a_loop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
