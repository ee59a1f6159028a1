/*
 * bench/workloads/workload.h -- the WebAssembly benchmark workloads, shared by their two builds.
 *
 * Each workload is one C file built twice from the same source: natively (gcc or clang -O2,
 * linked into the bench programs, entry point wl_<name>_run) and to a wasm32-wasi reactor with
 * clang -O2 (the same function exported as "run"). Every entry point takes one size parameter n
 * and returns a deterministic 64-bit checksum of its result, so native, node and our engine can
 * be checked against each other before their times are compared. Floating-point results are
 * returned as the bits of the IEEE double: all operations used (+, -, *, /, sqrt) are exactly
 * rounded both natively (x86-64 SSE2, no FMA contraction) and in wasm, so the bits must agree.
 *
 * The workloads use no libc and no imports: they measure the execution engine, not WASI.
 */
#ifndef ASW_BENCH_WORKLOAD_H
#define ASW_BENCH_WORKLOAD_H

#include <stdint.h>

#ifdef __wasm__
#define WL_EXPORT __attribute__((export_name("run")))
#else
#define WL_EXPORT
#endif

/* fib.c: recursive Fibonacci; returns fib(n). */
WL_EXPORT uint64_t wl_fib_run(int32_t n);
/* sieve.c: sieve of Eratosthenes up to n (at most WL_SIEVE_MAX); returns count*1e9 + sum mod. */
WL_EXPORT uint64_t wl_sieve_run(int32_t n);
/* matmul.c: n x n double matrix product (n at most WL_MATMUL_MAX); returns the bits of the sum. */
WL_EXPORT uint64_t wl_matmul_run(int32_t n);
/* sha256.c: SHA-256 of n pattern bytes (at most WL_BUF_MAX); returns the first 8 digest bytes. */
WL_EXPORT uint64_t wl_sha256_run(int32_t n);
/* crc32.c: CRC-32 (IEEE) of n pattern bytes (at most WL_BUF_MAX); returns the CRC. */
WL_EXPORT uint64_t wl_crc32_run(int32_t n);
/* interp.c: a small stack-bytecode interpreter running a loop of n iterations. */
WL_EXPORT uint64_t wl_interp_run(int32_t n);
/* nbody.c: n steps of a five-body planetary simulation; returns the bits of the final energy. */
WL_EXPORT uint64_t wl_nbody_run(int32_t n);

#define WL_SIEVE_MAX  (1 << 22)
#define WL_MATMUL_MAX 256
#define WL_BUF_MAX    (1 << 22)

/* Fills buf[0..n) with a deterministic byte pattern (a 32-bit LCG's high bytes). */
static inline void wl_fill_pattern(uint8_t *buf, int32_t n)
{
    uint32_t x = 12345u;
    int32_t i;

    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 24);
    }
}

/* Clamps a size parameter to [0, max]. */
static inline int32_t wl_clamp(int32_t n, int32_t max)
{
    return n < 0 ? 0 : n > max ? max : n;
}

/* The bits of a double, as the checksum of a floating-point result. */
static inline uint64_t wl_double_bits(double d)
{
    union {
        double d;
        uint64_t u;
    } u;
    u.d = d;
    return u.u;
}

#endif /* ASW_BENCH_WORKLOAD_H */
