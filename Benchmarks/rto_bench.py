#!/usr/bin/env python3
"""The user-visible RTO of a Unishop failover, measured at the emulator's CloudFront edge.

    python3 Benchmarks/rto_bench.py BIN WORKDIR [--scale 10] [--aurora 60] [--cloudfront 120]

AWS's timings (an Aurora switchover of --aurora seconds, a CloudFront deployment of --cloudfront seconds) are
divided by --scale and given to the emulator. For each of standby: hot and standby: fenced, a fresh Unishop
converges in us-east-1, a probe asks the edge every 100 ms, the flip to us-west-1 is committed and `switchyard
apply` runs at once (as a webhook-triggered pass would); the RTO is from the commit to the first of 10 consecutive
answers served from us-west-1. Beside it, on a fresh Unishop each:
  (a) the lab's procedure as an operator would script it with the aws CLI: promote, wait until the writer moved,
      update the distribution's origin group, wait until it is deployed (polling every second);
  (b) the floor: the promotion's own duration (from the emulator's call log) plus one round trip to the edge.
Prints a markdown table (and writes it to WORKDIR/rto.md). Nothing here is a test.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "emulator"))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
import topology_repo  # noqa: E402


def http(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"{}")


class Emulator:
    def __init__(self, work: str) -> None:
        self.port_file = os.path.join(work, "emulator.port")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "emulator", "switchyard_emulator.py"), "--port", "0", "--port-file", self.port_file,
             "--log-file", os.path.join(work, "emulator.log")], stdout=subprocess.DEVNULL)
        for _ in range(600):
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                break
            time.sleep(0.1)
        self.url = f"http://127.0.0.1:{open(self.port_file).read().strip()}"

    def control(self, path: str, body: dict | None = None) -> dict:
        return http(f"{self.url}/_switchyard/{path}", body)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def environment(emulator: Emulator, state: str) -> dict:
    env = dict(os.environ)
    env.update({
        "AWS_ENDPOINT_URL": emulator.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "STATE_DIRECTORY": state,
    })
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    return env


def topology(emulator: Emulator, prefix: str, path: str, count: int = 1) -> dict:
    subprocess.run([sys.executable, os.path.join(ROOT, "emulator", "topology.py"), "--endpoint", emulator.url, "--prefix", prefix,
                    "--count", str(count), "--output", path], check=True, stdout=subprocess.DEVNULL)
    return json.load(open(path))


def start_probe(emulator: Emulator, distribution: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "emulator", "edge_probe.py"), f"{emulator.url}/_edge/{distribution}/", "--interval", "0.1",
         "--duration", "300", "--region", "us-west-1", "--consecutive", "10", "--summary-only"],
        stdout=subprocess.PIPE, text=True)


def probe_result(process: subprocess.Popen) -> dict:
    out, _ = process.communicate(timeout=400)
    return json.loads(out.strip().splitlines()[-1])


def watch(emulator: Emulator, distribution: str, cloudfront_seconds: float) -> subprocess.Popen:
    """From here on AWS's (scaled) deployment time; a clean call log and edge log; a user probing the edge."""
    emulator.control("config", {"cloudfront_seconds": cloudfront_seconds})
    emulator.control("reset-calls", {})
    emulator.control("edge/reset", {})
    probe = start_probe(emulator, distribution)
    time.sleep(1)
    return probe


def floor(emulator: Emulator, distribution: str) -> tuple[float, float]:
    """The promotion's duration in the emulator, and the median round trip of an edge request."""
    calls = emulator.control("calls")["calls"]
    started = min(c["epoch"] for c in calls if c.get("operation") in ("SwitchoverGlobalCluster", "FailoverGlobalCluster"))
    finished = min(c["epoch"] for c in calls if c.get("operation") == "GlobalClusterFailoverCompleted" and c["epoch"] >= started)
    log = emulator.control(f"edge/log?distribution={distribution}")["requests"]
    rtt = statistics.median(r["duration_ms"] for r in log if r.get("duration_ms") is not None) / 1000 if log else 0.0
    return finished - started, rtt


def switchyard_run(bin: str, emulator: Emulator, work: str, standby: str, cloudfront_seconds: float) -> dict:
    prefix = f"rto{standby}"
    app = topology(emulator, prefix, os.path.join(work, f"{prefix}.json"))["apps"][0]
    repo = os.path.join(work, f"{prefix}-repo")
    shutil.rmtree(repo, ignore_errors=True)
    topology_repo.repo({"apps": [app]}, repo)
    path = os.path.join(repo, "desired-state", f"{app['name']}.yaml")
    text = open(path).read().replace("standby: hot", f"standby: {standby}")
    open(path, "w").write(text)
    git = ["git", "-C", repo, "-c", "user.name=Bench", "-c", "user.email=bench@example.com"]
    subprocess.run(git + ["commit", "-qam", f"standby: {standby}", "--allow-empty"], check=True)
    env = environment(emulator, os.path.join(work, f"{prefix}-state"))
    subprocess.run([bin, "apply", "--repo", repo, "--poll-interval", "250ms"], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    # The starting state converged with instant deployments; the flip runs with AWS's (scaled) timings.
    distribution = app["distribution"]["id"]
    probe = watch(emulator, distribution, cloudfront_seconds)
    subprocess.run([bin, "flip", app["name"], "us-west-1", "--repo", repo, "--author", "Bench <bench@example.com>"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    committed = time.time()
    apply = subprocess.run([bin, "apply", "--repo", repo, "--poll-interval", "250ms"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    result = probe_result(probe)
    promotion, rtt = floor(emulator, distribution)
    return {"rto": (result.get("first_consecutive_t") or float("nan")) - committed, "floor": promotion + rtt,
            "promotion": promotion, "rtt": rtt, "apply_exit": apply.returncode}


OPERATOR = r"""#!/usr/bin/env bash
# The lab's failover as an operator would script it with the aws CLI: promote, wait, reorder, wait until deployed.
set -euo pipefail
aws rds switchover-global-cluster --region us-west-1 --global-cluster-identifier "$GLOBAL" --target-db-cluster-identifier "$TARGET" >/dev/null
until [ "$(aws rds describe-global-clusters --region us-west-1 --global-cluster-identifier "$GLOBAL" \
      --query 'GlobalClusters[0].GlobalClusterMembers[?IsWriter].DBClusterArn' --output text)" = "$TARGET" ]; do sleep 1; done
aws cloudfront get-distribution-config --id "$DIST" > "$WORK/config.json"
python3 - "$WORK/config.json" "$GROUP" "$ORIGIN" > "$WORK/new.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1])); config = doc["DistributionConfig"]
for group in config["OriginGroups"]["Items"]:
    if group["Id"] == sys.argv[2]:
        items = group["Members"]["Items"]
        group["Members"]["Items"] = [m for m in items if m["OriginId"] == sys.argv[3]] + [m for m in items if m["OriginId"] != sys.argv[3]]
print(json.dumps(config))
EOF
ETAG=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ETag"])' "$WORK/config.json")
aws cloudfront update-distribution --id "$DIST" --if-match "$ETAG" --distribution-config "file://$WORK/new.json" >/dev/null
until [ "$(aws cloudfront get-distribution --id "$DIST" --query Distribution.Status --output text)" = Deployed ]; do sleep 1; done
"""


def operator_run(emulator: Emulator, work: str, cloudfront_seconds: float) -> dict:
    prefix = "rtoops"
    app = topology(emulator, prefix, os.path.join(work, f"{prefix}.json"))["apps"][0]
    script = os.path.join(work, "operator.sh")
    open(script, "w").write(OPERATOR)
    emulator.control("config", {"cloudfront_seconds": cloudfront_seconds})

    emulator.control("reset-calls", {})
    emulator.control("edge/reset", {})
    distribution = app["distribution"]["id"]
    probe = start_probe(emulator, distribution)
    time.sleep(1)
    env = environment(emulator, os.path.join(work, "ops-state"))
    env.update({"GLOBAL": app["aurora"]["global_cluster_id"], "TARGET": app["aurora"]["secondary"]["arn"], "DIST": distribution,
                "GROUP": app["distribution"]["origin_group"], "ORIGIN": app["distribution"]["secondary_origin"], "WORK": work})
    started = time.time()
    subprocess.run(["bash", script], env=env, check=True)
    result = probe_result(probe)
    promotion, rtt = floor(emulator, distribution)
    return {"rto": (result.get("first_consecutive_t") or float("nan")) - started, "floor": promotion + rtt, "promotion": promotion,
            "rtt": rtt}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("work")
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--aurora", type=float, default=60)
    parser.add_argument("--cloudfront", type=float, default=120)
    args = parser.parse_args()
    work = os.path.join(args.work, "rto")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    emulator = Emulator(work)
    try:
        emulator.control("config", {"failover_seconds": args.aurora / args.scale})
        results = {}
        for standby in ("hot", "fenced"):
            emulator.control("config", {"cloudfront_seconds": 0})  # topology and the starting state at once
            results[standby] = switchyard_run(args.bin, emulator, work, standby, args.cloudfront / args.scale)
        emulator.control("config", {"cloudfront_seconds": 0})
        operator = operator_run(emulator, work, args.cloudfront / args.scale)
    finally:
        emulator.stop()
    lines = [
        f"Aurora switchover {args.aurora:g} s and CloudFront deployment {args.cloudfront:g} s, scaled by 1/{args.scale:g} "
        f"({args.aurora / args.scale:g} s and {args.cloudfront / args.scale:g} s); RTO from the commit (or the script's start) "
        "to the first of 10 consecutive answers served from us-west-1 at the edge.",
        "",
        "| failover | user-visible RTO | floor (promotion + one round trip) | RTO / floor | RTO / operator script |",
        "|---|---|---|---|---|",
    ]
    for standby, r in results.items():
        lines.append(f"| Switchyard, `standby: {standby}` | {r['rto']:.2f} s | {r['floor']:.2f} s | {r['rto'] / r['floor']:.2f} | "
                     f"{r['rto'] / operator['rto']:.2f} |")
    lines.append(f"| (a) operator script, aws CLI (promote, wait, reorder, wait until deployed) | {operator['rto']:.2f} s | "
                 f"{operator['floor']:.2f} s | {operator['rto'] / operator['floor']:.2f} | 1.00 |")
    table = "\n".join(lines) + "\n"
    open(os.path.join(work, "rto.md"), "w").write(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
