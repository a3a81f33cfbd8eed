import Basics
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
            ("/srv/repo?a=b#c", "/srv/repo?a=b#c"),
            // Issue 24: a token in the query or the fragment.
            ("https://github.com/o/r.git?access_token=ghp_CANARY", "https://github.com/o/r.git?access_token=REDACTED"),
            ("http://host/r.git?ref=main&private_token=ghp_CANARY&", "http://host/r.git?ref=REDACTED&private_token=REDACTED&"),
            ("https://user:ghp_CANARY@host/r.git?token=ghp_CANARY#ghp_CANARY", "https://REDACTED@host/r.git?token=REDACTED#REDACTED"),
            ("https://host/r.git#ghp_CANARY?x=1", "https://host/r.git#REDACTED"),
            ("https://host?ghp_CANARY", "https://host?REDACTED"),
            ("ssh://git@host:22/r.git?key=ghp_CANARY", "ssh://REDACTED@host:22/r.git?key=REDACTED"),
            ("git@github.com:o/r.git?token=ghp_CANARY", "REDACTED@github.com:o/r.git?token=REDACTED"),
        ])
    func redaction(url: String, expected: String) {
        #expect(redacted(url) == expected)
        #expect(!RemoteMirror(url: url, cacheRoot: "/cache").path.contains("CANARY"), "the cache folder is not named after the token")
        #expect(!"\(GitSource(location: .init(parsing: url), cacheRoot: "/c", credentials: GitCredentials(token: "ghp_CANARY")))".contains("CANARY"))
    }

    @Test("what libgit2 says about a URL is scrubbed of the URL's secrets")
    func libgit2Messages() {
        let url = "https://user:ghp_CANARY1@host/r.git?access_token=ghp_CANARY2&x=1#ghp_CANARY3"
        let error = GitError(.network, context: "fetching \(url)", message: "malformed URL '\(url)'; token ghp_CANARY2, ghp_CANARY3")
            .hidingSecrets(of: url)
        #expect(!"\(error)".contains("CANARY"), "\(error)")
        #expect("\(error)".contains("malformed URL 'https://REDACTED@host/r.git?access_token=REDACTED&x=REDACTED#REDACTED'"), "\(error)")
        let ssh = GitError(.network, context: "fetching git@host:r.git?t=ghp_CANARY4", message: "git-upload-pack failed").hidingSecrets(
            of: "git@host:r.git?t=ghp_CANARY4")
        #expect("\(ssh)" == "fetching REDACTED@host:r.git?t=REDACTED: git-upload-pack failed", "a short user is not scrubbed from libgit2's words")
    }

    @Test("a fetch that fails names the URL redacted, query included")
    func failingFetch() throws {
        let mirror = RemoteMirror(
            url: "https://127.0.0.1:9/o/r.git?access_token=ghp_CANARY#ghp_CANARY", cacheRoot: NSTemporaryDirectory() + "/switchyard-\(UUID())")
        defer { try? FileManager.default.removeItem(atPath: (mirror.path as NSString).deletingLastPathComponent) }
        #expect(!mirror.path.contains("CANARY"))
        #expect {
            try mirror.sync()
        } throws: { error in
            !"\(error)".contains("CANARY") && "\(error)".contains("https://127.0.0.1:9/o/r.git?access_token=REDACTED#REDACTED")
        }
    }

    @Test("the cache folder of a URL does not change with the token in it")
    func cacheFolder() {
        #expect(
            RemoteMirror(url: "https://h/r.git?access_token=one", cacheRoot: "/c").path
                == RemoteMirror(url: "https://h/r.git?access_token=two", cacheRoot: "/c").path)
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
