import ArgumentParser
import DesiredState
import Foundation
import GitSource
import Reconciler

struct Adopt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make Git follow a failover a person made outside Git: commit activeRegion = where the app serves now.",
        discussion: """
            After break-glass work (the writer moved in the console while the Git host was down), Switchyard \
            holds the app as `diverged` and never moves it back on its own. `adopt` observes where the writer \
            (or traffic) is now and commits that region as the app's activeRegion, exactly as `flip` would \
            (one value rewritten, signed when commit.gpgsign is set): push it, or open the pull request that \
            reconciles Git with what was done. Judged as a pass judges it, with this host's journal (--state-dir) and \
            the lock table: refuses when the app is not diverged (a flip committed and not carried out yet is not a \
            divergence), when the writer cannot be read, and when only traffic moved (the writer is where the file says).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions

    @Argument(help: "The application (its metadata.name).")
    var app: String

    @Option(name: [.short, .long], help: "The commit message. Default: \"Adopt the failover of APP to REGION made outside Git\".")
    var message: String?

    @Option(help: ArgumentHelp("The commit's author, as \"Name <email>\". Default: git config user.name and user.email.", valueName: "identity"))
    var author: String?

    func run() async throws {
        try await reportingErrors {
            // The same judgement a pass makes, with this host's journal and the lock table: only a divergence is adopted,
            // never a flip Git asked for and no host carried out yet.
            let client = try await aws.client()
            let pass = Pass(
                configuration: GlobalOptions(copying: global, apps: [app]).passConfiguration(), kinds: ResourceKinds(sender: client),
                journal: state.existingJournal, coordinator: try hosts.coordinator(stateDirectory: state.directory, client: client),
                hooks: PassHooks(logger: aws.logger))
            let result = await pass.run(trigger: "adopt", mode: .plan)
            try client.requireHostClock()
            try result.requirePlanned()
            guard let plan = result.results.first?.plan, let verdict = result.results.first?.verdict else {
                throw SelectionError(unknown: [app], known: [])
            }
            guard verdict == .diverged else {
                let words = verdict.words(activeRegion: plan.activeRegion, steps: plan.steps, live: plan.live)
                throw ValidationError(
                    "\(app) is \(words), not diverged: nothing was moved outside Git to adopt"
                        + (words == "failover pending" ? " (the failover to \(plan.activeRegion) is committed and not carried out yet)" : ""))
            }
            // The writer is what a person failed over; traffic follows it once Git does. Traffic moved alone would make
            // Git ask for a promotion nobody made.
            let writers = plan.live.writers
            guard Set(writers.values).count <= 1 else {
                throw ValidationError(
                    "the databases of \(app) write in different regions ("
                        + writers.sorted { $0.key < $1.key }.map { "\($0.key) in \($0.value)" }.joined(separator: ", ")
                        + "): adopting one region would ask for a promotion of the other; move one by hand so they agree, then adopt")
            }
            guard let writer = plan.live.writerRegion else {
                throw ValidationError("the writer of \(app) cannot be read (\(plan.unobserved.joined(separator: "; "))); adopt nothing blind")
            }
            guard writer != plan.activeRegion else {
                throw ValidationError(
                    "only traffic of \(app) was moved outside Git: the writer is in \(writer), where the file says. Adopting would ask for a "
                        + "promotion nobody made; move traffic back with `switchyard apply --reassert \(app)`, or commit the change by hand")
            }
            try global.commitActiveRegion(
                app: app, region: writer,
                message: message
                    ?? "Adopt the failover of \(app) to \(writer) made outside Git\n\nactiveRegion: \(plan.activeRegion) -> \(writer)\n",
                author: author)
            Terminal.note("next: push this commit (or open a pull request); applying it moves what did not follow, with no further promotion")
        }
    }
}

extension GlobalOptions {
    /// These options with only `apps` selected.
    init(copying options: GlobalOptions, apps: [String]) {
        self = options
        self.apps = apps
    }
}
