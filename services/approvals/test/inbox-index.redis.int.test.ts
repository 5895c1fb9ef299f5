import { afterAll } from 'vitest';
import { createRedis } from '@assent/platform';
import { cleanupRedis, testEnv, uniqueRoot } from '@assent/testkit';
import { RedisInboxIndex } from '../src/adapters/redis/inbox-index.js';
import { inboxIndexContract } from './contract/inbox-index.contract.js';

const root = uniqueRoot();
const redis = createRedis(testEnv.redisUrl, root);
let n = 0;
afterAll(async () => {
  redis.disconnect();
  await cleanupRedis(root);
});

inboxIndexContract('redis', async () => new RedisInboxIndex(redis), () => `tenant-${++n}`);
