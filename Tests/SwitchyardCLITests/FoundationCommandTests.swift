import Foundation
import Reconciler
import SwitchyardTestSupport
import Testing

@Suite("validate, history and flip from the command line")
struct FoundationCommandTests {
    @Test("validate exits 0 on valid files and 1 with file:line on invalid ones, reading the commit")
    func validate() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        var result = try CLI.run(["validate"], in: dir)
        #expect(result.status == 0)
        #expect(result.stdout.contains("valid: 1 application"))

        try fixture.write(fixture.app(region: "eu-west-1"), to: dir + "/desired-state/unishop.yaml")
        result = try CLI.run(["validate"], in: dir)
        #expect(result.status == 0, "an uncommitted edit is not read")

        try fixture.git("commit", "-q", "-am", "Break it", in: dir)
        result = try CLI.run(["validate"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("desired-state/unishop.yaml:6:17: spec.activeRegion: found `eu-west-1`"))
        result = try CLI.run(["validate", "--ref", "HEAD~1"], in: dir)
        #expect(result.status == 0)
    }

    @Test("history lists changes as text and as JSON")
    func history() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try fixture.commitRegion("us-west-1", in: dir, message: "Fail over unishop")
        let text = try CLI.run(["history"], in: dir)
        #expect(text.status == 0)
        #expect(text.stdout.contains("us-east-1 -> us-west-1"))
        #expect(text.stdout.contains("Fail over unishop"))
        let json = try CLI.run(["history", "--format", "json"], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["schemaVersion"] as? Int == 1)
        let changes = object?["changes"] as? [[String: Any]]
        #expect(changes?.first?["from"] as? String == "us-east-1")
        #expect(changes?.first?["to"] as? String == "us-west-1")
        #expect(changes?.count == 2)
    }

    @Test("flip commits a diff of exactly one line")
    func flip() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let result = try CLI.run(["flip", "unishop", "us-west-1", "--author", "On Call <oncall@example.com>"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let diff = try fixture.git("diff", "--unified=0", "HEAD~1", "HEAD", in: dir)
        let changed = diff.split(separator: "\n").filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
        #expect(
            changed == ["-  activeRegion: us-east-1   # the line a failover changes", "+  activeRegion: us-west-1   # the line a failover changes"])
        #expect(try fixture.git("log", "-1", "--format=%an|%s", in: dir) == "On Call|Fail over unishop to us-west-1")
        #expect(try fixture.git("status", "--porcelain", in: dir) == "")
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var args: [String]
        var staged: Bool = false
        var message: String
        var testDescription: String { name }
    }

    @Test(
        "flip refusals leave the repository untouched",
        arguments: [
            Refusal(name: "unknown region", args: ["flip", "unishop", "eu-west-1"], message: "`eu-west-1` is not a region of unishop"),
            Refusal(name: "already active", args: ["flip", "unishop", "us-east-1"], message: "already the active region"),
            Refusal(name: "unknown app", args: ["flip", "nope", "us-west-1"], message: "no application named `nope`"),
            Refusal(name: "staged changes", args: ["flip", "unishop", "us-west-1"], staged: true, message: "other changes are staged"),
        ])
    func refusals(_ refusal: Refusal) throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        if refusal.staged {
            try fixture.write("x\n", to: dir + "/notes.txt")
            try fixture.git("add", "notes.txt", in: dir)
        }
        let head = try fixture.git("rev-parse", "HEAD", in: dir)
        let status = try fixture.git("status", "--porcelain", in: dir)
        let result = try CLI.run(refusal.args, in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains(refusal.message), "\(result.stderr)")
        #expect(try fixture.git("rev-parse", "HEAD", in: dir) == head)
        #expect(try fixture.git("status", "--porcelain", in: dir) == status)
    }
}
