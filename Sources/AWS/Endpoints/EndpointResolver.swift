import Foundation

/// Where an operation is sent and which region signs it.
public struct ResolvedEndpoint: Sendable, Equatable {
    /// The full request URL: endpoint, bucket addressing, path and encoded query.
    public var url: URL
    /// The SigV4 region: the operation's, except CloudFront's us-east-1.
    public var signingRegion: String
    /// Whether the URL comes from an `AWS_ENDPOINT_URL*` override.
    public var overridden: Bool
}

/// Resolves AWS endpoints the way the AWS SDKs do: real AWS by default, overridable by
/// `AWS_ENDPOINT_URL_<SERVICE>` then `AWS_ENDPOINT_URL`, both ignored when
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`.
public struct EndpointResolver: Sendable {
    /// Each service's override, read from the environment once (every call resolves its endpoint).
    private let overrides: [AWSService: URL]

    /// - Parameter environment: the process environment, or a fixed one in tests.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let environment = environment.awsRelevant
        var overrides: [AWSService: URL] = [:]
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            for service in AWSService.allCases {
                for name in [service.endpointEnvironmentVariable, "AWS_ENDPOINT_URL"] {
                    if let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                        overrides[service] = URL(string: value)
                        break
                    }
                }
            }
        }
        self.overrides = overrides
    }

    /// The configured override for a service, if any.
    public func override(for service: AWSService) -> URL? {
        overrides[service]
    }

    /// The service endpoint (scheme and host, no path) on real AWS.
    public static func awsEndpoint(for service: AWSService, region: String) -> URL {
        let host: String =
            switch service {
            case .s3: "s3.\(region).amazonaws.com"
            case .cloudfront: "cloudfront.amazonaws.com"
            case .rds: "rds.\(region).amazonaws.com"
            case .sts: "sts.\(region).amazonaws.com"
            case .cloudwatch: "monitoring.\(region).amazonaws.com"
            case .dynamodb: "dynamodb.\(region).amazonaws.com"
            case .autoscaling: "autoscaling.\(region).amazonaws.com"
            case .ecs: "ecs.\(region).amazonaws.com"
            case .ssm: "ssm.\(region).amazonaws.com"
            case .route53: "route53.amazonaws.com"
            case .s3control: "s3-control.\(region).amazonaws.com"
            case .route53RecoveryCluster: "route53-recovery-cluster.\(region).amazonaws.com"
            }
        return URL(string: "https://\(host)")!
    }

    /// The URL and signing region for an operation.
    /// - Throws: `AWSError` of kind `.invalidRequest` when the endpoint or bucket cannot form a URL.
    public func resolve(_ operation: AWSOperation) throws -> ResolvedEndpoint {
        // CloudFront and Route 53 are global services whose API lives in us-east-1.
        let signingRegion = operation.service == .cloudfront || operation.service == .route53 ? "us-east-1" : operation.region
        let overrideURL = operation.endpoint == nil ? override(for: operation.service) : nil
        let base = operation.endpoint ?? overrideURL ?? Self.awsEndpoint(for: operation.service, region: operation.region)
        // `encodedHost`, not `host`: the decoded host goes through IDNA (ICU), which the daemon would then keep resident.
        guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false), let host = components.encodedHost else {
            throw invalid(operation, "endpoint \(Redaction.url(base.absoluteString)) has no host")
        }
        var basePath = components.percentEncodedPath
        if basePath.hasSuffix("/") { basePath.removeLast() }
        var path = operation.path.hasPrefix("/") ? operation.path : "/" + operation.path
        // A given endpoint's own path is the operation's (`…/v1`), as the SDKs join an endpoint URL with `/`.
        if operation.endpoint != nil && path == "/" && !basePath.isEmpty { path = "" }
        // URLComponents traps on characters a percent-encoded path cannot hold; a client bug must not crash the daemon.
        guard Self.isPercentEncodedPath(path) else {
            throw invalid(operation, "path \(operation.path) is not URI-encoded")
        }

        if let prefix = operation.hostPrefix, overrideURL == nil, operation.endpoint == nil {
            components.encodedHost = prefix + host
        }
        if let bucket = operation.bucket {
            // Dotted bucket names break the wildcard TLS certificate, so the SDKs send them path-style; so does
            // every override (local emulators rarely resolve bucket subdomains).
            if overrideURL == nil && Self.isVirtualHostable(bucket) {
                components.encodedHost = "\(bucket).\(host)"
            } else {
                path = "/" + URIEncoding.encode(bucket) + (path == "/" ? "" : path)
            }
        }
        components.percentEncodedPath = basePath + path
        components.percentEncodedQuery = operation.query.isEmpty ? nil : URIEncoding.queryString(operation.query)
        guard let url = components.url else { throw invalid(operation, "cannot form a URL for path \(operation.path)") }
        return ResolvedEndpoint(url: url, signingRegion: signingRegion, overridden: overrideURL != nil)
    }

    /// Only RFC 3986 path characters and well-formed `%XX` escapes.
    private static let pathCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/".utf8)

    static func isPercentEncodedPath(_ path: String) -> Bool {
        let allowed = pathCharacters
        let bytes = Array(path.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, bytes[i + 1].isHexDigit, bytes[i + 2].isHexDigit else { return false }
                i += 3
            } else {
                guard allowed.contains(bytes[i]) else { return false }
                i += 1
            }
        }
        return true
    }

    /// A DNS-label-shaped bucket name without dots: usable as `<bucket>.s3.<region>.amazonaws.com`.
    static func isVirtualHostable(_ bucket: String) -> Bool {
        guard (3...63).contains(bucket.count), let first = bucket.first, let last = bucket.last,
            first.isLetter || first.isNumber, last.isLetter || last.isNumber
        else { return false }
        return bucket.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    private func invalid(_ operation: AWSOperation, _ message: String) -> AWSError {
        AWSError(
            kind: .invalidRequest, service: operation.service.rawValue, operation: operation.name,
            code: "InvalidEndpoint", message: message)
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
