import Basics
import Foundation
import GitSource

/// How hosts running Switchyard for the same apps agree, through a shared store (the DynamoDB lock table):
///
/// - the **commit fence**: per app, the last commit any host began to apply. A host acts only when that commit is an
///   ancestor of (or is) its own; otherwise it is stale and changes nothing, whatever its own Git view says;
/// - the **lease**: one host acts on an app at a time, for `leaseDuration`, renewed while it waits on AWS; each
///   acquisition bumps a fencing token. A lease nobody renews expires, and another host takes over (it re-observes
///   AWS before every call, so it never promotes twice);
/// - **suspensions**: break glass, `switchyard suspend APP`, honoured by every host at its next pass.
///
/// Without a lock table (`shared == false`) only suspensions are kept (in the state folder): one host, today's rules.
public struct Coordinator: Sendable {
    public let store: any CoordinationStore
    /// Fence and lease are kept (a lock table is configured).
    public let shared: Bool
    /// Who this host is in the table: `--host-id`, by default the host name and state folder.
    public let host: String
    public let leaseDuration: Duration
    /// This host's own suspensions (the state folder), read beside the shared store's: a suspension someone recorded
    /// here without `--lock-table` holds for this host too. Nil when `store` is the state folder itself.
    public let local: (any CoordinationStore)?

    public init(
        store: any CoordinationStore, shared: Bool, host: String, leaseDuration: Duration = .seconds(30), local: (any CoordinationStore)? = nil
    ) {
        self.store = store
        self.shared = shared
        self.host = host
        self.leaseDuration = leaseDuration
        self.local = local
    }

    static func key(_ app: String, _ kind: String) -> String { "switchyard/\(app)/\(kind)" }

    // MARK: Suspensions

    /// A suspension in force, from the store. An item that exists is a suspension, however it was written: a field
    /// that cannot be read is said as such, never taken as "not suspended".
    public func suspension(of app: String) async throws -> Suspension? {
        try await suspensions(of: [app])[app]
    }

    /// The suspensions in force among `apps`, read together (one `BatchGetItem` per 100 apps on a lock table): an app
    /// absent from the answer has none. All or an error: the caller counts every app suspended when it throws.
    public func suspensions(of apps: [String]) async throws -> [String: Suspension] {
        let keys = apps.map { Self.key($0, "suspend") }
        let shared = try await store.readMany(keys)
        let own = try await local?.readMany(keys) ?? [:]
        var suspensions: [String: Suspension] = [:]
        for app in apps {
            if let record = shared[Self.key(app, "suspend")] {
                suspensions[app] = suspension(app, record, in: store)
            } else if let local, let record = own[Self.key(app, "suspend")] {
                suspensions[app] = suspension(app, record, in: local)
            }
        }
        return suspensions
    }

    private func suspension(_ app: String, _ record: LockRecord, in store: any CoordinationStore) -> Suspension {
        Suspension(
            app: app, by: record["by"].map { Self.bounded($0, 200) } ?? "someone (the item's `by` cannot be read)",
            at: record["at"].flatMap(Double.init).flatMap { $0.isFinite ? Date(timeIntervalSince1970: $0) : nil },
            reason: record["reason"].map { Self.bounded($0, 1000) }
                ?? "the suspension item in \(store.name) cannot be read whole; counted as suspended until resumed")
    }

    /// A person's text as said back: at most `limit` characters.
    private static func bounded(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : "\(text.prefix(limit))… (\(text.count) characters)"
    }

    /// The commit the fence records for `app`, that commit's active region, and whether a host saw it converge; nil
    /// when none is recorded.
    public func fenceRecord(of app: String) async throws -> (commit: String, activeRegion: String?, converged: Bool)? {
        guard shared, let record = try await store.read(Self.key(app, "fence")), let commit = record["commit"] else { return nil }
        return (commit, record["activeRegion"], record["converged"] == "true")
    }

    /// Records on the fence that `commit` converged, so a host that finds the fence at its own commit knows the commit
    /// was carried out (a difference then is someone's work by hand), not under way. Best effort: without it, a
    /// fresh host takes the commit for under way.
    public func markConverged(app: String, commit: CommitInfo) async {
        guard shared else { return }
        let key = Self.key(app, "fence")
        guard let current = try? await store.read(key), current["commit"] == commit.id.hex, current["converged"] != "true" else { return }
        _ = try? await store.write(key, current.attributes.merging(["converged": "true"]) { $1 }, replacing: current.version)
    }

    /// The commit the fence records for `app` (the last commit any host began to apply), nil when none.
    public func fence(of app: String) async throws -> String? {
        guard let commit = try await fenceRecord(of: app)?.commit else { return nil }
        return commit.count == 40 && commit.allSatisfy(\.isHexDigit) ? commit : nil
    }

    /// Records a suspension of `app` (replacing any earlier one).
    public func suspend(_ app: String, by: String, reason: String, at time: Date = Date()) async throws {
        let key = Self.key(app, "suspend")
        for _ in 0..<5 {
            let current = try await store.read(key)
            let attributes = ["by": by, "reason": reason, "at": String(time.timeIntervalSince1970)]
            if try await store.write(key, attributes, replacing: current?.version) != nil { return }
        }
        throw CoordinationError("another host changed the suspension of \(app) at the same time; run suspend again")
    }

    /// Lifts the suspension of `app`; false when there was none.
    @discardableResult
    /// The state folder's suspension (`local`) is lifted too, so that nothing recorded for `app` still holds.
    public func resume(_ app: String) async throws -> Bool {
        var lifted = try await Self.resume(app, in: store)
        if let local { lifted = try await Self.resume(app, in: local) || lifted }
        return lifted
    }

    private static func resume(_ app: String, in store: any CoordinationStore) async throws -> Bool {
        let key = key(app, "suspend")
        for _ in 0..<5 {
            guard let current = try await store.read(key) else { return false }
            if try await store.delete(key, expected: current.version) { return true }
        }
        throw CoordinationError("another host changed the suspension of \(app) at the same time; run resume again")
    }

    // MARK: Acting on an app

    /// What this host may do for an app it has changes to make for.
    public enum Permission: Sendable {
        /// Act; renew the lease while waiting, release it after.
        case proceed(Lease?)
        /// Another host began to apply a commit that is not an ancestor of this host's: change nothing.
        case stale(recorded: String, byHost: String, yours: String)
        /// Another host holds the app's lease: it is acting.
        case leaseHeld(by: String, until: Date)
        /// The store could not be read or written: do not act (never act alone).
        case unavailable(String)
    }

    /// How the commit the fence records relates to this host's commit.
    public enum Ancestry: Sendable {
        /// The recorded commit is this host's commit or an ancestor of it: moving forward.
        case ancestorOrEqual
        /// Newer, on another branch, or unknown to this host even after a fetch.
        case notAncestor(String)
    }

    /// Takes the app's lease, then checks and moves the commit fence to `commit`.
    /// - Parameter ancestry: how a recorded commit relates to `commit` (the caller fetches once when it is unknown).
    /// - Parameter activeRegion: the app's active region at `commit`, recorded with the fence (the divergence rule).
    public func begin(
        app: String, commit: CommitInfo, activeRegion: String? = nil, ancestry: @Sendable (String) async -> Ancestry
    ) async -> Permission {
        guard shared else { return .proceed(nil) }
        do {
            let lease: Lease
            switch try await acquireLease(app) {
            case let .acquired(acquired): lease = acquired
            case let .held(by, until): return .leaseHeld(by: by, until: until)
            case let .unreadable(why): return .unavailable(why)
            }
            if let refusal = try await moveFence(app, to: commit, activeRegion: activeRegion, ancestry: ancestry) {
                await lease.release()
                return refusal
            }
            return .proceed(lease)
        } catch {
            return .unavailable("\(store.name) cannot be used (\(error)); not acting on \(app) without it")
        }
    }

    enum LeaseAttempt { case acquired(Lease), held(String, Date), unreadable(String) }

    func acquireLease(_ app: String, now: Date = Date()) async throws -> LeaseAttempt {
        let key = Self.key(app, "lease")
        for _ in 0..<5 {
            let current = try await store.read(key)
            if let current, current["holder"] != host {
                // Read strictly: a lease whose holder or expiry cannot be read is held by someone else, never expired.
                guard let holder = current["holder"], let expires = current["expiresAt"].flatMap(Double.init),
                    current.version != LockRecord.unreadableVersion
                else {
                    return .unreadable(
                        "the lease item of \(app) in \(store.name) cannot be read (holder \(current["holder"] ?? "unreadable"), "
                            + "expiresAt \(current["expiresAt"] ?? "unreadable")); counted as held by another host. "
                            + "Delete the item once no host acts on \(app)")
                }
                if expires > now.timeIntervalSince1970 { return .held(holder, Date(timeIntervalSince1970: expires)) }
            }
            let token = (current?["token"].flatMap(Int.init) ?? 0) + 1
            let expires = now.addingTimeInterval(leaseDuration.seconds)
            let attributes = ["holder": host, "expiresAt": String(expires.timeIntervalSince1970), "token": String(token)]
            if let version = try await store.write(key, attributes, replacing: current?.version) {
                return .acquired(Lease(store: store, key: key, host: host, token: token, version: version, duration: leaseDuration, expires: expires))
            }
        }
        let current = try await store.read(key)
        return .held(current?["holder"] ?? "another host", current?["expiresAt"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) } ?? now)
    }

    func moveFence(
        _ app: String, to commit: CommitInfo, activeRegion: String?, ancestry: @Sendable (String) async -> Ancestry
    ) async throws -> Permission? {
        let key = Self.key(app, "fence")
        for _ in 0..<5 {
            let current = try await store.read(key)
            if let recorded = current?["commit"], recorded != commit.id.hex {
                if case let .notAncestor(why) = await ancestry(recorded) {
                    return .stale(recorded: recorded, byHost: current?["host"] ?? "?", yours: commit.id.hex + " (\(why))")
                }
            } else if current != nil {
                return nil  // this commit is already the fence
            }
            let generation = (current?["generation"].flatMap(Int.init) ?? 0) + 1
            var attributes = [
                "commit": commit.id.hex, "committedAt": String(commit.committer.time.timeIntervalSince1970),
                "host": host, "generation": String(generation),
            ]
            if let activeRegion { attributes["activeRegion"] = activeRegion }
            if try await store.write(key, attributes, replacing: current?.version) != nil { return nil }
        }
        throw CoordinationError("the commit fence of \(app) kept changing under this host")
    }
}

/// A suspension of an app: nothing is done for it by any host until it is resumed.
public struct Suspension: Sendable, Codable, Equatable {
    public var app: String
    public var by: String
    public var at: Date?
    public var reason: String

    public init(app: String, by: String, at: Date?, reason: String) {
        self.app = app
        self.by = by
        self.at = at
        self.reason = reason
    }

    /// `suspended by NAME at TIME: REASON`.
    public var description: String {
        "suspended by \(by)\(at.map { " at \(Timestamp.format($0))" } ?? ""): \(reason)"
    }
}

/// This host's lease on an app: valid until it expires or another host takes it; renewed while AWS is waited on.
public final class Lease: Sendable {
    let store: any CoordinationStore
    let key: String
    let host: String
    /// The fencing token: bumped by every acquisition, so a later holder's token is always higher.
    public let token: Int
    let duration: Duration
    private let state: Locked<(version: Int, expires: Date, lost: Bool)>

    init(store: any CoordinationStore, key: String, host: String, token: Int, version: Int, duration: Duration, expires: Date) {
        self.store = store
        self.key = key
        self.host = host
        self.token = token
        self.duration = duration
        state = Locked((version, expires, false))
    }

    /// Whether this host may still act: not lost, and not expired (with a margin for a call in flight).
    public var isValid: Bool {
        state.withLock { !$0.lost && $0.expires.timeIntervalSinceNow > duration.seconds / 5 }
    }

    /// Extends the lease; marks it lost when another host took it.
    public func renew(now: Date = Date()) async {
        let (version, lost) = state.withLock { ($0.version, $0.lost) }
        guard !lost else { return }
        let expires = now.addingTimeInterval(duration.seconds)
        let attributes = ["holder": host, "expiresAt": String(expires.timeIntervalSince1970), "token": String(token)]
        do {
            if let next = try await store.write(key, attributes, replacing: version) {
                state.withLock { $0 = (next, expires, false) }
            } else {
                state.withLock { $0.lost = true }
            }
        } catch {
            // Unreachable: keep the old expiry; `isValid` turns false by itself when it passes.
        }
    }

    /// Renews every third of the duration until cancelled.
    public func keepRenewed() -> Task<Void, Never> {
        Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: duration / 3)
                if Task.isCancelled { return }
                await renew()
            }
        }
    }

    /// Gives the lease up, so another host may act at once.
    public func release() async {
        let (version, lost) = state.withLock { ($0.version, $0.lost) }
        guard !lost else { return }
        _ = try? await store.delete(key, expected: version)
        state.withLock { $0.lost = true }
    }
}
