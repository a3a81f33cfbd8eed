import Basics

/// Listings the observations of one pass share: the first read that can be answered from a listing (every global
/// cluster, say) makes it, and the reads of the next `maxAge` take their item from it, so a pass over hundreds of apps
/// makes one call where it made one per app. A listing that fails, or that lacks the item, leaves each read to ask AWS
/// alone, as it would without a batch. Set (`ReadBatch.$current`) only around observation: the reads made before a
/// mutating call, and the waits after one, always ask AWS alone.
public final class ReadBatch: Sendable {
    @TaskLocal public static var current: ReadBatch?

    /// How long a listing answers reads; past it, the next read makes a new one.
    public let maxAge: Duration
    private let listings = Locked<[String: (made: ContinuousClock.Instant, listing: Task<(any Sendable)?, Never>)]>([:])

    public init(maxAge: Duration = .seconds(2)) {
        self.maxAge = maxAge
    }

    /// The listing named `key` (operation and region), made by `list` unless one younger than `maxAge` exists or is
    /// under way; nil when it failed.
    func listing<T: Sendable>(_ key: String, _ list: @escaping @Sendable () async throws -> T) async -> T? {
        let now = ContinuousClock.now
        let task = listings.withLock { listings in
            if let entry = listings[key], now - entry.made < maxAge { return entry.listing }
            let task = Task<(any Sendable)?, Never> { try? await list() }
            listings[key] = (now, task)
            return task
        }
        return await task.value as? T
    }
}
