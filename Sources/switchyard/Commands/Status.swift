import ArgumentParser
import Foundation
import GitSource
import Presentation
import Reconciler

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each application's desired commit, live state and verdict.",
        discussion:
            "Verdicts: in sync, drifted (\"failover pending\" in text when it moves the writer), converging, degraded, blocked, stale, suspended. Exit 0 unless an error occurs."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        try await reportingErrors {
            let client = try await aws.client()
            let coordinator = try hosts.coordinator(stateDirectory: state.directory, client: client)
            let pass = Pass(
                configuration: global.passConfiguration(), kinds: ResourceKinds(sender: client), journal: state.existingJournal,
                coordinator: coordinator, hooks: PassHooks(logger: aws.logger))
            let result = await pass.run(trigger: "status", mode: .plan)
            global.warnAboutUncommittedEdits()
            try client.requireHostClock()
            try result.requirePlanned()
            let plans = result.results.map(\.plan)
            switch format {
            case .json: try Terminal.printJSON(PlanDocument(commit: result.commit?.id.hex ?? "", plans: plans))
            case .text:
                if let commit = result.commit { print("desired commit \(commit.id.short): \(commit.subject)") }
                for plan in plans {
                    print(
                        "\(plan.app): \(Verdict.of(plan).words(activeRegion: plan.activeRegion, steps: plan.steps, live: plan.live)), active \(plan.activeRegion)"
                    )
                    let parts = plan.live.lines.map(\.text).filter { !$0.isEmpty }
                    if !parts.isEmpty { print("  live: \(parts.joined(separator: "; "))") }
                    for step in plan.steps { print("  pending: \(step.summary)") }
                    for blocker in plan.blockers { print("  blocked [\(blocker.code)]: \(blocker.reason)") }
                    for warning in plan.warnings { print("  warning: \(warning)") }
                    for why in plan.unobserved { print("  unknown: \(why)") }
                    for what in plan.inProgress { print("  in progress: \(what)") }
                }
            }
        }
    }
}
