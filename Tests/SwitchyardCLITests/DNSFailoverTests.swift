import Foundation
import SwitchyardTestSupport
import Testing

/// End to end: traffic moved through DNS, Route 53 failover records and ARC routing controls, against the emulator;
/// end states read with boto3 and the emulator's call log, not with our own code.
@Suite("Traffic through DNS against the emulator", .serialized)
struct DNSFailoverTests {
    typealias World = FailoverTests.World

    /// Every record of the zone, as boto3 lists it, keyed by name, type and set identifier.
    func records(_ world: World, zone: String) throws -> [String: NSDictionary] {
        var all: [String: NSDictionary] = [:]
        var args: [String: Any] = ["HostedZoneId": zone]
        while true {
            let page = try world.emulator.boto("route53", "us-east-1", "list_resource_record_sets", args)
            for record in page["ResourceRecordSets"] as? [[String: Any]] ?? [] {
                let key = "\(record["Name"]!) \(record["Type"]!) \(record["SetIdentifier"] as? String ?? "-")"
                all[key] = record as NSDictionary
            }
            guard page["IsTruncated"] as? Bool == true else { return all }
            args["StartRecordName"] = page["NextRecordName"]
            args["StartRecordType"] = page["NextRecordType"]
            args["StartRecordIdentifier"] = page["NextRecordIdentifier"]
        }
    }

    /// What the emulator's resolver answers for `name` (its values), as a DNS client would see it.
    func resolve(_ dns: [String: Any], _ name: String) throws -> [String] {
        let url = try #require(dns["resolver_url"] as? String)
        let out = try Emulator.python([
            "-c",
            "import json, sys, urllib.parse, urllib.request; "
                + "print(json.dumps(json.load(urllib.request.urlopen(sys.argv[1] + '?' + urllib.parse.urlencode({'name': sys.argv[2]})))['answers']))",
            url, name,
        ])
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String] ?? []
    }

    @Test("failover records: swapped in one batch after the promotion, every other field and record untouched; and back")
    func failoverRecords() async throws {
        let world = try World(parts: "aurora", failoverSeconds: 1, dns: .records)
        defer { world.close() }
        let dns = try #require(world.apps[0]["dns"] as? [String: Any])
        let zone = try #require(dns["hosted_zone_id"] as? String)
        let name = try #require(dns["record_name"] as? String)
        let ids = try #require(dns["set_identifiers"] as? [String: String])
        let before = try records(world, zone: zone)
        let values = try #require(dns["values"] as? [String: [String]])
        #expect(try resolve(dns, name) == values["us-east-1"], "DNS clients are sent to us-east-1 first")

        try world.flip(to: "us-west-1")
        let plan = try world.switchyard("plan")
        #expect(plan.status == 2, "\(plan.stdout)\n\(plan.stderr)")
        #expect(
            plan.stdout.contains("depends on Route 53's control plane, which is in us-east-1") && plan.stdout.contains("Routing controls"),
            "the plan names the us-east-1 dependency and the alternative: \(plan.stdout)")
        try world.emulator.resetCalls()
        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")

        let log = try await world.emulator.callLog()
        let batches = log.filter { $0["operation"] as? String == "ChangeResourceRecordSets" }
        let promoted = log.filter { $0["operation"] as? String == "GlobalClusterFailoverCompleted" }.compactMap { $0["epoch"] as? Double }
        #expect(batches.count == 1, "one change batch: \(batches)")
        #expect(
            (batches.first?["epoch"] as? Double ?? 0) > (promoted.max() ?? .infinity), "the records moved only after the promotion finished")
        let changes = ((batches.first?["params"] as? [String: Any])?["Changes"] as? [[String: Any]]) ?? []
        #expect(
            Set(changes.compactMap { $0["SetIdentifier"] as? String }) == Set(ids.values)
                && changes.allSatisfy { $0["Action"] as? String == "UPSERT" && $0["Name"] as? String == name },
            "the batch UPSERTs exactly the two records: \(changes)")

        let after = try records(world, zone: zone)
        #expect(Set(after.keys) == Set(before.keys), "no record added or removed")
        for (key, record) in before {
            let now = try #require(after[key])
            if let id = record["SetIdentifier"] as? String, record["Name"] as? String == name, ids.values.contains(id) {
                let expected = id == ids["us-west-1"] ? "PRIMARY" : "SECONDARY"
                #expect(now["Failover"] as? String == expected, "\(key): \(now)")
                let kept = record.mutableCopy() as! NSMutableDictionary
                kept["Failover"] = expected
                #expect(now == kept, "every other field of \(key) kept: \(record) → \(now)")
            } else {
                #expect(now == record, "\(key) untouched: \(record) → \(now)")
            }
        }
        #expect(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 1, "exactly one promotion")
        #expect(try resolve(dns, name) == values["us-west-1"], "DNS clients are sent to us-west-1 once the change is in sync")
        let inSync = try world.switchyard("plan")
        #expect(inSync.status == 0, "\(inSync.stdout)")

        // Back: no us-east-1 notice (traffic moves toward it), the records swap back, in sync again.
        try world.flip(to: "us-east-1")
        let back = try world.switchyard("plan")
        #expect(back.status == 2 && !back.stdout.contains("depends on Route 53's control plane"), "\(back.stdout)")
        let failBack = try world.switchyard("apply")
        #expect(failBack.status == 0, "\(failBack.stdout)\n\(failBack.stderr)")
        let final = try records(world, zone: zone)
        #expect(final == before, "the zone is exactly as it started")
        #expect(try resolve(dns, name) == values["us-east-1"])
        #expect(try world.switchyard("plan").status == 0)
        let status = try world.switchyard("status")
        #expect(status.stdout.contains("records us-east-1 PRIMARY, us-west-1 SECONDARY"), "\(status.stdout)")
    }

    /// Each routing control's state, read through the data plane with boto3 at the cluster's last endpoint.
    func controls(_ world: World) throws -> [String: String] {
        let dns = world.apps[0]["dns"] as? [String: Any] ?? [:]
        let endpoint = (dns["cluster_endpoints"] as? [[String: String]] ?? []).last ?? [:]
        var states: [String: String] = [:]
        for (region, arn) in dns["routing_controls"] as? [String: String] ?? [:] {
            let answer = try world.emulator.boto(
                "route53-recovery-cluster", endpoint["region"] ?? "", "get_routing_control_state", ["RoutingControlArn": arn],
                endpointURL: endpoint["url"])
            states[region] = answer["RoutingControlState"] as? String
        }
        return states
    }

    func endpoint(_ world: World, _ region: String, down: Bool) throws {
        _ = try world.emulator.control("arc/endpoint", body: ["cluster": "unishop-arc", "region": region, "down": down])
    }

    @Test("routing controls: through another endpoint when the first is down; every endpoint down names each; converges after")
    func routingControls() async throws {
        let world = try World(parts: "aurora", failoverSeconds: 1, dns: .controls)
        defer { world.close() }
        #expect(try controls(world) == ["us-east-1": "On", "us-west-1": "Off"])

        try endpoint(world, "us-east-1", down: true)
        try world.flip(to: "us-west-1")
        let plan = try world.switchyard("plan")
        #expect(plan.status == 2 && !plan.stdout.contains("depends on Route 53's control plane"), "no control-plane notice: \(plan.stdout)")
        try world.emulator.resetCalls()
        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try controls(world) == ["us-east-1": "Off", "us-west-1": "On"])
        let updates = try await world.emulator.callLog(operation: "UpdateRoutingControlStates")
        #expect(
            updates.filter { $0["status"] as? Int == 200 }.count == 1
                && updates.allSatisfy { $0["region"] as? String != "us-east-1" || $0["status"] as? Int != 200 },
            "one update answered, by an endpoint other than the one down: \(updates)")
        #expect(try world.switchyard("plan").status == 0)

        // Every endpoint down: nothing moves, exit 1, each endpoint named with its answer.
        for region in ["us-east-1", "us-west-2", "eu-west-1"] { try endpoint(world, region, down: true) }
        try world.flip(to: "us-east-1")
        let stuck = try world.switchyard("apply")
        #expect(stuck.status == 1, "\(stuck.stdout)\n\(stuck.stderr)")
        let said = stuck.stdout + stuck.stderr
        for region in ["us-east-1", "us-west-2", "eu-west-1"] {
            #expect(said.contains("/_arc/unishop-arc/\(region)/v1 (\(region)): "), "names the \(region) endpoint and its answer: \(said)")
        }
        #expect(said.contains("EndpointTemporarilyUnavailableException"), "\(said)")

        // One comes back: the same commit converges.
        try endpoint(world, "eu-west-1", down: false)
        let converged = try world.switchyard("apply")
        #expect(converged.status == 0, "\(converged.stdout)\n\(converged.stderr)")
        #expect(try controls(world) == ["us-east-1": "On", "us-west-1": "Off"])
        #expect(try world.switchyard("plan").status == 0)
        let status = try world.switchyard("status")
        #expect(status.stdout.contains("controls us-east-1 On, us-west-1 Off"), "\(status.stdout)")

        // A person's emergency failover in the ARC console is held, not undone.
        let dns = try #require(world.apps[0]["dns"] as? [String: Any])
        let arns = try #require(dns["routing_controls"] as? [String: String])
        let endpoint = try #require((dns["cluster_endpoints"] as? [[String: String]])?.last)
        _ = try world.emulator.boto(
            "route53-recovery-cluster", endpoint["region"]!, "update_routing_control_states",
            [
                "UpdateRoutingControlStateEntries": [
                    ["RoutingControlArn": arns["us-west-1"]!, "RoutingControlState": "On"],
                    ["RoutingControlArn": arns["us-east-1"]!, "RoutingControlState": "Off"],
                ]
            ], endpointURL: endpoint["url"])
        let held = try world.switchyard("plan")
        #expect(held.status == 3 && held.stdout.contains("diverged"), "\(held.stdout)")
        #expect(try world.switchyard("apply").status == 1)
        #expect(try controls(world) == ["us-east-1": "Off", "us-west-1": "On"], "the person's failover stands")
    }
}
