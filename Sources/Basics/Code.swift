/// A value that is a stable string: coded as the string itself, written as a string literal, shown as it is.
public protocol StableString: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
}

extension StableString {
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public init(from decoder: any Decoder) throws { self.init(rawValue: try decoder.singleValueContainer().decode(String.self)) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A stable machine code for a reason: why an app is blocked, what happened to a step, a verdict, how a pass ended, a
/// safety check's name. An open set, as NIO's error codes are: each resource kind adds its own, and a code is added,
/// never renamed (docs/OUTPUT.md lists them). JSON carries the string itself; people read it in brackets.
public struct Code: StableString {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// This code with `prefix` before it: `preflight:` + `target-bucket`.
    public func prefixed(_ prefix: String) -> Code { Code(prefix + rawValue) }
}
