import Basics
import Foundation

/// Whether an application can fail over to a region now, and what stands in the way: the plan that failover would
/// run (as if a commit made the region active), each check with its reading, and the problems.
///
/// A problem is anything that would stop the failover or make it slower: a blocker (a missing resource, a failed
/// preflight, a capacity the target cannot hold), a failed advisory check (it would only be slower), or a part that
/// could not be read (the host's credentials, a region that does not answer): where Switchyard cannot know, it does
/// not call the standby ready.
public struct FailoverReadiness: Sendable, Codable {
    public struct Problem: Sendable, Codable, Equatable {
        /// A stable code (docs/OUTPUT.md): the blocker's or the check's.
        public var code: Code
        /// What was found.
        public var reading: String
        /// What to do, when the check says.
        public var remedy: String?

        public init(code: Code, reading: String, remedy: String? = nil) {
            self.code = code
            self.reading = reading
            self.remedy = remedy
        }
    }

    public var app: String
    /// Today's active region.
    public var activeRegion: String
    /// The region the failover would make active.
    public var target: String
    public var checkedAt: Date
    public var problems: [Problem]
    /// The failover plan it would run now.
    public var plan: AppPlan

    public var ready: Bool { problems.isEmpty }

    public init(app: String, activeRegion: String, target: String, checkedAt: Date, plan: AppPlan) {
        self.app = app
        self.activeRegion = activeRegion
        self.target = target
        self.checkedAt = checkedAt
        self.plan = plan
        // A failed check's blocker is said as the check: its reading and what to do, apart.
        let failed = plan.checks.filter { !$0.passed }
        let fromChecks = Set(failed.map(\.code))
        problems =
            failed.map { Problem(code: $0.code, reading: $0.detail, remedy: $0.remedy) }
            + plan.blockers.filter { !fromChecks.contains($0.code) }.map { Problem(code: $0.code, reading: $0.reason) }
            + plan.unobserved.map { why in
                Problem(
                    code: Self.unreadable, reading: why,
                    remedy: why.contains("AccessDenied") || why.contains("not authorized")
                        ? "grant the host's role the read (switchyard iam-policy --read-only lists them)"
                        : "check that the region's endpoint answers; a standby that cannot be read is not counted ready")
            }
    }

    /// A part of the app could not be read.
    public static let unreadable: Code = "unreadable"
    /// The file a flip to the target would make does not validate.
    public static let invalidFlip: Code = "invalid-flip"

    enum CodingKeys: String, CodingKey { case app, activeRegion, target, checkedAt, ready, problems, plan }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(app, forKey: .app)
        try container.encode(activeRegion, forKey: .activeRegion)
        try container.encode(target, forKey: .target)
        try container.encode(Timestamp.format(checkedAt), forKey: .checkedAt)
        try container.encode(ready, forKey: .ready)
        try container.encode(problems, forKey: .problems)
        try container.encode(plan, forKey: .plan)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        app = try container.decode(String.self, forKey: .app)
        activeRegion = try container.decode(String.self, forKey: .activeRegion)
        target = try container.decode(String.self, forKey: .target)
        let time = try container.decode(String.self, forKey: .checkedAt)
        guard let date = Timestamp.parse(time) else {
            throw DecodingError.dataCorruptedError(forKey: .checkedAt, in: container, debugDescription: "not a timestamp: \(time)")
        }
        checkedAt = date
        problems = try container.decode([Problem].self, forKey: .problems)
        plan = try container.decode(AppPlan.self, forKey: .plan)
    }
}
