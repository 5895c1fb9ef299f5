#!/usr/bin/env bash
# Integration tests use the NATS (JetStream) and Redis of this machine, the ones
# ASSENT_TEST_NATS_URL / ASSENT_TEST_REDIS_URL name, or containers where an engine
# exists (test/global-setup.ts). Say so clearly up front instead of timing out.
set -euo pipefail
nats="${ASSENT_TEST_NATS_URL:-nats://127.0.0.1:4222}"; redis="${ASSENT_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
check() { # name url
  local hostport="${2#*://}"; hostport="${hostport%%/*}"
  if ! (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then
    echo "integration tests need $1 at $2 (or set ASSENT_TEST_${1^^}_URL, or provide a container engine)" >&2
    exit 1
  fi
}
if ! [[ -n "${DOCKER_HOST:-}" || -S /var/run/docker.sock ]]; then
  check nats "$nats"
  check redis "$redis"
fi
# The outage tests take servers of their own down and up again: they need the binaries.
for bin in nats-server redis-server; do
  command -v "$bin" >/dev/null || { echo "integration tests need $bin installed (the outage tests start private instances on free ports)" >&2; exit 1; }
done
