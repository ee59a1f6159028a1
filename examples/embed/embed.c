/*
 * examples/embed/embed.c -- the complete embedding example of docs/embedding.md: compile a
 * module once, define a host function, instantiate, call exports with typed values, read guest
 * memory, and handle a trap as a value.
 *
 * Usage: embed guest.wasm
 */
#include <airssys/airssys.h>

#include <stdio.h>
#include <stdlib.h>

/* env.log(ptr, len): prints a string that lives in the guest's linear memory. */
static int host_log(asw_caller_t *caller, void *user_data, const asw_val_t *args, size_t nargs,
                    asw_val_t *results, size_t nresults)
{
    (void)user_data, (void)nargs, (void)results, (void)nresults;
    asw_memory_t *mem = asw_caller_memory(caller);
    uint32_t ptr = (uint32_t)args[0].of.i32, len = (uint32_t)args[1].of.i32;
    /* Never trust guest pointers: check the range in 64 bits against the memory size. */
    if (!mem || (uint64_t)ptr + len > asw_memory_size(mem))
        return asw_caller_trap(caller, "log: string out of bounds");
    printf("guest says: %.*s\n", (int)len, (const char *)asw_memory_data(mem) + ptr);
    return ASW_OK;
}

static uint8_t *read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *out_len = (size_t)n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s guest.wasm\n", argv[0]);
        return 2;
    }
    size_t len;
    uint8_t *bytes = read_file(argv[1], &len);
    if (!bytes) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }

    asw_error_t err;
    asw_engine_t *engine = NULL;
    asw_module_t *module = NULL;
    asw_store_t *store = NULL;
    asw_imports_t *imports = NULL;
    asw_instance_t *inst = NULL;
    int status = 1;

    /* 1. An engine, and the module compiled once (it could be instantiated many times). */
    if (asw_engine_new(NULL, &engine, &err) ||
        asw_module_compile(engine, bytes, len, &module, &err)) {
        fprintf(stderr, "compile: %s\n", asw_error_message(&err));
        goto out;
    }

    /* 2. Imports: env.log : [i32 i32] -> []. */
    static const uint8_t log_params[] = {ASW_I32, ASW_I32};
    asw_functype_t log_type = {2, 0, log_params, NULL};
    if (asw_imports_new(&imports, &err) ||
        asw_imports_define_func(imports, "env", "log", &log_type, host_log, NULL, &err)) {
        fprintf(stderr, "imports: %s\n", asw_error_message(&err));
        goto out;
    }

    /* 3. A store with limits, and the instance. */
    asw_store_limits_t limits = {0};
    limits.max_memory_pages = 16; /* 1 MiB */
    asw_trap_t *trap = NULL;
    if (asw_store_new(engine, &limits, &store, &err) ||
        asw_instance_new(store, module, imports, &inst, &trap, &err)) {
        fprintf(stderr, "instantiate: %s\n", asw_error_message(&err));
        asw_trap_free(trap);
        goto out;
    }
    asw_func_t *init = asw_instance_func(inst, "_initialize");
    if (init && asw_func_call(init, NULL, 0, NULL, 0, NULL, &err)) {
        fprintf(stderr, "_initialize: %s\n", asw_error_message(&err));
        goto out;
    }

    /* 4. Call an export with typed values. */
    asw_val_t args[2] = {asw_val_i32(42)}, result;
    if (asw_func_call(asw_instance_func(inst, "greet"), args, 1, &result, 1, NULL, &err)) {
        fprintf(stderr, "greet: %s\n", asw_error_message(&err));
        goto out;
    }
    printf("greet returned %d\n", result.of.i32);

    /* 5. A trap is a value: the host carries on. Use fuel to bound the work of a call. */
    asw_store_set_fuel(store, 1000000);
    args[0] = asw_val_i32(7);
    args[1] = asw_val_i32(0);
    int rc = asw_func_call(asw_instance_func(inst, "divide"), args, 2, &result, 1, &trap, &err);
    if (rc == ASW_E_TRAP) {
        char text[1024];
        asw_trap_format(trap, text, sizeof text);
        printf("divide(7, 0) trapped as expected:\n%s", text);
        asw_trap_free(trap);
    } else {
        fprintf(stderr, "divide(7, 0) should trap, got %s\n", asw_strerror(rc));
        goto out;
    }
    args[1] = asw_val_i32(2);
    if (asw_func_call(asw_instance_func(inst, "divide"), args, 2, &result, 1, NULL, &err)) {
        fprintf(stderr, "divide: %s\n", asw_error_message(&err));
        goto out;
    }
    printf("divide(7, 2) = %d; fuel left: %llu\n", result.of.i32,
           (unsigned long long)asw_store_fuel(store));
    status = 0;

out:
    asw_store_free(store); /* frees the instance, its memory and the host functions */
    asw_imports_free(imports);
    asw_module_free(module);
    asw_engine_free(engine);
    free(bytes);
    return status;
}
