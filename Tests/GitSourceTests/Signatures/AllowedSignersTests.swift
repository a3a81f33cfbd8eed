import Foundation
import GitSource
import Testing

@Suite("allowed_signers files")
struct AllowedSignersTests {
    static let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINNhTKQtGZYHla2B3Bc87p877vCA86LP7yZN7QabLItO"
    static let fingerprint = "SHA256:oU+Pji0eyuvMM5XInHuxQXvfVxMNCXPHGxH8b7dB7Xg"

    @Test("principals, options, comments and blank lines are read as ssh-keygen reads them")
    func wellFormed() throws {
        let text = """
            # Release signers
            alice@example.com,alice@corp.example \(Self.ed25519) alice's laptop

              "bob@example.com" namespaces="git,file",valid-after="20240101",VALID-BEFORE="20301231235959Z" \(Self.ed25519)
            *@ops.example.com cert-authority \(Self.ed25519)
            carol@example.com sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIA==
            """
        let signers = try AllowedSigners.parse(text, file: "allowed_signers")
        #expect(signers.entries.count == 2)
        let alice = signers.entries[0]
        #expect(alice.principals == ["alice@example.com", "alice@corp.example"])
        #expect(alice.key.fingerprint == Self.fingerprint)
        #expect(alice.namespaces == nil && alice.validAfter == nil && alice.validBefore == nil)
        #expect(alice.location == "allowed_signers:2")
        let bob = signers.entries[1]
        #expect(bob.principals == ["bob@example.com"])
        #expect(bob.namespaces == "git,file")
        #expect(bob.validBefore == Date(timeIntervalSince1970: 1_924_991_999))
        #expect(bob.validAfter != nil)
        #expect(signers.notes.count == 2)
        #expect(signers.notes[0].hasPrefix("allowed_signers:5: skipped: cert-authority"))
        #expect(signers.notes[1].hasPrefix("allowed_signers:6: skipped: security-key keys"))
    }

    @Test("principal patterns use ssh_config wildcards and negation")
    func patterns() throws {
        let signers = try AllowedSigners.parse("*@example.com,!mallory@example.com,ops-?@corp \(Self.ed25519)", file: "f")
        let entry = try #require(signers.entries.first)
        #expect(entry.matches(identity: "alice@example.com"))
        #expect(!entry.matches(identity: "mallory@example.com"))
        #expect(entry.matches(identity: "ops-1@corp"))
        #expect(!entry.matches(identity: "ops-12@corp"))
        #expect(!entry.matches(identity: "alice@example.org"))
    }

    @Test(
        "malformed lines are errors naming file:line",
        arguments: [
            ("alice@example.com", "f:1: missing the key after the principals"),
            ("alice@example.com ssh-ed25519", "f:1: missing the base64 key after ssh-ed25519"),
            ("alice@example.com ssh-ed25519 !!!notbase64", "f:1: key: the key is not valid base64"),
            (
                "alice@example.com ecdsa-sha2-nistp256 AAAAC3NzaC1lZDI1NTE5AAAAINNhTKQtGZYHla2B3Bc87p877vCA86LP7yZN7QabLItO",
                "f:1: key: the line says ecdsa-sha2-nistp256 but the key is ssh-ed25519"
            ),
            ("alice@example.com namespaces=git \(ed25519)", "f:1: namespaces needs a quoted value"),
            ("alice@example.com valid-before=\"2024\" \(ed25519)", "f:1: valid-before: '2024' is not YYYYMMDD"),
            ("alice@example.com valid-before=\"20241340\" \(ed25519)", "f:1: valid-before: '20241340' is not YYYYMMDD"),
            ("alice@example.com no-touch-required \(ed25519)", "f:1: unknown option 'no-touch-required'"),
            ("alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", "f:1: key: malformed ssh-ed25519 key"),
        ])
    func malformed(line: String, expected: String) {
        #expect {
            _ = try AllowedSigners.parse("# header\n".replacingOccurrences(of: "# header\n", with: "") + line, file: "f")
        } throws: { error in
            "\(error)".hasPrefix(expected)
        }
    }

    @Test("an error on a later line names that line; a missing file names the file")
    func locations() throws {
        #expect {
            try AllowedSigners.parse(
                "# ok\n\nalice@example.com \(Self.ed25519)\nbob@example.com ssh-ed25519\n", file: "/etc/switchyard/allowed_signers")
        } throws: { "\($0)".hasPrefix("/etc/switchyard/allowed_signers:4: ") }
        #expect {
            try AllowedSigners.load(contentsOf: "/nonexistent/allowed_signers")
        } throws: { "\($0)".hasPrefix("/nonexistent/allowed_signers: cannot read") }
    }
}
