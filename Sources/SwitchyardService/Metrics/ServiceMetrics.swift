import AWS
import Basics
import Foundation
import Metrics
import Prometheus
import Reconciler

/// The service's Prometheus metrics, on a registry of its own (no process-global bootstrap).
public final class ServiceMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let passDuration: DurationHistogram
    private let lastAppliedCommitTime: Prometheus.Gauge
    private let secondsSinceFetch: Prometheus.Gauge
    private let lastFetch = Locked<Date?>(nil)
    /// The readiness series last set: `[app, region]` and `[app, region, check]`.
    private let readinessSeries = Locked<Set<[String]>>([])

    public init() {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
        passDuration = registry.makeDurationHistogram(
            descriptor: Self.passDuration,
            buckets: [
                .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(30),
                .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(1800),
            ])
        lastAppliedCommitTime = registry.makeGauge(descriptor: Self.lastApplied)
        secondsSinceFetch = registry.makeGauge(descriptor: Self.sinceFetch)
        secondsSinceFetch.set(to: -1)
    }

    /// Records a finished pass: its duration, and per app whether it was a pass or an error.
    public func passFinished(duration: Duration, apps: [String: Verdictish]) {
        passDuration.record(duration)
        for (app, verdict) in apps {
            registry.makeCounter(descriptor: Self.passes, labels: [("app", app)]).increment()
            if !verdict.converged {
                registry.makeCounter(descriptor: Self.errors, labels: [("app", app)]).increment()
            }
            registry.makeGauge(descriptor: Self.inSync, labels: [("app", app)]).set(to: verdict.inSync ? 1.0 : 0.0)
            registry.makeGauge(descriptor: Self.diverged, labels: [("app", app)]).set(to: verdict.diverged ? 1.0 : 0.0)
        }
    }

    /// Records a pass that failed before any app was looked at (fetch, validation, refusal).
    public func passFailed(duration: Duration) {
        passDuration.record(duration)
        registry.makeCounter(descriptor: Self.errors, labels: [("app", "*")]).increment()
    }

    /// The repository was read (and fetched when remote) successfully.
    public func fetched(at time: Date = Date()) {
        lastFetch.withLock { $0 = time }
    }

    /// Every app converged to a commit made at `time`.
    public func applied(commitTime: Date) {
        lastAppliedCommitTime.set(to: commitTime.timeIntervalSince1970)
    }

    /// The `AWSClient.onCall` hook: counts calls by service, operation and outcome.
    public func awsCall(_ record: AWSCallRecord) {
        let outcome: String
        switch record.outcome {
        case .success: outcome = "success"
        case let .serviceError(code): outcome = code
        case .transportError: outcome = "transport-error"
        case .timeout: outcome = "timeout"
        case .clientError: outcome = "client-error"
        }
        Metrics.Counter(
            label: "switchyard_aws_calls_total",
            dimensions: [("service", record.service.rawValue), ("operation", record.operation), ("outcome", outcome)],
            factory: factory
        ).increment()
    }

    static var passDuration: MetricNameDescriptor {
        metric("pass_duration", "seconds", "Duration of reconcile passes (fetch, validate, observe, plan, apply).")
    }
    static var lastApplied: MetricNameDescriptor {
        metric("last_applied_commit_timestamp", "seconds", "Committer time (Unix seconds) of the last commit every app converged to.")
    }
    static var sinceFetch: MetricNameDescriptor {
        metric("seconds_since_last_fetch", "", "Seconds since the repository was last read or fetched successfully (-1: never).")
    }
    static var passes: MetricNameDescriptor { metric("passes", "total", "Reconcile passes per app.") }
    static var errors: MetricNameDescriptor {
        metric("pass_errors", "total", "Passes per app that did not converge it (app=\"*\": the pass failed before any app was planned).")
    }
    static var inSync: MetricNameDescriptor { metric("app_in_sync", "", "1 when the app's live state matches its commit, else 0.") }
    static var diverged: MetricNameDescriptor {
        metric(
            "app_diverged", "", "1 when the app's writer or traffic was moved outside Git and is held there (switchyard adopt or --reassert), else 0."
        )
    }

    static var failoverReady: MetricNameDescriptor {
        metric("failover_ready", "", "1 when the app can fail over to the region now (switchyard readiness), else 0.")
    }
    static var readinessCheck: MetricNameDescriptor {
        metric("readiness_check", "", "1 when the readiness check (or problem code) passes for a failover of the app to the region, else 0.")
    }

    /// Sets the readiness gauges from one evaluation; the series of a failover or check no longer evaluated are removed.
    public func readiness(_ reports: [FailoverReadiness]) {
        var series: Set<[String]> = []
        for report in reports {
            let labels = [("app", report.app), ("region", report.target)]
            registry.makeGauge(descriptor: Self.failoverReady, labels: labels).set(to: report.ready ? 1 : 0)
            var checks: [String: Bool] = [:]
            for check in report.plan.checks {
                checks[check.code.rawValue, default: true] = checks[check.code.rawValue, default: true] && check.passed
            }
            for problem in report.problems { checks[problem.code.rawValue] = false }
            for (check, passed) in checks {
                registry.makeGauge(descriptor: Self.readinessCheck, labels: labels + [("check", check)]).set(to: passed ? 1 : 0)
                series.insert([report.app, report.target, check])
            }
            series.insert([report.app, report.target])
        }
        let gone = readinessSeries.withLock { known in
            defer { known = series }
            return known.subtracting(series)
        }
        for key in gone {
            let labels = [("app", key[0]), ("region", key[1])]
            if key.count == 3 {
                registry.unregisterGauge(registry.makeGauge(descriptor: Self.readinessCheck, labels: labels + [("check", key[2])]))
            } else {
                registry.unregisterGauge(registry.makeGauge(descriptor: Self.failoverReady, labels: labels))
            }
        }
    }

    static func metric(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchyard", metricName: name, unitName: unit, helpText: help)
    }

    /// The text exposition format, with time-dependent gauges brought up to date.
    public func render(now: Date = Date()) -> String {
        if let last = lastFetch.withLock({ $0 }) { secondsSinceFetch.set(to: now.timeIntervalSince(last)) }
        return registry.emitToString()
    }
}

/// What the metrics need of an app's verdict.
public struct Verdictish: Sendable {
    public var converged: Bool
    public var inSync: Bool
    public var diverged: Bool

    public init(converged: Bool, inSync: Bool, diverged: Bool = false) {
        self.converged = converged
        self.inSync = inSync
        self.diverged = diverged
    }
}
