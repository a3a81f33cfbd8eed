import DesiredState
import Foundation
import GitSource
import Journaling

extension Pass {
    /// `.readiness` mode: every app's failover to `target` (nil: to each region that is not active), as
    /// `Reconciler.readiness` plans it, plus what the pass knows beyond AWS: whether the file a flip would make
    /// validates, and whether the app is suspended.
    func readiness(_ state: DesiredStateSet, candidate: Candidate, target: String?, stop: SafePoint, into result: inout PassResult) async {
        let reconciler = Reconciler(kinds: kinds, calls: PassCalls(safePoint: stop))
        var reports = await reconciler.readiness(state, to: target, safety: candidate.safety, now: result.startedAt)
        let files = Dictionary(candidate.snapshot.files.map { ($0.path, $0.content) }, uniquingKeysWith: { a, _ in a })
        let suspensions = await suspensions(of: state.applications.enumerated().filter { !reports[$0.offset].isEmpty }.map(\.element))
        for (index, app) in state.applications.enumerated() where !reports[index].isEmpty {
            let suspension = suspensions[app.name]
            for entry in reports[index].indices {
                let region = reports[index][entry].target
                // The commit a flip would make must itself be valid: every kind's rules read the new active region (a
                // failover record pair, a fence may not allow it).
                // A file that cannot be read back is not one a flip is known to validate.
                do {
                    guard let text = files[app.source.path] else {
                        throw ActiveRegionEdit.Failure(description: "\(app.source.path) could not be read back from the commit")
                    }
                    _ = try ActiveRegionEdit.apply(to: text, of: app, region: region, schema: ResourceKinds.schema)
                } catch {
                    reports[index][entry].problems.insert(
                        FailoverReadiness.Problem(
                            code: FailoverReadiness.invalidFlip, reading: "\(error)",
                            remedy: "change the file so that `switchyard flip \(app.name) \(region)` validates"),
                        at: 0)
                }
                if let suspension {
                    reports[index][entry].plan.suspend(suspension)
                    reports[index][entry].problems.insert(
                        FailoverReadiness.Problem(
                            code: BlockerCode.suspended, reading: suspension.reason, remedy: "no host acts on it until resumed"),
                        at: 0)
                }
            }
        }
        result.readiness = reports.flatMap { $0 }
        result.outcome = result.readiness.allSatisfy(\.ready) ? .converged : .notConverged
    }
}
