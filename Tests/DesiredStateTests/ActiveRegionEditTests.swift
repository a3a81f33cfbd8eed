import DesiredState
import Foundation
import Reconciler
import SwitchyardTestSupport
import Testing

@Suite("Rewriting activeRegion")
struct ActiveRegionEditTests {
    func edit(_ text: String, to region: String) throws -> String {
        let app = try ApplicationParser.parse(text, path: "a.yaml").get()
        return try ActiveRegionEdit.apply(to: text, of: app, region: region, schema: ResourceKinds.schema)
    }

    @Test(
        "only the value changes; comments and spacing stay",
        arguments: [
            "  activeRegion: us-east-1",
            "  activeRegion: us-east-1      # the one line a failover changes",
            "  activeRegion: \"us-east-1\"  # quoted",
            "  activeRegion: 'us-east-1'",
            "  activeRegion:    us-east-1",
        ])
    func onlyTheValue(_ line: String) throws {
        let text = replacing("activeRegion:", with: line)
        let edited = try edit(text, to: "us-west-1")
        let before = text.components(separatedBy: "\n"), after = edited.components(separatedBy: "\n")
        #expect(before.count == after.count)
        let changed = zip(before, after).filter { $0 != $1 }
        #expect(changed.count == 1)
        #expect(changed.first?.1.contains("us-west-1") == true)
        #expect(
            changed.first?.1.hasSuffix(
                line.components(separatedBy: "us-east-1").last!.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "'", with: ""))
                == true)
    }

    @Test("an undeclared or already active region is refused")
    func refusals() {
        #expect(throws: ActiveRegionEdit.Failure.self) { try edit(unishopYAML, to: "eu-west-1") }
        #expect(throws: ActiveRegionEdit.Failure.self) { try edit(unishopYAML, to: "us-east-1") }
    }
}
