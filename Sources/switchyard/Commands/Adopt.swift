import AWS
import ArgumentParser
import DesiredState
import Foundation
import GitSource
import Reconciler
import SwitchyardCore

struct Adopt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make Git follow a failover a person made outside Git: commit activeRegion = where the app serves now.",
        discussion: """
            After break-glass work (the writer moved in the console while the Git host was down), Switchyard \
            holds the app as `diverged` and never moves it back on its own. `adopt` observes where the writer \
            (or traffic) is now and commits that region as the app's activeRegion, exactly as `flip` would \
            (one value rewritten, signed when commit.gpgsign is set): push it, or open the pull request that \
            reconciles Git with what was done. Refuses when the app is not diverged.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions

    @Argument(help: "The application (its metadata.name).")
    var app: String

    @Option(name: [.short, .long], help: "The commit message. Default: \"Adopt the failover of APP to REGION made outside Git\".")
    var message: String?

    @Option(help: ArgumentHelp("The commit's author, as \"Name <email>\". Default: git config user.name and user.email.", valueName: "identity"))
    var author: String?

    func run() async throws {
        try await reportingErrors {
            let (_, state, _) = try GlobalOptions(copying: global, apps: [app]).load()
            guard let application = state.applications.first else { throw SelectionError(unknown: [app], known: []) }
            let client = try await aws.client()
            let plan = await Observer(cloud: LiveCloud(sender: client)).plan(application)
            try client.requireHostClock()
            guard let region = Divergence.liveRegion(application, plan.live) else {
                let problems = plan.unobserved.isEmpty ? "" : " (could not read: \(plan.unobserved.joined(separator: "; ")))"
                throw ValidationError(
                    "\(app) serves from \(application.spec.activeRegion), as its file says: nothing to adopt\(problems)")
            }
            try global.commitActiveRegion(
                app: app, region: region,
                message: message
                    ?? "Adopt the failover of \(app) to \(region) made outside Git\n\nactiveRegion: \(application.spec.activeRegion) -> \(region)\n",
                author: author)
            Terminal.note("next: push this commit (or open a pull request); once it is applied, \(app) is in sync with no further promotion")
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
