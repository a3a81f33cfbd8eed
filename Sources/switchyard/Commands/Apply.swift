import Presentation
import ArgumentParser
import Basics
import DesiredState
import Foundation
import GitSource
import Journaling
import Reconciler

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Converge AWS to the desired state: promote, open, reorder, block, in that order.",
        discussion: """
            Runs one reconcile pass, the same pass `switchyard run` repeats: plans, then runs each application's \
            steps in dependency order, re-observing before every mutating call so a re-run (or a run after a \
            crash) never repeats a promotion. Traffic and fencing steps wait for the promotion to finish: a \
            promotion that RDS refuses, or whose answer is lost, leaves them pending (exit 1), so traffic and \
            data never end up in different regions. CloudFront deploys in the background without holding other \
            steps. A step whose control plane does not answer is left pending and the app reported degraded: run again.

            With --allowed-signers, a commit not signed as the host requires is refused before AWS \
            is called: nothing changes, and the error names the commits and the missing signatures.

            Holds the state folder's lock (as `switchyard run` does), so two processes never act at once, \
            and commits each mutating call to its journal before making it: when the journal cannot be \
            written, no call is made.

            SIGINT, SIGTERM or SIGHUP stops the pass at its next safe point (the AWS call in flight finishes, a \
            promotion wait is cut short) and the journal records it as `interrupted`; a second signal exits at once.

            Progress goes to stderr; the result to stdout. Exit 0 when converged, 1 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions
    @OptionGroup var steps: StepOptions
    @OptionGroup(title: "Signed commits") var signing: SigningOptions

    @Flag(help: "Issue the calls without waiting for promotions to finish (steps that depend on them stay pending).")
    var noWait = false

    @Option(
        help: ArgumentHelp(
            "Move this app's writer and traffic back to its file even though a person moved them outside Git (repeatable).",
            discussion: "Without it, an app diverged by hand is held and apply exits 1; `switchyard adopt APP` makes Git follow instead.",
            valueName: "app"))
    var reassert: [String] = []

    @Option(help: ArgumentHelp("The most the whole apply may take, e.g. 20m.", valueName: "duration"))
    var timeout: DurationArgument = DurationArgument(.seconds(1800))

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        try await reportingErrors {
            // Before anything else: a signal during start-up or the pass stops it at a safe point, never mid-call.
            let stop = SafePoint()
            let running = Locked<Task<PassResult, Never>?>(nil)
            let signals = InterruptSignals { name in
                Terminal.note("\(name): stopping at the next safe point (the AWS call in flight finishes, nothing new starts)")
                stop.stop(.shuttingDown)
                running.withLock { $0?.cancel() }
            }
            defer { withExtendedLifetime(signals) {} }
            let lock = try StateLock(stateDirectory: state.directory)
            defer { withExtendedLifetime(lock) {} }
            let journal: Journal
            do { journal = try Journal(stateDirectory: state.directory) } catch {
                // Journal before call: without a journal nothing is called at all.
                Terminal.error("[\(PassOutcome.journalUnwritable.rawValue)] \(error)")
                Terminal.note("no AWS call was made; free the journal (another process holds it?) and run `switchyard apply` again")
                throw ExitCode.failure
            }
            let crashPoint = TestCrashPoint.fromEnvironment()
            let hooks = PassHooks(
                logger: aws.logger,
                progress: { event in
                    Terminal.note(String(format: "[%6.1fs] ", event.elapsed.seconds) + "\(event.app): \(event.message)")
                }, journaled: { crashPoint?.check($0) }, commitRead: { Terminal.note("applying \($0.short)") },
                approved: Terminal.signatures)
            let client = try await aws.client()
            let coordinator = try hosts.coordinator(stateDirectory: state.directory, client: client)
            let pass = Pass(
                configuration: global.passConfiguration(
                    applyOptions: steps.applyOptions(wait: !noWait, limit: timeout.value), reassert: Set(reassert)),
                kinds: ResourceKinds(sender: client), journal: journal,
                policy: try signing.commitPolicy(folder: global.path, stateDirectory: state.directory), coordinator: coordinator,
                hooks: hooks)
            let limit = timeout.value
            let result = try await withTimeLimit(
                limit, "timed out after \(DurationFormat.format(limit)); steps under way continue in AWS, run `switchyard status`"
            ) {
                // A signal (or the time limit) cuts a promotion wait short; the stopped pass still finishes its journal row.
                var trigger = "apply"
                var delay = steps.pollInterval.value
                while true {
                    let work = Task { [trigger] in await pass.run(trigger: trigger, mode: .apply, stop: stop) }
                    running.withLock { $0 = work }
                    if stop.reason != nil { work.cancel() }
                    let result = await withTaskCancellationHandler {
                        await work.value
                    } onCancel: {
                        work.cancel()
                    }
                    // What is left is AWS finishing a deployment before the last steps (a hot standby opened again, the
                    // region left lowered): wait for it, as the promotion is waited for, unless told not to wait.
                    guard !noWait, stop.reason == nil, !Task.isCancelled, result.onlyWaitsOnDeployment else { return result }
                    Terminal.note("waiting for CloudFront to deploy the change; then the last steps (\(DurationFormat.format(delay)))")
                    try await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(15))
                    trigger = "apply (after the deployment)"
                }
            }
            if let name = signals.signal, result.outcome == .interrupted {
                Terminal.note("interrupted by \(name): the journal records the pass as `interrupted`; run `switchyard apply` again to go on")
                throw ExitCode.failure
            }
            try client.requireHostClock()
            global.warnAboutUncommittedEdits()
            try result.requirePlanned()
            switch format {
            case .json: if let document = result.document { try Terminal.printJSON(document) }
            case .text:
                for app in result.results {
                    let done = app.outcomes.filter { $0.status == .done || $0.status == .started }.count
                    print("\(app.plan.app): \(app.verdict.rawValue)\(app.code.map { " [\($0)]" } ?? "") (\(done) change\(done == 1 ? "" : "s") made)")
                    for outcome in app.outcomes where outcome.status != .done && outcome.status != .alreadyDone {
                        print("  \(outcome.status.rawValue): \(outcome.step.summary): \(outcome.message)\(outcome.codes)")
                    }
                    for blocker in app.plan.blockers { print("  blocked [\(blocker.code)]: \(blocker.reason)") }
                    for why in app.plan.unobserved { print("  unknown: \(why)") }
                }
            }
            guard result.outcome == .converged else {
                Terminal.note("not converged: run `switchyard apply` again once the cause is fixed; `switchyard status` shows where things stand")
                throw ExitCode.failure
            }
        }
    }
}
