import ArgumentParser
import DesiredState
import Foundation
import GitSource
import Presentation
import Reconciler

struct ReadinessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readiness",
        abstract: "Tell whether each application can fail over now, and what stands in the way.",
        discussion: """
            For every application and every region it could fail over to (each declared region that is not active, \
            or only --to REGION), observes live AWS state and builds the failover plan that a commit making that \
            region active would run now, with every check: the target bucket hosts the site and no account-level \
            Block Public Access keeps it from serving; the origin group holds every region, is what the default cache \
            behavior targets and (fenced standby) fails over on 403; the target database cluster is available, has \
            an instance, runs the writer's engine version for a switchover, is connected and within \
            maxReplicationLag; the target's compute exists and its maximum holds the load; the failover records and \
            routing controls exist and agree with the file; and every part can be read with the host's credentials.

            Makes no mutating call and needs no commit: run it any time, or let `switchyard run` do it every \
            --readiness-interval. A problem that would only make the failover slower (a warning in `plan`) still \
            counts as not ready.

            Exit codes: 0 every failover ready, 2 some cannot be made now (each problem named with its code, \
            reading and what to do), 1 error.
            Use --format json for scripts (schema in docs/OUTPUT.md), markdown for a report.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var state: StateOptions
    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions

    @Option(name: .customLong("to"), help: ArgumentHelp("Only the failover to this region.", valueName: "region"))
    var target: String?

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    func run() async throws {
        try await reportingErrors {
            let result = try await Self.evaluate(global: global, aws: aws, state: state, hosts: hosts, target: target)
            let commit = result.commit?.id.hex ?? ""
            switch format {
            case .text: print(ReadinessRenderer.text(result.readiness, commit: commit), terminator: "")
            case .markdown: print(ReadinessRenderer.markdown(result.readiness, commit: commit), terminator: "")
            case .json: try Terminal.printJSON(ReadinessDocument(commit: commit, targets: result.readiness))
            }
            if !result.readiness.allSatisfy(\.ready) { throw ExitCode(2) }
        }
    }

    /// Runs a readiness pass (shared with `plan --to`): no journal write, no mutating call.
    static func evaluate(
        global: GlobalOptions, aws: AWSOptions, state: StateOptions, hosts: CoordinationOptions, target: String?,
        policy: CommitPolicy? = nil
    ) async throws -> PassResult {
        if let target, !isRegionName(target) {
            throw ValidationError("--to: found `\(target)`; expected an AWS region name such as us-west-1")
        }
        let client = try await aws.client()
        let coordinator = try hosts.coordinator(stateDirectory: state.directory, client: client)
        let pass = Pass(
            configuration: global.passConfiguration(), kinds: ResourceKinds(sender: client), journal: state.existingJournal,
            policy: policy, coordinator: coordinator, hooks: PassHooks(logger: aws.logger, approved: Terminal.signatures))
        let result = await pass.run(trigger: "readiness", mode: .readiness(target: target))
        global.warnAboutUncommittedEdits()
        try client.requireHostClock()
        try result.requirePlanned()
        if let target, result.readiness.isEmpty {
            throw ValidationError(
                "no selected application can fail over to \(target): none declares it under spec.regions, or it is already active")
        }
        return result
    }
}
