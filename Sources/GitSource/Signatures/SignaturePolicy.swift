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
}

/// Why a commit must not be applied: a sentence naming the commits and what is missing.
public struct SignatureRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var candidate: CommitID
    /// E.g. `commit abc123456789 is unsigned; 1 of 2 required distinct signers (alice@example.com)`.
    public var reason: String
    public var checked: [CheckedCommit]

    public var description: String { "refusing \(candidate.short): \(reason)" }
}

extension Repository {
    /// Decides whether `candidate` may be applied under `policy`.
    ///
    /// The candidate itself must carry a valid signature by an allowed key. With `requiredSigners` N > 1, each file
    /// of `folder` the change touches (its content at the candidate differs from the last applied revision's) must
    /// have been signed, as it is at the candidate, by N distinct allowed keys: a key counts for a file only when it
    /// signed a commit between the last applied revision and the candidate (every parent followed, as
    /// `git rev-list last..candidate`) in which that file is byte-identical to the candidate's. A signature on a
    /// commit whose file differs (another branch, an earlier draft) approves nothing that is applied.
    /// Without a last applied revision, the change is what the candidate brings over its first parent.
    /// A last applied revision that is the candidate itself, not its ancestor, or unknown is refused with N > 1:
    /// the rule never counts fewer than N.
    /// - Parameters:
    ///   - lastApplied: the revision this host last applied, or nil.
    ///   - folder: the desired-state folder, e.g. `desired-state`.
    ///   - now: when the keys' validity is judged (`valid-after`/`valid-before`); the committer date only refuses.
    /// - Throws: `GitError` when the commits cannot be read; a refusal is a decision, not an error.
    public func reviewSignatures(
        candidate: CommitID, lastApplied: CommitID?, folder: String,
        policy: SignaturePolicy, now: Date = Date()
    ) throws(GitError) -> SignatureDecision {
        guard let allowed = policy.allowedSigners else {
            if policy.requiredSigners > 1 {
                return .refused(
                    SignatureRefusal(
                        candidate: candidate, reason: "\(policy.requiredSigners) required signers need an allowed signers file (--allowed-signers)",
                        checked: []))
            }
            return .accepted(SignatureApproval(candidate: candidate, signers: [], checked: []))
        }
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
        func refuse(_ reason: String, _ checked: [CheckedCommit] = [head]) -> SignatureDecision {
            .refused(SignatureRefusal(candidate: candidate, reason: reason, checked: checked))
        }
        if let lastApplied {
            guard lastApplied != candidate else {
                return refuse(
                    "the last applied revision is the candidate itself, so there is no change to count \(policy.requiredSigners) signers over; "
                        + "name the revision applied before it (--last-applied)")
            }
            switch isAncestor(lastApplied, of: candidate) {
            case nil: return refuse("the last applied revision \(lastApplied.short) is not in this repository; name one it holds (--last-applied)")
            case false?:
                return refuse(
                    "the last applied revision \(lastApplied.short) is not an ancestor of \(candidate.short); the change cannot be reviewed from it")
            case true?: break
            }
        }

        let folder = normalize(folder)
        let range = try changeRange(candidate: candidate, lastApplied: lastApplied)
        let firstParent = try commit(candidate).parents.first
        let boundary = lastApplied ?? firstParent
        let target = folderBlobs(folder, at: candidate)
        let before = boundary.map { folderBlobs(folder, at: $0) } ?? [:]
        func path(_ file: String) -> String { folder.isEmpty ? file : "\(folder)/\(file)" }
        var checked: [CheckedCommit] = []
        var votes: [SignatureRule.Vote] = []
        var signers: [String: Signer] = [:]
        for id in range {
            let commit = id == candidate ? head : try checkedCommit(id, allowed, now: now)
            checked.append(commit)
            guard case let .valid(principal, fingerprint) = commit.verdict else { continue }
            signers[fingerprint] = signers[fingerprint] ?? Signer(principal: principal, keyFingerprint: fingerprint, commit: id)
            votes.append(SignatureRule.Vote(signer: fingerprint, files: id == candidate ? target : folderBlobs(folder, at: id)))
        }
        let tally = SignatureRule.tally(votes: votes, target: target, before: before)
        let everyone = votes.map(\.signer).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.compactMap { signers[$0] }
        let perFile = tally.signers.mapValues { $0.compactMap { signers[$0] } }
        let touched = tally.touched
        if touched.isEmpty {
            // Nothing of the desired state changes: the state applied is the one already approved.
            return .accepted(SignatureApproval(candidate: candidate, signers: [first], checked: checked))
        }
        let short = tally.short(of: policy.requiredSigners)
        if short.isEmpty {
            let approving = everyone.filter { signer in touched.allSatisfy { tally.signers[$0]!.contains(signer.keyFingerprint) } }
            return .accepted(SignatureApproval(candidate: candidate, signers: approving.isEmpty ? [first] : approving, checked: checked))
        }
        let problems = checked.filter { !$0.verdict.isValid }.map(Self.problem)
        let tallies = short.map { file in
            let signers = perFile[file] ?? []
            let others = everyone.filter { who in !signers.contains { $0.keyFingerprint == who.keyFingerprint } }
            return
                "\(path(file)): \(signers.count) of \(policy.requiredSigners) required distinct signers (\(signers.map(\.principal).joined(separator: ", "))) signed it as applied"
                + (others.isEmpty
                    ? "" : "; \(others.map(\.principal).joined(separator: ", ")) signed a different content of it, which does not count")
        }
        let hint =
            "; each required signer must sign a commit whose \(short.count == 1 ? "file is" : "files are") exactly as applied, e.g. the author's commit and a reviewer's signed merge"
        return refuse((problems + tallies).joined(separator: "; ") + hint, checked)
    }

    /// The blob id (hex) of each file directly in `folder` at a commit, a symbolic link read through to its target;
    /// empty when the folder is absent.
    func folderBlobs(_ folder: String, at id: CommitID) -> [String: String] {
        (try? withCommit(id) { commit in fileEntries(folder, commit, matching: { _ in true }).mapValues { CommitID($0).hex } }) ?? [:]
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

    /// Commits reachable from the candidate and not from the last applied revision, newest first.
    private func changeRange(candidate: CommitID, lastApplied: CommitID?) throws(GitError) -> [CommitID] {
        var walk: OpaquePointer?
        try check("walking history from \(candidate.short)") { git_revwalk_new(&walk, handle) }
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        var start = candidate.oid
        try check("walking history from \(candidate.short)") { git_revwalk_push(walk, &start) }
        // A last applied revision that is gone (history rewritten and collected) leaves the candidate's own change.
        var boundary = lastApplied.flatMap { (try? commit($0)) != nil ? $0 : nil }
        if boundary == nil { boundary = try commit(candidate).parents.first }
        if let boundary {
            var hide = boundary.oid
            try check("walking history from \(candidate.short) back to \(boundary.short)") { git_revwalk_hide(walk, &hide) }
        }
        var ids: [CommitID] = []
        var oid = git_oid()
        while git_revwalk_next(&oid, walk) == 0 { ids.append(CommitID(oid)) }
        return ids
    }
}
