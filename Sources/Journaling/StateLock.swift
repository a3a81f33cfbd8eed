import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one-writer guarantee: an exclusive `flock` on `<state-dir>/lock`, held for the life of the process.
///
/// The kernel drops the lock when the process dies, SIGKILL included, so a crash never leaves a stale lock;
/// the holder's PID is written into the file so the second process can say who holds it.
public final class StateLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let descriptor: Int32

    /// Takes the lock, creating the state folder when needed.
    /// - Throws: `StateLockError.held` (with the holder's PID) when another process holds it.
    public init(stateDirectory: String) throws(StateLockError) {
        path = "\(stateDirectory)/lock"
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw StateLockError(path: path, holder: nil, message: "cannot create the state folder: \(error)", cause: error)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StateLockError(path: path, holder: nil, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readPID(fd)
            close(fd)
            if code == EWOULDBLOCK {
                throw StateLockError(path: path, holder: holder, message: nil)
            }
            throw StateLockError(path: path, holder: nil, message: "cannot lock: \(String(cString: strerror(code)))")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Another process holds the state folder, or its lock file cannot be used.
public struct StateLockError: Error, Sendable, CustomStringConvertible {
    public var path: String
    /// The PID written by the process holding the lock.
    public var holder: Int32?
    public var message: String?
    /// What the file system said, when it said more than an errno.
    public var cause: (any Error & Sendable)? = nil

    public var description: String {
        if let message { return "\(path): \(message)" }
        let who = holder.map { "process \($0)" } ?? "another process"
        return "\(who) holds \(path): only one `switchyard run` or `apply` may act on a host at a time; "
            + "wait for it to finish, or stop it (e.g. systemctl stop switchyard) and run again. Never point a second process at "
            + "another state folder: its journal would not know what this one did"
    }
}
