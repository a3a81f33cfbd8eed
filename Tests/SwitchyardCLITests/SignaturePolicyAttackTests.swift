import Foundation
import SwitchyardTestSupport
import Testing

/// Issue 13: each hole in the signed-commit policy, reproduced with real ssh-keygen keys and `git commit -S`, now refused
/// (or, for CRLF, accepted as `git verify-commit` accepts it).
@Suite("The signed-commit policy under attack")
struct SignaturePolicyAttackTests {
    typealias Setup = SignedCommitCommandTests.Setup

    /// The state the attacker wants: failed over, the old primary fenced.
    func fenced(_ s: Setup) throws {
        let text = s.fixture.app(region: "us-west-1").replacingOccurrences(of: "spec:\n", with: "spec:\n  standby: fenced\n")
        try s.fixture.write(text, to: s.dir + "/desired-state/unishop.yaml")
    }

    @Test(
        "a stale approval does not count: bob signed a harmless commit, alice alone signs a merge whose tree she chose",
        arguments: ["plan", "apply", "run"])
    func staleApproval(command: String) throws {
        let s = try Setup()
        defer { s.fixture.remove() }
        let base = try s.fixture.git("rev-parse", "HEAD", in: s.dir)
        try s.fixture.git("checkout", "-q", "-b", "harmless", in: s.dir)
        try s.fixture.write(s.fixture.app(region: "us-east-1") + "# a harmless comment\n", to: s.dir + "/desired-state/unishop.yaml")
        try s.fixture.git("add", "-A", in: s.dir)
        try s.fixture.signedCommit("Reword a comment", key: s.bob, in: s.dir)
        try s.fixture.git("checkout", "-q", "main", in: s.dir)
        try s.fixture.gitArgs(["merge", "-q", "--no-ff", "--no-commit", "harmless"], in: s.dir)
        try fenced(s)
        try s.fixture.git("add", "-A", in: s.dir)
        try s.fixture.signedCommit("Merge branch 'harmless'", key: s.alice, in: s.dir)

        let policy = ["--allowed-signers", s.allowedSigners, "--required-signers", "2"]
        if command == "run" {
            // A new host knows no base: a person records the reviewed one first.
            let recorded = try CLI.run(["trust-base", base, "--state-dir", s.fixture.path("state"), "--by", "carol"], in: s.dir)
            #expect(recorded.status == 0, "\(recorded.stderr)")
        }
        let args = command == "run" ? policy + ["--once", "--state-dir", s.fixture.path("state")] : policy + ["--last-applied", base]
        let result = try s.run(command, args)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("refusing"), "\(result.stderr)")
        #expect(result.stderr.contains("1 of 2 required distinct signers (alice@example.com) signed it as applied"), "\(result.stderr)")
        #expect(result.stderr.contains("bob@example.com signed a different content of it, which does not count"), "\(result.stderr)")
    }

    @Test("--last-applied that is the candidate, not its ancestor, or unknown never lowers the number of signers")
    func lastAppliedCannotSwitchTheRuleOff() throws {
        let s = try Setup()
        defer { s.fixture.remove() }
        try s.fixture.git("checkout", "-q", "-b", "side", in: s.dir)
        try s.fixture.write(s.fixture.app(region: "us-east-1") + "# side\n", to: s.dir + "/desired-state/unishop.yaml")
        try s.fixture.git("add", "-A", in: s.dir)
        try s.fixture.git("commit", "-q", "-m", "Side", in: s.dir)
        let side = try s.fixture.git("rev-parse", "HEAD", in: s.dir)
        try s.fixture.git("checkout", "-q", "main", in: s.dir)
        try s.fixture.write(s.fixture.app(region: "us-west-1"), to: s.dir + "/desired-state/unishop.yaml")
        try s.fixture.git("add", "-A", in: s.dir)
        try s.fixture.signedCommit("Fail over", key: s.alice, in: s.dir)
        try s.fixture.git("tag", "moved", in: s.dir)  // a tag someone moved onto the candidate

        let policy = ["--allowed-signers", s.allowedSigners, "--required-signers", "2"]
        for (last, says) in [("moved", "is the candidate itself"), ("HEAD", "is the candidate itself"), (side, "is not an ancestor of")] {
            let result = try s.run("plan", policy + ["--last-applied", last])
            #expect(result.status == 1, "--last-applied \(last): \(result.stderr)")
            #expect(result.stderr.contains(says), "--last-applied \(last): \(result.stderr)")
        }
        let unknown = try s.run("plan", policy + ["--last-applied", "0123456789abcdef0123456789abcdef01234567"])
        #expect(unknown.status == 1, "\(unknown.stderr)")
    }

    @Test("a retired key (valid-before in the past) is refused although the signer dated the commit inside its window")
    func retiredKey() throws {
        let s = try Setup()
        defer { s.fixture.remove() }
        let retired = try s.fixture.writeAllowedSigners([
            s.alice.allowedSignersLine(principal: "alice@example.com", options: "valid-before=\"20200101Z\"")
        ])
        try s.fixture.write(s.fixture.app(region: "us-west-1"), to: s.dir + "/desired-state/unishop.yaml")
        try s.fixture.git("add", "-A", in: s.dir)
        _ = try runTool(
            "env",
            ["GIT_COMMITTER_DATE=2019-06-01T12:00:00Z", "GIT_AUTHOR_DATE=2019-06-01T12:00:00Z", "git"]
                + ["-c", "user.name=Test Author", "-c", "user.email=author@example.com"] + s.alice.gitSigningConfig
                + ["commit", "-q", "-S", "-m", "Fail over, backdated"], in: s.dir)
        let result = try s.run("plan", ["--allowed-signers", retired])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("retired"), "\(result.stderr)")
    }

    @Test("allowed_signers with CRLF line endings and a leading comment is read whole, as git verify-commit reads it")
    func crlfAllowedSigners() throws {
        let s = try Setup()
        defer { s.fixture.remove() }
        let file = try s.fixture.keysFolder() + "/allowed_signers_crlf"
        try s.fixture.write(
            [
                "# operators, edited on Windows", s.alice.allowedSignersLine(principal: "alice@example.com"),
                s.bob.allowedSignersLine(principal: "bob@example.com"),
            ].joined(separator: "\r\n") + "\r\n", to: file)
        try s.fixture.write(s.fixture.app(region: "us-west-1"), to: s.dir + "/desired-state/unishop.yaml")
        try s.fixture.git("add", "-A", in: s.dir)
        try s.fixture.signedCommit("Fail over", key: s.bob, in: s.dir)  // bob is on the last line
        let git = try runTool("git", ["-c", "gpg.ssh.allowedSignersFile=\(file)", "verify-commit", "HEAD"], in: s.dir)
        _ = git  // git accepts it (runTool throws on a non-zero exit)
        let result = try s.run("plan", ["--allowed-signers", file])
        #expect(result.stderr.contains("accepted, signed by bob@example.com"), "\(result.stderr)")
    }
}
