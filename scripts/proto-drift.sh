#!/usr/bin/env bash
# Fails when packages/proto is not what `make proto` generates from proto/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
npx buf generate --output "$tmp" >/dev/null
npx buf build -o "$tmp/descriptor.binpb"
if ! diff -r "$tmp/packages/proto/src/gen" packages/proto/src/gen >/dev/null || ! cmp -s "$tmp/descriptor.binpb" packages/proto/descriptor.binpb; then
  diff -r "$tmp/packages/proto/src/gen" packages/proto/src/gen | head -50 || true
  echo "generated code drifted from proto/: run 'make proto' and commit the result" >&2
  exit 1
fi
echo "proto: generated code matches proto/"
