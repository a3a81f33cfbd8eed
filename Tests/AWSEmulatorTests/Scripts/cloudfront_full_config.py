#!/usr/bin/env python3
"""A CloudFront distribution whose DistributionConfig carries every optional section the emulator
(moto 5.2.1) round-trips, for the lossless-update test of CloudFrontClient.

    cloudfront_full_config.py ENDPOINT create          -> {"id", "etag"}
    cloudfront_full_config.py ENDPOINT read ID         -> {"config_without_member_order", "members"}

`read` is boto3's view of the configuration: the document with each origin group's members sorted
(so that two documents differing only in member order compare equal), and the members in order.

moto 5.2.1 drops S3OriginConfig on create (it is sent, as real configurations carry it, but never
comes back). Tried and left out because moto drops them too: Origin.OriginAccessControlId, Origin.VpcOriginConfig,
LambdaFunctionAssociations and FunctionAssociations items, DefaultCacheBehavior.GrpcConfig, and
ViewerCertificate.CertificateSource (rewritten to "cloudfront"). moto rejects a
DefaultCacheBehavior.TargetOriginId naming an origin group (a CacheBehavior may name one).
"""
import copy
import json
import sys
import time

import boto3

ENDPOINT, COMMAND = sys.argv[1], sys.argv[2]
cf = boto3.client("cloudfront", region_name="us-east-1", endpoint_url=ENDPOINT,
                  aws_access_key_id="testing", aws_secret_access_key="testing")

NO_ITEMS = {"Quantity": 0}


def behavior_parts(forward_cookies):
    return {
        "TrustedSigners": {"Enabled": True, "Quantity": 1, "Items": ["self"]},
        "TrustedKeyGroups": {"Enabled": True, "Quantity": 1, "Items": ["kg-unishop"]},
        "SmoothStreaming": False,
        "FieldLevelEncryptionId": "",
        "RealtimeLogConfigArn": "arn:aws:cloudfront::123456789012:realtime-log-config/unishop",
        "ResponseHeadersPolicyId": "67f7725c-6f97-4210-82d7-5512b31e9d03",
        "ForwardedValues": {
            "QueryString": True,
            "Cookies": forward_cookies,
            "Headers": {"Quantity": 2, "Items": ["Origin", "Accept-Language"]},
            "QueryStringCacheKeys": {"Quantity": 1, "Items": ["lang"]},
        },
    }


CONFIG = {
    "Aliases": {"Quantity": 2, "Items": ["www.unishop.example", "shop.unishop.example"]},
    "DefaultRootObject": "index.html",
    "Origins": {"Quantity": 3, "Items": [
        {"Id": "full-primary-origin", "DomainName": "full-primary.s3.us-east-1.amazonaws.com", "OriginPath": "/site",
         "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Unishop-Region", "HeaderValue": "us-east-1"}]},
         "S3OriginConfig": {"OriginAccessIdentity": ""},
         "ConnectionAttempts": 2, "ConnectionTimeout": 5,
         "OriginShield": {"Enabled": True, "OriginShieldRegion": "us-east-1"}},
        {"Id": "full-secondary-origin", "DomainName": "full-secondary.s3.us-west-1.amazonaws.com", "OriginPath": "/site",
         "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Unishop-Region", "HeaderValue": "us-west-1"}]},
         "S3OriginConfig": {"OriginAccessIdentity": ""},
         "ConnectionAttempts": 3, "ConnectionTimeout": 10,
         "OriginShield": {"Enabled": True, "OriginShieldRegion": "us-west-1"}},
        {"Id": "full-api-origin", "DomainName": "api.unishop.example", "OriginPath": "/v1",
         "CustomHeaders": {"Quantity": 2, "Items": [{"HeaderName": "X-Api-Key", "HeaderValue": "not-a-secret"},
                                                    {"HeaderName": "X-Client", "HeaderValue": "a&b <c> 'd' \u00fc"}]},
         "CustomOriginConfig": {"HTTPPort": 8080, "HTTPSPort": 8443, "OriginProtocolPolicy": "https-only",
                                "OriginSslProtocols": {"Quantity": 2, "Items": ["TLSv1.1", "TLSv1.2"]},
                                "OriginReadTimeout": 45, "OriginKeepaliveTimeout": 15},
         "ConnectionAttempts": 1, "ConnectionTimeout": 3,
         "OriginShield": {"Enabled": False}},
    ]},
    "OriginGroups": {"Quantity": 2, "Items": [
        {"Id": "full-standby-origin-group",
         "FailoverCriteria": {"StatusCodes": {"Quantity": 6, "Items": [500, 502, 503, 504, 403, 404]}},
         "Members": {"Quantity": 2, "Items": [{"OriginId": "full-primary-origin"}, {"OriginId": "full-secondary-origin"}]},
         "SelectionCriteria": "default"},
        {"Id": "full-reverse-origin-group",
         "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [503]}},
         "Members": {"Quantity": 2, "Items": [{"OriginId": "full-secondary-origin"}, {"OriginId": "full-primary-origin"}]},
         "SelectionCriteria": "default"},
    ]},
    # Real CloudFront would target the origin group here; moto only accepts an origin id.
    "DefaultCacheBehavior": {
        "TargetOriginId": "full-primary-origin",
        "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": {"Quantity": 3, "Items": ["HEAD", "GET", "OPTIONS"],
                           "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}},
        "Compress": True,
        "LambdaFunctionAssociations": NO_ITEMS,
        "FunctionAssociations": NO_ITEMS,
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        "OriginRequestPolicyId": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        **behavior_parts({"Forward": "whitelist", "WhitelistedNames": {"Quantity": 1, "Items": ["session"]}}),
        "MinTTL": 0, "DefaultTTL": 86400, "MaxTTL": 31536000,
    },
    "CacheBehaviors": {"Quantity": 2, "Items": [
        {"PathPattern": "/api/*", "TargetOriginId": "full-api-origin",
         "ViewerProtocolPolicy": "https-only",
         "AllowedMethods": {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                            "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}},
         "Compress": False,
         "LambdaFunctionAssociations": NO_ITEMS,
         "FunctionAssociations": NO_ITEMS,
         "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
         "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3",
         **behavior_parts({"Forward": "all"}),
         "MinTTL": 0, "DefaultTTL": 0, "MaxTTL": 0},
        # A cache behavior may target the origin group.
        {"PathPattern": "/static/*", "TargetOriginId": "full-standby-origin-group",
         "ViewerProtocolPolicy": "allow-all",
         "AllowedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"],
                            "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}},
         "Compress": True,
         "LambdaFunctionAssociations": NO_ITEMS,
         "FunctionAssociations": NO_ITEMS,
         "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
         "OriginRequestPolicyId": "",
         **behavior_parts({"Forward": "none"}),
         "MinTTL": 60, "DefaultTTL": 3600, "MaxTTL": 86400},
    ]},
    "CustomErrorResponses": {"Quantity": 2, "Items": [
        {"ErrorCode": 404, "ResponsePagePath": "/index.html", "ResponseCode": "200", "ErrorCachingMinTTL": 10},
        {"ErrorCode": 503, "ResponsePagePath": "/maintenance.html", "ResponseCode": "503", "ErrorCachingMinTTL": 0},
    ]},
    # Text that must be escaped in XML, and non-ASCII text, survive the round trip too.
    "Comment": "Unishop & friends: <every> optional \"section\" the emulator keeps, caf\u00e9 \u2713",
    "Logging": {"Enabled": True, "IncludeCookies": True, "Bucket": "unishop-logs.s3.amazonaws.com", "Prefix": "cloudfront/"},
    "PriceClass": "PriceClass_200",
    "Enabled": True,
    "ViewerCertificate": {"CloudFrontDefaultCertificate": False,
                          "ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d",
                          "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
    "Restrictions": {"GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 3, "Items": ["US", "CA", "MX"]}},
    "WebACLId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/unishop/0a1b2c3d",
    "HttpVersion": "http2and3",
    "IsIPV6Enabled": True,
    "ContinuousDeploymentPolicyId": "",
    "Staging": False,
    "AnycastIpListId": "aip_unishop",
}


def read(distribution_id):
    config = cf.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    members = {}
    normalized = copy.deepcopy(config)
    for group in normalized.get("OriginGroups", {}).get("Items", []):
        items = group["Members"]["Items"]
        members[group["Id"]] = [m["OriginId"] for m in items]
        items.sort(key=lambda m: m["OriginId"])
    return {"config_without_member_order": normalized, "members": members}


if COMMAND == "create":
    config = dict(CONFIG, CallerReference=f"switchyard-full-{time.time_ns()}")
    answer = cf.create_distribution(DistributionConfig=config)
    print(json.dumps({"id": answer["Distribution"]["Id"], "etag": answer["ETag"]}))
elif COMMAND == "read":
    print(json.dumps(read(sys.argv[3]), default=str, sort_keys=True))
else:
    sys.exit(f"unknown command {COMMAND}")
