import Journaling
import Reconciler
import Foundation
import SwitchyardTestSupport
import Testing

/// Issue 11: a promotion RDS refuses, or whose answer is lost, never lets traffic or fencing move. Everything is read
/// back with boto3; the promotions that reached the emulator are counted by the emulator itself.
@Suite("A refused or lost promotion never half-applies a failover", .serialized)
struct PromotionFaultTests {
    struct Fault: Sendable, CustomTestStringConvertible {
        var name: String
        var rule: [String: String]
        /// The stable code `apply` must print.
        var code: String
        /// Whether RDS acted before the answer was lost (the pass then waits for it and finishes the failover).
        var acted = false
        var testDescription: String { name }
    }

    static let faults = [
        Fault(
            name: "refused: 400 InvalidDBClusterStateFault",
            rule: [
                "action": "error", "status": "400", "code": "InvalidDBClusterStateFault",
                "message": "The global cluster is not in a state to switch over",
            ],
            code: "promotion-refused"),
        Fault(name: "500 before acting", rule: ["action": "error", "error": "500"], code: "promotion-ambiguous"),
        Fault(name: "truncated XML", rule: ["action": "truncate"], code: "promotion-ambiguous"),
        Fault(name: "500 after acting", rule: ["action": "error", "error": "500", "when": "after"], code: "", acted: true),
    ]

    @Test(
        "apply with a promotion fault: origins, buckets and writer as they were (or, after RDS acted, the failover finished), one promotion",
        arguments: faults)
    func promotionFault(_ fault: Fault) async throws {
        var evidence = Evidence()
        let world = try await ReliabilityWorld.make(standby: "fenced", promotion: "switchover", attemptTimeout: "10s")
        defer { world.close() }
        let app = world.apps[0]
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        let before = try await world.live()[app.name]
        evidence.check(before == world.converged(app, to: "us-east-1"), "before == world.converged(app, to: \"us-east-1\")")
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try world.emulator.resetCalls()
        var rule: [String: Any] = fault.rule.mapValues { $0 as Any }
        rule["service"] = "rds"
        rule["operation"] = "SwitchoverGlobalCluster"
        rule["count"] = 1
        rule["id"] = "promotion-fault"
        if let status = fault.rule["status"] { rule["status"] = Int(status) }
        try await world.proxy.addRule(rule)

        let first = try await world.switchyard(world.applyArguments + ["--format", "json"])
        let live = try await world.live()[app.name]
        if fault.acted {
            evidence.check(first.status == 0, "RDS acted: the pass re-reads, waits for the promotion and finishes: \(first.stderr)")
            evidence.check(live == world.converged(app, to: "us-west-1"), "live == world.converged(app, to: \"us-west-1\")")
        } else {
            evidence.check(first.status == 1, "\(first.stderr)")
            evidence.check(live == before, "nothing moved: \(live.map(\.description) ?? "unread")")
            evidence.check(first.stdout.contains("\"code\" : \"\(fault.code)\""), "the stable code in JSON: \(first.stdout)")
            if fault.code == "promotion-refused" {
                evidence.check(first.stdout.contains("\"awsErrorCode\" : \"InvalidDBClusterStateFault\""), "\(first.stdout)")
            }
        }
        // Sent once: the proxy took it (and answered with the fault), and RDS saw it only if the fault came after.
        evidence.check(try await world.proxy.injected("promotion-fault") == 1, "try await world.proxy.injected(\"promotion-fault\") == 1")
        evidence.check(
            try world.emulator.callCounts()["rds:SwitchoverGlobalCluster", default: 0] == (fault.acted ? 1 : 0),
            "the promotion was never re-sent")

        try await world.proxy.clear()
        let second = try await world.switchyard(world.applyArguments)
        evidence.check(second.status == 0, "\(second.stderr)")
        evidence.check(
            try await world.live()[app.name] == world.converged(app, to: "us-west-1"),
            "try await world.live()[app.name] == world.converged(app, to: \"us-west-1\")")
        evidence.check(
            try world.emulator.callCounts()["rds:SwitchoverGlobalCluster", default: 0] == 1,
            "after the fault clears, the same commit converges with exactly one promotion")
        ResultsLog.record(
            fault: "promotion fault: \(fault.name)", scenario: "apply of a fenced failover", evidence: evidence,
            outcome: fault.acted
                ? "re-read, waited for the promotion RDS made, converged; one promotion"
                : "nothing moved, exit 1, \(fault.code); converged after, one promotion")
    }
}
