import Basics
import DesiredState
import Foundation
import Reconciler
import SwitchyardTestSupport
import Testing

@Suite("Durations")
struct DurationTests {
    @Test(
        "durations are written like 500ms, 90s, 5m, 1h",
        arguments: [
            ("500ms", Duration.milliseconds(500)), ("90s", .seconds(90)), ("5m", .seconds(300)),
            ("1h", .seconds(3600)), ("1h30m", .seconds(5400)), ("0s", .zero),
        ])
    func parses(_ text: String, _ expected: Duration) {
        #expect(DurationFormat.parse(text) == expected)
    }

    @Test("anything else is rejected", arguments: ["", "5", "m", "5 m", "1d", "-5s", "1.5s", "5mm", "99999999999s"])
    func rejects(_ text: String) {
        #expect(DurationFormat.parse(text) == nil)
    }

    @Test("formatting gives the shortest exact form")
    func formats() {
        #expect(DurationFormat.format(.seconds(90)) == "1m30s")
        #expect(DurationFormat.format(.milliseconds(1500)) == "1s500ms")
        #expect(DurationFormat.format(.zero) == "0s")
    }
}
