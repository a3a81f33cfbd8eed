import AWS
import Crypto
import DesiredState
import Foundation
import GitSource
import Logging
import Reconciler
import ServiceLifecycle

/// A check a candidate commit must pass before anything is applied, e.g. a signature policy.
///
/// Called with the repository, the commit every app last converged to (nil at first start, or when it is no longer
/// in the repository) and the candidate. Throwing refuses the candidate: nothing is applied, the error's
/// description is the reason shown by status, `/readyz` and the journal.
public typealias CommitGate = @Sendable (_ repository: Repository, _ lastApplied: CommitInfo?, _ candidate: CommitInfo) throws -> Void

/// The GitOps loop: every interval (or at once on a webhook) it reads the repository, validates, plans and
/// applies, journaling every mutating call. Level-triggered: each pass re-observes AWS.
public struct ReconcileLoop: Service {
    let configuration: ServiceConfiguration
    let cloud: any CloudControl
    let journal: Journal
    let metrics: ServiceMetrics
    let status: ServiceStatus
    let trigger: PassTrigger
    let gate: CommitGate?
    let once: Bool
    let logger: Logger

    /// - Parameters:
    ///   - once: run one pass, then return (`--once`).
    ///   - gate: refuses candidate commits (signatures); nil accepts every valid commit.
    public init(configuration: ServiceConfiguration, cloud: any CloudControl, journal: Journal, metrics: ServiceMetrics,
                status: ServiceStatus, trigger: PassTrigger, gate: CommitGate? = nil, once: Bool = false, logger: Logger) {
        self.configuration = configuration
        self.cloud = cloud
        self.journal = journal
        self.metrics = metrics
        self.status = status
        self.trigger = trigger
        self.gate = gate
        self.once = once
        self.logger = logger
    }

    /// Runs passes until a graceful shutdown (SIGTERM/SIGINT), or one pass with `once`.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await loop()
        } onGracefulShutdown: {
            trigger.shutdown()
        }
    }

    func loop() async {
        var reason = "start"
        var failures = 0
        while !trigger.isShuttingDown {
            let outcome = await pass(trigger: reason)
            if once, outcome != .superseded { return }
            switch outcome {
            case .interrupted: return
            case .superseded:
                reason = "superseded"
                continue
            case .notConverged, .fetchFailed, .failed: failures += 1
            default: failures = 0
            }
            let delay = failures > 0 ? configuration.retryDelay(afterFailures: failures) : configuration.nextInterval()
            if failures > 0 { logger.info("retrying in \(DurationFormat.format(delay)) (failure \(failures) in a row)") }
            switch await trigger.wait(for: delay) {
            case .shutdown: return
            case let .triggered(why): reason = why
            case .timer: reason = failures > 0 ? "retry" : "interval"
            }
        }
    }

    // MARK: One pass

    /// What reading the repository gave.
    struct Candidate: Sendable {
        var snapshot: Snapshot
        var state: DesiredStateSet?
        var refusal: Refusal?
        var safety: [String: SafetyContext] = [:]
        /// The journal's per-app state when the pass began (read once: `--drift report` needs it too).
        var appStates: [String: AppState] = [:]
    }

    /// Reads, validates, plans and applies once; records everything. Never throws: a failure is an outcome.
    func pass(trigger reason: String) async -> PassOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let startedAt = Date()
        let passID: Int64?
        do { passID = try journal.beginPass(trigger: reason, at: startedAt) } catch {
            logger.error("\(error)")
            passID = nil
        }
        var log = logger
        log[metadataKey: "pass"] = "\(passID.map(String.init) ?? "?")"
        log.info("pass started (\(reason))")

        var commit: String?
        var outcome: PassOutcome
        var error: String?
        var document: PlanDocument?
        var refusal: Refusal?
        var verdicts: [String: Verdictish] = [:]
        do {
            let candidate = try await read()
            await status.fetched(at: Date())
            metrics.fetched()
            commit = candidate.snapshot.commit.id.hex
            if let refused = candidate.refusal {
                refusal = refused
                outcome = refused.kind
                error = refused.reason
                log.error("commit \(candidate.snapshot.commit.id.short) not applied; the last applied state stands: \(refused.reason)")
            } else if let state = candidate.state {
                let applied = await apply(state, snapshot: candidate.snapshot, safety: candidate.safety, appStates: candidate.appStates,
                                          passID: passID, logger: log)
                document = PlanDocument(commit: candidate.snapshot.commit.id.hex, plans: applied.results.map(\.plan), results: applied.results)
                outcome = applied.outcome
                error = applied.problems.isEmpty ? nil : applied.problems.joined(separator: "; ")
                for result in applied.results {
                    verdicts[result.plan.app] = Verdictish(converged: result.verdict.isConverged, inSync: result.verdict == .inSync)
                }
                if outcome == .converged { metrics.applied(commitTime: candidate.snapshot.commit.committer.time) }
            } else {
                outcome = .failed
            }
        } catch let failure as PassFailure {
            outcome = failure.outcome
            error = failure.message
            log.error("\(failure.message)")
        } catch {
            outcome = .failed
            self.logger.error("\(error)")
        }
        let finishedAt = Date()
        if let passID {
            do { try journal.finishPass(passID, commit: commit, outcome: outcome, error: error, at: finishedAt) } catch { log.error("\(error)") }
        }
        if verdicts.isEmpty { metrics.passFailed(duration: clock.now - start) } else { metrics.passFinished(duration: clock.now - start, apps: verdicts) }
        await status.finished(PassReport(id: passID, trigger: reason, startedAt: startedAt, finishedAt: finishedAt, commit: commit,
                                         outcome: outcome, error: error), document: document, refusal: refusal)
        log.info("pass finished: \(outcome.rawValue)\(commit.map { " at \($0.prefix(12))" } ?? "")\(error.map { ": \($0)" } ?? "")")
        ProcessMemory.releaseFreePagesSoon()
        return outcome
    }

    /// Opens or fetches the repository, reads the ref's snapshot, asks the gate, validates. Blocking libgit2 work runs
    /// off the cooperative pool.
    func read() async throws -> Candidate {
        let configuration = configuration
        let gate = gate
        let appStates = (try? journal.appStates()) ?? [:]
        let lastApplied = appStates.values.max { $0.updatedAt < $1.updatedAt }?.lastAppliedCommit
        return try await offPool {
            let opened: GitSource.Opened
            let snapshot: Snapshot
            do {
                opened = try configuration.source.open()
                snapshot = try opened.repository.snapshot(ref: configuration.ref ?? opened.defaultRef, folder: configuration.folder)
            } catch {
                throw PassFailure(outcome: .fetchFailed, message: "cannot read the repository: \(error)")
            }
            let hex = snapshot.commit.id.hex
            if let gate {
                let previous = lastApplied.flatMap { try? opened.repository.commit(CommitID(hex: $0)) }
                do { try gate(opened.repository, previous, snapshot.commit) } catch {
                    return Candidate(snapshot: snapshot, refusal: Refusal(commit: hex, kind: .refused, reason: "\(error)"))
                }
            }
            do {
                let state = try snapshot.desiredState().selecting(configuration.apps)
                let safety = SafetyContexts.build(repository: opened.repository, snapshot: snapshot, state: state,
                                                  folder: configuration.folder, journal: journal)
                return Candidate(snapshot: snapshot, state: state, safety: safety, appStates: appStates)
            } catch {
                return Candidate(snapshot: snapshot, refusal: Refusal(commit: hex, kind: .invalid, reason: "\(error)"))
            }
        }
    }

    /// Reads the commit the ref points at now (fetching when remote), for the takeover check.
    func currentCommit() async -> CommitID? {
        let configuration = configuration
        return try? await offPool {
            let opened = try configuration.source.open()
            return try opened.repository.resolve(configuration.ref ?? opened.defaultRef)
        }
    }

    // MARK: Applying

    struct Applied {
        var results: [Reconciler.AppResult]
        var outcome: PassOutcome
        var problems: [String]
    }

    func apply(_ state: DesiredStateSet, snapshot: Snapshot, safety: [String: SafetyContext], appStates: [String: AppState],
               passID: Int64?, logger log: Logger) async -> Applied {
        let commit = snapshot.commit.id.hex
        let safePoint = SafePoint()
        let guarded = SafePointCloud(base: cloud, safePoint: safePoint)
        let reconciler = Reconciler(cloud: guarded)
        let hashes = Dictionary(snapshot.files.map { ($0.path, Self.hash($0.content)) }, uniquingKeysWith: { a, _ in a })
        // Each app's file hash at this commit: what `--drift report` compares and what the journal keeps as applied.
        let specHashes = Dictionary(state.applications.map { ($0.name, hashes[$0.source.path]) }, uniquingKeysWith: { a, _ in a })
        let regions = Dictionary(state.applications.map { ($0.name, $0.spec.activeRegion) }, uniquingKeysWith: { a, _ in a })
        let journal = journal
        let applier = Applier(cloud: guarded, options: configuration.applyOptions, progress: { event in
            log.info("\(event.app): \(event.message)", metadata: ["elapsed": "\((event.elapsed.seconds * 10).rounded() / 10)s"])
        }, journal: { event in
            let message = safePoint.stopReason.map { "stopped at a safe point: \($0)" } ?? event.message
            do {
                try journal.record(CallRecord(passID: passID, app: event.app, commit: commit, activeRegion: regions[event.app],
                                              action: event.step.action.rawValue, resource: event.step.resource, region: event.step.region,
                                              phase: event.phase.rawValue, requestID: event.requestID, message: message))
            } catch {
                log.error("\(error)")
            }
        })
        let drift = configuration.drift
        let work = Task {
            let plans = await reconciler.plan(state, safety: safety)
            return await withTaskGroup(of: (Int, Reconciler.AppResult, Bool).self) { group in
                for (index, (app, plan)) in zip(state.applications, plans).enumerated() {
                    let convergedBefore = appStates[app.name]?.appliedSpecHash == specHashes[app.name] ?? nil
                    group.addTask {
                        if drift == .report, convergedBefore, plan.steps.contains(where: \.isMutating) {
                            log.warning("\(app.name): live state drifted from the applied commit; reporting only (--drift report)")
                            return (index, Reconciler.AppResult(plan: plan, outcomes: [], verdict: .drifted), true)
                        }
                        let result = await reconciler.apply(plan, for: app, applier: applier, safety: safety[app.name] ?? SafetyContext())
                        return (index, result, false)
                    }
                }
                var results: [(Int, Reconciler.AppResult, Bool)] = []
                for await result in group { results.append(result) }
                return results.sorted { $0.0 < $1.0 }
            }
        }
        // Meanwhile, watch for a newer commit or a shutdown: either stops the pass at the next safe point.
        let watcher = Task {
            while !Task.isCancelled {
                let wake = await trigger.wait(for: min(configuration.interval, .seconds(30)))
                if Task.isCancelled { return }
                if wake == .shutdown {
                    safePoint.stop("the service is stopping")
                    work.cancel()
                    return
                }
                if let now = await currentCommit(), now.hex != commit {
                    log.notice("commit \(now.short) arrived while \(snapshot.commit.id.short) converges; it takes over at the next safe point")
                    safePoint.stop("superseded by \(now.short)")
                    work.cancel()
                    return
                }
            }
        }
        let results = await work.value
        watcher.cancel()
        _ = await watcher.value

        if let stopped = safePoint.stopReason {
            let outcome: PassOutcome = stopped.hasPrefix("superseded") ? .superseded : .interrupted
            return Applied(results: results.map(\.1), outcome: outcome, problems: [stopped])
        }
        var problems: [String] = []
        var reportedOnly = false
        do {
            try journal.recordApps(results.map { _, result, _ in
                AppEvent(passID: passID, app: result.plan.app, commit: commit, activeRegion: result.plan.activeRegion,
                         verdict: result.verdict.rawValue, converged: result.verdict.isConverged,
                         specHash: specHashes[result.plan.app] ?? nil)
            })
        } catch {
            log.error("\(error)")
        }
        for (_, result, reported) in results {
            let app = result.plan.app
            guard !result.verdict.isConverged else { continue }
            reportedOnly = reportedOnly || reported
            let detail = result.outcomes.filter { $0.status == .failed || $0.status == .pending }.map { "\($0.step.summary): \($0.message)" }
                + result.plan.blockers.map(\.reason) + result.plan.unobserved
                + (reported ? result.plan.steps.filter(\.isMutating).map { "drift: \($0.summary) (\($0.reason))" } : [])
            problems.append("\(app) \(result.verdict.rawValue)\(detail.isEmpty ? "" : ": " + detail.joined(separator: "; "))")
        }
        let allReported = results.allSatisfy { $0.1.verdict.isConverged || $0.2 }
        let outcome: PassOutcome = problems.isEmpty ? .converged : (reportedOnly && allReported ? .driftReported : .notConverged)
        return Applied(results: results.map(\.1), outcome: outcome, problems: problems)
    }

    static func hash(_ text: String) -> String {
        hexEncoded(SHA256.hash(data: Data(text.utf8)))
    }
}

/// A pass that stopped before planning: the repository could not be read.
struct PassFailure: Error {
    var outcome: PassOutcome
    var message: String
}

/// Runs blocking work (libgit2, network) on a thread of its own, not on the cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}

