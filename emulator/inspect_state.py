#!/usr/bin/env python3
"""Reads the Hot Standby state with boto3, independently of Switchyard, and prints it as JSON.

    python3 emulator/inspect_state.py --endpoint URL --global-cluster hot-global \\
        --distribution E123 --bucket us-east-1:hot-primary-uibucket-example --bucket us-west-1:... \\
        [--cluster ARN ...]

Prints {"writer": ARN|null, "failover": status|null (of the first global cluster),
"origins": {group id: [origin ids in order]}, "buckets": {name: "open"|"blocked"|"partial"} (open: neither policy flag; blocked: all four),
"distribution_status": {id: status}, "global_clusters": {id: {status, writer, members, failover_state}},
"clusters": {arn: {status, global_cluster}}}. Tests use it to check end states.

With --asg REGION:NAME (repeatable) it adds "auto_scaling_groups": {name: {region, min_size,
desired_capacity, max_size, in_service, pending}}, with --ecs-service REGION:CLUSTER/SERVICE
(repeatable) "ecs_services": {"CLUSTER/SERVICE": {region, arn, desired_count, running_count,
pending_count}}; without them the output is as above.

DNS (arc.inspect_dns): --dns-record ZONE_ID:NAME[:TYPE] (repeatable, TYPE default A) adds
"dns_records": {NAME: {SET_IDENTIFIER: FAILOVER}}; --routing-control ARN (repeatable) with
--arc-endpoint URL or REGION=URL (repeatable; tried in order) adds "routing_controls": {ARN: "On"|"Off"}
read through the ARC data plane (boto3's route53-recovery-cluster client signed for the endpoint's
region) and "routing_controls_endpoint": the URL that answered.
"""
from __future__ import annotations

import argparse
import json

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import arc

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def client(service: str, endpoint: str, region: str):
    return boto3.client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))


def bucket_access(endpoint: str, region: str, bucket: str) -> str:
    s3 = client("s3", endpoint, region)
    try:
        config = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError as e:
        if e.response["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration":
            return "open"
        raise
    # A website bucket serves through its bucket policy: open when neither policy flag is set (the ACL flags do
    # not decide), blocked when fenced with all four as Switchyard writes it, partial otherwise.
    values = [config.get(k, False) for k in FLAGS]
    policy = [config.get(k, False) for k in ("BlockPublicPolicy", "RestrictPublicBuckets")]
    return "blocked" if all(values) else "open" if not any(policy) else "partial"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--global-cluster", action="append", default=[])
    parser.add_argument("--distribution", action="append", default=[])
    parser.add_argument("--bucket", action="append", default=[], help="REGION:NAME (repeatable)")
    parser.add_argument("--cluster", action="append", default=[], help="DB cluster ARN, read in its region")
    parser.add_argument("--asg", action="append", default=[], help="REGION:AUTO_SCALING_GROUP (repeatable)")
    parser.add_argument("--ecs-service", action="append", default=[], help="REGION:CLUSTER/SERVICE (repeatable)")
    parser.add_argument("--dns-record", action="append", default=[], help="ZONE_ID:NAME[:TYPE] (repeatable)")
    parser.add_argument("--arc-endpoint", action="append", default=[], help="ARC endpoint URL or REGION=URL")
    parser.add_argument("--routing-control", action="append", default=[], help="routing control ARN (repeatable)")
    args = parser.parse_args()
    out = {"writer": None, "failover": None, "origins": {}, "buckets": {}, "distribution_status": {},
           "global_clusters": {}, "clusters": {}}
    for item in args.bucket:
        region, name = item.split(":", 1)
        out["buckets"][name] = bucket_access(args.endpoint, region, name)
    cloudfront = client("cloudfront", args.endpoint, "us-east-1")
    for dist in args.distribution:
        distribution = cloudfront.get_distribution(Id=dist)["Distribution"]
        out["distribution_status"][dist] = distribution["Status"]
        for group in distribution["DistributionConfig"].get("OriginGroups", {}).get("Items", []):
            out["origins"][group["Id"]] = [m["OriginId"] for m in group["Members"]["Items"]]
    rds = client("rds", args.endpoint, "us-east-1")
    for gid in args.global_cluster:
        cluster = rds.describe_global_clusters(GlobalClusterIdentifier=gid)["GlobalClusters"][0]
        members = cluster.get("GlobalClusterMembers", [])
        state = {"status": cluster.get("Status"), "members": [m["DBClusterArn"] for m in members],
                 "writer": next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None),
                 "failover_state": cluster.get("FailoverState")}
        out["global_clusters"][gid] = state
        if out["writer"] is None:
            out["writer"] = state["writer"]
            out["failover"] = (state["failover_state"] or {}).get("Status")
    for arn in args.cluster:
        described = client("rds", args.endpoint, arn.split(":")[3]).describe_db_clusters(DBClusterIdentifier=arn)
        cluster = described["DBClusters"][0]
        out["clusters"][arn] = {"status": cluster.get("Status"), "global_cluster": cluster.get("GlobalClusterIdentifier")}
    if args.asg:
        out["auto_scaling_groups"] = {}
    for item in args.asg:
        region, name = item.split(":", 1)
        group = client("autoscaling", args.endpoint, region).describe_auto_scaling_groups(
            AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
        states = [i["LifecycleState"] for i in group.get("Instances", [])]
        out["auto_scaling_groups"][name] = {
            "region": region, "min_size": group["MinSize"], "desired_capacity": group["DesiredCapacity"],
            "max_size": group["MaxSize"], "in_service": states.count("InService"), "pending": states.count("Pending")}
    if args.ecs_service:
        out["ecs_services"] = {}
    for item in args.ecs_service:
        region, rest = item.split(":", 1)
        cluster_name, service_name = rest.split("/", 1)
        service = client("ecs", args.endpoint, region).describe_services(
            cluster=cluster_name, services=[service_name])["services"][0]
        out["ecs_services"][rest] = {
            "region": region, "arn": service["serviceArn"], "desired_count": service["desiredCount"],
            "running_count": service["runningCount"], "pending_count": service["pendingCount"]}
    out.update(arc.inspect_dns(args.endpoint, args.dns_record, args.arc_endpoint, args.routing_control, client))
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
