import DesiredState
import GitSource

/// A commit that changed an application file's `activeRegion`.
public struct RegionChange: Sendable, Hashable, Codable {
    public var commit: CommitInfo
    /// The file's path in the repository.
    public var path: String
    /// The application's name at that commit (its `metadata.name`, or the file name if it did not parse).
    public var app: String
    /// `activeRegion` before the commit; nil when the file was added (or did not parse).
    public var from: String?
    /// `activeRegion` after the commit; nil when the file was removed (or does not parse).
    public var to: String?
}

extension Repository {
    /// Every commit reachable from `head` that changed the `activeRegion` of a desired-state file in `folder`, newest
    /// first: Git's walk (GitSource) read through the desired-state parser.
    public func regionChanges(in folder: String, from head: CommitID) throws(GitError) -> [RegionChange] {
        let changes = try fileChanges(
            in: folder, from: head, matching: DesiredStateSet.isDesiredStateFile, maxBytes: DocumentLimits.maxBytes
        ) { path, text in
            if case let .success(app) = ApplicationParser.parse(text, path: path) {
                return RegionDeclaration(app: app.name, region: app.spec.activeRegion)
            }
            return nil
        }
        return changes.compactMap { change in
            let (from, to) = (change.before?.region, change.after?.region)
            guard from != to else { return nil }
            let app = change.after?.app ?? String(change.name.split(separator: ".").first ?? Substring(change.name))
            return RegionChange(commit: change.commit, path: change.path, app: app, from: from, to: to)
        }
    }

    /// Reads the desired-state files of `folder` at the commit `ref` resolves to; one over the size limit is not read
    /// (validation refuses it by the size its object header gives).
    public func snapshot(ref: String, folder: String) throws(GitError) -> Snapshot {
        try snapshot(ref: ref, folder: folder, matching: DesiredStateSet.isDesiredStateFile, maxBytes: DocumentLimits.maxBytes)
    }
}

/// What a desired-state file declares that its history follows.
struct RegionDeclaration: Sendable, Hashable {
    var app: String
    var region: String
}

extension Snapshot {
    /// Parses and validates every desired-state file of the snapshot.
    /// - Throws: `ValidationFailure` listing every problem in every file.
    public func desiredState() throws(ValidationFailure) -> DesiredStateSet {
        try DesiredStateSet.load(files.map { DesiredStateSet.File(path: $0.path, content: $0.content, oversize: $0.oversize) })
    }
}
