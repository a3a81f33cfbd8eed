#!/usr/bin/env python3
"""Signs a set of real Switchyard requests with the installed botocore at a pinned time and
writes Tests/AWSTests/Fixtures/botocore-sigv4.json, which the Swift signer must reproduce.

Each case describes the AWSOperation Switchyard would send (service, region, method, path,
query, headers, body, bucket, endpoint override) and the wire request it becomes (URL and
headers as AWSClient builds them); botocore's SigV4Auth / S3SigV4Auth signs that wire request.

    python3 scripts/botocore-sigv4-vectors.py   # from the package root
"""
import datetime
import json
import pathlib
from unittest import mock
from urllib.parse import quote

import botocore
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

PINNED = datetime.datetime(2026, 3, 14, 15, 9, 26)
USER_AGENT = "switchyard/0.1.0"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
LONG_TERM = {"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
SESSION = {
    "access_key_id": "ASIAIOSFODNN7EXAMPLE",
    "secret_access_key": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "session_token": "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+token/with+slash=",
}
PAB_XML = (
    '<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    "<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"
    "<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>"
    "</PublicAccessBlockConfiguration>"
)
DIST_XML = (
    '<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
    "<CallerReference>switchyard</CallerReference><Comment>failover to eu-west-1</Comment>"
    "<Enabled>true</Enabled></DistributionConfig>"
)


def strict(s):
    """SigV4 / Switchyard strict encoding: only RFC 3986 unreserved characters stay."""
    return quote(s, safe="-_.~")


def form(params):
    return "&".join(f"{strict(k)}={strict(v)}" for k, v in params)


def endpoint(service, region, env):
    override = env.get(f"AWS_ENDPOINT_URL_{service.upper()}") or env.get("AWS_ENDPOINT_URL")
    if override:
        return override.rstrip("/"), True
    host = {
        "s3": f"s3.{region}.amazonaws.com",
        "cloudfront": "cloudfront.amazonaws.com",
        "rds": f"rds.{region}.amazonaws.com",
        "sts": f"sts.{region}.amazonaws.com",
        "cloudwatch": f"monitoring.{region}.amazonaws.com",
    }[service]
    return f"https://{host}", False


def wire_request(op):
    """The URL and headers AWSClient.buildRequest produces for the operation (before signing)."""
    base, overridden = endpoint(op["service"], op["region"], op["environment"])
    path = op["path"]
    if op.get("bucket"):
        if overridden or "." in op["bucket"]:
            path = "/" + strict(op["bucket"]) + ("" if path == "/" else path)
        else:
            scheme, host = base.split("://", 1)
            base = f"{scheme}://{op['bucket']}.{host}"
    url = base + path
    if op["query"]:
        url += "?" + form(op["query"])
    headers = [["User-Agent", USER_AGENT]] + [list(h) for h in op["headers"]]
    if op["body"] and op["service"] not in ("s3", "cloudfront") and not any(h[0].lower() == "content-type" for h in headers):
        headers.append(["Content-Type", FORM])
    return url, headers


def sign(op, creds):
    url, headers = wire_request(op)
    request = AWSRequest(method=op["method"], url=url, headers=dict(headers), data=op["body"].encode())
    # Switchyard always hashes S3 payloads; tell botocore to do the same even when Content-MD5 is present.
    request.context["client_config"] = Config(s3={"payload_signing_enabled": True})
    credentials = Credentials(creds["access_key_id"], creds["secret_access_key"], creds.get("session_token"))
    signing_region = "us-east-1" if op["service"] == "cloudfront" else op["region"]
    signing_name = "monitoring" if op["service"] == "cloudwatch" else op["service"]
    auth_class = S3SigV4Auth if op["service"] == "s3" else SigV4Auth
    auth = auth_class(credentials, signing_name, signing_region)
    captured = {}
    original = auth.canonical_request

    def capture(req):
        captured["canonical"] = original(req)
        return captured["canonical"]

    auth.canonical_request = capture  # record the canonical request botocore actually signed
    with mock.patch("botocore.auth.get_current_datetime", return_value=PINNED):
        auth.add_auth(request)
    canonical = captured["canonical"]
    signed = {k.lower(): v for k, v in request.headers.items()}
    return {
        "url": url,
        "headers": headers,
        "authorization": signed["authorization"],
        "x_amz_date": signed["x-amz-date"],
        "x_amz_content_sha256": signed.get("x-amz-content-sha256"),
        "x_amz_security_token": signed.get("x-amz-security-token"),
        "canonical_request": canonical,
    }


def presign(op, creds, expires):
    """botocore's S3 presigned URL for the operation (query signing, UNSIGNED-PAYLOAD)."""
    url, headers = wire_request(op)
    request = AWSRequest(method=op["method"], url=url, headers=dict(headers))
    credentials = Credentials(creds["access_key_id"], creds["secret_access_key"], creds.get("session_token"))
    auth = S3SigV4QueryAuth(credentials, op["service"], op["region"], expires=expires)
    with mock.patch("botocore.auth.get_current_datetime", return_value=PINNED):
        auth.add_auth(request)
    return {"unsigned_url": url, "presigned_url": request.url}


def op(name, service, region, operation, method="GET", path="/", query=(), headers=(), body="", bucket=None,
       environment=None, idempotent=True):
    return {
        "name": name, "service": service, "region": region, "operation": operation, "method": method,
        "path": path, "query": [list(q) for q in query], "headers": [list(h) for h in headers], "body": body,
        "bucket": bucket, "environment": environment or {}, "idempotent": idempotent,
    }


OPERATIONS = [
    op("s3-get-public-access-block-virtual-host", "s3", "eu-west-1", "GetPublicAccessBlock",
       query=[("publicAccessBlock", "")], bucket="switchyard-assets-eu"),
    op("s3-put-public-access-block-virtual-host", "s3", "eu-west-1", "PutPublicAccessBlock", method="PUT",
       query=[("publicAccessBlock", "")], headers=[("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")], body=PAB_XML,
       bucket="switchyard-assets-eu", idempotent=True),
    op("s3-get-public-access-block-path-style-dotted", "s3", "us-west-2", "GetPublicAccessBlock",
       query=[("publicAccessBlock", "")], bucket="assets.example.com"),
    op("s3-put-public-access-block-path-style-override", "s3", "us-east-1", "PutPublicAccessBlock", method="PUT",
       query=[("publicAccessBlock", "")], headers=[("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")], body=PAB_XML,
       bucket="switchyard-assets", environment={"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000"}),
    op("s3-get-object-key-needing-encoding", "s3", "eu-west-1", "GetObject",
       path="/reports/2026%20Q1%2Bfinal%20%28v2%29.json", bucket="switchyard-assets-eu"),
    op("cloudfront-get-distribution-config", "cloudfront", "eu-west-1", "GetDistributionConfig",
       path="/2020-05-31/distribution/E2QWRUHEXAMPLE/config"),
    op("cloudfront-update-distribution-if-match", "cloudfront", "eu-west-1", "UpdateDistribution", method="PUT",
       path="/2020-05-31/distribution/E2QWRUHEXAMPLE/config",
       headers=[("If-Match", "E2QWRUHAPOMQZL"), ("Content-Type", "application/xml")], body=DIST_XML, idempotent=False),
    op("rds-describe-global-clusters", "rds", "us-east-1", "DescribeGlobalClusters", method="POST",
       body=form([("Action", "DescribeGlobalClusters"), ("Version", "2014-10-31"), ("GlobalClusterIdentifier", "switchyard-global")])),
    op("rds-switchover-global-cluster", "rds", "eu-west-1", "SwitchoverGlobalCluster", method="POST",
       body=form([("Action", "SwitchoverGlobalCluster"), ("Version", "2014-10-31"),
                  ("GlobalClusterIdentifier", "switchyard-global"),
                  ("TargetDbClusterIdentifier", "arn:aws:rds:eu-west-1:123456789012:cluster:switchyard-eu")]),
       idempotent=False),
    op("sts-get-caller-identity", "sts", "eu-central-1", "GetCallerIdentity", method="POST",
       body=form([("Action", "GetCallerIdentity"), ("Version", "2011-06-15")])),
    op("sts-assume-role", "sts", "us-east-1", "AssumeRole", method="POST",
       body=form([("Action", "AssumeRole"), ("Version", "2011-06-15"),
                  ("RoleArn", "arn:aws:iam::123456789012:role/switchyard-failover"),
                  ("RoleSessionName", "switchyard-1773500966"), ("ExternalId", "ext/42+x")])),
    op("cloudwatch-get-metric-data-override", "cloudwatch", "eu-west-1", "GetMetricData", method="POST",
       body=form([("Action", "GetMetricData"), ("Version", "2010-08-01"), ("StartTime", "2026-03-14T15:00:00Z")]),
       environment={"AWS_ENDPOINT_URL": "http://localhost:4566/"}),
]

PRESIGNED = [
    op("s3-presigned-get-object-virtual-host", "s3", "eu-west-1", "GetObject",
       path="/reports/2026%20Q1%2Bfinal.json", bucket="switchyard-assets-eu"),
    op("s3-presigned-get-object-path-style-override", "s3", "us-east-1", "GetObject", path="/state/plan.json",
       query=[("versionId", "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")], bucket="switchyard-assets",
       environment={"AWS_ENDPOINT_URL": "http://127.0.0.1:9000"}),
]


def main():
    cases = []
    for operation in OPERATIONS:
        for label, creds in (("long-term", LONG_TERM), ("session-token", SESSION)):
            cases.append({**operation, "name": f"{operation['name']}/{label}", "credentials": creds,
                          "expected": sign(operation, creds)})
    presigned = []
    for operation in PRESIGNED:
        for label, creds in (("long-term", LONG_TERM), ("session-token", SESSION)):
            presigned.append({**operation, "name": f"{operation['name']}/{label}", "credentials": creds,
                              "expires": 900, "expected": presign(operation, creds, 900)})
    out = {
        "generator": "scripts/botocore-sigv4-vectors.py",
        "botocore_version": botocore.__version__,
        "timestamp": PINNED.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cases": cases,
        "presigned_cases": presigned,
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "Tests/AWSTests/Fixtures/botocore-sigv4.json"
    path.write_text(json.dumps(out, indent=2, sort_keys=False) + "\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
