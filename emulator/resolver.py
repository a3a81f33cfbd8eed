"""Switchyard emulator: a DNS resolver endpoint that answers a name the way Route 53's public resolvers
would, per the hosted zone's records, their health checks and ARC routing controls.

Installed by ``switchyard_emulator.build_app()`` through ``install()``; the app routes ``/_dns/…`` and
``/_switchyard/dns/…`` here.

* **Resolver**: ``GET /_dns/resolve?name=shop.unishop.example.&type=A`` answers JSON (HTTP 200 for every
  DNS answer: ``NOERROR``, ``NODATA``, ``NXDOMAIN``, ``SERVFAIL``, ``EXTERNAL``; 400 for bad input). Names
  are looked up in the emulator's public hosted zones (the most specific zone holding the name), as the
  zone's newest INSYNC change left them (``arc.zone_view()``: a change made with ``dns_seconds`` > 0 is
  seen once GetChange says INSYNC). Simple and failover routing, CNAME chains and alias records within
  the emulated zones (at most ``MAX_HOPS`` steps), wildcards, ``EvaluateTargetHealth``. Every resolution
  is kept in the DNS log.
* **Bounded work**: within one request each alias target's health (per name, type and depth) and each
  health check's status (per depth) is evaluated once and remembered, and at most ``MAX_STEPS``
  evaluations are made in all; past them the resolution answers ``SERVFAIL`` and a health check asked
  for through the control API is unhealthy, each saying why.
* **Health checks**: a health check's status is what ``POST /_switchyard/dns/health-checks/<id>`` set
  (default healthy) — for types ``RECOVERY_CONTROL`` the state of its ARC routing control (On = healthy),
  for ``CALCULATED`` its children against ``HealthThreshold``; ``Disabled`` makes it healthy, ``Inverted``
  inverts it (after ``Disabled``).
* **RECOVERY_CONTROL health checks in moto**: moto accepted ``Type: RECOVERY_CONTROL`` but dropped
  ``RoutingControlArn`` and answered endpoint fields (Port, RequestInterval, …) such a health check has
  not; ``install_health_check_extensions()`` keeps the ARN and answers the config as botocore's route53
  model has it (``Type``, ``Inverted``, ``Disabled``, ``RoutingControlArn``).

Failover rules (botocore's ``ResourceRecordSet.Failover`` documentation): the PRIMARY when it is
healthy; else the SECONDARY when it is healthy; else (both unhealthy: Route 53 then considers all
healthy) the PRIMARY. A record is healthy when its health check is (none: always healthy) and, for an
alias with ``EvaluateTargetHealth`` true, its target is (a record group in the zone: at least one member
healthy; a target outside the emulated zones: healthy).
"""
from __future__ import annotations

import collections
import datetime as _dt
import json
import re
import threading
import time
from typing import Any, Callable
from urllib.parse import parse_qs

import arc
import edge  # log_control: the routes of a log

DNS_PREFIX = "/_dns"
RESOLVE_PATH = "/_dns/resolve"
ACCOUNT_ID = arc.ACCOUNT_ID
MAX_HOPS = 8  # CNAME and alias steps of one resolution (Route 53 follows CNAMEs only within its zones)
# Evaluations (a record's health, an alias target's health, a health check's status) of one request,
# remembered ones included: a bound on the work of hostile record and health-check shapes.
MAX_STEPS = 10000
MAX_WHY = 2000  # characters of an unhealthy alias target's reasons kept in a why
# The RRType enum of botocore's route53 model.
RR_TYPES = ("SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS", "TLSA",
            "SSHFP", "SVCB", "HTTPS")
STATUSES = ("NOERROR", "NODATA", "NXDOMAIN", "SERVFAIL", "EXTERNAL")
RECOVERY_CONTROL = "RECOVERY_CONTROL"
RC_ATTR = "_switchyard_routing_control_arn"
# HealthCheckConfig members that do not apply to a RECOVERY_CONTROL health check (botocore's route53 model:
# RequestInterval, FailureThreshold, MeasureLatency "not supported"; the others describe an endpoint, an
# alarm or children, which such a health check has not).
NOT_FOR_RECOVERY_CONTROL = ("IPAddress", "Port", "ResourcePath", "FullyQualifiedDomainName", "SearchString",
                            "RequestInterval", "FailureThreshold", "MeasureLatency", "HealthThreshold",
                            "ChildHealthChecks", "EnableSNI", "Regions", "AlarmIdentifier",
                            "InsufficientDataHealthStatus")
# Routing policies the resolver does not emulate (record field -> name in answers).
UNSUPPORTED_POLICIES = (("Weight", "weighted"), ("Region", "latency"), ("GeoLocation", "geolocation"),
                        ("GeoProximityLocation", "geoproximity"), ("CidrRoutingConfig", "IP-based"),
                        ("MultiValueAnswer", "multivalue answer"))

_STATE: dict[str, Any] = {"installed": False}
_LOCK = threading.RLock()
_OVERRIDES: dict[str, bool] = {}  # health check id -> status set through the control API


def _now_iso(epoch: float) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).isoformat(timespec="milliseconds")


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _route53() -> Any:
    from moto.route53.models import route53_backends
    return route53_backends[ACCOUNT_ID]["aws"]


def _uses(rec: dict[str, Any], key: str) -> bool:
    """Whether a record has a routing-policy field: set and not False (``Weight: 0`` is a weighted record,
    ``MultiValueAnswer: false`` is none)."""
    value = rec.get(key)
    return value is not None and value is not False


def _clip(text: str, limit: int = MAX_WHY) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class BudgetExceeded(Exception):
    """More than ``MAX_STEPS`` evaluations in one request."""


class Work:
    """The evaluations of one request: each remembered, and at most `max_steps` of them (remembered ones
    included) before ``BudgetExceeded``."""

    def __init__(self, max_steps: int | None = None) -> None:
        self.max_steps = MAX_STEPS if max_steps is None else max_steps
        self.steps = 0
        self.checks: dict[tuple[str, int], tuple[bool, str]] = {}  # (health check id, depth) -> status
        self.targets: dict[tuple[str, str, str, int], tuple[bool, str]] = {}  # (zone, name, type, depth)

    def step(self, what: str) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise BudgetExceeded(f"more than {self.max_steps} evaluations (record health, alias targets, health "
                                 f"checks) in one request (the next one: {what})")


def reset() -> None:
    """Forgets the health-check statuses set through the control API (``POST /moto-api/reset``: the
    health checks themselves are gone). The DNS log stays (``POST /_switchyard/dns/reset`` forgets it)."""
    with _LOCK:
        _OVERRIDES.clear()


# ---------------------------------------------------------------------------
# RECOVERY_CONTROL health checks on moto's models
# ---------------------------------------------------------------------------

def install_health_check_extensions() -> None:
    """CreateHealthCheck keeps a RECOVERY_CONTROL health check's RoutingControlArn and refuses what does
    not apply to it (InvalidInput, 400); Create/Get/List/UpdateHealthCheck answer its HealthCheckConfig
    as ``{Type, Inverted, Disabled, RoutingControlArn}`` (moto: no ARN, plus Port, RequestInterval,
    FailureThreshold, MeasureLatency, EnableSNI of an endpoint check). Other types are moto's."""
    from moto.route53.exceptions import InvalidInput
    from moto.route53.models import HealthCheck
    from moto.route53.responses import Route53

    original_config = HealthCheck.health_check_config

    def health_check_config(self: Any) -> dict[str, Any]:
        if self.type_ != RECOVERY_CONTROL:
            return original_config.fget(self)
        return {"Type": RECOVERY_CONTROL, "Inverted": _flag(self.inverted), "Disabled": _flag(self.disabled),
                "RoutingControlArn": getattr(self, RC_ATTR, None)}

    HealthCheck.health_check_config = property(health_check_config)  # type: ignore[assignment]

    original_create = Route53.create_health_check

    def create_health_check(self: Any) -> Any:
        config = self._get_param("HealthCheckConfig") or {}
        arn = config.get("RoutingControlArn")
        if config.get("Type") == RECOVERY_CONTROL:
            if not arn:
                raise InvalidInput("A health check of type RECOVERY_CONTROL requires RoutingControlArn.")
            given = [k for k in NOT_FOR_RECOVERY_CONTROL if config.get(k) not in (None, [], {}, "")]
            if given:
                raise InvalidInput(f"{', '.join(given)} can't be specified for a health check of type "
                                   f"RECOVERY_CONTROL: give only RoutingControlArn (and Inverted, Disabled).")
        elif arn is not None:
            raise InvalidInput("RoutingControlArn can be specified only for a health check of type "
                               "RECOVERY_CONTROL.")
        if arn is not None and (not isinstance(arn, str) or not 1 <= len(arn) <= 255):
            raise InvalidInput("RoutingControlArn must have length between 1 and 255.")
        result = original_create(self)
        check = result.result.get("HealthCheck") if isinstance(getattr(result, "result", None), dict) else None
        if check is not None and config.get("Type") == RECOVERY_CONTROL:
            setattr(check, RC_ATTR, arn)
        return result

    Route53.create_health_check = create_health_check  # type: ignore[method-assign]


def install() -> None:
    """Patches moto's route53 health checks (idempotent)."""
    with _LOCK:
        if _STATE["installed"]:
            return
        install_health_check_extensions()
        _STATE["installed"] = True


# ---------------------------------------------------------------------------
# Health-check status
# ---------------------------------------------------------------------------

def health_check_status(check_id: str, work: Work, depth: int = 0) -> tuple[bool, str]:
    """(healthy, why) of a Route 53 health check as the resolver sees it now. Within `work` (one request)
    each (check, depth) is evaluated once; past its budget ``BudgetExceeded`` is raised."""
    work.step(f"health check {check_id}")
    key = (check_id, depth)
    if key not in work.checks:
        work.checks[key] = _evaluate_health_check(check_id, depth, work)
    return work.checks[key]


def _evaluate_health_check(check_id: str, depth: int, work: Work) -> tuple[bool, str]:
    check = _route53().health_checks.get(check_id)
    if check is None:
        # botocore: "the future status of the health check can't be predicted"
        return False, f"health check {check_id} does not exist (deleted?): considered unhealthy"
    kind = str(check.type_)
    if kind == RECOVERY_CONTROL:
        arn = getattr(check, RC_ATTR, None)
        control = arc.routing_control(arn) if arn else None
        if control is None:
            healthy, why = False, f"routing control {arn} is in no emulated ARC cluster"
        else:
            healthy = control["state"] == "On"
            why = f"routing control {control['name']} is {control['state']}"
    elif kind == "CALCULATED":
        children = list(check.children or [])
        threshold = int(check.health_threshold or 0)
        if depth > MAX_HOPS:
            healthy, why = False, "calculated health checks nested too deep"
        else:
            ok = sum(1 for child in children if health_check_status(child, work, depth + 1)[0])
            healthy = ok >= threshold
            why = f"{ok} of {len(children)} child health checks healthy, HealthThreshold {threshold}"
    else:
        with _LOCK:
            override = _OVERRIDES.get(check_id)
        healthy = True if override is None else override
        why = "default" if override is None else "set through /_switchyard/dns/health-checks"
    if _flag(check.disabled):
        healthy, why = True, why + "; Disabled: considered healthy"
    if _flag(check.inverted):
        healthy, why = not healthy, why + "; Inverted"
    return healthy, f"health check {check_id} ({kind}) {'healthy' if healthy else 'unhealthy'}: {why}"


def describe_health_check(check: Any, work: Work | None = None) -> dict[str, Any]:
    """A health check's state for the control API (unhealthy past the budget of evaluations); `work`
    remembers the evaluations of several checks described in one request, each with a budget of its own."""
    work = work or Work()
    work.steps = 0
    try:
        healthy, why = health_check_status(check.id, work)
    except BudgetExceeded as exc:
        healthy, why = False, f"health check {check.id} unhealthy: evaluation stopped: {exc}: considered unhealthy"
    with _LOCK:
        override = _OVERRIDES.get(check.id)
    out: dict[str, Any] = {"id": check.id, "type": str(check.type_), "healthy": healthy, "why": why,
                           "override": override, "inverted": _flag(check.inverted),
                           "disabled": _flag(check.disabled)}
    if str(check.type_) == RECOVERY_CONTROL:
        arn = getattr(check, RC_ATTR, None)
        out["routing_control_arn"] = arn
        out["routing_control"] = arc.routing_control(arn) if arn else None
    if str(check.type_) == "CALCULATED":
        out["children"] = list(check.children or [])
        out["health_threshold"] = check.health_threshold
    return out


def set_health(check_id: str, data: Any) -> tuple[int, Any]:
    """``POST /_switchyard/dns/health-checks/<id>`` ``{"healthy": true|false|null}`` (null: back to the
    default, healthy)."""
    check = _route53().health_checks.get(check_id)
    if check is None:
        return 404, {"error": f"no Route 53 health check {check_id!r} (see GET /_switchyard/dns/health-checks)"}
    if not isinstance(data, dict) or set(data) != {"healthy"} or not (data["healthy"] is None
                                                                     or isinstance(data["healthy"], bool)):
        return 400, {"error": 'expected {"healthy": true|false|null}'}
    kind = str(check.type_)
    if kind == RECOVERY_CONTROL:
        return 409, {"error": f"health check {check_id} is of type RECOVERY_CONTROL: it follows routing control "
                              f"{getattr(check, RC_ATTR, None)} (On = healthy); set that through the ARC "
                              f"data plane (UpdateRoutingControlState)"}
    if kind == "CALCULATED":
        return 409, {"error": f"health check {check_id} is of type CALCULATED: it follows its child health "
                              f"checks; set those"}
    with _LOCK:
        if data["healthy"] is None:
            _OVERRIDES.pop(check_id, None)
        else:
            _OVERRIDES[check_id] = data["healthy"]
    return 200, {"health_check": describe_health_check(check)}


# ---------------------------------------------------------------------------
# What the resolver sees: public zones at their newest INSYNC state
# ---------------------------------------------------------------------------

def _bare(name: str) -> str:
    """A name in one form for comparison: lower case, ``\\052`` as ``*``, with the trailing dot."""
    name = name.replace("\\052", "*").lower()
    return name if name.endswith(".") else name + "."


def _bare_zone_id(zone_id: Any) -> str:
    return str(zone_id or "").rsplit("/", 1)[-1]


class Zone:
    def __init__(self, zone_id: str, name: str, records: list[dict[str, Any]], change_id: str | None,
                 pending: int, next_insync_epoch: float | None) -> None:
        self.id = zone_id
        self.name = _bare(name)
        self.records = records
        self.change_id = change_id
        self.pending = pending
        self.next_insync_epoch = next_insync_epoch
        self.by_name: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        for rec in records:
            self.by_name[_bare(rec["Name"])].append(rec)

    def holds(self, name: str) -> bool:
        return name == self.name or name.endswith("." + self.name)

    def has_descendants(self, name: str) -> bool:
        return any(n.endswith("." + name) for n in self.by_name)

    def negative_ttl(self) -> int | None:
        """min(SOA TTL, SOA minimum): how long a resolver caches NXDOMAIN/NODATA (RFC 2308)."""
        for rec in self.by_name.get(self.name, []):
            if rec["Type"] == "SOA" and rec["ResourceRecords"]:
                try:
                    minimum = int(str(rec["ResourceRecords"][0]).split()[-1])
                except (ValueError, IndexError):
                    return None
                return min(int(rec["TTL"]), minimum) if rec.get("TTL") is not None else minimum
        return None


class View:
    """One consistent view of the emulated public hosted zones, taken once per resolution, with the work
    of that resolution."""

    def __init__(self, zones: list[Zone] | None = None) -> None:
        """`zones`: these instead of the emulator's (a resolution outside the emulator, in tests)."""
        self.work = Work()
        self.zones: list[Zone] = list(zones or [])
        self.pending_zones: list[str] = []  # names of zones whose creation is still PENDING
        if zones is not None:
            return
        with arc._R53_LOCK:  # arc's Route 53 lock: no batch or zone creation lands while the view is taken
            seen: set[str] = set()
            for zone in list(_route53().zones.values()):
                if _flag(getattr(zone, "private_zone", False)):
                    continue  # public resolvers never see private zones
                name = _bare(zone.name)
                if name in seen:
                    continue  # several public zones of one name: the first created answers
                view = arc.zone_view(zone.resource_id)
                if view is None:  # never tracked: its live records
                    self.zones.append(Zone(zone.resource_id, name, arc.zone_snapshot(zone), None, 0, None))
                elif view["records"] is None:
                    self.pending_zones.append(name)
                    continue
                else:
                    self.zones.append(Zone(zone.resource_id, name, view["records"], view["change_id"],
                                           view["pending"], view["next_insync_epoch"]))
                seen.add(name)

    def zone_for(self, name: str) -> Zone | None:
        """The most specific zone holding the name."""
        holding = [z for z in self.zones if z.holds(name)]
        return max(holding, key=lambda z: len(z.name)) if holding else None


# ---------------------------------------------------------------------------
# Record selection: routing policies and record health
# ---------------------------------------------------------------------------

def record_summary(rec: dict[str, Any]) -> dict[str, Any]:
    out = {"Name": rec["Name"], "Type": rec["Type"], "SetIdentifier": rec.get("SetIdentifier"),
           "Failover": rec.get("Failover"), "TTL": rec.get("TTL"), "HealthCheckId": rec.get("HealthCheckId")}
    if rec.get("AliasTarget"):
        out["AliasTarget"] = dict(rec["AliasTarget"])
    for key, _policy in UNSUPPORTED_POLICIES:
        if rec.get(key) is not None:
            out[key] = rec[key]
    return out


def _label(rec: dict[str, Any]) -> str:
    return f"{rec.get('Failover') or 'record'} {rec.get('SetIdentifier') or rec['Name']}"


def _alias_in_zone(rec: dict[str, Any], zone: Zone) -> bool:
    alias = rec.get("AliasTarget") or {}
    return _bare_zone_id(alias.get("HostedZoneId")) == _bare_zone_id(zone.id)


def record_health(view: View, zone: Zone, rec: dict[str, Any], depth: int = 0) -> tuple[bool, str]:
    """(healthy, why) of one record: its health check, and for an alias with EvaluateTargetHealth its target."""
    view.work.step(f"{_label(rec)} of {rec['Name']}")
    healthy, reasons = True, []
    check = rec.get("HealthCheckId")
    if check:
        ok, why = health_check_status(check, view.work)
        healthy, reasons = healthy and ok, reasons + [why]
    alias = rec.get("AliasTarget")
    if alias and alias.get("EvaluateTargetHealth"):
        target = _bare(str(alias.get("DNSName") or ""))
        if not _alias_in_zone(rec, zone):
            reasons.append(f"alias target {target} is outside the emulated zones: considered healthy")
        else:
            ok, why = target_health(view, zone, target, rec["Type"], depth + 1)
            healthy, reasons = healthy and ok, reasons + [why]
    elif alias and not check:
        reasons.append("alias with EvaluateTargetHealth false and no health check: always healthy")
    elif not check:
        reasons.append("no health check: always healthy")
    return healthy, "; ".join(reasons)


def target_health(view: View, zone: Zone, target: str, rtype: str, depth: int) -> tuple[bool, str]:
    """An alias target's health: a group of records is healthy when at least one of its records is.
    Evaluated once per resolution (per depth); again, its why only names the verdict."""
    view.work.step(f"alias target {target}")
    key = (zone.id, target, rtype, depth)
    if key in view.work.targets:
        healthy = view.work.targets[key][0]
        return healthy, f"alias target {target} {'healthy' if healthy else 'unhealthy'} (evaluated before)"
    view.work.targets[key] = result = _evaluate_target(view, zone, target, rtype, depth)
    return result


def _evaluate_target(view: View, zone: Zone, target: str, rtype: str, depth: int) -> tuple[bool, str]:
    if depth > MAX_HOPS:
        return False, f"alias target {target}: alias chain longer than {MAX_HOPS}: considered unhealthy"
    group = [r for r in zone.by_name.get(target, []) if r["Type"] in (rtype, "CNAME")]
    if not group:
        return False, f"alias target {target} has no {rtype} record: unhealthy"
    reasons = []
    for rec in group:
        ok, why = record_health(view, zone, rec, depth)
        if ok:
            return True, f"alias target {target} healthy ({_label(rec)} healthy)"
        reasons.append(f"{_label(rec)}: {why}")
    return False, _clip(f"alias target {target} unhealthy (" + "; ".join(reasons)) + ")"


def choose(view: View, zone: Zone, group: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str,
                                                                         list[dict[str, Any]]]:
    """(record, why, candidates) among the records of one name and type; record None when the group's
    routing policy is not emulated (why says so)."""
    for key, policy in UNSUPPORTED_POLICIES:
        if any(_uses(r, key) for r in group):
            return None, f"{policy} routing is not emulated by the resolver (only simple and failover)", []
    if all(not r.get("SetIdentifier") and not r.get("Failover") for r in group):
        return group[0], "simple record", []
    if not all(r.get("Failover") in ("PRIMARY", "SECONDARY") for r in group):
        return None, "records of one name and type with mixed routing policies", []
    primary = next((r for r in group if r["Failover"] == "PRIMARY"), None)
    secondary = next((r for r in group if r["Failover"] == "SECONDARY"), None)
    health = {id(r): record_health(view, zone, r) for r in (primary, secondary) if r is not None}
    candidates = [{"SetIdentifier": r.get("SetIdentifier"), "Failover": r["Failover"], "healthy": health[id(r)][0],
                   "health": health[id(r)][1]} for r in (primary, secondary) if r is not None]

    def state(rec: dict[str, Any]) -> str:
        ok, why = health[id(rec)]
        return f"{_label(rec)} {'healthy' if ok else 'unhealthy'} ({why})"

    if primary is not None and health[id(primary)][0]:
        return primary, f"failover: {state(primary)}", candidates
    if secondary is not None and health[id(secondary)][0]:
        first = state(primary) if primary is not None else "no PRIMARY"
        return secondary, f"failover: {first}; {state(secondary)}", candidates
    if primary is not None:
        second = state(secondary) if secondary is not None else "no SECONDARY"
        return primary, (f"failover: {state(primary)}; {second}; every record unhealthy: Route 53 considers "
                         f"all healthy and answers the PRIMARY"), candidates
    return secondary, (f"failover: no PRIMARY; {state(secondary)}; every record unhealthy: Route 53 considers "
                       f"all healthy and answers the SECONDARY"), candidates


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------

def _wildcard(zone: Zone, name: str) -> tuple[str, list[dict[str, Any]]] | None:
    """The wildcard records that synthesize `name` (RFC 4592: ``*.`` under the closest encloser)."""
    labels = name.rstrip(".").split(".")
    for i in range(1, len(labels)):
        ancestor = ".".join(labels[i:]) + "."
        if not zone.holds(ancestor):
            return None
        if ancestor in zone.by_name or zone.has_descendants(ancestor):
            wild = "*." + ancestor
            return (wild, zone.by_name[wild]) if zone.by_name.get(wild) else None
    return None


def lookup(view: View, zone: Zone, name: str, rtype: str) -> dict[str, Any]:
    """One step of a resolution inside one zone: ``{"kind": "answer"|"cname"|"alias"|"nodata"|"nxdomain"|
    "servfail", …}``."""
    at = zone.by_name.get(name, [])
    wildcard = None
    if not at:
        if zone.has_descendants(name):
            return {"kind": "nodata", "why": f"{name} has no records (only names below it)"}
        found = _wildcard(zone, name)
        if found is None:
            return {"kind": "nxdomain", "why": f"{name} does not exist in zone {zone.name}"}
        wildcard, at = found
    cnames = [r for r in at if r["Type"] == "CNAME"]
    group = cnames if cnames and rtype != "CNAME" else [r for r in at if r["Type"] == rtype]
    if not group:
        return {"kind": "nodata", "why": f"{name} has no {rtype} record"}
    rec, why, candidates = choose(view, zone, group)
    if wildcard:
        why = f"wildcard {wildcard}; {why}"
    if rec is None:
        return {"kind": "servfail", "why": why}
    step: dict[str, Any] = {"record": rec, "why": why, "candidates": candidates}
    if rec.get("AliasTarget"):
        target = _bare(str(rec["AliasTarget"].get("DNSName") or ""))
        return {**step, "kind": "alias", "target": target, "external": not _alias_in_zone(rec, zone)}
    if rec["Type"] == "CNAME" and rtype != "CNAME":
        return {**step, "kind": "cname", "target": _bare(str(rec["ResourceRecords"][0]))}
    return {**step, "kind": "answer", "values": list(rec["ResourceRecords"]), "ttl": rec.get("TTL")}


def resolve(name: str, rtype: str, view: View | None = None) -> dict[str, Any]:
    """Answers (name, type) as a Route 53 public resolver would (name normalized: lower case, final dot);
    `view`: the zones to answer from (default: the emulator's, now)."""
    started = time.time()
    view = view or View()
    result: dict[str, Any] = {"name": name, "type": rtype, "status": None, "answers": [], "ttl": None,
                              "record": None, "why": "", "chain": [], "zone": None, "change_id": None,
                              "pending_changes": 0, "target": None}
    whys: list[str] = []
    current, visited = name, set()
    for hop in range(MAX_HOPS + 1):
        zone = view.zone_for(current)
        if zone is None:
            if hop == 0:
                note = (f" (hosted zone {', '.join(view.pending_zones)} is still PENDING)"
                        if any(current == z or current.endswith("." + z) for z in view.pending_zones) else "")
                result.update(status="NXDOMAIN", why=f"no public hosted zone in the emulator holds {name}{note}")
            else:
                whys.append(f"{current} is outside the emulated zones: not resolved further")
                result.update(status="EXTERNAL", target=current)
            break
        if hop == 0:
            result.update(zone={"id": zone.id, "name": zone.name}, change_id=zone.change_id,
                          pending_changes=zone.pending)
        if current in visited:
            whys.append(f"{current} again: CNAME/alias loop")
            result["status"] = "SERVFAIL"
            break
        visited.add(current)
        try:
            step = lookup(view, zone, current, rtype)
        except BudgetExceeded as exc:
            whys.append(f"{current}: stopped: {exc}: SERVFAIL")
            result["status"] = "SERVFAIL"
            break
        whys.append(step["why"])
        if step["kind"] in ("nodata", "nxdomain"):
            result.update(status=step["kind"].upper(), ttl=zone.negative_ttl())
            break
        if step["kind"] == "servfail":
            result["status"] = "SERVFAIL"
            break
        if step["kind"] == "answer":
            result.update(status="NOERROR", answers=step["values"], ttl=step["ttl"],
                          record=record_summary(step["record"]), candidates=step["candidates"])
            break
        kind = "alias" if step["kind"] == "alias" else "CNAME"
        whys[-1] = f"{current} {kind} {step['target']}" + (f" ({step['why']})" if step["why"] != "simple record"
                                                           else "")
        result["chain"].append({"name": current, "type": step["record"]["Type"], "kind": kind,
                                "target": step["target"], "ttl": step["record"].get("TTL"),
                                "record": record_summary(step["record"]), "why": step["why"],
                                "candidates": step["candidates"]})
        if step["kind"] == "alias" and step["external"]:
            whys.append(f"alias target {step['target']} is outside the emulated zones: not resolved further")
            result.update(status="EXTERNAL", target=step["target"])
            break
        current = step["target"]
    else:
        whys.append(f"more than {MAX_HOPS} CNAME/alias steps")
        result["status"] = "SERVFAIL"
    result.setdefault("candidates", [])
    result["why"] = result["why"] or "; ".join(w for w in whys if w)
    result["time"], result["epoch"] = _now_iso(started), started
    return result


# ---------------------------------------------------------------------------
# The DNS log
# ---------------------------------------------------------------------------

def _decisive(result: dict[str, Any]) -> dict[str, Any]:
    """The record that decided the answer: the final one, or the nearest chain step with a SetIdentifier."""
    for rec in [result.get("record")] + [s["record"] for s in reversed(result["chain"])]:
        if rec and rec.get("SetIdentifier"):
            return rec
    return result.get("record") or {}


class DnsLog:
    """Every resolution (bounded list, exact total)."""

    def __init__(self, max_entries: int = 100000) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=max_entries)
        self._seq = 0

    def record(self, result: dict[str, Any], duration_ms: float) -> int:
        decisive = _decisive(result)
        entry = {"time": result["time"], "epoch": result["epoch"], "name": result["name"], "type": result["type"],
                 "status": result["status"], "answers": list(result["answers"]), "ttl": result["ttl"],
                 "set_identifier": decisive.get("SetIdentifier"), "failover": decisive.get("Failover"),
                 "chain": [s["name"] for s in result["chain"]], "target": result["target"],
                 "zone": (result["zone"] or {}).get("id"), "change_id": result["change_id"],
                 "why": result["why"], "duration_ms": duration_ms}
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            return self._seq

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()

    def query(self, name: str | None = None, rtype: str | None = None, status: str | None = None,
              value: str | None = None, set_identifier: str | None = None, since: float | None = None,
              until: float | None = None, limit: int | None = None) -> dict[str, Any]:
        name = _bare(name) if name else None
        with self._lock:
            entries = [dict(e) for e in self._entries]
        kept = [e for e in entries
                if (name is None or e["name"] == name) and (rtype is None or e["type"] == rtype.upper())
                and (status is None or e["status"] == status.upper())
                and (value is None or value in e["answers"])
                and (set_identifier is None or e["set_identifier"] == set_identifier)
                and (since is None or e["epoch"] >= since) and (until is None or e["epoch"] < until)]
        values: dict[str, dict[str, Any]] = {}
        identifiers: dict[str, dict[str, Any]] = {}
        statuses: collections.Counter[str] = collections.Counter()
        for e in kept:
            statuses[e["status"]] += 1
            keys = [(values, v) for v in e["answers"]]
            if e["set_identifier"]:
                keys.append((identifiers, e["set_identifier"]))
            for table, key in keys:
                row = table.setdefault(key, {"count": 0, "first_epoch": e["epoch"], "last_epoch": e["epoch"]})
                row["count"] += 1
                row["first_epoch"] = min(row["first_epoch"], e["epoch"])
                row["last_epoch"] = max(row["last_epoch"], e["epoch"])
        total = len(kept)
        if limit is not None and limit >= 0:
            kept = kept[-limit:] if limit else []
        return {"resolutions": kept, "total": total, "values": values, "set_identifiers": identifiers,
                "statuses": dict(sorted(statuses.items()))}


DNS_LOG = DnsLog()


# ---------------------------------------------------------------------------
# HTTP: /_dns/resolve and /_switchyard/dns/…
# ---------------------------------------------------------------------------

class BadInput(ValueError):
    pass


def is_resolver_path(path: str) -> bool:
    return path == DNS_PREFIX or path.startswith(DNS_PREFIX + "/")


def normalize_name(raw: str) -> str:
    """A query name: case-insensitive, trailing dot optional; printable ASCII labels of 1..63 characters,
    at most 253 characters without the final dot."""
    if not raw:
        raise BadInput("name is empty: give e.g. name=shop.unishop.example.")
    if raw == ".":
        return "."
    if not re.fullmatch(r"[!-~]+", raw):
        raise BadInput(f"name {raw!r} has whitespace or non-ASCII characters (give IDNs in punycode)")
    name = raw.lower()[:-1] if raw.endswith(".") else raw.lower()
    labels = name.split(".")
    if any(not label for label in labels):
        raise BadInput(f"name {raw!r} has an empty label")
    if any(len(label) > 63 for label in labels):
        raise BadInput(f"name {raw!r} has a label longer than 63 characters")
    if len(name) > 253:
        raise BadInput(f"name {raw!r} is longer than 253 characters")
    return name + "."


def _params(query_string: str) -> tuple[str, str]:
    params = parse_qs(query_string, keep_blank_values=True)
    unknown = set(params) - {"name", "type"}
    if unknown:
        raise BadInput(f"unknown parameters {sorted(unknown)}: give name and type (default A)")
    if any(len(v) > 1 for v in params.values()):
        raise BadInput("give name and type once each")
    if "name" not in params:
        raise BadInput("missing name: GET /_dns/resolve?name=shop.unishop.example.&type=A")
    name = normalize_name(params["name"][0])
    rtype = (params.get("type") or ["A"])[0].upper() or "A"
    if rtype not in RR_TYPES:
        raise BadInput(f"type {rtype!r} is not a Route 53 record type: one of {list(RR_TYPES)}")
    return name, rtype


def _respond(start_response: Callable[..., Any], status: int, payload: Any) -> list[bytes]:
    body = json.dumps(payload, default=str).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "Error")
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """WSGI: ``GET /_dns/resolve?name=…&type=…``."""
    path = environ.get("PATH_INFO", "")
    if path.rstrip("/") != RESOLVE_PATH:
        return _respond(start_response, 404, {"error": f"no resolver endpoint at {path}: use GET "
                                                       f"{RESOLVE_PATH}?name=shop.unishop.example.&type=A"})
    if environ.get("REQUEST_METHOD", "GET") != "GET":
        return _respond(start_response, 405, {"error": f"use GET {RESOLVE_PATH}?name=…&type=…"})
    try:
        name, rtype = _params(environ.get("QUERY_STRING", ""))
    except BadInput as exc:
        return _respond(start_response, 400, {"error": str(exc)})
    result = resolve(name, rtype)
    result["seq"] = DNS_LOG.record(result, round((time.time() - result["epoch"]) * 1000, 3))
    return _respond(start_response, 200, result)


def _log_filters(query: dict[str, str]) -> dict[str, Any]:
    if query.get("status") and query["status"].upper() not in STATUSES:
        raise ValueError(f"status must be one of {list(STATUSES)}")
    return {"name": query.get("name"), "rtype": query.get("type"), "status": query.get("status"),
            "value": query.get("value"), "set_identifier": query.get("set_identifier")}


HEALTH_CHECK_PATH_RE = re.compile(r"^dns/health-checks/([^/]+)$")


def control(path: str, method: str, query: dict[str, str], data: Any) -> tuple[int, Any] | None:
    """Answers the control routes of this module (``dns/…``); None for any other path."""
    handled = edge.log_control(path, method, query, "dns", DNS_LOG, _log_filters)
    if handled is not None:
        return handled
    if path == "dns/health-checks":
        if method == "POST":
            if data != {"clear": True}:
                return 400, {"error": 'expected {"clear": true}, or POST /_switchyard/dns/health-checks/<id> '
                                      '{"healthy": true|false|null}'}
            with _LOCK:
                _OVERRIDES.clear()
        elif method != "GET":
            return None
        checks = list(_route53().health_checks.values())
        work = Work()  # one request: what one check's evaluation found holds for the others
        return 200, {"health_checks": [describe_health_check(c, work) for c in checks]}
    match = HEALTH_CHECK_PATH_RE.match(path)
    if match:
        if method == "POST":
            return set_health(match.group(1), data)
        if method == "GET":
            check = _route53().health_checks.get(match.group(1))
            if check is None:
                return 404, {"error": f"no Route 53 health check {match.group(1)!r}"}
            return 200, {"health_check": describe_health_check(check)}
    return None
