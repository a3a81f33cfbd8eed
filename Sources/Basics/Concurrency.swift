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
