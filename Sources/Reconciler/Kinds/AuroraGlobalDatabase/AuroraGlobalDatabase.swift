import Basics
import AWS
import DesiredState

/// An Aurora Global Database: the active region's cluster writes (`spec.aurora`, `spec.regions.*.auroraCluster`).
public typealias AuroraGlobalDatabase = GlobalDatabaseKind<AuroraFlavor>

/// The Aurora flavor of a global database.
public enum AuroraFlavor: GlobalDatabaseFlavor {
    public static let name = "aurora-global-database"
    public static let noun = "Aurora"
    public static let stepID = "aurora"
    public static let promote: StepAction = .promoteAurora
    public static let await: StepAction = .awaitPromotion
    public static let codePrefix = ""
    public static let sectionKey = "aurora"
    public static let clusterKey = "auroraCluster"
    public static let writerFact = "auroraWriterRegion"
    public static let lineKey = "live"
    public static let writerPrefix = ""
    public static let lagMetrics = "AuroraGlobalDBReplicationLag or AuroraGlobalDBRPOLag"
    public static let sid = "SwitchyardAurora"

    public static func owns(engine: String) -> Bool { engine.hasPrefix("aurora") }

    public static func control(sender: any AWSRequestSending) -> any GlobalDatabaseControl {
        // ReplicationLag is what secondaries report; RPOLag stands in where only it is published.
        LiveGlobalClusters(sender: sender, lagMetrics: AuroraGlobalDBMetric.allCases.map { ("AWS/RDS", $0.rawValue) })
    }
}

extension StepAction {
    /// Promote the active region's Aurora cluster (switchover, failover or detach).
    public static let promoteAurora = StepAction("promoteAurora")
    /// A promotion toward the active region is already under way (or the writer could not be read): wait, issue nothing.
    public static let awaitPromotion = StepAction("awaitPromotion")
}

/// `spec.aurora`.
public typealias AuroraSpec = GlobalClusterSpec

extension RegionSpec {
    /// The region's member of the Aurora global database.
    public var auroraCluster: ClusterARN? {
        get { declarations[AuroraFlavor.clusterKey] }
        set { declarations[AuroraFlavor.clusterKey] = newValue }
    }
}

extension ApplicationSpec {
    /// `spec.aurora`.
    public var aurora: AuroraSpec? {
        get { declarations[AuroraFlavor.sectionKey] }
        set { declarations[AuroraFlavor.sectionKey] = newValue }
    }
}
