import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a small secret file as a stream, to its end: a regular file, a symbolic link (as Kubernetes mounts a
/// secret), a FIFO or `/dev/fd/N` (as a shell's `<(…)` gives). Nothing is decided from its size or type.
public enum SecretFile {
    /// Why a secret file gave no content.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// The file's bytes; at most `limit` (a secret is short, and a FIFO might never end).
    /// - Throws: `Failure` with the system's reason (`No such file or directory`, `Permission denied`), never the content.
    public static func read(_ path: String, limit: Int = 1 << 20) throws(Failure) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return data }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, reason: String(cString: strerror(errno)))
            }
            data.append(contentsOf: buffer[..<count])
            guard data.count <= limit else { throw Failure(path: path, reason: "longer than \(limit) bytes: not a secret") }
        }
    }
}
