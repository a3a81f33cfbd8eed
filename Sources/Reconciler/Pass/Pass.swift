import Basics
import Crypto
import DesiredState
import Foundation
import GitSource
import Journaling
import Logging

/// One reconcile pass: load → signature policy → validate → safety contexts → observe → plan → apply → journal.
///
/// `switchyard apply` runs it once, `switchyard run` runs it in a loop, `plan` and `status` run it without applying.
/// It never throws: every way it can end is a `PassResult` with a stable outcome code.
public struct Pass: Sendable {
    /// Plan only (no journal writes, no mutating call), plan and apply, or evaluate readiness: the failover plan to
    /// `target` (nil: to each region that is not active) of every app, with its checks, changing nothing.
    public enum Mode: Sendable, Equatable { case plan, apply, readiness(target: String?) }

    public let configuration: PassConfiguration
    /// The kinds the pass drives, each on its AWS control.
    public let kinds: ResourceKinds
    /// Written in `.apply` mode (every mutating call is committed here before it is made); read for the dwell gate.
    public let journal: Journal?
    /// Which commits may be applied (signatures, and where a change's review starts); nil accepts every valid commit.
    public let policy: CommitPolicy?
    /// The hosts' agreement (commit fence, lease, suspensions); nil: none is kept (tests of a lone pass).
    public let coordinator: Coordinator?
    public let hooks: PassHooks

    /// - Parameters:
    ///   - journal: required to apply; optional to plan (the dwell gate then reads Git).
    ///   - policy: refuses candidate commits (signatures); nil accepts every valid commit.
    ///   - coordinator: the lock table (or the state folder's suspensions).
    public init(
        configuration: PassConfiguration, kinds: ResourceKinds, journal: Journal?, policy: CommitPolicy? = nil,
        coordinator: Coordinator? = nil, hooks: PassHooks = PassHooks()
    ) {
        self.configuration = configuration
        self.kinds = kinds
        self.journal = journal
        self.policy = policy
        self.coordinator = coordinator
        self.hooks = hooks
    }

    /// Runs the pass. Stopping `stop` (a newer commit, a shutdown) ends it at the next safe point, between AWS calls.
    public func run(trigger: String, mode: Mode, stop: SafePoint = SafePoint()) async -> PassResult {
        var result = PassResult(trigger: trigger, startedAt: Date())
        let log = hooks.logger
        if mode == .apply {
            guard let journal else {
                return result.finished(.journalUnwritable, error: "no journal: a pass that applies records every call first")
            }
            do {
                result.id = try journal.beginPass(trigger: trigger, at: result.startedAt)
            } catch {
                log.error("\(error)")
                return result.finished(.journalUnwritable, error: "the journal cannot be written (\(error)); no AWS call was made")
            }
        }
        do {
            let candidate = try await read()
            result.commit = candidate.snapshot.commit
            if candidate.refusal == nil { hooks.commitRead(candidate.snapshot.commit.id) }
            if let refusal = candidate.refusal {
                result.refusal = refusal
                result.outcome = refusal.kind
                result.error = refusal.reason
            } else if let state = candidate.state {
                switch mode {
                case .plan:
                    var plans = await Reconciler(kinds: kinds, calls: PassCalls(safePoint: stop)).plan(state, safety: candidate.safety)
                    let suspensions = await suspensions(of: state.applications)
                    for (index, app) in state.applications.enumerated() {
                        if let suspension = suspensions[app.name] {
                            plans[index].suspend(suspension)
                        } else if let diverged = await divergence(app, plans[index], commit: candidate.snapshot.commit.id, candidate.appliedRegions) {
                            plans[index].blockers.insert(diverged, at: 0)
                        }
                    }
                    result.results = plans.map { Reconciler.AppResult(plan: $0, outcomes: [], verdict: Verdict.of($0)) }
                    result.outcome = plans.allSatisfy(\.inSync) ? .converged : .notConverged
                case .apply:
                    await apply(state, candidate: candidate, stop: stop, into: &result)
                case let .readiness(target):
                    await readiness(state, candidate: candidate, target: target, stop: stop, into: &result)
                }
            }
        } catch let failure as PassFailure {
            result.outcome = failure.outcome
            result.error = failure.message
            result.remedy = failure.remedy
        } catch {
            result.outcome = .failed
            result.error = "\(error)"
        }
        result.finishedAt = Date()
        if mode == .apply, let id = result.id, let journal {
            do {
                try journal.finishPass(id, commit: result.commit?.id.hex, outcome: result.outcome, error: result.error, at: result.finishedAt)
            } catch {
                log.error("\(error)")
            }
        }
        return result
    }

    // MARK: Reading

    /// What reading the repository gave.
    struct Candidate: Sendable {
        var snapshot: Snapshot
        var state: DesiredStateSet?
        var refusal: Refusal?
        var safety: [String: SafetyContext] = [:]
        /// The journal's per-app state when the pass began (`--drift report` and the signature gate need it).
        var appStates: [String: AppState] = [:]
        /// The desired-state files the commit changed since the last applied one (first to plan and apply).
        var changedFiles: Set<String> = []
        /// Per app, the active region of the commit this host last applied (the divergence rule needs it).
        var appliedRegions: [String: String] = [:]
    }

    /// Opens or fetches the repository, reads the ref's snapshot, validates, asks the commit policy. Blocking libgit2
    /// work runs off the cooperative pool.
    func read() async throws -> Candidate {
        let configuration = configuration
        let policy = policy
        let journal = journal
        let appStates = (try? journal?.appStates()) ?? [:]
        let appliedRegions = (try? journal?.lastAppliedRegions()) ?? [:]
        let remembered = (try? journal?.rememberedFacts()) ?? [:]
        let lastApplied = appStates.values.filter { $0.lastAppliedCommit != nil }.max { $0.updatedAt < $1.updatedAt }?.lastAppliedCommit
        let (opened, snapshot) = try await offPool { () throws -> (HandedOver<Repository>, Snapshot) in
            do {
                let opened = try configuration.source.open()
                let snapshot = try opened.repository.snapshot(ref: configuration.ref ?? opened.defaultRef, folder: configuration.folder)
                return (HandedOver(opened.repository), snapshot)
            } catch {
                throw PassFailure(outcome: .fetchFailed, message: "cannot read the repository: \(error)", remedy: (error as? GitError)?.remedy)
            }
        }
        let hex = snapshot.commit.id.hex
        let state: DesiredStateSet
        do {
            state = try Self.desiredState(of: snapshot, folder: configuration.folder).selecting(configuration.apps)
        } catch {
            return Candidate(snapshot: snapshot, refusal: Refusal(commit: hex, kind: .invalid, error: error))
        }
        if let policy {
            // Where each app's review starts; a base that cannot be read is no base (refused when one is needed).
            var history = CommitPolicy.History(appStates: appStates)
            if policy.needsBases {
                if let directory = policy.stateDirectory {
                    do { history.recorded = try RecordedTrustBase.load(stateDirectory: directory) } catch {
                        return Candidate(snapshot: snapshot, refusal: Refusal(commit: hex, kind: .refused, error: error))
                    }
                }
                if let coordinator, coordinator.shared {
                    for app in state.applications where appStates[app.name]?.lastAppliedCommit == nil {
                        if let fence = try? await coordinator.fence(of: app.name) { history.fences[app.name] = fence }
                    }
                }
            }
            let reviewing = history
            do {
                let approval = try await offPool { try policy.review(opened.value, candidate: snapshot.commit, state: state, history: reviewing) }
                hooks.approved(approval)
            } catch {
                return Candidate(snapshot: snapshot, refusal: Refusal(commit: hex, kind: .refused, error: error))
            }
        }
        return try await offPool {
            var safety = SafetyContexts.build(
                repository: opened.value, snapshot: snapshot, state: state,
                folder: configuration.folder, journal: journal)
            for (app, region) in appliedRegions { safety[app, default: SafetyContext()].lastAppliedRegion = region }
            for (app, json) in remembered {
                if let facts = try? JSONDecoder().decode([String: StepAttribute].self, from: Data(json.utf8)) {
                    safety[app, default: SafetyContext()].remembered = facts
                }
            }
            var changed: Set<String> = []
            if let lastApplied, lastApplied != hex,
                let before = try? opened.value.snapshot(ref: lastApplied, folder: configuration.folder)
            {
                let old = Dictionary(before.files.map { ($0.path, $0.content) }, uniquingKeysWith: { a, _ in a })
                changed = Set(snapshot.files.filter { old[$0.path] != $0.content }.map(\.path))
            }
            return Candidate(
                snapshot: snapshot, state: state, safety: safety, appStates: appStates, changedFiles: changed, appliedRegions: appliedRegions)
        }
    }

    // MARK: Applying

    func apply(_ state: DesiredStateSet, candidate: Candidate, stop: SafePoint, into result: inout PassResult) async {
        guard let journal else { return }
        let snapshot = candidate.snapshot
        let commit = snapshot.commit.id.hex
        let passID = result.id
        let guarded = PassCalls(safePoint: stop)
        let reconciler = Reconciler(kinds: kinds, calls: guarded)
        let hashes = Dictionary(snapshot.files.map { ($0.path, Self.hash($0.content)) }, uniquingKeysWith: { a, _ in a })
        // Each app's file hash at this commit: what `--drift report` compares and what the journal keeps as applied.
        let specHashes = Dictionary(state.applications.map { ($0.name, hashes[$0.source.path]) }, uniquingKeysWith: { a, _ in a })
        let regions = Dictionary(state.applications.map { ($0.name, $0.spec.activeRegion) }, uniquingKeysWith: { a, _ in a })
        let hooks = hooks
        let leases = Locked<[String: Lease]>([:])
        // The apps whose files changed go first: the rest waits until each of them made its first mutating call or
        // ended, 5 s at most from the start (a changed app whose region does not answer holds no one), so that a
        // flip's calls are not queued behind hundreds of reads.
        let changed = state.applications.filter { candidate.changedFiles.contains($0.source.path) }
        let rest = state.applications.filter { !candidate.changedFiles.contains($0.source.path) }
        let changedFirst = Latch(awaiting: Set(changed.map(\.name)))
        let applier = Applier(
            kinds: kinds, calls: guarded, options: configuration.applyOptions, progress: hooks.progress,
            journal: { event in
                if event.phase == .calling, let lease = leases.withLock({ $0[event.app] }), !lease.isValid {
                    throw ReconcileError("this host's lease on \(event.app) expired or was taken over; not calling", code: StepCode.leaseLost)
                }
                let message = stop.reason.map { "stopped at a safe point: \($0)" } ?? event.message
                // A step a shutdown or a newer commit stopped between calls did not fail: it is `stopped`.
                let phase = stop.reason != nil && event.phase == .failed ? "stopped" : event.phase.rawValue
                let record = CallRecord(
                    passID: passID, app: event.app, commit: commit, activeRegion: regions[event.app], kind: event.step.kind,
                    stepPhase: event.step.phase.rawValue, action: event.step.action.rawValue, resource: event.step.resource,
                    region: event.step.region,
                    phase: phase, requestID: event.requestID, message: message)
                // Journal before call: when this throws for `calling`, the Applier does not make the call.
                try journal.record(record)
                if event.phase == .calling { changedFirst.arrived(event.app) }
                hooks.journaled(event)
                hooks.recorded(record, event.step.summary)
            })
        let drift = configuration.drift
        let appStates = candidate.appStates
        let safety = candidate.safety
        let log = hooks.logger
        let source = configuration.source
        let ours = snapshot.commit.id
        // Fetches once, then tells how a commit another host recorded relates to this host's.
        let ancestry: @Sendable (String) async -> Coordinator.Ancestry = { recorded in
            let relation = try? await offPool { () -> Bool? in
                let opened = try source.open()
                return opened.repository.isAncestor(CommitID(hex: recorded), of: ours)
            }
            switch relation {
            case true?: return .ancestorOrEqual
            case false?: return .notAncestor("newer, or on another line of history")
            case nil: return .notAncestor("unknown to this host even after a fetch")
            }
        }
        let order = Dictionary(state.applications.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        @Sendable func plan(_ apps: [Application]) async -> [AppPlan] {
            if apps.isEmpty { return [] }
            return await reconciler.plan(DesiredStateSet(applications: apps), safety: safety)
        }
        @Sendable func converge(_ apps: [Application]) async -> [(Reconciler.AppResult, Bool)] {
            guard !apps.isEmpty else { return [] }
            let plans = await plan(apps)
            // Read once the apps are planned, just before acting: a suspension made while they were observed holds.
            let suspended = await suspensions(of: apps)
            return await withTaskGroup(of: (Reconciler.AppResult, Bool).self) { group in
                for (app, plan) in zip(apps, plans) {
                    let convergedBefore = appStates[app.name]?.appliedSpecHash == specHashes[app.name] ?? nil
                    group.addTask {
                        var plan = plan
                        if let suspension = suspended[app.name] {
                            plan.suspend(suspension)
                            return (Reconciler.AppResult(plan: plan, outcomes: [], verdict: .suspended), false)
                        }
                        if let diverged = await divergence(app, plan, commit: snapshot.commit.id, candidate.appliedRegions) {
                            // A person's failover outside Git is held, never reverted: said loudly, nothing done.
                            plan.blockers.insert(diverged, at: 0)
                            return (Reconciler.AppResult(plan: plan, outcomes: [], verdict: .diverged), false)
                        }
                        if drift == .report, convergedBefore, plan.steps.contains(where: \.isMutating) {
                            log.warning("\(app.name): live state drifted from the applied commit; reporting only (drift policy: report)")
                            return (Reconciler.AppResult(plan: plan, outcomes: [], verdict: .drifted), true)
                        }
                        var lease: Lease?
                        if plan.blockers.isEmpty, !plan.steps.isEmpty, let coordinator {
                            switch await coordinator.begin(
                                app: app.name, commit: snapshot.commit, activeRegion: app.spec.activeRegion, ancestry: ancestry)
                            {
                            case let .proceed(granted): lease = granted
                            case let .stale(recorded, host, yours):
                                plan.blockers.append(
                                    Blocker(
                                        BlockerCode.stale,
                                        "stale: host \(host) already began to apply \(recorded.prefix(12)), which is not an ancestor of this host's \(yours); "
                                            + "nothing changed. Fetch or merge that commit, or push a newer one"))
                                log.error("\(app.name): \(plan.blockers.last!.reason)")
                                return (Reconciler.AppResult(plan: plan, outcomes: [], verdict: .stale), false)
                            case let .leaseHeld(holder, until):
                                plan.inProgress.append(
                                    "host \(holder) holds the lease on \(app.name) until \(Timestamp.format(until)): it is acting; this host waits")
                                var result = Reconciler.AppResult(plan: plan, outcomes: [], verdict: .converging)
                                result.code = StepCode.leaseHeld
                                return (result, false)
                            case let .unavailable(why):
                                plan.unobserved.append(why)
                                var result = Reconciler.AppResult(plan: plan, outcomes: [], verdict: .degraded)
                                result.code = StepCode.lockUnavailable
                                return (result, false)
                            }
                        }
                        guard let lease else {
                            return (await reconciler.apply(plan, for: app, applier: applier, safety: safety[app.name] ?? SafetyContext()), false)
                        }
                        leases.withLock { $0[app.name] = lease }
                        let renewing = lease.keepRenewed()
                        let result = await reconciler.apply(plan, for: app, applier: applier, safety: safety[app.name] ?? SafetyContext())
                        renewing.cancel()
                        if result.isConverged, let coordinator { await coordinator.markConverged(app: app.name, commit: snapshot.commit) }
                        // Released even when the pass is cancelled (SIGTERM): another host may act at once.
                        await Task.detached { await lease.release() }.value
                        leases.withLock { $0[app.name] = nil }
                        return (result, false)
                    }
                }
                var results: [(Reconciler.AppResult, Bool)] = []
                for await result in group {
                    changedFirst.arrived(result.0.plan.app)
                    results.append(result)
                }
                return results
            }
        }
        async let first = converge(changed)
        async let others = { () async -> [(Reconciler.AppResult, Bool)] in
            await changedFirst.wait(atMost: .seconds(5))
            return await converge(rest)
        }()
        let applied = (await first + others).sorted { order[$0.0.plan.app, default: 0] < order[$1.0.plan.app, default: 0] }
        result.results = applied.map(\.0)
        result.reportedOnly = Set(applied.filter(\.1).map(\.0.plan.app))

        if let stopped = stop.reason {
            result.outcome = stopped.outcome
            result.error = "stopped at a safe point: \(stopped)"
            return
        }
        for app in result.results {
            // What was read this pass, over what was kept: a region that could not be read keeps its last figures.
            let facts = app.plan.live.facts.merging(app.plan.remembered) { now, kept in
                if case let .map(new) = now, case let .map(old) = kept { return .map(old.merging(new) { _, new in new }) }
                return now
            }
            if let json = try? JSONEncoder().encode(facts), facts != app.plan.remembered {
                try? journal.rememberFacts(app: app.plan.app, json: String(decoding: json, as: UTF8.self))
            }
        }
        do {
            try journal.recordApps(
                result.results.map { app in
                    AppEvent(
                        passID: passID, app: app.plan.app, commit: commit, activeRegion: app.plan.activeRegion,
                        verdict: app.verdict.rawValue, converged: app.isConverged, specHash: specHashes[app.plan.app] ?? nil)
                })
        } catch {
            log.error("\(error)")
        }
        let problems = result.problems
        let allReported = applied.allSatisfy { $0.0.isConverged || $0.1 }
        result.outcome = problems.isEmpty ? .converged : (!result.reportedOnly.isEmpty && allReported ? .driftReported : .notConverged)
        if result.results.contains(where: { $0.verdict == .stale }) { result.outcome = .stale }
        if result.outcome != .converged {
            result.error = problems.joined(separator: "; ")
        }
    }

    /// The blocker of an app whose writer or traffic a person moved outside Git, when no commit asked for it. The
    /// region last applied comes from this host's journal, else the lock table's fence (a fence at this very commit that
    /// no host saw converge: another host is carrying it out, so the commit asked); unknown counts as not asked.
    func divergence(_ app: Application, _ plan: AppPlan, commit: CommitID, _ appliedRegions: [String: String]) async -> Blocker? {
        let reassert = configuration.reassert.contains(app.name)
        guard !reassert, let region = Divergence.liveRegion(app, plan.live) ?? (Divergence.takenDown(app, plan.live) ? "" : nil) else {
            return nil
        }
        // The live state is Switchyard's own doing when this host journaled calls toward it since it last converged.
        if (try? journal?.regionsActedOn(app: app.name))?.contains(region) == true { return nil }
        var known = appliedRegions[app.name]
        if known == nil, let coordinator, coordinator.shared, let fence = try? await coordinator.fenceRecord(of: app.name) {
            // A fence at this very commit that no host saw converge: another host is carrying it out.
            if fence.commit == commit.hex, !fence.converged { return nil }
            known = fence.activeRegion
        }
        return Divergence.blocker(app, plan: plan, lastAppliedRegion: known, reassert: reassert)
    }

    /// The apps' suspensions: `spec.suspend: true`, or one recorded in the coordinator's store. A store that cannot
    /// be read counts as a suspension: where Switchyard cannot know whether a person pulled the break glass, it does
    /// not act. They are read together (one `BatchGetItem` per 100 apps on a lock table); when that read fails,
    /// every one of them counts as suspended.
    func suspensions(of apps: [Application]) async -> [String: Suspension] {
        var suspensions: [String: Suspension] = [:]
        for app in apps where app.spec.suspend {
            suspensions[app.name] = Suspension(
                app: app.name, by: "the desired-state file", at: nil, reason: "\(app.source.path) sets spec.suspend: true")
        }
        let asked = apps.filter { suspensions[$0.name] == nil }.map(\.name)
        guard let coordinator, !asked.isEmpty else { return suspensions }
        do {
            suspensions.merge(try await coordinator.suspensions(of: asked)) { file, _ in file }
        } catch {
            if error is CancellationError || Task.isCancelled {
                hooks.logger.debug("the pass stopped while reading the suspensions of \(asked.count) apps; not acting on them")
            } else {
                hooks.logger.error("cannot read the suspensions of \(asked.count) apps from \(coordinator.store.name): \(error); not acting on them")
            }
            for app in asked {
                suspensions[app] = Suspension(
                    app: app, by: "unknown", at: nil,
                    reason: "whether \(app) is suspended cannot be read from \(coordinator.store.name) (\(error)); counted as suspended")
            }
        }
        return suspensions
    }

    /// The last commit's desired state, parsed and validated: a loop's passes read the same commit again and again, and
    /// parsing hundreds of files is most of an unchanged pass's own work. A commit's files never change.
    private static let lastParsed = Locked<(key: String, state: Result<DesiredStateSet, ValidationFailure>)?>(nil)

    static func desiredState(of snapshot: Snapshot, folder: String) throws(ValidationFailure) -> DesiredStateSet {
        let key = "\(snapshot.commit.id.hex) \(folder)"
        let state: Result<DesiredStateSet, ValidationFailure>
        if let last = lastParsed.withLock({ $0 }), last.key == key {
            state = last.state
        } else {
            state = Result { () throws(ValidationFailure) in try snapshot.desiredState() }
            lastParsed.withLock { $0 = (key, state) }
        }
        return try state.get()
    }

    static func hash(_ text: String) -> String {
        hexEncoded(SHA256.hash(data: Data(text.utf8)))
    }
}

extension Reconciler.AppResult {
    /// Whether the app converged on this host: a host that waited on another host's lease did not (it recorded
    /// nothing as applied, so whichever host holds the lease next finishes the commit).
    public var isConverged: Bool { verdict.isConverged && code != StepCode.leaseHeld && code != StepCode.waitingOnDeployment }
}

extension AppPlan {
    /// Marks the plan suspended: nothing is done for it.
    mutating func suspend(_ suspension: Suspension) {
        blockers.insert(Blocker(BlockerCode.suspended, suspension.description), at: 0)
    }
}

/// What a pass reads and how it acts: the options `apply`, `plan`, `status` and `run` share.
public struct PassConfiguration: Sendable {
    /// Where the desired state lives.
    public var source: GitSource
    /// The ref to read; the source's default when nil.
    public var ref: String?
    /// The desired-state folder inside the repository.
    public var folder: String
    /// Only these apps (empty: every app).
    public var apps: [String]
    /// Correct drift made by hand, or only report it.
    public var drift: DriftPolicy
    /// Waits and time limits of each step.
    public var applyOptions: ApplyOptions
    /// Apps whose live state is moved back to the file even when a person moved it outside Git (`--reassert`).
    public var reassert: Set<String>

    public init(
        source: GitSource, ref: String? = nil, folder: String = "desired-state", apps: [String] = [],
        drift: DriftPolicy = .correct, applyOptions: ApplyOptions = ApplyOptions(), reassert: Set<String> = []
    ) {
        self.source = source
        self.ref = ref
        self.folder = folder
        self.apps = apps
        self.drift = drift
        self.applyOptions = applyOptions
        self.reassert = reassert
    }
}

/// Where a pass tells its caller what is happening: progress for people, journal rows for tests, the commit it read.
public struct PassHooks: Sendable {
    public var logger: Logger
    public var progress: @Sendable (ProgressEvent) -> Void
    /// After a journal row is committed (the crash matrix's hook).
    public var journaled: @Sendable (JournalEvent) -> Void
    /// Once the pass knows the commit it works on (the loop watches for a newer one).
    public var commitRead: @Sendable (CommitID) -> Void
    /// When the commit policy accepted the commit: who signed it.
    public var approved: @Sendable (SignatureApproval) -> Void
    /// After a call's row is committed: the row, and the step's summary for people.
    public var recorded: @Sendable (CallRecord, String) -> Void

    public init(
        logger: Logger = Logger(label: "switchyard", factory: { _ in SwiftLogNoOpLogHandler() }),
        progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in },
        journaled: @escaping @Sendable (JournalEvent) -> Void = { _ in },
        commitRead: @escaping @Sendable (CommitID) -> Void = { _ in },
        approved: @escaping @Sendable (SignatureApproval) -> Void = { _ in },
        recorded: @escaping @Sendable (CallRecord, String) -> Void = { _, _ in }
    ) {
        self.logger = logger
        self.progress = progress
        self.journaled = journaled
        self.commitRead = commitRead
        self.approved = approved
        self.recorded = recorded
    }
}

/// How one pass ended, and everything it found.
public struct PassResult: Sendable {
    /// The journal's pass id (apply mode).
    public var id: Int64?
    public var trigger: String
    public var startedAt: Date
    public var finishedAt: Date
    /// The commit read, when the pass got that far.
    public var commit: CommitInfo?
    public var outcome: PassOutcome = .failed
    /// For people: why the pass did not converge.
    public var error: String?
    /// The commit was invalid or refused by the gate: nothing was applied.
    public var refusal: Refusal?
    /// What a person can do when the pass stopped for want of something named (the repository, a ref, the folder).
    public var remedy: Remedy?
    /// Per app, in the order planned (apps whose files changed first).
    public var results: [Reconciler.AppResult] = []
    /// `.readiness` mode: per app and target region, whether it can fail over now.
    public var readiness: [FailoverReadiness] = []

    /// Whether the pass converged everything but steps waiting for AWS to finish a deployment (`waiting-on-deployment`):
    /// a later pass finishes them without any decision.
    public var onlyWaitsOnDeployment: Bool {
        outcome == .notConverged && !results.isEmpty
            && results.allSatisfy { $0.isConverged || ($0.code == StepCode.waitingOnDeployment && $0.verdict == .converging) }
            && results.contains { $0.code == StepCode.waitingOnDeployment }
    }
    /// Apps left as they are under `--drift report`.
    public var reportedOnly: Set<String> = []

    init(trigger: String, startedAt: Date) {
        self.trigger = trigger
        self.startedAt = startedAt
        self.finishedAt = startedAt
    }

    func finished(_ outcome: PassOutcome, error: String) -> PassResult {
        var result = self
        result.outcome = outcome
        result.error = error
        result.finishedAt = Date()
        return result
    }

    /// One line per app that is not converged: its verdict, code and what stands in the way.
    public var problems: [String] {
        results.filter { !$0.isConverged }.map { result in
            let reported = reportedOnly.contains(result.plan.app)
            let detail =
                result.outcomes.filter { $0.status == .failed || $0.status == .pending }.map { "\($0.step.summary): \($0.message)" }
                + result.plan.blockers.map(\.reason) + result.plan.unobserved
                + (reported ? result.plan.steps.filter(\.isMutating).map { "drift: \($0.summary) (\($0.reason))" } : [])
            let code = result.code.map { " [\($0)]" } ?? ""
            return "\(result.plan.app) \(result.verdict.rawValue)\(code)\(detail.isEmpty ? "" : ": " + detail.joined(separator: "; "))"
        }
    }

    /// The summary for the journal's pass row and `/api/status`.
    public var report: PassReport {
        PassReport(id: id, trigger: trigger, startedAt: startedAt, finishedAt: finishedAt, commit: commit?.id.hex, outcome: outcome, error: error)
    }
}

/// A pass, as `/api/status` and the journal summarise it.
public struct PassReport: Sendable, Codable {
    public var id: Int64?
    public var trigger: String
    public var startedAt: Date
    public var finishedAt: Date
    public var commit: String?
    public var outcome: PassOutcome
    public var error: String?

    public init(id: Int64?, trigger: String, startedAt: Date, finishedAt: Date, commit: String?, outcome: PassOutcome, error: String?) {
        self.id = id
        self.trigger = trigger
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.commit = commit
        self.outcome = outcome
        self.error = error
    }
}

/// A commit that was not applied, and why.
public struct Refusal: Sendable, Codable, Equatable {
    public var commit: String
    /// `invalid` (with file:line) or `refused` (the commit gate).
    public var kind: PassOutcome
    public var reason: String
    /// What a person can do, when it is to name something (each front end says how): not in JSON.
    public var remedy: Remedy?

    public init(commit: String, kind: PassOutcome, reason: String, remedy: Remedy? = nil) {
        self.commit = commit
        self.kind = kind
        self.reason = reason
        self.remedy = remedy
    }

    /// The refusal of `commit` for `error`, with the remedy a Git error or a signature refusal names.
    init(commit: String, kind: PassOutcome, error: any Error) {
        self.init(commit: commit, kind: kind, reason: "\(error)", remedy: (error as? SignatureRefusal)?.remedy ?? (error as? GitError)?.remedy)
    }

    enum CodingKeys: String, CodingKey { case commit, kind, reason }
}

/// What a pass does when live state differs from a commit that already converged.
public enum DriftPolicy: String, Sendable, CaseIterable {
    /// Change AWS back to the commit (the default).
    case correct
    /// Only report it (status, /readyz, metrics, journal); a new commit is still applied.
    case report
}

/// A value that is not `Sendable` (a libgit2 handle) handed from one step of a pass to the next: the steps run one
/// after another, never at once.
struct HandedOver<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A pass that stopped before planning: the repository could not be read.
struct PassFailure: Error {
    var outcome: PassOutcome
    var message: String
    var remedy: Remedy? = nil
}
