/*
 * src/security/toml.c -- the TOML 1.0 parser's structure half and the public accessors: the
 * document arena, hashed tables that keep document order, arrays, keys (bare, quoted, dotted),
 * [table] and [[array of tables]] headers, inline tables, and the rules about what may be
 * defined where. Lexing of strings and scalars is in toml_lex.c.
 *
 * Design. A document is parsed in one pass over text that asw__toml_check_text() has already
 * validated. Every node lives in an arena owned by the root (toml_doc), so failure at any point
 * frees the arena and nothing leaks. Tables are arrays of entries in document order; once a
 * table has 32 keys it also gets an open-addressing index (load <= 1/2) keyed by a seeded FNV-1a
 * hash, so lookups, duplicate checks and therefore the whole parse are linear in the size of the
 * document. Arrays and inline tables are parsed recursively; the recursion is bounded because
 * containers may nest at most ASW_TOML_MAX_DEPTH levels below the root (tables created by dotted
 * keys and headers count too), which also bounds every walk over a tree.
 *
 * Definition rules (TOML 1.0, "Table" and "Array of Tables"), kept with one flag per table:
 *   IMPLICIT  created as the parent of a [header] (e.g. `a` of [a.b]); a later [a] defines it
 *             once; dotted keys may also add to it (they then define it).
 *   DEFINED   defined by a [header], an element of [[header]], or the root: never again.
 *   DOTTED    created by a dotted key (a.b = 1 creates a): later dotted keys of the same section
 *             may add to it, a [header] may not define it but may define sub-tables below it.
 *   INLINE    an inline table: complete when closed; nothing may add to it.
 * An array made by [[header]] (AOT) accepts more elements from [[header]] and headers below it
 * address its last element; a static array (a = [...]) accepts neither.
 *
 * Not done: writing TOML; keeping comments or formatting.
 */
#include "security/toml_int.h"

#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define CHUNK_HDR      ((sizeof(toml_chunk) + 15) & ~(size_t)15)
#define CHUNK_MIN      4096
#define CHUNK_MAX      (1u << 20)
#define INDEX_MIN_KEYS 32
#define MAX_KEY_PARTS  (ASW_TOML_MAX_DEPTH + 1)
#define KEY_SHOW_MAX   60

/* The document: the root table first, so a root pointer is a document pointer. */
typedef struct toml_doc {
    asw_toml_value_t root;
    toml_chunk *chunks;
    asw_toml_arena_t *arena; /* where the chunks go back to, or NULL */
} toml_doc;

/* A caller's arena: chunks of freed documents, kept (up to `keep` bytes) for the next parse so a
 * large document's memory is not faulted in afresh every time. Used by one thread at a time. */
struct asw_toml_arena {
    toml_chunk *spare;
    size_t spare_bytes, keep;
};

/* One part of a (dotted) key. `s` points into the source (bare keys) or into the arena (quoted
 * keys, already unescaped). */
typedef struct key_part {
    const char *s;
    size_t len;
    const char *at; /* the first character of the part in the source */
    uint32_t line, col;
    bool in_arena;
} key_part;

typedef struct doc_parser {
    toml_parser P;
    asw_toml_value_t *root, *cur;
    key_part parts[MAX_KEY_PARTS];
} doc_parser;

/* ---- arena ---- */

static char *chunk_data(toml_chunk *c)
{
    return (char *)c + CHUNK_HDR;
}

/* Frees a chunk list, or gives the chunks back to arena A (up to its keep limit). */
static void free_chunks(asw_toml_arena_t *A, toml_chunk *c)
{
    while (c) {
        toml_chunk *next = c->next;
        if (A && A->spare_bytes + c->size <= A->keep) {
            c->next = A->spare;
            A->spare = c;
            A->spare_bytes += c->size;
        } else {
            asw__free(c);
        }
        c = next;
    }
}

/* A chunk of at least `size` data bytes: a spare one of the arena (first fit), else new. Its
 * `size` is set; `used` and `next` are the caller's. */
static toml_chunk *chunk_get(toml_parser *P, size_t size)
{
    asw_toml_arena_t *A = P->arena;
    if (A) {
        for (toml_chunk **pp = &A->spare; *pp; pp = &(*pp)->next) {
            toml_chunk *c = *pp;
            if (c->size < size) continue;
            *pp = c->next;
            A->spare_bytes -= c->size;
            return c;
        }
    }
    toml_chunk *c = asw__malloc(CHUNK_HDR + size);
    if (c) c->size = size;
    return c;
}

void *asw__toml_alloc(toml_parser *P, size_t size)
{
    if (size > SIZE_MAX / 4) return NULL;
    size = (size + 7) & ~(size_t)7;
    toml_chunk *c = P->chunks;
    if (ASW_LIKELY(c && c->size - c->used >= size)) {
        void *r = chunk_data(c) + c->used;
        c->used += size;
        return r;
    }
    if (size >= P->next_chunk / 4) {
        /* A large block gets a chunk of its own, linked behind the chunk being filled. */
        toml_chunk *b = chunk_get(P, size);
        if (!b) return NULL;
        b->used = b->size; /* nothing else is placed in it */
        if (c) {
            b->next = c->next;
            c->next = b;
        } else {
            b->next = NULL;
            P->chunks = b;
        }
        return chunk_data(b);
    }
    toml_chunk *n = chunk_get(P, P->next_chunk);
    if (!n) return NULL;
    n->used = size;
    n->next = c;
    P->chunks = n;
    if (P->next_chunk < CHUNK_MAX) P->next_chunk *= 2;
    return chunk_data(n);
}

static unsigned size_class(size_t size)
{
    unsigned k = 0;
    while (((size_t)1 << k) < size)
        k++;
    return k;
}

void *asw__toml_grow(toml_parser *P, void *ptr, size_t old_size, size_t new_size)
{
    ASW_ASSERT(new_size > old_size && new_size >= 16 && (new_size & (new_size - 1)) == 0);
    ASW_ASSERT(old_size == 0 || (old_size >= 16 && (old_size & (old_size - 1)) == 0));
    if (new_size > SIZE_MAX / 4) return NULL;
    toml_chunk *c = P->chunks;
    /* The most recent block of the current chunk grows in place when there is room. */
    if (ptr && c && (char *)ptr + old_size == chunk_data(c) + c->used &&
        c->size - c->used >= new_size - old_size) {
        c->used += new_size - old_size;
        return ptr;
    }
    unsigned k = size_class(new_size);
    void *n;
    if (k < ASW_ARRAY_LEN(P->spare) && P->spare[k]) {
        n = P->spare[k];
        memcpy(&P->spare[k], n, sizeof(void *));
    } else {
        n = asw__toml_alloc(P, new_size);
        if (!n) return NULL;
    }
    if (ptr) {
        memcpy(n, ptr, old_size);
        unsigned ko = size_class(old_size);
        if (ko < ASW_ARRAY_LEN(P->spare)) {
            memcpy(ptr, &P->spare[ko], sizeof(void *));
            P->spare[ko] = ptr;
        }
    }
    return n;
}

/* ---- positions and errors ---- */

uint32_t asw__toml_column(toml_parser *P, const char *at)
{
    if (P->col_ptr < P->line_start || P->col_ptr > at) {
        P->col_ptr = P->line_start;
        P->col_val = 1;
    }
    uint32_t col = P->col_val;
    for (const char *q = P->col_ptr; q < at; q++)
        if (((unsigned char)*q & 0xc0) != 0x80) col++;
    P->col_ptr = at;
    P->col_val = col;
    return col;
}

void asw__toml_newline(toml_parser *P)
{
    if (*P->p == '\r') P->p++;
    ASW_ASSERT(*P->p == '\n');
    P->p++;
    if (P->line < UINT32_MAX) P->line++;
    P->line_start = P->p;
}

int(asw__toml_error)(toml_parser *P, const char *at, const char *fmt, ...)
{
    /* Positions are recomputed from the start of the text: errors are rare and this keeps the
     * hot path free of bookkeeping. */
    unsigned long line = 1, col = 1;
    const char *ls = P->src;
    for (const char *q = P->src; q < at; q++)
        if (*q == '\n') {
            line++;
            ls = q + 1;
        }
    for (const char *q = ls; q < at; q++)
        if (((unsigned char)*q & 0xc0) != 0x80) col++;
    va_list ap;
    va_start(ap, fmt);
    int rc = asw_toml_verrorf(P->err, ASW_E_PARSE, (uint32_t)line, (uint32_t)col, fmt, ap);
    va_end(ap);
    return rc;
}

int asw__toml_nomem(toml_parser *P)
{
    return asw__errorf(P->err, ASW_E_NOMEM, "out of memory while parsing TOML");
}

/* Describes the character at p for messages: "end of file", "a newline", "'x'", "U+00E9". */
static const char *describe(const toml_parser *P, const char *p, char *buf, size_t n)
{
    if (p >= P->end) return "end of file";
    unsigned char c = (unsigned char)*p;
    if (c == '\n' || c == '\r') return "a newline";
    if (c < 0x80) {
        snprintf(buf, n, "'%c'", c);
        return buf;
    }
    uint32_t cp;
    int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
    cp = c & (0x3f >> extra);
    for (int k = 1; k <= extra && p + k < P->end; k++)
        cp = cp << 6 | ((unsigned char)p[k] & 0x3f);
    snprintf(buf, n, "U+%04X", (unsigned)cp);
    return buf;
}

/* Renders a key for messages: printable ASCII and UTF-8 as is, other bytes escaped, long keys
 * shortened. */
static const char *show_key(const char *s, size_t len, char *buf, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 8 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o >= KEY_SHOW_MAX) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, n - o, "\\x%02X", c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = '\0';
    return buf;
}

/* "an integer", "a string", ...: a type name with its article, for messages. */
static const char *a_type(const asw_toml_value_t *v)
{
    switch ((asw_toml_type_t)v->type) {
    case ASW_TOML_STRING: return "a string";
    case ASW_TOML_INTEGER: return "an integer";
    case ASW_TOML_FLOAT: return "a float";
    case ASW_TOML_BOOL: return "a boolean";
    case ASW_TOML_DATETIME: return "an offset date-time";
    case ASW_TOML_DATETIME_LOCAL: return "a local date-time";
    case ASW_TOML_DATE_LOCAL: return "a local date";
    case ASW_TOML_TIME_LOCAL: return "a local time";
    case ASW_TOML_ARRAY: return (v->flags & TF_AOT) ? "an array of tables" : "an array";
    case ASW_TOML_TABLE: return (v->flags & TF_INLINE) ? "an inline table" : "a table";
    }
    return "a value";
}

/* ---- nodes, tables, arrays ---- */

asw_toml_value_t *asw__toml_node(toml_parser *P, asw_toml_type_t type, const char *at)
{
    asw_toml_value_t *v = asw__toml_alloc(P, sizeof *v);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = (uint8_t)type;
    v->line = P->line;
    v->col = asw__toml_column(P, at);
    return v;
}

static uint32_t hash_key(uint32_t seed, const char *k, size_t n)
{
    uint32_t h = 2166136261u ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 16777619u;
    }
    return h ^ (h >> 15);
}

static toml_entry *tab_find(const asw_toml_value_t *t, const char *k, size_t n, uint32_t h)
{
    toml_entry *ents = t->u.tab.ents;
    const toml_index *ix = t->u.tab.index;
    if (!ix) {
        for (uint32_t i = 0; i < t->u.tab.n; i++)
            if (ents[i].hash == h && ents[i].klen == n && !memcmp(ents[i].key, k, n))
                return &ents[i];
        return NULL;
    }
    uint32_t mask = ix->cap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t slot = ix->slot[i];
        if (!slot) return NULL;
        toml_entry *e = &ents[slot - 1];
        if (e->hash == h && e->klen == n && !memcmp(e->key, k, n)) return e;
    }
}

static int tab_reindex(toml_parser *P, asw_toml_value_t *t, uint32_t cap)
{
    toml_index *ix = asw__toml_alloc(P, sizeof *ix + (size_t)cap * sizeof ix->slot[0]);
    if (!ix) return asw__toml_nomem(P);
    memset(ix->slot, 0, (size_t)cap * sizeof ix->slot[0]);
    ix->cap = cap;
    ix->seed = P->seed;
    uint32_t mask = cap - 1;
    for (uint32_t k = 0; k < t->u.tab.n; k++) {
        uint32_t i = t->u.tab.ents[k].hash & mask;
        while (ix->slot[i])
            i = (i + 1) & mask;
        ix->slot[i] = k + 1;
    }
    t->u.tab.index = ix;
    return 0;
}

/* Appends key kp (hash h) with value v to table t. The caller has checked the key is new. */
static int tab_insert(toml_parser *P, asw_toml_value_t *t, const key_part *kp, uint32_t h,
                      asw_toml_value_t *v)
{
    if (t->u.tab.n >= TOML_MAX_ITEMS)
        return asw__toml_error(P, kp->at, "too many keys in one table");
    if (kp->len >= UINT32_MAX) return asw__toml_error(P, kp->at, "key is too long");
    if (t->u.tab.n == t->u.tab.cap) {
        uint32_t cap = t->u.tab.cap ? t->u.tab.cap * 2 : 2;
        toml_entry *ne =
            asw__toml_grow(P, t->u.tab.ents, t->u.tab.cap * sizeof *ne, cap * sizeof *ne);
        if (!ne) return asw__toml_nomem(P);
        t->u.tab.ents = ne;
        t->u.tab.cap = cap;
    }
    const char *key = kp->s;
    if (!kp->in_arena) {
        char *copy = asw__toml_alloc(P, kp->len + 1);
        if (!copy) return asw__toml_nomem(P);
        memcpy(copy, kp->s, kp->len);
        copy[kp->len] = '\0';
        key = copy;
    }
    toml_entry *e = &t->u.tab.ents[t->u.tab.n++];
    e->key = key;
    e->klen = (uint32_t)kp->len;
    e->val = v;
    e->hash = h;
    e->line = kp->line;
    e->col = kp->col;
    toml_index *ix = t->u.tab.index;
    if (ix) {
        if (t->u.tab.n * 2 > ix->cap) return tab_reindex(P, t, ix->cap * 2);
        uint32_t mask = ix->cap - 1, i = h & mask;
        while (ix->slot[i])
            i = (i + 1) & mask;
        ix->slot[i] = t->u.tab.n;
    } else if (t->u.tab.n >= INDEX_MIN_KEYS) {
        return tab_reindex(P, t, 2 * INDEX_MIN_KEYS);
    }
    return 0;
}

static int arr_push(toml_parser *P, asw_toml_value_t *a, asw_toml_value_t *v)
{
    if (a->u.arr.n >= TOML_MAX_ITEMS) return asw__toml_error(P, P->p, "too many array elements");
    if (a->u.arr.n == a->u.arr.cap) {
        uint32_t cap = a->u.arr.cap ? a->u.arr.cap * 2 : 4;
        asw_toml_value_t **ni =
            asw__toml_grow(P, a->u.arr.items, a->u.arr.cap * sizeof *ni, cap * sizeof *ni);
        if (!ni) return asw__toml_nomem(P);
        a->u.arr.items = ni;
        a->u.arr.cap = cap;
    }
    a->u.arr.items[a->u.arr.n++] = v;
    return 0;
}

/* Creates a container below a container of depth `parent_depth`, positioned at `at`. */
static asw_toml_value_t *new_container(doc_parser *D, asw_toml_type_t type, unsigned parent_depth,
                                       const char *at, int *rc)
{
    if (parent_depth + 1 > ASW_TOML_MAX_DEPTH) {
        *rc = asw__toml_error(&D->P, at, "tables and arrays nest deeper than %d levels",
                              ASW_TOML_MAX_DEPTH);
        return NULL;
    }
    asw_toml_value_t *v = asw__toml_node(&D->P, type, at);
    if (!v) {
        *rc = asw__toml_nomem(&D->P);
        return NULL;
    }
    v->depth = (uint8_t)(parent_depth + 1);
    return v;
}

/* ---- whitespace, comments, keys ---- */

static void skip_ws(toml_parser *P)
{
    while (P->p < P->end && (*P->p == ' ' || *P->p == '\t'))
        P->p++;
}

static void skip_comment(toml_parser *P)
{
    ASW_ASSERT(*P->p == '#');
    const char *nl = memchr(P->p, '\n', (size_t)(P->end - P->p));
    if (!nl) {
        P->p = P->end;
        return;
    }
    P->p = (nl[-1] == '\r') ? nl - 1 : nl;
}

/* Skips whitespace, newlines and comments (between array elements). */
static void skip_ws_nl(toml_parser *P)
{
    for (;;) {
        skip_ws(P);
        if (P->p >= P->end) return;
        char c = *P->p;
        if (c == '#')
            skip_comment(P);
        else if (c == '\n' || c == '\r')
            asw__toml_newline(P);
        else
            return;
    }
}

/* Bare-key characters (A-Z a-z 0-9 _ -), one table lookup per byte. */
static const bool bare_tab[256] = {
    ['-'] = 1, ['_'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
    ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
    ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1,
    ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static inline bool is_bare(char c)
{
    return bare_tab[(unsigned char)c];
}

/* Parses a key (one or more parts separated by '.') into D->parts; skips whitespace around. */
static int parse_key(doc_parser *D, size_t *out_n)
{
    toml_parser *P = &D->P;
    size_t n = 0;
    char b[16];
    for (;;) {
        skip_ws(P);
        if (n == MAX_KEY_PARTS)
            return asw__toml_error(P, P->p,
                                   "key has more than %d parts (tables nest deeper "
                                   "than %d levels)",
                                   MAX_KEY_PARTS, ASW_TOML_MAX_DEPTH);
        key_part *kp = &D->parts[n];
        const char *p = P->p;
        kp->at = p;
        kp->line = P->line;
        kp->col = asw__toml_column(P, p);
        if (p < P->end && (*p == '"' || *p == '\'')) {
            char *s;
            int rc = asw__toml_string(P, false, &s, &kp->len);
            if (rc) return rc;
            kp->s = s;
            kp->in_arena = true;
        } else if (p < P->end && is_bare(*p)) {
            const char *q = p;
            while (q < P->end && is_bare(*q))
                q++;
            kp->s = p;
            kp->len = (size_t)(q - p);
            kp->in_arena = false;
            P->p = q;
        } else {
            return asw__toml_error(P, p, "expected a key, found %s", describe(P, p, b, sizeof b));
        }
        n++;
        skip_ws(P);
        if (P->p < P->end && *P->p == '.') {
            P->p++;
            continue;
        }
        break;
    }
    *out_n = n;
    return 0;
}

/* ---- values ---- */

static int parse_keyval(doc_parser *D, asw_toml_value_t *t);

static int parse_value(doc_parser *D, unsigned parent_depth, asw_toml_value_t **out)
{
    toml_parser *P = &D->P;
    const char *p = P->p;
    int rc = 0;
    char b[16];
    if (p < P->end && (*p == '"' || *p == '\'')) {
        asw_toml_value_t *v = asw__toml_node(P, ASW_TOML_STRING, p);
        if (!v) return asw__toml_nomem(P);
        if ((rc = asw__toml_string(P, true, &v->u.str.s, &v->u.str.len))) return rc;
        *out = v;
        return 0;
    }
    if (p < P->end && *p == '[') {
        asw_toml_value_t *a = new_container(D, ASW_TOML_ARRAY, parent_depth, p, &rc);
        if (!a) return rc;
        P->p++;
        for (;;) {
            skip_ws_nl(P);
            if (P->p < P->end && *P->p == ']') break;
            if (P->p >= P->end) return asw__toml_error(P, p, "array is not closed");
            asw_toml_value_t *item;
            if ((rc = parse_value(D, a->depth, &item))) return rc;
            if ((rc = arr_push(P, a, item))) return rc;
            skip_ws_nl(P);
            if (P->p < P->end && *P->p == ',') {
                P->p++;
                continue;
            }
            if (P->p < P->end && *P->p == ']') break;
            if (P->p >= P->end) return asw__toml_error(P, p, "array is not closed");
            return asw__toml_error(P, P->p, "expected ',' or ']' in an array, found %s",
                                   describe(P, P->p, b, sizeof b));
        }
        P->p++;
        *out = a;
        return 0;
    }
    if (p < P->end && *p == '{') {
        asw_toml_value_t *t = new_container(D, ASW_TOML_TABLE, parent_depth, p, &rc);
        if (!t) return rc;
        t->flags = TF_INLINE;
        P->p++;
        skip_ws(P);
        if (P->p < P->end && *P->p == '}') {
            P->p++;
            *out = t;
            return 0;
        }
        for (;;) {
            if ((rc = parse_keyval(D, t))) return rc;
            skip_ws(P);
            if (P->p < P->end && *P->p == ',') {
                P->p++;
                skip_ws(P);
                if (P->p < P->end && *P->p == '}')
                    return asw__toml_error(P, P->p, "trailing comma in an inline table");
                continue;
            }
            if (P->p < P->end && *P->p == '}') break;
            if (P->p >= P->end || *P->p == '\n' || *P->p == '\r')
                return asw__toml_error(P, P->p, "inline table is not closed on its line");
            return asw__toml_error(P, P->p, "expected ',' or '}' in an inline table, found %s",
                                   describe(P, P->p, b, sizeof b));
        }
        P->p++;
        *out = t;
        return 0;
    }
    asw_toml_value_t *v = asw__toml_node(P, ASW_TOML_BOOL, p);
    if (!v) return asw__toml_nomem(P);
    if ((rc = asw__toml_scalar(P, v))) return rc;
    *out = v;
    return 0;
}

/* One step of a dotted key inside `t`: returns the table named by kp, creating it (DOTTED) when
 * missing. Dotted keys may add to tables they created and to tables a header created implicitly,
 * never to tables defined by a header, inline tables or arrays. */
static asw_toml_value_t *dotted_step(doc_parser *D, asw_toml_value_t *t, const key_part *kp,
                                     int *rc)
{
    toml_parser *P = &D->P;
    char kb[KEY_SHOW_MAX + 16];
    uint32_t h = hash_key(P->seed, kp->s, kp->len);
    toml_entry *e = tab_find(t, kp->s, kp->len, h);
    if (!e) {
        asw_toml_value_t *n = new_container(D, ASW_TOML_TABLE, t->depth, kp->at, rc);
        if (!n) return NULL;
        n->flags = TF_DOTTED;
        if ((*rc = tab_insert(P, t, kp, h, n))) return NULL;
        return n;
    }
    asw_toml_value_t *v = e->val;
    const char *k = show_key(kp->s, kp->len, kb, sizeof kb);
    if (v->type == ASW_TOML_TABLE) {
        if (v->flags & (TF_DOTTED | TF_IMPLICIT)) {
            v->flags = TF_DOTTED;
            return v;
        }
        if (v->flags & TF_INLINE)
            *rc = asw__toml_error(P, kp->at, "cannot add keys to inline table '%s'", k);
        else
            *rc = asw__toml_error(P, kp->at,
                                  "cannot add keys to table '%s' with a dotted key: it is "
                                  "defined by a [table] header",
                                  k);
        return NULL;
    }
    if (v->type == ASW_TOML_ARRAY)
        *rc = asw__toml_error(P, kp->at,
                              "cannot add keys to '%s' with a dotted key: it is an "
                              "array",
                              k);
    else
        *rc = asw__toml_error(P, kp->at, "key '%s' is already defined as %s, not a table", k,
                              a_type(v));
    return NULL;
}

/* key = value, added to table t (the current section's table or an inline table). */
static int parse_keyval(doc_parser *D, asw_toml_value_t *t)
{
    toml_parser *P = &D->P;
    size_t n;
    int rc;
    char b[16], kb[KEY_SHOW_MAX + 16];
    if ((rc = parse_key(D, &n))) return rc;
    if (P->p >= P->end || *P->p != '=')
        return asw__toml_error(P, P->p, "expected '=' after a key, found %s",
                               describe(P, P->p, b, sizeof b));
    P->p++;
    skip_ws(P);
    for (size_t i = 0; i + 1 < n; i++)
        if (!(t = dotted_step(D, t, &D->parts[i], &rc))) return rc;
    /* The value may contain keys of its own (inline tables): keep the last part. */
    key_part last = D->parts[n - 1];
    uint32_t h = hash_key(P->seed, last.s, last.len);
    if (tab_find(t, last.s, last.len, h))
        return asw__toml_error(P, last.at, "duplicate key '%s'",
                               show_key(last.s, last.len, kb, sizeof kb));
    asw_toml_value_t *v = NULL;
    if ((rc = parse_value(D, t->depth, &v))) return rc;
    return tab_insert(P, t, &last, h, v);
}

/* ---- headers ---- */

/* One intermediate step of a [header] key: returns the table named by kp inside t, creating it
 * (IMPLICIT) when missing; an array of tables yields its last element. */
static asw_toml_value_t *header_step(doc_parser *D, asw_toml_value_t *t, const key_part *kp,
                                     int *rc)
{
    toml_parser *P = &D->P;
    char kb[KEY_SHOW_MAX + 16];
    uint32_t h = hash_key(P->seed, kp->s, kp->len);
    toml_entry *e = tab_find(t, kp->s, kp->len, h);
    if (!e) {
        asw_toml_value_t *n = new_container(D, ASW_TOML_TABLE, t->depth, kp->at, rc);
        if (!n) return NULL;
        n->flags = TF_IMPLICIT;
        if ((*rc = tab_insert(P, t, kp, h, n))) return NULL;
        return n;
    }
    asw_toml_value_t *v = e->val;
    const char *k = show_key(kp->s, kp->len, kb, sizeof kb);
    if (v->type == ASW_TOML_TABLE) {
        if (!(v->flags & TF_INLINE)) return v;
        *rc = asw__toml_error(P, kp->at, "cannot add a table to inline table '%s'", k);
        return NULL;
    }
    if (v->type == ASW_TOML_ARRAY) {
        if (v->flags & TF_AOT) {
            ASW_ASSERT(v->u.arr.n > 0);
            return v->u.arr.items[v->u.arr.n - 1];
        }
        *rc = asw__toml_error(P, kp->at, "cannot add a table to static array '%s'", k);
        return NULL;
    }
    *rc =
        asw__toml_error(P, kp->at, "key '%s' is already defined as %s, not a table", k, a_type(v));
    return NULL;
}

static int parse_header(doc_parser *D)
{
    toml_parser *P = &D->P;
    const char *open = P->p;
    bool aot = P->end - open >= 2 && open[1] == '[';
    char b[16], kb[KEY_SHOW_MAX + 16];
    size_t n;
    int rc = 0;
    P->p += aot ? 2 : 1;
    if ((rc = parse_key(D, &n))) return rc;
    if (P->p >= P->end || *P->p != ']' || (aot && (P->end - P->p < 2 || P->p[1] != ']')))
        return asw__toml_error(P, P->p, "expected '%s' to close the %s header, found %s",
                               aot ? "]]" : "]", aot ? "[[array of tables]]" : "[table]",
                               describe(P, P->p, b, sizeof b));
    P->p += aot ? 2 : 1;
    asw_toml_value_t *t = D->root;
    for (size_t i = 0; i + 1 < n; i++)
        if (!(t = header_step(D, t, &D->parts[i], &rc))) return rc;
    const key_part *kp = &D->parts[n - 1];
    const char *k = show_key(kp->s, kp->len, kb, sizeof kb);
    uint32_t h = hash_key(P->seed, kp->s, kp->len);
    toml_entry *e = tab_find(t, kp->s, kp->len, h);
    asw_toml_value_t *v = e ? e->val : NULL;
    if (!aot) {
        if (!v) {
            if (!(v = new_container(D, ASW_TOML_TABLE, t->depth, open, &rc))) return rc;
            if ((rc = tab_insert(P, t, kp, h, v))) return rc;
        } else if (v->type == ASW_TOML_TABLE && v->flags == TF_IMPLICIT) {
            /* The table was created as a parent of an earlier header: defined now. */
            v->line = P->line;
            v->col = asw__toml_column(P, open);
        } else if (v->type == ASW_TOML_TABLE) {
            return asw__toml_error(P, kp->at, "table '%s' is already defined%s", k,
                                   (v->flags & TF_DOTTED)   ? " (by dotted keys)"
                                   : (v->flags & TF_INLINE) ? " (as an inline table)"
                                                            : "");
        } else if (v->type == ASW_TOML_ARRAY && (v->flags & TF_AOT)) {
            return asw__toml_error(P, kp->at,
                                   "'%s' is an array of tables; [%s] cannot define "
                                   "it as a table",
                                   k, k);
        } else {
            return asw__toml_error(P, kp->at, "key '%s' is already defined as %s", k, a_type(v));
        }
        v->flags = TF_DEFINED;
        D->cur = v;
        return 0;
    }
    if (!v) {
        if (!(v = new_container(D, ASW_TOML_ARRAY, t->depth, open, &rc))) return rc;
        v->flags = TF_AOT;
        if ((rc = tab_insert(P, t, kp, h, v))) return rc;
    } else if (v->type != ASW_TOML_ARRAY || !(v->flags & TF_AOT)) {
        if (v->type == ASW_TOML_ARRAY)
            return asw__toml_error(P, kp->at, "cannot append to static array '%s'", k);
        return asw__toml_error(P, kp->at,
                               "key '%s' is already defined as %s, not an array "
                               "of tables",
                               k, a_type(v));
    }
    asw_toml_value_t *elem = new_container(D, ASW_TOML_TABLE, v->depth, open, &rc);
    if (!elem) return rc;
    elem->flags = TF_DEFINED;
    if ((rc = arr_push(P, v, elem))) return rc;
    D->cur = elem;
    return 0;
}

/* ---- the document ---- */

/* After a key/value pair or a header: optional whitespace and comment, then a newline or the
 * end of the document. */
static int end_of_line(toml_parser *P, const char *what)
{
    char b[16];
    skip_ws(P);
    if (P->p < P->end && *P->p == '#') skip_comment(P);
    if (P->p >= P->end) return 0;
    if (*P->p == '\n' || *P->p == '\r') {
        asw__toml_newline(P);
        return 0;
    }
    return asw__toml_error(P, P->p, "expected a newline after %s, found %s", what,
                           describe(P, P->p, b, sizeof b));
}

static int parse_document(doc_parser *D)
{
    toml_parser *P = &D->P;
    int rc;
    while (P->p < P->end) {
        skip_ws(P);
        if (P->p >= P->end) break;
        char c = *P->p;
        if (c == '\n' || c == '\r') {
            asw__toml_newline(P);
            continue;
        }
        if (c == '#') {
            if ((rc = end_of_line(P, "a comment"))) return rc;
            continue;
        }
        if (c == '[') {
            if ((rc = parse_header(D))) return rc;
            if ((rc = end_of_line(P, "a table header"))) return rc;
            continue;
        }
        if ((rc = parse_keyval(D, D->cur))) return rc;
        if ((rc = end_of_line(P, "a value"))) return rc;
    }
    return 0;
}

static int parse_text(asw_toml_arena_t *arena, const char *text, size_t len,
                      asw_toml_value_t **out_root, asw_error_t *out_err)
{
    asw_error_init(out_err);
    if (!out_root) return asw__errorf(out_err, ASW_E_INVALID, "asw_toml_parse: out_root is NULL");
    *out_root = NULL;
    if (!text && len) return asw__errorf(out_err, ASW_E_INVALID, "asw_toml_parse: text is NULL");
    if (!text) text = "";
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    doc_parser *D = asw__malloc(sizeof *D);
    if (!D) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory while parsing TOML");
    memset(D, 0, sizeof *D);
    toml_parser *P = &D->P;
    P->src = P->p = P->line_start = P->col_ptr = text;
    P->end = text + len;
    P->line = 1;
    P->col_val = 1;
    P->next_chunk = CHUNK_MIN;
    P->arena = arena;
    P->err = out_err;
    /* A per-document seed from addresses (randomised by ASLR) makes crafted collisions harder;
     * the order of keys never depends on it. */
    P->seed = (uint32_t)(((uintptr_t)D >> 4) ^ ((uintptr_t)text >> 3)) * 2654435761u;
    int rc = asw__toml_check_text(P);
    if (rc) goto fail;
    toml_doc *doc = asw__toml_alloc(P, sizeof *doc);
    if (!doc) {
        rc = asw__toml_nomem(P);
        goto fail;
    }
    memset(doc, 0, sizeof *doc);
    doc->arena = arena;
    doc->root.type = ASW_TOML_TABLE;
    doc->root.flags = TF_ROOT | TF_DEFINED;
    doc->root.line = doc->root.col = 1;
    D->root = D->cur = &doc->root;
    if ((rc = parse_document(D))) goto fail;
    doc->chunks = P->chunks;
    *out_root = &doc->root;
    asw__free(D);
    return 0;
fail:
    free_chunks(arena, P->chunks);
    asw__free(D);
    return rc;
}

int asw_toml_parse(const char *text, size_t len, asw_toml_value_t **out_root, asw_error_t *out_err)
{
    return parse_text(NULL, text, len, out_root, out_err);
}

int asw_toml_parse_in(asw_toml_arena_t *arena, const char *text, size_t len,
                      asw_toml_value_t **out_root, asw_error_t *out_err)
{
    if (!arena) {
        asw_error_init(out_err);
        if (out_root) *out_root = NULL;
        return asw__errorf(out_err, ASW_E_INVALID, "asw_toml_parse_in: arena is NULL");
    }
    return parse_text(arena, text, len, out_root, out_err);
}

int asw_toml_arena_new(size_t keep_bytes, asw_toml_arena_t **out_arena, asw_error_t *out_err)
{
    if (!out_arena) return asw__errorf(out_err, ASW_E_INVALID, "asw_toml_arena_new: NULL out");
    *out_arena = NULL;
    asw_toml_arena_t *A = asw__calloc(1, sizeof *A);
    if (!A) return asw__errorf(out_err, ASW_E_NOMEM, "out of memory for a TOML arena");
    A->keep = keep_bytes ? keep_bytes : ASW_TOML_ARENA_KEEP_DEFAULT;
    *out_arena = A;
    return ASW_OK;
}

void asw_toml_arena_free(asw_toml_arena_t *arena)
{
    if (!arena) return;
    free_chunks(NULL, arena->spare);
    asw__free(arena);
}

void asw_toml_free(asw_toml_value_t *root)
{
    if (!root || !(root->flags & TF_ROOT)) return;
    toml_doc *doc = (toml_doc *)root;
    free_chunks(doc->arena, doc->chunks); /* doc lives in a chunk: read both first */
}

/* ---- accessors ---- */

asw_toml_type_t asw_toml_type(const asw_toml_value_t *v)
{
    ASW_ASSERT(v != NULL);
    return (asw_toml_type_t)v->type;
}

const char *asw_toml_type_name(asw_toml_type_t type)
{
    switch (type) {
    case ASW_TOML_STRING: return "string";
    case ASW_TOML_INTEGER: return "integer";
    case ASW_TOML_FLOAT: return "float";
    case ASW_TOML_BOOL: return "bool";
    case ASW_TOML_DATETIME: return "datetime";
    case ASW_TOML_DATETIME_LOCAL: return "datetime-local";
    case ASW_TOML_DATE_LOCAL: return "date-local";
    case ASW_TOML_TIME_LOCAL: return "time-local";
    case ASW_TOML_ARRAY: return "array";
    case ASW_TOML_TABLE: return "table";
    }
    return "unknown";
}

const char *asw_toml_type_phrase(asw_toml_type_t type)
{
    switch (type) {
    case ASW_TOML_STRING: return "a string";
    case ASW_TOML_INTEGER: return "an integer";
    case ASW_TOML_FLOAT: return "a float";
    case ASW_TOML_BOOL: return "a boolean";
    case ASW_TOML_ARRAY: return "an array";
    case ASW_TOML_TABLE: return "a table";
    case ASW_TOML_DATETIME:
    case ASW_TOML_DATETIME_LOCAL:
    case ASW_TOML_DATE_LOCAL:
    case ASW_TOML_TIME_LOCAL: return "a date or time";
    }
    return "an unknown value";
}

int asw_toml_verrorf(asw_error_t *err, int code, uint32_t line, uint32_t column, const char *fmt,
                     va_list ap)
{
    char what[ASW_ERROR_MSG_MAX];
    vsnprintf(what, sizeof what, fmt, ap);
    return asw__errorf(err, code, "line %" PRIu32 ", column %" PRIu32 ": %s", line, column, what);
}

int(asw_toml_errorf)(asw_error_t *err, int code, uint32_t line, uint32_t column, const char *fmt,
                     ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = asw_toml_verrorf(err, code, line, column, fmt, ap);
    va_end(ap);
    return rc;
}

const asw_toml_value_t *asw_toml_getn(const asw_toml_value_t *table, const char *key,
                                      size_t key_len)
{
    if (!table || table->type != ASW_TOML_TABLE || (!key && key_len)) return NULL;
    if (!key) key = "";
    const toml_entry *e = NULL;
    if (table->u.tab.index) {
        e = tab_find(table, key, key_len, hash_key(table->u.tab.index->seed, key, key_len));
    } else {
        for (uint32_t i = 0; i < table->u.tab.n && !e; i++)
            if (table->u.tab.ents[i].klen == key_len &&
                !memcmp(table->u.tab.ents[i].key, key, key_len))
                e = &table->u.tab.ents[i];
    }
    return e ? e->val : NULL;
}

const asw_toml_value_t *asw_toml_get(const asw_toml_value_t *table, const char *key)
{
    if (!key) return NULL;
    return asw_toml_getn(table, key, strlen(key));
}

size_t asw_toml_count(const asw_toml_value_t *v)
{
    if (!v) return 0;
    if (v->type == ASW_TOML_ARRAY) return v->u.arr.n;
    if (v->type == ASW_TOML_TABLE) return v->u.tab.n;
    return 0;
}

const asw_toml_value_t *asw_toml_at(const asw_toml_value_t *array, size_t i)
{
    if (!array || array->type != ASW_TOML_ARRAY || i >= array->u.arr.n) return NULL;
    return array->u.arr.items[i];
}

static const toml_entry *entry_at(const asw_toml_value_t *table, size_t i)
{
    if (!table || table->type != ASW_TOML_TABLE || i >= table->u.tab.n) return NULL;
    return &table->u.tab.ents[i];
}

const char *asw_toml_key_at(const asw_toml_value_t *table, size_t i, size_t *out_len)
{
    const toml_entry *e = entry_at(table, i);
    if (!e) return NULL;
    if (out_len) *out_len = e->klen;
    return e->key;
}

const asw_toml_value_t *asw_toml_value_at(const asw_toml_value_t *table, size_t i)
{
    const toml_entry *e = entry_at(table, i);
    return e ? e->val : NULL;
}

const char *asw_toml_string(const asw_toml_value_t *v, size_t *out_len)
{
    if (!v || v->type != ASW_TOML_STRING) return NULL;
    if (out_len) *out_len = v->u.str.len;
    return v->u.str.s;
}

int asw_toml_integer(const asw_toml_value_t *v, int64_t *out)
{
    if (!v || !out || v->type != ASW_TOML_INTEGER) return ASW_E_INVALID;
    *out = v->u.i;
    return 0;
}

int asw_toml_float(const asw_toml_value_t *v, double *out)
{
    if (!v || !out || v->type != ASW_TOML_FLOAT) return ASW_E_INVALID;
    *out = v->u.f;
    return 0;
}

int asw_toml_bool(const asw_toml_value_t *v, bool *out)
{
    if (!v || !out || v->type != ASW_TOML_BOOL) return ASW_E_INVALID;
    *out = v->u.b;
    return 0;
}

int asw_toml_datetime(const asw_toml_value_t *v, asw_toml_datetime_t *out)
{
    if (!v || !out || v->type < ASW_TOML_DATETIME || v->type > ASW_TOML_TIME_LOCAL)
        return ASW_E_INVALID;
    memset(out, 0, sizeof *out);
    out->year = v->u.dt.year;
    out->month = v->u.dt.month;
    out->day = v->u.dt.day;
    out->hour = v->u.dt.hour;
    out->minute = v->u.dt.minute;
    out->second = v->u.dt.second;
    out->nanosecond = v->u.dt.nanosecond;
    out->frac_digits = v->u.dt.frac_digits;
    out->offset_minutes = v->u.dt.offset_minutes;
    return 0;
}

uint32_t asw_toml_line(const asw_toml_value_t *v)
{
    return v ? v->line : 0;
}

uint32_t asw_toml_column(const asw_toml_value_t *v)
{
    return v ? v->col : 0;
}

uint32_t asw_toml_key_line(const asw_toml_value_t *table, size_t i)
{
    const toml_entry *e = entry_at(table, i);
    return e ? e->line : 0;
}

uint32_t asw_toml_key_column(const asw_toml_value_t *table, size_t i)
{
    const toml_entry *e = entry_at(table, i);
    return e ? e->col : 0;
}
