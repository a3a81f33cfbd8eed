import Journaling
import Reconciler
import Foundation
import SwitchyardTestSupport
import Testing

/// Lock-table items are read strictly and fail closed: a suspension that cannot be read whole is a suspension, a lease
/// that cannot be read is held, a host that waited on another's lease records nothing as applied.
@Suite("Lock-table items people wrote or damaged", .serialized)
struct LockItemTests {
    /// Writes `item` (DynamoDB JSON attribute values) at `key` with boto3, as a person would in the console.
    static func put(_ world: ReliabilityWorld, _ key: String, _ item: String) throws {
        _ = try Emulator.python([
            "-c",
            """
            import boto3, json, sys
            ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url="\(world.emulator.endpoint)",
                               aws_access_key_id="testing", aws_secret_access_key="testing")
            item = json.loads(sys.argv[1]); item["LockID"] = {"S": "\(key)"}
            ddb.put_item(TableName="\(ReliabilityWorld.lockTableName)", Item=item)
            """,
            item,
        ])
    }

    /// A world with a lock table whose one app converged at us-east-1 (the host's journal knows it).
    static func converged() async throws -> ReliabilityWorld {
        let world = try await ReliabilityWorld.make(lockTable: true)
        let setup = try await world.switchyard(world.applyArguments)
        guard setup.status == 0 else {
            world.close()
            throw TestSupportError("the starting state did not converge: \(setup.stderr)")
        }
        return world
    }

    static let annotations = [
        #"{"by": {"S": "alice"}, "reason": {"S": "DNS change"}, "at": {"N": "1800000000"}, "Version": {"N": "1"}, "note": {"BOOL": true}}"#,
        #"{"by": {"S": "alice"}, "reason": {"S": "DNS change"}, "Version": {"N": "1"}, "ticket": {"M": {"id": {"S": "INC-1"}}}}"#,
        #"{"by": {"N": "7"}, "reason": {"L": []}, "tags": {"SS": ["a", "b"]}}"#,
        #"{"Version": {"S": "one"}}"#,
    ]

    @Test("a suspension item annotated or written by hand still suspends; resume clears it", arguments: annotations)
    func annotatedSuspension(item: String) async throws {
        let world = try await Self.converged()
        defer { world.close() }
        let app = world.apps[0]
        try Self.put(world, "switchyard/\(app.name)/suspend", item)
        try await Self.flipHeldThenResumed(world, app, saying: "suspended")
    }

    /// Flips every app: the suspended `app` is not acted on (stdout says `saying`); after `resume`, it fails over.
    static func flipHeldThenResumed(_ world: ReliabilityWorld, _ app: Emulator.Topology, saying: String) async throws {
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try world.emulator.resetCalls()
        let apply = try await world.switchyard(world.applyArguments)
        #expect(apply.status == 1, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stdout.contains("suspended") && apply.stdout.contains(saying), "\(apply.stdout)")
        let calls = try world.emulator.callCounts().filter { !$0.key.hasPrefix("dynamodb:") }
        #expect(calls.isEmpty, "no host acts on a suspended app: \(calls)")
        let resume = try await world.switchyard(["resume", app.name, "--state-dir", world.stateDir] + world.awsArguments)
        #expect(resume.status == 0, "\(resume.stderr)")
        let again = try await world.switchyard(world.applyArguments)
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(try await world.live()[app.name] == world.converged(app, to: "us-west-1"))
    }

    @Test("a suspension recorded on this host without the lock table holds for this host's passes with it; resume lifts it")
    func localSuspensionHolds() async throws {
        let world = try await Self.converged()
        defer { world.close() }
        let app = world.apps[0]
        let suspend = try await world.switchyard(
            ["suspend", app.name, "--reason", "hand work", "--state-dir", world.stateDir], environment: ["SWITCHYARD_LOCK_TABLE": ""])
        #expect(suspend.status == 0, "\(suspend.stderr)")
        #expect(suspend.stderr.contains("this host only"), "\(suspend.stderr)")
        try await Self.flipHeldThenResumed(world, app, saying: "hand work")
    }

    @Test("a pass reads every app's suspension in one BatchGetItem; when that read fails, every app counts as suspended")
    func batchedSuspensions() async throws {
        let world = try await ReliabilityWorld.make(apps: 3, lockTable: true)
        defer { world.close() }
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stdout)\n\(setup.stderr)")
        let suspended = world.apps[1]
        try Self.put(world, "switchyard/\(suspended.name)/suspend", #"{"by": {"S": "alice"}, "reason": {"S": "DNS change"}, "Version": {"N": "1"}}"#)
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")

        // The batch read fails (every attempt): no app is known not to be suspended, so none is acted on.
        try await world.proxy.add(FaultProxy.Rule(.error, service: "dynamodb", operation: "BatchGetItem", error: "500"))
        try world.emulator.resetCalls()
        let blocked = try await world.switchyard(world.applyArguments)
        #expect(blocked.status == 1, "\(blocked.stdout)\n\(blocked.stderr)")
        let acted = try world.emulator.callCounts().filter { !$0.key.hasPrefix("dynamodb:") }
        #expect(acted.isEmpty, "a failed read of the suspensions is a suspension of every app: \(acted)")
        for app in world.apps {
            #expect(try await world.live()[app.name] == world.converged(app, to: "us-east-1"), "\(app.name)")
        }
        #expect(blocked.stdout.contains("counted as suspended"), "\(blocked.stdout)")

        // Answered: the two apps that are not suspended fail over; the suspended one stays; the suspensions were one read.
        try await world.proxy.clear()
        try world.emulator.resetCalls()
        let apply = try await world.switchyard(world.applyArguments)
        #expect(apply.status == 1, "one app is suspended: \(apply.stdout)\n\(apply.stderr)")
        let live = try await world.live()
        for app in world.apps {
            #expect(live[app.name] == world.converged(app, to: app.name == suspended.name ? "us-east-1" : "us-west-1"), "\(app.name)")
        }
        let reads = try world.emulator.callCounts(mutatingOnly: false)
        #expect(reads["dynamodb:BatchGetItem", default: 0] >= 1, "\(reads)")
    }

    @Test("a lease whose holder or expiry cannot be read is held by someone else: nothing is done, nothing recorded as applied")
    func unreadableLease() async throws {
        let world = try await Self.converged()
        defer { world.close() }
        let app = world.apps[0]
        let applied = try world.journal().appStates()[app.name]?.lastAppliedCommit
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try world.emulator.resetCalls()
        for item in [
            #"{"holder": {"S": "other-host"}, "expiresAt": {"S": "2026-12-05T10:00:00Z"}, "token": {"N": "3"}, "Version": {"N": "2"}}"#,
            #"{"holder": {"BOOL": true}, "expiresAt": {"N": "1"}, "Version": {"N": "2"}}"#,
        ] {
            try Self.put(world, "switchyard/\(app.name)/lease", item)
            let apply = try await world.switchyard(world.applyArguments)
            #expect(apply.status == 1, "\(apply.stdout)\n\(apply.stderr)")
            #expect(apply.stdout.contains("lease item") || apply.stderr.contains("lease item"), "\(apply.stdout)\n\(apply.stderr)")
            let calls = try world.emulator.callCounts().filter { !$0.key.hasPrefix("dynamodb:") }
            #expect(calls.isEmpty, "\(calls)")
        }
        #expect(try world.journal().appStates()[app.name]?.lastAppliedCommit == applied)
    }

    @Test("a host that found the lease held records nothing as applied; when the lease frees, it finishes the failover")
    func leaseHeldIsNotApplied() async throws {
        let world = try await Self.converged()
        defer { world.close() }
        let app = world.apps[0]
        let applied = try world.journal().appStates()[app.name]?.lastAppliedCommit
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        let future = Int(Date().timeIntervalSince1970) + 3600
        try Self.put(
            world, "switchyard/\(app.name)/lease",
            #"{"holder": {"S": "other-host"}, "expiresAt": {"N": "\#(future)"}, "token": {"N": "3"}, "Version": {"N": "2"}}"#)
        let waiting = try await world.switchyard(world.applyArguments)
        #expect(waiting.status == 1, "\(waiting.stdout)\n\(waiting.stderr)")
        #expect(waiting.stdout.contains("[lease-held]"), "\(waiting.stdout)")
        #expect(try world.journal().appStates()[app.name]?.lastAppliedCommit == applied, "nothing recorded as applied")

        // The holder died and its lease expired: this host, in report-only drift mode too, finishes the commit.
        try Self.put(
            world, "switchyard/\(app.name)/lease",
            #"{"holder": {"S": "other-host"}, "expiresAt": {"N": "1"}, "token": {"N": "3"}, "Version": {"N": "3"}}"#)
        let run = try await world.switchyard(world.runArguments(once: true) + ["--drift", "report"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(try await world.live()[app.name] == world.converged(app, to: "us-west-1"))
    }
}

@Suite("SIGTERM during a failover", .serialized)
struct ShutdownLeaseTests {
    @Test("SIGTERM while a promotion is waited on: the lease is released at once, the step is journaled `stopped`, exit 0")
    func sigtermReleasesLease() async throws {
        let world = try await ReliabilityWorld.make(failoverSeconds: 600, lockTable: true)
        defer { world.close() }
        let app = world.apps[0]
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        let service = try world.start(world.runArguments(once: false))
        defer { service.cleanUp() }
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try await service.waitUntil("the wait for the promotion", timeout: 90) { service.log.contains("waiting: global cluster") }
        service.signal(SIGTERM)
        #expect(try await service.waitForExit() == 0)
        let lease = try Emulator.python([
            "-c",
            """
            import boto3
            ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url="\(world.emulator.endpoint)",
                               aws_access_key_id="testing", aws_secret_access_key="testing")
            print("Item" in ddb.get_item(TableName="\(ReliabilityWorld.lockTableName)", Key={"LockID": {"S": "switchyard/\(app.name)/lease"}},
                                         ConsistentRead=True))
            """,
        ])
        #expect(lease.trimmingCharacters(in: .whitespacesAndNewlines) == "False", "the lease item is gone: \(lease)")
        let phases = try world.journal().calls(app: app.name).map(\.phase)
        #expect(phases.contains("stopped"), "\(phases)")
        #expect(!phases.contains("failed"), "\(phases)")
    }
}
