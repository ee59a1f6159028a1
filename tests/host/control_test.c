/*
 * tests/host/control_test.c -- the control socket of `airssys run` (tools/control.c), with a
 * trivial handler: requests and answers, the request size cap on both sides of the boundary,
 * garbage, silent and vanishing clients, many connections, a live path refused, a stale one
 * replaced, a regular file left alone, mode 0600, removal on stop, the default directory
 * (0700, private) and the lookup `airssys ps` uses without a name.
 */
#define _GNU_SOURCE /* setenv */
#include "cli.h"
#include "testlib.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char dir[64], sock[128];

static int handler(void *ud, const char *req, FILE *out)
{
    (void)ud;
    if (!strcmp(req, "fail")) {
        fputs("error: nope\n", out);
        return 1;
    }
    fprintf(out, "got %s\n", req);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(asw_test_tmpdir_new(dir, sizeof dir, "ctl"), 0);
    snprintf(sock, sizeof sock, "%s/s.sock", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return asw_test_tmpdir_remove(dir);
}

static int raw_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Sends raw bytes on a new connection and returns the whole answer (static buffer). */
static const char *raw_call(const void *data, size_t len)
{
    static char buf[4096];
    int fd = raw_connect(sock);
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, (const char *)data + off, len - off, MSG_NOSIGNAL);
        if (n <= 0) break; /* the server may close on us once it has answered */
        off += (size_t)n;
    }
    shutdown(fd, SHUT_WR); /* the end of the request, for a line without a newline */
    size_t got = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0) break;
        ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
    }
    buf[got] = 0;
    close(fd);
    return buf;
}

static cli_control *start(void)
{
    cli_control *c = NULL;
    char err[256] = "";
    int rc = cli_control_start(sock, handler, NULL, &c, err, sizeof err);
    if (rc) fprintf(stderr, "start: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(c);
    return c;
}

static void test_requests(void **state)
{
    (void)state;
    cli_control *c = start();
    struct stat st;
    assert_int_equal(lstat(sock, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    char *resp = NULL, err[256];
    size_t len = 0;
    assert_int_equal(cli_control_call(sock, "hello", &resp, &len, err, sizeof err), 0);
    assert_string_equal(resp, "got hello\n");
    assert_int_equal(len, 10);
    free(resp);
    assert_int_equal(cli_control_call(sock, "fail", &resp, &len, err, sizeof err), -1);
    assert_null(resp);
    assert_non_null(strstr(err, "error: nope"));
    /* The size cap: 256 bytes pass, 257 do not (the client refuses to send them, too). */
    char line[300];
    memset(line, 'a', 256);
    line[256] = 0;
    assert_int_equal(cli_control_call(sock, line, &resp, &len, err, sizeof err), 0);
    assert_int_equal(len, 4 + 256 + 1);
    free(resp);
    memset(line, 'a', 257);
    line[257] = '\n';
    assert_string_equal(raw_call(line, 258), "error: request too long\n");
    line[257] = 0;
    assert_int_equal(cli_control_call(sock, line, &resp, &len, err, sizeof err), -1);
    /* A line ended by EOF instead of a newline, and a CRLF line. */
    assert_string_equal(raw_call("eof", 3), "ok\ngot eof\n");
    assert_string_equal(raw_call("crlf\r\n", 6), "ok\ngot crlf\n");
    cli_control_stop(c);
    assert_int_equal(access(sock, F_OK), -1); /* removed */
}

static void test_hostile_clients(void **state)
{
    (void)state;
    cli_control *c = start();
    /* Garbage: binary bytes, a huge line, an empty line. */
    assert_string_equal(raw_call("\x01\x02\xff\n", 4), "error: request is not printable text\n");
    static char big[1 << 16];
    memset(big, 'x', sizeof big);
    assert_string_equal(raw_call(big, sizeof big), "error: request too long\n");
    assert_string_equal(raw_call("\n", 1), "ok\ngot \n");
    /* Many connections that vanish at once. */
    for (int i = 0; i < 200; i++)
        close(raw_connect(sock));
    /* A silent client is dropped after its read timeout; the next request is served. */
    int silent = raw_connect(sock);
    double t0 = now_s();
    char *resp = NULL, err[256];
    size_t len = 0;
    assert_int_equal(cli_control_call(sock, "after", &resp, &len, err, sizeof err), 0);
    assert_string_equal(resp, "got after\n");
    free(resp);
    assert_true(now_s() - t0 < 4.0);
    char b;
    assert_int_equal(recv(silent, &b, 1, 0), 0); /* the server closed it without an answer */
    close(silent);
    cli_control_stop(c);
}

static void test_paths(void **state)
{
    (void)state;
    cli_control *c = start();
    char err[256] = "";
    cli_control *d = NULL;
    /* A live server holds the path. */
    assert_int_equal(cli_control_start(sock, handler, NULL, &d, err, sizeof err), -1);
    assert_null(d);
    assert_non_null(strstr(err, "held by a running system"));
    cli_control_stop(c);
    /* A stale socket (bound, nobody listening) is replaced. */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, sock);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    close(fd);
    c = start();
    cli_control_stop(c);
    /* A regular file is left alone. */
    FILE *f = fopen(sock, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(cli_control_start(sock, handler, NULL, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a socket"));
    assert_int_equal(access(sock, F_OK), 0);
    unlink(sock);
    /* Too long for sun_path. */
    char longp[200];
    memset(longp, 'p', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = 0;
    assert_int_equal(cli_control_start(longp, handler, NULL, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
    /* No server: the client says so. */
    char *resp = NULL;
    size_t len = 0;
    assert_int_equal(cli_control_call(sock, "ps", &resp, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "is the system running?"));
}

static void test_default_dir(void **state)
{
    (void)state;
    char xdg[96], path[256], err[256], expect[256];
    snprintf(xdg, sizeof xdg, "%s/run", dir);
    assert_int_equal(mkdir(xdg, 0700), 0);
    assert_int_equal(setenv("XDG_RUNTIME_DIR", xdg, 1), 0);
    assert_int_equal(cli_control_path("demo", path, sizeof path, true, err, sizeof err), 0);
    snprintf(expect, sizeof expect, "%s/airssys/demo.sock", xdg);
    assert_string_equal(path, expect);
    struct stat st;
    snprintf(expect, sizeof expect, "%s/airssys", xdg);
    assert_int_equal(stat(expect, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(cli_control_path("a/b", path, sizeof path, true, err, sizeof err), -1);
    assert_int_equal(cli_control_path("..", path, sizeof path, true, err, sizeof err), -1);
    assert_int_equal(cli_control_path("", path, sizeof path, true, err, sizeof err), -1);
    /* No socket, one, two. */
    assert_int_equal(cli_control_find(path, sizeof path, err, sizeof err), -1);
    assert_non_null(strstr(err, "no running system"));
    assert_int_equal(cli_control_path("demo", sock, sizeof sock, false, err, sizeof err), 0);
    cli_control *c = start();
    assert_int_equal(cli_control_find(path, sizeof path, err, sizeof err), 0);
    assert_string_equal(path, sock);
    char other[256];
    assert_int_equal(cli_control_path("other", other, sizeof other, false, err, sizeof err), 0);
    cli_control *o = NULL;
    assert_int_equal(cli_control_start(other, handler, NULL, &o, err, sizeof err), 0);
    assert_int_equal(cli_control_find(path, sizeof path, err, sizeof err), -1);
    assert_non_null(strstr(err, "several systems"));
    cli_control_stop(o);
    cli_control_stop(c);
    /* A directory others may enter is refused. */
    assert_int_equal(chmod(expect, 0755), 0);
    assert_int_equal(cli_control_path("demo", path, sizeof path, true, err, sizeof err), -1);
    assert_non_null(strstr(err, "mode 0700"));
    unsetenv("XDG_RUNTIME_DIR");
    snprintf(sock, sizeof sock, "%s/s.sock", dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_clients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_dir, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
