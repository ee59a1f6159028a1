/*
 * tests/testlib.h -- helpers shared by the unit tests: an allocator that fails on demand (to run
 * a test under "fail the Nth allocation" or a memory ceiling), leak accounting, file helpers, and
 * a private temporary directory per test (made with mkdtemp, removed without a shell).
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
/* Reads a whole text file as a malloc'ed NUL-terminated string (free with free()); fails the
 * running test when the file cannot be read. */
char *asw_test_read_text(const char *path);
/* Creates or truncates path and writes text (NUL-terminated) into it; fails the running test on
 * any error. */
void asw_test_write_text(const char *path, const char *text);
/* Returns $ASW_SOURCE_DIR/rel or $ASW_BINARY_DIR/rel in a static buffer (one at a time). */
const char *asw_test_src_path(const char *rel);
const char *asw_test_bin_path(const char *rel);

/* Creates a fresh private directory /tmp/asw_<tag>_XXXXXX (mode 0700, as mkdtemp makes it) and
 * writes its canonical path (realpath: no symbolic link in it) into dir (cap bytes). tag is a
 * short name of the test, without '/'. Returns 0, or -1 (errno set, nothing left behind) when
 * the directory cannot be made or its path does not fit in cap. */
int asw_test_tmpdir_new(char *dir, size_t cap, const char *tag);
/* Removes dir and everything below it, without a shell: symbolic links are removed, never
 * followed, so a link out of the directory (to /etc, say) leaves its target alone. Only a
 * directory whose last component starts with "asw_" is touched (what asw_test_tmpdir_new
 * makes), so a wrong path cannot take anything else with it. NULL or "" is ignored (returns 0).
 * Borrows dir. Returns 0 when all is gone, -1 (errno set) when something could not be removed
 * (the rest is still removed), dir does not exist, or its last component does not start with
 * "asw_". */
int asw_test_tmpdir_remove(const char *dir);
/* Returns dir/name in a static buffer owned by this library (do not free): the result stays valid
 * until the fourth call after it (a ring of four), enough for one call that takes several paths;
 * one thread at a time. Fails the running test (fail_msg) when the path does not fit in PATH_MAX
 * bytes. */
const char *asw_test_path_in(const char *dir, const char *name);

/* A host log sink (asw_host_opts_t.log) that discards every line: for tests whose components
 * log on purpose. */
void asw_test_quiet_log(void *ud, int level, const char *comp, const char *msg, size_t len);

/* Deterministic pseudo-random numbers (xorshift64, fixed seed: every run draws the same
 * sequence) for the fuzz replay tests. */
uint32_t asw_test_rand(void);
/* Copies in[0..n) to out (cap bytes, cap >= n) and applies 1-4 random mutations: a bit flip, a
 * truncation, an inserted random byte, a deleted byte, a byte from `interesting` (ninteresting
 * values), or a LEB128 byte stretched to two (x -> x|0x80, 0). Returns the new length (<= cap). */
size_t asw_test_mutate(const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       const uint8_t *interesting, size_t ninteresting);

#endif /* ASW_TESTLIB_H */
