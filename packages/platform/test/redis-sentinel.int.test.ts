import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonConfig, commonEnvSpec, createRedis, parseEnv, type Redis } from '@assent/platform';
import { startRedisFailover, type RunningRedisFailover } from '@assent/testkit';

/**
 * Redis with failover, as the production overlay runs it (Sentinel): the client finds
 * the master through the Sentinel and, when the master dies and the replica is
 * promoted, carries on writing to the new one.
 */
let redis: RunningRedisFailover;
let client: Redis;

const sentinelPassword = 'sentinel-test-password';

beforeAll(async () => {
  redis = await startRedisFailover({ sentinelPassword });
}, 30_000);

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

describe('Redis through Sentinel', () => {
  it('reads ASSENT_REDIS_SENTINELS and refuses a malformed one', () => {
    const base = { ASSENT_JWKS_URL: 'http://127.0.0.1:1/jwks', ASSENT_JWT_ISSUER: 'http://issuer' };
    expect(commonConfig(parseEnv(commonEnvSpec, { ...base, ASSENT_REDIS_SENTINELS: 'redis-0.redis:26379, redis-1.redis:26379' })).redisSentinels).toEqual({
      sentinels: [{ host: 'redis-0.redis', port: 26379 }, { host: 'redis-1.redis', port: 26379 }],
      master: 'assent',
      password: undefined,
    });
    expect(() => commonConfig(parseEnv(commonEnvSpec, { ...base, ASSENT_REDIS_SENTINELS: 'redis-0' }))).toThrow(/ASSENT_REDIS_SENTINELS/);
  });

  it('finds no master through a Sentinel without its password', async () => {
    const stranger = createRedis('redis://ignored-host:6379', 'sentineltest', undefined, { sentinels: redis.sentinels, master: redis.master });
    stranger.on('error', () => undefined);
    try {
      await expect(Promise.race([stranger.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no master found')), 3_000))])).rejects.toThrow();
    } finally {
      stranger.disconnect();
    }
  });

  it('writes to the master it finds through the Sentinel, and to the promoted replica after a failover', async () => {
    client = createRedis('redis://ignored-host:6379', 'sentineltest', undefined, { sentinels: redis.sentinels, master: redis.master, password: sentinelPassword });
    client.on('error', () => undefined);
    await client.set('before', '1');
    expect(await client.get('before')).toBe('1');
    // Replication is asynchronous: a failover loses writes the replica has not seen yet
    // (Assent keeps only short-lived or rebuildable state in Redis). Wait until it has.
    expect(await client.call('WAIT', 1, 5_000)).toBe(1);

    await redis.killMaster();
    // The Sentinel notices (1 s), promotes the replica, and the client reconnects to it.
    await expect
      .poll(async () => client.set('after', '2').then(() => client.get('after'), () => undefined), { timeout: 20_000, interval: 250 })
      .toBe('2');
    expect(await client.get('before')).toBe('1');
  }, 40_000);
});
