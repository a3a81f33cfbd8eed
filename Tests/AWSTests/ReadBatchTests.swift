import AWS
import Foundation
import Testing

/// A pass's observation lists the global clusters once; a listing that fails or lacks a cluster leaves the read alone.
@Suite("Reads a pass shares")
struct ReadBatchTests {
    static func listing(_ ids: [String], marker: String? = nil) -> HTTPResponse {
        let members = ids.map {
            "<GlobalClusterMember>"
                + RDSClientTests.globalClusterXML().replacingOccurrences(of: "app-global", with: $0) + "</GlobalClusterMember>"
        }
        return .xml(
            "<DescribeGlobalClustersResponse><DescribeGlobalClustersResult><GlobalClusters>\(members.joined())</GlobalClusters>"
                + (marker.map { "<Marker>\($0)</Marker>" } ?? "") + "</DescribeGlobalClustersResult></DescribeGlobalClustersResponse>")
    }

    @Test("in a batch, reads of two clusters make one listing (every page), and take their clusters from it")
    func oneListing() async throws {
        let sender = RecordingSender(Self.listing(["a"], marker: "page2"), Self.listing(["b"]))
        let rds = RDSClient(sender: sender)
        let (a, b) = try await ReadBatch.$current.withValue(ReadBatch(maxAge: .seconds(3600))) {
            (try await rds.describeGlobalClusters(id: "a", region: "us-west-2"), try await rds.describeGlobalClusters(id: "b", region: "us-west-2"))
        }
        #expect(a.identifier == "a" && b.identifier == "b")
        let bodies = await sender.operations.map(\.bodyText)
        #expect(
            bodies == [
                "Action=DescribeGlobalClusters&Version=2014-10-31&MaxRecords=100",
                "Action=DescribeGlobalClusters&Version=2014-10-31&MaxRecords=100&Marker=page2",
            ])
    }

    @Test("a cluster the listing lacks, or a listing that failed, is read alone; outside a batch every read is alone")
    func alone() async throws {
        let lacking = RecordingSender(Self.listing(["a"]), .xml(RDSClientTests.describeGlobalClusters))
        let found = try await ReadBatch.$current.withValue(ReadBatch()) {
            try await RDSClient(sender: lacking).describeGlobalClusters(id: "app-global", region: "us-east-1")
        }
        #expect(found.identifier == "app-global")
        #expect(await lacking.operations.last?.bodyText.hasSuffix("GlobalClusterIdentifier=app-global") == true)

        let throttled = RecordingSender(
            .xml("<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>", status: 400),
            .xml(RDSClientTests.describeGlobalClusters))
        let read = try await ReadBatch.$current.withValue(ReadBatch()) {
            try await RDSClient(sender: throttled).describeGlobalClusters(id: "app-global", region: "us-east-1")
        }
        #expect(read.identifier == "app-global")
        #expect(await throttled.operations.count == 2)

        let unbatched = RecordingSender(.xml(RDSClientTests.describeGlobalClusters))
        _ = try await RDSClient(sender: unbatched).describeGlobalClusters(id: "app-global", region: "us-east-1")
        #expect(await unbatched.single?.bodyText.hasSuffix("GlobalClusterIdentifier=app-global") == true)
    }
}
