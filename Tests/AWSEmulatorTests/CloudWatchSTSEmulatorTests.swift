import AWS
import Basics
import Foundation
import Logging
import SwitchyardTestSupport
import Testing

/// CloudWatchClient and STSClient (and the AssumeRole credential provider) against the emulator.
@Suite("CloudWatch and STS against the emulator", .sharedEmulator)
struct CloudWatchSTSEmulatorTests {
    @Test("latestAuroraGlobalDBLag (GetMetricStatistics) reads the newest Maximum boto3 put")
    func latestReplicationLag() async throws {
        let world = try EmulatorWorld.get()
        let now = Date()
        let iso = ISO8601DateFormatter()
        func datum(_ secondsAgo: TimeInterval, _ value: Double) -> [String: Any] {
            [
                "MetricName": "AuroraGlobalDBReplicationLag", "Unit": "Milliseconds", "Value": value,
                "Timestamp": iso.string(from: now.addingTimeInterval(-secondsAgo)),
                "Dimensions": [["Name": "DBClusterIdentifier", "Value": "lag-secondary"]],
            ]
        }
        let answer = try world.boto(
            "cloudwatch", "us-west-1", "put_metric_data",
            [
                "Namespace": "AWS/RDS", "MetricData": [datum(300, 900), datum(190, 120), datum(185, 480), datum(70, 250)],
            ])
        #expect(EmulatorWorld.errorCode(answer) == nil, "\(answer)")

        let latest = try #require(
            try await world.cloudWatch.latestAuroraGlobalDBLag(
                .replicationLag, dbClusterIdentifier: "lag-secondary", region: "us-west-1", window: 600, period: 60, now: now))
        #expect(latest.value == 250)
        #expect(latest.unit == "Milliseconds")

        // The same datapoints through the general call: one Maximum per minute, oldest first.
        let points = try await world.cloudWatch.getMetricStatistics(
            MetricStatisticsQuery(
                namespace: "AWS/RDS", metricName: "AuroraGlobalDBReplicationLag",
                dimensions: [MetricDimension(name: "DBClusterIdentifier", value: "lag-secondary")],
                startTime: now.addingTimeInterval(-600), endTime: now, period: 60, statistic: "Maximum"),
            region: "us-west-1")
        #expect(points.map(\.value).last == 250)
        #expect(points.map(\.value).contains(900))
        #expect(points.map(\.timestamp) == points.map(\.timestamp).sorted())
    }

    @Test("latestAuroraGlobalDBLag reads a datapoint put a moment ago, not an older higher one")
    func lagJustPut() async throws {
        let world = try EmulatorWorld.get()
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func put(_ value: Double, secondsAgo: TimeInterval) throws {
            let answer = try world.boto(
                "cloudwatch", "us-west-1", "put_metric_data",
                [
                    "Namespace": "AWS/RDS",
                    "MetricData": [
                        [
                            "MetricName": "AuroraGlobalDBReplicationLag", "Unit": "Milliseconds", "Value": value,
                            "Timestamp": iso.string(from: Date().addingTimeInterval(-secondsAgo)),
                            "Dimensions": [["Name": "DBClusterIdentifier", "Value": "lag-fresh"]],
                        ]
                    ],
                ])
            #expect(EmulatorWorld.errorCode(answer) == nil, "\(answer)")
        }
        try put(45_000, secondsAgo: 180)
        try put(2_000, secondsAgo: 0)
        let latest = try await world.cloudWatch.latestAuroraGlobalDBLag(.replicationLag, dbClusterIdentifier: "lag-fresh", region: "us-west-1")
        #expect(latest?.value == 2_000)
    }

    @Test("latestAuroraGlobalDBLag is nil when CloudWatch has no datapoint (other metric, other region)")
    func noLagDatapoint() async throws {
        let world = try EmulatorWorld.get()
        #expect(try await world.cloudWatch.latestAuroraGlobalDBLag(.rpoLag, dbClusterIdentifier: "lag-none", region: "us-east-1") == nil)
    }

    @Test("GetCallerIdentity answers who the credentials are, as boto3 sees it")
    func callerIdentity() async throws {
        let world = try EmulatorWorld.get()
        let identity = try await world.sts.getCallerIdentity(region: "us-west-1")
        let boto = try world.boto("sts", "us-west-1", "get_caller_identity")
        #expect(identity.account == boto["Account"] as? String)
        #expect(identity.arn == boto["Arn"] as? String)
        #expect(identity.userID == boto["UserId"] as? String)
        #expect(identity.account.count == 12)
    }

    @Test("AssumeRole through the credential provider: calls signed with the role's session are the role's")
    func assumeRole() async throws {
        let world = try EmulatorWorld.get()
        let logger = Logger(label: "aws-emulator-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        let account = try await world.sts.getCallerIdentity(region: "us-east-1").account
        let roleARN = "arn:aws:iam::\(account):role/switchyard-operator"
        let provider = AssumeRoleCredentialProvider(
            source: StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
            roleARN: roleARN, sessionName: "emulator-session", region: "us-east-1", transport: CurlTransport(logger: logger),
            environment: ["AWS_ENDPOINT_URL": world.emulator.endpoint], logger: logger)

        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID != "testing")
        #expect(credentials.sessionToken?.isEmpty == false)
        #expect(credentials.expiration.map { $0 > Date() } == true)

        let identity = try await STSClient(sender: world.client(credentials: provider)).getCallerIdentity(region: "us-east-1")
        #expect(identity.arn == "arn:aws:sts::\(account):assumed-role/switchyard-operator/emulator-session")
        #expect(identity.account == account)
    }
}
