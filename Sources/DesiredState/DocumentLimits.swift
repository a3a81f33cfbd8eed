import CYaml

/// Limits a desired-state file must keep before YAML builds its node tree (docs/OPERATIONS.md, "Limits"), so that a
/// hostile commit (an alias bomb, a billion laughs, megabytes of brackets) is an error naming the file and line in
/// milliseconds, not minutes of expansion, a crash or a daemon out of memory. A real desired-state file is a few
/// hundred bytes.
///
/// Depth and anchors are counted on libyaml's token stream, the tokens Yams's parser reads next: scanning does no
/// composing and no alias expansion (linear in the file), and it sees every anchor and alias as YAML does, whatever
/// quoting, tabs, flow or block style, tags or keys surround it. (A count on the raw text missed anchors behind a
/// stray quote or a tab and let a 458-byte file with 90 of them through, to take 79 s in Yams's duplicate-key check.)
public enum DocumentLimits {
    /// The largest file read.
    public static let maxBytes = 1 << 20
    /// The deepest nesting of mappings and sequences, block or flow.
    public static let maxDepth = 64
    /// Anchors plus aliases in one file; with so few, what aliases expand to stays small.
    public static let maxAliases = 16

    /// The first limit the text breaks, as a diagnostic at its line; nil when it keeps them all.
    ///
    /// A file libyaml cannot scan is left to the parser, which stops at the same place, having read no more than the
    /// limits allow before it.
    public static func check(_ text: String, path: String) -> Diagnostic? {
        func at(_ line: Int, _ column: Int, _ message: String) -> Diagnostic {
            Diagnostic(location: SourceLocation(path: path, line: line, column: column), field: "", message: message)
        }
        let size = text.utf8.count
        if size > maxBytes {
            return at(1, 1, tooLarge(size))
        }
        if let (line, column) = replacementCharacter(in: text) {
            return at(line, column, "not valid UTF-8 (a byte sequence that is not UTF-8, or U+FFFD); save the file as UTF-8")
        }
        switch scan(text) {
        case let .broken(line, column, message): return at(line, column, message)
        case .unscannable where text.hasPrefix("\u{FEFF}"):
            // The parser then reads the file without its byte order mark (ApplicationParser): so does the count.
            if case let .broken(line, column, message) = scan(String(text.dropFirst())) { return at(line, column, message) }
            return nil
        case .kept, .unscannable: return nil
        }
    }

    /// The size refusal, for a file read whole and for one whose size Git gave without reading it.
    public static func tooLarge(_ size: Int) -> String {
        "the file is \(size) bytes; a desired-state file may be at most \(maxBytes) bytes (1 MiB)"
    }

    /// The 1-based line and column of the first U+FFFD (what decoding made of bytes that are not UTF-8).
    static func replacementCharacter(in text: String) -> (Int, Int)? {
        var line = 1, column = 0
        var afterCR = false
        for scalar in text.unicodeScalars {
            column += 1
            switch scalar {
            case "\u{FFFD}": return (line, column)
            case "\n" where afterCR: column = 0
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
                line += 1
                column = 0
            default: break
            }
            afterCR = scalar == "\r"
        }
        return nil
    }

    enum Scan {
        case kept
        case broken(line: Int, column: Int, message: String)
        /// libyaml refused the text before the end: the parser reports why.
        case unscannable
    }

    /// Reads libyaml's tokens up to the first that breaks a limit.
    static func scan(_ text: String) -> Scan {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return .unscannable }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0, anchors = 0
            while true {
                var token = yaml_token_t()
                guard yaml_parser_scan(&parser, &token) == 1 else { return .unscannable }
                defer { yaml_token_delete(&token) }
                let line = Int(token.start_mark.line) + 1, column = Int(token.start_mark.column) + 1
                switch token.type {
                case YAML_STREAM_END_TOKEN:
                    return .kept
                case YAML_BLOCK_SEQUENCE_START_TOKEN, YAML_BLOCK_MAPPING_START_TOKEN, YAML_FLOW_SEQUENCE_START_TOKEN,
                    YAML_FLOW_MAPPING_START_TOKEN:
                    depth += 1
                    if depth > maxDepth {
                        return .broken(
                            line: line, column: column, message: "nested more than \(maxDepth) levels deep; a desired-state file needs a handful")
                    }
                case YAML_BLOCK_END_TOKEN, YAML_FLOW_SEQUENCE_END_TOKEN, YAML_FLOW_MAPPING_END_TOKEN:
                    depth = max(0, depth - 1)
                case YAML_ANCHOR_TOKEN, YAML_ALIAS_TOKEN:
                    anchors += 1
                    if anchors > maxAliases {
                        return .broken(
                            line: line, column: column, message: "more than \(maxAliases) YAML anchors and aliases; a desired-state file needs none")
                    }
                default:
                    break
                }
            }
        }
    }
}
