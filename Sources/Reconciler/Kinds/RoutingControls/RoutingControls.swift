import AWS
import Basics
import DesiredState
import Foundation

/// Route 53 ARC routing controls (`spec.routingControls`, `spec.regions.*.routingControlArn`): the active region's
/// control `On`, every other `Off`, set in one `UpdateRoutingControlStates` call at whichever of the cluster's regional
/// endpoints answers. The data plane spans five regions, so no one region's failure stops a failover: the
/// static-stability answer. Its step is the failover's `moveTraffic`.
public struct RoutingControls: ResourceKind {
    /// Each region's control state (`On`/`Off`).
    public typealias Live = Observed<[String: String]>
    /// What each cluster endpoint answered to a read of the active region's control: nil, it answered.
    public typealias Reading = [(endpoint: ClusterEndpoint, failure: AWSError?)]

    public static let name = "arc-routing-controls"
    public static let keys: any KindSchema = RoutingControlsKeys()
    public let control: any RoutingControlControl

    public init(control: any RoutingControlControl) {
        self.control = control
    }

    public init(sender: any AWSRequestSending) {
        self.init(control: LiveRoutingControls(sender: sender))
    }

    static let plane = "arc cluster"

    public static let actions: [StepAction.Info] = [
        StepAction.Info(
            .setRoutingControls, label: "set routing controls", flips: true, controlPlane: { _ in "ARC cluster endpoints" },
            summary: { "turn \($0.attributes["on"]?.string ?? "?")'s routing control On and the others Off" })
    ]

    public static func describe(_ live: LiveSummary) -> [LiveLine] {
        guard let map = live.facts["routingControls"]?.map, !map.isEmpty else { return [] }
        let text = map.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let on = map.filter { $0.value == "On" }.keys.sorted()
        return [
            LiveLine(
                key: "arc", label: "routing controls (ARC)", text: "controls \(text)", value: on.isEmpty ? "none On" : on.joined(separator: ", "),
                note: text)
        ]
    }

    public static func grants(_ app: Application, account: AccountContext) throws(IAMGrantError) -> [IAMGrant] {
        let controls = app.spec.regions.compactMap(\.routingControlARN)
        guard !controls.isEmpty else { return [] }
        return [
            IAMGrant(
                sid: "SwitchyardRoutingControls",
                actions: ["route53-recovery-cluster:GetRoutingControlState", "route53-recovery-cluster:UpdateRoutingControlStates"],
                mutating: ["route53-recovery-cluster:UpdateRoutingControlStates"], resources: controls.sorted())
        ]
    }

    /// The endpoints in a rotated order (AWS's guidance: spread the calls, try the next one when one does not answer).
    static func endpoints(_ spec: RoutingControlsSpec) -> [ClusterEndpoint] {
        let all = spec.clusterEndpoints.compactMap { endpoint in URL(string: endpoint.url).map { ClusterEndpoint(region: endpoint.region, url: $0) } }
        guard all.count > 1 else { return all }
        let start =
            rotation.withLock { value in
                defer { value &+= 1 }
                return value
            } % all.count
        return Array(all[start...] + all[..<start])
    }

    private static let rotation = Locked(0)

    /// Each control's state, by the key given with it, all read at the first endpoint that answers.
    static func states(
        of controls: [(key: String, arn: String)], _ control: any RoutingControlControl, _ endpoints: [ClusterEndpoint]
    ) async throws -> [String: String] {
        try await RoutingControlClient.firstAnswer(endpoints) { endpoint in
            var states: [String: String] = [:]
            for (key, arn) in controls { states[key] = try await control.state(of: arn, at: endpoint) }
            return states
        }
    }

    public func observe(_ app: Application, calls: any CallGate) async -> Live? {
        guard let spec = app.spec.routingControls else { return nil }
        let controls = app.spec.regions.compactMap { region in region.routingControlARN.map { (region.name, $0) } }
        let (control, endpoints) = (control, Self.endpoints(spec))
        return await Observed.reading("cannot read the routing controls") {
            try await calls.call(Self.plane, read: true) {
                try await Self.states(of: controls, control, endpoints)
            }
        }
    }

    /// Every endpoint is asked (a failover tries them in turn: one that answers wrongly is found now, not then).
    public func read(_ app: Application, _ live: Live, plan: AppPlan, calls: any CallGate) async -> Reading? {
        guard let spec = app.spec.routingControls, let arn = app.spec.region(app.spec.activeRegion)?.routingControlARN else { return nil }
        let control = control
        var answers: Reading = []
        for endpoint in spec.clusterEndpoints.compactMap({ e in URL(string: e.url).map { ClusterEndpoint(region: e.region, url: $0) } }) {
            do {
                _ = try await calls.call(Self.plane, read: true) { try await control.state(of: arn, at: endpoint) }
                answers.append((endpoint, nil))
            } catch let error as AWSError {
                answers.append((endpoint, error))
            } catch {
                answers.append(
                    (
                        endpoint,
                        AWSError(
                            kind: .transport, service: "route53-recovery-cluster", operation: "GetRoutingControlState", code: "Unknown",
                            message: "\(error)")
                    ))
            }
        }
        return answers
    }

    public func checks(_ app: Application, _ live: Live, _ reading: Reading?, plan: AppPlan, safety: SafetyContext) -> [Check] {
        guard let reading, !reading.isEmpty else { return [] }
        let failed = reading.compactMap { answer in answer.failure.map { (answer.endpoint, $0) } }
        let said = failed.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
        if failed.isEmpty {
            return [Check("cluster-endpoints", passed: true, "each of the \(reading.count) cluster endpoints answers", preflight: true)]
        }
        // An endpoint that refuses a call signed for its declared region is declared wrong; one that does not answer
        // now only makes the failover try the next (slower); none answering stops it.
        let misdeclared = failed.contains { $0.1.code == "InvalidSignatureException" || !RoutingControlClient.endpointFailed($0.1) }
        let none = failed.count == reading.count
        return [
            Check(
                "cluster-endpoints", passed: false,
                "\(failed.count) of \(reading.count) cluster endpoints did not answer as they should: \(said)", preflight: true,
                advisory: !misdeclared && !none,
                remedy: misdeclared
                    ? "list each endpoint with its own region, as DescribeCluster gives them (and grant the read)"
                    : "the failover goes through the others; check the endpoints that did not answer")
        ]
    }

    public func plan(_ app: Application, _ observed: Live, into plan: inout AppPlan) {
        let spec = app.spec
        guard spec.routingControls != nil, let activeARN = spec.region(spec.activeRegion)?.routingControlARN else { return }
        let step = { (reason: String) in
            var step = Step(
                kind: Self.name, id: "routing-controls", action: .setRoutingControls, phase: .moveTraffic, resource: activeARN,
                region: spec.activeRegion, reason: reason)
            step.attributes["on"] = .string(spec.activeRegion)
            return step
        }
        let states: [String: String]
        switch observed {
        case let .value(value): states = value
        case let .missing(why):
            plan.resourceMissing(app, field: "spec.regions.\(spec.activeRegion).routingControlArn", why)
            return
        case let .unavailable(why):
            plan.unobserved.append(why)
            plan.steps.append(step("the routing controls could not be read; \(spec.activeRegion) is active (checked again before acting)"))
            return
        }
        plan.live.facts["routingControls"] = .map(states)
        let on = states.filter { $0.value == "On" }.keys.sorted()
        if let serving = on.first(where: { $0 != spec.activeRegion }) ?? on.first, plan.live.trafficRegion == nil || serving != spec.activeRegion {
            plan.live.trafficRegion = serving
        }
        let wrong = states.filter { $0.value != ($0.key == spec.activeRegion ? "On" : "Off") }
        guard !wrong.isEmpty else { return }
        plan.steps.append(step("\(on.isEmpty ? "no control is On" : "On: \(on.joined(separator: ", "))"); \(spec.activeRegion) is active"))
    }

    public func act(_ step: Step, _ app: Application, _ context: StepContext) async throws -> StepOutcome {
        guard let spec = app.spec.routingControls else { throw ReconcileError("\(step.id) without spec.routingControls") }
        let active = app.spec.activeRegion
        var desired: [String: String] = [:]
        for region in app.spec.regions {
            if let arn = region.routingControlARN { desired[arn] = region.name == active ? "On" : "Off" }
        }
        let (control, endpoints, wanted) = (control, Self.endpoints(spec), desired)
        do {
            let current = try await context.calls.call(Self.plane, read: true) {
                try await Self.states(of: wanted.keys.map { ($0, $0) }, control, endpoints)
            }
            if current == wanted { return StepOutcome(step: step, status: .alreadyDone, message: "\(active)'s control is already On") }
            try context.announce(step)
            let (endpoint, requestID) = try await context.calls.call(Self.plane, read: false) {
                try await RoutingControlClient.firstAnswer(endpoints) { endpoint in
                    (endpoint, try await control.setStates(wanted, at: endpoint))
                }
            }
            context.record(step, requestID: requestID)
            return StepOutcome(
                step: step, status: .done, message: "\(active)'s control On, the others Off (through \(endpoint))", requestID: requestID)
        } catch let none as EndpointsUnanswered {
            throw StepFailure(code: RoutingControlCodes.unanswered, pending: true, message: "\(none); retried on the next run")
        } catch let error as AWSError where error.code == "ConflictException" {
            // A safety rule refused the change: nothing changed, and trying again changes nothing until a person acts.
            throw StepFailure(
                code: RoutingControlCodes.refused, pending: true, blocks: true,
                message: "a safety rule refused the change: \(error.message) (request \(error.requestID ?? "unknown")); "
                    + "nothing changed; a person must decide (the rule, or the controls)",
                awsError: error)
        }
    }
}

/// The routing-control kind's own codes (docs/OUTPUT.md).
public enum RoutingControlCodes {
    /// No endpoint of the cluster answered: each is named with its answer; the next pass tries again.
    public static let unanswered: Code = "arc-endpoints-unanswered"
    /// A safety rule (409 `ConflictException`) refused the change: never retried blindly.
    public static let refused: Code = "routing-control-refused"
}

/// What the routing-control kind calls, at one cluster endpoint.
public protocol RoutingControlControl: Sendable {
    func state(of control: String, at endpoint: ClusterEndpoint) async throws -> String
    /// Sets every control of `states` in one call; returns the request id when known.
    func setStates(_ states: [String: String], at endpoint: ClusterEndpoint) async throws -> String?
}

/// `RoutingControlControl` on the ARC cluster data plane.
struct LiveRoutingControls: RoutingControlControl {
    let sender: any AWSRequestSending

    func state(of control: String, at endpoint: ClusterEndpoint) async throws -> String {
        try await RoutingControlClient(sender: sender).state(of: control, at: endpoint)
    }

    func setStates(_ states: [String: String], at endpoint: ClusterEndpoint) async throws -> String? {
        try await RoutingControlClient(sender: sender).setStates(states, at: endpoint)
    }
}

extension StepAction {
    /// Turn the active region's routing control On and every other Off, in one call.
    public static let setRoutingControls = StepAction("setRoutingControls")
}
