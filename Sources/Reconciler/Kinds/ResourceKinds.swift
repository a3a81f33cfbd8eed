import AWS
import DesiredState

/// The kinds a pass drives, each talking to AWS through its own control.
public struct ResourceKinds: Sendable {
    /// The registry: every kind Switchyard knows, one line each (docs/KINDS.md). The order is the order in which
    /// their checks, blockers and live facts are listed; steps are ordered by phase.
    /// The website bucket comes after the origin group: a hot standby's handover reads where traffic goes.
    public static let registered: [any ResourceKind.Type] = [
        CloudFrontOriginGroup.self,
        WebsiteBucket.self,
        Route53FailoverRecords.self,
        RoutingControls.self,
        AuroraGlobalDatabase.self,
        DocumentDBGlobalCluster.self,
        AutoScalingGroupKind.self,
        ECSServiceKind.self,
        SSMParameter.self,
    ]

    /// The desired-state schema of the registered kinds: the keys each owns.
    public static var schema: Schema { Schema(registered.map { $0.keys }) }

    public var kinds: [any ResourceKind]

    /// Kinds built on their own controls (tests give fakes), planned in the registry's order whatever the order given.
    public init(_ kinds: [any ResourceKind]) {
        let rank = { (kind: any ResourceKind) in
            Self.registered.firstIndex { ObjectIdentifier($0) == ObjectIdentifier(type(of: kind)) } ?? Self.registered.count
        }
        self.kinds = kinds.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// Every registered kind, talking to AWS through `sender`.
    public init(sender: any AWSRequestSending) {
        kinds = Self.registered.map { $0.init(sender: sender) }
    }

    /// The kind that carries out steps of `name`.
    public func kind(named name: String) -> (any ResourceKind)? {
        kinds.first { type(of: $0).name == name }
    }

    static let infos: [StepAction: StepAction.Info] = Dictionary(
        registered.flatMap { $0.actions }.map { ($0.action, $0) }, uniquingKeysWith: { first, _ in first })

    /// What the registered kind that declares `action` says of it.
    public static func info(for action: StepAction) -> StepAction.Info? { infos[action] }

    /// The live facts of a summary as people read them, kind by kind.
    public static func describe(_ live: LiveSummary) -> [LiveLine] {
        registered.flatMap { $0.describe(live) }
    }
}

extension ApplicationParser {
    /// Parses one file with the registered kinds' keys.
    public static func parse(_ text: String, path: String) -> Result<Application, ValidationFailure> {
        parse(text, path: path, schema: ResourceKinds.schema)
    }
}

extension DesiredStateSet {
    /// Parses every file with the registered kinds' keys, then checks rules across files.
    public static func load(_ files: [File]) throws(ValidationFailure) -> DesiredStateSet {
        try load(files, schema: ResourceKinds.schema)
    }
}
