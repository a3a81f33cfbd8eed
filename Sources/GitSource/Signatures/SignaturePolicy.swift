import CGit2
import Foundation

/// Which commits may be applied, as set on the host (never in the repository, so a commit cannot lower it).
public struct SignaturePolicy: Sendable, Hashable {
    /// The trusted keys; nil turns signature checks off.
    public var allowedSigners: AllowedSigners?
    /// How many distinct allowed keys must have signed the change since the last applied revision
    /// (2 for a two-person rule: the author's signed commit and a reviewer's signed merge).
    public var requiredSigners: Int

    public init(allowedSigners: AllowedSigners?, requiredSigners: Int = 1) {
        self.allowedSigners = allowedSigners
        self.requiredSigners = requiredSigners
    }

    /// No checks: every commit is accepted.
    public static let off = SignaturePolicy(allowedSigners: nil, requiredSigners: 0)
}

/// The two-person rule on plain values (who signed which file contents), so it can be tested and fuzzed without Git.
///
/// The files the change touches are those whose content at the candidate differs from the last applied revision's;
/// a signer counts for a touched file only with a vote (a valid signature on a commit of the range) in which that
/// file's content is the candidate's.
public enum SignatureRule {
    /// One validly signed commit of the range: its signer (key fingerprint) and its files (name to blob id; absent: no file).
    public struct Vote: Sendable, Hashable {
        public var signer: String
        public var files: [String: String]

        public init(signer: String, files: [String: String]) {
            self.signer = signer
            self.files = files
        }
    }

    /// The touched files and, for each, the distinct signers of its content as applied, in the order first seen.
    public struct Tally: Sendable, Equatable {
        public var touched: [String]
        public var signers: [String: [String]]

        /// The touched files with fewer than `required` signers of their applied content.
        public func short(of required: Int) -> [String] {
            touched.filter { (signers[$0] ?? []).count < required }
        }
    }

    public static func tally(votes: [Vote], target: [String: String], before: [String: String]) -> Tally {
        let touched = Set(target.keys).union(before.keys).filter { target[$0] != before[$0] }.sorted()
        var signers: [String: [String]] = [:]
        for file in touched {
            signers[file] = []
            for vote in votes where vote.files[file] == target[file] && !signers[file]!.contains(vote.signer) {
                signers[file]!.append(vote.signer)
            }
        }
        return Tally(touched: touched, signers: signers)
    }
}

/// One commit the policy looked at, and its verdict.
public struct CheckedCommit: Sendable, Hashable {
    public var id: CommitID
    public var subject: String
    public var isMerge: Bool
    public var verdict: SignatureVerdict
}

/// An allowed key that signed part of the change.
public struct Signer: Sendable, Hashable {
    public var principal: String
    public var keyFingerprint: String
    /// The first commit (newest first) it signed.
    public var commit: CommitID
}

/// The policy's answer for a candidate commit.
public enum SignatureDecision: Sendable, Hashable {
    case accepted(SignatureApproval)
    case refused(SignatureRefusal)

    /// The approval, or the refusal thrown.
    /// - Throws: `SignatureRefusal` when the commit must not be applied.
    public func requireAccepted() throws(SignatureRefusal) -> SignatureApproval {
        switch self {
        case let .accepted(approval): return approval
        case let .refused(refusal): throw refusal
        }
    }
}

/// Why a commit may be applied.
public struct SignatureApproval: Sendable, Hashable {
    public var candidate: CommitID
    /// Distinct allowed keys that signed the change, the candidate's first; empty when the policy is off.
    public var signers: [Signer]
    /// Every commit checked, newest first.
    public var checked: [CheckedCommit]

    /// An approval naming nobody: a commit this host already applied, reviewed when it was applied.
    public static func alreadyApplied(_ candidate: CommitID) -> SignatureApproval {
        SignatureApproval(candidate: candidate, signers: [], checked: [])
    }
}

/// Why a commit must not be applied: a sentence naming the commits and what is missing.
public struct SignatureRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var candidate: CommitID
    /// E.g. `commit abc123456789 is unsigned; 1 of 2 required distinct signers (alice@example.com)`.
    public var reason: String
    public var checked: [CheckedCommit]
    /// What a person can do, when it is to name something.
    public var remedy: Remedy?

    public init(candidate: CommitID, reason: String, checked: [CheckedCommit], remedy: Remedy? = nil) {
        self.candidate = candidate
        self.reason = reason
        self.checked = checked
        self.remedy = remedy
    }

    public var description: String { "refusing \(candidate.short): \(reason)" }
}

/// A commit from which a change is reviewed: state already applied (or approved by a person), and where it came from.
public struct TrustBase: Sendable, Hashable {
    public var commit: CommitID
    /// For refusals: e.g. `--last-applied`, `the journal (app hot)`, `the lock table's fence`.
    public var origin: String

    public init(commit: CommitID, origin: String) {
        self.commit = commit
        self.origin = origin
    }
}

/// Where the review of each desired-state file starts: its own base (its app's last applied commit), or the base of
/// every other file. A file with neither has no known base, and a two-person rule refuses its change.
public struct SignatureBases: Sendable, Hashable {
    /// By file name inside the folder.
    public var files: [String: TrustBase]
    public var others: TrustBase?
    /// Files known to have no base (an app never applied on this host), whatever `others` is.
    public var unknown: Set<String>

    public init(files: [String: TrustBase] = [:], others: TrustBase? = nil, unknown: Set<String> = []) {
        self.files = files
        self.others = others
        self.unknown = unknown
    }

    func base(of file: String) -> TrustBase? { unknown.contains(file) ? nil : files[file] ?? others }
}

extension Repository {
    /// Decides whether `candidate` may be applied under `policy`, its change counted from `lastApplied` (one base for
    /// every file; nil: no base known).
    /// - Throws: `GitError` when the commits cannot be read; a refusal is a decision, not an error.
    public func reviewSignatures(
        candidate: CommitID, lastApplied: CommitID?, folder: String,
        policy: SignaturePolicy, now: Date = Date()
    ) throws(GitError) -> SignatureDecision {
        if policy.requiredSigners > 1, let lastApplied, lastApplied == candidate {
            return .refused(
                SignatureRefusal(
                    candidate: candidate,
                    reason:
                        "the last applied revision is the candidate itself, so there is no change to count \(policy.requiredSigners) signers over; "
                        + "name the revision applied before it",
                    checked: [], remedy: .nameReviewedRevision))
        }
        let base = policy.requiredSigners > 1 ? lastApplied.map { TrustBase(commit: $0, origin: "the last applied revision") } : nil
        let bases = SignatureBases(others: base)
        return try reviewSignatures(candidate: candidate, bases: bases, folder: folder, policy: policy, now: now)
    }

    /// Decides whether `candidate` may be applied under `policy`.
    ///
    /// The candidate itself must carry a valid signature by an allowed key (its own `gpgsig` header, exactly as git
    /// writes it). With `requiredSigners` N > 1, each file of `folder` the change touches (its content at the
    /// candidate differs from its content at its trust base) must have been signed, as it is at the candidate, by N
    /// distinct allowed keys: a key counts for a file only when it signed a commit that descends from the file's base
    /// and is reachable from the candidate (every parent followed), in which that file is byte-identical to the
    /// candidate's. A signature on a commit whose file differs (another branch, an earlier draft), or on a commit
    /// outside the change (an old approval re-hashed into a new commit object), approves nothing that is applied.
    ///
    /// Where the review cannot know, it refuses: a touched file with no base, a base that is no longer in the
    /// repository, or one that is not an ancestor of the candidate. A file whose base is the candidate itself is the
    /// state already applied.
    /// - Parameters:
    ///   - bases: where each file's change starts.
    ///   - folder: the desired-state folder, e.g. `desired-state`.
    ///   - now: when the keys' validity is judged (`valid-after`/`valid-before`); the committer date only refuses.
    /// - Throws: `GitError` when the commits cannot be read; a refusal is a decision, not an error.
    public func reviewSignatures(
        candidate: CommitID, bases: SignatureBases, folder: String,
        policy: SignaturePolicy, now: Date = Date()
    ) throws(GitError) -> SignatureDecision {
        guard let allowed = policy.allowedSigners else {
            if policy.requiredSigners > 1 {
                return .refused(
                    SignatureRefusal(
                        candidate: candidate, reason: "\(policy.requiredSigners) required signers need an allowed signers file",
                        checked: []))
            }
            return .accepted(SignatureApproval(candidate: candidate, signers: [], checked: []))
        }
        let folder = normalize(folder)
        func path(_ file: String) -> String { folder.isEmpty ? file : "\(folder)/\(file)" }
        let distinctBases = Set(bases.files.values.map(\.commit) + [bases.others?.commit].compactMap { $0 })
        let head = try checkedCommit(candidate, allowed, now: now)
        guard case let .valid(principal, fingerprint) = head.verdict else {
            return .refused(
                SignatureRefusal(
                    candidate: candidate, reason: Self.problem(head) + "; only commits signed by an allowed key are applied", checked: [head]))
        }
        let first = Signer(principal: principal, keyFingerprint: fingerprint, commit: candidate)
        guard policy.requiredSigners > 1 else {
            return .accepted(SignatureApproval(candidate: candidate, signers: [first], checked: [head]))
        }
        let remedy = "name a reviewed revision to count from, or record one after checking it: switchyard trust-base COMMIT"
        func refuse(_ reason: String, _ checked: [CheckedCommit] = [head]) -> SignatureDecision {
            .refused(
                SignatureRefusal(
                    candidate: candidate, reason: reason, checked: checked, remedy: reason.hasSuffix(remedy) ? .nameReviewedRevision : nil))
        }
        for base in Set(bases.files.values + [bases.others].compactMap { $0 }) where base.commit != candidate {
            switch isAncestor(base.commit, of: candidate) {
            case nil:
                return refuse(
                    "the trust base \(base.commit.short) (\(base.origin)) is no longer in this repository (history rewritten?): "
                        + "the change cannot be reviewed from it; \(remedy)")
            case false?:
                return refuse(
                    "the trust base \(base.commit.short) (\(base.origin)) is not an ancestor of \(candidate.short): the change cannot be reviewed from it; "
                        + remedy)
            case true?: break
            }
        }

        // Each file is judged from its own base: its content there, and the votes of the commits after it.
        // Each commit's folder is read once, however many bases a vote counts for.
        var folders: [CommitID: [String: String]] = [:]
        func blobs(_ id: CommitID) throws(GitError) -> [String: String] {
            if let known = folders[id] { return known }
            let read = try folderBlobs(folder, at: id)
            folders[id] = read
            return read
        }
        let target = try blobs(candidate)
        var files = Set(target.keys)
        for base in distinctBases { files.formUnion(try blobs(base).keys) }
        let touched = files.filter { file in
            guard let base = bases.base(of: file) else { return true }
            return folders[base.commit]?[file] != target[file]
        }.sorted()
        if touched.isEmpty {
            // Nothing of the desired state changes: the state applied is the one already approved.
            return .accepted(SignatureApproval(candidate: candidate, signers: [first], checked: [head]))
        }
        let baseless = touched.filter { bases.base(of: $0) == nil }
        if !baseless.isEmpty {
            return refuse(
                "no trust base is known for \(Self.listed(baseless.map(path))) (never applied on this host), so the change cannot be counted "
                    + "\(policy.requiredSigners) signers over; \(remedy)")
        }
        var checkedByID: [CommitID: CheckedCommit] = [candidate: head]
        var checked: [CheckedCommit] = []
        var listed: Set<CommitID> = []
        var signers: [String: Signer] = [:]
        var everyone: [String] = []
        var perFile: [String: [String]] = [:]
        for (base, group) in Dictionary(grouping: touched, by: { bases.base(of: $0)!.commit }) {
            var votes: [SignatureRule.Vote] = []
            for id in try changeRange(candidate: candidate, base: base) {
                let commit: CheckedCommit
                if let known = checkedByID[id] {
                    commit = known
                } else {
                    commit = try checkedCommit(id, allowed, now: now)
                    checkedByID[id] = commit
                }
                if listed.insert(id).inserted { checked.append(commit) }
                guard case let .valid(principal, fingerprint) = commit.verdict else { continue }
                signers[fingerprint] = signers[fingerprint] ?? Signer(principal: principal, keyFingerprint: fingerprint, commit: id)
                if !everyone.contains(fingerprint) { everyone.append(fingerprint) }
                votes.append(SignatureRule.Vote(signer: fingerprint, files: try blobs(id)))
            }
            let before = folders[base] ?? [:]
            let tally = SignatureRule.tally(
                votes: votes, target: target.filter { group.contains($0.key) }, before: before.filter { group.contains($0.key) })
            perFile.merge(tally.signers) { a, _ in a }
        }
        let short = touched.filter { (perFile[$0] ?? []).count < policy.requiredSigners }
        if short.isEmpty {
            let approving = everyone.filter { signer in touched.allSatisfy { perFile[$0]!.contains(signer) } }.compactMap { signers[$0] }
            return .accepted(SignatureApproval(candidate: candidate, signers: approving.isEmpty ? [first] : approving, checked: checked))
        }
        let problems = checked.filter { !$0.verdict.isValid }
        let shown =
            problems.prefix(Self.namedAtMost).map(Self.problem)
            + (problems.count > Self.namedAtMost ? ["and \(problems.count - Self.namedAtMost) more commits that are not validly signed"] : [])
        let tallies = short.map { file in
            let fileSigners = (perFile[file] ?? []).compactMap { signers[$0] }
            let others = everyone.filter { who in !fileSigners.contains { $0.keyFingerprint == who } }.compactMap { signers[$0] }
            return
                "\(path(file)): \(fileSigners.count) of \(policy.requiredSigners) required distinct signers (\(fileSigners.map(\.principal).joined(separator: ", "))) signed it as applied"
                + (others.isEmpty
                    ? "" : "; \(others.map(\.principal).joined(separator: ", ")) signed a different content of it, which does not count")
        }
        let hint =
            "; each required signer must sign a commit whose \(short.count == 1 ? "file is" : "files are") exactly as applied, "
            + "e.g. the author's commit and a reviewer's signed merge"
        return refuse((shown + tallies).joined(separator: "; ") + hint, checked)
    }

    /// How many commits a refusal names; the rest are counted.
    static let namedAtMost = 5

    static func listed(_ names: [String]) -> String {
        names.count <= namedAtMost
            ? names.joined(separator: ", ") : names.prefix(namedAtMost).joined(separator: ", ") + " and \(names.count - namedAtMost) more"
    }

    /// The names of the files directly in `folder` at a commit (empty when it cannot be read).
    public func fileNames(in folder: String, at id: CommitID) -> Set<String> {
        Set(((try? folderBlobs(normalize(folder), at: id)) ?? [:]).keys)
    }

    /// The blob id (hex) of each file directly in `folder` at a commit, a symbolic link read through to its target;
    /// empty when the folder is absent.
    /// - Throws: `GitError` when the commit cannot be read: an unreadable commit is never taken for an empty folder.
    func folderBlobs(_ folder: String, at id: CommitID) throws(GitError) -> [String: String] {
        try withCommit(id) { commit in fileEntries(folder, commit, matching: { _ in true }).mapValues { CommitID($0).hex } }
    }

    private func checkedCommit(_ id: CommitID, _ allowed: AllowedSigners, now: Date) throws(GitError) -> CheckedCommit {
        let info = try commit(id)
        return CheckedCommit(
            id: id, subject: info.subject, isMerge: info.parents.count > 1,
            verdict: try verifySignature(of: id, allowedSigners: allowed, now: now))
    }

    private static func problem(_ commit: CheckedCommit) -> String {
        let name = "commit \(commit.id.short)"
        return switch commit.verdict {
        case .valid: "\(name) is validly signed"
        case .unsigned: "\(name) is unsigned"
        case let .invalid(reason): "\(name) has an invalid signature (\(reason))"
        case let .untrustedKey(fingerprint): "\(name) is signed by \(fingerprint), which is not in the allowed signers file"
        }
    }

    /// Commits reachable from the candidate and not from `base` that descend from `base`, newest first. A commit
    /// object made from an older one (same payload, new id: a replayed approval) does not descend from a newer base.
    private func changeRange(candidate: CommitID, base: CommitID) throws(GitError) -> [CommitID] {
        guard base != candidate else { return [] }
        var walk: OpaquePointer?
        try check("walking history from \(candidate.short)") { git_revwalk_new(&walk, handle) }
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        var start = candidate.oid
        try check("walking history from \(candidate.short)") { git_revwalk_push(walk, &start) }
        var hide = base.oid
        try check("walking history from \(candidate.short) back to \(base.short)") { git_revwalk_hide(walk, &hide) }
        var ids: [CommitID] = []
        var oid = git_oid()
        while git_revwalk_next(&oid, walk) == 0 {
            var ancestor = base.oid
            if git_graph_descendant_of(handle, &oid, &ancestor) == 1 { ids.append(CommitID(oid)) }
        }
        return ids
    }
}
