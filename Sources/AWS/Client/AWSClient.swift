import Basics
import Foundation
import Logging

/// The `AWSRequestSending` Switchyard uses: resolves the endpoint, adds the standard headers,
/// signs with current credentials, sends through an `HTTPTransport`, retries per `RetryPolicy`,
/// and turns non-2xx answers into `AWSError`.
public struct AWSClient: AWSRequestSending {
    /// Decodes a non-2xx response of an operation into an error (the protocol-specific XML decoder).
    public typealias ErrorDecoder = @Sendable (AWSOperation, HTTPResponse) -> AWSError

    /// `User-Agent` sent with every call.
    public static let defaultUserAgent = "switchyard/0.1.0"

    private let credentials: (any CredentialProvider)?
    private let transport: any HTTPTransport
    private let endpoints: EndpointResolver
    private let retryPolicy: RetryPolicy
    private let signer: SigV4Signer
    private let errorDecoder: ErrorDecoder
    private let userAgent: String
    private let logger: Logger
    private let onCall: (@Sendable (AWSCallRecord) -> Void)?
    private let quota = RetryQuota()
    private let skewed = Locked<AWSError?>(nil)

    /// The first call AWS refused because the host clock is off (`ClockSkew`), if any: the commands make it their
    /// error (exit 1), as they do missing credentials, rather than a plan of apps whose state is unknown.
    public var clockSkewError: AWSError? { skewed.withLock { $0 } }

    /// - Parameters:
    ///   - credentials: signs every call; nil sends unsigned (STS `AssumeRoleWithWebIdentity`).
    ///   - errorDecoder: the protocol's error decoder; `FallbackErrorDecoder` when nil.
    ///   - onCall: told about every finished call, e.g. to count calls per service/operation/outcome.
    public init(
        credentials: (any CredentialProvider)?, transport: any HTTPTransport,
        endpoints: EndpointResolver = EndpointResolver(), retryPolicy: RetryPolicy = .standard,
        signer: SigV4Signer = SigV4Signer(), errorDecoder: ErrorDecoder? = nil,
        userAgent: String = AWSClient.defaultUserAgent, logger: Logger,
        onCall: (@Sendable (AWSCallRecord) -> Void)? = nil
    ) {
        self.credentials = credentials
        self.transport = transport
        self.endpoints = endpoints
        self.retryPolicy = retryPolicy
        self.signer = signer
        self.errorDecoder = errorDecoder ?? FallbackErrorDecoder.decode
        self.userAgent = userAgent
        self.logger = logger
        self.onCall = onCall
    }

    /// Sends the operation, retrying what is safe to retry; returns the 2xx response or throws `AWSError`.
    public func send(_ operation: AWSOperation) async throws -> HTTPResponse {
        var logger = self.logger
        logger[metadataKey: "aws.service"] = "\(operation.service.rawValue)"
        logger[metadataKey: "aws.operation"] = "\(operation.name)"
        var attempt = 0
        var retryCost: Int?
        while true {
            attempt += 1
            do {
                let response = try await attemptOnce(operation, logger: logger)
                quota.release(retryCost ?? RetryQuota.noRetryIncrement)
                logger.debug("AWS call succeeded", metadata: ["aws.attempts": "\(attempt)", "http.status": "\(response.status)"])
                onCall?(AWSCallRecord(service: operation.service, operation: operation.name, outcome: .success, attempts: attempt))
                return response
            } catch let error as AWSError {
                let verdict = RetryClassifier.verdict(for: error)
                let retryable = RetryClassifier.isRetryable(error, idempotent: operation.idempotent)
                if retryable, attempt < min(operation.maxAttempts ?? .max, retryPolicy.maxAttempts), let cost = quota.acquire(after: error) {
                    retryCost = cost
                    let delay = retryPolicy.backoff(afterAttempt: attempt)
                    logger.debug(
                        "AWS call failed, retrying",
                        metadata: ["aws.attempt": "\(attempt)", "aws.error": "\(error)", "aws.retry_in": "\(delay)"])
                    try await retryPolicy.sleep(delay)
                    continue
                }
                if verdict == .ambiguous && !operation.idempotent {
                    logger.info("AWS call failed ambiguously; not re-sending a non-idempotent call", metadata: ["aws.error": "\(error)"])
                } else {
                    logger.debug("AWS call failed", metadata: ["aws.attempts": "\(attempt)", "aws.error": "\(error)"])
                }
                onCall?(AWSCallRecord(service: operation.service, operation: operation.name, outcome: Self.outcome(error), attempts: attempt))
                throw error
            }
        }
    }

    /// One signed attempt; errors come back as `AWSError` naming this service and operation.
    private func attemptOnce(_ operation: AWSOperation, logger: Logger) async throws -> HTTPResponse {
        var (request, signingRegion) = try buildRequest(operation)
        if let credentials {
            let current: AWSCredentials
            do {
                current = try await credentials.credentials()
            } catch let error as AWSError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw AWSError(
                    kind: .credentials, service: operation.service.rawValue, operation: operation.name,
                    code: "CredentialsUnavailable", message: "\(error)")
            }
            request = signer.sign(
                request, credentials: current, region: signingRegion, service: operation.service.signingName,
                options: .forService(operation.service))
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch var error as AWSError {
            error.service = operation.service.rawValue
            error.operation = operation.name
            throw error
        }
        guard (200..<300).contains(response.status) else {
            let error = ClockSkew.annotate(errorDecoder(operation, response), response: response)
            if error.clockSkew != nil { skewed.withLock { $0 = $0 ?? error } }
            throw error
        }
        return response
    }

    /// A presigned URL for the operation (e.g. an S3 `GetObject`), valid for `expires` seconds from now.
    /// - Throws: `AWSError` when there are no credentials or the endpoint cannot be formed.
    public func presignedURL(for operation: AWSOperation, expires: Int) async throws -> URL {
        let (request, signingRegion) = try buildRequest(operation)
        guard let credentials else {
            throw AWSError(
                kind: .credentials, service: operation.service.rawValue, operation: operation.name,
                code: AWSError.CredentialsCode.noCredentials, message: "presigning needs credentials")
        }
        return signer.presign(
            request, credentials: try await credentials.credentials(), region: signingRegion,
            service: operation.service.signingName, expires: expires, options: .forService(operation.service)
        ).url
    }

    /// The unsigned request for an operation: URL, Host, User-Agent, and Content-Type for form bodies.
    func buildRequest(_ operation: AWSOperation) throws -> (HTTPRequest, signingRegion: String) {
        let endpoint = try endpoints.resolve(operation)
        var request = HTTPRequest(
            method: operation.method, url: endpoint.url, headers: [], body: operation.body,
            maxResponseBytes: operation.maxResponseBytes)
        if let host = endpoint.url.host() {
            let port = endpoint.url.port
            let defaultPort = endpoint.url.scheme == "http" ? 80 : 443
            request.headers.append(("Host", port.map { $0 == defaultPort ? host : "\(host):\($0)" } ?? host))
        }
        request.headers.append(("User-Agent", userAgent))
        for (name, value) in operation.headers { request.setHeader(name, value) }
        // The Query protocol (RDS, STS, CloudWatch) posts form-encoded parameters.
        if !operation.body.isEmpty, request.header("Content-Type") == nil, operation.service != .s3,
            operation.service != .cloudfront
        {
            request.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        }
        return (request, endpoint.signingRegion)
    }

    private static func outcome(_ error: AWSError) -> AWSCallRecord.Outcome {
        switch error.kind {
        case .service: .serviceError(code: error.code)
        case .transport: .transportError
        case .timeout: .timeout
        case .malformedResponse, .credentials, .invalidRequest: .clientError
        }
    }
}
