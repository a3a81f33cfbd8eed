import ArgumentParser
import Foundation
import GitSource
import Journaling
import Reconciler

struct TrustBaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust-base",
        abstract: "Record a reviewed commit from which this host counts --required-signers for apps it has never applied.",
        discussion: """
            With --required-signers above 1, each app's change is counted from the commit this host last applied \
            for it (its journal), the lock table's commit fence, or the base recorded here. A host with none of \
            them (a new host, a journal lost, a last applied commit that history rewriting removed) refuses to \
            act: it cannot know what was approved. Check the commit (git log, git verify-commit), then record it; \
            the change after it is then counted in full. Without COMMIT: print the recorded base.
            """
    )

    @Argument(help: ArgumentHelp("The reviewed commit (any revision the repository resolves).", valueName: "commit"))
    var commit: String?

    @Option(help: ArgumentHelp("Who records it. Default: the user on this host.", valueName: "name"))
    var by: String?

    @OptionGroup var global: GlobalOptions
    @OptionGroup var state: StateOptions

    func run() async throws {
        try await reportingErrors {
            guard let commit else {
                guard let recorded = try RecordedTrustBase.load(stateDirectory: state.directory) else {
                    print("no trust base is recorded in \(state.directory)")
                    return
                }
                print("\(recorded.commit): \(recorded.origin)")
                return
            }
            let opened = try global.source.open()
            let id = try opened.repository.resolve(commit)
            let info = try opened.repository.commit(id)
            let recorded = RecordedTrustBase(commit: id.hex, by: by ?? LocalUser.currentUser())
            try recorded.save(stateDirectory: state.directory)
            print("\(id.short) \(info.subject): recorded as the trust base in \(state.directory)")
            Terminal.note("apps this host has never applied count their change from \(id.short)")
        }
    }
}

/// Who runs a command on this host, for records people read (a suspension, a trust base).
enum LocalUser {
    /// `$USER`, else the account name of this process's user; with the host name.
    static func currentUser() -> String {
        let name = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? accountName() ?? "uid \(getuid())"
        return "\(name)@\(hostName())"
    }

    private static func accountName() -> String? {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}
