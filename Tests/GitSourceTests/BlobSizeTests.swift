import Journaling
import Reconciler
import DesiredState
import Foundation
import GitSource
import SwitchyardTestSupport
import Testing

/// Issue 24: a file over the size limit is refused by the size its object header gives, before the blob is loaded, on
/// every path that reads desired-state files: the snapshot, a link read through, the history walk.
@Suite("Blobs over the size limit are refused by their header")
struct BlobSizeTests {
    /// 2 MiB and one byte: just over the 1 MiB limit, a comment so that, were it read, it would be valid YAML.
    static let big = "#" + String(repeating: "x", count: 2 << 20) + "\n"

    static func repository(_ fixture: GitFixture, packed: Bool) throws -> String {
        let dir = try fixture.makeRepository()
        try fixture.write(big, to: dir + "/desired-state/big.yaml")
        try FileManager.default.createSymbolicLink(atPath: dir + "/desired-state/link.yaml", withDestinationPath: "big.yaml")
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "A large file", in: dir)
        if packed { try fixture.git("gc", "-q", "--aggressive", in: dir) }
        return dir
    }

    @Test("the snapshot does not read the file and validation names it with its size", arguments: [false, true])
    func snapshot(packed: Bool) throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let repo = try Repository.open(containing: try Self.repository(fixture, packed: packed))
        let snapshot = try repo.snapshot(ref: "HEAD", folder: "desired-state")
        let size = Self.big.utf8.count
        for name in ["big.yaml", "link.yaml"] {
            let file = try #require(snapshot.files.first { $0.path == "desired-state/\(name)" })
            #expect(file.oversize == size && file.content.isEmpty, "\(name) is not read")
        }
        #expect(snapshot.files.first { $0.path == "desired-state/unishop.yaml" }?.oversize == nil)
        #expect {
            try snapshot.desiredState()
        } throws: { error in
            let text = "\(error)"
            return text.contains("desired-state/big.yaml:1:1: the file is \(size) bytes; a desired-state file may be at most 1048576 bytes (1 MiB)")
                && text.contains("desired-state/link.yaml:1:1: the file is \(size) bytes")
        }
    }

    @Test("the history walk passes over a version too large to read, and goes on")
    func history() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try Self.repository(fixture, packed: false)
        try fixture.git("rm", "-q", "desired-state/big.yaml", "desired-state/link.yaml", in: dir)
        try fixture.git("commit", "-q", "-m", "Remove it", in: dir)
        try fixture.commitRegion("us-west-1", in: dir)
        let repo = try Repository.open(containing: dir)
        let changes = try repo.regionChanges(in: "desired-state", from: try repo.resolve("HEAD"))
        #expect(changes.map(\.to) == ["us-west-1", "us-east-1"], "the large file is neither a change nor a failure")
    }

    @Test("a symbolic link whose target is longer than a path can be is refused by its size")
    func longLink() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try fixture.write(String(repeating: "a/", count: 3_000) + "x.yaml", to: fixture.path("target"))
        let blob = try fixture.git("hash-object", "-w", fixture.path("target"), in: dir)
        try fixture.git("update-index", "--add", "--cacheinfo", "120000,\(blob),desired-state/long.yaml", in: dir)
        try fixture.git("commit", "-q", "-m", "A long link", in: dir)
        let repo = try Repository.open(containing: dir)
        #expect {
            try repo.snapshot(ref: "HEAD", folder: "desired-state")
        } throws: { error in
            "\(error)".contains("reading desired-state/long.yaml: desired-state/long.yaml is a symbolic link whose target is 6006 bytes long")
        }
    }
}
