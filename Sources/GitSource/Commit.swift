import CGit2
import Foundation

/// A commit's object id, as 40 hexadecimal digits.
public struct CommitID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let hex: String

    public init(hex: String) { self.hex = hex }

    init(_ oid: git_oid) {
        var oid = oid
        hex = git_oid_tostr_s(&oid).map { String(cString: $0) } ?? ""
    }

    var oid: git_oid {
        var oid = git_oid()
        git_oid_fromstr(&oid, hex)
        return oid
    }

    /// The abbreviated form people read: 12 digits.
    public var short: String { String(hex.prefix(12)) }
    public var description: String { hex }
}

/// Who made a commit, and when.
public struct Signature: Sendable, Hashable, Codable {
    public var name: String
    public var email: String
    public var time: Date
    /// Minutes east of UTC, as recorded in the commit.
    public var utcOffsetMinutes: Int

    public init(name: String, email: String, time: Date, utcOffsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    init(_ sig: UnsafePointer<git_signature>) {
        name = String(cString: sig.pointee.name)
        email = String(cString: sig.pointee.email)
        time = Date(timeIntervalSince1970: TimeInterval(sig.pointee.when.time))
        utcOffsetMinutes = Int(sig.pointee.when.offset)
    }
}

/// What Switchyard needs to know of a commit.
public struct CommitInfo: Sendable, Hashable, Codable {
    public var id: CommitID
    public var author: Signature
    public var committer: Signature
    /// The first line of the message.
    public var subject: String
    public var message: String
    public var parents: [CommitID]

    /// The values of a trailer (`Key: value` lines in the message's last paragraph), e.g. `Switchyard-Override`.
    public func trailer(_ key: String) -> [String] {
        let text = message.replacingOccurrences(of: "\r\n", with: "\n")  // a message written with CRLF line endings
        let paragraphs = text.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n\n")
        guard paragraphs.count > 1, let last = paragraphs.last else { return [] }
        return last.split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(key) == .orderedSame
            else { return nil }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
    }
}
