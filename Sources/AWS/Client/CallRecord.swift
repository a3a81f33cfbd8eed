/// One finished AWS call, for a metrics hook: which call, how it ended, after how many attempts.
public struct AWSCallRecord: Sendable, Equatable {
    /// How a call ended.
    public enum Outcome: Sendable, Equatable {
        case success
        /// AWS answered with an error; the AWS error code.
        case serviceError(code: String)
        case transportError
        case timeout
        /// Credentials, endpoint or response-shape failures.
        case clientError
    }

    public var service: AWSService
    public var operation: String
    public var outcome: Outcome
    public var attempts: Int
}
