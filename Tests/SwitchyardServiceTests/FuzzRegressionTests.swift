import Journaling
import Reconciler
import Foundation
import SwitchyardService
import Testing

/// Every input under Regressions/FuzzWebhookPayload/ (Fuzz/README.md: how a fuzz finding becomes a test), fed
/// as FuzzWebhookPayload does: line 1 `X-Hub-Signature-256`, line 2 `X-GitHub-Event`, the rest the body.
@Suite("Fuzz regressions: webhook deliveries")
struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Regressions/FuzzWebhookPayload")
    static let inputs = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    /// The secret FuzzWebhookPayload signs with.
    static let webhook = WebhookSignature(secret: Array("fuzz-webhook-secret".utf8))

    @Test("a header is accepted only when it spells the body's HMAC", arguments: inputs)
    func delivery(name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.folder.appendingPathComponent(name)))
        let parts = bytes.split(separator: 0x0a, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
        let header = String(decoding: parts[0], as: UTF8.self)
        let body = parts.count > 2 ? parts[2] : []
        let expected = Self.webhook.header(for: body)
        #expect(Self.webhook.isValid(header: header, body: body) == (header.lowercased() == expected))
        #expect(Self.webhook.isValid(header: expected, body: body))
        _ = WebhookEvent.parse(event: parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : nil, body: body).passReason
    }

    @Test("signs in hex digits are refused (UInt8(_:radix:) would read +a as 0x0a)")
    func signedDigits() {
        var checked = 0
        for n in 0..<20 {
            let body = Array("{\"n\":\(n)}".utf8)
            let hex = Array(Self.webhook.header(for: body).dropFirst(7))
            // A byte whose first digit is 0 reads the same to UInt8(_:radix:) with a sign there instead.
            for index in stride(from: 0, to: hex.count, by: 2) where hex[index] == "0" {
                for sign: Character in ["+", "-"] {
                    var digits = hex
                    digits[index] = sign
                    #expect(!Self.webhook.isValid(header: "sha256=" + String(digits), body: body))
                    checked += 1
                }
            }
        }
        #expect(checked > 0)
    }
}
