import AWS
import Foundation

/// An `AWSRequestSending` that answers every call with one fixed response: the fuzzer's bytes as a body.
public struct FixedResponseSender: AWSRequestSending {
    public let response: HTTPResponse

    /// A sender answering `status` with `body`, an ETag and a request id (the headers real answers carry).
    public init(status: Int = 200, body: [UInt8]) {
        response = HTTPResponse(
            status: status, headers: [("ETag", "E2FUZZ"), ("x-amz-request-id", "FUZZ")], body: body)
    }

    public func send(_ operation: AWSOperation) async throws -> HTTPResponse {
        guard (200..<300).contains(response.status) else {
            throw AWSErrorDecoder.decode(operation: operation, response: response)
        }
        return response
    }
}

/// Runs `body` to completion on the concurrency pool and waits for it: libFuzzer's entry point is synchronous.
public func runBlocking(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}

/// The bytes libFuzzer hands over, copied into an array.
public func fuzzBytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}
