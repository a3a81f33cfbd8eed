import Basics
import Journaling
import ArgumentParser
import Foundation
import Reconciler

/// How a command that runs a `Pass` reports what the pass could not do.
extension PassResult {
    /// Exits 1, saying why, when the pass stopped before planning: the repository could not be read, the commit is
    /// invalid or refused, or the journal could not be written.
    func requirePlanned() throws {
        if let refusal {
            Terminal.error(refusal.reason)
            if let remedy = refusal.remedy { Terminal.note(remedy.commandLine) }
            Terminal.note(
                "nothing was changed; the last applied state stands"
                    + (refusal.kind == .refused && refusal.remedy == nil ? ". Sign the commit with an allowed key (docs/SIGNED-COMMITS.md)" : ""))
            throw ExitCode.failure
        }
        guard commit != nil, outcome != .journalUnwritable, outcome != .fetchFailed else {
            Terminal.error("[\(outcome.rawValue)] \(error ?? "the pass stopped")\(remedy.map { " (\($0.commandLine))" } ?? "")")
            throw ExitCode.failure
        }
    }
}

extension StepOutcome {
    /// The outcome's codes for people: `[promotion-refused, InvalidDBClusterStateFault, request 1a2b…]`.
    var codes: String {
        let parts = [code?.rawValue, awsErrorCode, requestID.map { "request \($0)" }].compactMap { $0 }
        return parts.isEmpty ? "" : " [\(parts.joined(separator: ", "))]"
    }
}
