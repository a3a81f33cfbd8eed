import Foundation

/// A value behind a lock: for the little shared mutable state the package has (caches, C handle pools, the service).
/// `Mutex` would do, but it needs macOS 15 and the package supports macOS 14.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
