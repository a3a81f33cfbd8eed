import Reconciler
import ArgumentParser
import DesiredState
import Foundation
import GitSource

struct Suspend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Break glass: stop every host from acting on an app, with a reason everyone sees.",
        discussion: """
            Records the suspension in the lock table (--lock-table, or SWITCHYARD_LOCK_TABLE), or without one \
            in the state folder. Every host honours it within one pass: it still observes and reports the \
            app (verdict `suspended`, who, when and why in `status`, /api/status and /readyz), but makes no \
            AWS call for it, so changes made by hand during an incident are not reverted. \
            `switchyard resume APP` lifts it. `spec.suspend: true` in the app's file does the same the GitOps way. \
            The name must be an app the desired state declares, exactly (read with --repo, --ref, --path); \
            --force suspends one that is being added.
            """
    )

    @Argument(help: "The application to suspend.")
    var app: String

    @Option(help: ArgumentHelp("Why, for the people who will see it (required).", valueName: "text"))
    var reason: String

    @Option(help: ArgumentHelp("Who suspends. Default: $USER on this host.", valueName: "name"))
    var by: String?

    @Flag(help: "Suspend an app no desired-state file declares (yet): one being added.")
    var force = false

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why") }
    }

    func run() async throws {
        try await reportingErrors {
            try global.requireDeclared(app, force: force)
            let coordinator = try hosts.coordinator(stateDirectory: state.directory, client: hosts.table == nil ? nil : try await aws.client())
            let who = by ?? LocalUser.currentUser()
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

    @Flag(help: "Resume an app no desired-state file declares (any more).")
    var force = false

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions

    func run() async throws {
        try await reportingErrors {
            try global.requireDeclared(app, force: force)
            let coordinator = try hosts.coordinator(stateDirectory: state.directory, client: hosts.table == nil ? nil : try await aws.client())
            guard try await coordinator.resume(app) else {
                Terminal.error("\(app) is not suspended in \(coordinator.store.name)")
                throw ExitCode.failure
            }
            print("\(app): resumed in \(coordinator.store.name)")
        }
    }
}

extension GlobalOptions {
    /// Refuses a name no desired-state file declares, naming the apps that are, unless `force`.
    /// - Throws: `ValidationError` saying what the repository declares, or why it cannot be read.
    func requireDeclared(_ app: String, force: Bool) throws {
        guard !force else { return }
        let declared: [String]
        do {
            let opened = try source.open()
            declared = try opened.repository.snapshot(ref: ref ?? opened.defaultRef, folder: path).desiredState().applications.map(\.name)
        } catch {
            throw ValidationError("cannot check that \(app) is declared: \(error); --force acts on the name as given")
        }
        guard declared.contains(app) else {
            // Non-ASCII shown as escapes: a look-alike letter or an invisible space is then plain to see.
            let shown = app.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
            throw ValidationError(
                "no desired-state file in \(path) declares an app named '\(shown)'; declared: \(declared.sorted().joined(separator: ", ")). "
                    + "Names are exact; --force acts on a name no file declares (an app being added or removed)")
        }
    }
}
