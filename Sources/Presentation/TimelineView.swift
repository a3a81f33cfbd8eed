import Basics
import Foundation
import Reconciler

/// A failover timeline laid out for the `timeline` template: each step a bar placed in percent of the whole span.
struct TimelineView {
    var app: String
    var commit: String
    var activeRegion: String
    var firstActedAt: String?
    /// From the first action to convergence, in words; nil while not converged.
    var rto: String?
    /// The time to converge (RTO) as `history` and `report` define it: from the commit that decided the failover;
    /// nil when that commit is not known here or the app has not converged.
    var timeToConverge: String?
    var inSync: String?
    var origin: String
    var span: String
    var bars: [Bar]

    struct Bar {
        var action: String
        var label: String
        var region: String
        var kind: String
        var outcomeClass: String
        var left: String
        var width: String
        var duration: String
        var title: String
    }

    /// - Parameter decidedAt: the committer time of the commit that changed `activeRegion` (the RTO's start), when known.
    init(_ timeline: FailoverTimeline, decidedAt: Date? = nil, now: Date = Date()) {
        app = timeline.app
        commit = String(timeline.commit.prefix(12))
        activeRegion = timeline.activeRegion
        firstActedAt = timeline.firstActedAt.map(Timestamp.format)
        rto = timeline.secondsFromFirstActionToConverge.map(Self.seconds)
        if let decidedAt, let convergedAt = timeline.convergedAt { timeToConverge = Self.seconds(convergedAt.timeIntervalSince(decidedAt)) }
        inSync = timeline.inSyncAt.map(Timestamp.format)
        let start = timeline.startedAt ?? now
        // An unfinished step runs to now: the bar grows while the console watches.
        let end = max(timeline.endedAt ?? now, timeline.steps.contains { $0.endedAt == nil } ? now : start)
        let total = max(end.timeIntervalSince(start), 0.001)
        origin = Timestamp.format(start)
        span = Self.seconds(total)
        bars = timeline.steps.map { step in
            let stepEnd = step.endedAt ?? now
            let left = step.startedAt.timeIntervalSince(start) / total * 100
            let width = max(stepEnd.timeIntervalSince(step.startedAt), 0) / total * 100
            let running = step.endedAt == nil
            return Bar(
                action: step.action, label: Self.label(step), region: step.region, kind: step.kind,
                outcomeClass: step.outcome == "failed" ? "failed" : running ? "open" : "",
                left: String(format: "%.2f", min(left, 100)), width: String(format: "%.2f", min(width, 100 - min(left, 100))),
                duration: running ? "\(Self.seconds(stepEnd.timeIntervalSince(step.startedAt))) so far" : Self.seconds(step.seconds ?? 0),
                title: "\(step.resource) \(step.outcome)\(step.requestID.map { " request \($0)" } ?? "")")
        }
    }

    /// What a person calls the step.
    static func label(_ step: FailoverTimeline.TimedStep) -> String {
        if step.kind == "wait" {
            return ResourceKinds.registered.lazy.flatMap { $0.actions }.compactMap(\.wait).first { $0.name == step.action }?.label ?? step.action
        }
        return ResourceKinds.info(for: StepAction(step.action))?.label ?? step.action
    }

    static func seconds(_ value: Double) -> String { FailoverReportRenderer.seconds(value) }
}
