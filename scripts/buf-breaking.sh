#!/usr/bin/env bash
# buf breaking against main. On main itself (CI runs on a clone of main) the
# comparison is against the previous commit that touched proto/, so a commit
# that breaks a published contract still fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

against="${BUF_BREAKING_AGAINST:-}"
if [[ -z "$against" ]]; then
  branch="$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo '')"
  if [[ "$branch" != "main" ]] && git rev-parse --verify -q main >/dev/null; then
    against=".git#branch=main"
  else
    base="$(git log --format=%H -n 1 --skip 1 -- proto/ 2>/dev/null || true)"
    if [[ -z "$base" ]]; then
      echo "buf breaking: no earlier proto/ revision to compare with; skipped"
      exit 0
    fi
    against=".git#ref=${base}"
  fi
fi
echo "buf breaking --against '$against'"
npx buf breaking --against "$against"
