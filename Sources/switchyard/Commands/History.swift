import ArgumentParser
import DesiredState
import Foundation
import GitSource

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show when each application's active region changed, by whom and why.",
        discussion: "Lists, newest first, every commit that changed an application's activeRegion."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        try await reportingErrors {
            let opened = try global.source.open()
            let head = try opened.repository.resolve(global.ref ?? opened.defaultRef)
            var changes = try opened.repository.regionChanges(in: global.path, from: head)
            if !global.apps.isEmpty { changes.removeAll { !global.apps.contains($0.app) } }
            switch format {
            case .json: try Terminal.printJSON(HistoryDocument(head: head.hex, changes: changes))
            case .text: printText(changes)
            }
        }
    }

    private func printText(_ changes: [RegionChange]) {
        guard !changes.isEmpty else {
            print("no activeRegion changes in \(global.path)/")
            return
        }
        let formatter = ISO8601DateFormatter()
        for app in Set(changes.map(\.app)).sorted() {
            print(app)
            for change in changes where change.app == app {
                let move = "\(change.from ?? "(new)") -> \(change.to ?? "(removed)")"
                print("  \(formatter.string(from: change.commit.committer.time))  \(change.commit.id.short)  "
                      + "\(move.padding(toLength: 24, withPad: " ", startingAt: 0))  \(change.commit.author.name)  \(change.commit.subject)")
            }
        }
    }
}

/// `history --format json`, schema version 1.
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
    }

    init(head: String, changes: [RegionChange]) {
        self.head = head
        self.changes = changes.map {
            Entry(app: $0.app, path: $0.path, commit: $0.commit.id.hex, committedAt: $0.commit.committer.time,
                  author: $0.commit.author.name, authorEmail: $0.commit.author.email, committer: $0.commit.committer.name,
                  from: $0.from, to: $0.to, subject: $0.commit.subject)
        }
    }
}
