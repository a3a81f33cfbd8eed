import AWS
import Foundation
import SwitchyardTestSupport
import Testing

/// AWSClient's retries through `emulator/fault_proxy.py` in front of the emulator: throttling and 5xx are retried
/// with backoff, the client gives up after the configured attempts with the last error, and a mutation is never
/// re-sent after an ambiguous failure. The sleep is injected: backoffs are recorded, never waited.
///
/// Serialized, and each test has a proxy of its own, so the proxy's counters are the test's alone.
@Suite("Retries through the fault proxy", .sharedEmulator, .serialized)
struct RetryThroughFaultProxyTests {
    /// A proxy in front of the suite's emulator, a client of it whose sleeps are recorded, and its call records.
    struct Harness {
        let world: EmulatorWorld
        let proxy: FaultProxy
        let backoffs = Recorder<Duration>()
        let calls = Recorder<AWSCallRecord>()

        init() throws {
            world = try EmulatorWorld.get()
            proxy = try FaultProxy(upstream: world.emulator.endpoint)
        }

        /// A client through the proxy: `maxAttempts` attempts, jitter fixed at 0.5, sleeps recorded.
        func client(maxAttempts: Int = 3) -> AWSClient {
            let policy = RetryPolicy(maxAttempts: maxAttempts, random: { 0.5 }, sleep: { [backoffs] delay in backoffs.record(delay) })
            return world.client(endpoint: proxy.endpoint, retryPolicy: policy, onCall: calls.record)
        }

        var recordedBackoffs: [Duration] { backoffs.all }
    }

    @Test("Throttling twice, then success: the call succeeds on the third attempt after two backoffs")
    func throttlingThenSuccess() async throws {
        let harness = try Harness()
        defer { harness.proxy.stop() }
        let topology = try harness.world.topology("retrythrottle", parts: "aurora")
        try await harness.proxy.addRule([
            "action": "error", "error": "throttling", "service": "rds", "operation": "DescribeGlobalClusters", "count": 2,
        ])

        let cluster = try await RDSClient(sender: harness.client()).describeGlobalClusters(id: topology.globalClusterID, region: "us-east-1")

        #expect(cluster.writer?.dbClusterArn == topology.primaryClusterARN)
        #expect(harness.calls.all.map(\.attempts) == [3])
        #expect(harness.calls.all.map(\.outcome) == [.success])
        // Full jitter at 0.5: half of 1 s, then half of 2 s.
        #expect(harness.recordedBackoffs == [.milliseconds(500), .milliseconds(1000)])
        #expect(try await harness.proxy.requestCounts()["us-east-1/rds"] == 3)
        #expect(try await harness.proxy.faultCounts()["kind:error:throttling"] == 2)
    }

    @Test("503 five times with 3 attempts: gives up after exactly 3 with the last error (ServiceUnavailable, 503)")
    func unavailableGivesUp() async throws {
        let harness = try Harness()
        defer { harness.proxy.stop() }
        try await harness.proxy.addRule(["action": "error", "error": "503", "service": "rds", "count": 5])

        let error = try await expectAWSError {
            _ = try await RDSClient(sender: harness.client(maxAttempts: 3)).describeDBClusters(id: "any-cluster", region: "us-west-1")
        }

        #expect(error.kind == .service)
        #expect(error.code == "ServiceUnavailable")
        #expect(error.httpStatus == 503)
        #expect(error.operation == "DescribeDBClusters")
        #expect(error.requestID != nil)
        #expect(harness.calls.all.map(\.attempts) == [3])
        #expect(harness.calls.all.map(\.outcome) == [.serviceError(code: "ServiceUnavailable")])
        #expect(harness.recordedBackoffs == [.milliseconds(500), .milliseconds(1000)])
        #expect(try await harness.proxy.requestCounts()["us-west-1/rds"] == 3)
        #expect(try await harness.proxy.faultCounts()["kind:error:503"] == 3)
    }

    @Test("The error given up with is the last attempt's, not the first's")
    func lastErrorWins() async throws {
        let harness = try Harness()
        defer { harness.proxy.stop() }
        try await harness.proxy.addRule(["id": "first", "action": "error", "error": "500", "service": "rds", "count": 1])
        try await harness.proxy.addRule(["id": "then", "action": "error", "error": "503", "service": "rds", "count": 5])

        let error = try await expectAWSError {
            _ = try await RDSClient(sender: harness.client(maxAttempts: 3)).describeGlobalClusters(id: "any-global", region: "us-east-1")
        }

        #expect(error.code == "ServiceUnavailable")
        #expect(error.httpStatus == 503)
        let faults = try await harness.proxy.faultCounts()
        #expect(faults["rule:first"] == 1)
        #expect(faults["rule:then"] == 2)
        #expect(try await harness.proxy.requestCounts()["us-east-1/rds"] == 3)
    }

    @Test("S3 SlowDown (503) is retried too: the read succeeds on the second attempt")
    func s3SlowDownThenSuccess() async throws {
        let harness = try Harness()
        defer { harness.proxy.stop() }
        let created = try harness.world.boto("s3", "us-east-1", "create_bucket", ["Bucket": "retry-slowdown-bucket"])
        #expect(EmulatorWorld.errorCode(created) == nil, "\(created)")
        try await harness.proxy.addRule(["action": "error", "error": "slowdown", "service": "s3", "count": 1])

        let block = try await S3Client(sender: harness.client()).getPublicAccessBlock(bucket: "retry-slowdown-bucket", region: "us-east-1")

        #expect(block == nil)
        #expect(harness.calls.all.map(\.attempts) == [2])
        #expect(harness.recordedBackoffs == [.milliseconds(500)])
        #expect(try await harness.proxy.requestCounts()["us-east-1/s3"] == 2)
    }

    @Test("A switchover answered 503 is not re-sent: the proxy saw one request, the writer is unchanged")
    func mutationNotRetriedAfterUnavailable() async throws {
        let harness = try Harness()
        defer { harness.proxy.stop() }
        let topology = try harness.world.topology("retrymutation", parts: "aurora")
        try await harness.proxy.addRule(["action": "error", "error": "503", "service": "rds", "operation": "SwitchoverGlobalCluster", "count": 5])

        let error = try await expectAWSError {
            _ = try await RDSClient(sender: harness.client(maxAttempts: 3)).switchoverGlobalCluster(
                globalClusterId: topology.globalClusterID, targetArn: topology.secondaryClusterARN, region: "us-west-1")
        }

        #expect(error.code == "ServiceUnavailable")
        #expect(error.httpStatus == 503)
        #expect(error.operation == "SwitchoverGlobalCluster")
        #expect(harness.calls.all.map(\.attempts) == [1])
        #expect(harness.recordedBackoffs.isEmpty)
        #expect(try await harness.proxy.requestCounts()["us-west-1/rds"] == 1)
        #expect(try await harness.proxy.faultCounts()["kind:error:503"] == 1)
        let state = try harness.world.emulator.inspect(globalClusters: [topology.globalClusterID])
        let global = (state["global_clusters"] as? [String: Any])?[topology.globalClusterID] as? [String: Any]
        #expect(global?["writer"] as? String == topology.primaryClusterARN)
        #expect(global?["status"] as? String == "available")
    }

    @Test("A throttled switchover is retried (throttling means not applied); the emulator ran it exactly once")
    func throttledMutationIsRetried() async throws {
        let harness = try Harness()
        defer { harness.proxy.stop() }
        let topology = try harness.world.topology("retrythrottledswitch", parts: "aurora")
        try harness.world.emulator.resetCalls()
        try await harness.proxy.addRule([
            "action": "error", "error": "throttling", "service": "rds", "operation": "SwitchoverGlobalCluster", "count": 1,
        ])

        let started = try await RDSClient(sender: harness.client()).switchoverGlobalCluster(
            globalClusterId: topology.globalClusterID, targetArn: topology.secondaryClusterARN, region: "us-west-1")

        #expect(started?.failoverState?.toDBClusterArn == topology.secondaryClusterARN)
        #expect(harness.calls.all.map(\.attempts) == [2])
        #expect(try await harness.world.emulator.calls(service: "rds", mutating: true)["rds:SwitchoverGlobalCluster"] == 1)
    }
}
