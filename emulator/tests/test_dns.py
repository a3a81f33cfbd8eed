"""Tests of the emulator's DNS traffic kinds: the ARC routing controls data plane
(route53-recovery-cluster endpoints under /_arc/<cluster>/<region>/v1, the /_switchyard/arc control
API, safety rules, endpoint outages, signature scope checks, call log) and the Route 53 extensions
(ChangeResourceRecordSets params in the call log, dns_seconds, atomic batches keyed by SetIdentifier,
record-identifier pagination), plus topology.py --dns and inspect_state.py's DNS output.

Run: python3 -m pytest -q emulator/tests
The module starts its own emulator (with --dns-seconds 0.5, which the tests set back to 0).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, ReadTimeoutError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from test_emulator import EMULATOR_DIR, PY, client, http_json, post_before, start_emulator  # noqa: E402

import topology  # noqa: E402  (test_emulator put the emulator directory on sys.path)

SERVICE = "route53-recovery-cluster"
REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
ZONE = "unishop.example."


class Emu(str):
    """The emulator's URL, plus the health it answered at start-up."""
    startup_health: dict


@pytest.fixture(scope="module")
def emu(request) -> Emu:
    url = Emu(start_emulator(request, "--dns-seconds", "0.5"))
    url.startup_health = http_json(url + "/_switchyard/health")
    return url


@pytest.fixture(autouse=True)
def fresh(request) -> None:
    post_before(request, "emu", ("/moto-api/reset", None),  # also forgets ARC clusters and Route 53 changes
                ("/_switchyard/reset-calls", None), ("/_switchyard/config", {"dns_seconds": 0}))


# --------------------------------------------------------------------------- helpers

def control(url: str, path: str, body=None):
    return http_json(f"{url}/_switchyard/{path}", "POST" if body is not None else "GET", body)


def control_error(url: str, path: str, body=None) -> tuple[int, dict]:
    try:
        control(url, path, body)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
    pytest.fail(f"/_switchyard/{path} {body!r} was accepted")


def calls(url: str, query: str = "") -> dict:
    return control(url, "calls" + (f"?{query}" if query else ""))


def make_cluster(url: str, name: str = "unishop-arc", regions=None, second_panel: bool = False) -> dict:
    panels = [{"name": "unishop-panel",
               "routing_controls": [{"name": "unishop-us-east-1", "state": "On"},
                                    {"name": "unishop-us-west-1", "state": "Off"}],
               "safety_rules": [{"name": "unishop-at-least-one-on", "type": "ATLEAST", "threshold": 1,
                                 "asserted_controls": ["unishop-us-east-1", "unishop-us-west-1"]}]}]
    if second_panel:
        panels.append({"name": "other-panel", "routing_controls": [{"name": "other-a", "state": "Off"},
                                                                   {"name": "other-b", "state": "Off"},
                                                                   {"name": "other-c"}]})
    return control(url, "arc/clusters", {"name": name, "regions": regions or REGIONS,
                                         "control_panels": panels})["cluster"]


def arns(cluster: dict) -> dict[str, str]:
    return {c["name"]: c["arn"] for c in cluster["routing_controls"]}


def states(url: str, cluster: str = "unishop-arc") -> dict[str, str]:
    """The state read through the control API (independent of the data plane)."""
    (state,) = control(url, f"arc?cluster={cluster}")["clusters"]
    return {c["name"]: c["state"] for c in state["routing_controls"]}


def arc_client(endpoint: dict, region: str | None = None, read_timeout: float = 5):
    return boto3.client(SERVICE, endpoint_url=endpoint["url"], region_name=region or endpoint["region"],
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"total_max_attempts": 1}, connect_timeout=3,
                                      read_timeout=read_timeout))


def arc_error(call) -> tuple[int, dict]:
    with pytest.raises(ClientError) as err:
        call()
    response = err.value.response
    assert response["ResponseMetadata"]["RequestId"]  # x-amzn-RequestId
    return response["ResponseMetadata"]["HTTPStatusCode"], response


def rule_arn(cluster: dict, name: str = "unishop-at-least-one-on") -> str:
    return next(r["arn"] for r in cluster["safety_rules"] if r["name"] == name)


# --------------------------------------------------------------------------- ARC data plane

def test_every_call_through_three_endpoints_sharing_one_state(emu):
    cluster = make_cluster(emu, second_panel=True)
    assert [e["region"] for e in cluster["endpoints"]] == REGIONS
    assert [e["url"] for e in cluster["endpoints"]] == [f"{emu}/_arc/unishop-arc/{r}/v1" for r in REGIONS]
    east, west2, eu = (arc_client(e) for e in cluster["endpoints"])
    controls = arns(cluster)
    primary = controls["unishop-us-east-1"]
    assert primary.startswith("arn:aws:route53-recovery-control::123456789012:controlpanel/")
    assert "/routingcontrol/" in primary

    got = eu.get_routing_control_state(RoutingControlArn=primary)
    assert (got["RoutingControlArn"], got["RoutingControlState"], got["RoutingControlName"]) == (
        primary, "On", "unishop-us-east-1")

    west2.update_routing_control_state(RoutingControlArn=controls["unishop-us-west-1"], RoutingControlState="On")
    east.update_routing_control_states(UpdateRoutingControlStateEntries=[
        {"RoutingControlArn": controls["other-a"], "RoutingControlState": "On"},
        {"RoutingControlArn": controls["other-b"], "RoutingControlState": "On"}])
    for c in (east, west2, eu):  # one state behind the three endpoints
        assert c.get_routing_control_state(RoutingControlArn=controls["unishop-us-west-1"])["RoutingControlState"] == "On"
        assert c.get_routing_control_state(RoutingControlArn=controls["other-b"])["RoutingControlState"] == "On"
    assert states(emu) == {"unishop-us-east-1": "On", "unishop-us-west-1": "On", "other-a": "On", "other-b": "On",
                           "other-c": "Off"}

    listed = west2.list_routing_controls()["RoutingControls"]
    assert [c["RoutingControlName"] for c in listed] == list(controls)
    first = listed[0]
    assert first == {"ControlPanelArn": cluster["control_panels"][0]["arn"], "ControlPanelName": "unishop-panel",
                     "RoutingControlArn": primary, "RoutingControlName": "unishop-us-east-1",
                     "RoutingControlState": "On", "Owner": "123456789012"}
    # pagination: MaxResults 1 walks every control once; the paginator too; ControlPanelArn filters
    page = eu.list_routing_controls(MaxResults=2)
    assert len(page["RoutingControls"]) == 2 and page["NextToken"]
    paged = [c["RoutingControlName"] for p in eu.get_paginator("list_routing_controls").paginate(
        PaginationConfig={"PageSize": 1}) for c in p["RoutingControls"]]
    assert paged == list(controls)
    other = cluster["control_panels"][1]["arn"]
    filtered = east.list_routing_controls(ControlPanelArn=other, MaxResults=2)
    assert [c["RoutingControlName"] for c in filtered["RoutingControls"]] == ["other-a", "other-b"]
    rest = east.list_routing_controls(ControlPanelArn=other, MaxResults=2, NextToken=filtered["NextToken"])
    assert [c["RoutingControlName"] for c in rest["RoutingControls"]] == ["other-c"] and "NextToken" not in rest

    # errors as the model says: ResourceNotFoundException 404, ValidationException 400
    missing = primary[:-4] + "0000"
    status, response = arc_error(lambda: east.get_routing_control_state(RoutingControlArn=missing))
    assert status == 404 and response["Error"]["Code"] == "ResourceNotFoundException"
    assert response["resourceId"] == missing and response["resourceType"] == "RoutingControl"
    status, response = arc_error(lambda: east.list_routing_controls(ControlPanelArn=other + "0"))
    assert status == 404 and response["resourceType"] == "ControlPanel"
    status, response = arc_error(lambda: east.update_routing_control_state(RoutingControlArn=primary,
                                                                           RoutingControlState="Maybe"))
    assert status == 400 and response["Error"]["Code"] == "ValidationException"
    assert response["reason"] == "fieldValidationFailed"
    assert response["fields"] == [{"name": "routingControlState",
                                   "message": "Member must satisfy enum value set: [On, Off]"}]
    status, response = arc_error(lambda: east.get_routing_control_state(RoutingControlArn="arn with spaces"))
    assert status == 400 and response["fields"][0]["name"] == "routingControlArn"
    status, response = arc_error(lambda: east.list_routing_controls(NextToken="not-a-token"))
    assert status == 400 and response["Error"]["Code"] == "ValidationException"
    assert states(emu)["unishop-us-east-1"] == "On"


def test_update_routing_control_states_is_all_or_nothing(emu):
    cluster = make_cluster(emu, second_panel=True)
    c = arc_client(cluster["endpoints"][2])
    controls = arns(cluster)
    before = states(emu)
    status, response = arc_error(lambda: c.update_routing_control_states(UpdateRoutingControlStateEntries=[
        {"RoutingControlArn": controls["other-a"], "RoutingControlState": "On"},
        {"RoutingControlArn": controls["unishop-us-west-1"], "RoutingControlState": "On"},
        {"RoutingControlArn": controls["other-b"][:-4] + "ffff", "RoutingControlState": "On"}]))
    assert status == 404 and response["Error"]["Code"] == "ResourceNotFoundException"
    assert states(emu) == before  # the two known controls did not move
    status, response = arc_error(lambda: c.update_routing_control_states(UpdateRoutingControlStateEntries=[
        {"RoutingControlArn": controls["other-a"], "RoutingControlState": "On"},
        {"RoutingControlArn": controls["other-a"], "RoutingControlState": "Off"}]))
    assert status == 400 and response["Error"]["Code"] == "ValidationException"
    status, response = arc_error(lambda: c.update_routing_control_states(UpdateRoutingControlStateEntries=[]))
    assert status == 400 and states(emu) == before
    # the failover itself: both controls of the rule in one call (never both Off in between)
    c.update_routing_control_states(UpdateRoutingControlStateEntries=[
        {"RoutingControlArn": controls["unishop-us-east-1"], "RoutingControlState": "Off"},
        {"RoutingControlArn": controls["unishop-us-west-1"], "RoutingControlState": "On"}])
    assert states(emu) == {**before, "unishop-us-east-1": "Off", "unishop-us-west-1": "On"}


def test_safety_rule_refuses_with_409_and_changes_nothing(emu):
    cluster = make_cluster(emu, second_panel=True)
    c = arc_client(cluster["endpoints"][0])
    controls = arns(cluster)
    rule = rule_arn(cluster)
    before = states(emu)
    status, response = arc_error(lambda: c.update_routing_control_states(UpdateRoutingControlStateEntries=[
        {"RoutingControlArn": controls["other-a"], "RoutingControlState": "On"},
        {"RoutingControlArn": controls["unishop-us-east-1"], "RoutingControlState": "Off"}]))
    assert status == 409 and response["Error"]["Code"] == "ConflictException"
    assert "unishop-at-least-one-on" in response["Error"]["Message"]
    assert response["resourceId"] == rule and response["resourceType"] == "SafetyRule"
    assert states(emu) == before  # not even other-a, which no rule covers
    status, response = arc_error(lambda: c.update_routing_control_state(
        RoutingControlArn=controls["unishop-us-east-1"], RoutingControlState="Off"))
    assert status == 409 and "unishop-at-least-one-on" in response["Error"]["Message"]
    assert states(emu) == before
    # a rule that the change does not touch is not evaluated; an overridden rule is skipped
    c.update_routing_control_state(RoutingControlArn=controls["other-c"], RoutingControlState="On")
    c.update_routing_control_state(RoutingControlArn=controls["unishop-us-east-1"], RoutingControlState="Off",
                                   SafetyRulesToOverride=[rule])
    assert states(emu)["unishop-us-east-1"] == "Off" and states(emu)["unishop-us-west-1"] == "Off"
    # turning one back On satisfies the rule again
    c.update_routing_control_state(RoutingControlArn=controls["unishop-us-west-1"], RoutingControlState="On")
    assert states(emu)["unishop-us-west-1"] == "On"


def test_signature_scope_must_match_the_endpoint(emu):
    cluster = make_cluster(emu)
    west2 = cluster["endpoints"][1]
    controls = arns(cluster)
    wrong = arc_client(west2, region="us-east-1")  # the us-west-2 endpoint, signed for us-east-1
    status, response = arc_error(lambda: wrong.update_routing_control_state(
        RoutingControlArn=controls["unishop-us-west-1"], RoutingControlState="On"))
    assert status == 403 and response["Error"]["Code"] == "InvalidSignatureException"
    assert response["Error"]["Message"] == "Credential should be scoped to a valid region, not 'us-east-1'. "
    assert states(emu)["unishop-us-west-1"] == "Off"

    def raw(service: str | None) -> tuple[int, dict]:
        body = json.dumps({"RoutingControlArn": controls["unishop-us-east-1"]})
        request = AWSRequest(method="POST", url=west2["url"], data=body, headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "ToggleCustomerAPI.GetRoutingControlState"})
        if service:
            SigV4Auth(Credentials("testing", "testing"), service, "us-west-2").add_auth(request)
        req = urllib.request.Request(west2["url"], data=body.encode(), method="POST", headers=dict(request.headers))
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            assert err.headers["x-amzn-RequestId"]
            return err.code, json.loads(err.read())

    assert raw("route53") == (403, {"__type": "InvalidSignatureException",
                                    "message": "Credential should be scoped to correct service: "
                                               "'route53-recovery-cluster'. "})
    assert raw(None) == (403, {"__type": "MissingAuthenticationTokenException",
                               "message": "Missing Authentication Token"})
    status, ok = raw(SERVICE)
    assert status == 200 and ok["RoutingControlState"] == "On"
    log = calls(emu, f"service={SERVICE}")["calls"]
    assert [(c["status"], c["region"], c["signed"]["region"], c["signed"]["service"]) for c in log] == [
        (403, "us-west-2", "us-east-1", SERVICE), (403, "us-west-2", "us-west-2", "route53"),
        (403, "us-west-2", None, None), (200, "us-west-2", "us-west-2", SERVICE)]
    assert [c.get("error") for c in log] == ["InvalidSignatureException", "InvalidSignatureException",
                                             "MissingAuthenticationTokenException", None]


def test_endpoint_down_answers_503_or_times_out_then_comes_back(emu):
    cluster = make_cluster(emu)
    east, west2, eu = cluster["endpoints"]
    arn = arns(cluster)["unishop-us-east-1"]
    down = control(emu, "arc/endpoint", {"cluster": "unishop-arc", "region": "us-west-2", "down": True,
                                         "mode": "unavailable"})["endpoint"]
    assert down["down"] and down["mode"] == "unavailable" and down["url"] == west2["url"]
    status, response = arc_error(lambda: arc_client(west2).get_routing_control_state(RoutingControlArn=arn))
    assert status == 503 and response["Error"]["Code"] == "EndpointTemporarilyUnavailableException"
    assert arc_client(eu).get_routing_control_state(RoutingControlArn=arn)["RoutingControlState"] == "On"
    for mode, code, http in (("throttling", "ThrottlingException", 429), ("internal", "InternalServerException", 500)):
        control(emu, "arc/endpoint", {"cluster": "unishop-arc", "region": "us-west-2", "down": True, "mode": mode})
        status, response = arc_error(lambda: arc_client(west2).get_routing_control_state(RoutingControlArn=arn))
        assert (status, response["Error"]["Code"]) == (http, code)
    control(emu, "arc/endpoint", {"cluster": "unishop-arc", "region": "us-west-2", "down": False})
    assert arc_client(west2).get_routing_control_state(RoutingControlArn=arn)["RoutingControlState"] == "On"

    # timeout: the endpoint holds the request longer than the client waits, then answers 503
    control(emu, "arc/endpoint", {"cluster": "unishop-arc", "region": "us-east-1", "down": True, "mode": "timeout",
                                  "timeout_seconds": 0.8})
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        arc_client(east, read_timeout=0.3).get_routing_control_state(RoutingControlArn=arn)
    assert time.monotonic() - started < 0.8
    assert arc_client(eu).update_routing_control_state(  # another endpoint answers meanwhile
        RoutingControlArn=arns(cluster)["unishop-us-west-1"], RoutingControlState="On")
    deadline = time.monotonic() + 3
    while not calls(emu, f"service={SERVICE}&region=us-east-1")["calls"] and time.monotonic() < deadline:
        time.sleep(0.05)
    (held,) = calls(emu, f"service={SERVICE}&region=us-east-1")["calls"]
    assert held["status"] == 503 and held["error"] == "EndpointTemporarilyUnavailableException"
    # a held request is released (503) as soon as the endpoint comes back
    control(emu, "arc/endpoint", {"cluster": "unishop-arc", "region": "us-east-1", "down": True, "mode": "timeout",
                                  "timeout_seconds": 30})
    answer: list = []
    thread = threading.Thread(target=lambda: answer.append(arc_error(
        lambda: arc_client(east, read_timeout=10).get_routing_control_state(RoutingControlArn=arn))[0]))
    thread.start()
    time.sleep(0.3)
    control(emu, "arc/endpoint", {"cluster": "unishop-arc", "region": "us-east-1", "down": False})
    thread.join(5)
    assert answer == [503]
    assert arc_client(east).get_routing_control_state(RoutingControlArn=arn)["RoutingControlState"] == "On"


def test_call_log_names_the_endpoint_and_the_states_written(emu):
    cluster = make_cluster(emu)
    east, west2, eu = (arc_client(e) for e in cluster["endpoints"])
    controls = arns(cluster)
    http_json(emu + "/_switchyard/reset-calls", "POST")
    eu.get_routing_control_state(RoutingControlArn=controls["unishop-us-east-1"])
    west2.update_routing_control_states(UpdateRoutingControlStateEntries=[
        {"RoutingControlArn": controls["unishop-us-east-1"], "RoutingControlState": "Off"},
        {"RoutingControlArn": controls["unishop-us-west-1"], "RoutingControlState": "On"}])
    east.update_routing_control_state(RoutingControlArn=controls["unishop-us-east-1"], RoutingControlState="On")
    log = calls(emu, f"service={SERVICE}")
    assert log["counts"] == {f"{SERVICE}:GetRoutingControlState": 1, f"{SERVICE}:UpdateRoutingControlState": 1,
                             f"{SERVICE}:UpdateRoutingControlStates": 1}
    read, batch, single = log["calls"]
    assert (read["endpoint"], read["region"], read["mutating"], "params" in read) == (
        "unishop-arc/eu-west-1", "eu-west-1", False, False)
    assert (batch["endpoint"], batch["region"], batch["status"], batch["cluster"]) == (
        "unishop-arc/us-west-2", "us-west-2", 200, "unishop-arc")
    assert batch["params"] == {"UpdateRoutingControlStateEntries": [
        {"RoutingControlArn": controls["unishop-us-east-1"], "RoutingControlState": "Off"},
        {"RoutingControlArn": controls["unishop-us-west-1"], "RoutingControlState": "On"}]}
    assert single["endpoint"] == "unishop-arc/us-east-1" and single["params"] == {
        "RoutingControlArn": controls["unishop-us-east-1"], "RoutingControlState": "On"}
    assert read["path"] == "/_arc/unishop-arc/eu-west-1/v1" and read["request_id"]
    assert calls(emu, f"service={SERVICE}&mutating=true")["total"] == 2
    assert read["epoch"] <= batch["epoch"] <= single["epoch"]


def test_control_api_validation_and_reset(emu):
    make_cluster(emu)
    assert control_error(emu, "arc/clusters", {"name": "unishop-arc", "regions": ["us-east-1"]})[0] == 409
    for bad in ({"name": "x", "regions": []}, {"name": "x", "regions": ["mars-1"]},
                {"name": "x", "regions": ["us-east-1", "us-east-1"]}, {"name": "a/b", "regions": ["us-east-1"]},
                {"name": "x", "regions": ["us-east-1"], "extra": 1},
                {"name": "x", "regions": ["us-east-1"], "control_panels": [{"name": "p", "routing_controls": [
                    {"name": "c", "state": "ON"}]}]},
                {"name": "x", "regions": ["us-east-1"], "control_panels": [{"name": "p", "safety_rules": [
                    {"name": "r", "asserted_controls": ["nope"]}]}]}):
        assert control_error(emu, "arc/clusters", bad)[0] in (400, 404), bad
    assert [c["name"] for c in control(emu, "arc")["clusters"]] == ["unishop-arc"]  # nothing half-made
    # a control panel is added all or nothing too
    status, _ = control_error(emu, "arc/control-panels", {
        "cluster": "unishop-arc", "name": "p2", "routing_controls": [{"name": "a"}],
        "safety_rules": [{"name": "r", "asserted_controls": ["a"], "threshold": 2}]})
    assert status == 400
    assert [p["name"] for p in control(emu, "arc")["clusters"][0]["control_panels"]] == ["unishop-panel"]
    made = control(emu, "arc/routing-controls", {"cluster": "unishop-arc", "control_panel": "unishop-panel",
                                                 "name": "unishop-eu-west-1", "state": "On"})["routing_control"]
    assert made["state"] == "On" and made["control_panel_name"] == "unishop-panel"
    rule = control(emu, "arc/safety-rules", {"cluster": "unishop-arc", "control_panel": "unishop-panel",
                                             "name": "two-on", "asserted_controls": ["unishop-us-east-1",
                                                                                     "unishop-eu-west-1"],
                                             "type": "AND"})["safety_rule"]
    assert rule["threshold"] == 2 and rule["type"] == "AND"
    assert control_error(emu, "arc/endpoint", {"cluster": "unishop-arc", "region": "ap-south-1", "down": True})[0] == 404
    assert control_error(emu, "arc/endpoint", {"cluster": "unishop-arc", "region": "us-east-1", "down": True,
                                               "mode": "sometimes"})[0] == 400
    assert control_error(emu, "arc?cluster=nope")[0] == 404
    # an unknown endpoint path answers 404 (on AWS the host would not resolve)
    status, response = arc_error(lambda: arc_client({"url": f"{emu}/_arc/nope/us-east-1/v1", "region": "us-east-1"})
                                 .list_routing_controls())
    assert status == 404 and response["resourceType"] == "Endpoint"
    http_json(emu + "/moto-api/reset", "POST")
    assert control(emu, "arc") == {"clusters": []}
    make_cluster(emu)  # the same names again after a reset
    control(emu, "arc/reset", {})
    assert control(emu, "arc") == {"clusters": []}


# --------------------------------------------------------------------------- Route 53

def r53(url: str):
    return client("route53", url, "us-east-1")


def all_records(route53, zone_id: str) -> list[dict]:
    return route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]


def dns_app(url: str) -> dict:
    return topology.create_topology(url, parts="web", dns=True)["apps"][0]["dns"]


def test_topology_dns_content(emu):
    assert emu.startup_health["config"]["dns_seconds"] == 0.5  # --dns-seconds
    topo = topology.create_topology(emu, prefix="dns", parts="web", count=2, dns=True)
    first, second = (a["dns"] for a in topo["apps"])
    zone_id = first["hosted_zone_id"]
    assert second["hosted_zone_id"] == zone_id and first["hosted_zone_name"] == ZONE
    assert (first["record_name"], first["record_type"], first["ttl"]) == ("shop.unishop.example.", "A", 60)
    assert first["set_identifiers"] == {"us-east-1": "unishop-us-east-1", "us-west-1": "unishop-us-west-1"}
    assert second["record_name"] == "shop2.unishop.example."
    assert second["set_identifiers"] == {"us-east-1": "unishop2-us-east-1", "us-west-1": "unishop2-us-west-1"}
    assert first["cluster_endpoints"] == [{"region": r, "url": f"{emu}/_arc/unishop-arc/{r}/v1"} for r in REGIONS]
    assert second["cluster_endpoints"] == first["cluster_endpoints"]
    assert (first["safety_rule"], second["safety_rule"]) == ("unishop-at-least-one-on", "unishop2-at-least-one-on")
    assert first["control_panel_arn"] != second["control_panel_arn"]
    assert first["routing_control_names"] == {"us-east-1": "unishop-us-east-1", "us-west-1": "unishop-us-west-1"}

    records = {(r["Name"], r["Type"], r.get("SetIdentifier")): r for r in all_records(r53(emu), zone_id)}
    primary = records[("shop.unishop.example.", "A", "unishop-us-east-1")]
    assert primary == {"Name": "shop.unishop.example.", "Type": "A", "SetIdentifier": "unishop-us-east-1",
                       "Failover": "PRIMARY", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.11"}],
                       "HealthCheckId": first["health_check_id"]}
    assert records[("shop.unishop.example.", "A", "unishop-us-west-1")] == {
        "Name": "shop.unishop.example.", "Type": "A", "SetIdentifier": "unishop-us-west-1",
        "Failover": "SECONDARY", "TTL": 60, "ResourceRecords": [{"Value": "198.51.100.11"}]}
    for decoy in first["decoys"]:
        assert (decoy["name"], decoy["type"], decoy.get("set_identifier")) in records
    assert records[("api.unishop.example.", "A", "unishop-us-east-1")]["Failover"] == "PRIMARY"
    alias = records[("static.unishop.example.", "A", None)]
    assert "TTL" not in alias and alias["AliasTarget"]["DNSName"] == "d111111abcdef8.cloudfront.net."
    soa = records[(ZONE, "SOA", None)]["ResourceRecords"][0]["Value"]
    assert soa.endswith(" awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400")
    check = r53(emu).get_health_check(HealthCheckId=first["health_check_id"])["HealthCheck"]["HealthCheckConfig"]
    assert check["IPAddress"] == "192.0.2.11"

    # the controls, read through the data plane of each endpoint
    for endpoint in first["cluster_endpoints"]:
        c = arc_client(endpoint)
        assert {r: c.get_routing_control_state(RoutingControlArn=a)["RoutingControlState"]
                for r, a in first["routing_controls"].items()} == {"us-east-1": "On", "us-west-1": "Off"}
    listed = arc_client(first["cluster_endpoints"][0]).list_routing_controls(ControlPanelArn=second["control_panel_arn"])
    assert {c["RoutingControlName"] for c in listed["RoutingControls"]} == {"unishop2-us-east-1", "unishop2-us-west-1"}
    rules = control(emu, "arc?cluster=unishop-arc")["clusters"][0]["safety_rules"]
    (rule,) = [r for r in rules if r["arn"] == first["safety_rule_arn"]]
    assert rule["threshold"] == 1 and set(rule["asserted_controls"]) == set(first["routing_controls"].values())


def test_change_batch_params_in_call_log_and_decoys_untouched(emu):
    dns = dns_app(emu)
    route53 = r53(emu)
    zone_id = dns["hosted_zone_id"]
    before = all_records(route53, zone_id)
    http_json(emu + "/_switchyard/reset-calls", "POST")
    by_id = {r.get("SetIdentifier"): r for r in before if r["Name"] == dns["record_name"]}
    swapped = []
    for set_id, failover in (("unishop-us-east-1", "SECONDARY"), ("unishop-us-west-1", "PRIMARY")):
        rs = dict(by_id[set_id], Failover=failover)
        swapped.append({"Action": "UPSERT", "ResourceRecordSet": rs})
    answer = route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
        "Comment": "switchyard: us-west-1", "Changes": swapped})["ChangeInfo"]
    assert answer["Status"] == "INSYNC" and answer["Id"].startswith("/change/C")
    (entry,) = calls(emu, "service=route53&mutating=true")["calls"]
    assert entry["operation"] == "ChangeResourceRecordSets" and entry["status"] == 200
    assert entry["params"] == {"HostedZoneId": zone_id, "Comment": "switchyard: us-west-1", "Changes": [
        {"Action": "UPSERT", "Name": "shop.unishop.example.", "Type": "A", "SetIdentifier": "unishop-us-east-1",
         "Failover": "SECONDARY"},
        {"Action": "UPSERT", "Name": "shop.unishop.example.", "Type": "A", "SetIdentifier": "unishop-us-west-1",
         "Failover": "PRIMARY"}]}
    after = all_records(route53, zone_id)
    changed = [r for r in after if r not in before]
    assert sorted((r["SetIdentifier"], r["Failover"]) for r in changed) == [
        ("unishop-us-east-1", "SECONDARY"), ("unishop-us-west-1", "PRIMARY")]
    assert [r for r in before if r["Name"] != dns["record_name"]] == [r for r in after if r["Name"] != dns["record_name"]]
    assert by_id["unishop-us-east-1"]["HealthCheckId"] == [r for r in changed if r["SetIdentifier"] ==
                                                          "unishop-us-east-1"][0]["HealthCheckId"]


def test_change_is_pending_for_dns_seconds(emu):
    dns = dns_app(emu)
    route53 = r53(emu)
    control(emu, "config", {"dns_seconds": 0.6})
    (rs,) = [r for r in all_records(route53, dns["hosted_zone_id"])
             if r["Name"] == dns["record_name"] and r["SetIdentifier"] == "unishop-us-west-1"]
    rs["TTL"] = 30
    started = time.monotonic()
    info = route53.change_resource_record_sets(HostedZoneId=dns["hosted_zone_id"], ChangeBatch={
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": rs}]})["ChangeInfo"]
    assert info["Status"] == "PENDING"
    assert route53.get_change(Id=info["Id"])["ChangeInfo"]["Status"] == "PENDING"
    waiter = route53.get_waiter("resource_record_sets_changed")
    waiter.wait(Id=info["Id"], WaiterConfig={"Delay": 0.2, "MaxAttempts": 20})
    assert time.monotonic() - started >= 0.55
    done = route53.get_change(Id=info["Id"])["ChangeInfo"]
    assert done["Status"] == "INSYNC" and done["Id"] == info["Id"] and done["SubmittedAt"] == info["SubmittedAt"]
    with pytest.raises(ClientError) as err:
        route53.get_change(Id="CNOSUCHCHANGE00")
    assert err.value.response["Error"]["Code"] == "NoSuchChange"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    control(emu, "config", {"dns_seconds": 0})
    info = route53.change_resource_record_sets(HostedZoneId=dns["hosted_zone_id"], ChangeBatch={
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": dict(rs, TTL=60)}]})["ChangeInfo"]
    assert info["Status"] == "INSYNC"


def test_list_resource_record_sets_pages_through_every_record(emu):
    dns = dns_app(emu)
    route53 = r53(emu)
    zone_id = dns["hosted_zone_id"]
    everything = all_records(route53, zone_id)
    assert len(everything) == 9  # NS, SOA, TXT, api ×2, shop ×2, static (alias), www (CNAME)
    walked, kwargs, pages = [], {}, 0
    while True:
        page = route53.list_resource_record_sets(HostedZoneId=zone_id, MaxItems="1", **kwargs)
        pages += 1
        assert page["MaxItems"] == "1" and len(page["ResourceRecordSets"]) == 1
        walked += page["ResourceRecordSets"]
        if not page["IsTruncated"]:
            break
        kwargs = {"StartRecordName": page["NextRecordName"], "StartRecordType": page["NextRecordType"]}
        if "NextRecordIdentifier" in page:
            kwargs["StartRecordIdentifier"] = page["NextRecordIdentifier"]
        assert pages < 20
    assert walked == everything  # every record once, in order, losslessly
    paginated = [r for p in route53.get_paginator("list_resource_record_sets").paginate(
        HostedZoneId=zone_id, PaginationConfig={"PageSize": 2}) for r in p["ResourceRecordSets"]]
    assert paginated == everything
    # starting at the second record of a failover pair
    page = route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=dns["record_name"],
                                             StartRecordType="A", StartRecordIdentifier="unishop-us-west-1",
                                             MaxItems="1")
    assert page["ResourceRecordSets"][0]["SetIdentifier"] == "unishop-us-west-1"
    assert (page["NextRecordName"], page["NextRecordType"]) == ("static.unishop.example.", "A")
    assert "NextRecordIdentifier" not in page
    with pytest.raises(ClientError) as err:
        route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordType="A")
    assert err.value.response["Error"]["Code"] == "InvalidInput"


def test_change_batches_are_atomic_and_keyed_by_set_identifier(emu):
    dns = dns_app(emu)
    route53 = r53(emu)
    zone_id = dns["hosted_zone_id"]
    before = all_records(route53, zone_id)
    shop = {r["SetIdentifier"]: r for r in before if r["Name"] == dns["record_name"]}

    def refused(changes: list[dict], expect: str) -> None:
        with pytest.raises(ClientError) as err:
            route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
        assert err.value.response["Error"]["Code"] == "InvalidChangeBatch"
        assert expect in err.value.response["Error"]["Message"]
        assert all_records(route53, zone_id) == before  # nothing of the batch applied

    upsert_ok = {"Action": "UPSERT", "ResourceRecordSet": dict(shop["unishop-us-west-1"], TTL=10)}
    refused([upsert_ok, {"Action": "DELETE", "ResourceRecordSet": {
        "Name": "nope.unishop.example.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}}],
        "Tried to delete resource record set [name='nope.unishop.example.', type='A'] but it was not found")
    refused([upsert_ok, {"Action": "DELETE", "ResourceRecordSet": dict(shop["unishop-us-east-1"], TTL=61)}],
            "but the values provided do not match the current values")
    refused([upsert_ok, {"Action": "CREATE", "ResourceRecordSet": shop["unishop-us-east-1"]}],
            "Tried to create resource record set [name='shop.unishop.example.', type='A', "
            "set-identifier='unishop-us-east-1'] but it already exists")
    refused([{"Action": "UPSERT", "ResourceRecordSet": dict(shop["unishop-us-west-1"], Failover="PRIMARY")}],
            "conflicts with the PRIMARY RRSet of SetIdentifier unishop-us-east-1")
    refused([upsert_ok, {"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "shop.elsewhere.example.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}}],
        "is not permitted in zone")
    # DELETE keyed by name + type + SetIdentifier: the decoy pair with the same identifiers stays
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": shop["unishop-us-east-1"]}]})
    after = all_records(route53, zone_id)
    assert [r for r in before if r not in after] == [shop["unishop-us-east-1"]]
    assert {r.get("SetIdentifier") for r in after if r["Name"] == "api.unishop.example."} == {
        "unishop-us-east-1", "unishop-us-west-1"}


def test_topology_cli_and_inspect_state(emu, tmp_path):
    out = tmp_path / "topo.json"
    subprocess.run([PY, os.path.join(EMULATOR_DIR, "topology.py"), "--endpoint", emu, "--parts", "web",
                    "--dns", "--output", str(out)], check=True, capture_output=True, timeout=60)
    dns = json.loads(out.read_text())["apps"][0]["dns"]
    assert [e["region"] for e in dns["cluster_endpoints"]] == REGIONS
    assert all(e["url"].startswith(emu) and e["url"].endswith("/v1") for e in dns["cluster_endpoints"])
    control(emu, "arc/endpoint", {"cluster": "unishop-arc", "region": "us-east-1", "down": True})
    args = [PY, os.path.join(EMULATOR_DIR, "inspect_state.py"), "--endpoint", emu,
            "--dns-record", f"{dns['hosted_zone_id']}:{dns['record_name']}",
            "--dns-record", f"{dns['hosted_zone_id']}:api.unishop.example.:A"]
    for endpoint in dns["cluster_endpoints"]:
        args += ["--arc-endpoint", endpoint["url"]]
    for arn in dns["routing_controls"].values():
        args += ["--routing-control", arn]
    state = json.loads(subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout)
    assert state["dns_records"] == {
        "shop.unishop.example.": {"unishop-us-east-1": "PRIMARY", "unishop-us-west-1": "SECONDARY"},
        "api.unishop.example.": {"unishop-us-east-1": "PRIMARY", "unishop-us-west-1": "SECONDARY"}}
    assert state["routing_controls"] == {dns["routing_controls"]["us-east-1"]: "On",
                                         dns["routing_controls"]["us-west-1"]: "Off"}
    assert state["routing_controls_endpoint"] == dns["cluster_endpoints"][1]["url"]  # the first one was down
