import CGit2

extension Repository {
    /// The files under `folder` whose work-tree (or staged) content differs from HEAD's, as `git status` lists
    /// them: edits, additions not committed, deletions. Empty for a bare repository (a remote's cache).
    public func uncommittedChanges(in folder: String) -> [String] {
        guard git_repository_is_bare(handle) == 0 else { return [] }
        var options = git_status_options()
        guard git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)) == 0 else { return [] }
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        var list: OpaquePointer?
        guard git_status_list_new(&list, handle, &options) == 0 else { return [] }
        defer { git_status_list_free(list) }
        let prefix = normalize(folder).isEmpty ? "" : normalize(folder) + "/"
        var paths: [String] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index) else { continue }
            let delta = entry.pointee.index_to_workdir ?? entry.pointee.head_to_index
            guard let delta, let path = delta.pointee.new_file.path ?? delta.pointee.old_file.path else { continue }
            let name = String(cString: path)
            if name.hasPrefix(prefix) { paths.append(name) }
        }
        return paths.sorted()
    }
}
