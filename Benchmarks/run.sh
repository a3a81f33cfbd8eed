#!/usr/bin/env bash
# Switchyard's benchmarks: one script, figures for docs/PERFORMANCE.md.
#   bash Benchmarks/run.sh            # all benchmarks
# Builds a release binary, makes the fixture repositories with git fast-import, and times each
# command with hyperfine (warm cache, several runs). Nothing here is a test: it only reports.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
command -v hyperfine >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null; }

swift build -c release --product switchyard >/dev/null
bin="$(swift build -c release --show-bin-path)/switchyard"
work="${BENCH_DIR:-/tmp/switchyard-bench}"
python3 Benchmarks/make_repos.py "$work"
out="$work/results"
mkdir -p "$out"

echo "## machine: $(nproc) cores, $(uname -m), $(swift --version 2>&1 | head -1)"
echo "## history over 10,000 commits (1,000 of them flip activeRegion)"
hyperfine -N --warmup 2 --runs 10 --export-markdown "$out/history.md" \
  "$bin history --repo $work/history-10k" \
  "$bin history --repo $work/history-10k --format json" \
  "git -C $work/history-10k log --format=%h -- desired-state"
echo "## validate 500 application files"
hyperfine -N --warmup 2 --runs 10 --export-markdown "$out/validate.md" \
  "$bin validate --repo $work/apps-500"
cat "$out"/*.md
echo "## switchyard run: idle cost with 100 apps, webhook latency, unchanged polls"
python3 Benchmarks/service_bench.py "$bin" "$work" --apps 100 --idle-seconds 60 --webhooks 5 | tee "$out/service.txt"
