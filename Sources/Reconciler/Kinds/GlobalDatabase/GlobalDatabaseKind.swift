import AWS
import Basics
import DesiredState
import Foundation

/// What a global database kind declares: its spec section and clusters, its names, and how it talks to AWS. Aurora
/// and DocumentDB global clusters share the RDS Query API's shapes and one promotion machinery
/// (`GlobalDatabaseKind`); each is a flavor in its own folder.
public protocol GlobalDatabaseFlavor: Sendable {
    /// The kind's name (`aurora-global-database`).
    static var name: String { get }
    /// The product, as people say it: `Aurora`, `DocumentDB`.
    static var noun: String { get }
    /// The promotion step's id in the app's graph: `aurora`.
    static var stepID: String { get }
    static var promote: StepAction { get }
    static var await: StepAction { get }
    /// Prefixes the names of its checks and blockers, so two databases' read apart (`documentdb-`); empty for Aurora.
    static var codePrefix: String { get }
    /// Its section under `spec` (`aurora`) and its cluster's key under each region (`auroraCluster`).
    static var sectionKey: String { get }
    static var clusterKey: String { get }
    /// The fact its writer's region is shown under (`auroraWriterRegion`), `unknown` when it cannot be read.
    static var writerFact: String { get }
    /// The CloudWatch metrics its lag gate reads, as the reading names them when none has a datapoint.
    static var lagMetrics: String { get }
    /// The console's element id prefix for its writer (`live` for Aurora, as the console always had it).
    static var lineKey: String { get }
    /// What `status` puts before `writer REGION` (`DocumentDB `; nothing for Aurora, as `status` always printed it).
    static var writerPrefix: String { get }
    /// Whether a global cluster of `engine` is this flavor's (`aurora-mysql` is Aurora's, `docdb` DocumentDB's).
    static func owns(engine: String) -> Bool
    /// The IAM statement: its sid and the service prefix of its actions (`rds`).
    static var sid: String { get }
    /// The live control on AWS.
    static func control(sender: any AWSRequestSending) -> any GlobalDatabaseControl
}

/// A global database as a file declares it.
public struct GlobalDatabaseDeclaration: Sendable, Equatable {
    public var globalClusterID: String
    public var promotion: PromotionMode
    public var maxReplicationLag: Duration?
    /// Each region's member cluster, by region name.
    public var clusters: [String: ClusterARN]

    public init(globalClusterID: String, promotion: PromotionMode, maxReplicationLag: Duration?, clusters: [String: ClusterARN]) {
        self.globalClusterID = globalClusterID
        self.promotion = promotion
        self.maxReplicationLag = maxReplicationLag
        self.clusters = clusters
    }
}

extension Step {
    /// Promotion mode, for a global database's steps (nil on a wait planned while the writer could not be read).
    public var promotion: PromotionMode? {
        get { attributes["promotion"]?.string.flatMap(PromotionMode.init(rawValue:)) }
        set { attributes["promotion"] = newValue.map { .string($0.rawValue) } }
    }
}

/// A global database kind: promotes the active region's cluster (switchover, failover or detach) in `promoteData`,
/// waits until it writes, never re-sends a promotion whose answer was lost.
public struct GlobalDatabaseKind<Flavor: GlobalDatabaseFlavor>: ResourceKind {
    public typealias Live = Observed<GlobalDatabaseLive>

    /// What the preflight reads for a promotion: the target cluster as its own region describes it, and its lag.
    public struct Reading: Sendable {
        var cluster: Observed<AuroraCluster?>
        var lag: Observed<LagReading?>?
    }

    public let control: any GlobalDatabaseControl

    public init(control: any GlobalDatabaseControl) {
        self.control = control
    }

    public init(sender: any AWSRequestSending) {
        self.init(control: Flavor.control(sender: sender))
    }

    public static var name: String { Flavor.name }
    public static var keys: any KindSchema { GlobalDatabaseKeys<Flavor>() }
    public static var overridable: [String] { ["replication-lag"] }

    public static var actions: [StepAction.Info] {
        let plane: @Sendable (Step) -> String = { "rds \($0.region)" }
        return [
            StepAction.Info(
                Flavor.promote, label: "promote \(Flavor.noun)", flips: true, movesWriter: true,
                wait: StepAction.Wait("promotion", label: "promotion wait", until: .dependents), controlPlane: plane,
                summary: { "promote \($0.resource) by \($0.promotion?.rawValue ?? "switchover")" }),
            StepAction.Info(
                Flavor.await, label: "await promotion", isMutating: false, controlPlane: plane,
                summary: {
                    $0.promotion == nil ? "wait until the writer is seen in \($0.resource)" : "wait for the promotion of \($0.resource) under way"
                }),
        ]
    }

    public static func describe(_ live: LiveSummary) -> [LiveLine] {
        guard let fact = live.facts[Flavor.writerFact]?.string else { return [] }
        let writer = fact == "unknown" ? nil : fact
        return [
            LiveLine(
                key: Flavor.lineKey, label: "live writer (\(Flavor.noun))",
                text: writer.map { "\(Flavor.writerPrefix)writer \($0)" } ?? "", value: writer ?? "unknown")
        ]
    }

    public static func account(of app: Application) -> (partition: String, account: String)? {
        Flavor.declaration(app)?.clusters.values.sorted { $0.description < $1.description }.first.map { ($0.partition, $0.account) }
    }

    public static func grants(_ app: Application, account: AccountContext) throws(IAMGrantError) -> [IAMGrant] {
        guard let declared = Flavor.declaration(app) else { return [] }
        guard let id = account.account else { throw IAMGrantError(needs: "global-cluster ARN") }
        // Every promotion mode is allowed whatever the files say today: an emergency commit may switch `promotion` to
        // failover, and the policy must not be what stops it. One statement lists each ARN once: the promotions need
        // the global cluster and its members, DescribeDBClusters the members (IAM matches an action only to the
        // resource types it acts on, so no pair here grants more than the ARNs it names).
        let promotions: Set<String> = ["rds:FailoverGlobalCluster", "rds:RemoveFromGlobalCluster", "rds:SwitchoverGlobalCluster"]
        return [
            IAMGrant(
                sid: Flavor.sid, actions: ["rds:DescribeDBClusters", "rds:DescribeGlobalClusters"] + promotions.sorted(), mutating: promotions,
                resources: ["arn:\(account.partition):rds::\(id):global-cluster:\(declared.globalClusterID)"]
                    + declared.clusters.values.map(\.description)),
            // A pass over many apps lists the global clusters once (`ReadBatch`) rather than describing each: the listing
            // names no cluster, so IAM matches it to every global cluster of the account. Without it, each is read alone.
            IAMGrant(
                sid: "SwitchyardListGlobalClusters", actions: ["rds:DescribeGlobalClusters"], mutating: [],
                resources: ["arn:\(account.partition):rds::\(id):global-cluster:*"]),
            // GetMetricStatistics has no resource-level permissions: `*` is the only resource it accepts.
            IAMGrant(sid: "SwitchyardReplicationLag", actions: ["cloudwatch:GetMetricStatistics"], mutating: [], resources: ["*"]),
        ]
    }

    // MARK: Observing

    /// Asks the active region first, so a failover never waits on the region it leaves; falls back to the others.
    public func observe(_ app: Application, calls: any CallGate) async -> Live? {
        guard let declared = Flavor.declaration(app) else { return nil }
        let spec = app.spec
        let order = [spec.activeRegion] + spec.regions.map(\.name).filter { $0 != spec.activeRegion }
        var problems: [String] = []
        var missing = false
        for region in order {
            do {
                let global = try await calls.call("rds \(region)", read: true) { [control] in
                    try await control.globalCluster(id: declared.globalClusterID, region: region)
                }
                let members = Set(global.members.map(\.dbClusterArn))
                var detached: [String: AuroraCluster] = [:]
                for (name, arn) in declared.clusters where !members.contains(arn.description) {
                    let cluster = try? await calls.call("rds \(arn.region)", read: true) { [control] in try await control.dbCluster(arn) }
                    if let cluster, cluster.globalClusterIdentifier == nil { detached[name] = cluster }
                }
                return .value(GlobalDatabaseLive(global: global, detached: detached))
            } catch {
                problems.append("\(region): \(error)")
                // A global cluster is one resource across regions: one region saying it does not exist is enough.
                if AWSError.isNotFound(error) {
                    missing = true
                    break
                }
            }
        }
        let why = "cannot read global cluster \(declared.globalClusterID) (\(problems.joined(separator: "; ")))"
        return missing ? .missing(why) : .unavailable(why)
    }

    public func read(_ app: Application, _ live: Live, plan: AppPlan, calls: any CallGate) async -> Reading? {
        guard let declared = Flavor.declaration(app), plan.steps.contains(where: { $0.action == Flavor.promote }),
            let arn = declared.clusters[app.spec.activeRegion]
        else { return nil }
        let control = control
        async let cluster = Observed.reading("cannot describe cluster \(arn.clusterID) in \(arn.region)") {
            try await calls.call("rds \(arn.region)", read: true) { try await control.dbCluster(arn) }
        }
        async let lag: Observed<LagReading?>? =
            declared.maxReplicationLag == nil
            ? nil
            : Observed.reading("cannot read the replication lag of \(arn.clusterID) from CloudWatch in \(arn.region)") {
                try await calls.call("cloudwatch \(arn.region)", read: true) { try await control.replicationLag(of: arn) }
            }
        return Reading(cluster: await cluster, lag: await lag)
    }

    // MARK: Planning

    public func plan(_ app: Application, _ observed: Live, into plan: inout AppPlan) {
        guard let declared = Flavor.declaration(app) else { return }
        let spec = app.spec
        let writer = observed.value?.writerRegion(declared.clusters)
        plan.live.facts[Flavor.writerFact] = .string(writer ?? "unknown")
        if let writer {
            plan.live.writers[Flavor.noun] = writer
            // Any database writing outside the active region is what a person's failover looks like.
            if plan.live.writerRegion == nil || plan.live.writerRegion == spec.activeRegion { plan.live.writerRegion = writer }
        }
        guard let target = declared.clusters[spec.activeRegion] else { return }
        let step = { (action: StepAction, reason: String, promotion: PromotionMode?) in
            var step = Step(
                kind: Self.name, id: Flavor.stepID, action: action, phase: .promoteData, resource: target.description,
                region: spec.activeRegion, reason: reason)
            step.promotion = promotion
            return step
        }
        let live: GlobalDatabaseLive
        switch observed {
        case let .value(value): live = value
        case let .missing(why):
            plan.resourceMissing(app, field: Flavor.globalField, why)
            return
        case let .unavailable(why):
            // The writer is unknown: never "nothing to do". Traffic and fencing wait on this step until the writer is
            // seen in the active region; the next pass that reads it plans the promotion with its checks.
            plan.unobserved.append(why)
            var wait = step(
                Flavor.await, "the writer could not be read; traffic, fencing and the other databases' promotions wait until it is seen", nil)
            wait.holdsPhase = true
            plan.steps.append(wait)
            return
        }
        let global = live.global
        let members = global.members.map(\.dbClusterArn)
        let targetARN = target.description
        let id = declared.globalClusterID
        if let engine = global.engine, !Flavor.owns(engine: engine) {
            plan.blockers.append(
                Blocker(
                    Code(Flavor.codePrefix + "wrong-engine"),
                    "\(app.source.location(of: Flavor.globalField)): global cluster \(id) runs \(engine), not \(Flavor.noun); "
                        + "\(Flavor.globalField) names another database's global cluster"))
            return
        }

        let known = Set(declared.clusters.values.map(\.description))
        let undeclared = members.filter { !known.contains($0) }
        if !undeclared.isEmpty {
            plan.warnings.append("global cluster \(id) has members the file does not declare: \(undeclared.joined(separator: ", "))")
        }
        if let writer = global.writer?.dbClusterArn, !known.contains(writer) {
            // A cluster the file does not declare writes (a person added it and failed over there, or the file names a
            // cluster outside the global database): never moved from here, and never read as in sync.
            plan.blockers.append(
                Blocker(
                    BlockerCode.undeclaredWriter,
                    "the writer of global cluster \(id) is \(writer), a member this file does not declare; "
                        + "declare its region in the file, or move the writer by hand"))
            return
        }
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
                    Code(Flavor.codePrefix + "split-global-database"),
                    "the global database \(id) was split by an earlier detach (\(split.joined(separator: ", ")) now standalone); "
                        + "rebuild the global database with that region's data before making \(spec.activeRegion) active again"))
            return
        }
        guard members.contains(targetARN) else {
            plan.blockers.append(
                Blocker(
                    Code(Flavor.codePrefix + "not-a-member"),
                    "cluster \(targetARN) is not a member of global cluster \(id); members: \(members.joined(separator: ", "))"))
            return
        }
        if let failover = global.failoverState, let status = failover.status, !status.isEmpty {
            if failover.toDBClusterArn == targetARN {
                plan.steps.append(step(Flavor.await, "a promotion to \(spec.activeRegion) is under way (\(status))", declared.promotion))
            } else {
                plan.blockers.append(
                    Blocker(
                        Code(Flavor.codePrefix + "promotion-elsewhere"),
                        "global cluster \(id) is \(status) toward \(failover.toDBClusterArn ?? "another cluster"); wait for it to finish"))
            }
            return
        }
        guard global.writer?.dbClusterArn != targetARN else { return }
        let from = live.writerRegion(declared.clusters) ?? "no cluster (the global cluster reports no writer)"
        if declared.promotion == .failover {
            plan.warnings.append(
                "\(Flavor.noun) promotion: failover allows data loss: writes to \(from) not yet replicated to \(spec.activeRegion) are lost")
        }
        if declared.promotion == .detach {
            plan.warnings.append(
                "promotion: detach removes \(target.clusterID) from the global database; failing back needs the global database rebuilt")
        }
        plan.steps.append(step(Flavor.promote, "the writer is in \(from); the file makes \(spec.activeRegion) active", declared.promotion))
    }

    // MARK: Checks

    public func checks(_ app: Application, _ observed: Live, _ reading: Reading?, plan: AppPlan, safety: SafetyContext) -> [Check] {
        guard let declared = Flavor.declaration(app), let arn = declared.clusters[app.spec.activeRegion],
            plan.steps.contains(where: { $0.action == Flavor.promote })
        else { return [] }
        let prefix = Flavor.codePrefix
        var checks: [Check] = []
        if let reading {
            checks.append(
                Check.of(Code(prefix + "target-cluster"), reading.cluster, preflight: true) { cluster in
                    // Membership needs no check here: the planner promotes only a member of the global cluster.
                    guard let cluster else { return (false, "cluster \(arn.clusterID) does not exist in \(arn.region)") }
                    return (cluster.status == "available", "cluster \(arn.clusterID) is \(cluster.status)")
                })
            if case let .value(cluster?) = reading.cluster, let instances = cluster.instances {
                checks.append(
                    Check(
                        Code(prefix + "target-instances"), passed: instances > 0,
                        instances > 0
                            ? "cluster \(arn.clusterID) has \(instances) DB instance\(instances == 1 ? "" : "s")"
                            : "cluster \(arn.clusterID) has no DB instance: promoted, it could not serve a single query",
                        preflight: true, remedy: "add a DB instance to \(arn.clusterID) (the writer's class, for the load)"))
            }
            // A switchover is refused across engine versions; a failover (data loss allowed) is not.
            if declared.promotion == .switchover, case let .value(cluster?) = reading.cluster, let version = cluster.engineVersion,
                let writerVersion = observed.value?.global.engineVersion
            {
                checks.append(
                    Check(
                        Code(prefix + "engine-version"), passed: version == writerVersion,
                        version == writerVersion
                            ? "cluster \(arn.clusterID) runs \(version), as the global cluster does"
                            : "cluster \(arn.clusterID) runs \(version); the global cluster \(declared.globalClusterID) runs \(writerVersion): "
                                + "a switchover between engine versions is refused",
                        preflight: true, remedy: "upgrade \(arn.clusterID) to \(writerVersion), or use promotion: failover"))
            }
        }
        // A switchover needs every region healthy; a failover presumes the old primary down, so only the target side counts.
        if declared.promotion == .switchover, let global = observed.value?.global {
            let lagging = global.members.filter { !$0.isWriter && $0.synchronizationStatus != "connected" }
            checks.append(
                Check(
                    Code(prefix + "replicas-connected"), passed: lagging.isEmpty,
                    lagging.isEmpty
                        ? "every secondary of \(declared.globalClusterID) is connected"
                        : lagging.map {
                            "\(ClusterARN($0.dbClusterArn)?.clusterID ?? $0.dbClusterArn) is \($0.synchronizationStatus ?? "of unknown synchronization")"
                        }
                        .joined(separator: ", ") + "; a switchover needs them connected (use promotion: failover if the primary is down)",
                    preflight: true))
        }
        if let limit = declared.maxReplicationLag, let lag = reading?.lag {
            checks.append(Self.replicationLag(limit, lag, cluster: arn, safety: safety))
        }
        return checks
    }

    /// The lag gate. An unknown lag (no datapoint, CloudWatch unreadable or throttled) holds the promotion unless the
    /// flip commit carries `Switchyard-Override: replication-lag`; a lag known to be above the limit is never overridden.
    static func replicationLag(_ limit: Duration, _ observed: Observed<LagReading?>, cluster arn: ClusterARN, safety: SafetyContext) -> Check {
        let name = Code(Flavor.codePrefix + "replication-lag")
        let overridden = safety.overrides.contains("replication-lag")
        let how =
            "to fail over with the lag unknown, add the trailer `Switchyard-Override: replication-lag` to the flip commit "
            + "(or, with the primary down, use promotion: failover)"
        let unknown: String
        switch observed {
        case let .value(reading?):
            let lag = Duration.milliseconds(Int64(reading.milliseconds.rounded(.up)))
            let figure =
                "\(reading.metric) \(DurationFormat.format(lag)) at \(Timestamp.format(reading.timestamp)) (limit \(DurationFormat.format(limit)))"
            if lag <= limit { return Check(name, passed: true, figure) }
            return Check(
                name, passed: false,
                "\(figure): above the limit"
                    + (overridden ? "; Switchyard-Override: replication-lag applies only to an unknown lag, not to one known to be too high" : ""))
        case .value(nil):
            unknown = "no \(Flavor.lagMetrics) datapoint for \(arn.clusterID) in the last 10 minutes"
        case let .unavailable(why), let .missing(why):
            unknown = why
        }
        if overridden {
            return Check(name, passed: true, "\(unknown); the lag is unknown: overridden by \(safety.overriddenBy)")
        }
        return Check(name, passed: false, "\(unknown); the lag is unknown, so the promotion waits; \(how)")
    }
}
