import { afterAll, beforeAll } from 'vitest';
import { createRedis, type Redis } from '@assent/platform';
import { cleanupRedis, testEnv, uniqueRoot } from '@assent/testkit';
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
