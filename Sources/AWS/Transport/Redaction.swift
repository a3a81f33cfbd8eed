import Basics
import Foundation

/// Redacts secrets from what the transport logs: signatures, session tokens, metadata tokens, authorization tokens.
enum Redaction {
    private static let secretHeaders: Set<String> = [
        "x-amz-security-token", "x-aws-ec2-metadata-token", "cookie", "set-cookie", "proxy-authorization",
        "x-amz-server-side-encryption-customer-key",
    ]
    private static let secretQueryNames: Set<String> = ["x-amz-signature", "x-amz-security-token"]

    /// The value as it may appear in a log line.
    static func header(_ name: String, _ value: String) -> String {
        let lower = name.lowercased()
        if lower == "authorization" {
            // The SigV4 credential and signed headers help debugging; the signature does not and is replayable.
            guard value.hasPrefix("AWS4-HMAC-SHA256 "), let r = value.range(of: "Signature=") else { return "<redacted>" }
            return value[..<r.upperBound] + "<redacted>"
        }
        return secretHeaders.contains(lower) ? "<redacted>" : value
    }

    /// The URL with its user information (`http://user:password@proxy`, from an endpoint override) and presigned-query
    /// secrets replaced. (API parameters in the query stay: they name resources, and help when reading a trace.)
    static func url(_ url: String) -> String {
        var url = url
        if let scheme = url.range(of: "://") {
            let end = url[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
            if let at = url[scheme.upperBound..<end].lastIndex(of: "@") { url.replaceSubrange(scheme.upperBound..<at, with: "<redacted>") }
        }
        guard let q = url.firstIndex(of: "?") else { return url }
        let query = url[url.index(after: q)...].split(separator: "&", omittingEmptySubsequences: false).map { item in
            let name = item.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return secretQueryNames.contains(name.lowercased()) ? "\(name)=<redacted>" : String(item)
        }
        return url[...q] + query.joined(separator: "&")
    }
}
