#!/usr/bin/env bash
# Renders each kustomize overlay and validates every object offline against the
# Kubernetes API types (tools/k8s-validate). Needs only Go and its module proxy:
# kustomize is installed, pinned, into $(go env GOPATH)/bin on first use.
#
# usage: scripts/k8s-validate.sh [OVERLAY_DIR...]   (default: dev and prod)
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.2 # v5.8.3 needs Go >= 1.27; keep in step with the Go toolchain
DEFAULT_OVERLAYS=(deploy/k8s/overlays/dev deploy/k8s/overlays/prod)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

command -v go >/dev/null || { echo "k8s-validate: Go is required (https://go.dev/dl/)" >&2; exit 2; }

gopath="$(go env GOPATH)"
gobin="${gopath%%:*}/bin" # first GOPATH entry
kustomize="$gobin/kustomize"
if ! [[ -x "$kustomize" ]] || [[ "$("$kustomize" version 2>/dev/null)" != "$KUSTOMIZE_VERSION" ]]; then
  echo "k8s-validate: installing kustomize $KUSTOMIZE_VERSION into $gobin" >&2
  GOBIN="$gobin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi

validator="$root/.tmp/bin/k8s-validate"
go -C tools/k8s-validate build -buildvcs=false -o "$validator" .

overlays=("$@")
[[ ${#overlays[@]} -gt 0 ]] || overlays=("${DEFAULT_OVERLAYS[@]}")

failed=()
for overlay in "${overlays[@]}"; do
  overlay="${overlay%/}"
  flags=()
  # Release overlays must not ship floating image references.
  [[ "$overlay" == */prod ]] && flags+=(-require-pinned-images)
  echo "== $overlay"
  if ! "$kustomize" build "$overlay" | "$validator" -label "$overlay" "${flags[@]}"; then
    failed+=("$overlay")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "k8s-validate: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "k8s-validate: all ${#overlays[@]} overlays valid"
