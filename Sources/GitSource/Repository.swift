import CGit2
import Foundation

/// An open Git repository: a thin owner of a libgit2 handle.
///
/// Not `Sendable`: libgit2 handles are used from one task at a time. Open one where it is needed.
public final class Repository {
    let handle: OpaquePointer

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit { git_repository_free(handle) }

    /// Opens the repository containing `path` (searching upwards, as `git` does).
    /// - Throws: `GitError` with code `.notARepository` when there is none.
    public static func open(containing path: String) throws(GitError) -> Repository {
        _ = libgit2Initialized
        var repo: OpaquePointer?
        errno = 0
        let result = git_repository_open_ext(&repo, path, 0, nil)
        guard result == 0, let repo else {
            // Only "not found" means there is no repository: out of file descriptors, or a folder that cannot be read,
            // is said as itself, not as a missing repository.
            if result != GIT_ENOTFOUND.rawValue || errno == EMFILE || errno == ENFILE {
                let cause = errno == EMFILE || errno == ENFILE ? String(cString: strerror(errno)) : GitError.last(result, "").message
                throw GitError(.other, context: "opening a Git repository at \(path)", message: cause)
            }
            throw GitError(
                .notARepository, context: "opening a Git repository at \(path)",
                message: "no repository here or in any parent folder", remedy: .nameRepository)
        }
        return Repository(handle: repo)
    }

    /// Opens or creates a bare repository at `path` (the cache of a remote).
    static func openOrInitBare(at path: String) throws(GitError) -> Repository {
        _ = libgit2Initialized
        var repo: OpaquePointer?
        if git_repository_open_bare(&repo, path) == 0, let repo { return Repository(handle: repo) }
        try check("creating the cache repository \(path)") { git_repository_init(&repo, path, 1) }
        return Repository(handle: repo!)
    }

    /// The work tree's folder; nil for a bare repository.
    public var workdir: String? {
        git_repository_workdir(handle).map { String(cString: $0) }
    }

    // MARK: Resolving

    /// Resolves a branch, tag, `HEAD`, remote-tracking branch or (abbreviated) commit id to a commit.
    /// - Throws: `GitError` `.notFound` naming the ref and what exists.
    public func resolve(_ ref: String) throws(GitError) -> CommitID {
        var candidates = [ref]
        if Self.isPlainName(ref) {
            // A short name is looked up as a branch and as a tag; one that names both is refused (git warns and
            // takes the tag, so a pushed tag could stand in for the branch people review).
            let branch = ["refs/heads/\(ref)", "refs/remotes/origin/\(ref)"].first(where: referenceExists)
            let tag = referenceExists("refs/tags/\(ref)") ? "refs/tags/\(ref)" : nil
            if let branch, let tag {
                throw GitError(
                    .refused, context: "resolving ref '\(ref)'",
                    message: "it names both the branch \(branch) and the tag \(tag); name one in full",
                    remedy: .nameRefInFull(["refs/heads/\(ref)", tag]))
            }
            candidates = [branch ?? tag ?? ref]
        } else if ref.hasPrefix("refs/heads/") {
            // A remote's branches are kept as remote-tracking branches in the cache.
            candidates.append("refs/remotes/origin/" + ref.dropFirst("refs/heads/".count))
        }
        for candidate in candidates {
            var object: OpaquePointer?
            guard git_revparse_single(&object, handle, candidate) == 0, let object else { continue }
            defer { git_object_free(object) }
            var commit: OpaquePointer?
            guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else { continue }
            defer { git_object_free(commit) }
            return CommitID(git_object_id(commit).pointee)
        }
        let branches = (try? branchNames()) ?? []
        throw GitError(
            .notFound, context: "resolving ref '\(ref)'",
            message: "no branch, tag or commit of that name"
                + (branches.isEmpty ? "" : "; branches: \(branches.joined(separator: ", "))"))
    }

    /// A name that could be a branch or a tag: not a full ref, `HEAD` or a revision expression.
    static func isPlainName(_ ref: String) -> Bool {
        // A hex-looking name is a name too: git takes a branch or tag named `beef` before a commit id starting so.
        !ref.hasPrefix("refs/") && ref != "HEAD" && !ref.contains(where: { "~^@:{}".contains($0) })
    }

    func referenceExists(_ name: String) -> Bool {
        var oid = git_oid()
        return git_reference_name_to_id(&oid, handle, name) == 0
    }

    /// Local and remote-tracking branch names.
    func branchNames() throws(GitError) -> [String] {
        var iterator: OpaquePointer?
        try check("listing branches") { git_branch_iterator_new(&iterator, handle, GIT_BRANCH_ALL) }
        defer { git_branch_iterator_free(iterator) }
        var names: [String] = []
        var ref: OpaquePointer?
        var type = GIT_BRANCH_LOCAL
        while git_branch_next(&ref, &type, iterator) == 0 {
            var name: UnsafePointer<CChar>?
            if git_branch_name(&name, ref) == 0, let name {
                names.append(String(cString: name).replacingOccurrences(of: "origin/", with: ""))
            }
            git_reference_free(ref)
        }
        return Array(Set(names)).sorted()
    }

    /// The branch HEAD points at (`main`), or nil when HEAD is detached.
    public func currentBranch() -> String? {
        var ref: OpaquePointer?
        guard git_repository_head(&ref, handle) == 0, let ref else {
            // An unborn branch: read the symbolic target.
            var head: OpaquePointer?
            guard git_reference_lookup(&head, handle, "HEAD") == 0, let head else { return nil }
            defer { git_reference_free(head) }
            return git_reference_symbolic_target(head).map { String(cString: $0).replacingOccurrences(of: "refs/heads/", with: "") }
        }
        defer { git_reference_free(ref) }
        guard git_reference_is_branch(ref) == 1 else { return nil }
        return String(cString: git_reference_shorthand(ref))
    }

    // MARK: Reading commits

    func withCommit<T>(_ id: CommitID, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var oid = id.oid
        var commit: OpaquePointer?
        try check("reading commit \(id.short)") { git_commit_lookup(&commit, handle, &oid) }
        defer { git_commit_free(commit) }
        return try body(commit!)
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors; nil when `ancestor` is not in this repository.
    public func isAncestor(_ ancestor: CommitID, of descendant: CommitID) -> Bool? {
        var a = ancestor.oid
        var d = descendant.oid
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, handle, &a) == 0 else { return nil }
        git_commit_free(commit)
        if git_oid_equal(&a, &d) == 1 { return true }
        return git_graph_descendant_of(handle, &d, &a) == 1
    }

    /// The commit's metadata.
    public func commit(_ id: CommitID) throws(GitError) -> CommitInfo {
        try withCommit(id) { commit in Self.info(commit) }
    }

    static func info(_ commit: OpaquePointer) -> CommitInfo {
        let parents = (0..<git_commit_parentcount(commit)).compactMap { git_commit_parent_id(commit, $0).map { CommitID($0.pointee) } }
        return CommitInfo(
            id: CommitID(git_commit_id(commit).pointee),
            author: Signature(git_commit_author(commit)),
            committer: Signature(git_commit_committer(commit)),
            subject: git_commit_summary(commit).map { String(cString: $0) } ?? "",
            message: git_commit_message(commit).map { String(cString: $0) } ?? "",
            parents: parents
        )
    }

    /// The files directly in `folder` of the commit's tree (never the work tree) whose names `matching` accepts.
    ///
    /// A file that is a symbolic link is read from its target in the same tree; a link leading outside the
    /// repository is an error naming its target. A file larger than `maxBytes` is not read: its size comes from the
    /// object's header, and it is returned empty with `oversize` set, so a 400 MB blob costs no memory.
    /// - Throws: `GitError` `.notFound` when the folder does not exist at that commit, or a link's target is missing.
    public func files(in folder: String, at id: CommitID, matching: (String) -> Bool, maxBytes: Int) throws(GitError) -> [TreeFile] {
        let folder = normalize(folder)
        return try withCommit(id) { commit throws(GitError) in
            var root: OpaquePointer?
            try check("reading the tree of \(id.short)") { git_commit_tree(&root, commit) }
            defer { git_tree_free(root) }
            var tree: OpaquePointer? = root
            var subtree: OpaquePointer?
            if !folder.isEmpty {
                var entry: OpaquePointer?
                guard git_tree_entry_bypath(&entry, root, folder) == 0, let entry else {
                    throw GitError(
                        .notFound, context: "reading \(folder)/ at \(id.short)",
                        message: "no such folder in that commit", remedy: .nameFolder)
                }
                defer { git_tree_entry_free(entry) }
                guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else {
                    throw GitError(.notFound, context: "reading \(folder)/ at \(id.short)", message: "\(folder) is a file, not a folder")
                }
                try check("reading \(folder)/ at \(id.short)") { git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)) }
                tree = subtree
            }
            defer { if let subtree { git_tree_free(subtree) } }
            var files: [TreeFile] = []
            for index in 0..<git_tree_entrycount(tree) {
                guard let entry = git_tree_entry_byindex(tree, index), git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { continue }
                let name = String(cString: git_tree_entry_name(entry))
                guard matching(name) else { continue }
                let path = folder.isEmpty ? name : "\(folder)/\(name)"
                // A symbolic link is read through to the file it names in the same commit.
                let blob =
                    git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK
                    ? try resolvedEntry(path, in: commit).blob : git_tree_entry_id(entry).pointee
                let size = try blobSize(blob, path: path)
                if size > maxBytes {
                    files.append(TreeFile(path: path, content: "", oversize: size))
                } else {
                    files.append(TreeFile(path: path, content: try blobText(blob, path: path, maxBytes: maxBytes)))
                }
            }
            return files
        }
    }

    /// What `folder` holds at the commit that `files(in:at:matching:)` does not read: subfolders, submodules, and files
    /// whose names `matching` refuses (`*.YAML`, `README.md`); each as `path: why`. Empty when the folder is absent.
    public func unreadEntries(in folder: String, at id: CommitID, matching: (String) -> Bool) -> [String] {
        let folder = normalize(folder)
        return
            (try? withCommit(id) { commit throws(GitError) -> [String] in
                withFolderTree(folder, in: commit) { tree in
                    var unread: [String] = []
                    for index in 0..<git_tree_entrycount(tree) {
                        guard let entry = git_tree_entry_byindex(tree, index) else { continue }
                        let name = String(cString: git_tree_entry_name(entry))
                        let path = folder.isEmpty ? name : "\(folder)/\(name)"
                        switch git_tree_entry_type(entry) {
                        case GIT_OBJECT_TREE: unread.append("\(path)/: a subfolder; only the files directly in the folder are read")
                        case GIT_OBJECT_COMMIT: unread.append("\(path): a submodule; its files are not read")
                        default:
                            if !matching(name), !name.hasPrefix(".") {
                                unread.append("\(path): not read; desired-state files are named *.yaml or *.yml (lower case)")
                            }
                        }
                    }
                    return unread
                } ?? []
            }) ?? []
    }

    /// The size of a blob in bytes, from the object database's header of it: the blob itself is not loaded
    /// (`git_blob_lookup` would inflate all of it).
    func blobSize(_ oid: git_oid, path: String) throws(GitError) -> Int {
        var odb: OpaquePointer?
        try check("reading \(path)") { git_repository_odb(&odb, handle) }
        defer { git_odb_free(odb) }
        var oid = oid
        var size = 0
        var type = GIT_OBJECT_INVALID
        try check("reading \(path)") { git_odb_read_header(&size, &type, odb, &oid) }
        return size
    }

    /// The blob's text, read only when its header says it holds at most `maxBytes`.
    /// - Throws: `GitError` `.refused` naming the path and its size when it is larger.
    func blobText(_ oid: git_oid, path: String, maxBytes: Int) throws(GitError) -> String {
        let declared = try blobSize(oid, path: path)
        guard declared <= maxBytes else {
            throw GitError(.refused, context: "reading \(path)", message: "the file is \(declared) bytes; at most \(maxBytes) bytes are read")
        }
        var oid = oid
        var blob: OpaquePointer?
        try check("reading \(path)") { git_blob_lookup(&blob, handle, &oid) }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let raw = git_blob_rawcontent(blob) else { return "" }
        let bytes = UnsafeRawBufferPointer(start: raw, count: size)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The blob id of `path` in the commit's tree, or nil when absent.
    func blobID(of path: String, in commit: OpaquePointer) -> git_oid? {
        var tree: OpaquePointer?
        guard git_commit_tree(&tree, commit) == 0 else { return nil }
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, tree, path) == 0, let entry else { return nil }
        defer { git_tree_entry_free(entry) }
        return git_tree_entry_id(entry).pointee
    }
}

func normalize(_ folder: String) -> String {
    var f = folder
    while f.hasPrefix("./") { f.removeFirst(2) }
    while f.hasSuffix("/") { f.removeLast() }
    return f == "." ? "" : f
}
