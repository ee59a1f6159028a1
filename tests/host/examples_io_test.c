/*
 * tests/host/examples_io_test.c -- the I/O examples run as components on the host:
 * examples/filereader (limited to /data/[name].json, with /data mapped to a temporary directory)
 * reads and lists what it is granted and is denied /etc/passwd, `..` and a symlink escape;
 * examples/netclient (limited to one endpoint, a loopback echo server the test starts itself)
 * talks to it and is denied another port, a private address and a name not granted. Denials
 * reach the guest as error codes, are counted and audited, and the components keep running.
 */
#include "airssys/airssys.h"
#include "testlib.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
    char root[256], audit_path[300];
    asw_audit_t *audit;
    asw_trust_registry_t *trust;
    asw_host_t *host;
    int lfd;
    uint16_t port;
    pthread_t th;
    atomic_int stop;
} F;

/* A loopback echo server for one client at a time; stops on F.stop or after 20 s. */
static void *server(void *arg)
{
    (void)arg;
    for (int rounds = 0; rounds < 1000 && !atomic_load(&F.stop); rounds++) {
        struct pollfd p = {F.lfd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0) continue;
        int c = accept(F.lfd, NULL, NULL);
        if (c < 0) continue;
        struct pollfd q = {c, POLLIN, 0};
        char buf[256];
        if (poll(&q, 1, 2000) > 0) {
            ssize_t n = recv(c, buf, sizeof buf, 0);
            if (n > 0) (void)!send(c, buf, (size_t)n, MSG_NOSIGNAL);
        }
        close(c);
    }
    return NULL;
}

/* Returns text with every `from` replaced by `to` (malloc'ed). */
static char *replace(const char *text, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = strstr(text, from); p; p = strstr(p + fl, from))
        n++;
    char *out = malloc(strlen(text) + n * tl + 1), *o = out;
    assert_non_null(out);
    const char *p = text, *q;
    while ((q = strstr(p, from))) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, tl);
        o += tl;
        p = q + fl;
    }
    strcpy(o, p);
    return out;
}

static void load(const char *guest, const char *manifest_rel, const char *from, const char *to)
{
    size_t mlen;
    uint8_t *mod = asw_test_read_file(guest, &mlen);
    assert_non_null(mod);
    uint8_t sha[32];
    char hex[65];
    assert_int_equal(asw_sha256(mod, mlen, sha), ASW_OK);
    asw_hex_encode(sha, 32, hex);
    assert_int_equal(asw_trust_add_hash(F.trust, hex, NULL), ASW_OK);
    char *raw = asw_test_read_text(asw_test_src_path(manifest_rel));
    char *man = replace(raw, from, to);
    asw_component_source_t s = {
        .module = mod, .module_len = mlen, .manifest = man, .manifest_len = strlen(man)};
    asw_error_t e = {0};
    int rc = asw_host_load(F.host, &s, NULL, &e);
    if (rc) fail_msg("load %s: %s", manifest_rel, asw_error_message(&e));
    free(raw);
    free(man);
    free(mod);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(asw_test_tmpdir_new(F.root, sizeof F.root, "exio"), 0);
    assert_int_equal(mkdir(asw_test_path_in(F.root, "data"), 0755), 0);
    asw_test_write_text(asw_test_path_in(F.root, "data/a.json"), "{\"a\":1}");
    asw_test_write_text(asw_test_path_in(F.root, "data/notes.txt"), "not json");
    asw_test_write_text(asw_test_path_in(F.root, "secret.json"), "{\"secret\":1}");
    assert_int_equal(symlink("/etc/passwd", asw_test_path_in(F.root, "data/escape.json")), 0);

    F.lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(F.lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(F.lfd, 8), 0);
    socklen_t l = sizeof a;
    assert_int_equal(getsockname(F.lfd, (struct sockaddr *)&a, &l), 0);
    F.port = ntohs(a.sin_port);
    atomic_store(&F.stop, 0);
    assert_int_equal(pthread_create(&F.th, NULL, server, NULL), 0);

    snprintf(F.audit_path, sizeof F.audit_path, "%s/audit.log", F.root);
    asw_audit_config_t ac = {.path = F.audit_path};
    assert_int_equal(asw_audit_open(&ac, &F.audit, NULL), ASW_OK);
    assert_int_equal(asw_trust_registry_new(&F.trust, NULL), ASW_OK);
    asw_system_opts_t so = {.workers = 2};
    asw_host_opts_t ho = {
        .system_opts = &so, .audit = F.audit, .trust = F.trust, .log = asw_test_quiet_log};
    assert_int_equal(asw_host_new(&ho, &F.host, NULL), ASW_OK);

    char data[PATH_MAX], port[16];
    snprintf(data, sizeof data, "\"%s/data", F.root); /* /data is mapped to <tmp>/data */
    load(ASW_GUEST_FILEREADER, "examples/filereader/Component.toml", "\"/data", data);
    snprintf(port, sizeof port, "%u", (unsigned)F.port);
    load(ASW_GUEST_NETCLIENT, "examples/netclient/Component.toml", "7878", port);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    asw_host_free(F.host);
    asw_audit_close(F.audit);
    asw_trust_registry_free(F.trust);
    atomic_store(&F.stop, 1);
    pthread_join(F.th, NULL);
    close(F.lfd);
    assert_int_equal(asw_test_tmpdir_remove(F.root), 0);
    return 0;
}

/* Sends a request to `to` and checks the reply starts with want. */
static void ask(const char *to, const char *req, const char *want)
{
    void *r = NULL;
    size_t n = 0;
    asw_error_t e = {0};
    int rc = asw_host_request(F.host, to, req, strlen(req), UINT64_C(5) * 1000000000u, &r, &n, &e);
    if (rc) fail_msg("request %s '%s': %s", to, req, asw_error_message(&e));
    if (n < strlen(want) || memcmp(r, want, strlen(want)))
        fail_msg("request %s '%s': got '%.*s', want '%s'", to, req, (int)n, (char *)r, want);
    asw_host_buffer_free(r);
}

static void filereader(void **state)
{
    (void)state;
    char req[PATH_MAX + 16];
    snprintf(req, sizeof req, "read %s/data/a.json", F.root);
    ask("filereader", req, "ok:{\"a\":1}");
    snprintf(req, sizeof req, "list %s/data", F.root);
    ask("filereader", req, "ok:a.json\nescape.json\nnotes.txt\n");
    ask("filereader", "read /etc/passwd", "err:-19");
    snprintf(req, sizeof req, "read %s/data/../secret.json", F.root);
    ask("filereader", req, "err:-19");
    snprintf(req, sizeof req, "read %s/data/escape.json", F.root);
    ask("filereader", req, "err:-19");
    snprintf(req, sizeof req, "read %s/data/notes.txt", F.root);
    ask("filereader", req, "err:-19");
    snprintf(req, sizeof req, "read %s/data/missing.json", F.root);
    ask("filereader", req, "err:-13");
    snprintf(req, sizeof req, "list %s", F.root);
    ask("filereader", req, "err:-19");
    /* The same answers through WASI (wasi-libc fopen): the policy makes the same check.
     * errno 2 is EACCES (the policy refused), 76 ENOTCAPABLE (the WASI sandbox refused). */
    snprintf(req, sizeof req, "fopen %s/data/a.json", F.root);
    ask("filereader", req, "ok:{\"a\":1}");
    snprintf(req, sizeof req, "fopen %s/data/notes.txt", F.root);
    ask("filereader", req, "err:errno=2");
    snprintf(req, sizeof req, "fopen %s/data/escape.json", F.root);
    ask("filereader", req, "err:errno=");
    ask("filereader", "fopen /etc/passwd", "err:errno=");
    /* Still running and still reading after the denials; they were counted. */
    snprintf(req, sizeof req, "read %s/data/a.json", F.root);
    ask("filereader", req, "ok:");
    asw_component_info_t ci;
    asw_component_info(asw_host_find(F.host, "filereader"), &ci);
    assert_int_equal(ci.state, ASW_COMPONENT_RUNNING);
    assert_int_equal(ci.denied, 6); /* 5 file calls + 1 WASI policy refusal */
    assert_int_equal(ci.crashes, 0);
}

typedef struct counts {
    int denied, granted;
} counts;

static int count_fn(void *ud, const asw_audit_entry_t *en)
{
    counts *c = ud;
    c->denied += !strcmp(en->result, "denied");
    c->granted += !strcmp(en->result, "granted");
    return 0;
}

static void netclient(void **state)
{
    (void)state;
    char req[128];
    snprintf(req, sizeof req, "127.0.0.1 %u hello", (unsigned)F.port);
    ask("netclient", req, "ok:hello");
    snprintf(req, sizeof req, "127.0.0.1 %u x", (unsigned)(F.port + 1));
    ask("netclient", req, "err:-19@connect");
    snprintf(req, sizeof req, "10.1.2.3 %u x", (unsigned)F.port);
    ask("netclient", req, "err:-19@connect");
    snprintf(req, sizeof req, "localhost %u x", (unsigned)F.port);
    ask("netclient", req, "err:-19@connect");
    snprintf(req, sizeof req, "example.com %u x", (unsigned)F.port);
    ask("netclient", req, "err:-19@connect");
    snprintf(req, sizeof req, "127.0.0.1 %u again", (unsigned)F.port);
    ask("netclient", req, "ok:again");
    asw_component_info_t ci;
    asw_component_info(asw_host_find(F.host, "netclient"), &ci);
    assert_int_equal(ci.denied, 4);
    assert_int_equal(asw_audit_flush(F.audit), ASW_OK);
    counts c = {0, 0};
    assert_int_equal(asw_audit_scan(F.audit_path, "netclient", NULL, count_fn, &c, NULL, NULL),
                     ASW_OK);
    assert_true(c.denied >= 4);
    assert_true(c.granted >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filereader),
        cmocka_unit_test(netclient),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
