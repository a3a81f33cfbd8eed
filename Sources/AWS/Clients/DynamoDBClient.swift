import Foundation

/// DynamoDB's item calls (JSON 1.0 protocol, `DynamoDB_20120810`), for Switchyard's lock table: a consistent read
/// and conditional writes, each in the region of the table replica it uses.
public struct DynamoDBClient: Sendable {
    /// The `X-Amz-Target` prefix.
    public static let targetPrefix = "DynamoDB_20120810"

    /// An item: attribute name to value.
    public typealias Item = [String: AttributeValue]

    /// The attribute values Switchyard stores: strings and numbers; any other type is read as `other` (a person may
    /// annotate an item by hand) and never written.
    public enum AttributeValue: Sendable, Hashable {
        case string(String)
        case number(String)
        /// Another type (`BOOL`, `M`, `L`, `SS`, …), by its type name.
        case other(String)

        /// The string of an `S`, or the digits of an `N`; nil for another type.
        public var text: String? {
            switch self {
            case let .string(value), let .number(value): value
            case .other: nil
            }
        }

        var json: [String: String] {
            switch self {
            case let .string(value): ["S": value]
            case let .number(value): ["N": value]
            case .other: [:]
            }
        }

        init?(json: Any) {
            guard let object = json as? [String: Any] else { return nil }
            if let value = object["S"] as? String {
                self = .string(value)
            } else if let value = object["N"] as? String {
                self = .number(value)
            } else if object.count == 1, let type = object.keys.first {
                self = .other(type)
            } else {
                return nil
            }
        }
    }

    /// A condition on a write: the expression, with its `#name` and `:value` placeholders.
    public struct Condition: Sendable {
        public var expression: String
        public var names: [String: String]
        public var values: Item

        public init(_ expression: String, names: [String: String] = [:], values: Item = [:]) {
            self.expression = expression
            self.names = names
            self.values = values
        }
    }

    /// Sends the operations this client builds.
    public let sender: any AWSRequestSending

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// The item with `key`, read with strong consistency; nil when there is none.
    /// - Throws: `AWSError` (`ResourceNotFoundException` when the table does not exist, …).
    public func getItem(table: String, key: Item, region: String) async throws -> Item? {
        let body: [String: Any] = ["TableName": table, "Key": encode(key), "ConsistentRead": true]
        let object = try await call("GetItem", body, region: region, idempotent: true)
        guard let item = object["Item"] else { return nil }
        return try decode(item, operation: "GetItem")
    }

    /// The items with `keys` (at most 100, no two alike), read with strong consistency in one `BatchGetItem`, each with
    /// only the `attributes` named (nil: every attribute): the items found, and the keys DynamoDB left unprocessed
    /// (throttling, or past its 16 MB a call) for the caller to ask again.
    /// - Throws: `AWSError` (`ResourceNotFoundException` when the table does not exist, …); `.malformedResponse` when
    ///   the answer does not name the table asked (by its name, or by the name in its ARN), so that an answer that
    ///   cannot be read never reads as "no item".
    public func batchGetItem(
        table: String, keys: [Item], attributes: [String]? = nil, region: String
    ) async throws -> (
        items: [Item], unprocessed: [Item]
    ) {
        var request: [String: Any] = ["Keys": keys.map(encode), "ConsistentRead": true]
        if let attributes {
            let names = Dictionary(uniqueKeysWithValues: attributes.enumerated().map { ("#a\($0.offset)", $0.element) })
            request["ProjectionExpression"] = names.keys.sorted().joined(separator: ", ")
            request["ExpressionAttributeNames"] = names
        }
        var operation = try JSONProtocol.operation(
            "BatchGetItem", ["RequestItems": [table: request]], service: .dynamodb, region: region, target: Self.targetPrefix,
            version: "1.0", idempotent: true)
        // DynamoDB answers at most 16 MB of items a call (and leaves the rest unprocessed).
        operation.maxResponseBytes = 20 << 20
        let object = try await JSONProtocol.call(operation, through: sender)
        let names = [table] + (table.hasPrefix("arn:") ? [String(table.split(separator: "/", maxSplits: 1).last ?? "")] : [])
        guard let responses = object["Responses"] as? [String: Any], let found = names.lazy.compactMap({ responses[$0] }).first as? [Any]
        else {
            throw malformed("BatchGetItem", "no Responses for the table \(table)")
        }
        var unprocessed: [Any] = []
        if let left = object["UnprocessedKeys"] {
            guard let left = left as? [String: Any] else { throw malformed("BatchGetItem", "UnprocessedKeys that is not an object") }
            if !left.isEmpty {
                guard let entry = names.lazy.compactMap({ left[$0] }).first as? [String: Any], left.count == 1,
                    let keys = entry["Keys"] as? [Any]
                else {
                    throw malformed("BatchGetItem", "UnprocessedKeys that do not name the table \(table)'s keys")
                }
                unprocessed = keys
            }
        }
        return (try found.map { try decode($0, operation: "BatchGetItem") }, try unprocessed.map { try decode($0, operation: "BatchGetItem") })
    }

    /// Writes `item` whole when `condition` holds.
    /// - Throws: `AWSError` with code `ConditionalCheckFailedException` when it does not. Not retried after an
    ///   ambiguous failure: the caller reads the item again and decides.
    public func putItem(table: String, item: Item, condition: Condition?, region: String) async throws {
        var body: [String: Any] = ["TableName": table, "Item": encode(item)]
        add(condition, to: &body)
        _ = try await call("PutItem", body, region: region, idempotent: false)
    }

    /// Deletes the item with `key` when `condition` holds.
    /// - Throws: `AWSError` (`ConditionalCheckFailedException`, …).
    public func deleteItem(table: String, key: Item, condition: Condition?, region: String) async throws {
        var body: [String: Any] = ["TableName": table, "Key": encode(key)]
        add(condition, to: &body)
        _ = try await call("DeleteItem", body, region: region, idempotent: false)
    }

    private func add(_ condition: Condition?, to body: inout [String: Any]) {
        guard let condition else { return }
        body["ConditionExpression"] = condition.expression
        if !condition.names.isEmpty { body["ExpressionAttributeNames"] = condition.names }
        if !condition.values.isEmpty { body["ExpressionAttributeValues"] = encode(condition.values) }
    }

    private func encode(_ item: Item) -> [String: [String: String]] {
        item.mapValues(\.json)
    }

    private func decode(_ json: Any, operation: String) throws -> Item {
        guard let object = json as? [String: Any] else { throw malformed(operation, "an Item that is not an object") }
        var item: Item = [:]
        for (name, value) in object {
            guard let attribute = AttributeValue(json: value) else { throw malformed(operation, "attribute \(name) that is not a typed value") }
            item[name] = attribute
        }
        return item
    }

    private func malformed(_ operation: String, _ why: String) -> AWSError {
        AWSError(
            kind: .malformedResponse, service: AWSService.dynamodb.rawValue, operation: operation, code: "MalformedResponse",
            message: "DynamoDB answered with \(why)")
    }

    private func call(_ name: String, _ body: [String: Any], region: String, idempotent: Bool) async throws -> [String: Any] {
        let operation = try JSONProtocol.operation(
            name, body, service: .dynamodb, region: region, target: Self.targetPrefix, version: "1.0", idempotent: idempotent)
        return try await JSONProtocol.call(operation, through: sender)
    }
}
