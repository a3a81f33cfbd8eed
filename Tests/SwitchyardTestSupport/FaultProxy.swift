import Foundation

/// The fault-injecting proxy (`emulator/fault_proxy.py`) in front of an emulator, on loopback, for tests that
/// prove Switchyard under latency, errors, dropped answers and unreachable regions.
///
/// Point Switchyard at `endpoint` (see `awsEnvironment`) and change the rules while traffic flows.
public final class FaultProxy: @unchecked Sendable {
    public let port: Int
    private let process: Process

    /// `http://127.0.0.1:PORT`: the endpoint Switchyard uses instead of the emulator's.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts the proxy in front of `upstream` (the emulator's endpoint) and waits for its `READY <port>` line.
    public init(upstream: String, seed: Int = 0) throws {
        (process, port) = try startReadyProcess(
            ["emulator/fault_proxy.py", "--upstream", upstream, "--port", "0", "--seed", "\(seed)"],
            what: "the fault proxy")
    }

    /// Starts a proxy in front of `emulator`.
    public convenience init(_ emulator: Emulator, seed: Int = 0) throws {
        try self.init(upstream: emulator.endpoint, seed: seed)
    }

    /// `emulator.awsEnvironment` with every AWS call sent through the proxy.
    public func awsEnvironment(_ emulator: Emulator) -> [String: String] {
        emulator.awsEnvironment.merging(["AWS_ENDPOINT_URL": endpoint]) { $1 }
    }

    /// Stops the proxy (SIGTERM, then SIGKILL after 5 s) and waits for it.
    public func stop() {
        stopChild(process)
    }

    /// One fault (see emulator/README.md, "Fault proxy"): which requests it matches and what it does to them.
    public struct Rule: Sendable {
        public enum Action: String, Sendable { case latency, error, drop, stall, blackhole, truncate }
        /// Whether the fault replaces the request (`before`: it never reaches the emulator) or its answer
        /// (`after`: the emulator acted, the answer is lost).
        public enum When: String, Sendable { case before, after }

        public var id: String?
        public var action: Action
        public var region: String?
        public var service: String?
        public var operation: String?
        /// `500`, `503`, `throttling` or `slowdown`, for `.error`.
        public var error: String?
        public var latencyMilliseconds: Int?
        public var stallMilliseconds: Int?
        /// Only the next `count` matching requests.
        public var count: Int?
        /// The share of matching requests hit (0…1), drawn from a generator seeded with `seed`.
        public var rate: Double?
        public var seed: Int?
        public var when: When?
        /// Request parameters to match too (a mutating RDS call's `GlobalClusterIdentifier`, …).
        public var params: [String: String]?

        public init(
            _ action: Action, id: String? = nil, region: String? = nil, service: String? = nil, operation: String? = nil,
            error: String? = nil, latencyMilliseconds: Int? = nil, stallMilliseconds: Int? = nil, count: Int? = nil,
            rate: Double? = nil, seed: Int? = nil, when: When? = nil
        ) {
            self.id = id
            self.action = action
            self.region = region
            self.service = service
            self.operation = operation
            self.error = error
            self.latencyMilliseconds = latencyMilliseconds
            self.stallMilliseconds = stallMilliseconds
            self.count = count
            self.rate = rate
            self.seed = seed
            self.when = when
        }

        /// Adds `ms` to every matching request.
        public static func latency(_ ms: Int, region: String? = nil, service: String? = nil) -> Rule {
            Rule(.latency, region: region, service: service, latencyMilliseconds: ms)
        }

        /// Holds matching requests unanswered until the rule is cleared.
        public static func blackhole(
            region: String? = nil, service: String? = nil, operation: String? = nil, params: [String: String]? = nil, when: When = .before
        ) -> Rule {
            var rule = Rule(.blackhole, region: region, service: service, operation: operation, when: when)
            rule.params = params
            return rule
        }

        var json: [String: Any] {
            var object: [String: Any] = ["action": action.rawValue]
            if let id { object["id"] = id }
            if let region { object["region"] = region }
            if let service { object["service"] = service }
            if let operation { object["operation"] = operation }
            if let error { object["error"] = error }
            if let latencyMilliseconds { object["latency_ms"] = latencyMilliseconds }
            if let stallMilliseconds { object["stall_ms"] = stallMilliseconds }
            if let count { object["count"] = count }
            if let rate { object["rate"] = rate }
            if let seed { object["seed"] = seed }
            if let when { object["when"] = when.rawValue }
            if let params { object["params"] = params }
            return object
        }
    }

    /// Adds rules; returns their ids, in order.
    @discardableResult
    public func add(_ rules: Rule...) async throws -> [String] {
        try await add(rules)
    }

    /// Adds rules; returns their ids, in order.
    @discardableResult
    public func add(_ rules: [Rule]) async throws -> [String] {
        let object = try await control("POST", "rules", body: rules.map(\.json))
        return (object["rules"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// Removes every rule, releasing the requests blackholes hold.
    public func clear() async throws {
        _ = try await control("POST", "clear", body: [String: Any]())
    }

    /// Removes the rules matching every given filter (`region`, `service`, `operation`, `action`, `id`).
    public func clear(_ filters: [String: String]) async throws {
        _ = try await control("POST", "clear", body: filters)
    }

    /// How many requests the rule `id` has hit so far.
    public func injected(_ id: String) async throws -> Int {
        let object = try await control("GET", "rules", body: nil)
        return (object["rules"] as? [[String: Any]] ?? []).first { $0["id"] as? String == id }?["injected"] as? Int ?? 0
    }

    /// The proxy's counters: `faults` (`total`, `kind:<k>` …) and `requests` per `<region>/<service>`.
    public func stats() async throws -> (faults: [String: Int], requests: [String: Int]) {
        let object = try await control("GET", "stats", body: nil)
        return (object["faults"] as? [String: Int] ?? [:], object["requests"] as? [String: Int] ?? [:])
    }

    /// Adds one rule given as the proxy's JSON (`["action": "error", "error": "503", "count": 2]`).
    public func addRule(_ rule: [String: Any]) async throws {
        _ = try await control("POST", "rules", body: rule)
    }

    /// Requests the proxy received, by `<region>/<service>` (faulted ones included).
    public func requestCounts() async throws -> [String: Int] { try await stats().requests }

    /// Faults injected, by `total`, `kind:<k>`, `rule:<id>` and `target:<region>/<service>/<k>`.
    public func faultCounts() async throws -> [String: Int] { try await stats().faults }

    /// Zeroes the counters.
    public func resetStats() async throws {
        _ = try await control("POST", "reset-stats", body: [String: Any]())
    }

    private func control(_ method: String, _ path: String, body: Any?) async throws -> [String: Any] {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let (answer, status) = try await HTTPTestClient.send(
            method, "\(endpoint)/_fault/\(path)", headers: ["Content-Type": "application/json"], body: data)
        guard status == 200 else {
            throw TestSupportError("fault proxy \(method) /_fault/\(path): \(status) \(String(decoding: answer, as: UTF8.self))")
        }
        return try JSONSerialization.jsonObject(with: answer) as? [String: Any] ?? [:]
    }
}

/// Starts `python3 ARGS` in the repository root with no signal blocked and waits for its `READY <port>` line.
func startReadyProcess(_ arguments: [String], what: String) throws -> (Process, Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    process.currentDirectoryURL = Emulator.repositoryRoot
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try runWithSignalsUnblocked(process)
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        line += chunk
    }
    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix("READY "), let port = Int(text.dropFirst(6)) else {
        stopChild(process)
        throw TestSupportError("\(what) did not start: \(text)")
    }
    return (process, port)
}

/// SIGTERM, then SIGKILL after 5 s; waits for the process either way.
func stopChild(_ process: Process) {
    guard process.isRunning else { return }
    process.terminate()
    let deadline = Date().addingTimeInterval(5)
    while process.isRunning, Date() < deadline { usleep(50_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
}
