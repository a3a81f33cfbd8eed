import AWS
import Basics
import DesiredState
import Foundation
import Reconciler
import Testing

/// The step graph as the Applier runs it: traffic and fencing wait for the promotion; the journal comes before every call.
@Suite("Applier: the step graph and journal-before-call")
struct StepGraphTests {
    func fencedFlip() -> (FakeCloud, Application) {
        let cloud = primaryCloud()
        cloud.buckets["secondary-bucket"] = .blocked
        return (cloud, unishop(standby: .fenced))
    }

    func apply(
        _ app: Application, _ cloud: FakeCloud, journal: @escaping @Sendable (JournalEvent) throws -> Void = { _ in }
    )
        async -> [StepOutcome]
    {
        let plan = await Observer(cloud: cloud).plan(app)
        let applier = Applier(cloud: cloud, options: ApplyOptions(pollInterval: .milliseconds(1), stepTimeout: .seconds(5)), journal: journal)
        return await applier.apply(plan, for: app)
    }

    static let refusal = AWSError(
        kind: .service, service: "rds", operation: "SwitchoverGlobalCluster", code: "InvalidDBClusterStateFault",
        message: "not available", requestID: "req-400", httpStatus: 400)
    static let serverError = AWSError(
        kind: .service, service: "rds", operation: "SwitchoverGlobalCluster", code: "InternalFailure",
        message: "internal", requestID: "req-500", httpStatus: 500)
    static let garbled = AWSError(
        kind: .malformedResponse, service: "rds", operation: "SwitchoverGlobalCluster", code: "MalformedResponse",
        message: "unexpected end of XML")

    @Test("a refused promotion leaves traffic and fencing pending: nothing else moves", arguments: [refusal])
    func refused(error: AWSError) async {
        let (cloud, app) = fencedFlip()
        cloud.promoteFault = (error, false)
        let outcomes = await apply(app, cloud)
        #expect(outcomes.map(\.status) == [.failed, .pending, .pending, .pending])
        #expect(outcomes[0].code == StepCode.promotionRefused)
        #expect(outcomes[0].awsErrorCode == "InvalidDBClusterStateFault")
        #expect(outcomes[0].requestID == "req-400")
        #expect(outcomes.dropFirst().allSatisfy { $0.code == StepCode.waitingOnDependency })
        #expect(cloud.calls == ["rds us-west-1 switchover"], "no bucket or origin call after a refused promotion")
        let verdict = Verdict.after(await Observer(cloud: cloud).plan(app), outcomes: outcomes, replanned: await Observer(cloud: cloud).plan(app))
        #expect(verdict == .blocked)
    }

    @Test("a lost answer with nothing under way: not re-sent, dependents pending", arguments: [serverError, garbled])
    func ambiguousNothingHappened(error: AWSError) async {
        let (cloud, app) = fencedFlip()
        cloud.promoteFault = (error, false)
        let outcomes = await apply(app, cloud)
        #expect(outcomes.map(\.status) == [.pending, .pending, .pending, .pending])
        #expect(outcomes[0].code == StepCode.promotionAmbiguous)
        #expect(cloud.calls == ["rds us-west-1 switchover"], "sent once, never again, nothing else")
        #expect(cloud.buckets == ["primary-bucket": .open, "secondary-bucket": .blocked])
        #expect(cloud.origins == ["primary-origin", "secondary-origin"])
    }

    @Test("a lost answer after RDS acted: re-read, seen promoted, the rest follows without a second promotion")
    func ambiguousActed() async {
        let (cloud, app) = fencedFlip()
        cloud.promoteFault = (Self.serverError, true)
        let outcomes = await apply(app, cloud)
        #expect(outcomes.map(\.status) == [.done, .done, .started, .done])
        #expect(cloud.calls.filter { $0.hasPrefix("rds") }.count == 1)
        #expect(cloud.buckets == ["primary-bucket": .blocked, "secondary-bucket": .open])
    }

    @Test("a calling row that cannot be committed stops the call: no AWS mutation")
    func journalFirst() async {
        struct Locked: Error {}
        let (cloud, app) = fencedFlip()
        let outcomes = await apply(app, cloud) { event in
            if event.phase == .calling { throw Locked() }
        }
        #expect(outcomes[0].status == .failed)
        #expect(outcomes[0].code == StepCode.journalUnwritable)
        #expect(outcomes.dropFirst().allSatisfy { $0.status == .pending })
        #expect(cloud.calls.isEmpty)
    }

    @Test("a hot standby's steps that do not depend on the promotion still run")
    func independentSteps() async {
        let cloud = primaryCloud()
        cloud.buckets["primary-bucket"] = .blocked  // the old primary, to be a hot standby, is not serving
        cloud.promoteFault = (Self.refusal, false)
        let outcomes = await apply(unishop(standby: .hot), cloud)
        let open = outcomes.first { $0.step.id == "open:us-east-1" }
        #expect(open?.status == .done, "opening the hot standby's bucket does not wait for the promotion")
        #expect(outcomes.first { $0.step.id == "origins" }?.status == .pending)
    }
}
