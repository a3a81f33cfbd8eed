"""Tests of the Switchyard emulator harness (emulator, fault proxy, topology).

Run: python3 -m pytest -q emulator/tests
Every server is a subprocess on a free loopback port, stopped by fixture finalizers.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_DIR = os.path.dirname(HERE)
sys.path.insert(0, EMULATOR_DIR)

import topology  # noqa: E402

PY = sys.executable
START_TIMEOUT = 30


def start_server(args: list[str]) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([PY, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not line or not line[0].startswith("READY "):
        stop_server(proc)
        raise RuntimeError(f"server did not become ready: {line!r}")
    return proc, int(line[0].split()[1])


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc.stdout:
        proc.stdout.close()


def http_json(url: str, method: str = "GET", body: object | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def start_emulator(request, *args: str) -> str:
    """The URL of an emulator (``--port 0`` and `args`) that runs until the requesting fixture's scope ends."""
    proc, port = start_server([os.path.join(EMULATOR_DIR, "switchyard_emulator.py"), "--port", "0", *args])
    request.addfinalizer(lambda: stop_server(proc))
    return f"http://127.0.0.1:{port}"


def post_before(request, fixture: str, *posts: tuple[str, object]) -> None:
    """Before a test that uses the emulator fixture `fixture`: POSTs each (path, JSON body or None) to it."""
    if fixture in request.fixturenames:
        url = request.getfixturevalue(fixture)
        for path, body in posts:
            http_json(url + path, "POST", body)


@pytest.fixture(scope="session")
def emulator(request):
    return start_emulator(request, "--failover-seconds", "1")


@pytest.fixture(scope="session")
def proxy(request, emulator):
    proc, port = start_server([os.path.join(EMULATOR_DIR, "fault_proxy.py"),
                               "--upstream", emulator, "--port", "0", "--seed", "1"])
    request.addfinalizer(lambda: stop_server(proc))
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def fresh(request):
    """Empties moto, the call log and the fault rules before each test that uses them."""
    names = request.fixturenames
    post_before(request, "emulator", ("/moto-api/reset", None), ("/_switchyard/reset-calls", None),
                ("/_switchyard/config", {"failover_seconds": 1}))
    if "proxy" in names:
        url = request.getfixturevalue("proxy")
        http_json(url + "/_fault/clear", "POST", {})
        http_json(url + "/_fault/reset-stats", "POST")
    yield
    if "proxy" in names:
        http_json(request.getfixturevalue("proxy") + "/_fault/clear", "POST", {})


def client(service: str, endpoint: str, region: str, read_timeout: float = 10):
    return boto3.client(service, region_name=region, endpoint_url=endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"total_max_attempts": 1}, connect_timeout=3,
                                      read_timeout=read_timeout, s3={"addressing_style": "path"}))


def global_cluster(endpoint: str, region: str = "us-east-1", ident: str = "hot-global") -> dict:
    return client("rds", endpoint, region).describe_global_clusters(
        GlobalClusterIdentifier=ident)["GlobalClusters"][0]


def writer_arn(gc: dict) -> str:
    return [m["DBClusterArn"] for m in gc["GlobalClusterMembers"] if m["IsWriter"]][0]


# --------------------------------------------------------------------------- emulator

def test_health_and_topology(emulator):
    health = http_json(emulator + "/_switchyard/health")
    assert health["status"] == "ok" and health["moto_version"] == "5.2.1"
    topo = topology.create_topology(emulator, count=2)
    assert [a["name"] for a in topo["apps"]] == ["hot", "hot2"]
    app = topo["apps"][0]
    assert app["buckets"]["primary"]["name"] == "hot-primary-uibucket-example"
    cf = client("cloudfront", emulator, "us-east-1")
    cfg = cf.get_distribution_config(Id=app["distribution"]["id"])["DistributionConfig"]
    group = cfg["OriginGroups"]["Items"][0]
    assert group["Id"] == "hot-standby-origin-group"
    assert sorted(group["FailoverCriteria"]["StatusCodes"]["Items"]) == [403, 404, 500, 502, 503, 504]
    assert [m["OriginId"] for m in group["Members"]["Items"]] == ["hot-primary-origin", "hot-secondary-origin"]
    gc = global_cluster(emulator, "us-west-1")
    assert writer_arn(gc) == app["aurora"]["primary"]["arn"]
    assert all(m["SynchronizationStatus"] == "connected" for m in gc["GlobalClusterMembers"])
    website = client("s3", emulator, "us-west-1").get_bucket_website(Bucket="hot-secondary-uibucket-example")
    assert website["IndexDocument"]["Suffix"] == "index.html"


def test_topology_parts(emulator):
    web = topology.create_topology(emulator, prefix="web", parts="web")["apps"][0]
    assert "aurora" not in web and web["distribution"]["id"]
    db = topology.create_topology(emulator, prefix="db", parts="aurora")["apps"][0]
    assert "distribution" not in db and db["aurora"]["global_cluster_id"] == "db-global"


def test_switchover_in_progress_then_writer_changes(emulator):
    app = topology.create_topology(emulator, parts="aurora")["apps"][0]["aurora"]
    west = client("rds", emulator, "us-west-1")
    started = time.monotonic()
    resp = west.switchover_global_cluster(GlobalClusterIdentifier="hot-global",
                                          TargetDbClusterIdentifier=app["secondary"]["arn"])
    gc = resp["GlobalCluster"]
    assert gc["Status"] == "switching-over"
    assert gc["FailoverState"] == {"Status": "switching-over", "FromDbClusterArn": app["primary"]["arn"],
                                   "ToDbClusterArn": app["secondary"]["arn"], "IsDataLossAllowed": False}
    during = global_cluster(emulator)
    assert during["FailoverState"]["Status"] == "switching-over"
    assert writer_arn(during) == app["primary"]["arn"]
    with pytest.raises(ClientError) as err:
        west.switchover_global_cluster(GlobalClusterIdentifier="hot-global",
                                       TargetDbClusterIdentifier=app["secondary"]["arn"])
    assert err.value.response["Error"]["Code"] == "InvalidGlobalClusterStateFault"
    while time.monotonic() - started < 1.2:
        time.sleep(0.1)
    after = global_cluster(emulator, "us-west-1")
    assert after["Status"] == "available" and "FailoverState" not in after
    members = after["GlobalClusterMembers"]
    assert members[0]["DBClusterArn"] == app["secondary"]["arn"] and members[0]["IsWriter"]
    assert members[0]["Readers"] == [app["primary"]["arn"]]
    assert members[1]["DBClusterArn"] == app["primary"]["arn"] and not members[1]["IsWriter"]
    # switching over to the current writer is refused
    with pytest.raises(ClientError) as err:
        west.switchover_global_cluster(GlobalClusterIdentifier="hot-global",
                                       TargetDbClusterIdentifier=app["secondary"]["arn"])
    assert err.value.response["Error"]["Code"] == "InvalidDBClusterStateFault"


def test_failover_allow_data_loss_with_runtime_config(emulator):
    app = topology.create_topology(emulator, parts="aurora")["apps"][0]["aurora"]
    config = http_json(emulator + "/_switchyard/config", "POST", {"failover_seconds": 0.5})
    assert config["failover_seconds"] == 0.5
    east = client("rds", emulator, "us-east-1")
    gc = east.failover_global_cluster(GlobalClusterIdentifier="hot-global",
                                      TargetDbClusterIdentifier=app["secondary"]["arn"],
                                      AllowDataLoss=True)["GlobalCluster"]
    assert gc["Status"] == "failing-over"
    assert gc["FailoverState"]["Status"] == "failing-over" and gc["FailoverState"]["IsDataLossAllowed"] is True
    time.sleep(0.7)
    after = global_cluster(emulator)
    assert "FailoverState" not in after and writer_arn(after) == app["secondary"]["arn"]
    with pytest.raises(ClientError) as err:
        east.failover_global_cluster(GlobalClusterIdentifier="hot-global",
                                     TargetDbClusterIdentifier=app["primary"]["arn"],
                                     AllowDataLoss=True, Switchover=True)
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"


def test_remove_from_global_makes_standalone_writer(emulator):
    app = topology.create_topology(emulator, parts="aurora")["apps"][0]["aurora"]
    west = client("rds", emulator, "us-west-1")
    gc = west.remove_from_global_cluster(GlobalClusterIdentifier="hot-global",
                                         DbClusterIdentifier=app["secondary"]["arn"])["GlobalCluster"]
    assert [m["DBClusterArn"] for m in gc["GlobalClusterMembers"]] == [app["primary"]["arn"]]
    cluster = west.describe_db_clusters(DBClusterIdentifier="hot-secondary")["DBClusters"][0]
    assert cluster["Status"] == "available" and "GlobalClusterIdentifier" not in cluster
    assert global_cluster(emulator)["GlobalClusterMembers"][0]["Readers"] == []
    with pytest.raises(ClientError) as err:  # no longer a member
        west.switchover_global_cluster(GlobalClusterIdentifier="hot-global",
                                       TargetDbClusterIdentifier=app["secondary"]["arn"])
    assert err.value.response["Error"]["Code"] == "InvalidDBClusterStateFault"


def test_errors_for_unknown_clusters(emulator):
    topology.create_topology(emulator, parts="aurora")
    west = client("rds", emulator, "us-west-1")
    with pytest.raises(ClientError) as err:
        west.switchover_global_cluster(GlobalClusterIdentifier="nope",
                                       TargetDbClusterIdentifier="arn:aws:rds:us-west-1:123456789012:cluster:hot-secondary")
    assert err.value.response["Error"]["Code"] == "GlobalClusterNotFoundFault"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err.value.response["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as err:
        west.failover_global_cluster(GlobalClusterIdentifier="hot-global", AllowDataLoss=True,
                                     TargetDbClusterIdentifier="arn:aws:rds:us-west-1:123456789012:cluster:ghost")
    assert err.value.response["Error"]["Code"] == "DBClusterNotFoundFault"
    with pytest.raises(ClientError) as err:
        west.describe_global_clusters(GlobalClusterIdentifier="nope")
    assert err.value.response["Error"]["Code"] == "GlobalClusterNotFoundFault"
    with pytest.raises(ClientError) as err:
        west.remove_from_global_cluster(GlobalClusterIdentifier="hot-global",
                                        DbClusterIdentifier="arn:aws:rds:us-west-1:123456789012:cluster:ghost")
    assert err.value.response["Error"]["Code"] == "DBClusterNotFoundFault"


def test_call_counter(emulator):
    app = topology.create_topology(emulator)["apps"][0]
    http_json(emulator + "/_switchyard/reset-calls", "POST")
    west = client("rds", emulator, "us-west-1")
    west.describe_global_clusters()
    west.switchover_global_cluster(GlobalClusterIdentifier="hot-global",
                                   TargetDbClusterIdentifier=app["aurora"]["secondary"]["arn"])
    s3 = client("s3", emulator, "us-east-1")
    s3.put_public_access_block(Bucket="hot-primary-uibucket-example", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})
    cf = client("cloudfront", emulator, "us-east-1")
    dist = cf.get_distribution_config(Id=app["distribution"]["id"])
    cf.update_distribution(Id=app["distribution"]["id"], IfMatch=dist["ETag"],
                           DistributionConfig=dist["DistributionConfig"])
    rds = http_json(emulator + "/_switchyard/calls?service=rds&mutating=true")
    assert rds["counts"] == {"rds:SwitchoverGlobalCluster": 1}
    (call,) = rds["calls"]
    assert call["region"] == "us-west-1" and call["status"] == 200 and call["time"]
    every = http_json(emulator + "/_switchyard/calls")["counts"]
    assert every["rds:DescribeGlobalClusters"] == 1
    assert every["s3:PutPublicAccessBlock"] == 1
    assert every["cloudfront:UpdateDistribution"] == 1
    assert every["cloudfront:GetDistributionConfig"] == 1


# --------------------------------------------------------------------------- fault proxy

def add_fault(proxy: str, action: str, **spec) -> dict:
    return http_json(f"{proxy}/_fault/{action}", "POST", spec)["rules"][0]


def test_proxy_error_faults_per_region(emulator, proxy):
    topology.create_topology(proxy, parts="aurora")  # topology through the proxy works too
    east, west = client("rds", proxy, "us-east-1"), client("rds", proxy, "us-west-1")
    add_fault(proxy, "error", error="503", region="us-west-1", service="rds")
    with pytest.raises(ClientError) as err:
        west.describe_db_clusters()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert east.describe_db_clusters()["DBClusters"]  # other region unaffected
    http_json(proxy + "/_fault/clear", "POST", {"region": "us-west-1"})
    assert west.describe_db_clusters()["DBClusters"]

    add_fault(proxy, "error", error="throttling", service="rds", operation="DescribeGlobalClusters", count=2)
    for _ in range(2):
        with pytest.raises(ClientError) as err:
            west.describe_global_clusters()
        assert err.value.response["Error"]["Code"] == "Throttling"
        assert err.value.response["Error"]["Message"] == "Rate exceeded"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert west.describe_global_clusters()["GlobalClusters"]

    add_fault(proxy, "error", error="slowdown", service="s3", count=1)
    s3 = client("s3", proxy, "us-east-1")
    with pytest.raises(ClientError) as err:
        s3.list_buckets()
    assert err.value.response["Error"]["Code"] == "SlowDown"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    stats = http_json(proxy + "/_fault/stats")["faults"]
    assert stats["kind:error:503"] == 1 and stats["kind:error:throttling"] == 2
    assert stats["kind:error:slowdown"] == 1


def test_proxy_latency_drop_blackhole_and_clear(emulator, proxy):
    west = client("rds", proxy, "us-west-1", read_timeout=1)
    add_fault(proxy, "latency", latency_ms=400, region="us-west-1")
    t0 = time.monotonic()
    west.describe_db_clusters()
    assert time.monotonic() - t0 >= 0.4
    http_json(proxy + "/_fault/clear", "POST", {})

    add_fault(proxy, "drop", region="us-west-1", service="rds", count=1)
    with pytest.raises(ConnectionClosedError):
        west.describe_db_clusters()
    west.describe_db_clusters()  # count exhausted

    rule = add_fault(proxy, "blackhole", region="us-west-1", service="rds")
    t0 = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        west.describe_db_clusters()
    assert time.monotonic() - t0 >= 0.9
    client("rds", proxy, "us-east-1").describe_db_clusters()  # other region still answers
    req = urllib.request.Request(f"{proxy}/_fault/rules/{rule['id']}", method="DELETE")
    urllib.request.urlopen(req, timeout=5).read()
    west.describe_db_clusters()

    add_fault(proxy, "stall", stall_ms=300, service="rds", count=1)
    t0 = time.monotonic()
    with pytest.raises(ConnectionClosedError):
        client("rds", proxy, "us-east-1", read_timeout=5).describe_db_clusters()
    assert time.monotonic() - t0 >= 0.3
    stats = http_json(proxy + "/_fault/stats")["faults"]
    assert stats["kind:drop"] == 1 and stats["kind:blackhole"] == 1 and stats["kind:stall"] == 1


def test_proxy_after_fault_reaches_upstream_and_seeded_rate(emulator, proxy):
    app = topology.create_topology(emulator, parts="aurora")["apps"][0]["aurora"]
    http_json(emulator + "/_switchyard/reset-calls", "POST")
    add_fault(proxy, "drop", service="rds", operation="SwitchoverGlobalCluster", when="after", count=1)
    west = client("rds", proxy, "us-west-1")
    with pytest.raises(ConnectionClosedError):
        west.switchover_global_cluster(GlobalClusterIdentifier="hot-global",
                                       TargetDbClusterIdentifier=app["secondary"]["arn"])
    counts = http_json(emulator + "/_switchyard/calls?service=rds&mutating=true")["counts"]
    assert counts == {"rds:SwitchoverGlobalCluster": 1}  # the promotion was issued once
    assert global_cluster(emulator)["FailoverState"]["Status"] == "switching-over"

    def pattern() -> list[bool]:
        http_json(proxy + "/_fault/clear", "POST", {})
        add_fault(proxy, "error", error="500", service="rds", region="us-east-1", rate=0.5, seed=42)
        east = client("rds", proxy, "us-east-1")
        out = []
        for _ in range(12):
            try:
                east.describe_db_clusters()
                out.append(True)
            except ClientError as exc:
                assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 500
                out.append(False)
        return out

    first = pattern()
    assert first == pattern() and True in first and False in first


# --------------------------------------------------------------------------- lifecycle

def test_sigterm_and_parent_death_stop_servers(tmp_path):
    port_file = tmp_path / "port"
    proc, port = start_server([os.path.join(EMULATOR_DIR, "switchyard_emulator.py"),
                               "--port", "0", "--port-file", str(port_file)])
    try:
        assert int(port_file.read_text()) == port
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        stop_server(proc)
    # A parent that dies without cleaning up: the emulator must notice and exit.
    launcher = ("import subprocess,sys;"
                f"p=subprocess.Popen([sys.executable,{os.path.join(EMULATOR_DIR, 'switchyard_emulator.py')!r},"
                "'--port','0'],stdout=subprocess.PIPE,text=True);"
                "print(p.pid, p.stdout.readline().strip(), flush=True);"
                "import os; os._exit(0)")
    out = subprocess.run([PY, "-c", launcher], capture_output=True, text=True, timeout=START_TIMEOUT)
    pid = int(out.stdout.split()[0])
    assert "READY" in out.stdout
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("orphaned emulator did not exit")


# --------------------------------------------------------------------------- DocumentDB (engine docdb)

DOCDB_GLOBAL = "unishop-docdb-global"


def docdb_global(endpoint: str, region: str = "us-east-1", ident: str = DOCDB_GLOBAL) -> dict:
    """DescribeGlobalClusters through boto3's docdb client (the independent client)."""
    return client("docdb", endpoint, region).describe_global_clusters(
        GlobalClusterIdentifier=ident)["GlobalClusters"][0]


def calls(endpoint: str, query: str = "") -> dict:
    return http_json(f"{endpoint}/_switchyard/calls{'?' + query if query else ''}")


def test_documentdb_topology_and_describe(emulator):
    topo = topology.create_topology(emulator, parts="aurora", documentdb=True)
    app = topo["apps"][0]
    doc = app["documentdb"]
    assert doc["global_cluster_id"] == DOCDB_GLOBAL and doc["engine"] == "docdb"
    assert doc["global_cluster_arn"] == f"arn:aws:rds::123456789012:global-cluster:{DOCDB_GLOBAL}"
    assert doc["primary"] == {"id": "unishop-docdb-east", "region": "us-east-1",
                              "arn": "arn:aws:rds:us-east-1:123456789012:cluster:unishop-docdb-east"}
    assert doc["secondary"] == {"id": "unishop-docdb-west", "region": "us-west-1",
                                "arn": "arn:aws:rds:us-west-1:123456789012:cluster:unishop-docdb-west"}
    gc = docdb_global(emulator, "us-west-1")
    assert gc["Engine"] == "docdb" and gc["EngineVersion"] == "5.0.0" and gc["Status"] == "available"
    assert "FailoverState" not in gc
    members = gc["GlobalClusterMembers"]
    assert [m["DBClusterArn"] for m in members] == [doc["primary"]["arn"], doc["secondary"]["arn"]]
    assert writer_arn(gc) == doc["primary"]["arn"]
    assert members[0]["Readers"] == [doc["secondary"]["arn"]]
    assert all(m["SynchronizationStatus"] == "connected" for m in members)
    west = client("docdb", emulator, "us-west-1")
    (cluster,) = west.describe_db_clusters(Filters=[{"Name": "engine", "Values": ["docdb"]}])["DBClusters"]
    assert cluster["DBClusterIdentifier"] == "unishop-docdb-west" and cluster["Engine"] == "docdb"
    assert cluster["Port"] == 27017 and cluster["EngineVersion"] == "5.0.0"
    assert cluster["Status"] == "available" and cluster["DBClusterParameterGroup"] == "default.docdb5.0"
    assert "GlobalClusterIdentifier" not in cluster  # not a member of docdb's DBCluster shape
    # the rds client sees the same cluster, with the membership
    rds_view = client("rds", emulator, "us-west-1").describe_db_clusters(
        DBClusterIdentifier="unishop-docdb-west")["DBClusters"][0]
    assert rds_view["GlobalClusterIdentifier"] == DOCDB_GLOBAL
    # the Aurora global database is untouched; default off leaves the topology as it was
    assert global_cluster(emulator)["Engine"] == "aurora-mysql"
    assert writer_arn(global_cluster(emulator)) == app["aurora"]["primary"]["arn"]
    plain = topology.create_topology(emulator, prefix="plain", parts="aurora")["apps"][0]
    assert "documentdb" not in plain


def test_documentdb_topology_cli(emulator, tmp_path):
    out = tmp_path / "topo.json"
    run = subprocess.run([PY, os.path.join(EMULATOR_DIR, "topology.py"), "--endpoint", emulator,
                          "--prefix", "cli", "--parts", "aurora", "--documentdb", "--count", "2",
                          "--output", str(out)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    apps = json.loads(out.read_text())["apps"]
    assert [a["documentdb"]["global_cluster_id"] for a in apps] == [DOCDB_GLOBAL, "unishop2-docdb-global"]
    assert apps[1]["documentdb"]["secondary"]["id"] == "unishop2-docdb-west"
    assert writer_arn(docdb_global(emulator, ident="unishop2-docdb-global")) == \
        apps[1]["documentdb"]["primary"]["arn"]


def test_documentdb_switchover_in_progress_then_writer_changes(emulator):
    app = topology.create_topology(emulator, parts="aurora", documentdb=True)["apps"][0]
    doc = app["documentdb"]
    west = client("docdb", emulator, "us-west-1")
    started = time.monotonic()
    gc = west.switchover_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                        TargetDbClusterIdentifier=doc["secondary"]["arn"])["GlobalCluster"]
    assert gc["Status"] == "switching-over"
    assert gc["FailoverState"] == {"Status": "switching-over", "FromDbClusterArn": doc["primary"]["arn"],
                                   "ToDbClusterArn": doc["secondary"]["arn"], "IsDataLossAllowed": False}
    during = docdb_global(emulator)
    assert during["Status"] == "switching-over" and during["FailoverState"]["Status"] == "switching-over"
    assert writer_arn(during) == doc["primary"]["arn"]
    aurora = global_cluster(emulator)  # the other global cluster is not affected
    assert aurora["Status"] == "available" and "FailoverState" not in aurora
    with pytest.raises(ClientError) as err:
        west.switchover_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                       TargetDbClusterIdentifier=doc["secondary"]["arn"])
    assert err.value.response["Error"]["Code"] == "InvalidGlobalClusterStateFault"
    with pytest.raises(ClientError) as err:  # no detach while switching over
        west.remove_from_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                        DbClusterIdentifier=doc["secondary"]["arn"])
    assert err.value.response["Error"]["Code"] == "InvalidGlobalClusterStateFault"
    while time.monotonic() - started < 1.2:
        time.sleep(0.1)
    after = docdb_global(emulator, "us-west-1")
    assert after["Status"] == "available" and "FailoverState" not in after
    members = after["GlobalClusterMembers"]
    assert members[0]["DBClusterArn"] == doc["secondary"]["arn"] and members[0]["IsWriter"]
    assert members[0]["Readers"] == [doc["primary"]["arn"]]
    assert members[1]["DBClusterArn"] == doc["primary"]["arn"] and not members[1]["IsWriter"]
    with pytest.raises(ClientError) as err:  # already the writer
        west.switchover_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                       TargetDbClusterIdentifier=doc["secondary"]["arn"])
    assert err.value.response["Error"]["Code"] == "InvalidDBClusterStateFault"
    # and back to us-east-1, addressed by identifier from the target's region
    east = client("docdb", emulator, "us-east-1")
    east.switchover_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                   TargetDbClusterIdentifier="unishop-docdb-east")
    http_json(emulator + "/_switchyard/complete-failovers", "POST")
    assert writer_arn(docdb_global(emulator)) == doc["primary"]["arn"]


def test_documentdb_failover_allow_data_loss(emulator):
    doc = topology.create_topology(emulator, parts="aurora", documentdb=True)["apps"][0]["documentdb"]
    http_json(emulator + "/_switchyard/config", "POST", {"failover_seconds": 0.5})
    east = client("docdb", emulator, "us-east-1")
    gc = east.failover_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                      TargetDbClusterIdentifier=doc["secondary"]["arn"],
                                      AllowDataLoss=True)["GlobalCluster"]
    assert gc["Status"] == "failing-over"
    assert gc["FailoverState"] == {"Status": "failing-over", "FromDbClusterArn": doc["primary"]["arn"],
                                   "ToDbClusterArn": doc["secondary"]["arn"], "IsDataLossAllowed": True}
    assert writer_arn(docdb_global(emulator, "us-west-1")) == doc["primary"]["arn"]
    time.sleep(0.7)
    after = docdb_global(emulator)
    assert after["Status"] == "available" and "FailoverState" not in after
    assert writer_arn(after) == doc["secondary"]["arn"]
    with pytest.raises(ClientError) as err:
        east.failover_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                     TargetDbClusterIdentifier=doc["primary"]["arn"],
                                     AllowDataLoss=True, Switchover=True)
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    # FailoverGlobalCluster without AllowDataLoss is a switchover
    gc = east.failover_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL, Switchover=True,
                                      TargetDbClusterIdentifier=doc["primary"]["arn"])["GlobalCluster"]
    assert gc["Status"] == "switching-over" and gc["FailoverState"]["IsDataLossAllowed"] is False


def test_documentdb_remove_from_global_makes_standalone_writer(emulator):
    doc = topology.create_topology(emulator, parts="aurora", documentdb=True)["apps"][0]["documentdb"]
    west = client("docdb", emulator, "us-west-1")
    with pytest.raises(ClientError) as err:  # the writer can't leave while secondaries remain
        west.remove_from_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                        DbClusterIdentifier=doc["primary"]["arn"])
    assert err.value.response["Error"]["Code"] == "InvalidGlobalClusterStateFault"
    gc = west.remove_from_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                         DbClusterIdentifier=doc["secondary"]["arn"])["GlobalCluster"]
    assert [m["DBClusterArn"] for m in gc["GlobalClusterMembers"]] == [doc["primary"]["arn"]]
    cluster = west.describe_db_clusters(DBClusterIdentifier="unishop-docdb-west")["DBClusters"][0]
    assert cluster["Status"] == "available"
    rds_view = client("rds", emulator, "us-west-1").describe_db_clusters(
        DBClusterIdentifier="unishop-docdb-west")["DBClusters"][0]
    assert "GlobalClusterIdentifier" not in rds_view
    assert docdb_global(emulator)["GlobalClusterMembers"][0]["Readers"] == []
    with pytest.raises(ClientError) as err:  # no longer a member
        west.switchover_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                       TargetDbClusterIdentifier=doc["secondary"]["arn"])
    assert err.value.response["Error"]["Code"] == "InvalidDBClusterStateFault"


def test_documentdb_clusters_any_region_and_global_from_source(emulator):
    eu = client("docdb", emulator, "eu-west-1")
    standalone = eu.create_db_cluster(DBClusterIdentifier="docdb-eu", Engine="docdb", MasterUsername="admin",
                                      MasterUserPassword="docdb-password")["DBCluster"]
    assert standalone["Engine"] == "docdb" and standalone["Port"] == 27017
    assert standalone["DBClusterArn"] == "arn:aws:rds:eu-west-1:123456789012:cluster:docdb-eu"
    # CreateGlobalCluster from a source cluster in another region than us-east-1, Engine given too
    gc = eu.create_global_cluster(GlobalClusterIdentifier="docdb-from-source", Engine="docdb",
                                  SourceDBClusterIdentifier=standalone["DBClusterArn"])["GlobalCluster"]
    assert gc["Engine"] == "docdb" and gc["EngineVersion"] == "5.0.0"
    assert [(m["DBClusterArn"], m["IsWriter"]) for m in gc["GlobalClusterMembers"]] == \
        [(standalone["DBClusterArn"], True)]
    other = client("docdb", emulator, "ap-southeast-2").create_db_cluster(
        DBClusterIdentifier="docdb-ap", Engine="docdb", GlobalClusterIdentifier="docdb-from-source")["DBCluster"]
    assert writer_arn(docdb_global(emulator, ident="docdb-from-source")) == standalone["DBClusterArn"]
    eu.switchover_global_cluster(GlobalClusterIdentifier="docdb-from-source",
                                 TargetDbClusterIdentifier=other["DBClusterArn"])
    http_json(emulator + "/_switchyard/complete-failovers", "POST")
    assert writer_arn(docdb_global(emulator, ident="docdb-from-source")) == other["DBClusterArn"]
    # engine mismatches are refused; a source that is already a member too
    with pytest.raises(ClientError) as err:
        client("rds", emulator, "us-west-1").create_db_cluster(
            DBClusterIdentifier="aurora-in-docdb", Engine="aurora-mysql",
            GlobalClusterIdentifier="docdb-from-source")
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    with pytest.raises(ClientError) as err:
        eu.create_global_cluster(GlobalClusterIdentifier="again",
                                 SourceDBClusterIdentifier=standalone["DBClusterArn"])
    assert err.value.response["Error"]["Code"] == "InvalidDBClusterStateFault"
    lone = eu.create_db_cluster(DBClusterIdentifier="docdb-lone", Engine="docdb", MasterUsername="admin",
                                MasterUserPassword="docdb-password")["DBCluster"]
    with pytest.raises(ClientError) as err:
        eu.create_global_cluster(GlobalClusterIdentifier="mismatch", Engine="aurora-postgresql",
                                 SourceDBClusterIdentifier=lone["DBClusterArn"])
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"


def test_call_log_params_and_completion_entries(emulator):
    app = topology.create_topology(emulator, parts="aurora", documentdb=True)["apps"][0]
    doc, aurora = app["documentdb"], app["aurora"]
    http_json(emulator + "/_switchyard/reset-calls", "POST")
    docdb_west = client("docdb", emulator, "us-west-1")
    rds_west = client("rds", emulator, "us-west-1")
    docdb_west.switchover_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                         TargetDbClusterIdentifier=doc["secondary"]["arn"])
    rds_west.switchover_global_cluster(GlobalClusterIdentifier="hot-global",
                                       TargetDbClusterIdentifier=aurora["secondary"]["arn"])
    # while in progress: the promotions are recorded with their targets, no completion yet
    assert calls(emulator, "operation=GlobalClusterFailoverCompleted")["total"] == 0
    promotions = calls(emulator, "operation=SwitchoverGlobalCluster")["calls"]
    assert [c["params"] for c in promotions] == [
        {"GlobalClusterIdentifier": DOCDB_GLOBAL, "TargetDbClusterIdentifier": doc["secondary"]["arn"]},
        {"GlobalClusterIdentifier": "hot-global", "TargetDbClusterIdentifier": aurora["secondary"]["arn"]}]
    assert all(c["synthetic"] is False and c["mutating"] and c["region"] == "us-west-1" for c in promotions)
    time.sleep(1.3)
    done = calls(emulator, "operation=GlobalClusterFailoverCompleted")
    assert done["counts"] == {"rds:GlobalClusterFailoverCompleted": 2}
    by_global = {c["params"]["GlobalClusterIdentifier"]: c for c in done["calls"]}
    assert set(by_global) == {DOCDB_GLOBAL, "hot-global"}
    entry = by_global[DOCDB_GLOBAL]
    assert entry["service"] == "rds" and entry["region"] == "us-west-1" and entry["status"] == 200
    assert entry["synthetic"] is True and entry["mutating"] is False and entry["time"]
    assert entry["params"]["TargetDbClusterIdentifier"] == doc["secondary"]["arn"]
    completion = entry["completion"]
    assert completion["Engine"] == "docdb" and completion["Operation"] == "SwitchoverGlobalCluster"
    assert completion["FromDbClusterArn"] == doc["primary"]["arn"]
    assert completion["ToDbClusterArn"] == doc["secondary"]["arn"]
    assert completion["IsDataLossAllowed"] is False and completion["WriterFlipped"] is True
    assert completion["Forced"] is False and completion["Status"] == "switching-over"
    assert entry["epoch"] - promotions[0]["epoch"] >= 0.9  # finished failover_seconds after the call
    assert entry["epoch"] - completion["StartedEpoch"] >= 0.95
    assert by_global["hot-global"]["completion"]["Engine"] == "aurora-mysql"
    # existing queries are unaffected: mutating counts, and synthetic entries can be filtered out
    assert calls(emulator, "service=rds&mutating=true")["counts"] == {"rds:SwitchoverGlobalCluster": 2}
    assert "rds:GlobalClusterFailoverCompleted" not in calls(emulator, "synthetic=false")["counts"]
    assert calls(emulator, "synthetic=true")["total"] == 2
    assert calls(emulator, "region=us-west-1&service=rds")["counts"]["rds:GlobalClusterFailoverCompleted"] == 2

    # failover with data loss (docdb client), finished early through the control API; removal
    http_json(emulator + "/_switchyard/reset-calls", "POST")
    client("docdb", emulator, "us-east-1").failover_global_cluster(
        GlobalClusterIdentifier=DOCDB_GLOBAL, TargetDbClusterIdentifier=doc["primary"]["arn"],
        AllowDataLoss=True)
    http_json(emulator + "/_switchyard/complete-failovers", "POST")
    docdb_west.remove_from_global_cluster(GlobalClusterIdentifier=DOCDB_GLOBAL,
                                          DbClusterIdentifier=doc["secondary"]["arn"])
    log = calls(emulator, "service=rds")["calls"]
    assert [c["operation"] for c in log] == ["FailoverGlobalCluster", "GlobalClusterFailoverCompleted",
                                             "RemoveFromGlobalCluster"]
    failover, completed, removal = log
    assert failover["params"] == {"GlobalClusterIdentifier": DOCDB_GLOBAL, "AllowDataLoss": "true",
                                  "TargetDbClusterIdentifier": doc["primary"]["arn"]}
    assert completed["region"] == "us-east-1" and completed["completion"]["Forced"] is True
    assert completed["completion"]["Operation"] == "FailoverGlobalCluster"
    assert completed["completion"]["Status"] == "failing-over"
    assert completed["completion"]["IsDataLossAllowed"] is True
    assert removal["params"] == {"GlobalClusterIdentifier": DOCDB_GLOBAL,
                                 "DbClusterIdentifier": doc["secondary"]["arn"]}
    docdb_west.describe_global_clusters(GlobalClusterIdentifier=DOCDB_GLOBAL)
    (read,) = calls(emulator, "operation=DescribeGlobalClusters")["calls"]
    assert "params" not in read and read["synthetic"] is False  # params only on mutating RDS calls


def test_no_completion_entry_after_moto_reset(emulator):
    doc = topology.create_topology(emulator, parts="aurora", documentdb=True)["apps"][0]["documentdb"]
    client("docdb", emulator, "us-west-1").switchover_global_cluster(
        GlobalClusterIdentifier=DOCDB_GLOBAL, TargetDbClusterIdentifier=doc["secondary"]["arn"])
    http_json(emulator + "/moto-api/reset", "POST")
    http_json(emulator + "/_switchyard/reset-calls", "POST")
    time.sleep(1.2)  # the stale timer fires: the reset global cluster is gone, nothing is recorded
    client("rds", emulator, "us-east-1").describe_global_clusters()
    assert calls(emulator, "operation=GlobalClusterFailoverCompleted")["total"] == 0
