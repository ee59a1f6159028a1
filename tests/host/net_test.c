/*
 * tests/host/net_test.c -- outbound TCP of a component against a loopback echo server the test
 * starts itself (127.0.0.1, an ephemeral port, stopped at the end and after 20 s at most):
 * connect/send/receive/close on the granted endpoint; denials of another port, a private
 * address, a name not granted, and a granted name that resolves to 127.0.0.1 (DNS rebinding,
 * played with a fake resolver); the bandwidth quota at and over its limit; timeouts; the
 * handle table limit; peer close; audit records.
 */
#include "testlib.h"

#include "host/hostfn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- the echo server */

#define MAXC 8

static struct {
    int lfd;
    uint16_t port;
    pthread_t th;
    atomic_int stop;
} S;

/* Echoes what each client sends; closes a client that sends "bye". */
static void *server(void *arg)
{
    (void)arg;
    int c[MAXC];
    for (int i = 0; i < MAXC; i++)
        c[i] = -1;
    uint64_t end = asw_quota_now_ns() + UINT64_C(20) * 1000000000u;
    while (!atomic_load(&S.stop) && asw_quota_now_ns() < end) {
        struct pollfd p[MAXC + 1];
        p[0].fd = S.lfd;
        p[0].events = POLLIN;
        for (int i = 0; i < MAXC; i++) {
            p[i + 1].fd = c[i];
            p[i + 1].events = POLLIN;
        }
        if (poll(p, MAXC + 1, 20) <= 0) continue;
        if (p[0].revents & POLLIN) {
            int fd = accept(S.lfd, NULL, NULL);
            for (int i = 0; fd >= 0 && i < MAXC; i++)
                if (c[i] < 0) {
                    c[i] = fd;
                    fd = -1;
                }
            if (fd >= 0) close(fd);
        }
        for (int i = 0; i < MAXC; i++) {
            if (c[i] < 0 || !(p[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[512];
            ssize_t n = recv(c[i], buf, sizeof buf, 0);
            if (n <= 0 || (n == 3 && !memcmp(buf, "bye", 3))) {
                close(c[i]);
                c[i] = -1;
                continue;
            }
            (void)!send(c[i], buf, (size_t)n, MSG_NOSIGNAL);
        }
    }
    for (int i = 0; i < MAXC; i++)
        if (c[i] >= 0) close(c[i]);
    return NULL;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* A port nothing listens on: bound, then closed. */
static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* ---------------------------------------------------------------- fixture */

static struct {
    char audit_path[64];
    asw_audit_t *audit;
    asw_sec_t *sec;
} F;

static int setup(void **state)
{
    (void)state;
    S.lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(S.lfd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(S.lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(S.lfd, 16), 0);
    socklen_t l = sizeof a;
    assert_int_equal(getsockname(S.lfd, (struct sockaddr *)&a, &l), 0);
    S.port = ntohs(a.sin_port);
    atomic_store(&S.stop, 0);
    assert_int_equal(pthread_create(&S.th, NULL, server, NULL), 0);

    snprintf(F.audit_path, sizeof F.audit_path, "/tmp/asw_net_audit_%d.log", (int)getpid());
    asw_audit_config_t ac = {0};
    ac.path = F.audit_path;
    assert_int_equal(asw_audit_open(&ac, &F.audit, NULL), ASW_OK);
    assert_int_equal(asw_sec_new(F.audit, &F.sec, NULL), ASW_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    atomic_store(&S.stop, 1);
    pthread_join(S.th, NULL);
    close(S.lfd);
    asw_sec_free(F.sec);
    asw_audit_close(F.audit);
    unlink(F.audit_path);
    return 0;
}

/* Registers component `id` with capability lines ("{port}" stands for the server's port). */
static asw_sec_ctx_t *comp(const char *id, uint64_t net_limit, const char *const *lines)
{
    asw_capset_t *caps = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_capset_new(id, &caps, &e), ASW_OK);
    for (; lines && *lines; lines++) {
        char line[256];
        const char *mark = strstr(*lines, "{port}");
        if (mark)
            snprintf(line, sizeof line, "%.*s%u%s", (int)(mark - *lines), *lines, (unsigned)S.port,
                     mark + 6);
        else
            snprintf(line, sizeof line, "%s", *lines);
        if (asw_capset_add_text(caps, line, &e)) fail_msg("%s: %s", line, e.msg);
    }
    asw_quota_limits_t lim = {{0}};
    lim.limit[ASW_QUOTA_NET_BYTES] = net_limit;
    asw_sec_ctx_t *ctx = NULL;
    assert_int_equal(asw_sec_register(F.sec, id, caps, &lim, &ctx, &e), ASW_OK);
    return ctx;
}

static asw__net_table_t *table(asw_sec_ctx_t *ctx, uint32_t max)
{
    asw__net_opts_t o = {max, UINT64_C(2) * 1000000000u, UINT64_C(2) * 1000000000u};
    asw__net_table_t *t = NULL;
    assert_int_equal(asw__net_table_new(ctx, F.audit, &o, &t, NULL), ASW_OK);
    return t;
}

static void send_all(asw__net_table_t *t, int32_t h, const char *s)
{
    size_t sent = 0;
    assert_int_equal(asw__net_send(t, h, (const uint8_t *)s, strlen(s), 0, &sent, NULL), ASW_OK);
    assert_int_equal(sent, strlen(s));
}

static void expect(asw__net_table_t *t, int32_t h, const char *s)
{
    char buf[64];
    size_t got = 0, n;
    while (got < strlen(s)) {
        assert_int_equal(asw__net_recv(t, h, (uint8_t *)buf + got, sizeof buf - got, 0, &n, NULL),
                         ASW_OK);
        assert_true(n > 0);
        got += n;
    }
    assert_int_equal(got, strlen(s));
    assert_memory_equal(buf, s, got);
}

/* ---------------------------------------------------------------- tests */

static void echo_round_trip(void **state)
{
    (void)state;
    const char *caps[] = {"net connect 127.0.0.1:{port}", NULL};
    asw_sec_ctx_t *ctx = comp("echo", 0, caps);
    asw__net_table_t *t = table(ctx, 0);
    int32_t h = 0;
    asw_error_t e = {0};
    assert_int_equal(asw__net_connect(t, "127.0.0.1", S.port, 0, &h, &e), ASW_OK);
    assert_int_equal(h, 1);
    assert_int_equal(asw__net_open_count(t), 1);
    send_all(t, h, "ping");
    expect(t, h, "ping");
    /* Nothing more is coming: a short receive times out ("would block"). */
    uint8_t b[8];
    size_t n = 9;
    uint64_t t0 = asw_quota_now_ns();
    assert_int_equal(asw__net_recv(t, h, b, sizeof b, UINT64_C(50) * 1000000u, &n, &e),
                     ASW_E_TIMEOUT);
    assert_int_equal(n, 0);
    assert_true(asw_quota_now_ns() - t0 < UINT64_C(1000) * 1000000u);
    /* The peer closes: end of stream, then the handle is closed. */
    send_all(t, h, "bye");
    assert_int_equal(asw__net_recv(t, h, b, sizeof b, 0, &n, &e), ASW_OK);
    assert_int_equal(n, 0);
    assert_int_equal(asw__net_close(t, h), ASW_OK);
    assert_int_equal(asw__net_close(t, h), ASW_E_NOT_FOUND);
    assert_int_equal(asw__net_open_count(t), 0);
    /* Unknown handles and bad arguments. */
    size_t sent;
    assert_int_equal(asw__net_send(t, h, b, 1, 0, &sent, &e), ASW_E_NOT_FOUND);
    assert_int_equal(asw__net_send(t, 0, b, 1, 0, &sent, &e), ASW_E_NOT_FOUND);
    assert_int_equal(asw__net_recv(t, 17, b, 1, 0, &n, &e), ASW_E_NOT_FOUND);
    assert_int_equal(asw__net_recv(t, -1, b, 1, 0, &n, &e), ASW_E_NOT_FOUND);
    assert_int_equal(asw__net_recv(t, 1, NULL, 1, 0, &n, &e), ASW_E_INVALID);
    assert_int_equal(asw__net_connect(t, "127.0.0.1", 0, 0, &h, &e), ASW_E_INVALID);
    assert_int_equal(asw__net_connect(t, "", S.port, 0, &h, &e), ASW_E_INVALID);
    /* localhost is a different name: not granted by the address grant. */
    assert_int_equal(asw__net_connect(t, "localhost", S.port, 0, &h, &e), ASW_E_DENIED);
    asw__net_table_free(t);
    assert_int_equal(asw_sec_unregister(F.sec, "echo"), ASW_OK);
}

static void denials(void **state)
{
    (void)state;
    const char *caps[] = {"net connect 127.0.0.1:{port}", NULL};
    asw_sec_ctx_t *ctx = comp("deny", 0, caps);
    asw__net_table_t *t = table(ctx, 0);
    int32_t h = 7;
    asw_error_t e = {0};
    char host[32];
    /* Another port; another loopback address; a private address; a public name not granted. */
    assert_int_equal(asw__net_connect(t, "127.0.0.1", (uint16_t)(S.port + 1), 0, &h, &e),
                     ASW_E_DENIED);
    assert_int_equal(h, 0);
    assert_non_null(strstr(e.msg, "denied"));
    assert_int_equal(asw__net_connect(t, "127.0.0.2", S.port, 0, &h, &e), ASW_E_DENIED);
    assert_int_equal(asw__net_connect(t, "10.0.0.1", S.port, 0, &h, &e), ASW_E_DENIED);
    assert_int_equal(asw__net_connect(t, "192.168.1.1", S.port, 0, &h, &e), ASW_E_DENIED);
    assert_int_equal(asw__net_connect(t, "::1", S.port, 0, &h, &e), ASW_E_DENIED);
    /* An IPv4-mapped IPv6 address is the same endpoint as the granted one: granted. */
    assert_int_equal(asw__net_connect(t, "::ffff:127.0.0.1", S.port, 0, &h, &e), ASW_OK);
    assert_int_equal(asw__net_close(t, h), ASW_OK);
    assert_int_equal(asw__net_connect(t, "::ffff:127.0.0.2", S.port, 0, &h, &e), ASW_E_DENIED);
    assert_int_equal(asw__net_connect(t, "example.com", S.port, 0, &h, &e), ASW_E_DENIED);
    snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)S.port);
    assert_int_equal(asw__net_connect(t, host, S.port, 0, &h, &e), ASW_E_DENIED);
    assert_int_equal(asw__net_open_count(t), 0);
    asw__net_table_free(t);
    assert_int_equal(asw_sec_unregister(F.sec, "deny"), ASW_OK);
}

/* A fake resolver: every name resolves to 127.0.0.1. */
static int fake_gai(const char *node, const char *service, const struct addrinfo *hints,
                    struct addrinfo **res)
{
    (void)node;
    (void)hints;
    struct {
        struct addrinfo ai;
        struct sockaddr_in sa;
    } *r = calloc(1, sizeof *r);
    if (!r) return EAI_MEMORY;
    r->sa.sin_family = AF_INET;
    r->sa.sin_port = htons((uint16_t)atoi(service));
    r->sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->ai.ai_family = AF_INET;
    r->ai.ai_socktype = SOCK_STREAM;
    r->ai.ai_addr = (struct sockaddr *)&r->sa;
    r->ai.ai_addrlen = sizeof r->sa;
    *res = &r->ai;
    return 0;
}

static void fake_free(struct addrinfo *ai)
{
    free(ai);
}

typedef struct counts {
    int denied;
} counts;

static int count_fn(void *ud, const asw_audit_entry_t *en)
{
    counts *c = ud;
    if (strstr(en->reason, "resolved to 127.0.0.1")) c->denied++;
    return 0;
}

static void dns_rebinding(void **state)
{
    (void)state;
    const char *caps[] = {"net connect rebind.example:{port}", NULL};
    asw_sec_ctx_t *ctx = comp("rebind", 0, caps);
    asw__net_table_t *t = table(ctx, 0);
    int32_t h = 0;
    asw_error_t e = {0};
    asw__net_getaddrinfo = fake_gai;
    asw__net_freeaddrinfo = fake_free;
    int rc = asw__net_connect(t, "rebind.example", S.port, 0, &h, &e);
    asw__net_getaddrinfo = getaddrinfo;
    asw__net_freeaddrinfo = freeaddrinfo;
    assert_int_equal(rc, ASW_E_DENIED);
    assert_non_null(strstr(e.msg, "private or loopback"));
    asw__net_table_free(t);
    assert_int_equal(asw_sec_unregister(F.sec, "rebind"), ASW_OK);
    assert_int_equal(asw_audit_flush(F.audit), ASW_OK);
    counts c = {0};
    assert_int_equal(asw_audit_scan(F.audit_path, "rebind", "denied", count_fn, &c, NULL, NULL),
                     ASW_OK);
    assert_int_equal(c.denied, 1);

    /* With the loopback address granted explicitly too, the same name may reach it. */
    const char *caps2[] = {"net connect rebind.example:{port}", "net connect 127.0.0.1:{port}",
                           NULL};
    ctx = comp("rebind2", 0, caps2);
    t = table(ctx, 0);
    asw__net_getaddrinfo = fake_gai;
    asw__net_freeaddrinfo = fake_free;
    rc = asw__net_connect(t, "rebind.example", S.port, 0, &h, &e);
    asw__net_getaddrinfo = getaddrinfo;
    asw__net_freeaddrinfo = freeaddrinfo;
    assert_int_equal(rc, ASW_OK);
    send_all(t, h, "hi");
    expect(t, h, "hi");
    asw__net_table_free(t); /* closes the socket */
    assert_int_equal(asw_sec_unregister(F.sec, "rebind2"), ASW_OK);
}

static void localhost_and_refused(void **state)
{
    (void)state;
    uint16_t dead = free_port();
    char line[64];
    snprintf(line, sizeof line, "net connect 127.0.0.1:%u", (unsigned)dead);
    const char *caps[] = {"net connect localhost:{port}", line, NULL};
    asw_sec_ctx_t *ctx = comp("local", 0, caps);
    asw__net_table_t *t = table(ctx, 0);
    int32_t h = 0;
    asw_error_t e = {0};
    assert_int_equal(asw__net_connect(t, "localhost", S.port, 0, &h, &e), ASW_OK);
    send_all(t, h, "yo");
    expect(t, h, "yo");
    assert_int_equal(asw__net_connect(t, "127.0.0.1", dead, 0, &h, &e), ASW_E_IO);
    assert_non_null(strstr(e.msg, "refused"));
    asw__net_table_free(t);
    assert_int_equal(asw_sec_unregister(F.sec, "local"), ASW_OK);
}

static void handle_limit(void **state)
{
    (void)state;
    const char *caps[] = {"net connect 127.0.0.1:{port}", NULL};
    asw_sec_ctx_t *ctx = comp("limit", 0, caps);
    asw__net_table_t *t = table(ctx, 2);
    int32_t h1, h2, h3 = 5;
    asw_error_t e = {0};
    assert_int_equal(asw__net_connect(t, "127.0.0.1", S.port, 0, &h1, &e), ASW_OK);
    assert_int_equal(asw__net_connect(t, "127.0.0.1", S.port, 0, &h2, &e), ASW_OK);
    assert_int_equal(asw__net_connect(t, "127.0.0.1", S.port, 0, &h3, &e), ASW_E_LIMIT);
    assert_int_equal(h3, 0);
    assert_int_equal(asw__net_close(t, h1), ASW_OK);
    assert_int_equal(asw__net_connect(t, "127.0.0.1", S.port, 0, &h3, &e), ASW_OK);
    assert_int_equal(h3, h1); /* the freed slot is reused */
    assert_int_equal(asw__net_open_count(t), 2);
    asw__net_table_free(t);
    /* Table creation: too many handles, and allocation failure. */
    asw__net_opts_t o = {5000, 0, 0};
    assert_int_equal(asw__net_table_new(ctx, NULL, &o, &t, &e), ASW_E_INVALID);
    for (unsigned long k = 1; k <= 2; k++) {
        asw_test_alloc_install(k, 0);
        assert_int_equal(asw__net_table_new(ctx, NULL, NULL, &t, &e), ASW_E_NOMEM);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        assert_null(t);
    }
    assert_int_equal(asw_sec_unregister(F.sec, "limit"), ASW_OK);
}

static void bandwidth_quota(void **state)
{
    (void)state;
    const char *caps[] = {"net connect 127.0.0.1:{port}", NULL};
    asw_sec_ctx_t *ctx = comp("quota", 10, caps);
    asw__net_table_t *t = table(ctx, 0);
    int32_t h = 0;
    asw_error_t e = {0};
    assert_int_equal(asw__net_connect(t, "127.0.0.1", S.port, 0, &h, &e), ASW_OK);
    /* Within one second: 10 bytes pass (the limit exactly), the 11th does not. Retried when the
     * second changes in the middle. */
    bool ok = false;
    for (int attempt = 0; attempt < 5 && !ok; attempt++) {
        while (asw_quota_now_ns() % 1000000000u > 700000000u)
            sleep_us(10000);
        uint64_t sec0 = asw_quota_now_ns() / 1000000000u;
        size_t sent = 0, sent2 = 0, sent3 = 9;
        int r1 = asw__net_send(t, h, (const uint8_t *)"abcd", 4, 0, &sent, &e);
        int r2 = asw__net_send(t, h, (const uint8_t *)"efghijklmn", 10, 0, &sent2, &e);
        int r3 = asw__net_send(t, h, (const uint8_t *)"x", 1, 0, &sent3, &e);
        if (asw_quota_now_ns() / 1000000000u != sec0) {
            sleep_us(300000);
            continue;
        }
        assert_int_equal(r1, ASW_OK);
        assert_int_equal(sent, 4);
        assert_int_equal(r2, ASW_OK);
        assert_int_equal(sent2, 6); /* what was left of the budget */
        assert_int_equal(r3, ASW_E_QUOTA);
        assert_int_equal(sent3, 0);
        ok = true;
    }
    assert_true(ok);
    /* Next second: the echo of the 10 bytes arrives and is charged; receiving works again. */
    uint64_t sec1 = asw_quota_now_ns() / 1000000000u;
    while (asw_quota_now_ns() / 1000000000u == sec1)
        sleep_us(10000);
    char buf[16];
    size_t n = 0;
    assert_int_equal(asw__net_recv(t, h, (uint8_t *)buf, sizeof buf, 0, &n, &e), ASW_OK);
    assert_true(n >= 1 && n <= 10);
    assert_memory_equal(buf, "abcdefghij", n);
    asw_quota_usage_t u;
    asw_quota_usage(asw_sec_quota(ctx), ASW_QUOTA_NET_BYTES, asw_quota_now_ns(), &u);
    assert_true(u.used >= n);
    asw__net_table_free(t);
    assert_int_equal(asw_sec_unregister(F.sec, "quota"), ASW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(echo_round_trip), cmocka_unit_test(denials),
        cmocka_unit_test(dns_rebinding),   cmocka_unit_test(localhost_and_refused),
        cmocka_unit_test(handle_limit),    cmocka_unit_test(bandwidth_quota),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
