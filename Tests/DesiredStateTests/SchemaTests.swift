import DesiredState
import Foundation
import Reconciler
import SwitchyardTestSupport
import Testing

@Suite("Desired-state schema v1")
struct SchemaTests {
    @Test("the Unishop file parses into its regions, origins and clusters")
    func parsesUnishop() throws {
        let app = try ApplicationParser.parse(unishopYAML, path: "desired-state/unishop.yaml").get()
        #expect(app.name == "unishop")
        #expect(app.spec.activeRegion == "us-east-1")
        #expect(app.spec.standby == .hot)
        #expect(app.spec.regions.map(\.name) == ["us-east-1", "us-west-1"])
        #expect(app.spec.region("us-west-1")?.auroraCluster?.clusterID == "hot-secondary")
        #expect(app.spec.cloudfront == CloudFrontSpec(distributionID: "E1EXAMPLE", originGroupID: "hot-standby-origin-group"))
        #expect(app.spec.aurora?.promotion == .switchover)
        #expect(app.source.activeRegion == SourceLocation(path: "desired-state/unishop.yaml", line: 6, column: 17))
    }

    struct BadCase: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        var line: Int
        var field: String
        var message: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        .init(
            name: "wrong apiVersion", text: replacing("apiVersion:", with: "apiVersion: switchyard/v2"),
            line: 1, field: "apiVersion", message: "found `switchyard/v2`; expected `switchyard/v1`; this Switchyard reads only switchyard/v1"),
        .init(
            name: "wrong kind", text: replacing("kind:", with: "kind: Deployment"),
            line: 2, field: "kind", message: "found `Deployment`; expected `Application`"),
        .init(
            name: "missing metadata", text: replacing("metadata:", with: nil, in: replacing("  name: unishop", with: nil)),
            line: 1, field: "metadata", message: "missing; this field is required"),
        .init(
            name: "bad application name", text: replacing("  name: unishop", with: "  name: Uni_Shop"),
            line: 4, field: "metadata.name", message: "found `Uni_Shop`; expected lowercase letters"),
        .init(
            name: "unknown top-level key", text: unishopYAML + "extra: 1\n",
            line: 23, field: "extra", message: "unknown field"),
        .init(
            name: "misspelt key gets a suggestion", text: replacing("activeRegion:", with: "  activeRegin: us-east-1"),
            line: 6, field: "spec.activeRegin", message: "unknown field (did you mean `activeRegion`?)"),
        .init(
            name: "missing activeRegion", text: replacing("activeRegion:", with: nil),
            line: 6, field: "spec.activeRegion", message: "missing; this field is required"),
        .init(
            name: "activeRegion not declared", text: replacing("activeRegion:", with: "  activeRegion: eu-west-1"),
            line: 6, field: "spec.activeRegion",
            message: "found `eu-west-1`; expected one of the regions declared under spec.regions: us-east-1, us-west-1"),
        .init(
            name: "bad standby", text: replacing("standby:", with: "  standby: warm"),
            line: 7, field: "spec.standby", message: "found `warm`; expected one of hot, fenced"),
        .init(
            name: "bad promotion", text: replacing("promotion:", with: "    promotion: yolo"),
            line: 22, field: "spec.aurora.promotion", message: "found `yolo`; expected one of switchover, failover, detach"),
        .init(
            name: "region name not of AWS form", text: replacing("    us-west-1:", with: "    US_WEST:"),
            line: 13, field: "spec.regions.US_WEST", message: "expected an AWS region name such as us-east-1"),
        .init(
            name: "fewer than two regions",
            text: unishopYAML.components(separatedBy: "\n").enumerated().filter { !(13...16).contains($0.offset) }.map(\.element).joined(
                separator: "\n"),
            line: 9, field: "spec.regions", message: "found 1 region; expected at least two"),
        .init(
            name: "cluster ARN in another region",
            text: replacing("cluster:hot-secondary", with: "      auroraCluster: arn:aws:rds:eu-west-1:111122223333:cluster:hot-secondary"),
            line: 16, field: "spec.regions.us-west-1.auroraCluster", message: "found a cluster in `eu-west-1`; expected a cluster in `us-west-1`"),
        .init(
            name: "malformed cluster ARN", text: replacing("cluster:hot-secondary", with: "      auroraCluster: hot-secondary"),
            line: 16, field: "spec.regions.us-west-1.auroraCluster", message: "found `hot-secondary`; expected a DB cluster ARN"),
        .init(
            name: "duplicate originId", text: replacing("hot-secondary-origin", with: "      originId: hot-primary-origin"),
            line: 13, field: "spec.regions.us-west-1.originId", message: "already the origin of us-east-1; expected a distinct origin per region"),
        .init(
            name: "bad bucket name", text: replacing("hot-secondary-uibucket", with: "      bucket: Not_A_Bucket"),
            line: 14, field: "spec.regions.us-west-1.bucket", message: "expected an S3 bucket name"),
        .init(
            name: "incomplete bucket group", text: replacing("hot-secondary-uibucket", with: nil),
            line: 13, field: "spec.regions.us-west-1.bucket", message: "missing; required because other regions declare it"),
        .init(
            name: "cloudfront section without every originId", text: replacing("hot-secondary-origin", with: nil),
            line: 13, field: "spec.regions.us-west-1.originId", message: "missing; required because spec.cloudfront is set"),
        .init(
            name: "originIds without a cloudfront section",
            text: replacing("  cloudfront:", with: nil, in: replacing("distributionId:", with: nil, in: replacing("originGroupId:", with: nil))),
            line: 6, field: "spec.cloudfront", message: "missing; required because regions declare `originId`"),
        .init(
            name: "aurora section without every cluster", text: replacing("cluster:hot-primary", with: nil),
            line: 9, field: "spec.regions.us-east-1.auroraCluster", message: "missing; required because spec.aurora is set"),
        .init(
            name: "clusters without an aurora section",
            text: replacing("  aurora:", with: nil, in: replacing("globalClusterId:", with: nil, in: replacing("promotion:", with: nil))),
            line: 6, field: "spec.aurora", message: "missing; required because regions declare `auroraCluster`"),
        .init(
            name: "missing distributionId", text: replacing("distributionId:", with: nil),
            line: 18, field: "spec.cloudfront.distributionId", message: "missing; this field is required"),
        .init(
            name: "bad distributionId", text: replacing("distributionId:", with: "    distributionId: e1-example"),
            line: 18, field: "spec.cloudfront.distributionId", message: "found `e1-example`; expected a CloudFront distribution id"),
        .init(
            name: "missing globalClusterId", text: replacing("globalClusterId:", with: nil),
            line: 21, field: "spec.aurora.globalClusterId", message: "missing; this field is required"),
        .init(
            name: "blockPublicAccess not a boolean",
            text: replacing("hot-secondary-origin", with: "      originId: hot-secondary-origin\n      blockPublicAccess: maybe"),
            line: 16, field: "spec.regions.us-west-1.blockPublicAccess", message: "found `maybe`; expected true or false"),
        .init(
            name: "empty string", text: replacing("originGroupId:", with: "    originGroupId: \"\""),
            line: 19, field: "spec.cloudfront.originGroupId", message: "found an empty string; expected a value"),
        .init(
            name: "null value", text: replacing("globalClusterId:", with: "    globalClusterId:"),
            line: 21, field: "spec.aurora.globalClusterId", message: "found nothing (null); expected a string"),
        .init(
            name: "spec not a mapping", text: "apiVersion: switchyard/v1\nkind: Application\nmetadata:\n  name: x\nspec: [1, 2]\n",
            line: 5, field: "spec", message: "found a list; expected a mapping"),
        .init(
            name: "bad duration", text: replacing("promotion:", with: "    promotion: switchover\n    maxReplicationLag: soon"),
            line: 23, field: "spec.aurora.maxReplicationLag", message: "found `soon`; expected a duration such as 500ms, 90s, 5m or 1h"),
        .init(
            name: "not valid YAML", text: replacing("standby:", with: "  standby: [hot"),
            line: 8, field: "", message: "not valid YAML"),
        .init(
            name: "duplicate key", text: replacing("standby:", with: "  standby: hot\n  standby: fenced"),
            line: 7, field: "", message: "duplicate key standby"),
        .init(name: "empty file", text: "", line: 1, field: "", message: "the file is empty"),
    ]

    @Test("a bad file is reported with file:line, field and message", arguments: badCases)
    func badFile(_ bad: BadCase) {
        let found = diagnostics(bad.text)
        let match = found.first { $0.field == bad.field && $0.message.contains(bad.message) }
        #expect(match != nil, "expected \(bad.field): \(bad.message); got \(found)")
        #expect(match?.location.path == "desired-state/unishop.yaml")
        #expect(match?.location.line == bad.line, "for \(bad.name): \(found)")
        #expect(match.map { "\($0)".hasPrefix("desired-state/unishop.yaml:\(bad.line):") } == true)
    }

    @Test("every problem in a file is reported, not only the first")
    func reportsEveryProblem() {
        let text = replacing("standby:", with: "  standby: warm", in: replacing("promotion:", with: "    promotion: yolo"))
        #expect(Set(diagnostics(text).map(\.field)) == ["spec.standby", "spec.aurora.promotion"])
    }

    @Test("an app with only buckets and CloudFront is valid")
    func bucketsAndCloudFrontOnly() throws {
        var text = unishopYAML
        for line in ["auroraCluster", "  aurora:", "globalClusterId", "promotion"] {
            while text.contains(line) { text = replacing(line, with: nil, in: text) }
        }
        let app = try ApplicationParser.parse(text, path: "a.yaml").get()
        #expect(app.spec.aurora == nil)
        #expect(app.spec.cloudfront != nil)
    }

    @Test("an app with only Aurora is valid")
    func auroraOnly() throws {
        var text = unishopYAML
        for line in ["bucket:", "originId", "  cloudfront:", "distributionId", "originGroupId"] {
            while text.contains(line) { text = replacing(line, with: nil, in: text) }
        }
        let app = try ApplicationParser.parse(text, path: "a.yaml").get()
        #expect(app.spec.cloudfront == nil)
        #expect(app.spec.regions.allSatisfy { $0.bucket == nil })
    }

    @Test("which buckets are blocked follows standby and the override")
    func blockedBuckets() throws {
        var app = try ApplicationParser.parse(unishopYAML, path: "a.yaml").get()
        #expect(app.spec.regions.map(app.spec.wantsBlocked) == [false, false])
        app.spec.standby = .fenced
        #expect(app.spec.regions.map(app.spec.wantsBlocked) == [false, true])
        app.spec.regions[0].blockPublicAccess = true
        #expect(app.spec.regions.map(app.spec.wantsBlocked) == [true, true])
    }
}

@Suite("Desired-state folders")
struct DesiredStateSetTests {
    @Test("errors from every file are reported together, and nothing is returned")
    func everyFile() {
        let files = [
            DesiredStateSet.File(path: "desired-state/a.yaml", content: replacing("standby:", with: "  standby: warm")),
            DesiredStateSet.File(path: "desired-state/b.yaml", content: replacing("kind:", with: "kind: Nope")),
        ]
        #expect {
            try DesiredStateSet.load(files)
        } throws: { error in
            let failure = error as? ValidationFailure
            return Set(failure?.diagnostics.map(\.location.path) ?? []) == ["desired-state/a.yaml", "desired-state/b.yaml"]
        }
    }

    @Test("metadata.name is unique across files")
    func uniqueNames() {
        let files = ["a", "b"].map { DesiredStateSet.File(path: "desired-state/\($0).yaml", content: unishopYAML) }
        #expect {
            try DesiredStateSet.load(files)
        } throws: { error in
            (error as? ValidationFailure)?.diagnostics.first?.description
                == "desired-state/b.yaml:1:1: metadata.name: found `unishop`, already declared in desired-state/a.yaml; expected a name unique across files"
        }
    }

    @Test("--app selects applications and names unknown ones")
    func selection() throws {
        let set = try DesiredStateSet.load([.init(path: "a.yaml", content: unishopYAML)])
        #expect(try set.selecting(["unishop"]).applications.count == 1)
        #expect(throws: SelectionError.self) { try set.selecting(["nope"]) }
    }
}

@Suite("Fail-closed invariant")
struct FailClosedTests {
    @Test(
        "a file that blocks every bucket is refused",
        arguments: [
            ("fenced", "us-east-1")  // fenced blocks the standby; the override blocks the active one
        ])
    func everyBucketBlocked(_ standby: String, _ blocked: String) {
        let text = replacing(
            "standby:", with: "  standby: \(standby)",
            in: replacing("hot-primary-uibucket", with: "      bucket: hot-primary-uibucket-example\n      blockPublicAccess: true"))
        let found = diagnostics(text)
        #expect(
            found.contains { $0.field == "spec.regions.\(blocked).blockPublicAccess" && $0.message.contains("no region could serve") }, "\(found)")
    }

    @Test("blocking the active bucket while a hot standby serves is allowed (the lab's simulated outage)")
    func standbyServes() {
        let text = replacing("hot-primary-uibucket", with: "      bucket: hot-primary-uibucket-example\n      blockPublicAccess: true")
        #expect(diagnostics(text).isEmpty)
    }
}
