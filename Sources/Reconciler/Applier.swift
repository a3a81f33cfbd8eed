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
        /// Not done yet: its control plane did not answer, or a step it depends on is not done. Retried on the next run.
        case pending
        /// AWS refused it, it timed out, or its call could not be journaled first.
        case failed
    }

    public var step: Step
    public var status: Status
    public var message: String
    /// Why the step is pending or failed, as a stable code (docs/OUTPUT.md): `promotion-refused`,
    /// `promotion-ambiguous`, `aws-unavailable`, `waiting-on-dependency`, `journal-unwritable`, …
    public var code: String?
    /// The AWS error code, when AWS answered with one.
    public var awsErrorCode: String?
    public var requestID: String?
    public var seconds: Double

    public init(
        step: Step, status: Status, message: String, code: String? = nil, awsErrorCode: String? = nil,
        requestID: String? = nil, seconds: Double = 0
    ) {
        self.step = step
        self.status = status
        self.message = message
        self.code = code
        self.awsErrorCode = awsErrorCode
        self.requestID = requestID
        self.seconds = seconds
    }

    /// Whether steps that depend on this one may run: the change is in place, not merely under way.
    public var isFinished: Bool { status == .done || status == .alreadyDone }
}

/// Something a person watching an apply should see.
public struct ProgressEvent: Sendable {
    public var app: String
    public var message: String
    public var elapsed: Duration
}

/// Runs a plan's steps in dependency order, re-observing before every mutating call so that a re-run, or a run after
/// a crash, never repeats a promotion.
public struct Applier: Sendable {
    public let cloud: any CloudControl
    public let options: ApplyOptions
    public let progress: @Sendable (ProgressEvent) -> Void
    /// Called just before and after each mutating call: the journal's hook. When it throws for the `calling` event,
    /// the call is not made: no mutating call goes unrecorded.
    public let journal: @Sendable (JournalEvent) throws -> Void

    public init(
        cloud: any CloudControl, options: ApplyOptions = ApplyOptions(),
        progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in },
        journal: @escaping @Sendable (JournalEvent) throws -> Void = { _ in }
    ) {
        self.cloud = cloud
        self.options = options
        self.progress = progress
        self.journal = journal
    }

    /// Applies the plan's steps for `app`; a blocked plan does nothing. A step runs only when every step it depends on
    /// finished; otherwise it stays pending with `waiting-on-dependency`.
    public func apply(_ plan: AppPlan, for app: Application) async -> [StepOutcome] {
        guard plan.blockers.isEmpty else { return [] }
        let clock = ContinuousClock()
        let start = clock.now
        var outcomes: [StepOutcome] = []
        var finished: [String: StepOutcome] = [:]
        for step in plan.steps {
            let stepStart = clock.now
            let say: @Sendable (String) -> Void = { [progress] message in
                progress(ProgressEvent(app: app.name, message: message, elapsed: clock.now - start))
            }
            var outcome: StepOutcome
            if let unmet = step.dependsOn.lazy.compactMap({ finished[$0] }).first(where: { !$0.isFinished }) {
                outcome = StepOutcome(
                    step: step, status: .pending,
                    message: "waits for \(unmet.step.summary) (\(unmet.status.rawValue)\(unmet.code.map { ": \($0)" } ?? ""))",
                    code: StepCode.waitingOnDependency)
            } else {
                say("\(step.summary) [\(step.controlPlane)]")
                outcome = await run(step, app: app, say: say)
            }
            outcome.seconds = (clock.now - stepStart).seconds
            say("  \(outcome.status.rawValue): \(outcome.message)")
            finished[step.id] = outcome
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
        } catch let failure as StepFailure {
            try? journal(JournalEvent(app: app.name, step: step, phase: .failed, requestID: failure.requestID, message: failure.message))
            return StepOutcome(
                step: step, status: failure.pending ? .pending : .failed, message: failure.message, code: failure.code,
                awsErrorCode: failure.awsErrorCode, requestID: failure.requestID)
        } catch let error as AWSError {
            let transient = RetryClassifier.verdict(for: error) != .permanent
            try? journal(JournalEvent(app: app.name, step: step, phase: .failed, requestID: error.requestID, message: "\(error)"))
            return StepOutcome(
                step: step, status: transient ? .pending : .failed,
                message: transient ? "\(step.controlPlane) did not answer (\(error)); retried on the next run" : "\(error)",
                code: transient ? StepCode.awsUnavailable : StepCode.awsRefused, awsErrorCode: error.code,
                requestID: error.requestID)
        } catch {
            try? journal(JournalEvent(app: app.name, step: step, phase: .failed, message: "\(error)"))
            return StepOutcome(step: step, status: .failed, message: "\(error)", code: (error as? ReconcileError)?.code ?? StepCode.failed)
        }
    }

    /// Journals `calling`; a journal that cannot be written stops the call before it is made.
    func announce(_ step: Step, app: Application) throws {
        do {
            try journal(JournalEvent(app: app.name, step: step, phase: .calling))
        } catch let refusal as ReconcileError {
            throw StepFailure(code: refusal.code, pending: true, message: refusal.description)
        } catch {
            throw StepFailure(
                code: StepCode.journalUnwritable,
                message: "not calling: the journal could not record the call first (\(error)); nothing was changed")
        }
    }

    /// Journals `called`. The call was made, so a failure here is only logged by the hook's owner.
    func record(_ step: Step, app: Application, requestID: String?) {
        try? journal(JournalEvent(app: app.name, step: step, phase: .called, requestID: requestID))
    }

    // MARK: Aurora

    func promote(_ step: Step, app: Application, say: @escaping @Sendable (String) -> Void) async throws -> StepOutcome {
        guard let aurora = app.spec.aurora, let target = ClusterARN(step.resource) else {
            throw ReconcileError("\(step.resource) is not a cluster ARN")
        }
        let read: @Sendable () async throws -> GlobalDatabase = { [cloud] in
            try await cloud.globalCluster(id: aurora.globalClusterID, region: target.region)
        }
        // Re-observe: a promotion may have been issued by a run that crashed, or be finished already.
        var global = try await read()
        var requestID: String?
        if let state = global.failoverState, let status = state.status, !status.isEmpty {
            guard state.toDBClusterArn == step.resource else {
                throw StepFailure(
                    code: StepCode.promotionElsewhere,
                    message:
                        "global cluster \(aurora.globalClusterID) is \(status) toward \(state.toDBClusterArn ?? "another cluster"); not promoting")
            }
            say("  a promotion to \(target.region) is already under way (\(status)); waiting for it, issuing nothing")
        } else if global.writer?.dbClusterArn == step.resource {
            return StepOutcome(step: step, status: .alreadyDone, message: "\(target.clusterID) is already the writer")
        } else {
            guard let mode = step.promotion, step.action == .promoteAurora else {
                if step.action == .awaitPromotion, step.promotion == nil {
                    // Planned while the writer could not be read: it is not in the target, so traffic stays.
                    return StepOutcome(
                        step: step, status: .pending,
                        message: "the writer is not \(target.clusterID); the next pass plans the promotion with its safety checks",
                        code: StepCode.writerUnknown)
                }
                throw StepFailure(
                    code: StepCode.promotionEnded,
                    message: "no promotion is under way any more, and \(target.clusterID) is not the writer; plan again")
            }
            try announce(step, app: app)
            do {
                requestID = try await cloud.promote(mode, globalClusterID: aurora.globalClusterID, target: target)
            } catch let error as AWSError where RetryClassifier.verdict(for: error) == .permanent && error.kind == .service {
                throw StepFailure(
                    code: StepCode.promotionRefused, message: "RDS refused the \(mode.rawValue) of \(target.clusterID): \(error)",
                    awsError: error)
            } catch let error as AWSError where Self.mayHaveActed(error) {
                // The request may have been acted on (5xx, timeout, a garbled answer): never send it again, and
                // never go on as if it had worked. Re-read the cluster: only what AWS shows decides.
                record(step, app: app, requestID: error.requestID)
                say("  the \(mode.rawValue) call's answer is unknown (\(error.code)); re-reading the global cluster, not re-sending")
                return try await settleAmbiguous(step, mode: mode, target: target, cause: error, read: read, say: say)
            }
            record(step, app: app, requestID: requestID)
            if mode == .detach {
                return try await awaitDetached(step, target: target, requestID: requestID, say: say)
            }
            guard options.wait else {
                return StepOutcome(
                    step: step, status: .started, message: "\(mode.rawValue) issued; not waiting (--no-wait)",
                    code: StepCode.notWaiting, requestID: requestID)
            }
            global = try await read()
        }
        return try await awaitWriter(step, target: target, global: global, requestID: requestID, read: read, say: say)
    }

    /// Whether a failed call may still have been acted on: the request was sent and the answer was an error from the
    /// server's side, a timeout, or unreadable. Throttling and errors before sending were not acted on.
    static func mayHaveActed(_ error: AWSError) -> Bool {
        switch error.kind {
        case .credentials, .invalidRequest: false
        case .malformedResponse: true
        case .service, .transport, .timeout: RetryClassifier.verdict(for: error) == .ambiguous
        }
    }

    /// Waits until the target is the writer and no failover is under way.
    func awaitWriter(
        _ step: Step, target: ClusterARN, global first: GlobalDatabase, requestID: String?,
        read: @Sendable () async throws -> GlobalDatabase, say: @Sendable (String) -> Void
    ) async throws -> StepOutcome {
        var global = first
        while true {
            let state = global.failoverState?.status ?? ""
            if state.isEmpty, global.writer?.dbClusterArn == step.resource {
                return StepOutcome(step: step, status: .done, message: "\(target.clusterID) is the writer", requestID: requestID)
            }
            if state.isEmpty, requestID == nil {
                // We were waiting on a promotion issued earlier; it ended without making the target the writer.
                throw StepFailure(
                    code: StepCode.promotionEnded,
                    message: "the promotion under way ended without making \(target.clusterID) the writer; plan again")
            }
            say(
                "  waiting: global cluster \(global.status)\(state.isEmpty || state == global.status ? "" : ", failover \(state)"); writer \(global.writer.map { ClusterARN($0.dbClusterArn)?.region ?? $0.dbClusterArn } ?? "none")"
            )
            try await Task.sleep(for: options.pollInterval)
            global = try await read()
        }
    }

    /// After a promotion call whose answer is unknown: wait for the promotion when AWS shows it, else stop here.
    func settleAmbiguous(
        _ step: Step, mode: PromotionMode, target: ClusterARN, cause: AWSError,
        read: @Sendable () async throws -> GlobalDatabase, say: @Sendable (String) -> Void
    ) async throws -> StepOutcome {
        let global: GlobalDatabase
        do {
            global = try await read()
        } catch {
            throw StepFailure(
                code: StepCode.promotionUnobservable, pending: true,
                message: "the \(mode.rawValue) call's answer was lost (\(cause)) and the global cluster cannot be read (\(error)); "
                    + "not re-sending: run again once RDS in \(target.region) answers", awsError: cause)
        }
        let underWay = global.failoverState?.status.map { !$0.isEmpty } ?? false
        let towardTarget = underWay && global.failoverState?.toDBClusterArn == step.resource
        if mode == .detach, let cluster = try? await cloud.dbCluster(target), cluster.globalClusterIdentifier == nil {
            return try await awaitDetached(step, target: target, requestID: cause.requestID, say: say)
        }
        guard mode != .detach, towardTarget || global.writer?.dbClusterArn == step.resource else {
            throw StepFailure(
                code: StepCode.promotionAmbiguous, pending: true,
                message: "the \(mode.rawValue) call's answer was lost (\(cause)) and RDS shows no promotion of \(target.clusterID); "
                    + "not re-sending within this pass: the next pass re-reads and decides", awsError: cause)
        }
        guard options.wait else {
            return StepOutcome(
                step: step, status: .started, message: "\(mode.rawValue) under way; not waiting (--no-wait)",
                code: StepCode.notWaiting, requestID: cause.requestID)
        }
        say("  RDS shows the \(mode.rawValue) under way; waiting for it")
        return try await awaitWriter(step, target: target, global: global, requestID: cause.requestID ?? "unknown", read: read, say: say)
    }

    func awaitDetached(_ step: Step, target: ClusterARN, requestID: String?, say: @Sendable (String) -> Void) async throws -> StepOutcome {
        while true {
            if let cluster = try await cloud.dbCluster(target), cluster.globalClusterIdentifier == nil, cluster.status == "available" {
                return StepOutcome(step: step, status: .done, message: "\(target.clusterID) is detached and writes standalone", requestID: requestID)
            }
            guard options.wait else {
                return StepOutcome(
                    step: step, status: .started, message: "detach issued; not waiting (--no-wait)", code: StepCode.notWaiting,
                    requestID: requestID)
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
            return StepOutcome(step: step, status: .alreadyDone, message: "\(step.resource) is already \(current.rawValue)")
        }
        try announce(step, app: app)
        let requestID = try await cloud.setBucketAccess(bucket: step.resource, region: step.region, blocked: blocked)
        record(step, app: app, requestID: requestID)
        return StepOutcome(step: step, status: .done, message: "\(step.resource) is \(blocked ? "blocked" : "open")", requestID: requestID)
    }

    func reorder(_ step: Step, app: Application) async throws -> StepOutcome {
        guard let cloudfront = app.spec.cloudfront, let primary = step.originOrder?.first else {
            throw ReconcileError("reorder step without an origin")
        }
        try announce(step, app: app)
        let requestID = try await cloud.reorderOriginGroup(
            distributionID: cloudfront.distributionID, groupID: cloudfront.originGroupID, primary: primary)
        record(step, app: app, requestID: requestID)
        guard requestID != nil else {
            return StepOutcome(step: step, status: .alreadyDone, message: "\(primary) is already first")
        }
        // CloudFront deploys for minutes; the other steps never wait for it. Status shows it converging.
        return StepOutcome(step: step, status: .started, message: "\(primary) is first; CloudFront is deploying the change", requestID: requestID)
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
    /// A stable code (docs/OUTPUT.md).
    public var code: String
    public init(_ description: String, code: String = StepCode.failed) {
        self.description = description
        self.code = code
    }
}

/// A step that could not finish, with its stable code and the AWS error behind it.
struct StepFailure: Error, Sendable {
    var code: String
    /// Pending (the next pass retries it) rather than failed.
    var pending = false
    var message: String
    var awsErrorCode: String?
    var requestID: String?

    init(code: String, pending: Bool = false, message: String, awsError: AWSError? = nil) {
        self.code = code
        self.pending = pending
        self.message = message
        self.awsErrorCode = awsError?.code
        self.requestID = awsError?.requestID
    }
}

/// The stable codes of step outcomes (docs/OUTPUT.md). Codes are added, never renamed.
public enum StepCode {
    /// RDS answered the promotion with an error (e.g. `InvalidDBClusterStateFault`): nothing was promoted.
    public static let promotionRefused = "promotion-refused"
    /// The promotion's answer was lost (5xx, timeout, garbled) and RDS shows no promotion: not re-sent.
    public static let promotionAmbiguous = "promotion-ambiguous"
    /// The promotion's answer was lost and the global cluster cannot be read to tell what happened.
    public static let promotionUnobservable = "promotion-unobservable"
    /// A promotion toward another cluster is under way.
    public static let promotionElsewhere = "promotion-elsewhere"
    /// The promotion being waited on ended without making the target the writer.
    public static let promotionEnded = "promotion-ended"
    /// The control plane did not answer; retried on the next pass.
    public static let awsUnavailable = "aws-unavailable"
    /// The writer could not be read when the plan was made: traffic and fencing wait for the next pass.
    public static let writerUnknown = "writer-unknown"
    /// AWS refused the call.
    public static let awsRefused = "aws-refused"
    /// A step this one depends on has not finished.
    public static let waitingOnDependency = "waiting-on-dependency"
    /// The call's `calling` row could not be committed, so the call was not made.
    public static let journalUnwritable = "journal-unwritable"
    /// This host's lease on the app expired or was taken over before the call: not made.
    public static let leaseLost = "lease-lost"
    /// Another host holds the app's lease: it is acting, this host waits.
    public static let leaseHeld = "lease-held"
    /// The lock table could not be read or written: not acting without it.
    public static let lockUnavailable = "lock-unavailable"
    /// Issued without waiting (`--no-wait`).
    public static let notWaiting = "not-waiting"
    /// The step did not finish within its time limit.
    public static let timeout = "step-timeout"
    /// Any other failure.
    public static let failed = "step-failed"
}

extension Duration {
    /// The duration in seconds, for progress lines and JSON.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Runs `body`, throwing `ReconcileError(message)` if it takes longer than `limit` (and cancelling it).
public func withTimeLimit<T: Sendable>(
    _ limit: Duration, _ message: @autoclosure () -> String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let message = message()
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw ReconcileError(message, code: StepCode.timeout)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
