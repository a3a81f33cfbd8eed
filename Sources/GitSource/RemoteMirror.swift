import Basics
import CGit2
import Crypto
import Foundation

/// How to authenticate to a remote, read from the environment (never from the repository).
public struct GitCredentials: Sendable {
    /// HTTPS: a token sent as the password (`SWITCHYARD_GIT_TOKEN`), with `SWITCHYARD_GIT_USERNAME` (default `x-access-token`).
    public var token: String?
    public var username: String
    /// SSH: the private key file (`SWITCHYARD_SSH_KEY`, default `~/.ssh/id_ed25519`) and its passphrase (`SWITCHYARD_SSH_KEY_PASSPHRASE`).
    public var sshKey: String?
    public var sshKeyPassphrase: String?
    /// SSH: the known_hosts file that must list the server's key (`SWITCHYARD_SSH_KNOWN_HOSTS`, default `~/.ssh/known_hosts`).
    public var knownHosts: String?

    public init(
        token: String? = nil, username: String = "x-access-token", sshKey: String? = nil,
        sshKeyPassphrase: String? = nil, knownHosts: String? = nil
    ) {
        self.token = token
        self.username = username
        self.sshKey = sshKey
        self.sshKeyPassphrase = sshKeyPassphrase
        self.knownHosts = knownHosts
    }

    /// Reads the `SWITCHYARD_*` variables above.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> GitCredentials {
        let home = env["HOME"] ?? NSHomeDirectory()
        return GitCredentials(
            token: env["SWITCHYARD_GIT_TOKEN"],
            username: env["SWITCHYARD_GIT_USERNAME"] ?? "x-access-token",
            sshKey: env["SWITCHYARD_SSH_KEY"] ?? "\(home)/.ssh/id_ed25519",
            sshKeyPassphrase: env["SWITCHYARD_SSH_KEY_PASSPHRASE"],
            knownHosts: env["SWITCHYARD_SSH_KNOWN_HOSTS"] ?? "\(home)/.ssh/known_hosts"
        )
    }
}

/// A local bare copy of a remote repository, cloned once and then fetched incrementally.
public struct RemoteMirror: Sendable {
    public var url: String
    /// The folder holding the bare copy.
    public var path: String
    public var credentials: GitCredentials

    /// - Parameters:
    ///   - url: `file://`, `https://`, `ssh://` or `user@host:path`.
    ///   - cacheRoot: the folder under which each remote gets its own bare copy.
    public init(url: String, cacheRoot: String, credentials: GitCredentials = .fromEnvironment()) {
        self.url = url
        self.path = "\(cacheRoot)/\(Self.folderName(url))"
        self.credentials = credentials
    }

    /// The outcome of a sync.
    public struct Sync {
        public var repository: Repository
        /// The remote's default branch (`main`), from its HEAD.
        public var defaultBranch: String?
        /// Whether objects were fetched; false when every remote branch was already known.
        public var fetched: Bool
    }

    /// Lists the remote's refs and fetches only when a branch or tag moved (force-pushes included).
    /// - Throws: `GitError` that shows the URL only redacted, whatever libgit2 quoted of it.
    public func sync() throws(GitError) -> Sync {
        do throws(GitError) { return try syncing() } catch { throw error.hidingSecrets(of: url) }
    }

    private func syncing() throws(GitError) -> Sync {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw GitError(.other, context: "creating the cache folder \(path)", message: "\(error)")
        }
        let repo = try Repository.openOrInitBare(at: path)
        // An in-memory remote, with the refspecs passed to each fetch: nothing is read from the mirror's config. A
        // named remote (`git_remote_lookup`) reads `remote.origin.*` with regular expressions, and libgit2 1.5 leaks
        // the PCRE2 match data of every non-matching entry (fixed in libgit2 1.6): about 400 KB a pass.
        var creation = git_remote_create_options()
        git_remote_create_options_init(&creation, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION))
        creation.repository = repo.handle
        creation.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue
        var remote: OpaquePointer?
        try check("setting up the remote \(redacted(url))") { git_remote_create_with_opts(&remote, url, &creation) }
        defer { git_remote_free(remote) }

        let context = CallbackContext(credentials: credentials)
        let box = Unmanaged.passRetained(context)
        defer { box.release() }
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        callbacks.credentials = acquireCredentials
        callbacks.certificate_check = checkCertificate
        callbacks.payload = box.toOpaque()

        let connected = git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil)
        if connected != 0 { throw context.error(connected, "connecting to \(redacted(url))") }
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try check("listing the refs of \(redacted(url))") { git_remote_ls(&heads, &count, remote) }
        var changed = false
        for i in 0..<count {
            guard let head = heads?[i]?.pointee else { continue }
            let name = String(cString: head.name)
            guard let local = localRef(for: name) else { continue }
            var current = git_oid()
            var remoteID = head.oid
            if git_reference_name_to_id(&current, repo.handle, local) != 0 || git_oid_equal(&current, &remoteID) == 0 {
                changed = true
            }
        }
        var buffer = git_buf()
        var defaultBranch: String?
        if git_remote_default_branch(&buffer, remote) == 0, let ptr = buffer.ptr {
            defaultBranch = String(cString: ptr).replacingOccurrences(of: "refs/heads/", with: "")
            git_buf_dispose(&buffer)
        }
        git_remote_disconnect(remote)
        if changed || count == 0 {
            var options = git_fetch_options()
            git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
            options.callbacks = callbacks
            options.prune = GIT_FETCH_PRUNE
            options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
            let specs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]
            let result = withStrArray(specs) { array in git_remote_fetch(remote, &array, &options, "switchyard fetch") }
            if result != 0 { throw context.error(result, "fetching \(redacted(url))") }
        }
        return Sync(repository: repo, defaultBranch: defaultBranch, fetched: changed)
    }

    private func localRef(for remoteRef: String) -> String? {
        if remoteRef.hasPrefix("refs/heads/") { return "refs/remotes/origin/" + remoteRef.dropFirst("refs/heads/".count) }
        if remoteRef.hasPrefix("refs/tags/"), !remoteRef.hasSuffix("^{}") { return remoteRef }
        return nil
    }
}

extension RemoteMirror {
    /// The cache folder's name for `url`: its host and path made file-name safe, and a hash of the redacted URL, so
    /// neither a token in the URL nor the token's absence changes or shows in the folder (paths appear in errors).
    static func folderName(_ url: String) -> String {
        let shown = redacted(url)
        let readable = String(
            shown.replacingOccurrences(of: "REDACTED@", with: "")
                .map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        ).suffix(60)
        let digest = SHA256.hash(data: Data(shown.utf8)).prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return "\(readable)-\(digest)"
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

func withStrArray<T>(_ strings: [String], _ body: (inout git_strarray) -> T) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: strings.count)
        return body(&array)
    }
}

/// State shared with libgit2's C callbacks through their payload pointer.
final class CallbackContext {
    let credentials: GitCredentials
    var attempts = 0
    var hostKeyProblem: String?

    init(credentials: GitCredentials) { self.credentials = credentials }

    func error(_ result: Int32, _ context: String) -> GitError {
        if let hostKeyProblem { return GitError(.hostKey, context: context, message: hostKeyProblem) }
        var error = GitError.last(result, context)
        if error.code == .authentication || (attempts > 2 && error.code != .network) {
            error.code = .authentication
            error.message += "; set SWITCHYARD_GIT_TOKEN for HTTPS or SWITCHYARD_SSH_KEY for SSH"
        }
        return error
    }
}

private func acquireCredentials(
    out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, url: UnsafePointer<CChar>?,
    usernameFromURL: UnsafePointer<CChar>?, allowed: UInt32, payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let payload else { return GIT_PASSTHROUGH.rawValue }
    let context = Unmanaged<CallbackContext>.fromOpaque(payload).takeUnretainedValue()
    context.attempts += 1
    guard context.attempts <= 2 else { return GIT_EAUTH.rawValue }
    let creds = context.credentials
    let user = usernameFromURL.map { String(cString: $0) }
    if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0, let key = creds.sshKey, FileManager.default.fileExists(atPath: key) {
        return git_credential_ssh_key_new(out, user ?? "git", nil, key, creds.sshKeyPassphrase)
    }
    if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = creds.token {
        return git_credential_userpass_plaintext_new(out, user ?? creds.username, token)
    }
    if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
        return git_credential_username_new(out, user ?? "git")
    }
    return GIT_PASSTHROUGH.rawValue
}

private func checkCertificate(
    cert: UnsafeMutablePointer<git_cert>?, valid: Int32, host: UnsafePointer<CChar>?, payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let cert, let payload else { return GIT_PASSTHROUGH.rawValue }
    guard cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
        // TLS: keep libgit2's own verification against the system's trust store.
        return GIT_PASSTHROUGH.rawValue
    }
    let context = Unmanaged<CallbackContext>.fromOpaque(payload).takeUnretainedValue()
    let hostName = host.map { String(cString: $0) } ?? ""
    let hostKey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
    guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey else {
        context.hostKeyProblem = "the SSH server's key cannot be checked (no raw key from libssh2)"
        return GIT_ECERTIFICATE.rawValue
    }
    let key = Data(bytes: raw, count: hostKey.hostkey_len)
    let file = context.credentials.knownHosts ?? ""
    let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    if KnownHosts(text).contains(host: hostName, key: key) { return 0 }
    context.hostKeyProblem = "the SSH host key of \(hostName) is not in \(file); add it (ssh-keyscan \(hostName)) after checking its fingerprint"
    return GIT_ECERTIFICATE.rawValue
}
