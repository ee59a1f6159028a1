/*
 * bench/workloads/matmul.c -- naive n x n double matrix multiply (i-k-j order): floating-point
 * multiply-add and f64 loads/stores in a tight inner loop.
 */
#include "workload.h"

static double a[WL_MATMUL_MAX * WL_MATMUL_MAX];
static double b[WL_MATMUL_MAX * WL_MATMUL_MAX];
static double c[WL_MATMUL_MAX * WL_MATMUL_MAX];

WL_EXPORT uint64_t wl_matmul_run(int32_t n)
{
    double sum = 0.0;
    int32_t i, j, k;

    n = wl_clamp(n, WL_MATMUL_MAX);
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            a[i * n + j] = (double)((i * 7 + j * 3) % 17) / 8.0 - 1.0;
            b[i * n + j] = (double)((i * 5 + j * 11) % 13) / 4.0 - 1.5;
            c[i * n + j] = 0.0;
        }
    }
    for (i = 0; i < n; i++) {
        for (k = 0; k < n; k++) {
            double aik = a[i * n + k];
            for (j = 0; j < n; j++)
                c[i * n + j] += aik * b[k * n + j];
        }
    }
    for (i = 0; i < n * n; i++)
        sum += c[i] * (double)(i % 5 + 1);
    return wl_double_bits(sum);
}
