/* tests/guest/hello.c -- a trivial WASI command guest: prints a greeting and its arguments,
 * allocates, and exits with the number of arguments so a runner can check the exit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    char *buf = malloc(64);
    if (!buf) return 100;
    strcpy(buf, "hello from wasm");
    printf("%s\n", buf);
    for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
    free(buf);
    return argc - 1;
}
