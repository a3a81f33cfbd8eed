import ArgumentParser
import DesiredState
import GitSource

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every desired-state file at a commit.",
        discussion: """
            Reads the desired-state folder from the commit's tree (never the work tree: commit first) \
            and reports every problem in every file as file:line:column, field, what was found and \
            what is expected. Exit 0 when all files are valid, 1 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await reportingErrors {
            let (snapshot, state, _) = try global.load()
            let names = state.applications.map(\.name).joined(separator: ", ")
            print("valid: \(state.applications.count) application\(state.applications.count == 1 ? "" : "s") at \(snapshot.commit.id.short) (\(names))")
        }
    }
}
