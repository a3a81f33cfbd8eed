#!/usr/bin/env python3
"""A long journal and browsers on the console: does a pass take longer while they poll?

  python3 Benchmarks/console_load_bench.py BIN WORK [--rows 72000] [--browsers 3] [--passes 12]

Starts the emulator with one Unishop app, runs `switchyard run --interval 1s`, fills its journal with ROWS call rows
(and one app event per 10) for the app, then measures the duration of PASSES passes (from the journal) with nobody
polling, and again while BROWSERS threads fetch /console/fragment back to back (what the page does every 2 s, made
as hard as it gets), with /healthz probed meanwhile. Prints both medians. Only reports: nothing here is a test.
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
from service_bench import app_yaml, git  # noqa: E402


def get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return time.perf_counter() - start


def pass_durations(journal: str, after: int) -> list[float]:
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    rows = db.execute("SELECT finished_at - started_at FROM passes WHERE id > ? AND finished_at IS NOT NULL", (after,)).fetchall()
    db.close()
    return [r[0] for r in rows]


def last_pass(journal: str) -> int:
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    value = db.execute("SELECT COALESCE(MAX(id), 0) FROM passes").fetchone()[0]
    db.close()
    return value


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("work")
    parser.add_argument("--rows", type=int, default=72000)
    parser.add_argument("--browsers", type=int, default=3)
    parser.add_argument("--passes", type=int, default=12)
    args = parser.parse_args()
    work = os.path.abspath(os.path.join(args.work, "console-load"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    emulator = subprocess.Popen([sys.executable, os.path.join(ROOT, "emulator/switchyard_emulator.py"), "--port", "0",
                                 "--failover-seconds", "1"], stdout=subprocess.PIPE, text=True)
    service = None
    try:
        port = int(emulator.stdout.readline().split()[1])
        endpoint = f"http://127.0.0.1:{port}"
        topo = json.loads(subprocess.run([sys.executable, os.path.join(ROOT, "emulator/topology.py"), "--endpoint", endpoint],
                                         check=True, capture_output=True, text=True).stdout)
        app = topo["apps"][0]
        repo = os.path.join(work, "repo")
        os.makedirs(os.path.join(repo, "desired-state"))
        git("init", "-q", cwd=repo)
        with open(os.path.join(repo, "desired-state", f"{app['name']}.yaml"), "w") as f:
            f.write(app_yaml(app, "us-east-1"))
        git("add", "-A", cwd=repo)
        git("commit", "-qm", "apps", cwd=repo)
        state = os.path.join(work, "state")
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_ENDPOINT_URL=endpoint)
        subprocess.run([args.bin, "apply", "--repo", repo, "--state-dir", state], env=env, check=True, capture_output=True)
        journal = os.path.join(state, "journal.sqlite")
        db = sqlite3.connect(journal)
        now = time.time() - 86400
        calls = [(None, now + i, app["name"], f"{i:040x}", "us-east-1", "openBucket", app["buckets"]["primary"]["name"],
                  "us-east-1", "called" if i % 2 else "calling", None, None) for i in range(args.rows)]
        db.executemany('INSERT INTO calls (pass_id, time, app, "commit", active_region, action, resource, region, phase, '
                       'aws_request_id, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', calls)
        db.executemany('INSERT INTO app_events (pass_id, time, app, "commit", active_region, verdict, applied) VALUES '
                       '(NULL, ?, ?, ?, ?, ?, 1)',
                       [(now + i, app["name"], f"{i:040x}", "us-east-1", "in sync") for i in range(0, args.rows, 10)])
        db.commit()
        db.close()
        log = open(os.path.join(work, "run.log"), "w")
        service = subprocess.Popen([args.bin, "run", "--repo", repo, "--state-dir", state, "--interval", "1s",
                                    "--listen", "127.0.0.1:0"], env=env, stderr=log, stdout=subprocess.DEVNULL)
        base = None
        while base is None:
            match = re.search(r"listening on (http://[0-9.:]+)", open(os.path.join(work, "run.log")).read())
            base = match.group(1) if match else None
            time.sleep(0.2)

        def measure(browsers: int, every: float = 0) -> tuple[list[float], list[float], int]:
            stop = threading.Event()
            fetched = [0]

            def browse():
                while not stop.is_set():
                    get(base + "/console/fragment")
                    fetched[0] += 1
                    stop.wait(every)
            threads = [threading.Thread(target=browse) for _ in range(browsers)]
            for t in threads:
                t.start()
            start = last_pass(journal)
            probes = []
            while len(pass_durations(journal, start)) < args.passes:
                probes.append(get(base + "/healthz"))
                time.sleep(0.25)
            stop.set()
            for t in threads:
                t.join()
            return pass_durations(journal, start), probes, fetched[0]

        time.sleep(3)
        print(f"journal: {args.rows:,} call rows; {args.passes} passes each way")
        for label, browsers, every in [("nobody polling", 0, 0), (f"{args.browsers} browsers polling every 2 s, as the page does",
                                                                  args.browsers, 2.0),
                                       (f"{args.browsers} browsers fetching back to back (stress)", args.browsers, 0)]:
            passes, probes, fetched = measure(browsers, every)
            print(f"  {label} ({fetched} fragments): pass median {statistics.median(passes) * 1000:.0f} ms "
                  f"(max {max(passes) * 1000:.0f} ms); /healthz median {statistics.median(probes) * 1000:.1f} ms, "
                  f"max {max(probes) * 1000:.1f} ms")
        return 0
    finally:
        if service:
            service.terminate()
            service.wait()
        emulator.terminate()
        emulator.wait()


if __name__ == "__main__":
    raise SystemExit(main())
