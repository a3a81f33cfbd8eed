#!/usr/bin/env python3
"""Creates the Unishop "Hot Standby" topology in the emulator via boto3.

Per app:
* S3 website buckets ``<prefix>-primary-uibucket-example`` (us-east-1) and
  ``<prefix>-secondary-uibucket-example`` (us-west-1) with index.html and a public-read
  bucket policy (what the emulated edge, edge.py, serves);
* a CloudFront distribution with origins ``<prefix>-primary-origin`` and
  ``<prefix>-secondary-origin`` in origin group ``<prefix>-standby-origin-group``
  (failover on 500,502,503,504,403,404), the default cache behaviour's target;
* an Aurora global database ``<prefix>-global`` (aurora-mysql) with writer
  cluster ``<prefix>-primary`` in us-east-1 and ``<prefix>-secondary`` in us-west-1,
  one DB instance ``<cluster>-instance-1`` (db.r6g.large) in each;
* optionally (``--documentdb`` / ``documentdb=True``, default off) a DocumentDB
  global cluster ``unishop-docdb-global`` (engine docdb) with writer cluster
  ``unishop-docdb-east`` in us-east-1 and ``unishop-docdb-west`` in us-west-1 (one
  DB instance each), created through boto3's ``docdb`` client (``--docdb-prefix`` replaces
  ``unishop``; the N-th app uses ``unishopN``);
* optionally (``--compute`` / ``compute=True``, default off) per region the Unishop
  compute of a warm standby: a launch template (a moto Amazon Linux 2 AMI from
  DescribeImages), an Auto Scaling group ``<prefix>-primary-asg`` (us-east-1, min 2 /
  desired 4 / max 8) and ``<prefix>-secondary-asg`` (us-west-1, min 1 / desired 1 /
  max 8), an ECS cluster ``<prefix>-primary-cluster`` / ``<prefix>-secondary-cluster``
  with a Fargate service ``<prefix>-unishop`` of the same desired count and an
  Application Auto Scaling target with the same min/max (``--standby-max`` lowers the
  standby's max; ``--primary-capacity`` / ``--standby-capacity`` MIN/DESIRED/MAX).
* optionally (``--dns`` / ``dns=True``, default off) the DNS traffic kinds, built by
  ``arc.create_dns_topology()``: the public hosted zone ``unishop.example.`` with the failover
  pair ``shop.unishop.example.`` A (health check on the primary) and decoys, and the ARC
  cluster ``unishop-arc`` (endpoints us-east-1, us-west-2, eu-west-1) with a control panel,
  routing controls ``unishop-us-east-1`` (On) / ``unishop-us-west-1`` (Off) and a safety rule;
  the N-th app uses ``shopN`` / ``unishopN-…`` (one zone and one cluster for all).
  ``--dns-control-health-checks`` adds per app RECOVERY_CONTROL health checks on the routing
  controls and the failover pair ``shopN-arc.unishop.example.`` they steer (the DNS resolver,
  ``/_dns/resolve``, answers per them).

With the default prefix ``hot`` and count 1 the names are exactly the lab's.
With ``--count N`` the apps are ``hot``, ``hot2`` ... ``hotN``.

CLI:    python3 emulator/topology.py --endpoint http://127.0.0.1:PORT [--prefix hot]
            [--count N] [--parts all|web|aurora] [--documentdb [--docdb-prefix unishop]]
            [--compute [--standby-max N] [--primary-capacity 2/4/8] [--standby-capacity 1/1/8]
             [--no-settle]] [--dns [--dns-control-health-checks]] [--output FILE]
Module: from topology import create_topology; create_topology(endpoint_url, documentdb=True)
Prints a JSON description (distribution ids, cluster ARNs, bucket names).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

import arc  # the DNS part of the topology (--dns)

PRIMARY_REGION = "us-east-1"
SECONDARY_REGION = "us-west-1"
FAILOVER_STATUS_CODES = [500, 502, 503, 504, 403, 404]
INDEX_HTML = "<html><head><title>Unishop</title></head><body><h1>Unishop ({region})</h1></body></html>\n"
DB_INSTANCE_CLASS = "db.r6g.large"  # one instance per member cluster (Aurora and DocumentDB)


DOCDB_ENGINE = "docdb"
DOCDB_PREFIX = "unishop"

# Warm standby sizes (min, desired, max) of the Unishop compute per role.
PRIMARY_CAPACITY = (2, 4, 8)
STANDBY_CAPACITY = (1, 1, 8)
INSTANCE_TYPE = "t3.micro"
AMI_NAME_PATTERN = "amzn2-ami-hvm-*-x86_64-gp2"


def app_prefixes(prefix: str = "hot", count: int = 1) -> list[str]:
    return [prefix if i == 1 else f"{prefix}{i}" for i in range(1, count + 1)]


def docdb_names_for(docdb_prefix: str = DOCDB_PREFIX) -> dict[str, str]:
    return {
        "global_cluster": f"{docdb_prefix}-docdb-global",
        "primary_cluster": f"{docdb_prefix}-docdb-east",
        "secondary_cluster": f"{docdb_prefix}-docdb-west",
    }


def names_for(prefix: str) -> dict[str, str]:
    return {
        "primary_bucket": f"{prefix}-primary-uibucket-example",
        "secondary_bucket": f"{prefix}-secondary-uibucket-example",
        "primary_origin": f"{prefix}-primary-origin",
        "secondary_origin": f"{prefix}-secondary-origin",
        "origin_group": f"{prefix}-standby-origin-group",
        "global_cluster": f"{prefix}-global",
        "primary_cluster": f"{prefix}-primary",
        "secondary_cluster": f"{prefix}-secondary",
    }


def compute_names_for(prefix: str) -> dict[str, str]:
    return {
        "launch_template": f"{prefix}-unishop-lt",
        "primary_asg": f"{prefix}-primary-asg",
        "secondary_asg": f"{prefix}-secondary-asg",
        "primary_cluster": f"{prefix}-primary-cluster",
        "secondary_cluster": f"{prefix}-secondary-cluster",
        "task_family": f"{prefix}-unishop",
        "service": f"{prefix}-unishop",
    }


def _client(service: str, endpoint_url: str, region: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                      connect_timeout=5, read_timeout=30),
    )


def _bucket_website(endpoint_url: str, bucket: str, region: str) -> dict[str, str]:
    s3 = _client("s3", endpoint_url, region)
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kwargs)
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "index.html"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read_policy(bucket)))
    s3.put_object(Bucket=bucket, Key="index.html", Body=INDEX_HTML.format(region=region).encode(),
                  ContentType="text/html")
    return {"name": bucket, "region": region,
            "website_domain": f"{bucket}.s3-website-{region}.amazonaws.com",
            "domain": f"{bucket}.s3.{region}.amazonaws.com"}


def public_read_policy(bucket: str) -> dict[str, Any]:
    """The lab's website bucket policy: anyone may read the objects."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "PublicReadGetObject", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}]}


def _db_instances(client: Any, cluster_id: str, engine: str) -> list[dict[str, str]]:
    """One DB instance in the member cluster (the writer's is its writer, a secondary's a reader)."""
    instance = client.create_db_instance(
        DBInstanceIdentifier=f"{cluster_id}-instance-1", DBInstanceClass=DB_INSTANCE_CLASS, Engine=engine,
        DBClusterIdentifier=cluster_id)["DBInstance"]
    return [{"id": instance["DBInstanceIdentifier"], "arn": instance["DBInstanceArn"],
             "class": instance["DBInstanceClass"]}]


def _distribution(endpoint_url: str, prefix: str, n: dict[str, str],
                  primary: dict[str, str], secondary: dict[str, str]) -> dict[str, Any]:
    cf = _client("cloudfront", endpoint_url, PRIMARY_REGION)

    def origin(origin_id: str, bucket: dict[str, str]) -> dict[str, Any]:
        return {"Id": origin_id, "DomainName": bucket["domain"], "OriginPath": "",
                "S3OriginConfig": {"OriginAccessIdentity": ""},
                "CustomHeaders": {"Quantity": 0}}

    config = {
        "CallerReference": f"switchyard-{prefix}-{time.time_ns()}",
        "Comment": f"{prefix} hot standby (Unishop)",
        "Enabled": True,
        "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 2, "Items": [origin(n["primary_origin"], primary),
                                             origin(n["secondary_origin"], secondary)]},
        "OriginGroups": {"Quantity": 1, "Items": [{
            "Id": n["origin_group"],
            "FailoverCriteria": {"StatusCodes": {"Quantity": len(FAILOVER_STATUS_CODES),
                                                 "Items": FAILOVER_STATUS_CODES}},
            "Members": {"Quantity": 2, "Items": [{"OriginId": n["primary_origin"]},
                                                 {"OriginId": n["secondary_origin"]}]},
        }]},
        # The origin group, as on CloudFront (the emulator accepts it; moto alone refused it).
        "DefaultCacheBehavior": {
            "TargetOriginId": n["origin_group"],
            "ViewerProtocolPolicy": "redirect-to-https",
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
            "MinTTL": 0,
        },
    }
    resp = cf.create_distribution(DistributionConfig=config)
    dist = resp["Distribution"]
    return {"id": dist["Id"], "arn": dist["ARN"], "domain_name": dist["DomainName"],
            "etag": resp.get("ETag"), "origin_group": n["origin_group"],
            "primary_origin": n["primary_origin"], "secondary_origin": n["secondary_origin"]}


def _aurora(endpoint_url: str, n: dict[str, str]) -> dict[str, Any]:
    east = _client("rds", endpoint_url, PRIMARY_REGION)
    west = _client("rds", endpoint_url, SECONDARY_REGION)
    gc = east.create_global_cluster(GlobalClusterIdentifier=n["global_cluster"], Engine="aurora-mysql")
    primary = east.create_db_cluster(
        DBClusterIdentifier=n["primary_cluster"], Engine="aurora-mysql",
        GlobalClusterIdentifier=n["global_cluster"], MasterUsername="admin",
        MasterUserPassword="unishop-password", DatabaseName="unishop")["DBCluster"]
    secondary = west.create_db_cluster(
        DBClusterIdentifier=n["secondary_cluster"], Engine="aurora-mysql",
        GlobalClusterIdentifier=n["global_cluster"])["DBCluster"]
    instances = {"primary": _db_instances(east, n["primary_cluster"], "aurora-mysql"),
                 "secondary": _db_instances(west, n["secondary_cluster"], "aurora-mysql")}
    return {"global_cluster_id": n["global_cluster"],
            "global_cluster_arn": gc["GlobalCluster"]["GlobalClusterArn"], "instances": instances,
            "primary": {"id": n["primary_cluster"], "arn": primary["DBClusterArn"], "region": PRIMARY_REGION},
            "secondary": {"id": n["secondary_cluster"], "arn": secondary["DBClusterArn"],
                          "region": SECONDARY_REGION}}


def _documentdb(endpoint_url: str, n: dict[str, str]) -> dict[str, Any]:
    """DocumentDB global cluster, built like the Aurora one but with the docdb client."""
    east = _client("docdb", endpoint_url, PRIMARY_REGION)
    west = _client("docdb", endpoint_url, SECONDARY_REGION)
    gc = east.create_global_cluster(GlobalClusterIdentifier=n["global_cluster"],
                                    Engine=DOCDB_ENGINE)["GlobalCluster"]
    primary = east.create_db_cluster(
        DBClusterIdentifier=n["primary_cluster"], Engine=DOCDB_ENGINE,
        GlobalClusterIdentifier=n["global_cluster"], MasterUsername="unishop",
        MasterUserPassword="unishop-password")["DBCluster"]
    secondary = west.create_db_cluster(
        DBClusterIdentifier=n["secondary_cluster"], Engine=DOCDB_ENGINE,
        GlobalClusterIdentifier=n["global_cluster"])["DBCluster"]
    instances = {"primary": _db_instances(east, n["primary_cluster"], DOCDB_ENGINE),
                 "secondary": _db_instances(west, n["secondary_cluster"], DOCDB_ENGINE)}
    return {"global_cluster_id": n["global_cluster"],
            "global_cluster_arn": gc["GlobalClusterArn"], "instances": instances,
            "engine": DOCDB_ENGINE, "engine_version": gc.get("EngineVersion"),
            "primary": {"id": n["primary_cluster"], "arn": primary["DBClusterArn"], "region": PRIMARY_REGION},
            "secondary": {"id": n["secondary_cluster"], "arn": secondary["DBClusterArn"],
                          "region": SECONDARY_REGION}}


def _control(endpoint_url: str, path: str, body: dict[str, Any]) -> Any:
    """POST to the emulator's /_switchyard/ control API (passes through the fault proxy too)."""
    req = urllib.request.Request(f"{endpoint_url.rstrip('/')}/_switchyard/{path}", data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def _capacity(value: Any, name: str) -> tuple[int, int, int]:
    """(min, desired, max) from a tuple/list or a "MIN/DESIRED/MAX" string, checked like AWS does."""
    parts = value.split("/") if isinstance(value, str) else list(value)
    try:
        low, desired, high = (int(v) for v in parts)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be MIN/DESIRED/MAX, e.g. 1/1/8") from None
    if not 0 <= low <= desired <= high:
        raise ValueError(f"{name} must satisfy 0 <= min <= desired <= max: {low}/{desired}/{high}")
    return low, desired, high


def _amazon_linux_ami(ec2: Any) -> str:
    """The newest Amazon Linux 2 x86_64 AMI among moto's built-in images of the region."""
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [AMI_NAME_PATTERN]}])["Images"]
    if not images:
        images = ec2.describe_images(Owners=["amazon"])["Images"]
    return sorted(images, key=lambda i: (i.get("Name", ""), i["ImageId"]))[-1]["ImageId"]


def _compute_region(endpoint_url: str, n: dict[str, str], role: str, region: str,
                    capacity: tuple[int, int, int]) -> dict[str, Any]:
    """Launch template + Auto Scaling group + ECS cluster/service (+ scalable target) in one region."""
    low, desired, high = capacity
    ec2 = _client("ec2", endpoint_url, region)
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    subnets = sorted(subnets, key=lambda sn: sn["AvailabilityZone"])[:2]
    subnet_ids = [sn["SubnetId"] for sn in subnets]
    security_groups = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    image_id = _amazon_linux_ami(ec2)
    template = ec2.create_launch_template(
        LaunchTemplateName=n["launch_template"],
        LaunchTemplateData={"ImageId": image_id, "InstanceType": INSTANCE_TYPE})["LaunchTemplate"]

    group_name = n[f"{role}_asg"]
    autoscaling = _client("autoscaling", endpoint_url, region)
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=group_name, MinSize=low, DesiredCapacity=desired, MaxSize=high,
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "$Latest"},
        VPCZoneIdentifier=",".join(subnet_ids),
        Tags=[{"Key": "app", "Value": "unishop", "PropagateAtLaunch": True},
              {"Key": "switchyard:role", "Value": role, "PropagateAtLaunch": False}])
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"][0]

    ecs = _client("ecs", endpoint_url, region)
    cluster = ecs.create_cluster(clusterName=n[f"{role}_cluster"])["cluster"]
    task = ecs.register_task_definition(
        family=n["task_family"], requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
        memory="512", containerDefinitions=[{"name": "unishop", "image": "public.ecr.aws/nginx/nginx:latest",
                                             "essential": True, "portMappings": [{"containerPort": 80}]}],
    )["taskDefinition"]
    service = ecs.create_service(
        cluster=cluster["clusterName"], serviceName=n["service"], taskDefinition=task["taskDefinitionArn"],
        desiredCount=desired, launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": subnet_ids, "securityGroups": [g["GroupId"] for g in security_groups[:1]],
            "assignPublicIp": "ENABLED"}})["service"]
    resource_id = f"service/{cluster['clusterName']}/{service['serviceName']}"
    _client("application-autoscaling", endpoint_url, region).register_scalable_target(
        ServiceNamespace="ecs", ResourceId=resource_id, ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=low, MaxCapacity=high)
    return {
        "region": region,
        "auto_scaling_group": {
            "name": group_name, "arn": group["AutoScalingGroupARN"], "min_size": low,
            "desired_capacity": desired, "max_size": high, "subnets": subnet_ids,
            "launch_template": {"id": template["LaunchTemplateId"], "name": template["LaunchTemplateName"],
                                "image_id": image_id, "instance_type": INSTANCE_TYPE}},
        "ecs": {
            "cluster_name": cluster["clusterName"], "cluster_arn": cluster["clusterArn"],
            "service_name": service["serviceName"], "service_arn": service["serviceArn"],
            "task_definition_arn": task["taskDefinitionArn"], "desired_count": desired,
            "min_capacity": low, "max_capacity": high, "scalable_target_resource_id": resource_id},
    }


def _compute(endpoint_url: str, prefix: str, primary_capacity: Any, standby_capacity: Any,
             standby_max: int | None, settle: bool) -> dict[str, Any]:
    primary = _capacity(primary_capacity, "primary capacity")
    standby = _capacity(standby_capacity, "standby capacity")
    if standby_max is not None:
        standby = _capacity((min(standby[0], standby_max), min(standby[1], standby_max), standby_max),
                            "standby capacity")
    n = compute_names_for(prefix)
    result = {"primary": _compute_region(endpoint_url, n, "primary", PRIMARY_REGION, primary),
              "secondary": _compute_region(endpoint_url, n, "secondary", SECONDARY_REGION, standby)}
    if settle:
        # The warm capacity is already running when the scenario starts: bring this app's
        # initial instances / tasks into service now instead of after capacity_seconds.
        for part in result.values():
            _control(endpoint_url, "complete-capacity",
                     {"region": part["region"], "group": part["auto_scaling_group"]["name"]})
            _control(endpoint_url, "complete-capacity",
                     {"region": part["region"], "cluster": part["ecs"]["cluster_name"],
                      "service": part["ecs"]["service_name"]})
    return result


def create_app(endpoint_url: str, prefix: str = "hot", parts: str = "all",
               documentdb: bool = False, docdb_prefix: str = DOCDB_PREFIX, compute: bool = False,
               standby_max: int | None = None, primary_capacity: Any = PRIMARY_CAPACITY,
               standby_capacity: Any = STANDBY_CAPACITY, settle: bool = True) -> dict[str, Any]:
    if parts not in ("all", "web", "aurora"):
        raise ValueError("parts must be all, web or aurora")
    n = names_for(prefix)
    app: dict[str, Any] = {"name": prefix, "primary_region": PRIMARY_REGION,
                           "secondary_region": SECONDARY_REGION}
    if parts in ("all", "web"):
        primary = _bucket_website(endpoint_url, n["primary_bucket"], PRIMARY_REGION)
        secondary = _bucket_website(endpoint_url, n["secondary_bucket"], SECONDARY_REGION)
        app["buckets"] = {"primary": primary, "secondary": secondary}
        app["distribution"] = _distribution(endpoint_url, prefix, n, primary, secondary)
    if parts in ("all", "aurora"):
        app["aurora"] = _aurora(endpoint_url, n)
    if documentdb:
        app["documentdb"] = _documentdb(endpoint_url, docdb_names_for(docdb_prefix))
    if compute:
        app["compute"] = _compute(endpoint_url, prefix, primary_capacity, standby_capacity, standby_max, settle)
    return app


def create_topology(endpoint_url: str, prefix: str = "hot", count: int = 1,
                    parts: str = "all", documentdb: bool = False,
                    docdb_prefix: str = DOCDB_PREFIX, compute: bool = False,
                    standby_max: int | None = None, primary_capacity: Any = PRIMARY_CAPACITY,
                    standby_capacity: Any = STANDBY_CAPACITY, settle: bool = True,
                    dns: bool = False, dns_control_health_checks: bool = False) -> dict[str, Any]:
    """Creates `count` apps and returns {"endpoint_url": ..., "apps": [...]}.

    With documentdb=True every app also gets a DocumentDB global cluster under the
    key "documentdb" (names from docdb_names_for(): unishop-docdb-global, -east, -west
    for the first app, unishop2-docdb-... for the second, and so on).

    With compute=True every app also gets, under the key "compute", per region an Auto
    Scaling group and an ECS service sized as a warm standby (primary_capacity and
    standby_capacity are (min, desired, max) or "MIN/DESIRED/MAX"; standby_max lowers the
    standby's max, and its min/desired with it when they exceed it). settle=True (default)
    brings the initial capacity into service at once through the emulator's
    /_switchyard/complete-capacity; settle=False leaves it pending for capacity_seconds.

    With dns=True every app also gets, under the key "dns", its Route 53 failover records and
    ARC routing controls (arc.create_dns_topology(): one zone and one ARC cluster for all apps).
    dns_control_health_checks=True (implies dns) adds per app RECOVERY_CONTROL health checks on the
    routing controls and the failover pair shopN-arc.unishop.example. they steer
    (dns["routing_control_records"])."""
    if count < 1:
        raise ValueError("count must be >= 1")
    if compute:  # fail before creating anything
        _capacity(primary_capacity, "primary capacity")
        _capacity(standby_capacity, "standby capacity")
        if standby_max is not None and standby_max < 0:
            raise ValueError("standby_max must be >= 0")
    result = {"endpoint_url": endpoint_url,
              "apps": [create_app(endpoint_url, p, parts, documentdb, d, compute=compute, standby_max=standby_max,
                                  primary_capacity=primary_capacity, standby_capacity=standby_capacity,
                                  settle=settle)
                       for p, d in zip(app_prefixes(prefix, count), app_prefixes(docdb_prefix, count))]}
    if dns or dns_control_health_checks:
        for app, app_dns in zip(result["apps"], arc.create_dns_topology(endpoint_url, count, _client,
                                                                         controls_health=dns_control_health_checks)):
            app["dns"] = app_dns
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create the Unishop hot-standby topology")
    parser.add_argument("--endpoint", required=True, help="emulator URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--prefix", default="hot", help="app name prefix (default hot)")
    parser.add_argument("--count", type=int, default=1, help="number of apps (default 1)")
    parser.add_argument("--parts", choices=["all", "web", "aurora"], default="all",
                        help="web = buckets + CloudFront, aurora = global database only")
    parser.add_argument("--documentdb", action="store_true",
                        help="also create a DocumentDB global cluster per app (default off)")
    parser.add_argument("--docdb-prefix", default=DOCDB_PREFIX,
                        help="DocumentDB name prefix (default unishop: unishop-docdb-global, "
                             "unishop-docdb-east, unishop-docdb-west)")
    parser.add_argument("--compute", action="store_true",
                        help="also create per region an Auto Scaling group and an ECS service (default off)")
    parser.add_argument("--standby-max", type=int,
                        help="max size of the standby's (us-west-1) group and scalable target (default 8)")
    parser.add_argument("--primary-capacity", default="/".join(map(str, PRIMARY_CAPACITY)),
                        help="MIN/DESIRED/MAX in us-east-1 (default 2/4/8)")
    parser.add_argument("--standby-capacity", default="/".join(map(str, STANDBY_CAPACITY)),
                        help="MIN/DESIRED/MAX in us-west-1 (default 1/1/8)")
    parser.add_argument("--no-settle", action="store_true",
                        help="leave the initial capacity pending for the emulator's capacity_seconds")
    parser.add_argument("--dns", action="store_true",
                        help="also create the Route 53 failover records and ARC routing controls (default off)")
    parser.add_argument("--dns-control-health-checks", action="store_true",
                        help="with --dns (implied): also RECOVERY_CONTROL health checks on the routing controls "
                             "and the failover pair shopN-arc.unishop.example. they steer (default off)")
    parser.add_argument("--output", help="also write the JSON description to this file")
    args = parser.parse_args(argv)
    try:
        result = create_topology(args.endpoint, args.prefix, args.count, args.parts,
                                 documentdb=args.documentdb, docdb_prefix=args.docdb_prefix,
                                 compute=args.compute, standby_max=args.standby_max,
                                 primary_capacity=args.primary_capacity, standby_capacity=args.standby_capacity,
                                 settle=not args.no_settle, dns=args.dns,
                                 dns_control_health_checks=args.dns_control_health_checks)
    except ValueError as exc:
        parser.error(str(exc))
    text = json.dumps(result, indent=2, sort_keys=True)
    if args.output:
        with open(args.output, "w") as fh:
            fh.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
