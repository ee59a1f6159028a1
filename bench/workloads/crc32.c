/*
 * bench/workloads/crc32.c -- CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) over n bytes,
 * one table lookup per byte: byte loads, 32-bit shifts and xors, a dependent chain.
 */
#include "workload.h"

static uint8_t buf[WL_BUF_MAX];
static int32_t filled = -1;
static uint32_t table[256];
static int table_ready;

static void make_table(void)
{
    uint32_t i, k, c;

    for (i = 0; i < 256; i++) {
        c = i;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        table[i] = c;
    }
    table_ready = 1;
}

WL_EXPORT uint64_t wl_crc32_run(int32_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    int32_t i;

    n = wl_clamp(n, WL_BUF_MAX);
    if (!table_ready) make_table();
    if (filled != n) {
        wl_fill_pattern(buf, n);
        filled = n;
    }
    for (i = 0; i < n; i++)
        crc = table[(crc ^ buf[i]) & 0xFFu] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}
