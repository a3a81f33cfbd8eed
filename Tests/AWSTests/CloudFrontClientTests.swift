import AWS
import Foundation
import Testing

@Suite struct CloudFrontClientTests {
    static let distributionBody = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Distribution xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
          <Id>EDFDVBD6EXAMPLE</Id>
          <ARN>arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE</ARN>
          <Status>InProgress</Status>
          <LastModifiedTime>2024-05-01T12:00:00.123Z</LastModifiedTime>
          <InProgressInvalidationBatches>0</InProgressInvalidationBatches>
          <DomainName>d111111abcdef8.cloudfront.net</DomainName>
          <ActiveTrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedSigners>
          \(XMLFixtures.distributionConfig.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", with: ""))
        </Distribution>
        """

    @Test func getDistributionConfigBuildsTheModelsRequestAndKeepsTheTree() async throws {
        let sender = RecordingSender(.xml(XMLFixtures.distributionConfig, headers: [("ETag", "E2QWRUHEXAMPLE")]))
        let snapshot = try await CloudFrontClient(sender: sender).getDistributionConfig(id: "EDFDVBD6EXAMPLE")
        let op = try #require(await sender.single)
        #expect(op.service == .cloudfront)
        #expect(op.region == "us-east-1")
        #expect(op.name == "GetDistributionConfig")
        #expect(op.method == "GET")
        #expect(op.path == "/2020-05-31/distribution/EDFDVBD6EXAMPLE/config")
        #expect(op.query.isEmpty && op.headers.isEmpty && op.body.isEmpty)
        #expect(op.idempotent)
        #expect(snapshot.etag == "E2QWRUHEXAMPLE")
        #expect(snapshot.config == (try XMLElement.parse(XMLFixtures.distributionConfig)))
    }

    @Test func getDistributionConfigWithoutETagIsMalformed() async {
        let sender = RecordingSender(.xml(XMLFixtures.distributionConfig))
        await #expect(throws: AWSError.self) { try await CloudFrontClient(sender: sender).getDistributionConfig(id: "E1") }
    }

    @Test func updateDistributionSendsTheTreeWithIfMatchAndReadsTheNewETag() async throws {
        let config = try XMLElement.parse(XMLFixtures.distributionConfig)
        let sender = RecordingSender(.xml(Self.distributionBody, headers: [("ETag", "E3NEWETAG")]))
        let result = try await CloudFrontClient(sender: sender).updateDistribution(id: "EDFDVBD6EXAMPLE", config: config, ifMatch: "E2QWRUHEXAMPLE")
        let op = try #require(await sender.single)
        #expect(op.method == "PUT")
        #expect(op.name == "UpdateDistribution")
        #expect(op.region == "us-east-1")
        #expect(op.path == "/2020-05-31/distribution/EDFDVBD6EXAMPLE/config")
        #expect(op.headerLines == ["If-Match: E2QWRUHEXAMPLE"])
        #expect(!op.idempotent)
        #expect(try XMLElement.parse(op.body) == config)
        #expect(
            op.bodyText.hasPrefix(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DistributionConfig xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">"))
        #expect(result.etag == "E3NEWETAG")
        #expect(result.status == "InProgress")
        #expect(!result.isDeployed)
    }

    @Test func updateDistributionAddsAMissingNamespace() async throws {
        let config = XMLElement(name: "DistributionConfig", children: [.element(XMLElement(name: "Comment", text: "x"))])
        let sender = RecordingSender(.xml(Self.distributionBody, headers: [("ETag", "E3")]))
        _ = try await CloudFrontClient(sender: sender).updateDistribution(id: "E1", config: config, ifMatch: "E2")
        let body = try XMLElement.parse(try #require(await sender.single).body)
        #expect(body.attribute(named: "xmlns") == CloudFrontClient.namespace)
    }

    @Test func updateDistributionRejectsAnotherRootWithoutSending() async throws {
        let sender = RecordingSender()
        await #expect(throws: AWSError.self) {
            try await CloudFrontClient(sender: sender).updateDistribution(id: "E1", config: XMLElement(name: "Distribution"), ifMatch: "E2")
        }
        #expect(await sender.operations.isEmpty)
    }

    @Test func staleETagIsReportedAsPreconditionFailed() async throws {
        let body =
            "<ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Error><Type>Sender</Type><Code>PreconditionFailed</Code><Message>The If-Match version is missing or not valid.</Message></Error><RequestId>r-9</RequestId></ErrorResponse>"
        let sender = RecordingSender(.xml(body, status: 412))
        do {
            _ = try await CloudFrontClient(sender: sender).updateDistribution(
                id: "E1", config: try XMLElement.parse(XMLFixtures.distributionConfig), ifMatch: "OLD")
            Issue.record("expected PreconditionFailed")
        } catch let error as AWSError {
            #expect(error.isStaleETag)
            #expect(error.httpStatus == 412)
            #expect(error.requestID == "r-9")
        }
    }

    @Test func getDistributionReadsStatusETagAndOriginGroups() async throws {
        let sender = RecordingSender(.xml(Self.distributionBody.replacingOccurrences(of: "InProgress", with: "Deployed"), headers: [("ETag", "E4")]))
        let d = try await CloudFrontClient(sender: sender).getDistribution(id: "EDFDVBD6EXAMPLE")
        let op = try #require(await sender.single)
        #expect(op.method == "GET")
        #expect(op.path == "/2020-05-31/distribution/EDFDVBD6EXAMPLE")
        #expect(op.name == "GetDistribution")
        #expect(d.id == "EDFDVBD6EXAMPLE")
        #expect(d.isDeployed)
        #expect(d.etag == "E4")
        #expect(d.domainName == "d111111abcdef8.cloudfront.net")
        #expect(d.lastModifiedTime == Date(timeIntervalSince1970: 1_714_564_800.123))
        #expect(
            d.originGroups == [
                OriginGroup(
                    id: "site-group", memberOriginIDs: ["primary-us-east-1", "standby-us-west-2"], failoverStatusCodes: [500, 502, 503, 504]),
                OriginGroup(id: "other-group", memberOriginIDs: ["standby-us-west-2", "primary-us-east-1"], failoverStatusCodes: [404]),
            ])
    }
}

@Suite struct OriginGroupTests {
    let config: XMLElement
    init() throws { config = try XMLElement.parse(XMLFixtures.distributionConfig) }

    @Test func reorderChangesOnlyTheMemberOrder() throws {
        let reordered = try OriginGroups.reordering(group: "site-group", primary: "standby-us-west-2", in: config)
        #expect(try OriginGroups.read(from: reordered).first?.memberOriginIDs == ["standby-us-west-2", "primary-us-east-1"])
        #expect(try OriginGroups.read(from: reordered).last?.memberOriginIDs == ["standby-us-west-2", "primary-us-east-1"])

        // The serialized document equals the original with exactly the two member elements swapped.
        let primary = "<OriginGroupMember>\n              <OriginId>primary-us-east-1</OriginId>\n            </OriginGroupMember>"
        let standby = "<OriginGroupMember>\n              <OriginId>standby-us-west-2</OriginId>\n            </OriginGroupMember>"
        let original = config.serialized()
        #expect(original.contains(primary + "\n            " + standby))
        let expected = original.replacingOccurrences(of: primary + "\n            " + standby, with: standby + "\n            " + primary)
        #expect(expected != original)
        #expect(reordered.serialized() == expected)

        // And reordering back restores the original tree exactly.
        #expect(try OriginGroups.reordering(group: "site-group", primary: "primary-us-east-1", in: reordered) == config)
    }

    @Test func reorderToTheCurrentPrimaryIsANoOp() throws {
        #expect(try OriginGroups.reordering(group: "site-group", primary: "primary-us-east-1", in: config) == config)
    }

    @Test func reorderKeepsTheOrderOfTheOtherMembers() throws {
        let three = try XMLElement.parse(
            """
            <DistributionConfig><OriginGroups><Quantity>1</Quantity><Items><OriginGroup><Id>g</Id><Members><Quantity>3</Quantity><Items>\
            <OriginGroupMember><OriginId>a</OriginId></OriginGroupMember> <OriginGroupMember><OriginId>b</OriginId></OriginGroupMember> \
            <OriginGroupMember><OriginId>c</OriginId></OriginGroupMember></Items></Members></OriginGroup></Items></OriginGroups></DistributionConfig>
            """)
        let moved = try OriginGroups.reordering(group: "g", primary: "c", in: three)
        #expect(try OriginGroups.read(from: moved).first?.memberOriginIDs == ["c", "a", "b"])
    }

    @Test func reorderErrors() {
        #expect(throws: OriginGroupError(.originGroupNotFound("nope"))) {
            try OriginGroups.reordering(group: "nope", primary: "primary-us-east-1", in: config)
        }
        #expect(throws: OriginGroupError(.originNotInGroup(originID: "api-origin", groupID: "site-group"))) {
            try OriginGroups.reordering(group: "site-group", primary: "api-origin", in: config)
        }
        #expect(throws: OriginGroupError(.notADistributionConfig("Distribution"))) {
            try OriginGroups.reordering(group: "site-group", primary: "x", in: XMLElement(name: "Distribution"))
        }
    }

    @Test func readingAConfigWithoutOriginGroupsGivesNone() throws {
        #expect(try OriginGroups.read(from: XMLElement(name: "DistributionConfig")) == [])
    }
}
