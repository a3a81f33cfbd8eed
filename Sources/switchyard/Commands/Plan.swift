import ArgumentParser
import Foundation
import GitSource
import Presentation
import Reconciler

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what applying the desired state would change, and why.",
        discussion: """
            Runs the reconcile pass without applying: observes live AWS state for every application \
            (concurrently, each resource in its own region), compares it with the file at the ref, and prints \
            the ordered steps with the steps each waits for (`after`). Changes nothing.

            With --allowed-signers, a commit not signed as the host requires is refused (exit 1) \
            before AWS is called, so a plan never shows changes that apply would not make.

            Exit codes: 0 in sync, 2 changes pending, 3 blocked (a change that cannot be carried out as it \
            stands: a declared resource missing, a safety check failing) or diverged (moved outside Git, held), \
            1 error or refused commit.
            Use --format markdown for a pull-request comment, json for scripts (schema in docs/OUTPUT.md).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions
    @OptionGroup(title: "Signed commits") var signing: SigningOptions

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    @Option(
        name: .customLong("to"),
        help: ArgumentHelp(
            "What-if: the plan a commit making this region active would run now, with its checks (as `switchyard readiness`); changes nothing.",
            valueName: "region"))
    var target: String?

    func run() async throws {
        try await reportingErrors {
            if let target {
                let result = try await ReadinessCommand.evaluate(
                    global: global, aws: aws, state: state, hosts: hosts, target: target,
                    policy: try signing.commitPolicy(folder: global.path, stateDirectory: state.directory))
                if format != .json {
                    Swift.print("what-if: the plan a commit making \(target) active would run now; nothing is changed\n")
                }
                try print(result.readiness.map(\.plan), commit: result.commit?.id.hex ?? "", whatIf: target)
                if result.readiness.contains(where: { !$0.plan.blockers.isEmpty }) { throw ExitCode(3) }
                if result.readiness.contains(where: { !$0.plan.inSync }) { throw ExitCode(2) }
                return
            }
            let client = try await aws.client()
            let coordinator = try hosts.coordinator(stateDirectory: state.directory, client: client)
            let pass = Pass(
                configuration: global.passConfiguration(), kinds: ResourceKinds(sender: client), journal: state.existingJournal,
                policy: try signing.commitPolicy(folder: global.path, stateDirectory: state.directory), coordinator: coordinator,
                hooks: PassHooks(logger: aws.logger, approved: Terminal.signatures))
            let result = await pass.run(trigger: "plan", mode: .plan)
            global.warnAboutUncommittedEdits()
            try client.requireHostClock()
            try result.requirePlanned()
            let plans = result.results.map(\.plan)
            try print(plans, commit: result.commit?.id.hex ?? "")
            if result.results.contains(where: { $0.verdict == .blocked || $0.verdict == .diverged }) { throw ExitCode(3) }
            if plans.contains(where: { !$0.inSync }) { throw ExitCode(2) }
        }
    }

    func print(_ plans: [AppPlan], commit: String, whatIf: String? = nil) throws {
        switch format {
        case .text: Swift.print(PlanRenderer.text(plans, commit: commit), terminator: "")
        case .markdown: Swift.print(PlanRenderer.markdown(plans, commit: commit), terminator: "")
        case .json:
            var document = PlanDocument(commit: commit, plans: plans)
            document.whatIf = whatIf
            try Terminal.printJSON(document)
        }
    }

}
