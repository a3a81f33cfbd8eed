import Journaling
import Reconciler
import Foundation
import SwitchyardService
import Testing

@Suite("Webhook deliveries")
struct WebhookEventTests {
    @Test("a push names its ref and commit; a missing event header means push")
    func push() {
        let body = Data(#"{"ref":"refs/heads/main","after":"0123456789abcdef0123456789abcdef01234567"}"#.utf8)
        for header in ["push", nil] {
            let event = WebhookEvent.parse(event: header, body: body)
            #expect(event == .push(ref: "refs/heads/main", after: "0123456789abcdef0123456789abcdef01234567"))
            #expect(event.passReason == "webhook refs/heads/main 0123456789ab")
        }
    }

    @Test("a push whose body is not the JSON expected still starts a pass", arguments: ["", "null", "[1]", #"{"ref":7}"#, "{\"ref\":\"\u{0}"])
    func malformedPush(body: String) {
        let event = WebhookEvent.parse(event: "push", body: Data(body.utf8))
        #expect(event == .push(ref: nil, after: nil))
        #expect(event.passReason == "webhook ? ?")
    }

    @Test("ping and other events")
    func otherEvents() {
        #expect(WebhookEvent.parse(event: "ping", body: Data("{}".utf8)) == .ping)
        #expect(WebhookEvent.parse(event: "issues", body: Data("{}".utf8)) == .other("issues"))
    }
}
