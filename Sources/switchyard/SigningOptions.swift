import ArgumentParser
import Foundation
import GitSource
import SwitchyardCore

/// Which commits may be applied: signature checks set on the host, never in the repository. `run` takes these alone
/// (its last applied revision comes from its journal); `plan` and `apply` add `--last-applied` (`SigningOptions`).
struct SignerPolicyOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Act only on commits signed (git commit -S, gpg.format=ssh) by a key in this file, git's allowed_signers format.",
            discussion:
                "Signatures are verified in-process: ssh-ed25519, ecdsa-sha2-nistp256, rsa-sha2-512/256; namespace git. See docs/SIGNED-COMMITS.md.",
            valueName: "file"))
    var allowedSigners: String?

    @Option(
        help: ArgumentHelp(
            "How many distinct allowed keys must have signed the change (2: the author's signed commit and a reviewer's signed merge).",
            valueName: "n"))
    var requiredSigners: Int = 1

    func validate() throws {
        guard requiredSigners >= 1 else { throw ValidationError("--required-signers must be at least 1") }
        if allowedSigners == nil && requiredSigners > 1 {
            throw ValidationError("--required-signers needs --allowed-signers FILE: the keys whose signatures count")
        }
    }

    /// The policy these options describe; notes about skipped allowed_signers lines go to stderr.
    /// - Throws: `AllowedSignersError` naming the file and line of a malformed entry.
    func policy() throws -> SignaturePolicy {
        guard let allowedSigners else { return .off }
        let signers = try AllowedSigners.load(contentsOf: allowedSigners)
        signers.notes.forEach { Terminal.note("note: \($0)") }
        guard !signers.entries.isEmpty else {
            throw ValidationError(
                "\(allowedSigners): no usable key; every commit would be refused. List each signer's key (see docs/SIGNED-COMMITS.md)")
        }
        return SignaturePolicy(allowedSigners: signers, requiredSigners: requiredSigners)
    }

    /// The daemon's commit gate: a commit the policy refuses is not applied, and the refusal is reported.
    /// The daemon passes its own last applied revision, from the journal.
    func gate(folder: String) throws -> CommitGate? {
        let policy = try policy()
        guard policy.allowedSigners != nil else { return nil }
        return { repository, lastApplied, candidate in
            // The commit this host last applied was accepted when it was applied: a pass that finds it again
            // has nothing new to review (the policy would refuse a range of nothing).
            if lastApplied?.id == candidate.id { return }
            _ = try repository.reviewSignatures(candidate: candidate.id, lastApplied: lastApplied?.id, folder: folder, policy: policy)
                .requireAccepted()
        }
    }
}

/// The signature options of `plan` and `apply`: the host's policy, and the revision the change is counted from.
struct SigningOptions: ParsableArguments {
    @OptionGroup var signers: SignerPolicyOptions

    @Option(
        help: ArgumentHelp(
            "The revision last applied on this host: --required-signers counts the commits after it that change the desired state, and merges.",
            discussion: "Default: what the commit brings over its first parent (for a merged pull request, its commits and the merge).",
            valueName: "ref"))
    var lastApplied: String?

    func validate() throws {
        if signers.allowedSigners == nil && lastApplied != nil {
            throw ValidationError("--last-applied only matters with --allowed-signers FILE and --required-signers N")
        }
    }

    /// The pass's commit gate for `plan` and `apply`: the change starts at `--last-applied` (or, without it, at what
    /// the commit brings over its first parent); who signed is told on stderr.
    func gate(folder: String) throws -> CommitGate? {
        let policy = try signers.policy()
        guard policy.allowedSigners != nil else { return nil }
        let lastApplied = lastApplied
        return { repository, _, candidate in
            let last = try lastApplied.map { try repository.resolve($0) }
            let approval = try repository.reviewSignatures(candidate: candidate.id, lastApplied: last, folder: folder, policy: policy)
                .requireAccepted()
            let who = approval.signers.map { "\($0.principal) (\($0.keyFingerprint))" }.joined(separator: ", ")
            Terminal.note("signatures: \(candidate.id.short) accepted, signed by \(who)")
        }
    }
}
