import Basics
import AWS
import DesiredState
import Foundation
import Reconciler
import Testing

/// An unknown replication lag says how to proceed, and the override then works; an override that cannot apply, or
/// names no gate, is refused with why, never ignored.
@Suite("Overrides of the safety gates")
struct OverrideTests {
    func lagged(_ cloud: FakeCloud, overrides: Set<String>) async -> AppPlan {
        var app = unishop()
        app.spec.aurora?.maxReplicationLag = .seconds(30)
        return await Observer(cloud: cloud).plan(
            app, safety: SafetyContext(overrides: overrides, overriddenBy: "commit abc by Alice <a@example.com> at T"))
    }

    @Test("no datapoint: the promotion waits and the reading says how to proceed; the replication-lag override lets it go")
    func unknownLag() async {
        let plan = await lagged(primaryCloud(), overrides: [])
        let check = plan.checks.first { $0.name == "replication-lag" }
        #expect(check?.passed == false)
        #expect(check?.detail.contains("Switchyard-Override: replication-lag") == true, "\(check?.detail ?? "")")
        #expect(plan.blockers.contains { $0.code == "replication-lag" })
        let overridden = await lagged(primaryCloud(), overrides: ["replication-lag"])
        #expect(overridden.blockers.isEmpty, "\(overridden.blockers)")
        #expect(overridden.checks.first { $0.name == "replication-lag" }?.detail.contains("overridden by commit abc by Alice") == true)
    }

    @Test("a lag known to be above the limit is not overridden, and the reading says why")
    func knownHighLag() async {
        let cloud = primaryCloud()
        cloud.lag = LagReading(metric: "AuroraGlobalDBReplicationLag", milliseconds: 90_000, timestamp: Date())
        let plan = await lagged(cloud, overrides: ["replication-lag"])
        let check = plan.checks.first { $0.name == "replication-lag" }
        #expect(check?.passed == false)
        #expect(check?.detail.contains("applies only to an unknown lag") == true, "\(check?.detail ?? "")")
    }

    @Test("an override naming no gate blocks the flip, naming the gates that can be overridden", arguments: ["lag", "dwel", "everything"])
    func unknownOverride(value: String) async {
        let plan = await Observer(cloud: primaryCloud()).plan(unishop(), safety: SafetyContext(overrides: [value]))
        let blocker = plan.blockers.first { $0.code == "overrides" }
        #expect(blocker?.reason.contains("Switchyard-Override: \(value) names no gate") == true, "\(plan.blockers)")
        #expect(blocker?.reason.contains("dwell, replication-lag") == true)
    }
}
