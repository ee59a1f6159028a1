/*
 * bench/workloads/sieve.c -- sieve of Eratosthenes: byte loads and stores with strided access
 * over a few MiB of linear memory (bounds checks and the memory path of an engine).
 */
#include "workload.h"

static uint8_t composite[WL_SIEVE_MAX + 1];

WL_EXPORT uint64_t wl_sieve_run(int32_t n)
{
    uint64_t count = 0, sum = 0;
    int32_t i, j;

    n = wl_clamp(n, WL_SIEVE_MAX);
    for (i = 0; i <= n; i++)
        composite[i] = 0;
    for (i = 2; (int64_t)i * i <= n; i++) {
        if (composite[i]) continue;
        for (j = i * i; j <= n; j += i)
            composite[j] = 1;
    }
    for (i = 2; i <= n; i++) {
        if (!composite[i]) {
            count++;
            sum += (uint64_t)i;
        }
    }
    return count * 1000000000u + sum % 1000000000u;
}
