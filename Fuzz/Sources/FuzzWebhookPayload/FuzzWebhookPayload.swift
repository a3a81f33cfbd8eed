import Foundation
import FuzzSupport
import SwitchyardService

/// The secret the seeds are signed with (Corpus/FuzzWebhookPayload/*: `sha256=` of each body under it).
let webhook = WebhookSignature(secret: Array("fuzz-webhook-secret".utf8))

/// Any bytes as a webhook delivery: the first line is the `X-Hub-Signature-256` header, the second the
/// `X-GitHub-Event` header (empty: none sent), the rest the body.
/// Checking the header answers true or false and parsing the delivery answers an event, never crashes;
/// the header computed for the body is accepted, and a header that is accepted is the computed one up to case.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    var parts = bytes.split(separator: 0x0a, maxSplits: 2, omittingEmptySubsequences: false)
    while parts.count < 3 { parts.append([]) }
    let header = String(decoding: parts[0], as: UTF8.self)
    let event = parts[1].isEmpty ? nil : String(decoding: parts[1], as: UTF8.self)
    let body = Array(parts[2])

    let expected = webhook.header(for: body)
    if webhook.isValid(header: header, body: body), header.lowercased() != expected {
        fatalError("accepted X-Hub-Signature-256 '\(header)' for a body whose signature is \(expected)")
    }
    guard webhook.isValid(header: expected, body: body), webhook.isValid(header: expected.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="), body: body) else {
        fatalError("refused the signature computed for the body")
    }
    _ = webhook.isValid(header: nil, body: body)

    let delivery = WebhookEvent.parse(event: event, body: body)
    _ = delivery.passReason
    if event == nil || event == "push" {
        guard case .push = delivery else { fatalError("a push delivery parsed as \(delivery)") }
    }
    // The body as a push, whatever the header said: the JSON path is the one worth mutating.
    _ = WebhookEvent.parse(event: "push", body: body).passReason
    return 0
}
