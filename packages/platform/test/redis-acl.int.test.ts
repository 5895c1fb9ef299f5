import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisServer, type RunningRedisServer } from '@assent/testkit';
import { createRedis, redisServiceUsers } from '@assent/platform';

/** Redis refuses, by itself, what a service's ACL user may not do (its own private server here). */
const root = 'acltest';
let server: RunningRedisServer;
const clients: Redis[] = [];
const as = (service: (typeof redisServiceUsers)[number]) => {
  const c = createRedis(server.urlFor(service), root);
  c.on('error', () => undefined);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  server = await startRedisServer({ acl: { root } });
}, 30_000);
afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  await server?.stop();
});

describe('Redis ACL users per service', () => {
  it('lets each service use its own keys and nobody else’s', async () => {
    const authz = as('authz');
    const audit = as('audit');
    await authz.set('authz:member:acme:alice', '1');
    await audit.zadd('audit:event-ids:acme', 1, 'e1');
    await expect(audit.get('authz:member:acme:alice')).rejects.toThrow(/NOPERM/);
    await expect(authz.set('authz:member:acme:mallory', '1')).resolves.toBe('OK');
    await expect(as('notifier').get('authz:member:acme:alice')).rejects.toThrow(/NOPERM/);
    await expect(as('approvals').set('audit:event-ids:acme', 'x')).rejects.toThrow(/NOPERM/);
    await expect(as('delivery').set('seen:delivery-worker:t1', '1')).resolves.toBe('OK');
    // Outside the service's root prefix too: a raw client as authz.
    const raw = new Redis(server.urlFor('authz'), { maxRetriesPerRequest: 0 });
    clients.push(raw);
    await expect(raw.get('other:authz:member:acme:alice')).rejects.toThrow(/NOPERM/);
    // Redis logs each refusal (what the three-replica test checks is empty).
    expect(await server.aclDenials()).toEqual(expect.arrayContaining([`audit key ${root}:authz:member:acme:alice`, 'authz key other:authz:member:acme:alice']));
  });

  it('refuses dangerous commands to every service, and everything to a caller without credentials', async () => {
    for (const user of redisServiceUsers) {
      const c = as(user);
      await expect(c.flushall()).rejects.toThrow(/NOPERM/);
      await expect(c.keys('*')).rejects.toThrow(/NOPERM/);
      await expect(c.config('GET', 'requirepass')).rejects.toThrow(/NOPERM/);
    }
    // ioredis opens with HELLO; Redis refuses it without credentials, or with wrong ones.
    const refusal = async (url: string) => {
      const c = new Redis(url, { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
      clients.push(c);
      const errors: string[] = [];
      c.on('error', (e: Error) => errors.push(e.message));
      await expect(c.connect()).rejects.toThrow();
      return errors.join('; ');
    };
    expect(await refusal(server.url)).toMatch(/NOAUTH/);
    expect(await refusal(server.url.replace('redis://', 'redis://authz:not-the-password@'))).toMatch(/WRONGPASS/);
  });
});
