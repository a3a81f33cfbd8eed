import DesiredState
import Foundation
import SwitchyardTestSupport
import Testing

/// Issue 14: hostile documents are errors naming file and line before YAML builds a node tree; odd encodings are named.
@Suite("Desired-state documents within limits")
struct DocumentLimitTests {
    static func failure(_ text: String) -> String? {
        if case let .failure(failure) = ApplicationParser.parse(text, path: "desired-state/x.yaml") { return "\(failure)" }
        return nil
    }

    @Test("50,000 nested aliases (1.2 MB) are refused at once, not a stack overflow")
    func aliasBomb() {
        var text = "a0: &a0 [x]\n"
        for index in 1..<50_000 { text += "- &a\(index) [*a\(index - 1)]\n" }
        let problem = Self.failure(text)
        #expect(problem?.contains("desired-state/x.yaml:") == true, "\(problem ?? "accepted")")
        #expect(problem?.contains("1 MiB") == true || problem?.contains("anchors and aliases") == true)
    }

    @Test("anchors and aliases past the limit are named with their line", arguments: [17, 40])
    func aliases(count: Int) {
        var text = "base: &b [x]\n"
        for index in 1..<count { text += "k\(index): *b\n" }
        let problem = Self.failure(text)
        #expect(problem?.contains("anchors and aliases") == true, "\(problem ?? "accepted")")
        #expect(problem?.contains("desired-state/x.yaml:\(DocumentLimits.maxAliases + 1):") == true, "the line of the 17th: \(problem ?? "")")
    }

    @Test("a billion laughs stays an error: few aliases, no expansion")
    func billionLaughs() {
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        let names = (0..<20).map { "l\($0)" }
        var previous = "a"
        for name in names {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
            previous = name
        }
        #expect(Self.failure(text)?.contains("anchors and aliases") == true)
    }

    @Test("deep nesting, block or flow, is refused", arguments: ["flow", "block"])
    func depth(style: String) {
        let text =
            style == "flow"
            ? String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "\n"
            : (0..<200).map { String(repeating: " ", count: $0 * 2) + "k\($0):" }.joined(separator: "\n") + " x\n"
        #expect(Self.failure(text)?.contains("nested more than \(DocumentLimits.maxDepth) levels") == true, "\(Self.failure(text) ?? "accepted")")
    }

    @Test("a file over 1 MiB is refused by size")
    func size() {
        let text = "# " + String(repeating: "x", count: (1 << 20) + 10) + "\n"
        #expect(Self.failure(text)?.contains("at most 1048576 bytes") == true)
    }

    @Test("invalid UTF-8 is named with its line; a byte order mark before block YAML is read as YAML allows")
    func encodings() throws {
        let valid = unishopYAML
        var bytes = Array(valid.utf8)
        let line3 = bytes.indices.filter { bytes[$0] == 0x0A }[1] + 1
        bytes.insert(contentsOf: [0xC3, 0x28], at: line3 + 2)
        let broken = String(decoding: bytes, as: UTF8.self)
        #expect(Self.failure(broken)?.contains("desired-state/x.yaml:3:") == true, "\(Self.failure(broken) ?? "accepted")")
        #expect(Self.failure(broken)?.contains("not valid UTF-8") == true)
        #expect(Self.failure("\u{FEFF}" + valid) == nil, "\(Self.failure("\u{FEFF}" + valid) ?? "")")
    }
}
