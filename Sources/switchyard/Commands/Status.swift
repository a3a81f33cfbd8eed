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
            let plans = await Reconciler(cloud: try await aws.cloud()).plan(state, safety: safety)
            switch format {
            case .json: try Terminal.printJSON(PlanDocument(commit: snapshot.commit.id.hex, plans: plans))
            case .text:
                print("desired commit \(snapshot.commit.id.short): \(snapshot.commit.subject)")
                for plan in plans {
                    print("\(plan.app): \(Verdict.of(plan).rawValue), active \(plan.activeRegion)")
                    let live = plan.live
                    var parts: [String] = []
                    if let writer = live.writerRegion { parts.append("writer \(writer)") }
                    if let order = live.originOrder { parts.append("origins \(order.joined(separator: " > "))\(live.distributionStatus.map { " (\($0))" } ?? "")") }
                    if !live.buckets.isEmpty { parts.append("buckets " + live.buckets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
                    if !parts.isEmpty { print("  live: \(parts.joined(separator: "; "))") }
                    for step in plan.steps { print("  pending: \(step.summary)") }
                    for blocker in plan.blockers { print("  blocked: \(blocker.reason)") }
                    for why in plan.unobserved { print("  unknown: \(why)") }
                    for what in plan.inProgress { print("  in progress: \(what)") }
                }
            }
        }
    }
}
