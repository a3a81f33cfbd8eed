/// A stable machine code for a reason: why an app is blocked, what happened to a step, a verdict, how a pass ended, a
/// safety check's name. An open set, as NIO's error codes are: each resource kind adds its own, and a code is added,
/// never renamed (docs/OUTPUT.md lists them). JSON carries the string itself; people read it in brackets.
public struct Code: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (a: Code, b: Code) -> Bool { a.rawValue < b.rawValue }

    /// This code with `prefix` before it: `preflight:` + `target-bucket`.
    public func prefixed(_ prefix: String) -> Code { Code(prefix + rawValue) }
}
