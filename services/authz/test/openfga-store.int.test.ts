import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenFgaClient } from '@openfga/sdk';
import { connectNats, createLogger, type Nats } from '@assent/platform';
import { cleanupNats, startOpenFga, testEnv, uniqueRoot, type RunningOpenFga } from '@assent/testkit';
import { KvIdRegistry } from '../src/adapters/jetstream/kv-id-registry.js';
import { connectOpenFga } from '../src/adapters/openfga/connect.js';
import { idRegistryContract } from './contract/id-registry.contract.js';

const root = uniqueRoot();
const logger = createLogger('test', 'silent');
let replicas: Nats[] = [];
let fga: RunningOpenFga;
let n = 0;
const replica = (i: number): Nats => {
  const r = replicas[i];
  if (!r) throw new Error(`no replica ${i}`);
  return r;
};

beforeAll(async () => {
  [fga, ...replicas] = await Promise.all([startOpenFga(), ...[1, 2, 3].map((i) => connectNats(testEnv.natsUrl, `authz-${i}`, logger))]);
});
afterAll(async () => {
  await Promise.all([fga?.stop(), ...replicas.map((r) => r.drain())]);
  await cleanupNats(root);
});

// Each registry on its own connection, as three replicas would be; each test its own bucket.
idRegistryContract('jetstream kv', async () => {
  const bucketRoot = `${root}_c${++n}`;
  return Promise.all(replicas.map((r) => KvIdRegistry.open(r.nc, bucketRoot)));
});

describe('connectOpenFga with three replicas', () => {
  it('converges on one store and one model against a fresh OpenFGA, and keeps them on restart', async () => {
    const connect = async (r: Nats) => connectOpenFga({ apiUrl: fga.apiUrl, presharedKey: fga.presharedKey, storeName: 'race', registry: await KvIdRegistry.open(r.nc, root) });
    const stores = await Promise.all(replicas.map(connect));
    const admin = new OpenFgaClient(fga.clientConfig());
    const named = (await admin.listStores({ pageSize: 100 })).stores.filter((s) => s.name === 'race');
    expect(named.map((s) => s.id)).toEqual([stores[0]?.storeId]);
    expect(new Set(stores.map((s) => s.storeId)).size).toBe(1);
    expect(new Set(stores.map((s) => s.modelId())).size).toBe(1);

    const again = await connect(replica(0));
    expect([again.storeId, again.modelId()]).toEqual([stores[0]?.storeId, stores[0]?.modelId()]);
  });

  it('uses a configured store id as given', async () => {
    const { id } = await new OpenFgaClient(fga.clientConfig()).createStore({ name: 'configured' });
    const store = await connectOpenFga({ apiUrl: fga.apiUrl, presharedKey: fga.presharedKey, storeName: 'race', storeId: id, registry: await KvIdRegistry.open(replica(1).nc, root) });
    expect(store.storeId).toBe(id);
  });
});
