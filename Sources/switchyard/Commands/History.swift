import ArgumentParser
import Basics
import DesiredState
import Foundation
import GitSource
import Journaling
import Reconciler

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show when each application's active region changed, by whom and why.",
        discussion: """
            Lists, newest first, every commit that changed an application's activeRegion. When the state \
            folder holds a journal (`switchyard run` or `apply` on this host), each change also shows when \
            Switchyard first acted on it, when it converged, and the time from commit to convergence.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var state: StateOptions

    func run() async throws {
        try await reportingErrors {
            let opened = try global.source.open()
            let head = try opened.repository.resolve(global.ref ?? opened.defaultRef)
            var changes = try opened.repository.regionChanges(in: global.path, from: head)
            if !global.apps.isEmpty { changes.removeAll { !global.apps.contains($0.app) } }
            let stateDirectory = state.directory
            var convergence: [Convergence?]?
            if Journal.exists(in: stateDirectory) {
                convergence = try Journal(stateDirectory: stateDirectory, readOnly: true).convergence(of: changes)
            }
            switch format {
            case .json: try Terminal.printJSON(HistoryDocument(head: head.hex, changes: changes, convergence: convergence))
            case .text: printText(changes, convergence: convergence)
            }
        }
    }

    private func printText(_ changes: [RegionChange], convergence: [Convergence?]?) {
        guard !changes.isEmpty else {
            print("no activeRegion changes in \(global.path)/")
            return
        }
        let formatter = ISO8601DateFormatter()
        for app in Set(changes.map(\.app)).sorted() {
            print(app)
            for (index, change) in changes.enumerated() where change.app == app {
                let move = "\(change.from ?? "(new)") -> \(change.to ?? "(removed)")"
                print(
                    "  \(formatter.string(from: change.commit.committer.time))  \(change.commit.id.short)  "
                        + "\(move.padding(toLength: 24, withPad: " ", startingAt: 0))  \(change.commit.author.name)  \(change.commit.subject)")
                if let convergence, let entry = convergence[index] {
                    let committed = change.commit.committer.time
                    let acted =
                        entry.firstActedAt.map { "first acted \(formatter.string(from: $0)) (+\(Self.seconds($0.timeIntervalSince(committed))))" }
                        ?? "no call needed"
                    // A file added with nothing to do (the first commit, before this journal) converged by being read.
                    let nothingNeeded = change.from == nil && entry.firstActedAt == nil
                    let converged =
                        entry.convergedAt.map {
                            "converged \(formatter.string(from: $0)) (time to converge \(Self.seconds($0.timeIntervalSince(committed))))"
                        }
                        ?? (nothingNeeded ? "nothing to converge" : "not converged")
                    print("      \(acted); \(converged)")
                }
            }
        }
    }
}

extension History {
    static func seconds(_ interval: TimeInterval) -> String {
        interval < 120 ? String(format: "%.1fs", interval) : DurationFormat.format(.seconds(Int(interval.rounded())))
    }
}

/// `history --format json`, schema version 1 (the journal fields are added, and absent without a journal).
struct HistoryDocument: Encodable {
    var schemaVersion = 1
    var head: String
    var changes: [Entry]

    struct Entry: Encodable {
        var app: String
        var path: String
        var commit: String
        var committedAt: Date
        var author: String
        var authorEmail: String
        var committer: String
        var from: String?
        var to: String?
        var subject: String
        /// From the journal, when one is there.
        var firstActedAt: Date?
        var convergedAt: Date?
        var secondsToConverge: Double?
    }

    init(head: String, changes: [RegionChange], convergence: [Convergence?]? = nil) {
        self.head = head
        self.changes = changes.enumerated().map { index, change in
            let entry = convergence?[index]
            return Entry(
                app: change.app, path: change.path, commit: change.commit.id.hex, committedAt: change.commit.committer.time,
                author: change.commit.author.name, authorEmail: change.commit.author.email, committer: change.commit.committer.name,
                from: change.from, to: change.to, subject: change.commit.subject,
                firstActedAt: entry?.firstActedAt, convergedAt: entry?.convergedAt,
                secondsToConverge: entry?.timeToConverge(committedAt: change.commit.committer.time))
        }
    }
}
