import DesiredState
import Foundation
import SwitchyardTestSupport
import Testing

/// `flip` on files and settings as people really have them: it changes one value and nothing else.
@Suite("flip keeps the file, its mode and the person's identity")
struct FlipFidelityTests {
    /// A repository whose `desired-state/unishop.yaml` (or `file`) holds `text`, committed by git.
    func repository(_ fixture: GitFixture, text: String, file: String = "unishop.yaml", executable: Bool = false) throws -> String {
        let dir = fixture.path("work")
        try FileManager.default.createDirectory(atPath: dir + "/desired-state", withIntermediateDirectories: true)
        try fixture.git("init", "-q", in: dir)
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dir)/desired-state/\(file)"))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(dir)/desired-state/\(file)") }
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "Add unishop", in: dir)
        return dir
    }

    func blob(_ fixture: GitFixture, _ rev: String, _ path: String, in dir: String) throws -> Data {
        try runToolData("git", ["cat-file", "blob", "\(rev):\(path)"], in: dir)
    }

    @Test("a CRLF file flips: only the value changes, CRLF everywhere, the work tree clean")
    func crlf() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let text = fixture.app(region: "us-east-1").replacingOccurrences(of: "\n", with: "\r\n")
        let dir = try repository(fixture, text: text)
        #expect(try CLI.run(["validate"], in: dir).status == 0)
        let result = try CLI.run(["flip", "unishop", "us-west-1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let after = try blob(fixture, "HEAD", "desired-state/unishop.yaml", in: dir)
        #expect(after == Data(text.replacingOccurrences(of: "activeRegion: us-east-1", with: "activeRegion: us-west-1").utf8))
        #expect(try fixture.git("status", "--porcelain", in: dir) == "")
    }

    @Test("a 100755 file keeps its mode, nothing is left staged, and the next flip works")
    func executableMode() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try repository(fixture, text: fixture.app(region: "us-east-1"), executable: true)
        #expect(try fixture.git("ls-tree", "HEAD", "desired-state/unishop.yaml", in: dir).hasPrefix("100755"))
        var result = try CLI.run(["flip", "unishop", "us-west-1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try fixture.git("ls-tree", "HEAD", "desired-state/unishop.yaml", in: dir).hasPrefix("100755"))
        #expect(try fixture.git("diff", "HEAD~1", "HEAD", "--summary", in: dir) == "", "no mode change in the commit")
        #expect(try fixture.git("status", "--porcelain", in: dir) == "")
        result = try CLI.run(["flip", "unishop", "us-east-1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try fixture.git("ls-tree", "HEAD", "desired-state/unishop.yaml", in: dir).hasPrefix("100755"))
        #expect(try fixture.git("status", "--porcelain", in: dir) == "")
    }

    @Test("a pretty-printed JSON file stays JSON; flow-style YAML keeps its commas")
    func jsonAndFlow() throws {
        let json = """
            {
              "apiVersion": "switchyard/v1",
              "kind": "Application",
              "metadata": {
                "name": "unishop"
              },
              "spec": {
                "activeRegion": "us-east-1",
                "regions": {
                  "us-east-1": { "bucket": "unishop-primary" },
                  "us-west-1": { "bucket": "unishop-secondary" }
                }
              }
            }

            """
        let flow = """
            apiVersion: switchyard/v1
            kind: Application
            metadata: {name: unishop}
            spec: {activeRegion: us-east-1, standby: hot, regions: {us-east-1: {bucket: unishop-primary}, us-west-1: {bucket: unishop-secondary}}}

            """
        for (file, text) in [("unishop.json.yaml", json), ("unishop.yaml", flow)] {
            let fixture = try GitFixture()
            defer { fixture.remove() }
            let dir = try repository(fixture, text: text, file: file)
            let result = try CLI.run(["flip", "unishop", "us-west-1"], in: dir)
            #expect(result.status == 0, "\(file): \(result.stderr)")
            let after = String(decoding: try blob(fixture, "HEAD", "desired-state/\(file)", in: dir), as: UTF8.self)
            #expect(
                after
                    == text.replacingOccurrences(of: "activeRegion\": \"us-east-1\"", with: "activeRegion\": \"us-west-1\"")
                    .replacingOccurrences(of: "activeRegion: us-east-1,", with: "activeRegion: us-west-1,"), "\(file)")
            if file.contains("json") {
                let object = try JSONSerialization.jsonObject(with: Data(after.utf8)) as? [String: Any]
                #expect((object?["spec"] as? [String: Any])?["activeRegion"] as? String == "us-west-1")
            }
        }
    }

    @Test("GIT_AUTHOR_* and GIT_COMMITTER_* name the person at the keyboard, as git does")
    func identityFromEnvironment() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let environment = [
            "GIT_AUTHOR_NAME": "Ada Oncall", "GIT_AUTHOR_EMAIL": "ada@example.com", "GIT_AUTHOR_DATE": "1700000000 +0100",
            "GIT_COMMITTER_NAME": "Bo Robot", "GIT_COMMITTER_EMAIL": "bo@example.com", "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
        ]
        var result = try CLI.run(["flip", "unishop", "us-west-1"], in: dir, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try fixture.git("log", "-1", "--format=%an <%ae> %ad|%cn <%ce> %cd", "--date=raw", in: dir)
                == "Ada Oncall <ada@example.com> 1700000000 +0100|Bo Robot <bo@example.com> 1704164645 +0000")
        // --author still wins over the environment for the author, as `git commit --author` does.
        result = try CLI.run(["flip", "unishop", "us-east-1", "--author", "Cy Lead <cy@example.com>"], in: dir, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try fixture.git("log", "-1", "--format=%an|%cn", in: dir) == "Cy Lead|Bo Robot")
    }

    @Test("with commit.gpgsign and gpg.format=ssh, flip signs with user.signingkey; git and Switchyard accept the signature")
    func signsInProcess() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let key = try SSHKeyFixture.generate(.ed25519, named: "alice", in: try fixture.keysFolder())
        let allowed = try fixture.writeAllowedSigners([key.allowedSignersLine(principal: "alice@example.com")])
        try fixture.git("config", "commit.gpgsign", "true", in: dir)
        try fixture.git("config", "gpg.format", "ssh", in: dir)
        try fixture.git("config", "user.signingkey", key.privateKeyPath, in: dir)
        let result = try CLI.run(["flip", "unishop", "us-west-1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try fixture.commitObject("HEAD", in: dir).contains("gpgsig -----BEGIN SSH SIGNATURE-----"))
        let verified = try fixture.gitArgs(["-c", "gpg.ssh.allowedSignersFile=\(allowed)", "verify-commit", "HEAD"], in: dir)
        _ = verified  // exits 0 only for a good signature by an allowed key
        let plan = try CLI.run(
            ["plan", "--allowed-signers", allowed] + SignedCommitCommandTests.offline, in: dir,
            environment: SignedCommitCommandTests.environment)
        #expect(plan.stderr.contains("accepted, signed by alice@example.com (\(key.fingerprint))"), "\(plan.stderr)")
    }

    @Test(
        "a signing key flip cannot use in-process is refused before committing, saying how to commit signed",
        arguments: [
            "passphrase", "rsa", "openpgp",
        ])
    func signingRefused(_ kind: String) throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let keys = try fixture.keysFolder()
        var keyPath: String
        switch kind {
        case "rsa": keyPath = try SSHKeyFixture.generate(.rsa, named: "rsa", in: keys).privateKeyPath
        default:
            keyPath = keys + "/locked"
            try runTool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret phrase", "-C", "x", "-f", keyPath])
        }
        try fixture.git("config", "commit.gpgsign", "true", in: dir)
        try fixture.git("config", "gpg.format", kind == "openpgp" ? "openpgp" : "ssh", in: dir)
        try fixture.git("config", "user.signingkey", keyPath, in: dir)
        let head = try fixture.git("rev-parse", "HEAD", in: dir)
        let result = try CLI.run(["flip", "unishop", "us-west-1"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("git commit -S"), "\(result.stderr)")
        let reason = ["passphrase": "protected by a passphrase", "rsa": "is a ssh-rsa key", "openpgp": "gpg.format is openpgp"][kind]!
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(try fixture.git("rev-parse", "HEAD", in: dir) == head)
        #expect(try fixture.git("status", "--porcelain", in: dir) == "")
    }

    @Test("a desired-state file that links inside the repository is read through and flipped at its target")
    func linkInside() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = fixture.path("work")
        try FileManager.default.createDirectory(atPath: dir + "/apps", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/desired-state", withIntermediateDirectories: true)
        try fixture.git("init", "-q", in: dir)
        try fixture.write(fixture.app(region: "us-east-1"), to: dir + "/apps/unishop.yaml")
        try FileManager.default.createSymbolicLink(atPath: dir + "/desired-state/unishop.yaml", withDestinationPath: "../apps/unishop.yaml")
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "Add unishop through a link", in: dir)

        let validate = try CLI.run(["validate"], in: dir)
        #expect(validate.status == 0, "\(validate.stderr)")
        let flip = try CLI.run(["flip", "unishop", "us-west-1"], in: dir)
        #expect(flip.status == 0, "\(flip.stderr)")
        #expect(try fixture.git("diff", "--name-only", "HEAD~1", "HEAD", in: dir) == "apps/unishop.yaml")
        #expect(try fixture.git("ls-tree", "HEAD", "desired-state/unishop.yaml", in: dir).hasPrefix("120000"), "the link stays a link")
        #expect(try fixture.git("status", "--porcelain", in: dir) == "")
        let history = try CLI.run(["history"], in: dir)
        #expect(history.stdout.contains("us-east-1 -> us-west-1"), "\(history.stdout)")
    }

    @Test(
        "a link that leads outside the repository is an error saying so, for validate and flip", arguments: ["/etc/hostname", "../../elsewhere.yaml"])
    func linkOutside(_ target: String) throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try FileManager.default.createSymbolicLink(atPath: dir + "/desired-state/other.yaml", withDestinationPath: target)
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "Add a link", in: dir)
        for args in [["validate"], ["flip", "unishop", "us-west-1"]] {
            let result = try CLI.run(args, in: dir)
            #expect(result.status == 1)
            #expect(
                result.stderr.contains("desired-state/other.yaml: it is a symbolic link to `\(target)`, outside the repository"), "\(result.stderr)")
            #expect(!result.stderr.contains("expected a mapping"))
        }
    }
}
