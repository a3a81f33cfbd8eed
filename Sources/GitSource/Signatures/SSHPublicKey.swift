import Crypto
import Foundation

/// An SSH public key of a type Switchyard verifies signatures for, kept as its wire blob.
///
/// Two keys are the same key exactly when their blobs are equal, as OpenSSH compares them.
public struct SSHPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The key algorithms Switchyard accepts.
    public enum Algorithm: String, Sendable, CaseIterable {
        case ed25519 = "ssh-ed25519"
        case ecdsaP256 = "ecdsa-sha2-nistp256"
        case rsa = "ssh-rsa"
    }

    public let algorithm: Algorithm
    /// The key in SSH wire format (what `ssh-keygen` base64-encodes in a `.pub` file).
    public let blob: [UInt8]

    /// Parses a key blob, checking that it is a well-formed key of a supported type.
    /// - Throws: `SSHKeyError` naming the problem.
    public init(blob: [UInt8]) throws(SSHKeyError) {
        var reader = SSHWireReader(blob)
        guard let type = reader.readText() else { throw SSHKeyError("the key blob is truncated") }
        guard let algorithm = Algorithm(rawValue: type) else {
            throw SSHKeyError(Self.unsupportedReason(type))
        }
        switch algorithm {
        case .ed25519:
            guard let raw = reader.readString(), raw.count == 32, reader.isAtEnd,
                (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil
            else { throw SSHKeyError("malformed ssh-ed25519 key") }
        case .ecdsaP256:
            guard reader.readText() == "nistp256", let point = reader.readString(), reader.isAtEnd,
                (try? P256.Signing.PublicKey(x963Representation: point)) != nil
            else { throw SSHKeyError("malformed ecdsa-sha2-nistp256 key") }
        case .rsa:
            guard let e = reader.readPositiveMPInt(), let n = reader.readPositiveMPInt(), reader.isAtEnd, !e.isEmpty, !n.isEmpty
            else { throw SSHKeyError("malformed ssh-rsa key") }
            guard n.count * 8 >= 2048 else {
                throw SSHKeyError("RSA key of \(n.count * 8) bits is too small; use 2048 bits or more (ed25519 preferred)")
            }
        }
        self.algorithm = algorithm
        self.blob = blob
    }

    /// Parses the base64 key of an `authorized_keys` / `allowed_signers` / `.pub` line.
    /// - Parameter type: the key type written before the base64, which must match the blob.
    public init(type: String, base64: String) throws(SSHKeyError) {
        guard let data = Data(base64Encoded: base64) else { throw SSHKeyError("the key is not valid base64") }
        try self.init(blob: Array(data))
        guard algorithm.rawValue == type else {
            throw SSHKeyError("the line says \(type) but the key is \(algorithm.rawValue)")
        }
    }

    /// The fingerprint as `ssh-keygen -l` prints it: `SHA256:` and unpadded base64.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    /// The key as an `authorized_keys` line without a comment.
    public var openSSHLine: String { "\(algorithm.rawValue) \(Data(blob).base64EncodedString())" }

    public var description: String { "\(algorithm.rawValue) \(fingerprint)" }

    static func unsupportedReason(_ type: String) -> String {
        let supported = Algorithm.allCases.map(\.rawValue).joined(separator: ", ")
        if type.contains("-cert-v01@openssh.com") {
            return "certificate keys (\(type)) are not supported; list the signer's plain key (supported: \(supported))"
        }
        if type.hasPrefix("sk-") {
            return "security-key keys (\(type)) are not supported yet; supported: \(supported)"
        }
        return "key type \(type) is not supported; supported: \(supported)"
    }

    /// The key types OpenSSH knows, so a line naming one is read as a key, not as options.
    static func isKnownKeyType(_ word: String) -> Bool {
        Algorithm(rawValue: word) != nil || word.hasPrefix("ssh-") || word.hasPrefix("ecdsa-sha2-")
            || word.hasPrefix("sk-") || word.hasSuffix("@openssh.com")
    }
}

/// A key that cannot be used: malformed, too weak, or of an unsupported type.
public struct SSHKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
