import AWS
import DesiredState
import Foundation
import Reconciler
import Testing

/// A global database that takes its time to promote, counting how many promotions run at once across databases.
final class SlowGlobalDatabase: GlobalDatabaseControl, @unchecked Sendable {
    let base: FakeCloud
    let gauge: Gauge
    let delay: Duration

    final class Gauge: @unchecked Sendable {
        private let lock = NSLock()
        private var now = 0
        private(set) var most = 0
        private(set) var finished: [String] = []
        func enter() {
            lock.withLock {
                now += 1; most = max(most, now)
            }
        }
        func leave(_ what: String) {
            lock.withLock {
                now -= 1; finished.append(what)
            }
        }
    }

    init(_ base: FakeCloud, gauge: Gauge, delay: Duration = .milliseconds(200)) {
        self.base = base
        self.gauge = gauge
        self.delay = delay
    }

    func globalCluster(id: String, region: String) async throws -> GlobalDatabase { try await base.globalCluster(id: id, region: region) }
    func dbCluster(_ arn: ClusterARN) async throws -> AuroraCluster? { try await base.dbCluster(arn) }
    func replicationLag(of cluster: ClusterARN) async throws -> LagReading? { try await base.replicationLag(of: cluster) }
    func promote(_ mode: PromotionMode, globalClusterID: String, target: ClusterARN) async throws -> String? {
        gauge.enter()
        try await Task.sleep(for: delay)
        defer { gauge.leave(globalClusterID) }
        return try await base.promote(mode, globalClusterID: globalClusterID, target: target)
    }
}

let docEast = "arn:aws:rds:us-east-1:123456789012:cluster:doc-east"
let docWest = "arn:aws:rds:us-west-1:123456789012:cluster:doc-west"

/// Unishop with a DocumentDB global cluster beside Aurora.
func unishopWithDocumentDB(active: String = "us-west-1", standby: StandbyMode = .fenced) -> Application {
    var app = unishop(active: active, standby: standby)
    app.spec.declarations["documentDb"] = GlobalClusterSpec(globalClusterID: "doc-global", promotion: .switchover)
    app.spec.regions[0].declarations["documentDbCluster"] = ClusterARN(docEast)
    app.spec.regions[1].declarations["documentDbCluster"] = ClusterARN(docWest)
    return app
}

@Suite("Resource kinds: phases draw the graph, the engine knows no kind")
struct KindSeamTests {
    func world() -> (FakeCloud, FakeCloud, SlowGlobalDatabase.Gauge, ResourceKinds) {
        let lab = primaryCloud()
        lab.buckets["secondary-bucket"] = .blocked
        let documents = FakeCloud(writer: docEast, members: [docEast, docWest], origins: [], buckets: [:])
        documents.global.identifier = "doc-global"
        let gauge = SlowGlobalDatabase.Gauge()
        let kinds = ResourceKinds([
            WebsiteBucket(control: lab), CloudFrontOriginGroup(control: lab),
            AuroraGlobalDatabase(control: SlowGlobalDatabase(lab, gauge: gauge)),
            DocumentDBGlobalCluster(control: SlowGlobalDatabase(documents, gauge: gauge)),
        ])
        return (lab, documents, gauge, kinds)
    }

    @Test("two databases promote side by side in promoteData; traffic and fencing wait for both")
    func twoPromotions() async {
        let (lab, documents, gauge, kinds) = world()
        let app = unishopWithDocumentDB()
        let plan = await Observer(kinds: kinds).plan(app)
        #expect(plan.blockers.isEmpty, "\(plan.blockers)")
        let byID = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.id, $0) })
        #expect(byID["aurora"]?.phase == .promoteData)
        #expect(byID["documentdb"]?.phase == .promoteData)
        #expect(byID["documentdb"]?.action.rawValue == "promoteDocumentDb")
        #expect(byID["documentdb"]?.kind == "documentdb-global-cluster")
        #expect(byID["open:us-west-1"]?.dependsOn.sorted() == ["aurora", "documentdb"])
        #expect(Set(byID["origins"]?.dependsOn ?? []) == ["aurora", "documentdb", "open:us-west-1"])
        #expect(Set(byID["block:us-east-1"]?.dependsOn ?? []) == ["aurora", "documentdb", "open:us-west-1"], "a fence never waits on traffic")
        #expect(plan.steps.map(\.phase) == plan.steps.map(\.phase).sorted(), "steps come in phase order")

        let outcomes = await Applier(kinds: kinds, options: ApplyOptions(pollInterval: .milliseconds(1))).apply(plan, for: app)
        #expect(outcomes.allSatisfy(\.isFinished) || outcomes.allSatisfy { $0.status != .failed }, "\(outcomes.map(\.message))")
        #expect(gauge.most == 2, "the two promotions overlapped")
        #expect(lab.global.writer?.dbClusterArn == west)
        #expect(documents.global.writer?.dbClusterArn == docWest)
        #expect(lab.calls.filter { $0.hasPrefix("rds") }.count == 1 && documents.calls.filter { $0.hasPrefix("rds") }.count == 1)
        // Traffic moved only after both promotions had finished.
        let order = lab.calls
        #expect(order.firstIndex { $0.hasPrefix("cloudfront") }.map { $0 > (order.firstIndex { $0.hasPrefix("rds") } ?? .max) } == true)
        #expect(gauge.finished.count == 2)
    }

    @Test("a refused DocumentDB promotion holds traffic and fencing, though Aurora promoted")
    func refusedDocumentDB() async {
        let (lab, documents, _, kinds) = world()
        documents.promoteFault = (
            AWSError(
                kind: .service, service: "rds", operation: "SwitchoverGlobalCluster", code: "InvalidDBClusterStateFault", message: "no",
                requestID: "r", httpStatus: 400), false
        )
        let app = unishopWithDocumentDB()
        let plan = await Observer(kinds: kinds).plan(app)
        let outcomes = await Applier(kinds: kinds, options: ApplyOptions(pollInterval: .milliseconds(1))).apply(plan, for: app)
        let byID = Dictionary(uniqueKeysWithValues: outcomes.map { ($0.step.id, $0) })
        #expect(byID["documentdb"]?.code == StepCode.promotionRefused)
        #expect(byID["origins"]?.code == StepCode.waitingOnDependency)
        #expect(byID["block:us-east-1"]?.code == StepCode.waitingOnDependency)
        #expect(!lab.calls.contains { $0.hasPrefix("cloudfront") })
        #expect(lab.buckets["primary-bucket"] == .open, "the region left still serves: traffic stays with a writer")
    }

    @Test("a DocumentDB writer outside the active region reads as a person's failover")
    func documentWriterDiverges() async {
        let (_, documents, _, kinds) = world()
        documents.global.members = documents.global.members.map {
            GlobalDatabase.Member(dbClusterArn: $0.dbClusterArn, isWriter: $0.dbClusterArn == docWest, synchronizationStatus: "connected")
        }
        let app = unishopWithDocumentDB(active: "us-east-1", standby: .hot)
        let plan = await Observer(kinds: kinds).plan(app)
        #expect(plan.live.facts["documentDbWriterRegion"] == .string("us-west-1"))
        #expect(plan.live.writerRegion == "us-west-1")
        #expect(Divergence.liveRegion(app, plan.live) == "us-west-1")
        #expect(plan.live.lines.map(\.text).contains("DocumentDB writer us-west-1"))
    }

    @Test("a plan's JSON carries each step's kind and phase, and the kinds' fields as before")
    func stepJSON() async throws {
        let (_, _, _, kinds) = world()
        let app = unishopWithDocumentDB()
        let plan = await Observer(kinds: kinds).plan(app)
        let data = try JSONEncoder().encode(plan.steps)
        let objects = try #require(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let aurora = try #require(objects.first { $0["id"] as? String == "aurora" })
        #expect(aurora["phase"] as? String == "promoteData")
        #expect(aurora["kind"] as? String == "aurora-global-database")
        #expect(aurora["promotion"] as? String == "switchover")
        let origins = try #require(objects.first { $0["id"] as? String == "origins" })
        #expect(origins["originOrder"] as? [String] == ["secondary-origin", "primary-origin"])
        let decoded = try JSONDecoder().decode([Step].self, from: data)
        #expect(decoded.map(\.summary) == plan.steps.map(\.summary))
        #expect(decoded.first { $0.id == "origins" }?.originOrder == ["secondary-origin", "primary-origin"])
    }

    @Test("docs/KINDS.md has a section for every registered kind")
    func documented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/KINDS.md"), encoding: .utf8)
        for kind in ResourceKinds.registered {
            #expect(text.contains("\n## \(kind.name)\n"), "docs/KINDS.md has no `## \(kind.name)` section")
        }
    }
}

@Suite("DocumentDB keys, read through the seam")
struct DocumentDBKeysTests {
    static let yaml = unishopYAMLWithDocumentDB

    @Test("the keys are read into the kind's declarations")
    func keys() throws {
        let app = try ApplicationParser.parse(Self.yaml, path: "desired-state/unishop.yaml").get()
        let spec: GlobalClusterSpec? = app.spec.declarations["documentDb"]
        #expect(spec == GlobalClusterSpec(globalClusterID: "unishop-docdb-global", promotion: .failover, maxReplicationLag: .seconds(30)))
        #expect(app.spec.regions.compactMap { $0.declarations["documentDbCluster", as: ClusterARN.self]?.clusterID } == ["docdb-east", "docdb-west"])
    }

    @Test(
        "bad DocumentDB keys name file, line and field",
        arguments: [
            (
                "docdb-west", "arn:aws:rds:eu-west-1:111122223333:cluster:docdb-west", "spec.regions.us-west-1.documentDbCluster",
                "expected a cluster in `us-west-1`"
            ),
            (
                "docdb-west", "arn:aws:rds:us-west-1:111122223333:cluster:DocDB-West", "spec.regions.us-west-1.documentDbCluster",
                "expected `docdb-west`"
            ),
            ("promotion: failover", "promotion: sideways", "spec.documentDb.promotion", "expected one of switchover, failover, detach"),
            (
                "    documentDbCluster: arn:aws:rds:us-west-1", "    documentDbClustr: arn:aws:rds:us-west-1",
                "spec.regions.us-west-1.documentDbClustr", "did you mean `documentDbCluster`?"
            ),
        ])
    func bad(_ from: String, _ to: String, _ field: String, _ message: String) throws {
        let text = Self.yaml.replacingOccurrences(of: from == "docdb-west" ? "arn:aws:rds:us-west-1:111122223333:cluster:docdb-west" : from, with: to)
        guard case let .failure(failure) = ApplicationParser.parse(text, path: "desired-state/unishop.yaml") else {
            Issue.record("accepted: \(text)")
            return
        }
        let match = failure.diagnostics.first { $0.field == field && $0.message.contains(message) }
        #expect(match != nil, "\(failure.diagnostics)")
        #expect((match?.location.line ?? 0) > 1)
    }

    @Test("a region without its cluster, or clusters without the section, is refused")
    func incomplete() {
        let text = Self.yaml.replacingOccurrences(of: "    documentDbCluster: arn:aws:rds:us-west-1:111122223333:cluster:docdb-west\n", with: "")
        guard case let .failure(failure) = ApplicationParser.parse(text, path: "desired-state/unishop.yaml") else {
            Issue.record("accepted")
            return
        }
        #expect(failure.diagnostics.contains { $0.field == "spec.regions.us-west-1.documentDbCluster" && $0.message.contains("missing") })
    }

    @Test("two files may not drive one DocumentDB global cluster")
    func claimed() {
        let other = Self.yaml.replacingOccurrences(of: "name: unishop", with: "name: other")
            .replacingOccurrences(of: "hot-", with: "other-").replacingOccurrences(of: "E1EXAMPLE", with: "E2EXAMPLE")
        do {
            _ = try DesiredStateSet.load([
                .init(path: "desired-state/a.yaml", content: Self.yaml), .init(path: "desired-state/b.yaml", content: other),
            ])
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.contains { $0.field == "spec.documentDb.globalClusterId" && $0.message.contains("unishop-docdb-global") })
        }
    }
}

let unishopYAMLWithDocumentDB = """
    apiVersion: switchyard/v1
    kind: Application
    metadata:
      name: unishop
    spec:
      activeRegion: us-east-1
      regions:
        us-east-1:
          bucket: hot-primary-uibucket-example
          originId: hot-primary-origin
          auroraCluster: arn:aws:rds:us-east-1:111122223333:cluster:hot-primary
          documentDbCluster: arn:aws:rds:us-east-1:111122223333:cluster:docdb-east
        us-west-1:
          bucket: hot-secondary-uibucket-example
          originId: hot-secondary-origin
          auroraCluster: arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary
          documentDbCluster: arn:aws:rds:us-west-1:111122223333:cluster:docdb-west
      cloudfront:
        distributionId: E1EXAMPLE
        originGroupId: hot-standby-origin-group
      aurora:
        globalClusterId: hot-global
      documentDb:
        globalClusterId: unishop-docdb-global
        promotion: failover
        maxReplicationLag: 30s

    """

@Suite("One database unknown holds the other's promotion")
struct HeldPromotionTests {
    @Test("DocumentDB unreadable: Aurora is not promoted either; traffic waits; nothing moves")
    func held() async {
        let lab = primaryCloud()
        let documents = FakeCloud(writer: docEast, members: [docEast, docWest], origins: [], buckets: [:])
        documents.global.identifier = "doc-global"
        documents.unreachable = ["us-east-1", "us-west-1"]
        let kinds = ResourceKinds(lab.kinds.kinds + [DocumentDBGlobalCluster(control: documents)])
        let app = unishopWithDocumentDB(standby: .hot)
        let plan = await Observer(kinds: kinds).plan(app)
        let byID = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.id, $0) })
        #expect(byID["aurora"]?.dependsOn == ["documentdb"], "\(plan.steps.map { "\($0.id) <- \($0.dependsOn)" })")
        let outcomes = Dictionary(uniqueKeysWithValues: await Applier(kinds: kinds).apply(plan, for: app).map { ($0.step.id, $0) })
        #expect(outcomes["aurora"]?.code == StepCode.waitingOnDependency)
        #expect(lab.calls.isEmpty, "nothing promoted, nothing moved: \(lab.calls)")
    }

    @Test("one file may not name one global cluster for both Aurora and DocumentDB")
    func sameClusterTwice() {
        let text = unishopYAMLWithDocumentDB.replacingOccurrences(of: "globalClusterId: unishop-docdb-global", with: "globalClusterId: hot-global")
        let failure: ValidationFailure
        do {
            _ = try DesiredStateSet.load([.init(path: "desired-state/unishop.yaml", content: text)])
            Issue.record("accepted")
            return
        } catch {
            failure = error
        }
        #expect(
            failure.diagnostics.contains {
                $0.field == "spec.documentDb.globalClusterId" && $0.message.contains("already named by spec.aurora.globalClusterId")
            },
            "\(failure.diagnostics)")
    }
}
