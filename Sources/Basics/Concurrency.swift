import Foundation

extension Duration {
    /// The duration in seconds, for progress lines and JSON.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Work that did not finish within its time limit (`withTimeLimit`).
public struct TimeLimitExceeded: Error, Sendable, CustomStringConvertible {
    /// What did not finish, in words.
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// Runs `body`, throwing `TimeLimitExceeded(message)` if it takes longer than `limit` (and cancelling it).
public func withTimeLimit<T: Sendable>(
    _ limit: Duration, _ message: @autoclosure () -> String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let message = message()
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeLimitExceeded(message)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Runs blocking work (libgit2, a child process, the network) on a thread of its own, not on the cooperative pool.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// A gate that opens once every awaited key has arrived: `wait()` returns then, or when the waiting task is cancelled.
/// A latch awaiting no key is open from the start.
public final class Latch: Sendable {
    private struct State {
        var awaiting: Set<String>
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }
    private let state: Locked<State>

    public init(awaiting keys: Set<String>) {
        state = Locked(State(awaiting: keys))
    }

    /// `key` arrived; the last awaited key opens the latch. Unknown or repeated keys change nothing.
    public func arrived(_ key: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.awaiting.remove(key) != nil, state.awaiting.isEmpty else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    public var isOpen: Bool { state.withLock { $0.awaiting.isEmpty } }

    /// Returns once the latch is open, when the task is cancelled, or after `limit` at most.
    public func wait(atMost limit: Duration) async {
        _ = try? await withTimeLimit(limit, "the latch did not open") { await self.wait() }
    }

    /// Returns once the latch is open, or when the task is cancelled.
    public func wait() async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.awaiting.isEmpty || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
