import Journaling
import Basics
import Foundation
import GitSource
import Mustache
import Reconciler

/// What the console shows, from the last pass's plan document, its commit and the journal's timelines.
///
/// Everything here is rendered through Mustache, which escapes it for HTML. No repository URL, credential or
/// environment value is carried: only commit ids, names the desired state declares, and AWS's answers.
public struct ConsoleView {
    var commit: String
    var author: String?
    var committedAt: String?
    var subject: String?
    var ready: Bool
    var readiness: String
    var refusal: String?
    var now: String
    var apps: [App]

    struct App {
        var name: String
        var activeRegion: String
        var verdict: String
        var verdictWords: String
        var verdictClass: String
        /// Set while a pass carries out a newer commit than the one the plan document is for.
        var underWay: String?
        var code: String?
        /// Each kind's live facts (the writer, the serving origin, …).
        var live: [LiveLine]
        var blockers: [Blocker]
        var planWarnings: [String]
        var unobserved: [String]
        var inProgress: [String]
        var hasSteps: Bool
        var steps: [StepRow]
        var hasChecks: Bool
        var checks: [Check]
        var timeline: TimelineView?
        /// Whether it can fail over to each other region now, or what stands in the way.
        var failover: [FailoverLine]
    }

    struct FailoverLine {
        var app: String
        var region: String
        var ready: Bool
        var words: String
        var problems: [String]
    }

    /// What a running pass is doing for an app now.
    public struct Acting: Sendable {
        public var commit: String
        public var activeRegion: String
        public var step: String

        public init(commit: String, activeRegion: String, step: String) {
            self.commit = commit
            self.activeRegion = activeRegion
            self.step = step
        }
    }

    struct StepRow {
        var summary: String
        var region: String
        var state: String
        var code: String?
        var reason: String
    }

    /// - Parameters:
    ///   - document: the last finished pass's plan document; nil before the first.
    ///   - ready: `/readyz`'s answer, and `reason` its words.
    ///   - timelines: each app's current or last failover, from the journal.
    ///   - lastPassAt: when the last pass finished: calls journaled after it belong to a pass still running.
    public init(
        document: PlanDocument?, commit: CommitInfo?, ready: Bool, reason: String, refusal: Refusal?,
        timelines: [String: FailoverTimeline], lastPassAt: Date?, acting: [String: Acting] = [:],
        failover: [String: [FailoverReadiness]] = [:], now: Date = Date()
    ) {
        self.commit = commit?.id.short ?? document.map { String($0.commit.prefix(12)) } ?? "none yet"
        author = commit.map { "\($0.author.name) <\($0.author.email)>" }
        committedAt = commit.map { Timestamp.format($0.committer.time) }
        subject = commit?.subject
        self.ready = ready
        readiness = (ready ? "ready: " : "not ready: ") + reason
        self.refusal = refusal.map { "\(String($0.commit.prefix(12))) \($0.kind.rawValue): \($0.reason)" }
        self.now = Timestamp.format(now)
        apps = (document?.apps ?? []).map { app in
            let outcomes = Dictionary((app.outcomes ?? []).map { ($0.step.id, $0) }, uniquingKeysWith: { _, last in last })
            let rows = app.steps.map { step in
                let outcome = outcomes[step.id]
                let state = outcome.map { "\($0.status.rawValue)\($0.awsErrorCode.map { " (\($0))" } ?? ""): \($0.message)" } ?? "pending"
                return StepRow(summary: step.summary, region: step.region, state: state, code: outcome?.code?.rawValue, reason: step.reason)
            }
            let verdictClass =
                switch app.verdict {
                case .inSync: "good"
                case .blocked, .failed, .degraded, .stale, .diverged: "bad"
                default: ""
                }
            // The plan document is the last finished pass's; calls journaled since for a newer commit mean a pass is
            // carrying it out now.
            let timeline = timelines[app.name]
            let underWay = timeline.flatMap { timeline -> FailoverTimeline? in
                let latest = timeline.steps.map(\.startedAt).max() ?? .distantPast
                let running = timeline.commit != document?.commit && timeline.convergedAt == nil && latest > (lastPassAt ?? .distantPast)
                return running ? timeline : nil
            }
            // What the pass is doing now (kept in memory as it journals) says most; the journal's timeline otherwise.
            let doing = acting[app.name]
            let target = doing?.activeRegion ?? underWay?.activeRegion
            let underWayNote =
                doing.map {
                    "Failover to \($0.activeRegion) under way at \($0.commit.prefix(12)): \($0.step). Live state below is from the last finished pass."
                }
                ?? underWay.map {
                    "A pass is applying \($0.commit.prefix(12)) now; the regions and steps below are from the last finished pass."
                }
            return App(
                name: app.name, activeRegion: target.map { "\($0) (failover under way)" } ?? app.activeRegion, verdict: app.verdict.rawValue,
                verdictWords: target.map { "failover to \($0) under way" }
                    ?? app.verdict.words(activeRegion: app.activeRegion, steps: app.steps, live: app.live),
                verdictClass: target == nil ? verdictClass : "",
                underWay: underWayNote, code: app.code?.rawValue, live: app.live.lines,
                blockers: app.blockers, planWarnings: app.warnings, unobserved: app.unobserved, inProgress: app.inProgress,
                hasSteps: !rows.isEmpty, steps: rows, hasChecks: !app.checks.isEmpty, checks: app.checks,
                timeline: timeline.map { line in
                    TimelineView(line, decidedAt: commit.flatMap { $0.id.hex == line.commit ? $0.committer.time : nil }, now: now)
                },
                failover: (failover[app.name] ?? []).map { report in
                    FailoverLine(
                        app: app.name, region: report.target, ready: report.ready,
                        words: (report.ready ? "ready to fail over to \(report.target)" : "not ready to fail over to \(report.target)")
                            + " (checked \(Timestamp.format(report.checkedAt)))",
                        problems: report.problems.map { "[\($0.code)] \($0.reading)\($0.remedy.map { " — \($0)" } ?? "")" })
                })
        }
    }

    /// The live part, which the page's script swaps in every few seconds.
    public func fragment() -> String { ConsoleTemplates.library.render(self, withTemplate: "console") ?? "" }

    /// The whole page.
    public func page() -> String { ConsoleTemplates.library.render(self, withTemplate: "page") ?? "" }
}
