import AWS
import Basics
import DesiredState
import Foundation
import Reconciler
import Testing

let controlEast = "arn:aws:route53-recovery-control::111122223333:controlpanel/abc123/routingcontrol/east1"
let controlWest = "arn:aws:route53-recovery-control::111122223333:controlpanel/abc123/routingcontrol/west1"

/// Unishop with failover records and routing controls beside its CloudFront origin group.
let unishopYAMLWithDNS =
    unishopYAMLWithDocumentDB
    .replacingOccurrences(
        of: "      auroraCluster: arn:aws:rds:us-east-1:111122223333:cluster:hot-primary\n",
        with:
            "      auroraCluster: arn:aws:rds:us-east-1:111122223333:cluster:hot-primary\n      route53SetIdentifier: shop-east\n      routingControlArn: \(controlEast)\n"
    )
    .replacingOccurrences(
        of: "      auroraCluster: arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary\n",
        with:
            "      auroraCluster: arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary\n      route53SetIdentifier: shop-west\n      routingControlArn: \(controlWest)\n"
    )
        + """
          route53:
            hostedZoneId: Z0123456789EXAMPLE
            recordName: shop.example.com.
          routingControls:
            clusterEndpoints:
              - region: us-west-2
                url: https://host1.route53-recovery-cluster.us-west-2.amazonaws.com/v1
              - region: eu-west-1
                url: https://host2.route53-recovery-cluster.eu-west-1.amazonaws.com/v1

        """

@Suite("DNS traffic kinds: keys, endpoints, refusals")
struct DNSKindTests {
    @Test("the keys are read into the kinds' declarations")
    func keys() throws {
        let app = try ApplicationParser.parse(unishopYAMLWithDNS, path: "desired-state/unishop.yaml").get()
        #expect(app.spec.route53 == Route53Spec(hostedZoneID: "Z0123456789EXAMPLE", recordName: "shop.example.com.", recordType: "A"))
        #expect(app.spec.regions.compactMap(\.route53SetIdentifier) == ["shop-east", "shop-west"])
        #expect(app.spec.regions.compactMap(\.routingControlARN) == [controlEast, controlWest])
        #expect(app.spec.routingControls?.clusterEndpoints.map(\.region) == ["us-west-2", "eu-west-1"])
    }

    @Test(
        "bad DNS keys name file, line and field",
        arguments: [
            ("hostedZoneId: Z0123456789EXAMPLE", "hostedZoneId: z-lower", "spec.route53.hostedZoneId", "expected a hosted zone id"),
            ("recordName: shop.example.com.", "recordName: shop..example.com", "spec.route53.recordName", "expected a domain name"),
            ("recordName: shop.example.com.", "recordName: shop.example.com.\n    recordType: AA", "spec.route53.recordType", "expected one of"),
            ("      route53SetIdentifier: shop-west\n", "", "spec.route53", "expected exactly two"),
            ("      route53SetIdentifier: shop-east\n", "", "spec.regions.us-east-1.route53SetIdentifier", "us-east-1 is active"),
            ("route53SetIdentifier: shop-west", "route53SetIdentifier: shop-east", "spec.regions.us-west-1.route53SetIdentifier", "distinct"),
            ("routingcontrol/west1", "routingcontrol/west 1", "spec.regions.us-west-1.routingControlArn", "expected a routing control ARN"),
            ("      routingControlArn: \(controlWest)\n", "", "spec.regions.us-west-1.routingControlArn", "missing"),
            ("url: https://host1", "url: http://host1", "spec.routingControls.clusterEndpoints[0].url", "expected https"),
            ("url: https://host1", "url: https://user:pw@host1", "spec.routingControls.clusterEndpoints[0].url", "without credentials"),
            ("  - region: eu-west-1", "  - region: Europe", "spec.routingControls.clusterEndpoints[1].region", "expected an AWS region name"),
            ("  - region: us-west-2", "  - region: eu-west-1", "spec.routingControls.clusterEndpoints[0].region", "is in us-west-2"),
            (
                "url: https://host1.route53-recovery-cluster.us-west-2.amazonaws.com/v1", "url: http://127.attacker.example/v1",
                "spec.routingControls.clusterEndpoints[0].url", "expected https"
            ),
            (
                "- region: eu-west-1\n        url: https://host2.route53-recovery-cluster.eu-west-1.amazonaws.com/v1",
                "- region: us-west-2\n        url: https://HOST1.route53-recovery-cluster.us-west-2.amazonaws.com/v1/",
                "spec.routingControls.clusterEndpoints[1].url", "twice"
            ),
            ("routingcontrol/west1", "routingcontrol/West1", "spec.regions.us-west-1.routingControlArn", "expected a routing control ARN"),
            ("recordName: shop.example.com.", "recordName: shop.example.com.\n    recordType: SOA", "spec.route53.recordType", "expected one of"),
            ("routingControlArn: \(controlWest)", "routingControlArm: \(controlWest)", "spec.regions.us-west-1.routingControlArm", "did you mean"),
            (
                "    clusterEndpoints:\n", "    clusterEndpoints: https://one\n    old:\n", "spec.routingControls.clusterEndpoints",
                "expected a list"
            ),
        ])
    func bad(_ from: String, _ to: String, _ field: String, _ message: String) throws {
        #expect(unishopYAMLWithDNS.contains(from), "the fixture holds \(from)")
        let text = unishopYAMLWithDNS.replacingOccurrences(of: from, with: to)
        guard case let .failure(failure) = ApplicationParser.parse(text, path: "desired-state/unishop.yaml") else {
            Issue.record("accepted: \(text)")
            return
        }
        let match = failure.diagnostics.first { $0.field == field && $0.message.contains(message) }
        #expect(match != nil, "\(failure.diagnostics)")
        #expect((match?.location.line ?? 0) > 1 && match?.location.path == "desired-state/unishop.yaml")
    }

    @Test("a secret written into an endpoint URL by mistake is never echoed back")
    func secretNotEchoed() throws {
        let text = unishopYAMLWithDNS.replacingOccurrences(of: "https://host1", with: "https://admin:SuperSecret123@host1")
            .replacingOccurrences(of: "eu-west-1.amazonaws.com/v1", with: "eu-west-1.amazonaws.com/v1?X-Amz-Security-Token=TOKEN42")
        guard case let .failure(failure) = ApplicationParser.parse(text, path: "desired-state/unishop.yaml") else {
            Issue.record("accepted")
            return
        }
        let said = "\(failure)"
        #expect(failure.diagnostics.count == 2, "\(said)")
        #expect(!said.contains("SuperSecret123") && !said.contains("TOKEN42") && said.contains("REDACTED"), "\(said)")
    }

    @Test("a local emulator's http endpoint is accepted; a remote http one is not")
    func loopback() throws {
        let text = unishopYAMLWithDNS.replacingOccurrences(
            of: "https://host1.route53-recovery-cluster.us-west-2.amazonaws.com/v1", with: "http://127.0.0.1:4566/_arc/c/us-west-2/v1")
        #expect(throws: Never.self) { try ApplicationParser.parse(text, path: "a.yaml").get() }
    }

    static let endpoints = [
        ClusterEndpoint(region: "us-east-1", url: URL(string: "https://a/v1")!),
        ClusterEndpoint(region: "us-west-2", url: URL(string: "https://b/v1")!),
        ClusterEndpoint(region: "eu-west-1", url: URL(string: "https://c/v1")!),
    ]

    static func failure(_ code: String, status: Int?, kind: AWSError.Kind = .service) -> AWSError {
        AWSError(
            kind: kind, service: "route53-recovery-cluster", operation: "UpdateRoutingControlStates", code: code, message: "\(code) here",
            httpStatus: status)
    }

    @Test("endpoints are tried in turn until one answers; a refusal is the answer; none answering names each")
    func firstAnswer() async throws {
        let tried = Locked<[String]>([])
        let answer = try await RoutingControlClient.firstAnswer(Self.endpoints) { endpoint in
            tried.withLock { $0.append(endpoint.region) }
            if endpoint.region == "us-east-1" { throw Self.failure("ConnectionFailed", status: nil, kind: .transport) }
            return endpoint.region
        }
        #expect(answer == "us-west-2" && tried.withLock { $0 } == ["us-east-1", "us-west-2"])

        tried.withLock { $0 = [] }
        await #expect(throws: AWSError.self) {
            try await RoutingControlClient.firstAnswer(Self.endpoints) { endpoint -> String in
                tried.withLock { $0.append(endpoint.region) }
                throw Self.failure("ConflictException", status: 409)
            }
        }
        #expect(tried.withLock { $0 } == ["us-east-1"], "a safety rule's refusal is not retried at another endpoint")

        do {
            _ = try await RoutingControlClient.firstAnswer(Self.endpoints) { endpoint -> String in
                throw endpoint.region == "us-west-2"
                    ? Self.failure("ThrottlingException", status: 429) : Self.failure("EndpointTemporarilyUnavailableException", status: 503)
            }
            Issue.record("answered")
        } catch let none as EndpointsUnanswered {
            #expect(none.tried.map(\.endpoint.region) == ["us-east-1", "us-west-2", "eu-west-1"])
            for host in ["https://a/v1 (us-east-1): ", "https://b/v1 (us-west-2): ", "https://c/v1 (eu-west-1): "] {
                #expect(none.description.contains(host), "\(none)")
            }
        }
    }

    /// Controls in memory; `refuse` answers every update with a safety rule's 409.
    final class FakeControls: RoutingControlControl, @unchecked Sendable {
        let states = Locked<[String: String]>([controlEast: "On", controlWest: "Off"])
        var refuse = false
        let updates = Locked(0)

        func state(of control: String, at endpoint: ClusterEndpoint) async throws -> String {
            try states.withLock { states in
                guard let state = states[control] else { throw DNSKindTests.failure("ResourceNotFoundException", status: 404) }
                return state
            }
        }

        func setStates(_ new: [String: String], at endpoint: ClusterEndpoint) async throws -> String? {
            updates.withLock { $0 += 1 }
            if refuse { throw DNSKindTests.failure("ConflictException", status: 409) }
            states.withLock { $0.merge(new) { $1 } }
            return "req-arc"
        }
    }

    @Test("a safety rule's refusal blocks the app with its message, after one update")
    func refusal() async throws {
        var app = try ApplicationParser.parse(unishopYAMLWithDNS, path: "desired-state/unishop.yaml").get()
        app.spec.activeRegion = "us-west-1"
        let fake = FakeControls()
        fake.refuse = true
        let kind = RoutingControls(control: fake)
        let live = try #require(await kind.observe(app, calls: DirectCalls()))
        var plan = AppPlan(app: app.name, activeRegion: "us-west-1")
        kind.plan(app, live, into: &plan)
        let step = try #require(plan.steps.first)
        #expect(step.phase == .moveTraffic && plan.live.trafficRegion == "us-east-1")
        let outcomes = await Applier(kinds: ResourceKinds([kind]), options: ApplyOptions(pollInterval: .milliseconds(1))).apply(plan, for: app)
        let outcome = try #require(outcomes.first { $0.step.id == step.id })
        #expect(outcome.status == .pending && outcome.blocks && outcome.code == RoutingControlCodes.refused, "\(outcome)")
        #expect(outcome.message.contains("ConflictException here"), "\(outcome.message)")
        #expect(fake.updates.withLock { $0 } == 1)
        #expect(fake.states.withLock { $0 } == [controlEast: "On", controlWest: "Off"], "nothing changed")
    }
}
