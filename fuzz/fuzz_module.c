/*
 * fuzz/fuzz_module.c -- the fuzz entry point of the front end: decode + validate any bytes, and
 * (when built with ASW_FUZZ_RUN=1) compile, instantiate and run the module's exported functions
 * under a fuel limit through the public API.
 *
 * Built two ways: as a libFuzzer target (fuzz/CMakeLists.txt, -DASW_FUZZ=ON, clang) and into the
 * deterministic replay test tests/wasm/fuzz_replay.c, which calls LLVMFuzzerTestOneInput on a
 * seed corpus and mutations of it in every normal build.
 *
 * Invariants checked (a violation traps, which both harnesses report): a failing decode leaves
 * no module; a failure's code is one the front end may return and comes with a message; the
 * validator never reports success with a message.
 */
#include "wasm/decode.h"

#if defined(ASW_FUZZ_RUN) && ASW_FUZZ_RUN
#include "airssys/wasm.h"
#endif

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int rc, const asw_error_t *e)
{
    if (rc == 0) return;
    if (rc != ASW_E_MALFORMED && rc != ASW_E_INVALID_MODULE && rc != ASW_E_UNSUPPORTED &&
        rc != ASW_E_LIMIT && rc != ASW_E_NOMEM)
        __builtin_trap();
    if (e->code != rc || e->msg[0] == 0) __builtin_trap();
}

#if defined(ASW_FUZZ_RUN) && ASW_FUZZ_RUN
static void run_module(const uint8_t *data, size_t size)
{
    asw_engine_t *engine = NULL;
    asw_module_t *module = NULL;
    asw_store_t *store = NULL;
    asw_instance_t *inst = NULL;
    asw_trap_t *trap = NULL;
    if (asw_engine_new(NULL, &engine, NULL) != 0) return;
    if (asw_module_compile(engine, data, size, &module, NULL) != 0) goto out;
    if (asw_module_import_count(module) != 0) goto out;
    if (asw_store_new(engine, NULL, &store, NULL) != 0) goto out;
    asw_store_set_fuel(store, 100000);
    if (asw_instance_new(store, module, NULL, &inst, &trap, NULL) != 0) goto out;
    for (size_t i = 0; i < asw_module_export_count(module); i++) {
        asw_export_desc_t d;
        asw_val_t args[16], res[16];
        if (asw_module_export(module, i, &d) != 0 || d.type.kind != ASW_EXTERN_FUNC) continue;
        if (d.type.of.func.nparams > 16 || d.type.of.func.nresults > 16) continue;
        for (uint32_t k = 0; k < d.type.of.func.nparams; k++) {
            memset(&args[k], 0, sizeof args[k]);
            args[k].kind = d.type.of.func.params[k];
        }
        asw_func_t *f = asw_instance_func(inst, d.name);
        if (!f) continue;
        asw_trap_free(trap);
        trap = NULL;
        asw_store_set_fuel(store, 100000);
        (void)asw_func_call(f, args, d.type.of.func.nparams, res, d.type.of.func.nresults, &trap,
                            NULL);
    }
out:
    asw_trap_free(trap);
    asw_store_free(store);
    asw_module_free(module);
    asw_engine_free(engine);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    asw_module_t *m = NULL;
    asw_error_t e;
    asw_error_init(&e);
    int rc = asw__decode(NULL, data, size, &m, &e);
    check_error(rc, &e);
    if (rc != 0) {
        if (m) __builtin_trap();
        return 0;
    }
    asw_error_init(&e);
    rc = asw__validate(m, &e);
    check_error(rc, &e);
    if (rc == 0 && e.msg[0]) __builtin_trap();
    asw__module_free_decoded(m);
#if defined(ASW_FUZZ_RUN) && ASW_FUZZ_RUN
    if (rc == 0) run_module(data, size);
#endif
    return 0;
}
