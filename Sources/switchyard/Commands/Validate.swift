import ArgumentParser
import DesiredState
import GitSource
import Reconciler

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every desired-state file at a commit.",
        discussion: """
            Reads the desired-state folder from the commit's tree (never the work tree: commit first) \
            and reports every problem in every file as file:line:column, field, what was found and \
            what is expected. Exit 0 when all files are valid, 1 otherwise.

            What the folder holds that is not read (subfolders, submodules, files not named *.yaml or *.yml) \
            is named in a warning; with --strict it is an error.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Treat entries of the folder that are not read (subfolders, submodules, other file names) as errors.")
    var strict = false

    func run() async throws {
        try await reportingErrors {
            let (snapshot, state, _) = try global.load()
            for entry in snapshot.unread { Terminal.note("\(strict ? "error" : "warning"): \(entry)") }
            if strict, !snapshot.unread.isEmpty {
                Terminal.note("--strict: \(snapshot.unread.count) entr\(snapshot.unread.count == 1 ? "y" : "ies") of \(global.path)/ not read")
                throw ExitCode.failure
            }
            let names = state.applications.map(\.name).joined(separator: ", ")
            print(
                "valid: \(state.applications.count) application\(state.applications.count == 1 ? "" : "s") at \(snapshot.commit.id.short) (\(names))")
        }
    }
}
