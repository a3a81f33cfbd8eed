import DesiredState

/// Reads an application's live state, every kind concurrently, each in the region that holds it.
public struct Observer: Sendable {
    public let kinds: ResourceKinds
    public let calls: any CallGate

    public init(kinds: ResourceKinds, calls: any CallGate = DirectCalls()) {
        self.kinds = kinds
        self.calls = calls
    }

    /// Observes every kind the app declares at once (not the safety checks' reads: see `plan`); a part that cannot be
    /// read is `unavailable`, not fatal.
    public func observe(_ app: Application) async -> LiveState {
        let kinds = kinds.kinds
        let calls = calls
        let parts = await withTaskGroup(of: (Int, LiveState.Part?).self) { group in
            for (index, kind) in kinds.enumerated() {
                group.addTask { (index, await kind.observePart(app, calls: calls)) }
            }
            var parts = [LiveState.Part?](repeating: nil, count: kinds.count)
            for await (index, part) in group { parts[index] = part }
            return parts.compactMap { $0 }
        }
        return LiveState(parts: parts)
    }

    /// Observes and plans one application. The kinds' preflight reads are made only when there is something to
    /// change: an idle pass stays cheap.
    public func plan(_ app: Application, safety: SafetyContext = SafetyContext()) async -> AppPlan {
        await plan(app, live: await observe(app), safety: safety)
    }

    /// What failing `app` over to each of `targets` would do now, from one observation: each plan with its kinds'
    /// preflight reads and checks, as if a commit made that region active (the region left is today's active one;
    /// the flip commit's override trailers do not apply to a flip not yet made).
    public func whatIf(_ app: Application, to targets: [String], safety: SafetyContext = SafetyContext()) async -> [AppPlan] {
        let live = await observe(app)
        var context = safety
        context.lastAppliedRegion = app.spec.activeRegion
        context.overrides = []
        var plans: [AppPlan] = []
        for target in targets {
            var moved = app
            moved.spec.activeRegion = target
            plans.append(await plan(moved, live: live, safety: target == app.spec.activeRegion ? safety : context, preflight: true))
        }
        return plans
    }

    /// - Parameter preflight: make the kinds' preflight reads even with nothing to change (a what-if: the target
    ///   must be checked whether or not its failover has steps).
    func plan(_ app: Application, live observed: LiveState, safety: SafetyContext, preflight: Bool = false) async -> AppPlan {
        var live = observed
        let plan = Planner.plan(app, live: live, safety: safety)
        guard preflight || plan.steps.contains(where: \.isMutating) else { return plan }
        let calls = calls
        let parts = live.parts
        live.parts = await withTaskGroup(of: (Int, (any Sendable)?).self) { group in
            for (index, part) in parts.enumerated() {
                group.addTask { (index, await part.kind.readPart(app, part, plan: plan, calls: calls)) }
            }
            var read = parts
            for await (index, reading) in group { read[index].reading = reading }
            return read
        }
        return Planner.plan(app, live: live, safety: safety)
    }
}

extension ResourceKind {
    func observePart(_ app: Application, calls: any CallGate) async -> LiveState.Part? {
        guard let live = await observe(app, calls: calls) else { return nil }
        return LiveState.Part(kind: self, live: live)
    }

    func planPart(_ app: Application, _ part: LiveState.Part, into plan: inout AppPlan) {
        guard let live = part.live as? Live else { return }
        self.plan(app, live, into: &plan)
    }

    func readPart(_ app: Application, _ part: LiveState.Part, plan: AppPlan, calls: any CallGate) async -> (any Sendable)? {
        guard let live = part.live as? Live else { return nil }
        return await read(app, live, plan: plan, calls: calls)
    }

    func checksPart(_ app: Application, _ part: LiveState.Part, plan: AppPlan, safety: SafetyContext) -> [Check] {
        guard let live = part.live as? Live else { return [] }
        return checks(app, live, part.reading as? Reading, plan: plan, safety: safety)
    }
}
