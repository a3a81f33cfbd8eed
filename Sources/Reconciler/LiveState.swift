import AWS
import DesiredState

/// A value observed from AWS, or why it could not be.
public enum Observed<Value: Sendable>: Sendable {
    case value(Value)
    case unavailable(String)
    /// AWS answered that the declared resource does not exist (a 404, `…NotFound…`): the file names something that
    /// is not there, which no retry fixes.
    case missing(String)

    /// Why it could not be read, whether unavailable or missing.
    public var problem: String? {
        switch self {
        case .value: nil
        case let .unavailable(why), let .missing(why): why
        }
    }

    public var value: Value? {
        if case let .value(v) = self { return v }
        return nil
    }

    /// Reads a value: a failure is `missing` when AWS says the resource does not exist, else `unavailable`.
    public static func reading(_ what: String, _ body: () async throws -> Value) async -> Observed<Value> {
        do { return .value(try await body()) } catch {
            return AWSError.isNotFound(error) ? .missing("\(what): \(error)") : .unavailable("\(what): \(error)")
        }
    }
}

/// Everything observed of one application at one moment: each declared kind's observation and, when the plan had
/// something to change, its preflight reading.
public struct LiveState: Sendable {
    /// Per kind, in the registry's order.
    var parts: [Part]

    struct Part: Sendable {
        var kind: any ResourceKind
        var live: any Sendable
        var reading: (any Sendable)?
    }
}

extension Observed {
    /// Reads one value per region, all at once, each through the gate to its region's control plane (`plane` gives
    /// it: `s3 us-west-1`); a region that cannot be read is `unavailable` (or `missing`), never fatal.
    public static func eachRegion(
        _ regions: [(region: String, resource: String)], plane: @escaping @Sendable (String) -> String, calls: any CallGate,
        what: @escaping @Sendable (_ resource: String, _ region: String) -> String,
        read: @escaping @Sendable (_ resource: String, _ region: String) async throws -> Value
    ) async -> [String: Observed<Value>] {
        await withTaskGroup(of: (String, Observed<Value>).self) { group in
            for (region, resource) in regions {
                group.addTask {
                    let value = await Observed.reading(what(resource, region)) {
                        try await calls.call(plane(region), read: true) { try await read(resource, region) }
                    }
                    return (region, value)
                }
            }
            var values: [String: Observed<Value>] = [:]
            for await (region, value) in group { values[region] = value }
            return values
        }
    }
}
