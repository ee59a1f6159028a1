/*
 * tools/cmd_ps.c -- `airssys ps [--json] [--control PATH | SYSTEM-NAME]`: asks a running
 * `airssys run` over its control socket (tools/control.c) for its components and prints one
 * line per component, like ps(1), or JSON. Also the server side of that answer
 * (cli_ps_serve, on the control thread of `airssys run`) and the table `airssys run` prints on
 * SIGUSR1 (cli_ps_render): one renderer, so the three always agree.
 *
 * Design. Every number comes from thread-safe snapshots of the host's public API
 * (asw_component_info, asw_component_usage); nothing here locks or blocks the runtime. The
 * JSON is written by hand (flat objects; strings escaped per RFC 8259).
 *
 * Not done: watching (`ps` repeatedly), sorting or filtering options.
 */
#include "cli.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *state_name(asw_component_state_t s)
{
    switch (s) {
    case ASW_COMPONENT_RUNNING: return "running";
    case ASW_COMPONENT_STOPPED: return "stopped";
    case ASW_COMPONENT_FAILED: return "failed";
    default: return "?";
    }
}

/* 1536 -> "1.5K"; into buf. */
static const char *human(uint64_t v, char *buf, size_t cap)
{
    static const char units[] = "BKMGT";
    double d = (double)v;
    int u = 0;
    while (d >= 1024 && u < 4) {
        d /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%uB", (unsigned)v); /* v < 1024 here */
    else
        snprintf(buf, cap, d < 10 ? "%.1f%c" : "%.0f%c", d, units[u]);
    return buf;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void render_table(asw_host_t *host, FILE *f)
{
    fprintf(f, "%-20s %-12s %-8s %8s %10s %7s %8s %10s %7s %13s %7s %8s  %s\n", "NAME",
            "SUPERVISOR", "STATE", "RESTARTS", "HANDLED", "MAILBOX", "CPU-MS", "FUEL/MSG", "MEMORY",
            "STORAGE", "DENIED", "CRASHES", "LAST ERROR");
    for (size_t i = 0, n = asw_host_count(host); i < n; i++) {
        asw_component_t *c = asw_host_component(host, i);
        asw_component_info_t ci;
        asw_component_usage_t u;
        asw_component_info(c, &ci);
        (void)asw_component_usage(c, &u, NULL);
        asw_host_sup_t *s = asw_component_supervisor(c);
        char mem[16], st[32], sb[16], sq[16], fuel[24];
        if (u.has_storage)
            snprintf(st, sizeof st, "%s/%s", human(u.storage_bytes, sb, sizeof sb),
                     u.storage_quota ? human(u.storage_quota, sq, sizeof sq) : "-");
        else
            snprintf(st, sizeof st, "-");
        if (u.fuel_per_message)
            snprintf(fuel, sizeof fuel, "%" PRIu64, u.fuel_per_message);
        else
            snprintf(fuel, sizeof fuel, "-");
        fprintf(f,
                "%-20s %-12s %-8s %8" PRIu64 " %10" PRIu64 " %7" PRIu64 " %8" PRIu64
                " %10s %7s %13s %7" PRIu64 " %8" PRIu64 "  %s\n",
                ci.name, s ? asw_host_supervisor_name(s) : "-", state_name(ci.state), ci.restarts,
                ci.handled, u.mailbox_depth, u.busy_ns / 1000000u, fuel,
                human(ci.linear_bytes, mem, sizeof mem), st, ci.denied, ci.crashes, ci.last_error);
    }
}

static void render_json(asw_host_t *host, const char *system_name, FILE *f)
{
    fputs("{\"system\":", f);
    json_str(f, system_name);
    fprintf(f, ",\"pid\":%ld,\"components\":[", (long)getpid());
    for (size_t i = 0, n = asw_host_count(host); i < n; i++) {
        asw_component_t *c = asw_host_component(host, i);
        asw_component_info_t ci;
        asw_component_usage_t u;
        asw_component_info(c, &ci);
        (void)asw_component_usage(c, &u, NULL);
        asw_host_sup_t *s = asw_component_supervisor(c);
        fputs(i ? ",{\"name\":" : "{\"name\":", f);
        json_str(f, ci.name);
        fputs(",\"supervisor\":", f);
        if (s)
            json_str(f, asw_host_supervisor_name(s));
        else
            fputs("null", f);
        fputs(",\"state\":", f);
        json_str(f, state_name(ci.state));
        fputs(",\"trust\":", f);
        json_str(f, asw_trust_level_name(ci.trust));
        fprintf(f,
                ",\"actor\":%" PRIu64 ",\"restarts\":%" PRIu64 ",\"crashes\":%" PRIu64
                ",\"handled\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"denied\":%" PRIu64
                ",\"mailbox\":%" PRIu64 ",\"cpu_ns\":%" PRIu64 ",\"fuel_per_message\":%" PRIu64
                ",\"memory_bytes\":%" PRIu64 ",\"memory_limit_bytes\":%" PRIu64,
                (uint64_t)ci.actor, ci.restarts, ci.crashes, ci.handled, ci.sent, ci.denied,
                u.mailbox_depth, u.busy_ns, u.fuel_per_message, ci.linear_bytes,
                u.memory_limit_bytes);
        if (u.has_storage)
            fprintf(f,
                    ",\"storage\":{\"bytes\":%" PRIu64 ",\"keys\":%" PRIu64 ",\"quota\":%" PRIu64
                    "}",
                    u.storage_bytes, u.storage_keys, u.storage_quota);
        else
            fputs(",\"storage\":null", f);
        fputs(",\"last_error\":", f);
        json_str(f, ci.last_error);
        fputc('}', f);
    }
    fputs("]}\n", f);
}

void cli_ps_render(asw_host_t *host, const char *system_name, bool json, FILE *out)
{
    if (json)
        render_json(host, system_name, out);
    else
        render_table(host, out);
    fflush(out);
}

int cli_ps_serve(void *ud, const char *request, FILE *out)
{
    const cli_ps_ctx *ctx = ud;
    if (!strcmp(request, "ps") || !strcmp(request, "ps json")) {
        cli_ps_render(ctx->host, ctx->system_name, request[2] != 0, out);
        return 0;
    }
    if (!strcmp(request, "ping")) {
        fprintf(out, "pong %s %ld\n", ctx->system_name, (long)getpid());
        return 0;
    }
    fprintf(out, "error: unknown request '%.64s' (use ps, ps json or ping)\n", request);
    return 1;
}

static int ps_usage(FILE *f, int status)
{
    fprintf(f, "usage: airssys ps [--json] [--control PATH | SYSTEM-NAME]\n"
               "  lists the components of a running `airssys run` (its control socket)\n"
               "  SYSTEM-NAME    the [system] name (default: the only system running)\n"
               "  --control PATH the socket given to `airssys run --control`\n"
               "  --json         one JSON object instead of the table\n");
    return status;
}

int asw_cli_ps(int argc, char **argv);

int asw_cli_ps(int argc, char **argv)
{
    bool json = false;
    const char *control = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json"))
            json = true;
        else if (!strcmp(a, "--control") && i + 1 < argc)
            control = argv[++i];
        else if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return ps_usage(stdout, 0);
        else if (a[0] == '-' || name)
            return ps_usage(stderr, 2);
        else
            name = a;
    }
    if (control && name) return cli_usage_error("ps: give --control PATH or a system name");
    char path[PATH_MAX], err[512];
    if (!control) {
        int rc = name ? cli_control_path(name, path, sizeof path, false, err, sizeof err)
                      : cli_control_find(path, sizeof path, err, sizeof err);
        if (rc) {
            fprintf(stderr, "airssys: ps: %s\n", err);
            return 1;
        }
        control = path;
    }
    char *resp = NULL;
    size_t len = 0;
    if (cli_control_call(control, json ? "ps json" : "ps", &resp, &len, err, sizeof err)) {
        fprintf(stderr, "airssys: ps: %s\n", err);
        return 1;
    }
    fwrite(resp, 1, len, stdout);
    free(resp);
    return 0;
}
