import GitSource
import Basics
import DesiredState
import Foundation
import Reconciler

/// Plans for people: terminal text, and the markdown a pull-request comment carries.
public enum PlanRenderer {
    public static func text(_ plans: [AppPlan], commit: String) -> String {
        var out = ""
        for plan in plans {
            out += "\(plan.app): activeRegion \(plan.activeRegion) at \(commit.prefix(12)) — \(words(plan))\n"
            for blocker in plan.blockers { out += "  BLOCKED  [\(blocker.code)] \(blocker.reason)\n" }
            for warning in plan.warnings { out += "  WARNING  \(warning)\n" }
            for (n, step) in plan.steps.enumerated() {
                out += "  \(n + 1). \(step.summary) [\(step.controlPlane)] (\(step.phase.rawValue))\n     because \(step.reason)\n"
                if !step.dependsOn.isEmpty { out += "     after \(step.dependsOn.joined(separator: ", ")) (step \(step.id))\n" }
            }
            for why in plan.unobserved { out += "  UNKNOWN  \(why)\n" }
            for what in plan.inProgress { out += "  IN PROGRESS  \(what)\n" }
            for check in plan.checks { out += "  check \(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)\n" }
            if plan.inSync { out += "  nothing to do\n" }
        }
        let pending = plans.reduce(0) { $0 + $1.steps.count }
        out += "\n\(pending) change\(pending == 1 ? "" : "s") pending across \(plans.count) application\(plans.count == 1 ? "" : "s")\n"
        return out
    }

    public static func markdown(_ plans: [AppPlan], commit: String) -> String {
        var out = "### Switchyard plan for `\(commit.prefix(12))`\n\n"
        for plan in plans {
            out += "#### `\(plan.app)` → `\(plan.activeRegion)`: \(words(plan))\n\n"
            for warning in plan.warnings { out += "> [!WARNING]\n> \(warning)\n\n" }
            for blocker in plan.blockers { out += "- :no_entry: **blocked** (`\(blocker.code)`): \(blocker.reason)\n" }
            if !plan.steps.isEmpty {
                out += "| # | step | phase | control plane | after | why |\n|---|---|---|---|---|---|\n"
                for (n, step) in plan.steps.enumerated() {
                    let after = step.dependsOn.map { "`\($0)`" }.joined(separator: ", ")
                    out +=
                        "| \(n + 1) | \(escape(step.summary)) | \(step.phase.rawValue) | \(step.controlPlane) | \(after) | \(escape(step.reason)) |\n"
                }
            }
            for why in plan.unobserved { out += "- :grey_question: could not observe: \(why)\n" }
            for what in plan.inProgress { out += "- :hourglass: in progress: \(what)\n" }
            if !plan.checks.isEmpty {
                out += "\n| safety check | result | reading |\n|---|---|---|\n"
                for check in plan.checks {
                    out += "| \(check.name) | \(check.passed ? ":white_check_mark: pass" : ":no_entry: fail") | \(escape(check.detail)) |\n"
                }
            }
            if plan.inSync { out += "Nothing to do: live state matches.\n" }
            out += "\n"
        }
        return out
    }

    /// The verdict as people read it ("failover pending" for a flip not yet carried out).
    static func words(_ plan: AppPlan) -> String {
        Verdict.of(plan).words(activeRegion: plan.activeRegion, steps: plan.steps, live: plan.live)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

/// `plan --format json`, `status --format json` and `apply --format json`, schema version 3 (docs/OUTPUT.md):
/// steps carry their graph (`id`, `dependsOn`), blockers and outcomes their stable codes.
public struct PlanDocument: Codable, Sendable {
    public var schemaVersion = 3
    public var commit: String
    /// `plan --to REGION`: the region a what-if plan makes active (nothing was changed); absent otherwise.
    public var whatIf: String?
    public var apps: [App]

    public struct App: Codable, Sendable {
        public var name: String
        public var activeRegion: String
        public var verdict: Verdict
        /// Why the app is not converged, as a stable code; nil when it is.
        public var code: Code?
        public var steps: [Step]
        public var blockers: [Blocker]
        public var unobserved: [String]
        public var inProgress: [String]
        public var warnings: [String]
        public var checks: [Check]
        public var live: LiveSummary
        public var outcomes: [StepOutcome]?
    }

    public init(commit: String, plans: [AppPlan], results: [Reconciler.AppResult]? = nil) {
        self.commit = commit
        if let results {
            apps = results.map { Self.app($0.plan, verdict: $0.verdict, code: $0.code, outcomes: $0.outcomes) }
        } else {
            apps = plans.map {
                Self.app(
                    $0, verdict: Verdict.of($0), code: Reconciler.AppResult(plan: $0, outcomes: [], verdict: Verdict.of($0)).code,
                    outcomes: nil)
            }
        }
    }

    static func app(_ plan: AppPlan, verdict: Verdict, code: Code?, outcomes: [StepOutcome]?) -> App {
        App(
            name: plan.app, activeRegion: plan.activeRegion, verdict: verdict, code: code, steps: plan.steps,
            blockers: plan.blockers, unobserved: plan.unobserved, inProgress: plan.inProgress,
            warnings: plan.warnings, checks: plan.checks, live: plan.live, outcomes: outcomes)
    }
}

extension JSONEncoder {
    /// The encoder of every JSON document Switchyard prints or serves (`--format json`, `/api/status`): sorted keys,
    /// UTC timestamps in whole seconds (`Timestamp`, no ICU time-zone lookup in the daemon).
    public static func switchyard() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }
}

extension PassResult {
    /// The plans and results as `--format json` and `/api/status` show them.
    public var document: PlanDocument? {
        commit.map { PlanDocument(commit: $0.id.hex, plans: results.map(\.plan), results: results) }
    }
}
