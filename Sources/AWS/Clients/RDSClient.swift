/// RDS's Aurora Global Database API (Query protocol, version 2014-10-31).
///
/// Each call goes to the region given: a cluster's own region for cluster reads, any member's
/// region for global-cluster calls (the global cluster answers everywhere).
public struct RDSClient: Sendable {
    /// The Query `Version` parameter.
    public static let apiVersion = "2014-10-31"

    /// Sends the operations this client builds.
    public let sender: any AWSRequestSending

    /// A client sending through `sender`.
    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// Reads one global cluster: its members, which is the writer, and any failover in progress.
    /// - Throws: `AWSError` (`GlobalClusterNotFoundFault`; `.malformedResponse` when the answer lists none).
    public func describeGlobalClusters(id: String, region: String) async throws -> GlobalCluster {
        if let batch = ReadBatch.current,
            let listed = await batch.listing("DescribeGlobalClusters \(region)", { try await self.listGlobalClusters(region: region) }),
            let global = listed[id]
        {
            return global
        }
        var parameters = QueryParameters(action: "DescribeGlobalClusters", version: Self.apiVersion)
        parameters.add("GlobalClusterIdentifier", id)
        let (xml, result) = try await call(parameters, region: region, idempotent: true)
        // The model names each listed global cluster `GlobalClusterMember`, like the members inside it.
        guard let element = result.element(at: "GlobalClusters")?.child(named: "GlobalClusterMember") else {
            throw xml.malformed("no global cluster \(id) in GlobalClusters")
        }
        return try GlobalCluster(element, xml)
    }

    /// Every global cluster `DescribeGlobalClusters` lists in `region`, by identifier: 100 a page, 50 pages at most.
    /// - Throws: `AWSError`; `.malformedResponse` when a page cannot be read, or there are more than 50 pages.
    public func listGlobalClusters(region: String) async throws -> [String: GlobalCluster] {
        var clusters: [String: GlobalCluster] = [:]
        var marker: String?
        var pages = 0
        while true {
            pages += 1
            var parameters = QueryParameters(action: "DescribeGlobalClusters", version: Self.apiVersion)
            parameters.add("MaxRecords", "100")
            if let marker { parameters.add("Marker", marker) }
            let (xml, result) = try await call(parameters, region: region, idempotent: true)
            for element in result.element(at: "GlobalClusters")?.children(named: "GlobalClusterMember") ?? [] {
                let global = try GlobalCluster(element, xml)
                clusters[global.identifier] = global
            }
            marker = xml.text("Marker", in: result)
            if marker?.isEmpty ?? true { return clusters }
            if pages == 50 { throw xml.malformed("more than 50 pages of global clusters") }
        }
    }

    /// Reads one DB cluster, named by identifier or ARN.
    /// - Throws: `AWSError` (`DBClusterNotFoundFault`; `.malformedResponse` when the answer lists none).
    public func describeDBClusters(id: String, region: String) async throws -> DBCluster {
        var parameters = QueryParameters(action: "DescribeDBClusters", version: Self.apiVersion)
        parameters.add("DBClusterIdentifier", id)
        let (xml, result) = try await call(parameters, region: region, idempotent: true)
        guard let element = result.element(at: "DBClusters")?.child(named: "DBCluster") else {
            throw xml.malformed("no DB cluster \(id) in DBClusters")
        }
        return try DBCluster(element, xml)
    }

    /// Starts a managed switchover (no data loss) that makes `targetArn` the writer.
    /// - Returns: the global cluster as RDS reported it after accepting the call, when it did.
    /// - Throws: `AWSError` (`InvalidGlobalClusterStateFault`, `InvalidDBClusterStateFault`, …). Not retried
    ///   after an ambiguous failure: re-read the global cluster and decide.
    @discardableResult
    public func switchoverGlobalCluster(globalClusterId: String, targetArn: String, region: String) async throws -> GlobalCluster? {
        var parameters = QueryParameters(action: "SwitchoverGlobalCluster", version: Self.apiVersion)
        parameters.add("GlobalClusterIdentifier", globalClusterId)
        parameters.add("TargetDbClusterIdentifier", targetArn)
        return try await mutation(parameters, region: region)
    }

    /// Starts a failover that makes `targetArn` the writer; with `allowDataLoss` it does not wait
    /// for the old writer (the regional-outage path), without it RDS performs a switchover.
    /// - Returns: the global cluster as RDS reported it after accepting the call, when it did.
    /// - Throws: `AWSError`. Not retried after an ambiguous failure: re-read the global cluster and decide.
    @discardableResult
    public func failoverGlobalCluster(
        globalClusterId: String, targetArn: String, allowDataLoss: Bool, region: String
    ) async throws -> GlobalCluster? {
        var parameters = QueryParameters(action: "FailoverGlobalCluster", version: Self.apiVersion)
        parameters.add("GlobalClusterIdentifier", globalClusterId)
        parameters.add("TargetDbClusterIdentifier", targetArn)
        parameters.add("AllowDataLoss", allowDataLoss)
        return try await mutation(parameters, region: region)
    }

    /// Detaches a cluster from its global cluster, making it a standalone writer.
    /// - Returns: the global cluster as RDS reported it after accepting the call, when it did.
    /// - Throws: `AWSError`. Not retried after an ambiguous failure: re-read and decide.
    @discardableResult
    public func removeFromGlobalCluster(globalClusterId: String, dbClusterArn: String, region: String) async throws -> GlobalCluster? {
        var parameters = QueryParameters(action: "RemoveFromGlobalCluster", version: Self.apiVersion)
        parameters.add("GlobalClusterIdentifier", globalClusterId)
        parameters.add("DbClusterIdentifier", dbClusterArn)
        return try await mutation(parameters, region: region)
    }

    private func mutation(_ parameters: QueryParameters, region: String) async throws -> GlobalCluster? {
        let (xml, result) = try await call(parameters, region: region, idempotent: false)
        return try result.child(named: "GlobalCluster").map { try GlobalCluster($0, xml) }
    }

    private func call(_ parameters: QueryParameters, region: String, idempotent: Bool) async throws -> (XMLResponse, XMLElement) {
        let operation = QueryProtocol.operation(parameters, service: .rds, region: region, idempotent: idempotent)
        let xml = try XMLResponse(try await sender.send(operation), for: operation)
        return (xml, try xml.queryResult())
    }
}

/// An Aurora global database as DescribeGlobalClusters reports it.
public struct GlobalCluster: Sendable, Hashable {
    /// The global cluster identifier.
    public var identifier: String
    /// The global cluster ARN.
    public var arn: String?
    /// `available`, `failing-over`, `switching-over`, …, kept as sent.
    public var status: String
    /// `aurora-mysql` or `aurora-postgresql`.
    public var engine: String?
    /// The engine version.
    public var engineVersion: String?
    /// The member clusters in the order RDS lists them.
    public var members: [GlobalClusterMember]
    /// The failover or switchover in progress, if any.
    public var failoverState: GlobalClusterFailoverState?

    /// A global cluster with these values.
    public init(
        identifier: String, arn: String? = nil, status: String, engine: String? = nil, engineVersion: String? = nil,
        members: [GlobalClusterMember], failoverState: GlobalClusterFailoverState? = nil
    ) {
        self.identifier = identifier
        self.arn = arn
        self.status = status
        self.engine = engine
        self.engineVersion = engineVersion
        self.members = members
        self.failoverState = failoverState
    }

    /// The member that accepts writes, if one does.
    public var writer: GlobalClusterMember? { members.first { $0.isWriter } }

    init(_ e: XMLElement, _ xml: XMLResponse) throws(AWSError) {
        identifier = try xml.requiredText("GlobalClusterIdentifier", in: e)
        arn = xml.text("GlobalClusterArn", in: e)
        status = try xml.requiredText("Status", in: e)
        engine = xml.text("Engine", in: e)
        engineVersion = xml.text("EngineVersion", in: e)
        var members: [GlobalClusterMember] = []
        for member in e.element(at: "GlobalClusterMembers")?.children(named: "GlobalClusterMember") ?? [] {
            members.append(
                GlobalClusterMember(
                    dbClusterArn: try xml.requiredText("DBClusterArn", in: member),
                    isWriter: try xml.bool("IsWriter", in: member) ?? false,
                    readerDBClusterArns: xml.texts("Readers", in: member),
                    globalWriteForwardingStatus: xml.text("GlobalWriteForwardingStatus", in: member),
                    synchronizationStatus: xml.text("SynchronizationStatus", in: member)))
        }
        self.members = members
        if let state = e.child(named: "FailoverState") {
            failoverState = GlobalClusterFailoverState(
                status: xml.text("Status", in: state), fromDBClusterArn: xml.text("FromDbClusterArn", in: state),
                toDBClusterArn: xml.text("ToDbClusterArn", in: state),
                isDataLossAllowed: try xml.bool("IsDataLossAllowed", in: state) ?? false)
        } else {
            failoverState = nil
        }
    }
}

/// One cluster in a global database.
public struct GlobalClusterMember: Sendable, Hashable {
    /// The member cluster's ARN.
    public var dbClusterArn: String
    /// Whether this member is the primary (writer) cluster.
    public var isWriter: Bool
    /// For the writer: the ARNs of the secondary clusters it replicates to (`Readers`).
    public var readerDBClusterArns: [String]
    /// `enabled`, `disabled`, `enabling`, `disabling`, `unknown`, kept as sent.
    public var globalWriteForwardingStatus: String?
    /// `connected` or `pending-resync`, kept as sent.
    public var synchronizationStatus: String?

    /// A member with these values.
    public init(
        dbClusterArn: String, isWriter: Bool, readerDBClusterArns: [String] = [],
        globalWriteForwardingStatus: String? = nil, synchronizationStatus: String? = nil
    ) {
        self.dbClusterArn = dbClusterArn
        self.isWriter = isWriter
        self.readerDBClusterArns = readerDBClusterArns
        self.globalWriteForwardingStatus = globalWriteForwardingStatus
        self.synchronizationStatus = synchronizationStatus
    }
}

/// A failover or switchover in progress on a global cluster.
public struct GlobalClusterFailoverState: Sendable, Hashable {
    /// `pending`, `failing-over` or `cancelling`, kept as sent.
    public var status: String?
    /// The writer being demoted.
    public var fromDBClusterArn: String?
    /// The cluster being promoted.
    public var toDBClusterArn: String?
    /// Whether this is a failover that may lose data (as opposed to a switchover).
    public var isDataLossAllowed: Bool

    /// A failover state with these values.
    public init(status: String?, fromDBClusterArn: String?, toDBClusterArn: String?, isDataLossAllowed: Bool) {
        self.status = status
        self.fromDBClusterArn = fromDBClusterArn
        self.toDBClusterArn = toDBClusterArn
        self.isDataLossAllowed = isDataLossAllowed
    }
}

/// A DB cluster as DescribeDBClusters reports it (the fields Switchyard reads).
public struct DBCluster: Sendable, Hashable {
    /// The cluster ARN.
    public var arn: String
    /// The cluster identifier.
    public var identifier: String
    /// `available`, `failing-over`, `modifying`, …, kept as sent.
    public var status: String
    /// The global cluster this cluster belongs to, when RDS reports one. moto keeps it after
    /// RemoveFromGlobalCluster, so membership is better read from the global cluster's members.
    public var globalClusterIdentifier: String?
    /// The engine, e.g. `aurora-postgresql`.
    public var engine: String?
    /// The writer endpoint.
    public var endpoint: String?
    /// The reader endpoint.
    public var readerEndpoint: String?
    /// The engine version (`8.0.mysql_aurora.3.05.2`).
    public var engineVersion: String?
    /// How many DB instances the cluster has (`DBClusterMembers`): none, and it cannot serve.
    public var instanceCount: Int

    /// A cluster with these values.
    public init(
        arn: String, identifier: String, status: String, globalClusterIdentifier: String? = nil, engine: String? = nil,
        endpoint: String? = nil, readerEndpoint: String? = nil, engineVersion: String? = nil, instanceCount: Int = 0
    ) {
        self.engineVersion = engineVersion
        self.instanceCount = instanceCount
        self.arn = arn
        self.identifier = identifier
        self.status = status
        self.globalClusterIdentifier = globalClusterIdentifier
        self.engine = engine
        self.endpoint = endpoint
        self.readerEndpoint = readerEndpoint
    }

    init(_ e: XMLElement, _ xml: XMLResponse) throws(AWSError) {
        arn = try xml.requiredText("DBClusterArn", in: e)
        identifier = try xml.requiredText("DBClusterIdentifier", in: e)
        status = try xml.requiredText("Status", in: e)
        globalClusterIdentifier = xml.text("GlobalClusterIdentifier", in: e).flatMap { $0.isEmpty ? nil : $0 }
        engine = xml.text("Engine", in: e)
        endpoint = xml.text("Endpoint", in: e)
        readerEndpoint = xml.text("ReaderEndpoint", in: e)
        engineVersion = xml.text("EngineVersion", in: e)
        instanceCount = e.element(at: "DBClusterMembers")?.children(named: "DBClusterMember").count ?? 0
    }
}
