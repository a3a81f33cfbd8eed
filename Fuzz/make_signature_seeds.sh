#!/usr/bin/env bash
# Rewrites the seeds of FuzzSSHSignature and FuzzAllowedSigners with fresh keys made by the real ssh-keygen:
# for ed25519, ecdsa (P-256) and rsa (3072), an armored signature of the fixed message the targets verify
# against (namespace git), the same signature as its raw binary blob, one signed in namespace "file",
# and allowed signers files listing the keys. Run once; the outputs are small and committed.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sig=Corpus/FuzzSSHSignature; signers=Corpus/FuzzAllowedSigners
rm -rf "$sig" "$signers"; mkdir -p "$sig" "$signers"
# Must equal `signedCommitMessage` in Sources/FuzzSupport/FuzzSupport.swift.
printf 'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Fuzz <fuzz@example.com> 1700000000 +0000\ncommitter Fuzz <fuzz@example.com> 1700000000 +0000\n\nfuzz\n' > "$tmp/message"
lines=()
for type in ed25519 ecdsa rsa; do
  case $type in ed25519) args=(-t ed25519);; ecdsa) args=(-t ecdsa -b 256);; rsa) args=(-t rsa -b 3072);; esac
  ssh-keygen -q "${args[@]}" -N "" -C "$type@example.com" -f "$tmp/$type"
  rm -f "$tmp/message.sig"; ssh-keygen -q -Y sign -n git -f "$tmp/$type" "$tmp/message"
  cp "$tmp/message.sig" "$sig/$type-git.sig"
  sed '1d;$d' "$sig/$type-git.sig" | tr -d '\n' | base64 -d > "$sig/$type-git.blob"
  rm -f "$tmp/message.sig"; ssh-keygen -q -Y sign -n file -f "$tmp/$type" "$tmp/message"
  cp "$tmp/message.sig" "$sig/$type-file.sig"
  lines+=("$type@example.com $(cut -d' ' -f1,2 "$tmp/$type.pub")")
done
printf '%s\n' "${lines[@]}" > "$signers/plain"
{
  echo "# principals, options, key; comments and blank lines are skipped"
  echo
  echo "alice@example.com,*@corp.example,!mallory@corp.example namespaces=\"git\",valid-after=\"20200101\",valid-before=\"20991231Z\" ${lines[0]#* }"
  echo "\"bob@example.com\" valid-after=\"202001011200Z\" ${lines[1]#* }"
  echo "ops@example.com cert-authority ${lines[2]#* }"
  echo "carol@example.com sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t carol"
} > "$signers/options"
