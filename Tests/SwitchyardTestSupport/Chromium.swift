import Foundation

/// Headless Chromium (Debian's `chromium` package, installed by scripts/bootstrap.sh), for tests of the console.
public enum Chromium {
    /// The browser, or nil when it is not installed.
    public static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The DOM after the page's scripts ran for `virtualMilliseconds` of virtual time.
    /// - Parameter extra: more switches, e.g. `--disable-web-security` for a saved page that fetches from the service.
    public static func dumpDOM(_ url: String, virtualMilliseconds: Int = 3000, extra: [String] = []) throws -> String {
        try run(["--dump-dom", "--virtual-time-budget=\(virtualMilliseconds)"] + extra + [url])
    }

    /// Writes a PNG of the page at 1280×900 to `path`.
    public static func screenshot(_ url: String, to path: String, virtualMilliseconds: Int = 2000) throws {
        _ = try run(["--screenshot=\(path)", "--window-size=1280,900", "--hide-scrollbars", "--virtual-time-budget=\(virtualMilliseconds)", url])
        guard FileManager.default.fileExists(atPath: path) else { throw ChromiumError(message: "no screenshot written to \(path)") }
    }

    static func run(_ arguments: [String]) throws -> String {
        guard let executable else { throw ChromiumError(message: "chromium is not installed: run scripts/bootstrap.sh (apt-get install chromium)") }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=\(profile)",
            ] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ChromiumError(message: "chromium \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    /// A test's output folder: `$SWITCHYARD_TEST_OUTPUT`, or a folder under the temporary directory. Kept after the test.
    public static func outputFolder(_ name: String) throws -> String {
        let base =
            ProcessInfo.processInfo.environment["SWITCHYARD_TEST_OUTPUT"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-test-output").path
        let folder = "\(base)/\(name)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// Chromium could not be run or did not do what was asked.
public struct ChromiumError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
