/*
 * tests/wasm/wasi/normal.c -- an ordinary C program for `airssys wasm run`: printf, malloc,
 * arguments, environment, clocks and sleeping, random bytes, and files in the pre-opened
 * directory /sandbox (fopen/fwrite/fseek/ftell/fread/fclose, mkdir, rename, stat, readdir,
 * unlink). Prints one checkable line per feature and exits with status 7.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static long long ns(const struct timespec *t)
{
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(int argc, char **argv)
{
    printf("hello from normal\n");
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    const char *foo = getenv("FOO");
    printf("FOO=%s\n", foo ? foo : "(unset)");

    char *big = malloc(1 << 20);
    if (!big) return 101;
    memset(big, 0xAB, 1 << 20);
    printf("malloc ok %d\n", big[12345] == (char)0xAB);
    free(big);

    struct timespec t0, t1, rt;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec d = {0, 20 * 1000 * 1000};
    nanosleep(&d, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("slept %s\n", ns(&t1) - ns(&t0) >= 20000000LL ? "ok" : "too short");
    clock_gettime(CLOCK_REALTIME, &rt);
    printf("realtime %s\n", rt.tv_sec > 1577836800 ? "ok" : "wrong");
    __wasi_timestamp_t cpu = 0;
    printf("cputime %s\n",
           __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu) == 0 ? "ok" : "wrong");

    unsigned char r1[16], r2[16];
    if (getentropy(r1, sizeof r1) || getentropy(r2, sizeof r2)) return 102;
    printf("random %s\n", memcmp(r1, r2, sizeof r1) ? "ok" : "same");

    FILE *f = fopen("/sandbox/out.txt", "w");
    if (!f) {
        perror("fopen w");
        return 103;
    }
    fprintf(f, "hello file\n");
    fclose(f);
    f = fopen("/sandbox/out.txt", "r");
    if (!f) return 104;
    fseek(f, 6, SEEK_SET);
    printf("tell=%ld\n", ftell(f));
    char line[64] = "";
    if (!fgets(line, sizeof line, f)) return 105;
    fclose(f);
    printf("read: %s", line);

    if (mkdir("/sandbox/sub", 0755)) {
        perror("mkdir");
        return 106;
    }
    if (rename("/sandbox/out.txt", "/sandbox/sub/moved.txt")) {
        perror("rename");
        return 107;
    }
    struct stat st;
    if (stat("/sandbox/sub/moved.txt", &st)) return 108;
    printf("size=%lld\n", (long long)st.st_size);
    DIR *dir = opendir("/sandbox/sub");
    if (!dir) return 109;
    struct dirent *de;
    while ((de = readdir(dir)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) printf("entry: %s\n", de->d_name);
    closedir(dir);
    f = fopen("/sandbox/input.txt", "r");
    if (f && fgets(line, sizeof line, f)) printf("input: %s", line);
    if (f) fclose(f);
    if (unlink("/sandbox/gone.txt")) return 110;
    fprintf(stderr, "to stderr\n");
    return 7;
}
