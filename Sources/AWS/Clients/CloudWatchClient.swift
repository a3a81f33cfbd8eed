import Basics
import Foundation

/// CloudWatch's GetMetricStatistics (Query protocol, version 2010-08-01, signed as `monitoring`),
/// for Aurora Global Database replication lag.
public struct CloudWatchClient: Sendable {
    /// The Query `Version` parameter.
    public static let apiVersion = "2010-08-01"

    /// Sends the operations this client builds.
    public let sender: any AWSRequestSending

    /// A client sending through `sender`.
    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// The datapoints of one statistic of a metric, oldest first.
    /// - Throws: `AWSError` (`InvalidParameterValue`, `.malformedResponse`, …).
    public func getMetricStatistics(_ query: MetricStatisticsQuery, region: String) async throws -> [MetricDatapoint] {
        var parameters = QueryParameters(action: "GetMetricStatistics", version: Self.apiVersion)
        parameters.add("Namespace", query.namespace)
        parameters.add("MetricName", query.metricName)
        if !query.dimensions.isEmpty {
            parameters.addList("Dimensions", structures: query.dimensions.map { [("Name", $0.name), ("Value", $0.value)] })
        }
        parameters.add("StartTime", query.startTime)
        parameters.add("EndTime", query.endTime)
        parameters.add("Period", query.period)
        parameters.addList("Statistics", [query.statistic])
        let operation = QueryProtocol.operation(parameters, service: .cloudwatch, region: region, idempotent: true)
        let xml = try XMLResponse(try await sender.send(operation), for: operation)
        let result = try xml.queryResult()
        var points: [MetricDatapoint] = []
        for member in result.element(at: "Datapoints")?.children(named: "member") ?? [] {
            guard let timestamp = try xml.date("Timestamp", in: member) else { throw xml.malformed("a datapoint without Timestamp") }
            guard let value = try xml.double(query.statistic, in: member) else {
                throw xml.malformed("a datapoint without \(query.statistic)")
            }
            points.append(MetricDatapoint(timestamp: timestamp, value: value, unit: xml.text("Unit", in: member)))
        }
        // CloudWatch does not promise an order.
        return points.sorted { $0.timestamp < $1.timestamp }
    }

    /// The newest `Maximum` of an Aurora Global Database lag metric of a cluster within `window`
    /// before `now`, or nil when CloudWatch has no datapoint in that window.
    /// - Parameters:
    ///   - dbClusterIdentifier: the cluster the metric is reported for (a secondary's, for replication lag).
    ///   - region: the region of that cluster.
    ///   - window: how far back to look, in seconds.
    ///   - period: the datapoint granularity, in seconds (a multiple of 60).
    /// - Throws: `AWSError`.
    public func latestAuroraGlobalDBLag(
        _ metric: AuroraGlobalDBMetric, dbClusterIdentifier: String, region: String,
        window: TimeInterval = 600, period: Int = 60, now: Date = Date()
    ) async throws -> MetricDatapoint? {
        try await latestMaximum(
            namespace: "AWS/RDS", metric: metric.rawValue, dbClusterIdentifier: dbClusterIdentifier, region: region, window: window,
            period: period, now: now)
    }

    /// The newest `Maximum` of a per-cluster metric (`DBClusterIdentifier` dimension) within `window` before `now`, or
    /// nil when CloudWatch has no datapoint in that window.
    /// - Throws: `AWSError`.
    public func latestMaximum(
        namespace: String, metric: String, dbClusterIdentifier: String, region: String,
        window: TimeInterval = 600, period: Int = 60, now: Date = Date()
    ) async throws -> MetricDatapoint? {
        let query = MetricStatisticsQuery(
            namespace: namespace, metricName: metric,
            dimensions: [MetricDimension(name: "DBClusterIdentifier", value: dbClusterIdentifier)],
            // The end reaches one period past now: a datapoint stamped this very second still counts
            // (CloudWatch, and the emulator, compare against an end time truncated to the second).
            startTime: now.addingTimeInterval(-window), endTime: now.addingTimeInterval(TimeInterval(period)),
            period: period, statistic: "Maximum")
        return try await getMetricStatistics(query, region: region).last
    }
}

/// The Aurora Global Database lag metrics, in milliseconds.
public enum AuroraGlobalDBMetric: String, Sendable, CaseIterable {
    /// How far a secondary cluster's storage trails the primary's.
    case replicationLag = "AuroraGlobalDBReplicationLag"
    /// The recovery point objective lag: data that a failover now could lose.
    case rpoLag = "AuroraGlobalDBRPOLag"
}

/// One metric dimension, e.g. `DBClusterIdentifier=app-west`.
public struct MetricDimension: Sendable, Hashable {
    /// The dimension name.
    public var name: String
    /// The dimension value.
    public var value: String

    /// A dimension with this name and value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The parameters of one GetMetricStatistics call for a single statistic.
public struct MetricStatisticsQuery: Sendable, Hashable {
    /// The namespace, e.g. `AWS/RDS`.
    public var namespace: String
    /// The metric name.
    public var metricName: String
    /// The dimensions, in order.
    public var dimensions: [MetricDimension]
    /// The start of the window (inclusive).
    public var startTime: Date
    /// The end of the window (exclusive).
    public var endTime: Date
    /// The datapoint granularity in seconds.
    public var period: Int
    /// `Maximum`, `Average`, `Minimum`, `Sum` or `SampleCount`.
    public var statistic: String

    /// A query with these values.
    public init(
        namespace: String, metricName: String, dimensions: [MetricDimension], startTime: Date, endTime: Date,
        period: Int, statistic: String
    ) {
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions
        self.startTime = startTime
        self.endTime = endTime
        self.period = period
        self.statistic = statistic
    }
}

/// One datapoint of one statistic.
public struct MetricDatapoint: Sendable, Hashable {
    /// The start of the datapoint's period.
    public var timestamp: Date
    /// The statistic's value.
    public var value: Double
    /// The unit CloudWatch reported, e.g. `Milliseconds`.
    public var unit: String?

    /// A datapoint with these values.
    public init(timestamp: Date, value: Double, unit: String? = nil) {
        self.timestamp = timestamp
        self.value = value
        self.unit = unit
    }
}
