import Basics
import AWS
import Foundation

/// Whether a bucket's public access block lets CloudFront read it.
///
/// A website bucket serves through its bucket policy, so only the two policy flags decide: `RestrictPublicBuckets`
/// stops a public policy from granting access and `BlockPublicPolicy` stops one from being put back. The ACL flags
/// (`BlockPublicAcls`, `IgnorePublicAcls`) do not affect serving and are left as the owner set them when opening.
public enum BucketAccess: String, Sendable, Codable, Equatable {
    /// No configuration, or neither policy flag set (whatever the ACL flags).
    case open
    /// Both policy flags set.
    case blocked
    /// One policy flag set and not the other: neither state Switchyard writes; treated as drift.
    case partial

    /// How the public access block reads for serving; nil (no configuration) is open.
    public init(_ block: PublicAccessBlock?) {
        switch (block?.blockPublicPolicy ?? false, block?.restrictPublicBuckets ?? false) {
        case (false, false): self = .open
        case (true, true): self = .blocked
        default: self = .partial
        }
    }

    /// How a plan's reason names the state.
    public var phrase: String {
        switch self {
        case .open: "open"
        case .blocked: "blocked"
        case .partial: "partly blocked (only one of BlockPublicPolicy and RestrictPublicBuckets is set)"
        }
    }
}

/// Whether a bucket can serve the website: preflight for making its region active.
public struct BucketReadiness: Sendable, Equatable {
    public var exists: Bool
    public var website: Bool

    public init(exists: Bool, website: Bool) {
        self.exists = exists
        self.website = website
    }
}

/// What the website-bucket kind calls, each in the bucket's region.
public protocol WebsiteBucketControl: Sendable {
    /// The bucket's public access block, asked in the bucket's region.
    func bucketAccess(bucket: String, region: String) async throws -> BucketAccess
    /// Fences the bucket (all four flags true) or opens it (clears the two policy flags, keeping the ACL flags as they
    /// are); returns the AWS request id when known, nil when there was nothing to write.
    func setBucketAccess(bucket: String, region: String, blocked: Bool) async throws -> String?
    /// Whether the bucket exists and has website hosting, asked in its region.
    func bucketReadiness(bucket: String, region: String) async throws -> BucketReadiness
    /// The caller's account and its account-level public access block (S3 Control), asked in `region`; nil block when
    /// the account has none.
    func accountPublicAccess(region: String) async throws -> (account: String, block: PublicAccessBlock?)
}

/// `WebsiteBucketControl` on S3.
public struct LiveWebsiteBuckets: WebsiteBucketControl {
    let sender: any AWSRequestSending
    /// The caller's account, read once: the credentials' account does not change under a running process.
    let account = Locked<String?>(nil)
    /// The account's block per region, as read in the last few seconds: one read serves every app of a pass.
    let accountBlocks = Locked<[String: (block: PublicAccessBlock?, at: ContinuousClock.Instant)]>([:])

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    public func bucketAccess(bucket: String, region: String) async throws -> BucketAccess {
        BucketAccess(try await S3Client(sender: sender).getPublicAccessBlock(bucket: bucket, region: region))
    }

    /// The bucket tag in which a fence keeps the Block Public Access settings it replaced (`none`: there were none,
    /// else their four flags as bits), so that any host undoes the fence exactly.
    public static let fenceTag = "switchyard:fenced-from"

    public func setBucketAccess(bucket: String, region: String, blocked: Bool) async throws -> String? {
        let capture = RequestIDCapture(sender)
        let client = S3Client(sender: capture)
        let reader = S3Client(sender: sender)
        let current = try await reader.getPublicAccessBlock(bucket: bucket, region: region)
        let tags = try await reader.getBucketTagging(bucket: bucket, region: region)
        if blocked {
            // Recorded before the fence (a crash in between leaves the record, which the next fence keeps).
            if tags[Self.fenceTag] == nil, current != .blockAll {
                try await reader.putBucketTagging(
                    tags.merging([Self.fenceTag: current?.bits ?? "none"]) { $1 }, bucket: bucket, region: region)
            }
            try await client.putPublicAccessBlock(.blockAll, bucket: bucket, region: region)
            return capture.requestID
        }
        // Opening restores what the fence replaced; a bucket Switchyard never fenced keeps its owner's flags. Either
        // way only the two policy flags, which stop a website from serving, end up cleared.
        var configuration = tags[Self.fenceTag].flatMap { $0 == "none" ? PublicAccessBlock.blockNone : PublicAccessBlock(bits: $0) } ?? current
        configuration?.blockPublicPolicy = false
        configuration?.restrictPublicBuckets = false
        var requestID: String?
        if let configuration, configuration != current {
            if configuration == .blockNone, tags[Self.fenceTag] == "none" {
                try await client.deletePublicAccessBlock(bucket: bucket, region: region)
            } else {
                try await client.putPublicAccessBlock(configuration, bucket: bucket, region: region)
            }
            requestID = capture.requestID
        }
        if tags[Self.fenceTag] != nil {
            try await reader.putBucketTagging(tags.filter { $0.key != Self.fenceTag }, bucket: bucket, region: region)
        }
        return requestID
    }

    public func accountPublicAccess(region: String) async throws -> (account: String, block: PublicAccessBlock?) {
        let known = account.withLock { $0 }
        let id: String
        if let known {
            id = known
        } else {
            id = try await STSClient(sender: sender).getCallerIdentity(region: region).account
            account.withLock { $0 = id }
        }
        let now = ContinuousClock.now
        if let cached = accountBlocks.withLock({ $0[region] }), now - cached.at < .seconds(10) { return (id, cached.block) }
        let block = try await S3ControlClient(sender: sender).getPublicAccessBlock(account: id, region: region)
        accountBlocks.withLock { $0[region] = (block, now) }
        return (id, block)
    }

    public func bucketReadiness(bucket: String, region: String) async throws -> BucketReadiness {
        let s3 = S3Client(sender: sender)
        guard try await s3.headBucket(bucket: bucket, region: region) else { return BucketReadiness(exists: false, website: false) }
        return BucketReadiness(exists: true, website: try await s3.getBucketWebsite(bucket: bucket, region: region) != nil)
    }
}
