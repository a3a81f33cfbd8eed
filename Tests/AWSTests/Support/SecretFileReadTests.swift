@testable import AWS
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Token files (web identity, container authorization) and the shared credentials file are read as streams.
@Suite("SecretFile reads a FIFO, /dev/fd/N and symbolic links to their end", .serialized)
struct SecretFileReadTests {
    static let token = "eyJ-a-web-identity-token"

    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("a symbolic link to a symbolic link to the file, as a Kubernetes projected token is mounted")
    func symlinks() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/..2026_12_05", withIntermediateDirectories: true)
        try Self.token.write(toFile: "\(dir)/..2026_12_05/token", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/..data", withDestinationPath: "..2026_12_05")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/token", withDestinationPath: "..data/token")
        #expect(try SecretFile.read("\(dir)/token") == Data(Self.token.utf8))
    }

    @Test("a FIFO written in pieces by another thread is read to its end")
    func fifo() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/token.fifo"
        #expect(mkfifo(path, 0o600) == 0)
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: path) else { return }
            handle.write(Data(Self.token.prefix(4).utf8))
            Thread.sleep(forTimeInterval: 0.2)
            handle.write(Data(Self.token.dropFirst(4).utf8))
            try? handle.close()
        }
        writer.start()
        #expect(try SecretFile.read(path) == Data(Self.token.utf8))
    }

    @Test("/dev/fd/N of a pipe")
    func devFD() throws {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(Self.token.utf8))
        try pipe.fileHandleForWriting.close()
        #expect(try SecretFile.read("/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)") == Data(Self.token.utf8))
    }

    @Test("a missing file gives the system's reason; one past the limit is refused")
    func refusals() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = #expect(throws: SecretFile.Failure.self) { try SecretFile.read("\(dir)/none") }
        #expect(missing?.reason == "No such file or directory")
        try String(repeating: "x", count: 100).write(toFile: "\(dir)/long", atomically: true, encoding: .utf8)
        let long = #expect(throws: SecretFile.Failure.self) { try SecretFile.read("\(dir)/long", limit: 10) }
        #expect(long?.reason.contains("longer than 10 bytes") == true)
    }
}
