import Basics
import Foundation
import Reconciler

/// `switchyard readiness` for people and scripts: per app and target region, ready or what stands in the way, the
/// failover plan it would run and each check with its reading.
public enum ReadinessRenderer {
    /// One line per app and target, then the problems (with what to do), the plan's steps and the checks.
    public static func text(_ reports: [FailoverReadiness], commit: String) -> String {
        var out = ""
        for report in reports {
            let plan = report.plan
            out +=
                "\(report.app): \(report.activeRegion) → \(report.target): "
                + (report.ready ? "ready to fail over" : "NOT READY (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"))")
                + " at \(commit.prefix(12)), checked \(Timestamp.format(report.checkedAt))\n"
            for problem in report.problems {
                out += "  ✗ [\(problem.code)] \(problem.reading)\n"
                if let remedy = problem.remedy { out += "      what to do: \(remedy)\n" }
            }
            for warning in plan.warnings where !report.problems.contains(where: { warning.contains($0.reading) }) {
                out += "  ! \(warning)\n"
            }
            for (n, step) in plan.steps.enumerated() {
                out += "  \(n + 1). \(step.summary) [\(step.controlPlane)] (\(step.phase.rawValue))\n"
            }
            for check in plan.checks { out += "  check \(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)\n" }
        }
        let ready = reports.filter(\.ready).count
        out +=
            reports.isEmpty
            ? "\nno application declares a region to fail over to\n"
            : "\n\(ready) of \(reports.count) failover\(reports.count == 1 ? "" : "s") ready\n"
        return out
    }

    public static func markdown(_ reports: [FailoverReadiness], commit: String) -> String {
        var out = "### Switchyard readiness at `\(commit.prefix(12))`\n\n| app | from | to | ready | problems |\n|---|---|---|---|---|\n"
        for report in reports {
            let problems = report.problems.map { "`\($0.code)`: \(PlanRenderer.escape($0.reading))" }.joined(separator: "<br>")
            out +=
                "| `\(report.app)` | \(report.activeRegion) | \(report.target) | \(report.ready ? ":white_check_mark: ready" : ":no_entry: not ready") | \(problems) |\n"
        }
        for report in reports where !report.ready {
            out += "\n#### `\(report.app)` → `\(report.target)`\n\n"
            for problem in report.problems {
                out +=
                    "- :no_entry: `\(problem.code)`: \(PlanRenderer.escape(problem.reading))"
                    + "\(problem.remedy.map { " — *what to do*: \(PlanRenderer.escape($0))" } ?? "")\n"
            }
        }
        return out
    }
}

/// `switchyard readiness --format json` (docs/OUTPUT.md).
public struct ReadinessDocument: Encodable, Sendable {
    public var schemaVersion = 1
    public var commit: String
    public var ready: Bool
    public var targets: [FailoverReadiness]

    public init(commit: String, targets: [FailoverReadiness]) {
        self.commit = commit
        self.targets = targets
        ready = targets.allSatisfy(\.ready)
    }
}
