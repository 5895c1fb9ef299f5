import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { ClientTlsFiles } from './config.js';
import type { Deduper } from './nats/consumer.js';

export type { Redis };

/**
 * A Redis client whose every key is under `<root>:` (tests use a unique root). A
 * rediss:// URL speaks TLS; `tls` adds a CA to verify the server and a client
 * certificate. With `sentinel`, it asks the Sentinels where the master is (and again
 * after a failover), logging in with the URL's user and password.
 */
export function createRedis(url: string, root: string, tls?: ClientTlsFiles, sentinel?: { sentinels: { host: string; port: number }[]; master: string; password?: string | undefined }): Redis {
  const files = tls && (tls.caFile || tls.certFile || tls.keyFile) ? tls : undefined;
  const viaSentinel = sentinel && sentinel.sentinels.length > 0 ? sentinel : undefined;
  const u = new URL(url);
  const target = viaSentinel
    ? {
        sentinels: viaSentinel.sentinels,
        name: viaSentinel.master,
        ...(viaSentinel.password ? { sentinelPassword: viaSentinel.password } : {}),
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        ...(url.startsWith('rediss://') ? { enableTLSForSentinelMode: true } : {}),
      }
    : undefined;
  const options = {
    keyPrefix: `${root}:`,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    lazyConnect: false,
    ...(files
      ? {
          tls: {
            ...(files.caFile ? { ca: readFileSync(files.caFile) } : {}),
            ...(files.certFile ? { cert: readFileSync(files.certFile) } : {}),
            ...(files.keyFile ? { key: readFileSync(files.keyFile) } : {}),
          },
        }
      : {}),
  };
  return target ? new Redis({ ...options, ...target }) : new Redis(url, options);
}

/** Typed key builders: every key is tenant-scoped where the value is. */
export const redisKeys = {
  seen: (consumer: string, id: string) => `seen:${consumer}:${id}`,
  idempotency: (service: string, tenant: string, key: string) => `idem:${service}:${tenant}:${key}`,
};

/** Redis-backed consumer dedupe; entries expire after `ttlSeconds` (longer than any redelivery). */
export function redisDeduper(redis: Redis, consumer: string, ttlSeconds = 7 * 24 * 3600): Deduper {
  return {
    async seen(id) {
      return (await redis.exists(redisKeys.seen(consumer, id))) === 1;
    },
    async mark(id) {
      await redis.set(redisKeys.seen(consumer, id), '1', 'EX', ttlSeconds);
    },
  };
}
