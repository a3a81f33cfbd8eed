import DesiredState

/// A failover made outside Git: the writer, or where traffic goes, is in another region than the file says, and no
/// commit asked for that difference. Switchyard then holds what a person did (an emergency failover in the console
/// while the Git host was down) instead of undoing it: no step that moves the writer or traffic is taken until Git
/// follows (`switchyard adopt APP`) or a person says to move it back (`--reassert APP`).
public enum Divergence {
    /// Whether a commit asked for the app's live state to change: the file's `activeRegion` differs from the region
    /// of the commit this host (or the lock table) last applied. Nil when nothing is known (a fresh state folder).
    public static func asked(activeRegion: String, lastAppliedRegion: String?) -> Bool {
        guard let lastAppliedRegion else { return false }
        return lastAppliedRegion != activeRegion
    }

    /// Where the live state serves from, when it is not the file's active region: the writer's region, the region
    /// traffic goes to first, or the region that serves while the active one is fenced.
    public static func liveRegion(_ app: Application, _ live: LiveSummary) -> String? {
        let spec = app.spec
        if let writer = live.writerRegion, writer != spec.activeRegion { return writer }
        if let traffic = live.trafficRegion, traffic != spec.activeRegion { return traffic }
        if live.serving[spec.activeRegion] == "blocked",
            let open = spec.regions.first(where: { $0.name != spec.activeRegion && live.serving[$0.name] == "open" })
        {
            return open.name
        }
        return nil
    }

    /// Whether a person took the site down: every region that can be fenced is blocked (no file asks for that: the
    /// fail-closed rule refuses one that leaves no region to serve).
    public static func takenDown(_ app: Application, _ live: LiveSummary) -> Bool {
        !live.serving.isEmpty && live.serving.values.allSatisfy { $0 == "blocked" }
    }

    /// The blocker for a diverged app, or nil when the app is not diverged (in sync, drift that is not
    /// failover-shaped, or a change a commit asked for).
    public static func blocker(_ app: Application, plan: AppPlan, lastAppliedRegion: String?, reassert: Bool) -> Blocker? {
        guard !reassert, plan.steps.contains(where: \.isMutating) || !plan.inProgress.isEmpty,
            let region = liveRegion(app, plan.live) ?? (takenDown(app, plan.live) ? "no region (every bucket blocked)" : nil),
            !asked(activeRegion: app.spec.activeRegion, lastAppliedRegion: lastAppliedRegion)
        else { return nil }
        let known =
            lastAppliedRegion.map { "the commit last applied had \($0) active too" }
            ?? "this host knows no commit it applied for \(app.name) (a fresh state folder)"
        return Blocker(
            BlockerCode.diverged,
            "the writer or traffic was moved outside Git to \(region); the file still says \(app.spec.activeRegion) and no commit asked "
                + "for the change (\(known)). Nothing moves it back: make Git follow with `switchyard adopt \(app.name)`, "
                + "or move it back with `switchyard apply --reassert \(app.name)`")
    }
}
