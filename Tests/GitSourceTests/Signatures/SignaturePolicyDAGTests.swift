import Foundation
import GitSource
import SwitchyardTestSupport
import Testing

/// Issue 13: random DAGs of signed, unsigned and merge commits (real ssh-keygen keys, `git commit -S`), each decided by
/// Switchyard's policy and by an independent oracle built from git alone (`git rev-list`, `git verify-commit`,
/// `git rev-parse COMMIT:path`): N-of-M is never satisfied with fewer than N keys that signed the applied content.
@Suite("Signature policy: random histories against git's own verdicts")
struct SignaturePolicyDAGTests {
    static let seeds: [UInt64] = Array(1...12)

    @Test("random histories: an acceptance always has N keys that signed each touched file as applied", arguments: seeds)
    func randomHistory(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        let repo = try SignedRepository()
        defer { repo.remove() }
        let people = try ["alice", "bob", "carol"].map { try repo.key(.ed25519, $0) }
        let stranger = try repo.key(.ed25519, "mallory")  // signs, but is not allowed
        let file = try repo.fixture.writeAllowedSigners(people.enumerated().map { $1.allowedSignersLine(principal: "p\($0)@example.com") })
        let allowed = try AllowedSigners.load(contentsOf: file)
        let base = try repo.head()

        // Branches made of random commits (each a random content, signer or none), merged in random ways.
        var contents = ["us-east-1", "us-west-1"]
        var branches = ["main"]
        for step in 0..<7 {
            switch random.next() % 4 {
            case 0 where branches.count < 3:
                let name = "b\(step)"
                try repo.fixture.git("checkout", "-q", "-b", name, in: repo.dir)
                branches.append(name)
            case 1 where branches.count > 1:
                let other = branches.removeLast()
                try repo.fixture.git("checkout", "-q", branches.last!, in: repo.dir)
                let signer = Self.pick(people + [stranger], &random)
                let merge = ["merge", "-q", "--no-ff", "--no-commit", "-X", "theirs", other]
                _ = try? repo.fixture.gitArgs(merge, in: repo.dir)
                if random.next() % 2 == 0 {  // the merger chooses the tree
                    let region = Self.pick(contents, &random) ?? contents[0]
                    try repo.fixture.write(repo.fixture.app(region: region), to: "\(repo.dir)/desired-state/unishop.yaml")
                    try repo.fixture.git("add", "-A", in: repo.dir)
                }
                if let signer {
                    try repo.fixture.gitArgs(signer.gitSigningConfig + ["commit", "-q", "-S", "--allow-empty", "-m", "merge \(other)"], in: repo.dir)
                } else {
                    try repo.fixture.gitArgs(["commit", "-q", "--allow-empty", "-m", "merge \(other)"], in: repo.dir)
                }
            default:
                if random.next() % 3 == 0 { contents.append("eu-west-\(step)") }
                let region = Self.pick(contents, &random) ?? contents[0]
                try repo.fixture.write(
                    repo.fixture.app(region: region) + (random.next() % 3 == 0 ? "# note \(step)\n" : ""),
                    to: "\(repo.dir)/desired-state/unishop.yaml")
                try repo.fixture.git("add", "-A", in: repo.dir)
                if let signer = Self.pick(people + [stranger], &random) {
                    try repo.fixture.signedCommit("change \(step)", key: signer, in: repo.dir, allowEmpty: true)
                } else {
                    try repo.fixture.git("commit", "-q", "--allow-empty", "-m", "change \(step)", in: repo.dir)
                }
            }
        }
        // The candidate: the tip, signed by someone allowed so the rule is what decides.
        let last = people[Int(random.next() % 3)]
        try repo.fixture.signedCommit("candidate", key: last, in: repo.dir, allowEmpty: true)
        let candidate = try repo.head()

        for required in 1...3 {
            let decision = try repo.repository.reviewSignatures(
                candidate: candidate, lastApplied: base, folder: "desired-state",
                policy: SignaturePolicy(allowedSigners: allowed, requiredSigners: required))
            let oracle = try Self.oracle(repo, allowedSignersFile: file, base: base, candidate: candidate, required: required)
            switch decision {
            case .accepted:
                #expect(
                    oracle, "seed \(seed), N=\(required): accepted, but git's own verdicts do not show \(required) signers of the applied content")
            case let .refused(refusal):
                #expect(!oracle, "seed \(seed), N=\(required): refused (\(refusal.reason)), but git's verdicts show enough signers")
            }
        }
    }

    static func pick<T>(_ items: [T], _ random: inout SplitMix64) -> T? {
        let index = Int(random.next() % UInt64(items.count + 1))
        return index < items.count ? items[index] : nil
    }

    /// The rule computed from git alone: for the file, the distinct signers (by git verify-commit's "Good ... for
    /// PRINCIPAL") of commits in `base..candidate` whose blob equals the candidate's; N of them, or no change.
    static func oracle(_ repo: SignedRepository, allowedSignersFile: String, base: CommitID, candidate: CommitID, required: Int) throws -> Bool {
        let git = { (args: [String]) throws -> String in
            try repo.fixture.gitArgs(["-c", "gpg.ssh.allowedSignersFile=\(allowedSignersFile)"] + args, in: repo.dir)
        }
        let path = "desired-state/unishop.yaml"
        let target = try git(["rev-parse", "\(candidate.hex):\(path)"])
        let before = try git(["rev-parse", "\(base.hex):\(path)"])
        let signer = { (commit: String) in try? verifiedSigner(git, commit, allowedSignersFile: allowedSignersFile, in: repo.dir) }
        guard signer(candidate.hex) != nil else { return false }
        if target == before { return true }  // nothing of the applied state changes: the candidate's signature suffices
        var signers: Set<String> = []
        for commit in try git(["rev-list", "\(base.hex)..\(candidate.hex)"]).split(separator: "\n").map(String.init) {
            guard (try? git(["rev-parse", "\(commit):\(path)"])) == target, let who = signer(commit) else { continue }
            signers.insert(who)
        }
        return required <= 1 || signers.count >= required
    }

    /// The principal git verify-commit names for a good signature by an allowed key; throws when there is none.
    static func verifiedSigner(_ git: ([String]) throws -> String, _ commit: String, allowedSignersFile: String, in dir: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "gpg.ssh.allowedSignersFile=\(allowedSignersFile)", "verify-commit", commit]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let match = text.firstMatch(of: /Good "git" signature for (\S+) with/) else {
            throw TestSupportError("no good signature on \(commit)")
        }
        return String(match.1)
    }
}

/// The rule on plain values: the regression cases the fuzz target (Fuzz/Sources/FuzzSignatureRule) checks at random.
@Suite("SignatureRule: who counts for a file")
struct SignatureRuleTests {
    typealias Vote = SignatureRule.Vote

    @Test("a stale approval (another content of the file) does not count; one key counts once; untouched files need nobody")
    func rule() {
        let tally = SignatureRule.tally(
            votes: [
                Vote(signer: "bob", files: ["app.yaml": "harmless"]), Vote(signer: "alice", files: ["app.yaml": "failover", "other.yaml": "x"]),
                Vote(signer: "alice", files: ["app.yaml": "failover"]),
            ],
            target: ["app.yaml": "failover", "other.yaml": "x"], before: ["app.yaml": "primary", "other.yaml": "x"])
        #expect(tally.touched == ["app.yaml"])
        #expect(tally.signers["app.yaml"] == ["alice"])
        #expect(tally.short(of: 2) == ["app.yaml"])
        #expect(tally.short(of: 1).isEmpty)
    }

    @Test("a removed file needs its removal signed by N keys")
    func removal() {
        let tally = SignatureRule.tally(
            votes: [Vote(signer: "alice", files: [:]), Vote(signer: "bob", files: ["gone.yaml": "old"])],
            target: [:], before: ["gone.yaml": "old"])
        #expect(tally.touched == ["gone.yaml"])
        #expect(tally.signers["gone.yaml"] == ["alice"])
    }
}
