import Basics
import Foundation

/// A commit a person declared reviewed on this host (`switchyard trust-base COMMIT`): where a two-person rule starts
/// counting for apps this host has never applied. Kept in the state folder beside the journal.
public struct RecordedTrustBase: Sendable, Codable, Equatable {
    public var commit: String
    public var by: String
    public var at: Date

    public init(commit: String, by: String, at: Date = Date()) {
        self.commit = commit
        self.by = by
        self.at = at
    }

    /// For refusals: who recorded it, and when.
    public var origin: String { "the trust base \(by) recorded at \(Timestamp.format(at))" }

    public static let fileName = "trust-base.json"

    /// The recorded base, nil when none was recorded.
    /// - Throws: `TrustBaseError` when the file exists but cannot be read: a base that cannot be read is not trusted.
    public static func load(stateDirectory: String) throws(TrustBaseError) -> RecordedTrustBase? {
        let path = "\(stateDirectory)/\(fileName)"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            let base = try decoder.decode(RecordedTrustBase.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard base.commit.count == 40, base.commit.allSatisfy(\.isHexDigit) else {
                throw TrustBaseError("\(path): commit '\(base.commit.prefix(60))' is not a full commit id")
            }
            return base
        } catch let error as TrustBaseError {
            throw error
        } catch {
            throw TrustBaseError("\(path) cannot be read (\(error)); record the base again with switchyard trust-base COMMIT", cause: error)
        }
    }

    /// Writes the base (replacing an earlier one) atomically.
    /// - Throws: `TrustBaseError` naming the file.
    public func save(stateDirectory: String) throws(TrustBaseError) {
        let path = "\(stateDirectory)/\(Self.fileName)"
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .secondsSince1970
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw TrustBaseError("cannot write \(path): \(error)", cause: error)
        }
    }
}

/// The recorded trust base could not be read or written.
public struct TrustBaseError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// What the file system or the decoder said.
    public var cause: (any Error & Sendable)?
    init(_ description: String, cause: (any Error & Sendable)? = nil) {
        self.description = description
        self.cause = cause
    }
}
