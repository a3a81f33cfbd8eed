#!/usr/bin/env python3
"""Fault-injecting HTTP proxy for the Switchyard emulator (loopback only).

Clients use the proxy as their AWS endpoint; it forwards method, path, query,
headers (Host as sent) and body unchanged to the upstream emulator and streams
the answer back. The region and service of each request come from the SigV4
credential scope (``Credential=AKID/20240101/us-west-1/rds/aws4_request``), the
operation from the Query ``Action``/``X-Amz-Target``/botocore REST model.

Faults are rules, changed at runtime under ``/_fault/`` (JSON):

    POST /_fault/rules   {"action": "error", "error": "throttling", "region": "us-west-1",
                          "service": "rds", "operation": "SwitchoverGlobalCluster",
                          "rate": 0.5, "count": 3, "seed": 7}
    actions: latency (latency_ms) | error (error: 500|503|throttling|slowdown, or status/code)
             | drop | stall (stall_ms) | blackhole (max_hold_ms)
             | truncate (a 200 answer whose XML stops mid-element; "after": the upstream acted first)
    POST /_fault/<action> {...}  same as POST /_fault/rules with that action
    GET /_fault/rules, DELETE /_fault/rules/<id>, POST /_fault/clear {filters}
    GET /_fault/stats, POST /_fault/reset-stats, POST /_fault/seed {"seed": 1}
    GET /_fault/health

Usage: python3 emulator/fault_proxy.py --upstream http://127.0.0.1:PORT --port 0 [--port-file F]
Prints ``READY <port>`` on stdout once it accepts connections.
"""
from __future__ import annotations

import argparse
import collections
import http.client
import itertools
import json
import os
import random
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from switchyard_emulator import (classify, ensure_loopback,  # noqa: E402
                                 redirect_stderr, serve_until_stopped)

ACTIONS = ("latency", "error", "drop", "stall", "blackhole", "truncate")
CONTROL_PREFIX = "/_fault"
PASSTHROUGH_PREFIXES = ("/_switchyard/", "/moto-api/")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "expect"}
MAX_BODY = 64 * 1024 * 1024


class RuleError(ValueError):
    pass


class Rule:
    _ids = itertools.count(1)

    def __init__(self, spec: dict[str, Any], default_seed: int) -> None:
        if not isinstance(spec, dict):
            raise RuleError("a rule must be a JSON object")
        known = {"id", "action", "region", "service", "operation", "rate", "count", "seed",
                 "latency_ms", "error", "status", "code", "message", "stall_ms", "max_hold_ms",
                 "when", "reset", "params"}
        unknown = set(spec) - known
        if unknown:
            raise RuleError(f"unknown rule fields: {sorted(unknown)}")
        self.action = spec.get("action")
        if self.action not in ACTIONS:
            raise RuleError(f"action must be one of {ACTIONS}")
        self.id = str(spec.get("id") or f"r{next(Rule._ids)}")
        self.region = spec.get("region")
        self.service = spec.get("service")
        self.operation = spec.get("operation")
        # Request parameters the rule also matches on (the emulator's call-log `params` of mutating RDS calls, e.g.
        # GlobalClusterIdentifier): to hold one global cluster's promotion and not another's.
        self.params = spec.get("params")
        if self.params is not None and (not isinstance(self.params, dict)
                                        or not all(isinstance(v, str) for v in self.params.values())):
            raise RuleError("params must be an object of strings")
        self.rate = float(spec.get("rate", 1.0))
        if not 0.0 <= self.rate <= 1.0:
            raise RuleError("rate must be within [0, 1]")
        self.count = spec.get("count")
        if self.count is not None:
            self.count = int(self.count)
            if self.count < 0:
                raise RuleError("count must be >= 0")
        self.seed = int(spec["seed"]) if spec.get("seed") is not None else default_seed
        self.random = random.Random(self.seed)
        self.latency_ms = float(spec.get("latency_ms", 0))
        self.stall_ms = float(spec.get("stall_ms", 5000))
        self.max_hold_ms = float(spec.get("max_hold_ms", 300000))
        self.when = spec.get("when", "before")
        if self.when not in ("before", "after"):
            raise RuleError("when must be before or after")
        self.reset = bool(spec.get("reset", False))
        self.error = str(spec.get("error", "")) if spec.get("error") is not None else None
        self.status = spec.get("status")
        self.code = spec.get("code")
        self.message = spec.get("message")
        if self.action == "error":
            if self.error is None and self.status is None:
                raise RuleError("error rules need error (500, 503, throttling, slowdown) or status")
            if self.error is not None and self.error.lower() not in ERRORS:
                raise RuleError(f"error must be one of {sorted(ERRORS)}")
        if self.action == "latency" and self.latency_ms <= 0:
            raise RuleError("latency rules need latency_ms > 0")
        self.injected = 0
        self.cleared = threading.Event()
        self.spec = dict(spec, id=self.id)

    def matches(self, info: dict[str, Any]) -> bool:
        return ((self.region is None or self.region == info.get("region"))
                and (self.service is None or self.service == info.get("service"))
                and (self.operation is None or self.operation == info.get("operation"))
                and (not self.params or all((info.get("params") or {}).get(k) == v for k, v in self.params.items())))

    def fire(self) -> bool:
        """Decides (and accounts) whether this rule injects its fault now. Caller holds the lock."""
        if self.count is not None and self.count <= 0:
            return False
        if self.count is None and self.rate < 1.0 and self.random.random() >= self.rate:
            return False
        if self.count is not None:
            if self.rate < 1.0 and self.random.random() >= self.rate:
                return False
            self.count -= 1
        self.injected += 1
        return True

    def describe(self) -> dict[str, Any]:
        out = dict(self.spec)
        out.update({"id": self.id, "action": self.action, "injected": self.injected,
                    "remaining": self.count, "active": self.count is None or self.count > 0})
        return out


def _query_error(status: int, code: str, message: str, fault_type: str = "Sender") -> tuple[int, str, bytes]:
    rid = str(uuid.uuid4())
    body = (f"<ErrorResponse><Error><Type>{fault_type}</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>")
    return status, rid, body.encode()


def _s3_error(status: int, code: str, message: str) -> tuple[int, str, bytes]:
    rid = uuid.uuid4().hex[:16].upper()
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message><RequestId>{rid}</RequestId>"
            f"<HostId>{uuid.uuid4().hex}</HostId></Error>")
    return status, rid, body.encode()


ERRORS = {"500", "503", "throttling", "slowdown"}


def error_response(rule: Rule, info: dict[str, Any]) -> tuple[int, str, bytes]:
    s3 = info.get("service") == "s3"
    kind = (rule.error or "").lower()
    if kind == "throttling":
        return _query_error(400, "Throttling", rule.message or "Rate exceeded")
    if kind == "slowdown":
        return _s3_error(503, "SlowDown", rule.message or "Please reduce your request rate.")
    status = int(rule.status or kind or 500)
    if status >= 500:
        default_code = "InternalError" if s3 else "InternalFailure"
        if status == 503:
            default_code = "ServiceUnavailable"
        fault_type = "Receiver"
    else:
        default_code, fault_type = "InvalidRequest", "Sender"
    code = rule.code or default_code
    message = rule.message or "Injected fault"
    return _s3_error(status, code, message) if s3 else _query_error(status, code, message, fault_type)


class FaultState:
    def __init__(self, seed: int = 0) -> None:
        self.lock = threading.Lock()
        self.rules: list[Rule] = []
        self.seed = seed
        self.stats: collections.Counter[str] = collections.Counter()
        self.requests: collections.Counter[str] = collections.Counter()

    def add(self, spec: dict[str, Any]) -> Rule:
        with self.lock:
            rule = Rule(spec, self.seed + len(self.rules))
            self.rules = [r for r in self.rules if r.id != rule.id] + [rule]
            return rule

    def clear(self, filters: dict[str, Any]) -> int:
        with self.lock:
            keep, drop = [], []
            for rule in self.rules:
                hit = all(getattr(rule, key, None) == value for key, value in filters.items()
                          if key in ("id", "region", "service", "operation", "action"))
                (drop if hit else keep).append(rule)
            self.rules = keep
        for rule in drop:
            rule.cleared.set()
        return len(drop)

    def decide(self, info: dict[str, Any]) -> tuple[float, Rule | None]:
        """Returns (latency seconds to add, terminal rule to apply or None)."""
        latency = 0.0
        with self.lock:
            self.requests[f"{info.get('region')}/{info.get('service')}"] += 1
            terminal = None
            for rule in self.rules:
                if not rule.matches(info):
                    continue
                if rule.action == "latency":
                    if rule.fire():
                        latency += rule.latency_ms / 1000.0
                        self._count(rule, info)
                elif terminal is None and rule.fire():
                    terminal = rule
                    self._count(rule, info)
        return latency, terminal

    def _count(self, rule: Rule, info: dict[str, Any]) -> None:
        kind = rule.action if rule.action != "error" else f"error:{rule.error or rule.status}"
        self.stats["total"] += 1
        self.stats[f"kind:{kind}"] += 1
        self.stats[f"rule:{rule.id}"] += 1
        self.stats[f"target:{info.get('region')}/{info.get('service')}/{kind}"] += 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"faults": dict(self.stats), "requests": dict(self.requests),
                    "rules": [r.describe() for r in self.rules]}


STATE = FaultState()


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], upstream: str, max_connections: int = 256,
                 upstream_timeout: float = 60.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit("--upstream must be http://HOST:PORT")
        ensure_loopback(parts.hostname)
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.upstream_timeout = upstream_timeout
        self.slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, ProxyHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Bounded: beyond max_connections concurrent connections, refuse by closing.
        if not self.slots.acquire(timeout=5):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self.slots.release()
            raise

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that go away (timeouts, injected drops) are normal here.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, socket.timeout)):
            return
        super().handle_error(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # idle client sockets are closed after this
    server: ProxyServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    # -- request plumbing ------------------------------------------------------
    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _environ(self, body: bytes) -> dict[str, Any]:
        parts = urlsplit(self.path)
        environ = {"REQUEST_METHOD": self.command, "PATH_INFO": parts.path or "/",
                   "QUERY_STRING": parts.query,
                   "CONTENT_TYPE": self.headers.get("Content-Type", "")}
        for key, value in self.headers.items():
            environ["HTTP_" + key.upper().replace("-", "_")] = value
        return environ

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _abort(self, reset: bool = False) -> None:
        """Closes the client connection without any response."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self._send_json(413, {"error": "request body too large or malformed"})
            self.close_connection = True
            return
        path = urlsplit(self.path).path
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            self._control(path[len(CONTROL_PREFIX):].strip("/"), body)
            return
        info = classify(self._environ(body), body) if not path.startswith(PASSTHROUGH_PREFIXES) else {}
        latency, rule = (0.0, None) if not info else STATE.decide(info)
        if latency:
            time.sleep(latency)
        if rule is not None and rule.when == "before":
            self._apply(rule, info)
            return
        upstream = self._forward(body, deliver=rule is None)
        if rule is not None:  # "after": the upstream processed the request, the answer is lost
            if upstream is not None:
                upstream.close()
            self._apply(rule, info)

    def _apply(self, rule: Rule, info: dict[str, Any]) -> None:
        if rule.action == "error":
            status, rid, data = error_response(rule, info)
            self.send_response(status)
            self.send_header("Content-Type", "text/xml" if info.get("service") != "s3" else "application/xml")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", rid)
            if info.get("service") == "s3":
                self.send_header("x-amz-request-id", rid)
            self.end_headers()
            self.wfile.write(data)
        elif rule.action == "truncate":
            # A success whose body stops mid-element, as a connection cut by a middlebox would leave it.
            op = info.get("operation") or "Operation"
            data = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{op}Response xmlns="http://rds.amazonaws.com/doc/2014-10-31/">'
                    f'<{op}Result><GlobalCluster><GlobalClusterIdentifier>gl').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            self.end_headers()
            self.wfile.write(data)
        elif rule.action == "drop":
            self._abort(rule.reset)
        elif rule.action == "stall":
            rule.cleared.wait(rule.stall_ms / 1000.0)
            self._abort(rule.reset)
        elif rule.action == "blackhole":
            # Accept and hold: never answer until the rule is cleared (or max_hold_ms).
            rule.cleared.wait(rule.max_hold_ms / 1000.0)
            self._abort(rule.reset)

    def _forward(self, body: bytes, deliver: bool = True) -> http.client.HTTPConnection | None:
        conn = http.client.HTTPConnection(self.server.upstream_host, self.server.upstream_port,
                                          timeout=self.server.upstream_timeout)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for key, value in self.headers.items():
                if key.lower() in HOP_BY_HOP or key.lower() == "content-length":
                    continue
                conn.putheader(key, value)
            if body or self.command in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
        except OSError as exc:
            conn.close()
            if deliver:
                status, rid, data = _query_error(502, "BadGateway", f"fault proxy: upstream error {exc}", "Receiver")
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            return None
        if not deliver:
            resp.read()
            return conn
        try:
            self.send_response_only(resp.status, resp.reason)
            length = resp.getheader("Content-Length")
            for key, value in resp.getheaders():
                if key.lower() in HOP_BY_HOP:
                    continue
                self.send_header(key, value)
            if length is None and self.command != "HEAD" and resp.status not in (204, 304):
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                while True:
                    chunk = resp.read(65536)
                    if not chunk:
                        break
                    self.wfile.write(chunk)
        finally:
            conn.close()
        return None

    # -- control API -------------------------------------------------------------
    def _control(self, path: str, body: bytes) -> None:
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            self._send_json(400, {"error": "body is not JSON"})
            return
        method = self.command
        try:
            if path == "health" and method == "GET":
                self._send_json(200, {"status": "ok", "pid": os.getpid(),
                                      "upstream": f"http://{self.server.upstream_host}:{self.server.upstream_port}"})
            elif path == "rules" and method == "GET":
                self._send_json(200, {"rules": STATE.snapshot()["rules"]})
            elif path == "rules" and method == "POST":
                specs = data if isinstance(data, list) else [data]
                rules = [STATE.add(spec) for spec in specs]
                self._send_json(200, {"rules": [r.describe() for r in rules]})
            elif path.startswith("rules/") and method == "DELETE":
                removed = STATE.clear({"id": path.split("/", 1)[1]})
                self._send_json(200 if removed else 404, {"removed": removed})
            elif path in ACTIONS and method == "POST":
                if not isinstance(data, dict):
                    raise RuleError("expected a JSON object")
                rule = STATE.add(dict(data, action=path))
                self._send_json(200, {"rules": [rule.describe()]})
            elif path == "clear" and method == "POST":
                self._send_json(200, {"removed": STATE.clear(data if isinstance(data, dict) else {})})
            elif path == "stats" and method == "GET":
                self._send_json(200, STATE.snapshot())
            elif path == "reset-stats" and method == "POST":
                with STATE.lock:
                    STATE.stats.clear()
                    STATE.requests.clear()
                self._send_json(200, {"reset": True})
            elif path == "seed" and method == "POST":
                with STATE.lock:
                    STATE.seed = int(data.get("seed", 0))
                self._send_json(200, {"seed": STATE.seed})
            else:
                self._send_json(404, {"error": f"no control endpoint {method} /_fault/{path}"})
        except (RuleError, ValueError, TypeError) as exc:
            self._send_json(400, {"error": str(exc)})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fault-injecting proxy for the Switchyard emulator")
    parser.add_argument("--upstream", required=True, help="emulator URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    parser.add_argument("--port-file", help="write the bound port to this file once ready")
    parser.add_argument("--seed", type=int, default=0, help="base seed for rate-based rules")
    parser.add_argument("--max-connections", type=int, default=256)
    parser.add_argument("--upstream-timeout", type=float, default=60.0)
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    parser.add_argument("--log-file", help="append stderr (warnings, tracebacks) to this file")
    parser.add_argument("--no-parent-watch", action="store_true",
                        help="do not exit when the parent process dies")
    args = parser.parse_args(argv)
    ensure_loopback(args.host)
    redirect_stderr(args.log_file)
    STATE.seed = args.seed
    server = ProxyServer((args.host, args.port), args.upstream, args.max_connections,
                         args.upstream_timeout)
    server.verbose = args.verbose  # type: ignore[attr-defined]
    serve_until_stopped(server, args.port_file, watch=not args.no_parent_watch)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Leftover worker threads (moto timers, request handlers) must not keep a stopped server alive.
    os._exit(code)
