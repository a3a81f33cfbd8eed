import Yams

/// Rewrites the `activeRegion` value of a desired-state file in place, so that a flip's diff is exactly one value.
///
/// Only the value's own characters change: its quoting style (plain, 'single', "double" — so JSON stays JSON),
/// line endings (LF, CRLF or CR), comments, indentation and flow style (`{activeRegion: …, standby: …}`) are kept.
public enum ActiveRegionEdit {
    /// Why a flip cannot be written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Returns the file with `spec.activeRegion` set to `region`, every other byte unchanged.
    /// - Parameters:
    ///   - text: the file's content, from which `app` was parsed.
    ///   - app: the parsed application, whose source position names the value to replace.
    ///   - region: the new active region; it must be declared under `spec.regions`.
    ///   - schema: the kinds `app` was read with: the result is read back with them.
    /// - Throws: `Failure` when the region is not declared, is already active, the value is written in a way
    ///   that cannot be rewritten on its own (a multi-line or block scalar), or the result would not validate.
    public static func apply(to text: String, of app: Application, region: String, schema: Schema) throws(Failure) -> String {
        guard app.spec.region(region) != nil else {
            throw Failure(
                description: "`\(region)` is not a region of \(app.name); declared: \(app.spec.regions.map(\.name).joined(separator: ", "))")
        }
        guard app.spec.activeRegion != region else {
            throw Failure(description: "\(region) is already the active region of \(app.name); nothing to flip")
        }
        let misplaced = Failure(description: "\(app.source.activeRegion): activeRegion is not where the parser saw it")
        let scalars = Array(text.unicodeScalars)
        guard let start = offset(ofLine: app.source.activeRegion.line, column: app.source.activeRegion.column, in: scalars) else {
            throw misplaced
        }
        guard let style = valueStyle(in: text), let end = valueEnd(from: start, style: style, value: app.spec.activeRegion, in: scalars) else {
            throw Failure(
                description: "\(app.source.activeRegion): activeRegion is written in a form flip cannot rewrite on its own "
                    + "(over several lines, as a block scalar, or with a tag or anchor); write it on one line, plain or quoted")
        }
        let replacement: String =
            switch style {
            case .singleQuoted: "'\(region)'"
            case .doubleQuoted: "\"\(region)\""
            default: region
            }
        var rewritten = String.UnicodeScalarView()
        rewritten.append(contentsOf: scalars[..<start])
        rewritten.append(contentsOf: replacement.unicodeScalars)
        rewritten.append(contentsOf: scalars[end...])
        let result = String(rewritten)

        // The rewrite must read back as the same application with only activeRegion changed.
        var expected = app.spec
        expected.activeRegion = region
        switch ApplicationParser.parse(result, path: app.source.path, schema: schema) {
        case let .success(edited) where edited.spec == expected && edited.name == app.name:
            return result
        case .success:
            throw Failure(description: "\(app.source.activeRegion): rewriting activeRegion changed more than activeRegion; edit the file by hand")
        case let .failure(failure):
            throw Failure(description: "the rewritten file would not be valid:\n\(failure)")
        }
    }

    /// The scalar offset of a 1-based line and column (in Unicode scalars, as libyaml counts them).
    ///
    /// Lines break as YAML breaks them: LF, CR LF, a lone CR, NEL, LS or PS. (A leading byte order mark counts as a
    /// column, as Yams reports it.)
    static func offset(ofLine line: Int, column: Int, in scalars: [Unicode.Scalar]) -> Int? {
        var current = 1
        var index = 0
        while current < line {
            guard index < scalars.count else { return nil }
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "\r":
                if index < scalars.count, scalars[index] == "\n" { index += 1 }
                current += 1
            case "\n", "\u{85}", "\u{2028}", "\u{2029}":
                current += 1
            default:
                break
            }
        }
        let offset = index + column - 1
        return offset < scalars.count ? offset : nil
    }

    /// The scalar style the file writes `spec.activeRegion` in.
    static func valueStyle(in text: String) -> Node.Scalar.Style? {
        // The same early refusal as the parser's: nothing is composed from a file beyond the limits.
        guard DocumentLimits.check(text, path: "") == nil, let root = try? Yams.compose(yaml: text, .basic),
            let spec = root.mapping?.first(where: { $0.key.scalar?.string == "spec" })?.value,
            let value = spec.mapping?.first(where: { $0.key.scalar?.string == "activeRegion" })?.value
        else { return nil }
        return value.scalar?.style
    }

    /// The offset just past the value that starts at `start`; nil when it is not a one-line plain or quoted scalar.
    static func valueEnd(from start: Int, style: Node.Scalar.Style, value: String, in scalars: [Unicode.Scalar]) -> Int? {
        func isBreak(_ s: Unicode.Scalar) -> Bool { s == "\n" || s == "\r" }
        switch style {
        case .plain, .any:
            // A one-line plain scalar is written exactly as its value reads.
            let written = Array(value.unicodeScalars)
            let end = start + written.count
            guard end <= scalars.count, Array(scalars[start..<end]) == written else { return nil }
            return end
        case .singleQuoted:
            guard scalars[start] == "'" else { return nil }
            var i = start + 1
            while i < scalars.count, !isBreak(scalars[i]) {
                if scalars[i] == "'" {
                    if i + 1 < scalars.count, scalars[i + 1] == "'" { i += 2; continue }
                    return i + 1
                }
                i += 1
            }
            return nil
        case .doubleQuoted:
            guard scalars[start] == "\"" else { return nil }
            var i = start + 1
            while i < scalars.count, !isBreak(scalars[i]) {
                if scalars[i] == "\\" { i += 2; continue }
                if scalars[i] == "\"" { return i + 1 }
                i += 1
            }
            return nil
        case .literal, .folded:
            return nil
        }
    }
}
