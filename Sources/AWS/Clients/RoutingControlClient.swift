import Foundation

/// One regional endpoint of an ARC cluster, as `DescribeCluster` lists it (`https://….route53-recovery-cluster.REGION.
/// amazonaws.com/v1`): calls to it are signed for its own region.
public struct ClusterEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var region: String
    public var url: URL

    public init(region: String, url: URL) {
        self.region = region
        self.url = url
    }

    public var description: String { "\(Redaction.url(url.absoluteString)) (\(region))" }
}

/// Route 53 ARC's cluster data plane (JSON 1.0, `ToggleCustomerAPI`): reading and setting routing control states.
///
/// The data plane is five regional endpoints of one cluster; per AWS's guidance a client tries them in turn until one
/// answers, so no single region's failure keeps a failover from being made. `firstAnswer` does that.
public struct RoutingControlClient: Sendable {
    public static let target = "ToggleCustomerAPI"

    public let sender: any AWSRequestSending

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// `On` or `Off`.
    /// - Throws: `AWSError` (`ResourceNotFoundException`, `AccessDeniedException`, an endpoint's failure).
    public func state(of control: String, at endpoint: ClusterEndpoint) async throws -> String {
        let object = try await call("GetRoutingControlState", ["RoutingControlArn": control], at: endpoint)
        guard let state = object["RoutingControlState"] as? String else {
            throw AWSError(
                kind: .malformedResponse, service: AWSService.route53RecoveryCluster.rawValue, operation: "GetRoutingControlState",
                code: "MalformedResponse", message: "no RoutingControlState in the answer")
        }
        return state
    }

    /// Sets every control of `states` (ARN → `On`/`Off`) in one call: all change, or none.
    /// - Throws: `AWSError`; `ConflictException` (409) when a safety rule refuses the change, which nothing changed.
    public func setStates(_ states: [String: String], at endpoint: ClusterEndpoint) async throws -> String? {
        let entries = states.sorted { $0.key < $1.key }.map { ["RoutingControlArn": $0.key, "RoutingControlState": $0.value] }
        let operation = try operation("UpdateRoutingControlStates", ["UpdateRoutingControlStateEntries": entries], at: endpoint)
        return try await sender.send(operation).header("x-amzn-RequestId")
    }

    /// Runs `body` at each endpoint in turn until one answers; an answer that is an AWS error other than the endpoint's
    /// own failure (a refusal, a missing control, a denial) is the answer, and is thrown as it is.
    /// - Throws: `EndpointsUnanswered` naming every endpoint tried and what it answered, when none answered.
    public static func firstAnswer<T: Sendable>(
        _ endpoints: [ClusterEndpoint], _ body: (ClusterEndpoint) async throws -> T
    ) async throws -> T {
        var tried: [(ClusterEndpoint, String)] = []
        for endpoint in endpoints {
            do {
                return try await body(endpoint)
            } catch let error as AWSError where Self.endpointFailed(error) {
                tried.append((endpoint, error.description))
            }
        }
        throw EndpointsUnanswered(tried: tried.map { .init(endpoint: $0.0, answer: $0.1) })
    }

    /// Whether the error is the endpoint's (no answer, a server error, throttling), so another endpoint may answer.
    public static func endpointFailed(_ error: AWSError) -> Bool {
        switch error.kind {
        case .transport, .timeout, .malformedResponse: true
        case .credentials, .invalidRequest: false
        // A signature refused for its region: the endpoint is another region's (or another cluster's) than the file says.
        case .service:
            (error.httpStatus ?? 500) >= 500 || error.httpStatus == 429 || error.code == "ThrottlingException"
                || error.code == "InvalidSignatureException"
        }
    }

    private func operation(_ name: String, _ body: [String: Any], at endpoint: ClusterEndpoint) throws -> AWSOperation {
        var operation = try JSONProtocol.operation(
            name, body, service: .route53RecoveryCluster, region: endpoint.region, target: Self.target, version: "1.0", idempotent: true)
        operation.endpoint = endpoint.url
        // One attempt per endpoint: the next endpoint is the retry.
        operation.maxAttempts = 1
        return operation
    }

    private func call(_ name: String, _ body: [String: Any], at endpoint: ClusterEndpoint) async throws -> [String: Any] {
        try await JSONProtocol.call(operation(name, body, at: endpoint), through: sender)
    }
}

/// No endpoint of an ARC cluster answered.
public struct EndpointsUnanswered: Error, Sendable, CustomStringConvertible {
    public struct Attempt: Sendable {
        public var endpoint: ClusterEndpoint
        public var answer: String
    }

    public var tried: [Attempt]

    public var description: String {
        tried.isEmpty
            ? "no cluster endpoint to try"
            : "no cluster endpoint answered: " + tried.map { "\($0.endpoint): \($0.answer)" }.joined(separator: "; ")
    }
}
