import AWS
import Basics
import Crypto
import Foundation
import Reconciler

/// The webhook secret and the checks made with it: a hex HMAC-SHA256 of the raw body (GitHub's `X-Hub-Signature-256`,
/// `sha256=` first; Gitea's and Forgejo's bare hex; Bitbucket Server's `X-Hub-Signature`), or the secret itself as a
/// token (GitLab's `X-Gitlab-Token`).
public struct WebhookSignature: Sendable {
    private let key: SymmetricKey
    /// The MAC of the secret itself, against which a token is checked without its length or content showing in timing.
    private let tokenMAC: HashedAuthenticationCode<SHA256>

    /// - Parameter secret: the secret's bytes, as configured on the webhook.
    public init(secret: some DataProtocol) {
        key = SymmetricKey(data: Data(secret))
        tokenMAC = HMAC<SHA256>.authenticationCode(for: Data(secret), using: key)
    }

    /// Whether `token` is the secret (GitLab's `X-Gitlab-Token`); compared in constant time.
    public func isValid(token: String) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(tokenMAC, authenticating: Data(token.utf8), using: key)
    }

    /// Reads the secret from a file, ignoring one trailing newline (as editors add). The file is read as a stream:
    /// a symbolic link (a Kubernetes secret), a FIFO or `/dev/fd/N` (`<(…)`) serves as well as a regular file.
    /// - Throws: `WebhookSecretError` naming the file (never its content).
    public init(secretFile path: String) throws(WebhookSecretError) {
        var data: Data
        do { data = try SecretFile.read(path) } catch {
            throw WebhookSecretError(path: path, message: "cannot be read (\(error.reason))")
        }
        while let last = data.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { data.removeLast() }
        guard !data.isEmpty else { throw WebhookSecretError(path: path, message: "is empty") }
        self.init(secret: data)
    }

    /// Whether `header` is the valid signature of `body`; the comparison takes the same time whatever differs.
    public func isValid(header: String?, body: some DataProtocol) -> Bool {
        guard let header, header.hasPrefix("sha256="), let mac = Self.bytes(hex: header.dropFirst(7)), mac.count == 32 else {
            return false
        }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(body), using: key)
    }

    /// A streaming check of a body against `header`, or nil when the header is not `prefix` and 64 hex digits
    /// (then nothing of the body needs reading).
    public func check(header: String, prefix: String = "sha256=") -> Check? {
        guard header.hasPrefix(prefix), let mac = Self.bytes(hex: header.dropFirst(prefix.count)), mac.count == 32 else { return nil }
        return Check(mac: mac, hmac: HMAC<SHA256>(key: key))
    }

    /// The HMAC of a body computed as it streams in, against the MAC its header claims.
    public struct Check: Sendable {
        let mac: [UInt8]
        var hmac: HMAC<SHA256>

        public mutating func update(_ bytes: some DataProtocol) {
            hmac.update(data: bytes)
        }

        /// Whether the body read so far has the claimed MAC; compared in constant time.
        public var isValid: Bool {
            let code = hmac.finalize()
            return code == Data(mac)  // HashedAuthenticationCode's == is constant-time
        }
    }

    /// The header value for `body`: what GitHub sends (used by tests and the benchmark).
    public func header(for body: some DataProtocol) -> String {
        "sha256=" + hexEncoded(HMAC<SHA256>.authenticationCode(for: Data(body), using: key))
    }

    /// Strict hex digits only: `UInt8(_:radix:)` also takes a sign (`+a`, `-0`), which would accept other
    /// spellings of the same MAC.
    static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }
}

/// The webhook secret file is missing or empty.
public struct WebhookSecretError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String {
        "--webhook-secret-file \(path) \(message); write the secret configured on the webhook into it (mode 0600)"
    }
}

/// The webhook secret never shows in a description or a dump.
extension WebhookSignature: Redacting {}

/// The webhook secret in force: read from its file at start and again on SIGHUP, so a rotated secret (a Kubernetes
/// secret updated in place, a new file) takes effect without a restart. A file that cannot be read then keeps the
/// secret in force: a delivery is never checked against nothing.
public final class WebhookSecret: Sendable {
    /// The file the secret is read from; nil for one given as a value (tests).
    public let path: String?
    private let current: Locked<WebhookSignature>

    public init(_ signature: WebhookSignature) {
        path = nil
        current = Locked(signature)
    }

    /// - Throws: `WebhookSecretError` naming the file, when it cannot be read or is empty (a start-up error).
    public init(file path: String) throws(WebhookSecretError) {
        self.path = path
        current = Locked(try WebhookSignature(secretFile: path))
    }

    /// The signature checks with the secret in force.
    public var signature: WebhookSignature { current.withLock { $0 } }

    /// Reads the file again.
    /// - Returns: whether the secret changed (false too for one given as a value).
    /// - Throws: `WebhookSecretError` when the file cannot be read or is empty; the secret in force stays.
    @discardableResult
    public func reload() throws(WebhookSecretError) -> Bool {
        guard let path else { return false }
        let fresh = try WebhookSignature(secretFile: path)
        let probe = Data("switchyard".utf8)
        return current.withLock { signature in
            defer { signature = fresh }
            return signature.header(for: probe) != fresh.header(for: probe)
        }
    }
}
