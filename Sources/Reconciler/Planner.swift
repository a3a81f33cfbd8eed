import AWS
import DesiredState

/// Computes, from the difference between the desired and the live state only, the ordered steps that converge an app.
///
/// Order for making region B active: (1) promote B's Aurora cluster; (2) open B's bucket (and any other
/// bucket that should serve); (3) put B's origin first; (4) block the buckets the file wants blocked.
public enum Planner {
    /// Plans one application. With changes to make, a failed safety check turns into a blocker: nothing is done for it.
    public static func plan(_ app: Application, live: LiveState, safety: SafetyContext = SafetyContext()) -> AppPlan {
        let spec = app.spec
        var plan = AppPlan(app: app.name, activeRegion: spec.activeRegion)
        plan.blockers += missing(app, live)
        planAurora(spec, live.aurora, into: &plan)
        planBuckets(spec, live.buckets, opening: true, into: &plan)
        planOrigins(spec, live.distribution, into: &plan)
        planBuckets(spec, live.buckets, opening: false, into: &plan)
        plan.checks = SafetyChecks.run(spec, live: live, plan: plan, safety: safety)
        plan.live = summary(spec, live)
        if plan.steps.contains(where: \.isMutating) {
            plan.blockers += plan.checks.filter { !$0.passed }.map { Blocker($0.code, "\($0.name): \($0.detail)") }
        }
        linkSteps(spec, &plan)
        return plan
    }

    /// Draws the step graph. Traffic (the active bucket opening, the origin order) and fencing (blocking another
    /// region's bucket) depend on the promotion having finished, and on the active bucket being open: a promotion
    /// that fails or cannot be seen leaves them pending, so traffic never moves to a region whose database does not
    /// write. Steps outside the failover (a hot standby's bucket, a drill on the active bucket) depend on nothing.
    static func linkSteps(_ spec: ApplicationSpec, _ plan: inout AppPlan) {
        let ids = Set(plan.steps.map(\.id))
        let aurora = ids.contains("aurora") ? ["aurora"] : []
        let activeOpen = Step.id(.openBucket, region: spec.activeRegion)
        let traffic = aurora + (ids.contains(activeOpen) ? [activeOpen] : [])
        for index in plan.steps.indices {
            let step = plan.steps[index]
            switch step.action {
            case .promoteAurora, .awaitPromotion: continue
            case .openBucket: plan.steps[index].dependsOn = step.region == spec.activeRegion ? aurora : []
            case .reorderOriginGroup: plan.steps[index].dependsOn = traffic
            case .blockBucket: plan.steps[index].dependsOn = step.region == spec.activeRegion ? [] : traffic
            }
        }
    }

    /// A declared resource AWS says does not exist blocks the app, naming the file's field: acting on the rest (traffic
    /// without its database, a promotion without its traffic) would split the application.
    static func missing(_ app: Application, _ live: LiveState) -> [Blocker] {
        var found: [(field: String, why: String)] = []
        if case let .missing(why)? = live.aurora { found.append(("spec.aurora.globalClusterId", why)) }
        if case let .missing(why)? = live.distribution { found.append(("spec.cloudfront.distributionId", why)) }
        for (region, access) in live.buckets.sorted(by: { $0.key < $1.key }) {
            if case let .missing(why) = access { found.append(("spec.regions.\(region).bucket", why)) }
        }
        return found.map { field, why in
            Blocker(
                BlockerCode.resourceMissing,
                "\(app.source.location(of: field)): \(field) names a resource that does not exist (\(why)); "
                    + "nothing is done for \(app.name) until the file names an existing resource")
        }
    }

    static func summary(_ spec: ApplicationSpec, _ live: LiveState) -> LiveSummary {
        var summary = LiveSummary()
        if let aurora = live.aurora?.value {
            summary.writerRegion = aurora.writerRegion(in: spec)
        }
        if let distribution = live.distribution?.value, let groupID = spec.cloudfront?.originGroupID {
            summary.originOrder = distribution.originGroups.first { $0.id == groupID }?.memberOriginIDs
            summary.distributionStatus = distribution.status
        }
        for (region, access) in live.buckets {
            if let value = access.value { summary.buckets[region] = value.rawValue }
        }
        return summary
    }

    static func planAurora(_ spec: ApplicationSpec, _ observed: Observed<AuroraLive>?, into plan: inout AppPlan) {
        guard let aurora = spec.aurora, let observed,
            let target = spec.region(spec.activeRegion)?.auroraCluster
        else { return }
        guard let live = observed.value else {
            if case let .unavailable(why) = observed {
                // The writer is unknown: never "nothing to do". Traffic and fencing wait on this step until the writer
                // is seen in the active region; the next pass that reads it plans the promotion with its checks.
                plan.unobserved.append(why)
                plan.steps.append(
                    Step(
                        action: .awaitPromotion, resource: target.description, region: spec.activeRegion,
                        reason: "the writer could not be read; traffic and fencing wait until it is seen in \(spec.activeRegion)"))
            }
            return
        }
        let global = live.global
        let members = global.members.map(\.dbClusterArn)
        let targetARN = target.description

        if let detached = live.detached[spec.activeRegion] {
            // An earlier detach made the target a standalone cluster: it is the writer.
            if detached.status != "available" {
                plan.inProgress.append("cluster \(target.clusterID) is \(detached.status) after being detached")
            }
            return
        }
        let split = live.detached.keys.filter { $0 != spec.activeRegion }.sorted()
        if !split.isEmpty {
            plan.blockers.append(
                Blocker(
                    "split-global-database",
                    "the global database \(aurora.globalClusterID) was split by an earlier detach (\(split.joined(separator: ", ")) now standalone); "
                        + "rebuild the global database with that region's data before making \(spec.activeRegion) active again"))
            return
        }
        guard members.contains(targetARN) else {
            plan.blockers.append(
                Blocker(
                    "not-a-member",
                    "cluster \(targetARN) is not a member of global cluster \(aurora.globalClusterID); members: \(members.joined(separator: ", "))"))
            return
        }
        if let failover = global.failoverState, let status = failover.status, !status.isEmpty {
            if failover.toDBClusterArn == targetARN {
                plan.steps.append(
                    Step(
                        action: .awaitPromotion, resource: targetARN, region: spec.activeRegion,
                        reason: "a promotion to \(spec.activeRegion) is under way (\(status))", promotion: aurora.promotion))
            } else {
                plan.blockers.append(
                    Blocker(
                        "promotion-elsewhere",
                        "global cluster \(aurora.globalClusterID) is \(status) toward \(failover.toDBClusterArn ?? "another cluster"); wait for it to finish"
                    ))
            }
            return
        }
        let declared = Set(spec.regions.compactMap { $0.auroraCluster?.description })
        let undeclared = members.filter { !declared.contains($0) }
        if !undeclared.isEmpty {
            plan.warnings.append(
                "global cluster \(aurora.globalClusterID) has members the file does not declare: \(undeclared.joined(separator: ", "))")
        }
        guard global.writer?.dbClusterArn != targetARN else { return }
        if let writer = global.writer?.dbClusterArn, !declared.contains(writer) {
            // A region the file does not know writes (a person added it and failed over there?): never moved from here.
            plan.blockers.append(
                Blocker(
                    BlockerCode.undeclaredWriter,
                    "the writer of global cluster \(aurora.globalClusterID) is \(writer), a member this file does not declare; "
                        + "declare its region in the file, or move the writer by hand"))
            return
        }
        let from = live.writerRegion(in: spec) ?? "no cluster (the global cluster reports no writer)"
        if aurora.promotion == .failover {
            plan.warnings.append("promotion: failover allows data loss: writes to \(from) not yet replicated to \(spec.activeRegion) are lost")
        }
        if aurora.promotion == .detach {
            plan.warnings.append(
                "promotion: detach removes \(target.clusterID) from the global database; failing back needs the global database rebuilt")
        }
        plan.steps.append(
            Step(
                action: .promoteAurora, resource: targetARN, region: spec.activeRegion,
                reason: "the writer is in \(from); the file makes \(spec.activeRegion) active", promotion: aurora.promotion))
    }

    static func planBuckets(_ spec: ApplicationSpec, _ observed: [String: Observed<BucketAccess>], opening: Bool, into plan: inout AppPlan) {
        // The active region's bucket opens first: it is the one that must serve.
        let regions = spec.regions.sorted { ($0.name == spec.activeRegion ? 0 : 1) < ($1.name == spec.activeRegion ? 0 : 1) }
        for region in regions {
            guard let bucket = region.bucket else { continue }
            let wantBlocked = spec.wantsBlocked(region)
            guard wantBlocked != opening else { continue }
            switch observed[region.name] {
            case let .unavailable(why)?:
                // Planned anyway, so the step shows as pending: the applier re-reads the bucket before acting.
                plan.unobserved.append(why)
                plan.steps.append(
                    Step(
                        action: wantBlocked ? .blockBucket : .openBucket, resource: bucket, region: region.name,
                        reason:
                            "its state could not be read; \(wantBlocked ? blockReason(spec, region) : openReason(spec, region)) (checked again before acting)"
                    ))
            case let .value(access)?:
                let want: BucketAccess = wantBlocked ? .blocked : .open
                guard access != want else { continue }
                let why = wantBlocked ? blockReason(spec, region) : openReason(spec, region)
                plan.steps.append(
                    Step(
                        action: wantBlocked ? .blockBucket : .openBucket, resource: bucket, region: region.name,
                        reason: "it is \(access.phrase); \(why)"))
            case .missing?:
                continue  // a blocker names it
            case nil:
                plan.unobserved.append("bucket \(bucket) in \(region.name) was not observed")
            }
        }
    }

    static func blockReason(_ spec: ApplicationSpec, _ region: RegionSpec) -> String {
        region.blockPublicAccess == true ? "the file sets blockPublicAccess: true" : "standby: fenced blocks every non-active bucket"
    }

    static func openReason(_ spec: ApplicationSpec, _ region: RegionSpec) -> String {
        if region.name == spec.activeRegion { return "\(region.name) is the active region" }
        if region.blockPublicAccess == false { return "the file sets blockPublicAccess: false" }
        return "standby: hot keeps the standby bucket public so CloudFront can fail over to it"
    }

    static func planOrigins(_ spec: ApplicationSpec, _ observed: Observed<DistributionState>?, into plan: inout AppPlan) {
        guard let cloudfront = spec.cloudfront, let observed,
            let primary = spec.region(spec.activeRegion)?.originID
        else { return }
        guard let distribution = observed.value else {
            if case let .unavailable(why) = observed {
                // Planned anyway, so it shows as pending: the applier re-reads the configuration before writing it.
                plan.unobserved.append(why)
                plan.steps.append(
                    Step(
                        action: .reorderOriginGroup, resource: cloudfront.distributionID, region: "us-east-1",
                        reason: "the origin order could not be read; \(spec.activeRegion) is active (checked again before acting)",
                        originOrder: [primary]))
            }
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
            Step(
                action: .reorderOriginGroup, resource: cloudfront.distributionID, region: "us-east-1",
                reason: "the origin group serves \(group.primaryOriginID ?? "nothing") first; \(spec.activeRegion) is active",
                originOrder: order))
    }
}
