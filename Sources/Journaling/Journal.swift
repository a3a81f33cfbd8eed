import Basics
import Foundation
import GRDB

/// The service's audit trail and memory: an SQLite database (WAL, one transaction per write) in the state folder.
///
/// `passes`, `calls` and `app_events` are append-only (a finished pass only gets its end filled in; an app event is
/// appended when the app's conclusion changed); `app_state` holds each app's last attempted and last applied commit. Every write is committed before the
/// AWS call it announces is made, so a SIGKILL loses nothing that happened.
public final class Journal: Sendable {
    /// The database file's name inside the state folder.
    public static let fileName = "journal.sqlite"

    let pool: DatabasePool

    /// Opens (creating and migrating when needed) the journal in `stateDirectory`.
    /// - Parameter readOnly: for `history` and tests reading a journal another process writes.
    /// - Throws: `JournalError` naming the file.
    public init(stateDirectory: String, readOnly: Bool = false) throws(JournalError) {
        let path = "\(stateDirectory)/\(Self.fileName)"
        // Said as what it is, before SQLite answers something about permissions or a missing table.
        if Self.isCopiedWithoutWAL(path, readOnly: readOnly) {
            throw JournalError(path: path, message: Self.copiedWithoutWAL + (readOnly ? "" : Self.moveAside(path)))
        }
        do {
            var configuration = Configuration()
            configuration.readonly = readOnly
            configuration.busyMode = .timeout(5)
            if !readOnly {
                try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
                // FULL: an audit record must survive a power cut too, and writes are few.
                configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            }
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw JournalError(path: path, message: "\(error)" + Self.moveAside(path), cause: error)
        }
        guard !readOnly else { return }
        // A damaged journal is refused, never appended to: `apply` and `run` check it each time they open it.
        let check: String
        do {
            check = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check").joined(separator: "; ") }
        } catch {
            throw JournalError(path: path, message: "cannot be checked (\(error))" + Self.moveAside(path), cause: error)
        }
        guard check == "ok" else {
            throw JournalError(path: path, message: "is damaged (PRAGMA quick_check: \(check.prefix(300)))" + Self.moveAside(path))
        }
        do {
            try Self.migrator.migrate(pool)
        } catch {
            throw JournalError(path: path, message: "\(error)", cause: error)
        }
    }

    /// What to do with a journal that cannot be used: keep it for the audit, start a new one. Nothing is deleted.
    static func moveAside(_ path: String) -> String {
        "; nothing was changed. Keep it for the audit trail and start a new one: stop switchyard, then "
            + "`mv \(path) \(path).damaged` (and its -wal and -shm files), and run again"
    }

    /// Whether a journal exists in `stateDirectory`.
    public static func exists(in stateDirectory: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(stateDirectory)/\(fileName)")
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "app_state") { t in
                t.primaryKey("app", .text)
                t.column("last_attempted_commit", .text)
                t.column("last_applied_commit", .text)
                // The hash of the app's file at the last applied commit: `--drift report` tells a hand-made drift
                // (same file, converged before) from a change still to apply.
                t.column("applied_spec_hash", .text)
                t.column("updated_at", .double).notNull()
            }
            try db.create(table: "passes") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("started_at", .double).notNull()
                t.column("finished_at", .double)
                t.column("trigger", .text).notNull()
                t.column("commit", .text)
                t.column("outcome", .text).notNull()
                t.column("error", .text)
            }
            try db.create(table: "calls") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("pass_id", .integer).references("passes")
                t.column("time", .double).notNull()
                t.column("app", .text).notNull()
                t.column("commit", .text)
                t.column("active_region", .text)
                t.column("action", .text).notNull()
                t.column("resource", .text).notNull()
                t.column("region", .text).notNull()
                t.column("phase", .text).notNull()
                t.column("aws_request_id", .text)
                t.column("message", .text)
            }
            try db.create(index: "calls_by_app", on: "calls", columns: ["app", "time"])
            try db.create(table: "app_events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("pass_id", .integer).references("passes")
                t.column("time", .double).notNull()
                t.column("app", .text).notNull()
                t.column("commit", .text).notNull()
                t.column("active_region", .text).notNull()
                t.column("verdict", .text).notNull()
                t.column("applied", .boolean).notNull()
            }
            try db.create(index: "app_events_by_app", on: "app_events", columns: ["app", "time"])
        }
        migrator.registerMigration("v2: indexes for one commit's rows") { db in
            try db.create(index: "calls_by_app_commit", on: "calls", columns: ["app", "commit"])
            try db.create(index: "app_events_by_app_commit", on: "app_events", columns: ["app", "commit"])
        }
        migrator.registerMigration("v3: each call's resource kind and failover phase") { db in
            try db.alter(table: "calls") { t in
                t.add(column: "kind", .text)
                t.add(column: "step_phase", .text)
            }
        }
        migrator.registerMigration("v4: the live facts last observed per app") { db in
            // What the kinds last read (JSON): a figure from a region that cannot be read now (the failed one).
            try db.create(table: "live_facts") { t in
                t.primaryKey("app", .text)
                t.column("facts", .text).notNull()
                t.column("updated_at", .double).notNull()
            }
        }
        return migrator
    }

    // MARK: Writing

    /// Records the start of a pass; returns its id.
    public func beginPass(trigger: String, at time: Date = Date()) throws(JournalError) -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO passes (started_at, trigger, outcome) VALUES (?, ?, 'running')",
                arguments: [time.timeIntervalSince1970, trigger])
            return db.lastInsertedRowID
        }
    }

    /// Fills in the end of a pass: the commit it read (when it got that far), its outcome and any error.
    public func finishPass(_ id: Int64, commit: String?, outcome: PassOutcome, error: String?, at time: Date = Date()) throws(JournalError) {
        try write { db in
            try db.execute(
                sql: "UPDATE passes SET finished_at = ?, \"commit\" = ?, outcome = ?, error = ? WHERE id = ?",
                arguments: [time.timeIntervalSince1970, commit, outcome.rawValue, error, id])
        }
    }

    /// Appends one mutating call's record (before it is made, after it answered, or its failure).
    public func record(_ call: CallRecord) throws(JournalError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO calls (pass_id, time, app, "commit", active_region, kind, step_phase, action, resource, region, phase,
                        aws_request_id, message)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    call.passID, call.time.timeIntervalSince1970, call.app, call.commit, call.activeRegion, call.kind, call.stepPhase,
                    call.action, call.resource, call.region, call.phase, call.requestID, call.message,
                ])
        }
    }

    /// Keeps the live facts last observed for `app` (JSON), replacing what was kept.
    public func rememberFacts(app: String, json: String, at time: Date = Date()) throws(JournalError) {
        try write { db in
            try db.execute(
                sql:
                    "INSERT INTO live_facts (app, facts, updated_at) VALUES (?, ?, ?) ON CONFLICT(app) DO UPDATE SET facts = excluded.facts, updated_at = excluded.updated_at",
                arguments: [app, json, time.timeIntervalSince1970])
        }
    }

    /// The live facts last observed, per app (JSON).
    public func rememberedFacts() throws(JournalError) -> [String: String] {
        try read { db in
            Dictionary(
                try Row.fetchAll(db, sql: "SELECT app, facts FROM live_facts").map { ($0["app"] as String, $0["facts"] as String) },
                uniquingKeysWith: { a, _ in a })
        }
    }

    /// Records what a pass concluded for one app, and moves its last attempted (and, when converged, applied) commit.
    public func recordApp(_ event: AppEvent) throws(JournalError) {
        try recordApps([event])
    }

    /// Records what a pass concluded for each app, in one transaction, and moves each app's last attempted (and, when
    /// converged, applied) commit.
    ///
    /// `app_events` keeps changes only: a conclusion equal to the app's previous one (same commit, region, verdict and
    /// convergence) is not appended again, so an idle daemon does not add a row per app every interval. The first
    /// pass to reach each conclusion, which `history` and the dwell gate read, is always there.
    public func recordApps(_ events: [AppEvent]) throws(JournalError) {
        try write { db in
            for event in events {
                let now = event.time.timeIntervalSince1970
                let previous = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT "commit", active_region, verdict, applied FROM app_events WHERE app = ? ORDER BY time DESC, id DESC LIMIT 1
                        """, arguments: [event.app])
                let unchanged =
                    previous.map { row in
                        row["commit"] == event.commit && row["active_region"] == event.activeRegion && row["verdict"] == event.verdict
                            && row["applied"] == event.converged
                    } ?? false
                if !unchanged {
                    try db.execute(
                        sql: """
                            INSERT INTO app_events (pass_id, time, app, "commit", active_region, verdict, applied) VALUES (?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [event.passID, now, event.app, event.commit, event.activeRegion, event.verdict, event.converged])
                }
                try db.execute(
                    sql: """
                        INSERT INTO app_state (app, last_attempted_commit, last_applied_commit, applied_spec_hash, updated_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(app) DO UPDATE SET last_attempted_commit = excluded.last_attempted_commit,
                            last_applied_commit = COALESCE(excluded.last_applied_commit, app_state.last_applied_commit),
                            applied_spec_hash = COALESCE(excluded.applied_spec_hash, app_state.applied_spec_hash),
                            updated_at = excluded.updated_at
                        """,
                    arguments: [
                        event.app, event.commit, event.converged ? event.commit : nil,
                        event.converged ? event.specHash : nil, now,
                    ])
            }
        }
    }

    // MARK: Reading

    /// Every app's last attempted and applied commit.
    public func appStates() throws(JournalError) -> [String: AppState] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM app_state")
            var states: [String: AppState] = [:]
            for row in rows {
                let app: String = row["app"]
                states[app] = AppState(
                    app: app, lastAttemptedCommit: row["last_attempted_commit"], lastAppliedCommit: row["last_applied_commit"],
                    appliedSpecHash: row["applied_spec_hash"], updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
            }
            return states
        }
    }

    /// Per app, the active region of the last commit it converged to.
    public func lastAppliedRegions() throws(JournalError) -> [String: String] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT app, active_region FROM app_events
                    WHERE id IN (SELECT MAX(id) FROM app_events WHERE applied = 1 GROUP BY app)
                    """)
            return Dictionary(rows.map { ($0["app"] as String, $0["active_region"] as String) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// The active regions of the commits this host journaled calls for, for `app`, since it last converged: a live
    /// state in one of them is Switchyard's own doing (a failover it began, superseded or interrupted).
    public func regionsActedOn(app: String) throws(JournalError) -> Set<String> {
        try read { db in
            let since =
                try Double.fetchOne(db, sql: "SELECT MAX(time) FROM app_events WHERE app = ? AND applied = 1", arguments: [app]) ?? 0
            let regions = try String.fetchAll(
                db, sql: "SELECT DISTINCT active_region FROM calls WHERE app = ? AND time > ? AND active_region IS NOT NULL",
                arguments: [app, since])
            return Set(regions)
        }
    }

    /// The passes, oldest first (or only the last `limit`).
    public func passes(limit: Int? = nil) throws(JournalError) -> [PassRecord] {
        try read { db in
            let sql = "SELECT * FROM (SELECT * FROM passes ORDER BY id DESC LIMIT ?) ORDER BY id"
            return try Row.fetchAll(db, sql: sql, arguments: [limit ?? -1]).map { row in
                PassRecord(
                    id: row["id"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    trigger: row["trigger"], commit: row["commit"],
                    outcome: PassOutcome(rawValue: row["outcome"]) ?? .failed, error: row["error"])
            }
        }
    }

    /// The recorded calls, oldest first; only `app`'s when given.
    public func calls(app: String? = nil) throws(JournalError) -> [CallRecord] {
        try read { db in
            let rows =
                try app.map { try Row.fetchAll(db, sql: "SELECT * FROM calls WHERE app = ? ORDER BY id", arguments: [$0]) }
                ?? Row.fetchAll(db, sql: "SELECT * FROM calls ORDER BY id")
            return rows.map(Self.callRecord)
        }
    }

    /// The app's calls for one commit, oldest first.
    public func calls(app: String, commit: String) throws(JournalError) -> [CallRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM calls WHERE app = ? AND \"commit\" = ? ORDER BY id", arguments: [app, commit])
                .map(Self.callRecord)
        }
    }

    /// The app's conclusions at one commit, oldest first.
    public func appEvents(app: String, commit: String) throws(JournalError) -> [AppEvent] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM app_events WHERE app = ? AND \"commit\" = ? ORDER BY id", arguments: [app, commit])
                .map(Self.appEvent)
        }
    }

    /// The app's last recorded conclusion before `time` (conclusions are recorded when they change, so a `diverged`
    /// one is when the divergence was first seen).
    public func lastEvent(app: String, before time: Date) throws(JournalError) -> AppEvent? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM app_events WHERE app = ? AND time < ? ORDER BY time DESC, id DESC LIMIT 1",
                arguments: [app, time.timeIntervalSince1970]
            ).map(Self.appEvent)
        }
    }

    /// The newest commit the journal holds calls for, for `app`; with `prefix`, the newest whose id starts with it.
    public func lastCommitWithCalls(app: String, matching prefix: String? = nil) throws(JournalError) -> String? {
        try read { db in
            if let prefix {
                return try String.fetchOne(
                    db, sql: "SELECT \"commit\" FROM calls WHERE app = ? AND substr(\"commit\", 1, ?) = ? ORDER BY id DESC LIMIT 1",
                    arguments: [app, prefix.count, prefix])
            }
            return try String.fetchOne(db, sql: "SELECT \"commit\" FROM calls WHERE app = ? ORDER BY id DESC LIMIT 1", arguments: [app])
        }
    }

    static func callRecord(_ row: Row) -> CallRecord {
        CallRecord(
            passID: row["pass_id"], time: Date(timeIntervalSince1970: row["time"]), app: row["app"], commit: row["commit"],
            activeRegion: row["active_region"], kind: row["kind"], stepPhase: row["step_phase"], action: row["action"],
            resource: row["resource"], region: row["region"], phase: row["phase"], requestID: row["aws_request_id"], message: row["message"])
    }

    static func appEvent(_ row: Row) -> AppEvent {
        AppEvent(
            passID: row["pass_id"], time: Date(timeIntervalSince1970: row["time"]), app: row["app"], commit: row["commit"],
            activeRegion: row["active_region"], verdict: row["verdict"], converged: row["applied"])
    }

    /// What each pass concluded per app, oldest first; only `app`'s when given.
    public func appEvents(app: String? = nil) throws(JournalError) -> [AppEvent] {
        try read { db in
            let rows =
                try app.map { try Row.fetchAll(db, sql: "SELECT * FROM app_events WHERE app = ? ORDER BY id", arguments: [$0]) }
                ?? Row.fetchAll(db, sql: "SELECT * FROM app_events ORDER BY id")
            return rows.map(Self.appEvent)
        }
    }

    /// SQLite's journal mode: `wal` (for tests).
    func journalMode() throws(JournalError) -> String? {
        try read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try pool.write(body) } catch { throw JournalError(path: pool.path, message: "\(error)", cause: error) }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try pool.read(body) } catch { throw JournalError(path: pool.path, message: "\(error)", cause: error) }
    }
}

/// How a pass ended.
public enum PassOutcome: String, Sendable, Codable {
    /// Still running, or the process died during it.
    case running
    /// Every app converged (in sync, or AWS finishing work it accepted).
    case converged
    /// Some app is not converged: degraded, failed or blocked. Retried with backoff.
    case notConverged = "not-converged"
    /// `--drift report`: live state drifted from an applied commit; reported, not corrected.
    case driftReported = "drift-reported"
    /// The commit is invalid; nothing was applied, the last applied state stands.
    case invalid
    /// The commit gate (e.g. signature policy) refused the commit; nothing was applied.
    case refused
    /// The repository could not be read or fetched.
    case fetchFailed = "fetch-failed"
    /// A newer commit arrived and took over at a safe point.
    case superseded
    /// Stopped at a safe point by SIGTERM/SIGINT.
    case interrupted
    /// Another host already began to apply a newer commit for some app (the commit fence): this host changed nothing
    /// for it.
    case stale
    /// The journal could not be written, so no mutating call was made (journal before call).
    case journalUnwritable = "journal-unwritable"
    /// Anything else that stopped the pass.
    case failed

    /// Whether `/readyz` answers 200 after a pass that ended so.
    public var isReady: Bool { self == .converged }

    /// The outcome as a stable code.
    public var code: Code { Code(rawValue) }
}

/// A mutating AWS call, as the journal keeps it.
public struct CallRecord: Sendable, Codable, Equatable {
    public var passID: Int64?
    public var time: Date
    public var app: String
    public var commit: String?
    /// The active region the commit declares for the app: lets `history` tie the call to a flip.
    public var activeRegion: String?
    /// The resource kind whose step made the call (`aurora-global-database`); nil in rows from before journal v3.
    public var kind: String?
    /// The failover phase of that step (`promoteData`, `moveTraffic`, …); nil in rows from before journal v3.
    public var stepPhase: String?
    public var action: String
    public var resource: String
    public var region: String
    /// The journal's phase of the call: `calling`, `called`, `failed` or `stopped`.
    public var phase: String
    public var requestID: String?
    public var message: String?

    public init(
        passID: Int64?, time: Date = Date(), app: String, commit: String?, activeRegion: String?, kind: String? = nil,
        stepPhase: String? = nil, action: String, resource: String, region: String, phase: String, requestID: String? = nil,
        message: String? = nil
    ) {
        self.passID = passID
        self.time = time
        self.app = app
        self.commit = commit
        self.activeRegion = activeRegion
        self.kind = kind
        self.stepPhase = stepPhase
        self.action = action
        self.resource = resource
        self.region = region
        self.phase = phase
        self.requestID = requestID
        self.message = message
    }
}

/// What one pass concluded for one app.
public struct AppEvent: Sendable, Codable, Equatable {
    public var passID: Int64?
    public var time: Date
    public var app: String
    public var commit: String
    public var activeRegion: String
    public var verdict: String
    /// Converged at `commit`: it becomes the app's last applied commit.
    public var converged: Bool
    /// The hash of the app's file at `commit` (not kept in `app_events`).
    public var specHash: String?

    public init(
        passID: Int64?, time: Date = Date(), app: String, commit: String, activeRegion: String, verdict: String, converged: Bool,
        specHash: String? = nil
    ) {
        self.passID = passID
        self.time = time
        self.app = app
        self.commit = commit
        self.activeRegion = activeRegion
        self.verdict = verdict
        self.converged = converged
        self.specHash = specHash
    }
}

/// An app's last attempted and last applied commit.
public struct AppState: Sendable, Codable, Equatable {
    public var app: String
    public var lastAttemptedCommit: String?
    public var lastAppliedCommit: String?
    /// The hash of the app's file at the last applied commit.
    public var appliedSpecHash: String?
    public var updatedAt: Date
}

/// One pass, as the journal keeps it.
public struct PassRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var startedAt: Date
    public var finishedAt: Date?
    public var trigger: String
    public var commit: String?
    public var outcome: PassOutcome
    public var error: String?
}

/// The journal could not be opened, read or written.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// What SQLite (or the file system) said, when it said something.
    public var cause: (any Error & Sendable)?

    public init(path: String, message: String, cause: (any Error & Sendable)? = nil) {
        self.path = path
        self.message = message
        self.cause = cause
    }

    public var description: String {
        "journal \(path): \(message)"
            + (message.contains("nothing was changed") || message.hasPrefix("has no tables")
                ? "" : "; check the state folder's permissions and free space")
    }
}
