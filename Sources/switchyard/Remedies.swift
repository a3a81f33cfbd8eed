import ArgumentParser
import GitSource
import Presentation

extension Remedy {
    /// How the command line gives what the remedy names.
    var commandLine: String {
        switch self {
        case .nameRepository: "pass --repo PATH-or-URL"
        case let .nameRefInFull(refs): "pass " + refs.map { "--ref \($0)" }.joined(separator: " or ")
        case .nameFolder: "pass --path FOLDER to name the desired-state folder"
        case .nameAuthor: "or pass --author \"Name <email>\""
        case .nameReviewedRevision: "with plan or apply, --last-applied REV names it"
        }
    }
}

/// A library error with what to do on the command line added: libraries name what to give, the command line says
/// which option gives it.
struct CommandLineError: Error, CustomStringConvertible {
    var error: any Error
    var advice: String

    var description: String { "\((error as? GitError)?.withoutRemedy ?? "\(error)"); \(advice)" }

    /// `error` with its command-line advice, or `error` itself when it has none.
    static func advising(_ error: any Error) -> any Error {
        if let error = error as? GitError, let remedy = error.remedy { return CommandLineError(error: error, advice: remedy.commandLine) }
        if let error = error as? SignatureRefusal, let remedy = error.remedy { return CommandLineError(error: error, advice: remedy.commandLine) }
        if error is IAMPolicyError { return CommandLineError(error: error, advice: "pass --account 123456789012") }
        return error
    }
}
