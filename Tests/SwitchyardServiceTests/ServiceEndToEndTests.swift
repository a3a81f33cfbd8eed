import Reconciler
import Foundation
import GitSource
import Journaling
import SwitchyardService
import SwitchyardTestSupport
import Testing

/// One end-to-end setup: the emulator with the Hot Standby topology, a bare repository holding its desired state,
/// and the folders a `switchyard run` needs.
final class ServiceHarness: @unchecked Sendable {
    let emulator: Emulator
    let topology: Emulator.Topology
    let git: GitFixture
    let bare: String
    let work: String
    let stateDir: String
    let secretFile: String
    static let secret = "testsecret"
    var processes: [ServiceProcess] = []

    init(failoverSeconds: Double = 1) throws {
        emulator = try Emulator(failoverSeconds: failoverSeconds)
        do {
            topology = try #require(try emulator.createTopology().first)
            git = try GitFixture()
            bare = git.path("origin.git")
            work = git.path("work")
            stateDir = git.path("state")
            secretFile = git.path("webhook-secret")
            try FileManager.default.createDirectory(atPath: bare, withIntermediateDirectories: true)
            try git.git("init", "-q", "--bare", in: bare)
            try git.git("clone", "-q", bare, work, in: git.root.path)
            try FileManager.default.createDirectory(atPath: "\(work)/desired-state", withIntermediateDirectories: true)
            try git.write(topology.yaml(activeRegion: "us-east-1"), to: "\(work)/desired-state/hot.yaml")
            try git.git("add", "-A", in: work)
            try git.git("commit", "-q", "-m", "Add hot", in: work)
            try git.git("push", "-q", "origin", "HEAD:main", in: work)
            try git.write("\(Self.secret)\n", to: secretFile)
        } catch {
            emulator.stop()
            throw error
        }
    }

    /// Commits `text` as the app's file and pushes it; returns the commit id.
    @discardableResult
    func push(_ text: String, message: String) throws -> String {
        try git.write(text, to: "\(work)/desired-state/hot.yaml")
        try git.git("commit", "-q", "-am", message, in: work)
        try git.git("push", "-q", "origin", "HEAD:main", in: work)
        return try git.git("rev-parse", "HEAD", in: work)
    }

    func arguments(_ extra: [String] = [], interval: String = "1s") -> [String] {
        [
            "run", "--repo", "file://\(bare)", "--cache-dir", git.path("cache"), "--state-dir", stateDir, "--interval", interval,
            "--retry-interval", "1s", "--poll-interval", "200ms", "--listen", "127.0.0.1:0", "--webhook-secret-file", secretFile,
        ] + extra
    }

    /// Starts `switchyard run`; returns the process and its base URL.
    func start(interval: String = "1s", _ extra: [String] = []) async throws -> (ServiceProcess, String) {
        let process = try ServiceProcess(arguments(extra, interval: interval), in: git.root.path, environment: emulator.awsEnvironment)
        processes.append(process)
        return (process, try await process.waitForListener())
    }

    func journal() throws -> Journal { try Journal(stateDirectory: stateDir, readOnly: true) }

    /// Waits until the last finished pass converged at `commit`.
    func waitConverged(_ process: ServiceProcess, at commit: String, timeout: Double = 60) async throws {
        try await process.waitUntil("convergence at \(commit.prefix(12))", timeout: timeout) {
            guard Journal.exists(in: stateDir) else { return false }
            return try journal().passes().last { $0.finishedAt != nil }.map { $0.commit == commit && $0.outcome == .converged } ?? false
        }
    }

    func head() throws -> String { try git.git("rev-parse", "HEAD", in: work) }

    func tearDown() {
        processes.forEach { $0.cleanUp() }
        emulator.stop()
        git.remove()
    }
}

@Suite("switchyard run against a bare repository and the emulator", .serialized)
struct ServiceEndToEndTests {
    @Test("a pushed flip converges; metrics parse as Prometheus text; history shows the convergence; SIGTERM exits 0")
    func pushedFlipConverges() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, url) = try await harness.start()
        try await harness.waitConverged(service, at: try harness.head())

        let flip = try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot to us-west-1")
        try await harness.waitConverged(service, at: flip)

        let state = try harness.emulator.inspect(harness.topology)
        #expect(state.writer == harness.topology.secondaryClusterARN)
        #expect(state.origins[harness.topology.originGroupID]?.first == harness.topology.secondaryOrigin)
        #expect(state.buckets[harness.topology.secondaryBucket] == "open")
        #expect(try await harness.emulator.calls(service: "rds", mutating: true)["rds:SwitchoverGlobalCluster"] == 1)
        let (ready, readyStatus) = try await HTTPTestClient.get("\(url)/readyz")
        #expect(readyStatus == 200, "\(String(decoding: ready, as: UTF8.self))")

        // The journal: the promotion's calling/called pair, with the request id, tied to the flip's commit.
        let calls = try harness.journal().calls(app: "hot").filter { $0.action == "promoteAurora" }
        #expect(calls.map(\.phase) == ["calling", "called"])
        #expect(calls.allSatisfy { $0.commit == flip && $0.activeRegion == "us-west-1" })
        #expect(calls.last?.requestID?.isEmpty == false)

        // /metrics through Python's Prometheus text parser.
        let (metrics, _) = try await HTTPTestClient.get("\(url)/metrics")
        let parsed = try Emulator.python(["-c", Self.parseMetrics], stdin: String(decoding: metrics, as: UTF8.self))
        let families = try #require(try JSONSerialization.jsonObject(with: Data(parsed.utf8)) as? [String: [String: Any]])
        #expect(families["switchyard_pass_duration_seconds"]?["type"] as? String == "histogram")
        #expect(families["switchyard_passes"]?["type"] as? String == "counter")
        #expect(families["switchyard_app_in_sync"]?["type"] as? String == "gauge")
        #expect(families["switchyard_seconds_since_last_fetch"]?["type"] as? String == "gauge")
        #expect(families["switchyard_last_applied_commit_timestamp_seconds"] != nil)
        let samples = families["switchyard_aws_calls"]?["samples"] as? [[String: Any]] ?? []
        #expect(
            samples.contains {
                ($0["labels"] as? [String: String]) == ["service": "rds", "operation": "SwitchoverGlobalCluster", "outcome": "success"]
            })
        let inSync = families["switchyard_app_in_sync"]?["samples"] as? [[String: Any]] ?? []
        #expect(inSync.contains { ($0["labels"] as? [String: String])?["app"] == "hot" && $0["value"] as? Double == 1 })

        service.signal(SIGTERM)
        #expect(try await service.waitForExit() == 0)

        // history merges the journal: when Switchyard first acted on the flip, and when it converged.
        let history = try CLI.run(["history", "--repo", harness.work, "--state-dir", harness.stateDir, "--format", "json"], in: harness.work)
        #expect(history.status == 0, "\(history.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any]
        let change = (document?["changes"] as? [[String: Any]])?.first { $0["commit"] as? String == flip }
        #expect(change?["firstActedAt"] != nil)
        #expect(change?["convergedAt"] != nil)
        #expect((change?["secondsToConverge"] as? Double ?? -1) >= 0)
    }

    static let parseMetrics = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = {}
        for family in text_string_to_metric_families(sys.stdin.read()):
            out[family.name] = {"type": family.type, "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples]}
        print(json.dumps(out))
        """

    @Test("a bad HMAC gets 401 and no pass; a signed push webhook starts a pass at once, though the interval is an hour")
    func webhookStartsAPass() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, url) = try await harness.start(interval: "1h")
        try await harness.waitConverged(service, at: try harness.head())
        let flip = try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot")
        let body = Data(#"{"ref":"refs/heads/main","after":"\#(flip)"}"#.utf8)

        let (_, refused) = try await HTTPTestClient.send(
            "POST", "\(url)/hooks/github",
            headers: [
                "X-Hub-Signature-256": WebhookSignature(secret: Data("wrong".utf8)).header(for: body),
                "X-GitHub-Event": "push", "Content-Type": "application/json",
            ], body: body)
        #expect(refused == 401)
        let (_, unsigned) = try await HTTPTestClient.send(
            "POST", "\(url)/hooks/github", headers: ["X-GitHub-Event": "push", "Content-Type": "application/json"], body: body)
        #expect(unsigned == 401)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try harness.journal().passes().count == 1, "a refused webhook starts no pass")

        let sentAt = Date()
        let (_, accepted) = try await HTTPTestClient.send(
            "POST", "\(url)/hooks/github",
            headers: [
                "X-Hub-Signature-256": WebhookSignature(secret: Data(ServiceHarness.secret.utf8)).header(for: body),
                "X-GitHub-Event": "push", "Content-Type": "application/json",
            ], body: body)
        #expect(accepted == 202)
        try await harness.waitConverged(service, at: flip)
        // The webhook's pass carries the failover out; with a hot standby, one more takes the steps left after the
        // CloudFront deployment (opening the standby again).
        let passes = try harness.journal().passes().dropFirst()
        #expect(passes.first?.trigger == "webhook refs/heads/main \(flip.prefix(12))")
        #expect(passes.dropFirst().allSatisfy { $0.trigger == "after the deployment" }, "\(passes.map(\.trigger))")
        #expect((passes.first?.startedAt ?? .distantPast) >= sentAt.addingTimeInterval(-0.01))
        let promotion = try harness.journal().calls(app: "hot").first { $0.action == "promoteAurora" }
        #expect((promotion?.time ?? .distantPast) > sentAt)
    }

    @Test("SIGKILL during a promotion, then a restart, converges with exactly one promotion call")
    func killDuringFailover() async throws {
        // A long switchover, finished by the test once the restart waits on it: timing never decides the kill's moment.
        let harness = try ServiceHarness(failoverSeconds: 60)
        defer { harness.tearDown() }
        let (first, _) = try await harness.start()
        try await harness.waitConverged(first, at: try harness.head())
        let flip = try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot")
        try await first.waitUntil("the promotion call in the journal") {
            try harness.journal().calls(app: "hot").contains { $0.action == "promoteAurora" && $0.phase == "called" }
        }
        first.signal(SIGKILL)
        #expect(try await first.waitForExit() == SIGKILL)
        #expect(try harness.emulator.inspect(harness.topology).failover != nil, "killed while the switchover is under way")

        let (second, _) = try await harness.start()
        try await second.waitUntil("the restart waiting on the promotion under way") { second.log.contains("already under way") }
        try harness.emulator.completeFailovers()
        try await harness.waitConverged(second, at: flip)
        #expect(try await harness.emulator.calls(service: "rds", mutating: true)["rds:SwitchoverGlobalCluster"] == 1)
        let state = try harness.emulator.inspect(harness.topology)
        #expect(state.writer == harness.topology.secondaryClusterARN)
        #expect(state.origins[harness.topology.originGroupID]?.first == harness.topology.secondaryOrigin)
        // The killed pass stays in the journal as it was: started, never finished.
        #expect(try harness.journal().passes().contains { $0.outcome == .running && $0.finishedAt == nil })
    }

    @Test("an invalid commit is not applied; /readyz, /api/status and the journal name file:line")
    func invalidCommit() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, url) = try await harness.start()
        let good = try harness.head()
        try await harness.waitConverged(service, at: good)
        let mutatingBefore = try await harness.emulator.calls(mutating: true)
        let bad = try harness.push(harness.topology.yaml(activeRegion: "eu-west-1"), message: "Typo")
        try await service.waitUntil("the invalid commit's pass") {
            try harness.journal().passes().last { $0.finishedAt != nil }?.commit == bad
        }
        let location = "desired-state/hot.yaml:6:17"
        let pass = try #require(try harness.journal().passes().last)
        #expect(pass.outcome == .invalid)
        #expect(pass.error?.contains(location) == true, "\(pass.error ?? "")")

        let (ready, code) = try await HTTPTestClient.get("\(url)/readyz")
        #expect(code == 503)
        #expect(String(decoding: ready, as: UTF8.self).contains(location))
        let (statusData, _) = try await HTTPTestClient.get("\(url)/api/status")
        let status = try #require(try JSONSerialization.jsonObject(with: statusData) as? [String: Any])
        let refusal = status["refusal"] as? [String: Any]
        #expect(refusal?["commit"] as? String == bad)
        #expect((refusal?["reason"] as? String)?.contains(location) == true)
        let app = (status["apps"] as? [[String: Any]])?.first
        #expect(app?["lastAppliedCommit"] as? String == good)
        #expect(app?["verdict"] as? String == "in sync")

        #expect(try harness.emulator.inspect(harness.topology).writer == harness.topology.primaryClusterARN)
        #expect(try await harness.emulator.calls(mutating: true) == mutatingBefore, "nothing was changed in AWS")
    }

    @Test("the state lock refuses a second run and an apply, naming the PID; --once then converges and exits 0")
    func oneWriter() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, _) = try await harness.start(interval: "1h")
        try await harness.waitConverged(service, at: try harness.head())

        let second = try CLI.run(harness.arguments(["--once"]), in: harness.git.root.path, environment: harness.emulator.awsEnvironment)
        #expect(second.status != 0)
        #expect(second.stderr.contains("process \(service.pid) holds \(harness.stateDir)/lock"), "\(second.stderr)")
        let apply = try CLI.run(
            ["apply", "--repo", "file://\(harness.bare)", "--cache-dir", harness.git.path("cache2"), "--state-dir", harness.stateDir],
            in: harness.git.root.path, environment: harness.emulator.awsEnvironment)
        #expect(apply.status != 0)
        #expect(apply.stderr.contains("process \(service.pid) holds"), "\(apply.stderr)")

        service.signal(SIGTERM)
        #expect(try await service.waitForExit() == 0)
        let flip = try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot")
        let once = try CLI.run(harness.arguments(["--once"]), in: harness.git.root.path, environment: harness.emulator.awsEnvironment)
        #expect(once.status == 0, "\(once.stderr)")
        #expect(try harness.journal().passes().last?.commit == flip)
        #expect(try harness.emulator.inspect(harness.topology).writer == harness.topology.secondaryClusterARN)
    }

    @Test("--drift report: a hand-made change is reported, not corrected; a new commit is still applied")
    func driftReport() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, url) = try await harness.start(interval: "1s", ["--drift", "report"])
        try await harness.waitConverged(service, at: try harness.head())
        _ = try Emulator.python([
            "-c",
            """
            import boto3
            s3 = boto3.client("s3", region_name="us-west-1", endpoint_url="\(harness.emulator.endpoint)",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
            s3.put_public_access_block(Bucket="\(harness.topology.secondaryBucket)", PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
            """,
        ])
        try await service.waitUntil("the drift report") {
            try harness.journal().passes().last { $0.finishedAt != nil }?.outcome == .driftReported
        }
        let pass = try #require(try harness.journal().passes().last { $0.outcome == .driftReported })
        // The hot standby's bucket blocked by hand: drift that moves no traffic (a blocked active bucket would be a
        // failover made by hand, held as `diverged`).
        #expect(pass.error?.contains("drift: open bucket \(harness.topology.secondaryBucket)") == true, "\(pass.error ?? "")")
        #expect(try harness.emulator.inspect(harness.topology).buckets[harness.topology.secondaryBucket] == "blocked")
        #expect(try await harness.emulator.calls(service: "s3", mutating: true)["s3:PutPublicAccessBlock"] == 1, "only the hand-made call")
        let (ready, code) = try await HTTPTestClient.get("\(url)/readyz")
        #expect(code == 503)
        #expect(String(decoding: ready, as: UTF8.self).contains("drift-reported"))

        let flip = try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot")
        try await harness.waitConverged(service, at: flip)
        let state = try harness.emulator.inspect(harness.topology)
        #expect(state.writer == harness.topology.secondaryClusterARN)
        #expect(state.buckets[harness.topology.secondaryBucket] == "open", "a new commit is applied whole")
    }

    @Test("a newer commit arriving while a promotion is waited for takes over at the next safe point")
    func newerCommitTakesOver() async throws {
        let harness = try ServiceHarness(failoverSeconds: 4)
        defer { harness.tearDown() }
        let (service, _) = try await harness.start()
        try await harness.waitConverged(service, at: try harness.head())
        try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot")
        try await service.waitUntil("the promotion call") {
            try harness.journal().calls(app: "hot").contains { $0.action == "promoteAurora" && $0.phase == "called" }
        }
        let back = try harness.push(harness.topology.yaml(activeRegion: "us-east-1"), message: "Fail back hot")
        try await harness.waitConverged(service, at: back, timeout: 90)
        let passes = try harness.journal().passes()
        #expect(passes.contains { $0.outcome == .superseded && $0.error?.contains("superseded by \(back.prefix(12))") == true })
        let calls = try await harness.emulator.calls(service: "rds", mutating: true)
        #expect(calls["rds:SwitchoverGlobalCluster"] == 2, "one promotion each way, none repeated: \(calls)")
        #expect(try harness.emulator.inspect(harness.topology).writer == harness.topology.primaryClusterARN)
    }
}

@Suite("The truth on the screen during a failover", .serialized)
struct TruthOnTheScreenTests {
    @Test("while a pass carries out a newer commit, /readyz and the console's header and region card say so, then converged again")
    func readinessDuringFailover() async throws {
        let harness = try ServiceHarness(failoverSeconds: 600)
        defer { harness.tearDown() }
        let (service, url) = try await harness.start()
        try await harness.waitConverged(service, at: try harness.head())
        let flip = try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot")
        try await service.waitUntil("the promotion call") {
            try harness.journal().calls(app: "hot").contains { $0.action == "promoteAurora" && $0.phase == "called" }
        }
        let (ready, code) = try await HTTPTestClient.get("\(url)/readyz")
        let words = String(decoding: ready, as: UTF8.self)
        #expect(code == 503, "\(words)")
        #expect(words.contains("hot: failover to us-west-1 under way (commit \(flip.prefix(12))"), "\(words)")
        let (page, _) = try await HTTPTestClient.get("\(url)/console/fragment")
        let console = String(decoding: page, as: UTF8.self)
        #expect(console.contains("not ready: hot: failover to us-west-1 under way"), "\(console)")
        #expect(console.contains("us-west-1 (failover under way)"), "the region card shows the target: \(console)")
        try harness.emulator.completeFailovers()
        try await harness.waitConverged(service, at: flip)
        let (_, after) = try await HTTPTestClient.get("\(url)/readyz")
        #expect(after == 200)
    }
}
