/// All applications declared in one desired-state folder at one commit.
public struct DesiredStateSet: Sendable {
    /// The applications, sorted by name.
    public var applications: [Application]

    public init(applications: [Application]) {
        self.applications = applications.sorted { $0.name < $1.name }
    }

    /// A file to be read: its path (for diagnostics) and its content.
    public struct File: Sendable {
        public var path: String
        public var content: String

        public init(path: String, content: String) {
            self.path = path
            self.content = content
        }
    }

    /// Whether a file name is a desired-state file.
    public static func isDesiredStateFile(_ name: String) -> Bool {
        (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !name.hasPrefix(".")
    }

    /// Parses every file, then checks rules across files.
    /// - Throws: `ValidationFailure` with every diagnostic of every file, if any file is invalid.
    public static func load(_ files: [File]) throws(ValidationFailure) -> DesiredStateSet {
        var applications: [Application] = []
        var diagnostics: [Diagnostic] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            switch ApplicationParser.parse(file.content, path: file.path) {
            case let .success(app): applications.append(app)
            case let .failure(failure): diagnostics += failure.diagnostics
            }
        }
        var firstByName: [String: Application] = [:]
        for app in applications {
            if let first = firstByName[app.name] {
                diagnostics.append(Diagnostic(
                    location: SourceLocation(path: app.source.path, line: 1, column: 1), field: "metadata.name",
                    message: "found `\(app.name)`, already declared in \(first.source.path); expected a name unique across files"
                ))
            } else {
                firstByName[app.name] = app
            }
        }
        guard diagnostics.isEmpty else { throw ValidationFailure(diagnostics: diagnostics) }
        return DesiredStateSet(applications: applications)
    }

    /// Keeps only the named applications.
    /// - Throws: `ValidationFailure` naming any requested application that is not declared.
    public func selecting(_ names: [String]) throws(SelectionError) -> DesiredStateSet {
        guard !names.isEmpty else { return self }
        let known = Set(applications.map(\.name))
        let unknown = names.filter { !known.contains($0) }
        guard unknown.isEmpty else { throw SelectionError(unknown: unknown, known: known.sorted()) }
        return DesiredStateSet(applications: applications.filter { names.contains($0.name) })
    }
}

/// `--app` named an application that the desired state does not declare.
public struct SelectionError: Error, Sendable, CustomStringConvertible {
    public var unknown: [String]
    public var known: [String]

    public init(unknown: [String], known: [String]) {
        self.unknown = unknown
        self.known = known
    }

    public var description: String {
        "no application named \(unknown.map { "`\($0)`" }.joined(separator: ", ")) in the desired state; "
            + "declared: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
    }
}
