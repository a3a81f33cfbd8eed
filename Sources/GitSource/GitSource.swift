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
            // The remote's default branch is always followed as a branch, never a tag of the same name.
            return Opened(repository: sync.repository, defaultRef: "refs/heads/\(sync.defaultBranch ?? "main")", fetched: sync.fetched)
        }
    }
}

/// The files of one folder as one commit holds them.
public struct Snapshot: Sendable {
    public var commit: CommitInfo
    public var files: [TreeFile]
    /// What the folder holds that is not read (subfolders, submodules, other names), each as `path: why`.
    public var unread: [String]

    public init(commit: CommitInfo, files: [TreeFile], unread: [String] = []) {
        self.commit = commit
        self.files = files
        self.unread = unread
    }
}

/// A file of a commit's tree: its path in the repository and its text.
public struct TreeFile: Sendable, Hashable {
    public var path: String
    public var content: String
    /// The file's size in bytes when it is larger than the reader's limit: it was not read, and `content` is empty.
    public var oversize: Int?

    public init(path: String, content: String, oversize: Int? = nil) {
        self.path = path
        self.content = content
        self.oversize = oversize
    }
}

extension Repository {
    /// Reads the files of `folder` whose names `matching` accepts, at the commit `ref` resolves to; a file over
    /// `maxBytes` is not read (its `oversize` says how large it is).
    public func snapshot(ref: String, folder: String, matching: (String) -> Bool, maxBytes: Int) throws(GitError) -> Snapshot {
        let id = try resolve(ref)
        return Snapshot(
            commit: try commit(id), files: try files(in: folder, at: id, matching: matching, maxBytes: maxBytes),
            unread: unreadEntries(in: folder, at: id, matching: matching))
    }
}
