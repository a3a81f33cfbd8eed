import DesiredState

/// How a global database's secondary in the new active region is promoted.
public enum PromotionMode: String, Sendable, CaseIterable, Codable {
    /// SwitchoverGlobalCluster: planned, no data loss; needs every region healthy.
    case switchover
    /// FailoverGlobalCluster with AllowDataLoss: for when the old primary is down.
    case failover
    /// RemoveFromGlobalCluster: detach the secondary and promote it standalone, as the lab does.
    case detach
}

/// A global database's section (`spec.aurora`, `spec.documentDb`).
public struct GlobalClusterSpec: Sendable, Equatable, Declaration {
    public var globalClusterID: String
    public var promotion: PromotionMode
    /// The promotion is refused while the target's replication lag is above this.
    public var maxReplicationLag: Duration?

    public init(globalClusterID: String, promotion: PromotionMode, maxReplicationLag: Duration? = nil) {
        self.globalClusterID = globalClusterID
        self.promotion = promotion
        self.maxReplicationLag = maxReplicationLag
    }
}

/// A global database's keys: the flavor's section under `spec` and its cluster key under each region.
struct GlobalDatabaseKeys<Flavor: GlobalDatabaseFlavor>: KindSchema {
    var specKeys: [String] { [Flavor.sectionKey] }
    var regionKeys: [String] { [Flavor.clusterKey] }
    var noun: String { "\(Flavor.noun) clusters" }

    func read(_ file: inout KindReader) {
        for region in file.regionNames {
            guard let entry = file.region(region, Flavor.clusterKey), let text = file.string(entry) else { continue }
            guard let arn = ClusterARN(text) else {
                file.report(entry, "found `\(text)`; expected a DB cluster ARN such as arn:aws:rds:\(region):111122223333:cluster:NAME")
                continue
            }
            if let lower = lowerCaseIdentifier(arn.clusterID) {
                file.report(
                    entry, "found cluster identifier `\(arn.clusterID)`; expected `\(lower)`: " + Self.lowerCaseReason("DB cluster identifiers"))
                file.regionDeclarations[region, default: Declarations()][Flavor.clusterKey] = arn  // refused; not also missing
            } else if arn.region == region {
                file.regionDeclarations[region, default: Declarations()][Flavor.clusterKey] = arn
            } else {
                file.report(entry, "found a cluster in `\(arn.region)`; expected a cluster in `\(region)`, the region it is declared under")
            }
        }
        if let section = file.spec(Flavor.sectionKey),
            let entries = file.mapping(section, allowed: ["globalClusterId", "promotion", "maxReplicationLag"])
        {
            let id = file.string(entries, "globalClusterId", in: section)
            let promotion = file.enumeration(entries["promotion"], default: PromotionMode.switchover)
            let lag = file.duration(entries["maxReplicationLag"])
            if let id, let lower = lowerCaseIdentifier(id), let entry = entries["globalClusterId"] {
                file.report(entry, "found `\(id)`; expected `\(lower)`: " + Self.lowerCaseReason("global cluster identifiers"))
            } else if let id {
                file.declarations[Flavor.sectionKey] = GlobalClusterSpec(globalClusterID: id, promotion: promotion, maxReplicationLag: lag)
            }
        }
        file.requireComplete(regionKey: Flavor.clusterKey, section: Flavor.sectionKey)
    }

    /// Why an identifier must be written in lower case.
    static func lowerCaseReason(_ what: String) -> String {
        "RDS stores \(what) in lower case, and Switchyard compares them (and IAM matches the ARNs `iam-policy` prints) "
            + "exactly as written, so write the identifier as AWS reports it"
    }

    func claims(_ app: Application) -> [ResourceClaim] {
        var claims = app.spec.regions.compactMap { region in
            (region.declarations[Flavor.clusterKey] as ClusterARN?).map {
                ResourceClaim(key: "cluster \($0)", what: "\(Flavor.noun) cluster `\($0)`", field: "spec.regions.\(region.name).\(Flavor.clusterKey)")
            }
        }
        if let global: GlobalClusterSpec = app.spec.declarations[Flavor.sectionKey] {
            claims.append(
                ResourceClaim(
                    key: "global cluster \(global.globalClusterID)", what: "global cluster `\(global.globalClusterID)`",
                    field: "spec.\(Flavor.sectionKey).globalClusterId"))
        }
        return claims
    }
}

extension GlobalDatabaseFlavor {
    /// The file's declaration for `app`, nil when it declares none.
    static func declaration(_ app: Application) -> GlobalDatabaseDeclaration? {
        guard let global: GlobalClusterSpec = app.spec.declarations[sectionKey] else { return nil }
        var clusters: [String: ClusterARN] = [:]
        for region in app.spec.regions { if let arn: ClusterARN = region.declarations[clusterKey] { clusters[region.name] = arn } }
        return GlobalDatabaseDeclaration(
            globalClusterID: global.globalClusterID, promotion: global.promotion, maxReplicationLag: global.maxReplicationLag, clusters: clusters)
    }

    static var globalField: String { "spec.\(sectionKey).globalClusterId" }
}
