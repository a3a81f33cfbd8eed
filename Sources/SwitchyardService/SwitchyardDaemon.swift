import Basics
import DesiredState
import Foundation
import Hummingbird
import HummingbirdCore
import Journaling
import Logging
import NIOCore
import Reconciler
import ServiceLifecycle
import UnixSignals
#if canImport(Glibc)
    import Glibc
#endif

/// `switchyard run` assembled from values: the reconcile loop and the HTTP listener in one service group that
/// shuts down gracefully on SIGTERM and SIGINT; SIGHUP never stops it (`HangupListener`).
public struct SwitchyardDaemon: Sendable {
    /// Where the listener binds.
    public struct Listen: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `host:port` (`127.0.0.1:9464`, `[::1]:9464`).
        /// Binds and releases the address, so that one in use (or not this host's) is a start-up error, said once,
        /// before any pass: the listener binds the same address a moment later.
        /// - Throws: `ListenError` with the system's reason (`Address already in use`, `Cannot assign requested address`).
        public func checkAvailable() throws(ListenError) {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_PASSIVE
            var result: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &result)
            guard status == 0, let info = result else {
                throw ListenError(listen: self, reason: String(cString: gai_strerror(status)))
            }
            defer { freeaddrinfo(result) }
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { throw ListenError(listen: self, reason: String(cString: strerror(errno))) }
            defer { close(fd) }
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, 1) == 0 else {
                throw ListenError(listen: self, reason: String(cString: strerror(errno)))
            }
        }

        public init?(parsing text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
                return nil
            }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        }
    }

    public let configuration: ServiceConfiguration
    public let kinds: ResourceKinds
    public let journal: Journal
    public let metrics: ServiceMetrics
    public let status: ServiceStatus
    public let trigger: PassTrigger
    public let policy: CommitPolicy?
    public let coordinator: Coordinator?
    public let webhook: WebhookSecret?
    public let limits: ListenerLimits
    public let logger: Logger

    public init(
        configuration: ServiceConfiguration, kinds: ResourceKinds, journal: Journal, metrics: ServiceMetrics,
        policy: CommitPolicy? = nil, coordinator: Coordinator? = nil, webhook: WebhookSecret? = nil,
        limits: ListenerLimits = ListenerLimits(), logger: Logger
    ) {
        self.configuration = configuration
        self.kinds = kinds
        self.journal = journal
        self.metrics = metrics
        self.status = ServiceStatus()
        self.trigger = PassTrigger()
        self.policy = policy
        self.coordinator = coordinator
        self.webhook = webhook
        self.limits = limits
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT (the step in flight finishes first), or one pass with `once` (no listener).
    /// - Parameter hangups: SIGHUP, trapped since start-up; each starts a pass (made here when not given).
    /// - Returns: the outcome of the last pass.
    public func run(listen: Listen?, once: Bool, hangups: HangupSignals? = nil) async throws -> PassOutcome? {
        let readiness = once ? nil : PassTrigger()
        let evaluating = Locked<SafePoint?>(nil)
        let loop = ReconcileLoop(
            configuration: configuration, kinds: kinds, journal: journal, metrics: metrics, status: status,
            trigger: trigger, policy: policy, coordinator: coordinator, once: once, readiness: readiness, readinessEvaluation: evaluating,
            logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: loop, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if let readiness {
            services.append(
                .init(
                    service: ReadinessLoop(
                        configuration: configuration, kinds: kinds, journal: journal, metrics: metrics, status: status, trigger: readiness,
                        policy: policy, coordinator: coordinator, evaluation: evaluating, logger: logger)))
        }
        if !once {
            let hangups = if let hangups { hangups } else { await HangupSignals() }
            services.append(.init(service: HangupListener(hangups: hangups, trigger: trigger, webhook: webhook, logger: logger)))
        }
        if let listen, !once {
            let logger = logger
            let limits = self.limits
            let endpoints = HTTPEndpoints(
                status: status, metrics: metrics, journal: journal, trigger: trigger, webhookSecret: webhook, limits: limits,
                logger: logger)
            var httpLogger = logger
            httpLogger.logLevel = max(logger.logLevel, .warning)
            let app = Application(
                router: endpoints.router(),
                // Hummingbird's idle timeout and connection cap; the head and body deadlines are ours (it has none).
                server: .http1(
                    configuration: .init(
                        additionalChannelHandlers: [RequestDeadlineHandler(limits: limits)],
                        idleTimeout: .seconds(Int64(limits.idleTimeout.components.seconds)))),
                configuration: .init(
                    address: .hostname(listen.host, port: listen.port), serverName: "switchyard",
                    availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
                onServerRunning: { channel in
                    logger.notice("listening on http://\(listen.host):\(channel.localAddress?.port ?? listen.port)")
                },
                logger: httpLogger)
            services.append(.init(service: DescribedService(app, "HTTP listener on \(listen.host):\(listen.port)")))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        return await status.lastPass?.outcome
    }
}

/// A service whose description (what swift-service-lifecycle logs) is the words given, not a dump of what it holds.
struct DescribedService<Base: Service>: Service, Redacting {
    let base: Base
    let description: String

    init(_ base: Base, _ description: String) {
        self.base = base
        self.description = description
    }

    func run() async throws { try await base.run() }
}

/// The listener's address cannot be had.
public struct ListenError: Error, Sendable, CustomStringConvertible {
    public var listen: SwitchyardDaemon.Listen
    public var reason: String

    public var description: String {
        "cannot listen on \(listen.host):\(listen.port): \(reason); pass another --listen HOST:PORT, or stop what holds it"
    }
}
