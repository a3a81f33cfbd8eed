import ArgumentParser
import Foundation
import GitSource
import Journaling
import Presentation
import Reconciler

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the execution report of one failover: who, when, each AWS call, and the time to converge.",
        discussion: """
            Reads the journal in the state folder and the commit in Git. Without COMMIT, the last commit Switchyard made \
            calls for. Each step shows its start, end, duration, region, AWS request id and outcome; the waits after a \
            call (the promotion, the CloudFront deployment) are drawn as their own steps. The time to converge is from \
            the commit to the first pass that found the app converged (the measured RTO). `--format html` writes one \
            self-contained file with the console's timeline.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, json, html
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The commit of the failover (default: the last one the journal has calls for).")
    var commit: String?

    @Option(help: "Output format: text, markdown, json or html.")
    var format: Format = .text

    @OptionGroup var state: StateOptions

    @Option(help: ArgumentHelp("Check the commit's signature against this allowed_signers file and name the signer.", valueName: "file"))
    var allowedSigners: String?

    func run() async throws {
        try await reportingErrors {
            let stateDirectory = state.directory
            guard Journal.exists(in: stateDirectory) else {
                throw ValidationError("no journal in \(stateDirectory): run `switchyard apply` or `run` there first, or pass --state-dir")
            }
            let journal = try Journal(stateDirectory: stateDirectory, readOnly: true)
            let opened = try global.source.open()
            let wanted = try commit.map { try opened.repository.resolve($0).hex }
            let calls = try journal.calls()
            let candidates = calls.filter { call in
                (wanted == nil || call.commit == wanted) && (global.apps.isEmpty || global.apps.contains(call.app))
            }
            guard let app = candidates.last?.app,
                let timeline = try journal.failoverTimeline(app: app, commit: wanted ?? candidates.last?.commit)
            else {
                throw ValidationError(
                    "the journal in \(stateDirectory) records no AWS call\(wanted.map { " for commit \($0.prefix(12))" } ?? ""): "
                        + "nothing was done for it on this host")
            }
            let id = CommitID(hex: timeline.commit)
            let info = try opened.repository.commit(id)
            let signed = try opened.repository.signature(of: id) != nil
            var signature: String?
            if let allowedSigners {
                let verdict = try opened.repository.verifySignature(of: id, allowedSigners: try AllowedSigners.load(contentsOf: allowedSigners))
                if case let .valid(principal, fingerprint) = verdict {
                    signature = "valid, by \(principal) (\(fingerprint))"
                } else {
                    signature = "\(verdict)"
                }
            }
            // The RTO counts from the decision: the commit that changed activeRegion to this region, as `history` does.
            let decision = try? opened.repository.regionChanges(in: global.path, from: id)
                .first { $0.app == timeline.app && $0.to == timeline.activeRegion }?.commit
            let report = FailoverReport(timeline: timeline, commit: info, signed: signed, signature: signature, decision: decision)
            switch format {
            case .text: print(FailoverReportRenderer.text(report), terminator: "")
            case .markdown: print(FailoverReportRenderer.markdown(report), terminator: "")
            case .json: try Terminal.printJSON(report)
            case .html: print(FailoverReportHTML.render(report), terminator: "")
            }
        }
    }
}
