import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OpenFgaClient } from '@openfga/sdk';
import { connectNats, createLogger, createRedis, UnavailableError, type Nats, type Redis } from '@assent/platform';
import { cleanupNats, cleanupRedis, startOpenFga, testEnv, uniqueRoot, type RunningOpenFga } from '@assent/testkit';
import { MemoryIdRegistry } from '../src/adapters/memory/id-registry.js';
import { NatsInvalidationBus } from '../src/adapters/nats/invalidation-bus.js';
import { connectOpenFga } from '../src/adapters/openfga/connect.js';
import { OpenFgaHttpReads } from '../src/adapters/openfga/decision-reads.js';
import { OpenFgaRelationStore } from '../src/adapters/openfga/relation-store.js';
import { CachedRelationStore } from '../src/adapters/redis/cached-relation-store.js';
import { relationStoreContract } from './contract/relation-store.contract.js';

const root = uniqueRoot();
const logger = createLogger('test', 'silent');
let fga: RunningOpenFga;
let openFga: OpenFgaRelationStore;
let natsA: Nats;
let natsB: Nats;
let redisA: Redis;
let redisB: Redis;
const replicas: CachedRelationStore[] = [];
let n = 0;

/** One authz replica's decision cache: its own NATS and Redis connections, the shared OpenFGA. */
const replica = (nats: Nats, redis: Redis) => {
  const store = new CachedRelationStore(openFga, redis, new NatsInvalidationBus(nats.nc, root, logger), logger);
  replicas.push(store);
  return store;
};

beforeAll(async () => {
  [fga, natsA, natsB] = await Promise.all([startOpenFga(), connectNats(testEnv.natsUrl, 'authz-a', logger), connectNats(testEnv.natsUrl, 'authz-b', logger)]);
  [redisA, redisB] = [createRedis(testEnv.redisUrl, root), createRedis(testEnv.redisUrl, root)];
  openFga = await connectOpenFga({ apiUrl: fga.apiUrl, presharedKey: fga.presharedKey, storeName: 'cached', registry: new MemoryIdRegistry() });
});
afterAll(async () => {
  replicas.forEach((r) => r.stop());
  await Promise.all([fga?.stop(), natsA?.drain(), natsB?.drain(), redisA?.quit(), redisB?.quit()]);
  await Promise.all([cleanupNats(root), cleanupRedis(root)]);
});

relationStoreContract('openfga behind the decision cache', async () => replica(natsA, redisA), () => `tenant-${++n}`);

describe('decision cache across replicas', () => {
  it('shows a write through one replica to the other replica\'s next check', async () => {
    const [a, b] = [replica(natsA, redisA), replica(natsB, redisB)];
    const t = `cross-${++n}`;
    // Both replicas hold the old answers in process first.
    expect([await a.isMember(t, 'alice'), await b.isMember(t, 'alice')]).toEqual([false, false]);
    await a.addMember(t, 'alice');
    await vi.waitFor(async () => expect(await b.isMember(t, 'alice')).toBe(true), { timeout: 1_000, interval: 5 });

    await a.setApprovers(t, 'keys.rotate', ['user:bob']);
    expect(await b.isApprover(t, 'keys.rotate', 'bob')).toBe(true);
    await a.setApprovers(t, 'keys.rotate', ['user:carol']);
    await vi.waitFor(async () => expect(await b.isApprover(t, 'keys.rotate', 'bob')).toBe(false), { timeout: 1_000, interval: 5 });

    const now = new Date();
    expect(await b.activeGrant(t, 'alice', 'keys.rotate', 'key/1', now, '')).toBeUndefined();
    const grant = { tenant: t, principal: 'alice', action: 'keys.rotate', resource: 'key/1', requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', condition: '', grantedAt: new Date(now.getTime() - 1_000), expiresAt: new Date(now.getTime() + 60_000) };
    await a.writeGrant(grant);
    await vi.waitFor(async () => expect((await b.activeGrant(t, 'alice', 'keys.rotate', 'key/1', new Date(), ''))?.toISOString()).toBe(grant.expiresAt.toISOString()), {
      timeout: 1_000,
      interval: 5,
    });
    // A cached ALLOW ends with the grant, whatever the cache still holds.
    expect(await b.activeGrant(t, 'alice', 'keys.rotate', 'key/1', grant.expiresAt, '')).toBeUndefined();
  });

  it('keeps issuer-namespaced users apart in OpenFGA (okta:alice is not alice)', async () => {
    const a = replica(natsA, redisA);
    const t = `ns-${++n}`;
    await a.addMember(t, 'okta:alice');
    expect(await a.isMember(t, 'okta:alice')).toBe(true);
    expect(await a.isMember(t, 'alice')).toBe(false);
    await a.setApprovers(t, 'keys.rotate', ['user:okta:bob']);
    expect([await a.isApprover(t, 'keys.rotate', 'okta:bob'), await a.isApprover(t, 'keys.rotate', 'bob')]).toEqual([true, false]);
  });

  it('answers a repeated question without OpenFGA', async () => {
    const a = replica(natsA, redisA);
    const t = `repeat-${++n}`;
    await a.addMember(t, 'alice');
    await a.isMember(t, 'alice');
    const spy = vi.spyOn(openFga, 'isMember');
    const b = replica(natsB, redisB);
    expect(await b.isMember(t, 'alice')).toBe(true);
    expect(await a.isMember(t, 'alice')).toBe(true);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('keys every answer by the authorization model: a replica on another model never reads this one\'s answers', async () => {
    const t = `model-${++n}`;
    const a = replica(natsA, redisA);
    expect(await a.isMember(t, 'alice')).toBe(false);
    // A write around authz (straight to OpenFGA) that the shared answer does not know of.
    await openFga.addMember(t, 'alice');
    const sameModel = replica(natsB, redisB);
    expect(await sameModel.isMember(t, 'alice')).toBe(false);
    const onOtherModel: OpenFgaRelationStore = Object.assign(Object.create(openFga) as OpenFgaRelationStore, { modelId: () => 'another-model' });
    const other = new CachedRelationStore(onOtherModel, redisB, new NatsInvalidationBus(natsB.nc, root, logger), logger);
    replicas.push(other);
    expect(await other.isMember(t, 'alice')).toBe(true);
  });

  it('is stale after a write around authz for at most its backstop TTL (the documented bound)', async () => {
    const t = `stale-${++n}`;
    const bounded = new CachedRelationStore(openFga, redisA, new NatsInvalidationBus(natsA.nc, root, logger), logger, { localTtlMs: 200, sharedTtlSeconds: 1 });
    replicas.push(bounded);
    expect(await bounded.isMember(t, 'alice')).toBe(false);
    await openFga.addMember(t, 'alice');
    expect(await bounded.isMember(t, 'alice')).toBe(false);
    // Fresh once the bound has passed (1 s shared + 0.2 s in process), with scheduling slack.
    await vi.waitFor(async () => expect(await bounded.isMember(t, 'alice')).toBe(true), { timeout: 3_000, interval: 50 });
  });

  it('reports OpenFGA unreachable as unavailable, never as an answer', async () => {
    const dead = new OpenFgaRelationStore(
      new OpenFgaClient({ apiUrl: 'http://127.0.0.1:9', storeId: openFga.storeId, authorizationModelId: openFga.modelId() }),
      openFga.modelId(),
      openFga.storeId,
      new OpenFgaHttpReads({ apiUrl: 'http://127.0.0.1:9', storeId: openFga.storeId }),
    );
    const cached = new CachedRelationStore(dead, redisA, new NatsInvalidationBus(natsA.nc, root, logger), logger);
    replicas.push(cached);
    await expect(cached.isMember(`dead-${++n}`, 'alice')).rejects.toBeInstanceOf(UnavailableError);
    await expect(cached.activeGrant(`dead-${n}`, 'alice', 'keys.rotate', 'key/1', new Date(), '')).rejects.toBeInstanceOf(UnavailableError);
  });
});
