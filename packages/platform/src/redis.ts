import { Redis } from 'ioredis';
import type { Deduper } from './nats/consumer.js';

export type { Redis };

/** A Redis client whose every key is under `<root>:` (tests use a unique root). */
export function createRedis(url: string, root: string): Redis {
  return new Redis(url, { keyPrefix: `${root}:`, maxRetriesPerRequest: 3, enableAutoPipelining: true, lazyConnect: false });
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
