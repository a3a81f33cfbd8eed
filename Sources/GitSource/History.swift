import CGit2

/// A commit that changed a file, with what the caller read from the file before (first parent) and after.
public struct FileChange<Value: Sendable>: Sendable {
    public var commit: CommitInfo
    /// The file's path in the repository.
    public var path: String
    /// The file's name in its folder.
    public var name: String
    /// What `read` made of the file at the first parent; nil when absent (or `read` gave nil).
    public var before: Value?
    /// What `read` made of the file at the commit; nil when removed (or `read` gave nil).
    public var after: Value?
}

extension Repository {
    /// Every commit reachable from `head` that changed a file of `folder` whose name `matching` accepts, newest first,
    /// with what `read` makes of each version (called once per distinct blob). A version larger than `maxBytes` (by its
    /// object header) is not read: it counts as one `read` made nothing of.
    ///
    /// Like `git log -- path`, a merge is listed only when the file differs from every parent (a conflict
    /// resolution); a merged pull request is listed through the commit that made the change.
    public func fileChanges<Value: Sendable>(
        in folder: String, from head: CommitID, matching: (String) -> Bool, maxBytes: Int,
        read: (_ path: String, _ text: String) -> Value?
    ) throws(GitError) -> [FileChange<Value>] {
        let folder = normalize(folder)
        var walk: OpaquePointer?
        try check("walking history") { git_revwalk_new(&walk, handle) }
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        var start = head.oid
        try check("walking history from \(head.short)") { git_revwalk_push(walk, &start) }

        // Each distinct blob is read once: blob id hex -> what `read` made of it.
        var parsed: [String: Value?] = [:]
        var changes: [FileChange<Value>] = []
        var oid = git_oid()
        while git_revwalk_next(&oid, walk) == 0 {
            var commit: OpaquePointer?
            guard git_commit_lookup(&commit, handle, &oid) == 0, let commit else { continue }
            defer { git_commit_free(commit) }
            let folderTree = treeID(of: folder, in: commit)
            let parents: [OpaquePointer] = (0..<git_commit_parentcount(commit)).compactMap {
                var parent: OpaquePointer?
                return git_commit_parent(&parent, commit, $0) == 0 ? parent : nil
            }
            defer { parents.forEach { git_commit_free($0) } }
            // Fast path: the folder's tree is the same as a parent's, so no file in it changed.
            let parentTrees = parents.map { treeID(of: folder, in: $0) }
            // (Not when the folder holds symbolic links: their targets may change elsewhere in the tree.)
            if parentTrees.contains(where: { same($0, folderTree) }), !folderHasLinks(folder, commit) { continue }
            if parents.isEmpty && folderTree == nil { continue }

            let mine = fileEntries(folder, commit, matching: matching)
            let theirs = parents.map { fileEntries(folder, $0, matching: matching) }
            for name in Set(mine.keys).union(theirs.flatMap(\.keys)).sorted() {
                let path = folder.isEmpty ? name : "\(folder)/\(name)"
                let after = mine[name]
                let befores = theirs.map { $0[name] }
                if befores.contains(where: { same($0, after) }) { continue }
                func value(_ blob: git_oid?) -> Value? {
                    guard let blob else { return nil }
                    let key = CommitID(blob).hex
                    if let cached = parsed[key] { return cached }
                    let value = (try? self.blobText(blob, path: path, maxBytes: maxBytes)).flatMap { read(path, $0) }
                    parsed[key] = value
                    return value
                }
                changes.append(
                    FileChange(
                        commit: Self.info(commit), path: path, name: name,
                        before: befores.first.flatMap { value($0) }, after: value(after)))
            }
        }
        return changes
    }

    /// Whether two optional object ids are the same object (or both absent).
    func same(_ a: git_oid?, _ b: git_oid?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case var (a?, b?): return git_oid_equal(&a, &b) == 1
        default: return false
        }
    }

    /// The id of `folder`'s tree in `commit` (the root tree when `folder` is empty), nil when it is absent.
    func treeID(of folder: String, in commit: OpaquePointer) -> git_oid? {
        if folder.isEmpty { return git_commit_tree_id(commit)?.pointee }
        return blobID(of: folder, in: commit)
    }

    /// Runs `body` with the tree of `folder` in `commit` (the root tree when `folder` is empty); nil when the folder is
    /// absent or not a folder. The one walk to a folder's tree that the history, the policy and the unread entries share.
    func withFolderTree<T>(_ folder: String, in commit: OpaquePointer, _ body: (OpaquePointer?) -> T) -> T? {
        var root: OpaquePointer?
        guard git_commit_tree(&root, commit) == 0 else { return nil }
        defer { git_tree_free(root) }
        if folder.isEmpty { return body(root) }
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, root, folder) == 0, let entry else { return nil }
        defer { git_tree_entry_free(entry) }
        var sub: OpaquePointer?
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE, git_tree_lookup(&sub, handle, git_tree_entry_id(entry)) == 0 else { return nil }
        defer { git_tree_free(sub) }
        return body(sub)
    }

    /// The files directly in the folder that `matching` accepts: name -> blob id.
    func fileEntries(_ folder: String, _ commit: OpaquePointer, matching: (String) -> Bool) -> [String: git_oid] {
        withFolderTree(folder, in: commit) { tree in
            var result: [String: git_oid] = [:]
            for i in 0..<git_tree_entrycount(tree) {
                guard let entry = git_tree_entry_byindex(tree, i), git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { continue }
                let name = String(cString: git_tree_entry_name(entry))
                guard matching(name) else { continue }
                if git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK {
                    // A link counts as the file it names; one that leads nowhere readable counts as absent.
                    let path = folder.isEmpty ? name : "\(folder)/\(name)"
                    if let resolved = try? resolvedEntry(path, in: commit) { result[name] = resolved.blob }
                } else {
                    result[name] = git_tree_entry_id(entry).pointee
                }
            }
            return result
        } ?? [:]
    }

    /// Whether the folder holds a desired-state file that is a symbolic link.
    private func folderHasLinks(_ folder: String, _ commit: OpaquePointer) -> Bool {
        withFolderTree(folder, in: commit) { tree in
            (0..<git_tree_entrycount(tree)).contains { i in
                git_tree_entry_byindex(tree, i).map { git_tree_entry_filemode($0) == GIT_FILEMODE_LINK } ?? false
            }
        } ?? false
    }
}
