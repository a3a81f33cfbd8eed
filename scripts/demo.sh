#!/usr/bin/env bash
# Quick start 1: install what is needed, build, and run the whole Switchyard story on the local emulator:
# the Unishop topology of the AWS "Hot Standby" lab, the bundled desired-state/, a failover commit, and
# the failover converging. Nothing here touches real AWS: every call goes to the emulator on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
bash scripts/bootstrap.sh
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
wrap() { fold -s -w 100 | sed 's/^/    /'; }

say "Building switchyard (release, Swift runtime linked in, as docs/OPERATIONS.md installs it)"
swift build -c release --static-swift-stdlib --product switchyard 2>&1 | grep -E "error|warning:|Compiling|Build complete" | tail -3 || true
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/switchyard"

work="$(mktemp -d /tmp/switchyard-demo.XXXXXX)"
emulator_pid=""
cleanup() { [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

say "Starting the AWS emulator (moto + Switchyard's Aurora Global Database extension) on 127.0.0.1"
python3 emulator/switchyard_emulator.py --port 0 --port-file "$work/port" --failover-seconds 5 --log-file "$work/emulator.log" > "$work/ready" &
emulator_pid=$!
for _ in $(seq 1 100); do [ -s "$work/ready" ] && break; sleep 0.2; done
endpoint="http://127.0.0.1:$(cat "$work/port")"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_ENDPOINT_URL="$endpoint" AWS_EC2_METADATA_DISABLED=true
# The journal and lock of this demo live with it, not in the host's /var/lib/switchyard.
export STATE_DIRECTORY="$work/state"
echo "    emulator at $endpoint"

say "Creating the Unishop topology: a website bucket per region, one CloudFront distribution whose origin group fails over from us-east-1 to us-west-1, an Aurora global database writing in us-east-1"
python3 emulator/topology.py --endpoint "$endpoint" > "$work/topology.json"
distribution=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['apps'][0]['distribution']['id'])" "$work/topology.json")
echo "    CloudFront distribution: $distribution"
edge="$endpoint/_edge/$distribution/"
served() { # what a user sees now: the region whose bucket answered, through the emulated CloudFront edge
  curl -s -o /dev/null -D - "$edge" | tr -d '\r' \
    | awk -F': ' 'tolower($1)=="x-switchyard-region"{r=$2} /^HTTP/{split($0, h, " "); s=h[2]} END{print (r ? "served from " r : "not served") " (HTTP " s ")"}'
}
echo "    a user asking the edge now: $(served)"

say "A Git repository holding the bundled desired-state/ (the emulator named the distribution $distribution; a real repository holds its real id)"
repo="$work/unishop-gitops"
mkdir -p "$repo/desired-state"
sed "s/E1EXAMPLE/$distribution/" desired-state/unishop.yaml > "$repo/desired-state/unishop.yaml"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name="Demo Operator" -c user.email=operator@example.com add -A
git -C "$repo" -c user.name="Demo Operator" -c user.email=operator@example.com commit -q -m "Describe Unishop: active in us-east-1"
cd "$repo"
export GIT_AUTHOR_NAME="Demo Operator" GIT_AUTHOR_EMAIL=operator@example.com GIT_COMMITTER_NAME="Demo Operator" GIT_COMMITTER_EMAIL=operator@example.com

say "switchyard validate: every desired-state file, read from the commit through libgit2"
"$bin" validate

say "switchyard plan: live state already matches the file (exit code 0 = in sync)"
"$bin" plan

say "switchyard apply: the host converges the starting state once, as a running host has; its journal now knows Unishop was applied in us-east-1 (a host that knows nothing holds any difference as a failover made by hand)"
"$bin" apply

# From here on, a CloudFront change takes 10 s to reach the edge, as it takes minutes in AWS.
curl -sf -X POST "$endpoint/_switchyard/config" -d '{"cloudfront_seconds": 10}' >/dev/null

say "It is the worst night of the year: us-east-1 is in trouble. The failover is a one-line commit:"
"$bin" flip unishop us-west-1 --author "On-call Engineer <oncall@example.com>"
git --no-pager show --format='    commit %h by %an: %s' --unified=0 HEAD -- desired-state | sed 's/^/    /'

say "switchyard plan --format markdown: what the pull request's reviewers see (exit code 2 = changes pending)"
"$bin" plan --format markdown || true

say "switchyard apply: promote Aurora in us-west-1 (calls go to us-west-1 only), wait for it, then point CloudFront at us-west-1; its deployment takes 10 s here (minutes in AWS): meanwhile the us-east-1 bucket is blocked, so CloudFront's origin group serves users from us-west-1 per request. A user asks the edge every 100 ms"
python3 "$root/emulator/edge_probe.py" "$edge" --interval 0.1 --duration 120 --region us-west-1 --consecutive 10 --summary-only > "$work/probe.json" &
probe_pid=$!
sleep 1
echo "    before the commit is applied, a user sees: $(served)"
committed=$(date +%s.%N)
"$bin" apply --poll-interval 1s &
apply_pid=$!
sleep 3
echo "    during the failover (Aurora switching over), a user sees: $(served)"
wait "$apply_pid"
wait "$probe_pid" || true
echo "    after the failover, a user sees: $(served)"
python3 - "$work/probe.json" "$committed" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().strip().splitlines()
first = json.loads(lines[-1]).get("first_region_t") if lines else None
if not first:
    print("    (the edge probe saw no answer from us-west-1; its output is in " + sys.argv[1] + ")")
else:
    print(f"    measured: {first - float(sys.argv[2]):.1f} s from applying the commit to the first answer served from us-west-1 "
          "(the Aurora switchover alone takes 5 s here, the CloudFront deployment 10 s)")
EOF

say "switchyard status: the verdict per application"
"$bin" status

say "An independent check with the aws CLI against the emulator"
echo "    Aurora writer: $(aws rds describe-global-clusters --region us-west-1 --global-cluster-identifier hot-global \
  --query 'GlobalClusters[0].GlobalClusterMembers[?IsWriter].DBClusterArn' --output text)"
echo "    origin group order: $(aws cloudfront get-distribution --region us-east-1 --id "$distribution" \
  --query 'Distribution.DistributionConfig.OriginGroups.Items[0].Members.Items[].OriginId' --output text)"

say "switchyard plan again: nothing left to do (exit code 0)"
"$bin" plan

say "switchyard history: the audit trail of activeRegion, from Git"
"$bin" history

say "Done: a reviewed one-line commit became a converged failover. The demo repository stays in $repo (the emulator stops now)."
