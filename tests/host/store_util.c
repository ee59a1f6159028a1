/*
 * tests/host/store_util.c -- the storage tests' killed writing process (store_util.h). Their
 * store directories come from testlib's asw_test_tmpdir_new / asw_test_tmpdir_remove.
 */
#include "testlib.h"

#include "store_util.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

long asw_test_store_writer_kill(const char *helper, const char *dir, const char *sync, long start,
                                long acks)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        char sbuf[32];
        snprintf(sbuf, sizeof sbuf, "%ld", start);
        execl(helper, helper, dir, sync, sbuf, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    assert_non_null(in);
    char line[64];
    long last = start - 1, seen = 0;
    bool killed = false;
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "ack ", 4) == 0) {
            long i = strtol(line + 4, NULL, 10);
            assert_int_equal(i, last + 1);
            last = i;
            if (++seen == acks && !killed) {
                kill(pid, SIGKILL);
                killed = true;
            }
        }
    }
    fclose(in);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(killed);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    return last;
}
