import { afterAll, beforeAll } from 'vitest';
import { startOpenFga, type RunningOpenFga } from '@assent/testkit';
import { MemoryIdRegistry } from '../src/adapters/memory/id-registry.js';
import { connectOpenFga } from '../src/adapters/openfga/connect.js';
import type { OpenFgaRelationStore } from '../src/adapters/openfga/relation-store.js';
import { relationStoreContract } from './contract/relation-store.contract.js';

let fga: RunningOpenFga;
let store: OpenFgaRelationStore;
let n = 0;

beforeAll(async () => {
  fga = await startOpenFga();
  store = await connectOpenFga({ apiUrl: fga.apiUrl, presharedKey: fga.presharedKey, storeName: 'contract', storeId: undefined, registry: new MemoryIdRegistry() });
});
afterAll(async () => fga?.stop());

relationStoreContract('openfga', async () => store, () => `tenant-${++n}`);
