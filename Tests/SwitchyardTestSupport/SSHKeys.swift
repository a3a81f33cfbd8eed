import Foundation

/// An SSH key pair made by the real `ssh-keygen`, the independent reference for signature tests.
public struct SSHKeyFixture: Sendable {
    public enum KeyType: String, Sendable, CaseIterable, CustomStringConvertible {
        case ed25519, ecdsa, rsa

        var arguments: [String] {
            switch self {
            case .ed25519: ["-t", "ed25519"]
            case .ecdsa: ["-t", "ecdsa", "-b", "256"]
            case .rsa: ["-t", "rsa", "-b", "3072"]
            }
        }

        public var description: String { rawValue }
    }

    public let privateKeyPath: String
    public let publicKeyPath: String
    /// `ssh-ed25519 AAAA…` (type and base64, no comment).
    public let publicKey: String
    /// What `ssh-keygen -lf` prints as the fingerprint, `SHA256:…`.
    public let fingerprint: String

    /// Generates a key pair without a passphrase in `folder`, named `name`.
    public static func generate(_ type: KeyType, named name: String, in folder: String) throws -> SSHKeyFixture {
        let path = "\(folder)/\(name)"
        try runTool("ssh-keygen", ["-q"] + type.arguments + ["-N", "", "-C", "\(name)@example.com", "-f", path])
        let line = try String(contentsOfFile: path + ".pub", encoding: .utf8).split(separator: " ")
        let listed = try runTool("ssh-keygen", ["-lf", path + ".pub"]).split(separator: " ")
        return SSHKeyFixture(
            privateKeyPath: path, publicKeyPath: path + ".pub",
            publicKey: "\(line[0]) \(line[1])", fingerprint: String(listed[1]))
    }

    /// A line of an allowed signers file for this key.
    public func allowedSignersLine(principal: String, options: String? = nil) -> String {
        [principal, options, publicKey].compactMap { $0 }.joined(separator: " ")
    }

    /// Signs `file` with `ssh-keygen -Y sign -n namespace`, returning the armored signature.
    public func sign(file: String, namespace: String) throws -> String {
        try? FileManager.default.removeItem(atPath: file + ".sig")
        try runTool("ssh-keygen", ["-q", "-Y", "sign", "-n", namespace, "-f", privateKeyPath, file])
        return try String(contentsOfFile: file + ".sig", encoding: .utf8)
    }

    /// The `git -c …` settings that make `git commit -S` sign with this key over SSH.
    public var gitSigningConfig: [String] {
        ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(privateKeyPath)"]
    }
}

/// Runs a tool from PATH, returning stdout; throws with stderr when it fails.
@discardableResult
public func runTool(_ tool: String, _ args: [String], in dir: String? = nil, stdin: Data? = nil) throws -> String {
    String(decoding: try runToolData(tool, args, in: dir, stdin: stdin), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Runs a tool from PATH, returning stdout byte for byte.
public func runToolData(_ tool: String, _ args: [String], in dir: String? = nil, stdin: Data? = nil) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + args
    if let dir { process.currentDirectoryURL = URL(fileURLWithPath: dir) }
    let (data, errors) = try runCapturingOutput(process, stdin: stdin)
    guard process.terminationStatus == 0 else {
        throw NSError(
            domain: tool, code: Int(process.terminationStatus),
            userInfo: [NSLocalizedDescriptionKey: "\(tool) \(args.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))"])
    }
    return data
}

extension GitFixture {
    /// The fixture's `keys` folder (created), for keys made by ssh-keygen and an allowed signers file.
    public func keysFolder() throws -> String {
        let keys = path("keys")
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        return keys
    }

    /// Writes `lines` as `keys/allowed_signers`; returns its path.
    public func writeAllowedSigners(_ lines: [String]) throws -> String {
        let file = try keysFolder() + "/allowed_signers"
        try write(lines.joined(separator: "\n") + "\n", to: file)
        return file
    }

    /// Commits the staged changes signed by `key` (`git commit -S` with `gpg.format=ssh`).
    public func signedCommit(_ message: String, key: SSHKeyFixture, in dir: String, allowEmpty: Bool = false) throws {
        try gitArgs(key.gitSigningConfig + ["commit", "-q", "-S", "-m", message] + (allowEmpty ? ["--allow-empty"] : []), in: dir)
    }

    /// Runs git with the fixture's settings and an argument array.
    @discardableResult
    public func gitArgs(_ args: [String], in dir: String) throws -> String {
        try runTool("git", Self.settings + args, in: dir)
    }

    /// The raw object of a commit (`git cat-file commit`), byte for byte.
    public func commitObject(_ rev: String, in dir: String) throws -> String {
        String(decoding: try runToolData("git", Self.settings + ["cat-file", "commit", rev], in: dir), as: UTF8.self)
    }

    /// Writes a commit object as given (`git hash-object -w -t commit`), returning its id.
    public func writeCommitObject(_ text: String, in dir: String) throws -> String {
        try runTool("git", Self.settings + ["hash-object", "-w", "-t", "commit", "--stdin"], in: dir, stdin: Data(text.utf8))
    }

    static let settings = [
        "-c", "user.name=Test Author", "-c", "user.email=author@example.com",
        "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "safe.directory=*",
    ]
}
