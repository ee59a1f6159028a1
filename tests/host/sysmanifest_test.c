/*
 * tests/host/sysmanifest_test.c -- airssys.toml: a full valid system, defaults, relative paths,
 * and every error the validator reports with its line:column (unknown keys, wrong types, bad
 * names, duplicates, dangling children, two parents, cycles, bad topics, unknown targets);
 * loading from a file; allocation failure at every step.
 */
#include "testlib.h"

#include "airssys/sysmanifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *full = "[system]\n"
                          "name = \"demo\"\n"
                          "storage = \"state\"\n"
                          "audit = \"/var/log/a.log\"\n"
                          "dev_mode = true\n"
                          "\n"
                          "[[component]]\n"
                          "name = \"reader\"\n"
                          "module = \"reader.wasm\"\n"
                          "manifest = \"reader/Component.toml\"\n"
                          "signature = \"reader.wasm.sig\"\n"
                          "\n"
                          "[[component]]\n"
                          "name = \"net-client\"\n"
                          "module = \"/opt/net.wasm\"\n"
                          "manifest = \"net.toml\"\n"
                          "\n"
                          "[[component]]\n"
                          "name = \"lonely\"\n"
                          "module = \"l.wasm\"\n"
                          "manifest = \"l.toml\"\n"
                          "\n"
                          "[[supervisor]]\n"
                          "name = \"root\"\n"
                          "strategy = \"one-for-all\"\n"
                          "max_restarts = 5\n"
                          "within = \"10s\"\n"
                          "children = [\"reader\", \"io\"]\n"
                          "\n"
                          "[[supervisor]]\n"
                          "name = \"io\"\n"
                          "strategy = \"rest-for-one\"\n"
                          "children = [\"net-client\"]\n"
                          "\n"
                          "[subscriptions]\n"
                          "reader = [\"files/#\", \"cmd/+/go\"]\n"
                          "\n"
                          "[[message]]\n"
                          "target = \"reader\"\n"
                          "payload = \"start\"\n"
                          "\n"
                          "[[message]]\n"
                          "target = \"net-client\"\n"
                          "payload = \"\"\n";

static void valid_system(void **state)
{
    (void)state;
    asw_sysmanifest_t *m = NULL;
    asw_error_t e = {0};
    int rc = asw_sysmanifest_parse(full, strlen(full), "/srv/sys", &m, &e);
    if (rc) fail_msg("%s", e.msg);
    assert_string_equal(m->name, "demo");
    assert_string_equal(m->storage, "/srv/sys/state");
    assert_string_equal(m->audit, "/var/log/a.log");
    assert_null(m->trust);
    assert_true(m->dev_mode);
    assert_int_equal(m->ncomponents, 3);
    const asw_sys_component_t *r = &m->components[0];
    assert_string_equal(r->name, "reader");
    assert_string_equal(r->module, "/srv/sys/reader.wasm");
    assert_string_equal(r->manifest, "/srv/sys/reader/Component.toml");
    assert_string_equal(r->signature, "/srv/sys/reader.wasm.sig");
    assert_string_equal(r->supervisor, "root");
    assert_int_equal(r->line, 7);
    assert_string_equal(m->components[1].module, "/opt/net.wasm");
    assert_null(m->components[1].signature);
    assert_string_equal(m->components[1].supervisor, "io");
    assert_null(m->components[2].supervisor); /* top level */
    assert_int_equal(m->nsupervisors, 2);
    const asw_sys_supervisor_t *root = asw_sysmanifest_supervisor(m, "root");
    assert_non_null(root);
    assert_int_equal(root->strategy, ASW_ONE_FOR_ALL);
    assert_int_equal(root->max_restarts, 5);
    assert_true(root->within_ns == UINT64_C(10) * 1000000000u);
    assert_int_equal(root->nchildren, 2);
    assert_null(root->parent);
    const asw_sys_supervisor_t *io = asw_sysmanifest_supervisor(m, "io");
    assert_int_equal(io->strategy, ASW_REST_FOR_ONE);
    assert_int_equal(io->max_restarts, 3);
    assert_true(io->within_ns == UINT64_C(5) * 1000000000u);
    assert_string_equal(io->parent, "root");
    assert_int_equal(m->nsubscriptions, 1);
    assert_string_equal(m->subscriptions[0].component, "reader");
    assert_int_equal(m->subscriptions[0].ntopics, 2);
    assert_string_equal(m->subscriptions[0].topics[1], "cmd/+/go");
    assert_int_equal(m->nmessages, 2);
    assert_string_equal(m->messages[0].target, "reader");
    assert_int_equal(m->messages[0].payload_len, 5);
    assert_int_equal(m->messages[1].payload_len, 0);
    assert_null(asw_sysmanifest_component(m, "nope"));
    assert_null(asw_sysmanifest_supervisor(m, "reader"));
    assert_string_equal(asw_strategy_name(ASW_ONE_FOR_ONE), "one-for-one");
    assert_string_equal(asw_strategy_name((asw_strategy_t)9), "?");
    asw_sysmanifest_free(m);
    asw_sysmanifest_free(NULL);

    /* Minimal: defaults, and paths kept as written without a base directory. */
    const char *min = "[[component]]\nname=\"a\"\nmodule=\"a.wasm\"\nmanifest=\"a.toml\"\n";
    assert_int_equal(asw_sysmanifest_parse(min, strlen(min), NULL, &m, &e), ASW_OK);
    assert_string_equal(m->name, "airssys");
    assert_string_equal(m->components[0].module, "a.wasm");
    assert_false(m->dev_mode);
    assert_int_equal(m->nsupervisors + m->nsubscriptions + m->nmessages, 0);
    asw_sysmanifest_free(m);
    /* A payload may hold NUL bytes. */
    const char *nul = "[[component]]\nname=\"a\"\nmodule=\"a\"\nmanifest=\"b\"\n"
                      "[[message]]\ntarget=\"a\"\npayload=\"x\\u0000y\"\n";
    assert_int_equal(asw_sysmanifest_parse(nul, strlen(nul), NULL, &m, &e), ASW_OK);
    assert_int_equal(m->messages[0].payload_len, 3);
    asw_sysmanifest_free(m);
}

typedef struct bad {
    const char *text;
    int code;
    const char *where; /* "line L, column C" */
    const char *what;  /* a piece of the message */
} bad;

#define C1 "[[component]]\nname=\"a\"\nmodule=\"a\"\nmanifest=\"b\"\n" /* lines 1-4 */

static void errors(void **state)
{
    (void)state;
    static const bad cases[] = {
        {"", ASW_E_MANIFEST, "line 1, column 1", "no [[component]]"},
        {"x = 1\n" C1, ASW_E_MANIFEST, "line 1, column 1", "unknown key 'x'"},
        {"[system]\nfoo = 1\n" C1, ASW_E_MANIFEST, "line 2, column 1", "unknown key 'foo'"},
        {"[system]\ndev_mode = \"yes\"\n" C1, ASW_E_MANIFEST, "line 2, column 12", "boolean"},
        {"[system]\nstorage = \"\"\n" C1, ASW_E_MANIFEST, "line 2, column 11", "not be empty"},
        {"system = 3\n" C1, ASW_E_MANIFEST, "line 1, column 10", "must be a table"},
        {"component = 3\n", ASW_E_MANIFEST, "line 1, column 13", "array of tables"},
        {"[[component]]\nname=\"A\"\nmodule=\"a\"\nmanifest=\"b\"\n", ASW_E_MANIFEST,
         "line 2, column 6", "not a valid name"},
        {"[[component]]\nname=\"a\"\nmodule=\"a\"\n", ASW_E_MANIFEST, "line 1, column 1",
         "needs 'manifest'"},
        {"[[component]]\nname=\"a\"\nmodule=1\nmanifest=\"b\"\n", ASW_E_MANIFEST,
         "line 3, column 8", "must be a string"},
        {"[[component]]\nname=\"a\"\nmodule=\"a\"\nmanifest=\"b\"\nsig=\"c\"\n", ASW_E_MANIFEST,
         "line 5, column 1", "unknown key 'sig'"},
        {"[[component]]\nname=\"a\"\nmodule=\"a\\u0000\"\nmanifest=\"b\"\n", ASW_E_MANIFEST,
         "line 3, column 8", "NUL"},
        {C1 C1, ASW_E_MANIFEST, "line 5, column 1", "defined twice"},
        {C1 "[[supervisor]]\nname=\"s\"\nchildren=[\"a\"]\n", ASW_E_MANIFEST, "line 5, column 1",
         "needs 'strategy'"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-some\"\nchildren=[\"a\"]\n",
         ASW_E_MANIFEST, "line 7, column 10", "one-for-one, one-for-all or rest-for-one"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[]\n", ASW_E_MANIFEST,
         "line 8, column 10", "must not be empty"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"a\",\"a\"]\n",
         ASW_E_MANIFEST, "line 8, column 15", "twice"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"zz\"]\n",
         ASW_E_MANIFEST, "line 5, column 1", "neither a component nor a supervisor"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"a\"]\n"
            "max_restarts=-1\n",
         ASW_E_MANIFEST, "line 9, column 14", "out of range"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"a\"]\n"
            "within=\"5 parsecs\"\n",
         ASW_E_MANIFEST, "line 9, column 8", "supervisor.within"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"a\"]\n"
            "within=\"0s\"\n",
         ASW_E_MANIFEST, "line 9, column 8", "longer than 0"},
        {C1 "[[supervisor]]\nname=\"a\"\nstrategy=\"one-for-one\"\nchildren=[\"a\"]\n",
         ASW_E_MANIFEST, "line 5, column 1", "name of a component"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"s\"]\n",
         ASW_E_MANIFEST, "line 5, column 1", "lists itself"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"a\"]\n"
            "[[supervisor]]\nname=\"t\"\nstrategy=\"one-for-one\"\nchildren=[\"a\"]\n",
         ASW_E_MANIFEST, "line 9, column 1", "already supervised by 's'"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"t\"]\n"
            "[[supervisor]]\nname=\"t\"\nstrategy=\"one-for-one\"\nchildren=[\"s\"]\n",
         ASW_E_MANIFEST, "line 5, column 1", "cycle"},
        {C1 "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"a\"]\n"
            "[[supervisor]]\nname=\"s\"\nstrategy=\"one-for-one\"\nchildren=[\"a\"]\n",
         ASW_E_MANIFEST, "line 9, column 1", "defined twice"},
        {C1 "[subscriptions]\nb = [\"x\"]\n", ASW_E_MANIFEST, "line 6, column 1",
         "no component named 'b'"},
        {C1 "[subscriptions]\na = [\"x/#/y\"]\n", ASW_E_MANIFEST, "line 6, column 6",
         "topic pattern"},
        {C1 "[subscriptions]\na = \"x\"\n", ASW_E_MANIFEST, "line 6, column 5", "array of strings"},
        {C1 "[subscriptions]\n\"A b\" = [\"x\"]\n", ASW_E_MANIFEST, "line 6, column 1",
         "not a component name"},
        {C1 "[[message]]\ntarget=\"b\"\npayload=\"p\"\n", ASW_E_MANIFEST, "line 6, column 8",
         "no component named 'b'"},
        {C1 "[[message]]\ntarget=\"a\"\n", ASW_E_MANIFEST, "line 5, column 1", "needs 'payload'"},
        {C1 "[[message]]\ntarget=\"a\"\npayload=\"p\"\nto=\"x\"\n", ASW_E_MANIFEST,
         "line 8, column 1", "unknown key 'to'"},
        {C1 "message = [1]\n", ASW_E_MANIFEST, "line 5, column 1", "in [[component]]"},
        {"message = [1]\n" C1, ASW_E_MANIFEST, "line 1, column 12", "each message must be a table"},
        {"[[component]\n", ASW_E_PARSE, "line 1", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        asw_sysmanifest_t *m = (asw_sysmanifest_t *)1;
        asw_error_t e = {0};
        int rc = asw_sysmanifest_parse(cases[i].text, strlen(cases[i].text), NULL, &m, &e);
        if (rc != cases[i].code || !strstr(e.msg, cases[i].where) || !strstr(e.msg, cases[i].what))
            fail_msg("case %zu: got %s '%s', want %s at %s: %s", i, asw_err_name(rc), e.msg,
                     asw_err_name(cases[i].code), cases[i].where, cases[i].what);
        assert_null(m);
    }
    asw_sysmanifest_t *m;
    assert_int_equal(asw_sysmanifest_parse(NULL, 3, NULL, &m, NULL), ASW_E_INVALID);
    assert_int_equal(asw_sysmanifest_parse("", 0, NULL, NULL, NULL), ASW_E_INVALID);
}

static void load_file(void **state)
{
    (void)state;
    char dir[64];
    assert_int_equal(asw_test_tmpdir_new(dir, sizeof dir, "sysm"), 0);
    const char *path = asw_test_path_in(dir, "airssys.toml");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(full, f);
    fclose(f);
    asw_sysmanifest_t *m = NULL;
    asw_error_t e = {0};
    assert_int_equal(asw_sysmanifest_load(path, &m, &e), ASW_OK);
    assert_string_equal(m->components[0].module, asw_test_path_in(dir, "reader.wasm"));
    asw_sysmanifest_free(m);
    /* Errors carry the path. */
    f = fopen(path, "wb");
    fputs("[[component]]\nname = 7\n", f);
    fclose(f);
    assert_int_equal(asw_sysmanifest_load(path, &m, &e), ASW_E_MANIFEST);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "line 2, column 8"));
    unlink(path);
    assert_int_equal(asw_sysmanifest_load(path, &m, &e), ASW_E_IO);
    assert_null(m);
    assert_int_equal(asw_test_tmpdir_remove(dir), 0);
}

static void alloc_failure(void **state)
{
    (void)state;
    bool done = false;
    for (unsigned long k = 1; k < 400 && !done; k++) {
        asw_sysmanifest_t *m = NULL;
        asw_error_t e = {0};
        asw_test_alloc_install(k, 0);
        int rc = asw_sysmanifest_parse(full, strlen(full), "/srv", &m, &e);
        asw_sysmanifest_free(m);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
        if (rc == ASW_OK)
            done = true;
        else
            assert_int_equal(rc, ASW_E_NOMEM);
    }
    assert_true(done);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_system),
        cmocka_unit_test(errors),
        cmocka_unit_test(load_file),
        cmocka_unit_test(alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
