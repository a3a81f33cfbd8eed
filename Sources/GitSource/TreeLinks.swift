import CGit2

/// A file in a commit's tree, after following symbolic links that stay inside the tree.
struct ResolvedEntry {
    /// The path of the regular file the entry is, or points at.
    var path: String
    var blob: git_oid
    /// The file's mode (`100644` or `100755`), kept when the file is rewritten.
    var mode: git_filemode_t
}

extension Repository {
    /// Git stores a symbolic link as a blob holding its target; follow at most this many in a chain.
    static let maximumLinkHops = 8
    /// A link's target is a path: one longer than Linux's PATH_MAX is not read.
    static let maximumLinkBytes = 4096

    /// Reads `path` in the commit's tree, following symbolic links whose targets are inside the tree.
    ///
    /// A link is resolved against the tree, never the disk, so what is read is what the commit holds.
    /// - Throws: `GitError` `.notFound` when the path (or a link's target) is not in the commit or is not a file;
    ///   `.refused` naming the target when a link leads outside the repository.
    func resolvedEntry(_ path: String, in commit: OpaquePointer) throws(GitError) -> ResolvedEntry {
        var root: OpaquePointer?
        try check("reading the tree of the commit") { git_commit_tree(&root, commit) }
        defer { git_tree_free(root) }
        var current = path
        var chain: [String] = []
        for _ in 0...Self.maximumLinkHops {
            var entry: OpaquePointer?
            guard git_tree_entry_bypath(&entry, root, current) == 0, let entry else {
                throw GitError(
                    .notFound, context: "reading \(path)",
                    message: chain.isEmpty
                        ? "no such file in the commit"
                        : "it is a symbolic link to `\(chain.last!)`, which resolves to \(current), not a file in the commit")
            }
            defer { git_tree_entry_free(entry) }
            let mode = git_tree_entry_filemode(entry)
            let oid = git_tree_entry_id(entry).pointee
            switch mode {
            case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE:
                return ResolvedEntry(path: current, blob: oid, mode: mode)
            case GIT_FILEMODE_LINK:
                let length = try blobSize(oid, path: current)
                guard length <= Self.maximumLinkBytes else {
                    throw GitError(
                        .refused, context: "reading \(path)",
                        message: "\(current) is a symbolic link whose target is \(length) bytes long; a path has at most \(Self.maximumLinkBytes)")
                }
                let target = try blobText(oid, path: current, maxBytes: Self.maximumLinkBytes)
                chain.append(target)
                guard let next = Self.join(link: current, target: target) else {
                    throw GitError(
                        .refused, context: "reading \(path)",
                        message: "it is a symbolic link to `\(target)`, outside the repository; Switchyard reads only files in the commit: "
                            + "commit the file itself, or a link to a file inside the repository")
                }
                current = next
            default:
                throw GitError(.notFound, context: "reading \(path)", message: "\(current) is a folder or submodule, not a file")
            }
        }
        throw GitError(
            .refused, context: "reading \(path)",
            message: "it is a chain of more than \(Self.maximumLinkHops) symbolic links (\(chain.joined(separator: " -> ")))")
    }

    /// The repository path a link's target names, or nil when it leads outside the repository.
    static func join(link: String, target: String) -> String? {
        guard !target.hasPrefix("/"), !target.isEmpty else { return nil }
        var parts = link.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}
