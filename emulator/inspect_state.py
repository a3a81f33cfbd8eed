#!/usr/bin/env python3
"""Reads the live state of Switchyard's resources with boto3: the independent client tests check against.

  inspect_state.py --endpoint URL --buckets us-east-1:b1,us-west-1:b2 --distribution ID --global-cluster ID

Prints one JSON object: {"buckets": {name: "open"|"blocked"|"partial"}, "origin_groups": {id: [origin, ...]},
"distribution_status": ..., "global_cluster": {"writer": arn, "members": [...], "status": ..., "failover_state": ...},
"clusters": {arn: {"status": ..., "global_cluster": id-or-null}}}.
"""
import argparse
import json

import boto3
from botocore.config import Config


def client(service, endpoint, region):
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))


def bucket_access(endpoint, region, bucket):
    s3 = client("s3", endpoint, region)
    try:
        flags = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except s3.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration":
            return "open"
        raise
    values = [flags.get(k, False) for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")]
    return "blocked" if all(values) else "open" if not any(values) else "partial"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--buckets", default="", help="region:bucket,...")
    p.add_argument("--distribution", action="append", default=[])
    p.add_argument("--global-cluster", action="append", default=[])
    p.add_argument("--cluster", action="append", default=[], help="cluster ARN to describe in its region")
    a = p.parse_args()
    out = {"buckets": {}, "origin_groups": {}, "distribution_status": {}, "global_clusters": {}, "clusters": {}}
    for item in filter(None, a.buckets.split(",")):
        region, bucket = item.split(":", 1)
        out["buckets"][bucket] = bucket_access(a.endpoint, region, bucket)
    cf = client("cloudfront", a.endpoint, "us-east-1")
    for dist in a.distribution:
        d = cf.get_distribution(Id=dist)["Distribution"]
        out["distribution_status"][dist] = d["Status"]
        for group in d["DistributionConfig"].get("OriginGroups", {}).get("Items", []):
            out["origin_groups"][group["Id"]] = [m["OriginId"] for m in group["Members"]["Items"]]
    rds = client("rds", a.endpoint, "us-east-1")
    for gid in a.global_cluster:
        g = rds.describe_global_clusters(GlobalClusterIdentifier=gid)["GlobalClusters"][0]
        members = g.get("GlobalClusterMembers", [])
        out["global_clusters"][gid] = {
            "status": g.get("Status"),
            "writer": next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None),
            "members": [m["DBClusterArn"] for m in members],
            "failover_state": g.get("FailoverState"),
        }
    for arn in a.cluster:
        region = arn.split(":")[3]
        c = client("rds", a.endpoint, region).describe_db_clusters(DBClusterIdentifier=arn)["DBClusters"][0]
        out["clusters"][arn] = {"status": c.get("Status"), "global_cluster": c.get("GlobalClusterIdentifier")}
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
