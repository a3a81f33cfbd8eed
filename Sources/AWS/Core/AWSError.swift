/// Every failure of an AWS call: what failed (service, operation), the code AWS gave,
/// its message and request id, and the HTTP status.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// AWS answered with an error document.
        case service
        /// No response: connection refused, reset, DNS, TLS.
        case transport
        /// No response within the time allowed.
        case timeout
        /// A response that does not parse as the operation's shape.
        case malformedResponse
        /// No usable credentials.
        case credentials
        /// The request could not be built (bad endpoint, bad argument).
        case invalidRequest
    }

    public var kind: Kind
    public var service: String
    public var operation: String
    /// The AWS error code (`Throttling`, `NoSuchBucket`, …), or a Switchyard code for non-service kinds.
    public var code: String
    public var message: String
    public var requestID: String?
    public var httpStatus: Int?
    /// When AWS refused the signature because the host clock is off: by how many seconds (positive: the host is ahead).
    public var clockSkew: Int?

    public init(
        kind: Kind, service: String, operation: String, code: String, message: String,
        requestID: String? = nil, httpStatus: Int? = nil
    ) {
        self.kind = kind
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.requestID = requestID
        self.httpStatus = httpStatus
    }

    public var description: String {
        var s = "\(service) \(operation): \(code)"
        if !message.isEmpty { s += ": \(message)" }
        var details: [String] = []
        if let httpStatus { details.append("HTTP \(httpStatus)") }
        if let requestID { details.append("request id \(requestID)") }
        if !details.isEmpty { s += " (\(details.joined(separator: ", ")))" }
        return s
    }
}

extension AWSError {
    /// The error codes by which AWS says a named resource does not exist.
    static let notFoundCodes: Set<String> = [
        "GlobalClusterNotFoundFault", "DBClusterNotFoundFault", "NoSuchDistribution", "NoSuchBucket", "NotFound", "NoSuchOriginGroup",
        "NoSuchHostedZone", "ResourceNotFoundException",
    ]

    /// Whether `error` is AWS saying that the named resource does not exist (which no retry fixes).
    public static func isNotFound(_ error: any Error) -> Bool {
        guard let error = error as? AWSError, error.kind == .service else { return false }
        return notFoundCodes.contains(error.code)
    }
}
