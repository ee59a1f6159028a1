/*
 * src/host/prefault.c -- keeps the heap pages that the next spawns will allocate faulted in.
 *
 * Why. A spawn allocates about 3.5 KiB of small blocks (component record, instance, store,
 * security context, supervisor, actor). While spawns grow the heap, every fresh 4 KiB page
 * costs a page fault when first touched, and on a paravirtualised VM a fault costs 10-14 us
 * (measured on the CI machine; see docs/performance.md): more than the rest of the spawn.
 * madvise(MADV_POPULATE_WRITE) maps a range of pages in one system call, at about 0.6 us a
 * page there.
 *
 * Design. Allocators keep per-thread arenas, so the state is per thread: the range [lo, hi) of
 * the block populated last. After a spawn, asw__host_prefault(p) looks at a block the spawn
 * allocated. Below lo, the allocator is reusing freed memory: nothing to do. Inside the range
 * with room left: nothing to do. Past hi - MARGIN, the heap is growing past what was
 * populated: the host allocates a PREFAULT_BYTES block through the allocator hook, populates
 * its pages and frees it. With glibc's malloc that block is carved from the top of the heap
 * and goes back to it, so the next spawns' small blocks land on populated pages (64 KiB stays
 * under both the mmap threshold and the trim threshold). When the spawn after a populate does
 * not land in the range MAX_MISSES times in a row, the allocator does not work that way: the
 * thread stops trying. When the kernel lacks MADV_POPULATE_WRITE (before 5.14), every thread
 * stops. A host created with opts.no_prefault never calls this.
 *
 * Invariants: only memory this function allocated, and owns while it populates it, is
 * touched; the allocator's behaviour is not changed, only its next pages are faulted early.
 *
 * It does NOT: pre-fault linear memories (memory.c maps and reuses those), or help an
 * allocator that hands out fresh mappings (it then switches itself off).
 */
#define _DEFAULT_SOURCE /* MADV_POPULATE_WRITE in <sys/mman.h> */
#include "host/host_int.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

#define PREFAULT_BYTES (64u * 1024u)
#define MARGIN         (16u * 1024u) /* about four spawns' worth */
#define MAX_MISSES     3

typedef struct pf_state {
    uintptr_t lo, hi;  /* the block populated last */
    uint8_t misses;    /* populates in a row that the next spawn did not land in */
    bool pending, off; /* pending: a populate waits for the next spawn's verdict */
} pf_state;

static _Thread_local pf_state tl_pf ASW_TLS_IE;

static atomic_bool unsupported; /* the kernel refused MADV_POPULATE_WRITE */

void asw__host_prefault(const void *spawned)
{
    if (tl_pf.off || atomic_load_explicit(&unsupported, memory_order_relaxed) || !spawned) return;
    uintptr_t p = (uintptr_t)spawned;
    if (tl_pf.pending) { /* did the last populate serve this spawn? */
        tl_pf.pending = false;
        if (p >= tl_pf.lo && p < tl_pf.hi) {
            tl_pf.misses = 0;
        } else if (++tl_pf.misses >= MAX_MISSES) {
            tl_pf.off = true;
            return;
        }
    }
    if (p < tl_pf.lo || p + MARGIN < tl_pf.hi) return; /* reused memory, or room left */
    uint8_t *b = asw__malloc(PREFAULT_BYTES);
    if (!b) return;
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t ps = page > 0 ? (uintptr_t)page : 4096u;
    uintptr_t start = ((uintptr_t)b + ps - 1) & ~(ps - 1);
    uintptr_t end = ((uintptr_t)b + PREFAULT_BYTES) & ~(ps - 1);
    if (end > start && madvise((void *)start, end - start, MADV_POPULATE_WRITE) != 0)
        atomic_store_explicit(&unsupported, true, memory_order_relaxed);
    tl_pf.lo = (uintptr_t)b;
    tl_pf.hi = (uintptr_t)b + PREFAULT_BYTES;
    tl_pf.pending = true;
    asw__free(b);
}
