import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Presentation
import Reconciler

extension HTTPEndpoints {
    /// The incident console: `GET /` (the page) and `GET /console/fragment` (its live part, which the page's script
    /// fetches every 2 seconds and swaps in).
    func addConsole(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Self.html(await consoleView().page()) }
        router.get("/console/fragment") { _, _ in Self.html(await consoleView().fragment()) }
    }

    func consoleView() async -> ConsoleView {
        // Everything from the state the loop keeps in memory (timelines follow the calls as they are journaled):
        // a request never reads the journal, so browsers polling never slow a pass.
        let readiness = await status.readiness()
        return ConsoleView(
            document: await status.document, commit: await status.commit, ready: readiness.ready, reason: readiness.reason,
            refusal: await status.refusal, timelines: await status.timelines, lastPassAt: await status.lastPass?.finishedAt,
            acting: await status.acting.mapValues { ConsoleView.Acting(commit: $0.commit, activeRegion: $0.activeRegion, step: $0.step) },
            failover: await status.failover)
    }

    static func html(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
