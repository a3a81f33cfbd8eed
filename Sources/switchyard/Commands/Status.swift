import ArgumentParser
import Foundation
import GitSource
import Reconciler
import SwitchyardService

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each application's desired commit, live state and verdict.",
        discussion: "Verdicts: in sync, drifted, converging, degraded, blocked. Exit 0 unless an error occurs."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var stateDir: StateDirOption

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        try await reportingErrors {
            let (snapshot, state, repository) = try global.load()
            let safety = SafetyContexts.build(repository: repository, snapshot: snapshot, state: state, folder: global.path,
                                              journal: stateDir.existingJournal)
            let plans = await Reconciler(cloud: try aws.cloud()).plan(state, safety: safety)
            switch format {
            case .json: try Terminal.printJSON(PlanDocument(commit: snapshot.commit.id.hex, plans: plans))
            case .text:
                print("desired commit \(snapshot.commit.id.short): \(snapshot.commit.subject)")
                for plan in plans {
                    print("\(plan.app.padding(toLength: 20, withPad: " ", startingAt: 0)) active \(plan.activeRegion.padding(toLength: 14, withPad: " ", startingAt: 0)) \(Verdict.of(plan).rawValue)")
                    for step in plan.steps { print("  pending: \(step.summary)") }
                    for blocker in plan.blockers { print("  blocked: \(blocker.reason)") }
                    for why in plan.unobserved { print("  unknown: \(why)") }
                    for what in plan.inProgress { print("  in progress: \(what)") }
                }
            }
        }
    }
}
