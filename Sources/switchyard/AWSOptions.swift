import ArgumentParser
import AWS
import Basics
import Foundation
import Logging
import Reconciler

/// How Switchyard reaches AWS: the options of every command that calls it.
struct AWSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Send every AWS call to this endpoint (as AWS_ENDPOINT_URL does), e.g. a local emulator.", valueName: "url"))
    var endpointURL: String?

    @Option(help: ArgumentHelp("Attempts per AWS call, the first included (AWS_MAX_ATTEMPTS; default 3).", valueName: "n"))
    var maxAttempts: Int?

    @Option(help: ArgumentHelp("Time allowed to connect to an AWS endpoint (the SDKs' connect timeout), e.g. 2s. Default 5s.", valueName: "duration"))
    var connectTimeout: DurationArgument?

    @Option(
        help: ArgumentHelp(
            "The most one attempt of an AWS call may take, connection included (the SDKs' API call attempt timeout), e.g. 10s. Default 30s.",
            discussion: "An endpoint that accepts but never answers (a region outage) costs at most this per attempt.", valueName: "duration"))
    var attemptTimeout: DurationArgument?

    @Option(
        help: ArgumentHelp(
            "Log level on stderr: \(LogLevelArgument.names.joined(separator: ", ")), in any case. Default: warning (`run`: info).",
            discussion: "Secrets are always redacted.", valueName: "level"))
    var logLevel: LogLevelArgument?

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        if let endpointURL { env["AWS_ENDPOINT_URL"] = endpointURL }
        return env
    }

    /// The log on stderr at `--log-level`, or at `defaultLevel` without it.
    func logger(defaultLevel: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: "switchyard") { TerminalLogHandler(label: $0) }
        logger.logLevel = logLevel?.value ?? defaultLevel
        return logger
    }

    var logger: Logger { logger() }

    /// The AWS client every call goes through (credentials resolved first, endpoints, retries, redaction).
    func client(onCall: (@Sendable (AWSCallRecord) -> Void)? = nil) async throws -> AWSClient {
        let env = environment
        let attempts = maxAttempts ?? env["AWS_MAX_ATTEMPTS"].flatMap(Int.init) ?? 3
        guard attempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        var configuration = CurlTransport.Configuration(maxIdleConnections: 64, environment: env)
        if let connectTimeout { configuration.connectTimeout = connectTimeout.value }
        if let attemptTimeout { configuration.timeout = attemptTimeout.value }
        guard configuration.connectTimeout > .zero, configuration.timeout > .zero else {
            throw ValidationError("--connect-timeout and --attempt-timeout must be more than 0")
        }
        let transport = CurlTransport(configuration: configuration, logger: logger)
        let credentials = DefaultCredentialProvider(environment: env, transport: transport, logger: logger)
        do {
            _ = try await credentials.credentials()
        } catch let error as AWSError where error.kind == .credentials {
            throw CredentialsUnavailable(message: error.message)
        }
        return AWSClient(
            credentials: credentials,
            transport: transport, endpoints: EndpointResolver(environment: env),
            retryPolicy: RetryPolicy(maxAttempts: attempts), errorDecoder: AWSErrorDecoder.errorDecoder, logger: logger,
            onCall: onCall)
    }
}

/// `--log-level`: one of swift-log's levels, in any case (`DEBUG`, `Warning`); anything else is refused with the list,
/// never read as the default.
struct LogLevelArgument: ExpressibleByArgument, Sendable {
    var value: Logger.Level

    static let names = Logger.Level.allCases.map(\.rawValue)

    init(_ value: Logger.Level) { self.value = value }

    init?(argument: String) {
        guard let value = Logger.Level(rawValue: argument.lowercased()) else { return nil }
        self.value = value
    }

    var defaultValueDescription: String { value.rawValue }
    static var allValueStrings: [String] { names }
}

extension AWSClient {
    /// Throws when AWS refused a call because the host clock is off: an error of the command (exit 1, one line with
    /// the offset and AWS's `Date`), as missing credentials are, never a plan of apps whose state is unknown.
    func requireHostClock() throws {
        if let error = clockSkewError { throw HostClockSkewed(error: error) }
    }
}

/// AWS refused a signature because the host clock is off its own.
struct HostClockSkewed: Error, CustomStringConvertible {
    var error: AWSError

    var description: String {
        "\(error.service) \(error.operation): \(error.code): \(error.message)"
    }
}

/// No AWS credentials could be had: the command stops before observing anything.
struct CredentialsUnavailable: Error, CustomStringConvertible {
    /// The credential source's own message (never a secret: providers keep keys out of messages).
    var message: String

    var description: String {
        let prefix = "no AWS credentials found: "
        return "cannot get AWS credentials: " + (message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message)
    }
}
