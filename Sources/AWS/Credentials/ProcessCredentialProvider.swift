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
        let (status, output): (Int32, Data) = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                let stdout = Pipe()
                process.standardOutput = stdout
                process.standardError = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: AWSError.credentials(
                        "Process", AWSError.CredentialsCode.fetchFailed, "cannot start credential_process: \(error.localizedDescription)"))
                    return
                }
                let data = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, data))
            }
        }
        guard status == 0 else {
            throw AWSError.credentials("Process", AWSError.CredentialsCode.fetchFailed, "credential_process exited with status \(status)")
        }
        return try CredentialDocuments.jsonCredentials(Array(output), source: "Process", requireVersion1: true)
    }
}
