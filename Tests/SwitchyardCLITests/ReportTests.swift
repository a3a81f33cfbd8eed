import Foundation
import SwitchyardTestSupport
import Testing

/// `switchyard report` on a journal written by a real failover (`apply` against the emulator).
@Suite("switchyard report", .serialized)
struct ReportTests {
    /// One failover made once for every test of the suite: flip, then `apply` with a state folder of its own.
    final class Failover: @unchecked Sendable {
        let world: FailoverTests.World
        let stateDir: String
        let flip: String

        init() throws {
            world = try FailoverTests.World()
            stateDir = world.fixture.path("state")
            do {
                try world.flip(to: "us-west-1")
                flip = try world.fixture.git("rev-parse", "HEAD", in: world.repo)
                let apply = try Self.run(["apply", "--poll-interval", "200ms"], world: world, stateDir: stateDir)
                #expect(apply.status == 0, "\(apply.stderr)")
            } catch {
                world.close()
                throw error
            }
        }

        func report(_ args: [String]) throws -> CLI.Result { try Self.run(args, world: world, stateDir: stateDir) }

        static func run(_ args: [String], world: FailoverTests.World, stateDir: String) throws -> CLI.Result {
            var environment = world.emulator.awsEnvironment
            environment["STATE_DIRECTORY"] = stateDir
            return try CLI.run(args, in: world.repo, environment: environment)
        }
    }

    @Test("text: who, when, each step with its request id, and the time to converge")
    func text() throws {
        let failover = try Failover()
        defer { failover.world.close() }
        let result = try failover.report(["report"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Failover of hot to us-west-1 at \(failover.flip.prefix(12))"))
        #expect(result.stdout.contains("promoteAurora"))
        #expect(result.stdout.contains("wait: promotion"))
        #expect(result.stdout.contains("reorderOriginGroup"))
        #expect(result.stdout.contains("time to converge (RTO)"))
        #expect(!result.stdout.contains("not recorded"), "first action and convergence are in the journal")
        #expect(!result.stdout.contains("PENDING"))
    }

    @Test("markdown: a table per failover and the measured RTO in bold")
    func markdown() throws {
        let failover = try Failover()
        defer { failover.world.close() }
        let result = try failover.report(["report", String(failover.flip.prefix(12)), "--format", "markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("### Failover of `hot` to `us-west-1`"))
        #expect(result.stdout.contains("| **time to converge (RTO)** | **"))
        #expect(result.stdout.contains("| `promoteAurora` "))
        #expect(result.stdout.contains("| _wait: promotion_ | us-west-1 |"))
        print(result.stdout)
    }

    @Test("json: steps with start, end, duration, region, request id and outcome; seconds to converge")
    func json() throws {
        let failover = try Failover()
        defer { failover.world.close() }
        let result = try failover.report(["report", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["schemaVersion"] as? Int == 1)
        #expect(document["commit"] as? String == failover.flip)
        #expect(document["activeRegion"] as? String == "us-west-1")
        #expect(document["author"] as? String != nil)
        #expect(document["signed"] as? Bool == false)
        let seconds = try #require(document["secondsToConverge"] as? Double)
        #expect(seconds >= 0)
        #expect((document["secondsToFirstAction"] as? Double).map { $0 <= seconds } == true)
        let steps = try #require(document["steps"] as? [[String: Any]])
        let promotion = try #require(steps.first { $0["action"] as? String == "promoteAurora" })
        #expect(promotion["region"] as? String == "us-west-1")
        #expect(promotion["outcome"] as? String == "called")
        #expect((promotion["requestID"] as? String)?.isEmpty == false)
        #expect(promotion["startedAt"] is String && promotion["endedAt"] is String && promotion["seconds"] is Double)
        #expect(steps.contains { $0["kind"] as? String == "wait" && $0["action"] as? String == "promotion" })
        #expect((document["pending"] as? [Any])?.isEmpty == true)
    }

    @Test("html: one self-contained file with the console's timeline")
    func html() throws {
        let failover = try Failover()
        defer { failover.world.close() }
        let result = try failover.report(["report", "--format", "html"])
        #expect(result.status == 0, "\(result.stderr)")
        let page = result.stdout
        let saved = "\(try Chromium.outputFolder("report-\(UUID().uuidString.prefix(8))"))/failover-report.html"
        try page.write(toFile: saved, atomically: true, encoding: .utf8)
        print("HTML report written to \(saved)")
        #expect(page.hasPrefix("<!doctype html>"))
        #expect(page.contains("id=\"timeline-hot\""))
        #expect(page.contains("data-step=\"promoteAurora\""))
        #expect(page.contains("data-step=\"promotion\""))
        #expect(page.contains("time to converge (measured RTO)"))
        // Self-contained: no script, no external asset.
        #expect(!page.contains("<script"))
        #expect(!page.contains("src=\"http"))
        #expect(!page.contains("href=\"http"))
    }

    @Test("a commit the journal has no call for is refused with exit 1")
    func unknownCommit() throws {
        let failover = try Failover()
        defer { failover.world.close() }
        let first = try failover.world.fixture.git("rev-parse", "HEAD~1", in: failover.world.repo)
        let result = try failover.report(["report", first])
        #expect(result.status == 1)
        #expect(result.stderr.contains("records no AWS call"))
    }

    @Test("the RTO counts from the commit that changed activeRegion, as history does; an override trailer is named with who and when")
    func decisionAndOverride() throws {
        let world = try FailoverTests.World()
        defer { world.close() }
        try world.flip(to: "us-west-1")
        let flip = try world.fixture.git("rev-parse", "HEAD", in: world.repo)
        try world.fixture.git("commit", "-q", "--allow-empty", "-m", "Apply it\n\nSwitchyard-Override: dwell", in: world.repo)
        #expect(try world.switchyard("apply").status == 0)
        let report = try world.switchyard("report", "--format", "json")
        #expect(report.status == 0, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect(json["decisionCommit"] as? String == flip)
        #expect((json["overrides"] as? [String])?.first?.hasPrefix("Switchyard-Override: dwell, by Test Author <author@example.com> at ") == true)
        let text = try world.switchyard("report")
        #expect(text.stdout.contains("decided") && text.stdout.contains(String(flip.prefix(12))), "\(text.stdout)")
        let history = try world.switchyard("history", "--format", "json")
        let seconds = try #require((json["secondsToConverge"] as? Double))
        let changes = (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])?["changes"] as? [[String: Any]]
        let flipEntry = changes?.first { $0["commit"] as? String == flip }
        let historySeconds = try #require(flipEntry?["secondsToConverge"] as? Double, "\(history.stdout)")
        #expect(abs(historySeconds - seconds) < 0.01, "one RTO: history \(historySeconds) s, report \(seconds) s")
    }

    @Test("history: the first commit, which needed nothing, does not read \"not converged\"")
    func historyFirstCommit() throws {
        let failover = try Failover()
        defer { failover.world.close() }
        let result = try failover.report(["history", "--state-dir", failover.stateDir])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("(new) -> us-east-1"))
        // The host converged the first commit (the world's starting apply) without a call; history ties that to the
        // commit only when it happened before the next commit's whole-second time, so either wording is right.
        #expect(
            result.stdout.contains("no call needed; converged") || result.stdout.contains("no call needed; nothing to converge"),
            "\(result.stdout)")
        #expect(!result.stdout.contains("not converged"), "\(result.stdout)")
        #expect(result.stdout.contains("time to converge"), "the flip converged")
    }

    @Test("with --allowed-signers the report names who signed the failover's commit")
    func signedCommit() throws {
        let world = try FailoverTests.World()
        defer { world.close() }
        let stateDir = world.fixture.path("state")
        let alice = try SSHKeyFixture.generate(.ed25519, named: "alice", in: world.fixture.path(""))
        let allowed = world.fixture.path("allowed_signers")
        try world.fixture.write(alice.allowedSignersLine(principal: "alice@example.com") + "\n", to: allowed)
        try world.fixture.write(
            FailoverTests.World.yaml(world.apps[0], active: "us-west-1", standby: "hot", promotion: "switchover"),
            to: "\(world.repo)/desired-state/hot.yaml")
        try world.fixture.git("add", "-A", in: world.repo)
        try world.fixture.signedCommit("Fail over hot to us-west-1", key: alice, in: world.repo)
        #expect(try Failover.run(["apply", "--poll-interval", "200ms"], world: world, stateDir: stateDir).status == 0)

        let checked = try Failover.run(["report", "--allowed-signers", allowed], world: world, stateDir: stateDir)
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("valid, by alice@example.com (\(alice.fingerprint))"), "\(checked.stdout)")
        let unchecked = try Failover.run(["report", "--format", "markdown"], world: world, stateDir: stateDir)
        #expect(unchecked.stdout.contains("signed; not checked: no allowed signers were given"))
    }
}
