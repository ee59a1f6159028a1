/*
 * tools/main.c -- the `airssys` command: global options and the table of command groups.
 *
 * Exit status: 0 success, 1 the operation failed (message on stderr), 2 usage error. Each group
 * parses its own arguments. See docs/cli.md.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    asw_cli_fn fn;
    const char *summary;
} cli_group;

int asw_cli_toml(int argc, char **argv);     /* tools/cmd_toml.c */
int asw_cli_manifest(int argc, char **argv); /* tools/cmd_manifest.c */
int asw_cli_keygen(int, char **), asw_cli_sign(int, char **), asw_cli_verify(int, char **),
    asw_cli_approvals(int, char **), asw_cli_audit(int, char **); /* tools/cmd_sec.c */
int asw_cli_wasm(int argc, char **argv);                          /* tools/cmd_wasm.c */
int asw_cli_run(int argc, char **argv);                           /* tools/cmd_run.c */
int asw_cli_ps(int argc, char **argv);                            /* tools/cmd_ps.c */

static const cli_group groups[] = {
    /* Each command group adds one line here. */
    {"toml", asw_cli_toml, "decode a TOML document to JSON (toml-test encoding)"},
    {"manifest", asw_cli_manifest, "check a Component.toml manifest"},
    {"keygen", asw_cli_keygen, "generate an ed25519 signing key pair"},
    {"sign", asw_cli_sign, "sign a module and its manifest (detached .sig)"},
    {"verify", asw_cli_verify, "verify a module's .sig"},
    {"approvals", asw_cli_approvals, "list, show, approve or deny capability requests"},
    {"audit", asw_cli_audit, "show the last records of an audit log"},
    {"wasm", asw_cli_wasm, "run, invoke, validate or inspect WebAssembly modules"},
    {"run", asw_cli_run, "run a system of components (airssys.toml)"},
    {"ps", asw_cli_ps, "list the components of a running system (control socket)"},
    {NULL, NULL, NULL},
};

int cli_fail(const char *context, int code, const asw_error_t *err)
{
    const char *msg = (err && err->code) ? asw_error_message(err) : asw_strerror(code);
    fprintf(stderr, "airssys: %s: %s\n", context, msg);
    return 1;
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("airssys: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    return 2;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: airssys [--version | --help] <command> [args...]\n\ncommands:\n");
    for (const cli_group *g = groups; g->name; g++)
        fprintf(f, "  %-12s %s\n", g->name, g->summary);
    fprintf(f, "\nRun 'airssys <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("airssys %s\n", asw_version());
        return 0;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (const cli_group *g = groups; g->name; g++)
        if (!strcmp(argv[1], g->name)) return g->fn(argc - 1, argv + 1);
    fprintf(stderr, "airssys: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
