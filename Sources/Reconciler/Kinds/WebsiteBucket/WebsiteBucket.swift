import Basics
import AWS
import DesiredState

/// An S3 website bucket per region (`spec.regions.*.bucket`): open where it should serve, fenced (Block Public Access)
/// where it should not. Opening the active region's bucket is the failover's `openTarget`; fencing another region's
/// is its `fence` (a fenced bucket answers 403, on which the origin group fails over per request).
public struct WebsiteBucket: ResourceKind {
    /// Each declared region's bucket access.
    public typealias Live = [String: Observed<BucketAccess>]
    /// Preflight: can the active region's bucket serve the website?
    /// The target bucket's readiness, and the account-level public access block.
    public struct Reading: Sendable {
        public var bucket: Observed<BucketReadiness>
        public var account: Observed<(account: String, block: PublicAccessBlock?)>
    }

    public static let name = "website-bucket"
    public static let keys: any KindSchema = WebsiteBucketKeys()
    public let control: any WebsiteBucketControl

    public init(control: any WebsiteBucketControl) {
        self.control = control
    }

    public init(sender: any AWSRequestSending) {
        self.init(control: LiveWebsiteBuckets(sender: sender))
    }

    public static let actions: [StepAction.Info] = [
        StepAction.Info(.openBucket, label: "open bucket", controlPlane: { "s3 \($0.region)" }, summary: { "open bucket \($0.resource)" }),
        StepAction.Info(
            .blockBucket, label: "block bucket", controlPlane: { "s3 \($0.region)" }, summary: { "block public access to bucket \($0.resource)" }),
    ]

    public static func describe(_ live: LiveSummary) -> [LiveLine] {
        let buckets = live.buckets
        guard !buckets.isEmpty else { return [] }
        let text = buckets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return [LiveLine(key: "buckets", label: "buckets (S3)", text: "buckets \(text)", value: text)]
    }

    public static func grants(_ app: Application, account: AccountContext) throws(IAMGrantError) -> [IAMGrant] {
        let buckets = app.spec.regions.compactMap(\.bucket).map { "arn:\(account.partition):s3:::\($0)" }
        guard !buckets.isEmpty else { return [] }
        return [
            IAMGrant(
                sid: "SwitchyardBuckets",
                actions: [
                    "s3:GetBucketPublicAccessBlock", "s3:GetBucketTagging", "s3:GetBucketWebsite", "s3:ListBucket",
                    "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging",
                ],
                // The fence's record is read only to write the fence: the read-only policy needs no tags.
                mutating: ["s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:GetBucketTagging"], resources: buckets),
            // The account-level Block Public Access (S3 Control) the `account-public-access` gate reads; it has no
            // resource-level permission. (GetCallerIdentity, which names the account, needs none.)
            IAMGrant(
                sid: "SwitchyardAccountPublicAccess", actions: ["s3:GetAccountPublicAccessBlock"], mutating: [], resources: ["*"]),
        ]
    }

    public func observe(_ app: Application, calls: any CallGate) async -> Live? {
        let declared = app.spec.regions.compactMap { region in region.bucket.map { (region.name, $0) } }
        guard !declared.isEmpty else { return nil }
        let control = control
        return await Observed.eachRegion(
            declared, plane: { "s3 \($0)" }, calls: calls, what: { "cannot read the public access block of \($0) in \($1)" },
            read: { try await control.bucketAccess(bucket: $0, region: $1) })
    }

    public func read(_ app: Application, _ live: Live, plan: AppPlan, calls: any CallGate) async -> Reading? {
        let active = app.spec.activeRegion
        guard let bucket = app.spec.region(active)?.bucket else { return nil }
        let control = control
        async let readiness = Observed.reading("cannot check bucket \(bucket) in \(active)") {
            try await calls.call("s3 \(active)", read: true) { try await control.bucketReadiness(bucket: bucket, region: active) }
        }
        async let account = Observed.reading("cannot read the account's public access block (S3 Control) in \(active)") {
            try await calls.call("s3 \(active)", read: true) { try await control.accountPublicAccess(region: active) }
        }
        return Reading(bucket: await readiness, account: await account)
    }

    public func checks(_ app: Application, _ live: Live, _ reading: Reading?, plan: AppPlan, safety: SafetyContext) -> [Check] {
        let active = app.spec.activeRegion
        guard let reading, let bucket = app.spec.region(active)?.bucket else { return [] }
        return [
            Check.of("target-bucket", reading.bucket, preflight: true, remedy: "create the bucket and configure its static website hosting") {
                readiness in
                if !readiness.exists { return (false, "bucket \(bucket) does not exist in \(active)") }
                if !readiness.website { return (false, "bucket \(bucket) has no website hosting configured") }
                return (true, "bucket \(bucket) exists and hosts the website")
            },
            // The account's own block wins over any bucket's: with it on, no bucket of the account serves publicly.
            Check.of(
                "account-public-access", reading.account, preflight: true,
                remedy: "turn off RestrictPublicBuckets in the account's Block Public Access settings (S3 Control), or serve the site another way"
            ) { account in
                guard let block = account.block, block.restrictPublicBuckets else {
                    return (true, "account \(account.account) has no account-level block that keeps bucket \(bucket) from serving")
                }
                return (
                    false,
                    "account \(account.account)'s Block Public Access (S3 Control) has RestrictPublicBuckets on: bucket \(bucket) cannot serve publicly"
                )
            },
        ]
    }

    public func plan(_ app: Application, _ observed: Live, into plan: inout AppPlan) {
        let spec = app.spec
        var buckets: [String: String] = [:]
        for region in spec.regions where region.bucket != nil {
            let value = observed[region.name]?.value
            if let value { buckets[region.name] = value.rawValue }
            plan.live.serving[region.name] = value?.rawValue ?? "unknown"
        }
        plan.live.buckets = buckets
        for region in spec.regions {
            if case let .missing(why)? = observed[region.name] {
                plan.resourceMissing(app, field: "spec.regions.\(region.name).bucket", why)
            }
        }
        let handover = Self.handover(spec, leaving: plan.leaving, live: plan.live, inProgress: plan.inProgress)
        // The active region's bucket opens first: it is the one that must serve.
        let regions = spec.regions.sorted { ($0.name == spec.activeRegion ? 0 : 1) < ($1.name == spec.activeRegion ? 0 : 1) }
        for opening in [true, false] {
            for region in regions {
                guard let bucket = region.bucket, region.name != handover?.name else { continue }
                let wantBlocked = spec.wantsBlocked(region)
                guard wantBlocked != opening else { continue }
                let reason = wantBlocked ? Self.blockReason(region) : Self.openReason(spec, region)
                let step = { (reason: String) in
                    Step(
                        kind: Self.name, id: "\(wantBlocked ? "block" : "open"):\(region.name)", action: wantBlocked ? .blockBucket : .openBucket,
                        phase: wantBlocked ? .fence : .openTarget, resource: bucket, region: region.name, reason: reason,
                        // The active bucket opening and the other buckets' fences are the failover's; a hot standby's
                        // bucket and a drill on the active one stand outside it.
                        inFailover: (region.name == spec.activeRegion) != wantBlocked)
                }
                switch observed[region.name] {
                case let .unavailable(why)?:
                    // Planned anyway, so the step shows as pending: the applier re-reads the bucket before acting.
                    plan.unobserved.append(why)
                    plan.steps.append(step("its state could not be read; \(reason) (checked again before acting)"))
                case let .value(access)?:
                    let want: BucketAccess = wantBlocked ? .blocked : .open
                    guard access != want else { continue }
                    plan.steps.append(step("it is \(access.phrase); \(reason)"))
                case .missing?:
                    continue  // a blocker names it
                case nil:
                    plan.unobserved.append("bucket \(bucket) in \(region.name) was not observed")
                }
            }
        }
        if let handover, let bucket = handover.bucket { planHandover(spec, handover, bucket: bucket, observed[handover.name], into: &plan) }
    }

    /// A hot standby's failover: the region left, until CloudFront sends users to the active region first with the
    /// reorder deployed (the origin group's facts, planned before this kind), when the file does not set its bucket.
    static func handover(_ spec: ApplicationSpec, leaving: String?, live: LiveSummary, inProgress: [String]) -> RegionSpec? {
        guard spec.standby == .hot, spec.cloudfront != nil, let leaving, leaving != spec.activeRegion,
            let region = spec.region(leaving), region.bucket != nil, region.blockPublicAccess == nil
        else { return nil }
        let moved = live.trafficRegion == spec.activeRegion && inProgress.isEmpty
        return moved ? nil : region
    }

    /// Traffic follows data within a round trip: once the new region writes, the bucket of the region left is blocked
    /// (its 403 makes the origin group fail over per request, without waiting for CloudFront's deployment), and opened
    /// again in `release`, once the reorder has deployed, so the standby is hot again for a fail-back.
    func planHandover(_ spec: ApplicationSpec, _ region: RegionSpec, bucket: String, _ observed: Observed<BucketAccess>?, into plan: inout AppPlan) {
        let step = { (action: StepAction, phase: Phase, reason: String) in
            Step(
                kind: Self.name, id: "\(action == .blockBucket ? "block" : "reopen"):\(region.name)", action: action, phase: phase,
                resource: bucket, region: region.name, reason: reason)
        }
        let reopen = step(
            .openBucket, .release,
            "standby: hot: \(region.name) serves again as the standby once CloudFront sends users to \(spec.activeRegion) first")
        switch observed {
        case let .value(access)?:
            if access != .blocked {
                plan.steps.append(
                    step(
                        .blockBucket, .fence,
                        "the writer moves to \(spec.activeRegion): until CloudFront deploys the reorder, users it sends to \(region.name) "
                            + "fail over to \(spec.activeRegion) per request on this bucket's 403"))
            }
            plan.steps.append(reopen)
        case let .unavailable(why)?:
            // The region left does not answer (the outage itself): CloudFront fails over from it on its own errors.
            plan.unobserved.append(why)
        case .missing?, nil:
            return
        }
    }

    static func blockReason(_ region: RegionSpec) -> String {
        region.blockPublicAccess == true ? "the file sets blockPublicAccess: true" : "standby: fenced blocks every non-active bucket"
    }

    static func openReason(_ spec: ApplicationSpec, _ region: RegionSpec) -> String {
        if region.name == spec.activeRegion { return "\(region.name) is the active region" }
        if region.blockPublicAccess == false { return "the file sets blockPublicAccess: false" }
        return "standby: hot keeps the standby bucket public so CloudFront can fail over to it"
    }

    public func act(_ step: Step, _ app: Application, _ context: StepContext) async throws -> StepOutcome {
        let blocked = step.action == .blockBucket
        let (control, bucket, region) = (control, step.resource, step.region)
        let current = try await context.calls.call("s3 \(region)", read: true) { try await control.bucketAccess(bucket: bucket, region: region) }
        if current == (blocked ? .blocked : .open) {
            return StepOutcome(step: step, status: .alreadyDone, message: "\(bucket) is already \(current.rawValue)")
        }
        try context.announce(step)
        let requestID = try await context.calls.call("s3 \(region)", read: false) {
            try await control.setBucketAccess(bucket: bucket, region: region, blocked: blocked)
        }
        context.record(step, requestID: requestID)
        return StepOutcome(step: step, status: .done, message: "\(bucket) is \(blocked ? "blocked" : "open")", requestID: requestID)
    }
}

extension StepAction {
    /// Remove the public access block's policy flags from a bucket so it serves.
    public static let openBucket = StepAction("openBucket")
    /// Put a full public access block on a bucket.
    public static let blockBucket = StepAction("blockBucket")
}

extension LiveSummary {
    /// Each region's bucket: `open`, `blocked` or `partial`.
    public var buckets: [String: String] {
        get { facts["buckets"]?.map ?? [:] }
        set { facts["buckets"] = .map(newValue) }
    }
}
