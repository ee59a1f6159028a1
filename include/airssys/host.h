/*
 * airssys/host.h -- the component host: WebAssembly components run as supervised,
 * capability-checked actors. It joins the engine (airssys/wasm.h), the actor runtime
 * (airssys/actor.h), the security layer (airssys/security.h, airssys/manifest.h) and the
 * component store (airssys/storage.h). The guest side of the contract (exports, the "airssys"
 * host functions) is in docs/host-abi.md and guest/include/airssys_guest.h.
 *
 * Design. A host owns (or borrows) an actor system, an engine and a security manager. Loading a
 * component runs the pipeline: parse Component.toml -> verify the optional .sig and determine
 * trust -> approval (automatic when trusted, bypassed loudly in dev mode, ASW_E_PENDING
 * otherwise) -> compile (cached by the module's SHA-256: instances of one module share the
 * compiled code) -> register the granted capabilities and quotas with the security manager ->
 * instantiate with the limits of [resources] -> start a supervisor (settings of
 * [supervision]) whose one child is the component's actor, registered under the component's
 * name -> call the guest's `init` export. Every message to the component runs its
 * `handle-message` export once, with fuel and a deadline per message. A trap, fuel exhaustion,
 * a deadline or a memory limit crashes only that actor; the supervisor restarts it with a
 * fresh instance and the same security context; its storage (keyed by component name)
 * survives. A guest request suspends the wasm call and the actor, never the worker thread.
 *
 * Threads: every function here is thread-safe. asw_host_request and asw_host_free block and
 * must not be called from an actor (a worker thread).
 *
 * Ownership words as in airssys/base.h.
 */
#ifndef AIRSSYS_HOST_H
#define AIRSSYS_HOST_H

#include "airssys/actor.h"
#include "airssys/base.h"
#include "airssys/security.h"
#include "airssys/wasm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct asw_host asw_host_t;
typedef struct asw_component asw_component_t; /* owned by its host; lives until asw_host_free */

/* Log levels of the guest log host function and of the host's own messages. */
typedef enum asw_log_level {
    ASW_LOG_TRACE = 0,
    ASW_LOG_DEBUG = 1,
    ASW_LOG_INFO = 2,
    ASW_LOG_WARN = 3,
    ASW_LOG_ERROR = 4,
} asw_log_level_t;

/* Returns "trace", "debug", "info", "warn" or "error" ("?" otherwise). */
ASW_API const char *asw_log_level_name(int level);

/* Receives every log line: from a guest (component = its name) or from the host itself
 * (component = "host"). msg is len bytes, not NUL-terminated, borrowed for the call. Called on
 * whichever thread logs (usually a worker); must be thread-safe and must not block long. */
typedef void (*asw_host_log_fn)(void *ud, int level, const char *component, const char *msg,
                                size_t len);

/* How to create a host. Zero-initialise and set what you need. Every pointer is borrowed and,
 * unless said otherwise, must outlive the host. */
typedef struct asw_host_opts {
    asw_system_t *system;                 /* NULL: the host creates its own (system_opts) */
    const asw_system_opts_t *system_opts; /* used when system is NULL (borrowed for the call) */
    asw_engine_t *engine;                 /* NULL: the host creates one with the defaults */
    asw_sec_t *sec;                       /* NULL: the host creates one, auditing into audit */
    asw_audit_t *audit;                   /* used only when sec is NULL; may be NULL */
    const asw_trust_registry_t *trust;    /* NULL: nothing is trusted (but see dev_mode) */
    asw_approval_store_t *approvals;      /* NULL: untrusted components fail with PENDING */
    const char *storage_dir;              /* NULL: storage host functions fail (UNSUPPORTED);
                                             copied */
    bool dev_mode;                        /* run unapproved components, with a warning */
    asw_host_log_fn log;                  /* NULL: lines go to stderr */
    void *log_ud;
    int log_level;                 /* lines below this level are dropped; 0: all */
    uint64_t max_message_bytes;    /* payload limit of one message; 0: 1 MiB */
    uint32_t default_memory_pages; /* [resources] memory absent; 0: 256 (16 MiB) */
    uint64_t default_fuel;         /* [resources] fuel absent; 0: unlimited */
    uint64_t default_timeout_ns;   /* [resources] timeout absent; 0: 10 s */
    uint32_t mailbox_capacity;     /* per component; 0: unbounded */
    bool no_prefault; /* do not keep the heap's next 64 KiB faulted in while spawns grow it
                         (see docs/host.md, "Spawning many components") */
} asw_host_opts_t;

/* Creates a host. Borrows opts. Returns ASW_OK with an owned host (free with asw_host_free),
 * ASW_E_INVALID, ASW_E_NOMEM, ASW_E_IO (storage directory), or an error of the parts it
 * creates. */
ASW_API int asw_host_new(const asw_host_opts_t *opts, asw_host_t **out_host, asw_error_t *out_err);

/* Stops every component (waiting up to 1 s for mailboxes to drain), frees what the host
 * created (its system, engine, security manager, storage) and every component. Parts passed in
 * opts are left alone, but a borrowed system is shut down (its actors include the host's).
 * NULL is ignored. Must not be called from a worker thread. */
ASW_API void asw_host_free(asw_host_t *host);

/* The parts of the host (borrowed; live as long as the host). */
ASW_API asw_system_t *asw_host_system(asw_host_t *host);
ASW_API asw_engine_t *asw_host_engine(asw_host_t *host);
ASW_API asw_sec_t *asw_host_sec(asw_host_t *host);
ASW_API asw_broker_t *asw_host_broker(asw_host_t *host);

/* What a component is loaded from. Every pointer is borrowed for the call. */
typedef struct asw_component_source {
    const uint8_t *module; /* the .wasm bytes (required) */
    size_t module_len;
    const char *manifest; /* the Component.toml text (required) */
    size_t manifest_len;
    const char *sig; /* the detached .sig text, or NULL */
    size_t sig_len;
    const char *path;                /* absolute path of the module (trust by path), or NULL */
    const char *git_url;             /* or NULL */
    const char *git_branch;          /* or NULL */
    const char *name;                /* NULL: the manifest's name; else this instance name (a second
                                        instance of the same component under another name) */
    struct asw_host_sup *supervisor; /* NULL: the component gets its own supervisor and starts
                                        at once; else it becomes the next child of this host
                                        supervisor (not started yet; see asw_host_supervisor_new) */
} asw_component_source_t;

/*
 * Loads, approves, compiles (cached), instantiates and starts a component; returns once its
 * `init` export (if any) has returned. Borrows src. On success *out_comp (may be NULL)
 * receives the component (owned by the host). Errors: ASW_E_PARSE / ASW_E_MANIFEST (manifest),
 * ASW_E_SIGNATURE / ASW_E_PARSE / ASW_E_UNTRUSTED (.sig), ASW_E_PENDING (approval needed: the
 * message names the request id and the command to approve it), ASW_E_DENIED (approval denied),
 * ASW_E_MALFORMED / ASW_E_INVALID_MODULE (module), ASW_E_LINK (an import the host does not
 * provide), ASW_E_NOT_FOUND (no handle-message export or no allocator export), ASW_E_TRAP
 * (`init` or the start function trapped), ASW_E_EXISTS (the name is taken), ASW_E_NOMEM.
 */
ASW_API int asw_host_load(asw_host_t *host, const asw_component_source_t *src,
                          asw_component_t **out_comp, asw_error_t *out_err);

/*
 * Compile once, spawn many. asw_host_prepare does the expensive half of asw_host_load once:
 * parses the manifest, verifies the signature, decides trust, runs approval under the
 * component's name (src->name, else the manifest's), compiles the module (cached by hash).
 * Borrows src. Errors as asw_host_load's up to compilation. Returns an owned prototype in
 * *out_proto; free it with asw_component_proto_free (components spawned from it keep what they
 * need, so it may be freed at once).
 *
 * asw_host_spawn instantiates, registers and starts one component from a prototype under
 * `name` (NULL: the prototype's name; must be unique in the host), with the capabilities
 * granted to the prototype and its limits; as a child of `supervisor` (not started yet) when
 * not NULL. Borrows proto. Each spawn writes an audit record naming the prototype. Errors:
 * ASW_E_INVALID (bad name, prototype of another host), ASW_E_EXISTS, ASW_E_LINK, ASW_E_TRAP
 * (init trapped), ASW_E_NOMEM.
 */
typedef struct asw_component_proto asw_component_proto_t;
ASW_API int asw_host_prepare(asw_host_t *host, const asw_component_source_t *src,
                             asw_component_proto_t **out_proto, asw_error_t *out_err);
ASW_API int asw_host_spawn(asw_host_t *host, asw_component_proto_t *proto, const char *name,
                           struct asw_host_sup *supervisor, asw_component_t **out_comp,
                           asw_error_t *out_err);
/* The name approval was asked under (borrowed from proto). */
ASW_API const char *asw_component_proto_name(const asw_component_proto_t *proto);
ASW_API void asw_component_proto_free(asw_component_proto_t *proto);

/* As asw_host_load, reading `module_path`, `manifest_path` and, when it exists,
 * `module_path`.sig. name as in asw_component_source_t (NULL: the manifest's). */
ASW_API int asw_host_load_files(asw_host_t *host, const char *module_path,
                                const char *manifest_path, const char *name,
                                asw_component_t **out_comp, asw_error_t *out_err);

/* Finds a loaded component by name (borrowed), or NULL. */
ASW_API asw_component_t *asw_host_find(asw_host_t *host, const char *name);

/* Number of loaded components, and the i-th (in load order; NULL when out of range). */
ASW_API size_t asw_host_count(asw_host_t *host);
ASW_API asw_component_t *asw_host_component(asw_host_t *host, size_t i);

/* A component's run state. */
typedef enum asw_component_state {
    ASW_COMPONENT_RUNNING = 0, /* its actor is alive (or being restarted) */
    ASW_COMPONENT_STOPPED = 1, /* stopped normally */
    ASW_COMPONENT_FAILED = 2,  /* the restart intensity was exceeded: escalated, not running */
} asw_component_state_t;

/* A snapshot of a component's counters. */
typedef struct asw_component_info {
    const char *name; /* borrowed from the component */
    asw_component_state_t state;
    asw_actor_id_t actor; /* its current actor, or ASW_ACTOR_NONE */
    asw_trust_level_t trust;
    uint64_t handled;      /* messages delivered to handle-message */
    uint64_t sent;         /* messages it sent (send, request, publish, respond) */
    uint64_t denied;       /* host calls refused (capability, quota, size) */
    uint64_t crashes;      /* traps, fuel exhaustion, deadlines, memory limits */
    uint64_t restarts;     /* fresh instances started after a crash */
    uint64_t linear_bytes; /* linear memory of the current instance */
    char last_error[160];  /* why it last crashed ("" if never) */
    /* Requests (request, request-async) still outstanding when an incarnation ended: their
     * replies are dropped, never delivered to the next instance. */
    uint64_t dropped_replies;
} asw_component_info_t;

/* Fills *out with a snapshot. Borrows comp. */
ASW_API void asw_component_info(asw_component_t *comp, asw_component_info_t *out);

/* The component's name (borrowed; lives as long as the host). */
ASW_API const char *asw_component_name(const asw_component_t *comp);

/*
 * Sends a message from the host (not from a component: no capability check) to component
 * `target`. Borrows data (copied). Returns ASW_OK, ASW_E_NOT_FOUND (no such component or it is
 * not running), ASW_E_LIMIT (over max_message_bytes), ASW_E_FULL, ASW_E_NOMEM.
 */
ASW_API int asw_host_send(asw_host_t *host, const char *target, const void *data, size_t len,
                          asw_error_t *out_err);

/*
 * Sends data to component `target` as a request and waits up to timeout_ns (0: 10 s) for its
 * reply (the guest's respond). Borrows data. On ASW_OK *out_reply receives an owned buffer of
 * *out_len bytes (free with asw_host_buffer_free; never NULL, even when empty). Returns
 * ASW_E_NOT_FOUND, ASW_E_TIMEOUT, ASW_E_DEAD (the component crashed with the request), or as
 * asw_host_send. Blocks: must not be called from a worker thread.
 */
ASW_API int asw_host_request(asw_host_t *host, const char *target, const void *data, size_t len,
                             uint64_t timeout_ns, void **out_reply, size_t *out_len,
                             asw_error_t *out_err);
ASW_API void asw_host_buffer_free(void *buf);

/* Publishes data on topic from the host (no capability check). Borrows both. *out_delivered
 * (may be NULL) receives the number of subscribers reached. */
ASW_API int asw_host_publish(asw_host_t *host, const char *topic, const void *data, size_t len,
                             size_t *out_delivered, asw_error_t *out_err);

/*
 * Decides whether component `component` may subscribe to topic pattern `pattern` ('+' one
 * segment, '#' the rest). The one rule for guest subscriptions and those of a system manifest:
 * a pattern without wildcards is an ordinary messaging "receive" check; a pattern with
 * wildcards is granted when the component's allow entries with receive cover every topic the
 * pattern can match (together: "a/#" is covered by "a/#", by "#", or by "a" plus "a/+/#") and
 * no deny entry with receive matches any of those topics. Every decision is audited (denied
 * ones also count in the component's `denied` counter when it is loaded). Borrows everything;
 * *out (may be NULL) receives the reason and the deciding rule (static text or owned by the
 * capability set). Returns ASW_OK (granted), ASW_E_DENIED, ASW_E_INVALID (NULL argument or a
 * malformed pattern), ASW_E_NOT_FOUND (no component of that name is registered).
 */
ASW_API int asw_host_check_subscription(asw_host_t *host, const char *component,
                                        const char *pattern, asw_cap_decision_t *out);

/* Waits until no actor is runnable and no message is queued, or timeout_ns passes (see
 * asw_system_quiesce). Returns ASW_OK or ASW_E_TIMEOUT. */
ASW_API int asw_host_quiesce(asw_host_t *host, uint64_t timeout_ns);

/* Heap bytes the host holds for one component beyond its linear memory: the component record,
 * its actor slot share, store and instance runtime bytes, and its security context. */
ASW_API size_t asw_component_overhead_bytes(asw_component_t *comp);

/* ---- supervision trees (src/host/supervise.c) ----------------------------------------------
 *
 * A host supervisor groups components and other host supervisors under one restart strategy,
 * as the [[supervisor]] tree of airssys.toml does. Build a tree first: asw_host_supervisor_new
 * for each supervisor (a child of `parent`, or a root under the host when parent is NULL), and
 * asw_host_load with src->supervisor set for each component (its `init` runs then, on the
 * caller's thread). Then start each root with asw_host_supervisor_start: children start in the
 * order they were added, each after the previous one started. A crashing component is
 * restarted under its supervisor's strategy, every restarted component with a fresh instance
 * (one-for-all: all the supervisor's children; rest-for-one: it and those added after it). More
 * than max_restarts restarts within within_ns make the supervisor stop its children and
 * escalate to its parent, which restarts the whole subtree under its own strategy; a root that
 * escalates marks every component under it ASW_COMPONENT_FAILED. A component's Component.toml
 * [supervision] `restart` (permanent, transient, temporary) still applies in a tree; its
 * max_restarts/within/backoff do not (the supervisor's do). The actor runtime fixes a
 * supervisor's children when it starts, so nothing can be added to a started tree. Components
 * of a tree not started yet report ASW_COMPONENT_STOPPED and cannot receive messages.
 */

typedef struct asw_host_sup asw_host_sup_t; /* owned by its host; lives until asw_host_free */

/* How to create a host supervisor. Zero-initialise and set what you need. */
typedef struct asw_host_sup_opts {
    const char *name;        /* required: 1-64 of A-Z a-z 0-9 _ - ., unique among the host's
                                supervisors (copied) */
    asw_strategy_t strategy; /* one-for-one, one-for-all, rest-for-one */
    uint32_t max_restarts;   /* restart intensity: more than this many restarts ... */
    uint64_t within_ns;      /* ... within this window (0: 5 s) escalate to the parent */
    asw_backoff_t backoff;   /* delay before a restart (see asw_supervisor_opts_t) */
    uint64_t backoff_base_ns;
    uint64_t backoff_max_ns;
    asw_host_sup_t *parent; /* NULL: a root (a child of the host); else its next child */
} asw_host_sup_opts_t;

/* Creates a supervisor of host (not started). Borrows opts. On ASW_OK *out_sup (may be NULL)
 * receives it (owned by the host). Returns ASW_E_INVALID (bad name, strategy, backoff, a parent
 * of another host), ASW_E_EXISTS (name taken), ASW_E_STATE (the parent's tree was started),
 * ASW_E_NOMEM. */
ASW_API int asw_host_supervisor_new(asw_host_t *host, const asw_host_sup_opts_t *opts,
                                    asw_host_sup_t **out_sup, asw_error_t *out_err);

/* Starts the tree under root sup (a supervisor without a parent) and waits up to 10 s until
 * every component in it runs. Borrows both. Returns ASW_OK, ASW_E_INVALID (not a root, or not
 * this host's), ASW_E_STATE (already started), ASW_E_LIMIT (the tree escalated while
 * starting: its components are FAILED), ASW_E_TIMEOUT, or as asw_supervisor_start. Must not be
 * called from a worker thread. */
ASW_API int asw_host_supervisor_start(asw_host_t *host, asw_host_sup_t *sup, asw_error_t *out_err);

/* Stops a started root and its tree: children in reverse order, each gracefully (its queued
 * messages handled first) then killed when timeout_ns (0: 5 s) passes; waits until the tree is
 * gone. Its components end STOPPED. Borrows both. Returns ASW_OK (also when the tree had
 * already ended), ASW_E_INVALID, ASW_E_STATE (never started). Must not be called from a worker
 * thread. */
ASW_API int asw_host_supervisor_stop(asw_host_t *host, asw_host_sup_t *sup, uint64_t timeout_ns,
                                     asw_error_t *out_err);

/* Finds a host supervisor by name (borrowed), or NULL. */
ASW_API asw_host_sup_t *asw_host_supervisor_find(asw_host_t *host, const char *name);

/* The supervisor's name (borrowed; lives as long as the host). */
ASW_API const char *asw_host_supervisor_name(const asw_host_sup_t *sup);

/* The host supervisor a component was loaded into (borrowed), or NULL (its own supervisor). */
ASW_API asw_host_sup_t *asw_component_supervisor(const asw_component_t *comp);

/* Stops a component loaded without a supervisor (its own supervisor: gracefully, killed after
 * timeout_ns, 0: 5 s) and waits until it is gone; it ends STOPPED. Borrows comp. Returns
 * ASW_OK (also when not running), ASW_E_INVALID, ASW_E_STATE (it belongs to a host supervisor:
 * stop the tree's root). Must not be called from a worker thread. */
ASW_API int asw_component_stop(asw_component_t *comp, uint64_t timeout_ns, asw_error_t *out_err);

/* What a component uses now, beyond asw_component_info (for `airssys ps`). */
typedef struct asw_component_usage {
    uint64_t mailbox_depth;      /* messages queued for its current actor */
    uint64_t busy_ns;            /* time its current actor spent in the guest and hooks */
    uint64_t fuel_per_message;   /* fuel budget of one message (0: unlimited) */
    uint64_t memory_limit_bytes; /* linear memory limit */
    bool has_storage;            /* the host has a store (the fields below are valid) */
    uint64_t storage_bytes;      /* bytes of its namespace (keys + values), across restarts */
    uint64_t storage_keys;
    uint64_t storage_quota; /* 0: none */
} asw_component_usage_t;

/* Fills *out (zeroed first). Borrows comp. Returns ASW_OK, ASW_E_INVALID, or an error of the
 * store (ASW_E_IO, ASW_E_BUSY; the other fields are still filled). Opens the component's storage
 * namespace if no call has yet. */
ASW_API int asw_component_usage(asw_component_t *comp, asw_component_usage_t *out,
                                asw_error_t *out_err);

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_HOST_H */
