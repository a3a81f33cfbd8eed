import AWS
import Basics
import DesiredState

/// An ECS service per region (`spec.regions.*.ecsService: ARN`), raised before traffic moves.
public typealias ECSServiceKind = ComputeKind<ECSServiceFlavor>

/// The ECS flavor of a compute kind.
public enum ECSServiceFlavor: ComputeFlavor {
    public static let name = "ecs-service"
    public static let noun = "ECS service"
    public static let regionKey = "ecsService"
    public static let stepPrefix = "ecs"
    public static let raise = StepAction("raiseECSService")
    public static let lower = StepAction("lowerECSService")
    public static let unit = "tasks running"
    public static let plane = "ecs"
    public static let readsCapacity = false

    /// `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE` → (region, cluster, service).
    static func parse(_ arn: String) -> (region: String, account: String, cluster: String, service: String)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "ecs", !parts[3].isEmpty,
            parts[4].count == 12, parts[4].allSatisfy(\.isNumber)
        else { return nil }
        let path = parts[5].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard path.count == 3, path[0] == "service", !path[1].isEmpty, !path[2].isEmpty else { return nil }
        return (parts[3], parts[4], path[1], path[2])
    }

    public static func problem(_ value: String, region: String) -> String? {
        guard let arn = parse(value) else {
            return "found `\(value)`; expected an ECS service ARN such as arn:aws:ecs:\(region):111122223333:service/CLUSTER/SERVICE"
        }
        return arn.region == region ? nil : "found a service in `\(arn.region)`; expected a service in `\(region)`, the region it is declared under"
    }

    public static func control(sender: any AWSRequestSending) -> any ComputeControl { LiveECSServices(sender: sender) }

    public static func grants(_ resources: [(region: String, value: String)], account: AccountContext) throws(IAMGrantError) -> [IAMGrant] {
        [
            IAMGrant(
                sid: "SwitchyardECS", actions: ["ecs:DescribeServices", "ecs:UpdateService"], mutating: ["ecs:UpdateService"],
                resources: resources.map(\.value))
        ]
    }
}

/// `ComputeControl` on ECS: the resource is the service's ARN.
struct LiveECSServices: ComputeControl {
    let sender: any AWSRequestSending

    func capacity(of resource: String, region: String) async throws -> Capacity? {
        guard let arn = ECSServiceFlavor.parse(resource) else { return nil }
        return try await ECSClient(sender: sender).describeService(cluster: arn.cluster, service: arn.service, region: region).map {
            Capacity(desired: $0.desiredCount, inService: $0.runningCount)
        }
    }

    func setCapacity(of resource: String, region: String, desired: Int, minimum: Int?) async throws -> String? {
        guard let arn = ECSServiceFlavor.parse(resource) else { throw ReconcileError("\(resource) is not an ECS service ARN") }
        let capture = RequestIDCapture(sender)
        try await ECSClient(sender: capture).updateService(cluster: arn.cluster, service: arn.service, desiredCount: desired, region: region)
        return capture.requestID
    }
}

extension RegionSpec {
    /// The region's ECS service ARN.
    public var ecsService: String? {
        get { declarations[ECSServiceFlavor.regionKey] }
        set { declarations[ECSServiceFlavor.regionKey] = newValue }
    }
}
