/*
 * airssys/sysmanifest.h -- airssys.toml, the system manifest: which components to run (module,
 * Component.toml, optional signature), how they are supervised (a tree of supervisors with
 * one-for-one / one-for-all / rest-for-one strategies), which topics each subscribes to, and
 * which messages are sent when the system has started. The format is in docs/host.md.
 *
 * Design. asw_sysmanifest_parse() parses the TOML text (airssys/toml.h) and validates it
 * strictly, as the Component.toml parser does: unknown tables or keys, wrong types, bad names,
 * duplicate names, children that name nothing, a child under two supervisors, a cycle in the
 * tree, bad topic patterns, messages to unknown components are errors naming the line and
 * column. The result is plain data. Relative paths are made absolute against base_dir (the
 * directory holding airssys.toml) so the result does not depend on the working directory.
 *
 * Not done here: reading the referenced modules and manifests (the caller or the host does),
 * starting anything.
 */
#ifndef AIRSSYS_SYSMANIFEST_H
#define AIRSSYS_SYSMANIFEST_H

#include "airssys/actor.h"
#include "airssys/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Upper bounds of one system manifest. */
#define ASW_SYS_MAX_COMPONENTS  4096
#define ASW_SYS_MAX_SUPERVISORS 1024
#define ASW_SYS_MAX_MESSAGES    4096

/* One [[component]]. Strings owned by the manifest. */
typedef struct asw_sys_component {
    const char *name;       /* instance name: [a-z0-9][a-z0-9_-]*, at most 64 characters */
    const char *module;     /* path of the .wasm (absolute when base_dir was given) */
    const char *manifest;   /* path of its Component.toml */
    const char *signature;  /* path of its .sig, or NULL (the host then tries module + ".sig") */
    const char *supervisor; /* the supervisor listing it as a child, or NULL (top level) */
    uint32_t line, column;  /* where the [[component]] is written */
} asw_sys_component_t;

/* One [[supervisor]]. children name components or other supervisors, in start order. */
typedef struct asw_sys_supervisor {
    const char *name;
    asw_strategy_t strategy;
    uint32_t max_restarts;                    /* default 3; at most 1000000 */
    uint64_t within_ns;                       /* default 5 s */
    asw_backoff_t backoff;                    /* default immediate */
    uint64_t backoff_base_ns, backoff_max_ns; /* 0 with immediate; else 100 ms / 30 s */
    const char *const *children;
    size_t nchildren;
    const char *parent; /* the supervisor listing it, or NULL (a root) */
    uint32_t line, column;
} asw_sys_supervisor_t;

/* The topics one component subscribes to at start ([subscriptions]). */
typedef struct asw_sys_subscription {
    const char *component;
    const char *const *topics;
    size_t ntopics;
} asw_sys_subscription_t;

/* One [[message]] sent by the host once every component has started, in document order. */
typedef struct asw_sys_message {
    const char *target; /* a component name */
    const char *payload;
    size_t payload_len;
} asw_sys_message_t;

/* A parsed, validated airssys.toml. Every pointer is owned by it; free with
 * asw_sysmanifest_free. */
typedef struct asw_sysmanifest {
    /* [system] (all optional; paths made absolute like the components') */
    const char *name;      /* a label for the status line; default "airssys" */
    const char *storage;   /* storage directory, or NULL (storage host functions unavailable) */
    const char *audit;     /* audit log file, or NULL */
    const char *trust;     /* trust registry (TOML), or NULL */
    const char *approvals; /* approval store directory, or NULL */
    bool dev_mode;         /* run unapproved components (loudly) */

    const asw_sys_component_t *components;
    size_t ncomponents;
    const asw_sys_supervisor_t *supervisors;
    size_t nsupervisors;
    const asw_sys_subscription_t *subscriptions;
    size_t nsubscriptions;
    const asw_sys_message_t *messages;
    size_t nmessages;
} asw_sysmanifest_t;

/*
 * Parses and validates the airssys.toml text[0..len). base_dir (may be NULL: paths kept as
 * written) makes relative paths absolute. Borrows text and base_dir. On success stores a new
 * manifest in *out and returns ASW_OK: returns an owned object; free with asw_sysmanifest_free.
 * On failure *out is NULL and out_err holds "line L, column C: <what>": ASW_E_PARSE (TOML
 * syntax), ASW_E_MANIFEST (anything the format forbids), ASW_E_NOMEM, ASW_E_INVALID.
 */
ASW_API int asw_sysmanifest_parse(const char *text, size_t len, const char *base_dir,
                                  asw_sysmanifest_t **out, asw_error_t *out_err);

/* Reads and parses a file; relative paths are taken from the file's directory and errors are
 * prefixed with the path. Returns as asw_sysmanifest_parse, or ASW_E_IO. */
ASW_API int asw_sysmanifest_load(const char *path, asw_sysmanifest_t **out, asw_error_t *out_err);

/* Frees a manifest (takes ownership; NULL is ignored). */
ASW_API void asw_sysmanifest_free(asw_sysmanifest_t *m);

/* Looks up a component or a supervisor by name (borrowed; NULL when absent). */
ASW_API const asw_sys_component_t *asw_sysmanifest_component(const asw_sysmanifest_t *m,
                                                             const char *name);
ASW_API const asw_sys_supervisor_t *asw_sysmanifest_supervisor(const asw_sysmanifest_t *m,
                                                               const char *name);

/* Returns "one-for-one", "one-for-all", "rest-for-one" ("?" otherwise). */
ASW_API const char *asw_strategy_name(asw_strategy_t s);

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_SYSMANIFEST_H */
