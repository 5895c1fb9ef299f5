import { redisKeys, type Redis } from '@assent/platform';
import type { IdempotencyStore } from '../../domain/ports.js';

const TTL_SECONDS = 24 * 3600;

/** SET NX binds a key to the first request id; a retry within 24 h gets that id back. */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(private readonly redis: Redis) {}

  async claim(tenant: string, key: string, id: string): Promise<string | undefined> {
    const k = redisKeys.idempotency('approvals', tenant, key);
    const set = await this.redis.set(k, id, 'EX', TTL_SECONDS, 'NX');
    if (set === 'OK') return undefined;
    return (await this.redis.get(k)) ?? undefined;
  }

  async release(tenant: string, key: string): Promise<void> {
    await this.redis.del(redisKeys.idempotency('approvals', tenant, key));
  }
}
