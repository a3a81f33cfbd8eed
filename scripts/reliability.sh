#!/usr/bin/env bash
# Runs the reliability suite (crash matrix, faults under load, region/CloudFront outage, Git remote gone) and writes
# its results table into docs/RELIABILITY.md. Profile: long (default here: the whole matrix) or quick (what
# `swift test` runs). Usage: scripts/reliability.sh [long|quick]
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-long}"
results="$(mktemp -t switchyard-reliability-XXXXXX.jsonl)"
trap 'rm -f "$results"' EXIT
swift build --build-tests >&2
started=$(date +%s)
SWITCHYARD_PROFILE="$profile" SWITCHYARD_RELIABILITY_RESULTS="$results" \
  swift test --skip-build --filter ReliabilityTests
python3 scripts/render-reliability.py "$results" docs/RELIABILITY.md \
  --profile "$profile" --seconds $(( $(date +%s) - started )) \
  --command "scripts/reliability.sh $profile"
echo "docs/RELIABILITY.md updated from $(wc -l < "$results") cases" >&2
