import Reconciler
import Foundation
import Journaling
import SwitchyardTestSupport
import Testing

@Suite("Faults: throttling and 5xx under load, a region or CloudFront unreachable, the Git remote gone", .serialized)
struct FaultToleranceTests {
    /// Mixed faults: throttling answered before AWS acts, 500 after it acted (the answer lost), 503 before.
    /// Rules are tried in order and the first that fires wins, so the rates combine to 1 - 0.85 × 0.91 × 0.91 ≈ 30 %.
    static func mixedFaults(seed: Int) -> [FaultProxy.Rule] {
        [
            .latency(200),
            FaultProxy.Rule(.error, error: "throttling", rate: 0.15, seed: seed),
            FaultProxy.Rule(.error, error: "500", rate: 0.09, seed: seed + 1, when: .after),
            FaultProxy.Rule(.error, error: "503", rate: 0.09, seed: seed + 2),
        ]
    }

    static var loadCases: [Int] { Profile.isLong ? [20, 50] : [20] }

    @Test(
        "20 apps fail over with 30% of AWS calls failing and 200 ms added: `switchyard run` converges with no manual step",
        arguments: loadCases)
    func failoverUnderFaults(apps count: Int) async throws {
        let world = try await ReliabilityWorld.make(apps: count, attemptTimeout: "10s")
        defer { world.close() }
        var evidence = Evidence()
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        let flip = try world.commit(activeRegion: "us-west-1", message: "Fail over every app to us-west-1")
        try world.emulator.resetCalls()
        try await world.proxy.add(Self.mixedFaults(seed: 7 + count))
        try await world.proxy.resetStats()

        let started = Date()
        let service = try world.start(world.runArguments(once: false))
        defer { service.cleanUp() }
        // Session 6 measured 228 s alone (25 passes; 137 s and 10 passes before the readiness gates' reads): the wait
        // leaves room for a loaded machine. The figure is in docs/RELIABILITY.md, never asserted.
        try await service.waitUntil("convergence under faults", timeout: Profile.isLong ? 900 : 480) {
            guard Journal.exists(in: world.stateDir) else { return false }
            return try world.journal().passes().last { $0.finishedAt != nil }.map { $0.commit == flip && $0.outcome == .converged } ?? false
        }
        let seconds = Date().timeIntervalSince(started)
        service.signal(SIGTERM)
        evidence.check(try await service.waitForExit() == 0, "run exits 0 on SIGTERM")
        let stats = try await world.proxy.stats()
        try await world.proxy.clear()

        let live = try await world.live()
        let wrong = world.apps.filter { live[$0.name] != world.converged($0, to: "us-west-1") }
        evidence.check(
            wrong.isEmpty, "every app converged to us-west-1; not: \(wrong.map { "\($0.name): \(live[$0.name].map(\.description) ?? "unread")" })")
        let counts = try world.emulator.callCounts()
        evidence.check(counts["rds:SwitchoverGlobalCluster"] == count, "one promotion per app, none repeated: \(counts)")
        let passes = try world.journal().passes().dropFirst()
        let requests = stats.requests.values.reduce(0, +)
        let faults = stats.faults.filter { $0.key.hasPrefix("kind:error") }.values.reduce(0, +)
        let share = requests == 0 ? 0 : Double(faults) / Double(requests)
        evidence.check(share > 0.2, "faults were injected: \(faults) of \(requests)")
        ResultsLog.record(
            fault: "30% throttling/500(after)/503 + 200 ms on every AWS call", scenario: "\(count) apps fail over, `switchyard run`",
            evidence: evidence,
            outcome:
                "converged in \(passes.count) passes, \(String(format: "%.0f", seconds)) s; \(count) promotions, none repeated; \(faults) of \(requests) calls failed (\(String(format: "%.0f", share * 100))%)",
            figures: ["seconds": seconds, "passes": passes.count, "requests": requests, "faults": faults])
    }

    /// A flip to us-west-1 while `rule` makes part of AWS unreachable: what must be done at once, what waits.
    struct Outage: Sendable, CustomTestStringConvertible {
        var name: String
        var region: String?
        var service: String?
        var promotion: String
        /// What the first apply must do despite the outage, and what it must leave.
        var promotesAtOnce = true
        var opensWestAtOnce = true
        var reordersAtOnce: Bool
        var blocksEastAtOnce: Bool
        var testDescription: String { name }
    }

    static let outages = [
        Outage(
            name: "us-east-1 blackholed (S3, RDS and CloudFront, which signs for us-east-1)", region: "us-east-1", service: nil,
            promotion: "failover", reordersAtOnce: false, blocksEastAtOnce: false),
        Outage(
            name: "CloudFront control plane blackholed", region: nil, service: "cloudfront", promotion: "switchover",
            reordersAtOnce: false, blocksEastAtOnce: true),
    ]

    @Test(
        "the region-outage path: the steps that can be done are, the rest wait, the app is degraded, the next apply finishes",
        arguments: outages)
    func regionOutage(_ outage: Outage) async throws {
        let world = try await ReliabilityWorld.make(promotion: outage.promotion)
        defer { world.close() }
        var evidence = Evidence()
        let app = world.apps[0]
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try world.emulator.resetCalls()
        try await world.proxy.add(.blackhole(region: outage.region, service: outage.service))

        let started = Date()
        let apply = try await world.switchyard(world.applyArguments + ["--max-attempts", "2", "--timeout", "120s"])
        let seconds = Date().timeIntervalSince(started)
        evidence.check(apply.status == 1, "apply exits 1 while part of AWS does not answer: \(apply.status)\n\(apply.stdout)\n\(apply.stderr)")
        evidence.check(apply.stdout.contains("\(app.name): degraded"), "apply reports the app degraded:\n\(apply.stdout)")
        let during = try await world.live()[app.name]
        let counts = try world.emulator.callCounts()
        let promotion = outage.promotion == "failover" ? "rds:FailoverGlobalCluster" : "rds:SwitchoverGlobalCluster"
        evidence.check(counts[promotion] == 1, "promoted at once: \(counts)")
        evidence.check(during?.writer == app.secondaryClusterARN, "us-west-1 writes: \(during.map(\.description) ?? "")")
        evidence.check(during?.secondaryBucket == "open", "the us-west-1 bucket serves: \(during.map(\.description) ?? "")")
        let reordered = during?.origins.first == app.secondaryOrigin
        evidence.check(reordered == outage.reordersAtOnce, "origin group reordered: \(reordered), expected \(outage.reordersAtOnce)")
        let blocked = during?.primaryBucket == "blocked"
        evidence.check(blocked == outage.blocksEastAtOnce, "us-east-1 bucket blocked: \(blocked), expected \(outage.blocksEastAtOnce)")
        let status = try await world.switchyard(["status"] + world.awsArguments + ["--max-attempts", "1"])
        evidence.check(status.stdout.contains("degraded"), "status says degraded:\n\(status.stdout)\n\(status.stderr)")

        // The region answers again: the next apply finishes what waited, without a second promotion.
        try await world.proxy.clear()
        let again = try await world.switchyard(world.applyArguments)
        evidence.check(again.status == 0, "the next apply converges: \(again.stdout)\n\(again.stderr)")
        let after = try await world.live()[app.name]
        evidence.check(after == world.converged(app, to: "us-west-1"), "converged: \(after.map(\.description) ?? "")")
        evidence.check(try world.emulator.callCounts()[promotion] == 1, "still one promotion")
        let done = ["promote", "open us-west-1"] + (outage.reordersAtOnce ? ["reorder"] : []) + (outage.blocksEastAtOnce ? ["block us-east-1"] : [])
        let waited = (outage.reordersAtOnce ? [] : ["reorder"]) + (outage.blocksEastAtOnce ? [] : ["block us-east-1"])
        ResultsLog.record(
            fault: "blackhole: \(outage.name)", scenario: "flip to us-west-1 (\(outage.promotion)), apply, clear, apply",
            evidence: evidence,
            outcome:
                "first apply \(String(format: "%.1f", seconds)) s, exit 1, degraded: did \(done.joined(separator: ", ")); pending \(waited.joined(separator: ", ")); next apply converged, 1 promotion",
            figures: ["seconds": seconds])
    }

    @Test("the Git remote unreachable: the last applied state stands and /readyz says why; back, it is ready again")
    func gitRemoteUnreachable() async throws {
        let world = try await ReliabilityWorld.make(standby: "hot")
        defer { world.close() }
        var evidence = Evidence()
        let app = world.apps[0]
        let bare = world.git.path("origin.git")
        try world.git.git("clone", "-q", "--bare", world.repo, bare, in: world.git.root.path)
        var arguments = world.runArguments(once: false)
        arguments[arguments.firstIndex(of: world.repo)!] = "file://\(bare)"
        let service = try world.start(arguments)
        defer { service.cleanUp() }
        let url = try await service.waitForListener()
        let flip = try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try world.git.git("push", "-q", bare, "HEAD:main", in: world.repo)
        try await service.waitUntil("convergence at the flip") {
            guard Journal.exists(in: world.stateDir) else { return false }
            return try world.journal().passes().last { $0.finishedAt != nil }.map { $0.commit == flip && $0.outcome == .converged } ?? false
        }

        let gone = bare + ".gone"
        try FileManager.default.moveItem(atPath: bare, toPath: gone)
        var reason = ""
        try await service.waitUntil("/readyz to report the fetch failure") {
            let (body, status) = try await HTTPTestClient.get("\(url)/readyz")
            reason = String(decoding: body, as: UTF8.self)
            return status == 503
        }
        evidence.check(reason.contains("fetch-failed") && reason.contains("cannot read the repository"), "/readyz says why: \(reason)")
        let live = try await world.live()[app.name]
        evidence.check(live == world.converged(app, to: "us-west-1"), "the last applied state stands: \(live.map(\.description) ?? "")")
        let (statusBody, _) = try await HTTPTestClient.get("\(url)/api/status")
        let document = try JSONSerialization.jsonObject(with: statusBody) as? [String: Any]
        evidence.check((document?["ready"] as? Bool) == false, "/api/status is not ready")

        try FileManager.default.moveItem(atPath: gone, toPath: bare)
        try await service.waitUntil("/readyz ready again") { try await HTTPTestClient.get("\(url)/readyz").1 == 200 }
        evidence.check(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 1, "nothing was redone while the remote was away")
        ResultsLog.record(
            fault: "Git remote unreachable (bare repository moved away)", scenario: "`switchyard run` after converging a flip",
            evidence: evidence,
            outcome:
                "last applied state stands; /readyz 503: \(reason.trimmingCharacters(in: .whitespacesAndNewlines).prefix(90))…; ready again once back"
        )
    }
}
