import Foundation

/// The keys trusted to sign commits, in git's `gpg.ssh.allowedSignersFile` format (`man ssh-keygen`, ALLOWED SIGNERS).
///
/// Each line: principals (comma-separated patterns), optional options (`namespaces="git"`,
/// `valid-after="20250101"`, `valid-before="20261231Z"`, `cert-authority`), key type, base64 key, comment.
/// Lines for certificate authorities and unsupported key types are skipped with a note, since Switchyard
/// verifies plain keys only; anything malformed is an error naming the file and line.
public struct AllowedSigners: Sendable, Hashable {
    /// One usable line of the file.
    public struct Entry: Sendable, Hashable {
        /// The principals field as written, e.g. `alice@example.com,alice@corp.example`.
        public var principals: [String]
        public var key: SSHPublicKey
        /// The `namespaces` pattern list; nil when the line does not restrict namespaces.
        public var namespaces: String?
        /// The key is valid at or after this time (`valid-after`).
        public var validAfter: Date?
        /// The key is valid up to this time (`valid-before`).
        public var validBefore: Date?
        /// Where the line is, `file:line`, for messages.
        public var location: String

        /// Whether `identity` matches the principals patterns (`*`, `?`, `!` as in ssh_config PATTERNS).
        public func matches(identity: String) -> Bool {
            SSHPattern.matchesList(identity, patterns: principals)
        }

        /// Why this line does not allow a signature in `namespace` verified at `time` on a commit dated `committedAt`;
        /// nil when it does. Both must lie in the key's window: the verification time decides, the commit date only refuses.
        func refusal(namespace: String, at time: Date, committedAt: Date) -> String? {
            if let namespaces, !SSHPattern.matchesList(namespace, patterns: namespaces.split(separator: ",").map(String.init)) {
                return "\(location) allows this key only for namespaces \"\(namespaces)\", not \"\(namespace)\""
            }
            if let validAfter, time < validAfter {
                return "\(location) allows this key only from \(Self.format(validAfter)); it is not valid yet"
            }
            if let validBefore, time > validBefore {
                return
                    "\(location) allowed this key only until \(Self.format(validBefore)) (valid-before): it is retired, whatever date its commits carry"
            }
            if let validAfter, committedAt < validAfter {
                return "\(location) allows this key only from \(Self.format(validAfter)); the commit is dated \(Self.format(committedAt))"
            }
            if let validBefore, committedAt > validBefore {
                return "\(location) allowed this key only until \(Self.format(validBefore)); the commit is dated \(Self.format(committedAt))"
            }
            return nil
        }

        static func format(_ date: Date) -> String {
            ISO8601DateFormatter().string(from: date)
        }
    }

    public var entries: [Entry]
    /// Lines that were skipped, each naming `file:line` and why (certificate authorities, unsupported key types).
    public var notes: [String]

    public init(entries: [Entry], notes: [String] = []) {
        self.entries = entries
        self.notes = notes
    }

    /// Reads and parses an allowed signers file.
    /// - Throws: `AllowedSignersError` naming the file (and line) and what to fix.
    public static func load(contentsOf path: String) throws(AllowedSignersError) -> AllowedSigners {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw AllowedSignersError(file: path, line: nil, message: "cannot read the allowed signers file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AllowedSignersError(file: path, line: nil, message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses the text of an allowed signers file; `file` names it in errors and notes.
    /// - Throws: `AllowedSignersError` at the first malformed line.
    public static func parse(_ text: String, file: String) throws(AllowedSignersError) -> AllowedSigners {
        var result = AllowedSigners(entries: [])
        // Lines end in LF or CRLF, as ssh-keygen reads them ("\r\n" is one Character: split on newlines, not "\n").
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            func fail(_ message: String) -> AllowedSignersError { AllowedSignersError(file: file, line: number, message: message) }

            var scanner = FieldScanner(line)
            guard let principals = scanner.next(), !principals.isEmpty else { throw fail("missing the principals field") }
            guard var word = scanner.next() else {
                throw fail("missing the key after the principals; expected `principals [options] keytype base64-key`")
            }
            var options: [String: String] = [:]
            var isCertificateAuthority = false
            if !SSHPublicKey.isKnownKeyType(word) {
                do throws(OptionError) { (options, isCertificateAuthority) = try parseOptions(word) } catch { throw fail(error.message) }
                guard let next = scanner.next() else { throw fail("missing the key type after the options") }
                word = next
            }
            let keyType = word
            guard let base64 = scanner.next() else { throw fail("missing the base64 key after \(keyType)") }
            if isCertificateAuthority {
                result.notes.append(
                    "\(file):\(number): skipped: cert-authority lines are not supported (Switchyard verifies plain keys); list each signer's key")
                continue
            }
            guard SSHPublicKey.Algorithm(rawValue: keyType) != nil else {
                result.notes.append("\(file):\(number): skipped: \(SSHPublicKey.unsupportedReason(keyType))")
                continue
            }
            let key: SSHPublicKey
            do throws(SSHKeyError) { key = try SSHPublicKey(type: keyType, base64: base64) } catch { throw fail("key: \(error.message)") }

            var entry = Entry(
                principals: principals.split(separator: ",").map(String.init), key: key,
                namespaces: options["namespaces"], location: "\(file):\(number)")
            if let value = options["valid-after"] {
                guard let date = parseTimestamp(value) else { throw fail("valid-after: '\(value)' is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]") }
                entry.validAfter = date
            }
            if let value = options["valid-before"] {
                guard let date = parseTimestamp(value) else { throw fail("valid-before: '\(value)' is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]") }
                entry.validBefore = date
            }
            result.entries.append(entry)
        }
        return result
    }

    /// The lines listing `key` (a key may be listed more than once, with different options).
    public func entries(for key: SSHPublicKey) -> [Entry] {
        entries.filter { $0.key == key }
    }

    /// Options: comma-separated, values in double quotes (as ssh-keygen requires), keywords case-insensitive.
    static func parseOptions(_ text: String) throws(OptionError) -> (values: [String: String], certificateAuthority: Bool) {
        var values: [String: String] = [:]
        var ca = false
        var rest = Substring(text)
        while !rest.isEmpty {
            let nameEnd = rest.firstIndex(where: { $0 == "=" || $0 == "," }) ?? rest.endIndex
            let name = rest[..<nameEnd].lowercased()
            rest = rest[nameEnd...]
            switch name {
            case "cert-authority":
                ca = true
            case "namespaces", "valid-after", "valid-before":
                guard values[name] == nil else { throw OptionError(message: "\(name) is given twice") }
                guard rest.hasPrefix("=\"") else {
                    throw OptionError(message: "\(name) needs a quoted value, e.g. \(name)=\"\(name == "namespaces" ? "git" : "20250101")\"")
                }
                rest = rest.dropFirst(2)
                guard let close = rest.firstIndex(of: "\"") else { throw OptionError(message: "\(name): missing the closing quote") }
                values[name] = String(rest[..<close])
                rest = rest[rest.index(after: close)...]
            case "":
                throw OptionError(message: "empty option in '\(text)'")
            default:
                throw OptionError(
                    message:
                        "unknown option '\(name)'; allowed signers lines accept namespaces, valid-after, valid-before and cert-authority (or the key type is misspelt)"
                )
            }
            if rest.isEmpty { break }
            guard rest.first == "," else { throw OptionError(message: "expected ',' between options, found '\(rest.prefix(20))'") }
            rest = rest.dropFirst()
            if rest.isEmpty { throw OptionError(message: "options end with ','") }
        }
        return (values, ca)
    }

    struct OptionError: Error { var message: String }

    /// `YYYYMMDD` or `YYYYMMDDHHMM[SS]`, local time unless suffixed `Z` (UTC), as ssh-keygen reads them.
    static func parseTimestamp(_ text: String) -> Date? {
        var digits = Substring(text)
        var timeZone = TimeZone.current
        if digits.hasSuffix("Z") || digits.hasSuffix("z") {
            digits = digits.dropLast()
            timeZone = TimeZone(identifier: "UTC")!
        }
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), [8, 12, 14].contains(digits.count) else { return nil }
        let numbers = Array(digits).map { Int(String($0))! }
        func value(_ start: Int, _ length: Int) -> Int { numbers[start..<start + length].reduce(0) { $0 * 10 + $1 } }
        var components = DateComponents()
        components.timeZone = timeZone
        components.year = value(0, 4)
        components.month = value(4, 2)
        components.day = value(6, 2)
        components.hour = digits.count >= 12 ? value(8, 2) : 0
        components.minute = digits.count >= 12 ? value(10, 2) : 0
        components.second = digits.count == 14 ? value(12, 2) : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}

/// A malformed allowed signers file: where, and what to fix.
public struct AllowedSignersError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based; nil when the problem is the whole file.
    public var line: Int?
    public var message: String

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}

/// Splits a line into whitespace-separated fields, keeping double-quoted parts (which may hold spaces) together.
struct FieldScanner {
    private var rest: Substring

    init(_ line: String) { rest = Substring(line) }

    mutating func next() -> String? {
        rest = rest.drop(while: { $0 == " " || $0 == "\t" })
        guard !rest.isEmpty else { return nil }
        var field = ""
        var quoted = false
        while let c = rest.first {
            if !quoted && (c == " " || c == "\t") { break }
            if c == "\"" { quoted.toggle() }
            field.append(c)
            rest = rest.dropFirst()
        }
        // A quoted principals field ("alice@example.com") means the text inside.
        if field.count >= 2, field.hasPrefix("\""), field.hasSuffix("\""), field.dropFirst().dropLast().allSatisfy({ $0 != "\"" }) {
            return String(field.dropFirst().dropLast())
        }
        return field
    }
}

/// OpenSSH pattern lists (ssh_config PATTERNS): `*` and `?` wildcards, `!` negates, and a negated match wins.
enum SSHPattern {
    static func matchesList(_ text: String, patterns: [String]) -> Bool {
        var matched = false
        for pattern in patterns where !pattern.isEmpty {
            if pattern.hasPrefix("!") {
                if matches(Array(text), Array(pattern.dropFirst())) { return false }
            } else if matches(Array(text), Array(pattern)) {
                matched = true
            }
        }
        return matched
    }

    /// Iterative wildcard match with single backtracking point: linear-ish, no recursion on hostile patterns.
    static func matches(_ text: [Character], _ pattern: [Character]) -> Bool {
        var t = 0, p = 0
        var starP = -1, starT = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                t += 1; p += 1
            } else if p < pattern.count && pattern[p] == "*" {
                starP = p; starT = t; p += 1
            } else if starP >= 0 {
                p = starP + 1; starT += 1; t = starT
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
