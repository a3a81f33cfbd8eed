import Foundation
import GitSource
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import SwitchyardService
import Testing

@Suite("Webhooks from every sender, in both content types, authenticated first")
struct WebhookSenderTests {
    static let secret = "topsecret"
    static let signature = WebhookSignature(secret: Data(secret.utf8))
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// One sender's push delivery: its route, its headers for a body, and the body of a push.
    struct Delivery: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String
        var event: [String: String]
        var json: String
        /// The authentication headers for `body` (signed with `secret`).
        var authenticate: @Sendable (_ body: Data, _ secret: String) -> [String: String]
        var testDescription: String { name }
    }

    static func hex(_ body: Data, _ secret: String) -> String {
        String(WebhookSignature(secret: Data(secret.utf8)).header(for: body).dropFirst("sha256=".count))
    }

    static let push = #"{"ref":"refs/heads/main","after":"\#(commit)","repository":{"full_name":"o/r"}}"#
    static let deliveries: [Delivery] = [
        Delivery(name: "GitHub", path: "/hooks/github", event: ["X-GitHub-Event": "push"], json: push) { body, secret in
            ["X-Hub-Signature-256": "sha256=" + hex(body, secret)]
        },
        Delivery(name: "GitLab", path: "/hooks/gitlab", event: ["X-Gitlab-Event": "Push Hook"], json: push) { _, secret in
            ["X-Gitlab-Token": secret]
        },
        Delivery(name: "Gitea", path: "/hooks/gitea", event: ["X-Gitea-Event": "push"], json: push) { body, secret in
            ["X-Gitea-Signature": hex(body, secret)]
        },
        Delivery(name: "Forgejo", path: "/hooks/forgejo", event: ["X-Forgejo-Event": "push"], json: push) { body, secret in
            ["X-Forgejo-Signature": hex(body, secret)]
        },
        Delivery(
            name: "Bitbucket Server", path: "/hooks/bitbucket", event: ["X-Event-Key": "repo:refs_changed"],
            json:
                #"{"eventKey":"repo:refs_changed","changes":[{"ref":{"id":"refs/heads/main"},"refId":"refs/heads/main","toHash":"\#(commit)","type":"UPDATE"}]}"#
        ) { body, secret in
            ["X-Hub-Signature": "sha256=" + hex(body, secret)]
        },
    ]

    enum ContentType: String, CaseIterable, Sendable {
        case json = "application/json"
        case form = "application/x-www-form-urlencoded"

        func body(_ json: String) -> Data {
            switch self {
            case .json: Data(json.utf8)
            case .form:
                Data(("payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).utf8)
            }
        }
    }

    static func fields(_ pairs: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    @Test("a signed push from each sender, as JSON or form, starts a pass named for its ref and commit", arguments: deliveries, ContentType.allCases)
    func signedPush(delivery: Delivery, type: ContentType) async throws {
        let fixture = try HTTPEndpointTests.Fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.dir) }
        let body = type.body(delivery.json)
        try await fixture.app().test(.router) { client in
            var headers = delivery.event.merging(delivery.authenticate(body, Self.secret)) { $1 }
            headers["Content-Type"] = type.rawValue
            let response = try await client.execute(uri: delivery.path, method: .post, headers: Self.fields(headers), body: ByteBuffer(bytes: body))
            #expect(response.status == .accepted, "\(String(buffer: response.body))")
            #expect(await fixture.trigger.wait(for: .seconds(5)) == .triggered("webhook refs/heads/main 0123456789ab"))
        }
    }

    @Test("a wrong or missing credential is 401 before anything else is answered: no 415, no 400, no pass", arguments: deliveries)
    func refusedFirst(delivery: Delivery) async throws {
        let fixture = try HTTPEndpointTests.Fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.dir) }
        let body = Data(delivery.json.utf8)
        try await fixture.app().test(.router) { client in
            // A wrong secret, an unsupported content type and no event header: the credential is what is answered.
            let wrong = Self.fields(delivery.authenticate(body, "not-the-secret").merging(["Content-Type": "text/plain"]) { $1 })
            let bad = try await client.execute(uri: delivery.path, method: .post, headers: wrong, body: ByteBuffer(bytes: body))
            #expect(bad.status == .unauthorized)
            let none = try await client.execute(
                uri: delivery.path, method: .post, headers: Self.fields(["Content-Type": "text/plain"]), body: ByteBuffer(bytes: body))
            #expect(none.status == .unauthorized)
            #expect(!String(buffer: none.body).contains("application/json"), "nothing about what is accepted")
            #expect(await fixture.trigger.wait(for: .milliseconds(10)) == .timer, "no pass after a refused webhook")

            // Authenticated: now the content type, then the event, are answered.
            let signed = delivery.authenticate(body, Self.secret)
            let text = try await client.execute(
                uri: delivery.path, method: .post,
                headers: Self.fields(signed.merging(delivery.event) { $1 }.merging(["Content-Type": "text/plain"]) { $1 }),
                body: ByteBuffer(bytes: body))
            #expect(text.status == .unsupportedMediaType)
            let noEvent = try await client.execute(
                uri: delivery.path, method: .post, headers: Self.fields(signed.merging(["Content-Type": "application/json"]) { $1 }),
                body: ByteBuffer(bytes: body))
            #expect(noEvent.status == .badRequest)
            #expect(await fixture.trigger.wait(for: .milliseconds(10)) == .timer)
        }
    }

    @Test("one sender's credential is not taken on another's route")
    func routesKeepTheirSender() async throws {
        let fixture = try HTTPEndpointTests.Fixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.dir) }
        let body = Data(Self.push.utf8)
        try await fixture.app().test(.router) { client in
            let gitlab = Self.fields(["X-Gitlab-Token": Self.secret, "X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"])
            let response = try await client.execute(uri: "/hooks/github", method: .post, headers: gitlab, body: ByteBuffer(bytes: body))
            #expect(response.status == .unauthorized)
        }
    }

    @Test("pings and other events start no pass")
    func pingsAndOthers() {
        #expect(WebhookSender.bitbucket.event(named: "diagnostics:ping", body: Data()) == .ping)
        #expect(WebhookSender.github.event(named: "ping", body: Data()) == .ping)
        #expect(WebhookSender.gitlab.event(named: "Merge Request Hook", body: Data("{}".utf8)) == .other("Merge Request Hook"))
        #expect(WebhookSender.gitea.event(named: "issues", body: Data("{}".utf8)) == .other("issues"))
    }

    @Test("a form body's payload is percent-decoded, + as a space")
    func formPayload() {
        let json = WebhookBody.json(
            contentType: "application/x-www-form-urlencoded; charset=utf-8", body: Data("a=1&payload=%7B%22ref%22%3A%22a+b%22%7D".utf8))
        #expect(json == Data(#"{"ref":"a b"}"#.utf8))
        #expect(WebhookBody.json(contentType: "text/plain", body: Data()) == nil)
    }
}
