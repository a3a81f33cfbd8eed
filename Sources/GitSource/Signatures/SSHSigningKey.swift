import Crypto
import Foundation

/// An unencrypted OpenSSH Ed25519 private key, for signing a commit in-process as `ssh-keygen -Y sign -n git` would.
///
/// Only what git's documented setup produces without a passphrase is read: other key types, encrypted keys and
/// keys held only by an agent are refused with the reason, so the caller can say how to sign another way.
struct SSHSigningKey {
    let privateKey: Curve25519.Signing.PrivateKey
    /// The public key's wire blob (`string "ssh-ed25519" || string key`).
    let publicBlob: [UInt8]

    static let begin = "-----BEGIN OPENSSH PRIVATE KEY-----"
    static let end = "-----END OPENSSH PRIVATE KEY-----"

    /// Reads the key file `user.signingkey` names.
    /// - Throws: a reason the key cannot be used in-process (the caller words the advice).
    static func load(path: String) throws(SSHSignatureError) -> SSHSigningKey {
        // Read as a stream to its end: a FIFO, `/dev/fd/N` or a symbolic link serves as well as a regular file.
        guard let data = try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).readToEnd() else {
            throw SSHSignatureError("cannot read \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    static func parse(_ text: String, path: String) throws(SSHSignatureError) -> SSHSigningKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(begin), trimmed.hasSuffix(end) else {
            if trimmed.hasPrefix("ssh-") || trimmed.hasPrefix("ecdsa-") || trimmed.hasPrefix("sk-") {
                throw SSHSignatureError("\(path) is a public key; signing with it needs ssh-agent")
            }
            throw SSHSignatureError("\(path) is not an OpenSSH private key")
        }
        let body = trimmed.dropFirst(begin.count).dropLast(end.count).filter { !$0.isWhitespace }
        guard let decoded = Data(base64Encoded: String(body)) else { throw SSHSignatureError("\(path) is not valid base64") }
        var reader = SSHWireReader(Array(decoded))
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard reader.readBytes(magic.count) == magic else { throw SSHSignatureError("\(path) is not an openssh-key-v1 key") }
        guard let cipher = reader.readText(), let kdf = reader.readText(), reader.readString() != nil,
            let count = reader.readUInt32(), let publicBlob = reader.readString(), let section = reader.readString()
        else { throw SSHSignatureError("\(path) is truncated") }
        guard cipher == "none", kdf == "none" else { throw SSHSignatureError("\(path) is protected by a passphrase") }
        guard count == 1 else { throw SSHSignatureError("\(path) holds \(count) keys; expected one") }
        var secret = SSHWireReader(section)
        guard let check1 = secret.readUInt32(), let check2 = secret.readUInt32(), check1 == check2,
            let type = secret.readText()
        else { throw SSHSignatureError("\(path) is malformed") }
        guard type == SSHPublicKey.Algorithm.ed25519.rawValue else {
            throw SSHSignatureError("\(path) is a \(type) key; flip signs in-process with ssh-ed25519 keys only")
        }
        guard let publicRaw = secret.readString(), publicRaw.count == 32,
            let privateRaw = secret.readString(), privateRaw.count == 64,
            Array(privateRaw[32...]) == publicRaw,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateRaw[..<32]),
            Array(key.publicKey.rawRepresentation) == publicRaw
        else { throw SSHSignatureError("\(path) holds a malformed ssh-ed25519 key") }
        var blob = SSHWireWriter()
        blob.append(text: type)
        blob.append(string: publicRaw)
        guard blob.bytes == publicBlob else { throw SSHSignatureError("\(path): the public and private halves differ") }
        return SSHSigningKey(privateKey: key, publicBlob: publicBlob)
    }

    /// The armored SSHSIG signature of `message` in namespace `git`, as git stores it in a `gpgsig` header.
    func armoredSignature(of message: [UInt8]) throws(SSHSignatureError) -> String {
        let data = SSHSignature.signedData(message: message, namespace: "git", hashAlgorithm: .sha512)
        let raw: Data
        do {
            raw = try privateKey.signature(for: data)
        } catch {
            throw SSHSignatureError("signing failed: \(error)")
        }
        var signature = SSHWireWriter()
        signature.append(text: SSHPublicKey.Algorithm.ed25519.rawValue)
        signature.append(string: Array(raw))
        var blob = SSHWireWriter()
        blob.append(raw: SSHSignature.magic)
        blob.append(uint32: 1)
        blob.append(string: publicBlob)
        blob.append(text: "git")
        blob.append(string: [UInt8]())
        blob.append(text: SSHSignature.HashAlgorithm.sha512.rawValue)
        blob.append(string: signature.bytes)
        return SSHSignature.armor(blob: blob.bytes)
    }
}
