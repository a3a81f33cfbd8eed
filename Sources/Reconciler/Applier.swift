import AWS
import Basics
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
    public var code: Code?
    /// The AWS error code, when AWS answered with one.
    public var awsErrorCode: String?
    public var requestID: String?
    public var seconds: Double
    /// Whether the outcome blocks the app (verdict `blocked`): AWS refused the change, or what it needs never came.
    /// Not in JSON (the verdict and the code say it).
    public var blocks = false

    enum CodingKeys: String, CodingKey { case step, status, message, code, awsErrorCode, requestID, seconds }

    public init(
        step: Step, status: Status, message: String, code: Code? = nil, awsErrorCode: String? = nil,
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

/// Runs a plan's steps in dependency order, each as soon as the steps it depends on are done, side by side
/// otherwise; every kind re-observes before its mutating call, so that a re-run, or a run after a crash, never
/// repeats a promotion.
public struct Applier: Sendable {
    public let kinds: ResourceKinds
    /// Every AWS call of the kinds goes through it.
    public let calls: any CallGate
    public let options: ApplyOptions
    public let progress: @Sendable (ProgressEvent) -> Void
    /// Called just before and after each mutating call: the journal's hook. When it throws for the `calling` event,
    /// the call is not made: no mutating call goes unrecorded.
    public let journal: @Sendable (JournalEvent) throws -> Void

    public init(
        kinds: ResourceKinds, calls: any CallGate = DirectCalls(), options: ApplyOptions = ApplyOptions(),
        progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in },
        journal: @escaping @Sendable (JournalEvent) throws -> Void = { _ in }
    ) {
        self.kinds = kinds
        self.calls = calls
        self.options = options
        self.progress = progress
        self.journal = journal
    }

    /// Applies the plan's steps for `app`; a blocked plan does nothing. A step runs only when every step it depends on
    /// finished; otherwise it stays pending with `waiting-on-dependency`. Outcomes come back in the plan's order.
    public func apply(_ plan: AppPlan, for app: Application) async -> [StepOutcome] {
        guard plan.blockers.isEmpty else { return [] }
        let clock = ContinuousClock()
        let start = clock.now
        let ids = Set(plan.steps.map(\.id))
        var decided: [String: StepOutcome] = [:]
        var waiting = plan.steps
        await withTaskGroup(of: StepOutcome.self) { group in
            var running = 0
            while true {
                // Start every step whose dependencies are decided (or are not in the plan).
                let ready = waiting.filter { $0.dependsOn.allSatisfy { decided[$0] != nil || !ids.contains($0) } }
                waiting.removeAll { step in ready.contains { $0.id == step.id } }
                for step in ready {
                    let unmet = step.dependsOn.lazy.compactMap { decided[$0] }.first { !$0.isFinished }
                    running += 1
                    group.addTask { await self.run(step, unmet: unmet, inProgress: plan.inProgress, app: app, clock: clock, start: start) }
                }
                guard running > 0, let outcome = await group.next() else { break }
                running -= 1
                decided[outcome.step.id] = outcome
            }
        }
        // A step left waiting depends on itself through others: never run it.
        for step in waiting {
            decided[step.id] = StepOutcome(
                step: step, status: .failed, message: "its dependencies form a cycle (\(step.dependsOn.joined(separator: ", ")))",
                code: StepCode.failed)
        }
        return plan.steps.compactMap { decided[$0.id] }
    }

    func run(
        _ step: Step, unmet: StepOutcome?, inProgress: [String], app: Application, clock: ContinuousClock, start: ContinuousClock.Instant
    ) async -> StepOutcome {
        let stepStart = clock.now
        let say: @Sendable (String) -> Void = { [progress] message in
            progress(ProgressEvent(app: app.name, message: message, elapsed: clock.now - start))
        }
        var outcome: StepOutcome
        if step.phase == .release, !inProgress.isEmpty {
            // Lowering waits until AWS finished what moves users away (a CloudFront deployment).
            outcome = StepOutcome(
                step: step, status: .pending, message: "waits until AWS finishes: \(inProgress.joined(separator: "; "))",
                code: StepCode.waitingOnDeployment)
        } else if let unmet {
            // A step AWS accepted and finishes by itself (a CloudFront deployment): the next pass runs this one.
            let deploying = unmet.status == .started && unmet.step.info.wait?.until == .inSync
            outcome = StepOutcome(
                step: step, status: .pending,
                message: "waits for \(unmet.step.summary) (\(unmet.status.rawValue)\(unmet.code.map { ": \($0)" } ?? ""))",
                code: deploying ? StepCode.waitingOnDeployment : StepCode.waitingOnDependency)
        } else {
            say("\(step.summary) [\(step.controlPlane)]")
            outcome = await act(step, app: app, say: say)
        }
        outcome.seconds = (clock.now - stepStart).seconds
        say("  \(outcome.status.rawValue): \(outcome.message)")
        return outcome
    }

    func act(_ step: Step, app: Application, say: @escaping @Sendable (String) -> Void) async -> StepOutcome {
        let context = StepContext(app: app.name, calls: calls, options: options, say: say, journal: journal)
        do {
            guard let kind = kinds.kind(named: step.kind) else {
                throw ReconcileError("no registered kind `\(step.kind)` carries out \(step.action)")
            }
            let limit = options.stepTimeout
            return try await withTimeLimit(limit, "\(step.summary) did not finish within \(DurationFormat.format(limit))") {
                try await kind.act(step, app, context)
            }
        } catch let failure as StepFailure {
            try? journal(JournalEvent(app: app.name, step: step, phase: .failed, requestID: failure.requestID, message: failure.message))
            var outcome = StepOutcome(
                step: step, status: failure.pending ? .pending : .failed, message: failure.message, code: failure.code,
                awsErrorCode: failure.awsErrorCode, requestID: failure.requestID)
            outcome.blocks = failure.blocks
            return outcome
        } catch let error as TimeLimitExceeded {
            try? journal(JournalEvent(app: app.name, step: step, phase: .failed, message: error.description))
            return StepOutcome(step: step, status: .failed, message: error.description, code: StepCode.timeout)
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

    /// Whether a failed call may still have been acted on: the request was sent and the answer was an error from the
    /// server's side, a timeout, or unreadable. Throttling and errors before sending were not acted on.
    public static func mayHaveActed(_ error: AWSError) -> Bool {
        switch error.kind {
        case .credentials, .invalidRequest: false
        case .malformedResponse: true
        case .service, .transport, .timeout: RetryClassifier.verdict(for: error) == .ambiguous
        }
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
    public var code: Code
    /// The error behind it, when there is one.
    public var cause: (any Error & Sendable)?
    public init(_ description: String, code: Code = StepCode.failed, cause: (any Error & Sendable)? = nil) {
        self.description = description
        self.code = code
        self.cause = cause
    }
}

/// A step that could not finish, with its stable code and the AWS error behind it.
public struct StepFailure: Error, Sendable {
    public var code: Code
    /// Pending (the next pass retries it) rather than failed.
    public var pending = false
    /// Blocks the app (verdict `blocked`) rather than leaving it failed or degraded.
    public var blocks = false
    public var message: String
    public var awsErrorCode: String?
    public var requestID: String?
    /// The AWS error behind it, when AWS answered.
    public var cause: AWSError?

    public init(code: Code, pending: Bool = false, blocks: Bool = false, message: String, awsError: AWSError? = nil) {
        self.code = code
        self.pending = pending
        self.blocks = blocks
        self.message = message
        self.awsErrorCode = awsError?.code
        self.requestID = awsError?.requestID
        self.cause = awsError
    }
}

/// The stable codes of step outcomes (docs/OUTPUT.md). Codes are added, never renamed.
public enum StepCode {
    /// RDS answered the promotion with an error (e.g. `InvalidDBClusterStateFault`): nothing was promoted.
    public static let promotionRefused: Code = "promotion-refused"
    /// The promotion's answer was lost (5xx, timeout, garbled) and RDS shows no promotion: not re-sent.
    public static let promotionAmbiguous: Code = "promotion-ambiguous"
    /// The promotion's answer was lost and the global cluster cannot be read to tell what happened.
    public static let promotionUnobservable: Code = "promotion-unobservable"
    /// A promotion toward another cluster is under way.
    public static let promotionElsewhere: Code = "promotion-elsewhere"
    /// The promotion being waited on ended without making the target the writer.
    public static let promotionEnded: Code = "promotion-ended"
    /// The control plane did not answer; retried on the next pass.
    public static let awsUnavailable: Code = "aws-unavailable"
    /// The writer could not be read when the plan was made: traffic and fencing wait for the next pass.
    public static let writerUnknown: Code = "writer-unknown"
    /// AWS refused the call.
    public static let awsRefused: Code = "aws-refused"
    /// A step this one depends on has not finished.
    public static let waitingOnDependency: Code = "waiting-on-dependency"
    /// A step this one depends on was accepted by AWS, which finishes it by itself (a CloudFront deployment): the next
    /// pass runs this one; the app is converging, not degraded.
    public static let waitingOnDeployment: Code = "waiting-on-deployment"
    /// The call's `calling` row could not be committed, so the call was not made.
    public static let journalUnwritable: Code = "journal-unwritable"
    /// This host's lease on the app expired or was taken over before the call: not made.
    public static let leaseLost: Code = "lease-lost"
    /// Another host holds the app's lease: it is acting, this host waits.
    public static let leaseHeld: Code = "lease-held"
    /// The lock table could not be read or written: not acting without it.
    public static let lockUnavailable: Code = "lock-unavailable"
    /// Issued without waiting (`--no-wait`).
    public static let notWaiting: Code = "not-waiting"
    /// The step did not finish within its time limit.
    public static let timeout: Code = "step-timeout"
    /// Any other failure.
    public static let failed: Code = "step-failed"
}
