import Foundation
import GitSource
import SwitchyardTestSupport
import Testing

@Suite("Commit signatures verified in-process against ssh-keygen and git commit -S")
struct CommitSignatureTests {
    @Test("a commit signed by an allowed key is valid, with ssh-keygen's fingerprint", arguments: SSHKeyFixture.KeyType.allCases)
    func valid(type: SSHKeyFixture.KeyType) throws {
        let repo = try SignedRepository()
        defer { repo.remove() }
        let alice = try repo.key(type, "alice")
        let allowed = try repo.allowedSigners([alice.allowedSignersLine(principal: "alice@example.com")])
        let id = try repo.commitRegion("us-west-1", signedBy: alice)

        let verdict = try repo.repository.verifySignature(of: id, allowedSigners: allowed)
        #expect(verdict == .valid(principal: "alice@example.com", keyFingerprint: alice.fingerprint))
        // git itself (through ssh-keygen) agrees: the independent reference.
        try repo.fixture.gitArgs(["-c", "gpg.ssh.allowedSignersFile=\(repo.keys)/allowed_signers", "verify-commit", id.hex], in: repo.dir)
    }

    @Test("RSA commits are signed with rsa-sha2-512, which is what is verified")
    func rsaAlgorithm() throws {
        let repo = try SignedRepository()
        defer { repo.remove() }
        let alice = try repo.key(.rsa, "alice")
        let id = try repo.commitRegion("us-west-1", signedBy: alice)
        let signed = try #require(try repo.repository.signature(of: id))
        let signature = try SSHSignature.parse(armored: signed.signature)
        #expect(signature.signatureAlgorithm == "rsa-sha2-512")
        #expect(signature.namespace == "git")
        #expect(signature.publicKey.fingerprint == alice.fingerprint)
        try signature.verify(message: signed.payload)
    }

    @Test("changing a signed commit's message keeps the old signature, which no longer verifies")
    func tampered() throws {
        let repo = try SignedRepository()
        defer { repo.remove() }
        let alice = try repo.key(.ed25519, "alice")
        let allowed = try repo.allowedSigners([alice.allowedSignersLine(principal: "alice@example.com")])
        let id = try repo.commitRegion("us-west-1", signedBy: alice, message: "Fail over to us-west-1")
        let object = try repo.fixture.commitObject(id.hex, in: repo.dir)
        #expect(object.contains("gpgsig -----BEGIN SSH SIGNATURE-----"))
        let forged = try repo.fixture.writeCommitObject(
            object.replacingOccurrences(of: "Fail over to us-west-1", with: "Harmless docs change"), in: repo.dir)

        let verdict = try repo.repository.verifySignature(of: CommitID(hex: forged), allowedSigners: allowed)
        guard case let .invalid(reason) = verdict else { Issue.record("expected invalid, got \(verdict)"); return }
        #expect(reason.contains("does not match the signed content"))
    }

    @Test("a good signature by a key missing from allowed_signers is untrusted, named by fingerprint")
    func untrusted() throws {
        let repo = try SignedRepository()
        defer { repo.remove() }
        let alice = try repo.key(.ed25519, "alice")
        let mallory = try repo.key(.ecdsa, "mallory")
        let allowed = try repo.allowedSigners([alice.allowedSignersLine(principal: "alice@example.com")])
        let id = try repo.commitRegion("us-west-1", signedBy: mallory)
        #expect(try repo.repository.verifySignature(of: id, allowedSigners: allowed) == .untrustedKey(mallory.fingerprint))
    }

    @Test("an unsigned commit is unsigned")
    func unsigned() throws {
        let repo = try SignedRepository()
        defer { repo.remove() }
        let alice = try repo.key(.ed25519, "alice")
        let allowed = try repo.allowedSigners([alice.allowedSignersLine(principal: "alice@example.com")])
        let id = try repo.commitRegion("us-west-1", signedBy: nil)
        #expect(try repo.repository.signature(of: id) == nil)
        #expect(try repo.repository.verifySignature(of: id, allowedSigners: allowed) == .unsigned)
    }

    @Test("a signature of the same bytes made for the file namespace does not pass as git's")
    func wrongNamespace() throws {
        let repo = try SignedRepository()
        defer { repo.remove() }
        let alice = try repo.key(.ed25519, "alice")
        let allowed = try repo.allowedSigners([alice.allowedSignersLine(principal: "alice@example.com")])
        let unsignedID = try repo.commitRegion("us-west-1", signedBy: nil)
        let payload = try repo.fixture.commitObject(unsignedID.hex, in: repo.dir)
        let payloadFile = "\(repo.keys)/payload"
        try repo.fixture.write(payload, to: payloadFile)

        func splice(namespace: String) throws -> CommitID {
            let armored = try alice.sign(file: payloadFile, namespace: namespace)
            let header = "gpgsig " + armored.trimmingCharacters(in: .newlines).replacingOccurrences(of: "\n", with: "\n ") + "\n"
            // The header goes after committer, where git puts it; what it signs is the object without it.
            let parts = payload.components(separatedBy: "\n\n")
            let object = parts[0] + "\n" + header + "\n" + parts.dropFirst().joined(separator: "\n\n")
            return CommitID(hex: try repo.fixture.writeCommitObject(object, in: repo.dir))
        }
        // The same splice with namespace git is valid, so the splice itself is sound.
        #expect(try repo.repository.verifySignature(of: try splice(namespace: "git"), allowedSigners: allowed).isValid)
        let verdict = try repo.repository.verifySignature(of: try splice(namespace: "file"), allowedSigners: allowed)
        guard case let .invalid(reason) = verdict else { Issue.record("expected invalid, got \(verdict)"); return }
        #expect(reason.contains("namespace 'file'"))
    }

    @Test("a key listed only for other namespaces does not count for commits")
    func namespacesOption() throws {
        let repo = try SignedRepository()
        defer { repo.remove() }
        let alice = try repo.key(.ed25519, "alice")
        let allowed = try repo.allowedSigners([alice.allowedSignersLine(principal: "alice@example.com", options: #"namespaces="file,mail""#)])
        let id = try repo.commitRegion("us-west-1", signedBy: alice)
        let verdict = try repo.repository.verifySignature(of: id, allowedSigners: allowed)
        guard case let .invalid(reason) = verdict else { Issue.record("expected invalid, got \(verdict)"); return }
        #expect(reason.contains("allowed_signers:1 allows this key only for namespaces \"file,mail\""))
    }

    @Test("validity windows are judged at the committer time: an expired key is refused, a current one valid")
    func validity() throws {
        let repo = try SignedRepository()
        defer { repo.remove() }
        let alice = try repo.key(.ed25519, "alice")
        let id = try repo.commitRegion("us-west-1", signedBy: alice)
        let expired = try repo.allowedSigners([alice.allowedSignersLine(principal: "alice@example.com", options: #"valid-before="20200101Z""#)])
        let verdict = try repo.repository.verifySignature(of: id, allowedSigners: expired)
        guard case let .invalid(reason) = verdict else { Issue.record("expected invalid, got \(verdict)"); return }
        #expect(reason.contains("only until 2020-01-01T00:00:00Z (valid-before)"))

        let future = try repo.allowedSigners([alice.allowedSignersLine(principal: "alice@example.com", options: #"valid-after="29990101""#)])
        #expect(try !repo.repository.verifySignature(of: id, allowedSigners: future).isValid)
        let current = try repo.allowedSigners([
            alice.allowedSignersLine(principal: "alice@example.com", options: #"valid-after="20200101",valid-before="29990101Z""#)
        ])
        #expect(try repo.repository.verifySignature(of: id, allowedSigners: current).isValid)
    }
}
