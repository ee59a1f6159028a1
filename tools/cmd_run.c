/*
 * tools/cmd_run.c -- `airssys run [options] airssys.toml`: starts the system a system manifest
 * describes (airssys/sysmanifest.h) on the component host (airssys/host.h), shows a live status
 * line, and stops cleanly on SIGINT or SIGTERM. `--check` only validates: the system manifest,
 * every Component.toml it names, and that every module (and signature) can be read.
 *
 * Design. Start-up follows the document: the top-level entries -- root [[supervisor]]s and
 * components no supervisor lists -- are started in the order they are written. A root's tree is
 * built first (asw_host_supervisor_new for each supervisor, asw_host_load into it for each
 * component, children in the order `children` lists them) and then started as a whole
 * (asw_host_supervisor_start: ordered start, the strategies, intensity and escalation are the
 * host's and the runtime's); a top-level component gets its own supervisor from its
 * Component.toml [supervision]. Shutdown is the reverse: the top-level entries are stopped last
 * first, each tree stopping its children in reverse order.
 *
 * The main thread does everything after start-up but the control socket: it sleeps in short
 * steps, and on each tick samples asw_component_info of every component and renders one status
 * line (components running, messages per second over the last interval, restarts, quota
 * warnings). On a terminal the line is redrawn in place; otherwise a plain line is printed per
 * interval. Signal handlers only set flags: SIGINT/SIGTERM stop, SIGUSR1 prints the `ps` table
 * (tools/cmd_ps.c). The control socket (tools/control.c; default
 * $XDG_RUNTIME_DIR/airssys/<name>.sock or /tmp/airssys-<uid>/<name>.sock, or --control PATH) is
 * served by its own thread and answers `airssys ps`.
 * Subscriptions of airssys.toml must be allowed by the component's messaging capability
 * (receive), as a subscribe from the guest would be; they are made for its current actor; when a
 * component was restarted (its actor changed), the tick subscribes the new actor and drops the old
 * subscription, so they survive restarts. Start messages are sent once every component runs.
 *
 * Not done: changing a running system (adding, removing or replacing components); requests
 * over the control socket other than ps and ping. See docs/host.md and docs/cli.md.
 */
#define _XOPEN_SOURCE 700 /* realpath, sigaction */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag, ps_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void on_ps(int sig)
{
    (void)sig;
    ps_flag = 1;
}

/* ---- --check ---- */

static void print_tree(const asw_sysmanifest_t *m, const char *name, int depth)
{
    const asw_sys_supervisor_t *s = asw_sysmanifest_supervisor(m, name);
    if (s) {
        printf("  %*s%s (supervisor, %s, %" PRIu32 " restarts in %" PRIu64 " ms%s%s)\n", depth * 2,
               "", s->name, asw_strategy_name(s->strategy), s->max_restarts,
               s->within_ns / 1000000u, s->backoff ? ", backoff " : "",
               s->backoff == ASW_BACKOFF_LINEAR        ? "linear"
               : s->backoff == ASW_BACKOFF_EXPONENTIAL ? "exponential"
                                                       : "");
        for (size_t i = 0; i < s->nchildren; i++)
            print_tree(m, s->children[i], depth + 1);
    } else {
        printf("  %*s%s\n", depth * 2, "", name);
    }
}

static int check_system(const char *path, const asw_sysmanifest_t *m)
{
    int bad = 0;
    for (size_t i = 0; i < m->ncomponents; i++) {
        const asw_sys_component_t *c = &m->components[i];
        size_t len;
        char *text = cli_read_file(c->manifest, &len);
        if (!text) {
            fprintf(stderr, "%s: component '%s': cannot read manifest %s: %s\n", path, c->name,
                    c->manifest, strerror(errno));
            bad = 1;
            continue;
        }
        asw_manifest_t *man = NULL;
        asw_error_t e = {0};
        if (asw_manifest_parse(text, len, &man, &e) != ASW_OK) {
            fprintf(stderr, "%s: %s\n", c->manifest, asw_error_message(&e));
            bad = 1;
        }
        asw_manifest_free(man);
        free(text);
        if (access(c->module, R_OK) != 0) {
            fprintf(stderr, "%s: component '%s': cannot read module %s: %s\n", path, c->name,
                    c->module, strerror(errno));
            bad = 1;
        }
        if (c->signature && access(c->signature, R_OK) != 0) {
            fprintf(stderr, "%s: component '%s': cannot read signature %s: %s\n", path, c->name,
                    c->signature, strerror(errno));
            bad = 1;
        }
    }
    if (bad) return 1;
    printf("ok: %s: %zu components, %zu supervisors, %zu subscriptions, %zu start messages\n",
           m->name, m->ncomponents, m->nsupervisors, m->nsubscriptions, m->nmessages);
    for (size_t i = 0; i < m->nsupervisors; i++)
        if (!m->supervisors[i].parent) print_tree(m, m->supervisors[i].name, 0);
    for (size_t i = 0; i < m->ncomponents; i++)
        if (!m->components[i].supervisor) print_tree(m, m->components[i].name, 0);
    return 0;
}

/* ---- status ---- */

typedef struct comp_state {
    asw_component_t *comp;
    asw_actor_id_t actor; /* the actor the subscriptions were made for */
    uint64_t *subs;       /* subscription ids, one per topic */
    size_t nsubs;
    const asw_sys_subscription_t *sub; /* or NULL */
} comp_state;

/* A top-level entry of airssys.toml: a component (sup NULL) or a root supervisor. */
typedef struct top_entry {
    uint32_t line, column;
    size_t comp;                     /* index in m->components when sup is NULL */
    const asw_sys_supervisor_t *sup; /* a root supervisor, or NULL */
    asw_host_sup_t *hsup;            /* its host supervisor once built */
} top_entry;

typedef struct run_state {
    asw_host_t *host;
    const asw_sysmanifest_t *m;
    comp_state *cs;
    size_t n;              /* components (every one loaded) */
    top_entry *top;        /* top-level entries in document order */
    size_t ntop, nstarted; /* started: the first nstarted of top */
    uint64_t last_handled, last_ns;
} run_state;

/* Counts quota kinds at warning level or above over every component. */
static unsigned quota_warnings(run_state *R)
{
    unsigned w = 0;
    uint64_t now = asw_quota_now_ns();
    for (size_t i = 0; i < R->n; i++) {
        asw_sec_ctx_t *ctx =
            asw_sec_lookup(asw_host_sec(R->host), asw_component_name(R->cs[i].comp));
        asw_quota_t *q = asw_sec_quota(ctx);
        if (!q) continue;
        for (int k = 0; k < ASW_QUOTA_KINDS; k++) {
            asw_quota_usage_t u;
            asw_quota_usage(q, (asw_quota_kind_t)k, now, &u);
            if (u.limit && u.level >= ASW_QUOTA_WARNING) w++;
        }
    }
    return w;
}

/* Renders the status line into buf. */
static void render_status(run_state *R, char *buf, size_t cap)
{
    size_t running = 0;
    uint64_t handled = 0, restarts = 0, crashes = 0, denied = 0;
    for (size_t i = 0; i < R->n; i++) {
        asw_component_info_t ci;
        asw_component_info(R->cs[i].comp, &ci);
        running += ci.state == ASW_COMPONENT_RUNNING;
        handled += ci.handled;
        restarts += ci.restarts;
        crashes += ci.crashes;
        denied += ci.denied;
    }
    uint64_t now = asw_quota_now_ns();
    double secs = (double)(now - R->last_ns) / 1e9;
    double rate = secs > 0 ? (double)(handled - R->last_handled) / secs : 0;
    R->last_handled = handled;
    R->last_ns = now;
    snprintf(buf, cap,
             "%s: %zu/%zu components running | %.0f msg/s | %" PRIu64 " handled | %" PRIu64
             " restarts | %" PRIu64 " crashes | %" PRIu64 " denied | %u quota warnings",
             R->m->name, running, R->n, rate, handled, restarts, crashes, denied,
             quota_warnings(R));
}

/* Makes the subscriptions of component i for its current actor (again after a restart). */
static void resubscribe(run_state *R, size_t i)
{
    comp_state *c = &R->cs[i];
    if (!c->sub) return;
    asw_component_info_t ci;
    asw_component_info(c->comp, &ci);
    if (ci.actor == c->actor || ci.actor == ASW_ACTOR_NONE) return;
    asw_broker_t *b = asw_host_broker(R->host);
    for (size_t k = 0; k < c->nsubs; k++)
        if (c->subs[k]) asw_broker_unsubscribe(b, c->subs[k]);
    for (size_t k = 0; k < c->sub->ntopics; k++) {
        asw_error_t e = {0};
        c->subs[k] = 0;
        if (asw_broker_subscribe(b, c->sub->topics[k], ci.actor, &c->subs[k], &e) != ASW_OK)
            fprintf(stderr, "airssys: subscribe %s to '%s': %s\n", ci.name, c->sub->topics[k],
                    asw_error_message(&e));
    }
    c->actor = ci.actor;
}

/* ---- start-up ---- */

/* May component `name` receive what `pattern` subscribes to? asw_host_check_subscription
 * decides (and audits), as for a guest's subscribe. */
static bool subscription_granted(asw_host_t *host, const char *name, const char *pattern,
                                 const char **why)
{
    asw_cap_decision_t d; /* the library's one subscription rule (wildcards included) */
    if (asw_host_check_subscription(host, name, pattern, &d) == ASW_OK) return true;
    *why = d.reason;
    return false;
}

/* Loads component c (into host supervisor sup, or NULL: its own supervisor, started now). */
static int load_component(asw_host_t *host, const asw_sys_component_t *c, asw_host_sup_t *sup,
                          asw_component_t **out)
{
    size_t mlen = 0, flen = 0, slen = 0;
    char *mod = NULL, *man = NULL, *sig = NULL, abs[PATH_MAX], sigpath[PATH_MAX + 8];
    asw_error_t e = {0};
    int rc = 1;
    if (!(mod = cli_read_file(c->module, &mlen))) {
        fprintf(stderr, "airssys: %s: cannot read %s: %s\n", c->name, c->module, strerror(errno));
        goto done;
    }
    if (!(man = cli_read_file(c->manifest, &flen))) {
        fprintf(stderr, "airssys: %s: cannot read %s: %s\n", c->name, c->manifest, strerror(errno));
        goto done;
    }
    if (c->signature) {
        if (!(sig = cli_read_file(c->signature, &slen))) {
            fprintf(stderr, "airssys: %s: cannot read %s: %s\n", c->name, c->signature,
                    strerror(errno));
            goto done;
        }
    } else {
        snprintf(sigpath, sizeof sigpath, "%s.sig", c->module);
        sig = cli_read_file(sigpath, &slen); /* optional */
    }
    asw_component_source_t src;
    memset(&src, 0, sizeof src);
    src.module = (const uint8_t *)mod;
    src.module_len = mlen;
    src.manifest = man;
    src.manifest_len = flen;
    src.sig = sig;
    src.sig_len = slen;
    src.path = realpath(c->module, abs) ? abs : NULL;
    src.name = c->name;
    src.supervisor = sup;
    if (asw_host_load(host, &src, out, &e) != ASW_OK) {
        fprintf(stderr, "airssys: component '%s': %s\n", c->name, asw_error_message(&e));
        goto done;
    }
    rc = 0;
done:
    free(mod);
    free(man);
    free(sig);
    return rc;
}

/* Creates host supervisor s (under parent) and, in `children` order, its child supervisors
 * and components (loaded into it: their init runs now, they start with the tree). */
static int build_tree(run_state *R, const asw_sys_supervisor_t *s, asw_host_sup_t *parent,
                      asw_host_sup_t **out)
{
    asw_host_sup_opts_t o;
    memset(&o, 0, sizeof o);
    o.name = s->name;
    o.strategy = s->strategy;
    o.max_restarts = s->max_restarts;
    o.within_ns = s->within_ns;
    o.backoff = s->backoff;
    o.backoff_base_ns = s->backoff_base_ns;
    o.backoff_max_ns = s->backoff_max_ns;
    o.parent = parent;
    asw_host_sup_t *hs = NULL;
    asw_error_t e = {0};
    if (asw_host_supervisor_new(R->host, &o, &hs, &e) != ASW_OK) {
        fprintf(stderr, "airssys: supervisor '%s': %s\n", s->name, asw_error_message(&e));
        return 1;
    }
    for (size_t i = 0; i < s->nchildren; i++) {
        const asw_sys_component_t *c = asw_sysmanifest_component(R->m, s->children[i]);
        if (c) {
            size_t idx = (size_t)(c - R->m->components);
            if (load_component(R->host, c, hs, &R->cs[idx].comp)) return 1;
        } else if (build_tree(R, asw_sysmanifest_supervisor(R->m, s->children[i]), hs, NULL)) {
            return 1;
        }
    }
    if (out) *out = hs;
    return 0;
}

static int by_position(const void *a, const void *b)
{
    const top_entry *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->column < y->column ? -1 : x->column > y->column;
}

/* Starts the top-level entries in document order (see the top of the file). */
static int start_all(run_state *R)
{
    const asw_sysmanifest_t *m = R->m;
    R->top = calloc(m->ncomponents + m->nsupervisors, sizeof *R->top);
    if (!R->top) return 1;
    for (size_t i = 0; i < m->ncomponents; i++)
        if (!m->components[i].supervisor)
            R->top[R->ntop++] =
                (top_entry){m->components[i].line, m->components[i].column, i, NULL, NULL};
    for (size_t i = 0; i < m->nsupervisors; i++)
        if (!m->supervisors[i].parent)
            R->top[R->ntop++] = (top_entry){m->supervisors[i].line, m->supervisors[i].column, 0,
                                            &m->supervisors[i], NULL};
    qsort(R->top, R->ntop, sizeof *R->top, by_position);
    for (size_t i = 0; i < R->ntop; i++) {
        top_entry *t = &R->top[i];
        if (!t->sup) {
            if (load_component(R->host, &m->components[t->comp], NULL, &R->cs[t->comp].comp))
                return 1;
            R->nstarted = i + 1;
            continue;
        }
        if (build_tree(R, t->sup, NULL, &t->hsup)) return 1;
        asw_error_t e = {0};
        if (asw_host_supervisor_start(R->host, t->hsup, &e) != ASW_OK) {
            fprintf(stderr, "airssys: %s\n", asw_error_message(&e));
            return 1;
        }
        R->nstarted = i + 1;
    }
    R->n = m->ncomponents;
    return 0;
}

/* Stops what start_all started, last first (each tree stops its children in reverse order). */
static void stop_all(run_state *R)
{
    for (size_t i = R->nstarted; i-- > 0;) {
        top_entry *t = &R->top[i];
        if (t->hsup)
            (void)asw_host_supervisor_stop(R->host, t->hsup, 0, NULL);
        else if (R->cs[t->comp].comp)
            (void)asw_component_stop(R->cs[t->comp].comp, 0, NULL);
    }
    R->nstarted = 0;
}

static int serve_ps(void *ud, const char *request, FILE *out)
{
    return cli_ps_serve(ud, request, out);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int run_usage(void)
{
    fprintf(stderr,
            "usage: airssys run [--check] [--dev] [--interval MS] [--duration SECONDS] "
            "[--control PATH] airssys.toml\n"
            "  --check         validate the system manifest and what it names; start nothing\n"
            "  --dev           dev mode: run components that are not approved (loudly)\n"
            "  --interval MS   status update period (default 1000)\n"
            "  --duration S    stop by itself after S seconds (default: run until a signal)\n"
            "  --control PATH  control socket for `airssys ps` (default:\n"
            "                  $XDG_RUNTIME_DIR/airssys/NAME.sock or /tmp/airssys-UID/NAME.sock)\n"
            "signals: SIGINT/SIGTERM stop cleanly; SIGUSR1 prints the component table\n");
    return 2;
}

static int run_system(const char *path, const asw_sysmanifest_t *m, bool dev, unsigned interval,
                      double duration, const char *control_path)
{
    cli_control *control = NULL;
    cli_ps_ctx ps_ctx = {NULL, NULL};
    asw_audit_t *audit = NULL;
    asw_trust_registry_t *trust = NULL;
    asw_approval_store_t *approvals = NULL;
    asw_host_t *host = NULL;
    run_state R;
    memset(&R, 0, sizeof R);
    asw_error_t e = {0};
    int status = 1;
    if (m->audit) {
        asw_audit_config_t ac;
        memset(&ac, 0, sizeof ac);
        ac.path = m->audit;
        if (asw_audit_open(&ac, &audit, &e)) {
            cli_fail(m->audit, e.code, &e);
            goto done;
        }
    }
    if (m->trust && asw_trust_registry_load(m->trust, &trust, &e)) {
        cli_fail(m->trust, e.code, &e);
        goto done;
    }
    if (m->approvals && asw_approval_store_open(m->approvals, 0, audit, &approvals, &e)) {
        cli_fail(m->approvals, e.code, &e);
        goto done;
    }
    asw_host_opts_t ho;
    memset(&ho, 0, sizeof ho);
    ho.audit = audit;
    ho.trust = trust;
    ho.approvals = approvals;
    ho.storage_dir = m->storage;
    ho.dev_mode = dev || m->dev_mode;
    if (asw_host_new(&ho, &host, &e)) {
        cli_fail("host", e.code, &e);
        goto done;
    }
    R.host = host;
    R.m = m;
    R.cs = calloc(m->ncomponents, sizeof *R.cs);
    if (!R.cs) goto done;
    {
        char cpath[PATH_MAX], err[512];
        if (!control_path) {
            if (cli_control_path(m->name, cpath, sizeof cpath, true, err, sizeof err)) {
                fprintf(stderr, "airssys: control socket: %s\n", err);
                goto done;
            }
            control_path = cpath;
        }
        ps_ctx.host = host;
        ps_ctx.system_name = m->name;
        if (cli_control_start(control_path, serve_ps, &ps_ctx, &control, err, sizeof err)) {
            fprintf(stderr, "airssys: control socket: %s\n", err);
            goto done;
        }
    }
    if (start_all(&R)) goto done;
    for (size_t i = 0; i < m->nsubscriptions; i++) {
        for (size_t j = 0; j < R.n; j++) {
            if (strcmp(asw_component_name(R.cs[j].comp), m->subscriptions[i].component)) continue;
            /* The manifest's messaging capability decides (receive). */
            for (size_t k = 0; k < m->subscriptions[i].ntopics; k++) {
                const char *why = NULL, *topic = m->subscriptions[i].topics[k];
                if (!subscription_granted(host, m->subscriptions[i].component, topic, &why)) {
                    fprintf(stderr, "airssys: subscription of '%s' to '%s' denied: %s\n",
                            m->subscriptions[i].component, topic, why);
                    goto done;
                }
            }
            R.cs[j].sub = &m->subscriptions[i];
            R.cs[j].nsubs = m->subscriptions[i].ntopics;
            R.cs[j].subs = calloc(R.cs[j].nsubs, sizeof *R.cs[j].subs);
            if (!R.cs[j].subs) goto done;
            resubscribe(&R, j);
        }
    }
    for (size_t i = 0; i < m->nmessages; i++) {
        const asw_sys_message_t *msg = &m->messages[i];
        if (asw_host_send(host, msg->target, msg->payload, msg->payload_len, &e))
            fprintf(stderr, "airssys: start message to '%s': %s\n", msg->target,
                    asw_error_message(&e));
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_ps;
    sigaction(SIGUSR1, &sa, NULL);

    bool tty = isatty(STDOUT_FILENO);
    printf("%s: started %zu components from %s (pid %ld)\n", m->name, R.n, path, (long)getpid());
    fflush(stdout);
    R.last_ns = asw_quota_now_ns();
    uint64_t end = duration > 0 ? R.last_ns + (uint64_t)(duration * 1e9) : UINT64_MAX;
    uint64_t next = R.last_ns + (uint64_t)interval * 1000000u;
    char line[512];
    while (!stop_flag && asw_quota_now_ns() < end) {
        sleep_ms(interval < 100 ? interval : 100);
        if (ps_flag) {
            ps_flag = 0;
            if (tty) fputs("\r\033[K", stdout);
            cli_ps_render(host, m->name, false, stdout);
        }
        if (asw_quota_now_ns() < next) continue;
        next += (uint64_t)interval * 1000000u;
        for (size_t i = 0; i < R.n; i++)
            resubscribe(&R, i);
        render_status(&R, line, sizeof line);
        if (tty)
            printf("\r\033[K%s", line);
        else
            printf("%s\n", line);
        fflush(stdout);
    }
    render_status(&R, line, sizeof line);
    printf("%s%s\n%s: stopping\n", tty ? "\r\033[K" : "", line, m->name);
    fflush(stdout);
    status = 0;
done:
    cli_control_stop(control); /* first: its thread reads the host */
    stop_all(&R);
    for (size_t i = 0; R.cs && i < m->ncomponents; i++)
        free(R.cs[i].subs);
    free(R.cs);
    free(R.top);
    asw_host_free(host);
    asw_approval_store_close(approvals);
    asw_trust_registry_free(trust);
    asw_audit_close(audit);
    if (status == 0) printf("%s: stopped\n", m->name);
    return status;
}

int asw_cli_run(int argc, char **argv);

int asw_cli_run(int argc, char **argv)
{
    bool check = false, dev = false;
    unsigned interval = 1000;
    double duration = 0;
    const char *path = NULL, *control = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--control") && i + 1 < argc) {
            control = argv[++i];
            if (!control[0]) return cli_usage_error("--control: a socket path");
        } else if (!strcmp(a, "--check")) {
            check = true;
        } else if (!strcmp(a, "--dev")) {
            dev = true;
        } else if (!strcmp(a, "--interval") && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v < 10 || v > 3600000)
                return cli_usage_error("--interval: a number of milliseconds (10-3600000)");
            interval = (unsigned)v;
        } else if (!strcmp(a, "--duration") && i + 1 < argc) {
            char *end;
            duration = strtod(argv[++i], &end);
            if (*end || !(duration > 0) || duration > 1e7)
                return cli_usage_error("--duration: a positive number of seconds");
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            run_usage();
            return 0;
        } else if (a[0] == '-' || path) {
            return run_usage();
        } else {
            path = a;
        }
    }
    if (!path) return run_usage();
    asw_sysmanifest_t *m = NULL;
    asw_error_t e = {0};
    if (asw_sysmanifest_load(path, &m, &e) != ASW_OK) {
        fprintf(stderr, "airssys: %s\n", asw_error_message(&e));
        return 1;
    }
    int rc = check ? check_system(path, m) : run_system(path, m, dev, interval, duration, control);
    asw_sysmanifest_free(m);
    return rc;
}
