"""Switchyard emulator: the DNS traffic kinds (Route 53 ARC routing controls, Route 53 failover records).

Two parts, both installed by ``switchyard_emulator.build_app()`` through ``install()``:

* **ARC routing controls data plane** (service ``route53-recovery-cluster``, not in moto at all):
  the four calls of the cluster API (GetRoutingControlState, UpdateRoutingControlState,
  UpdateRoutingControlStates, ListRoutingControls), AWS JSON 1.0 with
  ``X-Amz-Target: ToggleCustomerAPI.<Operation>``, answered by several regional endpoints of one
  cluster that share one state. An endpoint is a path prefix on the emulator's port::

      http://127.0.0.1:PORT/_arc/<cluster-name>/<endpoint-region>/v1

  (a real one is ``https://host.route53-recovery-cluster.<region>.amazonaws.com/v1``). Clusters,
  control panels, routing controls, safety (assertion) rules and endpoint outages are set up through
  the control API under ``/_switchyard/arc``.

* **Route 53 realism** on moto's own route53 models: ChangeResourceRecordSets is atomic and
  validated as AWS does it (CREATE of an existing record, DELETE of a missing one or with other
  values, two PRIMARY failover records for one name), keyed by name + type + SetIdentifier (moto
  deleted every record with the same SetIdentifier, whatever its name); change ids are real and
  ``GetChange`` reports ``PENDING`` for ``dns_seconds`` before ``INSYNC``; ListResourceRecordSets
  pages by StartRecordName/StartRecordType/StartRecordIdentifier with NextRecordIdentifier (moto
  ignored the identifier, so a failover pair could not be paged through); alias records carry no
  TTL; the SOA record's value is a string. Each change also keeps the zone's records as it left them
  (``zone_view()``): the DNS resolver (resolver.py) answers per the newest INSYNC one.

This module never imports ``switchyard_emulator`` (which usually runs as ``__main__``): the call log,
the runtime configuration and the request classifier are handed over by ``install()``.
"""
from __future__ import annotations

import base64
import copy
import datetime as _dt
import hashlib
import json
import random
import re
import string
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from typing import Any, Callable

SERVICE = "route53-recovery-cluster"
TARGET_PREFIX = "ToggleCustomerAPI."
ARC_PREFIX = "/_arc/"
ACCOUNT_ID = "123456789012"  # moto's default account
ARN_PREFIX = f"arn:aws:route53-recovery-control::{ACCOUNT_ID}"
OPERATIONS = ("GetRoutingControlState", "UpdateRoutingControlState", "UpdateRoutingControlStates",
              "ListRoutingControls")
STATES = ("On", "Off")
DOWN_MODES = ("unavailable", "timeout", "throttling", "internal")
DEFAULT_TIMEOUT_SECONDS = 30.0
LIST_DEFAULT_MAX_RESULTS = 500
RULE_TYPES = ("ATLEAST", "AND", "OR")

# HTTP status of each error of the route53-recovery-cluster model (AWS's Smithy model; botocore's
# JSON model lists the shapes without their status).
ERROR_STATUS = {
    "AccessDeniedException": 403, "ConflictException": 409, "EndpointTemporarilyUnavailableException": 503,
    "InternalServerException": 500, "ResourceNotFoundException": 404, "ServiceLimitExceededException": 402,
    "ThrottlingException": 429, "ValidationException": 400,
    # Errors of AWS's request layer (before the service sees the request).
    "InvalidSignatureException": 403, "MissingAuthenticationTokenException": 403,
    "UnknownOperationException": 400,
}

_BOUND: dict[str, Any] = {"calls": None, "config": None, "classify": None}


def install(calls: Any, config: Any, classify: Callable[[dict[str, Any], bytes | None], dict[str, Any]]) -> None:
    """Binds the emulator's call log, Config and classify(), and patches moto's route53 (idempotent)."""
    _BOUND.update(calls=calls, config=config, classify=classify)
    install_route53_extensions()


def reset() -> None:
    """Forgets every ARC cluster and every tracked Route 53 change (``POST /moto-api/reset``)."""
    ARC.reset()
    with _R53_LOCK:
        _CHANGES.clear()
        _ZONE_VERSIONS.clear()


def _now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def _hex(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


# ---------------------------------------------------------------------------
# ARC model: clusters, endpoints, control panels, routing controls, safety rules
# ---------------------------------------------------------------------------

class ArcError(Exception):
    """An AWS error of the data plane: JSON 1.0 ``{"__type": code, "message": …, **extra}``."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra
        self.status = ERROR_STATUS[code]


class ControlError(Exception):
    """A refused control-API request (status 400, 404 or 409)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Endpoint:
    def __init__(self, cluster: str, region: str) -> None:
        self.cluster = cluster
        self.region = region
        self.down = False
        self.mode: str | None = None
        self.timeout_seconds = DEFAULT_TIMEOUT_SECONDS
        self.wake = threading.Event()  # set when the endpoint comes back: held requests answer at once

    @property
    def id(self) -> str:
        return f"{self.cluster}/{self.region}"

    @property
    def path(self) -> str:
        return f"{ARC_PREFIX}{self.cluster}/{self.region}/v1"


class Cluster:
    def __init__(self, name: str, regions: list[str]) -> None:
        self.name = name
        self.arn = f"{ARN_PREFIX}:cluster/{uuid.uuid5(uuid.NAMESPACE_URL, 'switchyard-arc/' + name)}"
        self.endpoints: dict[str, Endpoint] = {r: Endpoint(name, r) for r in regions}  # in the given order
        self.panels: dict[str, dict[str, Any]] = {}    # arn -> {name, arn}
        self.controls: dict[str, dict[str, Any]] = {}  # arn -> {name, arn, panel_arn, state}
        self.rules: dict[str, dict[str, Any]] = {}     # arn -> {name, arn, panel_arn, type, threshold, asserted}

    # -- lookups (control API: a name or an ARN) --
    def panel(self, ref: Any) -> dict[str, Any]:
        if isinstance(ref, str):
            if ref in self.panels:
                return self.panels[ref]
            for panel in self.panels.values():
                if panel["name"] == ref:
                    return panel
        raise ControlError(404, f"no control panel {ref!r} in cluster {self.name}")

    def control(self, ref: Any, panel: dict[str, Any] | None = None) -> dict[str, Any]:
        if isinstance(ref, str):
            if ref in self.controls:
                return self.controls[ref]
            found = [c for c in self.controls.values()
                     if c["name"] == ref and (panel is None or c["panel_arn"] == panel["arn"])]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ControlError(400, f"routing control name {ref!r} is ambiguous: give its ARN")
        raise ControlError(404, f"no routing control {ref!r} in cluster {self.name}")

    # -- creation (validated before anything changes) --
    def add_panel(self, name: Any) -> dict[str, Any]:
        _check_name(name, "control panel name")
        if any(p["name"] == name for p in self.panels.values()):
            raise ControlError(409, f"control panel {name!r} already exists in cluster {self.name}")
        arn = f"{ARN_PREFIX}:controlpanel/{_hex(self.name + '/' + name, 32)}"
        panel = {"name": name, "arn": arn}
        self.panels[arn] = panel
        return panel

    def add_control(self, panel: dict[str, Any], name: Any, state: Any = "Off") -> dict[str, Any]:
        _check_name(name, "routing control name")
        if state not in STATES:
            raise ControlError(400, f"state must be On or Off, not {state!r}")
        if any(c["name"] == name and c["panel_arn"] == panel["arn"] for c in self.controls.values()):
            raise ControlError(409, f"routing control {name!r} already exists in control panel {panel['name']}")
        arn = f"{panel['arn']}/routingcontrol/{_hex(panel['arn'] + '/' + name, 16)}"
        control = {"name": name, "arn": arn, "panel_arn": panel["arn"], "state": state}
        self.controls[arn] = control
        return control

    def add_rule(self, panel: dict[str, Any], spec: Any) -> dict[str, Any]:
        if not isinstance(spec, dict):
            raise ControlError(400, "a safety rule is an object")
        unknown = set(spec) - {"name", "asserted_controls", "type", "threshold", "cluster", "control_panel"}
        if unknown:
            raise ControlError(400, f"unknown safety rule keys: {sorted(unknown)}")
        name = spec.get("name")
        _check_name(name, "safety rule name")
        if any(r["name"] == name and r["panel_arn"] == panel["arn"] for r in self.rules.values()):
            raise ControlError(409, f"safety rule {name!r} already exists in control panel {panel['name']}")
        asserted = spec.get("asserted_controls")
        if not isinstance(asserted, list) or not asserted:
            raise ControlError(400, "asserted_controls must be a non-empty list of routing control names or ARNs")
        arns = []
        for ref in asserted:
            control = self.control(ref, panel)
            if control["panel_arn"] != panel["arn"]:
                raise ControlError(400, f"routing control {ref!r} is not in control panel {panel['name']}")
            if control["arn"] in arns:
                raise ControlError(400, f"routing control {ref!r} is asserted twice")
            arns.append(control["arn"])
        rule_type = spec.get("type", "ATLEAST")
        if rule_type not in RULE_TYPES:
            raise ControlError(400, f"type must be one of {list(RULE_TYPES)}")
        threshold = spec.get("threshold", 1 if rule_type != "AND" else len(arns))
        if rule_type == "AND":
            threshold = len(arns)
        elif rule_type == "OR":
            threshold = 1
        if isinstance(threshold, bool) or not isinstance(threshold, int) or not 1 <= threshold <= len(arns):
            raise ControlError(400, f"threshold must be an integer within [1, {len(arns)}]")
        arn = f"{panel['arn']}/safetyrule/{_hex(panel['arn'] + '/rule/' + name, 16)}"
        rule = {"name": name, "arn": arn, "panel_arn": panel["arn"], "type": rule_type,
                "threshold": threshold, "asserted": arns}
        self.rules[arn] = rule
        return rule

    # -- state for the control API --
    def describe(self, base_url: str) -> dict[str, Any]:
        return {
            "name": self.name, "arn": self.arn,
            "endpoints": [{"id": e.id, "region": e.region, "path": e.path, "url": base_url + e.path,
                           "down": e.down, "mode": e.mode, "timeout_seconds": e.timeout_seconds}
                          for e in self.endpoints.values()],
            "control_panels": [{"name": p["name"], "arn": p["arn"],
                                "routing_controls": [c["arn"] for c in self.controls.values()
                                                     if c["panel_arn"] == p["arn"]],
                                "safety_rules": [r["arn"] for r in self.rules.values() if r["panel_arn"] == p["arn"]]}
                               for p in self.panels.values()],
            "routing_controls": [self.describe_control(c) for c in self.controls.values()],
            "safety_rules": [{"name": r["name"], "arn": r["arn"], "control_panel_arn": r["panel_arn"],
                              "type": r["type"], "threshold": r["threshold"],
                              "asserted_controls": list(r["asserted"])} for r in self.rules.values()],
        }

    def describe_control(self, c: dict[str, Any]) -> dict[str, Any]:
        return {"name": c["name"], "arn": c["arn"], "state": c["state"], "control_panel_arn": c["panel_arn"],
                "control_panel_name": self.panels[c["panel_arn"]]["name"]}


def _check_name(name: Any, what: str) -> None:
    # RoutingControlName / ControlPanelName: 1..64 characters, no whitespace.
    if not isinstance(name, str) or not re.fullmatch(r"\S{1,64}", name):
        raise ControlError(400, f"{what} must be 1 to 64 characters without whitespace, not {name!r}")


class ArcState:
    """Every cluster of the emulator; one lock for all (calls are tiny)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clusters: dict[str, Cluster] = {}

    def reset(self) -> None:
        with self.lock:
            for cluster in self.clusters.values():
                for endpoint in cluster.endpoints.values():
                    endpoint.wake.set()
            self.clusters.clear()

    def cluster(self, name: Any) -> Cluster:
        if not isinstance(name, str) or name not in self.clusters:
            raise ControlError(404, f"no ARC cluster {name!r}")
        return self.clusters[name]


ARC = ArcState()


def routing_control(arn: str) -> dict[str, Any] | None:
    """A routing control of any emulated cluster by ARN: ``{"name", "arn", "state", "cluster",
    "control_panel_name"}`` (its state as the data plane last set it), or None."""
    with ARC.lock:
        for cluster in ARC.clusters.values():
            control = cluster.controls.get(arn)
            if control is not None:
                return {"name": control["name"], "arn": arn, "state": control["state"], "cluster": cluster.name,
                        "control_panel_name": cluster.panels[control["panel_arn"]]["name"]}
    return None


# ---------------------------------------------------------------------------
# Control API: /_switchyard/arc…
# ---------------------------------------------------------------------------

REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
CLUSTER_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # it is a URL path segment


def _base_url(environ: dict[str, Any]) -> str:
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '')}"
    return f"http://{host}"


def _only(data: Any, allowed: set[str], what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ControlError(400, f"{what}: expected a JSON object")
    unknown = set(data) - allowed
    if unknown:
        raise ControlError(400, f"{what}: unknown keys {sorted(unknown)}")
    return data


def _build_panel(cluster: Cluster, spec: Any) -> dict[str, Any]:
    spec = _only(spec, {"name", "routing_controls", "safety_rules", "cluster"}, "control panel")
    panel = cluster.add_panel(spec.get("name"))
    controls = spec.get("routing_controls", [])
    rules = spec.get("safety_rules", [])
    if not isinstance(controls, list) or not isinstance(rules, list):
        raise ControlError(400, "routing_controls and safety_rules must be lists")
    for control in controls:
        control = _only(control, {"name", "state"}, "routing control")
        cluster.add_control(panel, control.get("name"), control.get("state", "Off"))
    for rule in rules:
        cluster.add_rule(panel, rule)
    return panel


def control(path: str, method: str, query: dict[str, str], data: Any,
            environ: dict[str, Any]) -> tuple[int, Any]:
    """``/_switchyard/arc[/…]`` (path without the ``/_switchyard/`` prefix) → (status, JSON payload)."""
    base = _base_url(environ)
    try:
        with ARC.lock:
            if path == "arc" and method == "GET":
                names = [query["cluster"]] if "cluster" in query else list(ARC.clusters)
                return 200, {"clusters": [ARC.cluster(n).describe(base) for n in names]}
            if path == "arc/reset" and method == "POST":
                ARC.reset()
                return 200, {"reset": True}
            if path == "arc/clusters" and method == "POST":
                data = _only(data, {"name", "regions", "control_panels"}, "cluster")
                name, regions = data.get("name"), data.get("regions")
                if not isinstance(name, str) or not CLUSTER_NAME_RE.match(name):
                    raise ControlError(400, "name must be 1 to 64 characters among A-Z a-z 0-9 _ . -")
                if name in ARC.clusters:
                    raise ControlError(409, f"ARC cluster {name!r} already exists")
                if (not isinstance(regions, list) or not regions
                        or not all(isinstance(r, str) and REGION_RE.match(r) for r in regions)
                        or len(set(regions)) != len(regions)):
                    raise ControlError(400, "regions must be a non-empty list of distinct region names")
                cluster = Cluster(name, regions)  # built aside: nothing exists until it is complete
                panels = data.get("control_panels", [])
                if not isinstance(panels, list):
                    raise ControlError(400, "control_panels must be a list")
                for spec in panels:
                    _build_panel(cluster, spec)
                ARC.clusters[name] = cluster
                return 200, {"cluster": cluster.describe(base)}
            if path == "arc/control-panels" and method == "POST":
                data = _only(data, {"cluster", "name", "routing_controls", "safety_rules"}, "control panel")
                cluster = ARC.cluster(data.get("cluster"))
                trial = (dict(cluster.panels), dict(cluster.controls), dict(cluster.rules))  # all or nothing
                try:
                    panel = _build_panel(cluster, data)
                except ControlError:
                    cluster.panels, cluster.controls, cluster.rules = trial
                    raise
                return 200, {"control_panel": panel, "cluster": cluster.describe(base)}
            if path == "arc/routing-controls" and method == "POST":
                data = _only(data, {"cluster", "control_panel", "name", "state"}, "routing control")
                cluster = ARC.cluster(data.get("cluster"))
                panel = cluster.panel(data.get("control_panel"))
                made = cluster.add_control(panel, data.get("name"), data.get("state", "Off"))
                return 200, {"routing_control": cluster.describe_control(made)}
            if path == "arc/safety-rules" and method == "POST":
                data = _only(data, {"cluster", "control_panel", "name", "asserted_controls", "type", "threshold"},
                             "safety rule")
                cluster = ARC.cluster(data.get("cluster"))
                panel = cluster.panel(data.get("control_panel"))
                rule = cluster.add_rule(panel, data)
                return 200, {"safety_rule": next(r for r in cluster.describe(base)["safety_rules"]
                                                 if r["arn"] == rule["arn"])}
            if path == "arc/endpoint" and method == "POST":
                data = _only(data, {"cluster", "region", "down", "mode", "timeout_seconds"}, "endpoint")
                cluster = ARC.cluster(data.get("cluster"))
                endpoint = cluster.endpoints.get(data.get("region"))
                if endpoint is None:
                    raise ControlError(404, f"cluster {cluster.name} has no endpoint in {data.get('region')!r}")
                down = data.get("down")
                if not isinstance(down, bool):
                    raise ControlError(400, 'expected {"down": true|false}')
                mode = data.get("mode", "unavailable") if down else None
                if down and mode not in DOWN_MODES:
                    raise ControlError(400, f"mode must be one of {list(DOWN_MODES)}")
                timeout = data.get("timeout_seconds", endpoint.timeout_seconds)
                if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 <= timeout <= 3600:
                    raise ControlError(400, "timeout_seconds must be a number within [0, 3600]")
                endpoint.timeout_seconds = float(timeout)
                if not down and endpoint.down:
                    endpoint.wake.set()  # requests held by "timeout" answer (503) now
                    endpoint.wake = threading.Event()
                endpoint.down, endpoint.mode = down, mode
                return 200, {"endpoint": next(e for e in cluster.describe(base)["endpoints"]
                                              if e["region"] == endpoint.region)}
    except ControlError as exc:
        return exc.status, {"error": str(exc)}
    return 404, {"error": f"no control endpoint {method} /{path}"}


# ---------------------------------------------------------------------------
# ARC data plane: /_arc/<cluster>/<region>/v1
# ---------------------------------------------------------------------------

ENDPOINT_PATH_RE = re.compile(r"^/_arc/([^/]+)/([^/]+)/v1/?$")
ARN_RE = re.compile(r"^[A-Za-z0-9:.\/_-]*$")
RECORDED_ARC_PARAMS = ("RoutingControlArn", "RoutingControlState", "UpdateRoutingControlStateEntries",
                       "SafetyRulesToOverride")


def is_arc_path(path: str) -> bool:
    return path.startswith(ARC_PREFIX)


def _arc_params(body: bytes | None) -> dict[str, Any]:
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: data[k] for k in RECORDED_ARC_PARAMS if k in data}


def handle(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answers one data-plane request and records it in the call log."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    path = environ.get("PATH_INFO", "")
    match = ENDPOINT_PATH_RE.match(path)
    classify = _BOUND["classify"]
    entry = classify(environ, body) if classify else {
        "time": _now_iso(), "epoch": time.time(), "method": environ.get("REQUEST_METHOD", ""), "path": path,
        "query": environ.get("QUERY_STRING", ""), "operation": None, "mutating": False}
    signed_region, signed_service = entry.get("region"), entry.get("service")
    entry["service"] = SERVICE
    entry["region"] = match.group(2) if match else None
    entry["endpoint"] = f"{match.group(1)}/{match.group(2)}" if match else None
    entry["cluster"] = match.group(1) if match else None
    entry["signed"] = {"region": signed_region, "service": signed_service}
    entry.pop("params", None)
    if entry.get("mutating"):
        entry["params"] = _arc_params(body)
    request_id = str(uuid.uuid4())
    try:
        status, payload = _serve(match, environ, entry.get("operation"), body)
    except ArcError as err:
        status = err.status
        payload = {"__type": err.code, "message": err.message, **err.extra}
        entry["error"] = err.code
    except Exception as exc:  # a bug of ours: still a JSON 1.0 answer
        status = 500
        payload = {"__type": "InternalServerException", "message": f"emulator error: {exc!r}"}
        entry["error"] = "InternalServerException"
    data = json.dumps(payload).encode()
    headers = [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data))),
               ("x-amzn-RequestId", request_id)]
    if "__type" in payload:
        headers.append(("x-amzn-ErrorType", payload["__type"]))
    entry["status"] = status
    entry["request_id"] = request_id
    calls = _BOUND["calls"]
    if calls is not None:
        calls.record(entry)
    reason = {200: "OK", 400: "Bad Request", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
              409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error",
              503: "Service Unavailable"}.get(status, "Error")
    start_response(f"{status} {reason}", headers)
    return [data]


def _serve(match: re.Match | None, environ: dict[str, Any], operation: str | None,
           body: bytes) -> tuple[int, dict[str, Any]]:
    if match is None:
        raise ArcError("ResourceNotFoundException",
                       f"No ARC cluster endpoint at {environ.get('PATH_INFO')}: endpoints are "
                       f"{ARC_PREFIX}<cluster>/<region>/v1", resourceId=environ.get("PATH_INFO", ""),
                       resourceType="Endpoint")
    cluster_name, region = match.group(1), match.group(2)
    with ARC.lock:
        cluster = ARC.clusters.get(cluster_name)
        endpoint = cluster.endpoints.get(region) if cluster else None
        if endpoint is None:
            # On AWS such a host would not resolve; here: a 404 that says which endpoints exist.
            raise ArcError("ResourceNotFoundException",
                           f"No ARC cluster endpoint {cluster_name}/{region} "
                           f"(see GET /_switchyard/arc)", resourceId=f"{cluster_name}/{region}",
                           resourceType="Endpoint")
        down, mode, timeout, wake = endpoint.down, endpoint.mode, endpoint.timeout_seconds, endpoint.wake
    if down:
        if mode == "timeout":
            wake.wait(timeout)  # longer than the client waits; released when the endpoint comes back
            raise ArcError("EndpointTemporarilyUnavailableException",
                           f"The cluster endpoint in {region} is temporarily unavailable. Retry with another "
                           f"cluster endpoint.")
        if mode == "throttling":
            raise ArcError("ThrottlingException", "Rate exceeded", retryAfterSeconds=1)
        if mode == "internal":
            raise ArcError("InternalServerException", "An internal error occurred.", retryAfterSeconds=1)
        raise ArcError("EndpointTemporarilyUnavailableException",
                       f"The cluster endpoint in {region} is temporarily unavailable. Retry with another "
                       f"cluster endpoint.")
    _authenticate(environ, region)
    if environ.get("REQUEST_METHOD") != "POST":
        raise ArcError("UnknownOperationException", "")
    target = environ.get("HTTP_X_AMZ_TARGET") or ""
    if not target.startswith(TARGET_PREFIX) or operation not in OPERATIONS:
        raise ArcError("UnknownOperationException", "")
    try:
        data = json.loads(body) if body.strip() else {}
    except ValueError:
        raise ArcError("ValidationException", "Unable to parse the request body as JSON.",
                       reason="cannotParse") from None
    if not isinstance(data, dict):
        raise ArcError("ValidationException", "The request body must be a JSON object.", reason="cannotParse")
    with ARC.lock:
        cluster = ARC.clusters.get(cluster_name)
        if cluster is None:  # reset meanwhile
            raise ArcError("EndpointTemporarilyUnavailableException",
                           f"The cluster endpoint in {region} is temporarily unavailable.")
        return 200, OPERATION_HANDLERS[operation](cluster, data)


AUTH_RE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")


def _authenticate(environ: dict[str, Any], region: str) -> None:
    """The credential scope must name this endpoint's region and the service (as AWS's request layer checks
    before the service; the signature itself is not verified, as nowhere in the emulator)."""
    header = environ.get("HTTP_AUTHORIZATION") or ""
    match = AUTH_RE.search(header)
    if not header.startswith("AWS4-HMAC-SHA256") or not match:
        raise ArcError("MissingAuthenticationTokenException", "Missing Authentication Token")
    signed_region, signed_service = match.group(3), match.group(4)
    if signed_service != SERVICE:
        raise ArcError("InvalidSignatureException",
                       f"Credential should be scoped to correct service: '{SERVICE}'. ")
    if signed_region != region:
        raise ArcError("InvalidSignatureException",
                       f"Credential should be scoped to a valid region, not '{signed_region}'. ")


# -- request validation as the model says (Smithy-style messages) --

class _Validation:
    def __init__(self) -> None:
        self.fields: list[dict[str, str]] = []

    def add(self, name: str, message: str) -> None:
        self.fields.append({"name": name, "message": message})

    def arn(self, value: Any, name: str, required: bool = True) -> None:
        if value is None:
            if required:
                self.add(name, "Member must not be null")
            return
        if not isinstance(value, str):
            self.add(name, "Member must be a string")
        elif not 1 <= len(value) <= 255:
            self.add(name, "Member must have length between 1 and 255")
        elif not ARN_RE.match(value):
            self.add(name, "Member must satisfy regular expression pattern: ^[A-Za-z0-9:.\\/_-]*$")

    def state(self, value: Any, name: str) -> None:
        if value is None:
            self.add(name, "Member must not be null")
        elif value not in STATES:
            self.add(name, "Member must satisfy enum value set: [On, Off]")

    def arns(self, value: Any, name: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.add(name, "Member must be a list")
            return
        for i, item in enumerate(value):
            self.arn(item, f"{name}.{i + 1}")

    def raise_if_any(self) -> None:
        if self.fields:
            count = len(self.fields)
            details = "; ".join(f"Value at '{f['name']}' failed to satisfy constraint: {f['message']}"
                                for f in self.fields)
            raise ArcError("ValidationException",
                           f"{count} validation error{'s' if count > 1 else ''} detected: {details}",
                           reason="fieldValidationFailed", fields=self.fields)


def _not_found_control(arn: str) -> ArcError:
    return ArcError("ResourceNotFoundException", f"Routing control {arn} not found in this cluster.",
                    resourceId=arn, resourceType="RoutingControl")


def _get_state(cluster: Cluster, data: dict[str, Any]) -> dict[str, Any]:
    check = _Validation()
    check.arn(data.get("RoutingControlArn"), "routingControlArn")
    check.raise_if_any()
    control = cluster.controls.get(data["RoutingControlArn"])
    if control is None:
        raise _not_found_control(data["RoutingControlArn"])
    return {"RoutingControlArn": control["arn"], "RoutingControlState": control["state"],
            "RoutingControlName": control["name"]}


def _apply(cluster: Cluster, changes: dict[str, str], overrides: list[str]) -> None:
    """All or nothing: every control must exist and every safety rule touched by the change must hold
    afterwards (unless overridden), else nothing changes."""
    for arn in changes:
        if arn not in cluster.controls:
            raise _not_found_control(arn)
    after = {arn: c["state"] for arn, c in cluster.controls.items()}
    after.update(changes)
    for rule in cluster.rules.values():
        if rule["arn"] in overrides or not set(rule["asserted"]) & set(changes):
            continue
        on = sum(1 for arn in rule["asserted"] if after[arn] == "On")
        if on < rule["threshold"]:
            names = ", ".join(cluster.controls[a]["name"] for a in rule["asserted"])
            raise ArcError(
                "ConflictException",
                f"The routing control state change would violate safety rule {rule['name']} ({rule['arn']}): "
                f"at least {rule['threshold']} of the routing controls [{names}] must be On, "
                f"{on} would be. Nothing was changed.",
                resourceId=rule["arn"], resourceType="SafetyRule")
    for arn, state in changes.items():
        cluster.controls[arn]["state"] = state


def _update_state(cluster: Cluster, data: dict[str, Any]) -> dict[str, Any]:
    check = _Validation()
    check.arn(data.get("RoutingControlArn"), "routingControlArn")
    check.state(data.get("RoutingControlState"), "routingControlState")
    check.arns(data.get("SafetyRulesToOverride"), "safetyRulesToOverride")
    check.raise_if_any()
    _apply(cluster, {data["RoutingControlArn"]: data["RoutingControlState"]},
           list(data.get("SafetyRulesToOverride") or []))
    return {}


def _update_states(cluster: Cluster, data: dict[str, Any]) -> dict[str, Any]:
    check = _Validation()
    entries = data.get("UpdateRoutingControlStateEntries")
    if entries is None:
        check.add("updateRoutingControlStateEntries", "Member must not be null")
    elif not isinstance(entries, list):
        check.add("updateRoutingControlStateEntries", "Member must be a list")
    else:
        if not entries:
            check.add("updateRoutingControlStateEntries", "Member must have at least 1 entry")
        for i, item in enumerate(entries):
            where = f"updateRoutingControlStateEntries.{i + 1}"
            if not isinstance(item, dict):
                check.add(where, "Member must be a structure")
                continue
            check.arn(item.get("RoutingControlArn"), f"{where}.routingControlArn")
            check.state(item.get("RoutingControlState"), f"{where}.routingControlState")
    check.arns(data.get("SafetyRulesToOverride"), "safetyRulesToOverride")
    check.raise_if_any()
    changes: dict[str, str] = {}
    for item in entries:
        arn = item["RoutingControlArn"]
        if arn in changes:
            raise ArcError("ValidationException", f"Routing control {arn} appears more than once in the request.",
                           reason="other")
        changes[arn] = item["RoutingControlState"]
    _apply(cluster, changes, list(data.get("SafetyRulesToOverride") or []))
    return {}


def _page_token(index: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"i": index}).encode()).decode()


def _list_controls(cluster: Cluster, data: dict[str, Any]) -> dict[str, Any]:
    check = _Validation()
    check.arn(data.get("ControlPanelArn"), "controlPanelArn", required=False)
    token, limit = data.get("NextToken"), data.get("MaxResults")
    if token is not None and (not isinstance(token, str) or not 1 <= len(token) <= 8096):
        check.add("nextToken", "Member must have length between 1 and 8096")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        check.add("maxResults", "Member must be greater than or equal to 1")
    check.raise_if_any()
    panel_arn = data.get("ControlPanelArn")
    if panel_arn is not None and panel_arn not in cluster.panels:
        raise ArcError("ResourceNotFoundException", f"Control panel {panel_arn} not found in this cluster.",
                       resourceId=panel_arn, resourceType="ControlPanel")
    start = 0
    if token is not None:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(token.encode()))["i"])
        except (ValueError, KeyError, TypeError):
            raise ArcError("ValidationException", "The NextToken is not valid.", reason="other") from None
    controls = [c for c in cluster.controls.values() if panel_arn is None or c["panel_arn"] == panel_arn]
    size = limit or LIST_DEFAULT_MAX_RESULTS
    page = controls[start:start + size]
    result: dict[str, Any] = {"RoutingControls": [
        {"ControlPanelArn": c["panel_arn"], "ControlPanelName": cluster.panels[c["panel_arn"]]["name"],
         "RoutingControlArn": c["arn"], "RoutingControlName": c["name"], "RoutingControlState": c["state"],
         "Owner": ACCOUNT_ID} for c in page]}
    if start + size < len(controls):
        result["NextToken"] = _page_token(start + size)
    return result


OPERATION_HANDLERS: dict[str, Callable[[Cluster, dict[str, Any]], dict[str, Any]]] = {
    "GetRoutingControlState": _get_state,
    "UpdateRoutingControlState": _update_state,
    "UpdateRoutingControlStates": _update_states,
    "ListRoutingControls": _list_controls,
}


# ---------------------------------------------------------------------------
# Route 53: call-log params of ChangeResourceRecordSets
# ---------------------------------------------------------------------------

RRSET_PATH_RE = re.compile(r"^/2013-04-01/hostedzone/([^/]+)/rrset/?$")


def wants_body(environ: dict[str, Any]) -> bool:
    """True for a request whose body recorded_params() reads (Route 53 ChangeResourceRecordSets)."""
    return environ.get("REQUEST_METHOD") == "POST" and bool(RRSET_PATH_RE.match(environ.get("PATH_INFO", "")))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def recorded_params(service: str | None, operation: str | None, path: str,
                    body: bytes | None) -> dict[str, Any] | None:
    """Call-log ``params`` of a Route 53 ChangeResourceRecordSets (hosted zone and, per change, Action,
    Name, Type, SetIdentifier, Failover) or of a mutating ARC call; None for anything else."""
    if service == SERVICE and operation in ("UpdateRoutingControlState", "UpdateRoutingControlStates"):
        return _arc_params(body)
    if service != "route53" or operation != "ChangeResourceRecordSets":
        return None
    match = RRSET_PATH_RE.match(path or "")
    params: dict[str, Any] = {"HostedZoneId": match.group(1) if match else None, "Changes": []}
    try:
        root = ET.fromstring(body or b"")
    except ET.ParseError:
        return params
    for batch in (e for e in root.iter() if _local(e.tag) == "ChangeBatch"):
        for child in batch:
            if _local(child.tag) == "Comment" and child.text:
                params["Comment"] = child.text
    for element in root.iter():
        if _local(element.tag) != "Change":
            continue
        change: dict[str, Any] = {}
        for child in element:
            if _local(child.tag) == "Action":
                change["Action"] = (child.text or "").strip()
            elif _local(child.tag) == "ResourceRecordSet":
                for field in child:
                    key = _local(field.tag)
                    if key in ("Name", "Type", "SetIdentifier", "Failover"):
                        change[key] = (field.text or "").strip()
        params["Changes"].append(change)
    return params


# ---------------------------------------------------------------------------
# Route 53 extensions on moto's models
# ---------------------------------------------------------------------------

_R53_LOCK = threading.RLock()
# change id (without /change/) -> {submitted, epoch, seconds, deadline, comment, zone}
_CHANGES: dict[str, dict[str, Any]] = {}
# hosted zone id -> the zone's records after each of its changes, oldest first:
# [{"change_id", "deadline", "records"}]; what a resolver sees is the newest one that is INSYNC.
_ZONE_VERSIONS: dict[str, list[dict[str, Any]]] = {}
_R53_INSTALLED = False
RECORD_VALUE_KEYS = ("TTL", "ResourceRecords", "AliasTarget", "HealthCheckId", "Failover", "Weight", "Region",
                     "GeoLocation", "MultiValueAnswer", "CidrRoutingConfig", "GeoProximityLocation")


def _new_change(comment: str | None = None, zone_id: str | None = None,
                records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Issues a change id, PENDING for ``dns_seconds``. With `zone_id` the change also records the zone's
    records after it (`records`): a zone's changes go INSYNC in the order they were made (a change is never
    INSYNC before an earlier change of its zone), and a resolver answers per the newest INSYNC one."""
    change_id = "C" + "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(13))
    config = _BOUND["config"]
    seconds = float(getattr(config, "dns_seconds", 0.0) or 0.0)
    submitted = _dt.datetime.now(_dt.timezone.utc)
    now = time.time()
    with _R53_LOCK:
        deadline = now + seconds
        versions = _ZONE_VERSIONS.setdefault(zone_id, []) if zone_id else None
        if versions:
            deadline = max(deadline, versions[-1]["deadline"])
        _CHANGES[change_id] = {"submitted": submitted, "epoch": now, "seconds": seconds, "deadline": deadline,
                               "comment": comment, "zone": zone_id}
        if versions is not None:
            versions.append({"change_id": change_id, "deadline": deadline, "records": records or []})
            _trim_versions(versions, now)
    return _change_info(change_id)


def _trim_versions(versions: list[dict[str, Any]], now: float) -> None:
    """Forgets the versions older than the newest INSYNC one (no resolver can see them any more)."""
    insync = [i for i, v in enumerate(versions) if v["deadline"] <= now]
    if insync and insync[-1] > 0:
        del versions[:insync[-1]]


def zone_snapshot(zone: Any) -> list[dict[str, Any]]:
    """The records of a moto hosted zone as plain dicts (ListResourceRecordSets' field names; ResourceRecords
    as a list of values; AliasTarget with a boolean EvaluateTargetHealth), in the zone's order."""
    out = []
    for rec in zone.rrsets:
        ttl = int(rec.ttl) if isinstance(rec.ttl, str) and rec.ttl.isdigit() else rec.ttl
        item: dict[str, Any] = {"Name": rec.name if rec.name.endswith(".") else rec.name + ".", "Type": str(rec.type),
                                "TTL": ttl, "ResourceRecords": [str(v) for v in (rec.records or [])],
                                "SetIdentifier": rec.set_identifier, "Failover": rec.failover,
                                "HealthCheckId": rec.health_check_id}
        alias = rec.alias_target
        if isinstance(alias, dict):
            evaluate = alias.get("EvaluateTargetHealth")
            item["AliasTarget"] = {"HostedZoneId": alias.get("HostedZoneId"), "DNSName": alias.get("DNSName"),
                                   "EvaluateTargetHealth": evaluate is True or str(evaluate).lower() == "true"}
        for key, attr in (("Weight", "weight"), ("Region", "region"), ("GeoLocation", "geo_location"),
                          ("MultiValueAnswer", "multi_value_answer"), ("CidrRoutingConfig", "cidr_routing_config"),
                          ("GeoProximityLocation", "geo_proximity_location")):
            value = getattr(rec, attr, None)
            if value is not None:
                item[key] = copy.deepcopy(value)
        out.append(item)
    return out


def zone_view(zone_id: str) -> dict[str, Any] | None:
    """What a resolver sees of a hosted zone: ``{"records": [...] | None, "change_id": "/change/C…" | None,
    "pending": N, "next_insync_epoch": epoch | None}`` — the records as the zone's newest INSYNC change left
    them (None while even the zone's creation is PENDING), and how many newer changes are still PENDING.
    None for a zone the emulator never tracked (created before the extensions were installed). The records
    are shared with later calls: read them, never change them."""
    now = time.time()
    with _R53_LOCK:
        versions = _ZONE_VERSIONS.get(zone_id)
        if not versions:
            return None
        _trim_versions(versions, now)
        visible = versions[0] if versions[0]["deadline"] <= now else None
        later = versions[1:] if visible else versions
        return {"records": visible["records"] if visible else None,
                "change_id": f"/change/{visible['change_id']}" if visible else None,
                "pending": len(later), "next_insync_epoch": later[0]["deadline"] if later else None}


def _change_info(change_id: str) -> dict[str, Any]:
    with _R53_LOCK:
        change = _CHANGES[change_id]
    pending = time.time() < change["deadline"]
    info = {"Id": f"/change/{change_id}", "Status": "PENDING" if pending else "INSYNC",
            "SubmittedAt": change["submitted"]}
    if change["comment"]:
        info["Comment"] = change["comment"]
    return info


def change_status(change_id: str) -> str | None:
    """PENDING / INSYNC of a change issued by the emulator (None if unknown)."""
    change_id = change_id.rsplit("/", 1)[-1]
    with _R53_LOCK:
        if change_id not in _CHANGES:
            return None
    return _change_info(change_id)["Status"]


def install_route53_extensions() -> None:
    """Patch moto's route53 backend/responses in place (idempotent)."""
    global _R53_INSTALLED
    if _R53_INSTALLED:
        return
    from moto.core.responses import ActionResult
    from moto.route53.exceptions import (DnsNameInvalidForZone, InvalidActionValue, InvalidInput,
                                         Route53ClientError)
    from moto.route53.models import RecordSet, Route53Backend, reverse_domain_name
    from moto.route53.responses import Route53
    from moto.route53.utils import validate_domain_name

    def invalid_batch(message: str) -> Route53ClientError:
        return Route53ClientError("InvalidChangeBatch", f"[{message}]")

    # -- alias records carry no TTL (moto answered TTL 0) --
    original_record_init = RecordSet.__init__

    def record_init(self: RecordSet, kwargs: dict[str, Any]) -> None:
        original_record_init(self, kwargs)
        if "TTL" not in kwargs:
            self.ttl = None

    RecordSet.__init__ = record_init  # type: ignore[method-assign]

    # -- the SOA record's value is a string (moto wrapped the {"Value": …} dict once more) --
    original_create_zone = Route53Backend.create_hosted_zone

    def create_hosted_zone(self: Route53Backend, *args: Any, **kwargs: Any) -> Any:
        zone = original_create_zone(self, *args, **kwargs)
        for rrset in zone.rrsets:
            rrset.records = [r["Value"] if isinstance(r, dict) and "Value" in r else r for r in rrset.records]
            if rrset.type == "SOA":
                rrset.records = [r.replace(" hostmaster.example.com. ", " awsdns-hostmaster.amazon.com. ")
                                 for r in rrset.records]
            if rrset.type == "NS" and isinstance(rrset.ttl, str) and rrset.ttl.isdigit():
                rrset.ttl = int(rrset.ttl)
        return zone

    Route53Backend.create_hosted_zone = create_hosted_zone  # type: ignore[method-assign]

    def key_of(name: str, rtype: Any, set_identifier: Any) -> tuple[str, str, str]:
        return (name.rstrip(".").lower(), str(rtype), set_identifier or "")

    def values_of_input(rs: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key in RECORD_VALUE_KEYS:
            if key in rs and rs[key] is not None:
                out[key] = rs[key]
        if "ResourceRecords" in out:
            out["ResourceRecords"] = [r["Value"] if isinstance(r, dict) else r for r in out["ResourceRecords"]]
        return _normalized(out)

    def values_of_record(rec: RecordSet) -> dict[str, Any]:
        out = {"TTL": rec.ttl, "ResourceRecords": list(rec.records or []) or None, "AliasTarget": rec.alias_target,
               "HealthCheckId": rec.health_check_id, "Failover": rec.failover, "Weight": rec.weight,
               "Region": rec.region, "GeoLocation": rec.geo_location, "MultiValueAnswer": rec.multi_value_answer,
               "CidrRoutingConfig": getattr(rec, "cidr_routing_config", None),
               "GeoProximityLocation": getattr(rec, "geo_proximity_location", None)}
        return _normalized({k: v for k, v in out.items() if v is not None})

    def describe(rs: dict[str, Any]) -> str:
        text = f"name='{rs['Name']}', type='{rs.get('Type')}'"
        if rs.get("SetIdentifier"):
            text += f", set-identifier='{rs['SetIdentifier']}'"
        return f"resource record set [{text}]"

    def change_resource_record_sets(self: Route53Backend, zoneid: str, change_list: list[dict[str, Any]]) -> None:
        """Validates the whole batch against the zone as it would be after each change, then applies it at once
        (AWS: a batch is all or nothing)."""
        with _R53_LOCK:
            zone = self.get_hosted_zone(zoneid)
            zone_name = zone.name.rstrip(".").lower()
            rrsets = list(zone.rrsets)
            for change in change_list:
                action = change.get("Action")
                if action not in ("CREATE", "UPSERT", "DELETE"):
                    raise InvalidActionValue(action)
                rs = copy.deepcopy(change["ResourceRecordSet"])
                validate_domain_name(rs["Name"], code="InvalidChangeBatch")
                bare = rs["Name"].rstrip(".").lower()
                if bare != zone_name and not bare.endswith("." + zone_name):
                    raise DnsNameInvalidForZone(name=rs["Name"], zone_name=zone.name)
                if not rs["Name"].endswith("."):
                    rs["Name"] += "."
                key = key_of(rs["Name"], rs.get("Type"), rs.get("SetIdentifier"))
                index = next((i for i, r in enumerate(rrsets) if key_of(r.name, r.type, r.set_identifier) == key),
                             None)
                if action == "DELETE":
                    if index is None:
                        raise invalid_batch(f"Tried to delete {describe(rs)} but it was not found")
                    if values_of_record(rrsets[index]) != values_of_input(rs):
                        raise invalid_batch(f"Tried to delete {describe(rs)} but the values provided do not "
                                            f"match the current values")
                    del rrsets[index]
                    continue
                if action == "CREATE" and index is not None:
                    raise invalid_batch(f"Tried to create {describe(rs)} but it already exists")
                if "ResourceRecords" in rs:
                    rs["ResourceRecords"] = [r["Value"] if isinstance(r, dict) else r for r in rs["ResourceRecords"]]
                record = RecordSet(rs)
                if index is None:
                    rrsets.append(record)
                else:
                    rrsets[index] = record
            # Failover records: one PRIMARY and one SECONDARY at most per name and type, once the batch is applied.
            seen: dict[tuple[str, str, str], RecordSet] = {}
            for record in rrsets:
                if record.failover:
                    slot = (record.name.rstrip(".").lower(), str(record.type), record.failover)
                    if slot in seen:
                        other = seen[slot]
                        raise invalid_batch(
                            f"RRSet with DNS name {record.name}, type {record.type}, SetIdentifier "
                            f"{record.set_identifier} and failover {record.failover} conflicts with the "
                            f"{record.failover} RRSet of SetIdentifier {other.set_identifier}")
                    seen[slot] = record
            zone.rrsets = rrsets
            for change in change_list:
                zone.rr_changes.append(copy.deepcopy(change))

    Route53Backend.change_resource_record_sets = change_resource_record_sets  # type: ignore[method-assign]

    # -- responses: real change ids, PENDING for dns_seconds, record-identifier pagination --
    original_create_zone_response = Route53.create_hosted_zone
    original_change_response = Route53.change_resource_record_sets

    def create_zone_response(self: Route53) -> ActionResult:
        with _R53_LOCK:
            result = original_create_zone_response(self)
            if isinstance(getattr(result, "result", None), dict):
                zone = result.result.get("HostedZone")
                zone_id = getattr(zone, "resource_id", None)
                result.result["ChangeInfo"] = _new_change(None, zone_id, zone_snapshot(zone) if zone_id else None)
        return result

    def change_response(self: Route53) -> ActionResult:
        with _R53_LOCK:  # the batch, its change id and the zone's version in one step
            result = original_change_response(self)
            if isinstance(getattr(result, "result", None), dict):
                zone = self.backend.get_hosted_zone(self._get_param("HostedZoneId"))
                result.result["ChangeInfo"] = _new_change(self._get_param("ChangeBatch.Comment"),
                                                          zone.resource_id, zone_snapshot(zone))
        return result

    def get_change_response(self: Route53) -> ActionResult:
        change_id = (self._get_param("Id") or "").rsplit("/", 1)[-1]
        with _R53_LOCK:
            known = change_id in _CHANGES
        if not known:
            raise Route53ClientError("NoSuchChange", f"A change with the specified change ID {change_id} does not exist.")
        return ActionResult({"ChangeInfo": _change_info(change_id)})

    def list_records_response(self: Route53) -> ActionResult:
        zoneid = self._get_param("HostedZoneId")
        start_name = self._get_param("StartRecordName")
        start_type = self._get_param("StartRecordType")
        start_id = self._get_param("StartRecordIdentifier")
        max_items = self._get_int_param("MaxItems", 300)
        if start_type and not start_name:
            raise InvalidInput("The input is not valid")
        if start_id and not start_type:
            raise InvalidInput("The input is not valid")
        if start_name:
            validate_domain_name(start_name)
        page_size = max(1, min(int(max_items), 300))  # AWS returns at most 300 per page
        with _R53_LOCK:
            zone = self.backend.get_hosted_zone(zoneid)

            def order(rec: RecordSet) -> tuple[str, str, str]:
                return (reverse_domain_name(rec.name.lower()), str(rec.type), rec.set_identifier or "")

            records = sorted(zone.rrsets, key=order)
            if start_name:
                floor = (reverse_domain_name(start_name.lower()), start_type or "", start_id or "")
                records = [r for r in records if order(r) >= floor]
            page, rest = records[:page_size], records[page_size:]
        result: dict[str, Any] = {"ResourceRecordSets": page, "IsTruncated": bool(rest), "MaxItems": max_items}
        if rest:
            result["NextRecordName"] = rest[0].name
            result["NextRecordType"] = rest[0].type
            if rest[0].set_identifier:
                result["NextRecordIdentifier"] = rest[0].set_identifier
        return ActionResult(result)

    Route53.create_hosted_zone = create_zone_response  # type: ignore[method-assign]
    Route53.change_resource_record_sets = change_response  # type: ignore[method-assign]
    Route53.get_change = get_change_response  # type: ignore[method-assign]
    Route53.list_resource_record_sets = list_records_response  # type: ignore[method-assign]
    _R53_INSTALLED = True


def _normalized(values: dict[str, Any]) -> dict[str, Any]:
    """Record values in one form for comparison (TTL and Weight as ints, alias DNS names without case/dot)."""
    out = dict(values)
    for key in ("TTL", "Weight"):
        if key in out:
            try:
                out[key] = int(out[key])
            except (TypeError, ValueError):
                pass
    alias = out.get("AliasTarget")
    if isinstance(alias, dict):
        evaluate = alias.get("EvaluateTargetHealth")
        if isinstance(evaluate, str):
            evaluate = evaluate.lower() == "true"
        out["AliasTarget"] = {"HostedZoneId": alias.get("HostedZoneId"),
                              "DNSName": str(alias.get("DNSName", "")).rstrip(".").lower(),
                              "EvaluateTargetHealth": bool(evaluate)}
    if "MultiValueAnswer" in out and isinstance(out["MultiValueAnswer"], str):
        out["MultiValueAnswer"] = out["MultiValueAnswer"].lower() == "true"
    return out


# ---------------------------------------------------------------------------
# Topology (topology.py --dns) and inspection (inspect_state.py --dns-record / --routing-control)
# ---------------------------------------------------------------------------

DNS_ZONE = "unishop.example."
DNS_PREFIX = "unishop"
DNS_CLUSTER = "unishop-arc"
DNS_CLUSTER_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
DNS_APP_REGIONS = ("us-east-1", "us-west-1")  # primary, secondary (topology.PRIMARY_REGION, SECONDARY_REGION)
DNS_TTL = 60
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"  # the hosted zone id of every CloudFront alias target
RESOLVER_PATH = "/_dns/resolve"  # resolver.RESOLVE_PATH (the DNS resolver endpoint)


def _control_http(endpoint_url: str, path: str, body: Any = None) -> tuple[int, Any]:
    import urllib.error
    import urllib.request
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{endpoint_url.rstrip('/')}/_switchyard/{path}", data=data,
                                 method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def dns_names_for(index: int) -> dict[str, str]:
    """Names of the index-th app (1-based): shop / unishop-… first, then shop2 / unishop2-…"""
    suffix = "" if index == 1 else str(index)
    prefix = f"{DNS_PREFIX}{suffix}"
    return {"prefix": prefix, "record": f"shop{suffix}.{DNS_ZONE}", "decoy": f"api{suffix}.{DNS_ZONE}",
            "control_record": f"shop{suffix}-arc.{DNS_ZONE}",
            "control_panel": f"{prefix}-panel", "safety_rule": f"{prefix}-at-least-one-on",
            **{f"set_identifier:{r}": f"{prefix}-{r}" for r in DNS_APP_REGIONS},
            **{f"routing_control:{r}": f"{prefix}-{r}" for r in DNS_APP_REGIONS}}


def create_dns_topology(endpoint_url: str, count: int, client: Callable[[str, str, str], Any],
                        controls_health: bool = False) -> list[dict[str, Any]]:
    """Creates the DNS part of `count` apps and returns one ``dns`` object per app.

    Shared: the public hosted zone ``unishop.example.`` (reused if it exists) with the decoys every app must
    leave alone (CNAME ``www``, alias ``static`` → CloudFront, TXT at the apex), and the ARC cluster
    ``unishop-arc`` with endpoints in us-east-1, us-west-2, eu-west-1 (reused if it exists). Per app: a
    health check on the primary, the failover pair ``shopN.unishop.example.`` A (PRIMARY in us-east-1 with
    the health check, SECONDARY in us-west-1, TTL 60), the decoy pair ``apiN.unishop.example.`` A with the
    same SetIdentifiers, and a control panel ``unishopN-panel`` with the routing controls
    ``unishopN-us-east-1`` (On) and ``unishopN-us-west-1`` (Off) and the safety rule
    ``unishopN-at-least-one-on`` (ATLEAST 1 of the two). Each ``dns`` object names the resolver endpoint
    (``resolver_url``).

    With controls_health=True (default off; nothing above changes) each app also gets, per region, a
    RECOVERY_CONTROL health check bound to that region's routing control, and the failover pair
    ``shopN-arc.unishop.example.`` A steered by them (PRIMARY in us-east-1, SECONDARY in us-west-1, the same
    values and SetIdentifiers as ``shopN``), described under ``routing_control_records``: setting the routing
    controls moves what the resolver answers for that name (the shape ARC users deploy)."""
    route53 = client("route53", endpoint_url, "us-east-1")
    zones = route53.list_hosted_zones_by_name(DNSName=DNS_ZONE, MaxItems="1")["HostedZones"]
    if zones and zones[0]["Name"] == DNS_ZONE:
        zone_id = zones[0]["Id"].rsplit("/", 1)[-1]
    else:
        zone = route53.create_hosted_zone(Name=DNS_ZONE, CallerReference=f"switchyard-dns-{time.time_ns()}",
                                          HostedZoneConfig={"Comment": "Unishop public zone", "PrivateZone": False})
        zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
    shared_decoys = [
        {"Name": f"www.{DNS_ZONE}", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": f"shop.{DNS_ZONE}"}]},
        {"Name": f"static.{DNS_ZONE}", "Type": "A",
         "AliasTarget": {"HostedZoneId": CLOUDFRONT_ZONE_ID, "DNSName": "d111111abcdef8.cloudfront.net.",
                         "EvaluateTargetHealth": False}},
        {"Name": DNS_ZONE, "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": '"v=spf1 -all"'}]},
    ]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
        "Comment": "Unishop decoys", "Changes": [{"Action": "UPSERT", "ResourceRecordSet": rs} for rs in shared_decoys]})

    status, state = _control_http(endpoint_url, f"arc?cluster={DNS_CLUSTER}")
    if status == 404:
        status, state = _control_http(endpoint_url, "arc/clusters",
                                      {"name": DNS_CLUSTER, "regions": list(DNS_CLUSTER_REGIONS)})
        state = {"clusters": [state.get("cluster")]}
    if status != 200:
        raise RuntimeError(f"ARC cluster {DNS_CLUSTER}: {state}")
    cluster = state["clusters"][0]
    endpoints = [{"region": e["region"], "url": endpoint_url.rstrip("/") + e["path"]} for e in cluster["endpoints"]]

    apps = []
    for index in range(1, count + 1):
        n = dns_names_for(index)
        primary, secondary = DNS_APP_REGIONS
        values = {primary: [f"192.0.2.{10 + index}"], secondary: [f"198.51.100.{10 + index}"]}
        health_check_id = route53.create_health_check(
            CallerReference=f"switchyard-{n['prefix']}-primary-{time.time_ns()}",
            HealthCheckConfig={"Type": "HTTP", "IPAddress": values[primary][0], "Port": 80,
                               "ResourcePath": "/health", "RequestInterval": 30, "FailureThreshold": 3},
        )["HealthCheck"]["Id"]

        def pair(name: str, ips: dict[str, list[str]], check: str | None) -> list[dict[str, Any]]:
            out = []
            for region, failover in ((primary, "PRIMARY"), (secondary, "SECONDARY")):
                rs: dict[str, Any] = {"Name": name, "Type": "A", "SetIdentifier": n[f"set_identifier:{region}"],
                                      "Failover": failover, "TTL": DNS_TTL,
                                      "ResourceRecords": [{"Value": v} for v in ips[region]]}
                if check and failover == "PRIMARY":
                    rs["HealthCheckId"] = check
                out.append({"Action": "CREATE", "ResourceRecordSet": rs})
            return out

        decoy_values = {primary: [f"203.0.113.{10 + index}"], secondary: [f"203.0.113.{110 + index}"]}
        route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
            "Comment": f"{n['prefix']} failover records",
            "Changes": pair(n["record"], values, health_check_id) + pair(n["decoy"], decoy_values, None)})

        status, made = _control_http(endpoint_url, "arc/control-panels", {
            "cluster": DNS_CLUSTER, "name": n["control_panel"],
            "routing_controls": [{"name": n[f"routing_control:{primary}"], "state": "On"},
                                 {"name": n[f"routing_control:{secondary}"], "state": "Off"}],
            "safety_rules": [{"name": n["safety_rule"], "type": "ATLEAST", "threshold": 1,
                              "asserted_controls": [n[f"routing_control:{r}"] for r in DNS_APP_REGIONS]}]})
        if status != 200:
            raise RuntimeError(f"ARC control panel {n['control_panel']}: {made}")
        panel = made["control_panel"]
        controls = {c["name"]: c["arn"] for c in made["cluster"]["routing_controls"]
                    if c["control_panel_arn"] == panel["arn"]}
        rule = next(r for r in made["cluster"]["safety_rules"]
                    if r["control_panel_arn"] == panel["arn"] and r["name"] == n["safety_rule"])
        apps.append({
            "hosted_zone_id": zone_id, "hosted_zone_name": DNS_ZONE,
            "record_name": n["record"], "record_type": "A", "ttl": DNS_TTL,
            "set_identifiers": {r: n[f"set_identifier:{r}"] for r in DNS_APP_REGIONS},
            "failover": {primary: "PRIMARY", secondary: "SECONDARY"},
            "values": values,
            "health_check_id": health_check_id,
            "decoys": ([{"name": n["decoy"], "type": "A", "set_identifier": n[f"set_identifier:{r}"]}
                        for r in DNS_APP_REGIONS]
                       + [{"name": rs["Name"], "type": rs["Type"], **({"alias": True} if "AliasTarget" in rs else {})}
                          for rs in shared_decoys]),
            "cluster_name": DNS_CLUSTER, "cluster_arn": cluster["arn"],
            "cluster_endpoints": endpoints,
            "control_panel_name": panel["name"], "control_panel_arn": panel["arn"],
            "routing_control_names": {r: n[f"routing_control:{r}"] for r in DNS_APP_REGIONS},
            "routing_controls": {r: controls[n[f"routing_control:{r}"]] for r in DNS_APP_REGIONS},
            "safety_rule": rule["name"], "safety_rule_arn": rule["arn"],
            "resolver_url": endpoint_url.rstrip("/") + RESOLVER_PATH,
        })
        if controls_health:
            apps[-1]["routing_control_records"] = _control_health_records(
                route53, zone_id, n, values, {r: controls[n[f"routing_control:{r}"]] for r in DNS_APP_REGIONS})
    return apps


def _control_health_records(route53: Any, zone_id: str, n: dict[str, str], values: dict[str, list[str]],
                            controls: dict[str, str]) -> dict[str, Any]:
    """Per region a RECOVERY_CONTROL health check on its routing control, and the failover pair steered by them."""
    checks = {region: route53.create_health_check(
        CallerReference=f"switchyard-{n['prefix']}-{region}-routing-control-{time.time_ns()}",
        HealthCheckConfig={"Type": "RECOVERY_CONTROL", "RoutingControlArn": controls[region]})["HealthCheck"]["Id"]
        for region in DNS_APP_REGIONS}
    failover = dict(zip(DNS_APP_REGIONS, ("PRIMARY", "SECONDARY")))
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
        "Comment": f"{n['prefix']} routing-control records",
        "Changes": [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": n["control_record"], "Type": "A", "SetIdentifier": n[f"set_identifier:{region}"],
            "Failover": failover[region], "TTL": DNS_TTL, "HealthCheckId": checks[region],
            "ResourceRecords": [{"Value": v} for v in values[region]]}} for region in DNS_APP_REGIONS]})
    return {"record_name": n["control_record"], "record_type": "A", "ttl": DNS_TTL,
            "set_identifiers": {r: n[f"set_identifier:{r}"] for r in DNS_APP_REGIONS},
            "failover": failover, "values": values, "health_check_ids": checks, "routing_controls": controls}


def endpoint_region(url: str) -> str:
    """The region of an ARC endpoint URL: ``…/_arc/<cluster>/<region>/v1`` (or a real
    ``https://host.route53-recovery-cluster.<region>.amazonaws.com/v1``)."""
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    match = ENDPOINT_PATH_RE.match(parts.path)
    if match:
        return match.group(2)
    host = re.match(r"^[^.]+\.route53-recovery-cluster\.([a-z0-9-]+)\.amazonaws\.com$", parts.hostname or "")
    if host:
        return host.group(1)
    raise ValueError(f"cannot tell the region of ARC endpoint {url}: give REGION=URL")


def data_plane_client(url: str, region: str | None = None, read_timeout: float = 5.0) -> Any:
    """boto3's route53-recovery-cluster client for one endpoint, signed for its region; no retries and a
    short read timeout, so that a client rotates to the next endpoint instead of waiting."""
    import boto3
    from botocore.config import Config as BotoConfig
    return boto3.client(SERVICE, endpoint_url=url, region_name=region or endpoint_region(url),
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=BotoConfig(retries={"total_max_attempts": 1}, connect_timeout=3,
                                          read_timeout=read_timeout))


def inspect_dns(endpoint_url: str, records: list[str], arc_endpoints: list[str], controls: list[str],
                client: Callable[[str, str, str], Any]) -> dict[str, Any]:
    """The DNS end state, read with boto3 like any client would.

    * records: ``ZONE_ID:NAME[:TYPE]`` (TYPE default A) → ``"dns_records": {NAME: {SET_IDENTIFIER: FAILOVER}}``
      (a record without SetIdentifier is listed under ``""`` with its Failover or null);
    * controls: routing control ARNs, read with GetRoutingControlState through the first of arc_endpoints
      (``URL`` or ``REGION=URL``, client signed for that region) that answers → ``"routing_controls":
      {ARN: "On"|"Off"}`` and ``"routing_controls_endpoint": URL``."""
    out: dict[str, Any] = {}
    if records:
        out["dns_records"] = {}
        route53 = client("route53", endpoint_url, "us-east-1")
    for item in records:
        zone_id, _, rest = item.partition(":")
        name, _, rtype = rest.partition(":")
        rtype = rtype or "A"
        name = name if name.endswith(".") else name + "."
        found: dict[str, Any] = {}
        kwargs: dict[str, Any] = {"HostedZoneId": zone_id, "StartRecordName": name, "StartRecordType": rtype}
        while True:
            page = route53.list_resource_record_sets(MaxItems="100", **kwargs)
            done = False
            for rs in page["ResourceRecordSets"]:
                if rs["Name"].lower() != name.lower() or rs["Type"] != rtype:
                    done = True
                    break
                found[rs.get("SetIdentifier", "")] = rs.get("Failover")
            if done or not page.get("IsTruncated"):
                break
            kwargs = {"HostedZoneId": zone_id, "StartRecordName": page["NextRecordName"],
                      "StartRecordType": page["NextRecordType"]}
            if page.get("NextRecordIdentifier"):
                kwargs["StartRecordIdentifier"] = page["NextRecordIdentifier"]
        out["dns_records"][name] = found
    if controls:
        if not arc_endpoints:
            raise ValueError("--routing-control needs at least one --arc-endpoint")
        errors = []
        for spec in arc_endpoints:
            region, eq, url = spec.partition("=")
            if not eq or "://" in region:
                url, region = spec, endpoint_region(spec)
            arc_client = data_plane_client(url, region)
            try:
                states = {arn: arc_client.get_routing_control_state(RoutingControlArn=arn)["RoutingControlState"]
                          for arn in controls}
            except Exception as exc:  # try the next endpoint, as ARC's own examples do
                errors.append(f"{url}: {exc}")
                continue
            out["routing_controls"] = states
            out["routing_controls_endpoint"] = url
            break
        else:
            raise RuntimeError("no ARC endpoint answered: " + "; ".join(errors))
    return out
