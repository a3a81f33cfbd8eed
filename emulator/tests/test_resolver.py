"""Tests of the emulator's DNS resolver endpoint (emulator/resolver.py): answers per the hosted zone's
records (simple, CNAME chains, aliases, wildcards, failover), their health checks (set through
/_switchyard/dns/health-checks, Inverted/Disabled) and ARC routing controls (RECOVERY_CONTROL health
checks, which the moto extension keeps as botocore's route53 model has them), changes seen only once
INSYNC, bounded work for hostile record and health-check shapes, bad input, the DNS log, topology.py's
--dns-control-health-checks and dns_probe.py.

Run: python3 -m pytest -q emulator/tests
The module starts its own emulator (dns_seconds 0, which tests raise).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from test_emulator import (EMULATOR_DIR, PY, client, http_json, post_before, start_emulator,  # noqa: E402
                           topology)

import arc  # noqa: E402  (test_emulator put the emulator directory on sys.path)
import dns_probe  # noqa: E402
import resolver  # noqa: E402  (in-process: the evaluation budget)

EAST, WEST = "us-east-1", "us-west-1"
ZONE = "unishop.example."
SHOP = "shop.unishop.example."
EAST_IP, WEST_IP = "192.0.2.11", "198.51.100.11"
DEFAULT_DNS_KEYS = {"hosted_zone_id", "hosted_zone_name", "record_name", "record_type", "ttl", "set_identifiers",
                    "failover", "values", "health_check_id", "decoys", "cluster_name", "cluster_arn",
                    "cluster_endpoints", "control_panel_name", "control_panel_arn", "routing_control_names",
                    "routing_controls", "safety_rule", "safety_rule_arn"}


@pytest.fixture(scope="module")
def emu(request) -> str:
    return start_emulator(request)


@pytest.fixture(autouse=True)
def fresh(request) -> None:
    post_before(request, "emu", ("/moto-api/reset", None),  # also forgets health-check statuses and ARC clusters
                ("/_switchyard/reset-calls", None), ("/_switchyard/dns/reset", None),
                ("/_switchyard/config", {"dns_seconds": 0}))


# --------------------------------------------------------------------------- helpers

def resolve(emu: str, name: str, rtype: str | None = "A") -> dict:
    query = {"name": name, **({"type": rtype} if rtype else {})}
    return http_json(f"{emu}/_dns/resolve?{urllib.parse.urlencode(query)}")


def refused(url: str, method: str = "GET") -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
    pytest.fail(f"{method} {url} was answered 200")


def control(emu: str, path: str, body=None):
    return http_json(f"{emu}/_switchyard/{path}", "POST" if body is not None else "GET", body)


def control_error(emu: str, path: str, body) -> tuple[int, dict]:
    try:
        control(emu, path, body)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
    pytest.fail(f"/_switchyard/{path} {body!r} was accepted")


def set_health(emu: str, check_id: str, healthy: bool | None) -> dict:
    return control(emu, f"dns/health-checks/{check_id}", {"healthy": healthy})["health_check"]


def dns_log(emu: str, **filters) -> dict:
    query = urllib.parse.urlencode(filters)
    return control(emu, "dns/log" + (f"?{query}" if query else ""))


def r53(emu: str):
    return client("route53", emu, "us-east-1")


def lab(emu: str, **options) -> dict:
    return topology.create_topology(emu, parts="web", dns=True, **options)["apps"][0]["dns"]


def upsert(emu: str, zone_id: str, *records: dict) -> dict:
    return r53(emu).change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": rs} for rs in records]})["ChangeInfo"]


def a_record(name: str, ip: str, **extra) -> dict:
    return {"Name": name, "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": ip}], **extra}


def cname_record(name: str, target: str) -> dict:
    return {"Name": name, "Type": "CNAME", "TTL": 60, "ResourceRecords": [{"Value": target}]}


def http_check(emu: str, ip: str) -> str:
    return r53(emu).create_health_check(CallerReference=f"test-{ip}-{time.time_ns()}", HealthCheckConfig={
        "Type": "HTTP", "IPAddress": ip, "Port": 80, "ResourcePath": "/health"})["HealthCheck"]["Id"]


def swap_controls(dns: dict, active: str, override: bool = False) -> None:
    """Turns the active region's routing control On and the other Off through the ARC data plane (boto3)."""
    data_plane = arc.data_plane_client(dns["cluster_endpoints"][1]["url"])  # the us-west-2 endpoint
    entries = [{"RoutingControlArn": arn, "RoutingControlState": "On" if region == active else "Off"}
               for region, arn in dns["routing_controls"].items()]
    extra = {"SafetyRulesToOverride": [dns["safety_rule_arn"]]} if override else {}
    data_plane.update_routing_control_states(UpdateRoutingControlStateEntries=entries, **extra)


# --------------------------------------------------------------------------- answers

def test_plain_records_cname_alias_wildcard_and_negative_answers(emu):
    dns = lab(emu)
    assert dns["resolver_url"] == f"{emu}/_dns/resolve"
    zone_id = dns["hosted_zone_id"]
    shop = resolve(emu, SHOP)
    assert (shop["status"], shop["answers"], shop["ttl"]) == ("NOERROR", [EAST_IP], 60)
    assert shop["record"] == {"Name": SHOP, "Type": "A", "SetIdentifier": "unishop-us-east-1", "Failover": "PRIMARY",
                              "TTL": 60, "HealthCheckId": dns["health_check_id"]}
    assert shop["why"].startswith("failover: PRIMARY unishop-us-east-1 healthy")
    assert shop["zone"] == {"id": zone_id, "name": ZONE} and shop["change_id"].startswith("/change/C")
    assert [c["Failover"] for c in shop["candidates"]] == ["PRIMARY", "SECONDARY"]
    same = resolve(emu, "SHOP.Unishop.Example", rtype=None)  # case-insensitive, trailing dot optional, type A
    assert (same["name"], same["type"], same["answers"]) == (SHOP, "A", [EAST_IP])

    www = resolve(emu, "www.unishop.example.")
    assert www["answers"] == [EAST_IP] and www["record"]["Name"] == SHOP
    assert [(s["name"], s["kind"], s["target"], s["ttl"]) for s in www["chain"]] == [
        ("www.unishop.example.", "CNAME", SHOP, 300)]
    assert www["why"].startswith("www.unishop.example. CNAME shop.unishop.example.; failover: PRIMARY")
    cname = resolve(emu, "www.unishop.example.", "CNAME")
    assert (cname["status"], cname["answers"], cname["ttl"], cname["chain"]) == ("NOERROR", [SHOP], 300, [])
    static = resolve(emu, "static.unishop.example.")  # alias to CloudFront
    assert (static["status"], static["answers"], static["target"]) == ("EXTERNAL", [], "d111111abcdef8.cloudfront.net.")
    assert resolve(emu, ZONE, "TXT")["answers"] == ['"v=spf1 -all"']
    assert resolve(emu, ZONE, "SOA")["answers"][0].endswith(" 1 7200 900 1209600 86400")

    upsert(emu, zone_id,
           {"Name": "alias.unishop.example.", "Type": "A",
            "AliasTarget": {"HostedZoneId": zone_id, "DNSName": SHOP, "EvaluateTargetHealth": False}},
           a_record("*.wild.unishop.example.", "192.0.2.99"),
           cname_record("loop1.unishop.example.", "loop2.unishop.example."),
           cname_record("loop2.unishop.example.", "loop1.unishop.example."),
           a_record("w8.unishop.example.", "192.0.2.81", SetIdentifier="a", Weight=1),
           a_record("w8.unishop.example.", "192.0.2.82", SetIdentifier="b", Weight=1),
           a_record("w0.unishop.example.", "192.0.2.83", SetIdentifier="a", Weight=0),
           a_record("w0.unishop.example.", "192.0.2.84", SetIdentifier="b", Weight=0))
    alias = resolve(emu, "alias.unishop.example.")
    assert (alias["status"], alias["answers"], alias["ttl"]) == ("NOERROR", [EAST_IP], 60)
    assert alias["chain"][0]["kind"] == "alias" and alias["chain"][0]["target"] == SHOP
    assert resolve(emu, "x.wild.unishop.example.")["answers"] == ["192.0.2.99"]
    assert resolve(emu, "wild.unishop.example.")["status"] == "NODATA"  # exists: it has names below it
    loop = resolve(emu, "loop1.unishop.example.")
    assert loop["status"] == "SERVFAIL" and "loop" in loop["why"]
    weighted = resolve(emu, "w8.unishop.example.")
    assert weighted["status"] == "SERVFAIL" and "weighted routing is not emulated" in weighted["why"]
    zero = resolve(emu, "w0.unishop.example.")  # Weight 0 is a weight (records that get no traffic)
    assert zero["status"] == "SERVFAIL" and "weighted routing is not emulated" in zero["why"]

    nxdomain = resolve(emu, "nope.unishop.example.")
    assert (nxdomain["status"], nxdomain["answers"], nxdomain["ttl"]) == ("NXDOMAIN", [], 900)  # min(SOA TTL, minimum)
    assert resolve(emu, SHOP, "AAAA")["status"] == "NODATA"
    outside = resolve(emu, "shop.elsewhere.example.")
    assert (outside["status"], outside["zone"]) == ("NXDOMAIN", None)
    assert "no public hosted zone" in outside["why"]


def test_failover_follows_health_checks_set_through_the_control_api(emu):
    dns = lab(emu)
    zone_id, primary_check = dns["hosted_zone_id"], dns["health_check_id"]
    state = control(emu, f"dns/health-checks/{primary_check}")["health_check"]
    assert (state["type"], state["healthy"], state["override"]) == ("HTTP", True, None)

    assert set_health(emu, primary_check, False)["healthy"] is False
    west = resolve(emu, SHOP)
    assert (west["answers"], west["record"]["SetIdentifier"], west["record"]["Failover"]) == (
        [WEST_IP], "unishop-us-west-1", "SECONDARY")
    assert "PRIMARY unishop-us-east-1 unhealthy" in west["why"]
    assert "SECONDARY unishop-us-west-1 healthy (no health check: always healthy)" in west["why"]
    assert [c["healthy"] for c in west["candidates"]] == [False, True]

    # both unhealthy: Route 53 considers all healthy and answers the PRIMARY
    secondary_check = http_check(emu, WEST_IP)
    upsert(emu, zone_id, a_record(SHOP, WEST_IP, SetIdentifier="unishop-us-west-1", Failover="SECONDARY",
                                  HealthCheckId=secondary_check))
    set_health(emu, secondary_check, False)
    both = resolve(emu, SHOP)
    assert both["answers"] == [EAST_IP] and both["record"]["Failover"] == "PRIMARY"
    assert "every record unhealthy: Route 53 considers all healthy and answers the PRIMARY" in both["why"]
    set_health(emu, secondary_check, None)  # back to the default: healthy
    assert resolve(emu, SHOP)["answers"] == [WEST_IP]

    # Inverted inverts (an unhealthy primary is healthy again); Disabled is always healthy
    route53 = r53(emu)
    route53.update_health_check(HealthCheckId=primary_check, Inverted=True)
    assert resolve(emu, SHOP)["answers"] == [EAST_IP]
    set_health(emu, primary_check, True)
    assert resolve(emu, SHOP)["answers"] == [WEST_IP]
    route53.update_health_check(HealthCheckId=primary_check, Inverted=False, Disabled=True)
    set_health(emu, primary_check, False)
    disabled = resolve(emu, SHOP)
    assert disabled["answers"] == [EAST_IP] and "Disabled: considered healthy" in disabled["why"]

    listed = {c["id"]: c for c in control(emu, "dns/health-checks")["health_checks"]}
    assert listed[primary_check]["override"] is False and listed[secondary_check]["override"] is None
    assert control(emu, "dns/health-checks", {"clear": True})["health_checks"][0]["override"] is None
    assert control_error(emu, "dns/health-checks/no-such-check", {"healthy": False})[0] == 404
    assert control_error(emu, f"dns/health-checks/{primary_check}", {"healthy": "no"})[0] == 400
    assert control_error(emu, "dns/health-checks", {"healthy": False})[0] == 400


def test_alias_failover_evaluates_target_health(emu):
    dns = lab(emu)
    zone_id = dns["hosted_zone_id"]
    east_check, west_check = http_check(emu, "192.0.2.50"), http_check(emu, "198.51.100.50")

    def alias(failover: str, target: str, evaluate: bool = True) -> dict:
        return {"Name": "app.unishop.example.", "Type": "A", "SetIdentifier": f"app-{failover.lower()}",
                "Failover": failover, "AliasTarget": {"HostedZoneId": zone_id, "DNSName": target,
                                                      "EvaluateTargetHealth": evaluate}}

    upsert(emu, zone_id, a_record("east.unishop.example.", "192.0.2.50", HealthCheckId=east_check),
           a_record("west.unishop.example.", "198.51.100.50", HealthCheckId=west_check),
           alias("PRIMARY", "east.unishop.example."), alias("SECONDARY", "west.unishop.example."))
    app = resolve(emu, "app.unishop.example.")
    assert app["answers"] == ["192.0.2.50"] and app["record"]["Name"] == "east.unishop.example."
    assert (app["chain"][0]["kind"], app["chain"][0]["record"]["Failover"]) == ("alias", "PRIMARY")
    set_health(emu, east_check, False)
    app = resolve(emu, "app.unishop.example.")
    assert app["answers"] == ["198.51.100.50"] and app["chain"][0]["record"]["Failover"] == "SECONDARY"
    assert "alias target east.unishop.example. unhealthy" in app["why"]
    # EvaluateTargetHealth false and no health check: the alias is always healthy
    upsert(emu, zone_id, alias("PRIMARY", "east.unishop.example.", evaluate=False))
    app = resolve(emu, "app.unishop.example.")
    assert app["answers"] == ["192.0.2.50"]
    assert "alias with EvaluateTargetHealth false and no health check: always healthy" in app["why"]


def test_failover_swap_is_seen_only_once_insync(emu):
    dns = lab(emu)
    route53, zone_id = r53(emu), dns["hosted_zone_id"]
    delay = 1.0  # long enough for the checks below on a busy machine
    control(emu, "config", {"dns_seconds": delay})
    records = {r.get("SetIdentifier"): r for r in route53.list_resource_record_sets(HostedZoneId=zone_id)[
        "ResourceRecordSets"] if r["Name"] == SHOP}
    before = time.time()
    info = upsert(emu, zone_id, dict(records["unishop-us-east-1"], Failover="SECONDARY"),
                  dict(records["unishop-us-west-1"], Failover="PRIMARY"))
    assert info["Status"] == "PENDING"
    listed = {r["SetIdentifier"]: r["Failover"] for r in route53.list_resource_record_sets(
        HostedZoneId=zone_id)["ResourceRecordSets"] if r["Name"] == SHOP}
    assert listed == {"unishop-us-east-1": "SECONDARY", "unishop-us-west-1": "PRIMARY"}  # listed at once
    pending = resolve(emu, SHOP)
    assert pending["answers"] == [EAST_IP] and pending["pending_changes"] == 1  # the last INSYNC state
    # a later change of the zone goes INSYNC only after this one (in order), even with dns_seconds 0
    control(emu, "config", {"dns_seconds": 0})
    later = upsert(emu, zone_id, a_record("later.unishop.example.", "192.0.2.77"))
    assert later["Status"] == "PENDING" and resolve(emu, "later.unishop.example.")["status"] == "NXDOMAIN"
    route53.get_waiter("resource_record_sets_changed").wait(Id=info["Id"], WaiterConfig={"Delay": 0.1,
                                                                                         "MaxAttempts": 30})
    swapped = resolve(emu, SHOP)
    assert swapped["answers"] == [WEST_IP] and swapped["pending_changes"] == 0
    assert (swapped["record"]["SetIdentifier"], swapped["record"]["Failover"]) == ("unishop-us-west-1", "PRIMARY")
    assert swapped["change_id"] == later["Id"]  # the zone as its newest INSYNC change left it
    assert route53.get_change(Id=later["Id"])["ChangeInfo"]["Status"] == "INSYNC"
    assert resolve(emu, "later.unishop.example.")["answers"] == ["192.0.2.77"]
    # no answer pointed to us-west-1 before the change was INSYNC
    assert dns_log(emu, value=WEST_IP, until=before + delay)["total"] == 0
    assert dns_log(emu, value=WEST_IP)["values"][WEST_IP]["first_epoch"] >= before + delay


# --------------------------------------------------------------------------- bounded work

DEEP = "deep.unishop.example."


def weighted_alias_levels(zone_id: str, levels: int = 9, width: int = 10) -> list[dict]:
    """A failover PRIMARY alias to `levels` levels of `width` weighted aliases each, every one with
    EvaluateTargetHealth and aliasing the next level (the last one: a name that does not exist)."""
    def alias(target: str) -> dict:
        return {"HostedZoneId": zone_id, "DNSName": target, "EvaluateTargetHealth": True}

    records = [{"Name": DEEP, "Type": "A", "SetIdentifier": "deep-primary", "Failover": "PRIMARY",
                "AliasTarget": alias(f"l1.{DEEP}")}]
    for level in range(1, levels + 1):
        records += [{"Name": f"l{level}.{DEEP}", "Type": "A", "SetIdentifier": f"l{level}-w{i}", "Weight": 1,
                     "AliasTarget": alias(f"l{level + 1}.{DEEP}")} for i in range(width)]
    return records


def calculated_levels(create, leaves: list[str], levels: int) -> list[str]:
    """`levels` levels of CALCULATED health checks above `leaves`, as many per level as leaves, each with
    every check of the level below as its children (HealthThreshold: all of them); the top level's ids."""
    level = leaves
    for _ in range(levels):
        level = [create({"Type": "CALCULATED", "ChildHealthChecks": level, "HealthThreshold": len(level)})
                 for _ in leaves]
    return level


def timed(call, *args):
    started = time.monotonic()
    return call(*args), time.monotonic() - started


def test_hostile_shapes_answer_in_bounded_time(emu):
    dns = lab(emu)
    zone_id = dns["hosted_zone_id"]
    upsert(emu, zone_id, *weighted_alias_levels(zone_id))  # 91 records: 10**9 paths
    deep, seconds = timed(resolve, emu, DEEP)
    assert seconds < 2, deep["why"][:300]
    assert deep["status"] == "SERVFAIL" and deep["why"].endswith("weighted routing is not emulated by the resolver "
                                                                 "(only simple and failover)")
    assert f"PRIMARY deep-primary unhealthy (alias target l1.{DEEP} unhealthy (record l1-w0: " in deep["why"]
    assert f"record l8-w0: alias target l9.{DEEP}: alias chain longer than 8: considered unhealthy; " \
           f"record l8-w1: alias target l9.{DEEP} unhealthy (evaluated before)" in deep["why"]
    assert len(deep["why"]) < 3000

    route53 = r53(emu)

    def create(config: dict) -> str:
        return route53.create_health_check(CallerReference=f"calc-{time.time_ns()}",
                                           HealthCheckConfig=config)["HealthCheck"]["Id"]

    leaves = [http_check(emu, f"192.0.2.{200 + i}") for i in range(6)]
    top = calculated_levels(create, leaves, 8)[0]  # 8 deep, 6 children each: 6**8 paths
    state, seconds = timed(control, emu, f"dns/health-checks/{top}")
    assert seconds < 2 and state["health_check"]["healthy"] is True
    assert "6 of 6 child health checks healthy, HealthThreshold 6" in state["health_check"]["why"]
    set_health(emu, leaves[0], False)  # every level above falls
    listed, seconds = timed(control, emu, "dns/health-checks")
    calculated = [c for c in listed["health_checks"] if c["type"] == "CALCULATED"]
    assert seconds < 2 and len(calculated) == 48 and not any(c["healthy"] for c in calculated)
    upsert(emu, zone_id, a_record(f"calc.{ZONE}", EAST_IP, SetIdentifier="calc-east", Failover="PRIMARY",
                                  HealthCheckId=top),
           a_record(f"calc.{ZONE}", WEST_IP, SetIdentifier="calc-west", Failover="SECONDARY"))
    answer, seconds = timed(resolve, emu, f"calc.{ZONE}")
    assert seconds < 2 and answer["answers"] == [WEST_IP]
    assert f"health check {top} (CALCULATED) unhealthy: 0 of 6 child health checks healthy" in answer["why"]


def test_evaluations_are_remembered_and_bounded(monkeypatch):
    """In-process: how many evaluations the hostile shapes take, and the answer past the budget."""
    zone_id = "ZDEEP"
    zone = resolver.Zone(zone_id, ZONE, weighted_alias_levels(zone_id), None, 0, None)
    view = resolver.View([zone])
    assert resolver.resolve(DEEP, "A", view)["status"] == "SERVFAIL"
    assert view.work.steps <= 2 + 9 * (10 + 10)  # each level: its records, and the next level once

    checks: dict[str, types.SimpleNamespace] = {}

    def create(config: dict) -> str:
        check_id = f"check-{len(checks)}"
        checks[check_id] = types.SimpleNamespace(id=check_id, type_=config["Type"], disabled=False, inverted=False,
                                                 children=config.get("ChildHealthChecks"),
                                                 health_threshold=config.get("HealthThreshold"))
        return check_id

    top = calculated_levels(create, [create({"Type": "HTTP"}) for _ in range(5)], 8)[0]
    monkeypatch.setattr(resolver, "_route53", lambda: types.SimpleNamespace(health_checks=checks))
    work = resolver.Work()
    assert resolver.describe_health_check(checks[top], work)["healthy"] is True
    assert work.steps == 1 + 5 + 7 * 5 * 5  # the top, then each link to a child once: 5 of the top, 25 a level

    monkeypatch.setattr(resolver, "MAX_STEPS", 50)
    stopped = resolver.resolve(DEEP, "A", resolver.View([zone]))
    assert stopped["status"] == "SERVFAIL"
    assert f"{DEEP}: stopped: more than 50 evaluations (record health, alias targets, health checks) in one " \
           f"request (the next one: " in stopped["why"] and stopped["why"].endswith(": SERVFAIL")
    state = resolver.describe_health_check(checks[top])
    assert state["healthy"] is False
    assert state["why"].startswith(f"health check {top} unhealthy: evaluation stopped: more than 50 evaluations")
    assert state["why"].endswith(": considered unhealthy")

    # Weight 0 (as the records hold it: an int) is a weighted record
    zero = [{"Name": f"zero.{ZONE}", "Type": "A", "TTL": 60, "ResourceRecords": ["192.0.2.1"], "SetIdentifier": s,
             "Weight": 0} for s in ("a", "b")]
    answer = resolver.resolve(f"zero.{ZONE}", "A", resolver.View([resolver.Zone(zone_id, ZONE, zero, None, 0, None)]))
    assert answer["status"] == "SERVFAIL" and "weighted routing is not emulated" in answer["why"]


# --------------------------------------------------------------------------- routing controls

def test_recovery_control_health_checks_in_moto(emu):
    route53 = r53(emu)
    arn = "arn:aws:route53-recovery-control::123456789012:controlpanel/abc/routingcontrol/0123456789abcdef"
    made = route53.create_health_check(CallerReference="rc-1", HealthCheckConfig={
        "Type": "RECOVERY_CONTROL", "RoutingControlArn": arn})["HealthCheck"]
    expected = {"Type": "RECOVERY_CONTROL", "Inverted": False, "Disabled": False, "RoutingControlArn": arn}
    assert made["HealthCheckConfig"] == expected
    assert route53.get_health_check(HealthCheckId=made["Id"])["HealthCheck"]["HealthCheckConfig"] == expected
    assert [c["HealthCheckConfig"] for c in route53.list_health_checks()["HealthChecks"]] == [expected]
    updated = route53.update_health_check(HealthCheckId=made["Id"], Inverted=True)["HealthCheck"]
    assert updated["HealthCheckConfig"] == dict(expected, Inverted=True)
    for config, message in (
            ({"Type": "RECOVERY_CONTROL"}, "requires RoutingControlArn"),
            ({"Type": "RECOVERY_CONTROL", "RoutingControlArn": arn, "RequestInterval": 10},
             "RequestInterval can't be specified"),
            ({"Type": "HTTP", "IPAddress": "192.0.2.1", "RoutingControlArn": arn},
             "RoutingControlArn can be specified only")):
        with pytest.raises(ClientError) as err:
            route53.create_health_check(CallerReference=f"bad-{time.time_ns()}", HealthCheckConfig=config)
        assert err.value.response["Error"]["Code"] == "InvalidInput"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert message in err.value.response["Error"]["Message"]
    assert len(route53.list_health_checks()["HealthChecks"]) == 1  # nothing refused was created
    # an ARN no emulated cluster holds: unhealthy (inverted here: healthy)
    state = control(emu, f"dns/health-checks/{made['Id']}")["health_check"]
    assert state["routing_control"] is None and state["healthy"] is True
    assert "in no emulated ARC cluster" in state["why"]


def test_default_topology_is_unchanged_but_names_the_resolver(emu):
    dns = lab(emu)
    assert set(dns) == DEFAULT_DNS_KEYS | {"resolver_url"}
    route53 = r53(emu)
    assert len(route53.list_health_checks()["HealthChecks"]) == 1
    assert len(route53.list_resource_record_sets(HostedZoneId=dns["hosted_zone_id"])["ResourceRecordSets"]) == 9


def test_routing_controls_steer_the_topology_records(emu):
    dns = lab(emu, dns_control_health_checks=True)
    records = dns["routing_control_records"]
    assert records["record_name"] == "shop-arc.unishop.example." and records["values"] == dns["values"]
    assert records["set_identifiers"] == dns["set_identifiers"]
    assert records["routing_controls"] == dns["routing_controls"]
    route53 = r53(emu)
    for region in (EAST, WEST):
        config = route53.get_health_check(HealthCheckId=records["health_check_ids"][region])["HealthCheck"][
            "HealthCheckConfig"]
        assert config == {"Type": "RECOVERY_CONTROL", "Inverted": False, "Disabled": False,
                          "RoutingControlArn": dns["routing_controls"][region]}
    name = records["record_name"]
    east = resolve(emu, name)
    assert east["answers"] == [EAST_IP] and "routing control unishop-us-east-1 is On" in east["why"]

    swap_controls(dns, WEST)
    west = resolve(emu, name)
    assert (west["answers"], west["record"]["Failover"]) == ([WEST_IP], "SECONDARY")
    assert "routing control unishop-us-east-1 is Off" in west["why"]
    assert "routing control unishop-us-west-1 is On" in west["why"]
    assert resolve(emu, SHOP)["answers"] == [EAST_IP]  # the HTTP-checked pair does not follow the controls
    # both Off (the safety rule overridden): every record unhealthy, Route 53 answers the PRIMARY
    swap_controls(dns, "nowhere", override=True)
    assert resolve(emu, name)["answers"] == [EAST_IP]
    swap_controls(dns, EAST, override=True)
    assert resolve(emu, name)["answers"] == [EAST_IP]

    check = records["health_check_ids"][EAST]
    status, error = control_error(emu, f"dns/health-checks/{check}", {"healthy": False})
    assert status == 409 and "UpdateRoutingControlState" in error["error"]
    state = control(emu, f"dns/health-checks/{check}")["health_check"]
    assert state["routing_control"]["state"] == "On" and state["routing_control"]["name"] == "unishop-us-east-1"


# --------------------------------------------------------------------------- input, log, probe

def test_bad_input_is_refused_with_400(emu):
    lab(emu)
    base = f"{emu}/_dns/resolve"
    for query, message in (("type=A", "missing name"), ("name=", "name is empty"),
                           ("name=shop.unishop.example.&type=FOO", "is not a Route 53 record type"),
                           ("name=shop.unishop.example.&class=IN", "unknown parameters"),
                           ("name=a&name=b", "once each"), ("name=a..b", "empty label"),
                           ("name=" + "x" * 64 + ".unishop.example.", "longer than 63"),
                           ("name=sh%C3%B6p.unishop.example.", "punycode"), ("name=a%20b", "whitespace")):
        status, body = refused(f"{base}?{query}")
        assert status == 400 and message in body["error"], (query, body)
    assert refused(f"{base}?name={SHOP}", "POST")[0] == 405
    assert refused(f"{emu}/_dns/nothing-here")[0] == 404
    assert dns_log(emu)["total"] == 0  # refused queries are no resolutions


def test_dns_log_filters_summaries_and_reset(emu):
    dns = lab(emu)
    resolve(emu, SHOP)
    set_health(emu, dns["health_check_id"], False)
    middle = time.time()
    resolve(emu, "Shop.unishop.example")
    resolve(emu, "nope.unishop.example.")
    log = dns_log(emu)
    assert log["total"] == 3 and [e["seq"] for e in log["resolutions"]] == sorted(e["seq"] for e in log["resolutions"])
    first = log["resolutions"][0]
    assert {k: first[k] for k in ("name", "type", "status", "answers", "ttl", "set_identifier", "failover")} == {
        "name": SHOP, "type": "A", "status": "NOERROR", "answers": [EAST_IP], "ttl": 60,
        "set_identifier": "unishop-us-east-1", "failover": "PRIMARY"}
    assert first["why"].startswith("failover: PRIMARY") and first["time"].endswith("+00:00")
    assert log["statuses"] == {"NOERROR": 2, "NXDOMAIN": 1}
    assert set(log["values"]) == {EAST_IP, WEST_IP} and log["values"][WEST_IP]["count"] == 1
    assert log["set_identifiers"]["unishop-us-west-1"]["first_epoch"] >= middle
    assert dns_log(emu, name="SHOP.unishop.example")["total"] == 2
    assert dns_log(emu, status="nxdomain")["total"] == 1
    assert dns_log(emu, value=WEST_IP, until=middle)["total"] == 0
    assert dns_log(emu, set_identifier="unishop-us-west-1", since=middle)["total"] == 1
    limited = dns_log(emu, limit=1)
    assert limited["total"] == 3 and [e["name"] for e in limited["resolutions"]] == ["nope.unishop.example."]
    assert refused(f"{emu}/_switchyard/dns/log?since=soon")[0] == 400
    assert refused(f"{emu}/_switchyard/dns/log?status=OK")[0] == 400
    http_json(emu + "/moto-api/reset", "POST")
    assert dns_log(emu)["total"] == 3  # moto's reset keeps the log
    assert control(emu, "dns/reset", {}) == {"reset": True}
    assert dns_log(emu)["total"] == 0


def test_dns_probe_sees_the_answer_move(emu, tmp_path):
    out = tmp_path / "topo.json"
    subprocess.run([PY, os.path.join(EMULATOR_DIR, "topology.py"), "--endpoint", emu, "--parts", "web",
                    "--dns-control-health-checks", "--output", str(out)], check=True, capture_output=True, timeout=60)
    dns = json.loads(out.read_text())["apps"][0]["dns"]
    records = dns["routing_control_records"]
    seen: list[dict] = []
    summary: dict = {}
    runner = threading.Thread(target=lambda: summary.update(dns_probe.probe(
        dns["resolver_url"], records["record_name"], values=records["values"], interval=0.05, duration=10,
        region=WEST, consecutive=2, emit=seen.append)))
    runner.start()
    time.sleep(0.3)
    flipped = time.time()
    swap_controls(dns, WEST)
    runner.join(15)
    assert summary["reached"] is True and summary["regions"][EAST] >= 1 and summary["regions"][WEST] == 2
    (move,) = summary["moves"]
    assert move["from"]["region"] == EAST and move["to"] == {"region": WEST, "answers": [WEST_IP], "status": "NOERROR"}
    assert move["t"] >= flipped - 0.06 and summary["first_consecutive_t"] == move["t"]
    assert seen[0]["region"] == EAST and seen[0]["set_identifier"] == "unishop-us-east-1" and not seen[0]["moved"]
    assert [p["moved"] for p in seen].count(True) == 1

    cli = [PY, os.path.join(EMULATOR_DIR, "dns_probe.py"), "--topology", str(out), "--arc", "--interval", "0.05"]
    done = subprocess.run(cli + ["--region", WEST, "--duration", "5", "--moves-only"], capture_output=True,
                          text=True, timeout=30)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0 and lines[0]["region"] == WEST and lines[-1]["summary"] and lines[-1]["reached"]
    missed = subprocess.run(cli + ["--region", EAST, "--duration", "0.2", "--summary-only"], capture_output=True,
                            text=True, timeout=30)
    (last,) = [json.loads(line) for line in missed.stdout.splitlines()]
    assert missed.returncode == 1 and last["reached"] is False and last["regions"] == {WEST: last["probes"]}
    # the DNS log saw every probe: none pointed to us-west-1 before the flip
    assert dns_log(emu, value=WEST_IP, until=flipped)["total"] == 0
