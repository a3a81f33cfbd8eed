import AWS
import Foundation

/// An in-memory `AWSRequestSending`: answers canned responses in order and records every operation.
/// Non-2xx answers go through `AWSErrorDecoder`, as the real sender's error path does.
actor RecordingSender: AWSRequestSending {
    private(set) var operations: [AWSOperation] = []
    private var responses: [HTTPResponse]

    init(_ responses: HTTPResponse...) {
        self.responses = responses
    }

    func send(_ operation: AWSOperation) async throws -> HTTPResponse {
        operations.append(operation)
        guard !responses.isEmpty else {
            throw AWSError(
                kind: .transport, service: operation.service.rawValue, operation: operation.name,
                code: "NoCannedResponse", message: "the test gave no response for this call")
        }
        let response = responses.removeFirst()
        guard (200..<300).contains(response.status) else {
            throw AWSErrorDecoder.decode(operation: operation, response: response)
        }
        return response
    }

    /// The only operation sent; fails the caller's expectation by returning nil otherwise.
    var single: AWSOperation? { operations.count == 1 ? operations[0] : nil }
}

extension HTTPResponse {
    /// A response whose body is this XML text.
    static func xml(_ body: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }
}

extension AWSOperation {
    /// The query as `name=value` strings, for comparison.
    var queryItems: [String] { query.map { "\($0.name)=\($0.value)" } }
    /// The headers as `name: value` strings, for comparison.
    var headerLines: [String] { headers.map { "\($0.name): \($0.value)" } }
    /// The body as text.
    var bodyText: String { String(decoding: body, as: UTF8.self) }
    /// A form body split into decoded `name=value` pairs.
    var formPairs: [String] {
        bodyText.split(separator: "&").map { $0.removingPercentEncoding ?? String($0) }
    }
}
