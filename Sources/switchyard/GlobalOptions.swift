import ArgumentParser
import Basics
import DesiredState
import Foundation
import GitSource
import Journaling
import Reconciler

/// Where the desired state is read from: the options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A local repository path, or a URL (file://, https://, ssh://, user@host:path).",
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

    /// Opens the source and reads the desired state at the ref, validated and filtered by `--app` (commands that do
    /// not observe AWS: `validate`, `iam-policy`).
    func load() throws -> (snapshot: Snapshot, state: DesiredStateSet, repository: Repository) {
        let opened = try source.open()
        let snapshot = try opened.repository.snapshot(ref: ref ?? opened.defaultRef, folder: path)
        let state = try snapshot.desiredState().selecting(apps)
        return (snapshot, state, opened.repository)
    }

    /// Warns on stderr when the work tree's desired-state files differ from HEAD, the commit a command without
    /// `--ref` reads: an edit that is not committed is never applied, and saying nothing would suggest it was.
    func warnAboutUncommittedEdits() {
        guard case .local = source.location, ref == nil || ref == "HEAD", let opened = try? source.open() else { return }
        let changed = opened.repository.uncommittedChanges(in: path)
        guard !changed.isEmpty else { return }
        let shown = changed.prefix(5).joined(separator: ", ") + (changed.count > 5 ? " and \(changed.count - 5) more" : "")
        Terminal.note(
            "warning: \(shown) in the work tree differ\(changed.count == 1 ? "s" : "") from the commit read (HEAD): uncommitted edits are "
                + "never applied; commit them (or `switchyard flip`) and push")
    }

    /// What a pass reads, with how it acts.
    func passConfiguration(
        drift: DriftPolicy = .correct, applyOptions: ApplyOptions = ApplyOptions(), reassert: Set<String> = []
    ) -> PassConfiguration {
        PassConfiguration(source: source, ref: ref, folder: path, apps: apps, drift: drift, applyOptions: applyOptions, reassert: reassert)
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

/// `--state-dir`, declared once for every command that uses the state folder.
struct StateOptions: ParsableArguments {
    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "State folder: the journal (every mutating call, each pass) and the lock that lets one `apply` or `run` act at a time.",
            discussion:
                "Default: $STATE_DIRECTORY, /var/lib/switchyard for root, else ~/.local/state/switchyard. `plan` and `status` only read its journal (the dwell gate).",
            valueName: "folder"))
    var path: String?

    var directory: String { path ?? StateDirectory.default() }

    /// The journal, when the folder holds one, opened read-only; nil otherwise (the dwell gate then reads Git).
    var existingJournal: Journal? {
        guard Journal.exists(in: directory) else { return nil }
        return try? Journal(stateDirectory: directory, readOnly: true)
    }
}

/// How long steps may take and how often AWS is re-read while waiting: `apply` and `run`.
struct StepOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How often to re-read AWS while waiting for a promotion.", valueName: "duration"))
    var pollInterval: DurationArgument = DurationArgument(.seconds(5))

    @Option(help: ArgumentHelp("The most one step may take, waits included.", valueName: "duration"))
    var stepTimeout: DurationArgument = DurationArgument(.seconds(900))

    func applyOptions(wait: Bool = true, limit: Duration? = nil) -> ApplyOptions {
        ApplyOptions(pollInterval: pollInterval.value, stepTimeout: min(stepTimeout.value, limit ?? stepTimeout.value), wait: wait)
    }
}
