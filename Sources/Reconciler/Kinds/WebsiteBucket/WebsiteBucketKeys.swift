import DesiredState

/// How the non-active regions' buckets are treated (`spec.standby`).
public enum StandbyMode: String, Sendable, CaseIterable, Codable, Declaration {
    /// The standby bucket stays public so CloudFront's origin group can fail over to it.
    case hot
    /// Every non-active bucket gets Block Public Access.
    case fenced
}

/// The website bucket's keys: `spec.regions.*.bucket`, `spec.regions.*.blockPublicAccess`, `spec.standby`.
struct WebsiteBucketKeys: KindSchema {
    let specKeys: [String] = []
    let settings = ["standby"]
    let regionKeys = ["bucket", "blockPublicAccess"]
    let noun = "buckets"

    func read(_ file: inout KindReader) {
        if let entry = file.spec("standby") {
            file.declarations["standby"] = file.enumeration(entry, default: StandbyMode.hot)
        }
        for region in file.regionNames {
            var declared = file.regionDeclarations[region] ?? Declarations()
            if let entry = file.region(region, "bucket"), let bucket = file.string(entry) {
                if isBucketName(bucket) {
                    declared["bucket"] = bucket
                } else {
                    file.report(entry, "found `\(bucket)`; expected an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)")
                }
            }
            if let entry = file.region(region, "blockPublicAccess") {
                declared["blockPublicAccess"] = file.bool(entry)
                if file.region(region, "bucket") == nil {
                    file.report(entry, atKey: true, "set on a region without a bucket; add `bucket` or remove it")
                }
            }
            file.regionDeclarations[region] = declared
        }
        file.requireComplete(regionKey: "bucket", section: nil)
        checkServingRegion(&file)
        file.requireDistinct("bucket", noun: "bucket")
    }

    /// Fail-closed: a file that would block every region's bucket leaves the app with nowhere to serve from.
    func checkServingRegion(_ file: inout KindReader) {
        let regions = file.regionNames.map { RegionSpec(name: $0, declarations: file.regionDeclarations[$0] ?? Declarations()) }
        guard !regions.isEmpty, regions.allSatisfy({ $0.bucket != nil }) else { return }
        let spec = ApplicationSpec(activeRegion: file.activeRegion ?? "", regions: regions, declarations: file.declarations)
        guard regions.allSatisfy(spec.wantsBlocked) else { return }
        let where_ = regions.first { $0.name == file.activeRegion } ?? regions[0]
        file.report(
            region: where_.name, "blockPublicAccess",
            "every region's bucket would be blocked, so no region could serve (fail-closed); "
                + "leave at least one bucket open: remove blockPublicAccess: true from the active region, or make another region active")
    }

    func claims(_ app: Application) -> [ResourceClaim] {
        app.spec.regions.compactMap { region in
            region.bucket.map { ResourceClaim(key: "bucket \($0)", what: "bucket `\($0)`", field: "spec.regions.\(region.name).bucket") }
        }
    }
}

/// S3's bucket naming rules (the general-purpose ones).
func isBucketName(_ name: String) -> Bool {
    guard (3...63).contains(name.count),
        name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") }),
        let first = name.first, let last = name.last,
        first.isLetter || first.isNumber, last.isLetter || last.isNumber,
        !name.contains("..")
    else { return false }
    return true
}

extension RegionSpec {
    /// The region's website bucket.
    public var bucket: String? {
        get { declarations["bucket"] }
        set { declarations["bucket"] = newValue }
    }

    /// Explicitly block (true) or open (false) this region's bucket, whatever the active region.
    public var blockPublicAccess: Bool? {
        get { declarations["blockPublicAccess"] }
        set { declarations["blockPublicAccess"] = newValue }
    }
}

extension ApplicationSpec {
    /// How the non-active regions' buckets are treated; `hot` unless the file says otherwise.
    public var standby: StandbyMode {
        get { declarations["standby"] ?? .hot }
        set { declarations["standby"] = newValue }
    }

    /// Whether this region's bucket should carry a full public access block.
    ///
    /// An explicit `blockPublicAccess` wins; otherwise a non-active bucket is blocked only when the standby is fenced.
    public func wantsBlocked(_ region: RegionSpec) -> Bool {
        if let override = region.blockPublicAccess { return override }
        return region.name != activeRegion && standby == .fenced
    }
}
