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

    /// The SigV4 signing name (the `service` part of the credential scope).
    public var signingName: String {
        switch self {
        case .cloudwatch: "monitoring"
        default: rawValue
        }
    }

    /// The service-specific endpoint override variable, as the AWS SDKs read it (from the service id: `Auto Scaling`
    /// is `AUTO_SCALING`).
    public var endpointEnvironmentVariable: String {
        "AWS_ENDPOINT_URL_\(self == .autoscaling ? "AUTO_SCALING" : rawValue.uppercased())"
    }

    /// Whether the service speaks a JSON protocol (its errors are JSON documents with `__type`), not XML.
    public var usesJSON: Bool { self == .dynamodb || self == .ecs || self == .ssm }
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
