#!/usr/bin/env python3
"""Polls an edge URL of the Switchyard emulator (what users see) and reports where answers came from.

    python3 emulator/edge_probe.py http://127.0.0.1:PORT/_edge/DISTRIBUTION_ID/ \\
        [--interval 0.2] [--duration 30] [--region us-west-1 [--consecutive 3]] \\
        [--host d111.cloudfront.net] [--timeout 2] [--summary-only]

Every probe prints one JSON line ``{"t", "elapsed", "status", "region", "origin", "error"}``
(``t``: epoch seconds when the probe was sent, comparable with the emulator's call log and
edge log; ``region`` / ``origin``: the ``X-Switchyard-Region`` / ``X-Switchyard-Origin``
headers; ``status`` 0 when no HTTP answer came, ``error`` says why). The last line is the
summary ``{"summary": true, "probes", "statuses", "regions", "region", "consecutive",
"first_region_t", "first_consecutive_t", "reached", "started", "ended"}``.

A probe is *served from* a region when its status is below 400 and its region header names
the region. With ``--region`` the probe stops once ``--consecutive`` (default 1) probes in a
row were served from it (``first_consecutive_t`` is the first of them), or after
``--duration`` seconds; it exits 0 if that happened, 1 if not. Without ``--region`` it runs
for ``--duration`` and exits 0. Stdlib only; ``probe()`` is the same as a function. ``poll()`` is the
polling loop itself, which dns_probe.py shares.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from typing import Any, Callable

REGION_HEADER = "X-Switchyard-Region"
ORIGIN_HEADER = "X-Switchyard-Origin"


def probe_once(url: str, host: str | None = None, timeout: float = 2.0) -> dict[str, Any]:
    started = time.time()
    request = urllib.request.Request(url, method="GET")
    if host:
        request.add_header("Host", host)
    result: dict[str, Any] = {"t": round(started, 6), "status": 0, "region": None, "origin": None, "error": None}
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            result["status"] = response.status
            headers = response.headers
    except urllib.error.HTTPError as error:  # 4xx/5xx: still an answer from the edge
        error.read()
        result["status"] = error.code
        headers = error.headers
    except (urllib.error.URLError, OSError) as error:
        result["error"] = str(getattr(error, "reason", error))
        return result
    result["region"] = headers.get(REGION_HEADER) or None
    result["origin"] = headers.get(ORIGIN_HEADER) or None
    return result


def served_from(result: dict[str, Any], region: str) -> bool:
    return 0 < result["status"] < 400 and result["region"] == region


def poll(once: Callable[[], dict[str, Any]], served: Callable[[dict[str, Any], str], bool],
         interval: float = 0.2, duration: float = 30.0, region: str | None = None, consecutive: int = 1,
         emit: Callable[[dict[str, Any]], None] | None = None,
         observe: Callable[[dict[str, Any]], None] | None = None, head: dict[str, Any] | None = None,
         tail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Calls `once` (one probe: a dict with ``t``, ``status``, ``region``) every `interval` seconds for at
    most `duration` seconds, or until `consecutive` probes in a row were `served` from `region`; returns
    the summary (`head`'s keys after ``summary``, `tail`'s before ``started``). Each probe gets its
    ``elapsed``, then goes to `observe` (which may add keys) and `emit`."""
    if interval < 0 or duration < 0 or consecutive < 1:
        raise ValueError("interval and duration must be >= 0, consecutive >= 1")
    started = time.time()
    deadline = time.monotonic() + duration
    statuses: dict[str, int] = {}
    regions: dict[str, int] = {}
    probes, run, run_start = 0, 0, None
    first_region_t = first_consecutive_t = None
    while True:
        sent = time.monotonic()
        result = once()
        result["elapsed"] = round(result["t"] - started, 6)
        if observe is not None:
            observe(result)
        probes += 1
        statuses[str(result["status"])] = statuses.get(str(result["status"]), 0) + 1
        if result["region"]:
            regions[result["region"]] = regions.get(result["region"], 0) + 1
        if emit is not None:
            emit(result)
        if region is not None:
            if served(result, region):
                if first_region_t is None:
                    first_region_t = result["t"]
                if run == 0:
                    run_start = result["t"]
                run += 1
                if run >= consecutive:
                    first_consecutive_t = run_start
                    break
            else:
                run, run_start = 0, None
        now = time.monotonic()
        if now >= deadline:
            break
        time.sleep(max(0.0, min(interval - (now - sent), deadline - now)))
    return {"summary": True, **(head or {}), "probes": probes, "statuses": dict(sorted(statuses.items())),
            "regions": dict(sorted(regions.items())), "region": region, "consecutive": consecutive,
            "first_region_t": first_region_t, "first_consecutive_t": first_consecutive_t,
            "reached": first_consecutive_t is not None if region is not None else None, **(tail or {}),
            "started": round(started, 6), "ended": round(time.time(), 6)}


def probe(url: str, interval: float = 0.2, duration: float = 30.0, region: str | None = None,
          consecutive: int = 1, host: str | None = None, timeout: float = 2.0,
          emit: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Polls `url` every `interval` seconds for at most `duration` seconds; returns the summary."""
    return poll(lambda: probe_once(url, host, timeout), served_from, interval, duration, region, consecutive,
                emit, head={"url": url})


def print_json(result: dict[str, Any]) -> None:
    """One JSON line on stdout (keys sorted), flushed: a probe or the summary."""
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    sys.stdout.flush()


def run(parser: argparse.ArgumentParser, region: str | None, polling: Callable[[], dict[str, Any]]) -> int:
    """A probe's command line from its parsed arguments on: runs `polling`, prints its summary; the exit
    code (0: reached `region` or none given; 1: not reached; 130: interrupted; 2: bad arguments)."""
    try:
        summary = polling()
    except ValueError as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        return 130
    print_json(summary)
    return 0 if region is None or summary["reached"] else 1



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Poll an emulated CloudFront edge URL")
    parser.add_argument("url", help="edge URL, e.g. http://127.0.0.1:PORT/_edge/DISTRIBUTION_ID/")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between probes (default 0.2)")
    parser.add_argument("--duration", type=float, default=30.0, help="stop after this many seconds (default 30)")
    parser.add_argument("--region", help="stop once --consecutive probes in a row were served from this region")
    parser.add_argument("--consecutive", type=int, default=1, help="how many in a row (default 1)")
    parser.add_argument("--host", help="Host header to send (e.g. the distribution's d111.cloudfront.net)")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per probe (default 2)")
    parser.add_argument("--summary-only", action="store_true", help="print only the summary line")
    args = parser.parse_args(argv)
    return run(parser, args.region, lambda: probe(args.url, args.interval, args.duration, args.region,
                                                  args.consecutive, args.host, args.timeout,
                                                  None if args.summary_only else print_json))


if __name__ == "__main__":
    sys.exit(main())
