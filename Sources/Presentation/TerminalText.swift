/// Text from outside (commit subjects and author names, file names, refusal reasons, AWS messages) made safe to
/// show on a terminal: every control character is written as a visible escape, so a commit cannot move the cursor,
/// rewrite a line, set the clipboard (OSC 52), ring the bell or hide itself from `status`, `history`, `report` or
/// `plan`, or from `curl /readyz`.
///
/// Escaped, as `\u{1B}`: C0 controls but line feed and tab (ESC, BEL, CR, backspace, NUL, …), DEL, C1 controls
/// (U+0080–U+009F, which some terminals read as ESC sequences) and the bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069, which reorder what a line shows). Line feed and tab are kept: the outputs are
/// made of lines, and a tab moves the cursor only forward. JSON output needs none of this: its encoder escapes them.
public enum TerminalText {
    /// `text` with every character above written as `\u{HEX}`.
    public static func visible(_ text: String) -> String {
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

    /// JSON text with the characters above that JSON encoders leave as they are (DEL, C1, the bidirectional controls)
    /// written as JSON's own `\uXXXX` escapes: the same JSON value, safe on a terminal. (Swift's encoder escapes C0.)
    public static func visible(json: String) -> String {
        guard json.unicodeScalars.contains(where: isHidden) else { return json }
        var shown = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if isHidden(scalar) {
                let hex = String(scalar.value, radix: 16)
                shown.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                shown.append(scalar)
            }
        }
        return String(shown)
    }

    /// Whether the scalar is shown as an escape.
    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
