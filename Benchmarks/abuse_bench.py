#!/usr/bin/env python3
"""Replays the abuse of issue 14 against `switchyard run` on loopback (figures for docs/RELIABILITY.md; not a test).

    python3 Benchmarks/abuse_bench.py BIN WORKDIR [--hostile 200] [--seconds 30]

One Unishop app in the emulator, `run --interval 5s` with the default listener limits. While the daemon reconciles:
  1. --hostile concurrent unsigned 24 MB POSTs to /hooks/github (refused from their headers),
  2. --hostile concurrent badly signed 24 MB POSTs (streamed within the webhook byte budget),
  3. 1,100 idle connections, half with a partial request head (closed by the idle and head timeouts),
and, throughout, GET /healthz every 50 ms. Prints peak resident memory (VmHWM), the most open file descriptors,
/healthz latency (p50, p99, max, failures) and how many idle connections were closed within the documented timeouts.
The daemon runs with 1,024 open files at most (RLIMIT_NOFILE), the usual limit.
Bounded: every loop stops after --seconds; loopback only.
"""
from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_bench import app_yaml, git  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Probes GET /healthz every 50 ms for argv[2] seconds; prints the failures, then each latency in ms.
PROBE = """
import sys, time, urllib.request
port, seconds = int(sys.argv[1]), float(sys.argv[2])
end, lat, failures = time.time() + seconds, [], 0
while time.time() < end:
    t = time.time()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
        lat.append((time.time() - t) * 1000)
    except Exception:
        failures += 1
    time.sleep(0.05)
print(failures, *(f"{x:.2f}" for x in lat))
"""


def vm(pid: int, key: str) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def post(port: int, mb: int, signed: bool, deadline: float) -> str:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        size = mb << 20
        head = (f"POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-GitHub-Event: push\r\n"
                f"Content-Length: {size}\r\n")
        if signed:
            head += "X-Hub-Signature-256: sha256=" + "0" * 64 + "\r\n"
        s.sendall((head + "\r\n").encode())
        chunk = b"x" * (1 << 16)
        try:
            for _ in range(size // len(chunk)):
                if time.time() > deadline:
                    break
                s.sendall(chunk)
        except OSError:
            pass
        status = s.recv(64).split(b" ")[1].decode()
        s.close()
        return status
    except Exception:
        return "closed"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("work")
    parser.add_argument("--hostile", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    work = os.path.abspath(os.path.join(args.work, "abuse"))
    subprocess.run(["rm", "-rf", work])
    os.makedirs(work)
    emulator = subprocess.Popen([sys.executable, os.path.join(ROOT, "emulator/switchyard_emulator.py"), "--port", "0",
                                 "--log-file", os.path.join(work, "emulator.log")], stdout=subprocess.PIPE, text=True)
    service = None
    try:
        endpoint = f"http://127.0.0.1:{int(emulator.stdout.readline().split()[1])}"
        import json
        topo = json.loads(subprocess.run([sys.executable, os.path.join(ROOT, "emulator/topology.py"), "--endpoint", endpoint,
                                          "--count", "1"], check=True, capture_output=True, text=True).stdout)
        repo = os.path.join(work, "repo")
        os.makedirs(os.path.join(repo, "desired-state"))
        git("init", "-q", cwd=repo)
        for app in topo["apps"]:
            open(os.path.join(repo, "desired-state", f"{app['name']}.yaml"), "w").write(app_yaml(app, "us-east-1"))
        git("add", "-A", cwd=repo)
        git("commit", "-qm", "apps", cwd=repo)
        open(os.path.join(work, "secret"), "w").write("benchsecret")
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_ENDPOINT_URL=endpoint)
        log = open(os.path.join(work, "run.log"), "w")
        service = subprocess.Popen([args.bin, "run", "--repo", repo, "--state-dir", os.path.join(work, "state"), "--interval", "5s",
                                    "--listen", "127.0.0.1:0", "--webhook-secret-file", os.path.join(work, "secret")],
                                   env=env, stderr=log, stdout=subprocess.DEVNULL,
                                   # The usual limit of a login shell and of many units: 1,024 open files.
                                   preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024)))
        port = None
        for _ in range(300):
            text = open(os.path.join(work, "run.log")).read()
            if "listening on http://127.0.0.1:" in text:
                port = int(text.split("listening on http://127.0.0.1:")[1].split()[0])
                break
            time.sleep(0.1)
        if port is None:
            raise SystemExit("no listener:\n" + open(os.path.join(work, "run.log")).read()[-2000:])
        time.sleep(3)
        baseline = vm(service.pid, "VmRSS")
        # /healthz is probed from a process of its own, so the flood's client threads do not delay the probe.
        prober = subprocess.Popen([sys.executable, "-c", PROBE, str(port), str(args.seconds + 90)], stdout=subprocess.PIPE, text=True)
        deadline = time.time() + args.seconds
        most_fds = 0

        def watch_fds() -> None:
            nonlocal most_fds
            while prober.poll() is None:
                most_fds = max(most_fds, fds(service.pid))
                time.sleep(0.2)

        watcher = threading.Thread(target=watch_fds)
        watcher.start()
        results: dict[str, list[str]] = {"unsigned": [], "signed": []}
        for kind in ("unsigned", "signed"):
            threads = [threading.Thread(target=lambda k=kind: results[k].append(post(port, 24, k == "signed", deadline)))
                       for _ in range(args.hostile)]
            [t.start() for t in threads]
            [t.join() for t in threads]

        def idle_round(count: int, wait: float) -> tuple[int, int]:
            """Opens `count` idle connections (half with a partial head); how many opened, and were closed after `wait`."""
            idle = []
            for i in range(count):
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=2)
                    if i % 2:
                        s.sendall(b"POST /hooks/github HTTP/1.1\r\nHost: x\r\n")
                    idle.append(s)
                except OSError:
                    break
            time.sleep(wait)
            closed = 0
            for s in idle:
                s.settimeout(0.2)
                try:
                    closed += s.recv(1) == b""
                except (ConnectionResetError, BrokenPipeError):
                    closed += 1
                except socket.timeout:
                    pass
                s.close()
            return len(idle), closed

        # Within the cap: the hostile connections hold slots, /healthz still gets one.
        opened, closed = idle_round(args.hostile, 35)
        # Past the cap and past 1,024 open files: the excess waits in the backlog; no EMFILE, passes go on.
        over_opened, over_closed = idle_round(1100, 35)
        watcher.join(timeout=1)
        probe = prober.communicate()[0].split()
        lat = sorted(float(x) for x in probe[1:])
        failures = int(probe[0])
        passes = open(os.path.join(work, "run.log")).read().count("pass finished: converged")
        peak = vm(service.pid, "VmHWM")
        p99 = lat[int(len(lat) * 0.99) - 1] if lat else float("nan")
        print(f"binary: {args.bin}")
        print(f"hostile requests: {args.hostile} unsigned + {args.hostile} badly signed 24 MB POSTs; 1,100 idle connections")
        for kind, answers in results.items():
            counts = {a: answers.count(a) for a in sorted(set(answers))}
            print(f"  {kind}: {counts}")
        print(f"resident memory: {baseline:.1f} MB before, peak (VmHWM) {peak:.1f} MB")
        print(f"open file descriptors: at most {most_fds}")
        print(f"/healthz: {len(lat)} probes, p50 {statistics.median(lat):.1f} ms, p99 {p99:.1f} ms, max {lat[-1]:.1f} ms, failures {failures}")
        print(f"idle connections within the cap: {opened} opened, {closed} closed within 35 s (idle timeout 30 s, head timeout 10 s)")
        print(f"idle connections past the cap: {over_opened} of 1,100 accepted or queued, {over_closed} of them closed within 35 s")
        print(f"passes converged during the run: {passes}")
        print(f"daemon still running: {service.poll() is None}")
        return 0
    finally:
        if service:
            service.terminate()
            service.wait(10)
        emulator.terminate()
        emulator.wait(10)


if __name__ == "__main__":
    raise SystemExit(main())
