import DesiredState

/// `spec.route53`: the failover record pair traffic moves with.
public struct Route53Spec: Sendable, Equatable, Declaration {
    /// As written: `Z123EXAMPLE` or `/hostedzone/Z123EXAMPLE`.
    public var hostedZoneID: String
    public var recordName: String
    public var recordType: String

    public init(hostedZoneID: String, recordName: String, recordType: String = "A") {
        self.hostedZoneID = hostedZoneID
        self.recordName = recordName
        self.recordType = recordType
    }
}

/// The failover records' keys: `spec.route53` and `spec.regions.*.route53SetIdentifier`.
struct Route53FailoverRecordsKeys: KindSchema {
    let specKeys = ["route53"]
    let regionKeys = ["route53SetIdentifier"]
    let noun = "Route 53 failover records"

    /// botocore's `RRType`, but `SOA` and `NS`: a zone's own records, which no failover routing carries.
    static let recordTypes = [
        "A", "TXT", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS", "TLSA", "SSHFP", "SVCB", "HTTPS",
    ]

    func read(_ file: inout KindReader) {
        var carriers: [String] = []
        for region in file.regionNames {
            guard let entry = file.region(region, "route53SetIdentifier"), let id = file.string(entry) else { continue }
            guard id.count <= 128 else {
                file.report(entry, "found an identifier of \(id.count) characters; Route 53 allows at most 128")
                continue
            }
            file.regionDeclarations[region, default: Declarations()]["route53SetIdentifier"] = id
            carriers.append(region)
        }
        let section = file.spec("route53")
        if let section, let entries = file.mapping(section, allowed: ["hostedZoneId", "recordName", "recordType"]) {
            let zone = file.string(entries, "hostedZoneId", in: section)
            let bare = zone.map { $0.hasPrefix("/hostedzone/") ? String($0.dropFirst("/hostedzone/".count)) : $0 }
            if let bare, let entry = entries["hostedZoneId"],
                bare.isEmpty || bare.count > 32 || !bare.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) })
            {
                file.report(entry, "found `\(zone ?? "")`; expected a hosted zone id (uppercase letters and digits, such as Z0123456789EXAMPLE)")
            }
            let name = file.string(entries, "recordName", in: section)
            if let name, let entry = entries["recordName"], !Self.isDomainName(name) {
                file.report(entry, "found `\(name)`; expected a domain name such as shop.example.com (the trailing dot is optional)")
            }
            var type = "A"
            if let entry = entries["recordType"], let given = file.string(entry) {
                if Self.recordTypes.contains(given) {
                    type = given
                } else {
                    file.report(entry, "found `\(given)`; expected one of \(Self.recordTypes.joined(separator: ", "))")
                }
            }
            if let zone, let name {
                file.declarations["route53"] = Route53Spec(hostedZoneID: zone, recordName: name, recordType: type)
            }
        }
        guard section != nil || !carriers.isEmpty else { return }
        // Route 53 holds one PRIMARY and one SECONDARY record per name and type: exactly two regions carry one.
        if section == nil {
            file.report(spec: "route53", "missing; required because regions declare `route53SetIdentifier`")
        } else if carriers.count != 2 {
            file.report(
                spec: "route53",
                "\(carriers.count) region\(carriers.count == 1 ? "" : "s") declare route53SetIdentifier; expected exactly two "
                    + "(a failover pair is one PRIMARY and one SECONDARY record)")
        }
        if let active = file.activeRegion, file.regionNames.contains(active), !carriers.contains(active), !carriers.isEmpty {
            file.report(
                region: active, "route53SetIdentifier",
                "missing; \(active) is active and failover records can only send traffic to a region with a record")
        }
        file.requireDistinct("route53SetIdentifier", noun: "set identifier")
    }

    func claims(_ app: Application) -> [ResourceClaim] {
        guard let route53 = app.spec.route53 else { return [] }
        let zone = route53.hostedZoneID.hasPrefix("/hostedzone/") ? String(route53.hostedZoneID.dropFirst(12)) : route53.hostedZoneID
        let name = RecordName.canonical(route53.recordName)
        return [
            ResourceClaim(
                key: "route53 \(zone) \(name) \(route53.recordType)",
                what: "failover records `\(name)` \(route53.recordType) of hosted zone `\(zone)`", field: "spec.route53.recordName")
        ]
    }

    /// Labels of letters, digits, `-`, `_` (and a leading `*`), dot-separated, at most 255 characters.
    static func isDomainName(_ name: String) -> Bool {
        let bare = name.hasSuffix(".") ? String(name.dropLast()) : name
        guard !bare.isEmpty, bare.count <= 255 else { return false }
        let labels = bare.split(separator: ".", omittingEmptySubsequences: false)
        return labels.enumerated().allSatisfy { index, label in
            (label == "*" && index == 0)
                || (!label.isEmpty && label.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        }
    }
}

/// How record names compare: lower case, no trailing dot.
enum RecordName {
    static func canonical(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }
}

extension RegionSpec {
    /// The `SetIdentifier` of this region's failover record.
    public var route53SetIdentifier: String? {
        get { declarations["route53SetIdentifier"] }
        set { declarations["route53SetIdentifier"] = newValue }
    }
}

extension ApplicationSpec {
    /// `spec.route53`.
    public var route53: Route53Spec? {
        get { declarations["route53"] }
        set { declarations["route53"] = newValue }
    }
}
