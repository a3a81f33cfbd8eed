import AWS
import Testing

@Suite struct RDSClientTests {
    static let east = "arn:aws:rds:us-east-1:123456789012:cluster:app-east"
    static let west = "arn:aws:rds:us-west-2:123456789012:cluster:app-west"

    static func globalClusterXML(failoverState: String = "") -> String {
        """
        <GlobalClusterIdentifier>app-global</GlobalClusterIdentifier>
        <GlobalClusterResourceId>cluster-f0e523bfe07aabb</GlobalClusterResourceId>
        <GlobalClusterArn>arn:aws:rds::123456789012:global-cluster:app-global</GlobalClusterArn>
        <Status>available</Status>
        <Engine>aurora-postgresql</Engine>
        <EngineVersion>15.4</EngineVersion>
        <StorageEncrypted>true</StorageEncrypted>
        <DeletionProtection>false</DeletionProtection>
        <GlobalClusterMembers>
          <GlobalClusterMember>
            <DBClusterArn>\(east)</DBClusterArn>
            <Readers><member>\(west)</member></Readers>
            <IsWriter>true</IsWriter>
            <GlobalWriteForwardingStatus>disabled</GlobalWriteForwardingStatus>
          </GlobalClusterMember>
          <GlobalClusterMember>
            <DBClusterArn>\(west)</DBClusterArn>
            <Readers/>
            <IsWriter>false</IsWriter>
            <GlobalWriteForwardingStatus>enabling</GlobalWriteForwardingStatus>
            <SynchronizationStatus>pending-resync</SynchronizationStatus>
          </GlobalClusterMember>
        </GlobalClusterMembers>
        \(failoverState)
        <TagList/>
        """
    }

    static let describeGlobalClusters = """
        <DescribeGlobalClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
          <DescribeGlobalClustersResult>
            <GlobalClusters>
              <GlobalClusterMember>
                \(globalClusterXML(failoverState: """
                <FailoverState>
                  <Status>failing-over</Status>
                  <FromDbClusterArn>\(east)</FromDbClusterArn>
                  <ToDbClusterArn>\(west)</ToDbClusterArn>
                  <IsDataLossAllowed>true</IsDataLossAllowed>
                </FailoverState>
                """))
              </GlobalClusterMember>
            </GlobalClusters>
          </DescribeGlobalClustersResult>
          <ResponseMetadata><RequestId>e1b8c4a3-6b0d-4e4e-9a5e-0d2b2b6c2f11</RequestId></ResponseMetadata>
        </DescribeGlobalClustersResponse>
        """

    @Test func describeGlobalClustersRequestAndParse() async throws {
        let sender = RecordingSender(.xml(Self.describeGlobalClusters))
        let cluster = try await RDSClient(sender: sender).describeGlobalClusters(id: "app-global", region: "us-west-2")
        let op = try #require(await sender.single)
        #expect(op.service == .rds)
        #expect(op.region == "us-west-2")
        #expect(op.name == "DescribeGlobalClusters")
        #expect(op.method == "POST" && op.path == "/" && op.query.isEmpty)
        #expect(op.idempotent)
        #expect(op.headerLines == ["Content-Type: application/x-www-form-urlencoded; charset=utf-8"])
        #expect(op.bodyText == "Action=DescribeGlobalClusters&Version=2014-10-31&GlobalClusterIdentifier=app-global")

        #expect(
            cluster
                == GlobalCluster(
                    identifier: "app-global", arn: "arn:aws:rds::123456789012:global-cluster:app-global", status: "available",
                    engine: "aurora-postgresql", engineVersion: "15.4",
                    members: [
                        GlobalClusterMember(
                            dbClusterArn: Self.east, isWriter: true, readerDBClusterArns: [Self.west], globalWriteForwardingStatus: "disabled"),
                        GlobalClusterMember(
                            dbClusterArn: Self.west, isWriter: false, globalWriteForwardingStatus: "enabling", synchronizationStatus: "pending-resync"
                        ),
                    ],
                    failoverState: GlobalClusterFailoverState(
                        status: "failing-over", fromDBClusterArn: Self.east, toDBClusterArn: Self.west, isDataLossAllowed: true)))
        #expect(cluster.writer?.dbClusterArn == Self.east)
    }

    @Test func emptyGlobalClusterListIsMalformed() async {
        let body =
            "<DescribeGlobalClustersResponse><DescribeGlobalClustersResult><GlobalClusters/></DescribeGlobalClustersResult></DescribeGlobalClustersResponse>"
        let sender = RecordingSender(.xml(body))
        await #expect(throws: AWSError.self) { try await RDSClient(sender: sender).describeGlobalClusters(id: "x", region: "us-east-1") }
    }

    @Test func missingResultWrapperIsMalformed() async throws {
        let sender = RecordingSender(.xml("<DescribeGlobalClustersResponse><ResponseMetadata/></DescribeGlobalClustersResponse>"))
        do {
            _ = try await RDSClient(sender: sender).describeGlobalClusters(id: "x", region: "us-east-1")
            Issue.record("expected an error")
        } catch let error as AWSError {
            #expect(error.kind == .malformedResponse)
            #expect(error.message.contains("DescribeGlobalClustersResult"))
        }
    }

    @Test func notFoundFaultPropagates() async throws {
        let sender = RecordingSender(.xml(XMLFixtures.errorResponse, status: 404))
        do {
            _ = try await RDSClient(sender: sender).describeGlobalClusters(id: "app-global", region: "us-east-1")
            Issue.record("expected an error")
        } catch let error as AWSError {
            #expect(error.code == "GlobalClusterNotFoundFault")
        }
    }

    @Test func describeDBClustersByARN() async throws {
        let body = """
            <DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
              <DescribeDBClustersResult>
                <DBClusters>
                  <DBCluster>
                    <AllocatedStorage>1</AllocatedStorage>
                    <AvailabilityZones><AvailabilityZone>us-west-2a</AvailabilityZone></AvailabilityZones>
                    <DBClusterIdentifier>app-west</DBClusterIdentifier>
                    <Status>available</Status>
                    <Endpoint>app-west.cluster-c1.us-west-2.rds.amazonaws.com</Endpoint>
                    <ReaderEndpoint>app-west.cluster-ro-c1.us-west-2.rds.amazonaws.com</ReaderEndpoint>
                    <MultiAZ>false</MultiAZ>
                    <Engine>aurora-postgresql</Engine>
                    <DBClusterMembers><DBClusterMember><DBInstanceIdentifier>app-west-1</DBInstanceIdentifier><IsClusterWriter>false</IsClusterWriter></DBClusterMember></DBClusterMembers>
                    <DBClusterArn>\(Self.west)</DBClusterArn>
                    <GlobalClusterIdentifier>app-global</GlobalClusterIdentifier>
                  </DBCluster>
                </DBClusters>
              </DescribeDBClustersResult>
              <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
            </DescribeDBClustersResponse>
            """
        let sender = RecordingSender(.xml(body))
        let cluster = try await RDSClient(sender: sender).describeDBClusters(id: Self.west, region: "us-west-2")
        let op = try #require(await sender.single)
        #expect(op.formPairs == ["Action=DescribeDBClusters", "Version=2014-10-31", "DBClusterIdentifier=\(Self.west)"])
        #expect(op.bodyText.contains("DBClusterIdentifier=arn%3Aaws%3Ards%3Aus-west-2%3A123456789012%3Acluster%3Aapp-west"))
        #expect(
            cluster
                == DBCluster(
                    arn: Self.west, identifier: "app-west", status: "available", globalClusterIdentifier: "app-global",
                    engine: "aurora-postgresql", endpoint: "app-west.cluster-c1.us-west-2.rds.amazonaws.com",
                    readerEndpoint: "app-west.cluster-ro-c1.us-west-2.rds.amazonaws.com", instanceCount: 1))
    }

    static func mutationResponse(_ action: String, withCluster: Bool = true) -> HTTPResponse {
        .xml(
            """
            <\(action)Response xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
              <\(action)Result>\(withCluster ? "<GlobalCluster>\(globalClusterXML())</GlobalCluster>" : "")</\(action)Result>
              <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
            </\(action)Response>
            """)
    }

    @Test func switchover() async throws {
        let sender = RecordingSender(Self.mutationResponse("SwitchoverGlobalCluster"))
        let cluster = try await RDSClient(sender: sender).switchoverGlobalCluster(
            globalClusterId: "app-global", targetArn: Self.west, region: "us-west-2")
        let op = try #require(await sender.single)
        #expect(!op.idempotent)
        #expect(op.region == "us-west-2")
        #expect(
            op.formPairs == [
                "Action=SwitchoverGlobalCluster", "Version=2014-10-31", "GlobalClusterIdentifier=app-global",
                "TargetDbClusterIdentifier=\(Self.west)",
            ])
        #expect(cluster?.members.count == 2)
    }

    @Test(arguments: [true, false])
    func failover(allowDataLoss: Bool) async throws {
        let sender = RecordingSender(Self.mutationResponse("FailoverGlobalCluster"))
        try await RDSClient(sender: sender).failoverGlobalCluster(
            globalClusterId: "app-global", targetArn: Self.west, allowDataLoss: allowDataLoss, region: "us-west-2")
        let op = try #require(await sender.single)
        #expect(!op.idempotent)
        #expect(
            op.formPairs == [
                "Action=FailoverGlobalCluster", "Version=2014-10-31", "GlobalClusterIdentifier=app-global",
                "TargetDbClusterIdentifier=\(Self.west)", "AllowDataLoss=\(allowDataLoss)",
            ])
    }

    @Test func removeFromGlobalClusterToleratesAResultWithoutTheCluster() async throws {
        let sender = RecordingSender(Self.mutationResponse("RemoveFromGlobalCluster", withCluster: false))
        let cluster = try await RDSClient(sender: sender).removeFromGlobalCluster(
            globalClusterId: "app-global", dbClusterArn: Self.west, region: "us-west-2")
        let op = try #require(await sender.single)
        #expect(!op.idempotent)
        #expect(
            op.formPairs == [
                "Action=RemoveFromGlobalCluster", "Version=2014-10-31", "GlobalClusterIdentifier=app-global", "DbClusterIdentifier=\(Self.west)",
            ])
        #expect(cluster == nil)
    }

    @Test func motoNotImplementedIsMalformedWithStatus500() async throws {
        let sender = RecordingSender(.xml("<!DOCTYPE html><title>500 Internal Server Error</title>", status: 500))
        do {
            try await RDSClient(sender: sender).failoverGlobalCluster(
                globalClusterId: "g", targetArn: Self.west, allowDataLoss: true, region: "us-west-2")
            Issue.record("expected an error")
        } catch let error as AWSError {
            #expect(error.kind == .malformedResponse)
            #expect(error.httpStatus == 500)
        }
    }
}
