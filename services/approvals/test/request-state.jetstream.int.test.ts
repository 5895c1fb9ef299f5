import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, createLogger, names, StreamEntityStore, type Nats } from '@assent/platform';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import type { RequestJson } from '../src/adapters/jetstream/request-json.js';
import { StreamRequestRepository } from '../src/adapters/jetstream/request-repository.js';
import { StreamRequestWatcher } from '../src/adapters/jetstream/request-watcher.js';
import { requestRepositoryContract } from './contract/request-repository.contract.js';
import { requestWatcherContract } from './contract/request-watcher.contract.js';

const root = uniqueRoot();
let nats: Nats;
let store: StreamEntityStore<RequestJson>;
let n = 0;

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'approvals-contract', createLogger('test', 'silent'));
  store = new StreamEntityStore(nats, names(root), 'request');
  await store.ensure();
});
afterAll(async () => {
  await store?.stop();
  await nats?.drain();
  await cleanupNats(root);
});

requestRepositoryContract('jetstream', async () => new StreamRequestRepository(store), () => `tenant-${++n}`);
requestWatcherContract('jetstream', async () => ({ requests: new StreamRequestRepository(store), watcher: new StreamRequestWatcher(store) }), () => `tenant-${++n}`);

describe('StreamRequestWatcher', () => {
  it('shares one consumer among all watches, and leaves none once the store stops', async () => {
    const consumers = async () => (await nats.jsm.consumers.list(store.stream).next()).length;
    expect(await consumers()).toBe(1);
    await store.stop();
    await expect.poll(consumers, { timeout: 5_000 }).toBe(0);
  });
});
