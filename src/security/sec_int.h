/*
 * src/security/sec_int.h -- what the files of the security layer share: the compiled capability
 * entry and set, the quota counters, and the internal helpers of the parsers and matchers.
 *
 * Invariants: a compiled entry's strings live in one block owned by the entry (`mem`); the
 * pattern is validated before it is compiled, so the matchers may rely on its syntax; a set is
 * not modified after it is registered with asw_sec_register (checks read it without locks).
 * Only the files of src/security include this header.
 */
#ifndef ASW_SECURITY_SEC_INT_H
#define ASW_SECURITY_SEC_INT_H

#include "airssys/security.h"
#include "base/base.h"

#include <stdatomic.h>

/* Entry flags. */
enum {
    CAPF_META = 1u << 0,      /* fs: the pattern has wildcards (else an exact path) */
    CAPF_HOST_ANY = 1u << 1,  /* net: host "*" */
    CAPF_HOST_SUF = 1u << 2,  /* net: host "*.suffix" (host points at ".suffix") */
    CAPF_HOST_ADDR = 1u << 3, /* net: an address or CIDR range (cidr) */
    CAPF_PRIVATE = 1u << 4,   /* net: names private/loopback space explicitly */
    CAPF_PREFIX = 1u << 5,    /* storage: a prefix (pattern without the trailing '*') */
};

typedef struct asw__cap_entry {
    uint8_t kind;  /* asw_cap_kind_t */
    uint8_t deny;  /* explicit deny entry */
    uint8_t flags; /* CAPF_* */
    uint8_t nparams;
    uint16_t perms; /* ASW_PERM_* */
    uint16_t port_lo, port_hi;
    uint16_t prefix_len; /* fs: literal prefix length; storage: prefix length */
    uint16_t host_len;
    char *pattern;       /* as written (after {self} substitution), NUL-terminated */
    const char *host;    /* net-connect: the host part (inside mem), lower case */
    const char **params; /* custom: "key=value" (inside mem) */
    asw_cidr_t cidr;     /* net-connect with CAPF_HOST_ADDR */
    void *mem;           /* one block holding params, pattern and host */
    size_t mem_size;
} asw__cap_entry_t;

/* Filesystem entries are indexed once a set holds more than ASW__CAP_FS_INDEX_MIN of them: a
 * hash of each entry's literal prefix (which ends at a segment boundary, or is the whole path of
 * an exact entry) leads to a chain of entries, so a check looks up the prefixes of the request
 * path that end at a '/' (and the empty and the whole path) instead of scanning every entry. */
#define ASW__CAP_FS_INDEX_MIN 8

struct asw_capset {
    asw__cap_entry_t *entries;
    size_t count, cap;
    uint32_t *fs_buckets; /* FS index: first entry index + 1 per bucket, 0 = empty; or NULL */
    uint16_t *fs_next;    /* per entry: next entry index + 1 in its bucket (fs_next_cap slots) */
    size_t fs_nbuckets, fs_next_cap, fs_count;
    char *self_id; /* or NULL */
    size_t bytes;  /* heap bytes held (for asw_sec_context_bytes) */
};

/* The quota counters. Cumulative kinds hold a plain byte count; per-second kinds pack the
 * second (upper 24 bits) and the amount used in it (lower 40 bits) into one atomic word so a
 * single compare-and-swap moves both. */
#define ASW__QUOTA_USED_BITS 40
#define ASW__QUOTA_USED_MASK ((UINT64_C(1) << ASW__QUOTA_USED_BITS) - 1)

struct asw_quota {
    _Atomic uint64_t word[ASW_QUOTA_KINDS];
    uint64_t limit[ASW_QUOTA_KINDS];
};

/* Initialises counters in place (limits borrowed, NULL: unlimited). ASW_E_INVALID for a rate
 * limit above ASW_QUOTA_RATE_MAX. */
int asw__quota_init(asw_quota_t *q, const asw_quota_limits_t *limits, asw_error_t *err);

/* parse.c */
int asw__sec_parse_ports_n(const char *s, size_t n, uint16_t *out_lo, uint16_t *out_hi,
                           asw_error_t *err);
int asw__sec_parse_cidr_n(const char *s, size_t n, asw_cidr_t *out, asw_error_t *err);
int asw__sec_valid_hostname(const char *s, size_t n);
int asw__sec_validate_host_n(const char *s, size_t n, asw_error_t *err);
int asw__sec_split_target(const char *s, size_t n, const char **host, size_t *hlen,
                          const char **ports, size_t *plen, asw_error_t *err);

/* glob.c: asw_path_glob_match when pattern and path are known to share their first lit bytes,
 * all literal (no metacharacter or escape) and ending at a segment boundary; skips them. */
bool asw__sec_glob_match_from(const char *pattern, const char *path, size_t lit);

/* glob.c */
/* Matches a topic/component name against a messaging pattern ('+', '#'). */
bool asw__sec_topic_match(const char *pattern, const char *topic);
/* Matches a URL against a pattern where '*' matches any run of characters except '/'. */
bool asw__sec_wild_match(const char *pattern, const char *s);
/* Case-insensitive equality of two byte ranges. */
bool asw__sec_ieq(const char *a, size_t an, const char *b, size_t bn);
/* Hex decoding of exactly 2n digits into n bytes; 0 on success. */
int asw__sec_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t n);

/* audit.c: wall-clock microseconds since the epoch. */
uint64_t asw__sec_wall_us(void);

#endif /* ASW_SECURITY_SEC_INT_H */
