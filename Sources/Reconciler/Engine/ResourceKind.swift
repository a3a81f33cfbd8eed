import AWS
import Basics
import DesiredState

/// One kind of AWS resource Switchyard drives (an S3 website bucket, a CloudFront origin group, an Aurora global
/// database, …): everything about it, behind one seam, so that the engine (observer, planner, applier, journal,
/// presentation) knows no kind by name. Each kind lives in its own folder under `Kinds/`; `ResourceKinds.registered`
/// names them (docs/KINDS.md).
///
/// A kind observes its resources (`Live`), plans steps from the difference between the file and what it observed,
/// reads what its safety checks need only when there is something to change (`Reading`), judges those checks, and
/// carries out its own steps. Every AWS call goes through the `CallGate` it is handed, so a pass can stop between
/// calls and wait out a dead control plane once.
public protocol ResourceKind: Sendable {
    /// What one observation of an app's resources of this kind holds.
    associatedtype Live: Sendable
    /// What the kind's preflight checks read, only when the app has changes to make.
    associatedtype Reading: Sendable = Void

    /// The kind's stable name: `aurora-global-database`, `website-bucket`, … (journal rows, `plan --format json`).
    static var name: String { get }
    /// The keys the kind owns in a desired-state file, and how they are read.
    static var keys: any KindSchema { get }
    /// The step actions the kind plans, with how people name them.
    static var actions: [StepAction.Info] { get }
    /// The gates of the kind a `Switchyard-Override:` trailer may name (`replication-lag`).
    static var overridable: [String] { get }
    /// The live facts `status`, the console and the report show, read back from a plan's summary.
    static func describe(_ live: LiveSummary) -> [LiveLine]
    /// The IAM statements the kind needs for `app` (`switchyard iam-policy`).
    static func grants(_ app: Application, account: AccountContext) throws(IAMGrantError) -> [IAMGrant]
    /// The partition and account the app's own ARNs give, for other kinds' ARNs (nil when the kind declares none).
    static func account(of app: Application) -> (partition: String, account: String)?

    /// The kind, talking to AWS through `sender`.
    init(sender: any AWSRequestSending)

    /// Reads the app's resources of this kind, each in the region that holds it; nil when the app declares none.
    func observe(_ app: Application, calls: any CallGate) async -> Live?
    /// Adds the kind's steps, blockers, warnings and what it could not observe to `plan`, and its facts to `plan.live`.
    func plan(_ app: Application, _ live: Live, into plan: inout AppPlan)
    /// What the preflight checks read (in the active region), made only when the plan has a mutating step.
    func read(_ app: Application, _ live: Live, plan: AppPlan, calls: any CallGate) async -> Reading?
    /// The kind's safety checks, from the observation and (when read) the preflight reading.
    func checks(_ app: Application, _ live: Live, _ reading: Reading?, plan: AppPlan, safety: SafetyContext) -> [Check]
    /// Carries out one of the kind's steps, re-reading what it changes first.
    func act(_ step: Step, _ app: Application, _ context: StepContext) async throws -> StepOutcome
}

extension ResourceKind {
    public static var overridable: [String] { [] }
    public static func describe(_ live: LiveSummary) -> [LiveLine] { [] }
    public static func account(of app: Application) -> (partition: String, account: String)? { nil }
    public func read(_ app: Application, _ live: Live, plan: AppPlan, calls: any CallGate) async -> Reading? { nil }
    public func checks(_ app: Application, _ live: Live, _ reading: Reading?, plan: AppPlan, safety: SafetyContext) -> [Check] { [] }
}

/// The order in which a failover's steps run, as data: each phase waits for the phases it lists in `after`; steps of
/// one phase run side by side.
public enum Phase: String, Sendable, Codable, CaseIterable, Comparable {
    /// Raise what the target region needs to carry the load (capacity), side by side with the promotions.
    case prepare
    /// Make the target region's data writable (promotions), side by side with `prepare`.
    case promoteData
    /// Let the target region serve (open what was fenced).
    case openTarget
    /// Send users to the target region.
    case moveTraffic
    /// Keep users off the regions left. A fence moves traffic itself (a 403 from a fenced bucket fails the origin
    /// group over per request), so it waits for the data and the target, never for a traffic control plane.
    case fence
    /// Lower what the regions left no longer need, once traffic moved and fencing finished.
    case release

    /// The phases whose steps must have finished before a step of this phase runs.
    public var after: [Phase] {
        switch self {
        case .prepare: []
        case .promoteData: []
        case .openTarget: [.prepare, .promoteData]
        case .moveTraffic: [.prepare, .promoteData, .openTarget]
        case .fence: [.prepare, .promoteData, .openTarget]
        case .release: [.prepare, .promoteData, .openTarget, .moveTraffic, .fence]
        }
    }

    var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (a: Phase, b: Phase) -> Bool { a.rank < b.rank }
}

/// What a step does, as a stable string: each kind declares its own (docs/KINDS.md lists them).
public struct StepAction: StableString {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// What the engine and presentation need to know of an action.
    public struct Info: Sendable {
        public var action: StepAction
        /// How a timeline names it: `promote Aurora`.
        public var label: String
        /// Whether it calls a mutating AWS API (a wait does not).
        public var isMutating: Bool
        /// Whether it changes which region serves (the dwell and override gates apply).
        public var flips: Bool
        /// Whether it moves the writer (`status` then reads "failover pending").
        public var movesWriter: Bool
        /// The one-line summary people read.
        public var summary: @Sendable (Step) -> String
        /// The control plane it calls, as people say it: `rds us-west-1`, `cloudfront (us-east-1)`.
        public var controlPlane: @Sendable (Step) -> String
        /// What AWS goes on doing after the call answered, for the failover timeline (nil: nothing).
        public var wait: Wait?

        public init(
            _ action: StepAction, label: String, isMutating: Bool = true, flips: Bool = false, movesWriter: Bool = false,
            wait: Wait? = nil, controlPlane: @escaping @Sendable (Step) -> String, summary: @escaping @Sendable (Step) -> String
        ) {
            self.action = action
            self.label = label
            self.isMutating = isMutating
            self.flips = flips
            self.movesWriter = movesWriter
            self.wait = wait
            self.controlPlane = controlPlane
            self.summary = summary
        }
    }

    /// Asynchronous work after a call: the timeline shows it as a wait bar.
    public struct Wait: Sendable {
        /// The wait's name in the timeline and the report (`promotion`, `cloudfront-deployment`).
        public var name: String
        public var label: String
        /// When the wait ends: when a step that depends on it starts (or the app converged), or when the app is in sync.
        public var until: Until

        public enum Until: Sendable { case dependents, inSync }

        public init(_ name: String, label: String, until: Until) {
            self.name = name
            self.label = label
            self.until = until
        }
    }
}

/// One labelled live fact for people: `writer us-east-1`, `origins a > b (Deployed)`.
public struct LiveLine: Sendable, Equatable {
    /// The console's element id prefix (`live`, `origin`): `KEY-APP`.
    public var key: String
    /// The label in the console (`live writer (Aurora)`).
    public var label: String
    /// The fact as `status` prints it (`writer us-east-1`); empty when unknown.
    public var text: String
    /// The value alone, for the console.
    public var value: String
    /// A muted note beside the value (the distribution's status).
    public var note: String

    public init(key: String, label: String, text: String, value: String, note: String = "") {
        self.key = key
        self.label = label
        self.text = text
        self.value = value
        self.note = note
    }
}

/// Where every AWS call of a kind goes through: a pass stops between calls and waits out a dead control plane once.
public protocol CallGate: Sendable {
    /// Runs one call to `plane` (`s3 us-west-1`, `rds us-east-1`, `cloudfront`); `read` is true for a read.
    func call<T: Sendable>(_ plane: String, read: Bool, _ body: @escaping @Sendable () async throws -> T) async throws -> T
}

/// Calls AWS directly: for one-shot tools and tests.
public struct DirectCalls: CallGate {
    public init() {}
    public func call<T: Sendable>(_ plane: String, read: Bool, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await body()
    }
}

/// What a kind's step has at hand while it acts.
public struct StepContext: Sendable {
    public let app: String
    public let calls: any CallGate
    public let options: ApplyOptions
    /// A progress line for the person watching.
    public let say: @Sendable (String) -> Void
    let journal: @Sendable (JournalEvent) throws -> Void

    init(
        app: String, calls: any CallGate, options: ApplyOptions, say: @escaping @Sendable (String) -> Void,
        journal: @escaping @Sendable (JournalEvent) throws -> Void
    ) {
        self.app = app
        self.calls = calls
        self.options = options
        self.say = say
        self.journal = journal
    }

    /// Journals `calling`; a journal that cannot be written stops the call before it is made.
    public func announce(_ step: Step) throws {
        do {
            try journal(JournalEvent(app: app, step: step, phase: .calling))
        } catch let refusal as ReconcileError {
            throw StepFailure(code: refusal.code, pending: true, message: refusal.description)
        } catch {
            throw StepFailure(
                code: StepCode.journalUnwritable,
                message: "not calling: the journal could not record the call first (\(error)); nothing was changed")
        }
    }

    /// Journals `called`. The call was made, so a failure here is only logged by the hook's owner.
    public func record(_ step: Step, requestID: String?) {
        try? journal(JournalEvent(app: app, step: step, phase: .called, requestID: requestID))
    }
}

/// The account an IAM statement's ARNs are in.
public struct AccountContext: Sendable {
    public var partition: String
    /// From `--account`, else from the app's own ARNs; nil when nothing gives it.
    public var account: String?

    public init(partition: String, account: String?) {
        self.partition = partition
        self.account = account
    }
}

/// One `Allow` statement a kind needs; statements of one `sid` across apps are merged.
public struct IAMGrant: Sendable, Equatable {
    public var sid: String
    public var actions: [String]
    /// The actions that change AWS: left out of the read-only policy.
    public var mutating: Set<String>
    public var resources: [String]

    public init(sid: String, actions: [String], mutating: Set<String>, resources: [String]) {
        self.sid = sid
        self.actions = actions
        self.mutating = mutating
        self.resources = resources
    }
}

/// An ARN needs the AWS account id and nothing gives it.
public struct IAMGrantError: Error, Sendable {
    /// What needs it: `CloudFront distribution ARN`.
    public var needs: String
    public init(needs: String) { self.needs = needs }
}
