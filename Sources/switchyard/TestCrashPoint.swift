import Basics
import Foundation
import Reconciler

/// Test-only: `SWITCHYARD_TEST_CRASH_AT=<phase>:<action>` (the action as `plan --format json` names it) makes `apply` kill itself
/// with SIGKILL right after its journal records that event, so the crash matrix (Tests/ReliabilityTests,
/// docs/RELIABILITY.md) stops it at an exact step boundary: `calling` is just before the AWS call, `called` just
/// after its answer. Unset, as in every deployment, nothing is checked and nothing changes.
struct TestCrashPoint: Sendable {
    static let variable = "SWITCHYARD_TEST_CRASH_AT"

    let phase: JournalEvent.Phase
    let action: StepAction

    /// The crash point the environment names, or nil (the normal case). A malformed value is reported and ignored.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> TestCrashPoint? {
        guard let value = environment[variable], !value.isEmpty else { return nil }
        let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let phase = JournalEvent.Phase(rawValue: parts[0]), !parts[1].isEmpty else {
            Terminal.error("\(variable)=\(value) ignored: expected <calling|called>:<step action>, the action as `plan --format json` names it")
            return nil
        }
        return TestCrashPoint(phase: phase, action: StepAction(parts[1]))
    }

    /// Dies at once, as a power cut would, when `event` is the crash point.
    func check(_ event: JournalEvent) {
        guard event.phase == phase, event.step.action == action else { return }
        Terminal.note("\(Self.variable): crashing at \(phase.rawValue) \(action.rawValue)")
        kill(getpid(), SIGKILL)
    }
}
