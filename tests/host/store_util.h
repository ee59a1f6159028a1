/*
 * tests/host/store_util.h -- what the storage tests share: a temporary store directory, and a
 * writing process (storage_crash_helper) killed after a number of acknowledged writes.
 */
#ifndef ASW_TEST_STORE_UTIL_H
#define ASW_TEST_STORE_UTIL_H

#include <stddef.h>

/* Creates /tmp/asw_<tag>_XXXXXX into dir (cap bytes): asw_test_tmpdir_new. Returns 0, or -1
 * when it cannot. */
int asw_test_store_dir_new(char *dir, size_t cap, const char *tag);
/* Removes the directory and everything in it (asw_test_tmpdir_remove); a failure is ignored. */
void asw_test_store_dir_remove(const char *dir);
/* Runs helper (storage_crash_helper) on dir with sync policy "full" or "none", writing keys
 * k<start>, k<start+1>, ... into namespace "victim"; kills it with SIGKILL after `acks`
 * acknowledged writes. Asserts the acknowledgements came in order and the helper died of the
 * kill. Returns the highest acknowledged index (at least start + acks - 1). */
long asw_test_store_writer_kill(const char *helper, const char *dir, const char *sync, long start,
                                long acks);

#endif /* ASW_TEST_STORE_UTIL_H */
