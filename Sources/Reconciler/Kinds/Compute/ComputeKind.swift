import AWS
import Basics
import DesiredState
import Foundation

/// What a compute kind declares: its key under each region, its names, and how it talks to AWS. Auto Scaling groups
/// and ECS services share one machinery (`ComputeKind`); each is a flavor in its own folder.
public protocol ComputeFlavor: Sendable {
    /// The kind's name (`auto-scaling-group`).
    static var name: String { get }
    /// The resource, as people say it: `Auto Scaling group`.
    static var noun: String { get }
    /// Its key under each region (`autoScalingGroup`).
    static var regionKey: String { get }
    /// Its step ids' prefix (`asg`: `asg:us-west-1`).
    static var stepPrefix: String { get }
    static var raise: StepAction { get }
    static var lower: StepAction { get }
    /// What is in service, as a count of: `instances in service`, `tasks running`.
    static var unit: String { get }
    /// The service's control plane word (`autoscaling`, `ecs`).
    static var plane: String { get }
    /// Whether this kind reads `spec.capacity` (one kind does, for both).
    static var readsCapacity: Bool { get }
    /// The declared value's problem in `region`, or nil when it is well formed.
    static func problem(_ value: String, region: String) -> String?
    static func control(sender: any AWSRequestSending) -> any ComputeControl
    static func grants(_ resources: [(region: String, value: String)], account: AccountContext) throws(IAMGrantError) -> [IAMGrant]
}

/// A compute kind: raises the active region's capacity to carry the load before traffic moves (`prepare`), waits until
/// it is in service, and lowers the region left only in `release` and only to `capacity.standby`.
public struct ComputeKind<Flavor: ComputeFlavor>: ResourceKind {
    /// Each declared region's capacity (nil inside: the resource does not exist).
    public typealias Live = [String: Observed<Capacity?>]

    public let control: any ComputeControl

    public init(control: any ComputeControl) {
        self.control = control
    }

    public init(sender: any AWSRequestSending) {
        self.init(control: Flavor.control(sender: sender))
    }

    public static var name: String { Flavor.name }
    public static var keys: any KindSchema { ComputeKeys<Flavor>() }

    public static var actions: [StepAction.Info] {
        let plane: @Sendable (Step) -> String = { "\(Flavor.plane) \($0.region)" }
        return [
            StepAction.Info(
                Flavor.raise, label: "raise \(Flavor.noun)",
                wait: StepAction.Wait("capacity", label: "capacity wait", until: .dependents), controlPlane: plane,
                summary: { "raise \(Flavor.noun) \($0.resource) to \($0.capacityFigure ?? 0) and wait until it is in service" }),
            StepAction.Info(
                Flavor.lower, label: "lower \(Flavor.noun)", controlPlane: plane,
                summary: { "lower \(Flavor.noun) \($0.resource) to \($0.capacityFigure ?? 0)" }),
        ]
    }

    static var fact: String { "\(Flavor.regionKey)Capacity" }

    public static func describe(_ live: LiveSummary) -> [LiveLine] {
        guard let map = live.facts[fact]?.map, !map.isEmpty else { return [] }
        let text = map.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return [LiveLine(key: Flavor.stepPrefix, label: "\(Flavor.noun) (desired/in service)", text: "\(Flavor.noun) \(text)", value: text)]
    }

    public static func grants(_ app: Application, account: AccountContext) throws(IAMGrantError) -> [IAMGrant] {
        let resources = app.spec.regions.compactMap { region in (region.declarations[Flavor.regionKey] as String?).map { (region.name, $0) } }
        return resources.isEmpty ? [] : try Flavor.grants(resources, account: account)
    }

    // MARK: Observing

    public func observe(_ app: Application, calls: any CallGate) async -> Live? {
        let declared = app.spec.regions.compactMap { region in (region.declarations[Flavor.regionKey] as String?).map { (region.name, $0) } }
        guard !declared.isEmpty else { return nil }
        let control = control
        return await Observed.eachRegion(
            declared, plane: { "\(Flavor.plane) \($0)" }, calls: calls, what: { "cannot read \(Flavor.noun) \($0) in \($1)" },
            read: { try await control.capacity(of: $0, region: $1) })
    }

    // MARK: Planning

    /// The capacity the active region must carry, and where the figure comes from.
    static func figure(_ app: Application, _ live: Live, leaving: String?, remembered: [String: String]? = nil) -> (value: Int, source: String) {
        let minimum = app.spec.capacity.activeMinimum
        let others = app.spec.regions.map(\.name).filter { $0 != app.spec.activeRegion && live[$0] != nil }
        let left = leaving.map { [$0] }.flatMap { regions in regions.allSatisfy(others.contains) ? regions : nil } ?? others
        let loads = left.compactMap { live[$0]?.value??.desired }
        guard let load = loads.max() else {
            // The region left cannot be read (it is the failed one): the last figure the journal kept for it.
            let kept = left.compactMap { region in
                remembered?[region].flatMap { $0.split(separator: "/").first.flatMap { Int($0) } }.map { (region, $0) }
            }
            if let (region, desired) = kept.max(by: { $0.1 < $1.1 }) {
                return desired > minimum
                    ? (desired, "the last figure the journal kept for \(region) (\(desired)), which cannot be read now")
                    : (minimum, "activeMinimum \(minimum) (\(region) cannot be read; it last ran \(desired))")
            }
            let unread =
                left.isEmpty ? "no other region declares one" : "\(left.joined(separator: ", ")) could not be read, and the journal kept no figure"
            return (minimum, "activeMinimum \(minimum) (\(unread))")
        }
        return load > minimum
            ? (load, "what \(left.count == 1 ? left[0] : "the regions left") runs now (\(load))")
            : (minimum, "activeMinimum \(minimum)")
    }

    public func plan(_ app: Application, _ live: Live, into plan: inout AppPlan) {
        let spec = app.spec
        var facts: [String: String] = [:]
        for (region, observed) in live {
            switch observed {
            case let .value(capacity?): facts[region] = "\(capacity.desired)/\(capacity.inService)"
            case .value(nil), .missing:
                plan.resourceMissing(app, field: "spec.regions.\(region).\(Flavor.regionKey)", observed.problem ?? "it does not exist")
            case let .unavailable(why): plan.unobserved.append(why)
            }
        }
        plan.live.facts[Self.fact] = .map(facts)
        let active = spec.activeRegion
        if let resource: String = spec.region(active)?.declarations[Flavor.regionKey], let observed = live[active] {
            planRaise(app, resource: resource, observed, live, into: &plan)
        }
        // The region left is lowered only in a failover, only to capacity.standby, only in release.
        if let standby = spec.capacity.standby, let leaving = plan.leaving, leaving != active,
            let resource: String = spec.region(leaving)?.declarations[Flavor.regionKey], case let .value(capacity?)? = live[leaving],
            capacity.desired > standby
        {
            var step = Step(
                kind: Self.name, id: "\(Flavor.stepPrefix)-release:\(leaving)", action: Flavor.lower, phase: .release, resource: resource,
                region: leaving, reason: "it runs \(capacity.desired); capacity.standby is \(standby) once traffic left \(leaving)")
            step.capacityFigure = standby
            plan.steps.append(step)
        }
    }

    func planRaise(_ app: Application, resource: String, _ observed: Observed<Capacity?>, _ live: Live, into plan: inout AppPlan) {
        let active = app.spec.activeRegion
        let (figure, source) = Self.figure(app, live, leaving: plan.leaving, remembered: plan.remembered[Self.fact]?.map)
        var step = Step(
            kind: Self.name, id: "\(Flavor.stepPrefix):\(active)", action: Flavor.raise, phase: .prepare, resource: resource, region: active,
            reason: "")
        step.capacityFigure = figure
        switch observed {
        case .unavailable:
            // Planned anyway, so traffic waits on it: the step reads the capacity again before acting.
            step.reason = "its capacity could not be read; \(active) must run \(figure), from \(source) (checked again before acting)"
            plan.steps.append(step)
        case let .value(capacity?):
            if let maximum = capacity.maximum, maximum < figure {
                plan.blockers.append(
                    Blocker(
                        "capacity-exceeds-max",
                        "\(Flavor.noun) \(resource) in \(active) has a maximum of \(maximum), below the \(figure) it must run (\(source)); "
                            + "raise its maximum, or lower capacity.activeMinimum"))
                return
            }
            guard capacity.desired < figure || capacity.inService < figure else { return }
            step.reason =
                capacity.desired < figure
                ? "it runs \(capacity.desired); \(active) must carry \(figure), from \(source)"
                : "\(capacity.inService) of \(capacity.desired) in service; traffic waits until \(figure) are"
            plan.steps.append(step)
        case .value(nil), .missing:
            return  // a blocker names it
        }
    }

    // MARK: Acting

    public func act(_ step: Step, _ app: Application, _ context: StepContext) async throws -> StepOutcome {
        guard let figure = step.capacityFigure else { throw ReconcileError("\(step.id) has no capacity figure") }
        let (control, resource, region) = (control, step.resource, step.region)
        let read: @Sendable () async throws -> Capacity = {
            guard
                let capacity = try await context.calls.call(
                    "\(Flavor.plane) \(region)", read: true, { try await control.capacity(of: resource, region: region) })
            else { throw ReconcileError("\(Flavor.noun) \(resource) does not exist in \(region)", code: BlockerCode.resourceMissing) }
            return capacity
        }
        var capacity = try await read()
        if step.action == Flavor.lower {
            guard capacity.desired > figure else {
                return StepOutcome(step: step, status: .alreadyDone, message: "\(resource) runs \(capacity.desired)")
            }
            try context.announce(step)
            let minimum = capacity.minimum.map { min($0, figure) }
            let requestID = try await context.calls.call("\(Flavor.plane) \(region)", read: false) {
                try await control.setCapacity(of: resource, region: region, desired: figure, minimum: minimum)
            }
            context.record(step, requestID: requestID)
            return StepOutcome(step: step, status: .done, message: "\(resource) lowered to \(figure)", requestID: requestID)
        }
        var requestID: String?
        if capacity.desired < figure {
            // Raised once: a re-run finds it raised and only waits.
            try context.announce(step)
            let minimum = capacity.minimum.map { max($0, figure) }
            requestID = try await context.calls.call("\(Flavor.plane) \(region)", read: false) {
                try await control.setCapacity(of: resource, region: region, desired: figure, minimum: minimum)
            }
            context.record(step, requestID: requestID)
            capacity = try await read()
        }
        guard context.options.wait else {
            return StepOutcome(step: step, status: .started, message: "raised to \(figure); not waiting, as asked", code: StepCode.notWaiting)
        }
        // Waits within three quarters of the step's time (the rest is margin for slow reads), then leaves the step
        // pending (traffic stays): the next pass resumes the wait.
        let clock = ContinuousClock()
        let budget = context.options.stepTimeout * 0.75
        let deadline = clock.now + budget
        while capacity.inService < figure {
            guard clock.now + context.options.pollInterval < deadline else {
                throw StepFailure(
                    code: ComputeCodes.notInService, pending: true, blocks: true,
                    message: "\(capacity.inService) of \(figure) \(Flavor.unit) in \(resource) after \(DurationFormat.format(budget)); "
                        + "traffic stays where it is until the capacity is in service")
            }
            context.say("  waiting: \(capacity.inService) of \(figure) \(Flavor.unit) in \(resource)")
            try await Task.sleep(for: context.options.pollInterval)
            capacity = try await read()
        }
        return StepOutcome(
            step: step, status: requestID == nil ? .alreadyDone : .done, message: "\(capacity.inService) \(Flavor.unit) in \(resource)",
            requestID: requestID)
    }
}

/// The compute kinds' own codes (docs/OUTPUT.md).
public enum ComputeCodes {
    /// The capacity asked for did not come into service within the step's time: traffic stays; the next pass waits on.
    public static let notInService: Code = "capacity-not-in-service"
}

/// A compute kind's keys: its key under each region, and (for the kind that reads it) `spec.capacity`.
struct ComputeKeys<Flavor: ComputeFlavor>: KindSchema {
    var specKeys: [String] { [] }
    var settings: [String] { Flavor.readsCapacity ? ["capacity"] : [] }
    var regionKeys: [String] { [Flavor.regionKey] }
    var noun: String { "\(Flavor.noun)s" }

    func read(_ file: inout KindReader) {
        if Flavor.readsCapacity { readCapacity(&file) }
        for region in file.regionNames {
            guard let entry = file.region(region, Flavor.regionKey), let value = file.string(entry) else { continue }
            if let problem = Flavor.problem(value, region: region) {
                file.report(entry, problem)
            } else {
                file.regionDeclarations[region, default: Declarations()][Flavor.regionKey] = value
            }
        }
    }

    func claims(_ app: Application) -> [ResourceClaim] {
        app.spec.regions.compactMap { region in
            (region.declarations[Flavor.regionKey] as String?).map {
                ResourceClaim(
                    key: "\(Flavor.regionKey) \(region.name) \($0)", what: "\(Flavor.noun) `\($0)` in \(region.name)",
                    field: "spec.regions.\(region.name).\(Flavor.regionKey)")
            }
        }
    }
}
