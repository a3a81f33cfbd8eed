import AWS
import Basics
import DesiredState
import Foundation

/// A Route 53 failover record pair (`spec.route53`, `spec.regions.*.route53SetIdentifier`): the active region's record
/// `PRIMARY`, the other `SECONDARY`, swapped in one change batch that copies each record exactly as read with only
/// `Failover` changed. Its step is the failover's `moveTraffic`. Route 53's record API is a control plane in us-east-1.
public struct Route53FailoverRecords: ResourceKind {
    /// The records of the declared name and type.
    public typealias Live = Observed<[RecordSet]>

    public static let name = "route53-failover-records"
    public static let keys: any KindSchema = Route53FailoverRecordsKeys()
    public let control: any FailoverRecordControl

    public init(control: any FailoverRecordControl) {
        self.control = control
    }

    public init(sender: any AWSRequestSending) {
        self.init(control: LiveFailoverRecords(sender: sender))
    }

    static let plane = "route53 (us-east-1)"

    public static let actions: [StepAction.Info] = [
        StepAction.Info(
            .swapFailoverRecords, label: "swap failover records", flips: true, controlPlane: { _ in plane },
            summary: { "make \($0.attributes["primary"]?.string ?? "?")'s record PRIMARY in \($0.resource)" })
    ]

    public static func describe(_ live: LiveSummary) -> [LiveLine] {
        guard let map = live.facts["failoverRecords"]?.map, !map.isEmpty else { return [] }
        let text = map.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return [
            LiveLine(
                key: "dns", label: "failover records (Route 53)", text: "records \(text)",
                value: map.first { $0.value == "PRIMARY" }?.key ?? "no PRIMARY", note: text)
        ]
    }

    public static func grants(_ app: Application, account: AccountContext) throws(IAMGrantError) -> [IAMGrant] {
        guard let route53 = app.spec.route53 else { return [] }
        return [
            IAMGrant(
                sid: "SwitchyardFailoverRecords", actions: ["route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets"],
                mutating: ["route53:ChangeResourceRecordSets"],
                resources: ["arn:\(account.partition):route53:::hostedzone/\(Route53Client.bareZoneID(route53.hostedZoneID))"]),
            IAMGrant(
                sid: "SwitchyardRoute53Changes", actions: ["route53:GetChange"], mutating: [],
                resources: ["arn:\(account.partition):route53:::change/*"]),
        ]
    }

    public func observe(_ app: Application, calls: any CallGate) async -> Live? {
        guard let route53 = app.spec.route53 else { return nil }
        let control = control
        return await Observed.reading("cannot read the \(route53.recordName) records of hosted zone \(route53.hostedZoneID)") {
            try await calls.call(Self.plane, read: true) { try await control.records(route53) }
        }
    }

    /// Each carrying region's record as observed, or what is wrong with it.
    static func pair(_ app: Application, _ records: [RecordSet]) -> (byRegion: [String: RecordSet], problems: [String]) {
        var byRegion: [String: RecordSet] = [:]
        var problems: [String] = []
        for region in app.spec.regions {
            guard let id = region.route53SetIdentifier else { continue }
            guard let record = records.first(where: { $0.setIdentifier == id }) else {
                problems.append("no record with SetIdentifier \(id) (\(region.name))")
                continue
            }
            guard record.failover != nil else {
                problems.append("the record \(id) (\(region.name)) is not a failover record")
                continue
            }
            byRegion[region.name] = record
        }
        return (byRegion, problems)
    }

    public func plan(_ app: Application, _ observed: Live, into plan: inout AppPlan) {
        let spec = app.spec
        guard let route53 = spec.route53 else { return }
        let resource = "\(RecordName.canonical(route53.recordName)) \(route53.recordType)"
        let records: [RecordSet]
        switch observed {
        case let .value(value): records = value
        case let .missing(why):
            plan.resourceMissing(app, field: "spec.route53.hostedZoneId", why)
            return
        case let .unavailable(why):
            plan.unobserved.append(why)
            if let id = spec.region(spec.activeRegion)?.route53SetIdentifier {
                plan.steps.append(
                    step(resource, primary: id, "the records could not be read; \(spec.activeRegion) is active (checked again before acting)"))
            }
            return
        }
        let (byRegion, problems) = Self.pair(app, records)
        plan.live.facts["failoverRecords"] = .map(byRegion.mapValues { $0.failover ?? "" })
        if let primary = byRegion.first(where: { $0.value.failover == "PRIMARY" })?.key,
            plan.live.trafficRegion == nil || primary != spec.activeRegion
        {
            plan.live.trafficRegion = primary
        }
        guard problems.isEmpty else {
            plan.blockers.append(
                Blocker(
                    "failover-records-incomplete",
                    "\(app.source.location(of: "spec.route53.recordName")): \(resource) in hosted zone \(route53.hostedZoneID): "
                        + problems.joined(separator: "; ") + "; create the pair (one PRIMARY, one SECONDARY record) or fix the identifiers"))
            return
        }
        guard let activeID = spec.region(spec.activeRegion)?.route53SetIdentifier else { return }
        let wrong = byRegion.filter { $0.value.failover != ($0.key == spec.activeRegion ? "PRIMARY" : "SECONDARY") }
        guard !wrong.isEmpty else { return }
        let current = byRegion.first { $0.value.failover == "PRIMARY" }?.key
        if current == "us-east-1" && spec.activeRegion != "us-east-1" {
            plan.warnings.append(
                "\(resource): moving traffic away from us-east-1 through failover records depends on Route 53's control plane, "
                    + "which is in us-east-1; while it does not answer the step is retried and the other steps go on"
                    + (spec.routingControls == nil
                        ? ". Routing controls (spec.routingControls, ARC) move traffic without depending on one region" : ""))
        }
        plan.steps.append(
            step(
                resource, primary: activeID,
                "\(current.map { "\($0)'s record is PRIMARY" } ?? "no record is PRIMARY"); \(spec.activeRegion) is active"))
    }

    func step(_ resource: String, primary: String, _ reason: String) -> Step {
        var step = Step(
            kind: Self.name, id: "failover-records", action: .swapFailoverRecords, phase: .moveTraffic, resource: resource,
            region: "us-east-1", reason: reason)
        step.attributes["primary"] = .string(primary)
        return step
    }

    public func act(_ step: Step, _ app: Application, _ context: StepContext) async throws -> StepOutcome {
        guard let route53 = app.spec.route53, step.attributes["primary"]?.string != nil else {
            throw ReconcileError("\(step.id) has no record to make PRIMARY")
        }
        let control = control
        let records = try await context.calls.call(Self.plane, read: true) { try await control.records(route53) }
        let (byRegion, problems) = Self.pair(app, records)
        guard problems.isEmpty else {
            throw StepFailure(code: "failover-records-incomplete", blocks: true, message: problems.joined(separator: "; "))
        }
        let desired = byRegion.map { region, record in record.with(failover: region == app.spec.activeRegion ? "PRIMARY" : "SECONDARY") }
        if desired.allSatisfy({ record in byRegion.values.contains { $0.setIdentifier == record.setIdentifier && $0.failover == record.failover } }) {
            return StepOutcome(step: step, status: .alreadyDone, message: "\(app.spec.activeRegion)'s record is already PRIMARY")
        }
        try context.announce(step)
        let sorted = desired.sorted { ($0.setIdentifier ?? "") < ($1.setIdentifier ?? "") }
        let change = try await context.calls.call(Self.plane, read: false) {
            try await control.upsert(route53, sorted, comment: "switchyard: \(app.name) active in \(app.spec.activeRegion)")
        }
        context.record(step, requestID: change.requestID)
        // Route 53 answers PENDING until its name servers have the change, usually within a minute.
        let clock = ContinuousClock()
        let deadline = clock.now + context.options.stepTimeout * 0.75
        var status = change.info.status
        while context.options.wait, status != "INSYNC", clock.now + context.options.pollInterval < deadline {
            context.say("  waiting: Route 53 change \(change.info.id) is \(status)")
            try await Task.sleep(for: context.options.pollInterval)
            status = try await context.calls.call(Self.plane, read: true) { try await control.change(change.info.id).status }
        }
        return StepOutcome(
            step: step, status: status == "INSYNC" ? .done : .started,
            message: "\(app.spec.activeRegion)'s record is PRIMARY (change \(change.info.id) \(status))", requestID: change.requestID)
    }
}

/// What the failover-record kind calls, on Route 53's control plane.
public protocol FailoverRecordControl: Sendable {
    /// The zone's records of the declared name and type.
    func records(_ spec: Route53Spec) async throws -> [RecordSet]
    /// UPSERTs `records` in one change batch.
    func upsert(_ spec: Route53Spec, _ records: [RecordSet], comment: String) async throws -> (info: ChangeInfo, requestID: String?)
    func change(_ id: String) async throws -> ChangeInfo
}

/// `FailoverRecordControl` on Route 53.
struct LiveFailoverRecords: FailoverRecordControl {
    let sender: any AWSRequestSending

    func records(_ spec: Route53Spec) async throws -> [RecordSet] {
        try await Route53Client(sender: sender).recordSets(zone: spec.hostedZoneID, name: spec.recordName).filter { $0.type == spec.recordType }
    }

    func upsert(_ spec: Route53Spec, _ records: [RecordSet], comment: String) async throws -> (info: ChangeInfo, requestID: String?) {
        let capture = RequestIDCapture(sender)
        let info = try await Route53Client(sender: capture).upsert(zone: spec.hostedZoneID, records, comment: comment)
        return (info, capture.requestID)
    }

    func change(_ id: String) async throws -> ChangeInfo {
        try await Route53Client(sender: sender).change(id: id)
    }
}

extension StepAction {
    /// Make the active region's failover record PRIMARY and the other SECONDARY, in one change batch.
    public static let swapFailoverRecords = StepAction("swapFailoverRecords")
}
