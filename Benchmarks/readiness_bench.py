#!/usr/bin/env python3
"""The cost of one readiness evaluation of many apps, against `plan` of the same apps.

    python3 Benchmarks/readiness_bench.py BIN WORKDIR [--apps 100] [--runs 3]

Starts the emulator, creates --apps Unishop apps (topology.py), converges them, then times `switchyard plan` and
`switchyard readiness` (each --runs times, the median) and counts the AWS calls each made (the emulator's call log,
by service and operation). Prints a markdown table and writes it to WORKDIR/readiness.md. Nothing here is a test.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
import topology_repo  # noqa: E402
from rto_bench import Emulator, environment, topology  # noqa: E402


def timed(bin: str, args: list[str], env: dict, emulator: Emulator, runs: int) -> tuple[float, collections.Counter, int]:
    seconds = []
    calls: collections.Counter = collections.Counter()
    code = 0
    for _ in range(runs):
        emulator.control("reset-calls", {})
        started = time.monotonic()
        code = subprocess.run([bin, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        seconds.append(time.monotonic() - started)
        calls = collections.Counter(f"{c['service']}:{c['operation']}" for c in emulator.control("calls")["calls"] if not c.get("synthetic"))
    return statistics.median(seconds), calls, code


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("work")
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = os.path.join(args.work, "readiness")
    os.makedirs(work, exist_ok=True)
    emulator = Emulator(work)
    try:
        apps = topology(emulator, "ready", os.path.join(work, "apps.json"), count=args.apps)
        repo = os.path.join(work, "repo")
        subprocess.run(["rm", "-rf", repo], check=True)
        topology_repo.repo(apps, repo)
        env = environment(emulator, os.path.join(work, "state"))
        subprocess.run([args.bin, "apply", "--repo", repo], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        plan, plan_calls, plan_code = timed(args.bin, ["plan", "--repo", repo], env, emulator, args.runs)
        ready, ready_calls, ready_code = timed(args.bin, ["readiness", "--repo", repo], env, emulator, args.runs)
    finally:
        emulator.stop()
    extra = ready_calls - plan_calls
    lines = [
        f"{args.apps} Unishop apps in sync (each: two buckets, an origin group, an Aurora global database), median of {args.runs} runs:",
        "",
        "| command | wall time | AWS calls | exit |",
        "|---|---|---|---|",
        f"| `switchyard plan` (in sync: no preflight reads) | {plan:.2f} s | {sum(plan_calls.values())} | {plan_code} |",
        f"| `switchyard readiness` (the failover to us-west-1 of every app, every check) | {ready:.2f} s | {sum(ready_calls.values())} | {ready_code} |",
        "",
        "Readiness' calls beyond plan's, per app: "
        + ", ".join(f"{name} {count / args.apps:g}" for name, count in sorted(extra.items())) + ".",
    ]
    table = "\n".join(lines) + "\n"
    open(os.path.join(work, "readiness.md"), "w").write(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
