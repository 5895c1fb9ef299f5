import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '@assent/platform';
import { cleanupRedis, testEnv, uniqueRoot } from '@assent/testkit';
import { RedisReplayGuard } from '../src/adapters/redis/redis-replay-guard.js';
import { MemoryReplayGuard } from '../src/adapters/memory/slack-interaction.js';

const root = uniqueRoot();
const redis = createRedis(testEnv.redisUrl, root);
afterAll(async () => {
  await cleanupRedis(root);
  redis.disconnect();
});

for (const [name, make] of [
  ['Redis', () => new RedisReplayGuard(redis)],
  ['memory', () => new MemoryReplayGuard()],
] as const) {
  describe(`${name} replay guard`, () => {
    it('lets a signed request through once, for every replica, until it expires', async () => {
      const [a, b] = [make(), name === 'Redis' ? make() : undefined];
      expect(await a.first(`sig:${name}:1`, 300)).toBe(true);
      expect(await a.first(`sig:${name}:1`, 300)).toBe(false);
      if (b) expect(await b.first(`sig:${name}:1`, 300)).toBe(false);
      expect(await a.first(`sig:${name}:2`, 300)).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
      expect(await a.first(`sig:${name}:1`, 300)).toBe(true);
    });
  });
}
