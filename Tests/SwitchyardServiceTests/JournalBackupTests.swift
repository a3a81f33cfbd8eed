@testable import Reconciler
import Foundation
@testable import Journaling
import SwitchyardTestSupport
import Testing

@Suite("A journal is copied with SQLite's backup; a copy without its -wal file is named as such")
struct JournalBackupTests {
    /// A journal with `passes` finished passes, left open (its tables still in the -wal file).
    static func journal(in dir: String, passes: Int) throws -> Journal {
        let journal = try Journal(stateDirectory: dir)
        for index in 0..<passes {
            let pass = try journal.beginPass(trigger: "pass \(index)")
            try journal.finishPass(pass, commit: "c\(index)", outcome: .converged, error: nil)
        }
        return journal
    }

    @Test("a backup taken while the journal is open and written holds every finished pass, in one file")
    func backupWhileWritten() throws {
        let dir = JournalTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Self.journal(in: "\(dir)/state", passes: 3)
        let running = try journal.beginPass(trigger: "running")
        try FileManager.default.createDirectory(atPath: "\(dir)/copy", withIntermediateDirectories: true)
        let copyPath = "\(dir)/copy/\(Journal.fileName)"
        #expect(try journal.backup(to: copyPath) == 4)
        try journal.finishPass(running, commit: nil, outcome: .interrupted, error: nil)
        #expect(!FileManager.default.fileExists(atPath: copyPath + "-wal"), "the copy is one file")
        let copy = try Journal(stateDirectory: "\(dir)/copy", readOnly: true)
        #expect(try copy.passes().map(\.trigger) == ["pass 0", "pass 1", "pass 2", "running"])
        let again = #expect(throws: JournalError.self) { try journal.backup(to: copyPath) }
        #expect(again?.description.contains("already exists") == true, "a backup never overwrites a file")
    }

    @Test("the main file copied alone while the journal is open has no tables: said so, for readers and writers", arguments: [true, false])
    func copiedWithoutWAL(readOnly: Bool) throws {
        let dir = JournalTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Self.journal(in: "\(dir)/state", passes: 2)
        try FileManager.default.createDirectory(atPath: "\(dir)/copy", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(dir)/state/\(Journal.fileName)", toPath: "\(dir)/copy/\(Journal.fileName)")
        withExtendedLifetime(journal) {}
        let error = #expect(throws: JournalError.self) { try Journal(stateDirectory: "\(dir)/copy", readOnly: readOnly) }
        let text = error?.description ?? ""
        #expect(text.contains("has no tables: copied without its -wal file?"), "\(text)")
        #expect(text.contains("switchyard journal backup"))
        #expect(!text.contains("permissions"), "not blamed on permissions")
    }

    @Test("switchyard journal backup FILE copies the journal a process holds open; report reads the copy")
    func command() async throws {
        let dir = JournalTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Self.journal(in: "\(dir)/state", passes: 2)
        try FileManager.default.createDirectory(atPath: "\(dir)/copy", withIntermediateDirectories: true)
        let result = try CLI.run(["journal", "backup", "\(dir)/copy/\(Journal.fileName)", "--state-dir", "\(dir)/state"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("(2 passes)"))
        withExtendedLifetime(journal) {}
        #expect(try Journal(stateDirectory: "\(dir)/copy", readOnly: true).passes().count == 2)
        let none = try CLI.run(["journal", "backup", "\(dir)/other", "--state-dir", "\(dir)/empty"], in: dir)
        #expect(none.status == 1)
        #expect(none.stderr.contains("no journal in \(dir)/empty"))
    }
}
