import AWS
import Basics
import Foundation
@testable import Reconciler
import Testing

/// The lock table's batch read of suspensions: chunks of 100 keys, unprocessed keys asked again, all or nothing.
@Suite("Reading every app's suspension at once")
struct SuspensionBatchTests {
    /// Answers `BatchGetItem` from `items`, leaving the first `unprocessedAnswers` answers' keys all unprocessed.
    final class Table: AWSRequestSending, @unchecked Sendable {
        let items: [String: [String: Any]]
        let lock = NSLock()
        var unprocessedAnswers: Int
        var asked: [[String]] = []
        /// Replaces the whole answer (a malformed one).
        let answer: [String: Any]?

        init(items: [String: [String: Any]], unprocessedAnswers: Int = 0, answer: [String: Any]? = nil) {
            self.items = items
            self.unprocessedAnswers = unprocessedAnswers
            self.answer = answer
        }

        func send(_ operation: AWSOperation) async throws -> HTTPResponse {
            let body = try JSONSerialization.jsonObject(with: Data(operation.body)) as! [String: Any]
            let request = (body["RequestItems"] as! [String: Any])["locks"] as! [String: Any]
            #expect(request["ConsistentRead"] as? Bool == true)
            let keys = (request["Keys"] as! [[String: [String: String]]]).map { $0["LockID"]!["S"]! }
            let leaveAll = lock.withLock {
                asked.append(keys)
                defer { unprocessedAnswers -= 1 }
                return unprocessedAnswers > 0
            }
            let found = leaveAll ? [] : keys.compactMap { items[$0] }
            let left = leaveAll ? keys.map { ["LockID": ["S": $0]] } : []
            let answer: [String: Any] =
                self.answer ?? ["Responses": ["locks": found], "UnprocessedKeys": left.isEmpty ? [:] : ["locks": ["Keys": left]]]
            return HTTPResponse(status: 200, headers: [], body: Array(try JSONSerialization.data(withJSONObject: answer)))
        }
    }

    static func item(_ app: String, by: String) -> [String: Any] {
        ["LockID": ["S": "switchyard/\(app)/suspend"], "by": ["S": by], "reason": ["S": "DNS change"], "Version": ["N": "1"]]
    }

    @Test("150 apps: two reads (100 keys, then 50); the suspended ones are found, the others are absent")
    func chunks() async throws {
        let table = Table(items: [
            "switchyard/app7/suspend": Self.item("app7", by: "alice"), "switchyard/app142/suspend": Self.item("app142", by: "bob"),
        ])
        let coordinator = Coordinator(store: DynamoDBLockTable(table: "locks", region: "us-east-1", sender: table), shared: true, host: "h")
        let suspensions = try await coordinator.suspensions(of: (1...150).map { "app\($0)" })
        #expect(Set(suspensions.keys) == ["app7", "app142"])
        #expect(suspensions["app7"]?.by == "alice")
        #expect(table.asked.map(\.count) == [100, 50])
    }

    @Test("unprocessed keys are asked again; left unprocessed 4 times, the read fails rather than answer for some")
    func unprocessed() async throws {
        let items = ["switchyard/a/suspend": Self.item("a", by: "alice")]
        let once = Table(items: items, unprocessedAnswers: 1)
        let coordinator = Coordinator(store: DynamoDBLockTable(table: "locks", region: "us-east-1", sender: once), shared: true, host: "h")
        #expect(try await coordinator.suspensions(of: ["a", "b"]).keys.sorted() == ["a"])
        #expect(once.asked.count == 2)

        let never = Table(items: items, unprocessedAnswers: 100)
        let failing = Coordinator(store: DynamoDBLockTable(table: "locks", region: "us-east-1", sender: never), shared: true, host: "h")
        await #expect(throws: LockTableError.self) { try await failing.suspensions(of: ["a", "b"]) }
        #expect(never.asked.count == 4)
    }

    @Test(
        "an answer that does not name the table, or leaves keys unprocessed without naming them, fails the read (never 'no item')",
        arguments: [
            #"{"Responses": {}}"#, #"{"Responses": {"other": []}}"#, "{}",
            #"{"Responses": {"locks": []}, "UnprocessedKeys": {"locks": {}}}"#,
            #"{"Responses": {"locks": []}, "UnprocessedKeys": {"other": {"Keys": []}}}"#,
        ])
    func malformed(json: String) async throws {
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let table = Table(items: [:], answer: answer)
        let coordinator = Coordinator(store: DynamoDBLockTable(table: "locks", region: "us-east-1", sender: table), shared: true, host: "h")
        await #expect(throws: LockTableError.self) { try await coordinator.suspensions(of: ["a", "b"]) }
    }

    @Test("only Switchyard's attributes are fetched: a person's large annotations never make the answer too large")
    func projection() async throws {
        final class Recorder: AWSRequestSending, @unchecked Sendable {
            var body: [String: Any] = [:]
            func send(_ operation: AWSOperation) async throws -> HTTPResponse {
                body = try JSONSerialization.jsonObject(with: Data(operation.body)) as! [String: Any]
                return HTTPResponse(status: 200, headers: [], body: Array(#"{"Responses": {"locks": []}}"#.utf8))
            }
        }
        let recorder = Recorder()
        _ = try await DynamoDBLockTable(table: "locks", region: "us-east-1", sender: recorder).readMany(["k"])
        let request = try #require((recorder.body["RequestItems"] as? [String: Any])?["locks"] as? [String: Any])
        let names = try #require(request["ExpressionAttributeNames"] as? [String: String])
        #expect(Set(names.values).isSuperset(of: ["LockID", "Version", "by", "at", "reason"]))
        #expect((request["ProjectionExpression"] as? String)?.split(separator: ",").count == names.count)
    }

    @Test("a host's own suspension file that exists but cannot be read is not 'none': the read fails, so the app counts suspended")
    func unreadableLocalFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-state-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = StateFolderStore(stateDirectory: folder)
        // A directory where the file should be: it exists, and reading it as a file fails (as root, modes do not).
        try FileManager.default.createDirectory(atPath: store.path("switchyard/a/suspend"), withIntermediateDirectories: true)
        await #expect(throws: CoordinationError.self) { try await store.read("switchyard/a/suspend") }
        let table = Table(items: [:])
        let coordinator = Coordinator(
            store: DynamoDBLockTable(table: "locks", region: "us-east-1", sender: table), shared: true, host: "h", local: store)
        await #expect(throws: CoordinationError.self) { try await coordinator.suspensions(of: ["a", "b"]) }
    }
}
