import ArgumentParser
import Foundation
import GitSource
import Reconciler

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

    /// The host's commit policy; nil when signatures are off. `run` takes each app's trust base from its journal,
    /// the lock table's fence or a recorded base (`switchyard trust-base`).
    func commitPolicy(folder: String, stateDirectory: String, lastApplied: String? = nil) throws -> CommitPolicy? {
        let policy = try policy()
        guard policy.allowedSigners != nil else { return nil }
        return CommitPolicy(signatures: policy, folder: folder, lastApplied: lastApplied, stateDirectory: stateDirectory)
    }
}

/// The signature options of `plan` and `apply`: the host's policy, and the revision the change is counted from.
struct SigningOptions: ParsableArguments {
    @OptionGroup var signers: SignerPolicyOptions

    @Option(
        help: ArgumentHelp(
            "The revision last applied on this host: --required-signers counts the commits after it that change the desired state, and merges.",
            discussion:
                "Default: per app, the commit this host last applied (its journal), the lock table's fence, or the base recorded by "
                + "`switchyard trust-base COMMIT`; with none of them a rule of more than one signer refuses the commit.",
            valueName: "ref"))
    var lastApplied: String?

    func validate() throws {
        if signers.allowedSigners == nil && lastApplied != nil {
            throw ValidationError("--last-applied only matters with --allowed-signers FILE and --required-signers N")
        }
    }

    /// The commit policy of `plan` and `apply`: the same rule as `run`'s, the change counted from `--last-applied`
    /// when given.
    func commitPolicy(folder: String, stateDirectory: String) throws -> CommitPolicy? {
        try signers.commitPolicy(folder: folder, stateDirectory: stateDirectory, lastApplied: lastApplied)
    }
}

extension Terminal {
    /// Says on stderr who signed the commit a pass accepted.
    @Sendable static func signatures(_ approval: SignatureApproval) {
        guard !approval.signers.isEmpty else {
            note("signatures: \(approval.candidate.short) accepted: already applied on this host")
            return
        }
        let who = approval.signers.map { "\($0.principal) (\($0.keyFingerprint))" }.joined(separator: ", ")
        note("signatures: \(approval.candidate.short) accepted, signed by \(who)")
    }
}
