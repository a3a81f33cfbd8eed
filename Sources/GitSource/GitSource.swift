import DesiredState
import Foundation

/// Where the desired state lives: a local repository, or a remote one read through a local bare copy.
public struct GitSource: Sendable {
    public enum Location: Sendable, Equatable {
        case local(path: String)
        case remote(url: String)

        /// A URL (`scheme://…`) or scp-like address (`user@host:path`) is remote; anything else is a path.
        public init(parsing text: String) {
            if text.contains("://") {
                self = .remote(url: text)
            } else if let at = text.firstIndex(of: "@"), let colon = text.firstIndex(of: ":"), at < colon, !text.hasPrefix("/") {
                self = .remote(url: text)
            } else {
                self = .local(path: text)
            }
        }
    }

    public var location: Location
    /// Where remote repositories are cached (`--cache-dir`).
    public var cacheRoot: String
    public var credentials: GitCredentials

    public init(location: Location, cacheRoot: String, credentials: GitCredentials = .fromEnvironment()) {
        self.location = location
        self.cacheRoot = cacheRoot
        self.credentials = credentials
    }

    /// An opened source: the repository and the ref to read when none is given.
    public struct Opened {
        public var repository: Repository
        /// `HEAD` for a local repository, the remote's default branch for a URL.
        public var defaultRef: String
        /// For a remote: whether the sync fetched objects.
        public var fetched: Bool
    }

    /// Opens the local repository, or syncs the remote one.
    public func open() throws(GitError) -> Opened {
        switch location {
        case let .local(path):
            return Opened(repository: try Repository.open(containing: path), defaultRef: "HEAD", fetched: false)
        case let .remote(url):
            let sync = try RemoteMirror(url: url, cacheRoot: cacheRoot, credentials: credentials).sync()
            return Opened(repository: sync.repository, defaultRef: sync.defaultBranch ?? "main", fetched: sync.fetched)
        }
    }
}

/// The desired state as one commit declares it.
public struct Snapshot: Sendable {
    public var commit: CommitInfo
    public var files: [DesiredStateSet.File]

    /// Parses and validates every file.
    /// - Throws: `ValidationFailure` listing every problem in every file.
    public func desiredState() throws(ValidationFailure) -> DesiredStateSet {
        try DesiredStateSet.load(files)
    }
}

extension Repository {
    /// Reads the desired-state folder of the commit `ref` resolves to.
    public func snapshot(ref: String, folder: String) throws(GitError) -> Snapshot {
        let id = try resolve(ref)
        return Snapshot(commit: try commit(id), files: try desiredStateFiles(in: folder, at: id))
    }
}
