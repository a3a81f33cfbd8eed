import Journaling
import Reconciler
import Foundation
import SwitchyardService
import SwitchyardTestSupport
import Testing

/// Keys made by the real `ssh-keygen`: Alice (author) and Bob (reviewer) are allowed, Carol is not.
struct Operators {
    let alice: SSHKeyFixture
    let bob: SSHKeyFixture
    let carol: SSHKeyFixture
    /// The host's allowed signers file, listing Alice and Bob.
    let allowedSigners: String

    init(in git: GitFixture) throws {
        let keys = try git.keysFolder()
        alice = try SSHKeyFixture.generate(.ed25519, named: "alice", in: keys)
        bob = try SSHKeyFixture.generate(.ecdsa, named: "bob", in: keys)
        carol = try SSHKeyFixture.generate(.ed25519, named: "carol", in: keys)
        allowedSigners = try git.writeAllowedSigners([
            alice.allowedSignersLine(principal: "alice@example.com"),
            bob.allowedSignersLine(principal: "bob@example.com"),
        ])
    }
}

extension ServiceHarness {
    /// Writes the app's file, commits it signed by `key` (`git commit -S`, gpg.format=ssh); returns the commit id.
    @discardableResult
    func commitSigned(_ text: String, message: String, key: SSHKeyFixture) throws -> String {
        try git.write(text, to: "\(work)/desired-state/hot.yaml")
        try git.git("add", "-A", in: work)
        try git.signedCommit(message, key: key, in: work)
        return try head()
    }

    func pushHead() throws { try git.git("push", "-q", "origin", "HEAD:main", in: work) }

    /// `switchyard run --once` on the harness's repository and state folder.
    func once(_ extra: [String]) throws -> CLI.Result {
        try CLI.run(arguments(["--once"] + extra), in: git.root.path, environment: emulator.awsEnvironment)
    }

    /// Mutating calls the emulator recorded, and the live state boto3 reads: what "nothing was applied" compares.
    func awsSnapshot() async throws -> (calls: [String: Int], writer: String?, origins: [String: [String]], buckets: [String: String]) {
        let state = try emulator.inspect(topology)
        return (try await emulator.calls(mutating: true), state.writer, state.origins, state.buckets)
    }
}

@Suite("switchyard run with signed commits, against a bare repository and the emulator", .serialized)
struct SignedCommitServiceTests {
    @Test("--allowed-signers: unsigned and untrusted pushed flips are refused and not applied; /readyz, /api/status, the journal and --once say why")
    func unsignedFlipRefused() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let keys = try Operators(in: harness.git)
        // The first commit the host acts on must be signed too: Alice signs the baseline.
        try harness.git.signedCommit("Adopt signed commits", key: keys.alice, in: harness.work, allowEmpty: true)
        try harness.pushHead()
        let baseline = try harness.head()
        let (service, url) = try await harness.start(["--allowed-signers", keys.allowedSigners])
        try await harness.waitConverged(service, at: baseline)
        let before = try await harness.awsSnapshot()

        let unsigned = try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot, unsigned")
        let short = unsigned.prefix(12)
        let reason = "refusing \(short): commit \(short) is unsigned; only commits signed by an allowed key are applied"
        try await service.waitUntil("the unsigned commit's pass") {
            try harness.journal().passes().last { $0.finishedAt != nil }?.commit == unsigned
        }
        let pass = try #require(try harness.journal().passes().last { $0.finishedAt != nil })
        #expect(pass.outcome == .refused)
        #expect(pass.error == reason)
        #expect(try harness.journal().appStates()["hot"]?.lastAppliedCommit == baseline, "the last applied state stands")

        let (ready, code) = try await HTTPTestClient.get("\(url)/readyz")
        #expect(code == 503)
        #expect(String(decoding: ready, as: UTF8.self).contains(reason), "\(String(decoding: ready, as: UTF8.self))")
        let (statusData, _) = try await HTTPTestClient.get("\(url)/api/status")
        let status = try #require(try JSONSerialization.jsonObject(with: statusData) as? [String: Any])
        #expect(status["ready"] as? Bool == false)
        let refusal = status["refusal"] as? [String: Any]
        #expect(refusal?["commit"] as? String == unsigned)
        #expect(refusal?["kind"] as? String == "refused")
        #expect(refusal?["reason"] as? String == reason)
        let app = (status["apps"] as? [[String: Any]])?.first
        #expect(app?["lastAppliedCommit"] as? String == baseline)

        // A signature by a key the host does not list counts for nothing.
        let untrusted = try harness.commitSigned(
            harness.topology.yaml(activeRegion: "us-west-1") + "# reviewed by Carol\n",
            message: "Fail over hot, signed by Carol", key: keys.carol)
        try harness.pushHead()
        try await service.waitUntil("the untrusted commit's pass") {
            try harness.journal().passes().last { $0.finishedAt != nil }?.commit == untrusted
        }
        let carolPass = try #require(try harness.journal().passes().last { $0.finishedAt != nil })
        #expect(carolPass.outcome == .refused)
        #expect(
            carolPass.error?.contains(
                "commit \(untrusted.prefix(12)) is signed by \(keys.carol.fingerprint), which is not in the allowed signers file") == true,
            "\(carolPass.error ?? "")")

        service.signal(SIGTERM)
        #expect(try await service.waitForExit() == 0)
        // --once on the refused commit: exit 1, the reason on stderr.
        let once = try harness.once(["--allowed-signers", keys.allowedSigners])
        #expect(once.status == 1)
        #expect(once.stderr.contains("not applied; the last applied state stands"), "\(once.stderr)")
        #expect(once.stderr.contains(keys.carol.fingerprint))

        let after = try await harness.awsSnapshot()
        #expect(after.calls == before.calls, "no mutating AWS call")
        #expect(after.writer == harness.topology.primaryClusterARN)
        #expect(after.writer == before.writer)
        #expect(after.origins == before.origins)
        #expect(after.buckets == before.buckets)
    }

    @Test("--required-signers 2: the author's signature alone is refused; the author's commit plus a reviewer's signed merge converges")
    func twoPersonRule() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let keys = try Operators(in: harness.git)
        let policy = ["--allowed-signers", keys.allowedSigners, "--required-signers", "2"]
        // The host converged the baseline before the rule was turned on: its journal says where the change starts.
        var result = try harness.once([])
        #expect(result.status == 0, "\(result.stderr)")
        let baseline = try harness.head()
        let mainBranch = try harness.git.git("rev-parse", "--abbrev-ref", "HEAD", in: harness.work)
        let before = try await harness.awsSnapshot()

        // Alice's signed flip on a pull-request branch reaches main without review.
        try harness.git.git("checkout", "-q", "-b", "pr", in: harness.work)
        let authored = try harness.commitSigned(
            harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot to us-west-1", key: keys.alice)
        try harness.pushHead()
        result = try harness.once(policy)
        #expect(result.status == 1)
        #expect(result.stderr.contains("1 of 2 required distinct signers (alice@example.com)"), "\(result.stderr)")
        let refused = try #require(try harness.journal().passes().last)
        #expect(refused.commit == authored)
        #expect(refused.outcome == .refused)
        #expect(refused.error?.contains("1 of 2 required distinct signers (alice@example.com)") == true, "\(refused.error ?? "")")
        #expect(try harness.journal().appStates()["hot"]?.lastAppliedCommit == baseline)
        let between = try await harness.awsSnapshot()
        #expect(between.calls == before.calls, "no mutating AWS call")
        #expect(between.writer == harness.topology.primaryClusterARN)
        #expect(between.origins == before.origins)
        #expect(between.buckets == before.buckets)

        // Bob reviews and merges the pull request with a signed merge (a fast-forward of main from Alice's commit).
        try harness.git.git("checkout", "-q", mainBranch, in: harness.work)
        try harness.git.gitArgs(
            keys.bob.gitSigningConfig + ["merge", "-q", "--no-ff", "-S", "-m", "Merge pull request #1 from alice/pr", "pr"],
            in: harness.work)
        let merge = try harness.head()
        try harness.pushHead()
        result = try harness.once(policy)
        #expect(result.status == 0, "\(result.stderr)")
        let converged = try #require(try harness.journal().passes().last)
        #expect(converged.commit == merge)
        #expect(converged.outcome == .converged)
        #expect(try harness.journal().appStates()["hot"]?.lastAppliedCommit == merge)

        let state = try harness.emulator.inspect(harness.topology)
        #expect(state.writer == harness.topology.secondaryClusterARN)
        #expect(state.origins[harness.topology.originGroupID]?.first == harness.topology.secondaryOrigin)
        #expect(state.buckets[harness.topology.secondaryBucket] == "open")
        #expect(try await harness.emulator.calls(service: "rds", mutating: true)["rds:SwitchoverGlobalCluster"] == 1)
    }
}
