#!/usr/bin/env python3
"""Benchmarks of `switchyard run` (figures for docs/PERFORMANCE.md; nothing here is a test).

    python3 Benchmarks/service_bench.py BIN WORKDIR [--apps 100] [--idle-seconds 60] [--webhooks 5]

1. Idle cost: 100 apps in the emulator and in a bare repository, `run --interval 30s`; after the first
   pass converged, resident memory (VmRSS, /proc, sampled every second: median, min, max) and CPU
   (utime+stime, /proc) over --idle-seconds.
2. Webhook latency: push a flip, POST a signed push event, and read from the emulator's call log when the
   first AWS call and the first mutating call arrived (emulator clock = this host's clock).
3. An unchanged poll's transfer: size and file count of the mirror's object store before and after idle polls
   (the mirror lists refs and fetches only when one moved).

BIN: `swift build -c release --static-swift-stdlib --product switchyard` as docs/OPERATIONS.md installs it, or
without `--static-swift-stdlib` for comparison (the output says which).
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = b"benchsecret"


def git(*args: str, cwd: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "-c", "init.defaultBranch=main",
                           "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def app_yaml(app: dict, region: str) -> str:
    aurora = app["aurora"]
    return f"""apiVersion: switchyard/v1
kind: Application
metadata:
  name: {app['name']}
spec:
  activeRegion: {region}
  regions:
    us-east-1:
      bucket: {app['buckets']['primary']['name']}
      originId: {app['name']}-primary-origin
      auroraCluster: {aurora['primary']['arn']}
    us-west-1:
      bucket: {app['buckets']['secondary']['name']}
      originId: {app['name']}-secondary-origin
      auroraCluster: {aurora['secondary']['arn']}
  cloudfront:
    distributionId: {app['distribution']['id']}
    originGroupId: {app['distribution']['origin_group']}
  aurora:
    globalClusterId: {aurora['global_cluster_id']}
"""


def proc_stats(pid: int) -> tuple[int, float]:
    with open(f"/proc/{pid}/status") as f:
        rss_kb = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return rss_kb, ticks / os.sysconf("SC_CLK_TCK")


def rss_split(pid: int) -> str:
    with open(f"/proc/{pid}/status") as f:
        text = f.read()
    get = lambda key: int(re.search(rf"{key}:\s+(\d+)", text).group(1)) / 1024
    return f"anonymous {get('RssAnon'):.1f} MB, file-backed {get('RssFile'):.1f} MB (shared libraries), shmem {get('RssShmem'):.1f} MB"


def pss_mb(pid: int) -> float:
    """Proportional set size: shared pages divided among the processes that map them (/proc/PID/smaps_rollup)."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return int(re.search(r"^Pss:\s+(\d+)", f.read(), re.M).group(1)) / 1024


def linkage(binary: str) -> str:
    """Whether the Swift runtime and Foundation are linked in (--static-swift-stdlib) or loaded as shared libraries."""
    libraries = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    swift = [line.split()[0] for line in libraries.splitlines() if re.search(r"libswift|libFoundation|lib_Foundation|libdispatch", line)]
    return "Swift runtime and Foundation shared: " + ", ".join(swift) if swift else "Swift runtime and Foundation statically linked"


def store_size(path: str) -> tuple[int, int]:
    total, files = 0, 0
    for base, _, names in os.walk(os.path.join(path, "objects")):
        for name in names:
            total += os.path.getsize(os.path.join(base, name))
            files += 1
    return total, files


def http(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("work")
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--idle-seconds", type=int, default=60)
    parser.add_argument("--webhooks", type=int, default=5)
    parser.add_argument("--quiet", action="store_true", help="send each webhook once the daemon made no AWS call for 2 s")
    parser.add_argument("--trace", action="store_true", help="print the AWS calls of the last flip, from the webhook")
    args = parser.parse_args()
    work = os.path.abspath(os.path.join(args.work, "service"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    emulator = subprocess.Popen([sys.executable, os.path.join(ROOT, "emulator/switchyard_emulator.py"), "--port", "0",
                                 "--failover-seconds", "1", "--log-file", os.path.join(work, "emulator.log")],
                                stdout=subprocess.PIPE, text=True)
    service = None
    try:
        port = int(emulator.stdout.readline().split()[1])
        endpoint = f"http://127.0.0.1:{port}"
        topo = json.loads(subprocess.run([sys.executable, os.path.join(ROOT, "emulator/topology.py"), "--endpoint", endpoint,
                                          "--count", str(args.apps)], check=True, capture_output=True, text=True).stdout)
        bare, clone = os.path.join(work, "origin.git"), os.path.join(work, "clone")
        os.makedirs(bare)
        git("init", "-q", "--bare", cwd=bare)
        git("clone", "-q", bare, clone, cwd=work)
        os.makedirs(os.path.join(clone, "desired-state"))
        for app in topo["apps"]:
            with open(os.path.join(clone, "desired-state", f"{app['name']}.yaml"), "w") as f:
                f.write(app_yaml(app, "us-east-1"))
        git("add", "-A", cwd=clone)
        git("commit", "-qm", "apps", cwd=clone)
        git("push", "-q", "origin", "HEAD:main", cwd=clone)
        with open(os.path.join(work, "secret"), "wb") as f:
            f.write(SECRET)
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_ENDPOINT_URL=endpoint)
        log = open(os.path.join(work, "run.log"), "w")
        cache = os.path.join(work, "cache")
        service = subprocess.Popen([args.bin, "run", "--repo", f"file://{bare}", "--cache-dir", cache, "--state-dir",
                                    os.path.join(work, "state"), "--interval", "30s", "--listen", "127.0.0.1:0",
                                    "--webhook-secret-file", os.path.join(work, "secret"), "--poll-interval", "200ms"],
                                   env=env, stderr=log, stdout=subprocess.DEVNULL)
        base = None
        deadline = time.time() + 300
        while time.time() < deadline:
            text = open(os.path.join(work, "run.log")).read()
            match = re.search(r"listening on (http://[0-9.:]+)", text)
            if match:
                base = match.group(1)
            if base and http(base + "/readyz")[0] == 200:
                break
            time.sleep(0.2)
        else:
            raise SystemExit("the service did not converge:\n" + open(os.path.join(work, "run.log")).read()[-3000:])
        mirror = next(os.path.join(cache, d) for d in os.listdir(cache))

        # 1 + 3: idle cost and unchanged polls.
        time.sleep(2)
        store_before = store_size(mirror)
        rss0, cpu0 = proc_stats(service.pid)
        t0 = time.time()
        samples = [rss0]
        while time.time() - t0 < args.idle_seconds:
            time.sleep(1)
            samples.append(proc_stats(service.pid)[0])
        rss1, cpu1 = proc_stats(service.pid)
        samples.append(rss1)
        median = sorted(samples)[len(samples) // 2]
        elapsed = time.time() - t0
        store_after = store_size(mirror)
        passes = len(re.findall(r"pass finished", open(os.path.join(work, "run.log")).read()))
        print(f"idle run, {args.apps} apps, --interval 30s, {elapsed:.0f} s: RSS median {median / 1024:.1f} MB, "
              f"mean {sum(samples) / len(samples) / 1024:.1f} MB, min {min(samples) / 1024:.1f} MB, max {max(samples) / 1024:.1f} MB, "
              f"over 30 MB in {100 * sum(1 for x in samples if x > 30 * 1024) / len(samples):.0f}% of the samples "
              f"(one sample a second; a pass raises it until its code pages are handed back 1 s after it, its heap 10 s after), CPU {100 * (cpu1 - cpu0) / elapsed:.2f}% of one core ({cpu1 - cpu0:.2f} s)")
        print(f"  RSS split: {rss_split(service.pid)}; PSS {pss_mb(service.pid):.1f} MB")
        print(f"  binary: {os.path.getsize(args.bin) / 1e6:.0f} MB, {linkage(args.bin)}")
        print(f"unchanged polls in the window: object store {store_before[0]} -> {store_after[0]} bytes, "
              f"{store_before[1]} -> {store_after[1]} files (passes so far: {passes})")

        # 2: webhook to first AWS call.
        first_any, first_mutating = [], []
        app = topo["apps"][0]
        region = "us-east-1"
        for n in range(args.webhooks):
            region = "us-west-1" if region == "us-east-1" else "us-east-1"
            with open(os.path.join(clone, "desired-state", f"{app['name']}.yaml"), "w") as f:
                f.write(app_yaml(app, region))
            git("commit", "-qam", f"flip {n}", cwd=clone)
            git("push", "-q", "origin", "HEAD:main", cwd=clone)
            after = git("rev-parse", "HEAD", cwd=clone)
            if args.quiet:
                # The daemon idle: no AWS call for 2 s (the last pass and readiness evaluation finished).
                seen, since, begun = None, time.time(), time.time()
                while time.time() - since < 2 and time.time() - begun < 300:
                    total = json.loads(http(endpoint + "/_switchyard/calls")[1])["total"]
                    if total != seen:
                        seen, since = total, time.time()
                    time.sleep(0.2)
            http(endpoint + "/_switchyard/reset-calls", data=b"")
            body = json.dumps({"ref": "refs/heads/main", "after": after}).encode()
            signature = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
            sent = time.time()
            status, _ = http(base + "/hooks/github", data=body, headers={"X-Hub-Signature-256": signature, "X-GitHub-Event": "push", "Content-Type": "application/json"})
            assert status == 202, status
            while True:
                calls = json.loads(http(endpoint + "/_switchyard/calls")[1])["calls"]
                mutating = [c for c in calls if c["mutating"]]
                if mutating:
                    first_any.append(min(c["epoch"] for c in calls) - sent)
                    first_mutating.append(min(c["epoch"] for c in mutating) - sent)
                    if args.trace and n == args.webhooks - 1:
                        first = min(c["epoch"] for c in mutating)
                        for c in sorted(calls, key=lambda c: c["epoch"]):
                            if c["epoch"] < sent or c["epoch"] > first:
                                continue
                            print(f"  +{1000 * (c['epoch'] - sent):6.0f} ms {c.get('service')} {c.get('operation')} {c.get('region', '')}"
                                  f"{' (mutating)' if c['mutating'] else ''}")
                    break
                time.sleep(0.02)
            while http(base + "/readyz")[0] != 200 or after[:12] not in http(base + "/readyz")[1].decode():
                time.sleep(0.1)
        ms = lambda xs: f"median {1000 * sorted(xs)[len(xs) // 2]:.0f} ms, max {1000 * max(xs):.0f} ms"
        print(f"webhook -> first AWS call ({args.webhooks} flips, {args.apps} apps): {ms(first_any)}")
        print(f"webhook -> first mutating AWS call: {ms(first_mutating)}")
        changed = store_size(mirror)
        print(f"a poll after {args.webhooks} one-line commits fetched {changed[0] - store_after[0]} bytes in total")
        return 0
    finally:
        if service:
            service.send_signal(signal.SIGTERM)
            service.wait(60)
        emulator.send_signal(signal.SIGTERM)
        emulator.wait(30)


if __name__ == "__main__":
    raise SystemExit(main())
