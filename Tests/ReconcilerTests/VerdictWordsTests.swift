import DesiredState
import Foundation
import Presentation
import Reconciler
import Testing

@Suite("The words a verdict is shown in")
struct VerdictWordsTests {
    @Test("a pending flip reads \"failover pending\" in plan text and markdown; JSON keeps the stable \"drifted\"")
    func pendingFlip() async throws {
        let plan = await Observer(cloud: primaryCloud()).plan(unishop())
        #expect(Verdict.of(plan) == .drifted)
        let text = PlanRenderer.text([plan], commit: "0123456789abcdef")
        let markdown = PlanRenderer.markdown([plan], commit: "0123456789abcdef")
        #expect(text.contains("— failover pending"))
        #expect(markdown.contains("`us-west-1`: failover pending"))
        #expect(!text.contains("drifted") && !markdown.contains("drifted"))
        let json = String(decoding: try JSONEncoder.switchyard().encode(PlanDocument(commit: "0123", plans: [plan])), as: UTF8.self)
        #expect(json.contains("\"drifted\""))
    }

    @Test("a change that moves no writer still reads \"drifted\"")
    func driftWithoutFlip() async {
        // Fenced, with the standby's bucket open by hand: a block step, no promotion.
        let plan = await Observer(cloud: primaryCloud()).plan(unishop(active: "us-east-1", standby: .fenced))
        #expect(plan.steps.map(\.action) == [.blockBucket])
        #expect(Verdict.of(plan).words(activeRegion: plan.activeRegion, steps: plan.steps, live: plan.live) == "drifted")
    }
}
