import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The AWS emulator (moto + Switchyard's extensions) as a subprocess on loopback, for end-to-end tests.
public final class Emulator: @unchecked Sendable {
    /// The repository's root, where `emulator/` lives.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public let port: Int
    private let process: Process

    /// `http://127.0.0.1:PORT`: the endpoint of every service and region.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The environment a Switchyard process needs to reach the emulator with dummy credentials.
    public var awsEnvironment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    /// Starts the emulator and waits for its `READY <port>` line.
    public init(failoverSeconds: Double = 1) throws {
        (process, port) = try startReadyProcess(
            ["emulator/switchyard_emulator.py", "--port", "0", "--failover-seconds", "\(failoverSeconds)"],
            what: "the emulator")
    }

    /// Stops the emulator (SIGTERM, then SIGKILL after 5 s) and waits for it.
    public func stop() {
        stopChild(process)
    }

    /// The Hot Standby topology `emulator/topology.py` created: what desired-state files need.
    public struct Topology: Sendable {
        public var name: String
        public var distributionID: String
        public var originGroupID: String
        public var primaryBucket: String
        public var secondaryBucket: String
        public var primaryOrigin: String
        public var secondaryOrigin: String
        public var globalClusterID: String
        public var primaryClusterARN: String
        public var secondaryClusterARN: String
        /// The app's DocumentDB global cluster, when the topology has one.
        public var documentDB: DocumentDB?
        /// The app's Auto Scaling groups and ECS services (us-east-1, us-west-1), when the topology has them.
        public var compute: Compute?

        public struct Compute: Sendable {
            public var primaryGroup: String
            public var secondaryGroup: String
            public var primaryService: String
            public var secondaryService: String
        }

        public struct DocumentDB: Sendable {
            public var globalClusterID: String
            public var primaryClusterARN: String
            public var secondaryClusterARN: String
        }

        /// A desired-state file for this app, active in `region`; `standby` (hot, fenced) when given; `capacityStandby`:
        /// the app's `capacity.standby` (what the region left is lowered to), when given.
        public func yaml(
            activeRegion: String, name appName: String? = nil, standby: String? = nil, promotion: String = "switchover",
            capacityStandby: Int? = nil
        ) -> String {
            """
            apiVersion: switchyard/v1
            kind: Application
            metadata:
              name: \(appName ?? name)
            spec:
              activeRegion: \(activeRegion)\(standby.map { "\n  standby: \($0)" } ?? "")
              regions:
                us-east-1:
                  bucket: \(primaryBucket)
                  originId: \(primaryOrigin)
                  auroraCluster: \(primaryClusterARN)\(documentDB.map { "\n      documentDbCluster: \($0.primaryClusterARN)" } ?? "")\(compute.map { "\n      autoScalingGroup: \($0.primaryGroup)\n      ecsService: \($0.primaryService)" } ?? "")
                us-west-1:
                  bucket: \(secondaryBucket)
                  originId: \(secondaryOrigin)
                  auroraCluster: \(secondaryClusterARN)\(documentDB.map { "\n      documentDbCluster: \($0.secondaryClusterARN)" } ?? "")\(compute.map { "\n      autoScalingGroup: \($0.secondaryGroup)\n      ecsService: \($0.secondaryService)" } ?? "")
              cloudfront:
                distributionId: \(distributionID)
                originGroupId: \(originGroupID)
              aurora:
                globalClusterId: \(globalClusterID)
                promotion: \(promotion)
            \(documentDB.map { "  documentDb:\n    globalClusterId: \($0.globalClusterID)\n    promotion: \(promotion)\n" } ?? "")\(compute == nil ? "" : "  parameter: /\(appName ?? name)/active-region\n")\(capacityStandby.map { "  capacity:\n    standby: \($0)\n" } ?? "")
            """
        }
    }

    /// Creates apps with `emulator/topology.py` (`parts`: all, web, aurora; `documentdb`: a DocumentDB global cluster
    /// too, under the app's `documentdb` key); returns its JSON description of each app.
    public func createTopologyJSON(
        prefix: String = "hot", count: Int = 1, parts: String = "all", documentdb: Bool = false, compute: Bool = false,
        standbyMax: Int? = nil, dns: Bool = false
    ) throws -> [[String: Any]] {
        let output = try Self.python(
            ["emulator/topology.py", "--endpoint", endpoint, "--prefix", prefix, "--count", "\(count)", "--parts", parts]
                + (documentdb ? ["--documentdb"] : []) + (compute ? ["--compute"] : []) + (standbyMax.map { ["--standby-max", "\($0)"] } ?? [])
                + (dns ? ["--dns"] : []))
        guard let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
            let apps = json["apps"] as? [[String: Any]]
        else { throw TestSupportError("unexpected topology output: \(output)") }
        return apps
    }

    /// Creates `count` apps' whole topology with `emulator/topology.py` (with a DocumentDB global cluster each, when asked).
    public func createTopology(prefix: String = "hot", count: Int = 1, documentdb: Bool = false, compute: Bool = false) throws -> [Topology] {
        return try createTopologyJSON(prefix: prefix, count: count, documentdb: documentdb, compute: compute).map { app in
            guard let name = app["name"] as? String, let buckets = app["buckets"] as? [String: Any],
                let distribution = app["distribution"] as? [String: Any], let aurora = app["aurora"] as? [String: Any],
                let primary = aurora["primary"] as? [String: Any], let secondary = aurora["secondary"] as? [String: Any]
            else { throw TestSupportError("unexpected topology output: \(app)") }
            func string(_ dict: [String: Any], _ key: String) -> String { dict[key] as? String ?? "" }
            func bucket(_ key: String) -> String { (buckets[key] as? [String: Any]).map { string($0, "name") } ?? "" }
            let prefix = name
            let documentDB = (app["documentdb"] as? [String: Any]).map { doc in
                Topology.DocumentDB(
                    globalClusterID: string(doc, "global_cluster_id"),
                    primaryClusterARN: (doc["primary"] as? [String: Any]).map { string($0, "arn") } ?? "",
                    secondaryClusterARN: (doc["secondary"] as? [String: Any]).map { string($0, "arn") } ?? "")
            }
            let compute = (app["compute"] as? [String: [String: Any]]).map { roles in
                func group(_ role: String) -> String { (roles[role]?["auto_scaling_group"] as? [String: Any]).map { string($0, "name") } ?? "" }
                func service(_ role: String) -> String { (roles[role]?["ecs"] as? [String: Any]).map { string($0, "service_arn") } ?? "" }
                return Topology.Compute(
                    primaryGroup: group("primary"), secondaryGroup: group("secondary"), primaryService: service("primary"),
                    secondaryService: service("secondary"))
            }
            return Topology(
                name: name, distributionID: string(distribution, "id"),
                originGroupID: (distribution["origin_group"] as? String) ?? "\(prefix)-standby-origin-group",
                primaryBucket: bucket("primary"), secondaryBucket: bucket("secondary"),
                primaryOrigin: "\(prefix)-primary-origin", secondaryOrigin: "\(prefix)-secondary-origin",
                globalClusterID: string(aurora, "global_cluster_id"),
                primaryClusterARN: string(primary, "arn"), secondaryClusterARN: string(secondary, "arn"), documentDB: documentDB, compute: compute)
        }
    }

    /// Counts of recorded AWS calls by `service:Operation`, from `GET /_switchyard/calls`.
    public func calls(service: String? = nil, mutating: Bool? = nil) async throws -> [String: Int] {
        try await recordedCalls([("service", service), ("mutating", mutating.map { "\($0)" })])["counts"] as? [String: Int] ?? [:]
    }

    /// How many recorded calls match every given filter (`region` is the SigV4 region).
    public func callCount(service: String? = nil, operation: String? = nil, region: String? = nil, mutating: Bool? = nil) async throws -> Int {
        try await recordedCalls([("service", service), ("operation", operation), ("region", region), ("mutating", mutating.map { "\($0)" })])["total"]
            as? Int ?? 0
    }

    /// `GET /_switchyard/calls` with the filters that have a value.
    private func recordedCalls(_ filters: [(String, String?)]) async throws -> [String: Any] {
        let query = filters.compactMap { name, value in value.map { "\(name)=\($0)" } }.joined(separator: "&")
        let (data, _) = try await HTTPTestClient.get("\(endpoint)/_switchyard/calls?\(query)")
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// The recorded calls, oldest first by arrival (`epoch`), with the filters that have a value; `synthetic` entries
    /// (`GlobalClusterFailoverCompleted`: a promotion finished) are the emulator's own.
    public func callLog(service: String? = nil, operation: String? = nil, mutating: Bool? = nil) async throws -> [[String: Any]] {
        let calls = try await recordedCalls([("service", service), ("operation", operation), ("mutating", mutating.map { "\($0)" })])["calls"]
        return ((calls as? [[String: Any]]) ?? []).sorted { ($0["epoch"] as? Double ?? 0) < ($1["epoch"] as? Double ?? 0) }
    }

    /// Calls `method` of a boto3 client with JSON `arguments`, independent of Switchyard's code; returns the
    /// response (without `ResponseMetadata`) as JSON, or `["Error": ["Code": …]]` for a `ClientError`.
    /// - Parameter endpointURL: where to call instead of the emulator's root (an ARC cluster endpoint).
    public func boto(
        _ service: String, _ region: String, _ method: String, _ arguments: [String: Any] = [:], endpointURL: String? = nil
    ) throws -> [String: Any] {
        let script = """
            import boto3, json, sys
            from botocore.config import Config
            from botocore.exceptions import ClientError
            client = boto3.client(sys.argv[2], region_name=sys.argv[3], endpoint_url=sys.argv[1],
                                  aws_access_key_id="testing", aws_secret_access_key="testing",
                                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
            try:
                answer = getattr(client, sys.argv[4])(**json.loads(sys.argv[5]))
                answer.pop("ResponseMetadata", None)
            except ClientError as error:
                answer = {"Error": error.response["Error"], "Status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
            print(json.dumps(answer, default=str, sort_keys=True))
            """
        let json = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        let output = try Emulator.python(["-c", script, endpointURL ?? endpoint, service, region, method, json])
        guard let answer = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw TestSupportError("boto3: \(output)")
        }
        return answer
    }

    /// Sets the emulator's `/_switchyard/config` (`capacity_seconds`, `failover_seconds`).
    public func configure(_ values: [String: Any]) throws {
        _ = try control("config", body: values)
    }

    /// Finishes every switchover and failover in progress now.
    public func completeFailovers() throws {
        _ = try control("complete-failovers", body: [:])
    }

    /// Counts of recorded calls by `service:Operation`, read synchronously (for tests that are not async).
    public func callCounts(mutatingOnly: Bool = true) throws -> [String: Int] {
        let object = try control("calls" + (mutatingOnly ? "?mutating=true" : ""))
        return object["counts"] as? [String: Int] ?? [:]
    }

    /// Forgets the calls recorded so far (the topology's own setup calls, say).
    public func resetCalls() throws {
        _ = try control("reset-calls", body: [:])
    }

    /// `/_switchyard/PATH`: GET without a body, POST with one (the emulator's control API, emulator/README.md).
    public func control(_ path: String, body: [String: Any]? = nil) throws -> [String: Any] {
        let script = """
            import json, sys, urllib.request
            body = sys.argv[2].encode() if sys.argv[2] else None
            req = urllib.request.Request(sys.argv[1], data=body, headers={"Content-Type": "application/json"}, method="POST" if body else "GET")
            print(urllib.request.urlopen(req, timeout=10).read().decode())
            """
        let payload = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) } ?? ""
        let output = try Self.python(["-c", script, "\(endpoint)/_switchyard/\(path)", payload])
        return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
    }

    /// Creates a lock table as docs/OPERATIONS.md does (string partition key `LockID`), with boto3, in us-east-1.
    public func createLockTable(_ name: String) throws {
        _ = try Self.python([
            "-c",
            """
            import boto3
            ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url="\(endpoint)",
                               aws_access_key_id="testing", aws_secret_access_key="testing")
            ddb.create_table(TableName="\(name)", KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
            """,
        ])
    }

    /// Every part of the live state boto3 reads (`emulator/inspect_state.py`), as JSON.
    public func inspect(
        buckets: [(region: String, bucket: String)] = [], distributions: [String] = [],
        globalClusters: [String] = [], clusters: [String] = []
    ) throws -> [String: Any] {
        var args = ["emulator/inspect_state.py", "--endpoint", endpoint]
        for b in buckets { args += ["--bucket", "\(b.region):\(b.bucket)"] }
        for d in distributions { args += ["--distribution", d] }
        for g in globalClusters { args += ["--global-cluster", g] }
        for c in clusters { args += ["--cluster", c] }
        return try JSONSerialization.jsonObject(with: Data(try Self.python(args).utf8)) as? [String: Any] ?? [:]
    }

    /// The end state read with boto3 (`emulator/inspect_state.py`), independent of Switchyard's own clients.
    public struct State: Decodable, Sendable {
        public var writer: String?
        public var failover: String?
        public var origins: [String: [String]]
        public var buckets: [String: String]
    }

    /// Reads `topology`'s writer, origin order and bucket blocks with boto3.
    public func inspect(_ topology: Topology) throws -> State {
        let output = try Self.python([
            "emulator/inspect_state.py", "--endpoint", endpoint, "--global-cluster", topology.globalClusterID,
            "--distribution", topology.distributionID, "--bucket", "us-east-1:\(topology.primaryBucket)",
            "--bucket", "us-west-1:\(topology.secondaryBucket)",
        ])
        return try JSONDecoder().decode(State.self, from: Data(output.utf8))
    }

    /// Runs a Python script of the repository and returns its stdout.
    public static func python(_ args: [String], stdin: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + args
        process.currentDirectoryURL = repositoryRoot
        let (data, errors) = try runCapturingOutput(process, stdin: Data((stdin ?? "").utf8), start: runWithSignalsUnblocked)
        guard process.terminationStatus == 0 else {
            throw TestSupportError("python3 \(args.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Plain HTTP on loopback for tests.
public enum HTTPTestClient {
    /// GET; returns the body and status.
    public static func get(_ url: String, headers: [String: String] = [:]) async throws -> (Data, Int) {
        try await send("GET", url, headers: headers, body: nil)
    }

    /// Sends a request; returns the body and status.
    public static func send(_ method: String, _ url: String, headers: [String: String] = [:], body: Data?) async throws -> (Data, Int) {
        guard let target = URL(string: url) else { throw TestSupportError("bad URL \(url)") }
        var request = URLRequest(url: target)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}

/// A test helper failed to set something up.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
