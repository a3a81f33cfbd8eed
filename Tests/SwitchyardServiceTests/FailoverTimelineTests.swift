@testable import Presentation
@testable import Reconciler
import Foundation
@testable import Journaling
import Testing

@Suite("The failover timeline, from journal rows")
struct FailoverTimelineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func call(_ offset: Double, _ action: String, _ phase: String, commit: String = "c2", requestID: String? = nil) -> CallRecord {
        CallRecord(
            passID: 1, time: t0 + offset, app: "hot", commit: commit, activeRegion: "us-west-1", action: action,
            resource: action == "reorderOriginGroup" ? "E1" : "arn:cluster", region: action == "reorderOriginGroup" ? "us-east-1" : "us-west-1",
            phase: phase, requestID: requestID)
    }

    func event(_ offset: Double, _ verdict: String, converged: Bool, commit: String = "c2") -> AppEvent {
        AppEvent(passID: 1, time: t0 + offset, app: "hot", commit: commit, activeRegion: "us-west-1", verdict: verdict, converged: converged)
    }

    @Test("calls pair calling with their answer; the promotion waits until its dependents start; CloudFront until in sync")
    func pairsAndWaits() throws {
        let calls = [
            call(-50, "promoteAurora", "calling", commit: "c1"), call(-49, "promoteAurora", "called", commit: "c1"),
            call(0, "promoteAurora", "calling"), call(0.5, "promoteAurora", "called", requestID: "r1"),
            call(30, "reorderOriginGroup", "calling"), call(31, "reorderOriginGroup", "called", requestID: "r2"),
        ]
        let events = [event(32, "converging", converged: true), event(90, "in sync", converged: true)]
        let timeline = try #require(Journal.timeline(app: "hot", commit: nil, calls: calls, events: events))
        #expect(timeline.commit == "c2", "the last commit with calls")
        #expect(timeline.steps.map(\.action) == ["promoteAurora", "promotion", "reorderOriginGroup", "cloudfront-deployment"])
        #expect(timeline.steps[0].requestID == "r1" && timeline.steps[0].seconds == 0.5)
        #expect(timeline.steps[1].seconds == 29.5, "from the promotion's answer to the next call")
        #expect(timeline.steps[3].seconds == 59, "from the reorder's answer to in sync")
        #expect(timeline.secondsFromFirstActionToConverge == 32)
        #expect(Journal.timeline(app: "hot", commit: "c1", calls: calls, events: events)?.steps.count == 2)
    }

    @Test("a capacity raise beside a promotion: each wait ends when traffic starts, not at the other's call")
    func concurrentWaits() throws {
        func row(_ offset: Double, _ action: String, _ phase: String, _ stepPhase: String) -> CallRecord {
            CallRecord(
                passID: 1, time: t0 + offset, app: "hot", commit: "c2", activeRegion: "us-west-1", stepPhase: stepPhase, action: action,
                resource: action, region: "us-west-1", phase: phase)
        }
        let calls = [
            row(0, "promoteAurora", "calling", "promoteData"), row(0.5, "promoteAurora", "called", "promoteData"),
            row(0.6, "raiseAutoScalingGroup", "calling", "prepare"), row(0.8, "raiseAutoScalingGroup", "called", "prepare"),
            row(20, "reorderOriginGroup", "calling", "moveTraffic"), row(21, "reorderOriginGroup", "called", "moveTraffic"),
        ]
        let timeline = try #require(Journal.timeline(app: "hot", commit: nil, calls: calls, events: [event(22, "converging", converged: true)]))
        let waits = Dictionary(uniqueKeysWithValues: timeline.steps.filter { $0.kind == "wait" }.map { ($0.action, $0) })
        #expect(waits["promotion"]?.seconds == 19.5, "the promotion waits until traffic starts, not until the raise: \(waits)")
        #expect(waits["capacity"]?.seconds.map { abs($0 - 19.2) < 0.001 } == true, "the capacity bar runs until traffic starts: \(waits)")
        #expect(waits["capacity"]?.phase == "prepare" && waits["capacity"]?.outcome == "finished")
    }

    @Test("a call without answer stays open; a failure without calling is a point; nothing converged")
    func unfinished() throws {
        let calls = [call(0, "promoteAurora", "calling"), call(5, "reorderOriginGroup", "failed")]
        let timeline = try #require(Journal.timeline(app: "hot", commit: "c2", calls: calls, events: []))
        #expect(timeline.steps.map(\.outcome) == ["unanswered", "failed"])
        #expect(timeline.steps[0].endedAt == nil)
        #expect(timeline.steps[1].seconds == 0)
        #expect(timeline.convergedAt == nil)
        #expect(Journal.timeline(app: "hot", commit: "other", calls: calls, events: []) == nil)
    }
}
