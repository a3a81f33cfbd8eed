import Foundation

/// An HTTP request as the AWS layer builds, signs and sends it.
///
/// Header names keep the case they were given; signing lower-cases them.
/// The body is held in memory: every AWS call Switchyard makes is small.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// Absolute URL, with the path already URI-encoded as it goes on the wire.
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The most the response body may hold; a longer one fails the call (`ResponseTooLarge`) without being kept.
    public var maxResponseBytes: Int

    public init(
        method: String, url: URL, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        maxResponseBytes: Int = HTTPRequest.defaultMaxResponseBytes
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maxResponseBytes = maxResponseBytes
    }

    /// 8 MiB: Switchyard's largest answers (a CloudFront distribution config, a global cluster) are tens of kilobytes.
    public static let defaultMaxResponseBytes = 8 << 20

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Replaces every value of a header with one value.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.equalsIgnoringASCIICase(name) }
        headers.append((name, value))
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
    }
}

/// An HTTP response as the transport received it.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}
