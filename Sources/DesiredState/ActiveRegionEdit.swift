/// Rewrites the `activeRegion` value of a desired-state file in place, so that a flip's diff is exactly one line.
public enum ActiveRegionEdit {
    /// Why a flip cannot be written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Returns the file with `spec.activeRegion` set to `region`, every other byte unchanged.
    /// - Parameters:
    ///   - text: the file's content, from which `app` was parsed.
    ///   - app: the parsed application, whose source position names the value to replace.
    ///   - region: the new active region; it must be declared under `spec.regions`.
    /// - Throws: `Failure` when the region is not declared, is already active, or the result would not validate.
    public static func apply(to text: String, of app: Application, region: String) throws(Failure) -> String {
        guard app.spec.region(region) != nil else {
            throw Failure(description: "`\(region)` is not a region of \(app.name); declared: \(app.spec.regions.map(\.name).joined(separator: ", "))")
        }
        guard app.spec.activeRegion != region else {
            throw Failure(description: "\(region) is already the active region of \(app.name); nothing to flip")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = app.source.activeRegion.line - 1
        guard lines.indices.contains(index) else {
            throw Failure(description: "\(app.source.activeRegion): activeRegion is not where the parser saw it")
        }
        let line = Array(lines[index].unicodeScalars)
        let start = app.source.activeRegion.column - 1
        guard line.indices.contains(start) else {
            throw Failure(description: "\(app.source.activeRegion): activeRegion is not where the parser saw it")
        }
        var end = start
        if line[start] == "\"" || line[start] == "'" {
            let quote = line[start]
            end = start + 1
            while end < line.count, line[end] != quote { end += 1 }
            guard end < line.count else {
                throw Failure(description: "\(app.source.activeRegion): activeRegion is a multi-line string; write it on one line")
            }
            end += 1
        } else {
            while end < line.count, line[end] != " ", line[end] != "\t", line[end] != "#", line[end] != "\r" { end += 1 }
        }
        var rewritten = String.UnicodeScalarView()
        rewritten.append(contentsOf: line[..<start])
        rewritten.append(contentsOf: region.unicodeScalars)
        rewritten.append(contentsOf: line[end...])
        lines[index] = String(rewritten)
        let result = lines.joined(separator: "\n")
        switch ApplicationParser.parse(result, path: app.source.path) {
        case let .success(edited) where edited.spec.activeRegion == region:
            return result
        case .success:
            throw Failure(description: "\(app.source.activeRegion): rewriting activeRegion did not take effect")
        case let .failure(failure):
            throw Failure(description: "the rewritten file would not be valid:\n\(failure)")
        }
    }
}
