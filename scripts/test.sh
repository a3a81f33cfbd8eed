#!/usr/bin/env bash
# Quick start 2: install what is needed and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "==> module import rules, format (swift format lint --strict, .swift-format)" >&2
bash scripts/check-imports.sh
bash scripts/check-kinds.sh
swift format lint --strict --recursive --parallel Sources Tests Package.swift
echo "==> swift test" >&2
swift build --build-tests
swift test --skip-build
if [ -d emulator/tests ]; then
  echo "==> emulator harness tests (pytest)" >&2
  python3 -m pytest -q emulator/tests
fi
