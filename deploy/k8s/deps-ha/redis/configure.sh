#!/bin/sh
# Writes redis.conf and sentinel.conf for this pod into /conf. The master is whoever
# the Sentinels say it is (after a failover it may be any pod); with no Sentinel
# answering yet (first start), redis-0. Secrets come from the environment, never args.
set -eu
me="${POD_NAME}.redis-headless"
master=""
for i in 0 1 2; do
  answer="$(redis-cli --no-auth-warning -a "$SENTINEL_CLIENT_PASSWORD" -h "redis-$i.redis-headless" -p 26379 sentinel get-master-addr-by-name assent 2>/dev/null | head -n 1 || true)"
  if [ -n "$answer" ]; then master="$answer"; break; fi
done
[ -n "$master" ] || master="redis-0.redis-headless"
{
  echo "port 6379"
  echo "dir /data"
  echo "aclfile /etc/redis/acl/users.acl"
  echo "appendonly yes"
  echo "save \"\""
  echo "maxmemory 1gb"
  echo "maxmemory-policy noeviction"
  echo "replica-announce-ip ${me}"
  echo "masteruser replica"
  echo "masterauth ${REPLICA_PASSWORD}"
  [ "$master" = "$me" ] || echo "replicaof ${master} 6379"
} >/conf/redis.conf
{
  echo "port 26379"
  echo "dir /conf"
  echo "sentinel resolve-hostnames yes"
  echo "sentinel announce-hostnames yes"
  echo "sentinel announce-ip ${me}"
  echo "sentinel monitor assent ${master} 6379 2"
  echo "sentinel auth-user assent sentinel"
  echo "sentinel auth-pass assent ${SENTINEL_PASSWORD}"
  echo "sentinel down-after-milliseconds assent 5000"
  echo "sentinel failover-timeout assent 60000"
  echo "sentinel parallel-syncs assent 1"
  # Clients (the services, the other Sentinels) present this password.
  echo "requirepass ${SENTINEL_CLIENT_PASSWORD}"
  echo "sentinel sentinel-pass ${SENTINEL_CLIENT_PASSWORD}"
} >/conf/sentinel.conf
