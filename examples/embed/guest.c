/* examples/embed/guest.c -- the guest side of docs/embedding.md: imports one host function
 * (env.log, defined by the embedding program, not an airssys host function) and exports
 * functions the host calls, marked with the SDK's AS_EXPORT. Built as a reactor module. */
#include "airssys_guest.h"

#include <stdint.h>

__attribute__((import_module("env"), import_name("log"))) void host_log(const char *s, int len);

static char buf[64];

AS_EXPORT("greet") int greet(int n)
{
    /* Writes "hello #<n>" into linear memory and asks the host to print it. */
    const char *p = "hello #";
    int len = 0;
    while (p[len]) {
        buf[len] = p[len];
        len++;
    }
    char digits[12];
    int k = 0;
    unsigned v = (unsigned)n;
    do {
        digits[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k)
        buf[len++] = digits[--k];
    host_log(buf, len);
    return len;
}

AS_EXPORT("divide") int divide(int a, int b)
{
    return a / b; /* traps with "integer divide by zero" when b == 0 */
}
