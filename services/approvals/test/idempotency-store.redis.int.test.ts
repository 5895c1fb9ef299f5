import { afterAll, beforeAll, expect, it } from 'vitest';
import { UnavailableError, createRedis, type Redis } from '@assent/platform';
import { cleanupRedis, startRedisServer, testEnv, uniqueRoot } from '@assent/testkit';
import { RedisIdempotencyStore } from '../src/adapters/redis/idempotency-store.js';
import { idempotencyStoreContract } from './contract/idempotency-store.contract.js';

const root = uniqueRoot();
let redis: Redis;
let n = 0;

beforeAll(() => {
  redis = createRedis(testEnv.redisUrl, root);
});
afterAll(async () => {
  await redis?.quit();
  await cleanupRedis(root);
});

idempotencyStoreContract('redis', async () => new RedisIdempotencyStore(redis), () => `tenant-${++n}`);

it('answers UNAVAILABLE, not INTERNAL, while Redis is down (outages/system test found INTERNAL)', async () => {
  const own = await startRedisServer();
  const client = createRedis(own.url, root);
  try {
    await client.ping();
    await own.stop();
    await expect(new RedisIdempotencyStore(client).bind('acme', 'k', 'id-1')).rejects.toBeInstanceOf(UnavailableError);
  } finally {
    client.disconnect();
    await own.stop();
  }
});
