import Basics
import Foundation

/// Wakes the loop: a webhook asks for a pass now, or a signal asks it to stop.
///
/// A trigger fired while nobody waits is kept, so a webhook arriving during a pass starts the next one at once.
public final class PassTrigger: Sendable {
    /// Why a wait ended.
    public enum Wake: Sendable, Equatable {
        case timer
        case triggered(String)
        case shutdown
    }

    private struct State {
        var pending: String?
        var shuttingDown = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Locked(State())

    public init() {}

    /// Asks for a pass now; `reason` shows in the journal (e.g. `webhook refs/heads/main 1a2b3c`).
    public func fire(_ reason: String) {
        let waiters = state.withLock { state in
            state.pending = reason
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume() }
    }

    /// Ends every wait, now and later: the service is stopping.
    public func shutdown() {
        let waiters = state.withLock { state in
            state.shuttingDown = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume() }
    }

    /// Whether `shutdown()` was called.
    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Waits for `duration`, a trigger, or shutdown, whichever comes first; consumes the trigger.
    public func wait(for duration: Duration) async -> Wake {
        if let wake = take() { return wake }
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.pending != nil || state.shuttingDown { return true }
                        state.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            await group.next()
            group.cancelAll()
            // The continuation ignores cancellation: resume it if the timer won.
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
        return take() ?? .timer
    }

    private func take() -> Wake? {
        state.withLock { state in
            if state.shuttingDown { return .shutdown }
            if let reason = state.pending {
                state.pending = nil
                return .triggered(reason)
            }
            return nil
        }
    }
}
