import Foundation
@testable import GitSource
import Testing

/// Every text file Switchyard reads takes LF and CRLF alike (as ssh-keygen and git do), and no URL it shows keeps a secret.
@Suite("Line endings and redaction in GitSource")
struct LineEndingAndRedactionTests {
    static let key = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

    @Test("known_hosts with CRLF lines and a leading comment matches every host", arguments: ["\n", "\r\n"])
    func knownHosts(newline: String) {
        let text =
            ["# servers", "git.example.com ssh-ed25519 \(Self.key)", "other.example.com ssh-ed25519 \(Self.key)"]
            .joined(separator: newline) + newline
        let hosts = KnownHosts(text)
        let blob = Data(base64Encoded: Self.key)!
        #expect(hosts.contains(host: "git.example.com", key: blob))
        #expect(hosts.contains(host: "other.example.com", key: blob), "the last line too")
    }

    @Test("allowed_signers with CRLF lines: every line read, comments skipped", arguments: ["\n", "\r\n"])
    func allowedSigners(newline: String) throws {
        let text =
            ["# operators", "alice@example.com ssh-ed25519 \(Self.key)", "", "bob@example.com namespaces=\"git\" ssh-ed25519 \(Self.key)"]
            .joined(separator: newline) + newline
        let signers = try AllowedSigners.parse(text, file: "allowed_signers")
        #expect(signers.entries.map(\.principals) == [["alice@example.com"], ["bob@example.com"]])
        #expect(signers.entries.last?.namespaces == "git", "no carriage return left in an option")
    }

    @Test("a commit message with CRLF line endings still yields its trailers")
    func trailers() {
        let info = CommitInfo(
            id: CommitID(hex: String(repeating: "a", count: 40)), author: .init(name: "a", email: "a", time: Date()),
            committer: .init(name: "a", email: "a", time: Date()), subject: "Fail over",
            message: "Fail over\r\n\r\nWhy: drill\r\nSwitchyard-Override: dwell\r\n", parents: [])
        #expect(info.trailer("Switchyard-Override") == ["dwell"])
    }

    @Test(
        "URLs lose their user information, token or password, https and scp-style",
        arguments: [
            ("https://ghp_CANARY@github.com/o/r.git", "https://REDACTED@github.com/o/r.git"),
            ("https://x-access-token:ghp_CANARY@github.com/o/r.git", "https://REDACTED@github.com/o/r.git"),
            ("ssh://ghp_CANARY@host:22/r.git", "ssh://REDACTED@host:22/r.git"),
            ("ghp_CANARY@github.com:o/r.git", "REDACTED@github.com:o/r.git"),
            ("https://github.com/o/r.git", "https://github.com/o/r.git"),
            ("/srv/repo", "/srv/repo"),
        ])
    func redaction(url: String, expected: String) {
        #expect(redacted(url) == expected)
        #expect(!RemoteMirror(url: url, cacheRoot: "/cache").path.contains("CANARY"), "the cache folder is not named after the token")
        #expect(!"\(GitSource(location: .init(parsing: url), cacheRoot: "/c", credentials: GitCredentials(token: "ghp_CANARY")))".contains("CANARY"))
    }

    @Test("the cache folder of a URL does not change with the token in it")
    func cacheFolder() {
        #expect(RemoteMirror(url: "https://one@h/r.git", cacheRoot: "/c").path == RemoteMirror(url: "https://two@h/r.git", cacheRoot: "/c").path)
        #expect(RemoteMirror(url: "https://h/a.git", cacheRoot: "/c").path != RemoteMirror(url: "https://h/b.git", cacheRoot: "/c").path)
    }

    @Test("credentials never show in a description, a debug description or a dump")
    func credentials() {
        let credentials = GitCredentials(token: "ghp_CANARY", sshKeyPassphrase: "pass_CANARY")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [String(describing: credentials), String(reflecting: credentials), dumped] {
            #expect(!text.contains("CANARY"), "\(text)")
        }
    }
}
