import Basics
import Foundation
import GitSource
import Journaling
import Presentation
import Reconciler

/// What the service knows right now, for `/readyz`, `/api/status` and the exit code of `--once`.
public actor ServiceStatus {
    /// When the repository was last read (and fetched, for a remote) successfully.
    public private(set) var fetchedAt: Date?
    /// The last finished pass.
    public private(set) var lastPass: PassReport?
    /// The last plans and results, per app.
    public private(set) var document: PlanDocument?
    /// Why the last candidate commit was refused or not applied (invalid, gate), with its id.
    public private(set) var refusal: Refusal?
    /// The commit of the last pass that read one: who made it and when, for the console.
    public private(set) var commit: CommitInfo?
    /// Per app, what the running pass is doing in AWS now (its last journaled call); empty between passes.
    public private(set) var acting: [String: Acting] = [:]
    /// Each app's current or last failover, kept by the loop as the journal changes, so that the console never reads
    /// the journal per request.
    public private(set) var timelines: [String: FailoverTimeline] = [:]
    /// Per app, whether it can fail over to each region now: the last readiness evaluation.
    public private(set) var failover: [String: [FailoverReadiness]] = [:]

    /// A call a running pass made, for the screens: which commit, toward which region, which step, since when.
    public struct Acting: Sendable, Equatable {
        public var commit: String
        public var activeRegion: String
        public var step: String
        public var since: Date
    }

    public init() {}

    func fetched(at time: Date) { fetchedAt = time }

    func finished(_ report: PassReport, document: PlanDocument?, refusal: Refusal?, commit: CommitInfo? = nil) {
        lastPass = report
        if let commit, document != nil { self.commit = commit }
        if let document { self.document = document }
        self.refusal = refusal
        acting = [:]
    }

    func calling(_ record: CallRecord, step: String) {
        // A row delivered after its pass finished is not work under way.
        guard let commit = record.commit, record.passID.map({ $0 > (lastPass?.id ?? 0) }) ?? true else { return }
        let since = acting[record.app].flatMap { $0.commit == commit ? $0.since : nil } ?? record.time
        acting[record.app] = Acting(commit: commit, activeRegion: record.activeRegion ?? "?", step: step, since: since)
    }

    func timeline(_ timeline: FailoverTimeline?, app: String) { timelines[app] = timeline }

    func evaluated(_ reports: [FailoverReadiness]) {
        failover = Dictionary(grouping: reports, by: \.app)
    }

    /// 200 when the repository was fetched and the last pass converged; otherwise why not. While a pass carries out
    /// a change, not ready: the words name the commit, the region it makes active and the step under way.
    public func readiness() -> Readiness {
        if !acting.isEmpty {
            let words = acting.sorted { $0.key < $1.key }.map { app, work in
                "\(app): failover to \(work.activeRegion) under way (commit \(work.commit.prefix(12)), since \(Timestamp.format(work.since))): "
                    + "\(work.step)"
            }
            return Readiness(ready: false, reason: words.joined(separator: "; "))
        }
        guard fetchedAt != nil else {
            return Readiness(
                ready: false, reason: lastPass?.error.map { "the repository was never read: \($0)" } ?? "the repository was not read yet")
        }
        guard let lastPass else { return Readiness(ready: false, reason: "no pass has finished yet") }
        if lastPass.outcome.isReady { return Readiness(ready: true, reason: "converged to \(lastPass.commit ?? "?")") }
        return Readiness(ready: false, reason: "last pass \(lastPass.outcome.rawValue): \(lastPass.error ?? "no detail")")
    }

    /// The `/api/status` document: the plan document plus each app's journal state, readiness and any refusal.
    public func statusDocument(appStates: [String: AppState]) -> StatusDocument {
        StatusDocument(
            plan: document, appStates: appStates, readiness: readiness(), lastPass: lastPass, refusal: refusal, failover: failover)
    }
}

/// The answer of `/readyz`.
public struct Readiness: Sendable, Codable, Equatable {
    public var ready: Bool
    public var reason: String
}

/// `GET /api/status`: `switchyard status --format json`'s document, with what the service adds.
public struct StatusDocument: Encodable, Sendable {
    public var plan: PlanDocument?
    public var appStates: [String: AppState]
    public var readiness: Readiness
    public var lastPass: PassReport?
    public var refusal: Refusal?
    /// Per app, the last readiness evaluation of each failover it can make.
    public var failover: [String: [FailoverReadiness]] = [:]

    enum Keys: String, CodingKey {
        case schemaVersion, commit, apps, ready, reason, lastPass, refusal
    }

    enum AppKeys: String, CodingKey {
        case lastAttemptedCommit, lastAppliedCommit, failoverReadiness
    }

    /// One app: the plan document's fields, then the journal's, then its readiness to fail over.
    struct AppEntry: Encodable {
        var app: PlanDocument.App
        var state: AppState?
        var failover: [FailoverReadiness]?

        func encode(to encoder: any Encoder) throws {
            try app.encode(to: encoder)
            var container = encoder.container(keyedBy: AppKeys.self)
            try container.encode(state?.lastAttemptedCommit, forKey: .lastAttemptedCommit)
            try container.encode(state?.lastAppliedCommit, forKey: .lastAppliedCommit)
            try container.encodeIfPresent(failover?.map(Target.init), forKey: .failoverReadiness)
        }
    }

    /// A failover's readiness as `/api/status` carries it: the problems, not the whole what-if plan.
    struct Target: Encodable {
        var region: String
        var ready: Bool
        var checkedAt: String
        var problems: [FailoverReadiness.Problem]

        init(_ report: FailoverReadiness) {
            region = report.target
            ready = report.ready
            checkedAt = Timestamp.format(report.checkedAt)
            problems = report.problems
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(plan?.schemaVersion ?? 1, forKey: .schemaVersion)
        try container.encode(plan?.commit, forKey: .commit)
        try container.encode((plan?.apps ?? []).map { AppEntry(app: $0, state: appStates[$0.name], failover: failover[$0.name]) }, forKey: .apps)
        try container.encode(readiness.ready, forKey: .ready)
        try container.encode(readiness.reason, forKey: .reason)
        try container.encodeIfPresent(lastPass, forKey: .lastPass)
        try container.encode(refusal, forKey: .refusal)
    }
}
