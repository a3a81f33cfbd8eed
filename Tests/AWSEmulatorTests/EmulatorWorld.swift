import AWS
import Foundation
import Logging
import SwitchyardTestSupport
import Synchronization
import Testing

/// One emulator for a whole suite: started before its first test, stopped after its last.
///
/// Tests read it from `EmulatorWorld.current`; each test works on resources of its own (unique names), so the
/// suite's tests may run in parallel.
struct SharedEmulator: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let emulator = try Emulator(failoverSeconds: 30)
        defer { emulator.stop() }
        try await EmulatorWorld.$current.withValue(EmulatorWorld(emulator: emulator)) {
            try await function()
        }
    }
}

extension Trait where Self == SharedEmulator {
    /// Runs the suite against one emulator of its own.
    static var sharedEmulator: SharedEmulator { SharedEmulator() }
}

/// The emulator of the running suite and real clients of it: `CurlTransport`, dummy static credentials,
/// `AWS_ENDPOINT_URL` pointing at the emulator (or a proxy in front of it), `AWSErrorDecoder`.
struct EmulatorWorld: Sendable {
    @TaskLocal static var current: EmulatorWorld?

    let emulator: Emulator

    /// The world of the running suite.
    static func get() throws -> EmulatorWorld {
        try #require(current, "the suite needs the .sharedEmulator trait")
    }

    /// A client of `endpoint` (the emulator unless given) with this retry policy.
    func client(
        endpoint: String? = nil, retryPolicy: RetryPolicy = RetryPolicy(sleep: { _ in }),
        credentials: (any CredentialProvider)? = StaticCredentialProvider(
            AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
        onCall: (@Sendable (AWSCallRecord) -> Void)? = nil
    ) -> AWSClient {
        // Injected faults log at info; the expectations say what matters.
        let logger = Logger(label: "aws-emulator-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        return AWSClient(
            credentials: credentials, transport: CurlTransport(logger: logger),
            endpoints: EndpointResolver(environment: ["AWS_ENDPOINT_URL": endpoint ?? emulator.endpoint]),
            retryPolicy: retryPolicy, errorDecoder: AWSErrorDecoder.errorDecoder, logger: logger, onCall: onCall)
    }

    var s3: S3Client { S3Client(sender: client()) }
    var cloudFront: CloudFrontClient { CloudFrontClient(sender: client()) }
    var rds: RDSClient { RDSClient(sender: client()) }
    var cloudWatch: CloudWatchClient { CloudWatchClient(sender: client()) }
    var sts: STSClient { STSClient(sender: client()) }

    /// Calls `method` of a boto3 client with JSON `arguments`, independent of Switchyard's code; returns the
    /// response (without `ResponseMetadata`) as JSON, or `["Error": ["Code": …]]` for a `ClientError`.
    func boto(_ service: String, _ region: String, _ method: String, _ arguments: [String: Any] = [:]) throws -> [String: Any] {
        try emulator.boto(service, region, method, arguments)
    }

    /// The error code of a boto3 answer, if it is an error.
    static func errorCode(_ answer: [String: Any]) -> String? {
        (answer["Error"] as? [String: Any])?["Code"] as? String
    }

    /// Creates the Unishop topology (`parts`: all, web, aurora) under a prefix unique to the calling test.
    func topology(_ prefix: String, parts: String = "all") throws -> AppTopology {
        let app = try #require(try emulator.createTopologyJSON(prefix: prefix, parts: parts).first)
        let aurora = app["aurora"] as? [String: Any] ?? [:]
        let distribution = app["distribution"] as? [String: Any] ?? [:]
        let buckets = app["buckets"] as? [String: Any] ?? [:]
        func field(_ dict: [String: Any]?, _ key: String) -> String { dict?[key] as? String ?? "" }
        return AppTopology(
            distributionID: field(distribution, "id"), originGroupID: "\(prefix)-standby-origin-group",
            primaryBucket: field(buckets["primary"] as? [String: Any], "name"),
            secondaryBucket: field(buckets["secondary"] as? [String: Any], "name"),
            primaryOrigin: "\(prefix)-primary-origin", secondaryOrigin: "\(prefix)-secondary-origin",
            globalClusterID: field(aurora, "global_cluster_id"),
            primaryClusterARN: field(aurora["primary"] as? [String: Any], "arn"),
            secondaryClusterARN: field(aurora["secondary"] as? [String: Any], "arn"))
    }
}

/// Runs `body` expecting an `AWSError`, and returns it.
func expectAWSError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async throws -> AWSError {
    do {
        try await body()
    } catch let error as AWSError {
        return error
    }
    Issue.record("expected an AWSError", sourceLocation: sourceLocation)
    throw TestSupportError("no error")
}

/// One app of the Unishop topology that `emulator/topology.py` created (fields of the parts not created are empty).
struct AppTopology: Sendable {
    var distributionID: String
    var originGroupID: String
    var primaryBucket: String
    var secondaryBucket: String
    var primaryOrigin: String
    var secondaryOrigin: String
    var globalClusterID: String
    var primaryClusterARN: String
    var secondaryClusterARN: String
}

/// Values recorded from concurrent code (call records, backoffs), in order.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    var all: [Value] { values.withLock { $0 } }
    func record(_ value: Value) { values.withLock { $0.append(value) } }
}
