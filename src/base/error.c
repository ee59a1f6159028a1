/*
 * src/base/error.c -- the error table turned into strings, and error-record formatting.
 *
 * Everything here is generated from ASW_ERR_TABLE in include/airssys/base.h, so adding a code
 * means adding one line there. Formatting never allocates: messages live in the caller's
 * asw_error_t and are truncated (with "...") when too long.
 */
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#undef asw__errorf /* the analyzer-only macro of base.h; this file defines the function */

const char *asw_version(void)
{
    return ASW_VERSION_STRING;
}

const char *asw_strerror(int code)
{
    switch (code) {
#define ASW__ERR_MSG(name, value, msg)                                                             \
    case (value): return (msg);
        ASW_ERR_TABLE(ASW__ERR_MSG)
#undef ASW__ERR_MSG
    }
    return "unknown error";
}

const char *asw_err_name(int code)
{
    switch (code) {
#define ASW__ERR_NAME(name, value, msg)                                                            \
    case (value): return "ASW_" #name;
        ASW_ERR_TABLE(ASW__ERR_NAME)
#undef ASW__ERR_NAME
    }
    return "ASW_E_UNKNOWN";
}

void asw_error_init(asw_error_t *err)
{
    if (!err) return;
    err->code = 0;
    err->msg[0] = '\0';
}

const char *asw_error_message(const asw_error_t *err)
{
    if (!err) return asw_strerror(ASW_E_INVALID);
    return err->msg[0] ? err->msg : asw_strerror(err->code);
}

static void mark_truncated(char *buf, size_t cap)
{
    /* vsnprintf truncated the text: end it with "..." so the reader knows. */
    if (cap >= 4) memcpy(buf + cap - 4, "...", 4);
}

int asw__verrorf(asw_error_t *err, int code, const char *fmt, va_list ap)
{
    if (!err) return code;
    err->code = code;
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    if (n < 0) {
        err->msg[0] = '\0';
    } else if ((size_t)n >= sizeof err->msg) {
        mark_truncated(err->msg, sizeof err->msg);
    }
    return code;
}

int asw__errorf(asw_error_t *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    asw__verrorf(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void asw__error_prefix(asw_error_t *err, const char *fmt, ...)
{
    if (!err) return;
    char prefix[ASW_ERROR_MSG_MAX];
    char old[ASW_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    memcpy(old, err->msg, sizeof old);
    n = snprintf(err->msg, sizeof err->msg, "%s%s", prefix, old[0] ? old : asw_strerror(err->code));
    if (n >= 0 && (size_t)n >= sizeof err->msg) mark_truncated(err->msg, sizeof err->msg);
}

#if defined(ASW_CHECKS) && ASW_CHECKS
void asw__assert_fail(const char *expr, const char *file, int line)
{
    /* An internal invariant broke: this is a bug in airssys itself, never bad input. */
    fprintf(stderr, "airssys: internal assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
#endif
