import Foundation
import SwitchyardTestSupport
import Testing

/// Break glass names an app the desired state declares, exactly; a ref that names a branch and a tag is refused.
@Suite("suspend/resume names and ambiguous refs")
struct BreakGlassAndRefTests {
    @Test(
        "suspend and resume refuse a name no file declares (a typo, a trailing space), naming the apps; --force acts",
        arguments: ["suspend", "resume"])
    func undeclaredApp(command: String) throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let state = ["--state-dir", fixture.path("state")]
        let reason = command == "suspend" ? ["--reason", "drill"] : []
        for name in ["unishopp", "unishop ", "Unishop", ""] {
            let result = try CLI.run([command, name] + reason + state, in: dir)
            #expect(result.status == 1, "'\(name)': \(result.stderr)")
            #expect(result.stderr.contains("no desired-state file in desired-state declares an app named '\(name)'"), "\(result.stderr)")
            #expect(result.stderr.contains("declared: unishop"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.path("state") + "/coordination"), "nothing was recorded")
        if command == "suspend" {
            #expect(try CLI.run(["suspend", "unishop-next", "--force"] + reason + state, in: dir).status == 0)
            #expect(try CLI.run(["suspend", "unishop"] + reason + state, in: dir).status == 0)
            #expect(try CLI.run(["resume", "unishop"] + state, in: dir).status == 0)
        }
    }

    @Test("a repository that cannot be read is not taken as 'every name is fine'")
    func unreadableRepository() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let result = try CLI.run(
            ["suspend", "unishop", "--reason", "drill", "--repo", fixture.path("nowhere"), "--state-dir", fixture.path("state")],
            in: fixture.root.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot check that unishop is declared"), "\(result.stderr)")
    }

    @Test("a --ref naming both a branch and a tag is refused naming both, locally and through file://; a remote's default branch is a branch")
    func branchAndTag() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        // A tag named like the branch, on a commit that fails over.
        try fixture.git("checkout", "-q", "-b", "elsewhere", in: dir)
        try fixture.commitRegion("us-west-1", in: dir)
        try fixture.git("tag", "main", in: dir)
        try fixture.git("checkout", "-q", "main", in: dir)
        let bare = fixture.path("remote.git")
        try fixture.git("clone", "-q", "--bare", dir, bare, in: fixture.root.path)
        try fixture.git("push", "-q", bare, "refs/tags/main", in: dir)
        for repo in [dir, "file://\(bare)"] {
            let result = try CLI.run(["validate", "--repo", repo, "--ref", "main", "--cache-dir", fixture.path("cache")], in: fixture.root.path)
            #expect(result.status == 1, "\(repo): \(result.stdout)")
            #expect(result.stderr.contains("names both the branch") && result.stderr.contains("refs/tags/main"), "\(result.stderr)")
            let branch = try CLI.run(
                ["history", "--repo", repo, "--ref", "refs/heads/main", "--format", "json", "--cache-dir", fixture.path("cache")],
                in: fixture.root.path)
            #expect(branch.status == 0, "\(branch.stderr)")
            #expect(!branch.stdout.contains("us-west-1"), "the branch, not the tag: \(branch.stdout)")
        }
        // A hex-looking name is a name too.
        try fixture.git("branch", "beef", "refs/heads/main", in: dir)
        try fixture.git("tag", "beef", "elsewhere", in: dir)
        let hex = try CLI.run(["validate", "--repo", dir, "--ref", "beef"], in: fixture.root.path)
        #expect(hex.status == 1 && hex.stderr.contains("names both the branch refs/heads/beef and the tag refs/tags/beef"), "\(hex.stderr)")
        // Without --ref, the remote's default branch is followed as the branch.
        let remote = try CLI.run(
            ["history", "--repo", "file://\(bare)", "--format", "json", "--cache-dir", fixture.path("cache")], in: fixture.root.path)
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(!remote.stdout.contains("us-west-1"), "\(remote.stdout)")
    }
}

@Suite("Uncommitted edits")
struct UncommittedEditTests {
    @Test("plan and status say when the work tree's desired-state files differ from the commit they read", arguments: ["plan", "status"])
    func warned(command: String) throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try fixture.write(fixture.app(region: "us-west-1"), to: "\(dir)/desired-state/unishop.yaml")
        try fixture.write(fixture.app(name: "shop2", region: "us-west-1"), to: "\(dir)/desired-state/shop2.yaml")
        let result = try CLI.run([command] + SignedCommitCommandTests.offline, in: dir, environment: SignedCommitCommandTests.environment)
        #expect(
            result.stderr.contains("desired-state/shop2.yaml, desired-state/unishop.yaml in the work tree differ from the commit read (HEAD)"),
            "\(result.stderr)")
        #expect(result.stderr.contains("uncommitted edits are never applied"))
    }
}

@Suite("No trust base, no two-person rule")
struct NoTrustBaseCommandTests {
    typealias Setup = SignedCommitCommandTests.Setup

    @Test(
        "plan and apply on a host that never applied, without --last-applied, refuse (exit 1) saying how to name a base; trust-base does it",
        arguments: ["plan", "apply"])
    func refusedThenRecorded(command: String) throws {
        let s = try Setup()
        defer { s.fixture.remove() }
        let base = try s.fixture.git("rev-parse", "HEAD", in: s.dir)
        try s.fixture.write(s.fixture.app(region: "us-west-1"), to: s.dir + "/desired-state/unishop.yaml")
        try s.fixture.git("add", "-A", in: s.dir)
        try s.fixture.signedCommit("Fail over", key: s.alice, in: s.dir)
        try s.fixture.signedCommit("Approve", key: s.bob, in: s.dir, allowEmpty: true)
        let state = ["--state-dir", s.fixture.path("state")]
        let policy = ["--allowed-signers", s.allowedSigners, "--required-signers", "2"] + state
        let refused = try s.run(command, policy)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("no trust base is known for desired-state/unishop.yaml"), "\(refused.stderr)")
        #expect(refused.stderr.contains("switchyard trust-base COMMIT"), "\(refused.stderr)")
        let recorded = try CLI.run(["trust-base", base] + state, in: s.dir)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(try CLI.run(["trust-base"] + state, in: s.dir).stdout.contains(base))
        let accepted = try s.run(command, policy)
        #expect(accepted.stderr.contains("accepted, signed by"), "\(accepted.stderr)")
        #expect(!accepted.stderr.contains("refusing"), "\(accepted.stderr)")
    }
}
