import Foundation
import Logging

/// Caches temporary credentials and refreshes them a while before they expire; concurrent
/// callers share one refresh. Long-term credentials (no expiration) are fetched once.
public actor CachingCredentialProvider: CredentialProvider {
    private let base: any CredentialProvider
    private let refreshBefore: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var cached: AWSCredentials?
    private var refreshing: Task<AWSCredentials, any Error>?

    /// - Parameters:
    ///   - refreshBefore: how long before expiry to fetch new credentials (5 minutes, as the SDKs do).
    ///   - now: the clock; injected in tests.
    public init(
        _ base: any CredentialProvider, refreshBefore: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.base = base
        self.refreshBefore = Double(refreshBefore.components.seconds)
        self.now = now
        self.logger = logger
    }

    /// Cached credentials while fresh, otherwise newly fetched ones.
    public func credentials() async throws -> AWSCredentials {
        if let cached, !needsRefresh(cached) { return cached }
        if let refreshing { return try await refreshing.value }
        let base = self.base
        let task = Task { try await base.credentials() }
        refreshing = task
        defer { refreshing = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            logger.debug(
                "credentials refreshed",
                metadata: ["aws.access_key_id": "\(fresh.accessKeyID)", "aws.expiration": "\(fresh.expiration.map { "\($0)" } ?? "none")"])
            return fresh
        } catch {
            // A failed refresh inside the refresh window still leaves working credentials: use them.
            if let cached, let expiration = cached.expiration, expiration > now() {
                logger.warning("credential refresh failed; using credentials until they expire", metadata: ["error": "\(error)"])
                return cached
            }
            throw error
        }
    }

    private func needsRefresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return now() >= expiration.addingTimeInterval(-refreshBefore)
    }
}
