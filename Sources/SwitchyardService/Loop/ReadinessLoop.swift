import Basics
import Foundation
import Journaling
import Logging
import Reconciler
import ServiceLifecycle

/// Evaluates every app's readiness to fail over (`switchyard readiness`) every `readinessInterval`, and soon after a
/// pass read a new commit: sets the metrics and the status the console and `/api/status` show, and logs each change
/// of an app's readiness once, at `notice`. Read-only: it makes no mutating call and writes no journal row.
struct ReadinessLoop: Service {
    let configuration: ServiceConfiguration
    let kinds: ResourceKinds
    let journal: Journal
    let metrics: ServiceMetrics
    let status: ServiceStatus
    /// Fired by the reconcile loop after a pass that read a new commit; shut down with the service.
    let trigger: PassTrigger
    /// The host's commit policy: a commit it would refuse to apply is not read for readiness either.
    let policy: CommitPolicy?
    let coordinator: Coordinator?
    /// Where the evaluation under way keeps its safe point: a pass the reconcile loop starts for a new commit stops it.
    let evaluation: Locked<SafePoint?>
    let logger: Logger
    /// Per `app → region`, the last readiness said (ready, or the problems' codes), to log changes only.
    let said = Locked<[String: String]>([:])

    func run() async throws {
        await withGracefulShutdownHandler {
            while !trigger.isShuttingDown && !Task.isCancelled {
                switch await trigger.wait(for: configuration.readinessInterval) {
                case .shutdown: return
                case .triggered, .timer: await evaluate()
                }
            }
        } onGracefulShutdown: {
            trigger.shutdown()
        }
    }

    func evaluate() async {
        let pass = Pass(
            configuration: configuration.pass, kinds: kinds, journal: journal, policy: policy, coordinator: coordinator,
            hooks: PassHooks(logger: logger))
        let stop = SafePoint()
        evaluation.withLock { $0 = stop }
        let result = await pass.run(trigger: "readiness", mode: .readiness(target: nil), stop: stop)
        evaluation.withLock { $0 = nil }
        if let yielded = stop.reason {
            logger.debug(
                "readiness evaluation stopped: \(yielded); it runs again after the next pass that converges a new commit, or at the next interval")
            return
        }
        guard result.commit != nil, result.refusal == nil, result.error == nil else {
            logger.warning("readiness not evaluated: \(result.error ?? result.refusal?.reason ?? "the repository could not be read")")
            return
        }
        metrics.readiness(result.readiness)
        await status.evaluated(result.readiness)
        for report in result.readiness {
            let key = "\(report.app) → \(report.target)"
            let words =
                report.ready
                ? "ready to fail over to \(report.target)"
                : "not ready to fail over to \(report.target): "
                    + report.problems.map { "[\($0.code)] \($0.reading)" }.joined(separator: "; ")
            let summary = report.ready ? "ready" : report.problems.map(\.code.rawValue).joined(separator: ",")
            let changed = said.withLock { said in
                defer { said[key] = summary }
                return said[key] != summary
            }
            if changed { logger.notice("\(report.app): \(words)") }
        }
        // The evaluation's plans are gone: give their pages back, as after a pass.
        ProcessMemory.releaseFreePagesSoon()
    }
}

/// What swift-service-lifecycle logs of the loop (at debug): nothing it holds.
extension ReadinessLoop: Redacting {
    var description: String { "ReadinessLoop(every \(DurationFormat.format(configuration.readinessInterval)))" }
}
