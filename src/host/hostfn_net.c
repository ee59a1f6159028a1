/*
 * src/host/hostfn_net.c -- outbound TCP for a component: connect, send, receive and close on
 * granted endpoints only, with the network bandwidth quota and a per-component handle table.
 *
 * Design. A connect is checked twice. First the endpoint as the guest named it ("host:port",
 * "[v6]:port") against the net-connect capability, audited by the security manager. Then the
 * name is resolved and every address is checked before it is tried: a private, loopback,
 * link-local or unspecified address must be granted explicitly by address (asw_sec_check on
 * "addr:port", which grants such ranges only to entries naming them), so a granted public name
 * that resolves -- or is rebound -- to 127.0.0.1 or 10.x is refused; a public address passes
 * unless an explicit deny entry names it. "localhost" granted by name may reach loopback
 * addresses only. Refused addresses are audited here; if no address survives, the connect is
 * denied.
 *
 * Sockets are non-blocking from creation; connect, send and receive wait with poll(2) for at
 * most their timeout and return ASW_E_TIMEOUT ("would block") instead of holding a worker
 * thread. The bandwidth quota (ASW_QUOTA_NET_BYTES, per second) bounds each transfer: a send
 * or receive moves at most what is left of this second's budget and charges what it moved; with
 * nothing left it fails with ASW_E_QUOTA (audited by asw_sec_consume). Handles are small
 * positive integers (slot index + 1); the table holds at most max_handles sockets.
 *
 * Invariants: a table is used by one thread at a time (the worker running its component's
 * instance); every socket it opened is closed by asw__net_close or asw__net_table_free.
 * Not done: listening sockets, UDP, TLS, asynchronous DNS (getaddrinfo blocks the worker for
 * the resolver's own timeout).
 */
#include "host/hostfn.h"
#include "host/host_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_NS (UINT64_C(5) * 1000000000u)
#define MAX_HANDLES_LIMIT  1024
#define HOST_MAX           253

int (*asw__net_getaddrinfo)(const char *node, const char *service, const struct addrinfo *hints,
                            struct addrinfo **res) = getaddrinfo;
void (*asw__net_freeaddrinfo)(struct addrinfo *res) = freeaddrinfo;

struct asw__net_table {
    asw_sec_ctx_t *sec;
    asw_audit_t *audit;
    uint64_t connect_timeout_ns, io_timeout_ns;
    uint32_t max;
    size_t open;
    int *fd; /* max slots; -1 when free */
};

int asw__net_table_new(asw_sec_ctx_t *sec, asw_audit_t *audit, const asw__net_opts_t *opts,
                       asw__net_table_t **out_table, asw_error_t *out_err)
{
    if (!sec || !out_table) return asw__errorf(out_err, ASW_E_INVALID, "net: bad argument");
    *out_table = NULL;
    asw__net_opts_t o = {0};
    if (opts) o = *opts;
    if (o.max_handles > MAX_HANDLES_LIMIT)
        return asw__errorf(out_err, ASW_E_INVALID, "net: at most %d handles", MAX_HANDLES_LIMIT);
    asw__net_table_t *t = asw__calloc(1, sizeof *t);
    if (!t) goto nomem;
    t->sec = sec;
    t->audit = audit;
    t->max = o.max_handles ? o.max_handles : ASW__NET_MAX_HANDLES;
    t->connect_timeout_ns = o.connect_timeout_ns ? o.connect_timeout_ns : DEFAULT_TIMEOUT_NS;
    t->io_timeout_ns = o.io_timeout_ns ? o.io_timeout_ns : DEFAULT_TIMEOUT_NS;
    t->fd = asw__calloc(t->max, sizeof *t->fd);
    if (!t->fd) goto nomem;
    for (uint32_t i = 0; i < t->max; i++)
        t->fd[i] = -1;
    *out_table = t;
    return ASW_OK;
nomem:
    asw__free(t);
    return asw__errorf(out_err, ASW_E_NOMEM, "net: out of memory");
}

void asw__net_table_free(asw__net_table_t *t)
{
    if (!t) return;
    for (uint32_t i = 0; i < t->max; i++)
        if (t->fd[i] >= 0) close(t->fd[i]);
    asw__free(t->fd);
    asw__free(t);
}

size_t asw__net_open_count(asw__net_table_t *t)
{
    return t ? t->open : 0;
}

static void audit(asw__net_table_t *t, asw_audit_kind_t kind, const char *resource,
                  const char *perm, const char *result, const char *reason)
{
    if (!t->audit) return;
    asw_audit_record_t r = {kind, asw_sec_id(t->sec), resource, perm, result, reason};
    asw_audit_log(t->audit, &r);
}

/* Milliseconds for poll: rounded up, at most INT_MAX. */
static int poll_ms(uint64_t ns)
{
    uint64_t ms = ns / 1000000u + (ns % 1000000u != 0);
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Waits for `events` on fd until deadline (monotonic ns). Returns 1 ready, 0 timed out, -1. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        uint64_t now = asw_quota_now_ns();
        if (now >= deadline) return 0;
        struct pollfd p = {fd, events, 0};
        int r = poll(&p, 1, poll_ms(deadline - now));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) continue; /* recheck the clock: poll may wake early */
        return 1;
    }
}

static uint64_t deadline_of(uint64_t timeout_ns)
{
    uint64_t now = asw_quota_now_ns();
    return timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
}

/* "host:port", with brackets around an IPv6 address. */
static void endpoint(char *buf, size_t cap, const char *host, uint16_t port)
{
    if (strchr(host, ':'))
        snprintf(buf, cap, "[%s]:%u", host, (unsigned)port);
    else
        snprintf(buf, cap, "%s:%u", host, (unsigned)port);
}

static bool is_loopback(const asw_cidr_t *a)
{
    static const uint8_t v6_one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return a->v6 ? !memcmp(a->addr, v6_one, 16) : a->addr[0] == 127;
}

/*
 * May the component reach address `addr` (text `at`, endpoint `ep`) that `host` resolved to?
 * Writes the refusal reason to *why. Private addresses need an explicit grant by address (or a
 * granted "localhost" for loopback); public ones pass unless an explicit deny names them.
 */
static bool address_allowed(asw__net_table_t *t, const char *host, bool literal, const char *at,
                            const char *ep, const char **why)
{
    asw_cidr_t a;
    asw_cap_decision_t d;
    if (literal) return true; /* the address itself was the checked endpoint */
    if (asw_net_parse_ip(at, strlen(at), &a, NULL) != ASW_OK) {
        *why = "resolved address could not be parsed";
        return false;
    }
    if (asw_net_is_private(&a)) {
        if (is_loopback(&a) && !strcasecmp(host, "localhost")) return true;
        /* Audited: the decision on the address is the one that matters. */
        if (asw_sec_check(t->sec, ASW_CAP_NET_CONNECT, ep, ASW_PERM_CONNECT, &d) == ASW_OK)
            return true;
        *why = "the name resolved to a private or loopback address that is not granted";
        return false;
    }
    if (asw_capset_check(asw_sec_caps(t->sec), ASW_CAP_NET_CONNECT, ep, ASW_PERM_CONNECT, &d) !=
            ASW_OK &&
        d.rule) {
        *why = "the resolved address is denied explicitly";
        return false;
    }
    return true;
}

/* Starts a non-blocking connect to one address and waits for it. Returns the fd or a code. */
static int try_connect(const struct addrinfo *ai, uint64_t deadline, int *out_errno)
{
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0) {
        *out_errno = errno;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        goto fail;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return fd;
    if (errno != EINPROGRESS && errno != EINTR) goto fail;
    int r = wait_fd(fd, POLLOUT, deadline);
    if (r == 0) {
        errno = ETIMEDOUT;
        goto fail;
    }
    if (r < 0) goto fail;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) goto fail;
    if (soerr) {
        errno = soerr;
        goto fail;
    }
    return fd;
fail:
    *out_errno = errno;
    close(fd);
    return -1;
}

int asw__net_connect(asw__net_table_t *t, const char *host, uint16_t port, uint64_t timeout_ns,
                     int32_t *out_handle, asw_error_t *out_err)
{
    char ep[HOST_MAX + 16], at[INET6_ADDRSTRLEN], aep[INET6_ADDRSTRLEN + 16];
    struct addrinfo *res = NULL;
    asw_cap_decision_t d;
    int rc;
    if (!t || !host || !out_handle || port == 0)
        return asw__errorf(out_err, ASW_E_INVALID, "connect: bad argument");
    *out_handle = 0;
    size_t hl = strlen(host);
    if (hl == 0 || hl > HOST_MAX)
        return asw__errorf(out_err, ASW_E_INVALID, "connect: bad host name length");
    endpoint(ep, sizeof ep, host, port);
    rc = asw_sec_check(t->sec, ASW_CAP_NET_CONNECT, ep, ASW_PERM_CONNECT, &d);
    if (rc) {
        asw__errorf(out_err, ASW_E_DENIED, "connect to %s denied: %s", ep, d.reason);
        return ASW_E_DENIED;
    }
    uint32_t slot = 0;
    while (slot < t->max && t->fd[slot] >= 0)
        slot++;
    if (slot == t->max) {
        audit(t, ASW_AUDIT_QUOTA, "net-handles", "connect", "exceeded", "socket table full");
        return asw__errorf(out_err, ASW_E_LIMIT, "connect to %s: all %u sockets in use", ep,
                           (unsigned)t->max);
    }
    asw_cidr_t lit;
    bool literal = asw_net_parse_ip(host, hl, &lit, NULL) == ASW_OK;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (literal ? AI_NUMERICHOST : 0);
    char svc[8];
    snprintf(svc, sizeof svc, "%u", (unsigned)port);
    int g = asw__net_getaddrinfo(host, svc, &hints, &res);
    if (g != 0 || !res) {
        if (res) asw__net_freeaddrinfo(res);
        return asw__errorf(out_err, ASW_E_NOT_FOUND, "connect to %s: %s", ep,
                           g ? gai_strerror(g) : "no address");
    }
    uint64_t deadline = deadline_of(timeout_ns ? timeout_ns : t->connect_timeout_ns);
    int fd = -1, last_errno = 0;
    size_t refused = 0, tried = 0;
    const char *why = NULL;
    for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        const void *src;
        if (ai->ai_family == AF_INET)
            src = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
        else if (ai->ai_family == AF_INET6)
            src = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
        else
            continue;
        if (!inet_ntop(ai->ai_family, src, at, sizeof at)) continue;
        endpoint(aep, sizeof aep, at, port);
        if (!address_allowed(t, host, literal, at, aep, &why)) {
            refused++;
            char reason[192];
            snprintf(reason, sizeof reason, "%s resolved to %s: %s", host, at, why);
            audit(t, ASW_AUDIT_CAPABILITY, aep, "connect", "denied", reason);
            continue;
        }
        tried++;
        fd = try_connect(ai, deadline, &last_errno);
    }
    asw__net_freeaddrinfo(res);
    if (fd < 0) {
        if (!tried && refused)
            return asw__errorf(out_err, ASW_E_DENIED, "connect to %s denied: %s (%s)", ep, why, at);
        if (last_errno == ETIMEDOUT)
            return asw__errorf(out_err, ASW_E_TIMEOUT, "connect to %s: timed out", ep);
        return asw__errorf(out_err, ASW_E_IO, "connect to %s: %s", ep,
                           last_errno ? strerror(last_errno) : "no usable address");
    }
    t->fd[slot] = fd;
    t->open++;
    *out_handle = (int32_t)slot + 1;
    return ASW_OK;
}

static int find(asw__net_table_t *t, int32_t handle, const char *op, asw_error_t *out_err)
{
    if (!t || handle <= 0 || (uint32_t)handle > t->max || t->fd[handle - 1] < 0)
        return asw__errorf(out_err, ASW_E_NOT_FOUND, "%s: no socket %d", op, (int)handle);
    return t->fd[handle - 1];
}

/* Bytes of this second's network budget left (SIZE_MAX: unlimited), or 0 with the violation
 * audited when nothing is left. */
static size_t budget(asw__net_table_t *t, size_t want, uint64_t now)
{
    asw_quota_usage_t u;
    asw_quota_usage(asw_sec_quota(t->sec), ASW_QUOTA_NET_BYTES, now, &u);
    if (u.limit == 0) return SIZE_MAX;
    if (u.used >= u.limit) {
        /* Consumes nothing (it cannot fit); records the violation in the audit log. */
        asw_sec_consume(t->sec, ASW_QUOTA_NET_BYTES, want ? want : 1, now, NULL);
        return 0;
    }
    uint64_t left = u.limit - u.used;
    return left > SIZE_MAX ? SIZE_MAX : (size_t)left;
}

int asw__net_send(asw__net_table_t *t, int32_t handle, const uint8_t *data, size_t len,
                  uint64_t timeout_ns, size_t *out_sent, asw_error_t *out_err)
{
    if (!out_sent || (!data && len))
        return asw__errorf(out_err, ASW_E_INVALID, "send: bad argument");
    *out_sent = 0;
    int fd = find(t, handle, "send", out_err);
    if (fd < 0) return ASW_E_NOT_FOUND;
    if (len == 0) return ASW_OK;
    uint64_t deadline = deadline_of(timeout_ns ? timeout_ns : t->io_timeout_ns);
    for (;;) {
        uint64_t now = asw_quota_now_ns();
        size_t n = budget(t, len, now);
        if (n == 0)
            return asw__errorf(out_err, ASW_E_QUOTA, "send: network quota exhausted this second");
        if (n > len) n = len;
        ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
        if (w > 0) {
            asw_sec_consume(t->sec, ASW_QUOTA_NET_BYTES, (uint64_t)w, now, NULL);
            *out_sent = (size_t)w;
            return ASW_OK;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int r = wait_fd(fd, POLLOUT, deadline);
            if (r > 0) continue;
            if (r == 0) return asw__errorf(out_err, ASW_E_TIMEOUT, "send: would block (timed out)");
        }
        if (errno == EPIPE || errno == ECONNRESET)
            return asw__errorf(out_err, ASW_E_CLOSED, "send: connection closed by the peer");
        return asw__errorf(out_err, ASW_E_IO, "send: %s", strerror(errno));
    }
}

int asw__net_recv(asw__net_table_t *t, int32_t handle, uint8_t *buf, size_t cap,
                  uint64_t timeout_ns, size_t *out_len, asw_error_t *out_err)
{
    if (!out_len || !buf || cap == 0)
        return asw__errorf(out_err, ASW_E_INVALID, "recv: bad argument");
    *out_len = 0;
    int fd = find(t, handle, "recv", out_err);
    if (fd < 0) return ASW_E_NOT_FOUND;
    uint64_t deadline = deadline_of(timeout_ns ? timeout_ns : t->io_timeout_ns);
    for (;;) {
        uint64_t now = asw_quota_now_ns();
        size_t n = budget(t, cap, now);
        if (n == 0)
            return asw__errorf(out_err, ASW_E_QUOTA, "recv: network quota exhausted this second");
        if (n > cap) n = cap;
        ssize_t r = recv(fd, buf, n, 0);
        if (r >= 0) {
            if (r > 0) asw_sec_consume(t->sec, ASW_QUOTA_NET_BYTES, (uint64_t)r, now, NULL);
            *out_len = (size_t)r;
            return ASW_OK;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int w = wait_fd(fd, POLLIN, deadline);
            if (w > 0) continue;
            if (w == 0) return asw__errorf(out_err, ASW_E_TIMEOUT, "recv: would block (timed out)");
        }
        if (errno == ECONNRESET)
            return asw__errorf(out_err, ASW_E_CLOSED, "recv: connection reset by the peer");
        return asw__errorf(out_err, ASW_E_IO, "recv: %s", strerror(errno));
    }
}

int asw__net_close(asw__net_table_t *t, int32_t handle)
{
    int fd = find(t, handle, "close", NULL);
    if (fd < 0) return ASW_E_NOT_FOUND;
    close(fd);
    t->fd[handle - 1] = -1;
    t->open--;
    return ASW_OK;
}

/* ================================ the wasm host functions ================================ */

typedef asw_val_t val;

static void table_free_ext(void *p)
{
    asw__net_table_free(p);
}

/* The instance's socket table, created on first use (sockets belong to one incarnation: a
 * restarted component starts with none). */
static int inst_table(asw__inst_t *in, asw__net_table_t **out)
{
    if (!in->ext[ASW__EXT_NET]) {
        asw__net_table_t *t = NULL;
        int rc = asw__net_table_new(in->comp->sec, in->comp->host->audit, NULL, &t, NULL);
        if (rc) return rc;
        in->ext[ASW__EXT_NET] = t;
        in->ext_free[ASW__EXT_NET] = table_free_ext;
    }
    *out = in->ext[ASW__EXT_NET];
    return ASW_OK;
}

static int32_t finish(asw_component_t *c, int rc)
{
    if (rc == ASW_E_DENIED || rc == ASW_E_QUOTA || rc == ASW_E_LIMIT) asw__host_count_denied(c);
    return rc;
}

/* The guest's buffer length as an i32 result can carry it. */
static uint32_t clamp_len(uint32_t len)
{
    return len > INT32_MAX ? INT32_MAX : len;
}

/* net-connect(host, hlen, port) -> handle (> 0) | error */
static int hf_connect(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                      size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    char host[HOST_MAX + 1];
    asw__net_table_t *t;
    uint32_t hlen = (uint32_t)args[1].of.i32, port = (uint32_t)args[2].of.i32;
    int32_t h = 0;
    int rc = hlen == 0 || port == 0 || port > 65535
                 ? ASW_E_INVALID
                 : asw__host_guest_str(caller, (uint32_t)args[0].of.i32, hlen, host, sizeof host);
    if (!rc) rc = inst_table(in, &t);
    if (!rc) rc = asw__net_connect(t, host, (uint16_t)port, 0, &h, NULL);
    res[0] = asw_val_i32(rc ? finish(in->comp, rc) : h);
    return ASW_OK;
}

/* net-send(handle, data, len) -> bytes sent (>= 1 when len > 0) | error */
static int hf_send(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                   size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    asw__net_table_t *t;
    uint8_t *data;
    uint32_t len = (uint32_t)args[2].of.i32;
    size_t sent = 0;
    int rc = asw__host_guest_span(caller, (uint32_t)args[1].of.i32, len, &data);
    if (!rc) rc = inst_table(in, &t);
    if (!rc) rc = asw__net_send(t, args[0].of.i32, data, clamp_len(len), 0, &sent, NULL);
    res[0] = asw_val_i32(rc ? finish(in->comp, rc) : (int32_t)sent);
    return ASW_OK;
}

/* net-recv(handle, buf, cap, timeout_ms) -> bytes (0: the peer closed) | error.
 * ASW_E_TIMEOUT when nothing arrived within timeout_ms (0: the host's default of 5 s). */
static int hf_recv(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                   size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    asw__net_table_t *t;
    uint8_t *buf;
    uint32_t cap = (uint32_t)args[2].of.i32, ms = (uint32_t)args[3].of.i32;
    size_t n = 0;
    int rc = cap == 0 ? ASW_E_INVALID
                      : asw__host_guest_span(caller, (uint32_t)args[1].of.i32, cap, &buf);
    if (!rc) rc = inst_table(in, &t);
    if (!rc)
        rc = asw__net_recv(t, args[0].of.i32, buf, clamp_len(cap), (uint64_t)ms * 1000000u, &n,
                           NULL);
    res[0] = asw_val_i32(rc ? finish(in->comp, rc) : (int32_t)n);
    return ASW_OK;
}

/* net-close(handle) -> 0 | error */
static int hf_close(asw_caller_t *caller, void *ud, const val *args, size_t nargs, val *res,
                    size_t nres)
{
    ASW_UNUSED(ud), ASW_UNUSED(nargs), ASW_UNUSED(nres);
    asw__inst_t *in = asw__host_inst(caller);
    asw__net_table_t *t;
    int rc = inst_table(in, &t);
    if (!rc) rc = asw__net_close(t, args[0].of.i32);
    res[0] = asw_val_i32(rc);
    return ASW_OK;
}

int asw__hostfn_net_define(asw_imports_t *imp, asw_host_t *host, asw_error_t *out_err)
{
    static const uint8_t I[4] = {ASW_I32, ASW_I32, ASW_I32, ASW_I32};
    static const struct {
        const char *name;
        asw_host_fn fn;
        uint32_t np;
    } defs[] = {
        {"net-connect", hf_connect, 3},
        {"net-send", hf_send, 3},
        {"net-recv", hf_recv, 4},
        {"net-close", hf_close, 1},
    };
    for (size_t i = 0; i < ASW_ARRAY_LEN(defs); i++) {
        asw_functype_t ft = {defs[i].np, 1, I, I};
        int rc = asw_imports_define_func(imp, ASW__HOST_MODULE, defs[i].name, &ft, defs[i].fn, host,
                                         out_err);
        if (rc) return rc;
    }
    return ASW_OK;
}
