import Foundation

/// The AWS services Switchyard calls.
public enum AWSService: String, Sendable, CaseIterable {
    case s3
    case cloudfront
    case rds
    case sts
    case cloudwatch
    case dynamodb
    case autoscaling
    case ecs
    case ssm
    case route53
    /// S3 Control (the account's public access block), signed as `s3`.
    case s3control = "s3-control"
    /// Route 53 Application Recovery Controller's cluster data plane (routing control states), called at a cluster's
    /// own regional endpoints.
    case route53RecoveryCluster = "route53-recovery-cluster"

    /// The SigV4 signing name (the `service` part of the credential scope).
    public var signingName: String {
        switch self {
        case .cloudwatch: "monitoring"
        case .s3control: "s3"
        default: rawValue
        }
    }

    /// The service-specific endpoint override variable, as the AWS SDKs read it (from the service id: `Auto Scaling`
    /// is `AUTO_SCALING`).
    public var endpointEnvironmentVariable: String {
        switch self {
        case .autoscaling: "AWS_ENDPOINT_URL_AUTO_SCALING"
        case .route53: "AWS_ENDPOINT_URL_ROUTE_53"
        default: "AWS_ENDPOINT_URL_\(rawValue.uppercased().replacingOccurrences(of: "-", with: "_"))"
        }
    }

    /// Whether the service speaks a JSON protocol (its errors are JSON documents with `__type`), not XML.
    public var usesJSON: Bool { self == .dynamodb || self == .ecs || self == .ssm || self == .route53RecoveryCluster }
}

/// One AWS API call, before endpoint resolution and signing.
///
/// Clients build these; an `AWSRequestSending` resolves the endpoint for
/// `service` in `region`, signs, sends, retries when allowed, and decodes errors.
public struct AWSOperation: Sendable {
    public var service: AWSService
    /// The region that holds the resource (a bucket's, a cluster ARN's); CloudFront is signed for us-east-1 whatever this says.
    public var region: String
    /// The API name, e.g. `PutPublicAccessBlock`: for logs, metrics and errors.
    public var name: String
    public var method: String
    /// The path below the service endpoint, already URI-encoded, starting with `/`.
    public var path: String
    /// Query parameters, not yet encoded.
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// S3 only: the bucket, addressed virtual-hosted style on AWS and path style on an overridden endpoint.
    public var bucket: String?
    /// Whether sending again after an ambiguous failure is safe. Reads are; mutating calls are not:
    /// their caller re-observes and decides.
    public var idempotent: Bool
    /// The most the response may hold (docs/OPERATIONS.md, "Limits"): a larger one fails the call, nothing is read.
    public var maxResponseBytes = HTTPRequest.defaultMaxResponseBytes
    /// An endpoint the caller was given (an ARC cluster's regional endpoint, path included): sent there and signed for
    /// `region`, whatever the environment overrides say.
    public var endpoint: URL? = nil
    /// A label put before the AWS host (S3 Control's `ACCOUNT.`), as the model's `hostPrefix`; not before an overridden
    /// endpoint, which a local emulator serves under its own name.
    public var hostPrefix: String? = nil
    /// At most this many attempts, below the retry policy's (nil: the policy's): a caller that has other endpoints to
    /// try moves on rather than retrying one.
    public var maxAttempts: Int? = nil

    public init(
        service: AWSService, region: String, name: String, method: String = "GET", path: String = "/",
        query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
        body: [UInt8] = [], bucket: String? = nil, idempotent: Bool
    ) {
        self.service = service
        self.region = region
        self.name = name
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.bucket = bucket
        self.idempotent = idempotent
    }
}

/// Sends AWS operations: the seam between the service clients and the signing/transport machinery.
public protocol AWSRequestSending: Sendable {
    /// Sends the operation and returns a 2xx response; any other outcome throws `AWSError`.
    func send(_ operation: AWSOperation) async throws -> HTTPResponse
}

/// Moves bytes: the seam between signing/retries and libcurl.
public protocol HTTPTransport: Sendable {
    /// Sends one request once; throws `AWSError` of kind `.transport` or `.timeout` when no response arrived.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
