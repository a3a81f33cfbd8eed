import Basics
import Crypto
import Foundation

/// Derived SigV4 signing keys, kept per secret/date/region/service: four HMACs saved per request.
final class SigningKeyCache: Sendable {
    private struct Key: Hashable {
        var secret: String
        var dateStamp: String
        var region: String
        var service: String
    }

    // A handful of entries covers every region/service pair Switchyard talks to; cleared when a day rolls over.
    private static let limit = 64
    private let entries = Locked<[Key: SymmetricKey]>([:])

    /// The key for this scope, derived once and then served from memory.
    func key(secret: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        let cacheKey = Key(secret: secret, dateStamp: dateStamp, region: region, service: service)
        if let cached = entries.withLock({ $0[cacheKey] }) { return cached }
        let derived = Self.derive(secret: secret, dateStamp: dateStamp, region: region, service: service)
        entries.withLock {
            if $0.count >= Self.limit { $0.removeAll() }
            $0[cacheKey] = derived
        }
        return derived
    }

    static func derive(secret: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ data: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(data.utf8), using: key)))
        }
        let kSecret = SymmetricKey(data: Data("AWS4\(secret)".utf8))
        return hmac(hmac(hmac(hmac(kSecret, dateStamp), region), service), "aws4_request")
    }
}
