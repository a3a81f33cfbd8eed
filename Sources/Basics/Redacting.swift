import Foundation

/// A type that holds a secret, or what may carry one (a credential, a token, a signing key, an environment, a
/// configuration read from files): its descriptions and its mirror name the type only, so no log line, error,
/// `dump` or service description can print what it holds, at any log level.
public protocol Redacting: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension Redacting {
    public var description: String { "\(Self.self)(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// A description that shows no secret (a type writes its own `description` with the secrets left out), used for
/// `debugDescription` too, and a mirror without children (for `dump`).
public protocol RedactedDescription: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension RedactedDescription {
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// A repository address with its secrets replaced by `REDACTED`, for messages, logs, the journal, the HTTP endpoints
/// and the cache folder's name: its user information (a user, a password, a token: `https://TOKEN@host/…`,
/// `https://user:TOKEN@host/…`, scp-style `TOKEN@host:path`), every query value (`?access_token=TOKEN` shows as
/// `?access_token=REDACTED`; a query part without `=` as `REDACTED`) and the fragment. A local path is shown as it is.
public func redacted(_ url: String) -> String {
    if let scheme = url.range(of: "://") {
        let authorityStart = scheme.upperBound
        let authorityEnd = url[authorityStart...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        guard let at = url[authorityStart..<authorityEnd].lastIndex(of: "@") else { return redactingQuery(url) }
        return redactingQuery(String(url[..<authorityStart]) + "REDACTED" + String(url[at...]))
    }
    // scp-style: [user@]host:path, the user before the first colon.
    if let colon = url.firstIndex(of: ":"), let at = url[..<colon].lastIndex(of: "@") {
        return redactingQuery("REDACTED" + String(url[at...]))
    }
    return url
}

/// The URL with each query value and the fragment replaced by `REDACTED`, the query's names kept.
func redactingQuery(_ url: String) -> String {
    guard let start = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url }
    var shown = String(url[..<start])
    var rest = url[start...]
    if rest.first == "?" {
        rest = rest.dropFirst()
        let end = rest.firstIndex(of: "#") ?? rest.endIndex
        let parts = rest[..<end].split(separator: "&", omittingEmptySubsequences: false).map { part in
            part.isEmpty ? "" : part.firstIndex(of: "=").map { String(part[...$0]) + "REDACTED" } ?? "REDACTED"
        }
        shown += "?" + parts.joined(separator: "&")
        rest = rest[end...]
    }
    if rest.first == "#" { shown += "#REDACTED" }
    return shown
}

/// The parts of `url` that `redacted` hides (user information, query values, fragment), for scrubbing what
/// libgit2 writes about a URL from its messages.
public func secrets(of url: String) -> [String] {
    var found: [String] = []
    if let scheme = url.range(of: "://") {
        let authorityEnd = url[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        if let at = url[scheme.upperBound..<authorityEnd].lastIndex(of: "@") { found.append(String(url[scheme.upperBound..<at])) }
    } else if let colon = url.firstIndex(of: ":"), let at = url[..<colon].lastIndex(of: "@") {
        found.append(String(url[..<at]))
    } else {
        return []
    }
    if let start = url.firstIndex(where: { $0 == "?" || $0 == "#" }) {
        let tail = url[url.index(after: start)...]
        let fragment = url[start] == "#" ? tail[...] : tail.firstIndex(of: "#").map { tail[tail.index(after: $0)...] } ?? ""
        let query = url[start] == "#" ? "" : tail[..<(tail.firstIndex(of: "#") ?? tail.endIndex)]
        for part in query.split(separator: "&") {
            found.append(String(part.firstIndex(of: "=").map { part[part.index(after: $0)...] } ?? part))
        }
        found.append(String(fragment))
    }
    // Longest first, so that a secret holding another is replaced whole. Tokens are long: a short part (a user such as
    // `git`, a value such as `main`) is no secret worth mangling libgit2's words for (the whole URL is still replaced).
    return found.filter { $0.count >= 8 }.sorted { $0.count > $1.count }
}
