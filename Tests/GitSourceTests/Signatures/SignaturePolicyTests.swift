import Foundation
import GitSource
import SwitchyardTestSupport
import Testing

@Suite("Signature policy: signed candidates and the two-person rule")
struct SignaturePolicyTests {
    /// Alice authors on a branch; Bob reviews and merges with a signed merge commit.
    struct TwoPeople {
        let repo: SignedRepository
        let alice: SSHKeyFixture
        let bob: SSHKeyFixture
        let allowed: AllowedSigners

        init() throws {
            repo = try SignedRepository()
            alice = try repo.key(.ed25519, "alice")
            bob = try repo.key(.ecdsa, "bob")
            allowed = try repo.allowedSigners([
                alice.allowedSignersLine(principal: "alice@example.com", options: #"namespaces="git""#),
                bob.allowedSignersLine(principal: "bob@example.com"),
            ])
        }

        /// A pull request branch with one commit by `author`, merged with `--no-ff` by `merger` (nil: unsigned).
        func pullRequest(author: SSHKeyFixture?, merger: SSHKeyFixture?) throws -> CommitID {
            try repo.fixture.git("checkout", "-q", "-b", "pr", in: repo.dir)
            try repo.commitRegion("us-west-1", signedBy: author)
            try repo.fixture.git("checkout", "-q", "main", in: repo.dir)
            let merge = ["merge", "-q", "--no-ff", "-m", "Merge pull request: fail over", "pr"]
            if let merger {
                try repo.fixture.gitArgs(merger.gitSigningConfig + merge + ["-S"], in: repo.dir)
            } else {
                try repo.fixture.gitArgs(merge, in: repo.dir)
            }
            return try repo.head()
        }

        func review(_ candidate: CommitID, since last: CommitID?, required: Int) throws -> SignatureDecision {
            try repo.repository.reviewSignatures(
                candidate: candidate, lastApplied: last, folder: "desired-state",
                policy: SignaturePolicy(allowedSigners: allowed, requiredSigners: required))
        }
    }

    static func refusal(_ decision: SignatureDecision) -> String? {
        if case let .refused(refusal) = decision { return refusal.reason }
        return nil
    }

    @Test("an unsigned candidate is refused, naming the commit")
    func unsignedCandidate() throws {
        let t = try TwoPeople()
        defer { t.repo.remove() }
        let base = try t.repo.head()
        let id = try t.repo.commitRegion("us-west-1", signedBy: nil)
        let reason = try #require(Self.refusal(try t.review(id, since: base, required: 1)))
        #expect(reason == "commit \(id.short) is unsigned; only commits signed by an allowed key are applied")
        #expect(throws: SignatureRefusal.self) { try t.review(id, since: base, required: 1).requireAccepted() }
    }

    @Test("a signed candidate is accepted with its signer; the policy off accepts anything")
    func signedCandidate() throws {
        let t = try TwoPeople()
        defer { t.repo.remove() }
        let id = try t.repo.commitRegion("us-west-1", signedBy: t.alice)
        let approval = try t.review(id, since: nil, required: 1).requireAccepted()
        #expect(approval.signers.map(\.principal) == ["alice@example.com"])
        #expect(approval.signers.map(\.keyFingerprint) == [t.alice.fingerprint])
        let unsigned = try t.repo.commitRegion("us-east-1", signedBy: nil)
        let off = try t.repo.repository.reviewSignatures(candidate: unsigned, lastApplied: nil, folder: "desired-state", policy: .off)
        #expect(try off.requireAccepted().signers.isEmpty)
    }

    @Test("a candidate signed by a key past its valid-before date is refused")
    func expired() throws {
        let t = try TwoPeople()
        defer { t.repo.remove() }
        let id = try t.repo.commitRegion("us-west-1", signedBy: t.alice)
        let allowed = try t.repo.allowedSigners([t.alice.allowedSignersLine(principal: "alice@example.com", options: #"valid-before="20240101""#)])
        let decision = try t.repo.repository.reviewSignatures(
            candidate: id, lastApplied: nil, folder: "desired-state",
            policy: SignaturePolicy(allowedSigners: allowed, requiredSigners: 1))
        let reason = try #require(Self.refusal(decision))
        #expect(reason.contains("commit \(id.short) has an invalid signature"))
        #expect(reason.contains("(valid-before)"))
    }

    @Test("two required signers: one signature is refused")
    func oneOfTwo() throws {
        let t = try TwoPeople()
        defer { t.repo.remove() }
        let base = try t.repo.head()
        let id = try t.repo.commitRegion("us-west-1", signedBy: t.alice)
        let reason = try #require(Self.refusal(try t.review(id, since: base, required: 2)))
        #expect(reason.hasPrefix("desired-state/unishop.yaml: 1 of 2 required distinct signers (alice@example.com) signed it as applied"))
        #expect(
            reason.hasSuffix(
                "; each required signer must sign a commit whose file is exactly as applied, e.g. the author's commit and a reviewer's signed merge"))
    }

    @Test("two required signers: the author's signed commit and the reviewer's signed merge are accepted")
    func authorAndReviewer() throws {
        let t = try TwoPeople()
        defer { t.repo.remove() }
        let base = try t.repo.head()
        let merge = try t.pullRequest(author: t.alice, merger: t.bob)
        let approval = try t.review(merge, since: base, required: 2).requireAccepted()
        #expect(Set(approval.signers.map(\.principal)) == ["alice@example.com", "bob@example.com"])
        #expect(approval.checked.count == 2)
        #expect(approval.checked.first?.isMerge == true)
        // With no last applied revision nothing tells where the change starts: refused, saying how to name one.
        let reason = try #require(Self.refusal(try t.review(merge, since: nil, required: 2)))
        #expect(reason.contains("no trust base is known for desired-state/unishop.yaml"), "\(reason)")
        #expect(reason.contains("switchyard trust-base COMMIT"), "\(reason)")
    }

    @Test("two required signers: the same key on the commit and the merge counts once")
    func sameKeyTwice() throws {
        let t = try TwoPeople()
        defer { t.repo.remove() }
        let base = try t.repo.head()
        let merge = try t.pullRequest(author: t.alice, merger: t.alice)
        let reason = try #require(Self.refusal(try t.review(merge, since: base, required: 2)))
        #expect(reason.hasPrefix("desired-state/unishop.yaml: 1 of 2 required distinct signers (alice@example.com)"))
    }

    @Test("two required signers: an unsigned author commit is named in the refusal")
    func unsignedAuthor() throws {
        let t = try TwoPeople()
        defer { t.repo.remove() }
        let base = try t.repo.head()
        let merge = try t.pullRequest(author: nil, merger: t.bob)
        let author = CommitID(hex: try t.repo.fixture.git("rev-parse", "pr", in: t.repo.dir))
        let reason = try #require(Self.refusal(try t.review(merge, since: base, required: 2)))
        #expect(
            reason
                == "commit \(author.short) is unsigned; desired-state/unishop.yaml: 1 of 2 required distinct signers (bob@example.com) signed it as applied; each required signer must sign a commit whose file is exactly as applied, e.g. the author's commit and a reviewer's signed merge"
        )
    }

    @Test("a signer counts for a file only when they signed it as applied; the range starts after the last applied revision")
    func range() throws {
        let t = try TwoPeople()
        defer { t.repo.remove() }
        let base = try t.repo.head()
        let first = try t.repo.commitRegion("us-west-1", signedBy: t.alice)
        // Alice's signed change outside the desired-state folder does not count towards the change.
        try t.repo.fixture.write("# notes\n", to: t.repo.dir + "/README.md")
        try t.repo.fixture.git("add", "README.md", in: t.repo.dir)
        try t.repo.fixture.signedCommit("Docs", key: t.alice, in: t.repo.dir)
        let second = try t.repo.commitRegion("us-east-1", signedBy: t.bob)

        // From base the file ends as it was (east, west, east again): nothing of the applied state changes, so the
        // candidate's own signature is enough.
        #expect(try t.review(second, since: base, required: 2).requireAccepted().signers.count == 1)
        // From first, the file changes to bob's content; alice signed another content of it, which does not count.
        let reason = try #require(Self.refusal(try t.review(second, since: first, required: 2)))
        #expect(reason.hasPrefix("desired-state/unishop.yaml: 1 of 2 required distinct signers (bob@example.com) signed it as applied"))
        #expect(reason.contains("alice@example.com signed a different content of it, which does not count"))
        // The candidate as its own last applied revision would count nothing: refused, never read as "no change".
        let itself = try #require(Self.refusal(try t.review(second, since: second, required: 2)))
        #expect(itself.contains("is the candidate itself"))
    }

    @Test("a commit that changes the target of a linked desired-state file counts toward the two-person rule")
    func linkedTargetCounts() throws {
        let t = try TwoPeople()
        defer { t.repo.remove() }
        let dir = t.repo.dir, fixture = t.repo.fixture
        // The desired-state file becomes a link to apps/unishop.yaml, outside the folder.
        try FileManager.default.createDirectory(atPath: dir + "/apps", withIntermediateDirectories: true)
        try fixture.git("mv", "desired-state/unishop.yaml", "apps/unishop.yaml", in: dir)
        try FileManager.default.createSymbolicLink(atPath: dir + "/desired-state/unishop.yaml", withDestinationPath: "../apps/unishop.yaml")
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "Keep apps elsewhere", in: dir)
        let base = try t.repo.head()
        // Bob signs the change of the target; Alice signs an unrelated candidate on top.
        try fixture.write(fixture.app(region: "us-west-1"), to: dir + "/apps/unishop.yaml")
        try fixture.git("add", "-A", in: dir)
        try fixture.signedCommit("Fail over through the link", key: t.bob, in: dir)
        try fixture.write("notes\n", to: dir + "/NOTES")
        try fixture.git("add", "-A", in: dir)
        try fixture.signedCommit("Notes", key: t.alice, in: dir)
        let approval = try t.review(try t.repo.head(), since: base, required: 2).requireAccepted()
        #expect(Set(approval.signers.map(\.principal)) == ["alice@example.com", "bob@example.com"])
    }
}
