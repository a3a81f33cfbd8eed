import Basics
import DesiredState
import Foundation
import GitSource
import Journaling

/// Builds what the dwell gate needs for each application: the last flip, and the commit's overrides.
public enum SafetyContexts {
    /// - Parameters:
    ///   - journal: when present, the last flip is when it converged; otherwise when it was committed (from Git).
    /// - Returns: contexts by application name, for the apps that set `spec.safety.minDwell`.
    public static func build(
        repository: Repository, snapshot: Snapshot, state: DesiredStateSet, folder: String,
        journal: Journal?, now: Date = Date()
    ) -> [String: SafetyContext] {
        let overrides = Set(
            snapshot.commit.trailer("Switchyard-Override")
                .flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        let commit = snapshot.commit
        let overriddenBy =
            "commit \(commit.id.short) by \(commit.author.name) <\(commit.author.email)> at \(Timestamp.format(commit.committer.time))"
        var contexts: [String: SafetyContext] = [:]
        if !overrides.isEmpty {
            for app in state.applications {
                contexts[app.name] = SafetyContext(now: now, overrides: overrides, overriddenBy: overriddenBy)
            }
        }
        let apps = state.applications.filter { $0.spec.safety.minDwell != nil }
        guard !apps.isEmpty else { return contexts }
        // Walking Git history is the fallback: done at most once, and only for an app the journal cannot answer for.
        var walked: [RegionChange]?
        func changes() -> [RegionChange] {
            if walked == nil { walked = (try? repository.regionChanges(in: folder, from: snapshot.commit.id)) ?? [] }
            return walked ?? []
        }
        // One journal read for every app that needs it.
        let events = journal.flatMap { try? $0.appEvents() }.map { Dictionary(grouping: $0, by: \.app) }
        for app in apps {
            if let converged = events.flatMap({ lastConvergedFlip(in: $0[app.name] ?? []) }) {
                contexts[app.name] = SafetyContext(
                    now: now, lastFlip: converged, lastFlipSource: "journal", overrides: overrides, overriddenBy: overriddenBy)
            } else {
                contexts[app.name] = SafetyContext(
                    now: now, lastFlip: lastCommittedFlip(of: app.name, changes: changes()),
                    lastFlipSource: "git", overrides: overrides, overriddenBy: overriddenBy)
            }
        }
        return contexts
    }

    /// When the app last converged in a region other than the one it converged in before, from its journal events.
    static func lastConvergedFlip(in events: [AppEvent]) -> Date? {
        let converged = events.filter(\.converged).sorted { $0.time < $1.time }
        var last: Date?
        for (previous, event) in zip(converged, converged.dropFirst()) where previous.activeRegion != event.activeRegion {
            last = event.time
        }
        return last
    }

    /// Without a journal: the commit time of the flip before the newest one (the newest is the one under review).
    static func lastCommittedFlip(of app: String, changes: [RegionChange]) -> Date? {
        let flips = changes.filter { $0.app == app && $0.from != nil && $0.to != nil }
        return flips.dropFirst().first?.commit.committer.time
    }
}
