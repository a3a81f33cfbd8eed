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
#endif

#if defined(__linux__)
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/// Unmaps the resident pages of every read-only, private file mapping that holds no private copy of a page (code and
/// read-only data of the executable and its libraries; never relocated data, which `Anonymous:` shows): those pages
/// are the file's, so they stay in the page cache and a later access maps them back (a minor fault). Returns how many
/// mappings were released, or -1 when /proc/self/smaps cannot be read.
static inline int switchyard_unmap_clean_file_pages(void) {
    FILE *smaps = fopen("/proc/self/smaps", "re");
    if (smaps == NULL) return -1;
    enum { most = 2048 };
    unsigned long starts[most], ends[most];
    int count = 0, candidate = 0;
    unsigned long start = 0, end = 0;
    char line[8192];
    int continued = 0;
    while (fgets(line, sizeof line, smaps) != NULL) {
        unsigned long s, e;
        char perms[5] = {0};
        unsigned long anonymous;
        // A line longer than the buffer (a long path) is skipped whole, and its mapping left alone: its rest is never
        // read as a line of its own.
        int whole = strchr(line, '\n') != NULL;
        int rest = continued;
        continued = !whole;
        if (rest || !whole) {
            candidate = 0;
            continue;
        }
        if (sscanf(line, "%lx-%lx %4s", &s, &e, perms) == 3) {
            const char *path = strchr(line, '/');
            candidate = path != NULL && path[-1] == ' ' && strstr(path, "(deleted)") == NULL && perms[0] == 'r' && perms[1] == '-'
                && perms[3] == 'p';
            start = s;
            end = e;
        } else if (candidate && sscanf(line, "Anonymous: %lu kB", &anonymous) == 1) {
            if (anonymous == 0 && count < most) {
                starts[count] = start;
                ends[count] = end;
                count++;
            }
            candidate = 0;
        }
    }
    fclose(smaps);
    int released = 0;
    for (int i = 0; i < count; i++) {
        if (madvise((void *)starts[i], ends[i] - starts[i], MADV_DONTNEED) == 0) released++;
    }
    return released;
}
#else
static inline int switchyard_unmap_clean_file_pages(void) { return 0; }
#endif

#if !defined(__GLIBC__)
static inline void switchyard_tune_malloc(int arenas, int mmapThreshold) { (void)arenas; (void)mmapThreshold; }
static inline void switchyard_release_free_memory(void) {}
#endif

#endif
