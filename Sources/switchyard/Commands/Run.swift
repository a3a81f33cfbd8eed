import ArgumentParser
import Basics
import DesiredState
import Foundation
import GitSource
import Journaling
import Logging
import Reconciler
import SwitchyardService

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Keep AWS converged to the repository: the GitOps loop, with a webhook, metrics and a journal.",
        discussion: """
            Every --interval (jittered by 10%) fetches the repository (objects only when a ref moved), reads \
            the desired state at the ref, validates it and converges every app, journaling each mutating \
            AWS call in --state-dir. An invalid commit is not applied: the last applied state stands and \
            the reason (file:line) shows in /readyz, /api/status and the journal. A failed pass is retried \
            after --retry-interval, doubled per failure up to the interval. A newer commit arriving while \
            an older one converges takes over between two AWS calls.

            HTTP on --listen: GET /healthz, /readyz, /metrics (Prometheus), /api/status (JSON), and \
            POST /hooks/github, /hooks/gitlab, /hooks/gitea (or /hooks/forgejo) and /hooks/bitbucket (a push \
            event signed with the secret in --webhook-secret-file starts a pass at once; JSON or form-encoded).

            With --allowed-signers (and --required-signers N), a commit not signed as this host requires \
            is refused like an invalid one: not applied, the reason in /readyz, /api/status and the journal. \
            The change to review starts at the last revision applied, from the journal. \
            See docs/SIGNED-COMMITS.md.

            SIGTERM or SIGINT lets the AWS call in flight finish, then exits 0. SIGHUP never stops it: it \
            re-reads --webhook-secret-file and starts a pass at once (logged at notice). Only one `run` or `apply` \
            may hold the state folder at a time. --once runs one pass: exit 0 when converged, 1 otherwise.
            See docs/OPERATIONS.md.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var steps: StepOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions
    @OptionGroup(title: "Signed commits") var signing: SignerPolicyOptions

    @Option(help: ArgumentHelp("Between two passes, e.g. 30s, 5m.", valueName: "duration"))
    var interval: DurationArgument = DurationArgument(.seconds(30))

    @Option(help: ArgumentHelp("First delay after a failed pass; doubled per failure up to --interval.", valueName: "duration"))
    var retryInterval: DurationArgument = DurationArgument(.seconds(5))

    @Option(
        help: ArgumentHelp(
            "Between two readiness evaluations (as `switchyard readiness`; also after every pass that read a new commit).",
            valueName: "duration"))
    var readinessInterval: DurationArgument = DurationArgument(.seconds(300))

    @Option(help: "What to do when live state drifts from a commit that converged: correct (change it back) or report.")
    var drift: DriftArgument = .init(.correct)

    @Flag(help: "Run one pass and exit: 0 when converged, 1 otherwise (cron, tests).")
    var once = false

    @Option(help: ArgumentHelp("Address of the HTTP listener (loopback by default).", valueName: "host:port"))
    var listen: String = "127.0.0.1:9464"

    @Option(
        help: ArgumentHelp(
            "File holding the webhook secret (GitHub, GitLab, Gitea/Forgejo, Bitbucket Server); without it POST /hooks/... is disabled.",
            discussion: "Read as a stream: a symbolic link, a FIFO or /dev/fd/N (`<(...)`) will do.", valueName: "file"))
    var webhookSecretFile: String?

    @Option(help: ArgumentHelp("Connections the listener holds open at once; more wait until one closes.", valueName: "n"))
    var maxConnections: Int = ListenerLimits().maxConnections

    @Option(help: ArgumentHelp("Close a connection idle this long (nothing in flight, nothing received).", valueName: "duration"))
    var idleTimeout: DurationArgument = DurationArgument(ListenerLimits().idleTimeout)

    @Option(help: ArgumentHelp("A request's headers must arrive within this, its body within --body-timeout.", valueName: "duration"))
    var headerTimeout: DurationArgument = DurationArgument(ListenerLimits().headerTimeout)

    @Option(help: ArgumentHelp("A request's body must arrive within this once its headers did.", valueName: "duration"))
    var bodyTimeout: DurationArgument = DurationArgument(ListenerLimits().bodyTimeout)

    func validate() throws {
        guard interval.value > .zero else { throw ValidationError("--interval must be more than 0") }
        guard retryInterval.value > .zero else { throw ValidationError("--retry-interval must be more than 0") }
        guard readinessInterval.value > .zero else { throw ValidationError("--readiness-interval must be more than 0") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard [idleTimeout, headerTimeout, bodyTimeout].allSatisfy({ $0.value >= .seconds(1) }) else {
            throw ValidationError("--idle-timeout, --header-timeout and --body-timeout must be at least 1s")
        }
        guard SwitchyardDaemon.Listen(parsing: listen) != nil else {
            throw ValidationError("--listen \(listen): expected host:port, e.g. 127.0.0.1:9464")
        }
    }

    func run() async throws {
        ProcessMemory.prepareForService()
        // First: a SIGHUP from here on is held for the loop, never the end of the process (docs/OPERATIONS.md, "Signals").
        let hangups = await HangupSignals()
        let outcome: PassOutcome? = try await reportingErrors {
            let stateDirectory = state.directory
            // Start-up errors stop here, said once, before any pass: the address, the secret, the lock.
            if !once { try SwitchyardDaemon.Listen(parsing: listen)?.checkAvailable() }
            let lock = try StateLock(stateDirectory: stateDirectory)
            defer { withExtendedLifetime(lock) {} }
            let webhook = try webhookSecretFile.map { path throws(WebhookSecretError) in try WebhookSecret(file: path) }
            let journal = try Journal(stateDirectory: stateDirectory)
            let metrics = ServiceMetrics()
            // The loop says what it does at info; --log-level (warning, error...) quiets it.
            let logger = aws.logger(defaultLevel: .info)
            let configuration = ServiceConfiguration(
                pass: global.passConfiguration(drift: drift.value, applyOptions: steps.applyOptions()),
                interval: interval.value, retryInterval: retryInterval.value, stateDirectory: stateDirectory,
                readinessInterval: readinessInterval.value)
            var limits = ListenerLimits()
            limits.maxConnections = maxConnections
            limits.idleTimeout = idleTimeout.value
            limits.headerTimeout = headerTimeout.value
            limits.bodyTimeout = bodyTimeout.value
            let client = try await aws.client(onCall: { metrics.awsCall($0) })
            let coordinator = try hosts.coordinator(stateDirectory: stateDirectory, client: client)
            let daemon = SwitchyardDaemon(
                configuration: configuration, kinds: ResourceKinds(sender: client),
                journal: journal, metrics: metrics, policy: try signing.commitPolicy(folder: global.path, stateDirectory: state.directory),
                coordinator: coordinator, webhook: webhook, limits: limits, logger: logger)
            if coordinator.shared {
                logger.notice("coordinating with other hosts through \(coordinator.store.name) as \(coordinator.host)")
            } else {
                logger.notice(
                    "no --lock-table: acting as the only host. Running more than one host (one per region) needs a shared lock table; see docs/OPERATIONS.md"
                )
            }
            logger.notice(
                "switchyard \(SwitchyardVersion.current) running on \(redacted(global.repo)) (state in \(stateDirectory), pid \(ProcessInfo.processInfo.processIdentifier))"
            )
            return try await daemon.run(listen: SwitchyardDaemon.Listen(parsing: listen), once: once, hangups: hangups)
        }
        if once, outcome != .converged { throw ExitCode.failure }
    }
}

/// `--drift correct|report`.
struct DriftArgument: ExpressibleByArgument {
    var value: DriftPolicy
    init(_ value: DriftPolicy) { self.value = value }
    init?(argument: String) {
        guard let value = DriftPolicy(rawValue: argument) else { return nil }
        self.value = value
    }
    var defaultValueDescription: String { value.rawValue }
    static var allValueStrings: [String] { DriftPolicy.allCases.map(\.rawValue) }
}
