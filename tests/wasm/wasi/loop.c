/* tests/wasm/wasi/loop.c -- a WASI guest that never ends (for --fuel and --timeout). */
#include <stdio.h>

int main(void)
{
    volatile unsigned long n = 0;
    printf("looping\n");
    fflush(stdout);
    for (;;)
        n++;
}
