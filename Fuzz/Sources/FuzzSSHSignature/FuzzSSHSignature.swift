import FuzzSupport
import GitSource

/// Any bytes as a commit's `gpgsig` header: an armored SSH signature, or (when the bytes do not start with
/// `-----`) the binary blob inside the armor, so mutations reach the wire parser without going through base64.
/// Parsing answers a signature or an `SSHSignatureError`; a parsed signature verifies or throws, never crashes,
/// and one that verifies for the message does not verify for any other.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let signature: SSHSignature
    do throws(SSHSignatureError) {
        signature = bytes.starts(with: Array("-----".utf8)) ? try SSHSignature.parse(armored: bytes) : try SSHSignature.parse(blob: bytes)
    } catch {
        _ = error.description
        return 0
    }
    _ = signature.publicKey.description
    _ = signature.publicKey.openSSHLine
    for namespace in ["git", signature.namespace] {
        guard (try? signature.verify(message: signedCommitMessage, namespace: namespace)) != nil else { continue }
        if (try? signature.verify(message: signedCommitMessage + [0x0a], namespace: namespace)) != nil {
            fatalError("a \(signature.signatureAlgorithm) signature verified for two different messages")
        }
    }
    return 0
}
