import Basics
import Foundation
import Yams

/// Reads one desired-state file into an `Application`, reporting every problem with its position.
public enum ApplicationParser {
    /// The only `apiVersion` this Switchyard reads.
    public static let apiVersion = "switchyard/v1"
    public static let kind = "Application"

    /// Parses and validates one file.
    /// - Parameters:
    ///   - text: the file's content.
    ///   - path: the file's path, used in every diagnostic.
    ///   - schema: the kinds whose keys the file may hold.
    /// - Returns: the application, or every diagnostic found in the file.
    public static func parse(_ text: String, path: String, schema: Schema) -> Result<Application, ValidationFailure> {
        var reader = NodeReader(path: path)
        if let problem = DocumentLimits.check(text, path: path) {
            return .failure(ValidationFailure(diagnostics: [problem]))
        }
        let root: Node
        do {
            // The basic resolver leaves plain scalars untyped (`isNull` and `bool` below read them): Yams's
            // default resolver compiles ICU regular expressions, which would keep ICU resident in `run`.
            // YAML allows a byte order mark at the start of the stream, and libyaml reads it before a flow document
            // but not before a block mapping: then the document is read without it (positions on line 1 only shift
            // by one for a block key, which holds no value flip rewrites).
            let composed = try? Yams.compose(yaml: text, .basic)
            let node = try composed ?? Yams.compose(yaml: text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, .basic)
            guard let node else {
                reader.report(at: nil, "", "the file is empty; expected an `apiVersion: \(apiVersion)` Application document")
                return .failure(ValidationFailure(diagnostics: reader.diagnostics))
            }
            root = node
        } catch {
            return .failure(ValidationFailure(diagnostics: [diagnostic(forYAMLError: error, path: path)]))
        }
        let app = reader.application(root, schema: schema)
        if let app, reader.diagnostics.isEmpty {
            return .success(app)
        }
        return .failure(ValidationFailure(diagnostics: reader.diagnostics))
    }

    static func diagnostic(forYAMLError error: any Error, path: String) -> Diagnostic {
        let (mark, problem): (Mark?, String) =
            switch error as? YamlError {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
                let .composer(context, problem, mark, _):
                (mark, [context?.text, problem].compactMap { $0 }.joined(separator: ": "))
            case let .duplicatedKeysInMapping(duplicates, context):
                (context.mark, "duplicate key \(duplicates.joined(separator: ", ")) in a mapping")
            case let .reader(problem, _, _, _):
                (nil, problem)
            default:
                (nil, "\(error)")
            }
        return Diagnostic(
            location: SourceLocation(path: path, line: mark?.line ?? 1, column: mark?.column ?? 1),
            field: "", message: "not valid YAML: \(problem)"
        )
    }
}

/// Walks a YAML node tree, collecting diagnostics rather than stopping at the first.
struct NodeReader {
    let path: String
    var diagnostics: [Diagnostic] = []
    /// Where each resource value was read, for rules across files.
    var fields: [String: SourceLocation] = [:]

    init(path: String) { self.path = path }

    mutating func report(at node: Node?, _ field: String, _ message: String) {
        let mark = node?.mark
        diagnostics.append(
            Diagnostic(
                location: location(mark), field: field, message: message
            ))
    }

    func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(path: path, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// The mapping's entries by key, reporting keys that are not allowed and non-string keys.
    mutating func mapping(_ node: Node, _ field: String, allowed: [String]?) -> [String: (key: Node, value: Node)]? {
        guard let mapping = node.mapping else {
            report(at: node, field, "found \(describe(node)); expected a mapping")
            return nil
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                report(at: key, field, "found \(describe(key)) as a key; expected a name")
                continue
            }
            if let allowed, !allowed.contains(name) {
                let suggestion =
                    allowed.min { editDistance($0, name) < editDistance($1, name) }
                    .flatMap { editDistance($0, name) <= 2 ? " (did you mean `\($0)`?)" : nil } ?? ""
                report(
                    at: key, join(field, name),
                    "unknown field\(suggestion); expected one of \(allowed.joined(separator: ", "))")
                continue
            }
            entries[name] = (key, value)
        }
        return entries
    }

    /// A required or optional string field.
    mutating func string(
        _ entries: [String: (key: Node, value: Node)], _ key: String, in parent: Node, _ field: String, required: Bool = true
    ) -> String? {
        guard let entry = entries[key] else {
            if required { report(at: parent, join(field, key), "missing; this field is required") }
            return nil
        }
        guard let scalar = entry.value.scalar, !scalar.isNull else {
            report(at: entry.value, join(field, key), "found \(describe(entry.value)); expected a string")
            return nil
        }
        if scalar.string.isEmpty {
            report(at: entry.value, join(field, key), "found an empty string; expected a value")
            return nil
        }
        fields[join(field, key)] = location(entry.value.mark)
        return scalar.string
    }

    mutating func bool(_ entries: [String: (key: Node, value: Node)], _ key: String, _ field: String) -> Bool? {
        guard let entry = entries[key] else { return nil }
        guard let value = entry.value.scalar?.bool else {
            report(at: entry.value, join(field, key), "found \(describe(entry.value)); expected true or false")
            return nil
        }
        return value
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(
        _ entries: [String: (key: Node, value: Node)], _ key: String, in parent: Node, _ field: String, default value: E
    ) -> E where E.RawValue == String {
        guard entries[key] != nil, let text = string(entries, key, in: parent, field) else { return value }
        guard let parsed = E(rawValue: text) else {
            report(
                at: entries[key]?.value, join(field, key),
                "found `\(text)`; expected one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
            return value
        }
        return parsed
    }

    mutating func duration(_ entries: [String: (key: Node, value: Node)], _ key: String, in parent: Node, _ field: String) -> Duration? {
        guard entries[key] != nil, let text = string(entries, key, in: parent, field) else { return nil }
        guard let value = DurationFormat.parse(text) else {
            report(at: entries[key]?.value, join(field, key), "found `\(text)`; expected a duration such as 500ms, 90s, 5m or 1h")
            return nil
        }
        return value
    }

    func join(_ field: String, _ key: String) -> String {
        field.isEmpty ? key : "\(field).\(key)"
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case let .scalar(scalar):
            scalar.isNull ? "nothing (null)" : "`\(scalar.string)`"
        }
    }
}

/// Levenshtein distance, for "did you mean" on misspelt keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return row[b.count]
}

/// YAML 1.1 core-schema readings of a scalar, as Yams's default resolver would tag it.
extension Node.Scalar {
    /// `~`, `null`, `Null`, `NULL` or nothing, written plain (Yams's own reading); or explicitly tagged `!!null`.
    var isNull: Bool {
        tag.rawValue == Tag.Name.null.rawValue || NSNull.construct(from: self) != nil
    }

    /// A plain `true`/`false` (also `yes`/`no`, `on`/`off`) in lower, Capitalised or UPPER case.
    var bool: Bool? {
        guard style == .plain else { return nil }
        switch string {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }
}
