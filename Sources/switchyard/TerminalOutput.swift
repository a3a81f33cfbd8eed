import Logging
import Presentation

/// Prints text to stdout as a person reads it, control characters made visible (`TerminalText`). Every result the
/// command-line tool prints goes through here: it takes the place of `Swift.print` in this module.
func print(_ text: String, terminator: String = "\n") {
    Swift.print(TerminalText.visible(text), terminator: terminator)
}

/// The log on stderr (`run`, `--log-level`): swift-log's stream handler, each message and metadata value with control
/// characters made visible, since log lines carry commit subjects and refusal reasons.
struct TerminalLogHandler: LogHandler {
    private var stream: StreamLogHandler

    init(label: String) { stream = StreamLogHandler.standardError(label: label) }

    var metadata: Logger.Metadata {
        get { stream.metadata }
        set { stream.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { stream[metadataKey: key] }
        set { stream[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(TerminalText.visible(event.message.description))"
        event.metadata = event.metadata?.mapValues { .string(TerminalText.visible("\($0)")) }
        stream.log(event: event)
    }
}
