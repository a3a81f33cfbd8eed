import Foundation
import SwitchyardTestSupport
import Testing

@Suite("plan and apply with --allowed-signers and --required-signers")
struct SignedCommitCommandTests {
    /// No AWS is reachable: a refusal must come before any call, and an accepted commit gets past the check.
    static let offline = ["--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1"]
    static let environment = [
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1",
    ]

    struct Setup {
        let fixture: GitFixture
        let dir: String
        let alice: SSHKeyFixture
        let bob: SSHKeyFixture
        let allowedSigners: String

        init() throws {
            fixture = try GitFixture()
            dir = try fixture.makeRepository()
            let keys = try fixture.keysFolder()
            alice = try SSHKeyFixture.generate(.ed25519, named: "alice", in: keys)
            bob = try SSHKeyFixture.generate(.rsa, named: "bob", in: keys)
            allowedSigners = try fixture.writeAllowedSigners([
                "# operators", alice.allowedSignersLine(principal: "alice@example.com"),
                bob.allowedSignersLine(principal: "bob@example.com"),
            ])
        }

        func head() throws -> String { String(try fixture.git("rev-parse", "HEAD", in: dir).prefix(12)) }

        func run(_ command: String, _ args: [String]) throws -> CLI.Result {
            try CLI.run([command] + args + SignedCommitCommandTests.offline, in: dir, environment: SignedCommitCommandTests.environment)
        }
    }

    @Test("an unsigned commit is refused by plan and apply with exit 1, before any AWS call", arguments: ["plan", "apply"])
    func unsignedRefused(command: String) throws {
        let s = try Setup()
        defer { s.fixture.remove() }
        try s.fixture.commitRegion("us-west-1", in: s.dir)
        let result = try s.run(command, ["--allowed-signers", s.allowedSigners])
        #expect(result.status == 1)
        let head = try s.head()
        #expect(result.stderr.contains("error: refusing \(head): commit \(head) is unsigned"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"))
        #expect(!result.stderr.contains("applying"), "apply must stop before it starts")
        #expect(result.stdout.isEmpty)
    }

    @Test("a commit signed by an allowed key gets past the check and names its signer")
    func signedAccepted() throws {
        let s = try Setup()
        defer { s.fixture.remove() }
        try s.fixture.write(s.fixture.app(region: "us-west-1"), to: s.dir + "/desired-state/unishop.yaml")
        try s.fixture.git("add", "-A", in: s.dir)
        try s.fixture.signedCommit("Fail over to us-west-1", key: s.alice, in: s.dir)
        let result = try s.run("plan", ["--allowed-signers", s.allowedSigners])
        #expect(
            result.stderr.contains("signatures: \(try s.head()) accepted, signed by alice@example.com (\(s.alice.fingerprint))"), "\(result.stderr)")
        #expect(!result.stderr.contains("refusing"))
    }

    @Test("two required signers: one is refused, the author's commit and the reviewer's merge pass")
    func twoPersonRule() throws {
        let s = try Setup()
        defer { s.fixture.remove() }
        let base = try s.fixture.git("rev-parse", "HEAD", in: s.dir)
        try s.fixture.git("checkout", "-q", "-b", "pr", in: s.dir)
        try s.fixture.write(s.fixture.app(region: "us-west-1"), to: s.dir + "/desired-state/unishop.yaml")
        try s.fixture.git("add", "-A", in: s.dir)
        try s.fixture.signedCommit("Fail over to us-west-1", key: s.alice, in: s.dir)

        var result = try s.run("apply", ["--allowed-signers", s.allowedSigners, "--required-signers", "2", "--last-applied", base])
        #expect(result.status == 1)
        #expect(result.stderr.contains("1 of 2 required distinct signers (alice@example.com)"), "\(result.stderr)")

        try s.fixture.git("checkout", "-q", "main", in: s.dir)
        try s.fixture.gitArgs(s.bob.gitSigningConfig + ["merge", "-q", "--no-ff", "-S", "-m", "Merge pull request", "pr"], in: s.dir)
        result = try s.run("plan", ["--allowed-signers", s.allowedSigners, "--required-signers", "2", "--last-applied", base])
        #expect(result.stderr.contains("accepted, signed by bob@example.com"), "\(result.stderr)")
        #expect(result.stderr.contains("alice@example.com (\(s.alice.fingerprint))"))
    }

    @Test("a malformed allowed signers file is an error naming file:line; options are checked together")
    func badFile() throws {
        let s = try Setup()
        defer { s.fixture.remove() }
        try s.fixture.write("alice@example.com ssh-ed25519\n", to: s.allowedSigners)
        var result = try s.run("plan", ["--allowed-signers", s.allowedSigners])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(s.allowedSigners):1: missing the base64 key after ssh-ed25519"), "\(result.stderr)")
        result = try s.run("apply", ["--required-signers", "2"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--required-signers needs --allowed-signers FILE"))
        // run takes its last applied revision from its journal: it has no --last-applied, not even in --help.
        result = try s.run("run", ["--allowed-signers", s.allowedSigners, "--last-applied", "HEAD", "--once"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Unknown option '--last-applied'"), "\(result.stderr)")
        #expect(try !s.run("run", ["--help"]).stdout.contains("--last-applied"))
        #expect(try s.run("plan", ["--help"]).stdout.contains("--last-applied"))
    }
}
