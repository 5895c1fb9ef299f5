import { afterAll, beforeAll } from 'vitest';
import { connectNats, createLogger, names, StreamEntityStore, type Nats } from '@assent/platform';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { JetStreamDelegationRepository, openDelegationBucket, type DelegationSetJson } from '../src/adapters/jetstream/delegation-repository.js';
import { delegationRepositoryContract } from './contract/delegation-repository.contract.js';

const root = uniqueRoot();
let nats: Nats;
let repo: JetStreamDelegationRepository;
let n = 0;

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'delegation-contract', createLogger('test', 'silent'));
  const store = new StreamEntityStore<DelegationSetJson>(nats, names(root), 'delegation');
  repo = await JetStreamDelegationRepository.open(store, await openDelegationBucket(nats.nc, root), createLogger('test', 'silent'));
});
afterAll(async () => {
  await repo?.stop();
  await nats?.drain();
  await cleanupNats(root);
});

delegationRepositoryContract('jetstream', async () => repo, () => `tenant-${++n}`);
