/*
 * tests/host/storage_crash_helper.c -- the victim of storage_crash_test: opens the store in
 * argv[1] with sync policy argv[2] ("full" or "none"), writes keys "k<i>" = "value-<i>" for i
 * from argv[3] upwards, and after each asw_storage_set returns ASW_OK prints "ack <i>" on
 * stdout (flushed), so the driver knows what was acknowledged. Runs until killed (or until
 * 1,000,000 keys). Not a test by itself.
 */
#include "airssys/storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s DIR full|none START\n", argv[0]);
        return 2;
    }
    asw_storage_opts_t o = {0};
    o.sync = strcmp(argv[2], "full") == 0 ? ASW_STORAGE_SYNC_FULL : ASW_STORAGE_SYNC_NONE;
    asw_storage_t *st = NULL;
    asw_storage_ns_t *ns = NULL;
    asw_error_t e = {0};
    if (asw_storage_open(argv[1], &o, &st, &e) || asw_storage_ns_open(st, "victim", 0, &ns, &e)) {
        fprintf(stderr, "open: %s\n", e.msg);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    long start = strtol(argv[3], NULL, 10);
    for (long i = start; i < start + 1000000; i++) {
        char k[32], v[48];
        int kl = snprintf(k, sizeof k, "k%ld", i);
        int vl = snprintf(v, sizeof v, "value-%ld", i);
        if (asw_storage_set(ns, k, (size_t)kl, v, (size_t)vl, NULL, &e)) {
            fprintf(stderr, "set: %s\n", e.msg);
            return 1;
        }
        printf("ack %ld\n", i);
        fflush(stdout);
    }
    asw_storage_ns_close(ns);
    asw_storage_close(st);
    return 0;
}
