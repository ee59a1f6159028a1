/*
 * tools/cmd_wasm_wast.c -- `airssys wasm wast [-v] [--fuel N] FILE.json`: runs a spec-style test
 * script that wabt's `wast2json` turned into a JSON command list plus one .wasm file per module.
 *
 * Design. One engine, one store and one import set serve the whole script, as in the reference
 * interpreter: `register` adds an instance's exports to the import set under a new module name,
 * and every module is instantiated in the same store so registered objects can be shared. The
 * `spectest` module (print functions, four globals of value 666 / 666.6, a 10..20 funcref table
 * and a 1..2 page memory) is created in the store before the first command.
 *
 * Each command counts as passed, failed or skipped:
 *   module                 passes when the binary compiles and instantiates; a text module
 *                          ("module_type": "text") or one using an unsupported feature is
 *                          skipped, and so are later actions on it.
 *   action, assert_return  invoke an export or read an exported global; assert_return compares
 *                          results: integers and floats bit for bit, nan:canonical and
 *                          nan:arithmetic by their bit patterns, references as null / non-null
 *                          / the host reference number ("ref.extern N"), "either" as any of its
 *                          alternatives.
 *   assert_trap            the action must trap; when the expected text is a trap of the spec
 *                          whose kind the API distinguishes, the kind must match.
 *   assert_exhaustion      the action must trap with "call stack exhausted".
 *   assert_invalid / _malformed / _unlinkable / _uninstantiable
 *                          the module must fail with ASW_E_INVALID_MODULE / ASW_E_MALFORMED /
 *                          ASW_E_LINK / ASW_E_TRAP respectively (the error class, not its text).
 * Anything this runner does not understand (new command types, v128 values, exception tags) is
 * skipped, never a crash. The last line on stdout is "N passed, M failed, K skipped"; the exit
 * status is 1 iff M > 0 (2 for usage errors or an unreadable script).
 *
 * Host references: "ref.extern N" is the externref whose pointer value is N + 1, so that
 * reference 0 is not the null reference. The runner never dereferences them.
 *
 * Not done: text-format modules (wast2json only emits them for assert_malformed/assert_invalid
 * "quote" modules, which need a text parser) and SIMD values.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Outcome of one command. */
enum { R_PASS, R_FAIL, R_SKIP };

typedef struct {
    char *name; /* "$M" as written by wast2json; owned */
    asw_instance_t *inst;
    bool skipped; /* the module was skipped: actions on it are skipped too */
} named_inst;

typedef struct {
    const char *dir;    /* directory of the JSON file (borrowed) */
    const char *source; /* source_filename for messages (borrowed from the JSON) */
    bool verbose;
    bool has_fuel;
    uint64_t fuel;
    asw_engine_t *engine;
    asw_store_t *store;
    asw_imports_t *imports;
    asw_instance_t *current; /* the last module instantiated; NULL if none or failed */
    bool current_skipped;
    named_inst *named;
    size_t nnamed, capnamed;
    unsigned long passed, failed, skipped;
    long line; /* of the command being run */
} wast_state;

/* An action's outcome. */
typedef struct {
    int rc; /* ASW_OK, ASW_E_TRAP, another ASW_E_* code, or 1 when the action was skipped */
    asw_val_t *results;
    size_t nresults;
    asw_trap_t *trap;
    asw_error_t err;
    char why[256]; /* reason for skipping or failing before the call */
} action_out;

#define ACTION_SKIPPED 1

static void failf(wast_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void failf(wast_state *st, const char *fmt, ...)
{
    st->failed++;
    if (!st->verbose) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%ld: FAIL: ", st->source, st->line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void skipf(wast_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void skipf(wast_state *st, const char *fmt, ...)
{
    st->skipped++;
    if (!st->verbose) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%ld: skip: ", st->source, st->line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static const char *jstr(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ------------------------------------------------------------------ values */

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+') return false;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = (uint64_t)v;
    return true;
}

static void *host_ref(uint64_t n)
{
    return (void *)(uintptr_t)(n + 1);
}

/* Converts a JSON argument to a value. Returns R_PASS, or R_SKIP (with why) for types this
 * runner cannot express, or R_FAIL for a malformed entry. */
static int parse_arg(json_t *arg, asw_val_t *out, char *why, size_t whylen)
{
    const char *type = jstr(arg, "type");
    const char *val = jstr(arg, "value");
    uint64_t u = 0;
    if (!type) {
        snprintf(why, whylen, "argument without a type");
        return R_FAIL;
    }
    memset(out, 0, sizeof *out);
    if (!strcmp(type, "i32") || !strcmp(type, "f32")) {
        if (!parse_u64(val, &u) || u > UINT32_MAX) goto bad;
        out->kind = type[0] == 'i' ? ASW_I32 : ASW_F32;
        out->of.i32 = (int32_t)(uint32_t)u;
        return R_PASS;
    }
    if (!strcmp(type, "i64") || !strcmp(type, "f64")) {
        if (!parse_u64(val, &u)) goto bad;
        out->kind = type[0] == 'i' ? ASW_I64 : ASW_F64;
        out->of.i64 = (int64_t)u;
        return R_PASS;
    }
    if (!strcmp(type, "externref")) {
        out->kind = ASW_EXTERNREF;
        if (val && !strcmp(val, "null")) return R_PASS;
        if (!parse_u64(val, &u) || u >= UINTPTR_MAX) goto bad;
        out->of.externref = host_ref(u);
        return R_PASS;
    }
    if (!strcmp(type, "funcref")) {
        out->kind = ASW_FUNCREF;
        if (val && !strcmp(val, "null")) return R_PASS;
        snprintf(why, whylen, "non-null funcref argument");
        return R_SKIP;
    }
    snprintf(why, whylen, "unsupported argument type %s", type);
    return R_SKIP;
bad:
    snprintf(why, whylen, "bad %s value '%s'", type, val ? val : "(none)");
    return R_FAIL;
}

static const char *kind_name(uint8_t kind)
{
    switch (kind) {
    case ASW_I32: return "i32";
    case ASW_I64: return "i64";
    case ASW_F32: return "f32";
    case ASW_F64: return "f64";
    case ASW_V128: return "v128";
    case ASW_FUNCREF: return "funcref";
    case ASW_EXTERNREF: return "externref";
    default: return "?";
    }
}

static void format_val(const asw_val_t *v, char *buf, size_t len)
{
    uint32_t b32 = (uint32_t)v->of.i32;
    uint64_t b64 = (uint64_t)v->of.i64;
    switch (v->kind) {
    case ASW_I32: snprintf(buf, len, "i32:%" PRIu32 " (%" PRId32 ")", b32, v->of.i32); break;
    case ASW_I64: snprintf(buf, len, "i64:%" PRIu64 " (%" PRId64 ")", b64, v->of.i64); break;
    case ASW_F32: snprintf(buf, len, "f32:0x%08" PRIx32 " (%.9g)", b32, (double)v->of.f32); break;
    case ASW_F64: snprintf(buf, len, "f64:0x%016" PRIx64 " (%.17g)", b64, v->of.f64); break;
    case ASW_FUNCREF: snprintf(buf, len, "funcref:%s", v->of.funcref ? "non-null" : "null"); break;
    case ASW_EXTERNREF:
        if (!v->of.externref)
            snprintf(buf, len, "externref:null");
        else
            snprintf(buf, len, "externref:%" PRIuPTR, (uintptr_t)v->of.externref - 1);
        break;
    default: snprintf(buf, len, "%s:?", kind_name(v->kind));
    }
}

static void format_expected(json_t *e, char *buf, size_t len)
{
    const char *type = jstr(e, "type");
    const char *val = jstr(e, "value");
    if (type && !strcmp(type, "either")) {
        char *s = json_dumps(json_object_get(e, "values"), JSON_COMPACT);
        snprintf(buf, len, "either %s", s ? s : "?");
        free(s);
        return;
    }
    if (type && val && (!strcmp(type, "f32") || !strcmp(type, "f64")) && strncmp(val, "nan:", 4)) {
        uint64_t u = 0;
        if (parse_u64(val, &u)) {
            if (type[1] == '3')
                snprintf(buf, len, "f32:0x%08" PRIx64, u);
            else
                snprintf(buf, len, "f64:0x%016" PRIx64, u);
            return;
        }
    }
    snprintf(buf, len, "%s:%s", type ? type : "?", val ? val : "(any)");
}

/* Does `got` match the expectation `e`? Returns R_PASS (match), R_FAIL (mismatch) or R_SKIP
 * (the expectation uses something this runner does not support). */
static int match_val(json_t *e, const asw_val_t *got)
{
    const char *type = jstr(e, "type");
    const char *val = jstr(e, "value");
    uint64_t u = 0;
    if (!type) return R_FAIL;
    if (!strcmp(type, "either")) {
        json_t *alts = json_object_get(e, "values");
        size_t i;
        json_t *a;
        int res = R_FAIL;
        if (!json_is_array(alts)) return R_SKIP;
        json_array_foreach(alts, i, a)
        {
            int r = match_val(a, got);
            if (r == R_PASS) return R_PASS;
            if (r == R_SKIP) res = R_SKIP;
        }
        return res;
    }
    if (!strcmp(type, "i32")) {
        if (!parse_u64(val, &u)) return R_SKIP;
        return got->kind == ASW_I32 && (uint32_t)got->of.i32 == (uint32_t)u ? R_PASS : R_FAIL;
    }
    if (!strcmp(type, "i64")) {
        if (!parse_u64(val, &u)) return R_SKIP;
        return got->kind == ASW_I64 && (uint64_t)got->of.i64 == u ? R_PASS : R_FAIL;
    }
    if (!strcmp(type, "f32")) {
        uint32_t b = (uint32_t)got->of.i32;
        if (got->kind != ASW_F32) return R_FAIL;
        if (val && !strcmp(val, "nan:canonical"))
            return (b & 0x7fffffffu) == 0x7fc00000u ? R_PASS : R_FAIL;
        if (val && !strcmp(val, "nan:arithmetic"))
            return (b & 0x7fc00000u) == 0x7fc00000u ? R_PASS : R_FAIL;
        if (!parse_u64(val, &u)) return R_SKIP;
        return b == (uint32_t)u ? R_PASS : R_FAIL;
    }
    if (!strcmp(type, "f64")) {
        uint64_t b = (uint64_t)got->of.i64;
        if (got->kind != ASW_F64) return R_FAIL;
        if (val && !strcmp(val, "nan:canonical"))
            return (b & 0x7fffffffffffffffull) == 0x7ff8000000000000ull ? R_PASS : R_FAIL;
        if (val && !strcmp(val, "nan:arithmetic"))
            return (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull ? R_PASS : R_FAIL;
        if (!parse_u64(val, &u)) return R_SKIP;
        return b == u ? R_PASS : R_FAIL;
    }
    if (!strcmp(type, "externref")) {
        if (got->kind != ASW_EXTERNREF) return R_FAIL;
        if (val && !strcmp(val, "null")) return got->of.externref == NULL ? R_PASS : R_FAIL;
        if (!val) return got->of.externref != NULL ? R_PASS : R_FAIL;
        if (!parse_u64(val, &u) || u >= UINTPTR_MAX) return R_SKIP;
        return got->of.externref == host_ref(u) ? R_PASS : R_FAIL;
    }
    if (!strcmp(type, "funcref")) {
        if (got->kind != ASW_FUNCREF) return R_FAIL;
        if (val && !strcmp(val, "null")) return got->of.funcref == NULL ? R_PASS : R_FAIL;
        return got->of.funcref != NULL ? R_PASS : R_FAIL;
    }
    return R_SKIP; /* v128, anyref, exnref, ... */
}

/* ------------------------------------------------------------------ spectest */

static int spectest_print(asw_caller_t *caller, void *user_data, const asw_val_t *args,
                          size_t nargs, asw_val_t *results, size_t nresults)
{
    const wast_state *st = user_data;
    if (!st->verbose) return ASW_OK;
    printf("spectest.%s(", nargs ? kind_name(args[0].kind) : "print");
    for (size_t i = 0; i < nargs; i++) {
        char buf[96];
        format_val(&args[i], buf, sizeof buf);
        printf("%s%s", i ? ", " : "", buf);
    }
    printf(")\n");
    return ASW_OK;
}

static int spectest_add_func(wast_state *st, const char *name, const uint8_t *params,
                             uint32_t nparams, asw_error_t *err)
{
    asw_functype_t ft = {.nparams = nparams, .nresults = 0, .params = params, .results = NULL};
    asw_func_t *f = NULL;
    int rc = asw_func_new_host(st->store, &ft, spectest_print, st, NULL, &f, err);
    if (rc) return rc;
    asw_extern_t ext = {.kind = ASW_EXTERN_FUNC, .of.func = f};
    return asw_imports_add_extern(st->imports, "spectest", name, &ext, err);
}

static int spectest_add_global(wast_state *st, const char *name, asw_val_t v, asw_error_t *err)
{
    asw_global_t *g = NULL;
    int rc = asw_global_new(st->store, v.kind, false, &v, &g, err);
    if (rc) return rc;
    asw_extern_t ext = {.kind = ASW_EXTERN_GLOBAL, .of.global = g};
    return asw_imports_add_extern(st->imports, "spectest", name, &ext, err);
}

static int spectest_define(wast_state *st, asw_error_t *err)
{
    static const uint8_t p_i32[] = {ASW_I32}, p_i64[] = {ASW_I64}, p_f32[] = {ASW_F32},
                         p_f64[] = {ASW_F64}, p_i32_f32[] = {ASW_I32, ASW_F32},
                         p_f64_f64[] = {ASW_F64, ASW_F64};
    int rc;
    if ((rc = spectest_add_func(st, "print", NULL, 0, err)) ||
        (rc = spectest_add_func(st, "print_i32", p_i32, 1, err)) ||
        (rc = spectest_add_func(st, "print_i64", p_i64, 1, err)) ||
        (rc = spectest_add_func(st, "print_f32", p_f32, 1, err)) ||
        (rc = spectest_add_func(st, "print_f64", p_f64, 1, err)) ||
        (rc = spectest_add_func(st, "print_i32_f32", p_i32_f32, 2, err)) ||
        (rc = spectest_add_func(st, "print_f64_f64", p_f64_f64, 2, err)) ||
        (rc = spectest_add_global(st, "global_i32", asw_val_i32(666), err)) ||
        (rc = spectest_add_global(st, "global_i64", asw_val_i64(666), err)) ||
        (rc = spectest_add_global(st, "global_f32", asw_val_f32(666.6f), err)) ||
        (rc = spectest_add_global(st, "global_f64", asw_val_f64(666.6), err)))
        return rc;

    asw_limits_type_t tl = {.min = 10, .max = 20, .has_max = true};
    asw_val_t null_ref = {.kind = ASW_FUNCREF, .of.funcref = NULL};
    asw_table_t *t = NULL;
    if ((rc = asw_table_new(st->store, ASW_FUNCREF, &tl, &null_ref, &t, err))) return rc;
    asw_extern_t ext = {.kind = ASW_EXTERN_TABLE, .of.table = t};
    if ((rc = asw_imports_add_extern(st->imports, "spectest", "table", &ext, err))) return rc;

    asw_limits_type_t ml = {.min = 1, .max = 2, .has_max = true};
    asw_memory_t *m = NULL;
    if ((rc = asw_memory_new(st->store, &ml, &m, err))) return rc;
    ext.kind = ASW_EXTERN_MEMORY;
    ext.of.memory = m;
    return asw_imports_add_extern(st->imports, "spectest", "memory", &ext, err);
}

/* ------------------------------------------------------------------ modules */

/* Reads dir/filename into a malloc'ed buffer. Returns 0 or an errno value. */
static int read_module_file(const wast_state *st, const char *filename, uint8_t **out,
                            size_t *out_len)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", st->dir, filename) >= (int)sizeof path)
        return ENAMETOOLONG;
    errno = 0;
    *out = (uint8_t *)cli_read_file(path, out_len);
    return *out ? 0 : errno ? errno : EIO;
}

/* Compiles the module file named by the command. On success *out_module is owned by the caller.
 * Returns the asw code, or ACTION_SKIPPED for text modules; *why explains a failure to read. */
static int load_module(wast_state *st, json_t *cmd, asw_module_t **out_module, asw_error_t *err,
                       char *why, size_t whylen)
{
    const char *mtype = jstr(cmd, "module_type");
    const char *file = jstr(cmd, "filename");
    uint8_t *bytes = NULL;
    size_t len = 0;
    *out_module = NULL;
    if (mtype && strcmp(mtype, "binary")) {
        snprintf(why, whylen, "%s-format module", mtype);
        return ACTION_SKIPPED;
    }
    if (!file) {
        snprintf(why, whylen, "command without a filename");
        return ASW_E_INVALID;
    }
    size_t flen = strlen(file);
    if (flen > 4 && !strcmp(file + flen - 4, ".wat")) {
        snprintf(why, whylen, "text-format module %s", file);
        return ACTION_SKIPPED;
    }
    int e = read_module_file(st, file, &bytes, &len);
    if (e) {
        snprintf(why, whylen, "cannot read %s: %s", file, strerror(e));
        return ASW_E_IO;
    }
    int rc = asw_module_compile(st->engine, bytes, len, out_module, err);
    free(bytes);
    return rc;
}

static int instantiate(wast_state *st, asw_module_t *module, asw_instance_t **out_inst,
                       asw_trap_t **out_trap, asw_error_t *err)
{
    if (st->has_fuel) asw_store_set_fuel(st->store, st->fuel);
    int rc = asw_instance_new(st->store, module, st->imports, out_inst, out_trap, err);
    if (rc == ASW_E_SUSPENDED) asw_store_abandon(st->store);
    return rc;
}

static int remember_name(wast_state *st, const char *name, asw_instance_t *inst, bool skipped)
{
    for (size_t i = 0; i < st->nnamed; i++) {
        if (!strcmp(st->named[i].name, name)) {
            st->named[i].inst = inst;
            st->named[i].skipped = skipped;
            return 0;
        }
    }
    if (st->nnamed == st->capnamed) {
        size_t ncap = st->capnamed ? st->capnamed * 2 : 8;
        named_inst *n = realloc(st->named, ncap * sizeof *n);
        if (!n) return ASW_E_NOMEM;
        st->named = n;
        st->capnamed = ncap;
    }
    char *copy = strdup(name);
    if (!copy) return ASW_E_NOMEM;
    st->named[st->nnamed++] = (named_inst){.name = copy, .inst = inst, .skipped = skipped};
    return 0;
}

/* Finds the instance an action or register refers to (NULL name: the current module). Returns
 * R_PASS with *out set, R_SKIP when that module was skipped, R_FAIL when there is none. */
static int find_instance(const wast_state *st, const char *name, asw_instance_t **out)
{
    if (!name) {
        *out = st->current;
        if (st->current_skipped) return R_SKIP;
        return st->current ? R_PASS : R_FAIL;
    }
    for (size_t i = 0; i < st->nnamed; i++) {
        if (!strcmp(st->named[i].name, name)) {
            *out = st->named[i].inst;
            if (st->named[i].skipped) return R_SKIP;
            return *out ? R_PASS : R_FAIL;
        }
    }
    *out = NULL;
    return R_FAIL;
}

static void cmd_module(wast_state *st, json_t *cmd)
{
    const char *name = jstr(cmd, "name");
    asw_module_t *module = NULL;
    asw_instance_t *inst = NULL;
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    char why[512] = "";
    bool skipped = false;

    int rc = load_module(st, cmd, &module, &err, why, sizeof why);
    if (rc == ACTION_SKIPPED || rc == ASW_E_UNSUPPORTED) {
        skipped = true;
        skipf(st, "module: %s", rc == ACTION_SKIPPED ? why : asw_error_message(&err));
    } else if (rc) {
        failf(st, "module did not compile: %s: %s", asw_err_name(rc),
              why[0] ? why : asw_error_message(&err));
    } else {
        rc = instantiate(st, module, &inst, &trap, &err);
        if (rc == ASW_OK) {
            st->passed++;
        } else {
            inst = NULL;
            failf(st, "module did not instantiate: %s: %s", asw_err_name(rc),
                  trap ? asw_trap_message(trap) : asw_error_message(&err));
        }
    }
    if (trap) asw_trap_free(trap);
    if (module) asw_module_free(module);
    st->current = inst;
    st->current_skipped = skipped;
    if (name && remember_name(st, name, inst, skipped)) {
        fprintf(stderr, "airssys: wast: out of memory\n");
        st->failed++;
    }
}

static void cmd_register(wast_state *st, json_t *cmd)
{
    const char *as = jstr(cmd, "as");
    asw_instance_t *inst = NULL;
    asw_error_t err = {0};
    int r = find_instance(st, jstr(cmd, "name"), &inst);
    if (!as) {
        failf(st, "register without \"as\"");
        return;
    }
    if (r == R_SKIP) {
        skipf(st, "register %s: module was skipped", as);
        return;
    }
    if (r == R_FAIL) {
        failf(st, "register %s: no such module instance", as);
        return;
    }
    int rc = asw_imports_add_instance(st->imports, as, inst, &err);
    if (rc)
        failf(st, "register %s: %s", as, asw_error_message(&err));
    else
        st->passed++;
}

/* ------------------------------------------------------------------ actions */

static void action_reset(action_out *out)
{
    free(out->results);
    if (out->trap) asw_trap_free(out->trap);
    memset(out, 0, sizeof *out);
}

/* Runs an "invoke" or "get" action. Fills *out; out->rc says what happened. */
static void run_action(wast_state *st, json_t *action, action_out *out)
{
    const char *type = jstr(action, "type");
    const char *field = jstr(action, "field");
    asw_instance_t *inst = NULL;
    asw_val_t *args = NULL;
    memset(out, 0, sizeof *out);

    int r = find_instance(st, jstr(action, "module"), &inst);
    if (r == R_SKIP) {
        out->rc = ACTION_SKIPPED;
        snprintf(out->why, sizeof out->why, "its module was skipped");
        return;
    }
    if (r == R_FAIL) {
        out->rc = ASW_E_NOT_FOUND;
        snprintf(out->why, sizeof out->why, "no module instance to act on");
        return;
    }
    if (!type || !field) {
        out->rc = ASW_E_INVALID;
        snprintf(out->why, sizeof out->why, "action without type or field");
        return;
    }
    asw_extern_t ext;
    if (asw_instance_export(inst, field, &ext)) {
        out->rc = ASW_E_NOT_FOUND;
        snprintf(out->why, sizeof out->why, "no export \"%s\"", field);
        return;
    }
    if (!strcmp(type, "get")) {
        if (ext.kind != ASW_EXTERN_GLOBAL) {
            out->rc = ASW_E_INVALID;
            snprintf(out->why, sizeof out->why, "export \"%s\" is not a global", field);
            return;
        }
        out->results = calloc(1, sizeof *out->results);
        if (!out->results) {
            out->rc = ASW_E_NOMEM;
            return;
        }
        asw_global_get(ext.of.global, &out->results[0]);
        out->nresults = 1;
        out->rc = ASW_OK;
        return;
    }
    if (strcmp(type, "invoke")) {
        out->rc = ACTION_SKIPPED;
        snprintf(out->why, sizeof out->why, "unknown action type %s", type);
        return;
    }
    if (ext.kind != ASW_EXTERN_FUNC) {
        out->rc = ASW_E_INVALID;
        snprintf(out->why, sizeof out->why, "export \"%s\" is not a function", field);
        return;
    }
    json_t *jargs = json_object_get(action, "args");
    size_t nargs = json_is_array(jargs) ? json_array_size(jargs) : 0;
    asw_functype_t ft;
    asw_func_type(ext.of.func, &ft);
    args = calloc(nargs ? nargs : 1, sizeof *args);
    out->results = calloc(ft.nresults ? ft.nresults : 1, sizeof *out->results);
    if (!args || !out->results) {
        out->rc = ASW_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < nargs; i++) {
        int pr = parse_arg(json_array_get(jargs, i), &args[i], out->why, sizeof out->why);
        if (pr != R_PASS) {
            out->rc = pr == R_SKIP ? ACTION_SKIPPED : ASW_E_INVALID;
            goto done;
        }
    }
    out->nresults = ft.nresults;
    if (st->has_fuel) asw_store_set_fuel(st->store, st->fuel);
    out->rc =
        asw_func_call(ext.of.func, args, nargs, out->results, ft.nresults, &out->trap, &out->err);
    if (out->rc == ASW_E_SUSPENDED) asw_store_abandon(st->store);
done:
    free(args);
}

/* Describes a failed action for a message. */
static const char *action_problem(const action_out *out, char *buf, size_t len)
{
    if (out->why[0]) return out->why;
    if (out->rc == ASW_E_TRAP && out->trap)
        snprintf(buf, len, "trap: %s", asw_trap_message(out->trap));
    else
        snprintf(buf, len, "%s: %s", asw_err_name(out->rc), asw_error_message(&out->err));
    return buf;
}

static void cmd_assert_return(wast_state *st, json_t *cmd)
{
    json_t *expected = json_object_get(cmd, "expected");
    const char *field = jstr(json_object_get(cmd, "action"), "field");
    action_out out;
    char buf[512];
    run_action(st, json_object_get(cmd, "action"), &out);
    if (out.rc == ACTION_SKIPPED) {
        skipf(st, "\"%s\": %s", field ? field : "?", out.why);
        goto done;
    }
    if (out.rc != ASW_OK) {
        failf(st, "\"%s\": %s", field ? field : "?", action_problem(&out, buf, sizeof buf));
        goto done;
    }
    size_t nexp = json_is_array(expected) ? json_array_size(expected) : 0;
    if (!json_is_array(expected) && expected) {
        skipf(st, "\"%s\": unsupported expectation", field ? field : "?");
        goto done;
    }
    if (nexp != out.nresults) {
        failf(st, "\"%s\": expected %zu results, got %zu", field ? field : "?", nexp, out.nresults);
        goto done;
    }
    int verdict = R_PASS;
    for (size_t i = 0; i < nexp && verdict != R_FAIL; i++) {
        json_t *e = json_array_get(expected, i);
        int r = match_val(e, &out.results[i]);
        if (r == R_FAIL) {
            char want[256], got[128];
            format_expected(e, want, sizeof want);
            format_val(&out.results[i], got, sizeof got);
            failf(st, "\"%s\": result %zu: expected %s, got %s", field ? field : "?", i, want, got);
            verdict = R_FAIL;
        } else if (r == R_SKIP) {
            verdict = R_SKIP;
        }
    }
    if (verdict == R_PASS)
        st->passed++;
    else if (verdict == R_SKIP)
        skipf(st, "\"%s\": unsupported expected value type", field ? field : "?");
done:
    action_reset(&out);
}

static void cmd_action(wast_state *st, json_t *cmd)
{
    const char *field = jstr(json_object_get(cmd, "action"), "field");
    action_out out;
    char buf[512];
    run_action(st, json_object_get(cmd, "action"), &out);
    if (out.rc == ACTION_SKIPPED)
        skipf(st, "\"%s\": %s", field ? field : "?", out.why);
    else if (out.rc != ASW_OK)
        failf(st, "\"%s\": %s", field ? field : "?", action_problem(&out, buf, sizeof buf));
    else
        st->passed++;
    action_reset(&out);
}

/* The trap kind the spec's wording names, or 0 when the API does not distinguish it. */
static int trap_kind_for_text(const char *text)
{
    static const struct {
        const char *prefix;
        int kind;
    } map[] = {
        {"unreachable", ASW_TRAP_UNREACHABLE},
        {"out of bounds memory access", ASW_TRAP_MEMORY_OOB},
        {"out of bounds table access", ASW_TRAP_TABLE_OOB},
        {"undefined element", ASW_TRAP_TABLE_OOB},
        {"uninitialized element", ASW_TRAP_NULL_REFERENCE},
        {"indirect call type mismatch", ASW_TRAP_INDIRECT_TYPE},
        {"integer overflow", ASW_TRAP_INT_OVERFLOW},
        {"integer divide by zero", ASW_TRAP_DIV_ZERO},
        {"invalid conversion to integer", ASW_TRAP_INVALID_CONVERSION},
        {"call stack exhausted", ASW_TRAP_STACK_EXHAUSTED},
    };
    if (!text) return 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strncmp(text, map[i].prefix, strlen(map[i].prefix))) return map[i].kind;
    return 0;
}

/* assert_trap on an action, and assert_exhaustion (exhaustion = true). */
static void cmd_assert_trap(wast_state *st, json_t *cmd, bool exhaustion)
{
    const char *field = jstr(json_object_get(cmd, "action"), "field");
    const char *text = exhaustion ? "call stack exhausted" : jstr(cmd, "text");
    action_out out;
    char buf[512];
    run_action(st, json_object_get(cmd, "action"), &out);
    if (!field) field = "?";
    if (out.rc == ACTION_SKIPPED) {
        skipf(st, "\"%s\": %s", field, out.why);
    } else if (out.rc == ASW_OK) {
        failf(st, "\"%s\": expected trap \"%s\", but it returned", field, text ? text : "");
    } else if (out.rc != ASW_E_TRAP || !out.trap) {
        failf(st, "\"%s\": expected trap \"%s\", got %s", field, text ? text : "",
              action_problem(&out, buf, sizeof buf));
    } else {
        int want = trap_kind_for_text(text);
        int got = (int)asw_trap_kind(out.trap);
        if (want && want != got)
            failf(st, "\"%s\": expected trap \"%s\", got trap \"%s\"", field, text,
                  asw_trap_message(out.trap));
        else
            st->passed++;
    }
    action_reset(&out);
}

/* assert_invalid / assert_malformed / assert_unlinkable / assert_uninstantiable: `want` is the
 * code the module must fail with. */
static void cmd_assert_module(wast_state *st, json_t *cmd, int want)
{
    const char *text = jstr(cmd, "text");
    asw_module_t *module = NULL;
    asw_instance_t *inst = NULL;
    asw_trap_t *trap = NULL;
    asw_error_t err = {0};
    char why[512] = "";
    if (!text) text = "";

    int rc = load_module(st, cmd, &module, &err, why, sizeof why);
    if (rc == ACTION_SKIPPED) {
        skipf(st, "%s", why);
        goto done;
    }
    if (why[0]) { /* the file could not be read */
        failf(st, "%s", why);
        goto done;
    }
    if (want == ASW_E_INVALID_MODULE || want == ASW_E_MALFORMED) {
        if (rc == want) {
            st->passed++;
        } else if (rc == ASW_OK) {
            failf(st, "expected %s (\"%s\"), but the module compiled", asw_err_name(want), text);
        } else {
            failf(st, "expected %s (\"%s\"), got %s: %s", asw_err_name(want), text,
                  asw_err_name(rc), asw_error_message(&err));
        }
        goto done;
    }
    if (rc == ASW_E_UNSUPPORTED) {
        skipf(st, "module uses an unsupported feature: %s", asw_error_message(&err));
        goto done;
    }
    if (rc) {
        failf(st, "expected %s (\"%s\") at instantiation, but compiling failed: %s: %s",
              asw_err_name(want), text, asw_err_name(rc), asw_error_message(&err));
        goto done;
    }
    rc = instantiate(st, module, &inst, &trap, &err);
    if (rc == want) {
        int kind = trap_kind_for_text(text);
        if (want == ASW_E_TRAP && trap && kind && kind != (int)asw_trap_kind(trap))
            failf(st, "expected trap \"%s\" at instantiation, got trap \"%s\"", text,
                  asw_trap_message(trap));
        else
            st->passed++;
    } else if (rc == ASW_OK) {
        failf(st, "expected %s (\"%s\"), but the module instantiated", asw_err_name(want), text);
    } else {
        failf(st, "expected %s (\"%s\"), got %s: %s", asw_err_name(want), text, asw_err_name(rc),
              trap ? asw_trap_message(trap) : asw_error_message(&err));
    }
done:
    if (trap) asw_trap_free(trap);
    if (module) asw_module_free(module);
}

static void run_command(wast_state *st, json_t *cmd)
{
    const char *type = jstr(cmd, "type");
    json_t *line = json_object_get(cmd, "line");
    st->line = json_is_integer(line) ? (long)json_integer_value(line) : 0;
    if (!type) {
        skipf(st, "command without a type");
    } else if (!strcmp(type, "module")) {
        cmd_module(st, cmd);
    } else if (!strcmp(type, "register")) {
        cmd_register(st, cmd);
    } else if (!strcmp(type, "action")) {
        cmd_action(st, cmd);
    } else if (!strcmp(type, "assert_return")) {
        cmd_assert_return(st, cmd);
    } else if (!strcmp(type, "assert_trap")) {
        cmd_assert_trap(st, cmd, false);
    } else if (!strcmp(type, "assert_exhaustion")) {
        cmd_assert_trap(st, cmd, true);
    } else if (!strcmp(type, "assert_invalid")) {
        cmd_assert_module(st, cmd, ASW_E_INVALID_MODULE);
    } else if (!strcmp(type, "assert_malformed")) {
        cmd_assert_module(st, cmd, ASW_E_MALFORMED);
    } else if (!strcmp(type, "assert_unlinkable")) {
        cmd_assert_module(st, cmd, ASW_E_LINK);
    } else if (!strcmp(type, "assert_uninstantiable")) {
        cmd_assert_module(st, cmd, ASW_E_TRAP);
    } else {
        skipf(st, "unknown command type %s", type);
    }
}

/* ------------------------------------------------------------------ entry */

static void wast_usage(FILE *f)
{
    fprintf(f, "usage: airssys wasm wast [-v] [--fuel N] FILE.json\n"
               "Runs a wast2json script; prints 'N passed, M failed, K skipped'.\n"
               "  -v, --verbose  print every failure (and skip) with its line number\n"
               "  --fuel N       give each action and instantiation N units of fuel\n");
}

int cli_wasm_wast(int argc, char **argv)
{
    wast_state st;
    const char *path = NULL;
    char *dir = NULL;
    json_t *root = NULL;
    json_error_t jerr;
    asw_error_t err = {0};
    int status = 2, rc;
    memset(&st, 0, sizeof st);

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
            st.verbose = true;
        } else if (!strcmp(argv[i], "--fuel")) {
            if (i + 1 >= argc || !parse_u64(argv[i + 1], &st.fuel))
                return cli_usage_error("wasm wast: --fuel needs a number");
            st.has_fuel = true;
            i++;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            wast_usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("wasm wast: unknown option '%s'", argv[i]);
        } else if (path) {
            return cli_usage_error("wasm wast: only one script may be given");
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        wast_usage(stderr);
        return 2;
    }

    root = json_load_file(path, 0, &jerr);
    if (!root) {
        fprintf(stderr, "airssys: wasm wast: %s:%d: %s\n", path, jerr.line, jerr.text);
        goto out;
    }
    json_t *commands = json_object_get(root, "commands");
    if (!json_is_array(commands)) {
        fprintf(stderr, "airssys: wasm wast: %s: no \"commands\" array\n", path);
        goto out;
    }
    dir = strdup(path);
    if (!dir) goto out;
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    st.dir = dir;
    st.source = jstr(root, "source_filename");
    if (!st.source) st.source = path;

    if ((rc = asw_engine_new(NULL, &st.engine, &err)) ||
        (rc = asw_store_new(st.engine, NULL, &st.store, &err)) ||
        (rc = asw_imports_new(&st.imports, &err)) || (rc = spectest_define(&st, &err))) {
        status = cli_fail("wasm wast", rc, &err);
        goto out;
    }

    size_t i;
    json_t *cmd;
    json_array_foreach(commands, i, cmd)
    {
        if (json_is_object(cmd))
            run_command(&st, cmd);
        else
            st.skipped++;
        fflush(stdout);
    }
    printf("%lu passed, %lu failed, %lu skipped\n", st.passed, st.failed, st.skipped);
    status = st.failed ? 1 : 0;
out:
    for (size_t k = 0; k < st.nnamed; k++)
        free(st.named[k].name);
    free(st.named);
    if (st.imports) asw_imports_free(st.imports);
    if (st.store) asw_store_free(st.store);
    if (st.engine) asw_engine_free(st.engine);
    json_decref(root);
    free(dir);
    return status;
}
