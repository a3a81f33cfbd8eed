import Foundation
import Testing

@testable import SwitchyardService

/// The daemon hands back the code pages a pass ran through: only read-only file pages, and the process runs on.
@Suite("Handing code pages back")
struct ProcessMemoryTests {
    /// `RssFile` of this process, in kB.
    static func residentFilePages() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssFile:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    @Test("the test process's code pages are unmapped, its data kept, and everything runs on")
    func handBack() throws {
        let data = (0..<50_000).map { "item \($0)" }
        let before = try Self.residentFilePages()
        let released = ProcessMemory.handBackCodePages()
        #expect(released > 0, "some read-only file mappings were released: \(released)")
        let after = try Self.residentFilePages()
        #expect(after < before, "file-backed pages went down: \(before) kB → \(after) kB")
        // Heap data, relocated data (type metadata, strings) and code all still work.
        #expect(data[49_999] == "item 49999")
        let json = try JSONEncoder().encode(["unmapped": released])
        #expect(try JSONDecoder().decode([String: Int].self, from: json) == ["unmapped": released])
        #expect(ProcessMemory.handBackCodePages() > 0, "and again")
    }
}
