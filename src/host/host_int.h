/*
 * src/host/host_int.h -- what the files of the host layer share: the host, the component and
 * the per-incarnation instance records, the message format between components, and the
 * helpers host functions use to reach their component and guest memory.
 *
 * Design. A component (asw_component_t) is created once by asw_host_load and lives until the
 * host is freed; it holds what survives restarts: name, manifest, compiled module, security
 * context, storage namespace, counters. Each incarnation of its actor owns one asw__inst_t: a
 * store, an instance, the exports the host calls, and the state of a suspended call. The
 * instance is the store's data (asw_store_data), so a host function finds everything from its
 * caller with asw__host_inst(caller).
 *
 * Adding host functions (files.c, net.c, ...): write a function
 *     int asw__hostfn_<area>_define(asw_imports_t *imports, asw_host_t *host, asw_error_t *err)
 * that defines the area's functions under module "airssys" (user_data = host), declare it
 * below and add one line calling it to define_imports() in component.c. Per-instance state of
 * an area (a socket table, a WASI context) goes into inst->ext[ASW__EXT_<area>] with its free
 * function in inst->ext_free[...]; both are released when the incarnation ends.
 *
 * Invariants: inst->self and inst->cur are valid only while the instance runs on a worker
 * (inside the component's behaviour); host functions run only then.
 */
#ifndef ASW_HOST_HOST_INT_H
#define ASW_HOST_HOST_INT_H

#include "airssys/host.h"
#include "airssys/manifest.h"
#include "airssys/storage.h"
#include "airssys/wasi.h"
#include "base/base.h"

#include <pthread.h>
#include <stdatomic.h>

/* Module name of every host function. */
#define ASW__HOST_MODULE "airssys"

/* The kinds of message a guest receives (handle-message's `kind`). */
enum {
    ASW__KIND_SEND = 0,    /* a one-way message; from = sender's name ("" from the host) */
    ASW__KIND_REQUEST = 1, /* a request: answer with respond; from = requester's name */
    ASW__KIND_TOPIC = 2,   /* a publication; from = the topic */
};

/* Runtime message type of every message between components (asw_msg_t.type). */
#define ASW__HOST_MSG 0x41535701u

/*
 * A message body: one heap block, the "from" text (sender name or topic) then the payload.
 * Travels as asw_msg_t.data with drop = asw__hmsg_drop.
 */
typedef struct asw__hmsg {
    uint32_t kind;     /* ASW__KIND_* */
    uint32_t from_len; /* bytes of from text */
    uint32_t len;      /* payload bytes */
    uint8_t bytes[];   /* from text, then payload */
} asw__hmsg_t;

/* Allocates a body (copies from and data). NULL when out of memory. */
asw__hmsg_t *asw__hmsg_new(uint32_t kind, const char *from, size_t from_len, const void *data,
                           size_t len);
/* An asw_drop_fn freeing an asw__hmsg_t. */
void asw__hmsg_drop(void *data, size_t len, void *ctx);

/* Per-instance extension slots of other host areas. */
enum { ASW__EXT_NET = 0, ASW__EXT_WASI = 1, ASW__EXT_COUNT = 2 };

/* Hooks (asw__inst_t.hook): request and sleep fail with ASW_E_STATE in any hook (a hook runs
 * to completion); request-async also fails in pre-stop (no reply could be delivered). */
enum { ASW__HOOK_NONE = 0, ASW__HOOK_START = 1, ASW__HOOK_STOP = 2 };

/* What a suspended call waits for. */
enum { ASW__WAIT_NONE = 0, ASW__WAIT_REPLY = 1, ASW__WAIT_SLEEP = 2 };

typedef struct asw__inst {
    uint32_t magic; /* ASW__INST_MAGIC: tells an instance from a component in actor state */
    asw_component_t *comp;
    asw_store_t *store;
    asw_instance_t *instance;
    asw_imports_t *own_imports; /* non-NULL when the module needs WASI (per-instance set) */
    asw_memory_t *memory;
    asw_func_t *f_handle, *f_alloc, *f_init;
    /* Optional exports (NULL when absent): handle-reply, pre-stop, post-restart. */
    asw_func_t *f_reply, *f_pre_stop, *f_post_restart, *f_start;
    /* The export running (for logs and crash records). */
    const char *calling;
    /* ASW__HOOK_*: a hook is running, so suspending calls are refused. */
    int hook;
    /* request-async calls whose reply or timeout has not come yet. */
    uint32_t async_pending;
    asw_actor_t *self; /* valid during the behaviour only */
    /* The message being handled (header only; data NULL): respond answers it. */
    asw_msg_t cur;
    bool has_cur;
    /* A suspended call: what it waits for and where the reply goes. */
    int wait;
    uint64_t wait_corr;
    uint32_t reply_ptr, reply_cap, reply_len_ptr;
    uint64_t call_start_ns, time_used_ns; /* deadline accounting across suspensions */
    uint64_t *subs; /* broker subscriptions of this incarnation (removed when it ends) */
    uint32_t nsubs, capsubs;
    void *ext[ASW__EXT_COUNT];
    void (*ext_free[ASW__EXT_COUNT])(void *);
} asw__inst_t;

#define ASW__INST_MAGIC 0x494e5354u

struct asw_component {
    uint32_t magic; /* ASW__COMP_MAGIC */
    asw_host_t *host;
    char *name;
    asw_component_proto_t *proto; /* a reference: owns manifest and module */
    asw_manifest_t *manifest;     /* the prototype's (borrowed) */
    asw_module_t *module;         /* the prototype's (borrowed) */
    asw_sec_ctx_t *sec;           /* registered under name */
    asw_trust_level_t trust;
    asw_store_limits_t limits;
    uint64_t fuel, timeout_ns;
    bool needs_wasi;
    asw_supervisor_opts_t sup; /* must outlive the supervisor: lives here */
    asw_child_spec_t child;
    asw_actor_hooks_t hooks;
    _Atomic asw_actor_id_t sup_id;
    asw__inst_t *first; /* the instance made by load, taken by the first incarnation */
    _Atomic int state;  /* asw_component_state_t */
    atomic_uint_fast64_t handled, sent, denied, crashes, restarts, linear_bytes;
    /* Requests outstanding when an incarnation ended (their replies are dropped). */
    atomic_uint_fast64_t dropped_replies;
    pthread_mutex_t mu; /* guards last_error and ns creation */
    char last_error[160];
    _Atomic(asw_storage_ns_t *) ns; /* opened on first storage call */
    asw_host_sup_t *hsup; /* the host supervisor it was loaded into, or NULL (supervise.c) */
};

#define ASW__COMP_MAGIC 0x434f4d50u

struct asw_host {
    asw_system_t *sys;
    asw_engine_t *engine;
    asw_sec_t *sec;
    asw_audit_t *audit;
    bool own_sys, own_engine, own_sec;
    const asw_trust_registry_t *trust;
    asw_approval_store_t *approvals;
    asw_storage_t *storage;
    asw_broker_t *broker;
    bool dev_mode;
    asw_host_log_fn log;
    void *log_ud;
    int log_level;
    uint64_t max_message_bytes;
    uint32_t default_pages;
    uint64_t default_fuel, default_timeout_ns;
    uint32_t mailbox_capacity;
    bool prefault;          /* !opts.no_prefault */
    asw_imports_t *imports; /* the "airssys" functions, shared by every instance */
    asw_actor_id_t service; /* wakes sleepers, watches supervisors */
    pthread_mutex_t mu;     /* components and the module cache */
    asw_component_t **comps;
    size_t ncomps, capcomps;
    struct asw__cache_entry {
        uint8_t sha[32];
        asw_module_t *module;
    } * cache;
    size_t ncache, capcache;
    bool dev_warned;
    _Atomic bool closing;  /* asw_host_free has begun */
    asw_host_sup_t **sups; /* supervise.c: the host's supervisors, under mu */
    size_t nsups, capsups;
};

/* Service actor message kinds (asw_msg_t.type, word = the actor to resume). */
#define ASW__SVC_WAKE 0x41535702u

/* The instance a host function runs for. Never NULL inside a host function of the host. */
asw__inst_t *asw__host_inst(asw_caller_t *caller);

/* Checks that [ptr, ptr+len) lies in the caller's linear memory and returns a pointer to it in
 * *out (valid until the guest runs again). Returns ASW_OK or ASW_E_INVALID. */
int asw__host_guest_span(asw_caller_t *caller, uint32_t ptr, uint32_t len, uint8_t **out);

/* Copies a guest string into buf (cap bytes, NUL-terminated): ASW_E_INVALID when out of
 * bounds, holding a NUL, or not fitting. */
int asw__host_guest_str(asw_caller_t *caller, uint32_t ptr, uint32_t len, char *buf, size_t cap);

/* Logs a line through the host's log function (component may be NULL: "host"). */
void asw__host_log(asw_host_t *host, int level, const char *component, const char *fmt, ...)
    ASW_PRINTF(4, 5);

/* Counts a refused host call of comp. */
void asw__host_count_denied(asw_component_t *comp);
/* Sleeps ns nanoseconds (resumed after signals). */
void asw__host_nap_ns(uint64_t ns);
/* [storage.c] Gets served by ns's read cache so far (for tests). */
uint64_t asw__storage_cache_hits(asw_storage_ns_t *ns);

/* [prefault.c] After a spawn: keeps the heap pages the next spawns will use faulted in.
 * spawned: a block the spawn allocated (only its address is read). */
void asw__host_prefault(const void *spawned);
/* ASW_OK when s is a valid component or supervisor name (1-64 of A-Z a-z 0-9 _ - .), else
 * ASW_E_INVALID with "<what> name '...' must be ..." in out_err. */
int asw__host_check_name(const char *what, const char *s, asw_error_t *out_err);

/* hostfn_storage.c: the storage capability resource of a key, "component:<name>:<key>", into
 * out (cap bytes, NUL-terminated; ASW__STORAGE_RES_CAP always suffices). Returns ASW_OK, or
 * ASW_E_INVALID when name is over ASW_STORAGE_NS_MAX bytes, klen over ASW_STORAGE_KEY_MAX or
 * cap too small. key may hold any bytes (the host functions refuse NUL before). */
#define ASW__STORAGE_RES_CAP (sizeof "component:" + ASW_STORAGE_NS_MAX + 1 + ASW_STORAGE_KEY_MAX)
int asw__storage_resource(const char *name, const uint8_t *key, uint32_t klen, char *out,
                          size_t cap);

/* hostfn_msg.c: the one subscription rule (asw_host_check_subscription): may the component
 * with context sec receive every topic `pattern` can match? Audits into audit (may be NULL)
 * when the pattern has wildcards (asw_sec_check audits the others). Returns ASW_OK,
 * ASW_E_DENIED or ASW_E_INVALID (malformed pattern); *out (may be NULL) says why. */
int asw__host_sub_check(asw_sec_ctx_t *sec, asw_audit_t *audit, const char *pattern,
                        asw_cap_decision_t *out);

/* Host function areas (see the top of this file). */
int asw__hostfn_msg_define(asw_imports_t *imports, asw_host_t *host, asw_error_t *out_err);
int asw__hostfn_storage_define(asw_imports_t *imports, asw_host_t *host, asw_error_t *out_err);
int asw__hostfn_files_define(asw_imports_t *imports, asw_host_t *host, asw_error_t *out_err);
int asw__hostfn_net_define(asw_imports_t *imports, asw_host_t *host, asw_error_t *out_err);
/* hostfn_files.c: a component's WASI context with its filesystem grants pre-opened and every
 * path access checked like the file functions (base is copied; policy and pre-opens set). */
int asw__hostfs_wasi_new(asw_component_t *c, const asw_wasi_config_t *base, asw_wasi_t **out_wasi,
                         asw_error_t *out_err);

/* supervise.c: host supervisors (airssys/host.h). check: sup belongs to h and its tree has not
 * started (ASW_E_INVALID / ASW_E_STATE). adopt: c becomes sup's next child (c->hsup set; c is
 * STOPPED until the tree starts). sups_free: frees every supervisor (their trees must have
 * ended; called by asw_host_free after the components stopped). */
int asw__host_sup_check(asw_host_t *h, asw_host_sup_t *sup, asw_error_t *out_err);
int asw__host_sup_adopt(asw_host_t *h, asw_host_sup_t *sup, asw_component_t *c,
                        asw_error_t *out_err);
void asw__host_sups_free(asw_host_t *h);

#endif /* ASW_HOST_HOST_INT_H */
