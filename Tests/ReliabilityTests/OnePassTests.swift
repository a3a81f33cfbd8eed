import Reconciler
import Foundation
import Journaling
import SwitchyardTestSupport
import Testing

/// Issue 11: `apply` and `run` are one pass: journal before every call, and the same record of what converged.
@Suite("One pass: journal before call, apply and run agree", .serialized)
struct OnePassTests {
    @Test("a journal another process holds locked: apply makes no AWS mutation and exits 1 with journal-unwritable")
    func lockedJournal() async throws {
        var evidence = Evidence()
        let world = try await ReliabilityWorld.make(attemptTimeout: "10s")
        defer { world.close() }
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try world.emulator.resetCalls()
        let before = try await world.live()

        // An exclusive SQLite transaction on the journal, held for the whole apply.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN EXCLUSIVE")
            print("LOCKED", flush=True)
            time.sleep(120)
            """, "\(world.stateDir)/\(Journal.fileName)",
        ]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        try #require(line.contains("LOCKED"))

        let result = try await world.switchyard(world.applyArguments)
        evidence.check(result.status == 1, "result.status == 1")
        evidence.check(result.stderr.contains("journal-unwritable"), "\(result.stderr)")
        evidence.check(try world.emulator.callCounts(mutatingOnly: true).isEmpty, "no AWS mutation without its journal row")
        evidence.check(try await world.live() == before, "try await world.live() == before")
        ResultsLog.record(
            fault: "journal locked by another process", scenario: "apply of a failover", evidence: evidence,
            outcome: "no AWS mutation, exit 1, journal-unwritable")
    }

    @Test("apply then run --drift report on the same state folder agree that the app converged (the spec hash)")
    func applyThenDriftReport() async throws {
        var evidence = Evidence()
        let world = try await ReliabilityWorld.make(standby: "hot", attemptTimeout: "10s")
        defer { world.close() }
        let app = world.apps[0]
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        evidence.check(try world.journal().appStates()[app.name]?.appliedSpecHash != nil, "apply records what it converged to")

        // Converged by apply, and nothing changed since: run --drift report finds it in sync.
        let quiet = try await world.switchyard(world.runArguments(once: true) + ["--drift", "report"])
        evidence.check(quiet.status == 0, "\(quiet.stderr)")

        // A hand-made change after apply converged is drift: reported, not corrected.
        _ = try Emulator.python([
            "-c",
            """
            import boto3
            s3 = boto3.client("s3", region_name="us-west-1", endpoint_url="\(world.emulator.endpoint)",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
            s3.put_public_access_block(Bucket="\(app.secondaryBucket)", PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
            """,
        ])
        let report = try await world.switchyard(world.runArguments(once: true) + ["--drift", "report"])
        evidence.check(report.status == 1, "report.status == 1")
        evidence.check(try world.journal().passes().last?.outcome == .driftReported, "try world.journal().passes().last?.outcome == .driftReported")
        evidence.check(try await world.live()[app.name]?.secondaryBucket == "blocked", "reported, not corrected")
        ResultsLog.record(
            fault: "hand-made drift after `apply` converged", scenario: "`run --once --drift report` on the same state folder", evidence: evidence,
            outcome: "in sync first; then drift reported, not corrected")
    }

    @Test("a dead CloudFront control plane is waited out once per pass, not in the plan, the step and the verdict again")
    func deadControlPlaneOnce() async throws {
        var evidence = Evidence()
        let world = try await ReliabilityWorld.make(standby: "hot")
        defer { world.close() }
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try await world.proxy.add(.blackhole(service: "cloudfront"))
        try await world.proxy.resetStats()
        let result = try await world.switchyard(world.applyArguments + ["--max-attempts", "2"])
        evidence.check(result.status == 1, "the origin order is left pending: \(result.stdout)")
        let requests = try await world.proxy.stats().requests
        evidence.check(requests["us-east-1/cloudfront", default: 0] <= 2, "one read and its retry, nothing more: \(requests)")
        evidence.check(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 1, "the promotion did not wait for CloudFront")
        ResultsLog.record(
            fault: "blackhole: CloudFront control plane, --max-attempts 2", scenario: "apply of a failover", evidence: evidence,
            outcome: "CloudFront read once per pass (2 attempts), promotion not held up")
    }
}
