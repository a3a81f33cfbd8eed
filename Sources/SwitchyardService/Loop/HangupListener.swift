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

/// SIGHUP, as daemons take it: never a reason to stop. A terminal closing, `kill -HUP` or `systemctl reload` makes
/// the loop re-read the repository at once (what can be re-read: the options and the secret file are read at start,
/// so changing them takes a restart), said at notice.
struct HangupListener: Service {
    let hangups: HangupSignals
    let trigger: PassTrigger
    let logger: Logger

    func run() async throws {
        for await _ in hangups.signals.cancelOnGracefulShutdown() {
            logger.notice("SIGHUP: not stopping; re-reading the repository now (options and secret files are read at start: restart to change them)")
            trigger.fire("SIGHUP")
        }
    }
}
