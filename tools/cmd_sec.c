/*
 * tools/cmd_sec.c -- the security command groups of `airssys`:
 *   airssys keygen PREFIX                         write PREFIX.key (0600) and PREFIX.pub
 *   airssys sign --key K.key [--manifest M] [-o OUT.sig] MODULE
 *   airssys verify [--key K.pub | --pubkey KEY] [--manifest M] [--sig S] MODULE
 *   airssys approvals [--store DIR] list | show ID | review ID | approve ID [--grant CAP]...
 *                     | deny ID [--reason TEXT]           (--by NAME names the approver)
 *   airssys audit tail [--component X] [--result R] [-n N] FILE
 * The store defaults to $AIRSSYS_APPROVAL_STORE. Uses only the public API (airssys/security.h).
 * Exit status: 0 success, 1 failure (message on stderr), 2 usage error.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int asw_cli_keygen(int argc, char **argv);
int asw_cli_sign(int argc, char **argv);
int asw_cli_verify(int argc, char **argv);
int asw_cli_approvals(int argc, char **argv);
int asw_cli_audit(int argc, char **argv);

/* Returns the value of option argv[*i] (advancing *i), or NULL when it is missing. */
static const char *optval(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) return NULL;
    return argv[++*i];
}

int asw_cli_keygen(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(argc == 2 ? stdout : stderr, "usage: airssys keygen PREFIX\n"
                                             "  writes PREFIX.key (secret, mode 0600) and "
                                             "PREFIX.pub (ed25519 public key, hex)\n");
        return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    uint8_t pk[ASW_SIG_PUBLIC_KEY_BYTES], sk[ASW_SIG_SECRET_KEY_BYTES];
    asw_error_t e = {0};
    int rc = asw_sig_keygen(pk, sk, &e);
    if (!rc) rc = asw_sig_write_keys(argv[1], pk, sk, &e);
    memset(sk, 0, sizeof sk);
    if (rc) return cli_fail("keygen", rc, &e);
    char hex[2 * ASW_SIG_PUBLIC_KEY_BYTES + 1];
    asw_hex_encode(pk, sizeof pk, hex);
    printf("%s\n", hex);
    return 0;
}

int asw_cli_sign(int argc, char **argv)
{
    const char *key = NULL, *manifest = NULL, *out = NULL, *module = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--key"))
            key = optval(argc, argv, &i);
        else if (!strcmp(argv[i], "--manifest"))
            manifest = optval(argc, argv, &i);
        else if (!strcmp(argv[i], "-o"))
            out = optval(argc, argv, &i);
        else if (!strcmp(argv[i], "--help")) {
            printf("usage: airssys sign --key K.key [--manifest Component.toml] [-o OUT.sig] "
                   "MODULE\n");
            return 0;
        } else if (argv[i][0] == '-' || module)
            return cli_usage_error("sign: unexpected argument '%s'", argv[i]);
        else
            module = argv[i];
    }
    if (!key || !module) return cli_usage_error("sign: --key and MODULE are required");
    char def[4096];
    if (!out) {
        snprintf(def, sizeof def, "%s.sig", module);
        out = def;
    }
    asw_error_t e = {0};
    int rc = asw_sig_sign_files(key, module, manifest, out, &e);
    if (rc) return cli_fail("sign", rc, &e);
    printf("wrote %s\n", out);
    return 0;
}

int asw_cli_verify(int argc, char **argv)
{
    const char *keyfile = NULL, *keytext = NULL, *manifest = NULL, *sig = NULL, *module = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--key"))
            keyfile = optval(argc, argv, &i);
        else if (!strcmp(argv[i], "--pubkey"))
            keytext = optval(argc, argv, &i);
        else if (!strcmp(argv[i], "--manifest"))
            manifest = optval(argc, argv, &i);
        else if (!strcmp(argv[i], "--sig"))
            sig = optval(argc, argv, &i);
        else if (!strcmp(argv[i], "--help")) {
            printf("usage: airssys verify [--key K.pub | --pubkey HEX|BASE64] "
                   "[--manifest Component.toml] [--sig MODULE.sig] MODULE\n");
            return 0;
        } else if (argv[i][0] == '-' || module)
            return cli_usage_error("verify: unexpected argument '%s'", argv[i]);
        else
            module = argv[i];
    }
    if (!module) return cli_usage_error("verify: MODULE is required");
    asw_error_t e = {0};
    uint8_t expected[ASW_SIG_PUBLIC_KEY_BYTES], signer[ASW_SIG_PUBLIC_KEY_BYTES];
    const uint8_t *want = NULL;
    int rc = 0;
    if (keyfile)
        rc = asw_sig_read_public_key(keyfile, expected, &e), want = expected;
    else if (keytext)
        rc = asw_sig_parse_public_key(keytext, expected, &e), want = expected;
    if (rc) return cli_fail("verify", rc, &e);
    char def[4096];
    if (!sig) {
        snprintf(def, sizeof def, "%s.sig", module);
        sig = def;
    }
    rc = asw_sig_verify_files(sig, module, manifest, want, signer, &e);
    if (rc) return cli_fail("verify", rc, &e);
    char hex[2 * ASW_SIG_PUBLIC_KEY_BYTES + 1];
    asw_hex_encode(signer, sizeof signer, hex);
    printf("OK: %s is signed by %s%s\n", module, hex, want ? " (the expected key)" : "");
    return 0;
}

/* ------------------------------------------ approvals ------------------------------------------
 */

static int print_row(void *ud, const asw_approval_info_t *i)
{
    (void)ud;
    printf("%.16s  %-9s  %-24s  %s\n", i->id, asw_approval_state_name(i->state), i->component,
           i->source ? i->source : "-");
    return 0;
}

static void print_info(const asw_approval_info_t *i)
{
    printf("id:        %s\nstate:     %s\ncomponent: %s\nsource:    %s\n", i->id,
           asw_approval_state_name(i->state), i->component, i->source ? i->source : "-");
    if (i->approver) printf("by:        %s\n", i->approver);
    if (i->reason) printf("reason:    %s\n", i->reason);
    printf("requested:\n");
    for (size_t k = 0; k < i->nrequested; k++)
        printf("  %s\n", i->requested[k]);
    if (i->state == ASW_APPROVAL_APPROVED) {
        printf("granted:\n");
        for (size_t k = 0; k < i->ngranted; k++)
            printf("  %s\n", i->granted[k]);
    }
}

static int approvals_usage(FILE *f)
{
    fprintf(f, "usage: airssys approvals [--store DIR] <command>\n"
               "  list                        all requests (id prefix, state, component, source)\n"
               "  show ID                     one request with its capabilities\n"
               "  review ID [--by NAME]       pending -> reviewing\n"
               "  approve ID [--by NAME] [--grant 'CAP']...   grant all, or only the listed\n"
               "                              capabilities (never more than requested)\n"
               "  deny ID [--by NAME] [--reason TEXT]\n"
               "The store defaults to $AIRSSYS_APPROVAL_STORE.\n");
    return f == stdout ? 0 : 2;
}

int asw_cli_approvals(int argc, char **argv)
{
    const char *store_dir = getenv("AIRSSYS_APPROVAL_STORE");
    const char *cmd = NULL, *id = NULL, *by = NULL, *reason = NULL;
    const char **grants = calloc((size_t)argc, sizeof *grants);
    size_t ngrants = 0;
    int status = 2;
    asw_approval_store_t *st = NULL;
    asw_capset_t *grant = NULL;
    asw_approval_info_t *info = NULL;
    asw_error_t e = {0};
    if (!grants) return cli_fail("approvals", ASW_E_NOMEM, NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--store"))
            slot = &store_dir;
        else if (!strcmp(a, "--by"))
            slot = &by;
        else if (!strcmp(a, "--reason"))
            slot = &reason;
        else if (!strcmp(a, "--grant"))
            slot = &grants[ngrants++];
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            status = approvals_usage(stdout);
            goto done;
        } else if (a[0] == '-') {
            status = cli_usage_error("approvals: unknown option '%s'", a);
            goto done;
        } else if (!cmd)
            cmd = a;
        else if (!id)
            id = a;
        else {
            status = cli_usage_error("approvals: unexpected argument '%s'", a);
            goto done;
        }
        if (slot && !(*slot = optval(argc, argv, &i))) {
            status = cli_usage_error("approvals: %s needs a value", a);
            goto done;
        }
    }
    if (!cmd) {
        status = approvals_usage(stderr);
        goto done;
    }
    if (!store_dir) {
        status = cli_usage_error("approvals: give --store DIR (or set AIRSSYS_APPROVAL_STORE)");
        goto done;
    }
    bool needs_id = strcmp(cmd, "list") != 0;
    if (needs_id != (id != NULL)) {
        status = cli_usage_error("approvals %s: %s", cmd,
                                 needs_id ? "an ID is required" : "takes no argument");
        goto done;
    }
    if (!by) by = getenv("USER") ? getenv("USER") : "cli";
    status = 1;
    int rc = asw_approval_store_open(store_dir, 0, NULL, &st, &e);
    if (rc) {
        status = cli_fail("approvals", rc, &e);
        goto done;
    }
    if (!strcmp(cmd, "list")) {
        rc = asw_approval_list(st, print_row, NULL, &e);
    } else if (!strcmp(cmd, "show")) {
        rc = asw_approval_get(st, id, &info, &e);
        if (!rc) print_info(info);
    } else if (!strcmp(cmd, "review")) {
        rc = asw_approval_review(st, id, by, &e);
    } else if (!strcmp(cmd, "approve")) {
        if (ngrants) {
            rc = asw_capset_new(NULL, &grant, &e);
            for (size_t k = 0; !rc && k < ngrants; k++)
                rc = asw_capset_add_text(grant, grants[k], &e);
        }
        if (!rc) rc = asw_approval_approve(st, id, by, grant, &e);
    } else if (!strcmp(cmd, "deny")) {
        rc = asw_approval_deny(st, id, by, reason, &e);
    } else {
        status = cli_usage_error("approvals: unknown command '%s'", cmd);
        goto done;
    }
    if (rc) {
        status = cli_fail(cmd, rc, &e);
        goto done;
    }
    if (strcmp(cmd, "list") && strcmp(cmd, "show")) printf("%s: %s\n", cmd, id);
    status = 0;
done:
    asw_approval_info_free(info);
    asw_capset_free(grant);
    asw_approval_store_close(st);
    free(grants);
    return status;
}

/* -------------------------------------------- audit --------------------------------------------
 */

typedef struct {
    char **lines;
    size_t cap, count; /* ring of the last `cap` lines */
} tail_ring;

static int keep_line(void *ud, const asw_audit_entry_t *en)
{
    tail_ring *r = ud;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s  %-10s  %-16s  %-8s  %-8s  %s  (%s)", en->time, en->kind,
             en->component, en->result, en->permission, en->resource, en->reason);
    char *copy = strdup(buf);
    if (!copy) return 1;
    size_t slot = r->count % r->cap;
    free(r->lines[slot]);
    r->lines[slot] = copy;
    r->count++;
    return 0;
}

int asw_cli_audit(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "tail")) {
        bool help = argc >= 2 && !strcmp(argv[1], "--help");
        fprintf(help ? stdout : stderr,
                "usage: airssys audit tail [--component X] [--result granted|denied|...] [-n N] "
                "FILE\n");
        return help ? 0 : 2;
    }
    const char *component = NULL, *result = NULL, *path = NULL;
    long n = 20;
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        if (!strcmp(argv[i], "--component"))
            v = component = optval(argc, argv, &i);
        else if (!strcmp(argv[i], "--result"))
            v = result = optval(argc, argv, &i);
        else if (!strcmp(argv[i], "-n")) {
            v = optval(argc, argv, &i);
            char *end;
            n = v ? strtol(v, &end, 10) : 0;
            if (!v || *end || n <= 0 || n > 1000000)
                return cli_usage_error("audit tail: -n takes a count from 1 to 1000000");
        } else if (argv[i][0] == '-' || path)
            return cli_usage_error("audit tail: unexpected argument '%s'", argv[i]);
        else {
            path = argv[i];
            continue;
        }
        if (!v) return cli_usage_error("audit tail: %s needs a value", argv[i]);
    }
    if (!path) return cli_usage_error("audit tail: FILE is required");
    tail_ring r = {calloc((size_t)n, sizeof(char *)), (size_t)n, 0};
    if (!r.lines) return cli_fail("audit tail", ASW_E_NOMEM, NULL);
    asw_error_t e = {0};
    size_t bad = 0;
    int rc = asw_audit_scan(path, component, result, keep_line, &r, &bad, &e);
    size_t shown = r.count < r.cap ? r.count : r.cap;
    for (size_t k = 0; k < shown; k++) {
        size_t idx = (r.count - shown + k) % r.cap;
        puts(r.lines[idx]);
    }
    for (size_t k = 0; k < r.cap; k++)
        free(r.lines[k]);
    free(r.lines);
    if (rc) return cli_fail("audit tail", rc, &e);
    if (bad) fprintf(stderr, "airssys: audit tail: %zu malformed line(s) skipped\n", bad);
    return 0;
}
