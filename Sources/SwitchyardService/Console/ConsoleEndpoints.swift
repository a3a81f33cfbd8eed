import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Reconciler
import SwitchyardConsole
import SwitchyardCore

extension HTTPEndpoints {
    /// The incident console: `GET /` (the page) and `GET /console/fragment` (its live part, which the page's script
    /// fetches every 2 seconds and swaps in).
    func addConsole(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Self.html(await consoleView().page()) }
        router.get("/console/fragment") { _, _ in Self.html(await consoleView().fragment()) }
    }

    func consoleView() async -> ConsoleView {
        let document = await status.document
        // Each app's current or last failover, as the journal recorded it (the calls are journaled as they happen, so
        // the bars move during a pass, before its plan document is replaced).
        var timelines: [String: FailoverTimeline] = [:]
        for app in document?.apps ?? [] {
            timelines[app.name] = try? journal.failoverTimeline(app: app.name)
        }
        let readiness = await status.readiness()
        return ConsoleView(
            document: document, commit: await status.commit, ready: readiness.ready, reason: readiness.reason,
            refusal: await status.refusal, timelines: timelines, lastPassAt: await status.lastPass?.finishedAt)
    }

    static func html(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
