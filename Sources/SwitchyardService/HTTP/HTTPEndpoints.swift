import SwitchyardCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Reconciler

/// The listener's routes: health, readiness, metrics, the GitHub webhook, the status API and the console (`Console/`).
public struct HTTPEndpoints: Sendable {
    let status: ServiceStatus
    let metrics: ServiceMetrics
    let journal: Journal
    let trigger: PassTrigger
    let webhook: WebhookSignature?
    let logger: Logger

    /// The largest webhook body read; GitHub caps payloads at 25 MB, push events are far smaller.
    static let maxBody = 25 << 20

    /// - Parameter webhook: verifies `X-Hub-Signature-256`; nil disables `/hooks/github` (404).
    public init(status: ServiceStatus, metrics: ServiceMetrics, journal: Journal, trigger: PassTrigger,
                webhook: WebhookSignature?, logger: Logger) {
        self.status = status
        self.metrics = metrics
        self.journal = journal
        self.trigger = trigger
        self.webhook = webhook
        self.logger = logger
    }

    /// The router serving every endpoint.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in Self.text(.ok, "ok\n") }
        router.get("/readyz") { request, _ in
            let readiness = await status.readiness()
            let code: HTTPResponse.Status = readiness.ready ? .ok : .serviceUnavailable
            if request.headers[.accept]?.contains("application/json") == true {
                return try Self.json(code, readiness)
            }
            return Self.text(code, "\(readiness.ready ? "ready" : "not ready"): \(readiness.reason)\n")
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.get("/api/status") { _, _ in
            let states = (try? journal.appStates()) ?? [:]
            return try Self.json(.ok, await status.statusDocument(appStates: states))
        }
        router.post("/hooks/github") { request, _ in
            try await githubHook(request)
        }
        addConsole(to: router)
        return router
    }

    func githubHook(_ request: Request) async throws -> Response {
        guard let webhook else {
            return Self.text(.notFound, "webhook disabled: start switchyard run with --webhook-secret-file\n")
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.maxBody)
        let bytes = body.readableBytesView
        let signature = HTTPField.Name("X-Hub-Signature-256").flatMap { request.headers[$0] }
        guard webhook.isValid(header: signature, body: bytes) else {
            logger.warning("webhook refused: \(signature == nil ? "no" : "bad") X-Hub-Signature-256; no pass started")
            return Self.text(.unauthorized, "bad or missing X-Hub-Signature-256\n")
        }
        let event = HTTPField.Name("X-GitHub-Event").flatMap { request.headers[$0] }
        let delivery = WebhookEvent.parse(event: event, body: bytes)
        switch delivery {
        case .ping:
            return Self.text(.ok, "pong\n")
        case .push:
            let reason = delivery.passReason
            logger.info("\(reason): starting a pass")
            trigger.fire(reason)
            return Self.text(.accepted, "pass started\n")
        case let .other(name):
            return Self.text(.ok, "ignored: \(name) event\n")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let data = try JSONEncoder.switchyard().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
