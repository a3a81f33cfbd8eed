import Foundation

// Types that hold Git credentials (a token, an SSH key's passphrase) or a URL that may carry one: their
// descriptions and mirrors show no secret, so nothing that logs or dumps them (swift-service-lifecycle logs its
// services' descriptions at debug) can print one.

extension GitCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "GitCredentials(token: \(token == nil ? "none" : "redacted"), sshKey: \(sshKey ?? "none"), passphrase: \(sshKeyPassphrase == nil ? "none" : "redacted"))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension GitSource.Location: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        switch self {
        case let .local(path): path
        case let .remote(url): redacted(url)
        }
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }
}

extension GitSource: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "GitSource(\(location))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension RemoteMirror: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "RemoteMirror(\(redacted(url)))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
