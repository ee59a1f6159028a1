/*
 * tests/wasm/wasi/probe.c -- a WASI guest that performs the file-system operations named on its
 * command line and prints one line per operation, "<op>:<arg> = <errno>" (0 on success; wasi-libc
 * errno values are the WASI errno numbers), so the tests can assert exactly which accesses the
 * host allows. Operations:
 *   raw:P    __wasi_path_open(3, follow symlinks, P, read) -- bypasses wasi-libc's path logic
 *   rawnf:P  the same without following a final symlink
 *   open:P   open(P, O_RDONLY) through wasi-libc (P absolute in the guest's view)
 *   read:P   open + read; prints the first line of the file as "  > text"
 *   create:P open(P, O_WRONLY|O_CREAT|O_TRUNC) and write "x"
 *   mkdir:P  rmdir:P  unlink:P  stat:P  list:P (readdir, prints sorted names)
 *   symlink:T=P  rename:A=B  stdin (reads stdin, prints it)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static int raw_open(const char *p, int follow)
{
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(3, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, p, 0,
                                        __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e == 0) {
        __wasi_errno_t c = __wasi_fd_close(fd);
        (void)c;
    }
    return e;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(const char *p)
{
    DIR *d = opendir(p);
    if (!d) return errno;
    char *names[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(char *), cmp);
    for (int i = 0; i < n; i++) {
        printf("  - %s\n", names[i]);
        free(names[i]);
    }
    return 0;
}

static int do_op(const char *op, char *arg)
{
    char *eq = strchr(arg, '=');
    if (!strcmp(op, "raw")) return raw_open(arg, 1);
    if (!strcmp(op, "rawnf")) return raw_open(arg, 0);
    if (!strcmp(op, "open")) {
        int fd = open(arg, O_RDONLY);
        if (fd < 0) return errno;
        close(fd);
        return 0;
    }
    if (!strcmp(op, "read")) {
        FILE *f = fopen(arg, "r");
        if (!f) return errno;
        char line[256] = "";
        if (!fgets(line, sizeof line, f)) line[0] = '\0';
        fclose(f);
        line[strcspn(line, "\n")] = '\0';
        printf("  > %s\n", line);
        return 0;
    }
    if (!strcmp(op, "create")) {
        int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return errno;
        int r = write(fd, "x", 1) == 1 ? 0 : errno;
        close(fd);
        return r;
    }
    if (!strcmp(op, "mkdir")) return mkdir(arg, 0755) ? errno : 0;
    if (!strcmp(op, "rmdir")) return rmdir(arg) ? errno : 0;
    if (!strcmp(op, "unlink")) return unlink(arg) ? errno : 0;
    if (!strcmp(op, "stat")) {
        struct stat st;
        return stat(arg, &st) ? errno : 0;
    }
    if (!strcmp(op, "list")) return list(arg);
    if (!strcmp(op, "symlink") && eq) {
        *eq = '\0';
        return symlink(arg, eq + 1) ? errno : 0;
    }
    if (!strcmp(op, "rename") && eq) {
        *eq = '\0';
        return rename(arg, eq + 1) ? errno : 0;
    }
    return -1;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "stdin")) {
            char buf[256];
            size_t n = fread(buf, 1, sizeof buf - 1, stdin);
            buf[n] = '\0';
            printf("stdin = %s\n", buf);
            continue;
        }
        char *colon = strchr(argv[i], ':');
        if (!colon) {
            printf("%s = bad command\n", argv[i]);
            continue;
        }
        *colon = '\0';
        char shown[512];
        snprintf(shown, sizeof shown, "%s", colon + 1);
        int r = do_op(argv[i], colon + 1);
        printf("%s:%s = %d\n", argv[i], shown, r);
        fflush(stdout);
    }
    return 0;
}
