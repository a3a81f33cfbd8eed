#!/usr/bin/env python3
"""Rewrites the seeds of FuzzWebhookPayload: GitHub push and ping deliveries (the fields GitHub sends, trimmed
of the long URL lists), each as `X-Hub-Signature-256` line, `X-GitHub-Event` line, body, signed with the
secret the target uses. Deterministic: running it again gives the same files."""
import hashlib
import hmac
import json
import os

SECRET = b"fuzz-webhook-secret"  # must equal `webhook` in Sources/FuzzWebhookPayload/FuzzWebhookPayload.swift
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus", "FuzzWebhookPayload")

repo = {"id": 812345678, "node_id": "R_kgDOMGx1Tg", "name": "switchyard-state", "full_name": "unishop/switchyard-state",
        "private": True, "owner": {"name": "unishop", "email": None, "login": "unishop", "id": 1234567,
                                    "type": "Organization", "site_admin": False},
        "html_url": "https://github.com/unishop/switchyard-state", "fork": False,
        "url": "https://github.com/unishop/switchyard-state", "created_at": 1717000000,
        "updated_at": "2025-05-01T10:00:00Z", "pushed_at": 1746094000, "default_branch": "main", "master_branch": "main"}
user = {"name": "Alice Example", "email": "alice@example.com", "username": "alice"}
commit = {"id": "9b2f4c1e0d7a3b6c5e8f1a2d4c6b8e0f1a3c5e7d", "tree_id": "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
          "distinct": True, "message": "Fail over unishop to us-west-2\n\nSwitchyard-Override: none",
          "timestamp": "2025-05-01T10:06:40+00:00",
          "url": "https://github.com/unishop/switchyard-state/commit/9b2f4c1e0d7a3b6c5e8f1a2d4c6b8e0f1a3c5e7d",
          "author": user, "committer": user, "added": [], "removed": [], "modified": ["desired-state/unishop.yaml"]}
push = {"ref": "refs/heads/main", "before": "1c0e5a7b3d9f2e4a6c8b0d1f3e5a7c9b2d4f6e8a", "after": commit["id"],
        "repository": repo, "pusher": {"name": "alice", "email": "alice@example.com"},
        "sender": {"login": "alice", "id": 7654321, "type": "User", "site_admin": False},
        "created": False, "deleted": False, "forced": False, "base_ref": None,
        "compare": "https://github.com/unishop/switchyard-state/compare/1c0e5a7b3d9f...9b2f4c1e0d7a",
        "commits": [commit], "head_commit": commit}
ping = {"zen": "Keep it logically awesome.", "hook_id": 456789012,
        "hook": {"type": "Repository", "id": 456789012, "name": "web", "active": True, "events": ["push"],
                 "config": {"content_type": "json", "insecure_ssl": "0", "url": "https://switchyard.example.com/hooks/github"},
                 "updated_at": "2025-05-01T09:00:00Z", "created_at": "2025-05-01T09:00:00Z",
                 "ping_url": "https://api.github.com/repos/unishop/switchyard-state/hooks/456789012/pings"},
        "repository": repo, "sender": {"login": "alice", "id": 7654321, "type": "User", "site_admin": False}}
deleted = dict(push, deleted=True, after="0" * 40, commits=[], head_commit=None, ref="refs/heads/feature/x")

os.makedirs(OUT, exist_ok=True)
for name, event, doc in [("push", "push", push), ("ping", "ping", ping),
                         ("push-no-event-header", "", push), ("branch-deleted", "push", deleted)]:
    body = json.dumps(doc, indent=2 if name == "push" else None).encode()
    signature = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(signature.encode() + b"\n" + event.encode() + b"\n" + body)
