/// ECS's service calls (JSON 1.1 protocol, `AmazonEC2ContainerServiceV20141113`), each in the service's region.
public struct ECSClient: Sendable {
    /// The `X-Amz-Target` prefix.
    public static let target = "AmazonEC2ContainerServiceV20141113"

    /// Sends the operations this client builds.
    public let sender: any AWSRequestSending

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// One service's counts; nil when ECS lists it among `failures` as `MISSING`.
    /// - Throws: `AWSError` (`ClusterNotFoundException`, …).
    public func describeService(cluster: String, service: String, region: String) async throws -> ECSService? {
        let operation = try JSONProtocol.operation(
            "DescribeServices", ["cluster": cluster, "services": [service]], service: .ecs, region: region, target: Self.target,
            idempotent: true)
        let object = try await JSONProtocol.call(operation, through: sender)
        guard let first = (object["services"] as? [[String: Any]])?.first else {
            if let failure = (object["failures"] as? [[String: Any]])?.first, failure["reason"] as? String == "MISSING" { return nil }
            throw JSONProtocol.malformed(operation, "neither the service nor a failure naming it")
        }
        guard let arn = first["serviceArn"] as? String, let desired = first["desiredCount"] as? Int, let running = first["runningCount"] as? Int
        else { throw JSONProtocol.malformed(operation, "a service without serviceArn, desiredCount or runningCount") }
        return ECSService(
            arn: arn, status: first["status"] as? String ?? "", desiredCount: desired, runningCount: running,
            pendingCount: first["pendingCount"] as? Int ?? 0)
    }

    /// Sets the service's desired count.
    /// - Throws: `AWSError`. Not retried after an ambiguous failure: the caller reads the service again and decides.
    public func updateService(cluster: String, service: String, desiredCount: Int, region: String) async throws {
        let operation = try JSONProtocol.operation(
            "UpdateService", ["cluster": cluster, "service": service, "desiredCount": desiredCount], service: .ecs, region: region,
            target: Self.target, idempotent: false)
        _ = try await JSONProtocol.call(operation, through: sender)
    }
}

/// An ECS service as DescribeServices reports it (the fields Switchyard reads).
public struct ECSService: Sendable, Hashable {
    public var arn: String
    /// `ACTIVE`, `DRAINING`, `INACTIVE`.
    public var status: String
    public var desiredCount: Int
    public var runningCount: Int
    public var pendingCount: Int

    public init(arn: String, status: String, desiredCount: Int, runningCount: Int, pendingCount: Int) {
        self.arn = arn
        self.status = status
        self.desiredCount = desiredCount
        self.runningCount = runningCount
        self.pendingCount = pendingCount
    }
}
