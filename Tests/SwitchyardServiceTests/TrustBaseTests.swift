import DesiredState
import Foundation
import GitSource
@testable import Journaling
@testable import Reconciler
import SwitchyardTestSupport
import Testing

/// Where a two-person rule starts counting is known or the commit is refused: each app's own last applied commit, the
/// lock table's fence, a base a person recorded, or `--last-applied`; never another app's, never the first parent.
@Suite("Trust bases: known, or refused")
struct TrustBaseTests {
    struct World {
        let fixture: GitFixture
        let dir: String
        let alice: SSHKeyFixture
        let bob: SSHKeyFixture
        let signatures: SignaturePolicy

        init() throws {
            fixture = try GitFixture()
            dir = try fixture.makeRepository()
            try fixture.write(fixture.app(name: "shop2", region: "us-east-1"), to: "\(dir)/desired-state/shop2.yaml")
            try fixture.git("add", "-A", in: dir)
            try fixture.git("commit", "-q", "-m", "Add shop2", in: dir)
            let keys = try fixture.keysFolder()
            alice = try SSHKeyFixture.generate(.ed25519, named: "alice", in: keys)
            bob = try SSHKeyFixture.generate(.ed25519, named: "bob", in: keys)
            let file = try fixture.writeAllowedSigners([
                alice.allowedSignersLine(principal: "alice@example.com"), bob.allowedSignersLine(principal: "bob@example.com"),
            ])
            signatures = SignaturePolicy(allowedSigners: try AllowedSigners.load(contentsOf: file), requiredSigners: 2)
        }

        func head() throws -> String { try fixture.git("rev-parse", "HEAD", in: dir) }

        /// Flips `app` in a commit signed by `author` (nil: unsigned), then an empty approval signed by `approver`.
        @discardableResult
        func flip(_ app: String, to region: String, author: SSHKeyFixture?, approver: SSHKeyFixture?) throws -> String {
            let path = "\(dir)/desired-state/\(app).yaml"
            try fixture.write(fixture.app(name: app, region: region), to: path)
            try fixture.git("add", "-A", in: dir)
            if let author {
                try fixture.signedCommit("Fail \(app) over to \(region)", key: author, in: dir)
            } else {
                try fixture.git("commit", "-q", "-m", "Fail \(app) over to \(region)", in: dir)
            }
            if let approver { try fixture.signedCommit("Approve", key: approver, in: dir, allowEmpty: true) }
            return try head()
        }

        func state(_ hex: String, app: String = "unishop", applied: String?) -> AppState {
            AppState(app: app, lastAttemptedCommit: hex, lastAppliedCommit: applied, appliedSpecHash: nil, updatedAt: Date())
        }

        /// The policy's answer for HEAD: nil when accepted, else the refusal's reason.
        func review(_ history: CommitPolicy.History, lastApplied: String? = nil, folder: String = "desired-state") throws -> String? {
            let repository = try Repository.open(containing: dir)
            let snapshot = try repository.snapshot(ref: "HEAD", folder: folder)
            let policy = CommitPolicy(signatures: signatures, folder: folder, lastApplied: lastApplied)
            do {
                _ = try policy.review(repository, candidate: snapshot.commit, state: try snapshot.desiredState(), history: history)
                return nil
            } catch let refusal as SignatureRefusal {
                return refusal.reason
            }
        }
    }

    @Test("a new host (empty journal, no fence, nothing recorded) refuses, saying how to name a base")
    func noBase() throws {
        let w = try World()
        defer { w.fixture.remove() }
        try w.flip("unishop", to: "us-west-1", author: w.alice, approver: w.bob)
        let reason = try #require(try w.review(.init()))
        #expect(reason.contains("no trust base is known for desired-state/shop2.yaml, desired-state/unishop.yaml"), "\(reason)")
        #expect(reason.contains("name a reviewed revision to count from") && reason.contains("switchyard trust-base COMMIT"), "\(reason)")
    }

    @Test("an unsigned failover under a signed empty commit is counted from the base, not the first parent")
    func unsignedUnderSignedEmpty() throws {
        let w = try World()
        defer { w.fixture.remove() }
        let base = try w.head()
        try w.flip("unishop", to: "us-west-1", author: nil, approver: w.alice)
        let history = CommitPolicy.History(appStates: ["unishop": w.state(base, applied: base), "shop2": w.state(base, app: "shop2", applied: base)])
        let reason = try #require(try w.review(history))
        #expect(reason.contains("desired-state/unishop.yaml: 1 of 2 required distinct signers (alice@example.com)"), "\(reason)")
    }

    @Test("each app counts from its own last applied commit: another app's newer one never hides an unreviewed change")
    func perApp() throws {
        let w = try World()
        defer { w.fixture.remove() }
        // shop2 is flipped without review while parked; unishop is applied later, at a newer commit.
        try w.flip("shop2", to: "us-west-1", author: nil, approver: nil)
        let unishopApplied = try w.head()
        try w.flip("unishop", to: "us-west-1", author: w.alice, approver: w.bob)
        let parked = w.state(unishopApplied, app: "shop2", applied: nil)
        let history = CommitPolicy.History(appStates: ["unishop": w.state(unishopApplied, applied: unishopApplied), "shop2": parked])
        let reason = try #require(try w.review(history))
        #expect(reason.contains("no trust base is known for desired-state/shop2.yaml"), "\(reason)")
        // Once a person records a base before shop2's change, that change is counted: Alice and Bob signed commits
        // whose tree holds it (a signature covers the whole tree), so it is approved.
        let root = try w.fixture.git("rev-list", "--max-parents=0", "HEAD", in: w.dir)
        var recorded = history
        recorded.recorded = RecordedTrustBase(commit: root, by: "carol@host")
        #expect(try w.review(recorded) == nil)
    }

    @Test(
        "the folder spelled otherwise (./desired-state, desired-state//) finds each app's own base all the same",
        arguments: ["./desired-state", "desired-state//", "desired-state/", "././desired-state"])
    func folderSpellings(folder: String) throws {
        let w = try World()
        defer { w.fixture.remove() }
        // An old reviewed failover (recorded as the trust base), then a reviewed fail-back this host applied.
        let old = try w.flip("unishop", to: "us-west-1", author: w.alice, approver: w.bob)
        let applied = try w.flip("unishop", to: "us-east-1", author: w.alice, approver: w.bob)
        // Alice alone brings back the old content: counted from the journal's base it is a change one key signed.
        try w.flip("unishop", to: "us-west-1", author: w.alice, approver: nil)
        let history = CommitPolicy.History(
            appStates: ["unishop": w.state(applied, applied: applied), "shop2": w.state(applied, app: "shop2", applied: applied)],
            recorded: RecordedTrustBase(commit: old, by: "carol@host"))
        let reason = try #require(try w.review(history, folder: folder), "accepted with --path \(folder)")
        #expect(reason.contains("unishop.yaml: 1 of 2 required distinct signers"), "\(reason)")
    }

    @Test("a recorded base at the candidate does not waive the candidate's own signature")
    func baseAtCandidate() throws {
        let w = try World()
        defer { w.fixture.remove() }
        try w.flip("unishop", to: "us-west-1", author: nil, approver: nil)
        let head = try w.head()
        let reason = try #require(try w.review(.init(recorded: RecordedTrustBase(commit: head, by: "carol@host"))))
        #expect(reason.contains("is unsigned"), "\(reason)")
    }

    @Test("a base that vanished (history rewritten) or is not an ancestor is refused, never replaced by the first parent")
    func vanishedOrForeignBase() throws {
        let w = try World()
        defer { w.fixture.remove() }
        let base = try w.head()
        try w.fixture.git("checkout", "-q", "-b", "other", in: w.dir)
        let foreign = try w.flip("shop2", to: "us-west-1", author: w.alice, approver: nil)
        try w.fixture.git("checkout", "-q", "main", in: w.dir)
        try w.flip("unishop", to: "us-west-1", author: w.alice, approver: w.bob)
        let both = ["unishop", "shop2"]
        let gone = String(repeating: "7", count: 40)
        let vanished = try #require(
            try w.review(.init(appStates: Dictionary(uniqueKeysWithValues: both.map { ($0, w.state(base, app: $0, applied: gone)) }))))
        #expect(vanished.contains("is no longer in this repository (history rewritten?)"), "\(vanished)")
        let notAncestor = try #require(
            try w.review(.init(appStates: Dictionary(uniqueKeysWithValues: both.map { ($0, w.state(base, app: $0, applied: foreign)) }))))
        #expect(notAncestor.contains("is not an ancestor of"), "\(notAncestor)")
        // The same change, counted from the real base, is accepted.
        #expect(try w.review(.init(appStates: Dictionary(uniqueKeysWithValues: both.map { ($0, w.state(base, app: $0, applied: base)) }))) == nil)
    }

    @Test("the lock table's fence is a base for an app this host never applied; a file added since the newest applied commit counts in full")
    func fenceAndNewFile() throws {
        let w = try World()
        defer { w.fixture.remove() }
        let base = try w.head()
        try w.flip("unishop", to: "us-west-1", author: w.alice, approver: w.bob)
        #expect(try w.review(.init(fences: ["unishop": base, "shop2": base])) == nil)
        // A third app added, signed by Alice alone: refused; approved by Bob as well: accepted.
        let history = CommitPolicy.History(appStates: ["unishop": w.state(base, applied: base), "shop2": w.state(base, app: "shop2", applied: base)])
        try w.flip("shop3", to: "us-east-1", author: w.alice, approver: nil)
        let reason = try #require(try w.review(history))
        #expect(reason.contains("desired-state/shop3.yaml: 1 of 2 required distinct signers"), "\(reason)")
        try w.fixture.signedCommit("Approve shop3", key: w.bob, in: w.dir, allowEmpty: true)
        #expect(try w.review(history) == nil)
    }

    @Test("the recorded trust base survives a round trip; a damaged one is an error, not a base")
    func recordedBase() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = fixture.path("state")
        #expect(try RecordedTrustBase.load(stateDirectory: dir) == nil)
        let base = RecordedTrustBase(commit: String(repeating: "a", count: 40), by: "carol@host", at: Date(timeIntervalSince1970: 1_800_000_000))
        try base.save(stateDirectory: dir)
        #expect(try RecordedTrustBase.load(stateDirectory: dir) == base)
        try "{\"commit\": \"main\"}".write(toFile: "\(dir)/\(RecordedTrustBase.fileName)", atomically: true, encoding: .utf8)
        #expect(throws: TrustBaseError.self) { try RecordedTrustBase.load(stateDirectory: dir) }
    }
}
