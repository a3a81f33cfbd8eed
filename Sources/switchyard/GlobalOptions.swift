import ArgumentParser
import DesiredState
import Foundation
import GitSource
import SwitchyardService

/// Where the desired state is read from: the options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A local repository path, or a URL (file://, https://, ssh://, user@host:path).",
                               discussion: "Default: the repository containing the current folder.", valueName: "path-or-url"))
    var repo: String = "."

    @Option(help: ArgumentHelp("Branch, tag or commit to read. Default: HEAD for a path, the remote's default branch for a URL.", valueName: "ref"))
    var ref: String?

    @Option(help: ArgumentHelp("The desired-state folder inside the repository.", valueName: "folder"))
    var path: String = "desired-state"

    @Option(name: .customLong("app"), help: ArgumentHelp("Only this application (repeatable). Default: every application.", valueName: "name"))
    var apps: [String] = []

    @Option(help: ArgumentHelp("Where remote repositories are cached.", valueName: "folder"))
    var cacheDir: String = GlobalOptions.defaultCacheDir

    static var defaultCacheDir: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"] ?? "\(env["HOME"] ?? NSHomeDirectory())/.cache"
        return "\(base)/switchyard/repositories"
    }

    var source: GitSource {
        GitSource(location: .init(parsing: repo), cacheRoot: cacheDir)
    }

    /// Opens the source and reads the desired state at the ref, validated and filtered by `--app`.
    /// - Parameter signing: when given, the commit must pass its signature policy before anything is read from it.
    func load(signing: SigningOptions? = nil) throws -> (snapshot: Snapshot, state: DesiredStateSet, repository: Repository) {
        let opened = try source.open()
        let snapshot = try opened.repository.snapshot(ref: ref ?? opened.defaultRef, folder: path)
        try signing?.enforce(on: opened.repository, commit: snapshot.commit.id, folder: path)
        let state = try snapshot.desiredState().selecting(apps)
        return (snapshot, state, opened.repository)
    }
}

/// The output format of commands that serve people and scripts alike.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// A duration option, written like `500ms`, `90s`, `5m`, `1h`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var value: Duration

    init(_ value: Duration) { self.value = value }

    init?(argument: String) {
        guard let value = DurationFormat.parse(argument) else { return nil }
        self.value = value
    }

    var defaultValueDescription: String { DurationFormat.format(value) }
}

/// `--state-dir` for commands that only read the journal (the dwell gate's last converged flip).
struct StateDirOption: ParsableArguments {
    @Option(name: .customLong("state-dir"),
            help: ArgumentHelp("State folder whose journal tells when each app last converged. Default: $STATE_DIRECTORY, /var/lib/switchyard for root, else ~/.local/state/switchyard.", valueName: "folder"))
    var path: String?

    /// The journal, when the folder holds one; nil otherwise (the dwell gate then reads Git).
    var existingJournal: Journal? {
        let folder = path ?? StateDirectory.default()
        guard Journal.exists(in: folder) else { return nil }
        return try? Journal(stateDirectory: folder, readOnly: true)
    }
}
