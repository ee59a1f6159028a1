/*
 * fuzz/fuzz_text.h -- what fuzz/fuzz_text.c and its replay (tests/security/fuzz_text_replay.c)
 * share: the targets the first input byte selects (byte % FUZZ_TEXT_COUNT), and the entry point.
 */
#ifndef ASW_FUZZ_TEXT_H
#define ASW_FUZZ_TEXT_H

#include <stddef.h>
#include <stdint.h>

enum {
    FUZZ_TEXT_TOML,        /* asw_toml_parse, then every value walked */
    FUZZ_TEXT_MANIFEST,    /* Component.toml */
    FUZZ_TEXT_SYSMANIFEST, /* airssys.toml */
    FUZZ_TEXT_TRUST,       /* trust registry */
    FUZZ_TEXT_SIG,         /* a .sig file, verified against a fixed module */
    FUZZ_TEXT_VALUES,      /* durations, sizes, rates, ports, IPs, CIDRs, keys, permissions */
    FUZZ_TEXT_COUNT
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* ASW_FUZZ_TEXT_H */
