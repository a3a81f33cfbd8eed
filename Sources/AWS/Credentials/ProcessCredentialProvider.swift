import Dispatch
import Foundation

/// Credentials from a profile's `credential_process`: the user's own helper, run through
/// `/bin/sh -c`, printing the JSON Version 1 document on stdout.
public struct ProcessCredentialProvider: CredentialProvider {
    private let command: String

    /// - Parameter command: the `credential_process` line, as configured.
    public init(command: String) { self.command = command }

    /// Runs the command and parses its output.
    public func credentials() async throws -> AWSCredentials {
        let command = self.command
        // waitUntilExit blocks: keep it off the cooperative pool.
        let (status, output, errors): (Int32, Data, Data) = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                let stdout = Pipe(), stderr = Pipe()
                process.standardOutput = stdout
                process.standardError = stderr
                do {
                    try process.run()
                } catch {
                    continuation.resume(
                        throwing: AWSError.credentials(
                            "Process", AWSError.CredentialsCode.fetchFailed, "cannot start credential_process: \(error.localizedDescription)"))
                    return
                }
                // Both pipes drain at once, so a helper that writes much to one never blocks on the other.
                let group = DispatchGroup()
                nonisolated(unsafe) var errors = Data()
                DispatchQueue.global().async(group: group) { errors = stderr.fileHandleForReading.readDataToEndOfFile() }
                let data = stdout.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, data, errors))
            }
        }
        guard status == 0 else {
            // The helper's own words say what is wrong (expired login, missing tool); its stdout, which would
            // hold the secret on success, is never shown.
            let said = Self.oneLine(errors)
            throw AWSError.credentials(
                "Process", AWSError.CredentialsCode.fetchFailed,
                "credential_process exited with status \(status)" + (said.isEmpty ? "" : ": \(said)"))
        }
        return try CredentialDocuments.jsonCredentials(Array(output), source: "Process", requireVersion1: true)
    }

    /// The helper's stderr on one line, at most 400 characters.
    static func oneLine(_ data: Data) -> String {
        let text = String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " / ")
        return text.count > 400 ? String(text.prefix(400)) + "…" : text
    }
}
