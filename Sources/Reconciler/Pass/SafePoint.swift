import AWS
import Basics
import DesiredState
import Journaling

/// Where a pass may stop: between AWS calls, never during one.
///
/// Once `stop(_:)` is called, every later call throws `StoppedAtSafePoint` before reaching AWS; a call already
/// in flight runs to its end in a task of its own, so cancelling the pass (to cut short a wait) cannot abort it.
public final class SafePoint: Sendable {
    /// Why a pass was stopped.
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// A newer commit arrived; it takes over.
        case superseded(by: String)
        /// SIGTERM or SIGINT.
        case shuttingDown

        /// The pass outcome a stop gives.
        public var outcome: PassOutcome {
            switch self {
            case .superseded: .superseded
            case .shuttingDown: .interrupted
            }
        }

        public var description: String {
            switch self {
            case let .superseded(commit): "superseded by \(commit)"
            case .shuttingDown: "the service is stopping"
            }
        }
    }

    private let stopped = Locked<Reason?>(nil)

    public init() {}

    /// Stops the pass at its next safe point; the first reason given stands.
    public func stop(_ why: Reason) {
        stopped.withLock { if $0 == nil { $0 = why } }
    }

    public var reason: Reason? { stopped.withLock { $0 } }

    func check() throws {
        if let reason { throw StoppedAtSafePoint(reason: reason) }
    }

    /// Runs one AWS call unaffected by the caller's cancellation.
    func call<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try check()
        return try await Task { try await body() }.value
    }
}

/// A pass stopped between two calls: a newer commit took over, or the service is stopping.
struct StoppedAtSafePoint: Error, CustomStringConvertible {
    var reason: SafePoint.Reason
    var description: String { "stopped at a safe point: \(reason)" }
}

/// The `CallGate` a pass hands the kinds: every call is a safe point, and a control plane that did not answer is
/// waited out once per pass. Once a read of a control plane (S3 or RDS of a region, CloudFront) timed out or could not
/// connect, after its retries, later calls to it in the same pass fail at once with that error instead of waiting
/// again: a dead CloudFront costs one wait per pass, not one in the plan, one in the step and one in the verdict. The
/// next pass tries again.
final class PassCalls: CallGate {
    let safePoint: SafePoint
    private let dead = Locked<[String: AWSError]>([:])

    init(safePoint: SafePoint) {
        self.safePoint = safePoint
    }

    /// Runs a call to `plane`; a read that fails without an answer marks the plane dead for the pass.
    func call<T: Sendable>(_ plane: String, read: Bool, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        if let error = dead.withLock({ $0[plane] }) {
            var fast = error
            fast.message = "\(plane) did not answer earlier in this pass (\(error.message)); not waited for again until the next pass"
            throw fast
        }
        do {
            return try await safePoint.call(body)
        } catch let error as AWSError where read && (error.kind == .timeout || error.kind == .transport) {
            dead.withLock { $0[plane] = $0[plane] ?? error }
            throw error
        }
    }
}
