#!/usr/bin/env python3
"""Builds the benchmark repositories with `git fast-import` (fast, and independent of Switchyard).

  history-10k/   10,000 commits; every 10th flips unishop's activeRegion, the rest touch other files
  apps-500/      one commit holding 500 application files
"""
import os
import subprocess
import sys

APP = """apiVersion: switchyard/v1
kind: Application
metadata:
  name: {name}
spec:
  activeRegion: {region}
  standby: hot
  regions:
    us-east-1:
      bucket: {name}-primary
      originId: {name}-primary-origin
      auroraCluster: arn:aws:rds:us-east-1:123456789012:cluster:{name}-primary
    us-west-1:
      bucket: {name}-secondary
      originId: {name}-secondary-origin
      auroraCluster: arn:aws:rds:us-west-1:123456789012:cluster:{name}-secondary
  cloudfront:
    distributionId: E{index:08d}
    originGroupId: {name}-group
  aurora:
    globalClusterId: {name}-global
    promotion: switchover
"""


def blob(text):
    data = text.encode()
    return b"data %d\n" % len(data) + data + b"\n"


def fast_import(path, stream):
    subprocess.run(["git", "init", "-q", "-b", "main", path], check=True)
    subprocess.run(["git", "-C", path, "fast-import", "--quiet"], input=stream, check=True)
    subprocess.run(["git", "-C", path, "checkout", "-q", "main"], check=True)


def history_repo(path, commits):
    out = bytearray()
    regions = ["us-east-1", "us-west-1"]
    for i in range(commits):
        out += b"commit refs/heads/main\n"
        out += b"committer Bench <bench@example.com> %d +0000\n" % (1_700_000_000 + i * 60)
        out += blob("commit %d" % i)
        if i == 0:
            out += b"M 100644 inline desired-state/unishop.yaml\n" + blob(APP.format(name="unishop", region=regions[0], index=0))
        elif i % 10 == 0:
            region = regions[(i // 10) % 2]
            out += b"M 100644 inline desired-state/unishop.yaml\n" + blob(APP.format(name="unishop", region=region, index=0))
        else:
            out += b"M 100644 inline src/file%d.txt\n" % (i % 50) + blob("change %d\n" % i)
    fast_import(path, bytes(out))


def apps_repo(path, count):
    out = bytearray(b"commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\n" + blob("500 apps"))
    for i in range(count):
        name = "app-%03d" % i
        out += b"M 100644 inline desired-state/%s.yaml\n" % name.encode() + blob(APP.format(name=name, region="us-east-1", index=i))
    fast_import(path, bytes(out))


if __name__ == "__main__":
    root = sys.argv[1]
    os.makedirs(root, exist_ok=True)
    if not os.path.exists(os.path.join(root, "history-10k")):
        history_repo(os.path.join(root, "history-10k"), 10_000)
    if not os.path.exists(os.path.join(root, "apps-500")):
        apps_repo(os.path.join(root, "apps-500"), 500)
