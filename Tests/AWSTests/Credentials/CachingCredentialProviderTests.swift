@testable import AWS
import Basics
import Foundation
import Logging
import Testing

/// Hands out numbered credentials that expire an hour after the (test) clock's now.
final class CountingProvider: CredentialProvider {
    let clock: TestClock
    private let count = Locked(0)
    var calls: Int { count.withLock { $0 } }

    init(clock: TestClock) { self.clock = clock }

    func credentials() async throws -> AWSCredentials {
        let n = count.withLock { c -> Int in
            c += 1
            return c
        }
        return AWSCredentials(
            accessKeyID: "ASIA\(n)", secretAccessKey: "s\(n)", sessionToken: "t\(n)", expiration: clock.now.addingTimeInterval(3600))
    }
}

final class TestClock: Sendable {
    private let current = Locked(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("Credential caching")
struct CachingCredentialProviderTests {
    @Test("temporary credentials are reused until 5 minutes before expiry, then refreshed")
    func refreshBeforeExpiry() async throws {
        let clock = TestClock()
        let base = CountingProvider(clock: clock)
        let cache = CachingCredentialProvider(base, now: { clock.now }, logger: Logger(label: "test"))
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        clock.advance(54 * 60)
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        clock.advance(60 + 1)  // now 4m59s before expiry
        #expect(try await cache.credentials().accessKeyID == "ASIA2")
        #expect(base.calls == 2)
    }

    @Test("concurrent callers share one refresh")
    func sharedRefresh() async throws {
        let clock = TestClock()
        let base = CountingProvider(clock: clock)
        let cache = CachingCredentialProvider(base, now: { clock.now }, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await cache.credentials().accessKeyID } }
            for try await id in group { #expect(id == "ASIA1") }
        }
        #expect(base.calls == 1)
    }

    @Test("long-term credentials are fetched once")
    func longTerm() async throws {
        let cache = CachingCredentialProvider(
            StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIA", secretAccessKey: "s")), logger: Logger(label: "test"))
        #expect(try await cache.credentials().accessKeyID == "AKIA")
        #expect(try await cache.credentials().accessKeyID == "AKIA")
    }
}
