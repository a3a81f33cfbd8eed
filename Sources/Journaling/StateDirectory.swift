import Foundation

/// Where the state folder is when `--state-dir` is not given.
public enum StateDirectory {
    /// `$STATE_DIRECTORY` (systemd's StateDirectory=), else /var/lib/switchyard for root, else
    /// `$XDG_STATE_HOME/switchyard` or ~/.local/state/switchyard.
    public static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let systemd = environment["STATE_DIRECTORY"], !systemd.isEmpty {
            return String(systemd.split(separator: ":").first ?? Substring(systemd))
        }
        if getuid() == 0 { return "/var/lib/switchyard" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return "\(environment["XDG_STATE_HOME"] ?? "\(home)/.local/state")/switchyard"
    }
}
