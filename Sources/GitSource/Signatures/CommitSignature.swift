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
    ///
    /// Read from the commit object's own header block, as git reads it (never from the message: libgit2's
    /// `git_commit_extract_signature` also finds a `gpgsig` line placed in the message).
    /// - Throws: `GitError` when the commit cannot be read.
    public func signature(of id: CommitID) throws(GitError) -> (signature: [UInt8], payload: [UInt8])? {
        switch try signedParts(of: id) {
        case .unsigned: return nil
        case let .signed(signature, payload): return (signature, payload)
        case let .malformed(signature, payload, _): return (signature, payload)
        }
    }

    /// The commit object as stored: its header block and message, byte for byte.
    /// - Throws: `GitError` when the object cannot be read or is not a commit.
    func rawCommitObject(_ id: CommitID) throws(GitError) -> [UInt8] {
        var odb: OpaquePointer?
        try check("opening the object database") { git_repository_odb(&odb, handle) }
        defer { git_odb_free(odb) }
        var object: OpaquePointer?
        var oid = id.oid
        try check("reading commit \(id.short)") { git_odb_read(&object, odb, &oid) }
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT else {
            throw GitError(.notFound, context: "reading commit \(id.short)", message: "the object is not a commit")
        }
        let size = git_odb_object_size(object)
        guard size > 0, let data = git_odb_object_data(object) else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: size))
    }

    /// The signature header of a commit, parsed as git does: header lines up to the first empty line; a field's
    /// continuation lines start with one space.
    func signedParts(of id: CommitID) throws(GitError) -> SignedParts {
        _ = try commit(id)  // a missing commit is an error, not "unsigned"
        return SignedParts(object: try rawCommitObject(id))
    }

    /// Verifies the commit's SSH signature in-process and matches its key against `allowedSigners`, judging the
    /// keys' `valid-after`/`valid-before` at `now`: a retired key is refused whatever date the signer chose for the
    /// commit. The committer date is only used to refuse too (a commit dated outside the key's window).
    /// - Throws: `GitError` when the commit cannot be read; a bad signature is a verdict, not an error.
    public func verifySignature(of id: CommitID, allowedSigners: AllowedSigners, now: Date = Date()) throws(GitError) -> SignatureVerdict {
        let info = try commit(id)
        switch SignedParts(object: try rawCommitObject(id)) {
        case .unsigned:
            return .unsigned
        case let .malformed(_, _, problem):
            return .invalid(problem)
        case let .signed(signature, payload):
            return allowedSigners.verdict(armoredSignature: signature, payload: payload, at: now, committedAt: info.committer.time)
        }
    }
}

/// A commit object split as git splits it for verification: the `gpgsig` header's value and every other byte.
enum SignedParts: Equatable {
    /// No `gpgsig` field in the header block.
    case unsigned
    /// One `gpgsig` field, written as git writes it: the last header field, its armor exactly as `ssh-keygen` makes it.
    case signed(signature: [UInt8], payload: [UInt8])
    /// A `gpgsig` field that git would not have written so (several of them, re-wrapped or padded armor, another
    /// position): the same signed payload could then stand in commits with other ids, so it counts for none.
    case malformed(signature: [UInt8], payload: [UInt8], problem: String)

    static let field = Array("gpgsig ".utf8)

    init(object: [UInt8]) {
        // The header ends at the first empty line; a message line never counts, whatever it looks like.
        var lines: [Range<Int>] = []
        var start = 0
        var index = 0
        while index < object.count {
            if object[index] == UInt8(ascii: "\n") {
                if index == start { break }
                lines.append(start..<(index + 1))
                start = index + 1
            }
            index += 1
        }
        var fields: [(range: Range<Int>, value: [UInt8])] = []
        var lineIndex = 0
        var lastFieldIsSignature = false
        while lineIndex < lines.count {
            let line = lines[lineIndex]
            lineIndex += 1
            guard object[line].starts(with: Self.field) else {
                if object[line.lowerBound] != UInt8(ascii: " ") { lastFieldIsSignature = false }
                continue
            }
            var value = Array(object[(line.lowerBound + Self.field.count)..<line.upperBound])
            var end = line.upperBound
            while lineIndex < lines.count, object[lines[lineIndex].lowerBound] == UInt8(ascii: " ") {
                value += object[(lines[lineIndex].lowerBound + 1)..<lines[lineIndex].upperBound]
                end = lines[lineIndex].upperBound
                lineIndex += 1
            }
            fields.append((line.lowerBound..<end, value))
            lastFieldIsSignature = true
        }
        guard let first = fields.first else {
            self = .unsigned
            return
        }
        var payload = object
        for field in fields.reversed() { payload.removeSubrange(field.range) }
        if fields.count > 1 {
            self = .malformed(signature: first.value, payload: payload, problem: "the commit carries \(fields.count) gpgsig headers; git writes one")
        } else if !lastFieldIsSignature {
            self = .malformed(
                signature: first.value, payload: payload, problem: "the gpgsig header is not the last header field, where git writes it")
        } else if let canonical = Self.canonicalArmor(first.value), canonical != first.value, canonical + [UInt8(ascii: "\n")] != first.value {
            // (libgit2's `git_commit_create_with_signature` writes the armor's final newline as one more line.)
            self = .malformed(
                signature: first.value, payload: payload,
                problem: "the signature's armor is not as ssh-keygen writes it (re-wrapped or padded): the same signature in another commit id")
        } else {
            self = .signed(signature: first.value, payload: payload)
        }
    }

    /// The armor `ssh-keygen -Y sign` writes for the same signature (70 base64 columns, one final newline); nil when
    /// the text is not an SSH signature at all (then verification says what is wrong with it).
    static func canonicalArmor(_ armored: [UInt8]) -> [UInt8]? {
        let text = String(decoding: armored, as: UTF8.self)
        guard text.hasPrefix(SSHSignature.begin) else { return nil }
        let body = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != SSHSignature.begin && $0 != SSHSignature.end }.joined()
        guard let blob = Data(base64Encoded: body) else { return nil }
        return Array(SSHSignature.armor(blob: Array(blob)).utf8)
    }
}
