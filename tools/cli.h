/*
 * tools/cli.h -- what the files of the `airssys` command share: the command-group signature and
 * small helpers for reporting errors. Each group lives in tools/cmd_<group>.c and is listed once
 * in the table in tools/main.c. The CLI uses only the public headers in include/airssys/.
 */
#ifndef ASW_TOOLS_CLI_H
#define ASW_TOOLS_CLI_H

#include "airssys/airssys.h"

/* A command group: argv[0] is the group name ("wasm"); returns the process exit status. */
typedef int (*asw_cli_fn)(int argc, char **argv);

/* Prints "airssys: <context>: <message>" to stderr for a failed call and returns 1. */
int cli_fail(const char *context, int code, const asw_error_t *err);
/* Prints "airssys: <formatted message>" to stderr and returns 2 (usage errors). */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `airssys wasm wast FILE.json`: runs a wast2json spec script (tools/cmd_wasm_wast.c). */
int cli_wasm_wast(int argc, char **argv);

#endif /* ASW_TOOLS_CLI_H */
