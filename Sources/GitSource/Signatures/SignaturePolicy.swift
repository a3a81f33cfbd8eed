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
    /// The candidate itself must carry a valid signature by an allowed key. With `requiredSigners` N > 1, the
    /// commits after `lastApplied` up to the candidate (every parent followed, as `git rev-list last..candidate`)
    /// that change `folder`, plus every merge in that range, must together be signed by N distinct allowed keys.
    /// Without a last applied revision, the change is what the candidate brings over its first parent
    /// (for a merged pull request: its commits and the merge). The candidate itself always counts.
    /// - Parameters:
    ///   - lastApplied: the revision this host last applied, or nil.
    ///   - folder: the desired-state folder, e.g. `desired-state`.
    /// - Throws: `GitError` when the commits cannot be read; a refusal is a decision, not an error.
    public func reviewSignatures(candidate: CommitID, lastApplied: CommitID?, folder: String,
                                 policy: SignaturePolicy) throws(GitError) -> SignatureDecision {
        guard let allowed = policy.allowedSigners else {
            if policy.requiredSigners > 1 {
                return .refused(SignatureRefusal(candidate: candidate, reason: "\(policy.requiredSigners) required signers need an allowed signers file (--allowed-signers)", checked: []))
            }
            return .accepted(SignatureApproval(candidate: candidate, signers: [], checked: []))
        }
        let head = try checkedCommit(candidate, allowed)
        guard case let .valid(principal, fingerprint) = head.verdict else {
            return .refused(SignatureRefusal(candidate: candidate, reason: Self.problem(head) + "; only commits signed by an allowed key are applied", checked: [head]))
        }
        let first = Signer(principal: principal, keyFingerprint: fingerprint, commit: candidate)
        guard policy.requiredSigners > 1, lastApplied != candidate else {
            return .accepted(SignatureApproval(candidate: candidate, signers: [first], checked: [head]))
        }

        let folder = normalize(folder)
        var checked: [CheckedCommit] = []
        var signers: [Signer] = []
        for id in try changeRange(candidate: candidate, lastApplied: lastApplied) {
            // The candidate always counts: its signature vouches for the state that is applied.
            let included = try id == candidate ? true : counts(id, folder: folder)
            guard included else { continue }
            let commit = id == candidate ? head : try checkedCommit(id, allowed)
            checked.append(commit)
            if case let .valid(principal, fingerprint) = commit.verdict, !signers.contains(where: { $0.keyFingerprint == fingerprint }) {
                signers.append(Signer(principal: principal, keyFingerprint: fingerprint, commit: id))
            }
        }
        if signers.count >= policy.requiredSigners {
            return .accepted(SignatureApproval(candidate: candidate, signers: signers, checked: checked))
        }
        let problems = checked.filter { !$0.verdict.isValid }.map(Self.problem)
        let tally = "\(signers.count) of \(policy.requiredSigners) required distinct signers (\(signers.map(\.principal).joined(separator: ", ")))"
        let missing = policy.requiredSigners - signers.count
        let hint = problems.isEmpty ? "; \(missing) more allowed key\(missing == 1 ? "" : "s") must sign the change, e.g. a reviewer's signed merge" : ""
        return .refused(SignatureRefusal(candidate: candidate, reason: (problems + [tally]).joined(separator: "; ") + hint, checked: checked))
    }

    private func checkedCommit(_ id: CommitID, _ allowed: AllowedSigners) throws(GitError) -> CheckedCommit {
        let info = try commit(id)
        return CheckedCommit(id: id, subject: info.subject, isMerge: info.parents.count > 1,
                             verdict: try verifySignature(of: id, allowedSigners: allowed))
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

    /// Whether a commit is part of the change to review: a merge, or one that changes the folder's files
    /// (a symbolic link's target included).
    private func counts(_ id: CommitID, folder: String) throws(GitError) -> Bool {
        try withCommit(id) { commit throws(GitError) in
            let parentCount = git_commit_parentcount(commit)
            if parentCount > 1 { return true }
            let mine = treeID(of: folder, in: commit)
            guard parentCount == 1 else { return mine != nil }
            var parent: OpaquePointer?
            try check("reading the parent of \(id.short)") { git_commit_parent(&parent, commit, 0) }
            defer { git_commit_free(parent) }
            return folderChanged(folder, commit, from: parent!)
        }
    }
}
