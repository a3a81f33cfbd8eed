import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP, trapped from the moment this is made: `run` makes it first thing, so a SIGHUP during start-up (credentials,
/// the journal's check) is held for the daemon instead of ending the process.
public struct HangupSignals: Sendable {
    let signals: UnixSignalsSequence

    public init() async {
        signals = await UnixSignalsSequence(trapping: .sighup)
    }
}

/// SIGHUP, as daemons take it: never a reason to stop. A terminal closing, `kill -HUP` or `systemctl reload` re-reads
/// what can be re-read, said at notice: the webhook secret file (a rotated secret takes effect; one that cannot be
/// read keeps the secret in force, said as an error) and the repository (a pass starts at once). Options are read at
/// start: changing them takes a restart.
struct HangupListener: Service {
    let hangups: HangupSignals
    let trigger: PassTrigger
    let webhook: WebhookSecret?
    let logger: Logger

    func run() async throws {
        for await _ in hangups.signals.cancelOnGracefulShutdown() {
            logger.notice("SIGHUP: not stopping; re-reading the webhook secret and the repository (options take a restart)")
            if let webhook, let path = webhook.path {
                do {
                    let changed = try webhook.reload()
                    logger.notice("webhook secret re-read from \(path)\(changed ? ": a new secret is in force" : ", unchanged")")
                } catch {
                    logger.error("\(error); the secret in force stays")
                }
            }
            trigger.fire("SIGHUP")
        }
    }
}
