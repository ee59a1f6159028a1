/*
 * src/wasm/wasi.c -- the WASI context: configuration, pre-opened directories, the descriptor
 * table, captured standard streams, the policy hook, the import definitions and the helper that
 * runs a command module. See docs/wasi.md.
 *
 * Design. The context is a host module written only against the public API of airssys/wasm.h:
 * asw_wasi_add_to_imports defines every function of wasi_snapshot_preview1 (the table is in
 * wasi_abi.c) with user_data = the context. Descriptors 0-2 are the standard streams, 3.. the
 * pre-opens in configuration order, then whatever the guest opens (lowest free number first).
 *
 * Invariants: see wasi_int.h. A context serves one instance at a time; asw_wasi_run refuses a
 * context that is already running (ASW_E_BUSY).
 *
 * Does NOT: touch the OS beyond what wasi_fs.c offers, nor guest memory (wasi_abi.c).
 */
#include "wasm/wasi_int.h"

#include <string.h>
#include <time.h>

#define WASI_DEFAULT_MAX_FDS 1024u
#define WASI_DEFAULT_CAPTURE (16u << 20)
#define WASI_RIGHTS_ALL      ((UINT64_C(1) << 30) - 1)
/* Rights that let a descriptor change the file system (left out under read-only pre-opens). */
#define WASI_RIGHTS_WRITE_MASK                                                                     \
    ((UINT64_C(1) << 0) | (UINT64_C(1) << 3) | (UINT64_C(1) << 4) | (UINT64_C(1) << 6) |           \
     (UINT64_C(1) << 8) | (UINT64_C(1) << 9) | (UINT64_C(1) << 10) | (UINT64_C(1) << 11) |         \
     (UINT64_C(1) << 12) | (UINT64_C(1) << 16) | (UINT64_C(1) << 17) | (UINT64_C(1) << 19) |       \
     (UINT64_C(1) << 20) | (UINT64_C(1) << 22) | (UINT64_C(1) << 23) | (UINT64_C(1) << 24) |       \
     (UINT64_C(1) << 25) | (UINT64_C(1) << 26))

const char *asw_wasi_access_name(asw_wasi_access_t access)
{
    switch (access) {
    case ASW_WASI_ACCESS_READ: return "read";
    case ASW_WASI_ACCESS_WRITE: return "write";
    case ASW_WASI_ACCESS_CREATE: return "create";
    case ASW_WASI_ACCESS_DELETE: return "delete";
    case ASW_WASI_ACCESS_LIST: return "list";
    case ASW_WASI_ACCESS_STAT: return "stat";
    }
    return "?";
}

void asw_wasi_config_init(asw_wasi_config_t *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof(*cfg));
}

/* ------------------------------------------------------------------ descriptor table */

asw__wasi_fd_t *asw__wasi_fd_get(asw_wasi_t *w, uint32_t fd)
{
    if (fd >= w->nfds || w->fds[fd].kind == WASI_FD_FREE) return NULL;
    return &w->fds[fd];
}

int64_t asw__wasi_fd_alloc(asw_wasi_t *w)
{
    for (uint32_t i = 3; i < w->nfds; i++)
        if (w->fds[i].kind == WASI_FD_FREE) return i;
    if (w->nfds >= w->max_fds) return -1;
    uint32_t ncap = w->nfds < 16 ? 16 : w->nfds * 2;
    if (ncap > w->max_fds) ncap = w->max_fds;
    asw__wasi_fd_t *n = asw__reallocarray(w->fds, ncap, sizeof(*n));
    if (!n) return -1;
    memset(n + w->nfds, 0, (size_t)(ncap - w->nfds) * sizeof(*n));
    for (uint32_t i = w->nfds; i < ncap; i++) {
        n[i].host_fd = -1;
        n[i].preopen = -1;
    }
    w->fds = n;
    uint32_t got = w->nfds;
    w->nfds = ncap;
    return got;
}

void asw__wasi_fd_release(asw__wasi_fd_t *f)
{
    if (f->kind == WASI_FD_FILE || f->kind == WASI_FD_DIR) asw__wasi_close(f->host_fd);
    asw__wasi_readdir_free(f->dir);
    asw__free(f->host_path);
    memset(f, 0, sizeof(*f));
    f->host_fd = -1;
    f->preopen = -1;
}

uint16_t asw__wasi_buf_append(asw__wasi_buf_t *b, const uint8_t *p, size_t n)
{
    size_t room = b->limit > b->len ? b->limit - b->len : 0;
    if (n > room) n = room; /* beyond the limit: discarded, as documented */
    if (n == 0) return 0;
    if (b->len + n > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n)
            nc = nc > SIZE_MAX / 2 ? b->len + n : nc * 2;
        if (nc > b->limit) nc = b->limit;
        uint8_t *d = asw__realloc(b->data, nc);
        if (!d) return WASI_ENOMEM;
        b->data = d;
        b->cap = nc;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

uint16_t asw__wasi_check(asw_wasi_t *w, const char *host_path, asw_wasi_access_t access)
{
    if (!w->policy) return 0;
    return w->policy(w->policy_ud, host_path, access) ? ASW_WASI_EACCES : 0;
}

/* ------------------------------------------------------------------ lifecycle */

static int copy_strings(const char *const *src, size_t n, char ***out, size_t *out_bytes,
                        bool need_eq, asw_error_t *err)
{
    *out = NULL;
    *out_bytes = 0;
    if (n == 0) return ASW_OK;
    if (!src) return asw__errorf(err, ASW_E_INVALID, "wasi: %zu strings but a NULL array", n);
    char **v = asw__calloc(n, sizeof(char *));
    if (!v) return asw__errorf(err, ASW_E_NOMEM, "wasi: out of memory");
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (!src[i] || (need_eq && !strchr(src[i], '='))) {
            for (size_t j = 0; j < i; j++)
                asw__free(v[j]);
            asw__free(v);
            return asw__errorf(err, ASW_E_INVALID, "wasi: %s entry %zu is %s",
                               need_eq ? "environment" : "argument", i,
                               src[i] ? "not KEY=VALUE" : "NULL");
        }
        v[i] = asw__strdup(src[i]);
        if (!v[i]) {
            for (size_t j = 0; j < i; j++)
                asw__free(v[j]);
            asw__free(v);
            return asw__errorf(err, ASW_E_NOMEM, "wasi: out of memory");
        }
        bytes += strlen(src[i]) + 1;
    }
    *out = v;
    *out_bytes = bytes;
    return ASW_OK;
}

void asw_wasi_free(asw_wasi_t *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->nargs; i++)
        asw__free(w->args[i]);
    for (size_t i = 0; i < w->nenv; i++)
        asw__free(w->env[i]);
    asw__free(w->args);
    asw__free(w->env);
    for (uint32_t i = 0; i < w->nfds; i++)
        asw__wasi_fd_release(&w->fds[i]);
    asw__free(w->fds);
    for (size_t i = 0; i < w->npreopens; i++) {
        asw__free(w->preopens[i].host);
        asw__free(w->preopens[i].guest);
    }
    asw__free(w->preopens);
    asw__free(w->input);
    for (int i = 0; i < 3; i++)
        asw__free(w->out[i].data);
    asw__free(w);
}

static int setup_stdio(asw_wasi_t *w, const asw_wasi_config_t *cfg, asw_error_t *err)
{
    for (int i = 0; i < 3; i++) {
        const asw_wasi_stdio_t *s = &cfg->stdio[i];
        asw__wasi_fd_t *f = &w->fds[i];
        f->kind = WASI_FD_STDIO;
        f->stdio = i;
        f->preopen = -1;
        f->filetype = WASI_FILETYPE_CHAR;
        /* Streams: read or write, poll, fdstat; no seek/tell (so isatty() logic works). */
        f->rights_base = (i == 0 ? (UINT64_C(1) << 1) : (UINT64_C(1) << 6)) | (UINT64_C(1) << 27) |
                         (UINT64_C(1) << 21) | (UINT64_C(1) << 3);
        w->stdio_mode[i] = s->mode;
        switch (s->mode) {
        case ASW_WASI_STDIO_INHERIT: f->host_fd = i; break;
        case ASW_WASI_STDIO_FD:
            if (s->fd < 0)
                return asw__errorf(err, ASW_E_INVALID, "wasi: stdio %d: fd %d is invalid", i,
                                   s->fd);
            f->host_fd = s->fd;
            break;
        case ASW_WASI_STDIO_BUFFER:
            f->host_fd = -1;
            if (i == 0) {
                if (s->input_len && !s->input)
                    return asw__errorf(err, ASW_E_INVALID, "wasi: stdin buffer is NULL");
                if (s->input_len) {
                    w->input = asw__malloc(s->input_len);
                    if (!w->input) return asw__errorf(err, ASW_E_NOMEM, "wasi: out of memory");
                    memcpy(w->input, s->input, s->input_len);
                    w->input_len = s->input_len;
                }
            } else {
                w->out[i].limit = s->capture_limit ? s->capture_limit : WASI_DEFAULT_CAPTURE;
            }
            break;
        case ASW_WASI_STDIO_NULL: f->host_fd = -1; break;
        default:
            return asw__errorf(err, ASW_E_INVALID, "wasi: stdio %d: unknown mode %d", i,
                               (int)s->mode);
        }
        if (f->host_fd >= 0) {
            asw__wasi_stat_t st;
            if (asw__wasi_fstat(f->host_fd, &st) == 0) f->filetype = st.filetype;
            if (f->filetype == WASI_FILETYPE_REGULAR)
                f->rights_base |= (UINT64_C(1) << 2) | (UINT64_C(1) << 5);
        }
    }
    return ASW_OK;
}

static int setup_preopens(asw_wasi_t *w, const asw_wasi_config_t *cfg, asw_error_t *err)
{
    if (cfg->npreopens == 0) return ASW_OK;
    if (!cfg->preopens) return asw__errorf(err, ASW_E_INVALID, "wasi: NULL pre-open array");
    w->preopens = asw__calloc(cfg->npreopens, sizeof(*w->preopens));
    if (!w->preopens) return asw__errorf(err, ASW_E_NOMEM, "wasi: out of memory");
    for (size_t i = 0; i < cfg->npreopens; i++) {
        const asw_wasi_preopen_t *p = &cfg->preopens[i];
        if (!p->host_path || !p->host_path[0])
            return asw__errorf(err, ASW_E_INVALID, "wasi: pre-open %zu has no host path", i);
        const char *guest = p->guest_path ? p->guest_path : p->host_path;
        if (!guest[0])
            return asw__errorf(err, ASW_E_INVALID, "wasi: pre-open %zu has an empty guest path", i);
        int64_t slot = asw__wasi_fd_alloc(w);
        if (slot < 0)
            return asw__errorf(err, ASW_E_LIMIT, "wasi: too many pre-opens (max_fds %u)",
                               w->max_fds);
        asw__wasi_fd_t *f = &w->fds[slot];
        char *canon = NULL;
        int hfd = -1;
        uint16_t e = asw__wasi_open_dir(p->host_path, &canon, &hfd);
        if (e) {
            int code = e == ASW_WASI_ENOENT ? ASW_E_NOT_FOUND
                       : e == WASI_ENOMEM   ? ASW_E_NOMEM
                                            : ASW_E_IO;
            return asw__errorf(err, code,
                               "wasi: cannot open pre-open directory '%s' (wasi errno %u)",
                               p->host_path, (unsigned)e);
        }
        w->npreopens = i + 1;
        w->preopens[i].host = asw__strdup(canon);
        w->preopens[i].guest = asw__strdup(guest);
        w->preopens[i].read_only = p->read_only;
        f->kind = WASI_FD_DIR;
        f->filetype = WASI_FILETYPE_DIRECTORY;
        f->host_fd = hfd;
        f->host_path = canon;
        f->preopen = (int)i;
        f->read_only = p->read_only;
        f->rights_base = WASI_RIGHTS_ALL;
        f->rights_inheriting = WASI_RIGHTS_ALL;
        if (p->read_only) {
            f->rights_base &= ~WASI_RIGHTS_WRITE_MASK;
            f->rights_inheriting &= ~WASI_RIGHTS_WRITE_MASK;
        }
        if (!w->preopens[i].host || !w->preopens[i].guest)
            return asw__errorf(err, ASW_E_NOMEM, "wasi: out of memory");
    }
    return ASW_OK;
}

int asw_wasi_new(const asw_wasi_config_t *cfg, asw_wasi_t **out_wasi, asw_error_t *out_err)
{
    if (!out_wasi) return asw__errorf(out_err, ASW_E_INVALID, "wasi: out_wasi is NULL");
    *out_wasi = NULL;
    asw_wasi_config_t defaults;
    if (!cfg) {
        asw_wasi_config_init(&defaults);
        cfg = &defaults;
    }
    int rc;
    asw_wasi_t *w = asw__malloc(sizeof(*w));
    if (!w) return asw__errorf(out_err, ASW_E_NOMEM, "wasi: out of memory");
    *w = (asw_wasi_t){0}; /* null pointers and zero counts (calloc's zero bytes say neither) */
    w->max_fds = cfg->max_fds ? cfg->max_fds : WASI_DEFAULT_MAX_FDS;
    if (w->max_fds < 3 + cfg->npreopens) {
        rc = asw__errorf(out_err, ASW_E_INVALID,
                         "wasi: max_fds %u leaves no room for stdio and "
                         "%zu pre-opens",
                         w->max_fds, cfg->npreopens);
        goto fail;
    }
    w->policy = cfg->policy;
    w->policy_ud = cfg->policy_ud;
    if ((rc = copy_strings(cfg->args, cfg->nargs, &w->args, &w->args_bytes, false, out_err)))
        goto fail;
    w->nargs = cfg->nargs;
    if ((rc = copy_strings(cfg->env, cfg->nenv, &w->env, &w->env_bytes, true, out_err))) goto fail;
    w->nenv = cfg->nenv;
    w->fds = asw__calloc(16, sizeof(*w->fds));
    if (!w->fds) {
        rc = asw__errorf(out_err, ASW_E_NOMEM, "wasi: out of memory");
        goto fail;
    }
    w->nfds = 16 < w->max_fds ? 16 : w->max_fds;
    for (uint32_t i = 0; i < w->nfds; i++) {
        w->fds[i].host_fd = -1;
        w->fds[i].preopen = -1;
    }
    if ((rc = setup_stdio(w, cfg, out_err))) goto fail;
    if ((rc = setup_preopens(w, cfg, out_err))) goto fail;
    *out_wasi = w;
    return ASW_OK;

fail:
    asw_wasi_free(w);
    return rc;
}

int asw_wasi_output(const asw_wasi_t *w, int fd, const uint8_t **out_data, size_t *out_len)
{
    if (!w || !out_data || !out_len || (fd != 1 && fd != 2) ||
        w->stdio_mode[fd] != ASW_WASI_STDIO_BUFFER)
        return ASW_E_INVALID;
    *out_data = w->out[fd].data;
    *out_len = w->out[fd].len;
    return ASW_OK;
}

int asw_wasi_add_to_imports(asw_wasi_t *w, asw_imports_t *imports, asw_error_t *out_err)
{
    if (!w || !imports) return asw__errorf(out_err, ASW_E_INVALID, "wasi: NULL argument");
    size_t n;
    const asw__wasi_def_t *defs = asw__wasi_defs(&n);
    for (size_t i = 0; i < n; i++) {
        static const uint8_t errno_result[1] = {ASW_I32};
        asw_functype_t t = {.nparams = defs[i].nparams,
                            .nresults = defs[i].nresults,
                            .params = defs[i].params,
                            .results = errno_result};
        int rc = asw_imports_define_func(imports, ASW_WASI_MODULE, defs[i].name, &t, defs[i].fn, w,
                                         out_err);
        if (rc) return rc;
    }
    return ASW_OK;
}

/* ------------------------------------------------------------------ running a command */

static uint64_t mono_now(void)
{
    uint64_t t = 0;
    (void)asw__wasi_clock_time(1, &t);
    return t;
}

int asw_wasi_run(asw_engine_t *engine, asw_module_t *module, asw_wasi_t *wasi,
                 const asw_wasi_run_options_t *opts, int *out_exit_code, asw_trap_t **out_trap,
                 asw_error_t *out_err)
{
    if (out_trap) *out_trap = NULL;
    if (out_exit_code) *out_exit_code = 0;
    if (!engine || !module || !wasi)
        return asw__errorf(out_err, ASW_E_INVALID, "wasi run: NULL engine, module or context");
    if (wasi->running)
        return asw__errorf(out_err, ASW_E_BUSY, "wasi run: the context already runs a program");
    asw_wasi_run_options_t none = {0};
    if (!opts) opts = &none;

    asw_store_t *store = NULL;
    asw_imports_t *imports = NULL;
    asw_trap_t *trap = NULL;
    int rc;
    wasi->running = true;

    asw_store_limits_t limits = {0};
    limits.max_memory_pages = opts->max_memory_pages;
    const asw_store_limits_t *lp = opts->max_memory_pages ? &limits : NULL;
    if ((rc = asw_store_new(engine, lp, &store, out_err))) goto done;
    if (opts->fuel) {
        asw_store_set_fuel_mode(store, ASW_FUEL_TRAP);
        asw_store_set_fuel(store, opts->fuel);
    }
    if ((rc = asw_imports_new(&imports, out_err))) goto done;
    if ((rc = asw_wasi_add_to_imports(wasi, imports, out_err))) goto done;
    if (opts->timeout_ns) {
        if ((rc = asw_store_set_deadline(store, opts->timeout_ns, ASW_INTERRUPT_KILL))) {
            asw__errorf(out_err, rc, "wasi run: cannot set the deadline");
            goto done;
        }
        uint64_t now = mono_now();
        wasi->deadline_ns = now + opts->timeout_ns < now ? UINT64_MAX : now + opts->timeout_ns;
    }

    asw_instance_t *inst = NULL;
    rc = asw_instance_new(store, module, imports, &inst, &trap, out_err);
    if (rc == ASW_OK) {
        asw_func_t *start = asw_instance_func(inst, "_start");
        asw_functype_t ft;
        if (start) asw_func_type(start, &ft);
        if (!start || ft.nparams || ft.nresults) {
            rc = asw__errorf(out_err, ASW_E_NOT_FOUND,
                             "wasi run: the module has no `_start` function of type [] -> [] "
                             "(not a WASI command)");
            goto done;
        }
        rc = asw_func_call(start, NULL, 0, NULL, 0, &trap, out_err);
    }
    if (rc == ASW_E_EXIT) {
        if (out_exit_code) *out_exit_code = asw_store_exit_code(store);
        rc = ASW_OK;
        asw_error_init(out_err);
    } else if (rc == ASW_E_SUSPENDED) {
        asw_store_abandon(store);
        rc = asw__errorf(out_err, ASW_E_STATE, "wasi run: the program suspended");
    }

done:
    if (store && opts->timeout_ns) (void)asw_store_set_deadline(store, 0, ASW_INTERRUPT_KILL);
    wasi->deadline_ns = 0;
    wasi->running = false;
    if (trap) {
        if (rc == ASW_E_TRAP && out_trap)
            *out_trap = trap;
        else
            asw_trap_free(trap);
    }
    asw_imports_free(imports);
    asw_store_free(store);
    return rc;
}
