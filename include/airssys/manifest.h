/*
 * airssys/manifest.h -- Component.toml, the manifest of a component: who it is ([component]),
 * what it may do ([capabilities]), how much it may use ([quota], [resources]) and how it is
 * restarted ([supervision]). The format, every key, the units and the errors are in
 * docs/manifest.md.
 *
 * Design. asw_manifest_parse() parses the TOML text (airssys/toml.h), then validates it strictly:
 * unknown tables or keys, wrong types, relative or ".." paths, bad patterns, duplicate or empty
 * patterns, bad ports, units or durations are all errors that name the line and column of the
 * offending key or value. Sizes, rates, ports and capability patterns are checked with the
 * security layer's parsers (airssys/security.h), so a manifest accepts exactly what the
 * capability checker and the quota counters accept. The result is plain data: capabilities are
 * ready-made asw_cap_spec_t entries (asw_capset_add each one), quotas an asw_quota_limits_t,
 * supervision the enums of airssys/actor.h.
 *
 * Not done here: reading files (the caller passes the text), compiling capability sets, deciding
 * trust or approval.
 */
#ifndef AIRSSYS_MANIFEST_H
#define AIRSSYS_MANIFEST_H

#include "airssys/actor.h"
#include "airssys/base.h"
#include "airssys/security.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most capability entries (allow and deny together) one manifest may list. */
#define ASW_MANIFEST_MAX_CAPS 1024

/* One capability entry of [capabilities]: a spec for asw_capset_add (spec.deny set for entries
 * of `deny`) and where it is written. Strings are owned by the manifest. */
typedef struct asw_manifest_cap {
    asw_cap_spec_t spec;
    uint32_t line, column;
} asw_manifest_cap_t;

/* A parsed, validated manifest. Every pointer is owned by the manifest; free it with
 * asw_manifest_free. Optional strings are NULL when absent; numbers are 0 when absent unless a
 * default is stated. */
typedef struct asw_manifest {
    /* [component] */
    const char *name;        /* required: [a-z0-9][a-z0-9_-]*, at most 64 characters */
    const char *version;     /* required: semantic version MAJOR.MINOR.PATCH[-pre][+build] */
    const char *description; /* optional */
    const char *license;     /* optional */
    const char *source;      /* optional: where the component comes from (URL or path) */
    const char *const *authors;
    size_t nauthors;

    /* [capabilities]: allow entries and deny entries, in document order. */
    const asw_manifest_cap_t *caps;
    size_t ncaps;

    /* [quota]: limit[ASW_QUOTA_*]; 0 = no limit. */
    asw_quota_limits_t quota;

    /* [resources]: 0 = the host's default. */
    uint64_t memory_bytes; /* largest linear memory */
    uint64_t fuel;         /* instructions per call */
    uint64_t timeout_ns;   /* wall-clock limit per call */

    /* [supervision]; defaults: permanent, 3 restarts within 5 s, immediate backoff. */
    bool has_supervision; /* the table is present */
    asw_restart_t restart;
    uint32_t max_restarts;
    uint64_t within_ns;
    asw_backoff_t backoff;
    uint64_t backoff_base_ns; /* linear/exponential: default 100 ms */
    uint64_t backoff_max_ns;  /* linear/exponential: default 30 s */
} asw_manifest_t;

/*
 * Parses and validates the Component.toml text[0..len). Borrows text. On success stores a new
 * manifest in *out_manifest and returns ASW_OK: returns an owned object; free with
 * asw_manifest_free. On failure *out_manifest is NULL and out_err holds "line L, column C:
 * <what>": ASW_E_PARSE for TOML syntax errors, ASW_E_MANIFEST for everything the manifest format
 * forbids; also ASW_E_NOMEM, or ASW_E_INVALID when text (with len > 0) or out_manifest is NULL.
 */
ASW_API int asw_manifest_parse(const char *text, size_t len, asw_manifest_t **out_manifest,
                               asw_error_t *out_err);

/* Frees a manifest (takes ownership; NULL is ignored). */
ASW_API void asw_manifest_free(asw_manifest_t *manifest);

/*
 * Parses a duration as the manifest writes it: a whole number and a unit, "250ms", "30s", "5m",
 * "1h" (units ms, s, m, h; no space, no fraction). Borrows s. Returns ASW_OK with *out_ns set,
 * ASW_E_PARSE on a malformed string, ASW_E_OVERFLOW when the duration does not fit in 64-bit
 * nanoseconds.
 */
ASW_API int asw_manifest_parse_duration(const char *s, uint64_t *out_ns, asw_error_t *out_err);

/* True when s is a valid component name: [a-z0-9][a-z0-9_-]*, at most 64 characters (the rule
 * of [component] name; also used for instance names in airssys.toml). Borrows s. */
ASW_API bool asw_manifest_valid_name(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_MANIFEST_H */
