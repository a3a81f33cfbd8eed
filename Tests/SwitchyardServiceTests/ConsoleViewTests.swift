import Foundation
import GitSource
@testable import Journaling
@testable import Presentation
@testable import Reconciler
import Testing

/// The console's rendering, without a browser: words, escaping, the "under way" rule.
@Suite("The console's page, rendered")
struct ConsoleViewTests {
    static let planJSON = """
        {"schemaVersion": 2, "commit": "old0000000000000", "apps": [{
          "name": "hot", "activeRegion": "us-west-1", "verdict": "drifted",
          "steps": [{"id": "aurora", "action": "promoteAurora", "resource": "arn:aws:rds:us-west-1:1:cluster:b", "region": "us-west-1",
                     "reason": "the writer is in us-east-1 <script>alert(1)</script>", "promotion": "switchover", "dependsOn": []}],
          "blockers": [], "unobserved": [], "inProgress": [], "warnings": [],
          "checks": [{"name": "dwell", "passed": true, "detail": "last change 2 h ago"}],
          "live": {"writerRegion": "us-east-1", "originOrder": ["a", "b"], "distributionStatus": "Deployed", "buckets": {}}}]}
        """

    func document() throws -> PlanDocument { try JSONDecoder().decode(PlanDocument.self, from: Data(Self.planJSON.utf8)) }

    func timeline(at time: Date) -> FailoverTimeline {
        Journal.timeline(
            app: "hot", commit: nil,
            calls: [
                CallRecord(
                    passID: 2, time: time, app: "hot", commit: "new0000000000000", activeRegion: "us-west-1", action: "promoteAurora",
                    resource: "arn:aws:rds:us-west-1:1:cluster:b", region: "us-west-1", phase: "calling")
            ], events: [])!
    }

    @Test("a pending flip reads failover pending; every value is escaped for HTML")
    func wordsAndEscaping() throws {
        let view = ConsoleView(
            document: try document(), commit: nil, ready: false, reason: "last pass not-converged", refusal: nil,
            timelines: [:], lastPassAt: nil)
        let html = view.page()
        #expect(html.contains(">failover pending<"))
        #expect(html.contains("data-verdict=\"drifted\""))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("last change 2 h ago"))
    }

    @Test("calls after the last finished pass, for a newer commit, read \"under way\"; older ones do not")
    func underWay() throws {
        let lastPass = Date(timeIntervalSince1970: 1_800_000_000)
        let running = ConsoleView(
            document: try document(), commit: nil, ready: true, reason: "converged", refusal: nil,
            timelines: ["hot": timeline(at: lastPass + 5)], lastPassAt: lastPass, now: lastPass + 6
        ).fragment()
        #expect(running.contains("failover to us-west-1 under way"))
        #expect(running.contains("data-step=\"promoteAurora\""))
        let abandoned = ConsoleView(
            document: try document(), commit: nil, ready: true, reason: "converged", refusal: nil,
            timelines: ["hot": timeline(at: lastPass - 60)], lastPassAt: lastPass, now: lastPass + 6
        ).fragment()
        #expect(!abandoned.contains("under way"))
        #expect(abandoned.contains(">failover pending<"))
    }

    @Test("what a pass is doing now fills the region card and the verdict; the RTO counts from the deciding commit, as report's")
    func actingAndRTO() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let acting = ConsoleView(
            document: try document(), commit: nil, ready: false, reason: "hot: failover to us-west-1 under way", refusal: nil,
            timelines: [:], lastPassAt: start, acting: ["hot": .init(commit: "new0000000000000", activeRegion: "us-west-1", step: "promote b")],
            now: start + 1
        ).fragment()
        #expect(acting.contains("us-west-1 (failover under way)"))
        #expect(acting.contains("Failover to us-west-1 under way at new000000000: promote b"))
        var converged = timeline(at: start + 5)
        converged.convergedAt = start + 65
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let person = #"{"name": "A", "email": "a@example.com", "time": 1800000000, "utcOffsetMinutes": 0}"#
        let commit = try decoder.decode(
            CommitInfo.self,
            from: Data(
                #"{"id": {"hex": "new0000000000000"}, "author": \#(person), "committer": \#(person), "subject": "Fail over", "message": "Fail over", "parents": []}"#
                    .utf8))
        let page = ConsoleView(
            document: try document(), commit: commit, ready: true, reason: "converged", refusal: nil,
            timelines: ["hot": converged], lastPassAt: start + 70, now: start + 80
        ).fragment()
        #expect(page.contains("time to converge (RTO) 65.0 s"), "\(page)")
    }
}
