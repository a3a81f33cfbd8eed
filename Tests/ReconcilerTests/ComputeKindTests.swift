import AWS
import Basics
import DesiredState
import Foundation
import Reconciler
import Testing

/// In-memory groups or services: capacity arrives `delay` reads after it is asked for (never, when `never`).
final class FakeCompute: ComputeControl, @unchecked Sendable {
    struct Resource {
        var desired: Int
        var inService: Int
        var minimum: Int?
        var maximum: Int?
        /// Reads until new capacity is in service.
        var arrivesAfter = 0
    }
    private let lock = NSLock()
    var resources: [String: Resource]
    var never = false
    /// Regions whose control plane does not answer.
    var down: Set<String> = []
    private(set) var sets: [String] = []

    init(_ resources: [String: Resource]) { self.resources = resources }

    func capacity(of resource: String, region: String) async throws -> Capacity? {
        try lock.withLock {
            if down.contains(region) {
                throw AWSError(
                    kind: .transport, service: "autoscaling", operation: "DescribeAutoScalingGroups", code: "ConnectionFailed", message: "down")
            }
            guard var r = resources["\(region)/\(resource)"] else { return nil }
            if r.inService < r.desired, !never {
                if r.arrivesAfter <= 0 { r.inService = r.desired } else { r.arrivesAfter -= 1 }
            }
            resources["\(region)/\(resource)"] = r
            return Capacity(desired: r.desired, inService: r.inService, minimum: r.minimum, maximum: r.maximum)
        }
    }

    func setCapacity(of resource: String, region: String, desired: Int, minimum: Int?) async throws -> String? {
        lock.withLock {
            sets.append("\(region) \(resource) \(desired)")
            resources["\(region)/\(resource)"]?.desired = desired
            if let minimum { resources["\(region)/\(resource)"]?.minimum = minimum }
            resources["\(region)/\(resource)"]?.arrivesAfter = 2
            return "req-compute"
        }
    }

    var calls: [String] { lock.withLock { sets } }
}

@Suite("Standby compute: raised before traffic, lowered only in release")
struct ComputeKindTests {
    func app(standby: Int? = nil) -> Application {
        var app = unishop(active: "us-west-1", standby: .hot)
        app.spec.regions[0].autoScalingGroup = "web-east"
        app.spec.regions[1].autoScalingGroup = "web-west"
        app.spec.capacity = CapacitySpec(activeMinimum: 2, standby: standby)
        return app
    }

    func kinds(_ lab: FakeCloud, _ compute: FakeCompute) -> ResourceKinds {
        ResourceKinds(lab.kinds.kinds + [AutoScalingGroupKind(control: compute)])
    }

    func warm(maxWest: Int = 8) -> FakeCompute {
        FakeCompute([
            "us-east-1/web-east": .init(desired: 4, inService: 4, minimum: 2, maximum: 8),
            "us-west-1/web-west": .init(desired: 1, inService: 1, minimum: 1, maximum: maxWest),
        ])
    }

    @Test("the new region is raised to the old region's load in prepare, beside the promotion; traffic waits for both")
    func raise() async {
        let (lab, compute) = (primaryCloud(), warm())
        let app = app(standby: 1)
        let plan = await Observer(kinds: kinds(lab, compute)).plan(app, safety: SafetyContext(lastAppliedRegion: "us-east-1"))
        let byID = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.id, $0) })
        let raise = byID["asg:us-west-1"]
        #expect(raise?.phase == .prepare && raise?.capacityFigure == 4, "\(plan.steps.map(\.id))")
        #expect(raise?.reason.contains("what us-east-1 runs now (4)") == true, "\(raise?.reason ?? "")")
        #expect(byID["aurora"]?.dependsOn.isEmpty == true, "the promotion does not wait for capacity")
        let trafficWaitsFor = Set(byID["origins"]?.dependsOn ?? [])
        #expect(trafficWaitsFor.isSuperset(of: ["asg:us-west-1", "aurora"]))
        #expect(byID["asg-release:us-east-1"]?.phase == .release && byID["asg-release:us-east-1"]?.capacityFigure == 1)
        let releaseWaitsFor = Set(byID["asg-release:us-east-1"]?.dependsOn ?? [])
        #expect(releaseWaitsFor.isSuperset(of: ["origins", "asg:us-west-1"]))

        let applier = Applier(kinds: kinds(lab, compute), options: ApplyOptions(pollInterval: .milliseconds(1)))
        let outcomes = Dictionary(uniqueKeysWithValues: await applier.apply(plan, for: app).map { ($0.step.id, $0) })
        #expect(outcomes["asg:us-west-1"]?.status == .done && outcomes["aurora"]?.status == .done)
        #expect(outcomes["asg-release:us-east-1"]?.code == StepCode.waitingOnDeployment, "not lowered while CloudFront still deploys")
        #expect(compute.calls == ["us-west-1 web-west 4"])
        // The next pass finds traffic moved: only then is the region left lowered.
        let next = await Observer(kinds: kinds(lab, compute)).plan(app, safety: SafetyContext(lastAppliedRegion: "us-east-1"))
        // (The hot standby's bucket, blocked while CloudFront deployed, opens again beside it.)
        #expect(next.steps.map(\.id) == ["open:us-east-1", "asg-release:us-east-1"], "\(next.steps.map(\.id))")
        _ = await applier.apply(next, for: app)
        #expect(compute.calls == ["us-west-1 web-west 4", "us-east-1 web-east 1"], "raised once, then lowered once, in that order")
        #expect(compute.resources["us-west-1/web-west"]?.minimum == 4, "the minimum is raised too")
    }

    @Test("the region left cannot be read: the last figure the journal kept for it, and the plan says so")
    func rememberedFigure() async {
        let compute = warm()
        compute.down = ["us-east-1"]
        var safety = SafetyContext(lastAppliedRegion: "us-east-1")
        safety.remembered = ["autoScalingGroupCapacity": .map(["us-east-1": "6/6", "us-west-1": "1/1"])]
        let plan = await Observer(kinds: kinds(primaryCloud(), compute)).plan(app(), safety: safety)
        let raise = plan.steps.first { $0.id == "asg:us-west-1" }
        #expect(raise?.capacityFigure == 6, "\(plan.steps.map(\.id)) \(plan.blockers)")
        #expect(raise?.reason.contains("the last figure the journal kept for us-east-1 (6)") == true, "\(raise?.reason ?? "")")
        let nothingKept = await Observer(kinds: kinds(primaryCloud(), compute)).plan(app(), safety: SafetyContext(lastAppliedRegion: "us-east-1"))
        #expect(nothingKept.steps.first { $0.id == "asg:us-west-1" }?.reason.contains("activeMinimum 2") == true)
    }

    @Test("without capacity.standby, or outside a failover, nothing is ever lowered")
    func neverLowered() async {
        let compute = warm()
        let noStandby = await Observer(kinds: kinds(primaryCloud(), compute)).plan(app(), safety: SafetyContext(lastAppliedRegion: "us-east-1"))
        #expect(!noStandby.steps.contains { $0.phase == .release && $0.kind == AutoScalingGroupKind.name })
        let settled = await Observer(kinds: kinds(primaryCloud(), compute)).plan(
            app(standby: 1), safety: SafetyContext(lastAppliedRegion: "us-west-1"))
        #expect(!settled.steps.contains { $0.phase == .release }, "the failover converged: the standby keeps what a person gave it")
    }

    @Test("a target whose maximum cannot hold the figure blocks the app before anything moves")
    func exceedsMax() async {
        let (lab, compute) = (primaryCloud(), warm(maxWest: 3))
        let app = app()
        let plan = await Observer(kinds: kinds(lab, compute)).plan(app, safety: SafetyContext(lastAppliedRegion: "us-east-1"))
        let blocker = plan.blockers.first { $0.code == "capacity-exceeds-max" }
        #expect(blocker?.reason.contains("web-west") == true && blocker?.reason.contains("maximum of 3") == true, "\(plan.blockers)")
        #expect(await Applier(kinds: kinds(lab, compute)).apply(plan, for: app).isEmpty)
        #expect(compute.calls.isEmpty && lab.calls.isEmpty, "no AWS mutation at all")
    }

    @Test("capacity that never arrives leaves traffic where it is; once it arrives, no second raise")
    func neverArrives() async {
        let (lab, compute) = (primaryCloud(), warm())
        compute.never = true
        let app = app()
        let applier = Applier(kinds: kinds(lab, compute), options: ApplyOptions(pollInterval: .milliseconds(5), stepTimeout: .milliseconds(200)))
        let safety = SafetyContext(lastAppliedRegion: "us-east-1")
        let plan = await Observer(kinds: kinds(lab, compute)).plan(app, safety: safety)
        let outcomes = Dictionary(uniqueKeysWithValues: await applier.apply(plan, for: app).map { ($0.step.id, $0) })
        #expect(outcomes["asg:us-west-1"]?.status == .pending && outcomes["asg:us-west-1"]?.code == ComputeCodes.notInService)
        #expect(outcomes["origins"]?.code == StepCode.waitingOnDependency)
        #expect(!lab.calls.contains { $0.hasPrefix("cloudfront") }, "traffic unmoved")

        compute.never = false
        let again = await Observer(kinds: kinds(lab, compute)).plan(app, safety: safety)
        let second = await applier.apply(again, for: app)
        // Only what waits for CloudFront's deployment is left (the hot standby opened again after it).
        let finished = second.allSatisfy { $0.isFinished || $0.status == .started || $0.code == StepCode.waitingOnDeployment }
        #expect(finished, "\(second.map { "\($0.step.id) \($0.status) \($0.message)" })")
        #expect(compute.calls == ["us-west-1 web-west 4"], "raised once across both passes")
    }

    @Test("keys: an ECS service ARN in another region, a bad capacity, are refused with file:line and field")
    func keys() {
        let base = unishopYAMLWithDocumentDB
        let bad = base.replacingOccurrences(
            of: "      documentDbCluster: arn:aws:rds:us-west-1:111122223333:cluster:docdb-west\n",
            with:
                "      documentDbCluster: arn:aws:rds:us-west-1:111122223333:cluster:docdb-west\n      ecsService: arn:aws:ecs:eu-west-1:111122223333:service/shop/web\n"
        ).replacingOccurrences(of: "  documentDb:\n", with: "  capacity:\n    activeMinimum: lots\n  documentDb:\n")
        guard case let .failure(failure) = ApplicationParser.parse(bad, path: "desired-state/unishop.yaml") else {
            Issue.record("accepted")
            return
        }
        #expect(
            failure.diagnostics.contains {
                $0.field == "spec.regions.us-west-1.ecsService" && $0.message.contains("expected a service in `us-west-1`")
            })
        #expect(
            failure.diagnostics.contains { $0.field == "spec.capacity.activeMinimum" && $0.message.contains("whole number") && $0.location.line > 1 })
    }
}

/// Parameters in memory, per region; regions in `down` do not answer.
final class FakeParameters: ParameterControl, @unchecked Sendable {
    private let lock = NSLock()
    var values: [String: String] = [:]
    var down: Set<String> = []
    private(set) var writes: [String] = []

    func value(of parameter: String, region: String) async throws -> String? {
        try lock.withLock {
            if down.contains(region) {
                throw AWSError(kind: .transport, service: "ssm", operation: "GetParameter", code: "ConnectionFailed", message: "unreachable")
            }
            return values[region]
        }
    }

    func write(_ value: String, to parameter: String, region: String) async throws -> String? {
        lock.withLock {
            values[region] = value
            writes.append("\(region) \(value)")
            return "req-ssm"
        }
    }
}

@Suite("The SSM parameter names the active region in every region")
struct SSMParameterKindTests {
    @Test("written in moveTraffic after the promotion, in each region; a region down stays pending and blocks nothing")
    func written() async {
        let (lab, parameters) = (primaryCloud(), FakeParameters())
        parameters.values = ["us-east-1": "us-east-1", "us-west-1": "us-east-1"]
        parameters.down = ["us-east-1"]
        var app = unishop(active: "us-west-1")
        app.spec.parameter = "/shop/active-region"
        let kinds = ResourceKinds(lab.kinds.kinds + [SSMParameter(control: parameters)])
        let plan = await Observer(kinds: kinds).plan(app)
        let steps = plan.steps.filter { $0.kind == SSMParameter.name }
        #expect(steps.map(\.phase) == [.moveTraffic, .moveTraffic])
        #expect(steps.allSatisfy { $0.dependsOn.contains("aurora") })
        let outcomes = Dictionary(uniqueKeysWithValues: await Applier(kinds: kinds).apply(plan, for: app).map { ($0.step.id, $0) })
        #expect(outcomes["parameter:us-west-1"]?.status == .done)
        #expect(outcomes["parameter:us-east-1"]?.status == .pending)
        #expect(outcomes["origins"]?.status == .started, "the other traffic steps went on")
        #expect(parameters.writes == ["us-west-1 us-west-1"])
    }
}
