/*
 * airssys/actor.h -- the actor runtime: a pool of worker threads running many lightweight actors
 * (state machines fed by mailboxes), with supervision, a name registry, request-response, timers,
 * links/monitors and a publish-subscribe broker. It knows nothing of WebAssembly; the host layer
 * plugs a component in as an actor behaviour. See docs/actors.md for the model and examples.
 *
 * Design in one paragraph. An actor is a slot in a table owned by the system: an id, a behaviour
 * callback, a state pointer and two intrusive lock-free mailboxes (system and normal priority).
 * A send copies the small message header (asw_msg_t) into a pooled node and moves ownership of
 * the payload pointer to the runtime: the payload itself is never copied. Workers take runnable
 * actors from per-worker run queues (stealing from each other when idle) and let each actor
 * handle at most `max_per_turn` messages before it goes to the back of the queue.
 *
 * Threading: every function here is thread-safe unless said otherwise. Functions taking an
 * `asw_actor_t *self` may only be called by that actor's own behaviour or hooks, on the worker
 * running it.
 *
 * Ownership words: "borrows", "takes ownership" (on success only: on failure the caller still
 * owns everything it passed), "returns an owned object; free with ...".
 */
#ifndef AIRSSYS_ACTOR_H
#define AIRSSYS_ACTOR_H

#include "airssys/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct asw_system asw_system_t; /* the runtime: workers, actor table, timers */
typedef struct asw_actor asw_actor_t;   /* an actor, as seen by its own behaviour */
typedef struct asw_broker asw_broker_t; /* a publish-subscribe broker */

/* An actor id: a slot index and a generation, so a stale id never reaches a newer actor. 0 is
 * never a valid id. */
typedef uint64_t asw_actor_id_t;
#define ASW_ACTOR_NONE ((asw_actor_id_t)0)

/* ---- messages ---------------------------------------------------------------------------- */

/* Frees a message payload. Called by the runtime exactly once for every payload it owns and
 * discards (dropped, expired, dead letter, or after the behaviour returned without taking it). */
typedef void (*asw_drop_fn)(void *data, size_t len, void *drop_ctx);

/* Message types at or above ASW_MSG_SYSTEM are produced by the runtime; user types are below. */
#define ASW_MSG_SYSTEM 0xffff0000u
enum {
    ASW_MSG_RESUME = ASW_MSG_SYSTEM + 1, /* first message after asw_actor_resume() or a yield */
    ASW_MSG_DOWN,    /* a monitored actor died: from = it, status = reason, word = monitor ref */
    ASW_MSG_EXIT,    /* a linked actor died (trap_exit only): from = it, status = reason */
    ASW_MSG_REPLY,   /* the reply to a request: corr = the request's correlation id */
    ASW_MSG_TIMEOUT, /* a request failed: corr = its id, status = ASW_E_TIMEOUT or ASW_E_DEAD */
};

/*
 * A message: a small header plus an optional owned payload pointer. The caller fills one on the
 * stack; asw_send() copies the header (a few words) and moves the payload. In a behaviour the
 * message is the runtime's: the behaviour may take the payload by setting msg->data = NULL (it
 * then owns it); otherwise msg->drop (if any) frees it after the behaviour returns.
 */
typedef struct asw_msg {
    uint32_t type;       /* user-defined (< ASW_MSG_SYSTEM) or an ASW_MSG_* type */
    int32_t status;      /* exit reason / error code on system messages; free for users */
    asw_actor_id_t from; /* sender (filled by asw_actor_send, asw_reply, the runtime) */
    uint64_t corr;       /* correlation id of a request/reply; 0 otherwise */
    uint64_t word;       /* a small inline payload, copied */
    void *data;          /* owned payload (moves with the message) or NULL */
    size_t len;          /* payload size in bytes (informational) */
    asw_drop_fn drop;    /* frees data when discarded; NULL: data is not freed by the runtime */
    void *drop_ctx;      /* passed to drop */
} asw_msg_t;

/* ---- behaviours and hooks ---------------------------------------------------------------- */

/* What a behaviour returns after handling one message. Negative values are errors (crashes):
 * the actor's on_error hook or its supervisor decides what happens next. */
#define ASW_ACT_OK      0 /* handled; continue with the next message */
#define ASW_ACT_STOP    1 /* stop normally (exit reason 0) */
#define ASW_ACT_SUSPEND 2 /* park: handle nothing until asw_actor_resume() or an awaited reply */
#define ASW_ACT_YIELD   3 /* end the turn now; run again soon, starting with ASW_MSG_RESUME */

/* Handles one message. `self` is valid only during the call. Borrows msg (see asw_msg_t for how
 * to take the payload). Returns ASW_ACT_* or a negative ASW_E_* code. */
typedef int (*asw_behavior_fn)(asw_actor_t *self, asw_msg_t *msg);

/* on_error decisions. */
typedef enum asw_error_action {
    ASW_ERR_ESCALATE = 0, /* die with the error as exit reason (the supervisor decides) */
    ASW_ERR_RESUME,       /* ignore the error and continue with the next message */
    ASW_ERR_RESTART,      /* restart in place: post_stop, state reset, on_restart, pre_start */
    ASW_ERR_STOP,         /* stop normally (exit reason 0: no restart for transient children) */
} asw_error_action_t;

/*
 * Lifecycle hooks, all optional, all run on a worker in the actor's context. Order for a life:
 * pre_start, post_start, (messages...), pre_stop, post_stop. A restart in place runs post_stop,
 * on_restart(reason), pre_start, post_start. pre_start returning non-zero makes the actor die
 * with that reason before it handles any message. The struct is borrowed and must outlive the
 * actor (make it static).
 */
typedef struct asw_actor_hooks {
    int (*pre_start)(asw_actor_t *self);
    void (*post_start)(asw_actor_t *self);
    void (*pre_stop)(asw_actor_t *self, int reason);
    void (*post_stop)(asw_actor_t *self, int reason);
    asw_error_action_t (*on_error)(asw_actor_t *self, int err, const asw_msg_t *msg);
    void (*on_restart)(asw_actor_t *self, int reason);
} asw_actor_hooks_t;

/* What a bounded mailbox does when full. */
typedef enum asw_overflow {
    ASW_OVERFLOW_FAIL = 0,    /* the send fails with ASW_E_FULL (the sender keeps the message) */
    ASW_OVERFLOW_DROP_NEWEST, /* the new message is dropped (counted); the send returns OK */
    ASW_OVERFLOW_DROP_OLDEST, /* the oldest queued messages are dropped (counted) on delivery */
    ASW_OVERFLOW_BLOCK,       /* the sender waits up to block_timeout_ns, then ASW_E_TIMEOUT */
} asw_overflow_t;

/* How to spawn an actor. Zero-initialise, then set `behavior` (required) and what you need. */
typedef struct asw_actor_opts {
    asw_behavior_fn behavior;       /* required */
    void *state;                    /* initial state (borrowed; asw_actor_state returns it) */
    const asw_actor_hooks_t *hooks; /* optional, borrowed, must outlive the actor */
    const char *name;               /* optional unique name (copied); ASW_E_EXISTS if taken */
    uint32_t mailbox_capacity;      /* 0: unbounded; else at most this many queued messages */
    asw_overflow_t overflow;        /* policy when a bounded mailbox is full */
    uint64_t block_timeout_ns;      /* ASW_OVERFLOW_BLOCK: longest wait of a sender */
    uint64_t ttl_ns;                /* 0: messages never expire; else dropped when older */
    uint32_t max_per_turn;          /* messages (and spawns) per turn; 0: system default */
    bool trap_exit;                 /* linked exits arrive as ASW_MSG_EXIT instead of killing */
} asw_actor_opts_t;

/* ---- the system -------------------------------------------------------------------------- */

typedef struct asw_system_opts {
    uint32_t workers;      /* worker threads; 0: one per online core */
    uint32_t max_per_turn; /* default messages per turn; 0: 64 */
    uint32_t max_actors;   /* capacity of the actor table; 0: 16 Mi; at most 1 Gi */
    bool no_busy_time;     /* skip the per-turn clock reads that measure busy time */
} asw_system_opts_t;

/* Creates a system and starts its workers and timer thread. Borrows opts (NULL: defaults).
 * Returns ASW_OK and an owned system in *out_sys (free with asw_system_free), or ASW_E_NOMEM /
 * ASW_E_INVALID / ASW_E_IO (thread creation failed). */
ASW_API int asw_system_new(const asw_system_opts_t *opts, asw_system_t **out_sys,
                           asw_error_t *out_err);

/*
 * Stops the whole system cleanly: waits up to drain_timeout_ns for mailboxes to drain (no actor
 * runnable), then stops every live actor gracefully (supervisors stop their children in reverse
 * order with their per-child timeouts), kills what is still alive after another
 * drain_timeout_ns (a suspended actor never handles a graceful stop), joins the threads and frees
 * every message still queued (counted as dead letters). Pending timers are cancelled. Returns
 * ASW_OK, or ASW_E_TIMEOUT when the drain did not finish in time (the system is still shut down). A
 * behaviour that never returns cannot be stopped: it blocks this call. Idempotent. Must not be
 * called from a worker.
 */
ASW_API int asw_system_shutdown(asw_system_t *sys, uint64_t drain_timeout_ns);

/* Shuts the system down (with a 1 s drain) if not done yet and frees it. NULL is ignored. */
ASW_API void asw_system_free(asw_system_t *sys);

/* Number of worker threads. */
ASW_API uint32_t asw_system_workers(const asw_system_t *sys);

/* Blocks until no actor is runnable and no message is queued, or timeout_ns passes. Returns
 * ASW_OK or ASW_E_TIMEOUT. Timers do not count as work. Must not be called from a worker. */
ASW_API int asw_system_quiesce(asw_system_t *sys, uint64_t timeout_ns);

/* ---- actors ------------------------------------------------------------------------------ */

/* Spawns an actor. Borrows opts (the name is copied). The actor's hooks run on a worker soon
 * after. Returns ASW_OK and its id in *out_id; ASW_E_INVALID (no behaviour, bad option),
 * ASW_E_EXISTS (name taken), ASW_E_LIMIT (table full), ASW_E_NOMEM, ASW_E_CLOSED (shut down). */
ASW_API int asw_spawn(asw_system_t *sys, const asw_actor_opts_t *opts, asw_actor_id_t *out_id,
                      asw_error_t *out_err);

/*
 * Sends a message. Borrows msg (its header is copied); takes ownership of msg->data on success
 * (ASW_OK, including a bounded mailbox's drop-newest policy, which drops it and counts it).
 * Returns ASW_E_INVALID (NULL msg, system message type), ASW_E_DEAD (unknown or dead actor; the
 * attempt is counted as a dead letter), ASW_E_FULL / ASW_E_TIMEOUT (bounded mailbox), and then
 * the caller still owns msg->data.
 */
ASW_API int asw_send(asw_system_t *sys, asw_actor_id_t to, const asw_msg_t *msg,
                     asw_error_t *out_err);

/* As asw_send, with msg->from set to self. */
ASW_API int asw_actor_send(asw_actor_t *self, asw_actor_id_t to, const asw_msg_t *msg,
                           asw_error_t *out_err);

/*
 * Asks the actor to stop. Graceful (kill == false): the stop is queued behind the messages
 * already in its mailbox, so it handles them first. Kill: overtakes everything; queued messages
 * are discarded (counted as dropped). Exit reason is `reason` (0: normal). Returns ASW_OK or
 * ASW_E_DEAD.
 */
ASW_API int asw_actor_stop(asw_system_t *sys, asw_actor_id_t id, int reason, bool kill);

/* True while the actor is alive (spawned and not yet terminated). */
ASW_API bool asw_actor_alive(asw_system_t *sys, asw_actor_id_t id);

/* The id, state, system and spawn argument of the running actor. */
ASW_API asw_actor_id_t asw_self(const asw_actor_t *self);
ASW_API void *asw_actor_state(const asw_actor_t *self);
ASW_API void asw_actor_set_state(asw_actor_t *self, void *state);
ASW_API asw_system_t *asw_actor_system(const asw_actor_t *self);

/*
 * Suspension (the WebAssembly engine plugs in here). A behaviour that cannot finish now (it
 * waits for a reply, or ran out of its time slice) returns ASW_ACT_SUSPEND: the runtime then
 * runs none of the actor's messages until someone calls asw_actor_resume() for it; its next
 * turn starts with an ASW_MSG_RESUME message so it can continue the saved computation. A resume
 * that races ahead of the ASW_ACT_SUSPEND return is remembered, not lost. A kill still reaches a
 * suspended actor. ASW_ACT_YIELD is a suspension with an immediate resume. Resuming an idle
 * actor makes it run once with ASW_MSG_RESUME. Returns ASW_OK or ASW_E_DEAD.
 */
ASW_API int asw_actor_resume(asw_system_t *sys, asw_actor_id_t id);

/* ---- request-response -------------------------------------------------------------------- */

/* Request flags. */
#define ASW_REQ_AWAIT 1u /* the caller will return ASW_ACT_SUSPEND; the reply resumes it */

/*
 * Sends msg to `target` as a request with a fresh correlation id (*out_corr). The reply (sent by
 * the target with asw_reply) arrives as ASW_MSG_REPLY with that corr; if none arrives within
 * timeout_ns (0: never), an ASW_MSG_TIMEOUT with status ASW_E_TIMEOUT arrives instead, and a later
 * reply is dropped and counted. If the target dies with the request still queued, the timeout
 * message comes at once with status ASW_E_DEAD. With ASW_REQ_AWAIT the behaviour must return
 * ASW_ACT_SUSPEND; the reply or timeout resumes the actor and is the first message it sees.
 * Ownership of msg->data as in asw_send. Returns ASW_OK, ASW_E_DEAD, ASW_E_FULL, ASW_E_INVALID.
 */
ASW_API int asw_request(asw_actor_t *self, asw_actor_id_t target, const asw_msg_t *msg,
                        uint64_t timeout_ns, unsigned flags, uint64_t *out_corr,
                        asw_error_t *out_err);

/* Replies to `request` (borrowed; a message this actor received with a non-zero corr). Borrows
 * reply (header copied; type and corr are set by the runtime), takes ownership of reply->data on
 * success. Returns ASW_OK, ASW_E_INVALID (not a request), ASW_E_DEAD (requester gone). */
ASW_API int asw_reply(asw_actor_t *self, const asw_msg_t *request, const asw_msg_t *reply,
                      asw_error_t *out_err);

/* ---- timers ------------------------------------------------------------------------------ */

typedef uint64_t asw_timer_id_t;

/* Sends msg to `to` after delay_ns. Ownership of msg->data moves on success (the runtime drops
 * it if the timer is cancelled or the target is dead when it fires, counting a dead letter).
 * *out_timer (may be NULL) receives an id for asw_timer_cancel. Returns ASW_OK, ASW_E_INVALID,
 * ASW_E_NOMEM, ASW_E_CLOSED. */
ASW_API int asw_send_after(asw_system_t *sys, asw_actor_id_t to, const asw_msg_t *msg,
                           uint64_t delay_ns, asw_timer_id_t *out_timer, asw_error_t *out_err);

/* Cancels a timer. Returns ASW_OK (it will not fire; its payload was dropped) or
 * ASW_E_NOT_FOUND (already fired or cancelled). */
ASW_API int asw_timer_cancel(asw_system_t *sys, asw_timer_id_t timer);

/* ---- links and monitors ------------------------------------------------------------------ */

/* Watcher receives ASW_MSG_DOWN (word = *out_ref, status = exit reason) when target dies; if
 * target is already dead it comes at once with status ASW_E_NOT_FOUND. Returns ASW_OK,
 * ASW_E_DEAD (watcher dead), ASW_E_NOMEM. */
ASW_API int asw_monitor(asw_system_t *sys, asw_actor_id_t watcher, asw_actor_id_t target,
                        uint64_t *out_ref);

/* Removes a monitor; ASW_OK or ASW_E_NOT_FOUND (already fired or removed). */
ASW_API int asw_demonitor(asw_system_t *sys, asw_actor_id_t target, uint64_t ref);

/* Links a and b: when one dies with a non-zero reason, the other dies with the same reason
 * unless it traps exits (then it gets ASW_MSG_EXIT); a normal exit reaches trapping actors only.
 * Returns ASW_OK, ASW_E_DEAD (either is dead; if only one is, the other gets the exit as if the
 * link existed, with reason ASW_E_NOT_FOUND), ASW_E_INVALID (a == b), ASW_E_NOMEM. */
ASW_API int asw_link(asw_system_t *sys, asw_actor_id_t a, asw_actor_id_t b);
ASW_API int asw_unlink(asw_system_t *sys, asw_actor_id_t a, asw_actor_id_t b);

/* ---- the registry ------------------------------------------------------------------------ */

/* Registers a unique name for a live actor (copied). A name whose actor died is free again.
 * Returns ASW_OK, ASW_E_EXISTS, ASW_E_DEAD, ASW_E_INVALID (empty/over 255 bytes), ASW_E_NOMEM. */
ASW_API int asw_register(asw_system_t *sys, const char *name, asw_actor_id_t id);

/* Removes a name; ASW_OK or ASW_E_NOT_FOUND. */
ASW_API int asw_unregister(asw_system_t *sys, const char *name);

/* Looks a name up (lock-free). Returns the id, or ASW_ACTOR_NONE. */
ASW_API asw_actor_id_t asw_whereis(asw_system_t *sys, const char *name);

/* ---- supervision ------------------------------------------------------------------------- */

typedef enum asw_strategy {
    ASW_ONE_FOR_ONE = 0, /* restart the failed child only */
    ASW_ONE_FOR_ALL,     /* stop all others (reverse order), restart all (in order) */
    ASW_REST_FOR_ONE,    /* stop the children after it (reverse order), restart it and them */
} asw_strategy_t;

typedef enum asw_restart {
    ASW_PERMANENT = 0, /* always restarted */
    ASW_TRANSIENT,     /* restarted only after an abnormal exit (reason != 0) */
    ASW_TEMPORARY,     /* never restarted */
} asw_restart_t;

typedef enum asw_backoff {
    ASW_BACKOFF_IMMEDIATE = 0,
    ASW_BACKOFF_LINEAR,      /* base * n for the n-th restart within the window */
    ASW_BACKOFF_EXPONENTIAL, /* base * 2^(n-1) up to max, with up to 25 % random jitter */
} asw_backoff_t;

/* One child of a supervisor. `actor` is spawned at start and at every restart (its name, if
 * any, is re-registered by the new incarnation). `supervisor` non-NULL makes the child itself a
 * supervisor (a subtree); then `actor` is ignored. */
typedef struct asw_child_spec {
    asw_actor_opts_t actor;
    const struct asw_supervisor_opts *supervisor;
    asw_restart_t restart;
    uint64_t shutdown_timeout_ns; /* graceful stop wait before a kill; 0: 5 s */
} asw_child_spec_t;

typedef struct asw_supervisor_opts {
    asw_strategy_t strategy;
    uint32_t max_restarts; /* intensity: more than this many restarts ... */
    uint64_t within_ns;    /* ... within this window escalate (the supervisor dies) */
    asw_backoff_t backoff;
    uint64_t backoff_base_ns;
    uint64_t backoff_max_ns;          /* 0: no cap */
    const asw_child_spec_t *children; /* started in order, stopped in reverse order */
    size_t nchildren;
    const char *name; /* optional registered name of the supervisor */
} asw_supervisor_opts_t;

/* Starts a supervisor (an actor) and its children in order: child i+1 is spawned only after
 * child i has run pre_start/post_start. Borrows opts, which (with its children array and the
 * children's hooks) must outlive the supervisor. When the restart intensity is exceeded the
 * supervisor stops its children and dies with reason ASW_E_LIMIT, so its own supervisor sees an
 * abnormal exit. Returns ASW_OK and the supervisor's id, or as asw_spawn. */
ASW_API int asw_supervisor_start(asw_system_t *sys, const asw_supervisor_opts_t *opts,
                                 asw_actor_id_t *out_id, asw_error_t *out_err);

/* The current id of child `index` of a supervisor (ASW_ACTOR_NONE while it is not running or
 * the supervisor is unknown). Thread-safe snapshot. */
ASW_API asw_actor_id_t asw_supervisor_child(asw_system_t *sys, asw_actor_id_t sup, size_t index);

/* ---- observability ----------------------------------------------------------------------- */

typedef struct asw_actor_stats {
    uint64_t received;      /* messages accepted into the mailbox */
    uint64_t handled;       /* messages given to the behaviour */
    uint64_t dropped;       /* dropped by the overflow policy or discarded at stop */
    uint64_t expired;       /* dropped because their TTL passed */
    uint64_t rejected;      /* sends refused (ASW_E_FULL / ASW_E_TIMEOUT) */
    uint64_t restarts;      /* restarts in place plus supervisor restarts of this child slot */
    uint64_t mailbox_depth; /* messages queued now */
    uint64_t busy_ns;       /* time spent in the behaviour and hooks */
} asw_actor_stats_t;

/* Snapshot of one actor's counters. Returns ASW_OK or ASW_E_DEAD. */
ASW_API int asw_actor_stats(asw_system_t *sys, asw_actor_id_t id, asw_actor_stats_t *out);

typedef struct asw_system_stats {
    uint64_t actors_live, spawned, stopped;
    uint64_t sent, handled;
    uint64_t dead_letters; /* sends to dead/unknown actors and messages left to dead actors */
    uint64_t dropped, expired, late_replies;
    uint64_t restarts, escalations, steals, turns;
} asw_system_stats_t;

/* Snapshot of the system counters (each counter is exact once the system is quiet). */
ASW_API void asw_system_stats(asw_system_t *sys, asw_system_stats_t *out);

/* ---- publish-subscribe ------------------------------------------------------------------- */

/* Creates a broker on sys. Returns ASW_OK and an owned broker (free with asw_broker_free before
 * the system), or ASW_E_NOMEM. */
ASW_API int asw_broker_new(asw_system_t *sys, asw_broker_t **out_broker, asw_error_t *out_err);
ASW_API void asw_broker_free(asw_broker_t *broker);

/* Subscribes actor `id` to `pattern`: '/'-separated segments, where a segment "+" matches any
 * one segment and a final "#" matches the rest (zero or more segments). Borrows pattern. Returns
 * ASW_OK and *out_sub, ASW_E_INVALID (empty, "#" not last, segments over 255 bytes), NOMEM. */
ASW_API int asw_broker_subscribe(asw_broker_t *broker, const char *pattern, asw_actor_id_t id,
                                 uint64_t *out_sub, asw_error_t *out_err);
ASW_API int asw_broker_unsubscribe(asw_broker_t *broker, uint64_t sub);

/*
 * Publishes msg on `topic` (no wildcards) to every matching live subscriber (subscribers found
 * dead are removed). The payload is shared, not copied: every delivered message points at the
 * same data, which receivers must treat as read-only and must not take; it is dropped once the
 * last receiver is done. Takes ownership of msg->data on ASW_OK (also when no one matched).
 * *out_delivered (may be NULL) receives the number of mailboxes reached.
 */
ASW_API int asw_broker_publish(asw_broker_t *broker, const char *topic, const asw_msg_t *msg,
                               size_t *out_delivered, asw_error_t *out_err);

#ifdef __cplusplus
}
#endif

#endif /* AIRSSYS_ACTOR_H */
