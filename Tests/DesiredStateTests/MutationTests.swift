import DesiredState
import Foundation
import Reconciler
import SwitchyardTestSupport
import Testing

/// Generated and mutated documents: the parser either parses or reports, and never crashes.
@Suite("Mutated input")
struct MutationTests {

    static let fragments = [
        ":", "-", " ", "\n", "  ", "\t", "#", "\"", "'", "[", "]", "{", "}", "&a", "*a", "!!str", "|", ">", "~", "null",
        "true", "us-east-1", "eu-west-1", "arn:aws:rds:us-east-1:111122223333:cluster:x", "regions:", "spec:", "---", "...",
        "\u{FEFF}", "é", "\u{0}", "%YAML 1.2", "? ", "<<: *a", "9999999999999999999999", "1e400", "\\",
    ]

    @Test("1,000 mutated documents parse or fail cleanly")
    func mutations() {
        var rng = SplitMix64(state: 0x5EED)
        var parsed = 0, rejected = 0
        for _ in 0..<1000 {
            var scalars = Array(unishopYAML.unicodeScalars)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let position = Int.random(in: 0...scalars.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0 where position < scalars.count:
                    scalars.remove(at: position)
                case 1:
                    scalars.insert(contentsOf: Self.fragments.randomElement(using: &rng)!.unicodeScalars, at: position)
                case 2:
                    scalars = Array(scalars.prefix(position))  // truncation
                default:
                    if position < scalars.count, let s = Unicode.Scalar(UInt32.random(in: 32...126, using: &rng)) { scalars[position] = s }
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            switch ApplicationParser.parse(text, path: "fuzz.yaml") {
            case .success: parsed += 1
            case let .failure(failure):
                rejected += 1
                #expect(!failure.diagnostics.isEmpty)
                #expect(failure.diagnostics.allSatisfy { $0.location.line >= 1 && $0.location.path == "fuzz.yaml" })
            }
        }
        #expect(parsed + rejected == 1000)
        #expect(rejected > 0)
    }

    @Test("deeply nested and huge documents are rejected, not crashed on")
    func pathological() {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        _ = ApplicationParser.parse(deep, path: "deep.yaml")
        let wide =
            "apiVersion: switchyard/v1\nkind: Application\nmetadata: {name: x}\nspec:\n  regions:\n"
            + (0..<2000).map { "    r\($0): {}\n" }.joined()
        if case .success = ApplicationParser.parse(wide, path: "wide.yaml") { Issue.record("accepted an invalid document") }
    }
}
