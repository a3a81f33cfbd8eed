import Basics
import AWS
import DesiredState

/// A CloudFront distribution's origin group (`spec.cloudfront`, `spec.regions.*.originId`): the active region's origin
/// first, so CloudFront sends users there and fails over to the others. Its step is the failover's `moveTraffic`.
public struct CloudFrontOriginGroup: ResourceKind {
    public typealias Live = Observed<DistributionState>

    public static let name = "cloudfront-origin-group"
    public static let keys: any KindSchema = CloudFrontOriginGroupKeys()
    public let control: any OriginGroupControl

    public init(control: any OriginGroupControl) {
        self.control = control
    }

    public init(sender: any AWSRequestSending) {
        self.init(control: LiveOriginGroups(sender: sender))
    }

    public static let actions: [StepAction.Info] = [
        StepAction.Info(
            .reorderOriginGroup, label: "reorder origins", flips: true,
            wait: StepAction.Wait("cloudfront-deployment", label: "CloudFront deploy", until: .inSync),
            controlPlane: { _ in "cloudfront (us-east-1)" },
            summary: { "put \($0.originOrder?.first ?? "?") first in the origin group of \($0.resource)" })
    ]

    public static func describe(_ live: LiveSummary) -> [LiveLine] {
        let order = live.originOrder
        let status = live.distributionStatus
        return [
            LiveLine(
                key: "origin", label: "serving origin (CloudFront)",
                text: order.map { "origins \($0.joined(separator: " > "))\(status.map { " (\($0))" } ?? "")" } ?? "",
                value: order?.first ?? "unknown", note: status ?? "")
        ]
    }

    public static func grants(_ app: Application, account: AccountContext) throws(IAMGrantError) -> [IAMGrant] {
        guard let cloudfront = app.spec.cloudfront else { return [] }
        guard let id = account.account else { throw IAMGrantError(needs: "CloudFront distribution ARN") }
        return [
            IAMGrant(
                sid: "SwitchyardOriginGroups",
                actions: ["cloudfront:GetDistribution", "cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution"],
                mutating: ["cloudfront:UpdateDistribution"],
                resources: ["arn:\(account.partition):cloudfront::\(id):distribution/\(cloudfront.distributionID)"])
        ]
    }

    public func observe(_ app: Application, calls: any CallGate) async -> Live? {
        guard let cloudfront = app.spec.cloudfront else { return nil }
        let control = control
        return await Observed.reading("cannot read CloudFront distribution \(cloudfront.distributionID)") {
            try await calls.call("cloudfront", read: true) { try await control.distribution(id: cloudfront.distributionID) }
        }
    }

    public func checks(_ app: Application, _ live: Live, _ reading: Void?, plan: AppPlan, safety: SafetyContext) -> [Check] {
        guard let cloudfront = app.spec.cloudfront, let group = live.value?.originGroups.first(where: { $0.id == cloudfront.originGroupID })
        else { return [] }
        let missing = app.spec.regions.compactMap(\.originID).filter { !group.memberOriginIDs.contains($0) }
        let distribution = cloudfront.distributionID
        var checks = [
            Check(
                "origin-group", passed: missing.isEmpty,
                missing.isEmpty
                    ? "origin group \(group.id) holds every region's origin (\(group.memberOriginIDs.joined(separator: ", ")))"
                    : "origin group \(group.id) lacks \(missing.joined(separator: ", "))", preflight: true,
                remedy: "add each region's origin to the group")
        ]
        // The distribution was read (the group is in it): a default behavior that cannot be told is not one that fits.
        let target = live.value?.defaultTargetOriginID
        checks.append(
            Check(
                "default-behavior", passed: target == group.id,
                target == group.id
                    ? "the default cache behavior of \(distribution) targets origin group \(group.id)"
                    : "the default cache behavior of \(distribution) targets \(target ?? "nothing that could be read"), not origin group \(group.id): "
                        + "reordering the group would move no traffic",
                preflight: true, remedy: "make the default cache behavior's TargetOriginId the origin group"))
        // A fenced bucket answers 403: unless the group fails over on it, users wait for the reorder to deploy.
        if app.spec.standby == .fenced {
            let fails = group.failoverStatusCodes.contains(403)
            checks.append(
                Check(
                    "failover-criteria", passed: fails,
                    fails
                        ? "origin group \(group.id) fails over on 403 (\(group.failoverStatusCodes.map(String.init).joined(separator: ", ")))"
                        : "origin group \(group.id) fails over on \(group.failoverStatusCodes.map(String.init).joined(separator: ", ")), not 403: "
                            + "fencing a region moves no traffic until the reorder has deployed (minutes)",
                    preflight: true, advisory: true, remedy: "add 403 to the origin group's failover criteria"))
        }
        return checks
    }

    public func plan(_ app: Application, _ observed: Live, into plan: inout AppPlan) {
        let spec = app.spec
        guard let cloudfront = spec.cloudfront else { return }
        if let distribution = observed.value, let group = distribution.originGroups.first(where: { $0.id == cloudfront.originGroupID }) {
            plan.live.originOrder = group.memberOriginIDs
            plan.live.trafficRegion = group.memberOriginIDs.first.flatMap { first in spec.regions.first { $0.originID == first }?.name }
        }
        if let distribution = observed.value { plan.live.facts["distributionStatus"] = .string(distribution.status) }
        guard let primary = spec.region(spec.activeRegion)?.originID else { return }
        let step = { (reason: String, order: [String]) in
            var step = Step(
                kind: Self.name, id: "origins", action: .reorderOriginGroup, phase: .moveTraffic, resource: cloudfront.distributionID,
                region: "us-east-1", reason: reason)
            step.originOrder = order
            return step
        }
        let distribution: DistributionState
        switch observed {
        case let .value(value): distribution = value
        case let .missing(why):
            plan.resourceMissing(app, field: "spec.cloudfront.distributionId", why)
            return
        case let .unavailable(why):
            // Planned anyway, so it shows as pending: the applier re-reads the configuration before writing it.
            plan.unobserved.append(why)
            plan.steps.append(step("the origin order could not be read; \(spec.activeRegion) is active (checked again before acting)", [primary]))
            return
        }
        guard let group = distribution.originGroups.first(where: { $0.id == cloudfront.originGroupID }) else {
            plan.blockers.append(
                Blocker("origin-group-missing", "distribution \(cloudfront.distributionID) has no origin group \(cloudfront.originGroupID)"))
            return
        }
        let missing = spec.regions.compactMap(\.originID).filter { !group.memberOriginIDs.contains($0) }
        guard missing.isEmpty else {
            plan.blockers.append(
                Blocker(
                    "origin-group-incomplete",
                    "origin group \(cloudfront.originGroupID) lacks \(missing.joined(separator: ", ")); members: \(group.memberOriginIDs.joined(separator: ", "))"
                ))
            return
        }
        if !distribution.isDeployed {
            plan.inProgress.append("CloudFront distribution \(cloudfront.distributionID) is \(distribution.status)")
        }
        let order = [primary] + group.memberOriginIDs.filter { $0 != primary }
        guard order != group.memberOriginIDs else { return }
        plan.steps.append(
            step("the origin group serves \(group.primaryOriginID ?? "nothing") first; \(spec.activeRegion) is active", order))
    }

    public func act(_ step: Step, _ app: Application, _ context: StepContext) async throws -> StepOutcome {
        guard let cloudfront = app.spec.cloudfront, let primary = step.originOrder?.first else {
            throw ReconcileError("reorder step without an origin")
        }
        try context.announce(step)
        let control = control
        let requestID = try await context.calls.call("cloudfront", read: false) {
            try await control.reorderOriginGroup(distributionID: cloudfront.distributionID, groupID: cloudfront.originGroupID, primary: primary)
        }
        context.record(step, requestID: requestID)
        guard requestID != nil else {
            return StepOutcome(step: step, status: .alreadyDone, message: "\(primary) is already first")
        }
        // CloudFront deploys for minutes; the other steps never wait for it. Status shows it converging.
        return StepOutcome(step: step, status: .started, message: "\(primary) is first; CloudFront is deploying the change", requestID: requestID)
    }
}

extension StepAction {
    /// Put the active region's origin first in the CloudFront origin group.
    public static let reorderOriginGroup = StepAction("reorderOriginGroup")
}

extension Step {
    /// The origin order after the step, for reorder steps.
    public var originOrder: [String]? {
        get { attributes["originOrder"]?.list }
        set { attributes["originOrder"] = newValue.map(StepAttribute.list) }
    }
}

extension LiveSummary {
    /// The origin group's members, primary first.
    public var originOrder: [String]? {
        get { facts["originOrder"]?.list }
        set { facts["originOrder"] = newValue.map(StepAttribute.list) }
    }

    /// `InProgress` or `Deployed`.
    public var distributionStatus: String? { facts["distributionStatus"]?.string }
}
