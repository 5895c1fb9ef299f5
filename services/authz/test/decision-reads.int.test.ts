import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenFgaClient } from '@openfga/sdk';
import { UnavailableError } from '@assent/platform';
import { startOpenFga, type RunningOpenFga } from '@assent/testkit';
import { MemoryIdRegistry } from '../src/adapters/memory/id-registry.js';
import { connectOpenFga } from '../src/adapters/openfga/connect.js';
import { OpenFgaCallError, OpenFgaHttpReads } from '../src/adapters/openfga/decision-reads.js';
import type { OpenFgaRelationStore } from '../src/adapters/openfga/relation-store.js';

let fga: RunningOpenFga;
let store: OpenFgaRelationStore;
const pools: OpenFgaHttpReads[] = [];
const servers: Server[] = [];
const reads = (opts: Partial<ConstructorParameters<typeof OpenFgaHttpReads>[0]> = {}) => {
  const r = new OpenFgaHttpReads({ apiUrl: fga.apiUrl, storeId: store.storeId, presharedKey: fga.presharedKey, ...opts });
  pools.push(r);
  return r;
};

beforeAll(async () => {
  fga = await startOpenFga();
  store = await connectOpenFga({ apiUrl: fga.apiUrl, presharedKey: fga.presharedKey, storeName: 'decision-reads', registry: new MemoryIdRegistry() });
  await store.addMember('acme', 'alice');
  await store.writeGrant({
    tenant: 'acme',
    principal: 'alice',
    action: 'keys.rotate',
    resource: 'key/1',
    requestId: 'r1',
    condition: '',
    grantedAt: new Date('2026-01-01T00:00:00Z'),
    expiresAt: new Date('2026-01-01T01:00:00Z'),
  });
});
afterAll(async () => {
  await Promise.all([...pools.map((p) => p.close()), store?.close()]);
  servers.forEach((s) => {
    s.closeAllConnections();
    s.close();
  });
  await fga?.stop();
});

describe('the decision path’s OpenFGA calls (undici)', () => {
  it('answers a Check and a Read exactly as the SDK does for the same store and model', async () => {
    const sdk = new OpenFgaClient(fga.clientConfig({ storeId: store.storeId, authorizationModelId: store.modelId() }));
    const r = reads();
    const member = { user: 'user:alice', relation: 'member', object: 'tenant:acme' };
    const stranger = { ...member, user: 'user:mallory' };
    expect(await r.check(store.modelId(), member)).toBe(true);
    expect(await r.check(store.modelId(), stranger)).toBe(false);
    expect((await sdk.check(member)).allowed).toBe(true);

    const [granted] = (await sdk.read({ user: 'user:alice', relation: 'grantee', object: 'grant:' })).tuples;
    expect(granted).toBeDefined();
    const fromReads = await r.read({ user: 'user:alice', relation: 'grantee', object: granted!.key.object });
    expect(fromReads).toEqual([granted!.key]);
    expect(fromReads[0]?.condition?.context).toMatchObject({ grant_duration: '3600s' });
    expect(await r.read({ user: 'user:bob', relation: 'grantee', object: granted!.key.object })).toEqual([]);
  });

  it('reports a malformed or unauthenticated call as our error, not as an answer or an outage', async () => {
    const bad = await reads().check(store.modelId(), { user: 'user:alice', relation: 'no_such_relation', object: 'tenant:acme' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenFgaCallError);
    expect(bad).toMatchObject({ status: 400 });
    if (fga.presharedKey) {
      const wrongKey = await reads({ presharedKey: 'not-the-key' }).check(store.modelId(), { user: 'user:alice', relation: 'member', object: 'tenant:acme' }).catch((e: unknown) => e);
      expect(wrongKey).toBeInstanceOf(OpenFgaCallError);
      expect(wrongKey).toMatchObject({ status: 401 });
    }
  });

  it('reports OpenFGA unreachable, overloaded or failing as UNAVAILABLE', async () => {
    const unreachable = await reads({ apiUrl: 'http://127.0.0.1:9' }).check(store.modelId(), { user: 'user:a', relation: 'member', object: 'tenant:t' }).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(UnavailableError);
    for (const status of [429, 500, 503]) {
      const server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{"code":"busy","message":"try later"}'));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const err = await reads({ apiUrl: url }).read({ user: 'user:a', relation: 'grantee', object: 'grant:x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect((err as Error).message).toContain(`${status} busy: try later`);
    }
  });

  it('gives up on a server that never answers within its bound', async () => {
    const server = createServer(() => undefined);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const err = await reads({ apiUrl: url, timeoutMs: 300 }).check('m', { user: 'user:a', relation: 'member', object: 'tenant:t' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
  });
});
