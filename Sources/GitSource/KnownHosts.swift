import Crypto
import Foundation

/// An OpenSSH known_hosts file: plain and hashed (`|1|salt|hash`) host patterns.
struct KnownHosts {
    struct Entry {
        var hosts: [String]
        var key: Data
    }

    let entries: [Entry]

    init(_ text: String) {
        entries = text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, !line.hasPrefix("#") else { return nil }
            var rest = fields[...]
            if rest.first?.hasPrefix("@") == true { return nil }  // @revoked / @cert-authority: not host keys
            let hosts = rest.removeFirst().split(separator: ",").map(String.init)
            rest.removeFirst()  // key type; the blob names it too
            guard let key = Data(base64Encoded: String(rest.removeFirst())) else { return nil }
            return Entry(hosts: hosts, key: key)
        }
    }

    func contains(host: String, key: Data) -> Bool {
        entries.contains { entry in entry.key == key && entry.hosts.contains { Self.matches(pattern: $0, host: host) } }
    }

    static func matches(pattern: String, host: String) -> Bool {
        if pattern.hasPrefix("|1|") {
            let parts = pattern.split(separator: "|")
            guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
                let hash = Data(base64Encoded: String(parts[2]))
            else { return false }
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(host.utf8), using: SymmetricKey(data: salt))
            return Data(mac) == hash
        }
        // `[host]:port` entries name a non-default port; libgit2 reports the bare host name.
        let plain = pattern.hasPrefix("[") ? String(pattern.dropFirst().prefix { $0 != "]" }) : pattern
        return plain == host
    }
}
