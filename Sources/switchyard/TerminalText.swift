import Logging

/// Text from outside (commit subjects and author names, file names, refusal reasons, AWS messages) made safe to
/// show on a terminal: every control character is written as a visible escape, so a commit cannot move the cursor,
/// rewrite a line, set the clipboard (OSC 52), ring the bell or hide itself from `status`, `history`, `report` or
/// `plan`.
///
/// Escaped, as `\u{1B}`: C0 controls but line feed and tab (ESC, BEL, CR, backspace, NUL, …), DEL, C1 controls
/// (U+0080–U+009F, which some terminals read as ESC sequences) and the bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069, which reorder what a line shows). Line feed and tab are kept: the outputs are
/// made of lines, and a tab moves the cursor only forward. JSON output needs none of this: its encoder escapes them.
enum TerminalText {
    /// `text` with every character above written as `\u{HEX}`.
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isHidden) else { return text }
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isHidden(scalar) {
                shown.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                shown.append(scalar)
            }
        }
        return String(shown)
    }

    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}

/// Prints text to stdout as a person reads it, control characters made visible (`TerminalText`). Every result the
/// command-line tool prints goes through here: it takes the place of `Swift.print` in this module.
func print(_ text: String, terminator: String = "\n") {
    Swift.print(TerminalText.visible(text), terminator: terminator)
}

/// The log on stderr (`run`, `--log-level`): swift-log's stream handler, each message and metadata value with control
/// characters made visible, since log lines carry commit subjects and refusal reasons.
struct TerminalLogHandler: LogHandler {
    private var stream: StreamLogHandler

    init(label: String) { stream = StreamLogHandler.standardError(label: label) }

    var metadata: Logger.Metadata {
        get { stream.metadata }
        set { stream.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { stream[metadataKey: key] }
        set { stream[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(TerminalText.visible(event.message.description))"
        event.metadata = event.metadata?.mapValues { .string(TerminalText.visible("\($0)")) }
        stream.log(event: event)
    }
}
