import AWS
import ArgumentParser
import Foundation
import SwitchyardCore

struct Suspend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Break glass: stop every host from acting on an app, with a reason everyone sees.",
        discussion: """
            Records the suspension in the lock table (--lock-table, or SWITCHYARD_LOCK_TABLE), or without one \
            in the state folder. Every host honours it within one pass: it still observes and reports the \
            app (verdict `suspended`, who, when and why in `status`, /api/status and /readyz), but makes no \
            AWS call for it, so changes made by hand during an incident are not reverted. \
            `switchyard resume APP` lifts it. `spec.suspend: true` in the app's file does the same the GitOps way.
            """
    )

    @Argument(help: "The application to suspend.")
    var app: String

    @Option(help: ArgumentHelp("Why, for the people who will see it (required).", valueName: "text"))
    var reason: String

    @Option(help: ArgumentHelp("Who suspends. Default: $USER on this host.", valueName: "name"))
    var by: String?

    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why") }
    }

    func run() async throws {
        try await reportingErrors {
            let coordinator = try hosts.coordinator(stateDirectory: state.directory, client: hosts.table == nil ? nil : try await aws.client())
            let who = by ?? "\(ProcessInfo.processInfo.environment["USER"] ?? "someone")@\(hostName())"
            try await coordinator.suspend(app, by: who, reason: reason)
            print("\(app): suspended by \(who) in \(coordinator.store.name): \(reason)")
            Terminal.note("no host acts on \(app) until `switchyard resume \(app)`\(coordinator.shared ? "" : " (this host only: no --lock-table)")")
        }
    }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lift a suspension: hosts act on the app again at their next pass.",
        discussion: "Exit 0 when a suspension was lifted, 1 when there was none (or on error)."
    )

    @Argument(help: "The application to resume.")
    var app: String

    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions

    func run() async throws {
        try await reportingErrors {
            let coordinator = try hosts.coordinator(stateDirectory: state.directory, client: hosts.table == nil ? nil : try await aws.client())
            guard try await coordinator.resume(app) else {
                Terminal.error("\(app) is not suspended in \(coordinator.store.name)")
                throw ExitCode.failure
            }
            print("\(app): resumed in \(coordinator.store.name)")
        }
    }
}
