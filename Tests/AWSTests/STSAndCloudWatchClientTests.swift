import AWS
import Basics
import Foundation
import Testing

@Suite struct STSClientTests {
    @Test func getCallerIdentity() async throws {
        let body = """
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <GetCallerIdentityResult>
                <Arn>arn:aws:sts::123456789012:assumed-role/switchyard/session</Arn>
                <UserId>AROA3XFRBF535PLBIFPI4:session</UserId>
                <Account>123456789012</Account>
              </GetCallerIdentityResult>
              <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
            </GetCallerIdentityResponse>
            """
        let sender = RecordingSender(.xml(body))
        let identity = try await STSClient(sender: sender).getCallerIdentity(region: "us-west-2")
        let op = try #require(await sender.single)
        #expect(op.service == .sts && op.region == "us-west-2" && op.method == "POST" && op.path == "/" && op.idempotent)
        #expect(op.bodyText == "Action=GetCallerIdentity&Version=2011-06-15")
        #expect(
            identity
                == CallerIdentity(
                    account: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/switchyard/session", userID: "AROA3XFRBF535PLBIFPI4:session"
                ))
    }

    @Test func missingAccountIsMalformed() async {
        let body =
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn><UserId>u</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>"
        await #expect(throws: AWSError.self) { try await STSClient(sender: RecordingSender(.xml(body))).getCallerIdentity(region: "us-east-1") }
    }
}

@Suite struct CloudWatchClientTests {
    static let body = """
        <GetMetricStatisticsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
          <GetMetricStatisticsResult>
            <Datapoints>
              <member><Timestamp>2024-05-01T12:02:00Z</Timestamp><Maximum>812.5</Maximum><Unit>Milliseconds</Unit></member>
              <member><Timestamp>2024-05-01T12:00:00Z</Timestamp><Maximum>120.0</Maximum><Unit>Milliseconds</Unit></member>
              <member><Timestamp>2024-05-01T12:01:00Z</Timestamp><Maximum>1.5E2</Maximum><Unit>Milliseconds</Unit></member>
            </Datapoints>
            <Label>AuroraGlobalDBReplicationLag</Label>
          </GetMetricStatisticsResult>
          <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
        </GetMetricStatisticsResponse>
        """

    @Test func latestReplicationLag() async throws {
        let sender = RecordingSender(.xml(Self.body))
        let now = Date(timeIntervalSince1970: 1_714_565_000)  // 2024-05-01T12:03:20Z
        let point = try await CloudWatchClient(sender: sender).latestAuroraGlobalDBLag(
            .replicationLag, dbClusterIdentifier: "app-west", region: "us-west-2", window: 600, period: 60, now: now)
        let op = try #require(await sender.single)
        #expect(op.service == .cloudwatch && op.service.signingName == "monitoring")
        #expect(op.region == "us-west-2" && op.method == "POST" && op.path == "/" && op.idempotent)
        #expect(
            op.formPairs == [
                "Action=GetMetricStatistics", "Version=2010-08-01", "Namespace=AWS/RDS", "MetricName=AuroraGlobalDBReplicationLag",
                "Dimensions.member.1.Name=DBClusterIdentifier", "Dimensions.member.1.Value=app-west",
                "StartTime=2024-05-01T11:53:20Z", "EndTime=2024-05-01T12:04:20Z", "Period=60", "Statistics.member.1=Maximum",
            ])
        #expect(point == MetricDatapoint(timestamp: Date(timeIntervalSince1970: 1_714_564_920), value: 812.5, unit: "Milliseconds"))
    }

    @Test func noDatapointsIsNil() async throws {
        let body =
            "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints/><Label>AuroraGlobalDBRPOLag</Label></GetMetricStatisticsResult></GetMetricStatisticsResponse>"
        let sender = RecordingSender(.xml(body))
        #expect(try await CloudWatchClient(sender: sender).latestAuroraGlobalDBLag(.rpoLag, dbClusterIdentifier: "c", region: "us-east-1") == nil)
        #expect(try #require(await sender.single).formPairs.contains("MetricName=AuroraGlobalDBRPOLag"))
    }

    @Test func datapointWithoutTheStatisticIsMalformed() async {
        let body =
            "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints><member><Timestamp>2024-05-01T12:00:00Z</Timestamp><Average>1</Average></member></Datapoints></GetMetricStatisticsResult></GetMetricStatisticsResponse>"
        await #expect(throws: AWSError.self) {
            try await CloudWatchClient(sender: RecordingSender(.xml(body))).latestAuroraGlobalDBLag(
                .rpoLag, dbClusterIdentifier: "c", region: "us-east-1")
        }
    }
}
