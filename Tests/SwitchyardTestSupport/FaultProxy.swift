import Foundation

/// `emulator/fault_proxy.py` as a subprocess on loopback, in front of an emulator: forwards every request and
/// injects the faults its rules ask for (errors, throttling, drops, delays).
public final class FaultProxy: @unchecked Sendable {
    public let port: Int
    private let process: Process

    /// `http://127.0.0.1:PORT`: the AWS endpoint a client uses to go through the proxy.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts the proxy in front of `upstream` and waits for its `READY <port>` line.
    public init(upstream: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Emulator.repositoryRoot.appendingPathComponent("emulator/fault_proxy.py").path,
                             "--upstream", upstream, "--port", "0"]
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
            process.terminate()
            process.waitUntilExit()
            throw TestSupportError("the fault proxy did not start: \(text)")
        }
        self.port = port
        self.process = process
    }

    /// Stops the proxy (SIGTERM, then SIGKILL after 5 s) and waits for it.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Adds a rule (`POST /_fault/rules`), e.g. `["action": "error", "error": "503", "count": 2]`.
    public func addRule(_ rule: [String: Any]) async throws {
        _ = try await control("POST", "rules", body: rule)
    }

    /// Removes every rule.
    public func clear() async throws {
        _ = try await control("POST", "clear", body: [:])
    }

    /// Zeroes the request and fault counters.
    public func resetStats() async throws {
        _ = try await control("POST", "reset-stats", body: [:])
    }

    /// Requests the proxy received, by `<region>/<service>` (faulted ones included).
    public func requestCounts() async throws -> [String: Int] {
        try await control("GET", "stats", body: nil)["requests"] as? [String: Int] ?? [:]
    }

    /// Faults injected, by `total`, `kind:<k>`, `rule:<id>` and `target:<region>/<service>/<k>`.
    public func faultCounts() async throws -> [String: Int] {
        try await control("GET", "stats", body: nil)["faults"] as? [String: Int] ?? [:]
    }

    private func control(_ method: String, _ path: String, body: [String: Any]?) async throws -> [String: Any] {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let (answer, status) = try await HTTPTestClient.send(
            method, "\(endpoint)/_fault/\(path)", headers: ["Content-Type": "application/json"], body: data)
        guard status == 200 else {
            throw TestSupportError("fault proxy \(method) /_fault/\(path): HTTP \(status) \(String(decoding: answer, as: UTF8.self))")
        }
        return try JSONSerialization.jsonObject(with: answer) as? [String: Any] ?? [:]
    }
}
