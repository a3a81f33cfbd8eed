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
    public static func load(_ files: [File]) throws(ValidationFailure) -> DesiredStateSet {
        var applications: [Application] = []
        var diagnostics: [Diagnostic] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            if let size = file.oversize {
                diagnostics.append(
                    Diagnostic(location: SourceLocation(path: file.path, line: 1, column: 1), field: "", message: DocumentLimits.tooLarge(size)))
                continue
            }
            switch ApplicationParser.parse(file.content, path: file.path) {
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
        diagnostics += sharedResources(applications)
        guard diagnostics.isEmpty else { throw ValidationFailure(diagnostics: diagnostics) }
        return DesiredStateSet(applications: applications)
    }

    /// Two applications may not drive the same resource: each pass would undo the other's flip.
    ///
    /// A bucket, a distribution's origin group, a global cluster and a cluster belong to one file. Identifiers
    /// are compared as AWS compares them (bucket names and Aurora identifiers are lower case by the schema;
    /// CloudFront ids are case-sensitive).
    static func sharedResources(_ applications: [Application]) -> [Diagnostic] {
        var owners: [String: (app: Application, field: String)] = [:]
        var diagnostics: [Diagnostic] = []
        func claim(_ key: String, _ what: String, _ app: Application, _ field: String) {
            if let first = owners[key], first.app.source.path != app.source.path {
                let there = first.app.source.location(of: first.field)
                diagnostics.append(
                    Diagnostic(
                        location: app.source.location(of: field), field: field,
                        message: "found \(what), already declared by \(first.app.name) at \(there.path):\(there.line); "
                            + "expected each resource in one file only, or two applications would undo each other's flips"))
            } else if owners[key] == nil {
                owners[key] = (app, field)
            }
        }
        for app in applications {
            for region in app.spec.regions {
                if let bucket = region.bucket {
                    claim("bucket \(bucket)", "bucket `\(bucket)`", app, "spec.regions.\(region.name).bucket")
                }
                if let cluster = region.auroraCluster {
                    claim("cluster \(cluster)", "Aurora cluster `\(cluster)`", app, "spec.regions.\(region.name).auroraCluster")
                }
            }
            if let cloudfront = app.spec.cloudfront {
                claim(
                    "origin group \(cloudfront.distributionID) \(cloudfront.originGroupID)",
                    "origin group `\(cloudfront.originGroupID)` of distribution `\(cloudfront.distributionID)`", app, "spec.cloudfront.originGroupId")
            }
            if let aurora = app.spec.aurora {
                claim("global cluster \(aurora.globalClusterID)", "global cluster `\(aurora.globalClusterID)`", app, "spec.aurora.globalClusterId")
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
