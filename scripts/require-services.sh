#!/usr/bin/env bash
# Integration tests use the NATS (JetStream) and Redis of this machine; say so
# clearly instead of failing with timeouts when they are not running.
set -euo pipefail
nats="${ASSENT_TEST_NATS_URL:-nats://127.0.0.1:4222}"; redis="${ASSENT_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
check() { # name url
  local hostport="${2#*://}"; hostport="${hostport%%/*}"
  if ! (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then
    echo "integration tests need $1 at $2 (set ASSENT_TEST_${1^^}_URL to point elsewhere)" >&2
    exit 1
  fi
}
check nats "$nats"
check redis "$redis"
