import Foundation

/// A `switchyard run` started in the background, its stderr in a file, for end-to-end tests of the service.
public final class ServiceProcess: @unchecked Sendable {
    private let process: Process
    /// Where stderr goes (a file, so a full pipe can never block the service).
    public let logPath: String

    /// Starts the built `switchyard` with `args` in `dir`.
    public init(_ args: [String], in dir: String, environment: [String: String] = [:]) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-run-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = CLI.executable
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try runWithSignalsUnblocked(process)
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Everything written to stderr so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls until `condition` holds (checked every 100 ms), or fails after `timeout` seconds of checking.
    ///
    /// The budget counts checks, not wall time: tests share one cooperative thread per core, and a neighbour that
    /// blocks them for a while must delay this wait, not fail it.
    public func waitUntil(_ what: String, timeout: Double = 60, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<max(1, Int(timeout * 10)) {
            if try await condition() { return }
            if !process.isRunning { throw TestSupportError("switchyard exited (\(process.terminationStatus)) before \(what):\n\(log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        if try await condition() { return }
        throw TestSupportError("timed out waiting for \(what):\n\(log)")
    }

    /// Waits for the `listening on http://HOST:PORT` line and returns the base URL.
    public func waitForListener() async throws -> String {
        var url: String?
        try await waitUntil("the HTTP listener") {
            if let match = log.firstMatch(of: /listening on (http:\/\/[0-9.]+:[0-9]+)/) { url = String(match.1) }
            return url != nil
        }
        return url!
    }

    /// Whether the process ended by a signal (SIGKILL, say) rather than by exiting.
    public var endedBySignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

    /// Whether the process is still running.
    public var isRunning: Bool { process.isRunning }

    /// Sends a signal (SIGTERM, SIGKILL …).
    public func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end; returns its exit status.
    public func waitForExit(timeout: Double = 60) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else { throw TestSupportError("switchyard did not exit:\n\(log)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// Kills the process if it still runs and removes the log.
    public func cleanUp() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
