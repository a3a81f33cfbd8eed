"""Tests of the emulated CloudFront edge (emulator/edge.py): what users see through the
distribution's deployed configuration, origin-group failover per request, S3 website and
Block Public Access semantics, the cloudfront_seconds deployment delay with its synthetic
DistributionDeployed entry, the edge log, and edge_probe.py.

Run: python3 -m pytest -q emulator/tests
The module starts its own emulator (--cloudfront-seconds 0, the default, which tests raise).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from test_emulator import EMULATOR_DIR, PY, client, http_json, post_before, start_emulator, topology  # noqa: E402

EAST, WEST = "us-east-1", "us-west-1"
PRIMARY_BUCKET, SECONDARY_BUCKET = "hot-primary-uibucket-example", "hot-secondary-uibucket-example"
PRIMARY_ORIGIN, SECONDARY_ORIGIN = "hot-primary-origin", "hot-secondary-origin"
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def emu(request) -> str:
    return start_emulator(request, "--failover-seconds", "1", "--cloudfront-seconds", "0")


@pytest.fixture(autouse=True)
def fresh(request) -> None:
    post_before(request, "emu", ("/moto-api/reset", None), ("/_switchyard/reset-calls", None),
                ("/_switchyard/edge/reset", None), ("/_switchyard/config", {"cloudfront_seconds": 0}))


# --------------------------------------------------------------------------- helpers

def get(url: str, host: str | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    """(status, headers, body) of a plain HTTP request, 4xx/5xx included."""
    request = urllib.request.Request(url, method=method)
    if host:
        request.add_header("Host", host)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def lab(emu: str) -> dict:
    return topology.create_topology(emu, parts="web")["apps"][0]


def edge_url(emu: str, app: dict, path: str = "/") -> str:
    return f"{emu}/_edge/{app['distribution']['id']}{path}"


def edge_log(emu: str, query: str = "") -> dict:
    return http_json(f"{emu}/_switchyard/edge/log" + (f"?{query}" if query else ""))


def calls(emu: str, query: str = "") -> dict:
    return http_json(f"{emu}/_switchyard/calls" + (f"?{query}" if query else ""))


def s3control(emu: str, region: str = EAST):
    """boto3's S3 Control client against the emulator: botocore's endpoint rules put the account
    id in the host ({AccountId}.127.0.0.1, which cannot resolve) whatever inject_host_prefix
    says, so the prefix is taken off the URL before sending."""
    control = client("s3control", emu, region)

    def strip_account_host(request, **_):
        request.url = re.sub(r"^(https?://)\d{12}\.", r"\1", request.url)

    control.meta.events.register("before-send.s3-control", strip_account_host)
    return control


def set_member_order(emu: str, app: dict, members: list[str], codes: list[int] | None = None) -> dict:
    """UpdateDistribution with the origin group's members (and criteria) replaced; the answer."""
    cf = client("cloudfront", emu, EAST)
    current = cf.get_distribution_config(Id=app["distribution"]["id"])
    config = current["DistributionConfig"]
    group = config["OriginGroups"]["Items"][0]
    group["Members"] = {"Quantity": len(members), "Items": [{"OriginId": m} for m in members]}
    if codes is not None:
        group["FailoverCriteria"]["StatusCodes"] = {"Quantity": len(codes), "Items": codes}
    return cf.update_distribution(Id=app["distribution"]["id"], IfMatch=current["ETag"], DistributionConfig=config)


# --------------------------------------------------------------------------- serving

def test_healthy_lab_serves_index_from_us_east_1(emu):
    app = lab(emu)
    dist = app["distribution"]
    config = client("cloudfront", emu, EAST).get_distribution_config(Id=dist["id"])["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "hot-standby-origin-group"  # as on CloudFront
    status, headers, body = get(edge_url(emu, app))
    assert status == 200 and b"Unishop (us-east-1)" in body
    assert headers["X-Switchyard-Origin"] == PRIMARY_ORIGIN and headers["X-Switchyard-Region"] == EAST
    assert headers["X-Switchyard-Distribution"] == dist["id"]
    assert headers["X-Switchyard-Attempts"] == f"{PRIMARY_ORIGIN}=200"
    assert headers["Content-Type"] == "text/html" and headers["X-Cache"] == "Miss from cloudfront"
    # the same through the distribution's domain name: in the path, or as the Host header
    assert get(f"{emu}/_edge/{dist['domain_name']}/index.html")[0] == 200
    status, headers, body = get(f"{emu}/index.html", host=dist["domain_name"])
    assert status == 200 and headers["X-Switchyard-Region"] == EAST and b"us-east-1" in body
    # HEAD answers the headers only; other methods are refused as by a GET/HEAD distribution
    status, headers, body = get(edge_url(emu, app), method="HEAD")
    assert status == 200 and body == b"" and headers["X-Switchyard-Region"] == EAST
    assert get(edge_url(emu, app), method="POST")[0] == 403
    # every bucket is public-read through its policy (the lab's), and the website serves the index
    policy = json.loads(client("s3", emu, WEST).get_bucket_policy(Bucket=SECONDARY_BUCKET)["Policy"])
    assert policy["Statement"][0]["Principal"] == "*" and policy["Statement"][0]["Action"] == "s3:GetObject"
    # an unknown distribution: 404 from the edge itself, no origin
    status, headers, _ = get(f"{emu}/_edge/ENOSUCHDIST/")
    assert status == 404 and headers["X-Switchyard-Error"] == "NoSuchDistribution"
    assert "X-Switchyard-Origin" not in headers


def test_primary_blocked_is_served_from_us_west_1_by_origin_group_failover(emu):
    app = lab(emu)
    client("s3", emu, EAST).put_public_access_block(Bucket=PRIMARY_BUCKET, PublicAccessBlockConfiguration=BLOCK_ALL)
    status, headers, body = get(edge_url(emu, app))
    assert status == 200 and b"Unishop (us-west-1)" in body
    assert headers["X-Switchyard-Origin"] == SECONDARY_ORIGIN and headers["X-Switchyard-Region"] == WEST
    assert headers["X-Switchyard-Attempts"] == f"{PRIMARY_ORIGIN}=403,{SECONDARY_ORIGIN}=200"
    (entry,) = edge_log(emu)["requests"]
    assert entry["failed_over"] is True and entry["region"] == WEST and entry["status"] == 200
    assert [(a["origin"], a["status"], a["region"], a["code"]) for a in entry["attempts"]] == [
        (PRIMARY_ORIGIN, 403, EAST, "AccessDenied"), (SECONDARY_ORIGIN, 200, WEST, None)]
    # RestrictPublicBuckets alone (or BlockPublicPolicy alone) blocks too; clearing it serves us-east-1 again
    s3 = client("s3", emu, EAST)
    for flags in ({"RestrictPublicBuckets": True}, {"BlockPublicPolicy": True}):
        s3.put_public_access_block(Bucket=PRIMARY_BUCKET, PublicAccessBlockConfiguration=dict(
            {k: False for k in BLOCK_ALL}, **flags))
        assert get(edge_url(emu, app))[1]["X-Switchyard-Region"] == WEST, flags
    s3.put_public_access_block(Bucket=PRIMARY_BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})  # the ACL flags do not affect a policy-served website
    assert get(edge_url(emu, app))[1]["X-Switchyard-Region"] == EAST
    s3.delete_public_access_block(Bucket=PRIMARY_BUCKET)
    assert get(edge_url(emu, app))[1]["X-Switchyard-Region"] == EAST


def test_s3_website_answers_of_the_primary(emu):
    """Each way the primary can fail as an S3 website, and what the origin group makes of it."""
    app = lab(emu)
    s3 = client("s3", emu, EAST)

    def attempts() -> list[tuple[str, int, str | None]]:
        get(edge_url(emu, app))
        entry = edge_log(emu, "limit=1")["requests"][-1]
        return [(a["origin"], a["status"], a["code"]) for a in entry["attempts"]]

    s3.delete_bucket_policy(Bucket=PRIMARY_BUCKET)  # no public read
    assert attempts()[0] == (PRIMARY_ORIGIN, 403, "AccessDenied")
    s3.put_bucket_policy(Bucket=PRIMARY_BUCKET, Policy=json.dumps(topology.public_read_policy(PRIMARY_BUCKET)))
    assert attempts() == [(PRIMARY_ORIGIN, 200, None)]
    # a policy that grants another key only, or denies everyone, is no public read of the index
    other = topology.public_read_policy(PRIMARY_BUCKET)
    other["Statement"][0]["Resource"] = f"arn:aws:s3:::{PRIMARY_BUCKET}/assets/*"
    s3.put_bucket_policy(Bucket=PRIMARY_BUCKET, Policy=json.dumps(other))
    assert attempts()[0][1] == 403
    deny = topology.public_read_policy(PRIMARY_BUCKET)
    deny["Statement"].append(dict(deny["Statement"][0], Sid="Deny", Effect="Deny"))
    s3.put_bucket_policy(Bucket=PRIMARY_BUCKET, Policy=json.dumps(deny))
    assert attempts()[0][1] == 403
    s3.put_bucket_policy(Bucket=PRIMARY_BUCKET, Policy=json.dumps(topology.public_read_policy(PRIMARY_BUCKET)))
    # the index document is missing: the website's error document comes back with 404
    s3.delete_object(Bucket=PRIMARY_BUCKET, Key="index.html")
    assert attempts() == [(PRIMARY_ORIGIN, 404, "NoSuchKey"), (SECONDARY_ORIGIN, 200, None)]
    s3.put_object(Bucket=PRIMARY_BUCKET, Key="index.html", Body=b"<h1>Unishop (us-east-1)</h1>")
    status, headers, body = get(edge_url(emu, app, "/nothing-here.html"))
    assert status == 404 and headers["X-Switchyard-Region"] == WEST  # both members 404: the last answer
    # no website configuration, then no bucket at all
    s3.delete_bucket_website(Bucket=PRIMARY_BUCKET)
    assert attempts()[0] == (PRIMARY_ORIGIN, 404, "NoSuchWebsiteConfiguration")
    s3.delete_object(Bucket=PRIMARY_BUCKET, Key="index.html")
    s3.delete_bucket(Bucket=PRIMARY_BUCKET)
    assert attempts() == [(PRIMARY_ORIGIN, 404, "NoSuchBucket"), (SECONDARY_ORIGIN, 200, None)]
    status, headers, body = get(edge_url(emu, app))
    assert status == 200 and b"us-west-1" in body


def test_criteria_without_403_let_the_403_through(emu):
    app = lab(emu)
    set_member_order(emu, app, [PRIMARY_ORIGIN, SECONDARY_ORIGIN], codes=[500, 502, 503, 504, 404])
    client("s3", emu, EAST).put_public_access_block(Bucket=PRIMARY_BUCKET, PublicAccessBlockConfiguration=BLOCK_ALL)
    status, headers, body = get(edge_url(emu, app))
    assert status == 403 and b"AccessDenied" in body
    assert headers["X-Switchyard-Origin"] == PRIMARY_ORIGIN and headers["X-Switchyard-Region"] == EAST
    assert headers["X-Switchyard-Attempts"] == f"{PRIMARY_ORIGIN}=403"
    assert headers["X-Cache"] == "Error from cloudfront"
    (entry,) = edge_log(emu)["requests"]
    assert entry["failed_over"] is False and entry["status"] == 403 and len(entry["attempts"]) == 1


def test_account_level_block_public_access_is_403_everywhere(emu):
    app = lab(emu)
    control = s3control(emu, WEST)
    control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True})
    # one setting for the whole account, whichever region reads it
    assert s3control(emu, EAST).get_public_access_block(AccountId=ACCOUNT)[
        "PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    status, headers, _ = get(edge_url(emu, app))
    assert status == 403 and headers["X-Switchyard-Attempts"] == f"{PRIMARY_ORIGIN}=403,{SECONDARY_ORIGIN}=403"
    assert headers["X-Switchyard-Region"] == WEST  # the last member's answer
    # the account's BlockPublicPolicy alone does not stop an existing public policy
    control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False})
    assert get(edge_url(emu, app))[0] == 200
    control.delete_public_access_block(AccountId=ACCOUNT)
    status, headers, _ = get(edge_url(emu, app))
    assert status == 200 and headers["X-Switchyard-Region"] == EAST
    with pytest.raises(ClientError) as missing:
        control.get_public_access_block(AccountId=ACCOUNT)
    assert missing.value.response["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration"
    # the call log names S3 Control's operations under service s3control (they sign as s3)
    logged = calls(emu, "service=s3control")["counts"]
    assert logged == {"s3control:DeletePublicAccessBlock": 1, "s3control:GetPublicAccessBlock": 2,
                      "s3control:PutPublicAccessBlock": 2}


# --------------------------------------------------------------------------- deployments

def test_default_keeps_moto_status_and_deploys_at_once(emu):
    app = lab(emu)
    dist_id = app["distribution"]["id"]
    cf = client("cloudfront", emu, EAST)
    assert cf.get_distribution(Id=dist_id)["Distribution"]["Status"] == "Deployed"  # moto: after one read
    created = calls(emu, f"operation=DistributionDeployed")["calls"]
    assert [c["params"] for c in created] == [{"Id": dist_id}]
    assert created[0]["deployment"]["Trigger"] == "CreateDistribution"
    answer = set_member_order(emu, app, [SECONDARY_ORIGIN, PRIMARY_ORIGIN])
    assert answer["Distribution"]["Status"] == "Deployed"  # as moto answered before the edge existed
    assert get(edge_url(emu, app))[1]["X-Switchyard-Region"] == WEST  # deployed at once
    assert calls(emu, "operation=DistributionDeployed")["total"] == 2
    assert "cloudfront:DistributionDeployed" not in calls(emu, "mutating=true")["counts"]


def test_order_swapped_with_delay_serves_us_east_1_until_deployed(emu):
    app = lab(emu)
    dist_id = app["distribution"]["id"]
    cf = client("cloudfront", emu, EAST)
    http_json(emu + "/_switchyard/config", "POST", {"cloudfront_seconds": 1})
    http_json(emu + "/_switchyard/reset-calls", "POST")
    stop = threading.Event()

    def poll() -> None:  # what users see, every 20 ms, across the deployment
        while not stop.is_set():
            get(edge_url(emu, app))
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    time.sleep(0.1)
    answer = set_member_order(emu, app, [SECONDARY_ORIGIN, PRIMARY_ORIGIN])
    assert answer["Distribution"]["Status"] == "InProgress"
    assert cf.get_distribution(Id=dist_id)["Distribution"]["Status"] == "InProgress"
    assert cf.list_distributions()["DistributionList"]["Items"][0]["Status"] == "InProgress"
    members = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]["OriginGroups"]["Items"][0]["Members"]
    assert [m["OriginId"] for m in members["Items"]] == [SECONDARY_ORIGIN, PRIMARY_ORIGIN]  # the API shows it...
    assert get(edge_url(emu, app))[1]["X-Switchyard-Region"] == EAST  # ...users do not, yet
    state = http_json(emu + "/_switchyard/edge/distributions")["distributions"][0]
    assert state["Status"] == "InProgress" and 0 < state["SecondsLeft"] <= 1
    assert state["Pending"]["OriginGroups"][0]["Members"] == [SECONDARY_ORIGIN, PRIMARY_ORIGIN]
    assert state["Deployed"]["OriginGroups"][0]["Members"] == [PRIMARY_ORIGIN, SECONDARY_ORIGIN]
    assert calls(emu, "operation=DistributionDeployed")["total"] == 0
    deadline = time.monotonic() + 5
    while cf.get_distribution(Id=dist_id)["Distribution"]["Status"] != "Deployed":
        assert time.monotonic() < deadline, "never Deployed"
        time.sleep(0.05)
    time.sleep(0.2)
    stop.set()
    poller.join(5)
    status, headers, body = get(edge_url(emu, app))
    assert status == 200 and headers["X-Switchyard-Region"] == WEST and b"us-west-1" in body
    # the synthetic entry marks the moment, cloudfront_seconds after the update
    (update,) = calls(emu, "operation=UpdateDistribution")["calls"]
    (deployed,) = calls(emu, "operation=DistributionDeployed")["calls"]
    assert deployed["synthetic"] is True and deployed["mutating"] is False and deployed["status"] == 200
    assert deployed["service"] == "cloudfront" and deployed["region"] == EAST
    assert deployed["params"] == {"Id": dist_id}
    info = deployed["deployment"]
    assert info["Trigger"] == "UpdateDistribution" and info["Changes"] == 1 and info["Forced"] is False
    assert info["OriginGroups"][0]["Members"] == [SECONDARY_ORIGIN, PRIMARY_ORIGIN]
    assert info["DefaultTarget"] == "hot-standby-origin-group"
    assert 0.95 <= deployed["epoch"] - update["epoch"] and 0.95 <= info["DurationSeconds"] < 2
    # users saw us-east-1 until that moment and us-west-1 after it
    log = edge_log(emu)
    before = [e for e in log["requests"] if e["epoch"] < deployed["epoch"] - 0.01]
    after = [e for e in log["requests"] if e["epoch"] > deployed["epoch"] + 0.01]
    assert before and after
    assert {e["region"] for e in before} == {EAST} and {e["region"] for e in after} == {WEST}
    first_west = log["regions"][WEST]["first_epoch"]
    assert first_west >= update["epoch"] + 0.95
    assert edge_log(emu, f"region={EAST}&since={first_west}")["total"] == 0


def test_created_with_delay_is_not_served_until_deployed_and_can_be_forced(emu):
    http_json(emu + "/_switchyard/config", "POST", {"cloudfront_seconds": 30})
    app = lab(emu)
    dist_id = app["distribution"]["id"]
    cf = client("cloudfront", emu, EAST)
    assert cf.get_distribution(Id=dist_id)["Distribution"]["Status"] == "InProgress"
    status, headers, _ = get(edge_url(emu, app))
    assert status == 503 and headers["X-Switchyard-Error"] == "NotDeployed"
    # a second change while deploying: one deployment covers both
    set_member_order(emu, app, [SECONDARY_ORIGIN, PRIMARY_ORIGIN])
    assert http_json(emu + "/_switchyard/edge/complete-deployments", "POST", {}) == {"completed": 1}
    assert cf.get_distribution(Id=dist_id)["Distribution"]["Status"] == "Deployed"
    (deployed,) = calls(emu, "operation=DistributionDeployed")["calls"]
    assert deployed["deployment"]["Forced"] is True and deployed["deployment"]["Changes"] == 2
    assert get(edge_url(emu, app))[1]["X-Switchyard-Region"] == WEST
    assert http_json(emu + "/_switchyard/edge/complete-deployments", "POST", {}) == {"completed": 0}
    # config validation
    with pytest.raises(urllib.error.HTTPError) as refused:
        http_json(emu + "/_switchyard/config", "POST", {"cloudfront_seconds": -1})
    assert refused.value.code == 400
    assert http_json(emu + "/_switchyard/config")["cloudfront_seconds"] == 30


def test_no_deployment_entry_after_moto_reset(emu):
    http_json(emu + "/_switchyard/config", "POST", {"cloudfront_seconds": 0.5})
    lab(emu)
    http_json(emu + "/moto-api/reset", "POST")
    http_json(emu + "/_switchyard/reset-calls", "POST")
    time.sleep(0.8)  # the stale timer fires: the distribution is gone, nothing is recorded
    assert calls(emu, "operation=DistributionDeployed")["total"] == 0
    assert http_json(emu + "/_switchyard/edge/distributions")["distributions"] == []


# --------------------------------------------------------------------------- edge log, probe

def test_edge_log_content_and_filters(emu):
    app = lab(emu)
    dist = app["distribution"]
    t0 = time.time()
    get(edge_url(emu, app))
    get(edge_url(emu, app, "/index.html"))
    client("s3", emu, EAST).put_public_access_block(Bucket=PRIMARY_BUCKET, PublicAccessBlockConfiguration=BLOCK_ALL)
    t1 = time.time()
    get(edge_url(emu, app))
    get(f"{emu}/_edge/NOPE/x")
    log = edge_log(emu)
    assert log["total"] == 4 and [e["seq"] for e in log["requests"]] == sorted(e["seq"] for e in log["requests"])
    first = log["requests"][0]
    assert first["distribution"] == dist["id"] and first["domain"] == dist["domain_name"]
    assert first["method"] == "GET" and first["path"] == "/" and first["status"] == 200
    assert first["origin"] == PRIMARY_ORIGIN and first["region"] == EAST and first["bucket"] == PRIMARY_BUCKET
    assert first["target"] == "hot-standby-origin-group" and first["epoch"] >= t0 and first["time"]
    assert log["requests"][1]["path"] == "/index.html"
    missing = log["requests"][3]
    assert missing["status"] == 404 and missing["error"] == "NoSuchDistribution" and missing["origin"] is None
    assert log["statuses"] == {"200": 3, "404": 1}
    assert log["regions"][EAST]["count"] == 2 and log["regions"][WEST]["count"] == 1
    assert log["regions"][WEST]["first_ok_epoch"] >= t1
    assert edge_log(emu, f"region={WEST}")["total"] == 1
    assert edge_log(emu, f"distribution={dist['id']}")["total"] == 3
    assert edge_log(emu, f"distribution={dist['domain_name']}")["total"] == 3
    assert edge_log(emu, f"since={t1}")["total"] == 2 and edge_log(emu, f"until={t1}")["total"] == 2
    assert edge_log(emu, "status=404")["total"] == 1 and edge_log(emu, f"origin={SECONDARY_ORIGIN}")["total"] == 1
    limited = edge_log(emu, "limit=1")
    assert limited["total"] == 4 and [e["seq"] for e in limited["requests"]] == [log["requests"][-1]["seq"]]
    # edge requests are not AWS calls: the call log does not grow
    recorded = calls(emu)["total"]
    get(edge_url(emu, app))
    assert calls(emu)["total"] == recorded
    assert edge_log(emu)["total"] == 5
    assert http_json(emu + "/_switchyard/edge/reset", "POST") == {"reset": True}
    assert edge_log(emu)["total"] == 0
    with pytest.raises(urllib.error.HTTPError) as bad:
        edge_log(emu, "since=yesterday")
    assert bad.value.code == 400


def test_edge_probe_finds_the_first_responses_from_us_west_1(emu):
    app = lab(emu)
    url = edge_url(emu, app)
    probe = subprocess.Popen([PY, os.path.join(EMULATOR_DIR, "edge_probe.py"), url, "--interval", "0.05",
                              "--duration", "8", "--region", WEST, "--consecutive", "3"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    blocked_at = time.time()
    client("s3", emu, EAST).put_public_access_block(Bucket=PRIMARY_BUCKET, PublicAccessBlockConfiguration=BLOCK_ALL)
    out, err = probe.communicate(timeout=20)
    assert probe.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    probes, summary = lines[:-1], lines[-1]
    assert summary["summary"] is True and summary["reached"] is True and summary["probes"] == len(probes)
    assert probes[0]["status"] == 200 and probes[0]["region"] == EAST and probes[0]["origin"] == PRIMARY_ORIGIN
    assert [p["region"] for p in probes[-3:]] == [WEST] * 3
    assert summary["first_region_t"] == summary["first_consecutive_t"] == probes[-3]["t"]
    assert summary["first_region_t"] >= blocked_at - 0.5  # a probe sent just before may be answered after
    assert summary["regions"][EAST] >= 3 and summary["statuses"] == {"200": len(probes)}
    assert all(set(p) == {"t", "elapsed", "status", "region", "origin", "error"} for p in probes)
    # not reached within the duration: exit 1, summary says so
    done = subprocess.run([PY, os.path.join(EMULATOR_DIR, "edge_probe.py"), f"{emu}/_edge/NOPE/", "--interval",
                           "0.05", "--duration", "0.2", "--region", EAST, "--summary-only"],
                          capture_output=True, text=True, timeout=20)
    assert done.returncode == 1
    (only,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert only["reached"] is False and only["first_region_t"] is None and "404" in only["statuses"]
