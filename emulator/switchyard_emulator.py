#!/usr/bin/env python3
"""Switchyard emulator: moto server + Aurora Global Database and standby compute extensions.

Starts moto's WSGI application (the same one ``moto_server`` and
``ThreadedMotoServer`` use) on 127.0.0.1 and extends moto's own RDS models
and responses so that the Aurora Global Database calls Switchyard needs work
across regions:

* SwitchoverGlobalCluster / FailoverGlobalCluster: FailoverState and a global
  cluster status of ``switching-over`` / ``failing-over`` for a configurable
  time, then the writer flips and the new writer is listed first.
* RemoveFromGlobalCluster: detaches a member from any region and makes it a
  standalone writer cluster.
* DescribeGlobalClusters: honours GlobalClusterIdentifier (and the ``region``
  filter), reports SynchronizationStatus and FailoverState.
* Engine ``docdb`` (Amazon DocumentDB, whose ``docdb`` client uses the same RDS
  Query API): clusters and global clusters with the same behaviour as Aurora.

and moto's Auto Scaling and ECS models so that standby compute takes real time:

* new Auto Scaling instances stay ``Pending`` for ``capacity_seconds``, then
  ``InService``; desired capacities outside [MinSize, MaxSize] are refused with
  AWS's ``ValidationError``; DescribeScalingActivities lists launches/terminations;
* an ECS service's runningCount follows its desiredCount after ``capacity_seconds``
  (pendingCount in between);
* an insufficient-capacity switch (``POST /_switchyard/capacity``) makes launches
  and task placements fail until it is turned off.

Every AWS request is recorded (service, operation, region, status; for mutating
RDS, Auto Scaling and ECS calls the identifying parameters in ``params``) and can be
read through the control API under ``/_switchyard/``; synthetic entries mark the
moment a switchover/failover finished (``GlobalClusterFailoverCompleted``) and the
moment a group's / service's capacity fully arrived (``CapacityInService``).

Usage:  python3 emulator/switchyard_emulator.py --port 0 --port-file /tmp/p
Prints ``READY <port>`` on stdout once it accepts connections.
"""
from __future__ import annotations

import argparse
import collections
import datetime as _dt
import io
import ipaddress
import itertools
import json
import logging
import os
import re
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arc  # noqa: E402  (DNS traffic kinds: ARC routing controls data plane, Route 53 realism)
import edge  # noqa: E402  (emulated CloudFront edge, deployment delay, readiness facts)
import resolver  # noqa: E402  (DNS resolver endpoint: records, health checks, routing controls)

# ---------------------------------------------------------------------------
# Runtime configuration and call recording (shared with the control API)
# ---------------------------------------------------------------------------

LOCK = threading.RLock()  # guards global-cluster failover state


class Config:
    """Runtime settings (``GET/POST /_switchyard/config``).

    * ``failover_seconds``: how long a global cluster switchover/failover stays in progress;
    * ``capacity_seconds``: how long new Auto Scaling instances stay ``Pending`` and new ECS
      tasks stay pending before they are in service / running;
    * ``dns_seconds``: how long a Route 53 change (ChangeResourceRecordSets, CreateHostedZone)
      stays ``PENDING`` before ``INSYNC`` (0: INSYNC at once);
    * ``cloudfront_seconds``: how long a Create/UpdateDistribution stays ``InProgress`` before
      ``Deployed`` (the edge serves the previous configuration meanwhile; 0: moto's own status).
    """

    RANGES = {"failover_seconds": (0.0, 3600.0), "capacity_seconds": (0.0, 3600.0),
              "dns_seconds": (0.0, 3600.0), "cloudfront_seconds": (0.0, 3600.0)}

    def __init__(self, failover_seconds: float = 3.0, capacity_seconds: float = 1.0,
                 dns_seconds: float = 0.0, cloudfront_seconds: float = 0.0) -> None:
        self.failover_seconds = float(failover_seconds)
        self.capacity_seconds = float(capacity_seconds)
        self.dns_seconds = float(dns_seconds)
        self.cloudfront_seconds = float(cloudfront_seconds)

    def as_dict(self) -> dict[str, Any]:
        return {"failover_seconds": self.failover_seconds, "capacity_seconds": self.capacity_seconds,
                "dns_seconds": self.dns_seconds, "cloudfront_seconds": self.cloudfront_seconds}

    def update(self, values: dict[str, Any]) -> None:
        unknown = set(values) - set(self.RANGES)
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        checked = {}
        for key, (low, high) in self.RANGES.items():
            if key in values:
                value = values[key]
                if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                    raise ValueError(f"{key} must be a number")
                seconds = float(value)
                if not low <= seconds <= high:  # also refuses NaN
                    raise ValueError(f"{key} must be within [{low:g}, {high:g}]")
                checked[key] = seconds
        for key, seconds in checked.items():
            setattr(self, key, seconds)


CONFIG = Config()

READ_ONLY_PREFIXES = ("Describe", "Get", "List", "Head", "Search", "Query", "Select", "Scan")


def is_mutating(operation: str | None) -> bool:
    if not operation:
        return False
    return not operation.startswith(READ_ONLY_PREFIXES)


class CallLog:
    """Thread-safe, bounded list of recorded AWS requests plus exact counters.

    Besides the requests themselves the log holds *synthetic* entries that the
    emulator writes for events no request carries, such as the moment a global
    cluster switchover/failover completes (``synthetic: true``, never mutating).
    """

    def __init__(self, max_entries: int = 50000) -> None:
        self._lock = threading.Lock()
        self._calls: collections.deque[dict[str, Any]] = collections.deque(maxlen=max_entries)
        self._counts: collections.Counter[tuple[str, str, str, bool, bool, bool]] = collections.Counter()
        self._seq = 0

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            entry.setdefault("synthetic", False)
            self._calls.append(entry)
            key = (entry["service"] or "", entry["region"] or "", entry["operation"] or "",
                   entry["mutating"], entry["status"] < 400, bool(entry["synthetic"]))
            self._counts[key] += 1

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._counts.clear()

    def query(self, service: str | None = None, operation: str | None = None,
              region: str | None = None, mutating: bool | None = None,
              succeeded: bool | None = None, synthetic: bool | None = None) -> dict[str, Any]:
        def keep(svc: str, reg: str, op: str, mut: bool, ok: bool, syn: bool) -> bool:
            return ((service is None or svc == service)
                    and (operation is None or op == operation)
                    and (region is None or reg == region)
                    and (mutating is None or mut == mutating)
                    and (succeeded is None or ok == succeeded)
                    and (synthetic is None or syn == synthetic))

        with self._lock:
            calls = [dict(c) for c in self._calls
                     if keep(c["service"] or "", c["region"] or "", c["operation"] or "",
                             c["mutating"], c["status"] < 400, bool(c.get("synthetic")))]
            counts: collections.Counter[str] = collections.Counter()
            for (svc, reg, op, mut, ok, syn), n in self._counts.items():
                if keep(svc, reg, op, mut, ok, syn):
                    counts[f"{svc}:{op}"] += n
        return {"calls": calls, "counts": dict(sorted(counts.items())), "total": sum(counts.values())}


CALLS = CallLog()

# ---------------------------------------------------------------------------
# Request classification (service / region / operation) from the wire
# ---------------------------------------------------------------------------

CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")
RPCV2_RE = re.compile(r"^/service/[^/]+/operation/([^/?]+)")
# SigV4 signing names whose botocore service model has another name.
SIGNING_NAME_TO_MODEL = {"monitoring": "cloudwatch", "email": "ses", "states": "stepfunctions",
                         "execute-api": "apigateway", "elasticmapreduce": "emr"}


def credential_scope(auth_header: str | None, query: str = "") -> tuple[str | None, str | None]:
    """Returns (region, service) of a SigV4 Authorization header (or presigned query)."""
    text = auth_header or ""
    match = CREDENTIAL_RE.search(text)
    if not match and "X-Amz-Credential" in query:
        cred = parse_qs(query).get("X-Amz-Credential", [""])[0]
        match = CREDENTIAL_RE.search("Credential=" + cred)
    if not match:
        return None, None
    return match.group(3), match.group(4)


class RestOperationMatcher:
    """Maps method + path + query of REST (S3, CloudFront, ...) requests to an
    operation name using botocore's own service model (http.requestUri)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[str, list[tuple[Any, ...]]] = {}

    def _table(self, service: str):
        with self._lock:
            if service in self._tables:
                return self._tables[service]
            table = []
            try:
                import botocore.session
                model = botocore.session.get_session().get_service_model(
                    SIGNING_NAME_TO_MODEL.get(service, service))
                for name in model.operation_names:
                    http = model.operation_model(name).http
                    uri = http.get("requestUri", "/")
                    path_t, _, query_t = uri.partition("?")
                    literal = 0
                    regex = ""
                    for piece in re.split(r"(\{[^}]+\})", path_t):
                        if piece.startswith("{"):
                            regex += ".+" if piece.endswith("+}") else "[^/]+"
                        else:
                            regex += re.escape(piece)
                            literal += len(piece)
                    pattern = re.compile("^" + regex.rstrip("/") + "/?$")
                    query_req: dict[str, str | None] = {}
                    for part in filter(None, query_t.split("&")):
                        key, eq, value = part.partition("=")
                        query_req[key] = value if eq else None
                    headers_req: list[str] = []
                    op_input = model.operation_model(name).input_shape
                    if op_input is not None:
                        for member in op_input.required_members:
                            shape = op_input.members[member]
                            where = shape.serialization.get("location")
                            wire = shape.serialization.get("name", member)
                            if where == "header":
                                headers_req.append("HTTP_" + wire.upper().replace("-", "_"))
                            elif where == "querystring":
                                query_req.setdefault(wire, None)
                    table.append((http.get("method", "POST"), pattern, query_req, headers_req,
                                  literal, name))
            except Exception:  # unknown service: no REST table
                table = []
            self._tables[service] = table
            return table

    def match(self, service: str, method: str, path: str, query: str,
              environ: dict[str, Any] | None = None) -> str | None:
        params = parse_qs(query, keep_blank_values=True)
        environ = environ or {}
        best: tuple[int, int, str] | None = None
        for op_method, pattern, query_req, headers_req, literal, name in self._table(service):
            if op_method != method or not pattern.match(path or "/"):
                continue
            if any(h not in environ for h in headers_req):
                continue
            ok = True
            for key, value in query_req.items():
                if key == "x-id":
                    continue
                if key not in params or (value is not None and value not in params[key]):
                    ok = False
                    break
            if not ok:
                continue
            if "x-id" in params and "x-id" in query_req and params["x-id"][0] != query_req["x-id"]:
                continue
            score = (len(query_req) + len(headers_req), literal, name)
            if best is None or score[:2] > best[:2]:
                best = score
        return best[2] if best else None


REST_MATCHER = RestOperationMatcher()


# Request parameters copied into the log entry of a mutating RDS (also DocumentDB and
# Neptune: same Query API, signing name ``rds``) call, so that a test can prove from
# the emulator side which global cluster / DB cluster a call targeted.
RECORDED_RDS_PARAMS = ("GlobalClusterIdentifier", "TargetDbClusterIdentifier", "DbClusterIdentifier",
                       "DBClusterIdentifier", "SourceDBClusterIdentifier", "Engine",
                       "AllowDataLoss", "Switchover")
# ... of a mutating Auto Scaling call (Query API, form body: values are strings as sent) ...
RECORDED_AUTOSCALING_PARAMS = ("AutoScalingGroupName", "DesiredCapacity", "MinSize", "MaxSize")
# ... and of a mutating ECS call (JSON 1.1 body: values keep their JSON type, desiredCount is a number).
RECORDED_ECS_PARAMS = ("cluster", "service", "serviceName", "desiredCount")
RECORDED_PARAMS = {"rds": RECORDED_RDS_PARAMS, "autoscaling": RECORDED_AUTOSCALING_PARAMS,
                   "ecs": RECORDED_ECS_PARAMS}
ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."

# Operation name of the synthetic log entry written when a global cluster
# switchover/failover completes (the writer flipped). Not an AWS operation.
COMPLETION_OPERATION = "GlobalClusterFailoverCompleted"
# Operation name of the synthetic log entry written when an Auto Scaling group's or an
# ECS service's capacity has fully arrived (everything desired in service / running).
CAPACITY_OPERATION = "CapacityInService"


def recorded_params(service: str | None, mutating: bool, query: str,
                    body: bytes | None) -> dict[str, Any] | None:
    """The RECORDED_PARAMS of a mutating RDS / Auto Scaling (Query: form body or query
    string) or ECS (JSON body) request; None for other services and read-only calls."""
    names = RECORDED_PARAMS.get(service or "")
    if names is None or not mutating:
        return None
    if service == "ecs":
        try:
            data = json.loads(body.decode("utf-8", "replace")) if body else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            return {}
        return {name: data[name] for name in names
                if name in data and isinstance(data[name], (str, int, float, bool))}
    values = parse_qs(query, keep_blank_values=True)
    if body:
        values.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
    return {name: values[name][0] for name in names if name in values}


def classify(environ: dict[str, Any], body: bytes | None) -> dict[str, Any]:
    query = environ.get("QUERY_STRING", "")
    region, service = credential_scope(environ.get("HTTP_AUTHORIZATION"), query)
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "/")
    operation = None
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        operation = target.rsplit(".", 1)[-1]
    if not operation:
        m = RPCV2_RE.match(path)
        if m:
            operation = m.group(1)
    if not operation:
        qs = parse_qs(query)
        if "Action" in qs:
            operation = qs["Action"][0]
    if not operation and body:
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            operation = form["Action"][0]
    if service == "s3" and path.startswith("/v20180820/"):
        service = "s3control"  # S3 Control signs as s3; its REST paths start with its API version
    if not operation and service:
        operation = REST_MATCHER.match(service, method, path, query, environ)
    mutating = is_mutating(operation)
    entry = {
        "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"),
        "epoch": time.time(),
        "service": service,
        "region": region,
        "operation": operation,
        "method": method,
        "path": path,
        "query": query,
        "mutating": mutating,
        "synthetic": False,
    }
    params = recorded_params(service, mutating, query, body)
    if params is None:
        params = arc.recorded_params(service, operation, path, body)
    if params is not None:
        entry["params"] = params
    return entry


# ---------------------------------------------------------------------------
# Aurora Global Database extensions on moto's own RDS models
# ---------------------------------------------------------------------------

_INSTALLED = False
_IN_PROGRESS: dict[int, Any] = {}  # id(GlobalCluster) -> GlobalCluster with a running failover

# Amazon DocumentDB (engine ``docdb``): moto's RDS backend lacks the engine. The
# ``docdb`` boto3 client speaks the same Query API to the same endpoint (signing
# name ``rds``), so DocumentDB clusters and global clusters live in moto's RDS
# models next to the Aurora ones and get the same global-cluster behaviour.
DOCDB_ENGINE = "docdb"
DOCDB_DEFAULT_ENGINE_VERSION = "5.0.0"
DOCDB_DEFAULT_PORT = 27017
DOCDB_DEFAULT_STORAGE_TYPE = "standard"  # DocumentDB storage types: standard | iopt1


def install_rds_extensions() -> None:
    """Patch moto's RDS backend/models/responses in place (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.core.responses import ActionResult
    from moto.rds import models as rds_models
    from moto.rds.exceptions import (DBClusterNotFoundError, InvalidParameterCombination,
                                     InvalidParameterValue, RDSClientError)
    from moto.rds.models import DBCluster, GlobalCluster, RDSBackend, rds_backends
    from moto.rds.responses import RDSResponse
    from moto.rds.utils import ClusterEngine

    class GlobalClusterNotFoundFault(RDSClientError):
        def __init__(self, identifier: str) -> None:
            super().__init__("GlobalClusterNotFoundFault", f"Global cluster {identifier} not found")

    class InvalidGlobalClusterStateFault(RDSClientError):
        def __init__(self, message: str) -> None:
            super().__init__("InvalidGlobalClusterStateFault", message)

    class InvalidDBClusterStateFault(RDSClientError):
        def __init__(self, message: str) -> None:
            super().__init__("InvalidDBClusterStateFault", message)

    # -- engine docdb (DocumentDB) on moto's models ---------------------------
    # moto validates DBCluster.engine against ClusterEngine and looks defaults up in
    # per-engine tables (KeyError -> HTTP 500 on CreateGlobalCluster): add docdb.
    original_engines = ClusterEngine.list_cluster_engines

    def list_cluster_engines(cls: Any) -> list[str]:
        return sorted(set(original_engines()) | {DOCDB_ENGINE})

    ClusterEngine.list_cluster_engines = classmethod(list_cluster_engines)  # type: ignore[assignment]

    def with_docdb_default(original: Callable[..., Any], docdb_value: Callable[..., Any]):
        def default(engine: str, *args: Any, **kwargs: Any) -> Any:
            if engine == DOCDB_ENGINE:
                return docdb_value(*args, **kwargs)
            return original(engine, *args, **kwargs)
        return staticmethod(default)

    DBCluster.default_engine_version = with_docdb_default(  # type: ignore[assignment]
        DBCluster.default_engine_version, lambda: DOCDB_DEFAULT_ENGINE_VERSION)
    DBCluster.default_port = with_docdb_default(  # type: ignore[assignment]
        DBCluster.default_port, lambda: DOCDB_DEFAULT_PORT)
    DBCluster.default_allocated_storage = with_docdb_default(  # type: ignore[assignment]
        DBCluster.default_allocated_storage, lambda storage_type=None: 1)

    original_cluster_init = DBCluster.__init__

    def cluster_init(self: DBCluster, *args: Any, **kwargs: Any) -> None:
        engine = kwargs.get("engine", args[2] if len(args) > 2 else None)
        if engine == DOCDB_ENGINE and not kwargs.get("storage_type"):
            kwargs["storage_type"] = DOCDB_DEFAULT_STORAGE_TYPE
        original_cluster_init(self, *args, **kwargs)
        if engine == DOCDB_ENGINE and not kwargs.get("db_cluster_parameter_group_name"):
            major = str(self.engine_version).split(".")[0]
            self.parameter_group = f"default.docdb{major}.0"  # moto's default is default.aurora8.0

    DBCluster.__init__ = cluster_init  # type: ignore[method-assign]

    # -- model additions ---------------------------------------------------
    original_members = GlobalCluster.global_cluster_members.fget

    def global_cluster_members(self: GlobalCluster) -> list[dict[str, Any]]:
        members = original_members(self)
        for member in members:
            member["SynchronizationStatus"] = "connected"
        return members

    def failover_state(self: GlobalCluster) -> dict[str, Any] | None:
        state = getattr(self, "_switchyard_failover", None)
        if not state:
            return None
        return {
            "Status": state["status"],
            "FromDbClusterArn": state["from"].db_cluster_arn,
            "ToDbClusterArn": state["to"].db_cluster_arn,
            "IsDataLossAllowed": state["data_loss"],
        }

    GlobalCluster.global_cluster_members = property(global_cluster_members)  # type: ignore[assignment]
    GlobalCluster.failover_state = property(failover_state)  # type: ignore[attr-defined]

    # -- helpers -------------------------------------------------------------
    def global_backend(account_id: str) -> RDSBackend:
        return rds_backends[account_id]["us-east-1"]

    def get_global_cluster(account_id: str, identifier: str | None) -> GlobalCluster:
        if not identifier:
            raise GlobalClusterNotFoundFault(str(identifier))
        name = identifier.split(":global-cluster:")[-1] if identifier.startswith("arn:") else identifier
        clusters = global_backend(account_id).global_clusters
        if name not in clusters:
            raise GlobalClusterNotFoundFault(identifier)
        return clusters[name]

    def find_db_cluster(account_id: str, identifier: str | None, region: str,
                        global_cluster: GlobalCluster | None = None) -> DBCluster:
        if not identifier:
            raise DBClusterNotFoundError(str(identifier))
        if identifier.startswith("arn:"):
            parts = identifier.split(":")
            if len(parts) < 7 or parts[5] != "cluster":
                raise DBClusterNotFoundError(identifier)
            try:
                backend = rds_backends[parts[4]][parts[3]]
            except Exception:
                raise DBClusterNotFoundError(identifier)
            if parts[6] not in backend.clusters:
                raise DBClusterNotFoundError(identifier)
            return backend.clusters[parts[6]]
        local = rds_backends[account_id][region].clusters
        if identifier in local:
            return local[identifier]
        if global_cluster is not None:
            for member in global_cluster.members:
                if member.db_cluster_identifier == identifier.lower():
                    return member
        raise DBClusterNotFoundError(identifier)

    def is_alive(gc: GlobalCluster) -> bool:
        """False once moto was reset or the global cluster deleted (stale timer)."""
        try:
            clusters = global_backend(gc.backend.account_id).global_clusters
            return any(other is gc for other in clusters.values())
        except Exception:
            return False

    def complete(gc: GlobalCluster) -> None:
        state = getattr(gc, "_switchyard_failover", None)
        _IN_PROGRESS.pop(id(gc), None)
        if not state:
            return
        gc._switchyard_failover = None
        gc.status = "available"
        if not is_alive(gc):
            return  # moto was reset meanwhile: nothing flipped, nothing to record
        old, new = state["from"], state["to"]
        flipped = new in gc.members
        if flipped:
            for member in gc.members:
                member.is_writer = member is new
            gc.members.remove(new)
            gc.members.insert(0, new)  # AWS lists the primary (writer) first
        record_completion(gc, state, flipped)

    def record_completion(gc: GlobalCluster, state: dict[str, Any], flipped: bool) -> None:
        """Synthetic call-log entry: the switchover/failover finished (writer flipped)."""
        now = time.time()
        params = {"GlobalClusterIdentifier": gc.global_cluster_identifier,
                  "TargetDbClusterIdentifier": state["to"].db_cluster_arn}
        CALLS.record({
            "time": _dt.datetime.fromtimestamp(now, _dt.timezone.utc).isoformat(timespec="milliseconds"),
            "epoch": now,
            "service": "rds",
            "region": state["region"],
            "operation": COMPLETION_OPERATION,
            "method": "",
            "path": "",
            "query": "",
            "mutating": False,
            "synthetic": True,
            "status": 200,
            "params": params,
            "completion": {
                "GlobalClusterIdentifier": gc.global_cluster_identifier,
                "GlobalClusterArn": gc.global_cluster_arn,
                "Engine": gc.engine,
                "Operation": state["operation"],
                "Status": state["status"],
                "IsDataLossAllowed": state["data_loss"],
                "FromDbClusterArn": state["from"].db_cluster_arn,
                "ToDbClusterArn": state["to"].db_cluster_arn,
                "WriterFlipped": flipped,
                "StartedTime": state["started_time"],
                "StartedEpoch": state["started_epoch"],
                "DurationSeconds": round(now - state["started_epoch"], 3),
                "Forced": bool(state.get("forced")),
            },
        })

    def complete_due() -> None:
        now = time.monotonic()
        with LOCK:
            for gc in list(_IN_PROGRESS.values()):
                state = getattr(gc, "_switchyard_failover", None)
                if not state or state["deadline"] <= now:
                    complete(gc)

    def start_failover(self: RDSResponse, target: str | None, data_loss: bool,
                       operation: str) -> GlobalCluster:
        params = self.params
        account = self.current_account
        complete_due()
        with LOCK:
            gc = get_global_cluster(account, params.get("GlobalClusterIdentifier"))
            cluster = find_db_cluster(account, target, self.region, gc)
            if getattr(gc, "_switchyard_failover", None):
                raise InvalidGlobalClusterStateFault(
                    f"Global cluster {gc.global_cluster_identifier} is already "
                    f"{gc._switchyard_failover['status']}; wait until it is available")
            if gc.status != "available":
                raise InvalidGlobalClusterStateFault(
                    f"Global cluster {gc.global_cluster_identifier} is in {gc.status} state")
            if cluster not in gc.members:
                raise InvalidDBClusterStateFault(
                    f"DB cluster {cluster.db_cluster_arn} is not a member of global cluster "
                    f"{gc.global_cluster_identifier}")
            if cluster.is_writer:
                raise InvalidDBClusterStateFault(
                    f"DB cluster {cluster.db_cluster_arn} is already the primary cluster of global "
                    f"cluster {gc.global_cluster_identifier}")
            if cluster.status != "available":
                raise InvalidDBClusterStateFault(
                    f"DB cluster {cluster.db_cluster_arn} is in {cluster.status} state")
            writers = [m for m in gc.members if m.is_writer]
            if not writers:
                raise InvalidGlobalClusterStateFault(
                    f"Global cluster {gc.global_cluster_identifier} has no primary cluster")
            status = "failing-over" if data_loss else "switching-over"
            seconds = CONFIG.failover_seconds
            started = time.time()
            gc._switchyard_failover = {
                "status": status, "from": writers[0], "to": cluster, "data_loss": data_loss,
                "deadline": time.monotonic() + seconds,
                # for the completion entry of the call log
                "operation": operation, "region": self.region, "started_epoch": started,
                "started_time": _dt.datetime.fromtimestamp(started, _dt.timezone.utc).isoformat(
                    timespec="milliseconds"),
            }
            gc.status = status
            _IN_PROGRESS[id(gc)] = gc
            # Serialize the in-progress state now: a zero delay completes right after.
            result = ActionResult({"GlobalCluster": gc})
            response = self.serialized(result)
        timer = threading.Timer(max(seconds, 0.0), complete_due)
        timer.daemon = True
        timer.start()
        return response  # type: ignore[return-value]

    # -- response methods (dispatched by moto's call_action by name) ----------
    def switchover_global_cluster(self: RDSResponse):
        return _as_response(start_failover(self, self.params.get("TargetDbClusterIdentifier"), False,
                                           "SwitchoverGlobalCluster"))

    def failover_global_cluster(self: RDSResponse):
        params = self.params
        allow = _bool(params.get("AllowDataLoss"))
        switchover = _bool(params.get("Switchover"))
        if allow and switchover:
            raise InvalidParameterCombination(
                "AllowDataLoss and Switchover can't be specified together")
        return _as_response(start_failover(self, params.get("TargetDbClusterIdentifier"), bool(allow),
                                           "FailoverGlobalCluster"))

    def remove_from_global_cluster(self: RDSResponse) -> ActionResult:
        params = self.params
        account = self.current_account
        complete_due()
        with LOCK:
            gc = get_global_cluster(account, params.get("GlobalClusterIdentifier"))
            cluster = find_db_cluster(account, params.get("DbClusterIdentifier"), self.region, gc)
            if getattr(gc, "_switchyard_failover", None):
                raise InvalidGlobalClusterStateFault(
                    f"Global cluster {gc.global_cluster_identifier} is {gc.status}")
            if cluster not in gc.members:
                raise InvalidDBClusterStateFault(
                    f"DB cluster {cluster.db_cluster_arn} is not a member of global cluster "
                    f"{gc.global_cluster_identifier}")
            if cluster.is_writer and len(gc.members) > 1:
                raise InvalidGlobalClusterStateFault(
                    f"The primary cluster {cluster.db_cluster_arn} can't be removed while global "
                    f"cluster {gc.global_cluster_identifier} has secondary clusters")
            gc.members.remove(cluster)
            cluster.global_cluster_identifier = None
            cluster.is_writer = True  # standalone cluster with read-write capability
            cluster.replication_source_identifier = None
            cluster.status = "available"
            return ActionResult({"GlobalCluster": gc})

    # CreateGlobalCluster with SourceDBClusterIdentifier: moto looks the source up in
    # us-east-1 only, never makes it the writer and stores the global cluster's ARN as
    # its GlobalClusterIdentifier. Here the source (an ARN) may live in any region,
    # becomes the writer, and Engine may be given too when it matches the source's.
    original_create_global_cluster = RDSResponse.create_global_cluster

    def create_global_cluster(self: RDSResponse):
        params = self.params
        source_id = params.get("SourceDBClusterIdentifier")
        if not source_id:
            return original_create_global_cluster(self)
        account = self.current_account
        with LOCK:
            if not re.match(r"^arn:aws[a-z-]*:rds:", source_id):
                raise InvalidParameterValue("Malformed db cluster arn dbci")
            source = find_db_cluster(account, source_id, self.region)
            engine = params.get("Engine")
            if engine is not None and engine != source.engine:
                raise InvalidParameterCombination(
                    f"The engine name requested for your global cluster ({engine}) doesn't match "
                    f"the engine name of your source DB cluster ({source.engine})")
            if source.global_cluster_identifier:
                raise InvalidDBClusterStateFault(
                    f"DB cluster {source.db_cluster_arn} is already a member of global cluster "
                    f"{source.global_cluster_identifier}")
            gc = global_backend(account).create_global_cluster(
                global_cluster_identifier=params["GlobalClusterIdentifier"],
                source_db_cluster_identifier=None,
                engine=source.engine,
                engine_version=params.get("EngineVersion") or source.engine_version,
                storage_encrypted=params.get("StorageEncrypted", source.storage_encrypted),
                deletion_protection=params.get("DeletionProtection"),
            )
            source.global_cluster_identifier = gc.global_cluster_identifier
            source.is_writer = True  # the source becomes the primary (writer) cluster
            gc.members.append(source)
            return ActionResult({"GlobalCluster": gc})

    # CreateDBCluster with GlobalClusterIdentifier: a DocumentDB cluster can only join a
    # DocumentDB global cluster and vice versa (other engine pairs: moto's behaviour).
    original_create_db_cluster = RDSBackend.create_db_cluster

    def create_db_cluster(self: RDSBackend, kwargs: dict[str, Any]) -> DBCluster:
        gid = kwargs.get("global_cluster_identifier")
        with LOCK:
            if gid:
                gc = global_backend(self.account_id).global_clusters.get(gid)
                engine = kwargs.get("engine")
                if (gc is not None and gc.engine != engine
                        and DOCDB_ENGINE in (gc.engine, engine)):
                    raise InvalidParameterCombination(
                        f"The engine of DB cluster {kwargs.get('db_cluster_identifier')} ({engine}) "
                        f"doesn't match the engine of global cluster {gid} ({gc.engine})")
            return original_create_db_cluster(self, kwargs)

    def describe_global_clusters(self: RDSResponse) -> ActionResult:
        complete_due()
        identifier = self.params.get("GlobalClusterIdentifier")
        with LOCK:
            if identifier:
                clusters = [get_global_cluster(self.current_account, identifier)]
            else:
                clusters = global_backend(self.current_account).describe_global_clusters()
            for flt in self.params.get("Filters") or []:
                name = flt.get("Name")
                values = flt.get("Values") or []
                if name == "region":
                    clusters = [c for c in clusters if any(m.region in values for m in c.members)]
            return ActionResult({"GlobalClusters": clusters})

    def describe_db_clusters(self: RDSResponse):
        complete_due()
        return original_describe_db_clusters(self)

    original_describe_db_clusters = RDSResponse.describe_db_clusters

    # Deleting a member cluster in another region than us-east-1 must leave the
    # global cluster too (moto only looks in the backend that received the call).
    original_delete = RDSBackend.delete_db_cluster

    def delete_db_cluster(self: RDSBackend, cluster_identifier: str, snapshot_name: str | None = None):
        cluster = self.clusters.get(cluster_identifier)
        if cluster is not None and cluster.global_cluster_identifier:
            gid = cluster.global_cluster_identifier
            gid = gid.split(":global-cluster:")[-1] if gid.startswith("arn:") else gid
            with LOCK:
                gc = global_backend(self.account_id).global_clusters.get(gid)
                if gc is not None and getattr(gc, "_switchyard_failover", None):
                    raise InvalidDBClusterStateFault(
                        f"Global cluster {gid} is {gc.status}; cluster can't be deleted now")
                if gc is not None and cluster in gc.members:
                    gc.members.remove(cluster)
        return original_delete(self, cluster_identifier, snapshot_name)

    RDSResponse.switchover_global_cluster = switchover_global_cluster  # type: ignore[attr-defined]
    RDSResponse.failover_global_cluster = failover_global_cluster  # type: ignore[attr-defined]
    RDSResponse.remove_from_global_cluster = remove_from_global_cluster  # type: ignore[assignment]
    RDSResponse.describe_global_clusters = describe_global_clusters  # type: ignore[assignment]
    RDSResponse.create_global_cluster = create_global_cluster  # type: ignore[assignment]
    RDSBackend.create_db_cluster = create_db_cluster  # type: ignore[assignment]
    RDSResponse.describe_db_clusters = describe_db_clusters  # type: ignore[assignment]
    RDSBackend.delete_db_cluster = delete_db_cluster  # type: ignore[assignment]

    global COMPLETE_DUE
    COMPLETE_DUE = complete_due
    _ = rds_models  # keep the import explicit: we patch moto's own module objects
    _INSTALLED = True


COMPLETE_DUE: Callable[[], None] = lambda: None


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def _as_response(serialized: Any) -> Any:
    """moto's call_action accepts (body, headers-with-status)."""
    status, headers, body = serialized
    headers = dict(headers)
    headers["status"] = status
    return body, headers


# ---------------------------------------------------------------------------
# Standby compute: Auto Scaling groups and ECS services whose capacity takes time
# ---------------------------------------------------------------------------
#
# moto launches Auto Scaling instances ``InService`` at once and keeps an ECS service's
# runningCount where MOTO_ECS_SERVICE_RUNNING put it. Here (on moto's own models) new
# instances stay ``Pending`` and new tasks pending for ``capacity_seconds``; an
# "insufficient capacity" switch makes launches / task placements fail until it is turned
# off; a synthetic ``CapacityInService`` call-log entry marks the moment a group's or a
# service's capacity has fully arrived.

CAPACITY_LOCK = threading.RLock()  # guards every Auto Scaling / ECS request and the timers
_CAPACITY_INSTALLED = False
_ACTIVITY_SEQ = itertools.count(1)
MAX_ACTIVITIES = 1000  # scaling activities kept per group
MAX_SERVICE_EVENTS = 100  # ECS keeps the 100 most recent service events


def _iso(epoch: float) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).isoformat(timespec="milliseconds")


def _aws_time(epoch: float | None = None) -> str:
    """2026-12-05T11:43:19Z, as AWS writes times into activity causes."""
    moment = _dt.datetime.fromtimestamp(time.time() if epoch is None else epoch, _dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class CapacitySwitches:
    """Insufficient-capacity switches set through ``POST /_switchyard/capacity``.

    A switch is a (region, group, cluster, service) pattern where None matches anything:
    with ``group`` it covers Auto Scaling groups only, with ``cluster``/``service`` ECS
    services only, with neither both kinds (in ``region``, or everywhere)."""

    FIELDS = ("region", "group", "cluster", "service")

    def __init__(self) -> None:
        self._switches: set[tuple[str | None, ...]] = set()

    @classmethod
    def key(cls, spec: dict[str, Any]) -> tuple[str | None, ...]:
        for name in cls.FIELDS:
            value = spec.get(name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ValueError(f"{name} must be a non-empty string")
        if spec.get("group") is not None and (spec.get("cluster") is not None
                                              or spec.get("service") is not None):
            raise ValueError("a switch names either an Auto Scaling group or an ECS cluster/service")
        return tuple(spec.get(name) for name in cls.FIELDS)

    def set(self, spec: dict[str, Any], insufficient: bool) -> None:
        key = self.key(spec)
        if insufficient:
            self._switches.add(key)
        else:
            self._switches.discard(key)

    def clear(self) -> None:
        self._switches.clear()

    def as_list(self) -> list[dict[str, Any]]:
        return [dict({k: v for k, v in zip(self.FIELDS, key) if v is not None}, insufficient=True)
                for key in sorted(self._switches, key=lambda k: tuple(v or "" for v in k))]

    def asg(self, region: str, group: str) -> bool:
        return any(c is None and s is None and r in (None, region) and g in (None, group)
                   for r, g, c, s in self._switches)

    def ecs(self, region: str, cluster: str, service: str) -> bool:
        return any(g is None and r in (None, region) and c in (None, cluster) and s in (None, service)
                   for r, g, c, s in self._switches)


SWITCHES = CapacitySwitches()


class CapacityTracker:
    """Per Auto Scaling group / ECS service: is capacity on its way since a change?"""

    def __init__(self, kind: str, account: str, region: str, obj: Any) -> None:
        self.kind = kind  # "autoscaling" | "ecs"
        self.account = account
        self.region = region
        self.obj = obj  # moto's FakeAutoScalingGroup / ecs Service
        self.waiting = False  # a capacity change has not fully arrived yet
        self.started_epoch: float | None = None
        self.forced = False  # complete-capacity was used for it
        self.held = False  # the last launch/placement failed (insufficient capacity)

    def mark(self) -> None:
        if not self.waiting:
            self.waiting = True
            self.started_epoch = time.time()
            self.forced = False


_TRACKERS: dict[tuple[str, ...], CapacityTracker] = {}


def _asg_tracker(group: Any) -> CapacityTracker:
    key = ("autoscaling", group.account_id, group.region, group.name)
    tracker = _TRACKERS.get(key)
    if tracker is None or tracker.obj is not group:
        tracker = _TRACKERS[key] = CapacityTracker("autoscaling", group.account_id, group.region, group)
    return tracker


def _ecs_tracker(service: Any) -> CapacityTracker:
    key = ("ecs", service._account_id, service.region_name, service.cluster_name, service.name)
    tracker = _TRACKERS.get(key)
    if tracker is None or tracker.obj is not service:
        tracker = _TRACKERS[key] = CapacityTracker("ecs", service._account_id, service.region_name, service)
    return tracker


def _tracker_alive(tracker: CapacityTracker) -> bool:
    """False once moto was reset, or the group / service deleted (stale timer)."""
    try:
        if tracker.kind == "autoscaling":
            from moto.autoscaling.models import autoscaling_backends
            groups = autoscaling_backends[tracker.account][tracker.region].autoscaling_groups
            return groups.get(tracker.obj.name) is tracker.obj
        from moto.ecs.models import ecs_backends
        service = tracker.obj
        services = ecs_backends[tracker.account][tracker.region].services
        return services.get(f"{service.cluster_name}:{service.name}") is service and service.status == "ACTIVE"
    except Exception:
        return False


def schedule_capacity(delay: float) -> None:
    timer = threading.Timer(max(delay, 0.0) + 0.005, capacity_due)
    timer.daemon = True
    timer.start()


# -- Auto Scaling ----------------------------------------------------------------

def _asg_activity(group: Any, description: str, cause: str, status_code: str, progress: int,
                  status_message: str | None = None, details: dict[str, str] | None = None,
                  ended: bool = False) -> Any:
    """A scaling activity (DescribeScalingActivities) kept on the group, moto's Activity class."""
    from moto.autoscaling.models import Activity
    from moto.core.utils import utcnow
    activity = Activity(description, cause, group, status_code=status_code)
    activity.progress = progress
    activity.status_message = status_message
    activity.details = json.dumps(details, separators=(",", ":")) if details else None
    activity.auto_scaling_group_arn = group.arn
    activity.end_time = utcnow() if ended else None
    activity._sy_seq = next(_ACTIVITY_SEQ)
    activities = group.__dict__.setdefault("_sy_activities", [])
    activities.append(activity)
    del activities[:-MAX_ACTIVITIES]
    return activity


def _asg_in_service(group: Any) -> list[Any]:
    return [s for s in group.instance_states if s.lifecycle_state == "InService"]


def _asg_pending(group: Any) -> list[Any]:
    return [s for s in group.instance_states if s.lifecycle_state == "Pending"]


def _asg_launch(group: Any, original: Callable[..., Any], count: int, propagated_tags: dict[str, str]) -> None:
    """Launches `count` instances (Pending for capacity_seconds), or fails the launch."""
    tracker = _asg_tracker(group)
    tracker.mark()
    current = len(group.active_instances())
    desired = group.desired_capacity or 0
    cause = (f"At {_aws_time()} an instance was started in response to a difference between desired and "
             f"actual capacity, increasing the capacity from {current} to {desired}.")
    zones = list(group.availability_zones or [])
    if SWITCHES.asg(group.region, group.name):
        tracker.held = True
        zone = zones[0] if zones else f"{group.region}a"
        # as AWS words a failed launch of a launch-template group (EC2 Fleet underneath)
        message = (f"Could not launch On-Demand Instances. InsufficientInstanceCapacity - We currently do not "
                   f"have sufficient {group.instance_type or 'm5.large'} capacity in the Availability Zone you "
                   f"requested ({zone}). Our system will be working on provisioning additional capacity. "
                   f"Launching EC2 instance failed.")
        _asg_activity(group, f"Launching a new EC2 instance.  Status Reason: {message}", cause, "Failed", 100,
                      status_message=message, details={"Availability Zone": zone}, ended=True)
        return
    tracker.held = False
    before = {id(s) for s in group.instance_states}
    original(group, count, propagated_tags)
    seconds = CONFIG.capacity_seconds
    deadline = time.monotonic() + seconds
    for state in group.instance_states:
        if id(state) in before:
            continue
        state.lifecycle_state = "Pending"
        state.health_status = "Healthy"  # as AWS shows a launching instance until health checks say otherwise
        state._sy_deadline = deadline
        details = {"Availability Zone": str(state.availability_zone)}
        subnet = getattr(state.instance, "subnet_id", None)
        if subnet:
            details = {"Subnet ID": subnet, **details}
        state._sy_activity = _asg_activity(group, f"Launching a new EC2 instance: {state.instance_id}", cause,
                                           "InProgress", 30, details=details)
    schedule_capacity(seconds)


def _asg_progress(tracker: CapacityTracker, now: float, release: bool = False) -> None:
    from moto.core.utils import utcnow
    group = tracker.obj
    for state in group.instance_states:
        deadline = getattr(state, "_sy_deadline", None)
        if state.lifecycle_state == "Pending" and deadline is not None and deadline <= now:
            state.lifecycle_state = "InService"
            state._sy_deadline = None
            activity = getattr(state, "_sy_activity", None)
            if activity is not None:
                activity.status_code, activity.progress, activity.end_time = "Successful", 100, utcnow()
    if release and tracker.held and not SWITCHES.asg(group.region, group.name):
        # capacity is back: the next launch attempt succeeds (AWS retries failed launches)
        group.set_desired_capacity(group.desired_capacity)
    desired = group.desired_capacity or 0
    if tracker.waiting and not _asg_pending(group) and len(_asg_in_service(group)) >= desired:
        tracker.waiting = False
        tracker.held = False
        _record_capacity(tracker)


# -- ECS -------------------------------------------------------------------------

def _ecs_event(service: Any, message: str) -> None:
    import uuid

    from moto.core.utils import utcnow
    service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": message})
    del service.events[MAX_SERVICE_EVENTS:]


def _ecs_cluster(service: Any) -> Any:
    try:
        from moto.ecs.models import ecs_backends
        return ecs_backends[service._account_id][service.region_name].clusters.get(service.cluster_name)
    except Exception:
        return None


def _ecs_cluster_counts(service: Any, running: int = 0, pending: int = 0, cluster: Any = None) -> None:
    """Keeps the cluster's runningTasksCount / pendingTasksCount in step with the service."""
    cluster = cluster if cluster is not None else _ecs_cluster(service)
    if cluster is not None and getattr(service, "_sy_counted", False):
        cluster.running_tasks_count += running
        cluster.pending_tasks_count += pending


def _ecs_sync_deployment(service: Any) -> None:
    from moto.core.utils import utcnow
    for deployment in service.deployments[:1]:  # the PRIMARY deployment
        deployment["desiredCount"] = service.desired_count
        deployment["runningCount"] = service.running_count
        deployment["pendingCount"] = service.pending_count
        deployment["updatedAt"] = utcnow()
        steady = service.pending_count == 0 and service.running_count == service.desired_count
        if steady and deployment.get("rolloutState") == "IN_PROGRESS":
            deployment["rolloutState"] = "COMPLETED"
            deployment["rolloutStateReason"] = f"ECS deployment {deployment.get('id')} completed."


def _ecs_place(service: Any, count: int, tracker: CapacityTracker) -> None:
    """Starts `count` tasks (pending for capacity_seconds), or fails to place them."""
    import uuid
    if count <= 0:
        return
    if SWITCHES.ecs(service.region_name, service.cluster_name, service.name):
        tracker.held = True
        if (service.launch_type or "EC2") == "EC2":
            reason = ("was unable to place a task because no container instance met all of its requirements. "
                      "Reason: No Container Instances were found in your cluster.")
        else:
            reason = ("was unable to place a task. Reason: Capacity is unavailable at this time. Please try "
                      "again later or in a different availability zone.")
        _ecs_event(service, f"(service {service.name}) {reason}")
        return
    tracker.held = False
    seconds = CONFIG.capacity_seconds
    service._sy_batches.append([count, time.monotonic() + seconds])
    service.pending_count += count
    _ecs_cluster_counts(service, pending=count)
    tasks = " ".join(f"(task {uuid.uuid4().hex})" for _ in range(min(count, 10)))
    _ecs_event(service, f"(service {service.name}) has started {count} tasks: {tasks}.")
    schedule_capacity(seconds)


def _ecs_scale(service: Any, desired: int) -> None:
    """Sets desiredCount: missing tasks are placed (pending first), extra tasks stop at once."""
    tracker = _ecs_tracker(service)
    if desired != service.desired_count or desired != service.running_count + service.pending_count:
        tracker.mark()
    service.desired_count = desired
    total = service.running_count + service.pending_count
    if desired > total:
        _ecs_place(service, desired - total, tracker)
    elif desired < total:
        extra = total - desired
        while extra and service._sy_batches:  # pending tasks go first, newest first
            batch = service._sy_batches[-1]
            take = min(extra, batch[0])
            batch[0] -= take
            extra -= take
            service.pending_count -= take
            _ecs_cluster_counts(service, pending=-take)
            if batch[0] == 0:
                service._sy_batches.pop()
        if extra:
            service.running_count -= extra
            _ecs_cluster_counts(service, running=-extra)
            _ecs_event(service, f"(service {service.name}) has stopped {extra} running tasks.")
    _ecs_sync_deployment(service)


def _ecs_progress(tracker: CapacityTracker, now: float, release: bool = False) -> None:
    service = tracker.obj
    changed = False
    for batch in list(service._sy_batches):
        if batch[1] <= now:
            service._sy_batches.remove(batch)
            service.pending_count -= batch[0]
            service.running_count += batch[0]
            _ecs_cluster_counts(service, running=batch[0], pending=-batch[0])
            changed = True
    if release and tracker.held and not SWITCHES.ecs(service.region_name, service.cluster_name, service.name):
        _ecs_place(service, service.desired_count - service.running_count - service.pending_count, tracker)
        changed = True
    if changed:
        _ecs_sync_deployment(service)
    if tracker.waiting and service.pending_count == 0 and service.running_count >= service.desired_count:
        tracker.waiting = False
        tracker.held = False
        _ecs_event(service, f"(service {service.name}) has reached a steady state.")
        _record_capacity(tracker)


# -- shared ----------------------------------------------------------------------

def _record_capacity(tracker: CapacityTracker) -> None:
    """Synthetic call-log entry: the group's / service's capacity has fully arrived."""
    now = time.time()
    started = tracker.started_epoch if tracker.started_epoch is not None else now
    meta = {"StartedTime": _iso(started), "StartedEpoch": started,
            "DurationSeconds": round(now - started, 3), "Forced": tracker.forced}
    if tracker.kind == "autoscaling":
        group = tracker.obj
        in_service = _asg_in_service(group)
        params: dict[str, Any] = {"AutoScalingGroupName": group.name,
                                  "DesiredCapacity": str(group.desired_capacity or 0)}
        capacity = {"Kind": "AutoScalingGroup", "AutoScalingGroupName": group.name,
                    "AutoScalingGroupARN": group.arn, "DesiredCapacity": group.desired_capacity or 0,
                    "MinSize": group.min_size, "MaxSize": group.max_size, "InService": len(in_service),
                    "InstanceIds": [s.instance_id for s in in_service], **meta}
    else:
        service = tracker.obj
        params = {"cluster": service.cluster_name, "service": service.name,
                  "desiredCount": service.desired_count}
        capacity = {"Kind": "ECSService", "cluster": service.cluster_name, "clusterArn": service.cluster_arn,
                    "service": service.name, "serviceArn": service.arn, "desiredCount": service.desired_count,
                    "runningCount": service.running_count, "pendingCount": service.pending_count, **meta}
    CALLS.record({
        "time": _iso(now), "epoch": now, "service": tracker.kind, "region": tracker.region,
        "operation": CAPACITY_OPERATION, "method": "", "path": "", "query": "", "mutating": False,
        "synthetic": True, "status": 200, "params": params, "capacity": capacity,
    })


def capacity_due(release: bool = False) -> None:
    """Brings due capacity into service and records the capacity that fully arrived.
    With release=True it also retries launches / placements that failed while an
    insufficient-capacity switch was on and no switch covers any more."""
    now = time.monotonic()
    with CAPACITY_LOCK:
        for key, tracker in list(_TRACKERS.items()):
            if not _tracker_alive(tracker):
                if _TRACKERS.get(key) is tracker:
                    del _TRACKERS[key]
                continue
            if tracker.kind == "autoscaling":
                _asg_progress(tracker, now, release)
            else:
                _ecs_progress(tracker, now, release)


def _tracker_matches(tracker: CapacityTracker, spec: dict[str, Any]) -> bool:
    if spec.get("region") not in (None, tracker.region):
        return False
    if tracker.kind == "autoscaling":
        return (spec.get("cluster") is None and spec.get("service") is None
                and spec.get("group") in (None, tracker.obj.name))
    return (spec.get("group") is None and spec.get("cluster") in (None, tracker.obj.cluster_name)
            and spec.get("service") in (None, tracker.obj.name))


def complete_capacity(spec: dict[str, Any]) -> int:
    """Makes the pending instances / tasks of the matching groups and services arrive now
    (not the capacity an insufficient-capacity switch holds back). Returns how many."""
    CapacitySwitches.key(spec)  # validates
    count = 0
    with CAPACITY_LOCK:
        for tracker in list(_TRACKERS.values()):
            if not _tracker_matches(tracker, spec) or not _tracker_alive(tracker):
                continue
            if tracker.kind == "autoscaling":
                for state in _asg_pending(tracker.obj):
                    if getattr(state, "_sy_deadline", None) is not None:
                        state._sy_deadline = 0
                        count += 1
                        tracker.forced = True
            else:
                for batch in tracker.obj._sy_batches:
                    batch[1] = 0
                    count += batch[0]
                    tracker.forced = True
        capacity_due()
    return count


def capacity_state() -> dict[str, Any]:
    """What GET /_switchyard/capacity shows: switches, and every tracked group / service."""
    groups, services = [], []
    with CAPACITY_LOCK:
        for tracker in _TRACKERS.values():
            if not _tracker_alive(tracker):
                continue
            if tracker.kind == "autoscaling":
                group = tracker.obj
                groups.append({"region": tracker.region, "AutoScalingGroupName": group.name,
                               "DesiredCapacity": group.desired_capacity, "MinSize": group.min_size,
                               "MaxSize": group.max_size, "InService": len(_asg_in_service(group)),
                               "Pending": len(_asg_pending(group)), "Waiting": tracker.waiting,
                               "Held": tracker.held, "Insufficient": SWITCHES.asg(tracker.region, group.name)})
            else:
                service = tracker.obj
                services.append({"region": tracker.region, "cluster": service.cluster_name,
                                 "service": service.name, "serviceArn": service.arn,
                                 "desiredCount": service.desired_count, "runningCount": service.running_count,
                                 "pendingCount": service.pending_count, "Waiting": tracker.waiting,
                                 "Held": tracker.held,
                                 "Insufficient": SWITCHES.ecs(tracker.region, service.cluster_name, service.name)})
    return {"switches": SWITCHES.as_list(), "auto_scaling_groups": groups, "ecs_services": services,
            "capacity_seconds": CONFIG.capacity_seconds}


def install_capacity_extensions() -> None:
    """Patch moto's Auto Scaling and ECS models/responses in place (idempotent)."""
    global _CAPACITY_INSTALLED
    if _CAPACITY_INSTALLED:
        return
    from moto.autoscaling.exceptions import ValidationError
    from moto.autoscaling.models import FakeAutoScalingGroup
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult, BaseResponse
    from moto.core.utils import utcnow
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.models import EC2ContainerServiceBackend, Service
    from moto.ecs.responses import EC2ContainerServiceResponse

    # -- every Auto Scaling / ECS request: serialized, due capacity arrives first ------
    def locked(original: Callable[..., Any]) -> Callable[..., Any]:
        def call_action(self: Any) -> Any:
            with CAPACITY_LOCK:
                capacity_due()
                try:
                    return original(self)
                finally:
                    capacity_due()
        return call_action

    AutoScalingResponse.call_action = locked(AutoScalingResponse.call_action)  # type: ignore[method-assign]
    EC2ContainerServiceResponse.call_action = locked(  # type: ignore[method-assign]
        EC2ContainerServiceResponse.__dict__.get("call_action", BaseResponse.call_action))

    # -- Auto Scaling models -------------------------------------------------------
    def active_instances(self: FakeAutoScalingGroup) -> list[Any]:
        # Pending instances count towards the desired capacity (moto only counted InService).
        return [s for s in self.instance_states if s.lifecycle_state in ("InService", "Pending")]

    original_replace = FakeAutoScalingGroup.replace_autoscaling_group_instances

    def replace_autoscaling_group_instances(self: FakeAutoScalingGroup, count_needed: int,
                                            propagated_tags: dict[str, str]) -> None:
        with CAPACITY_LOCK:
            _asg_launch(self, original_replace, count_needed, propagated_tags)

    original_set_desired = FakeAutoScalingGroup.set_desired_capacity

    def set_desired_capacity(self: FakeAutoScalingGroup, new_capacity: int | None) -> None:
        with CAPACITY_LOCK:
            old_desired = self.__dict__.get("desired_capacity")
            states = list(self.__dict__.get("instance_states") or [])
            order = {id(s): i for i, s in enumerate(states)}
            # moto scales in by removing the first unprotected instances: Pending ones first, newest first
            pending = [s for s in states if s.lifecycle_state == "Pending"][::-1]
            self.instance_states = pending + [s for s in states if s.lifecycle_state != "Pending"]
            original_set_desired(self, new_capacity)
            self.instance_states.sort(key=lambda s: order.get(id(s), len(order)))  # stable: new ones last
            kept = {id(s) for s in self.instance_states}
            removed = [s for s in states if id(s) not in kept]
            if removed:
                cause = (f"At {_aws_time()} an instance was taken out of service in response to a difference "
                         f"between desired and actual capacity, shrinking the capacity from {len(states)} to "
                         f"{len(self.instance_states)}.")
                for state in removed:
                    activity = getattr(state, "_sy_activity", None)
                    if activity is not None and activity.status_code == "InProgress":
                        activity.status_code, activity.progress, activity.end_time = "Cancelled", 100, utcnow()
                    _asg_activity(self, f"Terminating EC2 instance: {state.instance_id}", cause, "Successful",
                                  100, details={"Availability Zone": str(state.availability_zone)}, ended=True)
            if old_desired != self.desired_capacity or removed:
                _asg_tracker(self).mark()

    original_update = FakeAutoScalingGroup.update

    def update(self: FakeAutoScalingGroup, *args: Any, **kwargs: Any) -> None:
        # AWS: a new MinSize above / MaxSize below the group's desired capacity, given without
        # DesiredCapacity, moves the desired capacity there; otherwise it stays (moto compared the
        # sizes with its instance count, which differs from the desired capacity while launches fail).
        if kwargs.get("desired_capacity") is None and not args:
            current = self.desired_capacity or 0
            if kwargs.get("min_size") is not None and kwargs["min_size"] > current:
                kwargs["desired_capacity"] = kwargs["min_size"]
            elif kwargs.get("max_size") is not None and kwargs["max_size"] < current:
                kwargs["desired_capacity"] = kwargs["max_size"]
            else:
                kwargs["desired_capacity"] = current
        original_update(self, *args, **kwargs)

    FakeAutoScalingGroup.active_instances = active_instances  # type: ignore[method-assign]
    FakeAutoScalingGroup.replace_autoscaling_group_instances = replace_autoscaling_group_instances  # type: ignore[method-assign]
    FakeAutoScalingGroup.set_desired_capacity = set_desired_capacity  # type: ignore[method-assign]
    FakeAutoScalingGroup.update = update  # type: ignore[method-assign]

    # -- Auto Scaling responses: AWS's ValidationErrors -------------------------------
    def bounds_error(min_size: int | None, max_size: int | None, desired: int | None) -> None:
        if min_size is not None and max_size is not None and min_size > max_size:
            raise ValidationError(f"Max bound, {max_size}, must be greater than or equal to min bound, {min_size}")
        if desired is not None and ((min_size is not None and desired < min_size)
                                    or (max_size is not None and desired > max_size)):
            raise ValidationError(f"Desired capacity:{desired} must be between the specified min size:"
                                  f"{min_size} and max size:{max_size}")

    original_create_group = AutoScalingResponse.create_auto_scaling_group

    def create_auto_scaling_group(self: AutoScalingResponse) -> ActionResult:
        bounds_error(self._get_int_param("MinSize"), self._get_int_param("MaxSize"),
                     self._get_int_param("DesiredCapacity"))
        return original_create_group(self)

    original_update_group = AutoScalingResponse.update_auto_scaling_group

    def update_auto_scaling_group(self: AutoScalingResponse) -> ActionResult:
        group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
        if group is not None:
            min_size = self._get_int_param("MinSize")
            max_size = self._get_int_param("MaxSize")
            bounds_error(group.min_size if min_size is None else min_size,
                         group.max_size if max_size is None else max_size,
                         self._get_int_param("DesiredCapacity"))
        return original_update_group(self)

    original_set_desired_response = AutoScalingResponse.set_desired_capacity

    def set_desired_capacity_response(self: AutoScalingResponse) -> ActionResult:
        name = self._get_param("AutoScalingGroupName")
        group = self.autoscaling_backend.autoscaling_groups.get(name)
        if group is None:  # moto answered HTTP 500 (KeyError)
            raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup '{name}' not found")
        desired = self._get_int_param("DesiredCapacity")
        if desired is not None and group.max_size is not None and desired > group.max_size:
            raise ValidationError(f"New SetDesiredCapacity value {desired} is above max value "
                                  f"{group.max_size} for the AutoScalingGroup.")
        if desired is not None and group.min_size is not None and desired < group.min_size:
            raise ValidationError(f"New SetDesiredCapacity value {desired} is below min value "
                                  f"{group.min_size} for the AutoScalingGroup.")
        return original_set_desired_response(self)

    def describe_scaling_activities(self: AutoScalingResponse) -> ActionResult:
        name = self._get_param("AutoScalingGroupName")
        wanted = set(self._get_param("ActivityIds", []) or [])
        groups = [g for g in self.autoscaling_backend.autoscaling_groups.values() if name in (None, g.name)]
        activities = [a for g in groups for a in g.__dict__.get("_sy_activities", [])
                      if not wanted or a.activity_id in wanted]
        activities.sort(key=lambda a: a._sy_seq, reverse=True)  # most recent first
        max_records = self._get_int_param("MaxRecords") or 100
        token = self._get_param("NextToken")
        start = int(token) if token and str(token).isdigit() else 0
        page = activities[start:start + max_records]
        next_token = str(start + max_records) if len(activities) > start + max_records else None
        return ActionResult({"Activities": page, "NextToken": next_token})

    def describe_auto_scaling_instances(self: AutoScalingResponse) -> ActionResult:
        # AWS spells this API's HealthStatus HEALTHY / UNHEALTHY (DescribeAutoScalingGroups: Healthy).
        states = self.autoscaling_backend.describe_auto_scaling_instances(
            instance_ids=self._get_param("InstanceIds", []))
        def launch_configuration_name(state: Any) -> str | None:
            config = getattr(state.auto_scaling_group, "launch_config", None)
            return getattr(config, "name", None)

        items = [{"InstanceId": s.instance_id, "InstanceType": s.instance_type,
                  "AutoScalingGroupName": s.auto_scaling_group_name, "AvailabilityZone": str(s.availability_zone),
                  "LifecycleState": s.lifecycle_state, "HealthStatus": str(s.health_status).upper(),
                  "LaunchConfigurationName": launch_configuration_name(s), "LaunchTemplate": s.launch_template,
                  "ProtectedFromScaleIn": bool(s.protected_from_scale_in)} for s in states]
        return ActionResult({"AutoScalingInstances": items})

    AutoScalingResponse.create_auto_scaling_group = create_auto_scaling_group  # type: ignore[method-assign]
    AutoScalingResponse.update_auto_scaling_group = update_auto_scaling_group  # type: ignore[method-assign]
    AutoScalingResponse.set_desired_capacity = set_desired_capacity_response  # type: ignore[method-assign]
    AutoScalingResponse.describe_scaling_activities = describe_scaling_activities  # type: ignore[method-assign]
    AutoScalingResponse.describe_auto_scaling_instances = describe_auto_scaling_instances  # type: ignore[method-assign]

    # -- ECS ------------------------------------------------------------------------
    original_service_init = Service.__init__

    def service_init(self: Service, *args: Any, **kwargs: Any) -> None:
        original_service_init(self, *args, **kwargs)
        # runningCount follows desiredCount after capacity_seconds (MOTO_ECS_SERVICE_RUNNING is ignored)
        self.created_at = utcnow()
        self._sy_batches = []  # [[task count, monotonic deadline], ...] of pending tasks
        self._sy_counted = False  # create_service adds the counts to the cluster itself
        desired = int(self.desired_count or 0)
        self.running_count = 0
        self.pending_count = 0
        self.desired_count = 0
        with CAPACITY_LOCK:
            _ecs_scale(self, desired)
            if desired == 0:
                _ecs_tracker(self).mark()

    original_create_service = EC2ContainerServiceBackend.create_service

    def check_desired_count(value: Any) -> None:
        if value is not None and int(value) < 0:
            raise InvalidParameterException("desiredCount can not be negative.")

    def create_service(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Service:
        check_desired_count(kwargs["desired_count"] if "desired_count" in kwargs
                            else (args[2] if len(args) > 2 else None))
        with CAPACITY_LOCK:
            service = original_create_service(self, *args, **kwargs)
            service._sy_counted = True  # moto added running/pending to the cluster from here on
            cluster = self.clusters.get(service.cluster_name)
            if cluster is not None:
                cluster.active_services_count += 1
            return service

    original_update_service = EC2ContainerServiceBackend.update_service

    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Service:
        props = dict(service_properties)
        desired = props.pop("desired_count", None)
        check_desired_count(desired)
        with CAPACITY_LOCK:
            service = original_update_service(self, props)  # everything but the count
            # moto took the service's tasks off the cluster's counts: put them back
            _ecs_cluster_counts(service, running=service.running_count, pending=service.pending_count)
            if desired is not None:
                _ecs_scale(service, int(desired))
            return service

    original_delete_service = EC2ContainerServiceBackend.delete_service

    def delete_service(self: EC2ContainerServiceBackend, cluster_name: str, service_name: str,
                       force: bool) -> Service:
        with CAPACITY_LOCK:
            service = original_delete_service(self, cluster_name, service_name, force)
            if service._sy_batches or service.running_count:
                service._sy_batches = []
                service.pending_count = 0
                service.running_count = 0  # moto already took them off the cluster's counts
            cluster = self.clusters.get(service.cluster_name)
            if cluster is not None and cluster.active_services_count > 0:
                cluster.active_services_count -= 1
            return service

    Service.__init__ = service_init  # type: ignore[method-assign]
    EC2ContainerServiceBackend.create_service = create_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.delete_service = delete_service  # type: ignore[method-assign]

    _CAPACITY_INSTALLED = True


# ---------------------------------------------------------------------------
# WSGI application: control API + recording + moto
# ---------------------------------------------------------------------------

CONTROL_PREFIX = "/_switchyard/"


def _json_response(start_response: Any, status: int, payload: Any) -> list[bytes]:
    body = json.dumps(payload, default=str).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
              409: "Conflict"}.get(status, "OK")
    start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(body)))])
    return [body]


class SwitchyardApp:
    def __init__(self, moto_app: Any, port_ref: dict[str, int]) -> None:
        self.moto_app = moto_app
        self.port_ref = port_ref

    def control(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ.get("PATH_INFO", "")[len(CONTROL_PREFIX):].strip("/")
        method = environ.get("REQUEST_METHOD", "GET")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return _json_response(start_response, 400, {"error": "body is not JSON"})
        if path == "health" and method == "GET":
            import moto
            return _json_response(start_response, 200, {
                "status": "ok", "port": self.port_ref.get("port"), "pid": os.getpid(),
                "moto_version": moto.__version__, "config": CONFIG.as_dict()})
        if path == "calls" and method == "GET":
            def flag(name: str) -> bool | None:
                value = query.get(name)
                return None if value is None else value.lower() in ("1", "true", "yes")

            result = CALLS.query(
                service=query.get("service"), operation=query.get("operation"),
                region=query.get("region"), mutating=flag("mutating"), succeeded=flag("succeeded"),
                synthetic=flag("synthetic"))
            return _json_response(start_response, 200, result)
        if path == "reset-calls" and method == "POST":
            CALLS.reset()
            return _json_response(start_response, 200, {"reset": True})
        if path == "config":
            if method == "GET":
                return _json_response(start_response, 200, CONFIG.as_dict())
            if method == "POST":
                if not isinstance(data, dict):
                    return _json_response(start_response, 400, {"error": "expected a JSON object"})
                try:
                    CONFIG.update(data)
                except (ValueError, TypeError) as exc:
                    return _json_response(start_response, 400, {"error": str(exc)})
                return _json_response(start_response, 200, CONFIG.as_dict())
        if path == "capacity":
            if method == "GET":
                return _json_response(start_response, 200, capacity_state())
            if method == "POST":
                if not isinstance(data, dict):
                    return _json_response(start_response, 400, {"error": "expected a JSON object"})
                allowed = set(CapacitySwitches.FIELDS) | {"insufficient", "clear"}
                unknown = set(data) - allowed
                if unknown:
                    return _json_response(start_response, 400, {"error": f"unknown keys: {sorted(unknown)}"})
                clear = data.get("clear") is True
                if not clear and not isinstance(data.get("insufficient"), bool):
                    return _json_response(start_response, 400, {
                        "error": 'expected {"insufficient": true|false} (with region/group/cluster/service) '
                                 'or {"clear": true}'})
                try:
                    with CAPACITY_LOCK:
                        if clear:
                            SWITCHES.clear()
                        else:
                            SWITCHES.set({k: data.get(k) for k in CapacitySwitches.FIELDS}, data["insufficient"])
                        capacity_due(release=True)  # launches that failed meanwhile are retried now
                except ValueError as exc:
                    return _json_response(start_response, 400, {"error": str(exc)})
                return _json_response(start_response, 200, capacity_state())
        if path == "complete-capacity" and method == "POST":
            if not isinstance(data, dict) or set(data) - set(CapacitySwitches.FIELDS):
                return _json_response(start_response, 400, {
                    "error": f"expected a JSON object with keys among {list(CapacitySwitches.FIELDS)}"})
            try:
                completed = complete_capacity(data)
            except ValueError as exc:
                return _json_response(start_response, 400, {"error": str(exc)})
            return _json_response(start_response, 200, {"completed": completed})
        if path == "arc" or path.startswith("arc/"):
            status, payload = arc.control(path, method, query, data, environ)
            return _json_response(start_response, status, payload)
        handled = edge.control(path, method, query, data)
        if handled is None and (path == "dns" or path.startswith("dns/")):
            handled = resolver.control(path, method, query, data)
        if handled is not None:
            return _json_response(start_response, *handled)
        if path == "complete-failovers" and method == "POST":
            with LOCK:
                for gc in list(_IN_PROGRESS.values()):
                    if getattr(gc, "_switchyard_failover", None):
                        gc._switchyard_failover["deadline"] = 0
                        gc._switchyard_failover["forced"] = True
            COMPLETE_DUE()
            return _json_response(start_response, 200, {"completed": True})
        return _json_response(start_response, 404, {"error": f"no control endpoint {method} /{path}"})

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/"):
            return self.control(environ, start_response)
        if path.startswith("/moto-api"):
            if path.rstrip("/") == "/moto-api/reset":
                arc.reset()
                resolver.reset()
            return self.moto_app(environ, start_response)
        if arc.is_arc_path(path):
            return arc.handle(environ, start_response)
        if resolver.is_resolver_path(path):
            return resolver.handle(environ, start_response)
        if edge.is_edge_request(environ):
            return edge.serve(environ, start_response)

        body = None
        content_type = environ.get("CONTENT_TYPE", "")
        is_ecs = (environ.get("HTTP_X_AMZ_TARGET") or "").startswith(ECS_TARGET_PREFIX)
        if ("x-www-form-urlencoded" in content_type or (is_ecs and environ.get("CONTENT_LENGTH"))
                or arc.wants_body(environ)):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        entry = classify(environ, body)
        captured: dict[str, Any] = {}

        def recording_start_response(status: str, headers: list, exc_info: Any = None):
            captured["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            result = self.moto_app(environ, recording_start_response)
        finally:
            entry["status"] = captured.get("status", 500)
            if entry["service"]:
                CALLS.record(entry)
        return result


def build_app(port_ref: dict[str, int] | None = None) -> SwitchyardApp:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    install_rds_extensions()
    install_capacity_extensions()
    arc.install(CALLS, CONFIG, classify)
    edge.install_edge_extensions(CONFIG, CALLS)
    resolver.install()
    return SwitchyardApp(DomainDispatcherApplication(create_backend_app), port_ref or {})


# ---------------------------------------------------------------------------
# Process lifecycle helpers (shared with fault_proxy.py)
# ---------------------------------------------------------------------------

def ensure_loopback(host: str) -> None:
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = host == "localhost"
    if not ok:
        raise SystemExit(f"refusing to bind {host}: loopback addresses only")


def write_port_file(path: str | None, port: int) -> None:
    if not path:
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as fh:
        fh.write(f"{port}\n")
    os.replace(tmp, path)


def redirect_stderr(path: str | None) -> None:
    """Sends stderr (logs, tracebacks) to a file so an undrained pipe can never block us."""
    if not path:
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def watch_parent(on_orphan: Callable[[], None], interval: float = 0.5) -> None:
    """Calls on_orphan when the parent process dies (ppid changes, e.g. to 1)."""
    parent = os.getppid()

    def loop() -> None:
        while True:
            time.sleep(interval)
            ppid = os.getppid()
            if ppid != parent or ppid == 1:
                on_orphan()
                return

    threading.Thread(target=loop, name="parent-watch", daemon=True).start()


def serve_until_stopped(server: Any, port_file: str | None, watch: bool) -> None:
    """Runs server.serve_forever() in a thread; stops on SIGTERM/SIGINT/orphaning."""
    stop = threading.Event()

    def request_stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if watch:
        watch_parent(request_stop)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="serve", daemon=True)
    thread.start()
    port = server.server_address[1]
    write_port_file(port_file, port)
    sys.stdout.write(f"READY {port}\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        if not thread.is_alive():
            break
    shutdown = threading.Thread(target=server.shutdown, daemon=True)
    shutdown.start()
    shutdown.join(5)
    try:
        server.server_close()
    except Exception:
        pass
    if port_file:
        try:
            os.unlink(port_file)
        except OSError:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    parser.add_argument("--port-file", help="write the bound port to this file once ready")
    parser.add_argument("--failover-seconds", type=float, default=3.0,
                        help="how long switchover/failover stays in progress (default 3)")
    parser.add_argument("--capacity-seconds", type=float, default=1.0,
                        help="how long new Auto Scaling instances stay Pending and new ECS tasks pending "
                             "(default 1)")
    parser.add_argument("--dns-seconds", type=float, default=0.0,
                        help="how long a Route 53 change stays PENDING before INSYNC (default 0)")
    parser.add_argument("--cloudfront-seconds", type=float, default=0.0,
                        help="how long Create/UpdateDistribution stays InProgress before Deployed "
                             "(default 0: moto's own status)")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    parser.add_argument("--log-file", help="append stderr (warnings, tracebacks) to this file")
    parser.add_argument("--no-parent-watch", action="store_true",
                        help="do not exit when the parent process dies")
    args = parser.parse_args(argv)
    ensure_loopback(args.host)
    redirect_stderr(args.log_file)
    try:
        CONFIG.update({"failover_seconds": args.failover_seconds, "capacity_seconds": args.capacity_seconds,
                       "dns_seconds": args.dns_seconds, "cloudfront_seconds": args.cloudfront_seconds})
    except ValueError as exc:
        parser.error(str(exc))
    logging.getLogger("werkzeug").setLevel(logging.INFO if args.verbose else logging.WARNING)

    from werkzeug.serving import make_server

    port_ref: dict[str, int] = {}
    app = build_app(port_ref)
    server = make_server(args.host, args.port, app, threaded=True)
    port_ref["port"] = server.server_address[1]
    os.environ["MOTO_PORT"] = str(port_ref["port"])
    serve_until_stopped(server, args.port_file, watch=not args.no_parent_watch)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Leftover worker threads (moto timers, request handlers) must not keep a stopped server alive.
    os._exit(code)
