import DesiredState
import Foundation
import Reconciler
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

    /// Alias bombs of every shape Yams would expand or hash for minutes, each 30 levels deep (90 anchors and aliases):
    /// in flow and block style, anchored keys (hashed whole by the duplicate-key check), tabs for spaces, merge keys,
    /// tags, and bombs behind a stray quote or a block scalar that fooled a count on the raw text.
    static let bombs: [String: String] = {
        func levels(_ line: (Int) -> String) -> String { (1...30).map(line).joined() }
        let chain = "s0: &s0 [lol]\n" + levels { "s\($0): &s\($0) [*s\($0 - 1), *s\($0 - 1)]\n" }
        return [
            "values, flow lists": chain,
            "anchored keys, block": "? &k0 [x]\n: 0\n" + levels { "? &k\($0) [*k\($0 - 1), *k\($0 - 1)]\n: \($0)\n" },
            "anchored keys, flow mapping": "{&k0 [x]: 0, " + levels { "&k\($0) [*k\($0 - 1), *k\($0 - 1)]: \($0), " } + "end: 0}\n",
            "tabs for spaces": "s0:\t&s0\t[lol]\n" + levels { "s\($0):\t&s\($0)\t[*s\($0 - 1),\t*s\($0 - 1)]\n" },
            "block lists": "- &s0 [lol]\n" + levels { "- &s\($0)\n  - *s\($0 - 1)\n  - *s\($0 - 1)\n" },
            "merge keys": "b0: &b0 {x: 1}\n" + levels { "b\($0): &b\($0) {<<: [*b\($0 - 1), *b\($0 - 1)]}\n" },
            "tagged anchors": "s0: !!seq &s0 [lol]\n" + levels { "s\($0): !!seq &s\($0) [*s\($0 - 1), *s\($0 - 1)]\n" },
            "after a stray quote in a plain scalar": "note: it 's a plain scalar\n" + chain,
            "after a block scalar holding a quote": "text: |\n  'not a quote\n" + chain,
            "after a double-quoted escape": "a: \"\\\\\"\nb: \"x\\\" y\"\n" + chain,
        ]
    }()

    @Test("an alias bomb of any shape is refused before composing, at the 17th anchor or alias", arguments: bombs.keys.sorted())
    func bomb(shape: String) throws {
        let problem = try #require(Self.failure(Self.bombs[shape]!), "accepted")
        #expect(problem.contains("more than \(DocumentLimits.maxAliases) YAML anchors and aliases"), "\(problem)")
        #expect(problem.contains(/desired-state\/x\.yaml:[0-9]+:[0-9]+: more than 16 YAML anchors and aliases/), "\(problem)")
    }

    @Test("the 17th anchor or alias is named with its line and column, in flow and block style")
    func position() throws {
        let flow = try #require(Self.failure("a: [&x 1, " + Array(repeating: "*x", count: 16).joined(separator: ", ") + "]\n"))
        #expect(flow.contains("desired-state/x.yaml:1:\(11 + 4 * 15):"), "\(flow)")
        let block = try #require(Self.failure("a: &x 1\n" + (1...16).map { "k\($0):  *x\n" }.joined()))
        #expect(block.contains("desired-state/x.yaml:17:"), "\(block)")
        #expect(block.contains(":17:\(5 + String(16).count):"), "column of `*x` after `k16:  `: \(block)")
    }

    @Test("& and * in comments, quoted strings and plain scalars are not anchors")
    func notAnchors() {
        let noise = (1...20).map { "# &a\($0) *a\($0) [*a, *a]\n" }.joined()
        let text = noise + unishopYAML.replacingOccurrences(of: "name: unishop", with: "name: \"unishop\" # & * &x *y")
        #expect(Self.failure(text) == nil, "\(Self.failure(text) ?? "")")
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
