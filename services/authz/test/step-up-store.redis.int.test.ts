import { afterAll } from 'vitest';
import { createRedis } from '@assent/platform';
import { cleanupRedis, testEnv, uniqueRoot } from '@assent/testkit';
import { RedisStepUpStore } from '../src/adapters/redis/step-up-store.js';
import { stepUpStoreContract } from './contract/step-up-store.contract.js';

const root = uniqueRoot();
const redis = createRedis(testEnv.redisUrl, root);
let n = 0;

afterAll(async () => {
  await redis.quit();
  await cleanupRedis(root);
});

stepUpStoreContract('redis', async () => new RedisStepUpStore(redis), () => `tenant-${++n}`, (ms) => new Promise((r) => setTimeout(r, ms)));
