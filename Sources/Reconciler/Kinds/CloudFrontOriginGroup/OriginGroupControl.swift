import AWS
import Foundation

/// What Switchyard needs to know of the CloudFront distribution.
public struct DistributionState: Sendable, Equatable {
    /// `InProgress` while a change deploys, `Deployed` after.
    public var status: String
    public var originGroups: [OriginGroup]
    /// The origin (or group) the default cache behavior targets.
    public var defaultTargetOriginID: String?

    public init(status: String, originGroups: [OriginGroup], defaultTargetOriginID: String? = nil) {
        self.status = status
        self.originGroups = originGroups
        self.defaultTargetOriginID = defaultTargetOriginID
    }

    public var isDeployed: Bool { status == "Deployed" }
}

/// What the origin-group kind calls: CloudFront's control plane (us-east-1).
public protocol OriginGroupControl: Sendable {
    /// The distribution's status and origin groups.
    func distribution(id: String) async throws -> DistributionState
    /// Rewrites the origin group so `primary` comes first, re-reading on a stale ETag.
    /// - Returns: the request id, or nil when the order was already right.
    func reorderOriginGroup(distributionID: String, groupID: String, primary: String) async throws -> String?
}

/// `OriginGroupControl` on CloudFront: the configuration round-trips losslessly, only the group's order changes.
public struct LiveOriginGroups: OriginGroupControl {
    let sender: any AWSRequestSending
    /// Attempts at an UpdateDistribution whose ETag went stale between read and write.
    let staleETagAttempts = 3

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    public func distribution(id: String) async throws -> DistributionState {
        let distribution = try await CloudFrontClient(sender: sender).getDistribution(id: id)
        return DistributionState(
            status: distribution.status, originGroups: distribution.originGroups, defaultTargetOriginID: distribution.defaultTargetOriginID)
    }

    public func reorderOriginGroup(distributionID: String, groupID: String, primary: String) async throws -> String? {
        let client = CloudFrontClient(sender: sender)
        var attempt = 0
        while true {
            attempt += 1
            let snapshot = try await client.getDistributionConfig(id: distributionID)
            let reordered = try OriginGroups.reordering(group: groupID, primary: primary, in: snapshot.config)
            if reordered == snapshot.config { return nil }
            let capture = RequestIDCapture(sender)
            do {
                _ = try await CloudFrontClient(sender: capture).updateDistribution(id: distributionID, config: reordered, ifMatch: snapshot.etag)
                return capture.requestID ?? ""
            } catch let error as AWSError where error.isStaleETag && attempt < staleETagAttempts {
                // Someone changed the distribution between our read and write: re-read, re-diff, retry.
                continue
            }
        }
    }
}
