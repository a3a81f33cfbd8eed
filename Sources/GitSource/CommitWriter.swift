import CGit2
import Foundation

/// The person a commit is attributed to, as `Name <email>`.
public struct Identity: Sendable, Equatable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// Parses `Name <email>`; nil when the text is not of that form.
    public init?(parsing text: String) {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { return nil }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(text[text.index(after: open)..<close])
        guard !name.isEmpty, !email.isEmpty, !email.contains(" ") else { return nil }
        self.init(name: name, email: email)
    }
}

extension Repository {
    /// Commits one file's new content on the current branch, and brings the index and work tree along.
    ///
    /// Refuses, changing nothing, when the repository is bare, HEAD is detached or unborn, something is
    /// staged, or the file has uncommitted edits: the commit must contain exactly this change.
    /// - Returns: the new commit.
    public func commitFile(path: String, content: String, message: String, author: Identity?) throws(GitError) -> CommitID {
        guard let workdir else {
            throw GitError(.refused, context: "committing \(path)", message: "the repository is bare; flip needs a clone with a work tree")
        }
        guard let branch = currentBranch() else {
            throw GitError(.refused, context: "committing \(path)", message: "HEAD is detached; check out the branch the flip belongs on")
        }
        let head = try resolve("HEAD")
        var index: OpaquePointer?
        try check("reading the index") { git_repository_index(&index, handle) }
        defer { git_index_free(index) }
        let staged = try stagedPaths(head: head, index: index!)
        guard staged.isEmpty else {
            throw GitError(.refused, context: "committing \(path)",
                           message: "other changes are staged (\(staged.joined(separator: ", "))); commit or unstage them first so the flip commit holds only the flip")
        }
        var status: UInt32 = 0
        if git_status_file(&status, handle, path) == 0, status != GIT_STATUS_CURRENT.rawValue {
            throw GitError(.refused, context: "committing \(path)",
                           message: "\(path) has uncommitted edits; commit or discard them first")
        }

        let bytes = Array(content.utf8)
        var blob = git_oid()
        try check("writing \(path)") { git_blob_create_from_buffer(&blob, handle, bytes, bytes.count) }
        let tree = try withCommit(head) { commit throws(GitError) -> git_oid in
            var base: OpaquePointer?
            try check("reading the tree of \(head.short)") { git_commit_tree(&base, commit) }
            defer { git_tree_free(base) }
            var out = git_oid()
            let result = path.withCString { cPath in
                var update = git_tree_update(action: GIT_TREE_UPDATE_UPSERT, id: blob, filemode: GIT_FILEMODE_BLOB, path: cPath)
                return git_tree_create_updated(&out, handle, base, 1, &update)
            }
            try check("building the tree") { result }
            return out
        }
        let commit = try createCommit(tree: tree, parent: head, message: message, author: author, ref: "refs/heads/\(branch)")

        // The commit is made; now make the work tree and index agree with it so `git status` is clean.
        let file = URL(fileURLWithPath: workdir).appendingPathComponent(path)
        do {
            try Data(bytes).write(to: file)
        } catch {
            throw GitError(.other, context: "updating \(path) in the work tree after commit \(commit.short)", message: "\(error)")
        }
        try check("updating the index") { git_index_add_bypath(index, path) }
        try check("writing the index") { git_index_write(index) }
        return commit
    }

    private func stagedPaths(head: CommitID, index: OpaquePointer) throws(GitError) -> [String] {
        try withCommit(head) { commit throws(GitError) in
            var tree: OpaquePointer?
            try check("reading HEAD's tree") { git_commit_tree(&tree, commit) }
            defer { git_tree_free(tree) }
            var diff: OpaquePointer?
            try check("comparing the index with HEAD") { git_diff_tree_to_index(&diff, handle, tree, index, nil) }
            defer { git_diff_free(diff) }
            return (0..<git_diff_num_deltas(diff)).compactMap { i in
                git_diff_get_delta(diff, i)?.pointee.new_file.path.map { String(cString: $0) }
            }
        }
    }

    private func createCommit(tree: git_oid, parent: CommitID, message: String, author: Identity?, ref: String) throws(GitError) -> CommitID {
        var treeID = tree
        var treeObject: OpaquePointer?
        try check("reading the new tree") { git_tree_lookup(&treeObject, handle, &treeID) }
        defer { git_tree_free(treeObject) }
        var committer: UnsafeMutablePointer<git_signature>?
        if git_signature_default(&committer, handle) != 0 {
            guard let author else {
                throw GitError(.refused, context: "committing",
                               message: "no identity: set user.name and user.email in git config, or pass --author \"Name <email>\"")
            }
            try check("making a signature") { git_signature_now(&committer, author.name, author.email) }
        }
        defer { git_signature_free(committer) }
        var authorSignature: UnsafeMutablePointer<git_signature>?
        if let author {
            try check("making a signature") { git_signature_now(&authorSignature, author.name, author.email) }
        }
        defer { if let authorSignature { git_signature_free(authorSignature) } }
        return try withCommit(parent) { parentCommit throws(GitError) in
            var out = git_oid()
            var parents: [OpaquePointer?] = [parentCommit]
            try check("creating the commit") {
                git_commit_create(&out, handle, ref, authorSignature ?? committer, committer, "UTF-8", message, treeObject, 1, &parents)
            }
            return CommitID(out)
        }
    }
}
