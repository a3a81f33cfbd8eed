import AWS
import DesiredState

/// Reads an application's live state, every part concurrently, each in the region that holds it.
public struct Observer: Sendable {
    public let cloud: any CloudControl

    public init(cloud: any CloudControl) {
        self.cloud = cloud
    }

    /// Observes buckets, the distribution and Aurora at once (not the safety checks' reads: see `plan`); a part that cannot be read is `unavailable`, not fatal.
    public func observe(_ app: Application) async -> LiveState {
        let spec = app.spec
        async let aurora = observeAurora(spec)
        async let distribution = observeDistribution(spec)
        var buckets: [String: Observed<BucketAccess>] = [:]
        await withTaskGroup(of: (String, Observed<BucketAccess>).self) { group in
            for region in spec.regions {
                guard let bucket = region.bucket else { continue }
                group.addTask { (region.name, await observeBucket(bucket, region: region.name)) }
            }
            for await (region, access) in group { buckets[region] = access }
        }
        return LiveState(buckets: buckets, distribution: await distribution, aurora: await aurora)
    }

    /// Observes and plans one application. The safety checks' extra reads are made only when there is something to
    /// change (the target's bucket readiness), and the Aurora ones (its cluster, CloudWatch) only for a promotion:
    /// an idle pass stays cheap.
    public func plan(_ app: Application, safety: SafetyContext = SafetyContext()) async -> AppPlan {
        var live = await observe(app)
        let plan = Planner.plan(app, live: live, safety: safety)
        guard plan.steps.contains(where: \.isMutating) else { return plan }
        let promoting = plan.steps.contains { $0.action == .promoteAurora }
        (live.targetBucket, live.targetCluster, live.lag) = await observePreflight(app.spec, promoting: promoting)
        return Planner.plan(app, live: live, safety: safety)
    }

    /// What the safety checks read, all in the active region: its bucket's readiness and, for a promotion, its
    /// cluster and its lag.
    func observePreflight(
        _ spec: ApplicationSpec, promoting: Bool
    )
        async -> (Observed<BucketReadiness>?, Observed<AuroraCluster?>?, Observed<LagReading?>?)
    {
        let target = spec.region(spec.activeRegion)
        let promotedCluster = promoting ? target?.auroraCluster : nil
        async let bucket: Observed<BucketReadiness>? = target?.bucket.asyncMap { bucket in
            await observing("cannot check bucket \(bucket) in \(spec.activeRegion)") {
                try await cloud.bucketReadiness(bucket: bucket, region: spec.activeRegion)
            }
        }
        async let cluster: Observed<AuroraCluster?>? = promotedCluster.asyncMap { arn in
            await observing("cannot describe cluster \(arn.clusterID) in \(arn.region)") { try await cloud.dbCluster(arn) }
        }
        async let lag: Observed<LagReading?>? =
            spec.aurora?.maxReplicationLag == nil
            ? nil
            : promotedCluster.asyncMap { arn in
                await observing("cannot read the replication lag of \(arn.clusterID) from CloudWatch in \(arn.region)") {
                    try await cloud.replicationLag(of: arn)
                }
            }
        return (await bucket, await cluster, await lag)
    }

    func observing<T: Sendable>(_ what: String, _ body: () async throws -> T) async -> Observed<T> {
        do { return .value(try await body()) } catch {
            return Self.isNotFound(error) ? .missing("\(what): \(error)") : .unavailable("\(what): \(error)")
        }
    }

    /// The error codes by which AWS says a named resource does not exist.
    static let notFoundCodes: Set<String> = [
        "GlobalClusterNotFoundFault", "DBClusterNotFoundFault", "NoSuchDistribution", "NoSuchBucket", "NotFound", "NoSuchOriginGroup",
    ]

    static func isNotFound(_ error: any Error) -> Bool {
        guard let error = error as? AWSError, error.kind == .service else { return false }
        return notFoundCodes.contains(error.code)
    }

    func observeBucket(_ bucket: String, region: String) async -> Observed<BucketAccess> {
        await observing("cannot read the public access block of \(bucket) in \(region)") {
            try await cloud.bucketAccess(bucket: bucket, region: region)
        }
    }

    func observeDistribution(_ spec: ApplicationSpec) async -> Observed<DistributionState>? {
        guard let cloudfront = spec.cloudfront else { return nil }
        return await observing("cannot read CloudFront distribution \(cloudfront.distributionID)") {
            try await cloud.distribution(id: cloudfront.distributionID)
        }
    }

    /// Asks the active region first, so a failover never waits on the region it leaves; falls back to the others.
    func observeAurora(_ spec: ApplicationSpec) async -> Observed<AuroraLive>? {
        guard let aurora = spec.aurora else { return nil }
        let order = [spec.activeRegion] + spec.regions.map(\.name).filter { $0 != spec.activeRegion }
        var problems: [String] = []
        var missing = false
        for region in order {
            do {
                let global = try await cloud.globalCluster(id: aurora.globalClusterID, region: region)
                let members = Set(global.members.map(\.dbClusterArn))
                var detached: [String: AuroraCluster] = [:]
                for declared in spec.regions {
                    guard let arn = declared.auroraCluster, !members.contains(arn.description) else { continue }
                    if let cluster = try? await cloud.dbCluster(arn), cluster.globalClusterIdentifier == nil {
                        detached[declared.name] = cluster
                    }
                }
                return .value(AuroraLive(global: global, detached: detached))
            } catch {
                problems.append("\(region): \(error)")
                // A global cluster is one resource across regions: one region saying it does not exist is enough.
                if Self.isNotFound(error) {
                    missing = true
                    break
                }
            }
        }
        let why = "cannot read global cluster \(aurora.globalClusterID) (\(problems.joined(separator: "; ")))"
        return missing ? .missing(why) : .unavailable(why)
    }
}

extension Optional where Wrapped: Sendable {
    func asyncMap<T>(_ transform: (Wrapped) async -> T) async -> T? {
        guard let value = self else { return nil }
        return await transform(value)
    }
}
