import Foundation
@testable import SwitchyardService
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Secret files are read as streams: a FIFO, /dev/fd/N, a symbolic link", .serialized)
struct SecretFileTests {
    static let secret = "s3cr3t-from-a-stream"
    static let body = Data(#"{"ref":"refs/heads/main"}"#.utf8)

    /// The signature made with the secret read from `path`, checked against one made with the secret itself.
    static func expectSecret(at path: String) throws {
        let read = try WebhookSignature(secretFile: path)
        let expected = WebhookSignature(secret: Data(secret.utf8))
        #expect(read.header(for: body) == expected.header(for: body))
    }

    @Test("a regular file and a symbolic link to it (as Kubernetes mounts a secret: a link to a link)")
    func symlink() throws {
        let dir = JournalTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/..data", withIntermediateDirectories: true)
        try "\(Self.secret)\n".write(toFile: "\(dir)/..data/webhook-secret", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/webhook-secret", withDestinationPath: "..data/webhook-secret")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/link", withDestinationPath: "\(dir)/webhook-secret")
        try Self.expectSecret(at: "\(dir)/..data/webhook-secret")
        try Self.expectSecret(at: "\(dir)/webhook-secret")
        try Self.expectSecret(at: "\(dir)/link")
    }

    @Test("a FIFO whose writer is another thread")
    func fifo() throws {
        let dir = JournalTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/secret.fifo"
        #expect(mkfifo(path, 0o600) == 0)
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: path) else { return }  // blocks until the reader opens
            // In two writes, with a pause: a reader that takes the first read as the whole file would get half.
            handle.write(Data(Self.secret.prefix(5).utf8))
            Thread.sleep(forTimeInterval: 0.2)
            handle.write(Data("\(Self.secret.dropFirst(5))\n".utf8))
            try? handle.close()
        }
        writer.start()
        try Self.expectSecret(at: path)
    }

    @Test("/dev/fd/N of a pipe, as a shell's <(...) gives")
    func devFD() throws {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data("\(Self.secret)\n".utf8))
        try pipe.fileHandleForWriting.close()
        try Self.expectSecret(at: "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)")
    }

    @Test("a missing or empty secret file is refused, naming it and the system's reason, never its content")
    func refused() throws {
        let dir = JournalTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let missing = #expect(throws: WebhookSecretError.self) { try WebhookSignature(secretFile: "\(dir)/none") }
        #expect(missing?.description.contains("\(dir)/none cannot be read (No such file or directory)") == true)
        _ = FileManager.default.createFile(atPath: "\(dir)/empty", contents: Data("\n".utf8))
        let empty = #expect(throws: WebhookSecretError.self) { try WebhookSignature(secretFile: "\(dir)/empty") }
        #expect(empty?.description.contains("is empty") == true)
    }
}
