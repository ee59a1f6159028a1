/*
 * tests/security/manifest_test.c -- Component.toml: a complete manifest read into every field,
 * the defaults, and every validation rule as an error at an exact line:column (unknown keys,
 * wrong types, relative and ".." paths, empty and duplicate patterns, ports 0 / 65535 / 65536 and
 * malformed ranges, bad units, rates and durations, supervision rules), TOML syntax errors
 * passed through, and every allocation failing in turn without leaks.
 */
#include "testlib.h"

#include "airssys/manifest.h"

#include <stdio.h>
#include <string.h>

static const char full_manifest[] =
    "[component]\n"
    "name = \"counter\"\n"
    "version = \"1.2.0-beta.1+build.5\"\n"
    "description = \"A counter\"\n"
    "authors = [\"Ada <ada@example.com>\", \"Bob\"]\n"
    "license = \"MIT\"\n"
    "source = \"https://example.com/counter.git\"\n"
    "\n"
    "[capabilities]\n"
    "filesystem = [ { path = \"/data/**/*.json\", permissions = [\"read\", \"list\"] } ]\n"
    "network = [ { host = \"api.example.com\", port = 443 },\n"
    "            { host = \"*.example.com\", ports = \"8000-8100\" },\n"
    "            { cidr = \"10.0.0.0/8\", port = \"*\" },\n"
    "            { listen = 8080 },\n"
    "            { cidr = \"fd00::/8\", port = 65535 } ]\n"
    "storage = [ { namespace = \"component:counter:*\", permissions = [\"read\", \"write\"] } ]\n"
    "messaging = [ { send = [\"calculator\", \"events/#\"], receive = [\"commands/+\"] } ]\n"
    "custom = [ { name = \"gpu\", params = { device = \"0\", fast = true, n = 3 } } ]\n"
    "deny = [ { filesystem = \"/data/secret/**\" },\n"
    "         { network = \"evil.example.com:*\" },\n"
    "         { storage = \"component:other:*\", permissions = [\"write\"] } ]\n"
    "\n"
    "[quota]\n"
    "storage = \"10MB\"\n"
    "messages = \"100/s\"\n"
    "network = \"5MB/s\"\n"
    "cpu = \"500ms/s\"\n"
    "memory = 1048576\n"
    "\n"
    "[resources]\n"
    "memory = \"64MB\"\n"
    "fuel = 10_000_000\n"
    "timeout = \"5s\"\n"
    "\n"
    "[supervision]\n"
    "restart = \"transient\"\n"
    "max_restarts = 5\n"
    "within = \"1m\"\n"
    "backoff = \"exponential\"\n"
    "backoff_base = \"100ms\"\n"
    "backoff_max = \"10s\"\n";

static asw_manifest_t *parse_ok(const char *text)
{
    asw_manifest_t *m = NULL;
    asw_error_t err;
    int rc = asw_manifest_parse(text, strlen(text), &m, &err);
    if (rc) fprintf(stderr, "unexpected error: %s\n", err.msg);
    assert_int_equal(rc, ASW_OK);
    assert_non_null(m);
    return m;
}

static void full(void **state)
{
    (void)state;
    asw_manifest_t *m = parse_ok(full_manifest);
    assert_string_equal(m->name, "counter");
    assert_string_equal(m->version, "1.2.0-beta.1+build.5");
    assert_string_equal(m->description, "A counter");
    assert_string_equal(m->license, "MIT");
    assert_string_equal(m->source, "https://example.com/counter.git");
    assert_int_equal(m->nauthors, 2);
    assert_string_equal(m->authors[1], "Bob");

    static const struct {
        asw_cap_kind_t kind;
        uint32_t perms;
        bool deny;
        const char *pattern;
        uint32_t line;
    } want[] = {
        {ASW_CAP_FS, ASW_PERM_READ | ASW_PERM_LIST, false, "/data/**/*.json", 10},
        {ASW_CAP_NET_CONNECT, ASW_PERM_CONNECT, false, "api.example.com:443", 11},
        {ASW_CAP_NET_CONNECT, ASW_PERM_CONNECT, false, "*.example.com:8000-8100", 12},
        {ASW_CAP_NET_CONNECT, ASW_PERM_CONNECT, false, "10.0.0.0/8:*", 13},
        {ASW_CAP_NET_LISTEN, ASW_PERM_LISTEN, false, "8080", 14},
        {ASW_CAP_NET_CONNECT, ASW_PERM_CONNECT, false, "[fd00::/8]:65535", 15},
        {ASW_CAP_STORAGE, ASW_PERM_READ | ASW_PERM_WRITE, false, "component:counter:*", 16},
        {ASW_CAP_MSG, ASW_PERM_SEND, false, "calculator", 17},
        {ASW_CAP_MSG, ASW_PERM_SEND, false, "events/#", 17},
        {ASW_CAP_MSG, ASW_PERM_RECEIVE, false, "commands/+", 17},
        {ASW_CAP_CUSTOM, ASW_PERM_USE, false, "gpu", 18},
        {ASW_CAP_FS, 0, true, "/data/secret/**", 19},
        {ASW_CAP_NET_CONNECT, ASW_PERM_CONNECT, true, "evil.example.com:*", 20},
        {ASW_CAP_STORAGE, ASW_PERM_WRITE, true, "component:other:*", 21},
    };
    assert_int_equal(m->ncaps, (sizeof want / sizeof want[0]));
    for (size_t i = 0; i < m->ncaps; i++) {
        const asw_manifest_cap_t *c = &m->caps[i];
        assert_int_equal(c->spec.kind, want[i].kind);
        assert_int_equal(c->spec.deny, want[i].deny);
        assert_string_equal(c->spec.pattern, want[i].pattern);
        assert_int_equal(c->line, want[i].line);
        uint32_t perms = want[i].perms ? want[i].perms : asw_cap_kind_perms(want[i].kind);
        assert_int_equal(c->spec.perms, perms);
    }
    const asw_cap_spec_t *custom = &m->caps[10].spec;
    assert_int_equal(custom->nparams, 3);
    assert_string_equal(custom->params[0], "device=0");
    assert_string_equal(custom->params[1], "fast=true");
    assert_string_equal(custom->params[2], "n=3");

    /* The entries compile into a capability set as they are. */
    asw_capset_t *set = NULL;
    assert_int_equal(asw_capset_new("counter", &set, NULL), ASW_OK);
    for (size_t i = 0; i < m->ncaps; i++) {
        asw_error_t err;
        int rc = asw_capset_add(set, &m->caps[i].spec, &err);
        if (rc) fprintf(stderr, "capset_add %zu: %s\n", i, err.msg);
        assert_int_equal(rc, ASW_OK);
    }
    assert_int_equal(asw_capset_count(set), m->ncaps);
    asw_capset_free(set);

    assert_true(m->quota.limit[ASW_QUOTA_STORAGE] == 10u * 1024 * 1024);
    assert_true(m->quota.limit[ASW_QUOTA_MESSAGES] == 100);
    assert_true(m->quota.limit[ASW_QUOTA_NET_BYTES] == 5u * 1024 * 1024);
    assert_true(m->quota.limit[ASW_QUOTA_CPU_MS] == 500);
    assert_true(m->quota.limit[ASW_QUOTA_MEMORY] == 1048576);
    assert_true(m->memory_bytes == 64u * 1024 * 1024);
    assert_true(m->fuel == 10000000);
    assert_true(m->timeout_ns == UINT64_C(5000000000));
    assert_true(m->has_supervision);
    assert_int_equal(m->restart, ASW_TRANSIENT);
    assert_int_equal(m->max_restarts, 5);
    assert_true(m->within_ns == UINT64_C(60000000000));
    assert_int_equal(m->backoff, ASW_BACKOFF_EXPONENTIAL);
    assert_true(m->backoff_base_ns == UINT64_C(100000000));
    assert_true(m->backoff_max_ns == UINT64_C(10000000000));
    asw_manifest_free(m);
    asw_manifest_free(NULL);
}

static void defaults(void **state)
{
    (void)state;
    asw_manifest_t *m = parse_ok("[component]\nname = \"a\"\nversion = \"0.0.1\"\n");
    assert_null(m->description);
    assert_null(m->license);
    assert_int_equal(m->nauthors, 0);
    assert_int_equal(m->ncaps, 0);
    for (int k = 0; k < ASW_QUOTA_KINDS; k++)
        assert_true(m->quota.limit[k] == 0);
    assert_true(m->memory_bytes == 0 && m->fuel == 0 && m->timeout_ns == 0);
    assert_false(m->has_supervision);
    assert_int_equal(m->restart, ASW_PERMANENT);
    assert_int_equal(m->max_restarts, 3);
    assert_true(m->within_ns == UINT64_C(5000000000));
    assert_int_equal(m->backoff, ASW_BACKOFF_IMMEDIATE);
    asw_manifest_free(m);
    /* linear backoff without base/max takes the documented defaults */
    m = parse_ok("[component]\nname = \"a\"\nversion = \"1.0.0\"\n[supervision]\n"
                 "backoff = \"linear\"\nmax_restarts = 0\n");
    assert_true(m->has_supervision);
    assert_int_equal(m->max_restarts, 0);
    assert_true(m->backoff_base_ns == UINT64_C(100000000));
    assert_true(m->backoff_max_ns == UINT64_C(30000000000));
    asw_manifest_free(m);
}

/* The header every error case below starts with (3 lines). */
#define HDR "[component]\nname = \"c\"\nversion = \"1.0.0\"\n"

static const struct {
    const char *text;
    int code;
    const char *prefix; /* the start of the message */
} bad[] = {
    /* TOML syntax errors keep their code */
    {HDR "x = \n", ASW_E_PARSE, "line 4, column 5: missing value"},
    /* structure */
    {"", ASW_E_MANIFEST, "line 1, column 1: the manifest needs a [component] table"},
    {HDR "[extras]\n", ASW_E_MANIFEST, "line 4, column 2: unknown key 'extras'"},
    {"title = 1\n" HDR, ASW_E_MANIFEST, "line 1, column 1: unknown key 'title'"},
    {"component = 1\n", ASW_E_MANIFEST, "line 1, column 13: [component] must be a table"},
    {"[component]\nversion = \"1.0.0\"\n", ASW_E_MANIFEST,
     "line 1, column 1: [component] needs a name"},
    {"[component]\nname = \"c\"\n", ASW_E_MANIFEST,
     "line 1, column 1: [component] needs a version"},
    {HDR "homepage = \"x\"\n", ASW_E_MANIFEST,
     "line 4, column 1: unknown key 'homepage' in [component]"},
    {"[component]\nname = 7\nversion = \"1.0.0\"\n", ASW_E_MANIFEST,
     "line 2, column 8: component.name must be a string, not an integer"},
    {"[component]\nname = \"Big\"\nversion = \"1.0.0\"\n", ASW_E_MANIFEST,
     "line 2, column 8: component.name 'Big'"},
    {"[component]\nname = \"-x\"\nversion = \"1.0.0\"\n", ASW_E_MANIFEST,
     "line 2, column 8: component.name"},
    {"[component]\nname = \"\"\nversion = \"1.0.0\"\n", ASW_E_MANIFEST,
     "line 2, column 8: component.name must not be empty"},
    {"[component]\nname = \"a\\u0000b\"\nversion = \"1.0.0\"\n", ASW_E_MANIFEST,
     "line 2, column 8: component.name must not contain NUL"},
    {"[component]\nname = \"c\"\nversion = \"1.0\"\n", ASW_E_MANIFEST,
     "line 3, column 11: component.version '1.0' is not a semantic version"},
    {"[component]\nname = \"c\"\nversion = \"01.0.0\"\n", ASW_E_MANIFEST,
     "line 3, column 11: component.version"},
    {"[component]\nname = \"c\"\nversion = \"1.0.0-\"\n", ASW_E_MANIFEST,
     "line 3, column 11: component.version"},
    {HDR "authors = \"Ada\"\n", ASW_E_MANIFEST,
     "line 4, column 11: component.authors must be an array, not a string"},
    {HDR "authors = [\"\"]\n", ASW_E_MANIFEST,
     "line 4, column 12: each of component.authors must not be empty"},
    /* filesystem */
    {HDR "[capabilities]\nfs = []\n", ASW_E_MANIFEST,
     "line 5, column 1: unknown key 'fs' in [capabilities]"},
    {HDR "[capabilities]\nfilesystem = { path = \"/a\" }\n", ASW_E_MANIFEST,
     "line 5, column 14: capabilities.filesystem must be an array, not a table"},
    {HDR "[capabilities]\nfilesystem = [ \"/a\" ]\n", ASW_E_MANIFEST,
     "line 5, column 16: each filesystem entry must be a table"},
    {HDR "[capabilities]\nfilesystem = [ { path = \"data/x\", permissions = [\"read\"] } ]\n",
     ASW_E_MANIFEST, "line 5, column 25: "},
    {HDR "[capabilities]\nfilesystem = [ { path = \"/data/../etc\", permissions = [\"read\"] } ]\n",
     ASW_E_MANIFEST, "line 5, column 25: "},
    {HDR "[capabilities]\nfilesystem = [ { path = \"\", permissions = [\"read\"] } ]\n",
     ASW_E_MANIFEST, "line 5, column 25: path must not be empty"},
    {HDR "[capabilities]\nfilesystem = [ { path = \"/a\" } ]\n", ASW_E_MANIFEST,
     "line 5, column 16: a filesystem capability needs permissions"},
    {HDR "[capabilities]\nfilesystem = [ { permissions = [\"read\"] } ]\n", ASW_E_MANIFEST,
     "line 5, column 16: a filesystem capability needs a path"},
    {HDR "[capabilities]\nfilesystem = [ { path = \"/a\", permissions = [] } ]\n", ASW_E_MANIFEST,
     "line 5, column 45: permissions must list at least one"},
    {HDR "[capabilities]\nfilesystem = [ { path = \"/a\", permissions = [\"fly\"] } ]\n",
     ASW_E_MANIFEST, "line 5, column 46: unknown permission 'fly'"},
    {HDR "[capabilities]\nfilesystem = [ { path = \"/a\", permissions = [\"send\"] } ]\n",
     ASW_E_MANIFEST, "line 5, column 46: permission 'send' does not apply"},
    {HDR "[capabilities]\nfilesystem = [ { path = \"/a\", permissions = [\"read\", \"read\"] } ]\n",
     ASW_E_MANIFEST, "line 5, column 54: permission 'read' is listed twice"},
    {HDR "[capabilities]\nfilesystem = [ { path = \"/a\", permissions = [\"read\"], mode = 1 } ]\n",
     ASW_E_MANIFEST, "line 5, column 55: unknown key 'mode'"},
    {HDR "[capabilities]\nfilesystem = [ { path = \"/a\", permissions = [\"read\"] },\n  { path = "
         "\"/a\", permissions = [\"read\", \"write\"] } ]\n",
     ASW_E_MANIFEST,
     "line 6, column 3: duplicate fs pattern '/a' (already listed at line 5, column 16)"},
    /* network */
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\", port = 0 } ]\n", ASW_E_MANIFEST,
     "line 5, column 38: port 0 is out of range (1-65535)"},
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\", port = 65536 } ]\n", ASW_E_MANIFEST,
     "line 5, column 38: port 65536 is out of range"},
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\", port = -1 } ]\n", ASW_E_MANIFEST,
     "line 5, column 38: port -1 is out of range"},
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\", ports = \"8100-8000\" } ]\n",
     ASW_E_MANIFEST, "line 5, column 39: port: port range '8100-8000': low end above high end"},
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\", ports = \"80-\" } ]\n", ASW_E_MANIFEST,
     "line 5, column 39: port: "},
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\", ports = \"0-10\" } ]\n", ASW_E_MANIFEST,
     "line 5, column 39: port: "},
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\", port = 1.5 } ]\n", ASW_E_MANIFEST,
     "line 5, column 38: port must be an integer or a string"},
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\" } ]\n", ASW_E_MANIFEST,
     "line 5, column 13: a network capability needs a port"},
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\", port = 1, ports = \"2\" } ]\n",
     ASW_E_MANIFEST, "line 5, column 49: give either port or ports"},
    {HDR "[capabilities]\nnetwork = [ { host = \"a.com\", cidr = \"10.0.0.0/8\", port = 1 } ]\n",
     ASW_E_MANIFEST, "line 5, column 13: a network capability needs exactly one of host"},
    {HDR "[capabilities]\nnetwork = [ { port = 1 } ]\n", ASW_E_MANIFEST,
     "line 5, column 13: a network capability needs exactly one of host"},
    {HDR "[capabilities]\nnetwork = [ { cidr = \"10.0.0.1/8\", port = 1 } ]\n", ASW_E_MANIFEST,
     "line 5, column 22: "},
    {HDR "[capabilities]\nnetwork = [ { host = \"bad host\", port = 1 } ]\n", ASW_E_MANIFEST,
     "line 5, column 22: "},
    {HDR "[capabilities]\nnetwork = [ { listen = 0 } ]\n", ASW_E_MANIFEST,
     "line 5, column 24: listen 0 is out of range"},
    {HDR "[capabilities]\nnetwork = [ { listen = 80, port = 80 } ]\n", ASW_E_MANIFEST,
     "line 5, column 35: a listen capability takes its ports in listen"},
    {HDR "[capabilities]\nnetwork = [ { listen = 8080 }, { listen = \"8080\" } ]\n", ASW_E_MANIFEST,
     "line 5, column 32: duplicate net-listen pattern '8080'"},
    /* storage, messaging, custom */
    {HDR "[capabilities]\nstorage = [ { namespace = \"\", permissions = [\"read\"] } ]\n",
     ASW_E_MANIFEST, "line 5, column 27: namespace must not be empty"},
    {HDR "[capabilities]\nstorage = [ { namespace = \"a:*\", permissions = [\"list\"] } ]\n",
     ASW_E_MANIFEST, "line 5, column 49: permission 'list' does not apply"},
    {HDR "[capabilities]\nmessaging = [ { send = [] } ]\n", ASW_E_MANIFEST,
     "line 5, column 24: send must list at least one pattern"},
    {HDR "[capabilities]\nmessaging = [ { } ]\n", ASW_E_MANIFEST,
     "line 5, column 15: a messaging capability needs send or receive"},
    {HDR "[capabilities]\nmessaging = [ { send = [\"a/#/b\"] } ]\n", ASW_E_MANIFEST,
     "line 5, column 25: "},
    {HDR "[capabilities]\nmessaging = [ { send = [\"\"] } ]\n", ASW_E_MANIFEST,
     "line 5, column 25: each messaging pattern must not be empty"},
    {HDR "[capabilities]\nmessaging = [ { send = [\"a\", \"a\"] } ]\n", ASW_E_MANIFEST,
     "line 5, column 30: duplicate msg pattern 'a'"},
    {HDR "[capabilities]\nmessaging = [ { publish = [\"a\"] } ]\n", ASW_E_MANIFEST,
     "line 5, column 17: unknown key 'publish'"},
    {HDR "[capabilities]\ncustom = [ { params = {} } ]\n", ASW_E_MANIFEST,
     "line 5, column 12: a custom capability needs a name"},
    {HDR "[capabilities]\ncustom = [ { name = \"gpu\", params = { d = [1] } } ]\n", ASW_E_MANIFEST,
     "line 5, column 43: param 'd' must be a string, an integer or a boolean"},
    {HDR "[capabilities]\ncustom = [ { name = \"gpu\", params = 1 } ]\n", ASW_E_MANIFEST,
     "line 5, column 37: params must be a table"},
    /* deny */
    {HDR "[capabilities]\ndeny = [ { } ]\n", ASW_E_MANIFEST,
     "line 5, column 10: a deny entry needs one of"},
    {HDR "[capabilities]\ndeny = [ { filesystem = \"/a\", storage = \"b\" } ]\n", ASW_E_MANIFEST,
     "line 5, column 31: a deny entry names exactly one kind"},
    {HDR "[capabilities]\ndeny = [ { filesystem = \"../a\" } ]\n", ASW_E_MANIFEST,
     "line 5, column 25: "},
    {HDR "[capabilities]\ndeny = [ { network = \"a.com\" } ]\n", ASW_E_MANIFEST,
     "line 5, column 22: "},
    {HDR "[capabilities]\ndeny = [ { secrets = \"a\" } ]\n", ASW_E_MANIFEST,
     "line 5, column 12: unknown key 'secrets' in a deny entry"},
    {HDR "[capabilities]\ndeny = [ { filesystem = \"/a\" }, { filesystem = \"/a\" } ]\n",
     ASW_E_MANIFEST,
     "line 5, column 48: duplicate fs pattern '/a' (already listed at line 5, column 25)"},
    /* quota */
    {HDR "[quota]\nstorage = \"10XB\"\n", ASW_E_MANIFEST, "line 5, column 11: quota.storage: "},
    {HDR "[quota]\nstorage = \"0MB\"\n", ASW_E_MANIFEST,
     "line 5, column 11: quota.storage must be greater than zero"},
    {HDR "[quota]\nstorage = 0\n", ASW_E_MANIFEST,
     "line 5, column 11: quota.storage must be greater than zero"},
    {HDR "[quota]\nstorage = 1.5\n", ASW_E_MANIFEST,
     "line 5, column 11: quota.storage must be a string, not a float"},
    {HDR "[quota]\nmessages = \"5MB/s\"\n", ASW_E_MANIFEST,
     "line 5, column 12: quota.messages: '5MB/s' has the wrong unit"},
    {HDR "[quota]\nnetwork = \"5MB\"\n", ASW_E_MANIFEST, "line 5, column 11: quota.network: "},
    {HDR "[quota]\ncpu = \"500/s\"\n", ASW_E_MANIFEST,
     "line 5, column 7: quota.cpu: '500/s' has the wrong unit"},
    {HDR "[quota]\ncpu = \"0ms/s\"\n", ASW_E_MANIFEST,
     "line 5, column 7: quota.cpu must be greater than zero"},
    {HDR "[quota]\ndisk = \"1MB\"\n", ASW_E_MANIFEST,
     "line 5, column 1: unknown key 'disk' in [quota]"},
    /* resources */
    {HDR "[resources]\nfuel = 0\n", ASW_E_MANIFEST,
     "line 5, column 8: resources.fuel must be greater than zero"},
    {HDR "[resources]\nfuel = \"100\"\n", ASW_E_MANIFEST,
     "line 5, column 8: resources.fuel must be an integer, not a string"},
    {HDR "[resources]\ntimeout = \"5\"\n", ASW_E_MANIFEST,
     "line 5, column 11: resources.timeout: duration '5' needs a unit"},
    {HDR "[resources]\ntimeout = \"5sec\"\n", ASW_E_MANIFEST,
     "line 5, column 11: resources.timeout: duration '5sec': unknown unit"},
    {HDR "[resources]\ntimeout = \"1.5s\"\n", ASW_E_MANIFEST,
     "line 5, column 11: resources.timeout: duration '1.5s': unknown unit"},
    {HDR "[resources]\ntimeout = \"99999999999999999999h\"\n", ASW_E_MANIFEST,
     "line 5, column 11: resources.timeout: duration"},
    {HDR "[resources]\ntimeout = 5\n", ASW_E_MANIFEST,
     "line 5, column 11: resources.timeout must be a string, not an integer"},
    {HDR "[resources]\nmemory = \"64 parsecs\"\n", ASW_E_MANIFEST,
     "line 5, column 10: resources.memory: "},
    {HDR "[resources]\ncpu = 1\n", ASW_E_MANIFEST,
     "line 5, column 1: unknown key 'cpu' in [resources]"},
    /* supervision */
    {HDR "[supervision]\nrestart = \"always\"\n", ASW_E_MANIFEST,
     "line 5, column 11: supervision.restart 'always'"},
    {HDR "[supervision]\nmax_restarts = -1\n", ASW_E_MANIFEST,
     "line 5, column 16: supervision.max_restarts -1 is out of range"},
    {HDR "[supervision]\nmax_restarts = 4294967296\n", ASW_E_MANIFEST,
     "line 5, column 16: supervision.max_restarts 4294967296 is out of range"},
    {HDR "[supervision]\nwithin = \"0s\"\n", ASW_E_MANIFEST,
     "line 5, column 10: supervision.within must be greater than zero"},
    {HDR "[supervision]\nbackoff = \"random\"\n", ASW_E_MANIFEST,
     "line 5, column 11: supervision.backoff 'random'"},
    {HDR "[supervision]\nbackoff_base = \"1s\"\n", ASW_E_MANIFEST,
     "line 5, column 16: backoff_base and backoff_max need backoff"},
    {HDR "[supervision]\nbackoff = \"linear\"\nbackoff_base = \"2s\"\nbackoff_max = \"1s\"\n",
     ASW_E_MANIFEST, "line 7, column 15: supervision.backoff_max must not be smaller"},
    {HDR "[supervision]\nstrategy = \"one_for_one\"\n", ASW_E_MANIFEST,
     "line 5, column 1: unknown key 'strategy' in [supervision]"},
};

static void errors(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < (sizeof bad / sizeof bad[0]); i++) {
        asw_manifest_t *m = (asw_manifest_t *)&m;
        asw_error_t err;
        int rc = asw_manifest_parse(bad[i].text, strlen(bad[i].text), &m, &err);
        bool ok = rc == bad[i].code && !strncmp(err.msg, bad[i].prefix, strlen(bad[i].prefix));
        if (!ok)
            fprintf(stderr, "case %zu: rc %d, message '%s'\n  wanted %d '%s'\n", i, rc, err.msg,
                    bad[i].code, bad[i].prefix);
        failed += !ok;
        assert_null(m);
    }
    assert_int_equal(failed, 0);
}

static void boundaries(void **state)
{
    (void)state;
    /* port 1 and 65535 are the last valid values on each side */
    asw_manifest_t *m = parse_ok(HDR "[capabilities]\nnetwork = [ { host = \"a.com\", port = 1 },"
                                     " { host = \"b.com\", port = 65535 },"
                                     " { host = \"c.com\", ports = \"1-65535\" } ]\n");
    assert_int_equal(m->ncaps, 3);
    assert_string_equal(m->caps[1].spec.pattern, "b.com:65535");
    asw_manifest_free(m);
    /* 32-bit restart counts: the maximum is accepted */
    m = parse_ok(HDR "[supervision]\nmax_restarts = 4294967295\n");
    assert_true(m->max_restarts == UINT32_MAX);
    asw_manifest_free(m);
    /* the same pattern may be allowed and denied */
    m = parse_ok(HDR
                 "[capabilities]\nfilesystem = [ { path = \"/a\", permissions = [\"read\"] } ]\n"
                 "deny = [ { filesystem = \"/a\" } ]\n");
    assert_int_equal(m->ncaps, 2);
    asw_manifest_free(m);
    /* arrays of tables work as well as inline tables */
    m = parse_ok(HDR "[[capabilities.filesystem]]\npath = \"/x/*\"\npermissions = [\"write\"]\n");
    assert_int_equal(m->ncaps, 1);
    assert_int_equal(m->caps[0].line, 4);
    asw_manifest_free(m);
}

static void durations(void **state)
{
    (void)state;
    uint64_t ns;
    assert_int_equal(asw_manifest_parse_duration("250ms", &ns, NULL), 0);
    assert_true(ns == UINT64_C(250000000));
    assert_int_equal(asw_manifest_parse_duration("2h", &ns, NULL), 0);
    assert_true(ns == UINT64_C(7200000000000));
    assert_int_equal(asw_manifest_parse_duration("0s", &ns, NULL), 0);
    assert_true(ns == 0);
    /* 2^64 ns is about 5124095 hours: the last whole hour fits, the next does not */
    assert_int_equal(asw_manifest_parse_duration("5124095h", &ns, NULL), 0);
    assert_int_equal(asw_manifest_parse_duration("5124096h", &ns, NULL), ASW_E_OVERFLOW);
    assert_int_equal(asw_manifest_parse_duration("", &ns, NULL), ASW_E_PARSE);
    assert_int_equal(asw_manifest_parse_duration("s", &ns, NULL), ASW_E_PARSE);
    assert_int_equal(asw_manifest_parse_duration("5 s", &ns, NULL), ASW_E_PARSE);
    assert_int_equal(asw_manifest_parse_duration("-5s", &ns, NULL), ASW_E_PARSE);
    assert_int_equal(asw_manifest_parse_duration(NULL, &ns, NULL), ASW_E_INVALID);
}

static void bad_arguments(void **state)
{
    (void)state;
    asw_manifest_t *m;
    assert_int_equal(asw_manifest_parse("x", 1, NULL, NULL), ASW_E_INVALID);
    assert_int_equal(asw_manifest_parse(NULL, 3, &m, NULL), ASW_E_INVALID);
    assert_null(m);
}

static void allocation_failures(void **state)
{
    (void)state;
    asw_test_alloc_install(0, 0);
    asw_manifest_t *m = parse_ok(full_manifest);
    unsigned long total = asw_test_alloc_count();
    asw_manifest_free(m);
    assert_int_equal(asw_test_alloc_uninstall(), 0);
    for (unsigned long n = 1; n <= total; n++) {
        asw_test_alloc_install(n, 0);
        m = NULL;
        int rc = asw_manifest_parse(full_manifest, strlen(full_manifest), &m, NULL);
        assert_int_equal(rc, ASW_E_NOMEM);
        assert_null(m);
        assert_int_equal(asw_test_alloc_uninstall(), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full),
        cmocka_unit_test(defaults),
        cmocka_unit_test(errors),
        cmocka_unit_test(boundaries),
        cmocka_unit_test(durations),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
