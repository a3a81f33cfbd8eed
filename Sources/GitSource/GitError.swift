import CGit2

/// A failed Git operation: what Switchyard was doing, and what libgit2 said.
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for callers that react differently (a missing ref versus a network failure).
    public enum Code: String, Sendable {
        case notFound
        case notARepository
        case network
        case authentication
        case hostKey
        case conflict
        case refused
        case other
    }

    public var code: Code
    /// What Switchyard was doing, e.g. `resolving ref 'main'`.
    public var context: String
    public var message: String
    /// What a person can do about it, when something can be named: the command line renders it as its option.
    public var remedy: Remedy?

    public init(_ code: Code, context: String, message: String, remedy: Remedy? = nil) {
        self.code = code
        self.context = context
        self.message = message
        self.remedy = remedy
    }

    public var description: String {
        (message.isEmpty ? context : "\(context): \(message)") + (remedy.map { "; \($0.words)" } ?? "")
    }

    /// The error without its remedy, for a front end that says the remedy its own way.
    public var withoutRemedy: String { message.isEmpty ? context : "\(context): \(message)" }

    /// Builds an error from libgit2's last error after a call returned `result`.
    static func last(_ result: Int32, _ context: String) -> GitError {
        let message = git_error_last().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "libgit2 error \(result)"
        let klass = git_error_last()?.pointee.klass ?? 0
        let code: Code =
            switch result {
            case GIT_ENOTFOUND.rawValue: .notFound
            case GIT_EAUTH.rawValue: .authentication
            case GIT_ECERTIFICATE.rawValue: .hostKey
            case GIT_ECONFLICT.rawValue, GIT_EMERGECONFLICT.rawValue: .conflict
            default:
                if klass == Int32(GIT_ERROR_NET.rawValue) || klass == Int32(GIT_ERROR_SSH.rawValue) || klass == Int32(GIT_ERROR_HTTP.rawValue) {
                    .network
                } else if klass == Int32(GIT_ERROR_REPOSITORY.rawValue) {
                    .notARepository
                } else {
                    .other
                }
            }
        return GitError(code, context: context, message: message)
    }
}

/// Calls a libgit2 function and throws `GitError` on a negative result.
@discardableResult
func check(_ context: @autoclosure () -> String, _ body: () -> Int32) throws(GitError) -> Int32 {
    let result = body()
    if result < 0 { throw GitError.last(result, context()) }
    return result
}

/// libgit2 must be initialised once per process before any other call.
let libgit2Initialized: Bool = {
    git_libgit2_init()
    // The cache folder and test repositories may belong to another user than the process (CI runs as root).
    _ = cgit2_set_owner_validation(0)
    return true
}()

/// What a person can do about a refusal or an error, said as data: the library names the thing to give, the command
/// line (or the daemon) says how to give it, so no library message names an option of a tool above it.
public enum Remedy: Sendable, Hashable {
    /// Name the repository.
    case nameRepository
    /// Name the ref in full, as one of these.
    case nameRefInFull([String])
    /// Name the desired-state folder.
    case nameFolder
    /// Give the commit's author.
    case nameAuthor
    /// Name a reviewed revision to count signers from (the last applied one), or record one as the trust base.
    case nameReviewedRevision

    /// The remedy in words, with no tool's option in them.
    public var words: String {
        switch self {
        case .nameRepository: "name the repository"
        case let .nameRefInFull(refs): "name it in full: \(refs.joined(separator: " or "))"
        case .nameFolder: "name the desired-state folder"
        case .nameAuthor: "give the commit's author"
        case .nameReviewedRevision: "name a reviewed revision to count from"
        }
    }
}
