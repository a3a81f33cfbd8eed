import Basics
import Foundation
import GitSource

/// The execution report of one failover, from Git (who, when, signed or not) and the journal (what was called, when,
/// with which request id, and when the app converged): `switchyard report`.
public struct FailoverReport: Sendable, Encodable {
    public var schemaVersion = 1
    public var app: String
    public var commit: String
    public var subject: String
    public var author: String
    public var authorEmail: String
    public var committer: String
    /// The committer time: when the change was committed, or merged (a merge commit's committer time).
    public var committedAt: Date
    /// Whether the commit carries a signature (`gpgsig`); which keys are trusted is the host's `--allowed-signers`.
    public var signed: Bool
    /// The signature checked against an allowed signers file, when one was given: `valid by PRINCIPAL (FINGERPRINT)`,
    /// `unsigned`, `untrusted key …`, `invalid: …`.
    public var signature: String?
    public var activeRegion: String
    /// The commit that changed `activeRegion` to this region: the decision the RTO is measured from, as `history`
    /// measures it (the same as `commit`, unless a later commit re-applied it, e.g. with an override trailer).
    public var decisionCommit: String
    public var decidedAt: Date
    /// `Switchyard-Override:` trailers of the commit applied, with who made them and when (the commit's author and time).
    public var overrides: [String]
    /// When this host first saw the writer or traffic moved outside Git before acting (see `FailoverTimeline`).
    public var movedOutsideGitAt: Date?
    public var firstActedAt: Date?
    public var convergedAt: Date?
    public var inSyncAt: Date?
    /// From the decision to the first mutating call.
    public var secondsToFirstAction: Double?
    /// From the decision (the commit that changed `activeRegion`) to the first pass that found the app converged: the
    /// measured RTO, the one definition `history`, `report` and the console share.
    public var secondsToConverge: Double?
    public var lastVerdict: String?
    public var steps: [FailoverTimeline.TimedStep]
    /// What did not finish: calls without an answer, failed calls, waits still running.
    public var pending: [String]
    /// The journal's timeline the report was made from.
    public let timeline: FailoverTimeline

    enum CodingKeys: String, CodingKey {
        case schemaVersion, app, commit, subject, author, authorEmail, committer, committedAt, signed, signature, activeRegion,
            decisionCommit, decidedAt, overrides, movedOutsideGitAt, firstActedAt, convergedAt, inSyncAt, secondsToFirstAction,
            secondsToConverge, lastVerdict, steps, pending
    }

    /// - Parameter decision: the commit that changed `activeRegion` to the timeline's region (default: `commit`).
    public init(timeline: FailoverTimeline, commit: CommitInfo, signed: Bool, signature: String? = nil, decision: CommitInfo? = nil) {
        self.signature = signature
        self.timeline = timeline
        app = timeline.app
        self.commit = commit.id.hex
        subject = commit.subject
        author = commit.author.name
        authorEmail = commit.author.email
        committer = commit.committer.name
        committedAt = commit.committer.time
        self.signed = signed
        activeRegion = timeline.activeRegion
        firstActedAt = timeline.firstActedAt
        convergedAt = timeline.convergedAt
        inSyncAt = timeline.inSyncAt
        let decided = decision ?? commit
        decisionCommit = decided.id.hex
        decidedAt = decided.committer.time
        overrides = commit.trailer("Switchyard-Override").map {
            "Switchyard-Override: \($0), by \(commit.author.name) <\(commit.author.email)> at \(Timestamp.format(commit.committer.time))"
        }
        movedOutsideGitAt = timeline.movedOutsideGitAt
        secondsToFirstAction = timeline.firstActedAt.map { $0.timeIntervalSince(decided.committer.time) }
        secondsToConverge = timeline.convergedAt.map { $0.timeIntervalSince(decided.committer.time) }
        lastVerdict = timeline.lastVerdict
        steps = timeline.steps
        pending = timeline.steps.compactMap { step in
            switch step.outcome {
            case "called", "finished": nil
            case "unanswered": "\(step.action) \(step.resource) in \(step.region): called at \(Timestamp.format(step.startedAt)), no answer recorded"
            case "waiting": "\(step.action) \(step.resource): still under way"
            default: "\(step.action) \(step.resource) in \(step.region): \(step.outcome)\(step.message.map { ": \($0)" } ?? "")"
            }
        }
        if timeline.convergedAt == nil {
            pending.append("the app has not converged at this commit (last verdict: \(timeline.lastVerdict ?? "none"))")
        }
    }
}

/// `switchyard report`'s text and markdown forms (the HTML form is the console's timeline, in SwitchyardService).
public enum FailoverReportRenderer {
    public static func text(_ report: FailoverReport) -> String {
        var out = "Failover of \(report.app) to \(report.activeRegion) at \(report.commit.prefix(12))\n"
        out += "  \(report.subject)\n"
        out += "  author     \(report.author) <\(report.authorEmail)>\n"
        out += "  committed  \(Timestamp.format(report.committedAt)) by \(report.committer) (\(signatureWords(report)))\n"
        if report.decisionCommit != report.commit {
            out +=
                "  decided    \(Timestamp.format(report.decidedAt)) at \(report.decisionCommit.prefix(12)) (the activeRegion change; times below count from it)\n"
        }
        for item in report.overrides { out += "  override   \(item)\n" }
        if let outside = report.movedOutsideGitAt {
            out += "  outside Git  \(Timestamp.format(outside)): the writer or traffic was moved by hand, not by Switchyard (held as diverged)\n"
        }
        out += "  first action  \(time(report.firstActedAt, report.secondsToFirstAction))\n"
        out += "  converged     \(time(report.convergedAt, report.secondsToConverge))  <- time to converge (RTO)\n"
        if let inSync = report.inSyncAt { out += "  in sync       \(Timestamp.format(inSync))\n" }
        out += "\n  step                     region      start                 duration  request id / outcome\n"
        for step in report.steps {
            let name = "\(step.kind == "wait" ? "  wait: " : "")\(step.action)"
            out +=
                "  \(pad(name, 24)) \(pad(step.region, 11)) \(Timestamp.format(step.startedAt))  \(pad(step.seconds.map(seconds) ?? "-", 8))  "
                + "\(step.requestID ?? "") \(step.outcome)\n"
        }
        for item in report.pending { out += "  PENDING  \(item)\n" }
        return out
    }

    public static func markdown(_ report: FailoverReport) -> String {
        var out = "### Failover of `\(report.app)` to `\(report.activeRegion)`\n\n"
        out += "| | |\n|---|---|\n"
        out += "| commit | `\(report.commit.prefix(12))` \(escape(report.subject)) |\n"
        out += "| author | \(escape(report.author)) |\n"
        out += "| committed | \(Timestamp.format(report.committedAt)) by \(escape(report.committer)) (\(escape(signatureWords(report)))) |\n"
        if report.decisionCommit != report.commit {
            out +=
                "| decided | \(Timestamp.format(report.decidedAt)) at `\(report.decisionCommit.prefix(12))` (the activeRegion change; times count from it) |\n"
        }
        for item in report.overrides { out += "| override | \(escape(item)) |\n" }
        if let outside = report.movedOutsideGitAt {
            out += "| outside Git | \(Timestamp.format(outside)): the writer or traffic was moved by hand, not by Switchyard |\n"
        }
        out += "| time to first action | \(time(report.firstActedAt, report.secondsToFirstAction)) |\n"
        out += "| **time to converge (RTO)** | **\(time(report.convergedAt, report.secondsToConverge))** |\n\n"
        out += "| step | region | start | duration | AWS request id | outcome |\n|---|---|---|---|---|---|\n"
        for step in report.steps {
            let name = step.kind == "wait" ? "_wait: \(step.action)_" : "`\(step.action)` \(escape(step.resource))"
            out +=
                "| \(name) | \(step.region) | \(Timestamp.format(step.startedAt)) | \(step.seconds.map(seconds) ?? "—") | "
                + "\(step.requestID.map { "`\($0)`" } ?? "") | \(step.outcome) |\n"
        }
        if !report.pending.isEmpty {
            out += "\n**Left pending**\n\n" + report.pending.map { "- \(escape($0))\n" }.joined()
        }
        return out
    }

    /// The signature as checked, or only whether there is one.
    public static func signatureWords(_ report: FailoverReport) -> String {
        report.signature ?? (report.signed ? "signed; not checked: no allowed signers were given" : "unsigned")
    }

    /// A time and its offset from the commit, or "not recorded".
    public static func time(_ date: Date?, _ interval: Double?) -> String {
        guard let date, let interval else { return "not recorded" }
        return "\(Timestamp.format(date)) (+\(seconds(interval)))"
    }

    /// Seconds for people: `0.4 s`, `12.0 s`, `3 min 05 s`.
    public static func seconds(_ value: Double) -> String {
        if value < 120 { return String(format: "%.1f s", value) }
        let whole = Int(value.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
