import AWS
import Foundation
import SwitchyardTestSupport
import Testing

/// RDSClient against the emulator; end states read back with boto3 (`emulator/inspect_state.py`).
///
/// Serialized: completing the emulator's failovers finishes every one in progress, whichever test started it.
@Suite("RDS against the emulator", .sharedEmulator, .serialized)
struct RDSEmulatorTests {
    /// boto3's view of a global cluster: status, writer, members, failover state.
    func botoGlobalCluster(_ world: EmulatorWorld, _ id: String) throws -> [String: Any] {
        let state = try world.emulator.inspect(globalClusters: [id])
        return try #require((state["global_clusters"] as? [String: Any])?[id] as? [String: Any], "\(state)")
    }

    /// Finishes every switchover and failover in progress now.
    func completeFailovers(_ world: EmulatorWorld) async throws {
        let (_, status) = try await HTTPTestClient.send("POST", "\(world.emulator.endpoint)/_switchyard/complete-failovers", body: Data("{}".utf8))
        #expect(status == 200)
    }

    @Test("DescribeGlobalClusters: members, the writer and synchronization status, as boto3 sees them")
    func describeGlobalClusters() async throws {
        let world = try EmulatorWorld.get()
        let topology = try world.topology("rdsdesc", parts: "aurora")
        // The global cluster answers in every member's region.
        for region in ["us-east-1", "us-west-1"] {
            let cluster = try await world.rds.describeGlobalClusters(id: topology.globalClusterID, region: region)
            #expect(cluster.identifier == topology.globalClusterID)
            #expect(cluster.status == "available")
            #expect(cluster.engine == "aurora-mysql")
            #expect(cluster.failoverState == nil)
            #expect(cluster.writer?.dbClusterArn == topology.primaryClusterARN)
            #expect(Set(cluster.members.map(\.dbClusterArn)) == [topology.primaryClusterARN, topology.secondaryClusterARN])
            #expect(cluster.members.allSatisfy { $0.synchronizationStatus == "connected" })
            #expect(cluster.writer?.readerDBClusterArns == [topology.secondaryClusterARN])
        }
        let boto = try botoGlobalCluster(world, topology.globalClusterID)
        #expect(boto["writer"] as? String == topology.primaryClusterARN)
        #expect(boto["status"] as? String == "available")
    }

    @Test("DescribeDBClusters by identifier and by ARN, in the cluster's own region")
    func describeDBClusters() async throws {
        let world = try EmulatorWorld.get()
        let topology = try world.topology("rdsclusters", parts: "aurora")
        let byID = try await world.rds.describeDBClusters(id: "rdsclusters-secondary", region: "us-west-1")
        #expect(byID.arn == topology.secondaryClusterARN)
        #expect(byID.identifier == "rdsclusters-secondary")
        #expect(byID.status == "available")
        #expect(byID.engine == "aurora-mysql")
        #expect(byID.globalClusterIdentifier == topology.globalClusterID)
        let byARN = try await world.rds.describeDBClusters(id: topology.primaryClusterARN, region: "us-east-1")
        #expect(byARN.identifier == "rdsclusters-primary")

        let answer = try world.boto("rds", "us-west-1", "describe_db_clusters", ["DBClusterIdentifier": "rdsclusters-secondary"])
        let boto = try #require((answer["DBClusters"] as? [[String: Any]])?.first, "\(answer)")
        #expect(byID.endpoint == boto["Endpoint"] as? String)
        #expect(byID.readerEndpoint == boto["ReaderEndpoint"] as? String)
    }

    @Test("DescribeDBClusters of an unknown cluster is DBClusterNotFoundFault (404)")
    func describeMissingDBCluster() async throws {
        let world = try EmulatorWorld.get()
        let error = try await expectAWSError { _ = try await world.rds.describeDBClusters(id: "no-such-cluster", region: "us-east-1") }
        #expect(error.code == "DBClusterNotFoundFault")
        #expect(error.httpStatus == 404)
    }

    @Test("SwitchoverGlobalCluster: switching-over while in progress, then the secondary is the writer (boto3)")
    func switchover() async throws {
        let world = try EmulatorWorld.get()
        let topology = try world.topology("rdsswitch", parts: "aurora")
        let answer = try await world.rds.switchoverGlobalCluster(
            globalClusterId: topology.globalClusterID, targetArn: topology.secondaryClusterARN, region: "us-west-1")

        let started = try #require(answer)
        #expect(started.status == "switching-over")
        #expect(started.failoverState?.status == "switching-over")
        #expect(started.failoverState?.fromDBClusterArn == topology.primaryClusterARN)
        #expect(started.failoverState?.toDBClusterArn == topology.secondaryClusterARN)
        #expect(started.failoverState?.isDataLossAllowed == false)
        #expect(try botoGlobalCluster(world, topology.globalClusterID)["status"] as? String == "switching-over")

        try await completeFailovers(world)
        let boto = try botoGlobalCluster(world, topology.globalClusterID)
        #expect(boto["writer"] as? String == topology.secondaryClusterARN)
        #expect(boto["status"] as? String == "available")
        let after = try await world.rds.describeGlobalClusters(id: topology.globalClusterID, region: "us-east-1")
        #expect(after.writer?.dbClusterArn == topology.secondaryClusterARN)
        #expect(after.failoverState == nil)
    }

    @Test("FailoverGlobalCluster with AllowDataLoss: failing-over, data loss allowed, then the writer changes (boto3)")
    func failoverAllowingDataLoss() async throws {
        let world = try EmulatorWorld.get()
        let topology = try world.topology("rdsfail", parts: "aurora")
        let answer = try await world.rds.failoverGlobalCluster(
            globalClusterId: topology.globalClusterID, targetArn: topology.secondaryClusterARN, allowDataLoss: true, region: "us-west-1")

        let started = try #require(answer)
        #expect(started.status == "failing-over")
        #expect(started.failoverState?.isDataLossAllowed == true)
        #expect(started.failoverState?.toDBClusterArn == topology.secondaryClusterARN)
        let during = try botoGlobalCluster(world, topology.globalClusterID)
        #expect(during["status"] as? String == "failing-over")

        try await completeFailovers(world)
        #expect(try botoGlobalCluster(world, topology.globalClusterID)["writer"] as? String == topology.secondaryClusterARN)
    }

    @Test("FailoverGlobalCluster without AllowDataLoss is a switchover")
    func failoverWithoutDataLoss() async throws {
        let world = try EmulatorWorld.get()
        let topology = try world.topology("rdsfailsafe", parts: "aurora")
        let started = try #require(
            try await world.rds.failoverGlobalCluster(
                globalClusterId: topology.globalClusterID, targetArn: topology.secondaryClusterARN, allowDataLoss: false, region: "us-east-1"))
        #expect(started.status == "switching-over")
        #expect(started.failoverState?.isDataLossAllowed == false)
        try await completeFailovers(world)
    }

    @Test("RemoveFromGlobalCluster detaches the secondary: boto3 sees one member and a standalone cluster")
    func removeFromGlobalCluster() async throws {
        let world = try EmulatorWorld.get()
        let topology = try world.topology("rdsremove", parts: "aurora")
        let answer = try await world.rds.removeFromGlobalCluster(
            globalClusterId: topology.globalClusterID, dbClusterArn: topology.secondaryClusterARN, region: "us-west-1")
        #expect(answer?.members.map(\.dbClusterArn) == [topology.primaryClusterARN])

        let state = try world.emulator.inspect(globalClusters: [topology.globalClusterID], clusters: [topology.secondaryClusterARN])
        let global = try #require((state["global_clusters"] as? [String: Any])?[topology.globalClusterID] as? [String: Any], "\(state)")
        #expect((global["members"] as? [Any])?.count == 1)
        let cluster = try #require((state["clusters"] as? [String: Any])?[topology.secondaryClusterARN] as? [String: Any], "\(state)")
        #expect((cluster["global_cluster"] as? String ?? "").isEmpty)
        #expect(cluster["status"] as? String == "available")
        let detached = try await world.rds.describeDBClusters(id: topology.secondaryClusterARN, region: "us-west-1")
        #expect(detached.globalClusterIdentifier == nil)
    }

    @Test("An emulator error decodes to GlobalClusterNotFoundFault with service, operation, status and request id")
    func globalClusterNotFound() async throws {
        let world = try EmulatorWorld.get()
        let error = try await expectAWSError {
            _ = try await world.rds.describeGlobalClusters(id: "no-such-global", region: "us-west-1")
        }
        #expect(error.kind == .service)
        #expect(error.service == "rds")
        #expect(error.operation == "DescribeGlobalClusters")
        #expect(error.code == "GlobalClusterNotFoundFault")
        #expect(error.httpStatus == 404)
        #expect(error.message.contains("no-such-global"))
        let requestID = try #require(error.requestID)
        #expect(!requestID.isEmpty)
        #expect(error.description.contains("request id \(requestID)"))

        // A mutation names its own operation; the emulator's own state check (the target is already the writer).
        let topology = try world.topology("rdserror", parts: "aurora")
        let refused = try await expectAWSError {
            _ = try await world.rds.switchoverGlobalCluster(
                globalClusterId: topology.globalClusterID, targetArn: topology.primaryClusterARN, region: "us-east-1")
        }
        #expect(refused.code == "InvalidDBClusterStateFault")
        #expect(refused.httpStatus == 400)
        #expect(refused.operation == "SwitchoverGlobalCluster")
        #expect(refused.requestID != nil)
        #expect(try botoGlobalCluster(world, topology.globalClusterID)["writer"] as? String == topology.primaryClusterARN)
    }
}
