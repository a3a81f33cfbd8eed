import DesiredState

/// `spec.cloudfront`.
public struct CloudFrontSpec: Sendable, Equatable, Declaration {
    public var distributionID: String
    public var originGroupID: String

    public init(distributionID: String, originGroupID: String) {
        self.distributionID = distributionID
        self.originGroupID = originGroupID
    }
}

/// The origin group's keys: `spec.cloudfront` and `spec.regions.*.originId`.
struct CloudFrontOriginGroupKeys: KindSchema {
    let specKeys = ["cloudfront"]
    let regionKeys = ["originId"]
    let noun = "CloudFront origins"

    func read(_ file: inout KindReader) {
        for region in file.regionNames {
            if let entry = file.region(region, "originId"), let origin = file.string(entry) {
                file.regionDeclarations[region, default: Declarations()]["originId"] = origin
            }
        }
        if let section = file.spec("cloudfront"), let entries = file.mapping(section, allowed: ["distributionId", "originGroupId"]) {
            let distribution = file.string(entries, "distributionId", in: section)
            if let d = distribution, !(d.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }), let entry = entries["distributionId"] {
                file.report(entry, "found `\(d)`; expected a CloudFront distribution id (uppercase letters and digits, such as E1EXAMPLE)")
            }
            if let distribution, let group = file.string(entries, "originGroupId", in: section) {
                file.declarations["cloudfront"] = CloudFrontSpec(distributionID: distribution, originGroupID: group)
            }
        }
        file.requireComplete(regionKey: "originId", section: "cloudfront")
        file.requireDistinct("originId", noun: "origin")
    }

    func claims(_ app: Application) -> [ResourceClaim] {
        guard let cloudfront = app.spec.cloudfront else { return [] }
        return [
            ResourceClaim(
                key: "origin group \(cloudfront.distributionID) \(cloudfront.originGroupID)",
                what: "origin group `\(cloudfront.originGroupID)` of distribution `\(cloudfront.distributionID)`",
                field: "spec.cloudfront.originGroupId")
        ]
    }
}

extension RegionSpec {
    /// The CloudFront origin that serves this region.
    public var originID: String? {
        get { declarations["originId"] }
        set { declarations["originId"] = newValue }
    }
}

extension ApplicationSpec {
    /// `spec.cloudfront`.
    public var cloudfront: CloudFrontSpec? {
        get { declarations["cloudfront"] }
        set { declarations["cloudfront"] = newValue }
    }
}
