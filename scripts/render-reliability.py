#!/usr/bin/env python3
"""Renders the reliability suite's result rows (JSON lines the tests append) into docs/RELIABILITY.md, between
the `reliability-results` markers, leaving the rest of the document (the fuzzing section) as it is."""
from __future__ import annotations

import argparse
import collections
import json
import platform
import subprocess
import sys
import time

BEGIN, END = "<!-- reliability-results:begin -->", "<!-- reliability-results:end -->"


def cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(rows: list[dict], profile: str, seconds: int, command: str) -> str:
    by_fault: dict[str, list[dict]] = collections.OrderedDict()
    for row in sorted(rows, key=lambda r: (r["fault"], r["case"])):
        by_fault.setdefault(row["fault"], []).append(row)
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    lines = [BEGIN,
             "## Faults and crashes",
             "",
             f"Produced by `{command}` (profile `{profile}`, {len(rows)} cases, {seconds} s, "
             f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {swift[0] if swift else 'swift'}); "
             "the tests append one row per case and scripts/render-reliability.py writes this section. "
             "Do not edit it by hand.",
             "",
             "| fault | cases | passed | result |",
             "|---|---|---|---|"]
    for fault, cases in by_fault.items():
        passed = sum(1 for c in cases if c["passed"])
        outcomes = collections.Counter(c["outcome"].split(";")[0] for c in cases)
        summary = "; ".join(f"{o}" + (f" ({n})" if len(outcomes) > 1 else "") for o, n in outcomes.items())
        lines.append(f"| {cell(fault)} | {len(cases)} | {passed} | {cell(summary)} |")
    lines += ["", "Every case:", "", "| fault | case | result |", "|---|---|---|"]
    for fault, cases in by_fault.items():
        for c in cases:
            lines.append(f"| {cell(fault)} | {cell(c['case'])} | {cell(c['outcome'])} |")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results")
    parser.add_argument("document")
    parser.add_argument("--profile", default="long")
    parser.add_argument("--seconds", type=int, default=0)
    parser.add_argument("--command", default="scripts/reliability.sh")
    args = parser.parse_args()
    with open(args.results, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if not rows:
        print("no result rows: did the tests run?", file=sys.stderr)
        return 1
    with open(args.document, encoding="utf-8") as f:
        text = f.read()
    section = render(rows, args.profile, args.seconds, args.command)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(args.document, "w", encoding="utf-8") as f:
        f.write(text)
    failed = [r for r in rows if not r["passed"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
