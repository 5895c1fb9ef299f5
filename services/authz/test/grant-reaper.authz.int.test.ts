import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupNats, cleanupRedis, commonTestEnv, startOpenFga, startTestIssuer, uniqueRoot, type RunningOpenFga, type TestIssuer } from '@assent/testkit';
import { MemoryIdRegistry } from '../src/adapters/memory/id-registry.js';
import { connectOpenFga } from '../src/adapters/openfga/connect.js';
import { loadConfig } from '../src/config.js';
import { startAuthz, type RunningAuthz } from '../src/main.js';

const root = uniqueRoot();
let fga: RunningOpenFga;
let issuer: TestIssuer;
let authz: RunningAuthz;

beforeAll(async () => {
  [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
  authz = await startAuthz(
    loadConfig({
      ...commonTestEnv(root, issuer),
      ...fga.authzEnv,
      AUTHZ_GRPC_PORT: '0',
      AUTHZ_HTTP_PORT: '0',
      AUTHZ_OPENFGA_STORE_NAME: root,
      AUTHZ_GRANT_REAPER_INTERVAL_SECONDS: '1',
      AUTHZ_GRANT_REAPER_GRACE_SECONDS: '60',
    }),
  );
});

afterAll(async () => {
  await authz?.stop();
  await Promise.all([fga?.stop(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

const metric = async (name: string) => {
  const text = await (await fetch(`http://127.0.0.1:${authz.httpPort}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))?.split(' ').pop() ?? NaN);
};

describe('authz with the grant reaper on', () => {
  it('deletes an expired grant within a sweep or two and counts it on /metrics', async () => {
    // The same store authz uses, found by its name.
    const store = await connectOpenFga({ apiUrl: fga.apiUrl, presharedKey: fga.presharedKey, storeName: root, registry: new MemoryIdRegistry() });
    expect(store.storeId).toBe(authz.storeId);
    const now = Date.now();
    const base = { tenant: 'acme', principal: 'alice', action: 'keys.rotate', requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', condition: '' };
    await store.writeGrant({ ...base, resource: 'key/old', grantedAt: new Date(now - 3 * 3600_000), expiresAt: new Date(now - 2 * 3600_000) });
    await store.writeGrant({ ...base, resource: 'key/recent', grantedAt: new Date(now - 3600_000), expiresAt: new Date(now - 10_000) });

    const deadline = Date.now() + 10_000;
    while ((await store.grantFacts('acme', 'alice', 'keys.rotate', 'key/old', '')).window || (await metric('assent_authz_grants_reaped_total')) < 1) {
      if (Date.now() > deadline) throw new Error('the expired grant was not reaped and counted');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await metric('assent_authz_grants_reaped_total')).toBe(1);
    // Ended within the grace: still there for Explain.
    expect((await store.grantFacts('acme', 'alice', 'keys.rotate', 'key/recent', '')).window).toBeDefined();
  });
});
