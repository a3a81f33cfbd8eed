#!/usr/bin/env python3
"""Reads the Hot Standby state with boto3, independently of Switchyard, and prints it as JSON.

    python3 emulator/inspect_state.py --endpoint URL --global-cluster hot-global \
        --distribution E123 --bucket us-east-1:hot-primary-uibucket-example --bucket us-west-1:...

Prints {"writer": ARN|null, "failover": status|null, "origins": {group id: [origin ids in order]},
"buckets": {name: "open"|"blocked"|"partial"}}. Tests use it to check end states.
"""
from __future__ import annotations

import argparse
import json

import boto3
from botocore.exceptions import ClientError


def client(service: str, endpoint: str, region: str):
    return boto3.client(service, region_name=region, endpoint_url=endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--global-cluster")
    parser.add_argument("--distribution")
    parser.add_argument("--bucket", action="append", default=[], help="REGION:NAME (repeatable)")
    args = parser.parse_args()
    out: dict = {"writer": None, "failover": None, "origins": {}, "buckets": {}}
    if args.global_cluster:
        rds = client("rds", args.endpoint, "us-east-1")
        cluster = rds.describe_global_clusters(GlobalClusterIdentifier=args.global_cluster)["GlobalClusters"][0]
        out["writer"] = next((m["DBClusterArn"] for m in cluster.get("GlobalClusterMembers", []) if m.get("IsWriter")), None)
        out["failover"] = (cluster.get("FailoverState") or {}).get("Status")
    if args.distribution:
        cloudfront = client("cloudfront", args.endpoint, "us-east-1")
        config = cloudfront.get_distribution_config(Id=args.distribution)["DistributionConfig"]
        for group in (config.get("OriginGroups") or {}).get("Items", []):
            out["origins"][group["Id"]] = [m["OriginId"] for m in group["Members"]["Items"]]
    for spec in args.bucket:
        region, name = spec.split(":", 1)
        s3 = client("s3", args.endpoint, region)
        try:
            flags = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
            values = set(flags.values())
            out["buckets"][name] = "blocked" if values == {True} else "open" if values == {False} else "partial"
        except ClientError as error:
            if error.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration":
                raise
            out["buckets"][name] = "open"
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
