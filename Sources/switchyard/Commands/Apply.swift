import ArgumentParser
import DesiredState
import Foundation
import GitSource
import Reconciler
import SwitchyardService

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Converge AWS to the desired state: promote, open, reorder, block, in that order.",
        discussion: """
            Plans, then runs each application's steps in order, re-observing before every mutating \
            call so a re-run (or a run after a crash) never repeats a promotion. Waits for Aurora \
            promotions; CloudFront deploys in the background without holding other steps. A step whose \
            control plane does not answer is left pending and the app reported degraded: run again.

            With --allowed-signers, a commit not signed as the host requires is refused before AWS \
            is called: nothing changes, and the error names the commits and the missing signatures.

            Holds the state folder's lock (as `switchyard run` does), so two processes never act at once, \
            and records each mutating call in its journal.

            Progress goes to stderr; the result to stdout. Exit 0 when converged, 1 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup(title: "Signed commits") var signing: SigningOptions

    @Flag(help: "Issue the calls without waiting for promotions to finish.")
    var noWait = false

    @Option(help: ArgumentHelp("The most the whole apply may take, e.g. 20m.", valueName: "duration"))
    var timeout: DurationArgument = DurationArgument(.seconds(1800))

    @Option(help: ArgumentHelp("The most one step may take, waits included.", valueName: "duration"))
    var stepTimeout: DurationArgument = DurationArgument(.seconds(900))

    @Option(help: ArgumentHelp("How often to re-read AWS while waiting.", valueName: "duration"))
    var pollInterval: DurationArgument = DurationArgument(.seconds(5))

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("State folder: journal and lock, shared with `switchyard run`. Default: $STATE_DIRECTORY, /var/lib/switchyard for root, else ~/.local/state/switchyard.", valueName: "folder"))
    var stateDir: String?

    func run() async throws {
        try await reportingErrors {
            let stateDirectory = stateDir ?? StateDirectory.default()
            let lock = try StateLock(stateDirectory: stateDirectory)
            defer { withExtendedLifetime(lock) {} }
            let (snapshot, state, repository) = try global.load(signing: signing)
            let journal = try Journal(stateDirectory: stateDirectory)
            let safety = SafetyContexts.build(repository: repository, snapshot: snapshot, state: state, folder: global.path, journal: journal)
            let passID = try journal.beginPass(trigger: "apply")
            let commit = snapshot.commit.id.hex
            let regions = Dictionary(state.applications.map { ($0.name, $0.spec.activeRegion) }, uniquingKeysWith: { a, _ in a })
            let crashPoint = TestCrashPoint.fromEnvironment()
            let options = ApplyOptions(pollInterval: pollInterval.value, stepTimeout: min(stepTimeout.value, timeout.value), wait: !noWait)
            // One client for planning and applying: one connection pool, one credential resolution.
            let cloud = try await aws.cloud()
            let applier = Applier(cloud: cloud, options: options, progress: { event in
                Terminal.note(String(format: "[%6.1fs] ", event.elapsed.seconds) + "\(event.app): \(event.message)")
            }, journal: { event in
                do {
                    try journal.record(CallRecord(passID: passID, app: event.app, commit: commit, activeRegion: regions[event.app],
                                                  action: event.step.action.rawValue, resource: event.step.resource, region: event.step.region,
                                                  phase: event.phase.rawValue, requestID: event.requestID, message: event.message))
                } catch {
                    Terminal.error("\(error)")
                }
                crashPoint?.check(event)
            })
            Terminal.note("applying \(snapshot.commit.id.short) (\(snapshot.commit.subject))")
            let limit = timeout.value
            let results = try await withTimeLimit(limit, "timed out after \(DurationFormat.format(limit)); steps under way continue in AWS, run `switchyard status`") {
                await Reconciler(cloud: cloud).apply(state, applier: applier, safety: safety)
            }
            try journal.recordApps(results.map { result in
                AppEvent(passID: passID, app: result.plan.app, commit: commit, activeRegion: result.plan.activeRegion,
                         verdict: result.verdict.rawValue, converged: result.verdict.isConverged)
            })
            let converged = results.allSatisfy { $0.verdict.isConverged }
            try journal.finishPass(passID, commit: commit, outcome: converged ? .converged : .notConverged, error: nil)
            switch format {
            case .json: try Terminal.printJSON(PlanDocument(commit: snapshot.commit.id.hex, plans: results.map(\.plan), results: results))
            case .text:
                for result in results {
                    let done = result.outcomes.filter { $0.status == .done || $0.status == .started }.count
                    print("\(result.plan.app): \(result.verdict.rawValue) (\(done) change\(done == 1 ? "" : "s") made)")
                    for outcome in result.outcomes where outcome.status != .done && outcome.status != .alreadyDone {
                        print("  \(outcome.status.rawValue): \(outcome.step.summary): \(outcome.message)")
                    }
                    for blocker in result.plan.blockers { print("  blocked: \(blocker.reason)") }
                    for why in result.plan.unobserved { print("  unknown: \(why)") }
                }
            }
            if !results.allSatisfy({ $0.verdict.isConverged }) {
                Terminal.note("not converged: run `switchyard apply` again once the cause is fixed; `switchyard status` shows where things stand")
                throw ExitCode.failure
            }
        }
    }
}
