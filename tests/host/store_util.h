/*
 * tests/host/store_util.h -- what the storage tests share beyond testlib: a writing process
 * (storage_crash_helper) killed after a number of acknowledged writes.
 */
#ifndef ASW_TEST_STORE_UTIL_H
#define ASW_TEST_STORE_UTIL_H

#include <stddef.h>

/* Runs helper (storage_crash_helper) on dir with sync policy "full" or "none", writing keys
 * k<start>, k<start+1>, ... into namespace "victim"; kills it with SIGKILL after `acks`
 * acknowledged writes. Asserts the acknowledgements came in order and the helper died of the
 * kill. Returns the highest acknowledged index (at least start + acks - 1). */
long asw_test_store_writer_kill(const char *helper, const char *dir, const char *sync, long start,
                                long acks);

#endif /* ASW_TEST_STORE_UTIL_H */
