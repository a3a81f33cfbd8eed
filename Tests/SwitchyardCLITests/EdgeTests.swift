import Foundation
import SwitchyardTestSupport
import Testing

/// What users see: a Unishop failover with the emulator's CloudFront edge serving the deployed configuration (the
/// reorder deploys for seconds), probed all along; where each answer came from, read from the edge's own log.
@Suite("What users see: the emulated edge during a failover", .serialized)
struct EdgeTests {
    typealias World = FailoverTests.World

    @Test(
        "traffic follows data within a round trip: us-east-1 before, us-west-1 after, never the new region before its writer",
        arguments: ["hot", "fenced"])
    func servedRegion(standby: String) async throws {
        let world = try World(failoverSeconds: 2, standby: standby)
        defer { world.close() }
        let distribution = try #require((world.apps[0]["distribution"] as? [String: String])?["id"])
        let east = try #require((world.apps[0]["buckets"] as? [String: [String: String]])?["primary"]?["name"])
        try world.emulator.configure(["cloudfront_seconds": 4.0])
        _ = try world.emulator.control("edge/reset", body: [:])
        try world.emulator.resetCalls()

        // Users, all along: a probe every 50 ms for the whole failover.
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [
            "python3", "emulator/edge_probe.py", "\(world.emulator.endpoint)/_edge/\(distribution)/", "--interval", "0.05", "--duration", "600",
            "--summary-only",
        ]
        probe.currentDirectoryURL = Emulator.repositoryRoot
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        defer { if probe.isRunning { probe.terminate() } }
        try await Task.sleep(for: .milliseconds(500))

        let committed = Date().timeIntervalSince1970
        try world.flip(to: "us-west-1")
        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        // A fenced standby's apply does not wait for the reorder's deployment (nothing is left to do after it): users
        // are watched until it deployed.
        for _ in 0..<200 where try await world.emulator.callLog(operation: "DistributionDeployed").isEmpty {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(probe.isRunning, "users were watched the whole time (the probe ends after 10 minutes)")
        probe.terminate()

        let log = try world.emulator.control("edge/log?distribution=\(distribution)")
        let served = ((log["requests"] as? [[String: Any]]) ?? []).compactMap { request -> (epoch: Double, region: String)? in
            guard let epoch = request["epoch"] as? Double, let status = request["status"] as? Int, status < 400,
                let region = request["region"] as? String
            else { return nil }
            return (epoch, region)
        }.sorted { $0.epoch < $1.epoch }
        let calls = try await world.emulator.callLog()
        func epoch(_ operation: String, _ match: ([String: Any]) -> Bool = { _ in true }) -> Double? {
            calls.first { $0["operation"] as? String == operation && match($0) }?["epoch"] as? Double
        }
        let promoted = try #require(epoch("GlobalClusterFailoverCompleted"), "the promotion finished")
        let fenced = try #require(
            epoch("PutPublicAccessBlock") { $0["region"] as? String == "us-east-1" }, "the bucket of the region left was blocked")
        let deployed = try #require(epoch("DistributionDeployed"), "the reorder deployed")

        #expect(
            served.first?.region == "us-east-1" && served.contains { $0.epoch < committed && $0.region == "us-east-1" },
            "served from us-east-1 before")
        #expect(served.last?.region == "us-west-1", "served from us-west-1 after: \(served.suffix(3))")
        let early = served.filter { $0.region == "us-west-1" && $0.epoch < promoted }
        #expect(early.isEmpty, "no answer from us-west-1 before its writer: \(early.count) at \(early.first?.epoch ?? 0), promoted \(promoted)")
        // Within a round trip of our own: the writer is seen at the next poll (200 ms), and the region left is blocked.
        #expect(fenced - promoted < 1.5, "the region left was blocked \(fenced - promoted) s after the promotion finished")
        let late = served.filter { $0.region == "us-east-1" && $0.epoch > fenced + 0.05 }
        #expect(late.isEmpty, "no answer from us-east-1 once its bucket was blocked: \(late.count)")
        // CloudFront still sent users to us-east-1 first for seconds: the origin group's per-request failover served them.
        #expect(deployed > fenced + 1, "the reorder deployed \(deployed - fenced) s after the fence: users were failed over meanwhile")

        let access = try world.emulator.boto("s3", "us-east-1", "get_public_access_block", ["Bucket": east])
        let flags = access["PublicAccessBlockConfiguration"] as? [String: Bool]
        if standby == "hot" {
            // The hot standby is open again once the reorder deployed (its fence undone exactly: no block at all).
            let open = flags.map { $0["BlockPublicPolicy"] == false && $0["RestrictPublicBuckets"] == false } ?? true
            #expect(open, "the hot standby's bucket is open again: \(access)")
            let reopened = try #require(
                epoch("DeletePublicAccessBlock") { $0["region"] as? String == "us-east-1" }
                    ?? epoch("PutPublicAccessBlock") {
                        $0["region"] as? String == "us-east-1" && ($0["epoch"] as? Double ?? 0) > fenced
                    })
            #expect(reopened > deployed, "opened again only after the reorder deployed")
        } else {
            #expect(flags?["RestrictPublicBuckets"] == true, "fenced: the region left stays blocked: \(access)")
        }
        #expect(try world.switchyard("plan").status == 0)
    }
}
