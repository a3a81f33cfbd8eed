#!/usr/bin/env bash
# The module graph reads as the data flow (STYLE.md; issue 11): lower modules import nothing of ours above them.
# Fails, naming the file and the import, when a module imports what its layer may not.
set -euo pipefail
cd "$(dirname "$0")/.."

ours="Basics DesiredState GitSource AWS Journaling Reconciler Presentation SwitchyardService switchyard"
# module: the modules of ours it may import (anything not of ours is allowed: Foundation, C shims, packages).
declare -A allowed=(
  [Basics]=""
  [DesiredState]="Basics"
  [GitSource]="Basics"
  [AWS]="Basics"
  [Journaling]="Basics"
  [Reconciler]="Basics DesiredState GitSource AWS Journaling"
  [Presentation]="Basics DesiredState GitSource AWS Journaling Reconciler"
  [SwitchyardService]="Basics DesiredState GitSource AWS Journaling Reconciler Presentation"
  [switchyard]="Basics DesiredState GitSource AWS Journaling Reconciler Presentation"
)
# The one-shot commands never import the daemon: only `run` and the entry point do.
daemon_users="Sources/switchyard/Commands/Run.swift Sources/switchyard/Switchyard.swift"

failures=0
for module in "${!allowed[@]}"; do
  while IFS= read -r line; do
    file=${line%%:*}
    imported=$(sed -E 's/^[^:]*:[0-9]+:(@testable +)?import +([A-Za-z_]+).*/\2/' <<<"$line")
    case " $ours " in *" $imported "*) ;; *) continue ;; esac
    [ "$imported" = "$module" ] && continue
    if [ "$module" = switchyard ] && [ "$imported" = SwitchyardService ]; then
      case " $daemon_users " in *" $file "*) continue ;; esac
      echo "check-imports: $file imports SwitchyardService; only \`run\` may (one-shot commands use the Reconciler's pass)" >&2
      failures=$((failures + 1)); continue
    fi
    case " ${allowed[$module]} " in
      *" $imported "*) ;;
      *) echo "check-imports: $line — $module may import only: ${allowed[$module]:-nothing of ours}" >&2; failures=$((failures + 1)) ;;
    esac
  done < <(grep -rnE '^(@testable +)?import +[A-Za-z_]+' "Sources/$module" --include='*.swift' || true)
done

# One of each helper, in Basics: a lock type, a hex encoder, a time limit, running off the pool.
for helper in '(class|struct) Locked\b' 'func hexEncoded' 'func withTimeLimit' 'func offPool' 'enum Timestamp\b' 'enum DurationFormat\b'; do
  where=$(grep -rlE "$helper" Sources || true)
  if [ "$where" != "$(grep -rlE "$helper" Sources/Basics || true)" ] || [ "$(echo "$where" | grep -c .)" -ne 1 ]; then
    echo "check-imports: \`$helper\` defined in: ${where:-nowhere}; keep one, in Sources/Basics" >&2; failures=$((failures + 1))
  fi
done

# Above AWS, a file imports AWS only to talk to AWS: it names one of the AWS module's own types.
aws_types=$(grep -rhoE '^(public |package )?(final )?(struct|enum|class|protocol|typealias) [A-Z][A-Za-z0-9]*' Sources/AWS | awk '{print $NF}' | sort -u | paste -sd'|')
while IFS= read -r file; do
  case "$file" in Sources/AWS/*) continue ;; esac
  grep -qE "\b($aws_types)\b" "$file" || { echo "check-imports: $file imports AWS but names nothing of it" >&2; failures=$((failures + 1)); }
done < <(grep -rlE '^(@testable +)?import AWS$' Sources --include='*.swift' || true)

# Each test target imports only modules its dependencies reach: an incremental build hides a missing one (the module
# happens to be built already), a clean build does not.
test_problems=$(python3 - <<'PY'
import re, glob, os
text = open("Package.swift").read()
deps = {}
for kind, name, body in re.findall(r'\.(target|testTarget|executableTarget)\(\s*name:\s*"([^"]+)"(.*?)swiftSettings', text, re.S):
    block = re.search(r'dependencies:\s*\[(.*?)\]\s*,', body, re.S)
    deps[name] = re.findall(r'^\s*"([A-Za-z]+)"|[\[,]\s*"([A-Za-z]+)"', block.group(1), re.M) if block else []
    deps[name] = [a or b for a, b in deps[name]]
def closure(name, seen=None):
    seen = set() if seen is None else seen
    for dep in deps.get(name, []):
        if dep not in seen:
            seen.add(dep)
            closure(dep, seen)
    return seen
ours = set(deps)
for name in deps:
    folder = f"Tests/{name}"
    if not name.endswith("Tests") or not os.path.isdir(folder):
        continue
    reach = closure(name)
    for path in glob.glob(f"{folder}/**/*.swift", recursive=True):
        for module in re.findall(r'^(?:@testable\s+)?import\s+([A-Za-z]+)', open(path).read(), re.M):
            if module in ours and module not in reach and module != name:
                print(f"check-imports: {path} imports {module}, which {name}'s dependencies in Package.swift do not reach")
PY
)
if [ -n "$test_problems" ]; then
  echo "$test_problems" >&2
  failures=$((failures + $(echo "$test_problems" | wc -l)))
fi

if [ "$failures" -gt 0 ]; then
  echo "check-imports: $failures problem(s)" >&2
  exit 1
fi
echo "check-imports: the module graph is as designed" >&2
