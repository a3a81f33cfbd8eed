import Presentation
import Basics
import DesiredState
import Foundation
import GitSource
import Journaling
import Logging
import Reconciler
import ServiceLifecycle

/// The GitOps loop: every interval (or at once on a webhook) it runs one `Pass` (the same pass `apply` runs once),
/// and watches for a newer commit or a shutdown while the pass converges. Level-triggered: each pass re-observes AWS.
public struct ReconcileLoop: Service {
    let configuration: ServiceConfiguration
    let kinds: ResourceKinds
    let journal: Journal
    let metrics: ServiceMetrics
    let status: ServiceStatus
    let trigger: PassTrigger
    let policy: CommitPolicy?
    let coordinator: Coordinator?
    let once: Bool
    let logger: Logger
    /// The apps found diverged by the last pass: a divergence is logged at `notice` once, when it begins.
    let diverged = Locked<Set<String>>([])
    /// The apps whose timeline was read once (an app without calls has none).
    let timelinesRead = Locked<Set<String>>([])
    /// Fired when a pass first converges at a new commit: readiness is evaluated again (`ReadinessLoop`), once the
    /// change is carried out, never beside the passes still carrying it out.
    let readiness: PassTrigger?
    /// The readiness evaluation under way, if any: a pass that a webhook, a new commit or a signal started stops it at
    /// its next safe point, so that a flip's calls are not queued behind hundreds of reads (it runs again once the
    /// new commit converged).
    let readinessEvaluation: Locked<SafePoint?>?
    /// The last commit readiness was asked for.
    let readinessCommit = Locked<String?>(nil)
    /// Whether the last pass left only steps waiting for AWS to finish a deployment.
    let deploying = Locked(false)

    /// - Parameters:
    ///   - once: run one pass, then return (`--once`).
    ///   - policy: refuses candidate commits (signatures); nil accepts every valid commit.
    public init(
        configuration: ServiceConfiguration, kinds: ResourceKinds, journal: Journal, metrics: ServiceMetrics,
        status: ServiceStatus, trigger: PassTrigger, policy: CommitPolicy? = nil, coordinator: Coordinator? = nil, once: Bool = false,
        readiness: PassTrigger? = nil, readinessEvaluation: Locked<SafePoint?>? = nil, logger: Logger
    ) {
        self.readiness = readiness
        self.readinessEvaluation = readinessEvaluation
        self.configuration = configuration
        self.kinds = kinds
        self.journal = journal
        self.metrics = metrics
        self.status = status
        self.trigger = trigger
        self.policy = policy
        self.coordinator = coordinator
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
        var waits = 0
        // Cancellation (the service group stopping, e.g. the listener could not start) ends the loop like a shutdown.
        while !trigger.isShuttingDown && !Task.isCancelled {
            let outcome = await pass(trigger: reason)
            // What is left is AWS finishing a deployment before the last steps (a hot standby opened again, the region
            // left lowered): the next pass takes them soon after, and `--once` waits for it as `apply` does.
            if outcome == .notConverged, deploying.withLock({ $0 }) {
                failures = 0
                let delay = min(configuration.pass.applyOptions.pollInterval * Double(1 << min(waits, 10)), max(configuration.interval, .seconds(1)))
                waits += 1
                switch await trigger.wait(for: delay) {
                case .shutdown: return
                case let .triggered(why): reason = why
                case .timer: reason = "after the deployment"
                }
                continue
            }
            waits = 0
            if once, outcome != .superseded { return }
            switch outcome {
            case .interrupted: return
            case .superseded:
                reason = "superseded"
                continue
            case .notConverged, .fetchFailed, .failed, .stale, .journalUnwritable: failures += 1
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

    /// Runs one pass, stopping it at a safe point when a newer commit arrives or the service stops; records it in
    /// status and metrics. Never throws: a failure is an outcome.
    func pass(trigger reason: String) async -> PassOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let log = logger
        log.info("pass started (\(reason))")
        if reason != "interval", reason != "retry", let evaluation = readinessEvaluation?.withLock({ $0 }) {
            evaluation.stop(.superseded(by: "a pass (\(reason))"))
        }
        let safePoint = SafePoint()
        let reading = Locked<CommitID?>(nil)
        let progressLog = log
        let acted = Locked<Set<String>>([])
        let (status, journal) = (status, journal)
        let hooks = PassHooks(
            logger: log,
            progress: { event in
                progressLog.info("\(event.app): \(event.message)", metadata: ["elapsed": "\((event.elapsed.seconds * 10).rounded() / 10)s"])
            }, commitRead: { commit in reading.withLock { $0 = commit } },
            recorded: { record, step in
                // The screens follow the pass as it acts, off its path: a slow console never delays it.
                acted.withLock { _ = $0.insert(record.app) }
                Task {
                    await status.calling(record, step: step)
                    await status.timeline(try? journal.failoverTimeline(app: record.app), app: record.app)
                }
            })
        let pass = Pass(configuration: configuration.pass, kinds: kinds, journal: journal, policy: policy, coordinator: coordinator, hooks: hooks)
        let work = Task { await pass.run(trigger: reason, mode: .apply, stop: safePoint) }
        // Meanwhile, watch for a newer commit or a shutdown: either stops the pass at the next safe point.
        let watcher = Task {
            while !Task.isCancelled {
                let wake = await trigger.wait(for: min(configuration.interval, .seconds(30)))
                if Task.isCancelled { return }
                if wake == .shutdown {
                    safePoint.stop(.shuttingDown)
                    work.cancel()
                    return
                }
                guard let commit = reading.withLock({ $0 }) else { continue }
                if let now = await currentCommit(), now != commit {
                    log.notice("commit \(now.short) arrived while \(commit.short) converges; it takes over at the next safe point")
                    safePoint.stop(.superseded(by: now.short))
                    work.cancel()
                    return
                }
            }
        }
        let result = await work.value
        watcher.cancel()
        _ = await watcher.value

        var passLog = logger
        passLog[metadataKey: "pass"] = "\(result.id.map(String.init) ?? "?")"
        if result.commit != nil {
            await status.fetched(at: Date())
            metrics.fetched()
        }
        if result.outcome == .converged, let commit = result.commit {
            let new = readinessCommit.withLock { last in
                defer { last = commit.id.hex }
                return last != commit.id.hex
            }
            if new { readiness?.fire("converged at \(commit.id.short)") }
        }
        if let refusal = result.refusal {
            passLog.error("commit \(refusal.commit.prefix(12)) not applied; the last applied state stands: \(refusal.reason)")
        }
        var verdicts: [String: Verdictish] = [:]
        for app in result.results {
            verdicts[app.plan.app] = Verdictish(converged: app.isConverged, inSync: app.verdict == .inSync, diverged: app.verdict == .diverged)
        }
        if !result.results.isEmpty {
            let now = Set(result.results.filter { $0.verdict == .diverged }.map(\.plan.app))
            let began = diverged.withLock { before in
                defer { before = now }
                return now.subtracting(before)
            }
            for app in result.results where began.contains(app.plan.app) {
                passLog.notice("\(app.plan.app) diverged: \(app.plan.blockers.first { $0.code == BlockerCode.diverged }?.reason ?? "")")
            }
        }
        if result.outcome == .converged, let commit = result.commit { metrics.applied(commitTime: commit.committer.time) }
        if verdicts.isEmpty {
            metrics.passFailed(duration: clock.now - start)
        } else {
            metrics.passFinished(duration: clock.now - start, apps: verdicts)
        }
        await status.finished(
            result.report, document: result.results.isEmpty ? nil : result.document, refusal: result.refusal,
            commit: result.commit)
        await refreshTimelines(acted: acted.withLock { $0 })
        passLog.info(
            "pass finished: \(result.outcome.rawValue)\(result.commit.map { " at \($0.id.short)" } ?? "")\(result.error.map { ": \($0)" } ?? "")")
        ProcessMemory.releaseFreePagesSoon()
        deploying.withLock { $0 = result.onlyWaitsOnDeployment }
        return result.outcome
    }

    /// Re-reads the timelines the console shows: of the apps this pass acted on, of those whose last failover has not
    /// reached in sync yet (convergence is recorded at the end of a pass), and at first of every app.
    func refreshTimelines(acted: Set<String>) async {
        let known = await status.timelines
        let apps = (await status.document?.apps ?? []).map(\.name).filter { app in
            acted.contains(app) || known[app] == nil && !timelinesRead.withLock { $0.contains(app) } || known[app].map { $0.inSyncAt == nil } == true
        }
        for app in apps {
            await status.timeline(try? journal.failoverTimeline(app: app), app: app)
            timelinesRead.withLock { _ = $0.insert(app) }
        }
    }

    /// Reads the commit the ref points at now (fetching when remote), for the takeover check.
    func currentCommit() async -> CommitID? {
        let configuration = configuration.pass
        return try? await offPool {
            let opened = try configuration.source.open()
            return try opened.repository.resolve(configuration.ref ?? opened.defaultRef)
        }
    }
}

/// What swift-service-lifecycle logs of the loop (at debug): where it reads, nothing it holds (credentials, clients).
extension ReconcileLoop: Redacting {
    public var description: String { "ReconcileLoop(\(configuration.pass.source), every \(DurationFormat.format(configuration.interval)))" }
}

extension ServiceConfiguration: Redacting {
    public var description: String { "ServiceConfiguration(\(pass.source), state in \(stateDirectory))" }
}
