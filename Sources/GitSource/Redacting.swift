import Foundation

// Types that hold Git credentials (a token, an SSH key's passphrase) or a URL that may carry one: their
// descriptions and mirrors show no secret, so nothing that logs or dumps them (swift-service-lifecycle logs its
// services' descriptions at debug) can print one.

/// A description that shows no secret, used for `debugDescription` too, and a mirror without children (for `dump`).
protocol RedactedDescription: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension RedactedDescription {
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

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
