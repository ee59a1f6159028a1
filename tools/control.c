/*
 * tools/control.c -- the control socket of `airssys run`: a Unix-domain stream socket on which
 * a running system answers one request per connection (`airssys ps` is the client). Protocol
 * and paths: docs/cli.md.
 *
 * Design. The server is one thread of its own, so nothing a client does reaches the actor
 * runtime's workers or the main loop: it polls the listening socket (non-blocking) in 200 ms
 * steps so it notices a stop, accepts one connection at a time, reads one request line of at
 * most CLI_CONTROL_MAX_REQUEST bytes within 1 s, lets the handler write the answer into a memory
 * stream, sends it within 2 s and closes. Longer lines, garbage, silent or slow clients get an
 * "error" answer or are dropped when their time is up; a flood of connections waits in the
 * listen backlog (or is refused by the kernel) and is served in turn. Only the owner's uid may
 * connect (SO_PEERCRED), on top of the socket's mode 0600 inside a 0700 directory.
 *
 * Start-up: an existing path is probed with connect(): a live server there means another
 * instance holds the name (refused); a dead socket is stale (replaced); anything that is not
 * a socket is left alone (refused). The socket is removed on stop if it is still ours (same
 * device and inode).
 *
 * Not done: several requests per connection, authentication beyond the uid, Windows.
 */
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define READ_MS  1000
#define WRITE_MS 2000
#define POLL_MS  200

struct cli_control {
    int fd;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    dev_t dev;
    ino_t ino;
    cli_control_fn fn;
    void *ud;
    pthread_t thread;
    atomic_bool stop;
    atomic_ulong served;
};

static void seterr(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || !cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Checks that dir is a directory of ours that nobody else can enter, creating it (0700). */
static int own_private_dir(const char *dir, char *err, size_t cap)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        seterr(err, cap, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(dir, &st) != 0) {
        seterr(err, cap, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
        seterr(err, cap, "%s must be a directory owned by you with mode 0700", dir);
        return -1;
    }
    return 0;
}

int cli_control_dir(char *buf, size_t cap, bool create, char *err, size_t errcap)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/airssys", xdg);
    else
        n = snprintf(buf, cap, "/tmp/airssys-%lu", (unsigned long)getuid());
    if (n < 0 || (size_t)n >= cap) {
        seterr(err, errcap, "control directory path too long");
        return -1;
    }
    return create ? own_private_dir(buf, err, errcap) : 0;
}

int cli_control_path(const char *system_name, char *buf, size_t cap, bool create, char *err,
                     size_t errcap)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    if (!system_name[0] || strchr(system_name, '/') || system_name[0] == '.') {
        seterr(err, errcap, "'%s' is not a system name", system_name);
        return -1;
    }
    if (cli_control_dir(dir, sizeof dir, create, err, errcap)) return -1;
    int n = snprintf(buf, cap, "%s/%s.sock", dir, system_name);
    if (n < 0 || (size_t)n >= cap) {
        seterr(err, errcap, "control socket path too long");
        return -1;
    }
    return 0;
}

static int fill_addr(struct sockaddr_un *sa, const char *path, char *err, size_t cap)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa->sun_path) {
        seterr(err, cap, "%s: path too long for a Unix socket (%zu bytes at most)", path,
               sizeof sa->sun_path - 1);
        return -1;
    }
    strcpy(sa->sun_path, path);
    return 0;
}

/* ---- the server ---- */

/* Waits for fd to be ready for `events` until deadline (ms); 0 ready, -1 not. */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return -1;
        struct pollfd p = {fd, events, 0};
        int r = poll(&p, 1, (int)left);
        if (r > 0) return (p.revents & (events | POLLHUP)) ? 0 : -1;
        if (r < 0 && errno != EINTR) return -1;
    }
}

static void send_all(int fd, const char *data, size_t len, long long deadline)
{
    while (len) {
        if (wait_fd(fd, POLLOUT, deadline)) return;
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            return;
        }
        data += n;
        len -= (size_t)n;
    }
}

static void send_str(int fd, const char *s)
{
    send_all(fd, s, strlen(s), now_ms() + WRITE_MS);
}

static bool peer_is_us(int fd)
{
#ifdef SO_PEERCRED
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0) return false;
    return cr.uid == getuid();
#else
    (void)fd;
    return true;
#endif
}

/* Reads one request line (without the newline) into buf; -1 on timeout, close or error; -2
 * when it is longer than the cap. */
static int read_line(int fd, char *buf, size_t cap)
{
    long long deadline = now_ms() + READ_MS;
    size_t len = 0;
    for (;;) {
        if (wait_fd(fd, POLLIN, deadline)) return -1;
        ssize_t n = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            return -1;
        }
        char *nl = memchr(buf + len, '\n', (size_t)n);
        len += (size_t)n;
        if (nl) {
            *nl = 0;
            if (nl > buf && nl[-1] == '\r') nl[-1] = 0;
            return 0;
        }
        if (n == 0) { /* EOF without a newline: the line is what came */
            buf[len] = 0;
            return len ? 0 : -1;
        }
        if (len >= cap - 1) return -2;
    }
}

static void serve(cli_control *c, int fd)
{
    char req[CLI_CONTROL_MAX_REQUEST + 2];
    if (!peer_is_us(fd)) {
        send_str(fd, "error: permission denied\n");
        return;
    }
    int r = read_line(fd, req, sizeof req);
    if (r == -2) {
        send_str(fd, "error: request too long\n");
        return;
    }
    if (r) return;
    for (const unsigned char *p = (const unsigned char *)req; *p; p++) {
        if (*p < 0x20 || *p > 0x7e) {
            send_str(fd, "error: request is not printable text\n");
            return;
        }
    }
    char *body = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&body, &len);
    if (!mem) {
        send_str(fd, "error: out of memory\n");
        return;
    }
    fputs("ok\n", mem);
    int rc = c->fn(c->ud, req, mem);
    if (fclose(mem) != 0 || !body) {
        free(body);
        send_str(fd, "error: out of memory\n");
        return;
    }
    if (rc)
        send_all(fd, body + 3, len - 3, now_ms() + WRITE_MS); /* the handler wrote "error: ..." */
    else
        send_all(fd, body, len, now_ms() + WRITE_MS);
    free(body);
}

static void *server_main(void *arg)
{
    cli_control *c = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the main thread's */
    while (!atomic_load(&c->stop)) {
        struct pollfd p = {c->fd, POLLIN, 0};
        int r = poll(&p, 1, POLL_MS);
        if (r <= 0) continue;
        int fd = accept(c->fd, NULL, NULL);
        if (fd < 0) continue;
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        serve(c, fd);
        atomic_fetch_add(&c->served, 1);
        close(fd);
    }
    return NULL;
}

/* Is a server listening at path? 1 yes, 0 no (stale or absent), -1 error (err set). */
static int probe(const char *path, char *err, size_t cap)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) return 0;
        seterr(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        seterr(err, cap, "%s exists and is not a socket: not replaced", path);
        return -1;
    }
    struct sockaddr_un sa;
    if (fill_addr(&sa, path, err, cap)) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        seterr(err, cap, "socket: %s", strerror(errno));
        return -1;
    }
    int r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    int e = errno;
    close(fd);
    if (r == 0) return 1;
    if (e == ECONNREFUSED || e == ENOENT) return 0;
    seterr(err, cap, "%s: %s", path, strerror(e));
    return -1;
}

int cli_control_start(const char *path, cli_control_fn fn, void *ud, cli_control **out, char *err,
                      size_t errcap)
{
    *out = NULL;
    struct sockaddr_un sa;
    if (fill_addr(&sa, path, err, errcap)) return -1;
    int live = probe(path, err, errcap);
    if (live < 0) return -1;
    if (live) {
        seterr(err, errcap, "%s is held by a running system (stop it first, or use --control)",
               path);
        return -1;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        seterr(err, errcap, "cannot remove the stale socket %s: %s", path, strerror(errno));
        return -1;
    }
    cli_control *c = calloc(1, sizeof *c);
    if (!c) {
        seterr(err, errcap, "out of memory");
        return -1;
    }
    c->fn = fn;
    c->ud = ud;
    strcpy(c->path, path);
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (c->fd < 0) {
        seterr(err, errcap, "socket: %s", strerror(errno));
        free(c);
        return -1;
    }
    struct stat st;
    /* Nobody can connect before listen(); chmod in between makes it 0600 without umask. */
    if (bind(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        seterr(err, errcap, "%s: %s", path, strerror(errno));
        goto fail_close;
    }
    if (chmod(path, 0600) != 0 || stat(path, &st) != 0) {
        seterr(err, errcap, "%s: %s", path, strerror(errno));
        goto fail_unlink;
    }
    c->dev = st.st_dev;
    c->ino = st.st_ino;
    if (listen(c->fd, 16) != 0) {
        seterr(err, errcap, "listen on %s: %s", path, strerror(errno));
        goto fail_unlink;
    }
    int rc = pthread_create(&c->thread, NULL, server_main, c);
    if (rc) {
        seterr(err, errcap, "cannot start the control thread: %s", strerror(rc));
        goto fail_unlink;
    }
    *out = c;
    return 0;
fail_unlink:
    unlink(path);
fail_close:
    close(c->fd);
    free(c);
    return -1;
}

void cli_control_stop(cli_control *c)
{
    if (!c) return;
    atomic_store(&c->stop, true);
    pthread_join(c->thread, NULL);
    close(c->fd);
    struct stat st;
    if (stat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino) unlink(c->path);
    free(c);
}

/* ---- the client ---- */

int cli_control_call(const char *path, const char *request, char **out_resp, size_t *out_len,
                     char *err, size_t errcap)
{
    *out_resp = NULL;
    *out_len = 0;
    struct sockaddr_un sa;
    if (fill_addr(&sa, path, err, errcap)) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        seterr(err, errcap, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        seterr(err, errcap, "%s: %s%s", path, strerror(e),
               e == ENOENT || e == ECONNREFUSED ? " (is the system running?)" : "");
        close(fd);
        return -1;
    }
    char line[CLI_CONTROL_MAX_REQUEST + 2];
    int n = snprintf(line, sizeof line, "%s\n", request);
    if (n < 0 || (size_t)n >= sizeof line) {
        seterr(err, errcap, "request too long");
        close(fd);
        return -1;
    }
    long long deadline = now_ms() + 5000;
    send_all(fd, line, (size_t)n, deadline);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (64u << 20)) break; /* 64 MiB: more is not a ps answer */
            char *nb = realloc(buf, cap + 1);
            if (!nb) break;
            buf = nb;
        }
        if (wait_fd(fd, POLLIN, deadline)) {
            seterr(err, errcap, "%s: no complete answer within 5 s", path);
            free(buf);
            close(fd);
            return -1;
        }
        ssize_t r = recv(fd, buf + len, cap - len, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(fd);
    if (!buf) {
        seterr(err, errcap, "out of memory");
        return -1;
    }
    buf[len] = 0;
    if (len >= 3 && !memcmp(buf, "ok\n", 3)) {
        memmove(buf, buf + 3, len - 3 + 1);
        *out_resp = buf;
        *out_len = len - 3;
        return 0;
    }
    size_t l = strcspn(buf, "\n");
    seterr(err, errcap, "%s: %.*s", path, (int)(l > 300 ? 300 : l), len ? buf : "no answer");
    free(buf);
    return -1;
}

int cli_control_find(char *buf, size_t cap, char *err, size_t errcap)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    if (cli_control_dir(dir, sizeof dir, false, err, errcap)) return -1;
    DIR *d = opendir(dir);
    if (!d) {
        seterr(err, errcap, "no running system (%s: %s)", dir, strerror(errno));
        return -1;
    }
    int found = 0;
    char names[512] = "";
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".sock")) continue;
        if (found++ == 0) {
            int n = snprintf(buf, cap, "%s/%s", dir, e->d_name);
            if (n < 0 || (size_t)n >= cap) found = 100;
        }
        size_t nl = strlen(names);
        snprintf(names + nl, sizeof names - nl, "%s%.*s", nl ? ", " : "", (int)(l - 5), e->d_name);
    }
    closedir(d);
    if (found == 1) return 0;
    if (found == 0)
        seterr(err, errcap, "no running system (no socket in %s)", dir);
    else
        seterr(err, errcap, "several systems run (%s): name one", names);
    return -1;
}
