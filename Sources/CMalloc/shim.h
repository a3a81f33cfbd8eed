// glibc's allocator controls, which Swift's Glibc module does not import (<malloc.h>). No-ops elsewhere.
#ifndef SWITCHYARD_CMALLOC_SHIM_H
#define SWITCHYARD_CMALLOC_SHIM_H

#if defined(__GLIBC__) || defined(__linux__)
#include <features.h>
#endif

#if defined(__GLIBC__)
#include <malloc.h>

/// Caps the number of malloc arenas (by default 8 per core, each holding on to what its threads freed), and serves
/// blocks of `mmapThreshold` bytes or more from their own mappings, returned to the kernel when freed (by default
/// the threshold grows with the largest block freed, and such blocks then fragment the heap).
static inline void switchyard_tune_malloc(int arenas, int mmapThreshold) {
    (void)mallopt(M_ARENA_MAX, arenas);
    (void)mallopt(M_MMAP_THRESHOLD, mmapThreshold);
}

/// Gives free pages in every arena back to the kernel.
static inline void switchyard_release_free_memory(void) { (void)malloc_trim(0); }
#else
static inline void switchyard_tune_malloc(int arenas, int mmapThreshold) { (void)arenas; (void)mmapThreshold; }
static inline void switchyard_release_free_memory(void) {}
#endif

#endif
