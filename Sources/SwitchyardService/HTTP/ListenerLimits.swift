import Foundation
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// The listener's limits against cheap abuse (docs/OPERATIONS.md, "Limits"): a cap on open connections, an idle
/// timeout (Hummingbird's), a deadline for a request's head and one for its body, and a byte budget for webhook
/// bodies held at once.
public struct ListenerLimits: Sendable {
    /// Connections open at once; more wait in the kernel's backlog until one closes.
    public var maxConnections = 256
    /// A connection with nothing in flight and no byte received for this long is closed.
    public var idleTimeout: Duration = .seconds(30)
    /// A request's line and headers must arrive within this, from the connection's first byte or the previous request.
    public var headerTimeout: Duration = .seconds(10)
    /// A request's body must arrive within this once its head did.
    public var bodyTimeout: Duration = .seconds(30)
    /// The largest webhook body (GitHub's own cap is 25 MB; push events are far smaller).
    public var maxWebhookBody = 25 << 20
    /// Webhook bytes held in memory at once, across every request: past it a delivery gets 503 and GitHub retries.
    public var webhookBudget = 64 << 20

    public init() {}
}

/// Closes a connection whose request head, or body, does not arrive in time (a slowloris, a half-sent request).
/// Placed after HTTP decoding; Hummingbird's idle timeout covers a connection that sends nothing at all.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let headerTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(limits: ListenerLimits) {
        headerTimeout = .nanoseconds(Int64(limits.headerTimeout.components.seconds) * 1_000_000_000)
        bodyTimeout = .nanoseconds(Int64(limits.bodyTimeout.components.seconds) * 1_000_000_000)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context, headerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(context, bodyTimeout)
        case .body: break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The response is done: the next request's head has its own deadline.
        if case .end = unwrapOutboundIn(data) { arm(context, headerTimeout) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }
}

/// Webhook bytes held at once, across requests: a delivery reserves its bytes as they arrive, and gives them back.
actor WebhookBudget {
    let limit: Int
    private var held = 0

    init(limit: Int) { self.limit = limit }

    /// Reserves `bytes`; false when the budget would be exceeded (nothing is reserved then).
    func reserve(_ bytes: Int) -> Bool {
        guard held + bytes <= limit else { return false }
        held += bytes
        return true
    }

    func release(_ bytes: Int) { held -= bytes }
}
