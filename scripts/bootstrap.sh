#!/usr/bin/env bash
# Installs what Switchyard needs to build and test on a fresh Debian machine with Swift.
# Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# openssh-client: ssh-keygen makes the keys and signatures the signed-commit tests verify against.
# chromium: headless, for the console tests (Tests/SwitchyardServiceTests/ConsoleBrowserTests.swift).
apt_packages=(libgit2-dev libcurl4-openssl-dev pkg-config git openssh-client chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python side: the emulator (moto) and the independent AWS client used by tests.
python3 -m pip install -q --disable-pip-version-check -r emulator/requirements.txt
