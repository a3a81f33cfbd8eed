/// The canonical forms SigV4 hashes: path, query, headers.
enum CanonicalRequest {
    /// Headers left unsigned because proxies and HTTP stacks add, drop or rewrite them
    /// (botocore's `SIGNED_HEADERS_BLACKLIST`), plus a stale `Authorization`.
    static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// The canonical URI: S3 signs the wire path as is; other services remove dot segments and
    /// repeated slashes, then encode the (already encoded) path once more, as the spec says.
    static func path(_ wirePath: String, doubleEncode: Bool, normalize: Bool) -> String {
        var path = wirePath.isEmpty ? "/" : wirePath
        if normalize { path = normalizedPath(path) }
        return doubleEncode ? URIEncoding.encode(path, keepSlash: true) : path
    }

    /// RFC 3986 dot-segment removal plus collapsing of empty segments; a trailing slash survives.
    static func normalizedPath(_ path: String) -> String {
        var stack: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = stack.popLast()
            default: stack.append(segment)
            }
        }
        var result = "/" + stack.joined(separator: "/")
        if path.hasSuffix("/") && result != "/" { result += "/" }
        return result
    }

    /// The canonical query: each name and value decoded then strictly encoded, sorted by name then value.
    static func query(_ wireQuery: String) -> String {
        let pairs = wireQuery.split(separator: "&", omittingEmptySubsequences: true).map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = URIEncoding.encode(URIEncoding.decode(String(parts[0])))
            let value = parts.count > 1 ? URIEncoding.encode(URIEncoding.decode(String(parts[1]))) : ""
            return (name, value)
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Canonical header lines and the signed-header list: names lower-cased, repeated headers
    /// joined with commas in order, whitespace runs collapsed, sorted by name.
    static func headers(_ headers: [(name: String, value: String)]) -> (block: String, signed: String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if unsignedHeaders.contains(lower) { continue }
            grouped[lower, default: []].append(collapseWhitespace(value))
        }
        let names = grouped.keys.sorted()
        let block = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    static func collapseWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }
}
