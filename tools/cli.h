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

/* ---- reading whole files (tools/file.c) ---- */

#include <stddef.h>
#include <stdio.h>

/* All of f, or the file at path: a malloc'ed buffer (free()) with a NUL after the last byte and
 * its length in *out_len; NULL with errno set (ENOMEM, EIO, EISDIR, or fopen's error). */
char *cli_read_stream(FILE *f, size_t *out_len);
char *cli_read_file(const char *path, size_t *out_len);

/* ---- the control socket of `airssys run` (tools/control.c; protocol in docs/cli.md) ---- */

#include <stdbool.h>
#include <stdio.h>

#define CLI_CONTROL_MAX_REQUEST 256 /* bytes of one request line */

/* Answers one request line (printable text, no newline) by writing to out; returns 0, or
 * non-zero after writing "error: <why>\n". Runs on the control thread. */
typedef int (*cli_control_fn)(void *ud, const char *request, FILE *out);
typedef struct cli_control cli_control;

/* The default directory of control sockets ($XDG_RUNTIME_DIR/airssys or /tmp/airssys-<uid>),
 * created mode 0700 (and checked to be private) when create. 0, or -1 with err set. */
int cli_control_dir(char *buf, size_t cap, bool create, char *err, size_t errcap);
/* The default socket of system `system_name`: <dir>/<name>.sock. */
int cli_control_path(const char *system_name, char *buf, size_t cap, bool create, char *err,
                     size_t errcap);
/* Listens on path (mode 0600) and serves it from a thread of its own. Refuses a path a live
 * server holds; replaces a stale socket. 0 and *out, or -1 with err set. */
int cli_control_start(const char *path, cli_control_fn fn, void *ud, cli_control **out, char *err,
                      size_t errcap);
/* Stops the thread and removes the socket if it is still ours. NULL is ignored. */
void cli_control_stop(cli_control *c);
/* Sends one request and reads the answer: 0 and the body (malloc'ed, NUL-terminated; free()),
 * or -1 with err set (no server, an "error: " answer, a timeout). */
int cli_control_call(const char *path, const char *request, char **out_resp, size_t *out_len,
                     char *err, size_t errcap);
/* The one socket in the default directory (0), or -1 with err naming none or several. */
int cli_control_find(char *buf, size_t cap, char *err, size_t errcap);

/* ---- `airssys ps` rendering, shared by the server side and SIGUSR1 (tools/cmd_ps.c) ---- */

/* Writes the component table (or JSON when json) of host's components to out. */
void cli_ps_render(asw_host_t *host, const char *system_name, bool json, FILE *out);
/* Answers a control request for `airssys run` (ud = a cli_ps_ctx). */
typedef struct cli_ps_ctx {
    asw_host_t *host;
    const char *system_name;
} cli_ps_ctx;
int cli_ps_serve(void *ud, const char *request, FILE *out);

#endif /* ASW_TOOLS_CLI_H */
