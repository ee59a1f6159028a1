/*
 * tests/testlib.h -- helpers shared by the unit tests: an allocator that fails on demand (to run
 * a test under "fail the Nth allocation" or a memory ceiling), leak accounting, and file helpers.
 *
 * Tests include <cmocka.h> after this header (cmocka needs stdarg/stddef/setjmp first).
 */
#ifndef ASW_TESTLIB_H
#define ASW_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "airssys/base.h"

/* Installs a counting allocator. fail_at = N makes the Nth allocation from now fail (1-based);
 * 0 never fails. ceiling = bytes that may be live at once (0: no ceiling). */
void asw_test_alloc_install(unsigned long fail_at, size_t ceiling);
/* Restores the default allocator; returns the number of blocks still live (leaks). */
long asw_test_alloc_uninstall(void);
/* Number of allocations made since install (to size a fail-at-every-N loop). */
unsigned long asw_test_alloc_count(void);
/* Bytes live now. */
size_t asw_test_alloc_live_bytes(void);

/* Reads a whole file; returns a malloc'ed buffer (free with free()) or NULL. */
uint8_t *asw_test_read_file(const char *path, size_t *out_len);
/* Returns $ASW_SOURCE_DIR/rel or $ASW_BINARY_DIR/rel in a static buffer (one at a time). */
const char *asw_test_src_path(const char *rel);
const char *asw_test_bin_path(const char *rel);

#endif /* ASW_TESTLIB_H */
