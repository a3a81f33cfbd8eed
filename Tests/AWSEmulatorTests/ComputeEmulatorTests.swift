import AWS
import Foundation
import Testing

/// The clients the standby-compute kinds will call, against the emulator; what they wrote is read back with boto3.
@Suite("Auto Scaling, ECS and SSM against the emulator", .sharedEmulator)
struct ComputeEmulatorTests {
    @Test("an Auto Scaling group is read, and its minimum and desired capacity raised, in its own region")
    func autoScaling() async throws {
        let world = try EmulatorWorld.get()
        let region = "us-west-1"
        let image = try #require(((try world.boto("ec2", region, "describe_images")["Images"] as? [[String: Any]])?.first)?["ImageId"] as? String)
        _ = try world.boto(
            "autoscaling", region, "create_launch_configuration",
            ["LaunchConfigurationName": "shop-lc", "ImageId": image, "InstanceType": "t3.micro"])
        _ = try world.boto(
            "autoscaling", region, "create_auto_scaling_group",
            [
                "AutoScalingGroupName": "shop-west", "LaunchConfigurationName": "shop-lc", "MinSize": 1, "MaxSize": 6,
                "DesiredCapacity": 1, "AvailabilityZones": ["us-west-1a"],
            ])
        let client = AutoScalingClient(sender: world.client())
        let group = try #require(try await client.describeAutoScalingGroup(name: "shop-west", region: region))
        #expect(group.minSize == 1 && group.maxSize == 6 && group.desiredCapacity == 1)
        #expect(group.instances.count == 1)
        #expect(try await client.describeAutoScalingGroup(name: "no-such-group", region: region) == nil)
        #expect(try await client.describeAutoScalingGroup(name: "shop-west", region: "us-east-1") == nil, "a group is regional")

        try await client.updateAutoScalingGroup(name: "shop-west", minSize: 4, desiredCapacity: 4, region: region)
        let read = try world.boto("autoscaling", region, "describe_auto_scaling_groups", ["AutoScalingGroupNames": ["shop-west"]])
        let independent = try #require((read["AutoScalingGroups"] as? [[String: Any]])?.first)
        #expect(independent["MinSize"] as? Int == 4 && independent["DesiredCapacity"] as? Int == 4)
    }

    @Test("an ECS service is read, a missing one is nil, and its desired count raised")
    func ecs() async throws {
        let world = try EmulatorWorld.get()
        let region = "us-west-1"
        _ = try world.boto("ecs", region, "create_cluster", ["clusterName": "shop"])
        _ = try world.boto(
            "ecs", region, "register_task_definition",
            ["family": "web", "containerDefinitions": [["name": "web", "image": "nginx", "memory": 128]]])
        _ = try world.boto("ecs", region, "create_service", ["cluster": "shop", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1])
        let client = ECSClient(sender: world.client())
        let service = try #require(try await client.describeService(cluster: "shop", service: "web", region: region))
        #expect(service.desiredCount == 1)
        #expect(service.arn.hasPrefix("arn:aws:ecs:us-west-1:") && service.arn.hasSuffix("service/shop/web"))
        #expect(try await client.describeService(cluster: "shop", service: "absent", region: region) == nil)

        try await client.updateService(cluster: "shop", service: "web", desiredCount: 3, region: region)
        let read = try world.boto("ecs", region, "describe_services", ["cluster": "shop", "services": ["web"]])
        #expect((read["services"] as? [[String: Any]])?.first?["desiredCount"] as? Int == 3)

        await #expect(throws: AWSError.self) { try await client.describeService(cluster: "no-such-cluster", service: "web", region: region) }
    }

    @Test("an SSM String parameter is written in each region and read back; a missing one is nil")
    func ssm() async throws {
        let world = try EmulatorWorld.get()
        let client = SSMClient(sender: world.client())
        #expect(try await client.getParameter(name: "/shop/active-region", region: "us-east-1") == nil)
        for region in ["us-east-1", "us-west-1"] {
            try await client.putParameter(name: "/shop/active-region", value: "us-west-1", region: region)
            try await client.putParameter(name: "/shop/active-region", value: "us-west-1", region: region)
            #expect(try await client.getParameter(name: "/shop/active-region", region: region) == "us-west-1")
            let read = try world.boto("ssm", region, "get_parameter", ["Name": "/shop/active-region"])
            #expect((read["Parameter"] as? [String: Any])?["Value"] as? String == "us-west-1")
            #expect((read["Parameter"] as? [String: Any])?["Type"] as? String == "String")
        }
    }
}
