/*
 * bench/workloads/fib.c -- recursive Fibonacci: measures calls and returns (the call path, the
 * frame setup and the operand stack traffic of an engine), with almost no memory access.
 */
#include "workload.h"

static uint64_t fib(int32_t n)
{
    return n < 2 ? (uint64_t)n : fib(n - 1) + fib(n - 2);
}

WL_EXPORT uint64_t wl_fib_run(int32_t n)
{
    return fib(n);
}
