import Reconciler
import Basics
import Foundation
import Journaling
import SwitchyardTestSupport
import Testing

/// Which cases run: `quick` (a handful, in the normal `swift test`) or `long` (`SWITCHYARD_PROFILE=long`, scripts/reliability.sh).
enum Profile {
    static let isLong = ProcessInfo.processInfo.environment["SWITCHYARD_PROFILE"] == "long"
    static var name: String { isLong ? "long" : "quick" }
}

/// The emulator with N Unishop apps, the fault proxy in front of it, and a repository describing the apps.
final class ReliabilityWorld: @unchecked Sendable {
    let emulator: Emulator
    let proxy: FaultProxy
    let apps: [Emulator.Topology]
    let git: GitFixture
    let repo: String
    let stateDir: String
    let standby: String
    let promotion: String

    /// The timeouts every AWS-calling command of the world gets.
    let awsArguments: [String]

    /// - Parameter attemptTimeout: short, so a blackholed call fails in seconds rather than the 30 s default; the crash
    ///   matrix makes it long, so a request the proxy holds stays held until the test kills the process.
    /// Commands run with `SWITCHYARD_LOCK_TABLE` (a table the world creates in the emulator) when true.
    let lockTable: Bool
    /// The apps' `capacity.standby` (the region left is lowered to it in `release`), when set.
    let capacityStandby: Int?

    init(
        apps count: Int = 1, failoverSeconds: Double = 1, standby: String = "fenced", promotion: String = "switchover",
        attemptTimeout: String = "2s", lockTable: Bool = false, documentDB: Bool = false, compute: Bool = false,
        capacityStandby: Int? = nil
    ) throws {
        self.lockTable = lockTable
        self.capacityStandby = capacityStandby
        awsArguments = ["--connect-timeout", "1s", "--attempt-timeout", attemptTimeout]
        emulator = try Emulator(failoverSeconds: failoverSeconds)
        do {
            proxy = try FaultProxy(emulator)
        } catch {
            emulator.stop()
            throw error
        }
        do {
            apps = try emulator.createTopology(count: count, documentdb: documentDB, compute: compute)
            git = try GitFixture()
            repo = git.path("repo")
            stateDir = git.path("state")
            self.standby = standby
            self.promotion = promotion
            try FileManager.default.createDirectory(atPath: repo + "/desired-state", withIntermediateDirectories: true)
            try git.git("init", "-q", in: repo)
            try commit(activeRegion: "us-east-1", message: "Describe the apps")
            if lockTable { try emulator.createLockTable(Self.lockTableName) }
        } catch {
            proxy.stop()
            emulator.stop()
            throw error
        }
    }

    /// Commits every app active in `region`; returns the commit id.
    @discardableResult
    func commit(activeRegion region: String, message: String) throws -> String {
        for app in apps {
            try git.write(
                app.yaml(activeRegion: region, standby: standby, promotion: promotion, capacityStandby: capacityStandby),
                to: "\(repo)/desired-state/\(app.name).yaml")
        }
        try git.git("add", "-A", in: repo)
        try git.git("commit", "-q", "-m", message, in: repo)
        return try git.git("rev-parse", "HEAD", in: repo)
    }

    /// `switchyard apply` arguments with this world's state folder.
    var applyArguments: [String] { ["apply", "--poll-interval", "200ms", "--state-dir", stateDir] + awsArguments }

    /// `switchyard run` arguments with this world's state folder.
    func runArguments(once: Bool, interval: String = "1s") -> [String] {
        [
            "run", "--repo", repo, "--cache-dir", git.path("cache"), "--state-dir", stateDir, "--listen", "127.0.0.1:0",
            "--interval", interval, "--retry-interval", "500ms", "--poll-interval", "200ms",
        ] + (once ? ["--once"] : []) + awsArguments
    }

    /// Everything a Switchyard process needs to reach AWS through the proxy, and this world's state folder.
    var environment: [String: String] {
        proxy.awsEnvironment(emulator).merging(["STATE_DIRECTORY": stateDir]) { $1 }
            .merging(lockTable ? ["SWITCHYARD_LOCK_TABLE": Self.lockTableName, "AWS_REGION": "us-east-1"] : [:]) { $1 }
    }

    static let lockTableName = "switchyard-locks"

    /// Runs switchyard to its end, through the proxy (off the cooperative pool: see `offPool`).
    func switchyard(_ args: [String], environment extra: [String: String] = [:]) async throws -> CLI.Result {
        let (repo, environment) = (repo, environment.merging(extra) { $1 })
        return try await offPool { try CLI.run(args, in: repo, environment: environment) }
    }

    /// Sets up a world off the cooperative pool (topology.py and git block for seconds).
    static func make(
        apps: Int = 1, failoverSeconds: Double = 1, standby: String = "fenced", promotion: String = "switchover",
        attemptTimeout: String = "2s", lockTable: Bool = false, documentDB: Bool = false, compute: Bool = false,
        capacityStandby: Int? = nil
    ) async throws -> ReliabilityWorld {
        try await offPool {
            try ReliabilityWorld(
                apps: apps, failoverSeconds: failoverSeconds, standby: standby, promotion: promotion, attemptTimeout: attemptTimeout,
                lockTable: lockTable, documentDB: documentDB, compute: compute, capacityStandby: capacityStandby)
        }
    }

    /// Starts switchyard in the background (stderr in a file), through the proxy.
    func start(_ args: [String], environment extra: [String: String] = [:]) throws -> ServiceProcess {
        try ServiceProcess(args, in: repo, environment: environment.merging(extra) { $1 })
    }

    /// The journal, read as `status` and `history` read it.
    func journal() throws -> Journal { try Journal(stateDirectory: stateDir, readOnly: true) }

    /// One app's live state as boto3 reads it.
    struct Live: Equatable, CustomStringConvertible {
        var writer: String?
        var origins: [String]
        var primaryBucket: String?
        var secondaryBucket: String?
        /// The DocumentDB global cluster's writer, for apps that have one.
        var documentDBWriter: String?
        var description: String {
            "writer \(writer ?? "none"), origins \(origins), buckets us-east-1 \(primaryBucket ?? "?") us-west-1 \(secondaryBucket ?? "?")"
                + (documentDBWriter.map { ", DocumentDB writer \($0)" } ?? "")
        }
    }

    /// Every app's live state, read with boto3 in one `emulator/inspect_state.py` run.
    func live() async throws -> [String: Live] {
        try await offPool { try self.readLive() }
    }

    private func readLive() throws -> [String: Live] {
        let state = try emulator.inspect(
            buckets: apps.flatMap { [("us-east-1", $0.primaryBucket), ("us-west-1", $0.secondaryBucket)] },
            distributions: apps.map(\.distributionID), globalClusters: apps.map(\.globalClusterID) + apps.compactMap(\.documentDB?.globalClusterID))
        let origins = state["origins"] as? [String: [String]] ?? [:]
        let buckets = state["buckets"] as? [String: String] ?? [:]
        let globals = state["global_clusters"] as? [String: [String: Any]] ?? [:]
        var result: [String: Live] = [:]
        for app in apps {
            result[app.name] = Live(
                writer: globals[app.globalClusterID]?["writer"] as? String, origins: origins[app.originGroupID] ?? [],
                primaryBucket: buckets[app.primaryBucket], secondaryBucket: buckets[app.secondaryBucket],
                documentDBWriter: app.documentDB.flatMap { globals[$0.globalClusterID]?["writer"] as? String })
        }
        return result
    }

    /// The live state of an app that converged to `region` with this world's standby mode.
    func converged(_ app: Emulator.Topology, to region: String) -> Live {
        let west = region == "us-west-1"
        let fenced = standby == "fenced"
        return Live(
            writer: west ? app.secondaryClusterARN : app.primaryClusterARN,
            origins: west ? [app.secondaryOrigin, app.primaryOrigin] : [app.primaryOrigin, app.secondaryOrigin],
            primaryBucket: west && fenced ? "blocked" : "open", secondaryBucket: !west && fenced ? "blocked" : "open",
            documentDBWriter: app.documentDB.map { west ? $0.secondaryClusterARN : $0.primaryClusterARN })
    }

    func close() {
        proxy.stop()
        emulator.stop()
        git.remove()
    }
}

/// Runs blocking work (a child process to its end) on a dispatch thread: the cooperative pool has one thread per
/// core, and tests blocking it starve the others' polls, so a crash point would be seen seconds late.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Polls `condition` every 50 ms until it holds, or fails after `timeout` seconds of checking (counted in checks, so a
/// neighbouring test that blocks the cooperative threads delays the wait rather than failing it).
func waitFor(_ what: String, timeout: Double = 60, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<max(1, Int(timeout * 20)) {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    if try await condition() { return }
    throw TestSupportError("timed out after \(Int(timeout)) s waiting for \(what)")
}

/// Expectations that also remember what failed, so a case can record its own result row.
struct Evidence {
    private(set) var failures: [String] = []

    mutating func check(_ ok: Bool, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(ok, Comment(rawValue: what()), sourceLocation: sourceLocation)
        if !ok { failures.append(what()) }
    }

    var passed: Bool { failures.isEmpty }
}

/// The rows docs/RELIABILITY.md's table is rendered from: one JSON line per case, appended to the file
/// `$SWITCHYARD_RELIABILITY_RESULTS` names (scripts/reliability.sh sets it; without it nothing is written).
enum ResultsLog {
    static func record(fault: String, scenario: String, evidence: Evidence, outcome: String, figures: [String: Any] = [:]) {
        guard let path = ProcessInfo.processInfo.environment["SWITCHYARD_RELIABILITY_RESULTS"], !path.isEmpty else { return }
        var row: [String: Any] = [
            "fault": fault, "case": scenario, "passed": evidence.passed, "profile": Profile.name,
            "outcome": evidence.passed ? outcome : "FAILED: " + evidence.failures.joined(separator: "; "),
        ]
        row["figures"] = figures
        guard var line = try? JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]) else { return }
        line.append(UInt8(ascii: "\n"))
        // O_APPEND writes of one short line do not interleave between the cases running in parallel.
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

/// At most `limit` cases of a parameterized test at once: the long profile's crash matrix has 52 cases, each with
/// its own emulator and proxy, and all at once on 2 cores stretch every timing the cases rely on.
actor CaseSlots {
    static let crashMatrix = CaseSlots(limit: 8)

    let limit: Int
    private var used = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let value = try await body()
            release()
            return value
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async {
        if used < limit {
            used += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { used -= 1 } else { waiting.removeFirst().resume() }
    }
}
