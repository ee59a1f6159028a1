/*
 * tests/security/cap_test.c -- capabilities: the parsers and validators, filesystem globs and
 * path normalisation (traversal, encodings), symlink escape, network rules (private ranges,
 * CIDR, IPv6, mapped addresses, numeric host tricks), storage namespaces across components,
 * messaging topics, custom capabilities, deny-wins, the text form and the inflation check.
 */
#include "testlib.h"

#include "airssys/security.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static asw_capset_t *mkset(const char *self, const char *const *lines)
{
    asw_capset_t *s = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_capset_new(self, &s, &e), ASW_OK);
    for (; lines && *lines; lines++) {
        int rc = asw_capset_add_text(s, *lines, &e);
        if (rc) fail_msg("add '%s': %s", *lines, e.msg);
    }
    return s;
}

static int chk(const asw_capset_t *s, asw_cap_kind_t k, const char *res, uint32_t perm)
{
    asw_cap_decision_t d;
    int rc = asw_capset_check(s, k, res, perm, &d);
    assert_true(d.reason != NULL);
    assert_int_equal(d.granted, rc == ASW_OK);
    return rc;
}

static void sizes_and_rates(void **state)
{
    (void)state;
    uint64_t v;
    asw_error_t e = {0};
    assert_int_equal(asw_quota_parse_size("512", &v, &e), 0);
    assert_int_equal(v, 512);
    assert_int_equal(asw_quota_parse_size("64KB", &v, &e), 0);
    assert_int_equal(v, 65536);
    assert_int_equal(asw_quota_parse_size(" 10 MB ", &v, &e), 0);
    assert_int_equal(v, 10u << 20);
    assert_int_equal(asw_quota_parse_size("2gib", &v, &e), 0);
    assert_int_equal(v, UINT64_C(2) << 30);
    assert_int_equal(asw_quota_parse_size("0B", &v, &e), 0);
    assert_int_equal(v, 0);
    assert_int_equal(asw_quota_parse_size("18446744073709551615", &v, &e), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(asw_quota_parse_size("18446744073709551616", &v, &e), ASW_E_OVERFLOW);
    assert_int_equal(asw_quota_parse_size("17179869184GB", &v, &e), ASW_E_OVERFLOW);
    assert_int_equal(asw_quota_parse_size("1.5MB", &v, &e), ASW_E_PARSE);
    assert_int_equal(asw_quota_parse_size("", &v, &e), ASW_E_PARSE);
    assert_int_equal(asw_quota_parse_size("MB", &v, &e), ASW_E_PARSE);
    assert_int_equal(asw_quota_parse_size("10 XB", &v, &e), ASW_E_PARSE);
    assert_non_null(strstr(e.msg, "unknown unit"));
    assert_int_equal(asw_quota_parse_size("-1", &v, &e), ASW_E_PARSE);
    assert_int_equal(asw_quota_parse_size("5 MB x", &v, &e), ASW_E_PARSE);

    asw_rate_unit_t u;
    assert_int_equal(asw_quota_parse_rate("5MB/s", &u, &v, &e), 0);
    assert_int_equal(u, ASW_RATE_BYTES);
    assert_int_equal(v, 5u << 20);
    assert_int_equal(asw_quota_parse_rate("500ms/s", &u, &v, &e), 0);
    assert_int_equal(u, ASW_RATE_MILLIS);
    assert_int_equal(v, 500);
    assert_int_equal(asw_quota_parse_rate("1001ms/s", &u, &v, &e), ASW_E_PARSE);
    assert_int_equal(asw_quota_parse_rate("100/s", &u, &v, &e), 0);
    assert_int_equal(u, ASW_RATE_COUNT);
    assert_int_equal(asw_quota_parse_rate("100 messages/sec", &u, &v, &e), 0);
    assert_int_equal(u, ASW_RATE_COUNT);
    assert_int_equal(v, 100);
    assert_int_equal(asw_quota_parse_rate("100/min", &u, &v, &e), ASW_E_PARSE);
    assert_int_equal(asw_quota_parse_rate("100", &u, &v, &e), ASW_E_PARSE);
    assert_int_equal(asw_quota_parse_rate("99999999999999GB/s", &u, &v, &e), ASW_E_OVERFLOW);
}

static void ports_and_addresses(void **state)
{
    (void)state;
    uint16_t lo, hi;
    asw_error_t e = {0};
    assert_int_equal(asw_net_parse_ports("443", &lo, &hi, &e), 0);
    assert_true(lo == 443 && hi == 443);
    assert_int_equal(asw_net_parse_ports("8000-8100", &lo, &hi, &e), 0);
    assert_true(lo == 8000 && hi == 8100);
    assert_int_equal(asw_net_parse_ports("*", &lo, &hi, &e), 0);
    assert_true(lo == 1 && hi == 65535);
    assert_int_equal(asw_net_parse_ports("65535", &lo, &hi, &e), 0);
    assert_int_equal(asw_net_parse_ports("65536", &lo, &hi, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_ports("0", &lo, &hi, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_ports("9-8", &lo, &hi, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_ports("", &lo, &hi, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_ports("80-", &lo, &hi, &e), ASW_E_PARSE);

    asw_cidr_t a, r;
    assert_int_equal(asw_net_parse_ip("10.1.2.3", 8, &a, &e), 0);
    assert_false(a.v6);
    assert_true(asw_net_is_private(&a));
    assert_int_equal(asw_net_parse_ip("010.1.2.3", 9, &a, &e), ASW_E_PARSE); /* octal trap */
    assert_int_equal(asw_net_parse_ip("1.2.3", 5, &a, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_ip("1.2.3.256", 9, &a, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_ip("::1", 3, &a, &e), 0);
    assert_true(a.v6 && asw_net_is_private(&a));
    assert_int_equal(asw_net_parse_ip("::", 2, &a, &e), 0);
    assert_true(asw_net_is_private(&a));
    assert_int_equal(asw_net_parse_ip("2001:db8::1", 11, &a, &e), 0);
    assert_false(asw_net_is_private(&a));
    assert_int_equal(asw_net_parse_ip("::ffff:127.0.0.1", 16, &a, &e), 0);
    assert_false(a.v6); /* mapped: stored as IPv4 */
    assert_int_equal(a.addr[0], 127);
    assert_int_equal(asw_net_parse_ip("1:2:3:4:5:6:7:8:9", 17, &a, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_ip("1::2::3", 7, &a, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_ip("fe80::1%eth0", 12, &a, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_cidr("10.0.0.0/8", &r, &e), 0);
    assert_int_equal(asw_net_parse_ip("10.255.0.1", 10, &a, &e), 0);
    assert_true(asw_net_cidr_contains(&r, &a));
    assert_int_equal(asw_net_parse_ip("11.0.0.1", 8, &a, &e), 0);
    assert_false(asw_net_cidr_contains(&r, &a));
    assert_int_equal(asw_net_parse_cidr("10.0.0.1/8", &r, &e), ASW_E_PARSE); /* host bits */
    assert_int_equal(asw_net_parse_cidr("10.0.0.0/33", &r, &e), ASW_E_PARSE);
    assert_int_equal(asw_net_parse_cidr("fd00::/8", &r, &e), 0);
    assert_int_equal(asw_net_parse_cidr("0.0.0.0/0", &r, &e), 0);
}

static void pattern_validation(void **state)
{
    (void)state;
    asw_error_t e = {0};
    assert_int_equal(asw_cap_validate_fs_pattern("/data/**", &e), 0);
    assert_int_equal(asw_cap_validate_fs_pattern("/", &e), 0);
    assert_int_equal(asw_cap_validate_fs_pattern("/a/[abc]*.txt", &e), 0);
    assert_int_equal(asw_cap_validate_fs_pattern("", &e), ASW_E_PARSE); /* empty */
    assert_non_null(strstr(e.msg, "empty"));
    assert_int_equal(asw_cap_validate_fs_pattern("data/*", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_fs_pattern("/a/[abc", &e), ASW_E_PARSE); /* unterminated */
    assert_non_null(strstr(e.msg, "unterminated"));
    assert_int_equal(asw_cap_validate_fs_pattern("/a/[a/b]", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_fs_pattern("/a/x**", &e), ASW_E_PARSE); /* ** not whole */
    assert_int_equal(asw_cap_validate_fs_pattern("/a/**x", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_fs_pattern("/a/../b", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_fs_pattern("/a/./b", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_fs_pattern("/a//b", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_fs_pattern("/a/", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_fs_pattern("/a\\", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_fs_pattern("/**/**/**/**/**", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_host_pattern("*.example.com", &e), 0);
    assert_int_equal(asw_cap_validate_host_pattern("*", &e), 0);
    assert_int_equal(asw_cap_validate_host_pattern("10.0.0.0/8", &e), 0);
    assert_int_equal(asw_cap_validate_host_pattern("", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_host_pattern("a.*.com", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_host_pattern("exa mple.com", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_host_pattern("127.1", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_net_target("[fd00::/8]:443", &e), 0);
    assert_int_equal(asw_cap_validate_net_target("api.example.com:80-90", &e), 0);
    assert_int_equal(asw_cap_validate_net_target("api.example.com", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_net_target("fd00::1:443", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_storage_pattern("component:a:*", &e), 0);
    assert_int_equal(asw_cap_validate_storage_pattern("comp*:x", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_storage_pattern("", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_topic_pattern("sensors/+/temp", &e), 0);
    assert_int_equal(asw_cap_validate_topic_pattern("sensors/#", &e), 0);
    assert_int_equal(asw_cap_validate_topic_pattern("sensors/#/x", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_topic_pattern("sensors/a+", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_topic_pattern("a//b", &e), ASW_E_PARSE);
    assert_int_equal(asw_cap_validate_topic_pattern("", &e), ASW_E_PARSE);
}

static void path_normalisation(void **state)
{
    (void)state;
    char out[ASW_PATH_MAX];
    asw_error_t e = {0};
    static const struct {
        const char *in, *out;
    } ok[] = {
        {"/a/b", "/a/b"},
        {"/a//b/", "/a/b"},
        {"/a/./b/.", "/a/b"},
        {"/a/x/../b", "/a/b"},
        {"/", "/"},
        {"//", "/"},
        {"/a/..", "/"},
        {"/%61/b", "/a/b"},
        {"/a%2fb", "/a/b"},
        {"/a/%2e%2e/b", "/b"},
        {"/a/%2E/b", "/a/b"},
        /* Paths the one-pass fast path must leave to the full passes, or copy unchanged. */
        {"/.hidden", "/.hidden"},
        {"/a/.b/c", "/a/.b/c"},
        {"/a/..b", "/a/..b"},
        {"/a/b.", "/a/b."},
        {"/a/b/", "/a/b"},
        {"/a/b/.", "/a/b"},
        {"/a/.", "/a"},
        {"/abc", "/abc"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(asw_path_normalize(ok[i].in, out, sizeof out, &e), 0);
        assert_string_equal(out, ok[i].out);
    }
    static const char *const bad[] = {
        "a/b",    "",      "/..", "/a/../..", "/%2e%2e", "/a/%2e%2e/%2e%2e", "%2fetc",
        "/a%00b", "/a\nb", "/a%", "/a%2",     "/a%zz",   "/a/%252e%252e",    "/a/%2e%2e%2f%2e%2e",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(asw_path_normalize(bad[i], out, sizeof out, &e), ASW_E_DENIED);
    assert_int_equal(asw_path_normalize("/abcdef", out, 4, &e), ASW_E_OVERFLOW);
    assert_int_equal(asw_path_normalize("/abc", out, 4, &e), ASW_E_OVERFLOW); /* NUL: no room */
    assert_int_equal(asw_path_normalize("/ab", out, 4, &e), 0);               /* exactly fits */
    assert_string_equal(out, "/ab");
}

static void glob_matching(void **state)
{
    (void)state;
    assert_true(asw_path_glob_match("/data/*.txt", "/data/a.txt"));
    assert_false(asw_path_glob_match("/data/*.txt", "/data/sub/a.txt")); /* '*' stops at '/' */
    assert_false(asw_path_glob_match("/data/*", "/data"));
    assert_true(asw_path_glob_match("/data/?.txt", "/data/a.txt"));
    assert_false(asw_path_glob_match("/data/?.txt", "/data/ab.txt"));
    assert_false(asw_path_glob_match("/a?b", "/a/b")); /* '?' never matches '/' */
    assert_true(asw_path_glob_match("/data/**", "/data"));
    assert_true(asw_path_glob_match("/data/**", "/data/x/y/z"));
    assert_false(asw_path_glob_match("/data/**", "/database"));
    assert_true(asw_path_glob_match("/data/**/log", "/data/log"));
    assert_true(asw_path_glob_match("/data/**/log", "/data/a/b/log"));
    assert_false(asw_path_glob_match("/data/**/log", "/data/a/b/log2"));
    assert_true(asw_path_glob_match("/a/[abc]", "/a/b"));
    assert_false(asw_path_glob_match("/a/[abc]", "/a/d"));
    assert_true(asw_path_glob_match("/a/[!abc]", "/a/d"));
    assert_true(asw_path_glob_match("/a/[a-c]x", "/a/bx"));
    assert_false(asw_path_glob_match("/a/[a-c]x", "/a/dx"));
    assert_true(asw_path_glob_match("/a/\\*", "/a/*"));
    assert_false(asw_path_glob_match("/a/\\*", "/a/b"));
    assert_true(asw_path_glob_match("/**", "/"));
    assert_true(asw_path_glob_match("/", "/"));
    assert_false(asw_path_glob_match("/", "/a"));
    assert_true(asw_path_glob_match("/*a*b*c", "/xaxbxc"));
    assert_false(asw_path_glob_match("/*a*b*c", "/xaxbx"));
    /* Unterminated class reaching the matcher directly: no match, no crash. */
    assert_false(asw_path_glob_match("/a/[bc", "/a/b"));
}

static void fs_checks(void **state)
{
    (void)state;
    static const char *const caps[] = {"fs read,list /data/**", "fs write /data/out/*.log",
                                       "fs read /etc/hosts", "deny fs read /data/secret/**", NULL};
    asw_capset_t *s = mkset("a", caps);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/x/y", ASW_PERM_READ), ASW_OK);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/x/y", ASW_PERM_WRITE), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/out/a.log", ASW_PERM_WRITE), ASW_OK);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/out/sub/a.log", ASW_PERM_WRITE), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "/etc/hosts", ASW_PERM_READ), ASW_OK);
    assert_int_equal(chk(s, ASW_CAP_FS, "/etc/passwd", ASW_PERM_READ), ASW_E_DENIED);
    /* Deny wins over the broader allow. */
    asw_cap_decision_t d;
    assert_int_equal(asw_capset_check(s, ASW_CAP_FS, "/data/secret/k", ASW_PERM_READ, &d),
                     ASW_E_DENIED);
    assert_string_equal(d.reason, "denied by an explicit deny entry");
    assert_string_equal(d.rule, "/data/secret/**");
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/secret", ASW_PERM_READ), ASW_E_DENIED);
    /* Traversal and encodings. */
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/../etc/passwd", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/%2e%2e/etc/passwd", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data%2f..%2fetc/passwd", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/x/../secret/k", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data//secret/k", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/./secret/k", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "/data/%73ecret/k", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "data/x", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "/../../data/x", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_FS, "//data//x//", ASW_PERM_READ), ASW_OK);
    /* Bad permissions for the kind are caller errors. */
    assert_int_equal(asw_capset_check(s, ASW_CAP_FS, "/data/x", ASW_PERM_CONNECT, &d),
                     ASW_E_INVALID);
    assert_int_equal(asw_capset_check(s, ASW_CAP_FS, "/data/x", ASW_PERM_READ | ASW_PERM_WRITE, &d),
                     ASW_E_INVALID);
    asw_capset_free(s);
    /* An empty set denies everything. */
    s = mkset(NULL, NULL);
    assert_int_equal(chk(s, ASW_CAP_FS, "/", ASW_PERM_READ), ASW_E_DENIED);
    asw_capset_free(s);
}

static void symlink_escape(void **state)
{
    (void)state;
    char root[PATH_MAX], p[PATH_MAX + 64], q[PATH_MAX + 64];
    assert_int_equal(asw_test_tmpdir_new(root, sizeof root, "sec"), 0);
    snprintf(p, sizeof p, "%s/granted", root);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/secret", root);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/granted/out", root);
    snprintf(q, sizeof q, "%s/secret", root);
    assert_int_equal(symlink(q, p), 0); /* absolute link out of the tree */
    snprintf(p, sizeof p, "%s/granted/rel", root);
    assert_int_equal(symlink("../secret", p), 0); /* relative link out */
    snprintf(p, sizeof p, "%s/granted/inner", root);
    assert_int_equal(symlink("sub", p), 0); /* link staying inside */
    snprintf(p, sizeof p, "%s/granted/sub", root);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/granted/loop", root);
    assert_int_equal(symlink("loop", p), 0);

    asw_capset_t *s = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_capset_new(NULL, &s, &e), 0);
    char pat[PATH_MAX + 64];
    snprintf(pat, sizeof pat, "%s/granted/**", root);
    asw_cap_spec_t spec = {.kind = ASW_CAP_FS, .perms = ASW_PERM_READ, .pattern = pat};
    assert_int_equal(asw_capset_add(s, &spec, &e), 0);

    char res[ASW_PATH_MAX];
    asw_cap_decision_t d;
    snprintf(p, sizeof p, "%s/granted/sub/file", root);
    assert_int_equal(asw_capset_check_path(s, p, ASW_PERM_READ, res, sizeof res, &d, &e), 0);
    snprintf(p, sizeof p, "%s/granted/inner/file", root);
    assert_int_equal(asw_capset_check_path(s, p, ASW_PERM_READ, res, sizeof res, &d, &e), 0);
    snprintf(q, sizeof q, "%s/granted/sub/file", root);
    assert_string_equal(res, q);
    /* The lexical check grants these; the resolved check does not. */
    snprintf(p, sizeof p, "%s/granted/out/key", root);
    assert_int_equal(asw_capset_check(s, ASW_CAP_FS, p, ASW_PERM_READ, &d), ASW_OK);
    assert_int_equal(asw_capset_check_path(s, p, ASW_PERM_READ, res, sizeof res, &d, &e),
                     ASW_E_DENIED);
    snprintf(q, sizeof q, "%s/secret/key", root);
    assert_string_equal(res, q);
    assert_non_null(strstr(e.msg, "resolved to"));
    snprintf(p, sizeof p, "%s/granted/rel/key", root);
    assert_int_equal(asw_capset_check_path(s, p, ASW_PERM_READ, res, sizeof res, &d, &e),
                     ASW_E_DENIED);
    assert_string_equal(res, q);
    snprintf(p, sizeof p, "%s/granted/loop/x", root);
    assert_int_equal(asw_capset_check_path(s, p, ASW_PERM_READ, NULL, 0, &d, &e), ASW_E_DENIED);
    assert_non_null(strstr(e.msg, "too many symbolic links"));
    snprintf(p, sizeof p, "%s/granted/../secret/x", root);
    assert_int_equal(asw_capset_check_path(s, p, ASW_PERM_READ, NULL, 0, &d, &e), ASW_E_DENIED);
    asw_capset_free(s);
    assert_int_equal(asw_test_tmpdir_remove(root), 0);
}

static void net_checks(void **state)
{
    (void)state;
    static const char *const caps[] = {"net connect *.example.com:443",
                                       "net connect api.test.org:8000-8100",
                                       "net connect *:80",
                                       "net connect 192.168.1.0/24:5432",
                                       "net connect [2001:db8::/32]:*",
                                       "net listen 8080",
                                       "deny net connect evil.example.com:443",
                                       NULL};
    asw_capset_t *s = mkset(NULL, caps);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "a.example.com:443", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "A.B.Example.COM:443", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "a.example.com.:443", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "example.com:443", ASW_PERM_CONNECT),
                     ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "a.example.com:444", ASW_PERM_CONNECT),
                     ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "evil.example.com:443", ASW_PERM_CONNECT),
                     ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "notexample.com:443", ASW_PERM_CONNECT),
                     ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "api.test.org:8100", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "api.test.org:8101", ASW_PERM_CONNECT),
                     ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "anything.net:80", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "8.8.8.8:80", ASW_PERM_CONNECT), 0);
    /* '*' does not reach private or loopback space. */
    asw_cap_decision_t d;
    assert_int_equal(asw_capset_check(s, ASW_CAP_NET_CONNECT, "127.0.0.1:80", ASW_PERM_CONNECT, &d),
                     ASW_E_DENIED);
    assert_string_equal(d.reason, "private or loopback address needs an explicit grant");
    static const char *const priv[] = {
        "10.0.0.1:80",           "localhost:80",        "db.localhost:80", "[::1]:80",
        "[::ffff:127.0.0.1]:80", "169.254.169.254:80",  "[fe80::1]:80",    "0.0.0.0:80",
        "[::ffff:10.0.0.1]:80",  "[64:ff9b::a00:1]:80", "172.16.0.1:80"};
    for (size_t i = 0; i < sizeof priv / sizeof priv[0]; i++)
        assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, priv[i], ASW_PERM_CONNECT), ASW_E_DENIED);
    /* Numeric host tricks that resolvers read as addresses are refused. */
    static const char *const tricks[] = {
        "127.1:80",   "2130706433:80", "0x7f.0.0.1:80", "0177.0.0.1:80", "a.0x7f:80", "host:0",
        "host:65536", "host",          ":80",           "fd00::1:80",    "ho st:80"};
    for (size_t i = 0; i < sizeof tricks / sizeof tricks[0]; i++)
        assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, tricks[i], ASW_PERM_CONNECT), ASW_E_DENIED);
    /* An explicit private CIDR grants its range. */
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "192.168.1.7:5432", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "192.168.2.7:5432", ASW_PERM_CONNECT),
                     ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "[2001:db8::5]:22", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "[2001:db9::5]:22", ASW_PERM_CONNECT),
                     ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_LISTEN, "8080", ASW_PERM_LISTEN), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_LISTEN, "8081", ASW_PERM_LISTEN), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_LISTEN, "*", ASW_PERM_LISTEN), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_LISTEN, "8080-8081", ASW_PERM_LISTEN), ASW_E_DENIED);
    asw_capset_free(s);

    /* 0.0.0.0/0 is not an explicit grant of private space; localhost and 127.0.0.0/8 are. */
    static const char *const caps2[] = {"net connect 0.0.0.0/0:*", "net connect localhost:9000",
                                        "net connect 127.0.0.0/8:6379", NULL};
    s = mkset(NULL, caps2);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "1.2.3.4:1", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "10.0.0.1:1", ASW_PERM_CONNECT), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "localhost:9000", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "127.0.0.1:6379", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "[::ffff:127.0.0.1]:6379", ASW_PERM_CONNECT), 0);
    assert_int_equal(chk(s, ASW_CAP_NET_CONNECT, "127.0.0.1:6380", ASW_PERM_CONNECT), ASW_E_DENIED);
    asw_capset_free(s);
}

static void storage_across_components(void **state)
{
    (void)state;
    static const char *const caps[] = {"storage read,write component:{self}:*",
                                       "storage read shared:config", NULL};
    asw_capset_t *a = mkset("alpha", caps);
    asw_capset_t *b = mkset("beta", caps);
    assert_int_equal(chk(a, ASW_CAP_STORAGE, "component:alpha:k", ASW_PERM_WRITE), 0);
    assert_int_equal(chk(a, ASW_CAP_STORAGE, "component:beta:k", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(b, ASW_CAP_STORAGE, "component:alpha:k", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(a, ASW_CAP_STORAGE, "component:alphabet:k", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(a, ASW_CAP_STORAGE, "component:alpha:k", ASW_PERM_DELETE), ASW_E_DENIED);
    assert_int_equal(chk(a, ASW_CAP_STORAGE, "shared:config", ASW_PERM_READ), 0);
    assert_int_equal(chk(a, ASW_CAP_STORAGE, "shared:config2", ASW_PERM_READ), ASW_E_DENIED);
    assert_int_equal(chk(a, ASW_CAP_STORAGE, "", ASW_PERM_READ), ASW_E_DENIED);
    asw_cap_spec_t sp;
    assert_int_equal(asw_capset_get(a, 0, &sp), 0);
    assert_string_equal(sp.pattern, "component:alpha:*");
    asw_capset_free(a);
    asw_capset_free(b);
    /* A component id cannot carry wildcards into its own namespace. */
    asw_capset_t *s = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_capset_new("x:*", &s, &e), ASW_E_INVALID);
    assert_int_equal(asw_capset_new("", &s, &e), ASW_E_INVALID);
    assert_int_equal(asw_capset_new(NULL, &s, &e), 0);
    assert_int_equal(asw_capset_add_text(s, "storage read component:{self}:*", &e), ASW_E_INVALID);
    asw_capset_free(s);
}

static void messaging_and_custom(void **state)
{
    (void)state;
    static const char *const caps[] = {"msg send sensors/+/temp",
                                       "msg receive alerts/#",
                                       "msg send,receive peer-b",
                                       "custom use gpio pin=4 mode=*",
                                       "custom use clock",
                                       "deny custom use gpio pin=13",
                                       NULL};
    asw_capset_t *s = mkset("a", caps);
    assert_int_equal(chk(s, ASW_CAP_MSG, "sensors/room1/temp", ASW_PERM_SEND), 0);
    assert_int_equal(chk(s, ASW_CAP_MSG, "sensors/room1/x/temp", ASW_PERM_SEND), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_MSG, "sensors/room1/temp", ASW_PERM_RECEIVE), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_MSG, "alerts", ASW_PERM_RECEIVE), 0);
    assert_int_equal(chk(s, ASW_CAP_MSG, "alerts/a/b/c", ASW_PERM_RECEIVE), 0);
    assert_int_equal(chk(s, ASW_CAP_MSG, "alertsx", ASW_PERM_RECEIVE), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_MSG, "peer-b", ASW_PERM_SEND), 0);
    assert_int_equal(chk(s, ASW_CAP_MSG, "peer-c", ASW_PERM_SEND), ASW_E_DENIED);
    /* Wildcards in a request are not wildcards. */
    assert_int_equal(chk(s, ASW_CAP_MSG, "sensors/+/temp", ASW_PERM_SEND), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_MSG, "alerts/#", ASW_PERM_RECEIVE), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_MSG, "sensors//temp", ASW_PERM_SEND), ASW_E_DENIED);

    const char *p1[] = {"pin=4", "mode=out"};
    const char *p2[] = {"pin=5"};
    const char *p3[] = {"pin=13"};
    const char *p4[] = {"speed=9"};
    asw_cap_decision_t d;
    assert_int_equal(asw_capset_check_custom(s, "gpio", p1, 2, &d), 0);
    assert_int_equal(asw_capset_check_custom(s, "gpio", p1, 1, &d), 0);
    assert_int_equal(asw_capset_check_custom(s, "gpio", p2, 1, &d), ASW_E_DENIED);
    assert_int_equal(asw_capset_check_custom(s, "gpio", p3, 1, &d), ASW_E_DENIED);
    assert_string_equal(d.reason, "denied by an explicit deny entry");
    assert_int_equal(asw_capset_check_custom(s, "gpio", p4, 1, &d), ASW_E_DENIED);
    assert_int_equal(asw_capset_check_custom(s, "clock", NULL, 0, &d), 0);
    assert_int_equal(asw_capset_check_custom(s, "clock", p2, 1, &d), ASW_E_DENIED);
    assert_int_equal(asw_capset_check_custom(s, "other", NULL, 0, &d), ASW_E_DENIED);
    assert_int_equal(chk(s, ASW_CAP_CUSTOM, "clock", ASW_PERM_USE), 0);
    asw_capset_free(s);
}

static void text_form_and_errors(void **state)
{
    (void)state;
    asw_capset_t *s = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_capset_new("me", &s, &e), 0);
    static const char *const good[] = {"fs read,list /data/**",
                                       "deny fs write /etc/**",
                                       "net connect *.example.com:443",
                                       "net listen 8000-8010",
                                       "storage read,write,delete component:me:*",
                                       "msg send,receive t/+",
                                       "custom use gpio pin=4"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(asw_capset_add_text(s, good[i], &e), 0);
        char buf[256];
        int n = asw_capset_format(s, i, buf, sizeof buf);
        assert_int_equal(n, (int)strlen(good[i]));
        assert_string_equal(buf, good[i]);
    }
    char small[8];
    assert_int_equal(asw_capset_format(s, 0, small, sizeof small), 21);
    assert_string_equal(small, "fs read");
    assert_int_equal(asw_capset_format(s, 99, small, sizeof small), ASW_E_NOT_FOUND);
    static const char *const bad[] = {"",
                                      "fs",
                                      "fs read",
                                      "fs fly /x",
                                      "disk read /x",
                                      "net connect,listen x:1",
                                      "fs read relative/x",
                                      "fs connect /x",
                                      "storage read a*b",
                                      "custom use",
                                      "custom use x notkv",
                                      "custom use x =v",
                                      "fs read /x extra=1",
                                      "msg send #/a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t before = asw_capset_count(s);
        assert_int_not_equal(asw_capset_add_text(s, bad[i], &e), 0);
        assert_true(e.msg[0] != '\0');
        assert_int_equal(asw_capset_count(s), before);
    }
    asw_cap_spec_t spec = {.kind = (asw_cap_kind_t)99, .perms = 1, .pattern = "/x"};
    assert_int_equal(asw_capset_add(s, &spec, &e), ASW_E_INVALID);
    spec.kind = ASW_CAP_FS;
    spec.perms = 0;
    assert_int_equal(asw_capset_add(s, &spec, &e), ASW_E_INVALID);
    spec.perms = ASW_PERM_READ;
    spec.pattern = NULL;
    assert_int_equal(asw_capset_add(s, &spec, &e), ASW_E_INVALID);
    asw_capset_free(s);
}

static void inflation_check(void **state)
{
    (void)state;
    static const char *const req[] = {"fs read,write /data/**", "net connect *.example.com:443",
                                      "deny fs read /data/secret/**", NULL};
    asw_capset_t *r = mkset("c", req);
    static const char *const fewer[] = {"fs read /data/**", "deny fs read /data/secret/**",
                                        "deny fs write /data/tmp/**", NULL};
    asw_capset_t *g = mkset("c", fewer);
    assert_true(asw_capset_is_subset(g, r));
    assert_true(asw_capset_is_subset(r, r));
    asw_capset_free(g);
    static const char *const more_perm[] = {"fs read,write,delete /data/**",
                                            "deny fs read /data/secret/**", NULL};
    g = mkset("c", more_perm);
    assert_false(asw_capset_is_subset(g, r));
    asw_capset_free(g);
    static const char *const wider[] = {"fs read /**", "deny fs read /data/secret/**", NULL};
    g = mkset("c", wider);
    assert_false(asw_capset_is_subset(g, r));
    asw_capset_free(g);
    static const char *const new_kind[] = {"net listen 80", "deny fs read /data/secret/**", NULL};
    g = mkset("c", new_kind);
    assert_false(asw_capset_is_subset(g, r));
    asw_capset_free(g);
    static const char *const dropped_deny[] = {"fs read /data/**", NULL};
    g = mkset("c", dropped_deny);
    assert_false(asw_capset_is_subset(g, r));
    asw_capset_free(g);
    asw_capset_free(r);
}

static void allocation_failures(void **state)
{
    (void)state;
    static const char *const caps[] = {"fs read /a/**", "net connect *:443", "storage read k",
                                       "msg send t",    "custom use x a=1",  NULL};
    for (unsigned long n = 1;; n++) {
        asw_test_alloc_install(n, 0);
        asw_capset_t *s = NULL;
        asw_error_t e = {0};
        int rc = asw_capset_new("id", &s, &e);
        for (const char *const *l = caps; !rc && *l; l++)
            rc = asw_capset_add_text(s, *l, &e);
        if (!rc) assert_int_equal(chk(s, ASW_CAP_FS, "/a/b", ASW_PERM_READ), 0);
        asw_capset_free(s);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (!rc) break;
        assert_int_equal(rc, ASW_E_NOMEM);
        assert_true(n < 100);
    }
}

/* A set with more than ASW__CAP_FS_INDEX_MIN (8) filesystem entries is indexed by literal
 * prefix; its answers (grant, and the rule reported) must equal those of the same relevant
 * entries in a small, scanned set, whatever unrelated entries pad it. */
static void fs_index_matches_scan(void **state)
{
    (void)state;
    static const char *const relevant[] = {
        "fs read /srv/data/**/log",
        "fs read,write /srv/**",
        "deny fs write /srv/data/secret",
        "fs read /etc/hosts",
        "fs read /*",
        "deny fs read /srv/data/*/x",
        "fs read /srv/data",
        "fs read /srv/d?ta/[a-c]*",
    };
    static const char *const paths[] = {
        "/srv/data/a/b/log",
        "/srv/data/secret",
        "/srv/data/z/x",
        "/srv/data",
        "/etc/hosts",
        "/etc/hosts2",
        "/etc",
        "/",
        "/srv",
        "/srv/dota/beta",
        "/srv/data/b",
        "/other/x",
        "/srv/data/a/x",
        "/srv/data/log",
    };
    static const uint32_t perms[] = {ASW_PERM_READ, ASW_PERM_WRITE};
    for (int pad = 0; pad <= 40; pad += 5) {
        asw_capset_t *small = NULL, *big = NULL;
        assert_int_equal(asw_capset_new(NULL, &small, NULL), 0);
        assert_int_equal(asw_capset_new(NULL, &big, NULL), 0);
        for (int i = 0; i < pad; i++) { /* unrelated entries, interleaved */
            char line[64];
            snprintf(line, sizeof line, "fs read /pad%02d/**", i);
            assert_int_equal(asw_capset_add_text(big, line, NULL), 0);
            if (i % 7 == 0)
                assert_int_equal(asw_capset_add_text(big, "net connect *:443", NULL), 0);
        }
        for (size_t i = 0; i < sizeof relevant / sizeof relevant[0]; i++) {
            assert_int_equal(asw_capset_add_text(small, relevant[i], NULL), 0);
            assert_int_equal(asw_capset_add_text(big, relevant[i], NULL), 0);
        }
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
            for (size_t k = 0; k < 2; k++) {
                asw_cap_decision_t ds, db;
                int rs = asw_capset_check(small, ASW_CAP_FS, paths[i], perms[k], &ds);
                int rb = asw_capset_check(big, ASW_CAP_FS, paths[i], perms[k], &db);
                assert_int_equal(rs, rb);
                assert_int_equal(ds.granted, db.granted);
                if (ds.rule) {
                    assert_non_null(db.rule);
                    assert_string_equal(ds.rule, db.rule);
                } else {
                    assert_null(db.rule);
                }
            }
        /* A padding entry is found through the index too. */
        if (pad) assert_int_equal(chk(big, ASW_CAP_FS, "/pad00/q", ASW_PERM_READ), 0);
        asw_capset_free(small);
        asw_capset_free(big);
    }
    /* Allocation failure while building the index leaves the set usable and leak-free. */
    for (unsigned long n = 1;; n++) {
        asw_test_alloc_install(n, 0);
        asw_capset_t *s = NULL;
        int rc = asw_capset_new(NULL, &s, NULL);
        for (int i = 0; !rc && i < 12; i++) {
            char line[64];
            snprintf(line, sizeof line, "fs read /v%02d/**", i);
            rc = asw_capset_add_text(s, line, NULL);
        }
        if (s) {
            size_t cnt = asw_capset_count(s);
            if (cnt) assert_int_equal(chk(s, ASW_CAP_FS, "/v00/a", ASW_PERM_READ), 0);
            assert_int_equal(chk(s, ASW_CAP_FS, "/v11/a", ASW_PERM_READ),
                             cnt == 12 ? 0 : ASW_E_DENIED);
        }
        asw_capset_free(s);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (!rc) break;
        assert_int_equal(rc, ASW_E_NOMEM);
        assert_true(n < 200);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes_and_rates),
        cmocka_unit_test(ports_and_addresses),
        cmocka_unit_test(pattern_validation),
        cmocka_unit_test(path_normalisation),
        cmocka_unit_test(glob_matching),
        cmocka_unit_test(fs_checks),
        cmocka_unit_test(symlink_escape),
        cmocka_unit_test(net_checks),
        cmocka_unit_test(storage_across_components),
        cmocka_unit_test(messaging_and_custom),
        cmocka_unit_test(text_form_and_errors),
        cmocka_unit_test(inflation_check),
        cmocka_unit_test(allocation_failures),
        cmocka_unit_test(fs_index_matches_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
