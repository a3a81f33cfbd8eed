import AWS
import Basics
import DesiredState
import Foundation
import HTTPTypes
import Hummingbird
import Journaling
import Logging
import NIOCore
import Presentation
import Reconciler

/// The listener's routes: health, readiness, metrics, the webhooks (GitHub, GitLab, Gitea/Forgejo, Bitbucket Server), the status API and the console (`Console/`).
public struct HTTPEndpoints: Sendable {
    let status: ServiceStatus
    let metrics: ServiceMetrics
    let journal: Journal
    let trigger: PassTrigger
    let webhook: WebhookSecret?
    let limits: ListenerLimits
    let budget: WebhookBudget
    let logger: Logger

    /// - Parameter webhook: verifies deliveries (`WebhookSender`); nil disables every `/hooks/` route (404).
    public init(
        status: ServiceStatus, metrics: ServiceMetrics, journal: Journal, trigger: PassTrigger,
        webhook: WebhookSignature?, limits: ListenerLimits = ListenerLimits(), logger: Logger
    ) {
        self.init(
            status: status, metrics: metrics, journal: journal, trigger: trigger, webhookSecret: webhook.map(WebhookSecret.init),
            limits: limits, logger: logger)
    }

    /// - Parameter webhookSecret: the secret in force (re-read on SIGHUP); nil disables every `/hooks/` route (404).
    public init(
        status: ServiceStatus, metrics: ServiceMetrics, journal: Journal, trigger: PassTrigger,
        webhookSecret webhook: WebhookSecret?, limits: ListenerLimits = ListenerLimits(), logger: Logger
    ) {
        self.status = status
        self.metrics = metrics
        self.journal = journal
        self.trigger = trigger
        self.webhook = webhook
        self.limits = limits
        self.budget = WebhookBudget(limit: limits.webhookBudget)
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
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.get("/api/status") { _, _ in
            let states = (try? journal.appStates()) ?? [:]
            return try Self.json(.ok, await status.statusDocument(appStates: states))
        }
        for sender in WebhookSender.allCases {
            for path in sender.paths {
                router.post(RouterPath(path)) { request, _ in try await hook(request, from: sender) }
            }
        }
        addConsole(to: router)
        return router
    }

    /// One delivery from `sender`. Its credential is checked before anything else is answered (a caller without
    /// the secret learns nothing of what is accepted); then the body, within its limits; then its type and event.
    func hook(_ request: Request, from sender: WebhookSender) async throws -> Response {
        guard let webhook = webhook?.signature else {
            return Self.text(.notFound, "webhook disabled: start switchyard run with --webhook-secret-file\n")
        }
        let header = { (name: String) in HTTPField.Name(name).flatMap { request.headers[$0] } }
        // The credential's header first: nothing of the body is read for a request that cannot be signed.
        var check: WebhookSignature.Check?
        var presented: String?
        for credential in sender.credentials {
            switch credential {
            case let .hmac(name, prefix):
                guard let value = header(name) else { continue }
                presented = name
                check = webhook.check(header: value, prefix: prefix)
            case let .token(name):
                guard let value = header(name) else { continue }
                presented = name
                guard webhook.isValid(token: value) else {
                    logger.warning("\(sender.rawValue) webhook refused: bad \(name); no pass started, body not read")
                    return Self.text(.unauthorized, "bad \(name)\n")
                }
            }
            break
        }
        guard let presented else {
            logger.warning("\(sender.rawValue) webhook refused: no \(sender.credentialNames); no pass started, body not read")
            return Self.text(.unauthorized, "missing \(sender.credentialNames)\n")
        }
        if check == nil, case .hmac = sender.credentials.first(where: { $0.header == presented }) {
            logger.warning("\(sender.rawValue) webhook refused: malformed \(presented); no pass started, body not read")
            return Self.text(.unauthorized, "malformed \(presented)\n")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.maxWebhookBody {
            return Self.text(.contentTooLarge, "body of \(length) bytes is over \(limits.maxWebhookBody)\n")
        }
        // The body, streamed through the HMAC, held within the listener's byte budget and read within its deadline.
        var body = ByteBuffer()
        var reserved = 0
        defer { if reserved > 0 { let (budget, bytes) = (budget, reserved); Task { await budget.release(bytes) } } }
        do {
            let limit = limits.bodyTimeout
            (body, reserved, check) = try await withTimeLimit(limit, "the webhook body did not arrive within \(DurationFormat.format(limit))") {
                [budget, limits, check] in
                var body = ByteBuffer(), reserved = 0, check = check
                do {
                    for try await chunk in request.body {
                        guard body.readableBytes + chunk.readableBytes <= limits.maxWebhookBody else { throw WebhookRefusal.tooLarge }
                        guard await budget.reserve(chunk.readableBytes) else { throw WebhookRefusal.busy }
                        reserved += chunk.readableBytes
                        check?.update(chunk.readableBytesView)
                        body.writeImmutableBuffer(chunk)
                    }
                } catch {
                    // Refused, timed out or cut: what this delivery held goes back to the budget at once.
                    await budget.release(reserved)
                    throw error
                }
                return (body, reserved, check)
            }
        } catch WebhookRefusal.tooLarge {
            return Self.text(.contentTooLarge, "body over \(limits.maxWebhookBody) bytes\n")
        } catch WebhookRefusal.busy {
            return Response(
                status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8", .retryAfter: "5"],
                body: .init(byteBuffer: ByteBuffer(string: "too many webhook bodies in flight; retry\n")))
        } catch let error as ReconcileError {
            return Self.text(.requestTimeout, "\(error)\n")
        }
        if let check, !check.isValid {
            logger.warning("\(sender.rawValue) webhook refused: bad \(presented); no pass started")
            return Self.text(.unauthorized, "bad \(presented)\n")
        }
        // Authenticated: now what the delivery is may be answered.
        guard let json = WebhookBody.json(contentType: request.headers[.contentType], body: body.readableBytesView) else {
            return Self.text(
                .unsupportedMediaType, "the webhook must send \(WebhookBody.mediaTypes.joined(separator: " or ")) (GitHub: Content type)\n")
        }
        guard let event = sender.eventHeaders.lazy.compactMap(header).first(where: { !$0.isEmpty }) else {
            return Self.text(.badRequest, "not a \(sender.rawValue) delivery: no \(sender.eventHeaders.joined(separator: " or ")) header\n")
        }
        let delivery = sender.event(named: event, body: json)
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

    enum WebhookRefusal: Error { case tooLarge, busy }

    /// A text/plain answer, read with `curl` on a terminal: control characters from outside (a refusal reason quoting a
    /// commit or a file) are made visible.
    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: TerminalText.visible(text))))
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let text = TerminalText.visible(json: String(decoding: try JSONEncoder.switchyard().encode(value), as: UTF8.self))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
