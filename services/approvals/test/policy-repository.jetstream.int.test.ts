import { afterAll, beforeAll } from 'vitest';
import { connectNats, createLogger, names, StreamEntityStore, type Nats } from '@assent/platform';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { JetStreamPolicyRepository, openPolicyBucket, type PolicyRecordJson } from '../src/adapters/jetstream/policy-repository.js';
import { policyRepositoryContract } from './contract/policy-repository.contract.js';

const root = uniqueRoot();
let nats: Nats;
let repo: JetStreamPolicyRepository;
let n = 0;

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'policy-contract', createLogger('test', 'silent'));
  repo = await JetStreamPolicyRepository.open(new StreamEntityStore<PolicyRecordJson>(nats, names(root), 'policy'), await openPolicyBucket(nats.nc, root), createLogger('test', 'silent'));
});
afterAll(async () => {
  await repo?.stop();
  await nats?.drain();
  await cleanupNats(root);
});

policyRepositoryContract('jetstream', async () => repo, () => `tenant-${++n}`);
