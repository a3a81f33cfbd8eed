import DesiredState
import Foundation
import GitSource
import Journaling

/// Which commits this host applies: its signature policy and where the review of a change starts. One rule for
/// `run`, `apply` and `plan` (set on the host, never in the repository, so a commit cannot lower it).
///
/// Where the change starts is known or the commit is refused: a revision a person named (`--last-applied`), else,
/// per app, the commit this host last applied for that app (its journal; never another app's), the commit the lock
/// table's fence records for it, or the trust base a person recorded (`switchyard trust-base COMMIT`). A file added
/// since the newest commit this host applied counts from that commit. Anything else has no base, and a rule of more
/// than one signer refuses it: where Switchyard cannot know, it does not act.
public struct CommitPolicy: Sendable {
    public var signatures: SignaturePolicy
    /// The desired-state folder.
    public var folder: String
    /// The revision a person named as already applied (`--last-applied`): the base of every file.
    public var lastApplied: String?
    /// The state folder, where `switchyard trust-base` records a base.
    public var stateDirectory: String?

    public init(signatures: SignaturePolicy, folder: String, lastApplied: String? = nil, stateDirectory: String? = nil) {
        self.signatures = signatures
        self.folder = folder
        self.lastApplied = lastApplied
        self.stateDirectory = stateDirectory
    }

    /// What the host knows of its past, from which each app's base is taken.
    public struct History: Sendable {
        /// The journal's rows, by app.
        public var appStates: [String: AppState]
        /// The commit the lock table's fence records, by app (only for apps the journal has no applied commit for).
        public var fences: [String: String]
        /// The trust base a person recorded in the state folder.
        public var recorded: RecordedTrustBase?

        public init(appStates: [String: AppState] = [:], fences: [String: String] = [:], recorded: RecordedTrustBase? = nil) {
            self.appStates = appStates
            self.fences = fences
            self.recorded = recorded
        }
    }

    /// Whether the review needs each app's base (a rule of more than one signer with no `--last-applied`).
    public var needsBases: Bool { signatures.allowedSigners != nil && signatures.requiredSigners > 1 && lastApplied == nil }

    /// Reviews `candidate`, the commit whose desired state is `state`.
    /// - Returns: the approval (who signed).
    /// - Throws: `SignatureRefusal` when the commit must not be applied; `GitError` when Git cannot be read.
    public func review(_ repository: Repository, candidate: CommitInfo, state: DesiredStateSet, history: History) throws -> SignatureApproval {
        guard signatures.allowedSigners != nil else {
            return try repository.reviewSignatures(candidate: candidate.id, lastApplied: nil, folder: folder, policy: signatures)
                .requireAccepted()
        }
        if let lastApplied {
            let base = try repository.resolve(lastApplied)
            return try repository.reviewSignatures(candidate: candidate.id, lastApplied: base, folder: folder, policy: signatures)
                .requireAccepted()
        }
        // The commit this host already applied for every app was reviewed when it was applied: a pass that finds it
        // again has nothing new to review (a key retired since must not make an idle host unready).
        if !state.applications.isEmpty, state.applications.allSatisfy({ history.appStates[$0.name]?.lastAppliedCommit == candidate.id.hex }) {
            return .alreadyApplied(candidate.id)
        }
        let bases = self.bases(repository, candidate: candidate.id, state: state, history: history)
        return try repository.reviewSignatures(candidate: candidate.id, bases: bases, folder: folder, policy: signatures).requireAccepted()
    }

    /// Each app file's base, and the base of the folder's other files.
    func bases(_ repository: Repository, candidate: CommitID, state: DesiredStateSet, history: History) -> SignatureBases {
        let present = repository.fileNames(in: folder, at: candidate)
        let newest = history.appStates.values.filter { $0.lastAppliedCommit != nil }.max { $0.updatedAt < $1.updatedAt }
            .map { TrustBase(commit: CommitID(hex: $0.lastAppliedCommit!), origin: "the commit this host last applied, for app \($0.app)") }
        let recorded = history.recorded.map { TrustBase(commit: CommitID(hex: $0.commit), origin: $0.origin) }
        let newestFiles = newest.map { repository.fileNames(in: folder, at: $0.commit) } ?? []
        // A file no app declares now (deleted, renamed) counts from the recorded base or the newest applied commit.
        var bases = SignatureBases(others: recorded ?? newest)
        for app in state.applications {
            // Files are read directly in the folder: the file's name is the last part of its path, however the folder
            // was spelled (`./desired-state`, `desired-state//`). A name the folder does not hold has no base.
            let file = String(app.source.path.split(separator: "/").last ?? "")
            guard present.contains(file) else {
                bases.unknown.insert(file)
                continue
            }
            if let applied = history.appStates[app.name]?.lastAppliedCommit {
                bases.files[file] = TrustBase(commit: CommitID(hex: applied), origin: "the commit this host last applied for app \(app.name)")
            } else if let fence = history.fences[app.name] {
                bases.files[file] = TrustBase(commit: CommitID(hex: fence), origin: "the lock table's commit fence for app \(app.name)")
            } else if let recorded {
                bases.files[file] = recorded
            } else if let newest, !newestFiles.contains(file) {
                // Added since the newest commit this host applied: its whole content is the change.
                bases.files[file] = newest
            } else {
                // Declared at the newest applied commit, yet never applied here: nothing tells what was approved.
                bases.unknown.insert(file)
            }
        }
        return bases
    }
}
