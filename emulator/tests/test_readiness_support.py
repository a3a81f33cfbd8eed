"""Tests of what readiness checks read that moto lacked (emulator/edge.py): DB instances in the
global clusters' members (the topology's, Aurora and DocumentDB), per-member engine versions,
account-level Block Public Access through S3 Control, and replication lag as CloudWatch metrics.

Run: python3 -m pytest -q emulator/tests
The module starts its own emulator.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
import urllib.error

import pytest
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from test_edge import ACCOUNT, s3control  # noqa: E402
from test_emulator import client, http_json, post_before, start_emulator, topology  # noqa: E402

EAST, WEST = "us-east-1", "us-west-1"
AURORA_LAG = ("AWS/RDS", "AuroraGlobalDBReplicationLag")
DOCDB_LAG = ("AWS/DocDB", "GlobalClusterReplicationLag")


@pytest.fixture(scope="module")
def emu(request) -> str:
    return start_emulator(request, "--failover-seconds", "1")


@pytest.fixture(autouse=True)
def fresh(request) -> None:
    post_before(request, "emu", ("/moto-api/reset", None), ("/_switchyard/replication-lag", {"clear": True}),
                ("/_switchyard/reset-calls", None))


def members(emu: str, region: str, cluster: str) -> list[tuple[str, bool]]:
    found = client("rds", emu, region).describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
    return [(m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in found["DBClusterMembers"]]


def lag(emu: str, body: dict | None = None) -> dict:
    return http_json(emu + "/_switchyard/replication-lag", "POST" if body is not None else "GET", body)


def lag_error(emu: str, body: dict) -> tuple[int, str]:
    with pytest.raises(urllib.error.HTTPError) as refused:
        lag(emu, body)
    return refused.value.code, json.loads(refused.value.read())["error"]


def by_cluster(cluster: str) -> list[dict]:
    return [{"Name": "DBClusterIdentifier", "Value": cluster}]


def metric_values(emu: str, region: str, metric: tuple[str, str], dimensions: list[dict]) -> list[float]:
    now = dt.datetime.now(dt.timezone.utc)
    answer = client("cloudwatch", emu, region).get_metric_data(
        MetricDataQueries=[{"Id": "lag", "MetricStat": {"Metric": {
            "Namespace": metric[0], "MetricName": metric[1], "Dimensions": dimensions},
            "Period": 60, "Stat": "Maximum"}}],
        StartTime=now - dt.timedelta(minutes=5), EndTime=now + dt.timedelta(minutes=1))
    return answer["MetricDataResults"][0]["Values"]


# --------------------------------------------------------------------------- instances

def test_topology_members_have_instances(emu):
    app = topology.create_topology(emu, parts="aurora", documentdb=True)["apps"][0]
    assert app["aurora"]["instances"]["primary"][0] == {
        "id": "hot-primary-instance-1", "class": "db.r6g.large",
        "arn": "arn:aws:rds:us-east-1:123456789012:db:hot-primary-instance-1"}
    assert [i["id"] for i in app["documentdb"]["instances"]["secondary"]] == ["unishop-docdb-west-instance-1"]
    # the writer cluster's instance is its writer, a secondary's instances are readers (as on AWS)
    assert members(emu, EAST, "hot-primary") == [("hot-primary-instance-1", True)]
    assert members(emu, WEST, "hot-secondary") == [("hot-secondary-instance-1", False)]
    assert members(emu, EAST, "unishop-docdb-east") == [("unishop-docdb-east-instance-1", True)]
    assert members(emu, WEST, "unishop-docdb-west") == [("unishop-docdb-west-instance-1", False)]
    (instance,) = client("rds", emu, WEST).describe_db_instances(
        DBInstanceIdentifier="hot-secondary-instance-1")["DBInstances"]
    assert instance["DBClusterIdentifier"] == "hot-secondary" and instance["Engine"] == "aurora-mysql"
    assert instance["DBInstanceClass"] == "db.r6g.large" and instance["DBInstanceStatus"] == "available"
    (doc,) = client("docdb", emu, WEST).describe_db_instances(
        DBInstanceIdentifier="unishop-docdb-west-instance-1")["DBInstances"]
    assert doc["Engine"] == "docdb" and doc["EngineVersion"] == "5.0.0" and doc["Endpoint"]["Port"] == 27017
    # a second reader joins the members; deleting instances takes them out again
    west = client("rds", emu, WEST)
    west.create_db_instance(DBInstanceIdentifier="hot-secondary-instance-2", DBInstanceClass="db.r6g.large",
                            Engine="aurora-mysql", DBClusterIdentifier="hot-secondary")
    assert members(emu, WEST, "hot-secondary") == [("hot-secondary-instance-1", False),
                                                  ("hot-secondary-instance-2", False)]
    west.delete_db_instance(DBInstanceIdentifier="hot-secondary-instance-1", SkipFinalSnapshot=True)
    west.delete_db_instance(DBInstanceIdentifier="hot-secondary-instance-2", SkipFinalSnapshot=True)
    assert members(emu, WEST, "hot-secondary") == []
    client("docdb", emu, WEST).delete_db_instance(DBInstanceIdentifier="unishop-docdb-west-instance-1")
    assert members(emu, WEST, "unishop-docdb-west") == []


def test_writer_instance_follows_the_switchover(emu):
    app = topology.create_topology(emu, parts="aurora")["apps"][0]["aurora"]
    client("rds", emu, WEST).switchover_global_cluster(GlobalClusterIdentifier="hot-global",
                                                       TargetDbClusterIdentifier=app["secondary"]["arn"])
    http_json(emu + "/_switchyard/complete-failovers", "POST")
    assert members(emu, WEST, "hot-secondary") == [("hot-secondary-instance-1", True)]
    assert members(emu, EAST, "hot-primary") == [("hot-primary-instance-1", False)]
    # detached (RemoveFromGlobalCluster): a standalone cluster's instance writes again
    client("rds", emu, EAST).remove_from_global_cluster(GlobalClusterIdentifier="hot-global",
                                                        DbClusterIdentifier=app["primary"]["arn"])
    assert members(emu, EAST, "hot-primary") == [("hot-primary-instance-1", True)]


# --------------------------------------------------------------------------- engine versions

def test_member_engine_versions(emu):
    east, west = client("rds", emu, EAST), client("rds", emu, WEST)
    east.create_global_cluster(GlobalClusterIdentifier="ver-global", Engine="aurora-mysql",
                               EngineVersion="8.0.mysql_aurora.3.04.0")
    east.create_db_cluster(DBClusterIdentifier="ver-east", Engine="aurora-mysql", GlobalClusterIdentifier="ver-global",
                           MasterUsername="admin", MasterUserPassword="unishop-password")
    west.create_db_cluster(DBClusterIdentifier="ver-west", Engine="aurora-mysql", GlobalClusterIdentifier="ver-global")

    def version(client_, cluster: str) -> str:
        return client_.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["EngineVersion"]

    # members created without EngineVersion run the global cluster's (moto gave them its default)
    assert version(east, "ver-east") == version(west, "ver-west") == "8.0.mysql_aurora.3.04.0"
    # a test sets the secondary to another version with ModifyDBCluster; each member reports its own
    answer = west.modify_db_cluster(DBClusterIdentifier="ver-west", EngineVersion="8.0.mysql_aurora.3.05.2",
                                    ApplyImmediately=True)["DBCluster"]
    assert answer["EngineVersion"] == "8.0.mysql_aurora.3.05.2"
    assert version(west, "ver-west") == "8.0.mysql_aurora.3.05.2"
    assert version(east, "ver-east") == "8.0.mysql_aurora.3.04.0"
    west.create_db_instance(DBInstanceIdentifier="ver-west-1", DBInstanceClass="db.r6g.large", Engine="aurora-mysql",
                            DBClusterIdentifier="ver-west")
    instance = west.describe_db_instances(DBInstanceIdentifier="ver-west-1")["DBInstances"][0]
    assert instance["EngineVersion"] == "8.0.mysql_aurora.3.05.2"  # an instance runs its cluster's version
    # DescribeGlobalClusters: the global cluster's own version; its members carry none (AWS's shape)
    gc = east.describe_global_clusters(GlobalClusterIdentifier="ver-global")["GlobalClusters"][0]
    assert gc["EngineVersion"] == "8.0.mysql_aurora.3.04.0"
    assert all("EngineVersion" not in m for m in gc["GlobalClusterMembers"])
    # an explicit EngineVersion is kept as given; the topology's lab runs moto's default everywhere
    west.create_db_cluster(DBClusterIdentifier="ver-west-b", Engine="aurora-mysql",
                           GlobalClusterIdentifier="ver-global",
                           EngineVersion="8.0.mysql_aurora.3.05.2")
    assert version(west, "ver-west-b") == "8.0.mysql_aurora.3.05.2"
    topology.create_topology(emu, parts="aurora", documentdb=True)
    assert version(east, "hot-primary") == version(west, "hot-secondary") == "5.7.mysql_aurora.2.07.2"
    docdb = client("docdb", emu, WEST)
    docdb.modify_db_cluster(DBClusterIdentifier="unishop-docdb-west", EngineVersion="5.0.1", ApplyImmediately=True)
    assert docdb.describe_db_clusters(DBClusterIdentifier="unishop-docdb-west")["DBClusters"][0][
        "EngineVersion"] == "5.0.1"
    assert client("docdb", emu, EAST).describe_db_clusters(DBClusterIdentifier="unishop-docdb-east")[
        "DBClusters"][0]["EngineVersion"] == "5.0.0"


# --------------------------------------------------------------------------- account-level BPA

def test_account_level_block_public_access_through_s3_control(emu):
    control = s3control(emu, EAST)
    with pytest.raises(ClientError) as missing:
        control.get_public_access_block(AccountId=ACCOUNT)
    assert missing.value.response["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration"
    control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    read = s3control(emu, WEST).get_public_access_block(AccountId=ACCOUNT)["PublicAccessBlockConfiguration"]
    assert read == {"BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True}
    (put,) = http_json(emu + "/_switchyard/calls?service=s3control&mutating=true")["calls"]
    assert put["operation"] == "PutPublicAccessBlock" and put["path"] == "/v20180820/configuration/publicAccessBlock"
    # bucket-level calls keep their own service
    client("s3", emu, EAST).create_bucket(Bucket="bpa-bucket")
    client("s3", emu, EAST).put_public_access_block(Bucket="bpa-bucket", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    assert http_json(emu + "/_switchyard/calls?operation=PutPublicAccessBlock")["counts"] == {
        "s3:PutPublicAccessBlock": 1, "s3control:PutPublicAccessBlock": 1}


# --------------------------------------------------------------------------- replication lag

def test_replication_lag_published_as_cloudwatch_metrics(emu):
    topology.create_topology(emu, parts="aurora", documentdb=True)
    # nothing is published until a lag is set
    assert metric_values(emu, WEST, AURORA_LAG, by_cluster("hot-secondary")) == []
    state = lag(emu, {"region": WEST, "cluster": "hot-secondary", "lag_ms": 1500})
    (row,) = state["replication_lag"]
    assert row["cluster"] == "hot-secondary" and row["global_cluster"] == "hot-global" and row["emitting"] is True
    assert row["source_region"] == EAST and row["lag_ms"] == 1500 and row["emitted"] == 1
    assert row["metric"]["namespace"] == "AWS/RDS" and row["metric"]["metric_name"] == "AuroraGlobalDBReplicationLag"
    assert state["interval_seconds"] == 60
    # GetMetricData / GetMetricStatistics in the secondary's region, by cluster or by source region
    assert metric_values(emu, WEST, AURORA_LAG, by_cluster("hot-secondary")) == [1500]
    now = dt.datetime.now(dt.timezone.utc)
    stats = client("cloudwatch", emu, WEST).get_metric_statistics(
        Namespace="AWS/RDS", MetricName="AuroraGlobalDBReplicationLag",
        Dimensions=[{"Name": "SourceRegion", "Value": EAST}], StartTime=now - dt.timedelta(minutes=5),
        EndTime=now + dt.timedelta(minutes=1), Period=60, Statistics=["Maximum"])["Datapoints"]
    assert [(p["Maximum"], p["Unit"]) for p in stats] == [(1500.0, "Milliseconds")]
    assert metric_values(emu, EAST, AURORA_LAG, by_cluster("hot-secondary")) == []
    # a new value is published at once (the period's maximum shows the highest)
    lag(emu, {"region": WEST, "cluster": "arn:aws:rds:us-west-1:123456789012:cluster:hot-secondary", "lag_ms": 40000})
    assert max(metric_values(emu, WEST, AURORA_LAG, by_cluster("hot-secondary"))) == 40000
    # DocumentDB: its own namespace and metric name
    lag(emu, {"region": WEST, "cluster": "unishop-docdb-west", "lag_ms": 250})
    assert metric_values(emu, WEST, DOCDB_LAG, by_cluster("unishop-docdb-west")) == [250]
    # the writer publishes no lag: a setting on it is kept but not emitting
    state = lag(emu, {"region": EAST, "cluster": "hot-primary", "lag_ms": 10})
    writer = [r for r in state["replication_lag"] if r["cluster"] == "hot-primary"][0]
    assert writer["emitting"] is False and writer["emitted"] == 0 and writer["global_cluster"] == "hot-global"
    # null stops one, clear stops all
    state = lag(emu, {"region": WEST, "cluster": "hot-secondary", "lag_ms": None})
    assert sorted(r["cluster"] for r in state["replication_lag"]) == ["hot-primary", "unishop-docdb-west"]
    assert lag(emu, {"clear": True})["replication_lag"] == []
    # refusals
    assert lag_error(emu, {"region": WEST, "cluster": "nope", "lag_ms": 1})[0] == 404
    assert lag_error(emu, {"region": WEST, "cluster": "hot-secondary", "lag_ms": -1})[0] == 400
    assert lag_error(emu, {"region": WEST, "cluster": "hot-secondary", "lag_ms": "1"})[0] == 400
    assert lag_error(emu, {"cluster": "hot-secondary", "lag_ms": 1})[0] == 400  # region needed without an ARN
    assert lag_error(emu, {"region": WEST, "cluster": "hot-secondary"})[0] == 400
    assert lag_error(emu, {"region": WEST, "cluster": "hot-secondary", "lag_ms": 1, "x": 1})[0] == 400


def test_lag_setting_dies_with_its_cluster(emu):
    topology.create_topology(emu, parts="aurora")
    lag(emu, {"region": WEST, "cluster": "hot-secondary", "lag_ms": 100})
    http_json(emu + "/moto-api/reset", "POST")
    assert lag(emu)["replication_lag"] == []
