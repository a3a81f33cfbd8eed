import Basics
import AWS
import DesiredState

/// An Amazon DocumentDB global cluster: the active region's cluster writes (`spec.documentDb`,
/// `spec.regions.*.documentDbCluster`). DocumentDB's API is RDS's Query API (signing name `rds`, the RDS endpoint),
/// so it shares the global-database machinery with Aurora; it is promoted side by side with Aurora in `promoteData`.
public typealias DocumentDBGlobalCluster = GlobalDatabaseKind<DocumentDBFlavor>

/// The DocumentDB flavor of a global database.
public enum DocumentDBFlavor: GlobalDatabaseFlavor {
    public static let name = "documentdb-global-cluster"
    public static let noun = "DocumentDB"
    public static let stepID = "documentdb"
    public static let promote = StepAction("promoteDocumentDb")
    public static let await = StepAction("awaitDocumentDbPromotion")
    public static let codePrefix = "documentdb-"
    public static let sectionKey = "documentDb"
    public static let clusterKey = "documentDbCluster"
    public static let writerFact = "documentDbWriterRegion"
    public static let lineKey = "documentdb"
    public static let writerPrefix = "DocumentDB "
    public static let lagMetrics = "GlobalClusterReplicationLag"
    public static let sid = "SwitchyardDocumentDB"

    public static func owns(engine: String) -> Bool { engine == "docdb" }

    public static func control(sender: any AWSRequestSending) -> any GlobalDatabaseControl {
        LiveGlobalClusters(sender: sender, lagMetrics: [("AWS/DocDB", "GlobalClusterReplicationLag")])
    }
}
