/// One application's desired state, as declared by a file in the desired-state folder.
public struct Application: Sendable, Equatable {
    /// `metadata.name`, unique across the folder.
    public var name: String
    public var spec: ApplicationSpec
    /// Where the declaration came from: the file, and the positions of the fields a flip or an error points at.
    public var source: Source

    public init(name: String, spec: ApplicationSpec, source: Source) {
        self.name = name
        self.spec = spec
        self.source = source
    }

    /// The file an application was read from.
    public struct Source: Sendable, Equatable {
        /// The file's path inside the repository, e.g. `desired-state/unishop.yaml`.
        public var path: String
        /// Where the `spec.activeRegion` value stands: the one place a flip rewrites.
        public var activeRegion: SourceLocation
        /// Where each resource's value stands, by field path (`spec.regions.us-east-1.bucket`,
        /// `spec.cloudfront.originGroupId`, `spec.aurora.globalClusterId`): what a rule across files points at.
        public var fields: [String: SourceLocation]

        public init(path: String, activeRegion: SourceLocation, fields: [String: SourceLocation] = [:]) {
            self.path = path
            self.activeRegion = activeRegion
            self.fields = fields
        }

        /// The position of a field's value, or the top of the file when it was not recorded.
        public func location(of field: String) -> SourceLocation {
            fields[field] ?? SourceLocation(path: path, line: 1, column: 1)
        }
    }
}

/// `spec`: the regions, resources and the active region of an application.
public struct ApplicationSpec: Sendable, Equatable {
    /// The region that serves: its databases write and traffic goes to it first.
    public var activeRegion: String
    /// The regions in the order the file lists them.
    public var regions: [RegionSpec]
    /// What the kinds declare for the app as a whole (`spec.aurora`, `spec.cloudfront`, …), read through each kind's
    /// accessors.
    public var declarations: Declarations
    public var safety: SafetySpec
    /// `spec.suspend: true`: no host acts on the app (break glass, the GitOps way); it is reported as suspended.
    public var suspend = false

    public init(activeRegion: String, regions: [RegionSpec], declarations: Declarations = Declarations(), safety: SafetySpec = SafetySpec()) {
        self.activeRegion = activeRegion
        self.regions = regions
        self.declarations = declarations
        self.safety = safety
    }

    /// The declaration of one region by name.
    public func region(_ name: String) -> RegionSpec? {
        regions.first { $0.name == name }
    }
}

/// `spec.regions.<name>`.
public struct RegionSpec: Sendable, Equatable {
    public var name: String
    /// What the kinds declare in this region (`bucket`, `auroraCluster`, …), read through each kind's accessors.
    public var declarations: Declarations

    public init(name: String, declarations: Declarations = Declarations()) {
        self.name = name
        self.declarations = declarations
    }
}

/// `spec.safety`.
public struct SafetySpec: Sendable, Equatable {
    /// A flip within this time of the last converged flip is refused, unless overridden in the commit.
    public var minDwell: Duration?

    public init(minDwell: Duration? = nil) {
        self.minDwell = minDwell
    }
}

/// An RDS DB cluster ARN, `arn:aws:rds:<region>:<account>:cluster:<id>` (Aurora and DocumentDB clusters alike).
public struct ClusterARN: Sendable, Hashable, CustomStringConvertible {
    public let partition: String
    public let region: String
    public let account: String
    public let clusterID: String

    /// Parses an ARN; nil when it is not an RDS cluster ARN.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "rds",
            parts[4].count == 12, parts[4].allSatisfy(\.isASCIIDigitCharacter), parts[5] == "cluster",
            !parts[6].isEmpty, !parts[3].isEmpty
        else { return nil }
        partition = parts[1]
        region = parts[3]
        account = parts[4]
        clusterID = parts[6]
    }

    public var description: String { "arn:\(partition):rds:\(region):\(account):cluster:\(clusterID)" }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
