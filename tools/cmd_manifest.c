/*
 * tools/cmd_manifest.c -- `airssys manifest check FILE`: parses and validates a Component.toml
 * (airssys/manifest.h) and prints "ok: <name> <version>" (exit 0), or the first error as
 * "FILE:LINE:COLUMN: message" on stderr (exit 1). With --verbose it also lists the capability
 * entries (in the text form of asw_capset_add_text), quotas, resources and supervision.
 * See docs/manifest.md for the format.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_perms(uint32_t perms)
{
    bool first = true;
    for (uint32_t bit = 1; bit && bit <= perms; bit <<= 1) {
        if (!(perms & bit)) continue;
        printf("%s%s", first ? "" : ",", asw_cap_perm_name(bit));
        first = false;
    }
}

static void print_details(const asw_manifest_t *m)
{
    static const char *quota_names[ASW_QUOTA_KINDS] = {
        "storage (bytes)", "messages/s", "network bytes/s", "cpu ms/s", "memory (bytes)"};
    static const char *restart_names[] = {"permanent", "transient", "temporary"};
    static const char *backoff_names[] = {"immediate", "linear", "exponential"};
    for (size_t i = 0; i < m->ncaps; i++) {
        const asw_cap_spec_t *s = &m->caps[i].spec;
        printf("capability: %s%s ", s->deny ? "deny " : "", asw_cap_kind_name(s->kind));
        print_perms(s->perms);
        printf(" %s", s->pattern);
        for (size_t j = 0; j < s->nparams; j++)
            printf(" %s", s->params[j]);
        printf("  (line %" PRIu32 ")\n", m->caps[i].line);
    }
    for (int k = 0; k < ASW_QUOTA_KINDS; k++)
        if (m->quota.limit[k]) printf("quota: %s %" PRIu64 "\n", quota_names[k], m->quota.limit[k]);
    if (m->memory_bytes) printf("resources: memory %" PRIu64 " bytes\n", m->memory_bytes);
    if (m->fuel) printf("resources: fuel %" PRIu64 "\n", m->fuel);
    if (m->timeout_ns) printf("resources: timeout %" PRIu64 " ms\n", m->timeout_ns / 1000000);
    if (m->has_supervision)
        printf("supervision: %s, %" PRIu32 " restarts within %" PRIu64
               " ms, backoff %s (base %" PRIu64 " ms, max %" PRIu64 " ms)\n",
               restart_names[m->restart], m->max_restarts, m->within_ns / 1000000,
               backoff_names[m->backoff], m->backoff_base_ns / 1000000,
               m->backoff_max_ns / 1000000);
}

static int manifest_check(const char *path, bool verbose)
{
    size_t len = 0;
    char *text = cli_read_file(path, &len);
    if (!text) {
        fprintf(stderr, "airssys: manifest check: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    asw_error_t err;
    asw_manifest_t *m = NULL;
    int rc = asw_manifest_parse(text, len, &m, &err);
    free(text);
    if (rc) {
        unsigned long line, col;
        int used = 0;
        if (sscanf(err.msg, "line %lu, column %lu: %n", &line, &col, &used) == 2 && used > 0)
            fprintf(stderr, "%s:%lu:%lu: %s\n", path, line, col, err.msg + used);
        else
            fprintf(stderr, "%s: %s\n", path, asw_error_message(&err));
        return 1;
    }
    printf("ok: %s %s\n", m->name, m->version);
    if (verbose) print_details(m);
    asw_manifest_free(m);
    return fflush(stdout) ? 1 : 0;
}

int asw_cli_manifest(int argc, char **argv);

int asw_cli_manifest(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: airssys manifest check [--verbose] FILE\n\n"
               "Validates a Component.toml. Prints \"ok: <name> <version>\", or the first\n"
               "error as FILE:LINE:COLUMN: message (exit status 1). --verbose also lists the\n"
               "capabilities, quotas, resources and supervision. See docs/manifest.md.\n");
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "check")) return manifest_check(argv[2], false);
    if (argc == 4 && !strcmp(argv[1], "check") && !strcmp(argv[2], "--verbose"))
        return manifest_check(argv[3], true);
    return cli_usage_error("usage: airssys manifest check [--verbose] FILE");
}
