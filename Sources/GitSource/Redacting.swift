import Basics
import Foundation

// Types that hold Git credentials (a token, an SSH key's passphrase) or a URL that may carry one: their
// descriptions and mirrors show no secret, so nothing that logs or dumps them (swift-service-lifecycle logs its
// services' descriptions at debug) can print one.

extension GitCredentials: RedactedDescription {
    public var description: String {
        "GitCredentials(token: \(token == nil ? "none" : "redacted"), sshKey: \(sshKey ?? "none"), passphrase: \(sshKeyPassphrase == nil ? "none" : "redacted"))"
    }
}

extension GitSource.Location: RedactedDescription {
    public var description: String {
        switch self {
        case let .local(path): path
        case let .remote(url): redacted(url)
        }
    }
}

extension GitSource: RedactedDescription {
    public var description: String { "GitSource(\(location))" }
}

extension RemoteMirror: RedactedDescription {
    public var description: String { "RemoteMirror(\(redacted(url)))" }
}

extension GitError {
    /// The error with `url` and its secrets hidden from what libgit2 said (some of its messages quote the URL).
    func hidingSecrets(of url: String) -> GitError {
        var error = self
        for text in [\GitError.context, \GitError.message] {
            var scrubbed = error[keyPath: text].replacingOccurrences(of: url, with: redacted(url))
            for secret in secrets(of: url) { scrubbed = scrubbed.replacingOccurrences(of: secret, with: "REDACTED") }
            error[keyPath: text] = scrubbed
        }
        return error
    }
}
