import { describe, expect, it } from 'vitest';
import { resolveBackingServices, type ResolveOptions } from './backing-services.js';

function options(o: { env?: Record<string, string>; up?: number[]; engine?: boolean }) {
  const started: string[] = [];
  const opts: ResolveOptions = {
    env: o.env ?? {},
    reachable: async (_h, port) => (o.up ?? []).includes(port),
    containerEngine: () => o.engine ?? false,
    startContainers: async () => {
      started.push('containers');
      return { natsUrl: 'nats://c:1', redisUrl: 'redis://c:2', stop: async () => undefined };
    },
  };
  return { opts, started };
}

describe('resolveBackingServices', () => {
  it('uses explicit URLs first', async () => {
    const { opts, started } = options({ env: { ASSENT_TEST_NATS_URL: 'nats://x:1', ASSENT_TEST_REDIS_URL: 'redis://y:2' }, engine: true });
    expect(await resolveBackingServices(opts)).toMatchObject({ natsUrl: 'nats://x:1', redisUrl: 'redis://y:2', source: 'env' });
    expect(started).toEqual([]);
  });

  it('uses the local services when they listen, without starting containers', async () => {
    const { opts, started } = options({ up: [4222, 6379], engine: true });
    expect(await resolveBackingServices(opts)).toMatchObject({ natsUrl: 'nats://127.0.0.1:4222', redisUrl: 'redis://127.0.0.1:6379', source: 'local' });
    expect(started).toEqual([]);
  });

  it('prefers private servers with authentication on when they can be started, unless URLs are given', async () => {
    const { opts } = options({ up: [4222, 6379], engine: true });
    const withPrivate = { ...opts, startPrivate: async () => ({ natsUrl: 'nats://u:p@127.0.0.1:1', redisUrl: 'redis://u:p@127.0.0.1:2', stop: async () => undefined }) };
    expect(await resolveBackingServices(withPrivate)).toMatchObject({ natsUrl: 'nats://u:p@127.0.0.1:1', source: 'private' });
    expect(await resolveBackingServices({ ...withPrivate, startPrivate: async () => undefined })).toMatchObject({ source: 'local' });
    const given = { ...withPrivate, env: { ASSENT_TEST_NATS_URL: 'nats://x:1', ASSENT_TEST_REDIS_URL: 'redis://y:2' } };
    expect(await resolveBackingServices(given)).toMatchObject({ source: 'env' });
  });

  it('starts containers when a service is missing and an engine exists', async () => {
    const { opts, started } = options({ up: [6379], engine: true });
    expect(await resolveBackingServices(opts)).toMatchObject({ natsUrl: 'nats://c:1', source: 'containers' });
    expect(started).toEqual(['containers']);
  });

  it('says what is missing and how to fix it otherwise', async () => {
    const { opts } = options({ up: [6379] });
    await expect(resolveBackingServices(opts)).rejects.toThrow(/NATS with JetStream \(nats:\/\/127\.0\.0\.1:4222\).*container engine/);
  });
});
