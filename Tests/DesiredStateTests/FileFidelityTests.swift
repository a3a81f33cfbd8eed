import DesiredState
import Foundation
import Reconciler
import SwitchyardTestSupport
import Testing

/// A flip changes the value's characters and nothing else, however the file is written.
@Suite("Rewriting activeRegion keeps the file as written")
struct FileFidelityTests {
    func edit(_ text: String, to region: String = "us-west-1") throws -> String {
        let app = try ApplicationParser.parse(text, path: "a.yaml").get()
        return try ActiveRegionEdit.apply(to: text, of: app, region: region, schema: ResourceKinds.schema)
    }

    /// The one span of bytes that differs between two texts (`us-east-1` -> `us-west-1` differ in `ea` -> `we`).
    func onlyDifference(_ a: String, _ b: String) -> (removed: String, inserted: String) {
        let a = Array(a.utf8), b = Array(b.utf8)
        var start = 0
        while start < min(a.count, b.count), a[start] == b[start] { start += 1 }
        var endA = a.count, endB = b.count
        while endA > start, endB > start, a[endA - 1] == b[endB - 1] { endA -= 1; endB -= 1 }
        return (String(decoding: a[start..<endA], as: UTF8.self), String(decoding: b[start..<endB], as: UTF8.self))
    }

    @Test("line endings are kept", arguments: ["\r\n", "\r"])
    func lineEndings(_ ending: String) throws {
        let text = unishopYAML.replacingOccurrences(of: "\n", with: ending)
        let edited = try edit(text)
        #expect(edited == text.replacingOccurrences(of: "activeRegion: us-east-1", with: "activeRegion: us-west-1"))
        #expect(edited.utf8.count == text.utf8.count)
    }

    @Test("a byte order mark before a one-line document does not shift the value")
    func byteOrderMark() throws {
        let text =
            "\u{FEFF}{apiVersion: switchyard/v1, kind: Application, metadata: {name: unishop}, "
            + "spec: {activeRegion: \"us-east-1\", regions: {us-east-1: {bucket: unishop-a}, us-west-1: {bucket: unishop-b}}}}\n"
        let edited = try edit(text)
        #expect(onlyDifference(text, edited) == ("ea", "we"))
    }

    @Test("a pretty-printed JSON file stays JSON with its quotes")
    func json() throws {
        let object: [String: Any] = [
            "apiVersion": "switchyard/v1", "kind": "Application", "metadata": ["name": "unishop"],
            "spec": ["activeRegion": "us-east-1", "regions": ["us-east-1": ["bucket": "unishop-a"], "us-west-1": ["bucket": "unishop-b"]]],
        ]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        let edited = try edit(text)
        #expect(onlyDifference(text, edited) == ("ea", "we"))
        let reread = try JSONSerialization.jsonObject(with: Data(edited.utf8)) as? [String: Any]
        #expect((reread?["spec"] as? [String: Any])?["activeRegion"] as? String == "us-west-1")
    }

    @Test(
        "flow style keeps its commas, braces and neighbours",
        arguments: [
            "spec: {activeRegion: us-east-1, standby: hot, regions: {us-east-1: {bucket: unishop-a}, us-west-1: {bucket: unishop-b}}}",
            "spec: {standby: hot, activeRegion: us-east-1}",
            "spec: {activeRegion: 'us-east-1', regions: {us-east-1: {bucket: unishop-a}, us-west-1: {bucket: unishop-b}}}",
            "spec: {\"activeRegion\": \"us-east-1\",\"regions\": {us-east-1: {bucket: unishop-a}, us-west-1: {bucket: unishop-b}}}",
        ])
    func flowStyle(_ spec: String) throws {
        var spec = spec
        if !spec.contains("regions") {
            spec = spec.replacingOccurrences(of: "}", with: ", regions: {us-east-1: {bucket: unishop-a}, us-west-1: {bucket: unishop-b}}}")
        }
        let text = "apiVersion: switchyard/v1\nkind: Application\nmetadata: {name: unishop}\n\(spec)  # flow\n"
        let edited = try edit(text)
        #expect(onlyDifference(text, edited) == ("ea", "we"))
    }

    @Test("each quoting style is kept", arguments: [("us-east-1", "us-west-1"), ("'us-east-1'", "'us-west-1'"), ("\"us-east-1\"", "\"us-west-1\"")])
    func quoting(_ written: String, _ expected: String) throws {
        let text = replacing("activeRegion:", with: "  activeRegion: \(written)   # comment")
        let edited = try edit(text)
        #expect(edited.contains("  activeRegion: \(expected)   # comment\n"))
        #expect(onlyDifference(text, edited) == ("ea", "we"))
    }

    @Test("a value over several lines is refused with how to write it")
    func multiLine() throws {
        let text = replacing("activeRegion:", with: "  activeRegion: >-\n    us-east-1")
        let failure = #expect(throws: ActiveRegionEdit.Failure.self) { try edit(text) }
        #expect(failure?.description.contains("write it on one line") == true)
    }
}

@Suite("Identifiers are compared as AWS compares them")
struct IdentifierTests {
    @Test(
        "an Aurora cluster or global cluster identifier with upper case is refused with the reason",
        arguments: [
            (
                "arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary", "arn:aws:rds:us-west-1:111122223333:cluster:Hot-Secondary",
                "spec.regions.us-west-1.auroraCluster", "found cluster identifier `Hot-Secondary`; expected `hot-secondary`"
            ),
            (
                "globalClusterId: hot-global", "globalClusterId: Hot-Global", "spec.aurora.globalClusterId",
                "found `Hot-Global`; expected `hot-global`"
            ),
        ])
    func upperCaseAurora(_ old: String, _ new: String, _ field: String, _ message: String) {
        let found = diagnostics(unishopYAML.replacingOccurrences(of: old, with: new))
        #expect(found.count == 1)
        #expect(found.first?.field == field)
        #expect(found.first?.message.contains(message) == true, "\(found)")
        #expect(found.first?.message.contains("RDS stores") == true)
    }

    @Test("an upper-case bucket name is refused")
    func upperCaseBucket() {
        let found = diagnostics(unishopYAML.replacingOccurrences(of: "bucket: hot-primary-uibucket-example", with: "bucket: Hot-Primary"))
        #expect(found.first?.field == "spec.regions.us-east-1.bucket")
        #expect(found.first?.message.contains("found `Hot-Primary`; expected an S3 bucket name (3 to 63 lowercase letters") == true, "\(found)")
    }

    @Test("CloudFront ids are case-sensitive: origin groups differing in case are different")
    func cloudFrontCase() throws {
        let other = unishopYAML.replacingOccurrences(of: "name: unishop", with: "name: other")
            .replacingOccurrences(of: "hot-standby-origin-group", with: "Hot-Standby-Origin-Group")
            .replacingOccurrences(of: "uibucket", with: "other")
            .replacingOccurrences(of: "cluster:hot-", with: "cluster:other-")
            .replacingOccurrences(of: "hot-global", with: "other-global")
        _ = try DesiredStateSet.load([.init(path: "a.yaml", content: unishopYAML), .init(path: "b.yaml", content: other)])
    }
}

@Suite("Two files may not drive the same resource")
struct SharedResourceTests {
    static let other = unishopYAML.replacingOccurrences(of: "name: unishop", with: "name: other")

    @Test(
        "a shared bucket, origin group, global cluster or cluster is refused naming both files",
        arguments: [
            ("bucket", "spec.regions.us-east-1.bucket", "bucket `hot-primary-uibucket-example`", 10),
            ("originGroup", "spec.cloudfront.originGroupId", "origin group `hot-standby-origin-group` of distribution `E1EXAMPLE`", 19),
            ("globalCluster", "spec.aurora.globalClusterId", "global cluster `hot-global`", 21),
            ("cluster", "spec.regions.us-west-1.auroraCluster", "Aurora cluster `arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary`", 16),
        ])
    func shared(_ kind: String, _ field: String, _ what: String, _ line: Int) throws {
        // `other` differs from unishop in everything but the one resource under test.
        var text = Self.other
        if kind != "bucket" { text = text.replacingOccurrences(of: "uibucket", with: "otherbucket") }
        if kind != "originGroup" { text = text.replacingOccurrences(of: "hot-standby-origin-group", with: "other-group") }
        if kind != "globalCluster" { text = text.replacingOccurrences(of: "hot-global", with: "other-global") }
        if kind != "cluster" { text = text.replacingOccurrences(of: "cluster:hot-", with: "cluster:other-") }
        do {
            _ = try DesiredStateSet.load([
                .init(path: "desired-state/unishop.yaml", content: unishopYAML),
                .init(path: "desired-state/other.yaml", content: text),
            ])
            Issue.record("a shared \(kind) was accepted")
        } catch {
            let found = error.diagnostics.filter { $0.field == field }
            #expect(found.count == 1, "\(error)")
            let diagnostic = try #require(found.first)
            // `other` sorts first, so unishop's file is the second to claim the resource.
            #expect(diagnostic.location.path == "desired-state/unishop.yaml")
            #expect(diagnostic.location.line == line)
            #expect(diagnostic.message.contains("found \(what), already declared by other at desired-state/other.yaml:\(line)"), "\(diagnostic)")
        }
    }

    @Test("one file may name the same distribution with another origin group")
    func sameDistributionOtherGroup() throws {
        let text = Self.other.replacingOccurrences(of: "uibucket", with: "otherbucket")
            .replacingOccurrences(of: "hot-standby-origin-group", with: "other-group")
            .replacingOccurrences(of: "hot-global", with: "other-global")
            .replacingOccurrences(of: "cluster:hot-", with: "cluster:other-")
        let set = try DesiredStateSet.load([.init(path: "a.yaml", content: unishopYAML), .init(path: "b.yaml", content: text)])
        #expect(set.applications.count == 2)
    }
}
