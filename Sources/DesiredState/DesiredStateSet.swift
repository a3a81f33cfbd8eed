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
        /// The file's size when it was too large to be read (`content` is then empty): refused by that size.
        public var oversize: Int?

        public init(path: String, content: String, oversize: Int? = nil) {
            self.path = path
            self.content = content
            self.oversize = oversize
        }
    }

    /// Whether a file name is a desired-state file.
    public static func isDesiredStateFile(_ name: String) -> Bool {
        (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !name.hasPrefix(".")
    }

    /// Parses every file, then checks rules across files.
    /// - Throws: `ValidationFailure` with every diagnostic of every file, if any file is invalid.
    public static func load(_ files: [File], schema: Schema) throws(ValidationFailure) -> DesiredStateSet {
        var applications: [Application] = []
        var diagnostics: [Diagnostic] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            if let size = file.oversize {
                diagnostics.append(
                    Diagnostic(location: SourceLocation(path: file.path, line: 1, column: 1), field: "", message: DocumentLimits.tooLarge(size)))
                continue
            }
            switch ApplicationParser.parse(file.content, path: file.path, schema: schema) {
            case let .success(app): applications.append(app)
            case let .failure(failure): diagnostics += failure.diagnostics
            }
        }
        var firstByName: [String: Application] = [:]
        for app in applications {
            if let first = firstByName[app.name] {
                diagnostics.append(
                    Diagnostic(
                        location: SourceLocation(path: app.source.path, line: 1, column: 1), field: "metadata.name",
                        message: "found `\(app.name)`, already declared in \(first.source.path); expected a name unique across files"
                    ))
            } else {
                firstByName[app.name] = app
            }
        }
        diagnostics += sharedResources(applications, schema: schema)
        guard diagnostics.isEmpty else { throw ValidationFailure(diagnostics: diagnostics) }
        return DesiredStateSet(applications: applications)
    }

    /// Two applications may not drive the same resource: each pass would undo the other's flip.
    ///
    /// Each kind names the resources a file claims (a bucket, a distribution's origin group, a global cluster, a
    /// cluster); identifiers are compared as AWS compares them.
    static func sharedResources(_ applications: [Application], schema: Schema) -> [Diagnostic] {
        var owners: [String: (app: Application, field: String)] = [:]
        var diagnostics: [Diagnostic] = []
        for app in applications {
            var own: [String: String] = [:]
            for claim in schema.kinds.flatMap({ $0.claims(app) }) {
                // One file naming one resource under two fields (Aurora's and DocumentDB's global cluster, say) would
                // drive it twice in one pass.
                if let field = own[claim.key], field != claim.field {
                    let there = app.source.location(of: field)
                    diagnostics.append(
                        Diagnostic(
                            location: app.source.location(of: claim.field), field: claim.field,
                            message: "found \(claim.what), already named by \(field) at line \(there.line); "
                                + "expected each resource under one field only"))
                }
                own[claim.key] = own[claim.key] ?? claim.field
                if let first = owners[claim.key], first.app.source.path != app.source.path {
                    let there = first.app.source.location(of: first.field)
                    diagnostics.append(
                        Diagnostic(
                            location: app.source.location(of: claim.field), field: claim.field,
                            message: "found \(claim.what), already declared by \(first.app.name) at \(there.path):\(there.line); "
                                + "expected each resource in one file only, or two applications would undo each other's flips"))
                } else if owners[claim.key] == nil {
                    owners[claim.key] = (app, claim.field)
                }
            }
        }
        return diagnostics
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
