import CGit2
import Foundation

/// A name, email and time for a commit's author or committer line.
struct CommitStamp {
    var name: String
    var email: String
    /// Seconds since the epoch.
    var time: Int64
    /// Minutes east of UTC.
    var offsetMinutes: Int32
}

/// Who a commit names and when, chosen as git chooses (`git var GIT_AUTHOR_IDENT`, `GIT_COMMITTER_IDENT`).
///
/// Author: `--author`, else `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, else `author.name`/`author.email`, else
/// `user.name`/`user.email` (else `EMAIL` for the address); committer the same with `GIT_COMMITTER_*` and
/// `committer.*`. Times from `GIT_AUTHOR_DATE`/`GIT_COMMITTER_DATE` (git's raw `SECONDS ±HHMM`, ISO 8601 or
/// RFC 2822), else now.
struct CommitIdentities {
    var author: CommitStamp
    var committer: CommitStamp

    static func resolve(
        author override: Identity?, config: GitConfig, environment env: [String: String], now: Date = Date()
    )
        throws(GitError) -> CommitIdentities
    {
        func pick(_ values: String?...) -> String? {
            values.lazy.compactMap { $0 }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        let userName = config.string("user.name"), userEmail = config.string("user.email")
        let authorName = pick(override?.name, env["GIT_AUTHOR_NAME"], config.string("author.name"), userName)
        let authorEmail = pick(override?.email, env["GIT_AUTHOR_EMAIL"], config.string("author.email"), userEmail, env["EMAIL"])
        // With no committer identity configured at all, `--author` stands in (git would refuse; flip always has).
        let committerName = pick(env["GIT_COMMITTER_NAME"], config.string("committer.name"), userName, override?.name)
        let committerEmail = pick(env["GIT_COMMITTER_EMAIL"], config.string("committer.email"), userEmail, env["EMAIL"], override?.email)
        guard let authorName, let authorEmail, let committerName, let committerEmail else {
            throw GitError(
                .refused, context: "committing",
                message: "no identity: set user.name and user.email in git config (or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL "
                    + "and GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL)", remedy: .nameAuthor)
        }
        let current = GitDate(
            seconds: Int64(now.timeIntervalSince1970.rounded(.down)),
            offsetMinutes: Int32(TimeZone.current.secondsFromGMT(for: now) / 60))
        func date(_ variable: String) throws(GitError) -> GitDate {
            guard let text = env[variable], !text.isEmpty else { return current }
            guard let parsed = GitDate(parsing: text) else {
                throw GitError(
                    .refused, context: "committing",
                    message: "\(variable)=\(text) is not a date git reads here; write `SECONDS +HHMM`, ISO 8601 "
                        + "(2025-04-07T22:13:13+02:00) or RFC 2822 (Mon, 07 Apr 2025 22:13:13 +0200)")
            }
            return parsed
        }
        let authorDate = try date("GIT_AUTHOR_DATE"), committerDate = try date("GIT_COMMITTER_DATE")
        return CommitIdentities(
            author: CommitStamp(name: authorName, email: authorEmail, time: authorDate.seconds, offsetMinutes: authorDate.offsetMinutes),
            committer: CommitStamp(
                name: committerName, email: committerEmail, time: committerDate.seconds,
                offsetMinutes: committerDate.offsetMinutes))
    }
}

/// A point in time with the writer's UTC offset, as git records it.
struct GitDate: Equatable {
    var seconds: Int64
    var offsetMinutes: Int32

    init(seconds: Int64, offsetMinutes: Int32) {
        self.seconds = seconds
        self.offsetMinutes = offsetMinutes
    }

    /// Reads git's raw form (`1700000000 +0100`, optionally `@`-prefixed), ISO 8601 or RFC 2822.
    init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        let words = text.split(separator: " ")
        if words.count == 2, let seconds = Int64(words[0].hasPrefix("@") ? words[0].dropFirst() : words[0]),
            let offset = Self.offset(String(words[1]))
        {
            self.init(seconds: seconds, offsetMinutes: offset)
            return
        }
        if words.count == 1, words[0].hasPrefix("@"), let seconds = Int64(words[0].dropFirst()) {
            self.init(seconds: seconds, offsetMinutes: 0)
            return
        }
        for format in [
            "yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd HH:mm:ss XX", "yyyy-MM-dd'T'HH:mm:ssXX", "yyyy-MM-dd HH:mm:ssXXXXX",
            "EEE, dd MMM yyyy HH:mm:ss XX", "dd MMM yyyy HH:mm:ss XX",
        ] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = format
            guard let date = formatter.date(from: text) else { continue }
            let zone = text.hasSuffix("Z") ? "+0000" : String(text.suffix(from: text.lastIndex { $0 == "+" || $0 == "-" } ?? text.endIndex))
            guard let offset = Self.offset(zone.replacingOccurrences(of: ":", with: "")) else { continue }
            self.init(seconds: Int64(date.timeIntervalSince1970), offsetMinutes: offset)
            return
        }
        return nil
    }

    /// `+HHMM` / `-HHMM` in minutes.
    static func offset(_ text: String) -> Int32? {
        guard text.count == 5, let sign = text.first, sign == "+" || sign == "-",
            let hours = Int32(text.dropFirst().prefix(2)), let minutes = Int32(text.suffix(2)), minutes < 60
        else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 60 + minutes)
    }
}

/// A snapshot of the repository's configuration (system, global, local), read once.
final class GitConfig {
    private let handle: OpaquePointer

    init(repository: OpaquePointer) throws(GitError) {
        var config: OpaquePointer?
        try check("reading git config") { git_repository_config_snapshot(&config, repository) }
        handle = config!
    }

    deinit { git_config_free(handle) }

    func string(_ name: String) -> String? {
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, handle, name) == 0, let value else { return nil }
        return String(cString: value)
    }

    func bool(_ name: String) -> Bool? {
        var value: Int32 = 0
        guard git_config_get_bool(&value, handle, name) == 0 else { return nil }
        return value != 0
    }

    /// A path setting with a leading `~/` expanded, as git expands it.
    func path(_ name: String) -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        if git_config_get_path(&buffer, handle, name) == 0, let pointer = buffer.ptr { return String(cString: pointer) }
        return string(name)
    }
}
