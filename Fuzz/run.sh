#!/usr/bin/env bash
# Fuzzes every target of the table in Fuzz/Package.swift with libFuzzer + AddressSanitizer.
#   bash Fuzz/run.sh [seconds-per-target] [target...]     # default 60 s, every target
# Builds Fuzz/ (a separate package, scratch path .build-fuzz) with -sanitize=fuzzer,address, runs each
# target on its committed seeds (Fuzz/Corpus/<target>/) plus a working corpus kept in .build-fuzz, and
# stops at the first crash: the input is saved as .build-fuzz/crashes/<target>-crash-*; turn it into a
# regression test under Tests/<Module>Tests/Regressions/ before fixing the bug.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
scratch=.build-fuzz
build=(swift build --package-path Fuzz --scratch-path "$scratch" -c debug -Xswiftc -sanitize=fuzzer,address)

echo "==> building fuzz targets (-sanitize=fuzzer,address)" >&2
"${build[@]}" 2>&1 | grep -E "error|warning:|Build complete" >&2 || true
bin="$("${build[@]}" --show-bin-path)"
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(swift package --package-path Fuzz --scratch-path "$scratch" dump-package |
    python3 -c 'import json,sys; print("\n".join(t["name"] for t in json.load(sys.stdin)["targets"] if t["type"] == "executable"))')
fi

mkdir -p "$scratch/crashes" "$scratch/logs"
summary="$scratch/fuzz-summary.md"
{
  echo "| target | seconds | executions | exec/s | coverage (cov) | corpus | result |"
  echo "|---|---|---|---|---|---|---|"
} > "$summary"
status=0
for target in "${targets[@]}"; do
  [ -x "$bin/$target" ] || { echo "no fuzz target $target in $bin" >&2; exit 1; }
  work="$scratch/corpus/$target"
  mkdir -p "$work"
  dict=()
  [ -f "Fuzz/Dictionaries/$target.dict" ] && dict=("-dict=Fuzz/Dictionaries/$target.dict")
  log="$scratch/logs/$target.log"
  echo "==> $target for ${seconds}s" >&2
  rc=0
  # The working corpus comes first: libFuzzer writes the inputs it finds there, never into the seeds.
  "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$scratch/crashes/$target-" "${dict[@]}" "$work" "Fuzz/Corpus/$target" > "$log" 2>&1 || rc=$?
  stat() { grep -Eo "$1 +[0-9]+" "$log" | awk '{print $NF}' | tail -1 || true; }
  runs=$(stat 'stat::number_of_executed_units:')
  rate=$(stat 'stat::average_exec_per_sec:')
  cov=$(stat 'cov:')
  corpus=$(find "$work" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    result="no crash"
  else
    artifact=$(grep -Eo "Test unit written to [^ ]+" "$log" | awk '{print $5}' | tail -1)
    result="CRASH (exit $rc) ${artifact:-see $log}"
    status=1
  fi
  echo "| $target | $seconds | ${runs:-?} | ${rate:-?} | ${cov:-?} | $corpus | $result |" >> "$summary"
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    break
  fi
done
echo
cat "$summary"
exit "$status"
