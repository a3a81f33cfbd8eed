import AWS
import Foundation
import SwitchyardTestSupport
import Testing

/// CloudFrontClient against the emulator; end states read back with boto3.
@Suite("CloudFront against the emulator", .sharedEmulator)
struct CloudFrontEmulatorTests {
    /// boto3's member order of each origin group of a distribution.
    func botoMembers(_ world: EmulatorWorld, _ id: String) throws -> [String: [String]] {
        let answer = try world.boto("cloudfront", "us-east-1", "get_distribution_config", ["Id": id])
        let config = try #require(answer["DistributionConfig"] as? [String: Any], "\(answer)")
        let groups = (config["OriginGroups"] as? [String: Any])?["Items"] as? [[String: Any]] ?? []
        var members: [String: [String]] = [:]
        for group in groups {
            let items = (group["Members"] as? [String: Any])?["Items"] as? [[String: Any]] ?? []
            members[group["Id"] as? String ?? ""] = items.compactMap { $0["OriginId"] as? String }
        }
        return members
    }

    @Test("GetDistributionConfig reads the configuration and ETag boto3 sees")
    func getDistributionConfig() async throws {
        let world = try EmulatorWorld.get()
        let topology = try world.topology("cfget", parts: "web")
        let snapshot = try await world.cloudFront.getDistributionConfig(id: topology.distributionID)

        let answer = try world.boto("cloudfront", "us-east-1", "get_distribution_config", ["Id": topology.distributionID])
        #expect(snapshot.etag == answer["ETag"] as? String)
        #expect(snapshot.config.localName == "DistributionConfig")
        #expect(snapshot.config.text(at: "DefaultRootObject") == "index.html")
        #expect(
            try OriginGroups.read(from: snapshot.config) == [
                OriginGroup(
                    id: topology.originGroupID, memberOriginIDs: [topology.primaryOrigin, topology.secondaryOrigin],
                    failoverStatusCodes: [500, 502, 503, 504, 403, 404])
            ])
    }

    @Test("UpdateDistribution with If-Match writes the reordered group: boto3 reads the new member order")
    func updateDistribution() async throws {
        let world = try EmulatorWorld.get()
        let topology = try world.topology("cfupdate", parts: "web")
        let snapshot = try await world.cloudFront.getDistributionConfig(id: topology.distributionID)
        let reordered = try OriginGroups.reordering(group: topology.originGroupID, primary: topology.secondaryOrigin, in: snapshot.config)

        let updated = try await world.cloudFront.updateDistribution(id: topology.distributionID, config: reordered, ifMatch: snapshot.etag)

        #expect(updated.id == topology.distributionID)
        #expect(!updated.etag.isEmpty)
        // moto keeps one ETag per distribution (real CloudFront issues a new one); what matters is that the
        // answer's ETag is the one the next If-Match must carry.
        #expect(updated.originGroups.first?.memberOriginIDs == [topology.secondaryOrigin, topology.primaryOrigin])
        #expect(try botoMembers(world, topology.distributionID) == [topology.originGroupID: [topology.secondaryOrigin, topology.primaryOrigin]])
        let answer = try world.boto("cloudfront", "us-east-1", "get_distribution", ["Id": topology.distributionID])
        #expect(answer["ETag"] as? String == updated.etag)
    }

    @Test("GetDistribution reads id, status, ETag and origin groups as boto3 sees them")
    func getDistribution() async throws {
        let world = try EmulatorWorld.get()
        let topology = try world.topology("cfdist", parts: "web")
        let distribution = try await world.cloudFront.getDistribution(id: topology.distributionID)

        let answer = try world.boto("cloudfront", "us-east-1", "get_distribution", ["Id": topology.distributionID])
        let boto = try #require(answer["Distribution"] as? [String: Any], "\(answer)")
        #expect(distribution.id == topology.distributionID)
        #expect(distribution.etag == answer["ETag"] as? String)
        #expect(distribution.status == boto["Status"] as? String)
        #expect(distribution.arn == boto["ARN"] as? String)
        #expect(distribution.domainName == boto["DomainName"] as? String)
        #expect(distribution.lastModifiedTime != nil)
        #expect(distribution.originGroups.map(\.memberOriginIDs) == [[topology.primaryOrigin, topology.secondaryOrigin]])
    }

    @Test("GetDistribution of an unknown id is NoSuchDistribution (404) with a request id")
    func missingDistribution() async throws {
        let world = try EmulatorWorld.get()
        let error = try await expectAWSError { _ = try await world.cloudFront.getDistribution(id: "E000000000000") }
        #expect(error.kind == .service)
        #expect(error.code == "NoSuchDistribution")
        #expect(error.httpStatus == 404)
        #expect(error.service == "cloudfront")
        #expect(error.operation == "GetDistribution")
    }

    /// Issue 3: "The CloudFront round-trip test uses a DistributionConfig carrying every optional section the
    /// emulator accepts and asserts the written-back document equals the original except the origin group's
    /// member order."
    @Test("Round trip of a configuration with every optional section: only the member order changes")
    func fullConfigurationRoundTrip() async throws {
        let world = try EmulatorWorld.get()
        let script = "Tests/AWSEmulatorTests/Scripts/cloudfront_full_config.py"
        let created = try JSONSerialization.jsonObject(with: Data(try Emulator.python([script, world.emulator.endpoint, "create"]).utf8))
        let id = try #require((created as? [String: Any])?["id"] as? String)
        let group = "full-standby-origin-group"
        func botoView() throws -> (config: String, members: [String: [String]]) {
            let output = try Emulator.python([script, world.emulator.endpoint, "read", id])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            let config = try JSONSerialization.data(withJSONObject: json["config_without_member_order"] ?? [:], options: [.sortedKeys])
            return (String(decoding: config, as: UTF8.self), json["members"] as? [String: [String]] ?? [:])
        }
        let botoBefore = try botoView()

        let original = try await world.cloudFront.getDistributionConfig(id: id)
        // Every section the script sent is in the document (spot checks of each kind of element).
        for path in [
            "Aliases/Items", "Origins/Items", "OriginGroups/Items", "DefaultCacheBehavior/ForwardedValues/Cookies/WhitelistedNames",
            "DefaultCacheBehavior/TrustedSigners/Items", "DefaultCacheBehavior/TrustedKeyGroups/Items",
            "DefaultCacheBehavior/LambdaFunctionAssociations", "CacheBehaviors/Items", "CustomErrorResponses/Items",
            "Restrictions/GeoRestriction/Items", "ViewerCertificate/ACMCertificateArn", "Logging/Prefix", "PriceClass",
            "WebACLId", "HttpVersion", "IsIPV6Enabled", "Comment", "DefaultRootObject", "Staging", "AnycastIpListId",
        ] {
            #expect(original.config.element(at: path) != nil, "\(path) missing from the configuration read")
        }
        let customOrigin = try #require(original.config.element(at: "Origins/Items")?.children(named: "Origin").last)
        #expect(customOrigin.text(at: "CustomOriginConfig/OriginSslProtocols/Quantity") == "2")
        #expect(customOrigin.text(at: "CustomHeaders/Quantity") == "2")
        #expect(
            try OriginGroups.read(from: original.config).map(\.memberOriginIDs) == [
                ["full-primary-origin", "full-secondary-origin"], ["full-secondary-origin", "full-primary-origin"],
            ])

        let reordered = try OriginGroups.reordering(group: group, primary: "full-secondary-origin", in: original.config)
        #expect(reordered != original.config)
        _ = try await world.cloudFront.updateDistribution(id: id, config: reordered, ifMatch: original.etag)

        // Our client: the document read back is exactly what was written, and putting the member order back
        // gives exactly the original.
        let written = try await world.cloudFront.getDistributionConfig(id: id)
        #expect(written.config == reordered)
        #expect(try OriginGroups.reordering(group: group, primary: "full-primary-origin", in: written.config) == original.config)
        #expect(written.config.serialized() != original.config.serialized())

        // boto3: the same document except the member order of that one group.
        let botoAfter = try botoView()
        #expect(botoAfter.config == botoBefore.config)
        #expect(botoBefore.members[group] == ["full-primary-origin", "full-secondary-origin"])
        #expect(botoAfter.members[group] == ["full-secondary-origin", "full-primary-origin"])
        #expect(botoAfter.members["full-reverse-origin-group"] == botoBefore.members["full-reverse-origin-group"])
    }
}
