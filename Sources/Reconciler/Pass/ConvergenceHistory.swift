import Foundation
import GitSource
import Journaling

/// When Switchyard acted on a flip and when it converged, from the journal.
public struct Convergence: Sendable, Codable, Equatable {
    /// The first mutating call made for the flip's region.
    public var firstActedAt: Date?
    /// The first pass that found the app converged to the flip's region.
    public var convergedAt: Date?

    /// From the commit to convergence.
    public func timeToConverge(committedAt: Date) -> TimeInterval? {
        convergedAt.map { $0.timeIntervalSince(committedAt) }
    }
}

extension Journal {
    /// Ties each `activeRegion` change to what the journal recorded: a call or an app event counts for the change when it
    /// is for the same app and region, and falls between the change's commit time and the app's next change.
    public func convergence(of changes: [RegionChange]) throws(JournalError) -> [Convergence?] {
        let calls = try calls()
        let events = try appEvents()
        return Self.convergence(of: changes, calls: calls, events: events)
    }

    /// The pure part of `convergence(of:)`, for tests.
    static func convergence(of changes: [RegionChange], calls: [CallRecord], events: [AppEvent]) -> [Convergence?] {
        changes.map { change in
            guard let region = change.to else { return nil }
            let start = change.commit.committer.time
            let next =
                changes
                .filter { $0.app == change.app && $0.commit.committer.time > start }
                .map(\.commit.committer.time).min() ?? .distantFuture
            let acted =
                calls
                .filter { $0.app == change.app && $0.activeRegion == region && $0.time >= start && $0.time < next }
                .map(\.time).min()
            let converged =
                events
                .filter { $0.app == change.app && $0.activeRegion == region && $0.converged && $0.time >= start && $0.time < next }
                .map(\.time).min()
            return Convergence(firstActedAt: acted, convergedAt: converged)
        }
    }
}
