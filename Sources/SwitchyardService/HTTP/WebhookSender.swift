import Foundation
import GitSource

/// A Git host that sends push webhooks, each with its own route, authentication header and event names
/// (docs/OPERATIONS.md, "Webhooks"). Every sender's delivery is authenticated before anything else about it is
/// answered, and may come as `application/json` or `application/x-www-form-urlencoded` (`payload=<JSON>`).
public enum WebhookSender: String, Sendable, CaseIterable {
    /// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, `X-GitHub-Event: push`.
    case github
    /// GitLab: `X-Gitlab-Token` equal to the secret, `X-Gitlab-Event: Push Hook`.
    case gitlab
    /// Gitea and Forgejo: `X-Gitea-Signature` or `X-Forgejo-Signature` (hex HMAC-SHA256), `X-Gitea-Event: push`.
    case gitea
    /// Bitbucket Server / Data Center: `X-Hub-Signature: sha256=<hex>`, `X-Event-Key: repo:refs_changed`.
    case bitbucket

    /// The routes that take this sender's deliveries.
    public var paths: [String] {
        switch self {
        case .gitea: ["/hooks/gitea", "/hooks/forgejo"]
        default: ["/hooks/\(rawValue)"]
        }
    }

    /// How a delivery proves it knows the secret.
    enum Credential {
        /// A MAC of the body, hex, after `prefix` (empty for none).
        case hmac(header: String, prefix: String)
        /// The secret itself, in a header (GitLab): compared in constant time.
        case token(header: String)

        var header: String {
            switch self {
            case let .hmac(header, _), let .token(header): header
            }
        }
    }

    /// The header a credential comes in.
    /// The credentials this sender may present, in the order they are looked for.
    var credentials: [Credential] {
        switch self {
        case .github: [.hmac(header: "X-Hub-Signature-256", prefix: "sha256=")]
        case .gitlab: [.token(header: "X-Gitlab-Token")]
        // Gitea also sends GitHub's header; Forgejo sends its own besides Gitea's.
        case .gitea:
            [
                .hmac(header: "X-Gitea-Signature", prefix: ""), .hmac(header: "X-Forgejo-Signature", prefix: ""),
                .hmac(header: "X-Hub-Signature-256", prefix: "sha256="),
            ]
        case .bitbucket: [.hmac(header: "X-Hub-Signature", prefix: "sha256=")]
        }
    }

    /// The headers naming the event, the first present wins.
    var eventHeaders: [String] {
        switch self {
        case .github: ["X-GitHub-Event"]
        case .gitlab: ["X-Gitlab-Event"]
        case .gitea: ["X-Gitea-Event", "X-Forgejo-Event", "X-GitHub-Event"]
        case .bitbucket: ["X-Event-Key"]
        }
    }

    /// The names of the credential headers, for an answer saying which one is missing.
    var credentialNames: String {
        credentials.map(\.header).joined(separator: " or ")
    }

    /// Reads a delivery whose credential has been checked. Total on any bytes: a push whose body is not the JSON
    /// expected still starts a pass, since the pass reads the repository, not the payload.
    public func event(named name: String, body: some DataProtocol) -> WebhookEvent {
        switch (self, name) {
        case (.github, "ping"), (.bitbucket, "diagnostics:ping"): return .ping
        case (.github, "push"), (.gitlab, "Push Hook"), (.gitea, "push"):
            let push = try? JSONDecoder().decode(PushBody.self, from: Data(body))
            return .push(ref: push?.ref, after: push?.after)
        case (.bitbucket, "repo:refs_changed"):
            let change = (try? JSONDecoder().decode(RefsChangedBody.self, from: Data(body)))?.changes?.first
            return .push(ref: change?.refId, after: change?.toHash)
        default: return .other(name)
        }
    }

    /// The fields of a GitHub, GitLab or Gitea push event Switchyard reads.
    private struct PushBody: Decodable {
        var ref: String?
        var after: String?
    }

    /// The fields of a Bitbucket Server `repo:refs_changed` event Switchyard reads.
    private struct RefsChangedBody: Decodable {
        struct Change: Decodable {
            var refId: String?
            var toHash: String?
        }
        var changes: [Change]?
    }
}

/// The body of a delivery as the event parser reads it: JSON as sent, or the `payload` field of a form.
enum WebhookBody {
    /// The media types a webhook may use.
    static let mediaTypes = ["application/json", "application/x-www-form-urlencoded"]

    /// The JSON of `body` sent as `contentType`; nil when the content type is neither JSON nor a form.
    static func json(contentType: String?, body: some DataProtocol) -> Data? {
        let media = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        switch media {
        case "application/json": return Data(body)
        case "application/x-www-form-urlencoded": return formPayload(Data(body)) ?? Data()
        default: return nil
        }
    }

    /// The `payload` field of an `application/x-www-form-urlencoded` body (`+` is a space), decoded.
    static func formPayload(_ body: Data) -> Data? {
        for field in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "payload" else { continue }
            return parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding.map { Data($0.utf8) }
        }
        return nil
    }
}
