import AWS
import Basics
import DesiredState
import Foundation

/// A record of the coordination store: its attributes and the version every write compares and bumps.
public struct LockRecord: Sendable, Equatable {
    public var attributes: [String: String]
    public var version: Int

    public init(attributes: [String: String], version: Int) {
        self.attributes = attributes
        self.version = version
    }

    public subscript(_ name: String) -> String? { attributes[name] }

    /// The version of a record whose `Version` cannot be read: a delete of it is unconditional (a person's `resume`).
    public static let unreadableVersion = -1
}

/// Where hosts record what they do to each app (the commit fence, the lease, a suspension): compare-and-swap
/// records. The seam between the coordination rules and DynamoDB, so the rules can be tested without AWS.
public protocol CoordinationStore: Sendable {
    /// The record at `key`, read with strong consistency; nil when there is none.
    func read(_ key: String) async throws -> LockRecord?
    /// Writes `attributes` at `key` when the stored version is `expected` (nil: no record). Returns the new version,
    /// or nil when another writer got there first.
    func write(_ key: String, _ attributes: [String: String], replacing expected: Int?) async throws -> Int?
    /// Deletes the record at `key` when its version is `expected`; false when it changed.
    func delete(_ key: String, expected: Int) async throws -> Bool
    /// The records at `keys` (the keys that have none are absent), read together: all or an error, never some.
    func readMany(_ keys: [String]) async throws -> [String: LockRecord]
    /// For messages: `DynamoDB table T in R`, `the state folder F`.
    var name: String { get }
}

extension CoordinationStore {
    /// One read per key.
    public func readMany(_ keys: [String]) async throws -> [String: LockRecord] {
        var records: [String: LockRecord] = [:]
        for key in Set(keys) { records[key] = try await read(key) }
        return records
    }
}

/// The lock table on DynamoDB: one item per record, partition key `LockID` (string), as Terraform's state locking
/// has it; every call in `region`, the region of the replica this host uses.
public struct DynamoDBLockTable: CoordinationStore {
    public let table: String
    public let region: String
    let client: DynamoDBClient
    /// The most one read, write or delete may take, retries included: a replica whose region is down costs seconds.
    public let timeout: Duration
    /// What the caller adds to every error (how to pick another replica), after the table and its region.
    public let advice: String?

    public init(table: String, region: String, sender: any AWSRequestSending, timeout: Duration = .seconds(10), advice: String? = nil) {
        self.table = table
        self.region = region
        self.client = DynamoDBClient(sender: sender)
        self.timeout = timeout
        self.advice = advice
    }

    public var name: String { "DynamoDB table \(table) in \(region)" }

    public func read(_ key: String) async throws -> LockRecord? {
        try await bounded("reading \(key)") { [client, table, region] in
            guard let item = try await client.getItem(table: table, key: ["LockID": .string(key)], region: region) else { return nil }
            return Self.record(item)
        }
    }

    /// `BatchGetItem`s of up to 100 keys (the most one may ask), each with strong consistency and only Switchyard's
    /// attributes. Keys DynamoDB leaves unprocessed are asked again while each answer brings some; three answers in
    /// a row that bring none fail the read: every key is read, or none is taken.
    public func readMany(_ keys: [String]) async throws -> [String: LockRecord] {
        let keys = Array(Set(keys)).sorted()
        guard !keys.isEmpty else { return [:] }
        let asked = Set(keys)
        return try await bounded(keys.count == 1 ? "reading \(keys[0])" : "reading \(keys.count) items") { [client, table, region] in
            var records: [String: LockRecord] = [:]
            for start in stride(from: 0, to: keys.count, by: 100) {
                var pending: [DynamoDBClient.Item] = keys[start..<min(start + 100, keys.count)].map { ["LockID": .string($0)] }
                var barren = 0
                while !pending.isEmpty {
                    let (items, unprocessed) = try await client.batchGetItem(
                        table: table, keys: pending, attributes: Self.recordAttributes, region: region)
                    for item in items {
                        guard let key = item["LockID"]?.text, asked.contains(key) else { continue }
                        records[key] = Self.record(item)
                    }
                    if unprocessed.count >= pending.count {
                        barren += 1
                        guard barren <= 3 else {
                            throw CoordinationError(
                                "DynamoDB left \(unprocessed.count) keys unprocessed 4 times in a row; none of this read is taken")
                        }
                        try await Task.sleep(for: .milliseconds(50 << barren))
                    } else {
                        barren = 0
                    }
                    pending = unprocessed
                }
            }
            return records
        }
    }

    /// The attributes Switchyard reads of an item (a person's annotations, however large, are not fetched).
    static let recordAttributes = ["LockID", "Version", "by", "at", "reason", "commit", "activeRegion", "converged", "holder", "expiresAt", "token"]

    /// An item as a record: Switchyard's string and number attributes; `Version` unreadable when it is not a number.
    static func record(_ item: DynamoDBClient.Item) -> LockRecord {
        var attributes: [String: String] = [:]
        // Attributes of other types (a person's annotation) are not Switchyard's: left out, never fatal. Switchyard's
        // own attributes are then read strictly by the coordinator.
        for (name, value) in item where name != "LockID" && name != "Version" { attributes[name] = value.text }
        return LockRecord(attributes: attributes, version: item["Version"]?.text.flatMap { Int($0) } ?? LockRecord.unreadableVersion)
    }

    public func write(_ key: String, _ attributes: [String: String], replacing expected: Int?) async throws -> Int? {
        let version = (expected ?? 0) + 1
        var item: DynamoDBClient.Item = attributes.mapValues { .string($0) }
        item["LockID"] = .string(key)
        item["Version"] = .number(String(version))
        let condition =
            expected.map {
                DynamoDBClient.Condition("#v = :v", names: ["#v": "Version"], values: [":v": .number(String($0))])
            } ?? DynamoDBClient.Condition("attribute_not_exists(LockID)")
        return try await bounded("writing \(key)") { [client, table, region, item] in
            do {
                try await client.putItem(table: table, item: item, condition: condition, region: region)
                return version
            } catch let error as AWSError where error.code == "ConditionalCheckFailedException" {
                return nil
            }
        }
    }

    public func delete(_ key: String, expected: Int) async throws -> Bool {
        let condition =
            expected == LockRecord.unreadableVersion
            ? DynamoDBClient.Condition("attribute_exists(LockID)")
            : DynamoDBClient.Condition("#v = :v", names: ["#v": "Version"], values: [":v": .number(String(expected))])
        return try await bounded("deleting \(key)") { [client, table, region] in
            do {
                try await client.deleteItem(table: table, key: ["LockID": .string(key)], condition: condition, region: region)
                return true
            } catch let error as AWSError where error.code == "ConditionalCheckFailedException" {
                return false
            }
        }
    }

    /// Runs one table call within `timeout`; any failure but a cancellation becomes a `LockTableError` naming the
    /// table and its region.
    private func bounded<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withTimeLimit(timeout, "no answer within \(DurationFormat.format(timeout))", body)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw LockTableError(table: table, region: region, operation: what, cause: error, advice: advice)
        }
    }
}

/// A call to the lock table failed or did not answer in time: names the table, its region and the cause.
public struct LockTableError: Error, Sendable, CustomStringConvertible {
    public var table: String
    public var region: String
    /// What was being done, e.g. `reading unishop#suspend`.
    public var operation: String
    public var cause: any Error & Sendable
    /// The caller's advice (the command-line tool names its option for the replica's region).
    public var advice: String?

    public var description: String {
        "lock table \(table) in \(region): \(operation): \(cause)" + (advice.map { "; \($0)" } ?? "")
    }
}

/// The coordination store of a single host without a lock table: JSON files in the state folder, changed under a
/// lock file. Holds suspensions (`switchyard suspend` without `--lock-table`).
public struct StateFolderStore: CoordinationStore {
    public let folder: String

    public init(stateDirectory: String) {
        folder = "\(stateDirectory)/coordination"
    }

    public var name: String { "the state folder \(folder)" }

    struct File: Codable {
        var version: Int
        var attributes: [String: String]
    }

    func path(_ key: String) -> String {
        "\(folder)/" + key.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? String($0) : "~" }.joined() + ".json"
    }

    /// - Throws: `CoordinationError` when the file exists but cannot be read (a suspension nobody can read is not "none").
    public func read(_ key: String) async throws -> LockRecord? {
        guard let data = FileManager.default.contents(atPath: path(key)) else {
            if FileManager.default.fileExists(atPath: path(key)) { throw CoordinationError("\(path(key)) exists but cannot be read") }
            return nil
        }
        return Self.record(data)
    }

    /// A file read leniently: a file that exists is a record, whatever a person wrote in it; only string attributes
    /// are Switchyard's, and an unreadable version makes a delete unconditional.
    static func record(_ data: Data) -> LockRecord {
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let attributes = ((object?["attributes"] as? [String: Any]) ?? [:]).compactMapValues { $0 as? String }
        return LockRecord(attributes: attributes, version: (object?["version"] as? Int) ?? LockRecord.unreadableVersion)
    }

    public func write(_ key: String, _ attributes: [String: String], replacing expected: Int?) async throws -> Int? {
        try locked {
            let current = FileManager.default.contents(atPath: path(key)).map(Self.record)
            guard current?.version == expected else { return nil }
            let version = (expected ?? 0) + 1
            try JSONEncoder().encode(File(version: version, attributes: attributes)).write(to: URL(fileURLWithPath: path(key)), options: .atomic)
            return version
        }
    }

    public func delete(_ key: String, expected: Int) async throws -> Bool {
        try locked {
            guard let data = FileManager.default.contents(atPath: path(key)) else { return false }
            let version = Self.record(data).version
            guard version == expected || expected == LockRecord.unreadableVersion else { return false }
            try FileManager.default.removeItem(atPath: path(key))
            return true
        }
    }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fd = open("\(folder)/.lock", O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw CoordinationError("cannot open \(folder)/.lock: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

/// A coordination failure that is not an AWS error.
public struct CoordinationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
