import Foundation
import GRDB

extension Journal {
    /// Copies the journal to `path` with SQLite's online backup: a consistent snapshot taken in one read
    /// transaction, usable while `run` or `apply` writes to it; the copy is one self-contained file (no -wal).
    /// - Returns: the number of passes the copy holds.
    /// - Throws: `JournalError` naming the destination; an existing file is never overwritten.
    @discardableResult
    public func backup(to path: String) throws(JournalError) -> Int {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw JournalError(path: path, message: "already exists; nothing was changed. Name a new file")
        }
        do {
            let copy = try DatabaseQueue(path: path)
            try pool.backup(to: copy)
            try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            let passes = try copy.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM passes") ?? 0 }
            try copy.close()
            return passes
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw JournalError(path: path, message: "backup failed (\(error)); nothing was kept", cause: error)
        }
    }

    /// Whether the database file at `path` exists without any table while no -wal file stands beside it: a copy
    /// made of the main file alone, whose tables were still in the write-ahead log. Read from the file's first page
    /// (the schema table's root: a leaf page with no cell), without opening it through SQLite.
    static func isCopiedWithoutWAL(_ path: String, readOnly: Bool) -> Bool {
        let manager = FileManager.default
        guard manager.fileExists(atPath: path), (try? manager.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 == 0,
            let handle = FileHandle(forReadingAtPath: path)
        else { return false }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 108)) ?? Data())
        // An empty file is a new database to a writer; to a reader it holds nothing.
        guard header.count == 108 else { return header.isEmpty && readOnly }
        guard header.starts(with: Array("SQLite format 3\u{0}".utf8)) else { return false }
        return header[100] == 0x0D && header[103] == 0 && header[104] == 0
    }

    /// What to say of a journal found without its tables.
    static let copiedWithoutWAL =
        "has no tables: copied without its -wal file? A journal in use lives in two files; "
        + "use `switchyard journal backup FILE` for a consistent copy, even while switchyard runs"
}
