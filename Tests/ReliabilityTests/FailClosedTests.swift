import Foundation
import SwitchyardTestSupport
import Testing

/// Where Switchyard cannot know, it does not act: a declared resource that does not exist, and a writer that cannot be
/// read, leave traffic and fencing where they are (end states read with boto3, calls counted by the emulator).
@Suite("Every doubt fails closed, against the emulator", .serialized)
struct FailClosedTests {
    enum Typo: String, CaseIterable, Sendable {
        case globalClusterId, distributionId, primaryBucket, secondaryBucket

        var field: String {
            switch self {
            case .globalClusterId: "spec.aurora.globalClusterId"
            case .distributionId: "spec.cloudfront.distributionId"
            case .primaryBucket: "spec.regions.us-east-1.bucket"
            case .secondaryBucket: "spec.regions.us-west-1.bucket"
            }
        }

        func apply(to yaml: String, _ app: Emulator.Topology) -> String {
            switch self {
            case .globalClusterId: yaml.replacingOccurrences(of: "globalClusterId: \(app.globalClusterID)", with: "globalClusterId: typo-global")
            case .distributionId: yaml.replacingOccurrences(of: "distributionId: \(app.distributionID)", with: "distributionId: E0TYPO0000000")
            case .primaryBucket: yaml.replacingOccurrences(of: "bucket: \(app.primaryBucket)", with: "bucket: typo-primary-bucket")
            case .secondaryBucket: yaml.replacingOccurrences(of: "bucket: \(app.secondaryBucket)", with: "bucket: typo-secondary-bucket")
            }
        }
    }

    @Test("each declared id mistyped in turn: plan is blocked (exit 3) naming the field, apply exits 1 and calls nothing", arguments: Typo.allCases)
    func mistypedId(_ typo: Typo) async throws {
        let world = try await ReliabilityWorld.make()
        defer { world.close() }
        let app = world.apps[0]
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        let before = try await world.live()[app.name]
        try world.git.write(
            typo.apply(to: app.yaml(activeRegion: "us-west-1", standby: world.standby), app), to: "\(world.repo)/desired-state/\(app.name).yaml")
        try world.git.git("commit", "-q", "-am", "Fail over with a typo", in: world.repo)
        try world.emulator.resetCalls()

        let plan = try await world.switchyard(["plan", "--state-dir", world.stateDir] + world.awsArguments)
        #expect(plan.status == 3, "\(plan.stdout)\n\(plan.stderr)")
        #expect(plan.stdout.contains("resource-missing"), "\(plan.stdout)")
        #expect(plan.stdout.contains("desired-state/\(app.name).yaml:") && plan.stdout.contains("\(typo.field) names a resource that does not exist"))
        let json = try await world.switchyard(["plan", "--format", "json", "--state-dir", world.stateDir] + world.awsArguments)
        #expect(json.stdout.contains("\"verdict\" : \"blocked\"") || json.stdout.contains("\"verdict\":\"blocked\""), "\(json.stdout)")

        let apply = try await world.switchyard(world.applyArguments)
        #expect(apply.status == 1, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stdout.contains("blocked"), "\(apply.stdout)")
        let calls = try world.emulator.callCounts()
        #expect(calls.isEmpty, "no mutating call: \(calls)")
        #expect(try await world.live()[app.name] == before, "nothing moved")
    }

    @Test("RDS unreachable in every region, then in the region made active: no traffic or fencing step is taken; later it converges")
    func rdsUnreachable() async throws {
        let world = try await ReliabilityWorld.make()
        defer { world.close() }
        let app = world.apps[0]
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        let before = try await world.live()[app.name]
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try world.emulator.resetCalls()

        for outage in [FaultProxy.Rule(.blackhole, service: "rds"), FaultProxy.Rule(.blackhole, region: "us-west-1", service: "rds")] {
            try await world.proxy.add(outage)
            let apply = try await world.switchyard(world.applyArguments + ["--max-attempts", "1", "--timeout", "60s"])
            #expect(apply.status == 1, "\(apply.stdout)\n\(apply.stderr)")
            let calls = try world.emulator.callCounts()
            #expect(calls.isEmpty, "no call while the writer is not seen in us-west-1: \(calls)")
            #expect(try await world.live()[app.name] == before, "traffic and fencing stay")
            try await world.proxy.clear()
        }
        let apply = try await world.switchyard(world.applyArguments)
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try await world.live()[app.name] == world.converged(app, to: "us-west-1"))
        #expect(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 1)
    }
}
