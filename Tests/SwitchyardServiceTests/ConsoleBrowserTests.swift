import Journaling
import Reconciler
import Foundation
import SwitchyardTestSupport
import Testing

/// The incident console at `/`, driven by headless Chromium against `switchyard run` and the emulator.
@Suite("The console in headless Chromium", .serialized)
struct ConsoleBrowserTests {
    @Test("during and after a failover the console shows the app, the new active region and a timeline with the promotion")
    func consoleShowsTheFailover() async throws {
        _ = try #require(Chromium.executable, "chromium is not installed: run scripts/bootstrap.sh")
        // A promotion that lasts until the test has read and photographed the console, then is finished by the test:
        // timing never decides what "during" shows, however loaded the machine (each Chromium run takes seconds).
        let harness = try ServiceHarness(failoverSeconds: 300)
        defer { harness.tearDown() }
        let folder = try Chromium.outputFolder("console-\(UUID().uuidString.prefix(8))")
        let (service, url) = try await harness.start()
        try await harness.waitConverged(service, at: try harness.head())

        let flip = try harness.push(harness.topology.yaml(activeRegion: "us-west-1"), message: "Fail over hot to us-west-1")
        try await service.waitUntil("the promotion's answer in the journal") {
            try harness.journal().calls(app: "hot").contains { $0.action == "promoteAurora" && $0.commit == flip && $0.phase == "called" }
        }
        let duringDOM = try await offCooperativePool { try Chromium.dumpDOM("\(url)/") }
        #expect(duringDOM.contains("id=\"timeline-hot\""), "the timeline is drawn from the journal while the promotion runs")
        #expect(duringDOM.contains("data-step=\"promoteAurora\""))
        #expect(duringDOM.contains("failover to us-west-1 under way"))
        let during = "\(folder)/console-during-failover.png"
        try await offCooperativePool { try Chromium.screenshot("\(url)/", to: during) }
        print("console screenshot during the failover: \(during)")
        try harness.emulator.completeFailovers()

        try await harness.waitConverged(service, at: flip)
        // A pass's `live` is what it observed before acting: the next pass (1 s later) reads the writer in us-west-1.
        try await service.waitUntil("a pass that observed the writer in us-west-1") {
            let (body, _) = try await HTTPTestClient.get("\(url)/api/status")
            let apps = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["apps"] as? [[String: Any]]
            return (apps?.first?["live"] as? [String: Any])?["writerRegion"] as? String == "us-west-1"
        }
        let dom = try Chromium.dumpDOM("\(url)/")
        let after = "\(folder)/console-after-failover.png"
        try Chromium.screenshot("\(url)/", to: after)
        print("console screenshot after the failover: \(after)")

        #expect(dom.contains("id=\"app-hot\""))
        #expect(dom.contains("id=\"desired-hot\">us-west-1<"), "the desired active region")
        #expect(dom.contains("id=\"live-hot\">us-west-1<"), "the live writer moved to us-west-1")
        #expect(dom.contains("data-verdict=\"in sync\""))
        #expect(dom.contains("Failover to us-west-1"))
        #expect(dom.contains("data-step=\"promoteAurora\""), "a bar for the promotion call")
        #expect(dom.contains("data-step=\"promotion\""), "a bar for the promotion wait")
        #expect(dom.contains("after the first action"))
        #expect(dom.contains(String(flip.prefix(12))))
        // No secret: not the webhook secret, not the repository's URL.
        #expect(!dom.contains(ServiceHarness.secret))
        #expect(!dom.contains(harness.bare))
    }

    @Test("the page updates without reload when the verdict changes")
    func pageUpdatesWithoutReload() async throws {
        _ = try #require(Chromium.executable, "chromium is not installed: run scripts/bootstrap.sh")
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, url) = try await harness.start()
        try await harness.waitConverged(service, at: try harness.head())

        // The page as first served, with the verdict of that moment; saved so that the browser opens exactly it.
        let (first, status) = try await HTTPTestClient.get("\(url)/")
        #expect(status == 200)
        let served = String(decoding: first, as: UTF8.self)
        #expect(served.contains("data-verdict=\"in sync\""))
        #expect(!served.contains("data-verdict=\"suspended\""))

        // The verdict changes: break glass on this host.
        let suspend = try CLI.run(
            ["suspend", "hot", "--reason", "console drill", "--by", "alice", "--state-dir", harness.stateDir, "--repo", harness.work],
            in: harness.git.root.path, environment: harness.emulator.awsEnvironment)
        #expect(suspend.status == 0, "\(suspend.stderr)")
        try await service.waitUntil("the suspended verdict in /api/status") {
            let (body, _) = try await HTTPTestClient.get("\(url)/api/status")
            let apps = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["apps"] as? [[String: Any]]
            return apps?.first?["verdict"] as? String == "suspended"
        }

        // The old page, opened from a file whose base is the service: only its script can bring the new verdict in.
        let folder = try Chromium.outputFolder("console-update-\(UUID().uuidString.prefix(8))")
        let saved = "\(folder)/served-before.html"
        try served.replacingOccurrences(of: "<head>", with: "<head><base href=\"\(url)/\">").write(toFile: saved, atomically: true, encoding: .utf8)
        let dom = try Chromium.dumpDOM(
            "file://\(saved)", virtualMilliseconds: 5000, extra: ["--disable-web-security", "--allow-file-access-from-files"])
        #expect(dom.contains("data-verdict=\"suspended\""), "the script fetched the live part and swapped it in")
        #expect(!dom.contains("data-verdict=\"in sync\""))
        #expect(dom.contains("console drill"), "the suspension's reason is shown")
    }

    @Test("readiness is evaluated continuously: /metrics reads 1, a break by hand turns it 0 and the console says why, a repair turns it back")
    func readinessFollowsBreakAndRepair() async throws {
        _ = try #require(Chromium.executable, "chromium is not installed: run scripts/bootstrap.sh")
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, url) = try await harness.start(interval: "1s", ["--readiness-interval", "1s"])
        try await harness.waitConverged(service, at: try harness.head())
        let series = "switchyard_failover_ready{app=\"hot\",region=\"us-west-1\"}"
        func metric() async throws -> Double? {
            let (body, _) = try await HTTPTestClient.get("\(url)/metrics")
            return String(decoding: body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(series + " ") }
                .flatMap { Double($0.dropFirst(series.count + 1)) }
        }
        try await service.waitUntil("the standby ready in /metrics") { try await metric() == 1 }

        // Broken by hand: the standby bucket's website configuration deleted.
        let bucket = harness.topology.secondaryBucket
        _ = try harness.emulator.boto("s3", "us-west-1", "delete_bucket_website", ["Bucket": bucket])
        try await service.waitUntil("the standby not ready in /metrics", timeout: 30) { try await metric() == 0 }
        let check = "switchyard_readiness_check{app=\"hot\",region=\"us-west-1\",check=\"preflight:target-bucket\"} 0"
        let (metrics, _) = try await HTTPTestClient.get("\(url)/metrics")
        let text = String(decoding: metrics, as: UTF8.self)
        #expect(text.contains(check), "the failing check has its own series: \(text)")
        let (body, _) = try await HTTPTestClient.get("\(url)/api/status")
        let app = ((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["apps"] as? [[String: Any]])?.first
        let target = (app?["failoverReadiness"] as? [[String: Any]])?.first
        #expect(
            target?["region"] as? String == "us-west-1" && target?["ready"] as? Bool == false && target?["checkedAt"] is String,
            "\(String(describing: target))")
        let dom = try await offCooperativePool { try Chromium.dumpDOM("\(url)/") }
        #expect(dom.contains("not ready to fail over to us-west-1"), "the console says it")
        #expect(dom.contains("[preflight:target-bucket]") && dom.contains(bucket), "and why")
        #expect(service.log.contains("hot: not ready to fail over to us-west-1"), "the change is logged")

        // Repaired: back to 1.
        _ = try harness.emulator.boto(
            "s3", "us-west-1", "put_bucket_website",
            ["Bucket": bucket, "WebsiteConfiguration": ["IndexDocument": ["Suffix": "index.html"], "ErrorDocument": ["Key": "error.html"]]])
        try await service.waitUntil("the standby ready again in /metrics", timeout: 30) { try await metric() == 1 }
        let repaired = try await offCooperativePool { try Chromium.dumpDOM("\(url)/") }
        #expect(repaired.contains("ready to fail over to us-west-1") && !repaired.contains("not ready to fail over"), "the console follows")
        #expect(service.log.components(separatedBy: "hot: not ready to fail over to us-west-1").count == 2, "the change was logged once")
    }
}
