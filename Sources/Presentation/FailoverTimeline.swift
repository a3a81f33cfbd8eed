import Basics
import Foundation
import Journaling
import Reconciler

/// One failover as the journal recorded it: each mutating call from its `calling` row to its answer, the waits AWS
/// took after them (the promotion, the CloudFront deployment), and when the app converged.
///
/// The console draws it as bars and `switchyard report` prints it; both read it from here, so they agree.
public struct FailoverTimeline: Sendable, Codable, Equatable {
    public var app: String
    public var commit: String
    /// The region the commit made active.
    public var activeRegion: String
    /// Calls and waits, in the order they started.
    public var steps: [TimedStep]
    /// The first `calling` row for the commit.
    public var firstActedAt: Date?
    /// The first pass that found the app converged at the commit (in sync, or AWS finishing work it accepted).
    public var convergedAt: Date?
    /// The first pass that found the app in sync at the commit: nothing left in AWS either.
    public var inSyncAt: Date?
    /// The app's last recorded verdict at the commit.
    public var lastVerdict: String?
    /// When this host first saw the app `diverged` before this commit's first call: the writer or traffic had been
    /// moved outside Git (a person's failover), which no call here made.
    public var movedOutsideGitAt: Date?

    /// One bar of the timeline.
    public struct TimedStep: Sendable, Codable, Equatable {
        /// `call` (a mutating AWS call, `calling` to `called`/`failed`) or `wait` (AWS finishing what a call started).
        public var kind: String
        /// The step's action, or for a wait what AWS goes on doing (its kind's wait name: `promotion`, …).
        public var action: String
        public var resource: String
        public var region: String
        /// The step's phase (`prepare`, `promoteData`, …), when the journal recorded it.
        public var phase: String? = nil
        public var startedAt: Date
        /// Nil while the call has not answered (or the process died during it).
        public var endedAt: Date?
        public var seconds: Double?
        /// `called`, `failed`, `unanswered`, or for a wait `finished` / `waiting`.
        public var outcome: String
        public var requestID: String?
        public var message: String?
    }

    /// When the timeline starts: the first step's start.
    public var startedAt: Date? { steps.map(\.startedAt).min() }

    /// When the timeline ends: convergence, or the last thing that happened.
    public var endedAt: Date? {
        ([inSyncAt, convergedAt] + steps.map { $0.endedAt ?? $0.startedAt }).compactMap { $0 }.max()
    }

    /// From the first action to convergence: the measured recovery time once the decision was made.
    public var secondsFromFirstActionToConverge: Double? {
        guard let firstActedAt, let convergedAt else { return nil }
        return convergedAt.timeIntervalSince(firstActedAt)
    }
}

extension Journal {
    /// The timeline of the app's failover at `commit`, or of the last commit the journal made calls for.
    /// - Returns: nil when the journal holds no call for the app (and commit).
    public func failoverTimeline(app: String, commit: String? = nil) throws(JournalError) -> FailoverTimeline? {
        // Only the rows of the one commit are read (indexed): the console asks this often, of journals of any length.
        guard let exact = try lastCommitWithCalls(app: app, matching: commit) else { return nil }
        var timeline = Self.timeline(
            app: app, commit: exact, calls: try calls(app: app, commit: exact), events: try appEvents(app: app, commit: exact))
        if let first = timeline?.startedAt, let before = try lastEvent(app: app, before: first), before.verdict == "diverged" {
            timeline?.movedOutsideGitAt = before.time
        }
        return timeline
    }

    /// The pure part of `failoverTimeline(app:commit:)`, for tests.
    static func timeline(app: String, commit wanted: String?, calls: [CallRecord], events: [AppEvent]) -> FailoverTimeline? {
        let matching = { (id: String?) -> Bool in
            guard let wanted, let id else { return false }
            return id == wanted || (wanted.count >= 7 && id.hasPrefix(wanted))
        }
        guard let last = wanted == nil ? calls.last : calls.last(where: { matching($0.commit) }), let commit = last.commit else {
            return nil
        }
        let region = last.activeRegion ?? ""
        let ours = calls.filter { $0.commit == commit }
        var steps: [FailoverTimeline.TimedStep] = []
        var open: [String: Int] = [:]
        for call in ours {
            let key = "\(call.action) \(call.resource)"
            switch call.phase {
            case "calling":
                open[key] = steps.count
                steps.append(
                    .init(
                        kind: "call", action: call.action, resource: call.resource, region: call.region, phase: call.stepPhase,
                        startedAt: call.time, outcome: "unanswered", message: call.message))
            default:
                if let index = open.removeValue(forKey: key) {
                    steps[index].endedAt = call.time
                    steps[index].seconds = call.time.timeIntervalSince(steps[index].startedAt)
                    steps[index].outcome = call.phase
                    steps[index].requestID = call.requestID
                    if call.message != nil { steps[index].message = call.message }
                } else {
                    // Failed before it was announced (a re-read refused, the lease lost): a point, not a bar.
                    steps.append(
                        .init(
                            kind: "call", action: call.action, resource: call.resource, region: call.region, phase: call.stepPhase,
                            startedAt: call.time, endedAt: call.time, seconds: 0, outcome: call.phase, requestID: call.requestID,
                            message: call.message))
                }
            }
        }
        let atCommit = events.filter { $0.commit == commit }
        let convergedAt = atCommit.first(where: \.converged)?.time
        let inSyncAt = atCommit.first { $0.verdict == "in sync" }?.time
        steps += waits(after: steps, convergedAt: convergedAt, inSyncAt: inSyncAt)
        steps.sort { $0.startedAt < $1.startedAt }
        return FailoverTimeline(
            app: app, commit: commit, activeRegion: region, steps: steps,
            firstActedAt: ours.first { $0.phase == "calling" }?.time, convergedAt: convergedAt, inSyncAt: inSyncAt,
            lastVerdict: atCommit.last?.verdict)
    }

    /// What AWS did after an answered call: a promotion or a capacity wait runs until the steps that depend on it start
    /// (steps of a later phase, which start only once it finished; a step beside it in its own phase does not end it) or
    /// the app converged; a CloudFront update deploys until the app is in sync.
    static func waits(after steps: [FailoverTimeline.TimedStep], convergedAt: Date?, inSyncAt: Date?) -> [FailoverTimeline.TimedStep] {
        steps.compactMap { step in
            guard step.outcome == "called", let answered = step.endedAt else { return nil }
            guard let wait = ResourceKinds.info(for: StepAction(step.action))?.wait else { return nil }
            let end: Date? =
                switch wait.until {
                case .dependents:
                    steps.filter { $0.startedAt > answered && dependsOn(step, $0) }.map(\.startedAt).min() ?? convergedAt
                case .inSync: inSyncAt
                }
            let action = wait.name
            let finished = end.flatMap { $0 >= answered ? $0 : nil }
            return .init(
                kind: "wait", action: action, resource: step.resource, region: step.region, phase: step.phase, startedAt: answered,
                endedAt: finished,
                seconds: finished.map { $0.timeIntervalSince(answered) }, outcome: finished == nil ? "waiting" : "finished")
        }
    }

    /// Whether `later` waited for `step`: its phase comes after step's. Without phases (rows from before journal v3),
    /// any later step counts.
    static func dependsOn(_ step: FailoverTimeline.TimedStep, _ later: FailoverTimeline.TimedStep) -> Bool {
        guard let phase = step.phase.flatMap(Phase.init(rawValue:)), let laterPhase = later.phase.flatMap(Phase.init(rawValue:)) else {
            return true
        }
        return laterPhase.after.contains(phase)
    }
}
