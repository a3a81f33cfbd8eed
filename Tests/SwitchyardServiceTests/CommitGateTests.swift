import AWS
import DesiredState
import Foundation
import GitSource
@testable import Journaling
import Logging
@testable import Reconciler
@testable import SwitchyardService
import SwitchyardTestSupport
import Testing

/// Buckets that are always open: an app of buckets only is in sync, and no call mutates anything.
struct OpenBuckets: WebsiteBucketControl {
    struct Unexpected: Error {}
    func bucketAccess(bucket: String, region: String) async throws -> BucketAccess { .open }
    func setBucketAccess(bucket: String, region: String, blocked: Bool) async throws -> String? { throw Unexpected() }
    func bucketReadiness(bucket: String, region: String) async throws -> BucketReadiness { BucketReadiness(exists: true, website: true) }
    func accountPublicAccess(region: String) async throws -> (account: String, block: PublicAccessBlock?) { ("111122223333", nil) }

    /// The kinds of a pass whose apps hold buckets only.
    static var kinds: ResourceKinds { ResourceKinds([WebsiteBucket(control: OpenBuckets())]) }
}

@Suite("the commit policy: a refused commit is not applied, and says why")
struct CommitGateTests {
    @Test("a refusal is the pass outcome, in the journal, /readyz and status; the last applied state stands")
    func refusal() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let alice = try SSHKeyFixture.generate(.ed25519, named: "alice", in: try fixture.keysFolder())
        let allowed = try AllowedSigners.load(contentsOf: try fixture.writeAllowedSigners([alice.allowedSignersLine(principal: "alice@example.com")]))
        try fixture.signedCommit("Signed by Alice", key: alice, in: dir, allowEmpty: true)
        let stateDir = fixture.path("state")
        let journal = try Journal(stateDirectory: stateDir)
        let loop = ReconcileLoop(
            configuration: ServiceConfiguration(
                pass: PassConfiguration(source: GitSource(location: .local(path: dir), cacheRoot: fixture.path("cache"))),
                stateDirectory: stateDir),
            kinds: OpenBuckets.kinds, journal: journal, metrics: ServiceMetrics(), status: ServiceStatus(), trigger: PassTrigger(),
            policy: CommitPolicy(signatures: SignaturePolicy(allowedSigners: allowed), folder: "desired-state", stateDirectory: stateDir),
            logger: Logger(label: "test"))

        let first = try fixture.git("rev-parse", "HEAD", in: dir)
        #expect(await loop.pass(trigger: "start") == .converged)
        try fixture.commitRegion("us-west-1", in: dir)
        let second = try fixture.git("rev-parse", "HEAD", in: dir)
        #expect(await loop.pass(trigger: "interval") == .refused)

        let pass = try #require(try journal.passes().last)
        #expect(pass.outcome == .refused)
        #expect(pass.commit == second)
        #expect(pass.error?.hasPrefix("refusing \(second.prefix(12)): commit \(second.prefix(12)) is unsigned") == true, "\(pass.error ?? "")")
        let readiness = await loop.status.readiness()
        #expect(!readiness.ready)
        #expect(readiness.reason.contains("is unsigned"))
        #expect(await loop.status.refusal == Refusal(commit: second, kind: .refused, reason: pass.error ?? ""))
        #expect(try journal.appStates()["unishop"]?.lastAppliedCommit == first, "the last applied state stands")
    }
}
