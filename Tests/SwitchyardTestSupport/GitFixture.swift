import Foundation

/// Real repositories on disk, made with the `git` command as an independent reference.
public struct GitFixture {
    public let root: URL

    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    public func remove() { try? FileManager.default.removeItem(at: root) }

    public func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    @discardableResult
    public func git(_ args: String..., in dir: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "git", "-c", "user.name=Test Author", "-c", "user.email=author@example.com",
                "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "safe.directory=*",
            ] + args
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let (data, errors) = try runCapturingOutput(process)
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "git", code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "git \(args.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))"])
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A work-tree repository with `desired-state/unishop.yaml` committed.
    public func makeRepository(_ name: String = "work", region: String = "us-east-1") throws -> String {
        let dir = path(name)
        try FileManager.default.createDirectory(atPath: dir + "/desired-state", withIntermediateDirectories: true)
        try git("init", "-q", in: dir)
        try write(app(region: region), to: dir + "/desired-state/unishop.yaml")
        try git("add", "-A", in: dir)
        try git("commit", "-q", "-m", "Add unishop", in: dir)
        return dir
    }

    public func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Commits a change of activeRegion made with sed-like replacement, as a person would.
    public func commitRegion(_ region: String, in dir: String, message: String? = nil, file: String = "unishop") throws {
        let path = "\(dir)/desired-state/\(file).yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let updated = text.replacingOccurrences(of: #"activeRegion: [a-z0-9-]+"#, with: "activeRegion: \(region)", options: .regularExpression)
        try write(updated, to: path)
        try git("commit", "-q", "-am", message ?? "Fail over to \(region)", in: dir)
    }

    public func app(name: String = "unishop", region: String) -> String {
        """
        apiVersion: switchyard/v1
        kind: Application
        metadata:
          name: \(name)
        spec:
          activeRegion: \(region)   # the line a failover changes
          regions:
            us-east-1:
              bucket: \(name)-primary
            us-west-1:
              bucket: \(name)-secondary

        """
    }
}
