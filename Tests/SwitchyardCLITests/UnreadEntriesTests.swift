import Foundation
import SwitchyardTestSupport
import Testing

/// Issue 14: what the desired-state folder holds that is not read is named, and `validate --strict` refuses it; a
/// hostile file is an error of the commit, not a crash.
@Suite("validate names what it does not read, and survives hostile files")
struct UnreadEntriesTests {
    @Test("a subfolder, a submodule, an upper-case extension and a README are named; --strict makes them errors")
    func unreadEntries() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try FileManager.default.createDirectory(atPath: dir + "/desired-state/more", withIntermediateDirectories: true)
        try fixture.write(fixture.app(name: "nested", region: "us-east-1"), to: dir + "/desired-state/more/nested.yaml")
        try fixture.write(fixture.app(name: "shouting", region: "us-east-1"), to: dir + "/desired-state/shouting.YAML")
        try fixture.write("# apps\n", to: dir + "/desired-state/README.md")
        try fixture.git("add", "-A", in: dir)
        // A submodule entry (a gitlink) with no folder in the work tree, added after `add -A` so it stays staged.
        let head = try fixture.git("rev-parse", "HEAD", in: dir)
        try fixture.git("update-index", "--add", "--cacheinfo", "160000,\(head),desired-state/vendored", in: dir)
        try fixture.git("commit", "-q", "-m", "Odd entries", in: dir)

        let lenient = try CLI.run(["validate"], in: dir)
        #expect(lenient.status == 0, "\(lenient.stderr)")
        for name in [
            "desired-state/more/: a subfolder", "desired-state/vendored: a submodule", "desired-state/shouting.YAML: not read",
            "desired-state/README.md: not read",
        ] {
            #expect(lenient.stderr.contains("warning: \(name)"), "\(name): \(lenient.stderr)")
        }
        let strict = try CLI.run(["validate", "--strict"], in: dir)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("error: desired-state/shouting.YAML"), "\(strict.stderr)")
    }

    @Test("a commit with a 50,000-alias file is invalid, named with file and line, for validate and run --once")
    func aliasBombCommit() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        var text = "a0: &a0 [x]\n"
        for index in 1..<50_000 { text += "- &a\(index) [*a\(index - 1)]\n" }
        try fixture.write(text, to: dir + "/desired-state/bomb.yaml")
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "A hostile file", in: dir)
        let validate = try CLI.run(["validate"], in: dir)
        #expect(validate.status == 1, "no crash: \(validate.stderr)")
        #expect(validate.stderr.contains("desired-state/bomb.yaml:"), "\(validate.stderr)")
        let state = fixture.path("state")
        let run = try CLI.run(
            ["run", "--once", "--state-dir", state, "--endpoint-url", "http://127.0.0.1:9"], in: dir,
            environment: ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("desired-state/bomb.yaml:"), "the daemon records why: \(run.stderr)")
    }

    @Test("a 90-anchor bomb on keys is refused by validate and flip with file:line:column, before any expansion")
    func keyBombCommit() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        // Anchored keys that the duplicate-key check would hash whole, 2^30 leaves, behind a stray quote.
        let bomb = "note: it 's plain\n? &k0 [x]\n: 0\n" + (1...30).map { "? &k\($0) [*k\($0 - 1), *k\($0 - 1)]\n: \($0)\n" }.joined()
        try fixture.write(bomb, to: dir + "/desired-state/bomb.yaml")
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "A hostile file", in: dir)
        let expected = "desired-state/bomb.yaml:14:3: more than 16 YAML anchors and aliases"
        let validate = try CLI.run(["validate"], in: dir)
        #expect(validate.status == 1)
        #expect(validate.stderr.contains(expected), "\(validate.stderr)")
        let flip = try CLI.run(["flip", "unishop", "us-west-1"], in: dir)
        #expect(flip.status == 1)
        #expect(flip.stderr.contains(expected), "\(flip.stderr)")
        #expect(try fixture.git("log", "--format=%s", "-1", in: dir) == "A hostile file", "flip committed nothing")
    }

    @Test("a file just over 1 MiB is refused by validate and flip with its path and size; history goes on")
    func largeFileCommit() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let size = (2 << 20) + 2
        try fixture.write("#" + String(repeating: "x", count: size - 2) + "\n", to: dir + "/desired-state/big.yaml")
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "A large file", in: dir)
        let expected = "desired-state/big.yaml:1:1: the file is \(size) bytes; a desired-state file may be at most 1048576 bytes (1 MiB)"
        for args in [["validate"], ["flip", "unishop", "us-west-1"]] {
            let result = try CLI.run(args, in: dir)
            #expect(result.status == 1)
            #expect(result.stderr.contains(expected), "\(args): \(result.stderr)")
        }
        let history = try CLI.run(["history"], in: dir)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("(new) -> us-east-1"), "\(history.stdout)")
    }
}
