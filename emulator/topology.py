#!/usr/bin/env python3
"""Creates the Unishop "Hot Standby" topology in the emulator via boto3.

Per app:
* S3 website buckets ``<prefix>-primary-uibucket-example`` (us-east-1) and
  ``<prefix>-secondary-uibucket-example`` (us-west-1) with index.html;
* a CloudFront distribution with origins ``<prefix>-primary-origin`` and
  ``<prefix>-secondary-origin`` in origin group ``<prefix>-standby-origin-group``
  (failover on 500,502,503,504,403,404);
* an Aurora global database ``<prefix>-global`` (aurora-mysql) with writer
  cluster ``<prefix>-primary`` in us-east-1 and ``<prefix>-secondary`` in us-west-1;
* optionally (``--documentdb`` / ``documentdb=True``, default off) a DocumentDB
  global cluster ``unishop-docdb-global`` (engine docdb) with writer cluster
  ``unishop-docdb-east`` in us-east-1 and ``unishop-docdb-west`` in us-west-1,
  created through boto3's ``docdb`` client (``--docdb-prefix`` replaces
  ``unishop``; the N-th app uses ``unishopN``).

With the default prefix ``hot`` and count 1 the names are exactly the lab's.
With ``--count N`` the apps are ``hot``, ``hot2`` ... ``hotN``.

CLI:    python3 emulator/topology.py --endpoint http://127.0.0.1:PORT [--prefix hot]
            [--count N] [--parts all|web|aurora] [--documentdb [--docdb-prefix unishop]]
            [--output FILE]
Module: from topology import create_topology; create_topology(endpoint_url, documentdb=True)
Prints a JSON description (distribution ids, cluster ARNs, bucket names).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import boto3
from botocore.config import Config

PRIMARY_REGION = "us-east-1"
SECONDARY_REGION = "us-west-1"
FAILOVER_STATUS_CODES = [500, 502, 503, 504, 403, 404]
INDEX_HTML = "<html><head><title>Unishop</title></head><body><h1>Unishop ({region})</h1></body></html>\n"


DOCDB_ENGINE = "docdb"
DOCDB_PREFIX = "unishop"


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
    s3.put_object(Bucket=bucket, Key="index.html", Body=INDEX_HTML.format(region=region).encode(),
                  ContentType="text/html")
    return {"name": bucket, "region": region,
            "website_domain": f"{bucket}.s3-website-{region}.amazonaws.com",
            "domain": f"{bucket}.s3.{region}.amazonaws.com"}


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
        # Real CloudFront targets the origin group; moto only accepts an origin id here.
        "DefaultCacheBehavior": {
            "TargetOriginId": n["primary_origin"],
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
    return {"global_cluster_id": n["global_cluster"],
            "global_cluster_arn": gc["GlobalCluster"]["GlobalClusterArn"],
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
    return {"global_cluster_id": n["global_cluster"],
            "global_cluster_arn": gc["GlobalClusterArn"],
            "engine": DOCDB_ENGINE, "engine_version": gc.get("EngineVersion"),
            "primary": {"id": n["primary_cluster"], "arn": primary["DBClusterArn"], "region": PRIMARY_REGION},
            "secondary": {"id": n["secondary_cluster"], "arn": secondary["DBClusterArn"],
                          "region": SECONDARY_REGION}}


def create_app(endpoint_url: str, prefix: str = "hot", parts: str = "all",
               documentdb: bool = False, docdb_prefix: str = DOCDB_PREFIX) -> dict[str, Any]:
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
    return app


def create_topology(endpoint_url: str, prefix: str = "hot", count: int = 1,
                    parts: str = "all", documentdb: bool = False,
                    docdb_prefix: str = DOCDB_PREFIX) -> dict[str, Any]:
    """Creates `count` apps and returns {"endpoint_url": ..., "apps": [...]}.

    With documentdb=True every app also gets a DocumentDB global cluster under the
    key "documentdb" (names from docdb_names_for(): unishop-docdb-global, -east, -west
    for the first app, unishop2-docdb-... for the second, and so on)."""
    if count < 1:
        raise ValueError("count must be >= 1")
    return {"endpoint_url": endpoint_url,
            "apps": [create_app(endpoint_url, p, parts, documentdb, d)
                     for p, d in zip(app_prefixes(prefix, count), app_prefixes(docdb_prefix, count))]}


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
    parser.add_argument("--output", help="also write the JSON description to this file")
    args = parser.parse_args(argv)
    result = create_topology(args.endpoint, args.prefix, args.count, args.parts,
                             documentdb=args.documentdb, docdb_prefix=args.docdb_prefix)
    text = json.dumps(result, indent=2, sort_keys=True)
    if args.output:
        with open(args.output, "w") as fh:
            fh.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
