import Foundation
@testable import GitSource
import SwitchyardTestSupport
import Testing

/// A signature counts only as git wrote it, in the commit's own header, on a commit of the change under review.
@Suite("Replayed approvals and signatures outside the header")
struct ReplayedApprovalTests {
    static let armorBody = Data((0..<120).map { UInt8($0) }).base64EncodedString()

    /// A commit object with a gpgsig header of `armor` lines placed as `layout` says.
    static func object(armor: [String], beforeCommitter: Bool = false, twice: Bool = false, inMessage: Bool = false) -> [UInt8] {
        let field = "gpgsig " + armor.joined(separator: "\n ") + "\n"
        let tree = "tree " + String(repeating: "a", count: 40) + "\n"
        let author = "author A <a@example.com> 1700000000 +0000\n"
        let committer = "committer A <a@example.com> 1700000000 +0000\n"
        var header = tree + author
        if beforeCommitter { header += field }
        header += committer
        if !beforeCommitter && !inMessage { header += field }
        if twice { header += field }
        return Array((header + "\n" + "Approve\n" + (inMessage ? "\n" + field : "")).utf8)
    }

    static var canonical: [String] {
        var lines = ["-----BEGIN SSH SIGNATURE-----"]
        var rest = Substring(armorBody)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(70)))
            rest = rest.dropFirst(70)
        }
        return lines + ["-----END SSH SIGNATURE-----"]
    }

    @Test("the signature git writes: the last header field, ssh-keygen's armor; the payload is every other byte")
    func canonicalSignature() throws {
        let object = Self.object(armor: Self.canonical)
        guard case let .signed(signature, payload) = SignedParts(object: object) else {
            Issue.record("not read as signed: \(SignedParts(object: object))")
            return
        }
        #expect(String(decoding: signature, as: UTF8.self) == Self.canonical.joined(separator: "\n") + "\n")
        #expect(!String(decoding: payload, as: UTF8.self).contains("gpgsig"))
        #expect(String(decoding: payload, as: UTF8.self).hasSuffix("committer A <a@example.com> 1700000000 +0000\n\nApprove\n"))
    }

    @Test(
        "the same signature written otherwise (another commit id for the same signed payload) counts for nothing",
        arguments: [
            "trailing space", "trailing tab", "CRLF", "wrapped at 64", "blank continuation line", "leading space", "before committer", "twice",
        ])
    func rehashed(variant: String) {
        var armor = Self.canonical
        var beforeCommitter = false
        var twice = false
        switch variant {
        case "trailing space": armor[1] += " "
        case "trailing tab": armor[2] += "\t"
        case "CRLF": armor[1] += "\r"
        case "wrapped at 64":
            let body = Self.armorBody
            armor = ["-----BEGIN SSH SIGNATURE-----", String(body.prefix(64)), String(body.dropFirst(64)), "-----END SSH SIGNATURE-----"]
        case "blank continuation line": armor.insert("", at: 2)
        case "leading space": armor[1] = " " + armor[1]
        case "before committer": beforeCommitter = true
        default: twice = true
        }
        let parts = SignedParts(object: Self.object(armor: armor, beforeCommitter: beforeCommitter, twice: twice))
        guard case let .malformed(_, _, problem) = parts else {
            Issue.record("\(variant): not refused: \(parts)")
            return
        }
        #expect(!problem.isEmpty)
    }

    @Test("a gpgsig written in the message is not a signature (git sees none)")
    func signatureInMessage() {
        #expect(SignedParts(object: Self.object(armor: Self.canonical, inMessage: true)) == .unsigned)
    }

    @Test("Bob's old approval re-hashed into a new commit and merged by Alice alone does not satisfy two signers", arguments: [false, true])
    func replayedApproval(moveHeader: Bool) throws {
        let repo = try SignedRepository()
        defer { repo.remove() }
        let alice = try repo.key(.ed25519, "alice")
        let bob = try repo.key(.ecdsa, "bob")
        let allowed = try repo.allowedSigners([
            alice.allowedSignersLine(principal: "alice@example.com"), bob.allowedSignersLine(principal: "bob@example.com"),
        ])
        let fixture = repo.fixture
        // Reviewed history: a failover to us-west-1 approved by Bob, then a fail-back approved by Bob.
        try repo.commitRegion("us-west-1", signedBy: alice)
        try fixture.signedCommit("Approve the failover", key: bob, in: repo.dir, allowEmpty: true)
        let approval = try fixture.git("rev-parse", "HEAD", in: repo.dir)
        try repo.commitRegion("us-east-1", signedBy: alice)
        try fixture.signedCommit("Approve the fail-back", key: bob, in: repo.dir, allowEmpty: true)
        let applied = try repo.head()

        // Alice re-hashes Bob's old approval (same signed payload, another commit id) and merges it alone.
        var text = try fixture.commitObject(approval, in: repo.dir)
        if moveHeader {
            let lines = text.components(separatedBy: "\n")
            let start = try #require(lines.firstIndex { $0.hasPrefix("gpgsig ") })
            var end = start + 1
            while lines[end].hasPrefix(" ") { end += 1 }
            var moved = lines
            let field = Array(lines[start..<end])
            moved.removeSubrange(start..<end)
            let author = try #require(moved.firstIndex { $0.hasPrefix("author ") })
            moved.insert(contentsOf: field, at: author + 1)
            text = moved.joined(separator: "\n")
        } else {
            text = text.replacingOccurrences(of: "-----END SSH SIGNATURE-----", with: "-----END SSH SIGNATURE----- ")
        }
        let replayed = try runTool(
            "git", ["-C", repo.dir, "hash-object", "-w", "-t", "commit", "--literally", "--stdin"], stdin: Data(text.utf8))
        #expect(replayed != approval)
        try fixture.git("merge", "-q", "--no-commit", "-s", "ours", replayed, in: repo.dir)
        try fixture.write(fixture.app(region: "us-west-1"), to: "\(repo.dir)/desired-state/unishop.yaml")
        try fixture.git("add", "-A", in: repo.dir)
        try fixture.signedCommit("Merge the approved failover", key: alice, in: repo.dir)
        let candidate = try repo.head()

        let decision: SignatureDecision
        do {
            decision = try repo.repository.reviewSignatures(
                candidate: candidate, lastApplied: applied, folder: "desired-state",
                policy: SignaturePolicy(allowedSigners: allowed, requiredSigners: 2))
        } catch {
            // A header out of git's order is not even a commit libgit2 reads: an error, so nothing is applied.
            #expect(moveHeader, "\(error)")
            return
        }
        guard case let .refused(refusal) = decision else {
            Issue.record("the replayed approval was counted: \(decision)")
            return
        }
        guard !moveHeader else { return }
        #expect(refusal.reason.contains("1 of 2 required distinct signers (alice@example.com)"), "\(refusal.reason)")
        #expect(!refusal.checked.contains { $0.id.hex == replayed }, "a commit that does not descend from the base is not a vote")
        #expect(try repo.repository.verifySignature(of: CommitID(hex: replayed), allowedSigners: allowed).isValid == false)
    }
}
