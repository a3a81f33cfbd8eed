import CGit2
import Foundation

/// What one commit's signature says, judged against the allowed signers.
public enum SignatureVerdict: Sendable, Hashable, CustomStringConvertible {
    /// A good `git` signature by a key the allowed signers file lists for this namespace and time.
    case valid(principal: String, keyFingerprint: String)
    /// No signature at all.
    case unsigned
    /// A signature that is malformed, not an SSH one, for another namespace, does not verify, or whose key
    /// the allowed signers file restricts (namespaces, validity) so that it does not count.
    case invalid(String)
    /// A good signature by a key not in the allowed signers file (its `SHA256:` fingerprint).
    case untrustedKey(String)

    /// Whether the signature counts.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .valid(principal, fingerprint): "good signature by \(principal) (\(fingerprint))"
        case .unsigned: "unsigned"
        case let .invalid(reason): "invalid signature: \(reason)"
        case let .untrustedKey(fingerprint): "signed by \(fingerprint), a key not in the allowed signers file"
        }
    }
}

extension AllowedSigners {
    /// Judges an armored SSH signature over `payload`, verified at `time` (now), of a commit dated `committedAt`.
    ///
    /// The signature is checked first, so a forged signature is `.invalid` whoever it claims to be from;
    /// only then is its key looked up, with the namespace and validity options of its lines. A key's validity window
    /// must hold at `time`; the commit's own date, which its signer chose, can only refuse, never accept.
    public func verdict(armoredSignature: [UInt8]?, payload: [UInt8], at time: Date, committedAt: Date? = nil) -> SignatureVerdict {
        guard let armoredSignature else { return .unsigned }
        let signature: SSHSignature
        do throws(SSHSignatureError) {
            signature = try SSHSignature.parse(armored: armoredSignature)
            try signature.verify(message: payload, namespace: "git")
        } catch {
            return .invalid(error.message)
        }
        let key = signature.publicKey
        let lines = entries(for: key)
        guard !lines.isEmpty else { return .untrustedKey(key.fingerprint) }
        var refusals: [String] = []
        for line in lines {
            if let refusal = line.refusal(namespace: signature.namespace, at: time, committedAt: committedAt ?? time) {
                refusals.append(refusal)
            } else {
                return .valid(principal: line.principals.joined(separator: ","), keyFingerprint: key.fingerprint)
            }
        }
        return .invalid("key \(key.fingerprint): " + refusals.joined(separator: "; "))
    }
}

extension Repository {
    /// The commit's `gpgsig` signature and the bytes it signs (the commit object without that header),
    /// or nil when the commit is unsigned.
    /// - Throws: `GitError` when the commit cannot be read.
    public func signature(of id: CommitID) throws(GitError) -> (signature: [UInt8], payload: [UInt8])? {
        _ = try commit(id)  // a missing commit is an error, not "unsigned"
        var signature = git_buf()
        var payload = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&payload)
        }
        var oid = id.oid
        let result = git_commit_extract_signature(&signature, &payload, handle, &oid, "gpgsig")
        if result == GIT_ENOTFOUND.rawValue { return nil }
        if result < 0 { throw GitError.last(result, "reading the signature of \(id.short)") }
        return (Self.bytes(of: signature), Self.bytes(of: payload))
    }

    /// Verifies the commit's SSH signature in-process and matches its key against `allowedSigners`, judging the
    /// keys' `valid-after`/`valid-before` at `now`: a retired key is refused whatever date the signer chose for the
    /// commit. The committer date is only used to refuse too (a commit dated outside the key's window).
    /// - Throws: `GitError` when the commit cannot be read; a bad signature is a verdict, not an error.
    public func verifySignature(of id: CommitID, allowedSigners: AllowedSigners, now: Date = Date()) throws(GitError) -> SignatureVerdict {
        let info = try commit(id)
        let signed = try signature(of: id)
        return allowedSigners.verdict(
            armoredSignature: signed?.signature, payload: signed?.payload ?? [], at: now,
            committedAt: info.committer.time)
    }

    private static func bytes(of buffer: git_buf) -> [UInt8] {
        guard let pointer = buffer.ptr, buffer.size > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: buffer.size) { Array(UnsafeBufferPointer(start: $0, count: buffer.size)) }
    }
}
