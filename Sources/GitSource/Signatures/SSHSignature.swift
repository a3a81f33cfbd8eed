import _CryptoExtras
import Crypto
import Foundation

/// An OpenSSH signature (`ssh-keygen -Y sign`, PROTOCOL.sshsig), as git stores it in a commit's `gpgsig` header.
public struct SSHSignature: Sendable, Hashable {
    /// The digest applied to the message before signing.
    public enum HashAlgorithm: String, Sendable, CaseIterable {
        case sha256, sha512
    }

    /// The key that made the signature (not yet trusted: match it against `AllowedSigners`).
    public var publicKey: SSHPublicKey
    /// What the signature is for; git signs with `git`, so a signature made for a file cannot pass as a commit's.
    public var namespace: String
    public var hashAlgorithm: HashAlgorithm
    /// The signature's algorithm, e.g. `ssh-ed25519` or `rsa-sha2-512`.
    public var signatureAlgorithm: String
    /// The algorithm-specific signature bytes.
    public var signatureBytes: [UInt8]

    static let magic = Array("SSHSIG".utf8)
    static let begin = "-----BEGIN SSH SIGNATURE-----"
    static let end = "-----END SSH SIGNATURE-----"
    /// Far above any real signature (an RSA-16384 one is under 5 KiB); bounds the work on hostile input.
    static let maximumArmoredSize = 256 * 1024

    /// The armor `ssh-keygen -Y sign` writes around a signature blob: its base64 wrapped at 70 columns.
    static func armor(blob: [UInt8]) -> String {
        let base64 = Data(blob).base64EncodedString()
        var lines = [begin]
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(70)))
            rest = rest.dropFirst(70)
        }
        lines.append(end)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses an armored signature (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`).
    ///
    /// Total on arbitrary input: anything malformed is a thrown `SSHSignatureError`, never a crash.
    /// - Throws: `SSHSignatureError` saying what is wrong.
    public static func parse(armored: String) throws(SSHSignatureError) -> SSHSignature {
        try parse(armored: Array(armored.utf8))
    }

    /// Parses an armored signature given as raw bytes (as read from a commit header or a fuzzer).
    /// - Throws: `SSHSignatureError` saying what is wrong.
    public static func parse(armored bytes: [UInt8]) throws(SSHSignatureError) -> SSHSignature {
        guard bytes.count <= maximumArmoredSize else { throw SSHSignatureError("the signature is larger than \(maximumArmoredSize) bytes") }
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let first = lines.first else { throw SSHSignatureError("the signature is empty") }
        guard first == begin else {
            if first.hasPrefix("-----BEGIN PGP") {
                throw SSHSignatureError("this is an OpenPGP signature; only SSH signatures (gpg.format=ssh) are accepted")
            }
            if first.hasPrefix("-----BEGIN") { throw SSHSignatureError("this is not an SSH signature (\(first.prefix(40)))") }
            throw SSHSignatureError("missing the \(begin) line")
        }
        guard let endIndex = lines.firstIndex(of: end) else { throw SSHSignatureError("missing the \(end) line") }
        guard endIndex == lines.count - 1 else { throw SSHSignatureError("text after the \(end) line") }
        let body = lines[1..<endIndex].joined()
        guard let blob = Data(base64Encoded: body) else { throw SSHSignatureError("the signature body is not valid base64") }
        return try parse(blob: Array(blob))
    }

    /// Parses the binary signature blob (the armor's base64 content).
    /// - Throws: `SSHSignatureError` saying what is wrong.
    public static func parse(blob: [UInt8]) throws(SSHSignatureError) -> SSHSignature {
        var reader = SSHWireReader(blob)
        guard reader.readBytes(magic.count) == magic else { throw SSHSignatureError("missing the SSHSIG magic preamble") }
        guard let version = reader.readUInt32() else { throw SSHSignatureError("truncated before the version") }
        guard version == 1 else { throw SSHSignatureError("signature version \(version) is not supported (only 1)") }
        guard let keyBlob = reader.readString(), let namespace = reader.readText(), reader.readString() != nil,
            let hashName = reader.readText(), let wrapped = reader.readString()
        else { throw SSHSignatureError("the signature blob is truncated") }
        guard reader.isAtEnd else { throw SSHSignatureError("trailing data after the signature") }
        guard let hash = HashAlgorithm(rawValue: hashName) else {
            throw SSHSignatureError("hash algorithm '\(hashName.prefix(40))' is not supported (sha256 or sha512)")
        }
        let key: SSHPublicKey
        do throws(SSHKeyError) { key = try SSHPublicKey(blob: keyBlob) } catch { throw SSHSignatureError("signing key: \(error.message)") }

        var inner = SSHWireReader(wrapped)
        guard let algorithm = inner.readText(), let bytes = inner.readString(), inner.isAtEnd else {
            throw SSHSignatureError("the inner signature is malformed")
        }
        let allowed: Set<String> =
            switch key.algorithm {
            case .ed25519: ["ssh-ed25519"]
            case .ecdsaP256: ["ecdsa-sha2-nistp256"]
            case .rsa: ["rsa-sha2-512", "rsa-sha2-256"]
            }
        guard allowed.contains(algorithm) else {
            if algorithm == "ssh-rsa" {
                throw SSHSignatureError("ssh-rsa signatures use SHA-1 and are refused; sign with rsa-sha2-512 (any current ssh-keygen does)")
            }
            throw SSHSignatureError("signature algorithm '\(algorithm.prefix(40))' does not fit a \(key.algorithm.rawValue) key")
        }
        return SSHSignature(
            publicKey: key, namespace: namespace, hashAlgorithm: hash,
            signatureAlgorithm: algorithm, signatureBytes: bytes)
    }

    /// The bytes the key signed for `message`: the preamble, namespace, reserved, hash algorithm and H(message).
    ///
    /// Built from the namespace the verifier expects and an empty reserved field, as OpenSSH does, so
    /// neither can be chosen by the signature.
    static func signedData(message: [UInt8], namespace: String, hashAlgorithm: HashAlgorithm) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.append(raw: magic)
        writer.append(text: namespace)
        writer.append(string: [UInt8]())
        writer.append(text: hashAlgorithm.rawValue)
        switch hashAlgorithm {
        case .sha256: writer.append(string: Array(SHA256.hash(data: message)))
        case .sha512: writer.append(string: Array(SHA512.hash(data: message)))
        }
        return writer.bytes
    }

    /// Checks the signature over `message` for `namespace`.
    /// - Throws: `SSHSignatureError` when the namespace differs or the signature does not verify.
    public func verify(message: [UInt8], namespace expected: String = "git") throws(SSHSignatureError) {
        guard namespace == expected else {
            throw SSHSignatureError(
                "the signature is for namespace '\(namespace.prefix(40))', not '\(expected)' (made with ssh-keygen -Y sign -n \(namespace.prefix(40)), not by git)"
            )
        }
        let data = Self.signedData(message: message, namespace: expected, hashAlgorithm: hashAlgorithm)
        guard checkSignature(over: data) else {
            throw SSHSignatureError(
                "the \(signatureAlgorithm) signature does not match the signed content (the commit was changed after signing, or the signature was made for another commit)"
            )
        }
    }

    private func checkSignature(over data: [UInt8]) -> Bool {
        var key = SSHWireReader(publicKey.blob)
        _ = key.readString()  // the type, checked when parsed
        switch publicKey.algorithm {
        case .ed25519:
            guard let raw = key.readString(), let verifier = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
            return signatureBytes.count == 64 && verifier.isValidSignature(signatureBytes, for: data)
        case .ecdsaP256:
            _ = key.readString()  // the curve name
            guard let point = key.readString(), let verifier = try? P256.Signing.PublicKey(x963Representation: point) else { return false }
            // SSH encodes (r, s) as two mpints; CryptoKit wants them as fixed 32-byte halves.
            var values = SSHWireReader(signatureBytes)
            guard let r = values.readPositiveMPInt(), let s = values.readPositiveMPInt(), values.isAtEnd,
                r.count <= 32, s.count <= 32,
                let signature = try? P256.Signing.ECDSASignature(rawRepresentation: Self.leftPad(r, to: 32) + Self.leftPad(s, to: 32))
            else { return false }
            return verifier.isValidSignature(signature, for: data)
        case .rsa:
            guard let e = key.readPositiveMPInt(), let n = key.readPositiveMPInt(),
                let verifier = try? _RSA.Signing.PublicKey(n: n, e: e),
                signatureBytes.count <= n.count
            else { return false }
            // OpenSSH accepts a signature shorter than the modulus (leading zeros dropped); BoringSSL does not.
            let signature = _RSA.Signing.RSASignature(rawRepresentation: Self.leftPad(signatureBytes, to: n.count))
            switch signatureAlgorithm {
            case "rsa-sha2-512": return verifier.isValidSignature(signature, for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
            case "rsa-sha2-256": return verifier.isValidSignature(signature, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
            default: return false
            }
        }
    }

    private static func leftPad(_ bytes: [UInt8], to count: Int) -> [UInt8] {
        bytes.count >= count ? bytes : [UInt8](repeating: 0, count: count - bytes.count) + bytes
    }
}

/// A signature that cannot be parsed or does not verify.
public struct SSHSignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
