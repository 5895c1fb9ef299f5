import { UnavailableError, redisKeys, type Redis } from '@assent/platform';
import type { IdempotencyStore } from '../../domain/ports.js';

/** How long a key stays bound; a retry after this opens a new request. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * One SET NX GET (Redis 7+) binds the key to the first id and answers the bound id
 * in the same round trip. The binding is never deleted early: it expires with its TTL.
 * Redis failing is an outage, not a bug: callers get UNAVAILABLE and retry with the key.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(private readonly redis: Redis) {}

  async bind(tenant: string, key: string, id: string): Promise<string> {
    let previous: string | null;
    try {
      previous = await this.redis.set(redisKeys.idempotency('approvals', tenant, key), id, 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX', 'GET');
    } catch (err) {
      throw new UnavailableError('idempotency store (Redis) unavailable; retry with the same key', { cause: err });
    }
    return previous ?? id;
  }
}
