import Foundation
import SwitchyardTestSupport
import Testing

@Suite("A lock table whose region does not answer costs seconds, and every error names it", .serialized)
struct LockTableTimeoutTests {
    @Test(
        "suspend and resume with the lock table's endpoint blackholed fail in seconds, naming the table, its region and --lock-region",
        arguments: [["suspend", "--reason", "manual DNS change"], ["resume"]], [nil, "2s"])
    func blackholedTable(command: [String], lockTimeout: String?) async throws {
        let world = try await ReliabilityWorld.make(lockTable: true)
        defer { world.close() }
        let app = try #require(world.apps.first).name
        try await world.proxy.add(.blackhole(service: "dynamodb"))
        // The AWS client's own defaults are 30 s per attempt, 3 attempts: the message proves the lock table's bound ended
        // it (no wall-clock assertion: a loaded machine must delay a test, not fail it).
        let result = try await world.switchyard(
            [command[0], app] + command.dropFirst() + (lockTimeout.map { ["--lock-timeout", $0] } ?? []),
            environment: ["AWS_REGION": "us-east-1"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("lock table \(ReliabilityWorld.lockTableName) in us-east-1"), "\(result.stderr)")
        #expect(result.stderr.contains("--lock-region"), "\(result.stderr)")
        #expect(result.stderr.contains("no answer within \(lockTimeout ?? "10s")"), "\(result.stderr)")
    }
}
