import CMalloc
import Dispatch
import Foundation

/// The daemon's idle footprint (docs/PERFORMANCE.md).
public enum ProcessMemory {
    /// One malloc arena, and blocks of 128 KiB or more in their own mappings. glibc gives each thread that allocates
    /// an arena of its own (up to 8 per core) and keeps what was freed in it; a pass fans out over many short-lived
    /// threads (one per AWS transfer), so the idle daemon would hold on to the peak of its last pass. Switchyard waits
    /// on the network, not on malloc. Call first thing in `main`: glibc settles its arena limit when a second thread
    /// first allocates.
    public static func tuneAllocator() {
        switchyard_tune_malloc(1, 128 * 1024)
    }

    /// For `run`: Foundation's default time zone is UTC. Everything the daemon writes is UTC already (journal, JSON,
    /// AWS); resolving the host's zone would load ICU's time-zone data (about 4 MB resident) for the HTTP `Date`
    /// header. Log lines keep the host's local time (they are stamped by the C library, not Foundation).
    public static func prepareForService() {
        NSTimeZone.default = TimeZone(secondsFromGMT: 0)!
    }

    /// Returns the pages a finished pass freed to the kernel (`malloc_trim`), once the pass's transfer threads have
    /// exited (libdispatch retires an idle worker after about 5 s, and a thread's cached blocks go back only then).
    /// Then unmaps the code and read-only data pages the pass ran through (most of the binary's resident pages): they
    /// stay in the page cache, so the next pass maps them back with minor faults, and the host can reclaim them
    /// meanwhile without I/O. Relocated data, the heap and stacks are never touched (docs/PERFORMANCE.md).
    /// The code pages go first, a second after the pass; the heap's once its threads are gone.
    static func releaseFreePagesSoon() {
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .seconds(1)) {
            handBackCodePages()
        }
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .seconds(10)) {
            switchyard_release_free_memory()
            handBackCodePages()
        }
    }

    /// Unmaps the code and read-only data pages (see `releaseFreePagesSoon`); how many mappings, -1 when
    /// /proc/self/smaps cannot be read.
    @discardableResult
    static func handBackCodePages() -> Int {
        Int(switchyard_unmap_clean_file_pages())
    }
}
