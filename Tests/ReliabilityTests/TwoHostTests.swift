import Reconciler
import Basics
import Foundation
import Journaling
import SwitchyardTestSupport
import Testing

/// Two hosts (two state folders, two remotes, distinct credentials) sharing one DynamoDB lock table in the emulator,
/// as docs/OPERATIONS.md deploys one `switchyard run` per region.
final class TwoHostWorld: @unchecked Sendable {
    static let table = "switchyard-locks"

    let emulator: Emulator
    let app: Emulator.Topology
    let git: GitFixture
    let work: String

    init(failoverSeconds: Double = 1, standby: String = "fenced") throws {
        emulator = try Emulator(failoverSeconds: failoverSeconds)
        do {
            app = try emulator.createTopology(count: 1)[0]
            git = try GitFixture()
            work = git.path("work")
            try FileManager.default.createDirectory(atPath: work + "/desired-state", withIntermediateDirectories: true)
            try git.git("init", "-q", in: work)
            for host in ["a", "b"] {
                try git.git("init", "-q", "--bare", git.path("\(host).git"), in: git.root.path)
                try git.git("remote", "add", host, git.path("\(host).git"), in: work)
            }
            self.standby = standby
            try commit("us-east-1", message: "Describe the app")
            try push(to: ["a", "b"])
            try emulator.createLockTable(Self.table)
        } catch {
            emulator.stop()
            throw error
        }
    }

    let standby: String

    @discardableResult
    func commit(_ region: String, message: String) throws -> String {
        try git.write(app.yaml(activeRegion: region, standby: standby), to: "\(work)/desired-state/\(app.name).yaml")
        try git.git("add", "-A", in: work)
        try git.git("commit", "-q", "-m", message, in: work)
        return try git.git("rev-parse", "HEAD", in: work)
    }

    func push(to remotes: [String]) throws {
        for remote in remotes { try git.git("push", "-q", "-f", remote, "HEAD:main", in: work) }
    }

    func stateDir(_ host: String) -> String { git.path("state-\(host)") }

    /// Host `host`'s view: its remote, state folder, cache, credentials and the shared lock table.
    func arguments(_ host: String, command: String = "apply") -> [String] {
        let repository = ["--repo", "file://\(git.path("\(host).git"))", "--cache-dir", git.path("cache-\(host)")]
        return repository
            + ["--state-dir", stateDir(host), "--host-id", "host-\(host)", "--connect-timeout", "1s", "--attempt-timeout", "5s"]
    }

    func environment(_ host: String) -> [String: String] {
        emulator.awsEnvironment.merging([
            "AWS_ACCESS_KEY_ID": "AKIDHOST\(host.uppercased())", "AWS_SECRET_ACCESS_KEY": "secret-\(host)",
            "AWS_REGION": "us-east-1", "SWITCHYARD_LOCK_TABLE": Self.table,
        ]) { $1 }
    }

    func switchyard(_ host: String, _ command: [String]) async throws -> CLI.Result {
        let (args, env, dir) = (
            command + arguments(host, command: command[0])
                + (command.first == "apply" || command.first == "run" ? ["--poll-interval", "200ms"] : []),
            environment(host), git.root.path
        )
        return try await offPool { try CLI.run(args, in: dir, environment: env) }
    }

    func start(_ host: String, _ extra: [String] = []) throws -> ServiceProcess {
        try ServiceProcess(
            ["run", "--listen", "127.0.0.1:0", "--interval", "1s", "--retry-interval", "500ms", "--poll-interval", "200ms"]
                + extra + arguments(host), in: git.root.path, environment: environment(host))
    }

    func journal(_ host: String) throws -> Journal? {
        Journal.exists(in: stateDir(host)) ? try Journal(stateDirectory: stateDir(host), readOnly: true) : nil
    }

    func live() throws -> Emulator.State { try emulator.inspect(app) }

    func promotions() throws -> Int { try emulator.callCounts()["rds:SwitchoverGlobalCluster", default: 0] }

    /// Mutating calls to the app's resources (S3, CloudFront, RDS), not the lock table's writes.
    func mutations() throws -> Int {
        try emulator.callCounts(mutatingOnly: true).filter { !$0.key.hasPrefix("dynamodb:") }.values.reduce(0, +)
    }

    func close() {
        emulator.stop()
        git.remove()
    }

    static func make(failoverSeconds: Double = 1) async throws -> TwoHostWorld {
        try await offPool { try TwoHostWorld(failoverSeconds: failoverSeconds) }
    }
}

@Suite("Two hosts, one lock table: the commit fence, the lease, suspend and resume", .serialized)
struct TwoHostTests {
    @Test("a host one commit behind changes nothing (apply and run --once say stale, exit 1); caught up, it is in sync")
    func staleHostChangesNothing() async throws {
        var evidence = Evidence()
        let world = try await TwoHostWorld.make()
        defer { world.close() }
        let setup = try await world.switchyard("a", ["apply"])
        try #require(setup.status == 0, "\(setup.stderr)")
        let flip = try world.commit("us-west-1", message: "Fail over to us-west-1")
        try world.push(to: ["a"])  // b's remote lags one commit behind
        let applied = try await world.switchyard("a", ["apply"])
        try #require(applied.status == 0, "\(applied.stderr)")
        evidence.check(try world.live().writer == world.app.secondaryClusterARN, "try world.live().writer == world.app.secondaryClusterARN")
        let mutations = try world.mutations()

        for command in [["apply"], ["run", "--once", "--listen", "127.0.0.1:0"]] {
            let behind = try await world.switchyard("b", command)
            evidence.check(behind.status == 1, "\(command[0]): \(behind.stderr)")
            let output = behind.stdout + behind.stderr
            evidence.check(output.contains("stale"), "\(command[0]): \(output)")
            evidence.check(output.contains(flip.prefix(12)) && output.contains("host-a"), "names the newer commit and its host: \(output)")
            evidence.check(try world.mutations() == mutations, "\(command[0]) made no AWS mutation")
        }
        evidence.check(try world.journal("b")?.passes().last?.outcome == .stale, "try world.journal(\"b\")?.passes().last?.outcome == .stale")
        evidence.check(try world.live().writer == world.app.secondaryClusterARN, "the failover stands")

        try world.push(to: ["b"])
        let caughtUp = try await world.switchyard("b", ["apply"])
        evidence.check(caughtUp.status == 0, "\(caughtUp.stderr)")
        evidence.check(try world.mutations() == mutations, "in sync: nothing to do")
        ResultsLog.record(
            fault: "two hosts, one lock table", scenario: "a host one commit behind runs apply and run --once", evidence: evidence,
            outcome: "stale: exit 1, no AWS mutation; caught up, in sync")
    }

    @Test("both hosts apply the same flip at the same moment: exactly one promotion, neither fails with an AWS state fault")
    func sameFlipAtOnce() async throws {
        var evidence = Evidence()
        let world = try await TwoHostWorld.make(failoverSeconds: 2)
        defer { world.close() }
        let setup = try await world.switchyard("a", ["apply"])
        try #require(setup.status == 0, "\(setup.stderr)")
        try world.commit("us-west-1", message: "Fail over to us-west-1")
        try world.push(to: ["a", "b"])
        async let a = world.switchyard("a", ["apply"])
        async let b = world.switchyard("b", ["apply"])
        let results = try await [a, b]
        for result in results {
            // One host converges; the other converges too, or exits 1 saying another host holds the lease (it recorded
            // nothing as applied), or holds a difference it cannot attribute (it never applied this app).
            let held = ["[lease-held]", "diverged"].contains { result.stdout.contains($0) }
            evidence.check(
                result.status == 0 || (result.status == 1 && held), "converged, or waiting on the other host: \(result.stdout)\(result.stderr)")
            evidence.check(
                !(result.stdout + result.stderr).contains("InvalidDBClusterStateFault"),
                "!(result.stdout + result.stderr).contains(\"InvalidDBClusterStateFault\")")
        }
        evidence.check(try world.promotions() == 1, "try world.promotions() == 1")
        try await waitFor("the failover to finish") { try world.live().origins[world.app.originGroupID]?.first == world.app.secondaryOrigin }
        let again = try await world.switchyard("b", ["apply"])
        evidence.check(again.status == 0, "\(again.stdout)\(again.stderr)")
        evidence.check(try world.promotions() == 1, "try world.promotions() == 1")
        evidence.check(try world.live().writer == world.app.secondaryClusterARN, "try world.live().writer == world.app.secondaryClusterARN")
        ResultsLog.record(
            fault: "two hosts, one lock table", scenario: "both hosts apply the same flip at once", evidence: evidence,
            outcome: "one promotion; no AWS state fault; the host that waited exits 0 once converged")
    }

    @Test("two run daemons (--lease-duration 8s): one promotion; SIGKILL the holder while it waits, the other finishes with no second promotion")
    func leaseTakeover() async throws {
        var evidence = Evidence()
        // The switchover lasts until the test has killed the holder and seen it under way, then the test finishes it:
        // timing never decides the check, however loaded the machine.
        let world = try await TwoHostWorld.make(failoverSeconds: 300)
        defer { world.close() }
        let setup = try await world.switchyard("a", ["apply"])
        try #require(setup.status == 0, "\(setup.stderr)")
        let a = try world.start("a", ["--lease-duration", "8s"])
        let b = try world.start("b", ["--lease-duration", "8s"])
        defer { a.cleanUp(); b.cleanUp() }
        try world.commit("us-west-1", message: "Fail over to us-west-1")
        try world.push(to: ["a", "b"])

        var holder = ""
        try await waitFor("a promotion call", timeout: 90) {
            for host in ["a", "b"]
            where (try? world.journal(host)?.calls())?.contains(where: { $0.action == "promoteAurora" && $0.phase == "called" }) == true {
                holder = host
            }
            return !holder.isEmpty
        }
        let (killed, survivor, other) = holder == "a" ? (a, b, "b") : (b, a, "a")
        killed.signal(SIGKILL)
        _ = try await killed.waitForExit()
        evidence.check(try world.live().failover != nil, "killed while the switchover is under way")
        try world.emulator.completeFailovers()

        try await survivor.waitUntil("the other host to finish the failover", timeout: 120) {
            let live = try world.live()
            return live.writer == world.app.secondaryClusterARN && live.origins[world.app.originGroupID]?.first == world.app.secondaryOrigin
                && live.buckets[world.app.primaryBucket] == "blocked"
        }
        evidence.check(try world.promotions() == 1, "no second promotion")
        let calls = try world.journal(other)?.calls() ?? []
        evidence.check(calls.contains { $0.action == "reorderOriginGroup" && $0.phase == "called" }, "the survivor \(other) put the new origin first")
        evidence.check(!calls.contains { $0.action == "promoteAurora" && $0.phase == "calling" }, "the survivor never promoted")
        ResultsLog.record(
            fault: "two hosts, one lock table", scenario: "two `run` daemons, the lease holder SIGKILLed while the promotion is waited on",
            evidence: evidence, outcome: "the other host finished the failover; one promotion")
    }

    @Test("suspend stops both daemons from acting on a pushed flip; status shows who and why; resume lets it converge")
    func suspendAndResume() async throws {
        var evidence = Evidence()
        let world = try await TwoHostWorld.make()
        defer { world.close() }
        let setup = try await world.switchyard("a", ["apply"])
        try #require(setup.status == 0, "\(setup.stderr)")
        let suspended = try await world.switchyard("a", ["suspend", world.app.name, "--reason", "manual DNS change under way", "--by", "alice"])
        try #require(suspended.status == 0, "\(suspended.stderr)")
        let a = try world.start("a")
        let b = try world.start("b")
        defer { a.cleanUp(); b.cleanUp() }
        let mutations = try world.mutations()
        try world.commit("us-west-1", message: "Fail over to us-west-1")
        try world.push(to: ["a", "b"])
        for (host, service) in [("a", a), ("b", b)] {
            try await service.waitUntil("a pass at the flip on \(host)") {
                try world.journal(host)?.passes().contains { $0.finishedAt != nil && $0.error?.contains("suspended by alice") == true } ?? false
            }
        }
        evidence.check(try world.mutations() == mutations, "no host acted")
        for service in [a, b] {
            let url = try await service.waitForListener()
            let (ready, code) = try await HTTPTestClient.get("\(url)/readyz")
            let (api, _) = try await HTTPTestClient.get("\(url)/api/status")
            evidence.check(code == 503, "code == 503")
            for body in [ready, api] {
                let text = String(decoding: body, as: UTF8.self)
                evidence.check(text.contains("suspended by alice") && text.contains("manual DNS change under way"), "\(text)")
            }
        }
        let status = try await world.switchyard("b", ["status"])
        evidence.check(
            status.stdout.contains("suspended") && status.stdout.contains("alice") && status.stdout.contains("manual DNS change under way"),
            "\(status.stdout)")

        let resumed = try await world.switchyard("b", ["resume", world.app.name])
        evidence.check(resumed.status == 0, "\(resumed.stderr)")
        try await a.waitUntil("convergence after resume", timeout: 90) {
            let live = try world.live()
            return live.writer == world.app.secondaryClusterARN && live.origins[world.app.originGroupID]?.first == world.app.secondaryOrigin
        }
        evidence.check(try world.promotions() == 1, "try world.promotions() == 1")
        ResultsLog.record(
            fault: "two hosts, one lock table", scenario: "suspend, push a flip, resume", evidence: evidence,
            outcome: "no host acted while suspended; /readyz, /api/status and status say who and why; converged after resume")
    }
}
