import ArgumentParser
import Foundation
import Journaling

/// `switchyard journal`: the journal as a file an operator keeps.
struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Work with the journal file: a consistent backup.",
        subcommands: [JournalBackup.self]
    )
}

/// `switchyard journal backup FILE`.
struct JournalBackup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the journal to FILE, consistently, even while `switchyard run` or `apply` writes to it.",
        discussion: """
            A journal in use lives in two files (journal.sqlite and its -wal file): copying the first alone \
            loses what the second holds, often every table. This uses SQLite's online backup: one snapshot \
            of both, written as one self-contained file that `switchyard report --state-dir` and `history` \
            read (name it journal.sqlite in a folder of its own). FILE must not exist.
            """
    )

    @Argument(help: ArgumentHelp("The copy to write.", valueName: "file"))
    var file: String

    @OptionGroup var state: StateOptions

    func run() async throws {
        try await reportingErrors {
            guard Journal.exists(in: state.directory) else {
                Terminal.error("no journal in \(state.directory): nothing to back up (--state-dir)")
                throw ExitCode.failure
            }
            let journal = try Journal(stateDirectory: state.directory, readOnly: true)
            let passes = try journal.backup(to: file)
            print("\(file): a consistent copy of \(state.directory)/\(Journal.fileName) (\(passes) pass\(passes == 1 ? "" : "es"))")
        }
    }
}
