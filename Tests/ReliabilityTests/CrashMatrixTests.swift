import Journaling
import Reconciler
import Basics
import Foundation
import SwitchyardTestSupport
import Testing

/// A mutating step of the Unishop failover to us-west-1 with `standby: fenced`, and the AWS call that makes it.
struct FlipStep: Sendable, Hashable {
    var action: String
    var service: String
    var operation: String
    /// The SigV4 region of the call (nil: match any, as for CloudFront, which signs for us-east-1).
    var region: String?
    /// The call's parameters that tell it apart (the global cluster of a promotion: Aurora's and DocumentDB's are both
    /// `SwitchoverGlobalCluster` in us-west-1).
    var params: [String: String]? = nil

    static let promote = FlipStep(action: "promoteAurora", service: "rds", operation: "SwitchoverGlobalCluster", region: "us-west-1")
    /// The standby was fenced from no configuration at all (recorded in its tag), so opening it deletes the block.
    static let openWest = FlipStep(action: "openBucket", service: "s3", operation: "DeletePublicAccessBlock", region: "us-west-1")
    static let reorder = FlipStep(action: "reorderOriginGroup", service: "cloudfront", operation: "UpdateDistribution", region: nil)
    static let blockEast = FlipStep(action: "blockBucket", service: "s3", operation: "PutPublicAccessBlock", region: "us-east-1")
    static let all = [promote, openWest, reorder, blockEast]
    /// The DocumentDB global cluster's promotion, in a world whose app has one beside Aurora (topology.py's name).
    static let promoteDocumentDB = FlipStep(
        action: "promoteDocumentDb", service: "rds", operation: "SwitchoverGlobalCluster", region: "us-west-1",
        params: ["GlobalClusterIdentifier": "unishop-docdb-global"])
    static let promotions: Set<FlipStep> = [promote, promoteDocumentDB]
    /// Raising the standby's Auto Scaling group, in a world whose app has compute (topology.py's name).
    static let raiseGroup = FlipStep(
        action: "raiseAutoScalingGroup", service: "autoscaling", operation: "UpdateAutoScalingGroup", region: "us-west-1",
        params: ["AutoScalingGroupName": "hot-secondary-asg"])
    /// Raising the standby's ECS service, in the same world.
    static let raiseService = FlipStep(
        action: "raiseECSService", service: "ecs", operation: "UpdateService", region: "us-west-1",
        params: ["cluster": "hot-secondary-cluster"])
    /// Writing the active region to the SSM parameter in us-west-1, in the same world.
    static let writeParameter = FlipStep(action: "writeParameter", service: "ssm", operation: "PutParameter", region: "us-west-1")
    /// Lowering the region left's group and service to `capacity.standby` (1), in a world whose apps set it: the
    /// `release` phase, run by the pass after the one that moved traffic (once the CloudFront change is deployed).
    static let lowerGroup = FlipStep(
        action: "lowerAutoScalingGroup", service: "autoscaling", operation: "UpdateAutoScalingGroup", region: "us-east-1",
        params: ["AutoScalingGroupName": "hot-primary-asg"])
    static let lowerService = FlipStep(
        action: "lowerECSService", service: "ecs", operation: "UpdateService", region: "us-east-1",
        params: ["cluster": "hot-primary-cluster"])
    static let releases: Set<FlipStep> = [lowerGroup, lowerService]
    static let compute: Set<FlipStep> = releases.union([raiseGroup, raiseService, writeParameter])
}

/// Where the reconciler is killed, and how the test stops it exactly there.
enum CrashMoment: String, Sendable, CaseIterable {
    /// The request is on the wire, held by the proxy before the emulator sees it (journal: `calling`).
    case requestHeld = "request held before AWS"
    /// The test-only hook kills right after the journal's `calling` row, before the request is sent.
    case journaledCalling = "journal wrote calling"
    /// The emulator made the change; the proxy holds its answer (journal: `calling`, AWS: done).
    case answerLost = "AWS acted, answer not received"
    /// The test-only hook kills right after the journal's `called` row.
    case journaledCalled = "journal wrote called"
    /// Polling the global cluster while the switchover runs (the proxy holds a poll).
    case waiting = "waiting for the promotion"

    /// Whether the point needs `SWITCHYARD_TEST_CRASH_AT`, which only `apply` reads.
    var usesHook: Bool { self == .journaledCalling || self == .journaledCalled }
}

/// One case of the matrix: kill `command` at `moment` of `step`, restart the same command.
struct CrashPoint: Sendable, CustomTestStringConvertible {
    var step: FlipStep
    var moment: CrashMoment
    /// `apply` or `run --once`.
    var command: String
    /// With the DynamoDB lock table (commit fence and lease) on.
    var lockTable = false

    var testDescription: String { "\(command)\(lockTable ? " with the lock table" : ""): \(moment.rawValue) at \(step.action)" }

    /// The world has a DocumentDB global cluster beside Aurora when the point is its promotion's.
    var documentDB: Bool { step == .promoteDocumentDB }
    /// The world has Auto Scaling groups and ECS services when the point is the raise's or the release's.
    var compute: Bool { FlipStep.compute.contains(step) }
    /// The apps set `capacity.standby` when the point is the release's; the release then runs in a second pass.
    var release: Bool { FlipStep.releases.contains(step) }

    static func points(commands: [String]) -> [CrashPoint] {
        var points: [CrashPoint] = []
        for lockTable in [false, true] {
            for command in commands {
                for step in FlipStep.all + [.promoteDocumentDB, .raiseGroup, .raiseService, .writeParameter, .lowerGroup, .lowerService] {
                    for moment in CrashMoment.allCases where moment != .waiting || FlipStep.promotions.contains(step) {
                        if moment.usesHook && command != "apply" { continue }
                        points.append(CrashPoint(step: step, moment: moment, command: command, lockTable: lockTable))
                    }
                }
            }
        }
        return points
    }

    /// Quick profile: one point per moment, spread over the steps; long profile: every point, for apply and run --once.
    static var matrix: [CrashPoint] {
        if Profile.isLong { return points(commands: ["apply", "run --once"]) }
        return [
            CrashPoint(step: .promote, moment: .answerLost, command: "apply"),
            CrashPoint(step: .promote, moment: .waiting, command: "run --once"),
            CrashPoint(step: .openWest, moment: .journaledCalled, command: "apply"),
            CrashPoint(step: .reorder, moment: .requestHeld, command: "apply"),
            CrashPoint(step: .blockEast, moment: .journaledCalling, command: "apply"),
            CrashPoint(step: .promote, moment: .answerLost, command: "apply", lockTable: true),
            CrashPoint(step: .promote, moment: .waiting, command: "run --once", lockTable: true),
            CrashPoint(step: .promoteDocumentDB, moment: .answerLost, command: "apply"),
            CrashPoint(step: .promoteDocumentDB, moment: .waiting, command: "run --once"),
            CrashPoint(step: .raiseGroup, moment: .answerLost, command: "apply"),
            CrashPoint(step: .raiseGroup, moment: .journaledCalled, command: "apply"),
            CrashPoint(step: .raiseService, moment: .answerLost, command: "apply"),
            CrashPoint(step: .writeParameter, moment: .requestHeld, command: "apply"),
            CrashPoint(step: .lowerGroup, moment: .answerLost, command: "apply"),
            CrashPoint(step: .lowerService, moment: .journaledCalling, command: "apply"),
        ]
    }
}

@Suite("Crash matrix: SIGKILL at every step boundary of a fenced Unishop failover")
struct CrashMatrixTests {
    @Test("killed, then restarted: converges, no promotion issued twice, the journal tells what happened", arguments: CrashPoint.matrix)
    func crashAndRestart(point: CrashPoint) async throws {
        try await CaseSlots.crashMatrix.run { try await crash(point) }
    }

    func crash(_ point: CrashPoint) async throws {
        // Timing never decides where the kill lands: the proxy holds a request until the test kills (so the attempt
        // timeout is long), and a promotion outlasts the test's look at the wait (6 s; 60 s for the wait itself).
        let world = try await ReliabilityWorld.make(
            failoverSeconds: point.moment == .waiting ? 60 : FlipStep.promotions.contains(point.step) ? 6 : 1, attemptTimeout: "60s",
            lockTable: point.lockTable, documentDB: point.documentDB, compute: point.compute, capacityStandby: point.release ? 1 : nil)
        defer { world.close() }
        var evidence = Evidence()

        // Converged in us-east-1 first (fenced: the us-west-1 bucket blocked), then the flip is committed.
        let first = try await world.switchyard(world.applyArguments)
        try #require(first.status == 0, "\(first.stderr)")
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        try world.emulator.resetCalls()
        let app = world.apps[0]
        // A release point: the killed process moves traffic in one pass, waits for the CloudFront deployment, and is
        // killed in the next pass, which lowers the region left.

        let args = point.command == "apply" ? world.applyArguments : world.runArguments(once: true)
        var environment: [String: String] = [:]
        var rule: String?
        switch point.moment {
        case .requestHeld, .answerLost:
            rule = try await world.proxy.add(
                .blackhole(
                    region: point.step.region, service: point.step.service, operation: point.step.operation, params: point.step.params,
                    when: point.moment == .requestHeld ? .before : .after)
            ).first
        case .journaledCalling:
            environment["SWITCHYARD_TEST_CRASH_AT"] = "calling:\(point.step.action)"
        case .journaledCalled:
            environment["SWITCHYARD_TEST_CRASH_AT"] = "called:\(point.step.action)"
        case .waiting:
            break
        }
        let process = try world.start(args, environment: environment)
        defer { process.cleanUp() }
        let reached = { () async throws -> Int in
            try await world.emulator.callLog(service: point.step.service, operation: point.step.operation).filter { call in
                (point.step.region == nil || call["region"] as? String == point.step.region)
                    && (point.step.params ?? [:]).allSatisfy { ((call["params"] as? [String: Any])?[$0.key] as? String) == $0.value }
            }.count
        }
        switch point.moment {
        case .requestHeld:
            try await process.waitUntil("the proxy holding \(point.step.operation)") { try await world.proxy.injected(rule!) >= 1 }
            process.signal(SIGKILL)
        case .answerLost:
            try await process.waitUntil("the emulator receiving \(point.step.operation)") { try await reached() >= 1 }
            process.signal(SIGKILL)
        case .waiting:
            // The promotion lasts a minute here, so the kill lands in the wait however slow the machine; the restart
            // is then seen waiting on it before the emulator is told to finish it.
            try await process.waitUntil("the wait for the promotion") { try await reached() >= 1 && process.log.contains("waiting: global cluster") }
            process.signal(SIGKILL)
        case .journaledCalling, .journaledCalled:
            break
        }
        _ = try await process.waitForExit()
        evidence.check(process.endedBySignal, "the first process died by SIGKILL at the point:\n\(process.log)")
        let reachedAtCrash = try await reached()
        let expectedAtCrash = point.moment == .requestHeld || point.moment == .journaledCalling ? 0 : 1
        evidence.check(
            reachedAtCrash == expectedAtCrash,
            "\(point.step.operation) had reached AWS \(reachedAtCrash) times at the crash, expected \(expectedAtCrash)")
        try await world.proxy.clear()

        // Restart: the same command, no fault.
        let restart = try world.start(args)
        defer { restart.cleanUp() }
        if point.moment == .waiting {
            // Seen waiting on it; or, on a machine slow enough that the minute-long promotion ended meanwhile, seen it
            // finished (the counts below still prove nothing was re-issued).
            try await waitFor("the restart waiting on the promotion under way") { restart.log.contains("already under way") || !restart.isRunning }
            try await offPool { try world.emulator.completeFailovers() }
        }
        let status = try await restart.waitForExit(timeout: 120)
        evidence.check(status == 0, "the restarted \(point.command) converged (exit \(status)):\n\(restart.log)")

        // End state, read with boto3.
        let live = try await world.live()[app.name]
        evidence.check(
            live == world.converged(app, to: "us-west-1"), "live state \(live.map(\.description) ?? "unread") is the fenced us-west-1 state")

        // Every mutating call was made exactly once over both processes: the restart re-observed instead of repeating.
        let counts = try world.emulator.callCounts()
        let promotions = point.documentDB ? 2 : 1
        evidence.check(counts["rds:SwitchoverGlobalCluster"] == promotions, "exactly one promotion of each database: \(counts)")
        if point.documentDB {
            let documentPromotions = try await world.emulator.callLog(operation: "SwitchoverGlobalCluster").filter {
                (($0["params"] as? [String: Any])?["GlobalClusterIdentifier"] as? String) == "unishop-docdb-global"
            }
            evidence.check(documentPromotions.count == 1, "exactly one DocumentDB promotion: \(documentPromotions.count)")
        }
        evidence.check(
            counts["s3:PutPublicAccessBlock"] == 1 && counts["s3:DeletePublicAccessBlock"] == 1,
            "one bucket opened (its fence undone exactly) and one blocked, nothing repeated: \(counts)")
        evidence.check(counts["cloudfront:UpdateDistribution"] == 1, "one origin-group update: \(counts)")
        if point.compute {
            let changes = point.release ? 2 : 1
            evidence.check(
                counts["autoscaling:UpdateAutoScalingGroup"] == changes && counts["ecs:UpdateService"] == changes && counts["ssm:PutParameter"] == 2,
                "the standby's group and service raised once each, \(point.release ? "the region left's lowered once each" : "nothing lowered (no capacity.standby)"), the parameter written once per region: \(counts)"
            )
        }
        if point.release {
            let east = try world.emulator.boto(
                "autoscaling", "us-east-1", "describe_auto_scaling_groups", ["AutoScalingGroupNames": ["hot-primary-asg"]])
            let desired = (east["AutoScalingGroups"] as? [[String: Any]])?.first?["DesiredCapacity"] as? Int
            evidence.check(desired == 1, "the region left's group runs capacity.standby (1): \(east)")
        }

        // The journal: the killed pass is open with the step's rows; the restart's pass converged.
        let journal = try world.journal()
        let passes = try journal.passes()
        let expectedPasses = point.release ? 4 : 3
        evidence.check(
            passes.count == expectedPasses,
            "\(expectedPasses) passes (setup, \(point.release ? "traffic moved, " : "")killed, restart): \(passes.map(\.outcome))")
        // (With a release point, the pass that moved traffic and the killed one are the same process's.)
        let killed = passes.dropLast().last, last = passes.last
        evidence.check(killed?.finishedAt == nil && killed?.outcome == .running, "the killed pass shows as unfinished: \(String(describing: killed))")
        evidence.check(last?.outcome == .converged, "the restart's pass converged: \(String(describing: last))")
        let calls = try journal.calls(app: app.name).filter {
            $0.action == point.step.action && (point.step.region == nil || $0.region == point.step.region)
        }
        let killedPhases = calls.filter { $0.passID == killed?.id }.map(\.phase)
        let restartPhases = calls.filter { $0.passID == last?.id }.map(\.phase)
        let expectKilled = point.moment == .journaledCalled || point.moment == .waiting ? ["calling", "called"] : ["calling"]
        let expectRestart = point.moment == .requestHeld || point.moment == .journaledCalling ? ["calling", "called"] : []
        evidence.check(killedPhases == expectKilled, "killed pass journaled \(killedPhases) for \(point.step.action), expected \(expectKilled)")
        evidence.check(restartPhases == expectRestart, "restart journaled \(restartPhases) for \(point.step.action), expected \(expectRestart)")
        let history = try await world.switchyard(["history", "--state-dir", world.stateDir, "--format", "json"])
        evidence.check(history.status == 0, "history reads the journal after the crash: \(history.stderr)")

        ResultsLog.record(
            fault: "SIGKILL of the reconciler, restarted", scenario: point.testDescription, evidence: evidence,
            outcome:
                "converged; 1 promotion; no mutating call repeated; journal: \(killedPhases.joined(separator: "+")) then \(restartPhases.isEmpty ? "nothing re-issued" : restartPhases.joined(separator: "+"))"
        )
    }
}
