import Foundation

/// `~/.aws/credentials` and `~/.aws/config`, merged per profile as the SDKs do: the credentials
/// file wins for a key present in both; config sections are `[profile name]` (and `[default]`).
public struct SharedConfigFiles: Sendable, Equatable {
    /// Profile name → key → value.
    public var profiles: [String: [String: String]]

    /// Creates the merged view from already-parsed profiles.
    public init(profiles: [String: [String: String]]) { self.profiles = profiles }

    /// Loads both files from `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`, or `~/.aws/` under `HOME`.
    /// Missing files are empty.
    public static func load(environment: [String: String]) -> SharedConfigFiles {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        func path(_ variable: String, _ fallback: String) -> String {
            let value = environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.aws/\(fallback)"
            return value.hasPrefix("~/") ? home + value.dropFirst() : value
        }
        func read(_ path: String) -> String {
            // As a stream: a symbolic link (a mounted secret), a FIFO or /dev/fd/N serves as a regular file does.
            (try? SecretFile.read(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        let config = parse(read(path("AWS_CONFIG_FILE", "config")), isConfigFile: true)
        let credentials = parse(read(path("AWS_SHARED_CREDENTIALS_FILE", "credentials")), isConfigFile: false)
        var merged = config
        for (name, keys) in credentials { merged[name, default: [:]].merge(keys) { _, fromCredentials in fromCredentials } }
        return SharedConfigFiles(profiles: merged)
    }

    /// Parses one INI-style file into profiles. Comment lines start with `#` or `;`; indented
    /// lines (nested sub-properties such as `s3 =` blocks) are skipped.
    static func parse(_ text: String, isConfigFile: Bool) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else {
                    current = nil
                    continue
                }
                let name = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                if !isConfigFile {
                    current = name
                } else if name == "default" {
                    current = "default"
                } else if name.hasPrefix("profile ") || name.hasPrefix("profile\t") {
                    current = name.dropFirst("profile".count).trimmingCharacters(in: .whitespaces)
                } else {
                    current = nil  // sso-session, services, or a bare name the SDKs ignore in config
                }
                if let current { profiles[current, default: [:]] = profiles[current] ?? [:] }
                continue
            }
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            guard let current, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            profiles[current, default: [:]][key] = value
        }
        return profiles
    }
}
