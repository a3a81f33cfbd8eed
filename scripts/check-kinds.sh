#!/usr/bin/env bash
# The engine knows no resource kind (issue 19; docs/KINDS.md): every kind lives in its own folder under
# Sources/<Module>/Kinds/<Kind>/, and no Swift file outside a Kinds/ folder and Sources/AWS/ names a kind's AWS action,
# step action or live type. Fails naming the file, the line and the name.
set -euo pipefail
cd "$(dirname "$0")/.."

kind_files=$(find Sources -path '*/Kinds/*/*' -name '*.swift' | sort)
[ -n "$kind_files" ] || { echo "check-kinds: no kind folders under Sources/*/Kinds/" >&2; exit 1; }

# Step actions: StepAction("name"). Live types: the types a kind folder declares. AWS actions: the IAM actions its
# grants list ("service:Action"), which are the API operations it calls.
actions=$(grep -hoE 'StepAction\("[A-Za-z]+"\)' $kind_files | sed -E 's/.*\("([A-Za-z]+)"\)/\1/' | sort -u)
types=$(grep -hoE '^(public |internal |)(final )?(struct|enum|protocol|class|typealias) [A-Z][A-Za-z0-9]*' $kind_files \
  | awk '{print $NF}' | sort -u)
aws=$(grep -hoE '"[a-z0-9-]+:[A-Z][A-Za-z]+"' $kind_files | sed -E 's/"[a-z0-9-]+:([A-Za-z]+)"/\1/' | sort -u)
names=$(printf '%s\n' $actions $types $aws | sort -u)
pattern=$(printf '%s\n' $names | paste -sd'|')

failures=0
while IFS= read -r file; do
  case "$file" in */Kinds/*|Sources/AWS/*) continue ;; esac
  while IFS= read -r hit; do
    echo "check-kinds: $file:$hit — only a kind's folder (Sources/*/Kinds/<Kind>/) may name it" >&2
    failures=$((failures + 1))
  done < <(grep -noE "\\b($pattern)\\b" "$file" || true)
done < <(find Sources -name '*.swift' | sort)

# Each registered kind has a folder of its own, and a section in docs/KINDS.md (tested too).
registry=$(find Sources -path '*/Kinds/ResourceKinds.swift')
while IFS= read -r kind; do
  grep -rqE "(struct|typealias) $kind\\b" $kind_files || { echo "check-kinds: $kind is registered but declared outside Kinds/<Kind>/" >&2; failures=$((failures + 1)); }
done < <(sed -n '/registered: \[/,/\]/p' "$registry" | grep -oE '[A-Z][A-Za-z0-9]+\.self' | sed 's/\.self//')

if [ "$failures" -gt 0 ]; then
  echo "check-kinds: $failures name(s) of a kind outside its folder" >&2
  exit 1
fi
echo "check-kinds: $(printf '%s\n' $names | wc -l | tr -d ' ') names of $(echo "$kind_files" | wc -l | tr -d ' ') kind files; the engine names none" >&2
