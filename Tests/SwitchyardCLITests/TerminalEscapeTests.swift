import Journaling
import Reconciler
import Foundation
import Presentation
import SwitchyardTestSupport
import Testing

/// Issue 24: text from outside (a commit's subject and author, a desired-state value echoed in a refusal) never
/// reaches a terminal with its control characters: every text output shows them as visible `\u{…}` escapes.
@Suite("Control characters are shown, never sent to the terminal", .serialized)
struct TerminalEscapeTests {
    /// OSC 52 (set the clipboard) ended by BEL, clear screen, backspace, a C1 CSI, a right-to-left override.
    static let subject = "Fail over \u{1B}]52;c;ZXZpbA==\u{07}\u{1B}[2J\u{08}\u{9B}31m\u{202E}done"
    static let author = "Mallory \u{1B}[31mRed\u{1B}[0m\u{85}\u{7F}\u{0D} Jr"

    /// The scalars that must never be printed raw (TerminalText's set).
    static func raw(_ text: String) -> [String] {
        text.unicodeScalars.filter { scalar in
            switch scalar.value {
            case 0x0A, 0x09: false
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
            default: false
            }
        }
        .map { String(format: "U+%04X", $0.value) }
    }

    static func check(_ result: CLI.Result, _ what: String) {
        #expect(raw(result.stdout + result.stderr).isEmpty, "\(what) printed \(raw(result.stdout + result.stderr))")
    }

    @Test("controls, DEL, C1 and bidirectional overrides are escaped; line feed, tab and other text are kept")
    func visible() {
        let shown = TerminalText.visible("a\tb\nc\u{1B}[1m\u{9B}\u{7F}\r\u{0}\u{202E}é✓")
        #expect(shown == "a\tb\nc" + #"\u{1B}[1m\u{9B}\u{7F}\u{D}\u{0}\u{202E}"# + "é✓")
        #expect(TerminalText.visible(json: "\"a\u{9B}\u{7F}\u{202E}\\u001b\"") == #""a\u009b\u007f\u202e\u001b""#)
        #expect(TerminalText.visible("Fail over hot to us-west-1") == "Fail over hot to us-west-1")
    }

    @Test("history, plan, apply, status, report (text and markdown) and run's log show a hostile commit's escapes")
    func hostileCommit() throws {
        let world = try FailoverTests.World()
        defer { world.close() }
        let state = world.fixture.path("state")
        try world.fixture.write(
            FailoverTests.World.yaml(world.apps[0], active: "us-west-1", standby: "hot", promotion: "switchover"),
            to: world.repo + "/desired-state/hot.yaml")
        try world.fixture.git("-c", "user.name=\(Self.author)", "commit", "-q", "-am", Self.subject, in: world.repo)
        func run(_ args: String...) throws -> CLI.Result {
            var environment = world.emulator.awsEnvironment
            environment["STATE_DIRECTORY"] = state
            return try CLI.run(args + (args.first == "apply" ? ["--poll-interval", "200ms"] : []), in: world.repo, environment: environment)
        }
        let visibleSubject = #"Fail over \u{1B}]52;c;ZXZpbA==\u{7}\u{1B}[2J\u{8}\u{9B}31m\u{202E}done"#
        let visibleAuthor = #"Mallory \u{1B}[31mRed\u{1B}[0m\u{85}\u{7F}\u{D} Jr"#

        let history = try run("history")
        Self.check(history, "history")
        #expect(history.stdout.contains(visibleSubject), "\(history.stdout)")
        #expect(history.stdout.contains(visibleAuthor), "\(history.stdout)")
        for format in ["text", "markdown"] { Self.check(try run("plan", "--format", format), "plan --format \(format)") }
        let apply = try run("apply", "--log-level", "debug")
        #expect(apply.status == 0, "\(apply.stderr)")
        Self.check(apply, "apply")
        let status = try run("status")
        Self.check(status, "status")
        #expect(status.stdout.contains(visibleSubject), "\(status.stdout)")
        for format in ["text", "markdown"] {
            let report = try run("report", "--format", format)
            #expect(report.status == 0, "\(report.stderr)")
            Self.check(report, "report --format \(format)")
            #expect(report.stdout.contains(visibleAuthor), "report --format \(format): \(report.stdout)")
            #expect(report.stdout.contains(#"\u{1B}]52;c;ZXZpbA=="#), "report --format \(format): \(report.stdout)")
        }
        Self.check(try run("run", "--once", "--log-level", "trace"), "run --once")
        // JSON keeps the text itself, escaped as JSON escapes it.
        let json = try run("history", "--format", "json")
        Self.check(json, "history --format json")
        #expect(json.stdout.contains(#"\u001b]52;c;ZXZpbA==\u0007"#), "\(json.stdout)")
        #expect(json.stdout.contains(#"\u0085\u007f\r Jr"#), "DEL and C1, which JSON encoders leave raw, as JSON escapes: \(json.stdout)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let change = try #require((document["changes"] as? [[String: Any]])?.first)
        #expect(change["author"] as? String == Self.author, "the same JSON value")
        #expect(change["subject"] as? String == Self.subject)
        Self.check(try run("status", "--format", "json"), "status --format json")
    }

    @Test("a desired-state value with escapes is shown escaped in validate's and plan's refusal")
    func hostileValue() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        // YAML's own escapes in a double-quoted scalar: the parsed value holds ESC and BEL.
        let text = fixture.app(region: "us-east-1").replacingOccurrences(
            of: "activeRegion: us-east-1", with: #"activeRegion: "us-\e[8mhidden\e[0m\a""#)
        try fixture.write(text, to: dir + "/desired-state/unishop.yaml")
        try fixture.git("commit", "-q", "-am", "Hostile value", in: dir)
        for args in [["validate"], ["plan", "--endpoint-url", "http://127.0.0.1:9"], ["flip", "unishop", "us-west-1"]] {
            let result = try CLI.run(
                args, in: dir, environment: ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"])
            #expect(result.status == 1, "\(args): \(result.stderr)")
            Self.check(result, args.joined(separator: " "))
            #expect(result.stderr.contains(#"us-\u{1B}[8mhidden\u{1B}[0m\u{7}"#), "\(args): \(result.stderr)")
        }
    }
}
