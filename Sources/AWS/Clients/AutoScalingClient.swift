/// EC2 Auto Scaling's group calls (Query protocol, version 2011-01-01), each in the group's region.
public struct AutoScalingClient: Sendable {
    /// The Query `Version` parameter.
    public static let apiVersion = "2011-01-01"

    /// Sends the operations this client builds.
    public let sender: any AWSRequestSending

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// One group's sizes and instances; nil when the region has no group of that name (Auto Scaling answers an empty
    /// list, not an error).
    /// - Throws: `AWSError`.
    public func describeAutoScalingGroup(name: String, region: String) async throws -> AutoScalingGroup? {
        var parameters = QueryParameters(action: "DescribeAutoScalingGroups", version: Self.apiVersion)
        parameters.addList("AutoScalingGroupNames", [name])
        let operation = QueryProtocol.operation(parameters, service: .autoscaling, region: region, idempotent: true)
        let xml = try XMLResponse(try await sender.send(operation), for: operation)
        let result = try xml.queryResult()
        guard let element = result.element(at: "AutoScalingGroups")?.children(named: "member").first else { return nil }
        return try AutoScalingGroup(element, xml)
    }

    /// Sets the group's minimum and desired capacity (either may be left as it is).
    /// - Throws: `AWSError` (`ValidationError` when the desired capacity is outside the group's minimum and maximum,
    ///   …). Not retried after an ambiguous failure: the caller reads the group again and decides.
    public func updateAutoScalingGroup(name: String, minSize: Int? = nil, desiredCapacity: Int? = nil, region: String) async throws {
        var parameters = QueryParameters(action: "UpdateAutoScalingGroup", version: Self.apiVersion)
        parameters.add("AutoScalingGroupName", name)
        if let minSize { parameters.add("MinSize", minSize) }
        if let desiredCapacity { parameters.add("DesiredCapacity", desiredCapacity) }
        let operation = QueryProtocol.operation(parameters, service: .autoscaling, region: region, idempotent: false)
        _ = try XMLResponse(try await sender.send(operation), for: operation)
    }
}

/// An Auto Scaling group as DescribeAutoScalingGroups reports it (the fields Switchyard reads).
public struct AutoScalingGroup: Sendable, Hashable {
    /// One instance of the group.
    public struct Instance: Sendable, Hashable {
        public var id: String
        /// `Pending`, `InService`, `Terminating`, …, kept as sent.
        public var lifecycleState: String
        /// `Healthy` or `Unhealthy`.
        public var healthStatus: String?

        public init(id: String, lifecycleState: String, healthStatus: String? = nil) {
            self.id = id
            self.lifecycleState = lifecycleState
            self.healthStatus = healthStatus
        }
    }

    public var name: String
    public var minSize: Int
    public var maxSize: Int
    public var desiredCapacity: Int
    public var instances: [Instance]

    public init(name: String, minSize: Int, maxSize: Int, desiredCapacity: Int, instances: [Instance]) {
        self.name = name
        self.minSize = minSize
        self.maxSize = maxSize
        self.desiredCapacity = desiredCapacity
        self.instances = instances
    }

    /// How many instances serve: `InService` and not reported unhealthy.
    public var inService: Int { instances.filter { $0.lifecycleState == "InService" && $0.healthStatus != "Unhealthy" }.count }

    init(_ e: XMLElement, _ xml: XMLResponse) throws(AWSError) {
        func number(_ name: String) throws(AWSError) -> Int {
            let text = try xml.requiredText(name, in: e)
            guard let value = Int(text) else { throw xml.malformed("\(name) `\(text)` is not a number") }
            return value
        }
        name = try xml.requiredText("AutoScalingGroupName", in: e)
        minSize = try number("MinSize")
        maxSize = try number("MaxSize")
        desiredCapacity = try number("DesiredCapacity")
        var instances: [Instance] = []
        for member in e.element(at: "Instances")?.children(named: "member") ?? [] {
            instances.append(
                Instance(
                    id: try xml.requiredText("InstanceId", in: member), lifecycleState: try xml.requiredText("LifecycleState", in: member),
                    healthStatus: xml.text("HealthStatus", in: member)))
        }
        self.instances = instances
    }
}
