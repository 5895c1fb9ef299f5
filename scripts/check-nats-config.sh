#!/usr/bin/env bash
# Asks the installed nats-server (`-t`: test the configuration and exit) whether the
# dev NATS configuration of deploy/k8s would start: nats.conf with the per-service
# users of the dev overlay included, the production cluster config (deps-ha), and the
# dev event gateway; paths moved to a temp dir.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v nats-server >/dev/null || { echo "check-nats-config: nats-server is not installed" >&2; exit 2; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/auth"
cp "$root/deploy/k8s/overlays/dev/nats-auth.conf" "$dir/auth/auth.conf"
sed -e "s|store_dir: /data|store_dir: $dir/data|" -e "s|pid_file: /var/run/nats/nats.pid|pid_file: $dir/nats.pid|" "$root/deploy/k8s/deps/nats/nats.conf" >"$dir/nats.conf"
POD_NAME=nats-0 nats-server -c "$dir/nats.conf" -t

# The dev event gateway (operator mode): its config with the operator JWT and data moved.
gw="$root/deploy/k8s/overlays/dev/event-gateway"
mkdir -p "$dir/gateway"
cp "$gw/operator.jwt" "$dir/gateway/operator.jwt"
sed -e "s|/etc/gateway/|$dir/gateway/|" -e "s|\"/data/|\"$dir/gateway/|g" "$gw/gateway.conf" >"$dir/gateway/gateway.conf"
POD_NAME=event-gateway-0 nats-server -c "$dir/gateway/gateway.conf" -t

# The production 3-node cluster's config (deps-ha), with the same users included.
sed -e "s|store_dir: /data|store_dir: $dir/data-ha|" -e "s|pid_file: /var/run/nats/nats.pid|pid_file: $dir/nats-ha.pid|" "$root/deploy/k8s/deps-ha/nats/nats.conf" >"$dir/nats-ha.conf"
POD_NAME=nats-0 nats-server -c "$dir/nats-ha.conf" -t
