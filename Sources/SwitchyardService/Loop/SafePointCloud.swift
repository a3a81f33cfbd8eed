import AWS
import DesiredState
import Reconciler

/// Where a pass may stop: between AWS calls, never during one.
///
/// Once `stop(_:)` is called, every later call throws `StoppedAtSafePoint` before reaching AWS; a call already
/// in flight runs to its end in a task of its own, so cancelling the pass (to cut short a wait) cannot abort it.
final class SafePoint: Sendable {
    private let reason = Locked<String?>(nil)

    func stop(_ why: String) {
        reason.withLock { if $0 == nil { $0 = why } }
    }

    var stopReason: String? { reason.withLock { $0 } }

    func check() throws {
        if let stopReason { throw StoppedAtSafePoint(reason: stopReason) }
    }

    /// Runs one AWS call unaffected by the caller's cancellation.
    func call<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try check()
        return try await Task { try await body() }.value
    }
}

/// A pass stopped between two calls: a newer commit took over, or the service is stopping.
struct StoppedAtSafePoint: Error, CustomStringConvertible {
    var reason: String
    var description: String { "stopped at a safe point: \(reason)" }
}

/// `CloudControl` whose every call is a safe point.
struct SafePointCloud: CloudControl {
    let base: any CloudControl
    let safePoint: SafePoint

    func bucketAccess(bucket: String, region: String) async throws -> BucketAccess {
        try await safePoint.call { try await base.bucketAccess(bucket: bucket, region: region) }
    }

    func setBucketAccess(bucket: String, region: String, blocked: Bool) async throws -> String? {
        try await safePoint.call { try await base.setBucketAccess(bucket: bucket, region: region, blocked: blocked) }
    }

    func distribution(id: String) async throws -> DistributionState {
        try await safePoint.call { try await base.distribution(id: id) }
    }

    func reorderOriginGroup(distributionID: String, groupID: String, primary: String) async throws -> String? {
        try await safePoint.call { try await base.reorderOriginGroup(distributionID: distributionID, groupID: groupID, primary: primary) }
    }

    func globalCluster(id: String, region: String) async throws -> GlobalCluster {
        try await safePoint.call { try await base.globalCluster(id: id, region: region) }
    }

    func dbCluster(_ arn: ClusterARN) async throws -> DBCluster? {
        try await safePoint.call { try await base.dbCluster(arn) }
    }

    func bucketReadiness(bucket: String, region: String) async throws -> BucketReadiness {
        try await safePoint.call { try await base.bucketReadiness(bucket: bucket, region: region) }
    }

    func replicationLag(of cluster: ClusterARN) async throws -> LagReading? {
        try await safePoint.call { try await base.replicationLag(of: cluster) }
    }

    func promote(_ mode: PromotionMode, globalClusterID: String, target: ClusterARN) async throws -> String? {
        try await safePoint.call { try await base.promote(mode, globalClusterID: globalClusterID, target: target) }
    }
}
