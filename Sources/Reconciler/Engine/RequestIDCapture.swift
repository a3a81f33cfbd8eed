import AWS
import Foundation

/// Passes calls through and remembers the AWS request id of the last response, for the journal.
final class RequestIDCapture: AWSRequestSending, @unchecked Sendable {
    private let base: any AWSRequestSending
    private let lock = NSLock()
    private var lastRequestID: String?

    init(_ base: any AWSRequestSending) { self.base = base }

    var requestID: String? { lock.withLock { lastRequestID } }

    func send(_ operation: AWSOperation) async throws -> HTTPResponse {
        let response = try await base.send(operation)
        let id = response.header("x-amz-request-id") ?? response.header("x-amzn-RequestId")
        lock.withLock { lastRequestID = id }
        return response
    }
}
