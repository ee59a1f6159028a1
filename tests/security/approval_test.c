/*
 * tests/security/approval_test.c -- the approval workflow and the security manager: unknown
 * components wait, trusted ones are approved automatically, dev mode bypasses loudly,
 * decisions persist and are reused, state transitions are enforced, capability inflation at
 * approval is rejected, the review queue is bounded; the manager checks, audits and counts
 * quota, and keeps one component out of another's storage.
 */
#include "testlib.h"

#include "airssys/security.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return asw_test_tmpdir_new(dir, sizeof dir, "appr");
}

static int teardown(void **state)
{
    (void)state;
    return asw_test_tmpdir_remove(dir);
}

static const char *file(const char *name)
{
    return asw_test_path_in(dir, name);
}

static asw_capset_t *caps(const char *const *lines)
{
    asw_capset_t *s = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_capset_new(NULL, &s, &e), 0);
    for (; *lines; lines++)
        assert_int_equal(asw_capset_add_text(s, *lines, &e), 0);
    return s;
}

typedef struct {
    int n;
    char last[65];
} list_acc;

static int on_list(void *ud, const asw_approval_info_t *i)
{
    list_acc *a = ud;
    a->n++;
    memcpy(a->last, i->id, sizeof a->last);
    return 0;
}

static int count_kind(void *ud, const asw_audit_entry_t *e)
{
    if (!strcmp(e->kind, "approval")) (*(int *)ud)++;
    return 0;
}

static void workflow(void **state)
{
    (void)state;
    asw_error_t e = {0};
    asw_audit_config_t ac = {.path = file("audit.log")};
    asw_audit_t *audit = NULL;
    assert_int_equal(asw_audit_open(&ac, &audit, &e), 0);
    asw_approval_store_t *st = NULL;
    assert_int_equal(asw_approval_store_open(file("store"), 4, audit, &st, &e), 0);

    static const char *const req_lines[] = {"fs read,write /data/**",
                                            "net connect api.example.com:443",
                                            "deny fs read /data/secret/**", NULL};
    asw_capset_t *req = caps(req_lines);
    uint8_t mh[32];
    asw_sha256("module", 6, mh);
    asw_approval_request_t r = {"comp-a", mh, "/opt/x.wasm", ASW_TRUST_UNKNOWN, req};
    char id[ASW_APPROVAL_ID_LEN + 1];
    asw_capset_t *granted = NULL;
    assert_int_equal(asw_approval_submit(st, &r, id, &granted, &e), ASW_E_PENDING);
    assert_null(granted);
    assert_int_equal(strlen(id), 64);
    /* Submitting again finds the same pending request (same id). */
    char id2[ASW_APPROVAL_ID_LEN + 1];
    assert_int_equal(asw_approval_submit(st, &r, id2, &granted, &e), ASW_E_PENDING);
    assert_string_equal(id, id2);

    asw_approval_info_t *info = NULL;
    char prefix[9];
    memcpy(prefix, id, 8);
    prefix[8] = '\0';
    assert_int_equal(asw_approval_get(st, prefix, &info, &e), 0);
    assert_int_equal(info->state, ASW_APPROVAL_PENDING);
    assert_int_equal(info->nrequested, 3);
    assert_string_equal(info->component, "comp-a");
    asw_approval_info_free(info);
    assert_int_equal(asw_approval_get(st, "1234", &info, &e), ASW_E_INVALID);
    assert_int_equal(asw_approval_get(st, "ffffffffffff", &info, &e), ASW_E_NOT_FOUND);

    /* Inflation at approval is rejected; the request stays open. */
    static const char *const more[] = {"fs read,write,delete /data/**",
                                       "deny fs read /data/secret/**", NULL};
    asw_capset_t *g = caps(more);
    assert_int_equal(asw_approval_approve(st, id, "alice", g, &e), ASW_E_DENIED);
    assert_non_null(strstr(e.msg, "capability inflation"));
    asw_capset_free(g);
    static const char *const other[] = {"fs read /etc/**", "deny fs read /data/secret/**", NULL};
    g = caps(other);
    assert_int_equal(asw_approval_approve(st, id, "alice", g, &e), ASW_E_DENIED);
    asw_capset_free(g);
    static const char *const nodeny[] = {"fs read /data/**", NULL};
    g = caps(nodeny);
    assert_int_equal(asw_approval_approve(st, id, "alice", g, &e), ASW_E_DENIED);
    asw_capset_free(g);

    assert_int_equal(asw_approval_review(st, id, "alice", &e), 0);
    assert_int_equal(asw_approval_review(st, id, "alice", &e), ASW_E_STATE);
    assert_int_equal(asw_approval_submit(st, &r, NULL, &granted, &e), ASW_E_PENDING);
    /* Grant fewer: read only, keeping the deny entry. */
    static const char *const fewer[] = {"fs read /data/**", "deny fs read /data/secret/**", NULL};
    g = caps(fewer);
    assert_int_equal(asw_approval_approve(st, id, "alice", g, &e), 0);
    asw_capset_free(g);
    assert_int_equal(asw_approval_deny(st, id, "bob", "too late", &e), ASW_E_STATE);

    /* Reuse after a restart: a new store object reads the decision from disk. */
    asw_approval_store_close(st);
    assert_int_equal(asw_approval_store_open(file("store"), 4, audit, &st, &e), 0);
    assert_int_equal(asw_approval_submit(st, &r, NULL, &granted, &e), 0);
    assert_non_null(granted);
    assert_int_equal(asw_capset_count(granted), 2);
    assert_int_equal(asw_capset_check(granted, ASW_CAP_FS, "/data/a", ASW_PERM_READ, NULL), 0);
    assert_int_equal(asw_capset_check(granted, ASW_CAP_FS, "/data/a", ASW_PERM_WRITE, NULL),
                     ASW_E_DENIED);
    assert_int_equal(asw_capset_check(granted, ASW_CAP_FS, "/data/secret/k", ASW_PERM_READ, NULL),
                     ASW_E_DENIED);
    asw_capset_free(granted);

    /* Asking for more is a new request (a different id). */
    static const char *const bigger[] = {"fs read,write /data/**", "net listen 80", NULL};
    asw_capset_t *req2 = caps(bigger);
    r.requested = req2;
    assert_int_equal(asw_approval_submit(st, &r, id2, &granted, &e), ASW_E_PENDING);
    assert_string_not_equal(id, id2);
    assert_int_equal(asw_approval_deny(st, id2, "bob", "no listening", &e), 0);
    assert_int_equal(asw_approval_submit(st, &r, NULL, &granted, &e), ASW_E_DENIED);
    assert_non_null(strstr(e.msg, "no listening"));
    assert_int_equal(asw_approval_approve(st, id2, "alice", NULL, &e), ASW_E_STATE);

    /* Trusted: approved automatically and stored. */
    uint8_t mh2[32];
    asw_sha256("trusted module", 14, mh2);
    asw_approval_request_t tr = {"comp-t", mh2, "/opt/t.wasm", ASW_TRUST_TRUSTED, req};
    assert_int_equal(asw_approval_submit(st, &tr, id2, &granted, &e), 0);
    assert_int_equal(asw_capset_count(granted), 3);
    asw_capset_free(granted);
    assert_int_equal(asw_approval_get(st, id2, &info, &e), 0);
    assert_int_equal(info->state, ASW_APPROVAL_APPROVED);
    assert_string_equal(info->approver, "auto:trusted");
    asw_approval_info_free(info);

    /* Dev mode: bypassed, not stored. */
    uint8_t mh3[32];
    asw_sha256("dev module", 10, mh3);
    asw_approval_request_t dr = {"comp-d", mh3, "/home/dev/d.wasm", ASW_TRUST_DEV, req};
    assert_int_equal(asw_approval_submit(st, &dr, id2, &granted, &e), 0);
    asw_capset_free(granted);
    assert_int_equal(asw_approval_get(st, id2, &info, &e), ASW_E_NOT_FOUND);

    list_acc acc = {0};
    assert_int_equal(asw_approval_list(st, on_list, &acc, &e), 0);
    assert_int_equal(acc.n, 3);

    /* The bounded review queue: 4 open requests at most. */
    int pending = 0, full = 0;
    for (int i = 0; i < 6; i++) {
        uint8_t h[32];
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        asw_sha256(name, strlen(name), h);
        asw_approval_request_t q = {"comp-q", h, name, ASW_TRUST_UNKNOWN, req};
        int rc = asw_approval_submit(st, &q, NULL, &granted, &e);
        pending += rc == ASW_E_PENDING;
        full += rc == ASW_E_FULL;
    }
    assert_int_equal(pending, 4);
    assert_int_equal(full, 2);

    asw_approval_store_close(st);
    asw_capset_free(req);
    asw_capset_free(req2);
    asw_audit_close(audit);
    int n = 0;
    assert_int_equal(asw_audit_scan(file("audit.log"), NULL, NULL, count_kind, &n, NULL, &e), 0);
    assert_true(n >= 12);
    n = 0;
    assert_int_equal(
        asw_audit_scan(file("audit.log"), "comp-d", "bypassed", count_kind, &n, NULL, &e), 0);
    assert_int_equal(n, 1);
}

static void corrupt_store(void **state)
{
    (void)state;
    asw_error_t e = {0};
    asw_approval_store_t *st = NULL;
    assert_int_equal(asw_approval_store_open(file("store2"), 0, NULL, &st, &e), 0);
    char p[256];
    snprintf(p, sizeof p, "%s/store2/%s.json", dir,
             "00000000000000000000000000000000000000000000000000000000000000aa");
    FILE *f = fopen(p, "w");
    fputs("{\"state\":\"approved\"", f);
    fclose(f);
    asw_approval_info_t *info;
    assert_int_equal(asw_approval_get(st,
                                      "00000000000000000000000000000000000000000000000000000000"
                                      "000000aa",
                                      &info, &e),
                     ASW_E_PARSE);
    list_acc acc = {0};
    assert_int_equal(asw_approval_list(st, on_list, &acc, &e), 0);
    assert_int_equal(acc.n, 0);
    asw_approval_store_close(st);
    assert_int_equal(asw_approval_store_open(p, 0, NULL, &st, &e), ASW_E_IO);
}

static void manager(void **state)
{
    (void)state;
    asw_error_t e = {0};
    asw_audit_config_t ac = {.path = file("mgr.log")};
    asw_audit_t *audit = NULL;
    assert_int_equal(asw_audit_open(&ac, &audit, &e), 0);
    asw_sec_t *sec = NULL;
    assert_int_equal(asw_sec_new(audit, &sec, &e), 0);
    asw_capset_t *a = NULL, *b = NULL;
    assert_int_equal(asw_capset_new("a", &a, &e), 0);
    assert_int_equal(asw_capset_add_text(a, "storage read,write component:{self}:*", &e), 0);
    assert_int_equal(asw_capset_new("b", &b, &e), 0);
    assert_int_equal(asw_capset_add_text(b, "storage read,write component:{self}:*", &e), 0);
    asw_quota_limits_t lim = {{100, 0, 0, 0, 0}};
    asw_sec_ctx_t *ca = NULL;
    assert_int_equal(asw_sec_register(sec, "a", a, &lim, &ca, &e), 0);
    assert_int_equal(asw_sec_register(sec, "b", b, NULL, NULL, &e), 0);
    asw_capset_t *dup = NULL;
    assert_int_equal(asw_capset_new(NULL, &dup, &e), 0);
    assert_int_equal(asw_sec_register(sec, "a", dup, NULL, NULL, &e), ASW_E_EXISTS);
    asw_capset_free(dup); /* still ours: registration failed */
    assert_ptr_equal(asw_sec_lookup(sec, "a"), ca);
    assert_string_equal(asw_sec_id(ca), "a");
    assert_true(asw_sec_context_bytes(ca) > 0);

    asw_cap_decision_t d;
    assert_int_equal(asw_sec_check(ca, ASW_CAP_STORAGE, "component:a:x", ASW_PERM_WRITE, &d), 0);
    assert_int_equal(
        asw_sec_check_id(sec, "a", ASW_CAP_STORAGE, "component:b:x", ASW_PERM_READ, &d),
        ASW_E_DENIED);
    assert_int_equal(
        asw_sec_check_id(sec, "b", ASW_CAP_STORAGE, "component:b:x", ASW_PERM_READ, &d), 0);
    assert_int_equal(
        asw_sec_check_id(sec, "ghost", ASW_CAP_STORAGE, "component:b:x", ASW_PERM_READ, &d),
        ASW_E_DENIED);
    assert_string_equal(d.reason, "component is not registered");
    asw_quota_violation_t v;
    assert_int_equal(asw_sec_consume(ca, ASW_QUOTA_STORAGE, 100, 0, &v), 0);
    assert_int_equal(asw_sec_consume(ca, ASW_QUOTA_STORAGE, 1, 0, &v), ASW_E_QUOTA);
    assert_int_equal(v.current, 100);
    assert_int_equal(asw_sec_unregister(sec, "b"), 0);
    assert_int_equal(asw_sec_unregister(sec, "b"), ASW_E_NOT_FOUND);
    asw_sec_free(sec);
    asw_audit_close(audit);

    /* Four capability decisions and one quota violation were audited. */
    struct {
        int cap, quota;
    } k = {0, 0};
    FILE *f = fopen(file("mgr.log"), "r");
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "\"kind\":\"capability\"")) k.cap++;
        if (strstr(line, "\"kind\":\"quota\"") && strstr(line, "limit 100")) k.quota++;
    }
    fclose(f);
    assert_int_equal(k.cap, 4);
    assert_int_equal(k.quota, 1);
}

/* The manager's table grows: many components register, resolve, unregister and re-register. */
static void manager_many(void **state)
{
    (void)state;
    asw_sec_t *sec = NULL;
    assert_int_equal(asw_sec_new(NULL, &sec, NULL), 0);
    enum { N = 20000 };
    char id[32];
    for (int i = 0; i < N; i++) {
        asw_capset_t *cs = NULL;
        snprintf(id, sizeof id, "comp-%d", i);
        assert_int_equal(asw_capset_new(id, &cs, NULL), 0);
        asw_sec_ctx_t *ctx = NULL;
        assert_int_equal(asw_sec_register(sec, id, cs, NULL, &ctx, NULL), 0);
        assert_ptr_equal(asw_sec_lookup(sec, id), ctx);
    }
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "comp-%d", i);
        assert_non_null(asw_sec_lookup(sec, id));
    }
    assert_null(asw_sec_lookup(sec, "comp-20000"));
    for (int i = 0; i < N; i += 2) {
        snprintf(id, sizeof id, "comp-%d", i);
        assert_int_equal(asw_sec_unregister(sec, id), 0);
        assert_int_equal(asw_sec_unregister(sec, id), ASW_E_NOT_FOUND);
    }
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "comp-%d", i);
        if (i % 2)
            assert_non_null(asw_sec_lookup(sec, id));
        else
            assert_null(asw_sec_lookup(sec, id));
    }
    asw_capset_t *cs = NULL;
    assert_int_equal(asw_capset_new("comp-0", &cs, NULL), 0);
    assert_int_equal(asw_sec_register(sec, "comp-0", cs, NULL, NULL, NULL), 0);
    assert_non_null(asw_sec_lookup(sec, "comp-0"));
    asw_sec_free(sec); /* frees the remaining contexts */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(workflow),
        cmocka_unit_test(corrupt_store),
        cmocka_unit_test(manager),
        cmocka_unit_test(manager_many),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
