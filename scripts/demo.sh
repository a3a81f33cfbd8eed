#!/usr/bin/env bash
# Quick start 1: install what is needed, build, and run Switchyard on the bundled desired-state/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "==> building switchyard" >&2
swift build -c release --product switchyard 2>&1 | grep -E "error|warning|Compiling switchyard|Build complete" >&2 || true
bin="$(swift build -c release --show-bin-path)/switchyard"

echo
echo "==> switchyard validate: every desired-state file, read from the commit (not the work tree)"
"$bin" validate --repo . --path desired-state
echo
echo "==> switchyard history: every change of activeRegion, with who and why"
"$bin" history --repo . --path desired-state
