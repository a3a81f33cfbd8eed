import AWS
import Basics
import DesiredState

/// An EC2 Auto Scaling group per region (`spec.regions.*.autoScalingGroup: NAME`), raised before traffic moves.
public typealias AutoScalingGroupKind = ComputeKind<AutoScalingGroupFlavor>

/// The Auto Scaling flavor of a compute kind; it also reads `spec.capacity`, which both compute kinds use.
public enum AutoScalingGroupFlavor: ComputeFlavor {
    public static let name = "auto-scaling-group"
    public static let noun = "Auto Scaling group"
    public static let regionKey = "autoScalingGroup"
    public static let stepPrefix = "asg"
    public static let raise = StepAction("raiseAutoScalingGroup")
    public static let lower = StepAction("lowerAutoScalingGroup")
    public static let unit = "instances in service"
    public static let plane = "autoscaling"
    public static let readsCapacity = true

    public static func problem(_ value: String, region: String) -> String? {
        value.count <= 255 && !value.contains(":")
            ? nil : "found `\(value)`; expected an Auto Scaling group name (at most 255 characters, no colon)"
    }

    public static func control(sender: any AWSRequestSending) -> any ComputeControl { LiveAutoScalingGroups(sender: sender) }

    public static func grants(_ resources: [(region: String, value: String)], account: AccountContext) throws(IAMGrantError) -> [IAMGrant] {
        guard let id = account.account else { throw IAMGrantError(needs: "Auto Scaling group ARN") }
        return [
            // DescribeAutoScalingGroups has no resource-level permissions: `*` is the only resource it accepts.
            IAMGrant(sid: "SwitchyardAutoScalingReads", actions: ["autoscaling:DescribeAutoScalingGroups"], mutating: [], resources: ["*"]),
            IAMGrant(
                sid: "SwitchyardAutoScaling", actions: ["autoscaling:UpdateAutoScalingGroup"], mutating: ["autoscaling:UpdateAutoScalingGroup"],
                resources: resources.map {
                    "arn:\(account.partition):autoscaling:\($0.region):\(id):autoScalingGroup:*:autoScalingGroupName/\($0.value)"
                }),
        ]
    }
}

/// `ComputeControl` on EC2 Auto Scaling.
struct LiveAutoScalingGroups: ComputeControl {
    let sender: any AWSRequestSending

    func capacity(of resource: String, region: String) async throws -> Capacity? {
        try await AutoScalingClient(sender: sender).describeAutoScalingGroup(name: resource, region: region).map {
            Capacity(desired: $0.desiredCapacity, inService: $0.inService, minimum: $0.minSize, maximum: $0.maxSize)
        }
    }

    func setCapacity(of resource: String, region: String, desired: Int, minimum: Int?) async throws -> String? {
        let capture = RequestIDCapture(sender)
        try await AutoScalingClient(sender: capture).updateAutoScalingGroup(
            name: resource, minSize: minimum, desiredCapacity: desired, region: region)
        return capture.requestID
    }
}

extension RegionSpec {
    /// The region's Auto Scaling group.
    public var autoScalingGroup: String? {
        get { declarations[AutoScalingGroupFlavor.regionKey] }
        set { declarations[AutoScalingGroupFlavor.regionKey] = newValue }
    }
}
