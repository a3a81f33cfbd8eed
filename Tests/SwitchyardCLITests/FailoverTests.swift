import DesiredState
import Foundation
import SwitchyardTestSupport
import Testing

/// End to end: the built `switchyard` against the emulator holding the Unishop topology; end states read with boto3.
@Suite("Failover against the emulator", .serialized)
struct FailoverTests {
    /// A repository whose desired state describes the apps topology.py created.
    struct World: @unchecked Sendable {
        let emulator: Emulator
        let fixture: GitFixture
        let repo: String
        let apps: [[String: Any]]
        /// How the apps move traffic through DNS, when they do (topology.py --dns).
        let dns: DNS?

        enum DNS { case records, controls }

        init(
            count: Int = 1, parts: String = "all", failoverSeconds: Double = 1,
            active: String = "us-east-1", standby: String = "hot", promotion: String = "switchover", documentdb: Bool = false,
            compute: Bool = false, standbyMax: Int? = nil, dns: DNS? = nil
        ) throws {
            emulator = try Emulator(failoverSeconds: failoverSeconds)
            apps = try emulator.createTopologyJSON(
                count: count, parts: parts, documentdb: documentdb, compute: compute, standbyMax: standbyMax, dns: dns != nil)
            self.dns = dns
            try emulator.resetCalls()
            fixture = try GitFixture()
            repo = fixture.path("repo")
            try FileManager.default.createDirectory(atPath: repo + "/desired-state", withIntermediateDirectories: true)
            try fixture.git("init", "-q", in: repo)
            for app in apps {
                try fixture.write(
                    Self.yaml(app, active: active, standby: standby, promotion: promotion, dns: dns), to: "\(repo)/desired-state/\(app["name"]!).yaml"
                )
            }
            try fixture.git("add", "-A", in: repo)
            try fixture.git("commit", "-q", "-m", "Describe the apps", in: repo)
            // The host converges the starting state first, as a running host has: its journal then knows which
            // region each app was applied in, so a flip is a change Git asked for (a fresh host holds any
            // difference as a failover made outside Git).
            if active == "us-east-1" {
                let start = try switchyard("apply")
                guard start.status == 0 else { throw TestSupportError("the starting state did not converge: \(start.stdout)\n\(start.stderr)") }
            }
        }

        /// The host's state folder, kept across the world's commands.
        var stateDir: String { fixture.path("state") }

        func close() {
            emulator.stop()
            fixture.remove()
        }

        static func yaml(
            _ app: [String: Any], active: String, standby: String, promotion: String, override: String? = nil, dns: DNS? = nil
        ) -> String {
            let records = dns == .records ? app["dns"] as? [String: Any] : nil
            let controls = dns == .controls ? app["dns"] as? [String: Any] : nil
            let buckets = app["buckets"] as? [String: [String: String]]
            let aurora = app["aurora"] as? [String: Any]
            let distribution = app["distribution"] as? [String: String]
            let documentdb = app["documentdb"] as? [String: Any]
            let compute = app["compute"] as? [String: [String: Any]]
            func region(_ role: String, _ name: String) -> String {
                var lines = ["    \(name):"]
                if let bucket = buckets?[role]?["name"] { lines.append("      bucket: \(bucket)") }
                if let distribution { lines.append("      originId: \(distribution["\(role)_origin"]!)") }
                if let cluster = (aurora?[role] as? [String: String])?["arn"] { lines.append("      auroraCluster: \(cluster)") }
                if let cluster = (documentdb?[role] as? [String: Any])?["arn"] as? String { lines.append("      documentDbCluster: \(cluster)") }
                if let group = (compute?[role]?["auto_scaling_group"] as? [String: Any])?["name"] as? String {
                    lines.append("      autoScalingGroup: \(group)")
                }
                if let service = (compute?[role]?["ecs"] as? [String: Any])?["service_arn"] as? String {
                    lines.append("      ecsService: \(service)")
                }
                if let id = (records?["set_identifiers"] as? [String: String])?[name] { lines.append("      route53SetIdentifier: \(id)") }
                if let arn = (controls?["routing_controls"] as? [String: String])?[name] { lines.append("      routingControlArn: \(arn)") }
                if let override, override == name { lines.append("      blockPublicAccess: true") }
                return lines.joined(separator: "\n")
            }
            var text = """
                apiVersion: switchyard/v1
                kind: Application
                metadata:
                  name: \(app["name"]!)
                spec:
                  activeRegion: \(active)
                  standby: \(standby)
                  regions:
                \(region("primary", "us-east-1"))
                \(region("secondary", "us-west-1"))

                """
            if let distribution {
                text += "  cloudfront:\n    distributionId: \(distribution["id"]!)\n    originGroupId: \(distribution["origin_group"]!)\n"
            }
            if let aurora {
                text += "  aurora:\n    globalClusterId: \(aurora["global_cluster_id"]!)\n    promotion: \(promotion)\n"
            }
            if let documentdb {
                text += "  documentDb:\n    globalClusterId: \(documentdb["global_cluster_id"]!)\n    promotion: \(promotion)\n"
            }
            if let records {
                text += "  route53:\n    hostedZoneId: \(records["hosted_zone_id"]!)\n    recordName: \(records["record_name"]!)\n"
            }
            if let endpoints = controls?["cluster_endpoints"] as? [[String: String]] {
                text +=
                    "  routingControls:\n    clusterEndpoints:\n"
                    + endpoints.map { "      - region: \($0["region"]!)\n        url: \($0["url"]!)\n" }.joined()
            }
            if compute != nil {
                text += "  capacity:\n    activeMinimum: 1\n    standby: 1\n  parameter: /\(app["name"]!)/active-region\n"
            }
            return text
        }

        /// Runs switchyard in the repository against the emulator.
        func switchyard(_ args: String...) throws -> CLI.Result {
            try CLI.run(
                args + (args.first == "apply" ? ["--poll-interval", "200ms"] : []), in: repo,
                environment: emulator.awsEnvironment.merging(["STATE_DIRECTORY": stateDir]) { $1 })
        }

        func flip(to region: String) throws {
            for app in apps {
                let result = try switchyard("flip", app["name"] as! String, region)
                #expect(result.status == 0, "\(result.stderr)")
            }
        }

        /// The live state of the first app, as boto3 sees it.
        func live(_ index: Int = 0) throws -> (buckets: [String: String], origins: [String], writer: String?, clusters: [String: [String: Any]]) {
            let app = apps[index]
            let buckets = (app["buckets"] as? [String: [String: String]] ?? [:]).values.map { (region: $0["region"]!, bucket: $0["name"]!) }
            let distribution = (app["distribution"] as? [String: String])?["id"]
            let aurora = app["aurora"] as? [String: Any]
            let clusters = ["primary", "secondary"].compactMap { ((aurora?[$0]) as? [String: String])?["arn"] }
            let state = try emulator.inspect(
                buckets: buckets, distributions: distribution.map { [$0] } ?? [],
                globalClusters: (aurora?["global_cluster_id"] as? String).map { [$0] } ?? [], clusters: clusters)
            let origins = (state["origins"] as? [String: [String]])?.values.first ?? []
            let writer = ((state["global_clusters"] as? [String: [String: Any]])?.values.first?["writer"]) as? String
            return (state["buckets"] as? [String: String] ?? [:], origins, writer, state["clusters"] as? [String: [String: Any]] ?? [:])
        }

        func cluster(_ role: String, _ index: Int = 0) -> String {
            ((apps[index]["aurora"] as? [String: Any])?[role] as? [String: String])?["arn"] ?? ""
        }
    }

    @Test("a flip to us-west-1 converges for each promotion mode", arguments: ["switchover", "failover", "detach"])
    func flip(promotion: String) throws {
        let world = try World(promotion: promotion)
        defer { world.close() }
        #expect(try world.switchyard("plan").status == 0)
        try world.flip(to: "us-west-1")
        let plan = try world.switchyard("plan")
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("promote \(world.cluster("secondary")) by \(promotion)"))

        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try world.switchyard("plan").status == 0)

        let live = try world.live()
        #expect(live.origins == ["hot-secondary-origin", "hot-primary-origin"])
        #expect(live.buckets.values.allSatisfy { $0 == "open" }, "standby: hot keeps both buckets open")
        if promotion == "detach" {
            let detached = live.clusters[world.cluster("secondary")]
            #expect(detached?["global_cluster"] is NSNull || detached?["global_cluster"] == nil)
            #expect(detached?["status"] as? String == "available")
        } else {
            #expect(live.writer == world.cluster("secondary"))
        }
        let counts = try world.emulator.callCounts()
        let promotions = [
            "switchover": "rds:SwitchoverGlobalCluster", "failover": "rds:FailoverGlobalCluster", "detach": "rds:RemoveFromGlobalCluster",
        ]
        #expect(counts[promotions[promotion]!] == 1)
        #expect(counts["cloudfront:UpdateDistribution"] == 1)
    }

    @Test("Aurora and DocumentDB fail over together: side by side, traffic only after both, one promotion each, and back")
    func auroraAndDocumentDB() async throws {
        let world = try World(failoverSeconds: 2, standby: "fenced", documentdb: true)
        defer { world.close() }
        let documentdb = try #require(world.apps[0]["documentdb"] as? [String: Any])
        let docGlobal = try #require(documentdb["global_cluster_id"] as? String)
        let docWest = try #require((documentdb["secondary"] as? [String: Any])?["arn"] as? String)
        let docEast = try #require((documentdb["primary"] as? [String: Any])?["arn"] as? String)
        let auroraGlobal = try #require((world.apps[0]["aurora"] as? [String: Any])?["global_cluster_id"] as? String)
        try world.emulator.resetCalls()

        try world.flip(to: "us-west-1")
        let plan = try world.switchyard("plan")
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("promote \(docWest) by switchover"), "\(plan.stdout)")
        #expect(plan.stdout.contains("(promoteData)"))
        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try world.switchyard("plan").status == 0)

        // End state, read with boto3.
        let state = try world.emulator.inspect(globalClusters: [auroraGlobal, docGlobal])
        let writers = (state["global_clusters"] as? [String: [String: Any]] ?? [:]).mapValues { $0["writer"] as? String }
        #expect(writers[auroraGlobal] == world.cluster("secondary"))
        #expect(writers[docGlobal] == docWest)

        // The emulator's call log: both promotions started before either finished, each exactly once; traffic and
        // fencing calls came only after both had finished.
        let log = try await world.emulator.callLog(service: nil)
        func epochs(_ operation: String, _ global: String? = nil) -> [Double] {
            log.filter { $0["operation"] as? String == operation }
                .filter { global == nil || (($0["params"] as? [String: Any])?["GlobalClusterIdentifier"] as? String) == global }
                .compactMap { $0["epoch"] as? Double }
        }
        let started = [auroraGlobal, docGlobal].map { epochs("SwitchoverGlobalCluster", $0) }
        let finished = [auroraGlobal, docGlobal].map { epochs("GlobalClusterFailoverCompleted", $0) }
        #expect(started.map(\.count) == [1, 1], "exactly one promotion each: \(started)")
        #expect(finished.map(\.count) == [1, 1], "both promotions finished: \(finished)")
        let lastStart = started.flatMap { $0 }.max() ?? .infinity
        let firstFinish = finished.flatMap { $0 }.min() ?? 0
        let lastFinish = finished.flatMap { $0 }.max() ?? .infinity
        #expect(lastStart < firstFinish, "the two promotions ran side by side (both started before either finished)")
        let traffic = epochs("UpdateDistribution") + epochs("PutPublicAccessBlock") + epochs("DeletePublicAccessBlock")
        #expect(
            !traffic.isEmpty && traffic.allSatisfy { $0 > lastFinish }, "traffic and fencing only after both promotions: \(traffic) vs \(lastFinish)")

        // And back: both writers return to us-east-1.
        try world.flip(to: "us-east-1")
        let back = try world.switchyard("apply")
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        let after = try world.emulator.inspect(globalClusters: [auroraGlobal, docGlobal])
        let writersAfter = (after["global_clusters"] as? [String: [String: Any]] ?? [:]).mapValues { $0["writer"] as? String }
        #expect(writersAfter[auroraGlobal] == world.cluster("primary"))
        #expect(writersAfter[docGlobal] == docEast)
        let status = try world.switchyard("status")
        #expect(status.stdout.contains("DocumentDB writer us-east-1"), "\(status.stdout)")
        #expect(!status.stdout.contains("Aurora writer"), "Aurora's writer reads `writer REGION`, as status always printed it: \(status.stdout)")
    }

    @Test("standby compute: raised to the old region's load and in service before traffic moves; the old region lowered after; the parameter follows")
    func standbyCompute() async throws {
        let world = try World(failoverSeconds: 1, compute: true)
        defer { world.close() }
        let compute = try #require(world.apps[0]["compute"] as? [String: [String: Any]])
        let eastGroup = try #require(compute["primary"]?["auto_scaling_group"] as? [String: Any])
        let westGroup = try #require((compute["secondary"]?["auto_scaling_group"] as? [String: Any])?["name"] as? String)
        let load = try #require(eastGroup["desired_capacity"] as? Int)
        try world.emulator.configure(["capacity_seconds": 2.0])
        try world.emulator.resetCalls()

        try world.flip(to: "us-west-1")
        let apply = try world.switchyard("apply")
        // Traffic moved; the region left is lowered only once the CloudFront change is deployed: apply waits for it.
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        let log = try await world.emulator.callLog()
        func epochs(_ operation: String, _ match: (([String: Any]) -> Bool)? = nil) -> [Double] {
            log.filter { $0["operation"] as? String == operation && (match?($0["params"] as? [String: Any] ?? [:]) ?? true) }
                .compactMap { $0["epoch"] as? Double }
        }
        let raised = epochs("UpdateAutoScalingGroup") { $0["AutoScalingGroupName"] as? String == westGroup }
        #expect(raised.count == 1, "one raise: \(raised)")
        let arrived = epochs("CapacityInService") { $0["AutoScalingGroupName"] as? String == westGroup }
        // The standby's service (apply also lowers the region left once the deployment is done: that is not traffic's).
        let serviceArrived = log.filter {
            $0["operation"] as? String == "CapacityInService" && $0["region"] as? String == "us-west-1"
                && ($0["params"] as? [String: Any])?["service"] != nil
        }.compactMap { $0["epoch"] as? Double }
        let traffic = epochs("UpdateDistribution")
        #expect(!arrived.isEmpty && !serviceArrived.isEmpty && traffic.count == 1)
        #expect(traffic.allSatisfy { $0 > (arrived + serviceArrived).max() ?? .infinity }, "traffic only after the capacity was in service")

        // The group holds the old region's load (read with boto3); the region left is lowered only once traffic moved.
        var second = try world.switchyard("apply")
        for _ in 0..<5 where second.status != 0 { second = try world.switchyard("apply") }
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        let after = try await world.emulator.callLog()
        let lowered = after.filter {
            $0["operation"] as? String == "UpdateAutoScalingGroup"
                && ($0["params"] as? [String: Any])?["AutoScalingGroupName"] as? String != westGroup
        }
        #expect(
            lowered.count == 1 && (lowered.first?["epoch"] as? Double ?? 0) > traffic.max() ?? .infinity,
            "lowered once, after traffic moved: \(apply.stderr)\n---\n\(second.stderr)")
        #expect((lowered.first?["params"] as? [String: Any])?["DesiredCapacity"] as? String == "1")
        let westNow = try world.emulator.boto("autoscaling", "us-west-1", "describe_auto_scaling_groups", ["AutoScalingGroupNames": [westGroup]])
        #expect(((westNow["AutoScalingGroups"] as? [[String: Any]])?.first?["DesiredCapacity"] as? Int) == load)
        for region in ["us-east-1", "us-west-1"] {
            let parameter = try world.emulator.boto("ssm", region, "get_parameter", ["Name": "/\(world.apps[0]["name"]!)/active-region"])
            #expect((parameter["Parameter"] as? [String: Any])?["Value"] as? String == "us-west-1", "\(region): \(parameter)")
        }
        #expect(try world.switchyard("plan").status == 0)
        #expect(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 1, "exactly one promotion")
        // The report (and the console, from the same timeline) shows the capacity wait as a bar of its own.
        let report = try world.switchyard("report", "--format", "json")
        let reported = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any]
        let capacityWaits = (reported?["steps"] as? [[String: Any]] ?? []).filter {
            $0["kind"] as? String == "wait" && $0["action"] as? String == "capacity"
        }
        #expect(
            capacityWaits.count == 2 && capacityWaits.allSatisfy { $0["outcome"] as? String == "finished" && $0["region"] as? String == "us-west-1" },
            "a finished capacity wait for the group and for the service: \(report.stdout)")

        // And back: the parameter follows in every region.
        try world.flip(to: "us-east-1")
        var back = try world.switchyard("apply")
        for _ in 0..<5 where back.status != 0 { back = try world.switchyard("apply") }
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        for region in ["us-east-1", "us-west-1"] {
            let parameter = try world.emulator.boto("ssm", region, "get_parameter", ["Name": "/\(world.apps[0]["name"]!)/active-region"])
            #expect((parameter["Parameter"] as? [String: Any])?["Value"] as? String == "us-east-1", "\(region): \(parameter)")
        }
    }

    @Test("a standby group whose maximum cannot hold the load: plan says so (exit 3), apply changes nothing (exit 1)")
    func standbyTooSmall() async throws {
        let world = try World(failoverSeconds: 1, compute: true, standbyMax: 3)
        defer { world.close() }
        try world.emulator.resetCalls()
        try world.flip(to: "us-west-1")
        let plan = try world.switchyard("plan")
        #expect(plan.status == 3, "\(plan.stdout)\n\(plan.stderr)")
        #expect(plan.stdout.contains("capacity-exceeds-max") && plan.stdout.contains("hot-secondary-asg") && plan.stdout.contains("maximum of 3"))
        let apply = try world.switchyard("apply")
        #expect(apply.status == 1)
        let mutations = try world.emulator.callCounts()
        #expect(mutations.isEmpty, "no AWS mutation at all: \(mutations)")
    }

    @Test("capacity that never arrives: traffic unmoved, exit 1; once it arrives, the same commit converges, no second raise or promotion")
    func capacityNeverArrives() async throws {
        let world = try World(failoverSeconds: 1, compute: true)
        defer { world.close() }
        try world.emulator.resetCalls()
        _ = try world.emulator.control("capacity", body: ["region": "us-west-1", "insufficient": true])
        try world.flip(to: "us-west-1")
        let stuck = try world.switchyard("apply", "--step-timeout", "8s")
        #expect(stuck.status == 1, "\(stuck.stdout)\n\(stuck.stderr)")
        #expect(stuck.stdout.contains("capacity-not-in-service"), "\(stuck.stdout)")
        #expect(try world.emulator.callCounts()["cloudfront:UpdateDistribution"] == nil, "traffic unmoved")

        _ = try world.emulator.control("capacity", body: ["region": "us-west-1", "insufficient": false])
        var done = try world.switchyard("apply")
        for _ in 0..<5 where done.status != 0 { done = try world.switchyard("apply") }
        #expect(done.status == 0, "\(done.stdout)\n\(done.stderr)")
        let counts = try world.emulator.callCounts()
        #expect(counts["rds:SwitchoverGlobalCluster"] == 1, "\(counts)")
        let raises = try await world.emulator.callLog(operation: "UpdateAutoScalingGroup").filter {
            ($0["params"] as? [String: Any])?["AutoScalingGroupName"] as? String == "hot-secondary-asg"
        }
        #expect(raises.count == 1, "raised once across both applies: \(raises.count)")
    }

    @Test("failing back by switchover returns every resource to us-east-1")
    func failback() throws {
        let world = try World()
        defer { world.close() }
        try world.flip(to: "us-west-1")
        #expect(try world.switchyard("apply").status == 0)
        try world.flip(to: "us-east-1")
        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stderr)")
        let live = try world.live()
        #expect(live.writer == world.cluster("primary"))
        #expect(live.origins == ["hot-primary-origin", "hot-secondary-origin"])
        #expect(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 2)
    }

    @Test("after a detach, flipping back is refused until the global database is rebuilt")
    func failbackAfterDetach() throws {
        let world = try World(promotion: "detach")
        defer { world.close() }
        try world.flip(to: "us-west-1")
        #expect(try world.switchyard("apply").status == 0)
        try world.flip(to: "us-east-1")
        let before = try world.emulator.callCounts()
        let apply = try world.switchyard("apply")
        #expect(apply.status == 1)
        #expect(apply.stdout.contains("rebuild the global database"))
        #expect(try world.emulator.callCounts() == before, "nothing was called")
    }

    @Test("standby: fenced blocks the old primary's bucket; hot leaves it open")
    func fenced() throws {
        let world = try World(standby: "fenced")
        defer { world.close() }
        let first = try world.switchyard("apply")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try world.live().buckets["hot-secondary-uibucket-example"] == "blocked", "fenced blocks the standby")
        try world.flip(to: "us-west-1")
        #expect(try world.switchyard("apply").status == 0)
        let live = try world.live()
        #expect(live.buckets == ["hot-primary-uibucket-example": "blocked", "hot-secondary-uibucket-example": "open"])
        #expect(live.origins.first == "hot-secondary-origin")
    }

    @Test("blockPublicAccess: true, committed, simulates the lab's outage of the primary bucket")
    func simulatedOutage() throws {
        let world = try World()
        defer { world.close() }
        try world.fixture.write(
            World.yaml(world.apps[0], active: "us-east-1", standby: "hot", promotion: "switchover", override: "us-east-1"),
            to: world.repo + "/desired-state/hot.yaml")
        try world.fixture.git("commit", "-q", "-am", "Drill: block the primary bucket", in: world.repo)
        let plan = try world.switchyard("plan")
        #expect(plan.stdout.contains("block public access to bucket hot-primary-uibucket-example"))
        #expect(try world.switchyard("apply").status == 0)
        let live = try world.live()
        #expect(live.buckets == ["hot-primary-uibucket-example": "blocked", "hot-secondary-uibucket-example": "open"])
        #expect(live.writer == world.cluster("primary"), "the database stays where the file says")
    }

    @Test("an app with only buckets and CloudFront fails over")
    func webOnly() throws {
        let world = try World(parts: "web", standby: "fenced")
        defer { world.close() }
        try world.flip(to: "us-west-1")
        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stderr)")
        let live = try world.live()
        #expect(live.origins.first == "hot-secondary-origin")
        #expect(live.buckets["hot-primary-uibucket-example"] == "blocked")
        #expect(try world.emulator.callCounts().keys.allSatisfy { !$0.hasPrefix("rds:") })
    }

    @Test("three apps in one repository are reconciled together")
    func threeApps() throws {
        let world = try World(count: 3)
        defer { world.close() }
        try world.flip(to: "us-west-1")
        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stderr)")
        for index in 0..<3 {
            #expect(try world.live(index).writer == world.cluster("secondary", index))
        }
        #expect(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 3)
        #expect(try world.switchyard("plan").status == 0)
    }

    @Test("an invalid desired state calls nothing that mutates and names file:line")
    func invalid() throws {
        let world = try World()
        defer { world.close() }
        let path = world.repo + "/desired-state/hot.yaml"
        try world.fixture.write(
            try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "standby: hot", with: "standby: lukewarm"), to: path)
        try world.fixture.git("commit", "-q", "-am", "Typo", in: world.repo)
        for command in ["plan", "apply"] {
            let result = try world.switchyard(command)
            #expect(result.status == 1)
            #expect(result.stderr.contains("desired-state/hot.yaml:7:12: spec.standby: found `lukewarm`"), "\(result.stderr)")
        }
        #expect(try world.emulator.callCounts().isEmpty)
    }

    @Test("killed right after issuing the promotion, a new apply waits for it and issues no second one")
    func crashAfterPromotion() async throws {
        let world = try World(failoverSeconds: 4)
        defer { world.close() }
        try world.flip(to: "us-west-1")
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["apply", "--poll-interval", "200ms"]
        process.currentDirectoryURL = URL(fileURLWithPath: world.repo)
        process.environment = ProcessInfo.processInfo.environment.merging(world.emulator.awsEnvironment) { $1 }
            .merging(["STATE_DIRECTORY": world.stateDir]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var promoted = false
        for _ in 0..<200 where !promoted {
            promoted = try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 1
            if !promoted { try await Task.sleep(for: .milliseconds(50)) }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(promoted)
        #expect(process.terminationReason == .uncaughtSignal)

        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stderr.contains("already under way"), "\(apply.stderr)")
        #expect(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 1)
        #expect(try world.live().writer == world.cluster("secondary"))
    }
}
