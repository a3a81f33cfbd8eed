/// The intermediate and final products of one SigV4 signing, for logs-free debugging and tests.
public struct SigV4Signature: Sendable, Equatable {
    /// The canonical request, exactly as hashed.
    public var canonicalRequest: String
    /// `AWS4-HMAC-SHA256`, timestamp, scope and canonical-request hash, newline separated.
    public var stringToSign: String
    /// Hex HMAC of the string to sign.
    public var signature: String
    /// Lower-cased, sorted, `;`-joined names of the signed headers.
    public var signedHeaders: String
    /// `<date>/<region>/<service>/aws4_request`.
    public var credentialScope: String
}

/// What the signer reads from a request: path and query exactly as they go on the wire.
struct SigningInput: Sendable {
    var method: String
    /// Wire path, percent-encoded as sent (S3 signs it as is; other services encode it again).
    var path: String
    /// Wire query string without `?`; may be empty.
    var query: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }

    mutating func setHeader(_ name: String, _ value: String) {
        let lower = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lower }
        headers.append((name, value))
    }
}
