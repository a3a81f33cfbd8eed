import AWS
import DesiredState
import Foundation

/// How long to wait, and how often to look.
public struct ApplyOptions: Sendable {
    /// Between two reads while waiting for AWS.
    public var pollInterval: Duration
    /// The most one step may take, waits included.
    public var stepTimeout: Duration
    /// Issue the calls without waiting for promotions to finish.
    public var wait: Bool

    public init(pollInterval: Duration = .seconds(5), stepTimeout: Duration = .seconds(900), wait: Bool = true) {
        self.pollInterval = pollInterval
        self.stepTimeout = stepTimeout
        self.wait = wait
    }
}

/// What happened to one step.
public struct StepOutcome: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        /// The change was made (and, for promotions, finished).
        case done
        /// Re-observed just before acting, it was already right: nothing was called.
        case alreadyDone
        /// The call was made; AWS is still working on it (`--no-wait`, CloudFront deploying).
        case started
        /// Not done yet: its control plane did not answer, or a step it needs is not done. Retried on the next run.
        case pending
        /// AWS refused it, or it timed out.
        case failed
    }

    public var step: Step
    public var status: Status
    public var message: String
    public var requestID: String?
    public var seconds: Double
}

/// Something a person watching an apply should see.
public struct ProgressEvent: Sendable {
    public var app: String
    public var message: String
    public var elapsed: Duration
}

/// Runs a plan's steps in order, re-observing before every mutating call so that a re-run, or a run after
/// a crash, never repeats a promotion.
public struct Applier: Sendable {
    public let cloud: any CloudControl
    public let options: ApplyOptions
    public let progress: @Sendable (ProgressEvent) -> Void
    /// Called just before and after each mutating call: the journal's hook.
    public let journal: @Sendable (JournalEvent) -> Void

    public init(cloud: any CloudControl, options: ApplyOptions = ApplyOptions(),
                progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in },
                journal: @escaping @Sendable (JournalEvent) -> Void = { _ in }) {
        self.cloud = cloud
        self.options = options
        self.progress = progress
        self.journal = journal
    }

    /// Applies the plan's steps for `app`; a blocked plan does nothing.
    public func apply(_ plan: AppPlan, for app: Application) async -> [StepOutcome] {
        guard plan.blockers.isEmpty else { return [] }
        let clock = ContinuousClock()
        let start = clock.now
        var outcomes: [StepOutcome] = []
        var activeBucketOpen = !plan.steps.contains { $0.action == .openBucket && $0.region == app.spec.activeRegion }
        for step in plan.steps {
            let stepStart = clock.now
            let say: @Sendable (String) -> Void = { [progress] message in
                progress(ProgressEvent(app: app.name, message: message, elapsed: clock.now - start))
            }
            var outcome: StepOutcome
            if step.needsActiveBucketOpen && !activeBucketOpen {
                outcome = StepOutcome(step: step, status: .pending,
                                      message: "waits for the bucket of \(app.spec.activeRegion) to open", seconds: 0)
            } else {
                say("\(step.summary) [\(step.controlPlane)]")
                outcome = await run(step, app: app, say: say)
            }
            outcome.seconds = (clock.now - stepStart).seconds
            if step.action == .openBucket, step.region == app.spec.activeRegion, outcome.status == .done || outcome.status == .alreadyDone {
                activeBucketOpen = true
            }
            say("  \(outcome.status.rawValue): \(outcome.message)")
            outcomes.append(outcome)
        }
        return outcomes
    }

    func run(_ step: Step, app: Application, say: @escaping @Sendable (String) -> Void) async -> StepOutcome {
        do {
            let limit = options.stepTimeout
            return try await withTimeLimit(limit, "\(step.summary) did not finish within \(DurationFormat.format(limit))") {
                switch step.action {
                case .promoteAurora, .awaitPromotion: try await promote(step, app: app, say: say)
                case .openBucket, .blockBucket: try await setBucket(step, app: app)
                case .reorderOriginGroup: try await reorder(step, app: app)
                }
            }
        } catch let error as AWSError {
            let transient = RetryClassifier.verdict(for: error) != .permanent
            journal(JournalEvent(app: app.name, step: step, phase: .failed, requestID: error.requestID, message: "\(error)"))
            return StepOutcome(step: step, status: transient ? .pending : .failed,
                               message: transient ? "\(step.controlPlane) did not answer (\(error)); retried on the next run" : "\(error)",
                               requestID: error.requestID, seconds: 0)
        } catch {
            journal(JournalEvent(app: app.name, step: step, phase: .failed, message: "\(error)"))
            return StepOutcome(step: step, status: .failed, message: "\(error)", seconds: 0)
        }
    }

    // MARK: Aurora

    func promote(_ step: Step, app: Application, say: @escaping @Sendable (String) -> Void) async throws -> StepOutcome {
        guard let aurora = app.spec.aurora, let target = ClusterARN(step.resource) else {
            throw ReconcileError("\(step.resource) is not a cluster ARN")
        }
        // Re-observe: a promotion may have been issued by a run that crashed, or be finished already.
        var global = try await cloud.globalCluster(id: aurora.globalClusterID, region: target.region)
        var requestID: String?
        if let state = global.failoverState, let status = state.status, !status.isEmpty {
            guard state.toDBClusterArn == step.resource else {
                throw ReconcileError("global cluster \(aurora.globalClusterID) is \(status) toward \(state.toDBClusterArn ?? "another cluster"); not promoting")
            }
            say("  a promotion to \(target.region) is already under way (\(status)); waiting for it, issuing nothing")
        } else if global.writer?.dbClusterArn == step.resource {
            return StepOutcome(step: step, status: .alreadyDone, message: "\(target.clusterID) is already the writer", seconds: 0)
        } else {
            guard let mode = step.promotion, step.action == .promoteAurora else {
                throw ReconcileError("no promotion is under way any more, and \(target.clusterID) is not the writer; plan again")
            }
            journal(JournalEvent(app: app.name, step: step, phase: .calling))
            requestID = try await cloud.promote(mode, globalClusterID: aurora.globalClusterID, target: target)
            journal(JournalEvent(app: app.name, step: step, phase: .called, requestID: requestID))
            if mode == .detach {
                return try await awaitDetached(step, target: target, requestID: requestID, say: say)
            }
            guard options.wait else {
                return StepOutcome(step: step, status: .started, message: "\(mode.rawValue) issued; not waiting (--no-wait)", requestID: requestID, seconds: 0)
            }
            global = try await cloud.globalCluster(id: aurora.globalClusterID, region: target.region)
        }
        while true {
            let state = global.failoverState?.status ?? ""
            if state.isEmpty, global.writer?.dbClusterArn == step.resource {
                return StepOutcome(step: step, status: .done, message: "\(target.clusterID) is the writer", requestID: requestID, seconds: 0)
            }
            if state.isEmpty, requestID == nil {
                // We were waiting on a promotion issued earlier; it ended without making the target the writer.
                throw ReconcileError("the promotion under way ended without making \(target.clusterID) the writer; plan again")
            }
            say("  waiting: global cluster \(global.status)\(state.isEmpty || state == global.status ? "" : ", failover \(state)"); writer \(global.writer.map { ClusterARN($0.dbClusterArn)?.region ?? $0.dbClusterArn } ?? "none")")
            try await Task.sleep(for: options.pollInterval)
            global = try await cloud.globalCluster(id: aurora.globalClusterID, region: target.region)
        }
    }

    func awaitDetached(_ step: Step, target: ClusterARN, requestID: String?, say: @escaping @Sendable (String) -> Void) async throws -> StepOutcome {
        while true {
            if let cluster = try await cloud.dbCluster(target), cluster.globalClusterIdentifier == nil, cluster.status == "available" {
                return StepOutcome(step: step, status: .done, message: "\(target.clusterID) is detached and writes standalone", requestID: requestID, seconds: 0)
            }
            guard options.wait else {
                return StepOutcome(step: step, status: .started, message: "detach issued; not waiting (--no-wait)", requestID: requestID, seconds: 0)
            }
            say("  waiting: \(target.clusterID) to leave the global database")
            try await Task.sleep(for: options.pollInterval)
        }
    }

    // MARK: Buckets and origins

    func setBucket(_ step: Step, app: Application) async throws -> StepOutcome {
        let blocked = step.action == .blockBucket
        let current = try await cloud.bucketAccess(bucket: step.resource, region: step.region)
        if current == (blocked ? .blocked : .open) {
            return StepOutcome(step: step, status: .alreadyDone, message: "\(step.resource) is already \(current.rawValue)", seconds: 0)
        }
        journal(JournalEvent(app: app.name, step: step, phase: .calling))
        let requestID = try await cloud.setBucketAccess(bucket: step.resource, region: step.region, blocked: blocked)
        journal(JournalEvent(app: app.name, step: step, phase: .called, requestID: requestID))
        return StepOutcome(step: step, status: .done, message: "\(step.resource) is \(blocked ? "blocked" : "open")", requestID: requestID, seconds: 0)
    }

    func reorder(_ step: Step, app: Application) async throws -> StepOutcome {
        guard let cloudfront = app.spec.cloudfront, let primary = step.originOrder?.first else {
            throw ReconcileError("reorder step without an origin")
        }
        journal(JournalEvent(app: app.name, step: step, phase: .calling))
        let requestID = try await cloud.reorderOriginGroup(distributionID: cloudfront.distributionID, groupID: cloudfront.originGroupID, primary: primary)
        journal(JournalEvent(app: app.name, step: step, phase: .called, requestID: requestID))
        guard requestID != nil else {
            return StepOutcome(step: step, status: .alreadyDone, message: "\(primary) is already first", seconds: 0)
        }
        // CloudFront deploys for minutes; the other steps never wait for it. Status shows it converging.
        return StepOutcome(step: step, status: .started, message: "\(primary) is first; CloudFront is deploying the change", requestID: requestID, seconds: 0)
    }
}

/// A mutating call about to be made, or just made: what the journal records.
public struct JournalEvent: Sendable {
    public enum Phase: String, Sendable { case calling, called, failed }
    public var app: String
    public var step: Step
    public var phase: Phase
    public var requestID: String?
    public var message: String?

    public init(app: String, step: Step, phase: Phase, requestID: String? = nil, message: String? = nil) {
        self.app = app
        self.step = step
        self.phase = phase
        self.requestID = requestID
        self.message = message
    }
}

/// A reconciler failure that is not an AWS error.
public struct ReconcileError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Duration {
    /// The duration in seconds, for progress lines and JSON.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Runs `body`, throwing `ReconcileError(message)` if it takes longer than `limit` (and cancelling it).
public func withTimeLimit<T: Sendable>(_ limit: Duration, _ message: @autoclosure () -> String,
                                       _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let message = message()
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw ReconcileError(message)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
