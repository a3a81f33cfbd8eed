import Foundation

/// A GitHub webhook delivery as Switchyard reads it, from the `X-GitHub-Event` header and the JSON body.
public enum WebhookEvent: Sendable, Hashable {
    /// GitHub's check when a webhook is created.
    case ping
    /// A push: starts a pass. `ref` and `after` only label the pass; nil when the body does not carry them.
    case push(ref: String?, after: String?)
    /// Any other event, ignored.
    case other(String)

    /// Reads a delivery (whose signature has been checked). Total on any bytes: a push whose body is not the
    /// JSON expected still starts a pass, since the pass reads the repository, not the payload.
    /// - Parameter event: the `X-GitHub-Event` header; a missing header is a push, as older senders omit it.
    public static func parse(event: String?, body: some DataProtocol) -> WebhookEvent {
        switch event ?? "push" {
        case "ping":
            return .ping
        case "push":
            let push = try? JSONDecoder().decode(PushBody.self, from: Data(body))
            return .push(ref: push?.ref, after: push?.after)
        case let name:
            return .other(name)
        }
    }

    /// The fields of a GitHub push event Switchyard reads.
    private struct PushBody: Decodable {
        var ref: String?
        var after: String?
    }

    /// Why the pass started, for the log and the journal: `webhook <ref> <commit prefix>`.
    public var passReason: String {
        guard case let .push(ref, after) = self else { return "webhook" }
        return "webhook \(ref ?? "?") \(after.map { String($0.prefix(12)) } ?? "?")"
    }
}
