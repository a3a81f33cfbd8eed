#!/usr/bin/env bash
# The module graph reads as the data flow (STYLE.md; issue 11): lower modules import nothing of ours above them.
# Fails, naming the file and the import, when a module imports what its layer may not.
set -euo pipefail
cd "$(dirname "$0")/.."

ours="DesiredState GitSource AWS Reconciler SwitchyardCore SwitchyardConsole SwitchyardService switchyard"
# module: the modules of ours it may import (anything not of ours is allowed: Foundation, C shims, packages).
declare -A allowed=(
  [DesiredState]=""
  [GitSource]=""
  [AWS]=""
  [Reconciler]="DesiredState AWS"
  [SwitchyardCore]="DesiredState GitSource AWS Reconciler"
  [SwitchyardConsole]="DesiredState GitSource AWS Reconciler SwitchyardCore"
  [SwitchyardService]="DesiredState GitSource AWS Reconciler SwitchyardCore SwitchyardConsole"
  [switchyard]="DesiredState GitSource AWS Reconciler SwitchyardCore SwitchyardConsole"
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
      echo "check-imports: $file imports SwitchyardService; only \`run\` may (one-shot commands use SwitchyardCore)" >&2
      failures=$((failures + 1)); continue
    fi
    case " ${allowed[$module]} " in
      *" $imported "*) ;;
      *) echo "check-imports: $line — $module may import only: ${allowed[$module]:-nothing of ours}" >&2; failures=$((failures + 1)) ;;
    esac
  done < <(grep -rnE '^(@testable +)?import +[A-Za-z_]+' "Sources/$module" --include='*.swift' || true)
done

# One of each helper: a lock type and a hex encoder, both in AWS.
locks=$(grep -rlE '(class|struct) Locked\b' Sources | wc -l)
hexes=$(grep -rlE 'func hexEncoded' Sources | wc -l)
[ "$locks" -eq 1 ] || { echo "check-imports: $locks definitions of Locked; keep one (Sources/AWS/Support/Locked.swift)" >&2; failures=$((failures + 1)); }
[ "$hexes" -eq 1 ] || { echo "check-imports: $hexes hex encoders; keep one (Sources/AWS/Core/Hex.swift)" >&2; failures=$((failures + 1)); }

if [ "$failures" -gt 0 ]; then
  echo "check-imports: $failures problem(s)" >&2
  exit 1
fi
echo "check-imports: the module graph is as designed" >&2
