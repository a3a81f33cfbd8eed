import Basics
import Crypto
import Foundation

/// Signs requests with AWS Signature Version 4, in headers or in a presigned query.
///
/// The clock is injected so tests and fixtures sign at a pinned time; derived keys are cached
/// per secret/date/region/service.
public struct SigV4Signer: Sendable {
    /// How a service wants its requests canonicalized.
    public struct Options: Sendable, Equatable {
        /// Encode the wire path again (every service but S3).
        public var doubleURIEncode: Bool
        /// Remove dot segments and empty segments from the path (every service but S3).
        public var normalizePath: Bool
        /// Send the payload hash as `x-amz-content-sha256` (S3 requires it).
        public var addContentSHA256Header: Bool
        /// Add `X-Amz-Security-Token` after signing instead of signing it (a few services want that).
        public var omitSessionToken: Bool
        /// Presigned URLs leave the body unsigned (`UNSIGNED-PAYLOAD`), as S3 does.
        public var unsignedPayloadWhenPresigning: Bool

        /// Creates options; the defaults are the spec's (every service but S3).
        public init(
            doubleURIEncode: Bool = true, normalizePath: Bool = true, addContentSHA256Header: Bool = false,
            omitSessionToken: Bool = false, unsignedPayloadWhenPresigning: Bool = false
        ) {
            self.doubleURIEncode = doubleURIEncode
            self.normalizePath = normalizePath
            self.addContentSHA256Header = addContentSHA256Header
            self.omitSessionToken = omitSessionToken
            self.unsignedPayloadWhenPresigning = unsignedPayloadWhenPresigning
        }

        /// The spec's canonicalization, used by every service but S3.
        public static let standard = Options()
        /// S3: the wire path signed as is, payload hash in a header.
        public static let s3 = Options(
            doubleURIEncode: false, normalizePath: false, addContentSHA256Header: true, unsignedPayloadWhenPresigning: true)

        /// The options a given service expects.
        public static func forService(_ service: AWSService) -> Options {
            service == .s3 || service == .s3control ? .s3 : .standard
        }
    }

    static let algorithm = "AWS4-HMAC-SHA256"
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private let now: @Sendable () -> Date
    private let keys = SigningKeyCache()

    /// - Parameter now: the clock; the system clock unless a test pins it.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// Returns the request with `Host`, `X-Amz-Date`, the session token, S3's payload hash and `Authorization` set.
    /// - Parameter service: the signing name (`AWSService.signingName`), e.g. `monitoring` for CloudWatch.
    public func sign(
        _ request: HTTPRequest, credentials: AWSCredentials, region: String, service: String, options: Options
    ) -> HTTPRequest {
        var input = Self.input(from: request)
        _ = signHeaders(&input, credentials: credentials, region: region, service: service, options: options)
        var signed = request
        signed.headers = input.headers
        return signed
    }

    /// Returns the request with the signature in its query string, valid for `expires` seconds.
    public func presign(
        _ request: HTTPRequest, credentials: AWSCredentials, region: String, service: String, expires: Int,
        options: Options
    ) -> HTTPRequest {
        var input = Self.input(from: request)
        _ = signQuery(&input, credentials: credentials, region: region, service: service, expires: expires, options: options)
        var signed = request
        signed.headers = input.headers
        var components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        components?.percentEncodedQuery = input.query
        if let url = components?.url { signed.url = url }
        return signed
    }

    static func input(from request: HTTPRequest) -> SigningInput {
        var input = SigningInput(
            method: request.method.uppercased(), path: request.url.path(percentEncoded: true),
            query: request.url.query(percentEncoded: true) ?? "", headers: request.headers, body: request.body)
        if input.header("host") == nil, let host = request.url.host() {
            let port = request.url.port
            let defaultPort = request.url.scheme == "http" ? 80 : 443
            input.headers.insert(("Host", port.map { $0 == defaultPort ? host : "\(host):\($0)" } ?? host), at: 0)
        }
        return input
    }

    /// Header signing on the wire form; mutates `input.headers`.
    func signHeaders(
        _ input: inout SigningInput, credentials: AWSCredentials, region: String, service: String, options: Options
    ) -> SigV4Signature {
        let time = SigningTime(now())
        input.headers.removeAll { $0.name.lowercased() == "authorization" }
        input.setHeader("X-Amz-Date", time.amzDate)
        let payloadHash = input.header("x-amz-content-sha256") ?? Self.hexSHA256(input.body)
        if options.addContentSHA256Header && input.header("x-amz-content-sha256") == nil {
            input.setHeader("x-amz-content-sha256", payloadHash)
        }
        let token = credentials.sessionToken
        if let token, !options.omitSessionToken { input.setHeader("X-Amz-Security-Token", token) }

        let (block, signedHeaders) = CanonicalRequest.headers(input.headers)
        let result = compute(
            input, canonicalQuery: CanonicalRequest.query(input.query), headerBlock: block,
            signedHeaders: signedHeaders, payloadHash: payloadHash, time: time, credentials: credentials,
            region: region, service: service, options: options)

        if let token, options.omitSessionToken { input.setHeader("X-Amz-Security-Token", token) }
        input.setHeader(
            "Authorization",
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(result.credentialScope), "
                + "SignedHeaders=\(signedHeaders), Signature=\(result.signature)")
        return result
    }

    /// Query (presigned URL) signing on the wire form; mutates `input.query`.
    func signQuery(
        _ input: inout SigningInput, credentials: AWSCredentials, region: String, service: String, expires: Int,
        options: Options
    ) -> SigV4Signature {
        let time = SigningTime(now())
        let scope = "\(time.dateStamp)/\(region)/\(service)/aws4_request"
        let (block, signedHeaders) = CanonicalRequest.headers(input.headers)
        var added: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
            ("X-Amz-Date", time.amzDate),
            ("X-Amz-Expires", String(expires)),
        ]
        added.append(("X-Amz-SignedHeaders", signedHeaders))
        if let token = credentials.sessionToken, !options.omitSessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        let addedQuery = URIEncoding.queryString(added)
        input.query = input.query.isEmpty ? addedQuery : input.query + "&" + addedQuery

        let payloadHash = options.unsignedPayloadWhenPresigning ? "UNSIGNED-PAYLOAD" : Self.hexSHA256(input.body)
        let result = compute(
            input, canonicalQuery: CanonicalRequest.query(input.query), headerBlock: block,
            signedHeaders: signedHeaders, payloadHash: payloadHash, time: time, credentials: credentials,
            region: region, service: service, options: options)
        if let token = credentials.sessionToken, options.omitSessionToken {
            input.query += "&" + URIEncoding.queryString([("X-Amz-Security-Token", token)])
        }
        input.query += "&X-Amz-Signature=\(result.signature)"
        return result
    }

    private func compute(
        _ input: SigningInput, canonicalQuery: String, headerBlock: String, signedHeaders: String,
        payloadHash: String, time: SigningTime, credentials: AWSCredentials, region: String, service: String,
        options: Options
    ) -> SigV4Signature {
        let canonicalRequest = [
            input.method,
            CanonicalRequest.path(input.path, doubleEncode: options.doubleURIEncode, normalize: options.normalizePath),
            canonicalQuery,
            headerBlock,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(time.dateStamp)/\(region)/\(service)/aws4_request"
        let stringToSign = [Self.algorithm, time.amzDate, scope, Self.hexSHA256(Array(canonicalRequest.utf8))]
            .joined(separator: "\n")
        let key = keys.key(
            secret: credentials.secretAccessKey, dateStamp: time.dateStamp, region: region, service: service)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)
        return SigV4Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: hexEncoded(mac),
            signedHeaders: signedHeaders, credentialScope: scope)
    }

    static func hexSHA256(_ bytes: [UInt8]) -> String {
        hexEncoded(SHA256.hash(data: bytes))
    }
}
