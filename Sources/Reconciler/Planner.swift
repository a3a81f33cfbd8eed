import DesiredState

/// Computes, from the difference between the desired and the live state only, the steps that converge an app, and
/// the graph they run in.
///
/// Each kind plans its own steps; the engine orders them by phase (`Phase`) and draws `dependsOn` from the phases
/// once: for making region B active, B's capacity, then its data, then its target, then traffic and fencing.
public enum Planner {
    /// Plans one application. With changes to make, a failed safety check turns into a blocker: nothing is done for it.
    public static func plan(_ app: Application, live: LiveState, safety: SafetyContext = SafetyContext()) -> AppPlan {
        let spec = app.spec
        var plan = AppPlan(app: app.name, activeRegion: spec.activeRegion)
        plan.leaving = safety.lastAppliedRegion.flatMap { $0 == spec.activeRegion ? nil : $0 }
        plan.remembered = safety.remembered
        for part in live.parts { part.kind.planPart(app, part, into: &plan) }
        // A declared resource that does not exist says most: it comes first.
        plan.blockers =
            plan.blockers.filter { $0.code == BlockerCode.resourceMissing } + plan.blockers.filter { $0.code != BlockerCode.resourceMissing }
        plan.checks =
            live.parts.flatMap { $0.kind.checksPart(app, $0, plan: plan, safety: safety) } + SafetyChecks.run(spec, plan: plan, safety: safety)
        if plan.steps.contains(where: \.isMutating) {
            let failed = plan.checks.filter { !$0.passed }
            plan.blockers += failed.filter { !$0.advisory }.map { Blocker($0.code, $0.sentence) }
            // What would only make the failover slower is said, not held.
            plan.warnings += failed.filter(\.advisory).map(\.sentence)
        }
        link(&plan.steps)
        return plan
    }

    /// Orders the steps by phase and draws the graph: a step of the failover depends on every step of the failover in
    /// the phases its own phase comes after, so a promotion that fails or cannot be seen leaves traffic and fencing
    /// pending, and traffic never moves to a region whose database does not write. A promotion also waits for the steps
    /// of its phase that stand for something unknown (`holdsPhase`). Steps outside the failover (a hot standby's bucket,
    /// a drill on the active bucket) depend on nothing. Edges a kind drew itself are kept.
    static func link(_ steps: inout [Step]) {
        steps = steps.enumerated().sorted { ($0.element.phase, $0.offset) < ($1.element.phase, $1.offset) }.map(\.element)
        let ordered = steps.filter(\.inFailover)
        for index in steps.indices where steps[index].inFailover {
            let step = steps[index]
            // A writer move also waits for what its own phase does not know (another database's unreadable writer).
            let held = step.info.movesWriter ? ordered.filter { $0.holdsPhase && $0.phase == step.phase && $0.id != step.id } : []
            let drawn = (ordered.filter { step.phase.after.contains($0.phase) } + held).map(\.id)
            steps[index].dependsOn = drawn + step.dependsOn.filter { !drawn.contains($0) }
        }
    }
}

extension AppPlan {
    /// A declared resource AWS says does not exist blocks the app, naming the file's field: acting on the rest (traffic
    /// without its database, a promotion without its traffic) would split the application.
    public mutating func resourceMissing(_ app: Application, field: String, _ why: String) {
        blockers.append(
            Blocker(
                BlockerCode.resourceMissing,
                "\(app.source.location(of: field)): \(field) names a resource that does not exist (\(why)); "
                    + "nothing is done for \(app.name) until the file names an existing resource"))
    }
}
