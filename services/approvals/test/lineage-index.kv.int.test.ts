import { afterAll, beforeAll } from 'vitest';
import { connectNats, createLogger, type Nats } from '@assent/platform';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { KvLineageIndex } from '../src/adapters/jetstream/lineage-index.js';
import { lineageIndexContract } from './contract/lineage-index.contract.js';

const root = uniqueRoot();
let nats: Nats;
let index: KvLineageIndex;
let n = 0;

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'lineage-contract', createLogger('test', 'silent'));
  index = await KvLineageIndex.open(nats.nc, root);
});
afterAll(async () => {
  await nats?.drain();
  await cleanupNats(root);
});

lineageIndexContract('jetstream kv', async () => index, () => `tenant-${++n}`);
