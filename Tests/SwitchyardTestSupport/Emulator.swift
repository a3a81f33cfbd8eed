import Foundation

/// The project's AWS emulator (moto plus our Aurora Global Database extension), run as a child process on loopback.
public final class Emulator: @unchecked Sendable {
    public let port: Int
    private let process: Process

    /// The repository root, where `emulator/` lives.
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// Starts the emulator and waits for its `READY <port>` line.
    /// - Parameter failoverSeconds: how long a switchover or failover stays in progress.
    public init(failoverSeconds: Double = 1) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-emulator-\(UUID().uuidString).log").path
        process.arguments = ["python3", Self.repositoryRoot.appendingPathComponent("emulator/switchyard_emulator.py").path,
                             "--port", "0", "--failover-seconds", "\(failoverSeconds)", "--log-file", log]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("READY "), let port = Int(text.dropFirst(6)) else {
            process.terminate()
            throw EmulatorError("the emulator did not start (said: \(text)); see \(log)")
        }
        self.port = port
        self.process = process
    }

    deinit { stop() }

    /// Stops the emulator: SIGTERM, then SIGKILL if it has not exited within 10 s.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The environment Switchyard needs to talk to the emulator.
    public var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": endpoint,
         "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"]
    }

    /// Creates apps of the Unishop topology; returns topology.py's JSON description of each app.
    @discardableResult
    public func createTopology(prefix: String = "hot", count: Int = 1, parts: String = "all") throws -> [[String: Any]] {
        let json = try Self.python(["emulator/topology.py", "--endpoint", endpoint, "--prefix", prefix, "--count", "\(count)", "--parts", parts])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["apps"] as? [[String: Any]] ?? []
    }

    /// Counts of recorded AWS calls by `service:Operation`, e.g. `rds:SwitchoverGlobalCluster`.
    public func callCounts(mutatingOnly: Bool = true) throws -> [String: Int] {
        let object = try control("calls" + (mutatingOnly ? "?mutating=true" : ""))
        return object["counts"] as? [String: Int] ?? [:]
    }

    /// Forgets the calls recorded so far (the topology's own setup calls, say).
    public func resetCalls() throws {
        _ = try control("reset-calls", body: [:])
    }

    /// Sets how long the next switchovers and failovers stay in progress.
    public func setFailoverSeconds(_ seconds: Double) throws {
        _ = try control("config", body: ["failover_seconds": seconds])
    }

    /// Live state read by boto3, independent of Switchyard's own code.
    public func inspect(buckets: [(region: String, bucket: String)] = [], distributions: [String] = [],
                        globalClusters: [String] = [], clusters: [String] = []) throws -> [String: Any] {
        var args = ["emulator/inspect_state.py", "--endpoint", endpoint,
                    "--buckets", buckets.map { "\($0.region):\($0.bucket)" }.joined(separator: ",")]
        for d in distributions { args += ["--distribution", d] }
        for g in globalClusters { args += ["--global-cluster", g] }
        for c in clusters { args += ["--cluster", c] }
        return try JSONSerialization.jsonObject(with: Data(try Self.python(args).utf8)) as? [String: Any] ?? [:]
    }

    private func control(_ path: String, body: [String: Any]? = nil) throws -> [String: Any] {
        var args = ["-c", """
            import json, sys, urllib.request
            body = sys.argv[2].encode() if sys.argv[2] else None
            req = urllib.request.Request(sys.argv[1], data=body, headers={"Content-Type": "application/json"}, method="POST" if body else "GET")
            print(urllib.request.urlopen(req, timeout=10).read().decode())
            """]
        args += ["\(endpoint)/_switchyard/\(path)", body.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) } ?? ""]
        return try JSONSerialization.jsonObject(with: Data(try Self.python(args).utf8)) as? [String: Any] ?? [:]
    }

    static func python(_ args: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + args
        process.currentDirectoryURL = repositoryRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EmulatorError("python3 \(args.first ?? "") failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

public struct EmulatorError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
