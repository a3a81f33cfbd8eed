import Basics
import Foundation
import Mustache

/// `switchyard report --format html`: the console's timeline and the report's table as one self-contained file (style
/// inline, no script, no external asset) to attach to a post-incident review.
public enum FailoverReportHTML {
    public static func render(_ report: FailoverReport, generatedAt: Date = Date()) -> String {
        ConsoleTemplates.library.render(View(report, generatedAt: generatedAt), withTemplate: "report") ?? ""
    }

    struct View {
        var app: String
        var activeRegion: String
        var generatedAt: String
        var commit: String
        var subject: String
        var author: String
        var committer: String
        var committedAt: String
        var signature: String
        var timeToFirstAction: String
        var timeToConverge: String
        var lastVerdict: String
        var timeline: TimelineView
        var steps: [Row]
        var hasPending: Bool
        var pending: [String]

        struct Row {
            var action: String
            var resource: String
            var region: String
            var start: String
            var end: String
            var duration: String
            var requestID: String
            var outcome: String
            var message: String?
        }

        init(_ report: FailoverReport, generatedAt: Date) {
            app = report.app
            activeRegion = report.activeRegion
            self.generatedAt = Timestamp.format(generatedAt)
            commit = report.commit
            subject = report.subject
            author = "\(report.author) <\(report.authorEmail)>"
            committer = report.committer
            committedAt = Timestamp.format(report.committedAt)
            signature = FailoverReportRenderer.signatureWords(report)
            timeToFirstAction = FailoverReportRenderer.time(report.firstActedAt, report.secondsToFirstAction)
            timeToConverge = FailoverReportRenderer.time(report.convergedAt, report.secondsToConverge)
            lastVerdict = report.lastVerdict ?? "none recorded"
            timeline = TimelineView(report.timeline, decidedAt: report.decidedAt, now: report.timeline.endedAt ?? generatedAt)
            steps = report.steps.map { step in
                Row(
                    action: step.kind == "wait" ? "wait: \(TimelineView.label(step))" : step.action, resource: step.resource,
                    region: step.region, start: Timestamp.format(step.startedAt), end: step.endedAt.map(Timestamp.format) ?? "—",
                    duration: step.seconds.map(FailoverReportRenderer.seconds) ?? "—", requestID: step.requestID ?? "",
                    outcome: step.outcome, message: step.message)
            }
            pending = report.pending
            hasPending = !pending.isEmpty
        }
    }
}
