import Basics
import Yams

/// One resource kind's part of the desired-state schema: the keys it owns under `spec` and under each region, how
/// they are read (with the same `file:line:column` diagnostics as every other field), and which resources they claim.
/// The kinds live above this module (Sources/Reconciler/Kinds); a `Schema` lists them.
public protocol KindSchema: Sendable {
    /// Sections the kind owns under `spec` that declare resources (`aurora`, `cloudfront`).
    var specKeys: [String] { get }
    /// Keys the kind owns under `spec` that only set how it acts (`standby`).
    var settings: [String] { get }
    /// Keys the kind owns under each `spec.regions.<name>` (`auroraCluster`, `bucket`).
    var regionKeys: [String] { get }
    /// What the kind's keys declare, for "no resources declared; expected …" (`buckets`, `Aurora clusters`).
    var noun: String { get }
    /// Reads the kind's keys, reporting every problem, and stores what they declare in the reader's declarations.
    func read(_ reader: inout KindReader)
    /// The resources a file claims for itself: two files may not drive one resource.
    func claims(_ app: Application) -> [ResourceClaim]
}

extension KindSchema {
    public var settings: [String] { [] }
    public func claims(_ app: Application) -> [ResourceClaim] { [] }
}

/// The kinds a desired-state file is read with: the registry's schemas, in order.
public struct Schema: Sendable {
    public var kinds: [any KindSchema]

    public init(_ kinds: [any KindSchema]) {
        self.kinds = kinds
    }

    var specKeys: [String] { kinds.flatMap { $0.settings + $0.specKeys } }
    var regionKeys: [String] { kinds.flatMap(\.regionKeys) }
}

/// A resource one file drives, for the rule across files.
public struct ResourceClaim: Sendable {
    /// The identity two files must not share (`bucket NAME`), compared exactly.
    public var key: String
    /// How a diagnostic names it: "bucket `NAME`".
    public var what: String
    /// The field that declares it: `spec.regions.us-east-1.bucket`.
    public var field: String

    public init(key: String, what: String, field: String) {
        self.key = key
        self.what = what
        self.field = field
    }
}

/// A value a kind declares, kept by key in `Declarations`.
public protocol Declaration: Sendable, Equatable {}

extension Declaration {
    func isEqual(to other: any Declaration) -> Bool { (other as? Self) == self }
}

extension ClusterARN: Declaration {}
extension String: Declaration {}
extension Bool: Declaration {}

/// What the kinds declared for an app or a region, by key (`aurora`, `auroraCluster`): each kind reads back its own
/// through typed accessors in its folder.
public struct Declarations: Sendable, Equatable {
    private var values: [String: any Declaration] = [:]

    public init() {}

    public subscript<T: Declaration>(_ key: String, as type: T.Type = T.self) -> T? {
        get { values[key] as? T }
        set { values[key] = newValue }
    }

    public var isEmpty: Bool { values.isEmpty }

    public static func == (a: Declarations, b: Declarations) -> Bool {
        a.values.count == b.values.count && a.values.allSatisfy { key, value in b.values[key].map { value.isEqual(to: $0) } ?? false }
    }
}

/// A field of the file: its key and value as read, and its path (`spec.aurora.globalClusterId`).
public struct Entry {
    let key: Node?
    let value: Node
    /// The field's path, as diagnostics name it.
    public let field: String
}

/// What a kind reads its keys through: the file's `spec` and regions, and the diagnostics and declarations being made.
public struct KindReader {
    var reader: NodeReader
    let specNode: Node
    let specEntries: [String: (key: Node, value: Node)]
    let regionEntries: [String: (key: Node, entries: [String: (key: Node, value: Node)], value: Node)]
    let regionsNode: Node?
    /// The regions in the order the file lists them.
    public let regionNames: [String]
    /// `spec.activeRegion`, when it was read.
    public let activeRegion: String?
    /// What the app declares; each kind writes its own keys.
    public var declarations = Declarations()
    /// What each region declares, by region name.
    public var regionDeclarations: [String: Declarations] = [:]

    // MARK: Finding fields

    /// `spec.KEY`, when the file has it.
    public func spec(_ key: String) -> Entry? {
        specEntries[key].map { Entry(key: $0.key, value: $0.value, field: "spec.\(key)") }
    }

    /// `spec.regions.REGION.KEY`, when the file has it.
    public func region(_ region: String, _ key: String) -> Entry? {
        regionEntries[region]?.entries[key].map { Entry(key: $0.key, value: $0.value, field: "spec.regions.\(region).\(key)") }
    }

    // MARK: Reading values

    /// A mapping's entries, reporting keys that are not allowed (with "did you mean").
    public mutating func mapping(_ entry: Entry, allowed: [String]) -> [String: Entry]? {
        reader.mapping(entry.value, entry.field, allowed: allowed).map { entries in
            Dictionary(
                uniqueKeysWithValues: entries.map { ($0.key, Entry(key: $0.value.key, value: $0.value.value, field: "\(entry.field).\($0.key)")) })
        }
    }

    /// A list's items, each named `FIELD[INDEX]` in diagnostics; nil (reported) when the value is not a list.
    public mutating func list(_ entry: Entry) -> [Entry]? {
        guard let sequence = entry.value.sequence else {
            reader.report(at: entry.value, entry.field, "found \(reader.describe(entry.value)); expected a list")
            return nil
        }
        return sequence.enumerated().map { Entry(key: nil, value: $0.element, field: "\(entry.field)[\($0.offset)]") }
    }

    /// A string field of a mapping read with `mapping`; a missing required one is reported at its parent.
    public mutating func string(_ entries: [String: Entry], _ key: String, in parent: Entry, required: Bool = true) -> String? {
        guard let entry = entries[key] else {
            if required { reader.report(at: parent.value, "\(parent.field).\(key)", "missing; this field is required") }
            return nil
        }
        return string(entry)
    }

    /// A non-empty string; its position is recorded for diagnostics across files.
    public mutating func string(_ entry: Entry) -> String? {
        guard let scalar = entry.value.scalar, !scalar.isNull else {
            reader.report(at: entry.value, entry.field, "found \(reader.describe(entry.value)); expected a string")
            return nil
        }
        if scalar.string.isEmpty {
            reader.report(at: entry.value, entry.field, "found an empty string; expected a value")
            return nil
        }
        reader.fields[entry.field] = reader.location(entry.value.mark)
        return scalar.string
    }

    /// A whole number within `range`.
    public mutating func integer(_ entry: Entry, in range: ClosedRange<Int>) -> Int? {
        guard let scalar = entry.value.scalar, scalar.style == .plain, let value = Int(scalar.string), range.contains(value) else {
            reader.report(
                at: entry.value, entry.field,
                "found \(reader.describe(entry.value)); expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// `true` or `false`.
    public mutating func bool(_ entry: Entry) -> Bool? {
        guard let value = entry.value.scalar?.bool else {
            reader.report(at: entry.value, entry.field, "found \(reader.describe(entry.value)); expected true or false")
            return nil
        }
        return value
    }

    /// One of an enumeration's values; `value` when the field is absent or wrong (which is reported).
    public mutating func enumeration<E: RawRepresentable & CaseIterable>(_ entry: Entry?, default value: E) -> E where E.RawValue == String {
        guard let entry, let text = string(entry) else { return value }
        guard let parsed = E(rawValue: text) else {
            reader.report(at: entry.value, entry.field, "found `\(text)`; expected one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
            return value
        }
        return parsed
    }

    /// A duration such as `90s`.
    public mutating func duration(_ entry: Entry?) -> Duration? {
        guard let entry, let text = string(entry) else { return nil }
        guard let value = DurationFormat.parse(text) else {
            reader.report(at: entry.value, entry.field, "found `\(text)`; expected a duration such as 500ms, 90s, 5m or 1h")
            return nil
        }
        return value
    }

    // MARK: Reporting

    /// A problem with a field's value (or, `atKey`, with the key itself).
    public mutating func report(_ entry: Entry, atKey: Bool = false, _ message: String) {
        reader.report(at: atKey ? entry.key : entry.value, entry.field, message)
    }

    /// A problem with a region: reported at its key, under `spec.regions.REGION.FIELD`.
    public mutating func report(region: String, _ field: String, _ message: String) {
        reader.report(at: regionEntries[region]?.key, "spec.regions.\(region).\(field)", message)
    }

    /// A problem with `spec` as a whole, under `spec.FIELD`.
    public mutating func report(spec field: String, _ message: String) {
        reader.report(at: specNode, "spec.\(field)", message)
    }

    // MARK: Rules

    /// A group of fields that is optional but complete when present: every region has `regionKey` once any region
    /// has it or `spec.section` is set, and `spec.section` is set once a region has `regionKey`.
    public mutating func requireComplete(regionKey: String, section: String?) {
        let having = regionNames.filter { regionEntries[$0]?.entries[regionKey] != nil }
        let sectionPresent = section.map { specEntries[$0] != nil } ?? false
        guard !having.isEmpty || sectionPresent else { return }
        for region in regionNames where !having.contains(region) {
            let why = sectionPresent ? "spec.\(section ?? "") is set" : "other regions declare it"
            report(region: region, regionKey, "missing; required because \(why)")
        }
        if let section, !sectionPresent {
            report(spec: section, "missing; required because regions declare `\(regionKey)`")
        }
    }

    /// Two regions may not share a value of `regionKey` (an origin, a bucket): a flip must change which one serves.
    public mutating func requireDistinct(_ regionKey: String, noun: String) {
        var owner: [String: String] = [:]
        for region in regionNames {
            guard let value: String = regionDeclarations[region]?[regionKey] else { continue }
            if let other = owner[value] {
                report(region: region, regionKey, "found `\(value)`, already the \(noun) of \(other); expected a distinct \(noun) per region")
            }
            owner[value] = region
        }
    }
}

/// AWS region names: `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`, `us-iso-east-1`.
public func isRegionName(_ name: String) -> Bool {
    let parts = name.split(separator: "-", omittingEmptySubsequences: false)
    guard (3...4).contains(parts.count),
        parts[0].count == 2, parts[0].allSatisfy({ $0.isASCII && $0.isLowercase }),
        let last = parts.last, !last.isEmpty, last.count <= 2, last.allSatisfy({ $0.isASCII && $0.isNumber })
    else { return false }
    return parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
}

/// The identifier in lower case when it has upper-case letters; nil when it is already as AWS stores it.
public func lowerCaseIdentifier(_ id: String) -> String? {
    let lower = id.lowercased()
    return lower == id ? nil : lower
}
