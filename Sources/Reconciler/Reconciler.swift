import Foundation
import AWS
import Basics
import DesiredState

/// One word for an application's state, as `status` and the service report it.
public enum Verdict: String, Sendable, Codable {
    /// Live state matches the file; nothing in progress.
    case inSync = "in sync"
    /// Live state differs from the file: changes are pending.
    case drifted
    /// AWS is finishing work Switchyard started (a promotion, a CloudFront deployment).
    case converging
    /// Partly converged: a control plane did not answer, so some steps wait for the next run.
    case degraded
    /// A safety check refused the change; nothing is done for this app.
    case blocked
    /// A step failed in a way a retry will not fix.
    case failed
    /// Another host already began to apply a newer commit (the commit fence): this host changes nothing.
    case stale
    /// Suspended (`switchyard suspend`, or `spec.suspend: true`): no host acts on it.
    case suspended
    /// The writer or traffic was moved outside Git (a person's emergency failover) and no commit asked for it: held.
    case diverged

    /// The verdict of a plan, before anything is applied.
    public static func of(_ plan: AppPlan) -> Verdict {
        if plan.blockers.contains(where: { $0.code == BlockerCode.suspended }) { return .suspended }
        if plan.blockers.contains(where: { $0.code == BlockerCode.diverged }) { return .diverged }
        if plan.blockers.contains(where: { $0.code == BlockerCode.stale }) { return .stale }
        if !plan.blockers.isEmpty { return .blocked }
        if !plan.unobserved.isEmpty { return .degraded }
        if plan.steps.contains(where: { $0.isMutating }) { return .drifted }
        if !plan.steps.isEmpty || !plan.inProgress.isEmpty { return .converging }
        return .inSync
    }

    /// The verdict after applying `plan`, from what the steps did and a fresh plan made afterwards. An outcome that
    /// blocks (a promotion AWS refused, capacity that never came into service) blocks the app, its traffic and fencing
    /// steps pending; a lost answer leaves it degraded.
    public static func after(_ plan: AppPlan, outcomes: [StepOutcome], replanned: AppPlan) -> Verdict {
        if !plan.blockers.isEmpty { return of(plan) }
        if outcomes.contains(where: \.blocks) { return .blocked }
        if outcomes.contains(where: { $0.status == .failed }) { return .failed }
        if outcomes.contains(where: { $0.status == .pending && $0.code != StepCode.waitingOnDeployment }) { return .degraded }
        // What waits on a deployment AWS finishes by itself runs on the next pass: converging, and not yet applied.
        if outcomes.contains(where: { $0.code == StepCode.waitingOnDeployment }) { return .converging }
        return of(replanned)
    }

    /// The verdict as a stable code.
    public var code: Code { Code(rawValue) }

    /// Whether `apply` may exit 0: converged, or only AWS finishing work it accepted.
    public var isConverged: Bool { self == .inSync || self == .converging }

    /// The words people read for the verdict of an app whose file makes `activeRegion` active: a pending change that
    /// moves the writer (a flip not yet carried out) is a "failover pending", not drift. JSON keeps the stable `rawValue`.
    public func words(activeRegion: String, steps: [Step], live: LiveSummary) -> String {
        guard self == .drifted else { return rawValue }
        let moves = steps.contains { $0.info.movesWriter } || live.writerRegion.map { $0 != activeRegion } == true
        return moves ? "failover pending" : "drifted"
    }
}

/// The reconciler: observes every app concurrently, plans, and applies.
public struct Reconciler: Sendable {
    public let kinds: ResourceKinds
    /// Every AWS call of the kinds goes through it.
    public let calls: any CallGate

    public init(kinds: ResourceKinds, calls: any CallGate = DirectCalls()) {
        self.kinds = kinds
        self.calls = calls
    }

    /// How many applications are observed at once. Each observation is a handful of concurrent reads, so a window
    /// of 32 keeps about a hundred requests in flight: fast, yet short of the AWS APIs' throttling rates and of a
    /// thread per request for every app in a large repository.
    public static let observationWindow = 32

    /// Observes and plans every application, `observationWindow` at a time; plans come back in the set's order.
    /// - Parameter safety: per application name, what the dwell gate needs; absent means no earlier flip is known.
    public func plan(_ state: DesiredStateSet, safety: [String: SafetyContext] = [:]) async -> [AppPlan] {
        let observer = Observer(kinds: kinds, calls: calls)
        return await Self.windowed(state.applications) { app in await observer.plan(app, safety: safety[app.name] ?? SafetyContext()) }
    }

    /// Whether each application can fail over now to `target` (nil: to each region it declares that is not active):
    /// the plan each failover would run, from one observation per application, `observationWindow` at a time.
    public func readiness(
        _ state: DesiredStateSet, to target: String? = nil, safety: [String: SafetyContext] = [:], now: Date = Date()
    ) async -> [[FailoverReadiness]] {
        let observer = Observer(kinds: kinds, calls: calls)
        return await Self.windowed(state.applications) { app in
            let others = app.spec.regions.map(\.name).filter { $0 != app.spec.activeRegion }
            let targets = target.map { wanted in others.contains(wanted) ? [wanted] : [] } ?? others
            guard !targets.isEmpty else { return [] }
            let plans = await observer.whatIf(app, to: targets, safety: safety[app.name] ?? SafetyContext(now: now))
            return zip(targets, plans).map {
                FailoverReadiness(app: app.name, activeRegion: app.spec.activeRegion, target: $0, checkedAt: now, plan: $1)
            }
        }
    }

    /// Runs `body` for every application, at most `observationWindow` at once; results in the applications' order.
    /// Reads that can share a listing share it (`ReadBatch`): these are observations, never the reads before a call.
    static func windowed<T: Sendable>(_ apps: [Application], _ body: @escaping @Sendable (Application) async -> T) async -> [T] {
        await ReadBatch.$current.withValue(apps.count > 1 ? ReadBatch() : nil) { await unbatched(apps, body) }
    }

    private static func unbatched<T: Sendable>(_ apps: [Application], _ body: @escaping @Sendable (Application) async -> T) async -> [T] {
        await withTaskGroup(of: (Int, T).self) { group in
            var next = 0
            func startNext() {
                let (index, app) = (next, apps[next])
                group.addTask { (index, await body(app)) }
                next += 1
            }
            while next < min(Self.observationWindow, apps.count) { startNext() }
            var results = [T?](repeating: nil, count: apps.count)
            for await (index, result) in group {
                results[index] = result
                if next < apps.count { startNext() }
            }
            return results.compactMap { $0 }
        }
    }

    /// The result of applying one application's plan.
    public struct AppResult: Sendable, Codable {
        public var plan: AppPlan
        public var outcomes: [StepOutcome]
        public var verdict: Verdict
        /// Why the app is not converged, as a stable code: the first failed or pending step's, else the first blocker's.
        public var code: Code?

        public init(plan: AppPlan, outcomes: [StepOutcome], verdict: Verdict) {
            self.plan = plan
            self.outcomes = outcomes
            self.verdict = verdict
            let deploying = outcomes.contains { $0.code == StepCode.waitingOnDeployment }
            // What went wrong says most; a deployment AWS is finishing, only when nothing else stands.
            let failed = outcomes.first { $0.status == .failed }?.code
            let pending = outcomes.first { $0.status == .pending && $0.code != StepCode.waitingOnDeployment }?.code
            self.code =
                verdict.isConverged
                ? (deploying ? StepCode.waitingOnDeployment : nil)
                : failed ?? pending ?? (deploying ? StepCode.waitingOnDeployment : nil) ?? plan.blockers.first?.code
                    ?? (plan.unobserved.isEmpty ? nil : StepCode.awsUnavailable)
        }
    }

    /// Applies one application's plan, then re-observes it for the verdict.
    public func apply(_ plan: AppPlan, for app: Application, applier: Applier, safety: SafetyContext) async -> AppResult {
        let outcomes = await applier.apply(plan, for: app)
        let replanned =
            plan.blockers.isEmpty && !outcomes.isEmpty
            ? await Observer(kinds: kinds, calls: calls).plan(app, safety: safety) : plan
        return AppResult(plan: plan, outcomes: outcomes, verdict: Verdict.after(plan, outcomes: outcomes, replanned: replanned))
    }
}
