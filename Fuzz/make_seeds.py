#!/usr/bin/env python3
"""Writes the seed corpora of the AWS fuzz targets from real answers of the emulator.

    python3 Fuzz/make_seeds.py     # starts the emulator, builds the Unishop topology, records bodies

Each body the emulator sends (success and error) becomes a file under Fuzz/Corpus/<target>/.
The desired-state seeds are hand-written files in Fuzz/Corpus/FuzzDesiredState/, not made here.
"""
from __future__ import annotations

import os
import subprocess
import sys

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "emulator"))
from topology import create_topology  # noqa: E402


def main() -> int:
    emulator = subprocess.Popen([sys.executable, os.path.join(ROOT, "emulator", "switchyard_emulator.py"), "--port", "0"],
                                stdout=subprocess.PIPE, text=True)
    try:
        port = emulator.stdout.readline().split()[1]
        url = f"http://127.0.0.1:{port}"
        topo = create_topology(url)["apps"][0]
        bodies: list[tuple[str, str, bytes]] = []

        def client(service: str, region: str):
            c = boto3.client(service, region_name=region, endpoint_url=url, aws_access_key_id="testing",
                             aws_secret_access_key="testing",
                             config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
            c.meta.events.register("after-call", lambda http_response, model, **_: bodies.append(
                (service, model.name, http_response.content)))
            return c

        def call(fn, **kwargs):
            try:
                fn(**kwargs)
            except Exception:  # the error bodies are seeds too
                pass

        s3w, s3e = client("s3", "us-west-1"), client("s3", "us-east-1")
        bucket = topo["buckets"]["secondary"]["name"]
        call(s3w.get_public_access_block, Bucket=bucket)  # NoSuchPublicAccessBlockConfiguration
        s3w.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False})
        call(s3w.get_public_access_block, Bucket=bucket)
        call(s3w.get_bucket_website, Bucket=bucket)
        call(s3e.get_public_access_block, Bucket="no-such-bucket-anywhere")
        cf = client("cloudfront", "us-east-1")
        dist = topo["distribution"]["id"]
        call(cf.get_distribution, Id=dist)
        call(cf.get_distribution_config, Id=dist)
        call(cf.get_distribution, Id="ENOSUCHDIST")
        rds_e, rds_w = client("rds", "us-east-1"), client("rds", "us-west-1")
        gid = topo["aurora"]["global_cluster_id"]
        secondary = topo["aurora"]["secondary"]["arn"]
        call(rds_e.describe_global_clusters, GlobalClusterIdentifier=gid)
        call(rds_w.describe_db_clusters, DBClusterIdentifier=secondary)
        call(rds_w.switchover_global_cluster, GlobalClusterIdentifier=gid, TargetDbClusterIdentifier=secondary)
        call(rds_w.describe_global_clusters, GlobalClusterIdentifier=gid)  # switching-over, FailoverState
        call(rds_w.switchover_global_cluster, GlobalClusterIdentifier=gid, TargetDbClusterIdentifier=secondary)
        call(rds_e.describe_global_clusters, GlobalClusterIdentifier="no-such-global")
        call(rds_w.describe_db_clusters, DBClusterIdentifier="no-such-cluster")
    finally:
        emulator.terminate()
        emulator.wait()

    targets = {"s3": "FuzzS3Responses", "cloudfront": "FuzzCloudFrontResponses", "rds": "FuzzRDSResponses"}
    for n, (service, operation, body) in enumerate(bodies):
        is_error = b"<Error" in body[:400]
        for target in (["FuzzAWSErrorDecoder"] if is_error else [targets[service]]) + ["FuzzAWSXML"]:
            folder = os.path.join(HERE, "Corpus", target)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{service}-{operation}-{n:02d}.xml"), "wb") as f:
                f.write(body)
    print(f"wrote {len(bodies)} bodies", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
