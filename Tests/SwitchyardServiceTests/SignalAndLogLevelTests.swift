import Reconciler
import Foundation
import GitSource
import Journaling
import SwitchyardService
import SwitchyardTestSupport
import Testing

@Suite("Signals and log levels as daemons take them", .serialized)
struct SignalAndLogLevelTests {
    /// Posts a GitHub push signed with `secret`; returns the status.
    static func deliver(_ url: String, secret: String) async throws -> Int {
        let body = Data(#"{"ref":"refs/heads/main","after":"0123456789abcdef0123456789abcdef01234567"}"#.utf8)
        let signature = WebhookSignature(secret: Data(secret.utf8)).header(for: body)
        let headers = ["Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": signature]
        return try await HTTPTestClient.send("POST", "\(url)/hooks/github", headers: headers, body: body).1
    }

    @Test("SIGHUP never stops run: a notice line, the webhook secret re-read, a pass at once, /healthz still answers; SIGTERM exits 0")
    func hangupKeepsRunning() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, url) = try await harness.start(interval: "10m")
        try await harness.waitConverged(service, at: try harness.head())
        let passes = try harness.journal().passes().count
        #expect(try await Self.deliver(url, secret: ServiceHarness.secret) == 202)
        // Its pass first: a SIGHUP during a pass only checks for a newer commit, as a webhook does.
        try await service.waitUntil("the webhook's pass") {
            try harness.journal().passes().contains { $0.trigger.hasPrefix("webhook") && $0.finishedAt != nil }
        }
        try harness.git.write("rotated-secret\n", to: harness.secretFile)
        service.signal(SIGHUP)
        try await service.waitUntil("the SIGHUP notice") { service.log.contains("notice") && service.log.contains("SIGHUP: not stopping") }
        try await service.waitUntil("a pass started by SIGHUP") { try harness.journal().passes().contains { $0.trigger == "SIGHUP" } }
        #expect(try harness.journal().passes().count > passes)
        #expect(service.log.contains("a new secret is in force"), "\(service.log)")
        #expect(try await Self.deliver(url, secret: "rotated-secret") == 202)
        #expect(try await Self.deliver(url, secret: ServiceHarness.secret) == 401, "the old secret is no longer taken")
        // A secret file that cannot be read keeps the secret in force.
        try FileManager.default.removeItem(atPath: harness.secretFile)
        service.signal(SIGHUP)
        try await service.waitUntil("the unreadable secret said") { service.log.contains("the secret in force stays") }
        #expect(try await Self.deliver(url, secret: "rotated-secret") == 202)
        let (health, status) = try await HTTPTestClient.get("\(url)/healthz")
        #expect(status == 200, "\(String(decoding: health, as: UTF8.self))")
        #expect(!service.endedBySignal)
        service.signal(SIGTERM)
        #expect(try await service.waitForExit() == 0)
    }

    @Test(
        "apply stopped by a signal during a promotion finishes its journal pass as interrupted, exit 1",
        arguments: [("SIGHUP", SIGHUP), ("SIGINT", SIGINT), ("SIGTERM", SIGTERM)])
    func applyInterrupted(name: String, signal: Int32) async throws {
        // The promotion lasts until the test ends: the signal lands in its wait however loaded the machine is.
        let harness = try ServiceHarness(failoverSeconds: 600)
        defer { harness.tearDown() }
        let arguments = [
            "apply", "--repo", "file://\(harness.bare)", "--cache-dir", harness.git.path("cache"), "--state-dir", harness.stateDir,
            "--poll-interval", "200ms",
        ]
        // This host applies the first commit, so the flip is its own to make (not a failover made by hand).
        let first = try CLI.run(arguments, in: harness.git.root.path, environment: harness.emulator.awsEnvironment)
        try #require(first.status == 0, "\(first.stdout)\(first.stderr)")
        try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot to us-west-1")
        let apply = try ServiceProcess(arguments, in: harness.git.root.path, environment: harness.emulator.awsEnvironment)
        defer { apply.cleanUp() }
        try await apply.waitUntil("the promotion under way") {
            Journal.exists(in: harness.stateDir)
                && (try? harness.journal().calls(app: "hot").contains { $0.action == "promoteAurora" && $0.phase == "called" }) == true
        }
        apply.signal(signal)
        #expect(try await apply.waitForExit(timeout: 30) == 1, "\(apply.log)")
        #expect(apply.log.contains("\(name): stopping at the next safe point"), "\(apply.log)")
        #expect(apply.log.contains("interrupted by \(name)"), "\(apply.log)")
        let pass = try #require(try harness.journal().passes().last)
        #expect(pass.outcome == .interrupted, "\(pass)")
        #expect(pass.finishedAt != nil)
    }

    @Test("each log level is taken in any case", arguments: ["trace", "DEBUG", "Info", "NOTICE", "warning", "Error", "CRITICAL"])
    func levelsInAnyCase(level: String) throws {
        let dir = JournalTests.temporaryFolder()
        // Parsed, then the command's own error (no repository here): not an argument error.
        let result = try CLI.run(["status", "--log-level", level, "--repo", "\(dir)/none"], in: "/")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("--log-level"), "\(result.stderr)")
    }

    @Test("a level that is not one is refused with the list, never read as the default", arguments: ["warn", "verbose", "inf0", ""])
    func typosRefused(level: String) throws {
        let result = try CLI.run(["status", "--log-level", level], in: "/")
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("'--log-level <level>'"), "\(result.stderr)")
        for name in ["trace", "debug", "info", "notice", "warning", "error", "critical"] { #expect(result.stderr.contains(name)) }
    }

    @Test("run logs at info by default; --log-level error keeps info and notice lines out")
    func errorSuppressesInfo() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let quiet = try CLI.run(
            harness.arguments(["--once", "--log-level", "error"]), in: harness.git.root.path, environment: harness.emulator.awsEnvironment)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(!quiet.stderr.contains(" info "), "\(quiet.stderr)")
        #expect(!quiet.stderr.contains(" notice "), "\(quiet.stderr)")
        let chatty = try CLI.run(harness.arguments(["--once"]), in: harness.git.root.path, environment: harness.emulator.awsEnvironment)
        #expect(chatty.status == 0, "\(chatty.stderr)")
        #expect(chatty.stderr.contains(" info "), "\(chatty.stderr)")
        #expect(chatty.stderr.contains("pass finished"))
    }
}
