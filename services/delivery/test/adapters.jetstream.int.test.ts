import { afterAll, beforeAll } from 'vitest';
import { connectNats, createLogger, ensureEventStreams, names, type Nats } from '@assent/platform';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { JetStreamAttemptLog } from '../src/adapters/jetstream/attempt-log.js';
import { deliveryNames, type DeliveryNames } from '../src/adapters/jetstream/delivery-names.js';
import { ensureDeliveryStreams } from '../src/adapters/jetstream/delivery-streams.js';
import { KvEndpointRepository, openEndpointBucket } from '../src/adapters/jetstream/endpoint-repository.js';
import { decodeTask, JetStreamTaskQueue } from '../src/adapters/jetstream/task-queue.js';
import type { DeliveryTask } from '../src/domain/types.js';
import { attemptLogContract } from './contract/attempt-log.contract.js';
import { endpointRepositoryContract } from './contract/endpoint-repository.contract.js';
import { taskQueueContract } from './contract/task-queue.contract.js';

const roots: string[] = [];
let nats: Nats;
let n = 0;
const tenantOf = () => `tenant-${++n}`;

/** Fresh streams under a unique root, so each queue starts empty. */
async function freshNames(): Promise<DeliveryNames> {
  const root = uniqueRoot();
  roots.push(root);
  await ensureEventStreams(nats.jsm, names(root));
  const dn = deliveryNames(root);
  await ensureDeliveryStreams(nats.jsm, dn);
  return dn;
}

async function readTasks(dn: DeliveryNames): Promise<DeliveryTask[]> {
  const info = await nats.jsm.streams.info(dn.taskStream);
  const tasks: DeliveryTask[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await nats.jsm.streams.getMessage(dn.taskStream, { seq }).catch(() => null);
    if (m) tasks.push(decodeTask(m.data));
  }
  return tasks;
}

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'delivery-contract', createLogger('delivery-contract', 'silent'));
});
afterAll(async () => {
  await Promise.all(mirrors.map((m) => m.stop()));
  await nats?.drain();
  await Promise.all(roots.map((r) => cleanupNats(r)));
});

const mirrors: KvEndpointRepository[] = [];
endpointRepositoryContract(
  'jetstream kv',
  async () => {
    const repo = await KvEndpointRepository.open(await openEndpointBucket(nats.nc, (await freshNames()).endpointBucket), createLogger('kv-mirror', 'silent'));
    mirrors.push(repo);
    return repo;
  },
  tenantOf,
);
attemptLogContract('jetstream', async () => new JetStreamAttemptLog(nats.js, nats.jsm, await freshNames()), tenantOf);
taskQueueContract('jetstream', async () => {
  const dn = await freshNames();
  return { queue: new JetStreamTaskQueue(nats.js, dn), queued: () => readTasks(dn) };
});
