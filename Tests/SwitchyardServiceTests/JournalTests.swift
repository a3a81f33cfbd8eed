import Foundation
import GitSource
import GRDB
@testable import Journaling
@testable import Reconciler
@testable import SwitchyardService
import Testing

@Suite("the journal, the state lock and the webhook signature")
struct JournalTests {
    static func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-state-\(UUID().uuidString)").path
    }

    @Test("the live facts last observed are kept per app, replaced by the next, and survive reopening")
    func rememberedFacts() throws {
        let dir = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let journal = try Journal(stateDirectory: dir)
            try journal.rememberFacts(app: "shop", json: #"{"autoScalingGroupCapacity":{"us-east-1":"4/4"}}"#)
            try journal.rememberFacts(app: "shop", json: #"{"autoScalingGroupCapacity":{"us-east-1":"6/6"}}"#)
        }
        let reopened = try Journal(stateDirectory: dir)
        #expect(try reopened.rememberedFacts() == ["shop": #"{"autoScalingGroupCapacity":{"us-east-1":"6/6"}}"#])
    }

    @Test("passes, calls and app events are kept in order, and survive reopening")
    func journalRoundTrip() throws {
        let dir = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let journal = try Journal(stateDirectory: dir)
            let pass = try journal.beginPass(trigger: "start")
            try journal.record(
                CallRecord(
                    passID: pass, app: "unishop", commit: "c1", activeRegion: "us-west-1", action: "promoteAurora",
                    resource: "arn:aws:rds:us-west-1:123456789012:cluster:b", region: "us-west-1", phase: "calling"))
            try journal.record(
                CallRecord(
                    passID: pass, app: "unishop", commit: "c1", activeRegion: "us-west-1", action: "promoteAurora",
                    resource: "arn:aws:rds:us-west-1:123456789012:cluster:b", region: "us-west-1", phase: "called",
                    requestID: "req-1"))
            try journal.recordApp(
                AppEvent(
                    passID: pass, app: "unishop", commit: "c1", activeRegion: "us-west-1", verdict: "in sync",
                    converged: true, specHash: "h1"))
            try journal.finishPass(pass, commit: "c1", outcome: .converged, error: nil)
            let second = try journal.beginPass(trigger: "interval")
            try journal.recordApp(
                AppEvent(
                    passID: second, app: "unishop", commit: "c2", activeRegion: "us-east-1", verdict: "failed",
                    converged: false, specHash: "h2"))
            try journal.finishPass(second, commit: "c2", outcome: .notConverged, error: "unishop failed")
        }
        let reopened = try Journal(stateDirectory: dir, readOnly: true)
        let passes = try reopened.passes()
        #expect(passes.map(\.outcome) == [.converged, .notConverged])
        #expect(passes.last?.error == "unishop failed")
        #expect(try reopened.calls().map(\.phase) == ["calling", "called"])
        #expect(try reopened.calls().last?.requestID == "req-1")
        let state = try #require(try reopened.appStates()["unishop"])
        #expect(state.lastAttemptedCommit == "c2")
        #expect(state.lastAppliedCommit == "c1", "a pass that did not converge leaves the last applied commit")
        #expect(state.appliedSpecHash == "h1")
        #expect(try reopened.appEvents().count == 2)
    }

    @Test("an app event is appended only when the app's conclusion changed; app_state still moves every pass")
    func appEventsKeepChangesOnly() throws {
        let dir = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Journal(stateDirectory: dir)
        func conclude(_ commit: String, _ region: String, _ verdict: String, converged: Bool, at seconds: Double) throws {
            let pass = try journal.beginPass(trigger: "interval")
            try journal.recordApp(
                AppEvent(
                    passID: pass, time: Date(timeIntervalSince1970: seconds), app: "unishop", commit: commit,
                    activeRegion: region, verdict: verdict, converged: converged))
            try journal.recordApp(
                AppEvent(
                    passID: pass, time: Date(timeIntervalSince1970: seconds), app: "other", commit: commit,
                    activeRegion: "us-east-1", verdict: "in sync", converged: true))
        }
        try conclude("c1", "us-east-1", "in sync", converged: true, at: 100)
        try conclude("c1", "us-east-1", "in sync", converged: true, at: 130)  // idle: nothing new
        try conclude("c2", "us-west-1", "converging", converged: true, at: 160)
        try conclude("c2", "us-west-1", "in sync", converged: true, at: 190)
        try conclude("c2", "us-west-1", "in sync", converged: true, at: 220)  // idle again
        let unishop = try journal.appEvents(app: "unishop")
        #expect(unishop.map(\.time.timeIntervalSince1970) == [100, 160, 190])
        #expect(try journal.appEvents(app: "other").map(\.commit) == ["c1", "c2"], "a new commit is recorded for every app")
        #expect(try journal.appStates()["unishop"]?.updatedAt == Date(timeIntervalSince1970: 220))
    }

    @Test("a journal is in WAL mode")
    func walMode() throws {
        let dir = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Journal(stateDirectory: dir)
        #expect(try journal.journalMode() == "wal")
    }

    @Test("a second lock on the state folder is refused, naming the holder's PID; it is free again once released")
    func stateLock() throws {
        let dir = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var first: StateLock? = try StateLock(stateDirectory: dir)
        #expect(first != nil)
        #expect(throws: StateLockError.self) { _ = try StateLock(stateDirectory: dir) }
        do {
            _ = try StateLock(stateDirectory: dir)
        } catch {
            #expect(error.holder == getpid())
            #expect(error.description.contains("process \(getpid()) holds \(dir)/lock"))
        }
        first = nil
        _ = try StateLock(stateDirectory: dir)
    }

    @Test("webhook signatures: GitHub's documented example, a wrong secret, a tampered body, malformed headers")
    func webhookSignature() {
        // The example from GitHub's "Validating webhook deliveries" documentation.
        let signature = WebhookSignature(secret: Data("It's a Secret to Everybody".utf8))
        let body = Data("Hello, World!".utf8)
        let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(signature.header(for: body) == expected)
        #expect(signature.isValid(header: expected, body: body))
        #expect(!signature.isValid(header: expected, body: Data("Hello, World?".utf8)))
        #expect(!WebhookSignature(secret: Data("other".utf8)).isValid(header: expected, body: body))
        for bad in [nil, "", "sha256=", "sha1=757107ea", "sha256=zz", String(expected.dropLast()), expected.uppercased()] {
            #expect(!signature.isValid(header: bad, body: body), "\(bad ?? "nil")")
        }
    }

    @Test("a journal with damaged pages is refused by apply and run's open (quick_check), moved aside by nobody, and named")
    func damagedJournal() throws {
        let dir = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let journal = try Journal(stateDirectory: dir)
            let pass = try journal.beginPass(trigger: "test")
            for index in 0..<400 {
                try journal.record(
                    CallRecord(
                        passID: pass, app: "app\(index)", commit: String(repeating: "a", count: 40), activeRegion: "us-west-1",
                        action: "openBucket", resource: "bucket-\(index)", region: "us-west-1", phase: "calling"))
            }
            // Checkpoint the WAL into the file, so the pages overwritten below are the journal's.
            _ = try journal.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        }
        let path = "\(dir)/\(Journal.fileName)"
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        handle.write(Data(repeating: 0xA5, count: 8192))
        try handle.close()
        let error = #expect(throws: JournalError.self) { _ = try Journal(stateDirectory: dir) }
        #expect(error?.description.contains("damaged") == true || error?.description.contains("malformed") == true, "\(error.map { "\($0)" } ?? "")")
        #expect(error?.description.contains("mv \(path) \(path).damaged") == true)
        #expect(FileManager.default.fileExists(atPath: path), "nothing deleted")
    }

    @Test("the webhook secret file: trailing newline ignored, empty or missing refused without echoing content")
    func webhookSecretFile() throws {
        let dir = Self.temporaryFolder()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "s3cret\n".write(toFile: "\(dir)/secret", atomically: true, encoding: .utf8)
        let fromFile = try WebhookSignature(secretFile: "\(dir)/secret")
        #expect(fromFile.header(for: Data("x".utf8)) == WebhookSignature(secret: Data("s3cret".utf8)).header(for: Data("x".utf8)))
        try "\n".write(toFile: "\(dir)/empty", atomically: true, encoding: .utf8)
        #expect(throws: WebhookSecretError.self) { _ = try WebhookSignature(secretFile: "\(dir)/empty") }
        #expect(throws: WebhookSecretError.self) { _ = try WebhookSignature(secretFile: "\(dir)/missing") }
    }

    @Test("backoff doubles from the retry interval up to the interval; jitter stays within ±10%")
    func delays() {
        let config = ServiceConfiguration(
            pass: PassConfiguration(source: GitSource(location: .local(path: "."), cacheRoot: "/tmp")),
            interval: .seconds(60), retryInterval: .seconds(5), stateDirectory: "/tmp")
        #expect((1...6).map { config.retryDelay(afterFailures: $0) } == [5, 10, 20, 40, 60, 60].map { Duration.seconds($0) })
        for _ in 0..<50 {
            let next = config.nextInterval()
            #expect(next >= .seconds(54) && next <= .seconds(66))
        }
    }

    @Test("a trigger fired while nobody waits starts the next wait at once; shutdown ends every wait")
    func trigger() async {
        let trigger = PassTrigger()
        trigger.fire("webhook")
        #expect(await trigger.wait(for: .seconds(3600)) == .triggered("webhook"))
        #expect(await trigger.wait(for: .milliseconds(10)) == .timer)
        async let waited = trigger.wait(for: .seconds(3600))
        try? await Task.sleep(for: .milliseconds(50))
        trigger.shutdown()
        #expect(await waited == .shutdown)
    }
}
