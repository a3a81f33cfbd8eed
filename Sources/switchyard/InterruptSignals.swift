import Basics
import Dispatch
import Foundation

/// SIGINT, SIGTERM and SIGHUP for a one-shot command that acts (`apply`): the first stops the work at its next safe
/// point, so the journal's pass row ends `interrupted` rather than `running`; a second one exits at once.
final class InterruptSignals {
    /// The signals a person or a supervisor sends to stop a command.
    static let trapped: [(number: Int32, name: String)] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")]

    private let sources: [any DispatchSourceSignal]
    private let received = Locked<String?>(nil)

    /// Starts listening; `stop` runs once, on the first signal, with its name.
    init(stop: @escaping @Sendable (String) -> Void) {
        let queue = DispatchQueue(label: "switchyard.signals")
        let received = received
        sources = Self.trapped.map { signal in
            let source = DispatchSource.makeSignalSource(signal: signal.number, queue: queue)
            source.setEventHandler {
                let first = received.withLock { name in
                    defer { name = name ?? signal.name }
                    return name == nil
                }
                if first {
                    stop(signal.name)
                } else {
                    Terminal.note("\(signal.name) again: exiting now; the journal's pass may stay `running` until the next pass")
                    exit(1)
                }
            }
            source.resume()
            return source
        }
    }

    /// The first signal received, if any.
    var signal: String? { received.withLock { $0 } }

    deinit {
        for source in sources { source.cancel() }
    }
}
