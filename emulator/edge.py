"""What users see, and what readiness checks read: an emulated CloudFront edge and the
readiness facts moto lacks, for the Switchyard emulator (switchyard_emulator.py installs it).

* **Edge**: ``GET /_edge/<DistributionId>/<path>`` (or any request whose ``Host`` is the
  distribution's ``<id>.cloudfront.net``) is answered as CloudFront would with the
  distribution's *deployed* configuration: the cache behaviour's target (an origin group is
  tried member after member while a member answers one of the group's FailoverCriteria
  status codes, per request), S3 origins served as the S3 website endpoint would (bucket,
  website configuration, bucket / account Block Public Access, public-read bucket policy,
  object). Headers name the origin and the bucket's region (``X-Switchyard-Origin``,
  ``X-Switchyard-Region``). Every edge request is kept in the edge log.
* **Deployment delay**: Create/UpdateDistribution leave the distribution ``InProgress`` for
  ``cloudfront_seconds`` (0, the default, keeps moto's own status); the edge serves the
  previously deployed configuration until then. A synthetic call-log entry
  ``DistributionDeployed`` marks the moment a configuration is deployed.
* **Readiness support**: origin groups as the default cache behaviour's target (moto refuses
  them), DB instances of engine ``docdb``, a global secondary's instances reported as readers,
  member clusters inheriting the global cluster's engine version, and replication lag
  published as CloudWatch metrics (``POST /_switchyard/replication-lag``).

Control API (JSON, routed here by switchyard_emulator.py): ``GET /_switchyard/edge/log``,
``POST /_switchyard/edge/reset``, ``GET /_switchyard/edge/distributions``,
``POST /_switchyard/edge/complete-deployments``, ``GET/POST /_switchyard/replication-lag``.
"""
from __future__ import annotations

import collections
import datetime as _dt
import fnmatch
import html
import json
import re
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from typing import Any, Callable

EDGE_PREFIX = "/_edge/"
CLOUDFRONT_DOMAIN_SUFFIX = ".cloudfront.net"
# Operation name of the synthetic call-log entry written when a distribution's configuration
# is deployed (the edge serves it from then on). Not an AWS operation.
DEPLOYED_OPERATION = "DistributionDeployed"
# CloudFront is global; boto3 (and Switchyard) sign its calls for us-east-1.
CLOUDFRONT_REGION = "us-east-1"

ORIGIN_HEADER = "X-Switchyard-Origin"
REGION_HEADER = "X-Switchyard-Region"
DISTRIBUTION_HEADER = "X-Switchyard-Distribution"
ATTEMPTS_HEADER = "X-Switchyard-Attempts"
ERROR_HEADER = "X-Switchyard-Error"

# Replication lag metrics as AWS publishes them in the secondary's region (milliseconds).
LAG_METRICS = {"docdb": ("AWS/DocDB", "GlobalClusterReplicationLag")}
AURORA_LAG_METRIC = ("AWS/RDS", "AuroraGlobalDBReplicationLag")
LAG_INTERVAL_SECONDS = 60.0  # AWS publishes these metrics every minute
DB_INSTANCE_DOCDB_PORT = 27017

LOCK = threading.RLock()  # guards the deployments and the lag settings
_STATE: dict[str, Any] = {"config": None, "calls": None, "installed": False}


def _config() -> Any:
    return _STATE["config"]


def _now_iso(epoch: float) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).isoformat(timespec="milliseconds")


# ---------------------------------------------------------------------------
# Distribution configuration snapshots (what the edge serves)
# ---------------------------------------------------------------------------

def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return default


def _items(section: Any) -> list[Any]:
    """The Items of a CloudFront ``{"Quantity": n, "Items": [...]}`` section, as a list."""
    if section is None:
        return []
    if isinstance(section, list):
        return section
    items = _attr(section, "Items", "items")
    if items is None:
        return []
    if isinstance(items, dict):  # a single-element list parsed as its member element
        values = list(items.values())
        items = values[0] if len(values) == 1 else values
    return items if isinstance(items, list) else [items]


def _flag(value: Any, default: bool = True) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def snapshot_config(config: Any) -> dict[str, Any]:
    """A plain copy of the parts of a moto DistributionConfig that decide what users see."""
    origins = {}
    for origin in _items(_attr(config, "Origins")):
        origin_id = _attr(origin, "id", "Id")
        origins[origin_id] = {"Id": origin_id, "DomainName": _attr(origin, "domain_name", "DomainName") or "",
                              "OriginPath": _attr(origin, "origin_path", "OriginPath") or ""}
    groups = {}
    for group in _items(_attr(config, "OriginGroups")):
        group_id = _attr(group, "Id", "id")
        criteria = _attr(_attr(group, "FailoverCriteria") or {}, "StatusCodes")
        codes = []
        for code in _items(criteria):
            try:
                codes.append(int(code))
            except (TypeError, ValueError):
                pass
        members = []
        for member in _items(_attr(group, "Members")):
            members.append(_attr(member, "OriginId", "origin_id") if not isinstance(member, str) else member)
        groups[group_id] = {"Id": group_id, "StatusCodes": codes, "Members": members}
    behaviors = []
    for behavior in _items(_attr(config, "CacheBehaviors")):
        behaviors.append({"PathPattern": _attr(behavior, "path_pattern", "PathPattern") or "",
                          "TargetOriginId": _attr(behavior, "target_origin_id", "TargetOriginId")})
    default = _attr(config, "DefaultCacheBehavior")
    return {
        "Enabled": _flag(_attr(config, "Enabled")),
        "DefaultRootObject": _attr(config, "DefaultRootObject") or "",
        "Aliases": [str(a).lower() for a in _items(_attr(config, "Aliases"))],
        "DefaultTarget": _attr(default, "target_origin_id", "TargetOriginId"),
        "CacheBehaviors": behaviors,
        "Origins": origins,
        "OriginGroups": groups,
    }


def _summary(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {"DefaultTarget": snapshot["DefaultTarget"], "Enabled": snapshot["Enabled"],
            "OriginGroups": [dict(g) for g in snapshot["OriginGroups"].values()],
            "Origins": {k: v["DomainName"] for k, v in snapshot["Origins"].items()}}


# ---------------------------------------------------------------------------
# Deployments: the configuration the edge serves, and the InProgress delay
# ---------------------------------------------------------------------------

class Deployment:
    """Per distribution: the deployed configuration and the one being deployed."""

    def __init__(self, account: str, backend: Any, dist: Any) -> None:
        self.account = account
        self.backend = backend  # moto's CloudFrontBackend (same object across resets)
        self.dist = dist
        self.id = dist.distribution_id
        self.deployed: dict[str, Any] | None = None
        self.deployed_epoch: float | None = None
        self.pending: dict[str, Any] | None = None
        self.delayed = False  # pending for cloudfront_seconds: Status InProgress meanwhile
        self.deadline = 0.0  # time.monotonic()
        self.started_epoch = 0.0  # when the change being deployed was made
        self.changes = 0  # changes the pending deployment covers
        self.trigger = ""
        self.forced = False

    def alive(self) -> bool:
        try:
            return self.backend.distributions.get(self.id) is self.dist
        except Exception:
            return False


_DEPLOYMENTS: dict[tuple[str, str], Deployment] = {}


def _record_deployed(dep: Deployment, now: float) -> None:
    dist = dep.dist
    snapshot = dep.deployed or {}
    calls = _STATE["calls"]
    if calls is None:
        return
    calls.record({
        "time": _now_iso(now), "epoch": now, "service": "cloudfront", "region": CLOUDFRONT_REGION,
        "operation": DEPLOYED_OPERATION, "method": "", "path": "", "query": "", "mutating": False,
        "synthetic": True, "status": 200, "params": {"Id": dep.id},
        "deployment": {
            "Id": dep.id, "ARN": dist.arn, "DomainName": dist.domain_name, "ETag": dist.etag,
            "Trigger": dep.trigger, "Changes": dep.changes,
            "StartedTime": _now_iso(dep.started_epoch), "StartedEpoch": dep.started_epoch,
            "DurationSeconds": round(now - dep.started_epoch, 3), "Forced": dep.forced,
            "DefaultTarget": snapshot.get("DefaultTarget"),
            "OriginGroups": [dict(g) for g in (snapshot.get("OriginGroups") or {}).values()],
        },
    })


def _complete(dep: Deployment, now: float) -> None:
    dep.deployed, dep.pending = dep.pending, None
    dep.deployed_epoch = now
    if dep.delayed:
        dep.dist._status = "Deployed"  # moto's ManagedState field behind Distribution.status
        dep.dist._tick = 0
    dep.delayed = False
    _record_deployed(dep, now)
    dep.changes = 0
    dep.forced = False


def complete_deployments(force: bool = False, distribution: str | None = None) -> int:
    """Deploys the pending configurations that are due (all matching ones with force=True)."""
    done = 0
    with LOCK:
        now_mono = time.monotonic()
        for key, dep in list(_DEPLOYMENTS.items()):
            if not dep.alive():
                if _DEPLOYMENTS.get(key) is dep:
                    del _DEPLOYMENTS[key]
                continue
            if dep.pending is None or (distribution is not None and distribution != dep.id):
                continue
            if force:
                dep.forced = True
            elif dep.deadline > now_mono:
                continue
            _complete(dep, time.time())
            done += 1
    return done


def _schedule(seconds: float) -> None:
    timer = threading.Timer(max(seconds, 0.0) + 0.005, complete_deployments)
    timer.daemon = True
    timer.start()


def _on_change(backend: Any, dist: Any, trigger: str) -> None:
    """A Create/UpdateDistribution was accepted: deploy its configuration now or later."""
    seconds = float(getattr(_config(), "cloudfront_seconds", 0.0) or 0.0)
    snapshot = snapshot_config(dist.distribution_config)
    now = time.time()
    with LOCK:
        key = (backend.account_id, dist.distribution_id)
        dep = _DEPLOYMENTS.get(key)
        if dep is None or dep.dist is not dist:
            dep = _DEPLOYMENTS[key] = Deployment(backend.account_id, backend, dist)
        dep.changes = dep.changes + 1 if dep.pending is not None else 1
        dep.pending = snapshot
        dep.started_epoch = now
        dep.trigger = trigger
        if seconds <= 0:
            _complete(dep, now)  # moto's own Status (InProgress until the first read) is left alone
            return
        dep.delayed = True
        dep.deadline = time.monotonic() + seconds
    _schedule(seconds)


def deployment_of(dist: Any) -> Deployment | None:
    with LOCK:
        dep = _DEPLOYMENTS.get((getattr(dist, "_sy_account", ""), dist.distribution_id))
        if dep is None:
            for candidate in _DEPLOYMENTS.values():
                if candidate.dist is dist:
                    return candidate
        return dep if dep is not None and dep.dist is dist else None


def deployments_state() -> dict[str, Any]:
    complete_deployments()
    rows = []
    now_mono = time.monotonic()
    with LOCK:
        for dep in _DEPLOYMENTS.values():
            if not dep.alive():
                continue
            rows.append({
                "Id": dep.id, "DomainName": dep.dist.domain_name, "Status": dep.dist.status,
                "Deployed": _summary(dep.deployed), "DeployedEpoch": dep.deployed_epoch,
                "Pending": _summary(dep.pending),
                "SecondsLeft": round(max(dep.deadline - now_mono, 0.0), 3) if dep.pending is not None else None,
            })
    return {"distributions": rows, "cloudfront_seconds": getattr(_config(), "cloudfront_seconds", 0.0),
            "edge_path": EDGE_PREFIX + "<DistributionId>/<path>"}


def install_cloudfront_extensions() -> None:
    from moto.cloudfront.models import CloudFrontBackend, Distribution, DistributionConfig
    from moto.moto_api._internal.managed_state_model import ManagedState

    # -- an origin group may be the default cache behaviour's target (as on CloudFront) --------
    original_config_init = DistributionConfig.__init__

    def config_init(self: Any, config: dict[str, Any]) -> None:
        behavior = config.get("DefaultCacheBehavior")
        target = behavior.get("TargetOriginId") if isinstance(behavior, dict) else None
        origin_ids = [_attr(o, "Id", "id") for o in _items((config.get("Origins") or {}))]
        group_ids = [_attr(g, "Id", "id") for g in _items(config.get("OriginGroups"))]
        substitute = target is not None and target not in origin_ids and target in group_ids and origin_ids
        if substitute:
            behavior["TargetOriginId"] = origin_ids[0]  # passes moto's check, restored below
        original_config_init(self, config)
        if substitute:
            self.DefaultCacheBehavior.target_origin_id = target
            behavior["TargetOriginId"] = target

    DistributionConfig.__init__ = config_init  # type: ignore[method-assign]

    # -- Status: InProgress while a delayed deployment is pending ------------------------------
    base_status = ManagedState.status

    def status_get(self: Any) -> Any:
        dep = deployment_of(self)
        if dep is not None and dep.pending is not None and dep.delayed:
            complete_deployments()
            if dep.pending is not None:
                return "InProgress"
        return base_status.fget(self)

    def status_set(self: Any, value: Any) -> None:
        base_status.fset(self, value)

    Distribution.status = property(status_get, status_set)  # type: ignore[assignment]

    original_create = CloudFrontBackend.create_distribution_with_tags

    def create_distribution_with_tags(self: Any, distribution_config: dict[str, Any], tags: Any) -> Any:
        result = original_create(self, distribution_config, tags)
        dist = result[0]
        dist._sy_account = self.account_id
        _on_change(self, dist, "CreateDistribution")
        return result

    original_update = CloudFrontBackend.update_distribution

    def update_distribution(self: Any, dist_config: dict[str, Any], _id: str, if_match: Any) -> Any:
        result = original_update(self, dist_config, _id, if_match)
        dist = result[0]
        dist._sy_account = self.account_id
        _on_change(self, dist, "UpdateDistribution")
        return result

    original_delete = CloudFrontBackend.delete_distribution

    def delete_distribution(self: Any, distribution_id: str, if_match: Any) -> None:
        original_delete(self, distribution_id, if_match)
        with LOCK:
            _DEPLOYMENTS.pop((self.account_id, distribution_id), None)

    CloudFrontBackend.create_distribution_with_tags = create_distribution_with_tags  # type: ignore[method-assign]
    CloudFrontBackend.update_distribution = update_distribution  # type: ignore[method-assign]
    CloudFrontBackend.delete_distribution = delete_distribution  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# The S3 website endpoint behind an origin
# ---------------------------------------------------------------------------

class OriginResponse:
    def __init__(self, status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None,
                 region: str | None = None, bucket: str | None = None, code: str | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or []
        self.region = region
        self.bucket = bucket
        self.code = code


S3_DOMAIN_RES = [
    # bucket.s3.amazonaws.com, bucket.s3.us-west-1.amazonaws.com, bucket.s3-us-west-1.amazonaws.com
    re.compile(r"^(?P<bucket>.+)\.s3(?:[.-](?P<region>[a-z]{2}(?:-[a-z]+)+-\d))?\.amazonaws\.com$"),
    # bucket.s3-website-us-west-1.amazonaws.com, bucket.s3-website.us-west-1.amazonaws.com
    re.compile(r"^(?P<bucket>.+)\.s3-website[.-](?P<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$"),
]

S3_REASONS = {301: "Moved Permanently", 403: "Forbidden", 404: "Not Found"}


def s3_bucket_of(domain: str) -> tuple[str, str | None] | None:
    """(bucket, region or None) of an S3 REST or website endpoint domain name."""
    domain = (domain or "").lower().rstrip(".")
    for pattern in S3_DOMAIN_RES:
        match = pattern.match(domain)
        if match:
            return match.group("bucket"), match.group("region")
    return None


def _s3_error(status: int, code: str, message: str, extra: dict[str, str], region: str | None,
              bucket: str) -> OriginResponse:
    """An error page as the S3 website endpoint writes it."""
    title = f"{status} {S3_REASONS.get(status, 'Error')}"
    lines = [f"<li>Code: {html.escape(code)}</li>", f"<li>Message: {html.escape(message)}</li>"]
    lines += [f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in extra.items()]
    request_id = uuid.uuid4().hex[:16].upper()
    lines += [f"<li>RequestId: {request_id}</li>", f"<li>HostId: {uuid.uuid4().hex}</li>"]
    body = (f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n"
            + "\n".join(lines) + "\n</ul>\n<hr/>\n</body>\n</html>\n").encode()
    headers = [("Content-Type", "text/html; charset=utf-8"), ("x-amz-error-code", code),
               ("x-amz-error-message", message), ("x-amz-request-id", request_id)]
    return OriginResponse(status, body, headers, region, bucket, code)


def _strip_ns(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def website_settings(raw: bytes | str | None) -> dict[str, Any]:
    """IndexDocument suffix, ErrorDocument key and RedirectAllRequestsTo of a website XML."""
    settings: dict[str, Any] = {"index": "index.html", "error": None, "redirect": None}
    if not raw:
        return settings
    try:
        root = ET.fromstring(raw if isinstance(raw, (bytes, str)) else bytes(raw))
    except ET.ParseError:
        return settings
    for element in root.iter():
        tag = _strip_ns(element.tag)
        if tag == "IndexDocument":
            for child in element:
                if _strip_ns(child.tag) == "Suffix" and child.text:
                    settings["index"] = child.text.strip()
        elif tag == "ErrorDocument":
            for child in element:
                if _strip_ns(child.tag) == "Key" and child.text:
                    settings["error"] = child.text.strip()
        elif tag == "RedirectAllRequestsTo":
            redirect = {_strip_ns(c.tag): (c.text or "").strip() for c in element}
            settings["redirect"] = redirect
    return settings


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _iam_match(pattern: str, value: str, case_insensitive: bool = False) -> bool:
    """IAM wildcards: * and ? (no character classes)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if case_insensitive else 0) is not None


def _principal_is_public(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in _as_list(principal.get("AWS"))
    return False


def policy_grants_public_read(policy: bytes | str | None, bucket: str, key: str) -> bool:
    """True when the bucket policy lets anyone ("*") s3:GetObject the key, and no statement
    denies it to everyone. Statements with a Condition are not evaluated (not public)."""
    if not policy:
        return False
    try:
        document = json.loads(policy.decode() if isinstance(policy, bytes) else policy)
    except (ValueError, UnicodeDecodeError):
        return False
    arn = f"arn:aws:s3:::{bucket}/{key}"
    allowed = False
    for statement in _as_list(document.get("Statement") if isinstance(document, dict) else None):
        if not isinstance(statement, dict) or statement.get("Condition"):
            continue
        if "NotPrincipal" in statement or "NotAction" in statement or "NotResource" in statement:
            continue
        if not _principal_is_public(statement.get("Principal")):
            continue
        if not any(_iam_match(str(a), "s3:GetObject", True) for a in _as_list(statement.get("Action"))):
            continue
        if not any(_iam_match(str(r), arn) for r in _as_list(statement.get("Resource"))):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def public_reads_blocked(account: str, bucket: Any) -> str | None:
    """Why public reads of the bucket are blocked by Block Public Access, or None."""
    block = getattr(bucket, "public_access_block", None)
    if block is not None and (_flag(block.block_public_policy, False) or _flag(block.restrict_public_buckets, False)):
        return "bucket PublicAccessBlock"
    try:
        from moto.s3control.models import s3control_backends
        account_block = s3control_backends[account]["aws"].public_access_block
    except Exception:
        account_block = None
    if account_block is not None and _flag(account_block.restrict_public_buckets, False):
        return "account PublicAccessBlock"
    return None


def _s3_backend(account: str, bucket_name: str) -> Any:
    from moto.s3.models import s3_backends
    try:
        partition, owner = s3_backends.bucket_accounts.get(bucket_name, ("aws", account))
    except Exception:
        partition, owner = "aws", account
    return s3_backends[owner][partition]


def serve_s3_website(account: str, bucket_name: str, domain_region: str | None, key: str) -> OriginResponse:
    """GET of `key` ("" = the root) at the S3 website endpoint of the bucket."""
    backend = _s3_backend(account, bucket_name)
    bucket = backend.buckets.get(bucket_name)
    if bucket is None:
        return _s3_error(404, "NoSuchBucket", "The specified bucket does not exist",
                         {"BucketName": bucket_name}, domain_region, bucket_name)
    region = getattr(bucket, "region_name", None) or domain_region
    raw = getattr(bucket, "website_configuration", None)
    if not raw:
        return _s3_error(404, "NoSuchWebsiteConfiguration",
                         "The specified bucket does not have a website configuration",
                         {"BucketName": bucket_name}, region, bucket_name)
    settings = website_settings(raw)
    redirect = settings["redirect"]
    if redirect and redirect.get("HostName"):
        location = f"{redirect.get('Protocol') or 'http'}://{redirect['HostName']}/{key}"
        return OriginResponse(301, b"", [("Location", location)], region, bucket_name, "Redirect")
    if key == "" or key.endswith("/"):
        key = key + settings["index"]
    blocked = public_reads_blocked(account, bucket)
    if blocked or not policy_grants_public_read(getattr(bucket, "policy", None), bucket_name, key):
        return _s3_error(403, "AccessDenied", "Access Denied", {}, region, bucket_name)
    obj = _get_object(backend, bucket_name, key)
    if obj is None:
        error_key = settings["error"]
        error_obj = _get_object(backend, bucket_name, error_key) if error_key else None
        if error_obj is not None:  # the website's error document, with the 404 status
            return OriginResponse(404, error_obj.value, [("Content-Type", _content_type(error_obj))],
                                  region, bucket_name, "NoSuchKey")
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.", {"Key": key}, region, bucket_name)
    headers = [("Content-Type", _content_type(obj))]
    etag = getattr(obj, "etag", None)
    if etag:
        headers.append(("ETag", etag))
    modified = getattr(obj, "last_modified_RFC1123", None)
    if modified:
        headers.append(("Last-Modified", modified))
    return OriginResponse(200, obj.value, headers, region, bucket_name, None)


def _get_object(backend: Any, bucket_name: str, key: str) -> Any:
    try:
        obj = backend.get_object(bucket_name, key)
    except Exception:
        return None
    if obj is None or not hasattr(obj, "value"):
        return None  # missing, or a delete marker
    return obj


def _content_type(obj: Any) -> str:
    metadata = getattr(obj, "metadata", None) or {}
    try:
        value = metadata.get("Content-Type")
    except Exception:
        value = None
    return value or getattr(obj, "content_type", None) or "binary/octet-stream"


# ---------------------------------------------------------------------------
# The edge: requests, origin-group failover, the edge log
# ---------------------------------------------------------------------------

class EdgeLog:
    """Every edge request (bounded list, exact total)."""

    def __init__(self, max_entries: int = 100000) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=max_entries)
        self._seq = 0

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()

    def query(self, distribution: str | None = None, region: str | None = None, origin: str | None = None,
              status: int | None = None, since: float | None = None, until: float | None = None,
              limit: int | None = None) -> dict[str, Any]:
        with self._lock:
            entries = [dict(e) for e in self._entries]
        kept = [e for e in entries
                if (distribution is None or distribution in (e["distribution"], e.get("domain")))
                and (region is None or e.get("region") == region)
                and (origin is None or e.get("origin") == origin)
                and (status is None or e["status"] == status)
                and (since is None or e["epoch"] >= since)
                and (until is None or e["epoch"] < until)]
        regions: dict[str, dict[str, Any]] = {}
        statuses: collections.Counter[str] = collections.Counter()
        for e in kept:
            statuses[str(e["status"])] += 1
            if e.get("region"):
                r = regions.setdefault(e["region"], {"count": 0, "ok": 0, "first_epoch": e["epoch"],
                                                     "last_epoch": e["epoch"], "first_ok_epoch": None})
                r["count"] += 1
                r["first_epoch"] = min(r["first_epoch"], e["epoch"])
                r["last_epoch"] = max(r["last_epoch"], e["epoch"])
                if 200 <= e["status"] < 400:
                    r["ok"] += 1
                    if r["first_ok_epoch"] is None or e["epoch"] < r["first_ok_epoch"]:
                        r["first_ok_epoch"] = e["epoch"]
        total = len(kept)
        if limit is not None and limit >= 0:
            kept = kept[-limit:] if limit else []
        return {"requests": kept, "total": total, "regions": regions, "statuses": dict(sorted(statuses.items()))}


EDGE_LOG = EdgeLog()


def is_edge_request(environ: dict[str, Any]) -> bool:
    path = environ.get("PATH_INFO", "")
    if path == EDGE_PREFIX.rstrip("/") or path.startswith(EDGE_PREFIX):
        return True
    host = (environ.get("HTTP_HOST") or "").rsplit(":", 1)[0].lower().rstrip(".")
    return (host.endswith(CLOUDFRONT_DOMAIN_SUFFIX) and not environ.get("HTTP_AUTHORIZATION")
            and "X-Amz-Credential" not in environ.get("QUERY_STRING", ""))


def _distributions() -> list[tuple[str, Any, Any]]:
    """(account, backend, distribution) of every distribution moto holds."""
    from moto.cloudfront.models import cloudfront_backends
    found = []
    for account, regions in list(cloudfront_backends.items()):
        try:
            backend = regions["aws"]
        except Exception:
            continue
        for dist in list(backend.distributions.values()):
            found.append((account, backend, dist))
    return found


def find_distribution(ident: str) -> tuple[str, Any, Any] | None:
    """By id, domain name (d111.cloudfront.net) or alias (CNAME of the deployed configuration)."""
    wanted = ident.lower().rstrip(".")
    for account, backend, dist in _distributions():
        if ident == dist.distribution_id or wanted == dist.domain_name.lower():
            return account, backend, dist
    for account, backend, dist in _distributions():
        dep = deployment_of(dist)
        if dep is not None and dep.deployed is not None and wanted in dep.deployed["Aliases"]:
            return account, backend, dist
    return None


def _target_of(snapshot: dict[str, Any], path: str) -> str | None:
    for behavior in snapshot["CacheBehaviors"]:
        pattern = behavior["PathPattern"] or ""
        if not pattern.startswith("/"):
            pattern = "/" + pattern
        if _iam_match(pattern, path):
            return behavior["TargetOriginId"]
    return snapshot["DefaultTarget"]


def fetch_origin(account: str, snapshot: dict[str, Any], origin_id: str, path: str) -> tuple[OriginResponse, str]:
    """(response, origin id) of one origin for the viewer path."""
    origin = snapshot["Origins"].get(origin_id)
    if origin is None:
        return OriginResponse(502, b"", [], None, None, "NoSuchOrigin"), origin_id
    parsed = s3_bucket_of(origin["DomainName"])
    if parsed is None:  # a custom origin outside the emulator: CloudFront cannot connect
        return OriginResponse(502, b"", [], None, None, "OriginUnreachable"), origin_id
    bucket, region = parsed
    if path == "/" and snapshot["DefaultRootObject"]:
        path = "/" + snapshot["DefaultRootObject"].lstrip("/")
    prefix = origin["OriginPath"].strip("/")
    key = (prefix + "/" if prefix else "") + path.lstrip("/")
    return serve_s3_website(account, bucket, region, key), origin_id


def _edge_error(status: int, code: str, message: str) -> OriginResponse:
    title = {403: "403 ERROR", 404: "404 ERROR", 502: "502 ERROR", 503: "503 ERROR"}.get(status, f"{status} ERROR")
    body = (f"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n<HTML><HEAD><TITLE>{title}"
            f"</TITLE></HEAD><BODY>\n<H1>{title}</H1>\n<H2>The request could not be satisfied.</H2>\n"
            f"<HR noshade size=\"1px\">\n{html.escape(message)}\n</BODY></HTML>\n").encode()
    return OriginResponse(status, body, [("Content-Type", "text/html")], None, None, code)


def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """WSGI: one viewer request at the emulated edge."""
    started = time.time()
    method = environ.get("REQUEST_METHOD", "GET")
    raw_path = environ.get("PATH_INFO", "") or "/"
    if raw_path == EDGE_PREFIX.rstrip("/") or raw_path.startswith(EDGE_PREFIX):
        ident, _, rest = raw_path[len(EDGE_PREFIX):].partition("/")
        path = "/" + rest
    else:
        ident = (environ.get("HTTP_HOST") or "").rsplit(":", 1)[0]
        path = raw_path
    complete_deployments()
    entry: dict[str, Any] = {"time": _now_iso(started), "epoch": started, "distribution": ident,
                             "domain": None, "method": method, "path": path, "status": 0, "origin": None,
                             "region": None, "bucket": None, "target": None, "attempts": [],
                             "failed_over": False, "error": None}
    attempts: list[OriginResponse] = []
    served_origin: str | None = None
    found = find_distribution(ident) if ident else None
    if found is None:
        response = _edge_error(404, "NoSuchDistribution", f"No distribution {ident!r} in the emulator.")
    else:
        account, _backend, dist = found
        entry["distribution"], entry["domain"] = dist.distribution_id, dist.domain_name
        dep = deployment_of(dist)
        snapshot = dep.deployed if dep is not None else snapshot_config(dist.distribution_config)
        if snapshot is None:
            response = _edge_error(503, "NotDeployed", "The distribution is not deployed yet.")
        elif not snapshot["Enabled"]:
            response = _edge_error(403, "DistributionDisabled", "The distribution is disabled.")
        elif method not in ("GET", "HEAD"):
            response = _edge_error(403, "MethodNotAllowed",
                                   "This distribution is not configured to allow the HTTP request method.")
        else:
            target = _target_of(snapshot, path)
            entry["target"] = target
            group = snapshot["OriginGroups"].get(target)
            members = group["Members"] if group else [target]
            criteria = set(group["StatusCodes"]) if group else set()
            response = None
            for index, member in enumerate(members):
                response, served_origin = fetch_origin(account, snapshot, member, path)
                attempts.append(response)
                entry["attempts"].append({"origin": member, "status": response.status, "region": response.region,
                                          "bucket": response.bucket, "code": response.code})
                if response.status not in criteria or index == len(members) - 1:
                    break
            if response is None:
                response = _edge_error(502, "NoOrigin", "The cache behaviour has no origin.")
            entry["failed_over"] = len(attempts) > 1
    if served_origin is not None:
        entry["origin"], entry["region"], entry["bucket"] = served_origin, response.region, response.bucket
    elif response.code:
        entry["error"] = response.code
    entry["status"] = response.status
    entry["duration_ms"] = round((time.time() - started) * 1000, 3)
    EDGE_LOG.record(entry)

    headers = [(k, v) for k, v in response.headers]
    headers.append((DISTRIBUTION_HEADER, entry["distribution"] or ""))
    if served_origin is not None:
        headers.append((ORIGIN_HEADER, served_origin))
        headers.append((REGION_HEADER, response.region or ""))
    else:
        headers.append((ERROR_HEADER, response.code or ""))
    if entry["attempts"]:
        headers.append((ATTEMPTS_HEADER, ",".join(f"{a['origin']}={a['status']}" for a in entry["attempts"])))
    headers.append(("X-Cache", "Miss from cloudfront" if response.status < 400 else "Error from cloudfront"))
    headers.append(("Via", f"1.1 {uuid.uuid4().hex}.cloudfront.net (CloudFront)"))
    headers.append(("X-Amz-Cf-Pop", "EMU1-C1"))
    headers.append(("X-Amz-Cf-Id", uuid.uuid4().hex))
    body = b"" if method == "HEAD" else response.body
    headers.append(("Content-Length", str(len(response.body))))
    reason = {200: "OK", 301: "Moved Permanently", 403: "Forbidden", 404: "Not Found", 502: "Bad Gateway",
              503: "Service Unavailable"}.get(response.status, "Unknown")
    start_response(f"{response.status} {reason}", headers)
    return [body]


# ---------------------------------------------------------------------------
# RDS / DocumentDB readiness facts on moto's models
# ---------------------------------------------------------------------------

def install_rds_readiness_extensions() -> None:
    from moto.rds import models as rds_models
    from moto.rds.models import DBCluster, DBInstance, RDSBackend, rds_backends
    from moto.rds.utils import DbInstanceEngine

    # DB instances of engine docdb (the docdb client's CreateDBInstance with DBClusterIdentifier).
    original_engines = DbInstanceEngine.valid_db_instance_engine

    def valid_db_instance_engine(cls: Any) -> list[str]:
        return sorted(set(original_engines()) | {"docdb"})

    DbInstanceEngine.valid_db_instance_engine = classmethod(valid_db_instance_engine)  # type: ignore[assignment]
    original_port = DBInstance.default_port

    def default_port(engine: str) -> int:
        return DB_INSTANCE_DOCDB_PORT if engine == "docdb" else original_port(engine)

    DBInstance.default_port = staticmethod(default_port)  # type: ignore[assignment]

    # A global database's secondary cluster has no writer instance: its instances are readers.
    original_members = DBCluster.db_cluster_members.fget

    def db_cluster_members(self: Any) -> list[dict[str, Any]]:
        members = original_members(self)
        if getattr(self, "global_cluster_identifier", None) and not getattr(self, "is_writer", False):
            for member in members:
                member["IsClusterWriter"] = False
        return members

    DBCluster.db_cluster_members = property(db_cluster_members)  # type: ignore[assignment]

    # A member created without EngineVersion runs the global cluster's version (moto: its default).
    original_create_cluster = RDSBackend.create_db_cluster

    def create_db_cluster(self: Any, kwargs: dict[str, Any]) -> Any:
        gid = kwargs.get("global_cluster_identifier")
        if gid and not kwargs.get("engine_version"):
            name = gid.split(":global-cluster:")[-1] if gid.startswith("arn:") else gid
            try:
                gc = rds_backends[self.account_id]["us-east-1"].global_clusters.get(name)
            except Exception:
                gc = None
            if gc is not None and gc.engine == kwargs.get("engine") and gc.engine_version:
                kwargs = dict(kwargs, engine_version=gc.engine_version)
        return original_create_cluster(self, kwargs)

    RDSBackend.create_db_cluster = create_db_cluster  # type: ignore[assignment]
    _ = rds_models


# ---------------------------------------------------------------------------
# Replication lag, published as CloudWatch metrics
# ---------------------------------------------------------------------------

class LagSetting:
    def __init__(self, account: str, region: str, cluster: Any, lag_ms: float) -> None:
        self.account = account
        self.region = region
        self.cluster = cluster
        self.identifier = cluster.db_cluster_identifier
        self.lag_ms = lag_ms
        self.set_epoch = time.time()
        self.emitted = 0
        self.last_emitted_epoch: float | None = None


_LAGS: dict[tuple[str, str, str], LagSetting] = {}


def _lag_alive(setting: LagSetting) -> bool:
    try:
        from moto.rds.models import rds_backends
        return rds_backends[setting.account][setting.region].clusters.get(setting.identifier) is setting.cluster
    except Exception:
        return False


def _lag_metric(cluster: Any) -> tuple[str, str]:
    return LAG_METRICS.get(getattr(cluster, "engine", ""), AURORA_LAG_METRIC)


def _global_role(setting: LagSetting) -> tuple[str | None, str | None, bool]:
    """(global cluster id, writer region, is a secondary) of the cluster; (None, None, False)
    when it is not a member of a global cluster."""
    from moto.rds.models import rds_backends
    cluster = setting.cluster
    gid = getattr(cluster, "global_cluster_identifier", None)
    if not gid:
        return None, None, False
    name = gid.split(":global-cluster:")[-1] if gid.startswith("arn:") else gid
    gc = rds_backends[setting.account]["us-east-1"].global_clusters.get(name)
    if gc is None or cluster not in gc.members:
        return None, None, False
    writers = [m for m in gc.members if m.is_writer]
    return name, (writers[0].region if writers else None), not getattr(cluster, "is_writer", False)


def _emit(setting: LagSetting) -> bool:
    """Publishes one data point per dimension set, as AWS does in the secondary's region."""
    from moto.cloudwatch.models import cloudwatch_backends
    _gid, source_region, secondary = _global_role(setting)
    if not secondary:
        return False  # AWS publishes the lag of secondary clusters only
    namespace, name = _lag_metric(setting.cluster)
    data = [{"MetricName": name, "Value": float(setting.lag_ms), "Unit": "Milliseconds",
             "Dimensions": [{"Name": "DBClusterIdentifier", "Value": setting.identifier}]}]
    if source_region:
        data.append({"MetricName": name, "Value": float(setting.lag_ms), "Unit": "Milliseconds",
                     "Dimensions": [{"Name": "SourceRegion", "Value": source_region}]})
    cloudwatch_backends[setting.account][setting.region].put_metric_data(namespace, data)
    setting.emitted += 1
    setting.last_emitted_epoch = time.time()
    return True


def _lag_tick(key: tuple[str, str, str], setting: LagSetting) -> None:
    with LOCK:
        if _LAGS.get(key) is not setting:
            return
        if not _lag_alive(setting):
            del _LAGS[key]
            return
        _emit(setting)
    _lag_schedule(key, setting)


def _lag_schedule(key: tuple[str, str, str], setting: LagSetting) -> None:
    timer = threading.Timer(LAG_INTERVAL_SECONDS, _lag_tick, (key, setting))
    timer.daemon = True
    timer.start()


def _find_cluster(account: str, region: str | None, identifier: str) -> tuple[str, Any]:
    from moto.rds.models import rds_backends
    if identifier.startswith("arn:"):
        parts = identifier.split(":")
        if len(parts) < 7 or parts[5] != "cluster":
            raise LookupError(f"not a DB cluster ARN: {identifier}")
        account, region, identifier = parts[4], parts[3], parts[6]
    if not region:
        raise ValueError("region is required unless cluster is an ARN")
    cluster = rds_backends[account][region].clusters.get(identifier.lower())
    if cluster is None:
        raise LookupError(f"DB cluster {identifier} not found in {region}")
    return region, cluster


def lag_state() -> dict[str, Any]:
    rows = []
    with LOCK:
        for key, setting in list(_LAGS.items()):
            if not _lag_alive(setting):
                del _LAGS[key]
                continue
            gid, source_region, secondary = _global_role(setting)
            namespace, name = _lag_metric(setting.cluster)
            dimensions = [[{"Name": "DBClusterIdentifier", "Value": setting.identifier}]]
            if secondary and source_region:
                dimensions.append([{"Name": "SourceRegion", "Value": source_region}])
            rows.append({"region": setting.region, "cluster": setting.identifier,
                         "cluster_arn": setting.cluster.db_cluster_arn, "engine": setting.cluster.engine,
                         "global_cluster": gid, "source_region": source_region if secondary else None,
                         "lag_ms": setting.lag_ms, "emitting": secondary, "emitted": setting.emitted,
                         "last_emitted_epoch": setting.last_emitted_epoch,
                         "metric": {"namespace": namespace, "metric_name": name, "unit": "Milliseconds",
                                    "dimensions": dimensions}})
    rows.sort(key=lambda r: (r["region"], r["cluster"]))
    return {"replication_lag": rows, "interval_seconds": LAG_INTERVAL_SECONDS}


def set_lag(data: dict[str, Any], account: str = "123456789012") -> dict[str, Any]:
    unknown = set(data) - {"region", "cluster", "lag_ms", "clear"}
    if unknown:
        raise ValueError(f"unknown keys: {sorted(unknown)}")
    if data.get("clear") is True:
        with LOCK:
            _LAGS.clear()
        return lag_state()
    identifier = data.get("cluster")
    if not isinstance(identifier, str) or not identifier:
        raise ValueError('expected {"region", "cluster", "lag_ms": N|null} or {"clear": true}')
    if "lag_ms" not in data:
        raise ValueError("lag_ms is required (a number of milliseconds, or null to stop)")
    lag = data["lag_ms"]
    if lag is not None and (isinstance(lag, bool) or not isinstance(lag, (int, float)) or not 0 <= lag < 1e9):
        raise ValueError("lag_ms must be a number within [0, 1e9) or null")
    region, cluster = _find_cluster(account, data.get("region"), identifier)
    key = (account, region, cluster.db_cluster_identifier)
    with LOCK:
        if lag is None:
            _LAGS.pop(key, None)
            return lag_state()
        setting = _LAGS[key] = LagSetting(account, region, cluster, float(lag))
        _emit(setting)  # at once, then every LAG_INTERVAL_SECONDS
    _lag_schedule(key, setting)
    return lag_state()


# ---------------------------------------------------------------------------
# Control API and installation
# ---------------------------------------------------------------------------

def query_number(query: dict[str, str], name: str, kind: Callable[[str], Any] = float) -> Any:
    """A number of the query string (None when absent or empty; ValueError when not a number)."""
    value = query.get(name)
    if value is None or value == "":
        return None
    return kind(value)


def log_control(path: str, method: str, query: dict[str, str], area: str, log: Any,
                filters: Callable[[dict[str, str]], dict[str, Any]]) -> tuple[int, Any] | None:
    """``GET <area>/log`` (``log.query(**filters(query), since=, until=, limit=)``; 400 when a filter
    raises ValueError) and ``POST <area>/reset`` (``log.reset()``); None for any other route."""
    if path == f"{area}/log" and method == "GET":
        try:
            return 200, log.query(**filters(query), since=query_number(query, "since"),
                                  until=query_number(query, "until"), limit=query_number(query, "limit", int))
        except ValueError as exc:
            return 400, {"error": f"bad filter: {exc}"}
    if path == f"{area}/reset" and method == "POST":
        log.reset()
        return 200, {"reset": True}
    return None


def control(path: str, method: str, query: dict[str, str], data: Any) -> tuple[int, Any] | None:
    """Answers the control routes of this module; None for any other path."""
    handled = log_control(path, method, query, "edge", EDGE_LOG, lambda q: {
        "distribution": q.get("distribution"), "region": q.get("region"), "origin": q.get("origin"),
        "status": query_number(q, "status", int)})
    if handled is not None:
        return handled
    if path == "edge/distributions" and method == "GET":
        return 200, deployments_state()
    if path == "edge/complete-deployments" and method == "POST":
        if not isinstance(data, dict) or set(data) - {"distribution"}:
            return 400, {"error": 'expected {} or {"distribution": ID}'}
        return 200, {"completed": complete_deployments(force=True, distribution=data.get("distribution"))}
    if path == "replication-lag":
        if method == "GET":
            return 200, lag_state()
        if method == "POST":
            if not isinstance(data, dict):
                return 400, {"error": "expected a JSON object"}
            try:
                return 200, set_lag(data)
            except LookupError as exc:
                return 404, {"error": str(exc).strip("'\"")}
            except ValueError as exc:
                return 400, {"error": str(exc)}
    return None


def install_edge_extensions(config: Any, calls: Any) -> None:
    """Installs the edge and readiness extensions on moto (idempotent). `config` is the
    emulator's Config (``cloudfront_seconds``), `calls` its CallLog (synthetic entries)."""
    _STATE["config"] = config
    _STATE["calls"] = calls
    if _STATE["installed"]:
        return
    install_cloudfront_extensions()
    install_rds_readiness_extensions()
    _STATE["installed"] = True
