import Yams

/// The v1 schema: which fields exist, what each holds, and the rules across fields.
extension NodeReader {
    mutating func application(_ root: Node) -> Application? {
        guard let top = mapping(root, "", allowed: ["apiVersion", "kind", "metadata", "spec"]) else { return nil }
        if let version = string(top, "apiVersion", in: root, ""), version != ApplicationParser.apiVersion {
            let hint =
                version.hasPrefix("switchyard/")
                ? "; this Switchyard reads only \(ApplicationParser.apiVersion): upgrade Switchyard to read a newer version"
                : ""
            report(at: top["apiVersion"]?.value, "apiVersion", "found `\(version)`; expected `\(ApplicationParser.apiVersion)`\(hint)")
        }
        if let kind = string(top, "kind", in: root, ""), kind != ApplicationParser.kind {
            report(at: top["kind"]?.value, "kind", "found `\(kind)`; expected `\(ApplicationParser.kind)`")
        }
        var name: String?
        if let metadata = top["metadata"]?.value {
            if let fields = mapping(metadata, "metadata", allowed: ["name"]) {
                name = string(fields, "name", in: metadata, "metadata")
                if let n = name, !isDNSLabel(n) {
                    report(
                        at: fields["name"]?.value, "metadata.name",
                        "found `\(n)`; expected lowercase letters, digits and hyphens (at most 63), starting with a letter")
                    name = nil
                }
            }
        } else {
            report(at: root, "metadata", "missing; this field is required")
        }
        guard let specNode = top["spec"]?.value else {
            report(at: root, "spec", "missing; this field is required")
            return nil
        }
        guard let spec = spec(specNode), let name else { return nil }
        let activeMark = mapping(specNode, "spec", allowed: nil)?["activeRegion"]?.value.mark
        return Application(name: name, spec: spec, source: .init(path: path, activeRegion: location(activeMark), fields: fields))
    }

    private mutating func spec(_ node: Node) -> ApplicationSpec? {
        let field = "spec"
        guard let fields = mapping(node, field, allowed: ["activeRegion", "standby", "regions", "cloudfront", "aurora", "safety", "suspend"])
        else { return nil }
        let active = string(fields, "activeRegion", in: node, field)
        let standby = enumeration(fields, "standby", in: node, field, default: StandbyMode.hot)
        var regions: [RegionSpec] = []
        var regionKeys: [String: Node] = [:]
        if let regionsNode = fields["regions"]?.value {
            regions = self.regions(regionsNode, keys: &regionKeys)
            if regions.count < 2, regionsNode.mapping != nil {
                report(at: regionsNode, "spec.regions", "found \(regions.count) region\(regions.count == 1 ? "" : "s"); expected at least two")
            }
        } else {
            report(at: node, "spec.regions", "missing; this field is required")
        }
        if let active, !regions.isEmpty, !regions.contains(where: { $0.name == active }) {
            report(
                at: fields["activeRegion"]?.value, "spec.activeRegion",
                "found `\(active)`; expected one of the regions declared under spec.regions: \(regions.map(\.name).joined(separator: ", "))")
        }
        let cloudfront = fields["cloudfront"].flatMap { cloudFront($0.value) }
        let aurora = fields["aurora"].flatMap { self.aurora($0.value) }
        let safety = fields["safety"].flatMap { self.safety($0.value) } ?? SafetySpec()
        checkGroups(
            regions: regions, keys: regionKeys, specNode: node, fields: fields,
            hasCloudFront: fields["cloudfront"] != nil, hasAurora: fields["aurora"] != nil)
        guard let active else { return nil }
        var spec = ApplicationSpec(
            activeRegion: active, standby: standby, regions: regions,
            cloudfront: cloudfront, aurora: aurora, safety: safety)
        spec.suspend = bool(fields, "suspend", field) ?? false
        return spec
    }

    private mutating func regions(_ node: Node, keys: inout [String: Node]) -> [RegionSpec] {
        guard let mapping = node.mapping else {
            report(at: node, "spec.regions", "found \(describe(node)); expected a mapping of region name to its resources")
            return []
        }
        var result: [RegionSpec] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { continue }
            let field = "spec.regions.\(name)"
            if !isRegionName(name) {
                report(at: key, field, "found `\(name)`; expected an AWS region name such as us-east-1")
            }
            keys[name] = key
            guard let entries = self.mapping(value, field, allowed: ["bucket", "originId", "auroraCluster", "blockPublicAccess"])
            else { continue }
            var region = RegionSpec(name: name)
            if let bucket = string(entries, "bucket", in: value, field, required: false) {
                if isBucketName(bucket) {
                    region.bucket = bucket
                } else {
                    report(
                        at: entries["bucket"]?.value, "\(field).bucket",
                        "found `\(bucket)`; expected an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)")
                }
            }
            region.originID = string(entries, "originId", in: value, field, required: false)
            if let text = string(entries, "auroraCluster", in: value, field, required: false) {
                if let arn = ClusterARN(text) {
                    if let lower = lowerCaseIdentifier(arn.clusterID) {
                        report(
                            at: entries["auroraCluster"]?.value, "\(field).auroraCluster",
                            "found cluster identifier `\(arn.clusterID)`; expected `\(lower)`: "
                                + Self.lowerCaseReason("DB cluster identifiers"))
                        region.auroraCluster = arn  // the file is refused; keep it from also reading as missing
                    } else if arn.region == name {
                        region.auroraCluster = arn
                    } else {
                        report(
                            at: entries["auroraCluster"]?.value, "\(field).auroraCluster",
                            "found a cluster in `\(arn.region)`; expected a cluster in `\(name)`, the region it is declared under")
                    }
                } else {
                    report(
                        at: entries["auroraCluster"]?.value, "\(field).auroraCluster",
                        "found `\(text)`; expected a DB cluster ARN such as arn:aws:rds:\(name):111122223333:cluster:NAME")
                }
            }
            region.blockPublicAccess = bool(entries, "blockPublicAccess", field)
            if region.blockPublicAccess != nil, entries["bucket"] == nil {
                report(
                    at: entries["blockPublicAccess"]?.key, "\(field).blockPublicAccess", "set on a region without a bucket; add `bucket` or remove it"
                )
            }
            result.append(region)
        }
        return result
    }

    private mutating func cloudFront(_ node: Node) -> CloudFrontSpec? {
        let field = "spec.cloudfront"
        guard let entries = mapping(node, field, allowed: ["distributionId", "originGroupId"]) else { return nil }
        let distribution = string(entries, "distributionId", in: node, field)
        if let d = distribution, !(d.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
            report(
                at: entries["distributionId"]?.value, "\(field).distributionId",
                "found `\(d)`; expected a CloudFront distribution id (uppercase letters and digits, such as E1EXAMPLE)")
        }
        let group = string(entries, "originGroupId", in: node, field)
        guard let distribution, let group else { return nil }
        return CloudFrontSpec(distributionID: distribution, originGroupID: group)
    }

    private mutating func aurora(_ node: Node) -> AuroraSpec? {
        let field = "spec.aurora"
        guard let entries = mapping(node, field, allowed: ["globalClusterId", "promotion", "maxReplicationLag"]) else { return nil }
        let id = string(entries, "globalClusterId", in: node, field)
        let promotion = enumeration(entries, "promotion", in: node, field, default: PromotionMode.switchover)
        let lag = duration(entries, "maxReplicationLag", in: node, field)
        if let id, let lower = lowerCaseIdentifier(id) {
            report(
                at: entries["globalClusterId"]?.value, "\(field).globalClusterId",
                "found `\(id)`; expected `\(lower)`: " + Self.lowerCaseReason("global cluster identifiers"))
            return nil
        }
        guard let id else { return nil }
        return AuroraSpec(globalClusterID: id, promotion: promotion, maxReplicationLag: lag)
    }

    private mutating func safety(_ node: Node) -> SafetySpec? {
        guard let entries = mapping(node, "spec.safety", allowed: ["minDwell"]) else { return nil }
        return SafetySpec(minDwell: duration(entries, "minDwell", in: node, "spec.safety"))
    }

    /// Buckets, CloudFront and Aurora are each optional as a group, but a group that is present is complete.
    private mutating func checkGroups(
        regions: [RegionSpec], keys: [String: Node], specNode: Node,
        fields: [String: (key: Node, value: Node)], hasCloudFront: Bool, hasAurora: Bool
    ) {
        guard !regions.isEmpty else { return }
        func complete(_ present: (RegionSpec) -> Bool, _ name: String, section: String?, sectionPresent: Bool) {
            let having = regions.filter(present)
            let groupInUse = !having.isEmpty || sectionPresent
            guard groupInUse else { return }
            for region in regions where !present(region) {
                let why = sectionPresent ? "spec.\(section ?? "") is set" : "other regions declare it"
                report(at: keys[region.name], "spec.regions.\(region.name).\(name)", "missing; required because \(why)")
            }
            if let section, !sectionPresent {
                report(at: specNode, "spec.\(section)", "missing; required because regions declare `\(name)`")
            }
        }
        complete({ $0.bucket != nil }, "bucket", section: nil, sectionPresent: false)
        complete({ $0.originID != nil }, "originId", section: "cloudfront", sectionPresent: hasCloudFront)
        complete({ $0.auroraCluster != nil }, "auroraCluster", section: "aurora", sectionPresent: hasAurora)

        if regions.allSatisfy({ $0.bucket == nil && $0.originID == nil && $0.auroraCluster == nil }), !hasCloudFront, !hasAurora {
            report(at: fields["regions"]?.value, "spec.regions", "no resources declared; expected buckets, CloudFront origins or Aurora clusters")
        }
        checkServingRegion(regions: regions, keys: keys, fields: fields)
        requireDistinct(\.originID, "originId", "origin", regions: regions, keys: keys)
        requireDistinct(\.bucket, "bucket", "bucket", regions: regions, keys: keys)
    }
}

extension NodeReader {
    /// Two regions may not share an origin or a bucket: a flip must change which one serves.
    mutating func requireDistinct(_ value: KeyPath<RegionSpec, String?>, _ field: String, _ noun: String, regions: [RegionSpec], keys: [String: Node])
    {
        var owner: [String: String] = [:]
        for region in regions {
            guard let v = region[keyPath: value] else { continue }
            if let other = owner[v] {
                report(
                    at: keys[region.name], "spec.regions.\(region.name).\(field)",
                    "found `\(v)`, already the \(noun) of \(other); expected a distinct \(noun) per region")
            }
            owner[v] = region.name
        }
    }

    /// Fail-closed: a file that would block every region's bucket leaves the app with nowhere to serve from.
    mutating func checkServingRegion(regions: [RegionSpec], keys: [String: Node], fields: [String: (key: Node, value: Node)]) {
        guard regions.allSatisfy({ $0.bucket != nil }), !regions.isEmpty else { return }
        let active = fields["activeRegion"]?.value.scalar?.string
        let standby = (fields["standby"]?.value.scalar).flatMap { StandbyMode(rawValue: $0.string) } ?? .hot
        let spec = ApplicationSpec(activeRegion: active ?? "", standby: standby, regions: regions, cloudfront: nil, aurora: nil)
        guard regions.allSatisfy(spec.wantsBlocked) else { return }
        let where_ = regions.first { $0.name == active } ?? regions[0]
        report(
            at: keys[where_.name], "spec.regions.\(where_.name).blockPublicAccess",
            "every region's bucket would be blocked, so no region could serve (fail-closed); "
                + "leave at least one bucket open: remove blockPublicAccess: true from the active region, or make another region active")
    }
}

extension NodeReader {
    /// Why an Aurora identifier must be written in lower case.
    static func lowerCaseReason(_ what: String) -> String {
        "RDS stores \(what) in lower case, and Switchyard compares them (and IAM matches the ARNs `iam-policy` prints) "
            + "exactly as written, so write the identifier as AWS reports it"
    }
}

/// The identifier in lower case when it has upper-case letters; nil when it is already as RDS stores it.
func lowerCaseIdentifier(_ id: String) -> String? {
    let lower = id.lowercased()
    return lower == id ? nil : lower
}

/// AWS region names: `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`, `us-iso-east-1`.
func isRegionName(_ name: String) -> Bool {
    let parts = name.split(separator: "-", omittingEmptySubsequences: false)
    guard (3...4).contains(parts.count),
        parts[0].count == 2, parts[0].allSatisfy({ $0.isASCII && $0.isLowercase }),
        let last = parts.last, !last.isEmpty, last.count <= 2, last.allSatisfy({ $0.isASCII && $0.isNumber })
    else { return false }
    return parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
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

/// A DNS label: what an application name must be, so it can name metrics, files and resources.
func isDNSLabel(_ name: String) -> Bool {
    guard (1...63).contains(name.count), let first = name.first, first.isASCII, first.isLowercase,
        name.last != "-"
    else { return false }
    return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
}
