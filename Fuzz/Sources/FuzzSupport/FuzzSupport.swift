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

/// The commit object the seed signatures sign (namespace `git`); Fuzz/make_signature_seeds.sh writes the same bytes.
public let signedCommitMessage = Array("""
    tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904
    author Fuzz <fuzz@example.com> 1700000000 +0000
    committer Fuzz <fuzz@example.com> 1700000000 +0000

    fuzz

    """.utf8)
