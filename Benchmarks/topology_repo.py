#!/usr/bin/env python3
"""Turns emulator/topology.py's JSON into what the AWS benchmarks need.

  topology_repo.py repo TOPOLOGY.json DIR     a Git repository with desired-state/<app>.yaml per app
                                              (the bundled unishop.yaml's shape, real ids from the emulator)
  topology_repo.py cli  TOPOLOGY.json [N]     a bash script doing plan's reads with the aws CLI, one call
                                              after another as an operator's script would, for the first N apps
"""
import json
import os
import shlex
import subprocess
import sys

APP = """apiVersion: switchyard/v1
kind: Application
metadata:
  name: {name}
spec:
  activeRegion: {active}
  standby: hot
  regions:
    {pr}:
      bucket: {primary_bucket}
      originId: {primary_origin}
      auroraCluster: {primary_arn}
    {sr}:
      bucket: {secondary_bucket}
      originId: {secondary_origin}
      auroraCluster: {secondary_arn}
  cloudfront:
    distributionId: {distribution}
    originGroupId: {origin_group}
  aurora:
    globalClusterId: {global_cluster}
    promotion: switchover
"""


def fields(app):
    aurora = app["aurora"]
    return {
        "name": app["name"], "active": aurora["primary"]["region"],
        "pr": aurora["primary"]["region"], "sr": aurora["secondary"]["region"],
        "primary_bucket": app["buckets"]["primary"]["name"], "secondary_bucket": app["buckets"]["secondary"]["name"],
        "primary_origin": app["distribution"]["primary_origin"], "secondary_origin": app["distribution"]["secondary_origin"],
        "primary_arn": aurora["primary"]["arn"], "secondary_arn": aurora["secondary"]["arn"],
        "distribution": app["distribution"]["id"], "origin_group": app["distribution"]["origin_group"],
        "global_cluster": aurora["global_cluster_id"],
    }


def repo(topology, folder):
    os.makedirs(os.path.join(folder, "desired-state"), exist_ok=True)
    for app in topology["apps"]:
        with open(os.path.join(folder, "desired-state", f"{app['name']}.yaml"), "w") as f:
            f.write(APP.format(**fields(app)))
    git = ["git", "-C", folder, "-c", "user.name=Bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", "init", "-q", "-b", "main", folder], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", f"{len(topology['apps'])} apps"], check=True)


def cli(topology, count):
    # awscli 1.x ignores AWS_ENDPOINT_URL for some rds commands, so the endpoint is passed explicitly.
    lines = ["set -e", "aws=\"aws --endpoint-url $AWS_ENDPOINT_URL\""]
    for app in topology["apps"][:count]:
        f = fields(app)
        for bucket, region in ((f["primary_bucket"], f["pr"]), (f["secondary_bucket"], f["sr"])):
            lines.append(f"$aws s3api get-public-access-block --region {region} --bucket {shlex.quote(bucket)} >/dev/null 2>&1 || true")
        lines.append(f"$aws cloudfront get-distribution --id {shlex.quote(f['distribution'])} >/dev/null")
        lines.append(f"$aws rds describe-global-clusters --region {f['active']} --global-cluster-identifier {shlex.quote(f['global_cluster'])} >/dev/null")
    print("\n".join(lines))


if __name__ == "__main__":
    with open(sys.argv[2]) as f:
        topo = json.load(f)
    if sys.argv[1] == "repo":
        repo(topo, sys.argv[3])
    else:
        cli(topo, int(sys.argv[3]) if len(sys.argv) > 3 else len(topo["apps"]))
