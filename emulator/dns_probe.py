#!/usr/bin/env python3
"""Polls a name through the Switchyard emulator's DNS resolver and reports where the answers pointed.

    python3 emulator/dns_probe.py http://127.0.0.1:PORT/_dns/resolve shop.unishop.example. \\
        --values '{"us-east-1": ["192.0.2.11"], "us-west-1": ["198.51.100.11"]}' \\
        [--type A] [--interval 0.2] [--duration 30] [--region us-west-1 [--consecutive 3]] \\
        [--timeout 2] [--summary-only | --moves-only]
    python3 emulator/dns_probe.py --topology topo.json [--app 1] [--arc] [--region us-west-1] …

Every probe prints one JSON line ``{"t", "elapsed", "status", "answers", "region", "set_identifier",
"ttl", "moved", "error"}`` (``t``: epoch seconds when the probe was sent, comparable with the emulator's
call log and DNS log; ``status``: the resolver's ``NOERROR`` / ``NODATA`` / ``NXDOMAIN`` / ``SERVFAIL`` /
``EXTERNAL``, or ``ERROR`` when no answer came, ``error`` says why; ``region``: the region whose
``--values`` hold every answer, null when none or several do; ``moved``: the answers or region differ from
the previous probe's). The last line is the summary ``{"summary": true, "url", "name", "type", "probes",
"statuses", "regions", "region", "consecutive", "first_region_t", "first_consecutive_t", "reached",
"moves": [{"t", "from": {"region", "answers"}, "to": {…}}], "started", "ended"}``.

``--values`` is the ``values`` object of topology.py's ``dns`` (region -> IPs); ``--topology FILE`` takes
it, the resolver URL and the name (``record_name``; with ``--arc`` the ``routing_control_records``' name)
from the app ``--app`` (1-based, default 1) of topology.py's output. A probe *points to* a region when
its status is ``NOERROR`` and its region is that one. With ``--region`` the probe stops once
``--consecutive`` (default 1) probes in a row pointed to it (``first_consecutive_t`` is the first of
them), or after ``--duration`` seconds; it exits 0 if that happened, 1 if not. Without ``--region`` it
runs for ``--duration`` and exits 0. ``--moves-only`` prints the first probe and those whose answer
moved. Stdlib only (and edge_probe.py's polling loop); ``probe()`` is the same as a function.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable

import edge_probe  # the polling loop (beside this file)


def region_of(answers: list[str], values: dict[str, list[str]]) -> str | None:
    """The one region whose values hold every answer (None when none or several do)."""
    if not answers:
        return None
    regions = [r for r, ips in values.items() if all(a in ips for a in answers)]
    return regions[0] if len(regions) == 1 else None


def _set_identifier(answer: dict[str, Any]) -> str | None:
    records = [answer.get("record")] + [s.get("record") for s in reversed(answer.get("chain") or [])]
    for rec in records:
        if rec and rec.get("SetIdentifier"):
            return rec["SetIdentifier"]
    return None


def probe_once(url: str, name: str, rtype: str = "A", values: dict[str, list[str]] | None = None,
               timeout: float = 2.0) -> dict[str, Any]:
    started = time.time()
    query = urllib.parse.urlencode({"name": name, "type": rtype})
    result: dict[str, Any] = {"t": round(started, 6), "status": "ERROR", "answers": [], "region": None,
                              "set_identifier": None, "ttl": None, "error": None}
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=timeout) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:  # 400: bad input (the answer says why)
        body = error.read()
        try:
            result["error"] = f"HTTP {error.code}: {json.loads(body).get('error')}"
        except (ValueError, AttributeError):
            result["error"] = f"HTTP {error.code}"
        return result
    except (urllib.error.URLError, OSError, ValueError) as error:
        result["error"] = str(getattr(error, "reason", error))
        return result
    result.update(status=answer.get("status"), answers=list(answer.get("answers") or []), ttl=answer.get("ttl"),
                  set_identifier=_set_identifier(answer))
    result["region"] = region_of(result["answers"], values or {})
    return result


def points_to(result: dict[str, Any], region: str) -> bool:
    return result["status"] == "NOERROR" and result["region"] == region


def probe(url: str, name: str, rtype: str = "A", values: dict[str, list[str]] | None = None,
          interval: float = 0.2, duration: float = 30.0, region: str | None = None, consecutive: int = 1,
          timeout: float = 2.0, emit: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Resolves `name` every `interval` seconds for at most `duration` seconds; returns the summary."""
    moves: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None

    def observe(result: dict[str, Any]) -> None:
        nonlocal previous
        now_state = {"region": result["region"], "answers": result["answers"], "status": result["status"]}
        result["moved"] = previous is not None and now_state != previous
        if result["moved"]:
            moves.append({"t": result["t"], "from": previous, "to": now_state})
        previous = now_state

    return edge_probe.poll(lambda: probe_once(url, name, rtype, values, timeout), points_to, interval, duration,
                           region, consecutive, emit, observe, head={"url": url, "name": name, "type": rtype},
                           tail={"moves": moves})


def _from_topology(path: str, app: int, use_arc: bool) -> tuple[str, str, dict[str, list[str]]]:
    """(resolver URL, name, values) of one app of topology.py's output."""
    with open(path) as fh:
        apps = json.load(fh)["apps"]
    if not 1 <= app <= len(apps):
        raise ValueError(f"--app must be within [1, {len(apps)}]")
    dns = apps[app - 1].get("dns")
    if not dns:
        raise ValueError("the topology has no dns part: create it with topology.py --dns")
    if use_arc:
        records = dns.get("routing_control_records")
        if not records:
            raise ValueError("the topology has no routing_control_records: create it with "
                             "topology.py --dns-control-health-checks")
        return dns["resolver_url"], records["record_name"], records["values"]
    return dns["resolver_url"], dns["record_name"], dns["values"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Poll a name through the emulated DNS resolver")
    parser.add_argument("url", nargs="?", help="resolver URL, e.g. http://127.0.0.1:PORT/_dns/resolve")
    parser.add_argument("name", nargs="?", help="the name to resolve, e.g. shop.unishop.example.")
    parser.add_argument("--type", default="A", help="record type (default A)")
    parser.add_argument("--values", help='JSON region -> IPs, e.g. \'{"us-east-1": ["192.0.2.11"]}\' (dns.values)')
    parser.add_argument("--topology", help="topology.py's JSON output: resolver URL, name and values from it")
    parser.add_argument("--app", type=int, default=1, help="which app of --topology (1-based, default 1)")
    parser.add_argument("--arc", action="store_true",
                        help="with --topology: the routing-control record (shopN-arc.…) instead of shopN")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between probes (default 0.2)")
    parser.add_argument("--duration", type=float, default=30.0, help="stop after this many seconds (default 30)")
    parser.add_argument("--region", help="stop once --consecutive probes in a row pointed to this region")
    parser.add_argument("--consecutive", type=int, default=1, help="how many in a row (default 1)")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per probe (default 2)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--summary-only", action="store_true", help="print only the summary line")
    output.add_argument("--moves-only", action="store_true", help="print the first probe and those that moved")
    args = parser.parse_args(argv)
    try:
        values: dict[str, list[str]] = {}
        url, name = args.url, args.name
        if args.topology:
            url_t, name_t, values = _from_topology(args.topology, args.app, args.arc)
            url, name = url or url_t, name or name_t
        if args.values:
            values = json.loads(args.values)
            if not isinstance(values, dict) or not all(isinstance(v, list) for v in values.values()):
                raise ValueError("--values must be a JSON object of region -> list of IPs")
        if not url or not name:
            raise ValueError("give the resolver URL and the name, or --topology")
    except (OSError, ValueError, KeyError) as exc:
        parser.error(str(exc))
    printed: list[dict[str, Any]] = []

    def emit_moves(result: dict[str, Any]) -> None:
        if result["moved"] or not printed:
            printed.append(result)
            edge_probe.print_json(result)

    callback = None if args.summary_only else emit_moves if args.moves_only else edge_probe.print_json
    return edge_probe.run(parser, args.region, lambda: probe(url, name, args.type.upper(), values, args.interval,
                                                             args.duration, args.region, args.consecutive,
                                                             args.timeout, callback))


if __name__ == "__main__":
    sys.exit(main())
