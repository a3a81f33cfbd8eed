import DesiredState
import Foundation
import GitSource
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Journaling
import Logging
import NIOCore
@testable import Reconciler
@testable import SwitchyardService
import Testing

@Suite("HTTP endpoints, in process")
struct HTTPEndpointTests {
    struct Fixture {
        let dir = JournalTests.temporaryFolder()
        let status = ServiceStatus()
        let metrics = ServiceMetrics()
        let trigger = PassTrigger()
        let journal: Journal
        let signature = WebhookSignature(secret: Data("topsecret".utf8))

        init() throws { journal = try Journal(stateDirectory: dir) }

        func app() -> some ApplicationProtocol {
            let endpoints = HTTPEndpoints(
                status: status, metrics: metrics, journal: journal, trigger: trigger, webhook: signature,
                logger: Logger(label: "test"))
            return Application(router: endpoints.router())
        }
    }

    static let push = Data(#"{"ref":"refs/heads/main","after":"0123456789abcdef0123456789abcdef01234567","repository":{"full_name":"o/r"}}"#.utf8)

    @Test("a signed push gets 202 and triggers a pass; a bad or missing signature gets 401 and triggers nothing")
    func webhook() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.dir) }
        try await fixture.app().test(.router) { client in
            let json: HTTPFields = [.contentType: "application/json", HTTPField.Name("X-GitHub-Event")!: "push"]
            var badHeaders = json
            badHeaders[HTTPField.Name("X-Hub-Signature-256")!] = "sha256=" + String(repeating: "0", count: 64)
            let bad = try await client.execute(uri: "/hooks/github", method: .post, headers: badHeaders, body: ByteBuffer(bytes: Self.push))
            #expect(bad.status == .unauthorized)
            let missing = try await client.execute(uri: "/hooks/github", method: .post, headers: json, body: ByteBuffer(bytes: Self.push))
            #expect(missing.status == .unauthorized)
            // The signature is answered before anything else: an unsigned request learns nothing of what is accepted.
            let noEvent = try await client.execute(
                uri: "/hooks/github", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(bytes: Self.push))
            #expect(noEvent.status == .unauthorized)
            let text = try await client.execute(
                uri: "/hooks/github", method: .post,
                headers: [.contentType: "text/plain", HTTPField.Name("X-GitHub-Event")!: "push"],
                body: ByteBuffer(bytes: Self.push))
            #expect(text.status == .unauthorized)
            #expect(await fixture.trigger.wait(for: .milliseconds(10)) == .timer, "no pass after a refused webhook")

            let good = try await client.execute(
                uri: "/hooks/github", method: .post,
                headers: [
                    HTTPField.Name("X-Hub-Signature-256")!: fixture.signature.header(for: Self.push),
                    HTTPField.Name("X-GitHub-Event")!: "push", .contentType: "application/json",
                ],
                body: ByteBuffer(bytes: Self.push))
            #expect(good.status == .accepted)
            #expect(await fixture.trigger.wait(for: .seconds(5)) == .triggered("webhook refs/heads/main 0123456789ab"))

            let ping = Data(#"{"zen":"Keep it logically awesome."}"#.utf8)
            let pong = try await client.execute(
                uri: "/hooks/github", method: .post,
                headers: [
                    HTTPField.Name("X-Hub-Signature-256")!: fixture.signature.header(for: ping),
                    HTTPField.Name("X-GitHub-Event")!: "ping", .contentType: "application/json",
                ],
                body: ByteBuffer(bytes: ping))
            #expect(pong.status == .ok)
            #expect(await fixture.trigger.wait(for: .milliseconds(10)) == .timer, "a ping starts no pass")
        }
    }

    @Test("healthz is 200 at once; readyz is 503 with the reason until a pass converged")
    func health() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.dir) }
        try await fixture.app().test(.router) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            var ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(String(buffer: ready.body).contains("not read yet"))

            await fixture.status.fetched(at: Date())
            await fixture.status.finished(
                PassReport(
                    id: nil, trigger: "start", startedAt: Date(), finishedAt: Date(), commit: "abc",
                    outcome: .invalid, error: "desired-state/a.yaml:6:17: spec.activeRegion: found `x`"),
                document: nil, refusal: nil)
            ready = try await client.execute(uri: "/readyz", method: .get, headers: [.accept: "application/json"])
            #expect(ready.status == .serviceUnavailable)
            let readiness = try JSONDecoder().decode(Readiness.self, from: Data(String(buffer: ready.body).utf8))
            #expect(readiness.reason.contains("desired-state/a.yaml:6:17"))

            // A refusal quoting a hostile value: the text answer, read with curl on a terminal, shows its escapes.
            await fixture.status.finished(
                PassReport(
                    id: nil, trigger: "interval", startedAt: Date(), finishedAt: Date(), commit: "abc",
                    outcome: .invalid, error: "desired-state/a.yaml:6:17: found `\u{1B}]52;c;ZXZpbA==\u{07}\u{9B}2J`"),
                document: nil, refusal: nil)
            let text = String(buffer: try await client.execute(uri: "/readyz", method: .get).body)
            #expect(text.contains(#"found `\u{1B}]52;c;ZXZpbA==\u{7}\u{9B}2J`"#), "\(text)")
            #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{9B}" })

            await fixture.status.finished(
                PassReport(
                    id: nil, trigger: "interval", startedAt: Date(), finishedAt: Date(), commit: "abc",
                    outcome: .converged, error: nil), document: nil, refusal: nil)
            ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
        }
    }

    @Test("metrics render in the text format with the service's series")
    func metrics() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.dir) }
        fixture.metrics.passFinished(duration: .milliseconds(1200), apps: ["unishop": Verdictish(converged: true, inSync: true)])
        fixture.metrics.fetched()
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: response.body)
            #expect(response.status == .ok)
            #expect(text.contains("switchyard_pass_duration_seconds_bucket"))
            #expect(text.contains(#"switchyard_app_in_sync{app="unishop"} 1"#))
            #expect(text.contains("switchyard_seconds_since_last_fetch"))
        }
    }
}
