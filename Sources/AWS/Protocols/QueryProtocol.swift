import Basics
import Foundation

/// The form parameters of an AWS Query request (RDS, STS, CloudWatch), serialized as botocore does:
/// `Action` and `Version` first, lists as `Name.member.N` (or the member's `locationName`),
/// an empty list as `Name=`, booleans as `true`/`false`, timestamps as ISO 8601 in UTC.
public struct QueryParameters: Sendable {
    /// The parameters in the order they are written.
    public private(set) var pairs: [(name: String, value: String)]

    /// Parameters for one API call; `action` is also the operation's name.
    public init(action: String, version: String) {
        pairs = [("Action", action), ("Version", version)]
    }

    /// The `Action` value.
    public var action: String { pairs[0].value }

    /// Adds a string parameter.
    public mutating func add(_ name: String, _ value: String) {
        pairs.append((name, value))
    }

    /// Adds a boolean parameter as `true` or `false`.
    public mutating func add(_ name: String, _ value: Bool) {
        pairs.append((name, value ? "true" : "false"))
    }

    /// Adds an integer parameter.
    public mutating func add(_ name: String, _ value: Int) {
        pairs.append((name, String(value)))
    }

    /// Adds a timestamp parameter, e.g. `2024-05-01T12:00:00Z`.
    public mutating func add(_ name: String, _ value: Date) {
        pairs.append((name, Timestamp.format(value)))
    }

    /// Adds a list of strings: `Name.member.1=a&Name.member.2=b`, or `Name=` when empty.
    /// - Parameter member: the list member's `locationName` in the model, `member` when it has none.
    public mutating func addList(_ name: String, member: String = "member", _ values: [String]) {
        guard !values.isEmpty else { return pairs.append((name, "")) }
        for (i, value) in values.enumerated() { pairs.append(("\(name).\(member).\(i + 1)", value)) }
    }

    /// Adds a list of structures, each given as its fields: `Name.member.1.Field=value`, or `Name=` when empty.
    public mutating func addList(_ name: String, member: String = "member", structures: [[(field: String, value: String)]]) {
        guard !structures.isEmpty else { return pairs.append((name, "")) }
        for (i, fields) in structures.enumerated() {
            for field in fields { pairs.append(("\(name).\(member).\(i + 1).\(field.field)", field.value)) }
        }
    }

    /// The `application/x-www-form-urlencoded` body.
    public func encoded() -> [UInt8] {
        Array(pairs.map { "\(Self.percentEncode($0.name))=\(Self.percentEncode($0.value))" }.joined(separator: "&").utf8)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func percentEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%"
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return out
    }
}

/// Builds AWS Query operations: `POST /` with a form body.
public enum QueryProtocol {
    /// The content type botocore sends with a Query body.
    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    /// The operation for these parameters; its name is the `Action`.
    public static func operation(
        _ parameters: QueryParameters, service: AWSService, region: String, idempotent: Bool
    ) -> AWSOperation {
        AWSOperation(
            service: service, region: region, name: parameters.action, method: "POST", path: "/",
            headers: [("Content-Type", contentType)], body: parameters.encoded(), idempotent: idempotent)
    }
}
