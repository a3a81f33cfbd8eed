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
    /// staged, or the file has uncommitted edits: the commit must contain exactly this change. The file keeps
    /// its mode (a 100755 file stays executable); a symbolic link inside the tree has its target rewritten.
    /// Author and committer are chosen as git chooses them (`GIT_AUTHOR_*`, `GIT_COMMITTER_*`, config). With
    /// `commit.gpgsign=true` the commit is signed as git would sign it (`gpg.format=ssh` with an unencrypted
    /// ed25519 `user.signingkey`), or refused with how to commit it signed.
    /// - Parameter environment: where `GIT_AUTHOR_NAME` and its siblings are read (the process's by default).
    /// - Returns: the new commit.
    public func commitFile(
        path: String, content: String, message: String, author: Identity?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(GitError) -> CommitID {
        guard let workdir else {
            throw GitError(.refused, context: "committing \(path)", message: "the repository is bare; flip needs a clone with a work tree")
        }
        guard let branch = currentBranch() else {
            throw GitError(.refused, context: "committing \(path)", message: "HEAD is detached; check out the branch the flip belongs on")
        }
        let head = try resolve("HEAD")
        // A symbolic link inside the tree: the flip changes the file it points at, as an editor would.
        let entry = try withCommit(head) { commit throws(GitError) in try resolvedEntry(path, in: commit) }
        let target = entry.path
        var index: OpaquePointer?
        try check("reading the index") { git_repository_index(&index, handle) }
        defer { git_index_free(index) }
        let staged = try stagedPaths(head: head, index: index!)
        guard staged.isEmpty else {
            throw GitError(
                .refused, context: "committing \(path)",
                message:
                    "other changes are staged (\(staged.joined(separator: ", "))); commit or unstage them first so the flip commit holds only the flip"
            )
        }
        var status: UInt32 = 0
        if git_status_file(&status, handle, target) == 0, status != GIT_STATUS_CURRENT.rawValue {
            throw GitError(
                .refused, context: "committing \(path)",
                message: "\(target) has uncommitted edits; commit or discard them first")
        }
        let config = try GitConfig(repository: handle)
        let identities = try CommitIdentities.resolve(author: author, config: config, environment: environment)
        let signingKey = try signingKey(config: config, path: target)

        let bytes = Array(content.utf8)
        var blob = git_oid()
        try check("writing \(target)") { git_blob_create_from_buffer(&blob, handle, bytes, bytes.count) }
        let tree = try withCommit(head) { commit throws(GitError) -> git_oid in
            var base: OpaquePointer?
            try check("reading the tree of \(head.short)") { git_commit_tree(&base, commit) }
            defer { git_tree_free(base) }
            var out = git_oid()
            let result = target.withCString { cPath in
                var update = git_tree_update(action: GIT_TREE_UPDATE_UPSERT, id: blob, filemode: entry.mode, path: cPath)
                return git_tree_create_updated(&out, handle, base, 1, &update)
            }
            try check("building the tree") { result }
            return out
        }
        let commit = try createCommit(
            tree: tree, parent: head, message: message, identities: identities,
            signingKey: signingKey, branch: branch)

        // The commit is made; now make the work tree and index agree with it so `git status` is clean.
        let file = URL(fileURLWithPath: workdir).appendingPathComponent(target)
        do {
            // Written in place (not replaced), so the file keeps its permissions.
            let handle = try FileHandle(forWritingTo: file)
            defer { try? handle.close() }
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(bytes))
        } catch {
            throw GitError(.other, context: "updating \(target) in the work tree after commit \(commit.short)", message: "\(error)")
        }
        try check("updating the index") { git_index_add_bypath(index, target) }
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

    /// The key to sign with when `commit.gpgsign` is on; nil when commits are not signed.
    private func signingKey(config: GitConfig, path: String) throws(GitError) -> SSHSigningKey? {
        guard config.bool("commit.gpgsign") == true else { return nil }
        let how =
            "commit.gpgsign is true and flip will not make an unsigned commit: edit activeRegion in \(path) and commit it "
            + "with `git commit -S`, or set user.signingkey to an unencrypted ed25519 private key file, which flip signs with in-process"
        let format = config.string("gpg.format") ?? "openpgp"
        guard format == "ssh" else {
            throw GitError(
                .refused, context: "signing the commit", message: "gpg.format is \(format); flip signs only SSH signatures in-process. \(how)")
        }
        guard let key = config.path("user.signingkey"), !key.isEmpty else {
            throw GitError(.refused, context: "signing the commit", message: "user.signingkey is not set. \(how)")
        }
        if key.hasPrefix("key::") || key.hasPrefix("ssh-") {
            throw GitError(
                .refused, context: "signing the commit",
                message: "user.signingkey is a literal public key, whose private half only ssh-agent holds. \(how)")
        }
        do {
            return try SSHSigningKey.load(path: key)
        } catch {
            throw GitError(.refused, context: "signing the commit with \(key)", message: "\(error). \(how)")
        }
    }

    private func createCommit(
        tree: git_oid, parent: CommitID, message: String, identities: CommitIdentities, signingKey: SSHSigningKey?, branch: String
    ) throws(GitError) -> CommitID {
        var treeID = tree
        var treeObject: OpaquePointer?
        try check("reading the new tree") { git_tree_lookup(&treeObject, handle, &treeID) }
        defer { git_tree_free(treeObject) }
        func signature(_ stamp: CommitStamp) throws(GitError) -> UnsafeMutablePointer<git_signature> {
            var out: UnsafeMutablePointer<git_signature>?
            try check("making a signature for \(stamp.name) <\(stamp.email)>") {
                git_signature_new(&out, stamp.name, stamp.email, git_time_t(stamp.time), stamp.offsetMinutes)
            }
            return out!
        }
        let author = try signature(identities.author)
        defer { git_signature_free(author) }
        let committer = try signature(identities.committer)
        defer { git_signature_free(committer) }
        let buffer = try withCommit(parent) { parentCommit throws(GitError) -> String in
            var out = git_buf()
            defer { git_buf_dispose(&out) }
            var parents: [OpaquePointer?] = [parentCommit]
            try check("creating the commit") {
                git_commit_create_buffer(&out, handle, author, committer, nil, message, treeObject, 1, &parents)
            }
            return String(cString: out.ptr)
        }
        var signatureText: String?
        if let signingKey {
            do {
                // Without its final newline: libgit2 ends the header field with one, as git writes it.
                signatureText = String(try signingKey.armoredSignature(of: Array(buffer.utf8)).dropLast())
            } catch {
                throw GitError(.other, context: "signing the commit", message: "\(error)")
            }
        }
        var id = git_oid()
        try check("writing the commit") {
            git_commit_create_with_signature(&id, handle, buffer, signatureText, signatureText == nil ? nil : "gpgsig")
        }
        // Move the branch only if it still points at the parent, and record it in the reflog as git does.
        var parentOID = parent.oid
        var ref: OpaquePointer?
        let subject = message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        try check("moving \(branch) to the new commit") {
            git_reference_create_matching(&ref, handle, "refs/heads/\(branch)", &id, 1, &parentOID, "commit: \(subject)")
        }
        git_reference_free(ref)
        return CommitID(id)
    }
}
