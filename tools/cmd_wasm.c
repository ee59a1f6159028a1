/*
 * tools/cmd_wasm.c -- the `airssys wasm` command group: run a WASI command, invoke one export,
 * validate or inspect a module. (`wasm wast` lives in cmd_wasm_wast.c.) See docs/cli.md.
 *
 *   airssys wasm run [--dir HOST[:GUEST]]... [--dir-ro HOST[:GUEST]]... [--env K=V]...
 *                    [--fuel N] [--max-memory SIZE] [--timeout SECONDS] prog.wasm [args...]
 *   airssys wasm invoke [same options as run] mod.wasm FUNC [args...]
 *   airssys wasm validate mod.wasm
 *   airssys wasm inspect mod.wasm
 *
 * Exit status: `run` exits with the program's exit code; every command exits 134 when the guest
 * traps (the trap and its backtrace go to stderr; running out of fuel and hitting the timeout
 * are traps too), 1 when the module cannot be read, compiled or linked, 2 on usage errors.
 *
 * Uses only the public headers (airssys/wasm.h, airssys/wasi.h). Does NOT: parse the text
 * format (give it .wasm files; wat2wasm makes them).
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int asw_cli_wasm(int argc, char **argv);

#define EXIT_TRAP 134

typedef struct run_opts {
    uint64_t fuel;
    uint32_t max_pages;
    uint64_t timeout_ns;
} run_opts;

static void wasm_usage(FILE *f)
{
    fprintf(f, "usage: airssys wasm <command> [options] ...\n\n"
               "commands:\n"
               "  run [opts] prog.wasm [args...]   run a WASI command; exits with its exit code\n"
               "      --dir HOST[:GUEST]           pre-open a host directory (repeatable)\n"
               "      --dir-ro HOST[:GUEST]        pre-open it read-only (repeatable)\n"
               "      --env KEY=VALUE              set an environment variable (repeatable)\n"
               "  invoke [opts] mod.wasm FUNC [args...]  call an export, print its results\n"
               "                                   (same options as run)\n"
               "  validate mod.wasm                print \"ok\" or the validation error\n"
               "  inspect mod.wasm                 sections, imports, exports, custom sections\n"
               "  wast [-v] FILE.json              run a wast2json spec script\n\n"
               "limits (run, invoke):\n"
               "      --fuel N                     stop after about N instructions (trap)\n"
               "      --max-memory SIZE            per memory: pages, or bytes with a unit\n"
               "                                   (B, KiB, MiB, GiB; K/M/G too)\n"
               "      --timeout SECONDS            wall-clock limit (trap \"interrupted\")\n\n"
               "exit status: the program's code (run), 134 on a trap, 1 on errors, 2 on usage.\n");
}

/* ------------------------------------------------------------------ helpers */

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end) return false;
    *out = v;
    return true;
}

/* SIZE: a page count, or a byte count with a unit (B, K/KiB, M/MiB, G/GiB; KB = KiB). */
static bool parse_size_pages(const char *s, uint32_t *out_pages)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-') return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) return false;
    uint64_t mul = 0; /* 0: pages */
    if (!*end || !strcmp(end, "p") || !strcmp(end, "pages"))
        mul = 0;
    else if (!strcmp(end, "B") || !strcmp(end, "b"))
        mul = 1;
    else if (!strcmp(end, "K") || !strcmp(end, "k") || !strcmp(end, "KiB") || !strcmp(end, "KB"))
        mul = UINT64_C(1) << 10;
    else if (!strcmp(end, "M") || !strcmp(end, "m") || !strcmp(end, "MiB") || !strcmp(end, "MB"))
        mul = UINT64_C(1) << 20;
    else if (!strcmp(end, "G") || !strcmp(end, "g") || !strcmp(end, "GiB") || !strcmp(end, "GB"))
        mul = UINT64_C(1) << 30;
    else
        return false;
    uint64_t pages;
    if (mul == 0) {
        pages = v;
    } else {
        if (v > UINT64_MAX / mul) return false;
        pages = v * mul / 65536;
    }
    if (pages < 1 || pages > 65536) return false;
    *out_pages = (uint32_t)pages;
    return true;
}

/* Parses one limit option at argv[*i]; returns 1 consumed, 0 not a limit option, -1 error. */
static int parse_limit(int argc, char **argv, int *i, run_opts *o)
{
    const char *a = argv[*i];
    bool fuel = !strcmp(a, "--fuel"), mem = !strcmp(a, "--max-memory"),
         to = !strcmp(a, "--timeout");
    if (!fuel && !mem && !to) return 0;
    if (*i + 1 >= argc) {
        cli_usage_error("wasm: %s needs a value", a);
        return -1;
    }
    const char *v = argv[++*i];
    if (fuel) {
        if (!parse_u64(v, &o->fuel) || o->fuel == 0) {
            cli_usage_error("wasm: --fuel wants a positive integer, not '%s'", v);
            return -1;
        }
    } else if (mem) {
        if (!parse_size_pages(v, &o->max_pages)) {
            cli_usage_error("wasm: --max-memory wants 1..65536 pages or bytes with a unit "
                            "(e.g. 16MiB), not '%s'",
                            v);
            return -1;
        }
    } else {
        char *end;
        errno = 0;
        double secs = strtod(v, &end);
        if (errno || *end || !(secs > 0) || secs > 1e9) {
            cli_usage_error("wasm: --timeout wants a positive number of seconds, not '%s'", v);
            return -1;
        }
        o->timeout_ns = (uint64_t)(secs * 1e9);
        if (o->timeout_ns == 0) o->timeout_ns = 1;
    }
    return 1;
}

static int report_trap(asw_trap_t *trap)
{
    if (!trap) {
        fprintf(stderr, "airssys: trap\n");
        return EXIT_TRAP;
    }
    size_t need = asw_trap_format(trap, NULL, 0);
    char *buf = malloc(need + 1);
    if (buf) {
        asw_trap_format(trap, buf, need + 1);
        fputs(buf, stderr);
        if (need == 0 || buf[need - 1] != '\n') fputc('\n', stderr);
        free(buf);
    } else {
        fprintf(stderr, "trap: %s\n", asw_trap_message(trap));
    }
    asw_trap_free(trap);
    return EXIT_TRAP;
}

/* Reads and compiles a module; prints the error and returns 1 on failure. */
static int load_module(asw_engine_t *engine, const char *path, asw_module_t **out)
{
    size_t len = 0;
    uint8_t *bytes = (uint8_t *)cli_read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "airssys: %s: %s\n", path, strerror(errno));
        return 1;
    }
    asw_error_t err = {0};
    int rc = asw_module_compile(engine, bytes, len, out, &err);
    free(bytes);
    if (rc) return cli_fail(path, rc, &err);
    return 0;
}

/* ------------------------------------------------------------------ run */

/* The WASI side of run/invoke options: pre-opens and environment. Arrays sized argc. */
typedef struct wasi_opts {
    asw_wasi_preopen_t *pre;
    char **pre_strs;
    const char **env;
    size_t npre, nenv;
} wasi_opts;

static bool wasi_opts_init(wasi_opts *w, int argc)
{
    memset(w, 0, sizeof(*w));
    w->pre = calloc((size_t)argc, sizeof(*w->pre));
    w->pre_strs = calloc((size_t)argc, sizeof(char *));
    w->env = calloc((size_t)argc, sizeof(char *));
    return w->pre && w->pre_strs && w->env;
}

static void wasi_opts_free(wasi_opts *w)
{
    if (w->pre_strs)
        for (size_t k = 0; k < w->npre; k++)
            free(w->pre_strs[k]);
    free(w->pre_strs);
    free(w->pre);
    free(w->env);
}

/* Parses --dir, --dir-ro, --env at argv[*i]: 1 consumed, 0 not one of them, -1 error. */
static int parse_wasi_opt(int argc, char **argv, int *i, wasi_opts *w, const char *cmd)
{
    const char *a = argv[*i];
    bool dir = !strcmp(a, "--dir") || !strcmp(a, "--dir-ro"), env = !strcmp(a, "--env");
    if (!dir && !env) return 0;
    if (*i + 1 >= argc) {
        cli_usage_error("wasm %s: %s needs a value", cmd, a);
        return -1;
    }
    const char *v = argv[++*i];
    if (env) {
        if (!strchr(v, '=') || v[0] == '=') {
            cli_usage_error("wasm %s: --env wants KEY=VALUE, not '%s'", cmd, v);
            return -1;
        }
        w->env[w->nenv++] = v;
        return 1;
    }
    char *spec = strdup(v);
    if (!spec) {
        cli_usage_error("wasm %s: out of memory", cmd);
        return -1;
    }
    w->pre_strs[w->npre] = spec;
    char *colon = strchr(spec, ':');
    if (colon) *colon = '\0';
    if (!*spec || (colon && !colon[1])) {
        free(spec);
        w->pre_strs[w->npre] = NULL;
        cli_usage_error("wasm %s: %s wants HOST[:GUEST], not '%s'", cmd, a, v);
        return -1;
    }
    w->pre[w->npre].host_path = spec;
    w->pre[w->npre].guest_path = colon ? colon + 1 : spec;
    w->pre[w->npre].read_only = !strcmp(a, "--dir-ro");
    w->npre++;
    return 1;
}

static int cmd_run(int argc, char **argv)
{
    run_opts o = {0};
    wasi_opts wo;
    int status = 2;
    asw_engine_t *engine = NULL;
    asw_module_t *module = NULL;
    asw_wasi_t *wasi = NULL;
    if (!wasi_opts_init(&wo, argc)) {
        fprintf(stderr, "airssys: out of memory\n");
        status = 1;
        goto done;
    }
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            wasm_usage(stdout);
            status = 0;
            goto done;
        }
        int l = parse_limit(argc, argv, &i, &o);
        if (l == 0) l = parse_wasi_opt(argc, argv, &i, &wo, "run");
        if (l < 0) goto done;
        if (l > 0) continue;
        cli_usage_error("wasm run: unknown option %s", a);
        goto done;
    }
    if (i >= argc) {
        cli_usage_error("wasm run: no program given (airssys wasm run [opts] prog.wasm [args])");
        goto done;
    }
    const char *prog = argv[i];

    asw_error_t err = {0};
    int rc = asw_engine_new(NULL, &engine, &err);
    if (rc) {
        status = cli_fail("engine", rc, &err);
        goto done;
    }
    if ((status = load_module(engine, prog, &module))) goto done;

    asw_wasi_config_t cfg;
    asw_wasi_config_init(&cfg);
    cfg.args = (const char *const *)(argv + i);
    cfg.nargs = (size_t)(argc - i);
    cfg.env = wo.env;
    cfg.nenv = wo.nenv;
    cfg.preopens = wo.pre;
    cfg.npreopens = wo.npre;
    if ((rc = asw_wasi_new(&cfg, &wasi, &err))) {
        status = cli_fail("wasi", rc, &err);
        goto done;
    }
    asw_wasi_run_options_t ro = {
        .fuel = o.fuel, .max_memory_pages = o.max_pages, .timeout_ns = o.timeout_ns};
    int code = 0;
    asw_trap_t *trap = NULL;
    fflush(stdout);
    rc = asw_wasi_run(engine, module, wasi, &ro, &code, &trap, &err);
    if (rc == ASW_OK)
        status = code;
    else if (rc == ASW_E_TRAP)
        status = report_trap(trap);
    else
        status = cli_fail(prog, rc, &err);

done:
    asw_wasi_free(wasi);
    asw_module_free(module);
    asw_engine_free(engine);
    wasi_opts_free(&wo);
    return status;
}

/* ------------------------------------------------------------------ invoke */

static const char *valtype_name(uint8_t t)
{
    switch (t) {
    case ASW_I32: return "i32";
    case ASW_I64: return "i64";
    case ASW_F32: return "f32";
    case ASW_F64: return "f64";
    case ASW_V128: return "v128";
    case ASW_FUNCREF: return "funcref";
    case ASW_EXTERNREF: return "externref";
    }
    return "?";
}

/* Integers: signed or unsigned decimal (or 0x hex) in the type's range, wrapped to its bits. */
static bool parse_int(const char *s, bool wide, int64_t *out)
{
    char *end;
    errno = 0;
    if (s[0] == '-') {
        long long v = strtoll(s, &end, 0);
        if (errno || *end || end == s) return false;
        if (!wide && v < INT32_MIN) return false;
        *out = v;
        return true;
    }
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || end == s) return false;
    if (!wide && v > UINT32_MAX) return false;
    *out = wide ? (int64_t)v : (int64_t)(int32_t)(uint32_t)v;
    return true;
}

/* Floats: decimal or hex float, inf, nan, or nan:0xPAYLOAD (optionally signed). */
static bool parse_float(const char *s, bool f64, asw_val_t *out)
{
    bool neg = s[0] == '-';
    const char *p = (s[0] == '-' || s[0] == '+') ? s + 1 : s;
    if (!strncmp(p, "nan:", 4)) {
        uint64_t payload;
        if (!parse_u64(p + 4, &payload) || payload == 0) return false;
        if (f64) {
            if (payload >> 52) return false;
            *out = asw_val_f64(0);
            out->of.i64 =
                (int64_t)((neg ? UINT64_C(1) << 63 : 0) | (UINT64_C(0x7FF) << 52) | payload);
        } else {
            if (payload >> 23) return false;
            *out = asw_val_f32(0);
            out->of.i32 = (int32_t)((neg ? UINT32_C(1) << 31 : 0) | (UINT32_C(0xFF) << 23) |
                                    (uint32_t)payload);
        }
        return true;
    }
    char *end;
    errno = 0;
    if (f64) {
        double d = strtod(s, &end);
        if (*end || end == s) return false;
        *out = asw_val_f64(d);
    } else {
        float f = strtof(s, &end);
        if (*end || end == s) return false;
        *out = asw_val_f32(f);
    }
    return true;
}

static void print_float(uint64_t bits, bool f64)
{
    int expbits = f64 ? 11 : 8, mant = f64 ? 52 : 23;
    uint64_t sign = bits >> (expbits + mant);
    uint64_t exp = (bits >> mant) & ((UINT64_C(1) << expbits) - 1);
    uint64_t frac = bits & ((UINT64_C(1) << mant) - 1);
    if (exp == (UINT64_C(1) << expbits) - 1 && frac) {
        uint64_t canon = UINT64_C(1) << (mant - 1);
        if (frac == canon)
            printf("%snan\n", sign ? "-" : "");
        else
            printf("%snan:0x%" PRIx64 "\n", sign ? "-" : "", frac);
        return;
    }
    if (f64) {
        double d;
        memcpy(&d, &bits, sizeof(d));
        printf("%.17g\n", d);
    } else {
        uint32_t b32 = (uint32_t)bits;
        float f;
        memcpy(&f, &b32, sizeof(f));
        printf("%.9g\n", (double)f);
    }
}

static void print_val(const asw_val_t *v)
{
    switch (v->kind) {
    case ASW_I32: printf("%" PRId32 "\n", v->of.i32); break;
    case ASW_I64: printf("%" PRId64 "\n", v->of.i64); break;
    case ASW_F32: print_float((uint32_t)v->of.i32, false); break;
    case ASW_F64: print_float((uint64_t)v->of.i64, true); break;
    case ASW_FUNCREF: printf(v->of.funcref ? "ref.func\n" : "ref.null func\n"); break;
    case ASW_EXTERNREF:
        if (v->of.externref)
            printf("ref.extern %p\n", v->of.externref);
        else
            printf("ref.null extern\n");
        break;
    default: printf("?\n");
    }
}

static int cmd_invoke(int argc, char **argv)
{
    run_opts o = {0};
    wasi_opts wo;
    if (!wasi_opts_init(&wo, argc)) {
        wasi_opts_free(&wo);
        fprintf(stderr, "airssys: out of memory\n");
        return 1;
    }
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        int l = parse_limit(argc, argv, &i, &o);
        if (l == 0) l = parse_wasi_opt(argc, argv, &i, &wo, "invoke");
        if (l == 0) cli_usage_error("wasm invoke: unknown option %s", argv[i]);
        if (l <= 0) {
            wasi_opts_free(&wo);
            return 2;
        }
    }
    if (argc - i < 2) {
        wasi_opts_free(&wo);
        return cli_usage_error("wasm invoke: usage: invoke [opts] mod.wasm FUNC [args...]");
    }
    const char *path = argv[i], *fname = argv[i + 1];
    char **fargs = argv + i + 2;
    size_t nfargs = (size_t)(argc - i - 2);

    int status = 1;
    asw_engine_t *engine = NULL;
    asw_module_t *module = NULL;
    asw_store_t *store = NULL;
    asw_imports_t *imports = NULL;
    asw_wasi_t *wasi = NULL;
    asw_val_t *args = NULL, *res = NULL;
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    int rc = asw_engine_new(NULL, &engine, &err);
    if (rc) {
        status = cli_fail("engine", rc, &err);
        goto done;
    }
    if ((status = load_module(engine, path, &module))) goto done;
    status = 1;
    asw_store_limits_t lim = {0};
    lim.max_memory_pages = o.max_pages;
    if ((rc = asw_store_new(engine, o.max_pages ? &lim : NULL, &store, &err))) {
        status = cli_fail("store", rc, &err);
        goto done;
    }
    if (o.fuel) asw_store_set_fuel(store, o.fuel);
    /* WASI imports with inherited stdio, for modules that print or use files. */
    asw_wasi_config_t cfg;
    asw_wasi_config_init(&cfg);
    const char *a0[1] = {path};
    cfg.args = a0;
    cfg.nargs = 1;
    cfg.env = wo.env;
    cfg.nenv = wo.nenv;
    cfg.preopens = wo.pre;
    cfg.npreopens = wo.npre;
    if ((rc = asw_wasi_new(&cfg, &wasi, &err)) || (rc = asw_imports_new(&imports, &err)) ||
        (rc = asw_wasi_add_to_imports(wasi, imports, &err))) {
        status = cli_fail("wasi", rc, &err);
        goto done;
    }
    if (o.timeout_ns && (rc = asw_store_set_deadline(store, o.timeout_ns, ASW_INTERRUPT_KILL))) {
        status = cli_fail("deadline", rc, &err);
        goto done;
    }
    asw_instance_t *inst = NULL;
    rc = asw_instance_new(store, module, imports, &inst, &trap, &err);
    if (rc == ASW_E_TRAP) {
        status = report_trap(trap);
        trap = NULL;
        goto done;
    }
    if (rc) {
        status = cli_fail(path, rc, &err);
        goto done;
    }
    asw_func_t *f = asw_instance_func(inst, fname);
    if (!f) {
        fprintf(stderr, "airssys: %s: no exported function '%s'\n", path, fname);
        goto done;
    }
    asw_functype_t ft;
    asw_func_type(f, &ft);
    if (nfargs != ft.nparams) {
        status = cli_usage_error("wasm invoke: %s takes %u argument(s), %zu given", fname,
                                 ft.nparams, nfargs);
        goto done;
    }
    args = calloc(ft.nparams + 1, sizeof(*args));
    res = calloc(ft.nresults + 1, sizeof(*res));
    if (!args || !res) {
        fprintf(stderr, "airssys: out of memory\n");
        goto done;
    }
    for (uint32_t k = 0; k < ft.nparams; k++) {
        const char *s = fargs[k];
        uint8_t t = ft.params[k];
        bool ok = false;
        int64_t iv;
        if (t == ASW_I32 && (ok = parse_int(s, false, &iv)))
            args[k] = asw_val_i32((int32_t)iv);
        else if (t == ASW_I64 && (ok = parse_int(s, true, &iv)))
            args[k] = asw_val_i64(iv);
        else if (t == ASW_F32 || t == ASW_F64)
            ok = parse_float(s, t == ASW_F64, &args[k]);
        else if ((t == ASW_FUNCREF || t == ASW_EXTERNREF) && !strcmp(s, "null")) {
            args[k].kind = t;
            args[k].of.externref = NULL;
            ok = true;
        }
        if (!ok) {
            status = cli_usage_error(
                "wasm invoke: argument %u: '%s' is not a valid %s%s", k + 1, s, valtype_name(t),
                (t == ASW_FUNCREF || t == ASW_EXTERNREF) ? " (only 'null')" : "");
            goto done;
        }
    }
    fflush(stdout);
    rc = asw_func_call(f, args, ft.nparams, res, ft.nresults, &trap, &err);
    if (rc == ASW_E_TRAP) {
        status = report_trap(trap);
        trap = NULL;
        goto done;
    }
    if (rc == ASW_E_EXIT) {
        status = asw_store_exit_code(store);
        goto done;
    }
    if (rc) {
        status = cli_fail(fname, rc, &err);
        goto done;
    }
    for (uint32_t k = 0; k < ft.nresults; k++)
        print_val(&res[k]);
    status = 0;

done:
    if (trap) asw_trap_free(trap);
    free(args);
    free(res);
    asw_store_free(store);
    asw_imports_free(imports);
    asw_wasi_free(wasi);
    asw_module_free(module);
    asw_engine_free(engine);
    wasi_opts_free(&wo);
    return status;
}

/* ------------------------------------------------------------------ validate, inspect */

static int cmd_validate(int argc, char **argv)
{
    if (argc != 2) return cli_usage_error("wasm validate: usage: validate mod.wasm");
    size_t len = 0;
    uint8_t *bytes = (uint8_t *)cli_read_file(argv[1], &len);
    if (!bytes) {
        fprintf(stderr, "airssys: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    asw_engine_t *engine = NULL;
    asw_error_t err = {0};
    int rc = asw_engine_new(NULL, &engine, &err);
    if (!rc) rc = asw_module_validate(engine, bytes, len, &err);
    free(bytes);
    asw_engine_free(engine);
    if (rc) {
        printf("%s: %s\n", argv[1], err.code ? asw_error_message(&err) : asw_strerror(rc));
        return 1;
    }
    printf("ok\n");
    return 0;
}

static void print_limits(const asw_limits_type_t *l)
{
    if (l->has_max)
        printf("%" PRIu64 "..%" PRIu64, l->min, l->max);
    else
        printf("%" PRIu64 "..", l->min);
}

static void print_externtype(const asw_externtype_t *t)
{
    switch (t->kind) {
    case ASW_EXTERN_FUNC:
        printf("func (");
        for (uint32_t i = 0; i < t->of.func.nparams; i++)
            printf("%s%s", i ? ", " : "", valtype_name(t->of.func.params[i]));
        printf(") -> (");
        for (uint32_t i = 0; i < t->of.func.nresults; i++)
            printf("%s%s", i ? ", " : "", valtype_name(t->of.func.results[i]));
        printf(")");
        break;
    case ASW_EXTERN_TABLE:
        printf("table %s ", valtype_name(t->of.table.elem));
        print_limits(&t->of.table.limits);
        break;
    case ASW_EXTERN_MEMORY:
        printf("memory ");
        print_limits(&t->of.memory);
        printf(" pages");
        break;
    case ASW_EXTERN_GLOBAL:
        printf("global %s%s", t->of.global.mutable_ ? "mut " : "", valtype_name(t->of.global.type));
        break;
    }
}

/* Reads an unsigned LEB128 (at most 32 bits) from [*p, end); false when malformed. */
static bool leb_u32(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (*p >= end) return false;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            if (v > UINT32_MAX) return false;
            *out = (uint32_t)v;
            return true;
        }
    }
    return false;
}

/* Lists custom sections by walking the (already validated) binary's section headers: the API
 * finds a custom section by name but does not enumerate them. */
static void list_customs(const uint8_t *bytes, size_t len)
{
    const uint8_t *p = bytes + 8, *end = bytes + len;
    if (len < 8) return;
    while (p < end) {
        uint8_t id = *p++;
        uint32_t size;
        if (!leb_u32(&p, end, &size) || size > (size_t)(end - p)) return;
        const uint8_t *sec = p, *send = p + size;
        if (id == 0) {
            uint32_t nl;
            if (leb_u32(&sec, send, &nl) && nl <= (size_t)(send - sec))
                printf("  \"%.*s\" (%zu bytes)\n", (int)nl, (const char *)sec,
                       (size_t)(send - sec - nl));
        }
        p = send;
    }
}

static int cmd_inspect(int argc, char **argv)
{
    if (argc != 2) return cli_usage_error("wasm inspect: usage: inspect mod.wasm");
    size_t len = 0;
    uint8_t *bytes = (uint8_t *)cli_read_file(argv[1], &len);
    if (!bytes) {
        fprintf(stderr, "airssys: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    asw_engine_t *engine = NULL;
    asw_module_t *m = NULL;
    asw_error_t err = {0};
    int status = 0;
    int rc = asw_engine_new(NULL, &engine, &err);
    if (!rc) rc = asw_module_compile(engine, bytes, len, &m, &err);
    if (rc) {
        status = cli_fail(argv[1], rc, &err);
        goto done;
    }
    asw_module_info_t info;
    asw_module_info(m, &info);
    printf("module %s (%zu bytes)\n", argv[1], len);
    printf("sections:\n  types %u\n  imports %u (functions %u)\n  functions %u\n  tables %u\n"
           "  memories %u\n  globals %u\n  exports %u\n  elements %u\n  data %u\n  custom %u\n",
           info.types, info.imports, info.imported_funcs, info.funcs, info.tables, info.memories,
           info.globals, info.exports, info.elems, info.datas, info.customs);
    if (info.start_func >= 0) printf("  start function %" PRId64 "\n", info.start_func);
    printf("  code %zu bytes\n", info.code_bytes);
    size_t ni = asw_module_import_count(m), ne = asw_module_export_count(m);
    printf("imports:\n");
    for (size_t i = 0; i < ni; i++) {
        asw_import_desc_t d;
        if (asw_module_import(m, i, &d)) continue;
        printf("  %s.%s: ", d.module, d.name);
        print_externtype(&d.type);
        printf("\n");
    }
    printf("exports:\n");
    for (size_t i = 0; i < ne; i++) {
        asw_export_desc_t d;
        if (asw_module_export(m, i, &d)) continue;
        printf("  %s: ", d.name);
        print_externtype(&d.type);
        printf("\n");
    }
    printf("custom sections:\n");
    list_customs(bytes, len);

done:
    free(bytes);
    asw_module_free(m);
    asw_engine_free(engine);
    return status;
}

/* ------------------------------------------------------------------ the group */

int asw_cli_wasm(int argc, char **argv)
{
    if (argc < 2) {
        wasm_usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        wasm_usage(stdout);
        return 0;
    }
    if (!strcmp(sub, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(sub, "invoke")) return cmd_invoke(argc - 1, argv + 1);
    if (!strcmp(sub, "validate")) return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(sub, "inspect")) return cmd_inspect(argc - 1, argv + 1);
#if defined(ASW_CLI_HAVE_WAST)
    if (!strcmp(sub, "wast")) return cli_wasm_wast(argc - 1, argv + 1);
#endif
    fprintf(stderr, "airssys: wasm: unknown command '%s'\n", sub);
    wasm_usage(stderr);
    return 2;
}
