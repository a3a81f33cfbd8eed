import Foundation

/// Runs the built `switchyard` executable, as an operator or a script would.
public struct CLI {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static var executable: URL {
        // Tests run from the build products folder, which also holds the executable.
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("switchyard").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("switchyard")
    }

    public static func run(_ args: [String], in dir: String, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        // `apply` and `run` lock their state folder; give each call its own unless the test chose one, so that
        // tests running in parallel never contend for the host's /var/lib/switchyard.
        var scratchState: String?
        if environment["STATE_DIRECTORY"] == nil {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-cli-state-\(UUID().uuidString)").path
            env["STATE_DIRECTORY"] = dir
            scratchState = dir
        }
        defer { if let scratchState { try? FileManager.default.removeItem(atPath: scratchState) } }
        process.environment = env
        // A command that never ends fails its test instead of hanging the whole suite (SIGKILL after 5 minutes).
        let watchdog = DispatchWorkItem { [process] in if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        defer { watchdog.cancel() }
        let (stdout, stderr) = try runCapturingOutput(
            process, started: { _ in DispatchQueue.global().asyncAfter(deadline: .now() + 300, execute: watchdog) })
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Starts `process` with no signal blocked: the test runner's threads block most signals and a child inherits the
/// spawning thread's mask, so without this a child would never see the SIGTERM a test sends it.
public func runWithSignalsUnblocked(_ process: Process) throws {
    var empty = sigset_t(), previous = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    try process.run()
}

/// Runs blocking work (a child process to its end, a Python client) on a dispatch thread: the cooperative pool has one
/// thread per core, and a test that blocks it for long starves every other test's polls and timeouts.
public func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
