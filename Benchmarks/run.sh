#!/usr/bin/env bash
# Switchyard's benchmarks: one script, figures for docs/PERFORMANCE.md.
#   bash Benchmarks/run.sh            # all benchmarks
#   bash Benchmarks/run.sh git        # history and validate only
#   bash Benchmarks/run.sh aws        # plan and apply against the emulator only (about 10 minutes)
#   bash Benchmarks/run.sh rto        # the user-visible RTO at the emulated edge, vs an aws CLI script and the floor
#   bash Benchmarks/run.sh readiness  # one readiness evaluation of 100 apps, vs plan
#   bash Benchmarks/run.sh service    # the idle daemon with 100 apps; webhook latency with 100 and 500 apps
# Builds a release binary, makes the fixture repositories with git fast-import, and times each
# command with hyperfine (warm cache, several runs). Nothing here is a test: it only reports.
# The AWS sections start the emulator and the fault proxy themselves and stop them on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
sections="${1:-all}"
bash scripts/bootstrap.sh
command -v hyperfine >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null; }

# By default the binary is built as docs/OPERATIONS.md installs it, with the Swift runtime and Foundation linked in;
# SWIFT_BUILD_FLAGS=" " builds against the toolchain's shared libraries instead (the comparison in docs/PERFORMANCE.md).
build_flags=(${SWIFT_BUILD_FLAGS:---static-swift-stdlib})
swift build -c release "${build_flags[@]}" --product switchyard >/dev/null
bin="$(swift build -c release "${build_flags[@]}" --show-bin-path)/switchyard"
work="${BENCH_DIR:-/tmp/switchyard-bench}"
out="$work/results"
mkdir -p "$out"
echo "## machine: $(nproc) cores, $(uname -m), $(swift --version 2>&1 | head -1)"

if [ "$sections" = all ] || [ "$sections" = git ]; then
python3 Benchmarks/make_repos.py "$work"
echo "## history over 10,000 commits (1,000 of them flip activeRegion)"
hyperfine -N --warmup 2 --runs 10 --export-markdown "$out/history.md" \
  "$bin history --repo $work/history-10k" \
  "$bin history --repo $work/history-10k --format json" \
  "git -C $work/history-10k log --format=%h -- desired-state"
echo "## validate 500 application files"
hyperfine -N --warmup 2 --runs 10 --export-markdown "$out/validate.md" \
  "$bin validate --repo $work/apps-500"
fi

if [ "$sections" = all ] || [ "$sections" = aws ]; then
# The emulator (promotions take 5 s, as failover_seconds) behind the fault proxy; both stopped on exit.
aws_dir="$work/aws"
rm -rf "$aws_dir"
mkdir -p "$aws_dir"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
start() { # name, then the command; waits for its port file, prints the port
  local name="$1"; shift
  "$@" --port 0 --port-file "$aws_dir/$name.port" --log-file "$aws_dir/$name.log" >/dev/null &
  pids+=("$!")
  for _ in $(seq 600); do [ -s "$aws_dir/$name.port" ] && break; sleep 0.1; done
  [ -s "$aws_dir/$name.port" ] || { echo "$name did not start; see $aws_dir/$name.log" >&2; exit 1; }
}
start emulator python3 emulator/switchyard_emulator.py --failover-seconds 5
emulator="http://127.0.0.1:$(cat "$aws_dir/emulator.port")"
start proxy python3 emulator/fault_proxy.py --upstream "$emulator"
proxy="http://127.0.0.1:$(cat "$aws_dir/proxy.port")"
latency() { # ms; 0 clears every rule
  curl -sf -X POST "$proxy/_fault/clear" >/dev/null
  [ "$1" -eq 0 ] || curl -sf -X POST "$proxy/_fault/latency" -d "{\"latency_ms\": $1}" >/dev/null
}
# Both Switchyard and the aws CLI read these: every call goes through the proxy, dummy credentials, no IMDS.
export AWS_ENDPOINT_URL="$proxy" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=3
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE || true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

echo "## plan for Unishop with 100 ms injected on every AWS call, vs the same 4 reads with the aws CLI ($(aws --version 2>&1))"
python3 emulator/topology.py --endpoint "$emulator" --output "$aws_dir/unishop.json" >/dev/null
python3 Benchmarks/topology_repo.py repo "$aws_dir/unishop.json" "$aws_dir/unishop"
python3 Benchmarks/topology_repo.py cli "$aws_dir/unishop.json" > "$aws_dir/cli-unishop.sh"
latency 0
hyperfine -N --warmup 2 --runs 10 --export-json "$out/plan-unishop-0ms.json" --export-markdown "$out/plan-unishop-0ms.md" \
  --command-name "switchyard plan, no latency" "$bin plan --repo $aws_dir/unishop"
latency 100
hyperfine -N --warmup 2 --runs 10 --export-json "$out/plan-unishop.json" --export-markdown "$out/plan-unishop.md" \
  --command-name "switchyard plan (4 reads, concurrent)" "$bin plan --repo $aws_dir/unishop" \
  --command-name "aws CLI, the same 4 reads in sequence" "bash $aws_dir/cli-unishop.sh"

echo "## plan for 500 apps (2,000 reads) with 100 ms per call, vs the aws CLI on a sample of 10 apps"
latency 0
SECONDS=0
python3 emulator/topology.py --endpoint "$emulator" --prefix bench --count 500 --output "$aws_dir/bench.json" >/dev/null
echo "topology of 500 apps created in ${SECONDS}s" | tee "$out/topology-500.txt"
python3 Benchmarks/topology_repo.py repo "$aws_dir/bench.json" "$aws_dir/bench-500"
python3 Benchmarks/topology_repo.py cli "$aws_dir/bench.json" 10 > "$aws_dir/cli-bench-10.sh"
# Without latency the figure is the emulator's own throughput (one Python process answering 2,000 reads).
hyperfine -N --warmup 1 --runs 5 --export-json "$out/plan-500-0ms.json" --export-markdown "$out/plan-500-0ms.md" \
  --command-name "switchyard plan, 500 apps, no latency" "$bin plan --repo $aws_dir/bench-500"
latency 100
hyperfine -N --warmup 1 --runs 5 --export-json "$out/plan-500.json" --export-markdown "$out/plan-500.md" \
  --command-name "switchyard plan, 500 apps" "$bin plan --repo $aws_dir/bench-500" \
  --command-name "aws CLI, 10 of the apps (40 reads)" "bash $aws_dir/cli-bench-10.sh"
latency 0

echo "## Switchyard's own time within a failover (Aurora switchover takes 5 s in the emulator; no latency injected)"
# Three flips of Unishop (app `hot`, as the topology names it) (us-west-1, back, again), each applied with a 250 ms poll interval.
: > "$out/failover.tsv"
for region in us-west-1 us-east-1 us-west-1; do
  "$bin" flip hot "$region" --repo "$aws_dir/unishop" --author "Bench <bench@example.com>" >/dev/null
  TIMEFORMAT="%R %U %S"
  { time "$bin" apply --repo "$aws_dir/unishop" --poll-interval 250ms 2>"$aws_dir/apply-$region.log" >/dev/null; } 2>"$aws_dir/time"
  echo "$region $(cat "$aws_dir/time")" >> "$out/failover.tsv"
done
"$bin" plan --repo "$aws_dir/unishop" >/dev/null  # converged: exits 0 or the script stops here
curl -sf "$emulator/_switchyard/calls?service=rds&mutating=true" | python3 -c \
  'import json,sys; print("promotions the emulator saw:", json.load(sys.stdin)["counts"])'
python3 - "$out" <<'EOF'
import json, os, sys
out = sys.argv[1]
def means(name):
    return [(r["command"], r["mean"], r["stddev"] or 0) for r in json.load(open(os.path.join(out, name)))["results"]]
lines = ["| benchmark | figure |", "|---|---|"]
(_, zero, zsd), = means("plan-unishop-0ms.json")
(_, plan, psd), (_, cli, csd) = means("plan-unishop.json")
lines += [f"| Unishop plan, no latency | {zero*1000:.0f} ms ± {zsd*1000:.0f} |",
          f"| Unishop plan, 100 ms per call | {plan*1000:.0f} ms ± {psd*1000:.0f} |",
          f"| aws CLI, same 4 reads, 100 ms per call | {cli*1000:.0f} ms ± {csd*1000:.0f} |",
          f"| ratio aws CLI / plan | {cli/plan:.1f}x |",
          f"| plan: added by the 100 ms latency | {(plan-zero)*1000:.0f} ms (4 calls; sequential would add 400 ms) |"]
(_, p500, p500sd), (_, cli10, cli10sd) = means("plan-500.json")
(_, p500z, p500zsd), = means("plan-500-0ms.json")
lines += [f"| plan, 500 apps, no latency (emulator-bound) | {p500z:.2f} s ± {p500zsd:.2f} |",
          f"| plan, 500 apps, 100 ms per call | {p500:.2f} s ± {p500sd:.2f} |",
          f"| aws CLI, 10 apps (40 reads) | {cli10:.2f} s ± {cli10sd:.2f} |",
          f"| aws CLI extrapolated to 500 apps (x50) | {cli10*50:.0f} s |",
          f"| ratio aws CLI (extrapolated) / plan | {cli10*50/p500:.0f}x |"]
for row in open(os.path.join(out, "failover.tsv")):
    region, wall, user, sys_ = row.split()
    wall, cpu = float(wall), float(user) + float(sys_)
    lines.append(f"| apply, flip to {region}: wall {wall:.2f} s, of which 5 s Aurora switchover | "
                 f"not waiting on AWS {wall-5:.2f} s ({(wall-5)/wall:.0%}), Switchyard CPU {cpu:.2f} s ({cpu/wall:.1%}) |")
open(os.path.join(out, "aws-summary.md"), "w").write("\n".join(lines) + "\n")
EOF
fi
if [ "$sections" = all ] || [ "$sections" = rto ]; then
echo "## user-visible RTO of a Unishop failover at the emulated edge (AWS timings scaled by 1/10)"
python3 Benchmarks/rto_bench.py "$bin" "$work" --scale 10 | tee "$out/rto.md"
fi

if [ "$sections" = all ] || [ "$sections" = readiness ]; then
echo "## one readiness evaluation of 100 apps"
python3 Benchmarks/readiness_bench.py "$bin" "$work" --apps 100 --runs 3 | tee "$out/readiness.md"
fi

if [ "$sections" = all ] || [ "$sections" = service ]; then
echo "## switchyard run: idle cost with 100 apps, webhook latency, unchanged polls"
python3 Benchmarks/service_bench.py "$bin" "$work" --apps 100 --idle-seconds 120 --webhooks 5 --quiet | tee "$out/service.txt"
echo "## switchyard run: webhook latency with 500 apps (idle daemon, then right after the last commit converged)"
python3 Benchmarks/service_bench.py "$bin" "$work" --apps 500 --idle-seconds 5 --webhooks 5 --quiet | tee "$out/service500.txt"
python3 Benchmarks/service_bench.py "$bin" "$work" --apps 500 --idle-seconds 5 --webhooks 5 | tee -a "$out/service500.txt"
fi
ls "$out"/*.md >/dev/null 2>&1 && cat "$out"/*.md
